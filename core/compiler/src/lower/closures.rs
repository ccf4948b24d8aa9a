//! Nested functions and lambdas used as values ("escaping": returned,
//! stored, passed on).
//!
//! Compiled code makes the Python function CPython makes (`Op::Lambda`: its
//! own code object, the function's globals, a closure of cells), so that a
//! call through it runs as Python and everything it shows (identity,
//! `__name__`, `__qualname__`, `__closure__`, its frames) is CPython's. The
//! compiled function keeps its variables in registers, not in cells: a cell
//! is made holding a variable's value when the function is made. That is the
//! value a call through it reads (late binding) only where the variable can
//! no longer change: this module proves, before lowering, that every binding
//! of every variable the function reads comes before it is made (in an
//! earlier statement of a block that no loop repeats) and that no nested
//! function writes one (`nonlocal`). Where that proof fails the function
//! runs as plain Python, with the reason.
//!
//! A nested `def` bound once at the top of the function and used as a value
//! (or read by another function made into an object) is made at its `def`;
//! its calls in the compiled function stay inlined. Its own name, read by its
//! recursive calls, is a cell holding the function itself.

use super::*;

/// What the pre-pass found: which nested functions are made into objects,
/// and which made functions cannot be (with the reason).
#[derive(Default)]
pub(super) struct Escapes {
    /// The nested functions of `Lowerer::inner` made into objects at their definition.
    pub made: HashSet<String>,
    /// Made nested functions (by name) and lambdas (by span) that cannot be
    /// made without a wrong value, with the reason.
    pub unsafe_defs: HashMap<String, String>,
    pub unsafe_lambdas: HashMap<Span, String>,
    /// The compiled function's variables that live in a cell too (CPython's
    /// cell variables): a made function reads them, and they are bound again
    /// after it is made, or a nested function assigns them (`nonlocal`).
    /// Compiled code makes the cell on entry, keeps the variable in registers
    /// and writes each binding through to the cell (`Op::Cell`,
    /// `Op::CellSet`); the made functions' closures share the cell.
    pub cells: HashSet<String>,
    /// The variables the functions made here read that no binding changes
    /// once the first of them is made: one cell each, shared by all the
    /// functions made in a call (CPython's one cell per variable), made
    /// holding the variable's value right before the statement of this span
    /// (the first statement, in a block no loop repeats, that holds every
    /// make reading it, after every binding of it). Compiled code reads the
    /// cell only where a function is made.
    pub shared: HashMap<Span, Vec<String>>,
    /// The variables of `shared`.
    pub shared_vars: HashSet<String>,
}

/// Where a statement lies: for each enclosing statement, from the
/// function's body down, the block it is in and its index there.
type Path = Vec<(u32, usize)>;

#[derive(Default)]
struct Walk {
    /// Each name's bindings (an assignment, a `for` target, `del`, a `def`,
    /// an `except ... as`), by where they are.
    binds: HashMap<String, Vec<Path>>,
    /// The lambdas (outside nested functions) and where they are.
    lambdas: Vec<(Span, Vec<String>, Expr, Path)>,
    /// The nested `def`s and where they are.
    defs: Vec<(FunctionDef, Path)>,
    /// Each name's reads in the function's own code (not in nested
    /// functions or lambdas), by where they are.
    reads: HashMap<String, Vec<Path>>,
    /// Each statement's span, by where it is.
    spans: HashMap<Path, Span>,
    /// The blocks a loop repeats.
    loop_blocks: HashSet<u32>,
    next_block: u32,
}

impl Walk {
    fn block(&mut self, body: &[Stmt], path: &Path, in_loop: bool) {
        let id = self.next_block;
        self.next_block += 1;
        if in_loop {
            self.loop_blocks.insert(id);
        }
        for (i, s) in body.iter().enumerate() {
            let mut p = path.clone();
            p.push((id, i));
            self.spans.insert(p.clone(), s.span);
            self.stmt(s, &p, in_loop);
        }
    }

    fn bind(&mut self, n: &str, p: &Path) {
        self.binds.entry(n.to_string()).or_default().push(p.clone());
    }

    fn target(&mut self, t: &Target, p: &Path) {
        match t {
            Target::Name(n, _) => self.bind(n, p),
            Target::Tuple(ts, _) => ts.iter().for_each(|t| self.target(t, p)),
            Target::Subscript(..) | Target::Attr(..) => {}
        }
    }

    fn exprs(&mut self, es: &[&Expr], p: &Path) {
        for e in es {
            crate::hir::walk_expr(e, &mut |x| {
                match &x.kind {
                    ExprKind::Lambda(ps, body) => {
                        self.lambdas.push((x.span, ps.clone(), (**body).clone(), p.clone()));
                        return false;
                    }
                    ExprKind::Name(n) => self.reads.entry(n.clone()).or_default().push(p.clone()),
                    _ => {}
                }
                true
            });
        }
    }

    fn stmt(&mut self, s: &Stmt, p: &Path, in_loop: bool) {
        match &s.kind {
            StmtKind::Assign(ts, v) => {
                self.exprs(&[v], p);
                ts.iter().for_each(|t| self.target(t, p));
                let mut es = Vec::new();
                ts.iter().for_each(|t| target_exprs(t, &mut es));
                self.exprs(&es, p);
            }
            StmtKind::AugAssign(t, _, v) => {
                self.target(t, p);
                if let Target::Name(n, _) = t {
                    self.reads.entry(n.clone()).or_default().push(p.clone());
                }
                let mut es = vec![v];
                target_exprs(t, &mut es);
                self.exprs(&es, p);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Raise(Some(e)) => self.exprs(&[e], p),
            StmtKind::If(c, a, b) => {
                self.exprs(&[c], p);
                self.block(a, p, in_loop);
                self.block(b, p, in_loop);
            }
            StmtKind::While(c, a, b) => {
                self.exprs(&[c], p);
                self.block(a, p, true);
                self.block(b, p, true);
            }
            StmtKind::For(t, it, a, b) => {
                self.exprs(&[it], p);
                self.target(t, p);
                let mut es = Vec::new();
                target_exprs(t, &mut es);
                self.exprs(&es, p);
                self.block(a, p, true);
                self.block(b, p, true);
            }
            StmtKind::Assert(a, b) => {
                let mut es = vec![a];
                es.extend(b.iter());
                self.exprs(&es, p);
            }
            StmtKind::RaiseFrom(a, b) => self.exprs(&[a, b], p),
            StmtKind::Try(a, hs, b, c) => {
                self.block(a, p, in_loop);
                for h in hs {
                    if let Some(n) = &h.name {
                        self.bind(n, p);
                    }
                    let es: Vec<&Expr> = h.class.iter().collect();
                    self.exprs(&es, p);
                    self.block(&h.body, p, in_loop);
                }
                self.block(b, p, in_loop);
                self.block(c, p, in_loop);
            }
            StmtKind::Delete(ts) => {
                ts.iter().for_each(|t| self.target(t, p));
                let mut es = Vec::new();
                ts.iter().for_each(|t| target_exprs(t, &mut es));
                self.exprs(&es, p);
            }
            StmtKind::Yield(t, v) => {
                let mut es: Vec<&Expr> = v.iter().collect();
                if let Some(t) = t {
                    self.target(t, p);
                    target_exprs(t, &mut es);
                }
                self.exprs(&es, p);
            }
            StmtKind::Def(d) => {
                self.bind(&d.name, p);
                self.defs.push(((**d).clone(), p.clone()));
            }
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Return(None)
            | StmtKind::Raise(None)
            | StmtKind::Pass
            | StmtKind::Nonlocal(_) => {}
        }
    }
}

fn target_exprs<'a>(t: &'a Target, out: &mut Vec<&'a Expr>) {
    match t {
        Target::Name(..) => {}
        Target::Subscript(a, b, _) => {
            out.push(a);
            out.push(b);
        }
        Target::Attr(a, _, _) => out.push(a),
        Target::Tuple(ts, _) => ts.iter().for_each(|t| target_exprs(t, out)),
    }
}

/// Whether a binding at `b` happens, on every run, before (and never after)
/// the code at `c`: in an earlier statement of a block that no loop repeats.
fn before(b: &Path, c: &Path, loop_blocks: &HashSet<u32>) -> bool {
    for (x, y) in b.iter().zip(c) {
        if x.0 != y.0 {
            return false; // (different blocks of one statement: its branches, a try's parts)
        }
        if x.1 != y.1 {
            return x.1 < y.1 && !loop_blocks.contains(&x.0);
        }
    }
    false // (the same statement, or one inside the other)
}

/// The names a function's code reads or writes that are not its own (its
/// free variables, or globals): of a nested `def`, with what its own nested
/// functions and lambdas read. Names bound by comprehensions or lambdas
/// inside it are left out even where they are also read freely (a free
/// variable left out makes the function unmakeable, never wrong).
pub(super) fn def_free_names(d: &FunctionDef) -> HashSet<String> {
    let mut own: HashSet<String> = d.params.iter().cloned().collect();
    collect_assigned(&d.body, &mut own);
    let mut used = HashSet::new();
    let mut declared = Vec::new();
    fn scan(body: &[Stmt], own: &mut HashSet<String>, used: &mut HashSet<String>, declared: &mut Vec<String>) {
        crate::hir::walk_stmts(body, &mut |e| {
            match &e.kind {
                ExprKind::Name(n) => {
                    used.insert(n.clone());
                }
                ExprKind::Lambda(ps, _) => own.extend(ps.iter().cloned()),
                ExprKind::ListComp(_, cs)
                | ExprKind::GenExp(_, cs, _)
                | ExprKind::SetComp(_, cs)
                | ExprKind::DictComp(_, _, cs) => {
                    for c in cs {
                        let mut names = HashSet::new();
                        comp_target(&c.target, &mut names);
                        own.extend(names);
                    }
                }
                _ => {}
            }
            true
        });
        fn stmts(body: &[Stmt], own: &mut HashSet<String>, used: &mut HashSet<String>, declared: &mut Vec<String>) {
            for s in body {
                match &s.kind {
                    StmtKind::Def(d) => {
                        own.insert(d.name.clone());
                        used.extend(def_free_names(d));
                    }
                    StmtKind::Nonlocal(ns) => declared.extend(ns.iter().cloned()),
                    StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
                        stmts(a, own, used, declared);
                        stmts(b, own, used, declared);
                    }
                    StmtKind::Try(a, hs, b, c) => {
                        stmts(a, own, used, declared);
                        hs.iter().for_each(|h| stmts(&h.body, own, used, declared));
                        stmts(b, own, used, declared);
                        stmts(c, own, used, declared);
                    }
                    _ => {}
                }
            }
        }
        stmts(body, own, used, declared);
    }
    scan(&d.body, &mut own, &mut used, &mut declared);
    for n in &declared {
        own.remove(n);
        used.insert(n.clone());
    }
    used.retain(|n| !own.contains(n));
    used
}

fn comp_target(t: &Target, out: &mut HashSet<String>) {
    match t {
        Target::Name(n, _) => {
            out.insert(n.clone());
        }
        Target::Tuple(ts, _) => ts.iter().for_each(|t| comp_target(t, out)),
        Target::Subscript(..) | Target::Attr(..) => {}
    }
}

/// The names `nonlocal` declares anywhere in the nested functions of `body`
/// (at any depth).
fn nonlocal_names(body: &[Stmt], in_def: bool, out: &mut HashSet<String>) {
    for s in body {
        match &s.kind {
            StmtKind::Nonlocal(ns) if in_def => out.extend(ns.iter().cloned()),
            StmtKind::Def(d) => nonlocal_names(&d.body, true, out),
            StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
                nonlocal_names(a, in_def, out);
                nonlocal_names(b, in_def, out);
            }
            StmtKind::Try(a, hs, b, c) => {
                nonlocal_names(a, in_def, out);
                hs.iter().for_each(|h| nonlocal_names(&h.body, in_def, out));
                nonlocal_names(b, in_def, out);
                nonlocal_names(c, in_def, out);
            }
            _ => {}
        }
    }
}

/// Every expression of `body`, nested functions' bodies included, with the
/// names called directly (`f(...)`) told apart from other uses.
fn uses(body: &[Stmt], inner: &HashMap<String, (Span, FunctionDef)>, values: &mut HashSet<String>) {
    let mut all: HashMap<String, usize> = HashMap::new();
    let mut called: HashMap<String, usize> = HashMap::new();
    let mut in_lambda: HashSet<String> = HashSet::new();
    fn go(
        body: &[Stmt],
        inner: &HashMap<String, (Span, FunctionDef)>,
        all: &mut HashMap<String, usize>,
        called: &mut HashMap<String, usize>,
        in_lambda: &mut HashSet<String>,
    ) {
        crate::hir::walk_stmts(body, &mut |e| {
            match &e.kind {
                ExprKind::Name(n) if inner.contains_key(n) => *all.entry(n.clone()).or_default() += 1,
                ExprKind::Call(f, _, _) => {
                    if let ExprKind::Name(n) = &f.kind {
                        *called.entry(n.clone()).or_default() += 1;
                    }
                }
                // A lambda that is not `name = lambda` of `inner` (inlined) is
                // made (the `key=` of sorted() too): what it reads must be objects.
                ExprKind::Lambda(_, b) if !inner.values().any(|(_, d)| d.name == "<lambda>" && d.span == e.span) => {
                    crate::hir::walk_expr(b, &mut |x| {
                        if let ExprKind::Name(n) = &x.kind {
                            if inner.contains_key(n) {
                                in_lambda.insert(n.clone());
                            }
                        }
                        true
                    })
                }
                _ => {}
            }
            true
        });
        for s in body {
            visit_defs(s, &mut |d| go(&d.body, inner, all, called, in_lambda));
        }
    }
    go(body, inner, &mut all, &mut called, &mut in_lambda);
    for (n, k) in all {
        if k > called.get(&n).copied().unwrap_or(0) {
            values.insert(n);
        }
    }
    values.extend(in_lambda);
}

/// Calls `f` on each nested `def` directly in `s` (inside its blocks).
fn visit_defs(s: &Stmt, f: &mut dyn FnMut(&FunctionDef)) {
    match &s.kind {
        StmtKind::Def(d) => f(d),
        StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => {
            a.iter().chain(b).for_each(|s| visit_defs(s, f));
        }
        StmtKind::Try(a, hs, b, c) => {
            a.iter()
                .chain(hs.iter().flat_map(|h| &h.body))
                .chain(b)
                .chain(c)
                .for_each(|s| visit_defs(s, f));
        }
        _ => {}
    }
}

/// The variables a `nonlocal` of a made function may write: `v` -> `F`
/// where `F` is a nested `def` made into an object that alone reads or
/// writes `v` after it is made. Then the cell made for `v` when `F` is made
/// is `v` from there on, and it is only `F`'s: `nonlocal v` and every other
/// use of `v` in nested functions are inside `F`'s code; `F` is never
/// called (inlined) by compiled code, nor passed to a call that could
/// inline it (map(F, ...), an inlined helper); and the compiled function
/// reads and binds `v` only before `F` is made.
fn nonlocal_owners(
    body: &[Stmt],
    inner: &HashMap<String, (Span, FunctionDef)>,
    w: &Walk,
    nonlocal: &HashSet<String>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    // (the nested functions called, or passed to a call, anywhere)
    let called = called_names(body).0;
    for v in nonlocal {
        // The one nested function using `v`; its `def`'s place.
        let users: Vec<&(FunctionDef, Path)> = w.defs.iter().filter(|(d, _)| def_free_names(d).contains(v)).collect();
        let lambda_reads = w.lambdas.iter().any(|(_, ps, b, _)| {
            let mut r = false;
            crate::hir::walk_expr(b, &mut |x| {
                r |= matches!(&x.kind, ExprKind::Name(n) if n == v && !ps.contains(n));
                true
            });
            r
        });
        let [(d, at)] = users.as_slice() else { continue };
        if lambda_reads || called.contains(&d.name) || inner.get(&d.name).is_none_or(|(_, x)| x.span != d.span) {
            continue;
        }
        let early = |ps: Option<&Vec<Path>>| ps.is_none_or(|ps| ps.iter().all(|p| before(p, at, &w.loop_blocks)));
        if early(w.binds.get(v)) && early(w.reads.get(v)) {
            out.insert(v.clone(), d.name.clone());
        }
    }
    out
}

/// The pre-pass: which of `inner` are made into objects, and which made
/// functions would read a variable that may change after they are made.
pub(super) fn escapes(
    body: &[Stmt],
    inner: &HashMap<String, (Span, FunctionDef)>,
    locals: &HashSet<String>,
) -> Escapes {
    let mut out = Escapes::default();
    let mut made = HashSet::new();
    uses(body, inner, &mut made);
    // What a made function reads must be made too.
    let mut todo: Vec<String> = made.iter().cloned().collect();
    while let Some(n) = todo.pop() {
        for m in def_free_names(&inner[&n].1) {
            if inner.contains_key(&m) && made.insert(m.clone()) {
                todo.push(m);
            }
        }
    }
    let mut w = Walk::default();
    w.block(body, &Vec::new(), false);
    let mut nonlocal = HashSet::new();
    nonlocal_names(body, false, &mut nonlocal);
    let is_var = |n: &String| locals.contains(n) || made.contains(n);
    let owners = nonlocal_owners(body, inner, &w, &nonlocal);
    let needs_cell = |own: Option<&str>, reads: &HashSet<String>, at: &Path| -> Vec<String> {
        reads
            .iter()
            .filter(|v| is_var(v) && Some(v.as_str()) != own)
            .filter(|v| {
                (nonlocal.contains(*v) && !(own.is_some() && owners.get(*v).map(String::as_str) == own))
                    || w.binds
                        .get(*v)
                        .is_some_and(|bs| bs.iter().any(|b| !before(b, at, &w.loop_blocks)))
            })
            .cloned()
            .collect()
    };
    // The variables that get a cell: every one a made function reads that
    // may change after it is made, where compiled code's own copy cannot go
    // stale (see `cell_ok`).
    let mut wanted: HashSet<String> = HashSet::new();
    for (d, at) in &w.defs {
        if made.contains(&d.name) && inner.get(&d.name).is_some_and(|(_, x)| x.span == d.span) && !d.annotated {
            wanted.extend(needs_cell(Some(&d.name), &def_free_names(d), at));
        }
    }
    // (a `key=` lambda of sorted, min, max or `.sort` runs before anything it
    // reads can change: made with the values, it needs no cell)
    let mut keys: HashSet<Span> = HashSet::new();
    crate::hir::walk_stmts(body, &mut |e| {
        if let ExprKind::Call(f, _, kws) = &e.kind {
            let consumer = match &f.kind {
                ExprKind::Name(n) => matches!(n.as_str(), "sorted" | "min" | "max") && !locals.contains(n),
                ExprKind::Attr(_, m) => m == "sort",
                _ => false,
            };
            for (k, v) in kws {
                if consumer && k == "key" && matches!(v.kind, ExprKind::Lambda(..)) {
                    keys.insert(v.span);
                }
            }
        }
        true
    });
    for (span, ps, b, at) in &w.lambdas {
        if !keys.contains(span) {
            wanted.extend(needs_cell(None, &lambda_reads(ps, b), at));
        }
    }
    let mut cells = HashSet::new();
    for v in wanted {
        if cell_ok(&v, body, inner, &made, &w) {
            cells.insert(v);
        }
    }
    let check = |what: &str, own: Option<&str>, reads: &HashSet<String>, at: &Path| -> Option<String> {
        let mut reads: Vec<&String> = reads
            .iter()
            .filter(|n| is_var(n) && Some(n.as_str()) != own && !cells.contains(*n))
            .collect();
        reads.sort();
        for v in reads {
            if nonlocal.contains(v) && !(own.is_some() && owners.get(v).map(String::as_str) == own) {
                return Some(format!(
                    "{what}, used as a value, reads '{v}', which a nested function assigns (`nonlocal {v}`): \
                     not supported yet"
                ));
            }
            if w.binds
                .get(v)
                .is_some_and(|bs| bs.iter().any(|b| !before(b, at, &w.loop_blocks)))
            {
                return Some(format!(
                    "{what}, used as a value, reads '{v}', which is assigned after the function is made \
                     (a call reads its value then: late binding): not supported yet"
                ));
            }
        }
        None
    };
    for (d, at) in &w.defs {
        if !made.contains(&d.name) || inner.get(&d.name).is_none_or(|(_, x)| x.span != d.span) {
            continue;
        }
        let what = format!("the nested function '{}'", d.name);
        let why = if d.annotated {
            Some(format!("{what}, used as a value, has annotations: not supported yet"))
        } else {
            check(&what, Some(&d.name), &def_free_names(d), at)
        };
        if let Some(why) = why {
            out.unsafe_defs.insert(d.name.clone(), why);
        }
    }
    for (span, ps, b, at) in &w.lambdas {
        if let Some(why) = check("this lambda", None, &lambda_reads(ps, b), at) {
            // (`name = lambda` of `inner`: by its name, as a `def`)
            match inner.iter().find(|(_, (_, d))| d.name == "<lambda>" && d.span == *span) {
                Some((n, _)) => out.unsafe_defs.insert(n.clone(), why),
                None => out.unsafe_lambdas.insert(*span, why),
            };
        }
    }
    // One cell per variable for every function made in a call: where every
    // binding of a variable the made functions read comes before the first
    // statement holding all the makes reading it, the cell is made there.
    // (A generator function's frame keeps no cell: made per function as before.)
    let mut makes: HashMap<String, Vec<Path>> = HashMap::new();
    for (d, at) in &w.defs {
        if made.contains(&d.name) && inner.get(&d.name).is_some_and(|(_, x)| x.span == d.span) && !d.annotated {
            for v in def_free_names(d) {
                if v != d.name {
                    makes.entry(v).or_default().push(at.clone());
                }
            }
        }
    }
    for (span, ps, b, at) in &w.lambdas {
        let named = inner.iter().find(|(_, (_, d))| d.name == "<lambda>" && d.span == *span);
        if keys.contains(span) || named.is_some_and(|(n, _)| !made.contains(n)) {
            continue;
        }
        for v in lambda_reads(ps, b) {
            makes.entry(v).or_default().push(at.clone());
        }
    }
    if !has_yield(body) {
        let mut vars: Vec<(&String, &Vec<Path>)> =
            makes.iter().filter(|(v, _)| is_var(v) && !cells.contains(*v)).collect();
        vars.sort();
        for (v, at) in vars {
            // (a nested function's own name: its cell is made at its `def`,
            // empty, and set to the function made, which reads it too)
            let def_at = w
                .defs
                .iter()
                .find(|(d, _)| d.name == **v && made.contains(v) && !d.annotated)
                .map(|(_, p)| p.clone());
            if let Some(p) = def_at.filter(|p| at.iter().all(|m| before(p, m, &w.loop_blocks))) {
                let Some(span) = w.spans.get(&p) else { continue };
                out.shared.entry(*span).or_default().push(v.clone());
                out.shared_vars.insert(v.clone());
                continue;
            }
            let Some(ins) = first_holding(at, &w.loop_blocks) else {
                continue;
            };
            let Some(span) = w.spans.get(&ins) else { continue };
            if w.binds
                .get(v)
                .is_none_or(|bs| bs.iter().all(|b| before(b, &ins, &w.loop_blocks)))
            {
                out.shared.entry(*span).or_default().push(v.clone());
                out.shared_vars.insert(v.clone());
            } else if cell_ok(v, body, inner, &made, &w) {
                // (a binding inside that statement: the variable's cell from the start)
                cells.insert(v.clone());
            }
        }
    }
    out.cells = cells;
    out.made = made;
    out
}

/// Where the one cell shared by the makes at `at` is made: the statement,
/// in a block no loop repeats (nor any block around it), that holds or is
/// the first of them, and that every one of them lies in or after.
fn first_holding(at: &[Path], loop_blocks: &HashSet<u32>) -> Option<Path> {
    let first = at.first()?;
    let mut k = 0;
    loop {
        let (blk, idx) = first[k];
        if at.iter().any(|p| p.len() <= k || p[k].0 != blk) {
            return None; // (cannot happen: the makes' paths share the blocks above)
        }
        let same = at.iter().all(|p| p[k].1 == idx && p.len() > k + 1);
        if !same {
            let j = at.iter().map(|p| p[k].1).min()?;
            let mut out = first[..k].to_vec();
            out.push((blk, j));
            return Some(out);
        }
        let sub = first[k + 1].0;
        if loop_blocks.contains(&sub) || at.iter().any(|p| p[k + 1].0 != sub) {
            return Some(first[..=k].to_vec());
        }
        k += 1;
    }
}

/// Whether `body` (not its nested functions) has a `yield`.
fn has_yield(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::Yield(..) => true,
        StmtKind::If(_, a, b) | StmtKind::While(_, a, b) | StmtKind::For(_, _, a, b) => has_yield(a) || has_yield(b),
        StmtKind::Try(a, hs, b, c) => {
            has_yield(a) || hs.iter().any(|h| has_yield(&h.body)) || has_yield(b) || has_yield(c)
        }
        _ => false,
    })
}

/// The names a lambda's body reads that are not its parameters.
fn lambda_reads(ps: &[String], b: &Expr) -> HashSet<String> {
    let mut reads = HashSet::new();
    crate::hir::walk_expr(b, &mut |x| {
        if let ExprKind::Name(n) = &x.kind {
            if !ps.contains(n) {
                reads.insert(n.clone());
            }
        }
        true
    });
    reads
}

/// Whether the variable `v` can live in a cell (`Escapes::cells`) while
/// compiled code keeps its own copy in registers: not a nested function's
/// name (bound once, by its `def`), and where a function made assigns it
/// (`nonlocal v`, which may run whenever Python code runs), compiled code
/// no longer reads it once that function is made: its own reads come
/// before (in an earlier statement of a block no loop repeats), and no
/// nested function using `v` is inlined (called, or passed to a call that
/// may inline it).
fn cell_ok(
    v: &str,
    body: &[Stmt],
    inner: &HashMap<String, (Span, FunctionDef)>,
    made: &HashSet<String>,
    w: &Walk,
) -> bool {
    if inner.contains_key(v) {
        return false;
    }
    let writers: Vec<&Path> = w
        .defs
        .iter()
        .filter(|(d, _)| {
            made.contains(&d.name) && {
                let mut ns = HashSet::new();
                nonlocal_names(&d.body, true, &mut ns);
                ns.contains(v)
            }
        })
        .map(|(_, at)| at)
        .collect();
    if writers.is_empty() {
        return true;
    }
    let (called, arg_lambdas) = called_names(body);
    let uses_v = |d: &FunctionDef| def_free_names(d).contains(v);
    if inner.iter().any(|(n, (_, d))| called.contains(n) && uses_v(d)) || arg_lambdas.contains(v) {
        return false;
    }
    w.reads.get(v).is_none_or(|rs| {
        rs.iter()
            .all(|r| writers.iter().all(|at| before(r, at, &w.loop_blocks)))
    })
}

/// The names called (`f(...)`), or passed by name to a call, anywhere in
/// `body`, nested functions' bodies included; and the names read by the
/// lambdas written as a call's arguments (an inlined callee inlines them).
fn called_names(body: &[Stmt]) -> (HashSet<String>, HashSet<String>) {
    let mut called: HashSet<String> = HashSet::new();
    let mut arg_lambdas: HashSet<String> = HashSet::new();
    let mut note = |e: &Expr| {
        if let ExprKind::Call(f, args, kws) = &e.kind {
            for a in args.iter().chain(kws.iter().map(|(_, a)| a)) {
                if let ExprKind::Lambda(ps, b) = &a.kind {
                    arg_lambdas.extend(lambda_reads(ps, b));
                }
            }
            if let ExprKind::Name(n) = &f.kind {
                called.insert(n.clone());
                for a in args.iter().chain(kws.iter().map(|(_, a)| a)) {
                    if let ExprKind::Name(m) = &a.kind {
                        called.insert(m.clone());
                    }
                }
            }
        }
        true
    };
    fn all_defs(body: &[Stmt], f: &mut dyn FnMut(&Expr) -> bool) {
        crate::hir::walk_stmts(body, f);
        for s in body {
            visit_defs(s, &mut |d| all_defs(&d.body, f));
        }
    }
    all_defs(body, &mut note);
    (called, arg_lambdas)
}

/// Drops the functions made at a `def` (or `name = lambda`) that nothing
/// uses in the end: the nested function was only called (inlined) or
/// passed to an inlined function, which inlines its calls too. Making one
/// has no effect CPython shows.
pub(super) fn drop_unused_makes(f: &mut ir::Function) {
    // (then the shared cells no function made reads: made for nothing)
    loop {
        let mut used: HashSet<Value> = HashSet::new();
        for b in &f.blocks {
            for i in &b.insts {
                used.extend(i.args.iter().copied());
            }
            used.extend(b.term.uses());
            for e in b.term.successors().into_iter().chain(b.handler.as_ref()) {
                used.extend(e.args.iter().copied());
            }
        }
        let mut dropped = false;
        for b in f.blocks.iter_mut() {
            let n = b.insts.len();
            b.insts.retain(|i| {
                !matches!(i.op, Op::Lambda { escapes: true, .. } | Op::Cell)
                    || i.result.is_some_and(|r| used.contains(&r))
            });
            dropped |= b.insts.len() != n;
        }
        if !dropped {
            break;
        }
    }
}

/// Local names that only stand for a nested function (`h = helper` at the
/// top level of the body, `helper` a nested `def` or `name = lambda` bound
/// once before it, `h` bound nowhere else and read only after it, by the
/// function's own code): `h` -> `helper`. Every read of `h` is then
/// `helper` itself, so the calls through `h` are `helper`'s (inlined).
pub(super) fn aliases(body: &[Stmt], params: &[String]) -> HashMap<String, String> {
    let inner = super::inline::inlinable(body);
    let mut w = Walk::default();
    w.block(body, &Vec::new(), false);
    let mut out = HashMap::new();
    for (idx, s) in body.iter().enumerate() {
        let StmtKind::Assign(ts, v) = &s.kind else { continue };
        let ([Target::Name(g, _)], ExprKind::Name(f)) = (ts.as_slice(), &v.kind) else {
            continue;
        };
        if g == f || inner.contains_key(g) || params.contains(g) {
            continue;
        }
        let Some((at, _)) = inner.get(f) else { continue };
        let Some(def_idx) = body.iter().position(|x| x.span == *at) else {
            continue;
        };
        let once = w
            .binds
            .get(g)
            .is_some_and(|bs| bs.len() == 1 && bs[0] == vec![(0, idx)]);
        let after = w.reads.get(g).is_none_or(|rs| rs.iter().all(|r| r[0].1 > idx));
        let nested = w.defs.iter().any(|(d, _)| def_free_names(d).contains(g))
            || w.lambdas.iter().any(|(_, ps, b, _)| lambda_reads(ps, b).contains(g));
        // (a comprehension binding `g` is a binding `collect_assigned` does not see: left out)
        let mut comp_bound = false;
        crate::hir::walk_stmts(body, &mut |e| {
            if let ExprKind::ListComp(_, cs)
            | ExprKind::GenExp(_, cs, _)
            | ExprKind::SetComp(_, cs)
            | ExprKind::DictComp(_, _, cs) = &e.kind
            {
                for c in cs {
                    let mut names = HashSet::new();
                    comp_target(&c.target, &mut names);
                    comp_bound |= names.contains(g) || names.contains(f);
                }
            }
            true
        });
        if def_idx < idx && once && after && !nested && !comp_bound {
            out.insert(g.clone(), f.clone());
        }
    }
    out
}

/// `body` with each alias of `map` (see [`aliases`]) read as the function
/// it stands for, and its binding statement dropped (nothing reads it).
pub(super) fn resolve_aliases(body: &[Stmt], map: &HashMap<String, String>) -> Vec<Stmt> {
    use super::comp::{rename, rename_target};
    let r = |e: &Expr| rename(e, map);
    let rs = |b: &[Stmt]| resolve_aliases(b, map);
    body.iter()
        .map(|s| {
            let kind = match &s.kind {
                StmtKind::Assign(ts, v)
                    if matches!((ts.as_slice(), &v.kind), ([Target::Name(g, _)], ExprKind::Name(f)) if map.get(g) == Some(f)) =>
                {
                    StmtKind::Pass
                }
                StmtKind::Assign(ts, v) => StmtKind::Assign(ts.iter().map(|t| rename_target(t, map)).collect(), r(v)),
                StmtKind::AugAssign(t, op, v) => StmtKind::AugAssign(rename_target(t, map), *op, r(v)),
                StmtKind::Expr(e) => StmtKind::Expr(r(e)),
                StmtKind::If(c, a, b) => StmtKind::If(r(c), rs(a), rs(b)),
                StmtKind::While(c, a, b) => StmtKind::While(r(c), rs(a), rs(b)),
                StmtKind::For(t, it, a, b) => StmtKind::For(rename_target(t, map), r(it), rs(a), rs(b)),
                StmtKind::Return(e) => StmtKind::Return(e.as_ref().map(r)),
                StmtKind::Raise(e) => StmtKind::Raise(e.as_ref().map(r)),
                StmtKind::Assert(a, b) => StmtKind::Assert(r(a), b.as_ref().map(r)),
                StmtKind::RaiseFrom(a, b) => StmtKind::RaiseFrom(r(a), r(b)),
                StmtKind::Try(a, hs, b, c) => StmtKind::Try(
                    rs(a),
                    hs.iter()
                        .map(|h| Handler {
                            class: h.class.as_ref().map(r),
                            name: h.name.clone(),
                            body: rs(&h.body),
                            span: h.span,
                        })
                        .collect(),
                    rs(b),
                    rs(c),
                ),
                StmtKind::Delete(ts) => StmtKind::Delete(ts.iter().map(|t| rename_target(t, map)).collect()),
                StmtKind::Yield(t, v) => StmtKind::Yield(t.as_ref().map(|t| rename_target(t, map)), v.as_ref().map(r)),
                // (nested functions do not read an alias: see `aliases`)
                k @ (StmtKind::Def(_)
                | StmtKind::Break
                | StmtKind::Continue
                | StmtKind::Pass
                | StmtKind::Nonlocal(_)) => k.clone(),
            };
            Stmt { kind, span: s.span }
        })
        .collect()
}
