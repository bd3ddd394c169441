#!/usr/bin/env python3
# ===- gradcheck.py - gradients of mp-differentiate vs finite differences -===#
#
# Part of mixprec: MLIR passes for mixed-precision training.
#
# ===----------------------------------------------------------------------===#
"""Checks the gradients produced by mp-differentiate against central finite
differences, executing both on the CPU.

The input .mlir file holds loss functions (f64 graphs returning tensor<f64>)
and directive lines:

    // GRADCHECK: @f wrt=0,1 [args=n,p,o,...] [scale=3.0]

For each directive the script appends two wrappers, `@__vg_f` (an
`mp.value_and_grad @f`) and `@__f_f` (a plain call), lowers the module with
mp-opt (`mp-differentiate`, then a test-only lowering made of upstream
passes: bufferize, linalg to loops, LLVM), builds a shared library with
clang and calls it through ctypes with numpy arrays.

Argument generators (`args=`, one letter per argument, default `n`):
    n  standard normal           u  uniform(-1, 1)
    t  integers 0, 1, 2 (ties; see below)
    p  uniform(0.5, 2) positive  o  one-hot rows along the last dim
    s  normal * 0.1 (small)      i  -1 / 1 random signs * uniform(0.5, 1.5)

Check: for every differentiated argument, up to --samples elements (all of
them for small tensors) are perturbed by +-h (h = 1e-6 by default) and

    |g - fd| <= rtol * max(|g|, |fd|) + atol * max(1, |loss|)

with rtol = 1e-6 and atol = 1e-8 by default. In f64 the truncation error of
the central difference is O(h^2 |f'''|) ~ 1e-12 and its rounding error is
O(eps |loss| / h) ~ 1e-10 |loss|, so both bounds hold with two orders of
magnitude to spare. With scale=s the gradients must equal s * fd. The loss
returned by mp.value_and_grad must equal the plain call's loss (rel 1e-12).

Ties (key `ties`, with generator `t` = integers 0, 1, 2, which tie often):
max / min reductions are not differentiable at an exact tie, and the rule
is to give the cotangent to the first maximum (PyTorch's). The gradient at
the tied point must then equal the finite differences at the point where
every tie is broken in favour of the earlier element: the differentiated
arguments, flattened row-major and concatenated in `wrt` order, get
+1e-2 * (T - 1 - k) / T at position k of T (`ties=min`: minus that, for
min reductions). Distinct values stay >= 0.99
apart, the broken ties >= 1e-2 / T (well above h), so the finite
differences see a smooth function there. Use a loss whose gradient does not
depend on the differentiated values away from ties (sum(w * max(...))).
"""

import argparse
import ctypes
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

PIPELINE = (
    "builtin.module(mp-differentiate,{extra}canonicalize,"
    "func.func(convert-elementwise-to-linalg),"
    "one-shot-bufferize{{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map}},"
    "buffer-results-to-out-params{{modify-public-functions}},"
    "func.func(convert-linalg-to-loops),lower-affine,convert-scf-to-cf,"
    "expand-strided-metadata,finalize-memref-to-llvm,convert-math-to-llvm,"
    "convert-math-to-libm,convert-to-llvm,reconcile-unrealized-casts)"
)

DTYPES = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "i32": np.int32}


def parse_type(text):
    text = text.strip()
    m = re.fullmatch(r"tensor<(.*)>", text)
    if not m:
        raise ValueError("only tensor arguments are supported, got " + text)
    parts = m.group(1).split("x")
    return tuple(int(p) for p in parts[:-1]), parts[-1]


def find_signature(text, name):
    m = re.search(
        r"func\.func\s+(?:private\s+)?@" + re.escape(name) + r"\s*\((.*?)\)\s*->\s*([^{]*?)\s*(?:attributes[^{]*)?\{",
        text,
        re.S,
    )
    if not m:
        raise ValueError("function @%s not found" % name)
    args = []
    for am in re.finditer(r"%[\w]+\s*:\s*(tensor<[^>]*>)", m.group(1)):
        args.append(am.group(1))
    return args, m.group(2).strip()


class Check:
    def __init__(self, line):
        fields = line.split()
        self.name = fields[0].lstrip("@")
        self.wrt = None
        self.gens = ""
        self.scale = None
        self.ties = 0
        for f in fields[1:]:
            if f in ("ties", "ties=max", "ties=min"):
                self.ties = -1 if f == "ties=min" else 1
                continue
            key, _, value = f.partition("=")
            if key == "wrt":
                self.wrt = [int(v) for v in value.split(",")]
            elif key == "args":
                self.gens = value.replace(",", "")
            elif key == "scale":
                self.scale = float(value)
            else:
                raise ValueError("unknown GRADCHECK key " + key)


def wrappers(check, arg_types, result_type):
    n = len(arg_types)
    # Read-only arguments: bufferization must not write into the caller's
    # numpy arrays.
    params = ", ".join("%%a%d: %s {bufferization.writable = false}" % (i, t)
                       for i, t in enumerate(arg_types))
    args = ", ".join("%%a%d" % i for i in range(n))
    types = ", ".join(arg_types)
    grad_types = [arg_types[i] for i in check.wrt]
    res_types = ", ".join([result_type] + grad_types)
    scale_param = ", %scale: tensor<f32> {bufferization.writable = false}" if check.scale is not None else ""
    scale_use = " scale(%scale)" if check.scale is not None else ""
    k = len(grad_types) + 1
    rets = ", ".join("%%r#%d" % i for i in range(k))
    return (
        "func.func @__vg_{tag}({params}{sp}) -> ({rt}) attributes {{llvm.emit_c_interface}} {{\n"
        "  %r:{k} = mp.value_and_grad @{f}({args}){su} {{wrt = array<i64: {wrt}>}} : ({types}) -> ({rt})\n"
        "  return {rets} : {rt}\n}}\n"
        "func.func @__f_{tag}({params}) -> {lt} attributes {{llvm.emit_c_interface}} {{\n"
        "  %r = func.call @{f}({args}) : ({types}) -> {lt}\n"
        "  return %r : {lt}\n}}\n"
    ).format(
        f=check.name, tag=check.tag, params=params, sp=scale_param, rt=res_types, k=k, args=args,
        su=scale_use, wrt=", ".join(map(str, check.wrt)), types=types, rets=rets,
        lt=result_type,
    )


def descriptor_type(rank):
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type("MemRef%d" % rank, (ctypes.Structure,), {"_fields_": fields})


def descriptor(array):
    d = descriptor_type(array.ndim)()
    d.allocated = d.aligned = array.ctypes.data
    d.offset = 0
    if array.ndim:
        for i in range(array.ndim):
            d.sizes[i] = array.shape[i]
            d.strides[i] = array.strides[i] // array.itemsize
    return d


class Function:
    def __init__(self, lib, name):
        self.fn = getattr(lib, "_mlir_ciface_" + name)
        self.fn.restype = None

    def __call__(self, inputs, outputs):
        descs = [descriptor(a) for a in list(inputs) + list(outputs)]
        self.fn(*[ctypes.byref(d) for d in descs])


def generate(rng, gen, shape, dtype):
    if gen == "n":
        a = rng.standard_normal(shape)
    elif gen == "u":
        a = rng.uniform(-1, 1, shape)
    elif gen == "p":
        a = rng.uniform(0.5, 2.0, shape)
    elif gen == "s":
        a = 0.1 * rng.standard_normal(shape)
    elif gen == "i":
        a = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.5, shape)
    elif gen == "t":
        a = rng.integers(0, 3, shape).astype(np.float64)
    elif gen == "o":
        a = np.zeros(shape)
        flat = a.reshape(-1, shape[-1])
        flat[np.arange(flat.shape[0]), rng.integers(0, shape[-1], flat.shape[0])] = 1
    else:
        raise ValueError("unknown generator " + gen)
    return np.ascontiguousarray(a, dtype=dtype)


def run_check(lib, check, arg_types, result_type, opts, rng):
    shapes = [parse_type(t) for t in arg_types]
    gens = check.gens.ljust(len(shapes), "n")
    inputs = [generate(rng, g, s, DTYPES[d]) for g, (s, d) in zip(gens, shapes)]
    lshape, ldt = parse_type(result_type)
    vg = Function(lib, "__vg_" + check.tag)
    f = Function(lib, "__f_" + check.tag)

    loss = np.zeros(lshape, DTYPES[ldt])
    grads = [np.zeros(shapes[i][0], DTYPES[shapes[i][1]]) for i in check.wrt]
    extra = []
    if check.scale is not None:
        extra = [np.array(check.scale, np.float32)]
    vg(inputs + extra, [loss] + grads)

    def evaluate(at):
        out = np.zeros(lshape, DTYPES[ldt])
        f(at, [out])
        return float(out)

    plain = evaluate(inputs)
    # Where the finite differences are taken: the point itself, or with its
    # ties broken in favour of the earlier element (see the header).
    at = inputs
    if check.ties:
        at = [a.copy() for a in inputs]
        total = sum(inputs[i].size for i in check.wrt)
        k = 0
        for i in check.wrt:
            n = inputs[i].size
            offsets = check.ties * 1e-2 * (total - 1 - (k + np.arange(n))) / total
            at[i] += offsets.reshape(inputs[i].shape).astype(at[i].dtype)
            k += n
    if abs(plain - float(loss)) > 1e-12 * max(1.0, abs(plain)):
        print("FAIL @%s: loss %r != plain call %r" % (check.name, float(loss), plain))
        return False
    scale = check.scale if check.scale is not None else 1.0
    h, worst, count, ok = opts.h, 0.0, 0, True
    for gi, ai in enumerate(check.wrt):
        x = at[ai]
        flat = x.reshape(-1)
        n = flat.size
        idx = np.arange(n) if n <= opts.samples else rng.choice(n, opts.samples, replace=False)
        for j in idx:
            old = flat[j]
            flat[j] = old + h
            lp = evaluate(at)
            flat[j] = old - h
            lm = evaluate(at)
            flat[j] = old
            fd = scale * (lp - lm) / (2 * h)
            g = float(grads[gi].reshape(-1)[j])
            err = abs(g - fd)
            bound = opts.rtol * max(abs(g), abs(fd)) + opts.atol * max(1.0, abs(plain))
            worst = max(worst, err / bound if bound else 0.0)
            count += 1
            if err > bound:
                ok = False
                print("FAIL @%s arg %d elem %d: grad %.12g fd %.12g (err %.3g > %.3g)"
                      % (check.name, ai, j, g, fd, err, bound))
    if ok:
        print("PASS @%s: %d gradient elements, worst err/bound %.3g" % (check.name, count, worst))
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input")
    p.add_argument("--mp-opt", default="mp-opt")
    p.add_argument("--mlir-translate", default="mlir-translate")
    p.add_argument("--clang", default="clang")
    p.add_argument("--runner-utils", default="/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so",
                   help="libmlir_c_runner_utils.so (memrefCopy)")
    p.add_argument("--extra-passes", default="",
                   help="passes run after mp-differentiate, comma separated (e.g. mp-lower)")
    p.add_argument("--check", action="append", default=[],
                   help="a GRADCHECK directive given on the command line (repeatable)")
    p.add_argument("--f32-to-f64", action="store_true",
                   help="rewrite every f32 in the input to f64 (for the f32 examples)")
    p.add_argument("--h", type=float, default=1e-6)
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-8)
    p.add_argument("--samples", type=int, default=24)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--workdir", default=None)
    opts = p.parse_args()

    text = open(opts.input).read()
    if opts.f32_to_f64:
        text = text.replace("0xFF800000", "0xFFF0000000000000").replace("f32", "f64")
    # The step functions are compiled too (not checked): drop their mp.updates
    # ties, which buffer-results-to-out-params would move onto arguments.
    text = re.sub(r"\s*\{mp\.updates = \d+\}", "", text)
    checks = [Check(m.group(1)) for m in re.finditer(r"//\s*GRADCHECK:\s*(.*)", text)]
    checks += [Check(c) for c in opts.check]
    for i, c in enumerate(checks):
        c.tag = "%d_%s" % (i, c.name)
    if not checks:
        print("no GRADCHECK directive")
        return 1
    sigs = {}
    module = text
    for c in checks:
        arg_types, result_type = find_signature(text, c.name)
        if c.wrt is None:
            c.wrt = [i for i, t in enumerate(arg_types) if parse_type(t)[1] == "f64"]
        sigs[c.name] = (arg_types, result_type)
        module += "\n" + wrappers(c, arg_types, result_type)

    workdir = opts.workdir or tempfile.mkdtemp(prefix="gradcheck")
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, "input.mlir")
    llvm_mlir = os.path.join(workdir, "lowered.mlir")
    ll = os.path.join(workdir, "lowered.ll")
    so = os.path.join(workdir, "lowered.so")
    open(src, "w").write(module)
    extra = "".join(x + "," for x in opts.extra_passes.split(",") if x)
    subprocess.run([opts.mp_opt, src, "--pass-pipeline=" + PIPELINE.format(extra=extra),
                    "-o", llvm_mlir], check=True)
    subprocess.run([opts.mlir_translate, "--mlir-to-llvmir", llvm_mlir, "-o", ll], check=True)
    subprocess.run([opts.clang, "-O2", "-shared", "-fPIC", "-Wno-override-module", ll, "-o", so,
                    opts.runner_utils, "-Wl,-rpath," + os.path.dirname(opts.runner_utils),
                    "-lm"], check=True)
    lib = ctypes.CDLL(so)
    rng = np.random.default_rng(opts.seed)
    ok = True
    for c in checks:
        arg_types, result_type = sigs[c.name]
        ok = run_check(lib, c, arg_types, result_type, opts, rng) and ok
    print("ALL PASS" if ok else "SOME FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
