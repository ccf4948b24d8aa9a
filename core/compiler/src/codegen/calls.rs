//! Calls: runtime helpers, direct calls between compiled functions, builtins, `math`, calls into Python/NumPy and array allocation.

use super::*;

impl Gen<'_, '_> {
    // ---- helpers ---------------------------------------------------------------

    pub fn import(&mut self, name: &str) -> CResult<clir::FuncRef> {
        if let Some(r) = self.imports.get(name) {
            return Ok(*r);
        }
        let (ps, rs) = helper_sig(name)?;
        let mut sig = emitting(&mut self.module)?.make_signature();
        sig.params.extend(ps.into_iter().map(AbiParam::new));
        sig.returns.extend(rs.into_iter().map(AbiParam::new));
        let id = emitting(&mut self.module)?
            .declare_function(name, Linkage::Import, &sig)
            .map_err(|e| internal(format!("declaring {name}: {e}")))?;
        let r = emitting(&mut self.module)?.declare_func_in_func(id, self.b.func);
        self.imports.insert(name.to_string(), r);
        Ok(r)
    }

    /// An exception came back from a call: record `span` as this function's traceback line and
    /// return ERROR to our own caller.
    pub fn push_frame_and_fail(&mut self, ctx: CV, span: Span) -> CResult<()> {
        if self.raise_to_handler()? {
            return Ok(());
        }
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

    // ---- calls ---------------------------------------------------------------

    pub fn call_op(&mut self, callee: &Ty, args: &[(Ty, Vals)], kw: &[String], inst: &ir::Inst) -> CResult<Vals> {
        let rt = inst.result.map(|r| self.ty(r)).unwrap_or(Ty::NoneT);
        let npos = args.len() - kw.len();
        match callee {
            Ty::Union(ms) if ms.iter().all(crate::types::is_callable_member) => {
                let c = (callee.clone(), self.use_val(inst.args[0])?);
                self.call_one_of(&c, &args[..npos], inst, &rt)
            }
            Ty::Func(_) if inst.result.is_some_and(|r| self.typed.star_calls.contains_key(&r)) => {
                let k = self.typed.star_calls[&inst.result.unwrap()];
                let mut pos = args[..npos - 1].to_vec();
                pos.extend(self.star_list_items(&args[npos - 1], k)?);
                self.direct_call(&pos, inst, &rt)
            }
            Ty::Func(_) => match inst.result.and_then(|r| self.typed.call_orders.get(&r)).cloned() {
                // Keyword arguments: in the order of the callee's parameters.
                Some(order) => {
                    // (an index past the arguments: a default value the call leaves out)
                    let defaults = inst.result.and_then(|r| self.typed.call_defaults.get(&r)).cloned();
                    let mut ordered: Vec<(Ty, Vals)> = Vec::with_capacity(order.len());
                    for &i in &order {
                        ordered.push(match args.get(i) {
                            Some(a) => a.clone(),
                            None => {
                                let c = defaults
                                    .as_ref()
                                    .and_then(|d| d.get(i - args.len()))
                                    .ok_or_else(|| internal("missing default value"))?;
                                self.const_vals(c)?
                            }
                        });
                    }
                    self.direct_call(&ordered, inst, &rt)
                }
                None => self.direct_call(&args[..npos], inst, &rt),
            },
            Ty::DtypeObj(d) => {
                let d = *d;
                if npos == 0 {
                    let z: Vec<SlotTy> = abi::dtype_slots(d).to_vec();
                    return Ok(z.into_iter().map(|s| self.zero(s)).collect());
                }
                self.dispatch(&args[..1], &rt, &mut |g, a| {
                    Ok((Ty::Np(d), g.cast_to_dtype(&a[0], d, false)?))
                })
            }
            Ty::Builtin(Builtin::Hasattr) => {
                let v = inst
                    .result
                    .and_then(|r| self.typed.static_bools.get(&r).copied())
                    .ok_or_else(|| internal("hasattr typed without a static answer"))?;
                Ok(vec![self.b.ins().iconst(clt::I8, v as i64)])
            }
            Ty::Builtin(b) => self.builtin(*b, args, kw, &rt),
            Ty::NamedTupleClass(_) => {
                let Ty::NamedTuple(_, ts) = &rt else {
                    return Err(internal("namedtuple type"));
                };
                let ordered: Vec<(Ty, Vals)> = match inst.result.and_then(|r| self.typed.call_orders.get(&r)).cloned() {
                    Some(order) => order.iter().map(|&i| args[i].clone()).collect(),
                    None => args.to_vec(),
                };
                self.coerce_members(&ordered, ts)
            }
            t => Err(internal(format!("call of {t}"))),
        }
    }

    /// The `k` items of the list `xs` of `f(..., *xs)` (see `Typed::star_calls`):
    /// a list of another length deoptimizes before the call (the interpreter
    /// tier makes CPython's call: its binding, defaults and `TypeError`), and
    /// so does an item not of the list's element type.
    fn star_list_items(&mut self, xs: &(Ty, Vals), k: usize) -> CResult<Vec<(Ty, Vals)>> {
        let Ty::List(e) = &xs.0 else {
            return Err(internal("a star call's list"));
        };
        let out = self.stack(8 * k.max(1) as u32);
        let kind = if k == 0 {
            0
        } else {
            crate::infer::native_kind(e).ok_or_else(|| internal("a star call's list elements"))?
        };
        let ctx = self.ctx.unwrap();
        let kc = self.b.ins().iconst(clt::I32, kind as i64);
        let n = self.b.ins().iconst(clt::I64, k as i64);
        let st = self.call("pyston_list_items", &[ctx, xs.1[0], n, kc, out])?[0];
        self.list_status(st)?;
        let mut items = Vec::with_capacity(k);
        if k > 0 {
            let ct = cl_ty(abi::slot_types(e)[0]);
            for i in 0..k {
                items.push((
                    (**e).clone(),
                    vec![self.b.ins().load(ct, MemFlagsData::trusted(), out, 8 * i as i32)],
                ));
            }
        }
        Ok(items)
    }

    pub fn direct_call(&mut self, args: &[(Ty, Vals)], inst: &ir::Inst, rt: &Ty) -> CResult<Vals> {
        let info = self
            .env
            .callees
            .get(&inst.result.unwrap())
            .cloned()
            .ok_or_else(|| internal("missing callee"))?;
        self.direct_call_to(&info, args, inst, rt)
    }

    /// A call of one of several compiled functions (`infer`'s `call_one_of`):
    /// the direct call of the one the callee's tag names.
    fn call_one_of(&mut self, callee: &(Ty, Vals), args: &[(Ty, Vals)], inst: &ir::Inst, rt: &Ty) -> CResult<Vals> {
        let r = inst.result.ok_or_else(|| internal("a call without a result"))?;
        let args = args.to_vec();
        let rt2 = rt.clone();
        self.dispatch(std::slice::from_ref(callee), rt, &mut |g, a| {
            let f = match a[0].0 {
                Ty::Func(f) => f,
                Ty::Builtin(b) => return Ok((rt2.clone(), g.builtin(b, &args, &[], &rt2)?)),
                _ => return Err(internal("a union callee's member")),
            };
            match g.env.member_callees.get(&(r, f)).cloned() {
                Some(info) => Ok((rt2.clone(), g.direct_call_to(&info, &args, inst, &rt2)?)),
                // (called with the wrong number of arguments: CPython's TypeError,
                // from the interpreter tier)
                None => {
                    g.deopt_now();
                    let z = abi::slot_types(&rt2).into_iter().map(|s| g.zero(s)).collect();
                    Ok((rt2.clone(), z))
                }
            }
        })
    }

    fn direct_call_to(&mut self, info: &CalleeInfo, args: &[(Ty, Vals)], inst: &ir::Inst, rt: &Ty) -> CResult<Vals> {
        let info = info.clone();
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
        let fref = emitting(&mut self.module)?.declare_func_in_func(info.func_id, self.b.func);
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
                            Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32 | Dtype::Float16) => {
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
                if let [(Ty::Str(s), _)] = pos {
                    let v = crate::types::py_float_str(s).ok_or_else(|| internal("float() of a string"))?;
                    return Ok(vec![self.b.ins().f64const(v)]);
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
            Builtin::Round if pos.len() == 2 && matches!(pos[0].0, Ty::Int | Ty::Bool) && *rt != Ty::Float => {
                // round(int, n) is the int itself for n >= 0 (negative n: interpreter).
                let n = self.conv_i64(&pos[1])?;
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 0);
                self.deopt_if(neg);
                Ok(vec![self.conv_i64(&pos[0])?])
            }
            Builtin::Round if pos.len() == 2 => self.dispatch(pos, rt, &mut |g, a| {
                let n = g.conv_i64(&a[1])?;
                let x = g.any_f64(&a[0])?;
                let mut r = if g.env.sem.numba_scalar_typing {
                    // Numba's rounding (scale, round half to even, scale back), not CPython's.
                    g.call("pyston_numba_round", &[x, n])?[0]
                } else {
                    let slot = g.stack(8);
                    let st = g.call("pyston_pyround", &[x, n, slot])?[0];
                    g.deopt_if(st);
                    g.b.ins().load(clt::F64, MemFlagsData::trusted(), slot, 0)
                };
                if a[0].0 == Ty::Np(Dtype::Float32) {
                    // njit: a float32 rounds to a float32 (then widens to a Python float).
                    let narrow = g.b.ins().fdemote(clt::F32, r);
                    r = g.b.ins().fpromote(clt::F64, narrow);
                }
                Ok((Ty::Float, vec![r]))
            }),
            Builtin::Round => self.dispatch(pos, rt, &mut |g, a| {
                Ok((
                    Ty::Int,
                    vec![match &a[0].0 {
                        Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32 | Dtype::Float16) => {
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
                            v.push(self.conv_i64(&x)?);
                            off += n;
                        }
                        v
                    }
                    _ => vec![self.conv_i64(&pos[0])?],
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
                let n = ArraySlots::new(at.ndim as usize).count();
                let out = self.stack(8 * n as u32);
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, kind as i64);
                let dt = self.table_dtype(at.dtype)?;
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
            Builtin::Isinstance => {
                let v = pos[0]
                    .0
                    .members()
                    .first()
                    .and_then(|m| crate::types::isinstance_static(m, &pos[1].0))
                    .ok_or_else(|| internal("isinstance typed without a static answer"))?;
                Ok(vec![self.b.ins().iconst(clt::I8, v as i64)])
            }
            Builtin::Range
            | Builtin::Enumerate
            | Builtin::Zip
            | Builtin::Reversed
            | Builtin::NdIndex
            | Builtin::NdEnumerate
            | Builtin::Getattr
            | Builtin::Map
            | Builtin::Filter
            | Builtin::Tuple
            | Builtin::Hasattr
            | Builtin::Iter
            | Builtin::Next => Err(internal("range call")),
            Builtin::Sum
            | Builtin::Sorted
            | Builtin::Any
            | Builtin::All
            | Builtin::List
            | Builtin::Dict
            | Builtin::Set
            | Builtin::TypedList
            | Builtin::TypedDict => Err(internal("list builtin called natively")),
            Builtin::Str
            | Builtin::Repr
            | Builtin::Format
            | Builtin::Ord
            | Builtin::Chr
            | Builtin::Hex
            | Builtin::Oct
            | Builtin::Bin
            | Builtin::Print => Err(internal("string builtin called natively")),
        }
    }

    /// A call into Python/NumPy (`abi::pyston_pycall`): the arguments are
    /// passed as slots, the result comes back unboxed. The call raising
    /// deoptimizes here (the interpreter re-executes it); a result of an
    /// unexpected type deoptimizes just after it.
    /// `dying`: the arguments that are temporaries no one uses after this call
    /// (`dying_args`), for `pyston_pycall_dying`.
    pub fn pycall(&mut self, d: &PyCallSite, args: &[TV], result: Option<Value>, dying: u64) -> CResult<Vals> {
        let mut flat = Vec::new();
        for ((t, v), want) in args.iter().zip(&d.arg_tys) {
            flat.extend(self.coerce(t, v.clone(), want)?);
        }
        let ret_slots = abi::slot_types(&d.ret);
        // A `numpy.random` draw made inline when the call holds its generator;
        // the call below otherwise (then the builder is in its block).
        let inline = match &d.inline_rng {
            Some(r) if dying == 0 => self.rng_inline(r, &flat, &ret_slots, None)?,
            _ => None,
        };
        let argbuf = self.stack(8 * flat.len().max(1) as u32);
        for (i, x) in flat.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *x, argbuf, 8 * i as i32);
        }
        let outbuf = self.stack(8 * ret_slots.len().max(1) as u32);
        let ctx = self.ctx.unwrap();
        let dp = self.b.ins().iconst(clt::I64, d.desc as i64);
        let st = if dying != 0 {
            let m = self.b.ins().iconst(clt::I64, dying as i64);
            self.call("pyston_pycall_dying", &[ctx, dp, argbuf, outbuf, m])?[0]
        } else {
            self.call("pyston_pycall", &[ctx, dp, argbuf, outbuf])?[0]
        };
        self.pycall_status(st, result)?;
        let mut out: Vals = ret_slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                self.b
                    .ins()
                    .load(cl_ty(*s), MemFlagsData::trusted(), outbuf, 8 * i as i32)
            })
            .collect();
        if let Some((_, join)) = inline {
            let args: Vec<BlockArg> = out.iter().map(|v| BlockArg::Value(*v)).collect();
            self.b.ins().jump(join, &args);
            self.b.switch_to_block(join);
            out = self.b.block_params(join).to_vec();
        }
        let rt = result.map(|r| self.ty(r)).unwrap_or(Ty::NoneT);
        if result.is_some() {
            self.coerce(&d.ret, out, &rt)
        } else {
            Ok(vec![])
        }
    }

    /// After a call into Python (`pyston_pycall` and its kin) returned `st`:
    /// DEOPT_AFTER leaves with the call's `result` in `ctx.pending`; an
    /// exception is recorded at this line and returned (the builder is left
    /// in the block where the call succeeded).
    fn pycall_status(&mut self, st: CV, result: Option<Value>) -> CResult<()> {
        let ctx = self.ctx.unwrap();
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
        if self.deopt_redirect.contains_key(&(cb, ck)) {
            // Between the nodes of a fused expression (a pure indexing): the
            // interpreter runs the nodes first, then this call again, which
            // raises there (see `pyston_clear_error`).
            self.call("pyston_clear_error", &[])?;
            let d = self.deopt_block(cb, ck);
            self.b.ins().jump(d, &[]);
        } else {
            let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
            self.push_frame_and_fail(ctx, span)?;
        }
        self.b.switch_to_block(ok);
        Ok(())
    }

    /// A `numpy.random` array draw whose array never escapes
    /// (`Gen::stack_arrays`, planned by `plan_stack_arrays`): its `count`
    /// elements go to the stack slot `ss`, drawn inline when the call holds
    /// the generator (`rng_inline`), else by `pyston_rng_fill` (natively, or
    /// through the call); the value is the array's slots over that buffer
    /// (no object: nothing that could see one uses it; a deopt point makes
    /// one, see `deopt_val`).
    pub fn rng_stack_draw(
        &mut self,
        d: &PyCallSite,
        args: &[TV],
        result: Value,
        ss: clir::StackSlot,
        count: usize,
    ) -> CResult<Vals> {
        let mut flat = Vec::new();
        for ((t, v), want) in args.iter().zip(&d.arg_tys) {
            flat.extend(self.coerce(t, v.clone(), want)?);
        }
        let buf = self.b.ins().stack_addr(clt::I64, ss, 0);
        let inline = match &d.inline_rng {
            Some(r) => self.rng_inline(r, &flat, &[], Some((buf, count)))?,
            None => None,
        };
        let argbuf = self.stack(8 * flat.len().max(1) as u32);
        for (i, x) in flat.iter().enumerate() {
            self.b.ins().store(MemFlagsData::trusted(), *x, argbuf, 8 * i as i32);
        }
        let ctx = self.ctx.unwrap();
        let dp = self.b.ins().iconst(clt::I64, d.desc as i64);
        let n = self.b.ins().iconst(clt::I64, count as i64);
        let st = self.call("pyston_rng_fill", &[ctx, dp, argbuf, buf, n])?[0];
        self.pycall_status(st, Some(result))?;
        if let Some((_, join)) = inline {
            self.b.ins().jump(join, &[]);
            self.b.switch_to_block(join);
        }
        let Ty::Array(at) = self.ty(result) else {
            return Err(internal("a stack array that is not an array"));
        };
        let zero = self.b.ins().iconst(clt::I64, 0);
        let len = self.b.ins().iconst(clt::I64, count as i64);
        let step = self.b.ins().iconst(clt::I64, at.dtype.itemsize());
        Ok(vec![buf, zero, len, step])
    }

    /// `Op::CellSet` without a call into Python: an int, a float, a NumPy
    /// scalar of one slot, a bool (boxed by the helper) or an object set into the
    /// cell by `pyston_cell_set` (no
    /// value: emptied). False for another value type
    /// (a bool, None, ...: the call into Python `infer` recorded).
    pub fn cell_set(&mut self, args: &[(Ty, Vals)]) -> CResult<bool> {
        let Some(ctx) = self.ctx else { return Ok(false) };
        let cell = args[0].1[0];
        let (bits, kind) = match args.get(1) {
            None => (self.b.ins().iconst(clt::I64, 0), abi::CELL_CLEAR),
            Some((Ty::Int, v)) => (v[0], abi::CELL_INT),
            Some((Ty::Float, v)) => (
                self.b.ins().bitcast(clt::I64, MemFlagsData::new(), v[0]),
                abi::CELL_FLOAT,
            ),
            Some((Ty::Np(d), v)) if v.len() == 1 && !d.is_time() => {
                let x = v[0];
                let t = self.b.func.dfg.value_type(x);
                let bits = match t {
                    clt::F64 => self.b.ins().bitcast(clt::I64, MemFlagsData::new(), x),
                    clt::F32 => {
                        let i = self.b.ins().bitcast(clt::I32, MemFlagsData::new(), x);
                        self.b.ins().uextend(clt::I64, i)
                    }
                    clt::I64 => x,
                    t if t.is_int() && t.bits() < 64 => self.b.ins().uextend(clt::I64, x),
                    _ => return Ok(false),
                };
                (bits, abi::CELL_NP + d.index() as i32)
            }
            Some((Ty::Bool, v)) => (self.b.ins().uextend(clt::I64, v[0]), abi::CELL_BOOL),
            Some((Ty::Obj(_) | Ty::List(_) | Ty::Dict(..) | Ty::Set(_) | Ty::PyIter(_) | Ty::PyInt | Ty::PyStr, v)) => {
                (v[0], abi::CELL_OBJ)
            }
            Some(_) => return Ok(false),
        };
        let kind = self.b.ins().iconst(clt::I32, kind as i64);
        let st = self.call("pyston_cell_set", &[ctx, cell, bits, kind])?[0];
        self.status_check(st);
        Ok(true)
    }

    /// Handles a runtime helper's status: ERROR returns, DEOPT deopts.
    pub fn status_check(&mut self, st: CV) {
        let err = self.b.create_block();
        let cont = self.b.create_block();
        let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::ERROR as i64);
        self.b.ins().brif(is_err, err, &[], cont, &[]);
        self.b.switch_to_block(err);
        self.b.set_cold_block(err);
        // (An error here could only come from declaring a helper, which the table guarantees.)
        if !self.raise_to_handler().unwrap_or(false) {
            let e = self.b.ins().iconst(clt::I32, abi::ERROR as i64);
            self.ret(e);
        }
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
        let out = self.stack(8 * ArraySlots::new(nd).count() as u32);
        let ctx = self.ctx.unwrap();
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let dt = self.table_dtype(at.dtype)?;
        let ndv = self.b.ins().iconst(clt::I64, nd as i64);
        let fo = self.b.ins().iconst(clt::I32, 0);
        let st = self.call("pyston_alloc", &[ctx, k, dt, ndv, shp, fo, out])?[0];
        Ok((st, out))
    }

    /// The slots of an `ndim`-dimensional array written to `buf` by the runtime.
    pub fn load_array_slots(&mut self, buf: CV, ndim: usize) -> Vals {
        (0..ArraySlots::new(ndim).count())
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
        let dt = self.table_dtype(at.dtype)?;
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
                // (`facts.no_overflow` on the call: its argument is proven above -2**63)
                if !self.env.sem.wrapping_ints && !self.facts.no_overflow.contains(&self.cur_inst) {
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
            Ty::Np(d) if d.is_unsigned() => (t, a.1.clone()),
            Ty::Np(d) if d.is_int() => {
                // abs(int8 -128) overflows: NumPy warns and wraps.
                let d = *d;
                let w = self.widen_int(a.1[0], d);
                let r = self.b.ins().iabs(w);
                (t, vec![self.narrow_checked(r, d)])
            }
            Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32) => (t, vec![self.b.ins().fabs(a.1[0])]),
            Ty::Np(Dtype::Timedelta(_)) => (t.clone(), self.time_abs(a)),
            Ty::Np(Dtype::Float16) => (t, vec![self.b.ins().band_imm_s(a.1[0], 0x7fff)]),
            Ty::Np(Dtype::Complex64) => {
                // NumPy's npy_cabsf: hypotf of the parts (inf from finite parts
                // warns "overflow": deopt).
                let r = self.call("hypotf", &[a.1[0], a.1[1]])?[0];
                if self.env.sem.float_warnings {
                    self.np_float_check(r, &[a.1[0], a.1[1]], clt::F32);
                }
                (Ty::Np(Dtype::Float32), vec![r])
            }
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
        let int_like = match &a[0].0 {
            Ty::Int | Ty::Bool => true,
            Ty::Np(d) => matches!(d.kind(), crate::dtype::Kind::Int | crate::dtype::Kind::Bool),
            _ => false,
        };
        // Numba floors an int through a float (math.floor(2**62 + 1) is 2**62 there),
        // and so does NumPy's __floor__ of its ints (np.int64(2**63 - 1) gives 2**63).
        let py_int = matches!(a[0].0, Ty::Int | Ty::Bool);
        if matches!(m, Floor | Ceil | Trunc) && int_like && py_int && !self.env.sem.numba_scalar_typing {
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
            // CPython: x * (180.0 / pi) and x * (pi / 180.0), each one rounded constant.
            Degrees => {
                let k = self.b.ins().f64const(180.0 / std::f64::consts::PI);
                float(self.b.ins().fmul(x, k))
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

    /// The runtime's table index of a dtype as an i32 constant (record dtypes
    /// have none: inference never lets them reach the helpers that take one).
    pub fn table_dtype(&mut self, d: Dtype) -> CResult<CV> {
        if d.is_record() {
            return Err(internal(format!("{d} passed to a runtime helper")));
        }
        Ok(self.b.ins().iconst(clt::I32, dtype_index(d) as i64))
    }

    /// Casts a scalar to a NumPy dtype as `np.<dtype>(x)` and array stores do.
    pub fn cast_to_dtype(&mut self, x: &(Ty, Vals), d: Dtype, store: bool) -> CResult<Vals> {
        if store
            && d.kind() != Kind::Complex
            && matches!(x.0, Ty::Complex | Ty::Np(Dtype::Complex128 | Dtype::Complex64))
        {
            // NumPy raises (Python complex) or warns and drops the imaginary part.
            self.deopt_now();
            let z: Vec<SlotTy> = abi::dtype_slots(d).to_vec();
            return Ok(z.into_iter().map(|s| self.zero(s)).collect());
        }
        let is_float = matches!(
            x.0,
            Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32 | Dtype::Float16)
        );
        Ok(match d {
            // Inference lets only a value of the array's own time dtype reach a store.
            Dtype::Datetime(_) | Dtype::Timedelta(_) if x.0 == Ty::Np(d) => x.1.clone(),
            Dtype::Datetime(_) | Dtype::Timedelta(_) | Dtype::Record(_) => {
                return Err(internal(format!("cast {} to {d}", x.0)))
            }
            Dtype::Float16 => vec![self.conv_f16(x)?],
            Dtype::Complex64 => {
                let (r, i) = self.conv_c64(x)?;
                vec![r, i]
            }
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
            Dtype::Int8 | Dtype::Int16 | Dtype::UInt8 | Dtype::UInt16 | Dtype::UInt32 | Dtype::UInt64 => {
                let w = match &x.0 {
                    // A NumPy int of a dtype whose every value is one of d's
                    // (np.uint32 of a uint8): the same value, nothing to check.
                    Ty::Np(s) if s.is_int() && *s != Dtype::UInt64 && super::scalars::fits_in(*s, d) => {
                        let w = self.widen_int(x.1[0], *s);
                        return Ok(vec![self.narrow_unchecked(w, d)]);
                    }
                    // A NumPy int of another dtype: NumPy wraps into unsigned
                    // targets but raises for signed ones; out of range, the
                    // interpreter does that.
                    Ty::Np(s) if s.is_int() => {
                        if *s == Dtype::UInt64 {
                            self.conv_i64(x)?
                        } else {
                            self.widen_int(x.1[0], *s)
                        }
                    }
                    // Floats truncate toward zero; out of range NumPy raises or
                    // warns (by value and type): the interpreter does that.
                    _ if is_float => {
                        let f = self.any_f64(x)?;
                        self.f64_to_i64(f)
                    }
                    // Python ints and bools must fit (else OverflowError),
                    // unless `ranges` proved this conversion's value fits.
                    _ if !store && self.facts.in_dtype.contains(&self.cur_inst) => {
                        let w = self.conv_i64(x)?;
                        return Ok(vec![self.narrow_unchecked(w, d)]);
                    }
                    _ => self.conv_i64(x)?,
                };
                if d == Dtype::UInt64 {
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, w, 0);
                    self.deopt_if(neg);
                }
                vec![self.narrow_checked(w, d)]
            }
        })
    }
}
