//! The interpreter tier: executes IR on Python objects with CPython's own
//! operations (`PyNumber_Add`, rich comparisons, `__getitem__`, ...), so its
//! results are exactly CPython's. It runs functions compiled code cannot
//! type, finishes calls that deoptimized, and is the oracle in IR tests.

use crate::runtime::PyEnv;
use pyo3::exceptions::{PyAssertionError, PyNameError, PyUnboundLocalError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyDict, PyTuple};
use pyston_compiler::hir::{BinOp, CmpOp, Span, UnaryOp};
use pyston_compiler::ir::{Block, Const, Function, Inst, Op, ReadScope, Term, Value};

pub type Slot = Option<Py<PyAny>>;

/// An exception and the span of the instruction that raised it.
pub struct Raised {
    pub err: PyErr,
    pub span: Span,
}

/// Runs `f` from its entry with `args`.
pub fn call(py: Python<'_>, f: &Function, env: &PyEnv, args: Vec<Py<PyAny>>) -> Result<Py<PyAny>, Raised> {
    let mut vals: Vec<Slot> = (0..f.values.len()).map(|_| None).collect();
    for (p, a) in f.block(f.entry()).params.iter().zip(args) {
        vals[p.0 as usize] = Some(a);
    }
    exec(py, f, env, &mut vals, f.entry(), 0)
}

/// Runs `f` from its entry with `args`, some of which may be unbound (`None`):
/// a generator's step resumed with a variable not assigned yet.
pub fn call_slots(py: Python<'_>, f: &Function, env: &PyEnv, args: Vec<Slot>) -> Result<Py<PyAny>, Raised> {
    let mut vals: Vec<Slot> = (0..f.values.len()).map(|_| None).collect();
    for (p, a) in f.block(f.entry()).params.iter().zip(args) {
        vals[p.0 as usize] = a;
    }
    exec(py, f, env, &mut vals, f.entry(), 0)
}

/// Runs `f` from instruction `k` of block `b` with the values in `vals`.
/// An exception raised in a block with an exceptional edge (a `try` body)
/// continues at its handler.
pub(crate) fn exec(
    py: Python<'_>,
    f: &Function,
    env: &PyEnv,
    vals: &mut [Slot],
    b: Block,
    k: usize,
) -> Result<Py<PyAny>, Raised> {
    let mut origins = Origins::default();
    let (mut b, mut k) = (b, k);
    loop {
        match exec_blocks(py, f, env, vals, b, k) {
            Ok(o) => return Ok(o),
            Err((r, at)) => (b, k) = to_handler(py, f, vals, at, r, &mut origins)?,
        }
    }
}

/// Resumes a call whose instruction in block `b` raised `err` in compiled
/// code (inside a `try` body): the exception goes to the block's handler.
pub(crate) fn exec_raised(
    py: Python<'_>,
    f: &Function,
    env: &PyEnv,
    vals: &mut [Slot],
    b: Block,
    err: Raised,
) -> Result<Py<PyAny>, Raised> {
    let mut origins = Origins::default();
    let (b, k) = to_handler(py, f, vals, b, err, &mut origins)?;
    exec(py, f, env, vals, b, k)
}

/// The lines exceptions were first raised at, for those a handler caught
/// (a re-raise reports the original line, as CPython's traceback does).
/// Only the most recent few are kept.
#[derive(Default)]
struct Origins(Vec<(Py<PyAny>, Span)>);

/// Sends the exception `r` raised in block `at` to the block's handler:
/// returns where to continue (after the handler's `caught_exc`), or the
/// exception when the block has none.
fn to_handler(
    py: Python<'_>,
    f: &Function,
    vals: &mut [Slot],
    at: Block,
    r: Raised,
    origins: &mut Origins,
) -> Result<(Block, usize), Raised> {
    let exc = r.err.into_value(py).into_any();
    let span = match origins.0.iter().find(|(o, _)| o.is(&exc)) {
        Some((_, s)) => *s,
        None => r.span,
    };
    let Some(h) = &f.block(at).handler else {
        return Err(Raised {
            err: PyErr::from_value(exc.into_bound(py)),
            span,
        });
    };
    origins.0.retain(|(o, _)| !o.is(&exc));
    if origins.0.len() >= 8 {
        origins.0.remove(0);
    }
    origins.0.push((exc.clone_ref(py), span));
    let args: Vec<Slot> = h
        .args
        .iter()
        .map(|a| vals[a.0 as usize].as_ref().map(|o| o.clone_ref(py)))
        .collect();
    let target = f.block(h.block);
    for (p, a) in target.params.iter().zip(args) {
        vals[p.0 as usize] = a;
    }
    match target.insts.first() {
        Some(inst) if inst.op == Op::CaughtExc => {
            if let Some(res) = inst.result {
                vals[res.0 as usize] = Some(exc);
            }
            Ok((h.block, 1))
        }
        _ => Ok((h.block, 0)),
    }
}

/// Runs blocks from instruction `k` of block `b`; an exception comes back
/// with the block it was raised in.
fn exec_blocks(
    py: Python<'_>,
    f: &Function,
    env: &PyEnv,
    vals: &mut [Slot],
    mut b: Block,
    mut k: usize,
) -> Result<Py<PyAny>, (Raised, Block)> {
    // Jumps until the next check for signals (Ctrl-C), as compiled loops do.
    let mut tick = 0u32;
    // The trip counts of `for` loops (`len`): over a list, the loop test
    // `k < n` re-reads the list's length (CPython's list iterator does).
    let len_of: std::collections::HashMap<Value, Value> = f.loop_tests();
    let loop_items = f.loop_items();
    // `*xs` of a call's last positional argument (`Op::StarItems`, of a list).
    let stars: std::collections::HashSet<Value> = f
        .blocks
        .iter()
        .flat_map(|d| &d.insts)
        .filter(|i| i.op == Op::StarItems)
        .filter_map(|i| i.result)
        .collect();
    loop {
        let data = f.block(b);
        for inst in &data.insts[k..] {
            let list_test = match (&inst.op, inst.args.get(1).and_then(|a| len_of.get(a))) {
                (Op::Cmp(CmpOp::Lt), Some(seq)) => match iter_loop_test(py, f, vals, inst.args[1]) {
                    Ok(None) => list_loop_test(py, f, vals, inst.args[0], *seq).transpose(),
                    r => r.transpose(),
                },
                (Op::GetItem, _) if inst.args.len() == 2 => loop_items
                    .get(&(inst.args[0], inst.args[1]))
                    .and_then(|n| vals[n.0 as usize].as_ref())
                    .and_then(|w| {
                        w.bind(py)
                            .cast_exact::<pyo3::types::PyList>()
                            .ok()
                            .map(|w| w.get_item(1))
                    })
                    .map(|r| r.map(|x| x.unbind())),
                _ => None,
            };
            let star = match &inst.op {
                Op::Call { kw } if kw.is_empty() && inst.args.len() >= 2 => {
                    inst.args.last().is_some_and(|a| stars.contains(a))
                }
                _ => false,
            };
            let r = if let Some(r) = list_test {
                r.map(Some)
            } else if star {
                star_call(py, f, vals, &inst.args)
            } else if may_warn(py, vals, &inst.op, &inst.args) {
                eval_located(py, f, env, vals, inst)
            } else {
                eval(py, f, env, vals, &inst.op, &inst.args)
            }
            .map_err(|err| (Raised { err, span: inst.span }, b))?;
            if let Some(res) = inst.result {
                vals[res.0 as usize] = r;
            }
        }
        let span = data.term_span;
        let get = |vals: &[Slot], v: Value| get(py, f, vals, v).map_err(|err| (Raised { err, span }, b));
        let edge = match &data.term {
            Term::Jump(e) => {
                tick = tick.wrapping_add(1);
                if tick.is_multiple_of(4096) {
                    py.check_signals().map_err(|err| (Raised { err, span }, b))?;
                }
                e
            }
            Term::Br(c, t, e) => {
                let cond = get(vals, *c)?;
                if cond.bind(py).is_truthy().map_err(|err| (Raised { err, span }, b))? {
                    t
                } else {
                    e
                }
            }
            Term::Ret(v) => return get(vals, *v),
            Term::Raise(v) => {
                let exc = get(vals, *v)?;
                return Err((
                    Raised {
                        err: PyErr::from_value(exc.into_bound(py)),
                        span,
                    },
                    b,
                ));
            }
            Term::AssertFail(m) => {
                let err = match m {
                    Some(m) => PyAssertionError::new_err(get(vals, *m)?),
                    None => PyAssertionError::new_err(()),
                };
                return Err((Raised { err, span }, b));
            }
            Term::Unreachable => {
                return Err((
                    Raised {
                        err: crate::internal_error("reached unreachable code"),
                        span,
                    },
                    b,
                ))
            }
            Term::Yield { point, value, resume } => {
                // The generator's step ends here: its suspended state goes back to the generator.
                let value = get(vals, *value)?;
                let state: Vec<Slot> = resume.args[1..]
                    .iter()
                    .map(|a| vals[a.0 as usize].as_ref().map(|o| o.clone_ref(py)))
                    .collect();
                return crate::generators::suspended(py, *point, value, state).map_err(|err| (Raised { err, span }, b));
            }
        };
        let args: Vec<Slot> = edge
            .args
            .iter()
            .map(|a| vals[a.0 as usize].as_ref().map(|o| o.clone_ref(py)))
            .collect();
        for (p, a) in f.block(edge.block).params.iter().zip(args) {
            vals[p.0 as usize] = a;
        }
        b = edge.block;
        k = 0;
    }
}

/// Whether a `for` loop over `x` steps CPython's iterator over it (a dict,
/// a set or a dict view, or an object that is its own iterator: a `zip` or
/// `enumerate` object bound to a name first, whose `iter()` is itself)
/// rather than reading items by index.
fn iterated_by_iterator(x: &Bound<'_, PyAny>) -> bool {
    use pyo3::types::{PyDict, PyFrozenSet, PySet};
    let t = x.get_type_ptr();
    // SAFETY: `x` is a live object; PyIter_Check only reads its type's slot.
    let is_iterator = unsafe { ffi::PyIter_Check(x.as_ptr()) } != 0;
    is_iterator
        || x.is_exact_instance_of::<PyDict>()
        || x.is_exact_instance_of::<PySet>()
        || x.is_exact_instance_of::<PyFrozenSet>()
        || t == std::ptr::addr_of_mut!(ffi::PyDictKeys_Type)
        || t == std::ptr::addr_of_mut!(ffi::PyDictValues_Type)
        || t == std::ptr::addr_of_mut!(ffi::PyDictItems_Type)
}

/// The loop test of a `for` loop over a dict, set or view (`n` the loop's
/// iterator): fetches the next item into it; `None` for other loops.
fn iter_loop_test(py: Python<'_>, f: &Function, vals: &[Slot], n: Value) -> PyResult<Option<Py<PyAny>>> {
    let w = get(py, f, vals, n)?;
    let Ok(w) = w.bind(py).cast_exact::<pyo3::types::PyList>() else {
        return Ok(None);
    };
    let more = match w.get_item(0)?.call_method0(pyo3::intern!(py, "__next__")) {
        Ok(x) => {
            w.set_item(1, x)?;
            true
        }
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyStopIteration>(py) => {
            w.set_item(1, py.None())?;
            false
        }
        Err(e) => return Err(e),
    };
    Ok(Some(pyo3::types::PyBool::new(py, more).to_owned().into_any().unbind()))
}

/// `k < len(seq)` when `seq` is a list (the loop test of a `for` loop over
/// it), else `None`.
fn list_loop_test(py: Python<'_>, f: &Function, vals: &[Slot], k: Value, seq: Value) -> PyResult<Option<Py<PyAny>>> {
    let s = get(py, f, vals, seq)?;
    let Ok(l) = s.bind(py).cast_exact::<pyo3::types::PyList>() else {
        return Ok(None);
    };
    let n = l.len().into_pyobject(py)?;
    let lt = get(py, f, vals, k)?.bind(py).lt(n)?;
    Ok(Some(pyo3::types::PyBool::new(py, lt).to_owned().into_any().unbind()))
}

/// Whether `obj` is NumPy's: a NumPy module, or an object of a type NumPy
/// defines (arrays, NumPy scalars, ufuncs, masked arrays, ...).
fn is_numpy(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    let numpy = |m: Bound<'_, PyAny>| {
        m.extract::<String>()
            .is_ok_and(|m| m == "numpy" || m.starts_with("numpy."))
    };
    if obj.is_instance_of::<pyo3::types::PyModule>() {
        return obj.getattr(pyo3::intern!(py, "__name__")).is_ok_and(numpy);
    }
    obj.get_type().getattr(pyo3::intern!(py, "__module__")).is_ok_and(numpy)
}

/// Whether evaluating `op` may emit a NumPy warning: an operation with a
/// NumPy operand, a method of a NumPy object or module, a call of a NumPy function.
pub(crate) fn may_warn(py: Python<'_>, vals: &[Slot], op: &Op, args: &[Value]) -> bool {
    let numpy = |i: usize| {
        args.get(i)
            .and_then(|a| vals.get(a.0 as usize))
            .and_then(|s| s.as_ref())
            .is_some_and(|o| is_numpy(py, o.bind(py)))
    };
    match op {
        Op::Bin { .. } => numpy(0) || numpy(1),
        Op::Unary(u) => !matches!(u, UnaryOp::Not) && numpy(0),
        Op::MethodCall { .. } => numpy(0),
        // A NumPy callable, or a Python function of NumPy's (`np.linspace`).
        Op::Call { .. } => {
            numpy(0)
                || args
                    .first()
                    .and_then(|a| vals.get(a.0 as usize))
                    .and_then(|s| s.as_ref())
                    .and_then(|c| c.bind(py).getattr(pyo3::intern!(py, "__module__")).ok())
                    .and_then(|m| m.extract::<String>().ok())
                    .is_some_and(|m| m == "numpy" || m.starts_with("numpy."))
        }
        _ => false,
    }
}

fn operator_name(op: BinOp, inplace: bool) -> &'static str {
    match (op, inplace) {
        (BinOp::Add, false) => "add",
        (BinOp::Sub, false) => "sub",
        (BinOp::Mul, false) => "mul",
        (BinOp::Div, false) => "truediv",
        (BinOp::FloorDiv, false) => "floordiv",
        (BinOp::Mod, false) => "mod",
        (BinOp::Pow, false) => "pow",
        (BinOp::BitAnd, false) => "and_",
        (BinOp::BitOr, false) => "or_",
        (BinOp::BitXor, false) => "xor",
        (BinOp::LShift, false) => "lshift",
        (BinOp::RShift, false) => "rshift",
        (BinOp::MatMul, false) => "matmul",
        (BinOp::Add, true) => "iadd",
        (BinOp::Sub, true) => "isub",
        (BinOp::Mul, true) => "imul",
        (BinOp::Div, true) => "itruediv",
        (BinOp::FloorDiv, true) => "ifloordiv",
        (BinOp::Mod, true) => "imod",
        (BinOp::Pow, true) => "ipow",
        (BinOp::BitAnd, true) => "iand",
        (BinOp::BitOr, true) => "ior",
        (BinOp::BitXor, true) => "ixor",
        (BinOp::LShift, true) => "ilshift",
        (BinOp::RShift, true) => "irshift",
        (BinOp::MatMul, true) => "imatmul",
    }
}

/// Evaluates an operation that may warn from a Python frame at the
/// instruction's line in the user's module (`pyston._errors.located`), so a
/// warning carries the kernel's file and line, as in plain Python.
fn eval_located(py: Python<'_>, f: &Function, env: &PyEnv, vals: &[Slot], inst: &Inst) -> PyResult<Slot> {
    let arg = |i: usize| get(py, f, vals, inst.args[i]).map(|o| o.into_bound(py));
    let operator = py.import("operator")?;
    let (callee, first, kw): (Bound<'_, PyAny>, usize, &[String]) = match &inst.op {
        Op::Bin { op, inplace } => (operator.getattr(operator_name(*op, *inplace))?, 0, &[]),
        Op::Unary(UnaryOp::Neg) => (operator.getattr("neg")?, 0, &[]),
        Op::Unary(UnaryOp::Pos) => (operator.getattr("pos")?, 0, &[]),
        Op::Unary(UnaryOp::Invert) => (operator.getattr("invert")?, 0, &[]),
        Op::Call { kw } => (arg(0)?, 1, kw.as_slice()),
        Op::MethodCall { name, kw } => (arg(0)?.getattr(name.as_str())?, 1, kw.as_slice()),
        _ => return eval(py, f, env, vals, &inst.op, &inst.args),
    };
    let rest: Vec<Py<PyAny>> = inst.args[first..]
        .iter()
        .map(|a| get(py, f, vals, *a))
        .collect::<PyResult<_>>()?;
    let npos = rest.len() - kw.len();
    let mut pos: Vec<Py<PyAny>> = Vec::with_capacity(npos + 1);
    pos.push(callee.unbind());
    pos.extend(rest[..npos].iter().map(|o| o.clone_ref(py)));
    let kwargs = if kw.is_empty() {
        None
    } else {
        let d = PyDict::new(py);
        for (k, v) in kw.iter().zip(&rest[npos..]) {
            d.set_item(k, v)?;
        }
        Some(d)
    };
    let at = py.import("pyston._errors")?.getattr("located")?.call1((
        env.filename.as_str(),
        f.name.as_str(),
        inst.span.line,
        env.globals.bind(py),
    ))?;
    match at.call(PyTuple::new(py, pos)?, kwargs.as_ref()) {
        Ok(r) => Ok(Some(r.unbind())),
        Err(e) => Err(drop_first_entry(py, e)),
    }
}

/// `err` without the first entry of its traceback (the frame of
/// `pyston._errors.located`'s helper: the caller adds the kernel's line).
pub(crate) fn drop_first_entry(py: Python<'_>, err: PyErr) -> PyErr {
    let Some(tb) = err.traceback(py) else {
        return err;
    };
    let value = err.value(py).clone();
    match tb
        .getattr("tb_next")
        .and_then(|next| value.call_method1("with_traceback", (next,)))
    {
        Ok(_) => PyErr::from_value(value.into_any()),
        Err(_) => err,
    }
}

/// The variable an unbound value stands for when it reaches an unnamed merge
/// parameter (`w if x else y`): the name of the `undef` that can flow into it.
fn undef_name(f: &Function, v: Value) -> Option<String> {
    let defs = f.definitions();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        if !seen.insert(v) {
            continue;
        }
        if let Some((b, k)) = defs.get(&v) {
            if let Op::Undef(name) = &f.block(*b).insts[*k].op {
                return Some(name.clone());
            }
            continue;
        }
        // A block parameter: follow the values every edge passes to it.
        for (bi, data) in f.blocks.iter().enumerate() {
            if let Some(pi) = data.params.iter().position(|p| *p == v) {
                for pred in &f.blocks {
                    for e in pred.term.successors() {
                        if e.block.0 as usize == bi {
                            todo.push(e.args[pi]);
                        }
                    }
                }
            }
        }
    }
    None
}

fn unbound(py: Python<'_>, name: &str) -> PyErr {
    let new_msg = py.version_info() >= (3, 11);
    if new_msg {
        PyUnboundLocalError::new_err(format!(
            "cannot access local variable '{name}' where it is not associated with a value"
        ))
    } else {
        PyUnboundLocalError::new_err(format!("local variable '{name}' referenced before assignment"))
    }
}

/// CPython's error for a free variable (a closure cell) read while unbound.
fn unbound_free(py: Python<'_>, name: &str) -> PyErr {
    PyNameError::new_err(if py.version_info() >= (3, 11) {
        format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope")
    } else {
        format!("free variable '{name}' referenced before assignment in enclosing scope")
    })
}

fn get(py: Python<'_>, f: &Function, vals: &[Slot], v: Value) -> PyResult<Py<PyAny>> {
    match &vals[v.0 as usize] {
        Some(o) => Ok(o.clone_ref(py)),
        None => {
            let name = f.values[v.0 as usize]
                .name
                .clone()
                .or_else(|| undef_name(f, v))
                .unwrap_or_else(|| format!("{v}"));
            // (an inlined function's own variables are renamed `name@k`)
            Err(unbound(py, name.split('@').next().unwrap_or(&name)))
        }
    }
}

/// Looks a global name up as CPython does for this function: closure cells,
/// then module globals, then builtins.
pub fn lookup_global<'py>(py: Python<'py>, env: &PyEnv, name: &str) -> PyResult<Bound<'py, PyAny>> {
    if let Some(cell) = env.cells.get(name) {
        return cell
            .bind(py)
            .getattr("cell_contents")
            .map_err(|_| unbound_free(py, name));
    }
    if let Some(v) = env.globals.bind(py).get_item(name)? {
        return Ok(v);
    }
    if let Some(v) = env.builtins.bind(py).get_item(name)? {
        return Ok(v);
    }
    Err(PyNameError::new_err(format!("name '{name}' is not defined")))
}

/// `import name` run as CPython runs it inside a function: the builtin
/// `__import__` (the frame's builtins), then, for a dotted name, its
/// submodules by attribute (the innermost module, as `import a.b as c` binds).
pub fn import_module<'py>(py: Python<'py>, env: &PyEnv, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let Some(import) = env.builtins.bind(py).get_item("__import__")? else {
        return Err(pyo3::exceptions::PyImportError::new_err("__import__ not found"));
    };
    let mut m = import.call1((name, env.globals.bind(py), py.None(), py.None(), 0))?;
    for part in name.split('.').skip(1) {
        m = m.getattr(part)?;
    }
    Ok(m)
}

fn owned(py: Python<'_>, p: *mut ffi::PyObject) -> PyResult<Py<PyAny>> {
    // SAFETY: `p` is a new reference returned by a CPython API call, or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, p) }.map(|b| b.unbind())
}

pub fn binop(
    py: Python<'_>,
    op: BinOp,
    inplace: bool,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let (x, y) = (a.as_ptr(), b.as_ptr());
    // SAFETY: both operands are live objects; each call returns a new reference or NULL.
    let r = unsafe {
        match (op, inplace) {
            (BinOp::Add, false) => ffi::PyNumber_Add(x, y),
            (BinOp::Sub, false) => ffi::PyNumber_Subtract(x, y),
            (BinOp::Mul, false) => ffi::PyNumber_Multiply(x, y),
            (BinOp::Div, false) => ffi::PyNumber_TrueDivide(x, y),
            (BinOp::FloorDiv, false) => ffi::PyNumber_FloorDivide(x, y),
            (BinOp::Mod, false) => ffi::PyNumber_Remainder(x, y),
            (BinOp::Pow, false) => ffi::PyNumber_Power(x, y, ffi::Py_None()),
            (BinOp::BitAnd, false) => ffi::PyNumber_And(x, y),
            (BinOp::BitOr, false) => ffi::PyNumber_Or(x, y),
            (BinOp::BitXor, false) => ffi::PyNumber_Xor(x, y),
            (BinOp::LShift, false) => ffi::PyNumber_Lshift(x, y),
            (BinOp::RShift, false) => ffi::PyNumber_Rshift(x, y),
            (BinOp::MatMul, false) => ffi::PyNumber_MatrixMultiply(x, y),
            (BinOp::Add, true) => ffi::PyNumber_InPlaceAdd(x, y),
            (BinOp::Sub, true) => ffi::PyNumber_InPlaceSubtract(x, y),
            (BinOp::Mul, true) => ffi::PyNumber_InPlaceMultiply(x, y),
            (BinOp::Div, true) => ffi::PyNumber_InPlaceTrueDivide(x, y),
            (BinOp::FloorDiv, true) => ffi::PyNumber_InPlaceFloorDivide(x, y),
            (BinOp::Mod, true) => ffi::PyNumber_InPlaceRemainder(x, y),
            (BinOp::Pow, true) => ffi::PyNumber_InPlacePower(x, y, ffi::Py_None()),
            (BinOp::BitAnd, true) => ffi::PyNumber_InPlaceAnd(x, y),
            (BinOp::BitOr, true) => ffi::PyNumber_InPlaceOr(x, y),
            (BinOp::BitXor, true) => ffi::PyNumber_InPlaceXor(x, y),
            (BinOp::LShift, true) => ffi::PyNumber_InPlaceLshift(x, y),
            (BinOp::RShift, true) => ffi::PyNumber_InPlaceRshift(x, y),
            (BinOp::MatMul, true) => ffi::PyNumber_InPlaceMatrixMultiply(x, y),
        }
    };
    owned(py, r)
}

fn index_key<'py>(py: Python<'py>, items: Vec<Py<PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    if items.len() == 1 {
        Ok(items.into_iter().next().unwrap().into_bound(py))
    } else {
        Ok(PyTuple::new(py, items)?.into_any())
    }
}

/// `f(a, ..., *xs)`: the call with `xs`'s items (any iterable, taken in
/// order as CPython's `CALL_FUNCTION_EX` takes them) after the other
/// positional arguments. args: [callee, positional..., xs]
fn star_call(py: Python<'_>, f: &Function, vals: &[Slot], args: &[Value]) -> PyResult<Slot> {
    let callee = get(py, f, vals, args[0])?.into_bound(py);
    let mut pos: Vec<Py<PyAny>> = args[1..args.len() - 1]
        .iter()
        .map(|a| get(py, f, vals, *a))
        .collect::<PyResult<_>>()?;
    let xs = get(py, f, vals, args[args.len() - 1])?.into_bound(py);
    for x in xs.try_iter()? {
        pos.push(x?.unbind());
    }
    let pos = PyTuple::new(py, pos)?;
    Ok(Some(match callee.cast::<crate::dispatch::Dispatcher>() {
        Ok(d) => crate::dispatch::call_direct(d, &pos, None)?,
        Err(_) => callee.call1(pos)?.unbind(),
    }))
}

pub(crate) fn eval(
    py: Python<'_>,
    f: &Function,
    env: &PyEnv,
    vals: &[Slot],
    op: &Op,
    args: &[Value],
) -> PyResult<Slot> {
    let arg = |i: usize| get(py, f, vals, args[i]).map(|o| o.into_bound(py));
    let all = |from: usize| -> PyResult<Vec<Py<PyAny>>> { args[from..].iter().map(|a| get(py, f, vals, *a)).collect() };
    let out: Py<PyAny> = match op {
        Op::Const(c) => match c {
            Const::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
            Const::BigInt(s) => py.get_type::<pyo3::types::PyInt>().call1((s.as_str(),))?.unbind(),
            Const::Float(x) => x.into_pyobject(py)?.into_any().unbind(),
            Const::Complex(r, i) => pyo3::types::PyComplex::from_doubles(py, *r, *i).into_any().unbind(),
            Const::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any().unbind(),
            Const::None => py.None(),
            Const::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
            Const::Ellipsis => py.Ellipsis(),
            Const::Tuple(_) => return Err(crate::internal_error("tuple constant in the IR")),
        },
        Op::Undef(_) => return Ok(None),
        Op::Bound(name, scope) => match &vals[args[0].0 as usize] {
            Some(o) => o.clone_ref(py),
            None => {
                let free = match scope {
                    ReadScope::Local => false,
                    ReadScope::Free => true,
                    // (list, set and dict comprehensions are inlined from 3.12 on, PEP 709)
                    ReadScope::Comp => py.version_info() < (3, 12),
                };
                return Err(if free {
                    unbound_free(py, name)
                } else {
                    unbound(py, name)
                });
            }
        },
        Op::Slice => py
            .get_type::<pyo3::types::PySlice>()
            .call1((arg(0)?, arg(1)?, arg(2)?))?
            .unbind(),
        Op::Global(name) => lookup_global(py, env, name)?.unbind(),
        Op::Import(name) => import_module(py, env, name)?.unbind(),
        Op::Attr(name) => arg(0)?.getattr(name.as_str())?.unbind(),
        Op::Call { kw } | Op::MethodCall { kw, .. } => {
            let (callee, first) = match op {
                Op::MethodCall { name, .. } => (arg(0)?.getattr(name.as_str())?, 1),
                _ => (arg(0)?, 1),
            };
            let rest = all(first)?;
            let npos = rest.len() - kw.len();
            let pos = PyTuple::new(py, &rest[..npos])?;
            let kwargs = if kw.is_empty() {
                None
            } else {
                let d = PyDict::new(py);
                for (k, v) in kw.iter().zip(&rest[npos..]) {
                    d.set_item(k, v)?;
                }
                Some(d)
            };
            match callee.cast::<crate::dispatch::Dispatcher>() {
                Ok(d) => crate::dispatch::call_direct(d, &pos, kwargs.as_ref())?,
                Err(_) => callee.call(pos, kwargs.as_ref())?.unbind(),
            }
        }
        Op::Bin { op, inplace } => binop(py, *op, *inplace, &arg(0)?, &arg(1)?)?,
        Op::Unary(u) => {
            let a = arg(0)?;
            match u {
                // SAFETY: `a` is live; the calls return a new reference or NULL.
                UnaryOp::Neg => owned(py, unsafe { ffi::PyNumber_Negative(a.as_ptr()) })?,
                // SAFETY: as above.
                UnaryOp::Pos => owned(py, unsafe { ffi::PyNumber_Positive(a.as_ptr()) })?,
                // SAFETY: as above.
                UnaryOp::Invert => owned(py, unsafe { ffi::PyNumber_Invert(a.as_ptr()) })?,
                UnaryOp::Not => pyo3::types::PyBool::new(py, !a.is_truthy()?)
                    .to_owned()
                    .into_any()
                    .unbind(),
            }
        }
        Op::Cmp(c) => {
            let op = match c {
                CmpOp::Eq => CompareOp::Eq,
                CmpOp::Ne => CompareOp::Ne,
                CmpOp::Lt => CompareOp::Lt,
                CmpOp::Le => CompareOp::Le,
                CmpOp::Gt => CompareOp::Gt,
                CmpOp::Ge => CompareOp::Ge,
            };
            arg(0)?.rich_compare(arg(1)?, op)?.unbind()
        }
        Op::Truth => pyo3::types::PyBool::new(py, arg(0)?.is_truthy()?)
            .to_owned()
            .into_any()
            .unbind(),
        Op::Tuple => PyTuple::new(py, all(0)?)?.into_any().unbind(),
        Op::List => pyo3::types::PyList::new(py, all(0)?)?.into_any().unbind(),
        // (the iterable itself: the call it is the last argument of unpacks it, see `star_call`)
        Op::StarItems => arg(0)?.unbind(),
        Op::Unpack(n) => {
            let x = arg(0)?;
            let mut items = Vec::new();
            // CPython's message for an object that is neither iterable nor a sequence.
            // SAFETY: the GIL is held and `x` is live; PySequence_Check does not fail.
            if !x.get_type().hasattr(pyo3::intern!(py, "__iter__"))?
                && unsafe { pyo3::ffi::PySequence_Check(x.as_ptr()) } == 0
            {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "cannot unpack non-iterable {} object",
                    x.get_type().name()?
                )));
            }
            for it in x.try_iter()? {
                items.push(it?.unbind());
                if items.len() > *n as usize {
                    return Err(PyValueError::new_err(format!(
                        "too many values to unpack (expected {n})"
                    )));
                }
            }
            if items.len() < *n as usize {
                return Err(PyValueError::new_err(format!(
                    "not enough values to unpack (expected {n}, got {})",
                    items.len()
                )));
            }
            PyTuple::new(py, items)?.into_any().unbind()
        }
        Op::TupleGet(i) => arg(0)?.get_item(*i)?.unbind(),
        Op::GetItem => {
            let key = index_key(py, all(1)?)?;
            arg(0)?.get_item(key)?.unbind()
        }
        Op::DelItem => {
            let key = index_key(py, all(1)?)?;
            arg(0)?.del_item(key)?;
            return Ok(Some(py.None()));
        }
        Op::SetAttr(name) => {
            arg(0)?.setattr(name.as_str(), arg(1)?)?;
            return Ok(Some(py.None()));
        }
        Op::SetShape => {
            let x = arg(0)?;
            x.setattr("shape", arg(1)?)?;
            x.unbind()
        }
        Op::SetItem => {
            let mut rest = all(1)?;
            let v = rest.pop().unwrap();
            let key = index_key(py, rest)?;
            arg(0)?.set_item(key, v)?;
            return Ok(Some(py.None()));
        }
        Op::Len => {
            let x = arg(0)?;
            if iterated_by_iterator(&x) {
                // A loop over a dict, set or view holds CPython's iterator
                // (see `helpers/iters.rs`): `[iterator, current item]`.
                let items = [x.try_iter()?.into_any(), py.None().into_bound(py)];
                return Ok(Some(pyo3::types::PyList::new(py, items)?.into_any().unbind()));
            }
            x.len()?.into_pyobject(py)?.into_any().unbind()
        }
        Op::LenBound => {
            let x = arg(0)?;
            if x.cast::<pyo3::types::PyList>().is_ok() {
                i64::MAX.into_pyobject(py)?.into_any().unbind()
            } else {
                x.len()?.into_pyobject(py)?.into_any().unbind()
            }
        }
        Op::RangeLen => {
            let r = arg(0)?.call1((arg(1)?, arg(2)?, arg(3)?))?;
            r.len()?.into_pyobject(py)?.into_any().unbind()
        }
        Op::NdSize => {
            let shape = arg(0)?;
            let dims: Vec<Bound<'_, PyAny>> = match shape.cast::<PyTuple>() {
                Ok(t) => t.iter().collect(),
                Err(_) => vec![shape.clone()],
            };
            // NumPy validates the shape (and raises its own error for a negative dimension).
            py.import("numpy")?
                .getattr("ndindex")?
                .call1(PyTuple::new(py, &dims)?)?;
            let mut n = 1i64.into_pyobject(py)?.into_any();
            for d in &dims {
                n = n.mul(d.call_method0("__index__")?)?;
            }
            n.unbind()
        }
        Op::NdIndex => {
            let shape = arg(0)?;
            let dims: Vec<i64> = match shape.cast::<PyTuple>() {
                Ok(t) => t
                    .iter()
                    .map(|d| d.call_method0("__index__")?.extract())
                    .collect::<PyResult<_>>()?,
                Err(_) => vec![shape.call_method0("__index__")?.extract()?],
            };
            let mut k: i64 = arg(1)?.extract()?;
            let mut idx = vec![0i64; dims.len()];
            for a in (1..dims.len()).rev() {
                let d = dims[a].max(1);
                idx[a] = k % d;
                k /= d;
            }
            if let Some(first) = idx.first_mut() {
                *first = k;
            }
            PyTuple::new(py, idx)?.into_any().unbind()
        }
        Op::Is => pyo3::types::PyBool::new(py, arg(0)?.is(&arg(1)?))
            .to_owned()
            .into_any()
            .unbind(),
        Op::Contains => pyo3::types::PyBool::new(py, arg(0)?.contains(arg(1)?)?)
            .to_owned()
            .into_any()
            .unbind(),
        Op::CaughtExc => return Err(crate::internal_error("`caught_exc` outside a handler's entry")),
        Op::ExcMatch => crate::helpers::exceptions::exc_match(py, &arg(0)?, &arg(1)?)?,
        Op::RaiseFrom => crate::helpers::exceptions::raise_from(py, &arg(0)?, &arg(1)?)?,
        Op::Exhausted { pep479 } => {
            let stop = pyo3::exceptions::PyStopIteration::new_err(());
            if !*pep479 {
                return Err(stop);
            }
            // PEP 479: the StopIteration leaves a generator expression's frame.
            let re = pyo3::exceptions::PyRuntimeError::new_err("generator raised StopIteration");
            let v = stop.value(py).clone();
            re.set_cause(py, Some(stop));
            re.value(py).setattr("__context__", v)?;
            return Err(re);
        }
        Op::Lambda {
            name,
            line,
            index,
            names,
            ..
        } => match crate::env::lambda_maker(py, env, name, *line, *index, names)? {
            Some(make) => {
                // (an unbound variable: the lambda's cell is empty, as CPython's would be)
                let unbound = py.import("pyston._lambdas")?.getattr("UNBOUND")?.unbind();
                let vals: Vec<Py<PyAny>> = args
                    .iter()
                    .map(|a| match &vals[a.0 as usize] {
                        Some(o) => o.clone_ref(py),
                        None => unbound.clone_ref(py),
                    })
                    .collect();
                make.call1(PyTuple::new(py, vals)?)?.unbind()
            }
            None => return Err(crate::internal_error("a lambda's code object was not found")),
        },
        // A variable's cell (`Op::Cell`): new, empty or holding the value.
        Op::Cell => {
            let cell = py.import("types")?.getattr("CellType")?;
            match args.first().and_then(|a| vals[a.0 as usize].as_ref()) {
                Some(v) => cell.call1((v.clone_ref(py),))?.unbind(),
                None => cell.call0()?.unbind(),
            }
        }
        // A binding written through to the variable's cell (emptied for an unbound value).
        Op::CellSet => {
            let cell = arg(0)?;
            match args.get(1).and_then(|a| vals[a.0 as usize].as_ref()) {
                Some(v) => cell.setattr("cell_contents", v.clone_ref(py))?,
                None => {
                    if cell.hasattr("cell_contents")? {
                        cell.delattr("cell_contents")?;
                    }
                }
            }
            return Ok(Some(py.None()));
        }
        Op::Builtin(name) => {
            // Compiled code ran this only with the builtin itself (a guarded global);
            // the other arguments are converted as the call converts them.
            if name == "range" {
                // `range(start, stop, step)` itself: ValueError for a zero step.
                arg(0)?.call1((arg(1)?, arg(2)?, arg(3)?))?;
            }
            if name == "sum" {
                // `sum(gen, start)`'s start (lowering's `fold_gen_default`): any
                // value but the ones CPython's `sum` refuses before it iterates.
                if args.len() > 1 {
                    let start = arg(1)?;
                    let refused = if start.is_instance_of::<pyo3::types::PyString>() {
                        Some(("strings", "''"))
                    } else if start.is_instance_of::<pyo3::types::PyBytes>() {
                        Some(("bytes", "b''"))
                    } else if start.is_instance_of::<pyo3::types::PyByteArray>() {
                        Some(("bytearray", "b''"))
                    } else {
                        None
                    };
                    if let Some((what, join)) = refused {
                        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                            "sum() can't sum {what} [use {join}.join(seq) instead]"
                        )));
                    }
                }
                return Ok(Some(py.None()));
            }
            // np.ndindex/np.ndenumerate: their shape is checked by `nd_size`.
            let ints = if matches!(name.as_str(), "ndindex" | "ndenumerate") {
                1
            } else {
                args.len()
            };
            for k in 1..ints {
                // SAFETY: a live operand; PyNumber_Index returns a new reference or NULL.
                owned(py, unsafe { ffi::PyNumber_Index(arg(k)?.as_ptr()) })?;
            }
            return Ok(Some(py.None()));
        }
        Op::RangeNext => {
            // SAFETY: live operands; PyNumber_Index returns a new reference or NULL.
            let a = owned(py, unsafe { ffi::PyNumber_Index(arg(0)?.as_ptr()) })?;
            // SAFETY: as above.
            let s = owned(py, unsafe { ffi::PyNumber_Index(arg(1)?.as_ptr()) })?;
            binop(py, BinOp::Add, false, a.bind(py), s.bind(py))?
        }
    };
    Ok(Some(out))
}
