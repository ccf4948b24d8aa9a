//! The semantics a function is compiled under: one named switch per piece of
//! Python semantics that compiled code may relax.
//!
//! Codegen and inference read these fields and nothing else; the opt-in flags
//! of `@pyston.fast` and the Numba preset of `pyston.njit` are defined in the
//! `pyston-optin` crate as edits of [`Semantics::strict`].

/// What compiled code does where Python's rules and speed disagree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Semantics {
    /// Globals and closure cells are captured at compile time (no guards).
    pub frozen_globals: bool,
    /// Python ints wrap at 64 bits (no overflow checks, no big ints).
    pub wrapping_ints: bool,
    /// Array indexes are checked against the shape.
    pub boundscheck: bool,
    /// Negative indexes count from the end.
    pub wraparound: bool,
    /// Division by zero gives NumPy's values (inf / nan / 0) instead of raising.
    pub numpy_division: bool,
    /// Float reductions may be reassociated (SIMD partial sums).
    pub reassociate: bool,
    /// Operations on NumPy float scalars check for the warnings NumPy would
    /// emit (overflow, invalid) and let the interpreter emit them.
    pub float_warnings: bool,
    /// Untypeable code runs on the interpreter tier (true) or raises (false).
    pub fallback: bool,
    /// Scalar arithmetic is typed by Numba's rules: NumPy scalars behave
    /// as Python scalars of their kind (no NEP 50 weak-scalar promotion).
    pub numba_scalar_typing: bool,
    /// `x ** n` with an int exponent is computed as Numba does (repeated
    /// multiplication), not with libm's `pow`.
    pub numba_int_pow: bool,
    /// An int stored into an int32 array keeps its low 32 bits (Numba),
    /// instead of raising `OverflowError` (NumPy) when it does not fit.
    pub int32_store_wraps: bool,
    /// Results are boxed as Numba does: NumPy scalars become Python scalars.
    pub box_python_scalars: bool,
    /// Compiled code runs with the GIL released (other Python threads run
    /// meanwhile); it takes the GIL back to touch Python objects.
    pub nogil: bool,
    /// `prange` loops run their iterations on several threads at once, in
    /// any order; reductions are combined per chunk.
    pub parallel: bool,
}

impl Default for Semantics {
    fn default() -> Self {
        Semantics::strict()
    }
}

impl Semantics {
    /// Exact CPython + NumPy semantics: what `@pyston.fast` compiles by default.
    pub const fn strict() -> Self {
        Semantics {
            frozen_globals: false,
            wrapping_ints: false,
            boundscheck: true,
            wraparound: true,
            numpy_division: false,
            reassociate: false,
            float_warnings: true,
            fallback: true,
            numba_scalar_typing: false,
            numba_int_pow: false,
            int32_store_wraps: false,
            box_python_scalars: false,
            nogil: false,
            parallel: false,
        }
    }

    /// Whether this is Numba's typing and boxing (set together by the njit preset).
    pub fn is_numba(&self) -> bool {
        self.numba_scalar_typing
    }

    /// Short text used in signatures, reprs and cache keys, e.g. `strict` or
    /// `unchecked_int,fastmath`: the user-facing flags that differ from strict
    /// (`fallback` changes no compiled code and is not listed).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.frozen_globals {
            parts.push("frozen_globals");
        }
        if self.wrapping_ints {
            parts.push("unchecked_int");
        }
        if !self.boundscheck {
            parts.push("boundscheck=False");
        }
        if !self.wraparound {
            parts.push("wraparound=False");
        }
        if self.numpy_division {
            parts.push("error_model=numpy");
        }
        if self.reassociate {
            parts.push("fastmath");
        }
        if self.nogil {
            parts.push("nogil");
        }
        if self.parallel {
            parts.push("parallel");
        }
        if self.box_python_scalars {
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
        assert_eq!(Semantics::default(), Semantics::strict());
        assert_eq!(Semantics::strict().describe(), "strict");
        let s = Semantics {
            wrapping_ints: true,
            reassociate: true,
            ..Semantics::strict()
        };
        assert_eq!(s.describe(), "unchecked_int,fastmath");
    }
}
