//! The numeric tier's per-pass filetests: IR text in, the pass's facts or
//! plan out (format: `core/compiler/tests/filetests/README.md`).
//! `PYSTON_BLESS=1 cargo test -p pyston-numeric --test filetests` rewrites
//! the `; output:` blocks.

#[path = "../../core/compiler/tests/common/mod.rs"]
mod common;

use common::filetest::*;
use pyston_numeric::ranges;

fn run_bounds(input: &str) -> Result<String, String> {
    let (f, t) = typed_input(input)?;
    Ok(ranges::describe(&f, &ranges::analyze(&f, &t)))
}

#[test]
fn bounds_filetests() {
    run_dir(env!("CARGO_MANIFEST_DIR"), "bounds", run_bounds);
}
