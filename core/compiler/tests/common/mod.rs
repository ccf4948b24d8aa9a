//! Helpers shared by the integration tests: a type parser for `; params:`
//! lines and a mock [`Env`] for type inference.

#![allow(dead_code)]

use pyston_compiler::abi::PyCallSite;
use pyston_compiler::dtype::{Dtype, Layout};
use pyston_compiler::error::{CResult, CompileError};
use pyston_compiler::hir::Span;
use pyston_compiler::infer::{Env, GlobalKind, ProbeTarget};
use pyston_compiler::ir::{Block, Const, Value};
use pyston_compiler::types::{AllocKind, ArrTy, Builtin, Module, Ty};
use std::collections::HashMap;

/// Splits `s` at `sep` where it is outside parentheses.
fn split_top(s: &str, sep: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ if depth == 0 && s[i..].starts_with(sep) => {
                out.push(s[start..i].trim().to_string());
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(s[start..].trim().to_string());
    out
}

/// Parses a type as [`Ty`]'s `Display` writes it (the value types only):
/// `int`, `float`, `np.float32`, `int (boxed)`, `array(float64, 2d, C)`,
/// `array(int64, 1d, A, readonly)`, `tuple(int, float)`, `int | float`.
pub fn parse_ty(s: &str) -> Result<Ty, String> {
    let s = s.trim();
    let parts = split_top(s, " | ");
    if parts.len() > 1 {
        return parts
            .iter()
            .map(|p| parse_ty(p))
            .collect::<Result<_, _>>()
            .map(Ty::Union);
    }
    Ok(match s {
        "int" => Ty::Int,
        "int (boxed)" => Ty::PyInt,
        "float" => Ty::Float,
        "bool" => Ty::Bool,
        "complex" => Ty::Complex,
        "none" => Ty::NoneT,
        "unbound" => Ty::Undef,
        "ellipsis" => Ty::Ellipsis,
        _ => {
            if let Some(d) = s.strip_prefix("np.") {
                return Dtype::from_name(d).map(Ty::Np).ok_or(format!("unknown dtype `{d}`"));
            }
            let inner = |pre: &str| s.strip_prefix(pre).and_then(|r| r.strip_suffix(')'));
            if let Some(r) = inner("tuple(") {
                if r.trim().is_empty() {
                    return Ok(Ty::Tuple(vec![]));
                }
                return split_top(r, ",")
                    .iter()
                    .map(|p| parse_ty(p))
                    .collect::<Result<_, _>>()
                    .map(Ty::Tuple);
            }
            if let Some(r) = inner("array(") {
                let p = split_top(r, ",");
                if !(p.len() == 3 || p.len() == 4 && p[3] == "readonly") {
                    return Err(format!("bad array type `{s}`"));
                }
                let dtype = Dtype::from_name(&p[0]).ok_or(format!("unknown dtype `{}`", p[0]))?;
                let ndim = p[1]
                    .strip_suffix('d')
                    .and_then(|n| n.parse().ok())
                    .ok_or(format!("bad ndim `{}`", p[1]))?;
                let layout = match p[2].as_str() {
                    "C" => Layout::C,
                    "F" => Layout::F,
                    "A" => Layout::A,
                    l => return Err(format!("bad layout `{l}`")),
                };
                return Ok(Ty::Array(ArrTy {
                    dtype,
                    ndim,
                    layout,
                    readonly: p.len() == 4,
                }));
            }
            return Err(format!("unknown type `{s}`"));
        }
    })
}

/// Parses a comma-separated parameter type list (`int, array(float64, 1d, C)`).
pub fn parse_params(s: &str) -> Result<Vec<Ty>, String> {
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    split_top(s, ",").iter().map(|p| parse_ty(p)).collect()
}

/// The NumPy functions the mock environment knows (with `numpy` on), by
/// `GlobalKind::PyFunc` index: element-wise ufuncs and `np.where`.
pub const MOCK_NUMPY_FUNCS: &[&str] = &[
    "sqrt", "abs", "absolute", "fabs", "negative", "square", "exp", "log", "sin", "cos", "where", "dot", "maximum",
    "minimum", "sum", "mean",
];

/// The outside world of type inference for tests: no globals but the
/// builtins `range`, `len`, `abs`, `min` and `max` (resolved as the runtime
/// resolves them), no other compiled functions, and `math` absent; the
/// array methods and attributes the runtime calls through NumPy are a few of
/// the runtime's (`sum`, `mean`, `reshape`; `real`, `imag`).
///
/// NumPy is absent too unless `numpy` is set ([`MockEnv::with_numpy`]); then
/// the global `np` is the NumPy module, its functions are those of
/// [`MOCK_NUMPY_FUNCS`], and a NumPy call (a ufunc, `np.where`, or an
/// operator on arrays) is typed by a fixed rule instead of being run: its
/// operands must be float64 arrays, bool arrays or numbers (with at least
/// one array), and the result is a new C-contiguous array of the largest
/// operand ndim: bool for a comparison, float64 otherwise. Each such call
/// is recorded in `pycalls`, as the runtime records the calls it probes.
#[derive(Default)]
pub struct MockEnv {
    pub numpy: bool,
    /// The probed NumPy calls, by instruction (`desc` is 0).
    pub pycalls: HashMap<(Block, usize), PyCallSite>,
}

impl MockEnv {
    pub fn with_numpy() -> Self {
        MockEnv {
            numpy: true,
            pycalls: HashMap::new(),
        }
    }
}

/// The mock rule for a NumPy call's result (see [`MockEnv`]).
fn mock_numpy_result(target: &ProbeTarget, args: &[Ty], kw: &[String]) -> Result<Ty, String> {
    let cmp = |name: &str| matches!(name, "lt" | "le" | "gt" | "ge" | "eq" | "ne");
    let f64_vec = |t: &Ty| matches!(t, Ty::Array(a) if a.dtype == Dtype::Float64 && a.ndim == 1);
    // Reductions of float64 vectors (array methods, np.dot) give np.float64;
    // a store (`X[i] = v`) gives None.
    // `np.sum(a, axis)` / `a.mean(axis, keepdims=...)` of a float64 array of
    // rank 2 or more: one axis fewer, unless `keepdims` is passed (taken as True).
    let reduced = |a: &Ty| match a {
        Ty::Array(at) if at.dtype == Dtype::Float64 && at.ndim >= 2 => {
            let keep = kw.iter().any(|k| k == "keepdims");
            Ok(Ty::Array(ArrTy {
                ndim: if keep { at.ndim } else { at.ndim - 1 },
                layout: Layout::C,
                ..*at
            }))
        }
        _ => Err("the mock environment reduces along an axis of float64 arrays only".to_string()),
    };
    let axis_args = |rest: &[Ty]| !rest.is_empty() && rest.iter().all(|t| matches!(t, Ty::Int | Ty::Bool));
    match target {
        ProbeTarget::Method(m) if matches!(m.as_str(), "sum" | "mean") && args.len() > 1 && axis_args(&args[1..]) => {
            return reduced(&args[0]);
        }
        ProbeTarget::Func(i)
            if matches!(MOCK_NUMPY_FUNCS.get(*i as usize), Some(&("sum" | "mean")))
                && args.len() > 1
                && axis_args(&args[1..]) =>
        {
            return reduced(&args[0]);
        }
        ProbeTarget::Method(m) if matches!(m.as_str(), "sum" | "mean" | "max" | "min") => {
            return match args {
                [a] if f64_vec(a) => Ok(Ty::Np(Dtype::Float64)),
                _ => Err(format!("the mock environment reduces float64 vectors only ({m})")),
            };
        }
        ProbeTarget::Func(i) if MOCK_NUMPY_FUNCS.get(*i as usize) == Some(&"dot") => {
            return match args {
                [a, b] if f64_vec(a) && f64_vec(b) => Ok(Ty::Np(Dtype::Float64)),
                _ => Err("the mock environment takes np.dot of float64 vectors only".into()),
            };
        }
        ProbeTarget::SetItem => return Ok(Ty::NoneT),
        _ => {}
    }
    let (bool_result, arity) = match target {
        ProbeTarget::Func(i) => match MOCK_NUMPY_FUNCS.get(*i as usize) {
            Some(&"where") => (false, 3),
            Some(&"maximum" | &"minimum") => (false, 2),
            Some(_) => (false, 1),
            None => return Err(format!("no mock NumPy function #{i}")),
        },
        ProbeTarget::Operator(op) if cmp(op) => (true, 2),
        ProbeTarget::Operator("neg" | "pos" | "abs" | "invert") => (false, 1),
        ProbeTarget::Operator(
            "add" | "sub" | "mul" | "truediv" | "pow" | "iadd" | "isub" | "imul" | "itruediv" | "and_" | "or_" | "xor"
            | "lshift" | "rshift",
        ) => (false, 2),
        t => return Err(format!("the mock environment cannot call {t:?}")),
    };
    if !kw.is_empty() || args.len() != arity {
        return Err("the mock environment calls NumPy with positional arguments only".into());
    }
    let mut ndim = None;
    // (the result's dtype: float64, or that of integer arrays, the wider of
    // two; bool for `& | ^ ~` of bool arrays)
    let mut dtype: Option<Dtype> = None;
    let bits = matches!(target, ProbeTarget::Operator("and_" | "or_" | "xor" | "invert"));
    for a in args {
        match a {
            Ty::Array(at) if matches!(at.dtype, Dtype::Float64 | Dtype::Bool) || at.dtype.is_int() => {
                ndim = ndim.max(Some(at.ndim));
                if at.dtype != Dtype::Bool {
                    dtype = Some(match dtype {
                        Some(Dtype::Float64) => Dtype::Float64,
                        Some(d) if d.itemsize() >= at.dtype.itemsize() && at.dtype != Dtype::Float64 => d,
                        _ => at.dtype,
                    });
                }
            }
            Ty::Float | Ty::Int | Ty::Bool | Ty::Np(Dtype::Float64) => {}
            t => return Err(format!("the mock environment cannot call NumPy with a '{t}'")),
        }
    }
    // A one-argument function of a float64 scalar (np.sqrt(x)): np.float64.
    if ndim.is_none() && arity == 1 && matches!(target, ProbeTarget::Func(_)) && !bool_result {
        return Ok(Ty::Np(Dtype::Float64));
    }
    let ndim = ndim.ok_or("the mock environment calls NumPy on arrays only")?;
    // (with a float, or a true division: float64)
    let float = args.iter().any(|a| matches!(a, Ty::Float | Ty::Np(Dtype::Float64)))
        || matches!(target, ProbeTarget::Operator("truediv" | "itruediv"));
    if float && !bool_result {
        dtype = Some(Dtype::Float64);
    }
    Ok(Ty::Array(ArrTy {
        dtype: match (bool_result, dtype) {
            (true, _) => Dtype::Bool,
            (false, Some(d)) => d,
            (false, None) if bits => Dtype::Bool,
            (false, None) => Dtype::Float64,
        },
        ndim,
        layout: Layout::C,
        readonly: false,
    }))
}

impl Env for MockEnv {
    fn probe(
        &mut self,
        target: &ProbeTarget,
        args: &[Ty],
        _consts: &[Option<Const>],
        kw: &[String],
        at: (Block, usize),
        span: Span,
    ) -> CResult<Ty> {
        if !self.numpy {
            return Err(CompileError::typing(span, "the mock environment cannot call NumPy"));
        }
        let ret = mock_numpy_result(target, args, kw).map_err(|e| CompileError::typing(span, e))?;
        self.pycalls.insert(
            at,
            PyCallSite {
                desc: 0,
                arg_tys: args.to_vec(),
                ret: ret.clone(),
                inline_rng: None,
                rng_size_slot: None,
            },
        );
        Ok(ret)
    }
    fn global(&mut self, name: &str) -> GlobalKind {
        match name {
            "range" => GlobalKind::Builtin(Builtin::Range),
            "len" => GlobalKind::Builtin(Builtin::Len),
            "int" => GlobalKind::Builtin(Builtin::Int),
            "abs" => GlobalKind::Builtin(Builtin::Abs),
            "min" => GlobalKind::Builtin(Builtin::Min),
            "max" => GlobalKind::Builtin(Builtin::Max),
            "np" if self.numpy => GlobalKind::Module(Module::Numpy),
            _ => GlobalKind::Other("undefined name".into()),
        }
    }
    fn import(&mut self, name: &str) -> GlobalKind {
        match name {
            "numpy" if self.numpy => GlobalKind::Module(Module::Numpy),
            _ => GlobalKind::Other("not imported".into()),
        }
    }
    fn module_attr(&mut self, m: Module, name: &str) -> GlobalKind {
        // NumPy's int scalar types (`np.uint32`), as dtype objects.
        if let Some(d) = Dtype::from_name(name).filter(|d| self.numpy && m == Module::Numpy && d.is_int()) {
            return GlobalKind::DtypeObj(d);
        }
        // Native allocation, as the runtime resolves it (`np.zeros(256, np.int64)`).
        if self.numpy && m == Module::Numpy {
            match name {
                "zeros" => return GlobalKind::Builtin(Builtin::NpAlloc(AllocKind::Zeros)),
                "empty" => return GlobalKind::Builtin(Builtin::NpAlloc(AllocKind::Empty)),
                "zeros_like" => return GlobalKind::Builtin(Builtin::NpAllocLike(AllocKind::Zeros)),
                _ => {}
            }
        }
        match MOCK_NUMPY_FUNCS.iter().position(|f| *f == name) {
            Some(i) if self.numpy && m == Module::Numpy => GlobalKind::PyFunc(i as u32),
            _ => GlobalKind::Other("missing module attribute".into()),
        }
    }
    fn call_func(&mut self, _f: u32, _args: &[Ty], _at: Option<Value>, span: Span) -> CResult<Ty> {
        Err(CompileError::typing(
            span,
            "the mock environment has no compiled functions",
        ))
    }
    fn array_method(&self, name: &str) -> bool {
        matches!(name, "sum" | "mean" | "max" | "min" | "reshape")
    }
    fn array_attribute(&self, name: &str) -> bool {
        matches!(name, "real" | "imag")
    }
}
pub mod filetest;
