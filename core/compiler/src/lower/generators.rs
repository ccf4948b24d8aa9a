//! Generators: `yield` in the lowering, the clean-up of what crosses a
//! yield, and the per-resume-point functions the runtime compiles.
//!
//! A `yield v` statement ends its block with the terminator
//! `yield k, v, blockR(None, x1, ..., xn)`: `blockR` (resume point `k`) takes
//! the value sent in (the `None` stands for it) and every value live after
//! the yield ([`carry_live_values`] adds them once the function is built, with
//! the block parameters that SSA form then needs at joins), so the code after
//! the yield reads nothing defined before it except through `blockR`'s
//! parameters. Constants and globals are read again instead of carried.
//!
//! The runtime runs a generator one step at a time: step 0 is the function
//! itself from its arguments, step `k` is [`resume_function`]`(f, k)`, the
//! same IR entered at resume point `k` with `(sent, live values...)` as its
//! arguments. A step ends at the next `yield` (compiled code leaves there as
//! at a deopt point; the interpreter tier hands back the resume point, the
//! value and the live values) or at a `return` (the generator is finished).

use super::Lowerer;
use crate::error::{CResult, CompileError};
use crate::hir::{Expr, Span, Target};
use crate::ir::{self, Block, BlockData, Const, Edge, Op, Term, Value};
use std::collections::HashSet;

impl Lowerer {
    pub(super) fn yield_stmt(&mut self, target: Option<&Target>, value: Option<&Expr>, span: Span) -> CResult<()> {
        if !self.handlers.is_empty() || !self.fin.is_empty() || !self.exc_stack.is_empty() {
            return Err(CompileError::unsupported(
                span,
                "`yield` inside a `try` statement is not supported yet",
            ));
        }
        if !self.inlining.is_empty() {
            return Err(CompileError::unsupported(
                span,
                "calls of nested generator functions are not supported yet",
            ));
        }
        let v = match value {
            Some(e) => self.expr(e)?,
            None => self.emit_cur(Op::Const(Const::None), vec![], span),
        };
        let b = self.block();
        let none = self.emit(b, Op::Const(Const::None), vec![], span);
        let r = self.new_block();
        self.points += 1;
        let point = self.points;
        self.terminate(
            b,
            Term::Yield {
                point,
                value: v,
                resume: Edge {
                    block: r,
                    args: vec![none],
                },
            },
            span,
        );
        self.seal(r);
        // What else crosses the yield is added by `carry_live_values` once the function is built.
        let sent = self.add_param(r, "%sent");
        self.cur = Some(r);
        if let Some(t) = target {
            self.assign(t, sent)?;
        }
        Ok(())
    }
}

/// Makes every value live after a yield cross it through the resume block's
/// parameters: for each yield in turn, each value live into its resume block
/// becomes a new parameter there (the yield passes the value), and its uses
/// reached from the resume block read that parameter, through new block
/// parameters where paths from before and after the yield join (SSA repair
/// in the manner of Braun et al.). A constant or a global read is emitted
/// again at the start of the resume block instead.
pub fn carry_live_values(f: &mut ir::Function) {
    // Unreachable blocks (code after a `return`) are emptied: new block
    // parameters get arguments from the reachable edges only.
    let reachable: HashSet<Block> = f.rpo_all().into_iter().collect();
    for (i, b) in f.blocks.iter_mut().enumerate() {
        if !reachable.contains(&Block(i as u32)) {
            b.insts.clear();
            b.handler = None;
            b.term = Term::Unreachable;
        }
    }
    let points = resume_points(f);
    for point in 1..=points {
        let Some((y, r)) = f.blocks.iter().enumerate().find_map(|(i, b)| match &b.term {
            Term::Yield { point: p, resume, .. } if *p == point => Some((Block(i as u32), resume.block)),
            _ => None,
        }) else {
            continue;
        };
        let live = crate::ir::cfg::live_in(f);
        let mut leaks: Vec<Value> = live[r.0 as usize].iter().copied().collect();
        leaks.sort();
        let defs = crate::ir::cfg::definitions(f);
        // Values made again after the yield: constants, globals and attributes of those.
        let remat = |v: Value| -> bool {
            let mut v = v;
            loop {
                let Some(&(b, k)) = defs.get(&v) else { return false };
                let inst = &f.block(b).insts[k];
                match (&inst.op, inst.args.as_slice()) {
                    (Op::Const(_) | Op::Global(_) | Op::Import(_), []) => return true,
                    (Op::Attr(_), [x]) => v = *x,
                    _ => return false,
                }
            }
        };
        let (remade, carried): (Vec<Value>, Vec<Value>) = leaks.into_iter().partition(|v| remat(*v));
        for x in remade {
            let new = remake(f, &defs, r, x);
            repair(f, x, r, new, y, false);
        }
        for x in carried {
            let p = f.new_value(f.values[x.0 as usize].name.clone());
            f.block_mut(r).params.push(p);
            repair(f, x, r, p, y, true);
        }
    }
}

/// Emits `x`'s definition (and those of its arguments) again at the start of `r`.
fn remake(f: &mut ir::Function, defs: &std::collections::HashMap<Value, (Block, usize)>, r: Block, x: Value) -> Value {
    let mut chain = Vec::new();
    let mut v = x;
    while let Some(&(b, k)) = defs.get(&v) {
        let inst = f.block(b).insts[k].clone();
        v = inst.args.first().copied().unwrap_or(v);
        let done = inst.args.is_empty();
        chain.push(inst);
        if done {
            break;
        }
    }
    let mut prev: Option<Value> = None;
    for (at, mut inst) in chain.into_iter().rev().enumerate() {
        let res = f.new_value(inst.result.and_then(|o| f.values[o.0 as usize].name.clone()));
        if let Some(p) = prev {
            inst.args = vec![p];
        }
        inst.result = Some(res);
        f.block_mut(r).insts.insert(at, inst);
        prev = Some(res);
    }
    prev.unwrap_or(x)
}

/// Gives value `x` a second definition, `new`, at the start of resume block
/// `r` (entered from the yield in block `y`; `pass`: the yield passes `x` as
/// the new parameter's argument), and makes the uses `r` reaches read it.
fn repair(f: &mut ir::Function, x: Value, r: Block, new: Value, y: Block, pass: bool) {
    let defs = crate::ir::cfg::definitions(f);
    let def_block = match defs.get(&x) {
        Some(&(b, _)) => b,
        None => f
            .blocks
            .iter()
            .position(|b| b.params.contains(&x))
            .map_or(f.entry(), |i| Block(i as u32)),
    };
    let order = f.rpo_all();
    // Every edge into each block: (from, exceptional).
    let mut preds: Vec<Vec<(Block, bool)>> = vec![Vec::new(); f.blocks.len()];
    for &b in &order {
        let data = f.block(b);
        for e in data.term.successors() {
            preds[e.block.0 as usize].push((b, false));
        }
        if let Some(h) = &data.handler {
            preds[h.block.0 as usize].push((b, true));
        }
    }
    let mut start: std::collections::HashMap<Block, Value> = std::collections::HashMap::new();
    start.insert(r, new);
    struct Ctx<'a> {
        x: Value,
        def_block: Block,
        r: Block,
        new: Value,
        preds: &'a [Vec<(Block, bool)>],
    }
    fn at_end(
        f: &mut ir::Function,
        c: &Ctx<'_>,
        start: &mut std::collections::HashMap<Block, Value>,
        b: Block,
    ) -> Value {
        if b == c.r {
            // (a resume block's own definition is at its start; `x` is not redefined after it)
            return at_start(f, c, start, b);
        }
        if b == c.def_block {
            return c.x;
        }
        at_start(f, c, start, b)
    }
    fn at_start(
        f: &mut ir::Function,
        c: &Ctx<'_>,
        start: &mut std::collections::HashMap<Block, Value>,
        b: Block,
    ) -> Value {
        if b == c.r {
            return c.new;
        }
        if let Some(v) = start.get(&b) {
            return *v;
        }
        if b == c.def_block {
            return c.x;
        }
        let ps = &c.preds[b.0 as usize];
        if ps.len() == 1 {
            let (p, exc) = ps[0];
            let v = if exc {
                at_start(f, c, start, p)
            } else {
                at_end(f, c, start, p)
            };
            start.insert(b, v);
            return v;
        }
        if ps.is_empty() {
            return c.x;
        }
        let q = f.new_value(f.values[c.x.0 as usize].name.clone());
        f.block_mut(b).params.push(q);
        start.insert(b, q);
        for (p, exc) in ps.clone() {
            let v = if exc {
                at_start(f, c, start, p)
            } else {
                at_end(f, c, start, p)
            };
            let data = f.block_mut(p);
            if exc {
                if let Some(h) = data.handler.as_mut() {
                    if h.block == b && h.args.len() < f.block(b).params.len() {
                        f.block_mut(p).handler.as_mut().unwrap().args.push(v);
                    }
                }
            } else {
                let n = f.block(b).params.len();
                for e in f.block_mut(p).term.successors_mut() {
                    if e.block == b && e.args.len() < n {
                        e.args.push(v);
                        break;
                    }
                }
            }
        }
        q
    }
    let c = Ctx {
        x,
        def_block,
        r,
        new,
        preds: &preds,
    };
    if pass {
        let v = at_end(f, &c, &mut start, y);
        match &mut f.block_mut(y).term {
            Term::Yield { resume, .. } => resume.args.push(v),
            _ => unreachable!("a resume block's predecessor ends in its yield"),
        }
    }
    // The uses: instructions read the value at their block's start (the
    // definition's own block keeps `x`), terminators and edges at its end,
    // exceptional edges at its start.
    for b in order {
        if b == def_block && b != r {
            continue;
        }
        let uses_x = f.block(b).insts.iter().any(|i| i.args.contains(&x))
            || f.block(b).term.uses().contains(&x)
            || f.block(b).handler.as_ref().is_some_and(|h| h.args.contains(&x));
        if !uses_x {
            continue;
        }
        let s = at_start(f, &c, &mut start, b);
        let e = at_end(f, &c, &mut start, b);
        let data = f.block_mut(b);
        for inst in data.insts.iter_mut() {
            for a in inst.args.iter_mut() {
                if *a == x {
                    *a = s;
                }
            }
        }
        if let Some(h) = data.handler.as_mut() {
            for a in h.args.iter_mut() {
                if *a == x {
                    *a = s;
                }
            }
        }
        let skip_pass = pass && b == y;
        match &mut data.term {
            Term::Br(v, _, _) | Term::Ret(v) | Term::Raise(v) | Term::Yield { value: v, .. } if *v == x => *v = e,
            Term::AssertFail(Some(v)) if *v == x => *v = e,
            _ => {}
        }
        for ed in data.term.successors_mut() {
            let n = ed.args.len();
            for (i, a) in ed.args.iter_mut().enumerate() {
                // (the argument the yield passes for `new` is already `x`'s value at its end)
                if *a == x && !(skip_pass && i + 1 == n && ed.block == r) {
                    *a = e;
                }
            }
        }
    }
}

/// Whether `f` contains a `yield`.
pub fn is_generator(f: &ir::Function) -> bool {
    f.blocks.iter().any(|b| matches!(b.term, Term::Yield { .. }))
}

/// The blocks `yield` terminators resume at.
pub fn resume_blocks(f: &ir::Function) -> HashSet<Block> {
    f.blocks
        .iter()
        .filter_map(|b| match &b.term {
            Term::Yield { resume, .. } => Some(resume.block),
            _ => None,
        })
        .collect()
}

/// The number of resume points (yields) of `f`.
pub fn resume_points(f: &ir::Function) -> u32 {
    f.blocks
        .iter()
        .filter_map(|b| match &b.term {
            Term::Yield { point, .. } => Some(*point),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Removes the block parameters of a generator that nothing reads (a
/// variable's value carried across a yield and around loops but never used),
/// and the `undef` reads left without a use.
pub fn prune(f: &mut ir::Function) {
    // Values read by something other than an edge into a parameter.
    let mut needed: HashSet<Value> = HashSet::new();
    for b in &f.blocks {
        for i in &b.insts {
            needed.extend(i.args.iter().copied());
        }
        match &b.term {
            Term::Br(c, _, _) => {
                needed.insert(*c);
            }
            Term::Ret(v) | Term::Raise(v) | Term::Yield { value: v, .. } => {
                needed.insert(*v);
            }
            Term::AssertFail(Some(v)) => {
                needed.insert(*v);
            }
            _ => {}
        }
    }
    let entry = f.entry();
    for (i, b) in f.blocks.iter().enumerate() {
        if Block(i as u32) == entry {
            needed.extend(b.params.iter().copied());
        }
    }
    // The value sent in stays (the resume functions take it).
    for r in resume_blocks(f) {
        if let Some(p) = f.block(r).params.first() {
            needed.insert(*p);
        }
    }
    // A needed parameter needs what every edge passes to it.
    loop {
        let mut changed = false;
        for b in &f.blocks {
            for e in b.term.successors().into_iter().chain(b.handler.as_ref()) {
                let params = &f.block(e.block).params;
                for (p, a) in params.iter().zip(&e.args) {
                    if needed.contains(p) && needed.insert(*a) {
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let keep: Vec<Vec<bool>> = f
        .blocks
        .iter()
        .map(|b| b.params.iter().map(|p| needed.contains(p)).collect())
        .collect();
    for bi in 0..f.blocks.len() {
        let data = &mut f.blocks[bi];
        let mut edges: Vec<&mut Edge> = data.term.successors_mut();
        edges.extend(data.handler.as_mut());
        for e in edges {
            let k = &keep[e.block.0 as usize];
            let mut i = 0;
            e.args.retain(|_| {
                let r = k[i];
                i += 1;
                r
            });
        }
    }
    for (bi, data) in f.blocks.iter_mut().enumerate() {
        let mut i = 0;
        let k = &keep[bi];
        data.params.retain(|_| {
            let r = k[i];
            i += 1;
            r
        });
    }
    // `undef` reads nothing uses any more.
    let mut used: HashSet<Value> = HashSet::new();
    for b in &f.blocks {
        used.extend(b.insts.iter().flat_map(|i| i.args.iter().copied()));
        used.extend(b.term.uses());
        if let Some(h) = &b.handler {
            used.extend(h.args.iter().copied());
        }
    }
    for b in f.blocks.iter_mut() {
        b.insts
            .retain(|i| !(matches!(i.op, Op::Undef(_)) && i.result.is_some_and(|r| !used.contains(&r))));
    }
}

/// The step of generator `f` that starts at resume point `point` (1-based):
/// the same IR with a new entry block that takes the resume block's
/// parameters (the value sent in, then the live values) and jumps there.
/// The old entry stays, unreachable.
pub fn resume_function(f: &ir::Function, point: u32) -> Option<ir::Function> {
    let r = f.blocks.iter().find_map(|b| match &b.term {
        Term::Yield { point: p, resume, .. } if *p == point => Some(resume.block),
        _ => None,
    })?;
    let mut g = f.clone();
    let rparams = g.block(r).params.clone();
    let mut params = Vec::new();
    let mut names = Vec::new();
    for (i, p) in rparams.iter().enumerate() {
        let name = g.values[p.0 as usize].name.clone();
        names.push(match (&name, i) {
            (_, 0) => "<sent>".to_string(),
            (Some(n), _) => n.clone(),
            (None, _) => format!("<live{i}>"),
        });
        params.push(g.new_value(name.filter(|_| i > 0)));
    }
    let span = g.block(r).term_span;
    let e = Block(g.blocks.len() as u32);
    g.blocks.push(BlockData {
        params: params.clone(),
        handler: None,
        insts: Vec::new(),
        term: Term::Jump(Edge { block: r, args: params }),
        term_span: span,
    });
    // The new entry becomes block0 (the old one takes its index).
    let swap = |b: Block| -> Block {
        if b == Block(0) {
            e
        } else if b == e {
            Block(0)
        } else {
            b
        }
    };
    for data in g.blocks.iter_mut() {
        let mut edges: Vec<&mut Edge> = data.term.successors_mut();
        edges.extend(data.handler.as_mut());
        for ed in edges {
            ed.block = swap(ed.block);
        }
    }
    g.blocks.swap(0, e.0 as usize);
    g.params = names;
    g.shape = crate::hir::CallShape::default();
    Some(g)
}

/// A compiled generator inlined into a `for` loop of the function being
/// lowered: each `yield` of its body runs the loop's body.
pub(super) struct GenInline {
    /// The generator function's global name.
    name: String,
    /// The loop's target, body and `else` clause.
    target: Target,
    body: Vec<crate::hir::Stmt>,
    /// Where the generator's `return` (or its end) goes: the `else` clause, then `exit`.
    done: Block,
    /// After the loop (a `break` in its body).
    exit: Block,
    /// The inlined code the loop is in (`Lowerer::cur_inl`): its body's.
    outer_inl: u32,
}

/// Whether generator `def` can be inlined into a `for` loop: its yields are
/// statements (`yield v`, `x = yield v`) outside `try`, and its body has no
/// `raise` (a `StopIteration` would leave the loop instead of becoming
/// PEP 479's `RuntimeError`), `try`, nested functions, lambdas or
/// comprehensions (the renaming does not enter those).
pub fn inlinable_generator(def: &crate::hir::FunctionDef) -> bool {
    use crate::hir::{ExprKind, StmtKind};
    fn expr_ok(e: &Expr) -> bool {
        !matches!(
            e.kind,
            ExprKind::Lambda(..)
                | ExprKind::ListComp(..)
                | ExprKind::GenExp(..)
                | ExprKind::DictComp(..)
                | ExprKind::SetComp(..)
                | ExprKind::Dict(..)
                | ExprKind::Set(..)
        )
    }
    fn ok(body: &[crate::hir::Stmt]) -> bool {
        body.iter().all(|s| match &s.kind {
            StmtKind::Raise(_) | StmtKind::RaiseFrom(..) | StmtKind::Try(..) | StmtKind::Def(_) => false,
            StmtKind::If(c, a, b) | StmtKind::While(c, a, b) => expr_ok(c) && ok(a) && ok(b),
            StmtKind::For(_, it, a, b) => expr_ok(it) && ok(a) && ok(b),
            StmtKind::Assign(_, e) | StmtKind::AugAssign(_, _, e) | StmtKind::Expr(e) => expr_ok(e),
            StmtKind::Yield(_, Some(e)) | StmtKind::Return(Some(e)) => expr_ok(e),
            _ => true,
        })
    }
    def.shape.is_plain() && ok(&def.body)
}

impl Lowerer {
    /// `for target in gen(args): body else: orelse` where `gen` is a compiled
    /// generator function of the same module: the generator's body, its
    /// locals renamed apart, with each `yield v` assigning `v` to `target`
    /// and running `body` there (`continue` goes on after the yield, `break`
    /// leaves both). The values sent in are None, as for a `for` loop.
    /// False (nothing emitted) when the generator cannot be inlined here.
    pub(super) fn inline_generator(
        &mut self,
        name: &str,
        def: &crate::hir::FunctionDef,
        args: &[Expr],
        (target, body, orelse): (&Target, &[crate::hir::Stmt], &[crate::hir::Stmt]),
        span: Span,
    ) -> CResult<bool> {
        if args.len() != def.params.len()
            || !self.inlining.is_empty()
            || !self.inner.is_empty()
            || self.gen_inline.iter().any(|g| g.name == name)
        {
            // (a generator iterating over itself is not inlined into itself)
            return Ok(false);
        }
        let mut own: HashSet<String> = def.params.iter().cloned().collect();
        super::collect_assigned(&def.body, &mut own);
        self.hidden += 1;
        let id = self.hidden;
        let map: std::collections::HashMap<String, String> =
            own.iter().map(|n| (n.clone(), format!("{n}@{id}"))).collect();
        let Ok((gbody, free)) = super::inline::rename(&map, &def.body) else {
            return Ok(false);
        };
        // Its globals must not be this function's variables.
        if free.iter().any(|n| self.locals.contains(n)) {
            return Ok(false);
        }
        let vals: Vec<Value> = args.iter().map(|a| self.expr(a)).collect::<CResult<_>>()?;
        for n in map.values() {
            self.locals.insert(n.clone());
        }
        for (p, v) in def.params.iter().zip(vals) {
            let b = self.block_for_write();
            self.write_var(&map[p], b, v);
        }
        let params: Vec<String> = def.params.iter().map(|p| map[p].clone()).collect();
        let its = self.iterator_locals(&gbody, &params);
        self.iter_names.extend(its);
        let (done, exit) = (self.new_block(), self.new_block());
        self.gen_inline.push(GenInline {
            name: name.to_string(),
            target: target.clone(),
            body: body.to_vec(),
            done,
            exit,
            outer_inl: self.cur_inl,
        });
        // The body's code is the generator's: its traceback frame is the
        // generator's, below the loop's (as CPython's generator frame is).
        let site = ir::InlineSite {
            name: def.name.clone(),
            call: self.tagged(span),
        };
        self.f.inlines.push(site);
        let outer = std::mem::replace(&mut self.cur_inl, self.f.inlines.len() as u32);
        // (the generator's frame: a StopIteration leaving its body is PEP 479's RuntimeError)
        self.gen_frames.push((self.handlers.len(), super::iters::Frame::Gen));
        let r = self.stmts(&gbody);
        self.gen_frames.pop();
        self.cur_inl = outer;
        let ctx = self.gen_inline.pop().unwrap();
        r?;
        self.jump(done, vec![], span);
        self.seal(done);
        self.cur = if self.preds[done.0 as usize].is_empty() {
            None
        } else {
            Some(done)
        };
        if self.cur.is_some() {
            self.stmts(orelse)?;
        }
        self.jump(ctx.exit, vec![], span);
        self.seal(exit);
        self.cur = if self.preds[exit.0 as usize].is_empty() {
            None
        } else {
            Some(exit)
        };
        Ok(true)
    }

    /// A `yield` of an inlined generator: the loop's body runs here.
    pub(super) fn inline_yield(&mut self, target: Option<&Target>, value: Option<&Expr>, span: Span) -> CResult<()> {
        let v = match value {
            Some(e) => self.expr(e)?,
            None => self.emit_cur(Op::Const(Const::None), vec![], span),
        };
        let ctx = self.gen_inline.pop().unwrap();
        let frame = self.gen_frames.pop();
        // (the loop's target and body are the function around the loop's code)
        let inner = std::mem::replace(&mut self.cur_inl, ctx.outer_inl);
        let r = self.assign(&ctx.target, v);
        self.cur_inl = inner;
        r?;
        let after = self.new_block();
        // The loop's body belongs to the function around the loop (its own yields,
        // returns, breaks): lowered with the inlining context set aside.
        self.loops.push((after, ctx.exit));
        self.loop_fin.push(self.fin.len());
        let inner = std::mem::replace(&mut self.cur_inl, ctx.outer_inl);
        let r = self.stmts(&ctx.body);
        self.cur_inl = inner;
        self.loops.pop();
        self.loop_fin.pop();
        self.gen_inline.push(ctx);
        self.gen_frames.extend(frame);
        r?;
        self.jump(after, vec![], span);
        self.seal(after);
        self.cur = if self.preds[after.0 as usize].is_empty() {
            None
        } else {
            Some(after)
        };
        if let Some(t) = target {
            // `x = yield v` in a generator a `for` loop drives receives None.
            let none = self.emit_cur(Op::Const(Const::None), vec![], span);
            self.assign(t, none)?;
        }
        Ok(())
    }

    /// `return` in an inlined generator: the end of the loop (its `else` clause next).
    pub(super) fn inline_gen_return(&mut self, span: Span) -> CResult<()> {
        let done = self.gen_inline.last().unwrap().done;
        self.jump(done, vec![], span);
        Ok(())
    }
}
