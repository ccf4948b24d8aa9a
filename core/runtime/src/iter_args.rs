//! Iterators passed to compiled functions ([`Ty::PyIter`]): a generator, a
//! `map`/`zip`/`enumerate` object, a list iterator, a file, ... Compiled code
//! steps the object itself (`helpers/iters.rs`), so the order, the laziness
//! and the exceptions are the iterator's own; what the type key needs is the
//! type its items will have, which cannot be read without consuming one.
//!
//! So the item type is, in this order:
//! 1. read where that consumes nothing: the next item of a list or tuple
//!    iterator (its `__reduce__` names the sequence and the index), `int` for
//!    a range iterator, `str` for a string's, a tuple of those for `zip` and
//!    `enumerate` (their `__reduce__` names the iterators they step), the
//!    type `map(float, ...)` (and `int`, `str`, `bool`) makes;
//! 2. what an earlier call found ([`record`]): where compiled code met an
//!    item of another type, the loop deoptimized (the interpreter tier went
//!    on with that item, exactly) and the item's type was kept, by the
//!    iterator's origin: a generator's function (its code object), a map's
//!    function, else the iterator's type;
//! 3. `float`, the commonest item of numeric code (not under `python -m
//!    pyston` and the notebook extension, whose promise is never to be
//!    slower than CPython: such an iterator runs as plain Python there).
//!
//! A guess is only a guess: every item is checked as the loop reads it, so a
//! wrong one costs one deoptimization and one compilation, never a result;
//! but that call finishes on the interpreter tier (about 10x CPython's time
//! for the rest of the loop). A body that does not type for float items
//! (`s.strip()`) is compiled for int, str or bool items instead
//! (`Dispatcher::get_spec`).
//! An origin whose items compiled code cannot hold (arrays, big ints, ...)
//! is remembered as such, and later calls run as plain Python from the start.

use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::types::Ty;
use std::collections::HashMap;
use std::sync::Mutex;

/// Whether an iterator whose items nothing tells (a generator met for the
/// first time) is taken with a guess. Off under `python -m pyston` and the
/// notebook extension (`_auto.py`), which promise never to be slower than
/// CPython: a wrong guess finishes that call on the interpreter tier.
static GUESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Sets whether iterators of unknown items are taken with a guess (see `GUESS`).
#[pyfunction]
pub fn _iter_guesses(on: bool) {
    GUESS.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Item types found by compiled code, by the origin of the iterator
/// ([`origin`]); `Ty::Bottom`: items compiled code cannot hold.
static HINTS: Mutex<Option<HashMap<usize, Ty>>> = Mutex::new(None);

/// Whether `obj` is an iterator compiled code can step (`tp_iternext` set).
pub fn is_iterator(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `obj` is a live object; PyIter_Check only reads its type.
    unsafe { ffi::PyIter_Check(obj.as_ptr()) != 0 }
}

/// The type compiled code reads an iterator argument's items as (see the
/// module's comment); `None` when it cannot hold them.
pub fn item_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Ty> {
    let t = match peek(py, obj, 0) {
        Some((t, true)) => t,
        // (a zip or enumerate over iterators of unknown items: the shape is
        // known, a hint for the whole knows more)
        Some((t, false)) => hint(py, obj).unwrap_or(t),
        None => match hint(py, obj) {
            Some(t) => t,
            None if GUESS.load(std::sync::atomic::Ordering::Relaxed) => Ty::Float,
            None => return None,
        },
    };
    (t != Ty::Bottom).then_some(t)
}

/// What an earlier call recorded for the iterator's origin.
fn hint(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Ty> {
    let key = origin(py, obj);
    HINTS.lock().ok()?.as_ref()?.get(&key).cloned()
}

/// Records that compiled code met `item` from the iterator `it`, where it
/// expected an item of another type: later calls compile for this one.
pub fn record(py: Python<'_>, it: &Bound<'_, PyAny>, item: &Bound<'_, PyAny>) {
    let key = origin(py, it);
    let t = item_ty(py, item).unwrap_or(Ty::Bottom);
    if let Ok(mut h) = HINTS.lock() {
        h.get_or_insert_with(HashMap::new).insert(key, t);
    }
}

/// The key hints are kept by: a generator's code object (all generators of
/// one function yield alike, in the common case), a `map`'s function, else
/// the iterator's type. (An address: an object freed and another made there
/// inherits a hint, which costs at most one deoptimization.)
fn origin(py: Python<'_>, obj: &Bound<'_, PyAny>) -> usize {
    if let Ok(g) = obj.cast::<crate::generators::Generator>() {
        return g.get().origin();
    }
    let tp = obj.get_type_ptr() as usize;
    let part = if tp == generator_type(py) {
        obj.getattr("gi_code")
    } else if type_name(obj) == "map" {
        obj.call_method0("__reduce__").and_then(|r| r.get_item(1)?.get_item(0))
    } else {
        return tp;
    };
    part.map_or(tp, |p| p.as_ptr() as usize)
}

/// The address of CPython's generator type.
fn generator_type(py: Python<'_>) -> usize {
    static T: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *T.get_or_init(|| {
        py.import("types")
            .and_then(|m| m.getattr("GeneratorType"))
            // (a type object lives as long as the interpreter)
            .map_or(0, |t| t.as_ptr() as usize)
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

/// The type of the next item of `obj`, where it can be read without
/// consuming anything (see the module's comment), and whether all of it was
/// read (false: a `zip` or `enumerate` some of whose iterators' items are
/// guessed); `None` when nothing can be read.
fn peek(py: Python<'_>, obj: &Bound<'_, PyAny>, depth: usize) -> Option<(Ty, bool)> {
    if depth > 4 {
        return None;
    }
    let name = type_name(obj);
    match name.as_str() {
        "range_iterator" => return Some((Ty::Int, true)),
        // (a text file's lines)
        "str_iterator" | "str_ascii_iterator" | "TextIOWrapper" | "StringIO" => return Some((Ty::PyStr, true)),
        "list_iterator" | "tuple_iterator" | "list_reverseiterator" => {}
        "enumerate" | "zip" | "map" => {}
        _ => return None,
    }
    // (each `__reduce__` here is O(1): it names what the iterator holds)
    let r = obj.call_method0("__reduce__").ok()?;
    let parts = r.get_item(1).ok()?;
    // An inner iterator's items: read, remembered, or guessed.
    // (None: items compiled code cannot hold)
    let inner = |it: &Bound<'_, PyAny>| match peek(py, it, depth + 1) {
        Some((Ty::Bottom, _)) => None,
        Some(t) => Some(t),
        None => match hint(py, it) {
            Some(Ty::Bottom) => None,
            Some(t) => Some((t, true)),
            None => Some((Ty::Float, false)),
        },
    };
    match name.as_str() {
        "enumerate" => {
            let (t, exact) = inner(&parts.get_item(0).ok()?)?;
            Some((Ty::Tuple(vec![Ty::Int, t]), exact))
        }
        "zip" => {
            let (mut ts, mut exact) = (Vec::new(), true);
            for it in parts.try_iter().ok()? {
                let (t, e) = inner(&it.ok()?)?;
                ts.push(t);
                exact &= e;
            }
            Some((Ty::Tuple(ts), exact))
        }
        "map" => {
            let f = parts.get_item(0).ok()?;
            let builtins = py.import("builtins").ok()?;
            [
                ("float", Ty::Float),
                ("int", Ty::Int),
                ("str", Ty::PyStr),
                ("bool", Ty::Bool),
            ]
            .into_iter()
            .find(|(n, _)| builtins.getattr(*n).is_ok_and(|b| b.is(&f)))
            .map(|(_, t)| (t, true))
        }
        _ => {
            // `(iter, (seq,), index)`; `(iter, ((),))` once exhausted.
            let seq = parts.get_item(0).ok()?;
            let k: isize = r.get_item(2).ok()?.extract().ok()?;
            if k < 0 || k >= seq.len().ok()? as isize {
                // (nothing left: no item will be read, unless one is appended
                // meanwhile, which the check where it is read catches)
                return Some((Ty::Float, true));
            }
            // (an item compiled code cannot hold: so is the iterator)
            Some((item_ty(py, &seq.get_item(k).ok()?).unwrap_or(Ty::Bottom), true))
        }
    }
}

/// The type compiled code reads an item as: a scalar it holds natively, or
/// a tuple of them (`None` for anything else).
fn item_ty(py: Python<'_>, x: &Bound<'_, PyAny>) -> Option<Ty> {
    if let Ok(t) = x.cast_exact::<pyo3::types::PyTuple>() {
        return t
            .iter()
            .map(|m| item_ty(py, &m))
            .collect::<Option<Vec<_>>>()
            .map(Ty::Tuple);
    }
    let t = crate::boxing::classify(py, x, &mut Vec::new()).ok()??;
    pyston_compiler::infer::native_kind(&t).map(|_| t)
}
