"""Acceptance: the loss-scale state threaded by mixprec.train follows
PyTorch's GradScaler rule, and skipped steps leave every tied result
(params and optimizer state) bit-identical."""

import os

import numpy as np
import pytest

import mixprec
from mixprec import nn

from conftest import make_batches


def grad_scaler_reference(overflows, init_scale, growth_factor=2.0,
                          backoff_factor=0.5, growth_interval=2000):
    """PyTorch GradScaler.update (torch._amp_update_scale_) in pure Python:
    returns the scale used by each step and the tracker after it."""
    scale, tracker = float(init_scale), 0
    scales, trackers = [], []
    for found_inf in overflows:
        scales.append(scale)
        if found_inf:
            scale *= backoff_factor
            tracker = 0
        else:
            tracker += 1
            if tracker == growth_interval:
                scale *= growth_factor
                tracker = 0
        trackers.append(tracker)
    return np.array(scales), np.array(trackers)


# GradScaler semantics: hysteresis 1, no floor, no cap (docs/design.md §6).
SCALER = "mode=dynamic init-scale=1024 growth-interval=3 min-scale=0 max-scale=inf"
INJECT = {2, 3, 9, 10, 11, 12, 20, 27}
STEPS = 32


@pytest.fixture(scope="module")
def adam_graph():
    model = nn.Sequential(nn.Linear(32, 64), nn.GELU(), nn.LayerNorm(64), nn.Linear(64, 10))
    return nn.build(model, (16, 32), (16, 10), optimizer=nn.Adam(1e-2))


def scripted_batches(n_steps, inject):
    base = make_batches((16, 32), (16, 10), n=4)
    out = []
    for s in range(n_steps):
        x, y = base[s % len(base)]
        if s in inject:
            x = x.copy()
            x[s % 16, s % 32] = np.inf  # one non-finite input element
        out.append((x, y))
    return out


@pytest.fixture(scope="module")
def adam_steps(adam_graph):
    # opt_level=0: LLVM -O3 of this graph costs ~10 s of the test budget and
    # changes nothing the test checks.
    return {p: mixprec.compile(adam_graph.ir, policy=p, loss_scaling=SCALER, opt_level=0)
            for p in ("mixed_bfloat16", "float32")}


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "float32"])
def test_scale_history_matches_grad_scaler(adam_graph, adam_steps, policy):
    step = adam_steps[policy]
    trackers = []
    h = mixprec.train(step, adam_graph.init(0), scripted_batches(STEPS, INJECT), STEPS,
                      callback=lambda s, r: trackers.append(int(r[step.result_indices("growth_tracker")[0]])))
    expected_overflow = np.array([s in INJECT for s in range(STEPS)])
    np.testing.assert_array_equal(h.overflow, expected_overflow)
    ref_scale, ref_tracker = grad_scaler_reference(expected_overflow, 1024, growth_interval=3)
    np.testing.assert_array_equal(h.scale, ref_scale)
    np.testing.assert_array_equal(np.array(trackers), ref_tracker)
    final_scale = float(h.scale_state[step.arg_indices("loss_scale")[0]])
    assert final_scale == grad_scaler_reference(
        list(expected_overflow) + [False], 1024, growth_interval=3)[0][-1]
    assert h.skipped == len(INJECT)
    # Finite steps train.
    fin = h.loss[~expected_overflow]
    assert np.all(np.isfinite(fin)) and fin[-1] < fin[0]


def test_skipped_steps_bit_identical(adam_graph, adam_steps):
    step = adam_steps["mixed_bfloat16"]
    batches = scripted_batches(STEPS, INJECT)
    tied = [r for r in step.results if r.role == "update"]
    params = adam_graph.init(0)
    args = [None] * len(step.args)
    for i, p in zip(step.arg_indices("param", "state"), params):
        args[i] = p
    for i, v in step.initial_scale_state().items():
        args[i] = v
    role_arg = {step.args[i].role: i for i in step.initial_scale_state()}
    adam_t = step.args[tied[-1].updates]
    assert adam_t.shape == () and adam_t.role == "state"  # Adam's step count
    for s in range(16):
        for i, b in zip(step.arg_indices("data"), batches[s]):
            args[i] = b
        out = step(*args)
        skipped = bool(out[step.overflow_result])
        assert skipped == (s in INJECT)
        for r in tied:
            same = out[r.index].tobytes() == args[r.updates].tobytes()
            if skipped:
                assert same, (s, r)
        if not skipped:  # a taken step moves every param and Adam's counter
            assert all(out[r.index].tobytes() != args[r.updates].tobytes()
                       for r in tied if step.args[r.updates].role == "param")
        for r in step.results:
            if r.role == "update":
                args[r.updates] = out[r.index]
            elif r.role in role_arg:
                args[role_arg[r.role]] = out[r.index]
    # Adam's step count is the number of taken steps.
    assert float(args[adam_t.index]) == 16 - len([s for s in INJECT if s < 16])


def test_static_and_none_modes(mlp_graph):
    batches = scripted_batches(6, {1, 4})
    st = mixprec.compile(mlp_graph.ir, policy="mixed_bfloat16",
                         loss_scaling="mode=static init-scale=128", opt_level=1)
    assert [a.role for a in st.args].count("loss_scale") == 0
    assert st.overflow_result >= 0
    h = mixprec.train(st, mlp_graph.init(0), batches, 6)
    np.testing.assert_array_equal(h.overflow, [s in (1, 4) for s in range(6)])
    assert np.all(h.scale == 128.0)
    none = mixprec.compile(mlp_graph.ir, policy="mixed_bfloat16",
                           loss_scaling="mode=none", opt_level=1)
    assert none.overflow_result == -1
    h = mixprec.train(none, mlp_graph.init(0), batches[:1], 3)
    assert not h.overflow.any() and np.all(h.scale == 1.0)


def test_float16_overflow_backs_off(mlp_graph):
    """Natural f16 overflow: with init scale 2^24 the scaled f16 gradients
    overflow; the scale backs off until steps go through, following the
    GradScaler rule for the observed overflow pattern."""
    step = mixprec.compile(mlp_graph.ir, policy="mixed_float16", opt_level=1,
                           loss_scaling="mode=dynamic init-scale=16777216 growth-interval=4 "
                                        "min-scale=0 max-scale=inf")
    h = mixprec.train(step, mlp_graph.init(0), make_batches((16, 32), (16, 10)), 24)
    assert h.overflow[0] and not h.overflow[-1]
    ref_scale, _ = grad_scaler_reference(h.overflow, 2 ** 24, growth_interval=4)
    np.testing.assert_array_equal(h.scale, ref_scale)
    assert h.scale[-1] < 2 ** 24


def test_train_errors(mlp_step_dynamic, mlp_graph):
    batches = make_batches((16, 32), (16, 10), n=2)
    with pytest.raises(ValueError, match="4 param/state arguments"):
        mixprec.train(mlp_step_dynamic, mlp_graph.init(0)[:3], batches, 2)
    with pytest.raises(ValueError, match="2 array"):
        mixprec.train(mlp_step_dynamic, mlp_graph.init(0), [(batches[0][0],)], 2)
    with pytest.raises(ValueError, match="empty"):
        mixprec.train(mlp_step_dynamic, mlp_graph.init(0), [], 2)
    with pytest.raises(ValueError, match="ended after 1"):
        mixprec.train(mlp_step_dynamic, mlp_graph.init(0), iter(batches[:1]), 2)
    with pytest.raises(ValueError, match="mixprec.Step"):
        mixprec.train("step", mlp_graph.init(0), batches, 2)
    # Params passed in are not modified.
    params = mlp_graph.init(0)
    copies = [p.copy() for p in params]
    h = mixprec.train(mlp_step_dynamic, params, iter(batches), 2)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(params, copies))
    assert len(h) == 2 and len(h.params) == 4


def test_plot(tmp_path, mlp_step_dynamic, mlp_graph):
    h = mixprec.train(mlp_step_dynamic, mlp_graph.init(0), scripted_batches(12, {2, 3}), 12)
    path = tmp_path / "history.png"
    assert mixprec.plot(h, str(path)) == str(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    both = tmp_path / "both.png"
    mixprec.plot({"bf16": h, "again": h}, str(both), title="two runs")
    assert both.read_bytes()[:4] == b"\x89PNG"


def test_plot_keeps_finite_losses_between_skipped_steps():
    # A finite loss between two overflowed (inf / nan) steps used to vanish
    # from the plot: a line through NaNs is cut on both sides of it.
    from mixprec.training import _finite_losses
    h = mixprec.History(loss=np.array([2.0, np.inf, 1.5, np.nan, 1.2]),
                        scale=np.ones(5), overflow=np.array([0, 1, 0, 1, 0], bool))
    x, y = _finite_losses(h)
    assert x.tolist() == [1, 3, 5] and y.tolist() == [2.0, 1.5, 1.2]
