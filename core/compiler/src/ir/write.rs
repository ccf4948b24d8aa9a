//! The textual form of the IR, as [`Function::display`] writes it.
//!
//! ```text
//! function f(n) {
//! block0(v0):
//!     v1 = const 0  ; line 2
//!     jump block1(v1)  ; line 3
//! ...
//! }
//! ```
//!
//! Blocks are written in reverse post-order (unreachable blocks are left
//! out; a block inside a `try` body names its handler: `block3(v1) except block7(v1):`); each instruction and terminator ends with the source line of its
//! span. With types, every defined value is written `vN: TYPE`.
//! [`super::parse`] reads this text back.

use super::{Edge, Function, Op, ReadScope, Term, Value};
use std::fmt::Write;

pub(super) fn display(f: &Function, types: Option<&dyn Fn(Value) -> String>) -> String {
    let mut s = String::new();
    let name = |v: Value| -> String {
        let base = format!("{v}");
        match types {
            Some(t) => format!("{base}: {}", t(v)),
            None => base,
        }
    };
    let _ = writeln!(s, "function {}({}) {{", f.name, f.params.join(", "));
    for b in f.rpo_all() {
        let data = f.block(b);
        let params: Vec<String> = data.params.iter().map(|p| name(*p)).collect();
        let handler = match &data.handler {
            Some(h) => format!(" except {}", edge_text(h)),
            None => String::new(),
        };
        let _ = writeln!(s, "{b}({}){handler}:", params.join(", "));
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
        let _ = writeln!(s, "    {}  ; line {}", term_text(&data.term), data.term_span.line);
    }
    s.push_str("}\n");
    s
}

fn edge_text(e: &Edge) -> String {
    let a: Vec<String> = e.args.iter().map(|x| x.to_string()).collect();
    format!("{}({})", e.block, a.join(", "))
}

/// A terminator as written (without its line comment).
pub fn term_text(t: &Term) -> String {
    match t {
        Term::Jump(e) => format!("jump {}", edge_text(e)),
        Term::Br(c, a, b) => format!("br {c}, {}, {}", edge_text(a), edge_text(b)),
        Term::Ret(v) => format!("return {v}"),
        Term::Raise(v) => format!("raise {v}"),
        Term::AssertFail(Some(v)) => format!("assert_fail {v}"),
        Term::AssertFail(None) => "assert_fail".to_string(),
        Term::Unreachable => "unreachable".to_string(),
        Term::Yield { point, value, resume } => format!("yield {point}, {value}, {}", edge_text(resume)),
    }
}

/// An operation as written, without its arguments: `bin add`, `const 1.5`,
/// `method "zeros" kw=["dtype"]`.
pub fn op_text(op: &Op) -> String {
    match op {
        Op::Const(c) => format!("const {c}"),
        Op::Global(n) => format!("global {n:?}"),
        Op::Import(n) => format!("import {n:?}"),
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
        Op::StarItems => "star_items".into(),
        Op::TupleGet(i) => format!("tuple_get {i}"),
        Op::GetItem => "getitem".into(),
        Op::SetItem => "setitem".into(),
        Op::DelItem => "delitem".into(),
        Op::SetAttr(n) => format!("setattr {n:?}"),
        Op::SetShape => "setshape".into(),
        Op::Len => "len".into(),
        Op::LenBound => "len_bound".into(),
        Op::RangeLen => "range_len".into(),
        Op::RangeNext => "range_next".into(),
        Op::Undef(n) => format!("undef {n:?}"),
        Op::Bound(n, scope) => match scope {
            ReadScope::Local => format!("bound {n:?}"),
            ReadScope::Free => format!("bound free {n:?}"),
            ReadScope::Comp => format!("bound comp {n:?}"),
        },
        Op::Slice => "slice".into(),
        Op::NdSize => "nd_size".into(),
        Op::NdIndex => "nd_index".into(),
        Op::Is => "is".into(),
        Op::Contains => "contains".into(),
        Op::Builtin(n) => format!("builtin {n:?}"),
        Op::CaughtExc => "caught_exc".into(),
        Op::ExcMatch => "exc_match".into(),
        Op::RaiseFrom => "raise_from".into(),
        Op::Exhausted { pep479: false } => "exhausted".into(),
        Op::Exhausted { pep479: true } => "exhausted pep479".into(),
        Op::Cell => "cell".into(),
        Op::CellSet => "cell_set".into(),
        Op::Lambda {
            name,
            escapes,
            line,
            index,
            names,
        } => {
            let esc = if *escapes { " escapes" } else { "" };
            if name == "<lambda>" {
                format!("lambda{esc} {line} {index} {names:?}")
            } else {
                format!("def{esc} {name:?} {line} {index} {names:?}")
            }
        }
    }
}
