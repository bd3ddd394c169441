"""aten -> linalg / tensor / arith / math lowering of a make_fx graph.

`Lowering(gm, emitter, inputs).run()` walks the graph once. Every aten op is
lowered by a handler in `HANDLERS` (keyed by the op's overload-packet name;
in-place variants `op_` reuse the handler of `op` and rebind the mutated
tensor, which is how BatchNorm's running statistics and
`num_batches_tracked` come out). Nodes whose operands are all constants are
evaluated with torch at trace time (`torch.tril(torch.ones(T, T))`,
`arange`, ...) and become dense constants where a lowered op uses them.
An op without a handler, or a handler refusing its arguments, is recorded
(op, module path, reason) and the walk goes on, so that one error lists
every unsupported op."""

from __future__ import annotations

import math
import operator
from typing import Dict, List

import numpy as np
import torch

from ._emit import Emitter, V, numel, ttype

aten = torch.ops.aten

DTYPES = {torch.float32: "f32", torch.int64: "i64", torch.int32: "i32",
          torch.bool: "i1"}
NP = {"f32": np.float32, "i64": np.int64, "i32": np.int32, "i1": np.bool_}


class Refused(Exception):
    """A handler cannot lower these arguments (the reason is reported)."""


class Masked:
    """The result of masked_select: `x` where `mask` (consumed by sum/mean)."""

    def __init__(self, x: V, mask: V):
        self.x, self.mask = x, mask


class Poison:
    """Stands for the result of an unsupported op (errors are not repeated
    for its users)."""


POISON = Poison()


class Missing:
    """A result of a multi-result op that is not computed (max-pool
    indices, eval-mode batch-norm statistics): an error where used."""

    def __init__(self, what):
        self.what = what


NO_INDICES = Missing("max-pool indices are not computed")
NO_STATS = Missing("the saved statistics of eval-mode batch norm are not computed")
SEED = "__mixprec_rng_seed__"   # the input holding the dropout generator's seed
RANDOM_LOWERED = ("bernoulli", "native_dropout")
RANDOM_OPS = ("bernoulli", "rand", "randn", "rand_like", "randn_like",
              "normal", "uniform", "randint", "randperm", "dropout",
              "native_dropout")


def packet(target) -> str:
    name = getattr(getattr(target, "overloadpacket", None), "__name__", None)
    return name or getattr(target, "__name__", str(target))


def op_name(node) -> str:
    t = node.target
    if hasattr(t, "_schema"):
        n = t._schema.name.replace("::", ".")
        ov = t._schema.overload_name
        return f"{n}.{ov}" if ov else n
    return str(getattr(t, "__name__", t))


def _meta(node):
    tm = node.meta.get("tensor_meta")
    if tm is None or not hasattr(tm, "shape"):
        return None
    return tuple(int(d) for d in tm.shape), tm.dtype


class Lowering:
    def __init__(self, gm, em: Emitter, inputs: Dict[str, object], paths: Dict):
        self.gm, self.em = gm, em
        self.env: Dict = {}
        self.inputs = inputs          # placeholder name -> V
        self.paths = paths            # node name -> module path
        self.errors: List = []        # (op, path, reason)
        self.mutated: Dict[str, V] = {}
        self.const_cache: Dict[int, V] = {}
        self.output = None
        self.streams = 0              # random ops lowered (one stream each)
        self.detached: Dict[str, V] = {}  # param placeholder -> undifferentiated copy

    # values ---------------------------------------------------------------
    def val(self, x, dt=None) -> V:
        """A V for a lowered value, a constant tensor or a Python number."""
        if isinstance(x, V):
            return x if dt is None else self.em.convert(x, dt)
        if isinstance(x, (bool, int, float)):
            x = torch.tensor(x)
        if isinstance(x, torch.Tensor):
            x = x.detach()
            if x.dtype == torch.float64 or x.dtype == torch.float16 or x.dtype == torch.bfloat16:
                x = x.float()
            if x.dtype not in DTYPES:
                raise Refused(f"constant of dtype {x.dtype}")
            key = (id(x), dt)
            if key not in self.const_cache:
                v = self.em.dense(x.numpy(), DTYPES[x.dtype])
                self.const_cache[key] = self.em.convert(v, dt) if dt else v
                self._keep = getattr(self, "_keep", []) + [x]
            return self.const_cache[key]
        raise Refused(f"operand {type(x).__name__}")

    def out(self, node):
        m = _meta(node)
        if m is None:
            raise Refused("no shape information")
        shape, dtype = m
        if dtype not in DTYPES:
            raise Refused(f"result dtype {dtype} (float32, int64, int32 and bool "
                          f"are supported)")
        return shape, DTYPES[dtype]

    def _arg(self, a):
        if isinstance(a, torch.fx.Node):
            return self.env[a.name]
        if isinstance(a, (list, tuple)):
            return type(a)(self._arg(x) for x in a)
        return a

    def mutate(self, node_arg, value):
        """Rebind a tensor an in-place op wrote (a placeholder: a buffer)."""
        if isinstance(node_arg, torch.fx.Node):
            self.env[node_arg.name] = value
            if node_arg.op == "placeholder":
                self.mutated[node_arg.name] = value

    # the walk -----------------------------------------------------------
    def run(self):
        for node in self.gm.graph.nodes:
            self.em.loc = self.paths.get(node.name) or None
            if node.op == "placeholder":
                self.env[node.name] = self.inputs[node.name]
            elif node.op == "get_attr":
                self.env[node.name] = getattr(self.gm, node.target)
            elif node.op == "output":
                out = self._arg(node.args[0])
                if isinstance(out, (list, tuple)) and len(out) == 1:
                    out = out[0]  # make_fx flattens the result into a list
                self.output = out
            elif node.op == "call_function":
                self._call(node)
            else:
                self._fail(node, f"fx node kind {node.op}")
        self.em.loc = None
        if self.streams:  # the next step draws new masks
            seed = self.inputs[SEED]
            self.mutated[SEED] = self.em.tensor_body(
                [seed], (), "i64", lambda b, x: b.op(f"arith.addi {x}, {b.const(1, 'i64')}",
                                                      "i64"))
        return self.output

    def _fail(self, node, reason):
        """Records an unsupported node. Its result becomes a stand-in of
        the right shape (when known), so that the ops after it are still
        checked and one error lists them all; the IR is not compiled."""
        self.errors.append((op_name(node), self.paths.get(node.name, ""), reason))
        m = _meta(node)
        if m is not None:
            dt = DTYPES.get(m[1], "f32")
            self.env[node.name] = V(self.em.empty(m[0], dt), m[0], dt)
        else:
            self.env[node.name] = POISON

    def _call(self, node):
        args = self._arg(node.args)
        kwargs = {k: self._arg(v) for k, v in node.kwargs.items()}
        flat = list(args) + list(kwargs.values())

        def has(pred, xs):
            for x in xs:
                if isinstance(x, (list, tuple)):
                    if has(pred, x):
                        return True
                elif pred(x):
                    return True
            return False

        if node.target is operator.getitem and isinstance(args[0], (list, tuple)):
            self.env[node.name] = args[0][args[1]]
            return
        if has(lambda x: x is POISON, flat):
            self.env[node.name] = POISON
            return
        for x in flat:
            if isinstance(x, Missing):
                return self._fail(node, x.what)
        name = packet(node.target)
        lowered = has(lambda x: isinstance(x, (V, Masked)), flat)
        if not lowered and not any(r in name for r in RANDOM_OPS):
            try:  # constant folding at trace time
                with torch.no_grad():
                    self.env[node.name] = node.target(*args, **kwargs)
                return
            except Exception as e:  # noqa: BLE001 - reported below
                return self._fail(node, f"constant evaluation failed: {e}")
        inplace = name.endswith("_") and not name.startswith("_") and \
            name[:-1] in HANDLERS
        base = name[:-1] if inplace else name
        h = HANDLERS.get(base)
        if h is None:
            return self._fail(node, "no lowering for this op")
        if inplace and _is_view(node.args[0]):
            # tracing functionalizes view writes; one left here would not
            # reach the tensor it views
            return self._fail(node, "in-place write through a view")
        try:
            r = h(self, node, *args, **kwargs)
        except Refused as e:
            return self._fail(node, str(e))
        self.env[node.name] = r
        if inplace:
            self.mutate(node.args[0], r)


VIEW_OPS = ("slice", "select", "view", "_unsafe_view", "_reshape_alias", "reshape",
            "squeeze", "unsqueeze", "transpose", "permute", "t", "expand", "as_strided",
            "diagonal", "narrow", "unfold", "alias", "split", "split_with_sizes", "chunk",
            "unbind", "flatten", "unflatten", "view_as", "expand_as", "detach", "real",
            "imag", "movedim", "swapaxes", "indices", "values")


def _is_view(arg) -> bool:
    """Whether `arg` (an fx node) is a view of another tensor."""
    if not isinstance(arg, torch.fx.Node) or arg.op != "call_function":
        return False
    if arg.target is operator.getitem:
        return _is_view(arg.args[0])
    return packet(arg.target) in VIEW_OPS


# ---------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------

HANDLERS = {}


def handles(*names):
    def deco(fn):
        for n in names:
            HANDLERS[n] = fn
        return fn
    return deco


def _is_num(x):
    return isinstance(x, (bool, int, float)) and not isinstance(x, torch.Tensor)


def _compute_dt(*xs):
    """Promoted element type of operands (V, constants, numbers)."""
    dts = []
    for x in xs:
        if isinstance(x, V):
            dts.append(x.dt)
        elif isinstance(x, torch.Tensor):
            dts.append("f32" if x.is_floating_point() else DTYPES.get(x.dtype, "i64"))
        elif isinstance(x, bool):
            dts.append("i1")
        elif isinstance(x, int):
            dts.append("i64")
        elif isinstance(x, float):
            dts.append("f32")
    if "f32" in dts:
        return "f32"
    if "i64" in dts:
        return "i64"
    if "i32" in dts:
        return "i32"
    return "i1"


def elementwise(L, node, operands, fn, compute=None, out_dt=None):
    """Lower an elementwise op: tensors (V / constants) become generic
    inputs, Python numbers are inlined; `fn(b, dt, *scalars)`."""
    shape, odt = L.out(node)
    out_dt = out_dt or odt
    compute = compute or _compute_dt(*operands)
    tensors, slots = [], []
    for x in operands:
        if _is_num(x):
            slots.append(("num", x))
        else:
            v = L.val(x)
            if numel(v.shape) == 1 and v.shape != shape and not isinstance(x, V):
                # a constant scalar tensor: inline it
                slots.append(("num", torch.as_tensor(x).reshape(()).item()))
                continue
            slots.append(("t", len(tensors)))
            tensors.append(v)

    def body(b, *args):
        vals = []
        for kind, s in slots:
            if kind == "num":
                vals.append(b.const(s if compute != "i1" else bool(s), compute))
            else:
                vals.append(b.convert(args[s], tensors[s].dt, compute))
        r = fn(b, compute, *vals)
        rdt = getattr(fn, "result_dt", None) or (compute if not getattr(fn, "pred", False) else "i1")
        return b.convert(r, rdt, out_dt)
    if not tensors:
        tensors = [L.em.splat(0.0, shape)]
        slots = [(k, s + 1 if k == "t" else s) for k, s in slots]
    return L.em.tensor_body(tensors, shape, out_dt, body)


def _arith(fop, iop):
    def fn(b, dt, x, y):
        if dt == "f32":
            return b.op(f"arith.{fop} {x}, {y}")
        return b.op(f"arith.{iop} {x}, {y}", dt)
    return fn


@handles("add", "sub")
def _add(L, node, a, b, alpha=1):
    name = packet(node.target).rstrip("_")
    if alpha != 1:
        f = _arith("mulf", "muli")
        g = _arith("addf" if name == "add" else "subf", "addi" if name == "add" else "subi")
        return elementwise(L, node, [a, b, alpha],
                           lambda bb, dt, x, y, al: g(bb, dt, x, f(bb, dt, y, al)))
    f = _arith("addf", "addi") if name == "add" else _arith("subf", "subi")
    return elementwise(L, node, [a, b], f)


@handles("rsub")
def _rsub(L, node, a, b, alpha=1):
    return elementwise(L, node, [a, b, alpha],
                       lambda bb, dt, x, y, al: _arith("subf", "subi")(
                           bb, dt, y, _arith("mulf", "muli")(bb, dt, x, al)))


@handles("mul")
def _mul(L, node, a, b):
    return elementwise(L, node, [a, b], _arith("mulf", "muli"))


@handles("div")
def _div(L, node, a, b, rounding_mode=None):
    if rounding_mode is not None:
        raise Refused(f"rounding_mode={rounding_mode!r}")
    return elementwise(L, node, [a, b], lambda bb, dt, x, y: bb.div(x, y), compute="f32")


@handles("maximum", "minimum")
def _maxmin(L, node, a, b):
    mx = packet(node.target).startswith("max")
    return elementwise(L, node, [a, b], _arith("maximumf" if mx else "minimumf",
                                               "maxsi" if mx else "minsi"))


@handles("pow")
def _pow(L, node, a, b):
    if _is_num(b):
        if b == 2:
            return elementwise(L, node, [a], lambda bb, dt, x: bb.mul(x, x), compute="f32")
        if b == 0.5:
            return elementwise(L, node, [a], lambda bb, dt, x: bb.math("sqrt", x), compute="f32")
        if b == 1:
            return elementwise(L, node, [a], lambda bb, dt, x: x, compute="f32")
        if b == 3:
            return elementwise(L, node, [a], lambda bb, dt, x: bb.mul(bb.mul(x, x), x),
                               compute="f32")
        if b == -1:
            return elementwise(L, node, [a], lambda bb, dt, x: bb.div(bb.const(1.0), x),
                               compute="f32")
    return elementwise(L, node, [a, b], lambda bb, dt, x, y: bb.op(f"math.powf {x}, {y}"),
                       compute="f32")


def _cmp(fpred, ipred):
    def fn(b, dt, x, y):
        if dt == "f32":
            return b.cmpf(fpred, x, y)
        return b.cmpi(ipred, x, y, dt)
    fn.pred = True
    return fn


_CMPS = {"eq": ("oeq", "eq"), "ne": ("une", "ne"), "lt": ("olt", "slt"),
         "le": ("ole", "sle"), "gt": ("ogt", "sgt"), "ge": ("oge", "sge")}
for _n, (_f, _i) in _CMPS.items():
    HANDLERS[_n] = (lambda f, i: lambda L, node, a, b: elementwise(L, node, [a, b], _cmp(f, i)))(_f, _i)


def _logic(op):
    def h(L, node, a, b):
        def fn(bb, dt, x, y):
            return bb.op(f"arith.{op} {x}, {y}", "i1")
        fn.result_dt = "i1"
        return elementwise(L, node, [a, b], fn, compute="i1")
    return h


HANDLERS["logical_and"] = HANDLERS["bitwise_and"] = _logic("andi")
HANDLERS["logical_or"] = HANDLERS["bitwise_or"] = _logic("ori")


@handles("logical_not", "bitwise_not")
def _not(L, node, a):
    if not isinstance(a, V) or a.dt != "i1":
        raise Refused("bitwise_not of a non-bool tensor")

    def fn(b, dt, x):
        return b.op(f"arith.xori {x}, {b.const(True, 'i1')}", "i1")
    fn.result_dt = "i1"
    return elementwise(L, node, [a], fn, compute="i1")


@handles("where")
def _where(L, node, cond, a, b):
    return _select_generic(L, node, cond, a, b)


def _select_generic(L, node, cond, a, b):
    """select(cond, a, b) with broadcasting: a tensor-level arith.select
    over operands broadcast to the result shape (see _emit.TBody)."""
    shape, odt = L.out(node)
    em = L.em
    c = em.broadcast_to(L.val(cond, "i1"), shape)
    ops = []
    for x in (a, b):
        if _is_num(x) or (isinstance(x, torch.Tensor) and x.numel() == 1):
            ops.append(em.splat(torch.as_tensor(x).reshape(()).item(), shape, odt))
        else:
            ops.append(em.broadcast_to(em.convert(L.val(x), odt), shape))
    v = V(em.fresh("sel"), shape, odt)
    em.emit(f"{v.name} = arith.select {c.name}, {ops[0].name}, {ops[1].name} : "
            f"{c.type}, {v.type}")
    return v


@handles("masked_fill")
def _masked_fill(L, node, x, mask, value):
    return _select_generic(L, node, mask, value, x)


@handles("index_put")
def _index_put(L, node, x, indices, values, accumulate=False):
    if accumulate or len(indices) != 1 or not isinstance(indices[0], (V, torch.Tensor)):
        raise Refused("only x[bool_mask] = value is supported")
    m = L.val(indices[0])
    if m.dt != "i1" or m.shape != L.out(node)[0]:
        raise Refused("only x[bool_mask] = value with a mask of x's shape is supported")
    v = values
    if isinstance(v, torch.Tensor) and v.numel() == 1:
        v = v.reshape(()).item()
    return _select_generic(L, node, m, v, x)


@handles("masked_select")
def _masked_select(L, node, x, mask):
    xv, m = L.val(x, "f32"), L.val(mask, "i1")
    shape = np.broadcast_shapes(xv.shape, m.shape)
    return Masked(L.em.broadcast_to(xv, shape), L.em.broadcast_to(m, shape))


# unary ---------------------------------------------------------------------

def _unary(fn):
    def h(L, node, x, *rest, **kw):
        return elementwise(L, node, [x], lambda b, dt, a: fn(b, a, *rest, **kw), compute="f32")
    return h


def _sigmoid(b, x):
    one = b.const(1.0)
    return b.div(one, b.add(one, b.math("exp", b.neg(x))))


def _gelu(b, x, approximate="none"):
    half, one = b.const(0.5), b.const(1.0)
    if approximate == "tanh":
        x3 = b.mul(b.mul(x, x), x)
        inner = b.add(x, b.mul(b.const(0.044715), x3))
        t = b.math("tanh", b.mul(b.const(math.sqrt(2.0 / math.pi)), inner))
        return b.mul(b.mul(half, x), b.add(one, t))
    e = b.math("erf", b.mul(x, b.const(1.0 / math.sqrt(2.0))))
    return b.mul(b.mul(half, x), b.add(one, e))


def _relu6ish(b, x, lo, hi):
    return b.min(b.max(x, b.const(lo)), b.const(hi))


def _clamp(b, x, lo=None, hi=None):
    if lo is not None:
        x = b.max(x, b.const(float(lo)))
    if hi is not None:
        x = b.min(x, b.const(float(hi)))
    return x


def _softplus(b, x, beta=1, threshold=20):
    bx = b.mul(x, b.const(float(beta)))
    sp = b.div(b.math("log", b.add(b.const(1.0), b.math("exp", bx))), b.const(float(beta)))
    return b.select(b.cmpf("ogt", bx, b.const(float(threshold))), x, sp)


UNARY = {
    "neg": lambda b, x: b.neg(x),
    "exp": lambda b, x: b.math("exp", x),
    "log": lambda b, x: b.math("log", x),
    "log1p": lambda b, x: b.math("log", b.add(b.const(1.0), x)),
    "sqrt": lambda b, x: b.math("sqrt", x),
    "rsqrt": lambda b, x: b.math("rsqrt", x),
    "tanh": lambda b, x: b.math("tanh", x),
    "erf": lambda b, x: b.math("erf", x),
    "abs": lambda b, x: b.math("absf", x),
    "reciprocal": lambda b, x: b.div(b.const(1.0), x),
    "sigmoid": _sigmoid,
    "relu": lambda b, x: b.max(x, b.const(0.0)),
    "gelu": _gelu,
    "silu": lambda b, x: b.mul(x, _sigmoid(b, x)),
    "hardswish": lambda b, x: b.div(b.mul(x, _relu6ish(b, b.add(x, b.const(3.0)), 0.0, 6.0)),
                                    b.const(6.0)),
    "hardsigmoid": lambda b, x: b.div(_relu6ish(b, b.add(x, b.const(3.0)), 0.0, 6.0),
                                      b.const(6.0)),
    "hardtanh": lambda b, x, lo=-1.0, hi=1.0: _relu6ish(b, x, float(lo), float(hi)),
    "clamp": _clamp,
    "clamp_min": lambda b, x, lo: b.max(x, b.const(float(lo))),
    "clamp_max": lambda b, x, hi: b.min(x, b.const(float(hi))),
    "leaky_relu": lambda b, x, s=0.01: b.select(b.cmpf("ogt", x, b.const(0.0)), x,
                                                b.mul(x, b.const(float(s)))),
    "elu": lambda b, x, alpha=1.0, scale=1.0, input_scale=1.0: b.select(
        b.cmpf("ogt", x, b.const(0.0)), b.mul(x, b.const(float(scale))),
        b.mul(b.const(float(alpha * scale)),
              b.sub(b.math("exp", b.mul(x, b.const(float(input_scale)))), b.const(1.0)))),
    "softplus": _softplus,
    "sin": lambda b, x: b.math("sin", x),
    "cos": lambda b, x: b.math("cos", x),
}
for _n, _fn in UNARY.items():
    HANDLERS[_n] = _unary(_fn)


@handles("_to_copy", "to", "type_as", "clone", "alias", "detach", "lift_fresh_copy",
         "contiguous", "lift_fresh")
def _copy(L, node, x, *rest, **kw):
    shape, dt = L.out(node)
    return L.em.convert(L.val(x), dt)


@handles("zeros_like", "ones_like", "full_like", "empty_like", "new_zeros", "new_ones",
         "new_full", "new_empty")
def _like(L, node, x, *rest, **kw):
    name = packet(node.target)
    shape, dt = L.out(node)
    if "full" in name:
        value = rest[-1] if name.startswith("full") else rest[1]
    else:
        value = 1 if "ones" in name else 0
    if "empty" in name and name != "empty_like":
        value = 0
    # Only the shape and dtype of x matter: a trace-time constant, so that
    # writes into it (a shifted-window attention mask) fold with torch too.
    tdt = {v: k for k, v in DTYPES.items()}[dt]
    if isinstance(value, V):
        return L.em.broadcast_to(L.em.convert(value, dt), shape)
    if isinstance(value, torch.Tensor):
        value = value.item()
    return torch.full(shape, value, dtype=tdt)


# shapes ----------------------------------------------------------------------

@handles("view", "_unsafe_view", "_reshape_alias", "reshape", "squeeze", "unsqueeze",
         "flatten", "unflatten", "view_as", "reshape_as")
def _view(L, node, x, *rest, **kw):
    shape, _ = L.out(node)
    return L.em.reshape(L.val(x), shape)


@handles("t")
def _t(L, node, x):
    v = L.val(x)
    return L.em.transpose(v, [1, 0]) if len(v.shape) == 2 else v


@handles("transpose")
def _transpose(L, node, x, d0, d1):
    v = L.val(x)
    r = len(v.shape)
    perm = list(range(r))
    perm[d0 % r], perm[d1 % r] = perm[d1 % r], perm[d0 % r]
    return L.em.transpose(v, perm)


@handles("permute")
def _permute(L, node, x, dims):
    v = L.val(x)
    return L.em.transpose(v, [d % len(v.shape) for d in dims])


@handles("expand")
def _expand(L, node, x, sizes, implicit=False):
    shape, _ = L.out(node)
    return L.em.broadcast_to(L.val(x), shape)


def _norm_dim(d, r):
    return d % r if r else 0


@handles("slice")
def _slice(L, node, x, dim=0, start=None, end=None, step=1):
    v = L.val(x)
    offs, sizes, strides = _slice_args(v.shape, dim, start, end, step)
    return L.em.slice(v, offs, sizes, strides)


@handles("select")
def _select(L, node, x, dim, index):
    v = L.val(x)
    dim = _norm_dim(dim, len(v.shape))
    i = index % v.shape[dim]
    offs = [0] * len(v.shape)
    sizes = list(v.shape)
    offs[dim], sizes[dim] = i, 1
    s = L.em.slice(v, offs, sizes, [1] * len(v.shape))
    return L.em.reshape(s, L.out(node)[0])


def _split_sizes(L, node, x, sizes, dim):
    v = L.val(x)
    dim = _norm_dim(dim, len(v.shape))
    outs, off = [], 0
    for sz in sizes:
        offs = [0] * len(v.shape)
        shp = list(v.shape)
        offs[dim], shp[dim] = off, sz
        outs.append(L.em.slice(v, offs, shp, [1] * len(v.shape)))
        off += sz
    return outs


@handles("split")
def _split(L, node, x, size, dim=0):
    v = L.val(x)
    n = v.shape[_norm_dim(dim, len(v.shape))]
    if isinstance(size, (list, tuple)):
        return _split_sizes(L, node, x, size, dim)
    sizes = [min(size, n - i) for i in range(0, n, size)]
    return _split_sizes(L, node, x, sizes, dim)


@handles("split_with_sizes")
def _split_ws(L, node, x, sizes, dim=0):
    return _split_sizes(L, node, x, sizes, dim)


@handles("unbind")
def _unbind(L, node, x, dim=0):
    v = L.val(x)
    d = _norm_dim(dim, len(v.shape))
    parts = _split_sizes(L, node, x, [1] * v.shape[d], d)
    shape = v.shape[:d] + v.shape[d + 1:]
    return [L.em.reshape(p, shape) for p in parts]


@handles("cat")
def _cat(L, node, xs, dim=0):
    shape, dt = L.out(node)
    vs = [L.em.convert(L.val(x), dt) for x in xs]
    vs = [v for v in vs if numel(v.shape) > 0 or len(v.shape) == len(shape)]
    return L.em.concat(vs, _norm_dim(dim, len(shape)), shape)


@handles("stack")
def _stack(L, node, xs, dim=0):
    shape, dt = L.out(node)
    d = _norm_dim(dim, len(shape))
    vs = []
    for x in xs:
        v = L.em.convert(L.val(x), dt)
        vs.append(L.em.reshape(v, v.shape[:d] + (1,) + v.shape[d:]))
    return L.em.concat(vs, d, shape)


# functionalized writes (slice_scatter & co.), padding, rolls, gathers -------

def _slice_args(shape, dim, start, end, step):
    dim = _norm_dim(dim, len(shape))
    s, e, st = slice(start, end, step).indices(shape[dim])
    size = max(0, (e - s + st - 1) // st)
    offs, strides = [0] * len(shape), [1] * len(shape)
    offs[dim], strides[dim] = s, st
    sizes = list(shape)
    sizes[dim] = size
    return offs, sizes, strides


@handles("slice_scatter")
def _slice_scatter(L, node, base, src, dim=0, start=None, end=None, step=1):
    shape, dt = L.out(node)
    b = L.val(base, dt)
    offs, sizes, strides = _slice_args(shape, dim, start, end, step)
    s = L.em.broadcast_to(L.em.convert(L.val(src), dt), tuple(sizes))
    return L.em.insert_slice(s, b, offs, strides)


@handles("select_scatter")
def _select_scatter(L, node, base, src, dim, index):
    shape, dt = L.out(node)
    b = L.val(base, dt)
    d = _norm_dim(dim, len(shape))
    offs, sizes = [0] * len(shape), list(shape)
    offs[d], sizes[d] = index % shape[d], 1
    s = L.em.convert(L.val(src), dt)
    s = L.em.broadcast_to(s, tuple(shape[:d]) + tuple(shape[d + 1:]))
    s = L.em.reshape(s, tuple(sizes))
    return L.em.insert_slice(s, b, offs, [1] * len(shape))


@handles("fill", "zero")
def _fill(L, node, x, value=0):
    shape, dt = L.out(node)
    if _is_num(value) or (isinstance(value, torch.Tensor) and value.numel() == 1):
        return L.em.splat(torch.as_tensor(value).reshape(()).item(), shape, dt)
    return L.em.broadcast_to(L.em.convert(L.val(value), dt), shape)


@handles("copy")
def _copy_into(L, node, dst, src, non_blocking=False):
    """copy(dst, src): src broadcast to dst's shape and dtype (functionalize
    writes every mutated input back with `copy_`)."""
    shape, dt = L.out(node)
    return L.em.broadcast_to(L.em.convert(L.val(src), dt), shape)


@handles("repeat")
def _repeat(L, node, x, repeats):
    v = L.val(x)
    reps = [int(r) for r in repeats]
    shape = (1,) * (len(reps) - len(v.shape)) + tuple(v.shape)
    inter = [d for r, s in zip(reps, shape) for d in (r, s)]
    y = L.em.reshape(v, [d for s in shape for d in (1, s)])
    y = L.em.broadcast_to(y, inter)
    return L.em.reshape(y, [r * s for r, s in zip(reps, shape)])


@handles("constant_pad_nd")
def _constant_pad(L, node, x, pad, value=0):
    v = L.val(x)
    r = len(v.shape)
    if len(pad) % 2 or len(pad) // 2 > r:
        raise Refused(f"padding list of length {len(pad)} for rank {r}")
    low, high = [0] * r, [0] * r
    for i in range(len(pad) // 2):
        low[r - 1 - i], high[r - 1 - i] = int(pad[2 * i]), int(pad[2 * i + 1])
    return L.em.pad(v, low, high, value)  # negative padding crops


@handles("roll")
def _roll(L, node, x, shifts, dims=()):
    v = L.val(x)
    shape = v.shape
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    dims = [dims] if isinstance(dims, int) else list(dims)
    if not dims:  # roll of the flattened tensor
        flat = L.em.reshape(v, (numel(shape),))
        return L.em.reshape(_roll_dims(L, flat, shifts, [0]), shape)
    if len(shifts) != len(dims):
        raise Refused("roll: shifts and dims of different lengths")
    return _roll_dims(L, v, shifts, dims)


def _roll_dims(L, v, shifts, dims):
    for sh, d in zip(shifts, dims):
        d = _norm_dim(d, len(v.shape))
        n = v.shape[d]
        k = sh % n if n else 0
        if k == 0:
            continue
        r = len(v.shape)
        head, tail = list(v.shape), list(v.shape)
        head[d], tail[d] = k, n - k
        o1, o2 = [0] * r, [0] * r
        o1[d] = n - k
        parts = [L.em.slice(v, o1, head, [1] * r), L.em.slice(v, o2, tail, [1] * r)]
        v = L.em.concat(parts, d, v.shape)
    return v


def _dense_strides(shape):
    return [int(np.prod(shape[i + 1:], dtype=np.int64)) for i in range(len(shape))]


@handles("as_strided")
def _as_strided(L, node, x, size, stride, storage_offset=None):
    """A view of x's storage. x must be dense (no overlap, no gaps) in
    torch's layout; its storage order is read from the traced strides."""
    v = L.val(x)
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    off = int(storage_offset or 0)
    src = node.args[0]
    if storage_offset is not None and _is_view(src):
        # an explicit offset counts from the start of the base's storage
        raise Refused("as_strided with a storage offset of a view")
    tm = src.meta.get("tensor_meta") if isinstance(src, torch.fx.Node) else None
    in_strides = list(tm.stride) if tm is not None else _dense_strides(v.shape)
    # storage order of x: dims by decreasing stride (size-1 dims anywhere)
    order = sorted(range(len(v.shape)), key=lambda i: (-in_strides[i], i))
    sorted_shape = [v.shape[i] for i in order]
    want = _dense_strides(sorted_shape)
    if any(v.shape[i] > 1 and in_strides[i] != want[k] for k, i in enumerate(order)):
        raise Refused("as_strided of a tensor whose layout is not dense")
    storage = L.em.reshape(L.em.transpose(v, order), (numel(v.shape),))
    n = numel(v.shape)
    if n == 0 or numel(size) == 0:
        raise Refused("as_strided of an empty tensor")
    last = off + sum((s - 1) * st for s, st in zip(size, stride))
    if off < 0 or last >= n or any(st < 0 for st in stride):
        raise Refused("as_strided outside the tensor's storage")
    # a permutation of a dense layout: a reshape and a transpose
    perm = sorted(range(len(size)), key=lambda i: (-stride[i], i))
    psize = [size[i] for i in perm]
    if off == 0 and numel(size) == n and all(
            size[i] == 1 or stride[i] == w for i, w in zip(perm, _dense_strides(psize))):
        y = L.em.reshape(storage, psize)
        inv = [perm.index(i) for i in range(len(size))]
        return L.em.transpose(y, inv)
    # anything else (overlapping windows, offsets): a gather
    r = len(size)

    def body(b):
        acc = b.const(off, "index")
        for d in range(r):
            if size[d] > 1 and stride[d] != 0:
                t = b.op(f"arith.muli {b.index(d)}, {b.const(stride[d], 'index')}", "index")
                acc = b.op(f"arith.addi {acc}, {t}", "index")
        y = b.fresh()
        b.raw(f"{y} = tensor.extract {storage.name}[{acc}] : {storage.type}")
        return y
    return L.em.generic([], tuple(size), v.dt, body)


@handles("index")
def _index(L, node, x, indices):
    """Advanced indexing x[i0, i1, ...] with integer index tensors (None
    skips a dim), as a gather (tensor.extract in a linalg.generic)."""
    v = L.val(x)
    shape, dt = L.out(node)
    r = len(v.shape)
    indices = list(indices) + [None] * (r - len(indices))
    pos = [k for k, i in enumerate(indices) if i is not None]
    idx = []
    for k in pos:
        iv = L.val(indices[k])
        if iv.dt not in ("i64", "i32"):
            raise Refused(f"indexing with a {iv.dt} tensor (boolean masks are not supported)")
        idx.append(iv)
    bshape = tuple(np.broadcast_shapes(*[i.shape for i in idx]))
    adjacent = pos == list(range(pos[0], pos[-1] + 1))
    lead = pos[0] if adjacent else 0
    nb = len(bshape)
    # out dims: (lead dims of x) + bshape + (the remaining dims of x)
    rest = [k for k in range(r) if indices[k] is None]
    if tuple(shape) != tuple([v.shape[k] for k in rest[:lead]] + list(bshape) +
                             [v.shape[k] for k in rest[lead:]]):
        raise Refused("internal: index result shape")
    idx = [L.em.broadcast_to(i, bshape) for i in idx]
    R = len(shape)
    dims = ", ".join(f"d{i}" for i in range(R))
    maps = [f"affine_map<({dims}) -> ({', '.join(f'd{lead + j}' for j in range(nb))})>"
            for _ in idx]

    def body(b, *ivals):
        subs, it, rd = [], iter(ivals), 0
        for k in range(r):
            if indices[k] is None:
                od = rd if rd < lead else rd + nb
                subs.append(b.index(od))
                rd += 1
            else:
                iv, src = next(it), idx[pos.index(k)]
                i64 = b.fresh()
                b.raw(f"{i64} = arith.index_cast {iv} : {src.dt} to index")
                n = b.const(v.shape[k], "index")
                neg = b.cmpi("slt", i64, b.const(0, "index"), "index")
                subs.append(b.op(f"arith.select {neg}, "
                                 f"{b.op(f'arith.addi {i64}, {n}', 'index')}, {i64}", "index"))
        y = b.fresh()
        b.raw(f"{y} = tensor.extract {v.name}[{', '.join(subs)}] : {v.type}")
        return y
    return L.em.generic(idx, shape, dt, body, maps=maps)


@handles("norm", "linalg_vector_norm")
def _norm(L, node, x, p=2, dim=None, keepdim=False, dtype=None):
    name = packet(node.target)
    if name == "linalg_vector_norm" and dim is None and isinstance(p, (list, tuple)):
        p, dim = 2, p
    if p is None:
        p = 2
    if dtype is not None:
        raise Refused("norm with a dtype")
    v = L.val(x, "f32")
    r = len(v.shape)
    ds = sorted(set(_norm_dim(d, r) for d in ([dim] if isinstance(dim, int) else
                                                 (dim or range(r)))))
    p = float(p)
    if p == 2.0:
        sq = L.em.ew([v], lambda b, a: b.mul(a, a), v.shape)
        y = L.em.ew([L.em.reduce(sq, ds)], lambda b, a: b.math("sqrt", a), None)
    elif p == 1.0:
        y = L.em.reduce(L.em.ew([v], lambda b, a: b.math("absf", a), v.shape), ds)
    elif p == math.inf:
        y = L.em.reduce(L.em.ew([v], lambda b, a: b.math("absf", a), v.shape), ds, "max")
    else:
        pw = L.em.ew([v], lambda b, a: b.op(f"math.powf {b.math('absf', a)}, {b.const(p)}"), v.shape)
        y = L.em.ew([L.em.reduce(pw, ds)], lambda b, a: b.op(f"math.powf {a}, {b.const(1.0 / p)}"), None)
    shape, _ = L.out(node)
    return L.em.reshape(y, shape)


# contractions -----------------------------------------------------------------

def _transposed_source(L, node_arg, rank):
    """The untransposed V when `node_arg` is t(x) / transpose(x, -2, -1)."""
    if not isinstance(node_arg, torch.fx.Node):
        return None
    name = packet(node_arg.target)
    a = node_arg.args
    src = a[0] if a else None
    if not isinstance(src, torch.fx.Node) or not isinstance(L.env.get(src.name), V):
        return None
    if name == "t" and rank == 2:
        return L.env[src.name]
    if name == "transpose" and {a[1] % rank, a[2] % rank} == {rank - 2, rank - 1}:
        return L.env[src.name]
    if name == "permute" and list(d % rank for d in a[1]) == \
            list(range(rank - 2)) + [rank - 1, rank - 2]:
        return L.env[src.name]
    return None


def _matmul(L, node, a, b, which):
    """mm / bmm, with a transposed B read through indexing maps."""
    x, y = L.val(a, "f32"), L.val(b, "f32")
    shape, _ = L.out(node)
    z = L.em.fill(0.0, shape)
    rank = len(shape)
    yt = _transposed_source(L, node.args[which], rank)
    if rank == 2:
        if yt is not None:
            maps = ("indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
                    "affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ")
            return L.em.named("matmul", [x, yt], z, shape, maps=maps)
        return L.em.named("matmul", [x, y], z, shape)
    if yt is not None:
        maps = ("indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, "
                "affine_map<(b, m, n, k) -> (b, n, k)>, "
                "affine_map<(b, m, n, k) -> (b, m, n)>] ")
        return L.em.named("batch_matmul", [x, yt], z, shape, maps=maps)
    return L.em.named("batch_matmul", [x, y], z, shape)


@handles("mm")
def _mm(L, node, a, b):
    return _matmul(L, node, a, b, 1)


@handles("bmm")
def _bmm(L, node, a, b):
    return _matmul(L, node, a, b, 1)


@handles("addmm", "baddbmm")
def _addmm(L, node, bias, a, b, beta=1, alpha=1):
    m = _matmul(L, node, a, b, 2)
    bv = L.val(bias, "f32")
    return L.em.ew([m, bv], lambda bb, x, y: bb.add(
        x if alpha == 1 else bb.mul(x, bb.const(float(alpha))),
        y if beta == 1 else bb.mul(y, bb.const(float(beta)))), m.shape)


# convolution and pooling ----------------------------------------------------

def _pair(v, n=2):
    v = list(v) if isinstance(v, (list, tuple)) else [v]
    return v * n if len(v) == 1 else v


@handles("convolution")
def _conv(L, node, x, w, bias, stride, padding, dilation, transposed, output_padding,
          groups):
    xv, wv = L.val(x, "f32"), L.val(w, "f32")
    shape, _ = L.out(node)
    em = L.em
    output_padding = list(output_padding or [0] * (len(xv.shape) - 2))
    if len(xv.shape) == 3:  # conv1d as a 2-D convolution of height 1
        n, c, l = xv.shape
        xv = em.reshape(xv, (n, c, 1, l))
        wv = em.reshape(wv, wv.shape[:2] + (1, wv.shape[2]))
        stride, padding, dilation = [1] + list(stride), [0] + list(padding), [1] + list(dilation)
        output_padding = [0] + output_padding
        out4 = (shape[0], shape[1], 1, shape[2])
    elif len(xv.shape) == 4:
        out4 = shape
    else:
        raise Refused(f"{len(xv.shape) - 2}-D convolution")
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    if any(isinstance(p, str) for p in padding):
        raise Refused("string padding")
    if transposed:
        xv, wv, low, high = _transposed_as_conv(em, xv, wv, stride, padding, dilation,
                                                _pair(output_padding), groups)
        stride = (1, 1)
    else:
        low = high = [0, 0, padding[0], padding[1]]
    xv = em.pad(xv, low, high)
    n, c, _, _ = xv.shape
    f = wv.shape[0]
    attrs = (f"dilations = dense<[{dilation[0]}, {dilation[1]}]> : tensor<2xi64>, "
             f"strides = dense<[{stride[0]}, {stride[1]}]> : tensor<2xi64>")
    if groups == 1 and IM2COL:
        y = _conv_im2col(em, xv, wv, out4, stride, dilation)
    elif groups == 1:
        z = em.fill(0.0, out4)
        y = em.named("conv_2d_nchw_fchw", [xv, wv], z, out4, attrs)
    elif groups == c and f == c:
        z = em.fill(0.0, out4)
        wd = em.reshape(wv, (c,) + wv.shape[2:])
        y = em.named("depthwise_conv_2d_nchw_chw", [xv, wd], z, out4, attrs)
    else:
        g = groups
        xg = em.reshape(xv, (n, g, c // g) + xv.shape[2:])
        wg = em.reshape(wv, (g, f // g) + wv.shape[1:])
        og = (out4[0], g, f // g) + tuple(out4[2:])
        z = em.fill(0.0, og)
        y = em.reshape(em.named("conv_2d_ngchw_gfchw", [xg, wg], z, og, attrs), out4)
    if bias is not None:
        bv = L.val(bias, "f32")
        y = em.ew([y, em.reshape(bv, (1, out4[1], 1, 1))], lambda b, p, q: b.add(p, q), out4)
    return em.reshape(y, shape)


def _transposed_as_conv(em, xv, wv, stride, padding, dilation, output_padding, groups):
    """ConvTranspose as a stride-1 convolution: the input with stride - 1
    zeros between elements (an insert_slice with strides into zeros),
    padded by dilation*(k-1) - padding (plus output_padding at the end;
    negative pads crop), and the weight [Cin, Cout/g, kh, kw] regrouped to
    [Cout, Cin/g, kh, kw] and flipped in both spatial dims (a gather).
    Returns (input, weight, low pads, high pads; negative ones crop)."""
    n, c, h, w = xv.shape
    _, fg, kh, kw = wv.shape
    g = groups
    if stride != (1, 1):
        z = em.fill(0.0, (n, c, (h - 1) * stride[0] + 1, (w - 1) * stride[1] + 1))
        xv = em.insert_slice(xv, z, [0, 0, 0, 0], [1, 1, stride[0], stride[1]])
    low, high = [0, 0], [0, 0]
    for i, k in enumerate((kh, kw)):
        low.append(dilation[i] * (k - 1) - padding[i])
        high.append(dilation[i] * (k - 1) - padding[i] + output_padding[i])
    wg = em.reshape(wv, (g, c // g, fg, kh, kw))
    wg = em.reshape(em.transpose(wg, [0, 2, 1, 3, 4]), (g * fg, c // g, kh, kw))

    def flip(b):
        i, j = b.index(2), b.index(3)
        fi = b.op(f"arith.subi {b.const(kh - 1, 'index')}, {i}", "index")
        fj = b.op(f"arith.subi {b.const(kw - 1, 'index')}, {j}", "index")
        y = b.fresh()
        b.raw(f"{y} = tensor.extract {wg.name}[{b.index(0)}, {b.index(1)}, {fi}, {fj}] : "
              f"{wg.type}")
        return y
    wf = em.generic([], wg.shape, "f32", flip)
    return xv, wf, low, high


#: Convolutions without groups as one matmul over an im2col matrix built
#: from strided slices (the matmul reaches the CPU GEMM runtime; the named
#: NCHW convolution runs as loops). False: linalg.conv_2d_nchw_fchw.
IM2COL = True


def _conv_im2col(em, xv, wv, out4, stride, dilation):
    """[N,C,Hp,Wp] (padded) * [F,C,kh,kw] -> [N,F,Ho,Wo] as
    W[F, C*kh*kw] @ cols[C*kh*kw, N*Ho*Wo]; cols stacks, per kernel offset,
    the strided slice of the input that offset reads."""
    n, c, hp, wp = xv.shape
    f, _, kh, kw = wv.shape
    ho, wo = out4[2], out4[3]
    xt = em.transpose(xv, [1, 0, 2, 3])  # [C, N, Hp, Wp]
    cols = []
    for i in range(kh):
        for j in range(kw):
            sl = em.slice(xt, [0, 0, i * dilation[0], j * dilation[1]], [c, n, ho, wo],
                          [1, 1, stride[0], stride[1]])
            cols.append(em.reshape(sl, (c, 1, n * ho * wo)))
    col = em.concat(cols, 1, (c, kh * kw, n * ho * wo))
    col = em.reshape(col, (c * kh * kw, n * ho * wo))
    w2 = em.reshape(wv, (f, c * kh * kw))
    z = em.fill(0.0, (f, n * ho * wo))
    y = em.named("matmul", [w2, col], z, (f, n * ho * wo))
    return em.transpose(em.reshape(y, (f, n, ho, wo)), [1, 0, 2, 3])


def _pool_window(L, xv, shape, k, stride, padding, dilation, kind, pad_value):
    em = L.em
    if len(xv.shape) == 3:
        xv = em.reshape(xv, (1,) + xv.shape)
        out4 = (1,) + tuple(shape)
    else:
        out4 = shape
    xv = em.pad(xv, [0, 0, padding[0], padding[1]], [0, 0, padding[0], padding[1]],
                pad_value)
    # ceil_mode windows that run past the padded input: pad more at the end
    need_h = (out4[2] - 1) * stride[0] + dilation[0] * (k[0] - 1) + 1
    need_w = (out4[3] - 1) * stride[1] + dilation[1] * (k[1] - 1) + 1
    extra = [max(0, need_h - xv.shape[2]), max(0, need_w - xv.shape[3])]
    xv = em.pad(xv, [0, 0, 0, 0], [0, 0, extra[0], extra[1]], pad_value)
    init = em.fill(-math.inf if kind == "max" else 0.0, out4)
    win = V(em.empty(k), k)
    attrs = (f"dilations = dense<[{dilation[0]}, {dilation[1]}]> : tensor<2xi64>, "
             f"strides = dense<[{stride[0]}, {stride[1]}]> : tensor<2xi64>")
    return em.named(f"pooling_nchw_{kind}", [xv, win], init, out4, attrs), out4, extra


@handles("max_pool2d_with_indices", "max_pool2d")
def _maxpool(L, node, x, kernel, stride=(), padding=0, dilation=1, ceil_mode=False):
    xv = L.val(x, "f32")
    k = _pair(kernel)
    stride = _pair(stride) if stride else k
    padding, dilation = _pair(padding), _pair(dilation)
    m = _meta(node)
    shape = m[0] if m else None
    if shape is None:  # with_indices: a tuple; its first result
        shape = tuple(_max_pool_shape(xv.shape, k, stride, padding, dilation, ceil_mode))
    y, out4, _ = _pool_window(L, xv, shape, k, stride, padding, dilation, "max", -math.inf)
    y = L.em.reshape(y, shape)
    if packet(node.target) == "max_pool2d":
        return y
    return (y, NO_INDICES)


def _max_pool_shape(shape, k, s, p, d, ceil):
    out = list(shape[:-2])
    for i in range(2):
        n = shape[-2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1
        o = (-(-n // s[i]) if ceil else n // s[i]) + 1
        if ceil and (o - 1) * s[i] >= shape[-2 + i] + p[i]:
            o -= 1
        out.append(o)
    return out


@handles("avg_pool2d")
def _avgpool(L, node, x, kernel, stride=(), padding=0, ceil_mode=False,
             count_include_pad=True, divisor_override=None):
    xv = L.val(x, "f32")
    k = _pair(kernel)
    stride = _pair(stride) if stride else k
    padding = _pair(padding)
    shape, _ = L.out(node)
    y, out4, extra = _pool_window(L, xv, shape, k, stride, padding, [1, 1], "sum", 0.0)
    if divisor_override:
        div = np.full(out4, float(divisor_override), np.float32)
    else:  # PyTorch's divisor per output position
        H, W = xv.shape[-2:]
        div = np.zeros(out4[-2:], np.float32)
        for i in range(out4[2]):
            for j in range(out4[3]):
                h0, w0 = i * stride[0] - padding[0], j * stride[1] - padding[1]
                h1 = min(h0 + k[0], H + padding[0])
                w1 = min(w0 + k[1], W + padding[1])
                if count_include_pad:
                    div[i, j] = (h1 - h0) * (w1 - w0)
                else:
                    div[i, j] = (min(h1, H) - max(h0, 0)) * (min(w1, W) - max(w0, 0))
    inv = L.em.dense((1.0 / div).astype(np.float32), "f32")
    y = L.em.ew([y, inv], lambda b, p, q: b.mul(p, q), out4)
    return L.em.reshape(y, shape)


def _adaptive_avg_1d(L, v, dim, out):
    """Adaptive average pooling along one dimension: one slice and mean
    per output position, concatenated."""
    n = v.shape[dim]
    if n == out:
        return v
    parts = []
    for i in range(out):
        s, e = (i * n) // out, -((-(i + 1) * n) // out)
        offs, sizes = [0] * len(v.shape), list(v.shape)
        offs[dim], sizes[dim] = s, e - s
        sl = L.em.slice(v, offs, sizes, [1] * len(v.shape))
        m = L.em.reduce(sl, [dim])
        m = L.em.ew([m], lambda b, p: b.mul(p, b.const(1.0 / (e - s))), m.shape)
        sizes[dim] = 1
        parts.append(L.em.reshape(m, sizes))
    shape = list(v.shape)
    shape[dim] = out
    return L.em.concat(parts, dim, shape)


@handles("_adaptive_avg_pool2d", "adaptive_avg_pool2d")
def _adaptive(L, node, x, output_size):
    xv = L.val(x, "f32")
    H, W = xv.shape[-2:]
    oh, ow = _pair(output_size)
    if H % oh or W % ow:  # PyTorch's windows [floor(i n / o), ceil((i + 1) n / o))
        y = _adaptive_avg_1d(L, _adaptive_avg_1d(L, xv, len(xv.shape) - 2, oh),
                             len(xv.shape) - 1, ow)
        return L.em.reshape(y, L.out(node)[0])
    k = [H // oh, W // ow]
    shape, _ = L.out(node)
    y, out4, _ = _pool_window(L, xv, shape, k, k, [0, 0], [1, 1], "sum", 0.0)
    y = L.em.ew([y], lambda b, p: b.mul(p, b.const(1.0 / (k[0] * k[1]))), out4)
    return L.em.reshape(y, shape)


# reductions -----------------------------------------------------------------

def _dims(dims, rank):
    if dims is None or (isinstance(dims, (list, tuple)) and len(dims) == 0):
        return list(range(rank))
    if isinstance(dims, int):
        dims = [dims]
    return sorted(set(d % rank for d in dims)) if rank else []


def _finish(L, node, v):
    shape, dt = L.out(node)
    return L.em.convert(L.em.reshape(v, shape), dt)


def _masked_sum(L, m: Masked):
    """(sum of the selected elements, their count)."""
    sel = L.em.tensor_body([m.mask, m.x], m.x.shape, "f32",
                           lambda b, k, x: b.select(k, x, b.const(0.0)))
    dims = range(len(m.x.shape))
    return L.em.reduce(sel, dims), L.em.reduce(L.em.convert(m.mask, "f32"), dims)


@handles("sum")
def _sum(L, node, x, dims=None, keepdim=False, dtype=None):
    if isinstance(x, Masked):
        return _finish(L, node, _masked_sum(L, x)[0])
    v = L.val(x, "f32")
    return _finish(L, node, L.em.reduce(v, _dims(dims, len(v.shape))))


@handles("mean")
def _mean(L, node, x, dims=None, keepdim=False, dtype=None):
    if isinstance(x, Masked):
        s, cnt = _masked_sum(L, x)
        return _finish(L, node, L.em.ew([s, cnt], lambda b, p, q: b.div(p, q), ()))
    v = L.val(x, "f32")
    d = _dims(dims, len(v.shape))
    n = numel([v.shape[i] for i in d])
    s = L.em.reduce(v, d)
    return _finish(L, node, L.em.ew([s], lambda b, p: b.mul(p, b.const(1.0 / n)), s.shape))


@handles("amax")
def _amax(L, node, x, dims=(), keepdim=False):
    v = L.val(x, "f32")
    return _finish(L, node, L.em.reduce(v, _dims(dims, len(v.shape)), "max"))


def _var(L, v, d, correction):
    n = numel([v.shape[i] for i in d])
    s = L.em.reduce(v, d)
    mean = L.em.ew([s], lambda b, p: b.mul(p, b.const(1.0 / n)), s.shape)
    kd = tuple(1 if i in d else v.shape[i] for i in range(len(v.shape)))
    xc = L.em.ew([v, L.em.reshape(mean, kd)], lambda b, p, q: b.sub(p, q), v.shape)
    ss = L.em.reduce(L.em.ew([xc], lambda b, p: b.mul(p, p), v.shape), d)
    return L.em.ew([ss], lambda b, p: b.mul(p, b.const(1.0 / max(n - correction, 0))),
                   ss.shape), mean, xc


@handles("var", "std")
def _var_h(L, node, x, dims=None, unbiased=None, keepdim=False, correction=None):
    v = L.val(x, "f32")
    if isinstance(dims, bool):  # var(x, unbiased)
        dims, unbiased = None, dims
    corr = correction if correction is not None else (0 if unbiased is False else 1)
    var = _var(L, v, _dims(dims, len(v.shape)), corr)[0]
    if packet(node.target) == "std":
        var = L.em.ew([var], lambda b, p: b.math("sqrt", p), var.shape)
    return _finish(L, node, var)


@handles("_softmax", "_log_softmax", "softmax", "log_softmax")
def _softmax(L, node, x, dim, half_to_float=False):
    v = L.val(x, "f32")
    r = len(v.shape)
    d = dim % r
    kd = tuple(1 if i == d else s for i, s in enumerate(v.shape))
    em = L.em
    m = em.reshape(em.reduce(v, [d], "max"), kd)
    z = em.ew([v, m], lambda b, p, q: b.sub(p, q), v.shape)
    e = em.ew([z], lambda b, p: b.math("exp", p), v.shape)
    s = em.reshape(em.reduce(e, [d]), kd)
    if "log" in packet(node.target):
        return em.ew([z, s], lambda b, p, q: b.sub(p, b.math("log", q)), v.shape)
    return em.ew([e, s], lambda b, p, q: b.div(p, q), v.shape)


# normalization ------------------------------------------------------------

def _along(L, p, rank, cdim):
    """A per-channel (cdim) or trailing-dims (cdim None) parameter reshaped
    to broadcast against a tensor of `rank`."""
    pv = L.val(p, "f32")
    if cdim is None:
        return pv
    return L.em.reshape(pv, tuple(pv.shape[0] if i == cdim else 1 for i in range(rank)))


def _affine(L, xn, w, b, cdim):
    """xn * w + b with w, b along dimension `cdim` (or trailing dims)."""
    r = len(xn.shape)
    if w is not None:
        xn = L.em.ew([xn, _along(L, w, r, cdim)], lambda bb, x, y: bb.mul(x, y), xn.shape)
    if b is not None:
        xn = L.em.ew([xn, _along(L, b, r, cdim)], lambda bb, x, y: bb.add(x, y), xn.shape)
    return xn


def _normalize(L, v, d, eps):
    """(x - mean) * rsqrt(var + eps) over dims d; returns xn, mean, var, rstd
    (mean, var, rstd with keepdim shapes)."""
    var, mean, xc = _var(L, v, d, 0)
    kd = tuple(1 if i in d else v.shape[i] for i in range(len(v.shape)))
    rstd = L.em.ew([var], lambda b, p: b.math("rsqrt", b.add(p, b.const(float(eps)))),
                   var.shape)
    xn = L.em.ew([xc, L.em.reshape(rstd, kd)], lambda b, p, q: b.mul(p, q), v.shape)
    return xn, mean, var, rstd


@handles("native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training")
def _batch_norm(L, node, x, w, b, rm, rv, training, momentum, eps):
    v = L.val(x, "f32")
    r = len(v.shape)
    C = v.shape[1]
    d = [i for i in range(r) if i != 1]
    em = L.em
    if training:
        xn, mean, var, rstd = _normalize(L, v, d, eps)
        out = _affine(L, xn, w, b, 1)
        n = numel(v.shape) // C
        if rm is not None:
            m = float(momentum)
            rmv, rvv = L.val(rm, "f32"), L.val(rv, "f32")
            new_m = em.ew([rmv, mean], lambda bb, p, q: bb.add(
                bb.mul(p, bb.const(1.0 - m)), bb.mul(q, bb.const(m))), (C,))
            new_v = em.ew([rvv, var], lambda bb, p, q: bb.add(
                bb.mul(p, bb.const(1.0 - m)),
                bb.mul(q, bb.const(m * n / max(n - 1, 1)))), (C,))
            L.mutate(node.args[3], new_m)
            L.mutate(node.args[4], new_v)
        return (out, mean, rstd)
    if rm is None:
        raise Refused("eval-mode batch norm without running statistics")
    rmv, rvv = L.val(rm, "f32"), L.val(rv, "f32")
    xn = em.ew([v, _along(L, rmv, r, 1), _along(L, rvv, r, 1)],
               lambda bb, p, mu, s: bb.mul(bb.sub(p, mu), bb.math(
                   "rsqrt", bb.add(s, bb.const(float(eps))))), v.shape)
    return (_affine(L, xn, w, b, 1), NO_STATS, NO_STATS)


@handles("native_layer_norm")
def _layer_norm(L, node, x, normalized_shape, w, b, eps):
    v = L.val(x, "f32")
    r, k = len(v.shape), len(normalized_shape)
    xn, mean, var, rstd = _normalize(L, v, list(range(r - k, r)), eps)
    return (_affine(L, xn, w, b, None), mean, rstd)


@handles("native_group_norm")
def _group_norm(L, node, x, w, b, N, C, HxW, group, eps):
    v = L.val(x, "f32")
    g = L.em.reshape(v, (N, group, (C // group) * HxW))
    xn, mean, var, rstd = _normalize(L, g, [2], eps)
    xn = L.em.reshape(xn, v.shape)
    return (_affine(L, xn, w, b, 1), mean, rstd)


# embeddings and losses ---------------------------------------------------

@handles("embedding")
def _embedding(L, node, weight, indices, padding_idx=-1, scale_grad_by_freq=False,
               sparse=False):
    if scale_grad_by_freq or sparse:
        raise Refused("scale_grad_by_freq / sparse embeddings")
    w, idx = L.val(weight, "f32"), L.val(indices)
    det = None
    if padding_idx is not None and padding_idx >= 0 and isinstance(weight, V):
        # the padding row gets no gradient: read it from the weight's
        # undifferentiated copy (the trainer passes the same tensor twice)
        src = node.args[0]
        det = L.detached.get(src.name) if isinstance(src, torch.fx.Node) else None
        if det is None:
            raise Refused("padding_idx on a weight that is not a parameter of the model")
    if idx.dt not in ("i64", "i32"):
        raise Refused(f"indices of type {idx.dt}")
    shape, _ = L.out(node)
    r = len(shape)
    dims = ", ".join(f"d{i}" for i in range(r))
    maps = [f"affine_map<({dims}) -> ({', '.join(f'd{i}' for i in range(r - 1))})>"]

    def body(b, i):
        ix = b.fresh()
        b.raw(f"{ix} = arith.index_cast {i} : {idx.dt} to index")
        j = b.index(r - 1)
        y = b.fresh()
        b.raw(f"{y} = tensor.extract {w.name}[{ix}, {j}] : {w.type}")
        if det is None:
            return y
        yd = b.fresh()
        b.raw(f"{yd} = tensor.extract {det.name}[{ix}, {j}] : {det.type}")
        pad = b.cmpi("eq", i, b.const(int(padding_idx), idx.dt), idx.dt)
        return b.select(pad, yd, y)
    return L.em.generic([idx], shape, "f32", body, maps=maps)


_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduce_loss(L, per, reduction):
    if reduction == 0:
        return per
    s = L.em.reduce(per, range(len(per.shape)))
    if reduction == 1:
        n = numel(per.shape)
        s = L.em.ew([s], lambda b, p: b.mul(p, b.const(1.0 / n)), ())
    return s


@handles("nll_loss_forward", "nll_loss")
def _nll(L, node, x, target, weight=None, reduction=1, ignore_index=-100):
    if weight is not None:
        raise Refused("class weights")
    v, t = L.val(x, "f32"), L.val(target)
    if len(v.shape) == 1:
        v = L.em.reshape(v, (1,) + v.shape)
        t = L.em.reshape(t, (1,))
    if len(v.shape) != 2:
        raise Refused("nll_loss over more than [N, C]")
    N, C = v.shape
    maps = ["affine_map<(d0, d1) -> (d0, d1)>", "affine_map<(d0, d1) -> (d0)>"]

    def pick(b, p, lab):
        j = b.fresh()
        b.raw(f"{j} = arith.index_cast {b.index(1)} : index to {t.dt}")
        hit = b.cmpi("eq", j, lab, t.dt)
        ok = b.cmpi("ne", lab, b.const(ignore_index, t.dt), t.dt)
        both = b.fresh()
        b.raw(f"{both} = arith.andi {hit}, {ok} : i1")
        return b.select(both, b.neg(p), b.const(0.0))
    per = L.em.generic([v, t], (N, C), "f32", pick, maps=maps)
    if reduction == 0:
        out = L.em.reduce(per, [1])
        return (out, NO_STATS)
    s = L.em.reduce(per, [0, 1])
    valid = L.em.generic([t], (N,), "f32", lambda b, lab: b.convert(
        b.cmpi("ne", lab, b.const(ignore_index, t.dt), t.dt), "i1", "f32"))
    cnt = L.em.reduce(valid, [0])
    if reduction == 1:
        s = L.em.ew([s, cnt], lambda b, p, q: b.div(p, q), ())
    return (s, cnt)


@handles("mse_loss")
def _mse(L, node, a, b, reduction=1):
    x, y = L.val(a, "f32"), L.val(b, "f32")
    d = L.em.ew([x, y], lambda bb, p, q: (lambda t: bb.mul(t, t))(bb.sub(p, q)))
    return _reduce_loss(L, d, reduction)


@handles("l1_loss")
def _l1(L, node, a, b, reduction=1):
    x, y = L.val(a, "f32"), L.val(b, "f32")
    d = L.em.ew([x, y], lambda bb, p, q: bb.math("absf", bb.sub(p, q)))
    return _reduce_loss(L, d, reduction)


@handles("binary_cross_entropy_with_logits")
def _bce_logits(L, node, x, y, weight=None, pos_weight=None, reduction=1):
    if weight is not None or pos_weight is not None:
        raise Refused("weight / pos_weight")
    xv, yv = L.val(x, "f32"), L.val(y, "f32")

    def fn(b, p, q):
        # (1 - y) x + max(-x, 0) + log(exp(-max(-x, 0)) + exp(-x - max(-x, 0)))
        mv = b.max(b.neg(p), b.const(0.0))
        lse = b.math("log", b.add(b.math("exp", b.neg(mv)),
                                  b.math("exp", b.sub(b.neg(p), mv))))
        return b.add(b.add(b.mul(b.sub(b.const(1.0), q), p), mv), lse)
    return _reduce_loss(L, L.em.ew([xv, yv], fn), reduction)


@handles("scalar_tensor")
def _scalar_tensor(L, node, s, **kw):
    shape, dt = L.out(node)
    return L.em.splat(s, shape, dt)


# random: dropout ---------------------------------------------------------------

# splitmix64 constants as signed i64
_GOLDEN = 0x9E3779B97F4A7C15 - (1 << 64)
_MIX1 = 0xBF58476D1CE4E5B9 - (1 << 64)
_MIX2 = 0x94D049BB133111EB - (1 << 64)


def _uniform(L, shape) -> V:
    """U[0, 1) per element from a counter-based generator: splitmix64 of
    (seed, stream, linear index), the top 24 bits as a float. The seed is
    a state argument (one more per step); each random op is one stream."""
    if SEED not in L.inputs:
        raise Refused("internal: no seed argument for a random op")
    seed = L.val(L.inputs[SEED])
    stream = L.streams
    L.streams += 1
    r = len(shape)
    dims = ", ".join(f"d{i}" for i in range(r))
    strides = _dense_strides(shape)

    def body(b, sd):
        i64 = "i64"
        lin = b.const(0, i64)
        for d in range(r):
            ix = b.fresh()
            b.raw(f"{ix} = arith.index_cast {b.index(d)} : index to i64")
            lin = b.op(f"arith.addi {lin}, {b.op(f'arith.muli {ix}, {b.const(strides[d], i64)}', i64)}", i64)
        key = b.op(f"arith.muli {sd}, {b.const(_GOLDEN, i64)}", i64)
        key = b.op(f"arith.addi {key}, {b.const((stream + 1) * 0x632BE5AB, i64)}", i64)
        z = b.op(f"arith.addi {lin}, {key}", i64)
        z = b.op(f"arith.muli {z}, {b.const(_GOLDEN, i64)}", i64)
        for sh, mul in ((30, _MIX1), (27, _MIX2)):
            z = b.op(f"arith.xori {z}, {b.op(f'arith.shrui {z}, {b.const(sh, i64)}', i64)}", i64)
            z = b.op(f"arith.muli {z}, {b.const(mul, i64)}", i64)
        z = b.op(f"arith.xori {z}, {b.op(f'arith.shrui {z}, {b.const(31, i64)}', i64)}", i64)
        top = b.op(f"arith.shrui {z}, {b.const(40, i64)}", i64)
        u = b.fresh()
        b.raw(f"{u} = arith.uitofp {top} : i64 to f32")
        return b.mul(u, b.const(2.0 ** -24))
    return L.em.generic([seed], shape, "f32", body,
                        maps=[f"affine_map<({dims}) -> ()>"])


def _keep_mask(L, shape, p_keep) -> V:
    u = _uniform(L, shape)
    return L.em.ew([u], lambda b, x: b.convert(b.cmpf("olt", x, b.const(float(p_keep))),
                                               "i1", "f32"), shape)


@handles("bernoulli")
def _bernoulli(L, node, x, p=0.5, generator=None):
    if generator is not None or not _is_num(p):
        raise Refused("bernoulli with a generator or a tensor of probabilities")
    shape, _ = L.out(node)
    return _keep_mask(L, shape, p)


@handles("native_dropout")
def _native_dropout(L, node, x, p, train):
    v = L.val(x, "f32")
    if not train or p == 0:
        return (v, L.em.splat(True, v.shape, "i1"))
    if p >= 1:
        return (L.em.splat(0.0, v.shape), L.em.splat(False, v.shape, "i1"))
    m = _keep_mask(L, v.shape, 1.0 - p)
    y = L.em.ew([v, m], lambda b, a, k: b.mul(b.mul(a, k), b.const(1.0 / (1.0 - p))), v.shape)
    return (y, L.em.convert(m, "i1"))
