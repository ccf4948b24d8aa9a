//! Cranelift code generation from typed SSA IR.
//!
//! Every IR value becomes a list of Cranelift values (its slots, see
//! [`crate::abi::slot_types`]). Operations that can leave the fast path
//! (int overflow, division by zero, an index out of range, a math domain
//! error, ...) branch to a cold *deopt block* that stores the values live
//! at that instruction into `ctx.slots` and returns `DEOPT`; the interpreter
//! re-executes the instruction with CPython's semantics. No instruction that
//! traps on user data is emitted without a check in front of it.

use crate::abi::{
    self, dtype_index, ArraySlots, DeoptPoint, PyCallSite, SlotTy, CTX_DEOPT_POINT_OFFSET, CTX_DEPTH_LIMIT_OFFSET,
    CTX_DEPTH_OFFSET, CTX_SLOTS_OFFSET, DEOPT_SLOTS,
};
use crate::dtype::{Dtype, Kind, Layout};
use crate::error::{CResult, CompileError};
use crate::hir::{BinOp, CmpOp, Span, UnaryOp};
use crate::infer::{GlobalKind, Typed};
use crate::ir::{self, Block, Const, Op, Term, Value};
use crate::semantics::Semantics;
use crate::types::*;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self as clir, types as clt, AbiParam, BlockArg, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};
use std::collections::{HashMap, HashSet};

mod arrays;
mod calls;
mod control;
mod deopt;
mod exceptions;
pub mod facts;
mod half;
mod insts;
mod lists;
mod local_lists;
pub mod passes;
mod rng;
mod scalars;
mod strings;
mod time;
mod unions;

pub use passes::{AtInst, Pass, Plan};

pub type CV = clir::Value;
pub type CB = clir::Block;
pub type Vals = Vec<CV>;
/// A typed value: its IR type and its Cranelift slot values.
pub type TV = (Ty, Vals);

/// A compiled function another function calls directly.
#[derive(Clone)]
pub struct CalleeInfo {
    pub func_id: FuncId,
    /// Address of the word holding the callee's metadata pointer (written
    /// by the runtime once the callee is compiled).
    pub meta_slot: u64,
    pub params: Vec<Ty>,
    pub ret: Ty,
}

pub struct CodegenEnv<'a> {
    /// Direct calls, by the value of the call instruction.
    pub callees: &'a HashMap<Value, CalleeInfo>,
    /// The direct calls of a call of one of several functions (a union
    /// callee), by the call's value and the function's id.
    pub member_callees: &'a HashMap<(Value, u32), CalleeInfo>,
    /// Slots of captured global arrays, by id.
    pub array_consts: &'a HashMap<u32, Vec<u64>>,
    /// For each exception class named in an `except` clause (by object
    /// address): bit 0 set if `ZeroDivisionError` matches it, bit 1 if
    /// `IndexError` does, bit 2 if `StopIteration` does: the classes raised as tagged words
    /// ([`abi::LazyExc`]), matched without a call.
    pub exc_lazy_matches: &'a HashMap<u64, u8>,
    /// Address of the word that will hold this function's own metadata pointer.
    pub self_meta_slot: u64,
    /// The constant `str` object of each string literal (see [`string_literals`]),
    /// kept alive by the compiled function.
    pub strs: &'a HashMap<String, u64>,
    /// Address of the runtime's "SIGINT arrived" word, read at every loop
    /// back edge (a deopt when set); 0: no check.
    pub signal_flag: u64,
    pub sem: &'a Semantics,
    /// Calls into Python/NumPy, by instruction position.
    pub pycalls: &'a HashMap<(Block, usize), PyCallSite>,
    /// The numeric tier's passes, in order (see [`passes`]).
    pub passes: &'a [&'a dyn Pass],
    /// Whether to keep each plan's text in [`Output::plans`] (for dumps).
    pub describe_plans: bool,
    /// Where the running CPython keeps a `str`'s characters (`None`: read them
    /// by a call each).
    pub str_layout: Option<abi::StrLayout>,
    /// Whether NumPy's inner loops of `abi::SMALL_UFUNCS` compute scalars as
    /// NumPy's own calls do (NumPy 2; `pyston_scalar_ufuncs_ok`), known when
    /// compiling: the licm pass hoists such calls only then.
    pub scalar_ufuncs: bool,
    /// The NumPy functions among the callable globals (`numpy function #i`,
    /// `from numpy import tanh`) by their name in `numpy` (the object
    /// `numpy.<name>` itself): the passes treat `tanh(x)` as `np.tanh(x)`.
    pub np_names: &'a HashMap<u32, String>,
    /// Whether `np.power(x, 2)` of a float array is `x * x` in this NumPy
    /// (measured by the runtime when first asked: NumPy 2 squares, 1.26 calls `pow`).
    pub power_square: &'a dyn Fn() -> bool,
    /// How NumPy multiplies complex128 arrays (measured by the runtime when
    /// first asked): 0 unknown (not fused), 1 the plain formula, 2 with fused
    /// multiply-adds.
    pub complex_mul: &'a dyn Fn() -> u8,
}

pub struct Output {
    pub deopts: Vec<DeoptPoint>,
    pub call_sites: Vec<Span>,
    /// The runtime helpers the function calls (`pyston_ddot`, ...): the
    /// runtime measures what they need before the function first runs.
    pub helpers: Vec<String>,
    /// The numeric tier's plans as text, by pass (only when `CodegenEnv::describe_plans`).
    pub plans: Vec<(&'static str, String)>,
}

/// Whether `x ** 0.5` may be computed as a checked square root (`sqrt_as_pow`):
/// the libm is glibc's and the target has a fused multiply-add.
fn exact_sqrt_pow_host(isa: &dyn cranelift_codegen::isa::TargetIsa) -> bool {
    cfg!(all(target_os = "linux", target_env = "gnu")) && host_fma(isa)
}

/// Whether the JIT's target has a fused multiply-add instruction: aarch64
/// always, x86-64 as its flags say.
pub fn host_fma(isa: &dyn cranelift_codegen::isa::TargetIsa) -> bool {
    cfg!(target_arch = "aarch64")
        || cfg!(target_arch = "x86_64")
            && isa
                .isa_flags()
                .iter()
                .any(|f| f.name == "has_fma" && f.as_bool() == Some(true))
}

pub fn entry_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend([
        AbiParam::new(clt::I64),
        AbiParam::new(clt::I64),
        AbiParam::new(clt::I64),
        AbiParam::new(clt::I32),
    ]);
    sig.returns.push(AbiParam::new(clt::I32));
    sig
}

pub fn cl_ty(s: SlotTy) -> clir::Type {
    match s {
        SlotTy::I8 => clt::I8,
        SlotTy::I16 => clt::I16,
        SlotTy::I32 => clt::I32,
        SlotTy::I64 => clt::I64,
        SlotTy::F32 => clt::F32,
        SlotTy::F64 => clt::F64,
    }
}

fn helper_sig(name: &str) -> CResult<(Vec<clir::Type>, Vec<clir::Type>)> {
    let h = abi::helper(name).ok_or_else(|| internal(format!("no helper {name} in abi::HELPERS")))?;
    Ok((
        h.params.iter().map(|s| cl_ty(*s)).collect(),
        h.returns.iter().map(|s| cl_ty(*s)).collect(),
    ))
}

/// Builds the Cranelift function for `f` into `func`.
/// The string literals a typed function may use as `str` objects (every
/// compile-time string among its values' types): the runtime makes one object
/// of each before codegen ([`CodegenEnv::strs`]).
pub fn string_literals(typed: &Typed) -> Vec<String> {
    fn walk(t: &Ty, out: &mut HashSet<String>) {
        match t {
            Ty::Str(s) => {
                out.insert(s.clone());
            }
            Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Union(ts) | Ty::Slice(ts) => {
                ts.iter().for_each(|t| walk(t, out))
            }
            _ => {}
        }
    }
    let mut out = HashSet::new();
    for t in &typed.types {
        walk(t, &mut out);
    }
    let mut v: Vec<String> = out.into_iter().collect();
    v.sort();
    v
}

pub fn build(
    module: &mut dyn Module,
    func: &mut clir::Function,
    fctx: &mut FunctionBuilderContext,
    f: &ir::Function,
    typed: &Typed,
    env: &CodegenEnv<'_>,
) -> CResult<Output> {
    let mut g = Gen::new(Some(module), FunctionBuilder::new(func, fctx), f, typed, env);
    let r = g.analyze().and_then(|()| g.emit());
    let plans = g.plan_texts();
    let Gen {
        b,
        deopts,
        call_sites,
        module,
        imports,
        ..
    } = g;
    if let Some(m) = module {
        b.finalize(m.target_config());
    }
    r?;
    Ok(Output {
        deopts,
        call_sites,
        helpers: imports.into_keys().collect(),
        plans,
    })
}

/// Runs the analyses and the numeric tier's planning on `f` without emitting
/// code: each pass that planned something, with its plan as text (for the
/// numeric tier's filetests and `PYSTON_DUMP_IR=<pass>`).
pub fn plan_only(f: &ir::Function, typed: &Typed, env: &CodegenEnv<'_>) -> CResult<Vec<(&'static str, String)>> {
    let mut func =
        clir::Function::with_name_signature(clir::UserFuncName::default(), entry_signature(CallConv::SystemV));
    let mut fctx = FunctionBuilderContext::new();
    let mut g = Gen::new(None, FunctionBuilder::new(&mut func, &mut fctx), f, typed, env);
    g.analyze()?;
    Ok(g.plan_texts())
}

impl<'a, 'b> Gen<'a, 'b> {
    fn new(
        module: Option<&'a mut dyn Module>,
        b: FunctionBuilder<'b>,
        f: &'a ir::Function,
        typed: &'a Typed,
        env: &'a CodegenEnv<'a>,
    ) -> Self {
        Gen {
            module,
            b,
            f,
            typed,
            env,
            vals: HashMap::new(),
            args_ptr: None,
            param_slots: HashMap::new(),
            blocks: HashMap::new(),
            live_in: f.live_in(),
            facts: facts::IndexFacts::default(),
            deopt_blocks: HashMap::new(),
            deopt_redirect: HashMap::new(),
            after_blocks: HashMap::new(),
            pending_deopts: Vec::new(),
            raised_blocks: HashMap::new(),
            exc_slots: None,
            deopts: Vec::new(),
            call_sites: Vec::new(),
            imports: HashMap::new(),
            ctx: None,
            depth: None,
            pred: None,
            inlined: HashSet::new(),
            defs: HashMap::new(),
            param_defs: HashMap::new(),
            index_cone: HashSet::new(),
            out: None,
            consts: HashMap::new(),
            cur_inst: (Block(0), 0),
            loop_marks: HashMap::new(),
            loop_held: HashMap::new(),
            name_ids: HashMap::new(),
            idom: ir::cfg::dominators(f),
            preds: f.predecessors(),
            def_block: f
                .definitions()
                .into_iter()
                .map(|(v, (b, _))| (v, b))
                .chain(
                    f.blocks
                        .iter()
                        .enumerate()
                        .flat_map(|(i, d)| d.params.iter().map(move |p| (*p, Block(i as u32)))),
                )
                .collect(),
            plans: Vec::new(),
            addrs: HashMap::new(),
            widened: HashMap::new(),
            addr_key: None,
            nat_entry: HashMap::new(),
            use_counts: {
                let mut uses: HashMap<Value, usize> = HashMap::new();
                for d in &f.blocks {
                    let handler = d.handler.iter().flat_map(|h| h.args.iter().copied());
                    for v in d
                        .insts
                        .iter()
                        .flat_map(|i| i.args.iter().copied())
                        .chain(d.term.uses())
                        .chain(handler)
                    {
                        *uses.entry(v).or_default() += 1;
                    }
                }
                uses
            },
            loop_items: f.loop_items(),
            loop_tests: f.loop_tests(),
            iter_slots: HashMap::new(),
            chars: HashSet::new(),
            lazy_strs: HashMap::new(),
            split_lists: HashSet::new(),
            stack_arrays: HashMap::new(),
            split_items: HashSet::new(),
            last_use: {
                // The terminator and the exceptional edge count as position `insts.len()`;
                // uses in two blocks as `usize::MAX` (no last use inside one block).
                let mut last: HashMap<Value, (Block, usize)> = HashMap::new();
                for (bi, d) in f.blocks.iter().enumerate() {
                    let b = Block(bi as u32);
                    let n = d.insts.len();
                    let at_inst = d
                        .insts
                        .iter()
                        .enumerate()
                        .flat_map(|(k, i)| i.args.iter().map(move |v| (*v, k)));
                    let at_end = d
                        .term
                        .uses()
                        .into_iter()
                        .chain(d.handler.iter().flat_map(|h| h.args.iter().copied()))
                        .map(|v| (v, n));
                    for (v, k) in at_inst.chain(at_end) {
                        let e = last.entry(v).or_insert((b, k));
                        *e = if e.0 != b { (b, usize::MAX) } else { (b, e.1.max(k)) };
                    }
                }
                last
            },
        }
    }
}

/// The code generator of one function: Cranelift builder state, the analyses
/// it reads, and the plans of the numeric tier's passes.
pub struct Gen<'a, 'b> {
    /// Where helper imports and direct callees are declared (`None` when only planning).
    pub module: Option<&'a mut dyn Module>,
    pub b: FunctionBuilder<'b>,
    pub f: &'a ir::Function,
    pub typed: &'a Typed,
    pub env: &'a CodegenEnv<'a>,
    pub vals: HashMap<Value, Vals>,
    pub blocks: HashMap<Block, CB>,
    pub live_in: Vec<HashSet<Value>>,
    /// Array accesses in counted loops that need no index checks, and the guards that prove it.
    pub facts: facts::IndexFacts,
    pub deopt_blocks: HashMap<(Block, usize), CB>,
    /// Deopt points a plan moves back to an earlier instruction of the block
    /// (see `fuse`: an instruction between a fused expression's nodes, whose
    /// values the nodes before it do not have yet, deoptimizes to the first
    /// node, and the interpreter runs what lies between again).
    pub deopt_redirect: HashMap<(Block, usize), usize>,
    /// Deopt points after a call whose result compiled code cannot hold.
    pub after_blocks: HashMap<(Block, usize), CB>,
    pub pending_deopts: Vec<(CB, Block, usize, Option<Value>)>,
    /// Deopt points where an instruction inside a `try` body raised (emitted with the others).
    pub raised_blocks: HashMap<(Block, usize), CB>,
    /// Stack slots of the exception a compiled handler caught and of its call site.
    pub exc_slots: Option<(cranelift_codegen::ir::StackSlot, cranelift_codegen::ir::StackSlot)>,
    pub deopts: Vec<DeoptPoint>,
    pub call_sites: Vec<Span>,
    pub imports: HashMap<String, clir::FuncRef>,
    pub ctx: Option<CV>,
    /// This frame's nesting depth of compiled frames (the entry's fourth argument;
    /// a direct call passes its own plus one).
    pub depth: Option<CV>,
    /// While an if-converted arm is emitted: the condition under which it runs
    /// (its deopts fire only when it holds).
    pub pred: Option<CV>,
    /// Blocks emitted inside their predecessor by if-conversion.
    pub inlined: HashSet<Block>,
    /// Where each IR value is defined: by an instruction, or as a block parameter.
    pub defs: HashMap<Value, (Block, usize)>,
    pub param_defs: HashMap<Value, (Block, usize)>,
    /// Values array indexes are computed from (within their blocks).
    pub index_cone: HashSet<Value>,
    pub out: Option<CV>,
    /// The argument slot array, and each entry parameter's first slot in it: exits reload
    /// parameters from there instead of keeping them in registers across loops.
    pub args_ptr: Option<CV>,
    pub param_slots: HashMap<Value, i32>,
    pub consts: HashMap<Value, Const>,
    /// The IR instruction being lowered: where a deopt resumes.
    pub cur_inst: (Block, usize),
    /// Loop headers whose loops create objects, with the stack slot holding
    /// the arena mark taken on entry (temporaries are released per iteration).
    pub loop_marks: HashMap<Block, clir::StackSlot>,
    /// Per loop with a mark: its blocks, and for each variable it binds to
    /// arrays (by name id) a stack slot with the object pointers of its latest
    /// value and their count.
    pub loop_held: HashMap<Block, LoopHeld>,
    /// Variable names as ids (`name_of`).
    pub name_ids: HashMap<String, u32>,
    pub idom: HashMap<Block, Block>,
    pub preds: Vec<Vec<Block>>,
    /// The block defining each value (instruction results and block parameters).
    pub def_block: HashMap<Value, Block>,
    /// The numeric tier's plans for this function, in pass order.
    pub plans: Vec<(&'static str, std::rc::Rc<dyn Plan>)>,
    /// Element addresses computed (and checked) in the current IR block, by
    /// the IR values of array and indexes (`addr_key`, set by `GetItem`/`SetItem`).
    pub addrs: HashMap<Vec<Value>, CV>,
    pub addr_key: Option<Vec<Value>>,
    /// Narrow int elements loaded sign- or zero-extended to 64 bits (by their
    /// dtype): the narrow value, its 64-bit one (`widen_int` takes it).
    pub widened: HashMap<CV, CV>,
    /// How many times each value is used (instruction arguments, branch
    /// conditions, edge arguments and returns).
    pub use_counts: HashMap<Value, usize>,
    /// Time-valued loop-header parameters whose NaT-ness never changes in the
    /// loop (`Gen::nat_invariant`), with the NaT test of their entry value,
    /// made before the loop (the flag and its negation).
    pub nat_entry: HashMap<Value, (CV, CV)>,
    /// Where each value is last used, when all its uses are in one block (an
    /// instruction's index; the block's length for its terminator or
    /// exceptional edge; `usize::MAX` when uses are in several blocks).
    pub last_use: HashMap<Value, (Block, usize)>,
    /// The item reads of `for` loops (see [`ir::Function::loop_items`]).
    pub loop_items: HashMap<(Value, Value), Value>,
    /// The trip counts of `for` loops their tests compare against, with the
    /// sequence each counts (see [`ir::Function::loop_tests`]).
    pub loop_tests: HashMap<Value, Value>,
    /// Per loop iterator over a dict, set or view whose items' leaves are
    /// native: the slot its loop test fills (see `iter_step_slot`).
    pub iter_slots: HashMap<Value, clir::StackSlot>,
    /// One-character strings `s[i]` held as their code point (every use reads
    /// only the character; see `strings.rs`).
    pub chars: HashSet<Value>,
    /// Strings built by `+` and f-string fields, not made until the
    /// instruction that uses them all (see `strings.rs`).
    pub lazy_strs: HashMap<Value, Vec<strings::Piece>>,
    /// `s.split(sep)` lists only iterated by one `for` loop whose items are
    /// only read by `int()`: never made; each item is found when the loop reads
    /// it and held as its bounds in `s` (see `strings.rs`).
    pub split_lists: HashSet<Value>,
    pub split_items: HashSet<Value>,
    /// Arrays of `numpy.random` draws (`rand(3)`, `normal(size=3)`) that never
    /// escape: their elements live in a stack slot (with their count), and no
    /// array object is made unless a deopt point hands one to the interpreter
    /// (see `rng.rs`: `plan_stack_arrays`).
    pub stack_arrays: HashMap<Value, (clir::StackSlot, usize)>,
}

/// A loop's blocks, and per variable it binds to arrays: its name id, the
/// stack slot of the object pointers of its latest value, and their count.
pub type LoopHeld = (HashSet<Block>, Vec<(u32, clir::StackSlot, usize)>);

/// The float condition of a comparison (IEEE: `!=` is true for NaN, the rest false).
pub fn float_cc(op: CmpOp) -> FloatCC {
    match op {
        CmpOp::Eq => FloatCC::Equal,
        CmpOp::Ne => FloatCC::NotEqual,
        CmpOp::Lt => FloatCC::LessThan,
        CmpOp::Le => FloatCC::LessThanOrEqual,
        CmpOp::Gt => FloatCC::GreaterThan,
        CmpOp::Ge => FloatCC::GreaterThanOrEqual,
    }
}

pub fn internal(msg: impl Into<String>) -> CompileError {
    CompileError::internal(msg)
}

impl Gen<'_, '_> {
    pub fn ty(&self, v: Value) -> Ty {
        self.typed.ty(v).clone()
    }

    pub fn val(&self, v: Value) -> CResult<Vals> {
        self.vals
            .get(&v)
            .cloned()
            .ok_or_else(|| internal(format!("codegen: {v} has no value")))
    }

    /// A value as read on a cold exit path (return, deopt): entry parameters are loaded again
    /// from the argument array, so a loop need not keep every argument slot in a register.
    pub fn exit_val(&mut self, v: Value) -> CResult<Vals> {
        let (Some(&first), Some(args)) = (self.param_slots.get(&v), self.args_ptr) else {
            return self.val(v);
        };
        let tys = abi::slot_types(&self.ty(v));
        Ok(tys
            .into_iter()
            .enumerate()
            .map(|(i, st)| {
                self.b
                    .ins()
                    .load(cl_ty(st), MemFlagsData::trusted(), args, (first + i as i32) * 8)
            })
            .collect())
    }

    /// A value as an instruction operand. Entry parameters are read with a pure
    /// load from the argument array rather than kept in registers since the entry:
    /// Cranelift hoists the load out of loops, so a parameter never lives across
    /// a call (which would spill it, and a float spilled in a loop is stored and
    /// reloaded every iteration).
    pub fn use_val(&mut self, v: Value) -> CResult<Vals> {
        let (Some(&first), Some(args)) = (self.param_slots.get(&v), self.args_ptr) else {
            return self.val(v);
        };
        let flags = MemFlagsData::trusted().with_readonly().with_can_move();
        let tys = abi::slot_types(&self.ty(v));
        Ok(tys
            .into_iter()
            .enumerate()
            .map(|(i, st)| self.b.ins().load(cl_ty(st), flags, args, (first + i as i32) * 8))
            .collect())
    }

    /// The analyses codegen and the passes read, then the passes' plans
    /// (nothing is emitted yet).
    pub fn analyze(&mut self) -> CResult<()> {
        let order = self.native_order();
        for &blk in &order {
            let cb = self.b.create_block();
            for p in &self.f.block(blk).params {
                for st in abi::slot_types(&self.ty(*p)) {
                    self.b.append_block_param(cb, cl_ty(st));
                }
            }
            if self.typed.cold.contains(&blk) {
                self.b.set_cold_block(cb);
            }
            self.blocks.insert(blk, cb);
        }
        for data in &self.f.blocks {
            for inst in &data.insts {
                if let (Some(r), Op::Const(c)) = (inst.result, &inst.op) {
                    self.consts.insert(r, c.clone());
                }
            }
        }
        self.plan_strings();
        self.plan_stack_arrays();
        self.plan_loop_collection();
        self.defs = self.f.definitions();
        for b in self.f.rpo_all() {
            for (i, p) in self.f.block(b).params.iter().enumerate() {
                self.param_defs.insert(*p, (b, i));
            }
        }
        let mut todo: Vec<Value> = Vec::new();
        for data in &self.f.blocks {
            for inst in &data.insts {
                match inst.op {
                    Op::GetItem => todo.extend(&inst.args[1..]),
                    Op::SetItem => todo.extend(&inst.args[1..inst.args.len() - 1]),
                    _ => {}
                }
            }
        }
        while let Some(v) = todo.pop() {
            if self.index_cone.insert(v) {
                if let Some(&(b, k)) = self.defs.get(&v) {
                    todo.extend(&self.f.block(b).insts[k].args);
                }
            }
        }
        // The numeric tier's loops treat element types as numbers: a function
        // holding datetime64/timedelta64 values (NaT rules) or record arrays
        // keeps the plain code, except for index ranges (`bounds`), which
        // only reason about int index values and array lengths, and `simd`,
        // whose plans admit time values only as loads, NaT-aware comparisons
        // and checked sums (see `numeric/src/simd.rs`).
        let time = self.typed.types.iter().any(crate::infer::has_special);
        let special_ok = |p: &&&dyn Pass| matches!(p.name(), "bounds" | "simd");
        for pass in self.env.passes.iter().filter(|p| !time || special_ok(p)) {
            if let Some(plan) = pass.plan(self)? {
                self.plans.push((pass.name(), plan));
            }
        }
        Ok(())
    }

    /// The plans as text, by pass.
    pub fn plan_texts(&self) -> Vec<(&'static str, String)> {
        self.plans.iter().map(|(n, p)| (*n, p.describe())).collect()
    }

    /// Emits the function (after [`Gen::analyze`]).
    pub fn emit(&mut self) -> CResult<()> {
        let order = self.native_order();
        // Prologue: load the arguments from the slot array.
        let prologue = self.b.create_block();
        self.b.append_block_params_for_function_params(prologue);
        self.b.switch_to_block(prologue);
        let params = self.b.block_params(prologue).to_vec();
        let (args_ptr, out_ptr, ctx) = (params[0], params[1], params[2]);
        self.ctx = Some(ctx);
        self.depth = Some(params[3]);
        self.out = Some(out_ptr);
        self.args_ptr = Some(args_ptr);
        let mut entry_args = Vec::new();
        let mut slot = 0i32;
        for p in &self.f.block(self.f.entry()).params {
            self.param_slots.insert(*p, slot);
            for st in abi::slot_types(&self.ty(*p)) {
                entry_args.push(BlockArg::Value(self.b.ins().load(
                    cl_ty(st),
                    MemFlagsData::trusted(),
                    args_ptr,
                    slot * 8,
                )));
                slot += 1;
            }
        }
        let entry = self.blocks[&self.f.entry()];
        self.b.ins().jump(entry, &entry_args);

        for &blk in &order {
            if self.inlined.contains(&blk) {
                continue; // if-converted into its predecessor
            }
            let cb = self.blocks[&blk];
            self.b.switch_to_block(cb);
            let data = self.f.block(blk);
            let bparams = self.b.block_params(cb).to_vec();
            self.addrs.clear();
            let mut i = 0;
            for p in &data.params {
                let n = abi::slot_count(&self.ty(*p));
                self.vals.insert(*p, bparams[i..i + n].to_vec());
                i += n;
            }
            if blk == self.f.entry() {
                // Too deep: deopt, and CPython's recursion limit takes over.
                self.cur_inst = (blk, 0);
                let ctx = self.ctx.unwrap();
                let depth = self.depth.unwrap();
                let limit = self
                    .b
                    .ins()
                    .load(clt::I32, MemFlagsData::trusted(), ctx, CTX_DEPTH_LIMIT_OFFSET);
                let too_deep = self.b.ins().icmp(IntCC::UnsignedGreaterThan, depth, limit);
                self.deopt_if(too_deep);
            }
            if self.typed.cold.contains(&blk) {
                let d = self.deopt_block(blk, 0);
                self.b.ins().jump(d, &[]);
                continue;
            }
            self.cur_inst = (blk, 0);
            self.exit_check(blk)?;
            for (k, inst) in data.insts.iter().enumerate() {
                self.cur_inst = (blk, k);
                if self.planned_inst((blk, k))? == AtInst::Default {
                    self.inst(inst)?;
                }
                self.release_rebound((blk, k))?;
            }
            self.cur_inst = (blk, data.insts.len());
            self.loop_guards(blk)?;
            self.term(&data.term)?;
        }
        // Deopt blocks, emitted last (they only read values that dominate them).
        while let Some((cb, blk, k, pending)) = self.pending_deopts.pop() {
            self.emit_deopt(cb, blk, k, pending)?;
        }
        let mut raised: Vec<((Block, usize), CB)> = self.raised_blocks.iter().map(|(a, b)| (*a, *b)).collect();
        raised.sort_by_key(|(a, _)| *a);
        for ((blk, k), cb) in raised {
            self.emit_deopt(cb, blk, k, None)?;
            if let Some(d) = self.deopts.last_mut() {
                d.raised = true;
            }
        }
        self.b.seal_all_blocks();
        Ok(())
    }

    /// Offers instruction `at` to the plans, in pass order.
    pub fn planned_inst(&mut self, at: (Block, usize)) -> CResult<AtInst> {
        for (_, plan) in self.plans.clone() {
            let r = plan.inst(self, at)?;
            if r != AtInst::Default {
                return Ok(r);
            }
        }
        Ok(AtInst::Default)
    }
}

/// The module code is emitted into (absent when only planning).
fn emitting<'m, 'a>(m: &'m mut Option<&'a mut dyn Module>) -> CResult<&'m mut (dyn Module + 'a)> {
    match m {
        Some(m) => Ok(&mut **m),
        None => Err(internal("codegen called while only planning")),
    }
}

/// Used by the dispatcher: the signature of every compiled function.
pub fn declare(module: &mut dyn Module, name: &str) -> CResult<FuncId> {
    let sig = entry_signature(module.isa().default_call_conv());
    module
        .declare_function(name, Linkage::Local, &sig)
        .map_err(|e| internal(format!("declare: {e}")))
}
