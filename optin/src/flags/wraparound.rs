//! `wraparound=False`: negative indexes are assumed absent.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "wraparound",
    doc: "negative indexes are assumed not to happen (undefined behaviour if they do) \
          instead of counting from the end",
    kind: FlagKind::Bool { default: true },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.wraparound = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn no_negative_indexes() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(false));
        assert_eq!(
            s,
            Semantics {
                wraparound: false,
                ..Semantics::strict()
            }
        );
    }
}
