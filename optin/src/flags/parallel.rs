//! `parallel=True`: `prange` loops run on several threads.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "parallel",
    doc: "iterations of a prange loop may run in any order and at the same time, on a pool of threads with \
          the GIL released (PYSTON_NUM_THREADS or NUMBA_NUM_THREADS, else one per core); scalar reductions \
          (+= -= *= min max &= |=) are computed per chunk and combined in chunk order, so a float sum may \
          differ from the serial sum in the last bits",
    kind: FlagKind::Bool { default: false },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.parallel = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn runs_prange_in_parallel() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(true));
        assert_eq!(
            s,
            Semantics {
                parallel: true,
                ..Semantics::strict()
            }
        );
        assert_eq!(s.describe(), "parallel");
    }
}
