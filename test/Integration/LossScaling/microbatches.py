"""Gradient accumulation (mp-loss-scaling{microbatches=K}, docs/design.md
§17): K micro-batches of B/K train the same losses and parameters as one
batch of B, with a lower peak of tensor memory; an inf in one micro-batch
skips the whole step.

  microbatches.py MP_RUN GEN_GRAPHS WORKDIR K POLICY RTOL

The MLP of benchmarks/gen_graphs.py has a batch-mean loss: the mean of the
K micro-batch means is the mean over the batch, and the mean of their
gradients is the batch gradient. The runs differ only in the order of the
f32 sums (K partial sums then the accumulation, vs one sum over B); RTOL
states the tolerance. Prints one line per check; exits non-zero on a
mismatch."""
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import mlp_data  # noqa: E402

mp_run, gen, work = sys.argv[1:4]
k, policy, rtol = int(sys.argv[4]), sys.argv[5], float(sys.argv[6])
# Wide activations, small weights: what micro-batching saves is visible.
B, dims, steps = 1024, (16, 256, 256, 8), 6
os.makedirs(work, exist_ok=True)
b = B // k


def graph(batch):
    return mlp_data.graph(gen, work, batch, dims)


params, x, y = mlp_data.init(dims, B, 5)


def write(d, xs, ys):
    mlp_data.write(d, params, xs, ys)


def run(name, path, inputs, scaling, n=steps):
    out = os.path.join(work, "out-" + name)
    report = os.path.join(work, name + ".json")
    subprocess.run([mp_run, path, "--inputs", inputs, "--save", out,
                    "--report", report, "--policy", policy, "--loss-scaling",
                    scaling, "--steps", str(n), "--print-every", "0"],
                   check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, MIXPREC_NUM_THREADS="1"))
    params = {f: np.load(os.path.join(out, f)) for f in sorted(os.listdir(out))
              if f.endswith(".npy")}
    return json.load(open(report)), params


write(os.path.join(work, "full"), x, y)
write(os.path.join(work, "stacked"), x.reshape(k, b, -1), y.reshape(k, b, -1))
scaling = "mode=dynamic init-scale=1024"
one, p1 = run("one", graph(B), os.path.join(work, "full"), scaling)
many, pk = run("many", graph(b), os.path.join(work, "stacked"),
               f"{scaling} microbatches={k}")

l1 = np.array([s["loss"] for s in one["steps"]])
lk = np.array([s["loss"] for s in many["steps"]])
assert len(l1) == len(lk) == steps, (l1, lk)
err = np.max(np.abs(l1 - lk) / np.abs(l1))
assert err <= rtol, f"losses differ: max rel {err:.3g} > {rtol}\n{l1}\n{lk}"
assert l1[-1] < l1[0], l1
print(f"losses: {steps} steps, falling, max relative difference "
      f"{err:.1e} <= {rtol}")
assert [s["scale"] for s in one["steps"]] == [s["scale"] for s in many["steps"]]
print("loss scales identical")
worst = 0.0
for name in p1:
    if p1[name].shape != pk[name].shape:  # the stacked data
        continue
    scale = max(1.0, float(np.max(np.abs(p1[name]))))
    worst = max(worst, float(np.max(np.abs(p1[name] - pk[name]))) / scale)
assert worst <= rtol, f"params differ: {worst:.3g} > {rtol}"
print(f"params: max difference {worst:.1e} <= {rtol}")
m1 = one["summary"]["peak_tensor_bytes"]
mk = many["summary"]["peak_tensor_bytes"]
assert mk < m1, f"peak tensor bytes: {k} micro-batches {mk} >= one batch {m1}"
print(f"peak tensor bytes lower with {k} micro-batches")

# An inf in one micro-batch: the whole step is skipped (nothing updated).
bad = x.reshape(k, b, -1).copy()
bad[k - 1, 0, 0] = np.inf
write(os.path.join(work, "bad"), bad, y.reshape(k, b, -1))
skip, ps = run("bad", graph(b), os.path.join(work, "bad"),
               f"{scaling} microbatches={k}", n=1)
assert skip["steps"][0]["overflow"], skip["steps"][0]
for i, p in enumerate(params):
    got = ps[f"arg{i}.npy"]
    assert got.tobytes() == p.tobytes(), f"arg{i} changed on a skipped step"
print("inf in the last micro-batch: step skipped, params bit-identical")
