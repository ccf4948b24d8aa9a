//! Nested functions and lambdas that do not escape, inlined at their calls.
//!
//! `def helper(x): ...` or `f = lambda x: ...` at the top level of a compiled
//! function, bound once and only called (`helper(a)`), is lowered by copying
//! its body to each call site: its parameters and locals renamed apart, its
//! `return` a jump to the end of the copy. A variable of the enclosing
//! function it reads is read at the call, as CPython reads the closure cell
//! when the function runs; a name it declares `nonlocal` is not renamed, so
//! its assignments write the enclosing variable, as CPython's cell. Anything
//! else (using the function as a value, recursion, keyword arguments, a `def`
//! inside a branch or loop) is "not supported yet".

use super::*;

/// An inlined call in progress: where its `return` goes.
pub(super) struct Inlining {
    pub name: String,
    pub ret_var: String,
    pub cont: Block,
    pub fin_depth: usize,
}

/// How often each name is bound anywhere in `body` (nested functions' own
/// bodies excluded).
fn bindings(body: &[Stmt], out: &mut HashMap<String, usize>) {
    fn target(t: &Target, out: &mut HashMap<String, usize>) {
        match t {
            Target::Name(n, _) => *out.entry(n.clone()).or_default() += 1,
            Target::Tuple(ts, _) => ts.iter().for_each(|t| target(t, out)),
            Target::Subscript(..) | Target::Attr(..) => {}
        }
    }
    for s in body {
        match &s.kind {
            StmtKind::Assign(ts, _) => ts.iter().for_each(|t| target(t, out)),
            StmtKind::AugAssign(t, _, _) => target(t, out),
            StmtKind::If(_, a, b) | StmtKind::While(_, a, b) => {
                bindings(a, out);
                bindings(b, out);
            }
            StmtKind::For(t, _, a, b) => {
                target(t, out);
                bindings(a, out);
                bindings(b, out);
            }
            StmtKind::Try(a, hs, b, c) => {
                bindings(a, out);
                for h in hs {
                    if let Some(n) = &h.name {
                        *out.entry(n.clone()).or_default() += 1;
                    }
                    bindings(&h.body, out);
                }
                bindings(b, out);
                bindings(c, out);
            }
            StmtKind::Def(d) => *out.entry(d.name.clone()).or_default() += 1,
            _ => {}
        }
    }
}

/// `lambda params: body` as the function it makes (named `<lambda>`, as its frame is).
fn lambda_def(params: &[String], body: &Expr, span: Span) -> FunctionDef {
    FunctionDef {
        name: "<lambda>".into(),
        params: params.to_vec(),
        body: vec![Stmt {
            kind: StmtKind::Return(Some(body.clone())),
            span: body.span,
        }],
        span,
        shape: Default::default(),
        annotated: false,
    }
}

/// The functions defined at the top level of `body` that can be inlined:
/// `def name` or `name = lambda`, the name bound nowhere else.
pub(super) fn inlinable(body: &[Stmt]) -> HashMap<String, (Span, FunctionDef)> {
    let mut counts = HashMap::new();
    bindings(body, &mut counts);
    let mut out = HashMap::new();
    for s in body {
        // (by the name bound; a lambda's own name is `<lambda>`, its frame's)
        let def = match &s.kind {
            StmtKind::Def(d) => Some((d.name.clone(), (**d).clone())),
            StmtKind::Assign(ts, e) => match (ts.as_slice(), &e.kind) {
                ([Target::Name(n, _)], ExprKind::Lambda(params, body)) => {
                    Some((n.clone(), lambda_def(params, body, e.span)))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((name, d)) = def {
            if counts.get(&name) == Some(&1) {
                out.insert(name, (s.span, d));
            }
        }
    }
    out
}

/// Renames the names in `map` throughout a copy of an inlined body.
struct Rename<'a> {
    map: &'a HashMap<String, String>,
    /// The names read or bound that `map` does not rename (globals, the enclosing function's variables).
    free: std::cell::RefCell<HashSet<String>>,
}

/// `body` with the names in `map` renamed, and the names it uses that are not renamed.
pub(super) fn rename(map: &HashMap<String, String>, body: &[Stmt]) -> CResult<(Vec<Stmt>, HashSet<String>)> {
    let r = Rename {
        map,
        free: Default::default(),
    };
    let out = r.stmts(body)?;
    Ok((out, r.free.into_inner()))
}

impl Rename<'_> {
    fn name(&self, n: &str) -> String {
        match self.map.get(n) {
            Some(m) => m.clone(),
            None => {
                self.free.borrow_mut().insert(n.to_string());
                n.to_string()
            }
        }
    }
    fn stmts(&self, body: &[Stmt]) -> CResult<Vec<Stmt>> {
        body.iter().map(|s| self.stmt(s)).collect()
    }
    fn stmt(&self, s: &Stmt) -> CResult<Stmt> {
        let kind = match &s.kind {
            StmtKind::Assign(ts, e) => StmtKind::Assign(
                ts.iter().map(|t| self.target(t)).collect::<CResult<_>>()?,
                self.expr(e)?,
            ),
            StmtKind::AugAssign(t, op, e) => StmtKind::AugAssign(self.target(t)?, *op, self.expr(e)?),
            StmtKind::Expr(e) => StmtKind::Expr(self.expr(e)?),
            StmtKind::If(c, a, b) => StmtKind::If(self.expr(c)?, self.stmts(a)?, self.stmts(b)?),
            StmtKind::While(c, a, b) => StmtKind::While(self.expr(c)?, self.stmts(a)?, self.stmts(b)?),
            StmtKind::For(t, it, a, b) => {
                StmtKind::For(self.target(t)?, self.expr(it)?, self.stmts(a)?, self.stmts(b)?)
            }
            StmtKind::Break => StmtKind::Break,
            StmtKind::Continue => StmtKind::Continue,
            StmtKind::Pass => StmtKind::Pass,
            StmtKind::Nonlocal(ns) => StmtKind::Nonlocal(ns.iter().map(|n| self.name(n)).collect()),
            StmtKind::Delete(ts) => StmtKind::Delete(ts.iter().map(|t| self.target(t)).collect::<CResult<_>>()?),
            StmtKind::Return(e) => StmtKind::Return(e.as_ref().map(|e| self.expr(e)).transpose()?),
            StmtKind::Raise(e) => StmtKind::Raise(e.as_ref().map(|e| self.expr(e)).transpose()?),
            StmtKind::RaiseFrom(a, b) => StmtKind::RaiseFrom(self.expr(a)?, self.expr(b)?),
            StmtKind::Assert(a, b) => StmtKind::Assert(self.expr(a)?, b.as_ref().map(|e| self.expr(e)).transpose()?),
            StmtKind::Try(a, hs, b, c) => StmtKind::Try(
                self.stmts(a)?,
                hs.iter()
                    .map(|h| {
                        Ok(Handler {
                            class: h.class.as_ref().map(|e| self.expr(e)).transpose()?,
                            name: h.name.as_ref().map(|n| self.name(n)),
                            body: self.stmts(&h.body)?,
                            span: h.span,
                        })
                    })
                    .collect::<CResult<_>>()?,
                self.stmts(b)?,
                self.stmts(c)?,
            ),
            StmtKind::Def(_) => {
                return Err(CompileError::unsupported(
                    s.span,
                    "functions nested two levels deep are not supported yet",
                ))
            }
            // (a nested function's `yield` is refused where it is lowered)
            StmtKind::Yield(t, e) => StmtKind::Yield(
                t.as_ref().map(|t| self.target(t)).transpose()?,
                e.as_ref().map(|e| self.expr(e)).transpose()?,
            ),
        };
        Ok(Stmt { kind, span: s.span })
    }
    fn target(&self, t: &Target) -> CResult<Target> {
        Ok(match t {
            Target::Name(n, s) => Target::Name(self.name(n), *s),
            Target::Subscript(a, b, s) => Target::Subscript(self.expr(a)?, self.expr(b)?, *s),
            Target::Attr(a, n, s) => Target::Attr(self.expr(a)?, n.clone(), *s),
            Target::Tuple(ts, s) => Target::Tuple(ts.iter().map(|t| self.target(t)).collect::<CResult<_>>()?, *s),
        })
    }
    fn boxed(&self, e: &Expr) -> CResult<Box<Expr>> {
        Ok(Box::new(self.expr(e)?))
    }
    fn expr(&self, e: &Expr) -> CResult<Expr> {
        let kind = match &e.kind {
            ExprKind::Lit(l) => ExprKind::Lit(l.clone()),
            ExprKind::Import(m) => ExprKind::Import(m.clone()),
            ExprKind::Name(n) => ExprKind::Name(self.name(n)),
            ExprKind::Attr(x, n) => ExprKind::Attr(self.boxed(x)?, n.clone()),
            ExprKind::Bin(op, a, b) => ExprKind::Bin(*op, self.boxed(a)?, self.boxed(b)?),
            ExprKind::Unary(op, a) => ExprKind::Unary(*op, self.boxed(a)?),
            ExprKind::BoolOp(and, xs) => {
                ExprKind::BoolOp(*and, xs.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?)
            }
            ExprKind::Compare(a, rest) => ExprKind::Compare(
                self.boxed(a)?,
                rest.iter()
                    .map(|(op, x)| Ok((*op, self.expr(x)?)))
                    .collect::<CResult<_>>()?,
            ),
            ExprKind::Call(f, args, kws) => ExprKind::Call(
                self.boxed(f)?,
                args.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?,
                kws.iter()
                    .map(|(k, x)| Ok((k.clone(), self.expr(x)?)))
                    .collect::<CResult<_>>()?,
            ),
            ExprKind::Subscript(a, b) => ExprKind::Subscript(self.boxed(a)?, self.boxed(b)?),
            ExprKind::Tuple(xs) => ExprKind::Tuple(xs.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?),
            ExprKind::List(xs) => ExprKind::List(xs.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?),
            ExprKind::IfExp(a, b, c) => ExprKind::IfExp(self.boxed(a)?, self.boxed(b)?, self.boxed(c)?),
            ExprKind::Slice(a, b, c) => {
                let part = |p: &Option<Box<Expr>>| p.as_ref().map(|x| self.boxed(x)).transpose();
                ExprKind::Slice(part(a)?, part(b)?, part(c)?)
            }
            ExprKind::Is(a, b, neg) => ExprKind::Is(self.boxed(a)?, self.boxed(b)?, *neg),
            ExprKind::In(a, b, neg) => ExprKind::In(self.boxed(a)?, self.boxed(b)?, *neg),
            ExprKind::Lambda(..) => {
                return Err(CompileError::unsupported(
                    e.span,
                    "lambdas inside nested functions are not supported yet",
                ))
            }
            ExprKind::Starred(..) => {
                return Err(CompileError::unsupported(
                    e.span,
                    "`*x` inside nested functions is not supported yet",
                ))
            }
            ExprKind::ListComp(..)
            | ExprKind::GenExp(..)
            | ExprKind::Dict(..)
            | ExprKind::DictComp(..)
            | ExprKind::Set(..)
            | ExprKind::SetComp(..) => {
                return Err(CompileError::unsupported(
                    e.span,
                    "comprehensions and dict or set displays inside nested functions are not supported yet",
                ))
            }
        };
        Ok(Expr { kind, span: e.span })
    }
}

/// The most statements (nested ones counted) a module-level function may
/// have to be inlined at its calls.
const GLOBAL_INLINE_MAX: usize = 40;

/// Whether a module-level function (another compiled function, or a plain
/// helper the caller would call through a strict dispatcher) may be inlined at
/// its calls (`Lowerer::inline_global`): positional parameters only, at most
/// `GLOBAL_INLINE_MAX` statements, no nested `def`, `lambda`, `try`, `del`,
/// `yield` or bare `raise`.
pub fn inlinable_global(def: &FunctionDef) -> bool {
    fn count(body: &[Stmt]) -> Option<usize> {
        let mut n = 0;
        for s in body {
            n += 1 + match &s.kind {
                StmtKind::Assign(..)
                | StmtKind::AugAssign(..)
                | StmtKind::Expr(_)
                | StmtKind::Break
                | StmtKind::Continue
                | StmtKind::Return(_)
                | StmtKind::Pass
                | StmtKind::Raise(Some(_))
                | StmtKind::RaiseFrom(..)
                | StmtKind::Assert(..) => 0,
                StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => count(a)? + count(b)?,
                _ => return None,
            };
        }
        Some(n)
    }
    let mut lambda = false;
    crate::hir::walk_stmts(&def.body, &mut |e| {
        lambda |= matches!(e.kind, ExprKind::Lambda(..));
        !lambda
    });
    def.shape.is_plain() && !lambda && count(&def.body).is_some_and(|n| n <= GLOBAL_INLINE_MAX)
}

impl Lowerer {
    /// `name(args)` of a module-level function in `self.funcs` (see
    /// [`inlinable_global`]): its body copied here, when the call passes every
    /// parameter positionally, the function is not already being inlined
    /// (recursion), and the globals it reads are not this function's
    /// variables. `None` (nothing emitted): an ordinary call instead.
    /// (`global`: `name` is a global; otherwise a parameter bound to a function of `self.arg_funcs`)
    pub(super) fn inline_global(
        &mut self,
        name: &str,
        args: &[Expr],
        span: Span,
        global: bool,
    ) -> CResult<Option<Value>> {
        let def = if global {
            self.funcs.get(name)
        } else {
            self.arg_funcs.get(name)
        };
        let Some(def) = def.cloned() else {
            return Ok(None);
        };
        if args.len() != def.params.len() || self.inlining.len() >= 4 || self.inlining.iter().any(|i| i.name == name) {
            return Ok(None);
        }
        let mut own: HashSet<String> = def.params.iter().cloned().collect();
        collect_assigned(&def.body, &mut own);
        let map: HashMap<String, String> = own.iter().map(|n| (n.clone(), format!("{n}@g"))).collect();
        let Ok((_, free)) = rename(&map, &def.body) else {
            return Ok(None);
        };
        if free
            .iter()
            .any(|n| self.locals.contains(n) || self.inner.contains_key(n))
        {
            return Ok(None);
        }
        self.inline_def(name, &def, args, span).map(Some)
    }

    /// `name(args)` of an inlinable nested function: its body copied here.
    pub(super) fn inline_call(&mut self, name: &str, args: &[Expr], span: Span) -> CResult<Value> {
        let def = self.inner[name].1.clone();
        self.inline_def(name, &def, args, span)
    }

    /// `def`'s body copied here for the call `name(args)`.
    fn inline_def(&mut self, name: &str, def: &FunctionDef, args: &[Expr], span: Span) -> CResult<Value> {
        if self.inlining.iter().any(|i| i.name == name) {
            return Err(CompileError::unsupported(
                span,
                "recursion through a nested function is not supported yet",
            ));
        }
        if args.len() != def.params.len() {
            return Err(CompileError::unsupported(
                span,
                format!(
                    "calling '{name}' with {} arguments (it takes {}) is not supported",
                    args.len(),
                    def.params.len()
                ),
            ));
        }
        // A function passed as an argument (a nested function of the caller by
        // name, or a lambda written in the call) to a parameter the body never
        // rebinds: its calls in the copy are inlined too. Making a function
        // object has no effect CPython shows, so it is not made; the body
        // reads the caller's variables when it runs, as CPython's closure does.
        let mut rebound = HashMap::new();
        bindings(&def.body, &mut rebound);
        let fn_args: Vec<Option<(Span, FunctionDef)>> = args
            .iter()
            .zip(&def.params)
            .map(|(a, p)| {
                // (a parameter the body only uses as a value, `store.append(f)`:
                // the argument's function object, made as a value)
                if rebound.contains_key(p) || !called_in(&def.body, p) && used_in(&def.body, p) {
                    return None;
                }
                match &a.kind {
                    ExprKind::Name(n) if self.inner.contains_key(n) => self.inner.get(n).cloned(),
                    ExprKind::Lambda(ps, body) => Some((a.span, lambda_def(ps, body, a.span))),
                    _ => None,
                }
            })
            .collect();
        let mut vals = Vec::with_capacity(args.len());
        for (a, f) in args.iter().zip(&fn_args) {
            vals.push(if f.is_some() { None } else { Some(self.expr(a)?) });
        }
        // The callee's own variables, renamed apart for this copy.
        let mut own: HashSet<String> = def.params.iter().cloned().collect();
        collect_assigned(&def.body, &mut own);
        // (`nonlocal` names are the enclosing function's: assignments write them)
        let mut nonlocal = Vec::new();
        nonlocals(&def.body, &mut nonlocal);
        for n in &nonlocal {
            if def.params.contains(n) || !self.locals.contains(n) {
                return Err(CompileError::unsupported(
                    span,
                    format!("`nonlocal {n}` naming no variable of the compiled function is not supported"),
                ));
            }
            own.remove(n);
        }
        self.hidden += 1;
        let id = self.hidden;
        let map: HashMap<String, String> = own.iter().map(|n| (n.clone(), format!("{n}@{id}"))).collect();
        let (body, _) = rename(&map, &def.body)?;
        for n in map.values() {
            self.locals.insert(n.clone());
        }
        let params: Vec<String> = def.params.iter().map(|p| map[p].clone()).collect();
        let its = self.iterator_locals(&body, &params);
        self.iter_names.extend(its);
        let mut bound_fns = Vec::new();
        for ((p, v), f) in def.params.iter().zip(vals).zip(fn_args) {
            match (v, f) {
                (Some(v), _) => {
                    let b = self.block_for_write();
                    self.write_var(&map[p], b, v);
                }
                (None, Some(f)) => {
                    self.inner.insert(map[p].clone(), f);
                    bound_fns.push(map[p].clone());
                }
                (None, None) => unreachable!("an argument is a value or a function"),
            }
        }
        let cont = self.new_block();
        let ret_var = self.hidden_name("ret");
        self.inlining.push(Inlining {
            name: name.to_string(),
            ret_var: ret_var.clone(),
            cont,
            fin_depth: self.fin.len(),
        });
        // The copy's code is the callee's: its traceback frame is `name`'s.
        let site = ir::InlineSite {
            name: def.name.clone(),
            call: self.tagged(span),
        };
        self.f.inlines.push(site);
        let outer = std::mem::replace(&mut self.cur_inl, self.f.inlines.len() as u32);
        let r = self.stmts(&body);
        self.cur_inl = outer;
        self.inlining.pop();
        for n in bound_fns {
            self.inner.remove(&n);
        }
        r?;
        if self.cur.is_some() {
            let none = self.emit_cur(Op::Const(Const::None), vec![], def.span);
            let b = self.block_for_write();
            self.write_var(&ret_var, b, none);
            self.jump(cont, vec![], span);
        }
        self.seal(cont);
        if self.preds[cont.0 as usize].is_empty() {
            // The call never returns (it always raises): what follows is unreachable.
            self.cur = None;
            return Ok(self.emit_cur(Op::Const(Const::None), vec![], span));
        }
        self.cur = Some(cont);
        Ok(self.read_var(&ret_var, cont, span))
    }

    /// `return` inside an inlined body: to the end of the copy.
    pub(super) fn inline_return(&mut self, v: Value, span: Span) -> CResult<()> {
        let (ret_var, cont, depth) = {
            let i = self.inlining.last().unwrap();
            (i.ret_var.clone(), i.cont, i.fin_depth)
        };
        self.leave(depth)?;
        if self.cur.is_some() {
            let b = self.block_for_write();
            self.write_var(&ret_var, b, v);
            self.jump(cont, vec![], span);
        }
        Ok(())
    }
}

/// The names `nonlocal` statements of a function body declare (anywhere in it).
fn nonlocals(body: &[Stmt], out: &mut Vec<String>) {
    for s in body {
        match &s.kind {
            StmtKind::Nonlocal(ns) => out.extend(ns.iter().cloned()),
            StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
                nonlocals(a, out);
                nonlocals(b, out);
            }
            StmtKind::Try(a, hs, b, c) => {
                nonlocals(a, out);
                hs.iter().for_each(|h| nonlocals(&h.body, out));
                nonlocals(b, out);
                nonlocals(c, out);
            }
            _ => {}
        }
    }
}

/// Whether `body` reads the name `p`.
fn used_in(body: &[Stmt], p: &str) -> bool {
    let mut used = false;
    crate::hir::walk_stmts(body, &mut |e| {
        used |= matches!(&e.kind, ExprKind::Name(n) if n == p);
        true
    });
    used
}

/// Whether `body` calls the name `p` (`p(...)`).
fn called_in(body: &[Stmt], p: &str) -> bool {
    let mut called = false;
    crate::hir::walk_stmts(body, &mut |e| {
        if let ExprKind::Call(f, _, _) = &e.kind {
            called |= matches!(&f.kind, ExprKind::Name(n) if n == p);
        }
        true
    });
    called
}
