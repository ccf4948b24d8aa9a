//! The JIT: one Cranelift module shared by all compiled functions (behind a
//! mutex), its settings, and the ISAs `inspect_asm` lowers for.

use crate::deopt::{pyston_push_frame, pyston_resume};
use crate::helpers::exceptions;
use crate::helpers::*;
use crate::runtime;
use cranelift_codegen::settings::Configurable;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use std::sync::{Arc, Mutex};

pub struct Jit {
    pub module: JITModule,
    pub fctx: FunctionBuilderContext,
    pub ctx: cranelift_codegen::Context,
    pub counter: u64,
}

// SAFETY: the JIT is only used under the `JIT` mutex (and with the GIL held).
unsafe impl Send for Jit {}

static JIT: Mutex<Option<Jit>> = Mutex::new(None);

/// The Cranelift settings of all compiled code.
pub fn jit_flags() -> cranelift_codegen::settings::Flags {
    let mut flags = cranelift_codegen::settings::builder();
    flags.set("opt_level", "speed").unwrap();
    flags.set("use_colocated_libcalls", "false").unwrap();
    flags.set("is_pic", "false").unwrap();
    // Cranelift's IR verifier takes about a quarter of a compilation: it
    // checks pyston's code generator, not the user's program, so it runs in
    // debug builds and under `PYSTON_VERIFY=1` (the test suite and the fuzzers
    // set it), as other Cranelift embedders do in release.
    let verify = cfg!(debug_assertions) || std::env::var_os("PYSTON_VERIFY").is_some_and(|v| !v.is_empty() && v != "0");
    flags
        .set("enable_verifier", if verify { "true" } else { "false" })
        .unwrap();
    cranelift_codegen::settings::Flags::new(flags)
}

pub fn with_jit<R>(f: impl FnOnce(&mut Jit) -> R) -> R {
    let mut guard = JIT.lock().unwrap_or_else(|p| p.into_inner());
    if guard.is_none() {
        let isa = cranelift_native::builder()
            .expect("host machine is not supported by Cranelift")
            .finish(jit_flags())
            .expect("Cranelift ISA");
        let mut b = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
        for (name, ptr) in symbols() {
            b.symbol(name, ptr);
        }
        *guard = Some(Jit {
            module: JITModule::new(b),
            fctx: FunctionBuilderContext::new(),
            ctx: cranelift_codegen::Context::new(),
            counter: 0,
        });
    }
    f(guard.as_mut().unwrap())
}

/// A compiled function: (argument slots, result slots, context, its depth of
/// compiled frames) -> status.
pub type EntryFn = unsafe extern "C" fn(*const u64, *mut u64, *mut runtime::Ctx, u32) -> i32;

/// A Cranelift ISA for `target` ("aarch64" or "x86_64"), with the JIT's
/// settings and the baseline features of that architecture: what compiled code
/// becomes on another machine (for `inspect_asm(target=...)`). The error says
/// which targets there are.
pub fn cross_isa(target: &str) -> Result<Arc<dyn cranelift_codegen::isa::TargetIsa>, String> {
    let triple = match target {
        "aarch64" | "arm64" => "aarch64-unknown-linux-gnu",
        "x86_64" | "x86-64" => "x86_64-unknown-linux-gnu",
        other => {
            return Err(format!(
                "inspect_asm(target={other:?}): the targets are 'aarch64' and 'x86_64'"
            ))
        }
    };
    let builder = cranelift_codegen::isa::lookup_by_name(triple)
        .map_err(|e| format!("no Cranelift backend for {triple}: {e}"))?;
    builder
        .finish(jit_flags())
        .map_err(|e| format!("Cranelift ISA for {triple}: {e}"))
}

/// The symbols compiled code may call, by name.
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    vec![
        ("exp", exp as *const u8),
        ("log", log as *const u8),
        ("log2", log2 as *const u8),
        ("log10", log10 as *const u8),
        ("log1p", log1p as *const u8),
        ("expm1", expm1 as *const u8),
        ("sin", sin as *const u8),
        ("cos", cos as *const u8),
        ("tan", tan as *const u8),
        ("asin", asin as *const u8),
        ("acos", acos as *const u8),
        ("atan", atan as *const u8),
        ("sinh", sinh as *const u8),
        ("cosh", cosh as *const u8),
        ("tanh", tanh as *const u8),
        ("asinh", asinh as *const u8),
        ("acosh", acosh as *const u8),
        ("atanh", atanh as *const u8),
        ("atan2", atan2 as *const u8),
        ("pow", pow as *const u8),
        ("powf", powf as *const u8),
        ("fmod", fmod as *const u8),
        ("hypot", hypot as *const u8),
        ("hypotf", hypotf as *const u8),
        ("pyston_alloc_like", pyston_alloc_like as *const u8),
        ("pyston_ipow", pyston_ipow as *const u8),
        ("pyston_ipow_wrap", pyston_ipow_wrap as *const u8),
        ("pyston_fpow", pyston_fpow as *const u8),
        ("pyston_ipow_neg", pyston_ipow_neg as *const u8),
        ("pyston_math_pow", pyston_math_pow as *const u8),
        ("pyston_fdivmod", pyston_fdivmod as *const u8),
        ("pyston_numba_round", pyston_numba_round as *const u8),
        ("pyston_fdivmod32", pyston_fdivmod32 as *const u8),
        ("pyston_powi_numba", pyston_powi_numba as *const u8),
        ("pyston_raise_zerodiv", pyston_raise_zerodiv as *const u8),
        ("pyston_warn_bool_invert", pyston_warn_bool_invert as *const u8),
        ("pyston_raise_zerodiv_numba", pyston_raise_zerodiv_numba as *const u8),
        ("pyston_cdiv", pyston_cdiv as *const u8),
        ("pyston_npy_cdiv", pyston_npy_cdiv as *const u8),
        ("pyston_npy_cdiv32", pyston_npy_cdiv32 as *const u8),
        ("pyston_cdiv32", pyston_cdiv32 as *const u8),
        ("pyston_pyround", pyston_pyround as *const u8),
        ("pyston_cpow", pyston_cpow as *const u8),
        ("pyston_pycall", pyston_pycall as *const u8),
        ("pyston_rng_zig_tail", pyston_rng_zig_tail as *const u8),
        ("pyston_rng_fill", pyston_rng_fill as *const u8),
        ("pyston_pycall_dying", pyston_pycall_dying as *const u8),
        ("pyston_arena_mark", pyston_arena_mark as *const u8),
        ("pyston_box_int", pyston_box_int as *const u8),
        ("pyston_box_float", pyston_box_float as *const u8),
        ("pyston_cell_set", pyston_cell_set as *const u8),
        ("pyston_obj_f64", pyston_obj_f64 as *const u8),
        ("pyston_int_op", pyston_int_op as *const u8),
        ("pyston_int_cmp", pyston_int_cmp as *const u8),
        ("pyston_int_truth", pyston_int_truth as *const u8),
        ("pyston_int_truediv", pyston_int_truediv as *const u8),
        ("pyston_arena_collect", pyston_arena_collect as *const u8),
        ("pyston_arena_release_name", pyston_arena_release_name as *const u8),
        ("pyston_np_power", pyston_np_power as *const u8),
        ("pyston_alloc", pyston_alloc as *const u8),
        ("pyston_copy", pyston_copy as *const u8),
        ("pyston_resume", pyston_resume as *const u8),
        ("pyston_push_frame", pyston_push_frame as *const u8),
        ("pyston_catch", exceptions::pyston_catch as *const u8),
        ("pyston_exc_match", exceptions::pyston_exc_match as *const u8),
        ("pyston_reraise", exceptions::pyston_reraise as *const u8),
        ("pyston_try_raise", exceptions::pyston_try_raise as *const u8),
        ("pyston_lazy_exc", exceptions::pyston_lazy_exc as *const u8),
        ("pyston_exc_seen", exceptions::pyston_exc_seen as *const u8),
        ("pyston_exc_unseen", exceptions::pyston_exc_unseen as *const u8),
        ("pyston_index_oob", exceptions::pyston_index_oob as *const u8),
        ("pyston_pymath", pyston_pymath as *const u8),
        ("pyston_list_new", pyston_list_new as *const u8),
        ("pyston_list_append", pyston_list_append as *const u8),
        ("pyston_list_get", pyston_list_get as *const u8),
        ("pyston_list_items", pyston_list_items as *const u8),
        ("pyston_list_set", pyston_list_set as *const u8),
        ("pyston_list_len", pyston_list_len as *const u8),
        ("pyston_list_mutated", pyston_list_mutated as *const u8),
        ("pyston_list_fill", pyston_list_fill as *const u8),
        ("pyston_llist_new", pyston_llist_new as *const u8),
        ("pyston_llist_grow", pyston_llist_grow as *const u8),
        ("pyston_llist_index_error", pyston_llist_index_error as *const u8),
        ("pyston_llist_to_list", pyston_llist_to_list as *const u8),
        ("pyston_llist_sum", pyston_llist_sum as *const u8),
        ("pyston_llist_minmax", pyston_llist_minmax as *const u8),
        ("pyston_llist_op", pyston_llist_op as *const u8),
        ("pyston_llist_repeat", pyston_llist_repeat as *const u8),
        ("pyston_ldict_new", pyston_ldict_new as *const u8),
        ("pyston_ldict_get", pyston_ldict_get as *const u8),
        ("pyston_ldict_set", pyston_ldict_set as *const u8),
        ("pyston_ldict_to_dict", pyston_ldict_to_dict as *const u8),
        ("pyston_liter_new", pyston_liter_new as *const u8),
        ("pyston_liter_changed", pyston_liter_changed as *const u8),
        ("pyston_dict_new", pyston_dict_new as *const u8),
        ("pyston_dict_get", pyston_dict_get as *const u8),
        ("pyston_dict_get_default", pyston_dict_get_default as *const u8),
        ("pyston_dict_set", pyston_dict_set as *const u8),
        ("pyston_dict_contains", pyston_dict_contains as *const u8),
        ("pyston_dict_len", pyston_dict_len as *const u8),
        ("pyston_dict_del", pyston_dict_del as *const u8),
        ("pyston_set_new", pyston_set_new as *const u8),
        ("pyston_set_add", pyston_set_add as *const u8),
        ("pyston_set_discard", pyston_set_discard as *const u8),
        ("pyston_set_contains", pyston_set_contains as *const u8),
        ("pyston_set_len", pyston_set_len as *const u8),
        ("pyston_iter_new", pyston_iter_new as *const u8),
        ("pyston_iter_next", pyston_iter_next as *const u8),
        ("pyston_iter_item", pyston_iter_item as *const u8),
        ("pyston_iter_step", pyston_iter_step as *const u8),
        ("pyston_str_len", pyston_str_len as *const u8),
        ("pyston_str_getitem", pyston_str_getitem as *const u8),
        ("pyston_str_cmp", pyston_str_cmp as *const u8),
        ("pyston_str_contains", pyston_str_contains as *const u8),
        ("pyston_str_concat", pyston_str_concat as *const u8),
        ("pyston_str_from", pyston_str_from as *const u8),
        ("pyston_str_to_int", pyston_str_to_int as *const u8),
        ("pyston_str_slice", pyston_str_slice as *const u8),
        ("pyston_str_search", pyston_str_search as *const u8),
        ("pyston_str_read_char", pyston_str_read_char as *const u8),
        ("pyston_char_box", pyston_char_box as *const u8),
        ("pyston_char_is", pyston_char_is as *const u8),
        ("pyston_str_build", pyston_str_build as *const u8),
        ("pyston_str_has_char", pyston_str_has_char as *const u8),
        ("pyston_char_cmp", pyston_char_cmp as *const u8),
        ("pyston_char_to_int", pyston_char_to_int as *const u8),
        ("pyston_split_init", pyston_split_init as *const u8),
        ("pyston_split_next", pyston_split_next as *const u8),
        ("pyston_split_int", pyston_split_int as *const u8),
        ("pyston_split_list", pyston_split_list as *const u8),
        ("pyston_split_piece", pyston_split_piece as *const u8),
        ("pyston_dot_seq_limit", pyston_dot_seq_limit as *const u8),
        ("pyston_ddot", pyston_ddot as *const u8),
        ("pyston_scalar_ufuncs_ok", pyston_scalar_ufuncs_ok as *const u8),
        ("pyston_fuse_elidable", pyston_fuse_elidable as *const u8),
        ("pyston_clear_error", pyston_clear_error as *const u8),
        ("pyston_release_temp", pyston_release_temp as *const u8),
        ("pyston_pairwise_sum", pyston_pairwise_sum as *const u8),
        ("pyston_pairwise_csum", pyston_pairwise_csum as *const u8),
        ("pyston_pw_leaves", pyston_pw_leaves as *const u8),
        ("pyston_pw_combine", pyston_pw_combine as *const u8),
        ("pyston_row_scratch", pyston_row_scratch as *const u8),
        ("pyston_ufunc_scratch", pyston_ufunc_scratch as *const u8),
        ("pyston_store_scratch", pyston_store_scratch as *const u8),
        ("pyston_col_add", pyston_col_add as *const u8),
        ("pyston_col_finish", pyston_col_finish as *const u8),
        ("pyston_ufunc_loop", pyston_ufunc_loop as *const u8),
        ("pyston_zmatmul", pyston_zmatmul as *const u8),
        ("pyston_zmatmul_add", pyston_zmatmul_add as *const u8),
        ("pyston_cmul_scalar", pyston_cmul_scalar as *const u8),
        ("pyston_cadd_inplace", pyston_cadd_inplace as *const u8),
        ("pyston_cscalar_ufunc", pyston_cscalar_ufunc as *const u8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyston_compiler::abi::{helper, HELPERS};

    #[test]
    fn every_helper_has_an_address() {
        let syms = symbols();
        for h in HELPERS {
            assert!(syms.iter().any(|(n, _)| *n == h.name), "{} has no address", h.name);
        }
        for (n, _) in &syms {
            assert!(helper(n).is_some(), "{n} is not in abi::HELPERS");
        }
        assert_eq!(syms.len(), HELPERS.len());
    }
}
