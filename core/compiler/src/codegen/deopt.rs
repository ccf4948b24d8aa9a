//! Deoptimization: the cold blocks that hand the live values to the interpreter.

use super::*;

impl Gen<'_, '_> {
    // ---- deoptimization ------------------------------------------------------

    pub fn deopt_block(&mut self, blk: Block, k: usize) -> CB {
        let k = self.deopt_redirect.get(&(blk, k)).copied().unwrap_or(k);
        if let Some(cb) = self.deopt_blocks.get(&(blk, k)) {
            return *cb;
        }
        let cb = self.b.create_block();
        self.b.set_cold_block(cb);
        self.deopt_blocks.insert((blk, k), cb);
        self.pending_deopts.push((cb, blk, k, None));
        cb
    }

    /// A deopt point just after instruction `k`, whose result `v` the runtime
    /// left in `ctx.pending` (a value compiled code cannot represent).
    pub fn deopt_after_block(&mut self, blk: Block, k: usize, v: Value) -> CB {
        if self.deopt_redirect.contains_key(&(blk, k)) {
            return self.deopt_block(blk, k); // (the interpreter computes `v` again)
        }
        if let Some(cb) = self.after_blocks.get(&(blk, k)) {
            return *cb;
        }
        let cb = self.b.create_block();
        self.b.set_cold_block(cb);
        self.after_blocks.insert((blk, k), cb);
        self.pending_deopts.push((cb, blk, k + 1, Some(v)));
        cb
    }

    pub fn emit_deopt(&mut self, cb: CB, blk: Block, k: usize, pending: Option<Value>) -> CResult<()> {
        self.b.switch_to_block(cb);
        let live = self.f.live_before(blk, k, &self.live_in);
        let ctx = self.ctx.unwrap();
        let mut slot = 0usize;
        let mut values = Vec::new();
        for v in live {
            let t = self.ty(v);
            if !t.is_value() || Some(v) == pending {
                continue; // compile-time values are recomputed by the interpreter
            }
            let mut vals = self.deopt_val(v)?;
            if t == Ty::Obj(ObjClass::Exception) {
                // A caught exception may be a tagged word: the interpreter gets the instance.
                vals[0] = self.call("pyston_lazy_exc", &[ctx, vals[0]])?[0];
            }
            if slot + vals.len() > DEOPT_SLOTS {
                return Err(CompileError::typing(
                    self.f.span,
                    "too many live values for compiled code",
                ));
            }
            for x in vals {
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), x, ctx, CTX_SLOTS_OFFSET + 8 * slot as i32);
                slot += 1;
            }
            values.push(v);
        }
        let id = self.deopts.len() as i64;
        self.deopts.push(DeoptPoint {
            block: blk,
            inst: k,
            values,
            pending,
            raised: false,
        });
        let idv = self.b.ins().iconst(clt::I32, id);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), idv, ctx, CTX_DEOPT_POINT_OFFSET);
        if pending.is_none() && !self.raised_blocks.values().any(|c| *c == cb) {
            self.try_raise_at_deopt(blk, k)?;
        }
        let st = self.b.ins().iconst(clt::I32, abi::DEOPT as i64);
        self.ret(st);
        Ok(())
    }

    /// The IR instruction being compiled is inside a `try` body: the block
    /// (emitted last) that hands an exception it raised, with the live values,
    /// to the interpreter, which raises it to the handler.
    pub fn raised_block(&mut self) -> Option<CB> {
        let (blk, k) = self.cur_inst;
        self.f.block(blk).handler.as_ref()?;
        if let Some(cb) = self.raised_blocks.get(&(blk, k)) {
            return Some(*cb);
        }
        let cb = self.b.create_block();
        self.b.set_cold_block(cb);
        self.raised_blocks.insert((blk, k), cb);
        Some(cb)
    }

    /// Returns `status`, leaving this frame.
    pub fn ret(&mut self, status: CV) {
        self.b.ins().return_(&[status]);
    }

    /// Leaves compiled code at the current instruction when `cond` is true.
    pub fn deopt_if(&mut self, cond: CV) {
        let cond = match self.pred {
            Some(p) => self.b.ins().band(cond, p),
            None => cond,
        };
        let (blk, k) = self.cur_inst;
        let d = self.deopt_block(blk, k);
        let cont = self.b.create_block();
        self.b.ins().brif(cond, d, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    pub fn deopt_now(&mut self) {
        if let Some(p) = self.pred {
            // In an if-converted arm: leave only if the arm is the one taken.
            self.deopt_if(p);
            return;
        }
        let (blk, k) = self.cur_inst;
        let d = self.deopt_block(blk, k);
        self.b.ins().jump(d, &[]);
        let dead = self.b.create_block();
        self.b.switch_to_block(dead);
    }
}
