//! SIMD versions of element-wise loops.
//!
//! Cranelift has no auto-vectorizer, so codegen adds one for the loops that
//! matter most: a counted `for i in range(...)` loop (step 1) whose body is
//! straight-line float arithmetic on array elements indexed `X[..., i + c]`
//! along the array's unit-stride axis, with at least one store. Such a loop
//! gets a 128-bit version (2 x f64 or 4 x f32 lanes) that runs first, while
//! `i + lanes <= stop`; the original scalar loop then finishes the remaining
//! iterations (the tail), or all of them when a run-time check says the
//! arrays written and read overlap.
//!
//! Every lane computes exactly what the scalar loop computes for its
//! iteration (IEEE operations are lane-wise identical, and the loop has no
//! loop-carried values), loads of an iteration happen before its stores,
//! and the only instructions allowed are those that cannot leave the fast
//! path: index checks must be proven away by `ranges`, and a division must be
//! by a constant that cannot raise or warn. So strict-mode results stay
//! bit-identical to the sequential loop.
//!
//! Int element-wise loops (int64 in 2 lanes, int32 in 4) are vectorized too:
//! `+ - *` where ints wrap (`unchecked_int`, njit); in strict mode `+ -`, with
//! each step's stores held back until its lanes are known not to have
//! overflowed (the sign bits of `(x ^ r) & (y ^ r)`). When one did, nothing of
//! that step is stored and the scalar loop takes over there, so the overflow
//! happens exactly where it does in Python (a big int, or NumPy's warning).
//!
//! Int sums `s += int(a[i + x])` also take narrow int arrays (int8 to uint32,
//! loaded sign- or zero-extended into 64-bit lanes: `int()` of the element is
//! that value exactly) and a window offset `x` defined before the loop (the
//! sum `i + x` proven not to overflow by `ranges`). A strict sum `ranges`
//! proved never overflows in source order is added unchecked in any order:
//! its total fits in i64, and wrapping i64 additions of the same terms give
//! that total whatever their order.
//!
//! Sums of int8 to uint16 elements only (window sums `s += int(a[i + k])`
//! proven in range) also have a 4 x i32 version, taken when the trip count is
//! at most `(2**31 - 1) // max|element|`: every lane's partial sum is then a
//! sum of at most that many terms and fits in 32 bits, and the lanes are
//! widened to 64 bits before they are added together.
//!
//! Conditional sums `if c: s = s + e` (or the add on the `else` side), `c` a
//! comparison of 64-bit int or time lanes, add `e` where the lane's mask holds
//! and 0 elsewhere: an int sum of the same terms plus zeros, so the same
//! total; the sum keeps its type (the plan requires `s` to have the add's type
//! already). datetime64/timedelta64 elements are time lanes (their i64
//! counts, NaT being i64::MIN), used only by loads, comparisons and sums.
//! Comparisons are NumPy's: with a NaT operand `!=` is true, every other one
//! false. A time sum (one unit) is always checked: a NaT term or a NaT start
//! is i64::MIN, outside every bound, so the scalar loop redoes the loop and
//! gives NaT (or the running NumPy's overflow behaviour) itself; when the
//! bound holds, no partial sum overflows or reaches i64::MIN, which is exactly
//! when NumPy's sum is the plain int sum.
//!
//! Counters `if c: n = n + k` (`k` an int constant or an int defined before
//! the loop) also run in loops over float64 arrays: `c` a comparison of
//! float64 lanes (an `fcmp`, IEEE's ordered comparisons as Python's and
//! NumPy's: false with a NaN, `!=` true) with float64 lanes, floats defined
//! before the loop or int constants of magnitude <= 2**53 (CPython compares a
//! float with an int exactly; only such ints convert to a double exactly).
//! Over float32 arrays likewise in 4 x f32 lanes, compared with float32 lanes,
//! np.float32 values defined before the loop or int constants of magnitude
//! <= 2**24 (exact in float32, so NumPy's comparison in float32 or float64
//! gives the same answer); Python floats and float64 values are left to the
//! scalar loop (NumPy 1.x and 2.x promote them differently). The 4-lane mask
//! is widened to two I64X2 masks (its low and high pairs of lanes, each lane
//! 0 or -1), and the counter adds `k` under each: the same terms, one per
//! element.
//! The mask of 2 x f64 lanes is two int64 lanes, and the counter's lanes are
//! I64X2 in any loop: `k` where the mask holds, 0 elsewhere, the same int terms
//! as the scalar loop adds, proven (`ranges`: a counter of a known start, each
//! path of an iteration adding at most once) or checked like any int sum.
//! Under `fastmath` a conditional float sum adds -0.0 in the lanes that do not
//! add: `y + -0.0 == y` for every y, so the lanes add exactly the taken terms
//! (in some order); float partial sums start at -0.0 for the same reason.
//!
//! Select reductions `if e > s: s = e` (any ordering `< <= > >=`, `e` and `s`
//! either side, `e` taken where the comparison holds; int64 or time values of
//! one type) keep the running extreme per lane, every lane starting at `s`,
//! and combine the lanes by the same comparison at the end. That is the
//! sequential result: on ints and non-NaT times the comparison is a total
//! order and equal values have equal bits, so the order of the comparisons
//! does not matter; a NaT `e` compares false and is never taken, and a NaT
//! start is never replaced, in every lane as in the scalar loop. Time
//! arithmetic of one unit (`datetime - datetime`, `datetime +- timedelta`,
//! `timedelta +- timedelta`) runs in lanes as NumPy's loops: NaT where an
//! operand is NaT, else the int result; a lane whose result overflows or lands
//! on NaT (where the scalar code deoptimizes) makes the step store nothing and
//! leaves the rest to the scalar loop, as strict int lanes do; time values are
//! stored into arrays of their own dtype.

use crate::prelude::*;
use crate::simd_select::{SelPlan, SelectGen};

/// A loop codegen vectorizes (see the module docs).
#[derive(Clone, Debug)]
pub struct VecLoop {
    /// The loop variable `i` (the header's only parameter) and its bound.
    pub(crate) var: Value,
    pub(crate) stop: Value,
    /// The body, a chain of blocks from the header's `true` successor to the
    /// latch (with diamonds: each branch block, its sides, then its merge).
    pub(crate) body: Vec<Block>,
    /// The latch's `i + 1`, not emitted in vector form.
    pub(crate) step_inst: (Block, usize),
    pub(crate) elem: SlotTy,
    /// Pairs of arrays (one written) that must not overlap at run time.
    pub(crate) disjoint: Vec<(Value, Value)>,
    /// The header parameter that is `i`; the others are reductions.
    pub(crate) var_index: usize,
    pub(crate) reductions: Vec<Reduction>,
    /// Strict int lanes (`+ -` that may overflow): each step checks its lanes
    /// before it stores anything, and leaves the rest to the scalar loop (which
    /// overflows exactly) when one did.
    pub(crate) checked_lanes: bool,
    /// Int lanes of any width with comparisons and diamonds (`simd_select`).
    pub(crate) sel: Option<Box<SelPlan>>,
    /// Proven sums of `int()` of int8/uint8/int16/uint16 elements only: with at
    /// most this many iterations every partial sum fits in 32 bits, and a
    /// version in 4 x i32 lanes runs instead (see `emit_vector_loop`).
    pub(crate) narrow32: Option<i64>,
    /// This copy is that 4 x i32 version.
    pub(crate) in_i32: bool,
}

/// `s += e` carried by a header parameter: allowed where the order of the
/// additions cannot be observed (ints that wrap; floats under `fastmath`).
/// The vector loop keeps one partial sum per lane, added to `s` at the end.
#[derive(Clone, Debug)]
pub(crate) struct Reduction {
    param: Value,
    index: usize,
    /// The `s + e` instruction and its lane operand `e`.
    add: (Block, usize),
    term: Value,
    /// Strict int sums (overflow must be seen at its element): the vector loop
    /// also tracks a bound on the terms' magnitudes and its result is kept only
    /// when no partial sum, in any order, can overflow; otherwise the scalar
    /// loop redoes the whole loop (allowed only for loops that store nothing).
    checked: bool,
    /// A strict int sum `ranges` proved never overflows: added in any order, unchecked.
    proven: bool,
    /// A conditional sum `if c: s = s + e` (see `CondSum`): the branch's lane
    /// mask and the side the add is on (`true`: taken when `c` holds).
    cond: Option<(Value, bool)>,
    /// A select reduction `if e > s: s = e` (any ordering, either operand
    /// order; `e` taken when the comparison holds): `add` is the comparison.
    /// Per lane the running extreme, starting at `s`; exact for int and time
    /// lanes (a total order, equal values have equal bits, and a comparison
    /// with NaT is false, so NaT is never taken and a NaT start stays).
    select: bool,
    /// A counter `if c: n = n + k`, `k` an int defined before the loop or a
    /// constant: its lanes are I64X2 whatever the loop's lanes (2 x f64 ones
    /// included), `k` where the mask holds and 0 elsewhere.
    count: bool,
    /// A counter's other adds (`simd_select`'s counters: one add per side,
    /// each counting in the lanes that run its block).
    more: Vec<(Block, usize)>,
}

impl Reduction {
    /// A counter of a `simd_select` plan: `adds` (each `n + k`) proven never to
    /// overflow, so their terms add up exactly in any order.
    pub(crate) fn counter(param: Value, index: usize, adds: Vec<(Block, usize)>) -> Reduction {
        Reduction {
            param,
            index,
            add: adds[0],
            term: param, // (each add's own term: see `count_terms`)
            checked: false,
            proven: true,
            cond: None,
            select: false,
            count: true,
            more: adds[1..].to_vec(),
        }
    }

    fn adds_at(&self, at: (Block, usize)) -> bool {
        self.add == at || self.more.contains(&at)
    }
}

/// A diamond of a conditional sum: `br c, T, F`, each side jumping to the
/// merge, one side holding `s + e` (after instructions safe to run on every
/// lane: `speculable_side`), the other nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CondSum {
    cond: Value,
    sides: [Block; 2],
    merge: Block,
}

/// The lane slot of a `datetime64`/`timedelta64` value: its i64 count, NaT
/// being `i64::MIN`. Only loads, comparisons (NaT-aware) and checked sums
/// use it; no other lane arithmetic takes time values.
fn time_slot(t: &Ty) -> Option<SlotTy> {
    matches!(t, Ty::Np(d) if d.is_time()).then_some(SlotTy::I64)
}

impl VecLoop {
    fn lane_ty(&self) -> clir::Type {
        if let Some(sel) = &self.sel {
            return sel.lane;
        }
        if self.in_i32 {
            return clt::I32X4;
        }
        match self.elem {
            SlotTy::F32 => clt::F32X4,
            SlotTy::I64 => clt::I64X2,
            SlotTy::I32 => clt::I32X4,
            SlotTy::I8 => clt::I8X16,
            _ => clt::F64X2,
        }
    }

    fn lanes(&self) -> i64 {
        self.lane_ty().lane_count() as i64
    }

    /// Whether the iterations left after the vector loop (fewer than a step)
    /// may run as vector copies too, the last one from `stop - lanes`,
    /// overlapping iterations already done, instead of on the scalar loop.
    /// Doing an iteration again must store what it stored the first time:
    /// the loop has no sums, and no array it stores to is one it loads from
    /// (other arrays it loads from are checked disjoint from those it stores
    /// to before the vector loop runs at all; and each stored array is stored
    /// at one index only, as the plan requires). So the values loaded, and the
    /// values stored, are the same both times. The overlapping copy only runs
    /// when `stop - lanes` is at or after the loop's start (its iterations are
    /// the loop's own: in bounds as the plan proved), and its lane checks bail
    /// out to the scalar loop, storing nothing, as any step's do.
    fn overlap_ok(&self, f: &ir::Function) -> bool {
        if !self.reductions.is_empty() {
            return false;
        }
        let mut stored = Vec::new();
        let mut loaded = Vec::new();
        for &b in &self.body {
            for inst in &f.block(b).insts {
                match inst.op {
                    Op::SetItem => stored.push(inst.args[0]),
                    Op::GetItem => loaded.push(inst.args[0]),
                    _ => {}
                }
            }
        }
        !stored.is_empty() && stored.iter().all(|s| !loaded.contains(s))
    }
}

/// The SIMD plans as text, by header: per loop its counter and bound, lane
/// type and count, then its element-wise stores, its sums and the checks it
/// needs at run time.
pub fn describe(f: &ir::Function, loops: &HashMap<Block, VecLoop>) -> String {
    let mut heads: Vec<&Block> = loops.keys().collect();
    heads.sort();
    let mut s = String::new();
    for h in heads {
        let p = &loops[h];
        let lt = p.lane_ty();
        let body: Vec<String> = p.body.iter().map(|b| b.to_string()).collect();
        s.push_str(&format!(
            "loop {h}: for {} < {}, {} x {}, body {}\n",
            p.var,
            p.stop,
            p.lanes(),
            lt.lane_type(),
            body.join(" ")
        ));
        for &b in &p.body {
            for (k, inst) in f.block(b).insts.iter().enumerate() {
                if inst.op == Op::SetItem {
                    s.push_str(&format!("  store {b}[{k}]: {}\n", crate::inst_text(f, b, k)));
                }
            }
        }
        for r in &p.reductions {
            let (b, k) = r.add;
            if r.select {
                s.push_str(&format!(
                    "  select {} = {} where {b}[{k}]: {}\n",
                    r.param,
                    r.term,
                    crate::inst_text(f, b, k)
                ));
                continue;
            }
            let how = match p.elem {
                _ if r.count && !r.checked && !r.proven => "counter, wrapping",
                _ if r.checked => "checked: kept only if no partial sum can overflow, else the scalar loop redoes it",
                _ if r.proven => "proven in range: any order",
                SlotTy::F64 | SlotTy::F32 => "reassociated",
                _ => "wrapping",
            };
            let when = match r.cond {
                Some((c, true)) => format!(" if {c}"),
                Some((c, false)) => format!(" if not {c}"),
                None => String::new(),
            };
            if r.count && r.cond.is_none() {
                for (b, k) in std::iter::once(r.add).chain(r.more.iter().copied()) {
                    s.push_str(&format!(
                        "  count {} where {b} runs ({how}) at {b}[{k}]: {}\n",
                        r.param,
                        crate::inst_text(f, b, k)
                    ));
                }
                continue;
            }
            s.push_str(&format!(
                "  sum {} += {}{when} ({how}) at {b}[{k}]: {}\n",
                r.param,
                r.term,
                crate::inst_text(f, b, k)
            ));
        }
        if let Some(sel) = &p.sel {
            let mut merges: Vec<_> = sel.merges.iter().collect();
            merges.sort_by_key(|(b, _)| **b);
            for (m, (c, _, _)) in merges {
                s.push_str(&format!("  select at {m} by {c}\n"));
            }
            let mut checks: Vec<_> = sel.checks.iter().collect();
            checks.sort_by_key(|(at, _)| **at);
            for ((b, k), c) in checks {
                s.push_str(&format!("  check {c:?} at {b}[{k}]: {}\n", crate::inst_text(f, *b, *k)));
            }
        } else if p.checked_lanes {
            s.push_str("  int lanes checked for overflow before each step's stores\n");
        }
        for (x, y) in &p.disjoint {
            s.push_str(&format!("  disjoint at run time: {x}, {y}\n"));
        }
        if let Some(limit) = p.narrow32 {
            s.push_str(&format!("  4 x i32 lanes when at most {limit} iterations\n"));
        }
    }
    s
}

/// A store of a vector step held back until the step's lanes are checked:
/// the instruction, the lane values at that point, `i` of its copy, and where it is.
type DeferredStore = (ir::Inst, HashMap<Value, VV>, CV, (Block, usize));

/// What a value is in the vector body.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    /// The same for every lane (defined before the loop, or computed from such values).
    Inv,
    /// `i + c`.
    Idx(i64),
    /// `i + x` (or `x + i`), `x` an int defined before the loop, the sum
    /// proven not to overflow (`ranges`).
    Off(Value),
    /// One value per lane.
    Lane,
}

/// What the body of a vectorized loop computes, per IR value.
#[derive(Clone, Debug)]
pub(crate) enum VV {
    Inv(Vals),
    Idx(i64),
    /// `i + x`, `x` computed before the loop.
    Off(CV),
    Lane(CV),
}

/// The lane type of a float value. `float | np.float64` (what `max(a[i], lo)`
/// returns) counts as f64: both members have the same bits, and every vector
/// operation (arithmetic, min/max, abs, a store) treats them alike.
pub(crate) fn float_slot(t: &Ty) -> Option<SlotTy> {
    match t {
        Ty::Float | Ty::Np(Dtype::Float64) => Some(SlotTy::F64),
        Ty::Np(Dtype::Float32) => Some(SlotTy::F32),
        Ty::Union(ms) if ms.iter().all(|m| matches!(m, Ty::Float | Ty::Np(Dtype::Float64))) => Some(SlotTy::F64),
        _ => None,
    }
}

/// The lane type of a value: a float (see `float_slot`) or a 64-bit int
/// (`int`, `np.int64`, or a union of the two, which share one slot).
fn lane_slot(t: &Ty) -> Option<SlotTy> {
    match t {
        Ty::Int | Ty::Np(Dtype::Int64) => Some(SlotTy::I64),
        Ty::Np(Dtype::Int32) => Some(SlotTy::I32),
        Ty::Union(ms) if ms.iter().all(|m| matches!(m, Ty::Int | Ty::Np(Dtype::Int64))) => Some(SlotTy::I64),
        _ => float_slot(t),
    }
}

pub(crate) fn plain_scalar(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Bool | Ty::Float | Ty::Np(_))
}

/// A comparison of 64-bit int lanes, signed; of time lanes, NumPy's: with a
/// NaT operand `!=` is true and every other comparison false. A lane mask.
fn lane_cmp(g: &mut Gen<'_, '_>, op: CmpOp, x: CV, y: CV, time: bool) -> CV {
    let cc = match op {
        CmpOp::Eq => IntCC::Equal,
        CmpOp::Ne => IntCC::NotEqual,
        CmpOp::Lt => IntCC::SignedLessThan,
        CmpOp::Le => IntCC::SignedLessThanOrEqual,
        CmpOp::Gt => IntCC::SignedGreaterThan,
        CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
    };
    let m = g.b.ins().icmp(cc, x, y);
    if !time {
        return m;
    }
    let (xn, yn) = (nat_lanes(g, x), nat_lanes(g, y));
    let any_nat = g.b.ins().bor(xn, yn);
    if op == CmpOp::Ne {
        g.b.ins().bor(m, any_nat)
    } else {
        g.b.ins().band_not(m, any_nat)
    }
}

/// The float comparison of Python's and NumPy's `op` on floats: ordered
/// (false with a NaN operand), but `!=`, which is true with a NaN.
pub(crate) fn float_cc(op: CmpOp) -> FloatCC {
    match op {
        CmpOp::Eq => FloatCC::Equal,
        CmpOp::Ne => FloatCC::NotEqual,
        CmpOp::Lt => FloatCC::LessThan,
        CmpOp::Le => FloatCC::LessThanOrEqual,
        CmpOp::Gt => FloatCC::GreaterThan,
        CmpOp::Ge => FloatCC::GreaterThanOrEqual,
    }
}

/// The lanes of a time vector that are NaT (i64::MIN), as a mask.
fn nat_lanes(g: &mut Gen<'_, '_>, x: CV) -> CV {
    let nat = g.b.ins().iconst(clt::I64, i64::MIN);
    let nat = g.b.ins().splat(clt::I64X2, nat);
    g.b.ins().icmp(IntCC::Equal, x, nat)
}

/// `x + y` / `x - y` of time lanes of one unit, as NumPy's datetime loops:
/// NaT where an operand is NaT, else the int result. Also the mask of the
/// lanes the scalar code would not finish natively (neither operand NaT, and
/// the result overflowed or landed on NaT): the step is then left to it.
fn time_lanes_bin(g: &mut Gen<'_, '_>, sub: bool, x: CV, y: CV) -> (CV, CV) {
    let r = if sub {
        g.b.ins().isub(x, y)
    } else {
        g.b.ins().iadd(x, y)
    };
    let xr = g.b.ins().bxor(x, r);
    let ovf = if sub {
        let xy = g.b.ins().bxor(x, y);
        g.b.ins().band(xy, xr)
    } else {
        let yr = g.b.ins().bxor(y, r);
        g.b.ins().band(xr, yr)
    };
    // Sign bits of `ovf` flag overflow; made a full-lane mask.
    let z = g.b.ins().iconst(clt::I64, 0);
    let z = g.b.ins().splat(clt::I64X2, z);
    let ovf = g.b.ins().icmp(IntCC::SignedLessThan, ovf, z);
    let land = nat_lanes(g, r);
    let bad = g.b.ins().bor(ovf, land);
    let (xn, yn) = (nat_lanes(g, x), nat_lanes(g, y));
    let any_nat = g.b.ins().bor(xn, yn);
    let bad = g.b.ins().band_not(bad, any_nat);
    let nat = g.b.ins().iconst(clt::I64, i64::MIN);
    let nat = g.b.ins().splat(clt::I64X2, nat);
    (g.b.ins().bitselect(any_nat, nat, r), bad)
}

/// This pass's code generation, as methods on the compiler's `Gen`.
pub(crate) trait SimdGen {
    fn plan_vector_loops(&self) -> HashMap<Block, VecLoop>;
    fn range_test<'h>(&self, header: Block, h: &'h ir::BlockData) -> Option<(usize, Value, &'h ir::Edge)>;
    fn vector_plan(&self, header: Block, h: &ir::BlockData) -> Option<VecLoop>;
    fn only_int_calls(&self, v: Value, body: &[Block]) -> bool;
    fn speculable_side(&self, side: &ir::BlockData, before: &[Block], diamonds: &[CondSum]) -> bool;
    fn vector_access(
        &self,
        inst: &ir::Inst,
        kinds: &HashMap<Value, Kind>,
        header: Block,
        blk: Block,
        k: usize,
        any_int: bool,
    ) -> Option<SlotTy>;
    fn loop_defined(&self, v: Value, header: Block) -> bool;
    fn emit_vector_loop(&mut self, plan: &VecLoop, args: &[BlockArg]) -> CResult<Vec<BlockArg>>;
    fn add_lanes(&mut self, elem: SlotTy, a: CV, b: CV) -> CV;
    fn header_of(&self, plan: &VecLoop) -> Block;
    fn invariant_inst(&mut self, inst: &ir::Inst, vv: &HashMap<Value, VV>) -> CResult<Option<VV>>;
    fn extent(&mut self, arr: Value) -> CResult<(CV, CV)>;
    fn operand(&mut self, v: Value, vv: &HashMap<Value, VV>) -> CResult<VV>;
    fn splat_of(&mut self, v: Value, vv: &HashMap<Value, VV>, lane_ty: clir::Type) -> CResult<CV>;
    fn index_cv(&mut self, v: Value, vv: &HashMap<Value, VV>, iv: CV) -> CResult<CV>;
    fn vector_addr(&mut self, inst: &ir::Inst, vv: &HashMap<Value, VV>, iv: CV) -> CResult<CV>;
    fn lane_of(v: Value, vv: &HashMap<Value, VV>, splats: &HashMap<Value, CV>) -> CResult<CV>;
    fn vector_inst(
        &mut self,
        inst: &ir::Inst,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
        iv: CV,
        lane_ty: clir::Type,
    ) -> CResult<Option<CV>>;
}

impl SimdGen for Gen<'_, '_> {
    /// Finds the loops to vectorize (analysis only; see the module docs).
    fn plan_vector_loops(&self) -> HashMap<Block, VecLoop> {
        let mut loops = HashMap::new();
        // A function holding time or record values: only `vector_plan`'s loops,
        // whose time lanes are loads, NaT-aware comparisons and checked sums.
        let special = self.typed.types.iter().any(pyston_compiler::infer::has_special);
        for (hi, h) in self.f.blocks.iter().enumerate() {
            let header = Block(hi as u32);
            let plan = self
                .vector_plan(header, h)
                .or_else(|| if special { None } else { self.select_plan(header, h) });
            if let Some(plan) = plan {
                loops.insert(header, plan);
            }
        }
        loops
    }

    /// A counted loop's header: it tests `i < stop` (perhaps through `truth`) and
    /// nothing else, `i` being one of its parameters and `stop` an int defined
    /// before the loop. Returns `i`'s parameter index, `stop` and the body edge.
    fn range_test<'h>(&self, header: Block, h: &'h ir::BlockData) -> Option<(usize, Value, &'h ir::Edge)> {
        let Term::Br(c, body_edge, _) = &h.term else {
            return None;
        };
        if h.params.is_empty() || !body_edge.args.is_empty() || body_edge.block == header {
            return None;
        }
        let (cmp, truth) = match h.insts.as_slice() {
            [a] => (a, None),
            [a, b] => (a, Some(b)),
            _ => return None,
        };
        if cmp.op != Op::Cmp(CmpOp::Lt) {
            return None;
        }
        let (var, stop) = (cmp.args[0], cmp.args[1]);
        let var_index = h.params.iter().position(|p| *p == var)?;
        match truth {
            None if cmp.result == Some(*c) => {}
            Some(t) if t.op == Op::Truth && t.args[0] == cmp.result? && t.result == Some(*c) => {}
            _ => return None,
        }
        let ints = *self.typed.ty(var) == Ty::Int && *self.typed.ty(stop) == Ty::Int;
        (ints && !self.loop_defined(stop, header)).then_some((var_index, stop, body_edge))
    }

    fn vector_plan(&self, header: Block, h: &ir::BlockData) -> Option<VecLoop> {
        let (var_index, stop, body_edge) = self.range_test(header, h)?;
        let var = h.params[var_index];
        // The body: a chain of single-predecessor blocks ending in the latch, with
        // the diamonds of conditional sums (`CondSum`): the branch block, its two
        // sides, then the merge (the only block with two predecessors).
        let mut body = Vec::new();
        let mut diamonds: Vec<CondSum> = Vec::new();
        let mut b = body_edge.block;
        let latch = loop {
            let merge = diamonds.last().is_some_and(|d| d.merge == b);
            if body.contains(&b) || body.len() > 16 || (!merge && self.preds_of(b).len() != 1) {
                return None;
            }
            body.push(b);
            let next = match &self.f.block(b).term {
                Term::Jump(e) => e.block,
                Term::Br(c, te, fe) => {
                    if !te.args.is_empty() || !fe.args.is_empty() || te.block == fe.block {
                        return None;
                    }
                    let mut m = None;
                    for s in [te.block, fe.block] {
                        let d = self.f.block(s);
                        let Term::Jump(j) = &d.term else { return None };
                        if s == header || self.preds_of(s).len() != 1 || !d.params.is_empty() {
                            return None;
                        }
                        if d.insts.len() > 1 && !self.speculable_side(d, &body, &diamonds) {
                            return None;
                        }
                        if *m.get_or_insert(j.block) != j.block || body.contains(&s) {
                            return None;
                        }
                        body.push(s);
                    }
                    let m = m?;
                    if m == header || self.preds_of(m).len() != 2 {
                        return None;
                    }
                    diamonds.push(CondSum {
                        cond: *c,
                        sides: [te.block, fe.block],
                        merge: m,
                    });
                    m
                }
                _ => return None,
            };
            if next == header {
                break b;
            }
            b = next;
        };
        let preds = self.preds_of(header);
        if preds.len() != 2 || !preds.contains(&latch) {
            return None;
        }
        let Term::Jump(back) = &self.f.block(latch).term else {
            return None;
        };
        let k = self
            .f
            .block(latch)
            .insts
            .iter()
            .position(|i| i.result == Some(back.args[var_index]))?;
        let step = &self.f.block(latch).insts[k];
        if step.op != Op::RangeNext || step.args[0] != var || self.consts.get(&step.args[1]) != Some(&Const::Int(1)) {
            return None;
        }
        let step_inst = (latch, k);
        if self.loop_marks.contains_key(&header) {
            return None;
        }
        // The other header parameters must be reductions `s = s + e`, where `s` and
        // the sum are used nowhere else in the loop.
        let mut reductions = Vec::new();
        let uses = |v: Value| -> usize {
            let in_insts: usize = body
                .iter()
                .chain(std::iter::once(&header))
                .map(|b| {
                    let d = self.f.block(*b);
                    d.insts
                        .iter()
                        .map(|i| i.args.iter().filter(|a| **a == v).count())
                        .sum::<usize>()
                        + d.term
                            .successors()
                            .iter()
                            .map(|e| e.args.iter().filter(|a| **a == v).count())
                            .sum::<usize>()
                })
                .sum();
            in_insts
        };
        for (index, &param) in h.params.iter().enumerate() {
            if index == var_index {
                continue;
            }
            let next = back.args[index];
            let def_of = |v: Value| {
                body.iter().find_map(|b| {
                    let k = self.f.block(*b).insts.iter().position(|i| i.result == Some(v))?;
                    Some((*b, k))
                })
            };
            // `next` is `s + e`, or a conditional sum's merge parameter: `s + e` from
            // one side of the diamond, `s` itself from the other.
            let (blk, k, cond) = match def_of(next) {
                Some((blk, k)) => {
                    if uses(param) != 1 || uses(next) != 1 {
                        return None;
                    }
                    (blk, k, None)
                }
                None => {
                    let d = diamonds.iter().find(|d| self.f.block(d.merge).params.contains(&next))?;
                    let pi = self.f.block(d.merge).params.iter().position(|p| *p == next)?;
                    let side_arg = |s: Block| match &self.f.block(s).term {
                        Term::Jump(j) => j.args.get(pi).copied(),
                        _ => None,
                    };
                    let (ta, fa) = (side_arg(d.sides[0])?, side_arg(d.sides[1])?);
                    let (add_v, on_true) = match (ta == param, fa == param) {
                        (false, true) => (ta, true),
                        (true, false) => (fa, false),
                        _ => return None,
                    };
                    let (blk, k) = def_of(add_v)?;
                    if uses(next) != 1 || uses(param) != 2 {
                        return None;
                    }
                    if blk != d.sides[if on_true { 0 } else { 1 }] {
                        // `if e > s: s = e`: `e` computed before the branch, the branch
                        // (through `truth`) on an ordering of `e` and `s`.
                        let pt = self.typed.ty(param);
                        let int_like =
                            (lane_slot(pt) == Some(SlotTy::I64) || time_slot(pt).is_some()) && abi::slot_count(pt) == 1;
                        if !on_true || !int_like || self.typed.ty(add_v) != pt || self.typed.ty(next) != pt {
                            return None;
                        }
                        let (cb, ck) = def_of(d.cond)?;
                        let truth = &self.f.block(cb).insts[ck];
                        let c = if truth.op == Op::Truth { truth.args[0] } else { d.cond };
                        let (mb, mk) = def_of(c)?;
                        let cmp = &self.f.block(mb).insts[mk];
                        let ordering = matches!(cmp.op, Op::Cmp(CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge));
                        let pair = (cmp.args[0] == add_v && cmp.args[1] == param)
                            || (cmp.args[0] == param && cmp.args[1] == add_v);
                        if !ordering || !pair || uses(c) != 1 {
                            return None;
                        }
                        reductions.push(Reduction {
                            param,
                            index,
                            add: (mb, mk),
                            term: add_v,
                            checked: false,
                            proven: false,
                            cond: Some((d.cond, true)),
                            select: true,
                            count: false,
                            more: Vec::new(),
                        });
                        continue;
                    }
                    if uses(add_v) != 1 {
                        return None;
                    }
                    (blk, k, Some((d.cond, on_true)))
                }
            };
            let add = &self.f.block(blk).insts[k];
            if !matches!(add.op, Op::Bin { op: BinOp::Add, .. }) {
                return None;
            }
            let term = if add.args[0] == param { add.args[1] } else { add.args[0] };
            if term == param || !add.args.contains(&param) {
                return None;
            }
            let rt = self.typed.ty(add.result?);
            let pt = self.typed.ty(param);
            // Time sums (`timedelta64 + timedelta64`, one unit): NaT or an overflow
            // leaves the scalar code's fast path, so they are always checked: a NaT
            // term or start (i64::MIN) fails the magnitude check, and the scalar
            // loop redoes the loop; otherwise no partial sum reaches i64::MIN.
            let time = time_slot(rt).is_some();
            if time && (pt != rt || self.typed.ty(term) != rt || self.typed.ty(next) != rt) {
                return None;
            }
            let slot = lane_slot(rt).or(time_slot(rt))?;
            // A sum `ranges` proved never overflows in source order needs no check:
            // its total fits in i64, and wrapping i64 adds (associative, commutative)
            // of the same terms in any order give that total exactly.
            let strict = slot == SlotTy::I64 && (time || !self.env.sem.wrapping_ints);
            let proven = strict && !time && self.facts.no_overflow.contains(&(blk, k));
            let checked = strict && !proven;
            let ok = match slot {
                SlotTy::I64 => true,
                // (Conditional: a masked lane adds -0.0, which leaves every float as it is.)
                SlotTy::F64 | SlotTy::F32 => self.env.sem.reassociate,
                _ => false,
            };
            if !ok || lane_slot(pt).or(time_slot(pt)) != Some(slot) || abi::slot_count(pt) > 2 {
                return None;
            }
            // A conditional sum keeps its type whether or not an add ran, or it is a
            // union of the sum's type and another of the same slot (`s = 0`, then
            // np.int64 terms): the vector loop then records which lanes added.
            let union_of_rt = matches!(pt, Ty::Union(ms) if ms.contains(rt)) && self.typed.ty(next) == pt;
            if cond.is_some() && !union_of_rt && (pt != rt || self.typed.ty(next) != rt) {
                return None;
            }
            reductions.push(Reduction {
                param,
                index,
                add: (blk, k),
                term,
                checked,
                proven,
                cond,
                select: false,
                count: false,
                more: Vec::new(),
            });
        }
        // Classify every instruction of the body.
        let mut kinds: HashMap<Value, Kind> = HashMap::new();
        kinds.insert(var, Kind::Idx(0));
        let mut elem: Option<SlotTy> = None;
        let mut narrow: HashSet<Value> = HashSet::new();
        let mut checked_lanes = false;
        // Lane masks (comparisons, their truth): only conditional sums' conditions.
        let mut masks: HashSet<Value> = HashSet::new();
        let mut stores: Vec<(Value, Vec<Value>)> = Vec::new();
        let mut loads: Vec<(Value, Vec<Value>)> = Vec::new();
        for &blk in &body {
            for (k, inst) in self.f.block(blk).insts.iter().enumerate() {
                if (blk, k) == step_inst {
                    continue;
                }
                if self.env.pycalls.contains_key(&(blk, k)) {
                    return None;
                }
                if let Some(r) = reductions.iter().find(|r| r.add == (blk, k) && r.select) {
                    // The comparison of a select reduction: a lane mask (the term's lanes
                    // against the running extremes).
                    if kinds.get(&r.term) != Some(&Kind::Lane) || *elem.get_or_insert(SlotTy::I64) != SlotTy::I64 {
                        return None;
                    }
                    kinds.insert(inst.result?, Kind::Lane);
                    masks.insert(inst.result?);
                    continue;
                }
                if let Some(r) = reductions.iter_mut().find(|r| r.add == (blk, k)) {
                    // A counter: an invariant int term (`n += 1`), added where the mask holds.
                    let inv = match kinds.get(&r.term) {
                        Some(kt) => *kt == Kind::Inv,
                        None => !self.loop_defined(r.term, header),
                    };
                    let int_term = matches!(self.typed.ty(r.term), Ty::Int | Ty::Np(Dtype::Int64));
                    let pt = self.typed.ty(r.param);
                    if inv && int_term && r.cond.is_some() && lane_slot(pt) == Some(SlotTy::I64) {
                        if matches!(pt, Ty::Union(_)) {
                            return None;
                        }
                        r.count = true;
                        continue;
                    }
                    let e = lane_slot(self.typed.ty(r.term)).or(time_slot(self.typed.ty(r.term)))?;
                    let sum_lanes = matches!(e, SlotTy::I64 | SlotTy::F64 | SlotTy::F32);
                    if !sum_lanes || kinds.get(&r.term) != Some(&Kind::Lane) || *elem.get_or_insert(e) != e {
                        return None;
                    }
                    continue;
                }
                let kind_of = |v: Value| -> Option<Kind> {
                    match kinds.get(&v) {
                        Some(k) => Some(*k),
                        None if !self.loop_defined(v, header) => Some(Kind::Inv),
                        None => None,
                    }
                };
                let rt = inst.result.map(|r| self.ty(r));
                let any_lane = inst.args.iter().any(|a| kinds.get(a) == Some(&Kind::Lane));
                let kind = match &inst.op {
                    // A comparison of 64-bit int lanes or time lanes (NaT-aware): a lane
                    // mask, the condition of a conditional sum (checked below).
                    Op::Cmp(_) if any_lane && inst.args.len() == 2 => {
                        let (a, b) = (inst.args[0], inst.args[1]);
                        let (ta, tb) = (self.typed.ty(a), self.typed.ty(b));
                        let operand_ok = |v: Value, t: &Ty| match kind_of(v) {
                            Some(Kind::Lane) => !masks.contains(&v),
                            Some(Kind::Inv) => true,
                            _ => false,
                        } && match t {
                            Ty::Np(d) if d.is_time() => ta == tb,
                            _ => {
                                lane_slot(t) == Some(SlotTy::I64)
                                    || (kind_of(v) == Some(Kind::Inv) && matches!(t, Ty::Bool))
                            }
                        };
                        let time = time_slot(ta).is_some() || time_slot(tb).is_some();
                        let rt_ok = matches!(rt, Some(Ty::Bool | Ty::Np(Dtype::Bool)));
                        // float64 lanes (an fcmp: ordered, as Python's and NumPy's comparisons,
                        // `!=` true with a NaN) against float64 lanes, floats defined before the
                        // loop, or int constants a double holds exactly (CPython compares a
                        // float with an int exactly: only such ints convert without rounding).
                        // float32 lanes likewise, against float32 lanes, np.float32 values
                        // defined before the loop, or int constants a float32 holds exactly
                        // (|c| <= 2**24: compared in float32 or float64, the same answer);
                        // not against Python floats or float64 (NumPy versions promote
                        // those differently).
                        let float_lane = |v: Value, t: &Ty| kind_of(v) == Some(Kind::Lane) && float_slot(t).is_some();
                        let fe = [(a, ta), (b, tb)]
                            .into_iter()
                            .find(|(v, t)| float_lane(*v, t))
                            .and_then(|(_, t)| float_slot(t));
                        let exact_int = match fe {
                            Some(SlotTy::F32) => 1u64 << 24,
                            _ => 1u64 << 53,
                        };
                        let float_ok = |v: Value, t: &Ty| match kind_of(v) {
                            Some(Kind::Lane) => !masks.contains(&v) && float_slot(t) == fe,
                            Some(Kind::Inv) => {
                                (float_slot(t) == fe && (fe == Some(SlotTy::F64) || *t == Ty::Np(Dtype::Float32)))
                                    || matches!(self.consts.get(&v), Some(Const::Int(c)) if c.unsigned_abs() <= exact_int)
                            }
                            _ => false,
                        };
                        if let Some(fe) = fe {
                            if !rt_ok || !float_ok(a, ta) || !float_ok(b, tb) {
                                return None;
                            }
                            if *elem.get_or_insert(fe) != fe {
                                return None;
                            }
                            masks.insert(inst.result?);
                            kinds.insert(inst.result?, Kind::Lane);
                            continue;
                        }
                        if !rt_ok || !operand_ok(a, ta) || !operand_ok(b, tb) || (time && ta != tb) {
                            return None;
                        }
                        if *elem.get_or_insert(SlotTy::I64) != SlotTy::I64 {
                            return None;
                        }
                        masks.insert(inst.result?);
                        Kind::Lane
                    }
                    Op::Truth if masks.contains(&inst.args[0]) => {
                        masks.insert(inst.result?);
                        Kind::Lane
                    }
                    // Time arithmetic of one unit (`datetime - datetime`, `timedelta +-
                    // timedelta`, `datetime +- timedelta`): NaT where an operand is NaT,
                    // else the int result, whose overflow or landing on NaT is checked per
                    // lane (the step is left to the scalar loop, which deoptimizes there).
                    Op::Bin {
                        op: op @ (BinOp::Add | BinOp::Sub),
                        ..
                    } if any_lane && rt.as_ref().is_some_and(|t| time_slot(t).is_some()) => {
                        let (a, b) = (inst.args[0], inst.args[1]);
                        let (Ty::Np(da), Ty::Np(db), Some(Ty::Np(dr))) =
                            (self.typed.ty(a), self.typed.ty(b), rt.clone())
                        else {
                            return None;
                        };
                        let unit = dr.time_unit()?;
                        let units_ok = da.time_unit() == Some(unit) && db.time_unit() == Some(unit);
                        let kinds_ok = match (da, db, dr) {
                            (Dtype::Datetime(_), Dtype::Datetime(_), Dtype::Timedelta(_)) => *op == BinOp::Sub,
                            (Dtype::Timedelta(_), Dtype::Timedelta(_), Dtype::Timedelta(_)) => true,
                            (Dtype::Datetime(_), Dtype::Timedelta(_), Dtype::Datetime(_)) => true,
                            (Dtype::Timedelta(_), Dtype::Datetime(_), Dtype::Datetime(_)) => *op == BinOp::Add,
                            _ => false,
                        };
                        let lane_or_inv =
                            |v: Value| matches!(kind_of(v), Some(Kind::Lane | Kind::Inv)) && !masks.contains(&v);
                        if !units_ok || !kinds_ok || !lane_or_inv(a) || !lane_or_inv(b) {
                            return None;
                        }
                        if *elem.get_or_insert(SlotTy::I64) != SlotTy::I64 {
                            return None;
                        }
                        checked_lanes = true;
                        Kind::Lane
                    }
                    Op::Const(Const::Int(_) | Const::Float(_) | Const::Bool(_)) => Kind::Inv,
                    Op::Global(_) => match rt {
                        Some(Ty::Builtin(_)) => Kind::Inv,
                        _ => return None,
                    },
                    // The length of an unrolled literal range (a constant, no checks).
                    Op::RangeLen
                        if inst.args[1..]
                            .iter()
                            .all(|a| matches!(self.consts.get(a), Some(Const::Int(_)))) =>
                    {
                        Kind::Inv
                    }
                    Op::Bin { op, .. } => {
                        let (a, b) = (inst.args[0], inst.args[1]);
                        let (ka, kb) = (kind_of(a)?, kind_of(b)?);
                        let rt = rt?;
                        let lane_any = ka == Kind::Lane || kb == Kind::Lane;
                        let int_lanes = lane_slot(&rt).filter(|e| matches!(e, SlotTy::I64 | SlotTy::I32));
                        if let (true, Some(e)) = (lane_any, int_lanes) {
                            // Int lanes: + - * where ints wrap (unchecked_int); in strict mode
                            // + and -, with each step's lanes checked for overflow before its stores.
                            let i32_const = |v: Value| matches!(self.consts.get(&v), Some(Const::Int(c)) if i32::try_from(*c).is_ok());
                            let lane_ok = |v: Value, kv: Kind| match kv {
                                Kind::Lane => lane_slot(self.typed.ty(v)) == Some(e),
                                Kind::Inv if e == SlotTy::I64 => {
                                    matches!(self.typed.ty(v), Ty::Int | Ty::Bool | Ty::Np(Dtype::Int64))
                                }
                                Kind::Inv => *self.typed.ty(v) == Ty::Np(Dtype::Int32) || i32_const(v),
                                Kind::Idx(_) | Kind::Off(_) => false,
                            };
                            let op_ok = if self.env.sem.wrapping_ints {
                                matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul)
                            } else {
                                matches!(op, BinOp::Add | BinOp::Sub)
                            };
                            if !op_ok || !lane_ok(a, ka) || !lane_ok(b, kb) || *elem.get_or_insert(e) != e {
                                return None;
                            }
                            checked_lanes |= !self.env.sem.wrapping_ints;
                            Kind::Lane
                        } else if rt == Ty::Int {
                            let ci = |v: Value| match self.consts.get(&v) {
                                Some(Const::Int(c)) => Some(*c),
                                _ => None,
                            };
                            match (op, ka, kb) {
                                // `i + x` with `x` an int variable defined before the loop (the
                                // window of `a[i + k]`), when `ranges` proved the sum does not
                                // overflow.
                                (BinOp::Add, Kind::Idx(0), Kind::Inv) | (BinOp::Add, Kind::Inv, Kind::Idx(0))
                                    if ci(if ka == Kind::Inv { a } else { b }).is_none()
                                        && self.facts.no_overflow.contains(&(blk, k)) =>
                                {
                                    let x = if ka == Kind::Inv { a } else { b };
                                    if *self.typed.ty(x) != Ty::Int {
                                        return None;
                                    }
                                    Kind::Off(x)
                                }
                                (BinOp::Add, Kind::Idx(x), Kind::Inv) => Kind::Idx(x.checked_add(ci(b)?)?),
                                (BinOp::Add, Kind::Inv, Kind::Idx(x)) => Kind::Idx(x.checked_add(ci(a)?)?),
                                (BinOp::Sub, Kind::Idx(x), Kind::Inv) => Kind::Idx(x.checked_sub(ci(b)?)?),
                                (BinOp::Add | BinOp::Sub | BinOp::Mul, Kind::Inv, Kind::Inv)
                                    if self.facts.no_overflow.contains(&(blk, k)) =>
                                {
                                    Kind::Inv
                                }
                                _ => return None,
                            }
                        } else {
                            let e = float_slot(&rt)?;
                            let lane_ok = |v: Value, kv: Kind| match kv {
                                Kind::Lane => float_slot(self.typed.ty(v)) == Some(e),
                                Kind::Inv => plain_scalar(self.typed.ty(v)),
                                Kind::Idx(_) | Kind::Off(_) => false,
                            };
                            if !lane_ok(a, ka) || !lane_ok(b, kb) {
                                return None;
                            }
                            match op {
                                BinOp::Add | BinOp::Sub | BinOp::Mul => {}
                                // Division by a constant that cannot raise (Python float) or
                                // warn (NumPy: |c| >= 1 cannot overflow a finite quotient).
                                BinOp::Div => {
                                    let c = match self.consts.get(&b) {
                                        Some(Const::Float(c)) => *c,
                                        Some(Const::Int(c)) => *c as f64,
                                        _ => return None,
                                    };
                                    let np = rt != Ty::Float;
                                    if c == 0.0 || c.is_nan() || (np && c.abs() < 1.0) {
                                        return None;
                                    }
                                }
                                _ => return None,
                            }
                            if ka == Kind::Lane || kb == Kind::Lane {
                                if *elem.get_or_insert(e) != e {
                                    return None;
                                }
                                Kind::Lane
                            } else if *op == BinOp::Div {
                                return None;
                            } else {
                                Kind::Inv
                            }
                        }
                    }
                    Op::Unary(UnaryOp::Neg) => {
                        let rt = rt?;
                        let e = float_slot(&rt)?;
                        if kind_of(inst.args[0])? != Kind::Lane || float_slot(self.typed.ty(inst.args[0])) != Some(e) {
                            return None;
                        }
                        Kind::Lane
                    }
                    // int(x) of an int32 element: the lane was loaded sign-extended to 64 bits.
                    Op::Call { kw }
                        if kw.is_empty()
                            && *self.typed.ty(inst.args[0]) == Ty::Builtin(Builtin::Int)
                            && inst.args.len() == 2 =>
                    {
                        // (or of an int64 lane: the same 64 bits as an int)
                        let a = inst.args[1];
                        let wide = kind_of(a) == Some(Kind::Lane) && *self.typed.ty(a) == Ty::Np(Dtype::Int64);
                        if !(narrow.contains(&a) || wide) || rt? != Ty::Int {
                            return None;
                        }
                        Kind::Lane
                    }
                    Op::Call { kw } if kw.is_empty() => {
                        let rt = rt?;
                        let e = float_slot(&rt)?;
                        let args = &inst.args[1..];
                        let ok = match self.typed.ty(inst.args[0]) {
                            Ty::Builtin(Builtin::Abs) => args.len() == 1,
                            Ty::Builtin(Builtin::Min | Builtin::Max) => args.len() >= 2,
                            _ => false,
                        };
                        let kinds_ok = args.iter().all(|a| {
                            let t = self.typed.ty(*a);
                            float_slot(t) == Some(e)
                                && match kind_of(*a) {
                                    Some(Kind::Lane) => true,
                                    Some(Kind::Inv) => plain_scalar(t),
                                    _ => false,
                                }
                        });
                        if !ok || !kinds_ok || !args.iter().any(|a| kind_of(*a) == Some(Kind::Lane)) {
                            return None;
                        }
                        Kind::Lane
                    }
                    Op::GetItem => {
                        // An element of an int array narrower than 64 bits read only by
                        // `int()`: loaded widened (sign or zero, by dtype) into 64-bit lanes.
                        let widen = match self.typed.ty(inst.args[0]) {
                            Ty::Array(at) => at.dtype.is_int() && at.dtype.itemsize() < 8,
                            _ => false,
                        } && self.only_int_calls(inst.result?, &body);
                        let e = self.vector_access(inst, &kinds, header, blk, k, widen)?;
                        if widen {
                            // Loaded widened into 64-bit lanes; usable only through int().
                            if *elem.get_or_insert(SlotTy::I64) != SlotTy::I64 {
                                return None;
                            }
                            narrow.insert(inst.result?);
                        } else if rt.as_ref().and_then(|t| lane_slot(t).or(time_slot(t))) != Some(e)
                            || *elem.get_or_insert(e) != e
                        {
                            return None;
                        }
                        loads.push((inst.args[0], inst.args[1..].to_vec()));
                        Kind::Lane
                    }
                    Op::SetItem => {
                        let e = self.vector_access(inst, &kinds, header, blk, k, false)?;
                        let v = *inst.args.last().unwrap();
                        let Ty::Array(at) = self.typed.ty(inst.args[0]) else {
                            return None;
                        };
                        let kv = kind_of(v)?;
                        let vt = self.typed.ty(v);
                        let inv_ok = kv != Kind::Inv || plain_scalar(vt);
                        // A bool array: only filled with one bool (`flags[i] = True`).
                        let bool_fill =
                            e == SlotTy::I8 && kv == Kind::Inv && matches!(vt, Ty::Bool | Ty::Np(Dtype::Bool));
                        // A time value stored into an array of its own dtype: its count.
                        let time_store = *vt == Ty::Np(at.dtype) && at.dtype.is_time();
                        let vslot = if bool_fill {
                            Some(SlotTy::I8)
                        } else if time_store {
                            Some(SlotTy::I64)
                        } else {
                            lane_slot(vt)
                        };
                        if at.readonly || vslot != Some(e) || matches!(kv, Kind::Idx(_) | Kind::Off(_)) || !inv_ok {
                            return None;
                        }
                        if *elem.get_or_insert(e) != e {
                            return None;
                        }
                        stores.push((inst.args[0], inst.args[1..inst.args.len() - 1].to_vec()));
                        continue;
                    }
                    _ => return None,
                };
                if let Some(r) = inst.result {
                    kinds.insert(r, kind);
                }
            }
        }
        let elem = elem?;
        if stores.is_empty() && reductions.is_empty() {
            return None;
        }
        // Diamonds: each side holds only its conditional sums' adds, each merge
        // parameter is a conditional sum, and the branch tests a lane mask.
        for d in &diamonds {
            // (In float64 loops the conditional reductions are counters and, under
            // `fastmath`, float sums; float32 lanes: none.)
            // (float32 lanes: counters only, their I64X2 lanes taking the mask's
            // low and high halves: see `emit_vector_loop`.)
            let counters_only = d
                .sides
                .iter()
                .all(|&side| reductions.iter().filter(|r| r.add.0 == side).all(|r| r.count));
            if !masks.contains(&d.cond)
                || !(matches!(elem, SlotTy::I64 | SlotTy::F64) || (elem == SlotTy::F32 && counters_only))
            {
                return None;
            }
            for (si, &side) in d.sides.iter().enumerate() {
                for (k, inst) in self.f.block(side).insts.iter().enumerate() {
                    // (the side's other instructions: see `speculable_side`)
                    let Some(r) = reductions.iter().find(|r| r.add == (side, k)) else {
                        if matches!(inst.op, Op::GetItem | Op::Global(_) | Op::Call { .. } | Op::Const(_)) {
                            continue;
                        }
                        return None;
                    };
                    if r.cond != Some((d.cond, si == 0)) {
                        return None;
                    }
                }
            }
            let params = &self.f.block(d.merge).params;
            if !params
                .iter()
                .all(|p| reductions.iter().any(|r| back.args[r.index] == *p))
            {
                return None;
            }
        }
        // A mask feeds only truth tests and the branches of those diamonds.
        for &blk in &body {
            let d = self.f.block(blk);
            for i in &d.insts {
                if i.op != Op::Truth && i.args.iter().any(|a| masks.contains(a)) {
                    return None;
                }
            }
            let cond = match &d.term {
                Term::Br(c, ..) => Some(*c),
                _ => None,
            };
            if d.term.uses().iter().any(|u| masks.contains(u) && Some(*u) != cond) {
                return None;
            }
        }
        if !stores.is_empty() && reductions.iter().any(|r| r.checked) {
            return None; // a checked sum may have to redo the loop: no side effects allowed
        }
        // (A select reduction needs no undoing: a step left early hands the scalar
        // loop the extremes from before the step.)
        if checked_lanes && reductions.iter().any(|r| !r.select) {
            return None; // a step left early would have to undo its partial sums
        }
        // Sums of narrow elements only (`s += int(a[i + k])`, int8 to uint16, proven
        // never to overflow): with at most `limit` iterations, n terms of magnitude
        // <= m give partial sums (of any subset, in any order) within n * m <=
        // 2**31 - 1, so 32-bit lanes add them exactly.
        let narrow32 = {
            let mut m: i64 = 0;
            let mut ok = stores.is_empty()
                && !checked_lanes
                && elem == SlotTy::I64
                && diamonds.is_empty()
                && !reductions.is_empty()
                && reductions.iter().all(|r| r.proven && r.cond.is_none() && !r.select);
            for &blk in &body {
                for (k, inst) in self.f.block(blk).insts.iter().enumerate() {
                    let Some(r) = inst.result else { continue };
                    if kinds.get(&r) != Some(&Kind::Lane) || reductions.iter().any(|x| x.add == (blk, k)) {
                        continue;
                    }
                    match (&inst.op, self.typed.ty(inst.args[0])) {
                        (Op::GetItem, Ty::Array(at)) if narrow.contains(&r) && at.dtype.itemsize() <= 2 => {
                            let (lo, hi) = at.dtype.int_range();
                            m = m.max((lo as i64).abs()).max(hi as i64);
                        }
                        (Op::Call { .. }, _) if inst.args.len() == 2 && narrow.contains(&inst.args[1]) => {}
                        _ => ok = false,
                    }
                }
            }
            (ok && m > 0).then(|| (i32::MAX as i64) / m)
        };
        // Aliasing: an array both written and read must be read at exactly the
        // written element (`y[i] = a * x[i] + y[i]`); any other pair of a written
        // array and another array is checked for overlap at run time.
        let mut disjoint = Vec::new();
        for (si, (s, sidx)) in stores.iter().enumerate() {
            for (o, oidx) in loads.iter().chain(stores.iter().skip(si + 1)) {
                if o == s {
                    if oidx != sidx {
                        return None;
                    }
                } else if !disjoint.contains(&(*s, *o)) {
                    disjoint.push((*s, *o));
                }
            }
        }
        Some(VecLoop {
            var,
            stop,
            body,
            step_inst,
            elem,
            disjoint,
            var_index,
            reductions,
            checked_lanes,
            sel: None,
            narrow32,
            in_i32: false,
        })
    }

    /// Whether a diamond side's instructions other than its last may run on every
    /// lane whatever the condition: a builtin's name, `int()` of a value, and a
    /// load that repeats one made on every iteration before the branch (the same
    /// array and index values, in a body with no stores: in bounds and the same
    /// value whenever that one is). `if a[i] > t: s += a[i]` reloads `a[i]`.
    fn speculable_side(&self, side: &ir::BlockData, before: &[Block], diamonds: &[CondSum]) -> bool {
        let is_side = |b: &Block| diamonds.iter().any(|d| d.sides.contains(b));
        let stores = before
            .iter()
            .any(|b| self.f.block(*b).insts.iter().any(|i| i.op == Op::SetItem))
            || side.insts.iter().any(|i| i.op == Op::SetItem);
        let Some((_, rest)) = side.insts.split_last() else {
            return true;
        };
        rest.len() <= 3
            && rest.iter().all(|i| match &i.op {
                Op::Const(_) => true,
                Op::Global(_) => i
                    .result
                    .is_some_and(|r| matches!(self.typed.ty(r), Ty::Builtin(Builtin::Int))),
                Op::Call { kw } => {
                    kw.is_empty() && i.args.len() == 2 && *self.typed.ty(i.args[0]) == Ty::Builtin(Builtin::Int)
                }
                Op::GetItem => {
                    !stores
                        && before.iter().filter(|b| !is_side(b)).any(|b| {
                            self.f
                                .block(*b)
                                .insts
                                .iter()
                                .any(|j| j.op == Op::GetItem && j.args == i.args)
                        })
                }
                _ => false,
            })
    }

    /// Whether every use of `v` in the loop body is `int(v)`.
    fn only_int_calls(&self, v: Value, body: &[Block]) -> bool {
        body.iter().all(|b| {
            let d = self.f.block(*b);
            let in_term = d.term.uses().contains(&v);
            !in_term
                && d.insts.iter().filter(|i| i.args.contains(&v)).all(|i| {
                    matches!(i.op, Op::Call { .. })
                        && i.args.len() == 2
                        && i.args[1] == v
                        && *self.typed.ty(i.args[0]) == Ty::Builtin(Builtin::Int)
                })
        })
    }

    /// For a load or store in a candidate loop: the element's slot type when the
    /// access is `X[inv.., i + c, inv..]` along X's unit-stride axis, on a float
    /// array defined before the loop, with every index check proven away.
    fn vector_access(
        &self,
        inst: &ir::Inst,
        kinds: &HashMap<Value, Kind>,
        header: Block,
        blk: Block,
        k: usize,
        any_int: bool,
    ) -> Option<SlotTy> {
        let arr = inst.args[0];
        let Ty::Array(at) = self.typed.ty(arr) else { return None };
        // The narrow and unsigned int dtypes only in `simd_select`'s plans (`any_int`).
        // Time dtypes: loads only (`vector_plan` gives them time lanes).
        let time_load = at.dtype.is_time();
        let dtype_ok = at.dtype.is_basic() || (any_int && crate::simd_select::lane_dtype(at.dtype)) || time_load;
        if self.loop_defined(arr, header) || !dtype_ok {
            return None;
        }
        let nd = at.ndim as usize;
        let idx = if inst.op == Op::SetItem {
            &inst.args[1..inst.args.len() - 1]
        } else {
            &inst.args[1..]
        };
        let unit = at.layout.unit_stride_axis(nd)?;
        if idx.len() != nd {
            return None;
        }
        for (axis, ix) in idx.iter().enumerate() {
            if *self.typed.ty(*ix) != Ty::Int || !self.facts.unchecked.contains(&(blk, k, axis)) {
                return None;
            }
            let kind = kinds.get(ix).copied().unwrap_or(Kind::Inv);
            let ok = if axis == unit {
                matches!(kind, Kind::Idx(_) | Kind::Off(_))
            } else {
                kind == Kind::Inv
            };
            if !ok {
                return None;
            }
        }
        match abi::dtype_slots(at.dtype)[..] {
            [st] => Some(st),
            _ => None, // complex
        }
    }

    /// Whether `v` is defined inside the loop headed by `header` (the header
    /// dominates its definition).
    fn loop_defined(&self, v: Value, header: Block) -> bool {
        match self.def_block.get(&v) {
            Some(b) => self.dominates(header, *b),
            None => false,
        }
    }

    /// Emits the vector loop in front of the scalar loop (called at the jump from
    /// the preheader). Returns the `i` the scalar loop starts from.
    ///
    /// Everything that is the same for all iterations (invariant arithmetic, the
    /// conversion of scalar operands to the element type, which may deoptimize)
    /// is computed here, before the loop: a deopt then resumes at the jump into
    /// the scalar loop. The vector body itself cannot leave the fast path.
    fn emit_vector_loop(&mut self, plan: &VecLoop, args: &[BlockArg]) -> CResult<Vec<BlockArg>> {
        if let (Some(limit), false) = (plan.narrow32, plan.in_i32) {
            // Narrow sums: the 4 x i32 version when the trip count is at most `limit`,
            // else the i64 one. `stop - i0` as an unsigned number: a wrapped difference
            // (above 2**63) or a negative one (no iterations: either version) is huge.
            let params = self.f.block(self.header_of(plan)).params.clone();
            let mut first = 0;
            for p in &params[..plan.var_index] {
                first += abi::slot_count(&self.ty(*p));
            }
            let BlockArg::Value(i0) = args[first] else {
                return Err(internal("simd: block argument"));
            };
            let stop = self.use_val(plan.stop)?[0];
            let span = self.b.ins().isub(stop, i0);
            let fits = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThanOrEqual, span, limit);
            let (narrow_blk, wide_blk, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
            self.b.ins().brif(fits, narrow_blk, &[], wide_blk, &[]);
            let mut outs = Vec::new();
            for (blk, in_i32) in [(narrow_blk, true), (wide_blk, false)] {
                self.b.switch_to_block(blk);
                let mut p = plan.clone();
                p.in_i32 = in_i32;
                p.narrow32 = None;
                let r = self.emit_vector_loop(&p, args)?;
                let vals: Vec<BlockArg> = r.clone();
                self.b.ins().jump(merge, &vals);
                outs.push(r);
            }
            let mut result = Vec::new();
            for a in &outs[0] {
                let BlockArg::Value(v) = a else {
                    return Err(internal("simd: block argument"));
                };
                let t = self.b.func.dfg.value_type(*v);
                result.push(BlockArg::Value(self.b.append_block_param(merge, t)));
            }
            self.b.switch_to_block(merge);
            return Ok(result);
        }
        let f = self.f;
        let lanes = plan.lanes();
        let lane_ty = plan.lane_ty();
        // Where each header parameter's slots are in `args`.
        let params = self.f.block(self.header_of(plan)).params.clone();
        let mut first_slot = Vec::new();
        let mut n = 0;
        for p in &params {
            first_slot.push(n);
            n += abi::slot_count(&self.ty(*p));
        }
        let arg_cv = |k: usize| match args[k] {
            BlockArg::Value(v) => Ok(v),
            _ => Err(internal("simd: block argument")),
        };
        let i0 = arg_cv(first_slot[plan.var_index])?;
        let mut vv: HashMap<Value, VV> = HashMap::new();
        vv.insert(plan.var, VV::Idx(0));
        let mut lane_vals: HashSet<Value> = HashSet::new();
        let mut splats: HashMap<Value, CV> = HashMap::new();
        for &blk in &plan.body {
            if let Some((_, te, fe)) = plan.sel.as_ref().and_then(|s| s.merges.get(&blk)) {
                // A diamond's merge: its parameters are lanes, its invariant arguments splats
                // (a counter's values: none).
                let counters = &plan.sel.as_ref().map(|s| &s.counters);
                for a in te.args.iter().chain(&fe.args) {
                    if counters.is_some_and(|c| c.contains(a)) {
                        continue;
                    }
                    if !lane_vals.contains(a) && !splats.contains_key(a) {
                        let s = if lane_ty.lane_type().is_float() {
                            self.splat_of(*a, &vv, lane_ty)?
                        } else {
                            self.splat_int(*a, &vv, lane_ty)?
                        };
                        splats.insert(*a, s);
                    }
                }
                lane_vals.extend(f.block(blk).params.iter().copied());
            }
            for (k, inst) in f.block(blk).insts.iter().enumerate() {
                if (blk, k) == plan.step_inst || plan.reductions.iter().any(|r| r.adds_at((blk, k))) {
                    continue;
                }
                let lane_args: Vec<Value> = match &inst.op {
                    Op::GetItem => vec![],
                    Op::Cmp(_) => inst.args.clone(),
                    Op::Truth => vec![], // of a lane mask
                    Op::MethodCall { .. } => {
                        // `np.uint8(255)`: a NumPy int constant.
                        let r = inst.result.unwrap();
                        let Some(&(d, c)) = plan.sel.as_ref().and_then(|s| s.np_consts.get(&r)) else {
                            return Err(internal("simd: unplanned method call"));
                        };
                        let x = self.b.ins().iconst(clt::I64, c);
                        let x = if d.itemsize() == 8 {
                            x
                        } else {
                            self.b.ins().ireduce(cl_ty(abi::dtype_slots(d)[0]), x)
                        };
                        vv.insert(r, VV::Inv(vec![x]));
                        continue;
                    }
                    Op::SetItem => vec![*inst.args.last().unwrap()],
                    Op::Call { .. } => inst.args[1..].to_vec(),
                    Op::Bin { .. } | Op::Unary(_) if inst.args.iter().any(|a| lane_vals.contains(a)) => {
                        inst.args.clone()
                    }
                    Op::Global(_) => continue, // a builtin callee: no value
                    Op::RangeLen => {
                        let mut xs = Vec::new();
                        for a in &inst.args[1..] {
                            let VV::Inv(v) = self.operand(*a, &vv)? else {
                                return Err(internal("simd: range bounds"));
                            };
                            xs.push((self.ty(*a), v));
                        }
                        let n = self.range_len(&xs[0], &xs[1], &xs[2])?;
                        vv.insert(inst.result.unwrap(), VV::Inv(n));
                        continue;
                    }
                    Op::Const(c) => {
                        let (_, vals) = self.const_vals(c)?;
                        vv.insert(inst.result.unwrap(), VV::Inv(vals));
                        continue;
                    }
                    _ => {
                        if let Some(v) = self.invariant_inst(inst, &vv)? {
                            vv.insert(inst.result.unwrap(), v);
                        }
                        continue;
                    }
                };
                for a in lane_args {
                    if !lane_vals.contains(&a) && !splats.contains_key(&a) {
                        let s = if plan.sel.is_some() && !lane_ty.lane_type().is_float() {
                            self.splat_int(a, &vv, lane_ty)?
                        } else {
                            self.splat_of(a, &vv, lane_ty)?
                        };
                        splats.insert(a, s);
                    }
                }
                if let Some(r) = inst.result {
                    lane_vals.insert(r);
                }
            }
        }
        // Counters' terms, in every I64X2 lane (converted before the loop).
        let mut count_terms: HashMap<(Block, usize), CV> = HashMap::new();
        for r in &plan.reductions {
            if r.count {
                for (b, k) in std::iter::once(r.add).chain(r.more.iter().copied()) {
                    let add = &f.block(b).insts[k];
                    let term = if add.args[0] == r.param {
                        add.args[1]
                    } else {
                        add.args[0]
                    };
                    let t = self.splat_int(term, &vv, clt::I64X2)?;
                    count_terms.insert((b, k), t);
                }
            }
        }
        // Overlap checks: [data, data + size * itemsize) of each pair must be disjoint.
        let mut ok: Option<CV> = None;
        for (a, b) in &plan.disjoint {
            let (ea, eb) = (self.extent(*a)?, self.extent(*b)?);
            let left = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, ea.1, eb.0);
            let right = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, eb.1, ea.0);
            let d = self.b.ins().bor(left, right);
            ok = Some(match ok {
                Some(o) => self.b.ins().band(o, d),
                None => d,
            });
        }
        // The body is unrolled: twice, or four times for float sums (four partial-sum
        // vectors hide the add latency). It runs while i <= stop - step, computed
        // without overflow.
        let unroll: i64 = if !plan.reductions.is_empty() && plan.elem != SlotTy::I64 && !plan.in_i32 {
            4
        } else {
            2
        };
        let step = unroll * lanes;
        let stop = self.use_val(plan.stop)?[0];
        let min_ok = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, stop, i64::MIN + step);
        let lim = self.b.ins().iadd_imm_s(stop, -step);
        let floor = self.b.ins().iconst(clt::I64, i64::MIN);
        let lim = self.b.ins().select(min_ok, lim, floor);
        let vh = self.b.create_block();
        let vb = self.b.create_block();
        let out = self.b.create_block();
        let iv = self.b.append_block_param(vh, clt::I64);
        let i_out = self.b.append_block_param(out, clt::I64);
        // One vector of partial sums per reduction, starting at zero (floats at -0.0,
        // the identity of IEEE addition: a sum of no terms or of -0.0 terms only
        // leaves `s` as it was, -0.0 included).
        let zero = if plan.in_i32 {
            self.b.ins().iconst(clt::I32, 0)
        } else if plan.elem == SlotTy::F64 {
            self.b.ins().f64const(-0.0)
        } else if plan.elem == SlotTy::F32 {
            self.b.ins().f32const(-0.0)
        } else {
            self.zero(plan.elem)
        };
        let zeros = self.b.ins().splat(lane_ty, zero);
        let z64 = self.b.ins().iconst(clt::I64, 0);
        let zeros64 = self.b.ins().splat(clt::I64X2, z64);
        // Partial sums: accs[u * R + r] for unrolled copy u and reduction r; then, for
        // checked sums, the OR of the terms' magnitude bits, in the same order.
        let any_checked = plan.reductions.iter().any(|r| r.checked);
        let nacc_sums = (1 + any_checked as usize) * unroll as usize * plan.reductions.len();
        // Conditional sums of a union `s` (`s = 0`, then `s += x` of np.int64): the OR
        // of the lanes that added, in the same order, for the type `s` ends with.
        let tagged: Vec<bool> = plan
            .reductions
            .iter()
            .map(|r| r.cond.is_some() && matches!(self.ty(r.param), Ty::Union(_)))
            .collect();
        let taken_at = nacc_sums;
        let nacc = nacc_sums
            + if tagged.contains(&true) {
                unroll as usize * plan.reductions.len()
            } else {
                0
            };
        // (Counters' partial sums, and their magnitude bits, are I64X2 in any loop.)
        let nred = plan.reductions.len();
        // (The lanes that added, of a float sum too, are int masks.)
        let counter_acc = |a: usize| a < nacc_sums && plan.reductions[a % nred].count;
        let mask_ty = lane_ty.as_int();
        let zero_masks = if mask_ty == lane_ty {
            zeros
        } else {
            let z = self.b.ins().iconst(mask_ty.lane_type(), 0);
            self.b.ins().splat(mask_ty, z)
        };
        let mut accs = Vec::new();
        let mut accs_out = Vec::new();
        for a in 0..nacc {
            let t = if counter_acc(a) {
                clt::I64X2
            } else if a >= taken_at {
                mask_ty
            } else {
                lane_ty
            };
            accs.push(self.b.append_block_param(vh, t));
            accs_out.push(self.b.append_block_param(out, t));
        }
        let mut entry_args = vec![BlockArg::Value(i0)];
        entry_args.extend((0..nacc).map(|a| {
            BlockArg::Value(if counter_acc(a) {
                zeros64
            } else if a >= taken_at {
                zero_masks
            } else {
                zeros
            })
        }));
        // Select reductions: every lane starts at `s` (the extremes so far).
        for (ri, r) in plan.reductions.iter().enumerate() {
            if r.select {
                let BlockArg::Value(s0) = args[first_slot[r.index]] else {
                    return Err(internal("simd: reduction start"));
                };
                let splat = self.b.ins().splat(lane_ty, s0);
                for u in 0..unroll as usize {
                    entry_args[1 + u * plan.reductions.len() + ri] = BlockArg::Value(splat);
                }
            }
        }
        let bits_at = nacc_sums / 2;
        // Checked sums: every term must lie in [-2**k, 2**k), with k chosen from the
        // trip count so that n terms cannot reach 2**62. Each term plus 2**k is then
        // in [0, 2**(k+1)), and the OR of those sums shows whether all of them were.
        let mut bias = None;
        if any_checked {
            let span = self.b.ins().isub(stop, i0);
            let pos = self.b.ins().icmp(IntCC::SignedGreaterThan, stop, i0);
            let z = self.b.ins().iconst(clt::I64, 0);
            let trips = self.b.ins().select(pos, span, z);
            let lz = self.b.ins().clz(trips);
            // k = 62 - bits(trips) = lz - 2, at least 0 (then the final check fails).
            let k = self.b.ins().iadd_imm_s(lz, -2);
            let k = self.b.ins().smax(k, z);
            let one = self.b.ins().iconst(clt::I64, 1);
            let b = self.b.ins().ishl(one, k);
            let splat = self.b.ins().splat(clt::I64X2, b);
            bias = Some((b, splat));
        }
        match ok {
            Some(ok) => self.b.ins().brif(ok, vh, &entry_args, out, &entry_args),
            None => self.b.ins().jump(vh, &entry_args),
        };
        self.b.switch_to_block(vh);
        // The last step may overlap the one before (see `overlap_ok`): it then runs
        // after the loop, from `last`.
        let last = plan.overlap_ok(f).then(|| self.b.create_block());
        // (The body is the branch's last successor: Cranelift lays it out right after.)
        let done = self.b.ins().icmp(IntCC::SignedGreaterThan, iv, lim);
        let mut exit_args = vec![BlockArg::Value(iv)];
        exit_args.extend(accs.iter().map(|a| BlockArg::Value(*a)));
        self.b.ins().brif(done, last.unwrap_or(out), &exit_args, vb, &[]);
        self.b.switch_to_block(vb);
        let saved = self.cur_inst;
        let mut new_accs = accs.clone();
        for pass in 0..1 + last.is_some() as usize {
            // Pass 0: the loop's body (`unroll` copies from i); pass 1, after the loop
            // (fewer than `unroll * lanes` iterations left, at least `lanes` in all):
            // copies from i, i + lanes, ..., none starting past stop - lanes.
            let (starts, bail_i) = if pass == 0 {
                let starts: Vec<CV> = (0..unroll)
                    .map(|u| {
                        if u == 0 {
                            iv
                        } else {
                            self.b.ins().iadd_imm_s(iv, u * lanes)
                        }
                    })
                    .collect();
                (starts, iv)
            } else {
                let last = last.ok_or_else(|| internal("simd: overlap block"))?;
                let il = self.b.append_block_param(last, clt::I64);
                self.b.switch_to_block(last);
                let lb = self.b.create_block();
                // i < stop, and stop - lanes >= i0 (computed where it cannot wrap).
                let rest = self.b.ins().icmp(IntCC::SignedLessThan, il, stop);
                let room = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, stop, i64::MIN + lanes);
                let j = self.b.ins().iadd_imm_s(stop, -lanes);
                let from = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, j, i0);
                let go = self.b.ins().band(rest, room);
                let go = self.b.ins().band(go, from);
                self.b.ins().brif(go, lb, &[], out, &[BlockArg::Value(il)]);
                self.b.switch_to_block(lb);
                // i + min(u * lanes, j - i): j - i is in [-lanes, unroll * lanes) here.
                let room_left = self.b.ins().isub(j, il);
                let starts: Vec<CV> = (0..unroll)
                    .map(|u| {
                        let c = self.b.ins().iconst(clt::I64, u * lanes);
                        let d = self.b.ins().smin(c, room_left);
                        self.b.ins().iadd(il, d)
                    })
                    .collect();
                (starts, il)
            };
            // Strict int lanes: the sign bits of `ovf` flag lanes whose + or - overflowed;
            // the step's stores wait until all its lanes are known to be exact.
            let mut ovf: Option<CV> = None;
            let mut deferred: Vec<DeferredStore> = Vec::new();
            let mut superseded: HashSet<usize> = HashSet::new();
            for (u, &iu) in starts.iter().enumerate() {
                // Copy u handles iterations i + u * lanes .. i + (u + 1) * lanes, in order.
                let u = u as i64;
                let mut vu = vv.clone();
                // Stores in sides: the element's lanes as this copy's stores left them.
                let mut pending: HashMap<(Block, usize), CV> = HashMap::new();
                let mut pending_store: HashMap<(Block, usize), usize> = HashMap::new();
                for &blk in &plan.body {
                    if let Some(sel) = &plan.sel {
                        self.merge_selects(sel, blk, &mut vu, &splats)?;
                    }
                    for (k, inst) in f.block(blk).insts.iter().enumerate() {
                        if let Some(ri) = plan.reductions.iter().position(|r| r.adds_at((blk, k))) {
                            // A counter's term for the high pair of 4 x f32 lanes, added
                            // after the low pair's (I64X2 counter lanes in any loop).
                            let mut high_half: Option<CV> = None;
                            let split_count = |g: &Self, ri: usize, m: CV| {
                                plan.reductions[ri].count && g.b.func.dfg.value_type(m) == clt::I32X4
                            };
                            let mut e = match (vu.get(&plan.reductions[ri].term), count_terms.get(&(blk, k))) {
                                (_, Some(t)) => *t,
                                (Some(VV::Lane(e)), None) => *e,
                                _ => return Err(internal("simd: reduction term")),
                            };
                            if plan.reductions[ri].select {
                                // `if e > s: s = e`: per lane, the comparison against the lane's
                                // extreme so far, which it replaces where the comparison holds.
                                let Op::Cmp(op) = inst.op else {
                                    return Err(internal("simd: select reduction"));
                                };
                                let a = u as usize * nred + ri;
                                let acc = new_accs[a];
                                let (x, y) = if inst.args[0] == plan.reductions[ri].param {
                                    (acc, e)
                                } else {
                                    (e, acc)
                                };
                                let time = matches!(self.ty(inst.args[0]), Ty::Np(d) if d.is_time());
                                let m = lane_cmp(self, op, x, y, time);
                                new_accs[a] = self.b.ins().bitselect(m, e, acc);
                                vu.insert(inst.result.unwrap(), VV::Lane(m));
                                continue;
                            }
                            if let Some((c, on_true)) = plan.reductions[ri].cond {
                                // A conditional sum: the lanes that do not add add 0 (an int
                                // sum: exactly the same total; 0 counts in the check's bound).
                                let Some(VV::Lane(m)) = vu.get(&c).cloned() else {
                                    return Err(internal("simd: conditional sum's mask"));
                                };
                                e = if lane_ty.lane_type().is_float() && !plan.reductions[ri].count {
                                    // A float sum (`fastmath`): -0.0 in the lanes that do not add,
                                    // and `y + -0.0` is `y` for every y.
                                    let nz = if plan.elem == SlotTy::F32 {
                                        self.b.ins().f32const(-0.0)
                                    } else {
                                        self.b.ins().f64const(-0.0)
                                    };
                                    let nz = self.b.ins().splat(lane_ty, nz);
                                    let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                                    let mf = self.b.ins().bitcast(lane_ty, le, m);
                                    if on_true {
                                        self.b.ins().bitselect(mf, e, nz)
                                    } else {
                                        self.b.ins().bitselect(mf, nz, e)
                                    }
                                } else if split_count(self, ri, m) {
                                    // A counter over 4 x f32 lanes: its I64X2 term where the
                                    // mask's low pair of lanes holds, then (below) its high pair.
                                    let (lo, hi) = (self.b.ins().swiden_low(m), self.b.ins().swiden_high(m));
                                    let (lo, hi) = if on_true {
                                        (self.b.ins().band(e, lo), self.b.ins().band(e, hi))
                                    } else {
                                        (self.b.ins().band_not(e, lo), self.b.ins().band_not(e, hi))
                                    };
                                    high_half = Some(hi);
                                    lo
                                } else if on_true {
                                    self.b.ins().band(e, m)
                                } else {
                                    self.b.ins().band_not(e, m)
                                };
                                if tagged[ri] {
                                    let t = if on_true { m } else { self.b.ins().bnot(m) };
                                    let a = taken_at + u as usize * nred + ri;
                                    new_accs[a] = self.b.ins().bor(new_accs[a], t);
                                }
                            } else if let Some(sel) = &plan.sel {
                                // A `simd_select` counter: `k` in the lanes that run this block
                                // (over 4 x f32 lanes: in each pair of them, as I64X2 terms).
                                let four = plan.reductions[ri].count && lane_ty == clt::F32X4;
                                match self.arm_mask(sel, blk, &vu, &splats)? {
                                    Some(m) if four => {
                                        let (lo, hi) = (self.b.ins().swiden_low(m), self.b.ins().swiden_high(m));
                                        high_half = Some(self.b.ins().band(e, hi));
                                        e = self.b.ins().band(e, lo);
                                    }
                                    Some(m) => e = self.b.ins().band(e, m),
                                    None if four => high_half = Some(e),
                                    None => {}
                                }
                            }
                            let a = u as usize * nred + ri;
                            let relem = if plan.reductions[ri].count {
                                SlotTy::I64
                            } else {
                                plan.elem
                            };
                            for e in std::iter::once(e).chain(high_half.take()) {
                                new_accs[a] = self.add_lanes(relem, new_accs[a], e);
                                if let (true, Some((_, splat))) = (plan.reductions[ri].checked, bias) {
                                    let u = self.b.ins().iadd(e, splat);
                                    new_accs[bits_at + a] = self.b.ins().bor(new_accs[bits_at + a], u);
                                }
                            }
                            continue;
                        }
                        let lane_op = matches!(inst.op, Op::GetItem | Op::SetItem)
                            || inst.result.is_some_and(|r| lane_vals.contains(&r));
                        if (blk, k) == plan.step_inst || !lane_op {
                            continue;
                        }
                        if let Some(sel) = &plan.sel {
                            // Selects and narrow lanes: each instruction's own check, if any.
                            self.cur_inst = sel.same_access.get(&(blk, k)).copied().unwrap_or((blk, k));
                            let v = if inst.op == Op::SetItem {
                                None
                            } else {
                                self.sel_inst(sel, inst, &vu, &splats, iu)?
                            };
                            self.cur_inst = (blk, k);
                            if let Some(m) = self.lane_check(sel, inst, &vu, &splats, v)? {
                                ovf = Some(match ovf {
                                    Some(o) => self.b.ins().bor(o, m),
                                    None => m,
                                });
                            }
                            match v {
                                Some(v) => {
                                    vu.insert(inst.result.unwrap(), VV::Lane(v));
                                }
                                None => {
                                    let mut vs = vu.clone();
                                    if let Some(at) = sel.arm_stores.get(&(blk, k)) {
                                        // A store in a side: the lanes that do not run it store what
                                        // is there (the element loaded before every side, or what an
                                        // earlier side's store of this step left).
                                        let x = *inst.args.last().unwrap();
                                        let v = Self::lane_of(x, &vu, &splats)?;
                                        let old = match pending.get(at) {
                                            Some(p) => *p,
                                            None => {
                                                let r = f.block(at.0).insts[at.1].result.unwrap();
                                                Self::lane_of(r, &vu, &splats)?
                                            }
                                        };
                                        let m = self
                                            .arm_mask(sel, blk, &vu, &splats)?
                                            .ok_or_else(|| internal("simd: store in a side"))?;
                                        let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                                        let m = self.b.ins().bitcast(lane_ty, le, m);
                                        let nv = self.b.ins().bitselect(m, v, old);
                                        pending.insert(*at, nv);
                                        vs.insert(x, VV::Lane(nv));
                                        // (Only the element's last store in the step is emitted: it
                                        // holds every side's lanes.)
                                        if let Some(i) = pending_store.insert(*at, deferred.len()) {
                                            superseded.insert(i);
                                        }
                                    }
                                    deferred.push((inst.clone(), vs, iu, (blk, k)));
                                }
                            }
                            continue;
                        }
                        if plan.checked_lanes && inst.op == Op::SetItem {
                            deferred.push((inst.clone(), vu.clone(), iu, (blk, k)));
                            continue;
                        }
                        if let Op::Bin { op, .. } = &inst.op {
                            if matches!(self.ty(inst.result.unwrap()), Ty::Np(d) if d.is_time()) {
                                // Time arithmetic: NaT kept, an overflow left to the scalar loop.
                                let x = Self::lane_of(inst.args[0], &vu, &splats)?;
                                let y = Self::lane_of(inst.args[1], &vu, &splats)?;
                                let (v, bad) = time_lanes_bin(self, *op == BinOp::Sub, x, y);
                                ovf = Some(match ovf {
                                    Some(o) => self.b.ins().bor(o, bad),
                                    None => bad,
                                });
                                vu.insert(inst.result.unwrap(), VV::Lane(v));
                                continue;
                            }
                        }
                        self.cur_inst = (blk, k); // the index facts of this access
                        if let Some(v) = self.vector_inst(inst, &vu, &splats, iu, lane_ty)? {
                            if let (true, Op::Bin { op, .. }) = (plan.checked_lanes, &inst.op) {
                                let x = Self::lane_of(inst.args[0], &vu, &splats)?;
                                let y = Self::lane_of(inst.args[1], &vu, &splats)?;
                                let xr = self.b.ins().bxor(x, v);
                                let m = if *op == BinOp::Add {
                                    let yr = self.b.ins().bxor(y, v);
                                    self.b.ins().band(xr, yr)
                                } else {
                                    let xy = self.b.ins().bxor(x, y);
                                    self.b.ins().band(xy, xr)
                                };
                                ovf = Some(match ovf {
                                    Some(o) => self.b.ins().bor(o, m),
                                    None => m,
                                });
                            }
                            vu.insert(inst.result.unwrap(), VV::Lane(v));
                        }
                    }
                }
            }
            if let Some(ovf) = ovf {
                // A lane overflowed: the scalar loop takes over at this step (nothing stored).
                let signs = self.b.ins().vhigh_bits(clt::I32, ovf);
                let store = self.b.create_block();
                let mut bail = vec![BlockArg::Value(bail_i)];
                bail.extend(accs.iter().map(|a| BlockArg::Value(*a)));
                self.b.ins().brif(signs, out, &bail, store, &[]);
                self.b.switch_to_block(store);
            }
            // One store, unrolled twice over consecutive iterations (the loop's body:
            // copies at i and i + lanes), into an array half as wide as the lanes:
            // both copies' lanes in one full-width store (`sel_store_pair`).
            if let (Some(sel), true) = (&plan.sel, pass == 0 && deferred.len() == 2 && superseded.is_empty()) {
                let ((i0, v0, u0, a0), (_, v1, u1, a1)) = (&deferred[0], &deferred[1]);
                if a0 == a1 && starts.len() == 2 && *u0 == starts[0] && *u1 == starts[1] {
                    self.cur_inst = *a0;
                    if self.sel_store_pair(sel, i0, *a0, [v0, v1], &splats, *u0)? {
                        deferred.clear();
                    }
                }
            }
            for (j, (inst, vu, iu, at)) in deferred.into_iter().enumerate() {
                if superseded.contains(&j) {
                    continue;
                }
                self.cur_inst = at;
                match &plan.sel {
                    Some(sel) => self.sel_inst(sel, &inst, &vu, &splats, iu)?,
                    None => self.vector_inst(&inst, &vu, &splats, iu, lane_ty)?,
                };
            }
            self.cur_inst = saved;
            if pass == 0 {
                let next = self.b.ins().iadd_imm_s(iv, step);
                let mut back_args = vec![BlockArg::Value(next)];
                back_args.extend(new_accs.iter().map(|a| BlockArg::Value(*a)));
                self.b.ins().jump(vh, &back_args);
            } else {
                // Every iteration done: the scalar loop starts at stop (and runs none).
                self.b.ins().jump(out, &[BlockArg::Value(stop)]);
            }
        }
        self.b.switch_to_block(out);
        // The scalar loop continues from i_out, each reduction from s + (its lanes' sum).
        let mut result: Vec<BlockArg> = args.to_vec();
        result[first_slot[plan.var_index]] = BlockArg::Value(i_out);
        let ran = self.b.ins().icmp(IntCC::NotEqual, i_out, i0);
        // Checked sums: with N terms of magnitude <= 2**k (all term + 2**k below
        // 2**(k+1)), every partial sum in any order is within |s| + N * 2**k; below
        // 2**63 nothing overflowed.
        let mut keep: Option<CV> = None;
        for (ri, r) in plan.reductions.iter().enumerate() {
            if !r.checked {
                continue;
            }
            let mut v = accs_out[bits_at + ri];
            for u in 1..unroll as usize {
                v = self.b.ins().bor(v, accs_out[bits_at + u * nred + ri]);
            }
            // (a counter's bits are I64X2 whatever the loop's lanes)
            let mut m = self.b.ins().extractlane(v, 0);
            for l in 1..self.b.func.dfg.value_type(v).lane_count() as u8 {
                let x = self.b.ins().extractlane(v, l);
                m = self.b.ins().bor(m, x);
            }
            let Some((b, _)) = bias else {
                return Err(internal("simd: checked sum without a bias"));
            };
            let limit = self.b.ins().ishl_imm_s(b, 1);
            let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, m, limit);
            let n = self.b.ins().isub(i_out, i0);
            let (span, of1) = self.b.ins().umul_overflow(n, b);
            let of1 = self.b.ins().bor(of1, outside);
            let k0 = first_slot[r.index];
            let nslots = abi::slot_count(&self.ty(r.param));
            let BlockArg::Value(s0) = args[k0 + nslots - 1] else {
                return Err(internal("simd: reduction start"));
            };
            let a0 = self.b.ins().iabs(s0);
            let (total, of2) = self.b.ins().uadd_overflow(a0, span);
            let big = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, total, i64::MAX);
            let bad = self.b.ins().bor(of1, of2);
            let bad = self.b.ins().bor(bad, big);
            let fine = self.b.ins().icmp_imm_u(IntCC::Equal, bad, 0);
            keep = Some(match keep {
                Some(k) => self.b.ins().band(k, fine),
                None => fine,
            });
        }
        for (ri, r) in plan.reductions.iter().enumerate() {
            if plan.in_i32 {
                // The 4 x i32 version: the copies' lanes added in 32 bits (every partial
                // sum fits: see `narrow32`), then widened to two i64 lanes each.
                let mut v = accs_out[ri];
                for u in 1..unroll as usize {
                    v = self.b.ins().iadd(v, accs_out[u * plan.reductions.len() + ri]);
                }
                let lo = self.b.ins().swiden_low(v);
                let hi = self.b.ins().swiden_high(v);
                accs_out[ri] = self.b.ins().iadd(lo, hi);
            }
            if r.select {
                // The extremes of every lane and copy, combined by the same comparison
                // (a total order on what the lanes can hold: any order gives the same).
                let (cb, ck) = r.add;
                let cmp = &self.f.block(cb).insts[ck];
                let Op::Cmp(op) = cmp.op else {
                    return Err(internal("simd: select reduction"));
                };
                let param_left = cmp.args[0] == r.param;
                let time = matches!(self.ty(r.param), Ty::Np(d) if d.is_time());
                let mut parts = Vec::new();
                for u in 0..unroll as usize {
                    for l in 0..lanes as u8 {
                        parts.push(self.b.ins().extractlane(accs_out[u * nred + ri], l));
                    }
                }
                let mut h = parts[0];
                for &e in &parts[1..] {
                    let (x, y) = if param_left { (h, e) } else { (e, h) };
                    let xs = self.b.ins().splat(clt::I64X2, x);
                    let ys = self.b.ins().splat(clt::I64X2, y);
                    let m = lane_cmp(self, op, xs, ys, time);
                    let m = self.b.ins().extractlane(m, 0);
                    let take = self.b.ins().icmp_imm_s(IntCC::NotEqual, m, 0);
                    h = self.b.ins().select(take, e, h);
                }
                let k0 = first_slot[r.index];
                let BlockArg::Value(old) = args[k0] else {
                    return Err(internal("simd: reduction start"));
                };
                result[k0] = BlockArg::Value(self.b.ins().select(ran, h, old));
                continue;
            }
            let relem = if r.count { SlotTy::I64 } else { plan.elem };
            let mut v = accs_out[ri];
            for u in 1..unroll as usize {
                if plan.in_i32 {
                    break; // (added above)
                }
                let w = accs_out[u * nred + ri];
                v = self.add_lanes(relem, v, w);
            }
            let mut h = self.b.ins().extractlane(v, 0);
            for l in 1..self.b.func.dfg.value_type(v).lane_count() as u8 {
                let x = self.b.ins().extractlane(v, l);
                h = self.add_lanes(relem, h, x);
            }
            let pt = self.ty(r.param);
            let k0 = first_slot[r.index];
            let nslots = abi::slot_count(&pt);
            let old: Vals = (k0..k0 + nslots).map(arg_cv).collect::<CResult<_>>()?;
            let payload = old[nslots - 1];
            let sum = self.add_lanes(relem, payload, h);
            // After at least one iteration the value has the type of `s + e`.
            let (ab, ak) = r.add;
            let add_ty = self.ty(self.f.block(ab).insts[ak].result.unwrap());
            let new = self.coerce(&add_ty, vec![sum], &pt)?;
            // (a conditional sum of a union: once some lane added)
            let added = if tagged[ri] {
                let mut t = accs_out[taken_at + ri];
                for u in 1..unroll as usize {
                    t = self.b.ins().bor(t, accs_out[taken_at + u * nred + ri]);
                }
                let bits = self.b.ins().vhigh_bits(clt::I32, t);
                self.b.ins().icmp_imm_s(IntCC::NotEqual, bits, 0)
            } else {
                ran
            };
            // An int sum whose type the adds keep: when no step ran its partial
            // sums are all 0, and `s + 0` is `s`; no select needed.
            let plain_int = !tagged[ri] && relem == SlotTy::I64 && add_ty == pt && new.len() == 1;
            for (j, (n, o)) in new.iter().zip(&old).enumerate() {
                result[k0 + j] = BlockArg::Value(if plain_int {
                    *n
                } else {
                    self.b.ins().select(added, *n, *o)
                });
            }
        }
        if let Some(keep) = keep {
            // Otherwise the scalar loop starts over (the loop stores nothing).
            for (j, r) in result.iter_mut().enumerate() {
                let (BlockArg::Value(n), BlockArg::Value(o)) = (*r, args[j]) else {
                    return Err(internal("simd: block argument"));
                };
                *r = BlockArg::Value(self.b.ins().select(keep, n, o));
            }
        }
        Ok(result)
    }

    /// `a + b` for a sum of `elem` values (int sums wrap; float sums are IEEE adds).
    fn add_lanes(&mut self, elem: SlotTy, a: CV, b: CV) -> CV {
        if elem == SlotTy::I64 {
            self.b.ins().iadd(a, b)
        } else {
            self.b.ins().fadd(a, b)
        }
    }

    fn header_of(&self, plan: &VecLoop) -> Block {
        self.def_block[&plan.var]
    }

    /// An invariant or index instruction of the body, computed before the loop.
    fn invariant_inst(&mut self, inst: &ir::Inst, vv: &HashMap<Value, VV>) -> CResult<Option<VV>> {
        let Op::Bin { op, .. } = &inst.op else {
            return Err(internal("simd: unplanned instruction"));
        };
        let (a, b) = (inst.args[0], inst.args[1]);
        let (ka, kb) = (self.operand(a, vv)?, self.operand(b, vv)?);
        let int_const = |g: &Self, v: Value| match g.consts.get(&v) {
            Some(Const::Int(c)) => Ok(*c),
            _ => Err(internal("simd: index offset")),
        };
        let is_const = |g: &Self, v: Value| matches!(g.consts.get(&v), Some(Const::Int(_)));
        Ok(Some(match (ka, kb) {
            // `i + x`, `x` not a constant (the plan's `Kind::Off`).
            (VV::Idx(0), VV::Inv(x)) if *op == BinOp::Add && !is_const(self, b) => VV::Off(x[0]),
            (VV::Inv(x), VV::Idx(0)) if *op == BinOp::Add && !is_const(self, a) => VV::Off(x[0]),
            (VV::Idx(x), VV::Inv(_)) => VV::Idx(if *op == BinOp::Sub {
                x - int_const(self, b)?
            } else {
                x + int_const(self, b)?
            }),
            (VV::Inv(_), VV::Idx(x)) => VV::Idx(x + int_const(self, a)?),
            (VV::Inv(x), VV::Inv(y)) => {
                let (ta, tb) = (self.ty(a), self.ty(b));
                if self.ty(inst.result.unwrap()) == Ty::Int {
                    // Proven not to overflow (the plan checked the fact).
                    VV::Inv(vec![match op {
                        BinOp::Add => self.b.ins().iadd(x[0], y[0]),
                        BinOp::Sub => self.b.ins().isub(x[0], y[0]),
                        _ => self.b.ins().imul(x[0], y[0]),
                    }])
                } else {
                    VV::Inv(self.binop(*op, &(ta, x), &(tb, y))?.1)
                }
            }
            _ => return Err(internal("simd: invariant operation")),
        }))
    }

    /// `[start, end)` of an array's memory (C- or F-contiguous: `size * itemsize` bytes).
    fn extent(&mut self, arr: Value) -> CResult<(CV, CV)> {
        let Ty::Array(at) = self.ty(arr) else {
            return Err(internal("simd: extent of a non-array"));
        };
        let v = self.use_val(arr)?;
        let mut bytes = self.b.ins().iconst(clt::I64, at.dtype.itemsize());
        for k in 0..at.ndim as usize {
            bytes = self
                .b
                .ins()
                .imul(bytes, v[abi::ArraySlots::new(at.ndim as usize).shape(k)]);
        }
        let end = self.b.ins().iadd(v[abi::ArraySlots::DATA], bytes);
        Ok((v[0], end))
    }

    fn operand(&mut self, v: Value, vv: &HashMap<Value, VV>) -> CResult<VV> {
        match vv.get(&v) {
            Some(x) => Ok(x.clone()),
            None => Ok(VV::Inv(self.use_val(v)?)),
        }
    }

    /// An invariant operand converted to the element type (as the scalar code
    /// converts it) and splatted to every lane.
    fn splat_of(&mut self, v: Value, vv: &HashMap<Value, VV>, lane_ty: clir::Type) -> CResult<CV> {
        let VV::Inv(vals) = self.operand(v, vv)? else {
            return Err(internal("simd: splat of a non-invariant"));
        };
        let t = self.ty(v);
        let s = if lane_ty == clt::I8X16 {
            vals[0] // a bool: 0 or 1 in an I8, as NumPy stores it
        } else if lane_ty == clt::I32X4 {
            // An np.int32, or an int constant the plan found to fit in 32 bits.
            match t {
                Ty::Np(Dtype::Int32) => vals[0],
                _ => self.b.ins().ireduce(clt::I32, vals[0]),
            }
        } else if lane_ty == clt::F32X4 {
            self.conv_f32(&(t, vals))?
        } else if lane_ty == clt::I64X2 && matches!(t, Ty::Np(d) if d.is_time()) {
            vals[0] // a time value's count (compared with time lanes of its dtype only)
        } else if lane_ty == clt::I64X2 {
            self.conv_i64(&(t, vals))?
        } else {
            self.conv_f64(&(t, vals))?
        };
        Ok(self.b.ins().splat(lane_ty, s))
    }

    fn index_cv(&mut self, v: Value, vv: &HashMap<Value, VV>, iv: CV) -> CResult<CV> {
        Ok(match self.operand(v, vv)? {
            VV::Idx(c) => self.b.ins().iadd_imm_s(iv, c),
            // Cannot wrap: the plan required `ranges`' no-overflow fact for `i + x`.
            VV::Off(x) => self.b.ins().iadd(iv, x),
            VV::Inv(vals) => vals[0],
            VV::Lane(_) => return Err(internal("simd: lane value used as an index")),
        })
    }

    /// The address of lane 0's element of a planned load or store.
    fn vector_addr(&mut self, inst: &ir::Inst, vv: &HashMap<Value, VV>, iv: CV) -> CResult<CV> {
        let arr = inst.args[0];
        let Ty::Array(at) = self.ty(arr) else {
            return Err(internal("simd: access to a non-array"));
        };
        let av = self.use_val(arr)?;
        let end = if inst.op == Op::SetItem {
            inst.args.len() - 1
        } else {
            inst.args.len()
        };
        let mut idx = Vec::new();
        for ix in &inst.args[1..end] {
            idx.push((Ty::Int, vec![self.index_cv(*ix, vv, iv)?]));
        }
        self.element_addr(&at, &av, &idx)
    }

    /// The lanes of an operand: computed in the body, or an invariant's splat.
    fn lane_of(v: Value, vv: &HashMap<Value, VV>, splats: &HashMap<Value, CV>) -> CResult<CV> {
        match (vv.get(&v), splats.get(&v)) {
            (Some(VV::Lane(x)), _) => Ok(*x),
            (_, Some(s)) => Ok(*s),
            _ => Err(internal("simd: operand has no lanes")),
        }
    }

    fn vector_inst(
        &mut self,
        inst: &ir::Inst,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
        iv: CV,
        lane_ty: clir::Type,
    ) -> CResult<Option<CV>> {
        let flags = MemFlagsData::new().with_notrap();
        let lane = |v: Value| Self::lane_of(v, vv, splats);
        Ok(Some(match &inst.op {
            Op::Bin { op, .. } if lane_ty == clt::I64X2 || lane_ty == clt::I32X4 => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                match op {
                    BinOp::Add => self.b.ins().iadd(x, y),
                    BinOp::Sub => self.b.ins().isub(x, y),
                    _ => self.b.ins().imul(x, y),
                }
            }
            Op::Bin { op, .. } => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                match op {
                    BinOp::Add => self.b.ins().fadd(x, y),
                    BinOp::Sub => self.b.ins().fsub(x, y),
                    BinOp::Mul => self.b.ins().fmul(x, y),
                    _ => self.b.ins().fdiv(x, y),
                }
            }
            Op::Unary(_) => {
                let x = lane(inst.args[0])?;
                self.b.ins().fneg(x)
            }
            Op::Cmp(op) => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                if lane_ty.lane_type().is_float() {
                    // Float lanes: IEEE's ordered comparisons (`!=` true with a NaN).
                    return Ok(Some(self.b.ins().fcmp(float_cc(*op), x, y)));
                }
                let time = matches!(self.ty(inst.args[0]), Ty::Np(d) if d.is_time());
                lane_cmp(self, *op, x, y, time)
            }
            // The truth of a lane mask: the mask.
            Op::Truth => lane(inst.args[0])?,
            Op::Call { .. } => {
                let args = &inst.args[1..];
                match self.ty(inst.args[0]) {
                    Ty::Builtin(Builtin::Int) => lane(args[0])?,
                    Ty::Builtin(Builtin::Abs) => {
                        let x = lane(args[0])?;
                        self.b.ins().fabs(x)
                    }
                    Ty::Builtin(b) => {
                        // As the scalar code: keep the earlier argument unless the later one
                        // is strictly smaller (larger), which is minp*/maxp* exactly.
                        let mut acc = lane(args[0])?;
                        for a in &args[1..] {
                            let x = lane(*a)?;
                            let (l, r) = if b == Builtin::Min { (x, acc) } else { (acc, x) };
                            let m = self.b.ins().fcmp(FloatCC::LessThan, l, r);
                            let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                            let m = self.b.ins().bitcast(lane_ty, le, m);
                            acc = self.b.ins().bitselect(m, x, acc);
                        }
                        acc
                    }
                    _ => return Err(internal("simd: call")),
                }
            }
            Op::GetItem => {
                let addr = self.vector_addr(inst, vv, iv)?;
                match self.ty(inst.args[0]) {
                    // The 4 x i32 version of narrow sums: four elements widened to 32 bits.
                    Ty::Array(at) if at.dtype.is_int() && at.dtype.itemsize() <= 2 && lane_ty == clt::I32X4 => {
                        let unsigned = at.dtype.is_unsigned();
                        if at.dtype.itemsize() == 2 {
                            if unsigned {
                                self.b.ins().uload16x4(flags, addr, 0)
                            } else {
                                self.b.ins().sload16x4(flags, addr, 0)
                            }
                        } else {
                            let s = self.b.ins().load(clt::I32, flags, addr, 0);
                            let v = self.b.ins().scalar_to_vector(clt::I32X4, s);
                            let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                            let mut v = self.b.ins().bitcast(clt::I8X16, le, v);
                            for _ in 0..2 {
                                v = if unsigned {
                                    self.b.ins().uwiden_low(v)
                                } else {
                                    self.b.ins().swiden_low(v)
                                };
                            }
                            v
                        }
                    }
                    // A narrow int element read by `int()`: two elements widened to 64 bits.
                    Ty::Array(at) if at.dtype.is_int() && at.dtype.itemsize() < 8 && lane_ty == clt::I64X2 => {
                        let unsigned = at.dtype.is_unsigned();
                        match at.dtype.itemsize() {
                            4 if unsigned => self.b.ins().uload32x2(flags, addr, 0),
                            4 => self.b.ins().sload32x2(flags, addr, 0),
                            m => {
                                // Two elements in one scalar load, moved to lane 0.., then
                                // widened lane-wise: 8 -> 16 -> 32 -> 64 bits.
                                let (st, vt) = if m == 2 {
                                    (clt::I32, clt::I32X4)
                                } else {
                                    (clt::I16, clt::I16X8)
                                };
                                let s = self.b.ins().load(st, flags, addr, 0);
                                let v = self.b.ins().scalar_to_vector(vt, s);
                                let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
                                let mem_ty = if m == 2 { clt::I16X8 } else { clt::I8X16 };
                                let mut v = self.b.ins().bitcast(mem_ty, le, v);
                                let steps = if m == 2 { 2 } else { 3 };
                                for _ in 0..steps {
                                    v = if unsigned {
                                        self.b.ins().uwiden_low(v)
                                    } else {
                                        self.b.ins().swiden_low(v)
                                    };
                                }
                                v
                            }
                        }
                    }
                    _ => self.b.ins().load(lane_ty, flags, addr, 0),
                }
            }
            Op::SetItem => {
                let addr = self.vector_addr(inst, vv, iv)?;
                let v = lane(*inst.args.last().unwrap())?;
                self.b.ins().store(flags, v, addr, 0);
                return Ok(None);
            }
            _ => return Err(internal("simd: unplanned instruction")),
        }))
    }
}
