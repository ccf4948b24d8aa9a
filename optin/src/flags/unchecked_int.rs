//! `unchecked_int=True`: Python ints wrap at 64 bits.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "unchecked_int",
    doc: "int (and NumPy int) `+ - * ** <<`, negation and `abs` wrap at 64 bits instead of growing into \
          big ints (NumPy ints: without the overflow warning)",
    kind: FlagKind::Bool { default: false },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.wrapping_ints = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn wraps_ints() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(true));
        assert_eq!(
            s,
            Semantics {
                wrapping_ints: true,
                ..Semantics::strict()
            }
        );
    }
}
