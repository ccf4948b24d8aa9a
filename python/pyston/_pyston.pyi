"""The native module: the compiled-function object, the opt-in flag table and the NumPy library."""

from typing import Any, Callable, Literal, Optional, Union, final

__version__: str

#: One ``(name, kind, default, choices, doc)`` per opt-in flag, in
#: documentation order (the table ``pyston_optin::FLAGS``). ``kind`` is
#: ``"bool"`` (``choices`` is ``(True, False)``) or ``"choice"`` (``choices``
#: are the accepted strings); ``default`` is the strict value; ``doc`` says
#: what setting the flag away from its default does.
FLAGS: tuple[tuple[str, Literal["bool", "choice"], Union[bool, str], tuple[Union[bool, str], ...], str], ...]

def check_flag(name: str, value: Union[bool, str]) -> Union[bool, str]:
    """``value`` (as given to ``fast(name=value)``) checked against the flag table, and returned.

    Raises ``TypeError`` for an unknown flag or a value that is neither a
    ``bool`` nor a ``str``, ``ValueError`` for a value the flag does not take.
    """

def parse_flag(name: str, text: str) -> Union[bool, str]:
    """The value of ``name=text`` in an ``optin="..."`` string.

    Booleans are spelled ``true/false/1/0/yes/no/on/off`` (any case). Raises
    ``TypeError`` for an unknown flag, ``ValueError`` for a bad value.
    """

def pycall_count() -> int:
    """How many calls into Python/NumPy compiled code has made (the small-array pass makes none in row loops)."""

def bitgen_kind(bit_generator: object) -> str:
    """How compiled code draws from a NumPy bit generator: ``"mt19937"`` or ``"pcg64"`` natively (the kind checked
    against NumPy once per process), ``"foreign"`` through its ``bitgen_t`` functions."""

def dot_seq_limit() -> int:
    """Up to which length compiled code computes float64 ``np.dot`` itself (measured against this process's BLAS;
    negative: as a chain of fused multiply-adds)."""

def native_ddot() -> bool:
    """Whether compiled code calls the BLAS ``ddot`` NumPy calls for float64 vector dots (found and checked)."""

def complex_mul_kind() -> int:
    """How this NumPy multiplies complex128 arrays, as the fusion pass reproduces it: 0 not reproduced (compiled
    code calls NumPy), 1 the plain formula, 2 with fused multiply-adds (its AVX2/AVX-512/NEON loops)."""

def cscalar_ufuncs() -> tuple[list[str], list[str]]:
    """The ufuncs of complex NumPy scalars compiled code computes with NumPy's own inner loop on one element
    (each loop found and checked against NumPy's scalar call): complex128's, then complex64's."""

def native_complex_matrices() -> tuple[bool, bool]:
    """Whether compiled code calls, for small complex128 matrices, the BLAS ``zgemm`` NumPy calls for ``A @ B``
    and NumPy's own complex multiply loop for ``A * s`` (each found and checked against NumPy)."""

def isa() -> str:
    """The vector level the runtime's whole-array kernels run at (its pairwise sums): ``"sse2"`` (``"base"`` off
    x86-64), ``"avx2"`` or ``"avx512"``; the CPU's best, capped by ``PYSTON_ISA`` and ``set_isa``."""

def set_isa(name: Optional[str] = None) -> str:
    """Caps the level of the whole-array kernels at ``name`` (``"sse2"``/``"base"``, ``"avx2"``, ``"avx512"``;
    never above what the CPU has), or restores the default for ``None``; returns the level now in use. Every level
    gives the same results bit for bit (for tests and benchmarks). ``ValueError`` for an unknown name."""

def numpy_library() -> list[dict[str, str]]:
    """The NumPy library of compiled code (the table ``NUMPY`` in
    ``numeric/src/numpy_lib.rs``), one dict per row with the keys ``name``,
    ``kind`` (``"function"``, ``"method"``, ``"attribute"``, ``"ufunc"``,
    ``"scalar type"``, ``"constant"``), ``how`` (``"native"``: compiled code's
    own implementation, ``"numpy"``: a call into NumPy), ``signature`` (as
    NumPy documents it), ``result`` (``"probe"``: typed by calling it on sample
    values at compile time; otherwise the fixed rule) and ``doc``.
    """

@final
class Dispatcher:
    """A compiled function (``pyston.fast``, ``pyston.njit``); call it like the original.

    It compiles on the first call for each combination of argument types
    (a *specialization*) and keeps every specialization for later calls.
    """

    def __init__(self, py_func: Callable[..., Any], preset: Literal["strict", "numba"] = "strict", **flags: Union[bool, str]) -> None:
        """Wraps ``py_func``; nothing is compiled yet.

        ``preset`` is the starting semantics: ``"strict"`` (CPython's,
        ``pyston.fast``) or ``"numba"`` (Numba's, ``pyston.njit``). ``flags``
        are opt-in flags of ``FLAGS`` applied on top (``unchecked_int=True``,
        ``error_model="numpy"``, ...). An unknown flag raises ``TypeError``, a
        bad value or an unknown preset ``ValueError``.
        """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Calls the compiled code for these argument types (compiling it first if needed).

        Keyword arguments and omitted defaults bind as in CPython. After
        ``restrict(True)``, argument types with no compiled signature raise
        ``TypeError`` instead of compiling.
        """

    def __get__(self, obj: Any, objtype: Optional[type] = None) -> Any:
        """Descriptor protocol: on an instance, a bound method; on the class, the dispatcher itself."""

    def compile_types(
        self,
        signatures: list[list[tuple[Any, ...]]],
        returns: Optional[list[Optional[Callable[[Any], Any]]]] = None,
    ) -> None:
        """Compiles eagerly, one specialization per list of argument types;
        ``returns`` (one per signature) converts each result to the declared
        return type, as Numba's explicit signatures do.

        A type is a tuple: ``("int",)``, ``("float",)``, ``("bool",)``,
        ``("complex",)``, ``("none",)``, ``("np", dtype)``,
        ``("array", dtype, ndim, layout)`` with layout ``"C"``, ``"F"`` or
        ``"A"``, or ``("tuple", [types...])``. A compile error raises here.
        """

    def restrict(self, on: bool) -> None:
        """With ``True``, calls whose argument types have no compiled signature raise ``TypeError``."""

    def set_converter(self, converter: Callable[[tuple], Optional[tuple]]) -> None:
        """With explicit signatures: ``converter(args)`` gives the arguments converted to
        one of the signatures (Numba's conversion rules), or ``None`` when none accepts them."""

    def recompile(self) -> None:
        """Drops every compiled specialization; the next call compiles again,
        reading frozen globals afresh."""

    def __reduce__(self) -> Any:
        """Pickling (``pyston._pickle.reduce``): by reference when
        ``module.qualname`` names this object, else by value (the function,
        preset and flags; compiled again where it is loaded)."""

    @property
    def _init_args(self) -> tuple[str, dict[str, Union[bool, str]]]:
        """``(preset, flags)`` as given to the constructor."""

    @property
    def py_func(self) -> Callable[..., Any]:
        """The original Python function."""

    @property
    def signatures(self) -> list[str]:
        """The argument types of every specialization compiled so far, e.g.
        ``'(array(float64, 1d, C), int)'``, in compilation order."""

    @property
    def lifted_loops(self) -> list[tuple[int, Dispatcher]]:
        """When the function runs as plain Python, the loops compiled alone
        (loop lifting): ``(first line, dispatcher of the loop)`` each; known
        after the first such call."""

    @property
    def native(self) -> bool:
        """For the dispatcher of a lifted loop: whether its function calls it
        (false once the loop ran as plain Python with nothing lifted inside,
        after which the loop runs in place). True for other dispatchers."""

    @property
    def compile_times(self) -> list[float]:
        """The compile time of each specialization, in seconds (same order as ``signatures``)."""

    @property
    def options(self) -> str:
        """The semantics this function is compiled with: ``"strict"``, or the
        relaxations joined by commas (``"unchecked_int,error_model=numpy"``)."""

    def inspect_ir(self) -> str:
        """The function's SSA IR before type inference, as text."""

    def inspect_types(self) -> str:
        """The typed IR of every compiled specialization, as text."""

    def inspect_asm(self, target: Optional[Literal["x86_64", "x86-64", "aarch64", "arm64"]] = None) -> str:
        """The machine code of every compiled specialization, disassembled.

        With ``target=None`` it is the host's code; with ``"x86_64"`` (or
        ``"x86-64"``) or ``"aarch64"`` (or ``"arm64"``), what the same
        specializations compile to on that architecture. Another target
        raises ``ValueError``. Specializations running on the interpreter
        tier show no machine code.
        """

def make_ufunc(
    disp: Dispatcher,
    name: str,
    doc: str,
    loops: list[tuple[list[str], str]],
    identity: int,
    numba: bool,
    convert: Callable[[Any, str, bool], Any],
) -> Any:
    """A NumPy ufunc with one element-wise loop per ``(input dtype names,
    output dtype name)``, each compiled now; ``identity`` is NumPy's
    ``PyUFunc_*`` constant; ``convert(obj, dtype, numba)`` converts results
    the loop cannot store natively (``pyston.vectorize``)."""

def make_gufunc(
    func: Callable[..., Any],
    name: str,
    doc: str,
    loops: list[list[str]],
    nin: int,
    core: list[list[int]],
    signature: str,
    numba: bool,
) -> Any:
    """A generalized ufunc with layout ``signature``; ``func`` is called once
    per outer iteration with views of the core dimensions (``pyston.guvectorize``)."""

def make_cfunc(disp: Dispatcher, args: list[str], ret: Optional[str], numba: bool) -> int:
    """Compiles ``disp`` for C arguments of the dtype names ``args`` and
    returns the address of a native C function ``ret f(args...)`` running it
    (``pyston.cfunc``)."""

def ufunc_result_dtype(disp: Dispatcher, ins: list[str], numba: bool) -> Optional[str]:
    """Compiles ``disp`` for elements of dtypes ``ins`` and gives the dtype
    name its result is stored as (None: no single dtype)."""

def get_num_threads() -> int:
    """The number of threads ``prange`` loops run on under ``parallel=True``
    (``PYSTON_NUM_THREADS``, else ``NUMBA_NUM_THREADS``, else one per core)."""

def set_num_threads(n: int) -> None:
    """Sets the number of threads ``prange`` loops run on; ``ValueError`` below 1."""

def get_thread_id() -> int:
    """The index of the chunk the calling thread runs in a parallel loop (0 outside one)."""

@final
class FunctionMaker:
    """Makes a nested function's or lambda's Python function for compiled code
    (``pyston._lambdas.maker``): ``types.FunctionType(code, globals, None, None,
    closure)`` with new cells holding the call's arguments."""

    def __init__(
        self, code: Any, globals: dict[str, Any], qualname: Optional[str], slots: list[Any], unbound: Any, own: Any
    ) -> None: ...
    def __call__(self, *values: Any) -> Callable[..., Any]: ...

def _cell_set(cell: Any, value: Any = ...) -> None:
    """Sets a variable's cell (compiled code's ``Op::CellSet``); empties it without a value."""

@final
class GeneratorFunction:
    """What ``pyston.fast`` returns for a generator function; calling it returns a :class:`generator`."""

    def __init__(self, py_func: Callable[..., Any], preset: Literal["strict", "numba"] = "strict", **flags: Union[bool, str]) -> None:
        """Wraps the generator function ``py_func``; nothing is compiled yet."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Binds the arguments as CPython does and returns a compiled generator (or, for
        syntax the compiler does not take, CPython's own generator, with one ``PerformanceWarning``)."""

    def __get__(self, obj: Any, objtype: Optional[type] = None) -> Any:
        """Descriptor protocol: on an instance, a bound method."""

    @property
    def py_func(self) -> Callable[..., Any]:
        """The original generator function."""

    def _steps(self) -> list[tuple[int, Dispatcher]]:
        """The dispatchers of the steps made so far, by resume point (0: from the arguments)."""

@final
class generator:
    """A compiled generator: each step runs compiled code (``send``, ``throw``, ``close`` as CPython's)."""

    def __iter__(self) -> generator: ...
    def __next__(self) -> Any: ...
    def send(self, value: Any) -> Any:
        """Resumes the generator with ``value`` as the result of its ``yield``."""

    def throw(self, *args: Any) -> Any:
        """Raises the exception where the generator stands (its yields are outside ``try``: it finishes)."""

    def close(self) -> None:
        """Finishes the generator."""

    @property
    def gi_running(self) -> bool: ...
    @property
    def _state(self) -> str:
        """What the next step starts from: ``"native"`` (the live values as compiled code
        left them, resumed by a direct call of the step's entry), ``"boxed"`` (Python
        objects, through the step's dispatcher), ``"finished"`` or ``"running"``."""

@final
class ParallelLoop:
    """The compiled body of one ``prange`` loop under ``parallel=True``
    (made by ``pyston._lift``; see ``docs/scale-out.md``)."""

    def __init__(self, body: Dispatcher) -> None: ...
    @property
    def body(self) -> Dispatcher:
        """The loop body's dispatcher: ``body(start, stop, step, *shared, *reductions)``."""

    @property
    def native(self) -> bool:
        """Always true (a body that does not compile runs serially inside ``run``)."""

    def run(
        self, chunks: list[tuple[int, int]], step: int, shared: tuple, inits: list[tuple], threads: Optional[int] = None
    ) -> Optional[list[Any]]:
        """Runs the body for every ``(start, stop)`` chunk (with that chunk's
        tuple of reduction values from ``inits``) on ``threads`` threads that
        take chunks in turn, and returns the results in chunk order; ``None``
        when the body does not compile for these arguments."""

def _dump(d: Dispatcher) -> list[str]:
    """The signatures compiled for ``d`` (a debugging aid)."""

def _iter_guesses(on: bool) -> None:
    """Whether an iterator argument whose items nothing tells is compiled for a
    guessed item type (off under ``python -m pyston`` and the notebook extension)."""

def _dict_versions() -> bool:
    """Whether guards read dictionaries' versions on this interpreter (for tests)."""

def _register_typed_containers(list: type, dict: type) -> None:
    """Registers ``pyston.numba.typed.List`` and ``Dict`` (``pyston._typed`` calls it once)."""
