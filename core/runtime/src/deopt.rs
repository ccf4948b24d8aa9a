//! Deoptimization and tracebacks: compiled code hands its live values to the
//! interpreter tier (`pyston_resume`), which finishes the call exactly; an
//! exception passing through a compiled frame records its line
//! (`pyston_push_frame`).

use crate::runtime::*;
use pyo3::prelude::*;

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
        let meta_arc = crate::dispatch::meta_arc(meta);
        let depth = ctx.depth + 1;
        match with_depth(depth, || crate::interp::resume(py, &meta_arc, ctx)) {
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
    // SAFETY: as in `pyston_resume`.
    let (meta, ctx) = unsafe { (&*meta, &mut *ctx) };
    let arc = crate::dispatch::meta_arc(meta);
    let span = crate::dispatch::call_site_span(meta, span_index as usize);
    ctx.frames.push((arc, span));
}
