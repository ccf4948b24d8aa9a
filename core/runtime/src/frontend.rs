//! Front end: Python `ast` objects (from `ast.parse`) -> HIR.
//!
//! The Python layer parses the function's source with CPython's own parser;
//! this module walks the resulting objects. Line numbers are shifted by
//! `line_offset` so spans refer to lines of the user's file.
//!
//! Calls of names that are, when the function is compiled, the builtin
//! `range` under another name (`prange`, `numba.prange`, `pyston.prange`)
//! are read as calls of `range` (see [`RangeAliases`]).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyModule, PyType};
use pyston_compiler::error::{CResult, CompileError};
use pyston_compiler::hir::*;
use std::collections::{HashMap, HashSet};

pub struct Frontend {
    line_offset: u32,
    col_offset: u32,
    /// Set by [`Frontend::function`] for the function being read.
    aliases: Option<RangeAliases>,
}

/// `for i in prange(n)` compiles like `for i in range(n)` when the callee (a
/// global, a closure variable, or an attribute of a module reached through
/// them, such as `numba.prange`) *is*, at compile time, the builtin `range`
/// (as `pyston.prange` is) or Numba's own `prange` class (which behaves as
/// `range` outside Numba), looked up in the function object's globals and
/// closure; nothing is aliased when the module rebinds `range` itself.
struct RangeAliases {
    globals: Py<PyDict>,
    builtins: Py<PyModule>,
    range: Py<PyAny>,
    /// Closure variables and their values (empty cells left out).
    cells: HashMap<String, Py<PyAny>>,
    /// Parameters and every name the function assigns: never aliases.
    locals: HashSet<String>,
}

impl RangeAliases {
    fn of(node: &Bound<'_, PyAny>, func: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        let py = node.py();
        let Some(globals) = func
            .getattr("__globals__")
            .ok()
            .and_then(|g| g.cast_into::<PyDict>().ok())
        else {
            return Ok(None);
        };
        let builtins = py.import("builtins")?;
        let range = builtins.getattr("range")?;
        if let Some(r) = globals.get_item("range")? {
            if !r.is(&range) {
                return Ok(None);
            }
        }
        let walk = py.import("ast")?.getattr("walk")?;
        let mut locals = HashSet::new();
        for a in walk.call1((node.getattr("args")?,))?.try_iter()? {
            let a = a?;
            if tyname(&a) == "arg" {
                locals.insert(a.getattr("arg")?.extract::<String>()?);
            }
        }
        for n in walk.call1((node,))?.try_iter()? {
            let n = n?;
            if tyname(&n) == "Name" && tyname(&n.getattr("ctx")?) != "Load" {
                locals.insert(n.getattr("id")?.extract::<String>()?);
            }
        }
        let mut cells = HashMap::new();
        if let (Ok(code), Ok(closure)) = (func.getattr("__code__"), func.getattr("__closure__")) {
            if closure.is_truthy()? {
                let names = code.getattr("co_freevars")?;
                for (name, cell) in names.try_iter()?.zip(closure.try_iter()?) {
                    // An empty cell (a variable not assigned yet) raises ValueError.
                    if let Ok(v) = cell?.getattr("cell_contents") {
                        cells.insert(name?.extract::<String>()?, v.unbind());
                    }
                }
            }
        }
        Ok(Some(RangeAliases {
            globals: globals.unbind(),
            builtins: builtins.unbind(),
            range: range.unbind(),
            cells,
            locals,
        }))
    }

    /// What `e` (a name or an attribute chain on modules) is bound to now, as
    /// CPython would look it up: closure cell, module globals, builtins.
    fn resolve<'py>(&self, e: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
        let py = e.py();
        match tyname(e).as_str() {
            "Name" => {
                let id: String = e.getattr("id").ok()?.extract().ok()?;
                if self.locals.contains(&id) {
                    None
                } else if let Some(v) = self.cells.get(&id) {
                    Some(v.bind(py).clone())
                } else if let Some(v) = self.globals.bind(py).get_item(&id).ok().flatten() {
                    Some(v)
                } else {
                    self.builtins.bind(py).getattr(id.as_str()).ok()
                }
            }
            "Attribute" => {
                let base = self.resolve(&e.getattr("value").ok()?)?;
                if !base.is_instance_of::<PyModule>() {
                    return None;
                }
                let attr: String = e.getattr("attr").ok()?.extract().ok()?;
                // Any error (e.g. `pyston.numba`'s NotImplementedError for a
                // missing feature) means "not an alias".
                base.getattr(attr.as_str()).ok()
            }
            _ => None,
        }
    }

    /// Whether the callee `e` is now `sys.exc_info` or `sys.exception`.
    fn is_exc_info(&self, e: &Bound<'_, PyAny>) -> bool {
        let py = e.py();
        let (Some(f), Ok(sys)) = (self.resolve(e), py.import("sys")) else {
            return false;
        };
        ["exc_info", "exception"]
            .iter()
            .any(|n| sys.getattr(*n).is_ok_and(|g| g.is(&f)))
    }

    /// `typed.List.empty_list(item_type)` / `typed.Dict.empty(key_type,
    /// value_type)` (pyston's typed containers, the types given as type
    /// objects bound at compile time or as their names): the class's AST node
    /// and the keyword arguments that make the same container when the class
    /// is called (`List(_pyston_item_type="float64")`), which compiled code
    /// types from the names.
    #[allow(clippy::type_complexity)]
    fn typed_empty<'py>(
        &self,
        callee: &Bound<'py, PyAny>,
        args: &[Bound<'py, PyAny>],
        keywords: &[Bound<'py, PyAny>],
    ) -> Option<(Bound<'py, PyAny>, Vec<(String, String)>)> {
        let py = callee.py();
        if tyname(callee) != "Attribute" {
            return None;
        }
        let method: String = callee.getattr("attr").ok()?.extract().ok()?;
        if method != "empty_list" && method != "empty" {
            return None;
        }
        let class_node = callee.getattr("value").ok()?;
        let class = self.resolve(&class_node)?;
        if !class.is_instance_of::<PyType>() {
            return None;
        }
        // (never imported: no typed container can be in use)
        let typed = py
            .import("sys")
            .ok()?
            .getattr("modules")
            .ok()?
            .get_item("pyston._typed")
            .ok()?;
        let params: &[(&str, &str)] = if class.is(&typed.getattr("List").ok()?) && method == "empty_list" {
            &[("item_type", "_pyston_item_type")]
        } else if class.is(&typed.getattr("Dict").ok()?) && method == "empty" {
            &[("key_type", "_pyston_key_type"), ("value_type", "_pyston_value_type")]
        } else {
            return None;
        };
        let type_name = |node: &Bound<'py, PyAny>| -> Option<String> {
            if tyname(node) == "Constant" {
                return node.getattr("value").ok()?.extract().ok();
            }
            // A type object of `pyston.types` (`types.float64`, `types.unicode_type`).
            let t = self.resolve(node)?;
            let module: String = t.get_type().getattr("__module__").ok()?.extract().ok()?;
            if module != "pyston.types" {
                return None;
            }
            t.getattr("name").ok()?.extract().ok()
        };
        let mut out = Vec::new();
        for (i, (param, kw)) in params.iter().enumerate() {
            let node = match args.get(i) {
                Some(a) => a.clone(),
                None => keywords
                    .iter()
                    .find(|k| {
                        k.getattr("arg")
                            .ok()
                            .and_then(|a| a.extract::<String>().ok())
                            .as_deref()
                            == Some(*param)
                    })?
                    .getattr("value")
                    .ok()?,
            };
            out.push((kw.to_string(), type_name(&node)?));
        }
        Some((class_node, out))
    }

    /// Whether `callee` is, at compile time, `literal_unroll` (pyston's or Numba's).
    fn is_literal_unroll(&self, callee: &Bound<'_, PyAny>) -> bool {
        let Some(obj) = self.resolve(callee) else {
            return false;
        };
        let name = |a: &str| obj.getattr(a).and_then(|n| n.extract::<String>()).ok();
        name("__name__").as_deref() == Some("literal_unroll")
            && name("__module__").is_some_and(|m| m == "pyston._typed" || m.split('.').next() == Some("numba"))
    }

    /// Whether calling `callee` (not spelled `range`) calls the builtin `range`.
    fn aliases_range(&self, callee: &Bound<'_, PyAny>) -> bool {
        if tyname(callee) == "Name"
            && callee
                .getattr("id")
                .and_then(|i| i.extract::<String>())
                .is_ok_and(|i| i == "range")
        {
            return false;
        }
        let Some(obj) = self.resolve(callee) else {
            return false;
        };
        if obj.is(self.range.bind(callee.py())) {
            return true;
        }
        // Numba's `prange` class (imported from `numba` or a submodule).
        obj.is_instance_of::<PyType>()
            && obj
                .getattr("__name__")
                .and_then(|n| n.extract::<String>())
                .is_ok_and(|n| n == "prange")
            && obj
                .getattr("__module__")
                .and_then(|m| m.extract::<String>())
                .is_ok_and(|m| m.split('.').next() == Some("numba"))
    }
}

fn pyerr(e: PyErr) -> CompileError {
    CompileError::internal(format!("reading the Python AST failed: {e}"))
}

fn tyname(node: &Bound<'_, PyAny>) -> String {
    node.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

impl Frontend {
    /// `line_offset` is added to every line; `col_offset` to every column
    /// (the source was dedented by that many characters).
    pub fn new(line_offset: u32, col_offset: u32) -> Self {
        Frontend {
            line_offset,
            col_offset,
            aliases: None,
        }
    }

    fn span(&self, node: &Bound<'_, PyAny>) -> Span {
        let get = |name: &str| -> u32 {
            node.getattr(name)
                .ok()
                .and_then(|v| v.extract::<Option<u32>>().ok().flatten())
                .unwrap_or(0)
        };
        let line = get("lineno");
        let end_line = get("end_lineno");
        Span {
            line: line + self.line_offset,
            col: get("col_offset") + self.col_offset,
            end_line: end_line.max(line) + self.line_offset,
            end_col: get("end_col_offset") + self.col_offset,
            inl: 0,
        }
    }

    /// Reads the `FunctionDef` `node` of the function object `func` (whose
    /// globals and closure resolve `prange` aliases).
    pub fn function(&self, node: &Bound<'_, PyAny>, func: &Bound<'_, PyAny>) -> CResult<FunctionDef> {
        let fe = Frontend {
            line_offset: self.line_offset,
            col_offset: self.col_offset,
            aliases: RangeAliases::of(node, func).map_err(pyerr)?,
        };
        fe.function_def(node)
    }

    fn function_def(&self, node: &Bound<'_, PyAny>) -> CResult<FunctionDef> {
        let span = self.span(node);
        let kind = tyname(node);
        if kind == "AsyncFunctionDef" {
            return Err(CompileError::unsupported(span, "async functions are not supported"));
        }
        if kind != "FunctionDef" {
            return Err(CompileError::internal(format!("expected a FunctionDef, got {kind}")));
        }
        let name: String = node.getattr("name").and_then(|n| n.extract()).map_err(pyerr)?;
        let args = node.getattr("args").map_err(pyerr)?;
        let mut params = Vec::new();
        for field in ["posonlyargs", "args"] {
            for a in self.list(&args, field)? {
                params.push(a.getattr("arg").and_then(|n| n.extract()).map_err(pyerr)?);
            }
        }
        let kwarg = args.getattr("kwarg").map_err(pyerr)?;
        if !kwarg.is_none() {
            return Err(CompileError::unsupported(
                self.span(&kwarg),
                "**kwargs parameters are not supported yet",
            ));
        }
        let mut shape = CallShape::default();
        let vararg = args.getattr("vararg").map_err(pyerr)?;
        if !vararg.is_none() {
            params.push(vararg.getattr("arg").and_then(|n| n.extract()).map_err(pyerr)?);
            shape.vararg = true;
        }
        for a in self.list(&args, "kwonlyargs")? {
            params.push(a.getattr("arg").and_then(|n| n.extract()).map_err(pyerr)?);
            shape.kwonly += 1;
        }
        // Default values are taken from the function object (`__defaults__`) when
        // a call omits them, as CPython does.
        let body = self.block(node, "body")?;
        let mut annotated = !node.getattr("returns").map_err(pyerr)?.is_none();
        for field in ["posonlyargs", "args", "kwonlyargs"] {
            for a in self.list(&args, field)? {
                annotated |= !a.getattr("annotation").map_err(pyerr)?.is_none();
            }
        }
        for a in [&vararg, &kwarg] {
            if !a.is_none() {
                annotated |= !a.getattr("annotation").map_err(pyerr)?.is_none();
            }
        }
        Ok(FunctionDef {
            name,
            params,
            body,
            span,
            shape,
            annotated,
        })
    }

    fn list<'py>(&self, node: &Bound<'py, PyAny>, field: &str) -> CResult<Vec<Bound<'py, PyAny>>> {
        let v = node.getattr(field).map_err(pyerr)?;
        let list = v.cast::<PyList>().map_err(|e| CompileError::internal(e.to_string()))?;
        Ok(list.iter().collect())
    }

    fn block(&self, node: &Bound<'_, PyAny>, field: &str) -> CResult<Vec<Stmt>> {
        let mut out = Vec::new();
        for s in self.list(node, field)? {
            match tyname(&s).as_str() {
                "Import" | "ImportFrom" => out.extend(self.imports(&s)?),
                _ => out.push(self.stmt(&s)?),
            }
        }
        Ok(out)
    }

    /// `import a.b as c`, `import a.b`, `from a.b import x as y`: one assignment
    /// per name, of the module as the import finds it (`ExprKind::Import`, guarded
    /// on `sys.modules`) or of its attribute. `import a.b` binds `a` after
    /// importing `a.b`; relative imports and `*` are not compiled.
    fn imports(&self, node: &Bound<'_, PyAny>) -> CResult<Vec<Stmt>> {
        let span = self.span(node);
        let str_of = |n: &Bound<'_, PyAny>, f: &str| -> CResult<Option<String>> {
            let v = n.getattr(f).map_err(pyerr)?;
            if v.is_none() {
                Ok(None)
            } else {
                v.extract().map(Some).map_err(pyerr)
            }
        };
        let expr = |kind| Expr { kind, span };
        let assign = |name: &str, value: Expr| Stmt {
            kind: StmtKind::Assign(vec![Target::Name(name.to_string(), span)], value),
            span,
        };
        let mut out = Vec::new();
        if tyname(node) == "Import" {
            for alias in self.list(node, "names")? {
                let name = str_of(&alias, "name")?.unwrap_or_default();
                match str_of(&alias, "asname")? {
                    Some(asname) => out.push(assign(&asname, expr(ExprKind::Import(name)))),
                    None => {
                        let top = name.split('.').next().unwrap_or_default().to_string();
                        if top != name {
                            // the submodule is imported (and guarded) first
                            out.push(Stmt {
                                kind: StmtKind::Expr(expr(ExprKind::Import(name))),
                                span,
                            });
                        }
                        out.push(assign(&top, expr(ExprKind::Import(top.clone()))));
                    }
                }
            }
            return Ok(out);
        }
        let level: i64 = node.getattr("level").and_then(|l| l.extract()).unwrap_or(0);
        let module = str_of(node, "module")?;
        let Some(module) = module.filter(|_| level == 0) else {
            return Err(CompileError::unsupported(
                span,
                "relative imports inside a compiled function are not supported yet",
            ));
        };
        for alias in self.list(node, "names")? {
            let name = str_of(&alias, "name")?.unwrap_or_default();
            if name == "*" {
                return Err(CompileError::unsupported(
                    span,
                    "`from ... import *` inside a function is not valid Python 3",
                ));
            }
            let target = str_of(&alias, "asname")?.unwrap_or_else(|| name.clone());
            let m = Box::new(expr(ExprKind::Import(module.clone())));
            out.push(assign(&target, expr(ExprKind::Attr(m, name))));
        }
        Ok(out)
    }

    /// The value of a `yield` expression (None for a bare `yield`).
    fn yield_value(&self, node: &Bound<'_, PyAny>) -> CResult<Option<Expr>> {
        let v = node.getattr("value").map_err(pyerr)?;
        Ok(if v.is_none() { None } else { Some(self.expr(&v)?) })
    }

    fn stmt(&self, node: &Bound<'_, PyAny>) -> CResult<Stmt> {
        let span = self.span(node);
        let get = |f: &str| node.getattr(f).map_err(pyerr);
        let kind = match tyname(node).as_str() {
            "Assign" if tyname(&get("value")?) == "Yield" => {
                let targets = self.list(node, "targets")?;
                let target = match targets.as_slice() {
                    [t] if tyname(t) == "Name" => self.target(t)?,
                    _ => {
                        return Err(CompileError::unsupported(
                            span,
                            "`yield` is supported as a statement or as `name = yield value`",
                        ))
                    }
                };
                StmtKind::Yield(Some(target), self.yield_value(&get("value")?)?)
            }
            "Assign" => {
                let mut targets = Vec::new();
                for t in self.list(node, "targets")? {
                    targets.push(self.target(&t)?);
                }
                StmtKind::Assign(targets, self.expr(&get("value")?)?)
            }
            "AnnAssign" => {
                let value = get("value")?;
                if value.is_none() {
                    StmtKind::Pass
                } else {
                    StmtKind::Assign(vec![self.target(&get("target")?)?], self.expr(&value)?)
                }
            }
            "AugAssign" => StmtKind::AugAssign(
                self.target(&get("target")?)?,
                self.binop(&get("op")?, span)?,
                self.expr(&get("value")?)?,
            ),
            "Expr" => {
                let v = get("value")?;
                // A docstring or a bare constant: nothing to run.
                if tyname(&v) == "Constant" {
                    StmtKind::Pass
                } else if tyname(&v) == "Yield" {
                    StmtKind::Yield(None, self.yield_value(&v)?)
                } else {
                    StmtKind::Expr(self.expr(&v)?)
                }
            }
            "If" => StmtKind::If(
                self.expr(&get("test")?)?,
                self.block(node, "body")?,
                self.block(node, "orelse")?,
            ),
            "While" => StmtKind::While(
                self.expr(&get("test")?)?,
                self.block(node, "body")?,
                self.block(node, "orelse")?,
            ),
            "For" => StmtKind::For(
                self.target(&get("target")?)?,
                self.expr(&get("iter")?)?,
                self.block(node, "body")?,
                self.block(node, "orelse")?,
            ),
            "Break" => StmtKind::Break,
            "Continue" => StmtKind::Continue,
            "Pass" => StmtKind::Pass,
            "Nonlocal" => StmtKind::Nonlocal(get("names")?.extract().map_err(pyerr)?),
            "Return" => {
                let v = get("value")?;
                StmtKind::Return(if v.is_none() { None } else { Some(self.expr(&v)?) })
            }
            "Raise" => {
                let cause = get("cause")?;
                let exc = get("exc")?;
                if exc.is_none() {
                    StmtKind::Raise(None)
                } else if cause.is_none() {
                    StmtKind::Raise(Some(self.expr(&exc)?))
                } else {
                    StmtKind::RaiseFrom(self.expr(&exc)?, self.expr(&cause)?)
                }
            }
            "FunctionDef" => {
                if !self.list(node, "decorator_list")?.is_empty() {
                    return Err(CompileError::unsupported(
                        span,
                        "decorated nested functions are not supported yet",
                    ));
                }
                let args = get("args")?;
                if !self.list(&args, "defaults")?.is_empty() {
                    return Err(CompileError::unsupported(
                        span,
                        "default values of nested functions' parameters are not supported yet",
                    ));
                }
                let def = self.function_def(node)?;
                if !def.shape.is_plain() {
                    return Err(CompileError::unsupported(
                        span,
                        "*args and keyword-only parameters of nested functions are not supported yet",
                    ));
                }
                StmtKind::Def(Box::new(def))
            }
            "Try" => {
                let mut handlers = Vec::new();
                for h in self.list(node, "handlers")? {
                    let ty = h.getattr("type").map_err(pyerr)?;
                    let name = h.getattr("name").map_err(pyerr)?;
                    handlers.push(Handler {
                        class: if ty.is_none() { None } else { Some(self.expr(&ty)?) },
                        name: if name.is_none() {
                            None
                        } else {
                            Some(name.extract().map_err(pyerr)?)
                        },
                        body: self.block(&h, "body")?,
                        span: self.span(&h),
                    });
                }
                StmtKind::Try(
                    self.block(node, "body")?,
                    handlers,
                    self.block(node, "orelse")?,
                    self.block(node, "finalbody")?,
                )
            }
            "Delete" => {
                let mut targets = Vec::new();
                for t in self.list(node, "targets")? {
                    match self.target(&t)? {
                        t @ (Target::Subscript(..) | Target::Name(..)) => targets.push(t),
                        _ => {
                            return Err(CompileError::unsupported(
                                span,
                                "`del` of a tuple of targets is not supported yet (`del x` and `del x[i]` are)",
                            ))
                        }
                    }
                }
                StmtKind::Delete(targets)
            }
            "Assert" => {
                let msg = get("msg")?;
                StmtKind::Assert(
                    self.expr(&get("test")?)?,
                    if msg.is_none() { None } else { Some(self.expr(&msg)?) },
                )
            }
            other => {
                let what = match other {
                    "FunctionDef" | "AsyncFunctionDef" => "nested function definitions",
                    "ClassDef" => "class definitions",
                    "With" | "AsyncWith" => "`with` statements",
                    "TryStar" => "`try`/`except*` statements",
                    "Global" => "`global` declarations",
                    "Import" | "ImportFrom" => "`import` inside a compiled function",
                    "Match" => "`match` statements",
                    "AsyncFor" => "`async for` loops",
                    _ => "this statement",
                };
                return Err(CompileError::unsupported(span, format!("{what} are not supported yet")));
            }
        };
        Ok(Stmt { kind, span })
    }

    fn target(&self, node: &Bound<'_, PyAny>) -> CResult<Target> {
        let span = self.span(node);
        match tyname(node).as_str() {
            "Name" => Ok(Target::Name(
                node.getattr("id").and_then(|n| n.extract()).map_err(pyerr)?,
                span,
            )),
            "Subscript" => Ok(Target::Subscript(
                self.expr(&node.getattr("value").map_err(pyerr)?)?,
                self.expr(&node.getattr("slice").map_err(pyerr)?)?,
                span,
            )),
            "Tuple" | "List" => {
                let mut ts = Vec::new();
                for e in self.list(node, "elts")? {
                    if tyname(&e) == "Starred" {
                        return Err(CompileError::unsupported(
                            self.span(&e),
                            "starred assignment targets are not supported yet",
                        ));
                    }
                    ts.push(self.target(&e)?);
                }
                Ok(Target::Tuple(ts, span))
            }
            "Attribute" => Ok(Target::Attr(
                self.expr(&node.getattr("value").map_err(pyerr)?)?,
                node.getattr("attr").and_then(|n| n.extract()).map_err(pyerr)?,
                span,
            )),
            other => Err(CompileError::unsupported(
                span,
                format!("cannot assign to this expression ({other})"),
            )),
        }
    }

    fn binop(&self, node: &Bound<'_, PyAny>, span: Span) -> CResult<BinOp> {
        Ok(match tyname(node).as_str() {
            "Add" => BinOp::Add,
            "Sub" => BinOp::Sub,
            "Mult" => BinOp::Mul,
            "Div" => BinOp::Div,
            "FloorDiv" => BinOp::FloorDiv,
            "Mod" => BinOp::Mod,
            "Pow" => BinOp::Pow,
            "BitAnd" => BinOp::BitAnd,
            "BitOr" => BinOp::BitOr,
            "BitXor" => BinOp::BitXor,
            "LShift" => BinOp::LShift,
            "RShift" => BinOp::RShift,
            "MatMult" => BinOp::MatMul,
            other => {
                return Err(CompileError::unsupported(
                    span,
                    format!("operator {other} is not supported"),
                ))
            }
        })
    }

    fn exprs(&self, node: &Bound<'_, PyAny>, field: &str) -> CResult<Vec<Expr>> {
        self.list(node, field)?.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&self, node: &Bound<'_, PyAny>) -> CResult<Expr> {
        let span = self.span(node);
        let get = |f: &str| node.getattr(f).map_err(pyerr);
        let boxed = |f: &str| -> CResult<Box<Expr>> { Ok(Box::new(self.expr(&get(f)?)?)) };
        let kind = match tyname(node).as_str() {
            "Constant" => ExprKind::Lit(self.constant(&get("value")?, span)?),
            "Name" => ExprKind::Name(get("id")?.extract().map_err(pyerr)?),
            "Attribute" => ExprKind::Attr(boxed("value")?, get("attr")?.extract().map_err(pyerr)?),
            "BinOp" => ExprKind::Bin(self.binop(&get("op")?, span)?, boxed("left")?, boxed("right")?),
            "UnaryOp" => {
                let op = match tyname(&get("op")?).as_str() {
                    "USub" => UnaryOp::Neg,
                    "UAdd" => UnaryOp::Pos,
                    "Invert" => UnaryOp::Invert,
                    _ => UnaryOp::Not,
                };
                ExprKind::Unary(op, boxed("operand")?)
            }
            "BoolOp" => ExprKind::BoolOp(tyname(&get("op")?) == "And", self.exprs(node, "values")?),
            "Compare" => {
                let ops = self.list(node, "ops")?;
                let rest = self.exprs(node, "comparators")?;
                let special = |op: &Bound<'_, PyAny>| matches!(tyname(op).as_str(), "Is" | "IsNot" | "In" | "NotIn");
                if ops.len() == 1 && special(&ops[0]) {
                    let (left, right) = (boxed("left")?, Box::new(rest.into_iter().next().unwrap()));
                    let kind = match tyname(&ops[0]).as_str() {
                        "Is" => ExprKind::Is(left, right, false),
                        "IsNot" => ExprKind::Is(left, right, true),
                        "In" => ExprKind::In(left, right, false),
                        _ => ExprKind::In(left, right, true),
                    };
                    return Ok(Expr { kind, span });
                }
                let mut pairs = Vec::new();
                for (op, e) in ops.iter().zip(rest) {
                    let op = match tyname(op).as_str() {
                        "Eq" => CmpOp::Eq,
                        "NotEq" => CmpOp::Ne,
                        "Lt" => CmpOp::Lt,
                        "LtE" => CmpOp::Le,
                        "Gt" => CmpOp::Gt,
                        "GtE" => CmpOp::Ge,
                        "Is" | "IsNot" => {
                            return Err(CompileError::unsupported(
                                span,
                                "`is` inside a chained comparison is not supported yet",
                            ))
                        }
                        _ => {
                            return Err(CompileError::unsupported(
                                span,
                                "`in` inside a chained comparison is not supported yet",
                            ))
                        }
                    };
                    pairs.push((op, e));
                }
                ExprKind::Compare(boxed("left")?, pairs)
            }
            "Call" => {
                let args = self.list(node, "args")?;
                let mut pos = Vec::new();
                // (`*t`: an `ExprKind::Starred`, compiled for a tuple parameter, see `lower`)
                for a in &args {
                    pos.push(self.expr(a)?);
                }
                let mut kws = Vec::new();
                for k in self.list(node, "keywords")? {
                    let name = k.getattr("arg").map_err(pyerr)?;
                    if name.is_none() {
                        return Err(CompileError::unsupported(
                            self.span(&k),
                            "`**kwargs` in calls is not supported yet",
                        ));
                    }
                    kws.push((
                        name.extract().map_err(pyerr)?,
                        self.expr(&k.getattr("value").map_err(pyerr)?)?,
                    ));
                }
                let func = get("func")?;
                let keywords = self.list(node, "keywords")?;
                if let Some((class, kws)) = self
                    .aliases
                    .as_ref()
                    .and_then(|a| a.typed_empty(&func, &args, &keywords))
                {
                    // `List.empty_list(float64)` -> `List(_pyston_item_type="float64")`
                    let kws = kws
                        .into_iter()
                        .map(|(k, v)| {
                            let e = Expr {
                                kind: ExprKind::Lit(Literal::Str(v)),
                                span,
                            };
                            (k, e)
                        })
                        .collect();
                    return Ok(Expr {
                        kind: ExprKind::Call(Box::new(self.expr(&class)?), Vec::new(), kws),
                        span,
                    });
                }
                if pos.len() == 1 && kws.is_empty() && self.aliases.as_ref().is_some_and(|a| a.is_literal_unroll(&func))
                {
                    // `literal_unroll(t)` is `t`: a loop over a tuple already runs its body
                    // once per item, with that item's own type.
                    return Ok(pos.pop().unwrap());
                }
                if self.aliases.as_ref().is_some_and(|a| a.is_exc_info(&func)) {
                    // Neither compiled handlers nor the interpreter tier's set the
                    // exception being handled, which these read: CPython runs it.
                    return Err(CompileError::unsupported(
                        span,
                        "`sys.exc_info()` / `sys.exception()` are not compiled yet",
                    ));
                }
                let callee = match &self.aliases {
                    Some(a) if a.aliases_range(&func) => Expr {
                        kind: ExprKind::Name("range".to_string()),
                        span: self.span(&func),
                    },
                    _ => self.expr(&func)?,
                };
                ExprKind::Call(Box::new(callee), pos, kws)
            }
            // An f-string is the concatenation of its parts, each replacement field
            // formatted as CPython's FORMAT_VALUE does it, in the same order (the
            // value, then its spec's own fields): `"{!r:spec}".format(value)`, or
            // `"{!r:{}}".format(value, spec)` for a spec with fields of its own.
            "JoinedStr" => return self.fstring(node, span),
            "Subscript" => ExprKind::Subscript(boxed("value")?, boxed("slice")?),
            "Starred" => ExprKind::Starred(boxed("value")?),
            "Tuple" => ExprKind::Tuple(self.exprs(node, "elts")?),
            "List" => ExprKind::List(self.exprs(node, "elts")?),
            "Dict" => {
                let keys = self.list(node, "keys")?;
                let vals = self.list(node, "values")?;
                let mut pairs = Vec::new();
                for (k, v) in keys.iter().zip(&vals) {
                    if k.is_none() {
                        return Err(CompileError::unsupported(
                            span,
                            "`**` in dict displays is not supported yet",
                        ));
                    }
                    pairs.push((self.expr(k)?, self.expr(v)?));
                }
                ExprKind::Dict(pairs)
            }
            "Set" => ExprKind::Set(self.exprs(node, "elts")?),
            "ListComp" | "GeneratorExp" | "DictComp" | "SetComp" => {
                let mut gens = Vec::new();
                for g in self.list(node, "generators")? {
                    let is_async = g.getattr("is_async").and_then(|a| a.extract::<i64>()).unwrap_or(0);
                    if is_async != 0 {
                        return Err(CompileError::unsupported(
                            span,
                            "asynchronous comprehensions are not supported",
                        ));
                    }
                    gens.push(Comprehension {
                        target: self.target(&g.getattr("target").map_err(pyerr)?)?,
                        iter: self.expr(&g.getattr("iter").map_err(pyerr)?)?,
                        ifs: self.exprs(&g, "ifs")?,
                    });
                }
                if tyname(node) == "DictComp" {
                    ExprKind::DictComp(boxed("key")?, boxed("value")?, gens)
                } else if tyname(node) == "ListComp" {
                    ExprKind::ListComp(boxed("elt")?, gens)
                } else if tyname(node) == "SetComp" {
                    ExprKind::SetComp(boxed("elt")?, gens)
                } else {
                    // CPython 3.12+ adds floats in sum() with compensated summation.
                    let compensated = node.py().version_info() >= (3, 12);
                    ExprKind::GenExp(boxed("elt")?, gens, compensated)
                }
            }
            "IfExp" => ExprKind::IfExp(boxed("test")?, boxed("body")?, boxed("orelse")?),
            "Slice" => {
                let part = |f: &str| -> CResult<Option<Box<Expr>>> {
                    let v = get(f)?;
                    Ok(if v.is_none() {
                        None
                    } else {
                        Some(Box::new(self.expr(&v)?))
                    })
                };
                ExprKind::Slice(part("lower")?, part("upper")?, part("step")?)
            }
            "Index" => return self.expr(&get("value")?), // Python 3.8 compatibility
            "Lambda" => {
                let args = get("args")?;
                for (field, what) in [("vararg", "`*args`"), ("kwarg", "`**kwargs`")] {
                    if !args.getattr(field).map_err(pyerr)?.is_none() {
                        return Err(CompileError::unsupported(
                            span,
                            format!("{what} in lambdas is not supported yet"),
                        ));
                    }
                }
                if !self.list(&args, "defaults")?.is_empty() || !self.list(&args, "kwonlyargs")?.is_empty() {
                    return Err(CompileError::unsupported(
                        span,
                        "default values and keyword-only parameters of lambdas are not supported yet",
                    ));
                }
                let mut params = Vec::new();
                for field in ["posonlyargs", "args"] {
                    for a in self.list(&args, field)? {
                        params.push(a.getattr("arg").and_then(|n| n.extract()).map_err(pyerr)?);
                    }
                }
                ExprKind::Lambda(params, boxed("body")?)
            }
            other => {
                let what = match other {
                    "ListComp" => "list comprehensions",
                    "List" => "lists",
                    "DictComp" => "dict comprehensions",
                    "Dict" => "dicts",
                    "SetComp" => "set comprehensions",
                    "Set" => "sets",
                    "GeneratorExp" => "generator expressions",
                    "Lambda" => "lambdas",
                    "JoinedStr" | "FormattedValue" => "f-strings",
                    "NamedExpr" => "assignment expressions (`:=`)",
                    "Starred" => "starred expressions",
                    "Yield" => "`yield` inside an expression",
                    "YieldFrom" => "`yield from`",
                    "Await" => "`await`",
                    _ => "this expression",
                };
                let verb = if what.ends_with('s') && what != "this expression" {
                    "are"
                } else {
                    "is"
                };
                return Err(CompileError::unsupported(
                    span,
                    format!("{what} {verb} not supported yet"),
                ));
            }
        };
        Ok(Expr { kind, span })
    }

    /// An f-string (`JoinedStr`) as the concatenation of its parts (see `expr`).
    fn fstring(&self, node: &Bound<'_, PyAny>, span: Span) -> CResult<Expr> {
        let lit = |s: String| Expr {
            kind: ExprKind::Lit(Literal::Str(s)),
            span,
        };
        let mut parts: Vec<Expr> = Vec::new();
        for part in self.list(node, "values")? {
            match tyname(&part).as_str() {
                "Constant" => {
                    let v = part.getattr("value").map_err(pyerr)?;
                    parts.push(lit(v.extract().map_err(pyerr)?));
                }
                "FormattedValue" => {
                    let mut args = vec![self.expr(&part.getattr("value").map_err(pyerr)?)?];
                    let mut tpl = String::from("{");
                    let conv: i64 = part.getattr("conversion").and_then(|c| c.extract()).map_err(pyerr)?;
                    if conv >= 0 {
                        tpl.push('!');
                        tpl.push(char::from_u32(conv as u32).unwrap_or('s'));
                    }
                    let spec = part.getattr("format_spec").map_err(pyerr)?;
                    if !spec.is_none() {
                        let fixed = self.list(&spec, "values")?.iter().all(|p| tyname(p) == "Constant");
                        if fixed {
                            let mut text = String::new();
                            for p in self.list(&spec, "values")? {
                                let t: String = p.getattr("value").and_then(|v| v.extract()).map_err(pyerr)?;
                                text.push_str(&t);
                            }
                            tpl.push(':');
                            tpl.push_str(&text.replace('{', "{{").replace('}', "}}"));
                        } else {
                            tpl.push_str(":{}");
                            args.push(self.fstring(&spec, span)?);
                        }
                    }
                    tpl.push('}');
                    let f = Expr {
                        kind: ExprKind::Attr(Box::new(lit(tpl)), "format".into()),
                        span,
                    };
                    parts.push(Expr {
                        kind: ExprKind::Call(Box::new(f), args, vec![]),
                        span,
                    });
                }
                _ => {
                    return Err(CompileError::unsupported(
                        self.span(&part),
                        "this f-string part is not supported yet",
                    ))
                }
            }
        }
        let mut it = parts.into_iter();
        let Some(mut acc) = it.next() else {
            return Ok(lit(String::new()));
        };
        if it.len() == 0 && matches!(acc.kind, ExprKind::Call(..)) {
            // A single field: still a str (format() of a str subclass gives a str).
            return Ok(acc);
        }
        for p in it {
            acc = Expr {
                kind: ExprKind::Bin(BinOp::Add, Box::new(acc), Box::new(p)),
                span,
            };
        }
        Ok(acc)
    }

    fn constant(&self, v: &Bound<'_, PyAny>, span: Span) -> CResult<Literal> {
        let t = tyname(v);
        Ok(match t.as_str() {
            "bool" => Literal::Bool(v.extract().map_err(pyerr)?),
            "int" => match v.extract::<i64>() {
                Ok(i) => Literal::Int(i),
                Err(_) => Literal::BigInt(v.str().map_err(pyerr)?.to_string()),
            },
            "float" => Literal::Float(v.extract().map_err(pyerr)?),
            "complex" => Literal::Imag(v.getattr("imag").and_then(|x| x.extract()).map_err(pyerr)?),
            "NoneType" => Literal::None,
            "str" => Literal::Str(v.extract().map_err(pyerr)?),
            "ellipsis" => Literal::Ellipsis,
            _ => {
                return Err(CompileError::unsupported(
                    span,
                    format!("constants of type {t} are not supported"),
                ))
            }
        })
    }
}
