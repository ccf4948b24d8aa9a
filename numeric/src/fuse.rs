//! Fused whole-array expressions.
//!
//! `np.sqrt(a*a + b*b) - 0.5*c` is, instruction by instruction, five NumPy
//! calls and four temporary arrays. When its arrays are float64 of one
//! shape, or shapes that broadcast (checked at run time), codegen computes it in one pass
//! instead: one output array, a 2 x f64 SIMD loop and a scalar tail, and no
//! temporaries. The operations fused (`+ - * /`, `**2`, unary minus, `np.sqrt`,
//! `np.abs`/`np.absolute`/`np.fabs`, `np.negative`, `np.square`, and
//! `np.where` of a comparison) are exactly rounded IEEE operations or exact
//! selections, so every element is bit-identical to NumPy's.
//!
//! float32 expressions run the same way in 4 x f32 lanes: NumPy's float32
//! loops compute each operation in float32, exactly rounded, and a Python
//! float operand is rounded to float32 first, as NumPy converts it (checked
//! at run time to lie within float32's range: beyond it NumPy 1.x's
//! value-based casting computes in float64).
//!
//! Integer expressions (int8 to int64, uint8 to uint64: `+ - *`, unary minus,
//! `np.abs`, `& | ^ ~`, `<< >>` by a scalar amount, `np.where`) run the same
//! way in 2 x i64 to 16 x i8 lanes: NumPy's integer loops wrap around
//! silently, as the wrapping operations here do (no warning either way). A
//! Python int operand keeps the array's dtype in NumPy 1.x (value-based
//! casting) and 2.x (a weak scalar) exactly when it lies within the dtype's
//! range, which is checked at run time: beyond it 1.x promotes and 2.x
//! raises OverflowError, on the slow path. An int8 or uint8 product (x86 has
//! no 8-bit vector multiply) is computed in 16-bit lanes and its low bytes
//! kept (`mul_bytes`). `//` and `%` (and `np.floor_divide`,
//! `np.remainder`) are NumPy's floor division and remainder (the quotient
//! rounded down, the remainder of the divisor's sign), one lane at a time
//! (no vector division); a zero divisor or the most negative value divided
//! by -1, where NumPy warns ("divide by zero" / "overflow") and gives 0 or
//! the value itself, sends the expression to the slow path, and an
//! expression that divides is written into an operand only after a dry
//! pass (`int_divmod`, `may_divide`). A division alone stays NumPy's call
//! (its loop divides by a scalar with multiplications, faster than the
//! division instruction).
//!
//! An int64 or uint64 array in a float64 expression is a leaf too, each
//! element converted as NumPy's cast converts it (rounded to nearest), where
//! NumPy's float64 loop casts the whole operand first (not compared: NumPy's
//! comparisons of ints with floats need not cast).
//!
//! So are arrays of other dtypes than the expression's (`a_i32 + b_i64`,
//! `u8 * i16`, `a_i16 + b_f64`, `f32 + f64`, bool arrays): each read in its
//! own element size (`fuse_cast::load_leaf`: widening loads) and converted
//! as NumPy's cast converts it before its loop runs. A node whose dtype
//! differs from its user's (`a_i8 * b_i8` in `+ c_i64`) is not inside the
//! user's expression but a leaf, so it wraps or rounds in its own dtype as
//! NumPy's call does. A Python scalar sits only beside leaves of the
//! expression's dtype (NumPy 1.x's value-based casting could pick another
//! for a narrower array), but for a Python float beside ints of 32 bits or
//! more (float64 in 1.x and 2.x alike). Such expressions are elementwise
//! roots into a new array only (not in place, stored, summed or under a
//! ufunc). Integer `**` is NumPy's wrapping power (`fuse_cast::int_power`);
//! a negative exponent, NumPy's ValueError, sends it to the slow path.
//!
//! A comparison (`a > b`), or a bool `& | ^ ~` of comparisons, is a root too:
//! its lane masks are stored one byte (0 or 1) an element, a bool array
//! ([`FusedExpr::out`]). So is `a & ~b` of bool arrays, each byte seen as
//! NumPy's logical operations see it (nonzero is true).
//!
//! Leaves of a lower rank broadcast as in NumPy (length-1 axes in front). The
//! fast path runs only when every leaf's strides keep C order (then NumPy's
//! iterator allocates a C-ordered result too; an F-ordered or reversed
//! operand gets NumPy's own layout on the slow path).
//!
//! `np.exp(e)` (any of `abi::SMALL_UFUNCS`) of such an expression is a root:
//! `e` goes into the result, then NumPy's own inner loop for the ufunc runs
//! over it in place (its values exactly; a floating-point exception NumPy
//! would warn about sends the expression to the slow path).
//!
//! A sum or mean over the last axis (`np.sum(e, axis=-1)`, `e.mean(1,
//! keepdims=True)`) of such an expression, or of one array, is a root too
//! (`emit_row_sum`): each row's values go into a scratch row that is summed as
//! NumPy sums a row of a C-ordered array along its last axis, `0.0 +
//! pairwise(row)`, so the result is NumPy's without the temporary.
//!
//! A sum or mean of a whole expression of rank 2 or more (`np.sum(e)`) goes
//! through a scratch array summed as `np.sum` sums a C-ordered array
//! (`emit_total`).
//!
//! NumPy also *warns* on overflow, invalid operations and division by zero.
//! The fused loop notes any non-finite result or computed divisor (the only
//! way a non-finite intermediate can vanish is as a divisor); then, and
//! whenever the shapes, dtypes or layouts do not fit, the expression runs as
//! the separate NumPy calls it was written as (the "slow path", which is the
//! unfused code), so broadcasting, warnings and errors are NumPy's own.
//!
//! Between the nodes may sit only instructions with no effect (`quiet`:
//! constants, basic indexing, native scalar arithmetic, attributes read from
//! slots, `a.min()`/`a.max()` of float and int arrays): an
//! int index out of range there deoptimizes to the first node, so the
//! interpreter runs the nodes (their warnings) before raising it. Any other
//! instruction cuts the tree: the nodes before it that nodes after it use
//! become leaves (expressions of their own). Temporaries read for the last
//! time by the pass are freed after it, as CPython frees them.

use crate::fuse_cast::{self, is_mixed, leaf_dtype, leaf_sizes};
use crate::prelude::*;

/// One fused expression: its instructions in program order (the root, whose
/// value the rest of the function uses, last) and its array leaves.
#[derive(Clone, Debug)]
pub struct FusedExpr {
    pub nodes: Vec<usize>,
    /// What each of `nodes` computes.
    pub ops: Vec<NodeOp>,
    pub leaves: Vec<Value>,
    pub ndim: usize,
    /// The element type the nodes compute in (and the leaves' dtype):
    /// float64, float32 (elementwise roots and ufuncs), complex128, an integer
    /// dtype, or bool (`a & ~b` of bool arrays).
    pub dtype: Dtype,
    /// The result's dtype: `dtype`, or bool where the root is a comparison or
    /// a bool `& | ^ ~` of them (each lane's mask stored as one byte, 0 or 1).
    pub out: Dtype,
    /// A leaf the result may be written into (a temporary made by a call into
    /// NumPy that only this expression uses: NumPy's temporary elision).
    pub reuse: Option<Value>,
    /// For `a op= e` (root [`NodeOp::InPlace`]): the position of `a` among the
    /// leaves, the array written (see `emit_fused`).
    pub inplace: Option<usize>,
    /// For `a op= e`: `e` as an expression of its own (into a new array, then
    /// NumPy's in-place operation), for arrays too large to compute in place.
    pub sub: Option<Box<FusedExpr>>,
    /// `x[idx] = e` (the position of the store, later in the block): `e` is
    /// computed straight into the view `x[idx]` there, with no array of its
    /// own (see `emit_fused_store`).
    pub store: Option<usize>,
}

/// What an expression node computes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeOp {
    Bin(BinOp),
    Neg,
    /// `~e` / `np.invert(e)` / `np.bitwise_not(e)` of an integer expression
    /// (every bit flipped) or of a bool one (logical not).
    Invert,
    /// `np.conj(e)` / `np.conjugate(e)` of a complex128 expression: the
    /// imaginary part negated.
    Conj,
    Sqrt,
    Abs,
    Square,
    /// `a > b` etc.: a bool array (the condition of `np.where`, an operand of
    /// a bool `& | ^ ~`, or the root: see [`FusedExpr::out`]).
    Cmp(CmpOp),
    /// `np.where(cond, x, y)`.
    Where,
    /// `np.sum(e, axis=-1)` / `np.mean(e, axis=-1)` (also as methods, with
    /// `keepdims`), or over other axes that leave the last one (`last` false:
    /// axis 0 of a 2-d `e`, `axis=(1, 2, 3)` of a 5-d one; `axes` has a bit per
    /// axis summed): only as a root, over the expression below it (see
    /// `emit_row_sum`).
    RowSum {
        last: bool,
        mean: bool,
        keepdims: bool,
        axes: u32,
    },
    /// `np.sum(e)` / `np.mean(e)` / `e.sum()` / `e.mean()` of a float64
    /// expression of rank 2 or more: a float64 scalar (see `emit_total`).
    Total {
        mean: bool,
    },
    /// `a op= e` (`+ - *`, and `/` of floats) of an array `a` of the
    /// expression's dtype and rank: only as a root, written into `a` as NumPy's
    /// `np.add(a, e, out=a)` writes it (see `emit_fused`).
    InPlace(BinOp),
    /// `np.exp(e)` and the other `abi::SMALL_UFUNCS` of a float64 expression `e`
    /// (index `2 * i` there): only as a root; `e` is computed into the result,
    /// then NumPy's own inner loop for the ufunc runs on it in place.
    Ufunc(u32),
}

/// The fused expressions of a function, by root instruction, and their other instructions.
#[derive(Default)]
pub struct FusionPlan {
    pub roots: HashMap<(Block, usize), FusedExpr>,
    pub inner: HashSet<(Block, usize)>,
    /// The stores `x[idx] = e` of roots with [`FusedExpr::store`]: the root's key by the store's.
    pub stores: HashMap<(Block, usize), (Block, usize)>,
    /// The plan as text ([`describe`]), when the environment asks for it.
    pub text: String,
}

/// Whether one elementwise operation `op` of `dt` arrays is fused by itself.
/// It is NumPy's one call, but from compiled code that call costs more than
/// the loop on small arrays (`A + A` on 16x16 float64 in a loop: 0.98 us
/// against CPython's 0.58, and 0.33 us fused), so up to
/// [`SINGLE_MAX_BYTES`] of result it runs as a one-node expression. Beyond
/// that NumPy's own loops, with the CPU's widest vectors, are as fast or
/// faster (float32 `A + B` of 16384 elements: NumPy 3.2 us, this loop 4.4
/// us). Complex multiplication and division are not: their fused loops are
/// slower than NumPy's even on 256 elements (1.05x and 1.3x).
fn single_op(op: NodeOp, dt: Dtype) -> bool {
    use BinOp::*;
    match dt {
        Dtype::Float64 | Dtype::Float32 => matches!(
            op,
            NodeOp::Bin(Add | Sub | Mul | Div)
                | NodeOp::InPlace(Add | Sub | Mul | Div)
                | NodeOp::Neg
                | NodeOp::Sqrt
                | NodeOp::Abs
                | NodeOp::Square
                | NodeOp::Cmp(_)
                // (`np.exp(a)`: `a` copied into the result, NumPy's inner loop over it)
                | NodeOp::Ufunc(_)
        ),
        // (not `a += e` alone: the small complex pass computes `S[k] += t @ u`)
        Dtype::Complex128 => matches!(op, NodeOp::Bin(Add | Sub) | NodeOp::Neg | NodeOp::Conj),
        d if d.is_int() => matches!(
            op,
            NodeOp::Bin(Add | Sub | Mul | BitAnd | BitOr | BitXor | LShift | RShift | Pow)
                | NodeOp::InPlace(Add | Sub | Mul)
                | NodeOp::Neg
                | NodeOp::Abs
                | NodeOp::Invert
                | NodeOp::Cmp(_)
        ),
        Dtype::Bool => matches!(op, NodeOp::Bin(BitAnd | BitOr | BitXor) | NodeOp::Invert),
        _ => false,
    }
}

/// Whether an integer expression divides (`//`, `%`) or raises to a power
/// (`**`, a negative exponent): its loop may then find
/// a lane NumPy warns about and take the slow path ([`int_divmod`]), so it
/// is not written into an operand before a dry pass has found none.
fn may_divide(fx: &FusedExpr) -> bool {
    fx.ops
        .iter()
        .any(|o| matches!(o, NodeOp::Bin(BinOp::FloorDiv | BinOp::Mod | BinOp::Pow)))
}

/// The largest result a single operation is fused for (see [`single_op`]).
const SINGLE_MAX_BYTES: i64 = 32 * 1024;

/// The largest result a ufunc of one array alone is fused for: its operand
/// is copied into the result and NumPy's inner loop run over it there, which
/// costs more per element than NumPy's own call (`np.exp(a)` of float64: 1.35
/// against 1.08 ns), so it wins only while the call's cost dominates (256
/// elements: 0.62 us against CPython's 0.74; 576: 1.12 against 1.17; 1024:
/// 1.66 against 1.57).
const UFUNC_SINGLE_MAX_BYTES: i64 = 4 * 1024;

/// The elements of each chunk an expression with ufuncs inside it is computed
/// in ([`FuseGen::fused_staged`]): one scratch chunk per such ufunc, in cache.
const UFUNC_CHUNK: i64 = 512;

/// The largest array `a op= e` is computed into in place (see `emit_fused`).
const INPLACE_MAX_BYTES: i64 = 256 * 1024;

/// The largest expression `x[idx] = e` computes into a scratch buffer before
/// copying it into the view (see `emit_fused_store`): larger ones take the
/// slow path (NumPy's temporary), so the buffer a thread keeps stays small.
pub(crate) const STORE_SCRATCH_MAX_BYTES: i64 = 1024 * 1024;

/// The loop over an expression's rows (every axis but the last, in C order):
/// in its body, `r` counts rows, `idx` holds row `r`'s index on each of
/// those axes and `ptrs` each leaf's address of the row's first element.
/// Both are carried from row to row (an odometer: one add per row, and a
/// carry when an axis wraps) instead of being divided out of `r`, which cost
/// two divisions per axis and row.
pub(crate) struct RowLoop {
    head: clir::Block,
    pub r: CV,
    pub bad: CV,
    pub idx: Vec<CV>,
    pub ptrs: Vec<CV>,
}

/// A fusion plan as text, one expression after another by root: the root,
/// its rank and leaves, then each node (root last) with what it computes.
pub fn describe(f: &ir::Function, plan: &FusionPlan) -> String {
    let mut roots: Vec<_> = plan.roots.iter().collect();
    roots.sort_by_key(|(at, _)| **at);
    let mut s = String::new();
    for (&(b, k), fx) in roots {
        let root = f.block(b).insts[k].result.map(|r| r.to_string()).unwrap_or_default();
        let leaves: Vec<String> = fx.leaves.iter().map(|l| l.to_string()).collect();
        let store = fx.store.map(|st| format!(", stored by {b}[{st}]")).unwrap_or_default();
        // (the element type, where it is an integer or bool one)
        let dtype = if fx.dtype.is_int() || fx.out == Dtype::Bool {
            let out = if fx.out == fx.dtype {
                String::new()
            } else {
                format!(" -> {}", fx.out)
            };
            format!(" {}{out},", fx.dtype)
        } else {
            String::new()
        };
        s.push_str(&format!(
            "fused {b}[{k}] -> {root}: {} nodes, {}d,{dtype} leaves {}{store}\n",
            fx.nodes.len(),
            fx.ndim,
            leaves.join(", ")
        ));
        for (&n, op) in fx.nodes.iter().zip(&fx.ops) {
            s.push_str(&format!("  {b}[{n}] {}: {}\n", op.name(), crate::inst_text(f, b, n)));
        }
    }
    s
}

impl NodeOp {
    /// A short name: `add`, `sqrt`, `cmp gt`, `where`.
    pub fn name(&self) -> String {
        match self {
            NodeOp::Bin(op) => match op {
                BinOp::Add => "add",
                BinOp::Sub => "sub",
                BinOp::Mul => "mul",
                BinOp::Div => "div",
                BinOp::BitAnd => "and",
                BinOp::BitOr => "or",
                BinOp::BitXor => "xor",
                BinOp::LShift => "shl",
                BinOp::RShift => "shr",
                BinOp::FloorDiv => "floordiv",
                BinOp::Mod => "mod",
                BinOp::Pow => "pow",
                _ => "bin",
            }
            .to_string(),
            NodeOp::InPlace(op) => format!("{} in place", NodeOp::Bin(*op).name()),
            NodeOp::Neg => "neg".into(),
            NodeOp::Invert => "invert".into(),
            NodeOp::Conj => "conj".into(),
            NodeOp::Sqrt => "sqrt".into(),
            NodeOp::Abs => "abs".into(),
            NodeOp::Square => "square".into(),
            NodeOp::Cmp(c) => format!("cmp {}", format!("{c:?}").to_lowercase()),
            NodeOp::Where => "where".into(),
            NodeOp::Ufunc(id) => abi::SMALL_UFUNCS[*id as usize / 2].to_string(),
            NodeOp::Total { mean } => (if *mean { "mean of all" } else { "sum of all" }).to_string(),
            NodeOp::RowSum {
                last,
                mean,
                keepdims,
                axes,
            } => {
                let which = match (*last, *axes) {
                    (true, _) => "last axis".to_string(),
                    (false, 1) => "first axis".to_string(),
                    (false, m) => {
                        let list: Vec<String> = (0..32).filter(|k| m & (1 << k) != 0).map(|k| k.to_string()).collect();
                        format!("axes ({})", list.join(", "))
                    }
                };
                format!(
                    "{} {which}{}",
                    if *mean { "mean" } else { "sum" },
                    if *keepdims { " keepdims" } else { "" }
                )
            }
        }
    }
}

/// This pass's code generation, as methods on the compiler's `Gen`.
pub(crate) trait FuseGen {
    fn node_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<NodeOp>;
    fn exact_in_f64(&self, v: Value) -> bool;
    fn scalars_fit(&self, inst: &ir::Inst) -> bool;
    fn row_sum(&self, inst: &ir::Inst) -> Option<NodeOp>;
    fn node_args<'i>(&self, inst: &'i ir::Inst) -> &'i [Value];
    fn np_call<'i>(&self, inst: &'i ir::Inst) -> Option<(String, &'i [Value])>;
    fn quiet(&self, blk: Block, k: usize) -> bool;
    fn plan_fusion(&self) -> FusionPlan;
    fn plan_fusion_with(&self, inplace: bool) -> FusionPlan;
    fn store_of(&self, blk: Block, root: usize, ndim: usize, dt: Dtype, uses: &HashMap<Value, usize>) -> Option<usize>;
    fn emit_fused_store(&mut self, blk: Block, fx: &FusedExpr, st: usize) -> CResult<()>;
    fn basic_view(&mut self, base: Value, idx: &[Value]) -> CResult<(CV, CV, Vec<CV>, Vec<CV>)>;
    fn fused_dying(&self, blk: Block, fx: &FusedExpr) -> Vec<usize>;
    fn emit_fused(&mut self, blk: Block, fx: &FusedExpr) -> CResult<()>;
    fn fused_geometry(&mut self, blk: Block, fx: &FusedExpr, leaf_vals: &[Vals]) -> (Vec<CV>, Vec<Vec<CV>>, CV);
    fn inplace_fits(&mut self, ai: usize, leaf_vals: &[Vals], shape: &[CV], bstrides: &[Vec<CV>], esz: i64) -> CV;
    fn apart(&mut self, a: (CV, &[CV]), b: (CV, &[CV]), shape: &[CV], esz: i64) -> CV;
    fn size_of(&mut self, shape: &[CV]) -> CV;
    fn no_self_overlap(&mut self, shape: &[CV], strides: &[CV], esz: i64) -> CV;
    fn c_contiguous(&mut self, shape: &[CV], bstrides: &[Vec<CV>], esz: &[i64]) -> CV;
    #[allow(clippy::type_complexity)]
    fn fused_setup(
        &mut self,
        blk: Block,
        fx: &FusedExpr,
    ) -> CResult<(Vec<Vals>, Vec<CV>, Vec<Vec<CV>>, CV, HashMap<Value, CV>)>;
    fn row_loop(&mut self, nrows: CV, ptrs: &[CV], rdims: usize, exit: clir::Block) -> RowLoop;
    fn next_row(&mut self, lp: &RowLoop, bad: CV, shape: &[CV], bstrides: &[Vec<CV>]);
    fn splat_leaves(&self, fx: &FusedExpr) -> Vec<bool>;
    #[allow(clippy::too_many_arguments)]
    fn fused_row(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        row: &[CV],
        inner: &[CV],
        out: CV,
        sink: CV,
        n: CV,
        scalars: &HashMap<Value, CV>,
        flags: MemFlagsData,
    ) -> CResult<CV>;
    fn emit_row_sum(
        &mut self,
        blk: Block,
        fx: &FusedExpr,
        last: bool,
        mean: bool,
        keepdims: bool,
        axes: u32,
    ) -> CResult<()>;
    fn fused_slow_path(&mut self, blk: Block, fx: &FusedExpr, merge: clir::Block) -> CResult<()>;
    fn emit_total(&mut self, blk: Block, fx: &FusedExpr, mean: bool) -> CResult<()>;
    fn fused_scalars(&mut self, fx: &FusedExpr, insts: &[ir::Inst]) -> CResult<(HashMap<Value, CV>, CV)>;
    fn sink_addr(&mut self, sink: CV, addr: CV) -> CV;
    #[allow(clippy::too_many_arguments)]
    fn fused_run(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        ptrs: &[CV],
        strides: &[CV],
        out: CV,
        sink: CV,
        n: CV,
        strided: bool,
        splat: &[bool],
        scalars: &HashMap<Value, CV>,
        flags: MemFlagsData,
    ) -> CResult<CV>;
    #[allow(clippy::too_many_arguments)]
    fn fused_staged(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        ptrs: &[CV],
        strides: &[CV],
        out: CV,
        sink: CV,
        n: CV,
        strided: bool,
        splat: &[bool],
        scalars: &HashMap<Value, CV>,
        flags: MemFlagsData,
    ) -> CResult<CV>;
    #[allow(clippy::too_many_arguments)]
    fn fused_value(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        addrs: &[CV],
        pre: &[Option<CV>],
        scalars: &HashMap<Value, CV>,
        ty: clir::Type,
        flags: MemFlagsData,
    ) -> CResult<(CV, CV)>;
    fn complex_mul(&mut self, x: CV, y: CV) -> CV;
    fn complex_kind(&self) -> u8;
}

impl FuseGen for Gen<'_, '_> {
    /// The fusable operation an instruction performs: a NumPy operation on
    /// float64 arrays (or arrays and scalars) that compiled code calls NumPy for.
    fn node_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<NodeOp> {
        let r = inst.result?;
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        if let Ty::Np(d @ (Dtype::Float64 | Dtype::Float32 | Dtype::Complex128)) = self.typed.ty(r) {
            let same = |v: &Value| matches!(self.typed.ty(*v), Ty::Array(a) if a.dtype == *d);
            // (a complex mean divides by a count as NumPy's complex division does: not fused)
            let complex = *d == Dtype::Complex128;
            return self.row_sum(inst).filter(|op| {
                matches!(op, NodeOp::Total { mean } if !(complex && *mean))
                    && self.node_args(inst).first().is_some_and(same)
            });
        }
        let Ty::Array(at) = self.typed.ty(r) else { return None };
        if let Some(op) = self.row_sum(inst) {
            let same = |v: &Value| matches!(self.typed.ty(*v), Ty::Array(a) if a.dtype == at.dtype);
            let ok = matches!(at.dtype, Dtype::Float64 | Dtype::Float32)
                && !matches!(op, NodeOp::Total { .. })
                && self.node_args(inst).first().is_some_and(same);
            return ok.then_some(op);
        }
        let np_owned = self.np_call(inst);
        let np = np_owned.as_ref().map(|(n, a)| (n.as_str(), *a));
        if let Some((name, args)) = np {
            let same_array = |v: Value| matches!(self.typed.ty(v), Ty::Array(a) if a.dtype == at.dtype);
            if let Some(i) = abi::SMALL_UFUNCS.iter().position(|u| *u == name) {
                let ok = args.len() == 1 && matches!(at.dtype, Dtype::Float64 | Dtype::Float32) && same_array(args[0]);
                let f32 = at.dtype == Dtype::Float32;
                return ok.then_some(NodeOp::Ufunc(2 * i as u32 + u32::from(f32)));
            }
        }
        if at.dtype == Dtype::Bool {
            // (a comparison, and `& | ^ ~` of bool arrays, computed as NumPy's
            // logical operations on 0/1)
            return match &inst.op {
                Op::Cmp(c) => Some(NodeOp::Cmp(*c)),
                Op::Bin { op, inplace: false } if matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) => {
                    Some(NodeOp::Bin(*op))
                }
                Op::Unary(UnaryOp::Invert) => Some(NodeOp::Invert),
                _ => match np {
                    Some(("invert" | "bitwise_not" | "logical_not", args)) if args.len() == 1 => Some(NodeOp::Invert),
                    // (of bool values, 0 or 1: the bitwise operations)
                    Some(("logical_and" | "bitwise_and", args)) if args.len() == 2 => Some(NodeOp::Bin(BinOp::BitAnd)),
                    Some(("logical_or" | "bitwise_or", args)) if args.len() == 2 => Some(NodeOp::Bin(BinOp::BitOr)),
                    Some(("logical_xor" | "bitwise_xor", args)) if args.len() == 2 => Some(NodeOp::Bin(BinOp::BitXor)),
                    _ => None,
                },
            };
        }
        if at.dtype.is_int() {
            // Integer arrays: NumPy's `+ - *` wrap around silently, as the
            // wrapping operations here (8-bit products in 16-bit lanes,
            // `mul_bytes`); shifts by a scalar amount only (`shift_by`).
            return match &inst.op {
                // `a op= e` (`+= -= *=`) into a writeable array of the result's own type
                Op::Bin { op, inplace: true } => {
                    let into = matches!(self.typed.ty(*inst.args.first()?), Ty::Array(a) if a.dtype == at.dtype && a.ndim == at.ndim && !a.readonly);
                    let ok = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul);
                    (into && ok && inst.args.len() == 2).then_some(NodeOp::InPlace(*op))
                }
                Op::Bin { op, inplace: false } => match op {
                    BinOp::Add | BinOp::Sub | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => Some(NodeOp::Bin(*op)),
                    BinOp::Mul => Some(NodeOp::Bin(BinOp::Mul)),
                    // (NumPy's floor division and remainder: `int_divmod`)
                    BinOp::FloorDiv | BinOp::Mod if inst.args.len() == 2 => Some(NodeOp::Bin(*op)),
                    // (NumPy's integer power, wrapping around: `fuse_cast::int_power`)
                    BinOp::Pow if inst.args.len() == 2 => Some(NodeOp::Bin(*op)),
                    BinOp::LShift | BinOp::RShift
                        if inst.args.len() == 2 && matches!(self.typed.ty(inst.args[1]), Ty::Int) =>
                    {
                        Some(NodeOp::Bin(*op))
                    }
                    _ => None,
                },
                Op::Unary(UnaryOp::Neg) => Some(NodeOp::Neg),
                Op::Unary(UnaryOp::Invert) => Some(NodeOp::Invert),
                _ => match np {
                    Some(("where", args)) if args.len() == 3 => Some(NodeOp::Where),
                    Some(("floor_divide", args)) if args.len() == 2 => Some(NodeOp::Bin(BinOp::FloorDiv)),
                    Some(("power", args)) if args.len() == 2 => Some(NodeOp::Bin(BinOp::Pow)),
                    Some(("remainder" | "mod", args)) if args.len() == 2 => Some(NodeOp::Bin(BinOp::Mod)),
                    Some((name, args)) if args.len() == 1 => match name {
                        "abs" | "absolute" => Some(NodeOp::Abs),
                        "negative" => Some(NodeOp::Neg),
                        "invert" | "bitwise_not" => Some(NodeOp::Invert),
                        _ => None,
                    },
                    _ => None,
                },
            };
        }
        if let Op::Bin { op, inplace: true } = inst.op {
            // `a op= e` into a writeable array of the result's own type.
            let into = matches!(self.typed.ty(*inst.args.first()?), Ty::Array(a) if a.dtype == at.dtype && a.ndim == at.ndim && !a.readonly);
            let ok = match op {
                BinOp::Add | BinOp::Sub => true,
                BinOp::Mul => at.dtype != Dtype::Complex128 || self.complex_kind() != 0,
                BinOp::Div => at.dtype != Dtype::Complex128,
                _ => false,
            };
            let float = matches!(at.dtype, Dtype::Float64 | Dtype::Float32 | Dtype::Complex128);
            return (into && ok && float && inst.args.len() == 2).then_some(NodeOp::InPlace(op));
        }
        if at.dtype == Dtype::Complex128 {
            // Complex128: `+ -` and minus and `np.conj` act on each part alone,
            // exactly; `*` as this NumPy multiplies (`CodegenEnv::complex_mul`).
            return match &inst.op {
                Op::Bin { op, inplace: false } if matches!(op, BinOp::Add | BinOp::Sub) => Some(NodeOp::Bin(*op)),
                Op::Bin {
                    op: BinOp::Mul,
                    inplace: false,
                } if self.complex_kind() != 0 => Some(NodeOp::Bin(BinOp::Mul)),
                Op::Unary(UnaryOp::Neg) => Some(NodeOp::Neg),
                _ => match np {
                    Some(("negative", args)) if args.len() == 1 => Some(NodeOp::Neg),
                    Some(("conj" | "conjugate", args)) if args.len() == 1 => Some(NodeOp::Conj),
                    _ => None,
                },
            };
        }
        if !matches!(at.dtype, Dtype::Float64 | Dtype::Float32) {
            return None;
        }
        match &inst.op {
            // (`a += x` writes into `a`: NumPy's own in-place operation)
            Op::Bin { op, inplace: false } if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) => {
                Some(NodeOp::Bin(*op))
            }
            // `x ** 2` of a float array: NumPy computes it as `np.square(x)` (its
            // `fast_scalar_power`), `x * x`.
            Op::Bin {
                op: BinOp::Pow,
                inplace: false,
            } if inst.args.len() == 2 && matches!(self.consts.get(&inst.args[1]), Some(Const::Int(2))) => {
                Some(NodeOp::Square)
            }
            Op::Unary(UnaryOp::Neg) => Some(NodeOp::Neg),
            _ => match np {
                Some(("where", args)) if args.len() == 3 => Some(NodeOp::Where),
                Some((name, args)) if args.len() == 1 => match name {
                    "sqrt" => Some(NodeOp::Sqrt),
                    "abs" | "absolute" | "fabs" => Some(NodeOp::Abs),
                    "negative" => Some(NodeOp::Neg),
                    "square" => Some(NodeOp::Square),
                    _ => None,
                },
                // (where this NumPy computes it as `x * x`: measured by the runtime)
                Some(("power", args))
                    if args.len() == 2
                        && (self.env.power_square)()
                        && matches!(self.consts.get(&args[1]), Some(Const::Int(2))) =>
                {
                    Some(NodeOp::Square)
                }
                _ => None,
            },
        }
    }

    /// `np.sum(e, axis=-1)`, `np.mean(e, -1)`, `e.sum(axis=e.ndim - 1,
    /// keepdims=True)` and the like, of a float64 array `e` of rank 2 or more:
    /// a reduction over the last axis (constant `axis` and `keepdims`, no
    /// other arguments).
    fn row_sum(&self, inst: &ir::Inst) -> Option<NodeOp> {
        let Op::MethodCall { name, kw } = &inst.op else {
            return None;
        };
        let mean = match name.as_str() {
            "sum" => false,
            "mean" => true,
            _ => return None,
        };
        let module = match self.typed.ty(inst.args[0]) {
            Ty::Module(Module::Numpy) => 1,
            Ty::Array(_) => 0,
            _ => return None,
        };
        let e = *inst.args.get(module)?;
        let Ty::Array(et) = self.typed.ty(e) else { return None };
        if !matches!(et.dtype, Dtype::Float64 | Dtype::Float32 | Dtype::Complex128) || et.ndim < 2 {
            return None;
        }
        let rest = &inst.args[module + 1..];
        let npos = rest.len().checked_sub(kw.len())?;
        if npos > 1 {
            return None;
        }
        let mut axis = rest.first().filter(|_| npos == 1).copied();
        let mut keepdims = false;
        for (name, v) in kw.iter().zip(&rest[npos..]) {
            match (name.as_str(), self.consts.get(v)) {
                ("axis", _) if axis.is_none() => axis = Some(*v),
                ("keepdims", Some(Const::Bool(b))) => keepdims = *b,
                _ => return None,
            }
        }
        if rest.is_empty() {
            return Some(NodeOp::Total { mean });
        }
        let nd = i64::from(et.ndim);
        // The axes: a constant int, or a tuple of them (a constant or a display).
        let axis = axis?;
        let list: Vec<i64> = match self.consts.get(&axis) {
            Some(Const::Int(a)) => vec![*a],
            Some(Const::Tuple(items)) => items
                .iter()
                .map(|c| match c {
                    Const::Int(a) => Some(*a),
                    _ => None,
                })
                .collect::<Option<_>>()?,
            Some(_) => return None,
            None => {
                let &(b, k) = self.defs.get(&axis)?;
                let def = &self.f.block(b).insts[k];
                if !matches!(def.op, Op::Tuple) {
                    return None;
                }
                def.args
                    .iter()
                    .map(|a| match self.consts.get(a) {
                        Some(Const::Int(c)) => Some(*c),
                        _ => None,
                    })
                    .collect::<Option<_>>()?
            }
        };
        // (NumPy's AxisError for an axis out of range or repeated: its own path)
        let mut axes = 0u32;
        for a in list {
            let a = if a < 0 { a + nd } else { a };
            if !(0..nd).contains(&a) || axes & (1 << a) != 0 {
                return None;
            }
            axes |= 1 << a;
        }
        let last_bit = 1u32 << (nd - 1);
        match axes {
            0 => None,
            m if m == last_bit => Some(NodeOp::RowSum {
                last: true,
                mean,
                keepdims,
                axes: m,
            }),
            // (over axes that leave the last: see `emit_row_sum`)
            m if m & last_bit == 0 => Some(NodeOp::RowSum {
                last: false,
                mean,
                keepdims,
                axes: m,
            }),
            _ => None,
        }
    }

    /// Whether a comparison operand is compared as the float64 it converts to:
    /// float64 arrays and floats, and int constants of at most 2**53 (NumPy
    /// compares larger ints exactly, not as float64). In a float32 expression,
    /// floats are checked at run time (`fused_scalars`) and int constants must
    /// be small (below).
    fn exact_in_f64(&self, v: Value) -> bool {
        match self.typed.ty(v) {
            Ty::Array(_) | Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32) => true,
            Ty::Int | Ty::Bool => {
                matches!(self.consts.get(&v), Some(Const::Int(c)) if c.unsigned_abs() <= 1 << 53)
                    || matches!(self.consts.get(&v), Some(Const::Bool(_)))
            }
            _ => false,
        }
    }

    /// Whether a node's Python scalars sit only beside arrays whose dtype
    /// with them NumPy 1.x and 2 agree on: arrays of the node's own dtype; a
    /// Python float beside int arrays of 32 bits or more (float64 in both);
    /// int64 and uint64 arrays in float64 nodes. (`a_i16 * 0.5` may be
    /// another dtype in NumPy 1.x's value-based casting: NumPy's call.)
    /// Comparisons (bool nodes) are checked within their expression.
    fn scalars_fit(&self, inst: &ir::Inst) -> bool {
        let Some(Ty::Array(rt)) = inst.result.map(|r| self.typed.ty(r)) else {
            return true;
        };
        let dt = rt.dtype;
        if dt == Dtype::Bool {
            return true;
        }
        let args = self.node_args(inst);
        // (np.where's condition is a bool array of its own)
        let args = match self.np_call(inst) {
            Some((name, _)) if name == "where" && !args.is_empty() => &args[1..],
            _ => args,
        };
        let scalar = |a: &Value| !matches!(self.typed.ty(*a), Ty::Array(_));
        if !args.iter().any(scalar) {
            return true;
        }
        let floats = args
            .iter()
            .filter(|a| scalar(a))
            .all(|a| *self.typed.ty(*a) == Ty::Float);
        args.iter().all(|a| match self.typed.ty(*a) {
            Ty::Array(at) => {
                at.dtype == dt
                    || dt == Dtype::Float64 && matches!(at.dtype, Dtype::Int64 | Dtype::UInt64)
                    || dt == Dtype::Float64 && floats && at.dtype.is_int() && at.dtype.itemsize() >= 4
            }
            _ => true,
        })
    }

    /// The operands of a node (the module argument of `np.sqrt(x)` left out;
    /// of a row sum, only the array summed).
    fn node_args<'i>(&self, inst: &'i ir::Inst) -> &'i [Value] {
        match &inst.op {
            Op::MethodCall { name, .. } if name == "sum" || name == "mean" => {
                let module = matches!(self.typed.ty(inst.args[0]), Ty::Module(_));
                &inst.args[usize::from(module)..usize::from(module) + 1]
            }
            Op::MethodCall { .. } => &inst.args[1..],
            Op::Call { .. } if self.np_call(inst).is_some() => &inst.args[1..],
            _ => &inst.args,
        }
    }

    /// A call of a NumPy function with positional arguments: `np.tanh(x)`
    /// (a method of the module) or `tanh(x)` of `from numpy import tanh`
    /// (`CodegenEnv::np_names`): its name and arguments.
    fn np_call<'i>(&self, inst: &'i ir::Inst) -> Option<(String, &'i [Value])> {
        match &inst.op {
            Op::MethodCall { name, kw }
                if kw.is_empty() && *self.typed.ty(*inst.args.first()?) == Ty::Module(Module::Numpy) =>
            {
                Some((name.clone(), &inst.args[1..]))
            }
            Op::Call { kw } if kw.is_empty() => match self.typed.ty(*inst.args.first()?) {
                Ty::PyFunc(i) => Some((self.env.np_names.get(i)?.clone(), &inst.args[1..])),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether instruction `k` of `blk` can sit between an expression's nodes:
    /// it cannot raise or deoptimize (the nodes before it are computed only at
    /// the root) and has no effect the nodes' warnings could be ordered against.
    /// Constants, global reads, `slice(...)` objects, native scalar arithmetic,
    /// and basic indexing of an array by ints and slices of ints with a nonzero
    /// constant step (`A[1:-1, :-2]`, `A[:, :, k]`: a view, or an `IndexError`
    /// that deoptimizes to the first node).
    fn quiet(&self, blk: Block, k: usize) -> bool {
        let i = &self.f.block(blk).insts[k];
        let scalar = |v: &Value| {
            matches!(
                self.typed.ty(*v),
                Ty::Int | Ty::Float | Ty::Bool | Ty::Complex | Ty::Np(_)
            )
        };
        match i.op {
            Op::Const(_) | Op::Global(_) | Op::Import(_) | Op::Slice => true,
            // (an `axis=(1, 2)` display)
            Op::Tuple => i.args.iter().all(scalar),
            // Native scalar arithmetic (`dx**2 * dy**2`): what it cannot compute
            // (a zero divisor, an overflow) deoptimizes, and codegen moves that
            // deopt point to the first node (`deopt_redirect`), so the interpreter
            // runs the nodes before it first.
            Op::Bin { .. } | Op::Unary(_) => {
                !self.env.pycalls.contains_key(&(blk, k))
                    && i.args.iter().all(scalar)
                    && i.result.as_ref().is_some_and(scalar)
            }
            // An array's attributes compiled code reads itself (`a.shape`, `a.T`,
            // a complex array's `a.real`): slots, no call.
            // (and a scalar's: `z.imag` of a complex)
            Op::Attr(_) => {
                (matches!(self.typed.ty(i.args[0]), Ty::Array(_)) || scalar(&i.args[0]))
                    && !self.env.pycalls.contains_key(&(blk, k))
            }
            // `a.min()` / `a.max()` of a float or int array: a value, no effect
            // and no warning (NaN is the answer for NaNs, with no floating-point
            // exception); an empty array's ValueError deoptimizes to the first
            // node (`deopt_redirect`), so the interpreter runs the nodes first.
            Op::MethodCall { ref name, ref kw } if kw.is_empty() && i.args.len() == 1 => {
                matches!(name.as_str(), "min" | "max")
                    && matches!(self.typed.ty(i.args[0]), Ty::Array(a)
                        if matches!(a.dtype, Dtype::Float64 | Dtype::Float32) || a.dtype.is_int())
                    && i.result.as_ref().is_some_and(scalar)
            }
            // An item of a tuple of scalars (`a.shape[0]`): out of range, an
            // IndexError that deoptimizes to the first node.
            Op::GetItem if matches!(self.typed.ty(i.args[0]), Ty::Tuple(ts) if ts.iter().all(|t| matches!(t, Ty::Int | Ty::Float | Ty::Bool))) => {
                i.args.len() == 2 && *self.typed.ty(i.args[1]) == Ty::Int && !self.env.pycalls.contains_key(&(blk, k))
            }
            Op::GetItem => {
                let Ty::Array(at) = self.typed.ty(i.args[0]) else {
                    return false;
                };
                i.args.len() - 1 <= at.ndim as usize
                    && i.args[1..].iter().all(|s| {
                        // An int index (`A[:, :, k]`) raises when out of range:
                        // `pycall` then deoptimizes to the first node, and the
                        // interpreter runs the nodes before raising it again.
                        if *self.typed.ty(*s) == Ty::Int {
                            return true;
                        }
                        let Ty::Slice(parts) = self.typed.ty(*s) else {
                            return false;
                        };
                        let Some(&(b, k)) = self.defs.get(s) else { return false };
                        let def = &self.f.block(b).insts[k];
                        let ints = parts[..2].iter().all(|t| matches!(t, Ty::Int | Ty::NoneT));
                        let step = match &parts[2] {
                            Ty::NoneT => true,
                            Ty::Int => matches!(self.consts.get(&def.args[2]), Some(Const::Int(c)) if *c != 0),
                            _ => false,
                        };
                        matches!(def.op, Op::Slice) && def.args.len() == 3 && ints && step
                    })
            }
            _ => false,
        }
    }

    /// Finds the expressions worth fusing (two or more operations).
    fn plan_fusion(&self) -> FusionPlan {
        // `a op= e` roots are planned over the plan without them, whose
        // expression for `e` they fall back on for large arrays (`emit_fused`).
        let base = self.plan_fusion_with(false);
        let mut plan = self.plan_fusion_with(true);
        for (&(b, root), fx) in plan.roots.iter_mut() {
            if fx.inplace.is_some() {
                let e = self.f.block(b).insts[root].args[1];
                let sub = fx.nodes[..fx.nodes.len() - 1]
                    .iter()
                    .copied()
                    .find(|k| self.f.block(b).insts[*k].result == Some(e));
                fx.sub = sub
                    .and_then(|k| base.roots.get(&(b, k)))
                    .filter(|sx| sx.nodes.iter().all(|n| fx.nodes.contains(n)))
                    .map(|sx| Box::new(sx.clone()));
            }
        }
        plan
    }

    /// [`plan_fusion`], with or without `a op= e` roots.
    fn plan_fusion_with(&self, inplace: bool) -> FusionPlan {
        let mut plan = FusionPlan::default();
        let mut uses: HashMap<Value, usize> = HashMap::new();
        for d in &self.f.blocks {
            for i in &d.insts {
                for a in &i.args {
                    *uses.entry(*a).or_default() += 1;
                }
            }
            for v in d.term.uses() {
                *uses.entry(v).or_default() += 1; // edge arguments included
            }
        }
        for (bi, d) in self.f.blocks.iter().enumerate() {
            let blk = Block(bi as u32);
            let ops: HashMap<usize, NodeOp> = d
                .insts
                .iter()
                .enumerate()
                .filter_map(|(k, i)| Some((k, self.node_op(blk, k, i)?)))
                .filter(|(_, op)| inplace || !matches!(op, NodeOp::InPlace(_)))
                // (the scalars' rule below, at each node: one that breaks it is
                // NumPy's call, and the rest of its expression fuses around it)
                .filter(|(k, _)| self.scalars_fit(&d.insts[*k]))
                .collect();
            let nodes: HashMap<Value, usize> = ops.keys().map(|&k| (d.insts[k].result.unwrap(), k)).collect();
            // A node used once, by another node of this block, is inside an expression.
            let mut inner: HashSet<usize> = HashSet::new();
            for (k, i) in d.insts.iter().enumerate() {
                if !ops.contains_key(&k) {
                    continue;
                }
                for (pos, a) in self.node_args(i).iter().enumerate() {
                    // (the array `a op= e` writes is a leaf: its own memory)
                    if pos == 0 && matches!(ops[&k], NodeOp::InPlace(_)) {
                        continue;
                    }
                    if let Some(&c) = nodes.get(a) {
                        // (a row sum is only ever a root)
                        // (a ufunc inside an expression is computed in chunks, `fused_staged`;
                        // of a 1-d array, the small-arrays pass computes it, into the
                        // rows it stores into)
                        let multi = matches!(self.typed.ty(*a), Ty::Array(at) if at.ndim >= 2);
                        let root_only = matches!(
                            ops[&c],
                            NodeOp::RowSum { .. } | NodeOp::Total { .. } | NodeOp::InPlace(_)
                        ) || matches!(ops[&c], NodeOp::Ufunc(_)) && !multi;
                        // (a node an earlier pass computes, small arrays' `np.tanh(x)`
                        // of a row, is a leaf here)
                        let theirs = self.plans.iter().any(|(_, p)| p.claims((blk, c)));
                        // (a node of another dtype than its user's, `a_i32 * b_i32` in
                        // `(a_i32 * b_i32) + c_i64`: NumPy computes it in its own dtype
                        // (wrapping or rounding there), so it is a leaf, an expression of
                        // its own, read converted (`fuse_cast`))
                        let numeric = |v: Value| match self.typed.ty(v) {
                            Ty::Array(t) if t.dtype != Dtype::Bool => Some(t.dtype),
                            _ => None,
                        };
                        let other = match (numeric(*a), d.insts[k].result.and_then(numeric)) {
                            (Some(x), Some(y)) => x != y,
                            _ => false,
                        };
                        if uses.get(a) == Some(&1) && !root_only && !theirs && !other {
                            inner.insert(c);
                        }
                    }
                }
            }
            // An instruction between a tree's nodes that cannot sit there (a store,
            // a call) cuts the tree: each node before it used by a node after it
            // becomes a leaf, computed (fused, if it is an expression) by itself.
            // (`c = a * b; x[k] = c; e = (c + d) * f`: `c` before the store, the
            // rest after it.) The nodes run in the same order either way.
            let children = |k: usize, inner: &HashSet<usize>| -> Vec<usize> {
                self.node_args(&d.insts[k])
                    .iter()
                    .filter_map(|a| nodes.get(a).copied().filter(|c| inner.contains(c)))
                    .collect()
            };
            loop {
                let mut cut = Vec::new();
                for &root in nodes.values().filter(|k| !inner.contains(k)) {
                    let mut tree = vec![root];
                    let mut todo = vec![root];
                    while let Some(k) = todo.pop() {
                        for c in children(k, &inner) {
                            if !tree.contains(&c) {
                                tree.push(c);
                                todo.push(c);
                            }
                        }
                    }
                    let first = *tree.iter().min().unwrap();
                    let Some(bar) = (first..root).rev().find(|k| !tree.contains(k) && !self.quiet(blk, *k)) else {
                        continue;
                    };
                    for &p in tree.iter().filter(|p| **p > bar) {
                        cut.extend(children(p, &inner).into_iter().filter(|c| *c < bar));
                    }
                }
                if cut.is_empty() {
                    break;
                }
                for c in cut {
                    inner.remove(&c);
                }
            }
            for (&r, &root) in &nodes {
                if inner.contains(&root) {
                    continue;
                }
                // (a total's result is a scalar: its rank is that of the array it sums)
                let total = matches!(ops[&root], NodeOp::Total { .. });
                let (dt, rank) = match self.typed.ty(r) {
                    Ty::Array(rt) => (rt.dtype, rt.ndim as usize),
                    Ty::Np(d) if total => (*d, 0),
                    _ => continue,
                };
                // (a comparison is fused only into the np.where using it)
                // (a row sum's rank is that of the array it sums)
                let row_sum = matches!(ops[&root], NodeOp::RowSum { .. }) || total;
                if !matches!(dt, Dtype::Float64 | Dtype::Float32 | Dtype::Complex128 | Dtype::Bool) && !dt.is_int() {
                    continue;
                }
                // The element type the nodes compute in: the root's, or for a bool
                // root (a comparison, `&` of comparisons), that of the arrays compared.
                let out = dt;
                let dt = if dt == Dtype::Bool {
                    let mut todo = vec![root];
                    let mut found = None;
                    // (arrays of several dtypes compared: NumPy's common dtype, each
                    // converted exactly, `fuse_cast::converts`)
                    let mut common: Option<Dtype> = None;
                    while let Some(k) = todo.pop() {
                        for a in self.node_args(&d.insts[k]) {
                            match nodes.get(a) {
                                Some(&c) if inner.contains(&c) => {
                                    if let Ty::Array(at) = self.typed.ty(*a) {
                                        if at.dtype != Dtype::Bool {
                                            common = common.map_or(Some(at.dtype), |x| Dtype::promote(x, at.dtype));
                                        }
                                    }
                                    todo.push(c)
                                }
                                _ => {
                                    if let Ty::Array(at) = self.typed.ty(*a) {
                                        if found.is_none() {
                                            found = Some(at.dtype);
                                        }
                                        if at.dtype != Dtype::Bool {
                                            common = common.map_or(Some(at.dtype), |x| Dtype::promote(x, at.dtype));
                                        }
                                    }
                                }
                            }
                        }
                    }
                    let found = match (found, common) {
                        (Some(f), Some(c)) if f != c && f != Dtype::Bool => Some(c),
                        (f, _) => f,
                    };
                    match found {
                        Some(d) if matches!(d, Dtype::Float64 | Dtype::Float32 | Dtype::Bool) || d.is_int() => d,
                        _ => continue,
                    }
                } else {
                    dt
                };
                // (the nodes of a bool value: comparisons and bool `& | ^ ~`)
                let boolv = |k: usize| matches!(self.typed.ty(d.insts[k].result.unwrap()), Ty::Array(t) if t.dtype == Dtype::Bool);
                let ndim = match self.typed.ty(self.node_args(&d.insts[root])[0]) {
                    Ty::Array(et) if row_sum => et.ndim as usize,
                    _ => rank,
                };
                if ndim == 0 {
                    continue; // NumPy gives scalars for 0-d operands
                }
                // Collect the tree; every leaf must be a float64 array of at most the
                // root's rank (broadcast, as NumPy does), or a number.
                let mut tree = vec![root];
                let mut leaves = Vec::new();
                let mut todo = vec![root];
                let mut ok = true;
                let int = dt.is_int();
                while let Some(k) = todo.pop() {
                    let user = ops[&k];
                    // A Python scalar beside an array of another dtype (`a_i16 * 0.5`
                    // in float64): NumPy 1.x's value-based casting may pick another
                    // dtype than NumPy 2 for it, so only where both pick `dt`: a Python
                    // float with an int array of 32 bits or more (float64 in both), and
                    // (as before) int64 and uint64 arrays in float64 expressions.
                    let args = self.node_args(&d.insts[k]);
                    let scalar = |a: &Value| !matches!(self.typed.ty(*a), Ty::Array(_)) && !nodes.contains_key(a);
                    if args.iter().any(scalar) {
                        let floats = args
                            .iter()
                            .filter(|a| scalar(a))
                            .all(|a| *self.typed.ty(*a) == Ty::Float);
                        for a in args {
                            if let (Ty::Array(at), false) =
                                (self.typed.ty(*a), nodes.get(a).is_some_and(|c| inner.contains(c)))
                            {
                                let fine = at.dtype == dt
                                    || dt == Dtype::Float64 && matches!(at.dtype, Dtype::Int64 | Dtype::UInt64)
                                    || dt == Dtype::Float64 && floats && at.dtype.is_int() && at.dtype.itemsize() >= 4;
                                ok &= fine;
                            }
                        }
                    }
                    for (pos, a) in self.node_args(&d.insts[k]).iter().enumerate() {
                        // A bool value (a comparison, `&` of them) is usable only as
                        // np.where's condition, an operand of a bool `& | ^ ~` or the
                        // root; np.where's condition only as such a value. (In a bool
                        // expression, `a & ~b` of bool arrays, every value is bool.)
                        let want_bool = match user {
                            NodeOp::Where => pos == 0,
                            NodeOp::Cmp(_) => false,
                            _ => boolv(k),
                        };
                        let is_bool = match nodes.get(a) {
                            Some(&c) if inner.contains(&c) => boolv(c),
                            _ => {
                                matches!(self.typed.ty(*a), Ty::Array(t) if t.dtype == Dtype::Bool) && dt == Dtype::Bool
                            }
                        };
                        if is_bool != want_bool || (want_bool && dt != Dtype::Bool && !nodes.contains_key(a)) {
                            ok = false;
                            continue;
                        }
                        if matches!(user, NodeOp::Cmp(_)) && dt == Dtype::Bool {
                            ok = false;
                            continue;
                        }
                        // (a shift's amount is a scalar: `shift_by`)
                        let amount = matches!(user, NodeOp::Bin(BinOp::LShift | BinOp::RShift)) && pos == 1;
                        if amount && !matches!(self.typed.ty(*a), Ty::Int) {
                            ok = false;
                            continue;
                        }
                        if matches!(user, NodeOp::Cmp(_)) && !int && !self.exact_in_f64(*a) {
                            ok = false;
                            continue;
                        }
                        match nodes.get(a) {
                            Some(&c) if inner.contains(&c) => {
                                // (every node computes in the element type, or is a bool value)
                                let cd = match self.typed.ty(*a) {
                                    Ty::Array(ct) => ct.dtype,
                                    _ => Dtype::Bool,
                                };
                                if cd != dt && cd != Dtype::Bool {
                                    ok = false;
                                }
                                tree.push(c);
                                todo.push(c);
                            }
                            _ => match self.typed.ty(*a) {
                                // (an int64 or uint64 array in a float64 expression: each element
                                // converted to float64 as NumPy casts it, rounded to nearest, where
                                // NumPy's float64 loop would cast the whole operand; not compared,
                                // as NumPy's comparisons of ints with floats need not cast)
                                // (any narrower integer, bool or float32 array too, each element
                                // converted as NumPy's cast to the expression's dtype converts
                                // it: `fuse_cast`; compared only where that is exact)
                                Ty::Array(at)
                                    if (at.dtype == dt
                                        || fuse_cast::converts(at.dtype, dt, matches!(user, NodeOp::Cmp(_)))
                                            && !matches!(user, NodeOp::InPlace(_)))
                                        && at.ndim >= 1
                                        && at.ndim as usize <= ndim =>
                                {
                                    if !leaves.contains(a) {
                                        leaves.push(*a);
                                    }
                                }
                                // An integer expression's scalars: Python ints (checked at run
                                // time to lie within the dtype's range, where NumPy 1.x's
                                // value-based casting and NumPy 2's weak Python ints both keep
                                // the array's dtype) and bools.
                                Ty::Int | Ty::Bool if int => {}
                                Ty::Float | Ty::Bool | Ty::Np(Dtype::Float64) if dt == Dtype::Float64 => {}
                                Ty::Int if dt == Dtype::Float64 => {}
                                // A float32 expression's scalars: Python floats (checked at
                                // run time to convert to float32 as NumPy 1.x and 2.x both do),
                                // float32 scalars, bools, and int constants that both
                                // versions combine with float32 arrays into float32.
                                Ty::Float | Ty::Bool | Ty::Np(Dtype::Float32) if dt == Dtype::Float32 => {}
                                Ty::Int
                                    if dt == Dtype::Float32
                                        && matches!(self.consts.get(a), Some(Const::Int(c)) if (-32768..=65535).contains(c)) =>
                                    {}
                                // A complex128 expression's scalars: converted to complex128
                                // exactly (ints: constants of at most 2**53).
                                Ty::Float | Ty::Complex | Ty::Np(Dtype::Float64 | Dtype::Complex128)
                                    if dt == Dtype::Complex128 => {}
                                Ty::Int
                                    if dt == Dtype::Complex128
                                        && matches!(self.consts.get(a), Some(Const::Int(c)) if c.unsigned_abs() <= 1 << 53) =>
                                    {}
                                _ => ok = false,
                            },
                        }
                    }
                }
                tree.sort();
                // (leaves converted to the expression's dtype (`fuse_cast`): elementwise
                // expressions only, into a new array)
                let mixed = leaves.iter().any(|l| match self.typed.ty(*l) {
                    Ty::Array(at) => fuse_cast::mixed_leaf(at.dtype, dt),
                    _ => false,
                });
                if mixed
                    && tree.iter().any(|k| {
                        matches!(
                            ops[k],
                            NodeOp::Ufunc(_) | NodeOp::RowSum { .. } | NodeOp::Total { .. } | NodeOp::InPlace(_)
                        )
                    })
                {
                    ok = false;
                }
                // (a ufunc inside a bool expression: computed in chunks of the element type)
                if out != dt && tree.iter().any(|k| matches!(ops[k], NodeOp::Ufunc(_))) {
                    ok = false;
                }
                // Only constants and global reads may sit between the nodes: the slow
                // path runs the nodes after them (a deopt there resumes at its node).
                let first = tree[0];
                let pure = (first..root).all(|k| tree.contains(&k) || self.quiet(blk, k));
                // Expressions an earlier pass (small arrays) computes are left to it.
                let claimed = tree.iter().any(|k| self.plans.iter().any(|(_, p)| p.claims((blk, *k))));
                // (a ufunc only over an expression: of one array it is NumPy's one call)
                let ufunc = matches!(ops[&root], NodeOp::Ufunc(_));
                // (a total of one array is NumPy's one efficient call)
                // (one elementwise operation alone: see `single_op`)
                // (of arrays of several dtypes, NumPy's call casts in buffered chunks:
                // slower than the fused loop at any size, `emit_fused`)
                let alone_ok = row_sum && !total
                    || single_op(ops[&root], dt)
                    || mixed && matches!(ops[&root], NodeOp::Bin(_) | NodeOp::Cmp(_) | NodeOp::Where);
                let inplace = match ops[&root] {
                    NodeOp::InPlace(_) => {
                        let a = d.insts[root].args[0];
                        let at = leaves.iter().position(|l| *l == a);
                        ok &= at.is_some();
                        at
                    }
                    _ => None,
                };
                // (one operation stored into a view, `c[:, k] = c[:, k] * d`, is
                // still NumPy's call, its temporary and its assignment: fused,
                // only the stores)
                let elementwise = matches!(
                    ops[&root],
                    NodeOp::Bin(_) | NodeOp::Neg | NodeOp::Conj | NodeOp::Sqrt | NodeOp::Abs | NodeOp::Square
                ) && out == dt;
                let stored_alone = tree.len() == 1
                    && elementwise
                    && ndim >= 2
                    && ok
                    && pure
                    && !claimed
                    && self.store_of(blk, root, ndim, dt, &uses).is_some();
                if ok && pure && !claimed && (tree.len() >= 2 || alone_ok || stored_alone) && !leaves.is_empty() {
                    for k in &tree[..tree.len() - 1] {
                        plan.inner.insert((blk, *k));
                    }
                    // A temporary of this block's calls into NumPy, used by the tree
                    // only (nothing else, no native view, can see it).
                    let def_at: HashMap<Value, usize> = d
                        .insts
                        .iter()
                        .enumerate()
                        .filter_map(|(j, i)| Some((i.result?, j)))
                        .collect();
                    // (written only after a dry pass found no reason for the slow path,
                    // which reads this leaf again: `emit_fused`)
                    let reuse = leaves.iter().copied().find(|l| {
                        let in_tree: usize = tree
                            .iter()
                            .map(|&k| self.node_args(&d.insts[k]).iter().filter(|a| *a == l).count())
                            .sum();
                        let all_uses = d
                            .insts
                            .iter()
                            .map(|i| i.args.iter().filter(|a| *a == l).count())
                            .sum::<usize>()
                            + d.term.uses().iter().filter(|a| *a == l).count();
                        // (a view a pass makes natively shares its parent's object;
                        // an array a pass computes, small arrays' `np.sin(a)`, is its own)
                        let native = |j: usize| self.plans.iter().any(|(_, p)| p.borrows((blk, j)));
                        let full_rank =
                            matches!(self.typed.ty(*l), Ty::Array(at) if at.ndim as usize == ndim && at.dtype == out);
                        !row_sum
                            && !ufunc
                            && inplace.is_none()
                            && full_rank
                            && self.f.values[l.0 as usize].name.is_none()
                            && def_at
                                .get(l)
                                .is_some_and(|&j| self.env.pycalls.contains_key(&(blk, j)) && !native(j))
                            && uses.get(l) == Some(&in_tree)
                            && all_uses == in_tree
                    });
                    // (a 1-d row stored into is the small-arrays pass's, with its
                    // operands' views made natively)
                    let store = if row_sum || ufunc || inplace.is_some() || ndim < 2 || out != dt || mixed {
                        None
                    } else {
                        self.store_of(blk, root, ndim, dt, &uses)
                    };
                    if let Some(st) = store {
                        plan.stores.insert((blk, st), (blk, root));
                    }
                    plan.roots.insert(
                        (blk, root),
                        FusedExpr {
                            ops: tree.iter().map(|k| ops[k]).collect(),
                            nodes: tree,
                            leaves,
                            ndim,
                            dtype: dt,
                            out,
                            reuse,
                            inplace,
                            sub: None,
                            store,
                        },
                    );
                }
            }
        }
        plan
    }

    /// `x[idx] = e` right after the root `e` (only instructions that can sit
    /// between an expression's nodes in between, such as the index's slices,
    /// which CPython evaluates after `e`), `e` used by nothing else: the
    /// store's position, when `x` is a writeable array of `e`'s dtype and `idx`
    /// a basic index of ints and slices (int or `None` bounds, no step or a
    /// positive constant one) leaving `e`'s rank.
    fn store_of(&self, blk: Block, root: usize, ndim: usize, dt: Dtype, uses: &HashMap<Value, usize>) -> Option<usize> {
        let insts = &self.f.block(blk).insts;
        let r = insts[root].result?;
        if uses.get(&r) != Some(&1) {
            return None;
        }
        let st = (root + 1..insts.len()).find(|&k| insts[k].args.contains(&r))?;
        let set = &insts[st];
        if set.op != Op::SetItem || set.args.len() < 3 || set.args.last() != Some(&r) {
            return None;
        }
        if !(root + 1..st).all(|k| self.quiet(blk, k)) {
            return None;
        }
        let Ty::Array(bt) = self.typed.ty(set.args[0]) else {
            return None;
        };
        if bt.dtype != dt || bt.readonly || dt.is_record() {
            return None;
        }
        let idx = &set.args[1..set.args.len() - 1];
        let mut ints = 0;
        for v in idx {
            match self.typed.ty(*v) {
                Ty::Int => ints += 1,
                Ty::Slice(parts) => {
                    let bound = |t: &Ty| matches!(t, Ty::Int | Ty::NoneT);
                    let step = match &parts[2] {
                        Ty::NoneT => true,
                        Ty::Int => {
                            let &(b, k) = self.defs.get(v)?;
                            let def = &self.f.block(b).insts[k];
                            matches!(def.op, Op::Slice)
                                && def.args.len() == 3
                                && matches!(self.consts.get(&def.args[2]), Some(Const::Int(c)) if *c > 0)
                        }
                        _ => false,
                    };
                    if !(bound(&parts[0]) && bound(&parts[1]) && step) {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        let nd = bt.ndim as usize;
        (idx.len() <= nd && nd - ints == ndim).then_some(st)
    }

    /// The view `base[idx]` of a basic index ([`store_of`]'s) as NumPy's
    /// indexing makes it: whether it exists (every int index in range), its
    /// data address, shape and strides. Ints and slice bounds are adjusted as
    /// CPython's `PySlice_AdjustIndices` adjusts them.
    fn basic_view(&mut self, base: Value, idx: &[Value]) -> CResult<(CV, CV, Vec<CV>, Vec<CV>)> {
        let Ty::Array(bt) = self.ty(base) else {
            return Err(internal("fuse: a store into a non-array"));
        };
        let nd = bt.ndim as usize;
        let slots = abi::ArraySlots::new(nd);
        let bv = self.use_val(base)?;
        let mut ok = self.b.ins().iconst(clt::I8, 1);
        let mut data = bv[abi::ArraySlots::DATA];
        let (mut shape, mut strides) = (Vec::new(), Vec::new());
        let zero = self.b.ins().iconst(clt::I64, 0);
        for (ax, v) in idx.iter().enumerate() {
            let n = bv[slots.shape(ax)];
            let stride = bv[slots.stride(ax)];
            let vals = self.use_val(*v)?;
            match self.ty(*v) {
                Ty::Int => {
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, vals[0], 0);
                    let wrapped = self.b.ins().iadd(vals[0], n);
                    let i = self.b.ins().select(neg, wrapped, vals[0]);
                    let lo = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i, 0);
                    let hi = self.b.ins().icmp(IntCC::SignedLessThan, i, n);
                    let inside = self.b.ins().band(lo, hi);
                    ok = self.b.ins().band(ok, inside);
                    let off = self.b.ins().imul(i, stride);
                    data = self.b.ins().iadd(data, off);
                }
                Ty::Slice(parts) => {
                    let mut at = 0;
                    let mut part = |t: &Ty| {
                        (*t == Ty::Int).then(|| {
                            at += 1;
                            vals[at - 1]
                        })
                    };
                    let (lo, hi) = (part(&parts[0]), part(&parts[1]));
                    let step = match self.defs.get(v).map(|&(b, k)| &self.f.block(b).insts[k]) {
                        Some(def) if parts[2] == Ty::Int => match self.consts.get(&def.args[2]) {
                            Some(Const::Int(c)) => *c,
                            _ => return Err(internal("fuse: a store's slice step")),
                        },
                        _ => 1,
                    };
                    // (a positive step: a bound below 0 counts from the end, then
                    // clamps to 0; one at or past the end is the end)
                    let adjust = |g: &mut Self, b: Option<CV>, none: CV| match b {
                        None => none,
                        Some(b) => {
                            let neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, b, 0);
                            let from_end = g.b.ins().iadd(b, n);
                            let from_end = g.b.ins().smax(from_end, zero);
                            let within = g.b.ins().smin(b, n);
                            g.b.ins().select(neg, from_end, within)
                        }
                    };
                    let start = adjust(self, lo, zero);
                    let stop = adjust(self, hi, n);
                    let span = self.b.ins().isub(stop, start);
                    let span = self.b.ins().smax(span, zero);
                    let len = if step == 1 {
                        span
                    } else {
                        let m = self.b.ins().iadd_imm_s(span, step - 1);
                        self.b.ins().sdiv_imm_s(m, step)
                    };
                    let off = self.b.ins().imul(start, stride);
                    data = self.b.ins().iadd(data, off);
                    shape.push(len);
                    strides.push(self.b.ins().imul_imm_s(stride, step));
                }
                _ => return Err(internal("fuse: a store's index")),
            }
        }
        for ax in idx.len()..nd {
            shape.push(bv[slots.shape(ax)]);
            strides.push(bv[slots.stride(ax)]);
        }
        Ok((ok, data, shape, strides))
    }

    /// `x[idx] = e` of a fused `e` ([`store_of`]), at the store: `e` computed
    /// straight into the view `x[idx]`, which NumPy would fill by copying `e`'s
    /// array into it. That runs when the view exists and has `e`'s shape
    /// (NumPy also broadcasts a smaller `e`: its own path), in one of two ways:
    ///
    /// * *direct*: the view's elements are adjacent along its rows and it lies
    ///   wholly outside every operand's memory, so that writing it changes no
    ///   value `e` reads; then a non-finite value found midway (NumPy warns)
    ///   can still run the slow path, the calls as written and NumPy's
    ///   assignment, which overwrites every element written;
    /// * *staged* (any other view: strided rows such as `x[:, :, k]`, or one
    ///   that may share memory with an operand, `c[:, k] = c[:, k] * d`):
    ///   every value of `e` first goes into a scratch buffer, then, when none
    ///   is non-finite, the buffer is copied into the view element by element
    ///   in C order. That is what Python does (`e` is evaluated whole into a
    ///   new array before `__setitem__` copies it), with the same values (the
    ///   fused values are NumPy's bit for bit, read before anything is
    ///   written), so the result is NumPy's whatever the overlap; the slow
    ///   path, taken before anything is written, stays exact too. Arrays
    ///   beyond [`STORE_SCRATCH_MAX_BYTES`] take the slow path (the scratch
    ///   buffer is kept per thread).
    fn emit_fused_store(&mut self, blk: Block, fx: &FusedExpr, st: usize) -> CResult<()> {
        let f = self.f;
        let insts = &f.block(blk).insts;
        let set = &insts[st];
        let nd = fx.ndim;
        let esz = fx.dtype.itemsize();
        let (leaf_vals, shape, bstrides, same, scalars) = self.fused_setup(blk, fx)?;
        let n = set.args.len();
        let (exists, dst, dshape, dstrides) = self.basic_view(set.args[0], &set.args[1..n - 1])?;
        let mut ok = self.b.ins().band(same, exists);
        for (a, b) in dshape.iter().zip(&shape) {
            let eq = self.b.ins().icmp(IntCC::Equal, *a, *b);
            ok = self.b.ins().band(ok, eq);
        }
        // (a view whose elements may share memory with each other, made by
        // `as_strided`, is NumPy's to fill in its own order: the last of the
        // values written to an element is the one kept)
        let distinct = self.no_self_overlap(&dshape, &dstrides, esz);
        ok = self.b.ins().band(ok, distinct);
        let mut direct = self.b.ins().icmp_imm_s(IntCC::Equal, dstrides[nd - 1], esz);
        for (lv, bs) in leaf_vals.iter().zip(&bstrides) {
            let apart = self.apart((dst, &dstrides), (lv[0], bs), &shape, esz);
            direct = self.b.ins().band(direct, apart);
        }
        let size = self.size_of(&shape);
        let mut nrows = self.b.ins().iconst(clt::I64, 1);
        for s in &shape[..nd - 1] {
            nrows = self.b.ins().imul(nrows, *s);
        }
        let flags = MemFlagsData::new().with_notrap();
        let no_sink = self.b.ins().iconst(clt::I64, 0);
        let (fast, slow, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let (pick, staged) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(ok, pick, &[], slow, &[]);
        self.b.switch_to_block(pick);
        self.b.ins().brif(direct, fast, &[], staged, &[]);

        self.b.switch_to_block(fast);
        let mut ptrs: Vec<CV> = leaf_vals.iter().map(|v| v[0]).collect();
        let mut all_strides = bstrides.clone();
        all_strides.push(dstrides.clone());
        let contig = self.c_contiguous(&shape, &all_strides, &vec![esz; all_strides.len()]);
        let (flat, rows, done) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let dbad = self.b.append_block_param(done, clt::I64X2);
        self.b.ins().brif(contig, flat, &[], rows, &[]);
        self.b.switch_to_block(flat);
        let bad = self.fused_run(fx, insts, &ptrs, &[], dst, no_sink, size, false, &[], &scalars, flags)?;
        self.b.ins().jump(done, &[BlockArg::Value(bad)]);
        // Row by row, the view's row address carried with the leaves'.
        self.b.switch_to_block(rows);
        ptrs.push(dst);
        let lp = self.row_loop(nrows, &ptrs, nd - 1, done);
        let nl = leaf_vals.len();
        let row_ptrs = lp.ptrs.clone();
        let inner: Vec<CV> = bstrides.iter().map(|st| st[nd - 1]).collect();
        let nbad = self.fused_row(
            fx,
            insts,
            &row_ptrs[..nl],
            &inner,
            row_ptrs[nl],
            no_sink,
            shape[nd - 1],
            &scalars,
            flags,
        )?;
        let bad = self.b.ins().bor(lp.bad, nbad);
        self.next_row(&lp, bad, &shape, &all_strides);
        self.b.switch_to_block(done);
        let any = self.b.ins().vany_true(dbad);
        let stored = self.b.create_block();
        self.b.ins().brif(any, slow, &[], stored, &[]);

        // Staged: every value into the scratch buffer (as `emit_fused` fills a
        // new array: one flat pass when the leaves are C-contiguous, else row
        // by row), then, all finite, the buffer into the view.
        self.b.switch_to_block(staged);
        let small = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThanOrEqual, size, STORE_SCRATCH_MAX_BYTES / esz);
        let (sized, got) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(small, sized, &[], slow, &[]);
        self.b.switch_to_block(sized);
        // (float64 units, rounded up)
        let units = self.b.ins().imul_imm_s(size, esz);
        let units = self.b.ins().iadd_imm_s(units, 7);
        let units = self.b.ins().sshr_imm_u(units, 3);
        let scratch = self.call("pyston_store_scratch", &[units])?[0];
        self.b.ins().brif(scratch, got, &[], slow, &[]);
        self.b.switch_to_block(got);
        let ptrs: Vec<CV> = leaf_vals.iter().map(|v| v[0]).collect();
        let contig = self.c_contiguous(&shape, &bstrides, &vec![esz; bstrides.len()]);
        let (sflat, srows, sdone) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let sbad = self.b.append_block_param(sdone, clt::I64X2);
        self.b.ins().brif(contig, sflat, &[], srows, &[]);
        self.b.switch_to_block(sflat);
        let bad = self.fused_run(
            fx,
            insts,
            &ptrs,
            &[],
            scratch,
            no_sink,
            size,
            false,
            &[],
            &scalars,
            flags,
        )?;
        self.b.ins().jump(sdone, &[BlockArg::Value(bad)]);
        self.b.switch_to_block(srows);
        let n_last = shape[nd - 1];
        let lp = self.row_loop(nrows, &ptrs, nd - 1, sdone);
        let row = lp.ptrs.clone();
        let off = self.b.ins().imul(lp.r, n_last);
        let off = self.b.ins().imul_imm_s(off, esz);
        let row_out = self.b.ins().iadd(scratch, off);
        let nbad = self.fused_row(fx, insts, &row, &inner, row_out, no_sink, n_last, &scalars, flags)?;
        let bad = self.b.ins().bor(lp.bad, nbad);
        self.next_row(&lp, bad, &shape, &bstrides);
        self.b.switch_to_block(sdone);
        let any = self.b.ins().vany_true(sbad);
        let copy = self.b.create_block();
        self.b.ins().brif(any, slow, &[], copy, &[]);
        // The copy: row by row over the view (its rows' addresses carried as
        // the leaves' are), element `j` of row `r` from `scratch[r * n_last + j]`.
        self.b.switch_to_block(copy);
        let copied = self.b.create_block();
        self.b.append_block_param(copied, clt::I64X2);
        let lp = self.row_loop(nrows, &[dst], nd - 1, copied);
        let off = self.b.ins().imul(lp.r, n_last);
        let off = self.b.ins().imul_imm_s(off, esz);
        let src = self.b.ins().iadd(scratch, off);
        let drow = lp.ptrs[0];
        let dstep = dstrides[nd - 1];
        let et = match esz {
            1 => clt::I8,
            2 => clt::I16,
            4 => clt::I32,
            16 => clt::I64X2,
            _ => clt::I64,
        };
        let (h, body, end) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let j = self.b.append_block_param(h, clt::I64);
        let at = self.b.append_block_param(h, clt::I64);
        let z = self.b.ins().iconst(clt::I64, 0);
        self.b.ins().jump(h, &[BlockArg::Value(z), BlockArg::Value(drow)]);
        self.b.switch_to_block(h);
        let fin = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, j, n_last);
        self.b.ins().brif(fin, end, &[], body, &[]);
        self.b.switch_to_block(body);
        let soff = self.b.ins().imul_imm_s(j, esz);
        let saddr = self.b.ins().iadd(src, soff);
        let v = self.b.ins().load(et, flags, saddr, 0);
        self.b.ins().store(flags, v, at, 0);
        let j1 = self.b.ins().iadd_imm_s(j, 1);
        let at1 = self.b.ins().iadd(at, dstep);
        self.b.ins().jump(h, &[BlockArg::Value(j1), BlockArg::Value(at1)]);
        self.b.switch_to_block(end);
        self.next_row(&lp, lp.bad, &shape, std::slice::from_ref(&dstrides));
        self.b.switch_to_block(copied);
        self.b.ins().jump(stored, &[]);

        self.b.switch_to_block(stored);
        for i in self.fused_dying(blk, fx) {
            let ctx = self.ctx.unwrap();
            self.call("pyston_release_temp", &[ctx, leaf_vals[i][abi::ArraySlots::OBJ]])?;
        }
        self.b.ins().jump(merge, &[]);

        // Slow path: the nodes as written, then NumPy's assignment.
        self.b.switch_to_block(slow);
        let saved = self.cur_inst;
        for &k in fx.nodes.iter().chain([&st]) {
            self.cur_inst = (blk, k);
            self.inst(&insts[k])?;
        }
        self.cur_inst = saved;
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(merge);
        Ok(())
    }

    /// The leaves (their positions) that are temporaries of this block's calls
    /// into NumPy, unnamed, last used by a node of the expression, and read
    /// before it only by calls into NumPy or operations with a scalar result
    /// (nothing holding them without a reference), other than the leaf the
    /// result may be written into: freed once the fast path has read them.
    fn fused_dying(&self, blk: Block, fx: &FusedExpr) -> Vec<usize> {
        let insts = &self.f.block(blk).insts;
        let claimed = |at| self.plans.iter().any(|(_, p)| p.claims(at));
        let scalar = |t: &Ty| matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Complex | Ty::Np(_) | Ty::NoneT);
        let root = *fx.nodes.last().unwrap();
        (0..fx.leaves.len())
            .filter(|&i| {
                let l = fx.leaves[i];
                if Some(l) == fx.reuse || Some(i) == fx.inplace || self.f.values[l.0 as usize].name.is_some() {
                    return false;
                }
                let Some(&(lb, lk)) = self.last_use.get(&l) else {
                    return false;
                };
                let Some(&(db, dk)) = self.defs.get(&l) else {
                    return false;
                };
                let native = self.plans.iter().any(|(_, p)| p.borrows((db, dk)));
                lb == blk
                    && db == blk
                    && fx.nodes.contains(&lk)
                    && self.env.pycalls.contains_key(&(db, dk))
                    && !native
                    && (dk + 1..root).all(|u| {
                        let i = &insts[u];
                        !i.args.contains(&l)
                            || fx.nodes.contains(&u)
                            || (!claimed((blk, u))
                                && (self.env.pycalls.contains_key(&(blk, u))
                                    || i.result.is_none_or(|r| scalar(self.typed.ty(r)))))
                    })
            })
            .collect()
    }

    /// Emits a fused expression at its root instruction (see the module docs).
    fn emit_fused(&mut self, blk: Block, fx: &FusedExpr) -> CResult<()> {
        if let Some(&NodeOp::Total { mean }) = fx.ops.last() {
            return self.emit_total(blk, fx, mean);
        }
        if let Some(&NodeOp::RowSum {
            last,
            mean,
            keepdims,
            axes,
        }) = fx.ops.last()
        {
            return self.emit_row_sum(blk, fx, last, mean, keepdims, axes);
        }
        let f = self.f;
        let insts = &f.block(blk).insts;
        let root = *fx.nodes.last().unwrap();
        let root_val = insts[root].result.unwrap();
        let nd = fx.ndim;
        let (leaf_vals, shape, bstrides, same, scalars) = self.fused_setup(blk, fx)?;
        let esz = fx.dtype.itemsize();
        let same = match fx.inplace {
            Some(ai) => {
                let fits = self.inplace_fits(ai, &leaf_vals, &shape, &bstrides, esz);
                // (the pass before the one that writes reads every operand once
                // more: beyond the L2 cache that costs more than NumPy's own
                // temporary, so large arrays take the slow path, which computes
                // `e` fused into a new array, then NumPy's in-place operation)
                let size = self.size_of(&shape);
                let small = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::SignedLessThanOrEqual, size, INPLACE_MAX_BYTES / esz);
                let fits = self.b.ins().band(fits, small);
                self.b.ins().band(same, fits)
            }
            None => same,
        };
        let same = if fx.nodes.len() == 1 && !is_mixed(self, fx) {
            // (one operation alone: small arrays only, see `single_op`; of arrays of
            // several dtypes, any size)
            let size = self.size_of(&shape);
            let most = match fx.ops[0] {
                NodeOp::Ufunc(_) => UFUNC_SINGLE_MAX_BYTES,
                _ => SINGLE_MAX_BYTES,
            };
            let small = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, size, most / esz);
            let small = match fx.ops[0] {
                // (a ufunc of one C-contiguous array only: NumPy's loop over a
                // strided or reversed view is another code path there, its
                // scalar fallback, whose values can differ by an ulp from
                // the contiguous SIMD loop this runs over the copy)
                NodeOp::Ufunc(_) => {
                    let contig = self.c_contiguous(&shape, &bstrides, &vec![esz; bstrides.len()]);
                    self.b.ins().band(small, contig)
                }
                _ => small,
            };
            self.b.ins().band(same, small)
        } else {
            same
        };
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let merge = self.b.create_block();
        let nslots = abi::ArraySlots::new(nd).count();
        let merge_params: Vec<CV> = (0..nslots)
            .map(|_| self.b.append_block_param(merge, clt::I64))
            .collect();
        self.b.ins().brif(same, fast, &[], slow, &[]);

        // Fast path: one output array, one pass.
        self.b.switch_to_block(fast);
        let at = ArrTy {
            dtype: fx.out,
            ndim: nd as u8,
            layout: Layout::C,
            readonly: false,
        };
        let size = self.size_of(&shape);
        // The output array (no deopt here: a failed allocation takes the slow path,
        // which fails the same way with NumPy's own error).
        let allocated = self.b.create_block();
        let out: Vec<CV> = (0..nslots)
            .map(|_| self.b.append_block_param(allocated, clt::I64))
            .collect();
        // Where the pass stores: 0, the output; else a scratch address every
        // element goes to (a dry pass, which only learns whether the slow path
        // must run). Written into a temporary leaf, the output must not be
        // written before that is known: the slow path reads the leaf again.
        let sink = self.b.append_block_param(allocated, clt::I64);
        if let Some(ai) = fx.inplace {
            // `a op= e`: into `a` itself, after a dry pass (none for an integer
            // expression, which cannot take the slow path once its loop runs).
            let mut args: Vec<BlockArg> = leaf_vals[ai].iter().map(|v| BlockArg::Value(*v)).collect();
            let sink = if fx.dtype.is_int() && !may_divide(fx) {
                self.b.ins().iconst(clt::I64, 0)
            } else {
                self.stack(16)
            };
            args.push(BlockArg::Value(sink));
            self.b.ins().jump(allocated, &args);
        } else {
            if let Some(l) = fx.reuse {
                // Into the temporary when nothing else holds it (its object is the result).
                let i = fx.leaves.iter().position(|x| *x == l).unwrap();
                let ctx = self.ctx.unwrap();
                let lv = &leaf_vals[i];
                let slots = abi::ArraySlots::new(nd);
                let ok = self.call("pyston_fuse_elidable", &[ctx, lv[abi::ArraySlots::OBJ], lv[0], size])?[0];
                // (a leaf of the result's own shape only, not a broadcast one; the plan
                // picks only leaves of the result's rank)
                let mut ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, ok, 0);
                for (d, s) in shape.iter().enumerate() {
                    let eq = self.b.ins().icmp(IntCC::Equal, lv[slots.shape(d)], *s);
                    ok = self.b.ins().band(ok, eq);
                }
                let (reuse, alloc) = (self.b.create_block(), self.b.create_block());
                self.b.ins().brif(ok, reuse, &[], alloc, &[]);
                self.b.switch_to_block(reuse);
                let mut args: Vec<BlockArg> = leaf_vals[i].iter().map(|v| BlockArg::Value(*v)).collect();
                // (an integer or bool expression never takes the slow path once its
                // loop runs: straight into the temporary, no dry pass)
                let sink = if (fx.dtype.is_int() || fx.dtype == Dtype::Bool) && !may_divide(fx) {
                    self.b.ins().iconst(clt::I64, 0)
                } else {
                    self.stack(16)
                };
                args.push(BlockArg::Value(sink));
                self.b.ins().jump(allocated, &args);
                self.b.switch_to_block(alloc);
            }
            let (st, outbuf) = self.alloc_call(AllocKind::Empty, &at, &shape)?;
            let fresh = self.b.create_block();
            self.b.ins().brif(st, slow, &[], fresh, &[]);
            self.b.switch_to_block(fresh);
            let made = self.load_array_slots(outbuf, nd);
            let mut args: Vec<BlockArg> = made.iter().map(|v| BlockArg::Value(*v)).collect();
            let no_sink = self.b.ins().iconst(clt::I64, 0);
            args.push(BlockArg::Value(no_sink));
            self.b.ins().jump(allocated, &args);
        }
        self.b.switch_to_block(allocated);
        let ptrs: Vec<CV> = leaf_vals.iter().map(|v| v[0]).collect();
        let out_ptr = out[0];
        let flags = MemFlagsData::new().with_notrap();
        // All leaves C-contiguous (as the output): one flat pass; else row by row.
        let sizes = leaf_sizes(self, fx);
        let contig = self.c_contiguous(&shape, &bstrides, &sizes);
        let flat = self.b.create_block();
        let rows = self.b.create_block();
        let done = self.b.create_block();
        let dbad = self.b.append_block_param(done, clt::I64X2);
        self.b.ins().brif(contig, flat, &[], rows, &[]);

        self.b.switch_to_block(flat);
        let bad = self.fused_run(fx, insts, &ptrs, &[], out_ptr, sink, size, false, &[], &scalars, flags)?;
        self.b.ins().jump(done, &[BlockArg::Value(bad)]);

        // Row by row: the last axis is the inner loop (2 lanes when every leaf's
        // elements are adjacent there), the others are counted by `r`.
        self.b.switch_to_block(rows);
        let n_last = shape[nd - 1];
        let nrows = if nd == 1 {
            self.b.ins().iconst(clt::I64, 1)
        } else {
            let nz = self.b.ins().icmp_imm_s(IntCC::Equal, n_last, 0);
            let one = self.b.ins().iconst(clt::I64, 1);
            let div = self.b.ins().select(nz, one, n_last);
            let q = self.b.ins().sdiv(size, div);
            let zero = self.b.ins().iconst(clt::I64, 0);
            self.b.ins().select(nz, zero, q)
        };
        let lp = self.row_loop(nrows, &ptrs, nd - 1, done);
        let (r, rbad) = (lp.r, lp.bad);
        let row_ptrs = lp.ptrs.clone();
        let inner: Vec<CV> = bstrides.iter().map(|st| st[nd - 1]).collect();
        let row_off = self.b.ins().imul(r, n_last);
        let row_off = self.b.ins().imul_imm_s(row_off, fx.out.itemsize());
        let row_out = match fx.inplace {
            Some(ai) => row_ptrs[ai],
            None => self.b.ins().iadd(out_ptr, row_off),
        };
        let nbad = self.fused_row(fx, insts, &row_ptrs, &inner, row_out, sink, n_last, &scalars, flags)?;
        let bad = self.b.ins().bor(rbad, nbad);
        self.next_row(&lp, bad, &shape, &bstrides);

        self.b.switch_to_block(done);
        let any = self.b.ins().vany_true(dbad);
        let out_args: Vec<BlockArg> = out.iter().map(|v| BlockArg::Value(*v)).collect();
        let computed = self.b.create_block();
        let finite = self.b.create_block();
        self.b.ins().brif(any, slow, &[], finite, &[]);
        // After a dry pass, the same pass again, storing into the leaf.
        self.b.switch_to_block(finite);
        let was_dry = self.b.ins().icmp_imm_s(IntCC::NotEqual, sink, 0);
        let again = self.b.create_block();
        self.b.ins().brif(was_dry, again, &[], computed, &[]);
        self.b.switch_to_block(again);
        let mut args: Vec<BlockArg> = out.iter().map(|v| BlockArg::Value(*v)).collect();
        let no_sink = self.b.ins().iconst(clt::I64, 0);
        args.push(BlockArg::Value(no_sink));
        self.b.ins().jump(allocated, &args);
        self.b.switch_to_block(computed);
        if let Some(&NodeOp::Ufunc(id)) = fx.ops.last() {
            // NumPy's own loop over the values, in place (a floating-point
            // exception it would warn about, or no such loop: the slow path)
            let idv = self.b.ins().iconst(clt::I64, i64::from(id));
            let step = self.b.ins().iconst(clt::I64, esz);
            let st = self.call("pyston_ufunc_loop", &[idv, out[0], step, out[0], step, size])?[0];
            let done = self.b.create_block();
            self.b.ins().brif(st, slow, &[], done, &[]);
            self.b.switch_to_block(done);
        }
        // The temporaries read for the last time go now, as CPython drops each
        // at the operation using it last (the slow path's calls do the same).
        for i in self.fused_dying(blk, fx) {
            let ctx = self.ctx.unwrap();
            self.call("pyston_release_temp", &[ctx, leaf_vals[i][abi::ArraySlots::OBJ]])?;
        }
        self.b.ins().jump(merge, &out_args);

        // Slow path: the instructions as written (NumPy calls, temporaries, warnings).
        self.b.switch_to_block(slow);
        self.fused_slow_path(blk, fx, merge)?;
        self.b.switch_to_block(merge);
        self.vals.insert(root_val, merge_params);
        Ok(())
    }

    /// Whether two views of `shape` (`esz`-byte elements at an address, with
    /// strides) lie wholly apart: the byte ranges `[lo, hi)` their elements
    /// span do not meet.
    fn apart(&mut self, a: (CV, &[CV]), b: (CV, &[CV]), shape: &[CV], esz: i64) -> CV {
        let zero = self.b.ins().iconst(clt::I64, 0);
        let mut extent = |(p, bs): (CV, &[CV])| {
            let (mut lo, mut hi) = (p, self.b.ins().iadd_imm_s(p, esz));
            for (n, st) in shape.iter().zip(bs) {
                let n1 = self.b.ins().iadd_imm_s(*n, -1);
                let span = self.b.ins().imul(n1, *st);
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, span, 0);
                let down = self.b.ins().select(neg, span, zero);
                let up = self.b.ins().select(neg, zero, span);
                lo = self.b.ins().iadd(lo, down);
                hi = self.b.ins().iadd(hi, up);
            }
            (lo, hi)
        };
        let (alo, ahi) = extent(a);
        let (blo, bhi) = extent(b);
        let below = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, bhi, alo);
        let above = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, ahi, blo);
        self.b.ins().bor(below, above)
    }

    /// Whether the elements of a view of `shape` (`esz`-byte elements, with
    /// `strides`) are certainly distinct memory: its axes nest in C order or
    /// in F order (each axis of length over 1 steps at least as far as the
    /// span of the axes inside it). Views made by indexing always do; only
    /// `as_strided` makes others.
    fn no_self_overlap(&mut self, shape: &[CV], strides: &[CV], esz: i64) -> CV {
        let nested = |g: &mut Self, order: &mut dyn Iterator<Item = usize>| {
            let zero = g.b.ins().iconst(clt::I64, 0);
            let mut span = g.b.ins().iconst(clt::I64, esz);
            let mut ok = g.b.ins().iconst(clt::I8, 1);
            for d in order {
                let st = g.b.ins().iabs(strides[d]);
                let one = g.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, shape[d], 1);
                let far = g.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, st, span);
                let fine = g.b.ins().bor(one, far);
                ok = g.b.ins().band(ok, fine);
                let n1 = g.b.ins().iadd_imm_s(shape[d], -1);
                let n1 = g.b.ins().smax(n1, zero);
                let ext = g.b.ins().imul(n1, st);
                span = g.b.ins().iadd(span, ext);
            }
            ok
        };
        let n = shape.len();
        let c = nested(self, &mut (0..n).rev());
        let f = nested(self, &mut (0..n));
        self.b.ins().bor(c, f)
    }

    /// The number of elements of `shape`.
    fn size_of(&mut self, shape: &[CV]) -> CV {
        let mut size = self.b.ins().iconst(clt::I64, 1);
        for s in shape {
            size = self.b.ins().imul(size, *s);
        }
        size
    }

    /// Whether `a op= e` may be computed in place (`a` the leaf at `ai`): `a`
    /// has the broadcast shape (else NumPy raises), its elements are adjacent
    /// along the last axis (the rows written), and every other leaf either is
    /// `a`'s memory element for element (same address and strides: each
    /// element is read before it is written) or lies wholly outside `a`'s
    /// memory. Otherwise NumPy computes as if the operands were copied first
    /// (its overlap handling), which the slow path does.
    fn inplace_fits(&mut self, ai: usize, leaf_vals: &[Vals], shape: &[CV], bstrides: &[Vec<CV>], esz: i64) -> CV {
        let nd = shape.len();
        let slots = abi::ArraySlots::new(nd);
        let av = &leaf_vals[ai];
        let mut ok = self.b.ins().icmp_imm_s(IntCC::Equal, bstrides[ai][nd - 1], esz);
        for (d, n) in shape.iter().enumerate() {
            let eq = self.b.ins().icmp(IntCC::Equal, av[slots.shape(d)], *n);
            ok = self.b.ins().band(ok, eq);
        }
        for (i, lv) in leaf_vals.iter().enumerate() {
            if i == ai {
                continue;
            }
            let apart = self.apart((av[0], &bstrides[ai]), (lv[0], &bstrides[i]), shape, esz);
            let mut same = self.b.ins().icmp(IntCC::Equal, lv[0], av[0]);
            for (x, y) in bstrides[i].iter().zip(&bstrides[ai]) {
                let eq = self.b.ins().icmp(IntCC::Equal, *x, *y);
                same = self.b.ins().band(same, eq);
            }
            let fine = self.b.ins().bor(apart, same);
            ok = self.b.ins().band(ok, fine);
        }
        ok
    }

    /// The broadcast shape of an expression's leaves (NumPy's rules: a leaf of
    /// lower rank gets length-1 axes in front; along each axis the length that
    /// is not 1), each leaf's strides in it (0 where it has length 1), and
    /// whether the fast path may run: the lengths broadcast, and NumPy's
    /// result is C-ordered like the fused one (then a row reduction over the
    /// last axis also sums each row pairwise). For two dimensions that is
    /// NumPy's own rule, followed operation by operation (below); for more,
    /// every leaf's nonzero |strides| must not grow inward, so that no operand
    /// asks NumPy's iterator to swap a pair of axes. Otherwise (an F-ordered
    /// result, lengths that do not broadcast) the slow path runs: NumPy's own
    /// layout, or its error.
    fn fused_geometry(&mut self, blk: Block, fx: &FusedExpr, leaf_vals: &[Vals]) -> (Vec<CV>, Vec<Vec<CV>>, CV) {
        let nd = fx.ndim;
        let one = self.b.ins().iconst(clt::I64, 1);
        let zero = self.b.ins().iconst(clt::I64, 0);
        // Each leaf's length and stride along each of the root's axes.
        let mut lens: Vec<Vec<CV>> = Vec::new();
        let mut strides: Vec<Vec<CV>> = Vec::new();
        for (l, lv) in fx.leaves.iter().zip(leaf_vals) {
            let lr = match self.typed.ty(*l) {
                Ty::Array(at) => at.ndim as usize,
                _ => nd,
            };
            let slots = abi::ArraySlots::new(lr);
            let pad = nd - lr;
            lens.push(
                (0..nd)
                    .map(|d| if d < pad { one } else { lv[slots.shape(d - pad)] })
                    .collect(),
            );
            strides.push(
                (0..nd)
                    .map(|d| if d < pad { zero } else { lv[slots.stride(d - pad)] })
                    .collect(),
            );
        }
        let mut shape: Vec<CV> = Vec::with_capacity(nd);
        for d in 0..nd {
            let mut n = one;
            for ls in &lens {
                let is1 = self.b.ins().icmp_imm_s(IntCC::Equal, ls[d], 1);
                n = self.b.ins().select(is1, n, ls[d]);
            }
            shape.push(n);
        }
        let mut same = self.b.ins().iconst(clt::I8, 1);
        let mut bstrides = Vec::new();
        for (ls, st) in lens.iter().zip(&strides) {
            let mut bs = Vec::with_capacity(nd);
            for d in 0..nd {
                let eq = self.b.ins().icmp(IntCC::Equal, ls[d], shape[d]);
                let is1 = self.b.ins().icmp_imm_s(IntCC::Equal, ls[d], 1);
                let fits = self.b.ins().bor(eq, is1);
                same = self.b.ins().band(same, fits);
                bs.push(self.b.ins().select(is1, zero, st[d]));
            }
            if nd != 2 {
                // C order: from the last axis outward, each nonzero |stride| at
                // least every nonzero |stride| inside it (no operand asks NumPy
                // for a swap of any pair of axes).
                let mut inner_max = zero;
                for d in (0..nd).rev() {
                    let a = self.b.ins().iabs(bs[d]);
                    let is0 = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                    let ge = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, a, inner_max);
                    let ok = self.b.ins().bor(is0, ge);
                    same = self.b.ins().band(same, ok);
                    inner_max = self.b.ins().smax(inner_max, a);
                }
            }
            bstrides.push(bs);
        }
        if nd == 2 {
            // NumPy's rule for a pair of axes, operation by operation: an operand
            // whose strides are both nonzero says "C" (|inner| <= |outer|) or "F";
            // one "C" keeps C order, else one "F" swaps the axes (an F-ordered
            // result), else (no operand decides: broadcasts, length-1 axes) C.
            // A result is an operand of the next operation: its order is its code.
            let c = self.b.ins().iconst(clt::I8, 1);
            let fo = self.b.ins().iconst(clt::I8, 2);
            let amb = self.b.ins().iconst(clt::I8, 0);
            let mut code: HashMap<Value, CV> = HashMap::new();
            for (l, bs) in fx.leaves.iter().zip(&bstrides) {
                let (a0, a1) = (self.b.ins().iabs(bs[0]), self.b.ins().iabs(bs[1]));
                let n0 = self.b.ins().icmp_imm_s(IntCC::NotEqual, a0, 0);
                let n1 = self.b.ins().icmp_imm_s(IntCC::NotEqual, a1, 0);
                let both = self.b.ins().band(n0, n1);
                let le = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, a1, a0);
                let k = self.b.ins().select(le, c, fo);
                code.insert(*l, self.b.ins().select(both, k, amb));
            }
            let insts = &self.f.block(blk).insts;
            for &k in &fx.nodes {
                let (mut any_c, mut any_f) = (self.b.ins().iconst(clt::I8, 0), self.b.ins().iconst(clt::I8, 0));
                for a in self.node_args(&insts[k]) {
                    if let Some(&x) = code.get(a) {
                        let is_c = self.b.ins().icmp_imm_s(IntCC::Equal, x, 1);
                        let is_f = self.b.ins().icmp_imm_s(IntCC::Equal, x, 2);
                        any_c = self.b.ins().bor(any_c, is_c);
                        any_f = self.b.ins().bor(any_f, is_f);
                    }
                }
                let k2 = self.b.ins().select(any_f, fo, amb);
                let r = self.b.ins().select(any_c, c, k2);
                code.insert(insts[k].result.unwrap(), r);
            }
            // The result (for a row sum, the array summed) is C-ordered.
            let root = &insts[*fx.nodes.last().unwrap()];
            let top = match fx.ops.last() {
                Some(NodeOp::RowSum { .. } | NodeOp::Total { .. }) => self.node_args(root)[0],
                _ => root.result.unwrap(),
            };
            let is_f = self.b.ins().icmp_imm_s(IntCC::Equal, code[&top], 2);
            let not_f = self.b.ins().bxor_imm_u(is_f, 1);
            same = self.b.ins().band(same, not_f);
        }
        // Nothing to compute (a length-0 axis): NumPy still computes the parts
        // of the expression over operands of their own, smaller shapes (`np.sqrt(y)`
        // of a row `y` broadcast against an empty array) and may warn there, so
        // NumPy's calls run (on empty arrays they are cheap).
        let mut size = one;
        for s in &shape {
            size = self.b.ins().imul(size, *s);
        }
        let nonempty = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, size, 0);
        let same = self.b.ins().band(same, nonempty);
        (shape, bstrides, same)
    }

    /// The expression's scalar operands, converted once as NumPy converts them (to float64).
    /// In a float32 expression each is rounded to float32 as NumPy converts a
    /// Python float for a float32 operation; NumPy 1.x computes in float64
    /// instead when the value lies beyond float32's range (its value-based
    /// casting), so the fast path runs only when every float is within it (or
    /// not finite): the returned flag.
    fn fused_scalars(&mut self, fx: &FusedExpr, insts: &[ir::Inst]) -> CResult<(HashMap<Value, CV>, CV)> {
        let mut scalars: HashMap<Value, CV> = HashMap::new();
        let mut ok = self.b.ins().iconst(clt::I8, 1);
        let f32 = fx.dtype == Dtype::Float32;
        for &k in &fx.nodes {
            for a in self.node_args(&insts[k]) {
                let t = self.ty(*a);
                let scalar = matches!(
                    t,
                    Ty::Float | Ty::Int | Ty::Bool | Ty::Np(Dtype::Float64 | Dtype::Float32)
                );
                if fx.dtype.is_int() {
                    // A Python int or bool in an integer expression: NumPy keeps the
                    // array's dtype when the int lies within its range (NumPy 1.x by
                    // its value-based casting, NumPy 2 as its weak Python ints);
                    // beyond it NumPy 1.x promotes and NumPy 2 raises OverflowError,
                    // so the fast path runs only when every int is within it.
                    if matches!(t, Ty::Int | Ty::Bool) && !scalars.contains_key(a) {
                        let v = self.use_val(*a)?[0];
                        let et = cl_int(fx.dtype);
                        let x = if t == Ty::Bool {
                            self.b.ins().uextend(clt::I64, v)
                        } else {
                            let (lo, hi) = int_range(fx.dtype);
                            let above = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, v, lo);
                            let below = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, v, hi);
                            let within = self.b.ins().band(above, below);
                            ok = self.b.ins().band(ok, within);
                            v
                        };
                        let x = if et == clt::I64 { x } else { self.b.ins().ireduce(et, x) };
                        scalars.insert(*a, x);
                    }
                    continue;
                }
                if fx.dtype == Dtype::Complex128 {
                    // (one 2 x f64 vector: the real part, then the imaginary part)
                    if matches!(
                        t,
                        Ty::Float | Ty::Int | Ty::Complex | Ty::Np(Dtype::Float64 | Dtype::Complex128)
                    ) && !scalars.contains_key(a)
                    {
                        let v = self.use_val(*a)?;
                        let (re, im) = self.conv_c128(&(t, v))?;
                        let x = self.b.ins().scalar_to_vector(clt::F64X2, re);
                        scalars.insert(*a, self.b.ins().insertlane(x, im, 1));
                    }
                    continue;
                }
                if scalar && !scalars.contains_key(a) {
                    let v = self.use_val(*a)?;
                    let x = self.conv_f64(&(t.clone(), v))?;
                    let x = if f32 {
                        if t == Ty::Float {
                            let ax = self.b.ins().fabs(x);
                            let max = self.b.ins().f64const(f64::from(f32::MAX));
                            let within = self.b.ins().fcmp(FloatCC::LessThanOrEqual, ax, max);
                            let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
                            let inf = self.b.ins().f64const(f64::INFINITY);
                            let is_inf = self.b.ins().fcmp(FloatCC::Equal, ax, inf);
                            let fine = self.b.ins().bor(within, nan);
                            let fine = self.b.ins().bor(fine, is_inf);
                            ok = self.b.ins().band(ok, fine);
                        }
                        self.b.ins().fdemote(clt::F32, x)
                    } else {
                        x
                    };
                    scalars.insert(*a, x);
                }
            }
        }
        Ok((scalars, ok))
    }

    /// What every emitter of a fused expression starts with: the leaves' values,
    /// the broadcast shape and each leaf's strides in it, whether the fast path
    /// may run (`fused_geometry`'s conditions and, in float32, every Python
    /// float within float32's range), and the scalar operands converted.
    fn fused_setup(
        &mut self,
        blk: Block,
        fx: &FusedExpr,
    ) -> CResult<(Vec<Vals>, Vec<CV>, Vec<Vec<CV>>, CV, HashMap<Value, CV>)> {
        let mut leaf_vals = Vec::new();
        for l in &fx.leaves {
            leaf_vals.push(self.use_val(*l)?);
        }
        let (shape, bstrides, same) = self.fused_geometry(blk, fx, &leaf_vals);
        let insts = &self.f.block(blk).insts;
        let (scalars, scalars_ok) = self.fused_scalars(fx, insts)?;
        let mut same = self.b.ins().band(same, scalars_ok);
        let products = fx
            .ops
            .iter()
            .any(|op| matches!(op, NodeOp::Bin(BinOp::Mul) | NodeOp::InPlace(BinOp::Mul)));
        if fx.dtype == Dtype::Complex128 && products {
            // A complex product here is one element per 2 x f64 vector, where
            // NumPy's loops take two or four: from a few thousand elements on its
            // calls are faster than one fused pass (4096: 6.7 us against 9.7 us),
            // so those take the slow path. (The limit also keeps such
            // expressions below 256 KiB, where NumPy swaps the operands of
            // `x * t` to write into a temporary `t`, its temporary elision,
            // which with fused multiply-adds changes the product.)
            let size = self.size_of(&shape);
            let small = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, size, 2048);
            same = self.b.ins().band(same, small);
        }
        Ok((leaf_vals, shape, bstrides, same, scalars))
    }

    /// Whether every leaf is C-contiguous with the broadcast shape (`esz`-byte
    /// elements, no broadcast axis): then one flat pass covers them all.
    fn c_contiguous(&mut self, shape: &[CV], bstrides: &[Vec<CV>], esz: &[i64]) -> CV {
        let mut contig = self.b.ins().iconst(clt::I8, 1);
        // (the elements before each axis: each leaf's stride there is that
        // many of its own elements)
        let mut count = self.b.ins().iconst(clt::I64, 1);
        for d in (0..shape.len()).rev() {
            for (st, sz) in bstrides.iter().zip(esz) {
                let cs = self.b.ins().imul_imm_s(count, *sz);
                let eq = self.b.ins().icmp(IntCC::Equal, st[d], cs);
                contig = self.b.ins().band(contig, eq);
            }
            count = self.b.ins().imul(count, shape[d]);
        }
        contig
    }

    /// Opens the loop over `nrows` rows of `rdims` axes (see [`RowLoop`]) at the
    /// current block, whose leaves start at `ptrs`; it leaves to `exit` with the
    /// non-finite flags. The builder is left in the body.
    fn row_loop(&mut self, nrows: CV, ptrs: &[CV], rdims: usize, exit: clir::Block) -> RowLoop {
        let (head, body) = (self.b.create_block(), self.b.create_block());
        let r = self.b.append_block_param(head, clt::I64);
        let bad = self.b.append_block_param(head, clt::I64X2);
        let idx: Vec<CV> = (0..rdims).map(|_| self.b.append_block_param(head, clt::I64)).collect();
        let at: Vec<CV> = ptrs.iter().map(|_| self.b.append_block_param(head, clt::I64)).collect();
        let z = self.b.ins().iconst(clt::I64, 0);
        let zv = self.b.ins().splat(clt::I64X2, z);
        let mut args = vec![BlockArg::Value(z), BlockArg::Value(zv)];
        args.extend((0..rdims).map(|_| BlockArg::Value(z)));
        args.extend(ptrs.iter().map(|p| BlockArg::Value(*p)));
        self.b.ins().jump(head, &args);
        self.b.switch_to_block(head);
        let end = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, r, nrows);
        self.b.ins().brif(end, exit, &[BlockArg::Value(bad)], body, &[]);
        self.b.switch_to_block(body);
        RowLoop {
            head,
            r,
            bad,
            idx,
            ptrs: at,
        }
    }

    /// The end of a row: on to the next one, with `bad` as the flags. The
    /// innermost row axis steps; an axis that reaches its length goes back to
    /// 0 (each pointer back by its steps there) and the one outside it steps.
    /// (After the last row the outermost index is one past its length: the
    /// loop's test stops it first.)
    fn next_row(&mut self, lp: &RowLoop, bad: CV, shape: &[CV], bstrides: &[Vec<CV>]) {
        let r1 = self.b.ins().iadd_imm_s(lp.r, 1);
        let mut idx = lp.idx.clone();
        let mut ptrs = lp.ptrs.clone();
        let rdims = idx.len();
        let jump_args = |idx: &[CV], ptrs: &[CV]| -> Vec<BlockArg> {
            let mut a = vec![BlockArg::Value(r1), BlockArg::Value(bad)];
            a.extend(idx.iter().map(|v| BlockArg::Value(*v)));
            a.extend(ptrs.iter().map(|v| BlockArg::Value(*v)));
            a
        };
        if rdims == 0 {
            self.b.ins().jump(lp.head, &jump_args(&idx, &ptrs));
            return;
        }
        for d in (0..rdims).rev() {
            let i1 = self.b.ins().iadd_imm_s(idx[d], 1);
            let stepped: Vec<CV> = ptrs
                .iter()
                .zip(bstrides)
                .map(|(p, st)| self.b.ins().iadd(*p, st[d]))
                .collect();
            let mut idx1 = idx.clone();
            idx1[d] = i1;
            if d == 0 {
                self.b.ins().jump(lp.head, &jump_args(&idx1, &stepped));
                break;
            }
            let more = self.b.ins().icmp(IntCC::SignedLessThan, i1, shape[d]);
            let carry = self.b.create_block();
            self.b
                .ins()
                .brif(more, lp.head, &jump_args(&idx1, &stepped), carry, &[]);
            self.b.switch_to_block(carry);
            ptrs = ptrs
                .iter()
                .zip(bstrides)
                .map(|(p, st)| {
                    let back = self.b.ins().imul(idx[d], st[d]);
                    self.b.ins().isub(*p, back)
                })
                .collect();
            idx[d] = self.b.ins().iconst(clt::I64, 0);
        }
    }

    /// `np.sum(e, axis=-1)` (or `np.mean`, `e.sum(...)`, `keepdims=True`) of a
    /// fused expression `e` (or of one array): each row's values computed into a
    /// scratch row, then summed as NumPy sums a row of a C-contiguous array
    /// along its last axis, `0.0 + pairwise(row)` (checked against NumPy 1.26
    /// and 2.x for rows of up to 8192 elements, contiguous or strided: longer
    /// rows are summed in buffer-sized chunks by some versions, so they take the
    /// slow path), a mean then divided by the row's length as NumPy's `_mean`
    /// divides. No temporary array; any non-finite element or sum takes the slow path.
    ///
    /// Over axis 0 of a 2-d `e` (`last` false) NumPy's iterator makes the
    /// columns the inner loop, so each column is summed in order,
    /// `((0.0 + e[0, j]) + e[1, j]) + ...`: the rows are added into a zeroed result one after
    /// another (checked against the same versions; with a single column the
    /// reduced axis becomes the inner one and NumPy sums it pairwise, so that
    /// takes the slow path).
    fn emit_row_sum(
        &mut self,
        blk: Block,
        fx: &FusedExpr,
        last: bool,
        mean: bool,
        keepdims: bool,
        axes: u32,
    ) -> CResult<()> {
        let f = self.f;
        let insts = &f.block(blk).insts;
        let root = *fx.nodes.last().unwrap();
        let root_val = insts[root].result.unwrap();
        let nd = fx.ndim;
        let (leaf_vals, shape, bstrides, same, scalars) = self.fused_setup(blk, fx)?;
        let n_last = shape[nd - 1];
        let summed_axis = |k: usize| axes & (1 << k) != 0;
        // (how many values each result sums: a row, or the product of the axes summed)
        let count = if last {
            n_last
        } else {
            let mut c = self.b.ins().iconst(clt::I64, 1);
            for k in (0..nd).filter(|k| summed_axis(*k)) {
                c = self.b.ins().imul(c, shape[k]);
            }
            c
        };
        let fits = if last {
            self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n_last, 8192)
        } else if fx.nodes.len() == 1 {
            // One array summed over axis 0: NumPy's own reduction adds whole
            // rows with the CPU's widest vectors, which beats this loop (each
            // row copied, then added) from about 32 columns on (600x600:
            // 97 us against 190 us, cronbach 0.8x CPython); narrower, this
            // loop wins (10000x3: 2x faster than NumPy), so wider rows take
            // NumPy's call (the slow path: the same result, NumPy's own).
            let two = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, n_last, 2);
            let narrow = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n_last, 32);
            self.b.ins().band(two, narrow)
        } else {
            self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, n_last, 2)
        };
        let mut ok = self.b.ins().band(same, fits);
        if mean {
            // (nothing to average: NumPy's "Mean of empty slice" warning)
            let some = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, count, 0);
            ok = self.b.ins().band(ok, some);
        }
        let out_nd = if keepdims { nd } else { nd - axes.count_ones() as usize };
        let nslots = abi::ArraySlots::new(out_nd).count();
        let (fast, slow, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let merge_params: Vec<CV> = (0..nslots)
            .map(|_| self.b.append_block_param(merge, clt::I64))
            .collect();
        self.b.ins().brif(ok, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        // (the axes kept; with keepdims, each summed one as a 1)
        let one = self.b.ins().iconst(clt::I64, 1);
        let out_shape: Vec<CV> = (0..nd)
            .filter_map(|k| {
                let summed = if last { k == nd - 1 } else { summed_axis(k) };
                match (summed, keepdims) {
                    (false, _) => Some(shape[k]),
                    (true, true) => Some(one),
                    (true, false) => None,
                }
            })
            .collect();
        let at = ArrTy {
            dtype: fx.dtype,
            ndim: out_nd as u8,
            layout: Layout::C,
            readonly: false,
        };
        // (float32: every addition in float32, as NumPy's float32 loops add)
        let f32 = fx.dtype == Dtype::Float32;
        let (esz, et) = if f32 { (4, clt::F32) } else { (8, clt::F64) };
        let f32flag = self.b.ins().iconst(clt::I32, i64::from(f32));
        let kind = if last { AllocKind::Empty } else { AllocKind::Zeros };
        let (st, outbuf) = self.alloc_call(kind, &at, &out_shape)?;
        let allocated = self.b.create_block();
        self.b.ins().brif(st, slow, &[], allocated, &[]);
        self.b.switch_to_block(allocated);
        let out = self.load_array_slots(outbuf, out_nd);
        let scratch = self.call("pyston_row_scratch", &[n_last])?[0];
        let got = self.b.create_block();
        self.b.ins().brif(scratch, got, &[], slow, &[]);
        self.b.switch_to_block(got);
        let mut nrows = self.b.ins().iconst(clt::I64, 1);
        for s in &shape[..nd - 1] {
            nrows = self.b.ins().imul(nrows, *s);
        }
        let ptrs: Vec<CV> = leaf_vals.iter().map(|v| v[0]).collect();
        let inner: Vec<CV> = bstrides.iter().map(|st| st[nd - 1]).collect();
        let flags = MemFlagsData::new().with_notrap();
        let no_sink = self.b.ins().iconst(clt::I64, 0);
        let nf = if mean {
            Some(self.b.ins().fcvt_from_sint(et, n_last))
        } else {
            None
        };
        // for r in 0..nrows: row r's values into the scratch row, its sum into out[r]
        let done = self.b.create_block();
        let dbad = self.b.append_block_param(done, clt::I64X2);
        let z = self.b.ins().iconst(clt::I64, 0);
        let zv = self.b.ins().splat(clt::I64X2, z);
        let lp = self.row_loop(nrows, &ptrs, nd - 1, done);
        let (r, rbad) = (lp.r, lp.bad);
        let row = lp.ptrs.clone();
        // One array summed over its last axis: straight from its rows (any
        // stride), with no copy. Otherwise each row's values into the scratch row.
        let alone = fx.nodes.len() == 1 && last;
        let summed = self.b.create_block();
        let ebad = self.b.append_block_param(summed, clt::I64X2);
        if alone {
            self.b.ins().jump(summed, &[BlockArg::Value(zv)]);
        } else {
            let bad = self.fused_row(fx, insts, &row, &inner, scratch, no_sink, n_last, &scalars, flags)?;
            self.b.ins().jump(summed, &[BlockArg::Value(bad)]);
        }
        self.b.switch_to_block(summed);
        let bad = self.b.ins().bor(rbad, ebad);
        let bad = if last {
            // (a row is at most 8192 elements: one run of NumPy's pairwise sum,
            // never split into chunks; a float32 sum comes back widened, exactly)
            let (src, step) = if alone {
                (row[0], inner[0])
            } else {
                (scratch, self.b.ins().iconst(clt::I64, esz))
            };
            let mut sum = self.call("pyston_pairwise_sum", &[src, n_last, step, f32flag])?[0];
            if f32 {
                sum = self.b.ins().fdemote(clt::F32, sum);
            }
            if let Some(nf) = nf {
                sum = self.b.ins().fdiv(sum, nf);
            }
            // (r - r is NaN exactly when r is inf or NaN)
            let d = self.b.ins().fsub(sum, sum);
            let nonfinite = self.b.ins().fcmp(FloatCC::Unordered, d, d);
            let w = self.b.ins().uextend(clt::I64, nonfinite);
            let wv = self.b.ins().splat(clt::I64X2, w);
            let off = self.b.ins().imul_imm_s(r, esz);
            let addr = self.b.ins().iadd(out[0], off);
            self.b.ins().store(flags, sum, addr, 0);
            self.b.ins().bor(bad, wv)
        } else {
            // (each column's running sum plus this row's element; the row of
            // sums is the one of row r's indexes on the axes kept)
            let mut orow = None;
            let mut mult = None;
            for k in (0..nd - 1).rev().filter(|k| !summed_axis(*k)) {
                let term = match mult {
                    Some(m) => self.b.ins().imul(lp.idx[k], m),
                    None => lp.idx[k],
                };
                orow = Some(match orow {
                    Some(o) => self.b.ins().iadd(o, term),
                    None => term,
                });
                mult = Some(match mult {
                    Some(m) => self.b.ins().imul(m, shape[k]),
                    None => shape[k],
                });
            }
            let dst = match orow {
                Some(o) => {
                    let per_row = self.b.ins().imul_imm_s(n_last, esz);
                    let off = self.b.ins().imul(o, per_row);
                    self.b.ins().iadd(out[0], off)
                }
                None => out[0],
            };
            self.call("pyston_col_add", &[dst, scratch, n_last, f32flag])?;
            bad
        };
        self.next_row(&lp, bad, &shape, &bstrides);
        self.b.switch_to_block(done);
        let mut any = self.b.ins().vany_true(dbad);
        if !last {
            // The column sums (then means): any that is not finite takes the slow path.
            let by = if mean { count } else { self.b.ins().iconst(clt::I64, 0) };
            let mut n_out = n_last;
            for k in (0..nd - 1).filter(|k| !summed_axis(*k)) {
                n_out = self.b.ins().imul(n_out, shape[k]);
            }
            let nf = self.call("pyston_col_finish", &[out[0], n_out, by, f32flag])?[0];
            let nf = self.b.ins().icmp_imm_s(IntCC::NotEqual, nf, 0);
            any = self.b.ins().bor(any, nf);
        }
        let computed = self.b.create_block();
        self.b.ins().brif(any, slow, &[], computed, &[]);
        self.b.switch_to_block(computed);
        for i in self.fused_dying(blk, fx) {
            let ctx = self.ctx.unwrap();
            self.call("pyston_release_temp", &[ctx, leaf_vals[i][abi::ArraySlots::OBJ]])?;
        }
        let out_args: Vec<BlockArg> = out.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &out_args);

        self.b.switch_to_block(slow);
        self.fused_slow_path(blk, fx, merge)?;
        self.b.switch_to_block(merge);
        self.vals.insert(root_val, merge_params);
        Ok(())
    }

    /// `np.sum(e)` (or `np.mean(e)`, `e.sum()`, `e.mean()`) of a fused
    /// expression of rank 2 or more whose NumPy result would be C-ordered:
    /// NumPy's iterator sees that temporary as one run of adjacent elements, so
    /// its sum is `np.sum` of the flattened values, which the runtime computes
    /// as NumPy does (`pyston_pairwise_sum`: pairwise, in NumPy's chunks where
    /// it sums in chunks). The values go into a scratch array freed right after,
    /// with no call into NumPy; a mean is then divided by the element count as
    /// NumPy's `_mean` divides. Non-finite values, sums or empty means (NumPy
    /// warns) take the slow path.
    fn emit_total(&mut self, blk: Block, fx: &FusedExpr, mean: bool) -> CResult<()> {
        let f = self.f;
        let insts = &f.block(blk).insts;
        let root_val = insts[*fx.nodes.last().unwrap()].result.unwrap();
        let nd = fx.ndim;
        let (leaf_vals, shape, bstrides, same, scalars) = self.fused_setup(blk, fx)?;
        let size = self.size_of(&shape);
        let ok = if mean {
            let some = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, size, 0);
            self.b.ins().band(same, some)
        } else {
            same
        };
        let f32 = fx.dtype == Dtype::Float32;
        // (a complex128 sum is its two parts)
        let complex = fx.dtype == Dtype::Complex128;
        let (esz, et) = match fx.dtype {
            Dtype::Float32 => (4, clt::F32),
            Dtype::Complex128 => (16, clt::F64),
            _ => (8, clt::F64),
        };
        let (fast, slow, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let result: Vec<CV> = (0..if complex { 2 } else { 1 })
            .map(|_| self.b.append_block_param(merge, et))
            .collect();
        self.b.ins().brif(ok, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let at = ArrTy {
            dtype: fx.dtype,
            ndim: nd as u8,
            layout: Layout::C,
            readonly: false,
        };
        let (st, buf) = self.alloc_call(AllocKind::Empty, &at, &shape)?;
        let allocated = self.b.create_block();
        self.b.ins().brif(st, slow, &[], allocated, &[]);
        self.b.switch_to_block(allocated);
        let tmp = self.load_array_slots(buf, nd);
        let ptrs: Vec<CV> = leaf_vals.iter().map(|v| v[0]).collect();
        let flags = MemFlagsData::new().with_notrap();
        let no_sink = self.b.ins().iconst(clt::I64, 0);
        // Row by row into the scratch array (as `emit_fused`'s row loop).
        let n_last = shape[nd - 1];
        let mut nrows = self.b.ins().iconst(clt::I64, 1);
        for s in &shape[..nd - 1] {
            nrows = self.b.ins().imul(nrows, *s);
        }
        let inner: Vec<CV> = bstrides.iter().map(|st| st[nd - 1]).collect();
        let done = self.b.create_block();
        let dbad = self.b.append_block_param(done, clt::I64X2);
        // Every leaf C-contiguous (no broadcast): one flat pass, with no cost per
        // row (a million rows of two elements); else row by row.
        let contig = self.c_contiguous(&shape, &bstrides, &vec![esz; bstrides.len()]);
        let (flat, rows) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(contig, flat, &[], rows, &[]);
        self.b.switch_to_block(flat);
        let bad = self.fused_run(
            fx,
            insts,
            &ptrs,
            &[],
            tmp[0],
            no_sink,
            size,
            false,
            &[],
            &scalars,
            flags,
        )?;
        self.b.ins().jump(done, &[BlockArg::Value(bad)]);
        self.b.switch_to_block(rows);
        let lp = self.row_loop(nrows, &ptrs, nd - 1, done);
        let (r, rbad) = (lp.r, lp.bad);
        let row = lp.ptrs.clone();
        let off = self.b.ins().imul(r, n_last);
        let off = self.b.ins().imul_imm_s(off, esz);
        let row_out = self.b.ins().iadd(tmp[0], off);
        let nbad = self.fused_row(fx, insts, &row, &inner, row_out, no_sink, n_last, &scalars, flags)?;
        let bad = self.b.ins().bor(rbad, nbad);
        self.next_row(&lp, bad, &shape, &bstrides);
        self.b.switch_to_block(done);
        let step = self.b.ins().iconst(clt::I64, esz);
        let sums = if complex {
            // (no mean: `node_op` leaves complex means to NumPy)
            let slot = self.stack(16);
            self.call("pyston_pairwise_csum", &[tmp[0], size, step, slot])?;
            let trusted = MemFlagsData::trusted();
            vec![
                self.b.ins().load(clt::F64, trusted, slot, 0),
                self.b.ins().load(clt::F64, trusted, slot, 8),
            ]
        } else {
            let f32flag = self.b.ins().iconst(clt::I32, i64::from(f32));
            let mut sum = self.call("pyston_pairwise_sum", &[tmp[0], size, step, f32flag])?[0];
            if f32 {
                // (a float32 sum widened exactly: back to float32 exactly)
                sum = self.b.ins().fdemote(clt::F32, sum);
            }
            if mean {
                let n = self.b.ins().fcvt_from_sint(et, size);
                sum = self.b.ins().fdiv(sum, n);
            }
            vec![sum]
        };
        let ctx = self.ctx.unwrap();
        self.call("pyston_release_temp", &[ctx, tmp[abi::ArraySlots::OBJ]])?;
        let mut any = self.b.ins().vany_true(dbad);
        for &sum in &sums {
            // (r - r is NaN exactly when r is inf or NaN)
            let d = self.b.ins().fsub(sum, sum);
            let nonfinite = self.b.ins().fcmp(FloatCC::Unordered, d, d);
            any = self.b.ins().bor(any, nonfinite);
        }
        let computed = self.b.create_block();
        self.b.ins().brif(any, slow, &[], computed, &[]);
        self.b.switch_to_block(computed);
        for i in self.fused_dying(blk, fx) {
            self.call("pyston_release_temp", &[ctx, leaf_vals[i][abi::ArraySlots::OBJ]])?;
        }
        let args: Vec<BlockArg> = sums.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &args);

        self.b.switch_to_block(slow);
        self.fused_slow_path(blk, fx, merge)?;
        self.b.switch_to_block(merge);
        self.vals.insert(root_val, result);
        Ok(())
    }

    /// The slow path of a fused expression: its instructions as written (NumPy
    /// calls, temporaries, warnings), the root's value passed to `merge`.
    fn fused_slow_path(&mut self, blk: Block, fx: &FusedExpr, merge: clir::Block) -> CResult<()> {
        let insts = &self.f.block(blk).insts;
        let root_val = insts[*fx.nodes.last().unwrap()].result.unwrap();
        let saved = self.cur_inst;
        for &k in &fx.nodes {
            self.cur_inst = (blk, k);
            match &fx.sub {
                // (`a op= e`'s `e` fused by itself, at its root)
                Some(sx) if sx.nodes.last() == Some(&k) => self.emit_fused(blk, sx)?,
                Some(sx) if sx.nodes.contains(&k) => {}
                _ => self.inst(&insts[k])?,
            }
        }
        self.cur_inst = saved;
        let vals = self.val(root_val)?;
        if vals.len() != self.b.func.dfg.num_block_params(merge) {
            return Err(internal("fuse: array slots"));
        }
        let args: Vec<BlockArg> = vals.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &args);
        Ok(())
    }

    /// `addr`, or the scratch address `sink` when it is not 0 (a dry pass).
    fn sink_addr(&mut self, sink: CV, addr: CV) -> CV {
        let dry = self.b.ins().icmp_imm_s(IntCC::NotEqual, sink, 0);
        self.b.ins().select(dry, sink, addr)
    }

    /// Computes `n` elements of the expression into `out` (contiguous): from
    /// leaves at `ptrs`, whose elements are adjacent (a 2-lane loop and a
    /// scalar tail) or, with `strided`, `strides[i]` bytes apart (a scalar
    /// loop). Returns the lane mask of non-finite values seen.
    /// The leaves whose last axis is known to have length 1 (`x[..., None]`,
    /// `np.max(x, axis=-1, keepdims=True)`): broadcast along a row of the
    /// expression, such a leaf has one value per row, which [`fused_row`]'s
    /// vector path loads once and repeats in every lane.
    fn splat_leaves(&self, fx: &FusedExpr) -> Vec<bool> {
        fx.leaves
            .iter()
            .map(|l| {
                let Some(&(b, k)) = self.defs.get(l) else { return false };
                let def = &self.f.block(b).insts[k];
                match &def.op {
                    Op::GetItem => def.args.last().is_some_and(|a| *self.typed.ty(*a) == Ty::NoneT),
                    Op::MethodCall { name, kw } if kw.iter().any(|n| n == "keepdims") => {
                        let reduce = matches!(name.as_str(), "sum" | "mean" | "max" | "min" | "amax" | "amin" | "prod");
                        let Ty::Array(lt) = self.typed.ty(*l) else { return false };
                        let nd = i64::from(lt.ndim);
                        let npos = def.args.len() - kw.len();
                        let kwv = |name: &str| kw.iter().position(|n| n == name).map(|i| def.args[npos + i]);
                        let axis = kwv("axis").or_else(|| {
                            // (`np.max(x, -1, keepdims=True)`: the axis after the array)
                            let first = usize::from(matches!(self.typed.ty(def.args[0]), Ty::Module(_)));
                            (npos == first + 2).then(|| def.args[first + 1])
                        });
                        let last = axis
                            .and_then(|a| self.consts.get(&a))
                            .is_some_and(|c| matches!(c, Const::Int(a) if *a == -1 || *a == nd - 1));
                        let keep = kwv("keepdims").and_then(|v| self.consts.get(&v)) == Some(&Const::Bool(true));
                        reduce && last && keep
                    }
                    _ => false,
                }
            })
            .collect()
    }

    /// One row of the expression (`n` elements from the leaves' `row`
    /// addresses, `inner` their steps along it) into `out`: 2 or 4 lanes when
    /// every leaf's elements are adjacent in the row; also when the leaves of
    /// [`splat_leaves`] repeat one value along it (step 0) and the others are
    /// adjacent; else one element at a time. The flags of non-finite values.
    fn fused_row(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        row: &[CV],
        inner: &[CV],
        out: CV,
        sink: CV,
        n: CV,
        scalars: &HashMap<Value, CV>,
        flags: MemFlagsData,
    ) -> CResult<CV> {
        let sizes = leaf_sizes(self, fx);
        let (vb, sb, next) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let nbad = self.b.append_block_param(next, clt::I64X2);
        let mut unit = self.b.ins().iconst(clt::I8, 1);
        for (st, esz) in inner.iter().zip(&sizes) {
            let eq = self.b.ins().icmp_imm_s(IntCC::Equal, *st, *esz);
            unit = self.b.ins().band(unit, eq);
        }
        let splat = self.splat_leaves(fx);
        if splat.iter().any(|s| *s) {
            let (check, bb) = (self.b.create_block(), self.b.create_block());
            self.b.ins().brif(unit, vb, &[], check, &[]);
            self.b.switch_to_block(check);
            let mut fits = self.b.ins().iconst(clt::I8, 1);
            for ((st, s), esz) in inner.iter().zip(&splat).zip(&sizes) {
                let eq = self.b.ins().icmp_imm_s(IntCC::Equal, *st, if *s { 0 } else { *esz });
                fits = self.b.ins().band(fits, eq);
            }
            self.b.ins().brif(fits, bb, &[], sb, &[]);
            self.b.switch_to_block(bb);
            let bad = self.fused_run(fx, insts, row, &[], out, sink, n, false, &splat, scalars, flags)?;
            self.b.ins().jump(next, &[BlockArg::Value(bad)]);
        } else {
            self.b.ins().brif(unit, vb, &[], sb, &[]);
        }
        self.b.switch_to_block(vb);
        let bad = self.fused_run(fx, insts, row, &[], out, sink, n, false, &[], scalars, flags)?;
        self.b.ins().jump(next, &[BlockArg::Value(bad)]);
        self.b.switch_to_block(sb);
        let bad = self.fused_run(fx, insts, row, inner, out, sink, n, true, &[], scalars, flags)?;
        self.b.ins().jump(next, &[BlockArg::Value(bad)]);
        self.b.switch_to_block(next);
        Ok(nbad)
    }

    #[allow(clippy::too_many_arguments)]
    fn fused_run(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        ptrs: &[CV],
        strides: &[CV],
        out: CV,
        sink: CV,
        n: CV,
        strided: bool,
        splat: &[bool],
        scalars: &HashMap<Value, CV>,
        flags: MemFlagsData,
    ) -> CResult<CV> {
        if fx.ops[..fx.ops.len() - 1]
            .iter()
            .any(|op| matches!(op, NodeOp::Ufunc(_)))
        {
            return self.fused_staged(fx, insts, ptrs, strides, out, sink, n, strided, splat, scalars, flags);
        }
        let z = self.b.ins().iconst(clt::I64, 0);
        let zv = self.b.ins().splat(clt::I64X2, z);
        // The element and vector types: 2 x f64 or 4 x f32 lanes, or one
        // complex128 element as a 2 x f64 vector (no scalar tail).
        let complex = fx.dtype == Dtype::Complex128;
        let (et, vt, lanes, shift) = match fx.dtype {
            Dtype::Float32 => (clt::F32, clt::F32X4, 4, 2),
            Dtype::Complex128 => (clt::F64X2, clt::F64X2, 1, 4),
            Dtype::Int64 | Dtype::UInt64 => (clt::I64, clt::I64X2, 2, 3),
            Dtype::Int32 | Dtype::UInt32 => (clt::I32, clt::I32X4, 4, 2),
            Dtype::Int16 | Dtype::UInt16 => (clt::I16, clt::I16X8, 8, 1),
            Dtype::Int8 | Dtype::UInt8 | Dtype::Bool => (clt::I8, clt::I8X16, 16, 0),
            _ => (clt::F64, clt::F64X2, 2, 3),
        };
        // (each leaf's elements, of its own size: `fuse_cast`)
        let shifts: Vec<i64> = if complex {
            vec![shift; ptrs.len()]
        } else {
            ptrs.iter()
                .enumerate()
                .map(|(i, _)| match fx.leaves.get(i) {
                    Some(l) => i64::from(leaf_dtype(self, fx, *l).itemsize().trailing_zeros()),
                    None => shift,
                })
                .collect()
        };
        // (a bool result from wider elements: one byte an element, `put_out`)
        let bool_out = fx.out == Dtype::Bool;
        let oshift = if bool_out { 0 } else { shift };
        if strided {
            // First `lanes` elements per iteration while that many are left (not
            // for complex128, one element a vector already): each leaf's
            // elements gathered into the lanes of a vector (one load per element,
            // as the scalar loop makes), the operations on the vectors, one
            // vector store. The lanes are the same operations on the same
            // values as the scalar loop's, so every element is the same.
            let (start, start_bad, start_at) = if complex {
                let z8 = self.b.ins().iconst(clt::I8, 0);
                (z, z8, ptrs.to_vec())
            } else {
                let gend = self.b.ins().band_imm_s(n, !(lanes - 1));
                // (each leaf's offset of lane l, and its step per iteration)
                let lane_off: Vec<Vec<CV>> = strides
                    .iter()
                    .map(|st| (1..lanes).map(|l| self.b.ins().imul_imm_s(*st, l)).collect())
                    .collect();
                let steps: Vec<CV> = strides.iter().map(|st| self.b.ins().imul_imm_s(*st, lanes)).collect();
                let (gh, gb, gx) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                let gi = self.b.append_block_param(gh, clt::I64);
                let gbad = self.b.append_block_param(gh, clt::I64X2);
                let gat: Vec<CV> = ptrs.iter().map(|_| self.b.append_block_param(gh, clt::I64)).collect();
                let xi = self.b.append_block_param(gx, clt::I64);
                let xbad = self.b.append_block_param(gx, clt::I64X2);
                let xat: Vec<CV> = ptrs.iter().map(|_| self.b.append_block_param(gx, clt::I64)).collect();
                let mut args = vec![BlockArg::Value(z), BlockArg::Value(zv)];
                args.extend(ptrs.iter().map(|p| BlockArg::Value(*p)));
                self.b.ins().jump(gh, &args);
                self.b.switch_to_block(gh);
                let end = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, gi, gend);
                let mut xargs = vec![BlockArg::Value(gi), BlockArg::Value(gbad)];
                xargs.extend(gat.iter().map(|p| BlockArg::Value(*p)));
                self.b.ins().brif(end, gx, &xargs, gb, &[]);
                self.b.switch_to_block(gb);
                let mut pre = Vec::new();
                for (li, (p, offs)) in gat.iter().zip(&lane_off).enumerate() {
                    let ld = leaf_dtype(self, fx, fx.leaves[li]);
                    let x0 = fuse_cast::load_leaf(self, ld, fx.dtype, *p, et, flags);
                    // (x86 moves no 8- or 16-bit value into a vector register alone)
                    let mut v = if et.bits() < 32 {
                        self.b.ins().splat(vt, x0)
                    } else {
                        self.b.ins().scalar_to_vector(vt, x0)
                    };
                    for (l, off) in offs.iter().enumerate() {
                        let a = self.b.ins().iadd(*p, *off);
                        let x = fuse_cast::load_leaf(self, ld, fx.dtype, a, et, flags);
                        v = self.b.ins().insertlane(v, x, (l + 1) as u8);
                    }
                    pre.push(Some(v));
                }
                let (r, bad) = self.fused_value(fx, insts, &gat, &pre, scalars, vt, flags)?;
                let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                let bad = if self.b.func.dfg.value_type(bad) != clt::I64X2 {
                    self.b.ins().bitcast(clt::I64X2, le, bad)
                } else {
                    bad
                };
                let off = self.b.ins().ishl_imm_u(gi, oshift);
                let addr = self.b.ins().iadd(out, off);
                let addr = self.sink_addr(sink, addr);
                put_out(self, bool_out, r, addr, flags);
                let bad2 = self.b.ins().bor(gbad, bad);
                let next = self.b.ins().iadd_imm_s(gi, lanes);
                let mut args = vec![BlockArg::Value(next), BlockArg::Value(bad2)];
                for (p, st) in gat.iter().zip(&steps) {
                    let q = self.b.ins().iadd(*p, *st);
                    args.push(BlockArg::Value(q));
                }
                self.b.ins().jump(gh, &args);
                self.b.switch_to_block(gx);
                let any = self.b.ins().vany_true(xbad);
                (xi, any, xat)
            };
            // Then one element per iteration, each leaf's address carried and bumped by
            // its stride (no multiply per leaf and element), the non-finite flag
            // carried as a byte.
            let (h, body, done) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
            let i = self.b.append_block_param(h, clt::I64);
            let bad = self.b.append_block_param(h, clt::I8);
            let at: Vec<CV> = ptrs.iter().map(|_| self.b.append_block_param(h, clt::I64)).collect();
            let dbad = self.b.append_block_param(done, clt::I8);
            let mut args = vec![BlockArg::Value(start), BlockArg::Value(start_bad)];
            args.extend(start_at.iter().map(|p| BlockArg::Value(*p)));
            self.b.ins().jump(h, &args);
            self.b.switch_to_block(h);
            let end = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, i, n);
            self.b.ins().brif(end, done, &[BlockArg::Value(bad)], body, &[]);
            self.b.switch_to_block(body);
            let (r, b) = self.fused_value(fx, insts, &at, &[], scalars, et, flags)?;
            let b = if complex { self.b.ins().vany_true(b) } else { b };
            let off = self.b.ins().ishl_imm_u(i, oshift);
            let addr = self.b.ins().iadd(out, off);
            let addr = self.sink_addr(sink, addr);
            put_out(self, bool_out, r, addr, flags);
            let bad2 = self.b.ins().bor(bad, b);
            let next = self.b.ins().iadd_imm_s(i, 1);
            let mut args = vec![BlockArg::Value(next), BlockArg::Value(bad2)];
            for (p, st) in at.iter().zip(strides) {
                let q = self.b.ins().iadd(*p, *st);
                args.push(BlockArg::Value(q));
            }
            self.b.ins().jump(h, &args);
            self.b.switch_to_block(done);
            let w = self.b.ins().uextend(clt::I64, dbad);
            return Ok(self.b.ins().splat(clt::I64X2, w));
        }
        // (the leaves with one value for the whole row: loaded once, here)
        let pre: Vec<Option<CV>> = ptrs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                splat.get(i).copied().unwrap_or(false).then(|| {
                    let ld = leaf_dtype(self, fx, fx.leaves[i]);
                    fuse_cast::load_leaf(self, ld, fx.dtype, *p, et, flags)
                })
            })
            .collect();
        let sh = self.b.create_block();
        let sb = self.b.create_block();
        let done = self.b.create_block();
        let si = self.b.append_block_param(sh, clt::I64);
        let sbad = self.b.append_block_param(sh, clt::I64X2);
        let dbad = self.b.append_block_param(done, clt::I64X2);
        {
            // An unrolled vector loop, two vectors per iteration and tested at
            // its bottom (one branch per iteration), over [0, n & !(unroll*lanes - 1));
            // then one vector at a time up to n & !(lanes - 1); then the scalar
            // loop over the rest. (The elements are independent: the order in
            // which they are computed changes no value.)
            // (a bool result from wider lanes: 16 elements an iteration, their
            // masks packed into one 16-byte store, `pack_masks`)
            let packed = bool_out && lanes < 16;
            let unroll: i64 = if packed { 16 / lanes } else { 2 };
            let step = unroll * lanes;
            let big_end = self.b.ins().band_imm_s(n, !(step - 1));
            let vec_end = self.b.ins().band_imm_s(n, !(lanes - 1));
            // (a dry pass stores every vector at the sink: a step of 0 bytes)
            let dry = self.b.ins().icmp_imm_s(IntCC::NotEqual, sink, 0);
            let vbytes = self.b.ins().iconst(clt::I64, lanes << oshift);
            let ounit = self.b.ins().select(dry, z, vbytes);
            let obase = self.b.ins().select(dry, sink, out);
            let vh = self.b.create_block();
            let vb = self.b.create_block();
            let vi = self.b.append_block_param(vh, clt::I64);
            let vbad = self.b.append_block_param(vh, clt::I64X2);
            let ub = self.b.create_block();
            let ui = self.b.append_block_param(ub, clt::I64);
            let ubad = self.b.append_block_param(ub, clt::I64X2);
            let uptr = self.b.append_block_param(ub, clt::I64);
            let any = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, big_end, 0);
            self.b.ins().brif(
                any,
                ub,
                &[BlockArg::Value(z), BlockArg::Value(zv), BlockArg::Value(obase)],
                vh,
                &[BlockArg::Value(z), BlockArg::Value(zv)],
            );
            self.b.switch_to_block(ub);
            let base: Vec<CV> = ptrs
                .iter()
                .zip(&shifts)
                .map(|(p, sh)| {
                    let off = self.b.ins().ishl_imm_u(ui, *sh);
                    self.b.ins().iadd(*p, off)
                })
                .collect();
            let (mut acc, mut o) = (ubad, uptr);
            let mut masks = Vec::new();
            for u in 0..unroll {
                let addrs: Vec<CV> = base
                    .iter()
                    .zip(&shifts)
                    .map(|(p, sh)| self.b.ins().iadd_imm_s(*p, (u * lanes) << sh))
                    .collect();
                let (r, bad) = self.fused_value(fx, insts, &addrs, &pre, scalars, vt, flags)?;
                let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                let bad = if self.b.func.dfg.value_type(bad) != clt::I64X2 {
                    self.b.ins().bitcast(clt::I64X2, le, bad)
                } else {
                    bad
                };
                if packed {
                    masks.push(r);
                } else {
                    put_out(self, bool_out, r, o, flags);
                    o = self.b.ins().iadd(o, ounit);
                }
                acc = self.b.ins().bor(acc, bad);
            }
            if packed {
                let v = pack_masks(self, &masks);
                self.b.ins().store(flags, v, o, 0);
                let sixteen = self.b.ins().iconst(clt::I64, 16);
                let ostep = self.b.ins().select(dry, z, sixteen);
                o = self.b.ins().iadd(o, ostep);
            }
            let next = self.b.ins().iadd_imm_s(ui, step);
            let more = self.b.ins().icmp(IntCC::SignedLessThan, next, big_end);
            self.b.ins().brif(
                more,
                ub,
                &[BlockArg::Value(next), BlockArg::Value(acc), BlockArg::Value(o)],
                vh,
                &[BlockArg::Value(next), BlockArg::Value(acc)],
            );
            self.b.switch_to_block(vh);
            let end = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, vi, vec_end);
            self.b
                .ins()
                .brif(end, sh, &[BlockArg::Value(vi), BlockArg::Value(vbad)], vb, &[]);
            self.b.switch_to_block(vb);
            let addrs: Vec<CV> = ptrs
                .iter()
                .zip(&shifts)
                .map(|(p, sh)| {
                    let off = self.b.ins().ishl_imm_u(vi, *sh);
                    self.b.ins().iadd(*p, off)
                })
                .collect();
            let (r, bad) = self.fused_value(fx, insts, &addrs, &pre, scalars, vt, flags)?;
            // (a 4 x i32 mask seen as 2 x i64: nonzero where any lane is set)
            let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
            let bad = if self.b.func.dfg.value_type(bad) != clt::I64X2 {
                self.b.ins().bitcast(clt::I64X2, le, bad)
            } else {
                bad
            };
            let ooff = self.b.ins().ishl_imm_u(vi, oshift);
            let addr = self.b.ins().iadd(out, ooff);
            let addr = self.sink_addr(sink, addr);
            put_out(self, bool_out, r, addr, flags);
            let bad2 = self.b.ins().bor(vbad, bad);
            let next = self.b.ins().iadd_imm_s(vi, lanes);
            self.b.ins().jump(vh, &[BlockArg::Value(next), BlockArg::Value(bad2)]);
        }
        self.b.switch_to_block(sh);
        if complex {
            // (one element per vector: nothing left over)
            self.b.ins().jump(done, &[BlockArg::Value(sbad)]);
            self.b.switch_to_block(done);
            return Ok(dbad);
        }
        let send = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, si, n);
        self.b.ins().brif(send, done, &[BlockArg::Value(sbad)], sb, &[]);
        self.b.switch_to_block(sb);
        let addrs: Vec<CV> = ptrs
            .iter()
            .zip(&shifts)
            .map(|(p, sh)| {
                let off = self.b.ins().ishl_imm_u(si, *sh);
                self.b.ins().iadd(*p, off)
            })
            .collect();
        let (r, bad) = self.fused_value(fx, insts, &addrs, &pre, scalars, et, flags)?;
        let ooff = self.b.ins().ishl_imm_u(si, oshift);
        let addr = self.b.ins().iadd(out, ooff);
        let addr = self.sink_addr(sink, addr);
        put_out(self, bool_out, r, addr, flags);
        let badw = self.b.ins().uextend(clt::I64, bad);
        let badv = self.b.ins().splat(clt::I64X2, badw);
        let sbad2 = self.b.ins().bor(sbad, badv);
        let next = self.b.ins().iadd_imm_s(si, 1);
        self.b.ins().jump(sh, &[BlockArg::Value(next), BlockArg::Value(sbad2)]);
        self.b.switch_to_block(done);
        Ok(dbad)
    }

    /// [`fused_run`] of an expression with ufuncs inside it (`1 - np.tanh(x)**2`,
    /// `np.sin(a) * np.cos(b)`): in chunks of at most [`UFUNC_CHUNK`] elements,
    /// each ufunc's operand expression goes into its own scratch chunk, NumPy's
    /// own inner loop for the ufunc runs over it in place (as the root's
    /// ufunc runs over the result: its values exactly, and a floating-point
    /// exception NumPy would warn about sets the flags), and the rest of the
    /// expression reads those chunks as leaves. Every element gets the
    /// operations NumPy gives it, in the same order, so the values are NumPy's.
    fn fused_staged(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        ptrs: &[CV],
        strides: &[CV],
        out: CV,
        sink: CV,
        n: CV,
        strided: bool,
        splat: &[bool],
        scalars: &HashMap<Value, CV>,
        flags: MemFlagsData,
    ) -> CResult<CV> {
        let esz = fx.dtype.itemsize();
        let last = fx.nodes.len() - 1;
        let ufuncs: Vec<usize> = (0..last).filter(|&p| matches!(fx.ops[p], NodeOp::Ufunc(_))).collect();
        let result = |p: usize| insts[fx.nodes[p]].result.unwrap();
        // Each ufunc's operand: the nodes under it, down to leaves and earlier ufuncs.
        let mut owner: Vec<Option<usize>> = vec![None; fx.nodes.len()];
        let pos_of: HashMap<Value, usize> = (0..fx.nodes.len()).map(|p| (result(p), p)).collect();
        for (j, &u) in ufuncs.iter().enumerate() {
            owner[u] = Some(j);
            let mut todo = vec![u];
            while let Some(p) = todo.pop() {
                for a in self.node_args(&insts[fx.nodes[p]]) {
                    if let Some(&c) = pos_of.get(a) {
                        if owner[c].is_none() {
                            owner[c] = Some(j);
                            todo.push(c);
                        }
                    }
                }
            }
        }
        let mut leaves = fx.leaves.clone();
        leaves.extend(ufuncs.iter().map(|&u| result(u)));
        let part = |want: Option<usize>, nleaves: usize| FusedExpr {
            nodes: (0..fx.nodes.len())
                .filter(|p| owner[*p] == want)
                .map(|p| fx.nodes[p])
                .collect(),
            ops: (0..fx.nodes.len())
                .filter(|p| owner[*p] == want)
                .map(|p| fx.ops[p])
                .collect(),
            leaves: leaves[..nleaves].to_vec(),
            ndim: fx.ndim,
            dtype: fx.dtype,
            out: fx.dtype,
            reuse: None,
            inplace: None,
            sub: None,
            store: None,
        };
        let k = ufuncs.len() as i64;
        let chunk = UFUNC_CHUNK;
        let want = self.b.ins().iconst(clt::I64, k * chunk);
        let scratch = self.call("pyston_ufunc_scratch", &[want])?[0];
        // (no scratch memory: every lane flagged, the slow path)
        let ones = self.b.ins().iconst(clt::I64, -1);
        let all_bad = self.b.ins().splat(clt::I64X2, ones);
        let (head, body, done) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let c = self.b.append_block_param(head, clt::I64);
        let bad = self.b.append_block_param(head, clt::I64X2);
        let dbad = self.b.append_block_param(done, clt::I64X2);
        let (start, got) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(scratch, got, &[], start, &[]);
        self.b.switch_to_block(start);
        self.b.ins().jump(done, &[BlockArg::Value(all_bad)]);
        self.b.switch_to_block(got);
        let z = self.b.ins().iconst(clt::I64, 0);
        let zv = self.b.ins().splat(clt::I64X2, z);
        self.b.ins().jump(head, &[BlockArg::Value(z), BlockArg::Value(zv)]);
        self.b.switch_to_block(head);
        let end = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, c, n);
        self.b.ins().brif(end, done, &[BlockArg::Value(bad)], body, &[]);
        self.b.switch_to_block(body);
        let left = self.b.ins().isub(n, c);
        let cap = self.b.ins().iconst(clt::I64, chunk);
        let small = self.b.ins().icmp(IntCC::SignedLessThan, left, cap);
        let len = self.b.ins().select(small, left, cap);
        // The leaves' addresses at element `c`, then the scratch chunks (adjacent elements).
        let mut at: Vec<CV> = Vec::new();
        let mut steps: Vec<CV> = Vec::new();
        let mut reps: Vec<bool> = Vec::new();
        for (i, p) in ptrs.iter().enumerate() {
            let rep = splat.get(i).copied().unwrap_or(false);
            let off = if strided {
                self.b.ins().imul(c, strides[i])
            } else if rep {
                z
            } else {
                self.b.ins().imul_imm_s(c, esz)
            };
            at.push(self.b.ins().iadd(*p, off));
            if strided {
                steps.push(strides[i]);
            }
            reps.push(rep);
        }
        let unit = self.b.ins().iconst(clt::I64, esz);
        let mut acc = bad;
        for (j, &u) in ufuncs.iter().enumerate() {
            let sub = part(Some(j), fx.leaves.len() + j);
            let buf = self.b.ins().iadd_imm_s(scratch, j as i64 * chunk * esz);
            let no_sink = self.b.ins().iconst(clt::I64, 0);
            let b1 = self.fused_run(
                &sub, insts, &at, &steps, buf, no_sink, len, strided, &reps, scalars, flags,
            )?;
            let NodeOp::Ufunc(id) = fx.ops[u] else { unreachable!() };
            let idv = self.b.ins().iconst(clt::I64, i64::from(id));
            let st = self.call("pyston_ufunc_loop", &[idv, buf, unit, buf, unit, len])?[0];
            let st = self.b.ins().uextend(clt::I64, st);
            let stv = self.b.ins().splat(clt::I64X2, st);
            acc = self.b.ins().bor(acc, b1);
            acc = self.b.ins().bor(acc, stv);
            at.push(buf);
            if strided {
                steps.push(unit);
            }
            reps.push(false);
        }
        let main = part(None, leaves.len());
        let off = self.b.ins().imul_imm_s(c, esz);
        let dst = self.b.ins().iadd(out, off);
        let b2 = self.fused_run(
            &main, insts, &at, &steps, dst, sink, len, strided, &reps, scalars, flags,
        )?;
        let acc = self.b.ins().bor(acc, b2);
        let c1 = self.b.ins().iadd(c, len);
        self.b.ins().jump(head, &[BlockArg::Value(c1), BlockArg::Value(acc)]);
        self.b.switch_to_block(done);
        Ok(dbad)
    }

    /// The root's value at byte offset `off` (one element, or two lanes), and a
    /// flag (lane mask) set where any node's value is not finite.
    #[allow(clippy::too_many_arguments)]
    fn fused_value(
        &mut self,
        fx: &FusedExpr,
        insts: &[ir::Inst],
        addrs: &[CV],
        pre: &[Option<CV>],
        scalars: &HashMap<Value, CV>,
        ty: clir::Type,
        flags: MemFlagsData,
    ) -> CResult<(CV, CV)> {
        let vector = ty.is_vector();
        // (a complex128 element is one 2 x f64 vector: nothing is repeated across lanes)
        let complex = fx.dtype == Dtype::Complex128;
        let mut vals: HashMap<Value, CV> = HashMap::new();
        let mut bad: Option<CV> = None;
        let (int, signed) = (fx.dtype.is_int(), !fx.dtype.is_unsigned());
        let boolean = fx.dtype == Dtype::Bool;
        let amount_slot = |inst: &ir::Inst, pos: usize| {
            pos == 1
                && int
                && matches!(
                    inst.op,
                    Op::Bin {
                        op: BinOp::LShift | BinOp::RShift,
                        ..
                    }
                )
        };
        for (&k, &op) in fx.nodes.iter().zip(&fx.ops) {
            let inst = &insts[k];
            let boolv = matches!(self.typed.ty(inst.result.unwrap()), Ty::Array(t) if t.dtype == Dtype::Bool);
            let mut xs = Vec::new();
            for a in self.node_args(inst) {
                let x = if let Some(v) = vals.get(a) {
                    *v
                } else if let Some(i) = fx.leaves.iter().position(|l| l == a) {
                    // (a leaf of another dtype converted as NumPy's cast converts it,
                    // as it is read: `fuse_cast`; the values loaded before are already)
                    match pre.get(i).copied().flatten() {
                        // (a leaf with one value per row, loaded before the row)
                        // (a leaf gathered into a vector's lanes: as it is)
                        Some(x) if self.b.func.dfg.value_type(x) == ty => x,
                        Some(x) if vector && !complex => self.b.ins().splat(ty, x),
                        Some(x) => x,
                        None => {
                            let ld = leaf_dtype(self, fx, *a);
                            fuse_cast::load_leaf(self, ld, fx.dtype, addrs[i], ty, flags)
                        }
                    }
                } else if amount_slot(inst, xs.len()) {
                    // (a shift's amount: the scalar itself, `shift_by`)
                    *scalars.get(a).ok_or_else(|| internal("fuse: operand"))?
                } else {
                    let s = *scalars.get(a).ok_or_else(|| internal("fuse: operand"))?;
                    if vector && !complex {
                        self.b.ins().splat(ty, s)
                    } else {
                        s
                    }
                };
                // (a bool array's bytes seen as NumPy's logical operations see
                // them: nonzero is true; as a lane mask, or 0/1 in one lane)
                let x = if boolean && !vals.contains_key(a) {
                    let t = self.b.func.dfg.value_type(x);
                    let zero = self.b.ins().iconst(clt::I8, 0);
                    let zero = if vector { self.b.ins().splat(t, zero) } else { zero };
                    self.b.ins().icmp(IntCC::NotEqual, x, zero)
                } else {
                    x
                };
                xs.push(x);
            }
            let r = if boolv && !matches!(op, NodeOp::Cmp(_)) {
                // A bool value's `& | ^ ~`: lane masks (-1 or 0) in vectors, 0/1 in one lane.
                match op {
                    NodeOp::Bin(BinOp::BitAnd) => self.b.ins().band(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::BitOr) => self.b.ins().bor(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::BitXor) => self.b.ins().bxor(xs[0], xs[1]),
                    NodeOp::Invert if vector => self.b.ins().bnot(xs[0]),
                    NodeOp::Invert => self.b.ins().bxor_imm_s(xs[0], 1),
                    _ => return Err(internal("fuse: a bool operation")),
                }
            } else if int {
                match op {
                    NodeOp::Bin(BinOp::Add) | NodeOp::InPlace(BinOp::Add) => self.b.ins().iadd(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::Sub) | NodeOp::InPlace(BinOp::Sub) => self.b.ins().isub(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::Mul) | NodeOp::InPlace(BinOp::Mul) if ty == clt::I8X16 => {
                        mul_bytes(self, xs[0], xs[1])
                    }
                    NodeOp::Bin(BinOp::Mul) | NodeOp::InPlace(BinOp::Mul) => self.b.ins().imul(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::BitAnd) => self.b.ins().band(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::BitOr) => self.b.ins().bor(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::BitXor) => self.b.ins().bxor(xs[0], xs[1]),
                    NodeOp::Bin(s @ (BinOp::LShift | BinOp::RShift)) => shift_by(self, s, signed, xs[0], xs[1], ty),
                    NodeOp::Bin(o @ (BinOp::FloorDiv | BinOp::Mod)) => {
                        // (a zero divisor, or the most negative value by -1: NumPy
                        // warns, and its call computes it: the slow path)
                        // (a constant divisor: by multiplication, `magic_s64`)
                        let by = self.node_args(inst)[1];
                        let c = match self.consts.get(&by) {
                            Some(Const::Int(c)) if !matches!(*c, -1..=1) && (signed || *c > 0) => {
                                (fx.dtype != Dtype::UInt64).then_some(*c)
                            }
                            _ => None,
                        };
                        let (r, lanes_bad) = int_divmod(self, o, signed, xs[0], xs[1], ty, c);
                        bad = Some(match bad {
                            Some(b) => self.b.ins().bor(b, lanes_bad),
                            None => lanes_bad,
                        });
                        r
                    }
                    NodeOp::Bin(BinOp::Pow) => {
                        // (a negative exponent: NumPy's ValueError, on the slow path)
                        let by = self.node_args(inst)[1];
                        let c = match self.consts.get(&by) {
                            Some(Const::Int(c)) => Some(*c),
                            _ => None,
                        };
                        let mul = |g: &mut Gen<'_, '_>, x: CV, y: CV| {
                            if g.b.func.dfg.value_type(x) == clt::I8X16 {
                                mul_bytes(g, x, y)
                            } else {
                                g.b.ins().imul(x, y)
                            }
                        };
                        let (r, lanes_bad) = fuse_cast::int_power(self, signed, xs[0], xs[1], ty, c, &mul);
                        bad = Some(match bad {
                            Some(b) => self.b.ins().bor(b, lanes_bad),
                            None => lanes_bad,
                        });
                        r
                    }
                    NodeOp::Neg => self.b.ins().ineg(xs[0]),
                    NodeOp::Invert => self.b.ins().bnot(xs[0]),
                    // (NumPy's abs of the most negative value is itself, as here)
                    NodeOp::Abs if signed => self.b.ins().iabs(xs[0]),
                    NodeOp::Abs => xs[0],
                    NodeOp::Cmp(c) => self.b.ins().icmp(int_cc(c, signed), xs[0], xs[1]),
                    NodeOp::Where if vector => self.b.ins().bitselect(xs[0], xs[1], xs[2]),
                    NodeOp::Where => self.b.ins().select(xs[0], xs[1], xs[2]),
                    _ => return Err(internal("fuse: an integer operation")),
                }
            } else {
                match op {
                    NodeOp::Bin(BinOp::Mul) | NodeOp::InPlace(BinOp::Mul) if complex => self.complex_mul(xs[0], xs[1]),
                    NodeOp::InPlace(BinOp::Add) => self.b.ins().fadd(xs[0], xs[1]),
                    NodeOp::InPlace(BinOp::Sub) => self.b.ins().fsub(xs[0], xs[1]),
                    NodeOp::InPlace(BinOp::Mul) => self.b.ins().fmul(xs[0], xs[1]),
                    NodeOp::InPlace(_) => self.b.ins().fdiv(xs[0], xs[1]),
                    NodeOp::Conj => {
                        let im = self.b.ins().extractlane(xs[0], 1);
                        let im = self.b.ins().fneg(im);
                        self.b.ins().insertlane(xs[0], im, 1)
                    }
                    NodeOp::Bin(BinOp::Add) => self.b.ins().fadd(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::Sub) => self.b.ins().fsub(xs[0], xs[1]),
                    NodeOp::Bin(BinOp::Mul) => self.b.ins().fmul(xs[0], xs[1]),
                    NodeOp::Bin(_) => self.b.ins().fdiv(xs[0], xs[1]),
                    NodeOp::Neg => self.b.ins().fneg(xs[0]),
                    NodeOp::Sqrt => self.b.ins().sqrt(xs[0]),
                    NodeOp::Abs => self.b.ins().fabs(xs[0]),
                    NodeOp::Square => self.b.ins().fmul(xs[0], xs[0]),
                    // `!=` is true for NaN, as in NumPy.
                    NodeOp::Cmp(c) => self.b.ins().fcmp(float_cc(c), xs[0], xs[1]),
                    // (the row's element; `emit_row_sum` sums the row)
                    NodeOp::RowSum { .. } | NodeOp::Ufunc(_) | NodeOp::Total { .. } => xs[0],
                    NodeOp::Where => {
                        if vector {
                            let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                            let m = self.b.ins().bitcast(ty, le, xs[0]);
                            self.b.ins().bitselect(m, xs[1], xs[2])
                        } else {
                            self.b.ins().select(xs[0], xs[1], xs[2])
                        }
                    }
                    NodeOp::Invert => return Err(internal("fuse: invert of floats")),
                }
            };
            // A non-finite value stays non-finite through + - * sqrt abs and minus;
            // only a division by it (x / inf == 0) or np.where can hide it. So the
            // result, every computed divisor and np.where's computed operands are
            // checked: r - r is NaN exactly when r is inf or NaN.
            // (integers and bools have no non-finite values; NumPy's integer
            // `+ - *` wrap around without a warning)
            let mut check = |g: &mut Self, r: CV| {
                if int || boolean {
                    return;
                }
                let d = g.b.ins().fsub(r, r);
                let nf = g.b.ins().fcmp(FloatCC::Unordered, d, d);
                bad = Some(match bad {
                    Some(b) => g.b.ins().bor(b, nf),
                    None => nf,
                });
            };
            let div = matches!(op, NodeOp::Bin(BinOp::Div) | NodeOp::InPlace(BinOp::Div));
            if div && vals.contains_key(&self.node_args(inst)[1]) {
                check(self, xs[1]);
            }
            // np.where drops one side per element, and a comparison keeps only a
            // bool: a non-finite value computed there (np.sqrt of a negative, a
            // division by zero: NumPy warns) must be seen too.
            if op == NodeOp::Where || matches!(op, NodeOp::Cmp(_)) {
                let from = usize::from(op == NodeOp::Where);
                for (x, a) in xs[from..].iter().zip(&self.node_args(inst)[from..]) {
                    if vals.contains_key(a) {
                        check(self, *x);
                    }
                }
            }
            if k == *fx.nodes.last().unwrap() && !boolv {
                check(self, r);
            }
            vals.insert(inst.result.unwrap(), r);
        }
        let root = insts[*fx.nodes.last().unwrap()].result.unwrap();
        // (nothing checked: no lane flagged)
        let bad = match bad {
            Some(b) => b,
            None if vector => {
                let z = self.b.ins().iconst(clt::I64, 0);
                self.b.ins().splat(clt::I64X2, z)
            }
            None => self.b.ins().iconst(clt::I8, 0),
        };
        Ok((vals[&root], bad))
    }
    /// The complex128 product of `x` and `y` (each `[re, im]` in a 2 x f64
    /// vector) as this NumPy's array loops compute it: with fused
    /// multiply-adds, `(fma(xr, yr, -(xi*yi)), fma(xr, yi, xi*yr))` (its
    /// AVX2/AVX-512 and NEON loops), or the plain formula `(xr*yr - xi*yi,
    /// xr*yi + xi*yr)`, whichever the runtime measured ([`complex_kind`]; a
    /// Python float or real scalar operand is a complex with a zero imaginary
    /// part in both, as NumPy converts it). In vector form: `t = [xi, xi] *
    /// [yi, yr]` with its first lane negated, then `[xr, xr] * y + t`, fused
    /// or not (`a + -b` is `a - b` exactly, signed zeros included).
    fn complex_mul(&mut self, x: CV, y: CV) -> CV {
        let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
        // (each lane pattern one byte shuffle: `[xr, xr]`, `[xi, xi]`, `[yi, yr]`)
        let lanes = |g: &mut Self, v: CV, pick: [u8; 2]| {
            let bytes: Vec<u8> = pick.iter().flat_map(|l| (8 * l)..(8 * l + 8)).collect();
            let imm = g.b.func.dfg.immediates.push(bytes.into());
            let vb = g.b.ins().bitcast(clt::I8X16, le, v);
            let r = g.b.ins().shuffle(vb, vb, imm);
            g.b.ins().bitcast(clt::F64X2, le, r)
        };
        let xr2 = lanes(self, x, [0, 0]);
        let xi2 = lanes(self, x, [1, 1]);
        let ysw = lanes(self, y, [1, 0]);
        let t = self.b.ins().fmul(xi2, ysw);
        let sign: Vec<u8> = (1u64 << 63)
            .to_le_bytes()
            .into_iter()
            .chain(0u64.to_le_bytes())
            .collect();
        let sign = self.b.func.dfg.constants.insert(sign.into());
        let sign = self.b.ins().vconst(clt::I64X2, sign);
        let tb = self.b.ins().bitcast(clt::I64X2, le, t);
        let tn = self.b.ins().bxor(tb, sign);
        let tn = self.b.ins().bitcast(clt::F64X2, le, tn);
        if self.complex_kind() == 2 {
            self.b.ins().fma(xr2, y, tn)
        } else {
            let p = self.b.ins().fmul(xr2, y);
            self.b.ins().fadd(p, tn)
        }
    }

    /// How complex128 products are computed ([`CodegenEnv::complex_mul`]):
    /// 0 (not fused) where NumPy's form is fused multiply-adds and the JIT's
    /// target has no such instruction.
    fn complex_kind(&self) -> u8 {
        match (self.env.complex_mul)() {
            2 if !self
                .module
                .as_ref()
                .is_some_and(|m| pyston_compiler::codegen::host_fma(m.isa())) =>
            {
                0
            }
            k => k,
        }
    }
}

/// The wrapping product of two vectors of 16 bytes (int8 or uint8: the low
/// eight bits of the product are the same for both), which x86 has no
/// instruction for: each half widened to 16-bit lanes, multiplied there
/// (the low 16 bits of the product hold the low 8), the low byte of each
/// lane kept and the halves packed back (an unsigned saturating pack of
/// values already within 0..=255: exact).
fn mul_bytes(g: &mut Gen<'_, '_>, a: CV, b: CV) -> CV {
    let low_byte = {
        let ff = g.b.ins().iconst(clt::I16, 0xFF);
        g.b.ins().splat(clt::I16X8, ff)
    };
    let mut halves = Vec::with_capacity(2);
    for high in [false, true] {
        let (x, y) = if high {
            (g.b.ins().uwiden_high(a), g.b.ins().uwiden_high(b))
        } else {
            (g.b.ins().uwiden_low(a), g.b.ins().uwiden_low(b))
        };
        let p = g.b.ins().imul(x, y);
        halves.push(g.b.ins().band(p, low_byte));
    }
    g.b.ins().unarrow(halves[0], halves[1])
}

/// NumPy's integer floor division (`op` `FloorDiv`) or remainder (`Mod`)
/// of `a` by `b` (of type `ty`, a scalar or a vector, each lane on its own:
/// no vector division), and a flag (of `ty`'s shape: all ones in every lane
/// where any lane's is set) where NumPy warns instead (a zero divisor:
/// "divide by zero"; the most negative value by -1: "overflow"), which
/// sends the expression to its slow path. The quotient rounds towards
/// minus infinity and the remainder takes the divisor's sign, as NumPy's
/// (and Python's) `//` and `%`; the division itself runs only on divisors
/// that cannot trap (1 in the flagged lanes).
fn int_divmod(
    g: &mut Gen<'_, '_>,
    op: BinOp,
    signed: bool,
    a: CV,
    b: CV,
    ty: clir::Type,
    konst: Option<i64>,
) -> (CV, CV) {
    let lt = ty.lane_type();
    let bits = lt.bits();
    let lane = |g: &mut Gen<'_, '_>, a: CV, b: CV| -> (CV, CV) {
        if let Some(c) = konst {
            // A constant divisor (not -1, 0 or 1; positive for unsigned
            // dtypes, not uint64): the lane widened to int64 exactly, its
            // truncated quotient by the multiplication of Hacker's Delight
            // (10-1), then rounded down as below. Never warns.
            let n = match (lt == clt::I64, signed) {
                (true, _) => a,
                (false, true) => g.b.ins().sextend(clt::I64, a),
                (false, false) => g.b.ins().uextend(clt::I64, a),
            };
            let (m, sh) = magic_s64(c);
            let mv = g.b.ins().iconst(clt::I64, m);
            let mut q = g.b.ins().smulhi(n, mv);
            if c > 0 && m < 0 {
                q = g.b.ins().iadd(q, n);
            } else if c < 0 && m > 0 {
                q = g.b.ins().isub(q, n);
            }
            let q = g.b.ins().sshr_imm_u(q, i64::from(sh));
            let t = g.b.ins().ushr_imm_u(q, 63);
            let q = g.b.ins().iadd(q, t);
            let cv = g.b.ins().iconst(clt::I64, c);
            let qc = g.b.ins().imul(q, cv);
            let r = g.b.ins().isub(n, qc);
            let nz = g.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
            let x = g.b.ins().bxor_imm_s(r, c);
            let neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
            let adj = g.b.ins().band(nz, neg);
            let v = if op == BinOp::FloorDiv {
                let q1 = g.b.ins().iadd_imm_s(q, -1);
                g.b.ins().select(adj, q1, q)
            } else {
                let r1 = g.b.ins().iadd_imm_s(r, c);
                g.b.ins().select(adj, r1, r)
            };
            let v = if lt == clt::I64 { v } else { g.b.ins().ireduce(lt, v) };
            return (v, g.b.ins().iconst(clt::I8, 0));
        }
        let one = g.b.ins().iconst(lt, 1);
        let mut bad = g.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
        if signed {
            // (immediates of a narrow type: its bits, zero-extended)
            let (min, ones) = if bits == 64 {
                (i64::MIN, -1)
            } else {
                (1i64 << (bits - 1), (1i64 << bits) - 1)
            };
            let minv = g.b.ins().iconst(lt, min);
            let onesv = g.b.ins().iconst(lt, ones);
            let am = g.b.ins().icmp(IntCC::Equal, a, minv);
            let bm = g.b.ins().icmp(IntCC::Equal, b, onesv);
            let ov = g.b.ins().band(am, bm);
            bad = g.b.ins().bor(bad, ov);
        }
        let d = g.b.ins().select(bad, one, b);
        let r = if signed {
            // (one division: the remainder from the quotient)
            let q = g.b.ins().sdiv(a, d);
            let qd = g.b.ins().imul(q, d);
            let r = g.b.ins().isub(a, qd);
            // (a nonzero remainder of the other sign than the divisor: one step down)
            let nz = g.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
            let x = g.b.ins().bxor(r, d);
            let neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
            let adj = g.b.ins().band(nz, neg);
            if op == BinOp::FloorDiv {
                let q1 = g.b.ins().isub(q, one);
                g.b.ins().select(adj, q1, q)
            } else {
                let r1 = g.b.ins().iadd(r, d);
                g.b.ins().select(adj, r1, r)
            }
        } else if op == BinOp::FloorDiv {
            g.b.ins().udiv(a, d)
        } else {
            let q = g.b.ins().udiv(a, d);
            let qd = g.b.ins().imul(q, d);
            g.b.ins().isub(a, qd)
        };
        (r, bad)
    };
    if !ty.is_vector() {
        return lane(g, a, b);
    }
    let mut out = a;
    let mut any = g.b.ins().iconst(clt::I8, 0);
    for i in 0..ty.lane_count() as u8 {
        let ai = g.b.ins().extractlane(a, i);
        let bi = g.b.ins().extractlane(b, i);
        let (r, bad) = lane(g, ai, bi);
        out = g.b.ins().insertlane(out, r, i);
        any = g.b.ins().bor(any, bad);
    }
    let m = g.b.ins().bmask(lt, any);
    (out, g.b.ins().splat(ty, m))
}

/// The magic multiplier and shift of signed 64-bit division by the constant
/// `d` (not -1, 0 or 1), as Hacker's Delight's `magic` (figure 10-1)
/// computes them: `q = (mulhi(n, m) [+ n if d > 0 > m] [- n if d < 0 < m]) >> s`,
/// plus one if that is negative, is `n / d` truncated, for every int64 `n`.
fn magic_s64(d: i64) -> (i64, u32) {
    const TWO63: u64 = 1 << 63;
    let ad = d.unsigned_abs();
    let t = TWO63 + ((d as u64) >> 63);
    let anc = t - 1 - t % ad;
    let mut p: u32 = 63;
    let (mut q1, mut r1) = (TWO63 / anc, TWO63 - (TWO63 / anc) * anc);
    let (mut q2, mut r2) = (TWO63 / ad, TWO63 - (TWO63 / ad) * ad);
    loop {
        p += 1;
        q1 = q1.wrapping_mul(2);
        r1 = r1.wrapping_mul(2);
        if r1 >= anc {
            q1 = q1.wrapping_add(1);
            r1 = r1.wrapping_sub(anc);
        }
        q2 = q2.wrapping_mul(2);
        r2 = r2.wrapping_mul(2);
        if r2 >= ad {
            q2 = q2.wrapping_add(1);
            r2 = r2.wrapping_sub(ad);
        }
        let delta = ad - r2;
        if !(q1 < delta || (q1 == delta && r1 == 0)) {
            break;
        }
    }
    let m = q2.wrapping_add(1) as i64;
    (if d < 0 { m.wrapping_neg() } else { m }, p - 64)
}

/// The integer condition of a comparison of signed or unsigned integers.
fn int_cc(op: CmpOp, signed: bool) -> IntCC {
    match (op, signed) {
        (CmpOp::Eq, _) => IntCC::Equal,
        (CmpOp::Ne, _) => IntCC::NotEqual,
        (CmpOp::Lt, true) => IntCC::SignedLessThan,
        (CmpOp::Le, true) => IntCC::SignedLessThanOrEqual,
        (CmpOp::Gt, true) => IntCC::SignedGreaterThan,
        (CmpOp::Ge, true) => IntCC::SignedGreaterThanOrEqual,
        (CmpOp::Lt, false) => IntCC::UnsignedLessThan,
        (CmpOp::Le, false) => IntCC::UnsignedLessThanOrEqual,
        (CmpOp::Gt, false) => IntCC::UnsignedGreaterThan,
        (CmpOp::Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
    }
}

/// `x << s` or `x >> s` (arithmetic for a signed dtype) of integer lanes by
/// a scalar amount `s` (of the lane type), as NumPy's `npy_lshift` and
/// `npy_rshift` compute it: an amount that is negative or at least the lane's
/// width gives 0, or for `>>` of a negative signed value -1 (the sign bit
/// repeated), where Cranelift would take the amount modulo the width.
fn shift_by(g: &mut Gen<'_, '_>, op: BinOp, signed: bool, x: CV, s: CV, ty: clir::Type) -> CV {
    let st = g.b.func.dfg.value_type(s);
    let s64 = match (st == clt::I64, signed) {
        (true, _) => s,
        (false, true) => g.b.ins().sextend(clt::I64, s),
        (false, false) => g.b.ins().uextend(clt::I64, s),
    };
    let bits = i64::from(ty.lane_bits());
    let inside = g.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, s64, bits);
    if op == BinOp::RShift && signed {
        let last = g.b.ins().iconst(clt::I64, bits - 1);
        let amt = g.b.ins().select(inside, s64, last);
        return g.b.ins().sshr(x, amt);
    }
    let r = if op == BinOp::LShift {
        g.b.ins().ishl(x, s64)
    } else {
        g.b.ins().ushr(x, s64)
    };
    // (all ones where the amount is in range, else zero)
    let lt = ty.lane_type();
    let one = if lt == clt::I8 {
        inside
    } else {
        g.b.ins().uextend(lt, inside)
    };
    let mask = g.b.ins().ineg(one);
    let mask = if ty.is_vector() {
        g.b.ins().splat(ty, mask)
    } else {
        mask
    };
    g.b.ins().band(r, mask)
}

/// Stores `r`, an element or a vector of the expression's lanes, at `addr`:
/// as it is, or, for a bool result (`bool_out`) from wider lanes, each lane's
/// mask (-1 or 0; 0 or 1 in one lane) as one byte, 1 or 0.
fn put_out(g: &mut Gen<'_, '_>, bool_out: bool, r: CV, addr: CV, flags: MemFlagsData) {
    let t = g.b.func.dfg.value_type(r);
    if !bool_out || !t.is_vector() {
        g.b.ins().store(flags, r, addr, 0);
        return;
    }
    let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
    let one = g.b.ins().iconst(clt::I8, 1);
    let ones = g.b.ins().splat(clt::I8X16, one);
    match t.lane_count() {
        16 => {
            let m = g.b.ins().bitcast(clt::I8X16, le, r);
            let v = g.b.ins().band(m, ones);
            g.b.ins().store(flags, v, addr, 0);
        }
        8 => {
            // (the 16-bit masks narrowed to bytes, saturating: -1 stays -1)
            let m = g.b.ins().bitcast(clt::I16X8, le, r);
            let n = g.b.ins().snarrow(m, m);
            let v = g.b.ins().band(n, ones);
            let v = g.b.ins().bitcast(clt::I64X2, le, v);
            let lo = g.b.ins().extractlane(v, 0);
            g.b.ins().store(flags, lo, addr, 0);
        }
        n => {
            // (2 or 4 lanes: the lanes' sign bits spread one to a byte by a
            // product with no carries, `bit k` landing at bit `8k`)
            let bits = g.b.ins().vhigh_bits(clt::I64, r);
            let (mul, keep, st) = if n == 2 {
                (0x81, 0x0101, clt::I16)
            } else {
                (0x0020_4081, 0x0101_0101, clt::I32)
            };
            let spread = g.b.ins().imul_imm_s(bits, mul);
            let bytes = g.b.ins().band_imm_s(spread, keep);
            let v = g.b.ins().ireduce(st, bytes);
            g.b.ins().store(flags, v, addr, 0);
        }
    }
}

/// The Cranelift type of an integer dtype's elements.
fn cl_int(d: Dtype) -> clir::Type {
    match d.itemsize() {
        1 => clt::I8,
        2 => clt::I16,
        4 => clt::I32,
        _ => clt::I64,
    }
}

/// The Python ints an integer dtype holds, as far as an i64 reaches.
fn int_range(d: Dtype) -> (i64, i64) {
    match d {
        Dtype::Int8 => (i8::MIN.into(), i8::MAX.into()),
        Dtype::Int16 => (i16::MIN.into(), i16::MAX.into()),
        Dtype::Int32 => (i32::MIN.into(), i32::MAX.into()),
        Dtype::UInt8 => (0, u8::MAX.into()),
        Dtype::UInt16 => (0, u16::MAX.into()),
        Dtype::UInt32 => (0, u32::MAX.into()),
        Dtype::UInt64 => (0, i64::MAX),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The lane masks (-1 or 0) of 16 elements, in `16 / lanes` vectors of 2, 4
/// or 8 lanes, as 16 bytes 1 or 0 in order: narrowed by saturating packs
/// (-1 stays -1), and for 2 x 64-bit lanes, whose 32-bit halves both hold
/// the mask, every other byte picked.
fn pack_masks(g: &mut Gen<'_, '_>, rs: &[CV]) -> CV {
    let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
    let lanes = g.b.func.dfg.value_type(rs[0]).lane_count();
    let narrow = |g: &mut Gen<'_, '_>, ty: clir::Type, v: &[CV]| -> Vec<CV> {
        v.chunks(2)
            .map(|p| {
                let a = g.b.ins().bitcast(ty, le, p[0]);
                let b = g.b.ins().bitcast(ty, le, p[1]);
                g.b.ins().snarrow(a, b)
            })
            .collect()
    };
    let bytes = match lanes {
        8 => narrow(g, clt::I16X8, rs)[0],
        4 => {
            let h = narrow(g, clt::I32X4, rs);
            narrow(g, clt::I16X8, &h)[0]
        }
        _ => {
            let h = narrow(g, clt::I32X4, rs);
            let q = narrow(g, clt::I16X8, &h);
            let pick: Vec<u8> = (0..16).map(|k| 2 * k).collect();
            let imm = g.b.func.dfg.immediates.push(pick.as_slice().into());
            g.b.ins().shuffle(q[0], q[1], imm)
        }
    };
    let one = g.b.ins().iconst(clt::I8, 1);
    let ones = g.b.ins().splat(clt::I8X16, one);
    g.b.ins().band(bytes, ones)
}

#[cfg(test)]
mod tests {
    use super::magic_s64;

    /// `n / d` truncated by `magic_s64`'s multiplier, as `int_divmod` computes it.
    fn by_magic(n: i64, d: i64) -> i64 {
        let (m, s) = magic_s64(d);
        let mut q = ((i128::from(n) * i128::from(m)) >> 64) as i64;
        if d > 0 && m < 0 {
            q = q.wrapping_add(n);
        } else if d < 0 && m > 0 {
            q = q.wrapping_sub(n);
        }
        q >>= s;
        q + ((q as u64) >> 63) as i64
    }

    #[test]
    fn magic_division_is_exact() {
        let mut ds: Vec<i64> = vec![
            2,
            3,
            5,
            7,
            10,
            16,
            100,
            127,
            255,
            641,
            1 << 31,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        ds.extend((2..300).flat_map(|d| [d, -d]));
        ds.extend([-2, -3, -7, -10, -16, -(1 << 40) - 1, (1 << 62) + 3]);
        let mut ns: Vec<i64> = vec![0, 1, -1, 2, -2, i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
            ns.push((r >> (r % 64)) as i64);
            ns.push(r as i64);
        }
        for &d in &ds {
            for &n in &ns {
                assert_eq!(by_magic(n, d), n.wrapping_div(d), "{n} / {d}");
            }
            for k in -300..300 {
                assert_eq!(by_magic(k * d / 3 + k, d), (k * d / 3 + k) / d);
            }
        }
    }
}
