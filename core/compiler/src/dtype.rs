//! NumPy element types ([`Dtype`]), their promotion rules (NEP 50) and the
//! memory layouts ([`Layout`]) that distinguish array types.

use std::fmt;

/// The NumPy element types compiled code handles natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dtype {
    Bool,
    Int32,
    Int64,
    Float32,
    Float64,
    Complex128,
}

/// Category used by NumPy's promotion rules (NEP 50).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Bool,
    Int,
    Float,
    Complex,
}

impl Dtype {
    pub const ALL: [Dtype; 6] = [
        Dtype::Bool,
        Dtype::Int32,
        Dtype::Int64,
        Dtype::Float32,
        Dtype::Float64,
        Dtype::Complex128,
    ];

    /// NumPy's name for the dtype (`np.dtype(name)` accepts it).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::Int32 => "int32",
            Dtype::Int64 => "int64",
            Dtype::Float32 => "float32",
            Dtype::Float64 => "float64",
            Dtype::Complex128 => "complex128",
        }
    }

    pub fn from_name(name: &str) -> Option<Dtype> {
        Dtype::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Size of one element in bytes.
    pub fn itemsize(self) -> i64 {
        match self {
            Dtype::Bool => 1,
            Dtype::Int32 | Dtype::Float32 => 4,
            Dtype::Int64 | Dtype::Float64 => 8,
            Dtype::Complex128 => 16,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Dtype::Bool => Kind::Bool,
            Dtype::Int32 | Dtype::Int64 => Kind::Int,
            Dtype::Float32 | Dtype::Float64 => Kind::Float,
            Dtype::Complex128 => Kind::Complex,
        }
    }

    /// `np.result_type(a, b)` restricted to the supported dtypes; `None` when
    /// the result would be a dtype compiled code does not handle (e.g. complex64).
    pub fn promote(a: Dtype, b: Dtype) -> Option<Dtype> {
        use Dtype::*;
        if a == b {
            return Some(a);
        }
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        Some(match (lo, hi) {
            (Bool, x) => x,
            (Int32, Int64) => Int64,
            (Int32, Float32) | (Int64, Float32) => Float64,
            (_, Float64) => Float64,
            (_, Complex128) => Complex128,
            _ => return None,
        })
    }

    /// The dtype of `np_scalar OP python_scalar_of_kind` under NEP 50: the
    /// Python scalar is "weak" and only lifts the category.
    pub fn promote_weak(a: Dtype, py: Kind) -> Option<Dtype> {
        use Dtype::*;
        if py <= a.kind() {
            return Some(if a == Bool && py == Kind::Bool { Bool } else { a });
        }
        Some(match (a, py) {
            (Bool, Kind::Int) => Int64,
            (Bool | Int32 | Int64, Kind::Float) => Float64,
            (Float64 | Int32 | Int64 | Bool, Kind::Complex) => Complex128,
            (Float32, Kind::Complex) => return None, // complex64
            _ => return None,
        })
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Memory layout of an array as seen by the type key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// C-contiguous: the last axis has unit stride (in elements).
    C,
    /// Fortran-contiguous (and not C-contiguous): the first axis has unit stride.
    F,
    /// Any strides, including negative ones.
    A,
}

impl Layout {
    pub fn code(self) -> &'static str {
        match self {
            Layout::C => "C",
            Layout::F => "F",
            Layout::A => "A",
        }
    }

    /// The axis whose byte stride equals the itemsize, if the layout fixes one.
    pub fn unit_stride_axis(self, ndim: usize) -> Option<usize> {
        match self {
            _ if ndim == 0 => None,
            Layout::C => Some(ndim - 1),
            Layout::F => Some(0),
            Layout::A => None,
        }
    }
}

/// C-order byte strides for a shape.
pub fn c_strides(shape: &[i64], itemsize: i64) -> Vec<i64> {
    let mut strides = vec![0; shape.len()];
    let mut acc = itemsize;
    for (k, &n) in shape.iter().enumerate().rev() {
        strides[k] = acc;
        acc *= n.max(1);
    }
    strides
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_matches_numpy() {
        use Dtype::*;
        assert_eq!(Dtype::promote(Int32, Float32), Some(Float64));
        assert_eq!(Dtype::promote(Int64, Int32), Some(Int64));
        assert_eq!(Dtype::promote(Bool, Float32), Some(Float32));
        assert_eq!(Dtype::promote(Float32, Complex128), Some(Complex128));
        assert_eq!(Dtype::promote_weak(Float32, Kind::Float), Some(Float32));
        assert_eq!(Dtype::promote_weak(Int32, Kind::Int), Some(Int32));
        assert_eq!(Dtype::promote_weak(Int32, Kind::Float), Some(Float64));
        assert_eq!(Dtype::promote_weak(Bool, Kind::Int), Some(Int64));
        assert_eq!(Dtype::promote_weak(Bool, Kind::Bool), Some(Bool));
    }

    #[test]
    fn strides() {
        assert_eq!(c_strides(&[3, 4], 8), vec![32, 8]);
        assert_eq!(c_strides(&[0, 4], 8), vec![32, 8]);
    }
}
