"""One rank of the data-parallel tests (test_data_parallel.py runs it under
`mpiexec -n 2 /usr/bin/python3 dp_worker.py OUTDIR [jit|aot|fail]`, no
mpi4py): the same MLP and the same initial params on every rank, batches of
its own per rank, `mixprec.train` on a step compiled with
data_parallel="mpi". Writes this rank's world, losses, params after the
first step and final params to OUTDIR/rank<R>.npz. `fail`: rank 1 raises
after compiling while rank 0 trains (the job must end, not hang)."""

import os
import sys

import numpy as np

import mixprec
from mixprec import nn

STEPS = 6


def graph():
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
    return nn.build(model, input_shape=(16, 32), target_shape=(16, 10),
                    loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(0.1))


def rank_batches(rank):
    """Rank `rank`'s two batches (seeded by rank)."""
    rng = np.random.default_rng(100 + rank)
    batches = []
    for _ in range(2):
        x = rng.standard_normal((16, 32)).astype(np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 16)]
        batches.append((x, y))
    return batches


LOSS_SCALING = "mode=dynamic init-scale=1024"


def main(out_dir, mode):
    rank, size = mixprec.world()
    g = graph()
    step = mixprec.compile(g.ir, policy="mixed_bfloat16",
                           loss_scaling=LOSS_SCALING, aot=mode == "aot",
                           data_parallel="mpi")
    if mode == "fail" and rank == 1:
        raise RuntimeError("rank 1 fails alone")
    assert step.data_parallel == "mpi"
    assert "data-parallel=mpi" in step.pipeline, step.pipeline
    assert mixprec.world() == (rank, size)
    params = g.init(seed=0)  # identical on every rank
    batches = rank_batches(rank)
    first = mixprec.train(step, params, batches, steps=1)
    rest = mixprec.train(step, first.params, batches[1:] + batches[:1],
                         steps=STEPS - 1, scale_state=first.scale_state)
    np.savez(os.path.join(out_dir, f"rank{rank}.npz"),
             world=np.array([rank, size]),
             loss=np.concatenate([first.loss, rest.loss]),
             **{f"first{i}": p for i, p in enumerate(first.params)},
             **{f"final{i}": p for i, p in enumerate(rest.params)})
    print(f"rank {rank}/{size}: final loss {rest.loss[-1]:.6f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "jit")
