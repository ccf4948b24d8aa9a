//! The `extern "C"` functions compiled code calls, grouped by kind; their
//! names and signatures are `pyston_compiler::abi::HELPERS`, and
//! [`symbols`] gives each its address.

mod arrays;
mod calls;
mod ints;
mod math;

use crate::runtime::*;
pub use arrays::*;
pub use calls::*;
pub use ints::*;
pub use math::*;

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
        ("pyston_alloc_like", pyston_alloc_like as *const u8),
        ("pyston_ipow", pyston_ipow as *const u8),
        ("pyston_ipow_wrap", pyston_ipow_wrap as *const u8),
        ("pyston_fpow", pyston_fpow as *const u8),
        ("pyston_math_pow", pyston_math_pow as *const u8),
        ("pyston_fdivmod", pyston_fdivmod as *const u8),
        ("pyston_fdivmod32", pyston_fdivmod32 as *const u8),
        ("pyston_powi_numba", pyston_powi_numba as *const u8),
        ("pyston_raise_zerodiv", pyston_raise_zerodiv as *const u8),
        ("pyston_cdiv", pyston_cdiv as *const u8),
        ("pyston_npy_cdiv", pyston_npy_cdiv as *const u8),
        ("pyston_pyround", pyston_pyround as *const u8),
        ("pyston_cpow", pyston_cpow as *const u8),
        ("pyston_pycall", pyston_pycall as *const u8),
        ("pyston_arena_mark", pyston_arena_mark as *const u8),
        ("pyston_box_int", pyston_box_int as *const u8),
        ("pyston_box_float", pyston_box_float as *const u8),
        ("pyston_obj_f64", pyston_obj_f64 as *const u8),
        ("pyston_int_op", pyston_int_op as *const u8),
        ("pyston_int_cmp", pyston_int_cmp as *const u8),
        ("pyston_int_truth", pyston_int_truth as *const u8),
        ("pyston_int_truediv", pyston_int_truediv as *const u8),
        ("pyston_arena_collect", pyston_arena_collect as *const u8),
        ("pyston_np_power", pyston_np_power as *const u8),
        ("pyston_alloc", pyston_alloc as *const u8),
        ("pyston_copy", pyston_copy as *const u8),
        ("pyston_resume", pyston_resume as *const u8),
        ("pyston_push_frame", pyston_push_frame as *const u8),
        ("pyston_pymath", pyston_pymath as *const u8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipow() {
        let mut out = 0i64;
        // SAFETY: `out` is a valid i64.
        unsafe {
            assert_eq!(pyston_ipow(3, 4, &mut out), OK);
            assert_eq!(out, 81);
            assert_eq!(pyston_ipow(2, 63, &mut out), DEOPT);
            assert_eq!(pyston_ipow(-2, 63, &mut out), OK);
            assert_eq!(out, i64::MIN);
            assert_eq!(pyston_ipow(2, -1, &mut out), DEOPT);
        }
    }

    #[test]
    fn fdivmod_matches_python() {
        let mut m = 0.0;
        // SAFETY: `m` is a valid f64.
        assert_eq!(unsafe { pyston_fdivmod(7.0, -2.0, &mut m) }, -4.0);
        assert_eq!(m, -1.0);
        // SAFETY: as above.
        assert_eq!(unsafe { pyston_fdivmod(-7.5, 2.0, &mut m) }, -4.0);
        assert_eq!(m, 0.5);
        // SAFETY: as above.
        let q = unsafe { pyston_fdivmod(0.0, -3.0, &mut m) };
        assert!(q == 0.0 && q.is_sign_negative() && m.is_sign_negative());
    }

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
