//! `error_model="numpy"`: division by zero gives NumPy's values.

use crate::{Flag, FlagKind, FlagValue, Semantics};

pub const FLAG: Flag = Flag {
    name: "error_model",
    doc: "`x / 0.0` gives inf/nan, `int // 0` and `int % 0` give 0, `float // 0` \
          inf and `float % 0` nan, instead of `ZeroDivisionError`",
    kind: FlagKind::Choice {
        default: "python",
        choices: &["python", "numpy"],
    },
    apply,
};

fn apply(s: &mut Semantics, v: &FlagValue) {
    s.numpy_division = matches!(v, FlagValue::Choice(c) if c == "numpy");
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn numpy_division() {
        let mut s = Semantics::strict();
        (FLAG.apply)(&mut s, &FlagValue::Choice("numpy".into()));
        assert_eq!(
            s,
            Semantics {
                numpy_division: true,
                ..Semantics::strict()
            }
        );
        (FLAG.apply)(&mut s, &FlagValue::Choice("python".into()));
        assert_eq!(s, Semantics::strict());
    }
}
