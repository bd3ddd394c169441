"""mp-autocast's compute-output option through mixprec.compile(autocast=...):
compute (the default, DESIGN.md §15: matmul results rounded to the compute
dtype after f32 accumulation) and f32 (the f32 accumulator as is)."""

import numpy as np
import pytest

import mixprec

from conftest import make_batches


def first_loss(graph, step):
    args = [None] * len(step.args)
    for i, p in zip(step.arg_indices("param", "state"), graph.init(0)):
        args[i] = p
    for i, v in step.initial_scale_state().items():
        args[i] = v
    for i, b in zip(step.arg_indices("data"), make_batches((16, 32), (16, 10), n=1)[0]):
        args[i] = b
    return float(step(*args)[step.loss_result])


def test_compute_output_modes(mlp_graph):
    default = mixprec.compile(mlp_graph.ir, loss_scaling="mode=none")
    rounded = mixprec.compile(mlp_graph.ir, loss_scaling="mode=none",
                              autocast="compute-output=compute")
    f32 = mixprec.compile(mlp_graph.ir, loss_scaling="mode=none",
                          autocast="compute-output=f32")
    fp32 = mixprec.compile(mlp_graph.ir, policy="float32", loss_scaling="mode=none")
    assert "compute-output=f32" in f32.pipeline
    l_default, l_rounded = first_loss(mlp_graph, default), first_loss(mlp_graph, rounded)
    l_f32, l_ref = first_loss(mlp_graph, f32), first_loss(mlp_graph, fp32)
    # The default is compute-output=compute, bit for bit.
    assert l_default == l_rounded
    # The rounding point moved: the two modes compute different losses...
    assert l_rounded != l_f32
    # ...both within bf16 roundoff of fp32: a loss of O(1) through two
    # layers with a few bf16 roundings per path (unit roundoff 2^-9);
    # 2^-5 relative leaves room for the cross-entropy's amplification.
    for loss in (l_rounded, l_f32):
        assert np.isfinite(loss)
        assert abs(loss - l_ref) <= 2.0 ** -5 * abs(l_ref)


def test_compute_output_bad_value(mlp_graph):
    with pytest.raises(mixprec.CompileError,
                       match="unknown compute-output value 'bf16'; accepted: compute, f32"):
        mixprec.compile(mlp_graph.ir, autocast="compute-output=bf16")
