//! pyston-optin: the named relaxations of Python semantics.
//!
//! Strict mode (all fields at their defaults) gives CPython's results. Each
//! field trades one named piece of semantics for speed; the compiler reads
//! them as independent switches. The Numba entry point (`njit`) is a preset.

/// The options a function is compiled under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// Globals and closure cells are captured at compile time (no guards).
    pub frozen_globals: bool,
    /// Python ints wrap at 64 bits (no overflow checks, no deoptimization).
    pub unchecked_int: bool,
    /// Array indexes are checked against the shape.
    pub boundscheck: bool,
    /// Negative indexes count from the end.
    pub wraparound: bool,
    /// Division by zero gives inf / nan / 0 instead of raising.
    pub numpy_error_model: bool,
    /// Floating-point reassociation is allowed.
    pub fastmath: bool,
    /// Untypeable code runs on the interpreter tier (true) or raises (false).
    pub fallback: bool,
    /// Results are boxed as Numba does: NumPy scalars become Python scalars.
    pub numba_boxing: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options::strict()
    }
}

impl Options {
    /// Exact CPython semantics.
    pub fn strict() -> Self {
        Options {
            frozen_globals: false,
            unchecked_int: false,
            boundscheck: true,
            wraparound: true,
            numpy_error_model: false,
            fastmath: false,
            fallback: true,
            numba_boxing: false,
        }
    }

    /// Numba's semantics (`pyston.njit`): frozen globals, wrapping ints, no
    /// bounds checks, errors at compile time, Numba's result boxing.
    pub fn numba() -> Self {
        Options {
            frozen_globals: true,
            unchecked_int: true,
            boundscheck: false,
            wraparound: true,
            numpy_error_model: false,
            fastmath: false,
            fallback: false,
            numba_boxing: true,
        }
    }

    /// The names accepted as flags, in documentation order.
    pub const FLAG_NAMES: [&'static str; 7] = [
        "frozen_globals",
        "unchecked_int",
        "boundscheck",
        "wraparound",
        "error_model",
        "fastmath",
        "fallback",
    ];

    /// Short text used in signatures and cache keys, e.g. `strict` or `unchecked_int,fastmath`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.frozen_globals {
            parts.push("frozen_globals");
        }
        if self.unchecked_int {
            parts.push("unchecked_int");
        }
        if !self.boundscheck {
            parts.push("boundscheck=False");
        }
        if !self.wraparound {
            parts.push("wraparound=False");
        }
        if self.numpy_error_model {
            parts.push("error_model=numpy");
        }
        if self.fastmath {
            parts.push("fastmath");
        }
        if self.numba_boxing {
            parts.push("numba_boxing");
        }
        if parts.is_empty() {
            "strict".to_string()
        } else {
            parts.join(",")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn strict_is_default() {
        assert_eq!(Options::default(), Options::strict());
        assert_eq!(Options::strict().describe(), "strict");
        let o = Options {
            unchecked_int: true,
            ..Options::strict()
        };
        assert_eq!(o.describe(), "unchecked_int");
    }
}
