//! What the numeric tier's code generation uses from the compiler and Cranelift.

#![allow(unused_imports)]

pub use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
pub use cranelift_codegen::ir::{
    self as clir, types as clt, AbiParam, BlockArg, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind,
};
pub use pyston_compiler::abi::{self, SlotTy};
pub use pyston_compiler::codegen::{cl_ty, float_cc, internal, Gen, Vals, CB, CV, TV};
pub use pyston_compiler::dtype::{Dtype, Kind, Layout};
pub use pyston_compiler::error::{CResult, CompileError};
pub use pyston_compiler::hir::{BinOp, CmpOp, Span, UnaryOp};
pub use pyston_compiler::infer::{GlobalKind, Typed};
pub use pyston_compiler::ir::{self, Block, Const, Op, Term, Value};
pub use pyston_compiler::types::*;
pub use std::collections::{HashMap, HashSet};
