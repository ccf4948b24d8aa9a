//! `frozen_globals=True`: globals and closure cells are read at compile time.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "frozen_globals",
    doc: "module globals and closure cells are read once, at compile time, and baked in as constants; \
          a rebinding is not seen until `f.recompile()` (strict: read live, a rebinding is seen on the next call)",
    kind: FlagKind::Bool { default: false },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.frozen_globals = super::on(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn freezes_globals() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Bool(true));
        assert!(s.frozen_globals);
        assert_eq!(
            s,
            Semantics {
                frozen_globals: true,
                ..Semantics::strict()
            }
        );
    }
}
