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
        let (es, ss) = self.exc_slots();
        self.b.ins().stack_store(clt::I64, exc, es, 0);
        let site = self.call_sites.len() as i64;
        self.call_sites.push(span);
        let sv = self.b.ins().iconst(clt::I64, site);
        self.b.ins().stack_store(clt::I64, sv, ss, 0);
        let args = self.edge_args(h)?;
        let target = self.blocks[&h.block];
        self.b.ins().jump(target, &args);
        Ok(())
    }

    /// On a failure path of the current instruction (an exception is set):
    /// hands it to the enclosing `try` statement's handler, compiled or on the
    /// interpreter tier. False outside `try` bodies (nothing emitted).
    pub fn raise_to_handler(&mut self) -> CResult<bool> {
        let (blk, k) = self.cur_inst;
        if let Some(h) = self.native_handler(blk) {
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

    /// `caught_exc`: the exception the dispatch block was entered with.
    pub fn caught_exc(&mut self) -> Vals {
        let (es, _) = self.exc_slots();
        vec![self.b.ins().stack_load(clt::I64, clt::I64, es, 0)]
    }

    /// `exc_match exc, classes`: `pyston_exc_match` on the class pointers.
    pub fn exc_match(&mut self, args: &[(Ty, Vals)], span: Span) -> CResult<Vals> {
        let exc = args[0].1[0];
        let classes = args[1].1.clone();
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
            self.b.ins().stack_store(clt::I64, exc, es, 0);
            let args = self.edge_args(&h)?;
            let target = self.blocks[&h.block];
            self.b.ins().jump(target, &args);
            return Ok(());
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
