//! Deoptimization, in one place: compiled code stores the values live at a
//! deopt point in `ctx.slots` and returns `DEOPT` (or, for a direct callee,
//! calls `pyston_resume`); [`resume`] boxes those values, recomputes the
//! compile-time ones and lets the interpreter tier finish the call from that
//! instruction, exactly. An exception passing through a compiled frame
//! records its line (`pyston_push_frame`).

use crate::boxing::*;
use crate::helpers::keep_arrays;
use crate::interp::{eval, exec, exec_raised, Raised, Slot};
use crate::runtime::*;
use pyo3::prelude::*;
use pyston_compiler::ir::{Block, Function, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Finishes a call that deoptimized: boxes the live values from `ctx.slots`
/// and runs from the deopt point. On an exception, records the frame.
pub fn resume(py: Python<'_>, meta: &Arc<FuncMeta>, ctx: &mut Ctx) -> PyResult<Py<PyAny>> {
    let point = meta
        .deopts
        .get(ctx.deopt_point as usize)
        .ok_or_else(|| crate::internal_error("bad deopt point"))?;
    let f = &meta.func;
    if !point.raised && point.inst == f.block(point.block).insts.len() {
        if let pyston_compiler::ir::Term::Yield {
            point: k,
            value,
            resume,
        } = &f.block(point.block).term
        {
            // A generator's step stopped at a `yield`: its state goes back as it is.
            if let Some(s) = yielded(py, meta, point, ctx, *k, *value, &resume.args[1..])? {
                return Ok(s);
            }
        }
    }
    // Taken first: nothing below may run with an exception set.
    let raised = if point.raised { PyErr::take(py) } else { None };
    // The interpreter tier draws through NumPy's own calls, which take the
    // generator locks the call's native draws hold (not reentrant: a deadlock).
    crate::helpers::random::release_locks(ctx);
    let mut vals = boxed_live_values(py, meta, point, ctx)?;
    // A loop that stopped for Ctrl-C: Python's handlers run now (KeyboardInterrupt from the loop's line).
    if let Err(err) = crate::signals::handle(py) {
        let span = match f.block(point.block).insts.get(point.inst) {
            Some(i) => i.span,
            None => f.block(point.block).term_span,
        };
        ctx.frames.push((meta.clone(), span));
        return Err(err);
    }
    let run = if point.raised {
        // An instruction inside a `try` body raised in compiled code: its handler takes it,
        // with the traceback entries of the compiled frames it passed through.
        let err = raised.unwrap_or_else(|| crate::internal_error("a raise without an exception"));
        let drained: Vec<_> = ctx.frames.drain(..).collect();
        let frames = crate::runtime::frame_entries(drained.iter().map(|(m, s)| (&**m, *s)));
        let err = crate::dispatch::with_frames(py, err, &frames);
        let span = f
            .block(point.block)
            .insts
            .get(point.inst)
            .map_or(f.block(point.block).term_span, |i| i.span);
        exec_raised(py, f, &meta.env, &mut vals, point.block, Raised { err, span })
    } else {
        exec(py, f, &meta.env, &mut vals, point.block, point.inst)
    };
    match run {
        Ok(o) => Ok(o),
        Err(r) => {
            ctx.frames.push((meta.clone(), r.span));
            Err(r.err)
        }
    }
}

/// The suspended state at `yield k, value, block(sent, args...)` boxed
/// straight from `ctx.slots`, or None when a value is not stored there (a
/// compile-time value: the interpreter tier recomputes it).
fn yielded(
    py: Python<'_>,
    meta: &FuncMeta,
    point: &pyston_compiler::abi::DeoptPoint,
    ctx: &Ctx,
    k: u32,
    value: Value,
    args: &[Value],
) -> PyResult<Option<Py<PyAny>>> {
    let mut boxed: Vec<(Value, Slot)> = Vec::with_capacity(point.values.len());
    let mut pos = 0;
    for v in &point.values {
        boxed.push((*v, box_value(py, meta.typed.ty(*v), &ctx.slots, &mut pos)?));
    }
    let find = |v: Value| {
        boxed
            .iter()
            .find(|(w, _)| *w == v)
            .map(|(_, s)| s.as_ref().map(|o| o.clone_ref(py)))
    };
    let Some(Some(value)) = find(value) else {
        return Ok(None);
    };
    let mut state = Vec::with_capacity(args.len());
    for a in args {
        match find(*a) {
            Some(s) => state.push(s),
            None => return Ok(None),
        }
    }
    crate::generators::suspended(py, k, value, state).map(Some)
}

/// Only the values in `wanted` (and the compile-time values they need) of those
/// live at deopt point `point`, boxed from `ctx.slots`.
pub(crate) fn boxed_values_for(
    py: Python<'_>,
    meta: &FuncMeta,
    point: &pyston_compiler::abi::DeoptPoint,
    ctx: &Ctx,
    wanted: &[Value],
) -> PyResult<Vec<Slot>> {
    let f = &meta.func;
    let mut vals: Vec<Slot> = (0..f.values.len()).map(|_| None).collect();
    let mut pos = 0;
    for v in &point.values {
        let t = meta.typed.ty(*v);
        if wanted.contains(v) {
            vals[v.0 as usize] = box_value(py, t, &ctx.slots, &mut pos)?;
        } else {
            pos += pyston_compiler::abi::slot_count(t);
        }
    }
    let info = meta.resume_info();
    for v in wanted {
        if vals[v.0 as usize].is_none() && !meta.typed.ty(*v).is_value() {
            if let (pyston_compiler::types::Ty::Func(id), false) = (meta.typed.ty(*v), info.defs.contains_key(v)) {
                vals[v.0 as usize] = crate::env::func_original(py, *id);
                continue;
            }
            recompute(py, meta, &info.defs, &mut vals, *v).map_err(|r| r.err)?;
        }
    }
    Ok(vals)
}

/// The values live at deopt point `point`, boxed from `ctx.slots` (and
/// `ctx.pending`), compile-time values recomputed.
pub(crate) fn boxed_live_values(
    py: Python<'_>,
    meta: &FuncMeta,
    point: &pyston_compiler::abi::DeoptPoint,
    ctx: &mut Ctx,
) -> PyResult<Vec<Slot>> {
    let f = &meta.func;
    let mut vals: Vec<Slot> = (0..f.values.len()).map(|_| None).collect();
    let mut pos = 0;
    for v in &point.values {
        vals[v.0 as usize] = box_value(py, meta.typed.ty(*v), &ctx.slots, &mut pos)?;
    }
    if let Some(v) = point.pending {
        vals[v.0 as usize] = ctx.pending.take();
    }
    // Compile-time values (modules, functions, dtypes) were not stored: recompute them.
    let info = meta.resume_info();
    let live = f.live_before(point.block, point.inst, &info.live_in);
    for v in live {
        if let (pyston_compiler::types::Ty::Func(id), None) = (meta.typed.ty(v), &vals[v.0 as usize]) {
            // A compiled function that came as an argument (no defining instruction).
            if !info.defs.contains_key(&v) {
                vals[v.0 as usize] = crate::env::func_original(py, *id);
                continue;
            }
        }
        if !meta.typed.ty(v).is_value() {
            recompute(py, meta, &info.defs, &mut vals, v).map_err(|r| r.err)?;
        }
    }
    Ok(vals)
}

/// Makes compile-time value `v` again from its definition (and those of its
/// arguments). A compile-time value with no defining instruction is a block
/// parameter where equal compile-time values join (`f = math.fabs` on both
/// sides of an `if`, a generator's resume block after the yield): every edge
/// into its block that inference reached passes a value of the same type,
/// which stands for the same object, so the first of those that can be made
/// again is taken.
fn recompute(
    py: Python<'_>,
    meta: &FuncMeta,
    defs: &HashMap<Value, (Block, usize)>,
    vals: &mut [Slot],
    v: Value,
) -> Result<(), Raised> {
    recompute_from(py, meta, defs, vals, v, &mut Vec::new())
}

fn recompute_from(
    py: Python<'_>,
    meta: &FuncMeta,
    defs: &HashMap<Value, (Block, usize)>,
    vals: &mut [Slot],
    v: Value,
    seen: &mut Vec<Value>,
) -> Result<(), Raised> {
    if vals[v.0 as usize].is_some() || seen.contains(&v) {
        return Ok(());
    }
    seen.push(v);
    let f = &meta.func;
    let Some(&(b, k)) = defs.get(&v) else {
        let ty = meta.typed.ty(v);
        if ty.is_value() {
            return Ok(());
        }
        for a in joined_args(f, v) {
            if meta.typed.ty(a) != ty {
                // (an edge inference did not reach)
                continue;
            }
            // (an argument that cannot be made again: the next edge's)
            if recompute_from(py, meta, defs, vals, a, seen).is_ok() {
                if let Some(o) = &vals[a.0 as usize] {
                    vals[v.0 as usize] = Some(o.clone_ref(py));
                    return Ok(());
                }
            }
        }
        return Ok(());
    };
    let inst = &f.block(b).insts[k];
    for a in &inst.args {
        recompute_from(py, meta, defs, vals, *a, seen)?;
    }
    let r = eval(py, f, &meta.env, vals, &inst.op, &inst.args).map_err(|err| Raised { err, span: inst.span })?;
    vals[v.0 as usize] = r;
    Ok(())
}

/// The values the edges into the block that has parameter `v` pass for it
/// (exceptional edges included).
fn joined_args(f: &Function, v: Value) -> Vec<Value> {
    let Some((target, i)) = f
        .blocks
        .iter()
        .enumerate()
        .find_map(|(b, d)| d.params.iter().position(|p| *p == v).map(|i| (Block(b as u32), i)))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in &f.blocks {
        for e in d.term.successors().into_iter().chain(d.handler.as_ref()) {
            if e.block == target {
                out.extend(e.args.get(i).copied());
            }
        }
    }
    out
}

/// Finishes a callee that deoptimized: runs the interpreter from its deopt
/// point and writes the result's slots to `out` (as the callee's return type).
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_resume(ctx: *mut Ctx, meta: *const FuncMeta, out: *mut u64) -> i32 {
    Python::attach(|py| {
        // SAFETY: `meta` is kept alive by the specialization that owns the
        // compiled code calling us; `ctx` is the live context of this call.
        let (meta, ctx) = unsafe { (&*meta, &mut *ctx) };
        let meta_arc = meta_arc(meta);
        let depth = ctx.depth + 1;
        match with_depth(depth, || resume(py, &meta_arc, ctx)) {
            Ok(obj) => {
                let mut slots = Vec::new();
                match unbox_value(py, &meta.typed.ret, obj.bind(py), &mut slots) {
                    Ok(true) => {
                        for (i, s) in slots.iter().enumerate() {
                            // SAFETY: `out` has room for the callee's return slots.
                            unsafe { *out.add(i) = *s };
                        }
                        // Keep the arrays it holds alive for the rest of the call.
                        keep_arrays(&meta.typed.ret, &slots, &mut 0, &mut ctx.arena);
                        drop(obj);
                        OK
                    }
                    Ok(false) => {
                        // e.g. a big int: the caller continues on the interpreter tier.
                        ctx.pending = Some(obj);
                        DEOPT
                    }
                    Err(e) => {
                        e.restore(py);
                        ERROR
                    }
                }
            }
            Err(e) => {
                e.restore(py);
                ERROR
            }
        }
    })
}

/// Records that an exception passed through a call site (for the traceback).
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_push_frame(ctx: *mut Ctx, meta: *const FuncMeta, span_index: i64) {
    if span_index < 0 {
        return; // (the exception has this frame's entry: `pyston_exc_seen`)
    }
    // SAFETY: as in `pyston_resume`.
    let (meta, ctx) = unsafe { (&*meta, &mut *ctx) };
    let arc = meta_arc(meta);
    let span = call_site_span(meta, span_index as usize);
    ctx.frames.push((arc, span));
}
