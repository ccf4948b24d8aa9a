//! Int lanes of every width, with if-converted conditionals: the part of the
//! SIMD pass (see [`crate::simd`]) for loops whose bodies hold comparisons and
//! `x if c else y` diamonds (nested clamps included), on arrays of any int
//! dtype but uint64: 16 lanes of int8/uint8, 8 of int16/uint16, 4 of
//! int32/uint32, 2 of int64.
//!
//! **Lane width.** Every value of the body is held in one lane type of `w`
//! bits, the smallest width that holds *exactly* every value it computes:
//! a NumPy int its dtype's width; a Python int (`int(a[i]) + int(b[i])`,
//! int64 in the IR) the width of the range `ranges::Ranges` proves for it
//! (loads of narrow arrays, `+ - *` of bounded values, the conditions of the
//! branches that reach it: after `127 if s > 127 else (-128 if s < -128 else
//! s)` the result is in [-128, 127] whatever `s` was); an unproven Python int
//! 64 bits. So `int(a[i]) + int(b[i])` on int8 arrays runs in 8 x i16 lanes,
//! and lane arithmetic is the exact arithmetic of those values. Loads of a
//! narrower array widen (sign- or zero-extension, by the dtype), stores to a
//! narrower array truncate, which is exact because the stored value is in
//! the array's range (proven, or checked as below). A NumPy unsigned int as
//! wide as the lane is held unsigned (its compares are unsigned); anything
//! else is held signed and fits.
//!
//! **Conditionals.** Both sides of a diamond run on every lane (they are
//! straight-line, cannot trap, and store nothing: loads in them are proven
//! in bounds), and the merge block's parameters are `bitselect`s by the
//! branch's lane mask: per lane, the value the scalar loop's taken side
//! passes. Comparisons are exact on exact lanes (signed, or unsigned when an
//! operand is an unsigned lane; every operand's range must fit the chosen
//! interpretation).
//!
//! **Bools and floats.** A bool array's elements are 0 or 1 in a lane (a
//! truth test of one is `!= 0`, a mask); a mask stored into a bool array is
//! ANDed with 1, NumPy's byte for True. Loops over float64 or float32 arrays
//! get the same diamonds in 2 x f64 / 4 x f32 lanes: Python's and NumPy's
//! float comparisons are IEEE's ordered ones (false with a NaN, `!=` true),
//! which `fcmp` computes per lane; the float arithmetic is `simd`'s own.
//!
//! **Stores in sides and counters (float lanes).** A store inside a diamond's
//! side is allowed when the element it writes was loaded on every iteration
//! before every side (the same array and index values), and every store to that
//! element is inside a side. Each lane stores the side's value where it runs
//! the side and, elsewhere, the element's lanes as loaded (or as an earlier
//! side's store of the step left them): where the scalar loop stores nothing,
//! the vector step writes back the bits it read. Single-threaded that is
//! invisible: the element's memory holds the same bits afterwards (a float
//! loaded into a lane and stored again keeps its bits, NaN payloads and -0.0
//! included; no arithmetic touches it), and stores are deferred to the end of
//! the step, after its loads, as for every step. A counter `n` (a Python int
//! header parameter whose value at the latch is made of merges of `n` and adds
//! `n + k`, `k` an int constant or defined before the loop, used nowhere else)
//! gets no lanes of its own: each add is a reduction adding `k` in the lanes
//! that run its block (the AND of the sides' conditions), in I64X2 lanes beside
//! 2 x f64 ones (beside 4 x f32 ones: twice, under the mask's low and high pairs
//! of lanes widened to I64X2). Every add must be proven never to overflow by `ranges` (a step
//! that stored cannot be redone), so the adds' total is exact in any order.
//! `if a[i] < lo: a[i] = lo; n += 1 elif a[i] > hi: a[i] = hi; n += 1` is such
//! a loop.
//!
//! **What could leave the fast path.** A NumPy int result outside its dtype
//! (NumPy warns and wraps: the interpreter must do it), a Python int that
//! overflows 64 bits, and a store of a Python int outside the array's dtype
//! (NumPy raises). Each is either proven impossible by the value ranges, or
//! checked per lane: the sign bits of `(x ^ r) & (y ^ r)` for a signed `+`
//! as wide as the lane, `r <u x` for an unsigned one (and the like for `-`),
//! the dtype's bounds on an exact wider result or on a stored value. A check
//! inside a diamond's side counts only in the lanes that take that side (its
//! mask is ANDed with the side's conditions): in the others the scalar loop
//! would not run it, and their values there are never selected. A step whose
//! check fires in a lane stores nothing, and the scalar loop takes over at
//! that step, doing exactly what Python does. Checks are per step, before the
//! step's stores, as for the strict int lanes of `simd`.

use crate::prelude::*;
use crate::ranges::Ranges;
use crate::simd::{float_slot, plain_scalar, SimdGen, VecLoop, VV};
use cranelift_codegen::ir::ConstantData;

/// A check on a step's lanes before it stores (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum LaneCheck {
    /// Signed `+` / `-` as wide as the lane.
    Add,
    Sub,
    /// Unsigned `+` / `-` as wide as the lane.
    UAdd,
    USub,
    /// The exact result (or the stored value) must lie in `[lo, hi]`.
    Range(i64, i64),
}

/// The select / narrow-lane part of a vector loop's plan.
#[derive(Clone, Debug)]
pub(crate) struct SelPlan {
    /// The lane type: I8X16, I16X8, I32X4 or I64X2.
    pub lane: clir::Type,
    /// Merge blocks of if-converted diamonds: the branch's mask and the edges
    /// that enter the merge from its true and its false side.
    pub merges: HashMap<Block, (Value, ir::Edge, ir::Edge)>,
    /// Comparisons made unsigned.
    pub unsigned_cmps: HashSet<(Block, usize)>,
    /// The checks of instructions that could leave the fast path.
    pub checks: HashMap<(Block, usize), LaneCheck>,
    /// `np.uint8(255)` and the like in the body: dtype and value.
    pub np_consts: HashMap<Value, (Dtype, i64)>,
    /// Loads inside a diamond's side that read an element an earlier load of
    /// every iteration read: that load's position (whose index facts hold).
    pub same_access: HashMap<(Block, usize), (Block, usize)>,
    /// Blocks inside diamonds' sides: the conditions under which each runs.
    /// A check there counts only in the lanes that take the side (the scalar
    /// loop would not run it in the others).
    pub arms: HashMap<Block, Vec<(Value, bool)>>,
    /// Truth tests of bool elements (0 or 1 in a lane), made masks.
    pub bool_truths: HashSet<(Block, usize)>,
    /// Stores of a mask into a bool array (as 0 or 1).
    pub mask_stores: HashSet<(Block, usize)>,
    /// Counters' values (the header parameter, its adds, merges of them): no
    /// lanes; each add is a `Reduction` of the counter.
    pub counters: HashSet<Value>,
    /// Stores inside diamonds' sides, with the load (outside every side) of
    /// the element they store to: the lanes that do not take the side store
    /// what was there (see the module docs).
    pub arm_stores: HashMap<(Block, usize), (Block, usize)>,
}

/// A body being walked: its blocks in order, those inside a diamond's sides,
/// and the diamonds' merges.
#[derive(Default)]
pub(crate) struct Walk {
    body: Vec<Block>,
    /// Blocks inside diamonds' sides, each with the conditions (branch value,
    /// side taken) under which it runs, outermost first.
    arms: HashMap<Block, Vec<(Value, bool)>>,
    merges: HashMap<Block, (Value, ir::Edge, ir::Edge)>,
}

/// An int dtype lanes hold (uint64 and bool not).
pub(crate) fn lane_dtype(d: Dtype) -> bool {
    d.is_int() && d != Dtype::UInt64
}

fn bits_of(d: Dtype) -> u32 {
    8 * d.itemsize() as u32
}

/// The smallest lane width holding `[lo, hi]` signed.
fn signed_bits((lo, hi): (i64, i64)) -> u32 {
    for w in [8u32, 16, 32] {
        let m = 1i64 << (w - 1);
        if lo >= -m && hi < m {
            return w;
        }
    }
    64
}

fn fits_signed((lo, hi): (i64, i64), w: u32) -> bool {
    w == 64 || (lo >= -(1i64 << (w - 1)) && hi < (1i64 << (w - 1)))
}

fn fits_unsigned((lo, hi): (i64, i64), w: u32) -> bool {
    lo >= 0 && (w == 64 || hi < (1i64 << w))
}

fn int_lane_ty(w: u32) -> clir::Type {
    match w {
        8 => clt::I8X16,
        16 => clt::I16X8,
        32 => clt::I32X4,
        _ => clt::I64X2,
    }
}

/// The values a type allows (see `ranges`), for the types lanes hold.
fn type_range(t: &Ty) -> Option<(i64, i64)> {
    match t {
        Ty::Int => Some((i64::MIN, i64::MAX)),
        Ty::Bool | Ty::Np(Dtype::Bool) => Some((0, 1)),
        Ty::Np(d) if lane_dtype(*d) => {
            let (lo, hi) = d.int_range();
            Some((lo as i64, hi as i64))
        }
        _ => None,
    }
}

fn le() -> MemFlagsData {
    MemFlagsData::new().with_endianness(clir::Endianness::Little)
}

/// This part of the pass's code generation, as methods on the compiler's `Gen`.
pub(crate) trait SelectGen {
    fn select_plan(&self, header: Block, h: &ir::BlockData) -> Option<VecLoop>;
    fn walk_body(&self, header: Block, x: Block, path: &[(Value, bool)], w: &mut Walk) -> Option<(Block, ir::Edge)>;
    fn walk_side(&self, header: Block, e: &ir::Edge, path: &[(Value, bool)], w: &mut Walk)
        -> Option<(Block, ir::Edge)>;
    fn splat_int(&mut self, v: Value, vv: &HashMap<Value, VV>, lane_ty: clir::Type) -> CResult<CV>;
    #[allow(clippy::too_many_arguments)]
    fn counter_values(
        &self,
        header: Block,
        p: Value,
        v: Value,
        w: &Walk,
        adds: &mut Vec<(Block, usize)>,
        vals: &mut HashSet<Value>,
        depth: u32,
    ) -> bool;
    fn arm_mask(
        &mut self,
        sel: &SelPlan,
        blk: Block,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
    ) -> CResult<Option<CV>>;
    fn merge_selects(
        &mut self,
        sel: &SelPlan,
        blk: Block,
        vu: &mut HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
    ) -> CResult<()>;
    fn sel_inst(
        &mut self,
        sel: &SelPlan,
        inst: &ir::Inst,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
        iv: CV,
    ) -> CResult<Option<CV>>;
    fn lane_check(
        &mut self,
        sel: &SelPlan,
        inst: &ir::Inst,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
        r: Option<CV>,
    ) -> CResult<Option<CV>>;
    #[allow(clippy::too_many_arguments)]
    fn sel_store_pair(
        &mut self,
        sel: &SelPlan,
        inst: &ir::Inst,
        at: (Block, usize),
        vv: [&HashMap<Value, VV>; 2],
        splats: &HashMap<Value, CV>,
        iv: CV,
    ) -> CResult<bool>;
}

/// The constant of every lane of `v` when it is a `splat` of an int constant
/// (possibly `ireduce`d), sign-extended from the lane width.
fn splat_const(dfg: &clir::DataFlowGraph, v: CV) -> Option<i64> {
    let def = |v: CV| match dfg.value_def(v) {
        clir::ValueDef::Result(i, 0) => Some(i),
        _ => None,
    };
    let i = def(v)?;
    let clir::InstructionData::Unary {
        opcode: clir::Opcode::Splat,
        arg,
    } = dfg.insts[i]
    else {
        return None;
    };
    let bits = dfg.value_type(arg).bits();
    let mut x = arg;
    loop {
        match dfg.insts[def(x)?] {
            clir::InstructionData::Unary {
                opcode: clir::Opcode::Ireduce,
                arg,
            } => x = arg,
            clir::InstructionData::UnaryImm {
                opcode: clir::Opcode::Iconst,
                imm,
            } => {
                let raw = imm.bits();
                let sh = 64 - bits;
                return Some((raw << sh) >> sh);
            }
            _ => return None,
        }
    }
}

/// `s` when `v` is `s` clamped to `[lo, hi]` by two nested selects on
/// signed comparisons of `s` (`hi if s > hi else (lo if s < lo else s)`,
/// either way round, `>=`/`<=` too), as `merge_selects` builds them.
fn clamp_source(dfg: &clir::DataFlowGraph, v: CV, lo: i64, hi: i64) -> Option<CV> {
    let ternary = |v: CV| match dfg.value_def(v) {
        clir::ValueDef::Result(i, 0) => match dfg.insts[i] {
            clir::InstructionData::Ternary {
                opcode: clir::Opcode::Bitselect,
                args,
            } => Some(args),
            _ => None,
        },
        _ => None,
    };
    let icmp = |v: CV| match dfg.value_def(v) {
        clir::ValueDef::Result(i, 0) => match dfg.insts[i] {
            clir::InstructionData::IntCompare { cond, args, .. } => Some((cond, args[0], args[1])),
            _ => None,
        },
        _ => None,
    };
    // Which bound an arm `cond(s, x) ? c : ...` saturates to: true for hi, false for lo.
    let arm = |cond: IntCC, x: i64, c: i64| match cond {
        IntCC::SignedGreaterThan | IntCC::SignedGreaterThanOrEqual if x == hi && c == hi => Some(true),
        IntCC::SignedLessThan | IntCC::SignedLessThanOrEqual if x == lo && c == lo => Some(false),
        _ => None,
    };
    let [m1, c1, inner] = ternary(v)?;
    let (cc1, s, x1) = icmp(m1)?;
    let [m2, c2, rest] = ternary(inner)?;
    let (cc2, s2, x2) = icmp(m2)?;
    if s2 != s || rest != s {
        return None;
    }
    let a = arm(cc1, splat_const(dfg, x1)?, splat_const(dfg, c1)?)?;
    let b = arm(cc2, splat_const(dfg, x2)?, splat_const(dfg, c2)?)?;
    (a != b).then_some(s)
}

impl SelectGen for Gen<'_, '_> {
    /// A loop `vector_plan` does not take, with comparisons, diamonds or int
    /// dtypes of any width (analysis only; see the module docs).
    fn select_plan(&self, header: Block, h: &ir::BlockData) -> Option<VecLoop> {
        let (var_index, stop, body_edge) = self.range_test(header, h)?;
        if self.loop_marks.contains_key(&header) {
            return None;
        }
        let var = h.params[var_index];
        if self.preds_of(body_edge.block).len() != 1 {
            return None;
        }
        let mut w = Walk::default();
        let (end, back) = self.walk_body(header, body_edge.block, &[], &mut w)?;
        let latch = *w.body.last()?;
        let preds = self.preds_of(header);
        if end != header || preds.len() != 2 || !preds.contains(&latch) {
            return None;
        }
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
        // Counters: every other header parameter is a Python int `n` whose value at
        // the latch is made of merges of `n` and adds `n + k` (`k` an int constant or
        // defined before the loop), each proven never to overflow by `ranges`, and
        // used nowhere else in the body (see the module docs).
        let mut counters: Vec<(usize, Vec<(Block, usize)>)> = Vec::new();
        let mut cvals: HashSet<Value> = HashSet::new();
        for (pi, &p) in h.params.iter().enumerate() {
            if pi == var_index {
                continue;
            }
            let mut adds = Vec::new();
            cvals.insert(p);
            if *self.typed.ty(p) != Ty::Int
                || !self.counter_values(header, p, back.args[pi], &w, &mut adds, &mut cvals, 0)
            {
                return None;
            }
            if adds.is_empty() || adds.iter().any(|a| !self.facts.no_overflow.contains(a)) {
                return None;
            }
            counters.push((pi, adds));
        }
        let counter_adds: Vec<(Block, usize)> = counters.iter().flat_map(|(_, a)| a.iter().copied()).collect();
        for &blk in &w.body {
            let d = self.f.block(blk);
            for (k, i) in d.insts.iter().enumerate() {
                if !counter_adds.contains(&(blk, k)) && i.args.iter().any(|a| cvals.contains(a)) {
                    return None;
                }
            }
            if let Term::Br(c, ..) = &d.term {
                if cvals.contains(c) {
                    return None;
                }
            }
        }
        for (m, (_, te, fe)) in &w.merges {
            for (i, p) in self.f.block(*m).params.iter().enumerate() {
                if cvals.contains(&te.args[i]) != cvals.contains(p) || cvals.contains(&fe.args[i]) != cvals.contains(p)
                {
                    return None;
                }
            }
        }
        let mut arm_stores: HashMap<(Block, usize), (Block, usize)> = HashMap::new();
        // Pass 1: what each value is (invariant, index, lane or lane mask).
        let mut kinds: HashMap<Value, crate::simd::Kind> = HashMap::new();
        use crate::simd::Kind as K;
        kinds.insert(var, K::Idx(0));
        let mut masks: HashSet<Value> = HashSet::new();
        let mut lanes: Vec<(Value, Block)> = Vec::new();
        let mut np_consts = HashMap::new();
        let mut ops: Vec<(Block, usize)> = Vec::new();
        let mut stores: Vec<(Value, Vec<Value>)> = Vec::new();
        let mut loads: Vec<(Value, Vec<Value>)> = Vec::new();
        let mut load_at: Vec<(Block, usize)> = Vec::new();
        let mut same_access = HashMap::new();
        let mut need: u32 = 8;
        let mut fslot: Option<SlotTy> = None;
        let mut bool_truths = HashSet::new();
        let mut mask_stores = HashSet::new();
        let mut int_access = false;
        let ty = |v: Value| self.typed.ty(v);
        for &blk in &w.body {
            let kind_of = |kinds: &HashMap<Value, K>, v: Value| -> Option<K> {
                match kinds.get(&v) {
                    Some(k) => Some(*k),
                    None if !self.loop_defined(v, header) => Some(K::Inv),
                    None => None,
                }
            };
            let data = self.f.block(blk);
            if let Some((c, te, fe)) = w.merges.get(&blk) {
                if !masks.contains(c) {
                    return None;
                }
                for (i, p) in data.params.iter().enumerate() {
                    if cvals.contains(p) {
                        continue; // a counter's value: only its adds count (see `counters`)
                    }
                    let pt = ty(*p);
                    let int_ok = matches!(pt, Ty::Int) || matches!(pt, Ty::Np(d) if lane_dtype(*d));
                    if !int_ok && float_slot(pt).is_none() {
                        return None;
                    }
                    for a in [te.args[i], fe.args[i]] {
                        // (Floats: `float` and `np.float64` have the same bits in a lane.)
                        let same = ty(a) == pt || (!int_ok && float_slot(ty(a)) == float_slot(pt));
                        if !same || masks.contains(&a) || !matches!(kind_of(&kinds, a)?, K::Lane | K::Inv) {
                            return None;
                        }
                    }
                    kinds.insert(*p, K::Lane);
                    lanes.push((*p, blk));
                }
            } else if !data.params.is_empty() {
                return None;
            }
            for (k, inst) in data.insts.iter().enumerate() {
                if (blk, k) == step_inst || counter_adds.contains(&(blk, k)) {
                    continue;
                }
                if self.env.pycalls.contains_key(&(blk, k)) {
                    return None;
                }
                let rt = inst.result.map(|r| ty(r).clone());
                let any_lane = inst.args.iter().any(|a| kinds.get(a) == Some(&K::Lane));
                let operands_ok = |kinds: &HashMap<Value, K>, args: &[Value]| {
                    args.iter()
                        .all(|a| !masks.contains(a) && matches!(kind_of(kinds, *a), Some(K::Lane | K::Inv)))
                };
                let kind = match &inst.op {
                    Op::Const(Const::Int(_) | Const::Bool(_) | Const::Float(_)) => K::Inv,
                    Op::Global(_) | Op::Import(_) if matches!(rt, Some(Ty::Builtin(_) | Ty::Module(_))) => K::Inv,
                    // `np.uint8(255)`: a NumPy int constant.
                    Op::MethodCall { kw, .. }
                        if kw.is_empty() && inst.args.len() == 2 && matches!(ty(inst.args[0]), Ty::Module(_)) =>
                    {
                        let Some(Ty::Np(d)) = rt else { return None };
                        let Some(Const::Int(c)) = self.consts.get(&inst.args[1]) else {
                            return None;
                        };
                        // NumPy's own scalar type, as if-conversion recognizes it.
                        if !matches!(self.typed.globals.get(&inst.result?), Some(GlobalKind::DtypeObj(g)) if *g == d) {
                            return None;
                        }
                        let (lo, hi) = d.int_range();
                        if !lane_dtype(d) || (*c as i128) < lo || (*c as i128) > hi {
                            return None;
                        }
                        np_consts.insert(inst.result?, (d, *c));
                        K::Inv
                    }
                    // Index arithmetic (`i + 1`) and invariant arithmetic proven not to overflow.
                    Op::Bin { op, .. } if !any_lane => {
                        let (a, b) = (inst.args[0], inst.args[1]);
                        let (ka, kb) = (kind_of(&kinds, a)?, kind_of(&kinds, b)?);
                        if rt != Some(Ty::Int) {
                            return None;
                        }
                        let ci = |v: Value| match self.consts.get(&v) {
                            Some(Const::Int(c)) => Some(*c),
                            _ => None,
                        };
                        match (op, ka, kb) {
                            (BinOp::Add, K::Idx(x), K::Inv) => K::Idx(x.checked_add(ci(b)?)?),
                            (BinOp::Add, K::Inv, K::Idx(x)) => K::Idx(x.checked_add(ci(a)?)?),
                            (BinOp::Sub, K::Idx(x), K::Inv) => K::Idx(x.checked_sub(ci(b)?)?),
                            (BinOp::Add | BinOp::Sub | BinOp::Mul, K::Inv, K::Inv)
                                if self.facts.no_overflow.contains(&(blk, k)) =>
                            {
                                K::Inv
                            }
                            _ => return None,
                        }
                    }
                    Op::Bin { op, .. } => {
                        let ok = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div);
                        if !ok || !operands_ok(&kinds, &inst.args) {
                            return None;
                        }
                        ops.push((blk, k));
                        K::Lane
                    }
                    // Float lanes: `-x`, `abs`, `min`, `max` (checked in the float pass below).
                    Op::Unary(UnaryOp::Neg) if any_lane && operands_ok(&kinds, &inst.args) => {
                        ops.push((blk, k));
                        K::Lane
                    }
                    Op::Call { kw }
                        if kw.is_empty()
                            && matches!(
                                ty(inst.args[0]),
                                Ty::Builtin(Builtin::Abs | Builtin::Min | Builtin::Max)
                            )
                            && inst.args[1..].iter().any(|a| kinds.get(a) == Some(&K::Lane))
                            && operands_ok(&kinds, &inst.args[1..]) =>
                    {
                        ops.push((blk, k));
                        K::Lane
                    }
                    Op::Call { kw }
                        if kw.is_empty()
                            && inst.args.len() == 2
                            && *ty(inst.args[0]) == Ty::Builtin(Builtin::Int)
                            && kinds.get(&inst.args[1]) == Some(&K::Lane) =>
                    {
                        if !matches!(ty(inst.args[1]), Ty::Np(d) if lane_dtype(*d)) || masks.contains(&inst.args[1]) {
                            return None;
                        }
                        K::Lane
                    }
                    Op::Cmp(_) if any_lane => {
                        if !operands_ok(&kinds, &inst.args) || !matches!(rt, Some(Ty::Bool | Ty::Np(Dtype::Bool))) {
                            return None;
                        }
                        ops.push((blk, k));
                        masks.insert(inst.result?);
                        K::Lane
                    }
                    Op::Truth if masks.contains(&inst.args[0]) => {
                        masks.insert(inst.result?);
                        K::Lane
                    }
                    // The truth of a bool array's element (0 or 1 in its lane): a mask.
                    Op::Truth
                        if kinds.get(&inst.args[0]) == Some(&K::Lane) && *ty(inst.args[0]) == Ty::Np(Dtype::Bool) =>
                    {
                        bool_truths.insert((blk, k));
                        masks.insert(inst.result?);
                        K::Lane
                    }
                    Op::GetItem => {
                        // A load inside a diamond's side whose own index checks stayed (the
                        // side does not run on every iteration) is in bounds when the same
                        // element was loaded on every iteration before it (`a[i] if a[i] > b[i]
                        // else b[i]`).
                        if self.vector_access(inst, &kinds, header, blk, k, true).is_none() {
                            let at = loads.iter().zip(&load_at).find_map(|((x, idx), at)| {
                                (*x == inst.args[0] && idx[..] == inst.args[1..]).then_some(*at)
                            })?;
                            same_access.insert((blk, k), at);
                        }
                        load_at.push((blk, k));
                        let Ty::Array(at) = ty(inst.args[0]) else { return None };
                        if let Some(e) = float_dtype(at.dtype) {
                            if *fslot.get_or_insert(e) != e || rt.as_ref().and_then(float_slot) != Some(e) {
                                return None;
                            }
                        } else {
                            let int_ok = lane_dtype(at.dtype) || at.dtype == Dtype::Bool;
                            if !int_ok || rt != Some(Ty::Np(at.dtype)) {
                                return None;
                            }
                            int_access = true;
                            need = need.max(bits_of(at.dtype));
                        }
                        loads.push((inst.args[0], inst.args[1..].to_vec()));
                        K::Lane
                    }
                    Op::SetItem => {
                        self.vector_access(inst, &kinds, header, blk, k, true)?;
                        let Ty::Array(at) = ty(inst.args[0]) else { return None };
                        let v = *inst.args.last().unwrap();
                        // A comparison stored into a bool array: its mask, as 0 or 1.
                        let mask_store = at.dtype == Dtype::Bool && masks.contains(&v);
                        // A store inside a diamond's side: to an element a load outside
                        // every side read (float lanes only; see the module docs).
                        if w.arms.contains_key(&blk) {
                            let at_load = loads.iter().zip(&load_at).find_map(|((x, idx), at)| {
                                let same = *x == inst.args[0] && idx[..] == inst.args[1..inst.args.len() - 1];
                                (same && !w.arms.contains_key(&at.0)).then_some(*at)
                            })?;
                            if float_dtype(at.dtype).is_none() || mask_store {
                                return None;
                            }
                            arm_stores.insert((blk, k), at_load);
                        }
                        if at.readonly || !(mask_store || operands_ok(&kinds, &[v])) {
                            return None;
                        }
                        if mask_store {
                            mask_stores.insert((blk, k));
                        }
                        if mask_store {
                            // Int or float lanes alike: the comparison's mask.
                        } else if let Some(e) = float_dtype(at.dtype) {
                            if *fslot.get_or_insert(e) != e {
                                return None;
                            }
                        } else if lane_dtype(at.dtype) || at.dtype == Dtype::Bool {
                            int_access = true;
                            need = need.max(bits_of(at.dtype));
                        } else {
                            return None;
                        }
                        stores.push((inst.args[0], inst.args[1..inst.args.len() - 1].to_vec()));
                        ops.push((blk, k));
                        continue;
                    }
                    _ => return None,
                };
                if let Some(r) = inst.result {
                    kinds.insert(r, kind);
                    if kind == K::Lane && !masks.contains(&r) {
                        lanes.push((r, blk));
                    }
                }
            }
        }
        // Lane masks only feed truth tests, the branches of diamonds and bool stores.
        for &blk in &w.body {
            let d = self.f.block(blk);
            for (k, i) in d.insts.iter().enumerate() {
                let ok = i.op == Op::Truth || mask_stores.contains(&(blk, k));
                if !ok && i.args.iter().any(|a| masks.contains(a)) {
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
            if let Some(c) = cond {
                if !masks.contains(&c) {
                    return None;
                }
            }
        }
        if stores.is_empty() {
            return None;
        }
        // Stores in sides: every store to their elements is in a side.
        for (blk, k) in arm_stores.keys() {
            let st = &self.f.block(*blk).insts[*k];
            for &b in &w.body {
                for (j, i) in self.f.block(b).insts.iter().enumerate() {
                    let same = i.op == Op::SetItem && i.args[..i.args.len() - 1] == st.args[..st.args.len() - 1];
                    if same && !arm_stores.contains_key(&(b, j)) {
                        return None;
                    }
                }
            }
        }
        let disjoint = disjoint_pairs(&stores, &loads)?;
        // Counters and stores in sides: float lanes only; counters 2 x f64 (their
        // I64X2 lanes, one per element).
        if (!counters.is_empty() && fslot.is_none()) || (!arm_stores.is_empty() && fslot.is_none()) {
            return None;
        }
        let reductions: Vec<crate::simd::Reduction> = counters
            .iter()
            .map(|(pi, adds)| crate::simd::Reduction::counter(h.params[*pi], *pi, adds.clone()))
            .collect();
        if let Some(e) = fslot {
            if int_access || !bool_truths.is_empty() {
                return None;
            }
            let ok = |v: Value, inv_any: bool| match kinds.get(&v) {
                Some(K::Lane) => float_slot(ty(v)) == Some(e),
                Some(K::Idx(_)) => false,
                _ => float_slot(ty(v)) == Some(e) || (inv_any && plain_scalar(ty(v))),
            };
            for (v, _) in &lanes {
                if float_slot(ty(*v)) != Some(e) {
                    return None;
                }
            }
            for (_, te, fe) in w.merges.values() {
                if !te
                    .args
                    .iter()
                    .chain(&fe.args)
                    .all(|a| cvals.contains(a) || ok(*a, false))
                {
                    return None;
                }
            }
            for &(blk, k) in &ops {
                let inst = &self.f.block(blk).insts[k];
                let rt_ok = |i: &ir::Inst| i.result.is_some_and(|r| float_slot(ty(r)) == Some(e));
                let good = match &inst.op {
                    Op::Bin { op, .. } => {
                        let div_ok = *op != BinOp::Div || {
                            // By a constant that cannot raise (Python) or warn (NumPy: |c| >= 1).
                            let c = match self.consts.get(&inst.args[1]) {
                                Some(Const::Float(c)) => *c,
                                Some(Const::Int(c)) => *c as f64,
                                _ => 0.0,
                            };
                            let np = inst.result.is_some_and(|r| *ty(r) != Ty::Float);
                            c != 0.0 && !c.is_nan() && !(np && c.abs() < 1.0)
                        };
                        div_ok && rt_ok(inst) && inst.args.iter().all(|a| ok(*a, true))
                    }
                    Op::Unary(_) => rt_ok(inst) && ok(inst.args[0], false),
                    Op::Call { .. } => {
                        let n = inst.args.len() - 1;
                        let arity = match ty(inst.args[0]) {
                            Ty::Builtin(Builtin::Abs) => n == 1,
                            _ => n >= 2,
                        };
                        arity && rt_ok(inst) && inst.args[1..].iter().all(|a| ok(*a, false))
                    }
                    Op::Cmp(_) => inst.args.iter().all(|a| {
                        // A float of the lane's precision, or an int constant it holds exactly.
                        let limit: u64 = if e == SlotTy::F64 { 1 << 53 } else { 1 << 24 };
                        let exact = matches!(self.consts.get(a), Some(Const::Int(c)) if c.unsigned_abs() <= limit);
                        ok(*a, false) || (exact && kinds.get(a) != Some(&K::Lane))
                    }),
                    Op::SetItem => mask_stores.contains(&(blk, k)) || ok(*inst.args.last().unwrap(), false),
                    _ => false,
                };
                if !good {
                    return None;
                }
            }
            return Some(VecLoop {
                var,
                stop,
                body: w.body,
                step_inst,
                elem: e,
                disjoint,
                var_index,
                reductions,
                checked_lanes: false,
                narrow32: None,
                in_i32: false,
                sel: Some(Box::new(SelPlan {
                    counters: cvals,
                    arm_stores,
                    lane: if e == SlotTy::F64 { clt::F64X2 } else { clt::F32X4 },
                    merges: w.merges,
                    unsigned_cmps: HashSet::new(),
                    checks: HashMap::new(),
                    np_consts,
                    same_access,
                    arms: w.arms,
                    bool_truths: HashSet::new(),
                    mask_stores,
                })),
            });
        }
        // The lane width: every lane value and every invariant operand held exactly.
        let ranges = Ranges::new(self.f, self.typed, self.env.sem.wrapping_ints);
        let const_of = |v: Value| match (self.consts.get(&v), np_consts.get(&v)) {
            (Some(Const::Int(c)), _) => Some(*c),
            (Some(Const::Bool(b)), _) => Some(*b as i64),
            (_, Some((_, c))) => Some(*c),
            _ => None,
        };
        let range_of = |v: Value, at: Block| -> Option<(i64, i64)> {
            if let Some(c) = const_of(v) {
                return Some((c, c));
            }
            ranges.bounds(v, at).or_else(|| type_range(ty(v)))
        };
        let width_of = |v: Value, at: Block| -> Option<u32> {
            match ty(v) {
                Ty::Np(d) if lane_dtype(*d) || *d == Dtype::Bool => Some(bits_of(*d)),
                Ty::Int | Ty::Bool => Some(signed_bits(range_of(v, at)?)),
                _ => None,
            }
        };
        for (v, blk) in &lanes {
            need = need.max(width_of(*v, *blk)?);
        }
        // Invariant operands: a constant beside a NumPy int lane takes its dtype's width.
        for &(blk, k) in &ops {
            let inst = &self.f.block(blk).insts[k];
            let args: &[Value] = if inst.op == Op::SetItem {
                &inst.args[inst.args.len() - 1..]
            } else {
                &inst.args
            };
            let lane_np = args.iter().find_map(|a| match (kinds.get(a), ty(*a)) {
                (Some(K::Lane), Ty::Np(d)) => Some(*d),
                _ => None,
            });
            let target = match (&inst.op, ty(inst.args[0])) {
                (Op::SetItem, Ty::Array(at)) => Some(at.dtype),
                _ => lane_np,
            };
            for a in args {
                if kinds.get(a) == Some(&K::Lane) {
                    continue;
                }
                let r = range_of(*a, blk)?;
                let wa = match target {
                    Some(d) if fits_in_dtype(r, d) => bits_of(d),
                    _ => width_of(*a, blk)?,
                };
                need = need.max(wa);
            }
        }
        for (m, (_, te, fe)) in &w.merges {
            for a in te.args.iter().chain(&fe.args) {
                if kinds.get(a) != Some(&K::Lane) {
                    need = need.max(width_of(*a, *m)?);
                }
            }
        }
        if !counters.is_empty() || !arm_stores.is_empty() {
            return None; // (int lanes: not planned)
        }
        let wbits = need;
        let unsigned = |v: Value| matches!(ty(v), Ty::Np(d) if d.is_unsigned() && bits_of(*d) == wbits);
        // Pass 2: each lane operation at that width, and its check.
        let mut checks = HashMap::new();
        let mut unsigned_cmps = HashSet::new();
        for &(blk, k) in &ops {
            let inst = &self.f.block(blk).insts[k];
            match &inst.op {
                Op::Bin { op, .. } => {
                    let r = inst.result?;
                    let (a, b) = (inst.args[0], inst.args[1]);
                    if (*op == BinOp::Mul && wbits == 8) || *op == BinOp::Div {
                        return None; // no 8-bit lane multiply; `/` is a float
                    }
                    match ty(r) {
                        Ty::Int => {
                            if !matches!(ty(a), Ty::Int | Ty::Bool) || !matches!(ty(b), Ty::Int | Ty::Bool) {
                                return None;
                            }
                            if ranges.bounds(r, blk).is_none() {
                                // Unbounded: only at 64 bits, + and - checked for overflow.
                                if wbits != 64 || self.env.sem.wrapping_ints {
                                    return None;
                                }
                                checks.insert(
                                    (blk, k),
                                    match op {
                                        BinOp::Add => LaneCheck::Add,
                                        BinOp::Sub => LaneCheck::Sub,
                                        _ => return None,
                                    },
                                );
                            }
                        }
                        Ty::Np(d) if lane_dtype(*d) => {
                            let d = *d;
                            for x in [a, b] {
                                let is_c = matches!(self.consts.get(&x), Some(Const::Int(_)));
                                if *ty(x) != Ty::Np(d) && !(is_c && fits_in_dtype(range_of(x, blk)?, d)) {
                                    return None;
                                }
                            }
                            if self.env.sem.wrapping_ints {
                                return None; // NumPy's wrap without a warning: not planned
                            }
                            let (ra, rb) = (range_of(a, blk)?, range_of(b, blk)?);
                            let (a0, a1, b0, b1) = (ra.0 as i128, ra.1 as i128, rb.0 as i128, rb.1 as i128);
                            let (lo, hi) = match op {
                                BinOp::Add => (a0 + b0, a1 + b1),
                                BinOp::Sub => (a0 - b1, a1 - b0),
                                _ => {
                                    let p = [a0 * b0, a0 * b1, a1 * b0, a1 * b1];
                                    (*p.iter().min().unwrap(), *p.iter().max().unwrap())
                                }
                            };
                            let (dlo, dhi) = d.int_range();
                            if lo >= dlo && hi <= dhi {
                                // Proven in range: the plain lane operation is exact.
                            } else if bits_of(d) == wbits {
                                let c = match (op, d.is_unsigned()) {
                                    (BinOp::Add, false) => LaneCheck::Add,
                                    (BinOp::Sub, false) => LaneCheck::Sub,
                                    (BinOp::Add, true) => LaneCheck::UAdd,
                                    (BinOp::Sub, true) => LaneCheck::USub,
                                    _ => return None,
                                };
                                checks.insert((blk, k), c);
                            } else {
                                // Exact in the wider lane (see the module docs), then the dtype's bounds.
                                checks.insert((blk, k), LaneCheck::Range(dlo as i64, dhi as i64));
                            }
                        }
                        _ => return None,
                    }
                }
                Op::Cmp(_) => {
                    let (a, b) = (inst.args[0], inst.args[1]);
                    let (ra, rb) = (range_of(a, blk)?, range_of(b, blk)?);
                    let any_unsigned = unsigned(a) || unsigned(b);
                    if fits_unsigned(ra, wbits) && fits_unsigned(rb, wbits) && any_unsigned {
                        unsigned_cmps.insert((blk, k));
                    } else if !(fits_signed(ra, wbits) && fits_signed(rb, wbits)) || any_unsigned {
                        return None;
                    }
                }
                Op::SetItem => {
                    let Ty::Array(at) = ty(inst.args[0]) else { return None };
                    let v = *inst.args.last().unwrap();
                    let d = at.dtype;
                    if mask_stores.contains(&(blk, k)) {
                        continue;
                    }
                    match ty(v) {
                        Ty::Np(vd) if *vd == d => {}
                        Ty::Int | Ty::Bool => {
                            if !fits_in_dtype(range_of(v, blk)?, d) {
                                if kinds.get(&v) != Some(&K::Lane) {
                                    return None;
                                }
                                let (lo, hi) = d.int_range();
                                checks.insert((blk, k), LaneCheck::Range(lo as i64, hi as i64));
                            }
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        let elem = match wbits {
            8 => SlotTy::I8,
            16 => SlotTy::I16,
            32 => SlotTy::I32,
            _ => SlotTy::I64,
        };
        let checked_lanes = !checks.is_empty();
        Some(VecLoop {
            var,
            stop,
            body: w.body,
            step_inst,
            elem,
            disjoint,
            var_index,
            reductions: Vec::new(),
            checked_lanes,
            narrow32: None,
            in_i32: false,
            sel: Some(Box::new(SelPlan {
                counters: HashSet::new(),
                arm_stores: HashMap::new(),
                lane: int_lane_ty(wbits),
                merges: w.merges,
                unsigned_cmps,
                checks,
                np_consts,
                same_access,
                arms: w.arms,
                bool_truths,
                mask_stores,
            })),
        })
    }

    /// Walks blocks from `x` (entered by its only predecessor, with no
    /// arguments) through jumps and whole diamonds, until an edge into a block
    /// with other predecessors: returns that block and edge.
    fn walk_body(
        &self,
        header: Block,
        mut x: Block,
        path: &[(Value, bool)],
        w: &mut Walk,
    ) -> Option<(Block, ir::Edge)> {
        loop {
            if w.body.len() >= 32 || x == header || w.body.contains(&x) {
                return None;
            }
            w.body.push(x);
            if !path.is_empty() {
                w.arms.insert(x, path.to_vec());
            }
            let next = match &self.f.block(x).term {
                Term::Jump(j) => j.clone(),
                Term::Br(c, t, e) => {
                    if t.block == e.block {
                        return None;
                    }
                    let side = |taken: bool| {
                        let mut p = path.to_vec();
                        p.push((*c, taken));
                        p
                    };
                    let (mt, et) = self.walk_side(header, t, &side(true), w)?;
                    let (me, ee) = self.walk_side(header, e, &side(false), w)?;
                    if mt != me || mt == header || self.preds_of(mt).len() != 2 || w.merges.contains_key(&mt) {
                        return None;
                    }
                    w.merges.insert(mt, (*c, et, ee));
                    x = mt;
                    continue;
                }
                _ => return None,
            };
            if self.preds_of(next.block).len() != 1 {
                return Some((next.block, next));
            }
            if !next.args.is_empty() {
                return None;
            }
            x = next.block;
        }
    }

    /// One side of a diamond: the edge itself when it enters the merge, else
    /// the walk of its block.
    fn walk_side(
        &self,
        header: Block,
        e: &ir::Edge,
        path: &[(Value, bool)],
        w: &mut Walk,
    ) -> Option<(Block, ir::Edge)> {
        if self.preds_of(e.block).len() != 1 {
            return Some((e.block, e.clone()));
        }
        if !e.args.is_empty() || !self.f.block(e.block).params.is_empty() {
            return None;
        }
        self.walk_body(header, e.block, path, w)
    }

    /// Whether `v`, a counter `p`'s value, is `p`, an add `p + k` in the body
    /// (`k` an int constant or an int defined before the loop), or a merge
    /// parameter each of whose incoming values is one of these. Collects the
    /// adds and the values.
    fn counter_values(
        &self,
        header: Block,
        p: Value,
        v: Value,
        w: &Walk,
        adds: &mut Vec<(Block, usize)>,
        vals: &mut HashSet<Value>,
        depth: u32,
    ) -> bool {
        if v == p {
            return true;
        }
        if depth > 8 {
            return false;
        }
        vals.insert(v);
        for &b in &w.body {
            let Some(k) = self.f.block(b).insts.iter().position(|i| i.result == Some(v)) else {
                continue;
            };
            let add = &self.f.block(b).insts[k];
            let one_p = add.args.len() == 2 && (add.args[0] == p) != (add.args[1] == p);
            if !matches!(add.op, Op::Bin { op: BinOp::Add, .. }) || !one_p {
                return false;
            }
            let t = if add.args[0] == p { add.args[1] } else { add.args[0] };
            let inv = !self.loop_defined(t, header) || matches!(self.consts.get(&t), Some(Const::Int(_)));
            if !inv || *self.typed.ty(t) != Ty::Int || *self.typed.ty(v) != Ty::Int {
                return false;
            }
            adds.push((b, k));
            return true;
        }
        let Some((m, (_, te, fe))) = w.merges.iter().find(|(m, _)| self.f.block(**m).params.contains(&v)) else {
            return false;
        };
        let i = self.f.block(*m).params.iter().position(|x| *x == v).unwrap_or(0);
        let (a, b) = (te.args[i], fe.args[i]);
        self.counter_values(header, p, a, w, adds, vals, depth + 1)
            && self.counter_values(header, p, b, w, adds, vals, depth + 1)
    }

    /// The mask of the lanes that run block `blk` (inside diamonds' sides: the
    /// AND of its conditions), as an int mask; none when every lane runs it.
    fn arm_mask(
        &mut self,
        sel: &SelPlan,
        blk: Block,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
    ) -> CResult<Option<CV>> {
        let Some(path) = sel.arms.get(&blk) else {
            return Ok(None);
        };
        let mut m: Option<CV> = None;
        for (c, taken) in path.clone() {
            let x = Self::lane_of(c, vv, splats)?;
            m = Some(match (m, taken) {
                (None, true) => x,
                (None, false) => self.b.ins().bnot(x),
                (Some(m), true) => self.b.ins().band(m, x),
                (Some(m), false) => self.b.ins().band_not(m, x),
            });
        }
        Ok(m)
    }

    /// An invariant int operand in every lane: its exact value, truncated to
    /// the lane width (the plan checked it fits the lane's interpretation).
    fn splat_int(&mut self, v: Value, vv: &HashMap<Value, VV>, lane_ty: clir::Type) -> CResult<CV> {
        let VV::Inv(vals) = self.operand(v, vv)? else {
            return Err(internal("simd: splat of a non-invariant"));
        };
        let t = self.ty(v);
        let x = self.conv_i64(&(t, vals))?;
        let lt = lane_ty.lane_type();
        let x = if lt == clt::I64 { x } else { self.b.ins().ireduce(lt, x) };
        Ok(self.b.ins().splat(lane_ty, x))
    }

    /// At a diamond's merge block: its parameters, chosen per lane by the mask.
    fn merge_selects(
        &mut self,
        sel: &SelPlan,
        blk: Block,
        vu: &mut HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
    ) -> CResult<()> {
        let Some((c, te, fe)) = sel.merges.get(&blk) else {
            return Ok(());
        };
        let mut m = Self::lane_of(*c, vu, splats)?;
        if sel.lane.lane_type().is_float() {
            m = self.b.ins().bitcast(sel.lane, le(), m); // the mask of an fcmp, as floats
        }
        for (i, p) in self.f.block(blk).params.iter().enumerate() {
            if sel.counters.contains(p) {
                continue;
            }
            let x = Self::lane_of(te.args[i], vu, splats)?;
            let y = Self::lane_of(fe.args[i], vu, splats)?;
            let r = self.b.ins().bitselect(m, x, y);
            vu.insert(*p, VV::Lane(r));
        }
        Ok(())
    }

    fn sel_inst(
        &mut self,
        sel: &SelPlan,
        inst: &ir::Inst,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
        iv: CV,
    ) -> CResult<Option<CV>> {
        let flags = MemFlagsData::new().with_notrap();
        let lane = |v: Value| Self::lane_of(v, vv, splats);
        let lane_ty = sel.lane;
        let wb = lane_ty.lane_bits() as i64 / 8;
        let lanes = lane_ty.lane_count() as i64;
        let mask_store = inst.op == Op::SetItem && sel.mask_stores.contains(&self.cur_inst);
        if lane_ty.lane_type().is_float() && !mask_store {
            // Float lanes: comparisons here (ordered, as Python's: false with a NaN, but
            // `!=`), the rest as `simd`'s element-wise float loops emit them.
            return Ok(Some(match &inst.op {
                Op::Cmp(op) => {
                    let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                    self.b.ins().fcmp(crate::simd::float_cc(*op), x, y)
                }
                Op::Truth => lane(inst.args[0])?,
                _ => return self.vector_inst(inst, vv, splats, iv, lane_ty),
            }));
        }
        Ok(Some(match &inst.op {
            Op::Bin { op, .. } => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                match op {
                    BinOp::Add => self.b.ins().iadd(x, y),
                    BinOp::Sub => self.b.ins().isub(x, y),
                    _ => self.b.ins().imul(x, y),
                }
            }
            Op::Cmp(op) => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                let u = sel.unsigned_cmps.contains(&self.cur_inst);
                let cc = match (op, u) {
                    (CmpOp::Eq, _) => IntCC::Equal,
                    (CmpOp::Ne, _) => IntCC::NotEqual,
                    (CmpOp::Lt, false) => IntCC::SignedLessThan,
                    (CmpOp::Le, false) => IntCC::SignedLessThanOrEqual,
                    (CmpOp::Gt, false) => IntCC::SignedGreaterThan,
                    (CmpOp::Ge, false) => IntCC::SignedGreaterThanOrEqual,
                    (CmpOp::Lt, true) => IntCC::UnsignedLessThan,
                    (CmpOp::Le, true) => IntCC::UnsignedLessThanOrEqual,
                    (CmpOp::Gt, true) => IntCC::UnsignedGreaterThan,
                    (CmpOp::Ge, true) => IntCC::UnsignedGreaterThanOrEqual,
                };
                self.b.ins().icmp(cc, x, y)
            }
            Op::Truth if sel.bool_truths.contains(&self.cur_inst) => {
                let x = lane(inst.args[0])?;
                let z = self.b.ins().iconst(lane_ty.lane_type(), 0);
                let z = self.b.ins().splat(lane_ty, z);
                self.b.ins().icmp(IntCC::NotEqual, x, z)
            }
            Op::Truth => lane(inst.args[0])?,
            Op::Call { .. } => lane(inst.args[1])?,
            Op::GetItem => {
                // The array's elements, widened to the lane (sign or zero, by dtype).
                let addr = self.vector_addr(inst, vv, iv)?;
                let Ty::Array(at) = self.ty(inst.args[0]) else {
                    return Err(internal("simd: load from a non-array"));
                };
                let m = at.dtype.itemsize();
                if m == wb {
                    return Ok(Some(self.b.ins().load(lane_ty, flags, addr, 0)));
                }
                let bytes = lanes * m;
                if bytes == 8 && 2 * m == wb {
                    // Eight bytes widened once: one extending vector load.
                    let u = at.dtype.is_unsigned();
                    return Ok(Some(match (m, u) {
                        (1, false) => self.b.ins().sload8x8(flags, addr, 0),
                        (1, true) => self.b.ins().uload8x8(flags, addr, 0),
                        (2, false) => self.b.ins().sload16x4(flags, addr, 0),
                        (2, true) => self.b.ins().uload16x4(flags, addr, 0),
                        (_, false) => self.b.ins().sload32x2(flags, addr, 0),
                        (_, true) => self.b.ins().uload32x2(flags, addr, 0),
                    }));
                }
                let (st, vt) = match bytes {
                    8 => (clt::I64, clt::I64X2),
                    4 => (clt::I32, clt::I32X4),
                    _ => (clt::I16, clt::I16X8),
                };
                let s = self.b.ins().load(st, flags, addr, 0);
                let v = self.b.ins().scalar_to_vector(vt, s);
                let mem_ty = int_lane_ty(8 * m as u32);
                let mut v = self.b.ins().bitcast(mem_ty, le(), v);
                let mut cur = m;
                while cur < wb {
                    v = if at.dtype.is_unsigned() {
                        self.b.ins().uwiden_low(v)
                    } else {
                        self.b.ins().swiden_low(v)
                    };
                    cur *= 2;
                }
                v
            }
            Op::SetItem => {
                // The value truncated to the array's width (it is in its range).
                let addr = self.vector_addr(inst, vv, iv)?;
                let Ty::Array(at) = self.ty(inst.args[0]) else {
                    return Err(internal("simd: store to a non-array"));
                };
                let mut v = lane(*inst.args.last().unwrap())?;
                if mask_store {
                    // All ones or zero per lane (an int mask, for float lanes too): NumPy's
                    // bool is 1 or 0.
                    let it = lane_ty.as_int();
                    let one = self.b.ins().iconst(it.lane_type(), 1);
                    let one = self.b.ins().splat(it, one);
                    v = self.b.ins().band(v, one);
                }
                let m = at.dtype.itemsize();
                if m == wb {
                    self.b.ins().store(flags, v, addr, 0);
                    return Ok(None);
                }
                let bytes = self.b.ins().bitcast(clt::I8X16, le(), v);
                let mut mask = [0u8; 16];
                for l in 0..lanes {
                    for j in 0..m {
                        mask[(l * m + j) as usize] = (l * wb + j) as u8;
                    }
                }
                let imm = self.b.func.dfg.immediates.push(ConstantData::from(mask.to_vec()));
                let packed = self.b.ins().shuffle(bytes, bytes, imm);
                let (st, vt) = match lanes * m {
                    8 => (clt::I64, clt::I64X2),
                    4 => (clt::I32, clt::I32X4),
                    _ => (clt::I16, clt::I16X8),
                };
                let _ = st;
                let pv = self.b.ins().bitcast(vt, le(), packed);
                let s = self.b.ins().extractlane(pv, 0);
                self.b.ins().store(flags, s, addr, 0);
                return Ok(None);
            }
            _ => return Err(internal("simd: unplanned lane instruction")),
        }))
    }

    /// A store's two unrolled copies (iterations `iv .. iv + lanes` and the
    /// next `lanes`) into an array half as wide as the lanes, as one store of
    /// 16 bytes: the copies' lanes packed by a saturating narrow, which is exact
    /// because every stored value is in the array's range (proven or checked,
    /// as for any narrowing store). A value that is itself its source clamped
    /// to exactly that range (the int8 saturating add's `127 if s > 127 else
    /// (-128 if s < -128 else s)`) is packed from the source: the narrow
    /// saturates it the same way. `false` (nothing emitted) for stores this
    /// does not cover.
    fn sel_store_pair(
        &mut self,
        sel: &SelPlan,
        inst: &ir::Inst,
        at: (Block, usize),
        vv: [&HashMap<Value, VV>; 2],
        splats: &HashMap<Value, CV>,
        iv: CV,
    ) -> CResult<bool> {
        let lane_ty = sel.lane;
        let Ty::Array(arr) = self.ty(inst.args[0]) else {
            return Ok(false);
        };
        let d = arr.dtype;
        let m = d.itemsize();
        let wb = lane_ty.lane_bits() as i64 / 8;
        let pack_ok = matches!((wb, m, d.is_unsigned()), (2, 1, _) | (4, 2, false));
        if inst.op != Op::SetItem
            || lane_ty.lane_type().is_float()
            || !pack_ok
            || sel.mask_stores.contains(&at)
            || sel.arm_stores.contains_key(&at)
        {
            return Ok(false);
        }
        let (lo, hi) = if d.is_unsigned() {
            (0, (1i64 << (8 * m)) - 1)
        } else {
            (-(1i64 << (8 * m - 1)), (1i64 << (8 * m - 1)) - 1)
        };
        let x = *inst.args.last().unwrap();
        let mut halves = [None, None];
        for (h, vu) in halves.iter_mut().zip(vv) {
            let v = Self::lane_of(x, vu, splats)?;
            *h = Some(clamp_source(&self.b.func.dfg, v, lo, hi).unwrap_or(v));
        }
        let (a, b) = (halves[0].unwrap(), halves[1].unwrap());
        let packed = if d.is_unsigned() {
            self.b.ins().unarrow(a, b)
        } else {
            self.b.ins().snarrow(a, b)
        };
        let addr = self.vector_addr(inst, vv[0], iv)?;
        let flags = MemFlagsData::new().with_notrap();
        self.b.ins().store(flags, packed, addr, 0);
        Ok(true)
    }

    /// The mask (sign bit or all ones per lane) of the lanes where the
    /// instruction's check fails; `r` is its lane result (none for a store).
    fn lane_check(
        &mut self,
        sel: &SelPlan,
        inst: &ir::Inst,
        vv: &HashMap<Value, VV>,
        splats: &HashMap<Value, CV>,
        r: Option<CV>,
    ) -> CResult<Option<CV>> {
        let Some(c) = sel.checks.get(&self.cur_inst).copied() else {
            return Ok(None);
        };
        let lane = |v: Value| Self::lane_of(v, vv, splats);
        let r = match r {
            Some(r) => r,
            None => lane(*inst.args.last().unwrap())?,
        };
        let m = match c {
            LaneCheck::Add | LaneCheck::Sub => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                let xr = self.b.ins().bxor(x, r);
                if c == LaneCheck::Add {
                    let yr = self.b.ins().bxor(y, r);
                    self.b.ins().band(xr, yr)
                } else {
                    let xy = self.b.ins().bxor(x, y);
                    self.b.ins().band(xy, xr)
                }
            }
            LaneCheck::UAdd => {
                let x = lane(inst.args[0])?;
                self.b.ins().icmp(IntCC::UnsignedLessThan, r, x)
            }
            LaneCheck::USub => {
                let (x, y) = (lane(inst.args[0])?, lane(inst.args[1])?);
                self.b.ins().icmp(IntCC::UnsignedLessThan, x, y)
            }
            LaneCheck::Range(lo, hi) => {
                // An exact signed lane: only the bounds inside the lane's own range matter.
                let lt = sel.lane.lane_type();
                let bits = lt.bits();
                let (lo, hi) = if bits == 64 {
                    (lo, hi)
                } else {
                    (lo.max(-(1i64 << (bits - 1))), hi.min((1i64 << (bits - 1)) - 1))
                };
                let lo = self.b.ins().iconst(clt::I64, lo);
                let hi = self.b.ins().iconst(clt::I64, hi);
                let (lo, hi) = if bits == 64 {
                    (lo, hi)
                } else {
                    (self.b.ins().ireduce(lt, lo), self.b.ins().ireduce(lt, hi))
                };
                let lo = self.b.ins().splat(sel.lane, lo);
                let hi = self.b.ins().splat(sel.lane, hi);
                let below = self.b.ins().icmp(IntCC::SignedLessThan, r, lo);
                let above = self.b.ins().icmp(IntCC::SignedGreaterThan, r, hi);
                self.b.ins().bor(below, above)
            }
        };
        // Inside a diamond's side: only the lanes that take it.
        let mut m = m;
        if let Some(path) = sel.arms.get(&self.cur_inst.0) {
            for (c, taken) in path.clone() {
                let mask = lane(c)?;
                m = if taken {
                    self.b.ins().band(m, mask)
                } else {
                    self.b.ins().band_not(m, mask)
                };
            }
        }
        Ok(Some(m))
    }
}

/// An array access: the array and its index values.
type Access = (Value, Vec<Value>);

/// Aliasing, as in `vector_plan`: an array both written and read must be read
/// at exactly the written element; other pairs are checked at run time.
fn disjoint_pairs(stores: &[Access], loads: &[Access]) -> Option<Vec<(Value, Value)>> {
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
    Some(disjoint)
}

/// The lane slot of a float array's elements (float64, float32).
fn float_dtype(d: Dtype) -> Option<SlotTy> {
    match d {
        Dtype::Float64 => Some(SlotTy::F64),
        Dtype::Float32 => Some(SlotTy::F32),
        _ => None,
    }
}

/// Whether every value in `r` is a value of int dtype `d`.
fn fits_in_dtype(r: (i64, i64), d: Dtype) -> bool {
    let (lo, hi) = d.int_range();
    r.0 as i128 >= lo && r.1 as i128 <= hi
}
