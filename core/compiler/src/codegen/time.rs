//! `datetime64` / `timedelta64` scalars: NumPy's datetime loops, natively.
//!
//! A time value is an i64 count of its unit, NaT being `i64::MIN`. The loops
//! reproduced here (NumPy's `umath/loops.c.src` and `datetime.c`):
//!
//! - mixed units convert both operands to the finer unit first, keeping NaT
//!   (`TimeUnit::common`);
//! - `+`/`-` (datetime - datetime, datetime +- timedelta, timedelta +-
//!   timedelta, a time value +- an integer count): NaT if an operand is NaT,
//!   else the sum;
//! - `timedelta * int`: NaT if the timedelta is NaT, else the product;
//!
//! Overflow is where NumPy versions differ: up to 2.4 a unit conversion, sum
//! or product that leaves i64 wraps (a result landing on i64::MIN reads as
//! NaT), from 2.5 it raises `OverflowError`. Compiled code computes only the
//! results every version agrees on: a conversion, sum or product of non-NaT
//! operands that overflows or lands on NaT deoptimizes, and the interpreter
//! tier lets the running NumPy decide.
//! - unary `-` wraps (NaT stays NaT), `abs` keeps NaT;
//! - `==` is false and `!=` true when either operand is NaT; every ordering
//!   with NaT is false;
//! - `%` and `/` of timedeltas compute natively when neither operand is NaT
//!   and the divisor is not zero; otherwise NumPy warns, so compiled code
//!   deoptimizes and the interpreter tier lets NumPy do it. (`//` gives a
//!   `np.longlong`, which compiled code does not hold: not typed, plain Python.)

use super::*;
use crate::types::TimeUnit;

impl Gen<'_, '_> {
    /// `v` (a count of `from`) as a count of `to` (finer or equal), NaT kept;
    /// a non-NaT count whose product leaves i64 (or lands on NaT) deoptimizes.
    fn time_convert(&mut self, v: CV, factor: i64) -> CV {
        if factor == 1 {
            return v;
        }
        let scaled = self.b.ins().imul_imm_s(v, factor);
        let nat = self.b.ins().icmp_imm_s(IntCC::Equal, v, i64::MIN);
        // In range iff MIN / factor < v <= MAX / factor (factor > 1).
        let lo = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThanOrEqual, v, i64::MIN / factor);
        let hi = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, v, i64::MAX / factor);
        let out = self.b.ins().bor(lo, hi);
        let ok = self.b.ins().bxor_imm_s(nat, 1);
        let bad = self.b.ins().band(out, ok);
        self.deopt_if(bad);
        let m = self.b.ins().iconst(clt::I64, i64::MIN);
        self.b.ins().select(nat, m, scaled)
    }

    /// `x + y` (or `x - y`) of two counts: NaT if either is NaT; a sum of
    /// non-NaT counts that overflows or lands on NaT deoptimizes.
    fn time_add(&mut self, x: CV, y: CV, sub: bool) -> CV {
        // Signed overflow: the flag of the add (or sub) itself.
        let (r, ovf) = if sub {
            self.b.ins().ssub_overflow(x, y)
        } else {
            self.b.ins().sadd_overflow(x, y)
        };
        let on_nat = self.is_nat(r);
        let bad = self.b.ins().bor(ovf, on_nat);
        let nx = self.is_nat(x);
        let ny = self.is_nat(y);
        let any = self.b.ins().bor(nx, ny);
        let ok = self.b.ins().bxor_imm_s(any, 1);
        let bad = self.b.ins().band(bad, ok);
        self.deopt_if(bad);
        let m = self.b.ins().iconst(clt::I64, i64::MIN);
        self.b.ins().select(any, m, r)
    }

    /// Both time operands in their common unit.
    fn time_pair(&mut self, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<(CV, CV)> {
        let unit = |t: &Ty| match t {
            Ty::Np(d) => d.time_unit(),
            _ => None,
        };
        let (ua, ub) = (
            unit(&a.0).ok_or_else(|| internal("time operand"))?,
            unit(&b.0).ok_or_else(|| internal("time operand"))?,
        );
        let (_, fa, fb) = TimeUnit::common(ua, ub).ok_or_else(|| internal("time units"))?;
        Ok((self.time_convert(a.1[0], fa), self.time_convert(b.1[0], fb)))
    }

    /// Whether an i64 is NaT.
    fn is_nat(&mut self, v: CV) -> CV {
        self.b.ins().icmp_imm_s(IntCC::Equal, v, i64::MIN)
    }

    /// `a OP b` with a time operand (typed by `types::time_binop_result`).
    pub fn time_binop(&mut self, op: BinOp, a: &(Ty, Vals), b: &(Ty, Vals), rt: &Ty) -> CResult<Vals> {
        let time = |t: &Ty| matches!(t, Ty::Np(d) if d.is_time());
        if time(&a.0) && time(&b.0) {
            let (x, y) = self.time_pair(a, b)?;
            return Ok(vec![match op {
                BinOp::Add | BinOp::Sub => self.time_add(x, y, op == BinOp::Sub),
                BinOp::Mod | BinOp::Div => {
                    // NaT operands and zero divisors: NumPy's warnings (the interpreter).
                    let nx = self.is_nat(x);
                    let ny = self.is_nat(y);
                    let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                    let bad = self.b.ins().bor(nx, ny);
                    let bad = self.b.ins().bor(bad, zero);
                    self.deopt_if(bad);
                    if op == BinOp::Div {
                        let fx = self.b.ins().fcvt_from_sint(clt::F64, x);
                        let fy = self.b.ins().fcvt_from_sint(clt::F64, y);
                        self.b.ins().fdiv(fx, fy)
                    } else {
                        // Neither is NaT (i64::MIN) and y != 0: no trapping case.
                        // Guard the divisor anyway (predicated deopts may not branch).
                        let one = self.b.ins().iconst(clt::I64, 1);
                        let safe_y = self.b.ins().select(zero, one, y);
                        let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                        let m1 = self.b.ins().icmp_imm_s(IntCC::Equal, safe_y, -1);
                        let ovf = self.b.ins().band(min, m1);
                        let safe_y = self.b.ins().select(ovf, one, safe_y);
                        let r = self.b.ins().srem(x, safe_y);
                        // Python's sign rule: add the divisor when the remainder is
                        // nonzero and its sign differs from the divisor's.
                        let rnz = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
                        let sx = self.b.ins().bxor(r, safe_y);
                        let diff = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, sx, 0);
                        let adj = self.b.ins().band(rnz, diff);
                        let r1 = self.b.ins().iadd(r, safe_y);
                        self.b.ins().select(adj, r1, r)
                    }
                }
                _ => return Err(internal(format!("time binop {}", op.symbol()))),
            }]);
        }
        // A time value and an integer count (of the time value's unit).
        let (t, n, time_first) = if time(&a.0) { (a, b, true) } else { (b, a, false) };
        let v = t.1[0];
        let k = self.conv_i64(n)?;
        let r = match op {
            BinOp::Add => self.time_add(v, k, false),
            BinOp::Sub if time_first => self.time_add(v, k, true),
            BinOp::Sub => self.time_add(k, v, true),
            BinOp::Mul => {
                let r = self.b.ins().imul(v, k);
                // Overflow: the high half is not the low half's sign extension.
                let hi = self.b.ins().smulhi(v, k);
                let sign = self.b.ins().sshr_imm_s(r, 63);
                let ovf = self.b.ins().icmp(IntCC::NotEqual, hi, sign);
                let on_nat = self.is_nat(r);
                let bad = self.b.ins().bor(ovf, on_nat);
                let nat = self.is_nat(v);
                let ok = self.b.ins().bxor_imm_s(nat, 1);
                let bad = self.b.ins().band(bad, ok);
                self.deopt_if(bad);
                let m = self.b.ins().iconst(clt::I64, i64::MIN);
                self.b.ins().select(nat, m, r)
            }
            _ => return Err(internal(format!("time binop {} giving {rt}", op.symbol()))),
        };
        Ok(vec![r])
    }

    /// `-td`, `+td`.
    pub fn time_unary(&mut self, op: UnaryOp, a: &(Ty, Vals)) -> CResult<(Ty, Vals)> {
        Ok(match op {
            UnaryOp::Pos => (a.0.clone(), a.1.clone()),
            // Wrapping: -NaT is NaT.
            UnaryOp::Neg => (a.0.clone(), vec![self.b.ins().ineg(a.1[0])]),
            _ => return Err(internal("time unary")),
        })
    }

    /// `abs(td)`: NaT stays NaT (its negation wraps to itself).
    pub fn time_abs(&mut self, a: &(Ty, Vals)) -> Vals {
        let v = a.1[0];
        let n = self.b.ins().ineg(v);
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, 0);
        vec![self.b.ins().select(neg, n, v)]
    }

    /// `a CMP b` for two time values of the same kind.
    pub fn time_compare(&mut self, op: CmpOp, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<CV> {
        let (x, y) = self.time_pair(a, b)?;
        let icc = match op {
            CmpOp::Eq => IntCC::Equal,
            CmpOp::Ne => IntCC::NotEqual,
            CmpOp::Lt => IntCC::SignedLessThan,
            CmpOp::Le => IntCC::SignedLessThanOrEqual,
            CmpOp::Gt => IntCC::SignedGreaterThan,
            CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
        };
        let c = self.b.ins().icmp(icc, x, y);
        // NaT is i64::MIN, the least count: one operand's test decides. `x == y`,
        // `x < y`, `x <= y` with x not NaT make y not NaT either (y == x or y > x);
        // `x > y`, `x >= y` with y not NaT likewise make x not NaT; `x != y` is
        // true with a NaT x, and with a NaT y and another x it is true anyway.
        let probe = if matches!(op, CmpOp::Gt | CmpOp::Ge) { y } else { x };
        let nat = self.is_nat(probe);
        Ok(if op == CmpOp::Ne {
            self.b.ins().bor(c, nat)
        } else {
            let ok = self.b.ins().bxor_imm_s(nat, 1);
            self.b.ins().band(c, ok)
        })
    }

    /// `np.isnat(x)` of a time scalar.
    pub fn time_isnat(&mut self, a: &(Ty, Vals)) -> CV {
        self.is_nat(a.1[0])
    }
}
