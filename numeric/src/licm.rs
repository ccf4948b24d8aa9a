//! Loop-invariant code motion of pure scalar instructions.
//!
//! In `for jj in range(n): idx = min(max(0, i + ii - k // 2), m); ...` the
//! clamp reads only values defined outside the `jj` loop, yet the plain code
//! computes it, with its overflow checks, on every iteration. This pass
//! emits such instructions once, at the end of the loop's preheader (the one
//! block outside the loop that jumps to its header), and codegen skips them
//! in the loop; an instruction is hoisted to the outermost loop whose
//! preheader has all its operands.
//!
//! Exactness. Only instructions that are pure and cannot raise are moved:
//! constants, globals (compile-time constants, guarded on entry), an
//! array's `shape`, a tuple's item at a constant index in range, Python int `+ - *` and `//`
//! `%` by a nonzero constant, float `+ - *`, unary minus, comparisons of
//! int and float scalars, and `min`/`max` of two ints. Each computes from
//! the same operand values the same result on every iteration, so the
//! value read in the loop is the one the loop would have computed; running
//! it when the loop (or the branch holding it) would not have run has no
//! effect. The one way such code leaves compiled code, an int result that
//! needs more than 64 bits, deoptimizes *at the preheader's jump into the
//! loop* (as the bounds pass's guards do): the interpreter tier then runs
//! the loop as written, from its first iteration, with nothing of it done
//! yet, and computes the big int where CPython does. The IR itself is not
//! changed: the interpreter tier, and every other pass, see the program as
//! written.

use crate::prelude::*;
use pyston_compiler::codegen::{AtInst, Plan};
use pyston_compiler::ir::cfg;

/// What the pass hoists: by loop header, the instructions emitted in its
/// preheader (in program order), and that preheader.
#[derive(Default)]
pub struct LicmPlan {
    pub hoisted: HashMap<Block, (Block, Vec<(Block, usize)>)>,
    pub skip: HashSet<(Block, usize)>,
    pub text: String,
}

/// Whether instruction `inst` (at `at`) is pure and cannot raise under its
/// inferred types (see the module doc).
fn movable(g: &Gen<'_, '_>, at: (Block, usize), inst: &ir::Inst) -> bool {
    if g.env.pycalls.contains_key(&at) {
        return false;
    }
    let ty = |v: Value| g.typed.ty(v).clone();
    let int = |v: Value| ty(v) == Ty::Int;
    let num = |v: Value| matches!(ty(v), Ty::Int | Ty::Float | Ty::Bool);
    let Some(r) = inst.result else { return false };
    match &inst.op {
        Op::Const(c) => matches!(c, Const::Int(_) | Const::Float(_) | Const::Bool(_) | Const::None),
        Op::Global(_) => matches!(ty(r), Ty::Builtin(_) | Ty::Module(_)),
        // An array's shape: read from the value's slots, as in the loop.
        Op::Attr(name) => name == "shape" && matches!(ty(inst.args[0]), Ty::Array(_)) && matches!(ty(r), Ty::Tuple(_)),
        Op::GetItem | Op::TupleGet(_) => {
            let Ty::Tuple(items) = ty(inst.args[0]) else {
                return false;
            };
            let k = match &inst.op {
                Op::TupleGet(k) => *k as i64,
                _ if inst.args.len() == 2 => match g.consts.get(&inst.args[1]) {
                    Some(Const::Int(k)) => *k,
                    _ => return false,
                },
                _ => return false,
            };
            let n = items.len() as i64;
            (-n..n).contains(&k) && matches!(ty(r), Ty::Int | Ty::Float | Ty::Bool)
        }
        Op::Bin { op, .. } => match ty(r) {
            Ty::Int => {
                inst.args.iter().all(|a| int(*a))
                    && match op {
                        BinOp::Add | BinOp::Sub | BinOp::Mul => true,
                        BinOp::FloorDiv | BinOp::Mod => {
                            matches!(g.consts.get(&inst.args[1]), Some(Const::Int(c)) if *c > 0)
                        }
                        _ => false,
                    }
            }
            Ty::Float => matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) && inst.args.iter().all(|a| num(*a)),
            _ => false,
        },
        Op::Unary(UnaryOp::Neg) => matches!(ty(r), Ty::Int | Ty::Float) && ty(inst.args[0]) == ty(r),
        Op::Cmp(_) => ty(r) == Ty::Bool && inst.args.iter().all(|a| num(*a)),
        Op::Call { kw } => {
            kw.is_empty()
                && inst.args.len() == 3
                && matches!(ty(inst.args[0]), Ty::Builtin(Builtin::Min | Builtin::Max))
                && int(r)
                && inst.args[1..].iter().all(|a| int(*a))
        }
        _ => false,
    }
}

/// Plans the hoisting (analysis only).
pub fn plan(g: &Gen<'_, '_>) -> LicmPlan {
    let f = g.f;
    let mut plan = LicmPlan::default();
    if f.has_handlers() {
        return plan;
    }
    let loops = cfg::loops(f);
    let preds = f.predecessors();
    // Each loop's preheader: its header's one predecessor outside it, which
    // jumps there (the jump codegen calls `enter_loop` at).
    let mut pre: HashMap<Block, Block> = HashMap::new();
    for l in &loops {
        let outside: Vec<Block> = preds[l.header.0 as usize]
            .iter()
            .copied()
            .filter(|p| !l.contains(*p))
            .collect();
        if let [p] = outside.as_slice() {
            let jumps = matches!(&f.block(*p).term, Term::Jump(e) if e.block == l.header);
            let cold = g.typed.cold.contains(p) || g.typed.cold.contains(&l.header);
            if jumps && !cold {
                pre.insert(l.header, *p);
            }
        }
    }
    let defs = &g.defs;
    let param_block: HashMap<Value, Block> = f
        .blocks
        .iter()
        .enumerate()
        .flat_map(|(i, d)| d.params.iter().map(move |p| (*p, Block(i as u32))))
        .collect();
    // Where each hoisted value is emitted: the index of its loop in `loops`.
    let mut at_loop: HashMap<Value, usize> = HashMap::new();
    for b in cfg::rpo(f) {
        // The loops around `b`, outermost first (`loops` lists enclosing loops first).
        let around: Vec<usize> = (0..loops.len()).filter(|&i| loops[i].contains(b)).collect();
        if around.is_empty() {
            continue;
        }
        for (k, inst) in f.block(b).insts.iter().enumerate() {
            if !movable(g, (b, k), inst) {
                continue;
            }
            // The outermost loop with a preheader where every operand is available:
            // defined outside the loop, or hoisted to it or to a loop around it.
            let avail = |li: usize, v: Value| -> bool {
                let l = &loops[li];
                match at_loop.get(&v) {
                    Some(&h) => h == li || (loops[h].contains(l.header) && h != li && around.contains(&h)),
                    None => {
                        let db = defs.get(&v).map(|d| d.0).or_else(|| param_block.get(&v).copied());
                        db.is_some_and(|db| !l.contains(db))
                    }
                }
            };
            let target = around
                .iter()
                .copied()
                .find(|&li| pre.contains_key(&loops[li].header) && inst.args.iter().all(|a| avail(li, *a)));
            let Some(li) = target else { continue };
            let h = loops[li].header;
            plan.hoisted
                .entry(h)
                .or_insert_with(|| (pre[&h], Vec::new()))
                .1
                .push((b, k));
            plan.skip.insert((b, k));
            if let Some(r) = inst.result {
                at_loop.insert(r, li);
            }
        }
    }
    // (described without the constants and globals, which cost nothing either way)
    if g.env.describe_plans {
        let mut heads: Vec<_> = plan.hoisted.iter().collect();
        heads.sort_by_key(|(h, _)| **h);
        for (h, (p, insts)) in heads {
            let shown: Vec<&(Block, usize)> = insts
                .iter()
                .filter(|(b, k)| !matches!(f.block(*b).insts[*k].op, Op::Const(_) | Op::Global(_)))
                .collect();
            if shown.is_empty() {
                continue;
            }
            plan.text.push_str(&format!("hoisted to {p} (loop {h}):\n"));
            for (b, k) in shown {
                plan.text
                    .push_str(&format!("  {b}[{k}] {}\n", crate::inst_text(f, *b, *k)));
            }
        }
    }
    plan
}

impl Plan for LicmPlan {
    fn enter_loop(&self, g: &mut Gen<'_, '_>, header: Block, args: Vec<BlockArg>) -> CResult<Vec<BlockArg>> {
        let Some((pre, insts)) = self.hoisted.get(&header) else {
            return Ok(args);
        };
        // Emitted at the preheader's jump: a deopt here resumes the interpreter
        // at that jump, before the loop's first iteration.
        if g.cur_inst.0 != *pre {
            return Ok(args);
        }
        let saved = g.cur_inst;
        for &(b, k) in insts {
            let inst = &g.f.block(b).insts[k];
            g.inst(inst)?;
            g.cur_inst = saved;
        }
        Ok(args)
    }

    fn inst(&self, g: &mut Gen<'_, '_>, at: (Block, usize)) -> CResult<AtInst> {
        if !self.skip.contains(&at) {
            return Ok(AtInst::Default);
        }
        // Computed in the preheader (when its jump was emitted, which precedes
        // the loop in emission order); otherwise emitted here as written.
        let r = g.f.block(at.0).insts[at.1].result;
        Ok(match r {
            Some(r) if g.vals.contains_key(&r) => AtInst::Skip,
            _ => AtInst::Default,
        })
    }

    fn describe(&self) -> String {
        self.text.clone()
    }
}
