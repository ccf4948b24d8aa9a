//! The numeric tier's per-pass filetests: IR text in, the pass's facts or
//! plan out (format: `core/compiler/tests/filetests/README.md`).
//! `PYSTON_BLESS=1 cargo test -p pyston-numeric --test filetests` rewrites
//! the `; output:` blocks.

#[path = "../../core/compiler/tests/common/mod.rs"]
mod common;

use common::filetest::*;
use common::MockEnv;
use pyston_compiler::codegen::{self, CodegenEnv, Pass};
use pyston_compiler::Semantics;
use pyston_numeric::{passes_except, ranges, PASSES};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn run_bounds(input: &str) -> Result<String, String> {
    let (f, t) = typed_input_with(input, &mut MockEnv::with_numpy(), false)?;
    Ok(ranges::describe(&f, &ranges::analyze(&f, &t, false)))
}

#[test]
fn bounds_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "bounds", run_bounds);
}

/// The semantics of a `; semantics:` header (strict when absent), built
/// here as the opt-in presets build them.
fn semantics(input: &str) -> Result<Semantics, String> {
    let strict = Semantics::strict();
    Ok(match header(input, "semantics").unwrap_or("strict") {
        "strict" => strict,
        "fastmath" => Semantics {
            reassociate: true,
            float_warnings: false,
            ..strict
        },
        "unchecked_int" => Semantics {
            wrapping_ints: true,
            ..strict
        },
        "numba" => Semantics {
            frozen_globals: true,
            wrapping_ints: true,
            boundscheck: false,
            float_warnings: false,
            fallback: false,
            numba_scalar_typing: true,
            numba_int_pow: true,
            int32_store_wraps: true,
            box_python_scalars: true,
            ..strict
        },
        s => return Err(format!("unknown semantics `{s}`")),
    })
}

/// Every plan of the numeric tier's passes for `input` (parsed, typed with
/// the NumPy-aware mock environment, planned by `plan_only`), by pass.
fn plans(input: &str, passes: &[&dyn Pass]) -> Result<Vec<(&'static str, String)>, String> {
    let sem = semantics(input)?;
    let mut env = MockEnv::with_numpy();
    let (f, t) = typed_input_with(input, &mut env, sem.is_numba())?;
    let (callees, array_consts, strs) = (HashMap::new(), HashMap::new(), HashMap::new());
    let exc_lazy_matches = HashMap::new();
    let member_callees = HashMap::new();
    let cenv = CodegenEnv {
        callees: &callees,
        member_callees: &member_callees,
        array_consts: &array_consts,
        exc_lazy_matches: &exc_lazy_matches,
        strs: &strs,
        self_meta_slot: 0,
        signal_flag: 0,
        sem: &sem,
        pycalls: &env.pycalls,
        passes,
        describe_plans: true,
        str_layout: None,
        scalar_ufuncs: false,
        np_names: &std::collections::HashMap::new(),
        power_square: &|| false,
        complex_mul: &|| 0,
    };
    codegen::plan_only(&f, &t, &cenv).map_err(|e| format!("plan error: {e}"))
}

/// The plan text of pass `name`, or `no plan`.
fn plan_of(input: &str, name: &str) -> Result<String, String> {
    let out = plans(input, PASSES)?
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| text)
        .unwrap_or_default();
    Ok(if out.trim().is_empty() { "no plan\n".into() } else { out })
}

fn run_idioms(input: &str) -> Result<String, String> {
    plan_of(input, "idioms")
}

fn run_simd(input: &str) -> Result<String, String> {
    plan_of(input, "simd")
}

fn run_fusion(input: &str) -> Result<String, String> {
    plan_of(input, "fusion")
}

fn run_small(input: &str) -> Result<String, String> {
    plan_of(input, "small")
}

#[test]
fn small_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "small", run_small);
}

#[test]
fn idioms_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "idioms", run_idioms);
}

#[test]
fn simd_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "simd", run_simd);
}

#[test]
fn fusion_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "fusion", run_fusion);
}

/// Every `.ir` file of the plan filetests.
fn plan_inputs() -> Vec<(PathBuf, String)> {
    let mut v = Vec::new();
    for pass in ["idioms", "simd", "small", "fusion"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir(env!("CARGO_MANIFEST_DIR"), pass))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ir"))
            .collect();
        files.sort();
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap();
            v.push((p, split(&text).input));
        }
    }
    v
}

/// Planning is deterministic: the same input gives the same plans, run after
/// run (hash maps inside the passes must not leak their order into the text).
#[test]
fn plans_are_deterministic() {
    for (path, input) in plan_inputs() {
        let first = plans(&input, PASSES).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for _ in 0..4 {
            let again = plans(&input, PASSES).unwrap();
            assert_eq!(first, again, "{}: plans differ between runs", path.display());
        }
    }
}

/// Leaving a pass out of the list removes its plan (and only its plan, for
/// the passes after bounds, which the others read facts from), except that
/// without fusion the small-arrays pass takes the float64 expressions it
/// otherwise leaves to fusion.
#[test]
fn disabled_pass_has_no_plan() {
    let mut planned = HashSet::new();
    for (path, input) in plan_inputs() {
        let all = plans(&input, PASSES).unwrap();
        for name in ["idioms", "simd", "fusion"] {
            let passes = passes_except(&[name]).unwrap();
            let without = plans(&input, &passes).unwrap();
            assert!(
                without.iter().all(|(n, _)| *n != name),
                "{}: disabled {name} still planned",
                path.display()
            );
            if all.iter().any(|(n, _)| *n == name) {
                planned.insert(name);
            }
            let rest: Vec<_> = all.iter().filter(|(n, _)| *n != name).cloned().collect();
            let (rest, without): (Vec<_>, Vec<_>) = if name == "fusion" {
                let keep =
                    |v: &[(&'static str, String)]| v.iter().filter(|(n, _)| *n != "small").cloned().collect::<Vec<_>>();
                (keep(&rest), keep(&without))
            } else {
                (rest, without)
            };
            assert_eq!(
                rest,
                without,
                "{}: disabling {name} changed other plans",
                path.display()
            );
        }
    }
    // The test files exercise every pass.
    assert_eq!(planned.len(), 3, "passes planned somewhere: {planned:?}");
}
