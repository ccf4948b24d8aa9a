//! HIR -> SSA IR.
//!
//! Variables become SSA values with the on-the-fly construction of Braun et
//! al. ("Simple and Efficient Construction of SSA Form", 2013): a block is
//! *sealed* once all its predecessors are known, reads in unsealed blocks
//! create incomplete phis (block parameters) that are completed at sealing,
//! and trivial phis are removed at the end.
//!
//! `for` loops become counted loops: `for i in range(a, b, c)` computes the
//! trip count once (`range_len`) and steps a hidden counter, so the loop
//! variable never overflows and reassigning it in the body does not change
//! the iteration, exactly as in CPython.

use crate::error::{CResult, CompileError};
use crate::hir::*;
use crate::ir::{self, Block, BlockData, Const, Edge, Inst, Op, ReadScope, Term, Value};
use std::collections::{HashMap, HashSet};

mod closures;
mod comp;
mod exceptions;
pub mod generators;
pub mod inline;
mod iters;

pub fn lower(def: &FunctionDef) -> CResult<ir::Function> {
    lower_with(
        def,
        &HashMap::new(),
        &HashMap::new(),
        &HashMap::new(),
        &HashMap::new(),
        false,
    )
}

/// [`lower`], with `gens`: compiled generator functions of the same module by
/// name, inlined into the `for` loops that iterate over a call of one
/// (`lower/generators.rs`); `funcs`: module-level functions inlined at their
/// calls, by global name; `arg_funcs`: the functions some parameters are
/// known to be bound to (the specialization's key holds them by identity),
/// inlined at the calls of a parameter the body never rebinds; `star_lens`:
/// the lengths of the tuples some parameters are known to hold (the
/// specialization's key has their types), by which `*p` of a parameter the
/// body never rebinds is expanded into its items (a call's arguments, a
/// tuple's or list's items);
/// `compensated_sum`: `sum()` adds floats with compensation (CPython 3.12+),
/// for the generator expressions made here.
pub fn lower_with(
    def: &FunctionDef,
    gens: &HashMap<String, FunctionDef>,
    funcs: &HashMap<String, FunctionDef>,
    arg_funcs: &HashMap<String, FunctionDef>,
    star_lens: &HashMap<String, usize>,
    compensated_sum: bool,
) -> CResult<ir::Function> {
    // (`h = helper; h(x)`: calls through another name of a nested function are its calls)
    let resolved;
    let def = match closures::aliases(&def.body, &def.params) {
        a if a.is_empty() => def,
        a => {
            resolved = FunctionDef {
                body: closures::resolve_aliases(&def.body, &a),
                ..def.clone()
            };
            &resolved
        }
    };
    let mut rebound = HashSet::new();
    collect_assigned(&def.body, &mut rebound);
    // (`"p.shape"`: the `ndim` of an array parameter `p`; `"p.iter"`: `p` is an iterator)
    let mut star_lens: HashMap<String, usize> = star_lens
        .iter()
        .filter(|(n, _)| {
            let p = n
                .strip_suffix(".shape")
                .or_else(|| n.strip_suffix(".iter"))
                .unwrap_or(n);
            def.params.iter().any(|x| x == p) && !rebound.contains(p)
        })
        .map(|(n, k)| (n.clone(), *k))
        .collect();
    for (n, k) in local_tuple_lens(def, &star_lens.clone()) {
        star_lens.entry(n).or_insert(k);
    }
    let arg_funcs: HashMap<String, FunctionDef> = arg_funcs
        .iter()
        .filter(|(n, _)| def.params.contains(n) && !rebound.contains(*n))
        .map(|(n, d)| (n.clone(), d.clone()))
        .collect();
    let mut l = Lowerer {
        f: ir::Function {
            name: def.name.clone(),
            params: def.params.clone(),
            shape: def.shape,
            blocks: Vec::new(),
            values: Vec::new(),
            span: def.span,
            inlines: Vec::new(),
        },
        cur: None,
        defs: HashMap::new(),
        sealed: HashSet::new(),
        incomplete: HashMap::new(),
        preds: Vec::new(),
        locals: HashSet::new(),
        loops: Vec::new(),
        hidden: 0,
        consts: HashMap::new(),
        handlers: Vec::new(),
        fin: Vec::new(),
        exc_stack: Vec::new(),
        loop_fin: Vec::new(),
        inner: inline::inlinable(&def.body),
        inlining: Vec::new(),
        cur_inl: 0,
        points: 0,
        gens: gens.clone(),
        funcs: funcs.clone(),
        arg_funcs,
        star_lens,
        gen_inline: Vec::new(),
        compensated_sum,
        lambda_spans: Vec::new(),
        key_lambdas: HashSet::new(),
        escapes: Default::default(),
        shared_made: HashSet::new(),
        zip_depth: 0,
        zip_seqs: Vec::new(),
        rev_seqs: Vec::new(),
        maybe_unbound: HashSet::new(),
        comp_reads: HashMap::new(),
        iter_names: HashSet::new(),
        iters: HashMap::new(),
        gen_frames: Vec::new(),
        pending: None,
        map_fold: false,
    };
    crate::hir::walk_stmts(&def.body, &mut |e| match e.kind {
        ExprKind::Lambda(..) => {
            l.lambda_spans.push(e.span);
            false
        }
        _ => true,
    });
    for p in &def.params {
        l.locals.insert(p.clone());
    }
    collect_assigned(&def.body, &mut l.locals);
    l.escapes = closures::escapes(&def.body, &l.inner, &l.locals);
    l.locals.extend(l.escapes.made.iter().cloned());
    let body = match name_counts(&def.body) {
        Some(counts) => iterator_vars(&l, &def.body, &counts),
        None => def.body.clone(),
    };
    l.iter_names = l.iterator_locals(&body, &def.params);
    let iter_params = l.iterator_params(&body, &def.params);
    l.iter_names.extend(iter_params.iter().cloned());
    let entry = l.new_block();
    l.seal(entry);
    for p in &def.params {
        let v = l.f.new_value(Some(p.clone()));
        l.f.block_mut(entry).params.push(v);
        l.defs.insert((p.clone(), entry), v);
    }
    l.cur = Some(entry);
    for p in &iter_params {
        l.bind_iterator_param(p, def.span)?;
    }
    // The cells of the variables functions made here read after they are
    // bound again (`lower/closures.rs`), made on entry as CPython's
    // `MAKE_CELL` does (a parameter's holding its value).
    let mut cells: Vec<String> = l.escapes.cells.iter().cloned().collect();
    cells.sort();
    for v in cells {
        let init = match l.defs.get(&(v.clone(), entry)) {
            Some(&p) => vec![p],
            None => vec![],
        };
        let c = l.emit(entry, Op::Cell, init, def.span);
        l.write_var(&cell_var(&v), entry, c);
    }
    l.stmts(&body)?;
    if let Some(b) = l.cur {
        let end = Span {
            line: def.span.end_line,
            end_line: def.span.end_line,
            ..Span::default()
        };
        let none = l.emit(b, Op::Const(Const::None), vec![], end);
        l.terminate(b, Term::Ret(none), end);
    }
    let mut f = l.f;
    if !l.escapes.cells.is_empty() && generators::is_generator(&f) {
        return Err(CompileError::unsupported(
            def.span,
            "a generator function's variable that a function made in it reads after it is bound again \
             (late binding, a cell) is not supported yet",
        ));
    }
    remove_trivial_phis(&mut f);
    closures::drop_unused_makes(&mut f);
    drop_needless_bound_checks(&mut f);
    if generators::is_generator(&f) {
        generators::carry_live_values(&mut f);
        remove_trivial_phis(&mut f);
        generators::prune(&mut f);
        remove_trivial_phis(&mut f);
    }
    Ok(f)
}

/// The locals that only ever hold tuples of one length k: bound by nothing
/// but `name = (e1, ..., ek)` (tuple displays of that length without `*`
/// items), not parameters, and bound by nothing else anywhere: not a loop,
/// `except`, `yield` or unpacking target, `del`, `+=`, a nested `def`'s name,
/// a name a nested function binds (`nonlocal`, or its own local of that
/// name, left out to be safe), a lambda's parameter or a comprehension's
/// variable. Wherever such a local is bound it is a k-tuple, and a tuple
/// cannot change, so `*name` is its k items (as for a tuple parameter of
/// known length, `star_lens`); reading it unbound raises as before.
///
/// Also the locals bound only to values of known length: `name = other`,
/// `name = p.shape` of an array parameter of known `ndim` (`base`'s
/// `"p.shape"`), and `for name in np.ndindex(shape)` of such a `shape`.
/// (A value that is not the tuple assumed fails to type where it is
/// unpacked: the function is then not compiled, never wrong.)
fn local_tuple_lens(def: &FunctionDef, base: &HashMap<String, usize>) -> HashMap<String, usize> {
    fn names(t: &Target, out: &mut HashSet<String>) {
        match t {
            Target::Name(n, _) => {
                out.insert(n.clone());
            }
            Target::Tuple(ts, _) => ts.iter().for_each(|t| names(t, out)),
            Target::Subscript(..) | Target::Attr(..) => {}
        }
    }
    /// Whether `e` is a value whose tuple length [`Bind::len`] can tell.
    fn lengthy(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Tuple(es) => !es.iter().any(|e| matches!(e.kind, ExprKind::Starred(_))),
            ExprKind::Name(_) => true,
            ExprKind::Attr(x, a) => a == "shape" && matches!(x.kind, ExprKind::Name(_)),
            _ => false,
        }
    }
    fn walk(body: &[Stmt], lens: &mut HashMap<String, Vec<Bind>>, other: &mut HashSet<String>) {
        for s in body {
            match &s.kind {
                StmtKind::Assign(ts, v) => {
                    for t in ts {
                        match t {
                            Target::Name(n, _) if lengthy(v) => {
                                lens.entry(n.clone()).or_default().push(Bind::Of(v.clone()));
                            }
                            _ => names(t, other),
                        }
                    }
                }
                // `for pos in np.ndindex(shape)`: `pos` a tuple of `len(shape)`
                // ints (of `k` ints for `np.ndindex(n1, ..., nk)`, k > 1).
                StmtKind::For(Target::Name(n, _), it, ..)
                    if matches!(&it.kind, ExprKind::Call(f, args, kws)
                        if kws.is_empty()
                            && matches!(&f.kind, ExprKind::Attr(m, a) if a == "ndindex" && matches!(m.kind, ExprKind::Name(_)))
                            && (args.len() > 1 || args.len() == 1 && lengthy(&args[0]))
                            && !args.iter().any(|e| matches!(e.kind, ExprKind::Starred(_)))) =>
                {
                    let ExprKind::Call(_, args, _) = &it.kind else {
                        unreachable!()
                    };
                    let b = match args.as_slice() {
                        [a] => Bind::Of(a.clone()),
                        xs => Bind::Len(xs.len()),
                    };
                    lens.entry(n.clone()).or_default().push(b);
                }
                StmtKind::AugAssign(t, _, _) | StmtKind::For(t, ..) | StmtKind::Yield(Some(t), _) => names(t, other),
                StmtKind::Delete(ts) => ts.iter().for_each(|t| names(t, other)),
                StmtKind::Nonlocal(ns) => other.extend(ns.iter().cloned()),
                StmtKind::Def(d) => {
                    other.insert(d.name.clone());
                    other.extend(d.params.iter().cloned());
                    // (whatever the nested function binds, its own or `nonlocal`)
                    let mut inner = HashMap::new();
                    walk(&d.body, &mut inner, other);
                    other.extend(inner.into_keys());
                }
                _ => {}
            }
            match &s.kind {
                StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
                    walk(a, lens, other);
                    walk(b, lens, other);
                }
                StmtKind::Try(a, hs, b, c) => {
                    walk(a, lens, other);
                    for h in hs {
                        other.extend(h.name.iter().cloned());
                        walk(&h.body, lens, other);
                    }
                    walk(b, lens, other);
                    walk(c, lens, other);
                }
                _ => {}
            }
        }
    }
    let mut binds = HashMap::new();
    let mut other: HashSet<String> = def.params.iter().cloned().collect();
    walk(&def.body, &mut binds, &mut other);
    crate::hir::walk_stmts(&def.body, &mut |e| {
        match &e.kind {
            ExprKind::Lambda(ps, _) => other.extend(ps.iter().cloned()),
            ExprKind::ListComp(_, cs)
            | ExprKind::GenExp(_, cs, _)
            | ExprKind::SetComp(_, cs)
            | ExprKind::DictComp(_, _, cs) => {
                for c in cs {
                    names(&c.target, &mut other);
                }
            }
            _ => {}
        }
        true
    });
    binds.retain(|n, _| !other.contains(n));
    // A name's length is known once every binding of it has the same known length.
    let mut lens: HashMap<String, usize> = HashMap::new();
    loop {
        let mut changed = false;
        for (n, bs) in &binds {
            if lens.contains_key(n) {
                continue;
            }
            let ks: Option<Vec<usize>> = bs.iter().map(|b| b.len(base, &lens)).collect();
            if let Some(ks) = ks {
                if ks.iter().all(|k| *k == ks[0]) && !ks.is_empty() {
                    lens.insert(n.clone(), ks[0]);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    lens
}

/// How [`local_tuple_lens`] sees a binding of a name: a tuple of a known
/// length, or the value of an expression (a display, a name, `p.shape`).
enum Bind {
    Len(usize),
    Of(Expr),
}

impl Bind {
    fn len(&self, base: &HashMap<String, usize>, lens: &HashMap<String, usize>) -> Option<usize> {
        match self {
            Bind::Len(k) => Some(*k),
            Bind::Of(e) => match &e.kind {
                ExprKind::Tuple(es) if !es.iter().any(|e| matches!(e.kind, ExprKind::Starred(_))) => Some(es.len()),
                ExprKind::Name(n) => lens.get(n).or_else(|| base.get(n)).copied(),
                ExprKind::Attr(x, a) if a == "shape" => match &x.kind {
                    ExprKind::Name(n) => base.get(&format!("{n}.shape")).copied(),
                    _ => None,
                },
                _ => None,
            },
        }
    }
}

fn collect_assigned(body: &[Stmt], out: &mut HashSet<String>) {
    fn target(t: &Target, out: &mut HashSet<String>) {
        match t {
            Target::Name(n, _) => {
                out.insert(n.clone());
            }
            Target::Tuple(ts, _) => ts.iter().for_each(|t| target(t, out)),
            Target::Subscript(..) | Target::Attr(..) => {}
        }
    }
    for s in body {
        match &s.kind {
            StmtKind::Assign(ts, _) => ts.iter().for_each(|t| target(t, out)),
            StmtKind::Yield(Some(t), _) => target(t, out),
            StmtKind::Try(a, hs, b, c) => {
                collect_assigned(a, out);
                for h in hs {
                    out.extend(h.name.iter().cloned());
                    collect_assigned(&h.body, out);
                }
                collect_assigned(b, out);
                collect_assigned(c, out);
            }
            StmtKind::AugAssign(t, _, _) => target(t, out),
            // (`del x` makes `x` local, as an assignment does)
            StmtKind::Delete(ts) => ts.iter().for_each(|t| target(t, out)),
            StmtKind::If(_, a, b) | StmtKind::While(_, a, b) => {
                collect_assigned(a, out);
                collect_assigned(b, out);
            }
            StmtKind::For(t, _, a, b) => {
                target(t, out);
                collect_assigned(a, out);
                collect_assigned(b, out);
            }
            _ => {}
        }
    }
}

/// How many times each name occurs in `body` (read, bound, deleted, a
/// comprehension's or lambda's own); `None` where a nested `def` or a
/// `nonlocal` could see the function's names in code of its own.
fn name_counts(body: &[Stmt]) -> Option<HashMap<String, usize>> {
    fn target(t: &Target, out: &mut HashMap<String, usize>) {
        match t {
            Target::Name(n, _) => *out.entry(n.clone()).or_default() += 1,
            Target::Tuple(ts, _) => ts.iter().for_each(|t| target(t, out)),
            Target::Subscript(..) | Target::Attr(..) => {}
        }
    }
    fn targets(body: &[Stmt], out: &mut HashMap<String, usize>) -> bool {
        body.iter().all(|s| match &s.kind {
            StmtKind::Def(_) | StmtKind::Nonlocal(_) => false,
            StmtKind::Assign(ts, _) | StmtKind::Delete(ts) => {
                ts.iter().for_each(|t| target(t, out));
                true
            }
            StmtKind::AugAssign(t, _, _) | StmtKind::Yield(Some(t), _) => {
                target(t, out);
                true
            }
            StmtKind::If(_, a, b) | StmtKind::While(_, a, b) => targets(a, out) && targets(b, out),
            StmtKind::For(t, _, a, b) => {
                target(t, out);
                targets(a, out) && targets(b, out)
            }
            StmtKind::Try(a, hs, b, c) => {
                for h in hs {
                    h.name.iter().for_each(|n| *out.entry(n.clone()).or_default() += 1);
                }
                targets(a, out) && hs.iter().all(|h| targets(&h.body, out)) && targets(b, out) && targets(c, out)
            }
            _ => true,
        })
    }
    let mut out = HashMap::new();
    if !targets(body, &mut out) {
        return None;
    }
    walk_stmts(body, &mut |e| {
        match &e.kind {
            ExprKind::Name(n) => *out.entry(n.clone()).or_default() += 1,
            ExprKind::Lambda(ps, _) => ps.iter().for_each(|n| *out.entry(n.clone()).or_default() += 1),
            ExprKind::ListComp(_, cs)
            | ExprKind::GenExp(_, cs, _)
            | ExprKind::SetComp(_, cs)
            | ExprKind::DictComp(_, _, cs) => cs.iter().for_each(|c| target(&c.target, &mut out)),
            _ => {}
        }
        true
    });
    Some(out)
}

/// `z = zip(a, b)` (or `enumerate`, `reversed`, `np.ndindex`,
/// `np.ndenumerate`: an iterable the lowering expands inline) directly
/// followed by `for t in z:`, where `z` occurs nowhere else in the function
/// (`counts`: its one binding and its one read), becomes `for t in zip(a, b):`.
/// Exact: CPython evaluates the call (callee, arguments, the iterator's
/// checks) at the assignment and the `for` statement then takes the same
/// object (`iter(z)` is `z`) with nothing run in between, which is what the
/// loop's own evaluation of the call does at the same point; the errors the
/// call raises carry its own span (the assignment's line); and nothing reads
/// `z`, so not binding it is not seen.
fn iterator_vars(l: &Lowerer, body: &[Stmt], counts: &HashMap<String, usize>) -> Vec<Stmt> {
    let mut out: Vec<Stmt> = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let s = &body[i];
        // (between them: assignments of constants to other names, which
        // cannot raise nor change what the call sees)
        let gap = body[i + 1..]
            .iter()
            .take_while(|g| match &g.kind {
                StmtKind::Assign(ts, v) => {
                    const_expr(v)
                        && ts
                            .iter()
                            .all(|t| matches!(t, Target::Name(n, _) if !names_in(s).contains(n)))
                }
                _ => false,
            })
            .count();
        if let (StmtKind::Assign(ts, call), Some(next)) = (&s.kind, body.get(i + 1 + gap)) {
            if let ([Target::Name(z, _)], StmtKind::For(t, it, a, b)) = (ts.as_slice(), &next.kind) {
                if matches!(&it.kind, ExprKind::Name(n) if n == z)
                    && counts.get(z) == Some(&2)
                    && l.composite_source(call).is_some()
                {
                    out.extend(body[i + 1..i + 1 + gap].iter().cloned());
                    out.push(Stmt {
                        kind: StmtKind::For(
                            t.clone(),
                            call.clone(),
                            iterator_vars(l, a, counts),
                            iterator_vars(l, b, counts),
                        ),
                        span: next.span,
                    });
                    i += 2 + gap;
                    continue;
                }
            }
        }
        let kind = match &s.kind {
            StmtKind::If(c, a, b) => StmtKind::If(c.clone(), iterator_vars(l, a, counts), iterator_vars(l, b, counts)),
            StmtKind::While(c, a, b) => {
                StmtKind::While(c.clone(), iterator_vars(l, a, counts), iterator_vars(l, b, counts))
            }
            StmtKind::For(t, it, a, b) => StmtKind::For(
                t.clone(),
                it.clone(),
                iterator_vars(l, a, counts),
                iterator_vars(l, b, counts),
            ),
            StmtKind::Try(a, hs, b, c) => StmtKind::Try(
                iterator_vars(l, a, counts),
                hs.iter()
                    .map(|h| Handler {
                        body: iterator_vars(l, &h.body, counts),
                        ..h.clone()
                    })
                    .collect(),
                iterator_vars(l, b, counts),
                iterator_vars(l, c, counts),
            ),
            k => k.clone(),
        };
        out.push(Stmt { kind, span: s.span });
        i += 1;
    }
    out
}

/// A literal, or a negated number literal: evaluating it cannot raise or warn.
fn const_expr(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(_) => true,
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Pos, x) => {
            matches!(
                &x.kind,
                ExprKind::Lit(Literal::Int(_) | Literal::Float(_) | Literal::BigInt(_))
            )
        }
        _ => false,
    }
}

/// The hidden variable holding the cell of the variable `v` (`Escapes::cells`).
fn cell_var(v: &str) -> String {
    format!("%cell.{v}")
}

/// The names an assignment statement reads or binds.
fn names_in(s: &Stmt) -> HashSet<String> {
    let mut out = HashSet::new();
    if let StmtKind::Assign(_, v) = &s.kind {
        collect_assigned(std::slice::from_ref(s), &mut out);
        walk_expr(v, &mut |e| {
            if let ExprKind::Name(n) = &e.kind {
                out.insert(n.clone());
            }
            true
        });
    }
    out
}

struct Lowerer {
    f: ir::Function,
    /// The block code is appended to; `None` after `return`/`break`/`continue`.
    cur: Option<Block>,
    defs: HashMap<(String, Block), Value>,
    sealed: HashSet<Block>,
    incomplete: HashMap<Block, Vec<(String, Value)>>,
    preds: Vec<Vec<Block>>,
    locals: HashSet<String>,
    /// (continue target, break target)
    loops: Vec<(Block, Block)>,
    hidden: u32,
    /// Values defined as constants: comparisons and branches on them fold while
    /// lowering (after unrolling `for di in range(-1, 2)`, `if di != 0 or dj != 0`
    /// is known for each copy and only the taken side is emitted).
    consts: HashMap<Value, Const>,
    /// The dispatch blocks of the enclosing `try` bodies (innermost last):
    /// blocks created inside one get an exceptional edge to it.
    handlers: Vec<Block>,
    /// What leaving the enclosing `try`/`except` statements runs (innermost last).
    fin: Vec<exceptions::Fin>,
    /// The exceptions the enclosing `except` clauses handle (for a bare `raise`).
    exc_stack: Vec<Value>,
    /// `fin.len()` where each loop of `loops` starts.
    loop_fin: Vec<usize>,
    /// Nested functions inlined at their calls (by name: the `def` statement's span, the function).
    inner: HashMap<String, (Span, FunctionDef)>,
    /// The inlined calls being lowered (innermost last).
    inlining: Vec<inline::Inlining>,
    /// The `Span::inl` of the code being lowered (0: the function's own).
    cur_inl: u32,
    /// The yields lowered so far (each a resume point, numbered from 1).
    points: u32,
    /// Compiled generator functions a `for` loop may inline, by global name.
    gens: HashMap<String, FunctionDef>,
    /// Module-level functions inlined at their calls (`lower/inline.rs`,
    /// `inline_global`), by the global name they are called by.
    funcs: HashMap<String, FunctionDef>,
    /// Functions parameters are bound to, inlined at their calls (`inline_global`), by parameter name.
    arg_funcs: HashMap<String, FunctionDef>,
    /// See [`lower_with`].
    star_lens: HashMap<String, usize>,
    /// The generators being inlined into `for` loops (innermost last).
    gen_inline: Vec<generators::GenInline>,
    /// `sum()` adds floats with compensation (CPython 3.12+).
    compensated_sum: bool,
    /// Where each lambda of the function starts (outside lambdas), for their index on a line.
    lambda_spans: Vec<Span>,
    /// The lambdas that are the `key=` of a call of sorted, min, max or `.sort`.
    key_lambdas: HashSet<Span>,
    /// The nested functions and lambdas made into Python functions because
    /// they are used as values (`lower/closures.rs`).
    escapes: closures::Escapes,
    /// The variables of `escapes.shared` whose cell is made by now.
    shared_made: HashSet<String>,
    /// While a `for` loop's sources are set up: how many `zip()`s are open,
    /// and the sequences they index.
    zip_depth: u32,
    zip_seqs: Vec<Value>,
    /// ... and the sequences `reversed()` indexes, with their index variables.
    rev_seqs: Vec<(Value, String)>,
    /// The values a variable read may find unbound so far: block parameters
    /// and `undef`s (a read of one is checked where it is, `Op::Bound`).
    maybe_unbound: HashSet<Value>,
    /// Reads of the enclosing function's variables inside comprehensions and
    /// generator expressions (by the name's span and name): the scope CPython
    /// reads them in.
    comp_reads: HashMap<(Span, String), ReadScope>,
    /// The locals holding iterators the lowering steps itself (`lower/iters.rs`),
    /// and the state of each bound so far.
    iter_names: HashSet<String>,
    iters: HashMap<String, iters::IterState>,
    /// The generator frames being lowered (innermost last: generator
    /// expressions, inlined generators' bodies, map()'s function), each with
    /// `handlers.len()` where it starts: a StopIteration that reaches one
    /// leaves it (PEP 479).
    gen_frames: Vec<(usize, iters::Frame)>,
    /// `next(genexp, default)`'s default, evaluated by the generator's first
    /// `for` loop once its iterable is set up (hidden variable, expression).
    pending: Option<(String, Expr)>,
    /// The next fold is map()'s or filter()'s (`gen_call`).
    map_fold: bool,
}

impl Lowerer {
    fn new_block(&mut self) -> Block {
        let handler = self.handlers.last().map(|&h| Edge { block: h, args: vec![] });
        if let Some(h) = &handler {
            self.preds[h.block.0 as usize].push(Block(self.f.blocks.len() as u32));
        }
        self.f.blocks.push(BlockData {
            params: Vec::new(),
            handler,
            insts: Vec::new(),
            term: Term::Unreachable,
            term_span: Span::default(),
        });
        self.preds.push(Vec::new());
        Block(self.f.blocks.len() as u32 - 1)
    }

    /// The block to emit into; code after a `return` goes into a fresh block
    /// without predecessors (unreachable, dropped from the final IR).
    fn block(&mut self) -> Block {
        match self.cur {
            Some(b) => b,
            None => {
                let b = self.new_block();
                self.seal(b);
                self.cur = Some(b);
                b
            }
        }
    }

    /// `span` in the inlined code being lowered, if any (see `Span::inl`).
    fn tagged(&self, mut span: Span) -> Span {
        if span.inl == 0 {
            span.inl = self.cur_inl;
        }
        span
    }

    fn emit(&mut self, b: Block, op: Op, args: Vec<Value>, span: Span) -> Value {
        let span = self.tagged(span);
        let r = self.f.new_value(None);
        if let Op::Const(c) = &op {
            self.consts.insert(r, c.clone());
        }
        self.f.block_mut(b).insts.push(Inst {
            result: Some(r),
            op,
            args,
            span,
        });
        r
    }

    fn emit_cur(&mut self, op: Op, args: Vec<Value>, span: Span) -> Value {
        let b = self.block();
        self.emit(b, op, args, span)
    }

    fn terminate(&mut self, b: Block, term: Term, span: Span) {
        let span = self.tagged(span);
        for e in term.successors() {
            self.preds[e.block.0 as usize].push(b);
        }
        let data = self.f.block_mut(b);
        data.term = term;
        data.term_span = span;
    }

    /// Ends `from` with a branch on `cond` to the fresh blocks `tb` and `eb`
    /// (no edge arguments), whose predecessors are then all known: sealed.
    fn branch(&mut self, from: Block, cond: Value, tb: Block, eb: Block, span: Span) {
        let no = |block| Edge { block, args: vec![] };
        self.terminate(from, Term::Br(cond, no(tb), no(eb)), span);
        self.seal(tb);
        self.seal(eb);
    }

    fn jump(&mut self, to: Block, args: Vec<Value>, span: Span) {
        if let Some(b) = self.cur.take() {
            self.terminate(b, Term::Jump(Edge { block: to, args }), span);
        }
    }

    // ---- SSA construction -------------------------------------------------

    fn write_var(&mut self, name: &str, b: Block, v: Value) {
        if self.f.values[v.0 as usize].name.is_none() && !name.starts_with('%') {
            self.f.values[v.0 as usize].name = Some(name.to_string());
        }
        self.defs.insert((name.to_string(), b), v);
        if self.escapes.cells.contains(name) {
            // A variable with a cell: the binding is written through to it
            // (an unbinding, `del` or the end of an `except ... as`, empties it).
            let span = self.f.span;
            let cell = self.read_var(&cell_var(name), b, span);
            let undef = self.maybe_unbound.contains(&v)
                && self.f.blocks.iter().any(|d| {
                    d.insts
                        .iter()
                        .any(|i| i.result == Some(v) && matches!(i.op, Op::Undef(_)))
                });
            let args = if undef { vec![cell] } else { vec![cell, v] };
            let span = self.tagged(span);
            self.f.block_mut(b).insts.push(Inst {
                result: None,
                op: Op::CellSet,
                args,
                span,
            });
        }
    }

    fn read_var(&mut self, name: &str, b: Block, span: Span) -> Value {
        if let Some(v) = self.defs.get(&(name.to_string(), b)) {
            return *v;
        }
        let v = if !self.sealed.contains(&b) {
            let p = self.add_param(b, name);
            self.incomplete.entry(b).or_default().push((name.to_string(), p));
            p
        } else {
            let preds = self.preds[b.0 as usize].clone();
            match preds.len() {
                0 => {
                    // Read before any assignment: UnboundLocalError at run time.
                    let r = self.f.new_value(Some(name.to_string()));
                    self.maybe_unbound.insert(r);
                    self.f.block_mut(b).insts.insert(
                        0,
                        Inst {
                            result: Some(r),
                            op: Op::Undef(name.to_string()),
                            args: vec![],
                            span,
                        },
                    );
                    r
                }
                1 => self.read_var(name, preds[0], span),
                _ => {
                    let p = self.add_param(b, name);
                    self.defs.insert((name.to_string(), b), p);
                    self.add_phi_operands(name, b, span);
                    p
                }
            }
        };
        self.defs.insert((name.to_string(), b), v);
        v
    }

    fn add_param(&mut self, b: Block, name: &str) -> Value {
        let v = self.f.new_value(if name.starts_with('%') {
            None
        } else {
            Some(name.to_string())
        });
        self.f.block_mut(b).params.push(v);
        self.maybe_unbound.insert(v);
        v
    }

    fn add_phi_operands(&mut self, name: &str, b: Block, span: Span) {
        for p in self.preds[b.0 as usize].clone() {
            let v = self.read_var(name, p, span);
            let data = self.f.block_mut(p);
            for e in data.term.successors_mut().into_iter().chain(data.handler.as_mut()) {
                if e.block == b {
                    e.args.push(v);
                }
            }
        }
    }

    fn seal(&mut self, b: Block) {
        let mut i = 0;
        while let Some((name, _)) = self.incomplete.get(&b).and_then(|l| l.get(i)).cloned() {
            self.add_phi_operands(&name, b, Span::default());
            i += 1;
        }
        self.incomplete.remove(&b);
        self.sealed.insert(b);
    }

    fn hidden_name(&mut self, what: &str) -> String {
        self.hidden += 1;
        format!("%{what}{}", self.hidden)
    }

    // ---- statements ---------------------------------------------------------

    fn stmts(&mut self, body: &[Stmt]) -> CResult<()> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> CResult<()> {
        let span = s.span;
        // The cells the functions made from here on share (`Escapes::shared`).
        if let (Some(vs), Some(b), true) = (
            self.escapes.shared.get(&span).cloned(),
            self.cur,
            self.inlining.is_empty(),
        ) {
            for v in vs {
                let val = self.read_var(&v, b, span);
                let undef = self.f.blocks.iter().any(|d| {
                    d.insts
                        .iter()
                        .any(|i| i.result == Some(val) && matches!(i.op, Op::Undef(_)))
                });
                let c = self.emit(b, Op::Cell, if undef { vec![] } else { vec![val] }, span);
                self.write_var(&cell_var(&v), b, c);
                self.shared_made.insert(v);
            }
        }
        match &s.kind {
            StmtKind::Pass => {}
            // Inside an inlined nested function its names are the enclosing
            // function's variables (`inline_call` does not rename them).
            StmtKind::Nonlocal(_) if !self.inlining.is_empty() => {}
            StmtKind::Nonlocal(_) => {
                return Err(CompileError::unsupported(
                    span,
                    "`nonlocal` in the compiled function itself (its variables are an enclosing Python function's) is not supported yet",
                ))
            }
            StmtKind::Delete(ts) => {
                for t in ts {
                    if let Target::Name(n, span) = t {
                        // `del x`: CPython's UnboundLocalError when `x` is unbound (the
                        // tuple is only a use that checks it), then `x` is unbound.
                        let v = self.name(n, *span);
                        self.emit_cur(Op::Tuple, vec![v], *span);
                        self.unbind(n, *span);
                        continue;
                    }
                    if let Target::Subscript(obj, idx, span) = t {
                        let mut args = vec![self.expr(obj)?];
                        let idx = self.index(idx)?;
                        if idx.len() > 1 {
                            // `del d[i, j]`: one key, the tuple (arrays and lists raise for any key).
                            args.push(self.emit_cur(Op::Tuple, idx, *span));
                        } else {
                            args.extend(idx);
                        }
                        let b = self.block();
                        let span = self.tagged(*span);
                        self.f.block_mut(b).insts.push(Inst {
                            result: None,
                            op: Op::DelItem,
                            args,
                            span,
                        });
                    }
                }
            }
            StmtKind::Expr(e) => {
                self.expr(e)?;
            }
            StmtKind::Def(d) => {
                if self.inner.get(&d.name).is_none_or(|(at, _)| *at != span) {
                    return Err(CompileError::unsupported(
                        span,
                        "nested functions defined inside a block, or whose name is bound twice, are not supported yet",
                    ));
                }
                // Used as a value: the function object made here (its calls stay inlined).
                if self.escapes.made.contains(&d.name) && !self.escapes.unsafe_defs.contains_key(&d.name) {
                    let v = self.make_def(d)?;
                    let b = self.block_for_write();
                    self.write_var(&d.name, b, v);
                    if self.shared_made.contains(&d.name) {
                        // (its own cell, shared with the functions made after it)
                        let cell = self.read_var(&cell_var(&d.name), b, span);
                        let span = self.tagged(span);
                        self.f.block_mut(b).insts.push(Inst {
                            result: None,
                            op: Op::CellSet,
                            args: vec![cell, v],
                            span,
                        });
                    }
                }
            }
            StmtKind::Assign(targets, value)
                if matches!(value.kind, ExprKind::Lambda(..))
                    && matches!(targets.as_slice(), [Target::Name(n, _)] if self.inner.get(n).is_some_and(|(at, _)| *at == span)) =>
            {
                let [Target::Name(n, _)] = targets.as_slice() else { unreachable!() };
                let ExprKind::Lambda(params, body) = &value.kind else { unreachable!() };
                if self.escapes.made.contains(n) && !self.escapes.unsafe_defs.contains_key(n) {
                    let v = self.lambda(params, body, value.span, true)?;
                    let b = self.block_for_write();
                    self.write_var(n, b, v);
                }
            }
            StmtKind::Assign(targets, value)
                if matches!(targets.as_slice(), [Target::Name(n, _)] if self.iter_names.contains(n)) =>
            {
                let [Target::Name(n, _)] = targets.as_slice() else { unreachable!() };
                self.bind_iterator(n, value, span)?;
            }
            StmtKind::Assign(targets, value) => {
                let v = self.expr(value)?;
                for t in targets {
                    self.assign(t, v)?;
                }
            }
            StmtKind::AugAssign(target, op, value) => match target {
                Target::Name(n, tspan) => {
                    let cur = self.name(n, *tspan);
                    let v = self.expr(value)?;
                    let r = self.emit_cur(Op::Bin { op: *op, inplace: true }, vec![cur, v], span);
                    let b = self.block_for_write();
                    self.write_var(n, b, r);
                }
                Target::Subscript(obj, idx, _) => {
                    let o = self.expr(obj)?;
                    let mut args = vec![o];
                    args.extend(self.index(idx)?);
                    let cur = self.emit_cur(Op::GetItem, args.clone(), span);
                    let v = self.expr(value)?;
                    let r = self.emit_cur(Op::Bin { op: *op, inplace: true }, vec![cur, v], span);
                    args.push(r);
                    self.emit_store(args, span);
                }
                Target::Attr(obj, name, _) => {
                    let o = self.expr(obj)?;
                    let cur = self.emit_cur(Op::Attr(name.clone()), vec![o], span);
                    let v = self.expr(value)?;
                    let r = self.emit_cur(Op::Bin { op: *op, inplace: true }, vec![cur, v], span);
                    self.emit_setattr(name, o, r, span);
                }
                Target::Tuple(_, tspan) => {
                    return Err(CompileError::unsupported(
                        *tspan,
                        "illegal expression for augmented assignment",
                    ))
                }
            },
            StmtKind::If(test, body, orelse) => {
                let c = self.cond(test)?;
                if let Some(Const::Bool(t)) = self.consts.get(&c) {
                    // A constant test: only the side that runs is lowered.
                    return self.stmts(if *t { body } else { orelse });
                }
                let from = self.block();
                let (tb, eb, merge) = (self.new_block(), self.new_block(), self.new_block());
                self.branch(from, c, tb, eb, test.span);
                self.cur = Some(tb);
                self.stmts(body)?;
                self.jump(merge, vec![], span);
                self.cur = Some(eb);
                self.stmts(orelse)?;
                self.jump(merge, vec![], span);
                self.seal(merge);
                self.cur = if self.preds[merge.0 as usize].is_empty() {
                    None
                } else {
                    Some(merge)
                };
            }
            StmtKind::While(test, body, orelse) => {
                let header = self.new_block();
                self.jump(header, vec![], span);
                self.cur = Some(header);
                let c = self.cond(test)?;
                let (bb, eb, after) = (self.new_block(), self.new_block(), self.new_block());
                let h = self.block();
                self.branch(h, c, bb, eb, test.span);
                self.cur = Some(bb);
                self.loops.push((header, after));
                self.loop_fin.push(self.fin.len());
                self.stmts(body)?;
                self.loops.pop();
                self.loop_fin.pop();
                self.jump(header, vec![], span);
                self.seal(header);
                self.cur = Some(eb);
                self.stmts(orelse)?;
                self.jump(after, vec![], span);
                self.seal(after);
                self.cur = if self.preds[after.0 as usize].is_empty() {
                    None
                } else {
                    Some(after)
                };
            }
            StmtKind::For(target, iter, body, orelse) => self.for_loop(target, iter, body, orelse, span)?,
            StmtKind::Break => {
                let (_, brk) = *self
                    .loops
                    .last()
                    .ok_or_else(|| CompileError::unsupported(span, "'break' outside loop"))?;
                self.leave(self.loop_fin.last().copied().unwrap_or(0))?;
                self.jump(brk, vec![], span);
            }
            StmtKind::Continue => {
                let (cont, _) = *self
                    .loops
                    .last()
                    .ok_or_else(|| CompileError::unsupported(span, "'continue' not properly in loop"))?;
                self.leave(self.loop_fin.last().copied().unwrap_or(0))?;
                self.jump(cont, vec![], span);
            }
            StmtKind::Yield(t, e) if !self.gen_inline.is_empty() => self.inline_yield(t.as_ref(), e.as_ref(), span)?,
            StmtKind::Yield(t, e) => self.yield_stmt(t.as_ref(), e.as_ref(), span)?,
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.expr(e)?,
                    None => self.emit_cur(Op::Const(Const::None), vec![], span),
                };
                if !self.gen_inline.is_empty() {
                    let _ = v;
                    return self.inline_gen_return(span);
                }
                if !self.inlining.is_empty() {
                    return self.inline_return(v, span);
                }
                // `finally` clauses run first (one that returns overrides).
                self.leave(0)?;
                if let Some(b) = self.cur {
                    self.terminate(b, Term::Ret(v), span);
                    self.cur = None;
                }
            }
            StmtKind::RaiseFrom(e, cause) => {
                let v = self.expr(e)?;
                let c = self.expr(cause)?;
                let r = self.emit_cur(Op::RaiseFrom, vec![v, c], span);
                let b = self.block();
                self.terminate(b, Term::Raise(r), span);
                self.cur = None;
            }
            StmtKind::Try(body, handlers, orelse, finalbody) => {
                self.try_stmt(body, handlers, orelse, finalbody, span)?
            }
            StmtKind::Raise(e) => {
                let v = match e {
                    Some(e) => self.expr(e)?,
                    // A bare `raise`: the exception the innermost `except` clause handles.
                    None => *self.exc_stack.last().ok_or_else(|| {
                        CompileError::unsupported(
                            span,
                            "a bare `raise` outside an `except` clause is not supported yet",
                        )
                    })?,
                };
                let b = self.block();
                self.terminate(b, Term::Raise(v), span);
                self.cur = None;
            }
            StmtKind::Assert(test, msg) => {
                let c = self.cond(test)?;
                let from = self.block();
                let (ok, fail) = (self.new_block(), self.new_block());
                self.branch(from, c, ok, fail, span);
                self.cur = Some(fail);
                let m = match msg {
                    Some(m) => Some(self.expr(m)?),
                    None => None,
                };
                let b = self.block();
                self.terminate(b, Term::AssertFail(m), span);
                self.cur = Some(ok);
            }
        }
        Ok(())
    }

    /// `builtin "name"(callee, ints...)`: the check of a builtin expanded inline.
    fn emit_check(&mut self, name: &str, args: Vec<Value>, span: Span) {
        let b = self.block();
        let span = self.tagged(span);
        self.f.block_mut(b).insts.push(Inst {
            result: None,
            op: Op::Builtin(name.to_string()),
            args,
            span,
        });
    }

    fn emit_store(&mut self, args: Vec<Value>, span: Span) {
        let b = self.block();
        let span = self.tagged(span);
        self.f.block_mut(b).insts.push(Inst {
            result: None,
            op: Op::SetItem,
            args,
            span,
        });
    }

    /// `obj.name = v`.
    fn emit_setattr(&mut self, name: &str, obj: Value, v: Value, span: Span) {
        let b = self.block();
        let span = self.tagged(span);
        self.f.block_mut(b).insts.push(Inst {
            result: None,
            op: Op::SetAttr(name.to_string()),
            args: vec![obj, v],
            span,
        });
    }

    fn for_loop(&mut self, target: &Target, iter: &Expr, body: &[Stmt], orelse: &[Stmt], span: Span) -> CResult<()> {
        // A list display iterated by the loop is a tuple (as CPython's compiler
        // makes it): nothing else can see or change the list, so each item is
        // read exactly once, in order, whatever the items' types.
        let as_tuple;
        let iter = match &iter.kind {
            ExprKind::List(es) => {
                as_tuple = Expr {
                    kind: ExprKind::Tuple(es.clone()),
                    ..iter.clone()
                };
                &as_tuple
            }
            _ => iter,
        };
        // (`next(genexp, default)`'s default: evaluated once the iterable is set up)
        let pending = self.pending.take();
        let iterator = match &iter.kind {
            ExprKind::Name(n) => self.iter_names.contains(n),
            _ => self.iter_call(iter).is_some(),
        };
        if iterator {
            let Some(st) = self.stepped_iterator(iter)? else {
                return Err(CompileError::internal("a for loop over no iterator"));
            };
            self.run_pending(pending)?;
            return self.for_iterator(&st, target, body, orelse, span);
        }
        if let ExprKind::Call(f, args, kws) = &iter.kind {
            if let ExprKind::Name(n) = &f.kind {
                if kws.is_empty() && !self.locals.contains(n) && self.gens.contains_key(n) {
                    let def = self.gens[n].clone();
                    if pending.is_some() {
                        return Err(CompileError::internal("a default before an inlined generator"));
                    }
                    if self.inline_generator(n, &def, args, (target, body, orelse), span)? {
                        return Ok(());
                    }
                }
            }
        }
        if let Some(values) = self.small_constant_range(iter, body) {
            // Unrolled: the body once per value, the loop variable a constant in each copy.
            let rf = match &iter.kind {
                ExprKind::Call(f, _, _) => self.expr(f)?,
                _ => unreachable!(),
            };
            // `range` must still be the builtin (checked like any range loop).
            let consts: Vec<Value> = [values.0, values.1, values.2]
                .iter()
                .map(|c| self.emit_cur(Op::Const(Const::Int(*c)), vec![], iter.span))
                .collect();
            self.emit_cur(Op::RangeLen, vec![rf, consts[0], consts[1], consts[2]], iter.span);
            self.run_pending(pending)?;
            let mut v = values.0;
            while (values.2 > 0 && v < values.1) || (values.2 < 0 && v > values.1) {
                let c = self.emit_cur(Op::Const(Const::Int(v)), vec![], iter.span);
                self.assign(target, c)?;
                self.stmts(body)?;
                v += values.2;
            }
            return self.stmts(orelse);
        }
        if let Some(names) = self.function_tuple(target, iter, body) {
            // `for f in (g, h): ... f(x) ...`: unrolled, `f` bound to each in
            // turn (the names read once, in order, as CPython builds the
            // tuple), a call `f(...)` in each copy inlined where the function
            // is a module-level one that can be (else an ordinary call of it).
            let Target::Name(fname, _) = target else { unreachable!() };
            let mut vals = Vec::with_capacity(names.len());
            for e in &names {
                vals.push(self.expr(e)?);
            }
            self.run_pending(pending)?;
            for (e, v) in names.iter().zip(vals) {
                self.assign(target, v)?;
                let ExprKind::Name(g) = &e.kind else { unreachable!() };
                let def = self.funcs.get(g).cloned();
                let saved = match def {
                    Some(d) => self.arg_funcs.insert(fname.clone(), d),
                    None => self.arg_funcs.remove(fname),
                };
                let r = self.stmts(body);
                match saved {
                    Some(d) => self.arg_funcs.insert(fname.clone(), d),
                    None => self.arg_funcs.remove(fname),
                };
                r?;
            }
            return self.stmts(orelse);
        }
        if let Some(src) = self.composite_source(iter) {
            return self.for_composite(target, iter, &src, (body, orelse), pending, span);
        }
        let kname = self.hidden_name("k");
        let iname = self.hidden_name("i");
        // The trip count and, for ranges, start and step.
        let range_args = match &iter.kind {
            ExprKind::Call(f, args, kws)
                if matches!(&f.kind, ExprKind::Name(n) if n == "range" && !self.locals.contains("range"))
                    && kws.is_empty()
                    && (1..=3).contains(&args.len()) =>
            {
                Some((f, args))
            }
            _ => None,
        };
        // `unit`: for `range(stop)` / `range(start, stop)` the loop variable is the
        // only induction variable and the loop runs while it is below `stop`
        // (it never exceeds `stop`, so stepping it cannot overflow).
        let (n, step, seq, unit) = if let Some((f, args)) = range_args {
            let rf = self.expr(f)?;
            let mut vals = Vec::new();
            for a in args {
                vals.push(self.expr(a)?);
            }
            let zero = self.emit_cur(Op::Const(Const::Int(0)), vec![], iter.span);
            let one = self.emit_cur(Op::Const(Const::Int(1)), vec![], iter.span);
            let (start, stop, step) = match vals.len() {
                1 => (zero, vals[0], one),
                2 => (vals[0], vals[1], one),
                _ => (vals[0], vals[1], vals[2]),
            };
            let n = self.emit_cur(Op::RangeLen, vec![rf, start, stop, step], iter.span);
            // The loop variable is a Python int even when range() got a NumPy integer.
            let i0 = self.emit_cur(Op::RangeNext, vec![start, zero], iter.span);
            let b = self.block();
            self.write_var(&iname, b, i0);
            (n, Some(step), None, (vals.len() < 3).then_some(stop))
        } else {
            let seq = self.expr(iter)?;
            let n = self.emit_cur(Op::Len, vec![seq], iter.span);
            (n, None, Some(seq), None)
        };
        self.run_pending(pending)?;
        let zero = self.emit_cur(Op::Const(Const::Int(0)), vec![], iter.span);
        let one = self.emit_cur(Op::Const(Const::Int(1)), vec![], iter.span);
        if unit.is_none() {
            let b = self.block();
            self.write_var(&kname, b, zero);
        }

        let header = self.new_block();
        self.jump(header, vec![], span);
        self.cur = Some(header);
        let c = match unit {
            Some(stop) => {
                let i = self.read_var(&iname, header, span);
                let lt = self.emit(header, Op::Cmp(CmpOp::Lt), vec![i, stop], iter.span);
                self.emit(header, Op::Truth, vec![lt], iter.span)
            }
            None => {
                let k = self.read_var(&kname, header, span);
                self.emit(header, Op::Cmp(CmpOp::Lt), vec![k, n], iter.span)
            }
        };
        let (bb, latch, eb, after) = (self.new_block(), self.new_block(), self.new_block(), self.new_block());
        self.terminate(
            header,
            Term::Br(
                c,
                Edge {
                    block: bb,
                    args: vec![],
                },
                Edge {
                    block: eb,
                    args: vec![],
                },
            ),
            iter.span,
        );
        self.seal(bb);
        self.cur = Some(bb);
        let item = match seq {
            None => self.read_var(&iname, bb, span),
            Some(seq) => {
                let k = self.read_var(&kname, bb, span);
                self.emit(bb, Op::GetItem, vec![seq, k], iter.span)
            }
        };
        self.assign(target, item)?;
        self.loops.push((latch, after));
        self.loop_fin.push(self.fin.len());
        self.stmts(body)?;
        self.loops.pop();
        self.loop_fin.pop();
        self.jump(latch, vec![], span);
        self.seal(latch);
        if self.preds[latch.0 as usize].is_empty() {
            self.cur = None;
        } else {
            self.cur = Some(latch);
            if unit.is_none() {
                let k = self.read_var(&kname, latch, span);
                let k1 = self.emit(latch, Op::RangeNext, vec![k, one], iter.span);
                self.write_var(&kname, latch, k1);
            }
            if let Some(step) = step {
                let i = self.read_var(&iname, latch, span);
                let i1 = self.emit(latch, Op::RangeNext, vec![i, step], iter.span);
                self.write_var(&iname, latch, i1);
            }
            self.jump(header, vec![], span);
        }
        self.seal(header);
        self.seal(eb);
        self.cur = Some(eb);
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

    /// `next(genexp, default)`'s default, if any: evaluated now into its hidden variable.
    fn run_pending(&mut self, pending: Option<(String, Expr)>) -> CResult<()> {
        if let Some((n, e)) = pending {
            let v = self.expr(&e)?;
            let b = self.block_for_write();
            self.write_var(&n, b, v);
        }
        Ok(())
    }

    /// The builtin call `name(...)` (a name not assigned in the function), with its arguments.
    fn builtin_call<'e>(&self, e: &'e Expr, name: &str) -> Option<CallParts<'e>> {
        match &e.kind {
            ExprKind::Call(f, args, kws)
                if matches!(&f.kind, ExprKind::Name(n) if n == name) && !self.locals.contains(name) =>
            {
                Some((f, args, kws))
            }
            _ => None,
        }
    }

    /// One iterable of a loop the lowering expands inline.
    fn source<'e>(&self, e: &'e Expr) -> Src<'e> {
        if let Some((f, args, kws)) = self.builtin_call(e, "range") {
            if kws.is_empty() && (1..=3).contains(&args.len()) {
                return Src::Range(f, args);
            }
        }
        if let Some((f, args, kws)) = self.builtin_call(e, "enumerate") {
            let start = match (args, kws) {
                ([_], []) => Some(None),
                ([_, s], []) => Some(Some(s)),
                ([_], [(k, s)]) if k == "start" => Some(Some(s)),
                _ => None,
            };
            if let Some(start) = start {
                return Src::Enumerate(f, Box::new(self.source(&args[0])), start);
            }
        }
        if let Some((f, args, kws)) = self.builtin_call(e, "zip") {
            if !args.is_empty() && kws.is_empty() {
                return Src::Zip(f, args.iter().map(|a| self.source(a)).collect());
            }
        }
        if let Some((f, args, kws)) = self.builtin_call(e, "reversed") {
            if let ([a], []) = (args, kws) {
                if let inner @ (Src::Range(..) | Src::Seq(_)) = self.source(a) {
                    return Src::Reversed(f, Box::new(inner));
                }
            }
        }
        if let ExprKind::Call(f, args, kws) = &e.kind {
            if let (ExprKind::Attr(m, name), true) = (&f.kind, kws.is_empty()) {
                let module = matches!(&m.kind, ExprKind::Name(n) if !self.locals.contains(n));
                if module && name == "ndindex" && !args.is_empty() {
                    return Src::Ndindex(f, args);
                }
                if module && name == "ndenumerate" && args.len() == 1 {
                    return Src::Ndenumerate(f, &args[0]);
                }
            }
        }
        Src::Seq(e)
    }

    /// The loop's iterable when it is `enumerate`, `zip`, `reversed`, `np.ndindex` or
    /// `np.ndenumerate` (expanded inline by [`Lowerer::for_composite`]).
    fn composite_source<'e>(&self, iter: &'e Expr) -> Option<Src<'e>> {
        match self.source(iter) {
            Src::Range(..) | Src::Seq(_) => None,
            s => Some(s),
        }
    }

    /// Evaluates an iterable (in CPython's order: the callee, its arguments, then
    /// the call's checks) and returns how to step it and its trip count(s).
    fn setup_source(&mut self, src: &Src, span: Span, counts: &mut Vec<Value>) -> CResult<St> {
        let int = |l: &mut Self, i: i64| l.emit_cur(Op::Const(Const::Int(i)), vec![], span);
        Ok(match src {
            Src::Range(f, args) => {
                let rf = self.expr(f)?;
                let mut vals = Vec::new();
                for a in args.iter() {
                    vals.push(self.expr(a)?);
                }
                let (zero, one) = (int(self, 0), int(self, 1));
                let (start, stop, step) = match vals.len() {
                    1 => (zero, vals[0], one),
                    2 => (vals[0], vals[1], one),
                    _ => (vals[0], vals[1], vals[2]),
                };
                let n = self.emit_cur(Op::RangeLen, vec![rf, start, stop, step], span);
                counts.push(n);
                let i0 = self.emit_cur(Op::RangeNext, vec![start, zero], span);
                let name = self.hidden_name("i");
                let b = self.block();
                self.write_var(&name, b, i0);
                St::Range { var: name, step }
            }
            Src::Seq(e) if self.zip_depth > 0 => {
                // Inside zip(): a list's length is re-read every step (see `for_composite`).
                let seq = self.expr(e)?;
                let n = self.emit_cur(Op::LenBound, vec![seq], span);
                counts.push(n);
                self.zip_seqs.push(seq);
                St::Seq(seq)
            }
            Src::Seq(e) => {
                let seq = self.expr(e)?;
                let n = self.emit_cur(Op::Len, vec![seq], span);
                counts.push(n);
                St::Seq(seq)
            }
            Src::Reversed(f, inner) => {
                let rf = self.expr(f)?;
                match &**inner {
                    Src::Range(..) => {
                        let St::Range { var, step } = self.setup_source(inner, span, counts)? else {
                            unreachable!()
                        };
                        self.emit_check("reversed", vec![rf], span);
                        // Last value first: start + (n - 1) * step, in Python ints.
                        let n = *counts.last().unwrap();
                        let (zero, one) = (int(self, 0), int(self, 1));
                        let b = self.block();
                        let start = self.read_var(&var, b, span);
                        let step = self.emit_cur(Op::RangeNext, vec![step, zero], span);
                        let nm1 = self.emit_cur(
                            Op::Bin {
                                op: BinOp::Sub,
                                inplace: false,
                            },
                            vec![n, one],
                            span,
                        );
                        let off = self.emit_cur(
                            Op::Bin {
                                op: BinOp::Mul,
                                inplace: false,
                            },
                            vec![nm1, step],
                            span,
                        );
                        let last = self.emit_cur(
                            Op::Bin {
                                op: BinOp::Add,
                                inplace: false,
                            },
                            vec![start, off],
                            span,
                        );
                        let neg = self.emit_cur(Op::Unary(UnaryOp::Neg), vec![step], span);
                        let b = self.block();
                        self.write_var(&var, b, last);
                        St::Range { var, step: neg }
                    }
                    Src::Seq(e) => {
                        let seq = self.expr(e)?;
                        self.emit_check("reversed", vec![rf], span);
                        let n = self.emit_cur(Op::Len, vec![seq], span);
                        let m1 = int(self, -1);
                        let j0 = self.emit_cur(Op::RangeNext, vec![n, m1], span);
                        // The trip count is the length when the loop starts (a list that
                        // grows is not seen), as an int: not a list length the loop's
                        // test would re-read.
                        let one = int(self, 1);
                        let n0 = self.emit_cur(Op::RangeNext, vec![j0, one], span);
                        counts.push(n0);
                        let name = self.hidden_name("j");
                        let b = self.block();
                        self.write_var(&name, b, j0);
                        // (a list may shrink while the loop runs: each step re-checks `j`)
                        self.rev_seqs.push((seq, name.clone()));
                        St::Range { var: name, step: m1 }.rev_of(seq)
                    }
                    _ => unreachable!(),
                }
            }
            Src::Enumerate(f, inner, start) => {
                let rf = self.expr(f)?;
                let st = self.setup_source(inner, span, counts)?;
                match start {
                    None => {
                        self.emit_check("enumerate", vec![rf], span);
                        St::Enumerate(None, Box::new(st))
                    }
                    Some(s) => {
                        let s = self.expr(s)?;
                        self.emit_check("enumerate", vec![rf, s], span);
                        let zero = int(self, 0);
                        let c0 = self.emit_cur(Op::RangeNext, vec![s, zero], span);
                        let name = self.hidden_name("c");
                        let b = self.block();
                        self.write_var(&name, b, c0);
                        St::Enumerate(Some(name), Box::new(st))
                    }
                }
            }
            Src::Ndindex(f, args) => {
                let rf = self.expr(f)?;
                let mut dims = Vec::new();
                for a in args.iter() {
                    dims.push(self.expr(a)?);
                }
                let shape = if dims.len() == 1 {
                    dims[0]
                } else {
                    self.emit_cur(Op::Tuple, dims, span)
                };
                self.emit_check("ndindex", vec![rf, shape], span);
                let n = self.emit_cur(Op::NdSize, vec![shape], span);
                counts.push(n);
                St::Nd { shape, arr: None }
            }
            Src::Ndenumerate(f, a) => {
                let rf = self.expr(f)?;
                let arr = self.expr(a)?;
                self.emit_check("ndenumerate", vec![rf, arr], span);
                let shape = self.emit_cur(Op::Attr("shape".into()), vec![arr], span);
                let n = self.emit_cur(Op::NdSize, vec![shape], span);
                counts.push(n);
                St::Nd { shape, arr: Some(arr) }
            }
            Src::Zip(f, srcs) => {
                let rf = self.expr(f)?;
                let mut sts = Vec::new();
                self.zip_depth += 1;
                for s in srcs {
                    let st = self.setup_source(s, span, counts);
                    if st.is_err() {
                        self.zip_depth -= 1;
                    }
                    sts.push(st?);
                }
                self.zip_depth -= 1;
                self.emit_check("zip", vec![rf], span);
                St::Zip(sts)
            }
        })
    }

    /// `x in range(...)` for an int `x`, as `range.__contains__` computes it:
    /// `start <= x < stop` (`stop < x <= start` for a negative step) and
    /// `(x - start) % step == 0`, in Python ints (no length: it may not fit 64 bits).
    fn in_range(&mut self, x: Value, f: &Expr, args: &[Expr], span: Span) -> CResult<Value> {
        let rf = self.expr(f)?;
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.expr(a)?);
        }
        let zero = self.emit_cur(Op::Const(Const::Int(0)), vec![], span);
        let one = self.emit_cur(Op::Const(Const::Int(1)), vec![], span);
        let (start, stop, step) = match vals.len() {
            1 => (zero, vals[0], one),
            2 => (vals[0], vals[1], one),
            _ => (vals[0], vals[1], vals[2]),
        };
        // The call `range(start, stop, step)` (ints, a nonzero step); only an int
        // probe is compiled (a float one compares with each element).
        self.emit_check("range", vec![rf, start, stop, step, x], span);
        let bin =
            |l: &mut Self, op: BinOp, a: Value, b: Value| l.emit_cur(Op::Bin { op, inplace: false }, vec![a, b], span);
        let cmp = |l: &mut Self, op: CmpOp, a: Value, b: Value| l.emit_cur(Op::Cmp(op), vec![a, b], span);
        let xi = self.emit_cur(Op::RangeNext, vec![x, zero], span);
        let lo = self.emit_cur(Op::RangeNext, vec![start, zero], span);
        let hi = self.emit_cur(Op::RangeNext, vec![stop, zero], span);
        let st = self.emit_cur(Op::RangeNext, vec![step, zero], span);
        let up = cmp(self, CmpOp::Gt, st, zero);
        let a1 = cmp(self, CmpOp::Le, lo, xi);
        let a2 = cmp(self, CmpOp::Lt, xi, hi);
        let inc = bin(self, BinOp::BitAnd, a1, a2);
        let b1 = cmp(self, CmpOp::Lt, hi, xi);
        let b2 = cmp(self, CmpOp::Le, xi, lo);
        let dec = bin(self, BinOp::BitAnd, b1, b2);
        let down = self.emit_cur(Op::Unary(UnaryOp::Not), vec![up], span);
        let inc = bin(self, BinOp::BitAnd, up, inc);
        let dec = bin(self, BinOp::BitAnd, down, dec);
        let within = bin(self, BinOp::BitOr, inc, dec);
        let d = bin(self, BinOp::Sub, xi, lo);
        let r = bin(self, BinOp::Mod, d, st);
        let on_step = cmp(self, CmpOp::Eq, r, zero);
        Ok(bin(self, BinOp::BitAnd, within, on_step))
    }

    /// `min(a, b)` of two trip counts (ints), as a branch and a block parameter.
    fn min_count(&mut self, a: Value, b: Value, span: Span) -> Value {
        let lt = self.emit_cur(Op::Cmp(CmpOp::Lt), vec![b, a], span);
        let from = self.block();
        let (tb, eb, merge) = (self.new_block(), self.new_block(), self.new_block());
        let r = self.add_param(merge, "%min");
        self.branch(from, lt, tb, eb, span);
        self.cur = Some(tb);
        self.jump(merge, vec![b], span);
        self.cur = Some(eb);
        self.jump(merge, vec![a], span);
        self.seal(merge);
        self.cur = Some(merge);
        r
    }

    /// The item of one iteration (at the top of the body).
    fn source_item(&mut self, st: &St, k: Value, span: Span) -> Value {
        let b = self.block();
        match st {
            St::Range { var, .. } => self.read_var(var, b, span),
            St::Seq(seq) => self.emit_cur(Op::GetItem, vec![*seq, k], span),
            St::RevSeq { seq, var } => {
                let j = self.read_var(var, b, span);
                self.emit_cur(Op::GetItem, vec![*seq, j], span)
            }
            St::Enumerate(c, inner) => {
                let i = match c {
                    Some(c) => self.read_var(c, b, span),
                    None => k,
                };
                let x = self.source_item(inner, k, span);
                self.emit_cur(Op::Tuple, vec![i, x], span)
            }
            St::Nd { shape, arr } => {
                let idx = self.emit_cur(Op::NdIndex, vec![*shape, k], span);
                match arr {
                    None => idx,
                    Some(a) => {
                        let v = self.emit_cur(Op::GetItem, vec![*a, idx], span);
                        self.emit_cur(Op::Tuple, vec![idx, v], span)
                    }
                }
            }
            St::Zip(sts) => {
                let items: Vec<Value> = sts.iter().map(|s| self.source_item(s, k, span)).collect();
                self.emit_cur(Op::Tuple, items, span)
            }
        }
    }

    /// Steps the hidden variables of an iterable (in the loop latch).
    fn source_step(&mut self, st: &St, span: Span) {
        let mut writes = Vec::new();
        self.source_step_writes(st, span, &mut writes);
        let b = self.block();
        for (n, v) in writes {
            self.write_var(&n, b, v);
        }
    }

    /// The next values of the hidden variables of an iterable (computed
    /// here), with the variables, for the caller to write.
    fn source_step_writes(&mut self, st: &St, span: Span, out: &mut Vec<(String, Value)>) {
        let b = self.block();
        match st {
            St::Range { var, step } => {
                let i = self.read_var(var, b, span);
                let i1 = self.emit_cur(Op::RangeNext, vec![i, *step], span);
                out.push((var.clone(), i1));
            }
            St::Seq(_) | St::Nd { .. } => {}
            St::RevSeq { var, .. } => {
                let j = self.read_var(var, b, span);
                let m1 = self.emit_cur(Op::Const(Const::Int(-1)), vec![], span);
                let j1 = self.emit_cur(Op::RangeNext, vec![j, m1], span);
                out.push((var.clone(), j1));
            }
            St::Enumerate(c, inner) => {
                if let Some(c) = c {
                    let i = self.read_var(c, b, span);
                    let one = self.emit_cur(Op::Const(Const::Int(1)), vec![], span);
                    // Checked: `enumerate(x, start)` counts in Python ints past 64 bits.
                    let i1 = self.emit_cur(
                        Op::Bin {
                            op: BinOp::Add,
                            inplace: false,
                        },
                        vec![i, one],
                        span,
                    );
                    out.push((c.clone(), i1));
                }
                self.source_step_writes(inner, span, out);
            }
            St::Zip(sts) => sts.iter().for_each(|s| self.source_step_writes(s, span, out)),
        }
    }

    /// `for target in enumerate(...)/zip(...)/reversed(...)`: a counted loop over
    /// hidden indexes, each iterable read by index (an array element or row is
    /// read when the iteration reaches it, as NumPy's iterator does); `zip` stops
    /// at its shortest argument.
    fn for_composite(
        &mut self,
        target: &Target,
        iter: &Expr,
        src: &Src,
        (body, orelse): (&[Stmt], &[Stmt]),
        pending: Option<(String, Expr)>,
        span: Span,
    ) -> CResult<()> {
        let mut counts = Vec::new();
        let saved = std::mem::take(&mut self.zip_seqs);
        let saved_rev = std::mem::take(&mut self.rev_seqs);
        let st = self.setup_source(src, iter.span, &mut counts);
        let seqs = std::mem::replace(&mut self.zip_seqs, saved);
        let revs = std::mem::replace(&mut self.rev_seqs, saved_rev);
        let st = st?;
        self.run_pending(pending)?;
        // `zip` stops at its shortest argument: the trip count is the smallest count
        // (one counter tested against one bound, so the bounds pass sees a counted loop).
        let mut n = counts[0];
        for m in &counts[1..] {
            n = self.min_count(n, *m, iter.span);
        }
        let kname = self.hidden_name("k");
        let zero = self.emit_cur(Op::Const(Const::Int(0)), vec![], iter.span);
        let one = self.emit_cur(Op::Const(Const::Int(1)), vec![], iter.span);
        let b = self.block();
        self.write_var(&kname, b, zero);

        let header = self.new_block();
        self.jump(header, vec![], span);
        self.cur = Some(header);
        let k = self.read_var(&kname, header, span);
        let c = self.emit(header, Op::Cmp(CmpOp::Lt), vec![k, n], iter.span);
        let (bb, latch, eb, after) = (self.new_block(), self.new_block(), self.new_block(), self.new_block());
        self.terminate(
            header,
            Term::Br(
                c,
                Edge {
                    block: bb,
                    args: vec![],
                },
                Edge {
                    block: eb,
                    args: vec![],
                },
            ),
            iter.span,
        );
        self.seal(bb);
        self.cur = Some(bb);
        let k = self.read_var(&kname, bb, span);
        // zip() stops when any of its sequences has no item left at this step:
        // lists are re-read (they may have changed), as their iterators do;
        // arrays and tuples pass (their bound is in `n` already). reversed()
        // stops when its index is past the end of a list that shrank.
        let rev_vars: Vec<(Value, Value)> = revs
            .iter()
            .map(|(seq, var)| {
                let b = self.block();
                (*seq, self.read_var(var, b, span))
            })
            .collect();
        let checks: Vec<(Value, Value)> = seqs.into_iter().map(|s| (s, k)).chain(rev_vars).collect();
        for (seq, idx) in checks {
            let b = self.block();
            let len = self.emit(b, Op::Len, vec![seq], iter.span);
            let more = self.emit(b, Op::Cmp(CmpOp::Lt), vec![idx, len], iter.span);
            let next = self.new_block();
            self.terminate(
                b,
                Term::Br(
                    more,
                    Edge {
                        block: next,
                        args: vec![],
                    },
                    Edge {
                        block: eb,
                        args: vec![],
                    },
                ),
                iter.span,
            );
            self.seal(next);
            self.cur = Some(next);
        }
        let b = self.block();
        let k = self.read_var(&kname, b, span);
        let item = self.source_item(&st, k, iter.span);
        self.assign(target, item)?;
        self.loops.push((latch, after));
        self.loop_fin.push(self.fin.len());
        self.stmts(body)?;
        self.loops.pop();
        self.loop_fin.pop();
        self.jump(latch, vec![], span);
        self.seal(latch);
        if self.preds[latch.0 as usize].is_empty() {
            self.cur = None;
        } else {
            self.cur = Some(latch);
            let k = self.read_var(&kname, latch, span);
            let k1 = self.emit(latch, Op::RangeNext, vec![k, one], iter.span);
            self.write_var(&kname, latch, k1);
            self.source_step(&st, iter.span);
            self.jump(header, vec![], span);
        }
        self.seal(header);
        self.seal(eb);
        self.cur = Some(eb);
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

    /// The names of `for f in (g, h, ...)` when the loop is unrolled over
    /// them: a tuple (or list) display of 1 to 8 global names (module-level
    /// functions, inlined where they can be, compiled functions, builtins), the
    /// loop variable a plain name the body only calls (`f(...)`: not
    /// assigned, not read otherwise, not read by a nested function or
    /// lambda), a short body with no `break`, `continue`, `return` or `try`,
    /// outside an inlined body. None: the loop as any other.
    fn function_tuple(&self, target: &Target, iter: &Expr, body: &[Stmt]) -> Option<Vec<Expr>> {
        let (Target::Name(f, _), ExprKind::Tuple(es)) = (target, &iter.kind) else {
            return None;
        };
        if !self.inlining.is_empty() || !(1..=8).contains(&es.len()) || stmts_len(body) > 32 || jumps_out(body) {
            return None;
        }
        let global_fn = |e: &Expr| match &e.kind {
            ExprKind::Name(n) => !self.locals.contains(n) && !self.inner.contains_key(n) && !self.gens.contains_key(n),
            _ => false,
        };
        if !es.iter().all(global_fn) {
            return None;
        }
        let mut assigned = HashSet::new();
        collect_assigned(body, &mut assigned);
        if assigned.contains(f) || self.inner.contains_key(f) {
            return None;
        }
        // `f` read only as a callee, nowhere in a lambda or a nested function
        let (mut calls, mut reads, mut nested) = (0usize, 0usize, false);
        crate::hir::walk_stmts(body, &mut |e| {
            match &e.kind {
                ExprKind::Call(c, _, _) if matches!(&c.kind, ExprKind::Name(n) if n == f) => calls += 1,
                ExprKind::Name(n) if n == f => reads += 1,
                ExprKind::Lambda(..) => nested = true,
                _ => {}
            }
            true
        });
        let defs = body.iter().any(|s| matches!(s.kind, StmtKind::Def(_)));
        (reads == calls && !nested && !defs).then(|| es.clone())
    }

    /// `(start, stop, step)` of `range(...)` with literal arguments and at most
    /// 8 iterations, when the body has no `break`/`continue`/`return` (so it
    /// can be unrolled).
    fn small_constant_range(&self, iter: &Expr, body: &[Stmt]) -> Option<(i64, i64, i64)> {
        let ExprKind::Call(f, args, kws) = &iter.kind else {
            return None;
        };
        if !matches!(&f.kind, ExprKind::Name(n) if n == "range") || self.locals.contains("range") || !kws.is_empty() {
            return None;
        }
        let lit = |e: &Expr| match &e.kind {
            ExprKind::Lit(Literal::Int(i)) => Some(*i),
            ExprKind::Unary(UnaryOp::Neg, x) => match &x.kind {
                ExprKind::Lit(Literal::Int(i)) => Some(-*i),
                _ => None,
            },
            _ => None,
        };
        let vals: Option<Vec<i64>> = args.iter().map(lit).collect();
        let (start, stop, step) = match vals?.as_slice() {
            [n] => (0, *n, 1),
            [a, b] => (*a, *b, 1),
            [a, b, c] if *c != 0 => (*a, *b, *c),
            _ => return None,
        };
        let trips = if step > 0 {
            (stop - start + step - 1) / step
        } else {
            (start - stop - step - 1) / -step
        };
        if !(1..=8).contains(&trips) || stmts_len(body) > 24 || jumps_out(body) {
            return None;
        }
        Some((start, stop, step))
    }

    fn assign(&mut self, t: &Target, v: Value) -> CResult<()> {
        match t {
            Target::Name(n, _) => {
                let b = self.block_for_write();
                self.write_var(n, b, v);
            }
            Target::Subscript(obj, idx, span) => {
                let o = self.expr(obj)?;
                let mut args = vec![o];
                args.extend(self.index(idx)?);
                args.push(v);
                self.emit_store(args, *span);
            }
            Target::Attr(obj, name, span) => {
                let o = self.expr(obj)?;
                match (&obj.kind, name.as_str()) {
                    // `x.shape = s` of a local reshapes the object in place: `x` is
                    // rebound to the result (the same object), typed with its new rank.
                    (ExprKind::Name(n), "shape") if self.locals.contains(n) => {
                        let r = self.emit_cur(Op::SetShape, vec![o, v], *span);
                        let b = self.block_for_write();
                        self.write_var(n, b, r);
                        return Ok(());
                    }
                    _ => {}
                }
                self.emit_setattr(name, o, v, *span);
            }
            Target::Tuple(ts, span) => {
                let u = self.emit_cur(Op::Unpack(ts.len() as u32), vec![v], *span);
                for (k, t) in ts.iter().enumerate() {
                    let x = self.emit_cur(Op::TupleGet(k as u32), vec![u], *span);
                    self.assign(t, x)?;
                }
            }
        }
        Ok(())
    }

    // ---- expressions ------------------------------------------------------

    fn name(&mut self, n: &str, span: Span) -> Value {
        if self.locals.contains(n) {
            let b = self.block();
            let v = self.read_var(n, b, span);
            if !self.maybe_unbound.contains(&v) || n.starts_with('%') {
                return v;
            }
            // CPython checks the variable as it loads it, before the rest of
            // the expression runs (`lst.append(f())`, `x += f()`, `x[f()]`).
            let user_name = n.split('@').next().unwrap_or(n);
            let scope = if !self.inlining.is_empty() && !n.contains('@') {
                ReadScope::Free
            } else {
                self.comp_reads
                    .get(&(span, n.to_string()))
                    .copied()
                    .unwrap_or(ReadScope::Local)
            };
            let r = self.emit_cur(Op::Bound(user_name.to_string(), scope), vec![v], span);
            self.f.values[r.0 as usize].name = Some(user_name.to_string());
            r
        } else {
            self.emit_cur(Op::Global(n.to_string()), vec![], span)
        }
    }

    fn index(&mut self, idx: &Expr) -> CResult<Vec<Value>> {
        match &idx.kind {
            // `x[k,]` indexes with the tuple `(k,)`, not with `k`: the same for an
            // ndarray, not for a list, a dict or `np.mgrid`.
            ExprKind::Tuple(es) if es.len() == 1 => {
                let v = self.expr(&es[0])?;
                Ok(vec![self.emit_cur(Op::Tuple, vec![v], idx.span)])
            }
            ExprKind::Tuple(es) => es.iter().map(|e| self.expr(e)).collect(),
            _ => Ok(vec![self.expr(idx)?]),
        }
    }

    fn cond(&mut self, e: &Expr) -> CResult<Value> {
        if let ExprKind::BoolOp(is_and, vals) = &e.kind {
            return self.cond_boolop(*is_and, vals, e.span);
        }
        let v = self.expr(e)?;
        if let Some(t) = self.const_truth(v) {
            return Ok(self.emit_cur(Op::Const(Const::Bool(t)), vec![], e.span));
        }
        Ok(self.emit_cur(Op::Truth, vec![v], e.span))
    }

    /// `a and b ...` / `a or b ...` where only its truth is used (the test of
    /// an `if`, a `while` or a conditional expression): each operand's truth is
    /// tested once, as CPython's jumps test it, and the operands may have any
    /// types (`if n > 0 and lst:`), since the merged value is a bool.
    fn cond_boolop(&mut self, is_and: bool, vals: &[Expr], span: Span) -> CResult<Value> {
        // (a constant operand folds: one that decides is the result, the rest is
        // never evaluated; one that does not is skipped)
        let mut merge: Option<(Block, Value)> = None;
        let done = |me: &mut Self, merge: Option<(Block, Value)>, t: Value| -> Value {
            match merge {
                Some((m, r)) => {
                    me.jump(m, vec![t], span);
                    me.seal(m);
                    me.cur = Some(m);
                    r
                }
                None => t,
            }
        };
        for (i, ve) in vals.iter().enumerate() {
            let t = self.cond(ve)?;
            let c = self.const_truth(t);
            if i + 1 == vals.len() || c == Some(!is_and) {
                return Ok(done(self, merge, t));
            }
            if c.is_some() {
                continue;
            }
            let (m, _) = *merge.get_or_insert_with(|| {
                let m = self.new_block();
                (m, self.add_param(m, "%cond"))
            });
            let next = self.new_block();
            let (to_next, to_merge) = (
                Edge {
                    block: next,
                    args: vec![],
                },
                Edge {
                    block: m,
                    args: vec![t],
                },
            );
            let (yes, no) = if is_and {
                (to_next, to_merge)
            } else {
                (to_merge, to_next)
            };
            let b = self.block();
            self.terminate(b, Term::Br(t, yes, no), ve.span);
            self.seal(next);
            self.cur = Some(next);
        }
        unreachable!("the last operand returns")
    }

    /// The truth of a value known to be a number, bool or None constant.
    fn const_truth(&self, v: Value) -> Option<bool> {
        match self.consts.get(&v)? {
            Const::Int(i) => Some(*i != 0),
            Const::Bool(b) => Some(*b),
            Const::Float(x) => Some(*x != 0.0),
            Const::None => Some(false),
            _ => None,
        }
    }

    /// `a OP b` for int or bool constants (exact, as Python compares them).
    fn fold_compare(&self, op: CmpOp, a: Value, b: Value) -> Option<bool> {
        let int = |v: Value| match self.consts.get(&v)? {
            Const::Int(i) => Some(*i),
            Const::Bool(b) => Some(*b as i64),
            _ => None,
        };
        let (x, y) = (int(a)?, int(b)?);
        Some(match op {
            CmpOp::Eq => x == y,
            CmpOp::Ne => x != y,
            CmpOp::Lt => x < y,
            CmpOp::Le => x <= y,
            CmpOp::Gt => x > y,
            CmpOp::Ge => x >= y,
        })
    }

    /// `dict(a=x, b=y)` as the display `{"a": x, "b": y}`, and `dict(zip(ks, vs))`
    /// as `{k: v for k, v in zip(ks, vs)}` (the pairs in order, a later key
    /// winning, as `dict` inserts them), once `dict` is checked to be the builtin.
    fn dict_call(&mut self, e: &Expr) -> CResult<Option<Value>> {
        let ExprKind::Call(f, args, kws) = &e.kind else {
            return Ok(None);
        };
        let ExprKind::Name(n) = &f.kind else { return Ok(None) };
        if n != "dict" || self.locals.contains(n) {
            return Ok(None);
        }
        let span = e.span;
        let rewritten = match (args.as_slice(), kws.is_empty()) {
            ([], false) => ExprKind::Dict(
                kws.iter()
                    .map(|(k, v)| {
                        let key = Expr {
                            kind: ExprKind::Lit(Literal::Str(k.clone())),
                            span: v.span,
                        };
                        (key, v.clone())
                    })
                    .collect(),
            ),
            ([z], true) => {
                let ExprKind::Call(zf, zargs, zkws) = &z.kind else {
                    return Ok(None);
                };
                if !matches!(&zf.kind, ExprKind::Name(zn) if zn == "zip" && !self.locals.contains(zn))
                    || zargs.len() != 2
                    || !zkws.is_empty()
                {
                    return Ok(None);
                }
                let (k, v) = (self.hidden_name("k"), self.hidden_name("v"));
                ExprKind::DictComp(
                    Box::new(comp::name(&k, span)),
                    Box::new(comp::name(&v, span)),
                    vec![Comprehension {
                        target: Target::Tuple(vec![Target::Name(k, span), Target::Name(v, span)], span),
                        iter: z.clone(),
                        ifs: vec![],
                    }],
                )
            }
            _ => return Ok(None),
        };
        let rf = self.expr(f)?;
        self.emit_check("dict", vec![rf], span);
        Ok(Some(self.expr(&Expr { kind: rewritten, span })?))
    }

    /// `getattr(x, "name")` with a constant identifier: `x.name`, once the call's
    /// callee is checked to be the builtin (after `x` is evaluated, as the call does).
    fn getattr_call(&mut self, e: &Expr) -> CResult<Option<Value>> {
        let ExprKind::Call(f, args, kws) = &e.kind else {
            return Ok(None);
        };
        let (ExprKind::Name(n), [obj, name]) = (&f.kind, args.as_slice()) else {
            return Ok(None);
        };
        let ExprKind::Lit(Literal::Str(attr)) = &name.kind else {
            return Ok(None);
        };
        if n != "getattr" || self.locals.contains(n) || !kws.is_empty() || !is_identifier(attr) {
            return Ok(None);
        }
        let rf = self.expr(f)?;
        let o = self.expr(obj)?;
        self.emit_check("getattr", vec![rf], e.span);
        Ok(Some(self.emit_cur(Op::Attr(attr.clone()), vec![o], e.span)))
    }

    /// A lambda made into a Python function (`Op::Lambda`) with the values of
    /// the locals its body reads.
    fn lambda(&mut self, params: &[String], body: &Expr, span: Span, escapes: bool) -> CResult<Value> {
        if !self.inlining.is_empty() || !self.gen_inline.is_empty() {
            return Err(CompileError::unsupported(
                span,
                "lambdas inside an inlined function or generator are not supported yet",
            ));
        }
        let mut names: Vec<String> = Vec::new();
        crate::hir::walk_expr(body, &mut |x| {
            if let ExprKind::Name(n) = &x.kind {
                if !params.contains(n) && !names.contains(n) {
                    names.push(n.clone());
                }
            }
            true
        });
        // (a comprehension's variable has a hidden name: read from its cell)
        if names
            .iter()
            .any(|n| !is_identifier(n) && !self.escapes.cells.contains(n))
        {
            return Err(CompileError::unsupported(
                span,
                "a lambda reading a comprehension's variable is not supported yet",
            ));
        }
        names.retain(|n| self.locals.contains(n));
        self.check_made(&names, span)?;
        let index = self
            .lambda_spans
            .iter()
            .filter(|s| s.line == span.line && s.col < span.col)
            .count() as u32;
        // (not checked bound: the lambda's cell is empty then, and reading it raises when it runs)
        let vals = self.closure_vals(&mut names, span, escapes);
        Ok(self.emit_cur(
            Op::Lambda {
                name: "<lambda>".into(),
                escapes,
                line: span.line,
                index,
                names,
            },
            vals,
            span,
        ))
    }

    /// A nested `def` made into a Python function (`Op::Lambda`) with the
    /// values of the locals it reads (`lower/closures.rs`: they do not change
    /// after this); its own name, read by its recursive calls, is itself.
    fn make_def(&mut self, d: &FunctionDef) -> CResult<Value> {
        let mut names: Vec<String> = closures::def_free_names(d)
            .into_iter()
            .filter(|n| self.locals.contains(n) && (*n != d.name || self.shared_made.contains(n)))
            .collect();
        names.sort();
        self.check_made(&names, d.span)?;
        let vals = self.closure_vals(&mut names, d.span, true);
        Ok(self.emit_cur(
            Op::Lambda {
                name: d.name.clone(),
                escapes: true,
                line: d.span.line,
                index: 0,
                names,
            },
            vals,
            d.span,
        ))
    }

    /// The values a made function's closure takes for `names`: a variable's
    /// value, or the variable's cell where it has one (its name becomes
    /// `&name`: the cell itself is the closure's, see `Op::Lambda`).
    fn closure_vals(&mut self, names: &mut [String], span: Span, share: bool) -> Vec<Value> {
        let b = self.block();
        let mut vals = Vec::with_capacity(names.len());
        for n in names.iter_mut() {
            if share && self.shared_made.contains(n.as_str()) {
                // (the cell every function made in this call shares)
                vals.push(self.read_var(&cell_var(n), b, span));
                *n = format!("&{n}");
            } else if self.escapes.cells.contains(n.as_str()) {
                vals.push(self.read_var(&cell_var(n), b, span));
                // (a comprehension's variable, `%c3.i`, by its own name)
                let own = n
                    .split_once('.')
                    .filter(|_| n.starts_with('%'))
                    .map_or(n.as_str(), |(_, v)| v);
                *n = format!("&{own}");
            } else {
                vals.push(self.read_var(n, b, span));
            }
        }
        vals
    }

    /// The nested functions among `names` (read by a function being made)
    /// are objects by now, or the reason they cannot be.
    fn check_made(&self, names: &[String], span: Span) -> CResult<()> {
        for n in names {
            if let Some(why) = self.escapes.unsafe_defs.get(n) {
                return Err(CompileError::unsupported(span, why.clone()));
            }
            if self.inner.contains_key(n) && !self.escapes.made.contains(n) {
                return Err(CompileError::unsupported(
                    span,
                    format!("a function made here reads the nested function '{n}' (not supported yet)"),
                ));
            }
        }
        Ok(())
    }

    /// The values of a call's positional arguments or a display's items, in
    /// order, with each `*p` of a tuple parameter of known length (`star_lens`)
    /// as its items: `p` unpacked (a tuple of that length, so the unpacking
    /// cannot fail, and a namedtuple iterates as its items), as CPython's
    /// `LIST_EXTEND` of the tuple does.
    fn items(&mut self, es: &[Expr]) -> CResult<Vec<Value>> {
        let mut vals = Vec::with_capacity(es.len());
        for e in es {
            let ExprKind::Starred(x) = &e.kind else {
                vals.push(self.expr(e)?);
                continue;
            };
            // `*(a, b)`: the display's items (made, then unpacked, in this order).
            if let ExprKind::Tuple(es) = &x.kind {
                vals.extend(self.items(es)?);
                continue;
            }
            let n = match &x.kind {
                ExprKind::Name(n) if self.inlining.is_empty() => self.star_lens.get(n).copied(),
                _ => None,
            };
            let Some(n) = n else {
                // (a marker: inference refuses it, see `Op::StarItems`)
                let t = self.expr(x)?;
                vals.push(self.emit_cur(Op::StarItems, vec![t], e.span));
                continue;
            };
            let t = self.expr(x)?;
            let u = self.emit_cur(Op::Unpack(n as u32), vec![t], e.span);
            for i in 0..n {
                vals.push(self.emit_cur(Op::TupleGet(i as u32), vec![u], e.span));
            }
        }
        Ok(vals)
    }

    /// `fs[i](args)` where `fs` is a tuple of a length `k` known here (2 to
    /// 8: a tuple parameter the body never rebinds or a local bound only to
    /// tuple displays, `star_lens`; a tuple or list display itself,
    /// `(g0, g1)[i](x)`) and `i` is computed: a
    /// tuple of functions gives each item a type of its own, so the call is
    /// a chain of calls of `fs[0]`, ..., `fs[k - 1]` (each a direct call of
    /// that function, typed for it), chosen by the index. The index is first
    /// taken as `fs[i]` takes it, by `(0, 1, ..., k - 1)[i]` (CPython's
    /// `IndexError` and `TypeError` for a bad index, raised before the
    /// arguments are evaluated, as `fs[i]` raises them); the arguments are
    /// then evaluated once, in order, as CPython evaluates them after `fs[i]`.
    fn indexed_call(&mut self, e: &Expr) -> CResult<Option<Value>> {
        let ExprKind::Call(f, args, kws) = &e.kind else {
            return Ok(None);
        };
        let ExprKind::Subscript(t, idx) = &f.kind else {
            return Ok(None);
        };
        // (a display of global functions: `display_indexed_call`, no tuple made;
        // any other display, a tuple parameter or a local of known length below)
        if let ExprKind::List(items) | ExprKind::Tuple(items) = &t.kind {
            if let Some(v) = self.display_indexed_call(e, items, matches!(t.kind, ExprKind::List(_)))? {
                return Ok(Some(v));
            }
        }
        if !matches!(t.kind, ExprKind::Name(_) | ExprKind::Tuple(_) | ExprKind::List(_)) {
            return Ok(None);
        }
        if !self.inlining.is_empty()
            || !kws.is_empty()
            || args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || matches!(
                idx.kind,
                ExprKind::Lit(_) | ExprKind::Slice(..) | ExprKind::Tuple(_) | ExprKind::Unary(..)
            )
        {
            return Ok(None);
        }
        let (k, list) = match &t.kind {
            ExprKind::Name(n) => match self.star_lens.get(n) {
                Some(&k) => (k, false),
                None => return Ok(None),
            },
            ExprKind::Tuple(es) | ExprKind::List(es) if !es.iter().any(|e| matches!(e.kind, ExprKind::Starred(_))) => {
                (es.len(), matches!(t.kind, ExprKind::List(_)))
            }
            _ => return Ok(None),
        };
        if !(2..=8).contains(&k) {
            return Ok(None);
        }
        let span = e.span;
        // (a display's items, in order; a list display, which cannot escape
        // here, as a tuple: its items may be functions)
        let tv = match &t.kind {
            ExprKind::Tuple(es) | ExprKind::List(es) => {
                let vs = self.items(es)?;
                self.emit_cur(Op::Tuple, vs, t.span)
            }
            _ => self.expr(t)?,
        };
        let iv = self.expr(idx)?;
        let ks: Vec<Value> = (0..k)
            .map(|j| self.emit_cur(Op::Const(Const::Int(j as i64)), vec![], idx.span))
            .collect();
        // (indexed as the display's own kind: a list's IndexError and TypeError messages)
        let kt = self.emit_cur(if list { Op::List } else { Op::Tuple }, ks, idx.span);
        let j = self.emit_cur(Op::GetItem, vec![kt, iv], f.span);
        let u = self.emit_cur(Op::Unpack(k as u32), vec![tv], t.span);
        let fns: Vec<Value> = (0..k)
            .map(|m| self.emit_cur(Op::TupleGet(m as u32), vec![u], f.span))
            .collect();
        let argv = self.items(args)?;
        Ok(Some(self.call_chain(j, &fns, &argv, f.span, span)))
    }

    /// The call `fns[j](argv)` as a chain of direct calls of each of `fns`
    /// (each typed for its own function), chosen by `j` (an index already
    /// checked in range): `j == 0` calls `fns[0]`, ..., the last is the rest.
    fn call_chain(&mut self, j: Value, fns: &[Value], argv: &[Value], at: Span, span: Span) -> Value {
        let k = fns.len();
        let merge = self.new_block();
        let r = self.add_param(merge, "%fcall");
        for (m, &callee) in fns.iter().enumerate() {
            let mut other = None;
            if m + 1 < k {
                let c = self.emit_cur(Op::Const(Const::Int(m as i64)), vec![], at);
                let eq = self.emit_cur(Op::Cmp(CmpOp::Eq), vec![j, c], at);
                let from = self.block();
                let (tb, eb) = (self.new_block(), self.new_block());
                self.branch(from, eq, tb, eb, span);
                self.cur = Some(tb);
                other = Some(eb);
            }
            let mut vals = vec![callee];
            vals.extend(argv.iter().copied());
            let v = self.emit_cur(Op::Call { kw: vec![] }, vals, span);
            self.jump(merge, vec![v], span);
            if let Some(eb) = other {
                self.cur = Some(eb);
            }
        }
        self.seal(merge);
        self.cur = Some(merge);
        r
    }

    /// `[g, h][i](args)` (or `(g, h)[i](args)`): a list or tuple display of
    /// 2 to 8 names of functions not bound in this function (globals,
    /// builtins) indexed by a computed `i`, then called. As CPython runs it:
    /// the names are read in order (the display), then `i`; the index is
    /// taken as the display takes it, by `[0, 1, ..., k - 1][i]` (a list's
    /// or a tuple's `IndexError`/`TypeError`, before the arguments are
    /// evaluated), then the arguments once, in order, and the call is a
    /// chain of calls of each name's function (each typed for its own),
    /// chosen by the index. No list or tuple of functions is made.
    fn display_indexed_call(&mut self, e: &Expr, items: &[Expr], list: bool) -> CResult<Option<Value>> {
        let ExprKind::Call(f, args, kws) = &e.kind else {
            return Ok(None);
        };
        let ExprKind::Subscript(_, idx) = &f.kind else {
            return Ok(None);
        };
        let k = items.len();
        let global =
            |x: &Expr| matches!(&x.kind, ExprKind::Name(n) if !self.locals.contains(n) && !self.inner.contains_key(n));
        if !self.inlining.is_empty()
            || !kws.is_empty()
            || !(2..=8).contains(&k)
            || !items.iter().all(global)
            || args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || matches!(idx.kind, ExprKind::Slice(..) | ExprKind::Tuple(_))
        {
            return Ok(None);
        }
        let span = e.span;
        let fns: Vec<Value> = items.iter().map(|x| self.expr(x)).collect::<CResult<_>>()?;
        let iv = self.expr(idx)?;
        // (the list of indexes, never changed, is made once, on entry: not
        // a new list per call in a loop)
        let at = if list { Block(0) } else { self.block() };
        let ks: Vec<Value> = (0..k)
            .map(|j| self.emit(at, Op::Const(Const::Int(j as i64)), vec![], idx.span))
            .collect();
        let kt = self.emit(at, if list { Op::List } else { Op::Tuple }, ks, f.span);
        let j = self.emit_cur(Op::GetItem, vec![kt, iv], f.span);
        let argv = self.items(args)?;
        Ok(Some(self.call_chain(j, &fns, &argv, f.span, span)))
    }

    /// A call's positional arguments with each `*x` of a length known here
    /// (a tuple display, a tuple of known length `star_lens`) written out as
    /// its items, `x[0], x[1], ...` (what CPython's call unpacks: `x` is a
    /// name or a display, read again without effect); None where a `*x` has
    /// a length not known here.
    fn expand_stars(&self, args: &[Expr]) -> Option<Vec<Expr>> {
        if !args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_))) {
            return Some(args.to_vec());
        }
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            let ExprKind::Starred(x) = &a.kind else {
                out.push(a.clone());
                continue;
            };
            match &x.kind {
                ExprKind::Tuple(es) => out.extend(self.expand_stars(es)?),
                ExprKind::Name(n) if self.inlining.is_empty() => {
                    let k = *self.star_lens.get(n)?;
                    for i in 0..k {
                        let idx = Expr {
                            kind: ExprKind::Lit(Literal::Int(i as i64)),
                            span: x.span,
                        };
                        out.push(Expr {
                            kind: ExprKind::Subscript(x.clone(), Box::new(idx)),
                            span: a.span,
                        });
                    }
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether `e` is `*x` of something other than a tuple of a known length
    /// (which [`Lowerer::items`] expands into its items).
    fn star_of_unknown_len(&self, e: &Expr) -> bool {
        let ExprKind::Starred(x) = &e.kind else { return false };
        match &x.kind {
            ExprKind::Tuple(_) => false,
            ExprKind::Name(n) => !(self.inlining.is_empty() && self.star_lens.contains_key(n)),
            _ => true,
        }
    }

    /// `[a, *xs, b]` with `xs` of a length not known here: as CPython's
    /// `BUILD_LIST` then `LIST_APPEND`/`LIST_EXTEND` in order, a new list the
    /// items are appended to and `xs`'s items added by `extend` (the same
    /// list: extend takes any iterable, in order; inference compiles it
    /// for the iterables it knows, lists, tuples, ranges, arrays, strings).
    fn star_list(&mut self, es: &[Expr], span: Span) -> CResult<Value> {
        let l = self.emit_cur(Op::List, vec![], span);
        for e in es {
            if self.star_of_unknown_len(e) {
                let ExprKind::Starred(x) = &e.kind else { unreachable!() };
                let v = self.expr(x)?;
                self.emit_cur(
                    Op::MethodCall {
                        name: "extend".into(),
                        kw: vec![],
                    },
                    vec![l, v],
                    e.span,
                );
                continue;
            }
            for v in self.items(std::slice::from_ref(e))? {
                self.emit_cur(
                    Op::MethodCall {
                        name: "append".into(),
                        kw: vec![],
                    },
                    vec![l, v],
                    e.span,
                );
            }
        }
        Ok(l)
    }

    fn expr(&mut self, e: &Expr) -> CResult<Value> {
        let span = e.span;
        if let ExprKind::Call(f, args, kws) = &e.kind {
            // A module-level function of `self.funcs`: its body inlined here.
            if let ExprKind::Name(n) = &f.kind {
                let global = !self.locals.contains(n) && !self.inner.contains_key(n);
                if kws.is_empty() && (global || self.inlining.is_empty() && self.arg_funcs.contains_key(n)) {
                    // (`f(*t)`: inlined where `t`'s length is known here, else an ordinary call)
                    if let Some(args) = self.expand_stars(args) {
                        if let Some(v) = self.inline_global(n, &args, span, global)? {
                            return Ok(v);
                        }
                    }
                }
            }
        }
        if let ExprKind::Call(f, _, kws) = &e.kind {
            // `sorted(xs, key=lambda t: t[1])` (and min, max, list.sort): the call
            // runs the lambda before anything it reads can change, so a Python
            // function made with the values it reads now is exactly the lambda.
            let consumer = match &f.kind {
                ExprKind::Name(n) => matches!(n.as_str(), "sorted" | "min" | "max") && !self.locals.contains(n),
                ExprKind::Attr(_, m) => m == "sort",
                _ => false,
            };
            for (k, v) in kws {
                if consumer && k == "key" && matches!(v.kind, ExprKind::Lambda(..)) {
                    self.key_lambdas.insert(v.span);
                }
            }
        }
        if let Some(v) = self.indexed_call(e)? {
            return Ok(v);
        }
        if let Some(v) = self.getattr_call(e)? {
            return Ok(v);
        }
        if let Some(v) = self.dict_call(e)? {
            return Ok(v);
        }
        if let Some(v) = self.next_call(e)? {
            return Ok(v);
        }
        if let Some(v) = self.gen_call(e)? {
            return Ok(v);
        }
        Ok(match &e.kind {
            ExprKind::Lit(l) => {
                let c = match l {
                    Literal::Int(i) => Const::Int(*i),
                    Literal::BigInt(s) => Const::BigInt(s.clone()),
                    Literal::Float(x) => Const::Float(*x),
                    Literal::Imag(x) => Const::Complex(0.0, *x),
                    Literal::Bool(b) => Const::Bool(*b),
                    Literal::None => Const::None,
                    Literal::Str(s) => Const::Str(s.clone()),
                    Literal::Ellipsis => Const::Ellipsis,
                };
                self.emit_cur(Op::Const(c), vec![], span)
            }
            ExprKind::Name(n) if self.inner.contains_key(n) => {
                if let Some(why) = self.escapes.unsafe_defs.get(n) {
                    return Err(CompileError::unsupported(span, why.clone()));
                }
                if !self.escapes.made.contains(n) {
                    return Err(CompileError::unsupported(
                        span,
                        format!("using the nested function '{n}' as a value is not supported yet"),
                    ));
                }
                self.name(n, span)
            }
            ExprKind::Name(n) if self.iter_names.contains(n) => {
                return Err(CompileError::unsupported(
                    span,
                    format!("this use of the iterator '{n}' is not supported in compiled code yet"),
                ))
            }
            ExprKind::Import(name) => self.emit_cur(Op::Import(name.clone()), vec![], span),
            ExprKind::Lambda(params, body) if self.key_lambdas.contains(&span) => self.lambda(params, body, span, false)?,
            // Used as a value: made into the Python function, which may be called later.
            ExprKind::Lambda(params, body) => {
                if let Some(why) = self.escapes.unsafe_lambdas.get(&span) {
                    return Err(CompileError::unsupported(span, why.clone()));
                }
                self.lambda(params, body, span, true)?
            }
            ExprKind::Call(f, args, kws) if matches!(&f.kind, ExprKind::Name(n) if self.inner.contains_key(n)) => {
                let ExprKind::Name(n) = &f.kind else { unreachable!() };
                if !kws.is_empty() {
                    return Err(CompileError::unsupported(
                        span,
                        "keyword arguments to nested functions are not supported yet",
                    ));
                }
                let Some(args) = self.expand_stars(args) else {
                    // (a marker, as `items` leaves: the function is lowered again
                    // with its tuple parameters' lengths, or inference refuses it)
                    let star = args.iter().find(|a| self.star_of_unknown_len(a)).unwrap_or(e);
                    let x = match &star.kind {
                        ExprKind::Starred(x) => self.expr(x)?,
                        _ => self.emit_cur(Op::Const(Const::None), vec![], span),
                    };
                    return Ok(self.emit_cur(Op::StarItems, vec![x], star.span));
                };
                self.inline_call(n, &args, span)?
            }
            ExprKind::Name(n) => self.name(n, span),
            ExprKind::Attr(x, n) => {
                let x = self.expr(x)?;
                self.emit_cur(Op::Attr(n.clone()), vec![x], span)
            }
            ExprKind::Bin(op, a, b) => {
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                self.emit_cur(
                    Op::Bin {
                        op: *op,
                        inplace: false,
                    },
                    vec![a, b],
                    span,
                )
            }
            ExprKind::Unary(UnaryOp::Neg, a)
                if matches!(a.kind, ExprKind::Lit(Literal::Int(_) | Literal::Float(_))) =>
            {
                let c = match a.kind {
                    ExprKind::Lit(Literal::Int(i)) => Const::Int(-i),
                    ExprKind::Lit(Literal::Float(x)) => Const::Float(-x),
                    _ => unreachable!(),
                };
                self.emit_cur(Op::Const(c), vec![], span)
            }
            ExprKind::Unary(op, a) => {
                let a = self.expr(a)?;
                self.emit_cur(Op::Unary(*op), vec![a], span)
            }
            ExprKind::BoolOp(is_and, vals) => {
                // Leading constant operands fold: one that decides is the result (the
                // rest is never evaluated); one that does not is skipped.
                let mut first = 0;
                let mut v = self.expr(&vals[0])?;
                while first + 1 < vals.len() {
                    match self.const_truth(v) {
                        Some(t) if t != *is_and => return Ok(v),
                        Some(_) => {
                            first += 1;
                            v = self.expr(&vals[first])?;
                        }
                        None => break,
                    }
                }
                if first + 1 == vals.len() {
                    return Ok(v);
                }
                let merge = self.new_block();
                let r = self.add_param(merge, "%boolop");
                for (i, ve) in vals.iter().enumerate().skip(first) {
                    if i > first {
                        v = self.expr(ve)?;
                    }
                    if i + 1 == vals.len() {
                        self.jump(merge, vec![v], span);
                    } else {
                        let t = self.emit_cur(Op::Truth, vec![v], ve.span);
                        let next = self.new_block();
                        let (yes, no) = if *is_and {
                            (
                                Edge {
                                    block: next,
                                    args: vec![],
                                },
                                Edge {
                                    block: merge,
                                    args: vec![v],
                                },
                            )
                        } else {
                            (
                                Edge {
                                    block: merge,
                                    args: vec![v],
                                },
                                Edge {
                                    block: next,
                                    args: vec![],
                                },
                            )
                        };
                        let b = self.block();
                        self.terminate(b, Term::Br(t, yes, no), span);
                        self.seal(next);
                        self.cur = Some(next);
                    }
                }
                self.seal(merge);
                self.cur = Some(merge);
                r
            }
            ExprKind::Compare(first, rest) => {
                let mut left = self.expr(first)?;
                if rest.len() == 1 {
                    let right = self.expr(&rest[0].1)?;
                    if let Some(t) = self.fold_compare(rest[0].0, left, right) {
                        return Ok(self.emit_cur(Op::Const(Const::Bool(t)), vec![], span));
                    }
                    return Ok(self.emit_cur(Op::Cmp(rest[0].0), vec![left, right], span));
                }
                let merge = self.new_block();
                let r = self.add_param(merge, "%cmp");
                for (i, (op, re)) in rest.iter().enumerate() {
                    let right = self.expr(re)?;
                    let c = self.emit_cur(Op::Cmp(*op), vec![left, right], span);
                    if i + 1 == rest.len() {
                        self.jump(merge, vec![c], span);
                    } else {
                        let t = self.emit_cur(Op::Truth, vec![c], span);
                        let next = self.new_block();
                        let b = self.block();
                        self.terminate(
                            b,
                            Term::Br(
                                t,
                                Edge {
                                    block: next,
                                    args: vec![],
                                },
                                Edge {
                                    block: merge,
                                    args: vec![c],
                                },
                            ),
                            span,
                        );
                        self.seal(next);
                        self.cur = Some(next);
                    }
                    left = right;
                }
                self.seal(merge);
                self.cur = Some(merge);
                r
            }
            ExprKind::ListComp(elt, gens) => self.list_comp(elt, gens, span)?,
            ExprKind::Dict(pairs) => {
                // Keys and values in order, then the dict: the same stores as BUILD_MAP.
                let mut vals = Vec::new();
                for (k, v) in pairs {
                    vals.push(self.expr(k)?);
                    vals.push(self.expr(v)?);
                }
                let d = self.new_dict(span)?;
                for kv in vals.chunks(2) {
                    self.emit_store(vec![d, kv[0], kv[1]], span);
                }
                d
            }
            ExprKind::DictComp(k, v, gens) => self.dict_comp(k, v, gens, span)?,
            ExprKind::Set(elts) => {
                // The elements in order, then the set: the adds BUILD_SET makes.
                let mut vals = Vec::new();
                for x in elts {
                    vals.push(self.expr(x)?);
                }
                let s = self.new_set(span)?;
                for x in vals {
                    self.set_add(s, x, span);
                }
                s
            }
            ExprKind::SetComp(elt, gens) => self.set_comp(elt, gens, span)?,
            ExprKind::GenExp(..) => {
                return Err(CompileError::unsupported(
                    span,
                    "generator expressions are compiled only as the argument of sum(), min(), max(), any(), all() or list()",
                ))
            }
            ExprKind::Call(f, args, kws) => {
                let (op, mut vals) = match &f.kind {
                    ExprKind::Attr(x, name) => {
                        let x = self.expr(x)?;
                        (
                            Op::MethodCall {
                                name: name.clone(),
                                kw: kws.iter().map(|(k, _)| k.clone()).collect(),
                            },
                            vec![x],
                        )
                    }
                    _ => (
                        Op::Call {
                            kw: kws.iter().map(|(k, _)| k.clone()).collect(),
                        },
                        vec![self.expr(f)?],
                    ),
                };
                vals.extend(self.items(args)?);
                for (_, a) in kws {
                    vals.push(self.expr(a)?);
                }
                self.emit_cur(op, vals, span)
            }
            ExprKind::Starred(_) => {
                return Err(CompileError::unsupported(
                    span,
                    "`*x` is compiled among a call's positional arguments or a tuple's or list's items",
                ))
            }
            ExprKind::Subscript(x, idx) => {
                let x = self.expr(x)?;
                let mut args = vec![x];
                args.extend(self.index(idx)?);
                self.emit_cur(Op::GetItem, args, span)
            }
            ExprKind::Tuple(es) => {
                let vals = self.items(es)?;
                self.emit_cur(Op::Tuple, vals, span)
            }
            ExprKind::List(es) if es.iter().any(|e| self.star_of_unknown_len(e)) => self.star_list(es, span)?,
            ExprKind::List(es) => {
                let vals = self.items(es)?;
                self.emit_cur(Op::List, vals, span)
            }
            ExprKind::Slice(lo, hi, step) => {
                let mut parts = Vec::new();
                for p in [lo, hi, step] {
                    parts.push(match p {
                        Some(e) => self.expr(e)?,
                        None => self.emit_cur(Op::Const(Const::None), vec![], span),
                    });
                }
                self.emit_cur(Op::Slice, parts, span)
            }
            ExprKind::Is(a, b, negate) => {
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                let r = self.emit_cur(Op::Is, vec![a, b], span);
                if *negate {
                    self.emit_cur(Op::Unary(UnaryOp::Not), vec![r], span)
                } else {
                    r
                }
            }
            ExprKind::In(x, c, negate) => {
                let x = self.expr(x)?;
                let r = match self.builtin_call(c, "range") {
                    Some((f, args, [])) if (1..=3).contains(&args.len()) => self.in_range(x, f, args, span)?,
                    _ => {
                        // (`x in [a, b]`: the list display is a tuple, as CPython's compiler makes it)
                        let c = match &c.kind {
                            ExprKind::List(es) => {
                                let vals = es.iter().map(|e| self.expr(e)).collect::<CResult<Vec<_>>>()?;
                                self.emit_cur(Op::Tuple, vals, c.span)
                            }
                            _ => self.expr(c)?,
                        };
                        self.emit_cur(Op::Contains, vec![c, x], span)
                    }
                };
                if *negate {
                    self.emit_cur(Op::Unary(UnaryOp::Not), vec![r], span)
                } else {
                    r
                }
            }
            ExprKind::IfExp(test, a, b) => {
                let c = self.cond(test)?;
                if let Some(Const::Bool(t)) = self.consts.get(&c) {
                    return self.expr(if *t { a } else { b });
                }
                let from = self.block();
                let (tb, eb, merge) = (self.new_block(), self.new_block(), self.new_block());
                let r = self.add_param(merge, "%ifexp");
                self.branch(from, c, tb, eb, span);
                self.cur = Some(tb);
                let av = self.expr(a)?;
                self.jump(merge, vec![av], span);
                self.cur = Some(eb);
                let bv = self.expr(b)?;
                self.jump(merge, vec![bv], span);
                self.seal(merge);
                self.cur = Some(merge);
                r
            }
        })
    }
}

/// Removes block parameters whose incoming values are all the same value
/// (or the parameter itself), until none is left.
/// Drops the `Op::Bound` checks of values that cannot be unbound (every
/// definition reaching them is an instruction's or a parameter's, not an
/// `undef`): the uses read the value itself.
fn drop_needless_bound_checks(f: &mut ir::Function) {
    let mut unbound: HashSet<Value> = HashSet::new();
    for data in &f.blocks {
        for inst in &data.insts {
            if let (Op::Undef(_), Some(r)) = (&inst.op, inst.result) {
                unbound.insert(r);
            }
        }
    }
    // Block parameters any edge may pass an unbound value to, to a fixpoint.
    loop {
        let mut changed = false;
        for b in 0..f.blocks.len() {
            let data = &f.blocks[b];
            for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
                let params = &f.blocks[e.block.0 as usize].params;
                for (a, p) in e.args.iter().zip(params) {
                    if unbound.contains(a) && !unbound.contains(p) {
                        unbound.insert(*p);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut replace: HashMap<Value, Value> = HashMap::new();
    for data in f.blocks.iter_mut() {
        data.insts.retain(|inst| match (&inst.op, inst.result) {
            (Op::Bound(..), Some(r)) if !unbound.contains(&inst.args[0]) => {
                replace.insert(r, inst.args[0]);
                false
            }
            _ => true,
        });
    }
    if replace.is_empty() {
        return;
    }
    substitute(f, &replace);
    // The dropped checks' values are removed from the numbering: a function
    // that needs no check prints as it did before they existed.
    let mut new_id = Vec::with_capacity(f.values.len());
    let mut next = 0u32;
    for i in 0..f.values.len() as u32 {
        new_id.push(next);
        if !replace.contains_key(&Value(i)) {
            next += 1;
        }
    }
    let mut k = 0;
    f.values.retain(|_| {
        k += 1;
        !replace.contains_key(&Value(k - 1))
    });
    let m = |v: &mut Value| *v = Value(new_id[v.0 as usize]);
    for data in f.blocks.iter_mut() {
        data.params.iter_mut().for_each(m);
        for inst in data.insts.iter_mut() {
            inst.result.iter_mut().for_each(m);
            inst.args.iter_mut().for_each(m);
        }
        match &mut data.term {
            Term::Br(c, _, _) => m(c),
            Term::Ret(v) | Term::Raise(v) | Term::Yield { value: v, .. } => m(v),
            Term::AssertFail(Some(v)) => m(v),
            _ => {}
        }
        for e in data.term.successors_mut().into_iter().chain(data.handler.as_mut()) {
            e.args.iter_mut().for_each(m);
        }
    }
}

pub fn remove_trivial_phis(f: &mut ir::Function) {
    loop {
        // Exceptional edges count: a handler's parameters merge every block of its `try` body.
        let order = f.rpo_all();
        let mut preds = vec![Vec::new(); f.blocks.len()];
        for &b in &order {
            let data = f.block(b);
            for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
                preds[e.block.0 as usize].push(b);
            }
        }
        let mut replace: HashMap<Value, Value> = HashMap::new();
        let mut removed: Vec<(Block, usize)> = Vec::new();
        // A yield's resume block keeps its parameters: they are what crosses the yield.
        let resume = generators::resume_blocks(f);
        'blocks: for b in order {
            if b == f.entry() || resume.contains(&b) {
                continue;
            }
            for pi in 0..f.block(b).params.len() {
                if let Some(s) = unique_incoming(f, &preds, b, pi) {
                    replace.insert(f.block(b).params[pi], s);
                    removed.push((b, pi));
                    break 'blocks;
                }
            }
        }
        if replace.is_empty() {
            return;
        }
        for (b, pi) in &removed {
            f.block_mut(*b).params.remove(*pi);
        }
        let removed_edges: HashSet<(Block, usize)> = removed.iter().copied().collect();
        for data in f.blocks.iter_mut() {
            for e in data.term.successors_mut().into_iter().chain(data.handler.as_mut()) {
                let mut i = 0;
                let target = e.block;
                e.args.retain(|_| {
                    let keep = !removed_edges.contains(&(target, i));
                    i += 1;
                    keep
                });
            }
        }
        substitute(f, &replace);
    }
}

/// Every use of a value of `replace` made a use of its replacement (followed to the end).
fn substitute(f: &mut ir::Function, replace: &HashMap<Value, Value>) {
    let resolve = |v: Value| -> Value {
        let mut v = v;
        while let Some(n) = replace.get(&v) {
            v = *n;
        }
        v
    };
    for data in f.blocks.iter_mut() {
        for inst in data.insts.iter_mut() {
            for a in inst.args.iter_mut() {
                *a = resolve(*a);
            }
        }
        match &mut data.term {
            Term::Br(c, _, _) => *c = resolve(*c),
            Term::Ret(v) | Term::Raise(v) | Term::Yield { value: v, .. } => *v = resolve(*v),
            Term::AssertFail(Some(v)) => *v = resolve(*v),
            _ => {}
        }
        for e in data.term.successors_mut().into_iter().chain(data.handler.as_mut()) {
            for a in e.args.iter_mut() {
                *a = resolve(*a);
            }
        }
    }
}

/// The single value (other than the parameter itself) flowing into
/// parameter `pi` of block `b`, if there is exactly one.
fn unique_incoming(f: &ir::Function, preds: &[Vec<Block>], b: Block, pi: usize) -> Option<Value> {
    let p = f.block(b).params[pi];
    let mut same: Option<Value> = None;
    let mut seen = HashSet::new();
    for pred in &preds[b.0 as usize] {
        if !seen.insert(*pred) {
            continue;
        }
        let data = f.block(*pred);
        for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
            if e.block != b {
                continue;
            }
            let a = e.args[pi];
            if a == p || Some(a) == same {
                continue;
            }
            if same.is_some() {
                return None;
            }
            same = Some(a);
        }
    }
    same
}

/// A call's callee, positional arguments and keyword arguments.
type CallParts<'e> = (&'e Expr, &'e [Expr], &'e [(String, Expr)]);

/// An iterable of a `for` loop, as the lowering sees it.
enum Src<'e> {
    /// `range(args)` (callee, 1-3 arguments)
    Range(&'e Expr, &'e [Expr]),
    /// Anything indexable with a length (arrays, tuples): `len` once, `x[k]` per item.
    Seq(&'e Expr),
    /// `enumerate(inner[, start])`
    Enumerate(&'e Expr, Box<Src<'e>>, Option<&'e Expr>),
    /// `zip(a, b, ...)`
    Zip(&'e Expr, Vec<Src<'e>>),
    /// `reversed(range(...))` / `reversed(seq)`
    Reversed(&'e Expr, Box<Src<'e>>),
    /// `np.ndindex(...)` (callee, the shape or its dimensions)
    Ndindex(&'e Expr, &'e [Expr]),
    /// `np.ndenumerate(a)`
    Ndenumerate(&'e Expr, &'e Expr),
}

/// How the loop steps an expanded iterable: hidden variables and what each item is.
#[derive(Clone)]
enum St {
    /// A counter `var`, stepped by `step` (ranges, reversed ranges).
    Range { var: String, step: Value },
    /// `seq[k]` (the loop's own hidden counter).
    Seq(Value),
    /// `seq[j]`, `j` counting down from `len(seq) - 1`.
    RevSeq { seq: Value, var: String },
    /// `(counter, item)`; no counter: the loop's own hidden counter (`start` 0).
    Enumerate(Option<String>, Box<St>),
    /// A tuple of the items.
    Zip(Vec<St>),
    /// `nd_index(shape, k)`; with an array, `(index, a[index])` (np.ndenumerate).
    Nd { shape: Value, arr: Option<Value> },
}

impl St {
    fn rev_of(self, seq: Value) -> St {
        match self {
            St::Range { var, .. } => St::RevSeq { seq, var },
            s => s,
        }
    }
}

fn stmts_len(body: &[Stmt]) -> usize {
    body.iter()
        .map(|s| {
            1 + match &s.kind {
                StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
                    stmts_len(a) + stmts_len(b)
                }
                StmtKind::Try(a, hs, b, c) => {
                    stmts_len(a) + hs.iter().map(|h| stmts_len(&h.body)).sum::<usize>() + stmts_len(b) + stmts_len(c)
                }
                _ => 0,
            }
        })
        .sum()
}

/// Whether a loop body contains `break`, `continue` or `return` that would
/// leave or restart *this* loop (nested loops' own break/continue are fine).
fn jumps_out(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::Break | StmtKind::Continue | StmtKind::Return(_) => true,
        // Not unrolled: `finally` clauses and handlers make jumps hard to see.
        StmtKind::Try(..) => true,
        StmtKind::If(_, a, b) => jumps_out(a) || jumps_out(b),
        StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => returns(a) || jumps_out(b),
        _ => false,
    })
}

fn returns(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::Return(_) | StmtKind::Try(..) => true,
        StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => returns(a) || returns(b),
        _ => false,
    })
}

/// Whether `n` is a Python identifier as source code spells one (the lowering's
/// hidden names, `%x1`, are not).
fn is_identifier(n: &str) -> bool {
    n.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_alphanumeric() || c == '_')
}
