//! Facts the numeric tier's passes establish and codegen relies on: which
//! array accesses need no index checks (and the guards that prove it before
//! a loop), which int operations cannot overflow, and which may wrap.

use crate::ir::{Block, Value};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Guard {
    /// `base + sum(more) + offset <= array.shape[axis]` (an overflowing sum fails)
    Upper {
        base: Value,
        more: Vec<Value>,
        offset: i64,
        array: Value,
        axis: usize,
    },
    /// `base + offset >= 0`
    Lower { base: Value, offset: i64 },
    /// `base <= limit` (a trip count small enough that a carried sum cannot overflow)
    AtMost { base: Value, limit: i64 },
    /// `src.shape[src_axis] + offset <= array.shape[axis]` (an index clamped
    /// by another array's length: `x[min(j, w.shape[0])]`)
    UpperDim {
        src: Value,
        src_axis: usize,
        offset: i64,
        array: Value,
        axis: usize,
    },
}

#[derive(Default, Debug)]
pub struct IndexFacts {
    /// (block, instruction, axis) of accesses that need no index checks.
    pub unchecked: HashSet<(Block, usize, usize)>,
    /// Guards to emit at the end of each preheader block.
    pub guards: HashMap<Block, Vec<Guard>>,
    /// (block, instruction) of int `+ - *` whose result provably fits in 64
    /// bits: `i + 1`, `i - 1`, `i * m + j` on loop variables and array sizes;
    /// and builtin `abs(x)` calls of a Python int `x` proven above -2**63.
    pub no_overflow: HashSet<(Block, usize)>,
    /// (block, instruction) of int `+ - * <<` whose result is only ever masked
    /// with `& M` (M >= 0): they may wrap (the mask keeps exact low bits).
    pub wrapping: HashSet<(Block, usize)>,
    /// (block, instruction) of a conversion `np.<int dtype>(x)` of a Python
    /// int or bool `x` whose value is proven to lie in the dtype's range: it
    /// needs no range check (NumPy's OverflowError cannot happen).
    pub in_dtype: HashSet<(Block, usize)>,
    /// (block, instruction) of complex64 `+ - *` in a loop whose non-finite
    /// checks are made once, when the loop exits (`exit_checks`).
    pub c64_deferred: HashSet<(Block, usize)>,
    /// By the exit block of such a loop: the check made on entering it.
    pub exit_checks: HashMap<Block, ExitCheck>,
}

/// On leaving a loop whose complex64 `+ - *` are unchecked (`c64_deferred`):
/// when a carried complex64 value is not finite, deoptimize to the end of the
/// loop's preheader, where the interpreter runs the loop again from its start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCheck {
    pub header: Block,
    pub preheader: Block,
    /// The header's complex64 parameters (the carried values).
    pub params: Vec<Value>,
}
