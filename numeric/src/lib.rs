//! pyston-numeric: the numeric tier, as passes on the compiler's typed IR.
//!
//! Each pass plans from the typed IR (analysis only) and then emits through
//! the compiler's code generator at loop entries and instructions (see
//! `pyston_compiler::codegen::passes`); the plain, checked loop is always
//! kept as the fallback, so every pass is exact on its own and can be
//! switched off by name (`PYSTON_DISABLE_PASSES=simd,fusion`). [`PASSES`] is
//! the ordered list the pipeline runs:
//!
//! 1. [`bounds`](ranges): index ranges in counted loops: accesses that need no
//!    per-iteration checks, guards hoisted before loops, int ops that cannot overflow.
//! 2. [`licm`]: loop-invariant pure scalar instructions computed once, before the loop.
//! 3. [`idioms`]: loops recognised whole (bit counts, counting true
//!    elements) and masked int arithmetic that may wrap.
//! 4. [`simd`]: 128-bit SIMD versions of element-wise loops and reductions.
//! 5. [`small`]: element-wise expressions on 1-D arrays (rows) with their
//!    reduction, row store or allocation, in one native loop.
//! 6. [`fusion`](fuse): whole-array expressions fused into one pass.

#![forbid(unsafe_code)]

mod prelude;

pub mod fuse;
mod fuse_cast;
pub mod idioms;
pub mod licm;
pub mod numpy_lib;
pub mod ranges;
pub mod simd;
pub mod simd_select;
pub mod small;
mod small_complex;

use prelude::*;
use pyston_compiler::codegen::{AtInst, Pass, Plan};
use std::rc::Rc;

use fuse::{FuseGen, FusionPlan};
use idioms::{IdiomPlans, IdiomsGen};
use simd::{SimdGen, VecLoop};
use small::{SmallGen, SmallPlan};

/// The numeric tier's passes, in the order they plan and emit.
pub const PASSES: &[&dyn Pass] = &[&Bounds, &Licm, &Idioms, &Simd, &Small, &Fusion];

/// The passes minus those named in `disabled` (unknown names are reported).
pub fn passes_except(disabled: &[&str]) -> Result<Vec<&'static dyn Pass>, String> {
    for d in disabled {
        if !PASSES.iter().any(|p| p.name() == *d) {
            let names: Vec<&str> = PASSES.iter().map(|p| p.name()).collect();
            return Err(format!("unknown pass {d:?}; passes: {}", names.join(", ")));
        }
    }
    Ok(PASSES
        .iter()
        .copied()
        .filter(|p| !disabled.contains(&p.name()))
        .collect())
}

/// Index ranges: see [`ranges`].
pub struct Bounds;

impl Pass for Bounds {
    fn name(&self) -> &'static str {
        "bounds"
    }
    fn doc(&self) -> &'static str {
        "index ranges in counted loops: unchecked accesses, guards hoisted before the loop, int ops that cannot overflow"
    }
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>> {
        let wrapping = std::mem::take(&mut g.facts.wrapping);
        g.facts = ranges::analyze(g.f, g.typed, g.env.sem.wrapping_ints);
        let may_wrap = idioms::IdiomsGen::plan_wrapping(g);
        ranges::repeated_ops(g.f, g.typed, &mut g.facts, &may_wrap);
        g.facts.wrapping = wrapping;
        // The facts live in `g.facts`; a plan only carries their text, for dumps.
        Ok(g.env
            .describe_plans
            .then(|| Rc::new(Described(ranges::describe(g.f, &g.facts))) as Rc<dyn Plan>))
    }
}

/// Loop-invariant pure scalar instructions, once in the preheader: see [`licm`].
/// (Before the passes that run other versions of a loop first: its values
/// are computed, and a deopt there resumes, before anything of the loop ran.)
pub struct Licm;

impl Pass for Licm {
    fn name(&self) -> &'static str {
        "licm"
    }
    fn doc(&self) -> &'static str {
        "loop-invariant pure scalar instructions (int/float arithmetic, clamps) computed once before the loop; an array element a loop updates held in a register"
    }
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>> {
        let p = licm::plan(g);
        Ok((!p.skip.is_empty() || !p.carried.is_empty()).then(|| Rc::new(p) as Rc<dyn Plan>))
    }
}

/// Instruction `k` of block `b` as the IR text writes it (`v5 = bin mul v0, v1`).
pub(crate) fn inst_text(f: &ir::Function, b: Block, k: usize) -> String {
    let i = &f.block(b).insts[k];
    let args: Vec<String> = i.args.iter().map(|a| a.to_string()).collect();
    let lhs = i.result.map(|r| format!("{r} = ")).unwrap_or_default();
    let sep = if args.is_empty() { "" } else { " " };
    format!("{lhs}{}{sep}{}", ir::write::op_text(&i.op), args.join(", "))
}

/// A plan that only describes facts recorded elsewhere.
pub struct Described(String);

impl Plan for Described {
    fn describe(&self) -> String {
        self.0.clone()
    }
}

/// Loop idioms and masked arithmetic: see [`idioms`].
pub struct Idioms;

impl Pass for Idioms {
    fn name(&self) -> &'static str {
        "idioms"
    }
    fn doc(&self) -> &'static str {
        "bit-count loops in one instruction (SIMD over a range), true-element counts, masked int arithmetic"
    }
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>> {
        g.facts.wrapping = g.plan_wrapping();
        let mut p = g.plan_idioms();
        let empty = p.popcount_loops.is_empty() && p.popcount_ranges.is_empty() && p.bool_counts.is_empty();
        if g.env.describe_plans {
            p.text = idioms::describe(g.f, &p, &g.facts.wrapping);
            // Masked arithmetic alone is a fact, not a loop plan: described only.
            if empty && !g.facts.wrapping.is_empty() {
                return Ok(Some(Rc::new(Described(p.text))));
            }
        }
        Ok((!empty).then(|| Rc::new(p) as Rc<dyn Plan>))
    }
}

impl Plan for IdiomPlans {
    fn enter_loop(&self, g: &mut Gen<'_, '_>, header: Block, mut args: Vec<BlockArg>) -> CResult<Vec<BlockArg>> {
        if let Some(p) = self.popcount_loops.get(&header).copied() {
            args = g.emit_popcount(p, &args)?;
        }
        if let Some(p) = self.popcount_ranges.get(&header).copied() {
            args = g.emit_popcount_range(p, &args)?;
        }
        if let Some(p) = self.bool_counts.get(&header).copied() {
            args = g.emit_bool_count(p, &args)?;
        }
        Ok(args)
    }
    fn describe(&self) -> String {
        self.text.clone()
    }
}

/// SIMD versions of counted loops: see [`simd`].
pub struct Simd;

/// The loops with a SIMD version, by header, and their text (when described).
pub struct SimdPlan(HashMap<Block, VecLoop>, String);

impl Pass for Simd {
    fn name(&self) -> &'static str {
        "simd"
    }
    fn doc(&self) -> &'static str {
        "128-bit SIMD versions of element-wise loops and sums (exact; a scalar tail and the plain loop finish)"
    }
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>> {
        let loops = g.plan_vector_loops();
        let text = if g.env.describe_plans {
            simd::describe(g.f, &loops)
        } else {
            String::new()
        };
        Ok((!loops.is_empty()).then(|| Rc::new(SimdPlan(loops, text)) as Rc<dyn Plan>))
    }
}

impl Plan for SimdPlan {
    fn enter_loop(&self, g: &mut Gen<'_, '_>, header: Block, args: Vec<BlockArg>) -> CResult<Vec<BlockArg>> {
        match self.0.get(&header) {
            Some(plan) => g.emit_vector_loop(plan, &args),
            None => Ok(args),
        }
    }
    fn describe(&self) -> String {
        self.1.clone()
    }
}

/// Small arrays natively: see [`small`].
pub struct Small;

impl Pass for Small {
    fn name(&self) -> &'static str {
        "small"
    }
    fn doc(&self) -> &'static str {
        "element-wise expressions on 1-D arrays and rows, with the reduction, row store or allocation using them, in one native loop"
    }
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>> {
        let mut p = g.plan_small();
        if g.env.describe_plans {
            p.text = small::describe(g.f, &p);
        }
        Ok((!p.roots.is_empty()).then(|| Rc::new(p) as Rc<dyn Plan>))
    }
}

impl Plan for SmallPlan {
    fn borrows(&self, at: (Block, usize)) -> bool {
        matches!(self.roots.get(&at), Some(sx) if matches!(sx.kind, small::RootKind::View { .. }))
    }
    fn inst(&self, g: &mut Gen<'_, '_>, at: (Block, usize)) -> CResult<AtInst> {
        if self.inner.contains(&at) {
            return Ok(AtInst::Skip); // computed at the expression's root
        }
        match self.roots.get(&at) {
            Some(sx) => {
                g.emit_small(at.0, sx)?;
                Ok(AtInst::Emitted)
            }
            None => Ok(AtInst::Default),
        }
    }
    fn claims(&self, at: (Block, usize)) -> bool {
        self.roots.contains_key(&at) || self.inner.contains(&at)
    }
    fn describe(&self) -> String {
        self.text.clone()
    }
}

/// Fused whole-array expressions: see [`fuse`].
pub struct Fusion;

impl Pass for Fusion {
    fn name(&self) -> &'static str {
        "fusion"
    }
    fn doc(&self) -> &'static str {
        "whole-array float64 expressions computed in one pass with no temporaries"
    }
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>> {
        let mut p = g.plan_fusion();
        // What sits between the nodes (constants, slicing: nothing with an effect)
        // deoptimizes to the first node, before any node's value is needed.
        // (A store `x[idx] = e` of the expression: up to the store.)
        for (&(b, root), fx) in &p.roots {
            for k in fx.nodes[0] + 1..fx.store.unwrap_or(root) {
                if !fx.nodes.contains(&k) {
                    g.deopt_redirect.insert((b, k), fx.nodes[0]);
                }
            }
        }
        if g.env.describe_plans {
            p.text = fuse::describe(g.f, &p);
        }
        Ok((!p.roots.is_empty()).then(|| Rc::new(p) as Rc<dyn Plan>))
    }
}

impl Plan for FusionPlan {
    fn inst(&self, g: &mut Gen<'_, '_>, at: (Block, usize)) -> CResult<AtInst> {
        if self.inner.contains(&at) {
            return Ok(AtInst::Skip); // computed at the expression's root
        }
        if let Some(root) = self.stores.get(&at) {
            g.emit_fused_store(at.0, &self.roots[root], at.1)?;
            return Ok(AtInst::Emitted);
        }
        match self.roots.get(&at) {
            // (computed into the store's view, at the store)
            Some(fx) if fx.store.is_some() => Ok(AtInst::Skip),
            Some(fx) => {
                g.emit_fused(at.0, fx)?;
                Ok(AtInst::Emitted)
            }
            None => Ok(AtInst::Default),
        }
    }
    fn claims(&self, at: (Block, usize)) -> bool {
        self.roots.contains_key(&at) || self.inner.contains(&at) || self.stores.contains_key(&at)
    }
    /// `a op= e` computed in place: its value is `a`'s array, whose object the
    /// arena holds for `a`.
    fn borrows(&self, at: (Block, usize)) -> bool {
        self.roots.get(&at).is_some_and(|fx| fx.inplace.is_some())
    }
    fn describe(&self) -> String {
        self.text.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_names() {
        let names: Vec<&str> = PASSES.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["bounds", "licm", "idioms", "simd", "small", "fusion"]);
        assert_eq!(passes_except(&["simd"]).unwrap().len(), 5);
        assert!(passes_except(&["nope"]).is_err());
    }
}
