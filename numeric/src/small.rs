//! Small NumPy arrays natively.
//!
//! In a loop over rows, `v = X[i] - c; s += np.sqrt(np.dot(v, v))` is two
//! calls into NumPy per iteration, each costing far more than the three
//! elements it computes. This pass finds element-wise expressions over 1-D
//! arrays of float64, float32 or int64 (`+ - * /`, unary minus, `**2`,
//! `np.sqrt`, `np.abs`, `np.negative`, `np.square`, `np.maximum`,
//! `np.minimum`, comparisons as `np.where`'s condition) and the instruction
//! that consumes them, and computes both in one native loop:
//!
//! * a reduction (`e.sum()`, `np.sum(e)`, `e.mean()`, `np.average(e)`, `e.max()`, `e.min()`,
//!   `np.dot(e1, e2)`, `(a > b).sum()`, `np.argmin(e)`, `np.argmax(e)`): no
//!   temporary array at all;
//! * a store into a row (`out[i] = e`) or an in-place update (`+= -= *=`,
//!   and `/=` of floats) of a 1-D view made by basic indexing (`newC[k] += e`,
//!   `C[i, :i + 1] *= beta`, `C[:i, j] -= e`): the values go straight into
//!   the destination, and the `base[idx] = view` Python does after it (a copy
//!   onto itself) is skipped;
//! * anything else that needs the array (`e = row - m` used twice): one
//!   array allocated natively and filled; `np.exp(e)` and the other
//!   `abi::SMALL_UFUNCS` fill it with `e`, then run NumPy's own inner loop on it.
//!
//! An expression's operations need not be adjacent: element reads, views and
//! index arithmetic between them (`A[:i + 1, k] * alpha * B[i, k]` reads
//! `B[i, k]` after the first product) stay where they are when the bounds pass
//! proved their indexes in range, since they can neither fail nor read an
//! operation's array; anything else that may deopt in between keeps the
//! operations before it out of the expression (as leaves).
//!
//! It also makes 1-D slices (`a[lo:hi]`, `X[i, lo:hi]`) views from slots, and
//! `np.sqrt(x)` (and the other one-instruction operations) of float scalars native.
//!
//! Exactness with NumPy, bit for bit:
//! * element operations are exactly rounded IEEE operations (`**2` is
//!   `x*x`, as NumPy's `power` takes it), integer ones wrap as NumPy's do;
//! * float sums and means reproduce NumPy's pairwise summation (`pairwise_sum`:
//!   sequential below 8 elements, eight partial sums up to 128, halves above,
//!   after NumPy's identity `0.0`); expressions are summed inline up to 128
//!   elements, a plain array of any length by the runtime's copy of the
//!   algorithm, and a longer expression without its temporary: the runtime
//!   lists the runs of at most 128 elements NumPy's tree sums alone (its
//!   leaves, and its chunks where this NumPy sums in chunks), compiled code
//!   sums each run from the expression's values as `pairwise` does, and the
//!   runtime adds the runs' sums as NumPy adds them, so every addition is
//!   NumPy's, on the same values, in the same order;
//! * `np.dot` of float64 vectors goes to BLAS, whose order depends on the
//!   build: the runtime measures once up to which length this process's BLAS
//!   sums in order (OpenBLAS's x86-64 kernels: below 16) and compiled code
//!   computes only those lengths itself; integer dot products wrap, in any order;
//! * `max`/`min` of floats give NumPy's answer unless a NaN, an infinity or
//!   a zero (whose sign NumPy's SIMD loops choose) is involved.
//!
//! NumPy warns on overflow, invalid operations and division by zero: any
//! non-finite value computed (the stored values, every computed divisor,
//! the result of a sum) sends the instruction to its "slow path", the
//! NumPy calls as written, as do lengths that differ (broadcasting and
//! NumPy's errors), destinations that overlap an operand, an index out of
//! range and an allocation failure. The slow path is the unfused code, so
//! results never depend on which path ran.

use crate::prelude::*;
use crate::small_complex::ComplexSmall;

/// An element-wise operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EOp {
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Sqrt,
    Abs,
    Square,
    /// `np.maximum` / `np.minimum`: ties give the second operand, as NumPy's loops
    /// do; a NaN operand is NumPy's to answer (the slow path).
    Maximum,
    Minimum,
    /// `a > b` etc.: a bool per element (an i8), used only as `np.where`'s
    /// condition or counted by `.sum()`.
    Cmp(CmpOp),
    /// `np.where(cond, x, y)`.
    Where,
    /// `x[idx]` of a 1-D array by a 1-D array of integer indices (NumPy's
    /// fancy indexing, a gather): args `[x, idx]`, both read whole (`x` is
    /// not a leaf: its length is not the expression's). Every index is
    /// checked before the fast path runs (out of range, after negative ones
    /// count from the end: NumPy's `IndexError`, the slow path).
    Gather,
}

/// A reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Red {
    Sum,
    Mean,
    Max,
    Min,
    Dot,
    /// `.sum()` of a comparison: how many elements are true.
    Count,
    /// `prod`: NumPy multiplies in order (no pairwise scheme), from 1.
    Prod,
    /// `argmax`/`argmin`: the index (int64) of the first largest/smallest
    /// element, or of the first NaN (NumPy propagates NaN).
    ArgMax,
    ArgMin,
}

/// What the root instruction of a small-array expression does with it.
#[derive(Clone, Debug)]
pub enum RootKind {
    /// A reduction of its operand expressions (two for `dot`) to a scalar.
    Reduce(Red, Vec<Value>),
    /// `dst[idx] = expr`, `dst` a 2-D array.
    Store { dst: Value, idx: Value, expr: Value },
    /// `target op= expr` with `target = base[idx]`; `setitem` is the
    /// `base[idx] = target` after it (writing the view onto itself: skipped).
    Inplace {
        op: EOp,
        target: Value,
        expr: Value,
        setitem: usize,
    },
    /// A new array holding the root's own value.
    Make,
    /// `np.sqrt(x)` (or another element operation) of a float scalar.
    Scalar(EOp, Value),
    /// `np.exp(x)` of a scalar float: NumPy's inner loop for that ufunc and dtype, on one element.
    ScalarUfunc(u32, Value),
    /// `a[lo:hi]` of a 1-D array, `X[i, lo:hi]` (a row's slice: `row` is `i`,
    /// `axis` 0) or `X[lo:hi, j]` (a column's: `row` is `j`, `axis` 1) of a 2-D
    /// one, with a constant positive step: a view, no object made.
    View {
        arr: Value,
        row: Option<Value>,
        axis: usize,
        slice: Value,
        step: i64,
    },
    /// `np.exp(e)` (a ufunc of `abi::SMALL_UFUNCS`, by its loop id): a new
    /// array holding `e`, then NumPy's own inner loop run on it in place.
    Ufunc(u32, Value),
    /// `np.flip(a)` of a 1-D array: the view NumPy makes (`a[::-1]`: data at
    /// element `n - 1`, the stride negated), no object made.
    Flip(Value),
    /// `a @ b` of two complex128 matrices (see `small_complex`).
    CMatMul(Value, Value),
    /// A ufunc (or `np.real`/`np.imag`, `z.conj()`) of complex NumPy scalars
    /// (see `small_complex`): the operation and its operands.
    CScalar(crate::small_complex::CsOp, Vec<Value>),
    /// `x * s` (`s * x` when `first`) of a complex128 matrix and a scalar.
    CScale { arr: Value, scalar: Value, first: bool },
    /// `target += expr` of complex128 matrices; `setitem` as for `Inplace`.
    CAdd { target: Value, expr: Value, setitem: usize },
    /// `target += a @ b` of complex128 matrices, the product (the node) used
    /// only there: computed into a scratch buffer, not an array.
    CAddMatMul {
        target: Value,
        a: Value,
        b: Value,
        setitem: usize,
    },
}

/// One small-array expression: its root, the element-wise nodes it computes
/// (program order), their operations and its array leaves.
#[derive(Clone, Debug)]
pub struct SmallExpr {
    pub kind: RootKind,
    pub root: usize,
    pub nodes: Vec<usize>,
    pub ops: HashMap<Value, (EOp, Vec<Value>)>,
    pub leaves: Vec<Value>,
    /// The arrays the `Gather` nodes read: (table, index array), each once.
    pub gathers: Vec<(Value, Value)>,
    pub dtype: Dtype,
}

/// The small-array expressions of a function, by root, and the instructions they compute.
#[derive(Default)]
pub struct SmallPlan {
    pub roots: HashMap<(Block, usize), SmallExpr>,
    pub inner: HashSet<(Block, usize)>,
    pub text: String,
}

/// The plan as text: each root with its kind, dtype, leaves and nodes.
pub fn describe(f: &ir::Function, plan: &SmallPlan) -> String {
    let mut roots: Vec<_> = plan.roots.iter().collect();
    roots.sort_by_key(|(at, _)| **at);
    let mut s = String::new();
    for (&(b, k), sx) in roots {
        let kind = match &sx.kind {
            RootKind::Reduce(r, _) => format!("reduce {}", format!("{r:?}").to_lowercase()),
            RootKind::Store { .. } => "store".into(),
            RootKind::Inplace { op, .. } => format!("inplace {}", format!("{op:?}").to_lowercase()),
            RootKind::Make => "make".into(),
            RootKind::Scalar(op, _) => format!("scalar {}", format!("{op:?}").to_lowercase()),
            RootKind::ScalarUfunc(id, _) => format!("scalar ufunc {}", abi::SMALL_UFUNCS[*id as usize / 2]),
            RootKind::Ufunc(id, _) => format!("ufunc {}", abi::SMALL_UFUNCS[*id as usize / 2]),
            RootKind::View { .. } => "view".into(),
            RootKind::Flip(_) => "flip".into(),
            RootKind::CMatMul(..) => "matmul".into(),
            RootKind::CScale { .. } => "scale".into(),
            RootKind::CAdd { .. } => "inplace add".into(),
            RootKind::CAddMatMul { .. } => "inplace add matmul".into(),
            RootKind::CScalar(op, _) => format!("complex scalar {}", crate::small_complex::cs_name(*op)),
        };
        let leaves: Vec<String> = sx.leaves.iter().map(|l| l.to_string()).collect();
        let leaves = if leaves.is_empty() {
            "no leaves".to_string()
        } else {
            format!("leaves {}", leaves.join(", "))
        };
        s.push_str(&format!(
            "small {b}[{k}] {kind} {}: {} nodes, {leaves}\n",
            sx.dtype.name(),
            sx.nodes.len(),
        ));
        for &n in &sx.nodes {
            s.push_str(&format!("  {b}[{n}] {}\n", crate::inst_text(f, b, n)));
        }
        s.push_str(&format!("  {b}[{k}] {}\n", crate::inst_text(f, b, k)));
        if let RootKind::Inplace { setitem, .. }
        | RootKind::CAdd { setitem, .. }
        | RootKind::CAddMatMul { setitem, .. } = &sx.kind
        {
            s.push_str(&format!(
                "  {b}[{setitem}] {} (skipped: the row onto itself)\n",
                crate::inst_text(f, b, *setitem)
            ));
        }
    }
    s
}

/// The longest array a `Make` root fills natively, and the longest a float
/// `max`/`min` or an expression's sum reduces natively.
const MAKE_MAX: i64 = 1024;

fn cty(d: Dtype) -> clir::Type {
    match d {
        Dtype::Float32 => clt::F32,
        Dtype::Int64 => clt::I64,
        _ => clt::F64,
    }
}

fn is_float(d: Dtype) -> bool {
    matches!(d, Dtype::Float64 | Dtype::Float32)
}

fn handled(d: Dtype) -> bool {
    matches!(d, Dtype::Float64 | Dtype::Float32 | Dtype::Int64)
}

/// A 1-D array's data pointer, length and byte stride.
struct Span1 {
    data: CV,
    len: CV,
    stride: CV,
}

/// This pass's code generation, as methods on the compiler's `Gen`.
pub(crate) trait SmallGen {
    fn plan_small(&self) -> SmallPlan;
    fn emit_small(&mut self, blk: Block, sx: &SmallExpr) -> CResult<()>;
}

/// Planning helpers (private).
trait SmallPlanning {
    fn is_np(&self, v: Value) -> bool;
    fn vec_ty(&self, v: Value) -> Option<ArrTy>;
    fn elem_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(EOp, Vec<Value>, Dtype)>;
    fn red_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(Red, Vec<Value>, Dtype)>;
    fn scalar_ok(&self, v: Value, d: Dtype) -> bool;
    fn scalar_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(EOp, Value, Dtype)>;
    fn ufunc_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(u32, Value, Dtype)>;
    fn scalar_ufunc_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(RootKind, Dtype)>;
    fn view_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<RootKind>;
    /// Whether instruction `k` is a view `view_op` makes whose int indexes the
    /// bounds pass proved in range: it cannot fail.
    fn view_proven(&self, blk: Block, k: usize) -> bool;
    /// Whether two array values are views (basic indexing, `np.flip`) of one array value.
    fn same_base(&self, a: Value, b: Value) -> bool;
    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        blk: Block,
        root: usize,
        seeds: &[Value],
        kind: RootKind,
        dtype: Dtype,
        elems: &HashMap<Value, (usize, EOp, Vec<Value>, Dtype)>,
        taken: &HashSet<usize>,
    ) -> Option<SmallExpr>;
}

impl SmallPlanning for Gen<'_, '_> {
    fn is_np(&self, v: Value) -> bool {
        *self.typed.ty(v) == Ty::Module(Module::Numpy)
    }

    fn vec_ty(&self, v: Value) -> Option<ArrTy> {
        match self.typed.ty(v) {
            Ty::Array(a) if a.ndim == 1 && handled(a.dtype) => Some(*a),
            _ => None,
        }
    }

    fn elem_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(EOp, Vec<Value>, Dtype)> {
        let r = inst.result?;
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        if let Op::Cmp(c) = inst.op {
            // Compared in the operands' dtype: its arrays, and scalars converting exactly.
            let is_bool_vec = matches!(self.typed.ty(r), Ty::Array(a) if a.ndim == 1 && a.dtype == Dtype::Bool);
            let d = inst.args.iter().find_map(|a| self.vec_ty(*a))?.dtype;
            let exact = |v: Value| match self.typed.ty(v) {
                Ty::Array(_) => self.vec_ty(v).is_some_and(|a| a.dtype == d),
                Ty::Int if d == Dtype::Float64 => {
                    matches!(self.consts.get(&v), Some(Const::Int(c)) if c.unsigned_abs() <= 1 << 53)
                }
                _ => self.scalar_ok(v, d),
            };
            if !is_bool_vec || !inst.args.iter().all(|a| exact(*a)) {
                return None;
            }
            return Some((EOp::Cmp(c), inst.args.clone(), d));
        }
        let at = self.vec_ty(r)?;
        let d = at.dtype;
        let a = &inst.args;
        if inst.op == Op::GetItem {
            let index = matches!(self.typed.ty(*a.get(1)?), Ty::Array(i) if i.ndim == 1 && i.dtype.is_int());
            if a.len() != 2 || !index || self.vec_ty(a[0]).map(|t| t.dtype) != Some(d) {
                return None;
            }
            return Some((EOp::Gather, a.clone(), d));
        }
        let op = match &inst.op {
            Op::Bin { op, inplace: false } => match op {
                BinOp::Add => EOp::Add,
                BinOp::Sub => EOp::Sub,
                BinOp::Mul => EOp::Mul,
                BinOp::Div if is_float(d) => EOp::Div,
                BinOp::Pow
                    if matches!(self.consts.get(&a[1]), Some(Const::Int(2)))
                        || matches!(self.consts.get(&a[1]), Some(Const::Float(x)) if *x == 2.0) =>
                {
                    return Some((EOp::Square, vec![a[0]], d));
                }
                _ => return None,
            },
            Op::Unary(UnaryOp::Neg) => EOp::Neg,
            Op::MethodCall { name, kw } if kw.is_empty() && a.len() == 4 && self.is_np(a[0]) && name == "where" => {
                return Some((EOp::Where, vec![a[1], a[2], a[3]], d));
            }
            Op::MethodCall { name, kw }
                if kw.is_empty()
                    && a.len() == 3
                    && self.is_np(a[0])
                    && matches!(name.as_str(), "maximum" | "minimum") =>
            {
                let op = if name == "maximum" { EOp::Maximum } else { EOp::Minimum };
                return Some((op, vec![a[1], a[2]], d));
            }
            Op::MethodCall { name, kw } if kw.is_empty() && a.len() == 2 && self.is_np(a[0]) => {
                let op = match name.as_str() {
                    "sqrt" | "fabs" if !is_float(d) => return None,
                    "sqrt" => EOp::Sqrt,
                    "abs" | "absolute" | "fabs" => EOp::Abs,
                    "negative" => EOp::Neg,
                    "square" => EOp::Square,
                    _ => return None,
                };
                return Some((op, vec![a[1]], d));
            }
            _ => return None,
        };
        Some((op, a.clone(), d))
    }

    fn red_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(Red, Vec<Value>, Dtype)> {
        let r = inst.result?;
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        // `x @ y` of two vectors is NumPy's dot (the same BLAS call).
        let (name, np, opnds) = match &inst.op {
            Op::Bin {
                op: BinOp::MatMul,
                inplace: false,
            } if inst.args.len() == 2 && inst.args.iter().all(|a| self.vec_ty(*a).is_some()) => {
                ("dot", false, inst.args.clone())
            }
            Op::MethodCall { name, kw } if kw.is_empty() && !inst.args.is_empty() => {
                let np = self.is_np(inst.args[0]);
                let opnds: Vec<Value> = if np { inst.args[1..].to_vec() } else { inst.args.clone() };
                (name.as_str(), np, opnds)
            }
            _ => return None,
        };
        let red = match (name, np) {
            ("sum", _) => Red::Sum,
            // `np.average(a)` without weights is NumPy's `a.mean()` (its code calls that).
            ("mean", _) | ("average", true) => Red::Mean,
            ("max", _) | ("amax", true) => Red::Max,
            ("min", _) | ("amin", true) => Red::Min,
            ("dot", _) => Red::Dot,
            ("prod", _) => Red::Prod,
            ("argmax", _) => Red::ArgMax,
            ("argmin", _) => Red::ArgMin,
            _ => return None,
        };
        let want = if red == Red::Dot { 2 } else { 1 };
        if opnds.len() != want {
            return None;
        }
        let d = self.vec_ty(opnds[0])?.dtype;
        for o in &opnds {
            if self.vec_ty(*o)?.dtype != d {
                return None;
            }
        }
        let rd = match red {
            Red::Mean if d == Dtype::Int64 => Dtype::Float64,
            Red::Dot if d == Dtype::Float32 => return None, // sdot: its own order
            Red::ArgMax | Red::ArgMin => Dtype::Int64,
            _ => d,
        };
        if *self.typed.ty(r) != Ty::Np(rd) || abi::slot_types(&Ty::Np(rd)).len() != 1 {
            return None;
        }
        Some((red, opnds, d))
    }

    /// `np.sqrt(x)`, `np.abs(x)`, `np.negative(x)`, `np.square(x)` of a float
    /// scalar (a call into NumPy otherwise): the operation and its operand.
    fn scalar_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(EOp, Value, Dtype)> {
        let r = inst.result?;
        let Op::MethodCall { name, kw } = &inst.op else {
            return None;
        };
        if !kw.is_empty() || inst.args.len() != 2 || !self.is_np(inst.args[0]) {
            return None;
        }
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        let Ty::Np(d) = self.typed.ty(r) else { return None };
        if !is_float(*d) {
            return None;
        }
        let x = inst.args[1];
        let conv = self.scalar_ok(x, *d) || (*d == Dtype::Float64 && *self.typed.ty(x) == Ty::Np(Dtype::Int64));
        if !conv || matches!(self.typed.ty(x), Ty::Array(_)) {
            return None;
        }
        let op = match name.as_str() {
            "sqrt" => EOp::Sqrt,
            "abs" | "absolute" | "fabs" => EOp::Abs,
            "negative" => EOp::Neg,
            "square" => EOp::Square,
            _ => return None,
        };
        Some((op, x, *d))
    }

    /// `np.exp(x)` (a ufunc of `abi::SMALL_UFUNCS`) of a float scalar (a float,
    /// a NumPy float, an int NumPy converts to float64): its loop id and operand.
    fn scalar_ufunc_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(RootKind, Dtype)> {
        let Op::MethodCall { name, kw } = &inst.op else {
            return None;
        };
        if !kw.is_empty() || inst.args.len() != 2 || !self.is_np(inst.args[0]) {
            return None;
        }
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        let idx = abi::SMALL_UFUNCS.iter().position(|u| u == name)?;
        let Ty::Np(d) = self.typed.ty(inst.result?) else {
            return None;
        };
        let x = inst.args[1];
        let conv = self.scalar_ok(x, *d) || (*d == Dtype::Float64 && *self.typed.ty(x) == Ty::Np(Dtype::Int64));
        if !is_float(*d) || !conv || matches!(self.typed.ty(x), Ty::Array(_)) {
            return None;
        }
        let id = 2 * idx as u32 + (*d == Dtype::Float32) as u32;
        Some((RootKind::ScalarUfunc(id, x), *d))
    }

    /// `np.exp(x)` (a ufunc of `abi::SMALL_UFUNCS`) of a 1-D float array: its loop id and operand.
    fn ufunc_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<(u32, Value, Dtype)> {
        let r = inst.result?;
        let Op::MethodCall { name, kw } = &inst.op else {
            return None;
        };
        if !kw.is_empty() || inst.args.len() != 2 || !self.is_np(inst.args[0]) {
            return None;
        }
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        let idx = abi::SMALL_UFUNCS.iter().position(|u| u == name)?;
        let d = self.vec_ty(r)?.dtype;
        if !is_float(d) || self.vec_ty(inst.args[1])?.dtype != d {
            return None;
        }
        Some((2 * idx as u32 + (d == Dtype::Float32) as u32, inst.args[1], d))
    }

    fn same_base(&self, a: Value, b: Value) -> bool {
        let base = |mut v: Value| -> Value {
            for _ in 0..8 {
                let Some(&(db, dk)) = self.defs.get(&v) else { break };
                let i = &self.f.block(db).insts[dk];
                let via = match &i.op {
                    Op::GetItem => i.args.len() >= 2,
                    Op::MethodCall { name, .. } => name == "flip" && i.args.len() == 2 && self.is_np(i.args[0]),
                    _ => false,
                };
                if !via {
                    break;
                }
                v = *i
                    .args
                    .last()
                    .filter(|_| matches!(i.op, Op::MethodCall { .. }))
                    .unwrap_or(&i.args[0]);
            }
            v
        };
        base(a) == base(b)
    }

    fn view_proven(&self, blk: Block, k: usize) -> bool {
        let inst = &self.f.block(blk).insts[k];
        if matches!(self.view_op(blk, k, inst), Some(RootKind::Flip(_))) {
            return true;
        }
        self.view_op(blk, k, inst).is_some()
            && inst.args[1..].iter().enumerate().all(|(ax, x)| {
                matches!(self.typed.ty(*x), Ty::Slice(_)) || self.facts.unchecked.contains(&(blk, k, ax))
            })
    }

    /// `a[lo:hi]` (1-D) or `X[i, lo:hi]` (2-D), bounds ints or None, step None or a positive constant.
    fn view_op(&self, blk: Block, k: usize, inst: &ir::Inst) -> Option<RootKind> {
        let r = inst.result?;
        if let Op::MethodCall { name, kw } = &inst.op {
            // `np.flip(a)` of a 1-D array (any dtype): a view.
            let flip = name == "flip" && kw.is_empty() && inst.args.len() == 2 && self.is_np(inst.args[0]);
            let one_d = |v: Value| matches!(self.typed.ty(v), Ty::Array(a) if a.ndim == 1);
            let same = matches!((self.typed.ty(r), self.typed.ty(*inst.args.get(1)?)),
                (Ty::Array(x), Ty::Array(y)) if x.dtype == y.dtype && x.readonly == y.readonly);
            if flip && one_d(r) && one_d(inst.args[1]) && same && self.env.pycalls.contains_key(&(blk, k)) {
                return Some(RootKind::Flip(inst.args[1]));
            }
            return None;
        }
        if !matches!(inst.op, Op::GetItem) || !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        let Ty::Array(rt) = self.typed.ty(r) else { return None };
        let Ty::Array(at) = self.typed.ty(inst.args[0]) else {
            return None;
        };
        let int = |v: Value| matches!(self.typed.ty(v), Ty::Int | Ty::Np(Dtype::Int64));
        let (row, axis, slice) = match inst.args.len() {
            2 if at.ndim == 1 => (None, 0, inst.args[1]),
            3 if at.ndim == 2 && int(inst.args[1]) => (Some(inst.args[1]), 0, inst.args[2]),
            3 if at.ndim == 2 && int(inst.args[2]) => (Some(inst.args[2]), 1, inst.args[1]),
            _ => return None,
        };
        if rt.ndim != 1 || rt.dtype != at.dtype {
            return None;
        }
        let Ty::Slice(parts) = self.typed.ty(slice) else {
            return None;
        };
        // Bounds: ints, None, or NumPy ints (a uint64 may exceed i64: NumPy's).
        if !parts[..2]
            .iter()
            .all(|t| matches!(t, Ty::Int | Ty::NoneT) || matches!(t, Ty::Np(d) if d.is_int() && *d != Dtype::UInt64))
        {
            return None;
        }
        let step = match &parts[2] {
            Ty::NoneT => 1,
            Ty::Int => {
                let (b, k) = *self.defs.get(&slice)?;
                let def = &self.f.block(b).insts[k];
                if !matches!(def.op, Op::Slice) || def.args.len() != 3 {
                    return None;
                }
                match self.consts.get(&def.args[2]) {
                    Some(Const::Int(c)) if *c > 0 && *c < 1 << 32 => *c,
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(RootKind::View {
            arr: inst.args[0],
            row,
            axis,
            slice,
            step,
        })
    }

    /// Whether a scalar operand converts to dtype `d` the way NumPy converts it.
    fn scalar_ok(&self, v: Value, d: Dtype) -> bool {
        match self.typed.ty(v) {
            Ty::Float => is_float(d),
            Ty::Bool => true,
            Ty::Int => match d {
                Dtype::Float32 => matches!(self.consts.get(&v), Some(Const::Int(c)) if c.unsigned_abs() <= 1 << 24),
                _ => true,
            },
            Ty::Np(x) => *x == d,
            _ => false,
        }
    }

    fn build(
        &self,
        blk: Block,
        root: usize,
        seeds: &[Value],
        kind: RootKind,
        dtype: Dtype,
        elems: &HashMap<Value, (usize, EOp, Vec<Value>, Dtype)>,
        taken: &HashSet<usize>,
    ) -> Option<SmallExpr> {
        let insts = &self.f.block(blk).insts;
        let mut tree: Vec<usize> = Vec::new();
        // The instructions consuming values inside the expression: the root and the nodes.
        let occurrences = |v: Value, tree: &[usize]| -> usize {
            let mut n = seeds.iter().filter(|s| **s == v).count();
            if matches!(kind, RootKind::Make) {
                n = 0; // the root's own operands are counted as a node's below
            }
            for &t in tree {
                n += elems[&insts[t].result.unwrap()].2.iter().filter(|a| **a == v).count();
            }
            n
        };
        if matches!(kind, RootKind::Make) {
            tree.push(root);
        }
        loop {
            let mut grew = false;
            let mut cands: Vec<Value> = seeds.to_vec();
            for &t in &tree {
                let e = &elems[&insts[t].result.unwrap()];
                // (a gather reads arrays, never an expression computed here)
                if e.1 != EOp::Gather {
                    cands.extend(e.2.iter().copied());
                }
            }
            for c in cands {
                let Some(&(ck, _, _, cd)) = elems.get(&c) else { continue };
                if tree.contains(&ck) || ck >= root || taken.contains(&ck) || cd != dtype {
                    continue;
                }
                let uses = self.use_counts.get(&c).copied().unwrap_or(0);
                if uses == occurrences(c, &tree) {
                    tree.push(ck);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        tree.sort();
        // The slow path computes the nodes at the root: only constants and global
        // reads may sit between them (a deopt there would need a value not
        // computed), so nodes before anything else stay outside, as leaves.
        let quiet = |p: usize| -> bool {
            let i = &insts[p];
            match i.op {
                Op::Const(_) | Op::Global(_) | Op::Import(_) | Op::Slice | Op::Tuple => true,
                // An element read (`B[i, k]`), a row view (`X[i]`) or a 1-D view this
                // pass makes (`A[:i + 1, k]`) whose int indexes the bounds pass proved
                // in range cannot deopt or raise: it neither reads a node nor fails.
                Op::GetItem => {
                    let Ty::Array(a) = self.typed.ty(i.args[0]) else {
                        return false;
                    };
                    let idx = &i.args[1..];
                    if idx.iter().any(|x| matches!(self.typed.ty(*x), Ty::Slice(_))) {
                        return self.view_proven(blk, p);
                    }
                    !idx.is_empty()
                        && idx.len() <= a.ndim as usize
                        && idx.iter().enumerate().all(|(ax, x)| {
                            matches!(self.typed.ty(*x), Ty::Int) && self.facts.unchecked.contains(&(blk, p, ax))
                        })
                }
                // Int arithmetic the bounds pass proved cannot overflow (`i + 1`), and
                // Python float `+ - *` (`1.0 + 2.0 * d`: never an exception or warning).
                Op::Bin { op, inplace: _ } => match i.result.map(|r| self.typed.ty(r)) {
                    Some(Ty::Int) => self.facts.no_overflow.contains(&(blk, p)),
                    Some(Ty::Float) => {
                        matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul)
                            && i.args
                                .iter()
                                .all(|a| matches!(self.typed.ty(*a), Ty::Float | Ty::Int | Ty::Bool))
                    }
                    _ => false,
                },
                // `np.flip(a)`: a view, made natively.
                Op::MethodCall { .. } => matches!(self.view_op(blk, p, i), Some(RootKind::Flip(_))),
                Op::Unary(UnaryOp::Neg) => {
                    i.result.is_some_and(|r| *self.typed.ty(r) == Ty::Float) && *self.typed.ty(i.args[0]) == Ty::Float
                }
                _ => false,
            }
        };
        let barrier = (0..root).rev().find(|&p| !tree.contains(&p) && !quiet(p));
        if let Some(b) = barrier {
            tree.retain(|&k| k > b || k == root);
        }
        // Every operand outside the tree: a 1-D array of the dtype, or a scalar converting to it.
        let mut leaves: Vec<Value> = Vec::new();
        let mut ops = HashMap::new();
        let mut opnds: Vec<Value> = seeds.to_vec();
        let mut gathers: Vec<(Value, Value)> = Vec::new();
        for &t in &tree {
            let r = insts[t].result.unwrap();
            let (_, op, args, _) = &elems[&r];
            if *op == EOp::Gather {
                // (both arrays, as elem_op checked: read whole, not leaves)
                if !gathers.contains(&(args[0], args[1])) {
                    gathers.push((args[0], args[1]));
                }
            } else {
                opnds.extend(args.iter().copied());
            }
            ops.insert(r, (*op, args.clone()));
        }
        for o in opnds {
            if ops.contains_key(&o) {
                continue;
            }
            match self.typed.ty(o) {
                Ty::Array(_) => {
                    if self.vec_ty(o)?.dtype != dtype {
                        return None;
                    }
                    if !leaves.contains(&o) {
                        leaves.push(o);
                    }
                }
                _ => {
                    if !self.scalar_ok(o, dtype) {
                        return None;
                    }
                }
            }
        }
        // A comparison is used only as np.where's condition (which must be one) or counted.
        let is_cmp = |v: &Value| matches!(ops.get(v), Some((EOp::Cmp(_), _)));
        for (op, args) in ops.values() {
            for (pos, a) in args.iter().enumerate() {
                if is_cmp(a) != (*op == EOp::Where && pos == 0) {
                    return None;
                }
            }
        }
        let counted = matches!(kind, RootKind::Reduce(Red::Count, _));
        if seeds.iter().any(|s| is_cmp(s) != counted) {
            return None;
        }
        if matches!(kind, RootKind::Make) && is_cmp(&insts[root].result?) {
            return None;
        }
        let nodes: Vec<usize> = tree.into_iter().filter(|&k| k != root).collect();
        if leaves.is_empty() && gathers.is_empty() && !matches!(kind, RootKind::Inplace { .. }) {
            return None;
        }
        Some(SmallExpr {
            kind,
            root,
            nodes,
            ops,
            leaves,
            gathers,
            dtype,
        })
    }
}

impl SmallGen for Gen<'_, '_> {
    fn plan_small(&self) -> SmallPlan {
        let mut plan = SmallPlan::default();
        // The expressions the fusion pass (after this one) would fuse, roots and
        // nodes, other than 1-d rows updated in place (`a op= e`): this pass
        // takes those, the fusion pass the rest (`w[k] += mu * X` of complex
        // matrices: one pass, no array for `mu * X`).
        let fused: HashSet<(Block, usize)> = if self.env.passes.iter().any(|p| p.name() == "fusion") {
            let p = crate::fuse::FuseGen::plan_fusion_with(self, true);
            p.roots
                .iter()
                .filter(|(_, fx)| fx.inplace.is_none() || fx.ndim >= 2)
                .flat_map(|(&(b, _), fx)| fx.nodes.iter().map(move |n| (b, *n)))
                .collect()
        } else {
            HashSet::new()
        };
        for (bi, d) in self.f.blocks.iter().enumerate() {
            let blk = Block(bi as u32);
            let insts = &d.insts;
            let mut elems: HashMap<Value, (usize, EOp, Vec<Value>, Dtype)> = HashMap::new();
            for (k, i) in insts.iter().enumerate() {
                if let Some((op, args, dt)) = self.elem_op(blk, k, i) {
                    elems.insert(i.result.unwrap(), (k, op, args, dt));
                }
            }
            let mut taken: HashSet<usize> = HashSet::new();
            let mut skip: HashSet<usize> = HashSet::new();
            let add = |sx: SmallExpr, taken: &mut HashSet<usize>, plan: &mut SmallPlan| {
                for &n in &sx.nodes {
                    taken.insert(n);
                    plan.inner.insert((blk, n));
                }
                taken.insert(sx.root);
                plan.roots.insert((blk, sx.root), sx);
            };
            // Consumers first: reductions, stores into rows, in-place row updates.
            for (k, i) in insts.iter().enumerate() {
                // Complex128 matrices (`a @ b`, `x * s`, `t += x`): see `small_complex`.
                // (what the fusion pass fuses is its)
                if fused.contains(&(blk, k))
                    && matches!(i.result.map(|r| self.typed.ty(r)), Some(Ty::Array(a)) if a.dtype == Dtype::Complex128)
                {
                    continue;
                }
                if self.complex_deferred(blk, k) {
                    continue; // (computed by the `+=` after it)
                }
                if let Some((kind, dt)) = self.complex_scalar_root(blk, k) {
                    let sx = SmallExpr {
                        kind,
                        root: k,
                        nodes: vec![],
                        ops: HashMap::new(),
                        leaves: vec![],
                        gathers: vec![],
                        dtype: dt,
                    };
                    add(sx, &mut taken, &mut plan);
                    continue;
                }
                if let Some((kind, sk, nodes)) = self.complex_root(blk, k) {
                    if let Some(sk) = sk {
                        skip.insert(sk);
                        plan.inner.insert((blk, sk));
                    }
                    let sx = SmallExpr {
                        kind,
                        root: k,
                        nodes,
                        ops: HashMap::new(),
                        leaves: vec![],
                        gathers: vec![],
                        dtype: Dtype::Complex128,
                    };
                    add(sx, &mut taken, &mut plan);
                    continue;
                }
                if let Some(kind) = self.view_op(blk, k, i) {
                    let sx = SmallExpr {
                        kind,
                        root: k,
                        nodes: vec![],
                        ops: HashMap::new(),
                        leaves: vec![],
                        gathers: vec![],
                        dtype: Dtype::Float64, // (unused: a view of any dtype)
                    };
                    add(sx, &mut taken, &mut plan);
                    continue;
                }
                if let Some((id, x, dt)) = self.ufunc_op(blk, k, i) {
                    if let Some(sx) = self.build(blk, k, &[x], RootKind::Ufunc(id, x), dt, &elems, &taken) {
                        add(sx, &mut taken, &mut plan);
                    }
                    continue;
                }
                if let Some((kind, dt)) = self
                    .scalar_op(blk, k, i)
                    .map(|(op, x, dt)| (RootKind::Scalar(op, x), dt))
                    .or_else(|| self.scalar_ufunc_op(blk, k, i))
                {
                    let sx = SmallExpr {
                        kind,
                        root: k,
                        nodes: vec![],
                        ops: HashMap::new(),
                        leaves: vec![],
                        gathers: vec![],
                        dtype: dt,
                    };
                    add(sx, &mut taken, &mut plan);
                    continue;
                }
                if let (Op::MethodCall { name, kw }, Some(r)) = (&i.op, i.result) {
                    let opnd = match i.args.as_slice() {
                        [m, x] if self.is_np(*m) => Some(*x),
                        [x] => Some(*x),
                        _ => None,
                    };
                    let cmp = opnd.and_then(|x| elems.get(&x)).filter(|e| matches!(e.1, EOp::Cmp(_)));
                    if let (true, true, Some(x), Some(e)) = (
                        name == "sum" && kw.is_empty(),
                        *self.typed.ty(r) == Ty::Np(Dtype::Int64) && self.env.pycalls.contains_key(&(blk, k)),
                        opnd,
                        cmp,
                    ) {
                        let kind = RootKind::Reduce(Red::Count, vec![x]);
                        if let Some(sx) = self.build(blk, k, &[x], kind, e.3, &elems, &taken) {
                            add(sx, &mut taken, &mut plan);
                        }
                        continue;
                    }
                }
                if let Some((red, opnds, dt)) = self.red_op(blk, k, i) {
                    if let Some(sx) =
                        self.build(blk, k, &opnds, RootKind::Reduce(red, opnds.clone()), dt, &elems, &taken)
                    {
                        add(sx, &mut taken, &mut plan);
                    }
                    continue;
                }
                if matches!(i.op, Op::SetItem) && i.args.len() == 3 && !skip.contains(&k) {
                    let (dst, idx, val) = (i.args[0], i.args[1], i.args[2]);
                    let Ty::Array(dt) = self.typed.ty(dst) else { continue };
                    let idx_ok = matches!(self.typed.ty(idx), Ty::Int | Ty::Np(Dtype::Int64));
                    if dt.ndim != 2 || dt.readonly || !handled(dt.dtype) || !idx_ok {
                        continue;
                    }
                    if self.vec_ty(val).map(|a| a.dtype) != Some(dt.dtype) {
                        continue;
                    }
                    let kind = RootKind::Store { dst, idx, expr: val };
                    if let Some(sx) = self.build(blk, k, &[val], kind, dt.dtype, &elems, &taken) {
                        add(sx, &mut taken, &mut plan);
                    }
                    continue;
                }
                if let (Op::Bin { op, inplace: true }, Some(r)) = (&i.op, i.result) {
                    let op = match op {
                        BinOp::Add => EOp::Add,
                        BinOp::Sub => EOp::Sub,
                        BinOp::Mul => EOp::Mul,
                        // (an int array's `/=` is NumPy's casting error)
                        BinOp::Div if self.vec_ty(i.args[0]).is_some_and(|a| a.dtype.kind() == Kind::Float) => EOp::Div,
                        _ => continue,
                    };
                    let (target, expr) = (i.args[0], i.args[1]);
                    let (Some(rt), Some(tt)) = (self.vec_ty(r), self.vec_ty(target)) else {
                        continue;
                    };
                    if !self.env.pycalls.contains_key(&(blk, k)) || tt.readonly || rt.dtype != tt.dtype {
                        continue;
                    }
                    // target = base[idx] earlier in this block, and the result's one use
                    // is `base[idx] = result` later in it.
                    let Some(tk) = insts[..k].iter().position(|x| x.result == Some(target)) else {
                        continue;
                    };
                    let g = &insts[tk];
                    if !matches!(g.op, Op::GetItem) || g.args.len() < 2 || self.use_counts.get(&r) != Some(&1) {
                        continue;
                    }
                    // ... and a view of base by basic indexing (`X[i]`, `a[lo:hi]`,
                    // `C[i, :i + 1]`, `C[:i, j]`: ints and slices, at most one per axis),
                    // not a copy (an index array or a mask): `base[idx] = target` is
                    // then a copy onto itself.
                    let is_view = match self.typed.ty(g.args[0]) {
                        Ty::Array(b) => {
                            g.args.len() - 1 <= b.ndim as usize
                                && g.args[1..]
                                    .iter()
                                    .all(|a| matches!(self.typed.ty(*a), Ty::Int | Ty::Np(Dtype::Int64) | Ty::Slice(_)))
                        }
                        _ => false,
                    };
                    if !is_view {
                        continue;
                    }
                    let Some(sk) = (k + 1..insts.len()).find(|&s| {
                        let a = &insts[s].args;
                        matches!(insts[s].op, Op::SetItem) && a[..a.len() - 1] == g.args[..] && a.last() == Some(&r)
                    }) else {
                        continue;
                    };
                    if self.vec_ty(expr).is_some_and(|a| a.dtype != tt.dtype)
                        || (self.vec_ty(expr).is_none() && !self.scalar_ok(expr, tt.dtype))
                    {
                        continue;
                    }
                    let kind = RootKind::Inplace {
                        op,
                        target,
                        expr,
                        setitem: sk,
                    };
                    // An operand that is a view of the target's own array (`y[:k] +=
                    // alpha * np.flip(y[:k])`) overlaps it: NumPy computes the right-hand
                    // side into a temporary first. Keep that temporary (made natively)
                    // rather than a fused loop whose overlap check always fails.
                    let built = self.build(blk, k, &[expr], kind.clone(), tt.dtype, &elems, &taken);
                    let built = match built {
                        Some(sx) if sx.leaves.iter().any(|l| self.same_base(*l, target)) && !sx.nodes.is_empty() => {
                            let all: HashSet<usize> =
                                taken.iter().copied().chain(elems.values().map(|e| e.0)).collect();
                            self.build(blk, k, &[expr], kind, tt.dtype, &elems, &all)
                        }
                        b => b,
                    };
                    if let Some(sx) = built {
                        skip.insert(sk);
                        plan.inner.insert((blk, sk));
                        add(sx, &mut taken, &mut plan);
                    }
                }
            }
            // Then the arrays that must exist, latest first (each absorbs the nodes only it uses).
            let mut rest: Vec<(usize, Value)> = elems
                .iter()
                .filter(|(_, e)| !taken.contains(&e.0))
                .map(|(v, e)| (e.0, *v))
                .collect();
            rest.sort();
            for (k, v) in rest.into_iter().rev() {
                if taken.contains(&k) {
                    continue;
                }
                let dt = elems[&v].3;
                if let Some(sx) = self.build(blk, k, &[], RootKind::Make, dt, &elems, &taken) {
                    // What the fusion pass computes (float64, two or more operations it
                    // knows) is left to it: it runs SIMD loops at any length.
                    if fused.contains(&(blk, k)) {
                        taken.extend(sx.nodes.iter().copied().chain([k]));
                        continue;
                    }
                    add(sx, &mut taken, &mut plan);
                }
            }
        }
        plan
    }

    fn emit_small(&mut self, blk: Block, sx: &SmallExpr) -> CResult<()> {
        let f = self.f;
        let insts = &f.block(blk).insts;
        let root_inst = &insts[sx.root];
        if matches!(
            sx.kind,
            RootKind::CMatMul(..)
                | RootKind::CScale { .. }
                | RootKind::CAdd { .. }
                | RootKind::CAddMatMul { .. }
                | RootKind::CScalar(..)
        ) {
            return self.emit_complex(blk, sx);
        }
        if let RootKind::Flip(arr) = sx.kind {
            // NumPy's `a[::-1]`: start at n - 1 (-1 for an empty array, as
            // `slice.indices` gives it), step -1.
            let s1 = abi::ArraySlots::new(1);
            let av = self.use_val(arr)?;
            let (n, st) = (av[s1.shape(0)], av[s1.stride(0)]);
            let last = self.b.ins().iadd_imm_s(n, -1);
            let off = self.b.ins().imul(last, st);
            let data = self.b.ins().iadd(av[0], off);
            let neg = self.b.ins().ineg(st);
            let r = root_inst.result.ok_or_else(|| internal("small: flip result"))?;
            self.vals.insert(r, vec![data, av[1], n, neg]);
            return Ok(());
        }
        let d = sx.dtype;
        let t = cty(d);
        let isz = if d == Dtype::Float32 { 4 } else { 8 };
        let float = is_float(d);
        let s1 = abi::ArraySlots::new(1);
        // Leaves.
        let mut leaves: Vec<Span1> = Vec::new();
        for l in &sx.leaves {
            let v = self.use_val(*l)?;
            leaves.push(Span1 {
                data: v[0],
                len: v[s1.shape(0)],
                stride: v[s1.stride(0)],
            });
        }
        // The gathers' tables and index arrays (an index array: its span and dtype).
        let mut tables: HashMap<Value, Span1> = HashMap::new();
        let mut indexes: HashMap<Value, (Span1, Dtype)> = HashMap::new();
        for (x, ix) in &sx.gathers {
            let v = self.use_val(*x)?;
            tables.entry(*x).or_insert(Span1 {
                data: v[0],
                len: v[s1.shape(0)],
                stride: v[s1.stride(0)],
            });
            let Ty::Array(it) = self.ty(*ix) else {
                return Err(internal("small: gather index"));
            };
            let v = self.use_val(*ix)?;
            indexes.entry(*ix).or_insert((
                Span1 {
                    data: v[0],
                    len: v[s1.shape(0)],
                    stride: v[s1.stride(0)],
                },
                it.dtype,
            ));
        }
        // Scalars, converted once to the dtype as NumPy converts them.
        let mut scalars: HashMap<Value, CV> = HashMap::new();
        let mut all_opnds: Vec<Value> = sx.ops.values().flat_map(|(_, a)| a.iter().copied()).collect();
        if let RootKind::Inplace { expr, .. } | RootKind::Scalar(_, expr) | RootKind::ScalarUfunc(_, expr) = &sx.kind {
            all_opnds.push(*expr);
        }
        // A float beyond float32's range: NumPy warns ("overflow encountered in cast").
        let mut cast_overflow: Option<CV> = None;
        for a in all_opnds {
            if sx.ops.contains_key(&a)
                || sx.leaves.contains(&a)
                || scalars.contains_key(&a)
                || tables.contains_key(&a)
                || indexes.contains_key(&a)
            {
                continue;
            }
            let ty = self.ty(a);
            let v = self.use_val(a)?;
            let x = match d {
                Dtype::Int64 => self.conv_i64(&(ty, v))?,
                Dtype::Float32 => {
                    let x = self.conv_f64(&(ty, v))?;
                    let y = self.b.ins().fdemote(clt::F32, x);
                    let was = self.non_finite(x);
                    let is = self.non_finite(y);
                    let ov = self.b.ins().band_not(is, was);
                    cast_overflow = Some(match cast_overflow {
                        Some(o) => self.b.ins().bor(o, ov),
                        None => ov,
                    });
                    y
                }
                _ => self.conv_f64(&(ty, v))?,
            };
            scalars.insert(a, x);
        }
        // The length, and the fast path's conditions.
        let mut dot_inline = None;
        let (n, mut ok, dst): (CV, CV, Option<Span1>) = match &sx.kind {
            RootKind::Store { dst, idx, .. } => {
                let dv = self.use_val(*dst)?;
                let s2 = abi::ArraySlots::new(2);
                let (ok, data) = self.row_of(&dv, *idx)?;
                let sp = Span1 {
                    data,
                    len: dv[s2.shape(1)],
                    stride: dv[s2.stride(1)],
                };
                (sp.len, ok, Some(sp))
            }
            RootKind::Inplace { target, .. } => {
                let tv = self.use_val(*target)?;
                let sp = Span1 {
                    data: tv[0],
                    len: tv[s1.shape(0)],
                    stride: tv[s1.stride(0)],
                };
                let one = self.b.ins().iconst(clt::I8, 1);
                (sp.len, one, Some(sp))
            }
            RootKind::View { arr, row, axis, .. } => {
                let av = self.use_val(*arr)?;
                match row {
                    Some(r) => {
                        // The row (axis 0) or column (axis 1) the slice is taken along.
                        let s2 = abi::ArraySlots::new(2);
                        let (ok, data) = self.sub_of(&av, *r, *axis)?;
                        let other = 1 - *axis;
                        let sp = Span1 {
                            data,
                            len: av[s2.shape(other)],
                            stride: av[s2.stride(other)],
                        };
                        (sp.len, ok, Some(sp))
                    }
                    None => {
                        let one = self.b.ins().iconst(clt::I8, 1);
                        let sp = Span1 {
                            data: av[0],
                            len: av[s1.shape(0)],
                            stride: av[s1.stride(0)],
                        };
                        (sp.len, one, Some(sp))
                    }
                }
            }
            RootKind::Scalar(..) | RootKind::ScalarUfunc(..) => {
                let one = self.b.ins().iconst(clt::I8, 1);
                let z = self.b.ins().iconst(clt::I64, 0);
                (z, one, None)
            }
            _ => {
                let one = self.b.ins().iconst(clt::I8, 1);
                let len = match leaves.first() {
                    Some(l) => l.len,
                    None => {
                        indexes
                            .get(&sx.gathers[0].1)
                            .ok_or_else(|| internal("small: no length"))?
                            .0
                            .len
                    }
                };
                (len, one, None)
            }
        };
        for l in &leaves {
            let eq = self.b.ins().icmp(IntCC::Equal, l.len, n);
            ok = self.b.ins().band(ok, eq);
        }
        for (l, _) in indexes.values() {
            let eq = self.b.ins().icmp(IntCC::Equal, l.len, n);
            ok = self.b.ins().band(ok, eq);
        }
        // Every index of every gather in range of its table (negative ones count
        // from the end): NumPy raises IndexError otherwise, on the slow path. The
        // loop reads each index array over its own length.
        for (x, ix) in &sx.gathers {
            let tab = Span1 { ..tables[x] };
            let (isp, idt) = (Span1 { ..indexes[ix].0 }, indexes[ix].1);
            let z = self.b.ins().iconst(clt::I64, 0);
            let r = self.counted(z, isp.len, 1, &[ok], &mut |g, i, p| {
                let k = g.gather_index(&isp, idt, i);
                let k = g.wrap_index(k, tab.len, idt);
                let inr = g.b.ins().icmp(IntCC::UnsignedLessThan, k, tab.len);
                Ok(vec![g.b.ins().band(p[0], inr)])
            })?;
            ok = r[0];
        }
        if let Some(ov) = cast_overflow {
            ok = self.b.ins().band_not(ok, ov);
        }
        // A destination must not overlap an operand, unless it is the same elements
        // (never a gather's arrays: NumPy gathers into a temporary first).
        if let Some(ds) = &dst {
            let (dlo, dhi) = self.byte_range(ds, isz);
            let mut whole: Vec<(CV, CV)> = Vec::new();
            for t in tables.values() {
                whole.push(self.byte_range(t, isz));
            }
            for (l, d) in indexes.values() {
                whole.push(self.byte_range(l, d.itemsize()));
            }
            for (llo, lhi) in whole {
                let a = self.b.ins().icmp(IntCC::SignedLessThan, llo, dhi);
                let b2 = self.b.ins().icmp(IntCC::SignedLessThan, dlo, lhi);
                let overlap = self.b.ins().band(a, b2);
                ok = self.b.ins().band_not(ok, overlap);
            }
            for l in &leaves {
                let (llo, lhi) = self.byte_range(l, isz);
                let a = self.b.ins().icmp(IntCC::SignedLessThan, llo, dhi);
                let b2 = self.b.ins().icmp(IntCC::SignedLessThan, dlo, lhi);
                let overlap = self.b.ins().band(a, b2);
                let same_p = self.b.ins().icmp(IntCC::Equal, l.data, ds.data);
                let same_s = self.b.ins().icmp(IntCC::Equal, l.stride, ds.stride);
                let same = self.b.ins().band(same_p, same_s);
                let bad = self.b.ins().band_not(overlap, same);
                let fine = self.b.ins().bxor_imm_s(bad, 1);
                ok = self.b.ins().band(ok, fine);
            }
        }
        match &sx.kind {
            RootKind::Reduce(Red::Sum | Red::Mean, _) if float || matches!(sx.kind, RootKind::Reduce(Red::Mean, _)) => {
                // Inline pairwise sums up to 128 elements; a plain float array of any length
                // through the runtime; empty means are NumPy's (a warning and NaN).
                // (float sums of any length; int means summed as floats up to 128)
                if !float {
                    let c = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n, 128);
                    ok = self.b.ins().band(ok, c);
                }
                if matches!(sx.kind, RootKind::Reduce(Red::Mean, _)) {
                    let c = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, n, 0);
                    ok = self.b.ins().band(ok, c);
                }
            }
            RootKind::Make => {
                // Long arrays: NumPy's SIMD loops and its in-place temporaries do better.
                let c = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n, MAKE_MAX);
                ok = self.b.ins().band(ok, c);
            }
            RootKind::Ufunc(..) if !sx.nodes.is_empty() => {
                // The same for the operand an expression computes (numpy-benchmarks'
                // log_likelihood, 100,000 elements: 1.18x CPython's time filling it here).
                let c = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n, MAKE_MAX);
                ok = self.b.ins().band(ok, c);
            }
            RootKind::Reduce(Red::ArgMax | Red::ArgMin, _) => {
                // An empty array: NumPy's ValueError. Long arrays: NumPy's SIMD loops.
                let c = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, n, 0);
                ok = self.b.ins().band(ok, c);
                let c = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n, MAKE_MAX);
                ok = self.b.ins().band(ok, c);
            }
            RootKind::Reduce(Red::Max | Red::Min, _) => {
                // Long arrays: NumPy's SIMD loops compare several elements at once
                // (numpy-benchmarks' normalize_complex_arr, `a.real.min()` of 10,000
                // elements: 1.6x NumPy's time here; a contiguous 100,000: 12x).
                let c = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, n, 0);
                ok = self.b.ins().band(ok, c);
                let c = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, n, MAKE_MAX);
                ok = self.b.ins().band(ok, c);
            }
            RootKind::Reduce(Red::Dot, opnds) if float => {
                // Inline, in BLAS's order as calibrated (a negative limit: fused
                // multiply-adds up to its magnitude), for contiguous operands
                // (strided ones take BLAS's strided kernel, whose order differs;
                // expressions are contiguous temporaries in NumPy) ...
                let lim = self.call("pyston_dot_seq_limit", &[])?[0];
                let lim = self.b.ins().iabs(lim);
                let mut inline = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, n, lim);
                // ... or, two arrays with positive strides: the BLAS call NumPy makes.
                let mut blas = self.b.ins().iconst(clt::I8, 1);
                for o in opnds {
                    match sx.leaves.iter().position(|l| l == o) {
                        Some(li) => {
                            let st = leaves[li].stride;
                            let low = self.b.ins().band_imm_s(st, 7);
                            let whole = self.b.ins().icmp_imm_s(IntCC::Equal, low, 0);
                            let mut c = self.b.ins().icmp_imm_s(IntCC::Equal, st, isz);
                            // A float64 vector with a negative stride (`np.flip(x)`):
                            // `np.dot` / `a.dot` copy it into a contiguous one first
                            // (`_bad_strides`), as `pyston_ddot` does. (`x @ y` does not:
                            // its loop for such strides is NumPy's own, left to NumPy.)
                            let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, st, 0);
                            let neg = self.b.ins().band(neg, whole);
                            let matmul = matches!(root_inst.op, Op::Bin { op: BinOp::MatMul, .. });
                            let neg = if d == Dtype::Float64 && !matmul {
                                neg
                            } else {
                                self.b.ins().iconst(clt::I8, 0)
                            };
                            c = self.b.ins().bor(c, neg);
                            inline = self.b.ins().band(inline, c);
                            let pos = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, st, 0);
                            let pos = self.b.ins().bor(pos, neg);
                            let c = self.b.ins().band(pos, whole);
                            blas = self.b.ins().band(blas, c);
                        }
                        None => blas = self.b.ins().iconst(clt::I8, 0),
                    }
                }
                let arrays = opnds.iter().all(|o| sx.leaves.contains(o));
                let either = self.b.ins().bor(inline, blas);
                ok = self.b.ins().band(ok, either);
                dot_inline = arrays.then_some(inline);
            }
            _ => {}
        }

        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let merge = self.b.create_block();
        let root_val = root_inst.result;
        let merge_tys: Vec<clir::Type> = match root_val {
            Some(r) => abi::slot_types(&self.ty(r)).into_iter().map(cl_ty).collect(),
            None => vec![],
        };
        let merge_params: Vec<CV> = merge_tys
            .iter()
            .map(|ty| self.b.append_block_param(merge, *ty))
            .collect();
        // A view whose int indexes the bounds pass proved in range has no slow
        // path: it cannot fail (so nodes of a later root may be computed past it).
        let straight = matches!(sx.kind, RootKind::View { .. }) && self.view_proven(blk, sx.root);
        if straight {
            self.b.ins().jump(fast, &[]);
        } else {
            self.b.ins().brif(ok, fast, &[], slow, &[]);
        }
        self.b.switch_to_block(fast);
        let ctx = Ectx {
            sx,
            leaves: &leaves,
            tables: &tables,
            indexes: &indexes,
            scalars: &scalars,
            t,
            float,
            dot_inline,
        };
        let out: Vec<CV> = match &sx.kind {
            RootKind::Flip(_)
            | RootKind::CMatMul(..)
            | RootKind::CScale { .. }
            | RootKind::CAdd { .. }
            | RootKind::CAddMatMul { .. }
            | RootKind::CScalar(..) => return Err(internal("small: emitted above")),
            RootKind::Reduce(red, opnds) => {
                let (r, bad) = self.reduce(&ctx, *red, opnds, n, slow)?;
                // max/min of floats: NaN, infinities and zeros are NumPy's to answer.
                let bad = match (red, float) {
                    (Red::Count | Red::ArgMax | Red::ArgMin, _) => bad,
                    (Red::Max | Red::Min, true) => {
                        let zf = self.fzero(t);
                        let z = self.b.ins().fcmp(FloatCC::Equal, r, zf);
                        self.b.ins().bor(bad, z)
                    }
                    (_, true) => {
                        let nf = self.non_finite(r);
                        self.b.ins().bor(bad, nf)
                    }
                    _ => bad,
                };
                let cont = self.b.create_block();
                self.b.ins().brif(bad, slow, &[], cont, &[]);
                self.b.switch_to_block(cont);
                vec![r]
            }
            RootKind::View { arr, slice, step, .. } => {
                // Python's slice.indices() for a positive step, then the view's slots.
                let base = dst.as_ref().unwrap();
                let len = base.len;
                let parts = match self.ty(*slice) {
                    Ty::Slice(p) => p,
                    _ => return Err(internal("small: slice")),
                };
                let sv = self.use_val(*slice)?;
                let mut pos = 0;
                let mut bound = |g: &mut Self, t: &Ty, default: CV| -> CResult<CV> {
                    if *t == Ty::NoneT {
                        return Ok(default);
                    }
                    let x = g.conv_i64(&(t.clone(), vec![sv[pos]]))?;
                    pos += 1;
                    let z = g.b.ins().iconst(clt::I64, 0);
                    let neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                    let up = g.b.ins().iadd(x, len);
                    let x = g.b.ins().select(neg, up, x);
                    let x = g.b.ins().smax(x, z);
                    Ok(g.b.ins().smin(x, len))
                };
                let z = self.b.ins().iconst(clt::I64, 0);
                let start = bound(self, &parts[0], z)?;
                let stop = bound(self, &parts[1], len)?;
                let span = self.b.ins().isub(stop, start);
                let span = self.b.ins().smax(span, z);
                let count = if *step == 1 {
                    span
                } else {
                    // ceil(span / step) for span >= 0
                    let t = self.b.ins().iadd_imm_s(span, *step - 1);
                    let stp = self.b.ins().iconst(clt::I64, *step);
                    self.b.ins().udiv(t, stp)
                };
                let off = self.b.ins().imul(start, base.stride);
                let data = self.b.ins().iadd(base.data, off);
                let stride = self.b.ins().imul_imm_s(base.stride, *step);
                let obj = self.use_val(*arr)?[1];
                vec![data, obj, count, stride]
            }
            RootKind::Scalar(op, x) => {
                // NumPy warns where the result is not finite (sqrt(-1), overflow): its call does.
                let r = self.apply(*op, true, &[scalars[x]]);
                let bad = self.non_finite(r);
                let cont = self.b.create_block();
                self.b.ins().brif(bad, slow, &[], cont, &[]);
                self.b.switch_to_block(cont);
                vec![r]
            }
            RootKind::ScalarUfunc(id, x) => {
                // (NumPy 1.26 computes some scalars by another path: NumPy's call there)
                let ok = self.call("pyston_scalar_ufuncs_ok", &[])?[0];
                let on = self.b.create_block();
                self.b.ins().brif(ok, on, &[], slow, &[]);
                self.b.switch_to_block(on);
                let t = ctx.t;
                let (inp, out) = (self.stack(8), self.stack(8));
                self.b.ins().store(MemFlagsData::trusted(), scalars[x], inp, 0);
                let idv = self.b.ins().iconst(clt::I64, *id as i64);
                let size = self.b.ins().iconst(clt::I64, t.bytes() as i64);
                let one = self.b.ins().iconst(clt::I64, 1);
                let st = self.call("pyston_ufunc_loop", &[idv, inp, size, out, size, one])?[0];
                // (arccos(2), overflow: the loop raised the floating-point exception
                // NumPy warns about, and NumPy's call warns)
                let ran = self.b.create_block();
                self.b.ins().brif(st, slow, &[], ran, &[]);
                self.b.switch_to_block(ran);
                vec![self.b.ins().load(t, MemFlagsData::trusted(), out, 0)]
            }
            RootKind::Ufunc(id, x) => {
                let at = ArrTy {
                    dtype: d,
                    ndim: 1,
                    layout: Layout::C,
                    readonly: false,
                };
                let (st, buf) = self.alloc_call(AllocKind::Empty, &at, &[n])?;
                let allocated = self.b.create_block();
                self.b.ins().brif(st, slow, &[], allocated, &[]);
                self.b.switch_to_block(allocated);
                let o = self.load_array_slots(buf, 1);
                let os = Span1 {
                    data: o[0],
                    len: n,
                    stride: o[s1.stride(0)],
                };
                // The operand: the array itself, or its values computed into the output.
                let (inp, is) = if sx.nodes.is_empty() {
                    (leaves[0].data, leaves[0].stride)
                } else {
                    let bad = self.fill(&ctx, *x, &os, None, n, true)?;
                    let cont = self.b.create_block();
                    self.b.ins().brif(bad, slow, &[], cont, &[]);
                    self.b.switch_to_block(cont);
                    (os.data, os.stride)
                };
                let idv = self.b.ins().iconst(clt::I64, *id as i64);
                // (a floating-point exception NumPy warns about: NumPy's call then)
                let st = self.call("pyston_ufunc_loop", &[idv, inp, is, os.data, os.stride, n])?[0];
                let ran = self.b.create_block();
                self.b.ins().brif(st, slow, &[], ran, &[]);
                self.b.switch_to_block(ran);
                o
            }
            RootKind::Make => {
                let at = ArrTy {
                    dtype: d,
                    ndim: 1,
                    layout: Layout::C,
                    readonly: false,
                };
                let (st, buf) = self.alloc_call(AllocKind::Empty, &at, &[n])?;
                let allocated = self.b.create_block();
                self.b.ins().brif(st, slow, &[], allocated, &[]);
                self.b.switch_to_block(allocated);
                let o = self.load_array_slots(buf, 1);
                let os = Span1 {
                    data: o[0],
                    len: n,
                    stride: o[s1.stride(0)],
                };
                let root_v = root_val.unwrap();
                let bad = self.fill(&ctx, root_v, &os, None, n, true)?;
                let cont = self.b.create_block();
                self.b.ins().brif(bad, slow, &[], cont, &[]);
                self.b.switch_to_block(cont);
                o
            }
            RootKind::Store { expr, .. } => {
                let ds = dst.as_ref().unwrap();
                let bad = self.fill(&ctx, *expr, ds, None, n, true)?;
                let cont = self.b.create_block();
                self.b.ins().brif(bad, slow, &[], cont, &[]);
                self.b.switch_to_block(cont);
                vec![]
            }
            RootKind::Inplace { op, expr, target, .. } => {
                let ds = dst.as_ref().unwrap();
                if float {
                    // Check first (the slow path must find the row untouched), then store.
                    let bad = self.fill(&ctx, *expr, ds, Some(*op), n, false)?;
                    let cont = self.b.create_block();
                    self.b.ins().brif(bad, slow, &[], cont, &[]);
                    self.b.switch_to_block(cont);
                }
                let _ = self.fill(&ctx, *expr, ds, Some(*op), n, true)?;
                self.use_val(*target)?
            }
        };
        let args: Vec<BlockArg> = out.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &args);

        if straight {
            self.b.switch_to_block(merge);
            if let Some(r) = root_val {
                self.vals.insert(r, merge_params);
            }
            return Ok(());
        }
        // Slow path: the instructions as written.
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let saved = self.cur_inst;
        for &k in sx.nodes.iter().chain(std::iter::once(&sx.root)) {
            self.cur_inst = (blk, k);
            self.inst(&insts[k])?;
        }
        self.cur_inst = saved;
        let vals = match root_val {
            Some(r) => self.val(r)?,
            None => vec![],
        };
        if vals.len() != merge_params.len() {
            return Err(internal("small: result slots"));
        }
        let args: Vec<BlockArg> = vals.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(merge);
        if let Some(r) = root_val {
            self.vals.insert(r, merge_params);
        }
        Ok(())
    }
}

/// What the element loops read: the expression, its leaves and scalars.
struct Ectx<'s> {
    sx: &'s SmallExpr,
    leaves: &'s [Span1],
    tables: &'s HashMap<Value, Span1>,
    indexes: &'s HashMap<Value, (Span1, Dtype)>,
    scalars: &'s HashMap<Value, CV>,
    t: clir::Type,
    float: bool,
    /// A float64 dot: whether it is computed inline (else by BLAS's `ddot`).
    dot_inline: Option<CV>,
}

/// Emission helpers (private).
trait SmallEmit {
    fn byte_range(&mut self, s: &Span1, isz: i64) -> (CV, CV);
    fn fzero(&mut self, t: clir::Type) -> CV;
    fn row_of(&mut self, av: &[CV], idx: Value) -> CResult<(CV, CV)>;
    /// `X[idx]` along `axis` of a 2-D array's slots (the row, or the column for
    /// axis 1): whether `idx` is in range (negative counts from the end), and its data.
    fn sub_of(&mut self, av: &[CV], idx: Value, axis: usize) -> CResult<(CV, CV)>;
    fn non_finite(&mut self, x: CV) -> CV;
    /// Element `i` of a gather's index array (of integer dtype `d`) as an i64.
    fn gather_index(&mut self, idx: &Span1, d: Dtype, i: CV) -> CV;
    /// A gather index's position in a table of `len` elements: negative ones
    /// count from the end (signed dtypes). In range when below `len`, unsigned.
    fn wrap_index(&mut self, k: CV, len: CV, d: Dtype) -> CV;
    fn elem(&mut self, c: &Ectx<'_>, v: Value, i: CV, memo: &mut HashMap<Value, CV>, bad: &mut CV) -> CResult<CV>;
    #[allow(clippy::type_complexity)]
    fn counted(
        &mut self,
        start: CV,
        end: CV,
        step: i64,
        init: &[CV],
        body: &mut dyn FnMut(&mut Self, CV, &[CV]) -> CResult<Vec<CV>>,
    ) -> CResult<Vec<CV>>;
    fn fill(&mut self, c: &Ectx<'_>, expr: Value, dst: &Span1, op: Option<EOp>, n: CV, store: bool) -> CResult<CV>;
    fn reduce(&mut self, c: &Ectx<'_>, red: Red, opnds: &[Value], n: CV, slow: CB) -> CResult<(CV, CV)>;
    fn pairwise(&mut self, c: &Ectx<'_>, e: Value, off: Option<CV>, n: CV, conv: bool) -> CResult<(CV, CV)>;
}

impl SmallEmit for Gen<'_, '_> {
    fn byte_range(&mut self, s: &Span1, isz: i64) -> (CV, CV) {
        // [lo, hi) of the elements; empty arrays give hi == lo.
        let last = self.b.ins().iadd_imm_s(s.len, -1);
        let span = self.b.ins().imul(last, s.stride);
        let end = self.b.ins().iadd(s.data, span);
        let lo = self.b.ins().smin(s.data, end);
        let hi = self.b.ins().smax(s.data, end);
        let hi = self.b.ins().iadd_imm_s(hi, isz);
        let empty = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, s.len, 0);
        let hi = self.b.ins().select(empty, lo, hi);
        (lo, hi)
    }

    /// Row `idx` of a 2-D array (slots `av`): whether the index is in range
    /// (negative ones count from the end) and the row's address (row 0's when not).
    fn row_of(&mut self, av: &[CV], idx: Value) -> CResult<(CV, CV)> {
        self.sub_of(av, idx, 0)
    }

    fn sub_of(&mut self, av: &[CV], idx: Value, axis: usize) -> CResult<(CV, CV)> {
        let s2 = abi::ArraySlots::new(2);
        let it = self.ty(idx);
        let iv = self.use_val(idx)?;
        let i = self.conv_i64(&(it, iv))?;
        let rows = av[s2.shape(axis)];
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
        let wrapped = self.b.ins().iadd(i, rows);
        let i = self.b.ins().select(neg, wrapped, i);
        let lo = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i, 0);
        let hi = self.b.ins().icmp(IntCC::SignedLessThan, i, rows);
        let ok = self.b.ins().band(lo, hi);
        let z = self.b.ins().iconst(clt::I64, 0);
        let i = self.b.ins().select(ok, i, z);
        let off = self.b.ins().imul(i, av[s2.stride(axis)]);
        Ok((ok, self.b.ins().iadd(av[0], off)))
    }

    fn fzero(&mut self, t: clir::Type) -> CV {
        if t == clt::F32 {
            self.b.ins().f32const(0.0)
        } else {
            self.b.ins().f64const(0.0)
        }
    }

    /// 1 (i8) when `x` is an infinity or NaN: `x - x` is NaN exactly then.
    fn non_finite(&mut self, x: CV) -> CV {
        let d = self.b.ins().fsub(x, x);
        self.b.ins().fcmp(FloatCC::Unordered, d, d)
    }

    fn gather_index(&mut self, idx: &Span1, d: Dtype, i: CV) -> CV {
        let fl = MemFlagsData::new().with_notrap();
        let off = self.b.ins().imul(i, idx.stride);
        let addr = self.b.ins().iadd(idx.data, off);
        let w = clir::Type::int(8 * d.itemsize() as u16).unwrap_or(clt::I64);
        let raw = self.b.ins().load(w, fl, addr, 0);
        let k = match (w == clt::I64, d.is_unsigned()) {
            (true, _) => raw,
            (false, true) => self.b.ins().uextend(clt::I64, raw),
            (false, false) => self.b.ins().sextend(clt::I64, raw),
        };
        k
    }

    fn wrap_index(&mut self, k: CV, len: CV, d: Dtype) -> CV {
        if d.is_unsigned() {
            // (a uint64 beyond i64 reads negative: out of range, compared unsigned)
            return k;
        }
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, k, 0);
        let up = self.b.ins().iadd(k, len);
        self.b.ins().select(neg, up, k)
    }

    /// The value of `v` at element `i`.
    fn elem(&mut self, c: &Ectx<'_>, v: Value, i: CV, memo: &mut HashMap<Value, CV>, bad: &mut CV) -> CResult<CV> {
        if let Some(x) = memo.get(&v) {
            return Ok(*x);
        }
        let fl = MemFlagsData::new().with_notrap();
        let gather = match c.sx.ops.get(&v) {
            Some((EOp::Gather, a)) => Some((a[0], a[1])),
            _ => None,
        };
        let x = if let Some((x, ix)) = gather {
            // Checked before the fast path: the wrapped index is in range.
            let (isp, idt) = c.indexes.get(&ix).ok_or_else(|| internal("small: gather index"))?;
            let tab = c.tables.get(&x).ok_or_else(|| internal("small: gather table"))?;
            let k = self.gather_index(isp, *idt, i);
            let k = self.wrap_index(k, tab.len, *idt);
            let off = self.b.ins().imul(k, tab.stride);
            let addr = self.b.ins().iadd(tab.data, off);
            self.b.ins().load(c.t, fl, addr, 0)
        } else if let Some(li) = c.sx.leaves.iter().position(|l| *l == v) {
            let off = self.b.ins().imul(i, c.leaves[li].stride);
            let addr = self.b.ins().iadd(c.leaves[li].data, off);
            self.b.ins().load(c.t, fl, addr, 0)
        } else if let Some(s) = c.scalars.get(&v) {
            *s
        } else {
            let (op, args) = c.sx.ops.get(&v).cloned().ok_or_else(|| internal("small: operand"))?;
            let mut xs = Vec::new();
            for a in &args {
                xs.push(self.elem(c, *a, i, memo, bad)?);
            }
            if c.float && matches!(op, EOp::Maximum | EOp::Minimum) {
                let nan = self.b.ins().fcmp(FloatCC::Unordered, xs[0], xs[1]);
                *bad = self.b.ins().bor(*bad, nan);
            }
            // Operations whose result can hide a non-finite operand computed here
            // (x / inf == 0, maximum(-inf, 0), comparisons, np.where's unused side),
            // where NumPy warned when it computed that operand: checked.
            let hides = matches!(op, EOp::Div | EOp::Maximum | EOp::Minimum | EOp::Cmp(_) | EOp::Where);
            if c.float && hides {
                for (pos, a) in args.iter().enumerate() {
                    let skip = pos == 0 && matches!(op, EOp::Div | EOp::Where);
                    if !skip && c.sx.ops.contains_key(a) {
                        let nf = self.non_finite(xs[pos]);
                        *bad = self.b.ins().bor(*bad, nf);
                    }
                }
            }
            self.apply(op, c.float, &xs)
        };
        memo.insert(v, x);
        Ok(x)
    }

    #[allow(clippy::type_complexity)]
    fn counted(
        &mut self,
        start: CV,
        end: CV,
        step: i64,
        init: &[CV],
        body: &mut dyn FnMut(&mut Self, CV, &[CV]) -> CResult<Vec<CV>>,
    ) -> CResult<Vec<CV>> {
        let head = self.b.create_block();
        let bodyb = self.b.create_block();
        let exit = self.b.create_block();
        let i = self.b.append_block_param(head, clt::I64);
        let mut params = Vec::new();
        let mut outs = Vec::new();
        for v in init {
            let ty = self.b.func.dfg.value_type(*v);
            params.push(self.b.append_block_param(head, ty));
            outs.push(self.b.append_block_param(exit, ty));
        }
        let mut a: Vec<BlockArg> = vec![BlockArg::Value(start)];
        a.extend(init.iter().map(|v| BlockArg::Value(*v)));
        self.b.ins().jump(head, &a);
        self.b.switch_to_block(head);
        let done = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, i, end);
        let pa: Vec<BlockArg> = params.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().brif(done, exit, &pa, bodyb, &[]);
        self.b.switch_to_block(bodyb);
        let next_vals = body(self, i, &params)?;
        let next = self.b.ins().iadd_imm_s(i, step);
        let mut a: Vec<BlockArg> = vec![BlockArg::Value(next)];
        a.extend(next_vals.iter().map(|v| BlockArg::Value(*v)));
        self.b.ins().jump(head, &a);
        self.b.switch_to_block(exit);
        Ok(outs)
    }

    /// Writes `expr` (or `dst op expr`) into `dst` (when `store`), and returns
    /// whether any value was not finite (floats).
    fn fill(&mut self, c: &Ectx<'_>, expr: Value, dst: &Span1, op: Option<EOp>, n: CV, store: bool) -> CResult<CV> {
        let z = self.b.ins().iconst(clt::I64, 0);
        let bad0 = self.b.ins().iconst(clt::I8, 0);
        let fl = MemFlagsData::new().with_notrap();
        let r = self.counted(z, n, 1, &[bad0], &mut |g, i, p| {
            let mut bad = p[0];
            let mut memo = HashMap::new();
            let mut x = g.elem(c, expr, i, &mut memo, &mut bad)?;
            let off = g.b.ins().imul(i, dst.stride);
            let addr = g.b.ins().iadd(dst.data, off);
            if let Some(op) = op {
                let old = g.b.ins().load(c.t, fl, addr, 0);
                x = g.apply(op, c.float, &[old, x]);
            }
            if c.float {
                let nf = g.non_finite(x);
                bad = g.b.ins().bor(bad, nf);
            }
            if store {
                g.b.ins().store(fl, x, addr, 0);
            }
            Ok(vec![bad])
        })?;
        Ok(r[0])
    }

    /// A reduction's value (in the dtype's machine type) and whether an element
    /// was not finite where that matters (max/min) or a computed divisor was.
    fn reduce(&mut self, c: &Ectx<'_>, red: Red, opnds: &[Value], n: CV, slow: CB) -> CResult<(CV, CV)> {
        let z = self.b.ins().iconst(clt::I64, 0);
        let bad0 = self.b.ins().iconst(clt::I8, 0);
        let t = c.t;
        match red {
            Red::Sum | Red::Mean if c.float || red == Red::Mean => {
                let conv = !c.float; // the mean of ints sums float64s
                let (s, bad) = if c.float {
                    // Long sums: the runtime's pairwise sum, of the array itself or of the
                    // expression's values written to one temporary (NumPy makes it too).
                    let long = self.b.create_block();
                    let short = self.b.create_block();
                    let join = self.b.create_block();
                    let res = self.b.append_block_param(join, t);
                    let badp = self.b.append_block_param(join, clt::I8);
                    let c128 = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, n, 128);
                    self.b.ins().brif(c128, long, &[], short, &[]);
                    self.b.switch_to_block(long);
                    let f32f = self.b.ins().iconst(clt::I32, (t == clt::F32) as i64);
                    let (r, bad) = if c.sx.nodes.is_empty() {
                        let (data, stride) = (c.leaves[0].data, c.leaves[0].stride);
                        (self.call("pyston_pairwise_sum", &[data, n, stride, f32f])?[0], bad0)
                    } else {
                        // An expression: no temporary. NumPy sums its temporary as a
                        // tree over runs of at most 128 elements (the leaves, which
                        // the runtime lists), each run as `pairwise` sums it: each
                        // run's sum computed here from the expression's values, in
                        // that order, then added up by the runtime as NumPy adds them.
                        let buf = self.call("pyston_pw_leaves", &[n])?[0];
                        let fl = MemFlagsData::new().with_notrap();
                        let cnt = self.b.ins().load(clt::I64, fl, buf, 0);
                        let one = self.b.ins().iconst(clt::I64, 1);
                        let last = self.b.ins().iadd(cnt, one);
                        let r = self.counted(one, last, 1, &[z, bad0], &mut |g, j, p| {
                            let at = g.b.ins().ishl_imm_u(j, 3);
                            let at = g.b.ins().iadd(buf, at);
                            let len = g.b.ins().load(clt::I64, fl, at, 0);
                            let (s, b) = g.pairwise(c, opnds[0], Some(p[0]), len, conv)?;
                            let s = if t == clt::F32 {
                                g.b.ins().fpromote(clt::F64, s)
                            } else {
                                s
                            };
                            g.b.ins().store(fl, s, at, 0);
                            let off = g.b.ins().iadd(p[0], len);
                            let bad = g.b.ins().bor(p[1], b);
                            Ok(vec![off, bad])
                        })?;
                        (self.call("pyston_pw_combine", &[n, f32f])?[0], r[1])
                    };
                    let r = if t == clt::F32 {
                        self.b.ins().fdemote(clt::F32, r)
                    } else {
                        r
                    };
                    self.b.ins().jump(join, &[BlockArg::Value(r), BlockArg::Value(bad)]);
                    self.b.switch_to_block(short);
                    let (s, b) = self.pairwise(c, opnds[0], None, n, conv)?;
                    self.b.ins().jump(join, &[BlockArg::Value(s), BlockArg::Value(b)]);
                    self.b.switch_to_block(join);
                    (res, badp)
                } else {
                    self.pairwise(c, opnds[0], None, n, conv)?
                };
                let st = if conv { clt::F64 } else { t };
                let zf = self.fzero(st);
                let s = self.b.ins().fadd(zf, s); // NumPy's identity first
                if red == Red::Mean {
                    let nf = self.b.ins().fcvt_from_sint(st, n);
                    Ok((self.b.ins().fdiv(s, nf), bad))
                } else {
                    Ok((s, bad))
                }
            }
            Red::Sum | Red::Mean => {
                // ints: wrapping, in any order (int means are summed as floats above).
                let zi = self.b.ins().iconst(clt::I64, 0);
                let r = self.counted(z, n, 1, &[zi, bad0], &mut |g, i, p| {
                    let mut bad = p[1];
                    let x = g.elem(c, opnds[0], i, &mut HashMap::new(), &mut bad)?;
                    Ok(vec![g.b.ins().iadd(p[0], x), bad])
                })?;
                Ok((r[0], r[1]))
            }
            Red::Prod => {
                let one = if c.float {
                    if t == clt::F32 {
                        self.b.ins().f32const(1.0)
                    } else {
                        self.b.ins().f64const(1.0)
                    }
                } else {
                    self.b.ins().iconst(clt::I64, 1)
                };
                let r = self.counted(z, n, 1, &[one, bad0], &mut |g, i, p| {
                    let mut bad = p[1];
                    let x = g.elem(c, opnds[0], i, &mut HashMap::new(), &mut bad)?;
                    let m = if c.float {
                        g.b.ins().fmul(p[0], x)
                    } else {
                        g.b.ins().imul(p[0], x)
                    };
                    Ok(vec![m, bad])
                })?;
                Ok((r[0], r[1]))
            }
            Red::Count => {
                let zi = self.b.ins().iconst(clt::I64, 0);
                let r = self.counted(z, n, 1, &[zi, bad0], &mut |g, i, p| {
                    let mut bad = p[1];
                    let x = g.elem(c, opnds[0], i, &mut HashMap::new(), &mut bad)?;
                    let x = g.b.ins().uextend(clt::I64, x);
                    Ok(vec![g.b.ins().iadd(p[0], x), bad])
                })?;
                Ok((r[0], r[1]))
            }
            Red::Dot => {
                // float64: BLAS's order, as calibrated (`pyston_dot_seq_limit`): a
                // sequential sum of products, or (a negative limit) a chain of
                // fused multiply-adds, as OpenBLAS's AVX-512 kernels give short dots.
                let emit = |g: &mut Self, fused: bool| -> CResult<Vec<CV>> {
                    let init = if c.float {
                        g.fzero(t)
                    } else {
                        g.b.ins().iconst(clt::I64, 0)
                    };
                    g.counted(z, n, 1, &[init, bad0], &mut |g, i, p| {
                        let mut bad = p[1];
                        let mut memo = HashMap::new();
                        let x = g.elem(c, opnds[0], i, &mut memo, &mut bad)?;
                        let y = g.elem(c, opnds[1], i, &mut memo, &mut bad)?;
                        let s = if fused {
                            g.b.ins().fma(x, y, p[0])
                        } else if c.float {
                            let m = g.b.ins().fmul(x, y);
                            g.b.ins().fadd(p[0], m)
                        } else {
                            let m = g.b.ins().imul(x, y);
                            g.b.ins().iadd(p[0], m)
                        };
                        Ok(vec![s, bad])
                    })
                };
                if !c.float {
                    let r = emit(self, false)?;
                    return Ok((r[0], r[1]));
                }
                let (fb, sb, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                let rt = self.b.func.dfg.value_type(bad0);
                self.b.append_block_param(join, t);
                self.b.append_block_param(join, rt);
                if let Some(inline) = c.dot_inline {
                    // Not inline: both operands are arrays (see the guard); BLAS's `ddot`.
                    let (ib, bb) = (self.b.create_block(), self.b.create_block());
                    self.b.ins().brif(inline, ib, &[], bb, &[]);
                    self.b.switch_to_block(bb);
                    let span = |o: &Value| {
                        c.sx.leaves
                            .iter()
                            .position(|l| l == o)
                            .map(|i| (c.leaves[i].data, c.leaves[i].stride))
                    };
                    let (Some(x), Some(y)) = (span(&opnds[0]), span(&opnds[1])) else {
                        return Err(internal("small: a BLAS dot of an expression"));
                    };
                    let slot = self.stack(8);
                    let st = self.call("pyston_ddot", &[x.0, x.1, y.0, y.1, n, slot])?[0];
                    let done = self.b.create_block();
                    self.b.ins().brif(st, slow, &[], done, &[]);
                    self.b.switch_to_block(done);
                    let r = self.b.ins().load(t, MemFlagsData::trusted(), slot, 0);
                    self.b.ins().jump(join, &[BlockArg::Value(r), BlockArg::Value(bad0)]);
                    self.b.switch_to_block(ib);
                }
                let lim = self.call("pyston_dot_seq_limit", &[])?[0];
                let fused = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, lim, 0);
                self.b.ins().brif(fused, fb, &[], sb, &[]);
                for (blk, f) in [(fb, true), (sb, false)] {
                    self.b.switch_to_block(blk);
                    let r = emit(self, f)?;
                    self.b.ins().jump(join, &[BlockArg::Value(r[0]), BlockArg::Value(r[1])]);
                }
                self.b.switch_to_block(join);
                let p = self.b.block_params(join).to_vec();
                Ok((p[0], p[1]))
            }
            Red::ArgMax | Red::ArgMin => {
                // The first index whose element beats every earlier one (strictly:
                // the first of equal ones, -0.0 and 0.0 included), a NaN beating any
                // number (NumPy's answer is the first NaN), nothing beating a NaN.
                // (a computed element that is not finite: NumPy's operations may have
                // warned; the slow path. A plain array's NaN and infinities are data.)
                let computed = c.float && !c.sx.leaves.contains(&opnds[0]);
                let mut bad = bad0;
                let first = self.elem(c, opnds[0], z, &mut HashMap::new(), &mut bad)?;
                if computed {
                    let nf = self.non_finite(first);
                    bad = self.b.ins().bor(bad, nf);
                }
                let one = self.b.ins().iconst(clt::I64, 1);
                let r = self.counted(one, n, 1, &[first, z, bad], &mut |g, i, p| {
                    let mut bad = p[2];
                    let x = g.elem(c, opnds[0], i, &mut HashMap::new(), &mut bad)?;
                    if computed {
                        let nf = g.non_finite(x);
                        bad = g.b.ins().bor(bad, nf);
                    }
                    let better = if c.float {
                        let cc = if red == Red::ArgMax {
                            FloatCC::GreaterThan
                        } else {
                            FloatCC::LessThan
                        };
                        let b = g.b.ins().fcmp(cc, x, p[0]);
                        let xnan = g.b.ins().fcmp(FloatCC::Unordered, x, x);
                        let bnum = g.b.ins().fcmp(FloatCC::Ordered, p[0], p[0]);
                        let nan = g.b.ins().band(xnan, bnum);
                        g.b.ins().bor(b, nan)
                    } else {
                        let cc = if red == Red::ArgMax {
                            IntCC::SignedGreaterThan
                        } else {
                            IntCC::SignedLessThan
                        };
                        g.b.ins().icmp(cc, x, p[0])
                    };
                    let v = g.b.ins().select(better, x, p[0]);
                    let k = g.b.ins().select(better, i, p[1]);
                    Ok(vec![v, k, bad])
                })?;
                Ok((r[1], r[2]))
            }
            Red::Max | Red::Min => {
                let mut bad = bad0;
                let z0 = self.b.ins().iconst(clt::I64, 0);
                let first = self.elem(c, opnds[0], z0, &mut HashMap::new(), &mut bad)?;
                let bad = if c.float {
                    let nf = self.non_finite(first);
                    self.b.ins().bor(bad, nf)
                } else {
                    bad
                };
                let one = self.b.ins().iconst(clt::I64, 1);
                let r = self.counted(one, n, 1, &[first, bad], &mut |g, i, p| {
                    let mut bad = p[1];
                    let x = g.elem(c, opnds[0], i, &mut HashMap::new(), &mut bad)?;
                    let better = if c.float {
                        let nf = g.non_finite(x);
                        bad = g.b.ins().bor(bad, nf);
                        let cc = if red == Red::Max {
                            FloatCC::GreaterThan
                        } else {
                            FloatCC::LessThan
                        };
                        g.b.ins().fcmp(cc, x, p[0])
                    } else {
                        let cc = if red == Red::Max {
                            IntCC::SignedGreaterThan
                        } else {
                            IntCC::SignedLessThan
                        };
                        g.b.ins().icmp(cc, x, p[0])
                    };
                    Ok(vec![g.b.ins().select(better, x, p[0]), bad])
                })?;
                Ok((r[0], r[1]))
            }
        }
    }

    /// NumPy's pairwise sum of `e` over `n <= 128` elements (`conv`: int64
    /// elements summed as float64), from element `off` on (0 when `None`),
    /// and the divisor check.
    fn pairwise(&mut self, c: &Ectx<'_>, e: Value, off: Option<CV>, n: CV, conv: bool) -> CResult<(CV, CV)> {
        let st = if conv { clt::F64 } else { c.t };
        let bad0 = self.b.ins().iconst(clt::I8, 0);
        let z = self.b.ins().iconst(clt::I64, 0);
        let small = self.b.create_block();
        let big = self.b.create_block();
        let join = self.b.create_block();
        let res = self.b.append_block_param(join, st);
        let badp = self.b.append_block_param(join, clt::I8);
        let lt8 = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 8);
        self.b.ins().brif(lt8, small, &[], big, &[]);
        let load = |g: &mut Self, i: CV, bad: &mut CV| -> CResult<CV> {
            let i = match off {
                Some(o) => g.b.ins().iadd(o, i),
                None => i,
            };
            let x = g.elem(c, e, i, &mut HashMap::new(), bad)?;
            Ok(if conv { g.b.ins().fcvt_from_sint(clt::F64, x) } else { x })
        };
        // Below 8: in order.
        self.b.switch_to_block(small);
        let zf = self.fzero(st);
        let r = self.counted(z, n, 1, &[zf, bad0], &mut |g, i, p| {
            let mut bad = p[1];
            let x = load(g, i, &mut bad)?;
            Ok(vec![g.b.ins().fadd(p[0], x), bad])
        })?;
        self.b.ins().jump(join, &[BlockArg::Value(r[0]), BlockArg::Value(r[1])]);
        // 8 to 128: eight partial sums, combined as a tree, then the rest in order.
        self.b.switch_to_block(big);
        let mut bad = bad0;
        let mut acc = Vec::new();
        for j in 0..8 {
            let ij = self.b.ins().iconst(clt::I64, j);
            acc.push(load(self, ij, &mut bad)?);
        }
        let rem = self.b.ins().band_imm_s(n, 7);
        let end8 = self.b.ins().isub(n, rem);
        let eight = self.b.ins().iconst(clt::I64, 8);
        let mut init = acc.clone();
        init.push(bad);
        let r = self.counted(eight, end8, 8, &init, &mut |g, i, p| {
            let mut bad = p[8];
            let mut out = Vec::new();
            for (j, a) in p[..8].iter().enumerate() {
                let ij = g.b.ins().iadd_imm_s(i, j as i64);
                let x = load(g, ij, &mut bad)?;
                out.push(g.b.ins().fadd(*a, x));
            }
            out.push(bad);
            Ok(out)
        })?;
        let s01 = self.b.ins().fadd(r[0], r[1]);
        let s23 = self.b.ins().fadd(r[2], r[3]);
        let s45 = self.b.ins().fadd(r[4], r[5]);
        let s67 = self.b.ins().fadd(r[6], r[7]);
        let a = self.b.ins().fadd(s01, s23);
        let b2 = self.b.ins().fadd(s45, s67);
        let tree = self.b.ins().fadd(a, b2);
        let r = self.counted(end8, n, 1, &[tree, r[8]], &mut |g, i, p| {
            let mut bad = p[1];
            let x = load(g, i, &mut bad)?;
            Ok(vec![g.b.ins().fadd(p[0], x), bad])
        })?;
        self.b.ins().jump(join, &[BlockArg::Value(r[0]), BlockArg::Value(r[1])]);
        self.b.switch_to_block(join);
        Ok((res, badp))
    }
}

/// One element operation on machine values.
trait Apply {
    fn apply(&mut self, op: EOp, float: bool, xs: &[CV]) -> CV;
}

impl Apply for Gen<'_, '_> {
    fn apply(&mut self, op: EOp, float: bool, xs: &[CV]) -> CV {
        let ins = self.b.ins();
        if float {
            match op {
                EOp::Add => ins.fadd(xs[0], xs[1]),
                EOp::Sub => ins.fsub(xs[0], xs[1]),
                EOp::Mul => ins.fmul(xs[0], xs[1]),
                EOp::Div => ins.fdiv(xs[0], xs[1]),
                EOp::Neg => ins.fneg(xs[0]),
                EOp::Sqrt => ins.sqrt(xs[0]),
                EOp::Abs => ins.fabs(xs[0]),
                EOp::Square => ins.fmul(xs[0], xs[0]),
                EOp::Cmp(cc) => ins.fcmp(float_cc(cc), xs[0], xs[1]),
                EOp::Where => ins.select(xs[0], xs[1], xs[2]),
                EOp::Maximum | EOp::Minimum => {
                    let cc = if op == EOp::Maximum {
                        FloatCC::GreaterThan
                    } else {
                        FloatCC::LessThan
                    };
                    let c = ins.fcmp(cc, xs[0], xs[1]);
                    self.b.ins().select(c, xs[0], xs[1])
                }
                // (read by `elem`, never applied)
                EOp::Gather => xs[0],
            }
        } else {
            // int64: NumPy wraps (no warnings for arrays).
            match op {
                EOp::Add => ins.iadd(xs[0], xs[1]),
                EOp::Sub => ins.isub(xs[0], xs[1]),
                EOp::Mul => ins.imul(xs[0], xs[1]),
                EOp::Neg => ins.ineg(xs[0]),
                EOp::Abs => ins.iabs(xs[0]),
                EOp::Square => ins.imul(xs[0], xs[0]),
                EOp::Maximum => ins.smax(xs[0], xs[1]),
                EOp::Cmp(cc) => {
                    let cc = match cc {
                        CmpOp::Eq => IntCC::Equal,
                        CmpOp::Ne => IntCC::NotEqual,
                        CmpOp::Lt => IntCC::SignedLessThan,
                        CmpOp::Le => IntCC::SignedLessThanOrEqual,
                        CmpOp::Gt => IntCC::SignedGreaterThan,
                        CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
                    };
                    ins.icmp(cc, xs[0], xs[1])
                }
                EOp::Where => ins.select(xs[0], xs[1], xs[2]),
                EOp::Minimum => ins.smin(xs[0], xs[1]),
                // never planned for ints; a gather is read by `elem`
                EOp::Div | EOp::Sqrt | EOp::Gather => xs[0],
            }
        }
    }
}
