//! Per-pass filetests: every `tests/filetests/<pass>/*.ir` file is IR text
//! (with `; params:` header lines where the pass needs argument types)
//! followed by expectations, see `tests/filetests/README.md`.
//! `PYSTON_BLESS=1 cargo test -p pyston-compiler --test filetests` rewrites
//! the `; output:` blocks.

mod common;

use common::filetest::*;
use pyston_compiler::ir::parse::parse_typed;
use pyston_compiler::ir::{cfg, Block, Function};

fn run_parse(input: &str) -> Result<String, String> {
    match Function::parse(input) {
        Ok(f) => Ok(f.display(None)),
        Err(e) => Ok(format!("error: {e}\n")),
    }
}

fn run_verify(input: &str) -> Result<String, String> {
    let f = parse_input(input)?;
    Ok(match f.verify() {
        Ok(()) => "ok\n".into(),
        Err(e) => format!("error: {e}\n"),
    })
}

fn run_infer(input: &str) -> Result<String, String> {
    let (f, t) = match typed_input(input) {
        Ok(x) => x,
        Err(e) if e.starts_with("error: ") => return Ok(e + "\n"),
        Err(e) => return Err(e),
    };
    let mut s = f.display(Some(&|v| t.ty(v).to_string()));
    // The typed form reads back, annotations included.
    let back = parse_typed(&s).map_err(|e| format!("typed output does not parse: {e}"))?;
    let ty = |v| back.types.get(&v).cloned().unwrap_or_default();
    if back.func.display(Some(&ty)) != s {
        return Err("typed output does not read back identically".into());
    }
    s.push_str(&format!("ret: {}\n", t.ret));
    let mut cold: Vec<Block> = t.cold.iter().copied().collect();
    cold.sort();
    if !cold.is_empty() {
        let c: Vec<String> = cold.iter().map(|b| b.to_string()).collect();
        s.push_str(&format!("cold: {}\n", c.join(", ")));
    }
    Ok(s)
}

fn run_cfg(input: &str) -> Result<String, String> {
    let f = parse_input(input)?;
    let order = f.rpo();
    let names = |bs: &[Block]| bs.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ");
    let mut s = format!("rpo: {}\n", names(&order));
    let idom = f.dominators();
    let preds = f.predecessors();
    for &b in &order {
        let header = if cfg::is_loop_header(&f, b) {
            "  (loop header)"
        } else {
            ""
        };
        s.push_str(&format!(
            "{b}: idom {}, preds [{}]{header}\n",
            idom[&b],
            names(&preds[b.0 as usize])
        ));
    }
    let loops = f.loops();
    if loops.is_empty() {
        s.push_str("no loops\n");
    }
    for l in loops {
        s.push_str(&format!(
            "loop {}: blocks [{}], latches [{}]\n",
            l.header,
            names(&l.blocks),
            names(&l.latches)
        ));
    }
    Ok(s)
}

#[test]
fn parse_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "parse", run_parse);
}

#[test]
fn verify_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "verify", run_verify);
}

#[test]
fn infer_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "infer", run_infer);
}

#[test]
fn cfg_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "cfg", run_cfg);
}

#[test]
fn filetest_format() {
    let t = split("; params: int\nfunction f() {\n}\n; check: a\n; between\n; check: b\n; output:\n; x\n;\n; y\n");
    assert_eq!(t.input, "; params: int\nfunction f() {\n}\n");
    assert_eq!(t.checks, ["a", "b"]);
    assert_eq!(t.output.as_deref(), Some("x\n\ny\n"));
    assert_eq!(header(&t.input, "params"), Some("int"));
    assert!(check_in_order(&t.checks, "1 a\n2 b\n").is_ok());
    assert!(check_in_order(&t.checks, "1 b\n2 a\n").is_err());
    let w = with_output("in\n", "x\n\ny\n");
    assert_eq!(split(&w).output.as_deref(), Some("x\n\ny\n"));
}
