//! Type inference: a forward dataflow over the SSA to a fixed point.
//!
//! Argument types come from the dispatcher's type key; globals are classified
//! by the environment. A block parameter's type is the join of what flows
//! in, which may be a union of scalar types (compiled with a run-time tag).
//! A block that ends in `raise`/failed `assert` and contains something
//! compiled code cannot type is *cold*: compiled code deoptimizes on entry
//! and the interpreter builds and raises the exception exactly.

use crate::dtype::{Dtype, Kind, Layout};
use crate::error::{CResult, CompileError};
use crate::hir::{BinOp, Span, UnaryOp};
use crate::ir::{Block, Const, Function, Op, Term, Value};
use crate::semantics::Semantics;
use crate::types::*;
use std::collections::{HashMap, HashSet};

mod lists;
mod local_lists;
pub use local_lists::{array_dtype_ok, local_lists, reduce_ok};
mod strings;
pub use lists::{builtin_name, is_dict_key, native_kind};
pub use strings::{is_str, native_slice, plain_format, search_op};

/// What a global name (or module attribute) refers to, as far as compiled code cares.
#[derive(Clone, Debug, PartialEq)]
pub enum GlobalKind {
    Const(Const),
    /// An array object; `id` indexes the dispatcher's table of captured objects.
    Array(ArrTy, u32),
    Module(Module),
    Builtin(Builtin),
    Func(u32),
    DtypeObj(Dtype),
    /// A NumPy function or ufunc called through NumPy (index into captured objects).
    PyFunc(u32),
    /// Anything else: its Python type name.
    Other(String),
    /// An object of a class compiled code holds as a value (a module-level
    /// `numpy.random.Generator`); `id` indexes the captured objects' slots
    /// (the same table as [`GlobalKind::Array`]'s).
    Obj(ObjClass, u32),
    /// A namedtuple class (`types::named_tuple`'s index): calling it makes one.
    NamedTupleClass(u32),
}

/// What a call through Python/NumPy calls.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeTarget {
    /// A captured NumPy function or ufunc; the call's args follow the callee.
    Func(u32),
    /// A method of the first argument.
    Method(String),
    /// A builtin function (`abs`, `min`, ...) applied to arrays.
    Builtin(&'static str),
    /// A function of the `operator` module (`add`, `neg`, `lt`, `iadd`, ...).
    Operator(&'static str),
    /// An attribute of the first argument.
    Attr(String),
    /// `x[i, ...]`: args are the object and the indexes.
    GetItem,
    /// `x[i, ...] = v`: args are the object, the indexes and the value.
    SetItem,
    /// `g[i, j, ...]` of a captured NumPy index object (`np.mgrid`,
    /// `np.ogrid`): the args are the key's items (one arg: the key itself).
    Index(u32),
    /// A `lambda` or nested `def` (`name`) of the function's source made into
    /// a Python function (`Op::Lambda`): args are the values of `names`, its closure.
    Lambda {
        name: String,
        line: u32,
        index: u32,
        names: Vec<String>,
    },
}

pub trait Env {
    /// The result type of calling `target` with values of types `args`
    /// (trailing `kw` named), found by calling it on sample values; records
    /// the call for codegen under the instruction position `at`.
    /// `consts` gives the value of arguments that are compile-time constants.
    fn probe(
        &mut self,
        target: &ProbeTarget,
        args: &[Ty],
        consts: &[Option<Const>],
        kw: &[String],
        at: (Block, usize),
        span: Span,
    ) -> CResult<Ty>;
    fn global(&mut self, name: &str) -> GlobalKind;
    /// The module `name` as an `import` inside the function would find it (already
    /// imported: in `sys.modules`), guarded to stay that module.
    fn import(&mut self, name: &str) -> GlobalKind;
    fn module_attr(&mut self, m: Module, name: &str) -> GlobalKind;
    /// A method of the NumPy function `f` (`Ty::PyFunc`) compiled code calls
    /// through NumPy: a ufunc's `reduce`, `accumulate`, `reduceat`, `outer`
    /// and `at` (`np.add.outer(x, y)`), as another `GlobalKind::PyFunc`.
    fn pyfunc_method(&mut self, _f: u32, _name: &str) -> GlobalKind {
        GlobalKind::Other("method of a NumPy function".into())
    }
    /// Return type of compiled function `f` called with `args` (compiling it if needed).
    fn call_func(&mut self, f: u32, args: &[Ty], at: Option<Value>, span: Span) -> CResult<Ty>;
    /// Keeps the direct call `call_func` just recorded at `at` as the call of
    /// member `f` of a callee that is one of several functions (a union).
    fn member_callee(&mut self, _at: Value, _f: u32) {}
    /// Whether compiled code calls the array method `name` through NumPy
    /// (typed by [`Env::probe`]); the runtime answers from the NumPy library
    /// of the numeric tier (`pyston_numeric::numpy_lib`).
    fn array_method(&self, name: &str) -> bool;
    /// Whether compiled code reads the array attribute `name` through NumPy
    /// (`real`, `imag`; typed by [`Env::probe`]). Attributes typed natively
    /// (`shape`, `dtype`, `T`, ...) are not.
    fn array_attribute(&self, name: &str) -> bool;
    /// Records a call into Python at instruction `at` whose result type is
    /// known (`ret`): a list operation performed by the list's own method or
    /// the builtin (`ProbeTarget::Builtin("@list")`: a list of the arguments).
    fn py_op(
        &mut self,
        _target: &ProbeTarget,
        _args: &[Ty],
        _kw: &[String],
        _ret: &Ty,
        _at: (Block, usize),
        span: Span,
    ) -> CResult<()> {
        Err(CompileError::typing(
            span,
            "lists are not supported by this environment",
        ))
    }
    /// Whether the call at `at` (typed by [`Env::probe`]) returns a named tuple
    /// (`np.linalg.eigh`'s `EighResult`): compiled code holds it as a plain
    /// tuple, which is only exact where it is unpacked or indexed.
    fn named_tuple_result(&self, _at: (Block, usize)) -> bool {
        false
    }
    /// The parameter names of compiled function `f` when all of them are plain
    /// positional-or-keyword parameters (no `*args`, `**kwargs` or keyword-only
    /// ones): what a call passing keyword arguments binds them to.
    fn func_param_names(&mut self, _f: u32) -> Option<Vec<String>> {
        None
    }

    /// Whether every value of type `t` has the attribute `name`, where the
    /// type alone decides it (`hasattr(x, "name")`); `None` where it does not
    /// or the environment cannot tell.
    fn has_attribute(&mut self, _t: &Ty, _name: &str) -> Option<bool> {
        None
    }

    /// The default values of compiled function `f`'s parameters (one entry
    /// per parameter, `None` where it has none or its default is not a plain
    /// constant: a float, an int of 64 bits, a bool or None) when all of its
    /// parameters are plain positional-or-keyword ones; `None` otherwise.
    fn func_defaults(&mut self, _f: u32) -> Option<Vec<Option<Const>>> {
        None
    }

    /// Compiled code binds `f`'s default values itself (as constants): the
    /// function's `__defaults__` is guarded like a global.
    fn guard_defaults(&mut self, _f: u32) {}
}

pub struct Typed {
    pub types: Vec<Ty>,
    pub ret: Ty,
    /// Blocks compiled code does not run: it deoptimizes on entry.
    pub cold: HashSet<Block>,
    /// Resolved globals and module attributes, by the value that reads them.
    pub globals: HashMap<Value, GlobalKind>,
    /// Calls of compiled functions with keyword arguments, by result value:
    /// for each of the callee's parameters, the index (among the call's
    /// arguments, callee excluded) of the argument bound to it.
    /// An index past the call's arguments is one of `call_defaults`.
    pub call_orders: HashMap<Value, Vec<usize>>,
    /// Calls of compiled functions that leave parameters to their default
    /// values, by result value: those values, in the order `call_orders`
    /// refers to them (index `nargs + k` is the `k`th).
    pub call_defaults: HashMap<Value, Vec<Const>>,
    /// Calls decided at compile time (`hasattr(x, "name")`), by result value.
    pub static_bools: HashMap<Value, bool>,
    /// `f(..., *xs)` of a list `xs` (the call's last positional argument, an
    /// `Op::StarItems` of the list): the `star_items` values.
    pub star_args: HashSet<Value>,
    /// Those calls, by result value: how many items of the list the call
    /// passes (the callee's parameters left after the other arguments);
    /// compiled code checks the list's length is that (another length
    /// deoptimizes: the interpreter tier binds the call as CPython does) and
    /// reads the items, each checked for the list's element type.
    pub star_calls: HashMap<Value, usize>,
    /// Calls of builtin functions (`math.isinf(o)`, `abs(o)`, `round(o, 2)`)
    /// with an optional argument (`None | T`) typed for `T`, by result value:
    /// compiled code leaves where such an argument is `None` (the interpreter
    /// tier makes CPython's call, which raises its `TypeError`), and passes
    /// the `T` otherwise. Only calls the union itself does not type.
    pub none_args: HashSet<Value>,
}

impl Typed {
    pub fn ty(&self, v: Value) -> &Ty {
        &self.types[v.0 as usize]
    }
}

pub fn infer(f: &Function, params: &[Ty], env: &mut dyn Env) -> CResult<Typed> {
    infer_with(f, params, env, &Adapt::default(), &Semantics::strict())
}

/// What earlier calls taught the dispatcher about instructions (by position):
/// their int result overflowed 64 bits (`boxed`: typed as a boxed int), or
/// an int power's exponent was negative (`float_pow`: `int ** int` typed as
/// `int | float`, the float branch taken when the exponent is negative).
#[derive(Clone, Debug, Default)]
pub struct Adapt {
    pub boxed: HashSet<(Block, usize)>,
    pub float_pow: HashSet<(Block, usize)>,
}

/// Type inference under the semantics `sem` (which decides the scalar typing
/// rules: NumPy's, or Numba's), with what earlier calls taught (`adapt`).
pub fn infer_with(f: &Function, params: &[Ty], env: &mut dyn Env, adapt: &Adapt, sem: &Semantics) -> CResult<Typed> {
    let mut inf = Infer {
        f,
        env,
        t: Typed {
            types: vec![Ty::Bottom; f.values.len()],
            ret: Ty::Bottom,
            cold: HashSet::new(),
            globals: HashMap::new(),
            call_orders: HashMap::new(),
            call_defaults: HashMap::new(),
            static_bools: HashMap::new(),
            star_args: HashSet::new(),
            star_calls: HashMap::new(),
            none_args: HashSet::new(),
        },
        consts: HashMap::new(),
        probe_consts: HashMap::new(),
        cur: (Block(0), 0),
        adapt,
        numba: sem.numba_scalar_typing,
        lists: lists::Lists::new(f),
        gil_free: sem.nogil || sem.parallel,
    };
    for b in &f.blocks {
        for inst in &b.insts {
            if let (Some(r), Op::Const(c)) = (inst.result, &inst.op) {
                inf.consts.insert(r, c.clone());
            }
        }
    }
    // Tuples of constants (`np.transpose(x, (2, 0, 1))`), for probing NumPy calls.
    for b in &f.blocks {
        for inst in &b.insts {
            if let (Some(r), Op::Tuple | Op::List) = (inst.result, &inst.op) {
                let items: Option<Vec<Const>> = inst.args.iter().map(|a| inf.consts.get(a).cloned()).collect();
                if let Some(items) = items {
                    inf.probe_consts.insert(r, Const::Tuple(items));
                }
            }
        }
    }
    for (p, t) in f.block(f.entry()).params.iter().zip(params) {
        inf.t.types[p.0 as usize] = t.clone();
    }
    // Blocks reached only through exceptional edges (`try` handlers) are typed
    // too; one that cannot be typed runs on the interpreter tier (cold).
    let order = f.rpo_all();
    let normal: std::collections::HashSet<Block> = f.rpo().into_iter().collect();
    let mut rounds = 0;
    loop {
        rounds += 1;
        if rounds > 100 {
            return Err(CompileError::internal("type inference did not converge"));
        }
        let mut changed = false;
        for &b in &order {
            if inf.t.cold.contains(&b) {
                continue;
            }
            match inf.block(b) {
                Ok(c) => changed |= c,
                Err(e) => {
                    let data = f.block(b);
                    if (matches!(data.term, Term::Raise(_) | Term::AssertFail(_)) || !normal.contains(&b))
                        && e.kind != crate::error::ErrorKind::Internal
                    {
                        inf.t.cold.insert(b);
                        changed = true;
                    } else {
                        return Err(e);
                    }
                }
            }
        }
        changed |= std::mem::take(&mut inf.lists.widened);
        if !changed {
            break;
        }
    }
    // A handler's block reached only from cold blocks runs on the interpreter tier too.
    let mut exc_preds: HashMap<Block, Vec<Block>> = HashMap::new();
    for &b in &order {
        let data = f.block(b);
        for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
            exc_preds.entry(e.block).or_default().push(b);
        }
    }
    loop {
        let newly: Vec<Block> = order
            .iter()
            .copied()
            .filter(|b| !normal.contains(b) && !inf.t.cold.contains(b))
            .filter(|b| {
                exc_preds
                    .get(b)
                    .is_none_or(|ps| ps.iter().all(|p| inf.t.cold.contains(p)))
            })
            .collect();
        if newly.is_empty() {
            break;
        }
        inf.t.cold.extend(newly);
    }
    inf.check_list_loops()?;
    check_named_tuples(f, &*inf.env)?;
    let mut ret = Ty::Bottom;
    for &b in &order {
        if inf.t.cold.contains(&b) {
            continue;
        }
        if let Term::Ret(v) = &f.block(b).term {
            let t = strip_undef(inf.t.ty(*v));
            ret = join(&ret, &t).ok_or_else(|| {
                CompileError::typing(
                    f.block(b).term_span,
                    format!("the function returns values of incompatible types ({} and {})", ret, t),
                )
            })?;
        }
    }
    if ret == Ty::Bottom {
        ret = Ty::NoneT;
    }
    // A string literal returned: the constant object.
    if let Ty::Str(_) = ret {
        ret = Ty::PyStr;
    }
    // (a function: no slots, boxed as the object the program holds)
    if !(ret.is_value() || matches!(ret, Ty::Func(_))) || contains_undef(&ret) {
        return Err(CompileError::typing(
            f.span,
            format!("cannot return a value of type {ret} from compiled code"),
        ));
    }
    inf.t.ret = ret;
    Ok(inf.t)
}

/// A named tuple a NumPy call returns is held as a plain tuple: exact only
/// where it is unpacked (`w, v = np.linalg.eigh(a)`) or indexed with a
/// constant; any other use (returning it, storing it, passing it on, its
/// attributes) would show a plain tuple where CPython has the named one.
fn check_named_tuples(f: &Function, env: &dyn Env) -> CResult<()> {
    let mut named: HashSet<Value> = HashSet::new();
    for (bi, data) in f.blocks.iter().enumerate() {
        for (k, i) in data.insts.iter().enumerate() {
            if let Some(r) = i.result.filter(|_| env.named_tuple_result((Block(bi as u32), k))) {
                named.insert(r);
            }
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let unsupported = |span| {
        Err(CompileError::typing(
            span,
            "the named tuple this NumPy call returns can only be unpacked or indexed in compiled code yet",
        ))
    };
    // An unpacked named tuple is still the same tuple (its items are read with TupleGet).
    let mut grew = true;
    while grew {
        grew = false;
        for b in &f.blocks {
            for i in &b.insts {
                if matches!(i.op, Op::Unpack(_)) && i.args.iter().any(|a| named.contains(a)) {
                    grew |= i.result.is_some_and(|r| named.insert(r));
                }
            }
        }
    }
    let int_consts: HashSet<Value> = f
        .blocks
        .iter()
        .flat_map(|b| b.insts.iter())
        .filter(|i| matches!(i.op, Op::Const(Const::Int(_))))
        .filter_map(|i| i.result)
        .collect();
    for b in &f.blocks {
        for i in &b.insts {
            let read = match i.op {
                Op::Unpack(_) | Op::TupleGet(_) => true,
                // `t[k]` with a constant `k`, the tuple itself not an index
                Op::GetItem => i.args.len() == 2 && int_consts.contains(&i.args[1]) && !named.contains(&i.args[1]),
                _ => false,
            };
            if i.args.iter().any(|a| named.contains(a)) && !read {
                return unsupported(i.span);
            }
        }
        if b.term.uses().iter().any(|v| named.contains(v)) {
            return unsupported(b.term_span);
        }
    }
    Ok(())
}

/// The type without its "unbound" member: using an unbound local raises
/// (compiled code deoptimizes there), so only the bound members flow on.
pub fn strip_undef(t: &Ty) -> Ty {
    match t {
        Ty::Union(m) => {
            let rest: Vec<Ty> = m.iter().filter(|x| **x != Ty::Undef).cloned().collect();
            match rest.len() {
                0 => Ty::Undef,
                1 => rest[0].clone(),
                _ => Ty::Union(rest),
            }
        }
        t => t.clone(),
    }
}

/// Whether compiled code compares tuples (or namedtuples) `a` and `b` with
/// `==`/`!=` (`ordering` false) or `<`, `<=`, `>`, `>=`: item by item as
/// CPython's `tuple_richcompare` does. Their items must be ints or bools
/// (NumPy ones too for `==`): values where CPython's identity shortcut
/// (`x is y` before `x == y`) cannot differ from equality (a float NaN can),
/// and, for an ordering, whose comparison gives a Python `bool` (NumPy's
/// gives `np.bool`). Under Numba's rules (`numba`), which compare items by
/// value and give a `bool`, real numbers of every kind.
pub fn tuple_compare_ok(a: &Ty, b: &Ty, ordering: bool, numba: bool) -> bool {
    let item = |t: &Ty| match t {
        Ty::Int | Ty::Bool => true,
        Ty::Float => numba,
        Ty::Np(d) if numba => d.is_int() || d.kind() == Kind::Float || *d == Dtype::Bool,
        Ty::Np(d) => !ordering && (d.is_int() || *d == Dtype::Bool),
        _ => false,
    };
    match (a.tuple_items(), b.tuple_items()) {
        (Some(x), Some(y)) => x.iter().chain(y).all(item),
        _ => false,
    }
}

fn contains_undef(t: &Ty) -> bool {
    match t {
        Ty::Undef => true,
        Ty::Union(m) | Ty::Tuple(m) | Ty::NamedTuple(_, m) => m.iter().any(contains_undef),
        _ => false,
    }
}

struct Infer<'a> {
    f: &'a Function,
    env: &'a mut dyn Env,
    t: Typed,
    consts: HashMap<Value, Const>,
    /// Constant tuples (probing only: they are not constants of the IR).
    probe_consts: HashMap<Value, Const>,
    /// The instruction being typed.
    cur: (Block, usize),
    /// What earlier calls taught (boxed int results, int powers giving floats).
    adapt: &'a Adapt,
    /// Numba's scalar typing rules (`Semantics::numba_scalar_typing`) instead of NumPy's.
    numba: bool,
    /// List element types and where lists come from (`infer/lists.rs`).
    lists: lists::Lists,
    /// Compiled code may run without the GIL (`nogil`, `parallel`): no lists.
    gil_free: bool,
}

impl Infer<'_> {
    /// `x.shape = s` of an array (`Op::SetShape`): NumPy's own setter, called
    /// by the runtime (a reshape without copying, in place, with NumPy's errors
    /// and warnings), and the same object as the result, of the new rank: an
    /// int `s` makes it 1-D, a tuple of `k` ints `k`-D. The layout stays C for
    /// a C-contiguous array (a reshape without copy in C order keeps it so),
    /// else is unknown; the result is read back from the object, and a layout
    /// other than the type's deoptimizes after the call.
    fn set_shape(&mut self, argv: &[Value], args: &[Ty], span: Span) -> CResult<Ty> {
        let unsupported = |what: String| Err(CompileError::unsupported(span, what));
        let Ty::Array(a) = &args[0] else {
            return unsupported(format!(
                "assigning to the attribute 'shape' of a '{}' is not supported in compiled code yet",
                py_name(&args[0])
            ));
        };
        let int = |t: &Ty| matches!(t, Ty::Int) || matches!(t, Ty::Np(d) if d.is_int());
        let ndim = match &args[1] {
            t if int(t) => 1,
            Ty::Tuple(ts) if !ts.is_empty() && ts.len() <= 32 && ts.iter().all(int) => ts.len(),
            t => {
                return unsupported(format!(
                    "assigning a '{}' to an array's shape is not supported in compiled code yet (an int or a tuple of ints is)",
                    py_name(t)
                ))
            }
        };
        if !self.set_shape_unaliased(argv[0]) {
            return unsupported(
                "assigning to an array's shape where the array is used after it under another name is not supported in compiled code yet"
                    .into(),
            );
        }
        let ret = Ty::Array(ArrTy {
            dtype: a.dtype,
            ndim: ndim as u8,
            layout: if a.layout == Layout::C { Layout::C } else { Layout::A },
            readonly: a.readonly,
        });
        self.env
            .py_op(&ProbeTarget::Builtin("@set_shape"), args, &[], &ret, self.cur, span)?;
        Ok(ret)
    }

    /// Whether nothing compiled code holds refers to array `x`'s object with
    /// its old shape once the instruction being typed (`x.shape = s`) has run:
    /// neither `x` itself nor a value that may be the same object or hold it
    /// (a tuple of it, what a call returned, a block parameter it flows into)
    /// is live after it. Values that are new objects (views and results of
    /// indexing `x`, arithmetic) or hold none (its shape, its length) are
    /// not followed.
    fn set_shape_unaliased(&self, x: Value) -> bool {
        let f = self.f;
        let mut held: HashSet<Value> = HashSet::from([x]);
        loop {
            let n = held.len();
            for b in f.rpo_all() {
                let data = f.block(b);
                for (k, inst) in data.insts.iter().enumerate() {
                    let Some(r) = inst.result else { continue };
                    if (b, k) == self.cur || !inst.args.iter().any(|a| held.contains(a)) {
                        continue;
                    }
                    let fresh = match &inst.op {
                        Op::Bin { inplace, .. } => !inplace,
                        Op::Unary(_) | Op::Cmp(_) | Op::Len | Op::Truth | Op::Is | Op::Contains => true,
                        // `x[...]` is a new object; an index array read by indexing holds nothing.
                        Op::GetItem => inst.args[0] == x || !held.contains(&inst.args[0]),
                        Op::Attr(a) => {
                            inst.args[0] == x
                                && matches!(
                                    a.as_str(),
                                    "shape" | "size" | "ndim" | "dtype" | "T" | "strides" | "itemsize" | "nbytes"
                                )
                        }
                        _ => false,
                    };
                    if !fresh {
                        held.insert(r);
                    }
                }
                for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
                    for (p, a) in f.block(e.block).params.iter().zip(&e.args) {
                        if held.contains(a) {
                            held.insert(*p);
                        }
                    }
                }
            }
            if held.len() == n {
                break;
            }
        }
        let live_in = f.live_in();
        let (b, k) = self.cur;
        !f.live_before(b, k + 1, &live_in).iter().any(|v| held.contains(v))
    }
}

fn unsupported_operands(span: Span, op: &str, a: &Ty, b: &Ty) -> CompileError {
    CompileError::typing(
        span,
        format!(
            "compiled code does not support {op} between '{}' and '{}'",
            py_name(a),
            py_name(b)
        ),
    )
}

impl Infer<'_> {
    /// Whether `star_items` `r` (the instruction being typed) of a value of
    /// type `t` is `*xs` of a list of native elements (or of no element seen)
    /// whose only use is as the last positional argument of a call without
    /// keywords in the same block (`f(a, *xs)`: nothing runs between reading
    /// the items and the call). Noted in `star_args` for [`Infer::star_call`].
    fn star_list_call(&mut self, r: Value, t: &Ty) -> bool {
        let Ty::List(e) = t else { return false };
        // (str items: compiled code would have to keep references to them)
        if (native_kind(e).is_none() || **e == Ty::PyStr) && **e != Ty::Bottom {
            return false;
        }
        let (b, k) = self.cur;
        let f = self.f;
        let mut uses = 0;
        for blk in &f.blocks {
            uses += blk
                .insts
                .iter()
                .map(|i| i.args.iter().filter(|a| **a == r).count())
                .sum::<usize>();
            uses += blk.term.uses().iter().filter(|a| **a == r).count();
            uses += blk.handler.iter().flat_map(|h| &h.args).filter(|a| **a == r).count();
        }
        let call = f.block(b).insts[k + 1..].iter().find(|i| i.args.contains(&r));
        let ok = uses == 1
            && call.is_some_and(|c| matches!(&c.op, Op::Call { kw } if kw.is_empty()) && c.args.last() == Some(&r));
        if ok {
            self.t.star_args.insert(r);
        }
        ok
    }

    /// `f(a, ..., *xs)` of a list `xs` (see [`Infer::star_list_call`]) where
    /// `f` is a compiled function with plain parameters: typed as the call
    /// passing as many items of the list as `f` has parameters left, each of
    /// the list's element type. Compiled code checks the length (another
    /// length deoptimizes: the interpreter tier makes CPython's call, its
    /// defaults and `TypeError` included) and each item's type.
    fn star_call(&mut self, callee: &Ty, args: &[Ty], r: Option<Value>, span: Span) -> CResult<Ty> {
        let Ty::Func(f) = callee else {
            return Err(CompileError::typing(
                span,
                "`f(*xs)` of a list is compiled for calls of compiled or module-level functions",
            ));
        };
        let (Some(Ty::List(e)), Some(r)) = (args.last(), r) else {
            return Err(CompileError::internal("a star call without its list"));
        };
        let Some(names) = self.env.func_param_names(*f) else {
            return Err(CompileError::typing(
                span,
                "`f(*xs)` of a list is compiled for functions whose parameters are all plain positional-or-keyword ones",
            ));
        };
        let fixed = args.len() - 1;
        // (too many arguments whatever the list holds: CPython's TypeError, from
        // the interpreter tier; so is a list seen empty where items are needed)
        if names.len() < fixed || (names.len() > fixed && **e == Ty::Bottom) {
            return Ok(Ty::Bottom);
        }
        let k = names.len() - fixed;
        let mut pos = args[..fixed].to_vec();
        pos.extend(std::iter::repeat_n((**e).clone(), k));
        self.t.star_calls.insert(r, k);
        self.env.call_func(*f, &pos, Some(r), span)
    }

    fn set(&mut self, v: Value, t: Ty) -> bool {
        let slot = &mut self.t.types[v.0 as usize];
        if *slot != t {
            *slot = t;
            true
        } else {
            false
        }
    }

    /// Types one block; returns whether any type changed.
    fn block(&mut self, b: Block) -> CResult<bool> {
        let data = self.f.block(b);
        let mut changed = false;
        for (k, inst) in data.insts.iter().enumerate() {
            // `unbound | T` arguments are typed as T: the unbound case deoptimizes
            // (UnboundLocalError on the interpreter tier).
            let args: Vec<Ty> = inst
                .args
                .iter()
                .map(|a| match self.t.ty(*a) {
                    t @ Ty::Union(ms) if ms.len() == 2 && ms.contains(&Ty::Undef) => strip_undef(t),
                    t => t.clone(),
                })
                .collect();
            if args.contains(&Ty::Bottom) {
                continue;
            }
            self.cur = (b, k);
            if let Some(t) = self.inst(&inst.op, &inst.args, &args, inst.result, inst.span)? {
                if let Some(r) = inst.result {
                    changed |= self.set(r, t);
                }
            }
        }
        for e in data.term.successors().into_iter().chain(data.handler.as_ref()) {
            let target = self.f.block(e.block);
            for (p, a) in target.params.iter().zip(&e.args) {
                let at = self.t.ty(*a).clone();
                let pt = self.t.ty(*p).clone();
                let j = join(&pt, &at).ok_or_else(|| {
                    let name = self.f.values[p.0 as usize]
                        .name
                        .clone()
                        .unwrap_or_else(|| "a value".into());
                    CompileError::typing(
                        data.term_span,
                        format!("variable '{name}' holds values of incompatible types ({pt} and {at})"),
                    )
                })?;
                if j != pt {
                    self.set(*p, j);
                    changed = true;
                }
            }
        }
        if let Term::Br(c, _, _) = &data.term {
            let t = self.t.ty(*c);
            if *t != Ty::Bool && *t != Ty::Bottom {
                return Err(CompileError::internal(format!("branch on a non-bool ({t})")));
            }
        }
        let reraise = matches!(&data.term, Term::Raise(v) if *self.t.ty(*v) == Ty::Obj(ObjClass::Exception));
        if matches!(data.term, Term::Raise(_) | Term::AssertFail(_)) && !reraise {
            // The interpreter raises; make sure the block is treated as cold.
            return Err(CompileError::typing(data.term_span, "raise"));
        }
        Ok(changed)
    }

    fn global_ty(&mut self, r: Option<Value>, g: GlobalKind, span: Span, what: &str) -> CResult<Ty> {
        let t = match &g {
            GlobalKind::Const(c) => const_ty(c, span)?,
            GlobalKind::Array(a, _) => Ty::Array(*a),
            GlobalKind::Module(m) => Ty::Module(*m),
            GlobalKind::Builtin(b) => Ty::Builtin(*b),
            GlobalKind::Func(i) => Ty::Func(*i),
            GlobalKind::DtypeObj(d) => Ty::DtypeObj(*d),
            GlobalKind::PyFunc(i) => Ty::PyFunc(*i),
            GlobalKind::Obj(c, _) => Ty::Obj(*c),
            GlobalKind::NamedTupleClass(c) => Ty::NamedTupleClass(*c),
            GlobalKind::Other(tn) => {
                return Err(CompileError::typing(
                    span,
                    format!("{what} is a '{tn}' object, which compiled code cannot use"),
                ))
            }
        };
        if let Some(r) = r {
            self.t.globals.insert(r, g);
        }
        Ok(t)
    }

    fn inst(&mut self, op: &Op, argv: &[Value], args: &[Ty], r: Option<Value>, span: Span) -> CResult<Option<Ty>> {
        // `f(..., *xs)` of a list, first: no other rule may take the list for
        // an argument of its own (`len(*xs)` is not `len(xs)`).
        if matches!(op, Op::Call { .. }) && argv.len() >= 2 && self.t.star_args.contains(&argv[argv.len() - 1]) {
            return self.star_call(&args[0], &args[1..], r, span).map(Some);
        }
        if *op == Op::LenBound {
            // A list's bound is a constant (the loop re-reads its length); the rest's
            // is their length. (zip() over a dict, a set or a view: not compiled.)
            return match &args[0] {
                Ty::List(_) => Ok(Some(Ty::Int)),
                Ty::Dict(..) | Ty::Set(_) | Ty::View(..) | Ty::Iter(_) | Ty::PyIter(_) => Err(CompileError::typing(
                    span,
                    format!(
                        "zip() over a '{}' is not supported in compiled code yet",
                        py_name(&args[0])
                    ),
                )),
                _ => self.inst(&Op::Len, argv, args, r, span),
            };
        }
        if args.iter().any(has_special) {
            special_gate(op, args, span)?;
        }
        if let Some(t) = self.iter_op(op, argv, args, r, span)? {
            return Ok(t);
        }
        if let Some(t) = self.str_op(op, argv, args, r, span)? {
            return Ok(t);
        }
        if let Some(t) = self.set_op(op, argv, args, r, span)? {
            return Ok(t);
        }
        if let Some(t) = self.list_op(op, argv, args, r, span)? {
            return Ok(t);
        }
        if let Some(t) = self.dict_op(op, argv, args, r, span)? {
            return Ok(t);
        }
        Ok(Some(match op {
            // Operations on arrays NumPy performs itself (arithmetic, comparisons,
            // slicing, fancy indexing, methods): the result type is probed.
            _ if self.numpy_op(op, args).is_some() => {
                let (target, kw) = self.numpy_op(op, args).unwrap();
                let skip = usize::from(matches!(
                    target,
                    ProbeTarget::Func(_) | ProbeTarget::Builtin(_) | ProbeTarget::Index(_)
                ));
                let consts: Vec<Option<Const>> = argv[skip..]
                    .iter()
                    .map(|v| self.consts.get(v).or(self.probe_consts.get(v)).cloned())
                    .collect();
                let t = match self.env.probe(&target, &args[skip..], &consts, &kw, self.cur, span) {
                    Ok(t) => t,
                    // `np.sqrt(o)` of an optional `o`: typed for its value
                    Err(e) if matches!(target, ProbeTarget::Func(_)) => {
                        self.retry_optional(r, &args[skip..], e, &mut |inf, stripped| {
                            inf.env.probe(&target, stripped, &consts, &kw, inf.cur, span)
                        })?
                    }
                    Err(e) => return Err(e),
                };
                if matches!(op, Op::SetItem) {
                    return Ok(None);
                }
                t
            }
            Op::Const(c) => const_ty(c, span)?,
            Op::Slice => {
                for t in args {
                    if !(is_index(t) || *t == Ty::NoneT) {
                        return Err(CompileError::typing(
                            span,
                            format!("slice indices must be integers or None, not '{}'", py_name(t)),
                        ));
                    }
                }
                Ty::Slice(args.to_vec())
            }
            Op::Global(name) => {
                let g = self.env.global(name);
                self.global_ty(r, g, span, &format!("'{name}'"))?
            }
            Op::Import(name) => match self.env.import(name) {
                GlobalKind::Other(why) => {
                    return Err(CompileError::unsupported(span, format!("`import {name}` in compiled code: {why}")))
                }
                g => self.global_ty(r, g, span, &format!("module '{name}'"))?,
            },
            Op::Undef(_) => Ty::Undef,
            // (never assigned on any path seen yet: untyped, as a use of `undef` is)
            Op::Bound(..) => match strip_undef(&args[0]) {
                Ty::Undef => Ty::Bottom,
                t => t,
            },
            // `raise ... from ...` is built by the interpreter tier (the block is cold), and
            // `try` handlers run there too (they are reached by exceptional edges only).
            Op::RaiseFrom => return Err(CompileError::typing(span, "raise")),
            // (raises `StopIteration` natively: see `codegen`)
            Op::Exhausted { .. } => return Ok(None),
            Op::CaughtExc => Ty::Obj(ObjClass::Exception),
            Op::ExcMatch => {
                let class = |t: &Ty| *t == Ty::Obj(ObjClass::ExcClass);
                let ok = match &args[1] {
                    Ty::Tuple(ts) => ts.iter().all(class),
                    t => class(t),
                };
                if args[0] != Ty::Obj(ObjClass::Exception) || !ok {
                    return Err(CompileError::typing(span, "an `except` clause of classes compiled code does not know"));
                }
                Ty::Bool
            }
            Op::Attr(name) => self.attr(&args[0], name, r, span)?,
            Op::Call { kw } => self.call_optional(&args[0], &args[1..], r, kw, span)?,
            Op::MethodCall { name, kw } => match &args[0] {
                Ty::Module(m) if matches!(self.env.module_attr(*m, name), GlobalKind::PyFunc(_)) => {
                    let GlobalKind::PyFunc(i) = self.env.module_attr(*m, name) else {
                        unreachable!()
                    };
                    self.probe_func(i, &argv[1..], &args[1..], kw, span)?
                }
                // `np.add.outer(x, y)`, `np.maximum.accumulate(a)`: the ufunc's method,
                // called through NumPy (typed by probing, as the ufunc itself).
                Ty::PyFunc(f) if matches!(self.env.pyfunc_method(*f, name), GlobalKind::PyFunc(_)) => {
                    let GlobalKind::PyFunc(i) = self.env.pyfunc_method(*f, name) else {
                        unreachable!()
                    };
                    self.probe_func(i, &argv[1..], &args[1..], kw, span)?
                }
                Ty::Module(m) => {
                    let g = self.env.module_attr(*m, name);
                    let callee = self.global_ty(None, g.clone(), span, &format!("'{name}'"))?;
                    if let Some(r) = r {
                        // The resolved callee is recorded under the call's result.
                        self.t.globals.insert(r, g);
                    }
                    self.call_optional(&callee, &args[1..], r, kw, span)?
                }
                Ty::Array(a) => match (name.as_str(), args.len(), kw.is_empty()) {
                    ("copy", 1, true) => Ty::Array(ArrTy {
                        layout: Layout::C,
                        readonly: false,
                        ..*a
                    }),
                    _ => {
                        return Err(CompileError::typing(
                            span,
                            format!("the array method '{name}' is not supported in compiled code yet"),
                        ))
                    }
                },
                // A method of an object compiled code holds (a Generator's draws), or
                // of a number (`n.bit_length()`, `x.is_integer()`, `z.conjugate()`,
                // a NumPy scalar's `z.conj()`, `x.item()`): the environment types it
                // (by its rule, or by calling it on samples) and records the call
                // into Python.
                Ty::Obj(_) | Ty::Int | Ty::Float | Ty::Complex | Ty::Bool | Ty::Np(_) => {
                    let consts: Vec<Option<Const>> = argv
                        .iter()
                        .map(|v| self.consts.get(v).or(self.probe_consts.get(v)).cloned())
                        .collect();
                    self.env
                        .probe(&ProbeTarget::Method(name.clone()), args, &consts, kw, self.cur, span)?
                }
                // `t.index(x)` / `t.count(x)` of ints and bools: compared by value as
                // CPython's identity-then-`==` does for them (see `tuple_compare_ok`).
                t @ (Ty::Tuple(_) | Ty::NamedTuple(..))
                    if matches!(name.as_str(), "index" | "count")
                        && kw.is_empty()
                        && args.len() == 2
                        && tuple_compare_ok(t, &Ty::Tuple(vec![args[1].clone()]), false, false) =>
                {
                    Ty::Int
                }
                t => {
                    return Err(CompileError::typing(
                        span,
                        format!(
                            "calling method '{name}' of '{}' is not supported in compiled code",
                            py_name(t)
                        ),
                    ))
                }
            },
            Op::Bin { op, .. } => {
                let boxed = self.adapt.boxed.contains(&self.cur);
                let float_pow = *op == BinOp::Pow && self.adapt.float_pow.contains(&self.cur);
                let numba = self.numba;
                let optional = args.iter().any(maybe_none);
                let t = self.each_member2(&args[0], &args[1], span, &|a, b| {
                    if optional && (*a == Ty::NoneT || *b == Ty::NoneT) {
                        // `None + x` raises TypeError: compiled code deoptimizes (see `codegen::none_operand`).
                        return Ok(Ty::Bottom);
                    }
                    if let (BinOp::Add, Some(x), Some(y)) = (op, a.tuple_items(), b.tuple_items()) {
                        // Concatenation: a plain tuple (a namedtuple's `+` is `tuple`'s).
                        return Ok(Ty::Tuple(x.iter().chain(y).cloned().collect()));
                    }
                    let int_like = |t: &Ty| matches!(t, Ty::Int | Ty::Bool | Ty::PyInt);
                    if (*a == Ty::PyInt || *b == Ty::PyInt) && (*a == Ty::Float || *b == Ty::Float) {
                        // A boxed int with a float: CPython's float arithmetic (may raise OverflowError).
                        return match op {
                            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod => {
                                Ok(Ty::Float)
                            }
                            _ => Err(unsupported_operands(span, op.symbol(), a, b)),
                        };
                    }
                    if (*a == Ty::PyInt || *b == Ty::PyInt) && int_like(a) && int_like(b) {
                        return match op {
                            BinOp::Div => Ok(Ty::Float),
                            BinOp::MatMul => Err(unsupported_operands(span, op.symbol(), a, b)),
                            _ => Ok(Ty::PyInt),
                        };
                    }
                    match (a.scalar(), b.scalar()) {
                        (Some(x), Some(y)) => binop_result_in(numba, *op, x, y).map(Ty::from_scalar),
                        _ => None,
                    }
                    .ok_or_else(|| unsupported_operands(span, op.symbol(), a, b))
                })?;
                if float_pow && t == Ty::Int {
                    // `int ** int` with a negative exponent is a float (CPython).
                    Ty::Union(vec![Ty::Int, Ty::Float])
                } else if boxed && t == Ty::Int && op.name() != "truediv" {
                    Ty::PyInt
                } else {
                    t
                }
            }
            Op::Unary(u) => self.each_member(&args[0], span, &|a| {
                if *u == UnaryOp::Not && matches!(a, Ty::NoneT | Ty::Tuple(_) | Ty::NamedTuple(..) | Ty::PyInt) {
                    return Ok(Ty::Bool);
                }
                if *a == Ty::NoneT && maybe_none(&args[0]) {
                    return Ok(Ty::Bottom); // `-None` raises TypeError: deoptimizes
                }
                if *a == Ty::PyInt {
                    return Ok(Ty::PyInt);
                }
                a.scalar()
                    .and_then(|s| unary_result(*u, s))
                    .map(Ty::from_scalar)
                    .ok_or_else(|| {
                        CompileError::typing(
                            span,
                            format!("compiled code does not support unary {} on '{}'", u.name(), py_name(a)),
                        )
                    })
            })?,
            Op::Cmp(c) => {
                let ordering = !matches!(c, crate::hir::CmpOp::Eq | crate::hir::CmpOp::Ne);
                let optional = args.iter().any(maybe_none);
                let numba = self.numba;
                self.each_member2(&args[0], &args[1], span, &|a, b| match (a, b) {
                    (Ty::NoneT, Ty::NoneT) if !ordering => Ok(Ty::Bool),
                    (Ty::NoneT, Ty::NoneT) if optional => Ok(Ty::Bottom),
                    // `None == 2.5` is False; `None < 2.5` raises TypeError (deoptimizes).
                    (Ty::NoneT, t) | (t, Ty::NoneT) if optional && t.scalar().is_some() => {
                        Ok(if ordering { Ty::Bottom } else { Ty::Bool })
                    }
                    (Ty::PyInt, Ty::Int | Ty::Bool | Ty::PyInt | Ty::Float)
                    | (Ty::Int | Ty::Bool | Ty::Float, Ty::PyInt) => Ok(Ty::Bool),
                    _ if tuple_compare_ok(a, b, ordering, numba) => Ok(Ty::Bool),
                    _ => match (a.scalar(), b.scalar()) {
                        (Some(x), Some(y)) => cmp_result(x, y, ordering),
                        _ => None,
                    }
                    .ok_or_else(|| unsupported_operands(span, "comparison", a, b)),
                })?
            }
            Op::Truth => self
                .each_member(&args[0], span, &|a| match a {
                    Ty::Array(_) => Err(CompileError::typing(
                        span,
                        "the truth value of an array is not supported in compiled code (use a.any() or a.all())",
                    )),
                    t if t.is_value() => Ok(Ty::Bool),
                    t => Err(CompileError::typing(span, format!("truth value of '{}'", py_name(t)))),
                })
                .map(|t| if matches!(t, Ty::Union(_)) { Ty::Bool } else { t })?,
            // A tuple of classes, for isinstance (compile-time only: no slots).
            Op::Tuple if !args.is_empty() && args.iter().all(crate::types::is_class) => Ty::Tuple(args.to_vec()),
            Op::Tuple | Op::List => {
                let mut elems = Vec::new();
                for t in args {
                    let t = strip_undef(t);
                    if t == Ty::Undef {
                        // Not assigned on any path seen yet (a loop's later iterations
                        // may assign it): untyped until then; if never, reading it
                        // raises UnboundLocalError (compiled code leaves here).
                        return Ok(Some(Ty::Bottom));
                    }
                    // (a function: a compile-time value, as in a tuple argument;
                    // a list holds only values with slots)
                    if !(t.is_value() || matches!(t, Ty::Str(_)) || op == &Op::Tuple && matches!(t, Ty::Func(_))) {
                        return Err(CompileError::typing(
                            span,
                            format!("a tuple cannot hold a '{}' in compiled code", py_name(&t)),
                        ));
                    }
                    elems.push(t);
                }
                Ty::Tuple(elems)
            }
            Op::StarItems => {
                // `f(..., *xs)` of a list, the last positional argument of a call of a
                // compiled function: the list itself (the call reads its items).
                if r.is_some_and(|r| self.star_list_call(r, &args[0])) {
                    args[0].clone()
                } else {
                    return Err(CompileError::typing(
                        span,
                        "`*x` is compiled for a tuple parameter (or `*args`) the function never rebinds, a list (of ints, floats, bools or NumPy scalars) as the last positional argument of a call of a compiled or module-level function, `tuple(genexp)` over tuples whose lengths the parameters' types give",
                    ));
                }
            }
            Op::Unpack(n) => match &args[0] {
                Ty::Tuple(ts) if ts.len() == *n as usize => args[0].clone(),
                // (the same slots: its items)
                Ty::NamedTuple(_, ts) if ts.len() == *n as usize => Ty::Tuple(ts.clone()),
                // `dx, dy = a` of a 1-D array: its elements, as `a[0], a[1]` (a
                // length other than n deoptimizes: CPython's ValueError).
                Ty::Array(a) if a.ndim == 1 && matches!(a.dtype.kind(), Kind::Bool | Kind::Int | Kind::Float | Kind::Complex) => {
                    let elem = self.getitem(&args[0], &[], &[Ty::Int], span)?;
                    Ty::Tuple(vec![elem; *n as usize])
                }
                // `i, j = np.mgrid[...]` of an N-D array: views of its first axis's
                // rows, as `a[0], a[1]` (another length deoptimizes, as above).
                Ty::Array(a) if a.ndim >= 2 => {
                    let row = self.getitem(&args[0], &[], &[Ty::Int], span)?;
                    Ty::Tuple(vec![row; *n as usize])
                }
                t => {
                    return Err(CompileError::typing(
                        span,
                        format!("cannot unpack a '{}' into {n} values in compiled code", py_name(t)),
                    ))
                }
            },
            Op::Lambda {
                name,
                escapes,
                line,
                index,
                names,
            } => {
                let what = if name == "<lambda>" { "a lambda".to_string() } else { format!("the nested function '{name}'") };
                for (t, n) in args.iter().zip(names) {
                    let t = strip_undef(t);
                    if t == Ty::Bottom || t == Ty::Undef {
                        return Ok(Some(Ty::Bottom)); // (not assigned on any path seen yet)
                    }
                    if !(t.is_value() || t.is_object() || matches!(t, Ty::PyStr | Ty::PyInt)) {
                        return Err(CompileError::unsupported(
                            span,
                            format!("{what} reading a '{}' is not supported in compiled code yet", py_name(&t)),
                        ));
                    }
                    // A function called later reads the variable's object then: one
                    // that compiled code holds natively (a local list, dict, view or
                    // iterator) would be a copy, blind to later changes in place.
                    if *escapes && !shared_in_closure(&t) {
                        return Err(CompileError::unsupported(
                            span,
                            format!(
                                "{what} used as a value reads '{n}', a '{}' compiled code holds natively \
                                 (not shared with the function made): not supported yet",
                                py_name(&t)
                            ),
                        ));
                    }
                }
                let ret = Ty::Obj(ObjClass::Function);
                let target = ProbeTarget::Lambda {
                    name: name.clone(),
                    line: *line,
                    index: *index,
                    names: names.clone(),
                };
                self.env.py_op(&target, args, &[], &ret, self.cur, span)?;
                ret
            }
            // A variable's cell (`Op::Cell`) and its bindings written through to
            // it: `types.CellType(v)` and the cell's `cell_contents` setter (or
            // deleter), called through Python with the value boxed.
            Op::Cell | Op::CellSet => {
                let setting = matches!(op, Op::CellSet);
                let v = if setting { args.get(1) } else { args.first() };
                if let Some(t) = v {
                    let t = strip_undef(t);
                    if t == Ty::Bottom || t == Ty::Undef {
                        return Ok(if setting { None } else { Some(Ty::Bottom) });
                    }
                    if !(t.is_value() || t.is_object() || matches!(t, Ty::PyStr | Ty::PyInt)) || !shared_in_closure(&t) {
                        return Err(CompileError::unsupported(
                            span,
                            format!(
                                "a variable a function made here reads after it is bound again holds a '{}' \
                                 (not shared with the function made): not supported yet",
                                py_name(&t)
                            ),
                        ));
                    }
                }
                let (target, ret) = match (setting, v.is_some()) {
                    (false, _) => ("@cell", Ty::Obj(ObjClass::Cell)),
                    (true, true) => ("@cell_set", Ty::NoneT),
                    (true, false) => ("@cell_clear", Ty::NoneT),
                };
                self.env.py_op(&ProbeTarget::Builtin(target), args, &[], &ret, self.cur, span)?;
                if setting {
                    return Ok(None);
                }
                ret
            }
            Op::TupleGet(i) => match &args[0] {
                Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => ts[*i as usize].clone(),
                _ => return Err(CompileError::internal("tuple_get on a non-tuple")),
            },
            Op::GetItem => self.getitem(&args[0], &argv[1..], &args[1..], span)?,
            Op::DelItem => {
                return Err(CompileError::typing(
                    span,
                    format!("`del x[i]` of a '{}' is not supported in compiled code yet (lists and dicts)", py_name(&args[0])),
                ))
            }
            Op::SetItem => {
                let n = args.len();
                self.setitem(&args[0], &args[1..n - 1], &args[n - 1], span)?;
                return Ok(None);
            }
            // `a[i].x = v` of an element whose `x` is a field (np.record): `a[i]['x'] = v`.
            Op::SetAttr(name) => match &args[0] {
                Ty::Np(d) if d.attr_field(name, true).is_some() => {
                    self.setitem(&args[0], &[Ty::Str(name.clone())], &args[1], span)?;
                    return Ok(None);
                }
                t => {
                    return Err(CompileError::unsupported(
                        span,
                        format!(
                            "assigning to the attribute '{name}' of a '{}' is not supported in compiled code yet",
                            py_name(t)
                        ),
                    ))
                }
            },
            Op::SetShape => self.set_shape(argv, args, span)?,
            Op::LenBound => return Err(CompileError::internal("len_bound")),
            Op::Len => match &args[0] {
                Ty::Array(a) if a.ndim >= 1 => Ty::Int,
                Ty::Tuple(_) | Ty::NamedTuple(..) => Ty::Int,
                t => {
                    return Err(CompileError::typing(
                        span,
                        format!("compiled code cannot iterate over a '{}'", py_name(t)),
                    ))
                }
            },
            Op::RangeLen => {
                if args[0] != Ty::Builtin(Builtin::Range) {
                    return Err(CompileError::typing(span, "'range' is not the builtin range here"));
                }
                for t in &args[1..] {
                    if !is_index(t) {
                        return Err(CompileError::typing(
                            span,
                            format!("'{}' object cannot be interpreted as an integer", py_name(t)),
                        ));
                    }
                }
                Ty::Int
            }
            Op::RangeNext => Ty::Int,
            Op::Builtin(name) if name == "known" => {
                // A callee (or a method's receiver) the lowering assumed cannot raise
                // StopIteration inside a generator expression (`lower/iters.rs`): a
                // builtin, NumPy's, a module's or a value's compiled code knows; not
                // code of the user's (a function, a namedtuple's class or methods).
                let user = matches!(
                    &args[0],
                    Ty::Func(_)
                        | Ty::NamedTupleClass(_)
                        | Ty::NamedTuple(..)
                        | Ty::Obj(ObjClass::Function | ObjClass::ExcClass | ObjClass::Exception)
                );
                if user {
                    return Err(CompileError::typing(
                        span,
                        format!(
                            "a call of a '{}' inside a generator expression that was taken for a builtin",
                            py_name(&args[0])
                        ),
                    ));
                }
                return Ok(None);
            }
            Op::Builtin(name) => {
                let want = match name.as_str() {
                    "iter" => Builtin::Iter,
                    "next" => Builtin::Next,
                    "range" => Builtin::Range,
                    "enumerate" => Builtin::Enumerate,
                    "zip" => Builtin::Zip,
                    "reversed" => Builtin::Reversed,
                    "ndindex" => Builtin::NdIndex,
                    "ndenumerate" => Builtin::NdEnumerate,
                    "sum" => Builtin::Sum,
                    "min" => Builtin::Min,
                    "max" => Builtin::Max,
                    "any" => Builtin::Any,
                    "all" => Builtin::All,
                    "list" => Builtin::List,
                    "dict" => Builtin::Dict,
                    "set" => Builtin::Set,
                    "getattr" => Builtin::Getattr,
                    "map" => Builtin::Map,
                    "filter" => Builtin::Filter,
                    "tuple" => Builtin::Tuple,
                    _ => return Err(CompileError::internal(format!("unknown inline builtin {name}"))),
                };
                if args[0] != Ty::Builtin(want) {
                    return Err(CompileError::typing(
                        span,
                        format!("'{name}' is not the builtin {name} here"),
                    ));
                }
                if name == "ndenumerate" {
                    if !matches!(&args[1], Ty::Array(a) if a.ndim >= 1) {
                        return Err(CompileError::typing(
                            span,
                            format!("np.ndenumerate of a '{}' is not supported in compiled code", py_name(&args[1])),
                        ));
                    }
                    return Ok(None);
                }
                if name == "sum" {
                    // `sum(gen, start)`'s start (lower/comp.rs): a number.
                    let number = |t: &Ty| matches!(t, Ty::Int | Ty::PyInt | Ty::Bool | Ty::Float | Ty::Complex | Ty::Np(_));
                    if args[1..].iter().all(|t| t.members().iter().all(number)) {
                        return Ok(None);
                    }
                    return Err(CompileError::typing(
                        span,
                        format!("sum() of a generator expression is compiled with a number start, not a '{}'", py_name(&args[1])),
                    ));
                }
                let ints: Vec<Ty> = match (name.as_str(), &args[1..]) {
                    ("ndindex", [Ty::Tuple(ts)]) if !ts.is_empty() => ts.clone(),
                    ("ndindex", [t]) if is_index(t) => vec![t.clone()],
                    ("ndindex", _) => {
                        return Err(CompileError::typing(
                            span,
                            "np.ndindex is compiled with a shape of ints (one tuple, or the dimensions)",
                        ))
                    }
                    (_, ts) => ts.to_vec(),
                };
                for t in &ints {
                    if !is_index(t) {
                        return Err(CompileError::typing(
                            span,
                            format!("'{}' object cannot be interpreted as an integer", py_name(t)),
                        ));
                    }
                }
                return Ok(None);
            }
            Op::NdSize => Ty::Int,
            Op::NdIndex => match &args[0] {
                Ty::Tuple(ts) => Ty::Tuple(vec![Ty::Int; ts.len()]),
                _ => Ty::Tuple(vec![Ty::Int]),
            },
            Op::Is => self.each_member2(&args[0], &args[1], span, &|a, b| {
                is_rule(a, b).map(|_| Ty::Bool).ok_or_else(|| {
                    CompileError::typing(
                        span,
                        format!(
                            "`is` between a '{}' and a '{}' is not supported in compiled code (object identity is only decided for None, bools and values of different types)",
                            py_name(a),
                            py_name(b)
                        ),
                    )
                })
            })
            .map(|_| Ty::Bool)?,
            Op::Contains => match &args[0] {
                Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => {
                    // Each item is compared by identity, then `==`: only a float (or
                    // complex) item and needle could be one NaN object, which compiled
                    // code cannot tell; an int and a float never are.
                    let floaty = |t: &Ty| {
                        matches!(t, Ty::Float | Ty::Complex)
                            || matches!(t, Ty::Np(d) if matches!(d.kind(), crate::dtype::Kind::Float | crate::dtype::Kind::Complex))
                    };
                    let item_ok = |t: &Ty| contains_operand(t) || floaty(t);
                    let needle = args[1].members();
                    let ok = ts.iter().all(item_ok)
                        && needle.iter().all(|m| item_ok(m) && !(floaty(m) && ts.iter().any(floaty)));
                    if !ok {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "`in` on a '{}' with a '{}' is not supported in compiled code yet (a float in floats: CPython matches a NaN float by identity)",
                                args[0],
                                py_name(&args[1])
                            ),
                        ));
                    }
                    Ty::Bool
                }
                t => {
                    return Err(CompileError::typing(
                        span,
                        format!("`in` on a '{}' is not supported in compiled code yet", py_name(t)),
                    ))
                }
            },
        }))
    }

    /// Applies `f` to every member of a (possibly union) type and joins the results.
    fn each_member(&self, a: &Ty, span: Span, f: &dyn Fn(&Ty) -> CResult<Ty>) -> CResult<Ty> {
        let mut out = Ty::Bottom;
        for m in a.members() {
            if m == Ty::Undef {
                continue; // raises UnboundLocalError at run time
            }
            let t = f(&m)?;
            out = join(&out, &t)
                .ok_or_else(|| CompileError::typing(span, format!("incompatible result types {out} and {t}")))?;
        }
        Ok(out)
    }

    fn each_member2(&self, a: &Ty, b: &Ty, span: Span, f: &dyn Fn(&Ty, &Ty) -> CResult<Ty>) -> CResult<Ty> {
        self.each_member(a, span, &|x| self.each_member(b, span, &|y| f(x, y)))
    }

    fn attr(&mut self, x: &Ty, name: &str, r: Option<Value>, span: Span) -> CResult<Ty> {
        // `a.x` of an np.recarray, `a[i].x` of an np.record element: the field.
        match x {
            Ty::Array(a) if a.dtype.attr_field(name, false).is_some() => {
                if let Some(t) = record_getitem(x, &[Ty::Str(name.to_string())], span)? {
                    return Ok(t);
                }
            }
            Ty::Np(d) if d.attr_field(name, true).is_some() => {
                if let Some(t) = record_getitem(x, &[Ty::Str(name.to_string())], span)? {
                    return Ok(t);
                }
            }
            _ => {}
        }
        // `p.x` of a namedtuple: its item (the class's field descriptor, checked
        // when the class was registered).
        if let Ty::NamedTuple(c, ts) = x {
            if let Some(i) = crate::types::named_tuple(*c).and_then(|d| d.fields.iter().position(|f| f == name)) {
                return Ok(ts[i].clone());
            }
        }
        Ok(match (x, name) {
            (Ty::Module(m), _) => {
                let g = self.env.module_attr(*m, name);
                self.global_ty(r, g, span, &format!("'{name}'"))?
            }
            (Ty::Array(a), "shape") => Ty::Tuple(vec![Ty::Int; a.ndim as usize]),
            (Ty::Array(_), "ndim" | "size" | "itemsize") => Ty::Int,
            (Ty::Array(a), "dtype") => Ty::Descr(a.dtype),
            (Ty::Np(d), "dtype") if d.is_time() => Ty::Descr(*d),
            (Ty::Array(a), "T") => Ty::Array(ArrTy {
                layout: match a.layout {
                    Layout::C if a.ndim > 1 => Layout::F,
                    Layout::F => Layout::C,
                    l => l,
                },
                ..*a
            }),
            (Ty::Array(_), "real" | "imag") if complex_part(x, name).is_some() => {
                Ty::Array(complex_part(x, name).unwrap().0)
            }
            (Ty::Complex, "real" | "imag") => Ty::Float,
            (Ty::Float, "real" | "imag") => Ty::Float,
            (Ty::Int, "real" | "imag") => Ty::Int,
            (Ty::Np(Dtype::Complex128), "real" | "imag") => Ty::Np(Dtype::Float64),
            (Ty::Np(Dtype::Complex64), "real" | "imag") => Ty::Np(Dtype::Float32),
            (Ty::Np(Dtype::Float16), "real" | "imag") => Ty::Np(Dtype::Float16),
            (t, _) => {
                return Err(CompileError::typing(
                    span,
                    format!(
                        "the attribute '{name}' of '{}' is not supported in compiled code",
                        py_name(t)
                    ),
                ))
            }
        })
    }

    fn dtype_arg(&self, t: &Ty, span: Span) -> CResult<Dtype> {
        Ok(match t {
            Ty::DtypeObj(d) | Ty::Descr(d) => *d,
            Ty::Str(s) => Dtype::from_name(s)
                .or(match s.as_str() {
                    "f8" | "d" | "float" => Some(Dtype::Float64),
                    "f4" | "f" => Some(Dtype::Float32),
                    "i8" | "int" => Some(Dtype::Int64),
                    "i4" => Some(Dtype::Int32),
                    "i1" | "b" => Some(Dtype::Int8),
                    "i2" | "h" => Some(Dtype::Int16),
                    "u1" | "B" => Some(Dtype::UInt8),
                    "u2" | "H" => Some(Dtype::UInt16),
                    "u4" | "I" => Some(Dtype::UInt32),
                    "u8" | "uint" => Some(Dtype::UInt64),
                    "?" => Some(Dtype::Bool),
                    "c16" | "complex" => Some(Dtype::Complex128),
                    "f2" | "e" | "half" => Some(Dtype::Float16),
                    "c8" | "F" => Some(Dtype::Complex64),
                    _ => None,
                })
                .ok_or_else(|| CompileError::typing(span, format!("dtype {s:?} is not supported in compiled code")))?,
            Ty::Builtin(Builtin::Float) => Dtype::Float64,
            Ty::Builtin(Builtin::Int) => Dtype::Int64,
            Ty::Builtin(Builtin::Bool) => Dtype::Bool,
            Ty::Builtin(Builtin::Complex) => Dtype::Complex128,
            t => {
                return Err(CompileError::typing(
                    span,
                    format!("a '{}' is not a supported dtype", py_name(t)),
                ))
            }
        })
    }

    /// The result type of the NumPy callable `Ty::PyFunc(i)` called with the
    /// values `argv` of types `args` (trailing `kw` named), by probing; the
    /// arguments' compile-time constants go with them.
    fn probe_func(&mut self, i: u32, argv: &[Value], args: &[Ty], kw: &[String], span: Span) -> CResult<Ty> {
        let consts: Vec<Option<Const>> = argv
            .iter()
            .map(|v| self.consts.get(v).or(self.probe_consts.get(v)).cloned())
            .collect();
        let e = match self.env.probe(&ProbeTarget::Func(i), args, &consts, kw, self.cur, span) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        // (`np.sqrt(o)`, `math.gcd(o, 12)` of an optional `o`)
        let (b, k) = self.cur;
        let r = self.f.block(b).insts[k].result;
        self.retry_optional(r, args, e, &mut |inf, stripped| {
            inf.env
                .probe(&ProbeTarget::Func(i), stripped, &consts, kw, inf.cur, span)
        })
    }

    /// After a call at `r` failed (`e`) for `args`: where an argument is
    /// optional (`None | T`: `x if x is not None else d`, a `None` before a
    /// loop that assigns it), the call typed again for `T` (`again`), `None`
    /// leaving compiled code there (`Typed::none_args`; the interpreter tier
    /// makes the call, which raises its TypeError); a `None` alone (inference's
    /// first rounds, before a loop's assignment is seen) untyped.
    fn retry_optional(
        &mut self,
        r: Option<Value>,
        args: &[Ty],
        e: CompileError,
        again: &mut dyn FnMut(&mut Self, &[Ty]) -> CResult<Ty>,
    ) -> CResult<Ty> {
        let Some(r) = r else { return Err(e) };
        if args.contains(&Ty::NoneT) {
            return Ok(Ty::Bottom);
        }
        if !args.iter().any(lone_optional) {
            return Err(e);
        }
        let stripped: Vec<Ty> = args.iter().map(strip_none).collect();
        let t = again(self, &stripped).map_err(|_| e)?;
        self.t.none_args.insert(r);
        Ok(t)
    }

    /// [`Self::call`], and for a builtin function (`abs`, `math.isinf`) the
    /// union of whose optional argument (`None | T`: `x if x is not None else
    /// d`, a `None` before a loop that assigns it) does not type: the call
    /// typed for `T`, `None` leaving compiled code there (`Typed::none_args`;
    /// the interpreter tier makes CPython's call, which raises its TypeError).
    fn call_optional(&mut self, callee: &Ty, args: &[Ty], at: Option<Value>, kw: &[String], span: Span) -> CResult<Ty> {
        let e = match self.call(callee, args, at, kw, span) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        if !matches!(callee, Ty::Builtin(_)) {
            return Err(e);
        }
        self.retry_optional(at, args, e, &mut |inf, stripped| {
            inf.call(callee, stripped, at, kw, span)
        })
    }

    /// A call of one of several functions (`f = g if c else h; f(x)`,
    /// compiled functions or `math` ones): each is typed as its own call
    /// (positional arguments, as many as its parameters; a compiled one a
    /// direct call), the result is their join; compiled code calls the one
    /// the value's tag names.
    fn call_one_of(&mut self, ms: &[Ty], args: &[Ty], at: Option<Value>, kw: &[String], span: Span) -> CResult<Ty> {
        let Some(r) = at else {
            return Err(CompileError::internal("a call without a result"));
        };
        let unsupported = || {
            CompileError::typing(
                span,
                "a call of a variable bound to one of several functions is compiled with positional arguments only, \
                 as many as each function's parameters",
            )
        };
        if !kw.is_empty() {
            return Err(unsupported());
        }
        let mut ret = Ty::Bottom;
        for m in ms {
            let t = match m {
                Ty::Func(f) => {
                    if self.env.func_defaults(*f).is_some_and(|d| args.len() < d.len()) {
                        return Err(unsupported());
                    }
                    let t = self.env.call_func(*f, args, at, span)?;
                    self.env.member_callee(r, *f);
                    t
                }
                // (`math` functions: typed by their rules, nothing recorded)
                m => self.call(m, args, at, kw, span)?,
            };
            ret = if ret == Ty::Bottom {
                t
            } else if t == Ty::Bottom {
                ret
            } else {
                join(&ret, &t).ok_or_else(|| {
                    CompileError::typing(
                        span,
                        format!(
                            "the functions this variable may hold return values of incompatible types ({ret} and {t})"
                        ),
                    )
                })?
            };
        }
        Ok(ret)
    }

    fn call(&mut self, callee: &Ty, args: &[Ty], at: Option<Value>, kw: &[String], span: Span) -> CResult<Ty> {
        let npos = args.len() - kw.len();
        let pos = &args[..npos];
        let kwargs: Vec<(&str, &Ty)> = kw.iter().map(|k| k.as_str()).zip(&args[npos..]).collect();
        let no_kw = |what: &str| -> CResult<()> {
            if kw.is_empty() {
                Ok(())
            } else {
                Err(CompileError::typing(
                    span,
                    format!("{what}() takes no keyword arguments in compiled code"),
                ))
            }
        };
        let bad =
            |what: &str| CompileError::typing(span, format!("this call to {what}() is not supported in compiled code"));
        let real = |t: &Ty| matches!(t.scalar(), Some(s) if !matches!(s, Scalar::Py(Kind::Complex) | Scalar::Np(Dtype::Complex128 | Dtype::Complex64)));
        if let Ty::Union(ms) = callee {
            if ms.iter().all(crate::types::is_callable_member) {
                return self.call_one_of(ms, args, at, kw, span);
            }
        }
        Ok(match callee {
            Ty::Func(f) => {
                // Positional arguments only, as many as the callee's parameters (or
                // a callee whose defaults compiled code cannot bind): as they are.
                let defaults = if kw.is_empty() {
                    self.env.func_defaults(*f)
                } else {
                    None
                };
                if kw.is_empty() && defaults.as_ref().is_none_or(|d| npos >= d.len()) {
                    return self.env.call_func(*f, pos, at, span);
                }
                // Keyword arguments bound to the callee's parameters by name.
                let Some(names) = self.env.func_param_names(*f) else {
                    return Err(CompileError::typing(
                        span,
                        "keyword arguments to a compiled function with *args, **kwargs or keyword-only parameters are not supported in compiled code yet",
                    ));
                };
                let mut order: Vec<Option<usize>> = vec![None; names.len()];
                if npos > names.len() {
                    return Ok(Ty::Bottom); // (CPython's TypeError, from the interpreter tier)
                }
                for (i, slot) in order.iter_mut().enumerate().take(npos) {
                    *slot = Some(i);
                }
                for (j, k) in kw.iter().enumerate() {
                    match names.iter().position(|n| n == k) {
                        Some(p) if order[p].is_none() => order[p] = Some(npos + j),
                        // An unknown or repeated keyword: CPython's TypeError.
                        _ => return Ok(Ty::Bottom),
                    }
                }
                // A parameter left to its default value: a plain constant is bound
                // here (the callee's `__defaults__` guarded), any other by the
                // interpreter tier.
                let mut bound: Vec<Const> = Vec::new();
                if order.iter().any(|o| o.is_none()) {
                    let defaults = match defaults {
                        Some(d) => Some(d),
                        None => self.env.func_defaults(*f),
                    };
                    let Some(defaults) = defaults.filter(|d| d.len() == order.len()) else {
                        return Ok(Ty::Bottom);
                    };
                    for (p, slot) in order.iter_mut().enumerate() {
                        if slot.is_none() {
                            let Some(c) = &defaults[p] else { return Ok(Ty::Bottom) };
                            bound.push(c.clone());
                            *slot = Some(args.len() + bound.len() - 1);
                        }
                    }
                }
                let order: Vec<usize> = order.into_iter().map(|o| o.unwrap_or(0)).collect();
                let mut ordered: Vec<Ty> = Vec::with_capacity(order.len());
                for &i in &order {
                    ordered.push(match args.get(i) {
                        Some(t) => t.clone(),
                        None => const_ty(&bound[i - args.len()], span)?,
                    });
                }
                let t = self.env.call_func(*f, &ordered, at, span)?;
                if !bound.is_empty() {
                    self.env.guard_defaults(*f);
                }
                if let Some(v) = at {
                    self.t.call_orders.insert(v, order);
                    if !bound.is_empty() {
                        self.t.call_defaults.insert(v, bound);
                    }
                }
                t
            }
            // `Point(x, y=...)`: the tuple of the arguments in the order of the
            // fields (the class checked to be a plain namedtuple, whose `__new__`
            // is `tuple.__new__(cls, (fields...))`).
            Ty::NamedTupleClass(c) => {
                let Some(desc) = crate::types::named_tuple(*c) else {
                    return Err(CompileError::internal("unknown namedtuple class"));
                };
                let n = desc.fields.len();
                let mut order: Vec<Option<usize>> = vec![None; n];
                if npos > n {
                    return Ok(Ty::Bottom); // (CPython's TypeError, from the interpreter tier)
                }
                for (i, slot) in order.iter_mut().enumerate().take(npos) {
                    *slot = Some(i);
                }
                for (j, k) in kw.iter().enumerate() {
                    match desc.fields.iter().position(|f| f == k) {
                        Some(p) if order[p].is_none() => order[p] = Some(npos + j),
                        _ => return Ok(Ty::Bottom),
                    }
                }
                // (a field left to its default: the interpreter tier)
                let Some(order) = order.into_iter().collect::<Option<Vec<usize>>>() else {
                    return Ok(Ty::Bottom);
                };
                let mut items = Vec::with_capacity(n);
                for &i in &order {
                    let t = strip_undef(&args[i]);
                    if t == Ty::Undef || t == Ty::Bottom {
                        return Ok(Ty::Bottom);
                    }
                    if !t.is_value() && !matches!(t, Ty::Str(_)) {
                        return Err(CompileError::typing(
                            span,
                            format!("a namedtuple cannot hold a '{}' in compiled code", py_name(&t)),
                        ));
                    }
                    items.push(t);
                }
                if let Some(v) = at {
                    if !kw.is_empty() {
                        self.t.call_orders.insert(v, order);
                    }
                }
                Ty::NamedTuple(*c, items)
            }
            Ty::DtypeObj(d) => {
                no_kw(d.name())?;
                match pos {
                    [] => Ty::Np(*d),
                    [t] if t.scalar().is_some() => {
                        if d.kind() != Kind::Complex && !real(t) {
                            return Err(bad(d.name()));
                        }
                        Ty::Np(*d)
                    }
                    _ => return Err(bad(d.name())),
                }
            }
            Ty::Builtin(b) => {
                use Builtin::*;
                match b {
                    Abs => {
                        no_kw("abs")?;
                        let [a] = pos else { return Err(bad("abs")) };
                        self.each_member(a, span, &|t| {
                            Ok(match t {
                                Ty::Bool | Ty::Int => Ty::Int,
                                Ty::Float | Ty::Complex => Ty::Float,
                                Ty::Np(Dtype::Complex128) => Ty::Np(Dtype::Float64),
                                Ty::Np(Dtype::Complex64) => Ty::Np(Dtype::Float32),
                                Ty::Np(Dtype::Bool) => Ty::Np(Dtype::Bool),
                                Ty::Np(Dtype::Datetime(_)) => return Err(bad("abs")),
                                Ty::Np(d) => Ty::Np(*d),
                                _ => return Err(bad("abs")),
                            })
                        })?
                    }
                    Min | Max => {
                        no_kw(if *b == Min { "min" } else { "max" })?;
                        if pos.len() < 2 || !pos.iter().all(|t| t.members().iter().all(real)) {
                            return Err(bad(if *b == Min { "min" } else { "max" }));
                        }
                        let mut out = Ty::Bottom;
                        for t in pos {
                            out = join(&out, t).ok_or_else(|| bad("min/max"))?;
                        }
                        out
                    }
                    Len => {
                        no_kw("len")?;
                        match pos {
                            [Ty::Array(a)] if a.ndim >= 1 => Ty::Int,
                            [Ty::Tuple(_) | Ty::NamedTuple(..)] => Ty::Int,
                            _ => return Err(bad("len")),
                        }
                    }
                    Int => {
                        no_kw("int")?;
                        match pos {
                            [] => Ty::Int,
                            [a] if a.members().iter().all(real) => Ty::Int,
                            _ => return Err(bad("int")),
                        }
                    }
                    Float => {
                        no_kw("float")?;
                        match pos {
                            [] => Ty::Float,
                            [a] if a.members().iter().all(real) => Ty::Float,
                            // `float("inf")`, `float("1e-9")`: a constant.
                            [Ty::Str(s)] if py_float_str(s).is_some() => Ty::Float,
                            _ => return Err(bad("float")),
                        }
                    }
                    Bool => {
                        no_kw("bool")?;
                        match pos {
                            [] => Ty::Bool,
                            [a] if a.members().iter().all(|m| m.scalar().is_some() || *m == Ty::NoneT) => Ty::Bool,
                            // (a tuple's truth is its length's)
                            [Ty::Tuple(_) | Ty::NamedTuple(..)] => Ty::Bool,
                            _ => return Err(bad("bool")),
                        }
                    }
                    Complex => {
                        no_kw("complex")?;
                        match pos {
                            [a] | [a, _] if a.members().iter().all(|m| m.scalar().is_some()) => {
                                if pos.len() == 2 && !pos[1].members().iter().all(real) {
                                    return Err(bad("complex"));
                                }
                                if pos.len() == 2 && !a.members().iter().all(real) {
                                    return Err(bad("complex"));
                                }
                                Ty::Complex
                            }
                            _ => return Err(bad("complex")),
                        }
                    }
                    Round => {
                        no_kw("round")?;
                        match pos {
                            [Ty::Float, Ty::Int | Ty::Bool] => Ty::Float,
                            // Numba: round(np.float64/np.float32, n) is a float (rounded in the scalar's precision).
                            [Ty::Np(d), Ty::Int | Ty::Bool] if self.numba && d.kind() == Kind::Float => Ty::Float,
                            // Numba: round(int, n) is a float too.
                            [Ty::Int | Ty::Bool, Ty::Int | Ty::Bool] if self.numba => Ty::Float,
                            [Ty::Np(d), Ty::Int | Ty::Bool] if self.numba && d.kind() != Kind::Complex => Ty::Float,
                            [Ty::Int | Ty::Bool, Ty::Int | Ty::Bool] => Ty::Int,
                            [a] => self.each_member(a, span, &|t| match t {
                                Ty::Int | Ty::Bool => Ok(Ty::Int),
                                Ty::Float => Ok(Ty::Int),
                                Ty::Np(d) if d.kind() == Kind::Int => Ok(Ty::Int),
                                Ty::Np(d) if d.kind() == Kind::Float => Ok(Ty::Int),
                                _ => Err(bad("round")),
                            })?,
                            _ => return Err(bad("round")),
                        }
                    }
                    Getattr => {
                        return Err(CompileError::typing(
                            span,
                            "getattr() is supported in compiled code only as getattr(x, \"name\") with a constant name",
                        ));
                    }
                    Hasattr => {
                        no_kw("hasattr")?;
                        let [x, Ty::Str(name)] = pos else {
                            return Err(CompileError::typing(
                                span,
                                "hasattr() is supported in compiled code only as hasattr(x, \"name\") with a constant name",
                            ));
                        };
                        let decided: Option<Vec<bool>> =
                            x.members().iter().map(|m| self.env.has_attribute(m, name)).collect();
                        match (decided, at) {
                            (Some(v), Some(r)) if !v.is_empty() && v.windows(2).all(|w| w[0] == w[1]) => {
                                self.t.static_bools.insert(r, v[0]);
                                Ty::Bool
                            }
                            _ => {
                                return Err(CompileError::typing(
                                    span,
                                    format!(
                                        "hasattr() of a '{}' is not decided by its type in compiled code",
                                        py_name(x)
                                    ),
                                ))
                            }
                        }
                    }
                    Tuple => {
                        return Err(CompileError::typing(
                            span,
                            "tuple() is supported in compiled code only as tuple(genexp) over tuples whose lengths \
                             are known (an array's .shape, np.ndindex's indexes, tuple parameters)",
                        ));
                    }
                    Iter | Next => {
                        return Err(CompileError::typing(
                            span,
                            "iter() and next() are supported in compiled code on a local iterator bound once \
                             (`it = iter(x)`) and only stepped there (next(it), next(it, default), `for` loops, \
                             sum/min/max/any/all/list of it), not passed on, returned or stored",
                        ));
                    }
                    Map | Filter => {
                        return Err(CompileError::typing(
                            span,
                            "map() and filter() are supported in compiled code only as the argument of list(), sum(), \
                             min(), max(), any() or all()",
                        ));
                    }
                    Range | Enumerate | Zip | Reversed | NdIndex | NdEnumerate => {
                        let name = match b {
                            Range => "range",
                            Enumerate => "enumerate",
                            Zip => "zip",
                            Reversed => "reversed",
                            NdIndex => "np.ndindex",
                            _ => "np.ndenumerate",
                        };
                        return Err(CompileError::typing(
                            span,
                            format!("{name}() is only supported as the iterable of a for loop in compiled code"),
                        ));
                    }
                    Sum | Sorted | Any | All | List | Dict | Set | Str | Repr | Format | Ord | Chr | Hex | Oct
                    | Bin | Print | TypedList | TypedDict => {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "{}() of these arguments is not supported in compiled code yet",
                                builtin_name(*b).unwrap_or("this builtin")
                            ),
                        ));
                    }
                    Isinstance => {
                        no_kw("isinstance")?;
                        let [x, cls] = pos else {
                            return Err(bad("isinstance"));
                        };
                        let decided: Option<Vec<bool>> = x
                            .members()
                            .iter()
                            .map(|m| crate::types::isinstance_static(m, cls))
                            .collect();
                        match decided {
                            Some(v) if v.windows(2).all(|w| w[0] == w[1]) => Ty::Bool,
                            Some(_) => {
                                return Err(CompileError::typing(
                                    span,
                                    "isinstance() of a value whose type is decided at run time is not supported yet",
                                ))
                            }
                            None => {
                                return Err(CompileError::typing(
                                    span,
                                    "isinstance() is supported with int, float, bool, complex and NumPy scalar types",
                                ))
                            }
                        }
                    }
                    Math(m) => {
                        no_kw(&format!("math.{}", m.name()))?;
                        if pos.len() != m.arity() || !pos.iter().all(|t| t.members().iter().all(real)) {
                            return Err(bad(&format!("math.{}", m.name())));
                        }
                        match m {
                            MathFn::Floor | MathFn::Ceil | MathFn::Trunc => {
                                // NumPy scalars go through their __floor__/__ceil__ (a Python int for
                                // every real one); only np.float64 (a float subclass) has __trunc__.
                                // Numba: an int for every real NumPy scalar.
                                let no_trunc = |t: &Ty| matches!(t, Ty::Np(d) if *d != Dtype::Float64);
                                if !self.numba && *m == MathFn::Trunc && pos[0].members().iter().any(no_trunc) {
                                    return Err(bad(&format!("math.{}", m.name())));
                                }
                                Ty::Int
                            }
                            MathFn::Isnan | MathFn::Isinf | MathFn::Isfinite => Ty::Bool,
                            _ => Ty::Float,
                        }
                    }
                    NpAlloc(_) => {
                        let (shape, mut dt) = match pos {
                            [s] => (s, None),
                            [s, d] => (s, Some(d.clone())),
                            _ => return Err(bad("numpy allocation")),
                        };
                        for (k, v) in &kwargs {
                            match *k {
                                "dtype" => dt = Some((*v).clone()),
                                _ => {
                                    return Err(CompileError::typing(
                                        span,
                                        format!("the keyword '{k}' is not supported here in compiled code"),
                                    ))
                                }
                            }
                        }
                        let dtype = match dt {
                            Some(t) => self.dtype_arg(&t, span)?,
                            None => Dtype::Float64,
                        };
                        let ndim = match shape {
                            t if is_index(t) => 1,
                            Ty::Tuple(ts) if ts.iter().all(is_index) => ts.len(),
                            t => {
                                return Err(CompileError::typing(
                                    span,
                                    format!("a shape must be an int or a tuple of ints, not '{}'", py_name(t)),
                                ))
                            }
                        };
                        Ty::Array(ArrTy {
                            dtype,
                            ndim: ndim as u8,
                            layout: Layout::C,
                            readonly: false,
                        })
                    }
                    NpAllocLike(_) => {
                        let [Ty::Array(a)] = pos else {
                            return Err(bad("numpy *_like"));
                        };
                        let mut dtype = a.dtype;
                        for (k, v) in &kwargs {
                            match *k {
                                "dtype" => dtype = self.dtype_arg(v, span)?,
                                _ => {
                                    return Err(CompileError::typing(
                                        span,
                                        format!("the keyword '{k}' is not supported here in compiled code"),
                                    ))
                                }
                            }
                        }
                        Ty::Array(ArrTy {
                            dtype,
                            readonly: false,
                            ..*a
                        })
                    }
                }
            }
            t => {
                return Err(CompileError::typing(
                    span,
                    format!("calling a '{}' is not supported in compiled code", py_name(t)),
                ))
            }
        })
    }

    fn getitem(&mut self, x: &Ty, idxv: &[Value], idx: &[Ty], span: Span) -> CResult<Ty> {
        if let Some(t) = record_getitem(x, idx, span)? {
            return Ok(t);
        }
        if let (Ty::Array(_), [Ty::Tuple(ts) | Ty::NamedTuple(_, ts)]) = (x, idx) {
            if ts.iter().all(is_index) {
                // `a[idx]` with `idx` a tuple of ints (np.ndenumerate): the ints are the indexes.
                let none = vec![];
                return self.getitem(x, &none, ts, span);
            }
        }
        match x {
            Ty::Array(a) => {
                if idx.len() > a.ndim as usize {
                    return Err(CompileError::typing(
                        span,
                        format!(
                            "too many indices for array: array is {}-dimensional, but {} were indexed",
                            a.ndim,
                            idx.len()
                        ),
                    ));
                }
                for t in idx {
                    if !is_index(t) {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "indexing an array with a '{}' is not supported in compiled code yet",
                                py_name(t)
                            ),
                        ));
                    }
                }
                let rest = a.ndim as usize - idx.len();
                if rest == 0 {
                    Ok(Ty::Np(a.dtype))
                } else {
                    Ok(Ty::Array(ArrTy {
                        dtype: a.dtype,
                        ndim: rest as u8,
                        readonly: a.readonly,
                        layout: if a.layout == Layout::C { Layout::C } else { Layout::A },
                    }))
                }
            }
            Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => {
                let [_] = idx else {
                    return Err(CompileError::typing(span, "tuple indices must be integers"));
                };
                match self.consts.get(&idxv[0]) {
                    Some(Const::Int(k)) => {
                        let n = ts.len() as i64;
                        let k = if *k < 0 { *k + n } else { *k };
                        if (0..n).contains(&k) {
                            Ok(ts[k as usize].clone())
                        } else {
                            Err(CompileError::typing(span, "tuple index out of range"))
                        }
                    }
                    // `()[i]` raises IndexError (compiled code leaves; a loop over `()` never reads).
                    _ if ts.is_empty() && is_index(&idx[0]) => Ok(Ty::Bottom),
                    _ if !ts.is_empty() && ts.iter().all(|t| *t == ts[0]) && is_index(&idx[0]) => Ok(ts[0].clone()),
                    // Scalars of several types: a union (its tag says which one was read).
                    _ if !ts.is_empty()
                        && is_index(&idx[0])
                        && ts.iter().all(|t| t.scalar().is_some() || *t == Ty::NoneT) =>
                    {
                        let mut out = Ty::Bottom;
                        for t in ts {
                            out = match join(&out, t) {
                                Some(j) if !matches!(j, Ty::PyInt) => j,
                                _ => {
                                    return Err(CompileError::typing(
                                        span,
                                        "indexing a tuple of mixed types with a non-constant index is not supported in compiled code",
                                    ))
                                }
                            };
                        }
                        Ok(out)
                    }
                    _ => Err(CompileError::typing(
                        span,
                        "indexing a tuple of mixed types with a non-constant index is not supported in compiled code",
                    )),
                }
            }
            t => Err(CompileError::typing(
                span,
                format!("indexing a '{}' is not supported in compiled code", py_name(t)),
            )),
        }
    }

    fn setitem(&mut self, x: &Ty, idx: &[Ty], v: &Ty, span: Span) -> CResult<()> {
        if let (Ty::Np(Dtype::Record(_)), [Ty::Str(name)]) = (x, idx) {
            // `a[i]['x'] = v`: a store into the array's memory.
            let Ty::Np(rec) = x else { unreachable!() };
            let (fd, _) = rec.field(name).ok_or_else(|| no_field(span, name))?;
            // (a time field takes a value of its own dtype only; others no time or record value)
            let ok = v.members().iter().all(|m| {
                m.scalar().is_some()
                    && if fd.is_time() {
                        *m == Ty::Np(fd)
                    } else {
                        !matches!(m, Ty::Np(d) if d.is_special())
                    }
            });
            if !ok || fd.is_time() && *v != Ty::Np(fd) {
                return Err(CompileError::typing(
                    span,
                    format!(
                        "storing a '{}' into a {fd} field is not supported in compiled code",
                        py_name(v)
                    ),
                ));
            }
            return Ok(());
        }
        if matches!(x, Ty::Np(Dtype::Record(_))) || matches!(x, Ty::Array(a) if a.dtype.is_record()) {
            return Err(CompileError::typing(
                span,
                "this assignment into a structured (record) array is not supported in compiled code (assign one field of one element: a[i]['x'] = v)",
            ));
        }
        let Ty::Array(a) = x else {
            return Err(CompileError::typing(
                span,
                format!(
                    "item assignment on a '{}' is not supported in compiled code",
                    py_name(x)
                ),
            ));
        };
        if idx.len() != a.ndim as usize {
            return Err(CompileError::typing(
                span,
                "assigning to a sub-array is not supported in compiled code yet (index every axis)",
            ));
        }
        for t in idx {
            if !is_index(t) {
                return Err(CompileError::typing(
                    span,
                    format!("indexing an array with a '{}' is not supported", py_name(t)),
                ));
            }
        }
        for m in v.members() {
            // A complex stored into a real array is NumPy's business (compiled code deoptimizes).
            // Time arrays take values of their own dtype only (NumPy's casts
            // between units and from ints are left to NumPy: plain Python).
            let ok = m.scalar().is_some()
                && (a.dtype.is_time() || !matches!(m, Ty::Np(d) if d.is_time()))
                && (!a.dtype.is_time() || m == Ty::Np(a.dtype));
            if !ok {
                return Err(CompileError::typing(
                    span,
                    format!(
                        "storing a '{}' into a {} array is not supported in compiled code",
                        py_name(&m),
                        a.dtype
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn no_field(span: Span, name: &str) -> CompileError {
    // NumPy raises (ValueError "no field of name x" / KeyError): plain Python does.
    CompileError::typing(span, format!("no field of name {name:?} in the structured dtype"))
}

/// `a[i]` of a record array (a reference to the element), `a['x']` (a view
/// of one field), `a[i]['x']` (the field's value); `None` for other operands.
fn record_getitem(x: &Ty, idx: &[Ty], span: Span) -> CResult<Option<Ty>> {
    Ok(Some(match (x, idx) {
        (Ty::Np(rec @ Dtype::Record(_)), [Ty::Str(name)]) => {
            let (fd, _) = rec.field(name).ok_or_else(|| no_field(span, name))?;
            Ty::Np(fd)
        }
        (Ty::Array(a), [Ty::Str(name)]) if a.dtype.is_record() => {
            let (fd, off) = a.dtype.field(name).ok_or_else(|| no_field(span, name))?;
            let Dtype::Record(id) = a.dtype else { unreachable!() };
            let aligned = crate::dtype::record(id).is_some_and(|r| r.aligned8) && off % fd.alignment() == 0;
            if !aligned {
                return Err(CompileError::typing(
                    span,
                    format!("the field {name:?} is not aligned in memory: its view is not supported in compiled code (a[i][{name:?}] is)"),
                ));
            }
            Ty::Array(ArrTy {
                dtype: fd,
                layout: Layout::A,
                ..*a
            })
        }
        (Ty::Array(a), _) if a.dtype.is_record() && idx.len() == a.ndim as usize && idx.iter().all(is_index) => {
            let Dtype::Record(id) = a.dtype else { unreachable!() };
            let r = crate::dtype::record(id).ok_or_else(|| CompileError::typing(span, "record dtype"))?;
            Ty::Np(Dtype::Record(crate::dtype::record_variant(
                id, r.aligned8, a.readonly, false,
            )))
        }
        (Ty::Array(a), _) if a.dtype.is_record() && idx.iter().all(is_index) => return Ok(None),
        (Ty::Array(a), _) if a.dtype.is_record() => {
            return Err(CompileError::typing(
                span,
                "this indexing of a structured (record) array is not supported in compiled code",
            ))
        }
        (Ty::Np(Dtype::Record(_)), _) => {
            return Err(CompileError::typing(
                span,
                "a record element is indexed by a constant field name in compiled code",
            ))
        }
        _ => return Ok(None),
    }))
}

/// Whether a value of this type holds data of a dtype that passes `f`.
fn holds(t: &Ty, f: fn(Dtype) -> bool) -> bool {
    match t {
        Ty::Np(d) => f(*d),
        Ty::Array(a) => f(a.dtype),
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Union(ts) => ts.iter().any(|t| holds(t, f)),
        Ty::List(e) | Ty::Set(e) | Ty::Iter(e) | Ty::PyIter(e) => holds(e, f),
        Ty::Dict(k, v) | Ty::View(_, k, v) => holds(k, f) || holds(v, f),
        _ => false,
    }
}

/// Whether a value of this type holds `datetime64` / `timedelta64` data.
pub fn has_time(t: &Ty) -> bool {
    holds(t, Dtype::is_time)
}

/// Whether a value of this type holds time or record data (the dtypes
/// outside NumPy's numeric rules; see [`special_gate`]).
pub fn has_special(t: &Ty) -> bool {
    holds(t, Dtype::is_special)
}

/// The operations compiled code performs on time and record values.
fn special_gate(op: &Op, args: &[Ty], span: Span) -> CResult<()> {
    if args.iter().any(|t| holds(t, Dtype::is_record)) {
        // Record arrays: element and field access, nothing else.
        let ok = match op {
            Op::GetItem | Op::SetItem | Op::Len | Op::Tuple | Op::Unpack(_) | Op::TupleGet(_) => true,
            Op::Call { .. } => matches!(args.first(), Some(Ty::Builtin(Builtin::Len))),
            Op::Attr(name) => match &args[0] {
                Ty::Array(a) => {
                    matches!(name.as_str(), "shape" | "ndim" | "size" | "itemsize")
                        || a.dtype.attr_field(name, false).is_some()
                }
                Ty::Np(d) => d.attr_field(name, true).is_some(),
                _ => false,
            },
            Op::SetAttr(name) => matches!(&args[0], Ty::Np(d) if d.attr_field(name, true).is_some()),
            _ => false,
        };
        if !ok {
            return Err(CompileError::typing(
                span,
                "this operation on a structured (record) array is not supported in compiled code",
            ));
        }
    }
    if args.iter().any(has_time) {
        time_gate(op, args, span)?;
    }
    Ok(())
}

/// The operations compiled code performs on `datetime64` / `timedelta64`
/// values (natively, or through NumPy for whole arrays); anything else with
/// such an operand makes the function run as plain Python, so that no
/// generic numeric path ever sees a time value as a plain integer.
fn time_gate(op: &Op, args: &[Ty], span: Span) -> CResult<()> {
    let scalar_or_array = |t: &Ty| matches!(t, Ty::Np(_) | Ty::Array(_)) || !has_time(t);
    let ok = match op {
        // Scalars: typed by `types::time_binop_result` / `cmp_result` /
        // `unary_result`; arrays: through NumPy (probed).
        Op::Bin { .. } | Op::Cmp(_) | Op::Unary(_) | Op::Truth => args.iter().all(scalar_or_array),
        Op::GetItem
        | Op::SetItem
        | Op::SetAttr(_)
        | Op::Len
        | Op::Attr(_)
        | Op::Tuple
        | Op::Unpack(_)
        | Op::TupleGet(_) => true,
        Op::MethodCall { .. } => matches!(args.first(), Some(Ty::Array(_) | Ty::Module(_))),
        Op::Contains => matches!(args.first(), Some(Ty::Array(_))),
        Op::Call { .. } => match args.first() {
            Some(Ty::PyFunc(_)) => true,
            // min/max of time scalars of one dtype: Python's rule (keep the
            // earlier unless a later one compares strictly less/greater) with
            // NumPy's NaT comparisons (codegen compares through `time_compare`).
            Some(Ty::Builtin(Builtin::Min | Builtin::Max)) => {
                args.len() >= 3
                    && args[1..].iter().all(|t| *t == args[1])
                    && matches!(args[1], Ty::Np(d) if d.is_time())
            }
            Some(Ty::Builtin(b)) => matches!(b, Builtin::Abs | Builtin::Len),
            _ => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CompileError::typing(
            span,
            "this operation on datetime64/timedelta64 values is not supported in compiled code",
        ))
    }
}

/// Whether a type can be used as an integer index (`__index__`).
/// What `a is b` is for two concrete (non-union) types, when compiled code can decide it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsRule {
    /// Always this answer (None is None; values of different Python types are never one object).
    Const(bool),
    /// `True`/`False` are singletons: identity is equality.
    BoolEq,
}

pub fn is_rule(a: &Ty, b: &Ty) -> Option<IsRule> {
    // The Python class of a value (values of different classes are different objects).
    let class = |t: &Ty| -> Option<u32> {
        Some(match t {
            Ty::NoneT => 0,
            Ty::Bool => 1,
            Ty::Int | Ty::PyInt => 2,
            Ty::Float => 3,
            Ty::Complex => 4,
            Ty::Np(d) if !d.is_record() => 10 + crate::abi::dtype_index(*d) as u32,
            Ty::Array(_) => 20,
            Ty::Tuple(_) => 21,
            Ty::Str(_) | Ty::PyStr => 22,
            _ => return None,
        })
    };
    let (ca, cb) = (class(a)?, class(b)?);
    match (a, b) {
        _ if ca != cb => Some(IsRule::Const(false)),
        (Ty::NoneT, Ty::NoneT) => Some(IsRule::Const(true)),
        (Ty::Bool, Ty::Bool) => Some(IsRule::BoolEq),
        _ => None,
    }
}

/// A value `x in tuple` compares exactly as compiled code does (no NaN identity).
/// Whether `t` is an optional value (`None` or something else, decided at
/// run time): an operation that raises `TypeError` for `None` deoptimizes
/// there, so the usual `if x is None or y < x:` compiles.
pub fn is_optional(t: &Ty) -> bool {
    matches!(t, Ty::Union(ms) if ms.contains(&Ty::NoneT) && ms.len() > 1)
}

/// `None | T` with one type `T` besides `None` (see `Typed::none_args`).
pub fn lone_optional(t: &Ty) -> bool {
    matches!(t, Ty::Union(ms) if ms.len() == 2 && ms.contains(&Ty::NoneT))
}

/// `T` for `None | T`; any other type as it is.
fn strip_none(t: &Ty) -> Ty {
    match t {
        Ty::Union(ms) if lone_optional(t) => ms.iter().find(|m| **m != Ty::NoneT).cloned().unwrap_or(Ty::NoneT),
        t => t.clone(),
    }
}

/// `None`, or an optional value. An operation that raises `TypeError` for
/// `None` has no result type in that case (`Bottom`): compiled code
/// deoptimizes there and the interpreter tier raises it. (A variable that is
/// `None` before a loop and a number after its first iteration is only `None`
/// in inference's first rounds.)
fn maybe_none(t: &Ty) -> bool {
    *t == Ty::NoneT || is_optional(t)
}

pub fn contains_operand(t: &Ty) -> bool {
    matches!(t, Ty::NoneT | Ty::Bool | Ty::Int) || matches!(t, Ty::Np(d) if *d == Dtype::Bool || d.is_int())
}

pub fn is_index(t: &Ty) -> bool {
    t.members()
        .iter()
        .all(|m| matches!(m, Ty::Int | Ty::Bool) || matches!(m, Ty::Np(d) if d.is_int()))
}

fn operator_name(op: &Op) -> Option<&'static str> {
    use crate::hir::{BinOp as B, CmpOp as C, UnaryOp as U};
    Some(match op {
        Op::Bin { op, inplace } => match (op, inplace) {
            (B::Add, false) => "add",
            (B::Sub, false) => "sub",
            (B::Mul, false) => "mul",
            (B::Div, false) => "truediv",
            (B::FloorDiv, false) => "floordiv",
            (B::Mod, false) => "mod",
            (B::Pow, false) => "pow",
            (B::MatMul, false) => "matmul",
            (B::BitAnd, false) => "and_",
            (B::BitOr, false) => "or_",
            (B::BitXor, false) => "xor",
            (B::LShift, false) => "lshift",
            (B::RShift, false) => "rshift",
            (B::Add, true) => "iadd",
            (B::Sub, true) => "isub",
            (B::Mul, true) => "imul",
            (B::Div, true) => "itruediv",
            (B::FloorDiv, true) => "ifloordiv",
            (B::Mod, true) => "imod",
            (B::Pow, true) => "ipow",
            (B::MatMul, true) => "imatmul",
            (B::BitAnd, true) => "iand",
            (B::BitOr, true) => "ior",
            (B::BitXor, true) => "ixor",
            (B::LShift, true) => "ilshift",
            (B::RShift, true) => "irshift",
        },
        Op::Unary(U::Neg) => "neg",
        Op::Unary(U::Pos) => "pos",
        Op::Unary(U::Invert) => "invert",
        Op::Cmp(c) => match c {
            C::Eq => "eq",
            C::Ne => "ne",
            C::Lt => "lt",
            C::Le => "le",
            C::Gt => "gt",
            C::Ge => "ge",
        },
        _ => return None,
    })
}

/// `a.real` / `a.imag` of a complex64 or complex128 array `x`: the view's
/// type (the float dtype of half the size, any strides: each element's part
/// lies a whole complex value from the next) and its offset in bytes from
/// `a`'s data, as NumPy's `a.real`/`a.imag` views are made (a view whose
/// base is `a`, writable when `a` is).
pub fn complex_part(x: &Ty, name: &str) -> Option<(ArrTy, i64)> {
    let Ty::Array(a) = x else { return None };
    let part = match a.dtype {
        Dtype::Complex128 => Dtype::Float64,
        Dtype::Complex64 => Dtype::Float32,
        _ => return None,
    };
    let offset = match name {
        "real" => 0,
        "imag" => part.itemsize(),
        _ => return None,
    };
    Some((
        ArrTy {
            dtype: part,
            layout: Layout::A,
            ..*a
        },
        offset,
    ))
}

impl Infer<'_> {
    /// Whether NumPy performs this operation (and how compiled code calls it).
    fn numpy_op(&self, op: &Op, args: &[Ty]) -> Option<(ProbeTarget, Vec<String>)> {
        let array = |t: &Ty| matches!(t, Ty::Array(_));
        if matches!(args.first(), Some(Ty::Array(a)) if a.dtype.is_record()) {
            return None; // record arrays: `special_gate`, `getitem`, `setitem`
        }
        let int_index = |t: &Ty| match t {
            Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => {
                args.len() == 2 && ts.iter().all(|t| is_index(t) && !matches!(t, Ty::Bool))
            }
            t => is_index(t) && !matches!(t, Ty::Bool),
        };
        match op {
            Op::Call { kw } if matches!(args.first(), Some(Ty::Builtin(_))) && args[1..].iter().any(array) => {
                let Ty::Builtin(b) = args[0] else { unreachable!() };
                let name = match b {
                    Builtin::Abs => "abs",
                    Builtin::Min => "min",
                    Builtin::Max => "max",
                    Builtin::Round => "round",
                    Builtin::Float => "float",
                    Builtin::Int => "int",
                    Builtin::Bool => "bool",
                    Builtin::Complex => "complex",
                    Builtin::Sum => "sum",
                    Builtin::Any => "any",
                    Builtin::All => "all",
                    Builtin::Sorted => "sorted",
                    Builtin::List => "list",
                    _ => return None,
                };
                Some((ProbeTarget::Builtin(name), kw.clone()))
            }
            Op::Call { kw } if matches!(args.first(), Some(Ty::PyFunc(_))) => {
                let Ty::PyFunc(i) = args[0] else { unreachable!() };
                Some((ProbeTarget::Func(i), kw.clone()))
            }
            Op::MethodCall { name, kw } if array(&args[0]) && name != "copy" && self.env.array_method(name) => {
                Some((ProbeTarget::Method(name.clone()), kw.clone()))
            }
            // (`.real`/`.imag` of a complex array: a view computed natively, see `attr`)
            Op::Attr(name) if complex_part(&args[0], name).is_some() => None,
            Op::Attr(name) if array(&args[0]) && self.env.array_attribute(name) => {
                Some((ProbeTarget::Attr(name.clone()), vec![]))
            }
            Op::Bin { .. } | Op::Cmp(_) if args.iter().any(array) => {
                Some((ProbeTarget::Operator(operator_name(op)?), vec![]))
            }
            Op::Unary(u) if *u != crate::hir::UnaryOp::Not && array(&args[0]) => {
                Some((ProbeTarget::Operator(operator_name(op)?), vec![]))
            }
            Op::GetItem if array(&args[0]) && !args[1..].iter().all(int_index) => Some((ProbeTarget::GetItem, vec![])),
            // `np.mgrid[a:b, c:d]`: NumPy builds it (`g[s,]` has the one-item
            // tuple as its key: see `lower`).
            Op::GetItem if args.len() >= 2 && matches!(args[0], Ty::PyFunc(_)) => {
                let Ty::PyFunc(i) = args[0] else { unreachable!() };
                Some((ProbeTarget::Index(i), vec![]))
            }
            Op::Contains if array(&args[0]) => Some((ProbeTarget::Operator("contains"), vec![])),
            Op::SetItem if array(&args[0]) => {
                let Ty::Array(a) = &args[0] else { unreachable!() };
                let idx = &args[1..args.len() - 1];
                let v = &args[args.len() - 1];
                let native = idx.iter().all(int_index) && idx.len() == a.ndim as usize && v.scalar().is_some();
                let native =
                    native || (idx.iter().all(int_index) && idx.len() == a.ndim as usize && matches!(v, Ty::Union(_)));
                (!native).then(|| (ProbeTarget::SetItem, vec![]))
            }
            _ => None,
        }
    }
}

fn const_ty(c: &Const, span: Span) -> CResult<Ty> {
    Ok(match c {
        Const::Int(_) => Ty::Int,
        Const::BigInt(_) => {
            return Err(CompileError::typing(
                span,
                "integer constants beyond 64 bits run on the interpreter tier",
            ))
        }
        Const::Float(_) => Ty::Float,
        Const::Complex(..) => Ty::Complex,
        Const::Bool(_) => Ty::Bool,
        Const::None => Ty::NoneT,
        Const::Str(s) => Ty::Str(s.clone()),
        Const::Ellipsis => Ty::Ellipsis,
        Const::Tuple(_) => return Err(CompileError::internal("tuple constant in the IR")),
    })
}

#[allow(dead_code)]
fn is_arith(op: BinOp) -> bool {
    !matches!(op, BinOp::MatMul)
}

/// Whether a value of type `t` is the same object (or an immutable value) in
/// a closure cell made from it as in compiled code, so that a function made
/// now and called later sees what compiled code does to it meanwhile.
fn shared_in_closure(t: &Ty) -> bool {
    match t {
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Union(ts) => ts.iter().all(shared_in_closure),
        Ty::List(_) | Ty::Dict(..) | Ty::Set(_) | Ty::Obj(_) | Ty::Array(_) | Ty::PyIter(_) => true,
        Ty::LocalList(_) | Ty::LocalDict(..) | Ty::LocalView(..) | Ty::LocalIter(..) | Ty::View(..) | Ty::Iter(_) => {
            false
        }
        t => t.is_value() || matches!(t, Ty::PyStr | Ty::PyInt | Ty::Str(_)),
    }
}
