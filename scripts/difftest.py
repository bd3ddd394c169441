#!/usr/bin/env python3
# ===- difftest.py - differential testing with random training graphs ------===#
#
# Part of mixprec: MLIR passes for mixed-precision training.
#
# ===----------------------------------------------------------------------===#
"""Differential testing of the mixed-precision pipeline on random training
graphs (test/Robustness/gen_random_graph.py).

    PYTHONPATH=build/python /usr/bin/python3 scripts/difftest.py N [--start S]

For each seed S..S+N-1 the generated graph goes through four checks:

1. **No crash.** `mp-opt --mp-mixed-precision=...` runs on the graph for each
   configuration below (subprocess; exit code 0, or 1 with an `error:`
   diagnostic = a *clean error*, counted separately; anything else — a
   signal, an assertion, a sanitizer report — is a failure). The pass
   manager verifies after every pass.
2. **Mixed vs fp32.** The step is compiled (Python bindings, in-process JIT)
   with `policy=float32 mode=none` and with two random mixed policies, one
   with a bf16 and one with an f16 compute dtype (named or custom policy
   strings), each with a random loss-scaling mode (dynamic with a random
   init-scale 2^k, static, none). All runs start from the same parameters
   and data. Compared: the loss and every `mp.updates` result as the update
   delta d = new - old (the graphs use SGD with lr = 1, so d is minus the
   gradient, or momentum), per tensor in the 2-norm:

       |L_mix - L_32|       <= k (u |L_32| + s_L)
       ||d_mix - d_32||     <= k (u max(||d_32||, ||d_32 (all)||) + s_d)
       k = C sqrt(D + 2),   C = 2

   u is the unit roundoff of the compute dtype (bf16: 2^-8, f16: 2^-11:
   8 and 11 significand bits), D the longest op path of the forward (the
   generator's `depth`), and s_L, s_d the *sensitivity* of the fp32 step:
   the largest change of the loss / delta over 3 runs with every parameter
   and data element perturbed by a random relative amount of at most u.
   Justification: in the standard model every value rounded to the compute
   dtype carries a relative error of at most u; a result's error is, to
   first order, the sum over the rounding points on its paths of u times the
   condition number of the rest of the path. Rounding the inputs is exactly
   the perturbation that measures s, so u |ref| + s bounds the contribution
   of one stage of roundings including its amplification (cancellation such
   as a bias gradient summed over the batch, a relu / max / abs within
   roundoff of its switching point); there are at most D + 2 stages on a
   path (inputs cast once, one per op; f32 accumulation adds 2^-24 per add:
   negligible; with mp-autocast's default compute-output=compute a
   contraction's one stage is the rounding of its f32 result, and the follow
   ops after it, now in half, round their results once each, so a path of
   D ops still has at most D + 2 stages and the bound is unchanged:
   measured on seeds 100000-100039 error/tol median 0.041 / max 0.113
   (bf16) and 0.042 / 0.123 (f16), against 0.035 / 0.23 on 500 graphs with
   f32 contraction results), and independent rounding errors add like a random walk
   (probabilistic rounding error analysis, Higham & Mary 2019): sqrt(D + 2)
   stages, C = 2 for the forward + backward. Gradients are compared
   normwise against the whole gradient vector (||d_32 (all)||, the norm of
   all update deltas together): the absolute error of one tensor's gradient
   is u times the cotangents it is accumulated from, which are of the order
   of the whole gradient, not of the tensor's own (possibly ~0 by exact
   cancellation, e.g. a shift before a mean subtraction: found with seed
   209, policy float16, own norm 2e-8). The check is not vacuous: the
   observed error/tol stays below ~0.25 (500 graphs) and `--inject-error`
   (an error of 10 tol in one update) fails. A step that reports an
   overflow must leave every `mp.updates` result bit-identical to its
   argument (docs/design.md §2); it is then re-run with loss scale 1 (dynamic mode takes the scale as an
   argument); static-mode overflows are counted and not compared.
3. **Gradients vs finite differences.** The same graph in f64 (plain SGD)
   is compiled with `policy=float32 mode=none` (f64 values are never cast)
   and, for up to --fd-samples elements of every parameter, the gradient is
   compared with a central difference, h = 1e-6 * max(1, |w|):
   |g - fd| <= 1e-5 max(|g|, |fd|) + 1e-7 max(1, |L|) (truncation error
   h^2 |f'''| / 6 ~ 1e-12, rounding error ~ D eps64 |L| / h ~ 1e-8 |L| for
   D ~ 50). If the one-sided differences disagree (a kink inside [w-h, w+h])
   the sample is counted as `fd-kink`.

Output: one line per failure, a summary with the counts (graphs, configs,
mismatches, crashes, clean errors, skipped-overflow steps, near-kink and
fd-kink samples, max error/tol ratio, time). Exit status 1 when any check
failed. Failing graphs are written to --keep DIR (default: a temporary
directory printed in the failure line).
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "Robustness"))
import gen_random_graph as gen  # noqa: E402

C_TOL = 2.0
U = {"bfloat16": 2.0 ** -8, "float16": 2.0 ** -11}
BF16_POLICIES = [p for p, u in gen.POLICIES if u == 2.0 ** -8]
F16_POLICIES = [p for p, u in gen.POLICIES if u == 2.0 ** -11]


class Stats:
    def __init__(self):
        self.graphs = 0
        self.configs = 0
        self.crashes = []
        self.mismatches = []
        self.clean_errors = []
        self.compile_errors = []
        self.overflow_skips = 0
        self.nonfinite = 0
        self.sensitive = 0
        self.fd_samples = 0
        self.fd_kink = 0
        self.max_ratio = 0.0
        self.max_ratio_where = ""
        self.ops = {}
        self.ratios = {"bf16": [], "f16": []}


def pick_scaling(rng, f16):
    r = rng.random()
    if r < 0.6:
        k = rng.randint(0, 15 if f16 else 24)
        return "mode=dynamic init-scale=%d" % (2 ** k)
    if r < 0.8:
        k = rng.randint(0, 6)
        return "mode=static init-scale=%d" % (2 ** k)
    return "mode=none"


def mp_opt_check(mp_opt, ir, policy, scaling, workdir, tag):
    """Runs the pipeline in a subprocess. Returns (status, message) with
    status ok | clean-error | crash."""
    path = os.path.join(workdir, tag + ".mlir")
    with open(path, "w") as f:
        f.write(ir)
    opts = "policy=%s %s" % (policy, scaling)
    proc = subprocess.run([mp_opt, "--mp-mixed-precision=" + opts, path,
                           "-o", os.devnull], capture_output=True, text=True,
                          timeout=300)
    if proc.returncode == 0:
        return "ok", ""
    if proc.returncode == 1 and "error:" in proc.stderr:
        first = next((l for l in proc.stderr.splitlines() if "error:" in l), "")
        return "clean-error", first.strip()
    return "crash", "exit %d: %s" % (proc.returncode, proc.stderr[-2000:])


def to_arg(a, spec, mixprec):
    if spec.dtype == "bfloat16":
        return mixprec.to_bfloat16(a)
    return np.ascontiguousarray(a, dtype=spec.numpy_dtype)


def from_res(r, spec, mixprec):
    if spec.dtype == "bfloat16":
        return mixprec.from_bfloat16(r).astype(np.float64)
    return np.asarray(r, dtype=np.float64)


def call(step, arrays, mixprec, scale=None):
    """Calls a compiled step with the graph's arrays (+ loss-scale state).
    Returns (loss, {arg index: new value}, overflow, raw results, args)."""
    state = step.initial_scale_state()
    args = []
    for a in step.args:
        if a.index < len(arrays):
            args.append(to_arg(arrays[a.index], a, mixprec))
        else:
            v = state[a.index]
            if a.role == "loss_scale" and scale is not None:
                v = mixprec.core._from_float(scale, a.dtype)
            args.append(v)
    res = step(*args)
    loss = float(from_res(res[step.loss_result], step.results[step.loss_result], mixprec))
    updates = {}
    for r in step.results:
        if r.role == "update":
            updates[r.updates] = from_res(res[r.index], r, mixprec)
    ovf = bool(res[step.overflow_result]) if step.overflow_result >= 0 else False
    return loss, updates, ovf, res, args


def deltas(updates, arrays):
    return {i: updates[i] - arrays[i].astype(np.float64) for i in updates}


def sensitivity(step32, arrays, d_ref, l_ref, u, mixprec, rng, samples=3):
    """How far the fp32 loss and update deltas move when every parameter and
    data element is perturbed by a random relative amount of at most u (the
    compute dtype's unit roundoff): an empirical condition estimate that
    captures cancellation (e.g. a bias gradient summed over the batch) and
    kinks (relu / max / abs within roundoff of the switching point).
    Returns (loss change, {arg index: norm of the delta change})."""
    s_loss, s_upd = 0.0, {i: 0.0 for i in d_ref}
    for _ in range(samples):
        pert = [a * (1.0 + u * rng.uniform(-1.0, 1.0, size=a.shape)) for a in arrays]
        pert = [p.astype(np.float32).astype(np.float64) for p in pert]
        l1, up1, _, _, _ = call(step32, pert, mixprec)
        d1 = deltas(up1, pert)
        s_loss = max(s_loss, abs(l1 - l_ref))
        for i in d_ref:
            s_upd[i] = max(s_upd[i], float(np.linalg.norm(d1[i] - d_ref[i])))
    return s_loss, s_upd


def compare(d_ref, d_mix, l_ref, l_mix, u, k, sens):
    """Checks the loss and every update delta against the tolerance
    k * (u * |ref| + sensitivity), k = C sqrt(D + 2). Returns (ok, worst
    ratio err/tol, description)."""
    s_loss, s_upd = sens
    tol_l = k * (u * abs(l_ref) + s_loss)
    lr = abs(l_mix - l_ref) / max(tol_l, 1e-300)
    if not math.isfinite(lr):
        lr = float("inf")
    worst, where = lr, "loss %.9g vs %.9g (tol %.3g)" % (l_mix, l_ref, tol_l)
    total = math.sqrt(sum(float(np.sum(d * d)) for d in d_ref.values()))
    for i, d in d_ref.items():
        ref = max(float(np.linalg.norm(d)), total)
        tol = k * (u * ref + s_upd[i])
        err = float(np.linalg.norm(d_mix[i] - d))
        ratio = err / max(tol, 1e-300) if math.isfinite(err) else float("inf")
        if ratio > worst:
            worst, where = ratio, ("update of arg %d: |d_mix - d_ref| = %.3g, "
                                   "|d_ref| = %.3g, tol %.3g" % (
                                       i, err, float(np.linalg.norm(d)), tol))
    return worst <= 1.0, worst, where


def fd_check(step64, arrays, nparams, samples, rng, mixprec, st):
    """Central differences in f64. Returns a failure description or None."""
    l0, up, _, _, _ = call(step64, arrays, mixprec)
    for p in range(nparams):
        g = arrays[p] - up[p]  # SGD with lr = 1: new = w - g
        flat = arrays[p].reshape(-1)
        n = flat.size
        idx = range(n) if n <= samples else rng.choice(n, samples, replace=False)
        for k in idx:
            w = float(flat[k])
            h = 1e-6 * max(1.0, abs(w))
            vals = []
            for s in (+h, -h):
                pa = [a.copy() for a in arrays]
                pa[p].reshape(-1)[k] = w + s
                vals.append(call(step64, pa, mixprec)[0])
            fd = (vals[0] - vals[1]) / (2 * h)
            gk = float(g.reshape(-1)[k])
            st.fd_samples += 1
            bound = 1e-5 * max(abs(gk), abs(fd)) + 1e-7 * max(1.0, abs(l0))
            if abs(gk - fd) <= bound:
                continue
            plus, minus = (vals[0] - l0) / h, (l0 - vals[1]) / h
            if abs(plus - minus) > 1e-4 * max(1.0, abs(plus), abs(minus)):
                st.fd_kink += 1
                continue
            return "fd: arg %d elem %d: grad %.12g vs fd %.12g (bound %.3g, loss %.6g)" % (
                p, k, gk, fd, bound, l0)
    return None


def run_graph(seed, args, mixprec, st, workdir):
    import random
    g = gen.generate(seed)
    rng = random.Random(seed * 7919 + 1)
    nrng = np.random.default_rng(seed + 12345)
    st.graphs += 1
    for op in g.ops:
        st.ops[op] = st.ops.get(op, 0) + 1
    ir32 = g.ir("f32")
    ir64 = g.ir("f64", sgd_only=True)
    nparams = len(g.params)
    bf = g.policy[0] if g.policy[1] == 2.0 ** -8 else rng.choice(BF16_POLICIES)
    fh = g.policy[0] if g.policy[1] == 2.0 ** -11 else rng.choice(F16_POLICIES)
    mixed = [(bf, pick_scaling(rng, False), U["bfloat16"], "bf16"),
             (fh, pick_scaling(rng, True), U["float16"], "f16")]
    configs = [("fp32", ir32, "float32", "mode=none"),
               ("f64", ir64, "float32", "mode=none")] + [
        (tag, ir32, pol, sc) for pol, sc, _, tag in mixed]

    def fail(kind, lst, msg):
        d = args.keep or workdir
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "seed%d.mlir" % seed)
        with open(path, "w") as f:
            f.write(ir32)
        with open(os.path.join(d, "seed%d.f64.mlir" % seed), "w") as f:
            f.write(ir64)
        line = "seed %d: %s: %s [%s]" % (seed, kind, msg, path)
        lst.append(line)
        print("FAIL " + line, flush=True)

    # 1. no crash (subprocess)
    ok_configs = set()
    for tag, ir, pol, sc in configs:
        st.configs += 1
        status, msg = mp_opt_check(args.mp_opt, ir, pol, sc, workdir, "s%d_%s" % (seed, tag))
        if status == "crash":
            fail("crash (%s, policy=%s %s)" % (tag, pol, sc), st.crashes, msg)
        elif status == "clean-error":
            st.clean_errors.append("seed %d (%s): %s" % (seed, tag, msg))
        else:
            ok_configs.add(tag)
    if "fp32" not in ok_configs:
        return

    # 2. mixed vs fp32
    arrays = g.arrays(np.float64)
    arrays32 = [a.astype(np.float32).astype(np.float64) for a in arrays]
    try:
        step32 = mixprec.compile(ir32, policy="float32", loss_scaling="mode=none",
                                 opt_level=args.opt_level)
    except mixprec.CompileError as e:
        fail("compile error (fp32)", st.compile_errors, str(e).splitlines()[0])
        return
    l32, up32, _, _, _ = call(step32, arrays32, mixprec)
    d32 = deltas(up32, arrays32)
    sens_cache = {}
    for pol, sc, u, tag in mixed:
        if tag not in ok_configs:
            continue
        try:
            step = mixprec.compile(ir32, policy=pol, loss_scaling=sc, opt_level=args.opt_level)
        except mixprec.CompileError as e:
            fail("compile error (%s %s)" % (pol, sc), st.compile_errors, str(e).splitlines()[0])
            continue
        lm, upm, ovf, res, cargs = call(step, arrays32, mixprec)
        if ovf:
            # Skipped step: every mp.updates result must equal its argument.
            for r in step.results:
                if r.role == "update":
                    a = np.asarray(cargs[r.updates])
                    if a.tobytes() != np.asarray(res[r.index]).tobytes():
                        fail("skipped step changed arg %d (%s %s)" % (r.updates, pol, sc),
                             st.mismatches, "mp.updates result differs from its argument")
                        return
            st.overflow_skips += 1
            if "dynamic" not in sc:
                continue
            lm, upm, ovf, _, _ = call(step, arrays32, mixprec, scale=1.0)
            if ovf:
                st.nonfinite += 1
                continue
        k = C_TOL * math.sqrt(g.depth + 2)
        if tag not in sens_cache:
            sens_cache[tag] = sensitivity(step32, arrays32, d32, l32, u, mixprec, nrng)
        sens = sens_cache[tag]
        dm = deltas(upm, arrays32)
        if args.inject_error:
            # Self-test: an error of 10 tol in the first update must be caught.
            i = min(dm)
            total = math.sqrt(sum(float(np.sum(d * d)) for d in d32.values()))
            ref = max(float(np.linalg.norm(d32[i])), total)
            tol = k * (u * ref + sens[1][i])
            e = np.ones_like(dm[i])
            dm[i] = dm[i] + 10 * tol * e / np.linalg.norm(e)
        ok, ratio, where = compare(d32, dm, l32, lm, u, k, sens)
        if sens[0] > u * abs(l32) or any(
                sens[1][i] > u * float(np.linalg.norm(d32[i])) for i in d32):
            st.sensitive += 1
        st.ratios[tag].append(ratio)
        if ratio > st.max_ratio:
            st.max_ratio, st.max_ratio_where = ratio, "seed %d %s: %s" % (seed, pol, where)
        if not ok:
            fail("mixed vs fp32 (%s %s, depth %d)" % (pol, sc, g.depth),
                 st.mismatches, "%s (ratio %.3g)" % (where, ratio))

    # 3. gradients vs finite differences (f64)
    if "f64" not in ok_configs:
        return
    try:
        step64 = mixprec.compile(ir64, policy="float32", loss_scaling="mode=none",
                                 opt_level=args.opt_level)
    except mixprec.CompileError as e:
        fail("compile error (f64)", st.compile_errors, str(e).splitlines()[0])
        return
    msg = fd_check(step64, g.arrays(np.float64, sgd_only=True), nparams,
                   args.fd_samples, nrng, mixprec, st)
    if msg:
        fail("gradient vs finite differences", st.mismatches, msg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of graphs")
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--mp-opt", default=os.path.join(ROOT, "build", "bin", "mp-opt"))
    ap.add_argument("--opt-level", type=int, default=0)
    ap.add_argument("--fd-samples", type=int, default=6)
    ap.add_argument("--keep", default="", help="directory for failing graphs")
    ap.add_argument("--inject-error", action="store_true",
                    help="self-test: perturb the mixed gradients by 10 tol (must FAIL)")
    ap.add_argument("--progress", type=int, default=50, help="progress line every N graphs")
    args = ap.parse_args()
    import mixprec
    st = Stats()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="difftest-") as workdir:
        for i, seed in enumerate(range(args.start, args.start + args.n)):
            try:
                run_graph(seed, args, mixprec, st, workdir)
            except Exception as e:  # a harness error is a failure too
                st.mismatches.append("seed %d: harness error %r" % (seed, e))
                print("FAIL seed %d: harness error %r" % (seed, e), flush=True)
            if args.progress and (i + 1) % args.progress == 0:
                print("... %d graphs, %.0f s, %d failures" % (
                    i + 1, time.time() - t0,
                    len(st.mismatches) + len(st.crashes) + len(st.compile_errors)),
                    flush=True)
        elapsed = time.time() - t0
    print("difftest: seeds %d..%d" % (args.start, args.start + args.n - 1))
    print("  graphs %d, pipeline runs %d, time %.0f s" % (st.graphs, st.configs, elapsed))
    print("  crashes %d, mismatches %d, compile errors %d, clean errors %d"
          % (len(st.crashes), len(st.mismatches), len(st.compile_errors), len(st.clean_errors)))
    print("  overflow-skipped steps %d (re-run at scale 1; non-finite at scale 1: %d), "
          "ill-conditioned (sensitivity > u |ref|) %d" % (st.overflow_skips, st.nonfinite,
                                                         st.sensitive))
    print("  fd samples %d (fd-kink %d)" % (st.fd_samples, st.fd_kink))
    print("  max error/tol %.3g (%s)" % (st.max_ratio, st.max_ratio_where))
    for tag, r in st.ratios.items():
        if r:
            q = np.percentile(r, [50, 90, 99, 100])
            print("  error/tol %s (%d runs): median %.3g, p90 %.3g, p99 %.3g, max %.3g"
                  % (tag, len(r), q[0], q[1], q[2], q[3]))
    print("  blocks: " + ", ".join("%s %d" % kv for kv in sorted(st.ops.items())))
    for e in st.clean_errors[:10]:
        print("  clean error: " + e)
    bad = len(st.crashes) + len(st.mismatches) + len(st.compile_errors)
    print("RESULT: %s" % ("PASS" if bad == 0 else "FAIL (%d)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
