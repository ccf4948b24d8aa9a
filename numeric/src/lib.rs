//! pyston-numeric: the numeric tier (being moved here from the compiler crate).
