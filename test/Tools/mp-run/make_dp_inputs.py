"""Writes per-rank .npy input directories for data-parallel.mlir:
DIR/<case>/rank<R>/argN.npy, with the same params on every rank and a
batch of its own per rank.
  clean     ranks 0 and 1, finite batches
  inf       rank 1's batch holds a +inf (rank 0's is finite)
  norank1   rank0/ only (rank 1 finds no directory)"""
import os
import sys

import numpy as np

root = sys.argv[1]
rng = np.random.default_rng(7)
params = {
    0: (rng.standard_normal((784, 256)) * 0.05).astype(np.float32),
    1: (rng.standard_normal(256) * 0.1).astype(np.float32),
    2: (rng.standard_normal((256, 10)) * 0.05).astype(np.float32),
    3: (rng.standard_normal(10) * 0.1).astype(np.float32),
}
batches = []
for r in range(2):
    x = rng.standard_normal((64, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    batches.append((x, y))


def write(case, rank, x, y):
    d = os.path.join(root, case, f"rank{rank}")
    os.makedirs(d, exist_ok=True)
    for i, p in params.items():
        np.save(os.path.join(d, f"arg{i}.npy"), p)
    np.save(os.path.join(d, "arg4.npy"), x)
    np.save(os.path.join(d, "arg5.npy"), y)


for r, (x, y) in enumerate(batches):
    write("clean", r, x, y)
    if r == 1:
        x = x.copy()
        x[3, 5] = np.inf
    write("inf", r, x, y)
write("norank1", 0, *batches[0])
