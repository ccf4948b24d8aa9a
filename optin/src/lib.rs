//! pyston-optin: the named relaxations of Python semantics.
//!
//! Strict mode ([`Semantics::strict`]) gives CPython's results. Each flag in
//! [`FLAGS`] trades one named piece of those semantics for speed, as an edit
//! of the compiler's [`Semantics`]; one module per flag holds its parser,
//! its effect and its test. The Numba entry point (`njit`) is the preset in
//! [`numba`]. `@pyston.fast(...)`, `njit(...)`, the dispatcher and the
//! Python stub all read this one table (`pyston._pyston.FLAGS`).

#![forbid(unsafe_code)]

pub mod flags;
pub mod numba;

pub use flags::FLAGS;
pub use pyston_compiler::Semantics;

/// A flag's value as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagValue {
    Bool(bool),
    Choice(String),
}

/// What values a flag takes, and its strict default.
#[derive(Clone, Copy, Debug)]
pub enum FlagKind {
    Bool {
        default: bool,
    },
    Choice {
        default: &'static str,
        choices: &'static [&'static str],
    },
}

/// One relaxation: its name, what it does, and its effect on [`Semantics`].
#[derive(Clone, Copy)]
pub struct Flag {
    pub name: &'static str,
    /// One paragraph for users: what setting the flag away from its default
    /// does, without the flag's name (`pyston.fast.__doc__` is built from it).
    pub doc: &'static str,
    pub kind: FlagKind,
    /// Applies a valid value to the semantics.
    pub apply: fn(&mut Semantics, &FlagValue),
}

/// A flag that does not exist (Python `TypeError`) or a bad value (`ValueError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagError {
    Unknown(String),
    BadValue(String),
}

impl std::fmt::Display for FlagError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlagError::Unknown(m) | FlagError::BadValue(m) => f.write_str(m),
        }
    }
}

const TRUE: [&str; 4] = ["true", "1", "yes", "on"];
const FALSE: [&str; 4] = ["false", "0", "no", "off"];

impl Flag {
    /// The strict default.
    pub fn default_value(&self) -> FlagValue {
        match self.kind {
            FlagKind::Bool { default } => FlagValue::Bool(default),
            FlagKind::Choice { default, .. } => FlagValue::Choice(default.to_string()),
        }
    }

    pub fn is_bool(&self) -> bool {
        matches!(self.kind, FlagKind::Bool { .. })
    }

    /// Checks a value given in Python (`flag=value`).
    pub fn check(&self, v: &FlagValue) -> Result<(), FlagError> {
        match (self.kind, v) {
            (FlagKind::Bool { .. }, FlagValue::Bool(_)) => Ok(()),
            (FlagKind::Choice { choices, .. }, FlagValue::Choice(c)) if choices.contains(&c.as_str()) => Ok(()),
            (FlagKind::Choice { choices, .. }, FlagValue::Choice(c)) => Err(FlagError::BadValue(format!(
                "{} must be {}, not {}",
                self.name,
                quoted_or(choices),
                repr(c)
            ))),
            (FlagKind::Bool { .. }, FlagValue::Choice(c)) => Err(FlagError::BadValue(format!(
                "optin flag {} takes True or False, not {}",
                repr(self.name),
                repr(c)
            ))),
            (FlagKind::Choice { choices, .. }, FlagValue::Bool(b)) => Err(FlagError::BadValue(format!(
                "{} must be {}, not {}",
                self.name,
                quoted_or(choices),
                if *b { "True" } else { "False" }
            ))),
        }
    }

    /// Parses the text after `name=` in an `optin="..."` string.
    pub fn parse(&self, text: &str) -> Result<FlagValue, FlagError> {
        let v = match self.kind {
            FlagKind::Bool { .. } => {
                let low = text.to_ascii_lowercase();
                if TRUE.contains(&low.as_str()) {
                    FlagValue::Bool(true)
                } else if FALSE.contains(&low.as_str()) {
                    FlagValue::Bool(false)
                } else {
                    return Err(FlagError::BadValue(format!(
                        "optin flag {} takes True or False, not {}",
                        repr(self.name),
                        repr(text)
                    )));
                }
            }
            FlagKind::Choice { .. } => FlagValue::Choice(text.to_string()),
        };
        self.check(&v)?;
        Ok(v)
    }
}

fn quoted_or(choices: &[&str]) -> String {
    let q: Vec<String> = choices.iter().map(|c| repr(c)).collect();
    q.join(" or ")
}

/// `s` quoted as Python's `repr` quotes a `str`, so messages read the same
/// whether Rust or Python wrote them.
pub fn repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// The flag called `name`.
pub fn flag(name: &str) -> Result<&'static Flag, FlagError> {
    FLAGS.iter().find(|f| f.name == name).ok_or_else(|| {
        FlagError::Unknown(format!(
            "unknown optin flag {}; valid flags: {}",
            repr(name),
            names().join(", ")
        ))
    })
}

/// The flag names, in documentation order.
pub fn names() -> Vec<&'static str> {
    FLAGS.iter().map(|f| f.name).collect()
}

/// The presets a dispatcher starts from: `strict` (`@pyston.fast`) or `numba` (`njit`).
pub fn preset(name: &str) -> Result<Semantics, FlagError> {
    match name {
        "strict" => Ok(Semantics::strict()),
        "numba" => Ok(numba::numba()),
        _ => Err(FlagError::BadValue(format!(
            "preset must be 'strict' or 'numba', not {}",
            repr(name)
        ))),
    }
}

/// A preset with flags applied, each checked against the table.
pub fn semantics(preset_name: &str, flags: &[(String, FlagValue)]) -> Result<Semantics, FlagError> {
    let mut s = preset(preset_name)?;
    for (name, v) in flags {
        let f = flag(name)?;
        f.check(v)?;
        (f.apply)(&mut s, v);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_strict() {
        let all: Vec<(String, FlagValue)> = FLAGS.iter().map(|f| (f.name.to_string(), f.default_value())).collect();
        assert_eq!(semantics("strict", &all).unwrap(), Semantics::strict());
    }

    #[test]
    fn every_flag_changes_something() {
        for f in FLAGS {
            let v = match f.kind {
                FlagKind::Bool { default } => FlagValue::Bool(!default),
                FlagKind::Choice { default, choices } => {
                    FlagValue::Choice(choices.iter().find(|c| **c != default).unwrap().to_string())
                }
            };
            let s = semantics("strict", &[(f.name.to_string(), v)]).unwrap();
            assert_ne!(s, Semantics::strict(), "{} changes nothing", f.name);
        }
    }

    #[test]
    fn errors() {
        assert!(matches!(flag("nope"), Err(FlagError::Unknown(_))));
        let em = flag("error_model").unwrap();
        assert_eq!(
            em.check(&FlagValue::Choice("c".into())).unwrap_err().to_string(),
            "error_model must be 'python' or 'numpy', not 'c'"
        );
        assert_eq!(
            flag("boundscheck").unwrap().parse("maybe").unwrap_err().to_string(),
            "optin flag 'boundscheck' takes True or False, not 'maybe'"
        );
        assert_eq!(repr("it's"), "\"it's\"");
        assert_eq!(repr("a'\"\\\n"), "'a\\'\"\\\\\\n'");
        assert_eq!(flag("fastmath").unwrap().parse("On").unwrap(), FlagValue::Bool(true));
        assert!(flag("fastmath").unwrap().parse("maybe").is_err());
        assert!(preset("fortran").is_err());
    }

    #[test]
    fn names_are_unique_and_documented() {
        for (i, f) in FLAGS.iter().enumerate() {
            assert!(FLAGS[i + 1..].iter().all(|g| g.name != f.name));
            assert!(f.doc.len() > 20, "{} needs a doc", f.name);
        }
    }
}
