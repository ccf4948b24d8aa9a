//! Reads back the textual IR that [`Function::display`] writes, so that
//! print -> parse -> print is the identity (the basis of the per-pass
//! filetests in `core/compiler/tests/filetests`).
//!
//! Accepted beyond what the printer writes: blank lines and lines starting
//! with `;` (comments) anywhere, blocks in any order, a missing `; line N`
//! (line 0). Not written by the printer, and so not recovered: value names
//! ([`super::ValueInfo::name`]), span columns (spans are `line N`, column 0),
//! the function's own span and unreachable blocks (the printer leaves them
//! out; block numbers without a block become unreachable placeholders).
//! Constants: an integer that fits in 64 bits is always read as
//! [`Const::Int`] (a [`Const::BigInt`] holding a small number prints the same).
//!
//! The parser checks syntax, each operation's argument count, that each
//! instruction has a result exactly when its operation defines one, and that
//! branch targets exist; everything else (single definitions, dominance, edge
//! arity) is [`Function::verify`]'s job, so invalid SSA can be read for tests.

use super::{Block, BlockData, Const, Edge, Function, Inst, Op, ReadScope, Term, Value, ValueInfo};
use crate::hir::{BinOp, CmpOp, Span, UnaryOp};
use std::collections::HashMap;
use std::fmt;

/// A syntax error: the 1-based line of the text and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

impl std::error::Error for ParseError {}

/// A parsed function with the type annotations of the typed form
/// (`v5: int = ...`), as written, by value. Empty for the untyped form.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub func: Function,
    pub types: HashMap<Value, String>,
}

type PResult<T> = Result<T, ParseError>;

/// Parses the untyped or typed textual form of one function.
pub fn parse_typed(text: &str) -> PResult<Parsed> {
    let mut p = Parser::default();
    let mut last = 0;
    for (i, raw) in text.lines().enumerate() {
        last = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        p.line(Cur::new(raw, i + 1))?;
    }
    p.finish(last)
}

struct Cur<'a> {
    s: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str, line: usize) -> Self {
        Cur { s, pos: 0, line }
    }
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }
    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            line: self.line,
            msg: msg.into(),
        })
    }
    /// The next token, for error messages.
    fn found(&self) -> String {
        let r = self.rest().trim_start();
        match r.split_whitespace().next() {
            None => "end of line".into(),
            Some(t) => format!("`{t}`"),
        }
    }
    fn ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }
    fn at_end(&mut self) -> bool {
        self.ws();
        self.rest().is_empty()
    }
    fn peek(&mut self, tok: &str) -> bool {
        self.ws();
        self.rest().starts_with(tok)
    }
    fn eat(&mut self, tok: &str) -> bool {
        if self.peek(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, tok: &str) -> PResult<()> {
        if self.eat(tok) {
            Ok(())
        } else {
            self.err(format!("expected `{tok}`, found {}", self.found()))
        }
    }
    /// A run of identifier characters (letters, digits, `_`).
    fn word(&mut self) -> &'a str {
        self.ws();
        let r = self.rest();
        let n = r.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(r.len());
        self.pos += n;
        &r[..n]
    }
    fn number<T: std::str::FromStr>(&mut self, what: &str) -> PResult<T> {
        let save = self.pos;
        let w = self.word();
        w.parse().or_else(|_| {
            self.pos = save;
            self.err(format!("expected {what}, found {}", self.found()))
        })
    }
    /// `PREFIX<digits>` not followed by an identifier character.
    fn numbered(&mut self, prefix: &str, what: &str) -> PResult<u32> {
        let save = self.pos;
        let w = self.word();
        if let Some(n) = w
            .strip_prefix(prefix)
            .filter(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()))
        {
            if let Ok(n) = n.parse() {
                return Ok(n);
            }
        }
        self.pos = save;
        self.err(format!("expected {what}, found {}", self.found()))
    }
    fn value(&mut self) -> PResult<Value> {
        self.numbered("v", "a value (`vN`)").map(Value)
    }
    fn block(&mut self) -> PResult<Block> {
        self.numbered("block", "a block (`blockN`)").map(Block)
    }
    fn looking_at_value(&mut self) -> bool {
        self.ws();
        let mut it = self.rest().chars();
        it.next() == Some('v') && it.next().is_some_and(|c| c.is_ascii_digit())
    }
    /// A string literal as Rust's `{:?}` writes it.
    fn string(&mut self) -> PResult<String> {
        self.ws();
        if !self.rest().starts_with('"') {
            return self.err(format!("expected a string, found {}", self.found()));
        }
        let mut out = String::new();
        let mut it = self.rest().char_indices().skip(1);
        while let Some((i, c)) = it.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, e)) = it.next() else { break };
                    out.push(match e {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        '0' => '\0',
                        '\\' | '"' | '\'' => e,
                        'u' => {
                            let mut hex = String::new();
                            if it.next().map(|x| x.1) != Some('{') {
                                return self.err("bad `\\u` escape in a string");
                            }
                            for (_, h) in it.by_ref() {
                                if h == '}' {
                                    break;
                                }
                                hex.push(h);
                            }
                            match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                                Some(ch) => ch,
                                None => return self.err(format!("bad `\\u{{{hex}}}` escape in a string")),
                            }
                        }
                        e => return self.err(format!("unknown escape `\\{e}` in a string")),
                    });
                }
                c => out.push(c),
            }
        }
        self.err("unterminated string")
    }
    /// `["a", "b"]`
    fn string_list(&mut self) -> PResult<Vec<String>> {
        self.expect("[")?;
        let mut v = Vec::new();
        if !self.eat("]") {
            loop {
                v.push(self.string()?);
                if self.eat("]") {
                    break;
                }
                self.expect(",")?;
            }
        }
        Ok(v)
    }
    /// A type annotation: text up to one of `stops` outside brackets and strings.
    fn type_text(&mut self, stops: &[char]) -> PResult<String> {
        self.ws();
        let r = self.rest();
        let mut depth = 0i32;
        let mut in_str = false;
        let mut escaped = false;
        for (i, c) in r.char_indices() {
            if in_str {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '(' | '[' => depth += 1,
                ')' | ']' if depth > 0 => depth -= 1,
                c if depth == 0 && stops.contains(&c) => {
                    let t = r[..i].trim_end();
                    if t.is_empty() {
                        return self.err("empty type annotation");
                    }
                    self.pos += i;
                    return Ok(t.to_string());
                }
                _ => {}
            }
        }
        self.err("unterminated type annotation")
    }
    /// A constant as [`Const`]'s `Display` writes it.
    fn constant(&mut self) -> PResult<Const> {
        self.ws();
        if self.rest().starts_with('"') {
            return self.string().map(Const::Str);
        }
        if self.eat("...") {
            return Ok(Const::Ellipsis);
        }
        if self.eat("complex(") {
            let re = self.float()?;
            self.expect(",")?;
            let im = self.float()?;
            self.expect(")")?;
            return Ok(Const::Complex(re, im));
        }
        if self.eat("(") {
            let mut items = Vec::new();
            if !self.eat(")") {
                loop {
                    items.push(self.constant()?);
                    if self.eat(")") {
                        break;
                    }
                    self.expect(",")?;
                }
            }
            return Ok(Const::Tuple(items));
        }
        let tok = self.num_token();
        Ok(match tok {
            "True" => Const::Bool(true),
            "False" => Const::Bool(false),
            "None" => Const::None,
            "" => return self.err(format!("expected a constant, found {}", self.found())),
            t if t.strip_prefix('-').unwrap_or(t).bytes().all(|c| c.is_ascii_digit()) && t != "-" => {
                match t.parse::<i64>() {
                    Ok(i) => Const::Int(i),
                    Err(_) => Const::BigInt(t.to_string()),
                }
            }
            t => match t.parse::<f64>() {
                Ok(x) => Const::Float(x),
                Err(_) => return self.err(format!("bad constant `{t}`")),
            },
        })
    }
    /// Characters of a number or keyword constant (`-1.5e-7`, `inf`, `NaN`, `True`).
    fn num_token(&mut self) -> &'a str {
        self.ws();
        let r = self.rest();
        let n = r
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '+' | '-' | '_')))
            .unwrap_or(r.len());
        self.pos += n;
        &r[..n]
    }
    fn float(&mut self) -> PResult<f64> {
        let t = self.num_token();
        t.parse()
            .or_else(|_| self.err(format!("expected a float, found `{t}`")))
    }
    /// `v1, v2, ...` (possibly empty, up to the line comment).
    fn values(&mut self) -> PResult<Vec<Value>> {
        let mut v = Vec::new();
        if self.at_end() || self.peek(";") {
            return Ok(v);
        }
        loop {
            v.push(self.value()?);
            if !self.eat(",") {
                return Ok(v);
            }
        }
    }
    fn edge(&mut self, refs: &mut Vec<(Block, usize)>) -> PResult<Edge> {
        let block = self.block()?;
        refs.push((block, self.line));
        self.expect("(")?;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.value()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        Ok(Edge { block, args })
    }
    /// The trailing `; line N` (optional: line 0) and the end of the line.
    fn span_comment(&mut self) -> PResult<Span> {
        let mut line = 0;
        if self.eat(";") {
            self.expect("line")?;
            line = self.number("a line number")?;
        }
        if !self.at_end() {
            return self.err(format!("expected the end of the line, found {}", self.found()));
        }
        Ok(Span {
            line,
            end_line: line,
            ..Span::default()
        })
    }
}

#[derive(Default)]
struct Parser {
    name: Option<String>,
    params: Vec<String>,
    header_line: usize,
    closed: bool,
    blocks: Vec<Option<BlockData>>,
    /// The block being filled, and whether it has its terminator yet.
    cur: Option<(Block, bool)>,
    refs: Vec<(Block, usize)>,
    max_value: Option<u32>,
    types: HashMap<Value, String>,
}

const PLACEHOLDER_TERM: Term = Term::Unreachable;

impl Parser {
    fn see(&mut self, v: Value) {
        self.max_value = Some(self.max_value.map_or(v.0, |m| m.max(v.0)));
    }

    fn cur_block(&mut self, c: &Cur) -> PResult<&mut BlockData> {
        match self.cur {
            Some((b, _)) => Ok(self.blocks[b.0 as usize].as_mut().expect("current block exists")),
            None => c.err("an instruction outside a block"),
        }
    }

    fn end_block(&mut self, c: &Cur) -> PResult<()> {
        if let Some((b, false)) = self.cur {
            return c.err(format!("{b} has no terminator"));
        }
        Ok(())
    }

    fn line(&mut self, mut c: Cur) -> PResult<()> {
        if self.closed {
            return c.err("text after the end of the function");
        }
        if self.name.is_none() {
            return self.header(c);
        }
        let indented = c.s.starts_with([' ', '\t']);
        if !indented && c.eat("}") {
            self.end_block(&c)?;
            if !c.at_end() {
                return c.err(format!("expected the end of the line, found {}", c.found()));
            }
            self.closed = true;
            return Ok(());
        }
        if !indented {
            return self.block_header(c);
        }
        self.inst(c)
    }

    fn header(&mut self, mut c: Cur) -> PResult<()> {
        if c.word() != "function" {
            return c.err("expected `function NAME(PARAMS) {`");
        }
        c.ws();
        let r = c.rest();
        let Some(open) = r.find('(') else {
            return c.err("expected `(` after the function name");
        };
        let name = r[..open].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return c.err("bad function name");
        }
        c.pos += open + 1;
        let r = c.rest();
        let Some(close) = r.find(')') else {
            return c.err("expected `)` after the parameters");
        };
        let params: Vec<String> = if r[..close].trim().is_empty() {
            vec![]
        } else {
            r[..close].split(',').map(|p| p.trim().to_string()).collect()
        };
        if params.iter().any(|p| p.is_empty() || p.contains(char::is_whitespace)) {
            return c.err("bad parameter list");
        }
        c.pos += close + 1;
        c.expect("{")?;
        if !c.at_end() {
            return c.err(format!("expected the end of the line, found {}", c.found()));
        }
        self.name = Some(name.to_string());
        self.params = params;
        self.header_line = c.line;
        Ok(())
    }

    fn block_header(&mut self, mut c: Cur) -> PResult<()> {
        self.end_block(&c)?;
        let b = c.block()?;
        c.expect("(")?;
        let mut params = Vec::new();
        if !c.eat(")") {
            loop {
                let v = c.value()?;
                self.see(v);
                if c.eat(":") {
                    let t = c.type_text(&[',', ')'])?;
                    self.types.insert(v, t);
                }
                params.push(v);
                if c.eat(")") {
                    break;
                }
                c.expect(",")?;
            }
        }
        let handler = if c.eat("except") {
            let mut refs = std::mem::take(&mut self.refs);
            let e = c.edge(&mut refs);
            self.refs = refs;
            Some(e?)
        } else {
            None
        };
        c.expect(":")?;
        if !c.at_end() {
            return c.err(format!("expected the end of the line, found {}", c.found()));
        }
        let i = b.0 as usize;
        if self.blocks.len() <= i {
            self.blocks.resize(i + 1, None);
        }
        if self.blocks[i].is_some() {
            return c.err(format!("{b} is defined twice"));
        }
        self.blocks[i] = Some(BlockData {
            params,
            handler,
            insts: vec![],
            term: PLACEHOLDER_TERM,
            term_span: Span::default(),
        });
        self.cur = Some((b, false));
        Ok(())
    }

    fn inst(&mut self, mut c: Cur) -> PResult<()> {
        let Some((b, terminated)) = self.cur else {
            return c.err("an instruction outside a block");
        };
        if terminated {
            return c.err(format!("an instruction after the terminator of {b}"));
        }
        let mut result = None;
        if c.looking_at_value() {
            let v = c.value()?;
            self.see(v);
            if c.eat(":") {
                let t = c.type_text(&['='])?;
                self.types.insert(v, t);
            }
            c.expect("=")?;
            result = Some(v);
        }
        let save = c.pos;
        let kw = c.word();
        if result.is_none() {
            let mut refs = std::mem::take(&mut self.refs);
            let term = self.term(kw, &mut c, &mut refs);
            self.refs = refs;
            if let Some(term) = term? {
                let span = c.span_comment()?;
                for v in term.uses() {
                    self.see(v);
                }
                let data = self.cur_block(&c)?;
                data.term = term;
                data.term_span = span;
                self.cur = Some((b, true));
                return Ok(());
            }
        }
        let op = match kw {
            "const" => Op::Const(c.constant()?),
            "global" => Op::Global(c.string()?),
            "import" => Op::Import(c.string()?),
            "attr" => Op::Attr(c.string()?),
            "undef" => Op::Undef(c.string()?),
            "bound" => {
                let scope = if c.eat("free") {
                    ReadScope::Free
                } else if c.eat("comp") {
                    ReadScope::Comp
                } else {
                    ReadScope::Local
                };
                Op::Bound(c.string()?, scope)
            }
            "call" => Op::Call {
                kw: if c.eat("kw=") { c.string_list()? } else { vec![] },
            },
            "method" => {
                let name = c.string()?;
                let kw = if c.eat("kw=") { c.string_list()? } else { vec![] };
                Op::MethodCall { name, kw }
            }
            "bin" | "ibin" => {
                let n = c.word();
                let Some(op) = BinOp::from_name(n) else {
                    return c.err(format!("unknown binary operator `{n}`"));
                };
                Op::Bin {
                    op,
                    inplace: kw == "ibin",
                }
            }
            "unary" => {
                let n = c.word();
                let Some(u) = [UnaryOp::Neg, UnaryOp::Pos, UnaryOp::Invert, UnaryOp::Not]
                    .into_iter()
                    .find(|u| u.name() == n)
                else {
                    return c.err(format!("unknown unary operator `{n}`"));
                };
                Op::Unary(u)
            }
            "cmp" => {
                let n = c.word();
                let Some(op) = CmpOp::from_name(n) else {
                    return c.err(format!("unknown comparison `{n}`"));
                };
                Op::Cmp(op)
            }
            "truth" => Op::Truth,
            "tuple" => Op::Tuple,
            "list" => Op::List,
            "unpack" => Op::Unpack(c.number("a count")?),
            "star_items" => Op::StarItems,
            "tuple_get" => Op::TupleGet(c.number("an index")?),
            "getitem" => Op::GetItem,
            "setitem" => Op::SetItem,
            "delitem" => Op::DelItem,
            "setattr" => Op::SetAttr(c.string()?),
            "setshape" => Op::SetShape,
            "len" => Op::Len,
            "len_bound" => Op::LenBound,
            "range_len" => Op::RangeLen,
            "range_next" => Op::RangeNext,
            "slice" => Op::Slice,
            "nd_size" => Op::NdSize,
            "nd_index" => Op::NdIndex,
            "is" => Op::Is,
            "contains" => Op::Contains,
            "caught_exc" => Op::CaughtExc,
            "exc_match" => Op::ExcMatch,
            "raise_from" => Op::RaiseFrom,
            "exhausted" => Op::Exhausted {
                pep479: c.eat("pep479"),
            },
            "builtin" => Op::Builtin(c.string()?),
            "cell" => Op::Cell,
            "cell_set" => Op::CellSet,
            "lambda" => Op::Lambda {
                name: "<lambda>".into(),
                escapes: c.eat("escapes"),
                line: c.number("a line")?,
                index: c.number("an index")?,
                names: c.string_list()?,
            },
            "def" => Op::Lambda {
                escapes: c.eat("escapes"),
                name: c.string()?,
                line: c.number("a line")?,
                index: c.number("an index")?,
                names: c.string_list()?,
            },
            "" => {
                c.pos = save;
                return c.err(format!("expected an operation, found {}", c.found()));
            }
            k if result.is_some() && TERMS.contains(&k) => {
                return c.err(format!("the terminator `{k}` defines no value"));
            }
            k => return c.err(format!("unknown operation `{k}`")),
        };
        let args = c.values()?;
        let span = c.span_comment()?;
        check_arity(&op, kw, args.len()).or_else(|m| c.err(m))?;
        match (result.is_some(), op.has_result()) {
            (true, false) => return c.err(format!("`{kw}` defines no value")),
            (false, true) => return c.err(format!("`{kw}` needs a result (`vN = {kw} ...`)")),
            _ => {}
        }
        for a in &args {
            self.see(*a);
        }
        self.cur_block(&c)?.insts.push(Inst { result, op, args, span });
        Ok(())
    }

    /// Parses a terminator starting with keyword `kw`; `None` if `kw` is not one.
    fn term(&mut self, kw: &str, c: &mut Cur, refs: &mut Vec<(Block, usize)>) -> PResult<Option<Term>> {
        Ok(Some(match kw {
            "jump" => Term::Jump(c.edge(refs)?),
            "br" => {
                let v = c.value()?;
                c.expect(",")?;
                let a = c.edge(refs)?;
                c.expect(",")?;
                let b = c.edge(refs)?;
                Term::Br(v, a, b)
            }
            "return" => Term::Ret(c.value()?),
            "raise" => Term::Raise(c.value()?),
            "assert_fail" => {
                if c.looking_at_value() {
                    Term::AssertFail(Some(c.value()?))
                } else {
                    Term::AssertFail(None)
                }
            }
            "unreachable" => Term::Unreachable,
            "yield" => {
                let point = c.number::<u32>("a resume point")?;
                c.expect(",")?;
                let value = c.value()?;
                c.expect(",")?;
                let resume = c.edge(refs)?;
                Term::Yield { point, value, resume }
            }
            _ => return Ok(None),
        }))
    }

    fn finish(self, last: usize) -> PResult<Parsed> {
        let err = |line: usize, msg: String| Err(ParseError { line, msg });
        let Some(name) = self.name else {
            return err(last.max(1), "no function in the text".into());
        };
        if !self.closed {
            return err(last, "missing `}` at the end of the function".into());
        }
        if self.blocks.first().is_none_or(|b| b.is_none()) {
            return err(self.header_line, "the function has no entry block block0".into());
        }
        for (b, line) in &self.refs {
            if self.blocks.get(b.0 as usize).is_none_or(|d| d.is_none()) {
                return err(*line, format!("unknown block {b}"));
            }
        }
        let blocks: Vec<BlockData> = self
            .blocks
            .into_iter()
            .map(|b| {
                b.unwrap_or(BlockData {
                    params: vec![],
                    handler: None,
                    insts: vec![],
                    term: PLACEHOLDER_TERM,
                    term_span: Span::default(),
                })
            })
            .collect();
        let n = self.max_value.map_or(0, |m| m as usize + 1);
        Ok(Parsed {
            func: Function {
                name,
                params: self.params,
                shape: Default::default(),
                blocks,
                values: vec![ValueInfo::default(); n],
                span: Span::default(),
                inlines: Vec::new(),
            },
            types: self.types,
        })
    }
}

const TERMS: [&str; 7] = ["jump", "br", "return", "raise", "assert_fail", "unreachable", "yield"];

/// The number of arguments an operation takes: exact, or a minimum.
fn check_arity(op: &Op, kw: &str, n: usize) -> Result<(), String> {
    let exact = match op {
        Op::Const(_) | Op::Global(_) | Op::Import(_) | Op::Undef(_) | Op::CaughtExc | Op::Exhausted { .. } => Some(0),
        Op::Attr(_)
        | Op::Bound(..)
        | Op::Unary(_)
        | Op::Truth
        | Op::Unpack(_)
        | Op::StarItems
        | Op::TupleGet(_)
        | Op::Len
        | Op::LenBound
        | Op::NdSize => Some(1),
        Op::Bin { .. }
        | Op::Cmp(_)
        | Op::RangeNext
        | Op::Is
        | Op::Contains
        | Op::NdIndex
        | Op::SetAttr(_)
        | Op::SetShape => Some(2),
        Op::ExcMatch | Op::RaiseFrom => Some(2),
        Op::Slice => Some(3),
        Op::RangeLen => Some(4),
        Op::Tuple | Op::List | Op::Lambda { .. } | Op::Cell | Op::CellSet => None,
        Op::Call { .. } | Op::MethodCall { .. } | Op::GetItem | Op::SetItem | Op::DelItem | Op::Builtin(_) => None,
    };
    let min = match op {
        Op::Call { kw } | Op::MethodCall { kw, .. } => 1 + kw.len(),
        Op::GetItem | Op::Builtin(_) | Op::CellSet => 1,
        Op::DelItem => 2,
        Op::SetItem => 2,
        _ => 0,
    };
    match exact {
        Some(e) if e != n => Err(format!(
            "`{kw}` takes {e} argument{}, got {n}",
            if e == 1 { "" } else { "s" }
        )),
        None if n < min => Err(format!("`{kw}` takes at least {min} arguments, got {n}")),
        _ => Ok(()),
    }
}
