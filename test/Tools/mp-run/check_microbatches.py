"""check_microbatches.py DIR: K=4 micro-batches of 16 train like one batch
of 64 on the same data (the synthetic data of [4,16,784] and [64,784]
arguments is the same numbers in the same order): losses within 1e-5
relative, final params within 1e-6 absolute (fp32; only the order of the
f32 gradient sums differs: observed 3e-7 and 5e-8). With an inf in one
micro-batch the whole step is skipped: params bit-identical to the
initial ones."""
import json
import os
import sys

import numpy as np

d = sys.argv[1]
k4, k1 = (json.load(open(os.path.join(d, f))) for f in ("k4.json", "k1.json"))
l4 = np.array([s["loss"] for s in k4["steps"]])
l1 = np.array([s["loss"] for s in k1["steps"]])
assert len(l4) == len(l1) == 20
rel = np.max(np.abs(l4 - l1) / np.abs(l1))
assert rel < 1e-5, rel
assert l1[-1] < 0.8 * l1[0], l1
for i in range(4):
    a = np.load(os.path.join(d, "k4", f"arg{i}.npy"))
    b = np.load(os.path.join(d, "k1", f"arg{i}.npy"))
    assert np.max(np.abs(a - b)) < 1e-6, (i, np.max(np.abs(a - b)))
for i in range(4):
    a = np.load(os.path.join(d, "init", f"arg{i}.npy"))
    b = np.load(os.path.join(d, "inf-out", f"arg{i}.npy"))
    assert a.tobytes() == b.tobytes(), i
r = json.load(open(os.path.join(d, "inf.json")))
assert all(s["overflow"] for s in r["steps"]), r["steps"]
print(f"microbatches ok: losses within {rel:.1e}, inf step skipped")
