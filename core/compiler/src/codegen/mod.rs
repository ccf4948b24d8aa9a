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
    self, dtype_index, DeoptPoint, PyCallSite, SlotTy, CTX_DEOPT_POINT_OFFSET, CTX_DEPTH_LIMIT_OFFSET,
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

pub mod facts;
pub mod passes;

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
    /// Slots of captured global arrays, by id.
    pub array_consts: &'a HashMap<u32, Vec<u64>>,
    /// Address of the word that will hold this function's own metadata pointer.
    pub self_meta_slot: u64,
    pub sem: &'a Semantics,
    /// Calls into Python/NumPy, by instruction position.
    pub pycalls: &'a HashMap<(Block, usize), PyCallSite>,
    /// The numeric tier's passes, in order (see [`passes`]).
    pub passes: &'a [&'a dyn Pass],
}

pub struct Output {
    pub deopts: Vec<DeoptPoint>,
    pub call_sites: Vec<Span>,
}

/// Whether `x ** 0.5` may be computed as a checked square root (`sqrt_as_pow`):
/// the libm is glibc's and the target has a fused multiply-add.
fn exact_sqrt_pow_host(isa: &dyn cranelift_codegen::isa::TargetIsa) -> bool {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return false;
    }
    // The JIT targets the host: aarch64 always has FMA, x86-64 says in its flags.
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
pub fn build(
    module: &mut dyn Module,
    func: &mut clir::Function,
    fctx: &mut FunctionBuilderContext,
    f: &ir::Function,
    typed: &Typed,
    env: &CodegenEnv<'_>,
) -> CResult<Output> {
    let builder = FunctionBuilder::new(func, fctx);
    let mut g = Gen {
        module,
        b: builder,
        f,
        typed,
        env,
        vals: HashMap::new(),
        args_ptr: None,
        param_slots: HashMap::new(),
        blocks: HashMap::new(),
        live_in: f.live_in(),
        facts: facts::IndexFacts::none(),
        deopt_blocks: HashMap::new(),
        after_blocks: HashMap::new(),
        pending_deopts: Vec::new(),
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
        idom: ir::cfg_dominators(f),
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
        addr_key: None,
    };
    let r = g.run();
    let Gen {
        b,
        deopts,
        call_sites,
        module,
        ..
    } = g;
    b.finalize(module.target_config());
    r?;
    Ok(Output { deopts, call_sites })
}

/// The code generator of one function: Cranelift builder state, the analyses
/// it reads, and the plans of the numeric tier's passes.
pub struct Gen<'a, 'b> {
    pub module: &'a mut dyn Module,
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
    /// Deopt points after a call whose result compiled code cannot hold.
    pub after_blocks: HashMap<(Block, usize), CB>,
    pub pending_deopts: Vec<(CB, Block, usize, Option<Value>)>,
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
    pub idom: HashMap<Block, Block>,
    pub preds: Vec<Vec<Block>>,
    /// The block defining each value (instruction results and block parameters).
    pub def_block: HashMap<Value, Block>,
    /// The numeric tier's plans for this function, in pass order.
    pub plans: Vec<std::rc::Rc<dyn Plan>>,
    /// Element addresses computed (and checked) in the current IR block, by
    /// the IR values of array and indexes (`addr_key`, set by `GetItem`/`SetItem`).
    pub addrs: HashMap<Vec<Value>, CV>,
    pub addr_key: Option<Vec<Value>>,
}

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

    pub fn run(&mut self) -> CResult<()> {
        let prologue = self.b.create_block();
        self.b.append_block_params_for_function_params(prologue);
        let order = self.f.rpo();
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
        self.plan_loop_collection();
        self.defs = self.f.definitions();
        for b in self.f.rpo() {
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
        for pass in self.env.passes {
            if let Some(plan) = pass.plan(self)? {
                self.plans.push(plan);
            }
        }
        // Prologue: load the arguments from the slot array.
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
            for (k, inst) in data.insts.iter().enumerate() {
                self.cur_inst = (blk, k);
                if self.planned_inst((blk, k))? == AtInst::Default {
                    self.inst(inst)?;
                }
            }
            self.cur_inst = (blk, data.insts.len());
            self.loop_guards(blk)?;
            self.term(&data.term)?;
        }
        // Deopt blocks, emitted last (they only read values that dominate them).
        while let Some((cb, blk, k, pending)) = self.pending_deopts.pop() {
            self.emit_deopt(cb, blk, k, pending)?;
        }
        self.b.seal_all_blocks();
        Ok(())
    }

    /// Offers instruction `at` to the plans, in pass order.
    pub fn planned_inst(&mut self, at: (Block, usize)) -> CResult<AtInst> {
        for plan in self.plans.clone() {
            let r = plan.inst(self, at)?;
            if r != AtInst::Default {
                return Ok(r);
            }
        }
        Ok(AtInst::Default)
    }

    // ---- temporaries in loops ---------------------------------------------------

    pub fn preds_of(&self, b: Block) -> &[Block] {
        &self.preds[b.0 as usize]
    }

    /// Whether `b` heads a loop (one of its predecessors is dominated by it).
    pub fn is_loop_header(&self, b: Block) -> bool {
        self.preds_of(b).iter().any(|p| self.dominates(b, *p))
    }

    pub fn dominates(&self, a: Block, mut b: Block) -> bool {
        loop {
            if a == b {
                return true;
            }
            match self.idom.get(&b) {
                Some(&p) if p != b => b = p,
                _ => return false,
            }
        }
    }

    /// Finds the loops that create objects (NumPy calls, allocations, calls to
    /// compiled functions) and gives each a slot for its arena mark.
    pub fn plan_loop_collection(&mut self) {
        let preds = self.f.predecessors();
        for b in self.f.rpo() {
            for e in self.f.block(b).term.successors() {
                let h = e.block;
                if !self.dominates(h, b) || self.loop_marks.contains_key(&h) {
                    continue;
                }
                // The natural loop of this back edge.
                let mut body: HashSet<Block> = [h].into_iter().collect();
                let mut todo = vec![b];
                while let Some(x) = todo.pop() {
                    if body.insert(x) {
                        todo.extend(preds[x.0 as usize].iter().copied());
                    }
                }
                let allocates = body.iter().any(|blk| {
                    self.f.block(*blk).insts.iter().enumerate().any(|(k, i)| {
                        self.env.pycalls.contains_key(&(*blk, k))
                            || (matches!(i.op, Op::Call { .. } | Op::MethodCall { .. }) && self.call_may_allocate(i))
                            || i.result.is_some_and(|r| *self.typed.ty(r) == Ty::PyInt)
                    })
                });
                if allocates {
                    let ss = self
                        .b
                        .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
                    self.loop_marks.insert(h, ss);
                }
            }
        }
    }

    /// Whether a call can leave temporaries in the arena. Builtins and dtype
    /// conversions on plain scalars (`int(x)`, `abs(x)`, `math.sqrt(x)`,
    /// `np.float32(x)`) cannot; compiled callees, and anything taking or making
    /// an array or a boxed int, may. So may any method call other than a module
    /// function (`math.sqrt(x)` is plain, `a.copy()` is not).
    pub fn call_may_allocate(&self, i: &ir::Inst) -> bool {
        fn holds_object(t: &Ty) -> bool {
            match t {
                Ty::Array(_) | Ty::PyInt | Ty::PyFunc(_) | Ty::Func(_) => true,
                Ty::Tuple(ts) | Ty::Union(ts) | Ty::Slice(ts) => ts.iter().any(holds_object),
                _ => false,
            }
        }
        let plain_callee = match i.op {
            Op::MethodCall { .. } => {
                matches!(self.typed.ty(i.args[0]), Ty::Module(_))
                    && i.result
                        .and_then(|r| self.typed.globals.get(&r))
                        .is_some_and(|g| matches!(g, GlobalKind::Builtin(_) | GlobalKind::DtypeObj(_)))
            }
            _ => matches!(self.typed.ty(i.args[0]), Ty::Builtin(_) | Ty::DtypeObj(_)),
        };
        let objects = i.args[1..].iter().any(|a| holds_object(self.typed.ty(*a)))
            || i.result.is_some_and(|r| holds_object(self.typed.ty(r)));
        !plain_callee || objects
    }

    /// Object pointers held by a value (arrays; arrays inside tuples).
    pub fn obj_slots(t: &Ty, v: &[CV], out: &mut Vec<CV>) {
        match t {
            Ty::Array(_) => out.push(v[1]),
            Ty::PyInt => out.push(v[0]),
            Ty::Tuple(ts) => {
                let mut off = 0;
                for t in ts {
                    let n = abi::slot_count(t);
                    Self::obj_slots(t, &v[off..off + n], out);
                    off += n;
                }
            }
            _ => {}
        }
    }

    /// Before a jump into an instrumented loop header: on entry take the
    /// arena mark; on the back edge release what the next iteration cannot see.
    pub fn loop_edge(&mut self, from: Block, e: &ir::Edge, args: &[BlockArg]) -> CResult<()> {
        let Some(ss) = self.loop_marks.get(&e.block).copied() else {
            return Ok(());
        };
        let ctx = self.ctx.unwrap();
        if !self.dominates(e.block, from) {
            let m = self.call("pyston_arena_mark", &[ctx])?[0];
            self.b.ins().stack_store(clt::I64, m, ss, 0);
            return Ok(());
        }
        let vals: Vec<CV> = args
            .iter()
            .map(|a| match a {
                BlockArg::Value(v) => *v,
                _ => unreachable!(),
            })
            .collect();
        let mut live = Vec::new();
        let mut off = 0;
        for p in &self.f.block(e.block).params {
            let t = self.ty(*p);
            let n = abi::slot_count(&t);
            Self::obj_slots(&t, &vals[off..off + n], &mut live);
            off += n;
        }
        let buf = self.stack(8 * live.len().max(1) as u32);
        for (i, v) in live.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *v, buf, 8 * i as i32);
        }
        let mark = self.b.ins().stack_load(clt::I64, clt::I64, ss, 0);
        let n = self.b.ins().iconst(clt::I64, live.len() as i64);
        self.call("pyston_arena_collect", &[ctx, mark, buf, n])?;
        Ok(())
    }

    // ---- deoptimization ------------------------------------------------------

    pub fn deopt_block(&mut self, blk: Block, k: usize) -> CB {
        if let Some(cb) = self.deopt_blocks.get(&(blk, k)) {
            return *cb;
        }
        let cb = self.b.create_block();
        self.b.set_cold_block(cb);
        self.deopt_blocks.insert((blk, k), cb);
        self.pending_deopts.push((cb, blk, k, None));
        cb
    }

    /// A deopt point just after instruction `k`, whose result `v` the runtime
    /// left in `ctx.pending` (a value compiled code cannot represent).
    pub fn deopt_after_block(&mut self, blk: Block, k: usize, v: Value) -> CB {
        if let Some(cb) = self.after_blocks.get(&(blk, k)) {
            return *cb;
        }
        let cb = self.b.create_block();
        self.b.set_cold_block(cb);
        self.after_blocks.insert((blk, k), cb);
        self.pending_deopts.push((cb, blk, k + 1, Some(v)));
        cb
    }

    pub fn emit_deopt(&mut self, cb: CB, blk: Block, k: usize, pending: Option<Value>) -> CResult<()> {
        self.b.switch_to_block(cb);
        let live = self.f.live_before(blk, k, &self.live_in);
        let ctx = self.ctx.unwrap();
        let mut slot = 0usize;
        let mut values = Vec::new();
        for v in live {
            let t = self.ty(v);
            if !t.is_value() || Some(v) == pending {
                continue; // compile-time values are recomputed by the interpreter
            }
            let vals = self.exit_val(v)?;
            if slot + vals.len() > DEOPT_SLOTS {
                return Err(CompileError::typing(
                    self.f.span,
                    "too many live values for compiled code",
                ));
            }
            for x in vals {
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), x, ctx, CTX_SLOTS_OFFSET + 8 * slot as i32);
                slot += 1;
            }
            values.push(v);
        }
        let id = self.deopts.len() as i64;
        self.deopts.push(DeoptPoint {
            block: blk,
            inst: k,
            values,
            pending,
        });
        let idv = self.b.ins().iconst(clt::I32, id);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), idv, ctx, CTX_DEOPT_POINT_OFFSET);
        let st = self.b.ins().iconst(clt::I32, abi::DEOPT as i64);
        self.ret(st);
        Ok(())
    }

    /// Returns `status`, leaving this frame.
    pub fn ret(&mut self, status: CV) {
        self.b.ins().return_(&[status]);
    }

    /// Leaves compiled code at the current instruction when `cond` is true.
    pub fn deopt_if(&mut self, cond: CV) {
        let cond = match self.pred {
            Some(p) => self.b.ins().band(cond, p),
            None => cond,
        };
        let (blk, k) = self.cur_inst;
        let d = self.deopt_block(blk, k);
        let cont = self.b.create_block();
        self.b.ins().brif(cond, d, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    pub fn deopt_now(&mut self) {
        if let Some(p) = self.pred {
            // In an if-converted arm: leave only if the arm is the one taken.
            self.deopt_if(p);
            return;
        }
        let (blk, k) = self.cur_inst;
        let d = self.deopt_block(blk, k);
        self.b.ins().jump(d, &[]);
        let dead = self.b.create_block();
        self.b.switch_to_block(dead);
    }

    // ---- helpers ---------------------------------------------------------------

    pub fn import(&mut self, name: &str) -> CResult<clir::FuncRef> {
        if let Some(r) = self.imports.get(name) {
            return Ok(*r);
        }
        let (ps, rs) = helper_sig(name)?;
        let mut sig = self.module.make_signature();
        sig.params.extend(ps.into_iter().map(AbiParam::new));
        sig.returns.extend(rs.into_iter().map(AbiParam::new));
        let id = self
            .module
            .declare_function(name, Linkage::Import, &sig)
            .map_err(|e| internal(format!("declaring {name}: {e}")))?;
        let r = self.module.declare_func_in_func(id, self.b.func);
        self.imports.insert(name.to_string(), r);
        Ok(r)
    }

    /// An exception came back from a call: record `span` as this function's traceback line and
    /// return ERROR to our own caller.
    pub fn push_frame_and_fail(&mut self, ctx: CV, span: Span) -> CResult<()> {
        let site = self.call_sites.len() as i64;
        self.call_sites.push(span);
        let slotp = self.b.ins().iconst(clt::I64, self.env.self_meta_slot as i64);
        let my_meta = self.b.ins().load(clt::I64, MemFlagsData::trusted(), slotp, 0);
        let sv = self.b.ins().iconst(clt::I64, site);
        self.call("pyston_push_frame", &[ctx, my_meta, sv])?;
        let e = self.b.ins().iconst(clt::I32, abi::ERROR as i64);
        self.ret(e);
        Ok(())
    }

    pub fn call(&mut self, name: &str, args: &[CV]) -> CResult<Vec<CV>> {
        let r = self.import(name)?;
        let inst = self.b.ins().call(r, args);
        Ok(self.b.inst_results(inst).to_vec())
    }

    pub fn stack(&mut self, bytes: u32) -> CV {
        let ss = self
            .b
            .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, bytes.max(8), 3));
        self.b.ins().stack_addr(clt::I64, ss, 0)
    }

    pub fn zero(&mut self, st: SlotTy) -> CV {
        match st {
            SlotTy::F32 => self.b.ins().f32const(0.0),
            SlotTy::F64 => self.b.ins().f64const(0.0),
            s => self.b.ins().iconst(cl_ty(s), 0),
        }
    }

    pub fn const_vals(&mut self, c: &Const) -> CResult<(Ty, Vals)> {
        Ok(match c {
            Const::Int(i) => (Ty::Int, vec![self.b.ins().iconst(clt::I64, *i)]),
            Const::Float(x) => (Ty::Float, vec![self.b.ins().f64const(*x)]),
            Const::Bool(x) => (Ty::Bool, vec![self.b.ins().iconst(clt::I8, *x as i64)]),
            Const::Complex(r, i) => (Ty::Complex, vec![self.b.ins().f64const(*r), self.b.ins().f64const(*i)]),
            Const::None => (Ty::NoneT, vec![]),
            Const::Str(s) => (Ty::Str(s.clone()), vec![]),
            Const::Ellipsis => (Ty::Ellipsis, vec![]),
            Const::BigInt(_) | Const::Tuple(_) => return Err(internal("big int or tuple constant in compiled code")),
        })
    }

    // ---- unions --------------------------------------------------------------

    /// Splits a union value into (member type, member values) for member `i`.
    pub fn member(&self, ms: &[Ty], vals: &[CV], i: usize) -> (Ty, Vals) {
        let off = 1 + abi::union_layout(ms).0[i];
        let n = abi::slot_count(&ms[i]);
        (ms[i].clone(), vals[off..off + n].to_vec())
    }

    /// Runs `op` on concrete member types of the (possibly union) arguments,
    /// converting each result to `out`.
    pub fn dispatch(
        &mut self,
        args: &[(Ty, Vals)],
        out: &Ty,
        op: &mut dyn FnMut(&mut Self, &[TV]) -> CResult<TV>,
    ) -> CResult<Vals> {
        let Some(u) = args.iter().position(|(t, _)| matches!(t, Ty::Union(_))) else {
            if args.iter().any(|(t, _)| *t == Ty::Undef) {
                self.deopt_now(); // UnboundLocalError
                let outs: Vec<SlotTy> = abi::slot_types(out);
                return Ok(outs.into_iter().map(|s| self.zero(s)).collect());
            }
            let (t, v) = op(self, args)?;
            return self.coerce(&t, v, out);
        };
        let Ty::Union(ms) = args[u].0.clone() else {
            unreachable!()
        };
        let tag = args[u].1[0];
        let merge = self.b.create_block();
        for st in abi::slot_types(out) {
            self.b.append_block_param(merge, cl_ty(st));
        }
        for i in 0..ms.len() {
            let here = self.b.create_block();
            if i + 1 < ms.len() {
                let next = self.b.create_block();
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, tag, i as i64);
                self.b.ins().brif(c, here, &[], next, &[]);
                self.b.switch_to_block(here);
                let mut a2 = args.to_vec();
                a2[u] = self.member(&ms, &args[u].1, i);
                let r = self.dispatch(&a2, out, op)?;
                let ra: Vec<BlockArg> = r.into_iter().map(BlockArg::Value).collect();
                self.b.ins().jump(merge, &ra);
                self.b.switch_to_block(next);
            } else {
                let mut a2 = args.to_vec();
                a2[u] = self.member(&ms, &args[u].1, i);
                let r = self.dispatch(&a2, out, op)?;
                let ra: Vec<BlockArg> = r.into_iter().map(BlockArg::Value).collect();
                self.b.ins().jump(merge, &ra);
            }
        }
        self.b.switch_to_block(merge);
        Ok(self.b.block_params(merge).to_vec())
    }

    /// Unions of a Python scalar and the NumPy scalar with the same machine
    /// representation (`float | np.float64`: a float accumulator that becomes
    /// `np.float64` after the first `+= a[i]`; `int | np.int64`) share one
    /// slot, and for these operators both members compute the same value (the
    /// differences, like division by zero or overflow, deoptimize either way):
    /// compute once, branch-free, and carry the tag through when the result
    /// type depends on it. Returns the representative member's type.
    pub fn same_repr_family(t: &Ty) -> Option<Ty> {
        let Ty::Union(ms) = t else { return None };
        if ms.iter().all(|m| matches!(m, Ty::Float | Ty::Np(Dtype::Float64))) {
            Some(Ty::Np(Dtype::Float64))
        } else if ms.iter().all(|m| matches!(m, Ty::Int | Ty::Np(Dtype::Int64))) {
            Some(Ty::Np(Dtype::Int64))
        } else {
            None
        }
    }

    /// Whether `t`, combined with either member of a union represented by
    /// `rep`, converts the same way (so one computation serves both members).
    pub fn plain_partner(rep: &Ty, t: &Ty) -> bool {
        match rep {
            Ty::Np(Dtype::Float64) => {
                matches!(
                    t,
                    Ty::Int | Ty::Bool | Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Int64 | Dtype::Int32 | Dtype::Bool)
                )
            }
            _ => matches!(
                t,
                Ty::Int | Ty::Bool | Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Int64 | Dtype::Bool)
            ),
        }
    }

    pub fn float_union_op(
        &mut self,
        args: &[TV],
        rt: &Ty,
        op: Option<BinOp>,
        cmp: Option<CmpOp>,
    ) -> CResult<Option<Vals>> {
        use BinOp::*;
        let fam = |t: &Ty| Self::same_repr_family(t);
        let plain = Self::plain_partner;
        let (ui, oi, rep) = match (fam(&args[0].0), fam(&args[1].0)) {
            (Some(r), _) if plain(&r, &args[1].0) => (0, 1, r),
            (_, Some(r)) if plain(&r, &args[0].0) => (1, 0, r),
            _ => return Ok(None),
        };
        let int_family = rep == Ty::Np(Dtype::Int64);
        match op {
            Some(Pow | LShift | RShift | MatMul) => return Ok(None),
            Some(Div) if int_family => return Ok(None), // int / int is exact in Python, not in NumPy
            Some(BitAnd | BitOr | BitXor) if !int_family => return Ok(None),
            _ => {}
        }
        let Ty::Union(ms) = &args[ui].0 else { return Ok(None) };
        let other = args[oi].0.scalar().unwrap();
        let results: Option<Vec<Ty>> = ms
            .iter()
            .map(|m| {
                let s = m.scalar().unwrap();
                let (x, y) = if ui == 0 { (s, other) } else { (other, s) };
                match (op, cmp) {
                    (Some(o), _) => binop_result_in(self.env.sem.numba_scalar_typing, o, x, y).map(Ty::from_scalar),
                    (_, Some(c)) => cmp_result(x, y, !matches!(c, CmpOp::Eq | CmpOp::Ne)),
                    _ => None,
                }
            })
            .collect();
        let Some(results) = results else { return Ok(None) };
        let repv = (rep, vec![args[ui].1[1]]);
        let pair = if ui == 0 {
            [repv, args[oi].clone()]
        } else {
            [args[oi].clone(), repv]
        };
        let (t, vals) = match (op, cmp) {
            (Some(o), _) => self.binop(o, &pair[0], &pair[1])?,
            (_, Some(c)) => self.compare(c, &pair[0], &pair[1])?,
            _ => return Ok(None),
        };
        if results.iter().all(|r| *r == t) {
            return Ok(Some(self.coerce(&t, vals, rt)?));
        }
        // Member i gives result member i of the same-ordered union: keep the tag.
        if *rt == Ty::Union(results.clone()) && abi::union_layout(&results).1.len() == vals.len() {
            let mut out = vec![args[ui].1[0]];
            out.extend(vals);
            return Ok(Some(out));
        }
        Ok(None)
    }

    /// The truth of `a OP b` as one byte (min/max), branch-free for same-representation unions.
    pub fn compare_truth(&mut self, op: CmpOp, a: &TV, b: &TV) -> CResult<CV> {
        let (fa, fb) = (Self::same_repr_family(&a.0), Self::same_repr_family(&b.0));
        let shared = match (&fa, &fb) {
            (Some(x), Some(y)) => x == y,
            (Some(r), None) => Self::plain_partner(r, &b.0),
            (None, Some(r)) => Self::plain_partner(r, &a.0),
            (None, None) => false,
        };
        if shared {
            let rep = |t: &TV, f: &Option<Ty>| -> TV {
                match f {
                    Some(r) => (r.clone(), vec![t.1[1]]),
                    None => t.clone(),
                }
            };
            let (_, v) = self.compare(op, &rep(a, &fa), &rep(b, &fb))?;
            return Ok(v[0]);
        }
        Ok(self.dispatch(&[a.clone(), b.clone()], &Ty::Bool, &mut |g, x| {
            let (_, v) = g.compare(op, &x[0], &x[1])?;
            Ok((Ty::Bool, v))
        })?[0])
    }

    /// Converts a value of type `from` to the representation of `to` (equal
    /// types, a member into its union, unions into wider unions, tuples elementwise).
    pub fn coerce(&mut self, from: &Ty, v: Vals, to: &Ty) -> CResult<Vals> {
        if from == to {
            return Ok(v);
        }
        match (from, to) {
            (Ty::Int | Ty::Bool, Ty::PyInt) => Ok(vec![self.as_pyint(&(from.clone(), v))?]),
            (Ty::Union(_), _) => {
                let to2 = to.clone();
                self.dispatch(&[(from.clone(), v)], to, &mut |g, a| {
                    Ok((to2.clone(), g.coerce(&a[0].0, a[0].1.clone(), &to2)?))
                })
            }
            (_, Ty::Union(ms)) => {
                let idx = ms
                    .iter()
                    .position(|m| m == from)
                    .ok_or_else(|| internal(format!("cannot coerce {from} to {to}")))?;
                let (offsets, payload) = abi::union_layout(ms);
                let mut out = vec![self.b.ins().iconst(clt::I8, idx as i64)];
                for (j, st) in payload.iter().enumerate() {
                    let here = j >= offsets[idx] && j < offsets[idx] + v.len();
                    let x = if here { v[j - offsets[idx]] } else { self.zero(*st) };
                    out.push(x);
                }
                Ok(out)
            }
            (Ty::Tuple(a), Ty::Tuple(b)) if a.len() == b.len() => {
                let mut out = Vec::new();
                let mut off = 0;
                for (x, y) in a.iter().zip(b) {
                    let n = abi::slot_count(x);
                    out.extend(self.coerce(x, v[off..off + n].to_vec(), y)?);
                    off += n;
                }
                Ok(out)
            }
            (Ty::Array(a), Ty::Array(b)) if a.dtype == b.dtype && a.ndim == b.ndim => Ok(v),
            (_, Ty::Bottom) => Ok(vec![]),
            _ => Err(internal(format!("cannot coerce {from} to {to}"))),
        }
    }

    pub fn edge_args(&mut self, e: &ir::Edge) -> CResult<Vec<BlockArg>> {
        let params = self.f.block(e.block).params.clone();
        let mut out = Vec::new();
        for (p, a) in params.iter().zip(&e.args) {
            let (pt, at) = (self.ty(*p), self.ty(*a));
            let v = self.use_val(*a)?;
            out.extend(self.coerce(&at, v, &pt)?.into_iter().map(BlockArg::Value));
        }
        Ok(out)
    }

    /// The once-per-loop index checks that replace per-iteration ones (see
    /// `ranges`). A failing guard deoptimizes before the loop starts.
    pub fn loop_guards(&mut self, blk: Block) -> CResult<()> {
        let Some(guards) = self.facts.guards.get(&blk).cloned() else {
            return Ok(());
        };
        for g in guards {
            if !self.env.sem.boundscheck && matches!(g, facts::Guard::Upper { .. }) {
                continue; // out-of-range indexes are the user's promise under boundscheck=False
            }
            match g {
                facts::Guard::Lower { base, offset } => {
                    let v = self.val(base)?[0];
                    let c = self.b.ins().iconst(clt::I64, offset);
                    let (s, of) = self.b.ins().sadd_overflow(v, c);
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, s, 0);
                    let bad = self.b.ins().bor(neg, of);
                    self.deopt_if(bad);
                }
                facts::Guard::Upper {
                    base,
                    offset,
                    array,
                    axis,
                } => {
                    let v = self.val(base)?[0];
                    let dim = self.val(array)?[2 + axis];
                    let c = self.b.ins().iconst(clt::I64, offset);
                    let (s, of) = self.b.ins().sadd_overflow(v, c);
                    let over = self.b.ins().icmp(IntCC::SignedGreaterThan, s, dim);
                    let bad = self.b.ins().bor(over, of);
                    self.deopt_if(bad);
                }
            }
        }
        Ok(())
    }

    // ---- terminators ---------------------------------------------------------

    pub fn term(&mut self, t: &Term) -> CResult<()> {
        if t.uses().iter().any(|v| !self.vals.contains_key(v)) {
            self.deopt_now();
            let z = self.b.ins().iconst(clt::I32, abi::DEOPT as i64);
            self.ret(z);
            return Ok(());
        }
        match t {
            Term::Jump(e) => {
                let mut args = self.edge_args(e)?;
                let (from, _) = self.cur_inst;
                self.loop_edge(from, e, &args)?;
                if !self.dominates(e.block, from) {
                    // Entering a loop (not its back edge): its one-step or SIMD
                    // versions run first, and the loop goes on from where they stopped.
                    for plan in self.plans.clone() {
                        args = plan.enter_loop(self, e.block, args)?;
                    }
                }
                let target = self.blocks[&e.block];
                self.b.ins().jump(target, &args);
            }
            Term::Br(c, a, bb) => {
                let cv = self.val(*c)?[0];
                if let Some(merge) = self.if_convertible(*c, a, bb) {
                    return self.emit_if_converted(cv, a, bb, merge);
                }
                let aa = self.edge_args(a)?;
                let ba = self.edge_args(bb)?;
                let (ta, tb) = (self.blocks[&a.block], self.blocks[&bb.block]);
                let (from, _) = self.cur_inst;
                let loop_test = self.f.block(from).term.successors().len() == 2 && self.is_loop_header(from);
                if loop_test {
                    // Cranelift lays out a branch's *last* successor right after it: at a
                    // loop's test the condition is inverted so that the body falls through
                    // and the back edge is the loop's only taken jump. (An `if` keeps the
                    // `else` side inline: the rare case is usually the `then` arm.)
                    let not = self.b.ins().icmp_imm_u(IntCC::Equal, cv, 0);
                    self.b.ins().brif(not, tb, &ba, ta, &aa);
                } else {
                    self.b.ins().brif(cv, ta, &aa, tb, &ba);
                }
            }
            Term::Ret(v) => {
                let t = self.ty(*v);
                let vals = self.exit_val(*v)?;
                let vals = self.coerce(&t, vals, &self.typed.ret.clone())?;
                let out = self.out.unwrap();
                for (i, x) in vals.into_iter().enumerate() {
                    self.b.ins().store(MemFlagsData::trusted(), x, out, 8 * i as i32);
                }
                let ok = self.b.ins().iconst(clt::I32, 0);
                self.ret(ok);
            }
            Term::Raise(_) | Term::AssertFail(_) | Term::Unreachable => {
                // The interpreter raises with CPython's own machinery.
                self.deopt_now();
                let z = self.b.ins().iconst(clt::I32, abi::DEOPT as i64);
                self.ret(z);
            }
        }
        Ok(())
    }

    // ---- if-conversion ---------------------------------------------------------

    /// Whether `if c: <a> else: <b>` may run both arms and pick the results with
    /// selects: each arm is the edge itself or a block of at most four cheap,
    /// non-trapping scalar operations (no memory access, no call, no division by a
    /// variable) whose only predecessor is this branch, and both reach the same
    /// block, which is not a loop header. A deopt inside an arm fires only when
    /// the arm is the one taken. This turns data-dependent branches
    /// (`if flags[i]: count += 1`) into `cmov`s. Not when the condition depends on
    /// a value the loop carries (other than a `range` counter): there the branch
    /// version breaks the loop's dependency chain and often predicts well
    /// (`if v > best: best = v`, Collatz's `x // 2` or `3 * x + 1`), which
    /// measured faster.
    pub fn if_convertible(&self, c: Value, a: &ir::Edge, b: &ir::Edge) -> Option<Block> {
        let (from, _) = self.cur_inst;
        let arm = |e: &ir::Edge| -> Option<Block> {
            // The block the arm ends in: the edge's target, or the target of the
            // arm block's jump.
            if self.preds_of(e.block).len() == 1 && e.args.is_empty() {
                let data = self.f.block(e.block);
                if let Term::Jump(j) = &data.term {
                    if data.params.is_empty() && self.arm_is_cheap(e.block) {
                        return Some(j.block);
                    }
                }
            }
            None
        };
        let (ma, mb) = (arm(a), arm(b));
        let merge = match (ma, mb) {
            (Some(x), Some(y)) if x == y => x,
            (Some(x), None) if x == b.block => x,
            (None, Some(y)) if y == a.block => y,
            _ => return None,
        };
        // A select feeding an index would delay the load or store behind it; a
        // predicted branch lets it start early (a clamp like `if k >= n: k = n - 1`).
        let feeds_index = self.f.block(merge).params.iter().any(|p| self.index_cone.contains(p));
        let ok = merge != from
            && !feeds_index
            && !self.dominates(merge, from)
            && !self.typed.cold.contains(&merge)
            && !self.loop_marks.contains_key(&merge)
            && !self.in_recurrence(c, 0);
        ok.then_some(merge)
    }

    /// Whether `v` depends, within one loop iteration, on a loop-carried value
    /// other than a `range` counter (unknown: yes).
    pub fn in_recurrence(&self, v: Value, depth: u32) -> bool {
        if depth > 24 {
            return true;
        }
        if let Some(&(b, k)) = self.defs.get(&v) {
            let f = self.f;
            return f.block(b).insts[k]
                .args
                .iter()
                .any(|a| self.in_recurrence(*a, depth + 1));
        }
        let Some(&(b, i)) = self.param_defs.get(&v) else {
            return false; // an entry parameter
        };
        let incoming: Vec<(Block, Value)> = self
            .preds_of(b)
            .iter()
            .flat_map(|p| {
                self.f
                    .block(*p)
                    .term
                    .successors()
                    .into_iter()
                    .filter(|e| e.block == b)
                    .map(|e| (*p, e.args[i]))
                    .collect::<Vec<_>>()
            })
            .collect();
        if self.is_loop_header(b) {
            // A loop header: only a range counter (advanced by RangeNext) is harmless.
            return !incoming.iter().filter(|(p, _)| self.dominates(b, *p)).all(|(_, a)| {
                self.defs
                    .get(a)
                    .is_some_and(|&(db, dk)| matches!(self.f.block(db).insts[dk].op, Op::RangeNext))
            });
        }
        incoming.iter().any(|(_, a)| self.in_recurrence(*a, depth + 1))
    }

    pub fn arm_is_cheap(&self, blk: Block) -> bool {
        let data = self.f.block(blk);
        if self.typed.cold.contains(&blk) || self.facts.guards.contains_key(&blk) {
            return false;
        }
        let scalar = |t: &Ty| matches!(t, Ty::Int | Ty::Float | Ty::Bool);
        let mut cost = 0;
        for (k, inst) in data.insts.iter().enumerate() {
            if self.plans.iter().any(|p| p.claims((blk, k))) || self.env.pycalls.contains_key(&(blk, k)) {
                return false;
            }
            let Some(r) = inst.result else { return false };
            // NumPy scalars only in comparisons and truth tests (arithmetic may warn).
            let real_np = |t: &Ty| matches!(t, Ty::Np(d) if *d != Dtype::Complex128);
            let test = matches!(inst.op, Op::Cmp(_) | Op::Truth);
            let operand = |t: &Ty| scalar(t) || (test && real_np(t));
            if !operand(self.typed.ty(r)) || inst.args.iter().any(|a| !operand(self.typed.ty(*a))) {
                return false;
            }
            let ok = match &inst.op {
                Op::Const(_) => true,
                Op::Cmp(_) | Op::Truth | Op::Unary(_) => {
                    cost += 1;
                    true
                }
                Op::Bin { op, .. } => {
                    cost += 1;
                    match op {
                        BinOp::Add
                        | BinOp::Sub
                        | BinOp::Mul
                        | BinOp::BitAnd
                        | BinOp::BitOr
                        | BinOp::BitXor
                        | BinOp::LShift
                        | BinOp::RShift => true,
                        // Only by a constant that cannot fault (zero, or MIN / -1).
                        BinOp::FloorDiv | BinOp::Mod | BinOp::Div => {
                            matches!(self.consts.get(&inst.args[1]), Some(Const::Int(c)) if *c > 0)
                        }
                        _ => false,
                    }
                }
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        cost <= 4
    }

    /// Emits an if-converted branch (see `if_convertible`): both arms, then one
    /// jump to the merge block with each argument chosen by `cv`.
    pub fn emit_if_converted(&mut self, cv: CV, a: &ir::Edge, b: &ir::Edge, merge: Block) -> CResult<()> {
        let (from, nk) = self.cur_inst;
        let not_cv = self.b.ins().icmp_imm_u(IntCC::Equal, cv, 0);
        let mut sides = Vec::new();
        for (e, p) in [(a, cv), (b, not_cv)] {
            // Everything on this side, its edge's coercions included, is under `p`.
            let saved = self.pred.replace(p);
            let edge = if e.block == merge {
                e.clone()
            } else {
                let f = self.f;
                let data = f.block(e.block);
                let Term::Jump(j) = &data.term else {
                    return Err(internal("if-converted arm"));
                };
                self.inlined.insert(e.block);
                for (k, inst) in data.insts.iter().enumerate() {
                    self.cur_inst = (e.block, k);
                    self.inst(inst)?;
                }
                self.cur_inst = (e.block, data.insts.len());
                j.clone()
            };
            sides.push(self.edge_args(&edge)?);
            self.pred = saved;
            self.cur_inst = (from, nk);
        }
        let args: Vec<BlockArg> = sides[0]
            .iter()
            .zip(&sides[1])
            .map(|(x, y)| match (x, y) {
                (BlockArg::Value(x), BlockArg::Value(y)) if x == y => BlockArg::Value(*x),
                (BlockArg::Value(x), BlockArg::Value(y)) => BlockArg::Value(self.b.ins().select(cv, *x, *y)),
                _ => unreachable!(),
            })
            .collect();
        let target = self.blocks[&merge];
        self.b.ins().jump(target, &args);
        Ok(())
    }

    // ---- instructions --------------------------------------------------------

    /// The slots of a tuple or slice built from `args`, each coerced to its member type.
    pub fn coerce_members(&mut self, args: &[(Ty, Vals)], members: &[Ty]) -> CResult<Vals> {
        let mut out = Vec::new();
        for ((t, v), want) in args.iter().zip(members) {
            out.extend(self.coerce(t, v.clone(), want)?);
        }
        Ok(out)
    }

    pub fn inst(&mut self, inst: &ir::Inst) -> CResult<()> {
        let rt = inst.result.map(|r| self.ty(r)).unwrap_or(Ty::NoneT);
        let missing = inst.args.iter().any(|a| !self.vals.contains_key(a));
        if (inst.result.is_some() && rt == Ty::Bottom) || missing {
            // Inference could not type this (e.g. a call into a function whose own
            // compilation is still in progress): leave compiled code here.
            self.deopt_now();
            return Ok(());
        }
        let mut args: Vec<(Ty, Vals)> = Vec::with_capacity(inst.args.len());
        for a in &inst.args {
            args.push((self.ty(*a), self.use_val(*a)?));
        }
        // `unbound | T`: check once, then use the T payload (see infer).
        for a in args.iter_mut() {
            if let Ty::Union(ms) = &a.0 {
                if ms.len() == 2 && ms.contains(&Ty::Undef) {
                    let ms = ms.clone();
                    let ui = ms.iter().position(|m| *m == Ty::Undef).unwrap();
                    let is_unbound = self.b.ins().icmp_imm_s(IntCC::Equal, a.1[0], ui as i64);
                    self.deopt_if(is_unbound);
                    *a = self.member(&ms, &a.1, 1 - ui);
                }
            }
        }
        if let Some(desc) = self.env.pycalls.get(&self.cur_inst).cloned() {
            // NumPy performs this operation (see `infer::numpy_op`).
            // The callee itself (a function object or the module it is read from) is not an argument.
            let skip = match (&inst.op, args.first()) {
                (Op::Call { .. }, _) => 1,
                (Op::MethodCall { .. }, Some((Ty::Module(_), _))) => 1,
                _ => 0,
            };
            let boxed = &args[skip..];
            let out = self.pycall(&desc, boxed, inst.result)?;
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        let out: Vals = match &inst.op {
            Op::Const(c) => self.const_vals(c)?.1,
            Op::Slice => {
                let Ty::Slice(parts) = &rt else {
                    return Err(internal("slice type"));
                };
                self.coerce_members(&args, parts)?
            }
            Op::Undef(_) => vec![],
            Op::Global(_) | Op::Attr(_) if inst.result.and_then(|r| self.typed.globals.get(&r)).is_some() => {
                let g = self.typed.globals[&inst.result.unwrap()].clone();
                self.global(&g)?
            }
            Op::Global(_) => vec![],
            Op::Attr(name) => self.attr(&args[0], name)?,
            Op::Call { kw } => self.call_op(&args[0].0, &args[1..], kw, inst)?,
            Op::MethodCall { name, kw } => match &args[0].0 {
                Ty::Module(_) => {
                    let g = self.typed.globals[&inst.result.unwrap()].clone();
                    let callee = match g {
                        GlobalKind::Builtin(b) => Ty::Builtin(b),
                        GlobalKind::DtypeObj(d) => Ty::DtypeObj(d),
                        GlobalKind::Func(f) => Ty::Func(f),
                        _ => return Err(internal("method call on a module attribute that is not callable")),
                    };
                    self.call_op(&callee, &args[1..], kw, inst)?
                }
                Ty::Array(a) if name == "copy" => {
                    let a = *a;
                    self.array_copy(&a, &args[0].1)?
                }
                _ => return Err(internal(format!("method {name}"))),
            },
            Op::Bin { op, .. } if rt == Ty::PyInt || args.iter().any(|(t, _)| *t == Ty::PyInt) => {
                let op = *op;
                self.dispatch(&args, &rt, &mut |g, a| g.pyint_binop(op, &a[0], &a[1]))?
            }
            Op::Bin { op, .. } => {
                let op = *op;
                match self.float_union_op(&args, &rt, Some(op), None)? {
                    Some(v) => v,
                    None => self.dispatch(&args, &rt, &mut |g, a| g.binop(op, &a[0], &a[1]))?,
                }
            }
            Op::Unary(u) => {
                let u = *u;
                self.dispatch(&args, &rt, &mut |g, a| g.unary(u, &a[0]))?
            }
            Op::Cmp(c) => {
                let c = *c;
                match self.float_union_op(&args, &rt, None, Some(c))? {
                    Some(v) => v,
                    None => self.dispatch(&args, &rt, &mut |g, a| g.compare(c, &a[0], &a[1]))?,
                }
            }
            Op::Truth => match &args[0].0 {
                // bool | np.bool share one byte: no need to look at the tag
                Ty::Union(ms) if ms.iter().all(|m| matches!(m, Ty::Bool | Ty::Np(Dtype::Bool))) => vec![args[0].1[1]],
                _ => self.dispatch(&args, &Ty::Bool, &mut |g, a| Ok((Ty::Bool, vec![g.truth(&a[0])?])))?,
            },
            Op::Tuple | Op::List => {
                let Ty::Tuple(ts) = &rt else {
                    return Err(internal("tuple type"));
                };
                self.coerce_members(&args, ts)?
            }
            Op::Unpack(_) => args[0].1.clone(),
            Op::TupleGet(i) => {
                let Ty::Tuple(ts) = &args[0].0 else {
                    return Err(internal("tuple_get"));
                };
                let off: usize = ts[..*i as usize].iter().map(abi::slot_count).sum();
                let n = abi::slot_count(&ts[*i as usize]);
                args[0].1[off..off + n].to_vec()
            }
            Op::GetItem => {
                self.addr_key = Some(inst.args.clone());
                let r = self.getitem(&args[0], &args[1..], inst.args.get(1).copied());
                self.addr_key = None;
                r?
            }
            Op::SetItem => {
                let n = args.len();
                self.addr_key = Some(inst.args[..n - 1].to_vec());
                let r = self.setitem(&args[0], &args[1..n - 1], &args[n - 1]);
                self.addr_key = None;
                r?;
                vec![]
            }
            Op::Len => match &args[0].0 {
                Ty::Array(_) => vec![args[0].1[2]],
                Ty::Tuple(ts) => vec![self.b.ins().iconst(clt::I64, ts.len() as i64)],
                _ => return Err(internal("len")),
            },
            Op::RangeLen => self.range_len(&args[1], &args[2], &args[3])?,
            Op::RangeNext => {
                let a = self.conv_i64(&args[0])?;
                let s = self.conv_i64(&args[1])?;
                vec![self.b.ins().iadd(a, s)]
            }
        };
        if let Some(r) = inst.result {
            let expect = abi::slot_count(&rt);
            if out.len() != expect {
                return Err(internal(format!(
                    "codegen produced {} slots for {:?} of type {rt}, expected {expect}",
                    out.len(),
                    inst.op
                )));
            }
            self.vals.insert(r, out);
        }
        Ok(())
    }

    pub fn global(&mut self, g: &GlobalKind) -> CResult<Vals> {
        Ok(match g {
            GlobalKind::Const(c) => self.const_vals(c)?.1,
            GlobalKind::Array(_, id) => {
                let slots = self
                    .env
                    .array_consts
                    .get(id)
                    .ok_or_else(|| internal("missing captured array"))?
                    .clone();
                slots
                    .into_iter()
                    .map(|s| self.b.ins().iconst(clt::I64, s as i64))
                    .collect()
            }
            _ => vec![],
        })
    }

    pub fn attr(&mut self, x: &(Ty, Vals), name: &str) -> CResult<Vals> {
        let (t, v) = x;
        Ok(match (t, name) {
            (Ty::Array(a), "shape") => v[2..2 + a.ndim as usize].to_vec(),
            (Ty::Array(a), "ndim") => vec![self.b.ins().iconst(clt::I64, a.ndim as i64)],
            (Ty::Array(_), "dtype") => vec![],
            (Ty::Array(a), "itemsize") => vec![self.b.ins().iconst(clt::I64, a.dtype.itemsize())],
            (Ty::Array(a), "size") => {
                let mut acc = self.b.ins().iconst(clt::I64, 1);
                for k in 0..a.ndim as usize {
                    acc = self.b.ins().imul(acc, v[2 + k]);
                }
                vec![acc]
            }
            (Ty::Array(a), "T") => {
                let nd = a.ndim as usize;
                let mut out = vec![v[0], v[1]];
                out.extend(v[2..2 + nd].iter().rev());
                out.extend(v[2 + nd..].iter().rev());
                out
            }
            (Ty::Complex | Ty::Np(Dtype::Complex128), "real") => vec![v[0]],
            (Ty::Complex | Ty::Np(Dtype::Complex128), "imag") => vec![v[1]],
            (Ty::Float, "real") | (Ty::Int, "real") => vec![v[0]],
            (Ty::Float, "imag") => vec![self.b.ins().f64const(0.0)],
            (Ty::Int, "imag") => vec![self.b.ins().iconst(clt::I64, 0)],
            _ => return Err(internal(format!("attribute {name} of {t}"))),
        })
    }

    // ---- scalar conversions ----------------------------------------------------

    pub fn conv_i64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let v = x.1.first().copied();
        Ok(match &x.0 {
            Ty::Int | Ty::Np(Dtype::Int64) => v.unwrap(),
            Ty::Bool | Ty::Np(Dtype::Bool) => self.b.ins().uextend(clt::I64, v.unwrap()),
            Ty::Np(Dtype::Int32) => self.b.ins().sextend(clt::I64, v.unwrap()),
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
                let lo = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, i32::MIN as i64);
                let hi = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, v, i32::MAX as i64);
                let bad = self.b.ins().bor(lo, hi);
                self.deopt_if(bad);
                self.b.ins().ireduce(clt::I32, v)
            }
            t => return Err(internal(format!("conv_i32 of {t}"))),
        })
    }

    pub fn conv_f64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let v = x.1[0];
        Ok(match &x.0 {
            Ty::Float | Ty::Np(Dtype::Float64) => v,
            Ty::Np(Dtype::Float32) => self.b.ins().fpromote(clt::F64, v),
            Ty::Int | Ty::Np(Dtype::Int64) | Ty::Np(Dtype::Int32) => self.b.ins().fcvt_from_sint(clt::F64, v),
            Ty::Bool | Ty::Np(Dtype::Bool) => self.b.ins().fcvt_from_uint(clt::F64, v),
            t => return Err(internal(format!("conv_f64 of {t}"))),
        })
    }

    pub fn conv_f32(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let v = x.1[0];
        Ok(match &x.0 {
            Ty::Np(Dtype::Float32) => v,
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
            t => return Err(internal(format!("conv_f32 of {t}"))),
        })
    }

    pub fn conv_c128(&mut self, x: &(Ty, Vals)) -> CResult<(CV, CV)> {
        Ok(match &x.0 {
            Ty::Complex | Ty::Np(Dtype::Complex128) => (x.1[0], x.1[1]),
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
        if op == BinOp::Pow
            && self.env.sem.numba_int_pow
            && matches!(r, Scalar::Py(Kind::Float) | Scalar::Np(Dtype::Float64))
        {
            let x = self.conv_f64(a)?;
            return Ok((rt, vec![self.numba_pow(x, b)?]));
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
            Scalar::Py(Kind::Complex) | Scalar::Np(Dtype::Complex128) => {
                let (x, y) = (self.conv_c128(a)?, self.conv_c128(b)?);
                let (re, im) = self.complex_op(op, x, y, r == Scalar::Np(Dtype::Complex128))?;
                vec![re, im]
            }
            Scalar::Np(d @ (Dtype::Int64 | Dtype::Int32)) => {
                let (x, y, ty) = if d == Dtype::Int64 {
                    (self.conv_i64(a)?, self.conv_i64(b)?, clt::I64)
                } else {
                    (self.conv_i32(a)?, self.conv_i32(b)?, clt::I32)
                };
                vec![self.int_op(op, x, y, ty)?]
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
        };
        Ok((rt, vals))
    }

    /// The constant a Cranelift value was defined as, if it is an `iconst`.
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
        if ty != clt::F64 || self.float_const(y) != Some(0.5) || !exact_sqrt_pow_host(self.module.isa()) {
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
        let failed = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(cond, failed, &[], ok, &[]);
        self.b.switch_to_block(failed);
        self.b.set_cold_block(failed);
        self.call("pyston_raise_zerodiv", &[])?;
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
                let res = self.int_divmod(op, x, y, ty, min);
                self.b.ins().jump(done, &[BlockArg::Value(res)]);
                self.b.switch_to_block(done);
                r
            }
            BinOp::FloorDiv | BinOp::Mod => self.int_divmod(op, x, y, ty, min),
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

    /// Python's floor division or modulo of ints: a zero divisor deoptimizes
    /// (ZeroDivisionError) unless `error_model="numpy"` (then 0), as does
    /// `MIN // -1` (the result needs a big int).
    pub fn int_divmod(&mut self, op: BinOp, x: CV, y: CV, ty: clir::Type, min: i64) -> CV {
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        let y = if self.env.sem.numpy_division {
            // error_model="numpy": x // 0 and x % 0 are 0 (divide by 1, then select 0).
            let one = self.b.ins().iconst(ty, 1);
            self.b.ins().select(zero, one, y)
        } else {
            self.deopt_if(zero);
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
        if self.env.sem.numpy_division {
            let z = self.b.ins().iconst(ty, 0);
            self.b.ins().select(zero, z, res)
        } else {
            res
        }
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
                    self.deopt_if(z);
                }
                self.b.ins().fdiv(x, y)
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if !self.env.sem.numpy_division && !self.nonzero_fconst(y) {
                    let z = self.b.ins().fcmp(FloatCC::Equal, y, zero);
                    self.deopt_if(z);
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
                let slot = self.stack(16);
                let np = self.b.ins().iconst(clt::I32, numpy as i64);
                let st = self.call("pyston_cpow", &[np, ar, ai, br, bi, slot])?[0];
                self.deopt_if(st);
                (
                    self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0),
                    self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 8),
                )
            }
            _ => return Err(internal("complex_op")),
        })
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
                Ty::Float | Ty::Np(Dtype::Float64) | Ty::Np(Dtype::Float32) => (t, vec![self.b.ins().fneg(a.1[0])]),
                Ty::Complex | Ty::Np(Dtype::Complex128) => {
                    (t, vec![self.b.ins().fneg(a.1[0]), self.b.ins().fneg(a.1[1])])
                }
                _ => return Err(internal("neg")),
            },
            UnaryOp::Invert => match t {
                Ty::Bool => {
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
            Ty::Float | Ty::Np(Dtype::Float64) => {
                let z = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, a.1[0], z)
            }
            Ty::Np(Dtype::Float32) => {
                let z = self.b.ins().f32const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, a.1[0], z)
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
        let (sa, sb) = (a.0.scalar().unwrap(), b.0.scalar().unwrap());
        let rt = cmp_result(sa, sb, !matches!(op, CmpOp::Eq | CmpOp::Ne)).ok_or_else(|| internal("cmp"))?;
        // The domain the comparison happens in.
        #[derive(PartialEq)]
        enum D {
            I64,
            I32,
            F64,
            F32,
            C,
        }
        let kind_of = |s: Scalar| match s {
            Scalar::Py(k) => k,
            Scalar::Np(d) => d.kind(),
        };
        let d = match (sa, sb) {
            (Scalar::Py(x), Scalar::Py(y)) => match x.max(y) {
                Kind::Bool | Kind::Int => D::I64,
                Kind::Float => D::F64,
                Kind::Complex => D::C,
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
                    Dtype::Float64 => D::F64,
                    Dtype::Float32 => D::F32,
                    Dtype::Complex128 => D::C,
                }
            }
        };
        let v = match d {
            D::I64 | D::I32 => {
                let (x, y) = (self.conv_i64(a)?, self.conv_i64(b)?);
                self.b.ins().icmp(icc, x, y)
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
            D::C => {
                let ((ar, ai), (br, bi)) = (self.conv_c128(a)?, self.conv_c128(b)?);
                let r = self.b.ins().fcmp(FloatCC::Equal, ar, br);
                let i = self.b.ins().fcmp(FloatCC::Equal, ai, bi);
                let eq = self.b.ins().band(r, i);
                match op {
                    CmpOp::Eq => eq,
                    CmpOp::Ne => self.b.ins().bxor_imm_s(eq, 1),
                    _ => {
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

    // ---- calls ---------------------------------------------------------------

    pub fn call_op(&mut self, callee: &Ty, args: &[(Ty, Vals)], kw: &[String], inst: &ir::Inst) -> CResult<Vals> {
        let rt = inst.result.map(|r| self.ty(r)).unwrap_or(Ty::NoneT);
        let npos = args.len() - kw.len();
        match callee {
            Ty::Func(_) => self.direct_call(&args[..npos], inst, &rt),
            Ty::DtypeObj(d) => {
                let d = *d;
                if npos == 0 {
                    let z: Vec<SlotTy> = abi::dtype_slots(d);
                    return Ok(z.into_iter().map(|s| self.zero(s)).collect());
                }
                self.dispatch(&args[..1], &rt, &mut |g, a| {
                    Ok((Ty::Np(d), g.cast_to_dtype(&a[0], d, false)?))
                })
            }
            Ty::Builtin(b) => self.builtin(*b, args, kw, &rt),
            t => Err(internal(format!("call of {t}"))),
        }
    }

    pub fn direct_call(&mut self, args: &[(Ty, Vals)], inst: &ir::Inst, rt: &Ty) -> CResult<Vals> {
        let info = self
            .env
            .callees
            .get(&inst.result.unwrap())
            .cloned()
            .ok_or_else(|| internal("missing callee"))?;
        let mut flat = Vec::new();
        for ((t, v), pt) in args.iter().zip(&info.params) {
            flat.extend(self.coerce(t, v.clone(), pt)?);
        }
        let argbuf = self.stack(8 * flat.len() as u32);
        for (i, x) in flat.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *x, argbuf, 8 * i as i32);
        }
        let nret = abi::slot_count(&info.ret);
        let outbuf = self.stack(8 * nret as u32);
        let fref = self.module.declare_func_in_func(info.func_id, self.b.func);
        let ctx = self.ctx.unwrap();
        let depth = self.b.ins().iadd_imm_s(self.depth.unwrap(), 1);
        let call = self.b.ins().call(fref, &[argbuf, outbuf, ctx, depth]);
        let st = self.b.inst_results(call)[0];
        // Status OK (0) goes straight on; anything else is sorted out off the hot path.
        let not_ok = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(st, not_ok, &[], ok, &[]);
        self.b.switch_to_block(not_ok);
        self.b.set_cold_block(not_ok);
        // status 2: finish the callee on the interpreter, then continue here.
        let resumed = self.b.create_block();
        let after = self.b.create_block();
        self.b.append_block_param(after, clt::I32);
        let is_deopt = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::DEOPT as i64);
        self.b.ins().brif(is_deopt, resumed, &[], after, &[BlockArg::Value(st)]);
        self.b.switch_to_block(resumed);
        self.b.set_cold_block(resumed);
        let slotp = self.b.ins().iconst(clt::I64, info.meta_slot as i64);
        let meta = self.b.ins().load(clt::I64, MemFlagsData::trusted(), slotp, 0);
        // The runtime reads this frame's depth from the context.
        self.b
            .ins()
            .store(MemFlagsData::trusted(), self.depth.unwrap(), ctx, CTX_DEPTH_OFFSET);
        let st2 = self.call("pyston_resume", &[ctx, meta, outbuf])?[0];
        self.b.ins().jump(after, &[BlockArg::Value(st2)]);
        self.b.switch_to_block(after);
        let st = self.b.block_params(after)[0];
        let (cur_b, cur_k) = self.cur_inst;
        let is_after = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::DEOPT as i64);
        let d = self.deopt_after_block(cur_b, cur_k, inst.result.unwrap());
        let next = self.b.create_block();
        self.b.ins().brif(is_after, d, &[], next, &[]);
        self.b.switch_to_block(next);
        self.b.set_cold_block(next);
        let failed = self.b.create_block();
        self.b.ins().brif(st, failed, &[], ok, &[]);
        self.b.switch_to_block(failed);
        self.b.set_cold_block(failed);
        self.push_frame_and_fail(ctx, inst.span)?;
        self.b.switch_to_block(ok);
        let mut out = Vec::new();
        for (i, st) in abi::slot_types(&info.ret).into_iter().enumerate() {
            out.push(
                self.b
                    .ins()
                    .load(cl_ty(st), MemFlagsData::trusted(), outbuf, 8 * i as i32),
            );
        }
        self.coerce(&info.ret, out, rt)
    }

    pub fn builtin(&mut self, b: Builtin, args: &[(Ty, Vals)], kw: &[String], rt: &Ty) -> CResult<Vals> {
        let npos = args.len() - kw.len();
        let pos = &args[..npos];
        match b {
            Builtin::Abs => self.dispatch(pos, rt, &mut |g, a| g.abs(&a[0])),
            Builtin::Min | Builtin::Max => {
                let op = if b == Builtin::Min { CmpOp::Lt } else { CmpOp::Gt };
                let mut acc = self.coerce(&pos[0].0, pos[0].1.clone(), rt)?;
                // Where the result is a float (or float | np.float64, one shared slot),
                // compare the payloads directly: Python keeps the earlier argument
                // unless the later one is strictly smaller (larger), and
                // `select(x < acc, x, acc)` / `select(acc < x, x, acc)` say exactly
                // that, NaN included, lowering to one minsd/maxsd instead of a branch.
                let payload = match abi::slot_types(rt)[..] {
                    [SlotTy::F64] | [SlotTy::F32] => Some(0),
                    _ if Self::same_repr_family(rt) == Some(Ty::Np(Dtype::Float64)) => Some(1),
                    _ => None,
                };
                for x in &pos[1..] {
                    if let Some(k) = payload {
                        let xv = self.coerce(&x.0, x.1.clone(), rt)?;
                        let (l, r) = if b == Builtin::Min {
                            (xv[k], acc[k])
                        } else {
                            (acc[k], xv[k])
                        };
                        let c = self.b.ins().fcmp(FloatCC::LessThan, l, r);
                        acc = xv
                            .iter()
                            .zip(&acc)
                            .map(|(n, o)| self.b.ins().select(c, *n, *o))
                            .collect();
                        continue;
                    }
                    let accv = (rt.clone(), acc.clone());
                    let c = self.compare_truth(op, x, &accv)?;
                    let xv = self.coerce(&x.0, x.1.clone(), rt)?;
                    acc = xv
                        .iter()
                        .zip(&acc)
                        .map(|(n, o)| self.b.ins().select(c, *n, *o))
                        .collect();
                }
                Ok(acc)
            }
            Builtin::Len => Ok(match &pos[0].0 {
                Ty::Array(_) => vec![pos[0].1[2]],
                Ty::Tuple(ts) => vec![self.b.ins().iconst(clt::I64, ts.len() as i64)],
                _ => return Err(internal("len")),
            }),
            Builtin::Int => {
                if pos.is_empty() {
                    return Ok(vec![self.b.ins().iconst(clt::I64, 0)]);
                }
                self.dispatch(pos, rt, &mut |g, a| {
                    Ok((
                        Ty::Int,
                        vec![match &a[0].0 {
                            Ty::Float | Ty::Np(Dtype::Float64) | Ty::Np(Dtype::Float32) => {
                                let x = g.any_f64(&a[0])?;
                                g.f64_to_i64(x)
                            }
                            _ => g.conv_i64(&a[0])?,
                        }],
                    ))
                })
            }
            Builtin::Float => {
                if pos.is_empty() {
                    return Ok(vec![self.b.ins().f64const(0.0)]);
                }
                self.dispatch(pos, rt, &mut |g, a| Ok((Ty::Float, vec![g.any_f64(&a[0])?])))
            }
            Builtin::Bool => {
                if pos.is_empty() {
                    return Ok(vec![self.b.ins().iconst(clt::I8, 0)]);
                }
                self.dispatch(pos, rt, &mut |g, a| Ok((Ty::Bool, vec![g.truth(&a[0])?])))
            }
            Builtin::Complex => self.dispatch(pos, rt, &mut |g, a| {
                let (re, im) = g.conv_c128(&a[0])?;
                if a.len() == 2 {
                    let y = g.any_f64(&a[1])?;
                    // complex(x, y) == x + y*1j for real x, y
                    Ok((Ty::Complex, vec![re, y]))
                } else {
                    Ok((Ty::Complex, vec![re, im]))
                }
            }),
            Builtin::Round if pos.len() == 2 && matches!(pos[0].0, Ty::Int | Ty::Bool) => {
                // round(int, n) is the int itself for n >= 0 (negative n: interpreter).
                let n = self.conv_i64(&pos[1])?;
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 0);
                self.deopt_if(neg);
                Ok(vec![self.conv_i64(&pos[0])?])
            }
            Builtin::Round if pos.len() == 2 => self.dispatch(pos, rt, &mut |g, a| {
                let n = g.conv_i64(&a[1])?;
                let slot = g.stack(8);
                let st = g.call("pyston_pyround", &[a[0].1[0], n, slot])?[0];
                g.deopt_if(st);
                Ok((
                    Ty::Float,
                    vec![g.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0)],
                ))
            }),
            Builtin::Round => self.dispatch(pos, rt, &mut |g, a| {
                Ok((
                    Ty::Int,
                    vec![match &a[0].0 {
                        Ty::Float | Ty::Np(Dtype::Float64) | Ty::Np(Dtype::Float32) => {
                            let x = g.any_f64(&a[0])?;
                            let r = g.b.ins().nearest(x);
                            g.f64_to_i64(r)
                        }
                        _ => g.conv_i64(&a[0])?,
                    }],
                ))
            }),
            Builtin::Math(m) => self.dispatch(pos, rt, &mut |g, a| g.math(m, a)),
            Builtin::NpAlloc(kind) => {
                let Ty::Array(at) = rt else {
                    return Err(internal("alloc type"));
                };
                let shape: Vec<CV> = match &pos[0].0 {
                    Ty::Tuple(ts) => {
                        let mut v = Vec::new();
                        let mut off = 0;
                        for t in ts {
                            let n = abi::slot_count(t);
                            let x = (t.clone(), pos[0].1[off..off + n].to_vec());
                            v.push(self.index_i64(&x)?);
                            off += n;
                        }
                        v
                    }
                    _ => vec![self.index_i64(&pos[0])?],
                };
                self.alloc(kind, at, &shape)
            }
            Builtin::NpAllocLike(kind) => {
                let Ty::Array(at) = rt.clone() else {
                    return Err(internal("alloc type"));
                };
                let src = self.stack(8 * pos[0].1.len() as u32);
                for (i, x) in pos[0].1.iter().enumerate() {
                    self.b.ins().store(MemFlagsData::trusted(), *x, src, 8 * i as i32);
                }
                let n = 2 + 2 * at.ndim as usize;
                let out = self.stack(8 * n as u32);
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, kind as i64);
                let dt = self.b.ins().iconst(clt::I32, dtype_index(at.dtype) as i64);
                let nd = self.b.ins().iconst(clt::I64, at.ndim as i64);
                let order = match &pos[0].0 {
                    Ty::Array(s) if s.layout == Layout::C => 0,
                    Ty::Array(s) if s.layout == Layout::F => 1,
                    _ => 2,
                };
                let ov = self.b.ins().iconst(clt::I32, order);
                let st = self.call("pyston_alloc_like", &[ctx, k, dt, nd, src, ov, out])?[0];
                self.status_check(st);
                Ok((0..n)
                    .map(|i| self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 8 * i as i32))
                    .collect())
            }
            Builtin::Range => Err(internal("range call")),
        }
    }

    /// A call into Python/NumPy (`abi::pyston_pycall`): the arguments are
    /// passed as slots, the result comes back unboxed. The call raising
    /// deoptimizes here (the interpreter re-executes it); a result of an
    /// unexpected type deoptimizes just after it.
    pub fn pycall(&mut self, d: &PyCallSite, args: &[TV], result: Option<Value>) -> CResult<Vals> {
        let mut flat = Vec::new();
        for ((t, v), want) in args.iter().zip(&d.arg_tys) {
            flat.extend(self.coerce(t, v.clone(), want)?);
        }
        let argbuf = self.stack(8 * flat.len().max(1) as u32);
        for (i, x) in flat.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *x, argbuf, 8 * i as i32);
        }
        let ret_slots = abi::slot_types(&d.ret);
        let outbuf = self.stack(8 * ret_slots.len().max(1) as u32);
        let ctx = self.ctx.unwrap();
        let dp = self.b.ins().iconst(clt::I64, d.desc as i64);
        let st = self.call("pyston_pycall", &[ctx, dp, argbuf, outbuf])?[0];
        if let Some(r) = result {
            let (cb, ck) = self.cur_inst;
            let after = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::DEOPT_AFTER as i64);
            let d_after = self.deopt_after_block(cb, ck, r);
            let next = self.b.create_block();
            self.b.ins().brif(after, d_after, &[], next, &[]);
            self.b.switch_to_block(next);
        }
        // An exception: record this line for the traceback and return it.
        let failed = self.b.create_block();
        let ok = self.b.create_block();
        let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::ERROR as i64);
        self.b.ins().brif(is_err, failed, &[], ok, &[]);
        self.b.switch_to_block(failed);
        self.b.set_cold_block(failed);
        let (cb, ck) = self.cur_inst;
        let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
        self.push_frame_and_fail(ctx, span)?;
        self.b.switch_to_block(ok);
        let out: Vals = ret_slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                self.b
                    .ins()
                    .load(cl_ty(*s), MemFlagsData::trusted(), outbuf, 8 * i as i32)
            })
            .collect();
        let rt = result.map(|r| self.ty(r)).unwrap_or(Ty::NoneT);
        if result.is_some() {
            self.coerce(&d.ret, out, &rt)
        } else {
            Ok(vec![])
        }
    }

    /// Handles a runtime helper's status: ERROR returns, DEOPT deopts.
    pub fn status_check(&mut self, st: CV) {
        let err = self.b.create_block();
        let cont = self.b.create_block();
        let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::ERROR as i64);
        self.b.ins().brif(is_err, err, &[], cont, &[]);
        self.b.switch_to_block(err);
        self.b.set_cold_block(err);
        let e = self.b.ins().iconst(clt::I32, abi::ERROR as i64);
        self.ret(e);
        self.b.switch_to_block(cont);
        self.deopt_if(st);
    }

    pub fn alloc(&mut self, kind: AllocKind, at: &ArrTy, shape: &[CV]) -> CResult<Vals> {
        let (st, out) = self.alloc_call(kind, at, shape)?;
        self.status_check(st);
        Ok(self.load_array_slots(out, at.ndim as usize))
    }

    /// Calls `pyston_alloc` for a new C-ordered array: (status, the buffer its slots are written to).
    pub fn alloc_call(&mut self, kind: AllocKind, at: &ArrTy, shape: &[CV]) -> CResult<(CV, CV)> {
        let nd = at.ndim as usize;
        let shp = self.stack(8 * nd as u32);
        for (i, x) in shape.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *x, shp, 8 * i as i32);
        }
        let out = self.stack(8 * (2 + 2 * nd) as u32);
        let ctx = self.ctx.unwrap();
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let dt = self.b.ins().iconst(clt::I32, dtype_index(at.dtype) as i64);
        let ndv = self.b.ins().iconst(clt::I64, nd as i64);
        let fo = self.b.ins().iconst(clt::I32, 0);
        let st = self.call("pyston_alloc", &[ctx, k, dt, ndv, shp, fo, out])?[0];
        Ok((st, out))
    }

    /// The slots of an `ndim`-dimensional array written to `buf` by the runtime.
    pub fn load_array_slots(&mut self, buf: CV, ndim: usize) -> Vals {
        (0..2 + 2 * ndim)
            .map(|i| self.b.ins().load(clt::I64, MemFlagsData::trusted(), buf, 8 * i as i32))
            .collect()
    }

    pub fn array_copy(&mut self, at: &ArrTy, v: &[CV]) -> CResult<Vals> {
        let src = self.stack(8 * v.len() as u32);
        for (i, x) in v.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *x, src, 8 * i as i32);
        }
        let out = self.stack(8 * v.len() as u32);
        let ctx = self.ctx.unwrap();
        let dt = self.b.ins().iconst(clt::I32, dtype_index(at.dtype) as i64);
        let nd = self.b.ins().iconst(clt::I64, at.ndim as i64);
        let st = self.call("pyston_copy", &[ctx, dt, nd, src, out])?[0];
        self.status_check(st);
        Ok((0..v.len())
            .map(|i| self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 8 * i as i32))
            .collect())
    }

    pub fn abs(&mut self, a: &(Ty, Vals)) -> CResult<(Ty, Vals)> {
        let t = a.0.clone();
        Ok(match &t {
            Ty::Int => {
                if !self.env.sem.wrapping_ints {
                    let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a.1[0], i64::MIN);
                    self.deopt_if(is_min);
                }
                (Ty::Int, vec![self.b.ins().iabs(a.1[0])])
            }
            Ty::Bool => (Ty::Int, vec![self.conv_i64(a)?]),
            Ty::Np(Dtype::Bool) => (t, a.1.clone()),
            Ty::Np(d @ (Dtype::Int64 | Dtype::Int32)) => {
                if !self.env.sem.wrapping_ints {
                    // NumPy warns on abs(INT_MIN) (and wraps): let it.
                    let min = if *d == Dtype::Int64 { i64::MIN } else { i32::MIN as i64 };
                    let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a.1[0], min);
                    self.deopt_if(is_min);
                }
                (t.clone(), vec![self.b.ins().iabs(a.1[0])])
            }
            Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32) => (t, vec![self.b.ins().fabs(a.1[0])]),
            Ty::Complex | Ty::Np(Dtype::Complex128) => {
                let r = self.call("hypot", &[a.1[0], a.1[1]])?[0];
                if t == Ty::Complex {
                    self.check_math(r, &[a.1[0], a.1[1]], clt::F64);
                }
                (
                    if t == Ty::Complex {
                        Ty::Float
                    } else {
                        Ty::Np(Dtype::Float64)
                    },
                    vec![r],
                )
            }
            _ => return Err(internal("abs")),
        })
    }

    pub fn math(&mut self, m: MathFn, a: &[(Ty, Vals)]) -> CResult<(Ty, Vals)> {
        use MathFn::*;
        if matches!(m, Floor | Ceil | Trunc) && matches!(a[0].0, Ty::Int | Ty::Bool) {
            return Ok((Ty::Int, vec![self.conv_i64(&a[0])?]));
        }
        let xs: Vec<CV> = a.iter().map(|x| self.any_f64(x)).collect::<CResult<_>>()?;
        let x = xs[0];
        let float = |v: CV| Ok((Ty::Float, vec![v]));
        match m {
            Sqrt => {
                let z = self.b.ins().f64const(0.0);
                let neg = self.b.ins().fcmp(FloatCC::LessThan, x, z);
                self.deopt_if(neg);
                float(self.b.ins().sqrt(x))
            }
            Floor | Ceil | Trunc => {
                let r = match m {
                    Floor => self.b.ins().floor(x),
                    Ceil => self.b.ins().ceil(x),
                    _ => self.b.ins().trunc(x),
                };
                Ok((Ty::Int, vec![self.f64_to_i64(r)]))
            }
            Fabs => float(self.b.ins().fabs(x)),
            Copysign => float(self.b.ins().fcopysign(x, xs[1])),
            Isnan => Ok((Ty::Bool, vec![self.b.ins().fcmp(FloatCC::Unordered, x, x)])),
            Isinf | Isfinite => {
                let ax = self.b.ins().fabs(x);
                let inf = self.b.ins().f64const(f64::INFINITY);
                let cc = if m == Isinf { FloatCC::Equal } else { FloatCC::LessThan };
                Ok((Ty::Bool, vec![self.b.ins().fcmp(cc, ax, inf)]))
            }
            Degrees => {
                let k = self.b.ins().f64const(std::f64::consts::PI / 180.0);
                float(self.b.ins().fdiv(x, k))
            }
            Radians => {
                let k = self.b.ins().f64const(std::f64::consts::PI / 180.0);
                float(self.b.ins().fmul(x, k))
            }
            Hypot | Erf | Erfc | Gamma | Lgamma => {
                let code = MathFn::ALL.iter().position(|f| *f == m).unwrap() as i64;
                let c = self.b.ins().iconst(clt::I64, code);
                let y = if xs.len() > 1 {
                    xs[1]
                } else {
                    self.b.ins().f64const(0.0)
                };
                let slot = self.stack(8);
                let st = self.call("pyston_pymath", &[c, x, y, slot])?[0];
                self.deopt_if(st);
                float(self.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0))
            }
            Pow if self.env.sem.numba_int_pow => {
                let y = (Ty::Float, vec![xs[1]]);
                float(self.numba_pow(x, &y)?)
            }
            Pow => float(self.sqrt_as_pow(x, xs[1], clt::F64, |cg: &mut Self| {
                let slot = cg.stack(8);
                let st = cg.call("pyston_math_pow", &[x, xs[1], slot])?[0];
                cg.deopt_if(st);
                Ok(cg.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0))
            })?),
            _ => {
                let name = m.libm().ok_or_else(|| internal("libm"))?;
                let r = self.call(name, &xs)?[0];
                self.check_math(r, &xs, clt::F64);
                if m == Atan2 {
                    // CPython's atan2 returns its own (positive) NaN for NaN inputs.
                    let nan = self.b.ins().f64const(f64::NAN);
                    let is_nan = self.b.ins().fcmp(FloatCC::Unordered, r, r);
                    return float(self.b.ins().select(is_nan, nan, r));
                }
                float(r)
            }
        }
    }

    /// Casts a scalar to a NumPy dtype as `np.<dtype>(x)` and array stores do.
    pub fn cast_to_dtype(&mut self, x: &(Ty, Vals), d: Dtype, store: bool) -> CResult<Vals> {
        if store && d != Dtype::Complex128 && matches!(x.0, Ty::Complex | Ty::Np(Dtype::Complex128)) {
            // NumPy raises (Python complex) or warns and drops the imaginary part.
            self.deopt_now();
            let z: Vec<SlotTy> = abi::dtype_slots(d);
            return Ok(z.into_iter().map(|s| self.zero(s)).collect());
        }
        let is_float = matches!(x.0, Ty::Float | Ty::Np(Dtype::Float64) | Ty::Np(Dtype::Float32));
        Ok(match d {
            Dtype::Bool => vec![self.truth(x)?],
            Dtype::Int64 => {
                if is_float {
                    let f = self.any_f64(x)?;
                    vec![self.f64_to_i64(f)]
                } else {
                    vec![self.conv_i64(x)?]
                }
            }
            // Numba stores an int into an int32 array as C does: the low 32 bits.
            Dtype::Int32 if store && !is_float && self.env.sem.int32_store_wraps => {
                let wide = self.conv_i64(x)?;
                vec![self.b.ins().ireduce(clt::I32, wide)]
            }
            Dtype::Int32 => {
                let wide = if is_float {
                    let f = self.any_f64(x)?;
                    self.f64_to_i64(f)
                } else {
                    self.conv_i64(x)?
                };
                vec![self.conv_i32(&(Ty::Int, vec![wide]))?]
            }
            Dtype::Float64 => vec![self.any_f64(x)?],
            Dtype::Float32 => vec![self.conv_f32(x)?],
            Dtype::Complex128 => {
                let (r, i) = self.conv_c128(x)?;
                vec![r, i]
            }
        })
    }

    // ---- arrays --------------------------------------------------------------

    pub fn index_i64(&mut self, x: &(Ty, Vals)) -> CResult<CV> {
        let t = x.0.clone();
        if let Ty::Union(_) = t {
            let r = self.dispatch(std::slice::from_ref(x), &Ty::Int, &mut |g, a| {
                Ok((Ty::Int, vec![g.conv_i64(&a[0])?]))
            })?;
            return Ok(r[0]);
        }
        self.conv_i64(x)
    }

    /// Address of `a[idx...]` (after wraparound and bounds checks) and the
    /// number of indexed axes.
    pub fn element_addr(&mut self, at: &ArrTy, arr: &[CV], idx: &[(Ty, Vals)]) -> CResult<CV> {
        // `a[k] += 1`: the store reuses the load's checked address (same IR block,
        // same array and index values, so the check above it passed).
        let key = self.addr_key.take();
        if let Some(a) = key.as_ref().and_then(|k| self.addrs.get(k)) {
            return Ok(*a);
        }
        let addr = self.element_addr_checked(at, arr, idx)?;
        if let Some(k) = key {
            self.addrs.insert(k, addr);
        }
        Ok(addr)
    }

    pub fn element_addr_checked(&mut self, at: &ArrTy, arr: &[CV], idx: &[(Ty, Vals)]) -> CResult<CV> {
        let nd = at.ndim as usize;
        let unit = at.layout.unit_stride_axis(nd);
        let mut addr = arr[0];
        for (k, ix) in idx.iter().enumerate() {
            if ix
                .0
                .members()
                .iter()
                .any(|m| matches!(m, Ty::Bool | Ty::Np(Dtype::Bool)))
            {
                self.deopt_now(); // a bool index is NumPy boolean indexing
            }
            let mut i = self.index_i64(ix)?;
            let n = arr[2 + k];
            let (cb, ck) = self.cur_inst;
            let proven = self.facts.unchecked.contains(&(cb, ck, k));
            let may_be_negative = !proven && !matches!(self.known_const(ix), Some(c) if c >= 0);
            if self.env.sem.wraparound && may_be_negative {
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
                let wrapped = self.b.ins().iadd(i, n);
                i = self.b.ins().select(neg, wrapped, i);
            }
            if self.env.sem.boundscheck && !proven {
                let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, n);
                self.deopt_if(oob);
            }
            let off = if unit == Some(k) {
                self.b.ins().imul_imm_s(i, at.dtype.itemsize())
            } else {
                self.b.ins().imul(i, arr[2 + nd + k])
            };
            addr = self.b.ins().iadd(addr, off);
        }
        Ok(addr)
    }

    pub fn known_const(&self, _ix: &(Ty, Vals)) -> Option<i64> {
        None
    }

    pub fn getitem(&mut self, x: &(Ty, Vals), idx: &[(Ty, Vals)], _first: Option<Value>) -> CResult<Vals> {
        match &x.0 {
            Ty::Array(at) => {
                let at = *at;
                let addr = self.element_addr(&at, &x.1, idx)?;
                let nd = at.ndim as usize;
                let k = idx.len();
                if k < nd {
                    let mut out = vec![addr, x.1[1]];
                    out.extend(&x.1[2 + k..2 + nd]);
                    out.extend(&x.1[2 + nd + k..]);
                    return Ok(out);
                }
                let fl = MemFlagsData::trusted();
                Ok(match at.dtype {
                    Dtype::Complex128 => vec![
                        self.b.ins().load(clt::F64, fl, addr, 0),
                        self.b.ins().load(clt::F64, fl, addr, 8),
                    ],
                    d => {
                        let st = abi::dtype_slots(d)[0];
                        vec![self.b.ins().load(cl_ty(st), fl, addr, 0)]
                    }
                })
            }
            Ty::Tuple(ts) => {
                let Some(Const::Int(k)) = _first.and_then(|v| self.consts.get(&v)) else {
                    // All elements have one type (inference checked): select at run time.
                    let n = ts.len() as i64;
                    let mut i = self.index_i64(&idx[0])?;
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
                    let wrapped = self.b.ins().iadd_imm_s(i, n);
                    i = self.b.ins().select(neg, wrapped, i);
                    let oob = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, i, n);
                    self.deopt_if(oob); // IndexError: tuple index out of range
                    let w = abi::slot_count(&ts[0]);
                    let mut res: Vec<CV> = x.1[..w].to_vec();
                    for k in 1..ts.len() {
                        let is_k = self.b.ins().icmp_imm_s(IntCC::Equal, i, k as i64);
                        res = (0..w)
                            .map(|j| self.b.ins().select(is_k, x.1[k * w + j], res[j]))
                            .collect();
                    }
                    return Ok(res);
                };
                let n = ts.len() as i64;
                let k = if *k < 0 { *k + n } else { *k } as usize;
                let off: usize = ts[..k].iter().map(abi::slot_count).sum();
                let len = abi::slot_count(&ts[k]);
                Ok(x.1[off..off + len].to_vec())
            }
            t => Err(internal(format!("getitem on {t}"))),
        }
    }

    pub fn setitem(&mut self, x: &(Ty, Vals), idx: &[(Ty, Vals)], v: &(Ty, Vals)) -> CResult<()> {
        let Ty::Array(at) = &x.0 else {
            return Err(internal("setitem"));
        };
        let at = *at;
        if at.readonly {
            self.deopt_now(); // ValueError: assignment destination is read-only
            return Ok(());
        }
        let addr = self.element_addr(&at, &x.1, idx)?;
        let vals = match Self::same_repr_family(&v.0) {
            // Both members store the same bits (and deoptimize alike).
            Some(rep) => self.cast_to_dtype(&(rep, vec![v.1[1]]), at.dtype, true)?,
            None => self.dispatch(std::slice::from_ref(v), &Ty::Np(at.dtype), &mut |g, a| {
                Ok((Ty::Np(at.dtype), g.cast_to_dtype(&a[0], at.dtype, true)?))
            })?,
        };
        let fl = MemFlagsData::trusted();
        for (i, val) in vals.into_iter().enumerate() {
            self.b.ins().store(fl, val, addr, 8 * i as i32);
        }
        Ok(())
    }

    /// `len(range(start, stop, step))`; step 0 deopts (ValueError).
    pub fn range_len(&mut self, start: &(Ty, Vals), stop: &(Ty, Vals), step: &(Ty, Vals)) -> CResult<Vals> {
        let a = self.index_i64(start)?;
        let b = self.index_i64(stop)?;
        let s = self.index_i64(step)?;
        if let (Some(a), Some(b), Some(s)) = (self.iconst_value(a), self.iconst_value(b), self.iconst_value(s)) {
            if s != 0 {
                // A literal range (the unrolled `range(-1, 2)` of a stencil): no checks.
                let n = if s > 0 {
                    (b as i128 - a as i128 + s as i128 - 1).div_euclid(s as i128).max(0)
                } else {
                    (a as i128 - b as i128 - s as i128 - 1).div_euclid(-(s as i128)).max(0)
                };
                if let Ok(n) = i64::try_from(n) {
                    return Ok(vec![self.b.ins().iconst(clt::I64, n)]);
                }
            }
        }
        let z = self.b.ins().icmp_imm_s(IntCC::Equal, s, 0);
        self.deopt_if(z);
        // n = (|stop - start| - 1) / |step| + 1 when the range is non-empty, in
        // unsigned 64-bit arithmetic (the difference of two i64 fits in a u64).
        let pos = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, s, 0);
        let up = self.b.ins().icmp(IntCC::SignedLessThan, a, b);
        let down = self.b.ins().icmp(IntCC::SignedGreaterThan, a, b);
        let nonempty = self.b.ins().select(pos, up, down);
        let d1 = self.b.ins().isub(b, a);
        let d2 = self.b.ins().isub(a, b);
        let diff = self.b.ins().select(pos, d1, d2);
        let ns = self.b.ins().ineg(s);
        let mag = self.b.ins().select(pos, s, ns);
        let dm1 = self.b.ins().iadd_imm_s(diff, -1);
        let q = self.b.ins().udiv(dm1, mag);
        let n = self.b.ins().iadd_imm_s(q, 1);
        // A trip count beyond i64::MAX (only for astronomically long ranges): deopt.
        let huge = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 0);
        let huge = self.b.ins().band(huge, nonempty);
        self.deopt_if(huge);
        let zero = self.b.ins().iconst(clt::I64, 0);
        Ok(vec![self.b.ins().select(nonempty, n, zero)])
    }
}

/// Used by the dispatcher: the signature of every compiled function.
pub fn declare(module: &mut dyn Module, name: &str) -> CResult<FuncId> {
    let sig = entry_signature(module.isa().default_call_conv());
    module
        .declare_function(name, Linkage::Local, &sig)
        .map_err(|e| internal(format!("declare: {e}")))
}

#[allow(dead_code)]
fn layout_unused(_: Layout) {}
