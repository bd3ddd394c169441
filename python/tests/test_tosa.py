"""mixprec.compile accepts TOSA training graphs: mp-mixed-precision lowers
the tosa ops with the upstream TOSA pipeline first (docs/running.md, TOSA
input). The graph is test/Integration/Tosa/train.mlir (matmul, bias
broadcast, tanh, squared error, SGD, all in TOSA)."""
import os

import numpy as np
import pytest

import mixprec

GRAPH = os.path.join(os.path.dirname(__file__), "..", "..", "test",
                     "Integration", "Tosa", "train.mlir")


def _data(seed=0):
    rng = np.random.default_rng(seed)
    teacher = rng.normal(size=(4, 8)).astype(np.float32)
    batches = []
    for _ in range(4):
        x = rng.normal(size=(1, 16, 4)).astype(np.float32)
        batches.append((x, np.tanh(x @ teacher).astype(np.float32)))
    w = (rng.normal(size=(1, 4, 8)) * 0.1).astype(np.float32)
    b = np.zeros((1, 1, 8), np.float32)
    return [w, b], batches


@pytest.mark.parametrize("policy,scaling", [("float32", "mode=none"),
                                            ("mixed_bfloat16", "mode=dynamic")])
def test_tosa_graph_trains(policy, scaling):
    step = mixprec.compile(open(GRAPH).read(), policy=policy,
                           loss_scaling=scaling)
    params, batches = _data()
    h = mixprec.train(step, params, batches, steps=100)
    losses = np.asarray(h.loss, dtype=np.float64)
    assert np.all(np.isfinite(losses)), losses
    # Squared error against a tanh teacher: falls to well under half.
    assert losses[-5:].mean() < 0.5 * losses[0], losses
