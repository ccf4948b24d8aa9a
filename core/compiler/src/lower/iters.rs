//! Iterators as values: `it = iter(x)` (or `zip(...)`, `enumerate(...)`,
//! `reversed(...)`, `np.ndindex(...)`, `np.ndenumerate(...)`, which are
//! their own iterators) bound to a local that is only stepped in the
//! function: `next(it)`, `next(it, default)`, `for t in it:` (also a
//! comprehension's), `sum/min/max/any/all/list(it)`, or another such local
//! bound to it (`it2 = it`, `it2 = iter(it)`: the same iterator, as
//! `iter(it) is it`). Such a local is no variable of the IR: its state is
//! what a `for` loop over the same iterable keeps (`setup_source`'s hidden
//! variables) plus `k`, the number of items taken, in a hidden variable, so
//! a loop continues where `next` left off and every use steps the one
//! iterator. An item is taken where the loop lowering reads one (`k < n`,
//! then `seq[k]`): a list's length is re-read at each test (an item appended
//! is seen), a dict's, set's or view's `n` is CPython's own iterator
//! ([`crate::types::Ty::Iter`]: its order and `RuntimeError`s). An iterator
//! that ran out keeps `k` at [`EXHAUSTED`], as CPython's list iterator forgets
//! its list (an item appended later is not seen).
//!
//! `next` of an exhausted iterator raises `StopIteration()` (`Op::Exhausted`),
//! which compiled handlers catch as a tagged word; inside a generator
//! expression's frame (a fold's item, `next(genexp)`'s, an inlined
//! generator's body) it is PEP 479's `RuntimeError`.
//!
//! Anything else (the iterator returned, passed to a call, stored, bound
//! twice, used before its binding or in a lambda) leaves the local alone:
//! `iter`/`next` then do not type and the function runs as Python.
//!
//! Generator expressions: `next(genexp[, default])` is the loop up to the
//! first item; a fold's (`sum(genexp)`, ...) item that may raise a
//! StopIteration (it calls something that is not a builtin, a NumPy function
//! or a method of a value) is wrapped in PEP 479's `except StopIteration:
//! raise RuntimeError(...) from e` (only then: the handler costs hot folds
//! 2.5x, measured).

use super::comp::name;
use super::*;

/// `k` of an iterator that ran out: no length reaches it, so every later test fails.
pub(super) const EXHAUSTED: i64 = 1 << 62;

/// A local iterator's state.
#[derive(Clone)]
pub(super) struct IterState {
    st: St,
    /// The trip count (`len seq`; zip's smallest).
    n: Value,
    /// The hidden variable counting the items taken.
    k: String,
    /// Sequences whose length is re-checked at each step (zip's lists with the
    /// iterator's count; reversed lists with their index variable).
    checks: Vec<(Value, Option<String>)>,
}

/// What runs a generator expression's code (see [`Lowerer::gen_frames`]).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Frame {
    /// A generator's frame: a StopIteration leaving it is PEP 479's RuntimeError.
    Gen,
    /// The function `map()`/`filter()` call: a StopIteration it raises ends
    /// their iteration (not compiled: see [`Lowerer::exhausted`]).
    Map,
}

/// Builtins a generator expression may call without a StopIteration leaving
/// them (on the values compiled code holds); checked to be the builtins.
const STOP_FREE: &[&str] = &[
    "abs",
    "min",
    "max",
    "len",
    "int",
    "float",
    "bool",
    "round",
    "complex",
    "range",
    "isinstance",
    "hasattr",
    "getattr",
    "str",
    "repr",
    "format",
    "ord",
    "chr",
    "hex",
    "oct",
    "bin",
    "sum",
    "sorted",
    "any",
    "all",
    "list",
    "dict",
    "set",
    "tuple",
    "enumerate",
    "zip",
    "reversed",
    "print",
    "divmod",
    "pow",
];

const FOLDS: &[&str] = &["list", "sum", "min", "max", "any", "all"];

fn stmt(kind: StmtKind, span: Span) -> Stmt {
    Stmt { kind, span }
}

/// Every statement list of `body`, nested ones included (not nested `def`s' bodies).
fn each_list<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a [Stmt])) {
    f(body);
    for s in body {
        match &s.kind {
            StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
                each_list(a, f);
                each_list(b, f);
            }
            StmtKind::Try(a, hs, b, c) => {
                each_list(a, f);
                for h in hs {
                    each_list(&h.body, f);
                }
                each_list(b, f);
                each_list(c, f);
            }
            _ => {}
        }
    }
}

/// How often `n` occurs in `body`: read, bound, deleted, a lambda's
/// parameter, a comprehension's target, a nested function's name or any
/// occurrence in its code.
fn occurrences(body: &[Stmt], n: &str) -> usize {
    fn target(t: &Target, n: &str) -> usize {
        match t {
            Target::Name(m, _) => usize::from(m == n),
            Target::Tuple(ts, _) => ts.iter().map(|t| target(t, n)).sum(),
            Target::Subscript(..) | Target::Attr(..) => 0,
        }
    }
    let mut c = 0;
    each_list(body, &mut |l| {
        for s in l {
            c += match &s.kind {
                StmtKind::Assign(ts, _) | StmtKind::Delete(ts) => ts.iter().map(|t| target(t, n)).sum(),
                StmtKind::AugAssign(t, _, _) | StmtKind::Yield(Some(t), _) | StmtKind::For(t, ..) => target(t, n),
                StmtKind::Try(_, hs, _, _) => hs.iter().filter(|h| h.name.as_deref() == Some(n)).count(),
                StmtKind::Nonlocal(ns) => ns.iter().filter(|m| *m == n).count(),
                StmtKind::Def(d) => {
                    usize::from(d.name == n) + d.params.iter().filter(|p| *p == n).count() + occurrences(&d.body, n)
                }
                _ => 0,
            };
        }
    });
    walk_stmts(body, &mut |e| {
        c += match &e.kind {
            ExprKind::Name(m) => usize::from(m == n),
            ExprKind::Lambda(ps, _) => ps.iter().filter(|p| *p == n).count(),
            ExprKind::ListComp(_, cs)
            | ExprKind::GenExp(_, cs, _)
            | ExprKind::SetComp(_, cs)
            | ExprKind::DictComp(_, _, cs) => cs.iter().map(|g| target(&g.target, n)).sum(),
            _ => 0,
        };
        true
    });
    c
}

/// What a binding `name = value` of an iterator local binds.
enum Binding<'e> {
    /// A new iterator (`iter(x)`, or a call that makes one).
    New,
    /// The iterator another local holds (`other`, `iter(other)`; with `iter`'s callee).
    Alias(&'e str, Option<&'e Expr>),
}

impl Lowerer {
    /// `iter(x)` of the builtin `iter` (one positional argument): `x`, with the callee.
    pub(super) fn iter_call<'e>(&self, e: &'e Expr) -> Option<(&'e Expr, &'e Expr)> {
        match self.builtin_call(e, "iter") {
            Some((f, [x], [])) if !matches!(x.kind, ExprKind::Starred(_)) => Some((f, x)),
            _ => None,
        }
    }

    fn binding<'e>(&self, v: &'e Expr) -> Option<Binding<'e>> {
        if let ExprKind::Name(m) = &v.kind {
            return Some(Binding::Alias(m, None));
        }
        if let Some((f, x)) = self.iter_call(v) {
            return Some(match &x.kind {
                ExprKind::Name(m) => Binding::Alias(m, Some(f)),
                _ => Binding::New,
            });
        }
        self.composite_source(v).map(|_| Binding::New)
    }

    /// Whether `e` is `name` or `iter(name)`.
    fn refers_to(&self, e: &Expr, n: &str) -> bool {
        match &e.kind {
            ExprKind::Name(m) => m == n,
            _ => self
                .iter_call(e)
                .is_some_and(|(_, x)| matches!(&x.kind, ExprKind::Name(m) if m == n)),
        }
    }

    /// The uses of `n` in `body` that step the iterator it holds (`cands`:
    /// the locals that may hold iterators, for the bindings of other ones).
    fn stepping_uses(&self, body: &[Stmt], n: &str, cands: &HashSet<String>) -> usize {
        let mut c = 0;
        each_list(body, &mut |l| {
            for s in l {
                c += match &s.kind {
                    StmtKind::For(_, it, _, _) => usize::from(self.refers_to(it, n)),
                    StmtKind::Assign(ts, v) => match (ts.as_slice(), self.binding(v)) {
                        ([Target::Name(m, _)], Some(Binding::Alias(x, _))) => usize::from(x == n && cands.contains(m)),
                        _ => 0,
                    },
                    _ => 0,
                };
            }
        });
        walk_stmts(body, &mut |e| match &e.kind {
            // (a use inside a lambda is not one: the lambda may run elsewhere)
            ExprKind::Lambda(..) => false,
            ExprKind::Call(f, args, kws) => {
                if let ExprKind::Name(fname) = &f.kind {
                    let builtin = !self.locals.contains(fname) && !self.funcs.contains_key(fname);
                    let stepped = match (fname.as_str(), args.as_slice()) {
                        ("next", [a] | [a, _]) => kws.is_empty() && self.refers_to(a, n),
                        (fold, [a]) if FOLDS.contains(&fold) => kws.is_empty() && self.refers_to(a, n),
                        _ => false,
                    };
                    c += usize::from(builtin && stepped);
                }
                true
            }
            ExprKind::ListComp(_, cs)
            | ExprKind::GenExp(_, cs, _)
            | ExprKind::SetComp(_, cs)
            | ExprKind::DictComp(_, _, cs) => {
                c += cs.iter().filter(|g| self.refers_to(&g.iter, n)).count();
                true
            }
            _ => true,
        });
        c
    }

    /// The locals of `body` that hold iterators this lowering steps itself
    /// (see the module's documentation): each bound once, by a statement
    /// `name = <iterator>`, every other occurrence a stepping use after that
    /// statement in the statement list that holds it (so the binding runs
    /// before every use, and no other binding can reach one).
    pub(super) fn iterator_locals(&self, body: &[Stmt], params: &[String]) -> HashSet<String> {
        // Candidates, with the statement list and index of their binding.
        let mut bound: HashMap<String, Vec<(&[Stmt], usize)>> = HashMap::new();
        each_list(body, &mut |l| {
            for (i, s) in l.iter().enumerate() {
                if let StmtKind::Assign(ts, v) = &s.kind {
                    if let ([Target::Name(n, _)], Some(_)) = (ts.as_slice(), self.binding(v)) {
                        bound.entry(n.clone()).or_default().push((l, i));
                    }
                }
            }
        });
        let mut cands: HashSet<String> = bound
            .iter()
            .filter(|(n, b)| b.len() == 1 && !params.contains(n) && !n.starts_with('%'))
            .map(|(n, _)| n.clone())
            .collect();
        let totals: HashMap<String, usize> = cands.iter().map(|n| (n.clone(), occurrences(body, n))).collect();
        loop {
            let keep: HashSet<String> = cands
                .iter()
                .filter(|n| {
                    let (l, i) = bound[*n][0];
                    let StmtKind::Assign(_, v) = &l[i].kind else {
                        return false;
                    };
                    if let Some(Binding::Alias(m, f)) = self.binding(v) {
                        // (`iter(x)` of a value that is no iterator local: a new iterator)
                        if (f.is_none() && !cands.contains(m)) || m == n.as_str() {
                            return false;
                        }
                    }
                    let after = &l[i + 1..];
                    let occ = occurrences(after, n);
                    totals[*n] == occ + 1 && self.stepping_uses(after, n, &cands) == occ
                })
                .cloned()
                .collect();
            if keep.len() == cands.len() {
                return keep;
            }
            cands = keep;
        }
    }

    /// The parameters the call binds to iterators (`"p.iter"` in
    /// `star_lens`: the specialization's key has them as [`Ty::PyIter`]) that
    /// the body only steps: they are iterator locals bound on entry, so that
    /// `next(p)` steps the iterator and a later `for x in p:` goes on from
    /// there (for an iterator, `iter(p)` is `p`). Not one that is bound again
    /// or used otherwise (returned, passed on, read in a lambda).
    ///
    /// [`Ty::PyIter`]: crate::types::Ty::PyIter
    pub(super) fn iterator_params(&self, body: &[Stmt], params: &[String]) -> Vec<String> {
        let cands: HashSet<String> = params
            .iter()
            .filter(|p| self.star_lens.contains_key(&format!("{p}.iter")))
            .cloned()
            .collect();
        params
            .iter()
            .filter(|p| cands.contains(*p))
            .filter(|p| {
                let occ = occurrences(body, p);
                occ > 0 && self.stepping_uses(body, p, &cands) == occ
            })
            .cloned()
            .collect()
    }

    /// An iterator parameter's state (see [`Lowerer::iterator_params`]), made on entry.
    pub(super) fn bind_iterator_param(&mut self, p: &str, span: Span) -> CResult<()> {
        let e = Expr {
            kind: ExprKind::Name(p.to_string()),
            span,
        };
        // (the parameter's value itself, read once here)
        self.iter_names.remove(p);
        let st = self.iter_state(&e);
        self.iter_names.insert(p.to_string());
        self.iters.insert(p.to_string(), st?);
        Ok(())
    }

    /// `name = value` of an iterator local (`self.iter_names`): its state,
    /// made or taken from the local it aliases.
    pub(super) fn bind_iterator(&mut self, n: &str, v: &Expr, span: Span) -> CResult<()> {
        let st = match self.binding(v) {
            Some(Binding::Alias(m, Some(_))) if !self.iter_names.contains(m) => self.iter_state(v)?,
            Some(Binding::Alias(m, f)) => {
                let Some(st) = self.iters.get(m).cloned() else {
                    return Err(CompileError::internal(format!(
                        "iterator '{m}' used before its binding"
                    )));
                };
                if let Some(f) = f {
                    let rf = self.expr(f)?;
                    self.emit_check("iter", vec![rf], span);
                }
                st
            }
            Some(Binding::New) => self.iter_state(v)?,
            None => return Err(CompileError::internal("an iterator local bound to something else")),
        };
        self.iters.insert(n.to_string(), st);
        Ok(())
    }

    /// A new iterator over `e` (`iter(x)`, or a call making an iterator),
    /// evaluated in CPython's order (`iter`, then `x` with its own calls).
    fn iter_state(&mut self, e: &Expr) -> CResult<IterState> {
        let (callee, x) = match self.iter_call(e) {
            Some((f, x)) => (Some(f), x),
            None => (None, e),
        };
        let rf = match callee {
            Some(f) => Some(self.expr(f)?),
            None => None,
        };
        let span = e.span;
        let src = self.source(x);
        let mut counts = Vec::new();
        let saved = std::mem::take(&mut self.zip_seqs);
        let saved_rev = std::mem::take(&mut self.rev_seqs);
        let st = self.setup_source(&src, x.span, &mut counts);
        let seqs = std::mem::replace(&mut self.zip_seqs, saved);
        let revs = std::mem::replace(&mut self.rev_seqs, saved_rev);
        let st = st?;
        if let Some(rf) = rf {
            self.emit_check("iter", vec![rf], span);
        }
        let mut n = counts[0];
        for m in &counts[1..] {
            n = self.min_count(n, *m, span);
        }
        let k = self.hidden_name("it");
        let zero = self.emit_cur(Op::Const(Const::Int(0)), vec![], span);
        let b = self.block_for_write();
        self.write_var(&k, b, zero);
        let checks = seqs
            .into_iter()
            .map(|s| (s, None))
            .chain(revs.into_iter().map(|(s, v)| (s, Some(v))))
            .collect();
        Ok(IterState { st, n, k, checks })
    }

    /// The iterator `e` stands for where one is stepped: an iterator local
    /// (or `iter()` of one), or a new one (`iter(x)`, a call making one).
    /// `None` (nothing evaluated) for anything else.
    pub(super) fn stepped_iterator(&mut self, e: &Expr) -> CResult<Option<IterState>> {
        if let ExprKind::Name(n) = &e.kind {
            if !self.iter_names.contains(n) {
                return Ok(None);
            }
            return match self.iters.get(n) {
                Some(st) => Ok(Some(st.clone())),
                None => Err(CompileError::internal(format!(
                    "iterator '{n}' used before its binding"
                ))),
            };
        }
        if let Some((f, x)) = self.iter_call(e) {
            if let ExprKind::Name(n) = &x.kind {
                if self.iter_names.contains(n) {
                    let rf = self.expr(f)?;
                    self.emit_check("iter", vec![rf], e.span);
                    return self.stepped_iterator(x);
                }
            }
            return self.iter_state(e).map(Some);
        }
        if self.composite_source(e).is_some() {
            return self.iter_state(e).map(Some);
        }
        Ok(None)
    }

    /// Whether `e` is an iterator [`Lowerer::stepped_iterator`] takes.
    fn is_stepped_iterator(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => self.iter_names.contains(n),
            _ => self.iter_call(e).is_some() || self.composite_source(e).is_some(),
        }
    }

    /// Tests whether the iterator has an item: on in a new block (the current
    /// one on return) if it has, to `none` if not. Returns the count of items
    /// taken that the test read.
    fn iter_test(&mut self, s: &IterState, none: Block, span: Span) -> Value {
        let b = self.block();
        let k = self.read_var(&s.k, b, span);
        self.iter_test_at(s, k, none, span);
        k
    }

    /// [`Lowerer::iter_test`] with `k` the count of items taken.
    fn iter_test_at(&mut self, s: &IterState, k: Value, none: Block, span: Span) {
        let b = self.block();
        let c = self.emit(b, Op::Cmp(CmpOp::Lt), vec![k, s.n], span);
        let branch = |l: &mut Self, b: Block, c: Value| {
            let next = l.new_block();
            l.terminate(
                b,
                Term::Br(
                    c,
                    Edge {
                        block: next,
                        args: vec![],
                    },
                    Edge {
                        block: none,
                        args: vec![],
                    },
                ),
                span,
            );
            l.seal(next);
            l.cur = Some(next);
        };
        branch(self, b, c);
        for (seq, var) in &s.checks {
            let b = self.block();
            let idx = match var {
                None => k,
                Some(v) => self.read_var(v, b, span),
            };
            let len = self.emit(b, Op::Len, vec![*seq], span);
            let more = self.emit(b, Op::Cmp(CmpOp::Lt), vec![idx, len], span);
            branch(self, b, more);
        }
    }

    /// Takes the item the test found (`k`: the count it read): the item, the
    /// iterator's variables stepped (in a block of their own inside a `try`
    /// body, so that a handler sees them stepped exactly when the item was taken).
    fn iter_take(&mut self, s: &IterState, k: Value, span: Span) -> Value {
        let item = self.source_item(&s.st, k, span);
        let one = self.emit_cur(Op::Const(Const::Int(1)), vec![], span);
        let k1 = self.emit_cur(Op::RangeNext, vec![k, one], span);
        let mut writes = vec![(s.k.clone(), k1)];
        self.source_step_writes(&s.st, span, &mut writes);
        let b = self.block_for_write();
        for (n, v) in writes {
            self.write_var(&n, b, v);
        }
        item
    }

    /// [`EXHAUSTED`], made before the blocks that mark an iterator run out
    /// (an exceptional edge passes the values its block starts with).
    fn exhausted_const(&mut self, span: Span) -> Value {
        self.emit_cur(Op::Const(Const::Int(EXHAUSTED)), vec![], span)
    }

    /// Raises what `next()` of an exhausted iterator raises here: StopIteration,
    /// or PEP 479's RuntimeError inside a generator's frame; the block ends.
    fn exhausted(&mut self, span: Span) -> CResult<()> {
        let pep479 = match self.gen_frames.last() {
            Some(&(depth, kind)) if depth == self.handlers.len() => match kind {
                Frame::Gen => true,
                Frame::Map => return Err(CompileError::unsupported(
                    span,
                    "next() of an exhausted iterator inside the function map() or filter() calls is not supported yet",
                )),
            },
            _ => false,
        };
        let b = self.block();
        let span = self.tagged(span);
        self.f.block_mut(b).insts.push(Inst {
            result: None,
            op: Op::Exhausted { pep479 },
            args: vec![],
            span,
        });
        self.terminate(b, Term::Unreachable, span);
        self.cur = None;
        Ok(())
    }

    /// Whether `body` steps the iterator `st` (through any local holding it).
    fn steps(&self, body: &[Stmt], st: &IterState) -> bool {
        self.iters.iter().any(|(n, s)| s.k == st.k && occurrences(body, n) > 0)
    }

    /// `for target in <iterator>`: the loop steps the iterator's own state
    /// (an item taken at the top of the body: a `break` leaves it taken).
    /// Where the body does not step the iterator itself, the loop counts with
    /// a counter of its own stepped at the back edge, from the items taken so
    /// far: the counted loop the numeric passes know (a `for` loop's shape).
    pub(super) fn for_iterator(
        &mut self,
        st: &IterState,
        target: &Target,
        body: &[Stmt],
        orelse: &[Stmt],
        span: Span,
    ) -> CResult<()> {
        let ex = self.exhausted_const(span);
        let counter = (!self.steps(body, st)).then(|| self.hidden_name("ik"));
        if let Some(c) = &counter {
            let b = self.block();
            let k0 = self.read_var(&st.k, b, span);
            let b = self.block_for_write();
            self.write_var(c, b, k0);
        }
        let header = self.new_block();
        self.jump(header, vec![], span);
        self.cur = Some(header);
        let (latch, eb, after) = (self.new_block(), self.new_block(), self.new_block());
        let k = match &counter {
            Some(c) => {
                let k = self.read_var(c, header, span);
                self.iter_test_at(st, k, eb, span);
                k
            }
            None => self.iter_test(st, eb, span),
        };
        let item = self.iter_take(st, k, span);
        self.assign(target, item)?;
        self.loops.push((latch, after));
        self.loop_fin.push(self.fin.len());
        let r = self.stmts(body);
        self.loops.pop();
        self.loop_fin.pop();
        r?;
        self.jump(latch, vec![], span);
        self.seal(latch);
        if self.preds[latch.0 as usize].is_empty() {
            self.cur = None;
        } else {
            self.cur = Some(latch);
            if let Some(c) = &counter {
                let k = self.read_var(c, latch, span);
                let one = self.emit(latch, Op::Const(Const::Int(1)), vec![], span);
                let k1 = self.emit(latch, Op::RangeNext, vec![k, one], span);
                self.write_var(c, latch, k1);
            }
            self.jump(header, vec![], span);
        }
        self.seal(header);
        self.seal(eb);
        self.cur = Some(eb);
        self.write_var(&st.k, eb, ex);
        self.stmts(orelse)?;
        self.jump(after, vec![], span);
        self.seal(after);
        self.cur = if self.preds[after.0 as usize].is_empty() {
            None
        } else {
            Some(after)
        };
        Ok(())
    }

    /// `next(it)` / `next(it, default)` of an iterator lowering steps, and
    /// `next(genexp[, default])`. `None` (nothing emitted) for other calls.
    pub(super) fn next_call(&mut self, e: &Expr) -> CResult<Option<Value>> {
        let Some((f, args, [])) = self.builtin_call(e, "next") else {
            return Ok(None);
        };
        if self.funcs.contains_key("next") || !(1..=2).contains(&args.len()) {
            return Ok(None);
        }
        if args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_))) {
            return Ok(None);
        }
        let span = e.span;
        if let ExprKind::GenExp(elt, gens, _) = &args[0].kind {
            return self.next_genexp(f, elt, gens, args.get(1), span).map(Some);
        }
        if !self.is_stepped_iterator(&args[0]) {
            return Ok(None);
        }
        if !self.gen_inline.is_empty() && self.gen_frames.is_empty() {
            return Err(CompileError::internal("an inlined generator's frame"));
        }
        let nf = self.expr(f)?;
        let Some(st) = self.stepped_iterator(&args[0])? else {
            return Err(CompileError::internal("next() of no iterator"));
        };
        let dflt = match args.get(1) {
            Some(d) => Some(self.expr(d)?),
            None => None,
        };
        self.emit_check("next", vec![nf], span);
        let ex = self.exhausted_const(span);
        let res = self.hidden_name("next");
        let (none, join) = (self.new_block(), self.new_block());
        let k = self.iter_test(&st, none, span);
        let item = self.iter_take(&st, k, span);
        let b = self.block();
        self.write_var(&res, b, item);
        self.jump(join, vec![], span);
        self.seal(none);
        self.cur = Some(none);
        self.write_var(&st.k, none, ex);
        match dflt {
            Some(d) => {
                self.write_var(&res, none, d);
                self.jump(join, vec![], span);
            }
            None => self.exhausted(span)?,
        }
        self.seal(join);
        self.cur = Some(join);
        Ok(Some(self.read_var(&res, join, span)))
    }

    /// `next(elt for ... , default)`: the generator's loops up to the first
    /// item (several `for` clauses leave theirs by a flag), the default (or
    /// `next`'s StopIteration) when there is none. The default is evaluated
    /// where CPython evaluates it: after the generator is made (its first
    /// iterable evaluated, `iter()` called on it), before it runs.
    fn next_genexp(
        &mut self,
        f: &Expr,
        elt: &Expr,
        gens: &[Comprehension],
        default: Option<&Expr>,
        span: Span,
    ) -> CResult<Value> {
        let nf = self.expr(f)?;
        self.emit_check("next", vec![nf], span);
        let (elt, gens) = self.hide_targets(elt, gens, ReadScope::Free);
        let found = self.hidden_name("found");
        let acc = self.hidden_name("first");
        let dflt = self.hidden_name("default");
        for n in [&found, &acc, &dflt] {
            self.locals.insert(n.clone());
        }
        let no = self.emit_cur(Op::Const(Const::Bool(false)), vec![], span);
        let b = self.block_for_write();
        self.write_var(&found, b, no);
        if let Some(d) = default {
            // (a compiled generator's loop is inlined: its call's arguments are
            // evaluated inside it, so only a default that cannot be seen is read first)
            let gen_call = matches!(&gens[0].iter.kind, ExprKind::Call(c, _, _)
                if matches!(&c.kind, ExprKind::Name(g) if self.gens.contains_key(g) && !self.locals.contains(g)));
            if gen_call {
                if !(const_expr(d) || matches!(d.kind, ExprKind::Name(_))) {
                    return Err(CompileError::unsupported(
                        d.span,
                        "next() of a generator expression over a generator call with this default is not supported yet",
                    ));
                }
                let v = self.expr(d)?;
                let b = self.block_for_write();
                self.write_var(&dflt, b, v);
            } else {
                self.pending = Some((dflt.clone(), d.clone()));
            }
        }
        let sp = elt.span;
        let assign = |n: &str, e: Expr| stmt(StmtKind::Assign(vec![Target::Name(n.to_string(), sp)], e), sp);
        let yes = Expr {
            kind: ExprKind::Lit(Literal::Bool(true)),
            span: sp,
        };
        let mut body = vec![
            assign(&acc, elt.clone()),
            assign(&found, yes),
            stmt(StmtKind::Break, sp),
        ];
        for (i, g) in gens.iter().enumerate().rev() {
            for c in g.ifs.iter().rev() {
                body = vec![stmt(StmtKind::If(c.clone(), body, vec![]), c.span)];
            }
            let lp = stmt(StmtKind::For(g.target.clone(), g.iter.clone(), body, vec![]), span);
            body = if i > 0 {
                vec![
                    lp,
                    stmt(
                        StmtKind::If(name(&found, sp), vec![stmt(StmtKind::Break, sp)], vec![]),
                        sp,
                    ),
                ]
            } else {
                vec![lp]
            };
        }
        self.gen_frame_loops(body, &elt, &gens, Frame::Gen, span)?;
        if self.pending.take().is_some() {
            return Err(CompileError::internal("next()'s default was not evaluated"));
        }
        // No item: the default, or next()'s StopIteration (outside the generator).
        let b = self.block();
        let fv = self.read_var(&found, b, span);
        let (tb, eb) = (self.new_block(), self.new_block());
        self.branch(b, fv, tb, eb, span);
        self.cur = Some(eb);
        if default.is_some() {
            let d = self.read_var(&dflt, eb, span);
            self.write_var(&acc, eb, d);
            self.jump(tb, vec![], span);
        } else {
            self.exhausted(span)?;
        }
        self.cur = Some(tb);
        Ok(self.read_var(&acc, tb, span))
    }

    /// The loops of a generator expression, `loops`, run in a generator's frame:
    /// a StopIteration that leaves them becomes PEP 479's RuntimeError, by
    /// `next`'s own lowering, or (where something else may raise one) by a
    /// handler around them.
    pub(super) fn gen_frame_loops(
        &mut self,
        loops: Vec<Stmt>,
        elt: &Expr,
        gens: &[Comprehension],
        kind: Frame,
        span: Span,
    ) -> CResult<()> {
        let mut inside: Vec<&Expr> = vec![elt];
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                inside.push(&g.iter);
            }
            inside.extend(g.ifs.iter());
        }
        let wrap = match (kind, self.stop_free(&inside)) {
            (Frame::Map, _) => false,
            (Frame::Gen, Some(checks)) => {
                // (each callee taken for a builtin is checked to be one)
                for c in checks {
                    let v = self.name(&c, span);
                    self.emit_check("known", vec![v], span);
                }
                false
            }
            (Frame::Gen, None) => true,
        };
        let loops = if wrap {
            vec![self.pep479_try(loops, span)]
        } else {
            loops
        };
        self.gen_frames.push((self.handlers.len(), kind));
        let r = self.stmts(&loops);
        self.gen_frames.pop();
        r
    }

    /// Whether no StopIteration can come out of evaluating `exprs` but from
    /// `next()` lowered here: every call is of a builtin of [`STOP_FREE`] (a
    /// `key=` of them a lambda), `next` of an iterator the lowering steps, a
    /// method of a value or a function of a module. `Some` with the callees
    /// (and module names) to check, `None` where a call may raise one.
    fn stop_free(&self, exprs: &[&Expr]) -> Option<Vec<String>> {
        let mut checks: Vec<String> = Vec::new();
        let mut ok = true;
        let local = |n: &str| self.locals.contains(n) || self.inner.contains_key(n);
        for e in exprs {
            walk_expr(e, &mut |x| {
                let ExprKind::Call(f, args, kws) = &x.kind else {
                    return ok;
                };
                if kws
                    .iter()
                    .any(|(k, v)| k == "key" && !matches!(v.kind, ExprKind::Lambda(..)))
                {
                    ok = false;
                }
                match &f.kind {
                    ExprKind::Name(n) if n == "next" && !local(n) && !self.funcs.contains_key(n) => {
                        let native = args
                            .first()
                            .is_some_and(|a| matches!(a.kind, ExprKind::GenExp(..)) || self.is_stepped_iterator(a));
                        ok &= native;
                    }
                    ExprKind::Name(n)
                        if STOP_FREE.contains(&n.as_str())
                            && !local(n)
                            && !self.funcs.contains_key(n)
                            && !self.gens.contains_key(n) =>
                    {
                        if !checks.contains(n) {
                            checks.push(n.clone());
                        }
                    }
                    ExprKind::Attr(r, _) => {
                        if let ExprKind::Name(m) = &r.kind {
                            if !local(m) && !checks.contains(m) {
                                checks.push(m.clone());
                            }
                        }
                    }
                    _ => ok = false,
                }
                ok
            });
        }
        ok.then_some(checks)
    }
}

impl Lowerer {
    /// `try: loops except StopIteration as e: raise RuntimeError("generator
    /// raised StopIteration") from e` (PEP 479: a StopIteration leaving a
    /// generator's frame becomes that RuntimeError; reads the names
    /// `StopIteration` and `RuntimeError`).
    pub(super) fn pep479_try(&mut self, loops: Vec<Stmt>, span: Span) -> Stmt {
        let e = self.hidden_name("stop");
        self.locals.insert(e.clone());
        let err = Expr {
            kind: ExprKind::Call(
                Box::new(name("RuntimeError", span)),
                vec![Expr {
                    kind: ExprKind::Lit(Literal::Str("generator raised StopIteration".into())),
                    span,
                }],
                vec![],
            ),
            span,
        };
        let handler = Handler {
            class: Some(name("StopIteration", span)),
            name: Some(e.clone()),
            body: vec![stmt(StmtKind::RaiseFrom(err, name(&e, span)), span)],
            span,
        };
        stmt(StmtKind::Try(loops, vec![handler], vec![], vec![]), span)
    }
}
