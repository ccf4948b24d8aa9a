//! `numpy.random` draws made inline (`abi::InlineRng`): NumPy's MT19937 and
//! PCG64 computed on NumPy's own state struct, the same outputs the runtime's
//! `helpers::bitgen` computes (and checks against NumPy), for scalar uniform
//! doubles, bounded ints and the Generator's ziggurat normals and
//! exponentials.
//!
//! An inline draw runs only when the call holds the generator already (the
//! context's armed generator is this site's, of the expected kind: see
//! `abi::CTX_RNG_ARMED_OFFSET`) and its parameters are ones the runtime's
//! draw takes; everything else, before any output is consumed, is the call
//! (`pyston_pycall`), which takes the lock, draws natively or runs NumPy,
//! and arms the context for the next draw. Where an inline draw stops after
//! consuming outputs, the rest is equivalent: a rejection loop is memoryless
//! (a rejected output is discarded, and the call starts the same loop on the
//! next one), and a ziggurat draw outside the rectangles continues in
//! `pyston_rng_zig_tail` from the output already drawn.

use super::*;
use crate::abi::{InlineRng, InlineRngOp, RngParam, CTX_RNG_ARMED_OFFSET, RNG_MT19937};

/// Offset of `pos` in NumPy's `mt19937_state` (after `uint32_t key[624]`).
const MT_POS: i32 = 624 * 4;
/// The longest array of draws kept in a stack buffer (`plan_stack_arrays`).
pub const STACK_ARRAY_MAX: usize = 16;
/// PCG64's multiplier, low and high 64 bits.
const PCG_MULT_LO: i64 = 0x4385_df64_9fcc_f645;
const PCG_MULT_HI: i64 = 0x2360_ed05_1fc6_5da4;

impl Gen<'_, '_> {
    /// Starts an inline draw for the call site: emits the checks and the draw,
    /// and returns (the block to emit the call in, the block the result slots
    /// arrive at as parameters), the builder left in the call's block; `None`
    /// (nothing emitted) where the site's slots are not as expected.
    ///
    /// `fill`: an array draw kept in compiled code's buffer (`rng_stack_draw`):
    /// the buffer's address and length; each element is drawn as the scalar
    /// draw is and stored there, and the join block has no parameter. Only
    /// where no element's draw can leave for the call after an earlier one
    /// consumed outputs: MT19937's words for all of them are checked to be
    /// there before the first (no regeneration between), and a PCG64 never
    /// leaves (a ziggurat's rare case continues in `pyston_rng_zig_tail`).
    pub fn rng_inline(
        &mut self,
        r: &InlineRng,
        flat: &[CV],
        ret: &[SlotTy],
        fill: Option<(CV, usize)>,
    ) -> CResult<Option<(CB, CB)>> {
        let float_result = !matches!(r.op, InlineRngOp::Masked | InlineRngOp::Lemire);
        if fill.is_some() {
            if !float_result {
                return Ok(None); // (a rejection loop may leave after consuming outputs)
            }
        } else if ret != [if float_result { SlotTy::F64 } else { SlotTy::I64 }] {
            return Ok(None);
        }
        let reps = fill.map_or(1, |(_, n)| n);
        let want_int = !float_result;
        // The parameters' values (checked against the slots' machine types).
        let mut ps = Vec::new();
        for p in r.args {
            match p {
                RngParam::Const(..) => ps.push(None),
                RngParam::Slot(i, int) => {
                    let Some(&v) = flat.get(i) else { return Ok(None) };
                    let t = self.b.func.dfg.value_type(v);
                    let want = if int { clt::I64 } else { clt::F64 };
                    if t != want || (want_int && !int) {
                        return Ok(None);
                    }
                    ps.push(Some(v));
                }
            }
        }
        let obj_v = match r.obj {
            Some(_) => None,
            None => match flat.first() {
                Some(&v) if self.b.func.dfg.value_type(v) == clt::I64 => Some(v),
                _ => return Ok(None),
            },
        };
        let fl = MemFlagsData::trusted();
        let ctx = self.ctx.ok_or_else(|| internal("an inline draw without a context"))?;
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        if fill.is_none() {
            self.b
                .append_block_param(join, if float_result { clt::F64 } else { clt::I64 });
        }
        // Is the armed generator this site's, of the expected kind? One word
        // holds both (`abi::rng_armed_tag`; the tag of a generator argument is
        // loop-invariant, so Cranelift computes it once outside a loop).
        let tag = match (r.obj, obj_v) {
            (Some(p), _) => self.b.ins().iconst(clt::I64, abi::rng_armed_tag(p, r.kind) as i64),
            (None, Some(v)) => self.b.ins().bor_imm_u(v, abi::rng_armed_tag(0, r.kind) as i64),
            (None, None) => return Err(internal("inline draw: no generator")),
        };
        let armed = self.b.ins().load(clt::I64, fl, ctx, CTX_RNG_ARMED_OFFSET);
        let st = self.b.ins().load(clt::I64, fl, ctx, CTX_RNG_ARMED_OFFSET + 8);
        let mut ok = self.b.ins().icmp(IntCC::Equal, armed, tag);
        // The parameters as values of the draw's type.
        let param = |g: &mut Self, k: usize| -> CV {
            match (r.args[k], ps[k]) {
                (RngParam::Const(x, i), _) => {
                    if float_result {
                        g.b.ins().f64const(x)
                    } else {
                        g.b.ins().iconst(clt::I64, i)
                    }
                }
                (RngParam::Slot(_, int), Some(v)) => {
                    if float_result && int {
                        g.b.ins().fcvt_from_sint(clt::F64, v)
                    } else {
                        v
                    }
                }
                (RngParam::Slot(..), None) => unreachable!("slot parameters have values"),
            }
        };
        let (a, b) = (param(self, 0), param(self, 1));
        let mt = r.kind == RNG_MT19937;
        match r.op {
            InlineRngOp::Double => {
                self.go_or(ok, slow);
                self.mt_room(st, mt, 2 * reps, slow);
                for j in 0..reps {
                    let d = self.rng_double(st, mt, slow);
                    self.rng_put(join, fill, j, d);
                }
            }
            InlineRngOp::Uniform => {
                // `low + range * U` for a finite range (non-negative for the Generator's).
                // (constant parameters checked here: Cranelift folds no float compare)
                let known = match (self.f64_const(a), self.f64_const(b)) {
                    (Some(x), Some(y)) => (y - x).is_finite() && (r.obj.is_some() || y - x >= 0.0),
                    _ => false,
                };
                let range = self.b.ins().fsub(b, a);
                if !known {
                    let zero = self.b.ins().fsub(range, range);
                    let z = self.b.ins().f64const(0.0);
                    let finite = self.b.ins().fcmp(FloatCC::Equal, zero, z);
                    ok = self.b.ins().band(ok, finite);
                    if r.obj.is_none() {
                        let nonneg = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, range, z);
                        ok = self.b.ins().band(ok, nonneg);
                    }
                }
                self.go_or(ok, slow);
                self.mt_room(st, mt, 2 * reps, slow);
                for j in 0..reps {
                    let d = self.rng_double(st, mt, slow);
                    let t = self.b.ins().fmul(range, d);
                    let v = self.b.ins().fadd(a, t);
                    self.rng_put(join, fill, j, v);
                }
            }
            InlineRngOp::Masked | InlineRngOp::Lemire => {
                // An offset in [0, r], r = high - 1 - low < 2^32 - 1 (32-bit outputs);
                // `low >= high` (NumPy raises) and wider ranges are the call's.
                let lt = self.b.ins().icmp(IntCC::SignedLessThan, a, b);
                let one = self.b.ins().iconst(clt::I64, 1);
                let hm1 = self.b.ins().isub(b, one);
                let rr = self.b.ins().isub(hm1, a);
                let narrow = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, rr, 0xffff_ffff);
                ok = self.b.ins().band(ok, lt);
                ok = self.b.ins().band(ok, narrow);
                self.go_or(ok, slow);
                // r == 0: no draw.
                let draw = self.b.create_block();
                let is0 = self.b.ins().icmp_imm_s(IntCC::Equal, rr, 0);
                self.b.ins().brif(is0, join, &[BlockArg::Value(a)], draw, &[]);
                self.b.switch_to_block(draw);
                let v = if r.op == InlineRngOp::Masked {
                    self.rng_masked(st, mt, rr, slow)
                } else {
                    self.rng_lemire(st, mt, rr, slow)
                };
                let res = self.b.ins().iadd(a, v);
                self.b.ins().jump(join, &[BlockArg::Value(res)]);
            }
            InlineRngOp::StdNormal
            | InlineRngOp::Normal
            | InlineRngOp::Exponential
            | InlineRngOp::LegacyExponential => {
                // A non-negative scale, not -0.0 (NumPy raises, or not: its call decides).
                if !self.f64_const(b).is_some_and(|y| y >= 0.0 && y.is_sign_positive()) {
                    let z = self.b.ins().f64const(0.0);
                    let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, b, z);
                    let bits = self.b.ins().bitcast(clt::I64, MemFlagsData::new(), b);
                    let pos = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, bits, 0);
                    ok = self.b.ins().band(ok, ge);
                    ok = self.b.ins().band(ok, pos);
                }
                self.go_or(ok, slow);
                if r.op == InlineRngOp::LegacyExponential {
                    // `scale * -log(1 - U)`, libm's `log` as NumPy calls it.
                    self.mt_room(st, mt, 2 * reps, slow);
                    for j in 0..reps {
                        let d = self.rng_double(st, mt, slow);
                        let one = self.b.ins().f64const(1.0);
                        let t = self.b.ins().fsub(one, d);
                        let l = self.call("log", &[t])?[0];
                        let e = self.b.ins().fneg(l);
                        let v = self.b.ins().fmul(b, e);
                        self.rng_put(join, fill, j, v);
                    }
                    self.b.switch_to_block(slow);
                    return Ok(Some((slow, join)));
                }
                if mt {
                    return Err(internal("inline ziggurat on MT19937"));
                }
                let exp = r.op == InlineRngOp::Exponential;
                for j in 0..reps {
                    let x = self.rng_ziggurat(ctx, st, exp, r.tables)?;
                    let v = match r.op {
                        InlineRngOp::StdNormal => x,
                        InlineRngOp::Normal => {
                            let t = self.b.ins().fmul(b, x);
                            self.b.ins().fadd(a, t)
                        }
                        _ => self.b.ins().fmul(b, x),
                    };
                    self.rng_put(join, fill, j, v);
                }
            }
        }
        self.b.switch_to_block(slow);
        Ok(Some((slow, join)))
    }

    /// Finds the arrays of `numpy.random` draws (`abi::PyCallSite::rng_size_slot`)
    /// of a constant length from 1 to [`STACK_ARRAY_MAX`] that never escape,
    /// and gives each a stack slot for its elements (`Gen::stack_arrays`).
    /// An array never escapes when every use reads an element by an integer
    /// index or its length: it is not returned, stored, passed to a call or
    /// carried to another block as a block argument (SSA: every use then
    /// sees the latest execution of its draw, so one buffer per site does);
    /// no generator function (a yield hands live values out as they are).
    /// What else could see the array is a deopt point's interpreter, which
    /// gets a real array made from the buffer (`stack_array_object`).
    pub fn plan_stack_arrays(&mut self) {
        let sites: Vec<((Block, usize), usize)> = self
            .env
            .pycalls
            .iter()
            .filter_map(|(&at, s)| Some((at, s.rng_size_slot?)))
            .collect();
        if sites.is_empty() || self.f.blocks.iter().any(|b| matches!(b.term, ir::Term::Yield { .. })) {
            return;
        }
        let mut found = Vec::new();
        for ((blk, k), slot) in sites {
            let inst = &self.f.block(blk).insts[k];
            let Some(r) = inst.result else { continue };
            let Ty::Array(at) = self.typed.ty(r) else { continue };
            if at.ndim != 1 || !matches!(at.dtype, Dtype::Float64 | Dtype::Int64) {
                continue;
            }
            let skip = match (&inst.op, inst.args.first()) {
                (Op::Call { .. }, _) => 1,
                (Op::MethodCall { .. }, Some(a)) if matches!(self.typed.ty(*a), Ty::Module(_)) => 1,
                _ => 0,
            };
            let site = &self.env.pycalls[&(blk, k)];
            let mut pos = 0;
            let mut len = None;
            for (a, t) in inst.args.iter().skip(skip).zip(&site.arg_tys) {
                if pos == slot {
                    len = Some(*a);
                    break;
                }
                pos += abi::slot_count(t);
            }
            let count = match len.and_then(|a| self.consts.get(&a)) {
                Some(ir::Const::Int(c)) if (1..=STACK_ARRAY_MAX as i64).contains(c) => *c as usize,
                _ => continue,
            };
            found.push((r, count));
        }
        if found.is_empty() {
            return;
        }
        let mut escapes: HashSet<Value> = HashSet::new();
        for (bi, bd) in self.f.blocks.iter().enumerate() {
            for (k, i) in bd.insts.iter().enumerate() {
                let read = (i.op == Op::GetItem
                    && i.args.len() == 2
                    && (matches!(self.typed.ty(i.args[1]), Ty::Int)
                        || matches!(self.typed.ty(i.args[1]), Ty::Np(d) if d.is_int()))
                    && i.result
                        .is_some_and(|x| matches!(self.typed.ty(x), Ty::Int | Ty::Float | Ty::Np(_))))
                    || (i.op == Op::Len && i.args.len() == 1);
                let pycall = self.env.pycalls.contains_key(&(Block(bi as u32), k));
                for (j, a) in i.args.iter().enumerate() {
                    if !(read && j == 0 && !pycall) {
                        escapes.insert(*a);
                    }
                }
            }
            escapes.extend(bd.term.uses());
            if let Some(h) = &bd.handler {
                escapes.extend(h.args.iter().copied());
            }
        }
        for (r, count) in found {
            if escapes.contains(&r) {
                continue;
            }
            let data = StackSlotData::new(StackSlotKind::ExplicitSlot, 8 * count as u32, 3);
            let ss = self.b.create_sized_stack_slot(data);
            self.stack_arrays.insert(r, (ss, count));
        }
    }

    /// The array object of a stack array `v` of `count` elements for a deopt
    /// point: a new array (the arena's) with the buffer's elements; its slots.
    /// (Where it cannot be made, its object slot is NULL with the exception
    /// set: the runtime raises that, as for a string made there.)
    pub fn stack_array_object(&mut self, v: Value, count: usize) -> CResult<Vals> {
        let Ty::Array(at) = self.ty(v) else {
            return Err(internal("a stack array that is not an array"));
        };
        let buf = self.val(v)?[ArraySlots::DATA];
        let len = self.b.ins().iconst(clt::I64, count as i64);
        let (st, out) = self.alloc_call(AllocKind::Empty, &at, &[len])?;
        let (made, done) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(made);
        self.b.set_cold_block(done);
        self.b.append_block_param(done, clt::I64);
        self.b.append_block_param(done, clt::I64);
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::OK as i64);
        let zero = self.b.ins().iconst(clt::I64, 0);
        self.b
            .ins()
            .brif(ok, made, &[], done, &[BlockArg::Value(zero), BlockArg::Value(zero)]);
        self.b.switch_to_block(made);
        let fl = MemFlagsData::trusted();
        let data = self.b.ins().load(clt::I64, fl, out, 0);
        for j in 0..count as i32 {
            let x = self.b.ins().load(clt::I64, fl, buf, 8 * j);
            self.b.ins().store(fl, x, data, 8 * j);
        }
        let obj = self.b.ins().load(clt::I64, fl, out, 8);
        self.b.ins().jump(done, &[BlockArg::Value(data), BlockArg::Value(obj)]);
        self.b.switch_to_block(done);
        let p = self.b.block_params(done).to_vec();
        let step = self.b.ins().iconst(clt::I64, at.dtype.itemsize());
        Ok(vec![p[0], p[1], len, step])
    }

    /// One drawn value: the scalar draw's result (to `join`), or element `j`
    /// of an array draw stored in its buffer (then to `join` after the last).
    fn rng_put(&mut self, join: CB, fill: Option<(CV, usize)>, j: usize, v: CV) {
        match fill {
            None => {
                self.b.ins().jump(join, &[BlockArg::Value(v)]);
            }
            Some((buf, n)) => {
                self.b.ins().store(MemFlagsData::trusted(), v, buf, 8 * j as i32);
                if j + 1 == n {
                    self.b.ins().jump(join, &[]);
                }
            }
        }
    }

    /// For an array draw from MT19937 (`mt`) taking `words` outputs (more than
    /// a scalar draw's two): branches to `slow` unless that many are left
    /// before the state's regeneration, so that no element's draw leaves.
    fn mt_room(&mut self, st: CV, mt: bool, words: usize, slow: CB) {
        if !mt || words <= 2 {
            return;
        }
        let pos = self.b.ins().load(clt::I32, MemFlagsData::trusted(), st, MT_POS);
        let room = self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedLessThan, pos, 625 - words as i64);
        self.go_or(room, slow);
    }

    /// The value of `v` when it is an `f64const` (a constant parameter).
    fn f64_const(&self, v: CV) -> Option<f64> {
        use cranelift_codegen::ir::{InstructionData, Opcode, ValueDef};
        let dfg = &self.b.func.dfg;
        let ValueDef::Result(i, _) = dfg.value_def(v) else {
            return None;
        };
        match dfg.insts[i] {
            InstructionData::UnaryIeee64 {
                opcode: Opcode::F64const,
                imm,
            } => Some(f64::from_bits(imm.bits())),
            _ => None,
        }
    }

    /// Continues in a fresh block when `ok`, else branches to `slow`.
    fn go_or(&mut self, ok: CV, slow: CB) {
        let go = self.b.create_block();
        self.b.ins().brif(ok, go, &[], slow, &[]);
        self.b.switch_to_block(go);
    }

    /// `k` tempered MT19937 words (I32 values), or the branch to `slow` when
    /// fewer than `k` words are left before the regeneration.
    fn mt_words(&mut self, st: CV, k: i64, slow: CB) -> Vec<CV> {
        let fl = MemFlagsData::trusted();
        let pos = self.b.ins().load(clt::I32, fl, st, MT_POS);
        let room = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, pos, 625 - k);
        let go = self.b.create_block();
        self.b.ins().brif(room, go, &[], slow, &[]);
        self.b.switch_to_block(go);
        let p64 = self.b.ins().uextend(clt::I64, pos);
        let off = self.b.ins().ishl_imm_u(p64, 2);
        let addr = self.b.ins().iadd(st, off);
        let words: Vec<CV> = (0..k)
            .map(|j| {
                let y = self.b.ins().load(clt::I32, fl, addr, 4 * j as i32);
                self.mt_temper(y)
            })
            .collect();
        let next = self.b.ins().iadd_imm_s(pos, k);
        self.b.ins().store(fl, next, st, MT_POS);
        words
    }

    fn mt_temper(&mut self, y: CV) -> CV {
        let t = self.b.ins().ushr_imm_u(y, 11);
        let y = self.b.ins().bxor(y, t);
        let t = self.b.ins().ishl_imm_u(y, 7);
        let t = self.b.ins().band_imm_u(t, 0x9d2c_5680);
        let y = self.b.ins().bxor(y, t);
        let t = self.b.ins().ishl_imm_u(y, 15);
        let t = self.b.ins().band_imm_u(t, 0xefc6_0000);
        let y = self.b.ins().bxor(y, t);
        let t = self.b.ins().ushr_imm_u(y, 18);
        self.b.ins().bxor(y, t)
    }

    /// PCG64's next 64-bit output: `state = state * M + inc`, XSL-RR.
    fn pcg_next64(&mut self, st: CV) -> CV {
        let fl = MemFlagsData::trusted();
        let p = self.b.ins().load(clt::I64, fl, st, 0);
        let s0 = self.b.ins().load(clt::I64, fl, p, 0);
        let s1 = self.b.ins().load(clt::I64, fl, p, 8);
        let i0 = self.b.ins().load(clt::I64, fl, p, 16);
        let i1 = self.b.ins().load(clt::I64, fl, p, 24);
        let m0 = self.b.ins().iconst(clt::I64, PCG_MULT_LO);
        let m1 = self.b.ins().iconst(clt::I64, PCG_MULT_HI);
        let lo = self.b.ins().imul(s0, m0);
        let hi = self.b.ins().umulhi(s0, m0);
        let c1 = self.b.ins().imul(s0, m1);
        let c2 = self.b.ins().imul(s1, m0);
        let hi = self.b.ins().iadd(hi, c1);
        let hi = self.b.ins().iadd(hi, c2);
        let lo2 = self.b.ins().iadd(lo, i0);
        let carry = self.b.ins().icmp(IntCC::UnsignedLessThan, lo2, lo);
        let carry = self.b.ins().uextend(clt::I64, carry);
        let hi2 = self.b.ins().iadd(hi, i1);
        let hi2 = self.b.ins().iadd(hi2, carry);
        self.b.ins().store(fl, lo2, p, 0);
        self.b.ins().store(fl, hi2, p, 8);
        let x = self.b.ins().bxor(hi2, lo2);
        let rot = self.b.ins().ushr_imm_u(hi2, 58);
        self.b.ins().rotr(x, rot)
    }

    /// PCG64's next 32-bit output (I32): the kept upper half of the last
    /// 64-bit output, or the lower half of a new one (its upper half kept).
    fn pcg_next32(&mut self, st: CV) -> CV {
        let fl = MemFlagsData::trusted();
        let has = self.b.ins().load(clt::I32, fl, st, 8);
        let (kept, fresh, done) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.append_block_param(done, clt::I32);
        self.b.ins().brif(has, kept, &[], fresh, &[]);
        self.b.switch_to_block(kept);
        let v = self.b.ins().load(clt::I32, fl, st, 12);
        let zero = self.b.ins().iconst(clt::I32, 0);
        self.b.ins().store(fl, zero, st, 8);
        self.b.ins().jump(done, &[BlockArg::Value(v)]);
        self.b.switch_to_block(fresh);
        let n = self.pcg_next64(st);
        let one = self.b.ins().iconst(clt::I32, 1);
        self.b.ins().store(fl, one, st, 8);
        let up = self.b.ins().ushr_imm_u(n, 32);
        let up = self.b.ins().ireduce(clt::I32, up);
        self.b.ins().store(fl, up, st, 12);
        let low = self.b.ins().ireduce(clt::I32, n);
        self.b.ins().jump(done, &[BlockArg::Value(low)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// A double in [0, 1) (`next_double`).
    fn rng_double(&mut self, st: CV, mt: bool, slow: CB) -> CV {
        if mt {
            // ((a >> 5) * 2^26 + (b >> 6)) / 2^53: exact in doubles.
            let w = self.mt_words(st, 2, slow);
            let a = self.b.ins().ushr_imm_u(w[0], 5);
            let bb = self.b.ins().ushr_imm_u(w[1], 6);
            let a = self.b.ins().fcvt_from_uint(clt::F64, a);
            let bb = self.b.ins().fcvt_from_uint(clt::F64, bb);
            let k = self.b.ins().f64const(67108864.0);
            let a = self.b.ins().fmul(a, k);
            let s = self.b.ins().fadd(a, bb);
            let k = self.b.ins().f64const(9007199254740992.0);
            self.b.ins().fdiv(s, k)
        } else {
            let n = self.pcg_next64(st);
            let n = self.b.ins().ushr_imm_u(n, 11);
            // (below 2^53: the signed conversion, one instruction, is exact and
            // the same; the unsigned one is a sequence with a branch on x86-64)
            let d = self.b.ins().fcvt_from_sint(clt::F64, n);
            let k = self.b.ins().f64const(1.0 / 9007199254740992.0);
            self.b.ins().fmul(d, k)
        }
    }

    /// A 32-bit output (I32).
    fn rng_u32(&mut self, st: CV, mt: bool, slow: CB) -> CV {
        if mt {
            self.mt_words(st, 1, slow)[0]
        } else {
            self.pcg_next32(st)
        }
    }

    /// Legacy `randint`'s offset in [0, r], 0 < r < 2^32 - 1: 32-bit outputs
    /// masked to the smallest `2^k - 1 >= r`, redrawn while above `r`.
    fn rng_masked(&mut self, st: CV, mt: bool, r: CV, slow: CB) -> CV {
        let r32 = self.b.ins().ireduce(clt::I32, r);
        let lz = self.b.ins().clz(r32);
        let ones = self.b.ins().iconst(clt::I32, 0xffff_ffffu32 as i32 as i64);
        let mask = self.b.ins().ushr(ones, lz);
        let again = self.b.create_block();
        self.b.ins().jump(again, &[]);
        self.b.switch_to_block(again);
        let w = self.rng_u32(st, mt, slow);
        let v = self.b.ins().band(w, mask);
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, v, r32);
        let done = self.b.create_block();
        self.b.ins().brif(fits, done, &[], again, &[]);
        self.b.switch_to_block(done);
        self.b.ins().uextend(clt::I64, v)
    }

    /// `Generator.integers`' offset in [0, r], 0 < r < 2^32 - 1 (Lemire's
    /// method on 32-bit outputs): `(u * n) >> 32` for `n = r + 1`, accepted
    /// when the low half is at least `2^32 mod n`; otherwise the call, which
    /// draws the next (the rejection is memoryless).
    fn rng_lemire(&mut self, st: CV, mt: bool, r: CV, slow: CB) -> CV {
        let n = self.b.ins().iadd_imm_s(r, 1);
        let u = self.rng_u32(st, mt, slow);
        let u = self.b.ins().uextend(clt::I64, u);
        let m = self.b.ins().imul(u, n);
        let low = self.b.ins().band_imm_u(m, 0xffff_ffff);
        let done = self.b.create_block();
        let check = self.b.create_block();
        self.b.set_cold_block(check);
        let ge = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, low, n);
        self.b.ins().brif(ge, done, &[], check, &[]);
        self.b.switch_to_block(check);
        // threshold = (2^32 - 1 - r) % n (n > 0)
        let top = self.b.ins().iconst(clt::I64, 0xffff_ffff);
        let t = self.b.ins().isub(top, r);
        let threshold = self.b.ins().urem(t, n);
        let keep = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, low, threshold);
        self.b.ins().brif(keep, done, &[], slow, &[]);
        self.b.switch_to_block(done);
        self.b.ins().ushr_imm_u(m, 32)
    }

    /// The Generator's ziggurat (normal, or exponential when `exp`) on one
    /// 64-bit PCG64 output: the rectangles' case inline (99% of draws), the
    /// rest in `pyston_rng_zig_tail` from the same output.
    fn rng_ziggurat(&mut self, ctx: CV, st: CV, exp: bool, tables: [u64; 4]) -> CResult<CV> {
        let fl = MemFlagsData::trusted();
        let r = self.pcg_next64(st);
        let (w_tab, k_tab) = if exp {
            (tables[2], tables[3])
        } else {
            (tables[0], tables[1])
        };
        let ri = if exp { self.b.ins().ushr_imm_u(r, 3) } else { r };
        let idx = self.b.ins().band_imm_u(ri, 0xff);
        let off = self.b.ins().ishl_imm_u(idx, 3);
        let wa = self.b.ins().iconst(clt::I64, w_tab as i64);
        let wa = self.b.ins().iadd(wa, off);
        let ka = self.b.ins().iconst(clt::I64, k_tab as i64);
        let ka = self.b.ins().iadd(ka, off);
        let w = self.b.ins().load(clt::F64, fl, wa, 0);
        let k = self.b.ins().load(clt::I64, fl, ka, 0);
        let rest = self.b.ins().ushr_imm_u(ri, 8);
        // (`rest` below 2^56 and `rabs` below 2^52: converted as signed, one
        // instruction, exactly as the unsigned conversion does)
        let (mag, x) = if exp {
            let f = self.b.ins().fcvt_from_sint(clt::F64, rest);
            (rest, self.b.ins().fmul(f, w))
        } else {
            let sh = self.b.ins().ushr_imm_u(rest, 1);
            let rabs = self.b.ins().band_imm_u(sh, 0x000f_ffff_ffff_ffff);
            let f = self.b.ins().fcvt_from_sint(clt::F64, rabs);
            let x = self.b.ins().fmul(f, w);
            // `-x` when the sign bit is set: that bit moved to bit 63 and XORed
            // into `x`'s bits (`fneg` flips exactly that bit). Without a branch:
            // a float `select` on x86-64 is a branch on a random bit, mispredicted
            // on half of the draws.
            let sign = self.b.ins().ishl_imm_u(rest, 63);
            let bits = self.b.ins().bitcast(clt::I64, MemFlagsData::new(), x);
            let bits = self.b.ins().bxor(bits, sign);
            (rabs, self.b.ins().bitcast(clt::F64, MemFlagsData::new(), bits))
        };
        let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, mag, k);
        let (tail, done) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(tail);
        self.b.append_block_param(done, clt::F64);
        self.b.ins().brif(inside, done, &[BlockArg::Value(x)], tail, &[]);
        self.b.switch_to_block(tail);
        let e = self.b.ins().iconst(clt::I64, exp as i64);
        let v = self.call("pyston_rng_zig_tail", &[ctx, r, e])?[0];
        self.b.ins().jump(done, &[BlockArg::Value(v)]);
        self.b.switch_to_block(done);
        Ok(self.b.block_params(done)[0])
    }
}
