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
//!
//! NaT tests are skipped where a fact proves them (`Gen::not_nat`): inside
//! `if d == d:` (or another comparison that holds only for valid values) and
//! for sums of proven values; a loop value whose NaT-ness cannot change in the
//! loop (`Gen::nat_invariant`) is tested once, before the loop.

use super::*;
use crate::types::TimeUnit;

/// What compiled code knows about an operand's NaT-ness.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nat {
    /// Proven not NaT (`Gen::not_nat`).
    Never,
    /// NaT exactly when this flag (made before the loop) is set; its negation.
    Flag(CV, CV),
    /// Test it.
    Unknown,
}

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
    ///
    /// The common case (no NaT operand, no overflow, not landing on NaT) is
    /// one test and yields the sum itself; a cold block handles the rest (NaT,
    /// or deoptimize), so a carried total depends on the add alone, not on a
    /// select. `known` says which operands are proven not NaT (`not_nat`):
    /// those are not tested.
    fn time_add(&mut self, x: CV, y: CV, sub: bool, known: (Nat, Nat)) -> CV {
        // Signed overflow: the flag of the add (or sub) itself.
        let (r, ovf) = if sub {
            self.b.ins().ssub_overflow(x, y)
        } else {
            self.b.ins().sadd_overflow(x, y)
        };
        let on_nat = self.is_nat(r);
        let mut rare = self.b.ins().bor(ovf, on_nat);
        let mut any: Option<CV> = None;
        for (v, k) in [(x, known.0), (y, known.1)] {
            let n = match k {
                Nat::Never => continue,
                Nat::Flag(f, _) => f,
                Nat::Unknown => self.is_nat(v),
            };
            any = Some(match any {
                Some(a) => self.b.ins().bor(a, n),
                None => n,
            });
        }
        if let Some(a) = any {
            rare = self.b.ins().bor(rare, a);
        }
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        let out = self.b.append_block_param(cont, clt::I64);
        self.b.set_cold_block(slow);
        self.b.ins().brif(rare, slow, &[], cont, &[BlockArg::Value(r)]);
        self.b.switch_to_block(slow);
        // A NaT operand gives NaT; otherwise the sum overflowed or landed on NaT.
        match any {
            Some(a) => {
                let ok = self.b.ins().bxor_imm_s(a, 1);
                self.deopt_if(ok);
            }
            None => self.deopt_now(),
        }
        let m = self.b.ins().iconst(clt::I64, i64::MIN);
        self.b.ins().jump(cont, &[BlockArg::Value(m)]);
        self.b.switch_to_block(cont);
        out
    }

    /// The IR operands of the instruction being lowered, when it is the binary
    /// operation or comparison of exactly these values (not an operation a
    /// pass lowers on values of its own).
    fn time_operands(&self, a: &(Ty, Vals), b: &(Ty, Vals)) -> Option<(Value, Value)> {
        let (blk, k) = self.cur_inst;
        let inst = self.f.block(blk).insts.get(k)?;
        if !matches!(inst.op, Op::Bin { .. } | Op::Cmp(_)) || inst.args.len() != 2 {
            return None;
        }
        let same = |v: Value, x: &(Ty, Vals)| self.vals.get(&v) == Some(&x.1) && self.ty(v) == x.0;
        (same(inst.args[0], a) && same(inst.args[1], b)).then_some((inst.args[0], inst.args[1]))
    }

    /// A time comparison `c` (perhaps through `truth`): its operator and operands.
    fn time_cmp_of(&self, c: Value) -> Option<(CmpOp, Value, Value)> {
        let &(db, dk) = self.defs.get(&c)?;
        let inst = &self.f.block(db).insts[dk];
        let time = |v: Value| matches!(self.ty(v), Ty::Np(d) if d.is_time());
        match inst.op {
            Op::Truth => self.time_cmp_of(inst.args[0]),
            Op::Cmp(op) if inst.args.len() == 2 && time(inst.args[0]) && time(inst.args[1]) => {
                Some((op, inst.args[0], inst.args[1]))
            }
            _ => None,
        }
    }

    /// Whether time value `v` is proven not NaT wherever block `at` runs:
    ///
    /// - `at` is dominated by the side of a branch on a time comparison that
    ///   holds only for non-NaT operands (`==`, `<`, `<=`, `>`, `>=` true, `!=`
    ///   false: NaT compares unequal and unordered), entered only from that
    ///   branch, and `v` is an operand of the comparison. (SSA: the value
    ///   compared is the one `at` sees.)
    /// - `v` is `x + y` or `x - y` of two time values proven not NaT where the
    ///   operation runs: its result is the sum, or the operation deoptimized.
    ///
    /// In an if-converted arm (run whatever the branch says) a fact may be
    /// false, but there only the arm's values (discarded unless it is taken)
    /// and its predicated deopts depend on it.
    fn not_nat(&self, v: Value, at: Block, depth: u32) -> bool {
        for (bi, bd) in self.f.blocks.iter().enumerate() {
            let Term::Br(c, t, e) = &bd.term else { continue };
            let Some((op, x, y)) = self.time_cmp_of(*c) else {
                continue;
            };
            if x != v && y != v {
                continue;
            }
            let (side, other) = if op == CmpOp::Ne { (e, t) } else { (t, e) };
            if side.block != other.block
                && self.preds_of(side.block) == [Block(bi as u32)]
                && self.dominates(side.block, at)
            {
                return true;
            }
        }
        if depth == 0 {
            return false;
        }
        let Some(&(db, dk)) = self.defs.get(&v) else {
            return false;
        };
        let inst = &self.f.block(db).insts[dk];
        let time = |v: Value| matches!(self.ty(v), Ty::Np(d) if d.is_time());
        matches!(
            inst.op,
            Op::Bin {
                op: BinOp::Add | BinOp::Sub,
                ..
            }
        ) && inst.args.len() == 2
            && inst.args.iter().all(|a| time(*a) && self.not_nat(*a, db, depth - 1))
    }

    /// What is known of the NaT-ness of the operands of the time operation
    /// being lowered.
    fn known_not_nat(&self, a: &(Ty, Vals), b: &(Ty, Vals)) -> (Nat, Nat) {
        let Some((x, y)) = self.time_operands(a, b) else {
            return (Nat::Unknown, Nat::Unknown);
        };
        let at = self.cur_inst.0;
        let state = |v: Value| {
            if self.not_nat(v, at, 3) {
                Nat::Never
            } else if let Some(&(f, nf)) = self.nat_entry.get(&v) {
                Nat::Flag(f, nf)
            } else {
                Nat::Unknown
            }
        };
        (state(x), state(y))
    }

    /// Before entering the loop headed by `header` (entry arguments `args`):
    /// the NaT test of each NaT-invariant time parameter's entry value.
    pub fn note_nat_entry(&mut self, header: Block, args: &[BlockArg]) {
        let entries = self
            .preds_of(header)
            .iter()
            .filter(|p| !self.dominates(header, **p))
            .count();
        if entries != 1 {
            return;
        }
        let params = self.f.block(header).params.clone();
        let mut slot = 0;
        for p in params {
            let t = self.ty(p);
            let n = abi::slot_count(&t);
            if matches!(t, Ty::Np(d) if d.is_time()) && self.nat_invariant(header, p) {
                if let Some(BlockArg::Value(v)) = args.get(slot) {
                    let f = self.is_nat(*v);
                    let nf = self.b.ins().icmp_imm_s(IntCC::NotEqual, *v, i64::MIN);
                    self.nat_entry.insert(p, (f, nf));
                }
            }
            slot += n;
        }
    }

    /// Whether loop parameter `p` of `header` is NaT in every iteration exactly
    /// when it is NaT on entry: each value a back edge passes for it is `p`
    /// itself, `p + y` / `p - y` / `y - p` with `y` proven not NaT there (NaT
    /// stays NaT; a non-NaT sum is not NaT or deoptimizes), a value proven not
    /// NaT where `p` is proven not NaT too (a path only a non-NaT `p` takes:
    /// `if d > big: big = d`), or a merge of such values.
    fn nat_invariant(&self, header: Block, p: Value) -> bool {
        let Some(&(_, idx)) = self.param_defs.get(&p) else {
            return false;
        };
        self.preds_of(header)
            .iter()
            .filter(|l| self.dominates(header, **l))
            .all(|&l| {
                self.edge_values(l, header, idx)
                    .is_some_and(|vs| vs.iter().all(|v| self.keeps_nat(*v, p, l, header, 6)))
            })
    }

    /// The values the edges from `from` to `to` pass for `to`'s parameter `idx`.
    fn edge_values(&self, from: Block, to: Block, idx: usize) -> Option<Vec<Value>> {
        let edges: Vec<&ir::Edge> = self
            .f
            .block(from)
            .term
            .successors()
            .into_iter()
            .filter(|e| e.block == to)
            .collect();
        if edges.is_empty() || self.f.block(from).handler.is_some() {
            return None;
        }
        edges.iter().map(|e| e.args.get(idx).copied()).collect()
    }

    /// See `nat_invariant`: `v`, passed on an edge leaving `at`.
    fn keeps_nat(&self, v: Value, p: Value, at: Block, header: Block, depth: u32) -> bool {
        if v == p {
            return true;
        }
        if depth == 0 {
            return false;
        }
        if let Some(&(m, idx)) = self.param_defs.get(&v) {
            // A merge inside the loop: every incoming value keeps it.
            return m != header
                && self.dominates(header, m)
                && self.preds_of(m).iter().all(|&q| {
                    self.dominates(header, q)
                        && self
                            .edge_values(q, m, idx)
                            .is_some_and(|vs| vs.iter().all(|w| self.keeps_nat(*w, p, q, header, depth - 1)))
                });
        }
        if let Some(&(db, dk)) = self.defs.get(&v) {
            let inst = &self.f.block(db).insts[dk];
            if matches!(
                inst.op,
                Op::Bin {
                    op: BinOp::Add | BinOp::Sub,
                    ..
                }
            ) && inst.args.len() == 2
                && self.ty(inst.args[0]) == self.ty(p)
                && self.ty(inst.args[1]) == self.ty(p)
            {
                let (a, b) = (inst.args[0], inst.args[1]);
                if (a == p && self.not_nat(b, db, 3)) || (b == p && self.not_nat(a, db, 3)) {
                    return true;
                }
            }
        }
        self.not_nat(v, at, 3) && self.not_nat(p, at, 3)
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
            let known = self.known_not_nat(a, b);
            let (x, y) = self.time_pair(a, b)?;
            return Ok(vec![match op {
                BinOp::Add | BinOp::Sub => self.time_add(x, y, op == BinOp::Sub, known),
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
            BinOp::Add => self.time_add(v, k, false, (Nat::Unknown, Nat::Unknown)),
            BinOp::Sub if time_first => self.time_add(v, k, true, (Nat::Unknown, Nat::Unknown)),
            BinOp::Sub => self.time_add(k, v, true, (Nat::Unknown, Nat::Unknown)),
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
        let known = self.known_not_nat(a, b);
        let (x, y) = self.time_pair(a, b)?;
        if a == b {
            // `d == d` (NumPy's NaT test): true exactly when d is not NaT.
            return Ok(match op {
                CmpOp::Eq | CmpOp::Le | CmpOp::Ge => self.b.ins().icmp_imm_s(IntCC::NotEqual, x, i64::MIN),
                CmpOp::Ne => self.is_nat(x),
                CmpOp::Lt | CmpOp::Gt => self.b.ins().iconst(clt::I8, 0),
            });
        }
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
        let (probe, state) = if matches!(op, CmpOp::Gt | CmpOp::Ge) {
            (y, known.1)
        } else {
            (x, known.0)
        };
        Ok(match (state, op) {
            // The probe is not NaT: the comparison of the counts decides.
            (Nat::Never, _) => c,
            (Nat::Flag(f, _), CmpOp::Ne) => self.b.ins().bor(c, f),
            (Nat::Flag(_, nf), _) => self.b.ins().band(c, nf),
            (Nat::Unknown, CmpOp::Ne) => {
                let nat = self.is_nat(probe);
                self.b.ins().bor(c, nat)
            }
            (Nat::Unknown, _) => {
                let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, probe, i64::MIN);
                self.b.ins().band(c, ok)
            }
        })
    }

    /// `np.isnat(x)` of a time scalar.
    pub fn time_isnat(&mut self, a: &(Ty, Vals)) -> CV {
        self.is_nat(a.1[0])
    }
}
