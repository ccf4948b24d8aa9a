//! Per-pass filetests: every `tests/filetests/<pass>/*.ir` file is IR text
//! (with `; params:` header lines where the pass needs argument types)
//! followed by expectations, see `tests/filetests/README.md`.
//! `PYSTON_BLESS=1 cargo test -p pyston-compiler --test filetests` rewrites
//! the `; output:` blocks.

mod common;

use common::{parse_params, MockEnv};
use pyston_compiler::infer::{infer, Typed};
use pyston_compiler::ir::parse::parse_typed;
use pyston_compiler::ir::{cfg, write, Block, Function};
use pyston_compiler::ranges::{self, Guard};
use std::path::{Path, PathBuf};

/// A test file split into its parts.
struct FileTest {
    /// The lines before the expectations (the IR and its header comments).
    input: String,
    /// `; check:` substrings, in order.
    checks: Vec<String>,
    /// The `; output:` block, without its `; ` prefixes.
    output: Option<String>,
}

fn split(text: &str) -> FileTest {
    let mut input = String::new();
    let mut checks = Vec::new();
    let mut output: Option<String> = None;
    for line in text.lines() {
        if let Some(out) = output.as_mut() {
            let l = line
                .strip_prefix("; ")
                .or_else(|| line.strip_prefix(';'))
                .unwrap_or(line);
            out.push_str(l);
            out.push('\n');
        } else if let Some(c) = line.strip_prefix("; check:") {
            checks.push(c.trim().to_string());
        } else if line.trim_end() == "; output:" {
            output = Some(String::new());
        } else if checks.is_empty() {
            input.push_str(line);
            input.push('\n');
        } else {
            // Lines between checks are comments.
        }
    }
    FileTest { input, checks, output }
}

/// The value of a `; NAME: ...` header line.
fn header<'a>(input: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("; {name}:");
    input
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::trim))
}

fn parse_input(input: &str) -> Result<Function, String> {
    Function::parse(input).map_err(|e| format!("parse error: {e}"))
}

fn typed_input(input: &str) -> Result<(Function, Typed), String> {
    let f = parse_input(input)?;
    let params = parse_params(header(input, "params").unwrap_or("")).map_err(|e| format!("bad params: {e}"))?;
    f.verify().map_err(|e| format!("invalid IR: {e}"))?;
    match infer(&f, &params, &mut MockEnv) {
        Ok(t) => Ok((f, t)),
        Err(e) => Err(format!(
            "error: {e}{}",
            e.span.map(|s| format!(" (line {})", s.line)).unwrap_or_default()
        )),
    }
}

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

fn run_ranges(input: &str) -> Result<String, String> {
    let (f, t) = typed_input(input)?;
    let facts = ranges::analyze(&f, &t);
    let inst = |b: Block, k: usize| {
        let i = &f.block(b).insts[k];
        let args: Vec<String> = i.args.iter().map(|a| a.to_string()).collect();
        let lhs = i.result.map(|r| format!("{r} = ")).unwrap_or_default();
        format!("{lhs}{} {}", write::op_text(&i.op), args.join(", "))
    };
    let mut s = String::new();
    let mut no: Vec<_> = facts.no_overflow.iter().copied().collect();
    no.sort();
    for (b, k) in no {
        s.push_str(&format!("no_overflow {b}[{k}]: {}\n", inst(b, k)));
    }
    let mut un: Vec<_> = facts.unchecked.iter().copied().collect();
    un.sort();
    for (b, k, axis) in un {
        s.push_str(&format!("unchecked {b}[{k}] axis {axis}: {}\n", inst(b, k)));
    }
    let mut gs: Vec<_> = facts.guards.iter().collect();
    gs.sort_by_key(|(b, _)| **b);
    for (b, list) in gs {
        for g in list {
            let text = match g {
                Guard::Upper {
                    base,
                    offset,
                    array,
                    axis,
                } => format!("{base}{} <= {array}.shape[{axis}]", signed(*offset)),
                Guard::Lower { base, offset } => format!("{base}{} >= 0", signed(*offset)),
            };
            s.push_str(&format!("guard before {b}: {text}\n"));
        }
    }
    if s.is_empty() {
        s.push_str("no facts\n");
    }
    Ok(s)
}

/// ` + 3`, ` - 3` or nothing for 0.
fn signed(x: i64) -> String {
    match x {
        0 => String::new(),
        x if x < 0 => format!(" - {}", x.unsigned_abs()),
        x => format!(" + {x}"),
    }
}

fn dir(pass: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/filetests")
        .join(pass)
}

/// Whether the `checks` occur in `out`, each on a line after the previous one's.
fn check_in_order(checks: &[String], out: &str) -> Result<(), String> {
    let lines: Vec<&str> = out.lines().collect();
    let mut at = 0;
    for c in checks {
        match lines[at..].iter().position(|l| l.contains(c.as_str())) {
            Some(p) => at += p + 1,
            None => return Err(format!("check `{c}` not found (in order) in the output")),
        }
    }
    Ok(())
}

fn with_output(input: &str, out: &str) -> String {
    let mut s = input.trim_end().to_string();
    s.push_str("\n; output:\n");
    for l in out.lines() {
        if l.is_empty() {
            s.push_str(";\n");
        } else {
            s.push_str("; ");
            s.push_str(l);
            s.push('\n');
        }
    }
    s
}

fn run_dir(pass: &str, run: fn(&str) -> Result<String, String>) {
    let bless = std::env::var_os("PYSTON_BLESS").is_some_and(|v| v == "1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir(pass))
        .unwrap_or_else(|e| panic!("{}: {e}", dir(pass).display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{pass}: only {} filetests", files.len());
    let mut failures = Vec::new();
    for path in &files {
        if let Err(e) = run_file(path, run, bless) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing filetests:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn run_file(path: &Path, run: fn(&str) -> Result<String, String>, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let t = split(&text);
    let out = run(&t.input)?;
    check_in_order(&t.checks, &out)?;
    if !t.checks.is_empty() && t.output.is_none() {
        return Ok(());
    }
    if t.output.as_deref() == Some(out.as_str()) {
        return Ok(());
    }
    if bless {
        std::fs::write(path, with_output(&t.input, &out)).map_err(|e| e.to_string())?;
        return Ok(());
    }
    Err(format!(
        "output differs (PYSTON_BLESS=1 to update)\n--- expected\n{}--- actual\n{out}",
        t.output.as_deref().unwrap_or("(no `; output:` block)\n")
    ))
}

#[test]
fn parse_filetests() {
    run_dir("parse", run_parse);
}

#[test]
fn verify_filetests() {
    run_dir("verify", run_verify);
}

#[test]
fn infer_filetests() {
    run_dir("infer", run_infer);
}

#[test]
fn cfg_filetests() {
    run_dir("cfg", run_cfg);
}

#[test]
fn ranges_filetests() {
    run_dir("ranges", run_ranges);
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
