//! The filetest harness shared by the compiler's and the numeric tier's
//! per-pass filetests (see `tests/filetests/README.md`).

#![allow(dead_code)]

use super::{parse_params, MockEnv};
use pyston_compiler::infer::{infer_with, Adapt, Typed};
use pyston_compiler::ir::Function;
use std::path::{Path, PathBuf};

/// A test file split into its parts.
pub struct FileTest {
    /// The lines before the expectations (the IR and its header comments).
    pub input: String,
    /// `; check:` substrings, in order.
    pub checks: Vec<String>,
    /// The `; output:` block, without its `; ` prefixes.
    pub output: Option<String>,
}

pub fn split(text: &str) -> FileTest {
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
pub fn header<'a>(input: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("; {name}:");
    input
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::trim))
}

pub fn parse_input(input: &str) -> Result<Function, String> {
    Function::parse(input).map_err(|e| format!("parse error: {e}"))
}

pub fn typed_input(input: &str) -> Result<(Function, Typed), String> {
    typed_input_with(input, &mut MockEnv::default(), false)
}

/// [`typed_input`] with a given mock environment (which records the NumPy
/// calls it types) and Numba's scalar typing or not.
pub fn typed_input_with(input: &str, env: &mut MockEnv, numba: bool) -> Result<(Function, Typed), String> {
    let f = parse_input(input)?;
    let params = parse_params(header(input, "params").unwrap_or("")).map_err(|e| format!("bad params: {e}"))?;
    f.verify().map_err(|e| format!("invalid IR: {e}"))?;
    let sem = pyston_compiler::Semantics {
        numba_scalar_typing: numba,
        ..pyston_compiler::Semantics::strict()
    };
    match infer_with(&f, &params, env, &Adapt::default(), &sem) {
        Ok(t) => Ok((f, t)),
        Err(e) => Err(format!(
            "error: {e}{}",
            e.span.map(|s| format!(" (line {})", s.line)).unwrap_or_default()
        )),
    }
}

/// `<crate>/tests/filetests/<pass>`.
pub fn dir(manifest_dir: &str, pass: &str) -> PathBuf {
    PathBuf::from(manifest_dir).join("tests/filetests").join(pass)
}

/// Whether the `checks` occur in `out`, each on a line after the previous one's.
pub fn check_in_order(checks: &[String], out: &str) -> Result<(), String> {
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

pub fn with_output(input: &str, out: &str) -> String {
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

/// Runs every `.ir` file of `<manifest_dir>/tests/filetests/<pass>` through `run`.
pub fn run_dir(manifest_dir: &str, pass: &str, run: fn(&str) -> Result<String, String>) {
    let bless = std::env::var_os("PYSTON_BLESS").is_some_and(|v| v == "1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir(manifest_dir, pass))
        .unwrap_or_else(|e| panic!("{}: {e}", dir(manifest_dir, pass).display()))
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

pub fn run_file(path: &Path, run: fn(&str) -> Result<String, String>, bless: bool) -> Result<(), String> {
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
