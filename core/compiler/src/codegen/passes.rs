//! The interface of the numeric tier's passes (implemented in `pyston-numeric`).
//!
//! A pass *plans* from the typed IR before any code is emitted (analysis
//! only: it may record facts codegen relies on, such as index accesses that
//! need no checks, and returns a [`Plan`]); codegen then calls the plan at
//! fixed points while it emits the function: on entry to a loop (to run a
//! faster version first, the plain loop finishing what it leaves) and at
//! each instruction (to emit it another way, or to skip it because another
//! instruction computes it). Codegen itself always keeps the plain,
//! checked code, so a pass that plans nothing changes nothing, and every
//! pass can be switched off by name.

use super::Gen;
use crate::error::CResult;
use crate::ir::Block;
use cranelift_codegen::ir::BlockArg;
use std::rc::Rc;

/// One pass of the numeric tier.
pub trait Pass: Sync {
    /// The name users switch it off by (`PYSTON_DISABLE_PASSES=simd,fusion`).
    fn name(&self) -> &'static str;
    /// One line for `docs/architecture.md` and `--help`-style listings.
    fn doc(&self) -> &'static str;
    /// Plans the function (analysis only). May record facts in `g.facts`.
    fn plan(&self, g: &mut Gen<'_, '_>) -> CResult<Option<Rc<dyn Plan>>>;
    /// A description of what it planned, for filetests and `PYSTON_DUMP_IR=<name>`.
    fn describe(&self, _plan: &dyn Plan) -> String {
        String::new()
    }
}

/// What a pass does at an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtInst {
    /// Not this plan's: codegen (or a later plan) emits it.
    Default,
    /// The plan emitted it.
    Emitted,
    /// Computed elsewhere (e.g. at the root of a fused expression): emit nothing.
    Skip,
}

/// The per-function plan of one pass, called while codegen emits.
pub trait Plan {
    /// Entering loop `header` from outside (not by its back edge), with the
    /// Cranelift edge arguments `args`: emit a faster version of the loop,
    /// which stops at an iteration the plain loop then resumes from; returns
    /// the edge arguments for that iteration.
    fn enter_loop(&self, _g: &mut Gen<'_, '_>, _header: Block, args: Vec<BlockArg>) -> CResult<Vec<BlockArg>> {
        Ok(args)
    }
    /// The instruction `at`: emit it, skip it, or leave it to codegen.
    fn inst(&self, _g: &mut Gen<'_, '_>, _at: (Block, usize)) -> CResult<AtInst> {
        Ok(AtInst::Default)
    }
    /// Whether the plan owns instruction `at` (it cannot then be if-converted).
    fn claims(&self, _at: (Block, usize)) -> bool {
        false
    }
    /// Whether the array instruction `at` makes is a view whose object slot is
    /// another array's (not an array the arena holds on its own), so it never
    /// counts as a temporary dying at a call into NumPy.
    fn borrows(&self, _at: (Block, usize)) -> bool {
        false
    }
    /// The plan as text (for tests and dumps).
    fn describe(&self) -> String {
        String::new()
    }
}
