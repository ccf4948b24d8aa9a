//! The ABI between compiled code and the runtime: what both sides agree on.
//!
//! Compiled functions have the signature
//! `extern "C" fn(args: *const u64, out: *mut u64, ctx: *mut Ctx, depth: u32) -> i32`.
//! Values travel as *slots*: one 64-bit word per machine value of the type's
//! representation (see [`slot_types`]). The status is [`OK`], [`ERROR`] (a
//! Python exception is set) or [`DEOPT`] (the live values are in
//! `ctx.slots` and the interpreter must finish the call from
//! `ctx.deopt_point`). The runtime's `Ctx` is `#[repr(C)]` with the fields at
//! the `CTX_*` offsets below; it asserts them at compile time.

use crate::hir::BinOp;
use crate::ir::{Block, Value};
use crate::types::{Dtype, Ty};

pub const OK: i32 = 0;
pub const ERROR: i32 = 1;
/// What `pyston_cell_set`'s value bits are: an object's pointer, an i64 or
/// an f64 (boxed there: the cell holds the only reference), or nothing
/// (the cell is emptied).
pub const CELL_OBJ: i32 = 0;
pub const CELL_INT: i32 = 1;
pub const CELL_FLOAT: i32 = 2;
pub const CELL_CLEAR: i32 = 3;
/// A bool (0 or 1), set as `True`/`False`.
pub const CELL_BOOL: i32 = 4;
/// A NumPy scalar of one slot: `CELL_NP + dtype.index()`, the slot's bits
/// zero-extended to 64 (boxed by `boxing::box_value`).
pub const CELL_NP: i32 = 16;
pub const DEOPT: i32 = 2;

/// Capacity of the deoptimization buffer (slots live at one deopt point).
pub const DEOPT_SLOTS: usize = 512;

pub const CTX_DEOPT_POINT_OFFSET: i32 = 0;
pub const CTX_DEPTH_OFFSET: i32 = 4;
pub const CTX_DEPTH_LIMIT_OFFSET: i32 = 8;
pub const CTX_SLOTS_OFFSET: i32 = 16;

/// Status of `pyston_pycall` when the result has another type than compiled
/// code expected: it is in `ctx.pending`, and the caller deoptimizes after the call.
pub const DEOPT_AFTER: i32 = 3;

/// A local list's fields (`Ty::LocalList`; the runtime's `helpers/local_lists.rs`),
/// byte offsets from the object: the element buffer (one word each), the
/// length, the capacity, and the `list` it was made into; then its size.
pub const LLIST_DATA: i32 = 16;
pub const LLIST_LEN: i32 = 24;
pub const LLIST_CAP: i32 = 32;
pub const LLIST_BOXED: i32 = 40;
pub const LLIST_SIZE: i32 = 48;
/// A local dict's (`Ty::LocalDict`) entries (pairs of words: key, value, in
/// insertion order), their count, and its size.
pub const LDICT_ENTRIES: i32 = 16;
pub const LDICT_LEN: i32 = 24;
pub const LDICT_SIZE: i32 = 64;
/// A local dict's loop iterator (`Ty::LocalIter`): the local dict (a
/// reference it owns), the dict's length when the loop started, the number
/// of items fetched, and the `[iterator, current item]` list it was made
/// into; then its size.
pub const LITER_DICT: i32 = 16;
pub const LITER_LEN0: i32 = 24;
pub const LITER_POS: i32 = 32;
pub const LITER_BOXED: i32 = 40;
pub const LITER_SIZE: i32 = 48;

/// Where the running CPython keeps a `str`'s characters (`PyASCIIObject` and
/// `PyCompactUnicodeObject`, whose layout changed in 3.12), found and checked
/// by the runtime on sample strings of every kind; compiled code reads the
/// characters of a compact string at these offsets and calls
/// `pyston_str_read_char` for any other string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrLayout {
    /// Offset of the `state` bit field (kind in bits 2..5, compact bit 5, ascii bit 6).
    pub state: i32,
    /// Offset of the characters of a compact ASCII string.
    pub ascii_data: i32,
    /// Offset of the characters of a compact non-ASCII string.
    pub compact_data: i32,
}

/// The `str` methods compiled code runs on a one-character string held as its
/// code point (`pyston_char_is` takes the index).
pub const CHAR_METHODS: &[&str] = &[
    "isdigit",
    "isdecimal",
    "isnumeric",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "isprintable",
    "istitle",
    "isidentifier",
    "isascii",
];

/// The state of a `for p in s.split(sep)` loop whose list is never made
/// (`pyston_split_*`): the words `[s, sep, next item index, search position,
/// item start, item end, item count]`.
pub const SPLIT_WORDS: u32 = 7;
pub const SPLIT_END: i32 = 40;
pub const SPLIT_COUNT: i32 = 48;

/// Offset of a `str`'s length (`PyASCIIObject.length`, after the object header).
pub const STR_LENGTH_OFFSET: i32 = 16;

/// Where the interpreter resumes after a deoptimization, and what it receives.
#[derive(Clone, Debug)]
pub struct DeoptPoint {
    pub block: Block,
    /// Index of the instruction to re-execute (`insts.len()`: the terminator).
    pub inst: usize,
    /// The live values, in slot order.
    pub values: Vec<Value>,
    /// The value the interpreter takes from `ctx.pending` (a call's result that
    /// compiled code could not hold).
    pub pending: Option<Value>,
    /// The instruction raised (the Python exception is set) inside a `try`
    /// body: the interpreter raises it there, to the block's handler.
    pub raised: bool,
}

// ---------------------------------------------------------------------------
// Type representation

/// The machine types of a value of type `t`, one slot each.
pub fn slot_types(t: &Ty) -> Vec<SlotTy> {
    let mut v = Vec::new();
    push_slots(t, &mut v);
    v
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotTy {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

fn push_slots(t: &Ty, v: &mut Vec<SlotTy>) {
    match t {
        Ty::Bool => v.push(SlotTy::I8),
        Ty::Int | Ty::PyInt => v.push(SlotTy::I64),
        t if t.is_object() => v.push(SlotTy::I64),
        Ty::Float => v.push(SlotTy::F64),
        Ty::Range => v.extend([SlotTy::I64; 3]),
        Ty::Complex => v.extend([SlotTy::F64, SlotTy::F64]),
        Ty::Np(d) => v.extend_from_slice(dtype_slots(*d)),
        Ty::Array(a) => {
            v.extend([SlotTy::I64, SlotTy::I64]);
            v.extend(std::iter::repeat_n(SlotTy::I64, 2 * a.ndim as usize));
        }
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Slice(ts) => ts.iter().for_each(|t| push_slots(t, v)),
        Ty::Union(ms) => {
            v.push(SlotTy::I8);
            v.extend(union_layout(ms).1);
        }
        _ => {}
    }
}

/// The payload layout of a union: members with the same machine
/// representation (`float` and `np.float64`, `int` and `np.int64`) share
/// slots. Returns each member's offset into the payload (after the tag) and
/// the payload's slot types.
pub fn union_layout(ms: &[Ty]) -> (Vec<usize>, Vec<SlotTy>) {
    let mut groups: Vec<(Vec<SlotTy>, usize)> = Vec::new();
    let mut payload = Vec::new();
    let mut offsets = Vec::new();
    for m in ms {
        let st = slot_types(m);
        match groups.iter().find(|(g, _)| *g == st) {
            Some((_, off)) => offsets.push(*off),
            None => {
                groups.push((st.clone(), payload.len()));
                offsets.push(payload.len());
                payload.extend(st);
            }
        }
    }
    (offsets, payload)
}

/// The slots of one element of dtype `d`.
#[inline]
pub fn dtype_slots(d: Dtype) -> &'static [SlotTy] {
    match d {
        Dtype::Bool => &[SlotTy::I8],
        Dtype::Int32 => &[SlotTy::I32],
        Dtype::Int64 => &[SlotTy::I64],
        Dtype::Float32 => &[SlotTy::F32],
        Dtype::Float64 => &[SlotTy::F64],
        Dtype::Complex128 => &[SlotTy::F64, SlotTy::F64],
        Dtype::Int8 | Dtype::UInt8 => &[SlotTy::I8],
        Dtype::Int16 | Dtype::UInt16 => &[SlotTy::I16],
        Dtype::UInt32 => &[SlotTy::I32],
        Dtype::UInt64 => &[SlotTy::I64],
        // float16: its IEEE binary16 bits.
        Dtype::Float16 => &[SlotTy::I16],
        Dtype::Complex64 => &[SlotTy::F32, SlotTy::F32],
        // datetime64 / timedelta64: the int64 count (NaT = i64::MIN).
        Dtype::Datetime(_) | Dtype::Timedelta(_) => &[SlotTy::I64],
        // A record element (`a[i]` of a structured array): its address and
        // the array object that owns the memory.
        Dtype::Record(_) => &[SlotTy::I64, SlotTy::I64],
    }
}

/// How many slots a value of type `t` takes (`slot_types(t).len()`, without
/// building the list: the dispatcher asks on every call).
#[inline]
pub fn slot_count(t: &Ty) -> usize {
    match t {
        Ty::Bool | Ty::Int | Ty::PyInt | Ty::Float => 1,
        t if t.is_object() => 1,
        Ty::Complex => 2,
        Ty::Range => 3,
        Ty::Np(d) => dtype_slots(*d).len(),
        Ty::Array(a) => ArraySlots::new(a.ndim as usize).count(),
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Slice(ts) => ts.iter().map(slot_count).sum(),
        Ty::Union(ms) => 1 + union_layout(ms).1.len(),
        _ => 0,
    }
}

/// The position of `d` in `Dtype::ALL` (the runtime's tables are indexed by it).
#[inline]
pub fn dtype_index(d: Dtype) -> usize {
    match d {
        Dtype::Bool => 0,
        Dtype::Int32 => 1,
        Dtype::Int64 => 2,
        Dtype::Float32 => 3,
        Dtype::Float64 => 4,
        Dtype::Complex128 => 5,
        Dtype::Int8 => 6,
        Dtype::Int16 => 7,
        Dtype::UInt8 => 8,
        Dtype::UInt16 => 9,
        Dtype::UInt32 => 10,
        Dtype::UInt64 => 11,
        Dtype::Float16 => 12,
        Dtype::Complex64 => 13,
        d => d.index(),
    }
}

/// The binary operators `pyston_int_op` performs, by index.
pub const INT_OPS: [BinOp; 12] = {
    use BinOp::*;
    [
        Add, Sub, Mul, FloorDiv, Mod, Pow, BitAnd, BitOr, BitXor, LShift, RShift, Div,
    ]
};

/// Positions of the machine words ("slots") that make up an array value in
/// compiled code: `[data, object, shape_0.., strides_0..]`.
///
/// `object` is the `PyArrayObject*` whose memory the data lives in (the base
/// of a view); strides are in bytes, as in NumPy.
#[derive(Clone, Copy, Debug)]
pub struct ArraySlots {
    pub ndim: usize,
}

impl ArraySlots {
    pub const DATA: usize = 0;
    pub const OBJ: usize = 1;
    #[inline]
    pub fn new(ndim: usize) -> Self {
        ArraySlots { ndim }
    }
    #[inline]
    pub fn count(self) -> usize {
        2 + 2 * self.ndim
    }
    #[inline]
    pub fn shape(self, axis: usize) -> usize {
        2 + axis
    }
    #[inline]
    pub fn stride(self, axis: usize) -> usize {
        2 + self.ndim + axis
    }
    /// The positions of the shape (one per axis).
    #[inline]
    pub fn shapes(self) -> std::ops::Range<usize> {
        2..2 + self.ndim
    }
    /// The positions of the byte strides (one per axis).
    #[inline]
    pub fn strides(self) -> std::ops::Range<usize> {
        2 + self.ndim..2 + 2 * self.ndim
    }
}

/// A function compiled code calls: its symbol and its signature in machine types.
#[derive(Clone, Copy, Debug)]
pub struct Helper {
    pub name: &'static str,
    pub params: &'static [SlotTy],
    pub returns: &'static [SlotTy],
}

const fn h(name: &'static str, params: &'static [SlotTy], returns: &'static [SlotTy]) -> Helper {
    Helper { name, params, returns }
}

use SlotTy::{F32, F64, I32, I64};

/// The bit of `pyston_pycall_dying`'s mask (above the dying arguments', at
/// most 63) saying that nothing uses the call's array result: the runtime
/// drops it at once instead of keeping it in the arena.
pub const PYCALL_DISCARD: u64 = 1 << 63;

/// Every function compiled code may call. Codegen declares its imports from
/// this table and the runtime resolves each name to an address (its test
/// checks that every entry has one, and nothing more).
pub const HELPERS: &[Helper] = &[
    // libm: the same functions CPython's math module calls.
    h("exp", &[F64], &[F64]),
    h("log", &[F64], &[F64]),
    h("log2", &[F64], &[F64]),
    h("log10", &[F64], &[F64]),
    h("log1p", &[F64], &[F64]),
    h("expm1", &[F64], &[F64]),
    h("sin", &[F64], &[F64]),
    h("cos", &[F64], &[F64]),
    h("tan", &[F64], &[F64]),
    h("asin", &[F64], &[F64]),
    h("acos", &[F64], &[F64]),
    h("atan", &[F64], &[F64]),
    h("sinh", &[F64], &[F64]),
    h("cosh", &[F64], &[F64]),
    h("tanh", &[F64], &[F64]),
    h("asinh", &[F64], &[F64]),
    h("acosh", &[F64], &[F64]),
    h("atanh", &[F64], &[F64]),
    h("atan2", &[F64, F64], &[F64]),
    h("pow", &[F64, F64], &[F64]),
    h("powf", &[F32, F32], &[F32]),
    h("fmod", &[F64, F64], &[F64]),
    h("hypot", &[F64, F64], &[F64]),
    h("hypotf", &[F32, F32], &[F32]),
    // scalar arithmetic with Python's or NumPy's semantics
    h("pyston_ipow", &[I64, I64, I64], &[I32]),
    h("pyston_ipow_wrap", &[I64, I64, I64], &[I32]),
    h("pyston_fpow", &[F64, F64, I64], &[I32]),
    h("pyston_ipow_neg", &[I64, I64, I64], &[I32]),
    h("pyston_math_pow", &[F64, F64, I64], &[I32]),
    h("pyston_fdivmod", &[F64, F64, I64], &[F64]),
    h("pyston_fdivmod32", &[F32, F32, I64], &[F32]),
    h("pyston_powi_numba", &[F64, I64, I64], &[I32]),
    h("pyston_raise_zerodiv", &[], &[]),
    h("pyston_warn_bool_invert", &[], &[I32]),
    h("pyston_raise_zerodiv_numba", &[I32], &[]),
    h("pyston_cdiv", &[F64, F64, F64, F64, I64], &[I32]),
    h("pyston_npy_cdiv", &[F64, F64, F64, F64, I64], &[I32]),
    h("pyston_npy_cdiv32", &[F32, F32, F32, F32, I64], &[I32]),
    h("pyston_cdiv32", &[F32, F32, F32, F32, I64], &[I32]),
    h("pyston_pyround", &[F64, I64, I64], &[I32]),
    h("pyston_numba_round", &[F64, I64], &[F64]),
    h("pyston_cpow", &[I32, F64, F64, F64, F64, I64], &[I32]),
    h("pyston_np_power", &[I32, F64, F64, I64], &[I32]),
    h("pyston_pymath", &[I64, F64, F64, I64], &[I32]),
    // small arrays natively (numeric/src/small.rs)
    h("pyston_dot_seq_limit", &[], &[I64]),
    h("pyston_ddot", &[I64, I64, I64, I64, I64, I64], &[I32]),
    h("pyston_scalar_ufuncs_ok", &[], &[I64]),
    h("pyston_fuse_elidable", &[I64, I64, I64, I64], &[I32]),
    h("pyston_clear_error", &[], &[]),
    h("pyston_release_temp", &[I64, I64], &[]),
    h("pyston_pairwise_sum", &[I64, I64, I64, I32], &[F64]),
    h("pyston_pairwise_csum", &[I64, I64, I64, I64], &[]),
    h("pyston_pw_leaves", &[I64], &[I64]),
    h("pyston_pw_combine", &[I64, I32], &[F64]),
    h("pyston_row_scratch", &[I64], &[I64]),
    h("pyston_ufunc_scratch", &[I64], &[I64]),
    h("pyston_store_scratch", &[I64], &[I64]),
    h("pyston_col_add", &[I64, I64, I64, I32], &[]),
    h("pyston_col_finish", &[I64, I64, I64, I32], &[I32]),
    h("pyston_ufunc_loop", &[I64, I64, I64, I64, I64, I64], &[I32]),
    // small complex128 matrices (numeric/src/small.rs, core/runtime/src/helpers/csmall.rs)
    h("pyston_zmatmul", &[I64, I64, I64, I64, I64, I64, I64, I64], &[I32]),
    h("pyston_zmatmul_add", &[I64, I64, I64, I64, I64, I64, I64, I64], &[I32]),
    h(
        "pyston_cmul_scalar",
        &[I64, I64, I64, I64, I64, F64, F64, I64, I64],
        &[I32],
    ),
    h("pyston_cadd_inplace", &[I64, I64, I64, I64, I64, I64, I64, I64], &[I32]),
    // complex NumPy scalars' ufuncs (numeric/src/small_complex.rs, core/runtime/src/helpers/cscalar.rs)
    h("pyston_cscalar_ufunc", &[I64, I64, I64, I64], &[I32]),
    // Python ints beyond 64 bits (boxed)
    h("pyston_box_int", &[I64, I64], &[I64]),
    h("pyston_box_float", &[I64, F64], &[I64]),
    // a variable's cell (`Op::CellSet`): ctx, cell, value's bits, their kind (CELL_*)
    h("pyston_cell_set", &[I64, I64, I64, I32], &[I32]),
    h("pyston_obj_f64", &[I64, I64], &[I32]),
    h("pyston_int_op", &[I64, I32, I64, I64], &[I64]),
    h("pyston_int_cmp", &[I32, I64, I64], &[I32]),
    h("pyston_int_truth", &[I64], &[I32]),
    h("pyston_int_truediv", &[I64, I64, I64], &[I32]),
    // arrays and objects made in compiled code
    h("pyston_alloc", &[I64, I32, I32, I64, I64, I32, I64], &[I32]),
    h("pyston_alloc_like", &[I64, I32, I32, I64, I64, I32, I64], &[I32]),
    h("pyston_copy", &[I64, I32, I64, I64, I64], &[I32]),
    h("pyston_arena_mark", &[I64], &[I64]),
    h("pyston_arena_collect", &[I64, I64, I64, I64, I64, I64], &[]),
    h("pyston_arena_release_name", &[I64, I64, I64], &[]),
    // calls into Python, deoptimization and tracebacks
    h("pyston_pycall", &[I64, I64, I64, I64], &[I32]),
    // an inline ziggurat draw's rare case: (ctx, the 64-bit draw, exponential?) -> the value
    h("pyston_rng_zig_tail", &[I64, I64, I64], &[F64]),
    // a non-escaping array draw into compiled code's buffer: (ctx, desc, args, buf, count) -> status
    h("pyston_rng_fill", &[I64, I64, I64, I64, I64], &[I32]),
    h("pyston_pycall_dying", &[I64, I64, I64, I64, I64], &[I32]),
    h("pyston_resume", &[I64, I64, I64], &[I32]),
    h("pyston_push_frame", &[I64, I64, I64], &[]),
    // lists (helpers/lists.rs): element kind 0 int, 1 float, 2 bool
    h("pyston_list_new", &[I64, I32, I64, I64], &[I64]),
    h("pyston_list_append", &[I64, I64, I32, I64], &[I32]),
    h("pyston_list_get", &[I64, I64, I64, I32, I64], &[I32]),
    // (ctx, list, n, kind, out): the n items of a list of exactly n (`f(*xs)`)
    h("pyston_list_items", &[I64, I64, I64, I32, I64], &[I32]),
    h("pyston_list_set", &[I64, I64, I64, I32, I64], &[I32]),
    h("pyston_list_len", &[I64], &[I64]),
    h("pyston_list_mutated", &[I64, I64], &[I32]),
    h("pyston_list_fill", &[I64, I64, I32, I64], &[I32]),
    // local lists (helpers/local_lists.rs)
    h("pyston_llist_new", &[I64, I64, I64], &[I64]),
    h("pyston_llist_grow", &[I64, I64], &[I32]),
    h("pyston_llist_index_error", &[I64, I32], &[I32]),
    h("pyston_llist_to_list", &[I64, I64, I32], &[I64]),
    h("pyston_llist_sum", &[I64, I64, I32, I64], &[I32]),
    h("pyston_llist_minmax", &[I64, I32, I32, I64], &[I32]),
    h("pyston_llist_op", &[I64, I64, I32, I32, I64, I64, I64], &[I32]),
    h("pyston_llist_repeat", &[I64, I64, I64], &[I64]),
    h("pyston_ldict_new", &[I64], &[I64]),
    h("pyston_ldict_get", &[I64, I64, I64], &[I32]),
    h("pyston_ldict_set", &[I64, I64, I64, I64], &[I32]),
    h("pyston_ldict_to_dict", &[I64, I64, I32], &[I64]),
    h("pyston_liter_new", &[I64, I64], &[I64]),
    h("pyston_liter_changed", &[I64], &[I32]),
    // dicts (helpers/dicts.rs): key and value kinds as the lists' element kinds
    h("pyston_dict_new", &[I64], &[I64]),
    h("pyston_dict_get", &[I64, I64, I32, I64, I32, I64], &[I32]),
    h("pyston_dict_get_default", &[I64, I64, I32, I64, I32, I64, I64], &[I32]),
    h("pyston_dict_set", &[I64, I64, I32, I64, I32, I64], &[I32]),
    h("pyston_dict_contains", &[I64, I64, I32, I64], &[I32]),
    h("pyston_dict_len", &[I64], &[I64]),
    // sets (helpers/sets.rs): element kinds as the lists'
    h("pyston_set_new", &[I64], &[I64]),
    h("pyston_set_add", &[I64, I64, I32, I64], &[I32]),
    h("pyston_set_discard", &[I64, I64, I32, I64], &[I32]),
    h("pyston_set_contains", &[I64, I64, I32, I64], &[I32]),
    h("pyston_set_len", &[I64], &[I64]),
    h("pyston_dict_del", &[I64, I64, I32, I64], &[I32]),
    h("pyston_iter_new", &[I64, I64], &[I64]),
    h("pyston_iter_next", &[I64, I64], &[I32]),
    h("pyston_iter_item", &[I64, I64, I64, I64, I32, I64], &[I32]),
    h("pyston_iter_step", &[I64, I64, I64, I64, I64], &[I32]),
    // strings (helpers/strings.rs)
    h("pyston_str_len", &[I64], &[I64]),
    h("pyston_str_getitem", &[I64, I64, I64], &[I64]),
    h("pyston_str_cmp", &[I64, I64, I64, I32], &[I32]),
    h("pyston_str_contains", &[I64, I64, I64], &[I32]),
    h("pyston_str_concat", &[I64, I64, I64], &[I64]),
    h("pyston_str_from", &[I64, I32, I64], &[I64]),
    h("pyston_str_to_int", &[I64, I64, I64], &[I32]),
    h("pyston_str_slice", &[I64, I64, I64, I32, I64, I32], &[I64]),
    h("pyston_str_search", &[I64, I32, I64, I64], &[I64]),
    h("pyston_str_read_char", &[I64, I64], &[I64]),
    h("pyston_char_box", &[I64, I64], &[I64]),
    h("pyston_char_is", &[I64, I32, I64], &[I32]),
    h("pyston_str_build", &[I64, I64, I64], &[I64]),
    h("pyston_str_has_char", &[I64, I64], &[I32]),
    h("pyston_char_cmp", &[I64, I64, I32], &[I32]),
    h("pyston_char_to_int", &[I64, I64, I64], &[I32]),
    h("pyston_split_init", &[I64, I64, I64, I64], &[I32]),
    h("pyston_split_next", &[I64, I64], &[I64]),
    h("pyston_split_int", &[I64, I64, I64, I64, I64], &[I32]),
    h("pyston_split_list", &[I64, I64], &[I64]),
    h("pyston_split_piece", &[I64, I64, I64, I64], &[I64]),
    // exceptions caught by compiled handlers
    h("pyston_catch", &[I64], &[I64]),
    h("pyston_exc_match", &[I64, I64, I64], &[I32]),
    h("pyston_reraise", &[I64], &[]),
    h("pyston_try_raise", &[I64, I64], &[I32]),
    h("pyston_lazy_exc", &[I64, I64], &[I64]),
    h("pyston_exc_seen", &[I64, I64, I64, I64], &[I64]),
    h("pyston_exc_unseen", &[I64, I64], &[]),
    h("pyston_index_oob", &[I64, I64, I64, I64], &[I64]),
];

/// An exception compiled code raised and caught without making it (see
/// `codegen/exceptions.rs`): a tagged word (low bit set, where an exception
/// instance's pointer has it clear) naming what raised: bits 1-3 the kind,
/// then its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LazyExc {
    /// Python's `ZeroDivisionError` of `a OP 0` with `op` one of `/ // %`;
    /// `float`: either operand is a float.
    ZeroDiv { op: BinOp, float: bool },
    /// NumPy's `IndexError` of an integer index `index` out of bounds for
    /// axis `axis` of size `size` (an array's `a[i, ...]`).
    IndexOob { index: i64, axis: u32, size: i64 },
    /// `StopIteration()` of `next(it)` on an exhausted iterator.
    StopIteration,
}

const LAZY_DIV_OPS: [BinOp; 3] = [BinOp::Div, BinOp::FloorDiv, BinOp::Mod];
const LAZY_INDEX_KIND: i64 = 6;
const LAZY_STOP_KIND: i64 = 7;
/// Bits of an `IndexOob`'s size and (signed) index in the tagged word.
const LAZY_INDEX_BITS: u32 = 27;

impl LazyExc {
    /// The kind bits (`(tag >> 1) & 7`) of an `IndexOob`; of a `StopIteration`;
    /// the others are `ZeroDiv`s.
    pub const INDEX_KIND: i64 = LAZY_INDEX_KIND;
    pub const STOP_KIND: i64 = LAZY_STOP_KIND;

    /// The tagged word standing for the exception (None: its operands do not fit).
    pub fn tag(self) -> Option<i64> {
        match self {
            LazyExc::ZeroDiv { op, float } => {
                let k = LAZY_DIV_OPS.iter().position(|o| *o == op)? as i64;
                Some(((k * 2 + i64::from(float)) << 1) | 1)
            }
            LazyExc::IndexOob { index, axis, size } => {
                let lim = 1i64 << (LAZY_INDEX_BITS - 1);
                if axis >= 64 || !(0..2 * lim).contains(&size) || !(-lim..lim).contains(&index) {
                    return None;
                }
                let mask = (1i64 << LAZY_INDEX_BITS) - 1;
                Some(
                    1 | (LAZY_INDEX_KIND << 1)
                        | ((axis as i64) << 4)
                        | (size << 10)
                        | ((index & mask) << (10 + LAZY_INDEX_BITS)),
                )
            }
            LazyExc::StopIteration => Some((LAZY_STOP_KIND << 1) | 1),
        }
    }

    /// What a tagged word stands for (None: an exception instance's pointer).
    pub fn from_tag(t: i64) -> Option<LazyExc> {
        if t & 1 == 0 {
            return None;
        }
        let k = (t >> 1) & 7;
        if k == LAZY_STOP_KIND {
            return Some(LazyExc::StopIteration);
        }
        if k == LAZY_INDEX_KIND {
            let mask = (1i64 << LAZY_INDEX_BITS) - 1;
            return Some(LazyExc::IndexOob {
                index: t >> (10 + LAZY_INDEX_BITS),
                axis: ((t >> 4) & 63) as u32,
                size: (t >> 10) & mask,
            });
        }
        Some(LazyExc::ZeroDiv {
            op: *LAZY_DIV_OPS.get(k as usize / 2)?,
            float: k % 2 == 1,
        })
    }
}

/// The table entry for `name`.
pub fn helper(name: &str) -> Option<&'static Helper> {
    HELPERS.iter().find(|h| h.name == name)
}

/// The unary float ufuncs whose NumPy inner loop (float64 `2*i`, float32
/// `2*i + 1`) compiled code calls on buffers it made (`pyston_ufunc_loop`).
pub const SMALL_UFUNCS: &[&str] = &[
    "exp", "log", "sin", "cos", "tan", "tanh", "exp2", "log2", "log10", "expm1", "log1p", "arctan", "sinh", "cosh",
    "arcsin", "arccos", "arcsinh", "arccosh", "arctanh", "cbrt",
];

/// The ufuncs of complex NumPy scalars whose NumPy inner loop compiled code
/// calls on one element (`pyston_cscalar_ufunc`; complex128 at `2*i`,
/// complex64 at `2*i + 1`): the name, the number of inputs, whether the
/// output is real (`absolute`: float64 / float32), and whether NumPy 1.x may
/// compute the scalar by another path (the transcendental functions: used
/// only where `pyston_scalar_ufuncs_ok`).
pub const CSCALAR_UFUNCS: &[(&str, usize, bool, bool)] = &[
    ("multiply", 2, false, false),
    ("square", 1, false, false),
    ("absolute", 1, true, false),
    ("exp", 1, false, true),
    ("log", 1, false, true),
    ("sqrt", 1, false, true),
    ("log10", 1, false, true),
    ("log2", 1, false, true),
    ("exp2", 1, false, true),
    ("expm1", 1, false, true),
    ("log1p", 1, false, true),
    ("sin", 1, false, true),
    ("cos", 1, false, true),
    ("tan", 1, false, true),
    ("sinh", 1, false, true),
    ("cosh", 1, false, true),
    ("tanh", 1, false, true),
    ("arcsin", 1, false, true),
    ("arccos", 1, false, true),
    ("arctan", 1, false, true),
    ("arcsinh", 1, false, true),
    ("arccosh", 1, false, true),
    ("arctanh", 1, false, true),
    ("reciprocal", 1, false, true),
    ("divide", 2, false, false),
    ("power", 2, false, true),
];

/// How compiled code calls into Python/NumPy at one call site: the address
/// of the runtime's descriptor (passed to `pyston_pycall`) and the types of
/// the slots that go in and come out.
#[derive(Clone, Debug)]
pub struct PyCallSite {
    pub desc: u64,
    /// Types of the boxed arguments, in order.
    pub arg_tys: Vec<Ty>,
    pub ret: Ty,
    /// A `numpy.random` draw compiled code makes inline when the call holds
    /// the generator (see [`InlineRng`]); the call otherwise. For an array
    /// draw (`rng_size_slot`), the plan of each element's draw.
    pub inline_rng: Option<InlineRng>,
    /// For a native `numpy.random` array draw of one dimension (`rand(3)`,
    /// `normal(0, 1, size=3)`; no shuffle, permutation or choice from an
    /// array): the argument slot of its length. Compiled code may keep such
    /// an array in a buffer of its own when it never escapes
    /// (`pyston_rng_fill`).
    pub rng_size_slot: Option<usize>,
}

/// Where the context keeps the generator the call's native draws hold
/// (the runtime's `helpers::random`): four words, the generator's identity
/// (the `Generator`, or the legacy `RandomState`) tagged with the kind
/// ([`rng_armed_tag`]), its bit generator's state struct, its `bitgen_t`,
/// and the kind ([`RNG_MT19937`], [`RNG_PCG64`]); all zero when the call
/// holds none. A draw compiled inline
/// runs only when the identity and kind are its own; otherwise (and on the
/// rare paths: MT19937's regeneration, a rejected bounded int, arguments
/// NumPy refuses) it makes the call, which takes the lock and sets these.
pub const CTX_RNG_ARMED_OFFSET: i32 = CTX_SLOTS_OFFSET + 8 * DEOPT_SLOTS as i32;
pub const RNG_MT19937: i64 = 1;
pub const RNG_PCG64: i64 = 2;

/// The first word of the context's armed generator (`CTX_RNG_ARMED_OFFSET`):
/// the generator object's address with the bit generator's kind in the top
/// byte (user-space addresses are below 2**56, kinds are non-zero), so that
/// an inline draw checks identity and kind with one compare; 0 is no generator.
#[inline]
pub const fn rng_armed_tag(obj: u64, kind: i64) -> u64 {
    obj | ((kind as u64) << 56)
}

/// A `numpy.random` scalar draw made inline from NumPy's MT19937 or PCG64
/// state (the runtime's `helpers::bitgen` has the algorithms and checks the
/// state layouts against NumPy before it offers a site this).
#[derive(Clone, Debug, PartialEq)]
pub struct InlineRng {
    pub op: InlineRngOp,
    /// [`RNG_MT19937`] or [`RNG_PCG64`].
    pub kind: i64,
    /// The generator's identity: a constant (the legacy global RandomState),
    /// or `None` for the call's first argument slot (a `Generator` method).
    pub obj: Option<u64>,
    /// The draw's parameters (`low, high` or `loc, scale`).
    pub args: [RngParam; 2],
    /// The addresses of the ziggurat tables (normal `WI`, `KI`; exponential `WE`, `KE`).
    pub tables: [u64; 4],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineRngOp {
    /// A double in [0, 1).
    Double,
    /// `low + (high - low) * double` (a finite range; non-negative for the Generator's).
    Uniform,
    /// Legacy `randint(low, high)`: masked rejection on 32-bit words.
    Masked,
    /// `Generator.integers(low, high)`: Lemire's method on 32-bit outputs.
    Lemire,
    /// The Generator's normal ziggurat: `z`.
    StdNormal,
    /// The Generator's normal ziggurat: `loc + scale * z`.
    Normal,
    /// The Generator's exponential ziggurat: `scale * e`.
    Exponential,
    /// The legacy exponential: `scale * -log(1 - U)` (libm's `log`).
    LegacyExponential,
}

/// Where a draw's parameter comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RngParam {
    /// A constant (the default): as a float and as an int.
    Const(f64, i64),
    /// The argument slot at this index (the Generator's own slot counted) of an int (`true`) or a float.
    Slot(usize, bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots() {
        let t = Ty::Union(vec![Ty::Int, Ty::Float]);
        assert_eq!(slot_types(&t), vec![SlotTy::I8, SlotTy::I64, SlotTy::F64]);
        // float and np.float64 share their payload slot
        let t = Ty::Union(vec![Ty::Float, Ty::Np(Dtype::Float64), Ty::Int]);
        assert_eq!(slot_types(&t), vec![SlotTy::I8, SlotTy::F64, SlotTy::I64]);
        assert_eq!(
            union_layout(&[Ty::Float, Ty::Np(Dtype::Float64), Ty::Int]).0,
            vec![0, 0, 1]
        );
    }

    #[test]
    fn lazy_exception_tags_round_trip() {
        let mut all = vec![];
        for op in LAZY_DIV_OPS {
            for float in [false, true] {
                all.push(LazyExc::ZeroDiv { op, float });
            }
        }
        for (index, axis, size) in [
            (0, 0, 0),
            (5000, 0, 1000),
            (-11, 3, 10),
            ((1 << 26) - 1, 63, (1 << 27) - 1),
            (-(1 << 26), 1, 7),
        ] {
            all.push(LazyExc::IndexOob { index, axis, size });
        }
        all.push(LazyExc::StopIteration);
        for k in all {
            let t = k.tag().unwrap();
            assert_eq!(t & 1, 1);
            assert_eq!(LazyExc::from_tag(t), Some(k));
        }
        for (index, axis, size) in [
            (1 << 26, 0, 5),
            (0, 64, 5),
            (0, 0, 1 << 27),
            (-(1 << 26) - 1, 0, 5),
            (0, 0, -1),
        ] {
            assert_eq!(LazyExc::IndexOob { index, axis, size }.tag(), None);
        }
        assert_eq!(LazyExc::from_tag(0x1000), None);
    }

    #[test]
    fn array_slots() {
        let s = ArraySlots::new(2);
        assert_eq!(s.count(), 6);
        assert_eq!(s.shape(1), 3);
        assert_eq!(s.stride(1), 5);
    }

    #[test]
    fn slot_count_matches_slot_types() {
        use crate::types::{ArrTy, Layout};
        let arr = Ty::Array(ArrTy {
            dtype: Dtype::Int32,
            ndim: 3,
            layout: Layout::A,
            readonly: false,
        });
        let ts = [
            Ty::Bool,
            Ty::PyInt,
            Ty::Complex,
            Ty::Np(Dtype::Complex128),
            arr.clone(),
            Ty::Tuple(vec![Ty::Float, arr, Ty::Np(Dtype::Bool)]),
            Ty::Union(vec![Ty::Int, Ty::Float, Ty::Np(Dtype::Float64), Ty::Complex]),
            Ty::NoneT,
        ];
        for t in ts {
            assert_eq!(slot_count(&t), slot_types(&t).len(), "{t}");
        }
        for (i, d) in Dtype::ALL.into_iter().enumerate() {
            assert_eq!(dtype_index(d), i);
        }
    }

    #[test]
    fn helper_names_are_unique() {
        for (i, a) in HELPERS.iter().enumerate() {
            assert!(HELPERS[i + 1..].iter().all(|b| b.name != a.name), "{} twice", a.name);
        }
        assert!(helper("pyston_resume").is_some() && helper("nope").is_none());
    }
}
