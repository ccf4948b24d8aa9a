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
//!
//! When that loop is the whole body of a counted loop over its `x`,
//!
//! ```python
//! for i in range(start, stop):
//!     x = i
//!     while x: ...          # as above
//! ```
//!
//! the counted loop also gets a SIMD version (`emit_popcount_range`), the way
//! LLVM vectorizes the loop once it has become `total += ctpop(i)`: four
//! counters per 128-bit vector, bit counts per byte, byte sums widened every
//! 31 steps. It runs where that is exact (`0 <= start`, `stop < 2**31` so
//! every counter fits an `int32` lane, and a final total that fits an `int64`);
//! otherwise, and for the last few iterations, the scalar loop runs.
//!
//! Counting the true elements of a contiguous 1-D bool array,
//!
//! ```python
//! for i in range(start, stop):
//!     if flags[i]:
//!         count += c
//! ```
//!
//! (every index proven in bounds by `ranges`) gets a SIMD version too: 16
//! bytes compared with zero per vector, the zero lanes widened into 32-bit
//! counters; exact while the total fits in an `int64` (else the scalar loop
//! redoes the loop, which has no side effects).
//!
//! Masked int arithmetic, `(h * 31 + x) & 0xFFFFFFFF` or `(x << 13) & M`: an
//! int `+ - * <<` whose only use is `& M` (`M` a constant >= 0), directly or
//! through other such operations, needs no overflow check. Python's result is
//! a big int only in between, and `& M` keeps its low 63 bits, which are the
//! low bits of the wrapping 64-bit result (`+ - * <<` are exact modulo 2**64).
//! The chain must be consecutive within one block, so no deoptimization point
//! can see a wrapped value in between.

use crate::prelude::*;
use crate::simd::SimdGen; // range_test, loop_defined: the counted-loop shape

/// A loop in the shape above: its header's parameters `x` and `total`, and `c`.
#[derive(Clone, Copy, Debug)]
pub struct PopcountLoop {
    x_index: usize,
    total_index: usize,
    step: i64,
}

/// A counted loop whose body is a `PopcountLoop` over its counter (see the
/// module docs): the header's parameters `i` and `total`, its bound, and `c`.
#[derive(Clone, Copy, Debug)]
pub struct PopcountRange {
    var_index: usize,
    total_index: usize,
    stop: Value,
    step: i64,
}

/// A counted loop adding `c` to a total for each true element of a bool array
/// (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct BoolCount {
    var_index: usize,
    total_index: usize,
    stop: Value,
    array: Value,
    step: i64,
}

/// Where a counting SIMD loop ended: its start `(i0, s0)`, the `i` it reached,
/// and the count to add to the total, `step` at a time.
pub(crate) struct CountEnds {
    i0: CV,
    s0: CV,
    i: CV,
    count: CV,
    step: i64,
}

/// Counters per vector, vectors per step, and steps before the byte sums
/// (at most 8 per step) are widened.
const RANGE_LANES: i64 = 4;
const RANGE_UNROLL: i64 = 4;
const RANGE_BLOCK: i64 = 31;

/// A block's instructions other than constants, with their positions.
fn non_const(d: &ir::BlockData) -> Vec<(usize, &ir::Inst)> {
    d.insts
        .iter()
        .enumerate()
        .filter(|(_, i)| !matches!(i.op, Op::Const(_)))
        .collect()
}

/// The loops each idiom takes over, by header.
#[derive(Default)]
pub struct IdiomPlans {
    /// Bit-counting loops done in one step on entry.
    pub popcount_loops: HashMap<Block, PopcountLoop>,
    /// Counted loops summing the bit counts of their counter, with a SIMD version.
    pub popcount_ranges: HashMap<Block, PopcountRange>,
    /// Counted loops counting the true elements of a bool array, with a SIMD version.
    pub bool_counts: HashMap<Block, BoolCount>,
    /// The plans as text ([`describe`]), when the environment asks for it.
    pub text: String,
}

/// The idioms found, as text: one line per loop (by kind, then header), then
/// the masked int operations that may wrap.
pub fn describe(f: &ir::Function, p: &IdiomPlans, wrapping: &HashSet<(Block, usize)>) -> String {
    fn sorted<T>(m: &HashMap<Block, T>) -> Vec<(Block, &T)> {
        let mut v: Vec<(Block, &T)> = m.iter().map(|(b, t)| (*b, t)).collect();
        v.sort_by_key(|(b, _)| *b);
        v
    }
    let mut s = String::new();
    for (h, l) in sorted(&p.popcount_loops) {
        let ps = &f.block(h).params;
        let (x, t) = (ps[l.x_index], ps[l.total_index]);
        s.push_str(&format!(
            "popcount {h}: while {x}: {x} &= {x} - 1; {t} += {} => {t} += {} * popcount({x}) on entry\n",
            l.step, l.step
        ));
    }
    for (h, l) in sorted(&p.popcount_ranges) {
        let ps = &f.block(h).params;
        let (i, t) = (ps[l.var_index], ps[l.total_index]);
        s.push_str(&format!(
            "popcount_range {h}: for {i} < {}: {t} += {} * popcount({i}); SIMD {RANGE_LANES} x i32 counters, unroll {RANGE_UNROLL}\n",
            l.stop, l.step
        ));
    }
    for (h, l) in sorted(&p.bool_counts) {
        let ps = &f.block(h).params;
        let (i, t) = (ps[l.var_index], ps[l.total_index]);
        s.push_str(&format!(
            "bool_count {h}: for {i} < {}: {t} += {} if {}[{i}]; SIMD 16 x i8 compares\n",
            l.stop, l.step, l.array
        ));
    }
    let mut w: Vec<_> = wrapping.iter().copied().collect();
    w.sort();
    for (b, k) in w {
        s.push_str(&format!("wrapping {b}[{k}]: {}\n", crate::inst_text(f, b, k)));
    }
    s
}

/// This pass's code generation, as methods on the compiler's `Gen`.
pub(crate) trait IdiomsGen {
    fn plan_wrapping(&self) -> HashSet<(Block, usize)>;
    fn plan_idioms(&self) -> IdiomPlans;
    fn counted_header(&self, header: Block, h: &ir::BlockData) -> Option<(usize, usize, Value, Block)>;
    fn is_latch(&self, latch: Block, header: Block, var_index: usize, total: Value) -> bool;
    fn bool_count_plan(&self, header: Block, h: &ir::BlockData) -> Option<BoolCount>;
    fn emit_bool_count(&mut self, p: BoolCount, args: &[BlockArg]) -> CResult<Vec<BlockArg>>;
    fn finish_count(
        &mut self,
        e: CountEnds,
        out: clir::Block,
        args: &[BlockArg],
        vi: usize,
        ti: usize,
    ) -> Vec<BlockArg>;
    fn skip_empty(&self, b: Block) -> Option<(Block, Option<ir::Edge>)>;
    fn popcount_range_plan(
        &self,
        header: Block,
        h: &ir::BlockData,
        loops: &HashMap<Block, PopcountLoop>,
    ) -> Option<PopcountRange>;
    fn emit_popcount_range(&mut self, p: PopcountRange, args: &[BlockArg]) -> CResult<Vec<BlockArg>>;
    fn popcount_plan(&self, header: Block, h: &ir::BlockData) -> Option<PopcountLoop>;
    fn emit_popcount(&mut self, p: PopcountLoop, args: &[BlockArg]) -> CResult<Vec<BlockArg>>;
}

impl IdiomsGen for Gen<'_, '_> {
    /// The int `+ - * <<` instructions that may wrap (see the module docs).
    fn plan_wrapping(&self) -> HashSet<(Block, usize)> {
        // Every use of every value: (block, instruction), or None for a terminator.
        let mut uses: HashMap<Value, Vec<(Block, Option<usize>)>> = HashMap::new();
        for (bi, d) in self.f.blocks.iter().enumerate() {
            let blk = Block(bi as u32);
            for (k, inst) in d.insts.iter().enumerate() {
                for a in &inst.args {
                    uses.entry(*a).or_default().push((blk, Some(k)));
                }
            }
            for v in d.term.uses() {
                uses.entry(v).or_default().push((blk, None));
            }
        }
        let nonneg_const = |v: Value| matches!(self.consts.get(&v), Some(Const::Int(c)) if *c >= 0);
        let mut wrapping = HashSet::new();
        for (bi, d) in self.f.blocks.iter().enumerate() {
            let blk = Block(bi as u32);
            for k in (0..d.insts.len()).rev() {
                let inst = &d.insts[k];
                let Some(r) = inst.result else { continue };
                let Op::Bin { op, .. } = inst.op else { continue };
                let shift_ok = match op {
                    BinOp::Add | BinOp::Sub | BinOp::Mul => true,
                    BinOp::LShift => {
                        matches!(self.consts.get(&inst.args[1]), Some(Const::Int(c)) if (0..64).contains(c))
                    }
                    _ => false,
                };
                let ints = std::iter::once(&r)
                    .chain(&inst.args)
                    .all(|v| *self.typed.ty(*v) == Ty::Int);
                if !shift_ok || !ints || self.env.pycalls.contains_key(&(blk, k)) {
                    continue;
                }
                let Some(us) = uses.get(&r) else { continue };
                let mut last = k;
                let ok = us.iter().all(|&(ub, uk)| {
                    let Some(uk) = uk.filter(|_| ub == blk) else {
                        return false;
                    };
                    let u = &d.insts[uk];
                    last = last.max(uk);
                    let masked = matches!(u.op, Op::Bin { op: BinOp::BitAnd, .. })
                        && u.args.iter().any(|a| *a != r && nonneg_const(*a))
                        && u.args.iter().filter(|a| **a == r).count() == 1;
                    masked || wrapping.contains(&(blk, uk))
                });
                // Nothing in between may leave compiled code (constants and the chain only).
                let between = (k + 1..last).all(|j| {
                    matches!(d.insts[j].op, Op::Const(_))
                        || wrapping.contains(&(blk, j))
                        || us.contains(&(blk, Some(j)))
                });
                if ok && between && last > k {
                    wrapping.insert((blk, k));
                }
            }
        }
        wrapping
    }

    fn plan_idioms(&self) -> IdiomPlans {
        let mut plans = IdiomPlans::default();
        for (hi, h) in self.f.blocks.iter().enumerate() {
            let header = Block(hi as u32);
            if let Some(p) = self.popcount_plan(header, h) {
                plans.popcount_loops.insert(header, p);
            }
        }
        for (hi, h) in self.f.blocks.iter().enumerate() {
            let header = Block(hi as u32);
            if let Some(p) = self.popcount_range_plan(header, h, &plans.popcount_loops) {
                plans.popcount_ranges.insert(header, p);
            }
            if let Some(p) = self.bool_count_plan(header, h) {
                plans.bool_counts.insert(header, p);
            }
        }
        plans
    }

    /// A counted loop's header (`range_test`) with two parameters, `(i, total)`
    /// (both ints): their indexes, the bound and the body.
    fn counted_header(&self, header: Block, h: &ir::BlockData) -> Option<(usize, usize, Value, Block)> {
        let (var_index, stop, body) = self.range_test(header, h)?;
        if h.params.len() != 2 || self.loop_marks.contains_key(&header) || self.preds_of(header).len() != 2 {
            return None;
        }
        let total_index = 1 - var_index;
        (*self.typed.ty(h.params[total_index]) == Ty::Int).then_some((var_index, total_index, stop, body.block))
    }

    /// Whether `latch` is a counted loop's latch: `i + 1` (and constants), then
    /// back to `header` with `(i + 1, total)`.
    fn is_latch(&self, latch: Block, header: Block, var_index: usize, total: Value) -> bool {
        let h = self.f.block(header);
        let ld = self.f.block(latch);
        let Term::Jump(back) = &ld.term else { return false };
        let [(_, next)] = non_const(ld)[..] else { return false };
        back.block == header
            && next.op == Op::RangeNext
            && next.args[0] == h.params[var_index]
            && self.consts.get(&next.args[1]) == Some(&Const::Int(1))
            && Some(back.args[var_index]) == next.result
            && back.args[1 - var_index] == total
            && self.preds_of(latch).len() == 1
    }

    fn bool_count_plan(&self, header: Block, h: &ir::BlockData) -> Option<BoolCount> {
        let (var_index, total_index, stop, b0) = self.counted_header(header, h)?;
        let (var, total) = (h.params[var_index], h.params[total_index]);
        // The body: `v = A[i]`, `truth v`, and a branch on it.
        let d = self.f.block(b0);
        if self.preds_of(b0).len() != 1 || self.typed.cold.contains(&b0) {
            return None;
        }
        let [(gk, get), (_, t)] = non_const(d)[..] else {
            return None;
        };
        let Term::Br(c, yes, no) = &d.term else { return None };
        if get.op != Op::GetItem || get.args.len() != 2 || get.args[1] != var {
            return None;
        }
        if t.op != Op::Truth || Some(t.args[0]) != get.result || t.result != Some(*c) {
            return None;
        }
        let array = get.args[0];
        let Ty::Array(at) = self.typed.ty(array) else {
            return None;
        };
        let contiguous = at.layout.unit_stride_axis(1) == Some(0);
        if at.dtype != Dtype::Bool || at.ndim != 1 || !contiguous || self.loop_defined(array, header) {
            return None;
        }
        if !self.facts.unchecked.contains(&(b0, gk, 0)) || self.env.pycalls.contains_key(&(b0, gk)) {
            return None;
        }
        // The `yes` side adds a constant to the total; the `no` side passes it on.
        let int_const = |v: Value| match self.consts.get(&v) {
            Some(Const::Int(c)) => Some(*c),
            _ => None,
        };
        let yb = self.f.block(yes.block);
        let Term::Jump(ye) = &yb.term else { return None };
        let merge = ye.block;
        let [(_, add)] = non_const(yb)[..] else { return None };
        if !yes.args.is_empty() || self.preds_of(yes.block).len() != 1 || ye.args.len() != 1 {
            return None;
        }
        if !matches!(add.op, Op::Bin { op: BinOp::Add, .. }) || add.args[0] != total || ye.args[0] != add.result? {
            return None;
        }
        let step = int_const(add.args[1])?;
        let no_edge = if no.block == merge {
            no.clone()
        } else {
            let nb = self.f.block(no.block);
            let Term::Jump(ne) = &nb.term else { return None };
            if !non_const(nb).is_empty()
                || !no.args.is_empty()
                || self.preds_of(no.block).len() != 1
                || ne.block != merge
            {
                return None;
            }
            ne.clone()
        };
        if no_edge.args.as_slice() != [total] || *self.typed.ty(add.result?) != Ty::Int {
            return None;
        }
        // The merge: its one parameter is the new total; then straight on to the latch.
        let md = self.f.block(merge);
        if md.params.len() != 1 || self.preds_of(merge).len() != 2 || step.unsigned_abs() > 1 << 40 {
            return None;
        }
        if !non_const(md).is_empty() {
            return None;
        }
        let Term::Jump(me) = &md.term else { return None };
        let (latch, _) = self.skip_empty(me.block)?;
        if !me.args.is_empty() || !self.is_latch(latch, header, var_index, md.params[0]) {
            return None;
        }
        Some(BoolCount {
            var_index,
            total_index,
            stop,
            array,
            step,
        })
    }

    /// At the jump into the counting loop: the SIMD version runs first, and the
    /// scalar loop goes on from where it stopped (see the module docs).
    fn emit_bool_count(&mut self, p: BoolCount, args: &[BlockArg]) -> CResult<Vec<BlockArg>> {
        let (BlockArg::Value(i0), BlockArg::Value(s0)) = (args[p.var_index], args[p.total_index]) else {
            return Err(internal("bool count: block arguments"));
        };
        const UNROLL: i64 = 2;
        let per_step = 16 * UNROLL;
        let stop = self.use_val(p.stop)?[0];
        let data = self.use_val(p.array)?[0];
        // 32-bit counters gain at most 4 per step: exact below 2**32 iterations.
        let left = self.b.ins().isub(stop, i0);
        let enough = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, left, per_step);
        let small = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, left, 1 << 32);
        let ok = self.b.ins().band(enough, small);
        let lim = self.b.ins().iadd_imm_s(stop, -per_step);
        let (v8, v32) = (clt::I8X16, clt::I32X4);
        let vh = self.b.create_block();
        let vb = self.b.create_block();
        let done = self.b.create_block();
        let out = self.b.create_block();
        self.b.append_block_param(out, clt::I64); // i, then the total
        self.b.append_block_param(out, clt::I64);
        let z32 = self.b.ins().iconst(clt::I32, 0);
        let z32 = self.b.ins().splat(v32, z32);
        let mut entry = vec![BlockArg::Value(i0)];
        entry.extend((0..UNROLL).map(|_| BlockArg::Value(z32)));
        self.b
            .ins()
            .brif(ok, vh, &entry, out, &[BlockArg::Value(i0), BlockArg::Value(s0)]);
        // vh(i, acc..): each acc lane holds minus the number of zero bytes seen.
        self.b.switch_to_block(vh);
        let iv = self.b.append_block_param(vh, clt::I64);
        let accs: Vec<CV> = (0..UNROLL).map(|_| self.b.append_block_param(vh, v32)).collect();
        let past = self.b.ins().icmp(IntCC::SignedGreaterThan, iv, lim);
        let mut done_args = vec![BlockArg::Value(iv)];
        done_args.extend(accs.iter().map(|a| BlockArg::Value(*a)));
        self.b.ins().brif(past, done, &done_args, vb, &[]);
        self.b.switch_to_block(vb);
        let flags = MemFlagsData::new().with_notrap();
        let z8 = self.b.ins().iconst(clt::I8, 0);
        let z8 = self.b.ins().splat(v8, z8);
        let addr = self.b.ins().iadd(data, iv);
        let mut next = vec![];
        for (u, acc) in accs.iter().enumerate() {
            let v = self.b.ins().load(v8, flags, addr, u as i32 * 16);
            let zero = self.b.ins().icmp(IntCC::Equal, v, z8);
            let lo = self.b.ins().swiden_low(zero);
            let hi = self.b.ins().swiden_high(zero);
            let w16 = self.b.ins().iadd_pairwise(lo, hi);
            let lo = self.b.ins().swiden_low(w16);
            let hi = self.b.ins().swiden_high(w16);
            let w32 = self.b.ins().iadd_pairwise(lo, hi);
            next.push(BlockArg::Value(self.b.ins().iadd(*acc, w32)));
        }
        let iv2 = self.b.ins().iadd_imm_s(iv, per_step);
        let mut back = vec![BlockArg::Value(iv2)];
        back.extend(next);
        self.b.ins().jump(vh, &back);
        // done: count = iterations - zeros; total + c * count, or the scalar loop redoes it.
        self.b.switch_to_block(done);
        let iv = self.b.append_block_param(done, clt::I64);
        let mut sum = None;
        for _ in 0..UNROLL {
            let a = self.b.append_block_param(done, v32);
            sum = Some(match sum {
                Some(s) => self.b.ins().iadd(s, a),
                None => a,
            });
        }
        let sum = sum.ok_or_else(|| internal("bool count: no accumulators"))?;
        let mut neg_zeros = self.b.ins().iconst(clt::I64, 0);
        for l in 0..4u8 {
            let x = self.b.ins().extractlane(sum, l);
            let x = self.b.ins().sextend(clt::I64, x);
            neg_zeros = self.b.ins().iadd(neg_zeros, x);
        }
        let n = self.b.ins().isub(iv, i0);
        let count = self.b.ins().iadd(n, neg_zeros);
        let ends = CountEnds {
            i0,
            s0,
            i: iv,
            count,
            step: p.step,
        };
        Ok(self.finish_count(ends, out, args, p.var_index, p.total_index))
    }

    /// The end of a counting SIMD loop: jump to `out` with `(i, total + step *
    /// count)`, or with `(i0, s0)` when that overflows (the scalar loop redoes the
    /// loop, which has no side effects); the arguments the scalar loop gets.
    fn finish_count(
        &mut self,
        e: CountEnds,
        out: clir::Block,
        args: &[BlockArg],
        vi: usize,
        ti: usize,
    ) -> Vec<BlockArg> {
        let c = self.b.ins().iconst(clt::I64, e.step);
        let (prod, of1) = self.b.ins().smul_overflow(e.count, c);
        let (total, of2) = self.b.ins().sadd_overflow(e.s0, prod);
        let bad = self.b.ins().bor(of1, of2);
        let i_end = self.b.ins().select(bad, e.i0, e.i);
        let s_end = self.b.ins().select(bad, e.s0, total);
        self.b
            .ins()
            .jump(out, &[BlockArg::Value(i_end), BlockArg::Value(s_end)]);
        self.b.switch_to_block(out);
        let params = self.b.block_params(out).to_vec();
        let mut result = args.to_vec();
        result[vi] = BlockArg::Value(params[0]);
        result[ti] = BlockArg::Value(params[1]);
        result
    }

    /// From `b`, the blocks that only jump on (constants at most), each with one
    /// predecessor: the first block that does more, and the edge into it (none
    /// when that is `b` itself).
    fn skip_empty(&self, mut b: Block) -> Option<(Block, Option<ir::Edge>)> {
        let mut prev = None;
        for _ in 0..8 {
            let d = self.f.block(b);
            match (&d.term, non_const(d).is_empty() && self.preds_of(b).len() == 1) {
                (Term::Jump(e), true) => {
                    prev = Some(e.clone());
                    b = e.block;
                }
                _ => return Some((b, prev)),
            }
        }
        None
    }

    fn popcount_range_plan(
        &self,
        header: Block,
        h: &ir::BlockData,
        loops: &HashMap<Block, PopcountLoop>,
    ) -> Option<PopcountRange> {
        let (var_index, total_index, stop, body) = self.counted_header(header, h)?;
        let (var, total) = (h.params[var_index], h.params[total_index]);
        // The body: straight on into a bit-counting loop of `x = i` and `total`.
        let (inner, into) = self.skip_empty(body)?;
        let into = into?;
        let p = *loops.get(&inner)?;
        if into.args.len() != 2 || into.args[p.x_index] != var || into.args[p.total_index] != total {
            return None;
        }
        let Term::Br(_, _, out) = &self.f.block(inner).term else {
            return None;
        };
        if !out.args.is_empty() || self.preds_of(inner).len() != 2 {
            return None;
        }
        // After it, straight on to the latch, back with the inner loop's total.
        let (latch, _) = self.skip_empty(out.block)?;
        let inner_total = self.f.block(inner).params[p.total_index];
        if !self.is_latch(latch, header, var_index, inner_total) {
            return None;
        }
        Some(PopcountRange {
            var_index,
            total_index,
            stop,
            step: p.step,
        })
    }

    /// At the jump into the counted loop: the SIMD version runs first, and
    /// the scalar loop goes on from where it stopped (see the module docs).
    fn emit_popcount_range(&mut self, p: PopcountRange, args: &[BlockArg]) -> CResult<Vec<BlockArg>> {
        let (BlockArg::Value(i0), BlockArg::Value(s0)) = (args[p.var_index], args[p.total_index]) else {
            return Err(internal("popcount range: block arguments"));
        };
        let stop = self.val(p.stop)?[0];
        let per_step = RANGE_LANES * RANGE_UNROLL;
        let (v32, v8) = (clt::I32X4, clt::I8X16);
        let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
        // Exact in int32 lanes: 0 <= i0 and stop <= 2**31 - 1; worth it: one full step.
        let nonneg = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i0, 0);
        let fits = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThanOrEqual, stop, i32::MAX as i64);
        let left = self.b.ins().isub(stop, i0);
        let enough = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, left, per_step);
        let ok = self.b.ins().band(nonneg, fits);
        let ok = self.b.ins().band(ok, enough);
        let pre = self.b.create_block();
        let outer = self.b.create_block();
        let inner = self.b.create_block();
        let flush = self.b.create_block();
        let done = self.b.create_block();
        let out = self.b.create_block();
        self.b.append_block_param(out, clt::I64); // i, then the total
        self.b.append_block_param(out, clt::I64);
        self.b
            .ins()
            .brif(ok, pre, &[], out, &[BlockArg::Value(i0), BlockArg::Value(s0)]);
        // Lanes i0 .. i0 + 3 (all below 2**31: their int32 bits are the int's bits).
        self.b.switch_to_block(pre);
        let i32v = self.b.ins().ireduce(clt::I32, i0);
        let base = self.b.ins().splat(v32, i32v);
        let iota: Vec<u8> = (0..4u32).flat_map(|k| k.to_le_bytes()).collect();
        let iota = self.b.func.dfg.constants.insert(iota.into());
        let iota = self.b.ins().vconst(v32, iota);
        let base = self.b.ins().iadd(base, iota);
        let zero = self.b.ins().iconst(clt::I64, 0);
        self.b.ins().jump(
            outer,
            &[BlockArg::Value(i0), BlockArg::Value(base), BlockArg::Value(zero)],
        );
        // outer(i, lanes, count): up to 31 steps, then the byte sums are added to count.
        self.b.switch_to_block(outer);
        let iv = self.b.append_block_param(outer, clt::I64);
        let lanes = self.b.append_block_param(outer, v32);
        let count = self.b.append_block_param(outer, clt::I64);
        let left = self.b.ins().isub(stop, iv);
        let steps = self.b.ins().ushr_imm_s(left, per_step.trailing_zeros() as i64);
        let most = self.b.ins().iconst(clt::I64, RANGE_BLOCK);
        let k = self.b.ins().umin(steps, most);
        let zeros = self.b.ins().iconst(clt::I8, 0);
        let zeros = self.b.ins().splat(v8, zeros);
        let mut inner_args = vec![BlockArg::Value(iv), BlockArg::Value(lanes), BlockArg::Value(k)];
        inner_args.extend((0..RANGE_UNROLL).map(|_| BlockArg::Value(zeros)));
        self.b.ins().jump(inner, &inner_args);
        // inner(i, lanes, k, acc...): one step, 16 counters, each byte sum grows by <= 8.
        self.b.switch_to_block(inner);
        let iv = self.b.append_block_param(inner, clt::I64);
        let lanes = self.b.append_block_param(inner, v32);
        let k = self.b.append_block_param(inner, clt::I64);
        let accs: Vec<CV> = (0..RANGE_UNROLL)
            .map(|_| self.b.append_block_param(inner, v8))
            .collect();
        let mut next_accs = Vec::new();
        for (u, acc) in accs.iter().enumerate() {
            let lu = if u == 0 {
                lanes
            } else {
                let off = self.b.ins().iconst(clt::I32, u as i64 * RANGE_LANES);
                let off = self.b.ins().splat(v32, off);
                self.b.ins().iadd(lanes, off)
            };
            let bytes = self.b.ins().bitcast(v8, le, lu);
            let bits = self.b.ins().popcnt(bytes);
            next_accs.push(self.b.ins().iadd(*acc, bits));
        }
        let inc = self.b.ins().iconst(clt::I32, per_step);
        let inc = self.b.ins().splat(v32, inc);
        let lanes2 = self.b.ins().iadd(lanes, inc);
        let iv2 = self.b.ins().iadd_imm_s(iv, per_step);
        let k2 = self.b.ins().iadd_imm_s(k, -1);
        let mut loop_args = vec![BlockArg::Value(iv2), BlockArg::Value(lanes2), BlockArg::Value(k2)];
        loop_args.extend(next_accs.iter().map(|a| BlockArg::Value(*a)));
        let mut flush_args = vec![BlockArg::Value(iv2), BlockArg::Value(lanes2)];
        flush_args.extend(next_accs.iter().map(|a| BlockArg::Value(*a)));
        self.b.ins().brif(k2, inner, &loop_args, flush, &flush_args);
        // flush: bytes (<= 248) to 16-bit pairs (<= 496), summed (<= 1984), to 32-bit lanes.
        self.b.switch_to_block(flush);
        let iv = self.b.append_block_param(flush, clt::I64);
        let lanes = self.b.append_block_param(flush, v32);
        let mut wide: Option<CV> = None;
        for _ in 0..RANGE_UNROLL {
            let a = self.b.append_block_param(flush, v8);
            let lo = self.b.ins().uwiden_low(a);
            let hi = self.b.ins().uwiden_high(a);
            let w = self.b.ins().iadd_pairwise(lo, hi);
            wide = Some(match wide {
                Some(x) => self.b.ins().iadd(x, w),
                None => w,
            });
        }
        let wide = wide.ok_or_else(|| internal("popcount range: no accumulators"))?;
        let lo = self.b.ins().swiden_low(wide);
        let hi = self.b.ins().swiden_high(wide);
        let w32 = self.b.ins().iadd_pairwise(lo, hi);
        let mut sum = count;
        for l in 0..4u8 {
            let x = self.b.ins().extractlane(w32, l);
            let x = self.b.ins().uextend(clt::I64, x);
            sum = self.b.ins().iadd(sum, x);
        }
        let left = self.b.ins().isub(stop, iv);
        let more = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, left, per_step);
        let again = [BlockArg::Value(iv), BlockArg::Value(lanes), BlockArg::Value(sum)];
        self.b
            .ins()
            .brif(more, outer, &again, done, &[BlockArg::Value(iv), BlockArg::Value(sum)]);
        // done: total + c * count, or (should that overflow) the scalar loop from the start.
        self.b.switch_to_block(done);
        let iv = self.b.append_block_param(done, clt::I64);
        let count = self.b.append_block_param(done, clt::I64);
        let ends = CountEnds {
            i0,
            s0,
            i: iv,
            count,
            step: p.step,
        };
        Ok(self.finish_count(ends, out, args, p.var_index, p.total_index))
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
    fn emit_popcount(&mut self, p: PopcountLoop, args: &[BlockArg]) -> CResult<Vec<BlockArg>> {
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
