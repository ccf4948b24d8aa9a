//! Lowering HIR built by hand: the result verifies, reads back from its
//! text, and matches the golden IR the Python front end produces.

use pyston_compiler::hir::*;
use pyston_compiler::ir::{Function, Op, Term};
use pyston_compiler::lower::lower;

fn sp(line: u32) -> Span {
    Span {
        line,
        col: 4,
        end_line: line,
        end_col: 10,
        inl: 0,
    }
}

fn e(kind: ExprKind, line: u32) -> Expr {
    Expr { kind, span: sp(line) }
}
fn name(n: &str, line: u32) -> Expr {
    e(ExprKind::Name(n.into()), line)
}
fn int(i: i64, line: u32) -> Expr {
    e(ExprKind::Lit(Literal::Int(i)), line)
}
fn bin(op: BinOp, a: Expr, b: Expr, line: u32) -> Expr {
    e(ExprKind::Bin(op, Box::new(a), Box::new(b)), line)
}
fn st(kind: StmtKind, line: u32) -> Stmt {
    Stmt { kind, span: sp(line) }
}
fn assign(n: &str, v: Expr, line: u32) -> Stmt {
    st(StmtKind::Assign(vec![Target::Name(n.into(), sp(line))], v), line)
}
fn def(params: &[&str], body: Vec<Stmt>) -> FunctionDef {
    FunctionDef {
        name: "f".into(),
        params: params.iter().map(|p| p.to_string()).collect(),
        body,
        span: sp(1),
        shape: Default::default(),
        annotated: false,
    }
}

fn check(f: &Function) {
    f.verify().unwrap_or_else(|e| panic!("{e}\n{}", f.display(None)));
    let text = f.display(None);
    assert_eq!(Function::parse(&text).unwrap().display(None), text);
}

#[test]
fn counted_loop_matches_golden() {
    // def f(n):
    //     s = 0
    //     for i in range(n):
    //         s += i * i
    //     return s
    let body = vec![
        assign("s", int(0, 2), 2),
        st(
            StmtKind::For(
                Target::Name("i".into(), sp(3)),
                e(
                    ExprKind::Call(Box::new(name("range", 3)), vec![name("n", 3)], vec![]),
                    3,
                ),
                vec![st(
                    StmtKind::AugAssign(
                        Target::Name("s".into(), sp(4)),
                        BinOp::Add,
                        bin(BinOp::Mul, name("i", 4), name("i", 4), 4),
                    ),
                    4,
                )],
                vec![],
            ),
            3,
        ),
        st(StmtKind::Return(Some(name("s", 5))), 5),
    ];
    let f = lower(&def(&["n"], body)).unwrap();
    check(&f);
    let golden = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/filetests/counted_loop.ir"
    ))
    .unwrap();
    assert_eq!(f.display(None), golden);
    assert_eq!(f.loops().len(), 1);
}

#[test]
fn if_else_joins_with_a_block_parameter() {
    // def f(a, b):
    //     if a < b: x = a
    //     else: x = b
    //     return x
    let body = vec![
        st(
            StmtKind::If(
                e(
                    ExprKind::Compare(Box::new(name("a", 2)), vec![(CmpOp::Lt, name("b", 2))]),
                    2,
                ),
                vec![assign("x", name("a", 3), 3)],
                vec![assign("x", name("b", 5), 5)],
            ),
            2,
        ),
        st(StmtKind::Return(Some(name("x", 6))), 6),
    ];
    let f = lower(&def(&["a", "b"], body)).unwrap();
    check(&f);
    assert!(f.loops().is_empty());
    // The returning block receives x as its parameter.
    let ret = f
        .rpo()
        .into_iter()
        .find(|b| matches!(f.block(*b).term, Term::Ret(_)))
        .unwrap();
    let Term::Ret(v) = f.block(ret).term else {
        unreachable!()
    };
    assert!(f.block(ret).params.contains(&v), "{}", f.display(None));
    assert!(f
        .blocks
        .iter()
        .flat_map(|b| &b.insts)
        .any(|i| i.op == Op::Cmp(CmpOp::Lt)));
}

#[test]
fn while_with_break_and_unbound_local() {
    // def f(n):
    //     while n > 0:
    //         n -= 1
    //         if n == 5:
    //             y = n
    //             break
    //     return y      # may be unbound
    let body = vec![
        st(
            StmtKind::While(
                e(
                    ExprKind::Compare(Box::new(name("n", 2)), vec![(CmpOp::Gt, int(0, 2))]),
                    2,
                ),
                vec![
                    st(
                        StmtKind::AugAssign(Target::Name("n".into(), sp(3)), BinOp::Sub, int(1, 3)),
                        3,
                    ),
                    st(
                        StmtKind::If(
                            e(
                                ExprKind::Compare(Box::new(name("n", 4)), vec![(CmpOp::Eq, int(5, 4))]),
                                4,
                            ),
                            vec![assign("y", name("n", 5), 5), st(StmtKind::Break, 6)],
                            vec![],
                        ),
                        4,
                    ),
                ],
                vec![],
            ),
            2,
        ),
        st(StmtKind::Return(Some(name("y", 7))), 7),
    ];
    let f = lower(&def(&["n"], body)).unwrap();
    check(&f);
    let loops = f.loops();
    assert_eq!(loops.len(), 1, "{}", f.display(None));
    assert!(f
        .blocks
        .iter()
        .flat_map(|b| &b.insts)
        .any(|i| i.op == Op::Undef("y".into())));
    // Spans keep their lines through print and parse.
    let g = Function::parse(&f.display(None)).unwrap();
    let lines = |f: &Function| -> Vec<u32> {
        f.rpo()
            .into_iter()
            .flat_map(|b| f.block(b).insts.iter().map(|i| i.span.line).collect::<Vec<_>>())
            .collect()
    };
    assert_eq!(lines(&f), lines(&g));
}

#[test]
fn generator_yields_carry_live_values_and_resume_functions_verify() {
    // def f(n):
    //     s = 0
    //     for i in range(n):
    //         s += i
    //         x = yield s
    //         yield x
    //     return s
    let body = vec![
        assign("s", int(0, 2), 2),
        st(
            StmtKind::For(
                Target::Name("i".into(), sp(3)),
                e(
                    ExprKind::Call(Box::new(name("range", 3)), vec![name("n", 3)], vec![]),
                    3,
                ),
                vec![
                    st(
                        StmtKind::AugAssign(Target::Name("s".into(), sp(4)), BinOp::Add, name("i", 4)),
                        4,
                    ),
                    st(
                        StmtKind::Yield(Some(Target::Name("x".into(), sp(5))), Some(name("s", 5))),
                        5,
                    ),
                    st(StmtKind::Yield(None, Some(name("x", 6))), 6),
                ],
                vec![],
            ),
            3,
        ),
        st(StmtKind::Return(Some(name("s", 7))), 7),
    ];
    let f = lower(&def(&["n"], body)).unwrap();
    check(&f);
    use pyston_compiler::lower::generators::{resume_function, resume_points};
    assert_eq!(resume_points(&f), 2);
    let text = f.display(None);
    assert!(text.contains("yield 1, "), "{text}");
    assert!(text.contains("yield 2, "), "{text}");
    for point in 1..=2 {
        let g = resume_function(&f, point).unwrap();
        check(&g);
        // The resume function's entry takes the value sent in and the live values.
        let entry = g.block(g.entry());
        assert_eq!(entry.params.len(), g.params.len());
        assert_eq!(g.params[0], "<sent>");
        // Nothing before the yield is read after it except through the parameters:
        // every value used in the reachable blocks is defined there.
        let live = g.live_in();
        assert!(live[g.entry().0 as usize].is_empty(), "{}", g.display(None));
    }
    // After the first yield, `s`, the loop counter and `n` cross it (x is what was sent).
    let r1 = resume_function(&f, 1).unwrap();
    assert!(r1.params.iter().any(|p| p == "s"), "{:?}", r1.params);
    assert!(r1.params.iter().any(|p| p == "n"), "{:?}", r1.params);
    assert!(matches!(
        f.blocks
            .iter()
            .find(|b| matches!(b.term, Term::Yield { .. }))
            .map(|b| &b.term),
        Some(Term::Yield { point: 1, .. })
    ));
    let _ = Op::Len;
}
