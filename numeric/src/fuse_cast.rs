//! Loads of a fused expression's leaves of another dtype than the one the
//! expression computes in (`a_int32 + b_int64`, `u8 * i16`, `a_i16 * b_f64`,
//! `f32 + f64`), each element converted as NumPy's cast converts it before
//! its loop runs: a narrower integer sign- or zero-extended, an integer made
//! a float (exact up to 32 bits; int64 and uint64 rounded to nearest, as
//! NumPy's cast rounds), float32 widened to float64 (exact), a bool byte as
//! 0 or 1 (NumPy's cast of a bool is 1 for any nonzero byte).
//!
//! A vector of `L` lanes of the expression's dtype reads `L` leaf elements:
//! fewer bytes than a vector when the leaf is narrower (8, 4 or 2), loaded
//! as one scalar, put into a vector and widened lane by lane.

use crate::fuse::FusedExpr;
use crate::prelude::*;

/// Whether a leaf of dtype `leaf` may be read into an expression computing
/// in `dt` (converted as [`load_leaf`] does, which is NumPy's cast to `dt`).
/// For a comparison (`cmp`) only exact conversions: NumPy compares int64
/// with floats without casting them.
pub(crate) fn converts(leaf: Dtype, dt: Dtype, cmp: bool) -> bool {
    if leaf == dt {
        return true;
    }
    let int_like = |d: Dtype| d.is_int() || d == Dtype::Bool;
    match dt {
        Dtype::Float64 => {
            leaf == Dtype::Float32 || int_like(leaf) && !(cmp && matches!(leaf, Dtype::Int64 | Dtype::UInt64))
        }
        Dtype::Float32 => int_like(leaf) && leaf.itemsize() <= 2,
        d if d.is_int() => {
            leaf == Dtype::Bool || leaf.is_int() && leaf.itemsize() < d.itemsize() && Dtype::promote(leaf, d) == Some(d)
        }
        _ => false,
    }
}

/// Whether a leaf of dtype `leaf` needs [`load_leaf`]'s conversion into an
/// expression of `dt` other than the same-width int64/uint64 to float64
/// that the fused loops have always read (the paths of whole-expression
/// reductions, stores, in-place roots and ufuncs keep to those).
pub(crate) fn mixed_leaf(leaf: Dtype, dt: Dtype) -> bool {
    leaf != dt && !(dt == Dtype::Float64 && matches!(leaf, Dtype::Int64 | Dtype::UInt64))
}

/// The Cranelift scalar type of a leaf's elements.
fn elem_ty(d: Dtype) -> clir::Type {
    match d {
        Dtype::Float64 => clt::F64,
        Dtype::Float32 => clt::F32,
        Dtype::Complex128 => clt::F64X2,
        _ => match d.itemsize() {
            1 => clt::I8,
            2 => clt::I16,
            4 => clt::I32,
            _ => clt::I64,
        },
    }
}

/// The 16-byte vector type of a leaf's elements.
fn vec_ty(d: Dtype) -> clir::Type {
    match d {
        Dtype::Float64 => clt::F64X2,
        Dtype::Float32 => clt::F32X4,
        _ => match d.itemsize() {
            1 => clt::I8X16,
            2 => clt::I16X8,
            4 => clt::I32X4,
            _ => clt::I64X2,
        },
    }
}

/// A leaf's element (`ty` scalar) or `ty.lane_count()` adjacent elements
/// (`ty` a vector) at `addr`, converted from `leaf` to `dt` (whose element or
/// vector type `ty` is).
pub(crate) fn load_leaf(
    g: &mut Gen<'_, '_>,
    leaf: Dtype,
    dt: Dtype,
    addr: CV,
    ty: clir::Type,
    flags: MemFlagsData,
) -> CV {
    if leaf == dt {
        return g.b.ins().load(ty, flags, addr, 0);
    }
    if !ty.is_vector() {
        let x = g.b.ins().load(elem_ty(leaf), flags, addr, 0);
        return convert_scalar(g, leaf, dt, x);
    }
    let le = MemFlagsData::new().with_endianness(clir::Endianness::Little);
    let lanes = i64::from(ty.lane_count());
    let bytes = lanes * leaf.itemsize();
    // The leaf's elements in the low lanes of a vector of its own type.
    let v = match bytes {
        16 => g.b.ins().load(vec_ty(leaf), flags, addr, 0),
        8 => {
            let x = g.b.ins().load(clt::I64, flags, addr, 0);
            let v = g.b.ins().scalar_to_vector(clt::I64X2, x);
            g.b.ins().bitcast(vec_ty(leaf), le, v)
        }
        4 => {
            let x = g.b.ins().load(clt::I32, flags, addr, 0);
            let v = g.b.ins().scalar_to_vector(clt::I32X4, x);
            g.b.ins().bitcast(vec_ty(leaf), le, v)
        }
        _ => {
            // (x86 moves no 16-bit value into a vector register alone)
            let x = g.b.ins().load(clt::I16, flags, addr, 0);
            let v = g.b.ins().splat(clt::I16X8, x);
            g.b.ins().bitcast(vec_ty(leaf), le, v)
        }
    };
    convert_vector(g, leaf, dt, v, ty)
}

/// `v`'s low `ty.lane_count()` lanes of `leaf` elements as a `ty` vector of `dt`.
fn convert_vector(g: &mut Gen<'_, '_>, leaf: Dtype, dt: Dtype, v: CV, ty: clir::Type) -> CV {
    if leaf == Dtype::Float32 {
        // (only into float64)
        return g.b.ins().fvpromote_low(v);
    }
    // Integer (or bool) lanes: a bool byte made 0 or 1, then widened.
    let (mut v, signed) = if leaf == Dtype::Bool {
        let zero = g.b.ins().iconst(clt::I8, 0);
        let zero = g.b.ins().splat(clt::I8X16, zero);
        let m = g.b.ins().icmp(IntCC::NotEqual, v, zero);
        let one = g.b.ins().iconst(clt::I8, 1);
        let one = g.b.ins().splat(clt::I8X16, one);
        (g.b.ins().band(m, one), false)
    } else {
        (v, !leaf.is_unsigned())
    };
    let widen = |g: &mut Gen<'_, '_>, v: CV| {
        if signed {
            g.b.ins().swiden_low(v)
        } else {
            g.b.ins().uwiden_low(v)
        }
    };
    let bits = |g: &Gen<'_, '_>, v: CV| g.b.func.dfg.value_type(v).lane_bits();
    if dt.is_int() {
        while bits(g, v) < ty.lane_bits() {
            v = widen(g, v);
        }
        return v;
    }
    if dt == Dtype::Float32 {
        // (8- and 16-bit ints: exact in float32)
        while bits(g, v) < 32 {
            v = widen(g, v);
        }
        return g.b.ins().fcvt_from_sint(ty, v);
    }
    // Into float64: ints of up to 32 bits through int32 lanes (exact; uint32
    // through int64 lanes, its values beyond int32's), 64-bit ones rounded to
    // nearest as NumPy's cast rounds.
    if leaf.itemsize() == 8 {
        return if leaf.is_unsigned() {
            g.b.ins().fcvt_from_uint(ty, v)
        } else {
            g.b.ins().fcvt_from_sint(ty, v)
        };
    }
    if leaf.itemsize() <= 2 {
        // (8- and 16-bit ints: exact in float32, whose values float64 holds exactly)
        while bits(g, v) < 32 {
            v = widen(g, v);
        }
        let f = g.b.ins().fcvt_from_sint(clt::F32X4, v);
        return g.b.ins().fvpromote_low(f);
    }
    // 32-bit ints, widened to 64-bit lanes: `x` added to the bits of 1.5 *
    // 2**52 is the float64 1.5 * 2**52 + x (its ulp is 1 there, and |x| <
    // 2**51), from which 1.5 * 2**52 is subtracted exactly (0 gives +0.0, as
    // NumPy's cast).
    while bits(g, v) < 64 {
        v = widen(g, v);
    }
    let magic = g.b.ins().iconst(clt::I64, 0x4338_0000_0000_0000);
    let magic = g.b.ins().splat(clt::I64X2, magic);
    let biased = g.b.ins().iadd(v, magic);
    let biased = g.b.ins().bitcast(clt::F64X2, le_flags(), biased);
    let m = g.b.ins().f64const(6_755_399_441_055_744.0);
    let m = g.b.ins().splat(clt::F64X2, m);
    g.b.ins().fsub(biased, m)
}

fn le_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(clir::Endianness::Little)
}

/// One `leaf` element `x` converted to `dt`.
pub(crate) fn convert_scalar(g: &mut Gen<'_, '_>, leaf: Dtype, dt: Dtype, x: CV) -> CV {
    if leaf == dt {
        return x;
    }
    if leaf == Dtype::Float32 {
        return g.b.ins().fpromote(clt::F64, x);
    }
    let (x, signed) = if leaf == Dtype::Bool {
        // (an I8 of 0 or 1)
        let nz = g.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0);
        (nz, false)
    } else {
        (x, !leaf.is_unsigned())
    };
    let to = elem_ty(dt);
    if dt.is_int() {
        return if g.b.func.dfg.value_type(x) == to {
            x
        } else if signed {
            g.b.ins().sextend(to, x)
        } else {
            g.b.ins().uextend(to, x)
        };
    }
    let x64 = if g.b.func.dfg.value_type(x) == clt::I64 {
        x
    } else if signed {
        g.b.ins().sextend(clt::I64, x)
    } else {
        g.b.ins().uextend(clt::I64, x)
    };
    if leaf.is_unsigned() && leaf.itemsize() == 8 {
        g.b.ins().fcvt_from_uint(to, x64)
    } else {
        g.b.ins().fcvt_from_sint(to, x64)
    }
}

/// NumPy's integer power `a ** b` of lanes (or one element) of type `ty`:
/// the product of `a` wrapping around in the lane's width, which is one
/// value whatever order the factors are multiplied in, so square and
/// multiply by the exponent's bits, a loop while any lane has bits left
/// (`b`'s constant value `konst`: unrolled). With it a flag of `ty`'s shape
/// (or a byte), set where a signed exponent is negative: NumPy raises
/// ValueError ("Integers to negative integer powers are not allowed."),
/// on the expression's slow path.
pub(crate) fn int_power(
    g: &mut Gen<'_, '_>,
    signed: bool,
    a: CV,
    b: CV,
    ty: clir::Type,
    konst: Option<i64>,
    mul: &dyn Fn(&mut Gen<'_, '_>, CV, CV) -> CV,
) -> (CV, CV) {
    let vector = ty.is_vector();
    let lt = ty.lane_type();
    let one = g.b.ins().iconst(lt, 1);
    let one = if vector { g.b.ins().splat(ty, one) } else { one };
    if let Some(k) = konst.filter(|k| *k >= 0) {
        // (no negative lane; `x ** 0` is 1)
        let zero = if vector {
            let z = g.b.ins().iconst(clt::I64, 0);
            g.b.ins().splat(clt::I64X2, z)
        } else {
            g.b.ins().iconst(clt::I8, 0)
        };
        let (mut r, mut x, mut e) = (None, a, k as u64);
        while e > 0 {
            if e & 1 == 1 {
                r = Some(match r {
                    None => x,
                    Some(r) => mul(g, r, x),
                });
            }
            e >>= 1;
            if e > 0 {
                x = mul(g, x, x);
            }
        }
        return (r.unwrap_or(one), zero);
    }
    let zero = g.b.ins().iconst(lt, 0);
    let zero = if vector { g.b.ins().splat(ty, zero) } else { zero };
    let bad = if signed {
        g.b.ins().icmp(IntCC::SignedLessThan, b, zero)
    } else if vector {
        g.b.ins().icmp(IntCC::NotEqual, zero, zero)
    } else {
        g.b.ins().iconst(clt::I8, 0)
    };
    let (head, body, exit) = (g.b.create_block(), g.b.create_block(), g.b.create_block());
    let hr = g.b.append_block_param(head, ty);
    let hx = g.b.append_block_param(head, ty);
    let he = g.b.append_block_param(head, ty);
    let out = g.b.append_block_param(exit, ty);
    g.b.ins()
        .jump(head, &[BlockArg::Value(one), BlockArg::Value(a), BlockArg::Value(b)]);
    g.b.switch_to_block(head);
    let more = if vector {
        g.b.ins().vany_true(he)
    } else {
        g.b.ins().icmp_imm_s(IntCC::NotEqual, he, 0)
    };
    g.b.ins().brif(more, body, &[], exit, &[BlockArg::Value(hr)]);
    g.b.switch_to_block(body);
    let bit = g.b.ins().band(he, one);
    let set = g.b.ins().icmp(IntCC::NotEqual, bit, zero);
    let rx = mul(g, hr, hx);
    let r = if vector {
        g.b.ins().bitselect(set, rx, hr)
    } else {
        g.b.ins().select(set, rx, hr)
    };
    let x = mul(g, hx, hx);
    let e = g.b.ins().ushr_imm_u(he, 1);
    g.b.ins()
        .jump(head, &[BlockArg::Value(r), BlockArg::Value(x), BlockArg::Value(e)]);
    g.b.switch_to_block(exit);
    (out, bad)
}

/// Each leaf's element size in bytes (its own dtype's: `fuse_cast`).
pub(crate) fn leaf_sizes(g: &Gen<'_, '_>, fx: &FusedExpr) -> Vec<i64> {
    fx.leaves.iter().map(|l| leaf_dtype(g, fx, *l).itemsize()).collect()
}

/// A leaf's dtype (the expression's, for a value not typed as an array).
pub(crate) fn leaf_dtype(g: &Gen<'_, '_>, fx: &FusedExpr, l: Value) -> Dtype {
    match g.typed.ty(l) {
        Ty::Array(at) => at.dtype,
        _ => fx.dtype,
    }
}

/// Whether some leaf is converted to the expression's dtype as it is read
/// (other than int64/uint64 into float64): see `fuse_cast`.
pub(crate) fn is_mixed(g: &Gen<'_, '_>, fx: &FusedExpr) -> bool {
    fx.leaves.iter().any(|l| mixed_leaf(leaf_dtype(g, fx, *l), fx.dtype))
}
