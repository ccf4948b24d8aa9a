//! Typing of Python lists in compiled code.
//!
//! A list is a real CPython `list` object held in one slot, typed
//! `list(elem)`. The element type of a list made in the function is the join
//! of everything stored into it: a list literal, `[]`, the result of a list
//! operation or a list argument is a *site*, and `append`/`insert`/`extend`/
//! `lst[i] = v` widen the element type of every site the list can come from
//! (through block parameters), until inference reaches its fixed point.
//! Lists of mixed element types (`[1, 2.5]`) are not compiled.
//!
//! Element reads are checked at run time (a mismatch deoptimizes), so the
//! element type is a speculation, never an assumption codegen relies on for
//! memory safety. Reads and writes of int/float/bool elements and `append`
//! are native (`codegen/lists.rs`); every other operation is a call of the
//! list's own method or of the builtin (recorded with [`Env::py_op`]), which
//! gives CPython's exact results, exceptions and messages.

use super::*;

/// The type an element stored into a container is held as: a possibly
/// unbound local checked first, a constant string as a run-time `str`.
fn elem_ty(t: &Ty) -> Ty {
    match strip_undef(t) {
        Ty::Str(_) => Ty::PyStr,
        t => t,
    }
}

/// The element kind the native list helpers take (`helpers/lists.rs`):
/// 0 int, 1 float, 2 bool, 16 + the dtype's index for a NumPy scalar of
/// one slot (every dtype but complex128, and but the time dtypes, whose one
/// scalar type carries its unit in the object: containers of them stay plain Python).
pub fn native_kind(e: &Ty) -> Option<i32> {
    match e {
        Ty::Int => Some(0),
        Ty::Float => Some(1),
        Ty::Bool => Some(2),
        // A str object (the word is the pointer; reads keep a reference in the arena).
        Ty::PyStr => Some(3),
        Ty::Np(d) if d.kind() != crate::dtype::Kind::Complex && !d.is_special() => {
            Some(16 + crate::abi::dtype_index(*d) as i32)
        }
        _ => None,
    }
}

/// The leaves of a `for` loop's item of type `t` (the items of nested tuples).
fn item_leaves(t: &Ty) -> Vec<Ty> {
    match t {
        Ty::Tuple(ts) => ts.iter().flat_map(item_leaves).collect(),
        t => vec![t.clone()],
    }
}

/// The element type compiled code holds for a typed container's declared
/// item type (by its Numba name): only types whose Python values the
/// container keeps exactly as compiled code boxes them.
fn typed_item(name: &str, span: Span) -> CResult<Ty> {
    Ok(match name {
        "int64" => Ty::Int,
        "float64" => Ty::Float,
        "bool" => Ty::Bool,
        "unicode_type" => Ty::PyStr,
        _ => {
            return Err(CompileError::typing(
                span,
                format!("typed containers of {name} are not supported in compiled code yet"),
            ))
        }
    })
}

/// Where a list value can come from.
enum Origin {
    /// A list made at this value (a literal, a list operation's result) or a
    /// list argument (an entry block parameter).
    Site(Value),
    /// A list read from another list: `outer[i]`.
    Element(Value),
    /// Anything else (a call's result, a tuple's item).
    Opaque,
}

#[derive(Default)]
pub(super) struct Lists {
    /// Element types stored into the lists made at each site.
    pub site_elem: HashMap<Value, Ty>,
    pub sites: HashSet<Value>,
    /// List literals compiled as tuples: only passed to NumPy functions.
    pub np_literals: HashMap<Value, bool>,
    /// An element type widened in this round (inference is not at its fixed point).
    pub widened: bool,
    /// The values flowing into each block parameter.
    pub incoming: HashMap<Value, Vec<Value>>,
    pub defs: HashMap<Value, (Block, usize)>,
    /// Each value's uses: (block, instruction, argument position).
    pub uses: HashMap<Value, Vec<(Block, usize, usize)>>,
    pub term_uses: HashSet<Value>,
    pub entry_params: HashSet<Value>,
    /// Typed containers made with declared item types (`List.empty_list(t)`,
    /// `Dict.empty(k, v)`): a store of a value Numba converts to the item
    /// type (an int into a float64 list) converts instead of widening.
    pub typed_sites: HashSet<Value>,
    /// The item reads of `for` loops (see [`Function::loop_items`]).
    pub loop_items: HashMap<(Value, Value), Value>,
}

impl Lists {
    pub fn new(f: &Function) -> Lists {
        let mut l = Lists {
            defs: f.definitions(),
            entry_params: f.block(f.entry()).params.iter().copied().collect(),
            loop_items: f.loop_items(),
            ..Default::default()
        };
        for (bi, b) in f.blocks.iter().enumerate() {
            for e in b.term.successors() {
                for (p, a) in f.block(e.block).params.iter().zip(&e.args) {
                    l.incoming.entry(*p).or_default().push(*a);
                }
            }
            for (k, i) in b.insts.iter().enumerate() {
                for (j, a) in i.args.iter().enumerate() {
                    l.uses.entry(*a).or_default().push((Block(bi as u32), k, j));
                }
            }
            l.term_uses.extend(b.term.uses());
        }
        l
    }
}

fn mixed(span: Span, a: &Ty, b: &Ty) -> CompileError {
    CompileError::typing(
        span,
        format!("a list, dict or set holding both '{a}' and '{b}' values is not supported in compiled code yet"),
    )
}

fn bad_elem(span: Span, t: &Ty) -> CompileError {
    CompileError::typing(
        span,
        format!(
            "a list of '{}' values is not supported in compiled code yet",
            py_name(t)
        ),
    )
}

/// What `in`, `index`, `count` and `remove` search a list for: CPython
/// compares each element by identity first, so a float NaN is found only
/// if it is the very object in the list; compiled code holds floats by
/// value, so only ints, bools and None are searched for natively.
fn needle(t: &Ty, span: Span) -> CResult<()> {
    if t.members().iter().all(|m| contains_operand(m) || is_str(m)) {
        return Ok(());
    }
    Err(CompileError::typing(
        span,
        format!(
            "searching a list for a '{}' is not supported in compiled code yet (ints, bools, None and strings only: CPython matches a NaN float by identity)",
            py_name(t)
        ),
    ))
}

/// Whether Numba's typed containers convert a value of type `from` to the
/// item type `to` (and compiled code converts it natively: an int or bool to
/// a float, a bool to an int).
fn typed_converts(to: &Ty, from: &Ty) -> bool {
    matches!((to, from), (Ty::Float, Ty::Int | Ty::Bool) | (Ty::Int, Ty::Bool))
}

fn elem_of(t: &Ty) -> Ty {
    match t {
        Ty::List(e) => (**e).clone(),
        _ => Ty::Bottom,
    }
}

impl Infer<'_> {
    /// Whether the list literal `v` is only passed to NumPy functions
    /// (`np.array([x, y])`, nested in such a list): compiled as a tuple.
    fn np_literal(&mut self, v: Value) -> bool {
        if let Some(b) = self.lists.np_literals.get(&v) {
            return *b;
        }
        let uses = self.lists.uses.get(&v).cloned().unwrap_or_default();
        let ok = !uses.is_empty()
            && !self.lists.term_uses.contains(&v)
            && uses.iter().all(|(b, k, j)| {
                let i = &self.f.block(*b).insts[*k];
                match &i.op {
                    Op::MethodCall { .. } => {
                        *j >= 1 && matches!(self.t.ty(i.args[0]), Ty::Module(Module::Numpy | Module::NumpyLinalg))
                    }
                    Op::List => i.result.is_some_and(|r| self.np_literal(r)),
                    _ => false,
                }
            });
        self.lists.np_literals.insert(v, ok);
        ok
    }

    fn origins(&self, v: Value, seen: &mut HashSet<Value>, out: &mut Vec<Origin>) {
        if !seen.insert(v) {
            return;
        }
        if self.lists.sites.contains(&v) || self.lists.entry_params.contains(&v) {
            out.push(Origin::Site(v));
            return;
        }
        if let Some(ins) = self.lists.incoming.get(&v) {
            for a in ins.clone() {
                self.origins(a, seen, out);
            }
            return;
        }
        if let Some((b, k)) = self.lists.defs.get(&v) {
            let i = &self.f.block(*b).insts[*k];
            if i.op == Op::GetItem && i.args.len() == 2 && matches!(self.t.ty(i.args[0]), Ty::List(_)) {
                out.push(Origin::Element(i.args[0]));
                return;
            }
        }
        out.push(Origin::Opaque);
    }

    /// Records that list `v` (of type `cur`) receives elements of type `t`.
    fn widen(&mut self, v: Value, cur: &Ty, t: &Ty, span: Span) -> CResult<()> {
        let t = elem_ty(t);
        if !list_elem_ok(&t) {
            return Err(bad_elem(span, &t));
        }
        if typed_converts(&elem_of(cur), &t) && self.only_typed_sites(v) {
            return Ok(()); // converted when stored (codegen's `coerce`)
        }
        self.widen_origins(v, cur, &t, elem_of, |e| Ty::List(Box::new(e)), span)
    }

    /// Whether every container `v` can be was made with declared item types.
    fn only_typed_sites(&self, v: Value) -> bool {
        let mut out = Vec::new();
        self.origins(v, &mut HashSet::new(), &mut out);
        !out.is_empty()
            && out
                .iter()
                .all(|o| matches!(o, Origin::Site(s) if self.lists.typed_sites.contains(s)))
    }

    /// Widens the element type of every site container `v` (of type `cur`,
    /// a list or a set: `elem` reads its element type, `wrap` makes one) can
    /// come from, so that it holds elements of type `t`.
    fn widen_origins(
        &mut self,
        v: Value,
        cur: &Ty,
        t: &Ty,
        elem: fn(&Ty) -> Ty,
        wrap: fn(Ty) -> Ty,
        span: Span,
    ) -> CResult<()> {
        let e = elem(cur);
        let joined = elem_join(&e, t).ok_or_else(|| mixed(span, &e, t))?;
        if joined == e {
            return Ok(());
        }
        let mut out = Vec::new();
        self.origins(v, &mut HashSet::new(), &mut out);
        for o in out {
            match o {
                Origin::Site(s) if self.lists.entry_params.contains(&s) => {
                    // An argument: only an empty one (no element seen) takes a type.
                    let pe = elem(self.t.ty(s));
                    let j = elem_join(&pe, t).ok_or_else(|| mixed(span, &pe, t))?;
                    if j != pe {
                        if pe != Ty::Bottom {
                            return Err(mixed(span, &pe, t));
                        }
                        self.t.types[s.0 as usize] = wrap(j);
                        self.lists.widened = true;
                    }
                }
                Origin::Site(s) => {
                    let se = self.lists.site_elem.get(&s).cloned().unwrap_or(Ty::Bottom);
                    let j = elem_join(&se, t).ok_or_else(|| mixed(span, &se, t))?;
                    if j != se {
                        self.lists.site_elem.insert(s, j);
                        self.lists.widened = true;
                    }
                }
                Origin::Element(outer) => {
                    let ot = self.t.ty(outer).clone();
                    self.widen(outer, &ot, &wrap(joined.clone()), span)?;
                }
                Origin::Opaque => return Err(mixed(span, &e, t)),
            }
        }
        Ok(())
    }

    /// The type of a list made at `r` whose own elements are of type `e`.
    pub(super) fn site(&mut self, r: Option<Value>, e: Ty, span: Span) -> CResult<Ty> {
        let Some(r) = r else { return Ok(Ty::List(Box::new(e))) };
        self.lists.sites.insert(r);
        let extra = self.lists.site_elem.get(&r).cloned().unwrap_or(Ty::Bottom);
        let j = elem_join(&e, &extra).ok_or_else(|| mixed(span, &e, &extra))?;
        Ok(Ty::List(Box::new(j)))
    }

    fn py_list_op(&mut self, target: ProbeTarget, args: &[Ty], kw: &[String], ret: &Ty, span: Span) -> CResult<()> {
        self.env.py_op(&target, args, kw, ret, self.cur, span)
    }

    /// The element type a read gives. `Bottom` (nothing is stored into the
    /// list anywhere inference can see, e.g. an empty list argument) leaves
    /// the read untyped: compiled code deoptimizes if it is ever reached.
    fn read_elem(&self, e: &Ty) -> Ty {
        e.clone()
    }

    /// Types `op` if it is an operation on a list: `Some(result)` (`Some(None)`
    /// for an instruction without a result), `None` when it is not one.
    pub(super) fn list_op(
        &mut self,
        op: &Op,
        argv: &[Value],
        args: &[Ty],
        r: Option<Value>,
        span: Span,
    ) -> CResult<Option<Option<Ty>>> {
        let is_list = |t: &Ty| matches!(t, Ty::List(_));
        match (op, args.first()) {
            (Op::Call { kw }, Some(Ty::Builtin(Builtin::TypedList))) => {
                return self.typed_list_new(kw, args, r, span).map(|t| Some(Some(t)))
            }
            // `typed.List()`: a method call on the module
            (Op::MethodCall { name, kw }, Some(Ty::Module(Module::Typed))) if name == "List" => {
                return self.typed_list_new(kw, args, r, span).map(|t| Some(Some(t)))
            }
            _ => {}
        }
        let int_index = |t: &Ty| matches!(t, Ty::Int | Ty::Bool) || matches!(t, Ty::Np(d) if d.kind() == Kind::Int);
        let first_list = args.first().is_some_and(is_list);
        if self.gil_free && args.iter().any(is_list) {
            return Err(CompileError::typing(
                span,
                "lists are not supported in compiled code under nogil=True or parallel=True yet",
            ));
        }
        let t = match op {
            Op::List => {
                if r.is_some_and(|r| self.np_literal(r)) {
                    return Ok(None);
                }
                let mut e = Ty::Bottom;
                for t in args {
                    let t = elem_ty(t);
                    if !list_elem_ok(&t) {
                        return Err(bad_elem(span, &t));
                    }
                    e = elem_join(&e, &t).ok_or_else(|| mixed(span, &e, &t))?;
                }
                let ty = self.site(r, e.clone(), span)?;
                // (by the site's element type: stores elsewhere may have widened it, to a union)
                let se = elem_of(&ty);
                let native = args.is_empty() || (native_kind(&se).is_some() && args.iter().all(|t| *t == se));
                if !native {
                    self.py_list_op(ProbeTarget::Builtin("@list"), args, &[], &ty, span)?;
                }
                Some(ty)
            }
            Op::GetItem if first_list && args.len() == 2 => {
                let e = elem_of(&args[0]);
                if int_index(&args[1]) {
                    let e = self.read_elem(&e);
                    if e == Ty::Bottom {
                        return Ok(Some(Some(Ty::Bottom)));
                    }
                    if native_kind(&e).is_none() || !matches!(args[1], Ty::Int | Ty::Bool) {
                        self.py_list_op(ProbeTarget::GetItem, args, &[], &e, span)?;
                    }
                    Some(e)
                } else if matches!(args[1], Ty::Slice(_)) {
                    let ty = self.site(r, e, span)?;
                    self.py_list_op(ProbeTarget::GetItem, args, &[], &ty, span)?;
                    Some(ty)
                } else {
                    return Err(CompileError::typing(
                        span,
                        format!("list indices must be integers or slices, not {}", py_name(&args[1])),
                    ));
                }
            }
            Op::DelItem if first_list && args.len() == 2 => {
                if !(int_index(&args[1]) || matches!(args[1], Ty::Slice(_))) {
                    return Err(CompileError::typing(
                        span,
                        format!("list indices must be integers or slices, not {}", py_name(&args[1])),
                    ));
                }
                // CPython's own deletion (its IndexError message, slices with steps).
                self.py_list_op(ProbeTarget::Operator("delitem"), args, &[], &Ty::NoneT, span)?;
                None
            }
            Op::SetItem if first_list && args.len() == 3 => {
                let v = elem_ty(&args[2]);
                if int_index(&args[1]) {
                    self.widen(argv[0], &args[0], &v, span)?;
                    let union = matches!(elem_of(&args[0]), Ty::Union(_));
                    if native_kind(&v).is_none() || union || !matches!(args[1], Ty::Int | Ty::Bool) {
                        self.py_list_op(ProbeTarget::SetItem, args, &[], &Ty::NoneT, span)?;
                    }
                } else if matches!(args[1], Ty::Slice(_)) && is_list(&v) {
                    self.widen(argv[0], &args[0], &elem_of(&v), span)?;
                    self.py_list_op(ProbeTarget::SetItem, args, &[], &Ty::NoneT, span)?;
                } else {
                    return Err(CompileError::typing(
                        span,
                        "this list assignment is not supported in compiled code yet (an int index, or a slice and a list)",
                    ));
                }
                None
            }
            Op::Len if first_list => Some(Ty::Int),
            Op::Truth if first_list => Some(Ty::Bool),
            Op::Unary(UnaryOp::Not) if first_list => Some(Ty::Bool),
            Op::Contains if first_list => {
                needle(&args[1], span)?;
                self.py_list_op(ProbeTarget::Operator("contains"), args, &[], &Ty::Bool, span)?;
                Some(Ty::Bool)
            }
            Op::Is if args.len() == 2 && is_list(&args[0]) && is_list(&args[1]) => Some(Ty::Bool),
            Op::Cmp(c) if args.len() == 2 && is_list(&args[0]) && is_list(&args[1]) => {
                let name = match c {
                    crate::hir::CmpOp::Eq => "eq",
                    crate::hir::CmpOp::Ne => "ne",
                    _ => {
                        return Err(CompileError::typing(
                            span,
                            "ordering comparisons of lists are not supported in compiled code yet",
                        ))
                    }
                };
                self.py_list_op(ProbeTarget::Operator(name), args, &[], &Ty::Bool, span)?;
                Some(Ty::Bool)
            }
            Op::Bin { op, inplace } if args.len() == 2 && (is_list(&args[0]) || is_list(&args[1])) => {
                let (name, ty) = match (op, &args[0], &args[1]) {
                    (BinOp::Add, Ty::List(a), Ty::List(b)) => {
                        let e = elem_join(a, b).ok_or_else(|| mixed(span, a, b))?;
                        if *inplace {
                            self.widen(argv[0], &args[0], b, span)?;
                            ("iadd", Ty::List(Box::new(e)))
                        } else {
                            ("add", self.site(r, e, span)?)
                        }
                    }
                    (BinOp::Mul, Ty::List(a), n) | (BinOp::Mul, n, Ty::List(a)) if int_index(n) => {
                        if *inplace && is_list(&args[0]) {
                            ("imul", args[0].clone())
                        } else {
                            ("mul", self.site(r, (**a).clone(), span)?)
                        }
                    }
                    _ => {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "compiled code does not support {} between '{}' and '{}'",
                                op.symbol(),
                                py_name(&args[0]),
                                py_name(&args[1])
                            ),
                        ))
                    }
                };
                self.py_list_op(ProbeTarget::Operator(name), args, &[], &ty, span)?;
                Some(ty)
            }
            Op::MethodCall { name, kw } if first_list => {
                let e = elem_of(&args[0]);
                let npos = args.len() - kw.len();
                let pos = &args[1..npos];
                let unsupported = || {
                    CompileError::typing(
                        span,
                        format!("this call of the list method '{name}' is not supported in compiled code yet"),
                    )
                };
                if !(kw.is_empty() || (name == "sort" && sort_keywords(kw, &args[npos..], true))) {
                    return Err(unsupported());
                }
                let ret = match (name.as_str(), pos) {
                    ("append", [x]) => {
                        self.widen(argv[0], &args[0], x, span)?;
                        // (into a list of union elements: CPython's own append)
                        if native_kind(&elem_ty(x)).is_some() && !matches!(e, Ty::Union(_)) {
                            return Ok(Some(Some(Ty::NoneT)));
                        }
                        Ty::NoneT
                    }
                    ("insert", [i, x]) if int_index(i) => {
                        self.widen(argv[0], &args[0], x, span)?;
                        Ty::NoneT
                    }
                    ("extend", [Ty::List(b)]) => {
                        self.widen(argv[0], &args[0], b, span)?;
                        Ty::NoneT
                    }
                    ("extend", [Ty::Tuple(ts)]) => {
                        for t in ts {
                            self.widen(argv[0], &args[0], t, span)?;
                        }
                        Ty::NoneT
                    }
                    ("pop", []) | ("pop", [_]) if e == Ty::Bottom => return Ok(Some(Some(Ty::Bottom))),
                    ("pop", []) => self.read_elem(&e),
                    ("pop", [i]) if int_index(i) => self.read_elem(&e),
                    ("remove", [x]) => {
                        needle(x, span)?;
                        Ty::NoneT
                    }
                    ("sort", []) | ("reverse", []) | ("clear", []) => Ty::NoneT,
                    ("index", [x]) | ("count", [x]) => {
                        needle(x, span)?;
                        Ty::Int
                    }
                    ("index", [x, a]) if int_index(a) => {
                        needle(x, span)?;
                        Ty::Int
                    }
                    ("index", [x, a, b]) if int_index(a) && int_index(b) => {
                        needle(x, span)?;
                        Ty::Int
                    }
                    ("copy", []) => self.site(r, e, span)?,
                    _ => return Err(unsupported()),
                };
                self.py_list_op(ProbeTarget::Method(name.clone()), args, kw, &ret, span)?;
                Some(ret)
            }
            Op::Call { kw } => {
                let Some(Ty::Builtin(b)) = args.first() else {
                    return Ok(None);
                };
                let b = *b;
                let npos = args.len() - kw.len();
                let pos = &args[1..npos];
                if let ([Ty::Tuple(ts)], true) = (pos, kw.is_empty()) {
                    if let Some(t) = self.tuple_builtin(b, ts, r, span)? {
                        let name = builtin_name(b).expect("a builtin tuple_builtin takes");
                        self.py_list_op(ProbeTarget::Builtin(name), &args[1..], kw, &t, span)?;
                        return Ok(Some(Some(t)));
                    }
                }
                let list_builtin = matches!(
                    b,
                    Builtin::Sum | Builtin::Sorted | Builtin::Any | Builtin::All | Builtin::List
                );
                if !list_builtin && !pos.iter().any(is_list) {
                    return Ok(None);
                }
                let bad = || {
                    CompileError::typing(
                        span,
                        format!(
                            "this call of {}() is not supported in compiled code yet",
                            builtin_name(b).unwrap_or("the builtin")
                        ),
                    )
                };
                let kwvals = &args[npos..];
                let keyed = match b {
                    Builtin::Sorted => sort_keywords(kw, kwvals, true),
                    Builtin::Min | Builtin::Max => sort_keywords(kw, kwvals, false),
                    _ => false,
                };
                if !(kw.is_empty() || keyed) {
                    return Err(bad());
                }
                let ret = match (b, pos) {
                    (Builtin::Len, [Ty::List(_)]) => return Ok(Some(Some(Ty::Int))),
                    (Builtin::Bool, [Ty::List(_)]) => return Ok(Some(Some(Ty::Bool))),
                    // No element type yet: typed once something is stored (or never: untyped).
                    (Builtin::Sum | Builtin::Min | Builtin::Max, [Ty::List(e), ..]) if **e == Ty::Bottom => {
                        return Ok(Some(Some(Ty::Bottom)))
                    }
                    (Builtin::List, []) => return Ok(Some(Some(self.site(r, Ty::Bottom, span)?))),
                    (Builtin::Sum, [Ty::List(e)]) => match &**e {
                        Ty::Int | Ty::Bool => Ty::Int,
                        // `sum([])` is the int 0
                        Ty::Float => Ty::Union(vec![Ty::Int, Ty::Float]),
                        // NumPy floats add one by one (CPython's float path takes exact
                        // floats only), the int 0 first: the NumPy float, or 0 for no items.
                        Ty::Np(d) if d.kind() == Kind::Float => Ty::Union(vec![Ty::Int, Ty::Np(*d)]),
                        // Ints, bools and floats mixed: an int until a float is added.
                        Ty::Union(ms) if ms.iter().all(|m| matches!(m, Ty::Int | Ty::Bool | Ty::Float)) => {
                            if ms.contains(&Ty::Float) {
                                Ty::Union(vec![Ty::Int, Ty::Float])
                            } else {
                                Ty::Int
                            }
                        }
                        _ => return Err(bad()),
                    },
                    (Builtin::Sum, [Ty::List(e), s]) => match (&**e, s) {
                        (Ty::Int | Ty::Bool, Ty::Int | Ty::Bool) => Ty::Int,
                        (Ty::Float, Ty::Float) | (Ty::Int | Ty::Bool, Ty::Float) => Ty::Float,
                        (Ty::Float, Ty::Int | Ty::Bool) => Ty::Union(vec![Ty::Int, Ty::Float]),
                        _ => return Err(bad()),
                    },
                    (Builtin::Min | Builtin::Max, [Ty::List(e)]) => self.read_elem(e),
                    (Builtin::Any | Builtin::All, [Ty::List(_)]) => Ty::Bool,
                    (Builtin::Sorted, [Ty::List(e)]) => self.site(r, (**e).clone(), span)?,
                    (Builtin::List, [Ty::List(e)]) => self.site(r, (**e).clone(), span)?,
                    (Builtin::List, [Ty::Tuple(ts)]) => {
                        let mut e = Ty::Bottom;
                        for t in ts {
                            if !list_elem_ok(t) {
                                return Err(bad_elem(span, t));
                            }
                            e = elem_join(&e, t).ok_or_else(|| mixed(span, &e, t))?;
                        }
                        self.site(r, e, span)?
                    }
                    (Builtin::List, [Ty::Array(a)]) if a.ndim == 1 => self.site(r, Ty::Np(a.dtype), span)?,
                    _ => return Err(bad()),
                };
                let name = builtin_name(b).ok_or_else(bad)?;
                self.py_list_op(ProbeTarget::Builtin(name), &args[1..], kw, &ret, span)?;
                Some(ret)
            }
            _ => return Ok(None),
        };
        Ok(Some(t))
    }

    /// `sum`, `min`, `max`, `any`, `all` or `sorted` of a tuple of numbers (`*args`):
    /// CPython's builtin (called from compiled code), typed by the tuple's
    /// item types; `None` for other calls. (`min(())` raises: untyped.)
    fn tuple_builtin(&mut self, b: Builtin, ts: &[Ty], r: Option<Value>, span: Span) -> CResult<Option<Ty>> {
        let number = |t: &Ty| matches!(t, Ty::Int | Ty::Bool | Ty::Float);
        // (`min`/`max`/`any`/`all` also of real NumPy scalars: the result is one of
        // the items, or a bool; `sum`'s type would depend on the order of the adds)
        let np_real = |t: &Ty| matches!(t, Ty::Np(d) if matches!(d.kind(), crate::dtype::Kind::Bool | crate::dtype::Kind::Int | crate::dtype::Kind::Float));
        let items_ok = match b {
            Builtin::Min | Builtin::Max | Builtin::Any | Builtin::All => ts.iter().all(|t| number(t) || np_real(t)),
            _ => ts.iter().all(number),
        };
        if !items_ok {
            return Ok(None);
        }
        let joined = || ts.iter().try_fold(Ty::Bottom, |j, t| join(&j, t));
        Ok(Some(match b {
            Builtin::Sum if ts.contains(&Ty::Float) => Ty::Float,
            Builtin::Sum => Ty::Int,
            Builtin::Any | Builtin::All => Ty::Bool,
            Builtin::Min | Builtin::Max if ts.is_empty() => Ty::Bottom,
            Builtin::Min | Builtin::Max => match joined() {
                Some(t) => t,
                None => return Ok(None),
            },
            Builtin::Sorted => {
                let mut e = Ty::Bottom;
                for t in ts {
                    e = elem_join(&e, t).ok_or_else(|| mixed(span, &e, t))?;
                }
                self.site(r, e, span)?
            }
            _ => return Ok(None),
        }))
    }

    /// After inference: the trip count of a `for` loop over a list (`Op::Len`)
    /// may only be compared against in the loop's header, where compiled code
    /// and the interpreter re-read the list's length each iteration (CPython's
    /// list iterator does); `zip()` and `reversed()` over lists are not compiled.
    pub(super) fn check_list_loops(&self) -> CResult<()> {
        for b in &self.f.blocks {
            for i in &b.insts {
                if i.op != Op::Len || !matches!(self.t.ty(i.args[0]), Ty::List(_)) {
                    continue;
                }
                let Some(r) = i.result else { continue };
                // (reversed()'s first index, `len - 1`, is taken once: its loop
                // re-checks the index against the list's length every step)
                let ok = !self.lists.term_uses.contains(&r)
                    && self.lists.uses.get(&r).into_iter().flatten().all(|(ub, uk, j)| {
                        let u = &self.f.block(*ub).insts[*uk];
                        (*j == 1 && u.op == Op::Cmp(crate::hir::CmpOp::Lt)) || (*j == 0 && u.op == Op::RangeNext)
                    });
                if !ok {
                    return Err(CompileError::typing(
                        i.span,
                        "this use of a list's length is not supported in compiled code yet",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The builtin's name, for calls through Python.
pub fn builtin_name(b: Builtin) -> Option<&'static str> {
    Some(match b {
        Builtin::Sum => "sum",
        Builtin::Sorted => "sorted",
        Builtin::Any => "any",
        Builtin::All => "all",
        Builtin::List => "list",
        Builtin::Dict => "dict",
        Builtin::Set => "set",
        Builtin::Str => "str",
        Builtin::Repr => "repr",
        Builtin::Format => "format",
        Builtin::Ord => "ord",
        Builtin::Chr => "chr",
        Builtin::Hex => "hex",
        Builtin::Oct => "oct",
        Builtin::Bin => "bin",
        Builtin::Print => "print",
        Builtin::Min => "min",
        Builtin::Max => "max",
        Builtin::Len => "len",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// dicts: the same object-backed approach, keys and values typed per site

fn dict_kv(t: &Ty) -> (Ty, Ty) {
    match t {
        Ty::Dict(k, v) => ((**k).clone(), (**v).clone()),
        _ => (Ty::Bottom, Ty::Bottom),
    }
}

/// The key types compiled code stores into and looks up in dicts: ints,
/// bools and strs (natively), and tuples of ints and bools (`d[i, j]`,
/// through the dict's own operations). A float key is matched by identity
/// first in CPython, as in lists (see [`needle`]): not compiled.
fn dict_key(t: &Ty, span: Span) -> CResult<()> {
    if is_dict_key(t) {
        return Ok(());
    }
    Err(CompileError::typing(
        span,
        format!(
            "dicts with '{}' keys are not supported in compiled code yet (int, bool and str keys, and tuples of ints and bools)",
            py_name(t)
        ),
    ))
}

/// A key compiled code boxes itself for a dict's `PyDict_*` (a string literal as its constant object).
fn native_key(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Bool | Ty::PyStr | Ty::Str(_))
}

pub fn is_dict_key(t: &Ty) -> bool {
    match t {
        Ty::Int | Ty::Bool | Ty::PyStr => true,
        Ty::Tuple(ts) => ts.iter().all(|t| matches!(t, Ty::Int | Ty::Bool)),
        _ => false,
    }
}

/// A key looked up in a dict: as [`needle`], or a tuple of ints and bools.
fn dict_needle(t: &Ty, span: Span) -> CResult<()> {
    if matches!(t, Ty::Tuple(_)) && is_dict_key(t) {
        return Ok(());
    }
    needle(t, span)
}

impl Infer<'_> {
    /// Records that dict `v` (of type `cur`) receives `key: val` items.
    fn widen_dict(&mut self, v: Value, cur: &Ty, key: &Ty, val: &Ty, span: Span) -> CResult<()> {
        let (key, val) = (elem_ty(key), elem_ty(val));
        dict_key(&key, span)?;
        if native_kind(&val).is_none() || val == Ty::PyStr {
            return Err(CompileError::typing(
                span,
                format!(
                    "dicts with '{}' values are not supported in compiled code yet",
                    py_name(&val)
                ),
            ));
        }
        let (k0, v0) = dict_kv(cur);
        if key == k0 && typed_converts(&v0, &val) && self.only_typed_sites(v) {
            return Ok(()); // the value is converted when stored
        }
        let k = elem_join(&k0, &key).ok_or_else(|| mixed(span, &k0, &key))?;
        let w = elem_join(&v0, &val).ok_or_else(|| mixed(span, &v0, &val))?;
        if k == k0 && w == v0 {
            return Ok(());
        }
        let pair = Ty::Tuple(vec![key.clone(), val.clone()]);
        let mut out = Vec::new();
        self.origins(v, &mut HashSet::new(), &mut out);
        for o in out {
            match o {
                Origin::Site(s) if self.lists.entry_params.contains(&s) => {
                    let (pk, pv) = dict_kv(self.t.ty(s));
                    let jk = elem_join(&pk, &key).ok_or_else(|| mixed(span, &pk, &key))?;
                    let jv = elem_join(&pv, &val).ok_or_else(|| mixed(span, &pv, &val))?;
                    if (jk != pk && pk != Ty::Bottom) || (jv != pv && pv != Ty::Bottom) {
                        return Err(mixed(span, &pv, &val));
                    }
                    if jk != pk || jv != pv {
                        self.t.types[s.0 as usize] = Ty::Dict(Box::new(jk), Box::new(jv));
                        self.lists.widened = true;
                    }
                }
                Origin::Site(s) => {
                    let se = self.lists.site_elem.get(&s).cloned().unwrap_or(Ty::Bottom);
                    let j = elem_join(&se, &pair).ok_or_else(|| mixed(span, &se, &pair))?;
                    if j != se {
                        self.lists.site_elem.insert(s, j);
                        self.lists.widened = true;
                    }
                }
                _ => return Err(mixed(span, &v0, &val)),
            }
        }
        Ok(())
    }

    /// The type of a dict made at `r`.
    /// `typed.List()` or `typed.List(_pyston_item_type="float64")` (what the
    /// front end makes of `typed.List.empty_list(float64)`): a list site typed
    /// by its declared item type, or like `list()` by what is stored into it.
    /// The list is made by calling the class (through Python, with the final
    /// item type: [`Env::py_op`] with `@typed_list`), so it is a typed list.
    fn typed_list_new(&mut self, kw: &[String], args: &[Ty], r: Option<Value>, span: Span) -> CResult<Ty> {
        let unsupported = || {
            CompileError::typing(
                span,
                "this typed.List(iterable) is not supported in compiled code yet (typed.List(), \
                 typed.List.empty_list(item_type) and typed.List of a list or tuple of ints, \
                 floats, bools or strings are)",
            )
        };
        let held = |t: &Ty| matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::PyStr);
        let declared = match (kw, &args[1..]) {
            ([], []) => Ty::Bottom,
            ([k], [Ty::Str(name)]) if k == "_pyston_item_type" => typed_item(name, span)?,
            // `typed.List(iterable)`: typed by the first item, the others converted
            // to it (by the class, through Python) as Numba converts them.
            ([], [it]) => {
                let items: Vec<Ty> = match it {
                    Ty::List(e) => vec![elem_ty(e)],
                    Ty::Tuple(ts) => ts.iter().map(elem_ty).collect(),
                    _ => return Err(unsupported()),
                };
                match items.split_first() {
                    None => Ty::Bottom,
                    Some((first, rest)) => {
                        if *first != Ty::Bottom
                            && (!held(first) || !rest.iter().all(|t| t == first || typed_converts(first, t)))
                        {
                            return Err(unsupported());
                        }
                        first.clone()
                    }
                }
            }
            _ => return Err(unsupported()),
        };
        if self.gil_free {
            return Err(CompileError::typing(
                span,
                "lists are not supported in compiled code under nogil=True or parallel=True yet",
            ));
        }
        if let (false, Some(r)) = (declared == Ty::Bottom, r) {
            self.lists.typed_sites.insert(r);
        }
        let t = self.site(r, declared, span)?;
        self.py_list_op(ProbeTarget::Builtin("@typed_list"), &args[1..], kw, &t, span)?;
        Ok(t)
    }

    /// `typed.Dict()` or `typed.Dict(_pyston_key_type=..., _pyston_value_type=...)`
    /// (from `typed.Dict.empty(k, v)`): as [`Infer::typed_list_new`], for a dict site.
    fn typed_dict_new(&mut self, kw: &[String], args: &[Ty], r: Option<Value>, span: Span) -> CResult<Ty> {
        let declared = match (kw, &args[1..]) {
            ([], []) => None,
            ([k, v], [Ty::Str(kn), Ty::Str(vn)]) if k == "_pyston_key_type" && v == "_pyston_value_type" => {
                Some((typed_item(kn, span)?, typed_item(vn, span)?))
            }
            _ => {
                return Err(CompileError::typing(
                    span,
                    "this call of typed.Dict is not supported in compiled code (typed.Dict() and \
                     typed.Dict.empty(key_type, value_type) are)",
                ))
            }
        };
        if self.gil_free {
            return Err(CompileError::typing(
                span,
                "dicts are not supported in compiled code under nogil=True or parallel=True yet",
            ));
        }
        if let (Some((k, v)), Some(r)) = (declared, r) {
            self.lists.site_elem.entry(r).or_insert_with(|| Ty::Tuple(vec![k, v]));
            self.lists.typed_sites.insert(r);
        }
        let t = self.dict_site(r);
        self.py_list_op(ProbeTarget::Builtin("@typed_dict"), &args[1..], kw, &t, span)?;
        Ok(t)
    }

    fn dict_site(&mut self, r: Option<Value>) -> Ty {
        if let Some(r) = r {
            self.lists.sites.insert(r);
            if let Some(Ty::Tuple(kv)) = self.lists.site_elem.get(&r) {
                return Ty::Dict(Box::new(kv[0].clone()), Box::new(kv[1].clone()));
            }
        }
        Ty::Dict(Box::new(Ty::Bottom), Box::new(Ty::Bottom))
    }

    /// Types `op` if it is an operation on a dict (see [`Infer::list_op`]).
    pub(super) fn dict_op(
        &mut self,
        op: &Op,
        argv: &[Value],
        args: &[Ty],
        r: Option<Value>,
        span: Span,
    ) -> CResult<Option<Option<Ty>>> {
        let is_dict = |t: &Ty| matches!(t, Ty::Dict(..));
        match (op, args.first()) {
            (Op::Call { kw }, Some(Ty::Builtin(Builtin::TypedDict))) => {
                return self.typed_dict_new(kw, args, r, span).map(|t| Some(Some(t)))
            }
            (Op::MethodCall { name, kw }, Some(Ty::Module(Module::Typed))) if name == "Dict" => {
                return self.typed_dict_new(kw, args, r, span).map(|t| Some(Some(t)))
            }
            _ => {}
        }
        if let (Op::Call { kw }, Some(Ty::Builtin(Builtin::Dict))) = (op, args.first()) {
            if args.len() == 1 && kw.is_empty() {
                return Ok(Some(Some(self.dict_site(r))));
            }
            return Err(CompileError::typing(
                span,
                "dict() with arguments is not supported in compiled code yet",
            ));
        }
        if !args.iter().any(is_dict) {
            return Ok(None);
        }
        if self.gil_free {
            return Err(CompileError::typing(
                span,
                "dicts are not supported in compiled code under nogil=True or parallel=True yet",
            ));
        }
        let first = args.first().is_some_and(is_dict);
        let (k, v) = args.first().map(dict_kv).unwrap_or((Ty::Bottom, Ty::Bottom));
        let t = match op {
            // `d[i, j]`: the key is the tuple `(i, j)` (the indexes are passed apart,
            // as for arrays, and packed again by the call).
            Op::GetItem if first && args.len() > 2 => {
                let key = Ty::Tuple(args[1..].to_vec());
                dict_needle(&key, span)?;
                if v != Ty::Bottom {
                    self.py_list_op(ProbeTarget::GetItem, args, &[], &v, span)?;
                }
                Some(v)
            }
            Op::SetItem if first && args.len() > 3 => {
                let n = args.len();
                let key = Ty::Tuple(args[1..n - 1].to_vec());
                self.widen_dict(argv[0], &args[0], &key, &args[n - 1], span)?;
                self.py_list_op(ProbeTarget::SetItem, args, &[], &Ty::NoneT, span)?;
                None
            }
            Op::GetItem if first && args.len() == 2 => {
                dict_needle(&args[1], span)?;
                let native = native_key(&args[1]) && native_kind(&v).is_some();
                if !native && v != Ty::Bottom {
                    self.py_list_op(ProbeTarget::GetItem, args, &[], &v, span)?;
                }
                Some(v)
            }
            Op::SetItem if first && args.len() == 3 => {
                self.widen_dict(argv[0], &args[0], &args[1], &args[2], span)?;
                if !native_key(&args[1]) {
                    self.py_list_op(ProbeTarget::SetItem, args, &[], &Ty::NoneT, span)?;
                }
                None
            }
            Op::DelItem if first && args.len() == 2 => {
                dict_needle(&args[1], span)?;
                if !native_key(&args[1]) {
                    self.py_list_op(ProbeTarget::Operator("delitem"), args, &[], &Ty::NoneT, span)?;
                }
                None
            }
            Op::Contains if first => {
                dict_needle(&args[1], span)?;
                if !native_key(&args[1]) {
                    self.py_list_op(ProbeTarget::Operator("contains"), args, &[], &Ty::Bool, span)?;
                }
                Some(Ty::Bool)
            }
            Op::Truth | Op::Unary(UnaryOp::Not) if first => Some(Ty::Bool),
            Op::Call { kw } if kw.is_empty() && args.len() == 2 && args[0] == Ty::Builtin(Builtin::Len) => {
                Some(Ty::Int)
            }
            Op::Call { kw } if kw.is_empty() && args.len() == 2 && args[0] == Ty::Builtin(Builtin::Bool) => {
                Some(Ty::Bool)
            }
            Op::MethodCall { name, kw } if first && kw.is_empty() && name == "get" => match &args[1..] {
                [key] => {
                    dict_needle(key, span)?;
                    // The value or None (an optional value: `if v is None:` tests its tag).
                    if v == Ty::Bottom {
                        return Ok(Some(Some(Ty::Bottom)));
                    }
                    let ret = join(&Ty::NoneT, &v).ok_or_else(|| bad_elem(span, &v))?;
                    self.py_list_op(ProbeTarget::Method("get".into()), args, &[], &ret, span)?;
                    Some(ret)
                }
                [key, d] => {
                    dict_needle(key, span)?;
                    let d = elem_ty(d);
                    // (a typed dict converts the default to its value type, as Numba does)
                    let j = if typed_converts(&v, &d) && self.only_typed_sites(argv[0]) {
                        v.clone()
                    } else {
                        elem_join(&v, &d).ok_or_else(|| mixed(span, &v, &d))?
                    };
                    if native_kind(&j).is_none() {
                        return Err(bad_elem(span, &j));
                    }
                    if !native_key(key) {
                        self.py_list_op(ProbeTarget::Method("get".into()), args, &[], &j, span)?;
                    }
                    Some(j)
                }
                _ => return Err(CompileError::typing(span, "dict.get() takes one or two arguments")),
            },
            Op::MethodCall { name, kw } if first && kw.is_empty() && name == "setdefault" && args.len() == 3 => {
                self.widen_dict(argv[0], &args[0], &args[1], &args[2], span)?;
                let d = elem_ty(&args[2]);
                let j = if typed_converts(&v, &d) && self.only_typed_sites(argv[0]) {
                    v.clone()
                } else {
                    elem_join(&v, &d).ok_or_else(|| mixed(span, &v, &d))?
                };
                self.py_list_op(ProbeTarget::Method(name.clone()), args, kw, &j, span)?;
                Some(j)
            }
            Op::MethodCall { name, kw } if first && kw.is_empty() && name == "pop" && args.len() == 3 => {
                dict_needle(&args[1], span)?;
                let d = elem_ty(&args[2]);
                let j = elem_join(&v, &d).ok_or_else(|| mixed(span, &v, &d))?;
                self.py_list_op(ProbeTarget::Method(name.clone()), args, kw, &j, span)?;
                Some(j)
            }
            Op::MethodCall { name, kw } if first && kw.is_empty() && name == "pop" && args.len() == 2 => {
                dict_needle(&args[1], span)?;
                if v != Ty::Bottom {
                    self.py_list_op(ProbeTarget::Method(name.clone()), args, kw, &v, span)?;
                }
                Some(v)
            }
            Op::MethodCall { name, .. } if first => {
                let _ = k;
                return Err(CompileError::typing(
                    span,
                    format!("the dict method '{name}' is not supported in compiled code yet (d[k], d[k] = v, get, setdefault, pop, in, len)"),
                ));
            }
            // Anything else (a tuple holding a dict, ...) is typed as for any value.
            _ => return Ok(None),
        };
        Ok(Some(t))
    }
}

// ---------------------------------------------------------------------------
// sets: the same object-backed approach, elements typed per site

fn set_elem(t: &Ty) -> Ty {
    match t {
        Ty::Set(e) => (**e).clone(),
        _ => Ty::Bottom,
    }
}

/// The element types compiled code stores into sets natively: ints, bools
/// and strs, held as the str objects themselves (floats are matched by
/// identity first, as in lists: see [`needle`]).
fn set_elem_ok(t: &Ty, span: Span) -> CResult<()> {
    if matches!(t, Ty::Int | Ty::Bool | Ty::PyStr) {
        return Ok(());
    }
    Err(CompileError::typing(
        span,
        format!(
            "sets of '{}' elements are not supported in compiled code yet (int, bool and str elements only)",
            py_name(t)
        ),
    ))
}

impl Infer<'_> {
    /// Records that set `v` (of type `cur`) receives elements of type `x`.
    fn widen_set(&mut self, v: Value, cur: &Ty, x: &Ty, span: Span) -> CResult<()> {
        let x = elem_ty(x);
        set_elem_ok(&x, span)?;
        self.widen_origins(v, cur, &x, set_elem, |e| Ty::Set(Box::new(e)), span)
    }

    /// The type of a set made at `r` whose own elements are of type `e`.
    fn set_site(&mut self, r: Option<Value>, e: Ty, span: Span) -> CResult<Ty> {
        let Some(r) = r else { return Ok(Ty::Set(Box::new(e))) };
        self.lists.sites.insert(r);
        let extra = self.lists.site_elem.get(&r).cloned().unwrap_or(Ty::Bottom);
        let j = elem_join(&e, &extra).ok_or_else(|| mixed(span, &e, &extra))?;
        Ok(Ty::Set(Box::new(j)))
    }

    /// Types `op` if it is an operation on a set (see [`Infer::list_op`]): `set()`,
    /// `add`, `discard`, `in`, `len` and truth are native (`codegen/lists.rs`); the
    /// other methods, the operators and the builtins are the set's own or the
    /// builtin's, called through Python.
    pub(super) fn set_op(
        &mut self,
        op: &Op,
        argv: &[Value],
        args: &[Ty],
        r: Option<Value>,
        span: Span,
    ) -> CResult<Option<Option<Ty>>> {
        let is_set = |t: &Ty| matches!(t, Ty::Set(_));
        if let (Op::Call { kw }, Some(Ty::Builtin(Builtin::Set))) = (op, args.first()) {
            let e = match (&args[1..], kw.is_empty()) {
                ([], true) => return Ok(Some(Some(self.set_site(r, Ty::Bottom, span)?))),
                ([Ty::List(e)] | [Ty::Set(e)], true) => (**e).clone(),
                _ => {
                    return Err(CompileError::typing(
                        span,
                        "set() of this argument is not supported in compiled code yet (a list or a set of ints)",
                    ))
                }
            };
            if e != Ty::Bottom {
                set_elem_ok(&e, span)?;
            }
            let ty = self.set_site(r, e, span)?;
            self.py_list_op(ProbeTarget::Builtin("set"), &args[1..], &[], &ty, span)?;
            return Ok(Some(Some(ty)));
        }
        if !args.iter().any(is_set) {
            return Ok(None);
        }
        if self.gil_free {
            return Err(CompileError::typing(
                span,
                "sets are not supported in compiled code under nogil=True or parallel=True yet",
            ));
        }
        let first = args.first().is_some_and(is_set);
        let e = args.first().map(set_elem).unwrap_or(Ty::Bottom);
        let native_needle = |t: &Ty| matches!(t, Ty::Int | Ty::Bool);
        let t = match op {
            Op::Contains if first => {
                needle(&args[1], span)?;
                if !native_needle(&args[1]) {
                    self.py_list_op(ProbeTarget::Operator("contains"), args, &[], &Ty::Bool, span)?;
                }
                Some(Ty::Bool)
            }
            Op::Truth | Op::Unary(UnaryOp::Not) if first => Some(Ty::Bool),
            Op::Len if first => {
                return Err(CompileError::typing(
                    span,
                    "iterating over a set is not supported in compiled code yet (sorted(s) is)",
                ))
            }
            Op::MethodCall { name, kw } if first && kw.is_empty() => {
                let others = &args[1..];
                let all_sets = !others.is_empty() && others.iter().all(is_set);
                let joined = || -> CResult<Ty> {
                    let mut j = e.clone();
                    for o in others {
                        let oe = set_elem(o);
                        j = elem_join(&j, &oe).ok_or_else(|| mixed(span, &j, &oe))?;
                    }
                    Ok(j)
                };
                let ret = match (name.as_str(), others) {
                    ("add", [x]) => {
                        self.widen_set(argv[0], &args[0], x, span)?;
                        if native_needle(x) {
                            return Ok(Some(Some(Ty::NoneT)));
                        }
                        Ty::NoneT
                    }
                    ("discard", [x]) => {
                        needle(x, span)?;
                        if native_needle(x) {
                            return Ok(Some(Some(Ty::NoneT)));
                        }
                        Ty::NoneT
                    }
                    ("remove", [x]) => {
                        needle(x, span)?;
                        Ty::NoneT
                    }
                    ("clear", []) => Ty::NoneT,
                    ("pop", []) => e.clone(),
                    ("copy", []) => self.set_site(r, e.clone(), span)?,
                    ("union" | "intersection" | "difference" | "symmetric_difference", _) if all_sets => {
                        let j = joined()?;
                        self.set_site(r, j, span)?
                    }
                    ("issubset" | "issuperset" | "isdisjoint", [o]) if is_set(o) => Ty::Bool,
                    ("update" | "symmetric_difference_update", _) if all_sets => {
                        for o in others {
                            let oe = set_elem(o);
                            if oe != Ty::Bottom {
                                self.widen_set(argv[0], &args[0], &oe, span)?;
                            }
                        }
                        Ty::NoneT
                    }
                    ("intersection_update" | "difference_update", _) if all_sets => Ty::NoneT,
                    _ => {
                        return Err(CompileError::typing(
                            span,
                            format!(
                                "the set method '{name}' with these arguments is not supported in compiled code yet"
                            ),
                        ))
                    }
                };
                if ret == Ty::Bottom {
                    return Ok(Some(Some(Ty::Bottom)));
                }
                self.py_list_op(ProbeTarget::Method(name.clone()), args, kw, &ret, span)?;
                Some(ret)
            }
            Op::Bin { op: bop, inplace } if args.len() == 2 && args.iter().all(is_set) => {
                let (name, iname) = match bop {
                    BinOp::BitOr => ("or_", "ior"),
                    BinOp::BitAnd => ("and_", "iand"),
                    BinOp::Sub => ("sub", "isub"),
                    BinOp::BitXor => ("xor", "ixor"),
                    _ => {
                        return Err(CompileError::typing(
                            span,
                            format!("unsupported operand type(s) for {}: 'set' and 'set'", bop.symbol()),
                        ))
                    }
                };
                let oe = set_elem(&args[1]);
                let j = elem_join(&e, &oe).ok_or_else(|| mixed(span, &e, &oe))?;
                let ret = if *inplace {
                    if matches!(bop, BinOp::BitOr | BinOp::BitXor) && oe != Ty::Bottom {
                        self.widen_set(argv[0], &args[0], &oe, span)?;
                    }
                    args[0].clone()
                } else {
                    self.set_site(r, j, span)?
                };
                let target = ProbeTarget::Operator(if *inplace { iname } else { name });
                self.py_list_op(target, args, &[], &ret, span)?;
                Some(ret)
            }
            Op::Cmp(c) if args.len() == 2 && args.iter().all(is_set) => {
                use crate::hir::CmpOp::*;
                let name = match c {
                    Eq => "eq",
                    Ne => "ne",
                    Lt => "lt",
                    Le => "le",
                    Gt => "gt",
                    Ge => "ge",
                };
                self.py_list_op(ProbeTarget::Operator(name), args, &[], &Ty::Bool, span)?;
                Some(Ty::Bool)
            }
            Op::Call { kw } => {
                let Some(Ty::Builtin(b)) = args.first() else {
                    return Ok(None);
                };
                let b = *b;
                let bad = || {
                    CompileError::typing(
                        span,
                        format!(
                            "this call of {}() is not supported in compiled code yet",
                            builtin_name(b).unwrap_or("the builtin")
                        ),
                    )
                };
                let npos = args.len() - kw.len();
                let pos = &args[1..npos];
                if !(kw.is_empty() || (b == Builtin::Sorted && kw.iter().all(|k| k == "reverse"))) {
                    return Err(bad());
                }
                let ret = match (b, pos) {
                    (Builtin::Len, [Ty::Set(_)]) => return Ok(Some(Some(Ty::Int))),
                    (Builtin::Bool, [Ty::Set(_)]) => return Ok(Some(Some(Ty::Bool))),
                    (Builtin::Sum | Builtin::Min | Builtin::Max, [Ty::Set(e)]) if **e == Ty::Bottom => {
                        return Ok(Some(Some(Ty::Bottom)))
                    }
                    (Builtin::Sum, [Ty::Set(_)]) => Ty::Int,
                    (Builtin::Min | Builtin::Max, [Ty::Set(e)]) => (**e).clone(),
                    (Builtin::Any | Builtin::All, [Ty::Set(_)]) => Ty::Bool,
                    (Builtin::Sorted | Builtin::List, [Ty::Set(e)]) => self.site(r, (**e).clone(), span)?,
                    _ => return Err(bad()),
                };
                let name = builtin_name(b).ok_or_else(bad)?;
                self.py_list_op(ProbeTarget::Builtin(name), &args[1..], kw, &ret, span)?;
                Some(ret)
            }
            _ => return Ok(None),
        };
        Ok(Some(t))
    }
}

// ---------------------------------------------------------------------------
// iterating over dicts, sets and dict views

impl Infer<'_> {
    /// Types `op` if it is part of a `for` loop over a dict, a set or a dict
    /// view, or makes or uses a view. The loop keeps the lowering's shape
    /// (`n = len seq`, the test `k < n`, the item `seq[k]`), with other
    /// meanings: `n` is CPython's own iterator over `seq` ([`Ty::Iter`]), the
    /// test fetches its next item (`RuntimeError` if the container changed
    /// size, as CPython's iterator raises), and `seq[k]` is that item.
    pub(super) fn iter_op(
        &mut self,
        op: &Op,
        argv: &[Value],
        args: &[Ty],
        r: Option<Value>,
        span: Span,
    ) -> CResult<Option<Option<Ty>>> {
        if let Some(t) = self.range_op(op, args, r, span)? {
            return Ok(Some(t));
        }
        let iterable = |t: &Ty| iter_item(t).is_some();
        let gil_free = || {
            CompileError::typing(
                span,
                "iterating over dicts and sets is not supported in compiled code under nogil=True or parallel=True yet",
            )
        };
        let t = match op {
            Op::Len if args.len() == 1 && iterable(&args[0]) => {
                if self.gil_free {
                    return Err(gil_free());
                }
                self.check_iter_loop(r, &args[0], span)?;
                Ty::Iter(Box::new(iter_item(&args[0]).unwrap()))
            }
            Op::Cmp(crate::hir::CmpOp::Lt) if matches!(args.get(1), Some(Ty::Iter(_))) => Ty::Bool,
            Op::GetItem if args.len() == 2 && iterable(&args[0]) => {
                let Some(&n) = self.lists.loop_items.get(&(argv[0], argv[1])) else {
                    // `d[k]` of a dict is a lookup (typed by `dict_op`).
                    if matches!(args[0], Ty::Dict(..)) {
                        return Ok(None);
                    }
                    return Err(CompileError::typing(
                        span,
                        format!("'{}' object is not subscriptable", py_name(&args[0])),
                    ));
                };
                match self.t.ty(n) {
                    Ty::Iter(e) => {
                        // (compiled code reads an item's leaves natively: not a union, ...)
                        if let Some(bad) = item_leaves(e).into_iter().find(|t| *t != Ty::Bottom && native_kind(t).is_none()) {
                            return Err(CompileError::typing(
                                span,
                                format!(
                                    "a for loop over a '{}' whose items are {bad} is not supported in compiled code yet",
                                    py_name(&args[0])
                                ),
                            ));
                        }
                        (**e).clone()
                    }
                    _ => Ty::Bottom,
                }
            }
            Op::MethodCall { name, kw } if matches!(args, [Ty::Dict(..)]) && kw.is_empty() => {
                let Some(kind) = ViewKind::from_method(name) else {
                    return Ok(None);
                };
                let Ty::Dict(k, v) = &args[0] else { unreachable!() };
                if self.gil_free {
                    return Err(gil_free());
                }
                let ret = Ty::View(kind, k.clone(), v.clone());
                self.py_list_op(ProbeTarget::Method(name.clone()), args, kw, &ret, span)?;
                ret
            }
            Op::Contains if matches!(args.first(), Some(Ty::View(..))) => {
                needle(&args[1], span)?;
                self.py_list_op(ProbeTarget::Operator("contains"), args, &[], &Ty::Bool, span)?;
                Ty::Bool
            }
            Op::Call { kw } if matches!(args, [Ty::Builtin(_), Ty::View(..)]) => {
                let Ty::Builtin(b) = args[0] else { unreachable!() };
                let e = iter_item(&args[1]).unwrap();
                let bad = || {
                    CompileError::typing(
                        span,
                        format!(
                            "this call of {}() on a dict view is not supported in compiled code yet",
                            builtin_name(b).unwrap_or("the builtin")
                        ),
                    )
                };
                if !kw.is_empty() {
                    return Err(bad());
                }
                let ret = match b {
                    Builtin::Len => Ty::Int,
                    _ if e == Ty::Bottom => return Ok(Some(Some(Ty::Bottom))),
                    Builtin::Sum if matches!(e, Ty::Int | Ty::Bool) => Ty::Int,
                    Builtin::Min | Builtin::Max => e,
                    Builtin::Any | Builtin::All => Ty::Bool,
                    Builtin::Sorted | Builtin::List => self.site(r, e, span)?,
                    _ => return Err(bad()),
                };
                let name = builtin_name(b).ok_or_else(bad)?;
                self.py_list_op(ProbeTarget::Builtin(name), &args[1..], kw, &ret, span)?;
                ret
            }
            _ if args.iter().any(|t| matches!(t, Ty::View(..) | Ty::Iter(_))) => {
                return Err(CompileError::typing(
                    span,
                    "this use of a dict view is not supported in compiled code yet (iteration, len, in, sorted, list, sum, min, max, any, all)",
                ))
            }
            _ => return Ok(None),
        };
        Ok(Some(Some(t)))
    }

    /// A `for` loop over a dict, a set or a view: its iterator (`len seq`)
    /// only feeds the loop test, and the loop reads its item by that test's
    /// counter. `zip()` and `reversed()` over them are not compiled.
    fn check_iter_loop(&self, n: Option<Value>, seq: &Ty, span: Span) -> CResult<()> {
        let Some(n) = n else { return Ok(()) };
        let ok = !self.lists.term_uses.contains(&n)
            && self.lists.uses.get(&n).into_iter().flatten().all(|(ub, uk, j)| {
                let u = &self.f.block(*ub).insts[*uk];
                *j == 1 && u.op == Op::Cmp(crate::hir::CmpOp::Lt)
            });
        if ok {
            return Ok(());
        }
        Err(CompileError::typing(
            span,
            format!(
                "zip() and reversed() over a '{}' are not supported in compiled code yet",
                py_name(seq)
            ),
        ))
    }
}

// ---------------------------------------------------------------------------
// range objects as values

impl Infer<'_> {
    /// Types `op` if it makes or uses a `range` value (`r = range(a, b, c)`):
    /// `len`, `r[i]`, iteration and truth native; `in` and the builtins
    /// (`list`, `sum`, `min`, ...) CPython's, called with the range object.
    fn range_op(&mut self, op: &Op, args: &[Ty], r: Option<Value>, span: Span) -> CResult<Option<Option<Ty>>> {
        if let (Op::Call { kw }, Some(Ty::Builtin(Builtin::Range))) = (op, args.first()) {
            let n = args.len() - 1;
            if kw.is_empty() && (1..=3).contains(&n) && args[1..].iter().all(is_index) {
                return Ok(Some(Some(Ty::Range)));
            }
            return Ok(None); // (the usual error)
        }
        if !args.contains(&Ty::Range) {
            return Ok(None);
        }
        let t = match (op, args) {
            (Op::Len, [Ty::Range]) => Ty::Int,
            (Op::GetItem, [Ty::Range, i]) if is_index(i) => Ty::Int,
            (Op::Truth | Op::Unary(UnaryOp::Not), [Ty::Range]) => Ty::Bool,
            (Op::Contains, [Ty::Range, Ty::Int | Ty::Bool]) => {
                self.py_list_op(ProbeTarget::Operator("contains"), args, &[], &Ty::Bool, span)?;
                Ty::Bool
            }
            (Op::Call { kw }, [Ty::Builtin(b), Ty::Range]) if kw.is_empty() => {
                let ret = match b {
                    Builtin::Len | Builtin::Sum | Builtin::Min | Builtin::Max => Ty::Int,
                    Builtin::Any | Builtin::All | Builtin::Bool => Ty::Bool,
                    Builtin::List | Builtin::Sorted => self.site(r, Ty::Int, span)?,
                    _ => return Ok(None),
                };
                let name = builtin_name(*b).unwrap_or("bool");
                self.py_list_op(ProbeTarget::Builtin(name), &args[1..], &[], &ret, span)?;
                ret
            }
            (Op::Tuple | Op::List, _) => return Ok(None),
            _ => {
                return Err(CompileError::typing(
                    span,
                    "this use of a range object is not supported in compiled code yet (len, r[i], iteration, in, list, sum, min, max, any, all)",
                ))
            }
        };
        Ok(Some(Some(t)))
    }
}

/// The keywords of `sorted`/`list.sort` (`reverse`, with `reverse`) or of
/// `min`/`max` compiled code passes on: `key=` a function made from a lambda
/// (or None), and `reverse=` where the call takes it.
fn sort_keywords(kw: &[String], vals: &[Ty], reverse: bool) -> bool {
    kw.iter().zip(vals).all(|(k, t)| match k.as_str() {
        "key" => matches!(t, Ty::Obj(crate::types::ObjClass::Function) | Ty::NoneT),
        "reverse" => reverse,
        _ => false,
    })
}
