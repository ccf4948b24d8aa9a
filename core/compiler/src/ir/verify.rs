//! The SSA verifier ([`Function::verify`]).

use super::{Block, Function, Value};
use std::collections::HashSet;

/// Checks the SSA invariants: single definitions, every use dominated by
/// its definition, edge arity matching block parameters. The error names
/// the first violation found.
pub fn verify(f: &Function) -> Result<(), String> {
    let mut defined = vec![false; f.values.len()];
    let mut def = |v: Value, what: &str| -> Result<(), String> {
        let slot = defined
            .get_mut(v.0 as usize)
            .ok_or_else(|| format!("{what} defines unknown value {v}"))?;
        if *slot {
            return Err(format!("{v} is defined twice"));
        }
        *slot = true;
        Ok(())
    };
    for (i, b) in f.blocks.iter().enumerate() {
        for p in &b.params {
            def(*p, &format!("block{i} params"))?;
        }
        for inst in &b.insts {
            match (inst.result, inst.op.has_result()) {
                (Some(r), true) => def(r, "an instruction")?,
                (None, false) => {}
                _ => return Err(format!("block{i}: {:?} has a wrong result", inst.op)),
            }
        }
        for e in b.term.successors().into_iter().chain(b.handler.as_ref()) {
            let target = f
                .blocks
                .get(e.block.0 as usize)
                .ok_or_else(|| format!("block{i} jumps to missing {}", e.block))?;
            if target.params.len() != e.args.len() {
                return Err(format!(
                    "block{i} passes {} args to {} which has {} params",
                    e.args.len(),
                    e.block,
                    target.params.len()
                ));
            }
        }
    }
    // Dominance: a value is available at a use if it is defined on every
    // path from the entry (available-definitions dataflow).
    // An exceptional edge leaves from the start of its block (what is
    // available there reaches the handler).
    let order = f.rpo_all();
    let mut preds: Vec<Vec<(Block, bool)>> = vec![Vec::new(); f.blocks.len()];
    for &b in &order {
        let data = f.block(b);
        for e in data.term.successors() {
            preds[e.block.0 as usize].push((b, false));
        }
        if let Some(h) = &data.handler {
            preds[h.block.0 as usize].push((b, true));
        }
    }
    let all: HashSet<Value> = (0..f.values.len() as u32).map(Value).collect();
    let mut avail_start: Vec<HashSet<Value>> = vec![all.clone(); f.blocks.len()];
    let mut avail_out: Vec<HashSet<Value>> = vec![all.clone(); f.blocks.len()];
    let avail_in = |b: Block, avail_out: &[HashSet<Value>], avail_start: &[HashSet<Value>]| -> HashSet<Value> {
        if b == f.entry() {
            return HashSet::new();
        }
        let out = |&(p, exc): &(Block, bool)| -> HashSet<Value> {
            if exc {
                avail_start[p.0 as usize].clone()
            } else {
                avail_out[p.0 as usize].clone()
            }
        };
        let mut it = preds[b.0 as usize].iter();
        let first = it.next().map(out).unwrap_or_default();
        it.fold(first, |acc, p| acc.intersection(&out(p)).copied().collect())
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &b in &order {
            let mut inn = avail_in(b, &avail_out, &avail_start);
            let data = f.block(b);
            inn.extend(data.params.iter().copied());
            avail_start[b.0 as usize] = inn.clone();
            for inst in &data.insts {
                inn.extend(inst.result);
            }
            if inn != avail_out[b.0 as usize] {
                avail_out[b.0 as usize] = inn;
                changed = true;
            }
        }
    }
    for &b in &order {
        let data = f.block(b);
        let mut avail = avail_in(b, &avail_out, &avail_start);
        avail.extend(data.params.iter().copied());
        if let Some(h) = &data.handler {
            for a in &h.args {
                if !avail.contains(a) {
                    return Err(format!("{b}: exceptional edge uses {a}, not defined before the block"));
                }
            }
        }
        for inst in &data.insts {
            for a in &inst.args {
                if !avail.contains(a) {
                    return Err(format!("{b}: {a} is used before it is defined on every path"));
                }
            }
            avail.extend(inst.result);
        }
        for a in data.term.uses() {
            if !avail.contains(&a) {
                return Err(format!("{b}: terminator uses {a} before it is defined on every path"));
            }
        }
    }
    Ok(())
}
