//! Scalars: conversions, arithmetic with Python's and NumPy's semantics, unary operators, truth and comparisons.

use super::*;

impl Gen<'_, '_> {
    // ---- scalar conversions ----------------------------------------------------

    pub fn conv_i64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        if let Ty::Union(_) = x.0 {
            // `int | np.int64` (a variable bound to either): convert the member it holds.
            let r = self.dispatch(std::slice::from_ref(x), &Ty::Int, &mut |g, a| {
                Ok((Ty::Int, vec![g.conv_i64(&a[0])?]))
            })?;
            return Ok(r[0]);
        }
        let v = x.1.first().copied();
        Ok(match &x.0 {
            Ty::Int | Ty::Np(Dtype::Int64) => v.unwrap(),
            Ty::Bool | Ty::Np(Dtype::Bool) => self.b.ins().uextend(clt::I64, v.unwrap()),
            Ty::Np(Dtype::Int32) => self.widen_int(v.unwrap(), Dtype::Int32),
            // Numba: the bits (uint64 mixed with a signed int is int64 there).
            Ty::Np(Dtype::UInt64) if self.env.sem.numba_scalar_typing => v.unwrap(),
            Ty::Np(Dtype::UInt64) => {
                // Beyond i64::MAX the value needs a big int: the interpreter has it.
                let v = v.unwrap();
                let big = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, 0);
                self.deopt_if(big);
                v
            }
            Ty::Np(d) if d.is_int() => self.widen_int(v.unwrap(), *d),
            t => return Err(internal(format!("conv_i64 of {t}"))),
        })
    }

    /// To int32 with NumPy's rule for Python ints (out of range: deopt).
    pub fn conv_i32(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        Ok(match &x.0 {
            Ty::Np(Dtype::Int32) => x.1[0],
            Ty::Bool | Ty::Np(Dtype::Bool) => self.b.ins().uextend(clt::I32, x.1[0]),
            Ty::Int | Ty::Np(Dtype::Int64) => {
                let v = x.1[0];
                let bad = self.out_of_dtype(v, Dtype::Int32);
                self.deopt_if(bad);
                self.b.ins().ireduce(clt::I32, v)
            }
            Ty::Np(d) if d.is_int() => {
                let w = self.conv_i64(x)?;
                if d.itemsize() < 4 {
                    self.b.ins().ireduce(clt::I32, w)
                } else {
                    self.conv_i32(&(Ty::Int, vec![w]))?
                }
            }
            t => return Err(internal(format!("conv_i32 of {t}"))),
        })
    }

    /// An integer of dtype `d` (in its own width) as an exact i64 (uint64: its bits).
    pub fn widen_int(&mut self, v: CV, d: Dtype) -> CV {
        match d.itemsize() {
            8 => v,
            // An element loaded with the extension widen_int would make (`load_elem`).
            _ if self.widened.contains_key(&v) => self.widened[&v],
            _ if d.is_unsigned() => self.b.ins().uextend(clt::I64, v),
            _ => self.b.ins().sextend(clt::I64, v),
        }
    }

    /// A uint64 operand: unsigned ints widen, other ints must not be negative (deopt).
    pub fn conv_u64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        Ok(match &x.0 {
            Ty::Np(d) if d.is_unsigned() => self.widen_int(x.1[0], *d),
            _ => {
                let w = self.conv_i64(x)?;
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, w, 0);
                self.deopt_if(neg);
                w
            }
        })
    }

    /// An i64 (uint64: its bits) as a value of integer dtype `d`, in d's width;
    /// outside d's range it deoptimizes (NumPy raises, warns or wraps there:
    /// the interpreter does what NumPy does).
    /// `w` (an exact i64 known to lie in int dtype `d`'s range) in `d`'s slot.
    pub fn narrow_unchecked(&mut self, w: CV, d: Dtype) -> CV {
        if d.itemsize() == 8 {
            w
        } else {
            self.b.ins().ireduce(int_cl(d), w)
        }
    }

    pub fn narrow_checked(&mut self, w: CV, d: Dtype) -> CV {
        if d.itemsize() == 8 {
            return w;
        }
        let bad = self.out_of_dtype(w, d);
        self.deopt_if(bad);
        self.b.ins().ireduce(int_cl(d), w)
    }

    /// Whether the i64 `w` lies outside narrow int dtype `d`'s range: its low
    /// bits, extended back as `d` extends (sign or zero), differ from `w`
    /// exactly when `w` is not one of `d`'s values (each value of `d` is the
    /// extension of its own low bits, and the extension is one-to-one). Two
    /// instructions, no constants (a compare against both bounds takes five).
    pub fn out_of_dtype(&mut self, w: CV, d: Dtype) -> CV {
        if d == Dtype::Bool {
            return self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, w, 1);
        }
        let n = self.b.ins().ireduce(int_cl(d), w);
        let back = if d.is_unsigned() {
            self.b.ins().uextend(clt::I64, n)
        } else {
            self.b.ins().sextend(clt::I64, n)
        };
        self.b.ins().icmp(IntCC::NotEqual, back, w)
    }

    /// An operand of an operation computed in integer dtype `d` (one of the
    /// narrow or unsigned ones), as an exact i64 (uint64: its bits).
    pub fn int_operand(&mut self, x: &(Ty, Vals), d: Dtype) -> CResult<CV> {
        if let Ty::Np(s) = x.0 {
            if s == d || (s.is_int() && s.itemsize() <= 4 && fits_in(s, d)) {
                return Ok(self.widen_int(x.1[0], s));
            }
        }
        if d == Dtype::UInt64 {
            return self.conv_u64(x);
        }
        // A Python int (weak: it must fit d, else NumPy raises OverflowError), or a bool.
        let w = self.conv_i64(x)?;
        let n = self.narrow_checked(w, d);
        Ok(self.widen_int(n, d))
    }

    pub fn conv_f64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let v = x.1[0];
        Ok(match &x.0 {
            Ty::Float | Ty::Np(Dtype::Float64) => v,
            Ty::Np(Dtype::Float32) => self.b.ins().fpromote(clt::F64, v),
            Ty::Np(Dtype::Float16) => self.f16_to_f64(v),
            Ty::Int | Ty::Np(Dtype::Int64) | Ty::Np(Dtype::Int32) => self.b.ins().fcvt_from_sint(clt::F64, v),
            Ty::Bool | Ty::Np(Dtype::Bool) => self.b.ins().fcvt_from_uint(clt::F64, v),
            Ty::Np(Dtype::UInt64) => self.b.ins().fcvt_from_uint(clt::F64, v),
            Ty::Np(d) if d.is_int() => {
                let w = self.widen_int(v, *d);
                self.b.ins().fcvt_from_sint(clt::F64, w)
            }
            t => return Err(internal(format!("conv_f64 of {t}"))),
        })
    }

    pub fn conv_f32(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let v = x.1[0];
        Ok(match &x.0 {
            Ty::Np(Dtype::Float32) => v,
            Ty::Np(Dtype::Float16) => self.f16_to_f32(v),
            Ty::Float | Ty::Np(Dtype::Float64) => {
                let r = self.b.ins().fdemote(clt::F32, v);
                if self.env.sem.float_warnings {
                    // NumPy warns "overflow encountered in cast": let it.
                    let z = self.b.ins().f32const(0.0);
                    let t = self.b.ins().fmul(r, z);
                    let nonfinite = self.b.ins().fcmp(FloatCC::Unordered, t, t);
                    let ar = self.b.ins().fabs(r);
                    let inf = self.b.ins().f32const(f32::INFINITY);
                    let r_inf = self.b.ins().fcmp(FloatCC::Equal, ar, inf);
                    let av = self.b.ins().fabs(v);
                    let inf64 = self.b.ins().f64const(f64::INFINITY);
                    let v_fin = self.b.ins().fcmp(FloatCC::LessThan, av, inf64);
                    let bad = self.b.ins().band(r_inf, v_fin);
                    let bad = self.b.ins().band(bad, nonfinite);
                    self.deopt_if(bad);
                }
                r
            }
            Ty::Int => {
                let d = self.b.ins().fcvt_from_sint(clt::F64, v);
                self.b.ins().fdemote(clt::F32, d)
            }
            Ty::Np(Dtype::Int64) | Ty::Np(Dtype::Int32) => self.b.ins().fcvt_from_sint(clt::F32, v),
            Ty::Bool | Ty::Np(Dtype::Bool) => self.b.ins().fcvt_from_uint(clt::F32, v),
            Ty::Np(Dtype::UInt64) => self.b.ins().fcvt_from_uint(clt::F32, v),
            Ty::Np(d) if d.is_int() => {
                let w = self.widen_int(v, *d);
                self.b.ins().fcvt_from_sint(clt::F32, w)
            }
            t => return Err(internal(format!("conv_f32 of {t}"))),
        })
    }

    pub fn conv_c128(&mut self, x: &(Ty, Vals)) -> CResult<(CV, CV)> {
        Ok(match &x.0 {
            Ty::Complex | Ty::Np(Dtype::Complex128) => (x.1[0], x.1[1]),
            Ty::Np(Dtype::Complex64) => (
                self.b.ins().fpromote(clt::F64, x.1[0]),
                self.b.ins().fpromote(clt::F64, x.1[1]),
            ),
            _ => {
                let r = self.conv_f64(x)?;
                (r, self.b.ins().f64const(0.0))
            }
        })
    }

    /// An int converted exactly to float, or deopt (|x| > 2**53 may round).
    pub fn exact_f64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        if matches!(x.0, Ty::Int | Ty::Np(Dtype::Int64)) {
            let a = self.b.ins().iabs(x.1[0]);
            let big = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, a, 1i64 << 53);
            self.deopt_if(big);
        }
        self.conv_f64(x)
    }

    /// float -> int64 truncating toward zero; deopt when not finite or out of range.
    pub fn f64_to_i64(&mut self, x: CV) -> CV {
        // One test: |x| >= 2**63 or NaN (-2**63 itself deopts too, exactly).
        let a = self.b.ins().fabs(x);
        let hi = self.b.ins().f64const(9223372036854775808.0);
        let bad = self.b.ins().fcmp(FloatCC::UnorderedOrGreaterThanOrEqual, a, hi);
        self.deopt_if(bad);
        self.b.ins().fcvt_to_sint_sat(clt::I64, x)
    }

    pub fn any_f64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        match &x.0 {
            Ty::Np(Dtype::Float32) => Ok(self.b.ins().fpromote(clt::F64, x.1[0])),
            _ => self.conv_f64(x),
        }
    }

    // ---- arithmetic ----------------------------------------------------------

    /// A boxed Python int operand (an i64 or bool is boxed first).
    pub fn as_pyint(&mut self, a: &TV) -> CResult<CV> {
        Ok(match &a.0 {
            Ty::PyInt => a.1[0],
            Ty::Float => {
                let ctx = self.ctx.unwrap();
                self.call("pyston_box_float", &[ctx, a.1[0]])?[0]
            }
            _ => {
                let v = self.conv_i64(a)?;
                let ctx = self.ctx.unwrap();
                self.call("pyston_box_int", &[ctx, v])?[0]
            }
        })
    }

    /// Arithmetic on boxed Python ints, by CPython. An exception (division
    /// by zero, ...) deoptimizes and the interpreter raises it exactly.
    pub fn pyint_binop(&mut self, op: BinOp, a: &TV, b: &TV) -> CResult<TV> {
        let int_like = |t: &Ty| matches!(t, Ty::Int | Ty::Bool | Ty::PyInt);
        if (a.0 == Ty::Float || b.0 == Ty::Float) && (a.0 == Ty::PyInt || b.0 == Ty::PyInt) {
            // Float arithmetic with a boxed int, by CPython (exact conversion or OverflowError).
            let (x, y) = (self.as_pyint(a)?, self.as_pyint(b)?);
            let r = self.pyint_op_call(op, x, y)?;
            let slot = self.stack(8);
            let st = self.call("pyston_obj_f64", &[r, slot])?[0];
            self.deopt_if(st);
            return Ok((
                Ty::Float,
                vec![self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0)],
            ));
        }
        if !(int_like(&a.0) && int_like(&b.0)) {
            return self.binop(op, a, b);
        }
        let (x, y) = (self.as_pyint(a)?, self.as_pyint(b)?);
        if op == BinOp::Div {
            let slot = self.stack(8);
            let st = self.call("pyston_int_truediv", &[x, y, slot])?[0];
            self.deopt_if(st);
            return Ok((
                Ty::Float,
                vec![self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0)],
            ));
        }
        Ok((Ty::PyInt, vec![self.pyint_op_call(op, x, y)?]))
    }

    /// `x OP y` on boxed ints by CPython (`pyston_int_op`); an exception deoptimizes.
    pub fn pyint_op_call(&mut self, op: BinOp, x: CV, y: CV) -> CResult<CV> {
        let ctx = self.ctx.unwrap();
        let code = abi::INT_OPS
            .iter()
            .position(|o| *o == op)
            .ok_or_else(|| internal("int op"))? as i64;
        let cv = self.b.ins().iconst(clt::I32, code);
        let r = self.call("pyston_int_op", &[ctx, cv, x, y])?[0];
        let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
        self.deopt_if(failed);
        Ok(r)
    }

    pub fn binop(&mut self, op: BinOp, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<(Ty, Vals)> {
        let (sa, sb) = (a.0.scalar().unwrap(), b.0.scalar().unwrap());
        let r =
            binop_result_in(self.env.sem.numba_scalar_typing, op, sa, sb).ok_or_else(|| internal("untyped binop"))?;
        let rt = Ty::from_scalar(r);
        if [a, b].iter().any(|t| matches!(t.0, Ty::Np(d) if d.is_time())) {
            let vals = self.time_binop(op, a, b, &rt)?;
            return Ok((rt, vals));
        }
        if op == BinOp::Pow
            && self.env.sem.numba_int_pow
            && matches!(r, Scalar::Py(Kind::Float) | Scalar::Np(Dtype::Float64))
        {
            let x = self.conv_f64(a)?;
            return Ok((rt, vec![self.numba_pow(x, b)?]));
        }
        if self.env.sem.numba_scalar_typing && !self.env.sem.numpy_division {
            self.numba_np_zerodiv(op, r, b)?;
        }
        if op == BinOp::Div {
            // A NumPy int divided by (or dividing) a Python int outside the NumPy
            // dtype's range: NumPy 2 gives a float, NumPy 1.x (weak promotion)
            // raises OverflowError. Deoptimize: the installed NumPy decides.
            self.deopt_if_py_int_out_of_range(a, b);
        }
        let vals = match r {
            Scalar::Py(Kind::Int) => {
                let (x, y) = (self.conv_i64(a)?, self.conv_i64(b)?);
                vec![self.int_op(op, x, y, clt::I64)?]
            }
            Scalar::Py(Kind::Bool) | Scalar::Np(Dtype::Bool) => {
                let (x, y) = (a.1[0], b.1[0]);
                vec![match op {
                    BinOp::BitAnd | BinOp::Mul => self.b.ins().band(x, y),
                    BinOp::BitOr | BinOp::Add => self.b.ins().bor(x, y),
                    _ => self.b.ins().bxor(x, y),
                }]
            }
            Scalar::Py(Kind::Float) => {
                let int_like = |t: &Ty| matches!(t, Ty::Int | Ty::Bool);
                let (x, y) = if op == BinOp::Div && int_like(&a.0) && int_like(&b.0) {
                    (self.exact_f64(a)?, self.exact_f64(b)?)
                } else {
                    (self.conv_f64(a)?, self.conv_f64(b)?)
                };
                vec![self.float_op(op, x, y, clt::F64, true)?]
            }
            Scalar::Np(Dtype::Complex128)
                if op == BinOp::Pow
                    && [a, b]
                        .iter()
                        .any(|t| matches!(t.0, Ty::Np(Dtype::Complex64 | Dtype::Float16))) =>
            {
                // complex64 or float16 ** something wider: NumPy's power ufunc
                // (its own messages), by the interpreter.
                self.deopt_now();
                vec![self.b.ins().f64const(0.0), self.b.ins().f64const(0.0)]
            }
            Scalar::Py(Kind::Complex) | Scalar::Np(Dtype::Complex128) => {
                let (x, y) = (self.conv_c128(a)?, self.conv_c128(b)?);
                // (Numba divides NumPy complex scalars as CPython does.)
                let numpy =
                    r == Scalar::Np(Dtype::Complex128) && !(self.env.sem.numba_scalar_typing && op == BinOp::Div);
                let (re, im) = if op == BinOp::Pow && numpy {
                    // NumPy's message depends on the operands' own types
                    // ("scalar power" or "power"): the helper rebuilds them.
                    let kinds = 1 + pow_operand_kind(&a.0) + 64 * pow_operand_kind(&b.0);
                    self.complex_pow(kinds, x, y)?
                } else {
                    self.complex_op(op, x, y, numpy)?
                };
                if numpy && matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) && !self.env.sem.numba_scalar_typing {
                    // NumPy's scalar `+ - *` warn on an overflow or an invalid
                    // operation (`(inf+1j) * 0.5`: inf * 0), each of which leaves
                    // a part inf or NaN: any such result is NumPy's to compute.
                    let dr = self.b.ins().fsub(re, re);
                    let di = self.b.ins().fsub(im, im);
                    let d = self.b.ins().fadd(dr, di);
                    let bad = self.b.ins().fcmp(FloatCC::Unordered, d, d);
                    self.deopt_if(bad);
                }
                vec![re, im]
            }
            Scalar::Np(d)
                if d.is_int() && matches!(op, BinOp::LShift | BinOp::RShift) && !self.env.sem.wrapping_ints =>
            {
                let (x, y) = (self.int_operand(a, d)?, self.int_operand(b, d)?);
                let r = self.np_shift(op, x, y, d);
                vec![if d.itemsize() == 8 {
                    r
                } else {
                    self.b.ins().ireduce(int_cl(d), r)
                }]
            }
            Scalar::Np(d @ (Dtype::Int64 | Dtype::Int32)) => {
                let (x, y, ty) = if d == Dtype::Int64 {
                    (self.conv_i64(a)?, self.conv_i64(b)?, clt::I64)
                } else {
                    (self.conv_i32(a)?, self.conv_i32(b)?, clt::I32)
                };
                vec![self.int_op(op, x, y, ty)?]
            }
            Scalar::Np(Dtype::UInt64) => {
                let (x, y) = (self.conv_u64(a)?, self.conv_u64(b)?);
                vec![self.uint64_op(op, x, y)?]
            }
            Scalar::Np(d @ (Dtype::Int8 | Dtype::Int16 | Dtype::UInt8 | Dtype::UInt16 | Dtype::UInt32)) => {
                // int8/16, uint8/16/32: exact in 64 bits, then back to d's range
                // (a result outside it is NumPy's overflow: warn and wrap).
                let (x, y) = (self.int_operand(a, d)?, self.int_operand(b, d)?);
                let r = self.int_op(op, x, y, clt::I64)?;
                if matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
                    // Both operands lie in d's range (int_operand), as i64s
                    // sign- or zero-extended from d's width; & | ^ of such
                    // bit patterns is one too: never out of range.
                    vec![self.narrow_unchecked(r, d)]
                } else {
                    vec![self.narrow_checked(r, d)]
                }
            }
            Scalar::Np(d @ (Dtype::Float64 | Dtype::Float32))
                if op == BinOp::Pow && a.0 != Ty::Np(d) && b.0 != Ty::Np(d) =>
            {
                // Neither operand has the result dtype: NumPy computes this through the
                // `np.power` ufunc (its own implementation), so we call it.
                let (x, y) = (self.any_f64(a)?, self.any_f64(b)?);
                let slot = self.stack(8);
                let dv = self.b.ins().iconst(clt::I32, dtype_index(d) as i64);
                let st = self.call("pyston_np_power", &[dv, x, y, slot])?[0];
                self.deopt_if(st);
                let r = self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0);
                if d == Dtype::Float32 {
                    vec![self.b.ins().fdemote(clt::F32, r)]
                } else {
                    vec![r]
                }
            }
            Scalar::Np(Dtype::Float64) => {
                let (x, y) = (self.conv_f64(a)?, self.conv_f64(b)?);
                vec![self.float_op(op, x, y, clt::F64, false)?]
            }
            Scalar::Np(Dtype::Float32) => {
                let (x, y) = (self.conv_f32(a)?, self.conv_f32(b)?);
                vec![self.float_op(op, x, y, clt::F32, false)?]
            }
            Scalar::Np(Dtype::Float16) => vec![self.f16_binop(op, a, b)?],
            Scalar::Np(Dtype::Complex64) => {
                let (re, im) = self.c64_binop(op, a, b)?;
                vec![re, im]
            }
            Scalar::Np(Dtype::Datetime(_) | Dtype::Timedelta(_) | Dtype::Record(_))
            | Scalar::Py(Kind::Datetime | Kind::Timedelta | Kind::Record) => return Err(internal("time binop")),
        };
        Ok((rt, vals))
    }

    /// Under Numba's Python error model a division, floor division or modulo
    /// by zero raises `ZeroDivisionError` with Numba's message, for NumPy
    /// scalars too (NumPy itself gives 0, inf or nan with a warning).
    fn numba_np_zerodiv(&mut self, op: BinOp, r: Scalar, b: &(Ty, Vals)) -> CResult<()> {
        // (of Python ints and floats too: Numba's messages, not CPython's)
        let int_result = match r {
            Scalar::Np(d) if d.is_int() => true,
            Scalar::Np(d) if d.kind() == Kind::Float => false,
            Scalar::Py(Kind::Int) => true,
            Scalar::Py(Kind::Float) => false,
            _ => return Ok(()),
        };
        if !matches!(op, BinOp::Div | BinOp::FloorDiv | BinOp::Mod) {
            return Ok(());
        }
        let y = b.1[0];
        let zero = match &b.0 {
            Ty::Float | Ty::Np(Dtype::Float64) => {
                let z = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::Equal, y, z)
            }
            Ty::Np(Dtype::Float32) => {
                let z = self.b.ins().f32const(0.0);
                self.b.ins().fcmp(FloatCC::Equal, y, z)
            }
            Ty::Int | Ty::Bool => self.b.ins().icmp_imm_s(IntCC::Equal, y, 0),
            Ty::Np(e) if e.is_int() || *e == Dtype::Bool => self.b.ins().icmp_imm_s(IntCC::Equal, y, 0),
            _ => return Ok(()),
        };
        let kind = match (op, int_result) {
            (BinOp::FloorDiv, true) => 1,
            (BinOp::Mod, true) => 2,
            (BinOp::Mod, false) => 3,
            _ => 0,
        };
        let k = self.b.ins().iconst(clt::I32, kind);
        self.raise_if(zero, "pyston_raise_zerodiv_numba", &[k])
    }

    /// The constant a Cranelift value was defined as, if it is an `iconst`.
    /// For `x + y` / `x - y` of type `ty` with a constant operand other than 0
    /// and the type's minimum (`c + x` taken as `x + c`): the other operand, the
    /// constant's value and the constant itself.
    fn small_const_operand(&self, op: BinOp, x: CV, y: CV, ty: clir::Type) -> Option<(CV, i64, CV)> {
        let signed = |v: CV| {
            self.iconst_value(v).map(|c| match ty {
                t if t == clt::I32 => c as i32 as i64,
                _ => c,
            })
        };
        let min = if ty == clt::I64 { i64::MIN } else { i32::MIN as i64 };
        let ok = |c: i64| c != 0 && c != min;
        if ty != clt::I64 && ty != clt::I32 {
            return None;
        }
        match (signed(y), signed(x)) {
            (Some(c), _) if ok(c) => Some((x, c, y)),
            (None, Some(c)) if op == BinOp::Add && ok(c) => Some((y, c, x)),
            _ => None,
        }
    }

    pub fn iconst_value(&self, v: CV) -> Option<i64> {
        let clir::ValueDef::Result(inst, _) = self.b.func.dfg.value_def(v) else {
            return None;
        };
        match self.b.func.dfg.insts[inst] {
            clir::InstructionData::UnaryImm {
                opcode: clir::Opcode::Iconst,
                imm,
            } => Some(imm.bits()),
            _ => None,
        }
    }

    /// `x ** y` for a float result as Numba computes it (its LLVM code, not CPython's
    /// `pow`): an int exponent by binary exponentiation (unrolled when constant), a
    /// float exponent by libm `pow` with no error checks, except the constants LLVM
    /// rewrites: `0.5` (a square root), `1.0`, `2.0` and `-1.0`.
    pub fn numba_pow(&mut self, x: CV, y: &(Ty, Vals)) -> CResult<CV> {
        let int_exp = matches!(
            y.0,
            Ty::Int | Ty::Bool | Ty::Np(Dtype::Int64 | Dtype::Int32 | Dtype::Bool)
        );
        if int_exp {
            let n = self.conv_i64(y)?;
            let Some(e) = self.iconst_value(n).filter(|e| e.unsigned_abs() <= 0x10000) else {
                let slot = self.stack(8);
                let zero_div = self.call("pyston_powi_numba", &[x, n, slot])?[0];
                if !self.env.sem.numpy_division {
                    self.raise_zerodiv_if(zero_div)?;
                }
                return Ok(self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0));
            };
            let (mut r, mut a, mut k) = (None, x, e.unsigned_abs());
            while k != 0 {
                if k & 1 == 1 {
                    r = Some(match r {
                        None => a,
                        Some(r) => self.b.ins().fmul(r, a),
                    });
                }
                k >>= 1;
                if k != 0 {
                    a = self.b.ins().fmul(a, a);
                }
            }
            let r = r.unwrap_or_else(|| self.b.ins().f64const(1.0));
            if e < 0 {
                if !self.env.sem.numpy_division {
                    let zero = self.b.ins().f64const(0.0);
                    let z = self.b.ins().fcmp(FloatCC::Equal, r, zero);
                    self.raise_zerodiv_if(z)?;
                }
                let one = self.b.ins().f64const(1.0);
                return Ok(self.b.ins().fdiv(one, r));
            }
            return Ok(r);
        }
        let yv = self.conv_f64(y)?;
        Ok(match self.float_const(yv) {
            Some(1.0) => x,
            Some(2.0) => self.b.ins().fmul(x, x),
            Some(-1.0) => {
                let one = self.b.ins().f64const(1.0);
                self.b.ins().fdiv(one, x)
            }
            Some(0.5) => {
                // pow(x, 0.5) as a square root: -0.0 gives +0.0 and -inf gives +inf.
                let r = self.b.ins().sqrt(x);
                let r = self.b.ins().fabs(r);
                let ninf = self.b.ins().f64const(f64::NEG_INFINITY);
                let pinf = self.b.ins().f64const(f64::INFINITY);
                let is_ninf = self.b.ins().fcmp(FloatCC::Equal, x, ninf);
                self.b.ins().select(is_ninf, pinf, r)
            }
            _ => self.call("pow", &[x, yv])?[0],
        })
    }

    /// `x ** y` through `pow_call` (libm `pow` and its special cases), except that a
    /// constant `y == 0.5` is first tried as a square root. `sqrt` is correctly
    /// rounded; glibc's `pow` is not, but its documented error is at most
    /// 0.509 ULP from its `exp` plus `|y * log(x)| * 1.3 * 2**-15` ULP from its `log`
    /// (glibc before 2.28 rounded `pow` correctly). For x in [2**-64, 2**64] that is
    /// under 0.5099 ULP. So whenever the exact root lies within 0.488 ULP of
    /// `s = sqrt(x)`, `pow` must return `s` too: the other neighbour is more than
    /// 0.512 ULP away. The distance comes from the exact residual `s*s - x` (one
    /// FMA): `|s*s - x| < 0.976 * s * ulp(s)`. About 2.4% of inputs (and all outside
    /// that range) take `pow_call`, so the result is `pow`'s, bit for bit, on every
    /// input. Only where the platform's `pow` is glibc's and the CPU has FMA.
    pub fn sqrt_as_pow(
        &mut self,
        x: CV,
        y: CV,
        ty: clir::Type,
        pow_call: impl FnOnce(&mut Self) -> CResult<CV>,
    ) -> CResult<CV> {
        if ty != clt::F64
            || self.float_const(y) != Some(0.5)
            || !self.module.as_ref().is_some_and(|m| exact_sqrt_pow_host(m.isa()))
        {
            return pow_call(self);
        }
        // Only x in [2**-64, 2**64): one unsigned compare of the bits, which also
        // sends zeros, negatives, NaN and infinities to `pow_call`.
        let xb = self.b.ins().bitcast(clt::I64, MemFlagsData::new(), x);
        let (lo, hi) = (0x3bf0_0000_0000_0000_i64, 0x43f0_0000_0000_0000_i64);
        let off = self.b.ins().iadd_imm_s(xb, -lo);
        let in_range = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, off, hi - lo);
        let s = self.b.ins().sqrt(x);
        let negx = self.b.ins().fneg(x);
        let r = self.b.ins().fma(s, s, negx);
        let sb = self.b.ins().bitcast(clt::I64, MemFlagsData::new(), s);
        let next = self.b.ins().iadd_imm_s(sb, 1);
        let next = self.b.ins().bitcast(clt::F64, MemFlagsData::new(), next);
        let ulp = self.b.ins().fsub(next, s);
        let k = self.b.ins().f64const(0.976);
        let t = self.b.ins().fmul(s, ulp);
        let t = self.b.ins().fmul(t, k);
        // |r| < t, as r*r < t*t (neither can overflow, and r*r underflowing to 0 is
        // the good case).
        let r2 = self.b.ins().fmul(r, r);
        let t2 = self.b.ins().fmul(t, t);
        let close = self.b.ins().fcmp(FloatCC::LessThan, r2, t2);
        let ok = self.b.ins().band(in_range, close);
        let slow = self.b.create_block();
        let done = self.b.create_block();
        let res = self.b.append_block_param(done, clt::F64);
        self.b.ins().brif(ok, done, &[s.into()], slow, &[]);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let p = pow_call(self)?;
        self.b.ins().jump(done, &[p.into()]);
        self.b.switch_to_block(done);
        Ok(res)
    }

    /// Raises Numba's `ZeroDivisionError("division by zero")` when `cond` holds.
    pub fn raise_zerodiv_if(&mut self, cond: CV) -> CResult<()> {
        self.raise_if(cond, "pyston_raise_zerodiv", &[])
    }

    /// Where `cond` holds: the runtime helper `setter` (called with `args`)
    /// sets the exception, raised from the current instruction's line.
    fn raise_if(&mut self, cond: CV, setter: &str, args: &[CV]) -> CResult<()> {
        self.fail_where(cond, Some((setter, args)))
    }

    /// Where `cond` (nonzero) holds, a helper has already set the exception:
    /// raised from the current instruction's line.
    fn fail_if_set(&mut self, cond: CV) -> CResult<()> {
        self.fail_where(cond, None)
    }

    fn fail_where(&mut self, cond: CV, setter: Option<(&str, &[CV])>) -> CResult<()> {
        let failed = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(cond, failed, &[], ok, &[]);
        self.b.switch_to_block(failed);
        self.b.set_cold_block(failed);
        if let Some((setter, args)) = setter {
            self.call(setter, args)?;
        }
        let (cb, ck) = self.cur_inst;
        let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
        let ctx = self.ctx.unwrap();
        self.push_frame_and_fail(ctx, span)?;
        self.b.switch_to_block(ok);
        Ok(())
    }

    /// The value of a Cranelift float constant (f64 or f32).
    pub fn float_const(&self, v: CV) -> Option<f64> {
        let clir::ValueDef::Result(inst, _) = self.b.func.dfg.value_def(v) else {
            return None;
        };
        match self.b.func.dfg.insts[inst] {
            clir::InstructionData::UnaryIeee64 { imm, .. } => Some(f64::from_bits(imm.bits())),
            clir::InstructionData::UnaryIeee32 { imm, .. } => Some(f32::from_bits(imm.bits()) as f64),
            _ => None,
        }
    }

    /// Whether a Cranelift value is a float constant other than zero (a division by
    /// it needs no zero check).
    pub fn nonzero_fconst(&self, v: CV) -> bool {
        self.float_const(v).is_some_and(|c| c != 0.0)
    }

    /// Integer arithmetic with overflow checks: an overflow deoptimizes (a big
    /// int for Python ints; NumPy's wrap-and-warn for NumPy scalars).
    pub fn int_op(&mut self, op: BinOp, x: CV, y: CV, ty: clir::Type) -> CResult<CV> {
        let bits = ty.bits() as i64;
        let min = if ty == clt::I64 { i64::MIN } else { i32::MIN as i64 };
        Ok(match op {
            // Proven not to overflow, or wrapping (unchecked_int): the plain
            // instruction (the *_overflow forms cost more: one-operand imul, seto).
            BinOp::Add | BinOp::Sub | BinOp::Mul
                if self.env.sem.wrapping_ints
                    || self.facts.no_overflow.contains(&self.cur_inst)
                    || self.facts.wrapping.contains(&self.cur_inst) =>
            {
                match op {
                    BinOp::Add => self.b.ins().iadd(x, y),
                    BinOp::Sub => self.b.ins().isub(x, y),
                    _ => self.b.ins().imul(x, y),
                }
            }
            // `x + c` or `x - c` with a constant c: the wrapped result crossed x
            // exactly when the true one left the type (|c| < 2**(bits-1) + 1, so a
            // wrap moves the result past x): one compare-and-branch instead of
            // the overflow flag's set-and-test.
            BinOp::Add | BinOp::Sub if self.small_const_operand(op, x, y, ty).is_some() => {
                let (x, c, cv) = self.small_const_operand(op, x, y, ty).unwrap();
                let r = if op == BinOp::Add {
                    self.b.ins().iadd(x, cv)
                } else {
                    self.b.ins().isub(x, cv)
                };
                // It grows (c > 0 added, c < 0 subtracted): overflow iff r < x; else iff r > x.
                let grows = (c > 0) == (op == BinOp::Add);
                let cc = if grows {
                    IntCC::SignedLessThan
                } else {
                    IntCC::SignedGreaterThan
                };
                let of = self.b.ins().icmp(cc, r, x);
                self.deopt_if(of);
                r
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                let (r, of) = match op {
                    BinOp::Add => self.b.ins().sadd_overflow(x, y),
                    BinOp::Sub => self.b.ins().ssub_overflow(x, y),
                    _ => self.b.ins().smul_overflow(x, y),
                };
                self.deopt_if(of);
                r
            }
            BinOp::FloorDiv | BinOp::Mod
                if self
                    .iconst_value(y)
                    .is_some_and(|c| c > 0 && (c as u64).is_power_of_two()) =>
            {
                // Floor division and modulo by 2**k are an arithmetic shift and a
                // mask, exactly (Python's floor semantics; no overflow possible).
                let c = self.iconst_value(y).unwrap();
                if op == BinOp::FloorDiv {
                    self.b.ins().sshr_imm_u(x, c.trailing_zeros() as i64)
                } else {
                    self.b.ins().band_imm_s(x, c - 1)
                }
            }
            BinOp::FloorDiv | BinOp::Mod if self.iconst_value(y).is_none() => {
                // 0 <= x < y (a wrapped index `(i + 1) % n`): x % y is x and x // y is 0,
                // with no division; other operands take the general path.
                let nonneg = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, x, 0);
                let below = self.b.ins().icmp(IntCC::SignedLessThan, x, y);
                let easy = self.b.ins().band(nonneg, below);
                let fast = if op == BinOp::Mod {
                    x
                } else {
                    self.b.ins().iconst(ty, 0)
                };
                let slow = self.b.create_block();
                let done = self.b.create_block();
                let r = self.b.append_block_param(done, ty);
                self.b.ins().brif(easy, done, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let res = self.int_divmod(op, x, y, ty, min)?;
                self.b.ins().jump(done, &[BlockArg::Value(res)]);
                self.b.switch_to_block(done);
                r
            }
            BinOp::FloorDiv | BinOp::Mod => self.int_divmod(op, x, y, ty, min)?,
            BinOp::Pow => {
                let (x64, y64) = if ty == clt::I64 {
                    (x, y)
                } else {
                    (self.b.ins().sextend(clt::I64, x), self.b.ins().sextend(clt::I64, y))
                };
                let out = self.stack(8);
                let helper = if self.env.sem.wrapping_ints {
                    "pyston_ipow_wrap"
                } else {
                    "pyston_ipow"
                };
                let st = self.call(helper, &[x64, y64, out])?[0];
                self.deopt_if(st);
                let r = self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0);
                if ty == clt::I64 {
                    r
                } else if self.env.sem.wrapping_ints {
                    self.b.ins().ireduce(clt::I32, r)
                } else {
                    let lo = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, i32::MIN as i64);
                    let hi = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, r, i32::MAX as i64);
                    let bad = self.b.ins().bor(lo, hi);
                    self.deopt_if(bad);
                    self.b.ins().ireduce(clt::I32, r)
                }
            }
            BinOp::BitAnd => self.b.ins().band(x, y),
            BinOp::BitOr => self.b.ins().bor(x, y),
            BinOp::BitXor => self.b.ins().bxor(x, y),
            BinOp::LShift if self.env.sem.wrapping_ints => {
                // Wraps like Numba: shifting out every bit gives 0; a negative count deopts.
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, y, 0);
                self.deopt_if(neg);
                let big = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, y, bits);
                let r = self.b.ins().ishl(x, y);
                let z = self.b.ins().iconst(ty, 0);
                self.b.ins().select(big, z, r)
            }
            // Masked afterwards (a constant count below 64): the low bits are exact.
            BinOp::LShift if self.facts.wrapping.contains(&self.cur_inst) => self.b.ins().ishl(x, y),
            BinOp::LShift => {
                let bad = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, y, bits);
                self.deopt_if(bad);
                let r = self.b.ins().ishl(x, y);
                let back = self.b.ins().sshr(r, y);
                let lost = self.b.ins().icmp(IntCC::NotEqual, back, x);
                self.deopt_if(lost);
                r
            }
            BinOp::RShift => {
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, y, 0);
                self.deopt_if(neg);
                let cap = self.b.ins().iconst(ty, bits - 1);
                let big = self.b.ins().icmp(IntCC::SignedGreaterThan, y, cap);
                let sh = self.b.ins().select(big, cap, y);
                self.b.ins().sshr(x, sh)
            }
            BinOp::Div | BinOp::MatMul => return Err(internal("int_op")),
        })
    }

    /// NumPy's shifts of int dtype `d` (never a warning): a count that is negative
    /// or at least the width gives 0 (`>>` of a negative value: -1); `<<` wraps.
    /// `x` and `y` are exact i64s (uint64: bits); so is the result.
    pub fn np_shift(&mut self, op: BinOp, x: CV, y: CV, d: Dtype) -> CV {
        let bits = 8 * d.itemsize();
        let unsigned = d.is_unsigned();
        // Out of range: y < 0 (for signed d) or y >= bits, one unsigned test.
        let big = if unsigned || bits == 64 {
            self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, y, bits)
        } else {
            let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, y, 0);
            let wide = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, y, bits);
            self.b.ins().bor(neg, wide)
        };
        let count = self.b.ins().band_imm_s(y, 63);
        if op == BinOp::LShift {
            let r = self.b.ins().ishl(x, count);
            let r = if bits == 64 {
                r
            } else {
                let n = self.b.ins().ireduce(int_cl(d), r);
                self.widen_int(n, d)
            };
            let z = self.b.ins().iconst(clt::I64, 0);
            self.b.ins().select(big, z, r)
        } else if d == Dtype::UInt64 {
            let r = self.b.ins().ushr(x, count);
            let z = self.b.ins().iconst(clt::I64, 0);
            self.b.ins().select(big, z, r)
        } else {
            // x is exact in 64 bits (unsigned ones non-negative): an arithmetic
            // shift by min(y, 63) is right for every count.
            let sixty3 = self.b.ins().iconst(clt::I64, 63);
            let c = self.b.ins().select(big, sixty3, count);
            self.b.ins().sshr(x, c)
        }
    }

    /// `x OP y` on uint64 bits. Anything NumPy warns about (overflow, division
    /// by zero) or that needs care (powers, shifts out of range) deoptimizes.
    pub fn uint64_op(&mut self, op: BinOp, x: CV, y: CV) -> CResult<CV> {
        Ok(match op {
            // Numba (and unchecked_int): uint64 arithmetic wraps; an add the
            // numeric tier proved cannot overflow needs no check either.
            BinOp::Add if self.env.sem.wrapping_ints || self.facts.no_overflow.contains(&self.cur_inst) => {
                self.b.ins().iadd(x, y)
            }
            BinOp::Sub if self.env.sem.wrapping_ints => self.b.ins().isub(x, y),
            BinOp::Mul if self.env.sem.wrapping_ints => self.b.ins().imul(x, y),
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                let (r, of) = match op {
                    BinOp::Add => self.b.ins().uadd_overflow(x, y),
                    BinOp::Sub => self.b.ins().usub_overflow(x, y),
                    _ => self.b.ins().umul_overflow(x, y),
                };
                self.deopt_if(of);
                r
            }
            BinOp::FloorDiv | BinOp::Mod => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                self.deopt_if(zero);
                if op == BinOp::FloorDiv {
                    self.b.ins().udiv(x, y)
                } else {
                    self.b.ins().urem(x, y)
                }
            }
            BinOp::BitAnd => self.b.ins().band(x, y),
            BinOp::BitOr => self.b.ins().bor(x, y),
            BinOp::BitXor => self.b.ins().bxor(x, y),
            BinOp::LShift => {
                let big = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, y, 64);
                self.deopt_if(big);
                let r = self.b.ins().ishl(x, y);
                if !self.env.sem.wrapping_ints {
                    let back = self.b.ins().ushr(r, y);
                    let lost = self.b.ins().icmp(IntCC::NotEqual, back, x);
                    self.deopt_if(lost);
                }
                r
            }
            BinOp::RShift => {
                let big = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, y, 64);
                self.deopt_if(big);
                self.b.ins().ushr(x, y)
            }
            BinOp::Pow => {
                self.deopt_now(); // rare: NumPy computes it
                x
            }
            BinOp::Div | BinOp::MatMul => return Err(internal("uint64_op")),
        })
    }

    /// Python's floor division or modulo of ints: a zero divisor deoptimizes
    /// (ZeroDivisionError) unless `error_model="numpy"` (then 0), as does
    /// `MIN // -1` (the result needs a big int).
    pub fn int_divmod(&mut self, op: BinOp, x: CV, y: CV, ty: clir::Type, min: i64) -> CResult<CV> {
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        let y = if self.env.sem.numpy_division {
            // error_model="numpy": x // 0 and x % 0 are 0 (divide by 1, then select 0).
            let one = self.b.ins().iconst(ty, 1);
            self.b.ins().select(zero, one, y)
        } else {
            self.zero_div_if(zero, op)?;
            y
        };
        // One hardware division: `%` needs only the remainder (and MIN % -1 is 0 in
        // Cranelift's srem, as in Python); `//` takes its remainder from the quotient
        // (MIN // -1 overflows: a big int, so deopt).
        let (q, r) = if op == BinOp::FloorDiv {
            let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, x, min);
            let is_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
            let of = self.b.ins().band(is_min, is_m1);
            self.deopt_if(of);
            let q = self.b.ins().sdiv(x, y);
            let qy = self.b.ins().imul(q, y);
            (q, self.b.ins().isub(x, qy))
        } else {
            (x, self.b.ins().srem(x, y))
        };
        let rnz = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let sx = self.b.ins().bxor(r, y);
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, sx, 0);
        let adj = self.b.ins().band(rnz, neg);
        let res = if op == BinOp::FloorDiv {
            let adj = self.b.ins().uextend(ty, adj);
            self.b.ins().isub(q, adj)
        } else {
            let r2 = self.b.ins().iadd(r, y);
            self.b.ins().select(adj, r2, r)
        };
        Ok(if self.env.sem.numpy_division {
            let z = self.b.ins().iconst(ty, 0);
            self.b.ins().select(zero, z, res)
        } else {
            res
        })
    }

    pub fn float_op(&mut self, op: BinOp, x: CV, y: CV, ty: clir::Type, python: bool) -> CResult<CV> {
        let zero = if ty == clt::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().f32const(0.0)
        };
        // NumPy warns when its float arithmetic overflows or is invalid (inf
        // from finite operands, NaN from non-NaN ones); those results
        // deoptimize so NumPy itself computes them and warns. Done for / // %
        // (where it costs little next to the operation), not for + - *: a
        // check there costs more than the operation in tight loops, so those
        // warnings are not reproduced (docs/semantics.md).
        let np_checked = !python && self.env.sem.float_warnings;
        // x / c with a constant |c| >= 1 cannot overflow, nor make a NaN from non-NaN x.
        let tame_div = op == BinOp::Div && self.float_const(y).is_some_and(|c| c.abs() >= 1.0);
        if np_checked && !tame_div && matches!(op, BinOp::Div | BinOp::FloorDiv | BinOp::Mod) {
            let r = self.float_op(op, x, y, ty, true)?;
            self.np_float_check(r, &[x, y], ty);
            return Ok(r);
        }
        Ok(match op {
            BinOp::Add => self.b.ins().fadd(x, y),
            BinOp::Sub => self.b.ins().fsub(x, y),
            BinOp::Mul => self.b.ins().fmul(x, y),
            BinOp::Div => {
                if !self.env.sem.numpy_division && !self.nonzero_fconst(y) {
                    let z = self.b.ins().fcmp(FloatCC::Equal, y, zero);
                    if python {
                        self.zero_div_if(z, op)?;
                    } else {
                        self.deopt_if(z);
                    }
                }
                self.b.ins().fdiv(x, y)
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if !self.env.sem.numpy_division && !self.nonzero_fconst(y) {
                    let z = self.b.ins().fcmp(FloatCC::Equal, y, zero);
                    if python {
                        self.zero_div_if(z, op)?;
                    } else {
                        self.deopt_if(z);
                    }
                }
                let slot = self.stack(8);
                let name = if ty == clt::F64 {
                    "pyston_fdivmod"
                } else {
                    "pyston_fdivmod32"
                };
                let q = self.call(name, &[x, y, slot])?[0];
                if op == BinOp::FloorDiv {
                    q
                } else {
                    self.b.ins().load(ty, MemFlagsData::trusted(), slot, 0)
                }
            }
            BinOp::Pow if python => self.sqrt_as_pow(x, y, ty, |cg: &mut Self| {
                let slot = cg.stack(8);
                let st = cg.call("pyston_fpow", &[x, y, slot])?[0];
                cg.deopt_if(st);
                Ok(cg.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0))
            })?,
            BinOp::Pow => self.sqrt_as_pow(x, y, ty, |cg: &mut Self| {
                let r = if ty == clt::F64 {
                    cg.call("pow", &[x, y])?[0]
                } else {
                    cg.call("powf", &[x, y])?[0]
                };
                cg.check_math(r, &[x, y], ty);
                Ok(r)
            })?,
            _ => return Err(internal("float_op")),
        })
    }

    /// Deopts when `r` is inf from finite inputs or NaN from non-NaN inputs
    /// (NumPy's overflow/invalid warnings). The common path costs a multiply
    /// and a compare; the precise test runs only for non-finite results.
    pub fn np_float_check(&mut self, r: CV, inputs: &[CV], ty: clir::Type) {
        let zero = if ty == clt::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().f32const(0.0)
        };
        let t = self.b.ins().fmul(r, zero); // 0 for finite r, NaN otherwise
        let nonfinite = self.b.ins().fcmp(FloatCC::Unordered, t, t);
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(nonfinite, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        self.check_math(r, inputs, ty);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// CPython's math-module error rule: a NaN from non-NaN inputs is a domain
    /// error, an infinity from finite inputs an overflow: both deopt, and the
    /// interpreter raises the exact exception.
    pub fn check_math(&mut self, r: CV, inputs: &[CV], ty: clir::Type) {
        let r_nan = self.b.ins().fcmp(FloatCC::Unordered, r, r);
        let mut any_nan = self.b.ins().iconst(clt::I8, 0);
        let mut all_finite = self.b.ins().iconst(clt::I8, 1);
        let inf = if ty == clt::F64 {
            self.b.ins().f64const(f64::INFINITY)
        } else {
            self.b.ins().f32const(f32::INFINITY)
        };
        for x in inputs {
            let n = self.b.ins().fcmp(FloatCC::Unordered, *x, *x);
            any_nan = self.b.ins().bor(any_nan, n);
            let ax = self.b.ins().fabs(*x);
            let fin = self.b.ins().fcmp(FloatCC::LessThan, ax, inf);
            all_finite = self.b.ins().band(all_finite, fin);
        }
        let not_any_nan = self.b.ins().bxor_imm_s(any_nan, 1);
        let domain = self.b.ins().band(r_nan, not_any_nan);
        let ar = self.b.ins().fabs(r);
        let r_inf = self.b.ins().fcmp(FloatCC::Equal, ar, inf);
        let overflow = self.b.ins().band(r_inf, all_finite);
        let bad = self.b.ins().bor(domain, overflow);
        self.deopt_if(bad);
    }

    pub fn complex_op(&mut self, op: BinOp, (ar, ai): (CV, CV), (br, bi): (CV, CV), numpy: bool) -> CResult<(CV, CV)> {
        Ok(match op {
            BinOp::Add => (self.b.ins().fadd(ar, br), self.b.ins().fadd(ai, bi)),
            BinOp::Sub => (self.b.ins().fsub(ar, br), self.b.ins().fsub(ai, bi)),
            BinOp::Mul => {
                let p1 = self.b.ins().fmul(ar, br);
                let p2 = self.b.ins().fmul(ai, bi);
                let p3 = self.b.ins().fmul(ar, bi);
                let p4 = self.b.ins().fmul(ai, br);
                (self.b.ins().fsub(p1, p2), self.b.ins().fadd(p3, p4))
            }
            BinOp::Div => {
                let slot = self.stack(16);
                let name = if numpy { "pyston_npy_cdiv" } else { "pyston_cdiv" };
                let st = self.call(name, &[ar, ai, br, bi, slot])?[0];
                self.deopt_if(st);
                (
                    self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0),
                    self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 8),
                )
            }
            BinOp::Pow => {
                let c = Dtype::Complex128.index() as i64;
                self.complex_pow(if numpy { 1 + c + 64 * c } else { 0 }, (ar, ai), (br, bi))?
            }
            _ => return Err(internal("complex_op")),
        })
    }

    /// Complex `**` by CPython (`kinds` 0) or NumPy (`kinds` = 1 + the two
    /// operands' `pow_operand_kind`s, the right one times 64).
    fn complex_pow(&mut self, kinds: i64, (ar, ai): (CV, CV), (br, bi): (CV, CV)) -> CResult<(CV, CV)> {
        let slot = self.stack(16);
        let k = self.b.ins().iconst(clt::I32, kinds);
        let st = self.call("pyston_cpow", &[k, ar, ai, br, bi, slot])?[0];
        self.deopt_if(st);
        Ok((
            self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0),
            self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 8),
        ))
    }

    pub fn unary(&mut self, op: UnaryOp, a: &(Ty, Vals)) -> CResult<(Ty, Vals)> {
        let t = a.0.clone();
        if t == Ty::PyInt && op != UnaryOp::Not {
            let code = match op {
                UnaryOp::Neg => 100,
                UnaryOp::Pos => 101,
                _ => 102,
            };
            let ctx = self.ctx.unwrap();
            let cv = self.b.ins().iconst(clt::I32, code);
            let zero = self.b.ins().iconst(clt::I64, 0);
            let r = self.call("pyston_int_op", &[ctx, cv, a.1[0], zero])?[0];
            let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
            self.deopt_if(failed);
            return Ok((Ty::PyInt, vec![r]));
        }
        if matches!(t, Ty::Np(d) if d.is_time()) && op != UnaryOp::Not {
            return self.time_unary(op, a);
        }
        Ok(match op {
            UnaryOp::Not => {
                let v = self.truth(a)?;
                (Ty::Bool, vec![self.b.ins().bxor_imm_s(v, 1)])
            }
            UnaryOp::Pos => match t {
                Ty::Bool => (Ty::Int, vec![self.conv_i64(a)?]),
                _ => (t, a.1.clone()),
            },
            UnaryOp::Neg => match t {
                Ty::Bool => {
                    let v = self.conv_i64(a)?;
                    (Ty::Int, vec![self.b.ins().ineg(v)])
                }
                Ty::Int | Ty::Np(Dtype::Int64) | Ty::Np(Dtype::Int32) => {
                    let zero = self
                        .b
                        .ins()
                        .iconst(if t == Ty::Np(Dtype::Int32) { clt::I32 } else { clt::I64 }, 0);
                    let r = if self.env.sem.wrapping_ints {
                        self.b.ins().isub(zero, a.1[0])
                    } else {
                        let (r, of) = self.b.ins().ssub_overflow(zero, a.1[0]);
                        self.deopt_if(of);
                        r
                    };
                    (t, vec![r])
                }
                Ty::Np(d) if d.is_unsigned() => {
                    // NumPy wraps and warns unless the value is 0.
                    let nz = self.b.ins().icmp_imm_s(IntCC::NotEqual, a.1[0], 0);
                    self.deopt_if(nz);
                    (t, a.1.clone())
                }
                Ty::Np(d) if d.is_int() => {
                    let w = self.widen_int(a.1[0], d);
                    let r = self.b.ins().ineg(w);
                    (t, vec![self.narrow_checked(r, d)])
                }
                Ty::Float | Ty::Np(Dtype::Float64) | Ty::Np(Dtype::Float32) => (t, vec![self.b.ins().fneg(a.1[0])]),
                // NumPy flips the sign bit (`h ^ 0x8000`).
                Ty::Np(Dtype::Float16) => (t, vec![self.b.ins().bxor_imm_s(a.1[0], 0x8000)]),
                Ty::Complex | Ty::Np(Dtype::Complex128 | Dtype::Complex64) => {
                    (t, vec![self.b.ins().fneg(a.1[0]), self.b.ins().fneg(a.1[1])])
                }
                _ => return Err(internal("neg")),
            },
            UnaryOp::Invert => match t {
                Ty::Bool => {
                    // CPython 3.12+ warns (the helper warns; an error filter raises)
                    let failed = self.call("pyston_warn_bool_invert", &[])?[0];
                    self.fail_if_set(failed)?;
                    let v = self.conv_i64(a)?;
                    (Ty::Int, vec![self.b.ins().bnot(v)])
                }
                Ty::Np(Dtype::Bool) => (t, vec![self.b.ins().bxor_imm_s(a.1[0], 1)]),
                _ => (t, vec![self.b.ins().bnot(a.1[0])]),
            },
        })
    }

    pub fn truth(&mut self, a: &(Ty, Vals)) -> CResult<CV> {
        Ok(match &a.0 {
            Ty::PyInt => {
                let r = self.call("pyston_int_truth", &[a.1[0]])?[0];
                self.b.ins().ireduce(clt::I8, r)
            }
            Ty::Bool | Ty::Np(Dtype::Bool) => a.1[0],
            Ty::Int | Ty::Np(Dtype::Int64) | Ty::Np(Dtype::Int32) => {
                self.b.ins().icmp_imm_s(IntCC::NotEqual, a.1[0], 0)
            }
            Ty::Np(d) if d.is_int() => self.b.ins().icmp_imm_s(IntCC::NotEqual, a.1[0], 0),
            // A time value is true unless zero (NaT is true).
            Ty::Np(d) if d.is_time() => self.b.ins().icmp_imm_s(IntCC::NotEqual, a.1[0], 0),
            Ty::Float | Ty::Np(Dtype::Float64) => {
                let z = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, a.1[0], z)
            }
            Ty::Np(Dtype::Float32) => {
                let z = self.b.ins().f32const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, a.1[0], z)
            }
            Ty::Np(Dtype::Float16) => {
                // Nonzero unless +-0 (NaN is true).
                let m = self.b.ins().band_imm_s(a.1[0], 0x7fff);
                self.b.ins().icmp_imm_s(IntCC::NotEqual, m, 0)
            }
            Ty::Np(Dtype::Complex64) => {
                let z = self.b.ins().f32const(0.0);
                let r = self.b.ins().fcmp(FloatCC::NotEqual, a.1[0], z);
                let i = self.b.ins().fcmp(FloatCC::NotEqual, a.1[1], z);
                self.b.ins().bor(r, i)
            }
            Ty::Complex | Ty::Np(Dtype::Complex128) => {
                let z = self.b.ins().f64const(0.0);
                let r = self.b.ins().fcmp(FloatCC::NotEqual, a.1[0], z);
                let i = self.b.ins().fcmp(FloatCC::NotEqual, a.1[1], z);
                self.b.ins().bor(r, i)
            }
            Ty::NoneT => self.b.ins().iconst(clt::I8, 0),
            Ty::Tuple(ts) => self.b.ins().iconst(clt::I8, !ts.is_empty() as i64),
            t => return Err(internal(format!("truth of {t}"))),
        })
    }

    /// Deoptimizes when one operand is a NumPy integer (narrower than int64, or
    /// uint64) and the other a Python int outside that dtype's range, which
    /// NumPy 2 takes exactly and NumPy 1.x under weak promotion rejects with
    /// `OverflowError`: the installed NumPy decides.
    fn deopt_if_py_int_out_of_range(&mut self, a: &(Ty, Vals), b: &(Ty, Vals)) {
        for (x, y) in [(a, b), (b, a)] {
            if let (Ty::Np(d), Ty::Int) = (&x.0, &y.0) {
                if d.is_int() && *d != Dtype::Int64 {
                    let (lo, hi) = d.int_range();
                    let w = y.1[0];
                    let below = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, w, lo as i64);
                    let bad = if hi < i64::MAX as i128 {
                        let above = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, w, hi as i64);
                        self.b.ins().bor(below, above)
                    } else {
                        below
                    };
                    self.deopt_if(bad);
                }
            }
        }
    }

    pub fn compare(&mut self, op: CmpOp, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<(Ty, Vals)> {
        if a.0 == Ty::PyInt || b.0 == Ty::PyInt {
            let (x, y) = (self.as_pyint(a)?, self.as_pyint(b)?);
            let code = match op {
                CmpOp::Lt => 0,
                CmpOp::Le => 1,
                CmpOp::Eq => 2,
                CmpOp::Ne => 3,
                CmpOp::Gt => 4,
                CmpOp::Ge => 5,
            };
            let cv = self.b.ins().iconst(clt::I32, code);
            let r = self.call("pyston_int_cmp", &[cv, x, y])?[0];
            let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
            self.deopt_if(failed);
            return Ok((Ty::Bool, vec![self.b.ins().ireduce(clt::I8, r)]));
        }
        let icc = match op {
            CmpOp::Eq => IntCC::Equal,
            CmpOp::Ne => IntCC::NotEqual,
            CmpOp::Lt => IntCC::SignedLessThan,
            CmpOp::Le => IntCC::SignedLessThanOrEqual,
            CmpOp::Gt => IntCC::SignedGreaterThan,
            CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
        };
        let fcc = float_cc(op);
        if a.0 == Ty::NoneT || b.0 == Ty::NoneT {
            let eq = a.0 == b.0;
            let v = if op == CmpOp::Eq { eq } else { !eq };
            return Ok((Ty::Bool, vec![self.b.ins().iconst(clt::I8, v as i64)]));
        }
        if [a, b].iter().any(|t| matches!(t.0, Ty::Np(d) if d.is_time())) {
            let v = self.time_compare(op, a, b)?;
            return Ok((Ty::Np(Dtype::Bool), vec![v]));
        }
        // NumPy 1.x (weak promotion) rejects an out-of-range Python int here too.
        self.deopt_if_py_int_out_of_range(a, b);
        let (sa, sb) = (a.0.scalar().unwrap(), b.0.scalar().unwrap());
        let rt = cmp_result(sa, sb, !matches!(op, CmpOp::Eq | CmpOp::Ne)).ok_or_else(|| internal("cmp"))?;
        // The domain the comparison happens in.
        #[derive(PartialEq)]
        enum D {
            I64,
            U64,
            I32,
            F64,
            F32,
            F16,
            C,
            C64,
        }
        let kind_of = |s: Scalar| match s {
            Scalar::Py(k) => k,
            Scalar::Np(d) => d.kind(),
        };
        let d = match (sa, sb) {
            (Scalar::Py(x), Scalar::Py(y)) => match x.max(y) {
                Kind::Bool | Kind::Int => D::I64,
                Kind::Float => D::F64,
                Kind::Complex | Kind::Datetime | Kind::Timedelta | Kind::Record => D::C,
            },
            _ => {
                let dt = match (sa, sb) {
                    (Scalar::Np(x), Scalar::Np(y)) => Dtype::promote(x, y),
                    (Scalar::Np(x), Scalar::Py(k)) | (Scalar::Py(k), Scalar::Np(x)) => Dtype::promote_weak(x, k),
                    _ => None,
                }
                .ok_or_else(|| internal("cmp promote"))?;
                match dt {
                    Dtype::Bool | Dtype::Int64 => D::I64,
                    Dtype::Int32 => {
                        if kind_of(sa) == Kind::Int && kind_of(sb) == Kind::Int {
                            D::I64 // exact, like NumPy's comparison with Python ints
                        } else {
                            D::I32
                        }
                    }
                    // Integers compare exactly in NumPy, whatever their types
                    // (uint64 with a signed int too, though they promote to float64).
                    _ if kind_of(sa) <= Kind::Int && kind_of(sb) <= Kind::Int => {
                        let u64 = |s: Scalar| s == Scalar::Np(Dtype::UInt64);
                        if u64(sa) || u64(sb) {
                            D::U64
                        } else {
                            D::I64
                        }
                    }
                    Dtype::Float64 => D::F64,
                    Dtype::Float32 => D::F32,
                    Dtype::Float16 => D::F16,
                    Dtype::Complex128 => D::C,
                    Dtype::Complex64 => D::C64,
                    d => return Err(internal(format!("cmp in {d}"))),
                }
            }
        };
        let v = match d {
            D::I64 | D::I32 => {
                let (x, y) = (self.conv_i64(a)?, self.conv_i64(b)?);
                self.b.ins().icmp(icc, x, y)
            }
            D::U64 => {
                // A negative signed operand deoptimizes (the interpreter compares exactly).
                let (x, y) = (self.conv_u64(a)?, self.conv_u64(b)?);
                self.b.ins().icmp(icc.unsigned(), x, y)
            }
            D::F64 => {
                let py_mixed = matches!((sa, sb), (Scalar::Py(_), Scalar::Py(_)));
                let (x, y) = if py_mixed {
                    (self.exact_f64(a)?, self.exact_f64(b)?)
                } else {
                    (self.any_f64(a)?, self.any_f64(b)?)
                };
                self.b.ins().fcmp(fcc, x, y)
            }
            D::F32 => {
                let (x, y) = (self.conv_f32(a)?, self.conv_f32(b)?);
                self.b.ins().fcmp(fcc, x, y)
            }
            D::F16 => {
                // Both in float16 (a Python operand is cast to it, as NumPy does),
                // compared exactly as float32s.
                let (x, y) = (self.f16_operand(a)?, self.f16_operand(b)?);
                self.b.ins().fcmp(fcc, x, y)
            }
            D::C | D::C64 => {
                let ((ar, ai), (br, bi)) = if d == D::C64 {
                    (self.conv_c64(a)?, self.conv_c64(b)?)
                } else {
                    (self.conv_c128(a)?, self.conv_c128(b)?)
                };
                let r = self.b.ins().fcmp(FloatCC::Equal, ar, br);
                let i = self.b.ins().fcmp(FloatCC::Equal, ai, bi);
                let eq = self.b.ins().band(r, i);
                match op {
                    CmpOp::Eq => eq,
                    CmpOp::Ne => self.b.ins().bxor_imm_s(eq, 1),
                    _ => {
                        // NumPy's ordering compares a NaN part with C's `<`, which
                        // raises "invalid value" (a warning): the interpreter does it.
                        let nr = self.b.ins().fcmp(FloatCC::Unordered, ar, br);
                        let ni = self.b.ins().fcmp(FloatCC::Unordered, ai, bi);
                        let any_nan = self.b.ins().bor(nr, ni);
                        self.deopt_if(any_nan);
                        // NumPy orders complex numbers lexicographically:
                        // x < y  iff  (xr < yr and neither imag is NaN) or (xr == yr and xi < yi)
                        let ((xr, xi), (yr, yi)) = if matches!(op, CmpOp::Lt | CmpOp::Le) {
                            ((ar, ai), (br, bi))
                        } else {
                            ((br, bi), (ar, ai))
                        };
                        let lt_r = self.b.ins().fcmp(FloatCC::LessThan, xr, yr);
                        let ord_i = self.b.ins().fcmp(FloatCC::Ordered, xi, yi);
                        let first = self.b.ins().band(lt_r, ord_i);
                        let eq_r = self.b.ins().fcmp(FloatCC::Equal, xr, yr);
                        let icc = if matches!(op, CmpOp::Lt | CmpOp::Gt) {
                            FloatCC::LessThan
                        } else {
                            FloatCC::LessThanOrEqual
                        };
                        let cmp_i = self.b.ins().fcmp(icc, xi, yi);
                        let second = self.b.ins().band(eq_r, cmp_i);
                        self.b.ins().bor(first, second)
                    }
                }
            }
        };
        Ok((rt, vec![v]))
    }
}

/// The Cranelift type holding a value of integer dtype `d`.
pub fn int_cl(d: Dtype) -> clir::Type {
    match d.itemsize() {
        1 => clt::I8,
        2 => clt::I16,
        4 => clt::I32,
        _ => clt::I64,
    }
}

/// Every value of int dtype `s` is a value of int dtype `d`.
pub(super) fn fits_in(s: Dtype, d: Dtype) -> bool {
    let ((a, b), (c, e)) = (s.int_range(), d.int_range());
    c <= a && b <= e
}

/// How `pyston_cpow` rebuilds an operand of type `t`: a NumPy scalar's dtype
/// index, or 40-43 for a Python bool, int, float or complex.
fn pow_operand_kind(t: &Ty) -> i64 {
    match t {
        Ty::Np(d) => d.index() as i64,
        Ty::Bool => 40,
        Ty::Int => 41,
        Ty::Float => 42,
        _ => 43,
    }
}
