//! The numeric tier's per-pass filetests: IR text in, the pass's facts or
//! plan out (format: `core/compiler/tests/filetests/README.md`).
//! `PYSTON_BLESS=1 cargo test -p pyston-numeric --test filetests` rewrites
//! the `; output:` blocks.

#[path = "../../core/compiler/tests/common/mod.rs"]
mod common;

use common::filetest::*;
use pyston_compiler::codegen::facts::Guard;
use pyston_compiler::ir::{write, Block};
use pyston_numeric::ranges;

fn run_bounds(input: &str) -> Result<String, String> {
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

#[test]
fn bounds_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "bounds", run_bounds);
}
