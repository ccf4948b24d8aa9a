//! Instructions: the dispatch of each IR operation to the code that emits it; globals and attributes.

use super::*;

impl Gen<'_, '_> {
    // ---- instructions --------------------------------------------------------

    /// The slots of a tuple or slice built from `args`, each coerced to its member type.
    pub fn coerce_members(&mut self, args: &[(Ty, Vals)], members: &[Ty]) -> CResult<Vals> {
        let mut out = Vec::new();
        for ((t, v), want) in args.iter().zip(members) {
            out.extend(self.coerce(t, v.clone(), want)?);
        }
        Ok(out)
    }

    /// The arguments of the current call into NumPy that are temporaries dying
    /// here, as a bit mask (see the runtime's `pyston_pycall_dying`): arrays
    /// made by an earlier call into NumPy in the same block whose last use
    /// this is, so no other value (a view made by compiled code, a loop's next
    /// iteration, a later instruction, a deoptimized continuation) can see them.
    /// A view a pass makes natively instead (its object is its parent's) made
    /// nothing the arena holds on its own.
    /// `base[idx] = v` after `t = base[idx]; v = t op= x` (CPython's `base[idx]
    /// op= x` of an array view): the view `t`, when `idx` is a basic index
    /// (ints, slices, `None`), so that `t` is `base[idx]`'s memory.
    fn write_back_of(&self, inst: &ir::Inst) -> Option<Value> {
        if inst.op != Op::SetItem || inst.args.len() < 3 {
            return None;
        }
        let n = inst.args.len();
        let v = inst.args[n - 1];
        let &(b, k) = self.defs.get(&v)?;
        let upd = &self.f.block(b).insts[k];
        if !matches!(upd.op, Op::Bin { inplace: true, .. }) {
            return None;
        }
        let t = *upd.args.first()?;
        let &(b, k) = self.defs.get(&t)?;
        let view = &self.f.block(b).insts[k];
        let basic = inst.args[1..n - 1]
            .iter()
            .all(|i| matches!(self.ty(*i), Ty::Int | Ty::Slice(_) | Ty::NoneT));
        let same_kind = match (self.ty(inst.args[0]), self.ty(t), self.ty(v)) {
            (Ty::Array(_), Ty::Array(a), Ty::Array(b)) => a.dtype == b.dtype && a.ndim == b.ndim,
            _ => false,
        };
        (view.op == Op::GetItem && view.args[..] == inst.args[..n - 1] && basic && same_kind).then_some(t)
    }

    /// The `base[idx] = v` of [`write_back_of`] (`t` the view): skipped when `v`
    /// is exactly `t`'s memory (NumPy's in-place operator returns the view it
    /// updated), where writing it back would copy each element onto itself;
    /// else the call into NumPy. The dying operands are released either way.
    fn write_back(&mut self, t: Value, desc: &PyCallSite, boxed: &[(Ty, Vals)], dying: u64) -> CResult<()> {
        let Ty::Array(at) = self.ty(t) else {
            return Err(internal("write-back of a non-array"));
        };
        let s = abi::ArraySlots::new(at.ndim as usize);
        let tv = self.use_val(t)?;
        let vv = boxed.last().ok_or_else(|| internal("write-back value"))?.1.clone();
        let mut same = self
            .b
            .ins()
            .icmp(IntCC::Equal, tv[abi::ArraySlots::DATA], vv[abi::ArraySlots::DATA]);
        for j in s.shapes().chain(s.strides()) {
            let eq = self.b.ins().icmp(IntCC::Equal, tv[j], vv[j]);
            same = self.b.ins().band(same, eq);
        }
        let (skip, call, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.ins().brif(same, skip, &[], call, &[]);
        self.b.switch_to_block(skip);
        let ctx = self.ctx.ok_or_else(|| internal("write-back without a context"))?;
        for (j, (ty, vals)) in boxed.iter().enumerate().take(63) {
            if dying & (1 << j) != 0 && matches!(ty, Ty::Array(_)) {
                self.call("pyston_release_temp", &[ctx, vals[abi::ArraySlots::OBJ]])?;
            }
        }
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(call);
        self.pycall(desc, boxed, None, dying)?;
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(merge);
        Ok(())
    }

    pub fn dying_args(&self, args: &[Value]) -> u64 {
        let (blk, k) = self.cur_inst;
        let mut mask = 0u64;
        for (j, v) in args.iter().enumerate().take(63) {
            // Its last use (as CPython drops a temporary, or a variable's old value,
            // at its last reference), in the block that made it.
            if !matches!(self.ty(*v), Ty::Array(_)) {
                continue;
            }
            if !self.defs.contains_key(v) {
                // A block parameter: a loop-carried variable's array.
                if !args[..j].contains(v) && self.carried_dying(*v, args) {
                    mask |= 1 << j;
                }
                continue;
            }
            if self.last_use.get(v) != Some(&(blk, k)) {
                continue;
            }
            // A variable's array lives on until the variable is rebound, as in
            // CPython: at its last use when the block rebinds the variable after
            // it (`Z = Z[I]`), else at a loop's back edge, one iteration later.
            if let Some(name) = &self.f.values[v.0 as usize].name {
                let insts = &self.f.block(blk).insts;
                let rebound = insts[k..].iter().any(|i| {
                    i.result
                        .is_some_and(|r| self.f.values[r.0 as usize].name.as_ref() == Some(name))
                });
                if !rebound {
                    continue;
                }
            }
            let Some(&(db, dk)) = self.defs.get(v) else { continue };
            let native = self.plans.iter().any(|(_, p)| p.borrows((db, dk)));
            let made = self.env.pycalls.contains_key(&(db, dk)) || self.native_alloc((db, dk));
            if db == blk && dk < k && made && !native && !args[..j].contains(v) {
                // Its earlier uses read it where they stand and keep nothing of it
                // compiled code holds without a reference: calls into NumPy (which
                // take their own), or native operations with a scalar result (not a
                // view, a tuple or anything else that could hold it), nothing a pass
                // computes later.
                let claimed = |at| self.plans.iter().any(|(_, p)| p.claims(at));
                // (scalars, and tuples of them: `A.shape`)
                fn scalar(t: &Ty) -> bool {
                    match t {
                        Ty::Tuple(ts) => ts.iter().all(scalar),
                        _ => matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Complex | Ty::Np(_) | Ty::NoneT),
                    }
                }
                let insts = &self.f.block(blk).insts;
                let safe = (dk + 1..k).all(|u| {
                    let i = &insts[u];
                    !i.args.contains(v)
                        || (!claimed((blk, u))
                            && (self.env.pycalls.contains_key(&(blk, u))
                                || i.result.is_none_or(|r| scalar(&self.ty(r)))))
                });
                if safe {
                    mask |= 1 << j;
                }
            }
        }
        mask
    }

    /// Whether `v`, a loop-carried array (a block parameter: `Z` in `for ...:
    /// Z = Z[I]`), dies at the current instruction, a call into NumPy, whose
    /// block then rebinds its variable: CPython drops the old array at that
    /// rebinding, not at the end of the iteration (npbench's mandelbrot2 held
    /// an extra copy of its shrinking arrays through every iteration). Only
    /// where nothing else can hold its object without a reference: every
    /// value it can come from is the function's argument (which the arena
    /// never frees) or an array a call into NumPy made (its own object), and
    /// neither `v` nor anything compiled code derived from it natively (a row
    /// view, a tuple) is live after this instruction; the runtime frees it
    /// only if the arena holds it and nothing else refers to it.
    /// Whether instruction `at` is `np.zeros(n)` or another allocation compiled
    /// code makes itself: a new array the arena holds, as a call into NumPy's
    /// result is.
    fn native_alloc(&self, at: (Block, usize)) -> bool {
        let i = &self.f.block(at.0).insts[at.1];
        matches!(i.op, Op::MethodCall { .. })
            && !self.env.pycalls.contains_key(&at)
            && i.result.is_some_and(|r| {
                matches!(
                    self.typed.globals.get(&r),
                    Some(GlobalKind::Builtin(Builtin::NpAlloc(_) | Builtin::NpAllocLike(_)))
                )
            })
    }

    pub fn carried_dying(&self, v: Value, args: &[Value]) -> bool {
        let (blk, k) = self.cur_inst;
        let f = self.f;
        let d = f.block(blk);
        if d.handler.is_some() || self.defs.contains_key(&v) || args.is_empty() {
            return false;
        }
        let Some(name) = &f.values[v.0 as usize].name else {
            return false;
        };
        let rebound = d.insts[k..].iter().any(|i| {
            i.result
                .is_some_and(|r| f.values[r.0 as usize].name.as_ref() == Some(name))
        });
        if !rebound {
            return false;
        }
        let claimed = |at: (Block, usize)| self.plans.iter().any(|(_, p)| p.claims(at) || p.borrows(at));
        let own_call = |at: (Block, usize)| self.env.pycalls.contains_key(&at) && !claimed(at);
        // The edges into a block's parameter `i`: the values passed there.
        let incoming = |b: Block, i: usize| -> Vec<Value> {
            f.blocks
                .iter()
                .flat_map(|pd| pd.term.successors().into_iter().chain(pd.handler.as_ref()))
                .filter(|e| e.block == b)
                .filter_map(|e| e.args.get(i).copied())
                .collect()
        };
        let param_of = |x: Value| -> Option<(Block, usize)> {
            f.blocks
                .iter()
                .enumerate()
                .find_map(|(bi, bd)| bd.params.iter().position(|p| *p == x).map(|i| (Block(bi as u32), i)))
        };
        // Item `n` of tuple `t` when compiled code built it (`tuple`, `unpack`).
        let tuple_item = |mut t: Value, n: u32| -> Option<Value> {
            loop {
                let &(tb, tk) = self.defs.get(&t)?;
                let ti = &f.block(tb).insts[tk];
                match ti.op {
                    Op::Unpack(_) => t = ti.args[0],
                    Op::Tuple => return ti.args.get(n as usize).copied(),
                    _ => return None,
                }
            }
        };
        // Where `v` comes from.
        let mut todo = vec![v];
        let mut seen: HashSet<Value> = HashSet::new();
        while let Some(x) = todo.pop() {
            if !seen.insert(x) {
                continue;
            }
            if let Some(&at) = self.defs.get(&x) {
                if own_call(at) || self.native_alloc(at) {
                    continue;
                }
                // `Xi, Yi = Xi[I], Yi[I]`: an item of a tuple compiled code built.
                let i = &f.block(at.0).insts[at.1];
                let Op::TupleGet(n) = i.op else { return false };
                match tuple_item(i.args[0], n) {
                    Some(e) => todo.push(e),
                    None => return false,
                }
                continue;
            }
            let Some((b, i)) = param_of(x) else { return false };
            if b != Block(0) {
                todo.extend(incoming(b, i));
            }
        }
        // What may share its object: the values it comes from (`B = A` before
        // the loop: `A`'s first array is `B`'s too), values compiled code
        // derived from any of them natively, and the block parameters those
        // are passed to.
        let scalar = |t: &Ty| matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Complex | Ty::Np(_) | Ty::NoneT);
        let mut shared: HashSet<Value> = seen;
        loop {
            let n = shared.len();
            for (bi, bd) in f.blocks.iter().enumerate() {
                for (j, i) in bd.insts.iter().enumerate() {
                    if let Some(r) = i.result {
                        let at = (Block(bi as u32), j);
                        // (an item of a tuple shares only that item's object)
                        let from = match i.op {
                            Op::TupleGet(n) => {
                                tuple_item(i.args[0], n).map_or(shared.contains(&i.args[0]), |e| shared.contains(&e))
                            }
                            _ => i.args.iter().any(|a| shared.contains(a)),
                        };
                        if from && !own_call(at) && !scalar(&self.ty(r)) {
                            shared.insert(r);
                        }
                    }
                }
                for e in bd.term.successors().into_iter().chain(bd.handler.as_ref()) {
                    for (a, p) in e.args.iter().zip(&f.block(e.block).params) {
                        if shared.contains(a) {
                            shared.insert(*p);
                        }
                    }
                }
            }
            if shared.len() == n {
                break;
            }
        }
        // (this instruction's own result is a new array, or a view holding a
        // reference of its own)
        let own = d.insts[k].result;
        let after = f.live_before(blk, k + 1, &self.live_in);
        !after.iter().any(|x| shared.contains(x) && Some(*x) != own)
    }

    /// One member case of an operation on an optional value (see
    /// `infer::is_optional`) where an operand is `None` and the other is not:
    /// `None == x` is False (`!=`: True); anything else raises TypeError in
    /// CPython, so compiled code deoptimizes and the interpreter raises it.
    /// `None` when no operand is a lone `None`.
    pub fn none_operand(&mut self, a: &[TV], out: &Ty, cmp: Option<CmpOp>) -> Option<TV> {
        let nones = a.iter().filter(|(t, _)| *t == Ty::NoneT).count();
        if nones == 0 {
            return None;
        }
        if let Some(c @ (CmpOp::Eq | CmpOp::Ne)) = cmp {
            if nones == a.len() {
                return None; // None == None
            }
            return Some((Ty::Bool, vec![self.b.ins().iconst(clt::I8, (c == CmpOp::Ne) as i64)]));
        }
        self.deopt_now();
        let zeros = abi::slot_types(out).into_iter().map(|s| self.zero(s)).collect();
        Some((out.clone(), zeros))
    }

    pub fn inst(&mut self, inst: &ir::Inst) -> CResult<()> {
        if matches!(inst.op, Op::LenBound | Op::Len) && inst.args.len() == 1 && self.split_lists.contains(&inst.args[0])
        {
            let state = self.use_val(inst.args[0])?[0];
            let n = self
                .b
                .ins()
                .load(clt::I64, MemFlagsData::trusted(), state, abi::SPLIT_COUNT);
            if let Some(r) = inst.result {
                self.vals.insert(r, vec![n]);
            }
            return Ok(());
        }
        if inst.op == Op::LenBound {
            // A list: no bound (its length is re-read each step); else the length.
            if matches!(self.ty(inst.args[0]), Ty::List(_) | Ty::LocalList(_)) {
                let m = self.b.ins().iconst(clt::I64, i64::MAX);
                if let Some(r) = inst.result {
                    self.vals.insert(r, vec![m]);
                }
                return Ok(());
            }
            let len = ir::Inst {
                op: Op::Len,
                ..inst.clone()
            };
            return self.inst(&len);
        }
        let rt = inst.result.map(|r| self.ty(r)).unwrap_or(Ty::NoneT);
        let missing = inst
            .args
            .iter()
            .any(|a| !self.vals.contains_key(a) || self.ty(*a) == Ty::Bottom);
        if (inst.result.is_some() && rt == Ty::Bottom) || missing {
            // Inference could not type this (e.g. a call into a function whose own
            // compilation is still in progress): leave compiled code here. What
            // follows is unreachable; its uses of the result get no slots.
            self.deopt_now();
            if let Some(r) = inst.result {
                self.vals.entry(r).or_default();
            }
            return Ok(());
        }
        let mut args: Vec<(Ty, Vals)> = Vec::with_capacity(inst.args.len());
        for a in &inst.args {
            args.push((self.ty(*a), self.use_val(*a)?));
        }
        // A namedtuple read as a tuple (indexing, `len`, `in`, unpacking, truth):
        // the same slots, and its class has `tuple`'s own methods for these.
        let tuple_read = matches!(
            inst.op,
            Op::GetItem
                | Op::Len
                | Op::Contains
                | Op::Unpack(_)
                | Op::TupleGet(_)
                | Op::Truth
                | Op::Unary(_)
                | Op::Cmp(_)
                | Op::Bin { op: BinOp::Add, .. }
                | Op::MethodCall { .. }
        ) || (matches!(inst.op, Op::Call { .. })
            && matches!(args.first(), Some((Ty::Builtin(Builtin::Len | Builtin::Bool), _))));
        // (not an operand of a call into Python, which gets the namedtuple itself, nor
        // the index or needle of a container, or a method's argument)
        if tuple_read && !self.env.pycalls.contains_key(&self.cur_inst) {
            // (an array indexed by a namedtuple of ints: NumPy reads any tuple as indexes)
            let only_first = matches!(inst.op, Op::GetItem | Op::Contains | Op::MethodCall { .. })
                && !matches!(args.first(), Some((Ty::Array(_), _)));
            for a in args.iter_mut().take(if only_first { 1 } else { usize::MAX }) {
                if let Ty::NamedTuple(_, ts) = &a.0 {
                    a.0 = Ty::Tuple(ts.clone());
                }
            }
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
        // `math.isinf(o)` of an optional `o` typed for its value (`Typed::none_args`):
        // `None` leaves compiled code (the interpreter tier raises CPython's TypeError).
        if inst.result.is_some_and(|r| self.typed.none_args.contains(&r)) {
            for a in args.iter_mut().skip(1) {
                if let (true, Ty::Union(ms)) = (crate::infer::lone_optional(&a.0), &a.0) {
                    let ms = ms.clone();
                    let ni = ms.iter().position(|m| *m == Ty::NoneT).unwrap();
                    let is_none = self.b.ins().icmp_imm_s(IntCC::Equal, a.1[0], ni as i64);
                    self.deopt_if(is_none);
                    *a = self.member(&ms, &a.1, 1 - ni);
                }
            }
        }
        // (a binding written through to its cell: natively where the value is
        // an int, a float or an object, see `cell_set`)
        if matches!(inst.op, Op::CellSet) && self.cell_set(&args)? {
            return Ok(());
        }
        self.list_loop_bound(inst, &mut args)?;
        if let Some(out) = self.array_of_list(inst, &args, &rt)? {
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        // (before the calls into Python: `sum`/`min`/`max` of a local list are native)
        if let Some(out) = self.local_list_inst(inst, &args, &rt)? {
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        if let Some(out) = self.char_inst(inst, &args)? {
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        if let Some(desc) = self.env.pycalls.get(&self.cur_inst).cloned() {
            // NumPy performs this operation (see `infer::numpy_op`).
            // The callee itself (a function object or the module it is read from) is not an argument.
            let skip = match (&inst.op, args.first()) {
                (Op::Call { .. }, _) => 1,
                (Op::MethodCall { .. }, Some((Ty::Module(_) | Ty::PyFunc(_), _))) => 1,
                (Op::GetItem, Some((Ty::PyFunc(_), _))) => 1,
                _ => 0,
            };
            let boxed = &args[skip..];
            let mut dying = self.dying_args(&inst.args[skip..]);
            // An array result nothing uses (`np.multiply(Z, Z, out=Z)` as a
            // statement): the runtime drops it at once, as CPython drops an
            // expression statement's value (`abi::PYCALL_DISCARD`).
            if inst
                .result
                .is_some_and(|r| matches!(self.ty(r), Ty::Array(_)) && !self.last_use.contains_key(&r))
            {
                dying |= abi::PYCALL_DISCARD;
            }
            if let Some(t) = self.write_back_of(inst) {
                return self.write_back(t, &desc, boxed, dying);
            }
            if let Some((r, &(ss, count))) = inst.result.and_then(|r| Some((r, self.stack_arrays.get(&r)?))) {
                let out = self.rng_stack_draw(&desc, boxed, r, ss, count)?;
                self.vals.insert(r, out);
                return Ok(());
            }
            let out = self.pycall(&desc, boxed, inst.result, dying)?;
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        if let Some(out) = self.str_inst(inst, &args)? {
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        if let Some(out) = self.list_inst(inst, &args, &rt)? {
            if let Some(r) = inst.result {
                self.vals.insert(r, out);
            }
            return Ok(());
        }
        let out: Vals = match &inst.op {
            Op::Const(c) => self.const_vals(c)?.1,
            Op::DelItem => return Err(internal("`del x[i]` of an untyped container")),
            Op::Slice => {
                let Ty::Slice(parts) = &rt else {
                    return Err(internal("slice type"));
                };
                self.coerce_members(&args, parts)?
            }
            Op::Undef(_) => vec![],
            // (unbound: leaves for the interpreter tier, which raises CPython's error)
            Op::Bound(..) => self.dispatch(&args, &rt, &mut |_, a| Ok(a[0].clone()))?,
            // (a call into Python inference records: see `infer`)
            Op::Lambda { .. } => return Err(internal("a lambda without its call into Python")),
            Op::Cell | Op::CellSet => return Err(internal("a cell without its call into Python")),
            Op::LenBound => return Err(internal("len_bound")),
            // `f(..., *xs)` of a list: the list (the call reads its items, `star_list_items`)
            Op::StarItems if matches!(args[0].0, Ty::List(_)) => args[0].1.clone(),
            Op::StarItems => return Err(internal("star_items")),
            // Exceptions are raised and handled on the interpreter tier.
            Op::CaughtExc => self.caught_exc(),
            Op::ExcMatch => self.exc_match(&args, inst.span)?,
            Op::RaiseFrom => {
                self.deopt_now();
                vec![]
            }
            Op::Exhausted { pep479 } => {
                let yes = self.b.ins().iconst(clt::I8, 1);
                if *pep479 {
                    // (PEP 479's RuntimeError: made by the interpreter tier)
                    self.deopt_if(yes);
                } else {
                    self.raise_known_if(yes, abi::LazyExc::StopIteration)?;
                }
                vec![]
            }
            Op::Global(_) | Op::Import(_) | Op::Attr(_)
                if inst.result.and_then(|r| self.typed.globals.get(&r)).is_some() =>
            {
                let g = self.typed.globals[&inst.result.unwrap()].clone();
                self.global(&g)?
            }
            Op::Global(_) | Op::Import(_) => vec![],
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
                // (typed by `infer`: items and needle ints, bools or NumPy ints)
                Ty::Tuple(ts) if name == "index" || name == "count" => {
                    let ts = ts.clone();
                    let x = args[1].clone();
                    let mut off = 0;
                    let mut eqs = Vec::with_capacity(ts.len());
                    for t in &ts {
                        let n = abi::slot_count(t);
                        let item = (t.clone(), args[0].1[off..off + n].to_vec());
                        off += n;
                        let eq = self.compare(CmpOp::Eq, &item, &x)?;
                        eqs.push(self.truth(&eq)?);
                    }
                    if name == "count" {
                        let mut c = self.b.ins().iconst(clt::I64, 0);
                        for e in eqs {
                            let one = self.b.ins().uextend(clt::I64, e);
                            c = self.b.ins().iadd(c, one);
                        }
                        vec![c]
                    } else {
                        // The first equal item's index; none: CPython's ValueError (deoptimizes).
                        let mut r = self.b.ins().iconst(clt::I64, -1);
                        for (i, e) in eqs.into_iter().enumerate().rev() {
                            let k = self.b.ins().iconst(clt::I64, i as i64);
                            r = self.b.ins().select(e, k, r);
                        }
                        let missing = self.b.ins().icmp_imm_s(IntCC::Equal, r, -1);
                        self.deopt_if(missing);
                        vec![r]
                    }
                }
                _ => return Err(internal(format!("method {name}"))),
            },
            // (`+` of two tuples: inference typed the concatenation)
            Op::Bin { op: BinOp::Add, .. } if matches!((&args[0].0, &args[1].0), (Ty::Tuple(_), Ty::Tuple(_))) => {
                let Ty::Tuple(ts) = &rt else {
                    return Err(internal("tuple concatenation"));
                };
                let both: Vec<(Ty, Vals)> = [&args[0], &args[1]]
                    .iter()
                    .flat_map(|(t, v)| {
                        let items = t.tuple_items().unwrap_or_default().to_vec();
                        let mut off = 0;
                        items
                            .into_iter()
                            .map(|t| {
                                let n = abi::slot_count(&t);
                                off += n;
                                (t, v[off - n..off].to_vec())
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                self.coerce_members(&both, ts)?
            }
            Op::Bin { op, .. } if rt == Ty::PyInt || args.iter().any(|(t, _)| *t == Ty::PyInt) => {
                let op = *op;
                self.dispatch(&args, &rt, &mut |g, a| g.pyint_binop(op, &a[0], &a[1]))?
            }
            Op::Bin { op: BinOp::Pow, .. }
                if rt == Ty::Union(vec![Ty::Int, Ty::Float])
                    && args.iter().all(|(t, _)| matches!(t, Ty::Int | Ty::Bool)) =>
            {
                self.int_pow_or_float(&args[0], &args[1], &rt)?
            }
            Op::Bin { op, .. } => {
                let op = *op;
                match self.float_union_op(&args, &rt, Some(op), None)? {
                    Some(v) => v,
                    None => self.dispatch(&args, &rt, &mut |g, a| match g.none_operand(a, &rt, None) {
                        Some(r) => Ok(r),
                        None => g.binop(op, &a[0], &a[1]),
                    })?,
                }
            }
            Op::Unary(u) => {
                let u = *u;
                self.dispatch(&args, &rt, &mut |g, a| match g.none_operand(a, &rt, None) {
                    Some(r) if u != UnaryOp::Not => Ok(r),
                    _ => g.unary(u, &a[0]),
                })?
            }
            Op::Cmp(c) if matches!((&args[0].0, &args[1].0), (Ty::Tuple(_), Ty::Tuple(_))) => {
                vec![self.tuple_compare(*c, &args[0], &args[1])?]
            }
            Op::Cmp(c) => {
                let c = *c;
                match self.float_union_op(&args, &rt, None, Some(c))? {
                    Some(v) => v,
                    None => self.dispatch(&args, &rt, &mut |g, a| match g.none_operand(a, &rt, Some(c)) {
                        Some(r) => Ok(r),
                        None => g.compare(c, &a[0], &a[1]),
                    })?,
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
            Op::Unpack(n) => match &args[0].0 {
                Ty::Array(a) => {
                    // A 1-D array's n elements, an N-D array's n row views (the
                    // parent's object, as `getitem` makes `a[j]`); another length is
                    // CPython's ValueError.
                    let v = &args[0].1;
                    let nd = a.ndim as usize;
                    let slots = abi::ArraySlots::new(nd);
                    let len = v[slots.shape(0)];
                    let wrong = self.b.ins().icmp_imm_s(IntCC::NotEqual, len, i64::from(*n));
                    self.deopt_if(wrong);
                    let fl = MemFlagsData::new().with_notrap();
                    let mut out = Vec::new();
                    for j in 0..i64::from(*n) {
                        let off = self.b.ins().imul_imm_s(v[slots.stride(0)], j);
                        let addr = self.b.ins().iadd(v[0], off);
                        if nd == 1 {
                            out.extend(self.load_elem(a.dtype, addr, fl));
                        } else {
                            out.extend([addr, v[abi::ArraySlots::OBJ]]);
                            out.extend(&v[slots.shape(1)..slots.shape(nd - 1) + 1]);
                            out.extend(&v[slots.stride(1)..slots.stride(nd - 1) + 1]);
                        }
                    }
                    out
                }
                _ => args[0].1.clone(),
            },
            Op::TupleGet(i) => {
                let Ty::Tuple(ts) = &args[0].0 else {
                    return Err(internal("tuple_get"));
                };
                let off: usize = ts[..*i as usize].iter().map(abi::slot_count).sum();
                let n = abi::slot_count(&ts[*i as usize]);
                args[0].1[off..off + n].to_vec()
            }
            Op::GetItem
                if args.len() == 2
                    && matches!(&args[0].0, Ty::Tuple(ts) if ts.iter().any(|t| *t != ts[0]))
                    && !matches!(self.consts.get(&inst.args[1]), Some(Const::Int(_))) =>
            {
                // Scalars of several types read at a run-time index: each coerced to the union.
                let Ty::Tuple(ts) = args[0].0.clone() else {
                    unreachable!()
                };
                let mut elems = Vec::new();
                let mut off = 0;
                for t in &ts {
                    let n = abi::slot_count(t);
                    let v = args[0].1[off..off + n].to_vec();
                    off += n;
                    elems.push(self.coerce(t, v, &rt)?);
                }
                let n = ts.len() as i64;
                let mut i = self.conv_i64(&args[1])?;
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
                let wrapped = self.b.ins().iadd_imm_s(i, n);
                i = self.b.ins().select(neg, wrapped, i);
                let oob = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, i, n);
                self.deopt_if(oob); // IndexError: tuple index out of range
                let mut res = elems[0].clone();
                for (k, e) in elems.iter().enumerate().skip(1) {
                    let is_k = self.b.ins().icmp_imm_s(IntCC::Equal, i, k as i64);
                    res = res
                        .iter()
                        .zip(e)
                        .map(|(r, x)| self.b.ins().select(is_k, *x, *r))
                        .collect();
                }
                res
            }
            Op::GetItem if args.len() == 2 && matches!((&args[0].0, &args[1].0), (Ty::Array(_), Ty::Tuple(_))) => {
                // `a[idx]`, `idx` a tuple of ints: its members are the indexes.
                let Ty::Tuple(ts) = args[1].0.clone() else {
                    unreachable!()
                };
                let mut idx = Vec::new();
                let mut off = 0;
                for t in &ts {
                    let n = abi::slot_count(t);
                    idx.push((t.clone(), args[1].1[off..off + n].to_vec()));
                    off += n;
                }
                self.getitem(&args[0], &idx, None)?
            }
            Op::GetItem => {
                self.addr_key = Some(inst.args.clone());
                let r = self.getitem(&args[0], &args[1..], inst.args.get(1).copied());
                self.addr_key = None;
                r?
            }
            // (a call into NumPy: made above)
            Op::SetShape => return Err(internal("setshape")),
            Op::SetAttr(name) => {
                // (typed only for a record element's field: `a[i]['x'] = v`)
                self.setitem(&args[0], &[(Ty::Str(name.clone()), vec![])], &args[1])?;
                vec![]
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
            // `range(start, stop, step, x)` in `x in range(...)`: a zero step raises ValueError.
            Op::Builtin(name) if name == "range" => {
                let step = self.conv_i64(&args[3])?;
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, step, 0);
                self.deopt_if(zero);
                vec![]
            }
            // Checked by inference (the builtin) and by the operations that follow (the ints).
            Op::Builtin(_) => vec![],
            Op::NdSize => {
                let dims = self.nd_dims(&args[0])?;
                let mut n = self.b.ins().iconst(clt::I64, 1);
                let mut bad = self.b.ins().iconst(clt::I8, 0);
                for d in dims {
                    // A negative dimension raises (NumPy's ValueError); a product past
                    // 64 bits is left to the interpreter.
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, d, 0);
                    let (p, o) = self.b.ins().smul_overflow(n, d);
                    bad = self.b.ins().bor(bad, neg);
                    bad = self.b.ins().bor(bad, o);
                    n = p;
                }
                self.deopt_if(bad);
                vec![n]
            }
            Op::NdIndex => {
                let dims = self.nd_dims(&args[0])?;
                let mut k = self.conv_i64(&args[1])?;
                let mut out = vec![k; dims.len()];
                for a in (1..dims.len()).rev() {
                    // Only reached when every dimension is positive (the trip count is
                    // their product); the divisor is kept nonzero regardless.
                    let one = self.b.ins().iconst(clt::I64, 1);
                    let zero = self.b.ins().icmp_imm_s(IntCC::Equal, dims[a], 0);
                    let d = self.b.ins().select(zero, one, dims[a]);
                    let q = self.b.ins().udiv(k, d);
                    let qd = self.b.ins().imul(q, d);
                    out[a] = self.b.ins().isub(k, qd);
                    k = q;
                }
                out[0] = k;
                out
            }
            Op::Is => self.dispatch(&args, &Ty::Bool, &mut |g, a| {
                let v = match crate::infer::is_rule(&a[0].0, &a[1].0) {
                    Some(crate::infer::IsRule::Const(c)) => g.b.ins().iconst(clt::I8, c as i64),
                    Some(crate::infer::IsRule::BoolEq) => g.b.ins().icmp(IntCC::Equal, a[0].1[0], a[1].1[0]),
                    None => return Err(internal("`is` on types inference rejects")),
                };
                Ok((Ty::Bool, vec![v]))
            })?,
            Op::Contains => {
                let Ty::Tuple(ts) = args[0].0.clone() else {
                    return Err(internal("contains"));
                };
                let mut off = 0;
                let mut elems = Vec::new();
                for t in &ts {
                    let n = abi::slot_count(t);
                    elems.push((t.clone(), args[0].1[off..off + n].to_vec()));
                    off += n;
                }
                let x = args[1].clone();
                // Constant int items within 64 of each other, an int needle:
                // one bit test (`x == c` for ints is the value's equality).
                let consts: Option<Vec<i64>> = elems
                    .iter()
                    .map(|(t, v)| if *t == Ty::Int { self.iconst_value(v[0]) } else { None })
                    .collect();
                let window = consts.filter(|c| c.len() >= 3).and_then(|c| {
                    let (lo, hi) = (*c.iter().min()?, *c.iter().max()?);
                    let span = (hi as i128) - (lo as i128);
                    (span < 64).then(|| (lo, c.iter().fold(0u64, |m, v| m | (1u64 << (v - lo)))))
                });
                self.dispatch(&[x], &Ty::Bool, &mut |g, a| {
                    let int_needle = match &a[0].0 {
                        Ty::Int | Ty::Bool => true,
                        Ty::Np(d) => d.is_int() && *d != Dtype::UInt64 || *d == Dtype::Bool,
                        _ => false,
                    };
                    if let (Some((lo, mask)), true) = (window, int_needle) {
                        let x = g.conv_i64(&a[0])?;
                        let d = g.b.ins().iadd_imm_s(x, lo.wrapping_neg());
                        // (lo = i64::MIN: x - lo wraps, and the unsigned test still holds)
                        let inside = g.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, d, 64);
                        let m = g.b.ins().iconst(clt::I64, mask as i64);
                        let sh = g.b.ins().band_imm_u(d, 63);
                        let bits = g.b.ins().ushr(m, sh);
                        let bit = g.b.ins().band_imm_u(bits, 1);
                        let hit = g.b.ins().icmp_imm_u(IntCC::NotEqual, bit, 0);
                        return Ok((Ty::Bool, vec![g.b.ins().band(inside, hit)]));
                    }
                    let mut acc = g.b.ins().iconst(clt::I8, 0);
                    for e in &elems {
                        let eq = match (&a[0].0, &e.0) {
                            (Ty::NoneT, Ty::NoneT) => g.b.ins().iconst(clt::I8, 1),
                            (Ty::NoneT, _) | (_, Ty::NoneT) => g.b.ins().iconst(clt::I8, 0),
                            _ => g.compare_truth(CmpOp::Eq, e, &a[0])?,
                        };
                        acc = g.b.ins().bor(acc, eq);
                    }
                    Ok((Ty::Bool, vec![acc]))
                })?
            }
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
            GlobalKind::Array(_, id) | GlobalKind::Obj(_, id) => {
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

    /// `a OP b` of two tuples of ints (`infer::tuple_compare_ok`), as CPython's
    /// `tuple_richcompare`: the first index where the items differ decides
    /// (`==` false, `!=` true, an ordering the items' own), else the lengths.
    /// Every item comparison is computed (they cannot raise or have effects)
    /// and the result chosen with selects, from the last index to the first.
    fn tuple_compare(&mut self, op: CmpOp, a: &(Ty, Vals), b: &(Ty, Vals)) -> CResult<CV> {
        let (Ty::Tuple(x), Ty::Tuple(y)) = (&a.0, &b.0) else {
            return Err(internal("tuple comparison"));
        };
        let item = |ts: &[Ty], v: &Vals, i: usize| -> (Ty, Vals) {
            let off: usize = ts[..i].iter().map(abi::slot_count).sum();
            (ts[i].clone(), v[off..off + abi::slot_count(&ts[i])].to_vec())
        };
        let (n, m) = (x.len(), y.len());
        let by_len = match op {
            CmpOp::Eq => n == m,
            CmpOp::Ne => n != m,
            CmpOp::Lt => n < m,
            CmpOp::Le => n <= m,
            CmpOp::Gt => n > m,
            CmpOp::Ge => n >= m,
        };
        let mut res = self.b.ins().iconst(clt::I8, by_len as i64);
        for i in (0..n.min(m)).rev() {
            let (p, q) = (item(x, &a.1, i), item(y, &b.1, i));
            let eq = self.compare(CmpOp::Eq, &p, &q)?;
            let eq = self.truth(&eq)?;
            let differ = match op {
                CmpOp::Eq => self.b.ins().iconst(clt::I8, 0),
                CmpOp::Ne => self.b.ins().iconst(clt::I8, 1),
                _ => {
                    let r = self.compare(op, &p, &q)?;
                    self.truth(&r)?
                }
            };
            res = self.b.ins().select(eq, res, differ);
        }
        Ok(res)
    }

    pub fn attr(&mut self, x: &(Ty, Vals), name: &str) -> CResult<Vals> {
        let field = match &x.0 {
            Ty::Array(a) => a.dtype.attr_field(name, false).is_some(),
            Ty::Np(d) => d.attr_field(name, true).is_some(),
            _ => false,
        };
        if field {
            // `a.x` of a recarray / `a[i].x` of an np.record: `a['x']` / `a[i]['x']`.
            return self.getitem(x, &[(Ty::Str(name.to_string()), vec![])], None);
        }
        // `p.x` of a namedtuple: its item's slots.
        if let Ty::NamedTuple(c, ts) = &x.0 {
            if let Some(i) = crate::types::named_tuple(*c).and_then(|d| d.fields.iter().position(|f| f == name)) {
                let off: usize = ts[..i].iter().map(abi::slot_count).sum();
                return Ok(x.1[off..off + abi::slot_count(&ts[i])].to_vec());
            }
        }
        let (t, v) = x;
        Ok(match (t, name) {
            (Ty::Array(a), "shape") => v[ArraySlots::new(a.ndim as usize).shapes()].to_vec(),
            (Ty::Array(a), "ndim") => vec![self.b.ins().iconst(clt::I64, a.ndim as i64)],
            (Ty::Array(_), "dtype") => vec![],
            (Ty::Np(d), "dtype") if d.is_time() => vec![],
            (Ty::Array(a), "itemsize") => vec![self.b.ins().iconst(clt::I64, a.dtype.itemsize())],
            (Ty::Array(a), "size") => {
                let mut acc = self.b.ins().iconst(clt::I64, 1);
                for k in 0..a.ndim as usize {
                    acc = self.b.ins().imul(acc, v[ArraySlots::new(a.ndim as usize).shape(k)]);
                }
                vec![acc]
            }
            (Ty::Array(a), "T") => {
                let s = ArraySlots::new(a.ndim as usize);
                let mut out = vec![v[ArraySlots::DATA], v[ArraySlots::OBJ]];
                out.extend(v[s.shapes()].iter().rev());
                out.extend(v[s.strides()].iter().rev());
                out
            }
            // (a complex array's part: its slots, the data moved to the part's offset)
            (Ty::Array(_), "real" | "imag") if crate::infer::complex_part(t, name).is_some() => {
                let (_, offset) = crate::infer::complex_part(t, name).unwrap();
                let mut out = v.clone();
                if offset != 0 {
                    out[ArraySlots::DATA] = self.b.ins().iadd_imm_s(v[ArraySlots::DATA], offset);
                }
                out
            }
            (Ty::Complex | Ty::Np(Dtype::Complex128 | Dtype::Complex64), "real") => vec![v[0]],
            (Ty::Complex | Ty::Np(Dtype::Complex128 | Dtype::Complex64), "imag") => vec![v[1]],
            (Ty::Np(Dtype::Float16), "real") => vec![v[0]],
            (Ty::Np(Dtype::Float16), "imag") => vec![self.b.ins().iconst(clt::I16, 0)],
            (Ty::Float, "real") | (Ty::Int, "real") => vec![v[0]],
            (Ty::Float, "imag") => vec![self.b.ins().f64const(0.0)],
            (Ty::Int, "imag") => vec![self.b.ins().iconst(clt::I64, 0)],
            _ => return Err(internal(format!("attribute {name} of {t}"))),
        })
    }
}

impl Gen<'_, '_> {
    /// The dimensions of a shape (an int or a tuple of ints), as i64s.
    fn nd_dims(&mut self, shape: &TV) -> CResult<Vec<CV>> {
        match &shape.0 {
            Ty::Tuple(ts) => {
                let mut out = Vec::new();
                let mut off = 0;
                for t in ts {
                    let n = abi::slot_count(t);
                    out.push(self.conv_i64(&(t.clone(), shape.1[off..off + n].to_vec()))?);
                    off += n;
                }
                Ok(out)
            }
            _ => Ok(vec![self.conv_i64(shape)?]),
        }
    }

    /// `int ** int` typed `int | float` (the dispatcher saw a negative
    /// exponent): an int for a non-negative exponent, else CPython's
    /// `float(x) ** float(y)` (a zero base deoptimizes: the interpreter raises).
    fn int_pow_or_float(&mut self, a: &TV, b: &TV, rt: &Ty) -> CResult<Vals> {
        let y = self.conv_i64(b)?;
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, y, 0);
        let (as_int, as_float, merge) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let slots = abi::slot_types(rt);
        for st in &slots {
            self.b.append_block_param(merge, cl_ty(*st));
        }
        self.b.ins().brif(neg, as_float, &[], as_int, &[]);
        self.b.switch_to_block(as_int);
        let (t, v) = self.binop(BinOp::Pow, a, b)?;
        let v = self.coerce(&t, v, rt)?;
        let args: Vec<BlockArg> = v.into_iter().map(BlockArg::Value).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(as_float);
        let x = self.conv_i64(a)?;
        let out = self.stack(8);
        let st = self.call("pyston_ipow_neg", &[x, y, out])?[0];
        self.deopt_if(st);
        let r = self.b.ins().load(clt::F64, MemFlagsData::trusted(), out, 0);
        let v = self.coerce(&Ty::Float, vec![r], rt)?;
        let args: Vec<BlockArg> = v.into_iter().map(BlockArg::Value).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(merge);
        Ok(self.b.block_params(merge).to_vec())
    }
}
