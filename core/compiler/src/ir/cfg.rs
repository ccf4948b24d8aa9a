//! Control-flow analyses over a [`Function`]: reverse post-order,
//! predecessors, definitions, liveness, dominators and natural loops.
//!
//! Unreachable blocks (which the printer leaves out) are ignored throughout:
//! they are not in the reverse post-order, not predecessors of anything and
//! have no dominator.

use super::{Block, Function, Value};
use std::collections::{HashMap, HashSet};

/// Blocks in reverse post-order from the entry (unreachable blocks omitted).
pub fn rpo(f: &Function) -> Vec<Block> {
    rpo_with(f, false)
}

/// Blocks in reverse post-order, following exceptional edges too.
pub fn rpo_all(f: &Function) -> Vec<Block> {
    rpo_with(f, true)
}

fn rpo_with(f: &Function, exceptional: bool) -> Vec<Block> {
    let mut seen = vec![false; f.blocks.len()];
    let mut post = Vec::new();
    let mut stack = vec![(f.entry(), 0usize)];
    seen[0] = true;
    while let Some((b, i)) = stack.pop() {
        let data = f.block(b);
        let mut succs = data.term.successors();
        if exceptional {
            succs.extend(data.handler.as_ref());
        }
        if i < succs.len() {
            stack.push((b, i + 1));
            let s = succs[i].block;
            if !seen[s.0 as usize] {
                seen[s.0 as usize] = true;
                stack.push((s, 0));
            }
        } else {
            post.push(b);
        }
    }
    post.reverse();
    post
}

/// Where each value is defined by an instruction: its block and instruction
/// index (block parameters are not included).
pub fn definitions(f: &Function) -> HashMap<Value, (Block, usize)> {
    let mut m = HashMap::new();
    for (bi, b) in f.blocks.iter().enumerate() {
        for (k, inst) in b.insts.iter().enumerate() {
            if let Some(r) = inst.result {
                m.insert(r, (Block(bi as u32), k));
            }
        }
    }
    m
}

/// The predecessors of every block, indexed by block number. A block with two
/// edges to the same successor (`br c, b(), b()`) is listed twice there.
pub fn predecessors(f: &Function) -> Vec<Vec<Block>> {
    let mut preds = vec![Vec::new(); f.blocks.len()];
    for b in rpo(f) {
        for e in f.block(b).term.successors() {
            preds[e.block.0 as usize].push(b);
        }
    }
    preds
}

/// Live-in sets of every block (values used in the block or after it
/// before being defined), by iterative backward dataflow.
pub fn live_in(f: &Function) -> Vec<HashSet<Value>> {
    let n = f.blocks.len();
    let mut live_in: Vec<HashSet<Value>> = vec![HashSet::new(); n];
    let order = rpo_all(f);
    let mut changed = true;
    while changed {
        changed = false;
        for &b in order.iter().rev() {
            let set = live_before_in(f, b, 0, &live_in);
            if set != live_in[b.0 as usize] {
                live_in[b.0 as usize] = set;
                changed = true;
            }
        }
    }
    live_in
}

fn live_before_in(f: &Function, b: Block, k: usize, live_in: &[HashSet<Value>]) -> HashSet<Value> {
    let data = f.block(b);
    let mut live: HashSet<Value> = HashSet::new();
    // An exceptional edge leaves from anywhere in the block: what its handler
    // needs is live throughout.
    for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
        for v in &live_in[e.block.0 as usize] {
            if !f.block(e.block).params.contains(v) {
                live.insert(*v);
            }
        }
    }
    live.extend(data.term.uses());
    if let Some(h) = &data.handler {
        live.extend(h.args.iter().copied());
    }
    for inst in data.insts[k..].iter().rev() {
        if let Some(r) = inst.result {
            live.remove(&r);
        }
        live.extend(inst.args.iter().copied());
    }
    if k == 0 {
        for p in &data.params {
            live.remove(p);
        }
    }
    live
}

/// The values live just before instruction `k` of block `b`: what the
/// interpreter needs to resume there. Sorted.
pub fn live_before(f: &Function, b: Block, k: usize, live_in: &[HashSet<Value>]) -> Vec<Value> {
    let mut v: Vec<Value> = live_before_in(f, b, k, live_in).into_iter().collect();
    if k == 0 {
        // Resuming at the start of a block needs its parameters too.
        v.extend(f.block(b).params.iter().copied());
    }
    v.sort();
    v.dedup();
    v
}

/// Immediate dominators of the reachable blocks (Cooper, Harvey and Kennedy's
/// iterative algorithm). The entry block maps to itself.
pub fn dominators(f: &Function) -> HashMap<Block, Block> {
    let order = rpo(f);
    let index: HashMap<Block, usize> = order.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let preds = predecessors(f);
    let mut idom: HashMap<Block, Block> = HashMap::new();
    idom.insert(f.entry(), f.entry());
    let mut changed = true;
    while changed {
        changed = false;
        for &b in order.iter().skip(1) {
            let mut new: Option<Block> = None;
            for &p in &preds[b.0 as usize] {
                if !idom.contains_key(&p) {
                    continue;
                }
                new = Some(match new {
                    None => p,
                    Some(n) => {
                        let (mut x, mut y) = (p, n);
                        while x != y {
                            while index[&x] > index[&y] {
                                x = idom[&x];
                            }
                            while index[&y] > index[&x] {
                                y = idom[&y];
                            }
                        }
                        x
                    }
                });
            }
            if let Some(n) = new {
                if idom.get(&b) != Some(&n) {
                    idom.insert(b, n);
                    changed = true;
                }
            }
        }
    }
    idom
}

/// Whether `a` dominates `b` (every block dominates itself), given the
/// immediate dominators from [`dominators`].
pub fn dominates(idom: &HashMap<Block, Block>, a: Block, mut b: Block) -> bool {
    loop {
        if a == b {
            return true;
        }
        match idom.get(&b) {
            Some(&p) if p != b => b = p,
            _ => return false,
        }
    }
}

/// Whether `b` heads a loop: one of its predecessors is dominated by it
/// (the edge from that predecessor is a back edge).
pub fn is_loop_header(f: &Function, b: Block) -> bool {
    let idom = dominators(f);
    let preds = predecessors(f);
    preds[b.0 as usize].iter().any(|p| dominates(&idom, b, *p))
}

/// A natural loop: the header, every block of the loop (header included) and
/// the latches (the sources of the back edges to the header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loop {
    pub header: Block,
    /// The loop's blocks in reverse post-order, the header first.
    pub blocks: Vec<Block>,
    /// The blocks that jump back to the header, in reverse post-order.
    pub latches: Vec<Block>,
}

impl Loop {
    pub fn contains(&self, b: Block) -> bool {
        self.blocks.contains(&b)
    }
}

/// The natural loops of `f`, one per header (back edges to the same header
/// are merged), ordered by the header's position in the reverse post-order:
/// an enclosing loop comes before the loops nested in it.
pub fn loops(f: &Function) -> Vec<Loop> {
    let order = rpo(f);
    let pos: HashMap<Block, usize> = order.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let idom = dominators(f);
    let preds = predecessors(f);
    let mut out = Vec::new();
    for &h in &order {
        let mut latches: Vec<Block> = preds[h.0 as usize]
            .iter()
            .copied()
            .filter(|p| dominates(&idom, h, *p))
            .collect();
        if latches.is_empty() {
            continue;
        }
        latches.sort_by_key(|b| pos[b]);
        latches.dedup();
        // The loop body: the header and every block that reaches a latch
        // without passing through the header.
        let mut body: HashSet<Block> = HashSet::from([h]);
        let mut stack: Vec<Block> = latches.clone();
        while let Some(b) = stack.pop() {
            if body.insert(b) {
                stack.extend(preds[b.0 as usize].iter().copied());
            }
        }
        let mut blocks: Vec<Block> = body.into_iter().collect();
        blocks.sort_by_key(|b| pos[b]);
        out.push(Loop {
            header: h,
            blocks,
            latches,
        });
    }
    out
}
