//! `fastmath=True`: float reductions may be reassociated.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "fastmath",
    doc: "float sums in loops are reassociated into SIMD partial sums (the last bits may differ), and \
          NumPy's floating-point warnings on scalar operations are not checked for",
    kind: FlagKind::Bool { default: false },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.reassociate = super::on(v);
    // NumPy's warnings are checked only where results are exact; Numba never checks them.
    s.float_warnings = !s.reassociate && !s.numba_scalar_typing;
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn reassociates() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(true));
        assert_eq!(
            s,
            Semantics {
                reassociate: true,
                float_warnings: false,
                ..Semantics::strict()
            }
        );
        (FLAG.apply)(&mut s, &FlagValue::Bool(false));
        assert_eq!(s, Semantics::strict());
    }
}
