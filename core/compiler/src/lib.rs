//! pyston-compiler: everything between a function's syntax tree and machine
//! code, in pure Rust (no Python, no `unsafe`; `cargo test` runs it alone).
//!
//! Stages, one module each: [`hir`] (the front end's output) -> [`lower`]
//! (HIR -> SSA [`ir`], printed and parsed back as text) -> [`infer`] (types,
//! see [`types`] and [`dtype`]; the outside world behind the [`infer::Env`]
//! trait) -> the numeric tier's passes (in `pyston-numeric`, planned on the
//! typed IR) -> [`codegen`] (Cranelift). [`abi`] is what compiled code and the
//! runtime agree on, [`semantics`] the policy codegen follows (strict, the
//! opt-in relaxations, Numba's rules).

#![forbid(unsafe_code)]

pub mod abi;
pub mod codegen;
pub mod dtype;
pub mod error;
pub mod hir;
pub mod infer;
pub mod ir;
pub mod lower;
pub mod semantics;
pub mod types;

pub use semantics::Semantics;
