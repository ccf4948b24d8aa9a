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

/// An operation on complex NumPy scalars computed natively (`RootKind::CScalar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsOp {
    /// `np.conj(z)`, `np.conjugate(z)`, `z.conj()`, `z.conjugate()`: the
    /// imaginary part's sign flipped (no rounding, no flag).
    Conj,
    /// `np.negative(z)`: both signs flipped.
    Neg,
    /// `np.positive(z)`: the value itself.
    Pos,
    /// `np.real(z)`, `np.imag(z)`: one part.
    Real,
    Imag,
    /// `np.add(z, w)`, `np.subtract(z, w)`: two IEEE operations, per part,
    /// on the operands cast to the result's dtype; a part that is not finite
    /// is NumPy's call (which warns on overflow or an invalid operation).
    Add,
    Sub,
    /// `np.multiply(x, y)` of float NumPy scalars (complex ones: `Loop`): one
    /// IEEE product; a result that is not finite or is tiny (NumPy's overflow,
    /// invalid or underflow flag, which `np.errstate` may make an error) is
    /// NumPy's call.
    Mul,
    /// `abi::CSCALAR_UFUNCS[i]`: NumPy's inner loop on one element (`pyston_cscalar_ufunc`).
    Loop(u32),
}

/// The name of a complex scalar operation (the IR dumps).
pub fn cs_name(op: CsOp) -> String {
    match op {
        CsOp::Loop(i) => abi::CSCALAR_UFUNCS[i as usize].0.to_string(),
        op => format!("{op:?}").to_lowercase(),
    }
}

/// The complex dtype a scalar of type `t` is (a Python complex is complex128).
fn complex_of(t: &Ty) -> Option<Dtype> {
    match t {
        Ty::Complex | Ty::Np(Dtype::Complex128) => Some(Dtype::Complex128),
        Ty::Np(Dtype::Complex64) => Some(Dtype::Complex64),
        _ => None,
    }
}

/// Whether a scalar of type `t` can be an operand of a binary ufunc computed
/// in complex dtype `c`, cast as NumPy casts it: any number into complex128
/// (exact, or rounded to nearest as NumPy's C cast rounds an int64); into
/// complex64 the NumPy types it holds exactly, and Python floats and
/// complexes (rounded to float32 as NumPy's weak-scalar cast rounds them; one
/// that overflows there is NumPy's call, which warns).
fn cs_operand(t: &Ty, c: Dtype) -> bool {
    match c {
        Dtype::Complex128 => match t {
            Ty::Int | Ty::Bool | Ty::Float | Ty::Complex => true,
            Ty::Np(d) => {
                matches!(
                    d,
                    Dtype::Complex128 | Dtype::Complex64 | Dtype::Float64 | Dtype::Float32 | Dtype::Bool
                ) || d.is_int()
            }
            _ => false,
        },
        Dtype::Complex64 => matches!(
            t,
            Ty::Float
                | Ty::Complex
                | Ty::Np(Dtype::Complex64 | Dtype::Float32 | Dtype::Int8 | Dtype::UInt8 | Dtype::Int16 | Dtype::UInt16)
        ),
        _ => false,
    }
}

pub(crate) trait ComplexSmall {
    /// The ufunc of complex NumPy scalars instruction `k` is (a call into
    /// NumPy otherwise), with the complex dtype it computes in.
    fn complex_scalar_root(&self, blk: Block, k: usize) -> Option<(RootKind, Dtype)>;
    /// The complex-matrix root instruction `k` is, if any, with the `SetItem`
    /// an in-place update makes redundant and the nodes it computes.
    fn complex_root(&self, blk: Block, k: usize) -> Option<(RootKind, Option<usize>, Vec<usize>)>;
    /// Whether instruction `k` is an `a @ b` the `+=` right after it computes.
    fn complex_deferred(&self, blk: Block, k: usize) -> bool;
    fn emit_complex(&mut self, blk: Block, sx: &SmallExpr) -> CResult<()>;
    /// The fast path of a `CScalar` root computed in complex dtype `c`: its
    /// result's slots (branching to `slow` where NumPy must compute it).
    fn emit_cscalar(&mut self, op: CsOp, args: &[Value], c: Dtype, slow: CB) -> CResult<Vec<CV>>;
    /// The float-scalar ufunc `np.<name>(opnds)` computed natively (see
    /// `complex_scalar_root`), with the float dtype it computes in.
    fn float_scalar_root(&self, name: &str, opnds: &[Value], rt: &Ty) -> Option<(RootKind, Dtype)>;
    /// Operand `v` cast to complex dtype `c` as NumPy casts it: its parts
    /// (f64 or f32), and an i8 that is 1 where the cast overflows (NumPy warns).
    fn cs_cast(&mut self, v: Value, c: Dtype) -> CResult<(CV, CV, Option<CV>)>;
}

impl ComplexSmall for Gen<'_, '_> {
    fn complex_scalar_root(&self, blk: Block, k: usize) -> Option<(RootKind, Dtype)> {
        let inst = &self.f.block(blk).insts[k];
        let r = inst.result?;
        if !self.env.pycalls.contains_key(&(blk, k)) {
            return None;
        }
        let Op::MethodCall { name, kw } = &inst.op else {
            return None;
        };
        if !kw.is_empty() || inst.args.is_empty() {
            return None;
        }
        let ty = |v: Value| self.typed.ty(v);
        let rt = ty(r);
        let np = *ty(inst.args[0]) == Ty::Module(Module::Numpy);
        let opnds: &[Value] = if np { &inst.args[1..] } else { &inst.args[..] };
        // `z.conj()` / `z.conjugate()` of a complex NumPy scalar.
        if !np {
            let d = match ty(opnds[0]) {
                Ty::Np(d) if d.kind() == Kind::Complex => *d,
                _ => return None,
            };
            if opnds.len() == 1 && matches!(name.as_str(), "conj" | "conjugate") && *rt == Ty::Np(d) {
                return Some((RootKind::CScalar(CsOp::Conj, opnds.to_vec()), d));
            }
            return None;
        }
        // Float NumPy scalars (`np.float64`, `np.float32`; a Python float is a
        // float64): `np.conj`/`np.conjugate`/`np.positive`/`np.real` are the value
        // itself, `np.negative` its sign flipped; `np.add`/`np.subtract`/
        // `np.multiply` one IEEE operation in the result's dtype (float32 only
        // of float32 scalars: NumPy 1.x's value-based casting makes float32
        // with a Python float float64).
        if np {
            if let Some(found) = self.float_scalar_root(name, opnds, rt) {
                return Some(found);
            }
        }
        let real_of = |c: Dtype| {
            if c == Dtype::Complex64 {
                Dtype::Float32
            } else {
                Dtype::Float64
            }
        };
        match opnds {
            [x] => {
                let c = complex_of(ty(*x))?;
                let op = match name.as_str() {
                    "conj" | "conjugate" => CsOp::Conj,
                    "negative" => CsOp::Neg,
                    "positive" => CsOp::Pos,
                    // (`np.real(z)` is `z.real`: a Python float of a Python complex)
                    "real" | "imag" => {
                        let want = if *ty(*x) == Ty::Complex {
                            Ty::Float
                        } else {
                            Ty::Np(real_of(c))
                        };
                        if *rt != want {
                            return None;
                        }
                        let op = if name == "real" { CsOp::Real } else { CsOp::Imag };
                        return Some((RootKind::CScalar(op, vec![*x]), c));
                    }
                    n => {
                        let n = if n == "abs" { "absolute" } else { n };
                        let i = abi::CSCALAR_UFUNCS.iter().position(|u| u.0 == n && u.1 == 1)?;
                        let want = if abi::CSCALAR_UFUNCS[i].2 { real_of(c) } else { c };
                        if *rt != Ty::Np(want) {
                            return None;
                        }
                        return Some((RootKind::CScalar(CsOp::Loop(i as u32), vec![*x]), c));
                    }
                };
                (*rt == Ty::Np(c)).then(|| (RootKind::CScalar(op, vec![*x]), c))
            }
            [a, b] => {
                let Ty::Np(c) = *rt else { return None };
                if c.kind() != Kind::Complex || !cs_operand(ty(*a), c) || !cs_operand(ty(*b), c) {
                    return None;
                }
                let op = match name.as_str() {
                    "add" => CsOp::Add,
                    "subtract" => CsOp::Sub,
                    n => {
                        let n = if n == "true_divide" { "divide" } else { n };
                        let i = abi::CSCALAR_UFUNCS.iter().position(|u| u.0 == n && u.1 == 2)?;
                        CsOp::Loop(i as u32)
                    }
                };
                Some((RootKind::CScalar(op, vec![*a, *b]), c))
            }
            _ => None,
        }
    }

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

    fn float_scalar_root(&self, name: &str, opnds: &[Value], rt: &Ty) -> Option<(RootKind, Dtype)> {
        let float_of = |t: &Ty| match t {
            Ty::Float | Ty::Np(Dtype::Float64) => Some(Dtype::Float64),
            Ty::Np(Dtype::Float32) => Some(Dtype::Float32),
            _ => None,
        };
        match opnds {
            [x] => {
                let xt = self.typed.ty(*x);
                let d = float_of(xt)?;
                let op = match name {
                    "conj" | "conjugate" | "positive" => CsOp::Pos,
                    "negative" => CsOp::Neg,
                    // (`np.real(x)` is `x.real`: a Python float of a Python float)
                    "real" => {
                        let want = if *xt == Ty::Float { Ty::Float } else { Ty::Np(d) };
                        return (*rt == want).then(|| (RootKind::CScalar(CsOp::Real, vec![*x]), d));
                    }
                    _ => return None,
                };
                (*rt == Ty::Np(d)).then(|| (RootKind::CScalar(op, vec![*x]), d))
            }
            [a, b] => {
                let op = match name {
                    "add" => CsOp::Add,
                    "subtract" => CsOp::Sub,
                    "multiply" => CsOp::Mul,
                    _ => return None,
                };
                let d = match rt {
                    Ty::Np(d @ (Dtype::Float64 | Dtype::Float32)) => *d,
                    _ => return None,
                };
                let fits = |v: &Value| match d {
                    Dtype::Float64 => float_of(self.typed.ty(*v)).is_some(),
                    _ => *self.typed.ty(*v) == Ty::Np(Dtype::Float32),
                };
                (fits(a) && fits(b)).then(|| (RootKind::CScalar(op, vec![*a, *b]), d))
            }
            _ => None,
        }
    }

    fn cs_cast(&mut self, v: Value, c: Dtype) -> CResult<(CV, CV, Option<CV>)> {
        let t = self.ty(v);
        let x = self.use_val(v)?;
        let single = c == Dtype::Complex64;
        let (re, im) = match &t {
            Ty::Complex | Ty::Np(Dtype::Complex128) => (x[0], x[1]),
            Ty::Np(Dtype::Complex64) if single => return Ok((x[0], x[1], None)),
            Ty::Np(Dtype::Complex64) => {
                let re = self.b.ins().fpromote(clt::F64, x[0]);
                let im = self.b.ins().fpromote(clt::F64, x[1]);
                (re, im)
            }
            Ty::Np(Dtype::Float32) if single => {
                let z = self.b.ins().f32const(0.0);
                return Ok((x[0], z, None));
            }
            _ => {
                let re = self.conv_f64(&(t.clone(), x))?;
                (re, self.b.ins().f64const(0.0))
            }
        };
        if !single {
            return Ok((re, im, None));
        }
        // A Python float or complex (or a small NumPy int) into complex64:
        // rounded to float32; finite parts that become infinite overflow.
        let mut parts = [re, im];
        let mut over = self.b.ins().iconst(clt::I8, 0);
        for p in parts.iter_mut() {
            let y = self.b.ins().fdemote(clt::F32, *p);
            let ay = self.b.ins().fabs(y);
            let inf = self.b.ins().f32const(f32::INFINITY);
            let y_inf = self.b.ins().fcmp(FloatCC::Equal, ay, inf);
            let ax = self.b.ins().fabs(*p);
            let inf64 = self.b.ins().f64const(f64::INFINITY);
            let x_fin = self.b.ins().fcmp(FloatCC::LessThan, ax, inf64);
            let o = self.b.ins().band(y_inf, x_fin);
            over = self.b.ins().bor(over, o);
            *p = y;
        }
        Ok((parts[0], parts[1], Some(over)))
    }

    fn emit_cscalar(&mut self, op: CsOp, args: &[Value], c: Dtype, slow: CB) -> CResult<Vec<CV>> {
        let single = c == Dtype::Complex64;
        let go_on = |g: &mut Self, bad: CV| {
            let next = g.b.create_block();
            g.b.ins().brif(bad, slow, &[], next, &[]);
            g.b.switch_to_block(next);
        };
        if c.kind() == Kind::Float {
            // Float scalars (`float_scalar_root`): float32 widened exactly into float64.
            let mut xs = Vec::with_capacity(args.len());
            for &a in args {
                let t = self.ty(a);
                let x = self.use_val(a)?[0];
                xs.push(match t {
                    Ty::Np(Dtype::Float32) if c == Dtype::Float64 => self.b.ins().fpromote(clt::F64, x),
                    _ => x,
                });
            }
            return Ok(match op {
                CsOp::Pos | CsOp::Conj | CsOp::Real => vec![xs[0]],
                CsOp::Neg => vec![self.b.ins().fneg(xs[0])],
                CsOp::Add | CsOp::Sub | CsOp::Mul => {
                    let (x, y) = (xs[0], xs[1]);
                    let r = match op {
                        CsOp::Add => self.b.ins().fadd(x, y),
                        CsOp::Sub => self.b.ins().fsub(x, y),
                        _ => self.b.ins().fmul(x, y),
                    };
                    // (`r - r` is NaN exactly when `r` is not finite: NumPy's
                    // overflow or invalid flag, or a NaN operand)
                    let d = self.b.ins().fsub(r, r);
                    let mut bad = self.b.ins().fcmp(FloatCC::Unordered, d, d);
                    if op == CsOp::Mul {
                        // (a product below the smallest normal, of nonzero factors,
                        // may have underflowed: NumPy's flag, which it ignores by
                        // default but `np.errstate(under=...)` may not)
                        let ar = self.b.ins().fabs(r);
                        let tiny = if c == Dtype::Float32 {
                            self.b.ins().f32const(f32::MIN_POSITIVE)
                        } else {
                            self.b.ins().f64const(f64::MIN_POSITIVE)
                        };
                        let small = self.b.ins().fcmp(FloatCC::LessThan, ar, tiny);
                        let zero = if c == Dtype::Float32 {
                            self.b.ins().f32const(0.0)
                        } else {
                            self.b.ins().f64const(0.0)
                        };
                        let xz = self.b.ins().fcmp(FloatCC::NotEqual, x, zero);
                        let yz = self.b.ins().fcmp(FloatCC::NotEqual, y, zero);
                        let nz = self.b.ins().band(xz, yz);
                        let under = self.b.ins().band(small, nz);
                        bad = self.b.ins().bor(bad, under);
                    }
                    go_on(self, bad);
                    vec![r]
                }
                _ => return Err(internal("small: a float scalar ufunc")),
            });
        }
        let mut parts = Vec::with_capacity(args.len());
        for &a in args {
            let (re, im, over) = self.cs_cast(a, c)?;
            if let Some(o) = over {
                go_on(self, o);
            }
            parts.push((re, im));
        }
        let (re, im) = parts[0];
        Ok(match op {
            CsOp::Conj => vec![re, self.b.ins().fneg(im)],
            CsOp::Neg => vec![self.b.ins().fneg(re), self.b.ins().fneg(im)],
            CsOp::Pos => vec![re, im],
            CsOp::Real => vec![re],
            CsOp::Imag => vec![im],
            CsOp::Mul => return Err(internal("small: a complex product is NumPy's loop")),
            CsOp::Add | CsOp::Sub => {
                let (br, bi) = parts[1];
                let (r, i) = if op == CsOp::Add {
                    (self.b.ins().fadd(re, br), self.b.ins().fadd(im, bi))
                } else {
                    (self.b.ins().fsub(re, br), self.b.ins().fsub(im, bi))
                };
                // (`x - x` is NaN exactly when `x` is not finite)
                let dr = self.b.ins().fsub(r, r);
                let di = self.b.ins().fsub(i, i);
                let bad = self.b.ins().fcmp(FloatCC::Unordered, dr, di);
                go_on(self, bad);
                vec![r, i]
            }
            CsOp::Loop(i) => {
                let (ins, out) = (self.stack(32), self.stack(16));
                let w = if single { 4 } else { 8 };
                for (k, (pr, pi)) in parts.iter().enumerate() {
                    let off = 2 * w * k as i32;
                    self.b.ins().store(MemFlagsData::trusted(), *pr, ins, off);
                    self.b.ins().store(MemFlagsData::trusted(), *pi, ins, off + w);
                }
                let id = self.b.ins().iconst(clt::I64, 2 * i as i64 + i64::from(single));
                let b = self.b.ins().iadd_imm_s(ins, 2 * w as i64);
                let st = self.call("pyston_cscalar_ufunc", &[id, ins, b, out])?[0];
                go_on(self, st);
                let ft = if single { clt::F32 } else { clt::F64 };
                let re = self.b.ins().load(ft, MemFlagsData::trusted(), out, 0);
                if abi::CSCALAR_UFUNCS[i as usize].2 {
                    vec![re]
                } else {
                    vec![re, self.b.ins().load(ft, MemFlagsData::trusted(), out, w)]
                }
            }
        })
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
            RootKind::CScalar(op, args) => {
                let (op, args) = (*op, args.clone());
                self.emit_cscalar(op, &args, sx.dtype, slow)?
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
