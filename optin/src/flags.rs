//! The table of opt-in flags: one module per flag.

mod boundscheck;
mod error_model;
mod fallback;
mod fastmath;
mod frozen_globals;
mod nogil;
mod parallel;
mod unchecked_int;
mod wraparound;

use crate::Flag;

/// Every flag `@pyston.fast(...)` accepts, in documentation order.
pub const FLAGS: &[Flag] = &[
    frozen_globals::FLAG,
    unchecked_int::FLAG,
    boundscheck::FLAG,
    wraparound::FLAG,
    error_model::FLAG,
    fastmath::FLAG,
    nogil::FLAG,
    parallel::FLAG,
    fallback::FLAG,
];

/// The boolean of a value the table has checked.
fn on(v: &crate::FlagValue) -> bool {
    matches!(v, crate::FlagValue::Bool(true))
}
