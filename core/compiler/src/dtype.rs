//! NumPy element types ([`Dtype`]), their promotion rules (NEP 50) and the
//! memory layouts ([`Layout`]) that distinguish array types.

use std::fmt;
use std::sync::{Mutex, OnceLock};

/// A structured (record) dtype compiled code handles: fields of the native
/// scalar dtypes at byte offsets. Interned: [`Dtype::Record`] holds its
/// index, so two different structured dtypes never share a specialization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDesc {
    /// NumPy's `repr` of the descriptor (names, formats, offsets, itemsize,
    /// alignment flag): the interning key, with the two flags below.
    pub key: String,
    pub fields: Vec<(String, Dtype, i64)>,
    pub itemsize: i64,
    /// Every element of the array starts at a multiple of 8 bytes (its data
    /// pointer and strides are), so a field at an offset that is a multiple
    /// of its own alignment is aligned: field views `a['x']` are native then.
    pub aligned8: bool,
    /// The element belongs to a read-only array (stores deoptimize).
    pub readonly: bool,
    /// The array is an `np.recarray` (fields read as attributes: `a.x`).
    pub recarray: bool,
    /// The fields `a.x` of a recarray reads (those no recarray attribute hides).
    pub array_attrs: Vec<String>,
    /// The fields `a[i].x` reads (the dtype's scalar type is `np.record`, and
    /// no attribute of it hides them); empty for `np.void` elements.
    pub elem_attrs: Vec<String>,
    /// `name()` of the dtype.
    pub name: &'static str,
}

fn records() -> &'static Mutex<Vec<RecordDesc>> {
    static R: OnceLock<Mutex<Vec<RecordDesc>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Vec::new()))
}

/// The id of a record dtype (interned by everything but `name`, which is set here).
pub fn intern_record(mut desc: RecordDesc) -> u32 {
    let mut r = records().lock().unwrap_or_else(|e| e.into_inner());
    let same = |d: &RecordDesc| {
        d.key == desc.key
            && d.aligned8 == desc.aligned8
            && d.readonly == desc.readonly
            && d.recarray == desc.recarray
            && d.fields == desc.fields
            && d.array_attrs == desc.array_attrs
            && d.elem_attrs == desc.elem_attrs
    };
    if let Some(i) = r.iter().position(same) {
        return i as u32;
    }
    desc.name = Box::leak(format!("record{}", r.len()).into_boxed_str());
    r.push(desc);
    (r.len() - 1) as u32
}

/// The record dtype `id` describes.
pub fn record(id: u32) -> Option<RecordDesc> {
    let r = records().lock().unwrap_or_else(|e| e.into_inner());
    r.get(id as usize).cloned()
}

/// The same record dtype with other flags (memoized: the dispatcher asks on
/// every call with a record array).
pub fn record_variant(id: u32, aligned8: bool, readonly: bool, recarray: bool) -> u32 {
    type Variants = Mutex<std::collections::HashMap<(u32, bool, bool, bool), u32>>;
    static V: OnceLock<Variants> = OnceLock::new();
    let v = V.get_or_init(Default::default);
    let k = (id, aligned8, readonly, recarray);
    if let Some(r) = v.lock().unwrap_or_else(|e| e.into_inner()).get(&k) {
        return *r;
    }
    let r = match record(id) {
        Some(d) => intern_record(RecordDesc {
            aligned8,
            readonly,
            recarray,
            ..d
        }),
        None => id,
    };
    v.lock().unwrap_or_else(|e| e.into_inner()).insert(k, r);
    r
}

/// The units of `datetime64` / `timedelta64` compiled code handles natively:
/// the linear ones (a fixed number of attoseconds each). The calendar units
/// (`Y`, `M`) and the generic unit are not handled (such arrays and scalars
/// make the function run as plain Python).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeUnit {
    W,
    D,
    H,
    Min,
    S,
    Ms,
    Us,
    Ns,
    Ps,
    Fs,
    As,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 11] = [
        TimeUnit::W,
        TimeUnit::D,
        TimeUnit::H,
        TimeUnit::Min,
        TimeUnit::S,
        TimeUnit::Ms,
        TimeUnit::Us,
        TimeUnit::Ns,
        TimeUnit::Ps,
        TimeUnit::Fs,
        TimeUnit::As,
    ];

    /// NumPy's code for the unit (`datetime64[code]`).
    pub fn code(self) -> &'static str {
        match self {
            TimeUnit::W => "W",
            TimeUnit::D => "D",
            TimeUnit::H => "h",
            TimeUnit::Min => "m",
            TimeUnit::S => "s",
            TimeUnit::Ms => "ms",
            TimeUnit::Us => "us",
            TimeUnit::Ns => "ns",
            TimeUnit::Ps => "ps",
            TimeUnit::Fs => "fs",
            TimeUnit::As => "as",
        }
    }

    /// NumPy's `NPY_DATETIMEUNIT` number (`NPY_FR_W` = 2 ... `NPY_FR_as` = 12).
    pub fn npy_code(self) -> i32 {
        2 + self as i32
    }

    pub fn from_npy_code(c: i32) -> Option<TimeUnit> {
        TimeUnit::ALL.get(usize::try_from(c - 2).ok()?).copied()
    }

    /// Attoseconds in one unit.
    fn attos(self) -> u128 {
        let s: u128 = 1_000_000_000_000_000_000;
        match self {
            TimeUnit::W => 7 * 86400 * s,
            TimeUnit::D => 86400 * s,
            TimeUnit::H => 3600 * s,
            TimeUnit::Min => 60 * s,
            TimeUnit::S => s,
            TimeUnit::Ms => s / 1_000,
            TimeUnit::Us => s / 1_000_000,
            TimeUnit::Ns => s / 1_000_000_000,
            TimeUnit::Ps => s / 1_000_000_000_000,
            TimeUnit::Fs => s / 1_000_000_000_000_000,
            TimeUnit::As => 1,
        }
    }

    /// The unit NumPy converts both operands to when they mix `a` and `b`
    /// (the finer one), and the factors to multiply each by; `None` for the
    /// pairs NumPy rejects with OverflowError ("Integer overflow getting a
    /// common metadata divisor": days or weeks with ps/fs/as, hours with
    /// fs/as, minutes and seconds with as). Checked against NumPy in
    /// tests/test_datetime_dtypes.py.
    pub fn common(a: TimeUnit, b: TimeUnit) -> Option<(TimeUnit, i64, i64)> {
        let fine = a.max(b);
        let coarse = a.min(b);
        let rejected = matches!(
            (coarse, fine),
            (TimeUnit::W | TimeUnit::D, TimeUnit::Ps | TimeUnit::Fs | TimeUnit::As)
                | (TimeUnit::H, TimeUnit::Fs | TimeUnit::As)
                | (TimeUnit::Min | TimeUnit::S, TimeUnit::As)
        );
        if rejected {
            return None;
        }
        let f = |u: TimeUnit| i64::try_from(u.attos() / fine.attos()).ok();
        Some((fine, f(a)?, f(b)?))
    }
}

/// The NumPy element types compiled code handles natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dtype {
    Bool,
    Int32,
    Int64,
    Float32,
    Float64,
    Complex128,
    // The other integer dtypes (after the first six: the runtime's tables are
    // indexed by position in `Dtype::ALL`).
    Int8,
    Int16,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    // The half-precision float and single-precision complex dtypes (after the
    // integers, for the same reason).
    Float16,
    Complex64,
    // `datetime64[unit]` and `timedelta64[unit]`: int64 counts of the unit,
    // NaT being i64::MIN (after the others, for the same reason).
    Datetime(TimeUnit),
    Timedelta(TimeUnit),
    /// A structured dtype ([`record`] of the id); not in [`Dtype::ALL`].
    Record(u32),
}

/// Category used by NumPy's promotion rules (NEP 50).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Bool,
    Int,
    Float,
    Complex,
    /// `datetime64` / `timedelta64` (outside NumPy's numeric promotion).
    Datetime,
    Timedelta,
    /// Structured dtypes.
    Record,
}

const fn time_dtypes() -> [Dtype; 36] {
    let mut all = [Dtype::Bool; 36];
    let base: [Dtype; 14] = Dtype::BASE;
    let mut i = 0;
    while i < 14 {
        all[i] = base[i];
        i += 1;
    }
    let mut k = 0;
    while k < 11 {
        all[14 + k] = Dtype::Datetime(TimeUnit::ALL[k]);
        all[25 + k] = Dtype::Timedelta(TimeUnit::ALL[k]);
        k += 1;
    }
    all
}

impl Dtype {
    /// Every dtype, in the order the runtime's tables use.
    pub const ALL: [Dtype; 36] = time_dtypes();
    const BASE: [Dtype; 14] = [
        Dtype::Bool,
        Dtype::Int32,
        Dtype::Int64,
        Dtype::Float32,
        Dtype::Float64,
        Dtype::Complex128,
        Dtype::Int8,
        Dtype::Int16,
        Dtype::UInt8,
        Dtype::UInt16,
        Dtype::UInt32,
        Dtype::UInt64,
        Dtype::Float16,
        Dtype::Complex64,
    ];
    pub const COUNT: usize = Dtype::ALL.len();

    /// The position in [`Dtype::ALL`].
    pub fn index(self) -> usize {
        match self {
            Dtype::Datetime(u) => 14 + u as usize,
            Dtype::Timedelta(u) => 25 + u as usize,
            // Not in the tables: callers look record descriptors up by id.
            Dtype::Record(_) => usize::MAX,
            d => Dtype::BASE.iter().position(|x| *x == d).unwrap_or(0),
        }
    }

    /// A structured dtype.
    pub fn is_record(self) -> bool {
        matches!(self, Dtype::Record(_))
    }

    /// A time or record dtype: outside NumPy's numeric rules, so only the
    /// operations `infer::special_gate` lists see it.
    pub fn is_special(self) -> bool {
        self.is_time() || self.is_record()
    }

    /// A field of a record dtype: its dtype and byte offset.
    pub fn field(self, name: &str) -> Option<(Dtype, i64)> {
        let Dtype::Record(id) = self else { return None };
        record(id)?.fields.into_iter().find(|f| f.0 == name).map(|f| (f.1, f.2))
    }

    /// The field `a.x` reads: of a recarray (`elem` false) or of an element
    /// whose scalar type is `np.record` (`elem` true).
    pub fn attr_field(self, name: &str, elem: bool) -> Option<(Dtype, i64)> {
        let Dtype::Record(id) = self else { return None };
        let r = record(id)?;
        let ok = if elem {
            r.elem_attrs.iter().any(|a| a == name)
        } else {
            r.recarray && r.array_attrs.iter().any(|a| a == name)
        };
        if ok {
            self.field(name)
        } else {
            None
        }
    }

    /// The alignment NumPy gives the dtype on x86-64 and aarch64.
    pub fn alignment(self) -> i64 {
        match self {
            Dtype::Complex64 | Dtype::Complex128 => self.itemsize() / 2,
            Dtype::Record(_) => 1,
            d => d.itemsize(),
        }
    }

    /// A `datetime64` or `timedelta64` dtype.
    pub fn is_time(self) -> bool {
        matches!(self, Dtype::Datetime(_) | Dtype::Timedelta(_))
    }

    /// The unit of a `datetime64` or `timedelta64` dtype.
    pub fn time_unit(self) -> Option<TimeUnit> {
        match self {
            Dtype::Datetime(u) | Dtype::Timedelta(u) => Some(u),
            _ => None,
        }
    }

    /// NumPy's name for the dtype (`np.dtype(name)` accepts it).
    pub fn name(self) -> &'static str {
        const DT: [&str; 11] = [
            "datetime64[W]",
            "datetime64[D]",
            "datetime64[h]",
            "datetime64[m]",
            "datetime64[s]",
            "datetime64[ms]",
            "datetime64[us]",
            "datetime64[ns]",
            "datetime64[ps]",
            "datetime64[fs]",
            "datetime64[as]",
        ];
        const TD: [&str; 11] = [
            "timedelta64[W]",
            "timedelta64[D]",
            "timedelta64[h]",
            "timedelta64[m]",
            "timedelta64[s]",
            "timedelta64[ms]",
            "timedelta64[us]",
            "timedelta64[ns]",
            "timedelta64[ps]",
            "timedelta64[fs]",
            "timedelta64[as]",
        ];
        match self {
            Dtype::Record(id) => record(id).map_or("record", |d| d.name),
            Dtype::Datetime(u) => DT[u as usize],
            Dtype::Timedelta(u) => TD[u as usize],
            Dtype::Bool => "bool",
            Dtype::Int32 => "int32",
            Dtype::Int64 => "int64",
            Dtype::Float32 => "float32",
            Dtype::Float64 => "float64",
            Dtype::Complex128 => "complex128",
            Dtype::Int8 => "int8",
            Dtype::Int16 => "int16",
            Dtype::UInt8 => "uint8",
            Dtype::UInt16 => "uint16",
            Dtype::UInt32 => "uint32",
            Dtype::UInt64 => "uint64",
            Dtype::Float16 => "float16",
            Dtype::Complex64 => "complex64",
        }
    }

    pub fn from_name(name: &str) -> Option<Dtype> {
        if let Some(d) = Dtype::ALL.into_iter().find(|d| d.name() == name) {
            return Some(d);
        }
        // NumPy's short spellings of the time dtypes: `M8[s]`, `<m8[ns]`.
        let n = name.strip_prefix(['<', '=']).unwrap_or(name);
        let long = if let Some(rest) = n.strip_prefix("M8[") {
            format!("datetime64[{rest}")
        } else if let Some(rest) = n.strip_prefix("m8[") {
            format!("timedelta64[{rest}")
        } else if name != n && (n.starts_with("datetime64[") || n.starts_with("timedelta64[")) {
            n.to_string()
        } else {
            return None;
        };
        Dtype::ALL.into_iter().find(|d| d.name() == long)
    }

    /// Size of one element in bytes.
    #[inline]
    pub fn itemsize(self) -> i64 {
        match self {
            Dtype::Bool | Dtype::Int8 | Dtype::UInt8 => 1,
            Dtype::Int16 | Dtype::UInt16 | Dtype::Float16 => 2,
            Dtype::Int32 | Dtype::UInt32 | Dtype::Float32 => 4,
            Dtype::Int64 | Dtype::UInt64 | Dtype::Float64 | Dtype::Complex64 => 8,
            Dtype::Datetime(_) | Dtype::Timedelta(_) => 8,
            Dtype::Record(id) => record(id).map_or(1, |d| d.itemsize),
            Dtype::Complex128 => 16,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Dtype::Bool => Kind::Bool,
            Dtype::Int8
            | Dtype::Int16
            | Dtype::Int32
            | Dtype::Int64
            | Dtype::UInt8
            | Dtype::UInt16
            | Dtype::UInt32
            | Dtype::UInt64 => Kind::Int,
            Dtype::Float16 | Dtype::Float32 | Dtype::Float64 => Kind::Float,
            Dtype::Complex64 | Dtype::Complex128 => Kind::Complex,
            Dtype::Datetime(_) => Kind::Datetime,
            Dtype::Timedelta(_) => Kind::Timedelta,
            Dtype::Record(_) => Kind::Record,
        }
    }

    /// One of the six dtypes every part of compiled code handles (ufunc loops
    /// and C callbacks take only these).
    pub fn is_basic(self) -> bool {
        self.index() < 6
    }

    /// An integer dtype (bool excluded).
    pub fn is_int(self) -> bool {
        self.kind() == Kind::Int
    }

    /// An unsigned integer dtype.
    pub fn is_unsigned(self) -> bool {
        matches!(self, Dtype::UInt8 | Dtype::UInt16 | Dtype::UInt32 | Dtype::UInt64)
    }

    /// The integer dtypes other than int64 and int32, which compiled code
    /// computes in 64 bits with a range check on every result.
    pub fn is_narrow_or_unsigned_int(self) -> bool {
        self.is_int() && !matches!(self, Dtype::Int64 | Dtype::Int32)
    }

    /// The signed integer dtype of `bits` bits.
    pub fn signed_of_bits(bits: i64) -> Option<Dtype> {
        Some(match bits {
            8 => Dtype::Int8,
            16 => Dtype::Int16,
            32 => Dtype::Int32,
            64 => Dtype::Int64,
            _ => return None,
        })
    }

    /// The range of an integer dtype, as i128 (bool: 0..=1).
    pub fn int_range(self) -> (i128, i128) {
        let bits = 8 * self.itemsize() as u32;
        if self == Dtype::Bool {
            (0, 1)
        } else if self.is_unsigned() {
            (0, (1i128 << bits) - 1)
        } else {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        }
    }

    /// `np.result_type(a, b)` restricted to the supported dtypes; `None` when
    /// the result would be a dtype compiled code does not handle.
    pub fn promote(a: Dtype, b: Dtype) -> Option<Dtype> {
        use Dtype::*;
        if a.is_special() || b.is_special() {
            return None; // see `types::time_binop_result`
        }
        if a == b {
            return Some(a);
        }
        let (ka, kb) = (a.kind(), b.kind());
        if ka == Kind::Bool {
            return Some(b);
        }
        if kb == Kind::Bool {
            return Some(a);
        }
        let (lo, hi) = if ka <= kb { (a, b) } else { (b, a) };
        let bits = |d: Dtype| 8 * d.itemsize();
        Some(match (lo.kind(), hi.kind()) {
            (Kind::Int, Kind::Int) => {
                let (s, u) = match (a.is_unsigned(), b.is_unsigned()) {
                    (false, false) | (true, true) => {
                        return Some(if bits(a) >= bits(b) { a } else { b });
                    }
                    (false, true) => (a, b),
                    (true, false) => (b, a),
                };
                if bits(u) < bits(s) {
                    s
                } else {
                    // A signed type twice as wide as the unsigned one; none for uint64.
                    Dtype::signed_of_bits(2 * bits(u)).unwrap_or(Float64)
                }
            }
            // Ints of up to 8 bits fit float16 exactly, up to 16 bits float32;
            // wider ones need float64.
            (Kind::Int, Kind::Float) => match hi {
                Float16 if bits(lo) <= 8 => Float16,
                Float16 | Float32 if bits(lo) <= 16 => Float32,
                _ => Float64,
            },
            (Kind::Float, Kind::Float) => {
                if hi.itemsize() >= lo.itemsize() {
                    hi
                } else {
                    lo
                }
            }
            // A complex result: the complex type of the promoted components.
            (_, Kind::Complex) => {
                let re = |d: Dtype| match d {
                    Complex64 => Float32,
                    Complex128 => Float64,
                    d => d,
                };
                match Dtype::promote(re(lo), re(hi))? {
                    Float16 | Float32 => Complex64,
                    _ => Complex128,
                }
            }
            _ => return None,
        })
    }

    /// The dtype of `np_scalar OP python_scalar_of_kind` under NEP 50: the
    /// Python scalar is "weak" and only lifts the category.
    pub fn promote_weak(a: Dtype, py: Kind) -> Option<Dtype> {
        use Dtype::*;
        if a.is_special() || py > Kind::Complex {
            return None;
        }
        if py <= a.kind() {
            return Some(if a == Bool && py == Kind::Bool { Bool } else { a });
        }
        Some(match (a.kind(), py) {
            (Kind::Bool, Kind::Int) => Int64,
            (Kind::Bool | Kind::Int, Kind::Float) => Float64,
            (Kind::Bool | Kind::Int, Kind::Complex) => Complex128,
            (Kind::Float, Kind::Complex) if a == Float64 => Complex128,
            (Kind::Float, Kind::Complex) => Complex64,
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
        assert_eq!(Dtype::promote(Int8, UInt8), Some(Int16));
        assert_eq!(Dtype::promote(UInt8, Int16), Some(Int16));
        assert_eq!(Dtype::promote(UInt16, Int16), Some(Int32));
        assert_eq!(Dtype::promote(UInt32, Int8), Some(Int64));
        assert_eq!(Dtype::promote(UInt64, Int64), Some(Float64));
        assert_eq!(Dtype::promote(UInt64, UInt8), Some(UInt64));
        assert_eq!(Dtype::promote(Int16, Float32), Some(Float32));
        assert_eq!(Dtype::promote(UInt32, Float32), Some(Float64));
        assert_eq!(Dtype::promote(Bool, UInt8), Some(UInt8));
        assert_eq!(Dtype::promote_weak(UInt8, Kind::Int), Some(UInt8));
        assert_eq!(Dtype::promote_weak(UInt64, Kind::Float), Some(Float64));
        assert_eq!(Dtype::promote_weak(Int8, Kind::Complex), Some(Complex128));
        assert_eq!(Dtype::promote(Float16, Int8), Some(Float16));
        assert_eq!(Dtype::promote(Float16, UInt8), Some(Float16));
        assert_eq!(Dtype::promote(Float16, Int16), Some(Float32));
        assert_eq!(Dtype::promote(Float16, UInt16), Some(Float32));
        assert_eq!(Dtype::promote(Float16, Int32), Some(Float64));
        assert_eq!(Dtype::promote(Float16, Float32), Some(Float32));
        assert_eq!(Dtype::promote(Float64, Float16), Some(Float64));
        assert_eq!(Dtype::promote(Bool, Float16), Some(Float16));
        assert_eq!(Dtype::promote(Complex64, Float64), Some(Complex128));
        assert_eq!(Dtype::promote(Complex64, Float32), Some(Complex64));
        assert_eq!(Dtype::promote(Complex64, Float16), Some(Complex64));
        assert_eq!(Dtype::promote(Complex64, Int16), Some(Complex64));
        assert_eq!(Dtype::promote(Complex64, UInt16), Some(Complex64));
        assert_eq!(Dtype::promote(Complex64, Int32), Some(Complex128));
        assert_eq!(Dtype::promote(Complex64, Int64), Some(Complex128));
        assert_eq!(Dtype::promote(Complex64, Complex128), Some(Complex128));
        assert_eq!(Dtype::promote(Float16, Complex128), Some(Complex128));
        assert_eq!(Dtype::promote(Bool, Complex64), Some(Complex64));
        assert_eq!(Dtype::promote_weak(Float16, Kind::Float), Some(Float16));
        assert_eq!(Dtype::promote_weak(Float16, Kind::Int), Some(Float16));
        assert_eq!(Dtype::promote_weak(Float16, Kind::Complex), Some(Complex64));
        assert_eq!(Dtype::promote_weak(Float32, Kind::Complex), Some(Complex64));
        assert_eq!(Dtype::promote_weak(Complex64, Kind::Float), Some(Complex64));
        assert_eq!(Dtype::promote_weak(Complex64, Kind::Complex), Some(Complex64));
    }

    #[test]
    fn strides() {
        assert_eq!(c_strides(&[3, 4], 8), vec![32, 8]);
        assert_eq!(c_strides(&[0, 4], 8), vec![32, 8]);
    }
}
