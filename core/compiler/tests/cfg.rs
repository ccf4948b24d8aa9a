//! Control-flow analyses of `ir::cfg`: dominators (checked against a naive
//! dominator-set computation), natural loops, predecessors and liveness.

use pyston_compiler::ir::{cfg, Block, Function, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Every IR function in the repository's text files: the golden files and
/// the inputs of the per-pass filetests that parse and verify.
fn corpus() -> Vec<(String, Function)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("../../tests/filetests"),
        root.join("../../numeric/tests/filetests/bounds"),
    ];
    for pass in ["cfg", "infer", "verify", "parse"] {
        dirs.push(root.join("tests/filetests").join(pass));
    }
    let mut out = Vec::new();
    for d in dirs {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ir") {
                let text = std::fs::read_to_string(&p).unwrap();
                if let Ok(f) = Function::parse(&text) {
                    out.push((p.display().to_string(), f));
                }
            }
        }
    }
    assert!(out.len() >= 20, "only {} functions", out.len());
    out
}

/// Dominator sets by the textbook dataflow, and the immediate dominators from them.
fn naive_idom(f: &Function) -> HashMap<Block, Block> {
    let order = f.rpo();
    let preds = f.predecessors();
    let all: HashSet<Block> = order.iter().copied().collect();
    let mut dom: HashMap<Block, HashSet<Block>> = order.iter().map(|b| (*b, all.clone())).collect();
    dom.insert(f.entry(), HashSet::from([f.entry()]));
    let mut changed = true;
    while changed {
        changed = false;
        for &b in order.iter().skip(1) {
            let mut s: Option<HashSet<Block>> = None;
            for p in &preds[b.0 as usize] {
                s = Some(match s {
                    None => dom[p].clone(),
                    Some(s) => s.intersection(&dom[p]).copied().collect(),
                });
            }
            let mut s = s.unwrap_or_default();
            s.insert(b);
            if s != dom[&b] {
                dom.insert(b, s);
                changed = true;
            }
        }
    }
    let mut idom = HashMap::from([(f.entry(), f.entry())]);
    for &b in order.iter().skip(1) {
        let strict: HashSet<Block> = dom[&b].iter().copied().filter(|d| *d != b).collect();
        let i = strict
            .iter()
            .copied()
            .find(|d| dom[d] == strict)
            .expect("an immediate dominator");
        idom.insert(b, i);
    }
    idom
}

#[test]
fn dominators_match_naive_dominator_sets() {
    for (name, f) in corpus() {
        let idom = cfg::dominators(&f);
        assert_eq!(idom, naive_idom(&f), "{name}");
        assert_eq!(idom, f.dominators(), "{name}");
    }
}

#[test]
fn loops_are_natural_loops() {
    for (name, f) in corpus() {
        let idom = cfg::dominators(&f);
        let preds = f.predecessors();
        let loops = cfg::loops(&f);
        for l in &loops {
            assert!(cfg::is_loop_header(&f, l.header), "{name}");
            assert_eq!(l.blocks[0], l.header);
            for b in &l.blocks {
                // The header dominates the whole loop, and every block of it
                // other than the header is entered from inside the loop only.
                assert!(cfg::dominates(&idom, l.header, *b), "{name}: {b}");
                if *b != l.header {
                    assert!(preds[b.0 as usize].iter().all(|p| l.contains(*p)), "{name}: {b}");
                }
            }
            for lt in &l.latches {
                assert!(l.contains(*lt));
                assert!(f.block(*lt).term.successors().iter().any(|e| e.block == l.header));
            }
        }
        // Exactly the blocks with a back edge head a loop.
        for b in f.rpo() {
            assert_eq!(
                cfg::is_loop_header(&f, b),
                loops.iter().any(|l| l.header == b),
                "{name}: {b}"
            );
        }
    }
}

const NESTED: &str = "function f(n) {
block0(v0):
    v1 = const 0
    jump block1(v1)
block1(v2):
    v3 = cmp lt v2, v0
    br v3, block2(v1), block5()
block5():
    return v2
block2(v4):
    v5 = cmp lt v4, v0
    br v5, block3(), block4()
block4():
    v6 = const 1
    v7 = bin add v2, v6
    jump block1(v7)
block3():
    v8 = const 1
    v9 = bin add v4, v8
    jump block2(v9)
}
";

#[test]
fn nested_loops_outer_first() {
    let f = Function::parse(NESTED).unwrap();
    f.verify().unwrap();
    let loops = f.loops();
    assert_eq!(loops.len(), 2);
    assert_eq!(loops[0].header, Block(1));
    assert_eq!(loops[0].latches, [Block(4)]);
    let outer: HashSet<Block> = loops[0].blocks.iter().copied().collect();
    assert_eq!(outer, HashSet::from([Block(1), Block(2), Block(3), Block(4)]));
    assert_eq!(loops[1].header, Block(2));
    assert_eq!(loops[1].blocks, [Block(2), Block(3)]);
    assert_eq!(loops[1].latches, [Block(3)]);
    assert!(!loops[0].contains(Block(5)));
    let idom = f.dominators();
    assert_eq!(idom[&Block(3)], Block(2));
    assert_eq!(idom[&Block(5)], Block(1));
    assert!(cfg::dominates(&idom, Block(1), Block(3)));
    assert!(!cfg::dominates(&idom, Block(3), Block(1)));
    assert!(!cfg::is_loop_header(&f, Block(0)));
}

#[test]
fn duplicate_edges_and_unreachable_blocks() {
    let text = "function f(x) {
block0(v0):
    br v0, block1(), block1()
block1():
    return v0
block2():
    jump block1()
}
";
    let f = Function::parse(text).unwrap();
    assert_eq!(f.rpo(), [Block(0), Block(1)]);
    // Both edges count; the unreachable block2 is no predecessor.
    assert_eq!(f.predecessors()[1], [Block(0), Block(0)]);
    assert!(f.predecessors()[2].is_empty());
    let idom = f.dominators();
    assert_eq!(idom.len(), 2);
    assert!(!idom.contains_key(&Block(2)));
    assert!(f.loops().is_empty());
    // The printer leaves block2 out.
    assert!(!f.display(None).contains("block2"));
}

#[test]
fn liveness_in_a_loop() {
    let f = Function::parse(NESTED).unwrap();
    let live = f.live_in();
    let set = |vs: &[u32]| vs.iter().map(|v| Value(*v)).collect::<HashSet<Value>>();
    // The outer header reads n and passes the constant v1 to the inner loop,
    // whose blocks keep it live until the outer latch.
    assert_eq!(live[1], set(&[0, 1]));
    assert_eq!(live[2], set(&[0, 1, 2]));
    assert_eq!(live[3], set(&[0, 1, 2, 4]));
    assert_eq!(live[5], set(&[2]));
    // Resuming at the start of block3 needs what it reads; before its second
    // instruction, v8 too; at a block start its parameters as well.
    assert_eq!(
        f.live_before(Block(3), 0, &live),
        [Value(0), Value(1), Value(2), Value(4)]
    );
    assert_eq!(
        f.live_before(Block(3), 1, &live),
        [Value(0), Value(1), Value(2), Value(4), Value(8)]
    );
    assert_eq!(
        f.live_before(Block(2), 0, &live),
        [Value(0), Value(1), Value(2), Value(4)]
    );
    let defs = f.definitions();
    assert_eq!(defs[&Value(9)], (Block(3), 1));
    assert!(
        !defs.contains_key(&Value(4)),
        "block parameters are not instruction definitions"
    );
}

#[test]
fn while_break_golden_has_one_loop_with_two_latches() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/filetests/while_break.ir");
    let f = Function::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let loops = f.loops();
    assert_eq!(loops.len(), 1);
    let l = &loops[0];
    assert_eq!(l.header, Block(1));
    // `continue` (block5) and the end of the body (block10) jump back.
    assert_eq!(l.latches, [Block(10), Block(5)]);
    // The `else` branch (block3), the `break` edge's block (block8) and their
    // join (block4) are outside the loop; the body's tests are inside.
    assert!(!l.contains(Block(4)) && !l.contains(Block(3)) && !l.contains(Block(8)));
    assert!(l.contains(Block(7)) && l.contains(Block(2)));
    assert!(cfg::is_loop_header(&f, Block(1)) && !cfg::is_loop_header(&f, Block(2)));
}
