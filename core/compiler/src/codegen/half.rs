//! float16 and complex64: the conversions and arithmetic NumPy does for them.
//!
//! A float16 value is held as its IEEE binary16 bits (an i16). NumPy computes
//! every float16 operation in float32 and rounds the result back to float16
//! (`npy_float_to_half(op(npy_half_to_float(a), npy_half_to_float(b)))`), so
//! compiled code does the same: [`Gen::f16_to_f32`] is exact, the float32
//! operation is the one NumPy's loop runs, and [`Gen::f32_to_f16`] rounds to
//! nearest-even exactly as `npy_float_to_half` (subnormals, overflow to inf,
//! NaN payloads). A float64 source is rounded once (`npy_double_to_half`):
//! first to float32 with round-to-odd, which keeps the single rounding exact.
//!
//! complex64 is two float32 slots, computed with NumPy's scalar formulas in
//! single precision. A result with a non-finite component deoptimizes (NumPy
//! decides the warnings there); so does a float16 result NumPy warns about.
//! A complex64 `+ - *` result read only by the next `+ - *` (`acc += x * h`,
//! `z * z + c`) is checked there, which deoptimizes back to the first one
//! (`Gen::c64_check_covered`).

use super::*;

impl Gen<'_, '_> {
    /// float16 bits (i16) to the float32 of the same value (exact).
    pub fn f16_to_f32(&mut self, h: CV) -> CV {
        let w = self.b.ins().uextend(clt::I32, h);
        let sign = self.b.ins().band_imm_s(w, 0x8000);
        let sign = self.b.ins().ishl_imm_u(sign, 16);
        let em = self.b.ins().band_imm_s(w, 0x7fff);
        let shifted = self.b.ins().ishl_imm_u(em, 13);
        // Finite values (subnormals included): the bits read as a float32, times 2**112.
        let f = self.b.ins().bitcast(clt::F32, MemFlagsData::new(), shifted);
        let magic = self.b.ins().f32const(f32::from_bits((127 + 112) << 23));
        let fin = self.b.ins().fmul(f, magic);
        let fin_bits = self.b.ins().bitcast(clt::I32, MemFlagsData::new(), fin);
        // inf and NaN: an all-ones exponent and the significand's bits.
        let nonfin_bits = self.b.ins().bor_imm_s(shifted, 0x7f80_0000);
        let is_nonfin = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, em, 0x7c00);
        let bits = self.b.ins().select(is_nonfin, nonfin_bits, fin_bits);
        let bits = self.b.ins().bor(bits, sign);
        self.b.ins().bitcast(clt::F32, MemFlagsData::new(), bits)
    }

    /// float16 bits to the float64 of the same value (exact; a NaN keeps its
    /// payload bits, signaling ones too, as NumPy's bitwise conversion does).
    pub fn f16_to_f64(&mut self, h: CV) -> CV {
        let f = self.f16_to_f32(h);
        let d = self.b.ins().fpromote(clt::F64, f);
        let w = self.b.ins().uextend(clt::I64, h);
        let sign = self.b.ins().band_imm_s(w, 0x8000);
        let sign = self.b.ins().ishl_imm_u(sign, 48);
        let sig = self.b.ins().band_imm_s(w, 0x03ff);
        let sig = self.b.ins().ishl_imm_u(sig, 42);
        let nan = self.b.ins().bor(sign, sig);
        let nan = self.b.ins().bor_imm_s(nan, 0x7ff0_0000_0000_0000);
        let nan = self.b.ins().bitcast(clt::F64, MemFlagsData::new(), nan);
        let is_nan = self.b.ins().fcmp(FloatCC::Unordered, d, d);
        self.b.ins().select(is_nan, nan, d)
    }

    /// A float32 rounded to float16 bits, to nearest-even (`npy_float_to_half`).
    pub fn f32_to_f16(&mut self, f: CV) -> CV {
        let u = self.b.ins().bitcast(clt::I32, MemFlagsData::new(), f);
        let sign = self.b.ins().ushr_imm_u(u, 16);
        let sign = self.b.ins().band_imm_s(sign, 0x8000);
        let a = self.b.ins().band_imm_s(u, 0x7fff_ffff);
        // Subnormal or zero results (|f| < 2**-14): adding 0.5 aligns the ten
        // significand bits at the bottom, rounding to nearest-even.
        let af = self.b.ins().bitcast(clt::F32, MemFlagsData::new(), a);
        let half = self.b.ins().f32const(0.5);
        let s = self.b.ins().fadd(af, half);
        let sb = self.b.ins().bitcast(clt::I32, MemFlagsData::new(), s);
        let sub = self.b.ins().iadd_imm_s(sb, -(126 << 23));
        // Normal results: rebias the exponent and round by the dropped bits
        // (a carry out of the significand bumps the exponent, up to inf).
        let odd = self.b.ins().ushr_imm_u(a, 13);
        let odd = self.b.ins().band_imm_s(odd, 1);
        let t = self.b.ins().iadd_imm_s(a, ((15 - 127) << 23) + 0xfff);
        let t = self.b.ins().iadd(t, odd);
        let norm = self.b.ins().ushr_imm_u(t, 13);
        // inf (from |f| >= 65536) and NaN (NumPy keeps the top payload bits, and
        // never lets a NaN become inf).
        let sig = self.b.ins().band_imm_s(a, 0x007f_ffff);
        let sig = self.b.ins().ushr_imm_u(sig, 13);
        let is_nan = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, a, 0x7f80_0000);
        let sig_zero = self.b.ins().icmp_imm_s(IntCC::Equal, sig, 0);
        let bump = self.b.ins().band(is_nan, sig_zero);
        let bump = self.b.ins().uextend(clt::I32, bump);
        let nan_bits = self.b.ins().bor_imm_s(sig, 0x7c00);
        let nan_bits = self.b.ins().bor(nan_bits, bump);
        let inf = self.b.ins().iconst(clt::I32, 0x7c00);
        let nonfin = self.b.ins().select(is_nan, nan_bits, inf);
        let small = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, a, 113 << 23);
        let r = self.b.ins().select(small, sub, norm);
        let big = self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, a, 0x4780_0000);
        let r = self.b.ins().select(big, nonfin, r);
        let r = self.b.ins().bor(r, sign);
        self.b.ins().ireduce(clt::I16, r)
    }

    /// A float64 rounded once to float16 bits (`npy_double_to_half`): rounded
    /// to float32 with round-to-odd (exact for a later rounding to 11 bits),
    /// then to float16.
    pub fn f64_to_f16(&mut self, x: CV) -> CV {
        let r = self.b.ins().fdemote(clt::F32, x);
        let back = self.b.ins().fpromote(clt::F64, r);
        let inexact = self.b.ins().fcmp(FloatCC::OrderedNotEqual, back, x);
        let ab = self.b.ins().fabs(back);
        let ax = self.b.ins().fabs(x);
        let away = self.b.ins().fcmp(FloatCC::GreaterThan, ab, ax);
        let rb = self.b.ins().bitcast(clt::I32, MemFlagsData::new(), r);
        let down = self.b.ins().iadd_imm_s(rb, -1);
        let t = self.b.ins().select(away, down, rb);
        let t = self.b.ins().bor_imm_s(t, 1);
        let odd = self.b.ins().select(inexact, t, rb);
        let f = self.b.ins().bitcast(clt::F32, MemFlagsData::new(), odd);
        self.f32_to_f16(f)
    }

    /// Deopts when float16 `h` is inf from finite `inputs`, or NaN from non-NaN
    /// ones (NumPy's overflow and invalid warnings); cold unless `h` is not finite.
    pub fn f16_check(&mut self, h: CV, inputs: &[CV], ty: clir::Type) {
        if !self.env.sem.float_warnings {
            return;
        }
        let e = self.b.ins().band_imm_s(h, 0x7c00);
        let nonfinite = self.b.ins().icmp_imm_s(IntCC::Equal, e, 0x7c00);
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(nonfinite, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        let r = self.f16_to_f32(h);
        let r = if ty == clt::F64 {
            self.b.ins().fpromote(clt::F64, r)
        } else {
            r
        };
        self.check_math(r, inputs, ty);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// A scalar converted to float16 as NumPy casts it (`np.float16(x)`, a store
    /// into a float16 array, a weak Python operand): exact for float16 and
    /// small ints, else rounded once; an overflow to inf deopts (NumPy warns
    /// "overflow encountered in cast").
    pub fn conv_f16(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let v = x.1[0];
        Ok(match &x.0 {
            Ty::Np(Dtype::Float16) => v,
            Ty::Bool | Ty::Np(Dtype::Bool | Dtype::Int8 | Dtype::UInt8) => {
                // Exact in float16: no rounding, no overflow.
                let f = self.conv_f32(x)?;
                self.f32_to_f16(f)
            }
            Ty::Np(Dtype::Float32) => {
                let h = self.f32_to_f16(v);
                self.f16_check(h, &[v], clt::F32);
                h
            }
            _ => {
                let f = self.any_f64(x)?;
                let h = self.f64_to_f16(f);
                self.f16_check(h, &[f], clt::F64);
                h
            }
        })
    }

    /// An operand of a float16 operation: its float16 value as a float32.
    pub fn f16_operand(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        if let Ty::Np(Dtype::Bool | Dtype::Int8 | Dtype::UInt8) | Ty::Bool = x.0 {
            return self.conv_f32(x);
        }
        let h = self.conv_f16(x)?;
        Ok(self.f16_to_f32(h))
    }

    /// `x OP y` in float16: computed in float32 as NumPy's loops do, rounded back.
    pub fn f16_binop(&mut self, op: BinOp, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<CV> {
        let (x, y) = (self.f16_operand(a)?, self.f16_operand(b)?);
        if matches!(op, BinOp::FloorDiv | BinOp::Mod) {
            // NumPy's npy_half_divmod: float32 divmod, both parts rounded to
            // float16 (a quotient that overflows warns for `%` too). A zero
            // divisor: NumPy's own path (it warns).
            let zero = self.b.ins().f32const(0.0);
            let z = self.b.ins().fcmp(FloatCC::Equal, y, zero);
            self.deopt_if(z);
            let slot = self.stack(8);
            let q = self.call("pyston_fdivmod32", &[x, y, slot])?[0];
            let m = self.b.ins().load(clt::F32, MemFlagsData::trusted(), slot, 0);
            let (hq, hm) = (self.f32_to_f16(q), self.f32_to_f16(m));
            self.f16_check(hq, &[x, y], clt::F32);
            self.f16_check(hm, &[x, y], clt::F32);
            return Ok(if op == BinOp::FloorDiv { hq } else { hm });
        }
        let r = self.float_op(op, x, y, clt::F32, false)?;
        let h = self.f32_to_f16(r);
        self.f16_check(h, &[x, y], clt::F32);
        Ok(h)
    }

    /// A scalar converted to complex64 (two float32s), as NumPy casts it; a
    /// component that overflows to inf deopts (NumPy warns).
    pub fn conv_c64(&mut self, x: &(Ty, Vals)) -> CResult<(CV, CV)> {
        Ok(match &x.0 {
            Ty::Np(Dtype::Complex64) => (x.1[0], x.1[1]),
            Ty::Complex | Ty::Np(Dtype::Complex128) => {
                let re = self.conv_f32(&(Ty::Float, vec![x.1[0]]))?;
                let im = self.conv_f32(&(Ty::Float, vec![x.1[1]]))?;
                (re, im)
            }
            _ => {
                let re = if let Ty::Np(Dtype::Float16) = x.0 {
                    self.f16_to_f32(x.1[0])
                } else {
                    self.conv_f32(x)?
                };
                (re, self.b.ins().f32const(0.0))
            }
        })
    }

    /// `x OP y` in complex64 with NumPy's scalar formulas in float32. A result
    /// with a non-finite component deoptimizes (NumPy warns, or not, by its
    /// floating-point flags: it decides); `**` is NumPy's (the interpreter).
    pub fn c64_binop(&mut self, op: BinOp, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<(CV, CV)> {
        let ((ar, ai), (br, bi)) = (self.conv_c64(a)?, self.conv_c64(b)?);
        let (re, im) = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => self.complex_op(op, (ar, ai), (br, bi), true)?,
            BinOp::Div => {
                let slot = self.stack(8);
                // Numba divides as CPython does (`_Py_c_quot`), in float32 here.
                let name = if self.env.sem.numba_scalar_typing {
                    "pyston_cdiv32"
                } else {
                    "pyston_npy_cdiv32"
                };
                let st = self.call(name, &[ar, ai, br, bi, slot])?[0];
                self.deopt_if(st);
                (
                    self.b.ins().load(clt::F32, MemFlagsData::trusted(), slot, 0),
                    self.b.ins().load(clt::F32, MemFlagsData::trusted(), slot, 4),
                )
            }
            _ => {
                self.deopt_now();
                (ar, ai)
            }
        };
        // (A loop's deferred results are tested once, on leaving it: `exit_check`.)
        if self.env.sem.float_warnings && !self.facts.c64_deferred.contains(&self.cur_inst) {
            let (blk, k) = self.cur_inst;
            let this = |g: &Self| {
                let i = &g.f.block(blk).insts[k];
                g.vals.get(&i.args[0]) == Some(&a.1) && g.vals.get(&i.args[1]) == Some(&b.1)
            };
            if self.c64_check_covered(blk, k) && this(self) {
                return Ok((re, im)); // the next instruction's check covers this result
            }
            let z = self.b.ins().f32const(0.0);
            let tr = self.b.ins().fmul(re, z);
            let ti = self.b.ins().fmul(im, z);
            let t = self.b.ins().fadd(tr, ti); // 0 when both are finite, NaN otherwise
            let nonfinite = self.b.ins().fcmp(FloatCC::Unordered, t, t);
            if k > 0 && self.c64_check_covered(blk, k - 1) {
                // An operand may be the previous result, unchecked: the interpreter
                // redoes both operations from there (they have no side effects).
                self.cur_inst = (blk, k - 1);
                self.deopt_if(nonfinite);
                self.cur_inst = (blk, k);
            } else {
                self.deopt_if(nonfinite);
            }
        }
        Ok((re, im))
    }

    /// On entering `blk`, the exit block of a loop whose complex64 `+ - *` were
    /// left unchecked (`facts.exit_checks`, planned by the numeric tier's
    /// `ranges`): when a carried complex64 value is not finite, deoptimize to
    /// the end of the loop's preheader; the interpreter runs the loop again.
    pub fn exit_check(&mut self, blk: Block) -> CResult<()> {
        let Some(ec) = self.facts.exit_checks.get(&blk).cloned() else {
            return Ok(());
        };
        if !self.env.sem.float_warnings {
            return Ok(());
        }
        let mut bad = None;
        for p in &ec.params {
            let v = self.val(*p)?;
            let z = self.b.ins().f32const(0.0);
            let tr = self.b.ins().fmul(v[0], z);
            let ti = self.b.ins().fmul(v[1], z);
            let t = self.b.ins().fadd(tr, ti); // 0 when both are finite, NaN otherwise
            let nonfinite = self.b.ins().fcmp(FloatCC::Unordered, t, t);
            bad = Some(match bad {
                Some(b) => self.b.ins().bor(b, nonfinite),
                None => nonfinite,
            });
        }
        if let Some(bad) = bad {
            let k = self.f.block(ec.preheader).insts.len();
            let d = self.deopt_block(ec.preheader, k);
            let cont = self.b.create_block();
            self.b.ins().brif(bad, d, &[], cont, &[]);
            self.b.switch_to_block(cont);
        }
        Ok(())
    }

    /// Whether the complex64 `+ - *` at `(blk, k)` may leave its non-finite
    /// check to the next instruction: that one is a complex64 `+ - *` too, of
    /// two complex64 values (no conversion that could deoptimize first), and
    /// the only reader of this result. With NumPy's formulas (`complex_op`) a
    /// non-finite component of an operand makes the result's real part
    /// non-finite (inf * 0 is NaN, inf - inf is NaN, NaN spreads), so the next
    /// check fires whenever this one would have; it deoptimizes to this
    /// instruction, where the interpreter computes both, warnings and all.
    fn c64_check_covered(&self, blk: Block, k: usize) -> bool {
        let insts = &self.f.block(blk).insts;
        let (Some(a), Some(b)) = (insts.get(k), insts.get(k + 1)) else {
            return false;
        };
        let c64 = |v: Value| self.ty(v) == Ty::Np(Dtype::Complex64);
        let arith = |i: &ir::Inst| {
            matches!(
                i.op,
                Op::Bin {
                    op: BinOp::Add | BinOp::Sub | BinOp::Mul,
                    ..
                }
            ) && i.args.len() == 2
                && i.result.is_some_and(c64)
                && i.args.iter().all(|x| c64(*x))
        };
        let Some(r) = a.result else { return false };
        arith(a)
            && arith(b)
            && b.args.contains(&r)
            && self.use_counts.get(&r) == Some(&1)
            && !self.env.pycalls.contains_key(&(blk, k))
            && !self.env.pycalls.contains_key(&(blk, k + 1))
    }
}
