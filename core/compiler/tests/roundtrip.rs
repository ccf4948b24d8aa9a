//! The textual IR reads back: print -> parse -> print is the identity, for
//! the golden files of `tests/filetests` and hand-written functions with
//! every operation, terminator and kind of constant; and the parser's errors.

mod common;

use pyston_compiler::hir::{BinOp, CmpOp, Span, UnaryOp};
use pyston_compiler::ir::parse::parse_typed;
use pyston_compiler::ir::{Block, BlockData, Const, Function, Inst, Op, Term, Value, ValueInfo};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/filetests")
}

fn roundtrip(text: &str) -> Function {
    let f = Function::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let printed = f.display(None);
    assert_eq!(printed, text, "print(parse(text)) differs from the text");
    f
}

#[test]
fn golden_files_roundtrip_and_verify() {
    let mut n = 0;
    for entry in std::fs::read_dir(golden_dir()).expect("tests/filetests exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ir") {
            let text = std::fs::read_to_string(&path).unwrap();
            let f = roundtrip(&text);
            f.verify().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 5, "found only {n} golden .ir files");
}

#[test]
fn golden_files_typed_roundtrip() {
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ir") {
            continue;
        }
        let f = Function::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // Types with commas, parentheses, spaces and quotes.
        let ty = |v: Value| match v.0 % 4 {
            0 => "int".to_string(),
            1 => "array(float64, 2d, C)".to_string(),
            2 => "tuple(int (boxed), str \"a, b)\")".to_string(),
            _ => "int | float".to_string(),
        };
        let typed = f.display(Some(&ty));
        let p = parse_typed(&typed).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(p.func.display(Some(&ty)), typed);
        assert_eq!(p.func.display(None), f.display(None));
        for (v, t) in &p.types {
            assert_eq!(*t, ty(*v), "type of {v}");
        }
        // Every value printed with a definition has its type.
        let defs = f.definitions();
        for v in defs.keys() {
            assert!(p.types.contains_key(v) || !f.rpo().contains(&defs[v].0));
        }
    }
}

/// Every operation and terminator, in the printer's block order.
const ALL_OPS: &str = r#"function all_ops(a, b, c) {
block0(v0, v1, v2):
    v3 = const 0  ; line 1
    v4 = const -9223372036854775808  ; line 1
    v5 = const 123456789012345678901234567890  ; line 2
    v6 = const -123456789012345678901234567890  ; line 2
    v7 = const 1e300  ; line 3
    v8 = const -0.0  ; line 3
    v9 = const NaN  ; line 3
    v10 = const inf  ; line 3
    v11 = const -inf  ; line 3
    v12 = const complex(1.5, -2.0)  ; line 4
    v13 = const "a \"quoted\" string\n\twith 'escapes' \\ ; line 9 \u{7f}"  ; line 4
    v14 = const ...  ; line 4
    v15 = const True  ; line 5
    v16 = const False  ; line 5
    v17 = const None  ; line 5
    v18 = const 1.5e-7  ; line 5
    v19 = const 0.1  ; line 5
    v20 = global "range"  ; line 6
    v21 = attr "shape" v0  ; line 6
    v22 = call v20, v3, v1  ; line 7
    v23 = call kw=["key", "default"] v20, v3, v1, v2  ; line 7
    v24 = method "sum" v0  ; line 8
    v25 = method "astype" kw=["copy"] v0, v15, v16  ; line 8
    v26 = bin add v1, v2  ; line 9
    v27 = bin sub v1, v2  ; line 9
    v28 = bin mul v1, v2  ; line 9
    v29 = bin truediv v1, v2  ; line 9
    v30 = bin floordiv v1, v2  ; line 9
    v31 = bin mod v1, v2  ; line 9
    v32 = bin pow v1, v2  ; line 9
    v33 = bin and v1, v2  ; line 9
    v34 = bin or v1, v2  ; line 9
    v35 = bin xor v1, v2  ; line 9
    v36 = bin lshift v1, v2  ; line 9
    v37 = bin rshift v1, v2  ; line 9
    v38 = bin matmul v0, v0  ; line 9
    v39 = ibin add v1, v2  ; line 10
    v40 = ibin matmul v0, v0  ; line 10
    v41 = unary neg v1  ; line 11
    v42 = unary pos v1  ; line 11
    v43 = unary invert v1  ; line 11
    v44 = unary not v1  ; line 11
    v45 = cmp eq v1, v2  ; line 12
    v46 = cmp ne v1, v2  ; line 12
    v47 = cmp lt v1, v2  ; line 12
    v48 = cmp le v1, v2  ; line 12
    v49 = cmp gt v1, v2  ; line 12
    v50 = cmp ge v1, v2  ; line 12
    v51 = truth v45  ; line 13
    v52 = tuple v1, v2  ; line 13
    v53 = tuple  ; line 13
    v54 = list v1, v2  ; line 13
    v55 = unpack 2 v21  ; line 14
    v56 = tuple_get 1 v55  ; line 14
    v57 = getitem v0, v1, v2  ; line 15
    v58 = getitem v0  ; line 15
    setitem v0, v1, v2  ; line 16
    setitem v0, v57  ; line 16
    v59 = len v0  ; line 17
    v60 = range_len v20, v3, v1, v4  ; line 17
    v61 = range_next v3, v3  ; line 17
    v62 = undef "x"  ; line 18
    v63 = slice v17, v1, v17  ; line 19
    jump block1(v61, v1)  ; line 20
block1(v64, v65):
    br v51, block2(), block3()  ; line 21
block3():
    br v51, block4(), block5()  ; line 22
block5():
    br v51, block6(), block7()  ; line 23
block7():
    br v51, block8(), block9()  ; line 24
block9():
    unreachable  ; line 25
block8():
    assert_fail  ; line 24
block6():
    assert_fail v13  ; line 23
block4():
    raise v22  ; line 22
block2():
    return v65  ; line 21
}
"#;

#[test]
fn every_op_and_term_roundtrips() {
    let f = roundtrip(ALL_OPS);
    f.verify().unwrap();
    assert_eq!(f.params, ["a", "b", "c"]);
    assert_eq!(f.blocks.len(), 10);
    assert_eq!(f.values.len(), 66);
    let insts = &f.block(Block(0)).insts;
    assert_eq!(
        insts[2].op,
        Op::Const(Const::BigInt("123456789012345678901234567890".into()))
    );
    assert_eq!(
        insts[3].op,
        Op::Const(Const::BigInt("-123456789012345678901234567890".into()))
    );
    assert_eq!(insts[1].op, Op::Const(Const::Int(i64::MIN)));
    assert_eq!(
        insts[10].op,
        Op::Const(Const::Str(
            "a \"quoted\" string\n\twith 'escapes' \\ ; line 9 \u{7f}".into()
        ))
    );
    assert_eq!(insts[10].span.line, 4);
    assert_eq!(
        insts[20].op,
        Op::Call {
            kw: vec!["key".into(), "default".into()]
        }
    );
    assert_eq!(
        insts[22].op,
        Op::MethodCall {
            name: "astype".into(),
            kw: vec!["copy".into()]
        }
    );
    assert_eq!(
        insts[36].op,
        Op::Bin {
            op: BinOp::Add,
            inplace: true
        }
    );
    assert_eq!(insts[56].result, None);
    assert!(matches!(f.block(Block(8)).term, Term::AssertFail(None)));
    assert!(matches!(f.block(Block(6)).term, Term::AssertFail(Some(Value(13)))));
    assert_eq!(f.block(Block(4)).term_span.line, 22);
}

fn one_const(c: Const) -> Function {
    let span = Span {
        line: 7,
        ..Span::default()
    };
    Function {
        name: "k".into(),
        params: vec![],
        shape: Default::default(),
        blocks: vec![BlockData {
            handler: None,
            params: vec![],
            insts: vec![Inst {
                result: Some(Value(0)),
                op: Op::Const(c),
                args: vec![],
                span,
            }],
            term: Term::Ret(Value(0)),
            term_span: span,
        }],
        values: vec![ValueInfo::default()],
        span,
        inlines: Vec::new(),
    }
}

fn same_const(a: &Const, b: &Const) -> bool {
    match (a, b) {
        (Const::Float(x), Const::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Const::Complex(a, b), Const::Complex(c, d)) => {
            same_const(&Const::Float(*a), &Const::Float(*c)) && same_const(&Const::Float(*b), &Const::Float(*d))
        }
        (Const::Tuple(x), Const::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_const(p, q)),
        _ => a == b,
    }
}

#[test]
fn constants_of_every_kind_roundtrip() {
    let consts = vec![
        Const::Int(0),
        Const::Int(-1),
        Const::Int(i64::MAX),
        Const::Int(i64::MIN),
        Const::BigInt("9223372036854775808".into()),
        Const::BigInt("-9223372036854775809".into()),
        Const::BigInt("1".repeat(80)),
        Const::Float(0.0),
        Const::Float(-0.0),
        Const::Float(1.0),
        Const::Float(0.1),
        Const::Float(1e300),
        Const::Float(-1e-300),
        Const::Float(5e-324),
        Const::Float(f64::MAX),
        Const::Float(1e16),
        Const::Float(123456.789),
        Const::Float(f64::NAN),
        Const::Float(f64::INFINITY),
        Const::Float(f64::NEG_INFINITY),
        Const::Complex(0.0, 1.0),
        Const::Complex(-0.0, f64::NAN),
        Const::Complex(f64::INFINITY, -2.5e-10),
        Const::Bool(true),
        Const::Bool(false),
        Const::None,
        Const::Ellipsis,
        Const::Str(String::new()),
        Const::Str("plain".into()),
        Const::Str("quote \" apostrophe ' backslash \\".into()),
        Const::Str("ctrl \n \r \t \0 \u{1} \u{7f} \u{200b}".into()),
        Const::Str("unicode é ü 漢字 🐍".into()),
        Const::Str("looks like a comment  ; line 3".into()),
        Const::Str("v1, v2 = block1(v3)".into()),
        Const::Tuple(vec![Const::Int(2), Const::Int(0), Const::Int(1)]),
        Const::Tuple(vec![]),
        Const::Tuple(vec![Const::Str("a, b".into()), Const::Tuple(vec![Const::Float(1.5)])]),
    ];
    for c in consts {
        let f = one_const(c.clone());
        let text = f.display(None);
        let g = Function::parse(&text).unwrap_or_else(|e| panic!("{c:?}: {e}\n{text}"));
        assert_eq!(g.display(None), text);
        let Op::Const(back) = &g.block(Block(0)).insts[0].op else {
            panic!("not a const")
        };
        assert!(same_const(&c, back), "{c:?} read back as {back:?}");
        assert_eq!(g.block(Block(0)).insts[0].span.line, 7);
    }
}

#[test]
fn small_bigint_reads_back_as_int() {
    // The one lossy case: a BigInt that fits in 64 bits prints like an Int.
    let f = one_const(Const::BigInt("42".into()));
    let g = Function::parse(&f.display(None)).unwrap();
    assert_eq!(g.block(Block(0)).insts[0].op, Op::Const(Const::Int(42)));
    assert_eq!(g.display(None), f.display(None));
}

#[test]
fn unreachable_blocks_are_dropped_and_renumbering_kept() {
    // block1 is unreachable: the printer leaves it out; the parser fills the
    // hole with an unreachable placeholder and the output stays the same.
    let text = "function f() {\nblock0():\n    v0 = const 1  ; line 1\n    jump block2(v0)  ; line 1\nblock2(v5):\n    return v5  ; line 2\n}\n";
    let f = roundtrip(text);
    assert_eq!(f.blocks.len(), 3);
    assert!(matches!(f.block(Block(1)).term, Term::Unreachable));
    assert_eq!(f.values.len(), 6);
    f.verify().unwrap();
}

#[test]
fn comments_blank_lines_and_missing_line_numbers() {
    let text = "; a header comment\n\nfunction g(x) {\n  ; inside\nblock0(v0):\n    v1 = unary neg v0\n\n    return v1\n}\n; trailing\n";
    let f = Function::parse(text).unwrap();
    assert_eq!(f.block(Block(0)).insts[0].span.line, 0);
    assert_eq!(
        f.display(None),
        "function g(x) {\nblock0(v0):\n    v1 = unary neg v0  ; line 0\n    return v1  ; line 0\n}\n"
    );
    assert_eq!(f.block(Block(0)).insts[0].op, Op::Unary(UnaryOp::Neg));
}

#[test]
fn typed_block_params_and_results() {
    let text = "function f(a, n) {\nblock0(v0: array(float64, 2d, C), v1: int):\n    v2: tuple(int, int) = attr \"shape\" v0  ; line 2\n    v3: bool = cmp lt v1, v1  ; line 3\n    jump block1(v1)  ; line 3\nblock1(v4: int | float):\n    return v4  ; line 4\n}\n";
    let p = parse_typed(text).unwrap();
    assert_eq!(p.types[&Value(0)], "array(float64, 2d, C)");
    assert_eq!(p.types[&Value(1)], "int");
    assert_eq!(p.types[&Value(2)], "tuple(int, int)");
    assert_eq!(p.types[&Value(4)], "int | float");
    assert_eq!(p.func.block(Block(0)).insts[1].op, Op::Cmp(CmpOp::Lt));
    let ty = |v: Value| p.types[&v].clone();
    assert_eq!(p.func.display(Some(&ty)), text);
    // Function::parse accepts the typed form too.
    assert_eq!(Function::parse(text).unwrap().display(None), p.func.display(None));
}

fn parse_err(text: &str) -> (usize, String) {
    match Function::parse(text) {
        Ok(f) => panic!("parsed:\n{}", f.display(None)),
        Err(e) => (e.line, e.msg),
    }
}

fn body(lines: &str) -> String {
    format!("function f(a) {{\nblock0(v0):\n{lines}}}\n")
}

#[test]
fn parse_error_bad_token() {
    let (line, msg) = parse_err(&body("    v1 = frobnicate v0  ; line 1\n    return v1\n"));
    assert_eq!(line, 3);
    assert!(msg.contains("unknown operation `frobnicate`"), "{msg}");
    let (line, msg) = parse_err(&body("    v1 = bin plus v0, v0\n    return v1\n"));
    assert_eq!(line, 3);
    assert!(msg.contains("unknown binary operator `plus`"), "{msg}");
    let (_, msg) = parse_err(&body("    v1 = const 1.2.3\n    return v1\n"));
    assert!(msg.contains("bad constant"), "{msg}");
    let (_, msg) = parse_err(&body("    v1 = global range\n    return v1\n"));
    assert!(msg.contains("expected a string"), "{msg}");
    let (_, msg) = parse_err(&body("    v1 = global \"range\n    return v1\n"));
    assert!(msg.contains("unterminated string"), "{msg}");
    let (line, msg) = parse_err(&body("    return x1\n"));
    assert_eq!(line, 3);
    assert!(msg.contains("expected a value (`vN`), found `x1`"), "{msg}");
    let (_, msg) = parse_err(&body("    return v0  ; col 3\n"));
    assert!(msg.contains("expected `line`"), "{msg}");
    let (_, msg) = parse_err(&body("    return v0 v1\n"));
    assert!(msg.contains("expected the end of the line"), "{msg}");
}

#[test]
fn parse_error_unknown_block() {
    let (line, msg) = parse_err(&body(
        "    v1 = const True\n    br v1, block1(), block7()\nblock1():\n    return v0\n",
    ));
    assert_eq!(line, 4);
    assert_eq!(msg, "unknown block block7");
    let (line, msg) = parse_err("function f() {\nblock1():\n    unreachable\n}\n");
    assert_eq!(line, 1);
    assert!(msg.contains("no entry block"), "{msg}");
    let (line, msg) = parse_err(&body("    jump block0(v0)\nblock0(v1):\n    return v1\n"));
    assert_eq!(line, 4);
    assert_eq!(msg, "block0 is defined twice");
}

#[test]
fn parse_error_wrong_arity() {
    let (line, msg) = parse_err(&body("    v1 = bin add v0\n    return v1\n"));
    assert_eq!(line, 3);
    assert_eq!(msg, "`bin` takes 2 arguments, got 1");
    let (_, msg) = parse_err(&body("    v1 = range_len v0, v0\n    return v1\n"));
    assert_eq!(msg, "`range_len` takes 4 arguments, got 2");
    let (_, msg) = parse_err(&body("    v1 = const 1 v0\n    return v1\n"));
    assert_eq!(msg, "`const` takes 0 arguments, got 1");
    let (_, msg) = parse_err(&body("    v1 = call kw=[\"x\"] v0\n    return v1\n"));
    assert_eq!(msg, "`call` takes at least 2 arguments, got 1");
    let (_, msg) = parse_err(&body("    setitem v0\n    return v0\n"));
    assert_eq!(msg, "`setitem` takes at least 2 arguments, got 1");
    let (_, msg) = parse_err(&body("    v1 = setitem v0, v0, v0\n    return v1\n"));
    assert_eq!(msg, "`setitem` defines no value");
    let (_, msg) = parse_err(&body("    truth v0\n    return v0\n"));
    assert!(msg.contains("needs a result"), "{msg}");
    let (_, msg) = parse_err(&body("    v1 = return v0\n"));
    assert!(msg.contains("defines no value"), "{msg}");
}

#[test]
fn parse_error_structure() {
    let (line, msg) = parse_err("function f() {\nblock0():\n    v0 = const 1\n}\n");
    assert_eq!(line, 4);
    assert_eq!(msg, "block0 has no terminator");
    let (line, msg) = parse_err("function f() {\nblock0():\n    unreachable\n    v0 = const 1\n}\n");
    assert_eq!(line, 4);
    assert!(msg.contains("after the terminator of block0"), "{msg}");
    let (_, msg) = parse_err("function f() {\nblock0():\n    unreachable\n");
    assert!(msg.contains("missing `}`"), "{msg}");
    let (line, msg) = parse_err("function f() {\nblock0():\n    unreachable\n}\nblock1():\n");
    assert_eq!(line, 5);
    assert!(msg.contains("after the end of the function"), "{msg}");
    let (_, msg) = parse_err("fn f() {\n}\n");
    assert!(msg.contains("expected `function"), "{msg}");
    let (_, msg) = parse_err("");
    assert!(msg.contains("no function"), "{msg}");
    let (line, msg) = parse_err("function f() {\n    v0 = const 1\n}\n");
    assert_eq!(line, 2);
    assert!(msg.contains("outside a block"), "{msg}");
}

#[test]
fn parse_accepts_invalid_ssa_for_the_verifier() {
    let f = Function::parse(&body("    v1 = bin add v2, v2\n    v2 = const 1\n    return v1\n")).unwrap();
    let err = f.verify().unwrap_err();
    assert_eq!(err, "block0: v2 is used before it is defined on every path");
}

#[test]
fn parse_error_typed_annotations() {
    let (line, msg) = parse_err("function f(a) {\nblock0(v0: ):\n    return v0\n}\n");
    assert_eq!(line, 2);
    assert_eq!(msg, "empty type annotation");
    let (_, msg) = parse_err("function f(a) {\nblock0(v0: tuple(int, int):\n    return v0\n}\n");
    assert_eq!(msg, "unterminated type annotation");
    let (_, msg) = parse_err("function f(a) {\nblock0(v0):\n    v1: int const 1\n    return v1\n}\n");
    assert_eq!(msg, "unterminated type annotation");
    let (_, msg) = parse_err("function f(a) {\nblock0(v0):\n    v1 = const \"\\q\"\n    return v1\n}\n");
    assert_eq!(msg, "unknown escape `\\q` in a string");
}

#[test]
fn iteration_and_membership_ops_roundtrip() {
    let text = body(
        "    v1 = global \"zip\"  ; line 2\n    builtin \"zip\" v1  ; line 2\n    v2 = nd_size v0  ; line 3\n    v3 = const 0  ; line 3\n    v4 = nd_index v0, v3  ; line 3\n    v5 = is v0, v3  ; line 4\n    v6 = contains v4, v3  ; line 4\n    return v6  ; line 5\n",
    );
    let f = roundtrip(&text);
    f.verify().unwrap();
    let insts = &f.block(Block(0)).insts;
    assert_eq!(insts[1].op, Op::Builtin("zip".into()));
    assert_eq!(insts[1].result, None);
    assert_eq!(insts[2].op, Op::NdSize);
    assert_eq!(insts[4].op, Op::NdIndex);
    assert_eq!(insts[5].op, Op::Is);
    assert_eq!(insts[6].op, Op::Contains);
    let (_, msg) = parse_err(&body("    v1 = nd_index v0  ; line 2\n    return v1  ; line 2\n"));
    assert!(msg.contains("takes 2 arguments"), "{msg}");
    let (_, msg) = parse_err(&body(
        "    v1 = builtin \"zip\" v0  ; line 2\n    return v1  ; line 2\n",
    ));
    assert!(msg.contains("defines no value"), "{msg}");
}

#[test]
fn yield_terminator_roundtrips() {
    let text = "function g(n) {
block0(v0):
    v1 = const 0  ; line 2
    v2 = const None  ; line 3
    yield 1, v1, block1(v2, v0)  ; line 3
block1(v3, v4):
    v5 = bin add v4, v3  ; line 4
    return v5  ; line 4
}
";
    let f = roundtrip(text);
    f.verify().unwrap();
    assert!(matches!(f.block(Block(0)).term, Term::Yield { point: 1, .. }));
    assert!(Function::parse(&text.replace("yield 1,", "yield x,")).is_err());
}

#[test]
fn setattr_roundtrips() {
    let text = body("    v1 = const 1.5  ; line 2\n    setattr \"x\" v0, v1  ; line 2\n    return v1  ; line 3\n");
    let f = roundtrip(&text);
    f.verify().unwrap();
    let insts = &f.block(Block(0)).insts;
    assert_eq!(insts[1].op, Op::SetAttr("x".into()));
    assert_eq!(insts[1].result, None);
    let (_, msg) = parse_err(&body("    setattr \"x\" v0  ; line 2\n    return v0  ; line 2\n"));
    assert!(msg.contains("takes 2 arguments"), "{msg}");
}

#[test]
fn exhausted_roundtrips() {
    for (kw, pep479) in [("exhausted", false), ("exhausted pep479", true)] {
        let text = body(&format!("    {kw}  ; line 2\n    unreachable  ; line 2\n"));
        let f = roundtrip(&text);
        f.verify().unwrap();
        let insts = &f.block(Block(0)).insts;
        assert_eq!(insts[0].op, Op::Exhausted { pep479 });
        assert_eq!(insts[0].result, None);
    }
    let (_, msg) = parse_err(&body("    v1 = exhausted  ; line 2\n    return v1  ; line 2\n"));
    assert!(msg.contains("defines no value"), "{msg}");
    let (_, msg) = parse_err(&body("    exhausted v0  ; line 2\n    unreachable  ; line 2\n"));
    assert!(msg.contains("takes 0 arguments"), "{msg}");
}

#[test]
fn cells_roundtrip() {
    let text = body(
        "    v1 = cell  ; line 2\n    v2 = cell v0  ; line 2\n    cell_set v1, v0  ; line 3\n    cell_set v2  ; line 4\n    v3 = lambda escapes 5 0 [\"&x\", \"y\"] v1, v0  ; line 5\n    return v3  ; line 5\n",
    );
    let f = roundtrip(&text);
    f.verify().unwrap();
    let insts = &f.block(Block(0)).insts;
    assert_eq!((&insts[0].op, insts[0].args.len()), (&Op::Cell, 0));
    assert_eq!((&insts[1].op, insts[1].args.len()), (&Op::Cell, 1));
    assert_eq!(
        (&insts[2].op, insts[2].result, insts[2].args.len()),
        (&Op::CellSet, None, 2)
    );
    assert_eq!((&insts[3].op, insts[3].args.len()), (&Op::CellSet, 1));
    let (_, msg) = parse_err(&body("    v1 = cell_set v0  ; line 2\n    return v1  ; line 2\n"));
    assert!(msg.contains("defines no value"), "{msg}");
    let (_, msg) = parse_err(&body("    cell_set  ; line 2\n    return v0  ; line 2\n"));
    assert!(msg.contains("at least 1"), "{msg}");
}

#[test]
fn lambda_and_def_makes_roundtrip() {
    for (line, name, escapes) in [
        ("v1 = lambda 3 0 [\"x\"] v0", "<lambda>", false),
        ("v1 = lambda escapes 3 1 [\"x\"] v0", "<lambda>", true),
        ("v1 = def \"scale\" 3 0 [\"x\"] v0", "scale", false),
        ("v1 = def escapes \"scale\" 3 0 [\"x\"] v0", "scale", true),
    ] {
        let text = body(&format!("    {line}  ; line 2\n    return v1  ; line 3\n"));
        let f = roundtrip(&text);
        f.verify().unwrap();
        let insts = &f.block(Block(0)).insts;
        assert_eq!(
            insts[0].op,
            Op::Lambda {
                name: name.into(),
                escapes,
                line: 3,
                index: if line.contains(" 3 1 ") { 1 } else { 0 },
                names: vec!["x".into()],
            }
        );
    }
}
