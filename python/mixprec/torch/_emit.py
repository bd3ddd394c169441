"""Typed MLIR text emission for the torch front end (tensors of f32, i64,
i32, i1), on top of mixprec.nn's literal helpers. Elementwise work is one
linalg.generic per op with broadcasting indexing maps (dropped leading
dims, constant-0 results for size-1 dims); reductions are linalg.reduce;
contractions, convolutions and pooling are named linalg ops."""

from __future__ import annotations

import math
from typing import Callable, List, Optional, Sequence

import numpy as np

from ..nn import _fmt, _string

FLOATS = ("f32",)
INTS = ("i64", "i32", "i1")


def ttype(shape, dt="f32") -> str:
    if len(shape) == 0:
        return f"tensor<{dt}>"
    return "tensor<" + "x".join(str(int(d)) for d in shape) + f"x{dt}>"


def numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


class V:
    """An SSA tensor value: name, static shape, element type."""
    __slots__ = ("name", "shape", "dt")

    def __init__(self, name, shape, dt="f32"):
        self.name = name
        self.shape = tuple(int(d) for d in shape)
        self.dt = dt

    @property
    def type(self):
        return ttype(self.shape, self.dt)

    def __repr__(self):
        return f"{self.name} : {self.type}"


def literal(value, dt) -> str:
    if dt == "f32":
        return _fmt(value)
    if dt == "i1":
        return "true" if value else "false"
    return str(int(value))


def _map(in_shape, out_shape) -> str:
    """Broadcasting map of an operand of `in_shape` read at the iteration
    point of `out_shape` (numpy rules, aligned right)."""
    r, R = len(in_shape), len(out_shape)
    dims = ", ".join(f"d{i}" for i in range(R))
    res = []
    for i, d in enumerate(in_shape):
        o = R - r + i
        res.append("0" if d == 1 and out_shape[o] != 1 else f"d{o}")
    return f"affine_map<({dims}) -> ({', '.join(res)})>"


def _cast_op(src, dst) -> str:
    """The arith op converting element type `src` to `dst` (neither i1
    target: that is a comparison with 0)."""
    if src == "i1":
        return "arith.uitofp" if dst == "f32" else "arith.extui"
    if src == "f32":
        return "arith.fptosi"
    if dst == "f32":
        return "arith.sitofp"
    return "arith.extsi" if int(src[1:]) < int(dst[1:]) else "arith.trunci"


class Body:
    """Builds the scalar body of a linalg.generic."""

    def __init__(self, em):
        self.em = em
        self.lines: List[str] = []

    def fresh(self):
        return self.em.fresh("s")

    def op(self, text, ty="f32") -> str:
        n = self.fresh()
        self.lines.append(f"{n} = {text} : {ty}")
        return n

    def const(self, value, dt="f32") -> str:
        n = self.fresh()
        if dt == "i1":  # `arith.constant true` takes no type
            self.lines.append(f"{n} = arith.constant {literal(value, dt)}")
        else:
            self.lines.append(f"{n} = arith.constant {literal(value, dt)} : {dt}")
        return n

    def raw(self, line):
        self.lines.append(line)

    # typed helpers on f32 scalars
    def add(self, a, b):
        return self.op(f"arith.addf {a}, {b}")

    def sub(self, a, b):
        return self.op(f"arith.subf {a}, {b}")

    def mul(self, a, b):
        return self.op(f"arith.mulf {a}, {b}")

    def div(self, a, b):
        return self.op(f"arith.divf {a}, {b}")

    def max(self, a, b):
        return self.op(f"arith.maximumf {a}, {b}")

    def min(self, a, b):
        return self.op(f"arith.minimumf {a}, {b}")

    def neg(self, a):
        return self.op(f"arith.negf {a}")

    def math(self, fn, a):
        return self.op(f"math.{fn} {a}")

    def select(self, c, a, b, ty="f32"):
        return self.op(f"arith.select {c}, {a}, {b}", ty)

    def cmpf(self, pred, a, b):
        n = self.fresh()
        self.lines.append(f"{n} = arith.cmpf {pred}, {a}, {b} : f32")
        return n

    def cmpi(self, pred, a, b, ty):
        n = self.fresh()
        self.lines.append(f"{n} = arith.cmpi {pred}, {a}, {b} : {ty}")
        return n

    def index(self, d):
        n = self.fresh()
        self.lines.append(f"{n} = linalg.index {d} : index")
        return n

    def convert(self, a, src, dst):
        """Scalar conversion between element types (torch semantics:
        float -> int truncates, bool -> number is 0/1, number -> bool is
        != 0)."""
        if src == dst:
            return a
        n = self.fresh()
        if dst == "i1":
            if src == "f32":
                z = self.const(0.0)
                self.lines.append(f"{n} = arith.cmpf une, {a}, {z} : f32")
            else:
                z = self.const(0, src)
                self.lines.append(f"{n} = arith.cmpi ne, {a}, {z} : {src}")
            return n
        op = _cast_op(src, dst)
        self.lines.append(f"{n} = {op} {a} : {src} to {dst}")
        return n


class TBody(Body):
    """The Body interface on whole tensors: each scalar op becomes the
    same arith / math op on tensors of `shape`, emitted at top level.
    Elementwise work is emitted this way (not as a linalg.generic whose
    adjoint accumulates into its init: mp-fuse-elementwise fuses such an
    accumulation into a broadcasting consumer wrongly, see
    /tmp/mp-fuse-accumulate.mlir)."""

    def __init__(self, em, shape):
        super().__init__(em)
        self.shape = tuple(shape)
        self.dts = {}
        self.consts = {}

    def _t(self, dt):
        return ttype(self.shape, dt)

    def op(self, text, ty="f32"):
        n = self.em.fresh("w")
        self.em.emit(f"{n} = {text} : {self._t(ty)}")
        self.dts[n] = ty
        return n

    def const(self, value, dt="f32"):
        key = (literal(value, dt), dt)
        if key not in self.consts:
            n = self.em.fresh("k")
            self.em.emit(f"{n} = arith.constant dense<{key[0]}> : {self._t(dt)}", False)
            self.dts[n] = dt
            self.consts[key] = n
        return self.consts[key]

    def raw(self, line):
        raise NotImplementedError("TBody.raw")

    def index(self, d):
        raise NotImplementedError("TBody.index")

    def select(self, c, a, b, ty="f32"):
        n = self.em.fresh("w")
        self.em.emit(f"{n} = arith.select {c}, {a}, {b} : {self._t('i1')}, {self._t(ty)}")
        self.dts[n] = ty
        return n

    def cmpf(self, pred, a, b):
        n = self.em.fresh("w")
        self.em.emit(f"{n} = arith.cmpf {pred}, {a}, {b} : {self._t('f32')}")
        self.dts[n] = "i1"
        return n

    def cmpi(self, pred, a, b, ty):
        n = self.em.fresh("w")
        self.em.emit(f"{n} = arith.cmpi {pred}, {a}, {b} : {self._t(ty)}")
        self.dts[n] = "i1"
        return n

    def convert(self, a, src, dst):
        if src == dst:
            return a
        n = self.em.fresh("w")
        if dst == "i1":
            if src == "f32":
                return self.cmpf("une", a, self.const(0.0))
            return self.cmpi("ne", a, self.const(0, src), src)
        op = _cast_op(src, dst)
        self.em.emit(f"{n} = {op} {a} : {self._t(src)} to {self._t(dst)}")
        self.dts[n] = dst
        return n


class Emitter:
    """Appends ops to one function body; helpers return V."""

    def __init__(self, prefix=""):
        self.lines: List[str] = []
        self.counter = 0
        self.prefix = prefix
        self.loc: Optional[str] = None  # NameLoc of the ops being emitted

    def fresh(self, hint="v"):
        self.counter += 1
        return f"%{self.prefix}{hint}{self.counter}"

    def _loc(self):
        return f" loc({_string(self.loc)})" if self.loc else ""

    def emit(self, text, loc=True):
        text = text + (self._loc() if loc else "")
        for line in text.split("\n"):
            self.lines.append("  " + line)

    # constants ----------------------------------------------------------
    def splat(self, value, shape, dt="f32") -> V:
        v = V(self.fresh("cst"), shape, dt)
        self.emit(f"{v.name} = arith.constant dense<{literal(value, dt)}> : {v.type}", False)
        return v

    def dense(self, array: np.ndarray, dt) -> V:
        a = np.asarray(array)
        shape = a.shape
        flat = a.reshape(-1)
        if flat.size and np.all(flat == flat[0]):
            return self.splat(flat[0].item(), shape, dt)
        v = V(self.fresh("cst"), shape, dt)
        if dt == "i1":
            body = np.array2string(a.astype(bool), separator=", ", threshold=1 << 62)
            body = body.replace("True", "true").replace("False", "false")
            self.emit(f"{v.name} = arith.constant dense<{body}> : {v.type}", False)
            return v
        npdt = {"f32": "<f4", "i64": "<i8", "i32": "<i4"}[dt]
        hexs = np.ascontiguousarray(a.astype(npdt)).tobytes().hex().upper()
        self.emit(f'{v.name} = arith.constant dense<"0x{hexs}"> : {v.type}', False)
        return v

    def empty(self, shape, dt="f32") -> str:
        n = self.fresh("e")
        self.emit(f"{n} = tensor.empty() : {ttype(shape, dt)}", False)
        return n

    def fill(self, value, shape, dt="f32") -> V:
        s = self.fresh("c")
        ty = "" if dt == "i1" else f" : {dt}"
        self.emit(f"{s} = arith.constant {literal(value, dt)}{ty}", False)
        e = self.empty(shape, dt)
        v = V(self.fresh("f"), shape, dt)
        self.emit(f"{v.name} = linalg.fill ins({s} : {dt}) outs({e} : {v.type}) -> {v.type}")
        return v

    # linalg.generic -------------------------------------------------------
    def generic(self, inputs: Sequence[V], out_shape, out_dt,
                body: Callable, maps: Optional[Sequence[str]] = None,
                iterators: Optional[Sequence[str]] = None) -> V:
        """Elementwise (by default) generic over `out_shape`: `body(b, *args)`
        gets a Body and the block argument names and returns the yielded
        scalar."""
        out_shape = tuple(out_shape)
        R = len(out_shape)
        dims = ", ".join(f"d{i}" for i in range(R))
        if maps is None:
            maps = [_map(x.shape, out_shape) for x in inputs]
        out_map = f"affine_map<({dims}) -> ({dims})>"
        iters = iterators or ["parallel"] * R
        b = Body(self)
        args = [self.fresh("a") for _ in inputs]
        y = body(b, *args)
        e = self.empty(out_shape, out_dt)
        v = V(self.fresh("g"), out_shape, out_dt)
        ins = ""
        if inputs:
            ins = (f" ins({', '.join(x.name for x in inputs)} : "
                   f"{', '.join(x.type for x in inputs)})")
        bb = ", ".join([f"{a}: {x.dt}" for a, x in zip(args, inputs)] +
                       [f"{self.fresh('o')}: {out_dt}"])
        it = ", ".join(f'"{i}"' for i in iters)
        text = [f"{v.name} = linalg.generic {{indexing_maps = [{', '.join(list(maps) + [out_map])}], "
                f"iterator_types = [{it}]}}{ins} outs({e} : {v.type}) {{",
                f"^bb0({bb}):"]
        text += ["  " + line for line in b.lines]
        text.append(f"  linalg.yield {y} : {out_dt}")
        text.append(f"}} -> {v.type}")
        self.emit("\n".join(text))
        return v

    def ew(self, inputs, fn, out_shape=None, out_dt="f32", in_dt="f32") -> V:
        """Elementwise op on broadcast operands: each operand is converted
        to `in_dt` in the body, then `fn(b, *scalars)`."""
        if out_shape is None:
            out_shape = np.broadcast_shapes(*[x.shape for x in inputs])

        def body(b, *args):
            conv = [b.convert(a, x.dt, in_dt) for a, x in zip(args, inputs)]
            return fn(b, *conv)
        return self.tensor_body(inputs, out_shape, out_dt, body)

    def tensor_body(self, inputs: Sequence[V], out_shape, out_dt, body: Callable) -> V:
        """Elementwise `body(b, *args)` (the Body interface) as arith / math
        ops on whole tensors; operands are broadcast to `out_shape` first
        (linalg.broadcast)."""
        out_shape = tuple(int(d) for d in out_shape)
        args = [self.broadcast_to(x, out_shape) for x in inputs]
        b = TBody(self, out_shape)
        for a in args:
            b.dts[a.name] = a.dt
        y = body(b, *[a.name for a in args])
        ydt = b.dts.get(y, out_dt)
        y = b.convert(y, ydt, out_dt)
        return V(y, out_shape, out_dt)

    def convert(self, x: V, dt) -> V:
        if x.dt == dt:
            return x
        return self.ew([x], lambda b, a: a, x.shape, dt, dt)

    def broadcast_to(self, x: V, shape) -> V:
        """numpy-style broadcast (aligned right): size-1 dims are collapsed
        away, then one linalg.broadcast adds the missing dims."""
        shape = tuple(int(d) for d in shape)
        if x.shape == shape:
            return x
        R, r = len(shape), len(x.shape)
        keep = [R - r + i for i, d in enumerate(x.shape) if not (d == 1 and shape[R - r + i] != 1)]
        src = self.reshape(x, [shape[k] for k in keep])
        added = [k for k in range(R) if k not in keep]
        e = self.empty(shape, x.dt)
        v = V(self.fresh("b"), shape, x.dt)
        self.emit(f"{v.name} = linalg.broadcast ins({src.name} : {src.type}) outs({e} : {v.type}) "
                  f"dimensions = [{', '.join(str(k) for k in added)}]")
        return v

    # reductions ---------------------------------------------------------
    def reduce(self, x: V, dims: Sequence[int], kind="add") -> V:
        """linalg.reduce over `dims` (f32)."""
        dims = sorted(set(int(d) % max(len(x.shape), 1) for d in dims))
        if not dims or not x.shape:
            return x
        shape = [d for i, d in enumerate(x.shape) if i not in dims]
        init = self.fill(0.0 if kind == "add" else -math.inf, shape)
        v = V(self.fresh("r"), shape)
        op = "arith.addf" if kind == "add" else "arith.maximumf"
        d = ", ".join(str(i) for i in dims)
        a, c, r = self.fresh("in"), self.fresh("acc"), self.fresh("red")
        self.emit(f"{v.name} = linalg.reduce ins({x.name} : {x.type}) "
                  f"outs({init.name} : {v.type}) dimensions = [{d}]\n"
                  f"  ({a}: f32, {c}: f32) {{\n"
                  f"    {r} = {op} {a}, {c} : f32\n"
                  f"    linalg.yield {r} : f32\n"
                  f"  }}")
        return v

    # shapes ---------------------------------------------------------------
    def reshape(self, x: V, shape) -> V:
        """Any reshape of the same element count: one collapse_shape to
        rank 1 and one expand_shape (each skipped when not needed)."""
        shape = tuple(int(d) for d in shape)
        if x.shape == shape:
            return x
        assert numel(x.shape) == numel(shape), (x.shape, shape)
        cur = x
        if len(cur.shape) != 1:
            n = numel(cur.shape)
            groups = "[" + ", ".join(str(i) for i in range(len(cur.shape))) + "]" \
                if cur.shape else ""
            v = V(self.fresh("cl"), (n,), cur.dt)
            if not cur.shape:
                self.emit(f"{v.name} = tensor.expand_shape {cur.name} [] output_shape [1] "
                          f": {cur.type} into {v.type}")
            else:
                self.emit(f"{v.name} = tensor.collapse_shape {cur.name} [{groups}] "
                          f": {cur.type} into {v.type}")
            cur = v
        if len(shape) == 1:
            return cur
        v = V(self.fresh("ex"), shape, cur.dt)
        if not shape:
            self.emit(f"{v.name} = tensor.collapse_shape {cur.name} [] : {cur.type} into {v.type}")
        else:
            g = "[" + ", ".join(str(i) for i in range(len(shape))) + "]"
            s = ", ".join(str(d) for d in shape)
            self.emit(f"{v.name} = tensor.expand_shape {cur.name} [{g}] output_shape [{s}] "
                      f": {cur.type} into {v.type}")
        return v

    def transpose(self, x: V, perm) -> V:
        perm = [int(p) for p in perm]
        if perm == list(range(len(perm))):
            return x
        shape = [x.shape[p] for p in perm]
        e = self.empty(shape, x.dt)
        v = V(self.fresh("t"), shape, x.dt)
        self.emit(f"{v.name} = linalg.transpose ins({x.name} : {x.type}) outs({e} : {v.type}) "
                  f"permutation = [{', '.join(str(p) for p in perm)}]")
        return v

    def slice(self, x: V, offsets, sizes, strides) -> V:
        if list(sizes) == list(x.shape):
            return x
        v = V(self.fresh("sl"), sizes, x.dt)
        j = lambda s: ", ".join(str(int(i)) for i in s)
        self.emit(f"{v.name} = tensor.extract_slice {x.name}[{j(offsets)}] [{j(sizes)}] "
                  f"[{j(strides)}] : {x.type} to {v.type}")
        return v

    def insert_slice(self, src: V, dest: V, offsets, strides) -> V:
        """`dest` with `src` written at `offsets` (step `strides`)."""
        if list(src.shape) == list(dest.shape):
            return src
        v = V(self.fresh("ins"), dest.shape, dest.dt)
        j = lambda s: ", ".join(str(int(i)) for i in s)
        self.emit(f"{v.name} = tensor.insert_slice {src.name} into {dest.name}[{j(offsets)}] "
                  f"[{j(src.shape)}] [{j(strides)}] : {src.type} into {dest.type}")
        return v

    def concat(self, xs: Sequence[V], dim: int, shape) -> V:
        if len(xs) == 1:
            return xs[0]
        v = V(self.fresh("cat"), shape, xs[0].dt)
        self.emit(f"{v.name} = tensor.concat dim({dim}) {', '.join(x.name for x in xs)} : "
                  f"({', '.join(x.type for x in xs)}) -> {v.type}")
        return v

    def pad(self, x: V, low, high, value=0.0) -> V:
        """tensor.pad by `low` / `high` per dim; a negative amount crops."""
        if any(p < 0 for p in list(low) + list(high)):
            offs = [-min(p, 0) for p in low]
            sizes = [d + min(lo, 0) + min(hi, 0) for d, lo, hi in zip(x.shape, low, high)]
            x = self.slice(x, offs, sizes, [1] * len(x.shape))
            low, high = [max(p, 0) for p in low], [max(p, 0) for p in high]
        if not any(low) and not any(high):
            return x
        shape = [d + l + h for d, l, h in zip(x.shape, low, high)]
        c = self.fresh("c")
        ty = "" if x.dt == "i1" else f" : {x.dt}"
        self.emit(f"{c} = arith.constant {literal(value, x.dt)}{ty}", False)
        v = V(self.fresh("pad"), shape, x.dt)
        idx = ", ".join(f"{self.fresh('i')}: index" for _ in shape)
        j = lambda s: ", ".join(str(int(i)) for i in s)
        self.emit(f"{v.name} = tensor.pad {x.name} low[{j(low)}] high[{j(high)}] {{\n"
                  f"^bb0({idx}):\n  tensor.yield {c} : {x.dt}\n}} : {x.type} to {v.type}")
        return v

    def named(self, op: str, ins: Sequence[V], out: V, shape, attrs="", maps="") -> V:
        """A named linalg op `op` with inputs `ins` and init `out`."""
        v = V(self.fresh("n"), shape, out.dt)
        attrs = f" {{{attrs}}}" if attrs else ""
        self.emit(f"{v.name} = linalg.{op}{attrs} {maps}ins({', '.join(x.name for x in ins)} : "
                  f"{', '.join(x.type for x in ins)}) outs({out.name} : {out.type}) -> {v.type}")
        return v
