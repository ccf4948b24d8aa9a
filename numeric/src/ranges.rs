//! Index-range analysis: which array accesses in counted loops need no
//! per-iteration index checks.
//!
//! In `for i in range(start, stop, step)` with a constant `step > 0`, the
//! loop variable satisfies `start <= i < stop` in the loop body, and so
//! `i + c` satisfies `start + c <= i + c < stop + c`. An access `X[i + c]`
//! on an array `X` defined before the loop is in bounds on every iteration
//! when `start + c >= 0` and `stop + c <= X.shape[axis]`. Each condition is
//! either *proven* (a constant start; a stop that is `X.shape[axis]` itself,
//! through `n = X.shape[0]`, `n, m = X.shape`, `len(X)`, ...) or checked once
//! by a *guard* before the loop. A failing guard deoptimizes before the loop
//! starts, so the interpreter runs it with exact semantics (the IndexError,
//! or a negative index wrapping around, happens at the right iteration).
//!
//! An inner loop's guards move to the preheader of the loop around it when
//! that loop runs the inner preheader on every iteration and leaves only
//! through its header; a guard reading the outer variable is checked at its
//! largest value (see `hoist_guards`).
//!
//! The result is consumed by codegen: accesses in `unchecked` skip the
//! wraparound and bounds checks; `guards` are emitted before the terminator
//! of each loop's preheader block.

use pyston_compiler::codegen::facts::{ExitCheck, Guard, IndexFacts};
use pyston_compiler::dtype::Dtype;
use pyston_compiler::hir::{BinOp, CmpOp};
use pyston_compiler::infer::Typed;
use pyston_compiler::ir::cfg::{self, dominators};
use pyston_compiler::ir::{write, Block, Const, Edge, Function, Op, Term, Value};
use pyston_compiler::types::{Builtin, Module, ObjClass, Ty};
use std::collections::{HashMap, HashSet};

/// A check emitted once before a loop: `base + offset` (an int) compared
/// with dimension `axis` of `array`, or with zero.
/// A range loop's variable: `start <= v < stop` in the blocks `body` dominates.
#[derive(Clone, Copy, Debug)]
struct LoopVar {
    /// The variable itself (the loop header's parameter) and its header.
    var: Value,
    header: Block,
    start: Value,
    stop: Value,
    preheader: Block,
    body: Block,
}

/// `v = var_1 + ... + var_k + offset` for loop variables.
#[derive(Clone, Debug)]
struct Affine {
    vars: Vec<LoopVar>,
    offset: i64,
}

/// The int constants of `f` (`defs`: its definitions), by value.
fn int_consts(f: &Function, defs: &HashMap<Value, (Block, usize)>) -> HashMap<Value, i64> {
    defs.iter()
        .filter_map(|(v, (b, k))| match &f.block(*b).insts[*k].op {
            Op::Const(Const::Int(i)) => Some((*v, *i)),
            _ => None,
        })
        .collect()
}

pub fn analyze(f: &Function, typed: &Typed, wrapping: bool) -> IndexFacts {
    let mut facts = IndexFacts::default();
    let idom = dominators(f);
    let defs = f.definitions();
    let consts = int_consts(f, &defs);
    let vars = loop_vars(f, &consts);
    let dominates = |a: Block, b: Block| cfg::dominates(&idom, a, b);
    let preds = f.predecessors();
    // Whether block `b` runs on every iteration of the innermost range loop
    // around it: it dominates each of that loop's back edges.
    let unconditional = |b: Block| -> bool {
        let around: Vec<&LoopVar> = vars.values().filter(|lv| dominates(lv.body, b)).collect();
        let Some(lv) = around
            .iter()
            .find(|lv| around.iter().all(|o| dominates(o.body, lv.body)))
        else {
            return false;
        };
        let Some(header) = f
            .block(lv.preheader)
            .term
            .successors()
            .into_iter()
            .map(|e| e.block)
            .find(|h| matches!(&f.block(*h).term, Term::Br(_, body, _) if body.block == lv.body))
        else {
            return false;
        };
        preds[header.0 as usize]
            .iter()
            .filter(|p| dominates(lv.body, **p))
            .all(|p| dominates(b, *p))
    };
    let def_block = |v: Value| -> Option<Block> {
        defs.get(&v).map(|(b, _)| *b).or_else(|| {
            f.blocks
                .iter()
                .enumerate()
                .find(|(_, d)| d.params.contains(&v))
                .map(|(i, _)| Block(i as u32))
        })
    };
    // The affine form of an index value: a sum of loop variables plus a constant.
    fn affine(
        f: &Function,
        defs: &HashMap<Value, (Block, usize)>,
        consts: &HashMap<Value, i64>,
        vars: &HashMap<Value, LoopVar>,
        v: Value,
        depth: u32,
    ) -> Option<Affine> {
        if let Some(var) = vars.get(&v) {
            return Some(Affine {
                vars: vec![*var],
                offset: 0,
            });
        }
        if let Some(c) = consts.get(&v) {
            return Some(Affine {
                vars: vec![],
                offset: *c,
            });
        }
        if depth > 4 {
            return None;
        }
        let (b, k) = defs.get(&v)?;
        let inst = &f.block(*b).insts[*k];
        let Op::Bin { op, .. } = &inst.op else { return None };
        use pyston_compiler::hir::BinOp;
        let x = affine(f, defs, consts, vars, inst.args[0], depth + 1)?;
        let y = affine(f, defs, consts, vars, inst.args[1], depth + 1)?;
        match op {
            BinOp::Add => Some(Affine {
                vars: x.vars.into_iter().chain(y.vars).collect(),
                offset: x.offset.checked_add(y.offset)?,
            }),
            BinOp::Sub if y.vars.is_empty() => Some(Affine {
                vars: x.vars,
                offset: x.offset.checked_sub(y.offset)?,
            }),
            _ => None,
        }
    }
    let preds = f.predecessors();
    let params = param_defs(f);
    let ctx = BoundsCtx {
        f,
        typed,
        idom: &idom,
        preds: &preds,
        defs: &defs,
        params: &params,
        consts: &consts,
        vars: &vars,
        dominates: &dominates,
        wrapping,
    };
    for (bi, data) in f.blocks.iter().enumerate() {
        let b = Block(bi as u32);
        for (k, inst) in data.insts.iter().enumerate() {
            if let (Op::Bin { op, .. }, Some(r)) = (&inst.op, inst.result) {
                if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul)
                    && *typed.ty(r) == Ty::Int
                    && inst.args.iter().all(|a| *typed.ty(*a) == Ty::Int)
                    && ctx.bin_bounds(*op, inst.args[0], inst.args[1], b, 0).is_some()
                {
                    facts.no_overflow.insert((b, k));
                }
            }
        }
    }
    in_dtype_casts(f, &ctx, &mut facts);
    for (bi, data) in f.blocks.iter().enumerate() {
        let b = Block(bi as u32);
        for (k, inst) in data.insts.iter().enumerate() {
            let mut idx: Vec<Value> = match inst.op {
                Op::GetItem => inst.args[1..].to_vec(),
                Op::SetItem => inst.args[1..inst.args.len() - 1].to_vec(),
                _ => continue,
            };
            let arr = inst.args[0];
            if !matches!(typed.ty(arr), Ty::Array(_)) {
                continue;
            }
            // `x[t]` with `t = (i, j)` made by a tuple display: its items are the
            // axes' indexes (codegen flattens the tuple in the same order).
            if let [t] = idx[..] {
                if let Some(&(tb, tk)) = defs.get(&t) {
                    let d = &f.block(tb).insts[tk];
                    if matches!(d.op, Op::Tuple) && matches!(typed.ty(t), Ty::Tuple(_)) {
                        idx = d.args.clone();
                    }
                }
            }
            for (axis, &ix) in idx.iter().enumerate() {
                // An int index whose values lie in [0, c) into a 1-d array made here
                // by `np.zeros(c, ...)` (`h[img[i, j]] += 1` with uint8 pixels and
                // 256 bins): in bounds wherever it is made.
                let int_index = match typed.ty(ix) {
                    Ty::Int => true,
                    Ty::Np(d) => d.is_int() && *d != Dtype::Bool,
                    _ => false,
                };
                if let (true, Some(c)) = (int_index, made_len(f, typed, &defs, &consts, arr)) {
                    let (lo, hi) = ctx.bounds(ix, b, 0);
                    if type_range(typed.ty(ix)).is_some() && lo >= 0 && hi < c {
                        facts.unchecked.insert((b, k, axis));
                        continue;
                    }
                }
                if *typed.ty(ix) != Ty::Int {
                    continue;
                }
                // `X[(...) % n]` with n this axis's length: Python's modulo by n > 0 is
                // in [0, n), and n == 0 raised ZeroDivisionError before the access.
                if let Some((db, dk)) = defs.get(&ix) {
                    let m = &f.block(*db).insts[*dk];
                    if matches!(m.op, Op::Bin { op: BinOp::Mod, .. })
                        && dim_of(f, typed, &defs, &consts, m.args[1])
                            .is_some_and(|(x, d)| same_array(f, &defs, x, arr, d, axis))
                    {
                        facts.unchecked.insert((b, k, axis));
                        continue;
                    }
                }
                // `X[min(e, M)]` with e (so the index) proven >= 0 (`clamp`:
                // `min(max(0, i + o), M)`): in bounds when M < X.shape[axis],
                // proven (`M = n - 1` with n that length) or guarded once before
                // the innermost loop around the access (`M` another array's length,
                // or a value computed before that loop).
                if let Some(g) = clamp_guard(f, &ctx, &def_block, &unconditional, ix, arr, axis, b) {
                    if let Some((pre, g)) = g {
                        let list = facts.guards.entry(pre).or_default();
                        if !list.contains(&g) {
                            list.push(g);
                        }
                    }
                    facts.unchecked.insert((b, k, axis));
                    continue;
                }
                let Some(a) = affine(f, &defs, &consts, &vars, ix, 0) else {
                    continue;
                };
                if a.vars.is_empty() || !a.vars.iter().all(|lv| dominates(lv.body, b)) {
                    continue;
                }
                // Guards go before the innermost of the loops (the one whose body
                // the others' bodies dominate); everything they read, and the
                // array, must be computed before it.
                let Some(inner) = a
                    .vars
                    .iter()
                    .find(|lv| a.vars.iter().all(|o| dominates(o.body, lv.body)))
                    .copied()
                else {
                    continue;
                };
                let before =
                    |v: Value| def_block(v).is_some_and(|db| db != inner.body && dominates(db, inner.preheader));
                if !before(arr) || !a.vars.iter().all(|lv| before(lv.start) && before(lv.stop)) {
                    continue;
                }
                // Each variable satisfies start <= v <= stop - 1, so the index lies in
                // [sum(start) + offset, sum(stop - 1) + offset].
                let k_vars = a.vars.len() as i64;
                let mut needed = Vec::new();
                let mut sum_index = None;
                let const_starts: Option<i64> = a.vars.iter().map(|lv| consts.get(&lv.start).copied()).sum();
                match const_starts {
                    Some(s) if s + a.offset >= 0 => {}
                    Some(_) => continue, // may be negative: keep the per-access checks
                    None if a.vars.len() == 1 => needed.push(Guard::Lower {
                        base: a.vars[0].start,
                        offset: a.offset,
                    }),
                    None => continue,
                }
                // Upper: at most one stop may be symbolic; the others are constants.
                let sym: Vec<&LoopVar> = a.vars.iter().filter(|lv| !consts.contains_key(&lv.stop)).collect();
                let const_stops: i64 = a.vars.iter().filter_map(|lv| consts.get(&lv.stop)).sum();
                let slack = const_stops - (k_vars - 1) + a.offset; // index <= sym_stop - 1 + slack
                match sym.as_slice() {
                    [] => {
                        // All constant: index <= slack - 1, i.e. in bounds when slack <= dim.
                        let c0 = consts[&a.vars[0].stop];
                        needed.push(Guard::Upper {
                            base: a.vars[0].stop,
                            more: vec![],
                            offset: slack - c0,
                            array: arr,
                            axis,
                        });
                    }
                    [lv] => {
                        let (stop_base, stop_off) = split_offset(f, &defs, &consts, lv.stop);
                        let proven = stop_off + slack <= 0
                            && dim_of(f, typed, &defs, &consts, stop_base)
                                .is_some_and(|(x, d)| same_array(f, &defs, x, arr, d, axis));
                        if !proven {
                            needed.push(Guard::Upper {
                                base: lv.stop,
                                more: vec![],
                                offset: slack,
                                array: arr,
                                axis,
                            });
                        }
                    }
                    _ => {
                        // Several symbolic stops (`a[i + k]` for `k < w` in a loop over
                        // `i`): before the inner loop, with the outer variables at their
                        // current values, `i + (w - 1) + offset <= a.shape[0] - 1`.
                        let (inner_vars, outer): (Vec<&LoopVar>, Vec<&LoopVar>) =
                            a.vars.iter().partition(|lv| lv.body == inner.body);
                        let ints = outer
                            .iter()
                            .map(|lv| lv.var)
                            .chain([inner.stop])
                            .all(|v| *typed.ty(v) == Ty::Int);
                        if inner_vars.len() != 1 || !ints || !outer.iter().all(|lv| before(lv.var)) {
                            continue;
                        }
                        let mut more: Vec<Value> = outer.iter().map(|lv| lv.var).collect();
                        more.sort();
                        needed.push(Guard::Upper {
                            base: inner.stop,
                            more,
                            offset: a.offset,
                            array: arr,
                            axis,
                        });
                        // The index itself, `i + k` (one addition of two loop variables),
                        // then lies in [0, a.shape[0]) on every iteration: it cannot overflow.
                        if let Some(&(db, dk)) = defs.get(&ix) {
                            let d = &f.block(db).insts[dk];
                            if matches!(d.op, Op::Bin { op: BinOp::Add, .. })
                                && a.offset == 0
                                && dominates(inner.body, db)
                                && d.args.iter().all(|x| vars.contains_key(x) && *typed.ty(*x) == Ty::Int)
                            {
                                sum_index = Some((db, dk));
                            }
                        }
                    }
                }
                // A guard stands for the access on every iteration: an access that
                // some iterations skip (`if 0 < i + 1 < n: x[i + 1]`) would fail it
                // when only the skipped iterations are out of range, and the loop would
                // go to the interpreter on every call. Those keep their own checks.
                if !needed.is_empty() && !unconditional(b) {
                    continue;
                }
                if let Some(at) = sum_index {
                    facts.no_overflow.insert(at);
                }
                let list = facts.guards.entry(inner.preheader).or_default();
                for g in needed {
                    if !list.contains(&g) {
                        list.push(g);
                    }
                }
                facts.unchecked.insert((b, k, axis));
            }
        }
    }
    let sum_values = sums(f, &ctx, &mut facts);
    abs_args(f, &ctx, &sum_values, &mut facts);
    counter_arrays(f, &ctx, &mut facts);
    c64_exit_checks(f, &ctx, &mut facts);
    hoist_guards(f, &ctx, &unconditional, &def_block, &mut facts);
    facts
}

/// For an index `ix = min(e, M)` (the builtin, two int arguments) into
/// dimension `axis` of `arr` at block `b`, proven non-negative there: how it
/// is proven in bounds. `Some(None)`: always (`M = n - 1`, `n` that
/// dimension); `Some(Some((preheader, guard)))`: by a guard before the
/// innermost range loop around `b` (`M` another array's dimension, or an int
/// computed before that loop); `None`: not proven (the access keeps its checks).
#[allow(clippy::too_many_arguments)]
#[allow(clippy::type_complexity)]
fn clamp_guard(
    f: &Function,
    ctx: &BoundsCtx<'_>,
    def_block: &dyn Fn(Value) -> Option<Block>,
    unconditional: &dyn Fn(Block) -> bool,
    ix: Value,
    arr: Value,
    axis: usize,
    b: Block,
) -> Option<Option<(Block, Guard)>> {
    let &(db, dk) = ctx.defs.get(&ix)?;
    let m = &f.block(db).insts[dk];
    let is_min = matches!(&m.op, Op::Call { kw } if kw.is_empty())
        && m.args.len() == 3
        && *ctx.typed.ty(m.args[0]) == Ty::Builtin(Builtin::Min)
        && m.args[1..].iter().all(|a| *ctx.typed.ty(*a) == Ty::Int);
    if !is_min || ctx.bounds(ix, b, 0).0 < 0 {
        return None;
    }
    // (proven: `min(e, n - 1)` or `min(e, n - c)` with n the dimension itself)
    for &cap in &m.args[1..] {
        let (base, off) = split_offset(f, ctx.defs, ctx.consts, cap);
        if off < 0
            && dim_of(f, ctx.typed, ctx.defs, ctx.consts, base)
                .is_some_and(|(x, d)| same_array(f, ctx.defs, x, arr, d, axis))
        {
            return Some(None);
        }
    }
    // The innermost range loop around the access, which it runs on every iteration.
    let around: Vec<&LoopVar> = ctx.vars.values().filter(|lv| (ctx.dominates)(lv.body, b)).collect();
    let inner = around
        .iter()
        .find(|lv| around.iter().all(|o| (ctx.dominates)(o.body, lv.body)))?;
    if !unconditional(b) {
        return None;
    }
    let before = |v: Value| {
        def_block(v)
            .is_some_and(|d| d != inner.body && (ctx.dominates)(d, inner.preheader) && !(ctx.dominates)(inner.body, d))
    };
    if !before(arr) {
        return None;
    }
    for &cap in &m.args[1..] {
        let (base, off) = split_offset(f, ctx.defs, ctx.consts, cap);
        if let Some((x, d)) = dim_of(f, ctx.typed, ctx.defs, ctx.consts, base) {
            if before(x) {
                return Some(Some((
                    inner.preheader,
                    Guard::UpperDim {
                        src: x,
                        src_axis: d,
                        offset: off.checked_add(1)?,
                        array: arr,
                        axis,
                    },
                )));
            }
        }
        if before(cap) {
            return Some(Some((
                inner.preheader,
                Guard::Upper {
                    base: cap,
                    more: vec![],
                    offset: 1,
                    array: arr,
                    axis,
                },
            )));
        }
    }
    None
}

/// Conversions `np.<int dtype>(x)` (a NumPy int type read from a module, or a
/// dtype object called) of a Python int or bool `x` whose bounds, where the
/// conversion runs, lie inside the dtype's range: `facts.in_dtype`. Such a
/// conversion is the value itself, narrowed (NumPy raises OverflowError only
/// outside the range), so codegen leaves out its range check and the deopt
/// behind it. The bounds are `BoundsCtx::bounds`' conservative ones: every
/// value `x` takes there lies inside them (`(int(h) * 16777619) & 0xFFFFFFFF`
/// is in [0, 0xFFFFFFFF] whatever `h`: `x & c` with a constant `c >= 0` is in
/// [0, c] in two's complement, as for Python's unbounded ints). uint64 (no
/// i64 range) is left alone; int64 has no check to drop.
fn in_dtype_casts(f: &Function, ctx: &BoundsCtx<'_>, facts: &mut IndexFacts) {
    for (bi, data) in f.blocks.iter().enumerate() {
        let b = Block(bi as u32);
        for (k, inst) in data.insts.iter().enumerate() {
            let Some(r) = inst.result else { continue };
            let Ty::Np(d) = ctx.typed.ty(r) else { continue };
            if !d.is_int() || d.itemsize() == 8 {
                continue;
            }
            let kw_free = match &inst.op {
                Op::MethodCall { kw, .. } => kw.is_empty() && matches!(ctx.typed.ty(inst.args[0]), Ty::Module(_)),
                Op::Call { kw } => kw.is_empty() && matches!(ctx.typed.ty(inst.args[0]), Ty::DtypeObj(_)),
                _ => false,
            };
            if !kw_free || inst.args.len() != 2 || !matches!(ctx.typed.ty(inst.args[1]), Ty::Int | Ty::Bool) {
                continue;
            }
            let (lo, hi) = d.int_range();
            let (xlo, xhi) = ctx.bounds(inst.args[1], b, 0);
            if lo <= xlo as i128 && xhi as i128 <= hi {
                facts.in_dtype.insert((b, k));
            }
        }
    }
}

/// Complex64 loops whose non-finite checks wait until the loop exits.
///
/// In strict mode every complex64 `+ - *` result is tested for a non-finite
/// component (NumPy may warn there; the interpreter then redoes the operation,
/// warnings and all). In a `for` range loop of this shape the tests move to one
/// test on leaving the loop (`facts.c64_deferred`, `facts.exit_checks`):
///
/// * the body is straight-line and nothing in it can leave compiled code or be
///   seen outside the loop: constants, the loop's own step, int `+ - *` proven
///   not to overflow, element loads proven in bounds (`unchecked`, every axis),
///   and complex64 `+ - *` of complex64 operands. So it stores nothing, calls
///   nothing and cannot deoptimize; the header only compares ints; the loop is
///   left only through its header, to an exit block reached from nowhere else;
/// * every complex64 result is used at least once, and only by complex64
///   `+ - *` of the body or as the next value of a carried complex64 `p` (a
///   header parameter); and each such `p`'s next value is computed from `p`
///   itself through complex64 `+ - *`.
///
/// A non-finite component of an operand of `+ - *` makes the result
/// non-finite (with NumPy's formulas, `codegen::half::c64_check_covered`:
/// inf * 0 is NaN, inf - inf is NaN, NaN spreads). So a result whose test
/// would have fired makes, through its uses, a carried `p` non-finite, then
/// every later value of `p`, up to the value the loop exits with. Conversely
/// the exit test reads a value some test would have tested. Hence: the exit
/// test fires exactly when some test in the loop would have fired. It then
/// deoptimizes to the end of the preheader (the loop's start: its entry values
/// all dominate the exit), and the interpreter runs the whole loop again, which
/// has no side effects to repeat, warning where NumPy warns. When it holds,
/// every result was finite and no test would have fired: the same values, no
/// warnings. (A Ctrl-C test on the back edge deoptimizes to the loop's start
/// too: the signal is then handled after a moment of the loop's run that CPython
/// could have reached.)
fn c64_exit_checks(f: &Function, ctx: &BoundsCtx<'_>, facts: &mut IndexFacts) {
    use std::collections::HashSet;
    // Each value's uses: (block, Some(instruction)) or (block, None) for its terminator.
    let mut uses: HashMap<Value, Vec<(Block, Option<usize>)>> = HashMap::new();
    for (bi, d) in f.blocks.iter().enumerate() {
        let b = Block(bi as u32);
        for (k, i) in d.insts.iter().enumerate() {
            for a in &i.args {
                uses.entry(*a).or_default().push((b, Some(k)));
            }
        }
        for a in d.term.uses() {
            uses.entry(a).or_default().push((b, None));
        }
    }
    let ty = |v: Value| ctx.typed.ty(v);
    let c64 = |v: Value| *ty(v) == Ty::Np(Dtype::Complex64);
    let int = |v: Value| matches!(ty(v), Ty::Int | Ty::Bool);
    let mut vars: Vec<&LoopVar> = ctx.vars.values().collect();
    vars.sort_by_key(|lv| lv.header);
    'loops: for lv in vars {
        let h = f.block(lv.header);
        let Term::Br(_, body_e, exit_e) = &h.term else { continue };
        let exit = exit_e.block;
        let preds = |b: Block| ctx.preds[b.0 as usize].as_slice();
        if body_e.block != lv.body
            || !body_e.args.is_empty()
            || !exit_e.args.is_empty()
            || preds(exit) != [lv.header]
            || preds(lv.body) != [lv.header]
            || preds(lv.header).len() != 2
            || !h
                .insts
                .iter()
                .all(|i| matches!(i.op, Op::Cmp(_) | Op::Truth) && i.args.iter().all(|a| int(*a)))
        {
            continue;
        }
        let Term::Jump(pe) = &f.block(lv.preheader).term else {
            continue;
        };
        if pe.block != lv.header {
            continue;
        }
        // The body: a chain of blocks from `body` to the latch.
        let mut blocks = Vec::new();
        let mut b = lv.body;
        let latch_args = loop {
            if blocks.len() >= 16 || blocks.contains(&b) {
                continue 'loops;
            }
            blocks.push(b);
            let Term::Jump(e) = &f.block(b).term else {
                continue 'loops;
            };
            if e.block == lv.header {
                break e.args.clone();
            }
            if !e.args.is_empty() || preds(e.block) != [b] {
                continue 'loops;
            }
            b = e.block;
        };
        let latch = *blocks.last().unwrap();
        let mut arith: HashMap<Value, (Block, usize)> = HashMap::new();
        for &b in &blocks {
            for (k, i) in f.block(b).insts.iter().enumerate() {
                let arith_op = matches!(
                    i.op,
                    Op::Bin {
                        op: BinOp::Add | BinOp::Sub | BinOp::Mul,
                        ..
                    }
                ) && i.args.len() == 2;
                let ok = match &i.op {
                    Op::Const(_) => true,
                    Op::RangeNext => i.args.first() == Some(&lv.var),
                    _ if arith_op && i.result.is_some_and(|r| *ty(r) == Ty::Int) => {
                        i.args.iter().all(|a| int(*a)) && facts.no_overflow.contains(&(b, k))
                    }
                    _ if arith_op && i.result.is_some_and(c64) && i.args.iter().all(|a| c64(*a)) => {
                        arith.insert(i.result.unwrap(), (b, k));
                        true
                    }
                    Op::GetItem => match (ty(i.args[0]), i.result.map(ty)) {
                        (Ty::Array(a), Some(Ty::Np(d))) => {
                            !matches!(d, Dtype::Record(_))
                                && i.args.len() == 1 + a.ndim as usize
                                && i.args[1..].iter().all(|x| int(*x))
                                && (0..a.ndim as usize).all(|axis| facts.unchecked.contains(&(b, k, axis)))
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if !ok {
                    continue 'loops;
                }
            }
        }
        if arith.is_empty() {
            continue;
        }
        // The carried complex64 values, each computed from itself.
        let mut params = Vec::new();
        for (j, &p) in h.params.iter().enumerate() {
            if !c64(p) {
                continue;
            }
            let mut stack = vec![latch_args[j]];
            let mut seen = HashSet::new();
            let mut found = false;
            while let Some(v) = stack.pop() {
                if v == p {
                    found = true;
                    break;
                }
                if let Some(&(b, k)) = arith.get(&v) {
                    if seen.insert(v) {
                        stack.extend(f.block(b).insts[k].args.iter().copied());
                    }
                }
            }
            if !found || !arith.contains_key(&latch_args[j]) {
                continue 'loops;
            }
            params.push(p);
        }
        // Every result used, only by the body's complex64 arithmetic or as a
        // carried complex64 value's next value.
        for r in arith.keys() {
            let us = uses.get(r).map(Vec::as_slice).unwrap_or(&[]);
            let fine = |&(b, k): &(Block, Option<usize>)| match k {
                Some(k) => f.block(b).insts[k].result.is_some_and(|x| arith.contains_key(&x)),
                None => b == latch && latch_args.iter().zip(&h.params).all(|(a, p)| a != r || c64(*p)),
            };
            if us.is_empty() || !us.iter().all(fine) {
                continue 'loops;
            }
        }
        facts.c64_deferred.extend(arith.values().copied());
        facts.exit_checks.insert(
            exit,
            ExitCheck {
                header: lv.header,
                preheader: lv.preheader,
                params,
            },
        );
    }
}

/// Moves the guards of an inner loop to the preheader of the loop around it,
/// where the inner loop's preheader runs on every iteration of the outer one
/// and the outer loop leaves only through its header (no `break` or `return`):
/// then the inner guards are checked on every outer iteration, for every value
/// of the outer variable `i` in `[start, stop)`. A guard that reads `i` once
/// in the sum of `Upper` (`w + i <= a.shape[0]`, the window of `a[i + k]`) is
/// monotone in `i`, so checking it at `i = stop - 1` checks it for all of
/// them; the other guards read only values computed before the outer loop.
/// The hoisted guard fails exactly when some iteration's would (or when the
/// outer loop runs no iteration and `stop - 1` is out of range): it then
/// deoptimizes before the outer loop, and the interpreter runs the loops with
/// exact semantics (the IndexError at its iteration), as any failing guard.
/// Repeated outward while it applies.
fn hoist_guards(
    f: &Function,
    ctx: &BoundsCtx<'_>,
    unconditional: &dyn Fn(Block) -> bool,
    def_block: &dyn Fn(Value) -> Option<Block>,
    facts: &mut IndexFacts,
) {
    for _ in 0..4 {
        let mut moved = false;
        let mut pres: Vec<Block> = facts.guards.keys().copied().collect();
        pres.sort();
        for pre in pres {
            // The innermost range loop whose body holds `pre` (the outer loop).
            let around: Vec<&LoopVar> = ctx.vars.values().filter(|lv| (ctx.dominates)(lv.body, pre)).collect();
            let Some(outer) = around
                .iter()
                .find(|lv| around.iter().all(|o| (ctx.dominates)(o.body, lv.body)))
                .copied()
                .copied()
            else {
                continue;
            };
            if !unconditional(pre) || !closed_loop(f, ctx, &outer) {
                continue;
            }
            let before = |v: Value| {
                def_block(v).is_some_and(|db| {
                    db != outer.header && !(ctx.dominates)(outer.body, db) && (ctx.dominates)(db, outer.preheader)
                })
            };
            if !before(outer.stop) || *ctx.typed.ty(outer.stop) != Ty::Int {
                continue;
            }
            let mut keep = Vec::new();
            let mut hoisted = Vec::new();
            for g in facts.guards[&pre].clone() {
                let h = match &g {
                    Guard::Upper {
                        base,
                        more,
                        offset,
                        array,
                        axis,
                    } => {
                        let uses_i = more.iter().filter(|v| **v == outer.var).count();
                        let rest_before = more.iter().all(|v| *v == outer.var || before(*v));
                        match (uses_i, offset.checked_sub(1)) {
                            (0, _) if before(*base) && rest_before && before(*array) => Some(g.clone()),
                            (1, Some(off)) if before(*base) && rest_before && before(*array) => {
                                let mut more: Vec<Value> = more
                                    .iter()
                                    .map(|v| if *v == outer.var { outer.stop } else { *v })
                                    .collect();
                                more.sort();
                                Some(Guard::Upper {
                                    base: *base,
                                    more,
                                    offset: off,
                                    array: *array,
                                    axis: *axis,
                                })
                            }
                            _ => None,
                        }
                    }
                    Guard::Lower { base, .. } | Guard::AtMost { base, .. } => before(*base).then(|| g.clone()),
                    Guard::UpperDim { src, array, .. } => (before(*src) && before(*array)).then(|| g.clone()),
                };
                match h {
                    Some(h) => hoisted.push(h),
                    None => keep.push(g),
                }
            }
            if hoisted.is_empty() {
                continue;
            }
            moved = true;
            if keep.is_empty() {
                facts.guards.remove(&pre);
            } else {
                facts.guards.insert(pre, keep);
            }
            let list = facts.guards.entry(outer.preheader).or_default();
            for h in hoisted {
                if !list.contains(&h) {
                    list.push(h);
                }
            }
        }
        if !moved {
            break;
        }
    }
}

/// Whether a range loop's blocks leave only through its header.
fn closed_loop(f: &Function, ctx: &BoundsCtx<'_>, lv: &LoopVar) -> bool {
    let in_loop = |b: Block| (ctx.dominates)(lv.body, b);
    f.blocks.iter().enumerate().all(|(bi, d)| {
        !in_loop(Block(bi as u32))
            || (matches!(d.term, Term::Jump(_) | Term::Br(..))
                && d.term
                    .successors()
                    .iter()
                    .all(|e| in_loop(e.block) || e.block == lv.header))
    })
}

/// Largest magnitude of a carried sum's start value, and of the sum itself
/// after any number of steps the guard allows (so `s + t` cannot overflow).
const SUM_START: i64 = 1 << 61;

/// Sums carried by a range loop, `s = s + t` (or `s += t`, or conditional
/// ones: merges of `s` and adds `s + t`, each path adding at most once) with `t` bounded
/// (`int(a[i])` of an int16 array: |t| <= 2**15): after at most
/// `stop - start` steps, |s| <= |s0| + (stop - start) * max|t|, which fits in
/// 64 bits when the trip count is at most `2**61 / max|t|`. Where the stop's
/// bounds do not show that, a guard before the loop checks it (deoptimizing
/// when it fails, so the interpreter runs such a loop). Only loops whose
/// blocks leave through the header (no `break` or `return` that could make a
/// huge `range` short) get such a guard.
fn sums(f: &Function, ctx: &BoundsCtx<'_>, facts: &mut IndexFacts) -> HashSet<Value> {
    let mut bounded = HashSet::new();
    let mut loops: Vec<&LoopVar> = ctx.vars.values().collect();
    loops.sort_by_key(|lv| lv.header);
    for lv in loops {
        let Some(&s0) = ctx.consts.get(&lv.start) else { continue };
        let in_loop = |b: Block| (ctx.dominates)(lv.body, b);
        let closed = f.blocks.iter().enumerate().all(|(bi, d)| {
            !in_loop(Block(bi as u32))
                || (matches!(d.term, Term::Jump(_) | Term::Br(..))
                    && d.term
                        .successors()
                        .iter()
                        .all(|e| in_loop(e.block) || e.block == lv.header))
        });
        let latches: Vec<Block> = ctx.preds[lv.header.0 as usize]
            .iter()
            .copied()
            .filter(|p| in_loop(*p))
            .collect();
        let entries: Vec<Block> = ctx.preds[lv.header.0 as usize]
            .iter()
            .copied()
            .filter(|p| !in_loop(*p))
            .collect();
        let ([latch], [entry]) = (latches.as_slice(), entries.as_slice()) else {
            continue;
        };
        // The stop is computed once, before the loop (a loop counter's bound may be
        // recomputed in its header: `len(lst)` of a list that grows).
        let stop_before = ctx
            .defs
            .get(&lv.stop)
            .map(|(b, _)| *b)
            .or_else(|| ctx.params.get(&lv.stop).map(|(b, _)| *b))
            .is_some_and(|db| db != lv.header && !in_loop(db) && (ctx.dominates)(db, *entry));
        if !stop_before || *ctx.typed.ty(lv.stop) != Ty::Int {
            continue;
        }
        let edge_arg = |from: Block, pi: usize| {
            f.block(from)
                .term
                .successors()
                .into_iter()
                .find(|e| e.block == lv.header)
                .map(|e| e.args[pi])
        };
        for (pi, &p) in f.block(lv.header).params.iter().enumerate() {
            if p == lv.var || *ctx.typed.ty(p) != Ty::Int {
                continue;
            }
            let (Some(next), Some(init)) = (edge_arg(*latch, pi), edge_arg(*entry, pi)) else {
                continue;
            };
            // `next` is `s + t`, or a merge of `s` and such adds (a conditional sum or
            // counter: `if c: n += 1`), every path of an iteration adding at most once.
            let mut adds = Vec::new();
            if !cond_adds(f, ctx, p, next, &in_loop, 0, &mut adds) || adds.is_empty() {
                continue;
            }
            let mut m: u64 = 1;
            for &(ab, ak) in &adds {
                let add = &f.block(ab).insts[ak];
                let t = if add.args[0] == p { add.args[1] } else { add.args[0] };
                if *ctx.typed.ty(t) != Ty::Int {
                    m = u64::MAX;
                    break;
                }
                let (tl, th) = ctx.bounds(t, ab, 0);
                m = m.max(tl.unsigned_abs()).max(th.unsigned_abs());
            }
            let (el, eh) = ctx.bounds(init, *entry, 0);
            if m > 1 << 32 || el < -SUM_START || eh > SUM_START {
                continue;
            }
            let limit = s0.saturating_add(SUM_START / m as i64);
            if ctx.bounds(lv.stop, *entry, 0).1 > limit {
                if !closed {
                    continue;
                }
                let list = facts.guards.entry(lv.preheader).or_default();
                let g = Guard::AtMost { base: lv.stop, limit };
                if !list.contains(&g) {
                    list.push(g);
                }
            }
            // The running sum and each add's result then lie in [-2**62, 2**62]
            // (a start within SUM_START, at most SUM_START / m terms of size <= m).
            bounded.insert(p);
            bounded.extend(adds.iter().filter_map(|&(ab, ak)| f.block(ab).insts[ak].result));
            facts.no_overflow.extend(adds);
        }
    }
    bounded
}

/// `abs(x)` of a Python int `x` that cannot be `-2**63` (bounds above it, or a
/// proven sum of `sums`, within `[-2**62, 2**62]`): its result fits in 64 bits,
/// so codegen leaves out the check for that one value (`facts.no_overflow` on
/// the call).
fn abs_args(f: &Function, ctx: &BoundsCtx<'_>, sum_values: &HashSet<Value>, facts: &mut IndexFacts) {
    for (bi, data) in f.blocks.iter().enumerate() {
        let b = Block(bi as u32);
        for (k, inst) in data.insts.iter().enumerate() {
            let is_abs = matches!(&inst.op, Op::Call { kw } if kw.is_empty())
                && inst.args.len() == 2
                && *ctx.typed.ty(inst.args[0]) == Ty::Builtin(Builtin::Abs)
                && *ctx.typed.ty(inst.args[1]) == Ty::Int;
            if is_abs && (sum_values.contains(&inst.args[1]) || ctx.bounds(inst.args[1], b, 0).0 > i64::MIN) {
                facts.no_overflow.insert((b, k));
            }
        }
    }
}

/// Counter arrays: `H[idx] += c` (or `H[idx] = H[idx] + c`) on an int64 or
/// uint64 array `H` made here by `np.zeros` / `np.zeros_like`, inside counted
/// loops over the axes of one array `X` (`h[img[i, j]] += 1`): the adds cannot
/// overflow, so they need no check (`facts.no_overflow`).
///
/// Exactness. `H` is used only by element reads (`H[idx]` giving a scalar),
/// element stores whose value is one of the *counting adds* `H[idx'] + c`
/// (`H[idx']` one of those reads, `c` an int constant >= 0), `return H` (or
/// a tuple holding it that is only returned) and the attributes
/// `shape`/`size`/`ndim`/`len(H)`: nothing else can see or
/// change its memory (no view, no call, no block argument, no alias). Let `W`
/// be the sum of `c` over the counting adds executed so far in this call. By
/// induction every element of every array `H` evaluates to is at most `W`:
/// a fresh `H` holds zeros (<= W); a store writes `r + c` where `r` was read
/// from `H` earlier (so `r <= W` then, and `W` grows by `c` at that add).
/// So each add's result is at most the final `W`, and `W <= sum(c * n)`, `n`
/// an add's number of executions. Each add's block must lie in no CFG cycle
/// once the back edges of the range loops around it are taken out, so `n` is
/// at most the product of those loops' trip counts; each loop starts at a
/// constant >= 0, steps by a constant > 0 and stops at `X.shape[k] + off`
/// (`off <= 0`, the stop computed before the loop), for distinct axes `k` of
/// one array value `X` defined before the outermost of them: the product is
/// at most `X.size`, and NumPy guarantees `X.size * X.itemsize < 2**63`. The
/// adds are proven when `sum(c * floor((2**63 - 1) / X.itemsize)) < 2**63`
/// (one `+= 1` site over a uint8 image: `W <= 2**63 - 1`, int64's maximum).
/// Under Python ints (not NumPy scalars) or wrapping arithmetic nothing is done.
fn counter_arrays(f: &Function, ctx: &BoundsCtx<'_>, facts: &mut IndexFacts) {
    if ctx.wrapping {
        return; // (no checks to drop)
    }
    // Uses of each value: (block, instruction index) for instructions, None for a
    // terminator's use (a block argument, a return, ...) with the terminator's block.
    let mut uses: HashMap<Value, Vec<(Block, Option<usize>)>> = HashMap::new();
    for (bi, d) in f.blocks.iter().enumerate() {
        let b = Block(bi as u32);
        for (k, i) in d.insts.iter().enumerate() {
            for a in &i.args {
                uses.entry(*a).or_default().push((b, Some(k)));
            }
        }
        for a in d.term.uses() {
            uses.entry(a).or_default().push((b, None));
        }
    }
    let inst_at = |b: Block, k: usize| &f.block(b).insts[k];
    let is_np = |v: Value| matches!(ctx.typed.ty(v), Ty::Module(Module::Numpy));
    for (&h, &(hb, hk)) in ctx.defs.iter() {
        let Ty::Array(at) = ctx.typed.ty(h) else { continue };
        if !matches!(at.dtype, Dtype::Int64 | Dtype::UInt64) {
            continue;
        }
        let made = inst_at(hb, hk);
        let zeros = matches!(&made.op, Op::MethodCall { name, .. } if name == "zeros" || name == "zeros_like")
            && made.args.first().is_some_and(|m| is_np(*m));
        if !zeros {
            continue;
        }
        // Every use of `h`, classified; the counting adds found on the way.
        let mut adds: Vec<(Block, usize, i64)> = Vec::new();
        let ok = uses.get(&h).map_or(&[][..], |u| u.as_slice()).iter().all(|&(b, k)| {
            let Some(k) = k else {
                return matches!(f.block(b).term, Term::Ret(r) if r == h);
            };
            let i = inst_at(b, k);
            match &i.op {
                Op::Attr(n) => i.args[0] == h && matches!(n.as_str(), "shape" | "size" | "ndim"),
                // `return h, edges`: a tuple whose only use is the return.
                Op::Tuple => i.result.is_some_and(|t| {
                    uses.get(&t).is_some_and(|u| {
                        u.iter()
                            .all(|&(tb, tk)| tk.is_none() && matches!(f.block(tb).term, Term::Ret(r) if r == t))
                    })
                }),
                Op::Len => i.args[0] == h,
                Op::GetItem => {
                    i.args[0] == h
                        && !i.args[1..].contains(&h)
                        && i.result
                            .is_some_and(|r| matches!(ctx.typed.ty(r), Ty::Np(d) if *d == at.dtype))
                }
                Op::SetItem => {
                    let (val, idx) = (*i.args.last().unwrap(), &i.args[..i.args.len() - 1]);
                    if idx[0] != h || idx[1..].contains(&h) || val == h {
                        return false;
                    }
                    // The value: `r + c` (either order), `r` an element of `h`, `c >= 0`.
                    let Some(&(ab, ak)) = ctx.defs.get(&val) else {
                        return false;
                    };
                    let add = inst_at(ab, ak);
                    if !matches!(add.op, Op::Bin { op: BinOp::Add, .. })
                        || !matches!(ctx.typed.ty(val), Ty::Np(d) if *d == at.dtype)
                    {
                        return false;
                    }
                    let read_of_h = |v: Value| {
                        ctx.defs
                            .get(&v)
                            .is_some_and(|&(rb, rk)| inst_at(rb, rk).op == Op::GetItem && inst_at(rb, rk).args[0] == h)
                    };
                    let c = match (ctx.consts.get(&add.args[0]), ctx.consts.get(&add.args[1])) {
                        (None, Some(c)) if read_of_h(add.args[0]) => *c,
                        (Some(c), None) if read_of_h(add.args[1]) => *c,
                        _ => return false,
                    };
                    if c < 0 {
                        return false;
                    }
                    if !adds.iter().any(|a| (a.0, a.1) == (ab, ak)) {
                        adds.push((ab, ak, c));
                    }
                    true
                }
                _ => false,
            }
        });
        if !ok || adds.is_empty() {
            continue;
        }
        let mut total: u128 = 0;
        let proven = adds.iter().all(|&(ab, _, c)| match trips_bound(f, ctx, ab) {
            Some(itemsize) => {
                total += c as u128 * (i64::MAX as u128 / itemsize as u128);
                true
            }
            None => false,
        });
        if proven && total <= i64::MAX as u128 {
            facts.no_overflow.extend(adds.iter().map(|&(ab, ak, _)| (ab, ak)));
        }
    }
}

/// For block `b` inside counted loops over distinct axes of one array `X`
/// (see `counter_arrays`): `X`'s itemsize, when `b` runs at most `X.size`
/// times per call. None otherwise (also for `b` in no loop).
fn trips_bound(f: &Function, ctx: &BoundsCtx<'_>, b: Block) -> Option<i64> {
    let around: Vec<&LoopVar> = ctx.vars.values().filter(|lv| (ctx.dominates)(lv.body, b)).collect();
    if around.is_empty() {
        return None;
    }
    let in_loop = |lv: &LoopVar, x: Block| (ctx.dominates)(lv.body, x);
    let mut x_arr: Option<Value> = None;
    let mut axes: Vec<usize> = Vec::new();
    for lv in &around {
        // Start a constant >= 0, entered from its preheader only, every back edge
        // stepping the variable by a constant > 0 (`range_next`).
        if ctx.consts.get(&lv.start).is_none_or(|s| *s < 0) {
            return None;
        }
        for &p in &ctx.preds[lv.header.0 as usize] {
            let edge_args: Vec<Value> = f
                .block(p)
                .term
                .successors()
                .into_iter()
                .filter(|e| e.block == lv.header)
                .map(|e| e.args[f.block(lv.header).params.iter().position(|q| *q == lv.var).unwrap()])
                .collect();
            if !in_loop(lv, p) {
                if p != lv.preheader {
                    return None;
                }
                continue;
            }
            let stepped = edge_args.iter().all(|a| {
                ctx.defs.get(a).is_some_and(|&(db, dk)| {
                    let i = &f.block(db).insts[dk];
                    i.op == Op::RangeNext && i.args[0] == lv.var && ctx.consts.get(&i.args[1]).is_some_and(|s| *s > 0)
                })
            });
            if !stepped {
                return None;
            }
        }
        // Stop: X.shape[k] + off (off <= 0), computed before the loop.
        let (base, off) = split_offset(f, ctx.defs, ctx.consts, lv.stop);
        let stop_before = ctx
            .defs
            .get(&lv.stop)
            .map(|(db, _)| *db)
            .or_else(|| ctx.params.get(&lv.stop).map(|(db, _)| *db))
            .is_some_and(|db| !in_loop(lv, db) && db != lv.header && (ctx.dominates)(db, lv.preheader));
        let (x, axis) = dim_of(f, ctx.typed, ctx.defs, ctx.consts, base)?;
        if off > 0 || !stop_before || axes.contains(&axis) || x_arr.is_some_and(|y| y != x) {
            return None;
        }
        x_arr = Some(x);
        axes.push(axis);
    }
    let x = x_arr?;
    // X defined before every one of the loops.
    let x_block = ctx
        .defs
        .get(&x)
        .map(|(db, _)| *db)
        .or_else(|| ctx.params.get(&x).map(|(db, _)| *db))?;
    if !around
        .iter()
        .all(|lv| !in_loop(lv, x_block) && (ctx.dominates)(x_block, lv.preheader))
    {
        return None;
    }
    // No cycle through `b` without one of these loops' back edges.
    let back = |p: Block, s: Block| around.iter().any(|lv| s == lv.header && in_loop(lv, p));
    let mut seen = vec![false; f.blocks.len()];
    let mut stack = vec![b];
    while let Some(cur) = stack.pop() {
        for e in f.block(cur).term.successors() {
            if back(cur, e.block) {
                continue;
            }
            if e.block == b {
                return None;
            }
            if !seen[e.block.0 as usize] {
                seen[e.block.0 as usize] = true;
                stack.push(e.block);
            }
        }
    }
    let Ty::Array(xt) = ctx.typed.ty(x) else { return None };
    Some(xt.dtype.itemsize().max(1))
}

/// The adds `s + t` (`s` the carried sum `p`) that `v`, the sum's value at the
/// latch, is made of: `v` itself such an add, or a merge block's parameter
/// whose every incoming value is `s` or such a value. So each path through an
/// iteration adds at most one term. False when `v` is anything else.
fn cond_adds(
    f: &Function,
    ctx: &BoundsCtx<'_>,
    p: Value,
    v: Value,
    in_loop: &dyn Fn(Block) -> bool,
    depth: u32,
    adds: &mut Vec<(Block, usize)>,
) -> bool {
    if v == p {
        return true;
    }
    if depth > 8 {
        return false;
    }
    if let Some(&(ab, ak)) = ctx.defs.get(&v) {
        let add = &f.block(ab).insts[ak];
        let one_p = add.args.len() == 2 && (add.args[0] == p) != (add.args[1] == p);
        if !matches!(add.op, Op::Bin { op: BinOp::Add, .. }) || !one_p || !in_loop(ab) {
            return false;
        }
        if !adds.contains(&(ab, ak)) {
            adds.push((ab, ak));
        }
        return true;
    }
    let Some(&(b, i)) = ctx.params.get(&v) else {
        return false;
    };
    if !in_loop(b) {
        return false; // (the header's own parameters are not merges)
    }
    ctx.preds[b.0 as usize].iter().all(|&pb| {
        let edges: Vec<&Edge> = f
            .block(pb)
            .term
            .successors()
            .into_iter()
            .filter(|e| e.block == b)
            .collect();
        matches!(edges.as_slice(), [e] if cond_adds(f, ctx, p, e.args[i], in_loop, depth + 1, adds))
    })
}

/// What bounds of int values are derived from.
struct BoundsCtx<'a> {
    f: &'a Function,
    typed: &'a Typed,
    idom: &'a HashMap<Block, Block>,
    preds: &'a [Vec<Block>],
    defs: &'a HashMap<Value, (Block, usize)>,
    /// Block parameters: (block, index).
    params: &'a HashMap<Value, (Block, usize)>,
    consts: &'a HashMap<Value, i64>,
    vars: &'a HashMap<Value, LoopVar>,
    dominates: &'a dyn Fn(Block, Block) -> bool,
    /// NumPy int scalar arithmetic wraps (njit, `unchecked_int`) instead of
    /// leaving compiled code when a result is outside its dtype.
    wrapping: bool,
}

/// Every block parameter's block and index.
fn param_defs(f: &Function) -> HashMap<Value, (Block, usize)> {
    let mut out = HashMap::new();
    for (bi, d) in f.blocks.iter().enumerate() {
        for (i, p) in d.params.iter().enumerate() {
            out.insert(*p, (Block(bi as u32), i));
        }
    }
    out
}

/// The values a type allows: a Python int any, a bool 0 or 1, a NumPy int
/// its dtype's range (uint64 and non-int types: none, `None`).
fn type_range(t: &Ty) -> Option<(i64, i64)> {
    match t {
        Ty::Int => Some(FULL),
        Ty::Bool | Ty::Np(Dtype::Bool) => Some((0, 1)),
        Ty::Np(d) if d.is_int() && *d != Dtype::UInt64 => {
            let (lo, hi) = d.int_range();
            Some((lo as i64, hi as i64))
        }
        _ => None,
    }
}

/// Value ranges of int values (Python ints, bools and NumPy ints but uint64)
/// anywhere in a function, for passes that choose a representation by them
/// (the SIMD pass's narrow lanes): see `BoundsCtx::bounds`.
pub struct Ranges<'f> {
    f: &'f Function,
    typed: &'f Typed,
    idom: HashMap<Block, Block>,
    preds: Vec<Vec<Block>>,
    defs: HashMap<Value, (Block, usize)>,
    params: HashMap<Value, (Block, usize)>,
    consts: HashMap<Value, i64>,
    vars: HashMap<Value, LoopVar>,
    wrapping: bool,
}

impl<'f> Ranges<'f> {
    pub fn new(f: &'f Function, typed: &'f Typed, wrapping: bool) -> Self {
        let defs = f.definitions();
        let consts = int_consts(f, &defs);
        Ranges {
            f,
            typed,
            idom: dominators(f),
            preds: f.predecessors(),
            vars: loop_vars(f, &consts),
            params: param_defs(f),
            defs,
            consts,
            wrapping,
        }
    }

    /// Conservative `[lo, hi]` of `v` where block `at` runs (`None`: unbounded,
    /// or not an int value). Every value of `v` seen in `at` on any path lies
    /// in it.
    pub fn bounds(&self, v: Value, at: Block) -> Option<(i64, i64)> {
        let dominates = |a: Block, b: Block| cfg::dominates(&self.idom, a, b);
        let ctx = BoundsCtx {
            f: self.f,
            typed: self.typed,
            idom: &self.idom,
            preds: &self.preds,
            defs: &self.defs,
            params: &self.params,
            consts: &self.consts,
            vars: &self.vars,
            dominates: &dominates,
            wrapping: self.wrapping,
        };
        type_range(self.typed.ty(v))?;
        let r = ctx.bounds(v, at, 0);
        (r != FULL).then_some(r)
    }
}

const FULL: (i64, i64) = (i64::MIN, i64::MAX);

impl BoundsCtx<'_> {
    /// Conservative `[lo, hi]` of an int value as seen in block `at`: constants,
    /// array dimensions (`0 <= n`), range loop variables inside their loop body
    /// (`start <= i <= stop - 1`), `+ - *` of those, narrowed by the int
    /// comparisons of the branches that lead to `at` (`if n < 2: return` makes
    /// `n >= 2` after it).
    fn bounds(&self, v: Value, at: Block, depth: u32) -> (i64, i64) {
        let (mut lo, mut hi) = self.bounds_base(v, at, depth);
        if lo == hi || depth > 3 || *self.typed.ty(v) != Ty::Int {
            return (lo, hi);
        }
        // Up the dominator tree: each block entered only from one branch edge
        // tells that edge's condition.
        let mut s = at;
        for _ in 0..32 {
            if let [d] = self.preds[s.0 as usize].as_slice() {
                if let Some((op, other)) = self.edge_compare(*d, s, v) {
                    let (olo, ohi) = self.bounds(other, *d, depth + 1);
                    match op {
                        CmpOp::Lt => hi = hi.min(ohi.saturating_sub(1)),
                        CmpOp::Le => hi = hi.min(ohi),
                        CmpOp::Gt => lo = lo.max(olo.saturating_add(1)),
                        CmpOp::Ge => lo = lo.max(olo),
                        CmpOp::Eq => (lo, hi) = (lo.max(olo), hi.min(ohi)),
                        CmpOp::Ne => {}
                    }
                }
            }
            match self.idom.get(&s) {
                Some(&p) if p != s => s = p,
                _ => break,
            }
        }
        (lo, hi.max(lo))
    }

    /// When `d` ends in a branch on an int comparison involving `v` and `s` is
    /// one of its two (different) targets: the relation `v OP other` that holds
    /// on entering `s`.
    fn edge_compare(&self, d: Block, s: Block, v: Value) -> Option<(CmpOp, Value)> {
        let Term::Br(c, t, e) = &self.f.block(d).term else {
            return None;
        };
        if t.block == e.block {
            return None;
        }
        let taken = s == t.block;
        let inst = |x: Value| self.defs.get(&x).map(|(b, k)| &self.f.block(*b).insts[*k]);
        let mut cmp = inst(*c)?;
        if cmp.op == Op::Truth {
            cmp = inst(cmp.args[0])?;
        }
        let Op::Cmp(op) = cmp.op else { return None };
        let (a, b) = (cmp.args[0], cmp.args[1]);
        if *self.typed.ty(a) != Ty::Int || *self.typed.ty(b) != Ty::Int {
            return None;
        }
        let (op, other) = if a == v && b != v {
            (op, b)
        } else if b == v && a != v {
            (op.swapped(), a)
        } else {
            return None;
        };
        Some((if taken { op } else { op.negated() }, other))
    }

    fn bounds_base(&self, v: Value, at: Block, depth: u32) -> (i64, i64) {
        if let Some(c) = self.consts.get(&v) {
            return (*c, *c);
        }
        let t = self.typed.ty(v);
        let Some(tr) = type_range(t) else { return FULL };
        if depth > 6 {
            return tr;
        }
        if *t == Ty::Int {
            if let Some(lv) = self.vars.get(&v) {
                if !(self.dominates)(lv.body, at) {
                    return FULL;
                }
                let lo = self.bounds(lv.start, at, depth + 1).0;
                let hi = self.bounds(lv.stop, at, depth + 1).1.saturating_sub(1);
                return (lo, hi.max(lo));
            }
            if dim_of(self.f, self.typed, self.defs, self.consts, v).is_some() {
                return (0, i64::MAX);
            }
        }
        let inner = if let Some((b, k)) = self.defs.get(&v) {
            let inst = &self.f.block(*b).insts[*k];
            let np_result = matches!(t, Ty::Np(_));
            match &inst.op {
                // A NumPy int result is exact when it lies in its dtype, and leaves
                // compiled code otherwise (strict); where it wraps, only the dtype bounds it.
                // `x & c` with a constant c >= 0 (two's complement): in [0, c].
                Op::Bin { op: BinOp::BitAnd, .. }
                    if inst.args.len() == 2
                        && inst.args.iter().any(|a| self.consts.get(a).is_some_and(|c| *c >= 0))
                        && inst.args.iter().all(|a| type_range(self.typed.ty(*a)).is_some()) =>
                {
                    let c = inst
                        .args
                        .iter()
                        .filter_map(|a| self.consts.get(a))
                        .filter(|c| **c >= 0)
                        .min();
                    (0, *c.unwrap())
                }
                Op::Bin { .. } if np_result && self.wrapping => FULL,
                Op::Bin { op, .. } if inst.args.len() == 2 => self
                    .bin_bounds(*op, inst.args[0], inst.args[1], at, depth + 1)
                    .unwrap_or(FULL),
                // `max(a, b, ...)` / `min(a, b, ...)` of ints: the largest (smallest) bounds.
                Op::Call { kw }
                    if kw.is_empty()
                        && inst.args.len() >= 3
                        && matches!(self.typed.ty(inst.args[0]), Ty::Builtin(Builtin::Max | Builtin::Min))
                        && inst.args[1..].iter().all(|a| *self.typed.ty(*a) == Ty::Int) =>
                {
                    let max = *self.typed.ty(inst.args[0]) == Ty::Builtin(Builtin::Max);
                    let bs: Vec<(i64, i64)> = inst.args[1..].iter().map(|a| self.bounds(*a, at, depth + 1)).collect();
                    let pick = |x: i64, y: i64| if max { x.max(y) } else { x.min(y) };
                    bs[1..]
                        .iter()
                        .fold(bs[0], |acc, b| (pick(acc.0, b.0), pick(acc.1, b.1)))
                }
                // `int(x)` of an int, bool or NumPy int: the same value.
                Op::Call { kw }
                    if kw.is_empty()
                        && inst.args.len() == 2
                        && *self.typed.ty(inst.args[0]) == Ty::Builtin(Builtin::Int)
                        && type_range(self.typed.ty(inst.args[1])).is_some() =>
                {
                    self.bounds(inst.args[1], at, depth + 1)
                }
                // A bounded int draw: legacy `np.random.randint(low, high)` or a Generator's
                // `rng.integers(low, high)` (no keywords: `endpoint=False`, the default int
                // dtype) lies in [low, high - 1]; with one argument `high` is that one and
                // `low` is 0. (`low >= high` raises: no value.)
                Op::MethodCall { name, kw }
                    if kw.is_empty()
                        && (2..=3).contains(&inst.args.len())
                        && match self.typed.ty(inst.args[0]) {
                            Ty::Module(Module::NumpyRandom) => name == "randint",
                            Ty::Obj(ObjClass::Generator) => name == "integers",
                            _ => false,
                        }
                        && inst.args[1..].iter().all(|a| type_range(self.typed.ty(*a)).is_some()) =>
                {
                    let high = self.bounds(*inst.args.last().unwrap(), at, depth + 1).1;
                    let low = if inst.args.len() == 3 {
                        self.bounds(inst.args[1], at, depth + 1).0
                    } else {
                        0
                    };
                    (low, high.saturating_sub(1).max(low))
                }
                // `np.uint8(x)` of an int: x itself (outside the dtype it raises).
                Op::MethodCall { kw, .. }
                    if kw.is_empty()
                        && inst.args.len() == 2
                        && np_result
                        && matches!(self.typed.ty(inst.args[0]), Ty::Module(_))
                        && matches!(self.typed.ty(inst.args[1]), Ty::Int | Ty::Bool) =>
                {
                    self.bounds(inst.args[1], at, depth + 1)
                }
                _ => FULL,
            }
        } else if let Some(&(b, i)) = self.params.get(&v) {
            self.param_bounds(b, i, depth)
        } else {
            FULL
        };
        (inner.0.max(tr.0), inner.1.min(tr.1).max(inner.0.max(tr.0)))
    }

    /// Bounds of parameter `i` of block `b` that is not a loop header (a merge
    /// of branches): the union of what each incoming edge passes, each as seen
    /// on its edge (in its source block, narrowed by the edge's own condition).
    fn param_bounds(&self, b: Block, i: usize, depth: u32) -> (i64, i64) {
        let preds = &self.preds[b.0 as usize];
        if preds.is_empty() || preds.iter().any(|p| (self.dominates)(b, *p)) {
            return FULL;
        }
        let mut out: Option<(i64, i64)> = None;
        for &p in preds {
            for e in self.f.block(p).term.successors() {
                if e.block != b {
                    continue;
                }
                let a = e.args[i];
                let (mut lo, mut hi) = self.bounds(a, p, depth + 1);
                if let Some((op, other)) = self.edge_compare(p, b, a) {
                    let (olo, ohi) = self.bounds(other, p, depth + 1);
                    match op {
                        CmpOp::Lt => hi = hi.min(ohi.saturating_sub(1)),
                        CmpOp::Le => hi = hi.min(ohi),
                        CmpOp::Gt => lo = lo.max(olo.saturating_add(1)),
                        CmpOp::Ge => lo = lo.max(olo),
                        CmpOp::Eq => (lo, hi) = (lo.max(olo), hi.min(ohi)),
                        CmpOp::Ne => {}
                    }
                }
                let r = (lo, hi.max(lo));
                out = Some(match out {
                    Some(o) => (o.0.min(r.0), o.1.max(r.1)),
                    None => r,
                });
            }
        }
        out.unwrap_or(FULL)
    }

    /// Bounds of `x OP y` when the result cannot overflow 64 bits.
    fn bin_bounds(&self, op: BinOp, x: Value, y: Value, at: Block, depth: u32) -> Option<(i64, i64)> {
        if !matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) {
            return None;
        }
        let (a, b) = (self.bounds(x, at, depth), self.bounds(y, at, depth));
        if op != BinOp::Mul && (a == FULL || b == FULL) {
            return None;
        }
        let (a0, a1, b0, b1) = (a.0 as i128, a.1 as i128, b.0 as i128, b.1 as i128);
        let (lo, hi) = match op {
            BinOp::Add => (a0 + b0, a1 + b1),
            BinOp::Sub => (a0 - b1, a1 - b0),
            _ => {
                let p = [a0 * b0, a0 * b1, a1 * b0, a1 * b1];
                (*p.iter().min().unwrap(), *p.iter().max().unwrap())
            }
        };
        let fits = |x: i128| i64::try_from(x).is_ok();
        (fits(lo) && fits(hi)).then_some((lo as i64, hi as i64))
    }
}

/// `v` as `base + constant` (for `n - 1`, `n + 2`, ...).
fn split_offset(
    f: &Function,
    defs: &HashMap<Value, (Block, usize)>,
    consts: &HashMap<Value, i64>,
    v: Value,
) -> (Value, i64) {
    if let Some((b, k)) = defs.get(&v) {
        let inst = &f.block(*b).insts[*k];
        if let Op::Bin { op, .. } = &inst.op {
            use pyston_compiler::hir::BinOp;
            match (op, consts.get(&inst.args[1]), consts.get(&inst.args[0])) {
                (BinOp::Add, Some(c), _) => return (inst.args[0], *c),
                (BinOp::Add, None, Some(c)) => return (inst.args[1], *c),
                (BinOp::Sub, Some(c), _) => return (inst.args[0], -*c),
                _ => {}
            }
        }
    }
    (v, 0)
}

/// The length of a 1-d array made by `np.zeros(c, ...)`, `np.ones` or
/// `np.empty` with a constant `c` (an array's shape never changes).
fn made_len(
    f: &Function,
    typed: &Typed,
    defs: &HashMap<Value, (Block, usize)>,
    consts: &HashMap<Value, i64>,
    arr: Value,
) -> Option<i64> {
    if !matches!(typed.ty(arr), Ty::Array(a) if a.ndim == 1) {
        return None;
    }
    let (b, k) = defs.get(&arr)?;
    let inst = &f.block(*b).insts[*k];
    let Op::MethodCall { name, kw } = &inst.op else {
        return None;
    };
    // The shape is the first positional argument.
    let made = matches!(name.as_str(), "zeros" | "ones" | "empty")
        && inst.args.len() >= 2 + kw.len()
        && matches!(typed.ty(inst.args[0]), Ty::Module(Module::Numpy));
    if !made {
        return None;
    }
    let c = *consts.get(&inst.args[1])?;
    (c >= 0).then_some(c)
}

/// If `v` is a dimension of an array value: (array, axis).
fn dim_of(
    f: &Function,
    typed: &Typed,
    defs: &HashMap<Value, (Block, usize)>,
    consts: &HashMap<Value, i64>,
    v: Value,
) -> Option<(Value, usize)> {
    let (b, k) = defs.get(&v)?;
    let inst = &f.block(*b).insts[*k];
    let shape_of = |t: Value| -> Option<Value> {
        let (b, k) = defs.get(&t)?;
        let i = &f.block(*b).insts[*k];
        match &i.op {
            Op::Attr(n) if n == "shape" => Some(i.args[0]),
            Op::Unpack(_) => {
                let (b2, k2) = defs.get(&i.args[0])?;
                let i2 = &f.block(*b2).insts[*k2];
                matches!(&i2.op, Op::Attr(n) if n == "shape").then_some(i2.args[0])
            }
            _ => None,
        }
    };
    match &inst.op {
        Op::TupleGet(d) => Some((shape_of(inst.args[0])?, *d as usize)),
        Op::GetItem if inst.args.len() == 2 => {
            let d = *consts.get(&inst.args[1])?;
            let x = shape_of(inst.args[0])?;
            (d >= 0).then_some((x, d as usize))
        }
        Op::Len | Op::LenBound => Some((inst.args[0], 0)),
        // `len(a)` with the builtin `len` (guarded at compile time) of an array: a.shape[0].
        Op::Call { kw }
            if kw.is_empty()
                && inst.args.len() == 2
                && *typed.ty(inst.args[0]) == Ty::Builtin(Builtin::Len)
                && matches!(typed.ty(inst.args[1]), Ty::Array(a) if a.ndim >= 1) =>
        {
            Some((inst.args[1], 0))
        }
        _ => None,
    }
}

/// Whether dimension `dx` of array `x` is dimension `dy` of array `y`
/// (the same value, or `y` a row/sub-array of `x` taken by leading indexes).
fn same_array(f: &Function, defs: &HashMap<Value, (Block, usize)>, x: Value, y: Value, dx: usize, dy: usize) -> bool {
    if x == y {
        return dx == dy;
    }
    if let Some((b, k)) = defs.get(&y) {
        let inst = &f.block(*b).insts[*k];
        if inst.op == Op::GetItem {
            let taken = inst.args.len() - 1;
            return same_array(f, defs, x, inst.args[0], dx, dy + taken);
        }
    }
    false
}

/// Finds the variables of `for ... in range(start, stop, step)` loops with a
/// constant positive step (the shape `lower::for_loop` produces).
fn loop_vars(f: &Function, consts: &HashMap<Value, i64>) -> HashMap<Value, LoopVar> {
    let mut out = HashMap::new();
    let preds = f.predecessors();
    for header in f.rpo() {
        let h = f.block(header);
        let Term::Br(_, body, _) = &h.term else { continue };
        for (pi, &param) in h.params.iter().enumerate() {
            // One incoming edge from a preheader holding the range_len, one
            // from a latch stepping this parameter with range_next.
            let mut start = None;
            let mut stepped = None;
            let mut entries = 0;
            for &p in &preds[header.0 as usize] {
                for e in f.block(p).term.successors() {
                    if e.block != header {
                        continue;
                    }
                    let a = e.args[pi];
                    let next = f
                        .block(p)
                        .insts
                        .iter()
                        .find(|i| i.result == Some(a) && i.op == Op::RangeNext);
                    match next {
                        Some(i) if i.args[0] == param => stepped = Some(i.args[1]),
                        _ => {
                            start = Some((p, a));
                            entries += 1;
                        }
                    }
                }
            }
            let (Some((pre, start)), Some(step)) = (start, stepped) else {
                continue;
            };
            // The loop variable starts as `range_next(start, 0)` (start as a Python int).
            let start = f
                .block(pre)
                .insts
                .iter()
                .find(|i| i.result == Some(start) && i.op == Op::RangeNext && consts.get(&i.args[1]) == Some(&0))
                .map_or(start, |i| i.args[0]);
            if consts.get(&step).is_none_or(|s| *s <= 0) {
                continue;
            }
            let range = f
                .block(pre)
                .insts
                .iter()
                .find(|i| i.op == Op::RangeLen && i.args[1] == start && i.args[3] == step);
            // A loop counter: starts at 0, steps by 1 and the header runs the body
            // while `counter < stop` (`for x in seq` iterates with such a counter
            // over `[0, len(seq))`; a `for` loop over an iterator the function
            // steps, from the items taken so far, whose start is guarded).
            let counter_start = consts.get(&start) == Some(&0) || entries == 1;
            if range.is_none() && counter_start && consts.get(&step) == Some(&1) {
                if let Some(stop) = header_bound(f, header, param) {
                    out.insert(
                        param,
                        LoopVar {
                            var: param,
                            header,
                            start,
                            stop,
                            preheader: pre,
                            body: body.block,
                        },
                    );
                    continue;
                }
            }
            if let Some(r) = range {
                out.insert(
                    param,
                    LoopVar {
                        var: param,
                        header,
                        start,
                        stop: r.args[2],
                        preheader: pre,
                        body: body.block,
                    },
                );
            }
        }
    }
    out
}

/// If the header branches on `param < stop` (possibly through a truth test), `stop`.
fn header_bound(f: &Function, header: Block, param: Value) -> Option<Value> {
    let h = f.block(header);
    let Term::Br(c, _, _) = &h.term else { return None };
    let def = |v: Value| h.insts.iter().find(|i| i.result == Some(v));
    let mut inst = def(*c)?;
    if inst.op == Op::Truth {
        inst = def(inst.args[0])?;
    }
    (inst.op == Op::Cmp(CmpOp::Lt) && inst.args[0] == param).then_some(inst.args[1])
}

/// The facts as text, one per line, sorted (for filetests and `PYSTON_DUMP_IR=bounds`).
pub fn describe(f: &Function, facts: &IndexFacts) -> String {
    let inst = |b: Block, k: usize| {
        let i = &f.block(b).insts[k];
        let args: Vec<String> = i.args.iter().map(|a| a.to_string()).collect();
        let lhs = i.result.map(|r| format!("{r} = ")).unwrap_or_default();
        format!("{lhs}{} {}", write::op_text(&i.op), args.join(", "))
    };
    let mut s = String::new();
    let mut no: Vec<_> = facts.no_overflow.iter().copied().collect();
    no.sort();
    for (b, k) in no {
        s.push_str(&format!("no_overflow {b}[{k}]: {}\n", inst(b, k)));
    }
    let mut fits: Vec<_> = facts.in_dtype.iter().copied().collect();
    fits.sort();
    for (b, k) in fits {
        s.push_str(&format!("in_dtype {b}[{k}]: {}\n", inst(b, k)));
    }
    let mut defer: Vec<_> = facts.c64_deferred.iter().copied().collect();
    defer.sort();
    for (b, k) in defer {
        s.push_str(&format!("c64_deferred {b}[{k}]: {}\n", inst(b, k)));
    }
    let mut exits: Vec<_> = facts.exit_checks.iter().collect();
    exits.sort_by_key(|(b, _)| **b);
    for (b, e) in exits {
        let ps: Vec<String> = e.params.iter().map(|p| p.to_string()).collect();
        s.push_str(&format!(
            "exit_check {b}: {} finite, else back to the end of {}\n",
            ps.join(", "),
            e.preheader
        ));
    }
    let mut un: Vec<_> = facts.unchecked.iter().copied().collect();
    un.sort();
    for (b, k, axis) in un {
        s.push_str(&format!("unchecked {b}[{k}] axis {axis}: {}\n", inst(b, k)));
    }
    let mut gs: Vec<_> = facts.guards.iter().collect();
    gs.sort_by_key(|(b, _)| **b);
    for (b, list) in gs {
        for g in list {
            let text = match g {
                Guard::Upper {
                    base,
                    more,
                    offset,
                    array,
                    axis,
                } => {
                    let more: String = more.iter().map(|m| format!(" + {m}")).collect();
                    format!("{base}{more}{} <= {array}.shape[{axis}]", signed(*offset))
                }
                Guard::Lower { base, offset } => format!("{base}{} >= 0", signed(*offset)),
                Guard::AtMost { base, limit } => format!("{base} <= {limit}"),
                Guard::UpperDim {
                    src,
                    src_axis,
                    offset,
                    array,
                    axis,
                } => format!("{src}.shape[{src_axis}]{} <= {array}.shape[{axis}]", signed(*offset)),
            };
            s.push_str(&format!("guard before {b}: {text}\n"));
        }
    }
    if s.is_empty() {
        s.push_str("no facts\n");
    }
    s
}

/// ` + 3`, ` - 3` or nothing for 0.
fn signed(x: i64) -> String {
    match x {
        0 => String::new(),
        x if x < 0 => format!(" - {}", x.unsigned_abs()),
        x => format!(" + {x}"),
    }
}

/// Int `+ - *` that repeat one already computed: an instruction with the same
/// operator and operands (the same values, or constants of the same value;
/// either order for `+` and `*`) as one in a dominating position (earlier in
/// the same block, or in a dominating block). Control reaches the repeat only
/// after the first one completed, checked for overflow (or proven not to
/// overflow), so the repeat computes the same value and cannot overflow
/// either (`u[j, 1:N - 1]` after `for j in range(1, N - 1)`). `may_wrap`: the
/// masked operations that may wrap silently, never taken as the first one.
pub fn repeated_ops(
    f: &Function,
    typed: &Typed,
    facts: &mut IndexFacts,
    may_wrap: &std::collections::HashSet<(Block, usize)>,
) {
    #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Opnd {
        Const(i64),
        Val(u32),
    }
    let defs = f.definitions();
    let consts = int_consts(f, &defs);
    let opnd = |v: Value| consts.get(&v).map_or(Opnd::Val(v.0), |c| Opnd::Const(*c));
    let idom = dominators(f);
    let mut seen: HashMap<(u8, Opnd, Opnd), Vec<(Block, usize)>> = HashMap::new();
    for b in cfg::rpo(f) {
        for (k, inst) in f.block(b).insts.iter().enumerate() {
            let (Op::Bin { op, .. }, Some(r)) = (&inst.op, inst.result) else {
                continue;
            };
            let code = match op {
                BinOp::Add => 0u8,
                BinOp::Sub => 1,
                BinOp::Mul => 2,
                _ => continue,
            };
            if *typed.ty(r) != Ty::Int || !inst.args.iter().all(|a| *typed.ty(*a) == Ty::Int) {
                continue;
            }
            let (mut x, mut y) = (opnd(inst.args[0]), opnd(inst.args[1]));
            if code != 1 && y < x {
                std::mem::swap(&mut x, &mut y);
            }
            let firsts = seen.entry((code, x, y)).or_default();
            let repeat = firsts
                .iter()
                .any(|&(fb, fk)| if fb == b { fk < k } else { cfg::dominates(&idom, fb, b) });
            if repeat {
                facts.no_overflow.insert((b, k));
            }
            if !may_wrap.contains(&(b, k)) {
                firsts.push((b, k));
            }
        }
    }
}
