//! `boundscheck=False`: array indexes are not checked.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "boundscheck",
    doc: "array indexes are not checked; an out-of-range index is undefined behaviour \
          (garbage, memory corruption or a crash), never an `IndexError`",
    kind: FlagKind::Bool { default: true },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.boundscheck = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn unchecked_indexes() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(false));
        assert_eq!(
            s,
            Semantics {
                boundscheck: false,
                ..Semantics::strict()
            }
        );
    }
}
