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

use crate::hir::{BinOp, CmpOp, Span, UnaryOp};
use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write};

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
    /// args: [tuple]
    TupleGet(u32),
    /// `x[i0, i1, ...]`. args: [x, i0, i1, ...]
    GetItem,
    /// `x[i0, ...] = value`. args: [x, i0, ..., value]
    SetItem,
    /// `len(x)` of the object a `for` loop iterates over. args: [x]
    Len,
    /// Trip count of `range(start, stop, step)`. args: [start, stop, step]
    RangeLen,
    /// The next value of a range loop variable, `i + step`; never overflows
    /// where it is used. args: [i, step]
    RangeNext,
    /// A local variable read where it may be unassigned.
    Undef(String),
    /// `slice(lo, hi, step)`. args: [lo, hi, step] (None constants where omitted)
    Slice,
}

impl Op {
    /// Whether the instruction defines a value.
    pub fn has_result(&self) -> bool {
        !matches!(self, Op::SetItem)
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
}

impl Term {
    pub fn successors(&self) -> Vec<&Edge> {
        match self {
            Term::Jump(e) => vec![e],
            Term::Br(_, a, b) => vec![a, b],
            _ => vec![],
        }
    }
    pub fn successors_mut(&mut self) -> Vec<&mut Edge> {
        match self {
            Term::Jump(e) => vec![e],
            Term::Br(_, a, b) => vec![a, b],
            _ => vec![],
        }
    }
    /// Values the terminator reads (edge arguments included).
    pub fn uses(&self) -> Vec<Value> {
        let mut v = Vec::new();
        match self {
            Term::Br(c, _, _) => v.push(*c),
            Term::Ret(x) | Term::Raise(x) => v.push(*x),
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
    pub params: Vec<String>,
    pub blocks: Vec<BlockData>,
    pub values: Vec<ValueInfo>,
    pub span: Span,
}

impl Function {
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
    pub fn rpo(&self) -> Vec<Block> {
        let mut seen = vec![false; self.blocks.len()];
        let mut post = Vec::new();
        let mut stack = vec![(self.entry(), 0usize)];
        seen[0] = true;
        while let Some((b, i)) = stack.pop() {
            let succs = self.block(b).term.successors();
            if i < succs.len() {
                stack.push((b, i + 1));
                let s = succs[i].block;
                if !seen[s.0 as usize] {
                    seen[s.0 as usize] = true;
                    stack.push((s, 0));
                }
            } else {
                post.push(b);
            }
        }
        post.reverse();
        post
    }

    /// Where each value is defined: its block and instruction index.
    pub fn definitions(&self) -> HashMap<Value, (Block, usize)> {
        let mut m = HashMap::new();
        for (bi, b) in self.blocks.iter().enumerate() {
            for (k, inst) in b.insts.iter().enumerate() {
                if let Some(r) = inst.result {
                    m.insert(r, (Block(bi as u32), k));
                }
            }
        }
        m
    }

    pub fn predecessors(&self) -> Vec<Vec<Block>> {
        let mut preds = vec![Vec::new(); self.blocks.len()];
        for b in self.rpo() {
            for e in self.block(b).term.successors() {
                preds[e.block.0 as usize].push(b);
            }
        }
        preds
    }

    /// Live-in sets of every block (values used in the block or after it
    /// before being defined), by iterative backward dataflow.
    pub fn live_in(&self) -> Vec<HashSet<Value>> {
        let n = self.blocks.len();
        let mut live_in: Vec<HashSet<Value>> = vec![HashSet::new(); n];
        let order = self.rpo();
        let mut changed = true;
        while changed {
            changed = false;
            for &b in order.iter().rev() {
                let set = self.live_before_in(b, 0, &live_in);
                if set != live_in[b.0 as usize] {
                    live_in[b.0 as usize] = set;
                    changed = true;
                }
            }
        }
        live_in
    }

    fn live_before_in(&self, b: Block, k: usize, live_in: &[HashSet<Value>]) -> HashSet<Value> {
        let data = self.block(b);
        let mut live: HashSet<Value> = HashSet::new();
        for e in data.term.successors() {
            for v in &live_in[e.block.0 as usize] {
                if !self.block(e.block).params.contains(v) {
                    live.insert(*v);
                }
            }
        }
        live.extend(data.term.uses());
        for inst in data.insts[k..].iter().rev() {
            if let Some(r) = inst.result {
                live.remove(&r);
            }
            live.extend(inst.args.iter().copied());
        }
        if k == 0 {
            for p in &data.params {
                live.remove(p);
            }
        }
        live
    }

    /// The values live just before instruction `k` of block `b`: what the
    /// interpreter needs to resume there. Sorted.
    pub fn live_before(&self, b: Block, k: usize, live_in: &[HashSet<Value>]) -> Vec<Value> {
        let mut v: Vec<Value> = self.live_before_in(b, k, live_in).into_iter().collect();
        if k == 0 {
            // Resuming at the start of a block needs its parameters too.
            v.extend(self.block(b).params.iter().copied());
        }
        v.sort();
        v.dedup();
        v
    }

    /// Checks the SSA invariants: single definitions, every use dominated by
    /// its definition, edge arity matching block parameters.
    pub fn verify(&self) -> Result<(), String> {
        let mut defined = vec![false; self.values.len()];
        let mut def = |v: Value, what: &str| -> Result<(), String> {
            let slot = defined
                .get_mut(v.0 as usize)
                .ok_or_else(|| format!("{what} defines unknown value {v}"))?;
            if *slot {
                return Err(format!("{v} is defined twice"));
            }
            *slot = true;
            Ok(())
        };
        for (i, b) in self.blocks.iter().enumerate() {
            for p in &b.params {
                def(*p, &format!("block{i} params"))?;
            }
            for inst in &b.insts {
                match (inst.result, inst.op.has_result()) {
                    (Some(r), true) => def(r, "an instruction")?,
                    (None, false) => {}
                    _ => return Err(format!("block{i}: {:?} has a wrong result", inst.op)),
                }
            }
            for e in b.term.successors() {
                let target = self
                    .blocks
                    .get(e.block.0 as usize)
                    .ok_or_else(|| format!("block{i} jumps to missing {}", e.block))?;
                if target.params.len() != e.args.len() {
                    return Err(format!(
                        "block{i} passes {} args to {} which has {} params",
                        e.args.len(),
                        e.block,
                        target.params.len()
                    ));
                }
            }
        }
        // Dominance: a value is available at a use if it is defined on every
        // path from the entry (available-definitions dataflow).
        let order = self.rpo();
        let preds = self.predecessors();
        let all: HashSet<Value> = (0..self.values.len() as u32).map(Value).collect();
        let mut avail_out: Vec<HashSet<Value>> = vec![all.clone(); self.blocks.len()];
        let mut changed = true;
        while changed {
            changed = false;
            for &b in &order {
                let mut inn = if b == self.entry() {
                    HashSet::new()
                } else {
                    let mut it = preds[b.0 as usize].iter();
                    let first = it.next().map(|p| avail_out[p.0 as usize].clone()).unwrap_or_default();
                    it.fold(first, |acc, p| {
                        acc.intersection(&avail_out[p.0 as usize]).copied().collect()
                    })
                };
                let data = self.block(b);
                inn.extend(data.params.iter().copied());
                for inst in &data.insts {
                    inn.extend(inst.result);
                }
                if inn != avail_out[b.0 as usize] {
                    avail_out[b.0 as usize] = inn;
                    changed = true;
                }
            }
        }
        for &b in &order {
            let data = self.block(b);
            let mut avail: HashSet<Value> = if b == self.entry() {
                HashSet::new()
            } else {
                let mut it = preds[b.0 as usize].iter();
                let first = it.next().map(|p| avail_out[p.0 as usize].clone()).unwrap_or_default();
                it.fold(first, |acc, p| {
                    acc.intersection(&avail_out[p.0 as usize]).copied().collect()
                })
            };
            avail.extend(data.params.iter().copied());
            for inst in &data.insts {
                for a in &inst.args {
                    if !avail.contains(a) {
                        return Err(format!("{b}: {a} is used before it is defined on every path"));
                    }
                }
                avail.extend(inst.result);
            }
            for a in data.term.uses() {
                if !avail.contains(&a) {
                    return Err(format!("{b}: terminator uses {a} before it is defined on every path"));
                }
            }
        }
        Ok(())
    }

    /// The textual form. `types`, when given, annotates every value.
    pub fn display(&self, types: Option<&dyn Fn(Value) -> String>) -> String {
        let mut s = String::new();
        let name = |v: Value| -> String {
            let base = format!("{v}");
            match types {
                Some(t) => format!("{base}: {}", t(v)),
                None => base,
            }
        };
        let _ = writeln!(s, "function {}({}) {{", self.name, self.params.join(", "));
        for b in self.rpo() {
            let data = self.block(b);
            let params: Vec<String> = data.params.iter().map(|p| name(*p)).collect();
            let _ = writeln!(s, "{b}({}):", params.join(", "));
            for inst in &data.insts {
                let lhs = inst.result.map(|r| format!("{} = ", name(r))).unwrap_or_default();
                let args: Vec<String> = inst.args.iter().map(|a| a.to_string()).collect();
                let _ = writeln!(
                    s,
                    "    {lhs}{}{}{}  ; line {}",
                    op_text(&inst.op),
                    if args.is_empty() { "" } else { " " },
                    args.join(", "),
                    inst.span.line
                );
            }
            let edge = |e: &Edge| {
                let a: Vec<String> = e.args.iter().map(|x| x.to_string()).collect();
                format!("{}({})", e.block, a.join(", "))
            };
            let t = match &data.term {
                Term::Jump(e) => format!("jump {}", edge(e)),
                Term::Br(c, a, b) => format!("br {c}, {}, {}", edge(a), edge(b)),
                Term::Ret(v) => format!("return {v}"),
                Term::Raise(v) => format!("raise {v}"),
                Term::AssertFail(Some(v)) => format!("assert_fail {v}"),
                Term::AssertFail(None) => "assert_fail".to_string(),
                Term::Unreachable => "unreachable".to_string(),
            };
            let _ = writeln!(s, "    {t}  ; line {}", data.term_span.line);
        }
        s.push_str("}\n");
        s
    }
}

fn op_text(op: &Op) -> String {
    match op {
        Op::Const(c) => format!("const {c}"),
        Op::Global(n) => format!("global {n:?}"),
        Op::Attr(n) => format!("attr {n:?}"),
        Op::Call { kw } if kw.is_empty() => "call".into(),
        Op::Call { kw } => format!("call kw={kw:?}"),
        Op::MethodCall { name, kw } if kw.is_empty() => format!("method {name:?}"),
        Op::MethodCall { name, kw } => format!("method {name:?} kw={kw:?}"),
        Op::Bin { op, inplace: false } => format!("bin {}", op.name()),
        Op::Bin { op, inplace: true } => format!("ibin {}", op.name()),
        Op::Unary(u) => format!("unary {}", u.name()),
        Op::Cmp(c) => format!("cmp {}", c.name()),
        Op::Truth => "truth".into(),
        Op::Tuple => "tuple".into(),
        Op::List => "list".into(),
        Op::Unpack(n) => format!("unpack {n}"),
        Op::TupleGet(i) => format!("tuple_get {i}"),
        Op::GetItem => "getitem".into(),
        Op::SetItem => "setitem".into(),
        Op::Len => "len".into(),
        Op::RangeLen => "range_len".into(),
        Op::RangeNext => "range_next".into(),
        Op::Undef(n) => format!("undef {n:?}"),
        Op::Slice => "slice".into(),
    }
}

/// Immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm).
pub fn cfg_dominators(f: &Function) -> HashMap<Block, Block> {
    let order = f.rpo();
    let index: HashMap<Block, usize> = order.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let preds = f.predecessors();
    let mut idom: HashMap<Block, Block> = HashMap::new();
    idom.insert(f.entry(), f.entry());
    let mut changed = true;
    while changed {
        changed = false;
        for &b in order.iter().skip(1) {
            let mut new: Option<Block> = None;
            for &p in &preds[b.0 as usize] {
                if !idom.contains_key(&p) {
                    continue;
                }
                new = Some(match new {
                    None => p,
                    Some(n) => {
                        let (mut x, mut y) = (p, n);
                        while x != y {
                            while index[&x] > index[&y] {
                                x = idom[&x];
                            }
                            while index[&y] > index[&x] {
                                y = idom[&y];
                            }
                        }
                        x
                    }
                });
            }
            if let Some(n) = new {
                if idom.get(&b) != Some(&n) {
                    idom.insert(b, n);
                    changed = true;
                }
            }
        }
    }
    idom
}
