//! Exceptions caught by compiled handlers.
//!
//! An instruction inside a `try` body that raises (an exception status from a
//! helper, a NumPy call or a compiled callee; a failed check whose instruction
//! the runtime re-runs and finds raising, `pyston_try_raise`) jumps to the
//! statement's dispatch block when that block is compiled: `pyston_catch`
//! takes the exception (kept in the call's arena) into a stack slot that
//! `caught_exc` reads, with the call site of the raising line in another
//! (a re-raise escaping the function reports that line). When the dispatch
//! block is not compiled (cold), the call goes on on the interpreter tier,
//! which raises the exception there (`DeoptPoint::raised`).

use super::*;

impl Gen<'_, '_> {
    /// The exceptional edge of IR block `blk` when its handler is compiled.
    pub fn native_handler(&self, blk: Block) -> Option<ir::Edge> {
        let h = self.f.block(blk).handler.as_ref()?;
        (!self.typed.cold.contains(&h.block) && self.blocks.contains_key(&h.block)).then(|| h.clone())
    }

    /// The blocks compiled code can reach, in reverse post-order: through normal
    /// edges and exceptional edges to compiled handlers, not through cold blocks
    /// (which leave for the interpreter tier on entry).
    pub fn native_order(&self) -> Vec<Block> {
        let mut seen: HashSet<Block> = HashSet::new();
        let mut todo = vec![self.f.entry()];
        while let Some(b) = todo.pop() {
            if !seen.insert(b) || self.typed.cold.contains(&b) {
                continue;
            }
            let data = self.f.block(b);
            todo.extend(data.term.successors().iter().map(|e| e.block));
            if let Some(h) = &data.handler {
                if !self.typed.cold.contains(&h.block) {
                    todo.push(h.block);
                }
            }
        }
        self.f.rpo_all().into_iter().filter(|b| seen.contains(b)).collect()
    }

    /// The stack slots of the caught exception and of its call site.
    fn exc_slots(&mut self) -> (cranelift_codegen::ir::StackSlot, cranelift_codegen::ir::StackSlot) {
        if let Some(s) = self.exc_slots {
            return s;
        }
        let mk =
            |b: &mut FunctionBuilder| b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
        let s = (mk(&mut self.b), mk(&mut self.b));
        self.exc_slots = Some(s);
        s
    }

    /// Takes the pending exception raised at `span` and jumps to the handler `h`.
    pub fn catch_to(&mut self, h: &ir::Edge, span: Span) -> CResult<()> {
        let ctx = self.ctx.unwrap();
        let exc = self.call("pyston_catch", &[ctx])?[0];
        self.jump_to_handler(h, exc, span)
    }

    /// Jumps to the handler `h` with the exception `exc` (an instance, or a
    /// tagged word) raised at `span`.
    fn jump_to_handler(&mut self, h: &ir::Edge, exc: CV, span: Span) -> CResult<()> {
        let (es, ss) = self.exc_slots();
        let site = self.call_sites.len() as i64;
        self.call_sites.push(span);
        let sv = self.b.ins().iconst(clt::I64, site);
        self.b.ins().stack_store(clt::I64, sv, ss, 0);
        let exc = self.exc_for_handler(h.block, exc)?;
        self.b.ins().stack_store(clt::I64, exc, es, 0);
        let args = self.edge_args(h)?;
        let target = self.blocks[&h.block];
        self.b.ins().jump(target, &args);
        Ok(())
    }

    /// What the dispatch block `d` is entered with for the caught `exc` (an
    /// instance or a tagged word; the site slot is set): a handler that sees
    /// the instance gets it made, with this frame's traceback entry
    /// (`pyston_exc_seen`); one that cannot see it, a tagged word as it is.
    fn exc_for_handler(&mut self, d: Block, exc: CV) -> CResult<CV> {
        let ctx = self.ctx.unwrap();
        if self.sees_exc(d) {
            let (_, ss) = self.exc_slots();
            let slotp = self.b.ins().iconst(clt::I64, self.env.self_meta_slot as i64);
            let meta = self.b.ins().load(clt::I64, MemFlagsData::trusted(), slotp, 0);
            let sp = self.b.ins().stack_addr(clt::I64, ss, 0);
            return Ok(self.call("pyston_exc_seen", &[ctx, meta, exc, sp])?[0]);
        }
        if self.takes_lazy_exc(d) {
            return Ok(exc);
        }
        Ok(self.call("pyston_lazy_exc", &[ctx, exc])?[0])
    }

    /// Whether the `caught_exc` of dispatch block `d` goes anywhere but
    /// `exc_match` and `raise` (an `except ... as e:` binds it).
    pub fn sees_exc(&self, d: Block) -> bool {
        let data = self.f.block(d);
        let Some(x) = data
            .insts
            .first()
            .filter(|i| i.op == Op::CaughtExc)
            .and_then(|i| i.result)
        else {
            return false;
        };
        self.f.blocks.iter().any(|bd| {
            let mut edges = bd.term.successors().into_iter().chain(bd.handler.as_ref());
            edges.any(|e| e.args.contains(&x))
                || bd.insts.iter().any(|i| {
                    i.args
                        .iter()
                        .enumerate()
                        .any(|(k, a)| *a == x && !(i.op == Op::ExcMatch && k == 0))
                })
                || (!matches!(bd.term, Term::Raise(_)) && bd.term.uses().contains(&x))
        })
    }

    /// Whether the dispatch block `d` may be entered with a tagged word
    /// ([`abi::LazyExc`]) instead of the exception instance: nobody can see
    /// the instance. Its `caught_exc` only goes to `exc_match` (which needs
    /// only the class) and to `raise` (which makes it); and the handler (the
    /// blocks `d` dominates) calls no Python code that could look at
    /// `sys.exc_info()`, reads no attribute of an object, and does not yield.
    pub fn takes_lazy_exc(&self, d: Block) -> bool {
        let data = self.f.block(d);
        match data.insts.first() {
            Some(i) if i.op == Op::CaughtExc => {}
            _ => return false,
        }
        let exc = data.insts[0].result;
        let n = self.f.blocks.len();
        let mut preds: Vec<Vec<Block>> = vec![Vec::new(); n];
        for i in 0..n {
            let b = Block(i as u32);
            let bd = self.f.block(b);
            for e in bd.term.successors() {
                preds[e.block.0 as usize].push(b);
            }
            if let Some(h) = &bd.handler {
                preds[h.block.0 as usize].push(b);
            }
            if let Some(x) = exc {
                let mut edges = bd.term.successors().into_iter().chain(bd.handler.as_ref());
                if edges.any(|e| e.args.contains(&x)) {
                    return false;
                }
                for inst in &bd.insts {
                    if inst
                        .args
                        .iter()
                        .enumerate()
                        .any(|(k, a)| *a == x && !(inst.op == Op::ExcMatch && k == 0))
                    {
                        return false;
                    }
                }
                let term_ok = match &bd.term {
                    Term::Raise(_) => true,
                    t => !t.uses().contains(&x),
                };
                if !term_ok {
                    return false;
                }
            }
        }
        // The blocks `d` dominates (all their predecessors are).
        let mut dom: HashSet<Block> = [d].into_iter().collect();
        let mut changed = true;
        while changed {
            changed = false;
            for (i, ps) in preds.iter().enumerate() {
                let b = Block(i as u32);
                if b == self.f.entry() || dom.contains(&b) || ps.is_empty() {
                    continue;
                }
                if ps.iter().all(|p| dom.contains(p)) {
                    dom.insert(b);
                    changed = true;
                }
            }
        }
        dom.iter().all(|b| {
            let bd = self.f.block(*b);
            !matches!(bd.term, Term::Yield { .. })
                && bd.insts.iter().all(|i| match &i.op {
                    Op::Call { .. } => matches!(self.ty(i.args[0]), Ty::Builtin(_)),
                    Op::MethodCall { .. } | Op::Lambda { .. } | Op::Cell | Op::CellSet => false,
                    Op::Attr(_) => !matches!(self.ty(i.args[0]), Ty::Obj(_)),
                    _ => true,
                })
        })
    }

    /// `cond` holds: the current instruction raises the exception `k` (and
    /// only then). Inside a `try` body whose handler is compiled, jumps there
    /// with a tagged word when nobody can see the exception
    /// ([`Gen::takes_lazy_exc`]), else with the exception made directly; the
    /// interpreter tier is not involved. Elsewhere the exception is made and
    /// raised from here (to a handler on the interpreter tier, or out of the
    /// function from this line).
    pub fn raise_known_if(&mut self, cond: CV, k: abi::LazyExc) -> CResult<()> {
        let Some(tag) = k.tag() else {
            self.deopt_if(cond);
            return Ok(());
        };
        self.raise_made_if(cond, |cg| Ok(cg.b.ins().iconst(clt::I64, tag)))
    }

    /// As [`Gen::raise_known_if`], the exception (a tagged word or an instance)
    /// made by `make` in the cold block.
    pub fn raise_made_if(&mut self, cond: CV, make: impl FnOnce(&mut Self) -> CResult<CV>) -> CResult<()> {
        let (blk, i) = self.cur_inst;
        if self.pred.is_some() || self.deopt_redirect.contains_key(&(blk, i)) {
            // (In an if-converted arm; or between the nodes of a fused
            // expression, which the interpreter runs first.)
            self.deopt_if(cond);
            return Ok(());
        }
        let span = self
            .f
            .block(blk)
            .insts
            .get(i)
            .map_or(self.f.block(blk).term_span, |x| x.span);
        let raise = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(raise);
        self.b.ins().brif(cond, raise, &[], cont, &[]);
        self.b.switch_to_block(raise);
        let exc = make(self)?;
        let ctx = self.ctx.unwrap();
        if let Some(h) = self.native_handler(blk) {
            self.jump_to_handler(&h, exc, span)?;
        } else {
            self.call("pyston_reraise", &[exc])?;
            self.push_frame_and_fail(ctx, span)?;
        }
        self.b.switch_to_block(cont);
        Ok(())
    }

    /// Whether an out-of-bounds index `ix` on axis `k` of the current
    /// instruction raises NumPy's `IndexError` for it (`a[i, ...]` or
    /// `a[i, ...] = v` on an array, with an integer index and wraparound).
    pub fn index_error_known(&self, ix: &Ty, k: usize) -> bool {
        let (blk, i) = self.cur_inst;
        let Some(inst) = self.f.block(blk).insts.get(i) else {
            return false;
        };
        let int_ix = ix
            .members()
            .iter()
            .all(|m| matches!(m, Ty::Int) || matches!(m, Ty::Np(d) if d.is_int() && *d != Dtype::UInt64));
        self.env.sem.wraparound
            && int_ix
            && k < 64
            && matches!(inst.op, Op::GetItem | Op::SetItem)
            && inst.args.first().is_some_and(|a| matches!(self.ty(*a), Ty::Array(_)))
    }

    /// The `ZeroDivisionError` the current instruction (a Python `/`, `//`
    /// or `%` on ints or floats, by `op`) raises when `cond` holds, as
    /// [`Gen::raise_known_if`]; a deopt when it is some other instruction.
    pub fn zero_div_if(&mut self, cond: CV, op: BinOp) -> CResult<()> {
        let (blk, i) = self.cur_inst;
        let py_num = |t: Ty| matches!(t, Ty::Int | Ty::Bool | Ty::PyInt | Ty::Float);
        let kind = match self.f.block(blk).insts.get(i) {
            Some(inst)
                if matches!(inst.op, Op::Bin { op: o, .. } if o == op)
                    && inst.args.len() == 2
                    && inst.args.iter().all(|a| py_num(self.ty(*a))) =>
            {
                let float = inst.args.iter().any(|a| self.ty(*a) == Ty::Float);
                Some(abi::LazyExc::ZeroDiv { op, float })
            }
            _ => None,
        };
        match kind {
            Some(k) => self.raise_known_if(cond, k),
            None => {
                self.deopt_if(cond);
                Ok(())
            }
        }
    }

    /// On a failure path of the current instruction (an exception is set):
    /// hands it to the enclosing `try` statement's handler, compiled or on the
    /// interpreter tier. False outside `try` bodies (nothing emitted).
    pub fn raise_to_handler(&mut self) -> CResult<bool> {
        let (blk, k) = self.cur_inst;
        // (A conversion on the edge that deoptimizes would run the instruction
        // again on the interpreter tier: hand it the raised exception instead.)
        if let Some(h) = self.native_handler(blk).filter(|h| self.edge_is_plain(h)) {
            let span = self
                .f
                .block(blk)
                .insts
                .get(k)
                .map_or(self.f.block(blk).term_span, |i| i.span);
            self.catch_to(&h, span)?;
            return Ok(true);
        }
        if let Some(cb) = self.raised_block() {
            self.b.ins().jump(cb, &[]);
            return Ok(true);
        }
        Ok(false)
    }

    /// At a deopt point inside a `try` body with a compiled handler (the live
    /// values and the point are stored): let the runtime re-run the instruction;
    /// when it raises, catch that exception here instead of leaving.
    pub fn try_raise_at_deopt(&mut self, blk: Block, k: usize) -> CResult<()> {
        let Some(h) = self.native_handler(blk) else {
            return Ok(());
        };
        if !self.edge_is_plain(&h) {
            // Passing the values to the handler converts one, which may itself
            // deoptimize, to this very point (the deopt block being emitted):
            // the interpreter raises the exception instead.
            return Ok(());
        }
        let Some(inst) = self.f.block(blk).insts.get(k) else {
            return Ok(());
        };
        if !matches!(
            inst.op,
            Op::Bin { .. }
                | Op::Unary(_)
                | Op::Cmp(_)
                | Op::Truth
                | Op::GetItem
                | Op::TupleGet(_)
                | Op::Unpack(_)
                | Op::Len
        ) {
            return Ok(());
        }
        let span = inst.span;
        let ctx = self.ctx.unwrap();
        let slotp = self.b.ins().iconst(clt::I64, self.env.self_meta_slot as i64);
        let meta = self.b.ins().load(clt::I64, MemFlagsData::trusted(), slotp, 0);
        let st = self.call("pyston_try_raise", &[ctx, meta])?[0];
        let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::ERROR as i64);
        let caught = self.b.create_block();
        let leave = self.b.create_block();
        self.b.set_cold_block(caught);
        self.b.set_cold_block(leave);
        self.b.ins().brif(is_err, caught, &[], leave, &[]);
        self.b.switch_to_block(caught);
        self.catch_to(&h, span)?;
        self.b.switch_to_block(leave);
        Ok(())
    }

    /// Whether every value the edge `h` passes has its parameter's type (no
    /// conversion, which could deoptimize).
    pub fn edge_is_plain(&self, h: &ir::Edge) -> bool {
        let params = &self.f.block(h.block).params;
        params.iter().zip(&h.args).all(|(p, a)| self.ty(*p) == self.ty(*a))
    }

    /// `caught_exc`: the exception the dispatch block was entered with.
    pub fn caught_exc(&mut self) -> Vals {
        let (es, _) = self.exc_slots();
        vec![self.b.ins().stack_load(clt::I64, clt::I64, es, 0)]
    }

    /// `exc_match exc, classes`: `pyston_exc_match` on the class pointers.
    pub fn exc_match(&mut self, args: &[(Ty, Vals)], span: Span) -> CResult<Vals> {
        let exc = args[0].1[0];
        let classes = args[1].1.clone();
        // Classes known when compiling: a tagged word (a `ZeroDivisionError`
        // or `IndexError` not made yet) matches by a table, without a call.
        let masks: Option<Vec<u8>> = classes
            .iter()
            .map(|c| {
                let p = self.iconst_value(*c)? as u64;
                self.env.exc_lazy_matches.get(&p).copied()
            })
            .collect();
        let Some(mask) = masks.map(|m| m.into_iter().fold(0u8, |a, b| a | b)) else {
            return self.exc_match_call(exc, &classes, span);
        };
        let tagged = self.b.ins().band_imm_u(exc, 1);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, clt::I8);
        self.b.ins().brif(tagged, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let kind = self.b.ins().ushr_imm_u(exc, 1);
        let kind = self.b.ins().band_imm_u(kind, 7);
        let is_index = self.b.ins().icmp_imm_s(IntCC::Equal, kind, abi::LazyExc::INDEX_KIND);
        let is_stop = self.b.ins().icmp_imm_s(IntCC::Equal, kind, abi::LazyExc::STOP_KIND);
        let zde = self.b.ins().iconst(clt::I8, i64::from(mask & 1));
        let idx = self.b.ins().iconst(clt::I8, i64::from((mask >> 1) & 1));
        let stop = self.b.ins().iconst(clt::I8, i64::from((mask >> 2) & 1));
        let m = self.b.ins().select(is_index, idx, zde);
        let m = self.b.ins().select(is_stop, stop, m);
        self.b.ins().jump(done, &[m.into()]);
        self.b.switch_to_block(slow);
        let r = self.exc_match_call(exc, &classes, span)?[0];
        self.b.ins().jump(done, &[r.into()]);
        self.b.switch_to_block(done);
        Ok(vec![self.b.block_params(done)[0]])
    }

    /// `exc_match` by a call (`pyston_exc_match`).
    fn exc_match_call(&mut self, exc: CV, classes: &[CV], span: Span) -> CResult<Vals> {
        let buf = self.stack(8 * classes.len() as u32);
        for (i, c) in classes.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *c, buf, 8 * i as i32);
        }
        let n = self.b.ins().iconst(clt::I64, classes.len() as i64);
        let st = self.call("pyston_exc_match", &[exc, buf, n])?[0];
        let failed = self.b.create_block();
        let ok = self.b.create_block();
        let is_err = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, st, 0);
        self.b.ins().brif(is_err, failed, &[], ok, &[]);
        self.b.switch_to_block(failed);
        self.b.set_cold_block(failed);
        let ctx = self.ctx.unwrap();
        self.push_frame_and_fail(ctx, span)?;
        self.b.switch_to_block(ok);
        Ok(vec![self.b.ins().icmp_imm_s(IntCC::Equal, st, 1)])
    }

    /// `raise exc` of a caught exception (a bare `raise`, or no clause matched):
    /// to the enclosing handler, or out of the function from the line it was first raised at.
    pub fn reraise(&mut self, v: Value) -> CResult<()> {
        let exc = self.val(v)?[0];
        let (blk, _) = self.cur_inst;
        let (es, ss) = self.exc_slots();
        if let Some(h) = self.native_handler(blk) {
            // (The site slot still holds where it was first raised.)
            let exc = self.exc_for_handler(h.block, exc)?;
            self.b.ins().stack_store(clt::I64, exc, es, 0);
            let args = self.edge_args(&h)?;
            let target = self.blocks[&h.block];
            self.b.ins().jump(target, &args);
            return Ok(());
        }
        if self.f.block(blk).handler.is_some() {
            // To a handler on the interpreter tier, which adds this frame's entry.
            let sp = self.b.ins().stack_addr(clt::I64, ss, 0);
            self.call("pyston_exc_unseen", &[exc, sp])?;
        }
        self.call("pyston_reraise", &[exc])?;
        if let Some(cb) = self.raised_block() {
            self.b.ins().jump(cb, &[]);
            return Ok(());
        }
        let ctx = self.ctx.unwrap();
        let slotp = self.b.ins().iconst(clt::I64, self.env.self_meta_slot as i64);
        let my_meta = self.b.ins().load(clt::I64, MemFlagsData::trusted(), slotp, 0);
        let site = self.b.ins().stack_load(clt::I64, clt::I64, ss, 0);
        self.call("pyston_push_frame", &[ctx, my_meta, site])?;
        let e = self.b.ins().iconst(clt::I32, abi::ERROR as i64);
        self.ret(e);
        Ok(())
    }
}
