#!/usr/bin/env python3
# ===- gen_random_graph.py - random training graphs (docs/design.md §2) --===#
#
# Part of mixprec: MLIR passes for mixed-precision training.
#
# ===----------------------------------------------------------------------===#
"""Generates a random, valid training graph in the docs/design.md §2 contract from a
seed: a `@loss` function (random mix of the ops mp-differentiate supports,
random small shapes) and a `@train_step` that calls `mp.value_and_grad` on it
and returns updated parameters (and optimizer state) tied with `mp.updates`.

    gen_random_graph.py SEED [--dtype f32|f64] [--sgd]     # prints the IR

As a module: `graph = generate(seed)`; `graph.ir(dtype)` is the module text
for element type f32 or f64 (same graph, same shapes), `graph.arrays(rng)`
the initial parameters / state / data in argument order, `graph.kinks` the
number of non-differentiable ops (relu, abs, max, min, max-reductions),
`graph.depth` the longest op path of the forward, `graph.policy` a random
mixed precision policy for the difftest.

Activations are 2-D tensors [B, F]; blocks (each picked at random):
linear layers (`linalg.matmul`, also with transposed weights through
`indexing_maps` or `linalg.transpose`), bias / scale (`linalg.broadcast`),
smooth unary ops (tanh, exp(tanh), softplus via log1p, sigmoid via div,
sqrt/rsqrt(1+h^2), erf, sin, powf, square), a `linalg.generic` with a
broadcast parameter operand, residual adds, concat, extract_slice,
layer norm, softmax, attention-like `linalg.batch_matmul` through
expand/collapse_shape, batch reductions, and (sometimes) kinks: relu, abs,
maximumf/minimumf of two activations. The loss is the mean squared error or
the softmax cross-entropy against a one-hot target.

Values are kept O(1) (arguments of exp are tanh-bounded, divisors and
square-root arguments are >= 1, logs are of 1 + something positive), so the
graphs are well conditioned: mixed precision results differ from fp32 by a
few units of roundoff per op (see scripts/difftest.py).
"""

import argparse
import random
import sys

import numpy as np

POLICIES = [
    # (policy string, unit roundoff of the compute dtype on cpu)
    ("mixed_bfloat16", 2.0 ** -8),
    ("mixed_float16", 2.0 ** -11),
    ("mixed", 2.0 ** -8),  # half = bf16 on cpu
    ("p=f32,c=bf16,o=f32", 2.0 ** -8),
    ("params=float32,compute=float16,output=float32", 2.0 ** -11),
    ("c=half", 2.0 ** -8),
    ("bfloat16", 2.0 ** -8),
    ("float16", 2.0 ** -11),
    ("c=f16,o=f32", 2.0 ** -11),
]


class Val:
    __slots__ = ("name", "shape", "depth")

    def __init__(self, name, shape, depth):
        self.name, self.shape, self.depth = name, tuple(shape), depth


class Graph:
    """A generated graph; the IR is produced per element type."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.params = []   # (name, shape, init kind)
        self.data = []     # (name, shape, kind)
        self.lines = []    # body lines with {T} for the element type
        self.counter = 0
        self.kinks = 0
        self.ops = []      # block names, for the record
        self.depth = 0
        self.loss_kind = None
        self.momentum = False

    # -- emission helpers ---------------------------------------------------
    def fresh(self, base="v"):
        self.counter += 1
        return "%%%s_%d" % (base, self.counter)

    def emit(self, text):
        self.lines.append("  " + text)

    @staticmethod
    def ty(shape):
        if not shape:
            return "tensor<{T}>"
        return "tensor<%sx{T}>" % "x".join(str(d) for d in shape)

    def param(self, shape, init):
        name = "%%p%d" % len(self.params)
        self.params.append((name, tuple(shape), init))
        return Val(name, shape, 0)

    def empty(self, shape):
        e = self.fresh("e")
        self.emit("%s = tensor.empty() : %s" % (e, self.ty(shape)))
        return e

    def filled(self, value, shape):
        e = self.empty(shape)
        c = self.fresh("c")
        self.emit("%s = arith.constant %s : {T}" % (c, value))
        f = self.fresh("f")
        self.emit("%s = linalg.fill ins(%s : {T}) outs(%s : %s) -> %s"
                  % (f, c, e, self.ty(shape), self.ty(shape)))
        return f

    def const(self, value, shape):
        c = self.fresh("k")
        self.emit("%s = arith.constant dense<%s> : %s" % (c, value, self.ty(shape)))
        return c

    def ew(self, op, *vals, extra_depth=1):
        out = self.fresh()
        shape = next(v.shape for v in vals if isinstance(v, Val))
        names = ", ".join(v.name if isinstance(v, Val) else v for v in vals)
        self.emit("%s = %s %s : %s" % (out, op, names, self.ty(shape)))
        d = max(v.depth for v in vals if isinstance(v, Val)) + extra_depth
        return Val(out, shape, d)

    def bcast(self, v, shape, dims):
        e = self.empty(shape)
        out = self.fresh("b")
        self.emit("%s = linalg.broadcast ins(%s : %s) outs(%s : %s) dimensions = [%s]"
                  % (out, v.name, self.ty(v.shape), e, self.ty(shape),
                     ", ".join(map(str, dims))))
        return Val(out, shape, v.depth + 1)

    def reduce(self, v, dims, kind="add"):
        shape = tuple(d for i, d in enumerate(v.shape) if i not in dims)
        init = self.filled("0.0" if kind == "add" else "-1.0e+30", shape)
        out = self.fresh("r")
        op = "arith.addf" if kind == "add" else "arith.maximumf"
        self.emit("%s = linalg.reduce ins(%s : %s) outs(%s : %s) dimensions = [%s]"
                  % (out, v.name, self.ty(v.shape), init, self.ty(shape),
                     ", ".join(map(str, dims))))
        a, b, s = self.fresh("in"), self.fresh("acc"), self.fresh("s")
        self.emit("  (%s: {T}, %s: {T}) {" % (a, b))
        self.emit("    %s = %s %s, %s : {T}" % (s, op, a, b))
        self.emit("    linalg.yield %s : {T}" % s)
        self.emit("  }")
        if kind == "max":
            self.kinks += 1
        return Val(out, shape, v.depth + 1)

    def scale(self, v, factor):
        k = self.const(repr(float(factor)), v.shape)
        return self.ew("arith.mulf", v, k)

    def matmul(self, a, w, transposed):
        m, k = a.shape
        n = w.shape[1] if not transposed else w.shape[0]
        init = self.filled("0.0", (m, n))
        out = self.fresh("mm")
        maps = ""
        if transposed:
            maps = ("indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
                    "affine_map<(m, n, k) -> (n, k)>, "
                    "affine_map<(m, n, k) -> (m, n)>] ")
        self.emit("%s = linalg.matmul %sins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (out, maps, a.name, w.name, self.ty(a.shape), self.ty(w.shape),
                     init, self.ty((m, n)), self.ty((m, n))))
        return Val(out, (m, n), max(a.depth, w.depth) + 1)

    def transpose(self, v, perm):
        shape = tuple(v.shape[p] for p in perm)
        e = self.empty(shape)
        out = self.fresh("t")
        self.emit("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [%s]"
                  % (out, v.name, self.ty(v.shape), e, self.ty(shape),
                     ", ".join(map(str, perm))))
        return Val(out, shape, v.depth + 1)

    # -- blocks: [B, F] -> [B, F'] ------------------------------------------
    def linear(self, h):
        b, f = h.shape
        n = self.rng.randint(1, 8)
        style = self.rng.choice(["plain", "maps", "transpose"])
        if style == "plain":
            w = self.param((f, n), "w")
            y = self.matmul(h, w, False)
        elif style == "maps":
            w = self.param((n, f), "w")
            y = self.matmul(h, w, True)
        else:
            w = self.param((n, f), "w")
            y = self.matmul(h, self.transpose(w, [1, 0]), False)
        if self.rng.random() < 0.7:
            bias = self.param((n,), "b")
            y = self.ew("arith.addf", y, self.bcast(bias, (b, n), [0]))
        self.ops.append("linear/" + style)
        return y

    def unary(self, h):
        kind = self.rng.choice(["tanh", "exptanh", "softplus", "sigmoid", "sqrt",
                                "rsqrt", "erf", "sin", "square", "powf", "div"])
        self.ops.append(kind)
        one = lambda: self.const("1.0", h.shape)
        if kind == "tanh":
            return self.ew("math.tanh", h)
        if kind == "exptanh":
            return self.ew("math.exp", self.ew("math.tanh", h))
        if kind == "softplus":  # log1p(exp(tanh-bounded h))
            return self.ew("math.log1p", self.ew("math.exp", self.ew("math.tanh", h)))
        if kind == "sigmoid":
            e = self.ew("math.exp", self.ew("arith.negf", h))
            return self.ew("arith.divf", one(), self.ew("arith.addf", e, one()))
        if kind in ("sqrt", "rsqrt", "powf", "div"):
            q = self.ew("arith.addf", self.ew("arith.mulf", h, h), one())
            if kind == "sqrt":
                return self.ew("math.sqrt", q)
            if kind == "rsqrt":
                return self.ew("math.rsqrt", q)
            if kind == "powf":
                return self.ew("math.powf", q, self.const("0.75", h.shape))
            return self.ew("arith.divf", h, q)
        if kind == "erf":
            return self.ew("math.erf", h)
        if kind == "sin":
            return self.ew("math.sin", h)
        return self.ew("arith.mulf", h, h)

    def kink(self, h):
        kind = self.rng.choice(["relu", "abs", "max2", "min2"])
        self.ops.append(kind)
        self.kinks += 1
        if kind == "relu":
            return self.ew("arith.maximumf", h, self.filled("0.0", h.shape))
        if kind == "abs":
            return self.ew("math.absf", h)
        other = self.ew("math.tanh", h)
        return self.ew("arith.maximumf" if kind == "max2" else "arith.minimumf",
                       h, self.scale(other, 0.5))

    def affine(self, h):
        b, f = h.shape
        self.ops.append("scale-shift")
        g = self.param((f,), "g")
        y = self.ew("arith.mulf", h, self.bcast(g, h.shape, [0]))
        if self.rng.random() < 0.5:
            beta = self.param((f,), "b")
            y = self.ew("arith.subf", y, self.bcast(beta, h.shape, [0]))
        return y

    def generic(self, h):
        b, f = h.shape
        self.ops.append("generic")
        g = self.param((f,), "g")
        e = self.empty(h.shape)
        out = self.fresh("gen")
        self.emit("%s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, "
                  "affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], "
                  "iterator_types = [\"parallel\", \"parallel\"]} ins(%s, %s : %s, %s) "
                  "outs(%s : %s) {" % (out, h.name, g.name, self.ty(h.shape),
                                       self.ty(g.shape), e, self.ty(h.shape)))
        a, c, o = self.fresh("a"), self.fresh("g"), self.fresh("o")
        t, m, s = self.fresh("t"), self.fresh("m"), self.fresh("s")
        self.emit("^bb0(%s: {T}, %s: {T}, %s: {T}):" % (a, c, o))
        self.emit("  %s = math.tanh %s : {T}" % (t, a))
        self.emit("  %s = arith.mulf %s, %s : {T}" % (m, t, c))
        self.emit("  %s = arith.addf %s, %s : {T}" % (s, m, a))
        self.emit("  linalg.yield %s : {T}" % s)
        self.emit("} -> %s" % self.ty(h.shape))
        return Val(out, h.shape, h.depth + 3)

    def residual(self, h):
        self.ops.append("residual")
        inner = self.unary(h) if self.rng.random() < 0.6 else self.affine(h)
        return self.ew("arith.addf", h, inner)

    def concat(self, h):
        b, f = h.shape
        self.ops.append("concat")
        t = self.ew("math.tanh", h)
        out = self.fresh("cat")
        shape = (b, 2 * f)
        self.emit("%s = tensor.concat dim(1) %s, %s : (%s, %s) -> %s"
                  % (out, h.name, t.name, self.ty(h.shape), self.ty(h.shape),
                     self.ty(shape)))
        return Val(out, shape, t.depth + 1)

    def slice(self, h):
        b, f = h.shape
        if f < 2:
            return self.unary(h)
        self.ops.append("slice")
        off = self.rng.randint(0, f - 2)
        n = self.rng.randint(1, f - off)
        out = self.fresh("sl")
        self.emit("%s = tensor.extract_slice %s[0, %d] [%d, %d] [1, 1] : %s to %s"
                  % (out, h.name, off, b, n, self.ty(h.shape), self.ty((b, n))))
        return Val(out, (b, n), h.depth + 1)

    def layernorm(self, h):
        b, f = h.shape
        self.ops.append("layernorm")
        mean = self.scale(self.reduce(h, [1]), 1.0 / f)
        c = self.ew("arith.subf", h, self.bcast(mean, h.shape, [1]))
        var = self.scale(self.reduce(self.ew("arith.mulf", c, c), [1]), 1.0 / f)
        inv = self.ew("math.rsqrt", self.ew("arith.addf", var, self.const("1.0", (b,))))
        return self.ew("arith.mulf", c, self.bcast(inv, h.shape, [1]))

    def softmax(self, h):
        self.ops.append("softmax")
        b, f = h.shape
        m = self.reduce(h, [1], "max")
        z = self.ew("arith.subf", h, self.bcast(m, h.shape, [1]))
        e = self.ew("math.exp", z)
        s = self.reduce(e, [1])
        return self.ew("arith.divf", e, self.bcast(s, h.shape, [1]))

    def attention(self, h):
        b, f = h.shape
        self.ops.append("attention")
        q3 = self.fresh("q")
        self.emit("%s = tensor.expand_shape %s [[0, 1], [2]] output_shape [1, %d, %d] : %s into %s"
                  % (q3, h.name, b, f, self.ty(h.shape), self.ty((1, b, f))))
        q = Val(q3, (1, b, f), h.depth + 1)
        kt = self.transpose(q, [0, 2, 1])
        init = self.filled("0.0", (1, b, b))
        sc = self.fresh("sc")
        self.emit("%s = linalg.batch_matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (sc, q.name, kt.name, self.ty(q.shape), self.ty(kt.shape), init,
                     self.ty((1, b, b)), self.ty((1, b, b))))
        s2 = self.fresh("s2")
        self.emit("%s = tensor.collapse_shape %s [[0, 1], [2]] : %s into %s"
                  % (s2, sc, self.ty((1, b, b)), self.ty((b, b))))
        scores = self.scale(Val(s2, (b, b), kt.depth + 2), 1.0 / max(1.0, f) ** 0.5)
        p = self.softmax(scores)
        p3 = self.fresh("p3")
        self.emit("%s = tensor.expand_shape %s [[0, 1], [2]] output_shape [1, %d, %d] : %s into %s"
                  % (p3, p.name, b, b, self.ty((b, b)), self.ty((1, b, b))))
        init2 = self.filled("0.0", (1, b, f))
        o = self.fresh("att")
        self.emit("%s = linalg.batch_matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (o, p3, q.name, self.ty((1, b, b)), self.ty(q.shape), init2,
                     self.ty((1, b, f)), self.ty((1, b, f))))
        o2 = self.fresh("o2")
        self.emit("%s = tensor.collapse_shape %s [[0, 1], [2]] : %s into %s"
                  % (o2, o, self.ty((1, b, f)), self.ty((b, f))))
        return Val(o2, (b, f), p.depth + 3)

    def batchmean(self, h):
        b, f = h.shape
        self.ops.append("batch-mean")
        m = self.scale(self.reduce(h, [0]), 1.0 / b)
        return self.ew("arith.subf", h, self.bcast(m, h.shape, [0]))

    # -- the whole graph ----------------------------------------------------
    def build(self, sgd_only=False):
        rng = self.rng
        b = rng.randint(1, 6)
        f0 = rng.randint(1, 8)
        self.data.append(("%x", (b, f0), "x"))
        h = Val("%x", (b, f0), 0)
        use_kinks = rng.random() < 0.35
        blocks = [self.linear] * 4 + [self.unary] * 3 + [
            self.affine, self.generic, self.residual, self.concat, self.slice,
            self.layernorm, self.softmax, self.attention, self.batchmean]
        nblocks = rng.randint(1, 6)
        for i in range(nblocks):
            if h.shape[1] > 16:
                h = self.linear(h)
                continue
            blk = rng.choice(blocks)
            if use_kinks and rng.random() < 0.3:
                blk = self.kink
            h = blk(h)
        if not self.params:  # at least one parameter
            h = self.linear(h)
        self.loss_kind = rng.choice(["mse", "ce"])
        bb, fo = h.shape
        self.data.append(("%y", (bb, fo), "onehot" if self.loss_kind == "ce" else "y"))
        y = Val("%y", (bb, fo), 0)
        if self.loss_kind == "mse":
            d = self.ew("arith.subf", h, y)
            sq = self.ew("arith.mulf", d, d)
            tot = self.reduce(sq, [0, 1])
            loss = self.scale(tot, 1.0 / (bb * fo))
        else:
            m = self.reduce(h, [1], "max")
            self.kinks -= 1  # the max is a stop-gradient-like shift: smooth overall
            z = self.ew("arith.subf", h, self.bcast(m, h.shape, [1]))
            s = self.reduce(self.ew("math.exp", z), [1])
            lse = self.ew("math.log", s)
            logp = self.ew("arith.subf", z, self.bcast(lse, h.shape, [1]))
            tot = self.reduce(self.ew("arith.mulf", y, logp), [0, 1])
            loss = self.scale(tot, -1.0 / bb)
        self.loss = loss
        self.depth = loss.depth
        self.momentum = (not sgd_only) and rng.random() < 0.3
        self.policy = rng.choice(POLICIES)
        return self

    def ir(self, dtype="f32", sgd_only=False):
        momentum = self.momentum and not sgd_only
        T = dtype
        sub = lambda s: s.replace("{T}", T)
        args = [(n, s) for n, s, _ in self.params] + [(n, s) for n, s, _ in self.data]
        sig = ", ".join("%s: %s" % (n, sub(self.ty(s))) for n, s in args)
        out = ["// generated by gen_random_graph.py seed=%d blocks=%s loss=%s"
               % (self.seed, ",".join(self.ops), self.loss_kind),
               "func.func @loss(%s) -> %s {" % (sig, sub(self.ty(())))]
        out += [sub(l) for l in self.lines]
        out.append("  return %s : %s" % (self.loss.name, sub(self.ty(()))))
        out.append("}")
        # train_step: SGD (lr = 1: the update is the gradient) or momentum.
        np_ = len(self.params)
        step_args = list(args)
        if momentum:
            step_args += [("%%m%d" % i, s) for i, (_, s, _) in enumerate(self.params)]
        ssig = ", ".join("%s: %s" % (n, sub(self.ty(s))) for n, s in step_args)
        res_types = []
        rets = []
        body = []
        gnames = ["%%g%d" % i for i in range(np_)]
        all_types = ", ".join(sub(self.ty(s)) for _, s in args)
        grad_types = ", ".join(sub(self.ty(s)) for _, s, _ in self.params)
        body.append("  %%l, %s = mp.value_and_grad @loss(%s) {wrt = array<i64: %s>}"
                    % (", ".join(gnames), ", ".join(n for n, _ in args),
                       ", ".join(str(i) for i in range(np_))))
        body.append("      : (%s) -> (%s, %s)" % (all_types, sub(self.ty(())), grad_types))
        for i, (n, s, _) in enumerate(self.params):
            t = sub(self.ty(s))
            if momentum:
                mu = "%%mu%d" % i
                body.append("  %s = arith.constant dense<0.9> : %s" % (mu, t))
                body.append("  %%mm%d = arith.mulf %%m%d, %s : %s" % (i, i, mu, t))
                body.append("  %%nm%d = arith.addf %%mm%d, %%g%d : %s" % (i, i, i, t))
                body.append("  %%lr%d = arith.constant dense<0.5> : %s" % (i, t))
                body.append("  %%st%d = arith.mulf %%nm%d, %%lr%d : %s" % (i, i, i, t))
                body.append("  %%nw%d = arith.subf %s, %%st%d : %s" % (i, n, i, t))
            else:
                body.append("  %%nw%d = arith.subf %s, %%g%d : %s" % (i, n, i, t))
            rets.append("%%nw%d" % i)
            res_types.append("%s {mp.updates = %d}" % (t, i))
        if momentum:
            base = len(args)
            for i, (_, s, _) in enumerate(self.params):
                rets.append("%%nm%d" % i)
                res_types.append("%s {mp.updates = %d}" % (sub(self.ty(s)), base + i))
        rets.append("%l")
        res_types.append(sub(self.ty(())))
        out.append("")
        out.append("func.func @train_step(%s)\n    -> (%s) {" % (ssig, ", ".join(res_types)))
        out += body
        plain = [t.split(" {")[0] for t in res_types]
        out.append("  return %s : %s" % (", ".join(rets), ", ".join(plain)))
        out.append("}")
        return "\n".join(out) + "\n"

    def arrays(self, dtype=np.float64, sgd_only=False):
        """Initial values in train_step argument order (params, data,
        [momentum])."""
        r = np.random.default_rng(self.seed)
        vals = []
        for _, s, kind in self.params:
            if kind == "w":
                vals.append(r.standard_normal(s) / np.sqrt(max(1, min(s))))
            elif kind == "g":
                vals.append(1.0 + 0.2 * r.standard_normal(s))
            else:
                vals.append(0.3 * r.standard_normal(s))
        for _, s, kind in self.data:
            if kind == "onehot":
                y = np.zeros(s)
                y[np.arange(s[0]), r.integers(0, s[1], size=s[0])] = 1.0
                vals.append(y)
            else:
                vals.append(r.standard_normal(s))
        if self.momentum and not sgd_only:
            for _, s, _ in self.params:
                vals.append(0.1 * r.standard_normal(s))
        return [np.ascontiguousarray(v, dtype=dtype) for v in vals]


def generate(seed):
    return Graph(seed).build()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--sgd", action="store_true",
                    help="plain SGD even if the seed picks momentum")
    a = ap.parse_args()
    g = generate(a.seed)
    sys.stdout.write(g.ir(a.dtype, sgd_only=a.sgd))


if __name__ == "__main__":
    main()
