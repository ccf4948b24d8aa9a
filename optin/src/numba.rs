//! The Numba preset (`pyston.njit`, `pyston.jit`): Numba's semantics, each
//! named in [`Semantics`].

use crate::Semantics;

/// Numba's semantics: frozen globals, wrapping ints, no bounds checks,
/// errors at compile time (nopython mode), Numba's scalar typing, integer
/// powers and int32 stores, and Python scalars returned.
pub fn numba() -> Semantics {
    Semantics {
        frozen_globals: true,
        wrapping_ints: true,
        boundscheck: false,
        wraparound: true,
        numpy_division: false,
        reassociate: false,
        float_warnings: false,
        fallback: false,
        numba_scalar_typing: true,
        numba_int_pow: true,
        int32_store_wraps: true,
        box_python_scalars: true,
        nogil: false,
        parallel: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FlagValue;

    #[test]
    fn preset() {
        let s = numba();
        assert!(s.is_numba() && !s.boundscheck && s.wrapping_ints && s.frozen_globals && !s.fallback);
        assert_eq!(
            s.describe(),
            "frozen_globals,unchecked_int,boundscheck=False,numba_boxing"
        );
        // njit(fastmath=True) keeps Numba's (absent) warning checks
        let f = crate::semantics("numba", &[("fastmath".into(), FlagValue::Bool(false))]).unwrap();
        assert!(!f.float_warnings);
    }
}
