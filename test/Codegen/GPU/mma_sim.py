#!/usr/bin/env python3
"""Runs the tensor-core kernels of mp-gpu-mma-contractions without a GPU:
a lock-step interpreter of the gpu.launch ops of one function (the output
of `--pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions,
canonicalize,cse))'`), every thread of a block at once, blocks one after
the other, with the PTX ISA semantics of

  - nvgpu.ldmatrix (.x4/.x2, .trans): lanes 8j..8j+7 address the rows of
    8x8 matrix j; lane l receives (l/4, 2(l%4)..+1) of each matrix (of its
    transpose with .trans);
  - nvgpu.mma.sync m16n8k16 (f16 x f16 + f32), and nvvm.mma.sync bf16
    (the fragments' bf16 pairs as i32, element 0 in the low half): the
    A, B, C fragments of
    "Matrix Fragments for mma.m16n8k16" gathered from the 32 lanes, D = A B
    + C in f32, scattered back like C;
  - nvgpu.device_async_copy / create_group / wait: a copy takes effect at
    the first device_async_wait that covers its group (all groups but the
    newest numGroups), not earlier, so reading a stage before its copy
    was waited for reads stale data.

  mma_sim.py IN.mlir FUNC SEED [Z,Z,...]

fills the function's memref arguments with random values (f16 inputs in
[-1, 1), the output too), runs it, and compares the output with numpy
(f32 sums of the f16 products, plus the initial output): prints 'ok FUNC
max-rel-err' or the first mismatch and exits 1. With a list of Z, only
the blocks with those blockIdx.z (batch entries) run and are compared. Supported: the ops these
kernels contain (arith index ops, constants, extf/truncf, memref
load/store, vector.from_elements/extract, scf.for, the nvgpu ops,
gpu.barrier); anything else is an error, not skipped.
"""
import re
import sys

import numpy as np

# bf16 is kept as its bit pattern (uint16); f32 <-> bf16 by truncation.
DT = {"f16": np.float16, "f32": np.float32, "bf16": np.uint16}


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(x):
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype(
        np.uint16)


def to_f32(x):
    return bf16_to_f32(x) if x.dtype == np.uint16 else x.astype(np.float32)


def parse_memref(t):
    m = re.match(r"memref<((?:\d+x)+)(f16|f32|bf16)", t)
    return [int(d) for d in m.group(1).rstrip("x").split("x")], m.group(2)


def lines_of(text, func):
    start = re.search(r"func\.func @%s\((.*)\) \{" % func, text)
    if not start:
        sys.exit("mma_sim.py: no function @%s" % func)
    args = re.findall(r"(%[a-z0-9_]+): (memref<[^>]*>)", start.group(1))
    body, depth = [], 1
    for line in text[start.end():].split("\n"):
        s = line.strip()
        if not s:
            continue
        depth += s.count("{") - s.count("}")
        if depth <= 0:
            break
        body.append(s)
    return args, body


class Sim:
    def __init__(self, mem, threads):
        self.mem = mem  # name -> numpy array (global) or per-launch shared
        self.T = threads
        self.groups = []  # list of lists of pending copies
        self.pending = []

    def run(self, body, env):
        i = 0
        while i < len(body):
            s = body[i]
            if s.startswith("%") and "= scf.for " in s:
                end = self.match_end(body, i)
                self.scf_for(s, body[i + 1:end], env)
                i = end + 1
                continue
            self.op(s, env)
            i += 1

    @staticmethod
    def match_end(body, i):
        depth = 0
        for j in range(i, len(body)):
            depth += body[j].count("{") - body[j].count("}")
            if depth == 0:
                return j
        sys.exit("mma_sim.py: unbalanced region")

    def scf_for(self, s, inner, env):
        m = re.match(r"(%\w+)(?::\d+)? = scf\.for (%\w+) = (%\w+) to "
                     r"(%\w+) step (%\w+) iter_args\((.*)\) -> \((.*)\) \{",
                     s)
        res, iv, lb, ub, st, iters = m.groups()[:6]
        pairs = re.findall(r"(%[\w#]+) = (%[\w#]+)", iters)
        vals = [env[v] for _, v in pairs]
        lb, ub, st = (int(env[x][0]) for x in (lb, ub, st))
        yield_line = inner[-1]
        assert yield_line.startswith("scf.yield"), yield_line
        yv = re.findall(r"%[\w#]+", yield_line.split(":")[0])
        for k in range(lb, ub, st):
            env[iv] = np.full(self.T, k, dtype=np.int64)
            for (name, _), v in zip(pairs, vals):
                env[name] = v
            self.run(inner[:-1], env)
            vals = [env[v] for v in yv]
        if len(vals) == 1:
            env[res] = vals[0]
        for i, v in enumerate(vals):
            env["%s#%d" % (res, i)] = v

    def idx(self, names, env):
        return [env[n] for n in re.findall(r"%[\w#]+", names)]

    def op(self, s, env):
        T = self.T
        m = re.match(r"(%[\w#]+) = arith\.constant (-?\d+) : index$", s)
        if m:
            env[m.group(1)] = np.full(T, int(m.group(2)), dtype=np.int64)
            return
        m = re.match(r"(%[\w#]+) = arith\.(addi|muli|divui|remui|minui) "
                     r"(%[\w#]+), (%[\w#]+) : index$", s)
        if m:
            d, o, a, b = m.groups()
            a, b = env[a], env[b]
            ops = {"addi": np.add, "muli": np.multiply,
                   "divui": np.floor_divide, "remui": np.remainder,
                   "minui": np.minimum}
            env[d] = ops[o](a, b)
            return
        m = re.match(r"(%[\w#]+) = arith\.extf (%[\w#]+) : b?f16 to f32$", s)
        if m:
            env[m.group(1)] = to_f32(env[m.group(2)])
            return
        m = re.match(r"(%[\w#]+) = vector\.extract (%[\w#]+)\[(\d+)\] : "
                     r"vector<2xbf16> from vector<\dx2xbf16>$", s)
        if m:
            env[m.group(1)] = env[m.group(2)][:, int(m.group(3))]
            return
        m = re.match(r"(%[\w#]+) = vector\.bitcast (%[\w#]+) : "
                     r"vector<2xbf16> to vector<1xi32>$", s)
        if m:
            v = env[m.group(2)].astype(np.uint32)
            env[m.group(1)] = (v[:, 0] | (v[:, 1] << 16))[:, None]
            return
        m = re.match(r"(%[\w#]+) = vector\.extract (%[\w#]+)\[0\] : i32 "
                     r"from vector<1xi32>$", s)
        if m:
            env[m.group(1)] = env[m.group(2)][:, 0]
            return
        m = re.match(r"(%[\w#]+) = nvvm\.mma\.sync A\[(.*?)\]\s+B\[(.*?)\]\s+"
                     r"C\[(.*?)\]\s+\{.*multiplicandAPtxType = "
                     r"#nvvm\.mma_type<bf16>.*shape = #nvvm\.shape<m = 16, "
                     r"n = 8, k = 16>\}", s)
        if m:
            def halves(regs):  # i32 registers -> [T, n, 2] bf16 bits
                r = np.stack(regs, axis=1).astype(np.uint32)
                return np.stack([r & 0xFFFF, r >> 16], axis=2).astype(
                    np.uint16)
            a = halves(self.idx(m.group(2), env))
            b = halves(self.idx(m.group(3), env))
            c = np.stack(self.idx(m.group(4), env), axis=1).reshape(T, 2, 2)
            env[m.group(1)] = self.mma(a, b, c).reshape(T, 4)
            return
        m = re.match(r"(%[\w#]+) = llvm\.extractvalue (%[\w#]+)\[(\d)\] : ", s)
        if m:
            env[m.group(1)] = env[m.group(2)][:, int(m.group(3))]
            return
        m = re.match(r"(%[\w#]+) = arith\.truncf (%[\w#]+) : f32 to f16$", s)
        if m:
            env[m.group(1)] = env[m.group(2)].astype(np.float16)
            return
        m = re.match(r"(%[\w#]+) = memref\.load (%[\w#]+)\[(.*)\] : ", s)
        if m:
            a = self.mem[m.group(2)]
            env[m.group(1)] = a[tuple(self.idx(m.group(3), env))]
            return
        m = re.match(r"memref\.store (%[\w#]+), (%[\w#]+)\[(.*)\] : ", s)
        if m:
            a = self.mem[m.group(2)]
            a[tuple(self.idx(m.group(3), env))] = env[m.group(1)]
            return
        m = re.match(r"(%[\w#]+) = vector\.from_elements (.*) : "
                     r"vector<2x2xf32>$", s)
        if m:
            e = self.idx(m.group(2), env)
            env[m.group(1)] = np.stack(e, axis=1).reshape(T, 2, 2)
            return
        m = re.match(r"(%[\w#]+) = vector\.extract (%[\w#]+)\[(\d+), (\d+)\] : "
                     r"f32 from vector<2x2xf32>$", s)
        if m:
            env[m.group(1)] = env[m.group(2)][:, int(m.group(3)),
                                              int(m.group(4))]
            return
        m = re.match(r"(%[\w#]+) = nvgpu\.device_async_copy (%[\w#]+)\[(.*?)\], "
                     r"(%[\w#]+)\[(.*?)\], (\d+) ", s)
        if m:
            d, src, si, dst, di, n = m.groups()
            self.pending.append((src, self.idx(si, env), dst,
                                 self.idx(di, env), int(n)))
            env[d] = None
            return
        m = re.match(r"(%[\w#]+) = nvgpu\.device_async_create_group ", s)
        if m:
            self.groups.append(self.pending)
            self.pending = []
            env[m.group(1)] = None
            return
        m = re.match(r"nvgpu\.device_async_wait %[\w#]+ \{numGroups = (\d+) "
                     r": i32\}$", s)
        if m:
            keep = int(m.group(1))
            done = self.groups[:len(self.groups) - keep]
            self.groups = self.groups[len(self.groups) - keep:]
            for g in done:
                for src, si, dst, di, n in g:
                    a, b = self.mem[src], self.mem[dst]
                    for e in range(n):
                        sidx = tuple(si[:-1]) + (si[-1] + e,)
                        didx = tuple(di[:-1]) + (di[-1] + e,)
                        b[didx] = a[sidx]
            return
        if s == "gpu.barrier":
            return
        m = re.match(r"(%[\w#]+) = nvgpu\.ldmatrix (%[\w#]+)\[(.*)\] \{numTiles = "
                     r"(\d+) : i32, transpose = (true|false)\}", s)
        if m:
            d, sm, ix, tiles, tr = m.groups()
            env[d] = self.ldmatrix(self.mem[sm], self.idx(ix, env),
                                   int(tiles), tr == "true")
            return
        m = re.match(r"(%[\w#]+) = nvgpu\.mma\.sync\((%[\w#]+), (%[\w#]+), (%[\w#]+)\) "
                     r"\{mmaShape = \[16, 8, 16\]\}", s)
        if m:
            d, a, b, c = m.groups()
            env[d] = self.mma(env[a], env[b], env[c])
            return
        sys.exit("mma_sim.py: unsupported op: " + s)

    def ldmatrix(self, smem, ix, tiles, trans):
        T = self.T
        out = np.zeros((T, tiles, 2), dtype=smem.dtype)
        for w0 in range(0, T, 32):
            lanes = range(w0, w0 + 32)
            mats = []
            for j in range(tiles):
                rows = []
                for r in range(8):
                    t = w0 + 8 * j + r
                    base = tuple(int(v[t]) for v in ix)
                    rows.append([smem[base[:-1] + (base[-1] + e,)]
                                 for e in range(8)])
                mats.append(np.array(rows))
            for l in lanes:
                ll = l - w0
                for j in range(tiles):
                    mt = mats[j].T if trans else mats[j]
                    out[l, j] = mt[ll // 4, 2 * (ll % 4):2 * (ll % 4) + 2]
        return out

    def mma(self, a, b, c):
        T = self.T
        d = np.zeros_like(c)
        for w0 in range(0, T, 32):
            A = np.zeros((16, 16), np.float32)
            B = np.zeros((16, 8), np.float32)
            C = np.zeros((16, 8), np.float32)
            for ll in range(32):
                l, g, t2 = w0 + ll, ll // 4, 2 * (ll % 4)
                A[g, t2:t2 + 2] = to_f32(a[l, 0])
                A[g + 8, t2:t2 + 2] = to_f32(a[l, 1])
                A[g, 8 + t2:8 + t2 + 2] = to_f32(a[l, 2])
                A[g + 8, 8 + t2:8 + t2 + 2] = to_f32(a[l, 3])
                B[t2:t2 + 2, g] = to_f32(b[l, 0])
                B[8 + t2:8 + t2 + 2, g] = to_f32(b[l, 1])
                C[g, t2:t2 + 2] = c[l, 0]
                C[g + 8, t2:t2 + 2] = c[l, 1]
            D = A @ B + C
            for ll in range(32):
                l, g, t2 = w0 + ll, ll // 4, 2 * (ll % 4)
                d[l, 0] = D[g, t2:t2 + 2]
                d[l, 1] = D[g + 8, t2:t2 + 2]
        return d


def main():
    with open(sys.argv[1]) as f:
        text = f.read()
    func, seed = sys.argv[2], int(sys.argv[3])
    zs = [int(z) for z in sys.argv[4].split(",")] if len(sys.argv) > 4 \
        else None
    args, body = lines_of(text, func)
    rng = np.random.default_rng(seed)
    mem = {}
    for name, t in args:
        shape, dt = parse_memref(t)
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        mem[name] = f32_to_bf16(x) if dt == "bf16" else x.astype(DT[dt])
    init = {k: v.copy() for k, v in mem.items()}
    li = next(i for i, s in enumerate(body) if s.startswith("gpu.launch"))
    env = {}
    sim = Sim(mem, 1)
    for s in body[:li]:
        sim.op(s, env)
    launch = body[li]
    end = Sim.match_end(body, li)
    m = re.match(r"gpu\.launch blocks\((%[\w#]+), (%[\w#]+), (%[\w#]+)\) in "
                 r"\(%[\w#]+ = (%[\w#]+), %[\w#]+ = (%[\w#]+), %[\w#]+ = (%[\w#]+)\) "
                 r"threads\((%[\w#]+), %[\w#]+, %[\w#]+\) in \(%[\w#]+ = (%[\w#]+), %[\w#]+ = "
                 r"(%[\w#]+), %[\w#]+ = (%[\w#]+)\) workgroup\((.*)\) \{", launch)
    bids, grid = m.groups()[0:3], [int(env[g][0]) for g in m.groups()[3:6]]
    tid, nthreads = m.group(7), int(env[m.group(8)][0])
    assert int(env[m.group(9)][0]) == 1 and int(env[m.group(10)][0]) == 1
    shared = re.findall(r"(%[\w#]+) : (memref<[^>]*>)", m.group(11))
    inner = body[li + 1:end]
    assert inner[-1] == "gpu.terminator"
    for bz in (zs if zs is not None else range(grid[2])):
        for by in range(grid[1]):
            for bx in range(grid[0]):
                sim = Sim(mem, nthreads)
                for name, t in shared:
                    shape, dt = parse_memref(t)
                    # Garbage, not zeros: a read before its copy shows.
                    mem[name] = (np.full(shape, 0x7FC0, dtype=np.uint16)
                                 if dt == "bf16" else
                                 np.full(shape, np.nan, dtype=DT[dt]))
                benv = {k: np.full(nthreads, v[0]) for k, v in env.items()}
                for n, v in zip(bids, (bx, by, bz)):
                    benv[n] = np.full(nthreads, v, dtype=np.int64)
                benv[tid] = np.arange(nthreads, dtype=np.int64)
                sim.run(inner[:-1], benv)
                assert not sim.groups, "copies left un-waited"
    # Reference: the prefix of the function name says which contraction
    # the kernel replaced: ab (A B), atb (A^T B), abt (A B^T), batched
    # when the operands are 3-d; out += product.
    a, b, c = (init[n] for n, _ in args[:3])
    a32, b32, c32 = (to_f32(x) for x in (a, b, c))
    kind = func.split("_")[0]
    ref = {"ab": lambda: np.matmul(a32, b32),
           "atb": lambda: np.matmul(np.swapaxes(a32, -1, -2), b32),
           "abt": lambda: np.matmul(a32, np.swapaxes(b32, -1, -2))}[kind]()
    ref = ref + c32
    got = to_f32(mem[args[2][0]])
    if zs is not None:
        ref, got = ref[zs], got[zs]
    tol = 1e-5 if c.dtype == np.float32 else 2.0 ** -10
    err = np.abs(got - ref) / np.maximum(np.abs(ref), 1.0)
    if not np.all(err <= tol):
        bad = np.unravel_index(np.nanargmax(np.where(np.isnan(err), np.inf,
                                                     err)), err.shape)
        print("MISMATCH %s at %s: got %r want %r" % (func, bad, got[bad],
                                                      ref[bad]))
        sys.exit(1)
    print("ok %s max-rel-err %.3g" % (func, float(err.max())))


if __name__ == "__main__":
    main()
