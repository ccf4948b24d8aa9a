//! Strings: the native operations on `str` objects (see `codegen/strings.rs`).
//! A string is a real CPython `str`; every operation here is CPython's own
//! (`PyUnicode_GetLength`, `PySequence_GetItem`, `PyObject_RichCompareBool`),
//! so results, exceptions and messages are CPython's.

use crate::runtime::*;
use pyo3::ffi;

/// Runs `f` with the GIL: held already, or taken for a call running without
/// it (`ctx.no_gil`: a `prange` body's chunk on a worker thread).
fn gil<R>(ctx: &mut Ctx, f: impl FnOnce(&mut Ctx) -> R) -> R {
    if ctx.no_gil {
        pyo3::Python::attach(|_| f(ctx))
    } else {
        f(ctx)
    }
}

/// `len(s)`.
///
/// # Safety
/// Called by compiled code; `s` is a live `str`.
pub unsafe extern "C" fn pyston_str_len(s: u64) -> i64 {
    // SAFETY: a live exact str: PyUnicode_GetLength does not fail for one.
    unsafe { ffi::PyUnicode_GetLength(s as *mut ffi::PyObject) as i64 }
}

/// `s[i]` (negative `i` counts from the end): a new one-character string kept
/// by the arena, or NULL with CPython's `IndexError` set.
///
/// # Safety
/// Called by compiled code with its live context; `s` is a live `str`.
pub unsafe extern "C" fn pyston_str_getitem(ctx: *mut Ctx, s: u64, i: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    gil(ctx, |ctx| {
        // SAFETY: the GIL is held; `s` is a live str. PySequence_GetItem adds the
        // length to a negative index once, as `s[i]` does, and raises CPython's
        // "string index out of range" beyond it.
        let o = unsafe { ffi::PySequence_GetItem(s as *mut ffi::PyObject, i as ffi::Py_ssize_t) };
        if o.is_null() {
            return 0;
        }
        // SAFETY: `o` is a live one-character str.
        if unsafe { latin1_singleton(o) } {
            // CPython's cached one-character string: the cache keeps it for the process.
            // SAFETY: our reference is released; the cache's stays.
            unsafe { ffi::Py_DECREF(o) };
        } else {
            ctx.arena.push(o);
        }
        o as u64
    })
}

/// Whether `o`, a one-character string `s[i]` returned, is one of CPython's
/// cached Latin-1 characters (code point below 256: `unicode_getitem` returns
/// the cache's object, which lives as long as the interpreter, in every
/// CPython 3.9+), so compiled code need not keep a reference to it.
///
/// # Safety
/// The GIL is held; `o` is a live str of length 1.
unsafe fn latin1_singleton(o: *mut ffi::PyObject) -> bool {
    // SAFETY: reading the one character of a live str.
    let c = unsafe { ffi::PyUnicode_ReadChar(o, 0) };
    c < 256
}

/// `a OP b` for two strings (`op`: CPython's rich-comparison code): 1, 0, or
/// -1 when it raised.
///
/// # Safety
/// Called by compiled code; `a` and `b` are live `str` objects.
pub unsafe extern "C" fn pyston_str_cmp(ctx: *mut Ctx, a: u64, b: u64, op: i32) -> i32 {
    // SAFETY: `ctx` is the call's live context; two live objects; comparing two
    // exact strs never runs Python code.
    unsafe {
        gil(&mut *ctx, |_| {
            ffi::PyObject_RichCompareBool(a as *mut ffi::PyObject, b as *mut ffi::PyObject, op)
        })
    }
}

/// Keeps a new reference `o` (if not NULL) in the arena; returns it.
fn kept(ctx: &mut Ctx, o: *mut ffi::PyObject) -> u64 {
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// `needle in s` for two strings: 1, 0, or -1 when it raised.
///
/// # Safety
/// Called by compiled code; `s` and `needle` are live `str` objects.
pub unsafe extern "C" fn pyston_str_contains(ctx: *mut Ctx, s: u64, needle: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context; two live strs; PyUnicode_Contains
    // is `operator.contains` for them.
    unsafe {
        gil(&mut *ctx, |_| {
            ffi::PyUnicode_Contains(s as *mut ffi::PyObject, needle as *mut ffi::PyObject)
        })
    }
}

/// `a + b` for two strings: a new string kept by the arena, or NULL with the
/// exception set (MemoryError, OverflowError).
///
/// # Safety
/// Called by compiled code with its live context; `a` and `b` are live `str` objects.
pub unsafe extern "C" fn pyston_str_concat(ctx: *mut Ctx, a: u64, b: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context; with the GIL, PyUnicode_Concat
    // returns a new reference or NULL.
    unsafe {
        gil(&mut *ctx, |ctx| {
            let o = ffi::PyUnicode_Concat(a as *mut ffi::PyObject, b as *mut ffi::PyObject);
            kept(ctx, o)
        })
    }
}

/// `str(x)` of a native int (`kind` 0), float (1) or bool (2): a new string
/// kept by the arena (CPython's own `str`, so a float is its shortest repr),
/// or NULL with the exception set.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_str_from(ctx: *mut Ctx, kind: i32, bits: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context; the GIL is held inside `gil`.
    unsafe {
        gil(&mut *ctx, |ctx| {
            let py = pyo3::Python::assume_attached();
            let x = super::lists::box_elem(py, kind, bits);
            if x.is_null() {
                return 0;
            }
            let o = ffi::PyObject_Str(x);
            ffi::Py_DECREF(x);
            kept(ctx, o)
        })
    }
}

/// `int(s)` of a string into `out`: OK; ERROR with CPython's `ValueError`;
/// DEOPT when the value does not fit 64 bits (the interpreter tier calls `int`).
///
/// # Safety
/// Called by compiled code; `s` is a live `str`, `out` a writable word.
pub unsafe extern "C" fn pyston_str_to_int(ctx: *mut Ctx, s: u64, out: *mut i64) -> i32 {
    // SAFETY: `ctx` is the call's live context; with the GIL, for an exact str
    // PyNumber_Long is `int(s)` (PyLong_FromUnicodeObject, base 10).
    unsafe {
        gil(&mut *ctx, |_| {
            if let Some(v) = ascii_bytes(s as *mut ffi::PyObject).and_then(parse_ascii_int) {
                *out = v;
                return OK;
            }
            let o = ffi::PyNumber_Long(s as *mut ffi::PyObject);
            if o.is_null() {
                return ERROR;
            }
            let mut overflow = 0;
            let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
            ffi::Py_DECREF(o);
            if overflow != 0 {
                return DEOPT;
            }
            *out = v;
            OK
        })
    }
}

/// `s[lo:hi]` (step 1; `has_lo`/`has_hi` 0 for an omitted bound): a string
/// kept by the arena, or NULL with the exception set. Bounds are adjusted as
/// CPython's `PySlice_AdjustIndices` does (negative from the end, clamped).
///
/// # Safety
/// Called by compiled code with its live context; `s` is a live `str`.
pub unsafe extern "C" fn pyston_str_slice(ctx: *mut Ctx, s: u64, lo: i64, has_lo: i32, hi: i64, has_hi: i32) -> u64 {
    // SAFETY: `ctx` is the call's live context; `s` is a live str; with the GIL,
    // PyUnicode_Substring returns a new reference (the string itself when the
    // slice is all of it, as `s[:]` does) or NULL.
    unsafe {
        gil(&mut *ctx, |ctx| {
            let o = s as *mut ffi::PyObject;
            let n = ffi::PyUnicode_GetLength(o) as i64;
            let adjust = |x: i64, has: i32, dflt: i64| -> i64 {
                if has == 0 {
                    return dflt;
                }
                if x < 0 {
                    (x + n).max(0)
                } else {
                    x.min(n)
                }
            };
            let (a, b) = (adjust(lo, has_lo, 0), adjust(hi, has_hi, n));
            let b = b.max(a);
            let r = ffi::PyUnicode_Substring(o, a as ffi::Py_ssize_t, b as ffi::Py_ssize_t);
            kept(ctx, r)
        })
    }
}

/// The value for a raised exception from [`pyston_str_search`].
pub const SEARCH_ERROR: i64 = i64::MIN;

/// `s.startswith(sub)` (`op` 0), `s.endswith(sub)` (1), `s.find(sub)` (2),
/// `s.rfind(sub)` (3) or `s.count(sub)` (4) for two strings, by CPython's own
/// functions (`PyUnicode_Tailmatch`, `PyUnicode_Find`, `PyUnicode_Count` over
/// the whole string, as the methods without bounds): the result (a bool as
/// 0/1), or [`SEARCH_ERROR`] when it raised.
///
/// # Safety
/// Called by compiled code with its live context; `s` and `sub` are live `str` objects.
pub unsafe extern "C" fn pyston_str_search(ctx: *mut Ctx, op: i32, s: u64, sub: u64) -> i64 {
    // SAFETY: `ctx` is the call's live context; two live strs; the GIL is held inside `gil`.
    unsafe {
        gil(&mut *ctx, |_| {
            let (s, sub) = (s as *mut ffi::PyObject, sub as *mut ffi::PyObject);
            let end = ffi::PY_SSIZE_T_MAX;
            let r = match op {
                0 | 1 => ffi::PyUnicode_Tailmatch(s, sub, 0, end, if op == 0 { -1 } else { 1 }),
                2 | 3 => ffi::PyUnicode_Find(s, sub, 0, end, if op == 2 { 1 } else { -1 }),
                _ => ffi::PyUnicode_Count(s, sub, 0, end),
            };
            // Errors: -1 from Tailmatch/Count, -2 from Find (-1 is "not found").
            if (r == -1 && op != 2 && op != 3) || r == -2 {
                SEARCH_ERROR
            } else {
                r as i64
            }
        })
    }
}

// ---- characters read in place ---------------------------------------------

static LAYOUT: std::sync::OnceLock<Option<StrLayout>> = std::sync::OnceLock::new();

/// Where this CPython keeps a `str`'s characters, if it is one of the layouts
/// compiled code knows (3.9-3.11: `wstr` fields; 3.12+: none) and reading
/// sample strings of every kind there gives `PyUnicode_ReadChar`'s characters;
/// `None` otherwise (or with `PYSTON_STR_LAYOUT=0`): compiled code then reads
/// every character by a call.
pub fn str_layout() -> Option<StrLayout> {
    *LAYOUT.get_or_init(|| {
        if std::env::var_os("PYSTON_STR_LAYOUT").is_some_and(|v| v == "0") {
            return None;
        }
        pyo3::Python::attach(detect_layout)
    })
}

fn detect_layout(py: pyo3::Python<'_>) -> Option<StrLayout> {
    if std::mem::size_of::<usize>() != 8 || !cfg!(target_endian = "little") {
        return None;
    }
    let v = py.version_info();
    let l = if (v.major, v.minor) >= (3, 12) {
        StrLayout {
            state: 32,
            ascii_data: 40,
            compact_data: 56,
        }
    } else {
        StrLayout {
            state: 32,
            ascii_data: 48,
            compact_data: 72,
        }
    };
    let samples: [&[u32]; 5] = [
        &[0x61, 0x62, 0x63],
        &[0x61, 0xe9, 0xff, 0x80],
        &[0x61, 0x100, 0xd800, 0xffff],
        &[0x61, 0x1f600, 0xdfff, 0x10ffff],
        &[0x7a],
    ];
    for cps in samples {
        // SAFETY: the GIL is held; the sample string is built and released here.
        let ok = unsafe {
            let mut s = ffi::PyUnicode_FromOrdinal(cps[0] as i32);
            for &c in &cps[1..] {
                let c = ffi::PyUnicode_FromOrdinal(c as i32);
                if s.is_null() || c.is_null() {
                    ffi::PyErr_Clear();
                    return None;
                }
                let t = ffi::PyUnicode_Concat(s, c);
                ffi::Py_DECREF(s);
                ffi::Py_DECREF(c);
                s = t;
            }
            if s.is_null() {
                ffi::PyErr_Clear();
                return None;
            }
            let ok = sample_reads(s, cps, l);
            ffi::Py_DECREF(s);
            ok
        };
        if !ok {
            return None;
        }
    }
    Some(l)
}

/// Whether the header of `s` (a compact string of code points `cps`) reads
/// as layout `l` says, and then its characters too.
///
/// # Safety
/// The GIL is held; `s` is a live str.
unsafe fn sample_reads(s: *mut ffi::PyObject, cps: &[u32], l: StrLayout) -> bool {
    let max = cps.iter().copied().max().unwrap_or(0);
    let kind = if max < 256 {
        1
    } else if max < 65536 {
        2
    } else {
        4
    };
    let p = s as *const u8;
    // SAFETY: the length and state words lie inside every str object's header.
    let (n, state) = unsafe {
        (
            (p.add(STR_LENGTH_OFFSET as usize) as *const i64).read(),
            (p.add(l.state as usize) as *const u32).read(),
        )
    };
    if n != cps.len() as i64
        || state & (1 << 5) == 0
        || (state >> 2) & 7 != kind
        || ((state >> 6) & 1 == 1) != (max < 128)
    {
        return false;
    }
    for (i, &c) in cps.iter().enumerate() {
        // SAFETY: the header says `s` is compact with `n` characters of `kind` bytes.
        let (read, api) = unsafe { (read_compact(s, i, l), ffi::PyUnicode_ReadChar(s, i as ffi::Py_ssize_t)) };
        if read != c || api != c {
            return false;
        }
    }
    true
}

/// Character `i` of compact string `s` read at layout `l`.
///
/// # Safety
/// `s` is a live compact str laid out as `l` says, with more than `i` characters.
unsafe fn read_compact(s: *mut ffi::PyObject, i: usize, l: StrLayout) -> u32 {
    let (data, kind) = unsafe { compact_data(s, l) };
    // SAFETY: inside the string's characters (the caller's contract).
    unsafe {
        match kind {
            1 => *data.add(i) as u32,
            2 => (data.add(2 * i) as *const u16).read() as u32,
            _ => (data.add(4 * i) as *const u32).read(),
        }
    }
}

/// The characters of compact string `s` and their width in bytes.
///
/// # Safety
/// `s` is a live compact str laid out as `l` says.
unsafe fn compact_data(s: *mut ffi::PyObject, l: StrLayout) -> (*const u8, u32) {
    let p = s as *const u8;
    // SAFETY: the state word is in the header (the caller's contract).
    let state = unsafe { (p.add(l.state as usize) as *const u32).read() };
    let off = if state & (1 << 6) != 0 {
        l.ascii_data
    } else {
        l.compact_data
    };
    // SAFETY: a compact string's characters follow its header at `off`.
    (unsafe { p.add(off as usize) }, (state >> 2) & 7)
}

/// The characters of `s` when it is a compact ASCII string and the layout is
/// known (then each byte is one character), else `None`.
///
/// # Safety
/// The GIL is held; `s` is a live str.
unsafe fn ascii_bytes<'a>(s: *mut ffi::PyObject) -> Option<&'a [u8]> {
    let l = str_layout()?;
    let p = s as *const u8;
    // SAFETY: the header words of a live str at the checked layout.
    unsafe {
        let state = (p.add(l.state as usize) as *const u32).read();
        if state & (1 << 5) == 0 || state & (1 << 6) == 0 {
            return None;
        }
        let n = (p.add(STR_LENGTH_OFFSET as usize) as *const i64).read() as usize;
        Some(std::slice::from_raw_parts(p.add(l.ascii_data as usize), n))
    }
}

/// Character `i` (in range) of `s`, for a string compiled code cannot read in
/// place (not compact, or no known layout).
///
/// # Safety
/// Called by compiled code (which holds the GIL); `s` is a live str, `0 <= i < len(s)`.
pub unsafe extern "C" fn pyston_str_read_char(s: u64, i: i64) -> i64 {
    // SAFETY: a live str and an index in range: PyUnicode_ReadChar does not fail.
    unsafe { ffi::PyUnicode_ReadChar(s as *mut ffi::PyObject, i as ffi::Py_ssize_t) as i64 }
}

/// The one-character string of code point `cp` (CPython's cached object
/// below 256, as `s[i]` gives), kept by the arena; NULL with the exception set
/// when it could not be made.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_char_box(ctx: *mut Ctx, cp: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    gil(ctx, |ctx| {
        // SAFETY: the GIL is held; PyUnicode_FromOrdinal returns a new reference or NULL.
        let o = unsafe { ffi::PyUnicode_FromOrdinal(cp as i32) };
        if o.is_null() {
            return 0;
        }
        if cp < 256 {
            // SAFETY: CPython's cached Latin-1 character lives for the process.
            unsafe { ffi::Py_DECREF(o) };
            o as u64
        } else {
            kept(ctx, o)
        }
    })
}

/// `ch.isdigit()` (the method `CHAR_METHODS[k]`) of the one-character string
/// of code point `cp`, by CPython's own method: 1, 0, or -1 when it raised.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_char_is(ctx: *mut Ctx, k: i32, cp: i64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    gil(ctx, |_| {
        let Some(name) = CHAR_METHODS.get(k as usize) else {
            return -1;
        };
        let name = std::ffi::CString::new(*name).unwrap_or_default();
        // SAFETY: the GIL is held; every object made here is released here.
        unsafe {
            let o = ffi::PyUnicode_FromOrdinal(cp as i32);
            if o.is_null() {
                return -1;
            }
            let m = ffi::PyObject_GetAttrString(o, name.as_ptr());
            ffi::Py_DECREF(o);
            if m.is_null() {
                return -1;
            }
            let r = ffi::PyObject_CallObject(m, std::ptr::null_mut());
            ffi::Py_DECREF(m);
            if r.is_null() {
                return -1;
            }
            let t = ffi::PyObject_IsTrue(r);
            ffi::Py_DECREF(r);
            t
        }
    })
}

/// A byte buffer on the stack that moves to the heap when it outgrows it.
struct Bytes {
    inline: [u8; 192],
    len: usize,
    heap: Vec<u8>,
}

impl Bytes {
    fn new() -> Self {
        Bytes {
            inline: [0; 192],
            len: 0,
            heap: Vec::new(),
        }
    }

    fn extend(&mut self, b: &[u8]) {
        if self.heap.is_empty() && self.len + b.len() <= self.inline.len() {
            self.inline[self.len..self.len + b.len()].copy_from_slice(b);
            self.len += b.len();
            return;
        }
        if self.heap.is_empty() {
            self.heap.extend_from_slice(&self.inline[..self.len]);
        }
        self.heap.extend_from_slice(b);
    }

    fn as_slice(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }

    /// Appends the decimal digits of `v`.
    fn push_int(&mut self, v: i64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut u = v.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (u % 10) as u8;
            u /= 10;
            if u == 0 {
                break;
            }
        }
        if v < 0 {
            i -= 1;
            digits[i] = b'-';
        }
        self.extend(&digits[i..]);
    }
}

/// The concatenation of `n` pieces (each a kind word and a value word: an int
/// (0), a float (1), a bool (2) or a str object (3)), each made as `str(x)`
/// makes it: a new string kept by the arena, or NULL with the exception set.
/// When one piece is a string and the others are empty strings, that string
/// itself, as CPython's `+` gives.
///
/// # Safety
/// Called by compiled code with its live context; `pieces` holds `2 * n` words;
/// the str pieces are live `str` objects.
pub unsafe extern "C" fn pyston_str_build(ctx: *mut Ctx, pieces: *const u64, n: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context; `pieces` holds `2 * n` words.
    let (ctx, words) = unsafe { (&mut *ctx, std::slice::from_raw_parts(pieces, 2 * n as usize)) };
    gil(ctx, |ctx| {
        // All ints, bools and ASCII strings: one pass into a byte buffer.
        let mut buf = Bytes::new();
        let mut ascii = true;
        let mut nonempty_strs = 0;
        let mut last_str = 0u64;
        let mut only_strs = true;
        for w in words.chunks_exact(2) {
            match w[0] {
                0 => {
                    buf.push_int(w[1] as i64);
                    only_strs = false;
                }
                2 => {
                    buf.extend(if w[1] & 0xff != 0 { b"True" } else { b"False" });
                    only_strs = false;
                }
                3 => {
                    let o = w[1] as *mut ffi::PyObject;
                    // SAFETY: the GIL is held; a live str.
                    match unsafe { ascii_bytes(o) } {
                        Some(b) => {
                            if !b.is_empty() {
                                nonempty_strs += 1;
                                last_str = w[1];
                            }
                            buf.extend(b);
                        }
                        None => {
                            ascii = false;
                            // SAFETY: a live str.
                            if unsafe { ffi::PyUnicode_GetLength(o) } > 0 {
                                nonempty_strs += 1;
                                last_str = w[1];
                            }
                        }
                    }
                }
                _ => {
                    ascii = false;
                    only_strs = false;
                }
            }
        }
        if only_strs && nonempty_strs == 1 {
            let o = last_str as *mut ffi::PyObject;
            // SAFETY: a live str; the arena keeps the new reference.
            unsafe { ffi::Py_INCREF(o) };
            return kept(ctx, o);
        }
        if ascii {
            let b = buf.as_slice();
            // SAFETY: the GIL is held; ASCII bytes are valid UTF-8.
            let o = unsafe { ffi::PyUnicode_FromStringAndSize(b.as_ptr() as *const _, b.len() as ffi::Py_ssize_t) };
            return kept(ctx, o);
        }
        // SAFETY: the GIL is held; every object made here is released here
        // (the result is kept by the arena).
        unsafe {
            let py = pyo3::Python::assume_attached();
            let list = ffi::PyList_New(0);
            if list.is_null() {
                return 0;
            }
            for w in words.chunks_exact(2) {
                let (kind, w) = (w[0] as i32, w[1]);
                let x = if kind == 3 {
                    let o = w as *mut ffi::PyObject;
                    ffi::Py_INCREF(o);
                    o
                } else {
                    let b = super::lists::box_elem(py, kind, w);
                    if b.is_null() {
                        ffi::Py_DECREF(list);
                        return 0;
                    }
                    let s = ffi::PyObject_Str(b);
                    ffi::Py_DECREF(b);
                    s
                };
                if x.is_null() || ffi::PyList_Append(list, x) < 0 {
                    if !x.is_null() {
                        ffi::Py_DECREF(x);
                    }
                    ffi::Py_DECREF(list);
                    return 0;
                }
                ffi::Py_DECREF(x);
            }
            let empty = ffi::PyUnicode_FromStringAndSize(std::ptr::null(), 0);
            if empty.is_null() {
                ffi::Py_DECREF(list);
                return 0;
            }
            let o = ffi::PyUnicode_Join(empty, list);
            ffi::Py_DECREF(empty);
            ffi::Py_DECREF(list);
            kept(ctx, o)
        }
    })
}

/// `int(s)` of an ASCII string by CPython's rules (`PyLong_FromString`,
/// base 10: surrounding whitespace, one sign, digits with single underscores
/// between them), when it has at most 18 digits; `None` for anything else
/// (CPython then decides: other characters, errors, big values).
fn parse_ascii_int(b: &[u8]) -> Option<i64> {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let start = b.iter().position(|c| !ws(c))?;
    let end = b.len() - b.iter().rev().position(|c| !ws(c))?;
    let mut t = &b[start..end];
    let neg = match t.first() {
        Some(b'-') => {
            t = &t[1..];
            true
        }
        Some(b'+') => {
            t = &t[1..];
            false
        }
        _ => false,
    };
    if t.is_empty() || t.len() > 36 || !t[0].is_ascii_digit() || !t[t.len() - 1].is_ascii_digit() {
        return None;
    }
    let mut v: i64 = 0;
    let mut digits = 0;
    let mut prev_us = false;
    for &c in t {
        if c == b'_' {
            if prev_us {
                return None;
            }
            prev_us = true;
            continue;
        }
        prev_us = false;
        if !c.is_ascii_digit() {
            return None;
        }
        digits += 1;
        if digits > 18 {
            return None;
        }
        v = v * 10 + (c - b'0') as i64;
    }
    Some(if neg { -v } else { v })
}

// ---- `for p in s.split(sep)` without the list ------------------------------

/// The state words of a split loop (`SPLIT_WORDS` of them, see `abi`).
///
/// # Safety
/// `state` points to the compiled code's live state.
unsafe fn split_state<'a>(state: u64) -> &'a mut [i64] {
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts_mut(state as *mut i64, SPLIT_WORDS as usize) }
}

/// Starts `for p in s.split(sep)`: counts the items (`s.count(sep) + 1`,
/// which is what `split` makes for a non-empty `sep`) and keeps `s` alive in
/// the arena: OK, or ERROR with the exception set.
///
/// # Safety
/// Called by compiled code with its live context; `s` and `sep` are live strs
/// (`sep` not empty); `state` has `SPLIT_WORDS` writable words.
pub unsafe extern "C" fn pyston_split_init(ctx: *mut Ctx, s: u64, sep: u64, state: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context; the state is the caller's.
    let (ctx, st) = unsafe { (&mut *ctx, split_state(state)) };
    gil(ctx, |ctx| {
        let o = s as *mut ffi::PyObject;
        // SAFETY: the GIL is held; two live strs.
        let n = unsafe { ffi::PyUnicode_Count(o, sep as *mut ffi::PyObject, 0, ffi::PY_SSIZE_T_MAX) };
        if n < 0 {
            return ERROR;
        }
        // SAFETY: the arena keeps `s` alive for the loop.
        unsafe { ffi::Py_INCREF(o) };
        kept(ctx, o);
        st.copy_from_slice(&[s as i64, sep as i64, 0, 0, 0, 0, n as i64 + 1]);
        OK
    })
}

/// Item `k` of the split (the loop reads them in order; any other `k` is
/// found again from the start): its start, with its end in the state.
///
/// # Safety
/// Called by compiled code; `state` was started by `pyston_split_init`, `0 <= k < count`.
pub unsafe extern "C" fn pyston_split_next(state: u64, k: i64) -> i64 {
    // SAFETY: the caller's contract.
    let st = unsafe { split_state(state) };
    if k != st[2] {
        st[2] = 0;
        st[3] = 0;
        while st[2] < k {
            // SAFETY: as below.
            unsafe { split_step(st) };
        }
    }
    // SAFETY: `s` and `sep` are live strs kept by the arena and the function.
    unsafe { split_step(st) };
    st[4]
}

/// Finds the next item from the search position.
///
/// # Safety
/// The state's `s` and `sep` are live strs.
unsafe fn split_step(st: &mut [i64]) {
    let (s, sep) = (st[0] as *mut ffi::PyObject, st[1] as *mut ffi::PyObject);
    // SAFETY: two live strs.
    let (n, m) = unsafe { (ffi::PyUnicode_GetLength(s) as i64, ffi::PyUnicode_GetLength(sep) as i64) };
    let from = st[3];
    // A one-byte separator in an ASCII string: a byte search.
    // SAFETY: two live strs (the GIL is held by compiled code).
    let found = match unsafe { (ascii_bytes(s), ascii_bytes(sep)) } {
        (Some(b), Some([c])) => b[from as usize..]
            .iter()
            .position(|x| x == c)
            .map_or(-1, |i| from + i as i64),
        // SAFETY: two live strs; Find over `[from, n)` returns -1 when absent (-2: error, not for strs).
        _ => unsafe { ffi::PyUnicode_Find(s, sep, from as ffi::Py_ssize_t, n as ffi::Py_ssize_t, 1) as i64 },
    };
    let end = if found < 0 { n } else { found };
    st[4] = from;
    st[5] = end;
    st[3] = (end + m).min(n + m);
    st[2] += 1;
}

/// `int(p)` of the split item `[start, end)` into `out`: OK; ERROR with
/// CPython's exception; DEOPT when the value does not fit 64 bits.
///
/// # Safety
/// Called by compiled code with its live context; `state` is a started split;
/// `out` a writable word.
pub unsafe extern "C" fn pyston_split_int(ctx: *mut Ctx, state: u64, start: i64, end: i64, out: *mut i64) -> i32 {
    // SAFETY: `ctx` is the call's live context; the state is the caller's.
    let (ctx, st) = unsafe { (&mut *ctx, split_state(state)) };
    let s = st[0] as *mut ffi::PyObject;
    gil(ctx, |ctx| {
        // SAFETY: the GIL is held; `s` is a live str.
        if let Some(v) = unsafe { ascii_bytes(s) }.and_then(|b| parse_ascii_int(&b[start as usize..end as usize])) {
            // SAFETY: the caller's word.
            unsafe { *out = v };
            return OK;
        }
        // SAFETY: the GIL is held; the piece is a new string released here.
        unsafe {
            let p = ffi::PyUnicode_Substring(s, start as ffi::Py_ssize_t, end as ffi::Py_ssize_t);
            if p.is_null() {
                return ERROR;
            }
            let r = pyston_str_to_int(ctx, p as u64, out);
            ffi::Py_DECREF(p);
            r
        }
    })
}

/// The list `s.split(sep)` of a split loop (for the interpreter tier): a new
/// list kept by the arena, or NULL with the exception set.
///
/// # Safety
/// Called by compiled code with its live context; `state` is a started split.
pub unsafe extern "C" fn pyston_split_list(ctx: *mut Ctx, state: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context; the state is the caller's.
    let (ctx, st) = unsafe { (&mut *ctx, split_state(state)) };
    let (s, sep) = (st[0] as *mut ffi::PyObject, st[1] as *mut ffi::PyObject);
    // SAFETY: the GIL is held inside `gil`; two live strs.
    gil(ctx, |ctx| kept(ctx, unsafe { ffi::PyUnicode_Split(s, sep, -1) }))
}

/// The split item `s[start:end]` as a string (for the interpreter tier), kept
/// by the arena, or NULL with the exception set.
///
/// # Safety
/// Called by compiled code with its live context; `state` is a started split.
pub unsafe extern "C" fn pyston_split_piece(ctx: *mut Ctx, state: u64, start: i64, end: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context; the state is the caller's.
    let (ctx, st) = unsafe { (&mut *ctx, split_state(state)) };
    let s = st[0] as *mut ffi::PyObject;
    // SAFETY: the GIL is held inside `gil`; a live str and bounds inside it.
    gil(ctx, |ctx| {
        kept(ctx, unsafe {
            ffi::PyUnicode_Substring(s, start as ffi::Py_ssize_t, end as ffi::Py_ssize_t)
        })
    })
}

/// `ch in s` for the character of code point `cp` and a run-time string: 1 or 0.
///
/// # Safety
/// Called by compiled code (which holds the GIL); `s` is a live str.
pub unsafe extern "C" fn pyston_str_has_char(s: u64, cp: i64) -> i32 {
    let o = s as *mut ffi::PyObject;
    // SAFETY: a live str; PyUnicode_FindChar over all of it (-1: absent; it
    // fails only for a bad string or range).
    unsafe {
        let n = ffi::PyUnicode_GetLength(o);
        (ffi::PyUnicode_FindChar(o, cp as u32, 0, n, 1) >= 0) as i32
    }
}

/// `ch OP s` (`op`: CPython's rich-comparison code) for the character of code
/// point `cp` and a run-time string, as CPython compares strings (by code
/// points, then by length): 1 or 0.
///
/// # Safety
/// Called by compiled code (which holds the GIL); `s` is a live str.
pub unsafe extern "C" fn pyston_char_cmp(cp: i64, s: u64, op: i32) -> i32 {
    let o = s as *mut ffi::PyObject;
    // SAFETY: a live str; index 0 is read only when it is not empty.
    let ord = unsafe {
        let n = ffi::PyUnicode_GetLength(o);
        if n == 0 {
            std::cmp::Ordering::Greater
        } else {
            let c0 = ffi::PyUnicode_ReadChar(o, 0) as i64;
            (cp, 1).cmp(&(c0, n as i64))
        }
    };
    use std::cmp::Ordering::*;
    (match op {
        0 => ord == Less,
        1 => ord != Greater,
        2 => ord == Equal,
        3 => ord != Equal,
        4 => ord == Greater,
        _ => ord != Less,
    }) as i32
}

/// `int(ch)` of the character of code point `cp` into `out`, by CPython's
/// `int` of its one-character string (released here): OK, or ERROR with
/// CPython's `ValueError`.
///
/// # Safety
/// Called by compiled code with its live context; `out` is a writable word.
pub unsafe extern "C" fn pyston_char_to_int(ctx: *mut Ctx, cp: i64, out: *mut i64) -> i32 {
    // SAFETY: `ctx` is the call's live context; with the GIL, the string is
    // made and released here.
    unsafe {
        let c = &mut *ctx;
        gil(c, |c| {
            let o = ffi::PyUnicode_FromOrdinal(cp as i32);
            if o.is_null() {
                return ERROR;
            }
            let r = pyston_str_to_int(c, o as u64, out);
            ffi::Py_DECREF(o);
            r
        })
    }
}
