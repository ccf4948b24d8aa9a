//! Helpers shared by the integration tests: a type parser for `; params:`
//! lines and a mock [`Env`] for type inference.

#![allow(dead_code)]

use pyston_compiler::dtype::{Dtype, Layout};
use pyston_compiler::error::{CResult, CompileError};
use pyston_compiler::hir::Span;
use pyston_compiler::infer::{Env, GlobalKind, ProbeTarget};
use pyston_compiler::ir::{Block, Const, Value};
use pyston_compiler::types::{ArrTy, Builtin, Module, Ty};

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

/// The outside world of type inference for tests: no globals but the
/// builtins `range`, `len`, `abs`, `min` and `max` (resolved as the runtime
/// resolves them), `math` and `np` absent, no NumPy probing, no other
/// compiled functions; the array methods and attributes the runtime calls
/// through NumPy are a few of the runtime's (`sum`, `mean`, `reshape`;
/// `real`, `imag`), which the mock cannot probe either.
pub struct MockEnv;

impl Env for MockEnv {
    fn probe(
        &mut self,
        _target: &ProbeTarget,
        _args: &[Ty],
        _consts: &[Option<Const>],
        _kw: &[String],
        _at: (Block, usize),
        span: Span,
    ) -> CResult<Ty> {
        Err(CompileError::typing(span, "the mock environment cannot call NumPy"))
    }
    fn global(&mut self, name: &str) -> GlobalKind {
        match name {
            "range" => GlobalKind::Builtin(Builtin::Range),
            "len" => GlobalKind::Builtin(Builtin::Len),
            "abs" => GlobalKind::Builtin(Builtin::Abs),
            "min" => GlobalKind::Builtin(Builtin::Min),
            "max" => GlobalKind::Builtin(Builtin::Max),
            _ => GlobalKind::Other("undefined name".into()),
        }
    }
    fn module_attr(&mut self, _m: Module, _name: &str) -> GlobalKind {
        GlobalKind::Other("missing module attribute".into())
    }
    fn call_func(&mut self, _f: u32, _args: &[Ty], _at: Option<Value>, span: Span) -> CResult<Ty> {
        Err(CompileError::typing(
            span,
            "the mock environment has no compiled functions",
        ))
    }
    fn array_method(&self, name: &str) -> bool {
        matches!(name, "sum" | "mean" | "reshape")
    }
    fn array_attribute(&self, name: &str) -> bool {
        matches!(name, "real" | "imag")
    }
}
pub mod filetest;
