//! Comprehensions and generator expressions, lowered by rewriting them into
//! the statements they stand for (a loop appending to a hidden list, or a
//! loop folding into a hidden accumulator) and lowering those.
//!
//! Python 3 scoping: the loop variables of a comprehension do not leak. They
//! are renamed to hidden names (`%c3.x`) inside the comprehension, so a
//! variable of the same name outside it is neither read nor written.
//! The first iterable is evaluated in the enclosing scope (CPython passes it
//! to the comprehension's code object), the others inside it.

use super::*;

pub(super) fn name(n: &str, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Name(n.to_string()),
        span,
    }
}

fn stmt(kind: StmtKind, span: Span) -> Stmt {
    Stmt { kind, span }
}

fn target_names(t: &Target, out: &mut Vec<String>) {
    match t {
        Target::Name(n, _) => out.push(n.clone()),
        Target::Tuple(ts, _) => ts.iter().for_each(|t| target_names(t, out)),
        Target::Subscript(..) | Target::Attr(..) => {}
    }
}

pub(super) fn rename_target(t: &Target, map: &HashMap<String, String>) -> Target {
    match t {
        Target::Name(n, s) => Target::Name(map.get(n).cloned().unwrap_or_else(|| n.clone()), *s),
        Target::Tuple(ts, s) => Target::Tuple(ts.iter().map(|t| rename_target(t, map)).collect(), *s),
        Target::Subscript(x, i, s) => Target::Subscript(rename(x, map), rename(i, map), *s),
        Target::Attr(x, n, s) => Target::Attr(rename(x, map), n.clone(), *s),
    }
}

/// The comprehension clauses with `map` applied (each clause's own targets
/// shadow the names they bind for the clauses after it and the element).
fn rename_gens(gens: &[Comprehension], map: &HashMap<String, String>) -> (Vec<Comprehension>, HashMap<String, String>) {
    let mut m = map.clone();
    let mut out = Vec::new();
    for g in gens {
        let iter = rename(&g.iter, &m);
        let mut bound = Vec::new();
        target_names(&g.target, &mut bound);
        for b in &bound {
            m.remove(b);
        }
        out.push(Comprehension {
            target: g.target.clone(),
            iter,
            ifs: g.ifs.iter().map(|c| rename(c, &m)).collect(),
        });
    }
    (out, m)
}

/// `e` with the names in `map` replaced (free names only).
pub(super) fn rename(e: &Expr, map: &HashMap<String, String>) -> Expr {
    let b = |x: &Expr| Box::new(rename(x, map));
    let v = |xs: &[Expr]| xs.iter().map(|x| rename(x, map)).collect::<Vec<_>>();
    let kind = match &e.kind {
        ExprKind::Name(n) => ExprKind::Name(map.get(n).cloned().unwrap_or_else(|| n.clone())),
        ExprKind::Lit(_) | ExprKind::Import(_) => e.kind.clone(),
        ExprKind::Attr(x, n) => ExprKind::Attr(b(x), n.clone()),
        ExprKind::Bin(op, x, y) => ExprKind::Bin(*op, b(x), b(y)),
        ExprKind::Unary(op, x) => ExprKind::Unary(*op, b(x)),
        ExprKind::BoolOp(a, xs) => ExprKind::BoolOp(*a, v(xs)),
        ExprKind::Compare(x, rest) => ExprKind::Compare(b(x), rest.iter().map(|(o, y)| (*o, rename(y, map))).collect()),
        ExprKind::Call(f, args, kws) => ExprKind::Call(
            b(f),
            v(args),
            kws.iter().map(|(k, x)| (k.clone(), rename(x, map))).collect(),
        ),
        ExprKind::Subscript(x, i) => ExprKind::Subscript(b(x), b(i)),
        ExprKind::Tuple(xs) => ExprKind::Tuple(v(xs)),
        ExprKind::Starred(x) => ExprKind::Starred(b(x)),
        ExprKind::List(xs) => ExprKind::List(v(xs)),
        ExprKind::IfExp(c, x, y) => ExprKind::IfExp(b(c), b(x), b(y)),
        ExprKind::Slice(lo, hi, st) => {
            let o = |p: &Option<Box<Expr>>| p.as_ref().map(|x| b(x));
            ExprKind::Slice(o(lo), o(hi), o(st))
        }
        ExprKind::Is(x, y, n) => ExprKind::Is(b(x), b(y), *n),
        ExprKind::In(x, y, n) => ExprKind::In(b(x), b(y), *n),
        ExprKind::ListComp(elt, gens) => {
            let (gens, m) = rename_gens(gens, map);
            ExprKind::ListComp(Box::new(rename(elt, &m)), gens)
        }
        ExprKind::GenExp(elt, gens, c) => {
            let (gens, m) = rename_gens(gens, map);
            ExprKind::GenExp(Box::new(rename(elt, &m)), gens, *c)
        }
        ExprKind::Lambda(ps, body) => {
            let mut m = map.clone();
            for p in ps {
                m.remove(p);
            }
            ExprKind::Lambda(ps.clone(), Box::new(rename(body, &m)))
        }
        ExprKind::Dict(pairs) => ExprKind::Dict(pairs.iter().map(|(k, v)| (rename(k, map), rename(v, map))).collect()),
        ExprKind::DictComp(k, v, gens) => {
            let (gens, m) = rename_gens(gens, map);
            ExprKind::DictComp(Box::new(rename(k, &m)), Box::new(rename(v, &m)), gens)
        }
        ExprKind::Set(xs) => ExprKind::Set(v(xs)),
        ExprKind::SetComp(elt, gens) => {
            let (gens, m) = rename_gens(gens, map);
            ExprKind::SetComp(Box::new(rename(elt, &m)), gens)
        }
    };
    Expr { kind, span: e.span }
}

const FOLD_NAMES: &[&str] = &["list", "sum", "min", "max", "any", "all"];

/// What a generator expression is folded into.
#[derive(Clone, Copy, PartialEq)]
enum Fold {
    List,
    Sum,
    Any,
    All,
    Min,
    Max,
}

impl Lowerer {
    /// The comprehension with its loop variables renamed to hidden locals;
    /// the reads of the enclosing function's variables inside it (all but the
    /// first iterable) noted as read in `scope`.
    pub(super) fn hide_targets(
        &mut self,
        elt: &Expr,
        gens: &[Comprehension],
        scope: ReadScope,
    ) -> (Expr, Vec<Comprehension>) {
        let (elt, gens) = self.hide_targets_only(elt, gens);
        let mut inside: Vec<&Expr> = vec![&elt];
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                inside.push(&g.iter);
            }
            inside.extend(g.ifs.iter());
        }
        for e in inside {
            crate::hir::walk_expr(e, &mut |x| {
                if let ExprKind::Name(n) = &x.kind {
                    if self.locals.contains(n) && !n.starts_with('%') {
                        // (a generator expression's free read stays free in a comprehension inside it)
                        let s = self.comp_reads.entry((x.span, n.clone())).or_insert(scope);
                        if *s != ReadScope::Free {
                            *s = scope;
                        }
                    }
                }
                true
            });
        }
        (elt, gens)
    }

    fn hide_targets_only(&mut self, elt: &Expr, gens: &[Comprehension]) -> (Expr, Vec<Comprehension>) {
        let tag = self.hidden_name("c");
        let mut map = HashMap::new();
        let mut out = Vec::new();
        for (i, g) in gens.iter().enumerate() {
            // The first iterable is evaluated outside; later ones see earlier targets.
            let iter = if i == 0 { g.iter.clone() } else { rename(&g.iter, &map) };
            let mut bound = Vec::new();
            target_names(&g.target, &mut bound);
            for n in bound {
                let h = format!("{tag}.{n}");
                self.locals.insert(h.clone());
                map.insert(n, h);
            }
            out.push(Comprehension {
                target: rename_target(&g.target, &map),
                iter,
                ifs: g.ifs.iter().map(|c| rename(c, &map)).collect(),
            });
        }
        let elt = rename(elt, &map);
        // A lambda in the comprehension reading one of its variables reads it
        // when called, after the loop has moved on (`[lambda: i for i in
        // range(3)]`: all read the last `i`): the variable gets a cell, new
        // for each run of the comprehension, as CPython's.
        let mut read: HashSet<String> = HashSet::new();
        let mut note = |e: &Expr| {
            crate::hir::walk_expr(e, &mut |x| {
                if let ExprKind::Lambda(ps, b) = &x.kind {
                    crate::hir::walk_expr(b, &mut |y| {
                        if let ExprKind::Name(n) = &y.kind {
                            if !ps.contains(n) && n.starts_with(&format!("{tag}.")) {
                                read.insert(n.clone());
                            }
                        }
                        true
                    });
                }
                true
            });
        };
        note(&elt);
        for (i, g) in out.iter().enumerate() {
            if i > 0 {
                note(&g.iter);
            }
            g.ifs.iter().for_each(&mut note);
        }
        let mut read: Vec<String> = read.into_iter().collect();
        read.sort();
        for h in read {
            self.escapes.cells.insert(h.clone());
            let c = self.emit_cur(Op::Cell, vec![], elt.span);
            let b = self.block();
            self.write_var(&cell_var(&h), b, c);
        }
        (elt, out)
    }

    /// The nested `for`/`if` statements of the clauses around `inner`.
    fn comp_loops(gens: &[Comprehension], inner: Vec<Stmt>, span: Span) -> Vec<Stmt> {
        let mut body = inner;
        for g in gens.iter().rev() {
            for c in g.ifs.iter().rev() {
                body = vec![stmt(StmtKind::If(c.clone(), body, vec![]), c.span)];
            }
            body = vec![stmt(
                StmtKind::For(g.target.clone(), g.iter.clone(), body, vec![]),
                span,
            )];
        }
        body
    }

    /// A new empty dict: `dict()` with the builtin `dict` (checked).
    pub(super) fn new_dict(&mut self, span: Span) -> CResult<Value> {
        if self.locals.contains("dict") {
            return Err(CompileError::unsupported(
                span,
                "dict displays in a function with a local named 'dict' are not supported",
            ));
        }
        let callee = self.emit_cur(Op::Global("dict".into()), vec![], span);
        self.emit_check("dict", vec![callee], span);
        Ok(self.emit_cur(Op::Call { kw: vec![] }, vec![callee], span))
    }

    /// `{k: v for ...}`: a new dict and a loop storing into it (the key
    /// evaluated before the value, as CPython 3.8+ does).
    pub(super) fn dict_comp(&mut self, k: &Expr, v: &Expr, gens: &[Comprehension], span: Span) -> CResult<Value> {
        let pair = Expr {
            kind: ExprKind::Tuple(vec![k.clone(), v.clone()]),
            span,
        };
        let (pair, gens) = self.hide_targets(&pair, gens, ReadScope::Comp);
        let ExprKind::Tuple(kv) = pair.kind else { unreachable!() };
        let acc = self.hidden_name("dict");
        self.locals.insert(acc.clone());
        let key = self.hidden_name("key");
        self.locals.insert(key.clone());
        let d = self.new_dict(span)?;
        let b = self.block();
        self.write_var(&acc, b, d);
        let sp = kv[0].span;
        let inner = vec![
            stmt(StmtKind::Assign(vec![Target::Name(key.clone(), sp)], kv[0].clone()), sp),
            stmt(
                StmtKind::Assign(
                    vec![Target::Subscript(name(&acc, sp), name(&key, sp), sp)],
                    kv[1].clone(),
                ),
                sp,
            ),
        ];
        let loops = Self::comp_loops(&gens, inner, span);
        self.stmts(&loops)?;
        let b = self.block();
        Ok(self.read_var(&acc, b, span))
    }

    /// A new empty set: `set()` with the builtin `set` (checked).
    pub(super) fn new_set(&mut self, span: Span) -> CResult<Value> {
        if self.locals.contains("set") {
            return Err(CompileError::unsupported(
                span,
                "set displays in a function with a local named 'set' are not supported",
            ));
        }
        let callee = self.emit_cur(Op::Global("set".into()), vec![], span);
        self.emit_check("set", vec![callee], span);
        Ok(self.emit_cur(Op::Call { kw: vec![] }, vec![callee], span))
    }

    /// `s.add(x)` (the method call the set displays and comprehensions make).
    pub(super) fn set_add(&mut self, s: Value, x: Value, span: Span) {
        self.emit_cur(
            Op::MethodCall {
                name: "add".into(),
                kw: vec![],
            },
            vec![s, x],
            span,
        );
    }

    /// `{elt for ...}`: a new set and a loop adding to it.
    pub(super) fn set_comp(&mut self, elt: &Expr, gens: &[Comprehension], span: Span) -> CResult<Value> {
        let (elt, gens) = self.hide_targets(elt, gens, ReadScope::Comp);
        let acc = self.hidden_name("set");
        self.locals.insert(acc.clone());
        let s = self.new_set(span)?;
        let b = self.block();
        self.write_var(&acc, b, s);
        let sp = elt.span;
        let add = Expr {
            kind: ExprKind::Call(
                Box::new(Expr {
                    kind: ExprKind::Attr(Box::new(name(&acc, sp)), "add".into()),
                    span: sp,
                }),
                vec![elt],
                vec![],
            ),
            span: sp,
        };
        let loops = Self::comp_loops(&gens, vec![stmt(StmtKind::Expr(add), sp)], span);
        self.stmts(&loops)?;
        let b = self.block();
        Ok(self.read_var(&acc, b, span))
    }

    /// `[elt for ...]`: a new list and a loop appending to it.
    pub(super) fn list_comp(&mut self, elt: &Expr, gens: &[Comprehension], span: Span) -> CResult<Value> {
        self.fold_gen(Fold::List, None, elt, gens, span, ReadScope::Comp)
    }

    /// `f(genexp)` for a builtin `f` that consumes a generator expression
    /// (`sum`, `min`, `max`, `any`, `all`, `list`), or `None` when `e` is not such a call.
    /// `map(f, xs, ...)` / `filter(f, xs)` as the argument of a fold
    /// (`list`, `sum`, `min`, `max`, `any`, `all`): the generator expression it
    /// is, `(f(x) for x in xs)` / `(x for x in xs if f(x))`, with a lambda's
    /// body in place of the call (its parameters the loop's targets; several
    /// iterables are zipped, as `map` does). The callee is checked to be the
    /// builtin first. `None` for anything else.
    fn map_as_genexp(&mut self, fold: &str, arg: &Expr) -> CResult<Option<Expr>> {
        let ExprKind::Call(g, margs, mkws) = &arg.kind else {
            return Ok(None);
        };
        let ExprKind::Name(gn) = &g.kind else { return Ok(None) };
        let is_fold = matches!(fold, "list" | "sum" | "min" | "max" | "any" | "all");
        let kind = match gn.as_str() {
            "map" if margs.len() >= 2 => "map",
            "filter" if margs.len() == 2 => "filter",
            _ => return Ok(None),
        };
        if !is_fold || !mkws.is_empty() || self.locals.contains(gn) || self.locals.contains(fold) {
            return Ok(None);
        }
        let (func, iters) = (&margs[0], &margs[1..]);
        let span = arg.span;
        // The loop's targets and the item (map) or condition (filter).
        let (targets, body): (Vec<String>, Expr) = match &func.kind {
            ExprKind::Lambda(params, body) if params.len() == iters.len() => (params.clone(), (**body).clone()),
            ExprKind::Name(_) | ExprKind::Attr(..) => {
                let xs: Vec<String> = iters.iter().map(|_| self.hidden_name("m")).collect();
                let call = Expr {
                    kind: ExprKind::Call(
                        Box::new(func.clone()),
                        xs.iter().map(|x| name(x, span)).collect(),
                        vec![],
                    ),
                    span,
                };
                (xs, call)
            }
            _ => return Ok(None),
        };
        let rf = self.expr(g)?;
        self.emit_check(kind, vec![rf], span);
        let target = match targets.as_slice() {
            [t] => Target::Name(t.clone(), span),
            ts => Target::Tuple(ts.iter().map(|t| Target::Name(t.clone(), span)).collect(), span),
        };
        let iter = match iters {
            [x] => x.clone(),
            xs => Expr {
                kind: ExprKind::Call(Box::new(name("zip", span)), xs.to_vec(), vec![]),
                span,
            },
        };
        let (elt, ifs) = if kind == "map" {
            (body, vec![])
        } else {
            (name(&targets[0], span), vec![body])
        };
        Ok(Some(Expr {
            kind: ExprKind::GenExp(
                Box::new(elt),
                vec![Comprehension { target, iter, ifs }],
                self.compensated_sum,
            ),
            span,
        }))
    }

    pub(super) fn gen_call(&mut self, e: &Expr) -> CResult<Option<Value>> {
        let ExprKind::Call(f, args, kws) = &e.kind else {
            return Ok(None);
        };
        let ExprKind::Name(n) = &f.kind else {
            return Ok(None);
        };
        // `sum(gen, start)`: as `sum(gen, start=start)`.
        let (arg, kws) = match (n.as_str(), args.as_slice()) {
            (_, [arg]) => (arg, kws.clone()),
            ("sum", [arg, start]) if kws.is_empty() && !matches!(start.kind, ExprKind::Starred(_)) => {
                (arg, vec![("start".to_string(), start.clone())])
            }
            _ => return Ok(None),
        };
        let kws = &kws;
        // `min/max(gen, default=d)`, `d` a literal or a name: nothing it does
        // can be seen, so it is read before the loop (CPython: after making
        // the generator, before iterating it).
        let default = match kws.as_slice() {
            [] => None,
            [(k, d)] if k == "default" && matches!(n.as_str(), "min" | "max") => {
                let simple = match &d.kind {
                    ExprKind::Lit(_) | ExprKind::Name(_) => true,
                    ExprKind::Unary(UnaryOp::Neg, x) => matches!(x.kind, ExprKind::Lit(_)),
                    _ => false,
                };
                if !simple {
                    return Ok(None);
                }
                Some(d)
            }
            // `sum(gen, start=s)`, `s` a number literal, a name or a NumPy
            // scalar of a literal (`np.float32(0)`): read before the loop, as
            // the sum's first value (its type checked a number: CPython's
            // TypeError for strings is left to CPython).
            [(k, d)] if k == "start" && n == "sum" => {
                let num = |e: &Expr| match &e.kind {
                    ExprKind::Lit(Literal::Int(_) | Literal::Float(_) | Literal::Bool(_)) => true,
                    ExprKind::Unary(UnaryOp::Neg, x) => {
                        matches!(x.kind, ExprKind::Lit(Literal::Int(_) | Literal::Float(_)))
                    }
                    _ => false,
                };
                let simple = match &d.kind {
                    ExprKind::Name(_) => true,
                    ExprKind::Call(c, cargs, ckws) => {
                        matches!(&c.kind, ExprKind::Attr(m, _) if matches!(m.kind, ExprKind::Name(_)))
                            && ckws.is_empty()
                            && matches!(cargs.as_slice(), [x] if num(x))
                    }
                    _ => num(d),
                };
                if !simple {
                    return Ok(None);
                }
                Some(d)
            }
            _ => return Ok(None),
        };
        if let Some(genexp) = self.map_as_genexp(n, arg)? {
            let call = Expr {
                kind: ExprKind::Call(f.clone(), vec![genexp], kws.clone()),
                span: e.span,
            };
            // (the function map() calls: a StopIteration it raises ends map's iteration)
            self.map_fold = true;
            let r = self.gen_call(&call);
            self.map_fold = false;
            return r;
        }
        if FOLD_NAMES.contains(&n.as_str())
            && !self.locals.contains(n)
            && kws.is_empty()
            && matches!(&arg.kind, ExprKind::Name(x) if self.iter_names.contains(x))
        {
            // `sum(it)` of an iterator the lowering steps: as `sum(x for x in it)`.
            return self.call_over_items(f, arg, kws, e.span);
        }
        if let ExprKind::Call(g, _, gkws) = &arg.kind {
            let folds = matches!(n.as_str(), "list" | "sum" | "min" | "max" | "any" | "all");
            if let ExprKind::Name(gn) = &g.kind {
                if folds && gkws.is_empty() && self.gens.contains_key(gn) && !self.locals.contains(gn) {
                    // `sum(gen(...))` of a compiled generator function: as `sum(x for x in gen(...))`,
                    // whose loop inlines the generator.
                    return self.call_over_items(f, arg, kws, e.span);
                }
            }
        }
        if n == "sum" && default.is_some() && !self.locals.contains(n) && self.builtin_call(arg, "range").is_some() {
            // `sum(range(...), start)`: as `sum((x for x in range(...)), start)`, the
            // loop over the range (without a start: CPython's sum of the range object).
            return self.call_over_items(f, arg, kws, e.span);
        }
        if default.is_some() && !matches!(arg.kind, ExprKind::GenExp(..)) {
            return Ok(None);
        }
        if n == "tuple" && kws.is_empty() && !self.locals.contains(n) {
            if let ExprKind::GenExp(elt, gens, _) = &arg.kind {
                return self.tuple_genexp(f, elt, gens, e.span);
            }
        }
        if n == "list" && !self.locals.contains(n) && self.builtin_call(arg, "range").is_some() {
            // `list(range(...))`: the loop over the range, appending.
            let v = Expr {
                kind: ExprKind::Name("%x".into()),
                span: arg.span,
            };
            let gens = vec![Comprehension {
                target: Target::Name("%x".into(), arg.span),
                iter: arg.clone(),
                ifs: vec![],
            }];
            let callee = self.expr(f)?;
            return Ok(Some(self.fold_gen(
                Fold::List,
                Some(("list", callee)),
                &v,
                &gens,
                e.span,
                ReadScope::Free,
            )?));
        }
        let ExprKind::GenExp(elt, gens, compensated) = &arg.kind else {
            return Ok(None);
        };
        if self.locals.contains(n) {
            return Ok(None);
        }
        let fold = match n.as_str() {
            "list" => Fold::List,
            "sum" => Fold::Sum,
            "any" => Fold::Any,
            "all" => Fold::All,
            "min" => Fold::Min,
            "max" => Fold::Max,
            _ => return Ok(None),
        };
        if fold == Fold::Sum && *compensated {
            // CPython 3.12+ sums floats with compensation: build the items' list
            // and let `sum` itself add them (the list is made natively).
            let callee = self.expr(f)?;
            let lst = self.fold_gen(Fold::List, None, elt, gens, arg.span, ReadScope::Free)?;
            let mut call = vec![callee, lst];
            if let Some(d) = default {
                call.push(self.expr(d)?);
            }
            return Ok(Some(self.emit_cur(Op::Call { kw: vec![] }, call, e.span)));
        }
        if matches!(fold, Fold::Any | Fold::All) && gens.len() != 1 {
            return Err(CompileError::unsupported(
                e.span,
                format!("{n}() of a generator expression with several `for` clauses is not supported yet"),
            ));
        }
        let callee = self.expr(f)?;
        Ok(Some(self.fold_gen_default(
            fold,
            Some((n.as_str(), callee)),
            elt,
            gens,
            default,
            e.span,
            ReadScope::Free,
        )?))
    }

    /// `f((x for x in arg), **kws)`: a fold over `arg`'s items as a generator
    /// expression, whose loop lowering compiles (`sum(gen(...))`, `sum(range(...), start)`).
    fn call_over_items(&mut self, f: &Expr, arg: &Expr, kws: &[(String, Expr)], span: Span) -> CResult<Option<Value>> {
        let x = self.hidden_name("x");
        let genexp = Expr {
            kind: ExprKind::GenExp(
                Box::new(name(&x, arg.span)),
                vec![Comprehension {
                    target: Target::Name(x, arg.span),
                    iter: arg.clone(),
                    ifs: vec![],
                }],
                self.compensated_sum,
            ),
            span: arg.span,
        };
        let call = Expr {
            kind: ExprKind::Call(Box::new(f.clone()), vec![genexp], kws.to_vec()),
            span,
        };
        self.gen_call(&call)
    }

    /// The length of the tuple `e` holds where lowering knows it: a tuple
    /// display, a name of known length (`star_lens`), `p.shape` of an array
    /// parameter of known `ndim` (`star_lens`'s `"p.shape"`).
    fn known_tuple_len(&self, e: &Expr) -> Option<usize> {
        if !self.inlining.is_empty() {
            return None;
        }
        match &e.kind {
            ExprKind::Tuple(es) if !es.iter().any(|x| matches!(x.kind, ExprKind::Starred(_))) => Some(es.len()),
            ExprKind::Name(n) => self.star_lens.get(n).copied(),
            ExprKind::Attr(x, a) if a == "shape" => match &x.kind {
                ExprKind::Name(n) => self.star_lens.get(&format!("{n}.shape")).copied(),
                _ => None,
            },
            _ => None,
        }
    }

    /// `tuple(elt for t in zip(a, b, ...))` (or `for t in a`) where every
    /// iterable is a tuple of a length known here: unrolled into the tuple
    /// display `(elt_0, ..., elt_{n-1})`, `n` the shortest length (zip's),
    /// the target bound to the items' `i`-th entries for `elt_i`. Where a
    /// length is not known the marker `Op::StarItems` asks for the source to
    /// be lowered again with the parameters' types (`star_lens`).
    fn tuple_genexp(&mut self, f: &Expr, elt: &Expr, gens: &[Comprehension], span: Span) -> CResult<Option<Value>> {
        let [g] = gens else { return Ok(None) };
        if !g.ifs.is_empty() {
            return Ok(None);
        }
        let (zip_f, operands): (Option<&Expr>, Vec<&Expr>) = match self.builtin_call(&g.iter, "zip") {
            Some((zf, args, kws)) if kws.is_empty() && !args.is_empty() => (Some(zf), args.iter().collect()),
            Some(_) => return Ok(None),
            None => (None, vec![&g.iter]),
        };
        if operands.iter().any(|a| matches!(a.kind, ExprKind::Starred(_))) {
            return Ok(None);
        }
        let lens: Option<Vec<usize>> = operands.iter().map(|a| self.known_tuple_len(a)).collect();
        let callee = self.expr(f)?;
        let Some(lens) = lens else {
            // (a marker: inference refuses it, see `Op::StarItems`)
            return Ok(Some(self.emit_cur(Op::StarItems, vec![callee], span)));
        };
        let (elt, gens) = self.hide_targets(elt, gens, ReadScope::Free);
        let target = &gens[0].target;
        // CPython's order: `tuple`, then the iterable (`zip`, its arguments, the call).
        let zf = match zip_f {
            Some(z) => Some(self.expr(z)?),
            None => None,
        };
        let mut vals = Vec::new();
        for a in &operands {
            vals.push(self.expr(a)?);
        }
        if let Some(zf) = zf {
            self.emit_check("zip", vec![zf], span);
        }
        let mut items = Vec::new();
        for (v, k) in vals.iter().zip(&lens) {
            let u = self.emit_cur(Op::Unpack(*k as u32), vec![*v], span);
            items.push(
                (0..*k)
                    .map(|i| self.emit_cur(Op::TupleGet(i as u32), vec![u], span))
                    .collect::<Vec<_>>(),
            );
        }
        self.emit_check("tuple", vec![callee], span);
        let n = lens.iter().copied().min().unwrap_or(0);
        // The items in hidden locals; the generator's body, `target = items_i;
        // out_i = elt` for each i, inside `try: ... except StopIteration as e:
        // raise RuntimeError("generator raised StopIteration") from e` (PEP 479:
        // a StopIteration leaving a generator's frame becomes that RuntimeError).
        let b = self.block();
        let mut names_ = Vec::with_capacity(items.len());
        for it in &items {
            let mut row = Vec::with_capacity(n);
            for &v in it.iter().take(n) {
                let h = self.hidden_name("item");
                self.locals.insert(h.clone());
                self.write_var(&h, b, v);
                row.push(h);
            }
            names_.push(row);
        }
        let mut body = Vec::with_capacity(2 * n);
        let mut outs = Vec::with_capacity(n);
        for i in 0..n {
            let v = if zip_f.is_some() {
                Expr {
                    kind: ExprKind::Tuple(names_.iter().map(|r| name(&r[i], span)).collect()),
                    span,
                }
            } else {
                name(&names_[0][i], span)
            };
            body.push(stmt(StmtKind::Assign(vec![target.clone()], v), span));
            let o = self.hidden_name("out");
            self.locals.insert(o.clone());
            body.push(stmt(
                StmtKind::Assign(vec![Target::Name(o.clone(), span)], elt.clone()),
                elt.span,
            ));
            outs.push(o);
        }
        if n > 0 {
            let t = self.pep479_try(body, span);
            self.stmts(&[t])?;
        }
        let b = self.block();
        let vals: Vec<Value> = outs.iter().map(|o| self.read_var(o, b, span)).collect();
        Ok(Some(self.emit_cur(Op::Tuple, vals, span)))
    }

    fn fold_gen(
        &mut self,
        fold: Fold,
        builtin: Option<(&str, Value)>,
        elt: &Expr,
        gens: &[Comprehension],
        span: Span,
        scope: ReadScope,
    ) -> CResult<Value> {
        self.fold_gen_default(fold, builtin, elt, gens, None, span, scope)
    }

    /// The fold of a generator expression; `default`: `min`/`max`'s value
    /// for no items (else their ValueError).
    #[allow(clippy::too_many_arguments)]
    fn fold_gen_default(
        &mut self,
        fold: Fold,
        builtin: Option<(&str, Value)>,
        elt: &Expr,
        gens: &[Comprehension],
        default: Option<&Expr>,
        span: Span,
        scope: ReadScope,
    ) -> CResult<Value> {
        // (a fold of map()/filter(): the function they call runs outside a generator's frame)
        let frame = if std::mem::take(&mut self.map_fold) {
            iters::Frame::Map
        } else {
            iters::Frame::Gen
        };
        let (elt, gens) = self.hide_targets(elt, gens, scope);
        let acc = self.hidden_name("acc");
        self.locals.insert(acc.clone());
        // `f` must still be the builtin (checked like `range` in a loop).
        let sum_callee = match builtin {
            Some((n, callee)) => {
                self.emit_check(n, vec![callee], span);
                Some(callee)
            }
            None => None,
        };
        let mut start = None;
        let default = match default {
            Some(d) if fold == Fold::Sum => {
                // `sum`'s start: its first value (a number: checked with the builtin).
                let v = self.expr(d)?;
                if let Some(c) = sum_callee {
                    self.emit_check("sum", vec![c, v], span);
                }
                start = Some(v);
                None
            }
            Some(d) => {
                let dv = self.hidden_name("default");
                self.locals.insert(dv.clone());
                let v = self.expr(d)?;
                let b = self.block();
                self.write_var(&dv, b, v);
                Some(dv)
            }
            None => None,
        };
        let init = match fold {
            Fold::List => Some(self.emit_cur(Op::List, vec![], span)),
            Fold::Sum => Some(start.unwrap_or_else(|| self.emit_cur(Op::Const(Const::Int(0)), vec![], span))),
            Fold::Any => Some(self.emit_cur(Op::Const(Const::Bool(false)), vec![], span)),
            Fold::All => Some(self.emit_cur(Op::Const(Const::Bool(true)), vec![], span)),
            Fold::Min | Fold::Max => None,
        };
        let has = self.hidden_name("has");
        self.locals.insert(has.clone());
        let item = self.hidden_name("item");
        self.locals.insert(item.clone());
        let b = self.block();
        if let Some(v) = init {
            self.write_var(&acc, b, v);
        } else {
            let f = self.emit_cur(Op::Const(Const::Bool(false)), vec![], span);
            let b = self.block();
            self.write_var(&has, b, f);
        }
        let sp = elt.span;
        let (elt_copy, elt_span) = (elt.clone(), span);
        let assign = |n: &str, e: Expr| stmt(StmtKind::Assign(vec![Target::Name(n.to_string(), sp)], e), sp);
        let inner = match fold {
            Fold::List => vec![stmt(
                StmtKind::Expr(Expr {
                    kind: ExprKind::Call(
                        Box::new(Expr {
                            kind: ExprKind::Attr(Box::new(name(&acc, sp)), "append".into()),
                            span: sp,
                        }),
                        vec![elt],
                        vec![],
                    ),
                    span: sp,
                }),
                sp,
            )],
            Fold::Sum => vec![assign(
                &acc,
                Expr {
                    kind: ExprKind::Bin(BinOp::Add, Box::new(name(&acc, sp)), Box::new(elt)),
                    span: sp,
                },
            )],
            Fold::Any | Fold::All => {
                let found = Expr {
                    kind: ExprKind::Lit(Literal::Bool(fold == Fold::Any)),
                    span: sp,
                };
                let test = if fold == Fold::Any {
                    elt
                } else {
                    Expr {
                        kind: ExprKind::Unary(UnaryOp::Not, Box::new(elt)),
                        span: sp,
                    }
                };
                vec![stmt(
                    StmtKind::If(test, vec![assign(&acc, found), stmt(StmtKind::Break, sp)], vec![]),
                    sp,
                )]
            }
            Fold::Min | Fold::Max => {
                // CPython's min/max: the first item, then each item that compares
                // below (min) / above (max) the current one.
                let op = if fold == Fold::Min { CmpOp::Lt } else { CmpOp::Gt };
                let better = Expr {
                    kind: ExprKind::Compare(Box::new(name(&item, sp)), vec![(op, name(&acc, sp))]),
                    span: sp,
                };
                let t = Expr {
                    kind: ExprKind::Lit(Literal::Bool(true)),
                    span: sp,
                };
                vec![
                    assign(&item, elt),
                    stmt(
                        StmtKind::If(
                            name(&has, sp),
                            vec![stmt(
                                StmtKind::If(better, vec![assign(&acc, name(&item, sp))], vec![]),
                                sp,
                            )],
                            vec![assign(&acc, name(&item, sp)), assign(&has, t)],
                        ),
                        sp,
                    ),
                ]
            }
        };
        let loops = Self::comp_loops(&gens, inner, span);
        if scope == ReadScope::Free {
            // A generator expression's code runs in its own frame (PEP 479).
            self.gen_frame_loops(loops, &elt_copy, &gens, frame, elt_span)?;
        } else {
            self.stmts(&loops)?;
        }
        if let (Fold::Min | Fold::Max, Some(dv)) = (fold, &default) {
            // Empty: the default.
            let empty = Expr {
                kind: ExprKind::Unary(UnaryOp::Not, Box::new(name(&has, span))),
                span,
            };
            let set = stmt(
                StmtKind::Assign(vec![Target::Name(acc.clone(), span)], name(dv, span)),
                span,
            );
            self.stmt(&stmt(StmtKind::If(empty, vec![set], vec![]), span))?;
        } else if matches!(fold, Fold::Min | Fold::Max) {
            // Empty: the builtin's own ValueError (`max(())` raises the message
            // an empty generator gets, on every CPython version).
            let (n, _) = builtin.unwrap();
            let raise = stmt(
                StmtKind::Raise(Some(Expr {
                    kind: ExprKind::Call(
                        Box::new(name(n, span)),
                        vec![Expr {
                            kind: ExprKind::Tuple(vec![]),
                            span,
                        }],
                        vec![],
                    ),
                    span,
                })),
                span,
            );
            let empty = Expr {
                kind: ExprKind::Unary(UnaryOp::Not, Box::new(name(&has, span))),
                span,
            };
            self.stmt(&stmt(StmtKind::If(empty, vec![raise], vec![]), span))?;
        }
        let b = self.block();
        Ok(self.read_var(&acc, b, span))
    }
}
