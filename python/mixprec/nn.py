"""A small model builder that emits the docs/design.md §2 training-graph contract.

    from mixprec import nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    graph = nn.build(model, input_shape=(64, 784), target_shape=(64, 10),
                     loss=nn.SoftmaxCrossEntropy(), optimizer=nn.Adam(1e-3))
    graph.ir            # MLIR text: @loss(params..., x, y) and @train_step
    graph.init(seed=0)  # numpy arrays for the params and optimizer state

Everything is emitted in f32 with ops that mp-differentiate has adjoint rules
for and mp-autocast classifies (linalg matmul / batch_matmul / conv_2d_nhwc_hwcf
/ pooling / reduce / broadcast / fill / transpose, arith and math elementwise
ops on tensors, tensor reshapes and pad): the policy is applied by the
compiler, not here.

Layouts: activations are row-major with features last; Linear weights are
(in, out) (PyTorch's weight transposed), images are NHWC and conv filters
HWCF (PyTorch's OIHW weight permuted (2, 3, 1, 0)).
"""

from __future__ import annotations

import math
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    "Module", "Sequential", "Residual", "Linear", "ReLU", "GELU", "Tanh",
    "LayerNorm", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Attention",
    "SoftmaxCrossEntropy", "MSE", "SGD", "Momentum", "Adam", "Graph", "build",
]


# ---------------------------------------------------------------------------
# IR emission
# ---------------------------------------------------------------------------

def _fmt(x: float) -> str:
    """An MLIR float literal that round-trips through f32."""
    x = float(np.float32(x))
    if math.isinf(x):
        return "0x7F800000" if x > 0 else "0xFF800000"
    return "{:.9e}".format(x)


def _string(text: str) -> str:
    """An MLIR string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ttype(shape) -> str:
    if len(shape) == 0:
        return "tensor<f32>"
    return "tensor<" + "x".join(str(int(d)) for d in shape) + "xf32>"


class Value:
    """An SSA value of type tensor<shape x f32>."""
    __slots__ = ("name", "shape")

    def __init__(self, name: str, shape):
        self.name = name
        self.shape = tuple(int(d) for d in shape)

    @property
    def type(self) -> str:
        return _ttype(self.shape)

    def __repr__(self):
        return f"{self.name} : {self.type}"


class Emitter:
    """Appends ops to a function body; every helper returns a Value.

    With `share_layers`, identical layers of a Sequential become calls of one
    private function (see `Emitter.layer_function`); `functions` holds those
    functions, shared by the emitters of nested bodies."""

    def __init__(self, indent="  ", share_layers=False, functions=None):
        self.lines: List[str] = []
        self.indent = indent
        self.counter = 0
        self.share_layers = share_layers
        # key -> (name, text), in creation order
        self.functions: Dict[tuple, Tuple[str, str]] = {} if functions is None else functions

    _LOC = re.compile(r' loc\("(?:[^"\\]|\\.)*"\)')

    def layer_function(self, layer: "Module", in_shape, prefix: str):
        """The body of `layer` applied to an input of `in_shape` as a function
        of (x, its params...): (key, text) where `key` is the same for layers
        that compute the same thing (same module type, shapes and body; the
        layer names, i.e. the NameLocs, do not count)."""
        specs = layer.param_specs(prefix)
        sub = Emitter(share_layers=True, functions=self.functions)
        x = Value("%x", in_shape)
        args = [Value(f"%p{i}", sp.shape) for i, sp in enumerate(specs)]
        out = layer.forward(sub, x, {sp.name: a for sp, a in zip(specs, args)}, prefix)
        body = self._LOC.sub("", "\n".join(sub.lines))
        sig = ", ".join([f"{x.name}: {x.type}"] + [f"{a.name}: {a.type}" for a in args])
        text = (f"({sig}) -> {out.type} {{\n{body}\n"
                f"  return {out.name} : {out.type}\n}}")
        return (type(layer).__name__, tuple(in_shape), text), text

    def call_layer(self, key, text, layer: "Module", x: Value, p, prefix: str) -> Value:
        """A call of the private function for `key` (created on first use)
        on `x` and the layer's params; the call carries `no_inline`, so that
        mp-differentiate differentiates it as a call, and the layer's name."""
        if key not in self.functions:
            name = f"@layer_{key[0].lower()}_{len(self.functions)}"
            self.functions[key] = (name, f"func.func private {name}{text}")
        name = self.functions[key][0]
        specs = layer.param_specs(prefix)
        params = [p[sp.name] for sp in specs]
        out = Value(self.fresh("call"), layer.out_shape(x.shape))
        operands = [x] + params
        self.emit(f"{out.name} = func.call {name}({', '.join(v.name for v in operands)}) "
                  f"{{no_inline}} : ({', '.join(v.type for v in operands)}) -> {out.type}"
                  f"{self._loc(prefix or None)}")
        return out

    def fresh(self, hint="v") -> str:
        self.counter += 1
        return f"%{hint}{self.counter}"

    def emit(self, text: str):
        for line in text.split("\n"):
            self.lines.append(self.indent + line)

    @staticmethod
    def _loc(name: Optional[str]) -> str:
        return f" loc({_string(name)})" if name else ""

    # constants and fills -------------------------------------------------
    def scalar(self, value: float) -> str:
        n = self.fresh("c")
        self.emit(f"{n} = arith.constant {_fmt(value)} : f32")
        return n

    def const(self, value: float, shape) -> Value:
        v = Value(self.fresh("cst"), shape)
        self.emit(f"{v.name} = arith.constant dense<{_fmt(value)}> : {v.type}")
        return v

    def empty(self, shape) -> str:
        n = self.fresh("e")
        self.emit(f"{n} = tensor.empty() : {_ttype(shape)}")
        return n

    def fill(self, value: float, shape) -> Value:
        s = self.scalar(value)
        e = self.empty(shape)
        v = Value(self.fresh("f"), shape)
        self.emit(f"{v.name} = linalg.fill ins({s} : f32) outs({e} : {v.type}) -> {v.type}")
        return v

    # elementwise -----------------------------------------------------------
    def binary(self, op: str, a: Value, b: Value) -> Value:
        assert a.shape == b.shape, (op, a.shape, b.shape)
        v = Value(self.fresh(), a.shape)
        self.emit(f"{v.name} = arith.{op} {a.name}, {b.name} : {v.type}")
        return v

    def add(self, a, b):
        return self.binary("addf", a, b)

    def sub(self, a, b):
        return self.binary("subf", a, b)

    def mul(self, a, b):
        return self.binary("mulf", a, b)

    def div(self, a, b):
        return self.binary("divf", a, b)

    def scale(self, a: Value, c: float) -> Value:
        return self.mul(a, self.const(c, a.shape))

    def unary(self, op: str, a: Value) -> Value:
        v = Value(self.fresh(), a.shape)
        self.emit(f"{v.name} = {op} {a.name} : {v.type}")
        return v

    # structured ops --------------------------------------------------------
    def broadcast(self, a: Value, shape, dims: Sequence[int]) -> Value:
        """linalg.broadcast of `a` to `shape`, adding dimensions `dims`."""
        e = self.empty(shape)
        v = Value(self.fresh("b"), shape)
        d = ", ".join(str(x) for x in dims)
        self.emit(f"{v.name} = linalg.broadcast ins({a.name} : {a.type}) "
                  f"outs({e} : {v.type}) dimensions = [{d}]")
        return v

    def reduce(self, a: Value, dims: Sequence[int], kind="add") -> Value:
        shape = [d for i, d in enumerate(a.shape) if i not in dims]
        init = self.fill(0.0 if kind == "add" else -math.inf, shape)
        v = Value(self.fresh("r"), shape)
        op = "arith.addf" if kind == "add" else "arith.maximumf"
        d = ", ".join(str(x) for x in dims)
        self.emit(f"{v.name} = linalg.reduce ins({a.name} : {a.type}) "
                  f"outs({init.name} : {v.type}) dimensions = [{d}]\n"
                  f"  (%in: f32, %acc: f32) {{\n"
                  f"    %red = {op} %in, %acc : f32\n"
                  f"    linalg.yield %red : f32\n"
                  f"  }}")
        return v

    def matmul(self, a: Value, b: Value, loc=None) -> Value:
        (m, k), (k2, n) = a.shape, b.shape
        assert k == k2, (a.shape, b.shape)
        z = self.fill(0.0, (m, n))
        v = Value(self.fresh("mm"), (m, n))
        self.emit(f"{v.name} = linalg.matmul ins({a.name}, {b.name} : {a.type}, {b.type}) "
                  f"outs({z.name} : {v.type}) -> {v.type}{self._loc(loc)}")
        return v

    def batch_matmul(self, a: Value, b: Value, transpose_b=False, loc=None) -> Value:
        if transpose_b:
            (bt, m, k), (bt2, n, k2) = a.shape, b.shape
        else:
            (bt, m, k), (bt2, k2, n) = a.shape, b.shape
        assert bt == bt2 and k == k2, (a.shape, b.shape)
        z = self.fill(0.0, (bt, m, n))
        v = Value(self.fresh("bmm"), (bt, m, n))
        maps = ""
        if transpose_b:
            maps = ("indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, "
                    "affine_map<(b, m, n, k) -> (b, n, k)>, "
                    "affine_map<(b, m, n, k) -> (b, m, n)>]\n    ")
        self.emit(f"{v.name} = linalg.batch_matmul {maps}ins({a.name}, {b.name} : "
                  f"{a.type}, {b.type}) outs({z.name} : {v.type}) -> {v.type}{self._loc(loc)}")
        return v

    def transpose(self, a: Value, perm: Sequence[int]) -> Value:
        shape = [a.shape[p] for p in perm]
        e = self.empty(shape)
        v = Value(self.fresh("t"), shape)
        p = ", ".join(str(x) for x in perm)
        self.emit(f"{v.name} = linalg.transpose ins({a.name} : {a.type}) "
                  f"outs({e} : {v.type}) permutation = [{p}]")
        return v

    def collapse(self, a: Value, groups: Sequence[Sequence[int]]) -> Value:
        shape = [int(np.prod([a.shape[i] for i in g])) for g in groups]
        v = Value(self.fresh("cl"), shape)
        g = ", ".join("[" + ", ".join(str(i) for i in grp) + "]" for grp in groups)
        self.emit(f"{v.name} = tensor.collapse_shape {a.name} [{g}] : {a.type} into {v.type}")
        return v

    def expand(self, a: Value, groups: Sequence[Sequence[int]], shape) -> Value:
        v = Value(self.fresh("ex"), shape)
        g = ", ".join("[" + ", ".join(str(i) for i in grp) + "]" for grp in groups)
        s = ", ".join(str(d) for d in shape)
        self.emit(f"{v.name} = tensor.expand_shape {a.name} [{g}] output_shape [{s}] "
                  f": {a.type} into {v.type}")
        return v

    def to_2d(self, a: Value) -> Value:
        """[d0, ..., dn] -> [d0*...*d(n-1), dn] (identity for rank 2)."""
        if len(a.shape) == 2:
            return a
        return self.collapse(a, [list(range(len(a.shape) - 1)), [len(a.shape) - 1]])

    def from_2d(self, a: Value, like_shape) -> Value:
        if len(like_shape) == 2:
            return a
        r = len(like_shape)
        return self.expand(a, [list(range(r - 1)), [r - 1]],
                           tuple(like_shape[:-1]) + (a.shape[-1],))

    def pad(self, a: Value, low, high) -> Value:
        shape = [d + l + h for d, l, h in zip(a.shape, low, high)]
        zero = self.scalar(0.0)
        v = Value(self.fresh("pad"), shape)
        idx = ", ".join(f"%i{k}: index" for k in range(len(shape)))
        lo = ", ".join(str(x) for x in low)
        hi = ", ".join(str(x) for x in high)
        self.emit(f"{v.name} = tensor.pad {a.name} low[{lo}] high[{hi}] {{\n"
                  f"^bb0({idx}):\n"
                  f"  tensor.yield {zero} : f32\n"
                  f"}} : {a.type} to {v.type}")
        return v

    def extract_scalar(self, a: Value) -> str:
        assert a.shape == ()
        n = self.fresh("s")
        self.emit(f"{n} = tensor.extract {a.name}[] : tensor<f32>")
        return n

    def splat(self, scalar: str, shape) -> Value:
        v = Value(self.fresh("sp"), shape)
        self.emit(f"{v.name} = tensor.splat {scalar} : {v.type}")
        return v

    def softmax_lastdim(self, a: Value) -> Value:
        r = len(a.shape)
        m = self.reduce(a, [r - 1], "max")
        mb = self.broadcast(m, a.shape, [r - 1])
        z = self.sub(a, mb)
        ez = self.unary("math.exp", z)
        s = self.reduce(ez, [r - 1], "add")
        sb = self.broadcast(s, a.shape, [r - 1])
        return self.div(ez, sb)


# ---------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------

class ParamSpec:
    """A trainable parameter: its full name, shape and initializer."""

    def __init__(self, name, shape, init: str, bound: float = 0.0):
        self.name, self.shape, self.init, self.bound = name, tuple(shape), init, bound

    def make(self, rng: np.random.Generator) -> np.ndarray:
        if self.init == "zeros":
            return np.zeros(self.shape, np.float32)
        if self.init == "ones":
            return np.ones(self.shape, np.float32)
        if self.init == "uniform":
            return rng.uniform(-self.bound, self.bound, self.shape).astype(np.float32)
        raise ValueError(self.init)

    @property
    def mp_init(self) -> str:
        return {"zeros": "zeros", "ones": "ones"}.get(self.init, "glorot")

    def __repr__(self):
        return f"ParamSpec({self.name!r}, {self.shape}, {self.init!r})"


class Module:
    """Base class: `param_specs(prefix)` lists parameters; `forward(em, x, p)`
    emits the layer on Value `x` with `p` mapping full parameter names to
    Values; `out_shape(shape)` is the output shape."""

    def param_specs(self, prefix: str) -> List[ParamSpec]:
        return []

    def out_shape(self, shape):
        return tuple(shape)

    def forward(self, em: Emitter, x: Value, p: Dict[str, Value], prefix: str) -> Value:
        raise NotImplementedError


def _join(prefix, name):
    return f"{prefix}.{name}" if prefix else name


class Sequential(Module):
    """Layers applied in order. Each is named by its position ("0", "1",
    ...) or, given as a ("name", module) pair or in a dict, by that name:
    Sequential(("fc1", Linear(784, 256)), ("act", ReLU()), ("fc2", ...)).
    Parameter names join the layer names with dots ("fc1.weight"); they
    become the `mp.name` of the step's arguments and the layer's ops get a
    NameLoc with the layer's name (what `keep-fp32` regexes match)."""

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], dict):
            layers = tuple(layers[0].items())
        self.layers, self.names = [], []
        for i, layer in enumerate(layers):
            name = str(i)
            if isinstance(layer, tuple):
                if (len(layer) != 2 or not isinstance(layer[0], str) or not layer[0]
                        or not isinstance(layer[1], Module)):
                    raise ValueError(f"Sequential: layer {i}: expected a Module or a "
                                     f"(name, Module) pair, got {layer!r}")
                name, layer = layer
            elif not isinstance(layer, Module):
                raise ValueError(f"Sequential: layer {i}: expected a Module, got {layer!r}")
            if name in self.names:
                raise ValueError(f"Sequential: duplicate layer name {name!r}")
            self.layers.append(layer)
            self.names.append(name)

    def param_specs(self, prefix=""):
        out = []
        for name, layer in zip(self.names, self.layers):
            out += layer.param_specs(_join(prefix, name))
        return out

    def out_shape(self, shape):
        for layer in self.layers:
            shape = layer.out_shape(shape)
        return shape

    def forward(self, em, x, p, prefix=""):
        if not em.share_layers:
            for name, layer in zip(self.names, self.layers):
                x = layer.forward(em, x, p, _join(prefix, name))
            return x
        # Layers with parameters that occur more than once here (same type,
        # same input shape, same body) become calls of one function.
        plans, counts, shape = [], {}, x.shape
        for name, layer in zip(self.names, self.layers):
            full = _join(prefix, name)
            key = text = None
            if layer.param_specs(full):
                key, text = em.layer_function(layer, shape, full)
                counts[key] = counts.get(key, 0) + 1
            plans.append((full, layer, key, text))
            shape = layer.out_shape(shape)
        for full, layer, key, text in plans:
            if key is not None and counts[key] > 1:
                x = em.call_layer(key, text, layer, x, p, full)
            else:
                x = layer.forward(em, x, p, full)
        return x


class Residual(Module):
    """x + inner(x)."""

    def __init__(self, inner: Module):
        self.inner = inner

    def param_specs(self, prefix=""):
        return self.inner.param_specs(prefix)

    def out_shape(self, shape):
        out = self.inner.out_shape(shape)
        if tuple(out) != tuple(shape):
            raise ValueError(f"Residual: inner module maps {shape} to {out}")
        return out

    def forward(self, em, x, p, prefix=""):
        return em.add(x, self.inner.forward(em, x, p, prefix))


class Linear(Module):
    """y = x W + b on the last dimension; W is (in, out). PyTorch-style
    init: U(-1/sqrt(in), 1/sqrt(in)) for W and b."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        self.inp, self.out, self.bias = int(in_features), int(out_features), bias

    def param_specs(self, prefix=""):
        b = 1.0 / math.sqrt(self.inp)
        specs = [ParamSpec(_join(prefix, "weight"), (self.inp, self.out), "uniform", b)]
        if self.bias:
            specs.append(ParamSpec(_join(prefix, "bias"), (self.out,), "uniform", b))
        return specs

    def out_shape(self, shape):
        if shape[-1] != self.inp:
            raise ValueError(f"Linear({self.inp}, {self.out}): input shape {tuple(shape)}")
        return tuple(shape[:-1]) + (self.out,)

    def forward(self, em, x, p, prefix=""):
        self.out_shape(x.shape)
        x2 = em.to_2d(x)
        y = em.matmul(x2, p[_join(prefix, "weight")], loc=prefix or None)
        if self.bias:
            y = em.add(y, em.broadcast(p[_join(prefix, "bias")], y.shape, [0]))
        return em.from_2d(y, x.shape)


class ReLU(Module):
    """max(x, 0) (gradient 0 at 0, as in PyTorch)."""

    def forward(self, em, x, p, prefix=""):
        return em.binary("maximumf", x, em.fill(0.0, x.shape))


class Tanh(Module):
    def forward(self, em, x, p, prefix=""):
        return em.unary("math.tanh", x)


class GELU(Module):
    """tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    (PyTorch GELU(approximate='tanh'))."""

    def forward(self, em, x, p, prefix=""):
        x2 = em.mul(x, x)
        x3 = em.mul(x2, x)
        inner = em.add(x, em.scale(x3, 0.044715))
        th = em.unary("math.tanh", em.scale(inner, math.sqrt(2.0 / math.pi)))
        onep = em.add(th, em.const(1.0, x.shape))
        return em.mul(em.scale(x, 0.5), onep)


class LayerNorm(Module):
    """Normalizes the last dimension (biased variance, eps inside the
    rsqrt), then gain and bias (init 1 and 0), as PyTorch LayerNorm."""

    def __init__(self, dim: int, eps: float = 1e-5):
        self.dim, self.eps = int(dim), float(eps)

    def param_specs(self, prefix=""):
        return [ParamSpec(_join(prefix, "weight"), (self.dim,), "ones"),
                ParamSpec(_join(prefix, "bias"), (self.dim,), "zeros")]

    def out_shape(self, shape):
        if shape[-1] != self.dim:
            raise ValueError(f"LayerNorm({self.dim}): input shape {tuple(shape)}")
        return tuple(shape)

    def forward(self, em, x, p, prefix=""):
        self.out_shape(x.shape)
        x2 = em.to_2d(x)
        rows, d = x2.shape
        mean = em.scale(em.reduce(x2, [1]), 1.0 / d)
        xc = em.sub(x2, em.broadcast(mean, x2.shape, [1]))
        var = em.scale(em.reduce(em.mul(xc, xc), [1]), 1.0 / d)
        rstd = em.unary("math.rsqrt", em.add(var, em.const(self.eps, (rows,))))
        xn = em.mul(xc, em.broadcast(rstd, x2.shape, [1]))
        y = em.mul(xn, em.broadcast(p[_join(prefix, "weight")], x2.shape, [0]))
        y = em.add(y, em.broadcast(p[_join(prefix, "bias")], x2.shape, [0]))
        return em.from_2d(y, x.shape)


class Conv2d(Module):
    """2-D convolution, NHWC input, HWCF filter (kernel, kernel, in, out),
    stride, zero padding, bias. PyTorch-style init U(+-1/sqrt(in k k))."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, bias=True):
        self.cin, self.cout = int(in_channels), int(out_channels)
        self.k, self.stride, self.padding = int(kernel_size), int(stride), int(padding)
        self.bias = bias

    def param_specs(self, prefix=""):
        b = 1.0 / math.sqrt(self.cin * self.k * self.k)
        specs = [ParamSpec(_join(prefix, "weight"), (self.k, self.k, self.cin, self.cout),
                           "uniform", b)]
        if self.bias:
            specs.append(ParamSpec(_join(prefix, "bias"), (self.cout,), "uniform", b))
        return specs

    def out_shape(self, shape):
        if len(shape) != 4 or shape[3] != self.cin:
            raise ValueError(f"Conv2d({self.cin}, {self.cout}): expected NHWC input with "
                             f"{self.cin} channels, got {tuple(shape)}")
        n, h, w, _ = shape
        ho = (h + 2 * self.padding - self.k) // self.stride + 1
        wo = (w + 2 * self.padding - self.k) // self.stride + 1
        return (n, ho, wo, self.cout)

    def forward(self, em, x, p, prefix=""):
        out = self.out_shape(x.shape)
        if self.padding:
            q = self.padding
            x = em.pad(x, [0, q, q, 0], [0, q, q, 0])
        z = em.fill(0.0, out)
        k = p[_join(prefix, "weight")]
        v = Value(em.fresh("conv"), out)
        s = self.stride
        em.emit(f"{v.name} = linalg.conv_2d_nhwc_hwcf {{dilations = dense<1> : tensor<2xi64>, "
                f"strides = dense<{s}> : tensor<2xi64>}} ins({x.name}, {k.name} : "
                f"{x.type}, {k.type}) outs({z.name} : {v.type}) -> {v.type}"
                f"{em._loc(prefix or None)}")
        if self.bias:
            v = em.add(v, em.broadcast(p[_join(prefix, "bias")], out, [0, 1, 2]))
        return v


class _Pool2d(Module):
    kind = "max"

    def __init__(self, kernel_size, stride=None):
        self.k = int(kernel_size)
        self.stride = int(stride) if stride is not None else self.k

    def out_shape(self, shape):
        if len(shape) != 4:
            raise ValueError(f"{type(self).__name__}: expected NHWC input, got {tuple(shape)}")
        n, h, w, c = shape
        return (n, (h - self.k) // self.stride + 1, (w - self.k) // self.stride + 1, c)

    def forward(self, em, x, p, prefix=""):
        out = self.out_shape(x.shape)
        init = em.fill(-math.inf if self.kind == "max" else 0.0, out)
        win = em.empty((self.k, self.k))
        v = Value(em.fresh("pool"), out)
        op = "linalg.pooling_nhwc_max" if self.kind == "max" else "linalg.pooling_nhwc_sum"
        em.emit(f"{v.name} = {op} {{dilations = dense<1> : tensor<2xi64>, "
                f"strides = dense<{self.stride}> : tensor<2xi64>}} ins({x.name}, {win} : "
                f"{x.type}, tensor<{self.k}x{self.k}xf32>) outs({init.name} : {v.type}) "
                f"-> {v.type}")
        if self.kind == "avg":
            v = em.scale(v, 1.0 / (self.k * self.k))
        return v


class MaxPool2d(_Pool2d):
    """Max pooling over k x k windows (NHWC), stride k by default."""
    kind = "max"


class AvgPool2d(_Pool2d):
    """Average pooling over k x k windows (NHWC), stride k by default."""
    kind = "avg"


class Flatten(Module):
    """[N, ...] -> [N, prod(...)] (row-major: NHWC order for images)."""

    def out_shape(self, shape):
        return (shape[0], int(np.prod(shape[1:])))

    def forward(self, em, x, p, prefix=""):
        if len(x.shape) == 2:
            return x
        return em.collapse(x, [[0], list(range(1, len(x.shape)))])


class Attention(Module):
    """Multi-head self-attention on [B, T, D] without masking or biases:
    softmax(Q K^T / sqrt(D/H)) V per head, then the output projection.
    Weights (D, D) each, init U(+-1/sqrt(D))."""

    def __init__(self, dim: int, heads: int = 1):
        self.dim, self.heads = int(dim), int(heads)
        if self.dim % self.heads:
            raise ValueError(f"Attention: dim {dim} not divisible by heads {heads}")

    def param_specs(self, prefix=""):
        b = 1.0 / math.sqrt(self.dim)
        return [ParamSpec(_join(prefix, n), (self.dim, self.dim), "uniform", b)
                for n in ("wq", "wk", "wv", "wo")]

    def out_shape(self, shape):
        if len(shape) != 3 or shape[2] != self.dim:
            raise ValueError(f"Attention({self.dim}): expected [B, T, {self.dim}], "
                             f"got {tuple(shape)}")
        return tuple(shape)

    def forward(self, em, x, p, prefix=""):
        self.out_shape(x.shape)
        B, T, D = x.shape
        H, dh = self.heads, self.dim // self.heads
        x2 = em.to_2d(x)

        def heads(v):  # [B*T, D] -> [B*H, T, dh]
            if H == 1:
                return em.expand(v, [[0, 1], [2]], (B, T, D))
            v4 = em.expand(v, [[0, 1], [2, 3]], (B, T, H, dh))
            vt = em.transpose(v4, [0, 2, 1, 3])
            return em.collapse(vt, [[0, 1], [2], [3]])

        name = lambda n: _join(prefix, n)
        q = heads(em.matmul(x2, p[name("wq")], loc=name("q")))
        k = heads(em.matmul(x2, p[name("wk")], loc=name("k")))
        v = heads(em.matmul(x2, p[name("wv")], loc=name("v")))
        s = em.scale(em.batch_matmul(q, k, transpose_b=True, loc=name("scores")),
                     1.0 / math.sqrt(dh))
        a = em.batch_matmul(em.softmax_lastdim(s), v, loc=name("pv"))
        if H == 1:
            a2 = em.collapse(a, [[0, 1], [2]])
        else:
            a4 = em.expand(a, [[0, 1], [2], [3]], (B, H, T, dh))
            at = em.transpose(a4, [0, 2, 1, 3])
            a2 = em.collapse(at, [[0, 1], [2, 3]])
        o = em.matmul(a2, p[name("wo")], loc=name("out"))
        return em.from_2d(o, x.shape)


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------

class SoftmaxCrossEntropy:
    """mean over the batch of -sum_c y_c log softmax(logits)_c; targets are
    one-hot (or soft) float labels of the logits' shape [N, C]."""

    def emit(self, em: Emitter, logits: Value, y: Value) -> Value:
        if logits.shape != y.shape or len(logits.shape) != 2:
            raise ValueError(f"SoftmaxCrossEntropy: logits {logits.shape} and targets "
                             f"{y.shape} must both be [N, C]")
        n = logits.shape[0]
        m = em.reduce(logits, [1], "max")
        z = em.sub(logits, em.broadcast(m, logits.shape, [1]))
        lse = em.unary("math.log", em.reduce(em.unary("math.exp", z), [1]))
        logp = em.sub(z, em.broadcast(lse, logits.shape, [1]))
        tot = em.reduce(em.mul(y, logp), [0, 1])
        return em.scale(tot, -1.0 / n)


class MSE:
    """mean((pred - target)^2) over all elements."""

    def emit(self, em: Emitter, pred: Value, y: Value) -> Value:
        if pred.shape != y.shape:
            raise ValueError(f"MSE: prediction {pred.shape} and target {y.shape} differ")
        d = em.sub(pred, y)
        tot = em.reduce(em.mul(d, d), list(range(len(d.shape))))
        return em.scale(tot, 1.0 / int(np.prod(d.shape)))


# ---------------------------------------------------------------------------
# Optimizers (fp32 state, tied with mp.updates)
# ---------------------------------------------------------------------------

class SGD:
    """p <- p - lr g; with momentum mu: v <- mu v + g, p <- p - lr v
    (PyTorch SGD, dampening 0, no Nesterov)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.0):
        self.lr, self.momentum = float(lr), float(momentum)

    def state_specs(self, params: List[ParamSpec]) -> List[ParamSpec]:
        if not self.momentum:
            return []
        return [ParamSpec(f"{p.name}.momentum", p.shape, "zeros") for p in params]

    def emit(self, em, params, grads, state):
        new_p, new_s = [], []
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.momentum:
                v = em.add(em.scale(state[i], self.momentum), g)
                new_s.append(v)
                g = v
            new_p.append(em.sub(p, em.scale(g, self.lr)))
        return new_p, new_s


class Momentum(SGD):
    """SGD with momentum (default 0.9)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr, momentum)


class Adam:
    """PyTorch Adam (no weight decay, no amsgrad): with t the step count,
    m <- b1 m + (1-b1) g, v <- b2 v + (1-b2) g^2,
    p <- p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
    State: m and v per param and the step count t (a 0-d f32), all f32 and
    tied with mp.updates, so a skipped step leaves t unchanged, like
    GradScaler skipping optimizer.step()."""

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = float(lr), float(betas[0]), float(betas[1]), float(eps)

    def state_specs(self, params):
        return ([ParamSpec(f"{p.name}.exp_avg", p.shape, "zeros") for p in params] +
                [ParamSpec(f"{p.name}.exp_avg_sq", p.shape, "zeros") for p in params] +
                [ParamSpec("adam.step", (), "zeros")])

    def emit(self, em, params, grads, state):
        n = len(params)
        ms, vs, t = state[:n], state[n:2 * n], state[2 * n]
        t1 = em.add(t, em.const(1.0, ()))
        one = em.const(1.0, ())

        def powf(base: float, e: Value) -> Value:
            b = em.const(base, ())
            v = Value(em.fresh("pow"), ())
            em.emit(f"{v.name} = math.powf {b.name}, {e.name} : tensor<f32>")
            return v

        bc1 = em.sub(one, powf(self.b1, t1))
        bc2 = em.sub(one, powf(self.b2, t1))
        # step_size = lr / bc1 ; sbc2 = sqrt(bc2)
        step_size = em.div(em.const(self.lr, ()), bc1)
        sbc2 = em.unary("math.sqrt", bc2)
        step_s = em.extract_scalar(step_size)
        sbc2_s = em.extract_scalar(sbc2)
        new_p, new_m, new_v = [], [], []
        for p, g, m, v in zip(params, grads, ms, vs):
            p1, m1, v1 = self._update(em, p, g, m, v, step_s, sbc2_s)
            new_p.append(p1)
            new_m.append(m1)
            new_v.append(v1)
        return new_p, new_m + new_v + [t1]

    def _update(self, em, p, g, m, v, step_s, sbc2_s):
        m1 = em.add(em.scale(m, self.b1), em.scale(g, 1.0 - self.b1))
        v1 = em.add(em.scale(v, self.b2), em.scale(em.mul(g, g), 1.0 - self.b2))
        denom = em.add(em.div(em.unary("math.sqrt", v1), em.splat(sbc2_s, p.shape)),
                       em.const(self.eps, p.shape))
        upd = em.mul(em.div(m1, denom), em.splat(step_s, p.shape))
        return em.sub(p, upd), m1, v1


# ---------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------

class Graph:
    """A training graph built by `build`.

    ir            MLIR text: @loss(params..., x, y) -> tensor<f32> and
                  @train_step(params..., state..., x, y) -> (new params,
                  new state (tied with mp.updates), loss)
    params        ParamSpecs of the trainable parameters (argument order)
    state         ParamSpecs of the optimizer state (after the params)
    input_shape, target_shape
    """

    def __init__(self, ir, params, state, input_shape, target_shape):
        self.ir = ir
        self.params = params
        self.state = state
        self.input_shape = tuple(input_shape)
        self.target_shape = tuple(target_shape)

    @property
    def param_names(self):
        return [p.name for p in self.params]

    def init(self, seed: int = 0) -> List[np.ndarray]:
        """Parameter values (PyTorch-style init, float32, numpy RNG `seed`)
        followed by the optimizer state (zeros): what `mixprec.train` takes."""
        rng = np.random.default_rng(seed)
        return [p.make(rng) for p in self.params] + [s.make(rng) for s in self.state]

    def __repr__(self):
        return (f"Graph({len(self.params)} params, {len(self.state)} state, "
                f"input {self.input_shape}, target {self.target_shape})")


def build(model: Module, input_shape, target_shape=None, loss=None,
          optimizer=None, share_layers: bool = False) -> Graph:
    """Emits @loss and @train_step for `model` on inputs of `input_shape`
    against targets of `target_shape` (default: the model's output shape)
    with `loss` (default SoftmaxCrossEntropy for 2-D outputs) and `optimizer`
    (default SGD(0.01)).

    With `share_layers` (opt-in), the layers with parameters that a
    Sequential holds more than once with the same module type, input shape
    and body (e.g. the blocks of a transformer stack) are emitted once, as a
    private function @layer_<type>_<n>, and called (`no_inline`) with each
    layer's own parameters: mp-differentiate then differentiates the calls as
    calls and the layer is compiled once, whatever the depth. The calls carry
    the layer's name; the shared bodies carry no per-layer names, so
    `keep-fp32` regexes select only unshared layers. The default (False)
    inlines everything: the calls compile 12 layers in about half the time,
    but the step is slower and holds more memory (no fusion, CSE or
    rematerialization across the call boundary; 4 layers: 195 vs 101
    ms/step, 107 vs 82 MiB peak, measured under load), so they are opt-in
    until that is fixed."""
    input_shape = tuple(int(d) for d in input_shape)
    out_shape = model.out_shape(input_shape)
    target_shape = tuple(out_shape if target_shape is None else target_shape)
    loss = loss or SoftmaxCrossEntropy()
    optimizer = optimizer or SGD(0.01)
    params = model.param_specs("")
    if not params:
        raise ValueError("build: the model has no parameters")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError(f"build: duplicate parameter names {names}")
    state = optimizer.state_specs(params)
    np_ = len(params)

    # @loss
    em = Emitter(share_layers=share_layers)
    pvals = {p.name: Value(f"%p{i}", p.shape) for i, p in enumerate(params)}
    x = Value("%x", input_shape)
    y = Value("%y", target_shape)
    out = model.forward(em, x, pvals, "")
    if out.shape != target_shape:
        raise ValueError(f"build: model output {out.shape} != target shape {target_shape}")
    l = loss.emit(em, out, y)
    sig = ", ".join([f"%p{i}: {_ttype(p.shape)}" for i, p in enumerate(params)] +
                    [f"%x: {x.type}", f"%y: {y.type}"])
    text = [f"// Generated by mixprec.nn: {len(params)} params, "
            f"{type(optimizer).__name__} ({len(state)} state tensors), "
            f"{type(loss).__name__}."]
    functions = em.functions  # the shared layers, then the shared updates
    text.append(f"func.func @loss({sig}) -> tensor<f32> {{")
    text += em.lines
    text.append(f"  return {l.name} : tensor<f32>")
    text.append("}")
    text.append("")

    # @train_step
    em = Emitter(share_layers=share_layers, functions=functions)
    all_specs = params + state
    args = [Value(f"%a{i}", s.shape) for i, s in enumerate(all_specs)]
    xs, ys = Value("%x", input_shape), Value("%y", target_shape)
    ptypes = [_ttype(p.shape) for p in params]
    call_args = [a.name for a in args[:np_]] + [xs.name, ys.name]
    call_types = ptypes + [xs.type, ys.type]
    lname = "%l"
    gnames = [f"%g{i}" for i in range(np_)]
    wrt = ", ".join(str(i) for i in range(np_))
    em.emit(f"{lname}, {', '.join(gnames)} = mp.value_and_grad @loss("
            f"{', '.join(call_args)}) {{wrt = array<i64: {wrt}>}}\n"
            f"    : ({', '.join(call_types)})\n"
            f"    -> (tensor<f32>, {', '.join(ptypes)})")
    grads = [Value(g, p.shape) for g, p in zip(gnames, params)]
    new_p, new_s = optimizer.emit(em, args[:np_], grads, args[np_:])
    news = new_p + new_s
    em.emit(f"return {', '.join(v.name for v in news)}, {lname} : "
            f"{', '.join(v.type for v in news)}, tensor<f32>")
    arg_sig = []
    for i, s in enumerate(all_specs):
        # mp.name: what overflow provenance (History.overflow_params) and
        # mp-run report; mp.init: the synthetic initialiser of mp-run.
        attrs = [f"mp.name = {_string(s.name)}"]
        if i < np_:
            attrs.insert(0, f'mp.init = "{s.mp_init}"')
        arg_sig.append(f"%a{i}: {_ttype(s.shape)} {{{', '.join(attrs)}}}")
    arg_sig += [f"%x: {xs.type}", f"%y: {ys.type}"]
    res_sig = [f"{_ttype(s.shape)} {{mp.updates = {i}}}" for i, s in enumerate(all_specs)]
    res_sig.append("tensor<f32>")
    text.append("func.func @train_step(" + ",\n    ".join(arg_sig) + ")\n    -> (" +
                ",\n        ".join(res_sig) + ") {")
    text += em.lines
    text.append("}")
    text[1:1] = [fn for _, fn in functions.values()]
    return Graph("\n".join(text) + "\n", params, state, input_shape, target_shape)
