//! The NumPy library of compiled code: one table, [`NUMPY`], of every NumPy
//! function, array method, array attribute, scalar type and constant that
//! `@pyston.fast` code supports, with how each is implemented and typed.
//!
//! Type inference learns from it (through the runtime's `infer::Env`, which
//! answers [`is_array_method`] and [`is_array_attribute`]), the runtime
//! resolves NumPy objects with it (the functions it calls through NumPy, the
//! allocations compiled natively, the scalar types) and the documentation
//! (`docs/numpy-support.md`) is generated from it (`pyston._pyston.numpy_library()`).

use pyston_compiler::types::{AllocKind, Builtin, Dtype};

/// What kind of NumPy object a row names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A function of the `numpy` module (`np.sum`).
    Function,
    /// A method of `ndarray` (`a.sum()`).
    Method,
    /// An attribute of `ndarray` (`a.shape`).
    Attribute,
    /// Every object of type `np.ufunc` (`np.sin`, `np.add`, ...).
    UfuncFamily,
    /// A scalar type, used as a dtype or called to convert (`np.float64`).
    ScalarType,
    /// A constant of the `numpy` module (`np.pi`).
    Constant,
    /// A function of `numpy.random` (`np.random.normal`), drawing from
    /// NumPy's own global generator, and how its result is typed.
    RandomFunction(RandomRule),
    /// A method of `numpy.random.Generator` (`rng.random()`), drawing from
    /// that generator's bit generator, and how its result is typed.
    GeneratorMethod(RandomRule),
    /// A function of `numpy.linalg` (`np.linalg.solve`), called through NumPy.
    LinalgFunction,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Method => "method",
            Kind::Attribute => "attribute",
            Kind::UfuncFamily => "ufunc",
            Kind::ScalarType => "scalar type",
            Kind::Constant => "constant",
            Kind::RandomFunction(_) => "random function",
            Kind::GeneratorMethod(_) => "Generator method",
            Kind::LinalgFunction => "linalg function",
        }
    }
}

/// How compiled code performs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// A call into NumPy from compiled code, its result type found at compile
    /// time by calling it on sample values (a result of another type at run
    /// time deoptimizes).
    NumPy,
    /// Native in compiled code, typed by a fixed rule of type inference.
    Native,
    /// Native: the runtime resolves the object to this builtin of the
    /// compiler (allocations).
    Builtin(Builtin),
    /// Native: the runtime resolves the object to this scalar type.
    Dtype(Dtype),
}

impl How {
    pub fn name(self) -> &'static str {
        match self {
            How::NumPy => "numpy",
            How::Native | How::Builtin(_) | How::Dtype(_) => "native",
        }
    }
}

/// How the result type is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultType {
    /// Probing: calling it on sample values of the argument types.
    Probe,
    /// A fixed rule, described.
    Rule(&'static str),
}

impl ResultType {
    pub fn describe(self) -> &'static str {
        match self {
            ResultType::Probe => "probe",
            ResultType::Rule(r) => r,
        }
    }
}

/// One row of the library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NpEntry {
    /// The name in `numpy` (functions, scalar types, constants, `ufunc`) or
    /// on `ndarray` (methods, attributes).
    pub name: &'static str,
    pub kind: Kind,
    pub how: How,
    /// The accepted arguments, as NumPy documents them.
    pub signature: &'static str,
    pub result: ResultType,
    /// One line.
    pub doc: &'static str,
}

const fn func(name: &'static str, signature: &'static str, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::Function,
        how: How::NumPy,
        signature,
        result: ResultType::Probe,
        doc,
    }
}

const fn linalg(name: &'static str, signature: &'static str, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::LinalgFunction,
        how: How::NumPy,
        signature,
        result: ResultType::Probe,
        doc,
    }
}

const fn method(name: &'static str, signature: &'static str, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::Method,
        how: How::NumPy,
        signature,
        result: ResultType::Probe,
        doc,
    }
}

const fn alloc(name: &'static str, b: Builtin, signature: &'static str, doc: &'static str) -> NpEntry {
    let result = match b {
        Builtin::NpAllocLike(_) => {
            ResultType::Rule("an array of the prototype's ndim and layout, its dtype or `dtype`, writable")
        }
        _ => ResultType::Rule(
            "a C-contiguous array of `shape` (an int or a tuple of ints) and `dtype` (default float64)",
        ),
    };
    NpEntry {
        name,
        kind: Kind::Function,
        how: How::Builtin(b),
        signature,
        result,
        doc,
    }
}

const fn attr(name: &'static str, how: How, result: ResultType, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::Attribute,
        how,
        signature: "",
        result,
        doc,
    }
}

const fn scalar(name: &'static str, d: Dtype, signature: &'static str, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::ScalarType,
        how: How::Dtype(d),
        signature,
        result: ResultType::Rule("a NumPy scalar of the type; as a `dtype=` argument, that dtype"),
        doc,
    }
}

const fn constant(name: &'static str, result: &'static str, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::Constant,
        how: How::Native,
        signature: "",
        result: ResultType::Rule(result),
        doc,
    }
}

const fn random(name: &'static str, rule: RandomRule, signature: &'static str, doc: &'static str) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::RandomFunction(rule),
        how: How::NumPy,
        signature,
        result: ResultType::Rule(
            "without `size` (or with `size=None`) a Python float (an int for integer draws, None for \
             `seed`); with an int or tuple `size` (or `rand`/`randn`'s dimensions) a C-contiguous \
             float64 (int64) array of that shape",
        ),
        doc,
    }
}

/// The result rule of the draws that depend on their first argument.
const ARG_RESULT: &str = "`choice(a)`: an element (`a` an int: a Python int; a 1-d array: a NumPy scalar of its \
     dtype), with `size` an array of them; `permutation(x)`: an int64 array (`x` an int) or a shuffled copy \
     of the array; `shuffle(x)`: None (the array is shuffled in place)";

/// The result rule of the vector-valued draws.
const VECTOR_RESULT: &str = "a C-contiguous array of shape `size + (k,)` (`(k,)` without `size`), `k` the length of \
     `alpha` / `pvals`: float64 for `dirichlet`, int64 for `multinomial`";

/// A `numpy.random` row typed by `rule`, implemented as `how`, with the result rule `result`.
const fn random_as(
    name: &'static str,
    rule: RandomRule,
    how: How,
    result: &'static str,
    signature: &'static str,
    doc: &'static str,
) -> NpEntry {
    NpEntry {
        name,
        kind: Kind::RandomFunction(rule),
        how,
        signature,
        result: ResultType::Rule(result),
        doc,
    }
}

/// A `numpy.random.Generator` method row.
const fn generator(
    name: &'static str,
    rule: RandomRule,
    how: How,
    signature: &'static str,
    doc: &'static str,
) -> NpEntry {
    let result = match rule.draw {
        Draw::Choice | Draw::Permutation | Draw::Shuffle => ARG_RESULT,
        Draw::Dirichlet | Draw::Multinomial => VECTOR_RESULT,
        Draw::NpInt => "without `size` a NumPy int64 scalar; with an int or tuple `size` a C-contiguous int64 array",
        _ => {
            "without `size` (or with `size=None`) a Python float (an int for integer draws); with an int or \
             tuple `size` a C-contiguous float64 (int64) array of that shape"
        }
    };
    NpEntry {
        name,
        kind: Kind::GeneratorMethod(rule),
        how,
        signature,
        result: ResultType::Rule(result),
        doc,
    }
}

/// A `numpy.random` function drawing `draw`s, `size` at positional `size_at`.
const fn draws(draw: Draw, size_at: Option<usize>) -> RandomRule {
    RandomRule {
        draw,
        size_at,
        dims: false,
    }
}

/// A `numpy.random` row whose scalar draws compiled code makes itself, from
/// NumPy's own bit generator (the same stream, NumPy's state advanced).
const fn native(e: NpEntry) -> NpEntry {
    NpEntry { how: How::Native, ..e }
}

/// `rand`/`randn`: float draws shaped by the positional arguments.
const DIMS: RandomRule = RandomRule {
    draw: Draw::Float,
    size_at: None,
    dims: true,
};

/// The library, one row per name and kind.
#[rustfmt::skip]
pub const NUMPY: &[NpEntry] = &[
    // Allocations compiled natively (`Builtin::NpAlloc*`); the only keyword is `dtype`.
    alloc("empty", Builtin::NpAlloc(AllocKind::Empty), "np.empty(shape, dtype=float)", "New array, elements not initialized."),
    alloc("zeros", Builtin::NpAlloc(AllocKind::Zeros), "np.zeros(shape, dtype=float)", "New array of zeros."),
    alloc("ones", Builtin::NpAlloc(AllocKind::Ones), "np.ones(shape, dtype=float)", "New array of ones."),
    alloc("empty_like", Builtin::NpAllocLike(AllocKind::Empty), "np.empty_like(prototype, dtype=None)", "New array like the prototype, elements not initialized."),
    alloc("zeros_like", Builtin::NpAllocLike(AllocKind::Zeros), "np.zeros_like(a, dtype=None)", "New array of zeros like `a`."),
    alloc("ones_like", Builtin::NpAllocLike(AllocKind::Ones), "np.ones_like(a, dtype=None)", "New array of ones like `a`."),
    // Functions called through NumPy.
    func("sum", "np.sum(a, axis=None, dtype=None, keepdims=False)", "Sum of the elements over an axis."),
    func("prod", "np.prod(a, axis=None, dtype=None, keepdims=False)", "Product of the elements over an axis."),
    func("mean", "np.mean(a, axis=None, dtype=None, keepdims=False)", "Arithmetic mean over an axis."),
    func("std", "np.std(a, axis=None, dtype=None, ddof=0, keepdims=False)", "Standard deviation over an axis."),
    func("var", "np.var(a, axis=None, dtype=None, ddof=0, keepdims=False)", "Variance over an axis."),
    func("min", "np.min(a, axis=None, keepdims=False)", "Minimum over an axis."),
    func("max", "np.max(a, axis=None, keepdims=False)", "Maximum over an axis."),
    func("amin", "np.amin(a, axis=None, keepdims=False)", "Minimum over an axis (alias of np.min)."),
    func("amax", "np.amax(a, axis=None, keepdims=False)", "Maximum over an axis (alias of np.max)."),
    func("argmin", "np.argmin(a, axis=None)", "Index of the minimum (flattened, or along an axis)."),
    func("argmax", "np.argmax(a, axis=None)", "Index of the maximum (flattened, or along an axis)."),
    func("cumsum", "np.cumsum(a, axis=None, dtype=None)", "Cumulative sum."),
    func("cumprod", "np.cumprod(a, axis=None, dtype=None)", "Cumulative product."),
    func("dot", "np.dot(a, b)", "Dot product (matrix product for 2-d arrays)."),
    func("vdot", "np.vdot(a, b)", "Dot product of the flattened arrays, conjugating the first."),
    func("inner", "np.inner(a, b)", "Inner product over the last axes."),
    func("outer", "np.outer(a, b)", "Outer product of two vectors."),
    func("matmul", "np.matmul(x1, x2)", "Matrix product (the `@` operator)."),
    func("sort", "np.sort(a, axis=-1, kind=None)", "Sorted copy of an array."),
    func("argsort", "np.argsort(a, axis=-1, kind=None)", "Indices that sort an array."),
    func("searchsorted", "np.searchsorted(a, v, side='left', sorter=None)", "Indices where values would be inserted into a sorted array."),
    func("unique", "np.unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None)", "Sorted unique elements (and optionally indices and counts)."),
    func("concatenate", "np.concatenate((a1, a2, ...), axis=0)", "Joins arrays along an existing axis."),
    func("stack", "np.stack(arrays, axis=0)", "Joins arrays along a new axis."),
    func("vstack", "np.vstack(tup)", "Stacks arrays vertically (row-wise)."),
    func("hstack", "np.hstack(tup)", "Stacks arrays horizontally (column-wise)."),
    func("column_stack", "np.column_stack(tup)", "Stacks 1-d arrays as the columns of a 2-d array."),
    func("histogram", "np.histogram(a, bins=10, range=None, density=None, weights=None)", "Histogram counts and bin edges."),
    func("interp", "np.interp(x, xp, fp, left=None, right=None, period=None)", "One-dimensional linear interpolation."),
    func("diff", "np.diff(a, n=1, axis=-1)", "n-th discrete difference along an axis."),
    func("roll", "np.roll(a, shift, axis=None)", "Rolls elements along an axis."),
    func("tile", "np.tile(A, reps)", "Repeats an array as tiles."),
    func("repeat", "np.repeat(a, repeats, axis=None)", "Repeats each element."),
    func("trace", "np.trace(a, offset=0, axis1=0, axis2=1, dtype=None)", "Sum along a diagonal."),
    func("where", "np.where(condition, x, y)", "Elements of x or y by a condition (one argument: the indices of nonzero elements)."),
    func("clip", "np.clip(a, a_min, a_max)", "Limits values to an interval."),
    func("arange", "np.arange([start,] stop[, step], dtype=None)", "Evenly spaced values in a half-open interval."),
    func("linspace", "np.linspace(start, stop, num=50, endpoint=True, dtype=None)", "Evenly spaced numbers over an interval."),
    func("eye", "np.eye(N, M=None, k=0, dtype=float)", "2-d array with ones on a diagonal."),
    func("identity", "np.identity(n, dtype=None)", "Square identity matrix."),
    func("full", "np.full(shape, fill_value, dtype=None)", "New array filled with a value."),
    func("full_like", "np.full_like(a, fill_value, dtype=None)", "New array like `a`, filled with a value."),
    func("array", "np.array(object, dtype=None, copy=True, ndmin=0)", "Creates an array."),
    func("asarray", "np.asarray(a, dtype=None)", "Converts to an array (no copy when possible)."),
    func("ascontiguousarray", "np.ascontiguousarray(a, dtype=None)", "C-contiguous array (copies when needed)."),
    func("asfortranarray", "np.asfortranarray(a, dtype=None)", "Fortran-contiguous array (copies when needed)."),
    func("copy", "np.copy(a, order='K')", "Copy of an array."),
    func("transpose", "np.transpose(a, axes=None)", "Permutes the axes (a view)."),
    func("ravel", "np.ravel(a, order='C')", "Flattened array (a view when possible)."),
    func("reshape", "np.reshape(a, shape, order='C')", "Array with a new shape (a view when possible)."),
    func("nonzero", "np.nonzero(a)", "Indices of the nonzero elements, one array per axis."),
    func("count_nonzero", "np.count_nonzero(a, axis=None)", "Number of nonzero elements."),
    func("all", "np.all(a, axis=None)", "Whether all elements are true."),
    func("any", "np.any(a, axis=None)", "Whether any element is true."),
    func("flip", "np.flip(m, axis=None)", "Reverses the order of elements along an axis (a view)."),
    func("fliplr", "np.fliplr(m)", "Reverses the order of columns (a view)."),
    func("flipud", "np.flipud(m)", "Reverses the order of rows (a view)."),
    func("median", "np.median(a, axis=None)", "Median along an axis."),
    func("percentile", "np.percentile(a, q, axis=None, method='linear')", "q-th percentile along an axis."),
    func("quantile", "np.quantile(a, q, axis=None, method='linear')", "q-th quantile along an axis."),
    func("average", "np.average(a, axis=None, weights=None)", "Weighted average along an axis."),
    func("cross", "np.cross(a, b, axis=-1)", "Cross product of 3-element (or 2-element) vectors."),
    func("kron", "np.kron(a, b)", "Kronecker product."),
    func("polyval", "np.polyval(p, x)", "Evaluates a polynomial at values."),
    func("convolve", "np.convolve(a, v, mode='full')", "Discrete linear convolution of two 1-d arrays."),
    func("correlate", "np.correlate(a, v, mode='valid')", "Cross-correlation of two 1-d arrays."),
    func("isclose", "np.isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)", "Element-wise equality within a tolerance."),
    func("allclose", "np.allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)", "Whether all elements are equal within a tolerance."),
    func("array_equal", "np.array_equal(a1, a2, equal_nan=False)", "Whether two arrays have the same shape and elements."),
    func("nan_to_num", "np.nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None)", "Replaces NaN and infinities with numbers."),
    func("nansum", "np.nansum(a, axis=None)", "Sum treating NaN as zero."),
    func("nanmean", "np.nanmean(a, axis=None)", "Mean ignoring NaN."),
    func("nanmax", "np.nanmax(a, axis=None)", "Maximum ignoring NaN."),
    func("nanmin", "np.nanmin(a, axis=None)", "Minimum ignoring NaN."),
    func("round", "np.round(a, decimals=0)", "Rounds to a number of decimals (half to even)."),
    func("around", "np.around(a, decimals=0)", "Rounds to a number of decimals (alias of np.round)."),
    func("diag", "np.diag(v, k=0)", "Extracts a diagonal, or builds a diagonal array from a vector."),
    func("triu", "np.triu(m, k=0)", "Upper triangle of a matrix."),
    func("tril", "np.tril(m, k=0)", "Lower triangle of a matrix."),
    func("cumulative_sum", "np.cumulative_sum(x, axis=None, dtype=None, include_initial=False)", "Cumulative sum (the array API form; NumPy 2.1 and later)."),
    func("broadcast_to", "np.broadcast_to(array, shape)", "Read-only view broadcast to a shape."),
    func("expand_dims", "np.expand_dims(a, axis)", "Inserts a length-1 axis (a view)."),
    func("squeeze", "np.squeeze(a, axis=None)", "Removes length-1 axes (a view)."),
    func("swapaxes", "np.swapaxes(a, axis1, axis2)", "Interchanges two axes (a view)."),
    func("moveaxis", "np.moveaxis(a, source, destination)", "Moves axes to new positions (a view)."),
    func("atleast_1d", "np.atleast_1d(*arys)", "Views with at least one dimension."),
    func("atleast_2d", "np.atleast_2d(*arys)", "Views with at least two dimensions."),
    func("ptp", "np.ptp(a, axis=None)", "Range of values (maximum minus minimum) along an axis."),
    func("bincount", "np.bincount(x, weights=None, minlength=0)", "Counts of each non-negative int."),
    func("digitize", "np.digitize(x, bins, right=False)", "Indices of the bins each value falls in."),
    func("logspace", "np.logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None)", "Numbers spaced evenly on a log scale."),
    func("meshgrid", "np.meshgrid(*xi, indexing='xy')", "Coordinate matrices from coordinate vectors."),
    // Numba's supported list: the rest (calls into NumPy, typed by probing).
    func("angle", "np.angle(z, deg=False)", "Return the angle of the complex argument."),
    func("append", "np.append(arr, values, axis=None)", "Append values to the end of an array."),
    func("argpartition", "np.argpartition(a, kth, axis=-1, kind='introselect', order=None)", "Indices that would partition the array (indirect partition)."),
    func("argwhere", "np.argwhere(a)", "Find the indices of array elements that are non-zero, grouped by element."),
    func("asarray_chkfinite", "np.asarray_chkfinite(a, dtype=None, order=None)", "Convert the input to an array, checking for NaNs or Infs."),
    func("atleast_3d", "np.atleast_3d(*arys)", "View inputs as arrays with at least three dimensions."),
    func("bartlett", "np.bartlett(M)", "Return the Bartlett window."),
    func("blackman", "np.blackman(M)", "Return the Blackman window."),
    func("broadcast_shapes", "np.broadcast_shapes(*args)", "Broadcast the input shapes into a single shape."),
    func("concat", "np.concat(arrays, /, axis=0, out=None, *, dtype=None, casting='same_kind')", "Join a sequence of arrays along an existing axis."),
    func("corrcoef", "np.corrcoef(x, y=None, rowvar=True, *, dtype=None)", "Return Pearson product-moment correlation coefficients."),
    func("cov", "np.cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None)", "Estimate a covariance matrix, given data and weights."),
    func("delete", "np.delete(arr, obj, axis=None)", "A new array with sub-arrays along an axis deleted."),
    func("diagflat", "np.diagflat(v, k=0)", "Create a two-dimensional array with the flattened input as a diagonal."),
    func("dstack", "np.dstack(tup)", "Stack arrays in sequence depth wise (along third axis)."),
    func("ediff1d", "np.ediff1d(ary, to_end=None, to_begin=None)", "The differences between consecutive elements of an array."),
    func("extract", "np.extract(condition, arr)", "Return the elements of an array that satisfy some condition."),
    func("fill_diagonal", "np.fill_diagonal(a, val, wrap=False)", "Fill the main diagonal of the given array of any dimensionality."),
    func("flatnonzero", "np.flatnonzero(a)", "Return indices that are non-zero in the flattened version of a."),
    func("geomspace", "np.geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0)", "Return numbers spaced evenly on a log scale (a geometric progression)."),
    func("hamming", "np.hamming(M)", "Return the Hamming window."),
    func("hanning", "np.hanning(M)", "Return the Hanning window."),
    func("imag", "np.imag(val)", "Return the imaginary part of the complex argument."),
    func("indices", "np.indices(dimensions, dtype=int, sparse=False)", "Return an array representing the indices of a grid."),
    func("insert", "np.insert(arr, obj, values, axis=None)", "Insert values along the given axis before the given indices."),
    func("intersect1d", "np.intersect1d(ar1, ar2, assume_unique=False, return_indices=False)", "Find the intersection of two arrays."),
    func("iscomplex", "np.iscomplex(x)", "Returns a bool array, where True if input element is complex."),
    func("iscomplexobj", "np.iscomplexobj(x)", "Check for a complex type or an array of complex numbers."),
    func("isin", "np.isin(element, test_elements, assume_unique=False, invert=False, *, kind=None)", "Calculates ``element in test_elements``, broadcasting over `element` only."),
    func("isneginf", "np.isneginf(x, out=None)", "Test element-wise for negative infinity, return result as bool array."),
    func("isposinf", "np.isposinf(x, out=None)", "Test element-wise for positive infinity, return result as bool array."),
    func("isreal", "np.isreal(x)", "Returns a bool array, where True if input element is real."),
    func("isrealobj", "np.isrealobj(x)", "Return True if x is a not complex type or an array of complex numbers."),
    func("isscalar", "np.isscalar(element)", "Returns True if the type of `element` is a scalar type."),
    func("kaiser", "np.kaiser(M, beta)", "Return the Kaiser window."),
    func("nanargmax", "np.nanargmax(a, axis=None, out=None, *, keepdims=<no value>)", "Indices of the maximum values, ignoring NaNs."),
    func("nanargmin", "np.nanargmin(a, axis=None, out=None, *, keepdims=<no value>)", "Indices of the minimum values, ignoring NaNs."),
    func("nancumprod", "np.nancumprod(a, axis=None, dtype=None, out=None)", "Cumulative product, NaNs treated as one."),
    func("nancumsum", "np.nancumsum(a, axis=None, dtype=None, out=None)", "Cumulative sum, NaNs treated as zero."),
    func("nanmedian", "np.nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=<no value>)", "Compute the median along the specified axis, while ignoring NaNs."),
    func("nanpercentile", "np.nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=<no value>, *, weights=None)", "q-th percentile, ignoring NaNs."),
    func("nanprod", "np.nanprod(a, axis=None, dtype=None, out=None, keepdims=<no value>, initial=<no value>, where=<no value>)", "Product, NaNs treated as one."),
    func("nanquantile", "np.nanquantile(a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=<no value>, *, weights=None)", "q-th quantile, ignoring NaNs."),
    func("nanstd", "np.nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=<no value>, *, where=<no value>, mean=<no value>, correction=<no value>)", "Standard deviation, ignoring NaNs."),
    func("nanvar", "np.nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=<no value>, *, where=<no value>, mean=<no value>, correction=<no value>)", "Compute the variance along the specified axis, while ignoring NaNs."),
    func("partition", "np.partition(a, kth, axis=-1, kind='introselect', order=None)", "Return a partitioned copy of an array."),
    func("permute_dims", "np.permute_dims(a, axes=None)", "Returns an array with axes transposed."),
    func("real", "np.real(val)", "Return the real part of the complex argument."),
    func("resize", "np.resize(a, new_shape)", "Return a new array with the specified shape."),
    func("roots", "np.roots(p)", "Return the roots of a polynomial with coefficients given in p."),
    func("rot90", "np.rot90(m, k=1, axes=(0, 1))", "Rotate an array by 90 degrees in the plane specified by axes."),
    func("select", "np.select(condlist, choicelist, default=0)", "Return an array drawn from elements in choicelist, depending on conditions."),
    func("setdiff1d", "np.setdiff1d(ar1, ar2, assume_unique=False)", "Find the set difference of two arrays."),
    func("setxor1d", "np.setxor1d(ar1, ar2, assume_unique=False)", "Find the set exclusive-or of two arrays."),
    func("shape", "np.shape(a)", "Return the shape of an array."),
    func("sinc", "np.sinc(x)", "Return the normalized sinc function."),
    func("size", "np.size(a, axis=None)", "Return the number of elements along a given axis."),
    func("take", "np.take(a, indices, axis=None, out=None, mode='raise')", "Take elements from an array along an axis."),
    func("take_along_axis", "np.take_along_axis(arr, indices, axis=-1)", "Take values from the input array by matching 1d index and data slices."),
    func("trapezoid", "np.trapezoid(y, x=None, dx=1.0, axis=-1)", "Integrate along the given axis using the composite trapezoidal rule."),
    func("tri", "np.tri(N, M=None, k=0, dtype=float)", "An array with ones at and below the given diagonal and zeros elsewhere."),
    func("tril_indices", "np.tril_indices(n, k=0, m=None)", "Return the indices for the lower-triangle of an (n, m) array."),
    func("tril_indices_from", "np.tril_indices_from(arr, k=0)", "Return the indices for the lower-triangle of arr."),
    func("trim_zeros", "np.trim_zeros(filt, trim='fb', axis=None)", "Remove values along a dimension which are zero along all other."),
    func("triu_indices", "np.triu_indices(n, k=0, m=None)", "Return the indices for the upper-triangle of an (n, m) array."),
    func("triu_indices_from", "np.triu_indices_from(arr, k=0)", "Return the indices for the upper-triangle of arr."),
    func("union1d", "np.union1d(ar1, ar2)", "Find the union of two arrays."),
    func("unwrap", "np.unwrap(p, discont=None, axis=-1, *, period=6.283185307179586)", "Unwrap by taking the complement of large deltas with respect to the period."),
    func("vander", "np.vander(x, N=None, increasing=False)", "Generate a Vandermonde matrix."),
    // Results that are lists of arrays (compiled code holds the list object itself).
    func("array_split", "np.array_split(ary, indices_or_sections, axis=0)", "Split an array into multiple sub-arrays (a list of views; sections may differ in size)."),
    func("broadcast_arrays", "np.broadcast_arrays(*args, subok=False)", "Broadcast any number of arrays against each other (a tuple of views on NumPy 2, a list on 1.x)."),
    func("dsplit", "np.dsplit(ary, indices_or_sections)", "Split an array into multiple sub-arrays along the 3rd axis (a list of views)."),
    func("hsplit", "np.hsplit(ary, indices_or_sections)", "Split an array into multiple sub-arrays horizontally (a list of views)."),
    func("split", "np.split(ary, indices_or_sections, axis=0)", "Split an array into multiple sub-arrays of equal size (a list of views)."),
    func("vsplit", "np.vsplit(ary, indices_or_sections)", "Split an array into multiple sub-arrays vertically (a list of views)."),
    // Every ufunc, called through NumPy.
    NpEntry {
        name: "ufunc",
        kind: Kind::UfuncFamily,
        how: How::NumPy,
        signature: "np.<ufunc>(x1[, x2], /, out=None, *, where=True, dtype=None)",
        result: ResultType::Probe,
        doc: "Every NumPy ufunc (np.sin, np.add, np.sqrt, np.isnan, ...): element-wise on arrays and scalars; also its methods `reduce`, `accumulate`, `reduceat`, `outer` and `at` (`np.add.outer(x, y)`, `np.maximum.accumulate(a)`, `np.add.at(b, i, v)`).",
    },
    // Array methods called through NumPy.
    method("sum", "a.sum(axis=None, dtype=None, keepdims=False)", "Sum of the elements over an axis."),
    method("prod", "a.prod(axis=None, dtype=None, keepdims=False)", "Product of the elements over an axis."),
    method("mean", "a.mean(axis=None, dtype=None, keepdims=False)", "Arithmetic mean over an axis."),
    method("std", "a.std(axis=None, dtype=None, ddof=0, keepdims=False)", "Standard deviation over an axis."),
    method("var", "a.var(axis=None, dtype=None, ddof=0, keepdims=False)", "Variance over an axis."),
    method("min", "a.min(axis=None, keepdims=False)", "Minimum over an axis."),
    method("max", "a.max(axis=None, keepdims=False)", "Maximum over an axis."),
    method("argmin", "a.argmin(axis=None)", "Index of the minimum."),
    method("argmax", "a.argmax(axis=None)", "Index of the maximum."),
    method("cumsum", "a.cumsum(axis=None, dtype=None)", "Cumulative sum."),
    method("cumprod", "a.cumprod(axis=None, dtype=None)", "Cumulative product."),
    method("dot", "a.dot(b)", "Dot product."),
    method("reshape", "a.reshape(shape, order='C')", "Array with a new shape (a view when possible)."),
    method("ravel", "a.ravel(order='C')", "Flattened array (a view when possible)."),
    method("flatten", "a.flatten(order='C')", "Flattened copy."),
    method("transpose", "a.transpose(*axes)", "Permutes the axes (a view)."),
    method("astype", "a.astype(dtype, copy=True)", "Copy cast to a dtype."),
    method("sort", "a.sort(axis=-1, kind=None)", "Sorts in place."),
    method("argsort", "a.argsort(axis=-1, kind=None)", "Indices that sort the array."),
    method("fill", "a.fill(value)", "Fills the array with a scalar, in place."),
    method("any", "a.any(axis=None)", "Whether any element is true."),
    method("all", "a.all(axis=None)", "Whether all elements are true."),
    method("clip", "a.clip(min=None, max=None)", "Limits values to an interval."),
    method("round", "a.round(decimals=0)", "Rounds to a number of decimals."),
    method("nonzero", "a.nonzero()", "Indices of the nonzero elements, one array per axis."),
    method("squeeze", "a.squeeze(axis=None)", "Removes length-1 axes (a view)."),
    method("swapaxes", "a.swapaxes(axis1, axis2)", "Interchanges two axes (a view)."),
    method("item", "a.item(*args)", "One element as a Python scalar."),
    method("conj", "a.conj()", "Complex conjugate."),
    method("conjugate", "a.conjugate()", "Complex conjugate."),
    method("trace", "a.trace(offset=0, axis1=0, axis2=1)", "Sum along a diagonal."),
    method("diagonal", "a.diagonal(offset=0, axis1=0, axis2=1)", "A diagonal (a read-only view)."),
    method("repeat", "a.repeat(repeats, axis=None)", "Repeats each element."),
    method("searchsorted", "a.searchsorted(v, side='left')", "Indices where values would be inserted (the array sorted)."),
    NpEntry {
        name: "copy",
        kind: Kind::Method,
        how: How::Native,
        signature: "a.copy()",
        result: ResultType::Rule("the array's dtype and ndim, C layout, writable (other forms are not supported)"),
        doc: "C-contiguous copy, compiled natively.",
    },
    // Array attributes.
    attr("shape", How::Native, ResultType::Rule("a tuple of ndim ints"), "The extent of each axis."),
    attr("ndim", How::Native, ResultType::Rule("int"), "The number of axes."),
    attr("size", How::Native, ResultType::Rule("int"), "The number of elements."),
    attr("itemsize", How::Native, ResultType::Rule("int"), "The size of one element in bytes."),
    attr("dtype", How::Native, ResultType::Rule("the array's dtype descriptor"), "The element type."),
    attr("T", How::Native, ResultType::Rule("a view of the same dtype and ndim, C and F layouts swapped"), "The transposed array (a view)."),
    attr("real", How::NumPy, ResultType::Probe, "The real part (a view for complex arrays, computed natively: no call into NumPy)."),
    attr("imag", How::NumPy, ResultType::Probe, "The imaginary part (a view for complex arrays, computed natively: no call into NumPy)."),
    // Scalar types (NumPy's names).
    scalar("bool_", Dtype::Bool, "np.bool_(x=False)", "The bool scalar type."),
    scalar("int32", Dtype::Int32, "np.int32(x=0)", "The 32-bit int scalar type."),
    scalar("int64", Dtype::Int64, "np.int64(x=0)", "The 64-bit int scalar type."),
    scalar("float32", Dtype::Float32, "np.float32(x=0.0)", "The single-precision float scalar type."),
    scalar("float64", Dtype::Float64, "np.float64(x=0.0)", "The double-precision float scalar type."),
    scalar("complex128", Dtype::Complex128, "np.complex128(x=0)", "The double-precision complex scalar type."),
    scalar("int8", Dtype::Int8, "np.int8(x=0)", "The 8-bit int scalar type."),
    scalar("int16", Dtype::Int16, "np.int16(x=0)", "The 16-bit int scalar type."),
    scalar("uint8", Dtype::UInt8, "np.uint8(x=0)", "The 8-bit unsigned int scalar type."),
    scalar("uint16", Dtype::UInt16, "np.uint16(x=0)", "The 16-bit unsigned int scalar type."),
    scalar("uint32", Dtype::UInt32, "np.uint32(x=0)", "The 32-bit unsigned int scalar type."),
    scalar("uint64", Dtype::UInt64, "np.uint64(x=0)", "The 64-bit unsigned int scalar type."),
    scalar("float16", Dtype::Float16, "np.float16(x=0.0)", "The half-precision float scalar type."),
    scalar("complex64", Dtype::Complex64, "np.complex64(x=0)", "The single-precision complex scalar type."),
    // Module constants (folded at compile time, as every int, float or None global is).
    constant("pi", "float", "The constant pi."),
    constant("e", "float", "Euler's number."),
    constant("inf", "float", "Positive infinity."),
    constant("nan", "float", "Not a number."),
    constant("newaxis", "None", "Inserts a length-1 axis when indexing (an alias of None)."),
    // numpy.random: called through NumPy at run time (so the stream is NumPy's own and
    // its state advances exactly as in plain Python), typed by a fixed rule: probing
    // would draw numbers.
    // numpy.linalg: calls into NumPy (LAPACK); results that are named tuples
    // (eig, eigh, svd, qr, slogdet on NumPy 2) may only be unpacked or indexed.
    linalg("norm", "np.linalg.norm(x, ord=None, axis=None, keepdims=False)", "matrix or vector norm."),
    linalg("solve", "np.linalg.solve(a, b)", "solution of the linear system `a @ x = b`."),
    linalg("inv", "np.linalg.inv(a)", "inverse of a square matrix."),
    linalg("det", "np.linalg.det(a)", "determinant."),
    linalg("slogdet", "np.linalg.slogdet(a)", "sign and natural log of the determinant (a named tuple on NumPy 2)."),
    linalg("eig", "np.linalg.eig(a)", "eigenvalues and right eigenvectors (a named tuple on NumPy 2)."),
    linalg("eigh", "np.linalg.eigh(a, UPLO='L')", "eigen-decomposition of a Hermitian matrix (a named tuple on NumPy 2)."),
    linalg("eigvals", "np.linalg.eigvals(a)", "eigenvalues."),
    linalg("eigvalsh", "np.linalg.eigvalsh(a, UPLO='L')", "eigenvalues of a Hermitian matrix."),
    linalg(
        "svd",
        "np.linalg.svd(a, full_matrices=True, compute_uv=True, hermitian=False)",
        "singular value decomposition (a named tuple on NumPy 2 with `compute_uv`).",
    ),
    linalg("qr", "np.linalg.qr(a, mode='reduced')", "QR decomposition (a named tuple on NumPy 2)."),
    linalg("cholesky", "np.linalg.cholesky(a)", "Cholesky factor."),
    linalg("lstsq", "np.linalg.lstsq(a, b, rcond=None)", "least-squares solution, residuals, rank and singular values."),
    linalg("pinv", "np.linalg.pinv(a, rcond=None, hermitian=False)", "Moore-Penrose pseudo-inverse."),
    linalg("matrix_power", "np.linalg.matrix_power(a, n)", "integer power of a square matrix."),
    linalg("matrix_rank", "np.linalg.matrix_rank(A, tol=None, hermitian=False)", "rank by SVD."),
    linalg("cond", "np.linalg.cond(x, p=None)", "condition number."),
    linalg("multi_dot", "np.linalg.multi_dot(arrays)", "chained dot product in the cheapest order."),
    linalg("tensorsolve", "np.linalg.tensorsolve(a, b, axes=None)", "solution of a tensor equation."),
    linalg("tensorinv", "np.linalg.tensorinv(a, ind=2)", "inverse of a tensor."),
    linalg("svdvals", "np.linalg.svdvals(x)", "singular values (NumPy 2)."),
    linalg("vector_norm", "np.linalg.vector_norm(x, axis=None, keepdims=False, ord=2)", "vector norm (NumPy 2)."),
    linalg("matrix_norm", "np.linalg.matrix_norm(x, keepdims=False, ord='fro')", "matrix norm (NumPy 2)."),
    random("seed", draws(Draw::Nothing, None), "np.random.seed(seed=None)", "reseeds NumPy's global generator."),
    native(random("random", draws(Draw::Float, Some(0)), "np.random.random(size=None)", "uniform floats in [0, 1) (native without `size`).")),
    native(random("random_sample", draws(Draw::Float, Some(0)), "np.random.random_sample(size=None)", "uniform floats in [0, 1) (native without `size`).")),
    native(random("rand", DIMS, "np.random.rand(d0, d1, ..., dn)", "uniform floats in [0, 1), shape from the arguments (native without them).")),
    native(random("randn", DIMS, "np.random.randn(d0, d1, ..., dn)", "standard normal floats, shape from the arguments (native without them: the polar method, its second value kept in NumPy's RandomState as NumPy keeps it).")),
    native(random("standard_normal", draws(Draw::Float, Some(0)), "np.random.standard_normal(size=None)", "standard normal floats (native without `size`, as `randn()`).")),
    native(random("normal", draws(Draw::Float, Some(2)), "np.random.normal(loc=0.0, scale=1.0, size=None)", "normal floats, `loc + scale * z` (native without `size`, as `randn()`; a negative or NaN `scale` is NumPy's call).")),
    native(random("uniform", draws(Draw::Float, Some(2)), "np.random.uniform(low=0.0, high=1.0, size=None)", "uniform floats in [low, high) (native without `size`).")),
    native(random("exponential", draws(Draw::Float, Some(1)), "np.random.exponential(scale=1.0, size=None)", "exponential floats, `scale * -log(1 - U)` (native without `size`; a negative or NaN `scale` is NumPy's call).")),
    native(random("standard_exponential", draws(Draw::Float, Some(0)), "np.random.standard_exponential(size=None)", "exponential floats, scale 1: `-log(1 - U)` (native without `size`).")),
    native(random("sample", draws(Draw::Float, Some(0)), "np.random.sample(size=None)", "uniform floats in [0, 1), as `random_sample` (native without `size`).")),
    native(random("ranf", draws(Draw::Float, Some(0)), "np.random.ranf(size=None)", "uniform floats in [0, 1), as `random_sample` (native without `size`).")),
    native(random("gamma", draws(Draw::Float, Some(2)), "np.random.gamma(shape, scale=1.0, size=None)", "gamma floats (native without `size`: Marsaglia-Tsang on the polar-method gaussians for shape > 1, the legacy rejection below 1).")),
    native(random("standard_gamma", draws(Draw::Float, Some(1)), "np.random.standard_gamma(shape, size=None)", "gamma floats of scale 1 (native without `size`, as `gamma`).")),
    native(random("beta", draws(Draw::Float, Some(2)), "np.random.beta(a, b, size=None)", "beta floats (native without `size`: Johnk's method for a, b <= 1 (both >= 0.05), a ratio of gammas otherwise).")),
    native(random("chisquare", draws(Draw::Float, Some(1)), "np.random.chisquare(df, size=None)", "chi-square floats, `2 * standard_gamma(df / 2)` (native without `size`).")),
    native(random("lognormal", draws(Draw::Float, Some(2)), "np.random.lognormal(mean=0.0, sigma=1.0, size=None)", "log-normal floats, `exp(normal(mean, sigma))` (native without `size`).")),
    native(random("laplace", draws(Draw::Float, Some(2)), "np.random.laplace(loc=0.0, scale=1.0, size=None)", "Laplace floats (native without `size`: inversion).")),
    native(random("logistic", draws(Draw::Float, Some(2)), "np.random.logistic(loc=0.0, scale=1.0, size=None)", "logistic floats (native without `size`: inversion).")),
    native(random("gumbel", draws(Draw::Float, Some(2)), "np.random.gumbel(loc=0.0, scale=1.0, size=None)", "Gumbel floats (native without `size`: inversion).")),
    native(random("triangular", draws(Draw::Float, Some(3)), "np.random.triangular(left, mode, right, size=None)", "triangular floats (native without `size`: inversion).")),
    native(random("rayleigh", draws(Draw::Float, Some(1)), "np.random.rayleigh(scale=1.0, size=None)", "Rayleigh floats, `scale * sqrt(-2 log1p(-U))` (native without `size`).")),
    native(random("weibull", draws(Draw::Float, Some(1)), "np.random.weibull(a, size=None)", "Weibull floats, `E ** (1 / a)` (native without `size`).")),
    native(random("pareto", draws(Draw::Float, Some(1)), "np.random.pareto(a, size=None)", "Pareto II floats, `exp(E / a) - 1` (native without `size`).")),
    native(random("standard_cauchy", draws(Draw::Float, Some(0)), "np.random.standard_cauchy(size=None)", "Cauchy floats, a ratio of two polar-method gaussians (native without `size` or with an int/tuple one).")),
    native(random("standard_t", draws(Draw::Float, Some(1)), "np.random.standard_t(df, size=None)", "Student's t floats (native: a gaussian over the root of a gamma).")),
    native(random("power", draws(Draw::Float, Some(1)), "np.random.power(a, size=None)", "power-law floats in [0, 1], `(1 - exp(-E)) ** (1 / a)` (native).")),
    native(random("f", draws(Draw::Float, Some(2)), "np.random.f(dfnum, dfden, size=None)", "F floats, a ratio of chi-squares (native).")),
    native(random("negative_binomial", draws(Draw::Int, Some(2)), "np.random.negative_binomial(n, p, size=None)", "negative binomial ints, a Poisson of a gamma mean (native for n in [0.1, 1e9] and a mean up to 1e9; otherwise NumPy's call).")),
    native(random("wald", draws(Draw::Float, Some(2)), "np.random.wald(mean, scale, size=None)", "inverse Gaussian floats (native: Michael, Schucany and Haas's transformation).")),
    native(random("hypergeometric", draws(Draw::Int, Some(3)), "np.random.hypergeometric(ngood, nbad, nsample, size=None)", "hypergeometric ints (native for int arguments, ngood and nbad below 10**9: the HYP inversion for samples up to 10, Stadlober's ratio of uniforms (HRUA) above).")),
    native(random("vonmises", draws(Draw::Float, Some(2)), "np.random.vonmises(mu, kappa, size=None)", "von Mises floats in [-pi, pi] (native: Best and Fisher's rejection; a uniform for kappa < 1e-8).")),
    native(random("zipf", draws(Draw::Int, Some(1)), "np.random.zipf(a, size=None)", "Zipf ints (native for 1 < a < 1025: rejection from a Pareto).")),
    native(random("logseries", draws(Draw::Int, Some(1)), "np.random.logseries(p, size=None)", "logarithmic series ints (native: Kemp's accelerated generator).")),
    native(random("noncentral_chisquare", draws(Draw::Float, Some(2)), "np.random.noncentral_chisquare(df, nonc, size=None)", "noncentral chi-square floats (native: a chi-square plus a shifted polar-method gaussian squared for df > 1, a Poisson mixture of chi-squares otherwise).")),
    native(random("noncentral_f", draws(Draw::Float, Some(3)), "np.random.noncentral_f(dfnum, dfden, nonc, size=None)", "noncentral F floats, a noncentral chi-square over a chi-square (native).")),
    native(random("randint", draws(Draw::Int, Some(2)), "np.random.randint(low, high=None, size=None)", "uniform ints in [low, high) (default int dtype; native without `size`: NumPy's masked rejection).")),
    native(random("poisson", draws(Draw::Int, Some(1)), "np.random.poisson(lam=1.0, size=None)", "Poisson ints (native without `size`: multiplication of uniforms below lam = 10, Hoermann's PTRS above).")),
    native(random("binomial", draws(Draw::Int, Some(2)), "np.random.binomial(n, p, size=None)", "binomial ints (native without `size`, an int n: inversion below n p = 30, BTPE above).")),
    native(random("geometric", draws(Draw::Int, Some(1)), "np.random.geometric(p, size=None)", "geometric ints (native without `size`: search for p >= 1/3, inversion below).")),
    random_as("dirichlet", draws(Draw::Dirichlet, Some(1)), How::Native, VECTOR_RESULT, "np.random.dirichlet(alpha, size=None)", "Dirichlet float vectors (`alpha` a 1-d array or a list/tuple of numbers; native for a float64 array of positive finite values: normalised polar-method gammas; otherwise NumPy's own call, typed by rule: no sample draw)."),
    random_as("multinomial", draws(Draw::Multinomial, Some(2)), How::Native, VECTOR_RESULT, "np.random.multinomial(n, pvals, size=None)", "multinomial int vectors (an int `n`, `pvals` a 1-d array or a list/tuple of numbers; native for a float64 array NumPy accepts: sequential binomials, the Generator's algorithm as NumPy draws them; otherwise NumPy's own call, typed by rule: no sample draw)."),
    random_as("choice", draws(Draw::Choice, Some(1)), How::Native, ARG_RESULT, "np.random.choice(a, size=None, replace=True, p=None)", "a random sample from `a` (an int n: range(n); a 1-d array); `choice(n)` and `choice(a)` of a 1-d array, alone or with an int/tuple `size`, are native (as `randint(0, n)`, `a[randint(0, len(a))]`)."),
    random_as("permutation", draws(Draw::Permutation, None), How::Native, ARG_RESULT, "np.random.permutation(x)", "a permuted range (an int) or a permuted copy of an array (native for an int and a 1-d array: NumPy's Fisher-Yates with masked rejection, on a C-contiguous copy of the array)."),
    random_as("shuffle", draws(Draw::Shuffle, None), How::Native, ARG_RESULT, "np.random.shuffle(x)", "shuffles an array in place along its first axis (native: NumPy's Fisher-Yates with masked rejection, of the elements or the rows; an empty array or a view sharing memory between elements is NumPy's call)."),
    random_as("default_rng", draws(Draw::Generator, None), How::NumPy, "a `numpy.random.Generator`, held by compiled code as an object (see the Generator methods)", "np.random.default_rng(seed=None)", "a new Generator (PCG64) seeded with an int or None."),
    // numpy.random.Generator methods (`rng` made by `default_rng` in compiled code, an
    // argument or a module global): calls into NumPy (exact), except the natively drawn
    // scalar draws (see the runtime's `helpers/random.rs`).
    generator("random", draws(Draw::Float, Some(0)), How::Native, "rng.random(size=None)", "uniform floats in [0, 1) (native without `size`)."),
    generator("integers", draws(Draw::NpInt, Some(2)), How::Native, "rng.integers(low, high=None, size=None, endpoint=False)", "uniform ints in [low, high) ([low, high] with `endpoint=True`; native without `size`: Lemire's method on NumPy's bit generator)."),
    generator("uniform", draws(Draw::Float, Some(2)), How::Native, "rng.uniform(low=0.0, high=1.0, size=None)", "uniform floats in [low, high) (native without `size`)."),
    generator("normal", draws(Draw::Float, Some(2)), How::Native, "rng.normal(loc=0.0, scale=1.0, size=None)", "normal floats, `loc + scale * z` (native without `size`: NumPy's ziggurat; a negative or NaN `scale` is NumPy's call)."),
    generator("standard_normal", draws(Draw::Float, Some(0)), How::Native, "rng.standard_normal(size=None)", "standard normal floats (native without `size`: NumPy's ziggurat)."),
    generator("exponential", draws(Draw::Float, Some(1)), How::Native, "rng.exponential(scale=1.0, size=None)", "exponential floats, `scale * e` (native without `size`: NumPy's ziggurat; a negative or NaN `scale` is NumPy's call)."),
    generator("standard_exponential", draws(Draw::Float, Some(0)), How::Native, "rng.standard_exponential(size=None)", "exponential floats, scale 1 (native without `size`: NumPy's ziggurat)."),
    generator("gamma", draws(Draw::Float, Some(2)), How::Native, "rng.gamma(shape, scale=1.0, size=None)", "gamma floats (native without `size`: Marsaglia-Tsang on the ziggurat's normals for shape > 1, rejection below 1)."),
    generator("standard_gamma", draws(Draw::Float, Some(1)), How::Native, "rng.standard_gamma(shape, size=None)", "gamma floats of scale 1 (native without `size`, as `gamma`)."),
    generator("beta", draws(Draw::Float, Some(2)), How::Native, "rng.beta(a, b, size=None)", "beta floats (native without `size`: Johnk's method for a, b <= 1 (both >= 0.05), a ratio of gammas otherwise)."),
    generator("chisquare", draws(Draw::Float, Some(1)), How::Native, "rng.chisquare(df, size=None)", "chi-square floats, `2 * standard_gamma(df / 2)` (native without `size`)."),
    generator("lognormal", draws(Draw::Float, Some(2)), How::Native, "rng.lognormal(mean=0.0, sigma=1.0, size=None)", "log-normal floats, `exp(normal(mean, sigma))` (native without `size`)."),
    generator("laplace", draws(Draw::Float, Some(2)), How::Native, "rng.laplace(loc=0.0, scale=1.0, size=None)", "Laplace floats (native without `size`: inversion)."),
    generator("logistic", draws(Draw::Float, Some(2)), How::Native, "rng.logistic(loc=0.0, scale=1.0, size=None)", "logistic floats (native without `size`: inversion)."),
    generator("gumbel", draws(Draw::Float, Some(2)), How::Native, "rng.gumbel(loc=0.0, scale=1.0, size=None)", "Gumbel floats (native without `size`: inversion)."),
    generator("triangular", draws(Draw::Float, Some(3)), How::Native, "rng.triangular(left, mode, right, size=None)", "triangular floats (native without `size`: inversion)."),
    generator("rayleigh", draws(Draw::Float, Some(1)), How::Native, "rng.rayleigh(scale=1.0, size=None)", "Rayleigh floats, `scale * sqrt(2 E)` (native without `size`)."),
    generator("weibull", draws(Draw::Float, Some(1)), How::Native, "rng.weibull(a, size=None)", "Weibull floats, `E ** (1 / a)` (native without `size`)."),
    generator("pareto", draws(Draw::Float, Some(1)), How::Native, "rng.pareto(a, size=None)", "Pareto II floats, `expm1(E / a)` (native without `size`)."),
    generator("standard_cauchy", draws(Draw::Float, Some(0)), How::Native, "rng.standard_cauchy(size=None)", "Cauchy floats, a ratio of two ziggurat normals (native)."),
    generator("standard_t", draws(Draw::Float, Some(1)), How::Native, "rng.standard_t(df, size=None)", "Student's t floats (native: a normal over the root of a gamma)."),
    generator("power", draws(Draw::Float, Some(1)), How::Native, "rng.power(a, size=None)", "power-law floats in [0, 1], `(-expm1(-E)) ** (1 / a)` (native)."),
    generator("f", draws(Draw::Float, Some(2)), How::Native, "rng.f(dfnum, dfden, size=None)", "F floats, a ratio of chi-squares (native)."),
    generator("negative_binomial", draws(Draw::Int, Some(2)), How::Native, "rng.negative_binomial(n, p, size=None)", "negative binomial ints, a Poisson of a gamma mean (native for n in [0.1, 1e9] and a mean up to 1e9; otherwise NumPy's call)."),
    generator("wald", draws(Draw::Float, Some(2)), How::Native, "rng.wald(mean, scale, size=None)", "inverse Gaussian floats (native: Michael, Schucany and Haas's transformation, the cancellation-free form)."),
    generator("hypergeometric", draws(Draw::Int, Some(3)), How::Native, "rng.hypergeometric(ngood, nbad, nsample, size=None)", "hypergeometric ints (native for int arguments: one masked-rejection draw per item for samples under 10 or within 10 of the population, Stadlober's ratio of uniforms (HRUA) otherwise)."),
    generator("vonmises", draws(Draw::Float, Some(2)), How::Native, "rng.vonmises(mu, kappa, size=None)", "von Mises floats in [-pi, pi] (native: Best and Fisher's rejection; a uniform for kappa < 1e-8, a wrapped normal above 1e6)."),
    generator("zipf", draws(Draw::Int, Some(1)), How::Native, "rng.zipf(a, size=None)", "Zipf ints (native: rejection from a Pareto, the uniform on (Umin, 1] as NumPy 2.1+ draws it, 1 - U before)."),
    generator("logseries", draws(Draw::Int, Some(1)), How::Native, "rng.logseries(p, size=None)", "logarithmic series ints (native: Kemp's accelerated generator with log1p/expm1)."),
    generator("noncentral_chisquare", draws(Draw::Float, Some(2)), How::Native, "rng.noncentral_chisquare(df, nonc, size=None)", "noncentral chi-square floats (native: a chi-square plus a shifted ziggurat normal squared for df > 1, a Poisson mixture of chi-squares otherwise)."),
    generator("noncentral_f", draws(Draw::Float, Some(3)), How::Native, "rng.noncentral_f(dfnum, dfden, nonc, size=None)", "noncentral F floats, a noncentral chi-square over a chi-square (native)."),
    generator("poisson", draws(Draw::Int, Some(1)), How::Native, "rng.poisson(lam=1.0, size=None)", "Poisson ints (native without `size`: multiplication of uniforms below lam = 10, Hoermann's PTRS above)."),
    generator("binomial", draws(Draw::Int, Some(2)), How::Native, "rng.binomial(n, p, size=None)", "binomial ints (native without `size`, an int n: inversion below n p = 30, BTPE above)."),
    generator("geometric", draws(Draw::Int, Some(1)), How::Native, "rng.geometric(p, size=None)", "geometric ints (native without `size`: search for p >= 1/3, inversion of an exponential below)."),
    generator("dirichlet", draws(Draw::Dirichlet, Some(1)), How::Native, "rng.dirichlet(alpha, size=None)", "Dirichlet float vectors (`alpha` a 1-d array or a list/tuple of numbers; native for a float64 array of positive finite values, not all below 0.1: normalised ziggurat-based gammas; otherwise (the stick-breaking with betas for small alpha, lists) NumPy's own call, typed by rule: no sample draw)."),
    generator("multinomial", draws(Draw::Multinomial, Some(2)), How::Native, "rng.multinomial(n, pvals, size=None)", "multinomial int vectors (an int `n`, `pvals` a 1-d array or a list/tuple of numbers; native for a float64 array NumPy accepts: sequential binomials; otherwise NumPy's own call, typed by rule: no sample draw; an array `n` or a 2-d `pvals`, which broadcast, are not compiled)."),
    generator("choice", draws(Draw::Choice, Some(1)), How::Native, "rng.choice(a, size=None, replace=True, p=None)", "a random sample from `a` (an int n: range(n); a 1-d array); `choice(n)` and `choice(a)` of a 1-d array, alone or with an int/tuple `size`, are native (as `integers(0, n)`, a Python int; `a[integers(0, len(a))]`)."),
    generator("permutation", draws(Draw::Permutation, None), How::Native, "rng.permutation(x)", "a permuted range (an int) or a permuted copy of an array (native for an int and a 1-d array: NumPy's Fisher-Yates with masked rejection, on a C-contiguous copy of the array)."),
    generator("shuffle", draws(Draw::Shuffle, None), How::Native, "rng.shuffle(x)", "shuffles an array in place along its first axis (native: NumPy's Fisher-Yates with masked rejection, of the elements or the rows; an empty array or a view sharing memory between elements is NumPy's call)."),
];

/// The module-level row named `name` (a function, scalar type or constant).
pub fn lookup_function(name: &str) -> Option<&'static NpEntry> {
    NUMPY
        .iter()
        .find(|e| e.name == name && matches!(e.kind, Kind::Function | Kind::ScalarType | Kind::Constant))
}

/// Whether compiled code calls the array method `name` through NumPy
/// (typed by probing; `copy` is native and not one of them).
pub fn is_array_method(name: &str) -> bool {
    NUMPY
        .iter()
        .any(|e| e.name == name && e.kind == Kind::Method && e.how == How::NumPy)
}

/// Whether compiled code reads the array attribute `name` through NumPy
/// (typed by probing; `shape`, `dtype`, ... are native).
pub fn is_array_attribute(name: &str) -> bool {
    NUMPY
        .iter()
        .any(|e| e.name == name && e.kind == Kind::Attribute && e.how == How::NumPy)
}

/// The `numpy` functions compiled code calls through NumPy (besides every ufunc).
pub fn numpy_functions() -> impl Iterator<Item = &'static str> {
    NUMPY
        .iter()
        .filter(|e| e.kind == Kind::Function && e.how == How::NumPy)
        .map(|e| e.name)
}

/// The `numpy` functions compiled natively, with the compiler builtin each is.
pub fn native_builtins() -> impl Iterator<Item = (&'static str, Builtin)> {
    NUMPY.iter().filter_map(|e| match e.how {
        How::Builtin(b) => Some((e.name, b)),
        _ => None,
    })
}

/// The scalar types, by their name in `numpy`.
pub fn scalar_types() -> impl Iterator<Item = (&'static str, Dtype)> {
    NUMPY.iter().filter_map(|e| match e.how {
        How::Dtype(d) => Some((e.name, d)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_random_function_has_a_rule() {
        for name in random_functions() {
            assert!(random_rule(name).is_some(), "{name}");
        }
        assert_eq!(random_rule("normal").unwrap().size_at, Some(2));
        assert!(random_rule("rand").unwrap().dims);
        assert!(random_rule("sum").is_none());
        assert_eq!(generator_rule("integers").unwrap().draw, Draw::NpInt);
        assert!(generator_rule("randint").is_none());
        assert_eq!(random_rule("default_rng").unwrap().draw, Draw::Generator);
    }

    #[test]
    fn names_unique_and_documented() {
        let mut seen = HashSet::new();
        for e in NUMPY {
            // A name may be both a function and a method; never twice the same kind of name.
            let space = match e.kind {
                Kind::Method | Kind::Attribute => "ndarray",
                Kind::RandomFunction(_) => "numpy.random",
                Kind::GeneratorMethod(_) => "Generator",
                Kind::LinalgFunction => "numpy.linalg",
                _ => "numpy",
            };
            assert!(seen.insert((space, e.name)), "duplicate row {space}.{}", e.name);
            assert!(!e.doc.trim().is_empty(), "row {} has no doc", e.name);
            assert!(
                !e.doc.contains('\n') && e.doc.ends_with('.'),
                "row {}: one-line doc",
                e.name
            );
            if matches!(
                e.kind,
                Kind::Function
                    | Kind::Method
                    | Kind::RandomFunction(_)
                    | Kind::GeneratorMethod(_)
                    | Kind::LinalgFunction
            ) {
                assert!(
                    e.signature.contains(&format!("{}(", e.name)),
                    "row {}: signature",
                    e.name
                );
            }
            if e.how == How::NumPy && !matches!(e.kind, Kind::RandomFunction(_) | Kind::GeneratorMethod(_)) {
                assert_eq!(
                    e.result,
                    ResultType::Probe,
                    "row {}: NumPy calls are typed by probing",
                    e.name
                );
            }
        }
    }

    #[test]
    fn queries() {
        assert!(is_array_method("sum") && is_array_method("searchsorted"));
        assert!(!is_array_method("copy") && !is_array_method("shape") && !is_array_method("nope"));
        assert!(is_array_attribute("real") && is_array_attribute("imag"));
        assert!(!is_array_attribute("shape") && !is_array_attribute("sum"));
        assert!(numpy_functions().any(|n| n == "histogram"));
        assert!(!numpy_functions().any(|n| n == "zeros"));
        assert_eq!(
            lookup_function("zeros").map(|e| e.how),
            Some(How::Builtin(Builtin::NpAlloc(AllocKind::Zeros)))
        );
        assert_eq!(lookup_function("ufunc"), None);
        assert_eq!(native_builtins().count(), 6);
    }

    #[test]
    fn scalar_types_cover_dtypes() {
        let got: Vec<(&str, Dtype)> = scalar_types().collect();
        // (np.datetime64 / np.timedelta64 are one type for every unit: not in the table.)
        let want: Vec<(&str, Dtype)> = Dtype::ALL
            .iter()
            .filter(|d| !d.is_time())
            .map(|&d| (if d == Dtype::Bool { "bool_" } else { d.name() }, d))
            .collect();
        assert_eq!(got, want);
    }
}

/// What a `numpy.random` function draws, for its fixed typing rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    Float,
    Int,
    /// `seed`: returns None.
    Nothing,
    /// `Generator.integers`: a NumPy int64 scalar (an int64 array with `size`).
    NpInt,
    /// `default_rng`: a `numpy.random.Generator`.
    Generator,
    /// `choice(a, ...)`: elements of `a` (an int n: range(n)).
    Choice,
    /// `permutation(x)`: an int64 array (`x` an int) or a shuffled copy of `x`.
    Permutation,
    /// `shuffle(x)`: None, `x` shuffled in place.
    Shuffle,
    /// `dirichlet(alpha, size)`: a float64 array of shape `size + (len(alpha),)`.
    Dirichlet,
    /// `multinomial(n, pvals, size)`: an int64 array of shape `size + (len(pvals),)`.
    Multinomial,
}

/// How a `numpy.random` function of [`NUMPY`] is typed (no probing: that would draw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomRule {
    pub draw: Draw,
    /// The position of `size` among the positional arguments (it may also be a keyword).
    pub size_at: Option<usize>,
    /// `rand`/`randn`: the positional arguments are the dimensions.
    pub dims: bool,
}

/// The typing rule of the `numpy.random` function `name`, if the library has it.
pub fn random_rule(name: &str) -> Option<RandomRule> {
    NUMPY.iter().find_map(|e| match e.kind {
        Kind::RandomFunction(rule) if e.name == name => Some(rule),
        _ => None,
    })
}

/// The names of the `numpy.linalg` functions compiled code calls.
pub fn linalg_functions() -> impl Iterator<Item = &'static str> {
    NUMPY.iter().filter(|e| e.kind == Kind::LinalgFunction).map(|e| e.name)
}

/// The names of the `numpy.random` functions compiled code calls.
pub fn random_functions() -> impl Iterator<Item = &'static str> {
    NUMPY
        .iter()
        .filter(|e| matches!(e.kind, Kind::RandomFunction(_)))
        .map(|e| e.name)
}

/// The typing rule of the `numpy.random.Generator` method `name`, if the library has it.
pub fn generator_rule(name: &str) -> Option<RandomRule> {
    NUMPY.iter().find_map(|e| match e.kind {
        Kind::GeneratorMethod(rule) if e.name == name => Some(rule),
        _ => None,
    })
}
