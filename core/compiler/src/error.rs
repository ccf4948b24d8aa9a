//! Compile errors. Every error carries the span of the user's code it is
//! about; `Unsupported` (the user's code uses something pyston does not do
//! yet) and `Internal` (a bug in pyston) are kept apart.

use crate::hir::Span;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Syntax or a construct pyston does not compile yet.
    Unsupported,
    /// Types that compiled code cannot handle (the interpreter tier can).
    Typing,
    /// A bug in pyston.
    Internal,
}

#[derive(Clone, Debug)]
pub struct CompileError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
}

impl CompileError {
    pub fn unsupported(span: Span, message: impl Into<String>) -> Self {
        CompileError {
            kind: ErrorKind::Unsupported,
            message: message.into(),
            span: Some(span),
        }
    }
    pub fn typing(span: Span, message: impl Into<String>) -> Self {
        CompileError {
            kind: ErrorKind::Typing,
            message: message.into(),
            span: Some(span),
        }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        CompileError {
            kind: ErrorKind::Internal,
            message: message.into(),
            span: None,
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub type CResult<T> = Result<T, CompileError>;
