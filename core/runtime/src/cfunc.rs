//! C callbacks (`pyston.cfunc`): a native function with a C signature
//! (`double f(double, double)`, ...) that unboxes nothing: it stores its C
//! arguments as the compiled function's argument slots and calls
//! [`pyston_cfunc_call`], which runs the compiled code.
//!
//! The trampoline is a few Cranelift instructions made per callback; the
//! call itself takes the GIL (`Python::attach`: C callers such as
//! `scipy.integrate.quad` or ctypes may have released it) because compiled
//! code may call into Python, deoptimize or raise. An exception cannot cross
//! a C caller: it is reported with `PyErr_WriteUnraisable` (printed as
//! "Exception ignored in: ...") and the callback returns 0, as a ctypes
//! callback does.

use crate::boxing;
use crate::dispatch::Dispatcher;
use crate::jit::with_jit;
use crate::runtime;
use crate::ufunc::{err_with_frames, param_ty, with_ctx};
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind};
use cranelift_frontend::FunctionBuilder;
use cranelift_module::{Linkage, Module};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyston_compiler::types::{Dtype, Ty};

/// What the trampoline of one callback hands to [`pyston_cfunc_call`].
struct CFuncData {
    disp: Py<Dispatcher>,
    params: Vec<Ty>,
    ret: Option<Dtype>,
}

fn cl_type(d: Dtype) -> types::Type {
    match d {
        Dtype::Bool => types::I8,
        Dtype::Int32 => types::I32,
        Dtype::Int64 => types::I64,
        Dtype::Float32 => types::F32,
        Dtype::Float64 => types::F64,
        _ => types::INVALID,
    }
}

fn c_dtype(name: &str) -> PyResult<Dtype> {
    match Dtype::from_name(name) {
        Some(d) if !d.is_basic() || d == Dtype::Complex128 => Err(PyTypeError::new_err(format!(
            "cfunc argument and return types are bool, int32, int64, float32 and float64, not {name}"
        ))),
        None => Err(PyTypeError::new_err(format!(
            "cfunc argument and return types are bool, int32, int64, float32 and float64, not {name}"
        ))),
        Some(d) => Ok(d),
    }
}

/// A result value on its way to the C return type.
enum Val {
    I(i64),
    F(f64),
}

fn obj_val(obj: &Bound<'_, PyAny>, ret: Dtype) -> PyResult<Val> {
    if matches!(ret, Dtype::Float32 | Dtype::Float64) {
        return Ok(Val::F(obj.extract::<f64>()?)); // a big int rounds as float() does
    }
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Val::I(i));
    }
    if obj.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyOverflowError::new_err("cfunc result does not fit the C return type"));
    }
    Ok(Val::F(obj.extract::<f64>()?))
}

fn slots_val(t: &Ty, s: &[u64]) -> Option<Val> {
    Some(match t {
        Ty::Bool | Ty::Np(Dtype::Bool) => Val::I((s[0] & 0xff != 0) as i64),
        Ty::Int | Ty::Np(Dtype::Int64) => Val::I(s[0] as i64),
        Ty::Np(Dtype::Int32) => Val::I(s[0] as u32 as i32 as i64),
        Ty::Float | Ty::Np(Dtype::Float64) => Val::F(f64::from_bits(s[0])),
        Ty::Np(Dtype::Float32) => Val::F(f32::from_bits(s[0] as u32) as f64),
        _ => return None,
    })
}

/// Writes `v` as the C return type `d` at `out` (C casts).
///
/// # Safety
/// `out` has room for 8 bytes.
unsafe fn write_ret(out: *mut u64, d: Dtype, v: Val) {
    let (i, f) = match v {
        Val::I(i) => (i, i as f64),
        Val::F(x) if d == Dtype::Int32 => (crate::ufunc::c_f64_to_i32(x) as i64, x),
        Val::F(x) => (crate::ufunc::c_f64_to_i64(x), x),
    };
    // SAFETY: the caller guarantees 8 writable bytes.
    unsafe {
        match d {
            Dtype::Bool => (out as *mut u8).write((f != 0.0) as u8),
            Dtype::Int32 => (out as *mut i32).write(i as i32),
            Dtype::Int64 => (out as *mut i64).write(i),
            Dtype::Float32 => (out as *mut f32).write(f as f32),
            Dtype::Float64 => (out as *mut f64).write(f),
            _ => {}
        }
    }
}

fn run(py: Python<'_>, cd: &CFuncData, args: *const u64) -> PyResult<Option<Val>> {
    let disp = cd.disp.bind(py);
    let spec = Dispatcher::loop_spec(disp, &cd.params)?;
    let nslots: usize = cd.params.iter().map(runtime::slot_count).sum();
    // SAFETY: the trampoline stored one slot per parameter (`nslots` of them).
    let slots = unsafe { std::slice::from_raw_parts(args, nslots) };
    let obj = match (spec.entry, spec.meta.clone()) {
        (Some(entry), Some(meta)) => {
            let mut out = vec![0u64; runtime::slot_count(&meta.typed.ret).max(1)];
            let r = with_ctx(|ctx| {
                let depth = ctx.depth + 1;
                // SAFETY: `entry` was compiled for `cd.params`, whose slots `slots` holds.
                let status = unsafe { entry(slots.as_ptr(), out.as_mut_ptr(), ctx, depth) };
                let r = match status {
                    runtime::OK => match slots_val(&meta.typed.ret, &out) {
                        Some(v) => return Ok(Err(v)),
                        None => {
                            boxing::box_value(py, &meta.typed.ret, &out, &mut 0).map(|o| o.unwrap_or_else(|| py.None()))
                        }
                    },
                    runtime::DEOPT => runtime::with_depth(depth, || crate::deopt::resume(py, &meta, ctx)),
                    _ => Err(PyErr::take(py)
                        .unwrap_or_else(|| crate::internal_error("compiled code failed without an exception"))),
                };
                r.map(Ok).map_err(|e| err_with_frames(py, ctx, e))
            })?;
            match r {
                Err(v) => return Ok(Some(v)),
                Ok(o) => o,
            }
        }
        _ => {
            // Runs as plain Python: the function with the boxed arguments.
            let mut pos = 0;
            let mut items = Vec::new();
            for t in &cd.params {
                items.push(boxing::box_value(py, t, slots, &mut pos)?.unwrap_or_else(|| py.None()));
            }
            disp.get().func().bind(py).call1(PyTuple::new(py, items)?)?.unbind()
        }
    };
    match cd.ret {
        None => Ok(None),
        Some(d) => obj_val(obj.bind(py), d).map(Some),
    }
}

/// Called by a callback's trampoline: runs the compiled function on the
/// argument slots at `args` and writes the C result at `out`.
///
/// # Safety
/// `data` is the callback's leaked `CFuncData`; `args` holds its argument
/// slots; `out` has room for 8 bytes.
unsafe extern "C" fn pyston_cfunc_call(data: *const CFuncData, args: *const u64, out: *mut u64) {
    // SAFETY: `data` lives for the life of the process (leaked at creation).
    let cd = unsafe { &*data };
    Python::attach(|py| {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(py, cd, args)))
            .unwrap_or_else(|_| Err(crate::internal_error("panic in a cfunc")));
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                e.restore(py);
                // SAFETY: an exception is set; the object names the callback.
                unsafe { ffi::PyErr_WriteUnraisable(cd.disp.as_ptr()) };
                Some(Val::I(0))
            }
        };
        if let (Some(d), Some(v)) = (cd.ret, v) {
            // SAFETY: `out` has room for 8 bytes.
            unsafe { write_ret(out, d, v) };
        }
    })
}

/// `make_cfunc(disp, args, ret, numba)`: compiles `disp` for C arguments of
/// the dtype names `args` (bool, int32, int64, float32, float64) and returns
/// the address of a C function `ret f(args...)` (`ret` None: void) that runs
/// it. The code and its data live for the rest of the process.
#[pyfunction]
pub fn make_cfunc(disp: Bound<'_, Dispatcher>, args: Vec<String>, ret: Option<String>, numba: bool) -> PyResult<usize> {
    let args: Vec<Dtype> = args.iter().map(|a| c_dtype(a)).collect::<PyResult<_>>()?;
    let ret = ret.map(|r| c_dtype(&r)).transpose()?;
    let params: Vec<Ty> = args.iter().map(|d| param_ty(*d, numba)).collect();
    Dispatcher::loop_spec(&disp, &params)?; // compiled now, as Numba compiles a cfunc
    let name = disp.get().name.clone();
    let data = Box::into_raw(Box::new(CFuncData {
        disp: disp.clone().unbind(),
        params: params.clone(),
        ret,
    }));
    let helper = pyston_cfunc_call as *const u8 as i64;
    with_jit(|jit| -> Result<usize, String> {
        let call_conv = jit.module.isa().default_call_conv();
        let ptr = jit.module.target_config().pointer_type();
        let mut sig = Signature::new(call_conv);
        sig.params.extend(args.iter().map(|d| AbiParam::new(cl_type(*d))));
        sig.returns.extend(ret.map(|d| AbiParam::new(cl_type(d))));
        jit.counter += 1;
        let sym = format!("pyston_cfunc_{}_{}", name, jit.counter);
        let id = jit
            .module
            .declare_function(&sym, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        let frontend = jit.module.target_config();
        let mut ctx = jit.module.make_context();
        ctx.func.signature = sig;
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut jit.fctx);
            let block = b.create_block();
            b.append_block_params_for_function_params(block);
            b.switch_to_block(block);
            b.seal_block(block);
            let nargs = args.len().max(1) as u32;
            let arg_slot = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8 * nargs, 3));
            let out_slot = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 3));
            let zero = b.ins().iconst(types::I64, 0);
            b.ins().stack_store(ptr, zero, out_slot, 0);
            let values = b.block_params(block).to_vec();
            for (i, (d, t)) in args.iter().zip(&params).enumerate() {
                let v = values[i];
                // Each argument as the slot of the type compiled code takes (`param_ty`).
                let slot = match (d, t) {
                    (Dtype::Float64, _) => b.ins().bitcast(types::I64, MemFlagsData::new(), v),
                    (Dtype::Float32, Ty::Np(_)) => {
                        let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
                        b.ins().uextend(types::I64, bits)
                    }
                    (Dtype::Float32, _) => {
                        let wide = b.ins().fpromote(types::F64, v);
                        b.ins().bitcast(types::I64, MemFlagsData::new(), wide)
                    }
                    (Dtype::Int64, _) => v,
                    (Dtype::Int32, _) => b.ins().sextend(types::I64, v),
                    (Dtype::Bool, _) => {
                        let nz = b
                            .ins()
                            .icmp_imm_u(cranelift_codegen::ir::condcodes::IntCC::NotEqual, v, 0);
                        b.ins().uextend(types::I64, nz)
                    }
                    _ => unreachable!("rejected by c_dtype"),
                };
                b.ins().stack_store(ptr, slot, arg_slot, (8 * i) as i32);
            }
            let args_ptr = b.ins().stack_addr(ptr, arg_slot, 0);
            let out_ptr = b.ins().stack_addr(ptr, out_slot, 0);
            let data_ptr = b.ins().iconst(ptr, data as i64);
            let mut hsig = Signature::new(call_conv);
            hsig.params
                .extend([AbiParam::new(ptr), AbiParam::new(ptr), AbiParam::new(ptr)]);
            let sref = b.import_signature(hsig);
            let callee = b.ins().iconst(ptr, helper);
            b.ins().call_indirect(sref, callee, &[data_ptr, args_ptr, out_ptr]);
            match ret {
                Some(d) => {
                    let r = b.ins().stack_load(ptr, cl_type(d), out_slot, 0);
                    b.ins().return_(&[r]);
                }
                None => {
                    b.ins().return_(&[]);
                }
            }
            b.finalize(frontend);
        }
        let r = jit.module.define_function(id, &mut ctx).map_err(|e| format!("{e:?}"));
        jit.module.clear_context(&mut ctx);
        r?;
        jit.module.finalize_definitions().map_err(|e| e.to_string())?;
        Ok(jit.module.get_finalized_function(id) as usize)
    })
    .map_err(|e| PyValueError::new_err(format!("pyston internal error building a cfunc: {e}")))
}
