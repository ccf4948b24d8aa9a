//! Arrays: element addresses (with index checks), indexing and stores, `range` lengths.

use super::*;

impl Gen<'_, '_> {
    // ---- arrays --------------------------------------------------------------

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
            let mut i = self.conv_i64(ix)?;
            let index = i;
            let n = arr[ArraySlots::new(nd).shape(k)];
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
                if self.index_error_known(&ix.0, k) {
                    // NumPy's IndexError, made only if it is seen (no interpreter tier).
                    self.raise_made_if(oob, |cg| {
                        let ctx = cg.ctx.unwrap();
                        let axis = cg.b.ins().iconst(clt::I64, k as i64);
                        Ok(cg.call("pyston_index_oob", &[ctx, index, axis, n])?[0])
                    })?;
                } else {
                    self.deopt_if(oob);
                }
            }
            let off = if unit == Some(k) {
                self.b.ins().imul_imm_s(i, at.dtype.itemsize())
            } else {
                self.b.ins().imul(i, arr[ArraySlots::new(nd).stride(k)])
            };
            addr = self.b.ins().iadd(addr, off);
        }
        Ok(addr)
    }

    pub fn known_const(&self, _ix: &(Ty, Vals)) -> Option<i64> {
        None
    }

    /// Loads one element of dtype `d` at `addr` (`fl`: the memory flags).
    pub(crate) fn load_elem(&mut self, d: Dtype, addr: CV, fl: MemFlagsData) -> Vals {
        match d {
            Dtype::Complex128 => vec![
                self.b.ins().load(clt::F64, fl, addr, 0),
                self.b.ins().load(clt::F64, fl, addr, 8),
            ],
            Dtype::Complex64 => vec![
                self.b.ins().load(clt::F32, fl, addr, 0),
                self.b.ins().load(clt::F32, fl, addr, 4),
            ],
            // Any nonzero byte of a bool array is True (a view of other bytes
            // as bool): NumPy reads it as 1.
            Dtype::Bool => {
                let byte = self.b.ins().load(clt::I8, fl, addr, 0);
                vec![self.b.ins().icmp_imm_u(IntCC::NotEqual, byte, 0)]
            }
            // Narrow ints: loaded extended to 64 bits as `widen_int` extends them
            // (by the dtype's signedness), the slot's value the low bits of that
            // (`ireduce`, no instruction): a value that is also widened (an index,
            // `int(a[i])`) takes the load's own register, not a second extension.
            d if d.is_int() && d.itemsize() < 8 => {
                let wide = match (d.itemsize(), d.is_unsigned()) {
                    (1, true) => self.b.ins().uload8(clt::I64, fl, addr, 0),
                    (1, false) => self.b.ins().sload8(clt::I64, fl, addr, 0),
                    (2, true) => self.b.ins().uload16(clt::I64, fl, addr, 0),
                    (2, false) => self.b.ins().sload16(clt::I64, fl, addr, 0),
                    (_, true) => self.b.ins().uload32(fl, addr, 0),
                    (_, false) => self.b.ins().sload32(fl, addr, 0),
                };
                let st = abi::dtype_slots(d)[0];
                let narrow = self.b.ins().ireduce(cl_ty(st), wide);
                self.widened.insert(narrow, wide);
                vec![narrow]
            }
            d => {
                let st = abi::dtype_slots(d)[0];
                vec![self.b.ins().load(cl_ty(st), fl, addr, 0)]
            }
        }
    }

    /// Record arrays: `a['x']` (a view of the field: same object, shapes and
    /// strides, the data pointer moved to the field), `a[i]` (the element's
    /// address and the array object), `r['x']` (the field's value, read
    /// without assuming alignment: packed dtypes put fields anywhere).
    fn record_getitem(&mut self, x: &(Ty, Vals), idx: &[(Ty, Vals)]) -> CResult<Option<Vals>> {
        Ok(Some(match (&x.0, idx) {
            (Ty::Array(at), [(Ty::Str(name), _)]) if at.dtype.is_record() => {
                let (_, off) = at.dtype.field(name).ok_or_else(|| internal("field"))?;
                let mut out = x.1.clone();
                out[ArraySlots::DATA] = self.b.ins().iadd_imm_s(x.1[ArraySlots::DATA], off);
                out
            }
            (Ty::Array(at), _) if at.dtype.is_record() && idx.len() == at.ndim as usize => {
                let at = *at;
                let addr = self.element_addr(&at, &x.1, idx)?;
                vec![addr, x.1[ArraySlots::OBJ]]
            }
            (Ty::Np(rec @ Dtype::Record(_)), [(Ty::Str(name), _)]) => {
                let (fd, off) = rec.field(name).ok_or_else(|| internal("field"))?;
                let addr = self.b.ins().iadd_imm_s(x.1[0], off);
                let mut fl = MemFlagsData::new();
                fl.set_notrap();
                self.load_elem(fd, addr, fl)
            }
            _ => return Ok(None),
        }))
    }

    pub fn getitem(&mut self, x: &(Ty, Vals), idx: &[(Ty, Vals)], _first: Option<Value>) -> CResult<Vals> {
        if let Some(v) = self.record_getitem(x, idx)? {
            return Ok(v);
        }
        match &x.0 {
            Ty::Array(at) => {
                let at = *at;
                let addr = self.element_addr(&at, &x.1, idx)?;
                let nd = at.ndim as usize;
                let k = idx.len();
                if k < nd {
                    // A view of the remaining axes: same object, shapes and strides from axis k.
                    let slots = ArraySlots::new(nd);
                    let mut out = vec![addr, x.1[ArraySlots::OBJ]];
                    out.extend(&x.1[slots.shape(k)..slots.shape(nd - 1) + 1]);
                    out.extend(&x.1[slots.stride(k)..slots.stride(nd - 1) + 1]);
                    return Ok(out);
                }
                Ok(self.load_elem(at.dtype, addr, MemFlagsData::trusted()))
            }
            Ty::Tuple(ts) => {
                let Some(Const::Int(k)) = _first.and_then(|v| self.consts.get(&v)) else {
                    // All elements have one type (inference checked): select at run time.
                    let n = ts.len() as i64;
                    let mut i = self.conv_i64(&idx[0])?;
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
        if let (Ty::Np(rec @ Dtype::Record(id)), [(Ty::Str(name), _)]) = (&x.0, idx) {
            // `a[i]['x'] = v`: into the array's memory, without assuming alignment.
            if crate::dtype::record(*id).is_none_or(|r| r.readonly) {
                self.deopt_now(); // ValueError: assignment destination is read-only
                return Ok(());
            }
            let (fd, off) = rec.field(name).ok_or_else(|| internal("field"))?;
            let vals = self.dispatch(std::slice::from_ref(v), &Ty::Np(fd), &mut |g, a| {
                Ok((Ty::Np(fd), g.cast_to_dtype(&a[0], fd, true)?))
            })?;
            let mut fl = MemFlagsData::new();
            fl.set_notrap();
            let part = (fd.itemsize() / vals.len().max(1) as i64) as i32;
            for (i, val) in vals.into_iter().enumerate() {
                self.b.ins().store(fl, val, x.1[0], off as i32 + part * i as i32);
            }
            return Ok(());
        }
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
        // (Complex parts are half the itemsize apart.)
        let part = (at.dtype.itemsize() / vals.len().max(1) as i64) as i32;
        for (i, val) in vals.into_iter().enumerate() {
            self.b.ins().store(fl, val, addr, part * i as i32);
        }
        Ok(())
    }

    /// `len(range(start, stop, step))`; step 0 deopts (ValueError).
    pub fn range_len(&mut self, start: &(Ty, Vals), stop: &(Ty, Vals), step: &(Ty, Vals)) -> CResult<Vals> {
        let a = self.conv_i64(start)?;
        let b = self.conv_i64(stop)?;
        let s = self.conv_i64(step)?;
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
