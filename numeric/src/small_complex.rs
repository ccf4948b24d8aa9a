//! Small complex128 matrices natively (part of the `small` pass).
//!
//! In a loop over blocks of a tensor (npbench's `scattering_self_energies`:
//! `dHG = G[k, E - w, n] @ dH[a, b, i]`, `dHD = dH[a, b, j] * D[q, w, a, b, i, j]`,
//! `Sigma[k, E, a] += dHG @ dHD`, all 3x3 complex128), every operation is a
//! call into NumPy that costs far more than the arithmetic: its operands'
//! views made into array objects, its ufunc dispatch, its output allocated
//! by its iterator. This pass computes three of them with the very code
//! NumPy runs, called directly on the operands' slots:
//!
//! * `a @ b` of two 2-D complex128 arrays: a fresh C-contiguous matrix (the
//!   layout NumPy's `matmul` gives) filled by the `cblas_zgemm` call NumPy
//!   makes for those shapes and strides (`pyston_zmatmul`);
//! * `x * s` and `s * x`, `x` a 2-D complex128 array and `s` a complex or
//!   float scalar: a fresh C-contiguous matrix filled by NumPy's own
//!   complex128 `multiply` inner loop, the scalar on its side (`pyston_cmul_scalar`);
//! * `t += x` of 2-D complex128 arrays, `t = base[idx]` a view by basic
//!   indexing: the sums stored in place, and the `base[idx] = t` Python does
//!   after it (a copy onto itself) skipped, as for the float rows of `small`;
//!   `t += a @ b` whose product is used only there (and computed right
//!   before it) puts the product in a scratch buffer rather than an array
//!   (`pyston_zmatmul_add`: the same `zgemm` call, `ldc` the product's width
//!   as in NumPy's fresh temporary, then the same additions).
//!
//! Exactness: see `core/runtime/src/helpers/csmall.rs` (the same BLAS call
//! with the same arguments; NumPy's own multiply loop on the same element
//! pointers, its result checked against NumPy at run time; two IEEE
//! additions per element). Whatever those helpers do not compute exactly as
//! NumPy would (a dimension of 0 or 1 for `@`, shapes that do not match,
//! layouts NumPy copies or gives another output order, overlapping operands,
//! a floating-point flag NumPy warns about, a sum that is not finite, an
//! allocation failure) takes the slow path: the instruction as written,
//! NumPy's call. The slow path starts from untouched arrays (the helpers
//! write only into the fresh matrix, or check every sum before storing).

use crate::prelude::*;
use crate::small::{RootKind, SmallExpr};

/// A 2-D complex128 array type.
fn cmat(t: &Ty) -> Option<ArrTy> {
    match t {
        Ty::Array(a) if a.ndim == 2 && a.dtype == Dtype::Complex128 => Some(*a),
        _ => None,
    }
}

/// Scalars `x * s` takes: complex ones, and floats (NumPy casts them to `s + 0j`).
fn cscalar(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Complex | Ty::Np(Dtype::Complex128) | Ty::Float | Ty::Np(Dtype::Float64)
    )
}

pub(crate) trait ComplexSmall {
    /// The complex-matrix root instruction `k` is, if any, with the `SetItem`
    /// an in-place update makes redundant and the nodes it computes.
    fn complex_root(&self, blk: Block, k: usize) -> Option<(RootKind, Option<usize>, Vec<usize>)>;
    /// Whether instruction `k` is an `a @ b` the `+=` right after it computes.
    fn complex_deferred(&self, blk: Block, k: usize) -> bool;
    fn emit_complex(&mut self, blk: Block, sx: &SmallExpr) -> CResult<()>;
}

impl ComplexSmall for Gen<'_, '_> {
    fn complex_deferred(&self, blk: Block, k: usize) -> bool {
        k + 1 < self.f.block(blk).insts.len()
            && matches!(self.complex_root(blk, k + 1), Some((RootKind::CAddMatMul { .. }, _, _)))
    }

    fn complex_root(&self, blk: Block, k: usize) -> Option<(RootKind, Option<usize>, Vec<usize>)> {
        let insts = &self.f.block(blk).insts;
        let inst = &insts[k];
        let r = inst.result?;
        if !self.env.pycalls.contains_key(&(blk, k)) || inst.args.len() != 2 {
            return None;
        }
        let ty = |v: Value| self.typed.ty(v);
        cmat(ty(r))?;
        let (a, b) = (inst.args[0], inst.args[1]);
        match &inst.op {
            Op::Bin {
                op: BinOp::MatMul,
                inplace: false,
            } if cmat(ty(a)).is_some() && cmat(ty(b)).is_some() => Some((RootKind::CMatMul(a, b), None, vec![])),
            Op::Bin {
                op: BinOp::Mul,
                inplace: false,
            } => {
                if cmat(ty(a)).is_some() && cscalar(ty(b)) {
                    Some((
                        RootKind::CScale {
                            arr: a,
                            scalar: b,
                            first: false,
                        },
                        None,
                        vec![],
                    ))
                } else if cscalar(ty(a)) && cmat(ty(b)).is_some() {
                    Some((
                        RootKind::CScale {
                            arr: b,
                            scalar: a,
                            first: true,
                        },
                        None,
                        vec![],
                    ))
                } else {
                    None
                }
            }
            Op::Bin {
                op: BinOp::Add,
                inplace: true,
            } => {
                let (target, expr) = (a, b);
                let tt = cmat(ty(target))?;
                cmat(ty(expr))?;
                if tt.readonly || self.use_counts.get(&r) != Some(&1) {
                    return None;
                }
                // target = base[idx] earlier in this block (basic indexing: ints and
                // slices, at most one per axis: a view), and the result's one use
                // is `base[idx] = result` later in it (a copy onto itself).
                let tk = insts[..k].iter().position(|x| x.result == Some(target))?;
                let g = &insts[tk];
                if !matches!(g.op, Op::GetItem) || g.args.len() < 2 {
                    return None;
                }
                let Ty::Array(base) = ty(g.args[0]) else { return None };
                let view = g.args.len() - 1 <= base.ndim as usize
                    && g.args[1..]
                        .iter()
                        .all(|x| matches!(ty(*x), Ty::Int | Ty::Np(Dtype::Int64) | Ty::Slice(_)));
                if !view {
                    return None;
                }
                let sk = (k + 1..insts.len()).find(|&s| {
                    let a = &insts[s].args;
                    matches!(insts[s].op, Op::SetItem) && a[..a.len() - 1] == g.args[..] && a.last() == Some(&r)
                })?;
                // `target += a @ b`, the product computed just before and used only
                // here (nothing in between: its slow path runs both as written).
                if k > 0 && insts[k - 1].result == Some(expr) && self.use_counts.get(&expr) == Some(&1) {
                    if let Some((RootKind::CMatMul(a, b), _, _)) = self.complex_root(blk, k - 1) {
                        return Some((
                            RootKind::CAddMatMul {
                                target,
                                a,
                                b,
                                setitem: sk,
                            },
                            Some(sk),
                            vec![k - 1],
                        ));
                    }
                }
                Some((
                    RootKind::CAdd {
                        target,
                        expr,
                        setitem: sk,
                    },
                    Some(sk),
                    vec![],
                ))
            }
            _ => None,
        }
    }

    fn emit_complex(&mut self, blk: Block, sx: &SmallExpr) -> CResult<()> {
        let f = self.f;
        let root_inst = &f.block(blk).insts[sx.root];
        let s2 = abi::ArraySlots::new(2);
        let at = ArrTy {
            dtype: Dtype::Complex128,
            ndim: 2,
            layout: Layout::C,
            readonly: false,
        };
        let root_val = root_inst.result;
        let slow = self.b.create_block();
        let merge = self.b.create_block();
        let merge_tys: Vec<clir::Type> = match root_val {
            Some(r) => abi::slot_types(&self.ty(r)).into_iter().map(cl_ty).collect(),
            None => vec![],
        };
        let merge_params: Vec<CV> = merge_tys
            .iter()
            .map(|ty| self.b.append_block_param(merge, *ty))
            .collect();
        // Branches to the slow path unless `ok` (an i8, or an i32 status that must be 0).
        let go_on = |g: &mut Self, cond: CV, status: bool| {
            let next = g.b.create_block();
            if status {
                g.b.ins().brif(cond, slow, &[], next, &[]);
            } else {
                g.b.ins().brif(cond, next, &[], slow, &[]);
            }
            g.b.switch_to_block(next);
        };
        let out: Vec<CV> = match &sx.kind {
            RootKind::CMatMul(a, b) => {
                let av = self.use_val(*a)?;
                let bv = self.use_val(*b)?;
                let (m, n) = (av[s2.shape(0)], av[s2.shape(1)]);
                let (n2, p) = (bv[s2.shape(0)], bv[s2.shape(1)]);
                // Matching inner dimensions (else NumPy's ValueError), none below 2
                // (NumPy's own loops and `gemv` then): before allocating.
                let mut ok = self.b.ins().icmp(IntCC::Equal, n, n2);
                for d in [m, n, p] {
                    let c = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, d, 2);
                    ok = self.b.ins().band(ok, c);
                }
                go_on(self, ok, false);
                let (st, buf) = self.alloc_call(AllocKind::Empty, &at, &[m, p])?;
                go_on(self, st, true);
                let o = self.load_array_slots(buf, 2);
                let dims = self.stack(24);
                for (i, d) in [m, n, p].into_iter().enumerate() {
                    self.b.ins().store(MemFlagsData::trusted(), d, dims, 8 * i as i32);
                }
                let args = [
                    av[0],
                    av[s2.stride(0)],
                    av[s2.stride(1)],
                    bv[0],
                    bv[s2.stride(0)],
                    bv[s2.stride(1)],
                    o[0],
                    dims,
                ];
                let st = self.call("pyston_zmatmul", &args)?[0];
                go_on(self, st, true);
                o
            }
            RootKind::CScale { arr, scalar, first } => {
                let xv = self.use_val(*arr)?;
                let (rows, cols) = (xv[s2.shape(0)], xv[s2.shape(1)]);
                let st_ty = self.ty(*scalar);
                let sv = self.use_val(*scalar)?;
                let (re, im) = match st_ty {
                    Ty::Complex | Ty::Np(Dtype::Complex128) => (sv[0], sv[1]),
                    t => {
                        let re = self.conv_f64(&(t, sv))?;
                        (re, self.b.ins().f64const(0.0))
                    }
                };
                // (an empty matrix: NumPy's, whose strides are its own)
                let c1 = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, rows, 0);
                let c2 = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, cols, 0);
                let ok = self.b.ins().band(c1, c2);
                go_on(self, ok, false);
                let (st, buf) = self.alloc_call(AllocKind::Empty, &at, &[rows, cols])?;
                go_on(self, st, true);
                let o = self.load_array_slots(buf, 2);
                let fv = self.b.ins().iconst(clt::I64, i64::from(*first));
                let args = [xv[0], xv[s2.stride(0)], xv[s2.stride(1)], rows, cols, re, im, fv, o[0]];
                let st = self.call("pyston_cmul_scalar", &args)?[0];
                go_on(self, st, true);
                o
            }
            RootKind::CAdd { target, expr, .. } => {
                let tv = self.use_val(*target)?;
                let xv = self.use_val(*expr)?;
                // Same shapes (else NumPy broadcasts, or raises).
                let e0 = self.b.ins().icmp(IntCC::Equal, tv[s2.shape(0)], xv[s2.shape(0)]);
                let e1 = self.b.ins().icmp(IntCC::Equal, tv[s2.shape(1)], xv[s2.shape(1)]);
                let ok = self.b.ins().band(e0, e1);
                go_on(self, ok, false);
                let args = [
                    tv[0],
                    tv[s2.stride(0)],
                    tv[s2.stride(1)],
                    xv[0],
                    xv[s2.stride(0)],
                    xv[s2.stride(1)],
                    tv[s2.shape(0)],
                    tv[s2.shape(1)],
                ];
                let st = self.call("pyston_cadd_inplace", &args)?[0];
                go_on(self, st, true);
                tv
            }
            RootKind::CAddMatMul { target, a, b, .. } => {
                let av = self.use_val(*a)?;
                let bv = self.use_val(*b)?;
                let tv = self.use_val(*target)?;
                let (m, n) = (av[s2.shape(0)], av[s2.shape(1)]);
                let (n2, p) = (bv[s2.shape(0)], bv[s2.shape(1)]);
                // As for `a @ b`, and the target of the product's shape (no broadcasting).
                let mut ok = self.b.ins().icmp(IntCC::Equal, n, n2);
                for d in [m, n, p] {
                    let c = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, d, 2);
                    ok = self.b.ins().band(ok, c);
                }
                let e0 = self.b.ins().icmp(IntCC::Equal, tv[s2.shape(0)], m);
                let e1 = self.b.ins().icmp(IntCC::Equal, tv[s2.shape(1)], p);
                ok = self.b.ins().band(ok, e0);
                ok = self.b.ins().band(ok, e1);
                go_on(self, ok, false);
                let dims = self.stack(40);
                for (i, d) in [m, n, p, tv[s2.stride(0)], tv[s2.stride(1)]].into_iter().enumerate() {
                    self.b.ins().store(MemFlagsData::trusted(), d, dims, 8 * i as i32);
                }
                let args = [
                    av[0],
                    av[s2.stride(0)],
                    av[s2.stride(1)],
                    bv[0],
                    bv[s2.stride(0)],
                    bv[s2.stride(1)],
                    tv[0],
                    dims,
                ];
                let st = self.call("pyston_zmatmul_add", &args)?[0];
                go_on(self, st, true);
                tv
            }
            _ => return Err(internal("small: not a complex matrix root")),
        };
        if out.len() != merge_params.len() {
            return Err(internal("small: complex result slots"));
        }
        let args: Vec<BlockArg> = out.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &args);
        // Slow path: the instruction as written (NumPy's call).
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let saved = self.cur_inst;
        for &k in sx.nodes.iter().chain(std::iter::once(&sx.root)) {
            self.cur_inst = (blk, k);
            self.inst(&f.block(blk).insts[k])?;
        }
        self.cur_inst = saved;
        let vals = match root_val {
            Some(r) => self.val(r)?,
            None => vec![],
        };
        if vals.len() != merge_params.len() {
            return Err(internal("small: complex result slots"));
        }
        let args: Vec<BlockArg> = vals.iter().map(|v| BlockArg::Value(*v)).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(merge);
        if let Some(r) = root_val {
            self.vals.insert(r, merge_params);
        }
        Ok(())
    }
}
