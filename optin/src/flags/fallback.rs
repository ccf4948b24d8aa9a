//! `fallback=False`: untypeable code raises instead of running on the interpreter tier.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "fallback",
    doc: "code the compiler cannot type raises `pyston.CompileError` instead of running \
          (exactly, slowly) as plain Python",
    kind: FlagKind::Bool { default: true },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.fallback = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn raises_instead() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(false));
        assert_eq!(
            s,
            Semantics {
                fallback: false,
                ..Semantics::strict()
            }
        );
    }
}
