"""Acceptance: models built with mixprec.nn train like their torch.nn
counterparts from identical initialisation and data.

fp32 (policy "float32"): the per-step losses of 50 steps agree with PyTorch
within 1e-4 relative. Both sides compute in f32 with different summation
orders, so a few ulps of difference per step are expected; they grow slowly
with training. Measured maxima (this machine): MLP/Adam 3.2e-5, CNN/momentum
3e-7, transformer block/SGD 7e-7.

mixed_bfloat16 against our own fp32 run, same data: bf16 keeps 8 significant
bits, unit roundoff u = 2^-8 ~ 3.9e-3. Contractions take bf16 inputs (each
rounded by at most u/2 relative) and accumulate in f32, so a loss evaluated
with the same parameters differs by O(u) relative to the magnitude of the
terms it sums: step 0 is checked within 2u relative. After that the
parameter trajectories separate through accumulated O(u) gradient
differences, which momentum and Adam's normalisation amplify, so the gap
grows with the step count. The stated tolerance over 50 steps is
|l_bf16 - l_fp32| <= 16u |l_fp32| + u l_fp32[0] (16u = 6.25% relative while
the loss is O(1), plus an absolute floor of u times the initial loss, for
losses trained toward 0 where rounding errors scale with the logits, not
with the loss). Measured maxima over the 50 steps (relative, and as a
fraction of the bound): MLP/Adam 1.4e-2 (0.11), CNN/momentum 3.7e-2 (0.49;
the gap grows from 5e-5 at step 0 to 3.7e-2 at step 49 while the loss falls
2.2 -> 0.6), transformer block/SGD 2.3e-4 (0.003).
"""

import numpy as np
import pytest

import mixprec
from mixprec import nn

from conftest import make_batches, torch_train

torch = pytest.importorskip("torch")

U = 2.0 ** -8
STEPS = 50

CASES = {
    "mlp-adam": dict(
        model=lambda: nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10)),
        input_shape=(16, 32), target_shape=(16, 10), task="classify",
        loss=nn.SoftmaxCrossEntropy(), optimizer=nn.Adam(1e-2), opt_level=3),
    "cnn-momentum": dict(
        model=lambda: nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, stride=2), nn.ReLU(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(8, 10)),
        input_shape=(8, 12, 12, 3), target_shape=(8, 10), task="classify",
        loss=nn.SoftmaxCrossEntropy(), optimizer=nn.Momentum(0.05, 0.9), opt_level=0),
    "transformer-sgd": dict(
        model=lambda: nn.Sequential(
            nn.Residual(nn.Sequential(nn.LayerNorm(16), nn.Attention(16, heads=2))),
            nn.Residual(nn.Sequential(nn.LayerNorm(16), nn.Linear(16, 32), nn.GELU(),
                                      nn.Linear(32, 16)))),
        input_shape=(4, 8, 16), target_shape=(4, 8, 16), task="regress",
        loss=nn.MSE(), optimizer=nn.SGD(0.05), opt_level=0),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    torch.set_num_threads(1)
    c = CASES[request.param]
    model = c["model"]()
    g = nn.build(model, c["input_shape"], c["target_shape"], loss=c["loss"],
                 optimizer=c["optimizer"])
    params = g.init(seed=0)
    batches = make_batches(c["input_shape"], c["target_shape"], n=4, task=c["task"])
    ref = torch_train(model, params, batches, STEPS, c["loss"], c["optimizer"])
    runs = {}
    for policy in ("float32", "mixed_bfloat16"):
        step = mixprec.compile(g.ir, policy=policy, loss_scaling="mode=dynamic",
                               opt_level=c["opt_level"])
        runs[policy] = mixprec.train(step, params, batches, STEPS)
    return request.param, ref, runs


def test_fp32_matches_torch(case):
    name, ref, runs = case
    loss = runs["float32"].loss
    assert len(loss) == STEPS and np.all(np.isfinite(loss))
    assert runs["float32"].skipped == 0
    rel = np.abs(loss - ref) / np.abs(ref)
    print(f"{name}: fp32 vs torch max rel {rel.max():.3g}")
    assert rel.max() <= 1e-4, (name, rel.max(), np.argmax(rel))
    # It trains.
    assert ref[-1] < 0.9 * ref[0]


def test_bf16_close_to_fp32(case):
    name, ref, runs = case
    l32, l16 = runs["float32"].loss, runs["mixed_bfloat16"].loss
    assert runs["mixed_bfloat16"].skipped == 0
    assert abs(l16[0] - l32[0]) <= 2 * U * abs(l32[0])
    diff = np.abs(l16 - l32)
    bound = 16 * U * np.abs(l32) + U * abs(l32[0])
    print(f"{name}: bf16 vs fp32 max rel {np.max(diff / np.abs(l32)):.3g}, "
          f"max diff/bound {np.max(diff / bound):.3g}")
    assert np.all(diff <= bound), (name, np.max(diff / bound))
    # bf16 is not secretly fp32: the curves differ.
    assert np.any(l16 != l32)
