//! `try`/`except`/`else`/`finally` and `raise`, lowered to exceptional edges.
//!
//! Every block created inside a `try` body gets an exceptional edge
//! ([`crate::ir::BlockData::handler`]) to the statement's *dispatch block*,
//! which reads the exception (`caught_exc`), tests it against each clause's
//! classes (`exc_match`) and re-raises it when none matches. The edge leaves
//! from anywhere in its block, so its arguments must be the values the
//! variables hold during the whole block: an assignment inside a `try` body
//! starts a new block ([`Lowerer::block_for_write`]).
//!
//! `finally` bodies are copied onto every way out: the normal exit, the
//! exceptional one (a catch-all dispatch block that runs the copy and
//! re-raises) and each `return`/`break`/`continue` that leaves the statement
//! ([`Lowerer::leave`]); a `return` in a copy overrides, as in CPython.

use super::*;

/// What leaving an enclosing `try` statement runs.
#[derive(Clone)]
pub(super) enum Fin {
    /// A `finally` body, with the number of dispatch blocks (`handlers`)
    /// outside the statement (exceptions in the copy go there) and of loops
    /// around it (a `break` or `continue` in the copy is the statement's,
    /// wherever the copy is made).
    Finally(Vec<Stmt>, usize, usize),
    /// The end of an `except ... as name:` clause: `name` is deleted.
    Unbind(String, Span),
}

impl Lowerer {
    /// The block an assignment writes a variable in: inside a `try` body, a
    /// fresh one when the current block already has instructions (one of them
    /// could raise before the assignment, and the handler must then see the
    /// old value).
    pub(super) fn block_for_write(&mut self) -> Block {
        let b = self.block();
        if self.f.block(b).handler.is_none() || self.f.block(b).insts.is_empty() {
            return b;
        }
        let n = self.new_block();
        self.terminate(b, Term::Jump(Edge { block: n, args: vec![] }), Span::default());
        self.seal(n);
        self.cur = Some(n);
        n
    }

    /// Runs what leaving the enclosing `try` statements down to `fin[depth..]`
    /// needs (innermost first): `finally` copies and unbinding of `as` names.
    /// Stops early when a copy leaves itself (`return` in `finally`).
    pub(super) fn leave(&mut self, depth: usize) -> CResult<()> {
        let mut i = self.fin.len();
        while i > depth && self.cur.is_some() {
            i -= 1;
            match self.fin[i].clone() {
                Fin::Finally(body, nh, nl) => {
                    let saved = (
                        self.handlers.clone(),
                        self.fin.clone(),
                        self.loops.clone(),
                        self.loop_fin.clone(),
                    );
                    self.handlers.truncate(nh);
                    self.fin.truncate(i);
                    self.loops.truncate(nl);
                    self.loop_fin.truncate(nl);
                    // The copy runs outside the statement's handlers: what it raises
                    // goes to the enclosing ones (not to this `try`'s `except`).
                    self.leave_handler_region();
                    let r = self.stmts(&body);
                    (self.handlers, self.fin, self.loops, self.loop_fin) = saved;
                    r?;
                }
                Fin::Unbind(name, span) => self.unbind(&name, span),
            }
        }
        Ok(())
    }

    /// After a `try` body's handler was popped: continues in a fresh block when
    /// the current one still has the popped handler's exceptional edge.
    fn leave_handler_region(&mut self) {
        let Some(b) = self.cur else { return };
        let want = self.handlers.last().copied();
        if self.f.block(b).handler.as_ref().map(|h| h.block) == want {
            return;
        }
        let n = self.new_block();
        self.terminate(b, Term::Jump(Edge { block: n, args: vec![] }), Span::default());
        self.seal(n);
        self.cur = Some(n);
    }

    pub(super) fn unbind(&mut self, name: &str, span: Span) {
        let u = self.emit_cur(Op::Undef(name.to_string()), vec![], span);
        self.maybe_unbound.insert(u);
        let b = self.block_for_write();
        self.write_var(name, b, u);
    }

    pub(super) fn try_stmt(
        &mut self,
        body: &[Stmt],
        handlers: &[Handler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
        span: Span,
    ) -> CResult<()> {
        if finalbody.is_empty() {
            return self.try_except(body, handlers, orelse, span);
        }
        // The catch-all dispatch of the `finally` clause (outside the statement's handlers).
        let fd = self.new_block();
        self.handlers.push(fd);
        let nl = self.loops.len();
        self.fin
            .push(Fin::Finally(finalbody.to_vec(), self.handlers.len() - 1, nl));
        let r = self.try_except_in_new_block(body, handlers, orelse, span);
        self.fin.pop();
        self.handlers.pop();
        r?;
        self.leave_handler_region();
        self.seal(fd);
        // The normal way out.
        if self.cur.is_some() {
            self.stmts(finalbody)?;
        }
        let normal = self.cur.take();
        if !self.preds[fd.0 as usize].is_empty() {
            self.cur = Some(fd);
            let exc = self.emit(fd, Op::CaughtExc, vec![], span);
            self.stmts(finalbody)?;
            if let Some(b) = self.cur.take() {
                self.terminate(b, Term::Raise(exc), span);
            }
        }
        self.cur = normal;
        Ok(())
    }

    /// `try_except` starting in a block of its own (inside the current handlers).
    fn try_except_in_new_block(
        &mut self,
        body: &[Stmt],
        handlers: &[Handler],
        orelse: &[Stmt],
        span: Span,
    ) -> CResult<()> {
        if self.cur.is_none() {
            return Ok(());
        }
        let t = self.new_block();
        self.jump(t, vec![], span);
        self.seal(t);
        self.cur = Some(t);
        self.try_except(body, handlers, orelse, span)
    }

    fn try_except(&mut self, body: &[Stmt], handlers: &[Handler], orelse: &[Stmt], span: Span) -> CResult<()> {
        if handlers.is_empty() {
            self.stmts(body)?;
            return self.stmts(orelse);
        }
        if self.cur.is_none() {
            return Ok(());
        }
        let d = self.new_block();
        self.handlers.push(d);
        let r = self.try_except_in_new_block(body, &[], &[], span);
        self.handlers.pop();
        r?;
        self.leave_handler_region();
        if self.cur.is_some() {
            self.stmts(orelse)?;
        }
        let after = self.new_block();
        self.jump(after, vec![], span);
        self.seal(d);
        if !self.preds[d.0 as usize].is_empty() {
            self.cur = Some(d);
            let exc = self.emit(d, Op::CaughtExc, vec![], span);
            for h in handlers {
                let hb = self.new_block();
                match &h.class {
                    None => self.jump(hb, vec![], h.span),
                    Some(cls) => {
                        let c = self.expr(cls)?;
                        let m = self.emit_cur(Op::ExcMatch, vec![exc, c], h.span);
                        let from = self.block();
                        let next = self.new_block();
                        self.terminate(
                            from,
                            Term::Br(
                                m,
                                Edge {
                                    block: hb,
                                    args: vec![],
                                },
                                Edge {
                                    block: next,
                                    args: vec![],
                                },
                            ),
                            h.span,
                        );
                        self.seal(next);
                        self.cur = Some(next);
                    }
                }
                self.seal(hb);
                let rest = self.cur.take();
                self.cur = Some(hb);
                if let Some(name) = &h.name {
                    let b = self.block_for_write();
                    self.write_var(name, b, exc);
                    self.fin.push(Fin::Unbind(name.clone(), h.span));
                }
                self.exc_stack.push(exc);
                let r = self.stmts(&h.body);
                self.exc_stack.pop();
                if h.name.is_some() {
                    self.fin.pop();
                }
                r?;
                if let (Some(name), true) = (&h.name, self.cur.is_some()) {
                    self.unbind(name, h.span);
                }
                self.jump(after, vec![], span);
                self.cur = rest;
                if h.class.is_none() {
                    break;
                }
            }
            // No clause matched: on to the enclosing handler (or out of the function).
            if let Some(b) = self.cur.take() {
                self.terminate(b, Term::Raise(exc), span);
            }
        }
        self.seal(after);
        self.cur = if self.preds[after.0 as usize].is_empty() {
            None
        } else {
            Some(after)
        };
        Ok(())
    }
}
