//! Unit tests of the type rules (types.rs, dtype.rs: Python and NumPy's
//! NEP 50 promotion), the ABI's slot layouts and the semantics switches.

mod common;

use pyston_compiler::abi::{self, ArraySlots, SlotTy};
use pyston_compiler::dtype::{c_strides, Dtype, Kind, Layout};
use pyston_compiler::hir::{BinOp, Span, UnaryOp};
use pyston_compiler::ir::{Block, BlockData, Edge, Function, Inst, Op, Term, Value, ValueInfo};
use pyston_compiler::types::*;
use pyston_compiler::Semantics;

use Dtype::*;
use Scalar::{Np, Py};

fn arr(dtype: Dtype, ndim: u8, layout: Layout) -> Ty {
    Ty::Array(ArrTy {
        dtype,
        ndim,
        layout,
        readonly: false,
    })
}

// ---- NumPy dtypes (NEP 50) -------------------------------------------------

#[test]
fn promote_is_symmetric_and_idempotent() {
    for a in Dtype::ALL {
        for b in Dtype::ALL {
            assert_eq!(Dtype::promote(a, b), Dtype::promote(b, a), "{a} {b}");
        }
        if a.is_time() {
            // Time dtypes are outside numeric promotion (types::time_binop_result).
            assert_eq!(Dtype::promote(a, a), None);
            assert_eq!(Dtype::promote(Bool, a), None);
            continue;
        }
        assert_eq!(Dtype::promote(a, a), Some(a));
        assert_eq!(Dtype::promote(Bool, a), Some(a), "bool promotes to anything");
    }
}

#[test]
fn time_units_and_names() {
    use pyston_compiler::types::TimeUnit;
    assert_eq!(
        TimeUnit::common(TimeUnit::S, TimeUnit::Ms),
        Some((TimeUnit::Ms, 1000, 1))
    );
    assert_eq!(TimeUnit::common(TimeUnit::W, TimeUnit::D), Some((TimeUnit::D, 7, 1)));
    assert_eq!(TimeUnit::common(TimeUnit::D, TimeUnit::Ps), None); // NumPy's OverflowError
    assert_eq!(
        TimeUnit::common(TimeUnit::W, TimeUnit::Ns),
        Some((TimeUnit::Ns, 604_800_000_000_000, 1))
    );
    assert_eq!(Dtype::from_name("M8[s]"), Some(Dtype::Datetime(TimeUnit::S)));
    assert_eq!(Dtype::from_name("<m8[ns]"), Some(Dtype::Timedelta(TimeUnit::Ns)));
    assert_eq!(Dtype::from_name("datetime64[h]"), Some(Dtype::Datetime(TimeUnit::H)));
    assert_eq!(Dtype::from_name("M8[Y]"), None);
    assert_eq!(Dtype::from_name("datetime64"), None);
    for (i, d) in Dtype::ALL.into_iter().enumerate() {
        assert_eq!(d.index(), i);
    }
}

#[test]
fn promote_matches_numpy_result_type() {
    // np.result_type of the pairs, as NumPy 2 computes them.
    assert_eq!(Dtype::promote(Int32, Float32), Some(Float64));
    assert_eq!(Dtype::promote(Int64, Float32), Some(Float64));
    assert_eq!(Dtype::promote(Int32, Int64), Some(Int64));
    assert_eq!(Dtype::promote(Float32, Float64), Some(Float64));
    assert_eq!(Dtype::promote(Int64, Complex128), Some(Complex128));
    assert_eq!(Dtype::promote(Bool, Int32), Some(Int32));
}

#[test]
fn python_scalars_are_weak() {
    // np.float32(1) + 1.0 -> float32; np.int32(1) + 1 -> int32;
    // np.int32(1) + 1.0 -> float64; np.bool_(1) + 1 -> int64.
    assert_eq!(Dtype::promote_weak(Float32, Kind::Float), Some(Float32));
    assert_eq!(Dtype::promote_weak(Float32, Kind::Int), Some(Float32));
    assert_eq!(Dtype::promote_weak(Int32, Kind::Int), Some(Int32));
    assert_eq!(Dtype::promote_weak(Int32, Kind::Bool), Some(Int32));
    assert_eq!(Dtype::promote_weak(Int32, Kind::Float), Some(Float64));
    assert_eq!(Dtype::promote_weak(Bool, Kind::Int), Some(Int64));
    assert_eq!(Dtype::promote_weak(Int64, Kind::Complex), Some(Complex128));
    // np.float32(1) + 1j is complex64.
    assert_eq!(Dtype::promote_weak(Float32, Kind::Complex), Some(Complex64));
    assert_eq!(
        binop_result(BinOp::Add, Np(Float32), Py(Kind::Float)),
        Some(Np(Float32))
    );
    assert_eq!(binop_result(BinOp::Mul, Py(Kind::Int), Np(Int32)), Some(Np(Int32)));
}

#[test]
fn numpy_scalar_arithmetic() {
    assert_eq!(binop_result(BinOp::Add, Np(Int32), Np(Float32)), Some(Np(Float64)));
    assert_eq!(binop_result(BinOp::Div, Np(Int32), Np(Int32)), Some(Np(Float64)));
    assert_eq!(binop_result(BinOp::FloorDiv, Np(Int64), Np(Int32)), Some(Np(Int64)));
    assert_eq!(binop_result(BinOp::BitAnd, Np(Float64), Np(Float64)), None);
    assert_eq!(binop_result(BinOp::Mod, Np(Complex128), Np(Float64)), None);
    assert_eq!(binop_result(BinOp::MatMul, Np(Float64), Np(Float64)), None);
    // complex OP np.float64 is Python complex arithmetic.
    assert_eq!(
        binop_result(BinOp::Add, Py(Kind::Complex), Np(Float64)),
        Some(Py(Kind::Complex))
    );
    assert_eq!(binop_result(BinOp::Mod, Py(Kind::Complex), Np(Float64)), None);
}

#[test]
fn bool_ops() {
    // Python: True + True == 2, True & True is a bool, True << 1 an int.
    assert_eq!(
        binop_result(BinOp::Add, Py(Kind::Bool), Py(Kind::Bool)),
        Some(Py(Kind::Int))
    );
    assert_eq!(
        binop_result(BinOp::BitAnd, Py(Kind::Bool), Py(Kind::Bool)),
        Some(Py(Kind::Bool))
    );
    assert_eq!(
        binop_result(BinOp::BitXor, Py(Kind::Bool), Py(Kind::Int)),
        Some(Py(Kind::Int))
    );
    assert_eq!(
        binop_result(BinOp::LShift, Py(Kind::Bool), Py(Kind::Bool)),
        Some(Py(Kind::Int))
    );
    assert_eq!(
        binop_result(BinOp::Div, Py(Kind::Bool), Py(Kind::Bool)),
        Some(Py(Kind::Float))
    );
    // NumPy: bool + bool is logical or, bool - bool a TypeError, bool / bool float64.
    assert_eq!(binop_result(BinOp::Add, Np(Bool), Np(Bool)), Some(Np(Bool)));
    assert_eq!(binop_result(BinOp::Mul, Np(Bool), Py(Kind::Bool)), Some(Np(Bool)));
    assert_eq!(binop_result(BinOp::Sub, Np(Bool), Np(Bool)), None);
    assert_eq!(binop_result(BinOp::Div, Np(Bool), Np(Bool)), Some(Np(Float64)));
}

#[test]
fn python_scalar_arithmetic() {
    let k = |op, a, b| binop_result(op, Py(a), Py(b));
    assert_eq!(k(BinOp::Div, Kind::Int, Kind::Int), Some(Py(Kind::Float)));
    assert_eq!(k(BinOp::FloorDiv, Kind::Int, Kind::Float), Some(Py(Kind::Float)));
    assert_eq!(k(BinOp::Pow, Kind::Int, Kind::Int), Some(Py(Kind::Int)));
    assert_eq!(k(BinOp::Pow, Kind::Complex, Kind::Int), Some(Py(Kind::Complex)));
    assert_eq!(k(BinOp::FloorDiv, Kind::Complex, Kind::Int), None);
    assert_eq!(k(BinOp::BitOr, Kind::Float, Kind::Int), None);
    assert_eq!(k(BinOp::Div, Kind::Complex, Kind::Float), Some(Py(Kind::Complex)));
}

#[test]
fn numba_typing_is_strong() {
    // Under Numba, a Python int is int64 and a Python float float64.
    assert_eq!(
        numba_binop_result(BinOp::Add, Np(Int32), Py(Kind::Int)),
        Some(Np(Int64))
    );
    assert_eq!(
        numba_binop_result(BinOp::Add, Np(Float32), Py(Kind::Float)),
        Some(Np(Float64))
    );
    assert_eq!(numba_binop_result(BinOp::Div, Np(Int32), Np(Int32)), Some(Np(Float64)));
    assert_eq!(
        numba_binop_result(BinOp::BitAnd, Np(Bool), Py(Kind::Bool)),
        Some(Np(Bool))
    );
    assert_eq!(numba_binop_result(BinOp::Add, Np(Bool), Np(Bool)), Some(Np(Int64)));
    // Python with Python is unchanged.
    assert_eq!(
        numba_binop_result(BinOp::Add, Py(Kind::Int), Py(Kind::Float)),
        Some(Py(Kind::Float))
    );
    assert_eq!(
        binop_result_in(false, BinOp::Add, Np(Int32), Py(Kind::Int)),
        Some(Np(Int32))
    );
    assert_eq!(
        binop_result_in(true, BinOp::Add, Np(Int32), Py(Kind::Int)),
        Some(Np(Int64))
    );
}

#[test]
fn unary_and_comparison_results() {
    assert_eq!(unary_result(UnaryOp::Not, Np(Float64)), Some(Py(Kind::Bool)));
    assert_eq!(unary_result(UnaryOp::Neg, Py(Kind::Bool)), Some(Py(Kind::Int)));
    assert_eq!(unary_result(UnaryOp::Neg, Np(Bool)), None);
    assert_eq!(unary_result(UnaryOp::Invert, Py(Kind::Float)), None);
    assert_eq!(unary_result(UnaryOp::Invert, Np(Int32)), Some(Np(Int32)));
    assert_eq!(cmp_result(Py(Kind::Int), Py(Kind::Float), true), Some(Ty::Bool));
    assert_eq!(cmp_result(Np(Float32), Py(Kind::Float), true), Some(Ty::Np(Bool)));
    // Python complex numbers are not ordered, NumPy's are.
    assert_eq!(cmp_result(Py(Kind::Complex), Py(Kind::Int), true), None);
    assert_eq!(cmp_result(Py(Kind::Complex), Py(Kind::Int), false), Some(Ty::Bool));
    assert_eq!(cmp_result(Np(Complex128), Py(Kind::Int), true), Some(Ty::Np(Bool)));
    assert_eq!(promote_any(Py(Kind::Int), Py(Kind::Float)), None);
}

#[test]
fn joins() {
    assert_eq!(join(&Ty::Int, &Ty::Int), Some(Ty::Int));
    assert_eq!(join(&Ty::Bottom, &Ty::Float), Some(Ty::Float));
    assert_eq!(join(&Ty::Int, &Ty::PyInt), Some(Ty::PyInt));
    assert_eq!(join(&Ty::Float, &Ty::Int), Some(Ty::Union(vec![Ty::Int, Ty::Float])));
    assert_eq!(
        join(&arr(Float64, 2, Layout::C), &arr(Float64, 2, Layout::F)),
        Some(arr(Float64, 2, Layout::A))
    );
    assert_eq!(join(&arr(Float64, 2, Layout::C), &arr(Float64, 1, Layout::C)), None);
    assert_eq!(join(&arr(Float64, 1, Layout::C), &Ty::Float), None);
    assert_eq!(
        join(
            &Ty::Tuple(vec![Ty::Int, Ty::Float]),
            &Ty::Tuple(vec![Ty::Int, Ty::Float])
        ),
        Some(Ty::Tuple(vec![Ty::Int, Ty::Float]))
    );
    // An array first assigned in a loop: "unbound or array".
    assert!(join(&Ty::Undef, &arr(Int64, 1, Layout::C)).is_some());
    // At most four scalar members.
    let u = Ty::Union(vec![Ty::Bool, Ty::Int, Ty::Float, Ty::Complex]);
    assert_eq!(join(&u, &Ty::NoneT), None);
}

#[test]
fn type_names_and_text() {
    let ro = Ty::Array(ArrTy {
        dtype: Int32,
        ndim: 1,
        layout: Layout::A,
        readonly: true,
    });
    let cases = [
        (Ty::PyInt, "int (boxed)"),
        (arr(Float64, 2, Layout::C), "array(float64, 2d, C)"),
        (ro.clone(), "array(int32, 1d, A, readonly)"),
        (Ty::Np(Float32), "np.float32"),
        (Ty::Union(vec![Ty::Int, Ty::Float]), "int | float"),
        (
            Ty::Tuple(vec![Ty::Int, ro]),
            "tuple(int, array(int32, 1d, A, readonly))",
        ),
        (Ty::NoneT, "none"),
    ];
    for (t, s) in cases {
        assert_eq!(t.to_string(), s);
        assert_eq!(common::parse_ty(s), Ok(t), "{s}");
    }
    assert_eq!(py_name(&Ty::Np(Bool)), "numpy.bool");
    assert_eq!(py_name(&Ty::PyInt), "int");
    assert_eq!(py_name(&arr(Float64, 1, Layout::C)), "numpy.ndarray");
}

#[test]
fn dtype_names_sizes_and_layouts() {
    for d in Dtype::ALL {
        assert_eq!(Dtype::from_name(d.name()), Some(d));
    }
    assert_eq!(Dtype::from_name("float16"), Some(Float16));
    assert_eq!(Dtype::from_name("longdouble"), None);
    assert_eq!(Complex128.itemsize(), 16);
    assert_eq!(Complex64.itemsize(), 8);
    assert_eq!(Float16.itemsize(), 2);
    assert_eq!(Int32.itemsize(), 4);
    assert_eq!(Bool.kind(), Kind::Bool);
    assert_eq!(Layout::C.unit_stride_axis(3), Some(2));
    assert_eq!(Layout::F.unit_stride_axis(3), Some(0));
    assert_eq!(Layout::A.unit_stride_axis(3), None);
    assert_eq!(Layout::C.unit_stride_axis(0), None);
    assert_eq!(c_strides(&[2, 3, 4], 4), vec![48, 16, 4]);
    assert_eq!(c_strides(&[], 8), Vec::<i64>::new());
}

// ---- ABI slot layouts --------------------------------------------------------

#[test]
fn scalar_slots() {
    use SlotTy::*;
    assert_eq!(abi::slot_types(&Ty::Bool), [I8]);
    assert_eq!(abi::slot_types(&Ty::Int), [I64]);
    assert_eq!(abi::slot_types(&Ty::PyInt), [I64]);
    assert_eq!(abi::slot_types(&Ty::Float), [F64]);
    assert_eq!(abi::slot_types(&Ty::Complex), [F64, F64]);
    assert_eq!(abi::slot_types(&Ty::Np(Complex128)), [F64, F64]);
    assert_eq!(abi::slot_types(&Ty::Np(Int32)), [I32]);
    assert_eq!(abi::slot_types(&Ty::Np(Float32)), [F32]);
    assert!(abi::slot_types(&Ty::NoneT).is_empty());
    assert!(abi::slot_types(&Ty::Builtin(Builtin::Range)).is_empty());
}

#[test]
fn array_and_tuple_slots() {
    use SlotTy::*;
    // data, object, shape x ndim, strides x ndim
    assert_eq!(abi::slot_count(&arr(Float32, 3, Layout::C)), 8);
    let s = ArraySlots::new(3);
    assert_eq!((s.count(), s.shape(0), s.stride(0), s.stride(2)), (8, 2, 5, 7));
    assert_eq!(ArraySlots::DATA, 0);
    assert_eq!(ArraySlots::OBJ, 1);
    let t = Ty::Tuple(vec![Ty::Complex, Ty::Bool, arr(Int64, 1, Layout::C)]);
    assert_eq!(abi::slot_types(&t), [F64, F64, I8, I64, I64, I64, I64]);
    let sl = Ty::Slice(vec![Ty::Int, Ty::NoneT, Ty::Int]);
    assert_eq!(abi::slot_types(&sl), [I64, I64]);
}

#[test]
fn union_slots_share_representations() {
    use SlotTy::*;
    // A tag, then one payload group per machine representation.
    let (off, payload) = abi::union_layout(&[Ty::Int, Ty::Np(Int64), Ty::Complex, Ty::Bool]);
    assert_eq!(off, [0, 0, 1, 3]);
    assert_eq!(payload, [I64, F64, F64, I8]);
    assert_eq!(
        abi::slot_types(&Ty::Union(vec![Ty::NoneT, Ty::Float])),
        [I8, F64],
        "None has no payload"
    );
    assert_eq!(abi::slot_types(&Ty::Union(vec![Ty::Undef, Ty::Int])), [I8, I64]);
    assert_eq!(abi::dtype_index(Dtype::Complex128), 5);
    assert_eq!(abi::dtype_slots(Float32), [F32]);
    assert_eq!(abi::INT_OPS.len(), 12);
}

// ---- semantics ---------------------------------------------------------------

#[test]
fn semantics_describe_lists_relaxations() {
    let s = Semantics {
        boundscheck: false,
        wraparound: false,
        numpy_division: true,
        fallback: false,
        ..Semantics::strict()
    };
    // `fallback` changes no compiled code and is not listed.
    assert_eq!(s.describe(), "boundscheck=False,wraparound=False,error_model=numpy");
    assert!(!s.is_numba());
    let n = Semantics {
        numba_scalar_typing: true,
        box_python_scalars: true,
        frozen_globals: true,
        ..Semantics::strict()
    };
    assert!(n.is_numba());
    assert_eq!(n.describe(), "frozen_globals,numba_boxing");
    assert!(Semantics::strict().boundscheck && Semantics::strict().wraparound);
}

// ---- the verifier on IR the parser cannot express -------------------------------

fn func(blocks: Vec<BlockData>, nvalues: usize) -> Function {
    Function {
        name: "f".into(),
        params: vec!["x".into()],
        shape: Default::default(),
        blocks,
        values: vec![ValueInfo::default(); nvalues],
        span: Span::default(),
        inlines: Vec::new(),
    }
}

fn block(params: Vec<u32>, insts: Vec<Inst>, term: Term) -> BlockData {
    BlockData {
        handler: None,
        params: params.into_iter().map(Value).collect(),
        insts,
        term,
        term_span: Span::default(),
    }
}

fn inst(result: Option<u32>, op: Op, args: Vec<u32>) -> Inst {
    Inst {
        result: result.map(Value),
        op,
        args: args.into_iter().map(Value).collect(),
        span: Span::default(),
    }
}

#[test]
fn verifier_rejects_missing_blocks_and_unknown_values() {
    let jump = Term::Jump(Edge {
        block: Block(3),
        args: vec![],
    });
    let f = func(vec![block(vec![0], vec![], jump)], 1);
    assert_eq!(f.verify().unwrap_err(), "block0 jumps to missing block3");
    let f = func(
        vec![block(
            vec![0],
            vec![inst(Some(5), Op::Truth, vec![0])],
            Term::Ret(Value(5)),
        )],
        1,
    );
    assert_eq!(f.verify().unwrap_err(), "an instruction defines unknown value v5");
    let f = func(vec![block(vec![7], vec![], Term::Unreachable)], 1);
    assert_eq!(f.verify().unwrap_err(), "block0 params defines unknown value v7");
}

#[test]
fn verifier_rejects_wrong_results() {
    let f = func(
        vec![block(
            vec![0],
            vec![inst(None, Op::Truth, vec![0])],
            Term::Ret(Value(0)),
        )],
        1,
    );
    assert_eq!(f.verify().unwrap_err(), "block0: Truth has a wrong result");
    let f = func(
        vec![block(
            vec![0],
            vec![inst(Some(1), Op::SetItem, vec![0, 0, 0])],
            Term::Ret(Value(0)),
        )],
        2,
    );
    assert_eq!(f.verify().unwrap_err(), "block0: SetItem has a wrong result");
    let ok = func(
        vec![block(
            vec![0],
            vec![inst(None, Op::SetItem, vec![0, 0, 0])],
            Term::Ret(Value(0)),
        )],
        1,
    );
    assert_eq!(ok.verify(), Ok(()));
}
