//! Union values (a tag and a payload) and coercion between representations.

use super::*;

impl Gen<'_, '_> {
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

    /// Whether `op` computes the same value for every member of a union of
    /// family `rep` (see [`Gen::same_repr_family`]).
    fn family_op_ok(rep: &Ty, op: Option<BinOp>) -> bool {
        use BinOp::*;
        let int_family = *rep == Ty::Np(Dtype::Int64);
        match op {
            Some(Pow | LShift | RShift | MatMul) => false,
            Some(Div) => !int_family, // int / int is exact in Python, not in NumPy
            Some(BitAnd | BitOr | BitXor) => int_family,
            _ => true,
        }
    }

    /// The result type of `x OP y` (or `x CMP y`) for one pair of members.
    fn member_result(&self, op: Option<BinOp>, cmp: Option<CmpOp>, x: Scalar, y: Scalar) -> Option<Ty> {
        match (op, cmp) {
            (Some(o), _) => binop_result_in(self.env.sem.numba_scalar_typing, o, x, y).map(Ty::from_scalar),
            (_, Some(c)) => cmp_result(x, y, !matches!(c, CmpOp::Eq | CmpOp::Ne)),
            _ => None,
        }
    }

    /// `pair[0] OP pair[1]` computed once, on the unions' representatives.
    fn op_once(&mut self, op: Option<BinOp>, cmp: Option<CmpOp>, pair: &[TV; 2]) -> CResult<Option<TV>> {
        Ok(match (op, cmp) {
            (Some(o), _) => Some(self.binop(o, &pair[0], &pair[1])?),
            (_, Some(c)) => Some(self.compare(c, &pair[0], &pair[1])?),
            _ => None,
        })
    }

    pub fn float_union_op(
        &mut self,
        args: &[TV],
        rt: &Ty,
        op: Option<BinOp>,
        cmp: Option<CmpOp>,
    ) -> CResult<Option<Vals>> {
        let fam = |t: &Ty| Self::same_repr_family(t);
        let plain = Self::plain_partner;
        let (fa, fb) = (fam(&args[0].0), fam(&args[1].0));
        if fa.is_some() && fa == fb {
            return self.float_union_pair(args, rt, op, cmp);
        }
        let (ui, oi, rep) = match (fa, fb) {
            (Some(r), _) if plain(&r, &args[1].0) => (0, 1, r),
            (_, Some(r)) if plain(&r, &args[0].0) => (1, 0, r),
            _ => return Ok(None),
        };
        if !Self::family_op_ok(&rep, op) {
            return Ok(None);
        }
        let Ty::Union(ms) = &args[ui].0 else { return Ok(None) };
        let other = args[oi].0.scalar().unwrap();
        let results: Option<Vec<Ty>> = ms
            .iter()
            .map(|m| {
                let s = m.scalar().unwrap();
                let (x, y) = if ui == 0 { (s, other) } else { (other, s) };
                self.member_result(op, cmp, x, y)
            })
            .collect();
        let Some(results) = results else { return Ok(None) };
        let repv = (rep, vec![args[ui].1[1]]);
        let pair = if ui == 0 {
            [repv, args[oi].clone()]
        } else {
            [args[oi].clone(), repv]
        };
        let Some((t, vals)) = self.op_once(op, cmp, &pair)? else {
            return Ok(None);
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

    /// `a OP b` of two unions of one same-representation family (`float |
    /// np.float64` with `float | np.float64`: a float accumulator plus a
    /// `max(x, 0.0)` of an array element): the value computed once, as for one
    /// union and a plain partner ([`Gen::float_union_op`]), and the result's
    /// tag chosen from the two tags by selects, not branches.
    fn float_union_pair(
        &mut self,
        args: &[TV],
        rt: &Ty,
        op: Option<BinOp>,
        cmp: Option<CmpOp>,
    ) -> CResult<Option<Vals>> {
        let rep = Self::same_repr_family(&args[0].0).unwrap();
        if !Self::family_op_ok(&rep, op) {
            return Ok(None);
        }
        let (Ty::Union(ma), Ty::Union(mb)) = (&args[0].0, &args[1].0) else {
            return Ok(None);
        };
        let mut results = Vec::new();
        for (i, x) in ma.iter().enumerate() {
            for (j, y) in mb.iter().enumerate() {
                let Some(r) = self.member_result(op, cmp, x.scalar().unwrap(), y.scalar().unwrap()) else {
                    return Ok(None);
                };
                results.push((i, j, r));
            }
        }
        let pair = [(rep.clone(), vec![args[0].1[1]]), (rep, vec![args[1].1[1]])];
        let Some((t, vals)) = self.op_once(op, cmp, &pair)? else {
            return Ok(None);
        };
        if results.iter().all(|(_, _, r)| *r == t) {
            return Ok(Some(self.coerce(&t, vals, rt)?));
        }
        let Ty::Union(rms) = rt else { return Ok(None) };
        if abi::union_layout(rms).1.len() != vals.len() {
            return Ok(None);
        }
        let (ta, tb) = (args[0].1[0], args[1].1[0]);
        // The result member of each pair of tags, as its tag.
        let mut table = vec![vec![0u8; mb.len()]; ma.len()];
        for (i, j, r) in &results {
            let Some(k) = rms.iter().position(|m| m == r) else {
                return Ok(None);
            };
            table[*i][*j] = k as u8;
        }
        if let Some(tag) = self.tag_join(&table, ta, tb) {
            let mut out = vec![tag];
            out.extend(vals);
            return Ok(Some(out));
        }
        let mut tag = self.b.ins().iconst(clt::I8, 0);
        for (i, j, r) in &results {
            let Some(k) = rms.iter().position(|m| m == r) else {
                return Ok(None);
            };
            let ci = self.b.ins().icmp_imm_s(IntCC::Equal, ta, *i as i64);
            let cj = self.b.ins().icmp_imm_s(IntCC::Equal, tb, *j as i64);
            let c = self.b.ins().band(ci, cj);
            let kv = self.b.ins().iconst(clt::I8, k as i64);
            tag = self.b.ins().select(c, kv, tag);
        }
        let mut out = vec![tag];
        out.extend(vals);
        Ok(Some(out))
    }

    /// The result tag `table[ta][tb]` as `f(ta) | g(tb)`, where the table
    /// has that form (`f(i) = table[i][0]`, `g(j) = table[0][j]`, checked for
    /// every pair of tags, so the value is the table's own): for `float |
    /// np.float64` with itself, where NumPy's member wins, that is `ta | tb`,
    /// one instruction where the select chain over every pair made a loop's
    /// accumulator wait several cycles per iteration for its tag. None where
    /// the table has another form.
    fn tag_join(&mut self, table: &[Vec<u8>], ta: CV, tb: CV) -> Option<CV> {
        if table.is_empty() || table[0].is_empty() || table[0][0] != 0 {
            return None;
        }
        let joins = table
            .iter()
            .enumerate()
            .all(|(i, row)| row.iter().enumerate().all(|(j, &k)| k == table[i][0] | table[0][j]));
        if !joins {
            return None;
        }
        let f: Vec<u8> = table.iter().map(|row| row[0]).collect();
        let g: Vec<u8> = table[0].clone();
        let a = self.tag_map(&f, ta);
        let b = self.tag_map(&g, tb);
        Some(match (a, b) {
            (Some(a), Some(b)) => self.b.ins().bor(a, b),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => self.b.ins().iconst(clt::I8, 0),
        })
    }

    /// `map[t]` for a tag `t` (None: 0 for every tag).
    fn tag_map(&mut self, map: &[u8], t: CV) -> Option<CV> {
        if map.iter().all(|&k| k == 0) {
            return None;
        }
        if map.iter().enumerate().all(|(i, &k)| k as usize == i) {
            return Some(t);
        }
        let mut v = self.b.ins().iconst(clt::I8, map[0] as i64);
        for (i, &k) in map.iter().enumerate().skip(1) {
            if k != map[0] {
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, t, i as i64);
                let kv = self.b.ins().iconst(clt::I8, k as i64);
                v = self.b.ins().select(c, kv, v);
            }
        }
        Some(v)
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
            (Ty::Str(s), Ty::PyStr) => Ok(vec![self.str_const(s)?]),
            // The same object: a container whose element type was not known where it
            // was made (`[]`) joins one that has one (reads check their elements).
            // (only where the local list is dead after: `infer::local_lists`)
            (Ty::LocalList(_), Ty::List(_)) | (Ty::LocalDict(..), Ty::Dict(..)) => {
                Ok(vec![self.local_to_real(from, v[0])?])
            }
            (Ty::List(_), Ty::List(_)) | (Ty::Dict(..), Ty::Dict(..)) | (Ty::Set(_), Ty::Set(_)) => Ok(v),
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
            (Ty::Tuple(a), Ty::Tuple(b)) | (Ty::NamedTuple(_, a), Ty::NamedTuple(_, b)) if a.len() == b.len() => {
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
            // A value inference could not type (an empty dict's item) is never
            // made: its instruction leaves compiled code. Placeholders.
            (Ty::Bottom, _) => Ok(abi::slot_types(to).iter().map(|st| self.zero(*st)).collect()),
            _ => Err(internal(format!("cannot coerce {from} to {to}"))),
        }
    }
}
