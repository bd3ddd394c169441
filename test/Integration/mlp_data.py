"""Shared pieces of the batch-splitting equivalence tests (DataParallel/,
LossScaling/microbatches): the MLP graph of benchmarks/gen_graphs.py at a
given batch, a seeded initialisation and batch, and mp-run's --inputs
layout (argN.npy: the params, then x and y)."""
import os
import subprocess
import sys

import numpy as np


def graph(gen, work, batch, dims):
    """Writes the MLP of gen_graphs.py at `batch` to WORK/mlpB.mlir."""
    path = os.path.join(work, f"mlp{batch}.mlir")
    with open(path, "w") as f:
        subprocess.run([sys.executable, gen, "mlp", str(batch),
                        ",".join(map(str, dims))], stdout=f, check=True)
    return path


def init(dims, batch, seed):
    """(params, x, y): weights N(0, 0.3^2), biases N(0, 0.1^2), x N(0, 1),
    y one-hot of random classes."""
    rng = np.random.default_rng(seed)
    params = []
    for i in range(len(dims) - 1):
        params.append((rng.standard_normal((dims[i], dims[i + 1])) * 0.3)
                      .astype(np.float32))
        params.append((rng.standard_normal(dims[i + 1]) * 0.1)
                      .astype(np.float32))
    x = rng.standard_normal((batch, dims[0])).astype(np.float32)
    y = np.eye(dims[-1], dtype=np.float32)[rng.integers(0, dims[-1], batch)]
    return params, x, y


def write(d, params, xs, ys):
    """mp-run --inputs D: argN.npy for the params, then x and y."""
    os.makedirs(d, exist_ok=True)
    for i, p in enumerate(params):
        np.save(os.path.join(d, f"arg{i}.npy"), p)
    np.save(os.path.join(d, f"arg{len(params)}.npy"), xs)
    np.save(os.path.join(d, f"arg{len(params) + 1}.npy"), ys)
