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
//! array's `shape`, a tuple's item at a constant index in range, Python int
//! `+ - *` the bounds pass proved to fit in 64 bits, `//` and `%` by a
//! positive constant, float `+ - *` and unary minus, comparisons of int and
//! float scalars, `min`/`max` of two ints, and `np.cos(x)` (the other
//! `abi::SMALL_UFUNCS`) of a float64 scalar, computed by NumPy's own inner
//! loop as the small pass computes it. Each computes from
//! the same operand values the same result on every iteration, so the
//! value read in the loop is the one the loop would have computed; running
//! it when the loop (or the branch holding it) would not have run has no
//! effect. None of it can leave compiled code (no deopt point in the
//! preheader; an int result that might need more than 64 bits stays in the
//! loop). A ufunc whose loop raised a floating-point exception NumPy warns
//! about (or whose loop is unavailable) is not used: a flag computed with
//! it sends the instruction in the loop to NumPy's call, as written, which
//! warns where and as often as CPython's. The IR itself is not
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
    /// The hoisted ufuncs' values and flags (the loop raised nothing NumPy
    /// warns about), by result, once emitted in their preheader.
    ufuncs: std::cell::RefCell<HashMap<Value, (CV, CV)>>,
}

/// Whether instruction `inst` (at `at`) is pure and cannot raise under its
/// inferred types (see the module doc).
fn movable(g: &Gen<'_, '_>, at: (Block, usize), inst: &ir::Inst) -> bool {
    // (a scalar ufunc is a call into NumPy that the hoisted code makes natively)
    if g.env.pycalls.contains_key(&at) && scalar_ufunc(g, inst).is_none() {
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
            // (`+ - *` only where the bounds pass proved the result fits: hoisted
            // code never leaves compiled code, see the module doc)
            Ty::Int => {
                inst.args.iter().all(|a| int(*a))
                    && match op {
                        BinOp::Add | BinOp::Sub | BinOp::Mul => g.facts.no_overflow.contains(&at),
                        BinOp::FloorDiv | BinOp::Mod => {
                            matches!(g.consts.get(&inst.args[1]), Some(Const::Int(c)) if *c > 0)
                        }
                        _ => false,
                    }
            }
            Ty::Float => matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) && inst.args.iter().all(|a| num(*a)),
            _ => false,
        },
        Op::Unary(UnaryOp::Neg) => ty(r) == Ty::Float && ty(inst.args[0]) == Ty::Float,
        Op::Cmp(_) => ty(r) == Ty::Bool && inst.args.iter().all(|a| num(*a)),
        // `np.cos(x)` of a float64 scalar (`abi::SMALL_UFUNCS`): NumPy's inner loop
        // on one element, a pure function; emitted by `emit_hoisted`.
        Op::MethodCall { .. } => scalar_ufunc(g, inst).is_some(),
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

/// `np.<u>(x)` of a float64 scalar, `u` in `abi::SMALL_UFUNCS`: the loop id
/// of its float64 inner loop and `x`.
fn scalar_ufunc(g: &Gen<'_, '_>, inst: &ir::Inst) -> Option<(i64, Value)> {
    let Op::MethodCall { name, kw } = &inst.op else {
        return None;
    };
    if !kw.is_empty() || inst.args.len() != 2 || *g.typed.ty(inst.args[0]) != Ty::Module(Module::Numpy) {
        return None;
    }
    if !g.env.scalar_ufuncs {
        return None;
    }
    let idx = abi::SMALL_UFUNCS.iter().position(|u| u == name)?;
    let x = inst.args[1];
    let float = matches!(g.typed.ty(x), Ty::Float | Ty::Np(Dtype::Float64));
    (float && *g.typed.ty(inst.result?) == Ty::Np(Dtype::Float64)).then_some((2 * idx as i64, x))
}

/// Emits hoisted instruction `inst` in the preheader; for a ufunc, returns
/// its value and whether it may be used (see `LicmPlan::ufuncs`).
fn emit_hoisted(g: &mut Gen<'_, '_>, inst: &ir::Inst) -> CResult<Option<(CV, CV)>> {
    let Some((id, x)) = scalar_ufunc(g, inst) else {
        g.inst(inst)?;
        return Ok(None);
    };
    // NumPy's inner loop, as the small pass calls it in the loop.
    let xv = g.use_val(x)?;
    let xf = g.conv_f64(&(g.typed.ty(x).clone(), xv))?;
    let on = g.call("pyston_scalar_ufuncs_ok", &[])?[0];
    let on = g.b.ins().icmp_imm_u(IntCC::NotEqual, on, 0);
    let (inp, out) = (g.stack(8), g.stack(8));
    g.b.ins().store(MemFlagsData::trusted(), xf, inp, 0);
    let idv = g.b.ins().iconst(clt::I64, id);
    let size = g.b.ins().iconst(clt::I64, 8);
    let one = g.b.ins().iconst(clt::I64, 1);
    let st = g.call("pyston_ufunc_loop", &[idv, inp, size, out, size, one])?[0];
    let clean = g.b.ins().icmp_imm_u(IntCC::Equal, st, 0);
    let ok = g.b.ins().band(on, clean);
    let v = g.b.ins().load(clt::F64, MemFlagsData::trusted(), out, 0);
    Ok(Some((v, ok)))
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
                    Some(&h) => h == li || (loops[h].contains(l.header) && around.contains(&h)),
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
            if let (Some(vo), Some(r)) = (emit_hoisted(g, inst)?, inst.result) {
                self.ufuncs.borrow_mut().insert(r, vo);
            }
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
        let inst = &g.f.block(at.0).insts[at.1];
        let Some(r) = inst.result else {
            return Ok(AtInst::Default);
        };
        let hoisted_ufunc = self.ufuncs.borrow().get(&r).copied();
        if let Some((v, ok)) = hoisted_ufunc {
            // The hoisted value, or (its loop raised a flag NumPy warns about)
            // NumPy's call as written.
            let (slow, merge) = (g.b.create_block(), g.b.create_block());
            let m = g.b.append_block_param(merge, clt::F64);
            g.b.ins().brif(ok, merge, &[BlockArg::Value(v)], slow, &[]);
            g.b.switch_to_block(slow);
            g.b.set_cold_block(slow);
            g.inst(inst)?;
            let sv = g.val(r)?;
            if sv.len() != 1 {
                return Err(internal("licm: ufunc slots"));
            }
            g.b.ins().jump(merge, &[BlockArg::Value(sv[0])]);
            g.b.switch_to_block(merge);
            g.vals.insert(r, vec![m]);
            return Ok(AtInst::Emitted);
        }
        Ok(if g.vals.contains_key(&r) && scalar_ufunc(g, inst).is_none() {
            AtInst::Skip
        } else {
            AtInst::Default
        })
    }

    fn describe(&self) -> String {
        self.text.clone()
    }
}
