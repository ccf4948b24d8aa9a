//! The `extern "C"` functions compiled code calls, grouped by kind; their
//! names and signatures are `pyston_compiler::abi::HELPERS`, and
//! `crate::jit::symbols` gives each its address.

mod arrays;
pub mod bitgen;
pub(crate) mod calls;
pub mod cscalar;
pub mod csmall;
mod dicts;
pub mod distributions;
pub mod exceptions;
mod ints;
mod iters;
pub(crate) mod lists;
pub mod local_lists;
mod masks;
mod math;
pub mod pure;
pub mod pyrandom;
pub mod random;
mod sets;
pub mod small;
mod strings;
pub mod wide;
mod ziggurat;

pub use arrays::*;
pub use calls::*;
pub use cscalar::pyston_cscalar_ufunc;
pub use csmall::{pyston_cadd_inplace, pyston_cmul_scalar, pyston_zmatmul, pyston_zmatmul_add};
pub use dicts::*;
pub use ints::*;
pub use iters::*;
pub use lists::*;
pub use local_lists::{
    pyston_ldict_get, pyston_ldict_new, pyston_ldict_set, pyston_ldict_to_dict, pyston_liter_changed, pyston_liter_new,
    pyston_llist_grow, pyston_llist_index_error, pyston_llist_minmax, pyston_llist_new, pyston_llist_op,
    pyston_llist_repeat, pyston_llist_sum, pyston_llist_to_list,
};
pub use math::*;
pub use random::pyston_rng_zig_tail;
pub use sets::*;
pub use small::{
    pyston_col_add, pyston_col_finish, pyston_ddot, pyston_dot_seq_limit, pyston_pairwise_csum, pyston_pairwise_sum,
    pyston_pw_combine, pyston_pw_leaves, pyston_row_scratch, pyston_scalar_ufuncs_ok, pyston_store_scratch,
    pyston_ufunc_loop, pyston_ufunc_scratch,
};
pub use strings::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{DEOPT, OK};

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
}
