//! Strings: the native `str` operations (`len`, `s[i]`, comparisons, truth,
//! `is`) and string literals as constant objects. Every other operation on a
//! string is a call into CPython that inference recorded (`infer/strings.rs`).

use super::*;
use crate::infer::is_str;

impl Gen<'_, '_> {
    /// The constant object of string literal `s` (made by the runtime before
    /// codegen and kept alive by the compiled function).
    pub fn str_const(&mut self, s: &str) -> CResult<CV> {
        let p = *self
            .env
            .strs
            .get(s)
            .ok_or_else(|| internal(format!("string constant {s:?} has no object")))?;
        Ok(self.b.ins().iconst(clt::I64, p as i64))
    }

    /// The object pointer of a string value (a literal's constant object).
    fn str_ptr(&mut self, t: &Ty, v: &Vals) -> CResult<CV> {
        match t {
            Ty::Str(s) => self.str_const(s),
            Ty::PyStr => Ok(v[0]),
            t => Err(internal(format!("string operand of type {t}"))),
        }
    }

    /// `str(x)` of an int, float, bool or str, natively (`None`: another type).
    fn str_of(&mut self, x: &(Ty, Vals)) -> CResult<Option<CV>> {
        let (t, v) = x;
        let kind = match t {
            Ty::PyStr => return Ok(Some(v[0])),
            Ty::Int => 0,
            Ty::Float => 1,
            Ty::Bool => 2,
            _ => return Ok(None),
        };
        let w = match t {
            Ty::Float => self.b.ins().bitcast(clt::I64, MemFlagsData::new(), v[0]),
            Ty::Bool => self.b.ins().uextend(clt::I64, v[0]),
            _ => v[0],
        };
        if kind != 1 {
            // An int or a bool: its digits written natively.
            let p = self.build_words(&[(kind, w)])?;
            self.null_fails(p)?;
            return Ok(Some(p));
        }
        let ctx = self.ctx.unwrap();
        let k = self.b.ins().iconst(clt::I32, kind);
        let p = self.call("pyston_str_from", &[ctx, k, w])?[0];
        self.null_fails(p)?;
        Ok(Some(p))
    }

    /// A NULL object pointer from a helper: its exception is raised here.
    fn null_fails(&mut self, p: CV) -> CResult<()> {
        let st = self.b.ins().icmp_imm_s(IntCC::Equal, p, 0);
        let st = self.b.ins().uextend(clt::I32, st);
        self.list_status(st)
    }

    fn str_len(&mut self, s: CV) -> CResult<CV> {
        if self.env.str_layout.is_some() {
            let head = MemFlagsData::trusted().with_readonly().with_can_move();
            return Ok(self.b.ins().load(clt::I64, head, s, abi::STR_LENGTH_OFFSET));
        }
        Ok(self.call("pyston_str_len", &[s])?[0])
    }

    /// The native string operations (inference recorded a call into Python for the others).
    pub fn str_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)]) -> CResult<Option<Vals>> {
        let first = args.first().is_some_and(|(t, _)| is_str(t));
        let all = !args.is_empty() && args.iter().all(|(t, _)| is_str(t));
        Ok(Some(match &inst.op {
            Op::Len if first => {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                vec![self.str_len(s)?]
            }
            Op::Call { kw }
                if kw.is_empty()
                    && args.len() == 2
                    && matches!(args[0].0, Ty::Builtin(Builtin::Len))
                    && is_str(&args[1].0) =>
            {
                let s = self.str_ptr(&args[1].0, &args[1].1)?;
                vec![self.str_len(s)?]
            }
            Op::Call { kw }
                if kw.is_empty()
                    && args.len() == 2
                    && matches!(args[0].0, Ty::Builtin(Builtin::Bool))
                    && is_str(&args[1].0) =>
            {
                let s = self.str_ptr(&args[1].0, &args[1].1)?;
                let n = self.str_len(s)?;
                vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, n, 0)]
            }
            Op::Truth | Op::Unary(UnaryOp::Not) if first => {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let n = self.str_len(s)?;
                let cc = if inst.op == Op::Truth {
                    IntCC::NotEqual
                } else {
                    IntCC::Equal
                };
                vec![self.b.ins().icmp_imm_s(cc, n, 0)]
            }
            Op::GetItem if first && args.len() == 2 && matches!(args[1].0, Ty::Int | Ty::Bool) => {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let i = match args[1].0 {
                    Ty::Bool => self.b.ins().uextend(clt::I64, args[1].1[0]),
                    _ => args[1].1[0],
                };
                let ctx = self.ctx.unwrap();
                let p = self.call("pyston_str_getitem", &[ctx, s, i])?[0];
                self.null_fails(p)?;
                vec![p]
            }
            Op::GetItem if first && args.len() == 2 && crate::infer::native_slice(&args[1].0) => {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let Ty::Slice(parts) = &args[1].0 else { unreachable!() };
                let v = &args[1].1;
                let mut bound = |k: usize, off: usize| -> (CV, CV) {
                    match parts[k] {
                        Ty::NoneT => (self.b.ins().iconst(clt::I64, 0), self.b.ins().iconst(clt::I32, 0)),
                        Ty::Bool => (self.b.ins().uextend(clt::I64, v[off]), self.b.ins().iconst(clt::I32, 1)),
                        _ => (v[off], self.b.ins().iconst(clt::I32, 1)),
                    }
                };
                let n0 = abi::slot_count(&parts[0]);
                let (lo, has_lo) = bound(0, 0);
                let (hi, has_hi) = bound(1, n0);
                let ctx = self.ctx.unwrap();
                let p = self.call("pyston_str_slice", &[ctx, s, lo, has_lo, hi, has_hi])?[0];
                self.null_fails(p)?;
                vec![p]
            }
            Op::MethodCall { name, kw }
                if kw.is_empty() && args.len() == 2 && {
                    let ts: Vec<Ty> = args.iter().map(|a| a.0.clone()).collect();
                    crate::infer::search_op(name, &ts).is_some()
                } =>
            {
                let ts: Vec<Ty> = args.iter().map(|a| a.0.clone()).collect();
                let op = crate::infer::search_op(name, &ts).unwrap_or(0);
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let sub = self.str_ptr(&args[1].0, &args[1].1)?;
                let ctx = self.ctx.unwrap();
                let k = self.b.ins().iconst(clt::I32, op as i64);
                let r = self.call("pyston_str_search", &[ctx, k, s, sub])?[0];
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, i64::MIN);
                let st = self.b.ins().uextend(clt::I32, failed);
                self.list_status(st)?;
                if op < 2 {
                    vec![self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0)]
                } else {
                    vec![r]
                }
            }
            Op::Cmp(c) if all && args.len() == 2 => {
                let a = self.str_ptr(&args[0].0, &args[0].1)?;
                let b = self.str_ptr(&args[1].0, &args[1].1)?;
                // CPython's rich-comparison opcodes: Py_LT 0, Py_LE 1, Py_EQ 2, Py_NE 3, Py_GT 4, Py_GE 5.
                let code = match c {
                    CmpOp::Lt => 0,
                    CmpOp::Le => 1,
                    CmpOp::Eq => 2,
                    CmpOp::Ne => 3,
                    CmpOp::Gt => 4,
                    CmpOp::Ge => 5,
                };
                let code = self.b.ins().iconst(clt::I32, code);
                let ctx = self.ctx.unwrap();
                let r = self.call("pyston_str_cmp", &[ctx, a, b, code])?[0];
                self.fail_if_negative(r)?;
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, r, 1)]
            }
            Op::Contains if all && args.len() == 2 => {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let x = self.str_ptr(&args[1].0, &args[1].1)?;
                let ctx = self.ctx.unwrap();
                let r = self.call("pyston_str_contains", &[ctx, s, x])?[0];
                self.fail_if_negative(r)?;
                vec![self.b.ins().icmp_imm_s(IntCC::Equal, r, 1)]
            }
            Op::Bin { op: BinOp::Add, .. } if all && args.len() == 2 => {
                let a = self.str_ptr(&args[0].0, &args[0].1)?;
                let b = self.str_ptr(&args[1].0, &args[1].1)?;
                let ctx = self.ctx.unwrap();
                let p = self.call("pyston_str_concat", &[ctx, a, b])?[0];
                self.null_fails(p)?;
                vec![p]
            }
            Op::Call { kw } if kw.is_empty() && args.len() == 2 && matches!(args[0].0, Ty::Builtin(Builtin::Str)) => {
                match self.str_of(&args[1])? {
                    Some(p) => vec![p],
                    None => return Ok(None),
                }
            }
            Op::MethodCall { name, kw }
                if kw.is_empty() && args.len() == 2 && {
                    let ts: Vec<Ty> = args.iter().map(|a| a.0.clone()).collect();
                    crate::infer::plain_format(name, &ts)
                } =>
            {
                match self.str_of(&args[1])? {
                    Some(p) => vec![p],
                    None => return Ok(None),
                }
            }
            Op::Call { kw }
                if kw.is_empty()
                    && args.len() == 2
                    && matches!(args[0].0, Ty::Builtin(Builtin::Int))
                    && args[1].0 == Ty::PyStr =>
            {
                let out = self.stack(8);
                let ctx = self.ctx.unwrap();
                let st = self.call("pyston_str_to_int", &[ctx, args[1].1[0], out])?[0];
                self.list_status(st)?;
                vec![self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0)]
            }
            Op::Is if all && args.len() == 2 => {
                let a = self.str_ptr(&args[0].0, &args[0].1)?;
                let b = self.str_ptr(&args[1].0, &args[1].1)?;
                vec![self.b.ins().icmp(IntCC::Equal, a, b)]
            }
            _ => return Ok(None),
        }))
    }
}

/// One part of a string built at once (see [`Gen::plan_strings`]): a
/// literal's text, or `str(v)` of an int, float, bool or run-time string.
#[derive(Clone, Debug)]
pub enum Piece {
    Lit(String),
    Val(Ty, Value),
}

/// The piece kinds `pyston_str_build` reads (with the piece's word).
const PIECE_INT: i64 = 0;
const PIECE_FLOAT: i64 = 1;
const PIECE_BOOL: i64 = 2;
const PIECE_STR: i64 = 3;

/// The ASCII characters (a 128-bit set, low word first) for which the `str`
/// method `abi::CHAR_METHODS[k]` is true of a one-character string; the
/// methods read no Unicode tables for these (CPython's `_Py_ascii_whitespace`
/// and `Py_ISALPHA`/`Py_ISDIGIT`...).
fn ascii_class(k: usize) -> [u64; 2] {
    let mut m = [0u64; 2];
    for c in 0u8..128 {
        let ch = c as char;
        let yes = match abi::CHAR_METHODS[k] {
            "isdigit" | "isdecimal" | "isnumeric" => ch.is_ascii_digit(),
            "isalpha" => ch.is_ascii_alphabetic(),
            "isalnum" => ch.is_ascii_alphanumeric(),
            // \t \n \v \f \r, the separators \x1c-\x1f and space.
            "isspace" => matches!(c, 9..=13 | 28..=32),
            "isupper" | "istitle" => ch.is_ascii_uppercase(),
            "islower" => ch.is_ascii_lowercase(),
            "isprintable" => (32..127).contains(&c),
            "isidentifier" => ch.is_ascii_alphabetic() || ch == '_',
            _ => true, // isascii
        };
        if yes {
            m[(c / 64) as usize] |= 1 << (c % 64);
        }
    }
    m
}

impl Gen<'_, '_> {
    /// Whether operand `pos` of `inst` only reads the character of a
    /// one-character string: `ch in "lit"`, `ch OP "lit"`, `ord(ch)`, `ch.isdigit()`...
    fn char_use(&self, inst: &ir::Inst, pos: usize) -> bool {
        let ty = |k: usize| self.ty(inst.args[k]);
        let n = inst.args.len();
        match &inst.op {
            Op::Contains => n == 2 && pos == 1 && is_str(&ty(0)),
            Op::Cmp(_) => n == 2 && is_str(&ty(1 - pos)),
            Op::Call { kw } => {
                kw.is_empty() && n == 2 && pos == 1 && matches!(ty(0), Ty::Builtin(Builtin::Ord | Builtin::Int))
            }
            Op::MethodCall { name, kw } => kw.is_empty() && n == 1 && abi::CHAR_METHODS.contains(&name.as_str()),
            _ => false,
        }
    }

    /// A string-building node: `a + b` of two strings, or `str(x)` /
    /// `"{}".format(x)` of an int, float, bool or string. Returns its
    /// operands as pieces (a node's own string operands are looked up later).
    fn build_node(&self, inst: &ir::Inst) -> Option<Vec<Piece>> {
        let ty = |k: usize| self.ty(inst.args[k]);
        let val = |k: usize| -> Option<Piece> {
            match ty(k) {
                Ty::Str(s) => Some(Piece::Lit(s)),
                t @ (Ty::Int | Ty::Float | Ty::Bool | Ty::PyStr) => Some(Piece::Val(t, inst.args[k])),
                _ => None,
            }
        };
        match &inst.op {
            Op::Bin { op: BinOp::Add, .. } if inst.args.len() == 2 && is_str(&ty(0)) && is_str(&ty(1)) => {
                Some(vec![val(0)?, val(1)?])
            }
            Op::Call { kw } if kw.is_empty() && inst.args.len() == 2 && matches!(ty(0), Ty::Builtin(Builtin::Str)) => {
                Some(vec![val(1)?])
            }
            Op::MethodCall { name, kw } if kw.is_empty() && inst.args.len() == 2 => {
                let ts = [ty(0), ty(1)];
                crate::infer::plain_format(name, &ts)
                    .then(|| val(1))
                    .flatten()
                    .map(|p| vec![p])
            }
            _ => None,
        }
    }

    /// Finds the one-character strings held as code points and the strings
    /// built at once (before emission).
    pub fn plan_strings(&mut self) {
        // A generator's suspended values are resumed as objects: keep them objects.
        if self.f.blocks.iter().any(|d| matches!(d.term, Term::Yield { .. })) {
            return;
        }
        self.plan_splits();
        let mut friendly: HashMap<Value, usize> = HashMap::new();
        for d in &self.f.blocks {
            for inst in &d.insts {
                for (pos, a) in inst.args.iter().enumerate() {
                    if self.char_use(inst, pos) {
                        *friendly.entry(*a).or_default() += 1;
                    }
                }
            }
        }
        for d in &self.f.blocks {
            for inst in &d.insts {
                let Some(r) = inst.result else { continue };
                if inst.op == Op::GetItem
                    && inst.args.len() == 2
                    && self.ty(r) == Ty::PyStr
                    && is_str(&self.ty(inst.args[0]))
                    && matches!(self.ty(inst.args[1]), Ty::Int | Ty::Bool)
                    && friendly.get(&r).is_some_and(|n| Some(n) == self.use_counts.get(&r))
                {
                    self.chars.insert(r);
                }
            }
        }
        // Strings built by a chain of `+` (f-strings are lowered to one): each
        // intermediate string used once, by the next `+` in the same block, is
        // not made; the last `+` makes the whole string in one helper call.
        for d in &self.f.blocks {
            let mut nodes: HashMap<Value, usize> = HashMap::new();
            for (k, inst) in d.insts.iter().enumerate() {
                if let (Some(r), Some(_)) = (inst.result, self.build_node(inst)) {
                    nodes.insert(r, k);
                }
            }
            for inst in &d.insts {
                let Some(pieces) = self.build_node(inst) else { continue };
                if !matches!(inst.op, Op::Bin { .. }) {
                    continue;
                }
                for p in pieces {
                    if let Piece::Val(Ty::PyStr, v) = p {
                        if nodes.contains_key(&v) && self.use_counts.get(&v) == Some(&1) && !self.chars.contains(&v) {
                            self.lazy_strs.insert(v, vec![]);
                        }
                    }
                }
            }
            // The pieces of each lazy string, operands first (definition order).
            let mut order: Vec<(usize, Value)> = nodes.iter().map(|(v, k)| (*k, *v)).collect();
            order.sort();
            for (k, v) in order {
                if !self.lazy_strs.contains_key(&v) {
                    continue;
                }
                let pieces = self.build_node(&d.insts[k]).unwrap_or_default();
                let flat = self.flatten(&pieces);
                self.lazy_strs.insert(v, flat);
            }
        }
    }

    /// `for p in s.split(sep)` (`sep` a non-empty literal) where the list has
    /// no other use and each `p` is only read by `int(p)`.
    fn plan_splits(&mut self) {
        let mut lens: HashMap<Value, usize> = HashMap::new();
        let mut reads: HashMap<Value, Vec<(Value, Value)>> = HashMap::new();
        let mut ints: HashMap<Value, usize> = HashMap::new();
        for d in &self.f.blocks {
            for inst in &d.insts {
                match &inst.op {
                    Op::Len | Op::LenBound if inst.args.len() == 1 => *lens.entry(inst.args[0]).or_default() += 1,
                    Op::GetItem if inst.args.len() == 2 => {
                        if let Some(r) = inst.result {
                            reads.entry(inst.args[0]).or_default().push((inst.args[1], r));
                        }
                    }
                    Op::Call { kw }
                        if kw.is_empty()
                            && inst.args.len() == 2
                            && matches!(self.ty(inst.args[0]), Ty::Builtin(Builtin::Int)) =>
                    {
                        *ints.entry(inst.args[1]).or_default() += 1
                    }
                    _ => {}
                }
            }
        }
        for d in &self.f.blocks {
            for inst in &d.insts {
                let (Some(l), Op::MethodCall { name, kw }) = (inst.result, &inst.op) else {
                    continue;
                };
                if name != "split"
                    || !kw.is_empty()
                    || inst.args.len() != 2
                    || !is_str(&self.ty(inst.args[0]))
                    || !matches!(self.ty(inst.args[1]), Ty::Str(ref sep) if !sep.is_empty())
                    || self.ty(l) != Ty::List(Box::new(Ty::PyStr))
                    || self.use_counts.get(&l) != Some(&2)
                    || lens.get(&l) != Some(&1)
                {
                    continue;
                }
                let Some([(k, p)]) = reads.get(&l).map(|v| v.as_slice()) else {
                    continue;
                };
                if !self.loop_items.contains_key(&(l, *k))
                    || self.ty(*p) != Ty::PyStr
                    || ints.get(p).is_none_or(|n| Some(n) != self.use_counts.get(p))
                {
                    continue;
                }
                self.split_lists.insert(l);
                self.split_items.insert(*p);
            }
        }
    }

    /// `pieces` with each lazy string replaced by its own pieces.
    fn flatten(&self, pieces: &[Piece]) -> Vec<Piece> {
        let mut out = Vec::new();
        for p in pieces {
            match p {
                Piece::Val(Ty::PyStr, v) if self.lazy_strs.contains_key(v) => out.extend(self.lazy_strs[v].clone()),
                p => out.push(p.clone()),
            }
        }
        out
    }

    /// A live value as stored for the interpreter: a code point or a lazy
    /// string is made into its `str` object here (NULL, with the exception
    /// set, when that failed: the runtime raises it).
    pub fn deopt_val(&mut self, v: Value) -> CResult<Vals> {
        if let Some(&(_, count)) = self.stack_arrays.get(&v) {
            return self.stack_array_object(v, count);
        }
        if self.chars.contains(&v) {
            let cp = self.exit_val(v)?[0];
            let ctx = self.ctx.unwrap();
            return Ok(vec![self.call("pyston_char_box", &[ctx, cp])?[0]]);
        }
        if let Some(pieces) = self.lazy_strs.get(&v).cloned() {
            return Ok(vec![self.build(&pieces, true)?]);
        }
        if self.split_lists.contains(&v) {
            let state = self.exit_val(v)?[0];
            let ctx = self.ctx.unwrap();
            return Ok(vec![self.call("pyston_split_list", &[ctx, state])?[0]]);
        }
        if self.split_items.contains(&v) {
            let x = self.exit_val(v)?;
            let list = self.split_list_of(v)?;
            let state = self.exit_val(list)?[0];
            let ctx = self.ctx.unwrap();
            return Ok(vec![self.call("pyston_split_piece", &[ctx, state, x[0], x[1]])?[0]]);
        }
        self.exit_val(v)
    }

    /// The string of `pieces`, made by one `pyston_str_build` call: a new
    /// reference kept by the arena, or NULL with the exception set (checked
    /// by the caller).
    fn build(&mut self, pieces: &[Piece], cold: bool) -> CResult<CV> {
        let mut words = Vec::with_capacity(pieces.len());
        for p in pieces {
            words.push(match p {
                Piece::Lit(s) => (PIECE_STR, self.str_const(s)?),
                Piece::Val(t, v) => {
                    let x = if cold { self.exit_val(*v)? } else { self.use_val(*v)? };
                    match t {
                        Ty::Int => (PIECE_INT, x[0]),
                        Ty::Float => (PIECE_FLOAT, self.b.ins().bitcast(clt::I64, MemFlagsData::new(), x[0])),
                        Ty::Bool => (PIECE_BOOL, self.b.ins().uextend(clt::I64, x[0])),
                        _ => (PIECE_STR, x[0]),
                    }
                }
            });
        }
        self.build_words(&words)
    }

    /// `pyston_str_build` of (kind, word) pieces.
    fn build_words(&mut self, words: &[(i64, CV)]) -> CResult<CV> {
        let buf = self.stack(16 * words.len() as u32);
        for (i, &(kind, word)) in words.iter().enumerate() {
            let k = self.b.ins().iconst(clt::I64, kind);
            self.b.ins().store(MemFlagsData::trusted(), k, buf, 16 * i as i32);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), word, buf, 16 * i as i32 + 8);
        }
        let n = self.b.ins().iconst(clt::I64, words.len() as i64);
        let ctx = self.ctx.unwrap();
        Ok(self.call("pyston_str_build", &[ctx, buf, n])?[0])
    }

    /// Instructions on lazy strings and one-character strings held as code
    /// points (before the calls into Python inference recorded for them).
    pub fn char_inst(&mut self, inst: &ir::Inst, args: &[(Ty, Vals)]) -> CResult<Option<Vals>> {
        if let Some(r) = inst.result {
            if self.split_lists.contains(&r) {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let sep = self.str_ptr(&args[1].0, &args[1].1)?;
                let state = self.stack(8 * abi::SPLIT_WORDS);
                let ctx = self.ctx.unwrap();
                let st = self.call("pyston_split_init", &[ctx, s, sep, state])?[0];
                self.list_status(st)?;
                return Ok(Some(vec![state]));
            }
            if self.split_items.contains(&r) {
                let state = args[0].1[0];
                let start = self.call("pyston_split_next", &[state, args[1].1[0]])?[0];
                let end = self
                    .b
                    .ins()
                    .load(clt::I64, MemFlagsData::trusted(), state, abi::SPLIT_END);
                return Ok(Some(vec![start, end]));
            }
            if matches!(inst.op, Op::Call { .. }) && inst.args.len() == 2 && self.split_items.contains(&inst.args[1]) {
                let list = self.split_list_of(inst.args[1])?;
                let state = self.use_val(list)?[0];
                let out = self.stack(8);
                let ctx = self.ctx.unwrap();
                let x = &args[1].1;
                let st = self.call("pyston_split_int", &[ctx, state, x[0], x[1], out])?[0];
                self.list_status(st)?;
                return Ok(Some(vec![self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0)]));
            }
            if self.lazy_strs.contains_key(&r) {
                return Ok(Some(vec![])); // made by the instruction using it
            }
            if self.chars.contains(&r) {
                let s = self.str_ptr(&args[0].0, &args[0].1)?;
                let i = match args[1].0 {
                    Ty::Bool => self.b.ins().uextend(clt::I64, args[1].1[0]),
                    _ => args[1].1[0],
                };
                return Ok(Some(vec![self.char_at(s, i)?]));
            }
            if let Some(pieces) = self.build_node(inst) {
                if matches!(inst.op, Op::Bin { .. })
                    && pieces
                        .iter()
                        .any(|p| matches!(p, Piece::Val(_, v) if self.lazy_strs.contains_key(v)))
                {
                    let flat = self.flatten(&pieces);
                    let p = self.build(&flat, false)?;
                    self.null_fails(p)?;
                    return Ok(Some(vec![p]));
                }
            }
        }
        let Some(pos) = inst.args.iter().position(|a| self.chars.contains(a)) else {
            return Ok(None);
        };
        let cp = args[pos].1[0];
        Ok(Some(match &inst.op {
            Op::Contains => {
                let Ty::Str(set) = &args[0].0 else {
                    // A run-time string: CPython's search for the character.
                    let s = args[0].1[0];
                    let r = self.call("pyston_str_has_char", &[s, cp])?[0];
                    return Ok(Some(vec![self.b.ins().icmp_imm_u(IntCC::Equal, r, 1)]));
                };
                vec![self.char_in(cp, set)]
            }
            Op::Cmp(c) => {
                let other = inst.args[1 - pos];
                if self.chars.contains(&other) {
                    // Two characters: their code points.
                    let (a, b) = (args[0].1[0], args[1].1[0]);
                    let cc = match c {
                        CmpOp::Eq => IntCC::Equal,
                        CmpOp::Ne => IntCC::NotEqual,
                        CmpOp::Lt => IntCC::UnsignedLessThan,
                        CmpOp::Le => IntCC::UnsignedLessThanOrEqual,
                        CmpOp::Gt => IntCC::UnsignedGreaterThan,
                        CmpOp::Ge => IntCC::UnsignedGreaterThanOrEqual,
                    };
                    return Ok(Some(vec![self.b.ins().icmp(cc, a, b)]));
                }
                let Ty::Str(lit) = &args[1 - pos].0 else {
                    // A run-time string: compared by the runtime (as `ch OP other`).
                    let code = match (c, pos) {
                        (CmpOp::Lt, 0) | (CmpOp::Gt, 1) => 0,
                        (CmpOp::Le, 0) | (CmpOp::Ge, 1) => 1,
                        (CmpOp::Eq, _) => 2,
                        (CmpOp::Ne, _) => 3,
                        (CmpOp::Gt, 0) | (CmpOp::Lt, 1) => 4,
                        _ => 5,
                    };
                    let o = args[1 - pos].1[0];
                    let code = self.b.ins().iconst(clt::I32, code);
                    let r = self.call("pyston_char_cmp", &[cp, o, code])?[0];
                    return Ok(Some(vec![self.b.ins().icmp_imm_u(IntCC::Equal, r, 1)]));
                };
                // As `ch OP lit`.
                let c = if pos == 0 {
                    *c
                } else {
                    match c {
                        CmpOp::Lt => CmpOp::Gt,
                        CmpOp::Le => CmpOp::Ge,
                        CmpOp::Gt => CmpOp::Lt,
                        CmpOp::Ge => CmpOp::Le,
                        c => *c,
                    }
                };
                vec![self.char_cmp(cp, c, lit)]
            }
            Op::Call { .. } if matches!(args[0].0, Ty::Builtin(Builtin::Int)) => vec![self.char_int(cp)?],
            Op::Call { .. } => vec![cp],
            Op::MethodCall { name, .. } => {
                let k = abi::CHAR_METHODS
                    .iter()
                    .position(|m| m == name)
                    .ok_or_else(|| internal("char method"))?;
                vec![self.char_is(cp, k)?]
            }
            _ => return Err(internal("a one-character string's use")),
        }))
    }

    /// The split list item `p` was read from.
    fn split_list_of(&self, p: Value) -> CResult<Value> {
        let &(b, k) = self.defs.get(&p).ok_or_else(|| internal("split item"))?;
        Ok(self.f.block(b).insts[k].args[0])
    }

    /// `int(ch)`: an ASCII digit's value inline; any other character by
    /// CPython's `int` of its string (other decimal digits, or CPython's
    /// `ValueError`).
    fn char_int(&mut self, cp: CV) -> CResult<CV> {
        let d = self.b.ins().iadd_imm_s(cp, -48);
        let digit = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, d, 10);
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, clt::I64);
        self.b.ins().brif(digit, done, &[BlockArg::Value(d)], slow, &[]);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let ctx = self.ctx.unwrap();
        let out = self.stack(8);
        let st = self.call("pyston_char_to_int", &[ctx, cp, out])?[0];
        self.list_status(st)?;
        let v = self.b.ins().load(clt::I64, MemFlagsData::trusted(), out, 0);
        self.b.ins().jump(done, &[BlockArg::Value(v)]);
        self.b.switch_to_block(done);
        Ok(self.b.block_params(done)[0])
    }

    /// `ch in set` of a code point and a literal.
    fn char_in(&mut self, cp: CV, set: &str) -> CV {
        let mut mask = [0u64; 2];
        let mut others: Vec<u32> = Vec::new();
        for c in set.chars() {
            let c = c as u32;
            if c < 128 {
                mask[(c / 64) as usize] |= 1 << (c % 64);
            } else if !others.contains(&c) {
                others.push(c);
            }
        }
        let mut r = self.ascii_in(cp, mask);
        for c in others {
            let eq = self.b.ins().icmp_imm_u(IntCC::Equal, cp, c as i64);
            r = self.b.ins().bor(r, eq);
        }
        r
    }

    /// Whether code point `cp` is an ASCII character of the 128-bit set `mask` (an i8 0/1).
    fn ascii_in(&mut self, cp: CV, mask: [u64; 2]) -> CV {
        if mask == [0, 0] {
            return self.b.ins().iconst(clt::I8, 0);
        }
        let lo = self.b.ins().iconst(clt::I64, mask[0] as i64);
        let hi = self.b.ins().iconst(clt::I64, mask[1] as i64);
        let low_half = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, cp, 64);
        let m = self.b.ins().select(low_half, lo, hi);
        let sh = self.b.ins().band_imm_u(cp, 63);
        let bit = self.b.ins().ushr(m, sh);
        let bit = self.b.ins().band_imm_u(bit, 1);
        let ascii = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, cp, 128);
        let bit = self.b.ins().icmp_imm_u(IntCC::NotEqual, bit, 0);
        self.b.ins().band(ascii, bit)
    }

    /// `ch OP lit`: the one-character string of code point `cp` against a
    /// literal, as CPython compares strings (by code points, then length).
    fn char_cmp(&mut self, cp: CV, c: CmpOp, lit: &str) -> CV {
        let mut it = lit.chars();
        let Some(first) = it.next() else {
            // A character is greater than "".
            let yes = matches!(c, CmpOp::Ne | CmpOp::Gt | CmpOp::Ge);
            return self.b.ins().iconst(clt::I8, yes as i64);
        };
        let f = first as u32 as i64;
        let longer = it.next().is_some();
        let cc = |c: CmpOp| match c {
            CmpOp::Eq => IntCC::Equal,
            CmpOp::Ne => IntCC::NotEqual,
            CmpOp::Lt => IntCC::UnsignedLessThan,
            CmpOp::Le => IntCC::UnsignedLessThanOrEqual,
            CmpOp::Gt => IntCC::UnsignedGreaterThan,
            CmpOp::Ge => IntCC::UnsignedGreaterThanOrEqual,
        };
        if !longer {
            return self.b.ins().icmp_imm_u(cc(c), cp, f);
        }
        // `ch` is a proper prefix of `lit` when its character is lit's first: smaller.
        match c {
            CmpOp::Eq => self.b.ins().iconst(clt::I8, 0),
            CmpOp::Ne => self.b.ins().iconst(clt::I8, 1),
            CmpOp::Lt | CmpOp::Le => self.b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, cp, f),
            CmpOp::Gt | CmpOp::Ge => self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, cp, f),
        }
    }

    /// `ch.isdigit()` (method `abi::CHAR_METHODS[k]`): inline for ASCII, by
    /// CPython's method on the character otherwise.
    fn char_is(&mut self, cp: CV, k: usize) -> CResult<CV> {
        let ascii = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, cp, 128);
        if abi::CHAR_METHODS[k] == "isascii" {
            return Ok(ascii);
        }
        let fast = self.ascii_in(cp, ascii_class(k));
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, clt::I8);
        self.b.ins().brif(ascii, done, &[BlockArg::Value(fast)], slow, &[]);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let ctx = self.ctx.unwrap();
        let kk = self.b.ins().iconst(clt::I32, k as i64);
        let r = self.call("pyston_char_is", &[ctx, kk, cp])?[0];
        self.fail_if_negative(r)?;
        let r = self.b.ins().icmp_imm_u(IntCC::Equal, r, 1);
        self.b.ins().jump(done, &[BlockArg::Value(r)]);
        self.b.switch_to_block(done);
        Ok(self.b.block_params(done)[0])
    }

    /// The code point of `s[i]` (`i` counts from the end when negative;
    /// CPython's `IndexError` out of range).
    fn char_at(&mut self, s: CV, i: CV) -> CResult<CV> {
        let head = MemFlagsData::trusted().with_readonly().with_can_move();
        let n = match self.env.str_layout {
            Some(_) => self.b.ins().load(clt::I64, head, s, abi::STR_LENGTH_OFFSET),
            None => self.str_len(s)?,
        };
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
        let wrapped = self.b.ins().iadd(i, n);
        let j = self.b.ins().select(neg, wrapped, i);
        let out = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, j, n);
        let bad = self.b.create_block();
        let ok = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, clt::I64);
        self.b.ins().brif(out, bad, &[], ok, &[]);
        self.b.switch_to_block(bad);
        self.b.set_cold_block(bad);
        // CPython's IndexError, by its own `s[i]` (which fails here).
        let ctx = self.ctx.unwrap();
        let p = self.call("pyston_str_getitem", &[ctx, s, i])?[0];
        self.null_fails(p)?;
        let zero = self.b.ins().iconst(clt::I64, 0);
        self.b.ins().jump(done, &[BlockArg::Value(zero)]);
        self.b.switch_to_block(ok);
        let Some(l) = self.env.str_layout else {
            let r = self.call("pyston_str_read_char", &[s, j])?[0];
            self.b.ins().jump(done, &[BlockArg::Value(r)]);
            self.b.switch_to_block(done);
            return Ok(self.b.block_params(done)[0]);
        };
        let state = self.b.ins().load(clt::I32, head, s, l.state);
        let compact = self.b.ins().band_imm_u(state, 1 << 5);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.ins().brif(compact, fast, &[], slow, &[]);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let r = self.call("pyston_str_read_char", &[s, j])?[0];
        self.b.ins().jump(done, &[BlockArg::Value(r)]);
        self.b.switch_to_block(fast);
        let ascii = self.b.ins().band_imm_u(state, 1 << 6);
        let a_off = self.b.ins().iconst(clt::I64, l.ascii_data as i64);
        let c_off = self.b.ins().iconst(clt::I64, l.compact_data as i64);
        let off = self.b.ins().select(ascii, a_off, c_off);
        let base = self.b.ins().iadd(s, off);
        let kind = self.b.ins().ushr_imm_u(state, 2);
        let kind = self.b.ins().band_imm_u(kind, 7);
        let data = MemFlagsData::trusted().with_readonly();
        let k1 = self.b.create_block();
        let k24 = self.b.create_block();
        let k2 = self.b.create_block();
        let k4 = self.b.create_block();
        let is1 = self.b.ins().icmp_imm_u(IntCC::Equal, kind, 1);
        self.b.ins().brif(is1, k1, &[], k24, &[]);
        self.b.switch_to_block(k1);
        let a = self.b.ins().iadd(base, j);
        let c = self.b.ins().uload8(clt::I64, data, a, 0);
        self.b.ins().jump(done, &[BlockArg::Value(c)]);
        self.b.switch_to_block(k24);
        let is2 = self.b.ins().icmp_imm_u(IntCC::Equal, kind, 2);
        self.b.ins().brif(is2, k2, &[], k4, &[]);
        self.b.switch_to_block(k2);
        let o = self.b.ins().ishl_imm_u(j, 1);
        let a = self.b.ins().iadd(base, o);
        let c = self.b.ins().uload16(clt::I64, data, a, 0);
        self.b.ins().jump(done, &[BlockArg::Value(c)]);
        self.b.switch_to_block(k4);
        let o = self.b.ins().ishl_imm_u(j, 2);
        let a = self.b.ins().iadd(base, o);
        let c = self.b.ins().uload32(data, a, 0);
        self.b.ins().jump(done, &[BlockArg::Value(c)]);
        self.b.switch_to_block(done);
        Ok(self.b.block_params(done)[0])
    }
}
