"""Data-parallel equivalence: N ranks with batch B/N each train the same
losses and parameters as one process with the concatenated batch B.

  equivalence.py MP_RUN MPIEXEC GEN_GRAPHS WORKDIR N POLICY RTOL [K]

With K > 1 both runs also accumulate K micro-batches (--microbatches K):
one process K x B/K, each rank K x B/(N K); the mean over ranks of the
per-rank sums is all-reduced once per step, after the micro-batch loop.

The MLP of benchmarks/gen_graphs.py has a batch-mean loss, so the mean over
ranks of the per-rank means is the mean over the whole batch, and the mean
of the per-rank gradients is the gradient of the whole batch. The two runs
differ only in the order of floating-point sums (per-rank partial sums,
then MPI's sum, vs. one sum over B), so they agree to a few ulps of f32
per step; the difference grows slowly with the steps (RTOL states it).
Prints one line per check; exits non-zero on a mismatch."""
import functools
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import mlp_data  # noqa: E402

mp_run, mpiexec, gen, work = sys.argv[1:5]
n, policy, rtol = int(sys.argv[5]), sys.argv[6], float(sys.argv[7])
k = int(sys.argv[8]) if len(sys.argv) > 8 else 1
B, dims, steps = 64, (32, 16, 8), 8
os.makedirs(work, exist_ok=True)


def graph(batch):
    return mlp_data.graph(gen, work, batch, dims)


params, x, y = mlp_data.init(dims, B, 3)
write = functools.partial(mlp_data.write, params=params)


def stack(a):
    """`a` as K micro-batches (K, rows / K, ...), or as it is for K = 1."""
    return a if k == 1 else a.reshape(k, a.shape[0] // k, *a.shape[1:])


write(os.path.join(work, "full"), xs=stack(x), ys=stack(y))
b = B // n
for r in range(n):
    write(os.path.join(work, "split", f"rank{r}"),
          xs=stack(x[r * b:(r + 1) * b]), ys=stack(y[r * b:(r + 1) * b]))

common = ["--policy", policy, "--loss-scaling", "mode=dynamic init-scale=1024",
          "--steps", str(steps), "--print-every", "0"]
if k > 1:
    common += ["--microbatches", str(k)]
env = dict(os.environ, MIXPREC_NUM_THREADS="1")
subprocess.run([mp_run, graph(B // k), "--inputs", os.path.join(work, "full"),
                "--save", os.path.join(work, "out1"), "--report",
                os.path.join(work, "one.json")] + common, check=True,
               stdout=subprocess.DEVNULL, env=env)
subprocess.run([mpiexec, "-n", str(n), mp_run, graph(b // k), "--data-parallel",
                "--inputs", os.path.join(work, "split"), "--save",
                os.path.join(work, "outN"), "--save-all-ranks", "--report",
                os.path.join(work, "many.json")] + common, check=True,
               stdout=subprocess.DEVNULL, env=env, timeout=300)

one = json.load(open(os.path.join(work, "one.json")))
many = json.load(open(os.path.join(work, "many.json")))
l1 = np.array([s["loss"] for s in one["steps"]])
ln = np.array([s["loss"] for s in many["steps"]])
assert len(l1) == len(ln) == steps, (l1, ln)
err = np.max(np.abs(l1 - ln) / np.abs(l1))
assert err <= rtol, f"losses differ: max rel {err:.3g} > {rtol}\n{l1}\n{ln}"
print(f"losses: {steps} steps, max relative difference {err:.1e} <= {rtol}")
assert [s["scale"] for s in one["steps"]] == [s["scale"] for s in many["steps"]]
print("loss scales identical")


def load(d):
    return {f: np.load(os.path.join(d, f)) for f in sorted(os.listdir(d))
            if f.endswith(".npy")}


p1, p0 = load(os.path.join(work, "out1")), load(os.path.join(work, "outN"))
worst = 0.0
for k in p1:
    scale = max(1.0, float(np.max(np.abs(p1[k]))))
    worst = max(worst, float(np.max(np.abs(p1[k] - p0[k]))) / scale)
assert worst <= rtol, f"params differ: {worst:.3g} > {rtol}"
print(f"params: {len(p1)} arrays, max difference {worst:.1e} <= {rtol}")
for r in range(1, n):
    pr = load(os.path.join(work, "outN", f"rank{r}"))
    for k in p0:
        assert p0[k].tobytes() == pr[k].tobytes(), f"rank {r} {k} differs"
print(f"ranks 0..{n - 1}: {len(p0)} arrays bit-identical")
