//! Local lists (`Ty::LocalList`, see `infer::local_lists`): lists that never
//! leave the function, their elements unboxed in a buffer compiled code
//! reads and writes itself (the runtime's `helpers/local_lists.rs` makes the
//! object and grows the buffer). Indexes out of range raise CPython's
//! `IndexError` with its messages.

use super::*;

/// What a bounds check guards, for CPython's message (`pyston_llist_index_error`).
#[derive(Clone, Copy)]
enum Access {
    Read = 0,
    Write = 1,
    PopEmpty = 2,
}

impl Gen<'_, '_> {
    fn llist_field(&mut self, l: CV, off: i32) -> CV {
        self.b.ins().load(clt::I64, MemFlagsData::trusted(), l, off)
    }

    /// A local list's current length (also the loop bound of a `for` over it).
    pub(super) fn llist_len(&mut self, l: CV) -> CV {
        self.llist_field(l, abi::LLIST_LEN)
    }

    /// A word of the buffer as a value of element type `e` (the inverse of `list_word`).
    fn llist_value(&mut self, w: CV, e: &Ty) -> CV {
        match abi::slot_types(e).first() {
            Some(SlotTy::F64) => self.b.ins().bitcast(clt::F64, MemFlagsData::new(), w),
            Some(SlotTy::F32) => {
                let i = self.b.ins().ireduce(clt::I32, w);
                self.b.ins().bitcast(clt::F32, MemFlagsData::new(), i)
            }
            Some(s @ (SlotTy::I8 | SlotTy::I16 | SlotTy::I32)) => self.b.ins().ireduce(cl_ty(*s), w),
            _ => w,
        }
    }

    /// Raises CPython's IndexError for `what` (a cold path leaving the function
    /// or entering its handler) when `bad` holds.
    fn llist_fail_if(&mut self, bad: CV, what: Access) -> CResult<()> {
        let fail = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(bad, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        self.b.set_cold_block(fail);
        let w = self.b.ins().iconst(clt::I32, what as i64);
        let ctx = self.ctx.unwrap();
        self.call("pyston_llist_index_error", &[ctx, w])?;
        let (cb, ck) = self.cur_inst;
        let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
        self.push_frame_and_fail(ctx, span)?;
        self.b.switch_to_block(ok);
        Ok(())
    }

    /// The address of element `idx` (counted from the end when negative),
    /// after CPython's bounds check.
    fn llist_elem_addr(&mut self, l: CV, idx: &(Ty, Vals), what: Access) -> CResult<CV> {
        let i = match idx.0 {
            Ty::Bool => self.b.ins().uextend(clt::I64, idx.1[0]),
            _ => idx.1[0],
        };
        let n = self.llist_len(l);
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
        let wrapped = self.b.ins().iadd(i, n);
        let i = self.b.ins().select(neg, wrapped, i);
        let bad = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, n);
        self.llist_fail_if(bad, what)?;
        let data = self.llist_field(l, abi::LLIST_DATA);
        let off = self.b.ins().ishl_imm_u(i, 3);
        Ok(self.b.ins().iadd(data, off))
    }

    /// The operations on local lists `infer::local_lists` allows; None for others.
    pub(super) fn local_list_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        if let Some(out) = self.local_dict_inst(inst, args, rt)? {
            return Ok(Some(out));
        }
        let first = match args.first() {
            Some((Ty::LocalList(e), v)) => Some(((**e).clone(), v[0])),
            _ => None,
        };
        let fl = MemFlagsData::trusted();
        Ok(Some(match (&inst.op, first) {
            (Op::List, _) | (Op::Call { .. }, _) if matches!(rt, Ty::LocalList(_)) => {
                let Ty::LocalList(e) = rt else { unreachable!() };
                let items: Vec<CV> = match inst.op {
                    Op::List => args.iter().map(|(_, v)| v[0]).collect(),
                    _ => Vec::new(),
                };
                let buf = self.stack(8 * items.len().max(1) as u32);
                for (i, x) in items.iter().enumerate() {
                    let w = self.list_word(*x, e);
                    self.b.ins().store(fl, w, buf, 8 * i as i32);
                }
                let ctx = self.ctx.unwrap();
                let n = self.b.ins().iconst(clt::I64, items.len() as i64);
                let p = self.call("pyston_llist_new", &[ctx, buf, n])?[0];
                self.fail_if_null(p)?;
                vec![p]
            }
            (Op::Call { .. }, _) if matches!(args, [(Ty::Builtin(Builtin::Len), _), (Ty::LocalList(_), _)]) => {
                vec![self.llist_len(args[1].1[0])]
            }
            (Op::Call { .. }, _) if matches!(args, [(Ty::Builtin(Builtin::Bool), _), (Ty::LocalList(_), _)]) => {
                let n = self.llist_len(args[1].1[0]);
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            // (a tuple made into a list where it is returned: `coerce`)
            (Op::Call { .. }, _)
                if matches!(
                    args,
                    [
                        (Ty::Builtin(Builtin::Sum | Builtin::Min | Builtin::Max), _),
                        (Ty::LocalList(_), _)
                    ]
                ) =>
            {
                let (Ty::Builtin(f), Ty::LocalList(e)) = (&args[0].0, &args[1].0) else {
                    unreachable!()
                };
                self.llist_reduce(*f, e, args[1].1[0], rt)?
            }
            (Op::Bin { op: BinOp::Mul, .. }, _) if matches!(rt, Ty::LocalList(_)) => {
                // `lst * n` / `n * lst`: a new local list (a count below 1 gives an empty one)
                let (l, n) = match (&args[0].0, &args[1].0) {
                    (Ty::LocalList(_), _) => (args[0].1[0], &args[1]),
                    _ => (args[1].1[0], &args[0]),
                };
                let n = match n.0 {
                    Ty::Bool => self.b.ins().uextend(clt::I64, n.1[0]),
                    _ => n.1[0],
                };
                let ctx = self.ctx.unwrap();
                let p = self.call("pyston_llist_repeat", &[ctx, l, n])?[0];
                self.fail_if_null(p)?;
                vec![p]
            }
            (_, None) | (Op::Tuple, _) => return Ok(None),
            (Op::GetItem, Some((e, l))) => {
                let addr = self.llist_elem_addr(l, &args[1], Access::Read)?;
                let w = self.b.ins().load(clt::I64, fl, addr, 0);
                vec![self.llist_value(w, &e)]
            }
            (Op::SetItem, Some((e, l))) => {
                let addr = self.llist_elem_addr(l, &args[1], Access::Write)?;
                let w = self.list_word(args[2].1[0], &e);
                self.b.ins().store(fl, w, addr, 0);
                vec![]
            }
            (Op::MethodCall { name, .. }, Some((e, l))) if name == "append" => {
                let w = self.list_word(args[1].1[0], &e);
                let n = self.llist_len(l);
                let cap = self.llist_field(l, abi::LLIST_CAP);
                let full = self.b.ins().icmp(IntCC::Equal, n, cap);
                let grow = self.b.create_block();
                let store = self.b.create_block();
                self.b.ins().brif(full, grow, &[], store, &[]);
                self.b.switch_to_block(grow);
                self.b.set_cold_block(grow);
                let ctx = self.ctx.unwrap();
                let st = self.call("pyston_llist_grow", &[ctx, l])?[0];
                self.list_status(st)?;
                self.b.ins().jump(store, &[]);
                self.b.switch_to_block(store);
                let data = self.llist_field(l, abi::LLIST_DATA);
                let off = self.b.ins().ishl_imm_u(n, 3);
                let addr = self.b.ins().iadd(data, off);
                self.b.ins().store(fl, w, addr, 0);
                let n1 = self.b.ins().iadd_imm_s(n, 1);
                self.b.ins().store(fl, n1, l, abi::LLIST_LEN);
                vec![]
            }
            (Op::MethodCall { name, .. }, Some((e, l))) if name == "pop" => {
                let n = self.llist_len(l);
                let empty = self.b.ins().icmp_imm_s(IntCC::Equal, n, 0);
                self.llist_fail_if(empty, Access::PopEmpty)?;
                let n1 = self.b.ins().iadd_imm_s(n, -1);
                let data = self.llist_field(l, abi::LLIST_DATA);
                let off = self.b.ins().ishl_imm_u(n1, 3);
                let addr = self.b.ins().iadd(data, off);
                let w = self.b.ins().load(clt::I64, fl, addr, 0);
                self.b.ins().store(fl, n1, l, abi::LLIST_LEN);
                vec![self.llist_value(w, &e)]
            }
            (Op::MethodCall { name, .. }, Some((e, l))) => {
                let op = match name.as_str() {
                    "index" => 1,
                    "count" => 2,
                    "sort" => 3,
                    "reverse" => 4,
                    "clear" => 5,
                    "insert" => 6,
                    _ => return Err(internal(format!("method {name} of a local list"))),
                };
                let (a, b) = match op {
                    1 | 2 => (self.list_word(args[1].1[0], &e), self.b.ins().iconst(clt::I64, 0)),
                    3 if args.len() == 2 => {
                        let r = self.b.ins().uextend(clt::I64, args[1].1[0]);
                        (r, self.b.ins().iconst(clt::I64, 0))
                    }
                    6 => {
                        let i = match args[1].0 {
                            Ty::Bool => self.b.ins().uextend(clt::I64, args[1].1[0]),
                            _ => args[1].1[0],
                        };
                        (i, self.list_word(args[2].1[0], &e))
                    }
                    _ => (self.b.ins().iconst(clt::I64, 0), self.b.ins().iconst(clt::I64, 0)),
                };
                let r = self.llist_op(l, op, &e, a, b)?;
                match op {
                    1 | 2 => vec![r],
                    _ => vec![],
                }
            }
            (Op::Contains, Some((e, l))) => {
                let x = self.list_word(args[1].1[0], &e);
                let zero = self.b.ins().iconst(clt::I64, 0);
                let r = self.llist_op(l, 0, &e, x, zero)?;
                vec![self.b.ins().ireduce(clt::I8, r)]
            }
            (Op::Len, Some((_, l))) => vec![self.llist_len(l)],
            (Op::Truth, Some((_, l))) => {
                let n = self.llist_len(l);
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            (Op::Unary(UnaryOp::Not), Some((_, l))) => {
                let n = self.llist_len(l);
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, n, 0)]
            }
            (op, Some((e, _))) => {
                return Err(internal(format!("{op:?} of a local list of {e}")));
            }
        }))
    }

    /// Copies the `n` elements of local list `l` into `dst`, an array buffer of dtype `d`.
    pub(super) fn llist_copy_into(&mut self, l: CV, n: CV, dst: CV, d: Dtype) -> CResult<()> {
        let fl = MemFlagsData::trusted();
        let data = self.llist_field(l, abi::LLIST_DATA);
        let isz = d.itemsize();
        let head = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(head, clt::I64);
        let zero = self.b.ins().iconst(clt::I64, 0);
        self.b.ins().jump(head, &[BlockArg::Value(zero)]);
        self.b.switch_to_block(head);
        let i = self.b.block_params(head)[0];
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, n);
        self.b.ins().brif(more, body, &[], done, &[]);
        self.b.switch_to_block(body);
        let off = self.b.ins().ishl_imm_u(i, 3);
        let src = self.b.ins().iadd(data, off);
        let w = self.b.ins().load(clt::I64, fl, src, 0);
        let x = match isz {
            8 => w,
            k => self.b.ins().ireduce(clt::Type::int(8 * k as u16).unwrap(), w),
        };
        let doff = self.b.ins().imul_imm_s(i, isz);
        let daddr = self.b.ins().iadd(dst, doff);
        self.b.ins().store(fl, x, daddr, 0);
        let i1 = self.b.ins().iadd_imm_s(i, 1);
        self.b.ins().jump(head, &[BlockArg::Value(i1)]);
        self.b.switch_to_block(done);
        Ok(())
    }

    /// A local list or dict (`t`) made into a real `list`/`dict` where it is
    /// returned (nothing uses it after): the runtime's `pyston_llist_to_list`
    /// / `pyston_ldict_to_dict`, by its element (value) kind.
    pub(super) fn local_to_real(&mut self, t: &Ty, obj: CV) -> CResult<CV> {
        let (helper, e) = match t {
            Ty::LocalList(e) => ("pyston_llist_to_list", e),
            Ty::LocalDict(_, v) => ("pyston_ldict_to_dict", v),
            _ => return Err(internal(format!("{t} is not a local container"))),
        };
        let kind = crate::infer::native_kind(e).ok_or_else(|| internal("local container element kind"))?;
        let ctx = self.ctx.unwrap();
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let p = self.call(helper, &[ctx, obj, k])?[0];
        self.fail_if_null(p)?;
        Ok(p)
    }

    /// `sum`, `min` or `max` of a local list (what `infer::reduce_ok` allows):
    /// the runtime's loop; DEOPT where CPython's own builtin must run.
    fn llist_reduce(&mut self, f: Builtin, e: &Ty, l: CV, rt: &Ty) -> CResult<Vals> {
        if !crate::infer::reduce_ok(f, e, rt) {
            return Err(internal(format!("{f:?} of a local list of {e}")));
        }
        let kind = crate::infer::native_kind(e).ok_or_else(|| internal("local list element kind"))?;
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let out = self.stack(8);
        let st = match f {
            Builtin::Sum => {
                let ctx = self.ctx.unwrap();
                self.call("pyston_llist_sum", &[ctx, l, k, out])?[0]
            }
            _ => {
                let m = self.b.ins().iconst(clt::I32, (f == Builtin::Max) as i64);
                self.call("pyston_llist_minmax", &[l, k, m, out])?[0]
            }
        };
        self.list_status(st)?;
        let w = self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0);
        let Ty::Union(ms) = rt else {
            return Ok(vec![self.llist_value(w, if f == Builtin::Sum { &Ty::Int } else { e })]);
        };
        // `sum` of floats: the int 0 for no items, else the float.
        let x = self.llist_value(w, e);
        let zero = self.b.ins().iconst(clt::I64, 0);
        let as_int = self.coerce(&Ty::Int, vec![zero], rt)?;
        let as_float = self.coerce(e, vec![x], &Ty::Union(ms.clone()))?;
        let n = self.llist_len(l);
        let empty = self.b.ins().icmp_imm_s(IntCC::Equal, n, 0);
        Ok(as_int
            .into_iter()
            .zip(as_float)
            .map(|(a, b)| self.b.ins().select(empty, a, b))
            .collect())
    }

    /// One of the runtime's other local list methods (`pyston_llist_op`): its word result.
    fn llist_op(&mut self, l: CV, op: i64, e: &Ty, a: CV, b: CV) -> CResult<CV> {
        let kind = crate::infer::native_kind(e).ok_or_else(|| internal("local list element kind"))?;
        let ctx = self.ctx.unwrap();
        let opv = self.b.ins().iconst(clt::I32, op);
        let k = self.b.ins().iconst(clt::I32, kind as i64);
        let out = self.stack(8);
        let st = self.call("pyston_llist_op", &[ctx, l, opv, k, a, b, out])?[0];
        self.list_status(st)?;
        Ok(self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0))
    }

    /// The operations on local dicts `infer::local_lists` allows; None for others.
    fn local_dict_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        if let Some(out) = self.local_iter_inst(inst, args, rt)? {
            return Ok(Some(out));
        }
        let ctx = self.ctx.unwrap();
        if let (Op::Call { .. }, Ty::LocalDict(..)) = (&inst.op, rt) {
            let p = self.call("pyston_ldict_new", &[ctx])?[0];
            self.fail_if_null(p)?;
            return Ok(Some(vec![p]));
        }
        if let (Op::Call { .. }, [(Ty::Builtin(f @ (Builtin::Len | Builtin::Bool)), _), (Ty::LocalDict(..), d)]) =
            (&inst.op, args)
        {
            let n = self.llist_field(d[0], abi::LDICT_LEN);
            if *f == Builtin::Bool {
                return Ok(Some(vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]));
            }
            return Ok(Some(vec![n]));
        }
        let Some((Ty::LocalDict(_, v), d)) = args.first() else {
            return Ok(None);
        };
        let (v, d) = ((**v).clone(), d[0]);
        // `d.get(k)`: whether `k` is there, and its value's word.
        let get = |g: &mut Self, key: CV| -> CResult<(CV, CV)> {
            let out = g.stack(8);
            let found = g.call("pyston_ldict_get", &[d, key, out])?[0];
            let w = g.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0);
            Ok((found, w))
        };
        Ok(Some(match &inst.op {
            Op::GetItem => {
                let (found, w) = get(self, args[1].1[0])?;
                // (absent: the interpreter tier raises CPython's KeyError)
                let missing = self.b.ins().icmp_imm_s(IntCC::Equal, found, 0);
                self.deopt_if(missing);
                vec![self.llist_value(w, &v)]
            }
            Op::MethodCall { name, .. } if name == "get" => {
                let (found, w) = get(self, args[1].1[0])?;
                let dflt = self.list_word(args[2].1[0], &v);
                let w = self.b.ins().select(found, w, dflt);
                vec![self.llist_value(w, &v)]
            }
            Op::Contains => {
                let (found, _) = get(self, args[1].1[0])?;
                vec![self.b.ins().ireduce(clt::I8, found)]
            }
            Op::SetItem => {
                let w = self.list_word(args[2].1[0], &v);
                let st = self.call("pyston_ldict_set", &[ctx, d, args[1].1[0], w])?[0];
                self.list_status(st)?;
                vec![]
            }
            Op::Len => vec![self.llist_field(d, abi::LDICT_LEN)],
            Op::Truth | Op::Unary(UnaryOp::Not) => {
                let n = self.llist_field(d, abi::LDICT_LEN);
                let cc = if inst.op == Op::Truth {
                    IntCC::NotEqual
                } else {
                    IntCC::Equal
                };
                vec![self.b.ins().icmp_imm_s(cc, n, 0)]
            }
            // (a tuple made into a dict where it is returned: `coerce`)
            Op::Tuple => return Ok(None),
            op => return Err(internal(format!("{op:?} of a local dict"))),
        }))
    }
}

impl Gen<'_, '_> {
    /// `for` loops over local dicts and their views (`Ty::LocalIter`, see
    /// `infer::local_lists`): the iterator (`len seq`: the runtime's object
    /// holding the dict and its length now), the loop test (`k < it`) and
    /// the item (`seq[k]`). A local dict has no deleted entries, so the
    /// items in CPython's order are its entries in order: the test fetches
    /// the next one by its count, after CPython's check that the dict's
    /// size is the one the loop started with (else its `RuntimeError`:
    /// "dictionary changed size during iteration", also at the end).
    fn local_iter_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)], rt: &Ty) -> CResult<Option<Vals>> {
        let fl = MemFlagsData::trusted();
        Ok(Some(match &inst.op {
            // (a view of a local dict is the dict)
            Op::MethodCall { .. } if matches!(rt, Ty::LocalView(..)) => vec![args[0].1[0]],
            Op::Len if matches!(rt, Ty::LocalIter(..)) => {
                let ctx = self.ctx.unwrap();
                let p = self.call("pyston_liter_new", &[ctx, args[0].1[0]])?[0];
                self.fail_if_null(p)?;
                vec![p]
            }
            Op::Cmp(CmpOp::Lt) if matches!(args.get(1), Some((Ty::LocalIter(..), _))) => {
                let it = args[1].1[0];
                let d = self.llist_field(it, abi::LITER_DICT);
                let len = self.llist_field(d, abi::LDICT_LEN);
                let len0 = self.llist_field(it, abi::LITER_LEN0);
                let changed = self.b.ins().icmp(IntCC::NotEqual, len, len0);
                let fail = self.b.create_block();
                let ok = self.b.create_block();
                self.b.ins().brif(changed, fail, &[], ok, &[]);
                self.b.switch_to_block(fail);
                self.b.set_cold_block(fail);
                let ctx = self.ctx.unwrap();
                self.call("pyston_liter_changed", &[ctx])?;
                let (cb, ck) = self.cur_inst;
                let span = self.f.block(cb).insts.get(ck).map_or(self.f.span, |i| i.span);
                self.push_frame_and_fail(ctx, span)?;
                self.b.switch_to_block(ok);
                let pos = self.llist_field(it, abi::LITER_POS);
                let more = self.b.ins().icmp(IntCC::SignedLessThan, pos, len0);
                let step = self.b.ins().uextend(clt::I64, more);
                let next = self.b.ins().iadd(pos, step);
                self.b.ins().store(fl, next, it, abi::LITER_POS);
                vec![more]
            }
            Op::GetItem
                if matches!(args.first(), Some((Ty::LocalDict(..) | Ty::LocalView(..), _)))
                    && self.loop_items.contains_key(&(inst.args[0], inst.args[1])) =>
            {
                let n = self.loop_items[&(inst.args[0], inst.args[1])];
                let (kind, k, v) = match self.typed.ty(n) {
                    Ty::LocalIter(kind, k, v) => (*kind, (**k).clone(), (**v).clone()),
                    t => return Err(internal(format!("the item of a loop over a local dict by {t}"))),
                };
                let it = self.use_val(n)?[0];
                // (the entry the test fetched: `pos - 1`)
                let d = self.llist_field(it, abi::LITER_DICT);
                let pos = self.llist_field(it, abi::LITER_POS);
                let entries = self.llist_field(d, abi::LDICT_ENTRIES);
                let off = self.b.ins().ishl_imm_u(pos, 4);
                let addr = self.b.ins().iadd(entries, off);
                let kw = self.b.ins().load(clt::I64, fl, addr, -16);
                let vw = self.b.ins().load(clt::I64, fl, addr, -8);
                let key = self.llist_value(kw, &k);
                let val = self.llist_value(vw, &v);
                match kind {
                    ViewKind::Keys => vec![key],
                    ViewKind::Values => vec![val],
                    ViewKind::Items => vec![key, val],
                }
            }
            _ => return Ok(None),
        }))
    }
}
