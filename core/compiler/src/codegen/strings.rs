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
