"""The packed step ABI: no limit on the number of arguments and results.

A generated step with 222 parameters and 222 momentum buffers
(test/Tools/mp-run/gen_packed.py: 446 arguments, 445 results) computes
exactly what numpy computes for every result, through the JIT and the AOT
library, and trains with mixed bf16 and dynamic loss scaling; a step with
2,000 parameter tensors compiles and runs one step.
"""

import os
import sys

import numpy as np
import pytest

import mixprec

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test",
                                "Tools", "mp-run"))
import gen_packed  # noqa: E402

PARAMS = 222
LR, MU = 0.05, 0.9


def reference(params, velocities, x, y, momentum=True):
    """numpy: the new params, the new velocities and the loss of one step."""
    n = len(params)
    c = [gen_packed.coefficient(i, n) for i in range(n)]
    s = sum(np.float64(c[i]) * params[i].astype(np.float64) for i in range(1, n))
    pred = x.astype(np.float64) @ params[0].astype(np.float64) + s
    d = pred - y
    loss = (d * d).sum() / 32
    dpred = 2 * d / 32
    grads = [x.T.astype(np.float64) @ dpred]
    gs = dpred.sum(0)
    grads += [c[i] * gs for i in range(1, n)]
    if momentum:
        new_v = [MU * v + g for v, g in zip(velocities, grads)]
        new_p = [p - LR * v for p, v in zip(params, new_v)]
    else:
        new_v = []
        new_p = [p - LR * g for p, g in zip(params, grads)]
    return new_p, new_v, loss


def random_inputs(n, momentum=True, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal((4, 4)).astype(np.float32)]
    params += [rng.standard_normal(4).astype(np.float32) for _ in range(1, n)]
    vel = ([rng.standard_normal(p.shape).astype(np.float32) for p in params]
           if momentum else [])
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 4)).astype(np.float32)
    return params, vel, x, y


def check_step(step, n, momentum=True):
    params, vel, x, y = random_inputs(n, momentum)
    out = step(*params, *vel, x, y)
    assert len(out) == len(params) + len(vel) + 1
    want_p, want_v, want_loss = reference(params, vel, x, y, momentum)
    got_p, got_v = out[:n], out[n:n + len(vel)]
    for i, (g, w) in enumerate(zip(got_p, want_p)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"param {i}")
    for i, (g, w) in enumerate(zip(got_v, want_v)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"velocity {i}")
    np.testing.assert_allclose(float(out[-1]), want_loss, rtol=1e-5)


@pytest.fixture(scope="module")
def ir():
    return gen_packed.generate(PARAMS)


@pytest.mark.parametrize("aot", [False, True], ids=["jit", "aot"])
def test_many_arguments_exact(ir, aot):
    # fp32, no loss scaling: every result against numpy (a descriptor in the
    # wrong slot of the packed array gives a wrong result).
    step = mixprec.compile(ir, policy="float32", loss_scaling="mode=none", aot=aot)
    assert len(step.args) == 2 * PARAMS + 2
    assert len(step.results) == 2 * PARAMS + 1
    assert [a.role for a in step.args[:PARAMS]] == ["param"] * PARAMS
    assert [a.role for a in step.args[PARAMS:2 * PARAMS]] == ["state"] * PARAMS
    check_step(step, PARAMS)


def test_many_arguments_train_mixed_bf16(ir):
    step = mixprec.compile(ir, policy="mixed_bfloat16", loss_scaling="mode=dynamic")
    # 446 + loss scale + growth tracker.
    assert len(step.args) == 2 * PARAMS + 4
    params, _, _, _ = random_inputs(PARAMS, seed=3)
    params = [p * 0.1 for p in params]
    state = [np.zeros_like(p) for p in params]
    rng = np.random.default_rng(7)
    teacher = rng.standard_normal((4, 4)).astype(np.float32)
    batches = []
    for _ in range(4):
        x = rng.standard_normal((8, 4)).astype(np.float32)
        batches.append((x, np.tanh(x @ teacher).astype(np.float32)))
    h = mixprec.train(step, params + state, batches, 20)
    assert len(h.loss) == 20 and np.all(np.isfinite(h.loss))
    assert h.skipped == 0
    assert h.loss[-1] < 0.5 * h.loss[0], h.loss


def test_2000_parameter_tensors_one_step():
    n = 2000
    # opt_level=0: no argument limit is about the ABI, not the optimizer;
    # -O3 code generation of the one 2,000-parameter basic block takes
    # minutes (the machine scheduler), -O0 about 20 s.
    step = mixprec.compile(gen_packed.generate(n, momentum=False),
                           policy="float32", loss_scaling="mode=none",
                           opt_level=0)
    assert len(step.args) == n + 2 and len(step.results) == n + 1
    check_step(step, n, momentum=False)
