//! `nogil=True`: compiled code runs with the GIL released.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "nogil",
    doc: "compiled code runs with the GIL released, so other Python threads run at the same time (it takes \
          the GIL back to deoptimize, allocate, raise or call into Python and NumPy); a thread that changes \
          an array while another reads it sees no lock",
    kind: FlagKind::Bool { default: false },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.nogil = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn releases_the_gil() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(true));
        assert_eq!(
            s,
            Semantics {
                nogil: true,
                ..Semantics::strict()
            }
        );
        assert_eq!(s.describe(), "nogil");
    }
}
