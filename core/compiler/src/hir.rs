//! HIR: the Python function as a tree, with a source span on every node.
//!
//! Built from Python's own `ast` objects by [`crate::frontend`]; lowered to
//! SSA by [`crate::lower`]. Only the subset pyston understands has a node
//! here; anything else is rejected by the front end with a span.

/// A source range, in lines (1-based, relative to the file) and UTF-8 columns (0-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// 0 for the function's own code; `k` for code of the function inlined at
    /// `ir::Function::inlines[k - 1]` (its traceback frame is that function's).
    pub inl: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    LShift,
    RShift,
    MatMul,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::MatMul => "@",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "truediv",
            BinOp::FloorDiv => "floordiv",
            BinOp::Mod => "mod",
            BinOp::Pow => "pow",
            BinOp::BitAnd => "and",
            BinOp::BitOr => "or",
            BinOp::BitXor => "xor",
            BinOp::LShift => "lshift",
            BinOp::RShift => "rshift",
            BinOp::MatMul => "matmul",
        }
    }
    pub fn from_name(s: &str) -> Option<BinOp> {
        use BinOp::*;
        [
            Add, Sub, Mul, Div, FloorDiv, Mod, Pow, BitAnd, BitOr, BitXor, LShift, RShift, MatMul,
        ]
        .into_iter()
        .find(|o| o.name() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
    Not,
}

impl UnaryOp {
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Pos => "pos",
            UnaryOp::Invert => "invert",
            UnaryOp::Not => "not",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
        }
    }
    pub fn from_name(s: &str) -> Option<CmpOp> {
        use CmpOp::*;
        [Eq, Ne, Lt, Le, Gt, Ge].into_iter().find(|o| o.name() == s)
    }
    /// The operator that is true exactly when this one is false (for ints).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
    /// The operator with its operands swapped (`a < b` == `b > a`).
    pub fn swapped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            o => o,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Int(i64),
    /// An int literal that does not fit in 64 bits, in decimal.
    BigInt(String),
    Float(f64),
    /// An imaginary literal `2j`.
    Imag(f64),
    Bool(bool),
    None,
    Str(String),
    /// `...`
    Ellipsis,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(Literal),
    Name(String),
    Attr(Box<Expr>, String),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    /// `a and b and c` (`is_and`) or `a or b or c`.
    BoolOp(bool, Vec<Expr>),
    /// `a < b <= c`
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// callee, positional args, keyword args
    Call(Box<Expr>, Vec<Expr>, Vec<(String, Expr)>),
    /// `value[index]`; a tuple index is an `ExprKind::Tuple`.
    Subscript(Box<Expr>, Box<Expr>),
    Tuple(Vec<Expr>),
    /// `*x` among a call's positional arguments or a tuple's or list's items:
    /// compiled where `x` is a tuple parameter of known length the body never
    /// rebinds (`lower`'s `star_lens`).
    Starred(Box<Expr>),
    /// A list display; compiled only as an argument of a NumPy function
    /// (`np.array([x, y])`, `np.concatenate([a, b])`), see `infer`.
    List(Vec<Expr>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `lo:hi:step` inside a subscript (each part optional).
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `a is b` (`false`) / `a is not b` (`true`).
    Is(Box<Expr>, Box<Expr>, bool),
    /// `a in b` (`false`) / `a not in b` (`true`).
    In(Box<Expr>, Box<Expr>, bool),
    /// `[elt for t in it if c ...]`: lowered as a loop appending to a new list
    /// (the loop variables do not leak, as in Python 3).
    ListComp(Box<Expr>, Vec<Comprehension>),
    /// `(elt for t in it ...)`: compiled only as the single argument of
    /// `sum`/`min`/`max`/`any`/`all`/`list`, which consume it as a loop.
    /// `compensated`: the running CPython's `sum()` of floats uses Neumaier
    /// compensated summation (3.12+), so `sum(genexp)` builds the items'
    /// list and calls `sum` on it instead of adding natively.
    GenExp(Box<Expr>, Vec<Comprehension>, bool),
    /// `{k: v, ...}`: lowered as `dict()` and one store per pair, in order.
    Dict(Vec<(Expr, Expr)>),
    /// `{k: v for ...}`
    DictComp(Box<Expr>, Box<Expr>, Vec<Comprehension>),
    /// `{a, b, ...}`: lowered as `set()` and one `add` per element, in order.
    Set(Vec<Expr>),
    /// `{elt for ...}`
    SetComp(Box<Expr>, Vec<Comprehension>),
    /// `lambda params: body` (no default values).
    Lambda(Vec<String>, Box<Expr>),
    /// The module `name` (dotted: the innermost one) as an `import` statement
    /// inside the function finds it: `import numpy as np` is `np = Import("numpy")`.
    Import(String),
}

/// One `for target in iter if cond...` clause of a comprehension.
#[derive(Clone, Debug)]
pub struct Comprehension {
    pub target: Target,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

#[derive(Clone, Debug)]
pub enum Target {
    Name(String, Span),
    Subscript(Expr, Expr, Span),
    /// `x.name = ...` (compiled for the fields of record elements).
    Attr(Expr, String, Span),
    Tuple(Vec<Target>, Span),
}

impl Target {
    pub fn span(&self) -> Span {
        match self {
            Target::Name(_, s) | Target::Subscript(_, _, s) | Target::Attr(_, _, s) | Target::Tuple(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `t1 = t2 = value`
    Assign(Vec<Target>, Expr),
    AugAssign(Target, BinOp, Expr),
    Expr(Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    While(Expr, Vec<Stmt>, Vec<Stmt>),
    For(Target, Expr, Vec<Stmt>, Vec<Stmt>),
    Break,
    Continue,
    Return(Option<Expr>),
    Pass,
    /// `raise exc` (None: bare `raise`, not supported by the lowering)
    Raise(Option<Expr>),
    Assert(Expr, Option<Expr>),
    /// `raise exc from cause`
    RaiseFrom(Expr, Expr),
    /// A nested `def` (no decorators, no default values).
    Def(Box<FunctionDef>),
    /// `try`: body, `except` clauses, `else`, `finally`.
    Try(Vec<Stmt>, Vec<Handler>, Vec<Stmt>, Vec<Stmt>),
    /// `del x[i], y[j]`: the subscripts to delete, in order.
    Delete(Vec<Target>),
    /// `nonlocal a, b` (compiled in nested functions, which are inlined: the
    /// names are the enclosing function's variables).
    Nonlocal(Vec<String>),
    /// `yield value` (None: a bare `yield`), or `name = yield value`: the
    /// generator suspends; `name` receives the value `send` passes in.
    Yield(Option<Target>, Option<Expr>),
}

/// One `except` clause: `except class as name:` (`class` None for a bare `except:`).
#[derive(Clone, Debug)]
pub struct Handler {
    pub class: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// A function definition.
#[derive(Clone, Debug)]
pub struct FunctionDef {
    pub name: String,
    /// Every parameter, in the order of [`CallShape`].
    pub params: Vec<String>,
    pub body: Vec<Stmt>,
    pub span: Span,
    pub shape: CallShape,
    /// Whether a parameter or the return has an annotation (a nested
    /// function made into an object would need its `__annotations__`).
    pub annotated: bool,
}

/// How a call's arguments map onto a function's parameters: the positional
/// parameters first, then (`vararg`) one tuple of the extra positional
/// arguments (`*args`), then the `kwonly` keyword-only parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallShape {
    pub vararg: bool,
    pub kwonly: usize,
}

impl CallShape {
    /// Whether every parameter is positional (a call binds arguments by position).
    pub fn is_plain(self) -> bool {
        self == CallShape::default()
    }
    /// The number of positional parameters of a function with `nparams` in all.
    pub fn npositional(self, nparams: usize) -> usize {
        nparams - self.vararg as usize - self.kwonly
    }
}

/// Calls `f` on `e` and, while `f` returns true, on every expression inside
/// it (comprehension clauses and lambda bodies included), in source order.
pub fn walk_expr(e: &Expr, f: &mut dyn FnMut(&Expr) -> bool) {
    if !f(e) {
        return;
    }
    let comps = |cs: &[Comprehension], f: &mut dyn FnMut(&Expr) -> bool| {
        for c in cs {
            walk_expr(&c.iter, f);
            c.ifs.iter().for_each(|x| walk_expr(x, f));
        }
    };
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Import(_) => {}
        ExprKind::Attr(x, _) | ExprKind::Unary(_, x) | ExprKind::Lambda(_, x) => walk_expr(x, f),
        ExprKind::Bin(_, a, b) | ExprKind::Subscript(a, b) | ExprKind::Is(a, b, _) | ExprKind::In(a, b, _) => {
            walk_expr(a, f);
            walk_expr(b, f);
        }
        ExprKind::BoolOp(_, xs) | ExprKind::Tuple(xs) | ExprKind::List(xs) | ExprKind::Set(xs) => {
            xs.iter().for_each(|x| walk_expr(x, f))
        }
        ExprKind::Compare(a, rest) => {
            walk_expr(a, f);
            rest.iter().for_each(|(_, x)| walk_expr(x, f));
        }
        ExprKind::Starred(x) => walk_expr(x, f),
        ExprKind::Call(c, args, kws) => {
            walk_expr(c, f);
            args.iter().for_each(|x| walk_expr(x, f));
            kws.iter().for_each(|(_, x)| walk_expr(x, f));
        }
        ExprKind::IfExp(a, b, c) => {
            walk_expr(b, f);
            walk_expr(a, f);
            walk_expr(c, f);
        }
        ExprKind::Slice(a, b, c) => [a, b, c].into_iter().flatten().for_each(|x| walk_expr(x, f)),
        ExprKind::ListComp(x, cs) | ExprKind::GenExp(x, cs, _) | ExprKind::SetComp(x, cs) => {
            comps(cs, f);
            walk_expr(x, f);
        }
        ExprKind::DictComp(k, v, cs) => {
            comps(cs, f);
            walk_expr(k, f);
            walk_expr(v, f);
        }
        ExprKind::Dict(kvs) => kvs.iter().for_each(|(k, v)| {
            walk_expr(k, f);
            walk_expr(v, f);
        }),
    }
}

/// [`walk_expr`] over every expression of `body`'s statements (nested `def`s
/// left out: their code is their own).
pub fn walk_stmts(body: &[Stmt], f: &mut dyn FnMut(&Expr) -> bool) {
    fn target(t: &Target, f: &mut dyn FnMut(&Expr) -> bool) {
        match t {
            Target::Name(..) => {}
            Target::Subscript(a, b, _) => {
                walk_expr(a, f);
                walk_expr(b, f);
            }
            Target::Attr(a, _, _) => walk_expr(a, f),
            Target::Tuple(ts, _) => ts.iter().for_each(|t| target(t, f)),
        }
    }
    for s in body {
        match &s.kind {
            StmtKind::Assign(ts, v) => {
                walk_expr(v, f);
                ts.iter().for_each(|t| target(t, f));
            }
            StmtKind::AugAssign(t, _, v) => {
                target(t, f);
                walk_expr(v, f);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Raise(Some(e)) => walk_expr(e, f),
            StmtKind::If(c, a, b) | StmtKind::While(c, a, b) => {
                walk_expr(c, f);
                walk_stmts(a, f);
                walk_stmts(b, f);
            }
            StmtKind::For(t, it, a, b) => {
                walk_expr(it, f);
                target(t, f);
                walk_stmts(a, f);
                walk_stmts(b, f);
            }
            StmtKind::Assert(a, b) => {
                walk_expr(a, f);
                b.iter().for_each(|x| walk_expr(x, f));
            }
            StmtKind::RaiseFrom(a, b) => {
                walk_expr(a, f);
                walk_expr(b, f);
            }
            StmtKind::Try(a, hs, b, c) => {
                walk_stmts(a, f);
                for h in hs {
                    h.class.iter().for_each(|x| walk_expr(x, f));
                    walk_stmts(&h.body, f);
                }
                walk_stmts(b, f);
                walk_stmts(c, f);
            }
            StmtKind::Delete(ts) => ts.iter().for_each(|t| target(t, f)),
            StmtKind::Yield(t, v) => {
                v.iter().for_each(|x| walk_expr(x, f));
                t.iter().for_each(|t| target(t, f));
            }
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Return(None)
            | StmtKind::Raise(None)
            | StmtKind::Pass
            | StmtKind::Nonlocal(_)
            | StmtKind::Def(_) => {}
        }
    }
}
