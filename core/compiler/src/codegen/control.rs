//! Control flow: loops (and the temporaries they release), branch edges, preheader guards, terminators and if-conversion.

use super::*;

impl Gen<'_, '_> {
    // ---- temporaries in loops ---------------------------------------------------

    pub fn preds_of(&self, b: Block) -> &[Block] {
        &self.preds[b.0 as usize]
    }

    /// Whether `b` heads a loop (one of its predecessors is dominated by it).
    pub fn is_loop_header(&self, b: Block) -> bool {
        self.preds_of(b).iter().any(|p| self.dominates(b, *p))
    }

    pub fn dominates(&self, a: Block, b: Block) -> bool {
        ir::cfg::dominates(&self.idom, a, b)
    }

    /// Whether branch condition `c` is `x == x` (perhaps through `truth`) of a
    /// float or time value: false only for NaN or NaT.
    fn self_equality_test(&self, c: Value) -> bool {
        let Some(&(b, k)) = self.defs.get(&c) else { return false };
        let inst = &self.f.block(b).insts[k];
        match inst.op {
            Op::Truth => self.self_equality_test(inst.args[0]),
            Op::Cmp(CmpOp::Eq) => {
                inst.args.len() == 2
                    && inst.args[0] == inst.args[1]
                    && matches!(self.ty(inst.args[0]), Ty::Float | Ty::Np(_))
            }
            _ => false,
        }
    }

    /// Whether the loop headed by `header` is a counted loop `for j in
    /// range(c, X.shape[k])` (or `range(len(X))`, `c` a constant >= 0, step a
    /// positive constant), or `for v in X` over an array, nested in another loop. Its back edge skips the
    /// Ctrl-C test: it runs at most as many iterations as an array has along
    /// one axis (like one NumPy call, which cannot be interrupted either), and
    /// the enclosing loop's back edge tests the flag when it is done. A signal
    /// is then handled at most that much later, which is a moment it could
    /// have arrived at in CPython too.
    pub fn array_bounded_inner_loop(&self, header: Block) -> bool {
        let h = self.f.block(header);
        let Some(cmp) = h.insts.first() else { return false };
        if cmp.op != Op::Cmp(CmpOp::Lt) || cmp.args.len() != 2 {
            return false;
        }
        let (var, stop) = (cmp.args[0], cmp.args[1]);
        let Some(vi) = h.params.iter().position(|p| *p == var) else {
            return false;
        };
        let def = |v: Value| -> Option<&ir::Inst> {
            let (b, k) = *self.defs.get(&v)?;
            self.f.block(b).insts.get(k)
        };
        let const_int = |v: Value| match self.consts.get(&v) {
            Some(Const::Int(c)) => Some(*c),
            _ => None,
        };
        let is_array = |v: Value| matches!(self.typed.ty(v), Ty::Array(_));
        // stop: X.shape[k] or len(X).
        let Some(sd) = def(stop) else { return false };
        let dim = match sd.op {
            Op::GetItem if sd.args.len() == 2 && const_int(sd.args[1]).is_some() => {
                def(sd.args[0]).is_some_and(|t| matches!(&t.op, Op::Attr(n) if n == "shape") && is_array(t.args[0]))
            }
            Op::Call { ref kw } if kw.is_empty() && sd.args.len() == 2 => {
                *self.typed.ty(sd.args[0]) == Ty::Builtin(Builtin::Len) && is_array(sd.args[1])
            }
            // `for v in X`: the iteration's own length.
            Op::Len if sd.args.len() == 1 => is_array(sd.args[0]),
            _ => false,
        };
        if !dim {
            return false;
        }
        // Entered at a constant >= 0, stepped by a positive constant.
        let mut entry_ok = false;
        let mut step_ok = false;
        for &p in self.preds_of(header) {
            let Term::Jump(e) = &self.f.block(p).term else {
                return false;
            };
            if !self.dominates(header, p) && const_int(e.args[vi]).is_some_and(|c| c >= 0) {
                entry_ok = true; // (`for v in X` starts at index 0)
                continue;
            }
            let Some(a) = def(e.args[vi]) else { return false };
            if a.op != Op::RangeNext || a.args.len() != 2 {
                return false;
            }
            if self.dominates(header, p) {
                step_ok = a.args[0] == var && const_int(a.args[1]).is_some_and(|c| c > 0);
                if !step_ok {
                    return false;
                }
            } else {
                entry_ok = const_int(a.args[0]).is_some_and(|c| c >= 0) && a.args[0] == a.args[1];
                if !entry_ok {
                    return false;
                }
            }
        }
        // Nested: the header lies in another loop (whose back edge tests the flag).
        entry_ok
            && step_ok
            && ir::cfg::loops(self.f)
                .iter()
                .any(|lp| lp.header != header && lp.contains(header))
    }

    /// Finds the loops that create objects (NumPy calls, allocations, calls to
    /// compiled functions) and gives each a slot for its arena mark; notes the
    /// variables holding arrays each one rebinds (see [`Gen::release_rebound`]).
    pub fn plan_loop_collection(&mut self) {
        let preds = self.f.predecessors();
        // The natural loop of each header: the union over its back edges.
        let mut bodies: Vec<(Block, HashSet<Block>)> = Vec::new();
        for b in self.f.rpo() {
            for e in self.f.block(b).term.successors() {
                let h = e.block;
                if !self.dominates(h, b) {
                    continue;
                }
                let k = match bodies.iter().position(|(x, _)| *x == h) {
                    Some(k) => k,
                    None => {
                        bodies.push((h, [h].into_iter().collect()));
                        bodies.len() - 1
                    }
                };
                let body = &mut bodies[k].1;
                let mut todo = vec![b];
                while let Some(x) = todo.pop() {
                    if body.insert(x) {
                        todo.extend(preds[x.0 as usize].iter().copied());
                    }
                }
            }
        }
        let mut lazy_handlers: HashMap<Block, bool> = HashMap::new();
        for (h, body) in bodies {
            // A `try` body in the loop: caught exceptions made as objects go to
            // the arena (not where it raises only tagged words to a handler that
            // takes them: `try_body_raises_lazily`).
            let allocates = body
                .iter()
                .any(|blk| !self.try_body_raises_lazily(*blk, &mut lazy_handlers))
                || body.iter().any(|blk| {
                    self.f.block(*blk).insts.iter().enumerate().any(|(k, i)| {
                        // (a `numpy.random` scalar draw keeps no object: `InlineRng`; nor
                        // does an array of draws kept in a buffer: `stack_arrays`)
                        let draw = self.env.pycalls.get(&(*blk, k)).is_some_and(|s| {
                            (s.inline_rng.is_some() && s.rng_size_slot.is_none())
                                || i.result.is_some_and(|r| self.stack_arrays.contains_key(&r))
                        });
                        (self.env.pycalls.contains_key(&(*blk, k)) && !draw)
                            || (matches!(i.op, Op::Call { .. } | Op::MethodCall { .. })
                                && !draw
                                && self.call_may_allocate(i))
                            || i.result.is_some_and(|r| {
                                matches!(
                                    self.typed.ty(r),
                                    Ty::PyInt | Ty::Iter(_) | Ty::LocalIter(..) | Ty::PyStr
                                )
                            })
                            || (i.op == Op::List
                                && i.result
                                    .is_some_and(|r| matches!(self.typed.ty(r), Ty::List(_) | Ty::LocalList(_))))
                    })
                });
            if !allocates {
                continue;
            }
            let ss = self
                .b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
            self.loop_marks.insert(h, ss);
            // Per variable bound to arrays in the loop: a slot for the object
            // pointers of its latest value.
            let mut names: HashMap<u32, usize> = HashMap::new();
            for blk in &body {
                for i in &self.f.block(*blk).insts {
                    let Some(r) = i.result else { continue };
                    let n = array_count(self.typed.ty(r)).min(4);
                    if n > 0 {
                        if let Some(id) = self.name_of(r) {
                            let e = names.entry(id).or_insert(0);
                            *e = (*e).max(n);
                        }
                    }
                }
            }
            let mut slots: Vec<(u32, clir::StackSlot, usize)> = names
                .into_iter()
                .map(|(id, n)| {
                    let data = StackSlotData::new(StackSlotKind::ExplicitSlot, 8 * n as u32, 3);
                    (id, self.b.create_sized_stack_slot(data), n)
                })
                .collect();
            slots.sort_by_key(|x| x.0);
            self.loop_held.insert(h, (body, slots));
        }
    }

    /// A value's variable name, as an id for `pyston_arena_release_name`.
    pub fn name_of(&mut self, v: Value) -> Option<u32> {
        let name = self.f.values[v.0 as usize].name.as_ref()?;
        let next = self.name_ids.len() as u32;
        Some(*self.name_ids.entry(name.clone()).or_insert(next))
    }

    /// Whether block `blk` raises into its handler (if it has one) only tagged
    /// words (`abi::LazyExc`) the handler keeps as they are: its instructions
    /// are arithmetic and comparisons of plain scalars (which raise nothing
    /// but tagged `ZeroDivisionError`s, or deoptimize), and the handler takes
    /// tagged words (`takes_lazy_exc`, memoized in `memo`). Nothing it catches
    /// is then put in the call's arena.
    fn try_body_raises_lazily(&self, blk: Block, memo: &mut HashMap<Block, bool>) -> bool {
        let bd = self.f.block(blk);
        let Some(h) = &bd.handler else { return true };
        let scalar = |v: &Value| matches!(self.typed.ty(*v), Ty::Int | Ty::Float | Ty::Bool);
        let plain = bd.insts.iter().all(|i| {
            let op_ok = match &i.op {
                // (a power may raise OverflowError, a shift ValueError: made as objects)
                Op::Bin { op, .. } => !matches!(op, BinOp::Pow | BinOp::LShift | BinOp::RShift | BinOp::MatMul),
                Op::Const(_) | Op::Unary(_) | Op::Cmp(_) | Op::Truth => true,
                _ => false,
            };
            op_ok && i.args.iter().all(scalar) && i.result.iter().all(scalar)
        });
        plain && *memo.entry(h.block).or_insert_with(|| self.takes_lazy_exc(h.block))
    }

    /// After instruction `at` bound a variable to an array: releases the array
    /// the variable held at the end of the previous iteration of each loop
    /// around it, as CPython drops a variable's old value when it is rebound,
    /// and notes the new one for the loop's back edge (see `pyston_arena_collect`).
    pub fn release_rebound(&mut self, at: (Block, usize)) -> CResult<()> {
        let Some(r) = self.f.block(at.0).insts[at.1].result else {
            return Ok(());
        };
        let t = self.ty(r);
        if self.loop_held.is_empty() || array_count(&t) == 0 {
            return Ok(());
        }
        let Some(id) = self.name_of(r) else { return Ok(()) };
        let mut loops: Vec<(Block, clir::StackSlot, usize)> = Vec::new();
        for (h, (body, slots)) in &self.loop_held {
            if body.contains(&at.0) {
                if let Some((_, ss, n)) = slots.iter().find(|x| x.0 == id) {
                    loops.push((*h, *ss, *n));
                }
            }
        }
        loops.sort_by_key(|x| x.0);
        let mut objs = Vec::new();
        if let Some(v) = self.vals.get(&r).cloned() {
            Self::obj_slots(&t, &v, &mut objs);
        }
        let ctx = self.ctx.unwrap();
        for (h, ss, n) in loops {
            let mark = self.b.ins().stack_load(clt::I64, clt::I64, self.loop_marks[&h], 0);
            let idv = self.b.ins().iconst(clt::I64, id as i64);
            self.call("pyston_arena_release_name", &[ctx, mark, idv])?;
            for k in 0..n {
                let o = match objs.get(k) {
                    Some(o) => *o,
                    None => self.b.ins().iconst(clt::I64, 0),
                };
                self.b.ins().stack_store(clt::I64, o, ss, 8 * k as i32);
            }
        }
        Ok(())
    }

    /// Whether a call can leave temporaries in the arena. Builtins and dtype
    /// conversions on plain scalars (`int(x)`, `abs(x)`, `math.sqrt(x)`,
    /// `np.float32(x)`) cannot; compiled callees, and anything taking or making
    /// an array or a boxed int, may. So may any method call other than a module
    /// function (`math.sqrt(x)` is plain, `a.copy()` is not).
    pub fn call_may_allocate(&self, i: &ir::Inst) -> bool {
        // Calls on characters held as code points and on split items leave nothing there.
        if i.args
            .iter()
            .any(|a| self.chars.contains(a) || self.split_items.contains(a))
        {
            return false;
        }
        fn holds_object(t: &Ty) -> bool {
            match t {
                Ty::Array(_) | Ty::PyInt | Ty::PyFunc(_) | Ty::Func(_) => true,
                t if t.is_object() => true,
                Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Union(ts) | Ty::Slice(ts) => ts.iter().any(holds_object),
                _ => false,
            }
        }
        // Native list operations (`codegen/lists.rs`: append, len) leave nothing in
        // the arena; the others are calls into Python, counted as such.
        let list_arg = |k: usize| {
            i.args.get(k).is_some_and(|a| {
                matches!(
                    self.typed.ty(*a),
                    Ty::List(_) | Ty::LocalList(_) | Ty::Dict(..) | Ty::LocalDict(..) | Ty::Set(_)
                )
            })
        };
        match i.op {
            Op::MethodCall { .. } if list_arg(0) => return false,
            Op::Call { .. } if *self.typed.ty(i.args[0]) == Ty::Builtin(Builtin::Len) && list_arg(1) => return false,
            _ => {}
        }
        let plain_callee = match i.op {
            Op::MethodCall { .. } => {
                matches!(self.typed.ty(i.args[0]), Ty::Module(_))
                    && i.result
                        .and_then(|r| self.typed.globals.get(&r))
                        .is_some_and(|g| matches!(g, GlobalKind::Builtin(_) | GlobalKind::DtypeObj(_)))
            }
            // (a namedtuple made natively: its items' slots, no object)
            _ => matches!(
                self.typed.ty(i.args[0]),
                Ty::Builtin(_) | Ty::DtypeObj(_) | Ty::NamedTupleClass(_)
            ),
        };
        let objects = i.args[1..].iter().any(|a| holds_object(self.typed.ty(*a)))
            || i.result.is_some_and(|r| holds_object(self.typed.ty(r)));
        !plain_callee || objects
    }

    /// Object pointers held by a value (arrays; arrays inside tuples).
    pub fn obj_slots(t: &Ty, v: &[CV], out: &mut Vec<CV>) {
        match t {
            Ty::Array(_) => out.push(v[ArraySlots::OBJ]),
            t if *t == Ty::PyInt || t.is_object() => out.push(v[0]),
            Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => {
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
            let slots = self.loop_held.get(&e.block).map(|x| x.1.clone()).unwrap_or_default();
            for (_, ss, n) in slots {
                let zero = self.b.ins().iconst(clt::I64, 0);
                for k in 0..n {
                    self.b.ins().stack_store(clt::I64, zero, ss, 8 * k as i32);
                }
            }
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
        // The arrays variables hold at the end of this iteration (as noted where
        // they were bound), kept until the next iteration rebinds them.
        let mut named = Vec::new();
        let slots = self.loop_held.get(&e.block).map(|x| x.1.clone()).unwrap_or_default();
        for (id, ss, n) in slots {
            for k in 0..n {
                let o = self.b.ins().stack_load(clt::I64, clt::I64, ss, 8 * k as i32);
                named.push((o, id));
            }
        }
        let buf = self.stack(8 * live.len().max(1) as u32);
        for (i, v) in live.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *v, buf, 8 * i as i32);
        }
        let nbuf = self.stack(16 * named.len().max(1) as u32);
        for (i, (v, id)) in named.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *v, nbuf, 16 * i as i32);
            let idv = self.b.ins().iconst(clt::I64, *id as i64);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), idv, nbuf, 16 * i as i32 + 8);
        }
        let mark = self.b.ins().stack_load(clt::I64, clt::I64, ss, 0);
        let n = self.b.ins().iconst(clt::I64, live.len() as i64);
        let m = self.b.ins().iconst(clt::I64, named.len() as i64);
        self.call("pyston_arena_collect", &[ctx, mark, buf, n, nbuf, m])?;
        Ok(())
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
            if !self.env.sem.boundscheck && matches!(g, facts::Guard::Upper { .. } | facts::Guard::UpperDim { .. }) {
                continue; // out-of-range indexes are the user's promise under boundscheck=False
            }
            match g {
                facts::Guard::AtMost { base, limit } => {
                    let bv = (self.ty(base), self.val(base)?);
                    let v = self.conv_i64(&bv)?;
                    let bad = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, v, limit);
                    self.deopt_if(bad);
                }
                facts::Guard::Lower { base, offset } => {
                    // An int, np.int32 or a union of ints: as i64.
                    let bv = (self.ty(base), self.val(base)?);
                    let v = self.conv_i64(&bv)?;
                    let c = self.b.ins().iconst(clt::I64, offset);
                    let (s, of) = self.b.ins().sadd_overflow(v, c);
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, s, 0);
                    let bad = self.b.ins().bor(neg, of);
                    self.deopt_if(bad);
                }
                facts::Guard::UpperDim {
                    src,
                    src_axis,
                    offset,
                    array,
                    axis,
                } => {
                    let dim_of = |g: &mut Self, a: Value, k: usize| -> CResult<CV> {
                        let nd = match g.ty(a) {
                            Ty::Array(t) => t.ndim as usize,
                            _ => return Err(internal("guard on a non-array")),
                        };
                        Ok(g.val(a)?[ArraySlots::new(nd).shape(k)])
                    };
                    let v = dim_of(self, src, src_axis)?;
                    let dim = dim_of(self, array, axis)?;
                    let c = self.b.ins().iconst(clt::I64, offset);
                    let (s, of) = self.b.ins().sadd_overflow(v, c);
                    let over = self.b.ins().icmp(IntCC::SignedGreaterThan, s, dim);
                    let bad = self.b.ins().bor(over, of);
                    self.deopt_if(bad);
                }
                facts::Guard::Upper {
                    base,
                    more,
                    offset,
                    array,
                    axis,
                } => {
                    // An int, np.int32 or a union of ints: as i64.
                    let bv = (self.ty(base), self.val(base)?);
                    let v = self.conv_i64(&bv)?;
                    let nd = match self.ty(array) {
                        Ty::Array(a) => a.ndim as usize,
                        _ => return Err(internal("guard on a non-array")),
                    };
                    let dim = self.val(array)?[ArraySlots::new(nd).shape(axis)];
                    let c = self.b.ins().iconst(clt::I64, offset);
                    let (mut s, mut of) = self.b.ins().sadd_overflow(v, c);
                    for m in more {
                        let mv = (self.ty(m), self.val(m)?);
                        let x = self.conv_i64(&mv)?;
                        let (s2, of2) = self.b.ins().sadd_overflow(s, x);
                        of = self.b.ins().bor(of, of2);
                        s = s2;
                    }
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
        if t.uses()
            .iter()
            .any(|v| !self.vals.contains_key(v) || self.ty(*v) == Ty::Bottom)
        {
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
                    for (_, plan) in self.plans.clone() {
                        args = plan.enter_loop(self, e.block, args)?;
                    }
                    self.note_nat_entry(e.block, &args);
                }
                let target = self.blocks[&e.block];
                if self.dominates(e.block, from) && self.env.signal_flag != 0 && !self.array_bounded_inner_loop(e.block)
                {
                    // A back edge: leave for the interpreter tier when Ctrl-C
                    // arrived (`pyston_runtime::signals`); one load and a branch.
                    let addr = self.b.ins().iconst(clt::I64, self.env.signal_flag as i64);
                    let flag = self.b.ins().load(clt::I32, MemFlagsData::trusted(), addr, 0);
                    let set = self.b.ins().icmp_imm_u(IntCC::NotEqual, flag, 0);
                    let k = self.f.block(from).insts.len();
                    // A loop whose complex64 tests wait for its exit (`exit_check`)
                    // leaves from its start: the interpreter runs it again.
                    let restart = self.facts.exit_checks.values().find(|c| c.header == e.block);
                    let d = match restart.map(|c| c.preheader) {
                        Some(p) if self.env.sem.float_warnings => {
                            let pk = self.f.block(p).insts.len();
                            self.deopt_block(p, pk)
                        }
                        _ => self.deopt_block(from, k),
                    };
                    self.b.ins().brif(set, d, &[], target, &args);
                } else {
                    self.b.ins().jump(target, &args);
                }
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
                if loop_test || self.self_equality_test(*c) {
                    // Cranelift lays out a branch's *last* successor right after it: at a
                    // loop's test the condition is inverted so that the body falls through
                    // and the back edge is the loop's only taken jump. (An `if` keeps the
                    // `else` side inline: the rare case is usually the `then` arm; not
                    // after `if x == x:`, a NaN or NaT test, whose `else` side is rare.)
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
            Term::Raise(v) if self.ty(*v) == Ty::Obj(ObjClass::Exception) => self.reraise(*v)?,
            Term::Raise(_) | Term::AssertFail(_) | Term::Unreachable | Term::Yield { .. } => {
                // The interpreter raises with CPython's own machinery; at a
                // `yield` it hands back the generator's suspended state.
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
    /// non-trapping scalar operations (no call, no division by a variable, no
    /// memory access but a reload of an array element a dominating block loaded,
    /// which is then in bounds) whose only predecessor is this branch, and both reach the same
    /// block, which is not a loop header. A deopt inside an arm fires only when
    /// the arm is the one taken. This turns data-dependent branches
    /// (`if flags[i]: count += 1`) into `cmov`s. Not when the condition depends on
    /// a value the loop carries (other than a `range` counter) through an
    /// ordered comparison (`ordered_recurrence`): there the branch version
    /// breaks the loop's dependency chain and predicts well (`if v > best:
    /// best = v` over 100,000 floats: 152 us as a branch, 342 us with a
    /// select). A carried value tested by its bits (`if (crc & 1) ^ (b & 1)`,
    /// `if x & 1`, `if x % 2 == 0`) is as good as random to the branch
    /// predictor, and there the select wins: npbench's crc16 42.7 -> 19.5 us,
    /// a xorshift bit count 667 -> 259 us, Collatz steps 415 -> 381 us.
    /// Float results are picked by a bit select of the two
    /// values (`float_select`): the chosen value's bits, exactly the branch's
    /// (`if a[i] > t: s += a[i]`, NaN and -0.0 included).
    pub fn if_convertible(&self, c: Value, a: &ir::Edge, b: &ir::Edge) -> Option<Block> {
        let (from, _) = self.cur_inst;
        let arm = |e: &ir::Edge| -> Option<Block> {
            // The block the arm ends in: the edge's target, the target of the
            // arm block's jump, or where a diamond inside the arm goes on to
            // (`lo if x < lo else (hi if x > hi else x)`).
            if self.preds_of(e.block).len() == 1 && e.args.is_empty() {
                let data = self.f.block(e.block);
                if !data.params.is_empty() || !self.arm_is_cheap(e.block) {
                    return None;
                }
                match &data.term {
                    Term::Jump(j) => return Some(j.block),
                    Term::Br(..) => {
                        let m2 = self.diamond_arm(e.block)?;
                        let Term::Jump(j) = &self.f.block(m2).term else {
                            return None;
                        };
                        return Some(j.block);
                    }
                    _ => {}
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
            && !self.ordered_recurrence(c, 0);
        ok.then_some(merge)
    }

    /// For an arm block ending in a branch (`blk`): the block its two simple,
    /// cheap arms meet in, when that block has no other predecessors, no
    /// instructions and only jumps on (a diamond an enclosing if-conversion can
    /// take whole).
    pub fn diamond_arm(&self, blk: Block) -> Option<Block> {
        let Term::Br(c2, a2, b2) = &self.f.block(blk).term else {
            return None;
        };
        let simple = |e: &ir::Edge| -> Option<Block> {
            let data = self.f.block(e.block);
            match &data.term {
                Term::Jump(j)
                    if self.preds_of(e.block).len() == 1
                        && e.args.is_empty()
                        && data.params.is_empty()
                        && self.arm_is_cheap(e.block) =>
                {
                    Some(j.block)
                }
                _ => None,
            }
        };
        let m2 = match (simple(a2), simple(b2)) {
            (Some(x), Some(y)) if x == y => x,
            (Some(x), None) if x == b2.block => x,
            (None, Some(y)) if y == a2.block => y,
            _ => return None,
        };
        let d2 = self.f.block(m2);
        let ok = self.preds_of(m2).len() == 2
            && d2.insts.is_empty()
            && matches!(d2.term, Term::Jump(_))
            && !self.typed.cold.contains(&m2)
            && !self.loop_marks.contains_key(&m2)
            && !self.ordered_recurrence(*c2, 0);
        ok.then_some(m2)
    }

    /// Whether `v` depends, within one loop iteration, on an ordered comparison
    /// (`< <= > >=`) of a loop-carried value other than a `range` counter
    /// (unknown: yes): a branch on it follows the carried value's course
    /// (a running maximum, a threshold crossed once), which predicts well,
    /// while equality and bit tests of a carried value (a checksum's or a
    /// hash's low bit) do not.
    pub fn ordered_recurrence(&self, v: Value, depth: u32) -> bool {
        if depth > 24 {
            return true;
        }
        let Some(&(b, k)) = self.defs.get(&v) else {
            // A merge inside the iteration: what reaches it (a loop header's or
            // the entry's parameter is a value, not a comparison).
            let Some(&(b, i)) = self.param_defs.get(&v) else {
                return false;
            };
            if self.is_loop_header(b) {
                return false;
            }
            return self
                .incoming(b, i)
                .iter()
                .any(|(_, a)| self.ordered_recurrence(*a, depth + 1));
        };
        let inst = &self.f.block(b).insts[k];
        match inst.op {
            Op::Cmp(CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge) => {
                inst.args.iter().any(|a| self.in_recurrence(*a, depth + 1))
            }
            _ => inst.args.iter().any(|a| self.ordered_recurrence(*a, depth + 1)),
        }
    }

    /// The values block `b`'s parameter `i` receives, with the predecessor passing each.
    fn incoming(&self, b: Block, i: usize) -> Vec<(Block, Value)> {
        self.preds_of(b)
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
            .collect()
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
        let incoming = self.incoming(b, i);
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
            if self.plans.iter().any(|(_, p)| p.claims((blk, k))) || self.env.pycalls.contains_key(&(blk, k)) {
                return false;
            }
            let Some(r) = inst.result else { return false };
            // Reading a module or a NumPy scalar type (`np` in `np.uint8(255)`): no code.
            if matches!(inst.op, Op::Global(_) | Op::Import(_) | Op::Attr(_))
                && matches!(self.typed.ty(r), Ty::Module(_) | Ty::DtypeObj(_))
            {
                continue;
            }
            // `np.uint8(255)`: a conversion of a number to a NumPy int (its range
            // check deoptimizes only when the arm is the one taken).
            if let (Op::MethodCall { kw, .. }, [m, x]) = (&inst.op, inst.args.as_slice()) {
                let int_dtype = matches!(
                    self.typed.globals.get(&r),
                    Some(GlobalKind::DtypeObj(d)) if d.is_int() || *d == Dtype::Bool
                );
                if kw.is_empty()
                    && int_dtype
                    && matches!(self.typed.ty(*m), Ty::Module(_))
                    && matches!(self.typed.ty(*x), Ty::Int | Ty::Bool)
                {
                    cost += 1;
                    continue;
                }
                return false;
            }
            // NumPy floats in comparisons, truth tests and `+ - *` (plain IEEE
            // operations: NumPy's warnings for them are not reproduced, see
            // `float_op`); NumPy ints anywhere (their overflow checks deoptimize
            // only when the arm is the one taken). `float | np.float64` (a sum
            // that starts as a Python float) in `+ - *` too: one float payload.
            // (float16 operands convert with an overflow check: not speculated.)
            let real_np = |t: &Ty| matches!(t, Ty::Np(d) if d.kind() == Kind::Float && *d != Dtype::Float16);
            let int_np = |t: &Ty| matches!(t, Ty::Np(d) if d.is_int() || *d == Dtype::Bool);
            let float_union = |t: &Ty| matches!(t, Ty::Union(ms) if ms.iter().all(|m| matches!(m, Ty::Float | Ty::Np(Dtype::Float64))));
            let test = matches!(inst.op, Op::Cmp(_) | Op::Truth);
            let arith = matches!(
                inst.op,
                Op::Bin {
                    op: BinOp::Add | BinOp::Sub | BinOp::Mul,
                    ..
                }
            );
            // A load of an array element a dominating block already loaded (the same
            // array and index values): in bounds, as that load's check passed or was
            // proven, so it may run whatever the branch says (`if a[i] > t: s += a[i]`).
            if inst.op == Op::GetItem {
                let rt = self.typed.ty(r);
                if !(scalar(rt) || int_np(rt) || real_np(rt)) || !self.repeats_load(blk, inst) {
                    return false;
                }
                cost += 1;
                continue;
            }
            let operand =
                |t: &Ty| scalar(t) || int_np(t) || ((test || arith) && real_np(t)) || (arith && float_union(t));
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

    /// Whether a block dominating `blk` (not `blk`) loads the element `load`
    /// loads, from an array: the same array and index values.
    fn repeats_load(&self, blk: Block, load: &ir::Inst) -> bool {
        if !matches!(self.typed.ty(load.args[0]), Ty::Array(_)) {
            return false;
        }
        self.f.blocks.iter().enumerate().any(|(bi, d)| {
            let b = Block(bi as u32);
            b != blk && self.dominates(b, blk) && d.insts.iter().any(|i| i.op == Op::GetItem && i.args == load.args)
        })
    }

    /// A conditional float sum whose merge needs no select: one arm ends in
    /// `r = s + x` (float64; `s` a `float | np.float64` sum) and jumps to the
    /// merge passing `r` where the other side passes `s`, and `s` is a loop's
    /// carried sum that starts at a float constant (not a NaN) and is carried
    /// on as that merge's value. Returns the add's position, `s` and `x`.
    ///
    /// The arm then computes `r = s + (x if taken else -0.0)` (the term picked
    /// by a bit select, off the sum's dependency chain) and the merge takes `r`
    /// on both sides: where the arm is not taken, `s + -0.0` is `s` bit for bit
    /// for every `s` the sum can hold (`-0.0 + -0.0` is `-0.0`, `+0.0 + -0.0`
    /// is `+0.0`, a finite or infinite `y` stays `y`, a quiet NaN comes back
    /// with its own bits). Only a signaling NaN would change (quieted); `s` is
    /// never one: its start is a constant that is not a NaN, and every later
    /// value is a float add's result (quiet) or an earlier value.
    #[allow(clippy::type_complexity)]
    fn neg_zero_add(&self, a: &ir::Edge, b: &ir::Edge, merge: Block) -> Option<((Block, usize), (Value, Value))> {
        let f64ish = |t: &Ty| match t {
            Ty::Float | Ty::Np(Dtype::Float64) => true,
            Ty::Union(ms) => ms.iter().all(|m| matches!(m, Ty::Float | Ty::Np(Dtype::Float64))),
            _ => false,
        };
        for (arm, other) in [(a, b), (b, a)] {
            if arm.block == merge {
                continue;
            }
            let d = self.f.block(arm.block);
            let (Term::Jump(j), Some(last)) = (&d.term, d.insts.last()) else {
                continue;
            };
            let Some(r) = last.result else { continue };
            let other_args = if other.block == merge {
                &other.args
            } else {
                match &self.f.block(other.block).term {
                    Term::Jump(oj) if oj.block == merge => &oj.args,
                    _ => continue,
                }
            };
            let add = matches!(last.op, Op::Bin { op: BinOp::Add, .. }) && last.args.len() == 2;
            let uses =
                j.args.iter().filter(|v| **v == r).count() + d.insts.iter().filter(|i| i.args.contains(&r)).count();
            if j.block != merge || !add || uses != 1 || !matches!(self.typed.ty(r), Ty::Float | Ty::Np(Dtype::Float64))
            {
                continue;
            }
            let pos = j.args.iter().position(|v| *v == r)?;
            let s = other_args[pos];
            let x = match (last.args[0] == s, last.args[1] == s) {
                (true, false) => last.args[1],
                (false, true) => last.args[0],
                _ => continue,
            };
            if !f64ish(self.typed.ty(s)) || !f64ish(self.typed.ty(x)) {
                continue;
            }
            // `s`: a loop header's parameter, a non-NaN float constant on entry and the
            // merge's parameter on the back edge.
            let Some(&(h, pi)) = self.param_defs.get(&s) else {
                continue;
            };
            let m = self.f.block(merge).params.get(pos).copied();
            let carried = self.is_loop_header(h)
                && self.preds_of(h).iter().all(|&p| {
                    self.f
                        .block(p)
                        .term
                        .successors()
                        .iter()
                        .filter(|e| e.block == h)
                        .all(|e| {
                            let v = e.args[pi];
                            if self.dominates(h, p) {
                                Some(v) == m
                            } else {
                                matches!(self.consts.get(&v), Some(Const::Float(c)) if !c.is_nan())
                            }
                        })
                });
            if carried {
                return Some(((arm.block, d.insts.len() - 1), (s, x)));
            }
        }
        None
    }

    /// `c ? x : y` of two floats without a branch (Cranelift lowers a scalar
    /// float select to a jump around a move): lane 0 of a bit select by a mask
    /// of all ones where `c` is nonzero. The bits of `x` or `y`, unchanged.
    fn float_select(&mut self, c: CV, x: CV, y: CV) -> CV {
        let t = self.b.func.dfg.value_type(x);
        let (it, vt, ivt) = if t == clt::F64 {
            (clt::I64, clt::F64X2, clt::I64X2)
        } else {
            (clt::I32, clt::F32X4, clt::I32X4)
        };
        let m = self.b.ins().bmask(it, c);
        let m = self.b.ins().splat(ivt, m);
        let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
        let m = self.b.ins().bitcast(vt, le, m);
        let xv = self.b.ins().scalar_to_vector(vt, x);
        let yv = self.b.ins().scalar_to_vector(vt, y);
        let r = self.b.ins().bitselect(m, xv, yv);
        self.b.ins().extractlane(r, 0)
    }

    /// Emits an if-converted branch (see `if_convertible`): both arms, then one
    /// jump to the merge block with each argument chosen by `cv`.
    pub fn emit_if_converted(&mut self, cv: CV, a: &ir::Edge, b: &ir::Edge, merge: Block) -> CResult<()> {
        let args = self.converted_sides(cv, a, b, merge, None)?;
        let target = self.blocks[&merge];
        self.b.ins().jump(target, &args);
        Ok(())
    }

    /// Both arms of an if-converted branch on `cv` (under `outer`, the
    /// predicate of an enclosing converted arm), and the arguments of the edge
    /// into `merge`, each chosen by `cv`. An arm that is itself a converted
    /// diamond (see `diamond_arm`) is emitted the same way, its inner merge
    /// block's parameters bound to their chosen values.
    fn converted_sides(
        &mut self,
        cv: CV,
        a: &ir::Edge,
        b: &ir::Edge,
        merge: Block,
        outer: Option<CV>,
    ) -> CResult<Vec<BlockArg>> {
        let (from, nk) = self.cur_inst;
        let not_cv = self.b.ins().icmp_imm_u(IntCC::Equal, cv, 0);
        let (pa, pb) = match outer {
            Some(o) => (self.b.ins().band(o, cv), self.b.ins().band(o, not_cv)),
            None => (cv, not_cv),
        };
        let cond_add = if outer.is_none() {
            self.neg_zero_add(a, b, merge)
        } else {
            None
        };
        let mut exact: Vec<CV> = Vec::new();
        let mut sides = Vec::new();
        for (e, p) in [(a, pa), (b, pb)] {
            // Everything on this side, its edge's coercions included, is under `p`.
            let saved = self.pred.replace(p);
            let edge = if e.block == merge {
                e.clone()
            } else {
                let f = self.f;
                let data = f.block(e.block);
                self.inlined.insert(e.block);
                for (k, inst) in data.insts.iter().enumerate() {
                    self.cur_inst = (e.block, k);
                    if let Some((_, (s, x))) = cond_add.filter(|c| c.0 == (e.block, k)) {
                        // `s + (x if taken else -0.0)`: see `neg_zero_add`.
                        let sp = *self.val(s)?.last().ok_or_else(|| internal("if-converted sum"))?;
                        let xp = *self.val(x)?.last().ok_or_else(|| internal("if-converted sum"))?;
                        let nz = self.b.ins().f64const(-0.0);
                        let term = self.float_select(p, xp, nz);
                        let r = self.b.ins().fadd(sp, term);
                        self.vals
                            .insert(inst.result.ok_or_else(|| internal("if-converted sum"))?, vec![r]);
                        exact.push(r);
                        continue;
                    }
                    self.inst(inst)?;
                }
                self.cur_inst = (e.block, data.insts.len());
                match &data.term {
                    Term::Jump(j) => j.clone(),
                    Term::Br(c2, a2, b2) => {
                        // A diamond inside the arm: its own sides, under this one's predicate.
                        let m2 = self
                            .diamond_arm(e.block)
                            .ok_or_else(|| internal("if-converted diamond"))?;
                        let cv2 = self.val(*c2)?[0];
                        let inner = self.converted_sides(cv2, a2, b2, m2, Some(p))?;
                        self.inlined.insert(m2);
                        let mut i = 0;
                        for prm in &f.block(m2).params {
                            let n = abi::slot_count(&self.ty(*prm));
                            let vals: Vals = inner[i..i + n]
                                .iter()
                                .map(|x| match x {
                                    BlockArg::Value(v) => *v,
                                    _ => unreachable!(),
                                })
                                .collect();
                            self.vals.insert(*prm, vals);
                            i += n;
                        }
                        let Term::Jump(j) = &f.block(m2).term else {
                            return Err(internal("if-converted diamond's merge"));
                        };
                        self.cur_inst = (m2, 0);
                        j.clone()
                    }
                    _ => return Err(internal("if-converted arm")),
                }
            };
            sides.push(self.edge_args(&edge)?);
            self.pred = saved;
            self.cur_inst = (from, nk);
        }
        Ok(sides[0]
            .iter()
            .zip(&sides[1])
            .map(|(x, y)| match (x, y) {
                (BlockArg::Value(x), BlockArg::Value(y)) if x == y => BlockArg::Value(*x),
                // (`s + (x if taken else -0.0)` is `s` itself where not taken)
                (BlockArg::Value(x), _) if exact.contains(x) => BlockArg::Value(*x),
                (_, BlockArg::Value(y)) if exact.contains(y) => BlockArg::Value(*y),
                (BlockArg::Value(x), BlockArg::Value(y))
                    if matches!(self.b.func.dfg.value_type(*x), clt::F64 | clt::F32) =>
                {
                    BlockArg::Value(self.float_select(cv, *x, *y))
                }
                (BlockArg::Value(x), BlockArg::Value(y)) => BlockArg::Value(self.b.ins().select(cv, *x, *y)),
                _ => unreachable!(),
            })
            .collect())
    }
}

/// How many arrays a value of type `t` holds (an array, or arrays in a tuple).
pub fn array_count(t: &Ty) -> usize {
    match t {
        Ty::Array(_) => 1,
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => ts.iter().map(array_count).sum(),
        _ => 0,
    }
}
