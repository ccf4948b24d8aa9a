//! Lists: the operations compiled code performs natively on `list(int)`,
//! `list(float)` and `list(bool)` (making a list, reading and writing an
//! element by index, `append`, `len`, truth), through the helpers of the
//! runtime's `helpers/lists.rs`. Every other list operation is a call into
//! Python recorded by inference (`infer/lists.rs`), emitted by `pycall`.

use super::*;
use crate::infer::native_kind;

impl Gen<'_, '_> {
    /// A native value of element kind `k` as the 64-bit word the helpers take.
    pub(super) fn list_word(&mut self, v: CV, e: &Ty) -> CV {
        match abi::slot_types(e).first() {
            Some(SlotTy::F64) => self.b.ins().bitcast(clt::I64, MemFlagsData::new(), v),
            Some(SlotTy::F32) => {
                let i = self.b.ins().bitcast(clt::I32, MemFlagsData::new(), v);
                self.b.ins().uextend(clt::I64, i)
            }
            Some(SlotTy::I8 | SlotTy::I16 | SlotTy::I32) => self.b.ins().uextend(clt::I64, v),
            _ => v,
        }
    }

    /// An int or bool index as an i64.
    fn list_index(&mut self, t: &Ty, v: &Vals) -> CV {
        match t {
            Ty::Bool => self.b.ins().uextend(clt::I64, v[0]),
            _ => v[0],
        }
    }

    /// A helper's status: ERROR returns (with this line in the traceback),
    /// DEOPT leaves compiled code before the instruction (the interpreter
    /// re-executes it, exactly).
    pub(super) fn list_status(&mut self, st: CV) -> CResult<()> {
        let failed = self.b.create_block();
        let ok = self.b.create_block();
        let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::ERROR as i64);
        self.b.ins().brif(is_err, failed, &[], ok, &[]);
        self.b.switch_to_block(failed);
        self.b.set_cold_block(failed);
        let ctx = self.ctx.unwrap();
        let (cb, ck) = self.cur_inst;
        let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
        self.push_frame_and_fail(ctx, span)?;
        self.b.switch_to_block(ok);
        let is_deopt = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, abi::OK as i64);
        self.deopt_if(is_deopt);
        Ok(())
    }

    /// `np.array(xs)` of a list (or a list display, typed as a tuple) of ints,
    /// floats or bools, no other argument: a new 1-D array of the dtype NumPy
    /// gives it (int64; float64, ints converted as NumPy converts them; bool),
    /// filled natively. A list element not of the list's kind (an int beyond
    /// 64 bits, a float subclass) deoptimizes, and NumPy converts the list.
    pub(super) fn array_of_list(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        let (Op::MethodCall { name, kw }, [(Ty::Module(crate::types::Module::Numpy), _), (xt, xv)], Ty::Array(r)) =
            (&inst.op, args, rt)
        else {
            return Ok(None);
        };
        if name != "array" || !kw.is_empty() || r.ndim != 1 || !self.env.pycalls.contains_key(&self.cur_inst) {
            return Ok(None);
        }
        let want = ArrTy {
            layout: Layout::C,
            readonly: false,
            ..*r
        };
        match xt {
            Ty::LocalList(e) if crate::infer::array_dtype_ok(e, r.dtype) => {
                // The words of a local list, narrowed to the dtype's width.
                let l = xv[0];
                let n = self.llist_len(l);
                let out = self.alloc(AllocKind::Empty, &want, &[n])?;
                self.llist_copy_into(l, n, out[0], r.dtype)?;
                Ok(Some(out))
            }
            Ty::LocalList(_) => Err(internal("np.array of a local list")),
            Ty::List(e) => {
                let kind = match (&**e, r.dtype) {
                    (Ty::Int, Dtype::Int64) => 0,
                    (Ty::Float, Dtype::Float64) => 1,
                    (Ty::Bool, Dtype::Bool) => 2,
                    _ => return Ok(None),
                };
                let list = xv[0];
                let n = self.list_len(list)?;
                let out = self.alloc(AllocKind::Empty, &want, &[n])?;
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, kind);
                let st = self.call("pyston_list_fill", &[ctx, list, k, out[0]])?[0];
                self.status_check(st);
                Ok(Some(out))
            }
            Ty::Tuple(ts) if !ts.is_empty() => {
                let float = |t: &Ty| matches!(t, Ty::Float | Ty::Np(Dtype::Float64));
                let ok = match r.dtype {
                    Dtype::Float64 => ts.iter().all(|t| float(t) || *t == Ty::Int) && ts.iter().any(float),
                    Dtype::Int64 => ts.iter().all(|t| *t == Ty::Int),
                    Dtype::Bool => ts.iter().all(|t| *t == Ty::Bool),
                    _ => false,
                };
                if !ok {
                    return Ok(None);
                }
                let n = self.b.ins().iconst(clt::I64, ts.len() as i64);
                let out = self.alloc(AllocKind::Empty, &want, &[n])?;
                let fl = MemFlagsData::trusted();
                let mut off = 0;
                for (i, t) in ts.iter().enumerate() {
                    let cnt = abi::slot_count(t);
                    let item = (t.clone(), xv[off..off + cnt].to_vec());
                    off += cnt;
                    let x = match r.dtype {
                        Dtype::Float64 => self.conv_f64(&item)?,
                        _ => item.1[0], // (an int64, or a bool's byte)
                    };
                    let isz = r.dtype.itemsize() as i32;
                    self.b.ins().store(fl, x, out[0], isz * i as i32);
                }
                Ok(Some(out))
            }
            _ => Ok(None),
        }
    }

    /// The list's current length.
    pub fn list_len(&mut self, list: CV) -> CResult<CV> {
        Ok(self.call("pyston_list_len", &[list])?[0])
    }

    fn new_list(&mut self, e: &Ty, items: &[CV]) -> CResult<CV> {
        let kind = native_kind(e).unwrap_or(0);
        let buf = self.stack(8 * items.len().max(1) as u32);
        for (i, x) in items.iter().enumerate() {
            let w = self.list_word(*x, e);
            self.b.ins().store(MemFlagsData::trusted(), w, buf, 8 * i as i32);
        }
        let ctx = self.ctx.unwrap();
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let n = self.b.ins().iconst(clt::I64, items.len() as i64);
        let p = self.call("pyston_list_new", &[ctx, k, buf, n])?[0];
        self.fail_if_null(p)?;
        Ok(p)
    }

    /// A helper's new object `p`: NULL returns ERROR (the helper set the
    /// exception, MemoryError for a failed allocation).
    pub(super) fn fail_if_null(&mut self, p: CV) -> CResult<()> {
        let st = self.b.ins().icmp_imm_s(IntCC::Equal, p, 0);
        let st = self.b.ins().uextend(clt::I32, st);
        let st = self.b.ins().imul_imm_s(st, abi::ERROR as i64);
        self.list_status(st)
    }

    /// If the loop test `k < n` compares against the trip count of a `for`
    /// loop over a list, `n` re-read now (CPython's list iterator sees the
    /// list grow and shrink while the loop runs).
    pub fn list_loop_bound(&mut self, inst: &ir::Inst, args: &mut [(Ty, Vals)]) -> CResult<()> {
        if inst.op != Op::Cmp(CmpOp::Lt) || args.len() != 2 {
            return Ok(());
        }
        // (`n` may reach the header through a block parameter: a generator's
        // loop whose body yields)
        let Some(seq) = self.loop_tests.get(&inst.args[1]).copied() else {
            return Ok(());
        };
        if self.split_lists.contains(&seq) {
            return Ok(());
        }
        let list = match self.ty(seq) {
            Ty::List(_) | Ty::LocalList(_) => self.use_val(seq)?[0],
            _ => return Ok(()),
        };
        let n = match self.ty(seq) {
            Ty::LocalList(_) => self.llist_len(list),
            _ => self.list_len(list)?,
        };
        // Numba's typed `List` iterator: a list whose length is not the one the
        // loop started with (`len seq`, not a `zip`'s unbounded count) raises
        // its `RuntimeError` at the next step, the last one included.
        let started = self
            .f
            .blocks
            .iter()
            .flat_map(|b| &b.insts)
            .any(|i| i.op == Op::Len && i.result == Some(inst.args[1]) && matches!(args[1].0, Ty::Int));
        if self.env.sem.is_numba() && matches!(self.ty(seq), Ty::List(_)) && started {
            let n0 = args[1].1[0];
            let changed = self.b.ins().icmp(IntCC::NotEqual, n, n0);
            let check = self.b.create_block();
            let ok = self.b.create_block();
            self.b.ins().brif(changed, check, &[], ok, &[]);
            self.b.switch_to_block(check);
            self.b.set_cold_block(check);
            let ctx = self.ctx.unwrap();
            let st = self.call("pyston_list_mutated", &[ctx, list])?[0];
            let fail = self.b.create_block();
            let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, st, abi::ERROR as i64);
            self.b.ins().brif(is_err, fail, &[], ok, &[]);
            self.b.switch_to_block(fail);
            self.b.set_cold_block(fail);
            let (cb, ck) = self.cur_inst;
            let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
            self.push_frame_and_fail(ctx, span)?;
            self.b.switch_to_block(ok);
        }
        args[1].1 = vec![n];
        Ok(())
    }

    /// The native list operations (inference recorded a call into Python for the others).
    pub fn list_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        if let Some(out) = self.iter_inst(inst, args, rt)? {
            return Ok(Some(out));
        }
        if let Some(out) = self.range_inst(inst, args, rt)? {
            return Ok(Some(out));
        }
        let is_list = |t: &Ty| matches!(t, Ty::List(_));
        let first_list = args.first().is_some_and(|(t, _)| is_list(t));
        Ok(Some(match &inst.op {
            Op::List if is_list(rt) => {
                let Ty::List(e) = rt else { unreachable!() };
                if !args.is_empty() && native_kind(e).is_none() {
                    return Err(internal(format!("a list of {e} made natively")));
                }
                let mut items = Vec::new();
                for (t, v) in args {
                    items.push(self.coerce(t, v.clone(), e)?[0]);
                }
                vec![self.new_list(e, &items)?]
            }
            Op::GetItem if first_list => {
                let e = rt.clone();
                let kind = native_kind(&e).ok_or_else(|| internal("list element read"))?;
                let idx = self.list_index(&args[1].0, &args[1].1);
                let out = self.stack(8);
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, kind as i64);
                let st = self.call("pyston_list_get", &[ctx, args[0].1[0], idx, k, out])?[0];
                self.list_status(st)?;
                let ct = cl_ty(abi::slot_types(&e)[0]);
                vec![self.b.ins().load(ct, MemFlagsData::trusted(), out, 0)]
            }
            Op::SetItem if first_list => {
                let Ty::List(e) = &args[0].0 else { unreachable!() };
                let v = &args[2];
                let e = if **e == Ty::Bottom { v.0.clone() } else { (**e).clone() };
                let kind = native_kind(&e).ok_or_else(|| internal("list element write"))?;
                // (a typed list's item type converts what is stored: an int into float64)
                let x = if matches!((&e, &v.0), (Ty::Float, Ty::Int | Ty::Bool) | (Ty::Int, Ty::Bool)) {
                    self.typed_convert(v, &e)?
                } else {
                    self.coerce(&v.0, v.1.clone(), &e)?[0]
                };
                let w = self.list_word(x, &e);
                let idx = self.list_index(&args[1].0, &args[1].1);
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, kind as i64);
                let st = self.call("pyston_list_set", &[ctx, args[0].1[0], idx, k, w])?[0];
                self.list_status(st)?;
                vec![]
            }
            Op::MethodCall { name, .. } if first_list && name == "append" => {
                let v = &args[1];
                // A typed list's item type converts what is stored (an int into float64).
                let (e, x) = match &args[0].0 {
                    Ty::List(le) if matches!((&**le, &v.0), (Ty::Float, Ty::Int | Ty::Bool) | (Ty::Int, Ty::Bool)) => {
                        ((**le).clone(), self.typed_convert(v, le)?)
                    }
                    _ => (v.0.clone(), v.1[0]),
                };
                let kind = native_kind(&e).ok_or_else(|| internal("list append"))?;
                let w = self.list_word(x, &e);
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, kind as i64);
                let st = self.call("pyston_list_append", &[ctx, args[0].1[0], k, w])?[0];
                self.list_status(st)?;
                vec![]
            }
            Op::Is if first_list => vec![self.b.ins().icmp(IntCC::Equal, args[0].1[0], args[1].1[0])],
            Op::Len if first_list => vec![self.list_len(args[0].1[0])?],
            Op::Truth if first_list => {
                let n = self.list_len(args[0].1[0])?;
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            Op::Unary(UnaryOp::Not) if first_list => {
                let n = self.list_len(args[0].1[0])?;
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, n, 0)]
            }
            Op::Call { .. }
                if matches!(args.first(), Some((Ty::Builtin(Builtin::Len), _)))
                    && args.len() == 2
                    && is_list(&args[1].0) =>
            {
                vec![self.list_len(args[1].1[0])?]
            }
            Op::Call { .. }
                if matches!(args.first(), Some((Ty::Builtin(Builtin::Bool), _)))
                    && args.len() == 2
                    && is_list(&args[1].0) =>
            {
                let n = self.list_len(args[1].1[0])?;
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            Op::Call { .. } if matches!(args.first(), Some((Ty::Builtin(Builtin::List), _))) && args.len() == 1 => {
                vec![self.new_list(&Ty::Int, &[])?]
            }
            _ => return self.dict_inst(inst, args, rt),
        }))
    }

    /// A value stored into a typed container of item type `to`, converted as
    /// Numba converts it (an int or bool to a float, a bool to an int).
    fn typed_convert(&mut self, x: &(Ty, Vals), to: &Ty) -> CResult<CV> {
        match to {
            Ty::Float => self.conv_f64(x),
            _ => self.conv_i64(x),
        }
    }

    /// A status-like result of a dict helper: `-1` returns ERROR.
    pub(super) fn fail_if_negative(&mut self, st: CV) -> CResult<()> {
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, st, 0);
        let st = self.b.ins().uextend(clt::I32, neg);
        self.list_status(st)
    }

    fn dict_key(&mut self, t: &Ty, v: &Vals) -> CResult<(CV, CV)> {
        if let Ty::Str(s) = t {
            let p = self.str_const(s)?;
            return self.dict_key(&Ty::PyStr, &vec![p]);
        }
        let kind = native_kind(t).ok_or_else(|| internal("dict key"))?;
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let w = self.list_word(v[0], t);
        Ok((k, w))
    }

    /// The native dict operations (int/bool keys, native values).
    fn dict_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        let is_dict = |t: &Ty| matches!(t, Ty::Dict(..));
        let first = args.first().is_some_and(|(t, _)| is_dict(t));
        let ctx = self.ctx.unwrap();
        Ok(Some(match &inst.op {
            Op::Call { .. } if matches!(args.first(), Some((Ty::Builtin(Builtin::Dict), _))) => {
                let p = self.call("pyston_dict_new", &[ctx])?[0];
                let st = self.b.ins().icmp_imm_s(IntCC::Equal, p, 0);
                let st = self.b.ins().uextend(clt::I32, st);
                self.list_status(st)?;
                vec![p]
            }
            Op::GetItem if first => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                let vk = native_kind(rt).ok_or_else(|| internal("dict value read"))?;
                let vk = self.b.ins().iconst(clt::I32, vk as i64);
                let out = self.stack(8);
                let st = self.call("pyston_dict_get", &[ctx, args[0].1[0], kk, kb, vk, out])?[0];
                self.list_status(st)?;
                let ct = cl_ty(abi::slot_types(rt)[0]);
                vec![self.b.ins().load(ct, MemFlagsData::trusted(), out, 0)]
            }
            Op::MethodCall { name, .. } if first && name == "get" => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                let vk = native_kind(rt).ok_or_else(|| internal("dict value read"))?;
                // (a typed dict's default converted to its value type: `d.get(k, 0)` of float64 values)
                let d = if matches!((rt, &args[2].0), (Ty::Float, Ty::Int | Ty::Bool) | (Ty::Int, Ty::Bool)) {
                    self.typed_convert(&args[2], rt)?
                } else {
                    self.coerce(&args[2].0, args[2].1.clone(), rt)?[0]
                };
                let db = self.list_word(d, rt);
                let vk = self.b.ins().iconst(clt::I32, vk as i64);
                let out = self.stack(8);
                let st = self.call("pyston_dict_get_default", &[ctx, args[0].1[0], kk, kb, vk, db, out])?[0];
                self.list_status(st)?;
                let ct = cl_ty(abi::slot_types(rt)[0]);
                vec![self.b.ins().load(ct, MemFlagsData::trusted(), out, 0)]
            }
            Op::SetItem if first => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                // A typed dict's value type converts what is stored (an int into float64).
                let (vt, x) = match &args[0].0 {
                    Ty::Dict(_, dv)
                        if matches!(
                            (&**dv, &args[2].0),
                            (Ty::Float, Ty::Int | Ty::Bool) | (Ty::Int, Ty::Bool)
                        ) =>
                    {
                        ((**dv).clone(), self.typed_convert(&args[2], dv)?)
                    }
                    _ => (args[2].0.clone(), args[2].1[0]),
                };
                let vk = native_kind(&vt).ok_or_else(|| internal("dict value write"))?;
                let vb = self.list_word(x, &vt);
                let vk = self.b.ins().iconst(clt::I32, vk as i64);
                let st = self.call("pyston_dict_set", &[ctx, args[0].1[0], kk, kb, vk, vb])?[0];
                self.list_status(st)?;
                vec![]
            }
            Op::DelItem if first => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                let st = self.call("pyston_dict_del", &[ctx, args[0].1[0], kk, kb])?[0];
                self.list_status(st)?;
                vec![]
            }
            Op::Contains if first => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                let r = self.call("pyston_dict_contains", &[ctx, args[0].1[0], kk, kb])?[0];
                self.fail_if_negative(r)?;
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, r, 1)]
            }
            Op::Truth if first => {
                let n = self.call("pyston_dict_len", &[args[0].1[0]])?[0];
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            Op::Unary(UnaryOp::Not) if first => {
                let n = self.call("pyston_dict_len", &[args[0].1[0]])?[0];
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, n, 0)]
            }
            Op::Call { .. }
                if matches!(args.first(), Some((Ty::Builtin(Builtin::Len), _)))
                    && args.len() == 2
                    && is_dict(&args[1].0) =>
            {
                vec![self.call("pyston_dict_len", &[args[1].1[0]])?[0]]
            }
            Op::Call { .. }
                if matches!(args.first(), Some((Ty::Builtin(Builtin::Bool), _)))
                    && args.len() == 2
                    && is_dict(&args[1].0) =>
            {
                let n = self.call("pyston_dict_len", &[args[1].1[0]])?[0];
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            _ => return self.set_inst(inst, args),
        }))
    }

    /// The native set operations (int/bool elements).
    fn set_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)]) -> CResult<Option<Vals>> {
        let is_set = |t: &Ty| matches!(t, Ty::Set(_));
        let first = args.first().is_some_and(|(t, _)| is_set(t));
        let ctx = self.ctx.unwrap();
        Ok(Some(match &inst.op {
            Op::Call { .. } if matches!(args, [(Ty::Builtin(Builtin::Set), _)]) => {
                let p = self.call("pyston_set_new", &[ctx])?[0];
                let st = self.b.ins().icmp_imm_s(IntCC::Equal, p, 0);
                let st = self.b.ins().uextend(clt::I32, st);
                self.list_status(st)?;
                vec![p]
            }
            Op::MethodCall { name, .. } if first && args.len() == 2 && (name == "add" || name == "discard") => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                let f = if name == "add" {
                    "pyston_set_add"
                } else {
                    "pyston_set_discard"
                };
                let st = self.call(f, &[ctx, args[0].1[0], kk, kb])?[0];
                self.list_status(st)?;
                vec![]
            }
            Op::Contains if first => {
                let (kk, kb) = self.dict_key(&args[1].0, &args[1].1)?;
                let r = self.call("pyston_set_contains", &[ctx, args[0].1[0], kk, kb])?[0];
                self.fail_if_negative(r)?;
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, r, 1)]
            }
            Op::Truth if first => {
                let n = self.call("pyston_set_len", &[args[0].1[0]])?[0];
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            Op::Unary(UnaryOp::Not) if first => {
                let n = self.call("pyston_set_len", &[args[0].1[0]])?[0];
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, n, 0)]
            }
            Op::Call { .. }
                if matches!(args.first(), Some((Ty::Builtin(Builtin::Len), _)))
                    && args.len() == 2
                    && is_set(&args[1].0) =>
            {
                vec![self.call("pyston_set_len", &[args[1].1[0]])?[0]]
            }
            Op::Call { .. }
                if matches!(args.first(), Some((Ty::Builtin(Builtin::Bool), _)))
                    && args.len() == 2
                    && is_set(&args[1].0) =>
            {
                let n = self.call("pyston_set_len", &[args[1].1[0]])?[0];
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            _ => return Ok(None),
        }))
    }
}

impl Gen<'_, '_> {
    /// `for` loops over dicts, sets and dict views (see `infer::iter_op`): the
    /// iterator (`len seq`), the loop test (`k < it`: fetch the next item) and
    /// the item (`seq[k]`), through the runtime's `helpers/iters.rs`.
    fn iter_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        let ctx = self.ctx.unwrap();
        Ok(Some(match &inst.op {
            Op::Len if matches!(rt, Ty::Iter(_)) => {
                let p = self.call("pyston_iter_new", &[ctx, args[0].1[0]])?[0];
                let st = self.b.ins().icmp_imm_s(IntCC::Equal, p, 0);
                let st = self.b.ins().uextend(clt::I32, st);
                self.list_status(st)?;
                vec![p]
            }
            Op::Cmp(CmpOp::Lt) if matches!(args.get(1), Some((Ty::Iter(_), _))) => {
                let Some((ss, leaves)) = self.iter_step_slot(inst.args[1]) else {
                    let r = self.call("pyston_iter_next", &[ctx, args[1].1[0]])?[0];
                    self.fail_if_negative(r)?;
                    return Ok(Some(vec![self.b.ins().icmp_imm_s(IntCC::Equal, r, 1)]));
                };
                // One call advances the iterator and reads the item's native
                // leaves into the loop's slot (word 0: the status, then the
                // leaves), which the item read (`seq[k]`) loads.
                let spec: Vec<i64> = leaves
                    .iter()
                    .flat_map(|(path, kind)| {
                        [*kind as i64, path.len() as i64 / 2]
                            .into_iter()
                            .chain(path.iter().copied())
                    })
                    .collect();
                let sbuf = self.stack(8 * spec.len() as u32);
                for (i, w) in spec.iter().enumerate() {
                    let v = self.b.ins().iconst(clt::I64, *w);
                    self.b.ins().store(MemFlagsData::trusted(), v, sbuf, 8 * i as i32);
                }
                let nl = self.b.ins().iconst(clt::I64, leaves.len() as i64);
                let out = self.b.ins().stack_addr(clt::I64, ss, 8);
                let r = self.call("pyston_iter_step", &[ctx, args[1].1[0], sbuf, nl, out])?[0];
                self.fail_if_negative(r)?;
                self.b.ins().stack_store(clt::I64, r, ss, 0);
                vec![self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, r, 0)]
            }
            Op::GetItem if args.len() == 2 && crate::types::iter_item(&args[0].0).is_some() => {
                let Some(n) = self.loop_items.get(&(inst.args[0], inst.args[1])).copied() else {
                    return Ok(None);
                };
                if let Some((ss, leaves)) = self.iter_step_slot(n) {
                    // The loop test read the leaves (see above); an item with a
                    // leaf that is not native deoptimizes here (the interpreter
                    // tier reads the item the test left in the iterator).
                    let r = self.b.ins().stack_load(clt::I64, clt::I32, ss, 0);
                    let bad = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 1);
                    self.deopt_if(bad);
                    let mut parts = Vec::new();
                    iter_leaves(rt, &mut Vec::new(), &mut parts);
                    if parts.len() != leaves.len() {
                        return Err(internal("loop item leaves"));
                    }
                    let mut out = Vec::new();
                    for (i, (_, t)) in parts.iter().enumerate() {
                        let ct = cl_ty(abi::slot_types(t)[0]);
                        out.push(self.b.ins().stack_load(clt::I64, ct, ss, 8 + 8 * i as i32));
                    }
                    return Ok(Some(out));
                }
                let it = self.use_val(n)?[0];
                // Each native leaf of the item, by its path of (tuple index, tuple
                // length) pairs (`for (i, j), v in d.items()`: (0,2)(0,2), (0,2)(1,2), (1,2)).
                let mut parts = Vec::new();
                iter_leaves(rt, &mut Vec::new(), &mut parts);
                let mut out = Vec::new();
                for (path, t) in parts {
                    let kind = native_kind(&t).ok_or_else(|| internal("loop item"))?;
                    let k = self.b.ins().iconst(clt::I32, kind as i64);
                    let pbuf = self.stack(8 * path.len().max(1) as u32);
                    for (i, p) in path.iter().enumerate() {
                        let pv = self.b.ins().iconst(clt::I64, *p);
                        self.b.ins().store(MemFlagsData::trusted(), pv, pbuf, 8 * i as i32);
                    }
                    let np = self.b.ins().iconst(clt::I64, path.len() as i64 / 2);
                    let buf = self.stack(8);
                    let st = self.call("pyston_iter_item", &[ctx, it, pbuf, np, k, buf])?[0];
                    self.list_status(st)?;
                    let ct = cl_ty(abi::slot_types(&t)[0]);
                    out.push(self.b.ins().load(ct, MemFlagsData::trusted(), buf, 0));
                }
                out
            }
            _ => return Ok(None),
        }))
    }
}

/// Each native leaf of a loop item of type `t`, by its path of (tuple index,
/// tuple length) pairs (`for (i, j), v in d.items()`: (0,2)(0,2), (0,2)(1,2), (1,2)).
fn iter_leaves(t: &Ty, path: &mut Vec<i64>, out: &mut Vec<(Vec<i64>, Ty)>) {
    match t {
        Ty::Tuple(ts) => {
            for (i, t) in ts.iter().enumerate() {
                path.extend([i as i64, ts.len() as i64]);
                iter_leaves(t, path, out);
                path.truncate(path.len() - 2);
            }
        }
        t => out.push((path.clone(), t.clone())),
    }
}

/// A native leaf of a loop item: its path of (tuple index, tuple length)
/// pairs and its element kind.
type Leaf = (Vec<i64>, i32);

impl Gen<'_, '_> {
    /// The slot where the loop test of the loop iterator `n` leaves the
    /// status of its step and the native leaves of the item (with each leaf's
    /// path and kind), when every leaf of the items is native; `None` when
    /// the loop reads its items with `pyston_iter_next` and `pyston_iter_item`.
    fn iter_step_slot(&mut self, n: ir::Value) -> Option<(clir::StackSlot, Vec<Leaf>)> {
        let Ty::Iter(e) = self.typed.ty(n) else { return None };
        let mut parts = Vec::new();
        iter_leaves(e, &mut Vec::new(), &mut parts);
        let leaves: Vec<Leaf> = parts
            .into_iter()
            .map(|(p, t)| native_kind(&t).map(|k| (p, k)))
            .collect::<Option<_>>()?;
        if leaves.is_empty() || leaves.len() > 64 {
            return None;
        }
        let size = 8 * (leaves.len() as u32 + 1);
        let ss = *self.iter_slots.entry(n).or_insert_with(|| {
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, size, 3))
        });
        Some((ss, leaves))
    }
}

impl Gen<'_, '_> {
    /// `range` values (see `infer::range_op`): made (a zero step deoptimizes:
    /// the interpreter raises CPython's ValueError), `len`, `r[i]` (out of
    /// range deoptimizes: CPython's IndexError) and truth.
    fn range_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        let int = |v: CV| (Ty::Int, vec![v]);
        Ok(Some(match &inst.op {
            Op::Call { .. } if *rt == Ty::Range => {
                let mut v = Vec::new();
                for a in &args[1..] {
                    v.push(self.conv_i64(a)?);
                }
                let (zero, one) = (self.b.ins().iconst(clt::I64, 0), self.b.ins().iconst(clt::I64, 1));
                let (start, stop, step) = match v.as_slice() {
                    [b] => (zero, *b, one),
                    [a, b] => (*a, *b, one),
                    [a, b, c] => (*a, *b, *c),
                    _ => return Err(internal("range() arguments")),
                };
                let z = self.b.ins().icmp_imm_s(IntCC::Equal, step, 0);
                self.deopt_if(z);
                vec![start, stop, step]
            }
            Op::Len if args.first().is_some_and(|(t, _)| *t == Ty::Range) => {
                let v = &args[0].1;
                self.range_len(&int(v[0]), &int(v[1]), &int(v[2]))?
            }
            Op::Truth | Op::Unary(UnaryOp::Not) if args.first().is_some_and(|(t, _)| *t == Ty::Range) => {
                let v = &args[0].1;
                let n = self.range_len(&int(v[0]), &int(v[1]), &int(v[2]))?[0];
                let cc = if inst.op == Op::Truth {
                    IntCC::NotEqual
                } else {
                    IntCC::Equal
                };
                vec![self.b.ins().icmp_imm_s(cc, n, 0)]
            }
            Op::GetItem if args.first().is_some_and(|(t, _)| *t == Ty::Range) && args.len() == 2 => {
                let v = args[0].1.clone();
                let n = self.range_len(&int(v[0]), &int(v[1]), &int(v[2]))?[0];
                let i = self.conv_i64(&args[1])?;
                // A negative index counts from the end; outside [0, n): IndexError.
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
                let wrapped = self.b.ins().iadd(i, n);
                let i = self.b.ins().select(neg, wrapped, i);
                let bad = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, n);
                self.deopt_if(bad);
                // start + i * step lies between start and stop: no overflow.
                let off = self.b.ins().imul(i, v[2]);
                vec![self.b.ins().iadd(v[0], off)]
            }
            _ => return Ok(None),
        }))
    }
}
