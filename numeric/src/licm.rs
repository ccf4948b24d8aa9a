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
//! `+ - *`, `//` and `%` by a positive constant, float `+ - *` and unary
//! minus, comparisons of int and float scalars, `min`/`max` of two ints, and
//! `np.cos(x)` (the other `abi::SMALL_UFUNCS`) of a float64 scalar, computed
//! by NumPy's own inner loop as the small pass computes it. Each computes
//! from the same operand values the same result on every iteration, so the
//! value read in the loop is the one the loop would have computed; running
//! it when the loop (or the branch holding it) would not have run has no
//! effect, and nothing in the preheader leaves compiled code (no deopt
//! point there).
//!
//! Two kinds can fail where the loop's code would leave compiled code or
//! call NumPy: an int `+ - *` the bounds pass did not prove to fit (its
//! result may need a big int) and a ufunc whose loop raised a floating-point
//! exception NumPy warns about. The preheader computes them with a flag
//! instead (the result is exact; the loop raised nothing), ANDed with their
//! hoisted operands' flags; in the loop the instruction reads the hoisted
//! value when the flag is set and otherwise runs as written (overflow checks
//! and deopt, NumPy's call and warning), at its own place, with the loop's
//! live values. The IR itself is not changed: the interpreter tier, and every
//! other pass, see the program as written.
//!
//! **Carried array elements.** In `for jj in range(m): r[i, j] += x[...] * w[ii, jj]`
//! the element `r[i, j]` (array and indexes defined outside the loop) is
//! loaded, added to and stored on every iteration, and each load waits for
//! the previous iteration's store to forward through memory (about 5 cycles
//! on the loop's dependency chain, besides the add's 4). Where that store is
//! the only write the loop makes (every other instruction reads, or computes
//! scalars: no other element store, no call into NumPy or Python, no call of
//! a compiled function), the loop keeps the value it last stored in a
//! register, with a flag cleared on entering the loop: a load of the element
//! reads the register once the flag is set and memory before that. The store
//! itself stays where it is (the element's memory always holds what the
//! loop as written would have stored, so a deopt, an exception or another
//! reader finds it there), and the stored value is the loaded value's type
//! (`np.float64` into a float64 array and back: the same bits; float64 and
//! float32 arrays only, see `plan_carried`). Nothing else
//! writes memory while the loop runs (compiled code holds the GIL; not done
//! under `nogil=True`, where other threads run), so the
//! register holds exactly what the load would read. Reads of other elements
//! of the same array (`table[i, k]` beside `table[i, j]`) still read memory.

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
    /// By result, once emitted in its preheader: whether the hoisted value
    /// may be used (`None`: always; else a flag computed there, see
    /// `emit_hoisted`), and whether a ufunc's flag is among those it depends
    /// on (where it is not, the loop would leave compiled code at the
    /// instruction or before it: it deoptimizes there instead).
    flags: std::cell::RefCell<HashMap<Value, Option<(CV, bool)>>>,
    /// The overflow flags already tested by an earlier hoisted instruction of
    /// the same block (its deopt is taken there first: the flag is set after it).
    /// (By block, with the index of the instruction last emitted there: an
    /// index not past it starts another copy of the block, whose own first
    /// instruction tests again.)
    tested: std::cell::RefCell<HashMap<Block, (usize, HashSet<CV>)>>,
    /// Carried array elements (see the module doc), by loop header.
    pub carried: HashMap<Block, Vec<Carried>>,
    /// The loads and stores of carried elements: the index into `carried[header]`.
    carried_at: HashMap<(Block, usize), (Block, usize)>,
    /// By (header, index): the flag and the value slots, once declared.
    #[allow(clippy::type_complexity)]
    carry_vars: std::cell::RefCell<
        HashMap<
            (Block, usize),
            (
                cranelift_frontend::Variable,
                Vec<(cranelift_frontend::Variable, clir::Type)>,
            ),
        >,
    >,
}

/// An array element a loop reads and writes in a register (see the module doc).
#[derive(Clone, Debug)]
pub struct Carried {
    /// The element's loads, and its one store.
    pub loads: Vec<(Block, usize)>,
    pub store: (Block, usize),
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
        Op::Global(_) | Op::Import(_) => matches!(ty(r), Ty::Builtin(_) | Ty::Module(_)),
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

/// Emits hoisted instruction `inst` (at `at`) in the preheader, its value
/// into `g.vals`; returns the flag saying it may be used, where it can fail:
/// an int `+ - *` not proven to fit (no overflow: its flag), a ufunc (its
/// loop available and raising nothing NumPy warns about).
fn emit_hoisted(g: &mut Gen<'_, '_>, at: (Block, usize), inst: &ir::Inst) -> CResult<Option<CV>> {
    let r = inst.result.ok_or_else(|| internal("licm: no result"))?;
    if let Some((id, x)) = scalar_ufunc(g, inst) {
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
        g.vals.insert(r, vec![v]);
        return Ok(Some(ok));
    }
    if let (Op::Bin { op, .. }, Ty::Int) = (&inst.op, g.typed.ty(r)) {
        if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) {
            // The 64-bit result, and whether it is the exact one.
            let x = g.use_val(inst.args[0])?[0];
            let y = g.use_val(inst.args[1])?[0];
            let (v, of) = match op {
                BinOp::Add => g.b.ins().sadd_overflow(x, y),
                BinOp::Sub => g.b.ins().ssub_overflow(x, y),
                _ => g.b.ins().smul_overflow(x, y),
            };
            g.vals.insert(r, vec![v]);
            if g.facts.no_overflow.contains(&at) {
                return Ok(None);
            }
            let ok = g.b.ins().icmp_imm_u(IntCC::Equal, of, 0);
            return Ok(Some(ok));
        }
    }
    g.inst(inst)?;
    Ok(None)
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
                    None => g.def_block.get(&v).is_some_and(|db| !l.contains(*db)),
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
    plan_carried(g, &loops, &pre, &mut plan);
    // (described without the constants and globals, which cost nothing either way)
    if g.env.describe_plans {
        let mut heads: Vec<_> = plan.hoisted.iter().collect();
        heads.sort_by_key(|(h, _)| **h);
        for (h, (p, insts)) in heads {
            let shown: Vec<&(Block, usize)> = insts
                .iter()
                .filter(|(b, k)| !matches!(f.block(*b).insts[*k].op, Op::Const(_) | Op::Global(_) | Op::Import(_)))
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
        let mut heads: Vec<_> = plan.carried.iter().collect();
        heads.sort_by_key(|(h, _)| **h);
        for (h, cs) in heads {
            for c in cs {
                let (b, k) = c.store;
                plan.text.push_str(&format!(
                    "carried in a register (loop {h}): {b}[{k}] {}; loads {}\n",
                    crate::inst_text(f, b, k),
                    c.loads
                        .iter()
                        .map(|(b, k)| format!("{b}[{k}]"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    plan
}

/// Whether instruction `at` of a loop writes no memory and calls nothing
/// that could (see the module doc): scalar computations, reads of array
/// elements, ranges and lengths, constants, and the builtins `min`, `max`,
/// `abs` and math functions of scalars.
fn writes_nothing(g: &Gen<'_, '_>, at: (Block, usize), inst: &ir::Inst) -> bool {
    if g.env.pycalls.contains_key(&at) {
        return false;
    }
    let scalar = |v: &Value| {
        matches!(
            g.typed.ty(*v),
            Ty::Int | Ty::Float | Ty::Bool | Ty::Np(_) | Ty::Complex | Ty::NoneT
        )
    };
    match &inst.op {
        Op::Const(_) | Op::Global(_) | Op::Import(_) | Op::Tuple | Op::TupleGet(_) => true,
        Op::Len | Op::LenBound | Op::RangeLen | Op::RangeNext | Op::NdSize | Op::Is => true,
        Op::Attr(_) => matches!(g.typed.ty(inst.args[0]), Ty::Array(_) | Ty::Tuple(_)),
        Op::Bin { .. } | Op::Unary(_) | Op::Cmp(_) | Op::Truth => {
            inst.args.iter().all(scalar) && inst.result.as_ref().is_none_or(scalar)
        }
        // An element read (a view or a fancy index would be a call into NumPy).
        Op::GetItem => inst.result.as_ref().is_some_and(scalar),
        Op::Call { .. } => {
            matches!(
                g.typed.ty(inst.args[0]),
                Ty::Builtin(Builtin::Min | Builtin::Max | Builtin::Abs | Builtin::Math(_))
            ) && inst.args[1..].iter().all(scalar)
                && inst.result.as_ref().is_some_and(scalar)
        }
        _ => false,
    }
}

/// Finds the carried array elements of each loop with a preheader (see the
/// module doc).
fn plan_carried(g: &Gen<'_, '_>, loops: &[cfg::Loop], pre: &HashMap<Block, Block>, plan: &mut LicmPlan) {
    // (`nogil=True`: other Python threads run meanwhile and may write the element)
    if g.env.sem.nogil {
        return;
    }
    let f = g.f;
    let outside = |l: &cfg::Loop, v: Value| g.def_block.get(&v).is_some_and(|db| !l.contains(*db));
    for l in loops {
        if !pre.contains_key(&l.header) {
            continue;
        }
        let mut stores: Vec<(Block, usize)> = Vec::new();
        let mut ok = true;
        for &b in &l.blocks {
            for (k, inst) in f.block(b).insts.iter().enumerate() {
                if inst.op == Op::SetItem && !g.env.pycalls.contains_key(&(b, k)) {
                    stores.push((b, k));
                } else if !writes_nothing(g, (b, k), inst) {
                    ok = false;
                }
            }
        }
        // One element store, and nothing else that writes.
        let [st] = stores.as_slice() else { continue };
        if !ok {
            continue;
        }
        let sinst = &f.block(st.0).insts[st.1];
        let n = sinst.args.len();
        if n < 3 {
            continue;
        }
        let (arr, idx, val) = (sinst.args[0], &sinst.args[1..n - 1], sinst.args[n - 1]);
        let Ty::Array(at) = g.typed.ty(arr) else { continue };
        let elem = Ty::Np(at.dtype);
        // Float elements only: there each iteration's float add or multiply
        // (4 cycles) waits on the store forwarding, and a register measured
        // 24-40% faster (an i-j-k matmul 4.95 -> 3.70 ms, `y[i] += A[i, k] * x[k]`
        // 0.256 -> 0.154 ms); on npbench's nussinov (`t[i, j] = max(t[i, j], ...)`
        // over int32, short loops) it measured 9-16% slower.
        if !matches!(at.dtype, Dtype::Float64 | Dtype::Float32)
            || at.ndim as usize != idx.len()
            || *g.typed.ty(val) != elem
            || !idx.iter().all(|i| *g.typed.ty(*i) == Ty::Int)
            || !outside(l, arr)
            || !idx.iter().all(|i| outside(l, *i))
        {
            continue;
        }
        // The loads of the same element (same array and index values).
        let mut loads = Vec::new();
        for &b in &l.blocks {
            for (k, inst) in f.block(b).insts.iter().enumerate() {
                if inst.op == Op::GetItem
                    && inst.args.len() == n - 1
                    && inst.args[0] == arr
                    && inst.args[1..] == *idx
                    && inst.result.is_some_and(|r| *g.typed.ty(r) == elem)
                {
                    loads.push((b, k));
                }
            }
        }
        // (an enclosing loop, listed first, holds it already: across this one too)
        if loads.is_empty() || plan.carried_at.contains_key(st) {
            continue;
        }
        let list = plan.carried.entry(l.header).or_default();
        let id = (l.header, list.len());
        for at in loads.iter().chain(std::iter::once(st)) {
            plan.carried_at.insert(*at, id);
        }
        list.push(Carried { loads, store: *st });
    }
}

impl LicmPlan {
    /// A load or the store of a carried element (see the module doc).
    fn emit_carried(&self, g: &mut Gen<'_, '_>, at: (Block, usize), id: (Block, usize)) -> CResult<AtInst> {
        let Some((flag, slots)) = self.carry_vars.borrow().get(&id).cloned() else {
            return Ok(AtInst::Default); // (the loop was not entered through its preheader's jump)
        };
        let inst = &g.f.block(at.0).insts[at.1];
        if inst.op == Op::SetItem {
            // The store as written (its checks included), then the value it stored.
            g.inst(inst)?;
            let v = g.use_val(*inst.args.last().ok_or_else(|| internal("licm: store"))?)?;
            if v.len() != slots.len() {
                return Err(internal("licm: carried slots"));
            }
            for ((var, _), x) in slots.iter().zip(v.iter()) {
                g.b.def_var(*var, *x);
            }
            let one = g.b.ins().iconst(clt::I8, 1);
            g.b.def_var(flag, one);
            return Ok(AtInst::Emitted);
        }
        let r = inst.result.ok_or_else(|| internal("licm: carried load"))?;
        let held: Vec<BlockArg> = slots.iter().map(|(v, _)| BlockArg::Value(g.b.use_var(*v))).collect();
        let set = g.b.use_var(flag);
        let (slow, merge) = (g.b.create_block(), g.b.create_block());
        let tys: Vec<clir::Type> = abi::slot_types(g.typed.ty(r)).into_iter().map(cl_ty).collect();
        let params: Vec<CV> = tys.iter().map(|t| g.b.append_block_param(merge, *t)).collect();
        g.b.ins().brif(set, merge, &held, slow, &[]);
        g.b.switch_to_block(slow);
        // (an element address the load computes here does not dominate what follows)
        let known: HashSet<Vec<Value>> = g.addrs.keys().cloned().collect();
        g.inst(inst)?;
        g.addrs.retain(|k, _| known.contains(k));
        let loaded: Vec<BlockArg> = g.val(r)?.iter().map(|v| BlockArg::Value(*v)).collect();
        if loaded.len() != params.len() {
            return Err(internal("licm: carried load slots"));
        }
        g.b.ins().jump(merge, &loaded);
        g.b.switch_to_block(merge);
        g.vals.insert(r, params);
        Ok(AtInst::Emitted)
    }
}

impl Plan for LicmPlan {
    fn enter_loop(&self, g: &mut Gen<'_, '_>, header: Block, args: Vec<BlockArg>) -> CResult<Vec<BlockArg>> {
        if let Some(cs) = self.carried.get(&header) {
            // Entering the loop: no element is held yet (its first load reads memory).
            for (i, c) in cs.iter().enumerate() {
                let mut vars = self.carry_vars.borrow_mut();
                let (flag, slots) = vars.entry((header, i)).or_insert_with(|| {
                    let r = g.f.block(c.loads[0].0).insts[c.loads[0].1]
                        .result
                        .expect("a load's result");
                    let tys: Vec<clir::Type> = abi::slot_types(g.typed.ty(r)).into_iter().map(cl_ty).collect();
                    (
                        g.b.declare_var(clt::I8),
                        tys.into_iter().map(|t| (g.b.declare_var(t), t)).collect(),
                    )
                });
                let zero = g.b.ins().iconst(clt::I8, 0);
                g.b.def_var(*flag, zero);
                // (a value never read: the flag is clear)
                for (v, t) in slots.iter() {
                    let z = match *t {
                        clt::F64 => g.b.ins().f64const(0.0),
                        clt::F32 => g.b.ins().f32const(0.0),
                        t => g.b.ins().iconst(t, 0),
                    };
                    g.b.def_var(*v, z);
                }
            }
        }
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
            let Some(r) = inst.result else { continue };
            // Usable when its own computation is exact and its hoisted operands are.
            let mut flag: Option<(CV, bool)> = None;
            let mut and = |g: &mut Gen<'_, '_>, f2: (CV, bool)| {
                flag = Some(match flag {
                    Some((f, u)) => (g.b.ins().band(f, f2.0), u || f2.1),
                    None => f2,
                });
            };
            for a in &inst.args {
                let fa = self.flags.borrow().get(a).copied().flatten();
                if let Some(fa) = fa {
                    and(g, fa);
                }
            }
            if let Some(own) = emit_hoisted(g, (b, k), inst)? {
                and(g, (own, scalar_ufunc(g, inst).is_some()));
            }
            self.flags.borrow_mut().insert(r, flag);
            g.cur_inst = saved;
        }
        Ok(args)
    }

    fn inst(&self, g: &mut Gen<'_, '_>, at: (Block, usize)) -> CResult<AtInst> {
        if let Some(id) = self.carried_at.get(&at) {
            return self.emit_carried(g, at, *id);
        }
        if !self.skip.contains(&at) {
            return Ok(AtInst::Default);
        }
        // Computed in the preheader (when its jump was emitted, which precedes
        // the loop in emission order); otherwise emitted here as written.
        let inst = &g.f.block(at.0).insts[at.1];
        let Some(r) = inst.result else {
            return Ok(AtInst::Default);
        };
        let flag = self.flags.borrow().get(&r).copied();
        match flag {
            None => Ok(AtInst::Default),
            Some(None) => Ok(AtInst::Skip),
            Some(Some((ok, false))) => {
                // Only int overflows can clear the flag: this instruction, or an
                // operand's (whose own place, earlier, deoptimizes first), overflows
                // on every iteration. Leave where the loop as written leaves.
                // (Once per block: an instruction later in the block whose flag
                // an earlier one tested is reached only with the flag set.)
                let first = {
                    let mut t = self.tested.borrow_mut();
                    let e = t.entry(at.0).or_insert((usize::MAX, HashSet::new()));
                    if e.0 == usize::MAX || at.1 <= e.0 {
                        e.1.clear();
                    }
                    e.0 = at.1;
                    g.pred.is_some() || e.1.insert(ok)
                };
                if first {
                    let bad = g.b.ins().icmp_imm_u(IntCC::Equal, ok, 0);
                    g.deopt_if(bad);
                }
                Ok(AtInst::Skip)
            }
            Some(Some((ok, true))) => {
                // The hoisted value, or (its ufunc loop raised a flag NumPy warns
                // about, or an operand's did, or overflowed) the instruction as written.
                let hoisted = g.val(r)?;
                let tys: Vec<clir::Type> = abi::slot_types(g.typed.ty(r)).into_iter().map(cl_ty).collect();
                if tys.len() != hoisted.len() {
                    return Err(internal("licm: hoisted slots"));
                }
                let (slow, merge) = (g.b.create_block(), g.b.create_block());
                let params: Vec<CV> = tys.iter().map(|t| g.b.append_block_param(merge, *t)).collect();
                let hv: Vec<BlockArg> = hoisted.iter().map(|v| BlockArg::Value(*v)).collect();
                g.b.ins().brif(ok, merge, &hv, slow, &[]);
                g.b.switch_to_block(slow);
                g.b.set_cold_block(slow);
                g.inst(inst)?;
                let sv: Vec<BlockArg> = g.val(r)?.iter().map(|v| BlockArg::Value(*v)).collect();
                if sv.len() != params.len() {
                    return Err(internal("licm: slots"));
                }
                g.b.ins().jump(merge, &sv);
                g.b.switch_to_block(merge);
                g.vals.insert(r, params);
                Ok(AtInst::Emitted)
            }
        }
    }

    fn describe(&self) -> String {
        self.text.clone()
    }
}
