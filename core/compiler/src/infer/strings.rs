//! Typing of Python strings in compiled code.
//!
//! A run-time string is a real CPython `str` object held in one slot, typed
//! [`Ty::PyStr`]; a string literal is [`Ty::Str`] (known at compile time, no
//! slot), made into the constant object (created once per compiled function
//! and kept alive by it) where it meets a run-time string or is used as one.
//!
//! Native (`codegen/strings.rs`, `helpers/strings.rs`): `len`, `s[i]`
//! (CPython's `IndexError`), `for ch in s`, the six comparisons of two
//! strings, truth, `is`. Everything else is CPython's own operation called
//! from compiled code (recorded with [`Env::py_op`]): slicing, `in`, `+`, `*`,
//! `%`, the methods, `str()`/`repr()`/`format()`/`ord()`/`chr()`, `int(s)`,
//! `float(s)` and f-strings (lowered as `"template".format(...)`), so values,
//! exceptions and messages are CPython's exactly.

use super::*;

/// Whether `t` is a string (a literal or a run-time one).
pub fn is_str(t: &Ty) -> bool {
    matches!(t, Ty::Str(_) | Ty::PyStr)
}

/// The result type of the `str` method `name`, or `None` when compiled code
/// does not call it (it then runs as plain Python).
fn method_result(name: &str) -> Option<Ty> {
    Some(match name {
        "upper" | "lower" | "strip" | "lstrip" | "rstrip" | "replace" | "join" | "format" | "capitalize" | "title"
        | "swapcase" | "casefold" | "center" | "ljust" | "rjust" | "zfill" | "expandtabs" | "removeprefix"
        | "removesuffix" => Ty::PyStr,
        "startswith" | "endswith" | "isdigit" | "isalpha" | "isalnum" | "isspace" | "isupper" | "islower"
        | "isdecimal" | "isnumeric" | "isidentifier" | "istitle" | "isprintable" | "isascii" => Ty::Bool,
        "find" | "rfind" | "index" | "rindex" | "count" => Ty::Int,
        "partition" | "rpartition" => Ty::Tuple(vec![Ty::PyStr, Ty::PyStr, Ty::PyStr]),
        // "split" | "rsplit" | "splitlines": lists of strings (see `str_op`).
        _ => return None,
    })
}

/// Types a value may have as an argument of a call into CPython here.
fn boxable(t: &Ty) -> bool {
    t.is_value() || matches!(t, Ty::Str(_))
}

impl Infer<'_> {
    fn py_str_op(&mut self, target: ProbeTarget, args: &[Ty], kw: &[String], ret: &Ty, span: Span) -> CResult<()> {
        if let Some(t) = args.iter().find(|t| !boxable(t)) {
            return Err(CompileError::typing(
                span,
                format!("a '{}' argument here is not supported in compiled code yet", py_name(t)),
            ));
        }
        // String literals are passed as their constant objects (no new str per call).
        fn lit(t: &Ty) -> Ty {
            match t {
                Ty::Str(_) => Ty::PyStr,
                Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(lit).collect()),
                t => t.clone(),
            }
        }
        let args: Vec<Ty> = args.iter().map(lit).collect();
        self.env.py_op(&target, &args, kw, ret, self.cur, span)
    }

    /// Types `op` if it is an operation on a string (see the module doc):
    /// `Some(result)` (`Some(None)` without a result), `None` when it is not one.
    pub(super) fn str_op(
        &mut self,
        op: &Op,
        _argv: &[Value],
        args: &[Ty],
        r: Option<Value>,
        span: Span,
    ) -> CResult<Option<Option<Ty>>> {
        let runtime = args.contains(&Ty::PyStr);
        let first = args.first().is_some_and(is_str);
        let str_builtin = matches!(
            args.first(),
            Some(Ty::Builtin(
                Builtin::Str
                    | Builtin::Repr
                    | Builtin::Format
                    | Builtin::Ord
                    | Builtin::Chr
                    | Builtin::Hex
                    | Builtin::Oct
                    | Builtin::Bin
                    | Builtin::Print
            ))
        );
        // Operations on literals alone stay what they were (dtype names, NumPy
        // arguments) unless they are string operations.
        let literal_op = match op {
            Op::MethodCall { name, .. } => first && (method_result(name).is_some() || is_split(name)),
            Op::Bin { op: b, .. } => {
                first && matches!(b, BinOp::Add | BinOp::Mul | BinOp::Mod)
                    || matches!(b, BinOp::Mul) && args.get(1).is_some_and(is_str)
            }
            Op::GetItem | Op::Len | Op::Truth | Op::Unary(UnaryOp::Not) => first,
            Op::Contains => first,
            Op::Cmp(_) => args.iter().all(is_str),
            Op::Call { .. } => {
                matches!(
                    args.first(),
                    Some(Ty::Builtin(Builtin::Len | Builtin::Int | Builtin::Float))
                ) && args.get(1).is_some_and(is_str)
            }
            _ => false,
        };
        if !(runtime || str_builtin || literal_op) {
            return Ok(None);
        }
        if self.gil_free {
            return Err(CompileError::typing(
                span,
                "strings are not supported in compiled code under nogil=True or parallel=True yet",
            ));
        }
        let int_like = |t: &Ty| matches!(t, Ty::Int | Ty::Bool);
        let t = match op {
            Op::Len if first => Some(Ty::Int),
            Op::Truth | Op::Unary(UnaryOp::Not) if first => Some(Ty::Bool),
            Op::GetItem if first && args.len() == 2 => {
                if !int_like(&args[1]) && !native_slice(&args[1]) {
                    if !matches!(args[1], Ty::Slice(_) | Ty::Np(_) | Ty::PyInt) {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "indexing a string with a '{}' is not supported in compiled code yet",
                                args[1]
                            ),
                        ));
                    }
                    self.py_str_op(ProbeTarget::GetItem, args, &[], &Ty::PyStr, span)?;
                }
                Some(Ty::PyStr)
            }
            Op::SetItem if first => {
                return Err(CompileError::typing(
                    span,
                    "'str' object does not support item assignment",
                ))
            }
            Op::Contains if all_str(args) => Some(Ty::Bool),
            Op::Contains if first => {
                self.py_str_op(ProbeTarget::Operator("contains"), args, &[], &Ty::Bool, span)?;
                Some(Ty::Bool)
            }
            Op::Is if args.iter().all(is_str) => {
                if args.iter().any(|t| matches!(t, Ty::Str(_))) {
                    return Err(CompileError::typing(
                        span,
                        "'is' with a string literal is not supported in compiled code (CPython's result depends on interning)",
                    ));
                }
                Some(Ty::Bool)
            }
            Op::Cmp(c) if args.len() == 2 => {
                if !args.iter().all(is_str) {
                    use crate::hir::CmpOp::*;
                    let name = match c {
                        Eq => "eq",
                        Ne => "ne",
                        Lt => "lt",
                        Le => "le",
                        Gt => "gt",
                        Ge => "ge",
                    };
                    self.py_str_op(ProbeTarget::Operator(name), args, &[], &Ty::Bool, span)?;
                }
                Some(Ty::Bool)
            }
            Op::Bin { op: b, inplace } if args.len() == 2 => {
                if matches!(b, BinOp::Add) && all_str(args) {
                    return Ok(Some(Some(Ty::PyStr)));
                }
                let name = match (b, inplace) {
                    (BinOp::Add, false) if args.iter().all(is_str) => "add",
                    (BinOp::Add, true) if args.iter().all(is_str) => "iadd",
                    (BinOp::Mul, false) if first && int_like(&args[1]) || int_like(&args[0]) && is_str(&args[1]) => {
                        "mul"
                    }
                    (BinOp::Mul, true) if first && int_like(&args[1]) => "imul",
                    (BinOp::Mod, false) if first => "mod",
                    (BinOp::Mod, true) if first => "imod",
                    _ => {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "'{}' with operands '{}' and '{}' is not supported in compiled code yet",
                                b.symbol(),
                                py_name(&args[0]),
                                py_name(&args[1])
                            ),
                        ))
                    }
                };
                self.py_str_op(ProbeTarget::Operator(name), args, &[], &Ty::PyStr, span)?;
                Some(Ty::PyStr)
            }
            Op::MethodCall { name, kw } if first && kw.is_empty() && plain_format(name, args) => Some(Ty::PyStr),
            Op::MethodCall { name, kw } if kw.is_empty() && search_op(name, args).is_some() => {
                Some(if search_op(name, args).unwrap() < 2 {
                    Ty::Bool
                } else {
                    Ty::Int
                })
            }
            Op::MethodCall { name, kw } if first => {
                let ret = if is_split(name) {
                    self.site(r, Ty::PyStr, span)?
                } else {
                    method_result(name).ok_or_else(|| {
                        CompileError::typing(
                            span,
                            format!("the str method '{name}' is not supported in compiled code yet"),
                        )
                    })?
                };
                self.py_str_op(ProbeTarget::Method(name.clone()), args, kw, &ret, span)?;
                Some(ret)
            }
            Op::Call { kw } => {
                let Some(Ty::Builtin(b)) = args.first() else {
                    return Ok(None);
                };
                let b = *b;
                let pos = &args[1..args.len() - kw.len()];
                let (name, ret) = match (b, pos) {
                    (Builtin::Len, [t]) if is_str(t) && kw.is_empty() => return Ok(Some(Some(Ty::Int))),
                    (Builtin::Bool, [t]) if is_str(t) && kw.is_empty() => return Ok(Some(Some(Ty::Bool))),
                    (Builtin::Str, [Ty::Int | Ty::Float | Ty::Bool | Ty::PyStr]) if kw.is_empty() => {
                        return Ok(Some(Some(Ty::PyStr)))
                    }
                    (Builtin::Int, [Ty::PyStr]) if kw.is_empty() => return Ok(Some(Some(Ty::Int))),
                    (Builtin::Str, []) if kw.is_empty() => ("str", Ty::PyStr),
                    (Builtin::Str, [_]) if kw.is_empty() => ("str", Ty::PyStr),
                    (Builtin::Repr, [_]) if kw.is_empty() => ("repr", Ty::PyStr),
                    (Builtin::Format, [_] | [_, _]) if kw.is_empty() => ("format", Ty::PyStr),
                    (Builtin::Ord, [_]) if kw.is_empty() => ("ord", Ty::Int),
                    (Builtin::Chr, [_]) if kw.is_empty() => ("chr", Ty::PyStr),
                    (Builtin::Hex, [_]) if kw.is_empty() => ("hex", Ty::PyStr),
                    (Builtin::Oct, [_]) if kw.is_empty() => ("oct", Ty::PyStr),
                    (Builtin::Bin, [_]) if kw.is_empty() => ("bin", Ty::PyStr),
                    // (its items as objects, `sep=`/`end=`/`flush=` too; it writes when it runs)
                    (Builtin::Print, _) => ("print", Ty::NoneT),
                    (Builtin::Int, [t] | [t, _]) if is_str(t) => ("int", Ty::Int),
                    (Builtin::Float, [t]) if is_str(t) && kw.is_empty() => ("float", Ty::Float),
                    _ if str_builtin => {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "this call of {}() is not supported in compiled code yet",
                                builtin_name(b).unwrap_or("the builtin")
                            ),
                        ))
                    }
                    _ => return Ok(None),
                };
                self.py_str_op(ProbeTarget::Builtin(name), &args[1..], kw, &ret, span)?;
                Some(ret)
            }
            _ => return Ok(None),
        };
        Ok(Some(t))
    }
}

/// `"{}".format(x)` (an f-string's `{x}`) of an int, float, bool or str: `str(x)`,
/// made natively (`format(x, "")` is `str(x)` for exactly these types).
pub fn plain_format(name: &str, args: &[Ty]) -> bool {
    name == "format"
        && matches!(&args[0], Ty::Str(t) if t == "{}" || t == "{!s}")
        && matches!(args[1..], [Ty::Int | Ty::Float | Ty::Bool | Ty::PyStr])
}

/// `s[a:b]` compiled code slices itself: int or omitted bounds, no step.
pub fn native_slice(t: &Ty) -> bool {
    matches!(t, Ty::Slice(p) if p[2] == Ty::NoneT && p[..2].iter().all(|b| matches!(b, Ty::Int | Ty::Bool | Ty::NoneT)))
}

/// `s.startswith(t)` (0), `endswith` (1), `find` (2), `rfind` (3), `count` (4)
/// of two strings, without bounds: native (`helpers/strings.rs`).
pub fn search_op(name: &str, args: &[Ty]) -> Option<i32> {
    if !all_str(args) {
        return None;
    }
    Some(match name {
        "startswith" => 0,
        "endswith" => 1,
        "find" => 2,
        "rfind" => 3,
        "count" => 4,
        _ => return None,
    })
}

fn all_str(args: &[Ty]) -> bool {
    args.len() == 2 && args.iter().all(is_str)
}

/// The `str` methods that return a list of strings.
fn is_split(name: &str) -> bool {
    matches!(name, "split" | "rsplit" | "splitlines")
}
