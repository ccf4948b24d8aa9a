//! Loop idioms replaced by one instruction, the way LLVM's loop-idiom pass does.
//!
//! Only one so far, the bit count of Kernighan's loop:
//!
//! ```python
//! while x:
//!     x &= x - 1      # clear the lowest set bit
//!     total += c
//! ```
//!
//! For `x >= 0` the loop runs `popcount(x)` times and ends with `x == 0`, so
//! on entry codegen computes `total + c * popcount(x)` (with the same overflow
//! check) and hands `x = 0` to the loop, which then exits at once. A negative
//! `x` (where Python loops forever, its ints being unbounded) or an overflowing
//! total enter the loop unchanged, which behaves exactly as before.

use super::*;

/// A loop in the shape above: its header's parameters `x` and `total`, and `c`.
#[derive(Clone, Copy, Debug)]
pub(super) struct PopcountLoop {
    x_index: usize,
    total_index: usize,
    step: i64,
}

impl Gen<'_, '_> {
    pub(super) fn plan_idioms(&mut self) {
        for (hi, h) in self.f.blocks.iter().enumerate() {
            let header = Block(hi as u32);
            if let Some(p) = self.popcount_plan(header, h) {
                self.popcount_loops.insert(header, p);
            }
        }
    }

    fn popcount_plan(&self, header: Block, h: &ir::BlockData) -> Option<PopcountLoop> {
        let Term::Br(c, body, _) = &h.term else { return None };
        if h.params.len() != 2 || !body.args.is_empty() {
            return None;
        }
        // The header: `truth x` and nothing else.
        let [t] = h.insts.as_slice() else { return None };
        if t.op != Op::Truth || t.result != Some(*c) {
            return None;
        }
        let x = t.args[0];
        let x_index = h.params.iter().position(|p| *p == x)?;
        let total_index = 1 - x_index;
        let total = h.params[total_index];
        // The body: one block that jumps back with (x & (x - 1), total + c).
        let b = self.f.block(body.block);
        let Term::Jump(back) = &b.term else { return None };
        if back.block != header || self.preds_of(body.block).len() != 1 {
            return None;
        }
        let def = |v: Value| b.insts.iter().find(|i| i.result == Some(v));
        let int_const = |v: Value| match self.consts.get(&v) {
            Some(Const::Int(c)) => Some(*c),
            _ => None,
        };
        let and = def(back.args[x_index])?;
        if !matches!(and.op, Op::Bin { op: BinOp::BitAnd, .. }) {
            return None;
        }
        let dec = if and.args[0] == x { and.args[1] } else { and.args[0] };
        if !and.args.contains(&x) || dec == x {
            return None;
        }
        let dec = def(dec)?;
        if !matches!(dec.op, Op::Bin { op: BinOp::Sub, .. }) || dec.args[0] != x || int_const(dec.args[1]) != Some(1) {
            return None;
        }
        let add = def(back.args[total_index])?;
        if !matches!(add.op, Op::Bin { op: BinOp::Add, .. }) || add.args[0] != total {
            return None;
        }
        let step = int_const(add.args[1])?;
        // Nothing else happens in the loop, and everything is a plain int.
        let only =
            |i: &ir::Inst| matches!(i.op, Op::Const(_)) || [and.result, dec.result, add.result].contains(&i.result);
        let ints = [x, total, back.args[0], back.args[1], dec.result?]
            .iter()
            .all(|v| *self.typed.ty(*v) == Ty::Int);
        if !b.insts.iter().all(only) || !ints || self.loop_marks.contains_key(&header) || step.unsigned_abs() > 1 << 40
        {
            return None;
        }
        let k = b.insts.iter().position(|i| i.result == dec.result)?;
        if self.env.pycalls.contains_key(&(body.block, k)) {
            return None;
        }
        Some(PopcountLoop {
            x_index,
            total_index,
            step,
        })
    }

    /// At the jump into the loop: the arguments after the loop's work is done
    /// in one step where that is exact (see the module docs).
    pub(super) fn emit_popcount(&mut self, p: PopcountLoop, args: &[BlockArg]) -> CResult<Vec<BlockArg>> {
        let (BlockArg::Value(x), BlockArg::Value(total)) = (args[p.x_index], args[p.total_index]) else {
            return Err(internal("popcount: block arguments"));
        };
        let nonneg = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, x, 0);
        let pc = self.b.ins().popcnt(x);
        let inc = self.b.ins().imul_imm_s(pc, p.step);
        let (sum, of) = self.b.ins().sadd_overflow(total, inc);
        let no_of = self.b.ins().icmp_imm_u(IntCC::Equal, of, 0);
        let ok = self.b.ins().band(nonneg, no_of);
        // A branch, not selects: the overflow test stays off the path from one
        // total to the next when this sits in an outer loop.
        let fast = self.b.create_block();
        let join = self.b.create_block();
        let xj = self.b.append_block_param(join, clt::I64);
        let tj = self.b.append_block_param(join, clt::I64);
        self.b
            .ins()
            .brif(ok, fast, &[], join, &[BlockArg::Value(x), BlockArg::Value(total)]);
        self.b.switch_to_block(fast);
        let zero = self.b.ins().iconst(clt::I64, 0);
        self.b.ins().jump(join, &[BlockArg::Value(zero), BlockArg::Value(sum)]);
        self.b.switch_to_block(join);
        let mut out = args.to_vec();
        out[p.x_index] = BlockArg::Value(xj);
        out[p.total_index] = BlockArg::Value(tj);
        Ok(out)
    }
}
