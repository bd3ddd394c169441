"""Policies, pass pipelines and compiled training steps (numpy in, numpy out)."""

from __future__ import annotations

import math
import sys
from typing import NamedTuple, Sequence, Tuple, Union

import numpy as np

from . import _mixprec

CompileError = _mixprec.CompileError

__all__ = [
    "CompileError",
    "Policy",
    "run_pipeline",
    "compile",
    "Step",
    "ArgSpec",
    "ResultSpec",
    "to_bfloat16",
    "from_bfloat16",
    "numpy_dtype",
    "LOSS_SCALING_KEYS",
    "DATA_PARALLEL_MODES",
    "world",
]


# ---------------------------------------------------------------------------
# bfloat16 <-> numpy
# ---------------------------------------------------------------------------

def to_bfloat16(x) -> np.ndarray:
    """float array -> uint16 array of bfloat16 bit patterns (round to nearest
    even; NaN stays NaN). This is how bf16 tensors cross the numpy boundary:
    numpy has no bfloat16 type and Debian ships no ml_dtypes."""
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    out = rounded.astype(np.uint16)
    nan = np.isnan(a)
    if nan.any():
        out[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return out


def from_bfloat16(bits) -> np.ndarray:
    """uint16 array of bfloat16 bit patterns -> float32 array (exact)."""
    b = np.ascontiguousarray(np.asarray(bits))
    if b.dtype != np.uint16:
        raise ValueError(f"from_bfloat16: expected uint16 bit patterns, got {b.dtype}")
    return (b.astype(np.uint32) << 16).view(np.float32)


_NUMPY_DTYPES = {
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(np.uint16),  # bit patterns, see to_bfloat16
    "bool": np.dtype(np.bool_),
    "int8": np.dtype(np.int8),
    "int32": np.dtype(np.int32),
    "int64": np.dtype(np.int64),
}


def numpy_dtype(name: str) -> np.dtype:
    """The numpy dtype a tensor of element type `name` uses at the boundary
    (bfloat16 -> uint16)."""
    return _NUMPY_DTYPES[name]


def _to_float(value: np.ndarray, dtype: str) -> float:
    if dtype == "bfloat16":
        return float(from_bfloat16(value).reshape(()))
    return float(np.asarray(value).reshape(()))


def _from_float(value: float, dtype: str) -> np.ndarray:
    if dtype == "bfloat16":
        return to_bfloat16(np.float32(value)).reshape(())
    return np.array(value, dtype=numpy_dtype(dtype))


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------

class Policy:
    """A precision policy (docs/design.md §5): `param`, `compute` and `output` are
    numpy-style dtype names ("float32", "float16", "bfloat16")."""

    __slots__ = ("param", "compute", "output", "spec", "target")

    def __init__(self, param: str, compute: str, output: str,
                 spec: str = "", target: str = "cpu"):
        self.param, self.compute, self.output = param, compute, output
        self.spec, self.target = spec, target

    @classmethod
    def parse(cls, s: str, target: str = "cpu") -> "Policy":
        """Parses a policy string with the C++ parser. Raises ValueError with
        its diagnostic (naming the bad token and what is accepted)."""
        if not isinstance(s, str):
            raise ValueError(f"policy must be a string, got {type(s).__name__}")
        if not isinstance(target, str):
            raise ValueError(f"target must be a string, got {type(target).__name__}")
        param, compute, output = _mixprec.parse_policy(s, target)
        return cls(param, compute, output, s, target)

    def __eq__(self, other):
        return (isinstance(other, Policy) and
                (self.param, self.compute, self.output) ==
                (other.param, other.compute, other.output))

    def __hash__(self):
        return hash((self.param, self.compute, self.output))

    def __repr__(self):
        return (f"Policy(param={self.param!r}, compute={self.compute!r}, "
                f"output={self.output!r})")


# ---------------------------------------------------------------------------
# Pipelines
# ---------------------------------------------------------------------------

def run_pipeline(ir: str, pipeline: str) -> str:
    """Parses `ir`, runs the textual pass pipeline (`"builtin.module(a,b)"` or
    `"a,b"`) and returns the printed module. Parse errors, unknown passes,
    bad options and pass failures raise CompileError with the diagnostics."""
    if not isinstance(ir, str) or not isinstance(pipeline, str):
        raise TypeError("run_pipeline(ir: str, pipeline: str)")
    return _mixprec.run_pipeline(ir, pipeline)


# ---------------------------------------------------------------------------
# Compiled steps
# ---------------------------------------------------------------------------

#: Options of mp-loss-scaling accepted by `compile(loss_scaling=...)`, with
#: their defaults (docs/design.md §4, §6).
LOSS_SCALING_KEYS = {
    "mode": "dynamic",
    "init-scale": 32768.0,
    "growth-factor": 2.0,
    "backoff-factor": 0.5,
    "growth-interval": 2000,
    "min-scale": 1.0,
    "max-scale": 16777216.0,
    "hysteresis": 1,
    "clip-norm": 0.0,
}


def _parse_loss_scaling(spec: Union[str, dict, None]) -> dict:
    if spec is None:
        spec = "mode=none"
    items = {}
    if isinstance(spec, dict):
        for k, v in spec.items():
            items[str(k).replace("_", "-")] = str(v)
    elif isinstance(spec, str):
        for part in spec.split():
            if "=" not in part:
                raise ValueError(
                    f"loss_scaling: expected key=value, got '{part}' "
                    f"(keys: {', '.join(LOSS_SCALING_KEYS)})")
            k, v = part.split("=", 1)
            items[k.replace("_", "-")] = v
    else:
        raise ValueError(
            f"loss_scaling must be a string or a dict, got {type(spec).__name__}")
    out = dict(LOSS_SCALING_KEYS)
    for k, v in items.items():
        if k not in LOSS_SCALING_KEYS:
            raise ValueError(f"loss_scaling: unknown option '{k}' "
                             f"(accepted: {', '.join(LOSS_SCALING_KEYS)})")
        if k == "mode":
            if v not in ("none", "static", "dynamic"):
                raise ValueError(f"loss_scaling: mode must be none, static or "
                                 f"dynamic, got '{v}'")
            out[k] = v
        elif k in ("growth-interval", "hysteresis"):
            try:
                out[k] = int(v)
            except ValueError:
                raise ValueError(f"loss_scaling: {k} must be an integer, "
                                 f"got '{v}'") from None
        else:
            try:
                out[k] = float(v)
            except ValueError:
                raise ValueError(f"loss_scaling: {k} must be a number, "
                                 f"got '{v}'") from None
    return out


def _format_option(v) -> str:
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    return str(v)


class ArgSpec(NamedTuple):
    """One argument of a compiled step."""
    index: int
    shape: Tuple[int, ...]
    dtype: str   # element type name: float32, bfloat16, int32, bool, ...
    role: str    # data | param | state | loss_scale | growth_tracker | hysteresis
    init: str    # mp.init hint ("" if none)
    name: str = ""  # mp.name, else the argument's NameLoc, else "argN"

    @property
    def numpy_dtype(self) -> np.dtype:
        return numpy_dtype(self.dtype)


class ResultSpec(NamedTuple):
    """One result of a compiled step."""
    index: int
    shape: Tuple[int, ...]
    dtype: str
    role: str     # update | loss | loss_scale | growth_tracker | hysteresis | overflow |
                  # grad_finite | grad_norm | other
    updates: int  # argument index this result is the new value of, or -1

    @property
    def numpy_dtype(self) -> np.dtype:
        return numpy_dtype(self.dtype)


class Step:
    """A compiled training step. Call it with one numpy array per argument
    (exact dtype and shape of `args[i]`; bf16 as uint16 bit patterns); it
    returns a tuple of numpy arrays, one per result. Inputs are passed to the
    compiled code without copies (non-contiguous ones are copied once) and
    never written; each result owns the buffer the compiled code allocated."""

    def __init__(self, native, *, ir: str, entry: str, policy: Policy,
                 loss_scaling: dict, pipeline: str,
                 data_parallel: str = "none", microbatches: int = 1,
                 grad_norm: bool = False, aot: bool = False,
                 opt_level: int = 3):
        self._native = native
        self.ir = ir
        self.entry = entry
        self.policy = policy
        self.loss_scaling = loss_scaling
        self.pipeline = pipeline
        self.data_parallel = data_parallel
        self.microbatches = microbatches
        self.grad_norm = grad_norm
        self.aot, self.opt_level = aot, opt_level
        names = list(getattr(native, "arg_names", []))
        self.args = tuple(ArgSpec(i, tuple(s), d, r, init,
                                  names[i] if i < len(names) else f"arg{i}")
                          for i, (s, d, r, init) in enumerate(native.args))
        #: Per mp.grad_finite flag, the argument index of its param (-1:
        #: none); empty when the step has no such result (mode=none).
        self.grad_finite_args = tuple(int(a) for a in
                                      getattr(native, "grad_finite_args", []))
        self.results = tuple(ResultSpec(i, tuple(s), d, r, u)
                             for i, (s, d, r, u) in enumerate(native.results))

    @property
    def compile_ms(self) -> float:
        return self._native.compile_ms

    def __call__(self, *arrays) -> Tuple[np.ndarray, ...]:
        return self._native(*arrays)

    # Signature helpers -----------------------------------------------------

    def arg_indices(self, *roles: str):
        """Indices of the arguments with any of `roles`."""
        return [a.index for a in self.args if a.role in roles]

    def result_indices(self, *roles: str):
        return [r.index for r in self.results if r.role in roles]

    @property
    def loss_result(self) -> int:
        idx = self.result_indices("loss")
        return idx[0] if idx else -1

    @property
    def overflow_result(self) -> int:
        idx = self.result_indices("overflow")
        return idx[0] if idx else -1

    @property
    def grad_finite_result(self) -> int:
        idx = self.result_indices("grad_finite")
        return idx[0] if idx else -1

    @property
    def grad_norm_result(self) -> int:
        idx = self.result_indices("grad_norm")
        return idx[0] if idx else -1

    def overflow_names(self, results) -> list:
        """Names of the params whose gradients were not finite in a call's
        `results` (from the mp.grad_finite flags; [] without them)."""
        r = self.grad_finite_result
        if r < 0:
            return []
        flags = np.asarray(results[r]).reshape(-1)
        return [self.args[a].name if a >= 0 else f"gradient #{k}"
                for k, a in enumerate(self.grad_finite_args) if not flags[k]]

    def initial_scale_state(self) -> dict:
        """{arg index: array} for the loss-scale state arguments, from the
        loss_scaling options (scale = init-scale, tracker = 0,
        hysteresis = hysteresis)."""
        state = {}
        for a in self.args:
            if a.role == "loss_scale":
                state[a.index] = _from_float(self.loss_scaling["init-scale"], a.dtype)
            elif a.role == "growth_tracker":
                state[a.index] = np.zeros(a.shape, numpy_dtype(a.dtype))
            elif a.role == "hysteresis":
                state[a.index] = np.full(a.shape, self.loss_scaling["hysteresis"],
                                         numpy_dtype(a.dtype))
        return state

    def __repr__(self):
        lines = [f"Step(@{self.entry}, policy={self.policy.spec!r}, "
                 f"loss_scaling={self.loss_scaling['mode']!r})"]
        for a in self.args:
            lines.append(f"  arg {a.index}: {a.dtype}{list(a.shape)} {a.role} {a.name}")
        for r in self.results:
            tie = f" -> arg {r.updates}" if r.updates >= 0 else ""
            lines.append(f"  result {r.index}: {r.dtype}{list(r.shape)} {r.role}{tie}")
        return "\n".join(lines)


#: Values of `compile(data_parallel=...)`.
DATA_PARALLEL_MODES = ("none", "mpi")


def compile(ir: str, entry: str = "train_step", target: str = "cpu",
            policy: str = "mixed_bfloat16",
            loss_scaling: Union[str, dict, None] = "mode=dynamic", *,
            aot: bool = False, opt_level: int = 3,
            autocast: str = "", data_parallel: str = "none",
            microbatches: int = 1, grad_norm: bool = False) -> Step:
    """Compiles the training graph `ir` (docs/design.md §2 contract) with the
    mp-mixed-precision pipeline (policy casts, loss scaling, differentiation,
    lowering) and the CPU backend, JIT by default (`aot=True`: a shared
    library built with clang). `loss_scaling` is an mp-loss-scaling option
    string ("mode=dynamic init-scale=1024") or a dict; `autocast` adds extra
    mp-autocast options ("keep-fp32=fc2"). `data_parallel="mpi"` makes the
    step SPMD (docs/design.md §16): run the script under `mpiexec -n N`,
    every call averages the gradients over the N ranks (MPI is initialised
    when the step is compiled; see `world()`). `microbatches=K` (K > 1)
    gives every data argument a leading dimension K: the step sums the f32
    gradients of the K micro-batches before one unscale, check and update
    and returns the mean loss (docs/design.md §17). `grad_norm=True` adds a
    `grad_norm` result, the global L2 norm of the unscaled gradients. Bad
    policy / target / options raise ValueError; parse, pipeline and codegen
    errors raise CompileError."""
    if not isinstance(ir, str):
        raise ValueError(f"ir must be MLIR text (str), got {type(ir).__name__}")
    if target in ("cuda", "nvptx"):
        raise NotImplementedError(
            f"target '{target}': the Python API compiles and runs CPU steps "
            "only; build CUDA artifacts with `mp-run --target cuda` "
            "(docs/gpu.md); use target='cpu'")
    if target != "cpu":
        raise ValueError(f"target must be 'cpu', got '{target}'")
    if data_parallel not in DATA_PARALLEL_MODES:
        raise ValueError(f"data_parallel must be 'none' or 'mpi', "
                         f"got {data_parallel!r}")
    if data_parallel == "mpi" and not _mixprec.have_mpi():
        raise RuntimeError(_NO_MPI)
    if isinstance(microbatches, bool) or not isinstance(microbatches, int) \
            or microbatches < 1:
        raise ValueError(f"microbatches must be an integer >= 1, got {microbatches!r}")
    if not isinstance(grad_norm, bool):
        raise ValueError(f"grad_norm must be True or False, got {grad_norm!r}")
    pol = Policy.parse(policy, "cpu")
    ls = _parse_loss_scaling(loss_scaling)
    ls_text = " ".join(f"{k}={_format_option(v)}" for k, v in ls.items())
    if microbatches > 1:
        ls_text += f" microbatches={microbatches}"
    if grad_norm:
        ls_text += " grad-norm=true"
    extra = f" {autocast.strip()}" if autocast and autocast.strip() else ""
    if data_parallel == "mpi":
        extra += " data-parallel=mpi"
    pipeline = (f"builtin.module(mp-mixed-precision{{policy={policy} "
                f"target=cpu {ls_text}{extra}}})")
    native = _mixprec.CompiledStep.compile(ir, pipeline, entry, bool(aot), int(opt_level))
    if data_parallel == "mpi":
        world()  # MPI is up (the driver initialised it); abort on errors
    return Step(native, ir=ir, entry=entry, policy=pol, loss_scaling=ls,
                pipeline=pipeline, data_parallel=data_parallel,
                microbatches=microbatches, grad_norm=grad_norm,
                aot=bool(aot), opt_level=int(opt_level))


# ---------------------------------------------------------------------------
# Data parallel (MPI)
# ---------------------------------------------------------------------------

_NO_MPI = ("mixprec was built without MPI: install MPICH (apt-get install "
           "mpich libmpich-dev, or scripts/setup.sh) and rebuild to use "
           "data_parallel='mpi' / mixprec.world()")
_abort_hook_installed = False


def _abort_on_uncaught_exception():
    """In a job of several ranks, an uncaught exception on one rank ends
    the whole job (MPI_Abort) instead of leaving the other ranks waiting in
    the next all-reduce forever."""
    global _abort_hook_installed
    if _abort_hook_installed:
        return
    _abort_hook_installed = True
    previous = sys.excepthook

    def hook(kind, value, tb):
        try:
            previous(kind, value, tb)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            _mixprec.mpi_abort(1)

    sys.excepthook = hook


def world() -> Tuple[int, int]:
    """(rank, size) of this process in MPI_COMM_WORLD, through mixprec's MPI
    runtime: MPI is initialised on first use (a singleton (0, 1) outside
    `mpiexec`) and finalised at exit; no mpi4py needed. In a job of several
    ranks, an uncaught exception then aborts every rank. Raises
    RuntimeError when mixprec was built without MPI."""
    if not _mixprec.have_mpi():
        raise RuntimeError(_NO_MPI)
    rank, size = _mixprec.mpi_world()
    if size > 1:
        _abort_on_uncaught_exception()
    return int(rank), int(size)
