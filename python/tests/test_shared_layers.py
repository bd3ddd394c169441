"""mixprec.nn emits identical layers as calls of one private function
(`share_layers=True`, opt-in): the IR holds the layer once, however deep the
stack, and the compiled step computes the same losses and parameters as the
same model with every layer inlined (share_layers=False)."""

import re

import numpy as np
import pytest

import mixprec
from mixprec import nn

from conftest import make_batches

D, B, T = 16, 2, 4


def block():
    return nn.Sequential(
        nn.Residual(nn.Sequential(nn.LayerNorm(D), nn.Attention(D, 2))),
        nn.Residual(nn.Sequential(nn.LayerNorm(D), nn.Linear(D, 2 * D), nn.GELU(),
                                  nn.Linear(2 * D, D))))


def graph(depth, share):
    model = nn.Sequential(*[block() for _ in range(depth)], nn.Linear(D, D))
    return nn.build(model, (B, T, D), loss=nn.MSE(), optimizer=nn.Adam(1e-2),
                    share_layers=share)


def functions(ir):
    return re.findall(r"func\.func (?:private )?(@[\w.]+)", ir)


@pytest.mark.parametrize("depth", [1, 3, 5])
def test_one_function_per_layer_kind(depth):
    shared = graph(depth, True).ir
    if depth == 1:  # nothing repeated: nothing shared
        assert functions(shared) == ["@loss", "@train_step"]
        assert "func.call" not in shared
        return
    assert functions(shared) == ["@layer_sequential_0", "@loss", "@train_step"]
    calls = re.findall(r"func\.call @layer_sequential_0\(.*\{no_inline\}.*loc\(\"(\d+)\"\)",
                       shared)
    assert calls == [str(i) for i in range(depth)]
    # The final Linear(D, D) occurs once: inlined, not a call.
    assert shared.count("func.call") == depth
    # Same parameters in the same order either way.
    inlined = graph(depth, False)
    assert graph(depth, True).param_names == inlined.param_names
    assert "func.call" not in inlined.ir


def test_different_shapes_are_not_shared():
    model = nn.Sequential(nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(),
                          nn.Linear(8, 4))
    ir = nn.build(model, (3, 8), loss=nn.MSE(), share_layers=True).ir
    assert functions(ir) == ["@layer_linear_0", "@loss", "@train_step"]
    assert ir.count("func.call @layer_linear_0(") == 2


@pytest.mark.parametrize("policy,rtol,ptol", [("float32", 1e-6, 1e-6),
                                             ("mixed_bfloat16", 1e-2, 1e-2)])
def test_calls_train_like_inlined(policy, rtol, ptol):
    """3 layers built both ways: the same losses and final parameters, and
    the loss falls. In fp32 the same ops run in the same order (agreement to
    1e-6). With bf16 compute mp-autocast places its casts per function (a
    called function keeps its declared f32 signature, so a layer's result
    is returned in f32 where the inlined graph may keep it in
    bf16 up to its consumer), so the two differ by a few bf16 roundings
    (2^-8 relative each; measured: 0.5% after 12 steps): rtol 1e-2, and
    1e-2 on the norm of the parameter difference."""
    batches = make_batches((B, T, D), (B, T, D), n=4, task="regress")
    hist = {}
    for share in (True, False):
        g = graph(3, share)
        step = mixprec.compile(g.ir, policy=policy, loss_scaling="mode=dynamic")
        hist[share] = mixprec.train(step, g.init(0), batches, steps=12)
    a, b = hist[True], hist[False]
    np.testing.assert_allclose(a.loss, b.loss, rtol=rtol, atol=0)
    # All parameters as one vector (Adam normalises each element's step, so
    # a single tiny gradient may move differently under bf16 rounding).
    pa = np.concatenate([np.ravel(x) for x in a.params])
    pb = np.concatenate([np.ravel(x) for x in b.params])
    assert np.linalg.norm(pa - pb) <= ptol * np.linalg.norm(pb)
    assert a.loss[-1] < 0.9 * a.loss[0]
