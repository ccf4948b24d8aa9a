//! The SSA IR shared by the Cranelift JIT and the interpreter tier.
//!
//! A function is a list of blocks; a block has parameters (SSA phis), a list
//! of instructions and a terminator. Every instruction carries the span of
//! the user's code it came from. Instructions are generic Python operations
//! (`bin add`, `getitem`, `call`); type inference gives them meaning and the
//! JIT specializes them, while the interpreter executes them on boxed objects
//! with CPython's own operations. Any instruction can be a deoptimization
//! point: the JIT hands the values live there to the interpreter, which
//! re-executes that instruction exactly (see [`Function::live_before`]).
//!
//! Submodules: [`write`] prints the textual form, [`parse`] reads it back,
//! [`verify`] checks the SSA invariants and [`cfg`] holds the control-flow
//! analyses (reverse post-order, predecessors, liveness, dominators, loops).

use crate::hir::{BinOp, CmpOp, Span, UnaryOp};
use std::collections::{HashMap, HashSet};
use std::fmt;

pub mod cfg;
pub mod parse;
pub mod verify;
pub mod write;

pub use cfg::Loop;
pub use parse::{ParseError, Parsed};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(pub u32);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}
impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block{}", self.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    BigInt(String),
    Float(f64),
    Complex(f64, f64),
    Bool(bool),
    None,
    Str(String),
    Ellipsis,
    /// A tuple of constants (only used to probe NumPy calls; never in IR).
    Tuple(Vec<Const>),
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Int(i) => write!(f, "{i}"),
            Const::BigInt(s) => write!(f, "{s}"),
            Const::Float(x) => write!(f, "{x:?}"),
            Const::Complex(r, i) => write!(f, "complex({r:?}, {i:?})"),
            Const::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Const::None => write!(f, "None"),
            Const::Str(s) => write!(f, "{s:?}"),
            Const::Ellipsis => write!(f, "..."),
            Const::Tuple(items) => {
                let s: Vec<String> = items.iter().map(|c| c.to_string()).collect();
                write!(f, "({})", s.join(", "))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Const(Const),
    /// A module global, closure variable or builtin, read by name.
    Global(String),
    /// The module `name` as an `import` inside the function finds it (the
    /// innermost module of a dotted name): compiled as a constant guarded on
    /// `sys.modules[name]` and the builtin `__import__`; the interpreter tier
    /// runs the import itself.
    Import(String),
    /// `x.name` (an attribute read that is not a method call). args: [x]
    Attr(String),
    /// args: [callee, positional..., keyword values...]; `kw` names the trailing args.
    Call {
        kw: Vec<String>,
    },
    /// `x.name(...)`. args: [x, positional..., keyword values...]
    MethodCall {
        name: String,
        kw: Vec<String>,
    },
    /// args: [a, b]; `inplace` for augmented assignment (`a += b`).
    Bin {
        op: BinOp,
        inplace: bool,
    },
    /// args: [a]
    Unary(UnaryOp),
    /// args: [a, b]
    Cmp(CmpOp),
    /// Python's truth test, `bool(x)` as used by `if`/`while`. args: [x]
    Truth,
    /// args: the elements
    Tuple,
    /// A list (only passed to NumPy functions: compiled code holds it as a tuple).
    List,
    /// `a, b = x`: checks `x` unpacks into exactly n items and gives them as a tuple. args: [x]
    Unpack(u32),
    /// `*x` among a call's arguments or a display's items, where the lowering
    /// did not know `x`'s length (see `lower_with`'s `star_lens`): a marker
    /// (the dispatcher lowers the function again for tuple parameters, and
    /// CPython runs the rest), except as the last positional argument of a
    /// call, of a list (`infer`'s `star_calls`): its value is `x` itself,
    /// whose items the call passes (on the interpreter tier, any iterable's,
    /// as CPython's `CALL_FUNCTION_EX`). args: [x]
    StarItems,
    /// args: [tuple]
    TupleGet(u32),
    /// `x[i0, i1, ...]`. args: [x, i0, i1, ...]
    GetItem,
    /// `x[i0, ...] = value`. args: [x, i0, ..., value]
    SetItem,
    /// `del x[i0, ...]`. args: [x, i0, ...]
    DelItem,
    /// `x.name = value` (compiled for the fields of a record element,
    /// `a[i].x = v`). args: [x, value]
    SetAttr(String),
    /// `x.shape = s` of a variable `x`: NumPy's in-place reshape of the
    /// object (no copy: its errors otherwise), whose result is the same
    /// object, to which the lowering rebinds `x` (its type may change rank).
    /// args: [x, s]
    SetShape,
    /// `len(x)` of the object a `for` loop iterates over. args: [x]
    Len,
    /// A bound on how many items `zip` takes from `x`: `len(x)`, but for a
    /// list the largest int (a list can grow while the loop runs: the loop
    /// re-reads its length each step instead, with `Op::Len`). args: [x]
    LenBound,
    /// Trip count of `range(start, stop, step)`. args: [start, stop, step]
    RangeLen,
    /// The next value of a range loop variable, `i + step`; never overflows
    /// where it is used. args: [i, step]
    RangeNext,
    /// A local variable read where it may be unassigned.
    Undef(String),
    /// A read of the variable `name` that may be unbound, checked where
    /// CPython's load checks it (before the rest of the expression is
    /// evaluated); the result is the value. The lowering emits it only for
    /// reads of values that may come from an `undef` and drops it where they
    /// cannot. args: [x]
    Bound(String, ReadScope),
    /// `slice(lo, hi, step)`. args: [lo, hi, step] (None constants where omitted)
    Slice,
    /// The number of indexes `np.ndindex(shape)` yields: the product of the
    /// dimensions (an int or a tuple of ints). args: [shape]
    NdSize,
    /// Index `k` of `np.ndindex(shape)` in C order, a tuple of ints. args: [shape, k]
    NdIndex,
    /// `a is b` (a Python bool). args: [a, b]
    Is,
    /// `x in container` (a Python bool), as `operator.contains`. args: [container, x]
    Contains,
    /// A builtin the lowering expanded inline (`enumerate`, `zip`, `reversed`,
    /// `range` in `x in range(...)`): checks that `callee` is that
    /// builtin and that every other argument is an integer (`operator.index`),
    /// as the call would. No result. args: [callee, ints...]
    Builtin(String),
    /// The exception a handler block was entered with (the first instruction
    /// of a `try` statement's dispatch block, reached by exceptional edges). args: []
    CaughtExc,
    /// Whether the exception `exc` matches `classes` (a class or a tuple of
    /// classes), as an `except` clause tests it. args: [exc, classes]
    ExcMatch,
    /// `raise exc from cause`: the exception instance (`exc` instantiated if a
    /// class) with its `__cause__` set. args: [exc, cause]
    RaiseFrom,
    /// `next(it)` of an exhausted iterator: raises `StopIteration()` (always;
    /// the lowering ends the block with `unreachable`). `pep479`: inside a
    /// generator expression's frame, where it becomes PEP 479's
    /// `RuntimeError('generator raised StopIteration')` (its `__cause__` the
    /// StopIteration). No result. args: []
    Exhausted {
        pep479: bool,
    },
    /// A `lambda` (`name` `<lambda>`) or a nested `def name` made into a
    /// Python function: the `index`-th one of that name (by column) starting
    /// on `line` of the function's source, its closure the values of `names`
    /// (the function's locals it may read; those its code does not read are
    /// ignored; a `def`'s own name, read by its recursive calls, is the
    /// function itself). `escapes`: the function may be called after the
    /// call making it returns (returned, stored, passed on), so its closure
    /// takes only values that compiled code cannot change in place behind
    /// it. A name `&x` is a variable with a cell (`Op::Cell`): its arg is
    /// the cell, shared by the closure. args: the values of `names`
    Lambda {
        name: String,
        escapes: bool,
        line: u32,
        index: u32,
        names: Vec<String>,
    },
    /// A new cell (`types.CellType`) for a variable that functions made here
    /// read or assign after it is bound again (late binding,
    /// `lower/closures.rs`): empty, or holding `v`. Compiled code keeps the
    /// variable in registers too and writes every binding through to the
    /// cell (`Op::CellSet`); a made function's closure shares the cell (an
    /// `&name` of `Op::Lambda`'s names). args: [] or [v]
    Cell,
    /// Sets a cell's contents to `v` (a binding of its variable), or empties
    /// it (`del`, the end of an `except ... as` clause). No result.
    /// args: [cell, v] or [cell]
    CellSet,
}

/// Where a checked variable read ([`Op::Bound`]) lies, which decides the
/// error CPython raises when the variable is unbound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadScope {
    /// The function's own variable: `UnboundLocalError`.
    Local,
    /// A free variable of a nested function, lambda or generator expression
    /// (a cell of the enclosing function): `NameError`.
    Free,
    /// A variable of the enclosing function read inside a list, set or dict
    /// comprehension: `NameError` before CPython 3.12, which inlines them
    /// (PEP 709), `UnboundLocalError` from 3.12 on.
    Comp,
}

impl Op {
    /// Whether the instruction defines a value.
    pub fn has_result(&self) -> bool {
        !matches!(
            self,
            Op::SetItem | Op::DelItem | Op::SetAttr(_) | Op::Builtin(_) | Op::Exhausted { .. } | Op::CellSet
        )
    }
}

#[derive(Clone, Debug)]
pub struct Inst {
    pub result: Option<Value>,
    pub op: Op,
    pub args: Vec<Value>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub block: Block,
    pub args: Vec<Value>,
}

#[derive(Clone, Debug)]
pub enum Term {
    Jump(Edge),
    Br(Value, Edge, Edge),
    Ret(Value),
    /// `raise exc` / `assert` failure. args: the exception (class or instance).
    Raise(Value),
    /// `assert test, msg` failed: raise AssertionError(msg).
    AssertFail(Option<Value>),
    Unreachable,
    /// `yield value` in a generator: the generator suspends, handing out
    /// `value`; the next `send` continues at `resume` (resume point `point`,
    /// 1-based), whose first argument stands for the value sent in (a `None`
    /// constant here) and the others for every value live after the yield.
    /// Compiled code leaves at a yield as at a deopt point; the interpreter
    /// tier returns the suspended state (see `lower/generators.rs`).
    Yield {
        point: u32,
        value: Value,
        resume: Edge,
    },
}

impl Term {
    pub fn successors(&self) -> Vec<&Edge> {
        match self {
            Term::Jump(e) | Term::Yield { resume: e, .. } => vec![e],
            Term::Br(_, a, b) => vec![a, b],
            _ => vec![],
        }
    }
    pub fn successors_mut(&mut self) -> Vec<&mut Edge> {
        match self {
            Term::Jump(e) | Term::Yield { resume: e, .. } => vec![e],
            Term::Br(_, a, b) => vec![a, b],
            _ => vec![],
        }
    }
    /// Values the terminator reads (edge arguments included).
    pub fn uses(&self) -> Vec<Value> {
        let mut v = Vec::new();
        match self {
            Term::Br(c, _, _) => v.push(*c),
            Term::Ret(x) | Term::Raise(x) | Term::Yield { value: x, .. } => v.push(*x),
            Term::AssertFail(Some(x)) => v.push(*x),
            _ => {}
        }
        for e in self.successors() {
            v.extend(e.args.iter().copied());
        }
        v
    }
}

#[derive(Clone, Debug)]
pub struct BlockData {
    pub params: Vec<Value>,
    /// The exceptional edge of a block inside a `try` body: when any
    /// instruction or the terminator raises, control goes to this block (its
    /// arguments are defined before the block's first instruction) and the
    /// exception is read there by `caught_exc`.
    pub handler: Option<Edge>,
    pub insts: Vec<Inst>,
    pub term: Term,
    pub term_span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct ValueInfo {
    /// The source variable the value belongs to, if any (for printing and errors).
    pub name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    /// Every parameter, in the order of `shape` (positional, `*args`, keyword-only).
    pub params: Vec<String>,
    pub shape: crate::hir::CallShape,
    pub blocks: Vec<BlockData>,
    pub values: Vec<ValueInfo>,
    pub span: Span,
    /// The functions inlined into this one (nested functions at their calls):
    /// a span whose `inl` is `k` lies in `inlines[k - 1]`'s code.
    pub inlines: Vec<InlineSite>,
}

/// A call whose callee's code was copied into the function.
#[derive(Clone, Debug)]
pub struct InlineSite {
    /// The callee's name (its traceback frame's).
    pub name: String,
    /// The call (itself in an inlined callee when its `inl` is not 0).
    pub call: Span,
}

impl Function {
    /// The traceback frames a span stands for, innermost first: the inlined
    /// functions it lies in (name and span), then the function's own call site.
    /// The function's own frame is `(None, span)`.
    pub fn frames_of(&self, span: Span) -> Vec<(Option<&str>, Span)> {
        let mut out = Vec::new();
        let mut s = span;
        // (each site's call lies in an earlier site, or in the function itself)
        while s.inl != 0 {
            let Some(site) = self.inlines.get(s.inl as usize - 1) else {
                break;
            };
            out.push((Some(site.name.as_str()), Span { inl: 0, ..s }));
            s = site.call;
        }
        out.push((None, Span { inl: 0, ..s }));
        out
    }

    pub fn entry(&self) -> Block {
        Block(0)
    }
    pub fn block(&self, b: Block) -> &BlockData {
        &self.blocks[b.0 as usize]
    }
    pub fn block_mut(&mut self, b: Block) -> &mut BlockData {
        &mut self.blocks[b.0 as usize]
    }
    pub fn new_value(&mut self, name: Option<String>) -> Value {
        self.values.push(ValueInfo { name });
        Value(self.values.len() as u32 - 1)
    }

    /// Blocks in reverse post-order from the entry (unreachable blocks omitted).
    /// Only normal edges are followed: blocks reached only through exceptional
    /// edges (`try` handlers) run on the interpreter tier and are left out.
    pub fn rpo(&self) -> Vec<Block> {
        cfg::rpo(self)
    }

    /// Blocks in reverse post-order following exceptional edges too.
    pub fn rpo_all(&self) -> Vec<Block> {
        cfg::rpo_all(self)
    }

    /// Whether any block has an exceptional edge (a `try` statement).
    pub fn has_handlers(&self) -> bool {
        self.blocks.iter().any(|b| b.handler.is_some())
    }

    /// Where each value is defined: its block and instruction index.
    pub fn definitions(&self) -> HashMap<Value, (Block, usize)> {
        cfg::definitions(self)
    }

    /// The item reads of `for` loops: `(seq, k)` for each loop test
    /// `k < n` whose bound is `n = len seq` (the lowering's trip count, an
    /// `Op::Len` only `for` loops make), mapped to `n`. A `seq[k]` with such
    /// a pair is the loop's item: over a list, tuple or array the element at
    /// `k`; over a dict, a set or a view (where `n` is the loop's iterator,
    /// [`crate::types::Ty::Iter`]) the item the loop test fetched.
    ///
    /// In a generator whose loop body yields, the loop's values (the sequence
    /// and its `n`) reach the header through block parameters (a step resumes
    /// from them): a parameter stands for the value all its incoming edges
    /// carry ([`Function::param_roots`]).
    pub fn loop_items(&self) -> HashMap<(Value, Value), Value> {
        let roots = self.param_roots();
        let root = |v: Value| roots.get(&v).copied().unwrap_or(v);
        let len_of: HashMap<Value, Value> = self.loop_lens().into_iter().map(|(r, x)| (r, root(x))).collect();
        // (k, n) of each loop test `k < n`, with the root of the sequence `n` counts.
        let mut tests: HashMap<Value, Vec<(Value, Value)>> = HashMap::new();
        for b in &self.blocks {
            for i in &b.insts {
                if i.op == Op::Cmp(crate::hir::CmpOp::Lt) && i.args.len() == 2 {
                    if let Some(seq) = len_of.get(&root(i.args[1])) {
                        tests.entry(i.args[0]).or_default().push((i.args[1], *seq));
                    }
                }
            }
        }
        let mut out = HashMap::new();
        for b in &self.blocks {
            for i in &b.insts {
                if i.op == Op::GetItem && i.args.len() == 2 {
                    let (x, k) = (i.args[0], i.args[1]);
                    if let Some((n, _)) = tests.get(&k).and_then(|t| t.iter().find(|(_, s)| *s == root(x))) {
                        out.insert((x, k), *n);
                    }
                }
            }
        }
        out
    }

    /// The loop tests `k < n` whose `n` is a `for` loop's trip count (an
    /// `Op::Len`, or a block parameter standing for one), mapped to the
    /// sequence it counts as a value the test's block can read (a parameter of
    /// that block standing for the sequence, or the sequence itself).
    pub fn loop_tests(&self) -> HashMap<Value, Value> {
        let roots = self.param_roots();
        let root = |v: Value| roots.get(&v).copied().unwrap_or(v);
        let len_of = self.loop_lens();
        let mut out = HashMap::new();
        for b in &self.blocks {
            for i in &b.insts {
                if i.op != Op::Cmp(crate::hir::CmpOp::Lt) || i.args.len() != 2 {
                    continue;
                }
                let n = i.args[1];
                let Some(&seq) = len_of.get(&root(n)) else { continue };
                let seq = if n == root(n) {
                    seq
                } else {
                    // (the block's own parameter carrying the sequence)
                    b.params.iter().copied().find(|p| root(*p) == root(seq)).unwrap_or(seq)
                };
                out.insert(n, seq);
            }
        }
        out
    }

    /// The `for` loops' trip counts (`Op::Len` results), mapped to the sequence each counts.
    fn loop_lens(&self) -> HashMap<Value, Value> {
        let mut len_of = HashMap::new();
        for b in &self.blocks {
            for i in &b.insts {
                if let (Op::Len, Some(r)) = (&i.op, i.result) {
                    len_of.insert(r, i.args[0]);
                }
            }
        }
        len_of
    }

    /// Block parameters that stand for one value: every incoming edge passes
    /// that value (or the parameter itself, or another parameter standing for
    /// it). A parameter of the entry block (a function's argument, or a live
    /// value a generator step resumes from) is a root only where no other value
    /// comes in: a resumed step's parameters take the roots the original
    /// function's edges give.
    pub fn param_roots(&self) -> HashMap<Value, Value> {
        let entry: HashSet<Value> = self
            .blocks
            .first()
            .map(|b| b.params.iter().copied().collect())
            .unwrap_or_default();
        let mut incoming: HashMap<Value, Vec<Value>> = HashMap::new();
        for b in &self.blocks {
            let mut edges: Vec<&Edge> = b.term.successors();
            edges.extend(b.handler.as_ref());
            for e in edges {
                for (p, a) in self.block(e.block).params.iter().zip(&e.args) {
                    incoming.entry(*p).or_default().push(*a);
                }
            }
        }
        // A lattice, from the top: not seen yet, an entry parameter (weak: any
        // other value wins over it), a value, several (the parameter stands
        // for nothing). Parameters start at the top and only move down.
        #[derive(Clone, Copy, PartialEq)]
        enum St {
            Top,
            Weak(Value),
            Is(Value),
            Many,
        }
        let meet = |a: St, b: St| match (a, b) {
            (St::Top, x) | (x, St::Top) => x,
            (St::Many, _) | (_, St::Many) => St::Many,
            (St::Weak(x), St::Weak(y)) => {
                if x == y {
                    St::Weak(x)
                } else {
                    St::Many
                }
            }
            (St::Weak(_), St::Is(x)) | (St::Is(x), St::Weak(_)) => St::Is(x),
            (St::Is(x), St::Is(y)) => {
                if x == y {
                    St::Is(x)
                } else {
                    St::Many
                }
            }
        };
        let mut st: HashMap<Value, St> = incoming.keys().map(|p| (*p, St::Top)).collect();
        loop {
            let mut changed = false;
            for (p, ins) in &incoming {
                let mut m = St::Top;
                for a in ins {
                    let v = match st.get(a) {
                        Some(s) => *s,
                        None if entry.contains(a) => St::Weak(*a),
                        None => St::Is(*a),
                    };
                    // (the parameter itself, or one standing for it, adds nothing)
                    if a == p || matches!(v, St::Is(r) | St::Weak(r) if r == *p) {
                        continue;
                    }
                    m = meet(m, v);
                }
                let m = meet(st[p], m);
                if st[p] != m {
                    st.insert(*p, m);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        st.into_iter()
            .filter_map(|(p, s)| match s {
                St::Is(r) | St::Weak(r) => Some((p, r)),
                _ => None,
            })
            .collect()
    }

    /// The predecessors of every block (indexed by block number), in the
    /// order of the reverse post-order; unreachable blocks are not predecessors.
    pub fn predecessors(&self) -> Vec<Vec<Block>> {
        cfg::predecessors(self)
    }

    /// Live-in sets of every block (values used in the block or after it
    /// before being defined), by iterative backward dataflow.
    pub fn live_in(&self) -> Vec<HashSet<Value>> {
        cfg::live_in(self)
    }

    /// The values live just before instruction `k` of block `b`: what the
    /// interpreter needs to resume there. Sorted.
    pub fn live_before(&self, b: Block, k: usize, live_in: &[HashSet<Value>]) -> Vec<Value> {
        cfg::live_before(self, b, k, live_in)
    }

    /// Immediate dominators of the reachable blocks (the entry maps to itself).
    pub fn dominators(&self) -> HashMap<Block, Block> {
        cfg::dominators(self)
    }

    /// The natural loops, outermost headers first (see [`cfg::loops`]).
    pub fn loops(&self) -> Vec<Loop> {
        cfg::loops(self)
    }

    /// Checks the SSA invariants: single definitions, every use dominated by
    /// its definition, edge arity matching block parameters.
    pub fn verify(&self) -> Result<(), String> {
        verify::verify(self)
    }

    /// The textual form. `types`, when given, annotates every value.
    /// [`Function::parse`] reads it back.
    pub fn display(&self, types: Option<&dyn Fn(Value) -> String>) -> String {
        write::display(self, types)
    }

    /// Reads back the text [`Function::display`] writes (untyped or typed;
    /// type annotations are dropped, see [`parse::parse_typed`] to keep them).
    pub fn parse(text: &str) -> Result<Function, ParseError> {
        parse::parse_typed(text).map(|p| p.func)
    }
}
