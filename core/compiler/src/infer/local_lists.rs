//! Lists that never leave the function: typed [`Ty::LocalList`], their
//! elements held unboxed by compiled code (`codegen/local_lists.rs`).
//!
//! A list is local when it is made in the function (`[]`, a list display,
//! `list()`, a comprehension) and every use compiled code makes of it is one
//! of `append(x)`, `pop()`, `lst[i]`, `lst[i] = x` (int indexes), `len`,
//! truth and `not`, or passing it along a block edge to a parameter that is
//! itself local. Anything else (returning it, storing it in a container or a
//! tuple, passing it to any call, `is`, `in`, slicing, a method other than
//! these) keeps the whole group of values a real Python `list`, as before.
//! Nothing outside the function can see a local list, so its identity is
//! unobservable: where compiled code hands its values to the interpreter tier
//! (a deoptimization, an exception raised into a handler) the runtime makes it
//! into a `list` once, so that aliases stay one object.
//!
//! Dicts the same way: a dict made by `{}` (or `dict()`) with int keys whose
//! every use is `d[k]`, `d[k] = v`, `d.get(k, default)`, `k in d`, `len`,
//! truth, or returning it is typed [`Ty::LocalDict`]: its entries are held
//! unboxed in insertion order, and it is made into a real `dict` (in that
//! order) where it is returned or handed to the interpreter tier. A missing
//! key deoptimizes (the interpreter raises CPython's `KeyError`).
//!
//! Only element types the native helpers hold in one word are local (ints,
//! floats, bools, one-slot NumPy scalars; not `str`, whose elements compiled
//! code would have to keep alive). Generators keep real lists: their state
//! outlives the step that made the list.

use super::*;

/// Whether `np.array` of a local list of `e` makes an array of `d` natively
/// (NumPy's dtype for a list of such elements: int64, float64, bool, or the
/// NumPy scalars' own).
pub fn array_dtype_ok(e: &Ty, d: crate::dtype::Dtype) -> bool {
    use crate::dtype::Dtype;
    match e {
        Ty::Int => d == Dtype::Int64,
        Ty::Float => d == Dtype::Float64,
        Ty::Bool => d == Dtype::Bool,
        Ty::Np(x) => *x == d && !d.is_special() && d.kind() != crate::dtype::Kind::Complex,
        _ => false,
    }
}

/// Whether compiled code computes `sum`, `min` or `max` (`b`) of a local list
/// of `e` itself, giving `rt` (the runtime's `pyston_llist_sum` / `_minmax`).
pub fn reduce_ok(b: Builtin, e: &Ty, rt: &Ty) -> bool {
    use crate::dtype::Dtype;
    match b {
        Builtin::Sum => match (e, rt) {
            (Ty::Int | Ty::Bool, Ty::Int) => true,
            (Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32), Ty::Union(ms)) => {
                ms.len() == 2 && ms.contains(&Ty::Int) && ms.contains(e)
            }
            _ => false,
        },
        Builtin::Min | Builtin::Max => {
            rt == e
                && match e {
                    Ty::Int | Ty::Bool | Ty::Float => true,
                    Ty::Np(d) => matches!(d, Dtype::Float64 | Dtype::Float32) || d.kind() <= crate::dtype::Kind::Int,
                    _ => false,
                }
        }
        _ => false,
    }
}

/// Whether `x in lst`, `lst.index(x)` and `lst.count(x)` of a local list of
/// `e` compare by value exactly as CPython does (ints and bools: equal values
/// are interchangeable; a float NaN is matched by identity, which compiled
/// code does not hold).
pub fn searchable(e: &Ty) -> bool {
    match e {
        Ty::Int | Ty::Bool => true,
        Ty::Np(d) => d.kind() <= crate::dtype::Kind::Int,
        _ => false,
    }
}

/// Whether `lst.sort()` of a local list of `e` is compiled (a stable sort by
/// value gives CPython's order; a float list holding a NaN is CPython's own).
pub fn sortable(e: &Ty) -> bool {
    use crate::dtype::Dtype;
    searchable(e) || matches!(e, Ty::Float | Ty::Np(Dtype::Float64 | Dtype::Float32))
}

/// The block-edge groups of list values (union-find).
struct Groups(HashMap<Value, Value>);

impl Groups {
    fn find(&mut self, v: Value) -> Value {
        let p = *self.0.get(&v).unwrap_or(&v);
        if p == v {
            return v;
        }
        let r = self.find(p);
        self.0.insert(v, r);
        r
    }
    fn union(&mut self, a: Value, b: Value) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0.insert(ra, rb);
        }
    }
}

/// Retypes the lists of `f` that never escape as [`Ty::LocalList`].
/// `pycall` tells which instructions inference made calls into Python (an
/// operation compiled code does not perform itself: the list must be real).
pub fn local_lists(f: &Function, typed: &mut Typed, pycall: &dyn Fn((Block, usize)) -> bool) {
    if crate::lower::generators::is_generator(f) {
        return;
    }
    // A candidate's element type (a list's; a dict's value type, its keys ints).
    let native = |e: &Ty| native_kind(e).is_some_and(|k| k != 3);
    let elem = |t: &Ty| match t {
        Ty::List(e) if native(e) => Some((**e).clone()),
        Ty::Dict(k, v) if **k == Ty::Int && native(v) => Some((**v).clone()),
        _ => None,
    };
    let is_dict = |t: &Ty| matches!(t, Ty::Dict(..));
    let cand: HashSet<Value> = (0..typed.types.len() as u32)
        .map(Value)
        .filter(|v| elem(typed.ty(*v)).is_some())
        .collect();
    if cand.is_empty() {
        return;
    }
    // (cold blocks deoptimize on entry: their instructions run on the
    // interpreter tier, with the values boxed; their edges are still followed)
    // (handler blocks too: compiled code runs a `try`'s handlers)
    let reached = f.rpo_all();
    let mut groups = Groups(HashMap::new());
    // Roots of groups that must stay real lists.
    let mut escapes: HashSet<Value> = HashSet::new();
    let mut escape = |g: &mut Groups, v: Value| {
        let r = g.find(v);
        escapes.insert(r);
    };
    let ty = |v: Value| typed.ty(v);
    let int_index = |v: Value| matches!(ty(v), Ty::Int | Ty::Bool);
    // The list operand's position in `lst * n` / `n * lst` (an int or bool count)
    // making a list of the same type.
    let repeat_operand = |inst: &crate::ir::Inst| -> Option<usize> {
        if !matches!(
            inst.op,
            Op::Bin {
                op: BinOp::Mul,
                inplace: false
            }
        ) || inst.args.len() != 2
        {
            return None;
        }
        let r = ty(inst.result?);
        match (ty(inst.args[0]), ty(inst.args[1])) {
            (l @ Ty::List(_), Ty::Int | Ty::Bool) if l == r => Some(0),
            (Ty::Int | Ty::Bool, l @ Ty::List(_)) if l == r => Some(1),
            _ => None,
        }
    };
    let mut defined: HashSet<Value> = HashSet::new();
    let mut later: Vec<Value> = Vec::new();
    // `for` loops over local dicts: the views only such a loop reads (view ->
    // dict), the loops' iterators (`len seq`: iterator -> the dict or view)
    // and their item reads `seq[k]`.
    let loop_items = f.loop_items();
    let mut views: HashMap<Value, Value> = HashMap::new();
    let mut iters: HashMap<Value, Value> = HashMap::new();
    let is_iter = |r: Option<Value>| r.is_some_and(|r| matches!(ty(r), Ty::Iter(_)));
    for &b in &reached {
        let blk = f.block(b);
        let cold = typed.cold.contains(&b);
        for (k, inst) in blk.insts.iter().enumerate() {
            if cold {
                if let Some(r) = inst.result.filter(|r| cand.contains(r)) {
                    later.push(r);
                }
                continue;
            }
            if let Some(r) = inst.result.filter(|r| cand.contains(r)) {
                let e = elem(ty(r)).unwrap();
                let made = match &inst.op {
                    _ if is_dict(ty(r)) => {
                        matches!(&inst.op, Op::Call { kw } if kw.is_empty())
                            && inst.args.len() == 1
                            && matches!(ty(inst.args[0]), Ty::Builtin(Builtin::Dict))
                    }
                    Op::List => inst.args.iter().all(|a| *ty(*a) == e),
                    // `[x] * n`: a new list, local with its operand (joined below)
                    Op::Bin {
                        op: BinOp::Mul,
                        inplace: false,
                    } => repeat_operand(inst).is_some(),
                    Op::Call { kw } => {
                        kw.is_empty() && inst.args.len() == 1 && matches!(ty(inst.args[0]), Ty::Builtin(Builtin::List))
                    }
                    _ => false,
                };
                // (`lst * n` is a call into Python on real lists: the native repeat replaces it)
                if made && (repeat_operand(inst).is_some() || !pycall((b, k))) {
                    defined.insert(r);
                } else {
                    later.push(r);
                }
            }
            for (p, a) in inst.args.iter().enumerate() {
                if let Some(&d) = views.get(a) {
                    // (a view only a `for` loop reads: its iterator, its item)
                    let ok = match &inst.op {
                        Op::Len if p == 0 && is_iter(inst.result) => {
                            iters.insert(inst.result.unwrap(), *a);
                            true
                        }
                        Op::GetItem => p == 0 && loop_items.contains_key(&(*a, inst.args[1])),
                        _ => false,
                    };
                    if !ok {
                        escape(&mut groups, d);
                    }
                    continue;
                }
                if let Some(&src) = iters.get(a) {
                    if !(p == 1 && inst.op == Op::Cmp(crate::hir::CmpOp::Lt)) {
                        let d = views.get(&src).copied().unwrap_or(src);
                        escape(&mut groups, d);
                    }
                    continue;
                }
                if !cand.contains(a) {
                    continue;
                }
                let e = elem(ty(*a)).unwrap();
                let n = inst.args.len();
                let res_is_elem = inst.result.is_some_and(|r| *ty(r) == e);
                // (`np.array(lst)` is a call into NumPy compiled code makes itself for lists)
                let reduce = match (&inst.op, inst.args.first().map(|c| ty(*c))) {
                    (Op::Call { .. }, Some(Ty::Builtin(f @ (Builtin::Sum | Builtin::Min | Builtin::Max)))) => Some(*f),
                    _ => None,
                };
                let is_array = matches!(&inst.op, Op::MethodCall { name, .. } if name == "array");
                let method = matches!(&inst.op, Op::MethodCall { .. } | Op::Contains) && p == 0;
                let int_key = |j: usize| inst.args.get(j).is_some_and(|a| *ty(*a) == Ty::Int);
                if repeat_operand(inst) == Some(p) {
                    // (the product is local exactly when its operand is: one group)
                    groups.union(*a, inst.result.unwrap());
                    continue;
                }
                let loop_read = p == 0 && inst.op == Op::GetItem && loop_items.contains_key(&(*a, inst.args[1]));
                let ok = if is_dict(ty(*a)) && (loop_read || (inst.op == Op::Len && is_iter(inst.result))) {
                    // `for k in d`: its iterator (`len d`) and its item (`d[k]`)
                    if inst.op == Op::Len {
                        iters.insert(inst.result.unwrap(), *a);
                    }
                    true
                } else if is_dict(ty(*a)) && p == 0 && n == 1 && matches!(inst.op, Op::MethodCall { .. }) {
                    // `d.keys()`, `d.values()`, `d.items()` (calls into Python on real
                    // dicts): local with the dict where only a `for` loop reads them
                    match (&inst.op, inst.result) {
                        (Op::MethodCall { name, kw }, Some(r))
                            if kw.is_empty()
                                && ViewKind::from_method(name).is_some()
                                && matches!(ty(r), Ty::View(..)) =>
                        {
                            views.insert(r, *a);
                            true
                        }
                        _ => false,
                    }
                } else if is_dict(ty(*a)) {
                    // (`d[k]`, `d[k] = v`, `d.get(k, v)`, `k in d` with int keys are
                    // native on real dicts too: no call into Python to replace)
                    !pycall((b, k))
                        && match &inst.op {
                            Op::GetItem => p == 0 && n == 2 && int_key(1) && res_is_elem,
                            Op::SetItem => p == 0 && n == 3 && int_key(1) && *ty(inst.args[2]) == e,
                            Op::Contains => p == 0 && n == 2 && int_key(1),
                            Op::MethodCall { name, kw } if name == "get" && kw.is_empty() => {
                                p == 0 && n == 3 && int_key(1) && *ty(inst.args[2]) == e && res_is_elem
                            }
                            // (a `for` loop over a dict reads an iterator from `Op::Len`: not local)
                            Op::Len => p == 0 && inst.result.is_some_and(|r| *ty(r) == Ty::Int),
                            Op::Truth | Op::Unary(UnaryOp::Not) => p == 0,
                            Op::Call { kw } if kw.is_empty() && p == 1 && n == 2 => {
                                matches!(ty(inst.args[0]), Ty::Builtin(Builtin::Len | Builtin::Bool))
                            }
                            Op::Tuple => {
                                k + 1 == blk.insts.len()
                                    && matches!(blk.term, Term::Ret(t) if Some(t) == inst.result && *ty(t) == typed.ret)
                            }
                            _ => false,
                        }
                } else {
                    (is_array || reduce.is_some() || method || !pycall((b, k)))
                        && match &inst.op {
                            Op::MethodCall { name, kw } if p == 0 => {
                                let arg = |j: usize| inst.args.get(j).map(|a| ty(*a));
                                let int_arg = |j: usize| matches!(arg(j), Some(Ty::Int | Ty::Bool));
                                match (name.as_str(), kw.as_slice()) {
                                    ("append", []) => n == 2 && arg(1) == Some(&e),
                                    ("pop", []) => n == 1 && res_is_elem,
                                    ("insert", []) => n == 3 && int_arg(1) && arg(2) == Some(&e),
                                    ("reverse" | "clear", []) => n == 1,
                                    // (by value: ints and bools have no identity compiled code could lose)
                                    ("index" | "count", []) => n == 2 && searchable(&e) && arg(1) == Some(&e),
                                    ("sort", []) => n == 1 && sortable(&e),
                                    ("sort", [r]) if r == "reverse" => {
                                        n == 2 && sortable(&e) && matches!(arg(1), Some(Ty::Bool))
                                    }
                                    _ => false,
                                }
                            }
                            Op::Contains => p == 0 && n == 2 && searchable(&e) && *ty(inst.args[1]) == e,
                            Op::GetItem => p == 0 && n == 2 && int_index(inst.args[1]) && res_is_elem,
                            Op::SetItem => p == 0 && n == 3 && int_index(inst.args[1]) && *ty(inst.args[2]) == e,
                            Op::Len | Op::LenBound => p == 0 && inst.result.is_some_and(|r| *ty(r) == Ty::Int),
                            Op::Truth | Op::Unary(UnaryOp::Not) => p == 0,
                            // `np.array(lst)`: a new array of the elements (`codegen/lists.rs` `array_of_list`).
                            Op::MethodCall { name, kw } if name == "array" && kw.is_empty() => {
                                p == 1
                                    && n == 2
                                    && matches!(ty(inst.args[0]), Ty::Module(crate::types::Module::Numpy))
                                    && inst.result.is_some_and(|r| match ty(r) {
                                        Ty::Array(a) => a.ndim == 1 && array_dtype_ok(&e, a.dtype),
                                        _ => false,
                                    })
                            }
                            // `return lst, x`: the list is made at the return, when nothing uses it any more.
                            Op::Tuple => {
                                k + 1 == blk.insts.len()
                                    && matches!(blk.term, Term::Ret(t) if Some(t) == inst.result && *ty(t) == typed.ret)
                            }
                            Op::Call { kw } if kw.is_empty() && p == 1 && n == 2 => match ty(inst.args[0]) {
                                Ty::Builtin(Builtin::Len | Builtin::Bool) => true,
                                Ty::Builtin(f) => inst.result.is_some_and(|r| reduce_ok(*f, &e, ty(r))),
                                _ => false,
                            },
                            _ => false,
                        }
                };
                if !ok {
                    escape(&mut groups, *a);
                }
            }
        }
        // (a view or a loop iterator of a local dict read anywhere else: the dict is real)
        let through = |v: &Value| -> Option<Value> {
            let src = iters.get(v).or(views.get(v)).copied()?;
            Some(views.get(&src).copied().unwrap_or(src))
        };
        let mut term_vals: Vec<Value> = Vec::new();
        match &blk.term {
            Term::Ret(v)
            | Term::Raise(v)
            | Term::Br(v, ..)
            | Term::Yield { value: v, .. }
            | Term::AssertFail(Some(v)) => term_vals.push(*v),
            _ => {}
        }
        for e in blk.term.successors().into_iter().chain(blk.handler.as_ref()) {
            term_vals.extend(e.args.iter().copied());
        }
        for v in term_vals {
            if let Some(d) = through(&v) {
                escape(&mut groups, d);
            }
        }
        // Block edges join groups; a list leaving any other way escapes.
        match &blk.term {
            // (returned: made into a `list` there)
            Term::Ret(v) if cand.contains(v) && *ty(*v) == typed.ret => {}
            Term::Ret(v)
            | Term::Raise(v)
            | Term::Br(v, ..)
            | Term::Yield { value: v, .. }
            | Term::AssertFail(Some(v))
                if cand.contains(v) =>
            {
                escape(&mut groups, *v)
            }
            _ => {}
        }
        for e in blk.term.successors().into_iter().chain(blk.handler.as_ref()) {
            let params = &f.block(e.block).params;
            for (p, a) in params.iter().zip(&e.args) {
                match (cand.contains(a), cand.contains(p)) {
                    (true, true) if ty(*a) == ty(*p) => groups.union(*a, *p),
                    (false, false) => {}
                    (true, _) => escape(&mut groups, *a),
                    (_, true) => escape(&mut groups, *p),
                }
            }
        }
    }
    // Block parameters are defined by their edges; a list value made any other
    // way (a function parameter, read from another container, a call's result)
    // is not local, nor is its group.
    // (the entry block's parameters are the function's: the caller's lists)
    let params: HashSet<Value> = reached
        .iter()
        .filter(|b| **b != f.entry())
        .flat_map(|b| f.block(*b).params.iter().copied())
        .collect();
    for v in &f.block(f.entry()).params {
        if cand.contains(v) {
            escape(&mut groups, *v);
        }
    }
    for v in later {
        escape(&mut groups, v);
    }
    for v in &cand {
        if !defined.contains(v) && !params.contains(v) {
            escape(&mut groups, *v);
        }
    }
    // (edge unions made after a member escaped: the escape holds for the root)
    let escaped: HashSet<Value> = escapes.iter().map(|v| groups.find(*v)).collect();
    let local = |g: &mut Groups, v: Value| {
        !escaped.contains(&g.find(v)) && (defined.contains(&v) || params.contains(&v)) && cand.contains(&v)
    };
    for (&view, &d) in &views {
        if local(&mut groups, d) {
            if let Ty::View(kind, k, v) = typed.ty(view).clone() {
                typed.types[view.0 as usize] = Ty::LocalView(kind, k, v);
            }
        }
    }
    for (&it, &src) in &iters {
        let (kind, d) = match views.get(&src) {
            Some(&d) => match typed.ty(src) {
                Ty::LocalView(kind, ..) => (*kind, d),
                _ => continue,
            },
            None => (ViewKind::Keys, src),
        };
        if local(&mut groups, d) {
            if let Some((Ty::Int, v)) = elem(typed.ty(d)).map(|v| (Ty::Int, v)) {
                typed.types[it.0 as usize] = Ty::LocalIter(kind, Box::new(Ty::Int), Box::new(v));
            }
        }
    }
    for v in cand {
        if !escaped.contains(&groups.find(v)) && (defined.contains(&v) || params.contains(&v)) {
            let e = elem(typed.ty(v)).unwrap();
            typed.types[v.0 as usize] = if is_dict(typed.ty(v)) {
                Ty::LocalDict(Box::new(Ty::Int), Box::new(e))
            } else {
                Ty::LocalList(Box::new(e))
            };
        }
    }
}
