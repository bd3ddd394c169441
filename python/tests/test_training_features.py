"""Training-loop features (docs/design.md §17, docs/python.md "Training
features"): overflow provenance, scaler statistics, fp32 fallback,
stop_at_min_scale, resuming a run, micro-batches, layer names."""

import pathlib
import re

import numpy as np
import pytest

import mixprec
from mixprec import nn

from conftest import make_batches

MP_RUN_TESTS = pathlib.Path(__file__).resolve().parents[2] / "test" / "Tools" / "mp-run"


def graph_of(name):
    """The training graph of an mp-run lit test (its RUN lines are comments)."""
    return (MP_RUN_TESTS / name).read_text()


@pytest.fixture(scope="module")
def named_mlp():
    model = nn.Sequential(("fc1", nn.Linear(16, 8)), ("act", nn.ReLU()),
                          ("fc2", nn.Linear(8, 4)))
    return nn.build(model, input_shape=(8, 16), target_shape=(8, 4),
                    loss=nn.MSE(), optimizer=nn.Adam(1e-2))


@pytest.fixture(scope="module")
def named_mlp_f16(named_mlp):
    # From 2^30 with growth-interval 3: skips, back-offs and growth.
    return mixprec.compile(named_mlp.ir, policy="mixed_float16",
                           loss_scaling="mode=dynamic init-scale=1073741824 "
                                        "growth-interval=3", grad_norm=True)


def regression_batches(n=3):
    return make_batches((8, 16), (8, 4), n=n, task="regress")


def test_nn_names_become_mp_name_and_arg_names(named_mlp, named_mlp_f16):
    assert named_mlp.param_names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert 'mp.name = "fc1.weight"' in named_mlp.ir
    assert 'mp.name = "fc2.bias.exp_avg_sq"' in named_mlp.ir
    names = [a.name for a in named_mlp_f16.args]
    assert names[:4] == named_mlp.param_names
    assert names[12] == "adam.step"
    # The layer's ops carry its name: keep-fp32 regexes match it.
    out = mixprec.run_pipeline(
        named_mlp.ir, "builtin.module(mp-autocast{policy=mixed_bfloat16 keep-fp32=^fc1$})")
    matmuls = re.findall(r"linalg\.matmul ins\([^)]*: (tensor<[^,]*>),", out)
    assert matmuls == ["tensor<8x16xf32>", "tensor<8x8xbf16>"], matmuls


def test_sequential_names_checked():
    with pytest.raises(ValueError, match="duplicate layer name 'a'"):
        nn.Sequential(("a", nn.ReLU()), ("a", nn.ReLU()))
    with pytest.raises(ValueError, match="expected a Module or a"):
        nn.Sequential(("a", 3))
    s = nn.Sequential({"enc": nn.Linear(4, 4), "dec": nn.Linear(4, 2)})
    assert [p.name for p in s.param_specs()] == ["enc.weight", "enc.bias",
                                                 "dec.weight", "dec.bias"]


def test_overflow_params_name_exactly_the_overflowing_layer():
    # Only big.weight's gradient (1e35 * scale per element) overflows
    # while the scale is above 2^11; small.weight (NameLoc) and the unnamed
    # bias (arg2) never do.
    step = mixprec.compile(graph_of("provenance.mlir"), policy="float32",
                           loss_scaling="mode=dynamic init-scale=32768")
    assert [a.name for a in step.args[:3]] == ["big.weight", "small.weight", "arg2"]
    assert step.grad_finite_args == (0, 1, 2)
    batches = make_batches((8, 16), (8, 4), n=2, task="regress")
    params = [np.full((16, 4), 0.01, np.float32), np.zeros((16, 4), np.float32),
              np.zeros(4, np.float32)]
    h = mixprec.train(step, params, batches, 6)
    assert h.overflow.tolist() == [True] * 4 + [False] * 2
    assert h.overflow_params == [["big.weight"]] * 4 + [[], []]
    assert h.statistics["overflow_param_counts"] == {
        "big.weight": 4, "small.weight": 0, "arg2": 0}


def test_statistics_agree_with_the_per_step_record(named_mlp, named_mlp_f16):
    h = mixprec.train(named_mlp_f16, named_mlp.init(0), regression_batches(), 40)
    st = h.statistics
    assert 0 < h.skipped < 40
    assert st["overflow_rate"] == h.skipped / 40
    seq = list(h.scale) + [st["final_scale"]]
    assert st["scale_increases"] == sum(b > a for a, b in zip(seq, seq[1:])) > 0
    assert st["scale_decreases"] == sum(b < a for a, b in zip(seq, seq[1:])) > 0
    assert (st["min_scale"], st["max_scale"]) == (h.scale.min(), h.scale.max())
    assert st["final_scale"] == float(h.scale_state[15])
    ok = ~h.overflow
    assert np.all(np.isfinite(h.grad_norm[ok])) and np.all(h.grad_norm[ok] > 0)
    assert st["mean_grad_norm"] == pytest.approx(h.grad_norm[ok].mean(), rel=1e-12)
    for names, skipped in zip(h.overflow_params, h.overflow):
        assert bool(names) == bool(skipped)
    # The global norm is the L2 norm of the per-param gradients: compare
    # with numpy on a fp32 step at the first step (SGD keeps it simple).
    sgd = nn.build(nn.Sequential(("fc", nn.Linear(16, 4))), input_shape=(8, 16),
                   target_shape=(8, 4), loss=nn.MSE(), optimizer=nn.SGD(1.0))
    s32 = mixprec.compile(sgd.ir, policy="float32",
                          loss_scaling="mode=static init-scale=1", grad_norm=True)
    p0 = sgd.init(0)
    x, y = regression_batches(1)[0]
    res = s32(*p0, x, y)
    grads = [(p - n) for p, n in zip(p0, res[:2])]  # lr 1: p - p' = g
    want = np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    assert float(res[s32.grad_norm_result]) == pytest.approx(want, rel=1e-5)


def test_resume_gives_identical_losses(named_mlp, named_mlp_f16):
    batches = regression_batches()
    full = mixprec.train(named_mlp_f16, named_mlp.init(0), batches, 24)
    a = mixprec.train(named_mlp_f16, named_mlp.init(0), batches, 7)
    b = mixprec.train(a.step, a.params, batches, 17, scale_state=a.scale_state,
                      start_step=a.start_step + len(a), min_scale_skips=a.min_scale_skips)
    assert np.array_equal(np.concatenate([a.loss, b.loss]), full.loss)
    assert np.array_equal(np.concatenate([a.scale, b.scale]), full.scale)
    assert np.array_equal(np.concatenate([a.grad_norm, b.grad_norm]), full.grad_norm,
                          equal_nan=True)
    assert a.overflow_params + b.overflow_params == full.overflow_params
    for p, q in zip(b.params, full.params):
        assert p.tobytes() == q.tobytes()


@pytest.fixture(scope="module")
def collapsing():
    # In f16 the matmul's input (x * 1e5) is inf: NaN gradients at any
    # scale. From init-scale 4 (min 1) the scale collapses in two steps.
    return mixprec.compile(graph_of("fallback.mlir"), policy="mixed_float16",
                           loss_scaling="mode=dynamic init-scale=4")


def collapsing_params():
    rng = np.random.default_rng(0)
    return [rng.uniform(-0.25, 0.25, (16, 4)).astype(np.float32),
            np.zeros(4, np.float32)]


def test_fallback_fp32_switches_and_trains(collapsing):
    batches = regression_batches()
    h = mixprec.train(collapsing, collapsing_params(), batches, 30, fallback="fp32")
    assert h.fallback_step == 5
    assert h.overflow[:5].all() and not h.overflow[5:].any()
    assert h.scale[:5].tolist() == [4, 2, 1, 1, 1] and h.scale[5:].tolist() == [1] * 25
    assert h.overflow_params[0] == ["fc.weight", "fc.bias"]
    assert h.loss[-1] < 0.5 * h.loss[5]
    assert h.step.policy.spec == "float32" and h.step.loss_scaling["mode"] == "none"
    assert h.scale_state == {} and all(p.dtype == np.float32 for p in h.params)
    # The statistics are the mixed step's (5 steps, all skipped).
    assert h.statistics["overflow_rate"] == 1.0
    # fp32 from the same params: the fp32 steps train like a plain fp32
    # run started from those params (unchanged by the 5 skipped steps).
    ref = mixprec.train(h.step, collapsing_params(), batches, 25, start_step=5)
    assert np.array_equal(ref.loss, h.loss[5:])
    h2 = mixprec.train(collapsing, collapsing_params(), batches, 30, fallback="fp32:1")
    assert h2.fallback_step == 3


def test_fallback_resume_identical(collapsing):
    batches = regression_batches()
    full = mixprec.train(collapsing, collapsing_params(), batches, 12, fallback="fp32")
    a = mixprec.train(collapsing, collapsing_params(), batches, 4, fallback="fp32")
    assert a.fallback_step is None and a.min_scale_skips == 2
    b = mixprec.train(a.step, a.params, batches, 8, scale_state=a.scale_state,
                      start_step=4, min_scale_skips=a.min_scale_skips, fallback="fp32")
    assert b.fallback_step == 1
    assert np.array_equal(np.concatenate([a.loss, b.loss]), full.loss, equal_nan=True)


def test_stop_at_min_scale_raises(collapsing):
    with pytest.raises(mixprec.MinScaleError,
                       match=r"step 5: 3 consecutive steps skipped at the minimum "
                             r"loss scale 1; stopping") as e:
        mixprec.train(collapsing, collapsing_params(), regression_batches(), 30,
                      stop_at_min_scale=True)
    assert len(e.value.history) == 5 and e.value.history.overflow.all()
    with pytest.raises(mixprec.MinScaleError, match="step 3: 1 consecutive"):
        mixprec.train(collapsing, collapsing_params(), regression_batches(), 30,
                      stop_at_min_scale=1)


def test_fallback_and_stop_errors(collapsing, named_mlp):
    p, b = collapsing_params(), regression_batches()
    with pytest.raises(ValueError, match="fallback must be 'fp32' or 'fp32:M'"):
        mixprec.train(collapsing, p, b, 1, fallback="bf16")
    with pytest.raises(ValueError, match="needs a count M >= 1"):
        mixprec.train(collapsing, p, b, 1, fallback="fp32:0")
    with pytest.raises(ValueError, match="exclude each other"):
        mixprec.train(collapsing, p, b, 1, fallback="fp32", stop_at_min_scale=True)
    none = mixprec.compile(named_mlp.ir, policy="float32", loss_scaling="mode=none")
    with pytest.raises(ValueError, match="need loss scaling"):
        mixprec.train(none, named_mlp.init(0), regression_batches(), 1,
                      stop_at_min_scale=True)


def test_microbatches_compile_and_match_one_batch(named_mlp):
    model = nn.Sequential(("fc1", nn.Linear(16, 8)), ("act", nn.ReLU()),
                          ("fc2", nn.Linear(8, 4)))
    g4 = nn.build(model, input_shape=(4, 16), target_shape=(4, 4), loss=nn.MSE(),
                  optimizer=nn.SGD(0.1))
    g16 = nn.build(model, input_shape=(16, 16), target_shape=(16, 4), loss=nn.MSE(),
                   optimizer=nn.SGD(0.1))
    k4 = mixprec.compile(g4.ir, policy="float32", loss_scaling="mode=dynamic",
                         microbatches=4)
    k1 = mixprec.compile(g16.ir, policy="float32", loss_scaling="mode=dynamic")
    assert [a.shape for a in k4.args if a.role == "data"] == [(4, 4, 16), (4, 4, 4)]
    big = make_batches((16, 16), (16, 4), n=2, task="regress")
    small = [(x.reshape(4, 4, 16), y.reshape(4, 4, 4)) for x, y in big]
    h4 = mixprec.train(k4, g4.init(0), small, 10)
    h1 = mixprec.train(k1, g16.init(0), big, 10)
    # Same data, same mean loss; only the f32 summation order differs.
    np.testing.assert_allclose(h4.loss, h1.loss, rtol=1e-5)
    for a, b in zip(h4.params, h1.params):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(ValueError, match="microbatches must be an integer >= 1"):
        mixprec.compile(g4.ir, microbatches=0)
    with pytest.raises(ValueError, match="grad_norm must be True or False"):
        mixprec.compile(g4.ir, grad_norm="yes")


def test_plot_marks_fallback(tmp_path, collapsing):
    h = mixprec.train(collapsing, collapsing_params(), regression_batches(), 10,
                      fallback="fp32")
    out = mixprec.plot(h, str(tmp_path / "fb.png"))
    assert pathlib.Path(out).stat().st_size > 0


def test_range_report_names_the_layer_that_exceeds_f16(named_mlp):
    step = mixprec.compile(named_mlp.ir, policy="mixed_float16")
    params = named_mlp.init(0)
    batch = regression_batches(1)[0]
    r = mixprec.range_report(step, params, batch)
    assert [v["name"] for v in r["values"]] == ["fc1", "fc2"]
    assert r["keep_fp32"] == "" and not any(v["overflows_f16"] for v in r["values"])
    # fc1's output, checked with numpy (the probe's value is fc1's matmul).
    want = np.abs(batch[0] @ params[0]).max()
    assert r["values"][0]["max_abs"] == pytest.approx(want, rel=1e-5)
    big = list(params)
    big[2] = params[2] * 1e7   # fc2.weight: fc2 output far past 65504
    r = mixprec.range_report(step, big, batch)
    assert [v["overflows_f16"] for v in r["values"]] == [False, True]
    assert r["keep_fp32"] == "^(fc2)$"
    # The regex is what keep-fp32 matches: fc2's matmul stays in f32.
    out = mixprec.run_pipeline(named_mlp.ir, "builtin.module(mp-autocast{policy=mixed_float16 "
                               f"keep-fp32={r['keep_fp32']}}})")
    matmuls = re.findall(r"linalg\.matmul ins\([^)]*: (tensor<[^,]*>),", out)
    assert matmuls == ["tensor<8x16xf16>", "tensor<8x8xf32>"], matmuls
    tiny = [x * 1e-7 for x in batch[:1]] + [batch[1]]
    r = mixprec.range_report(step, params, tiny)
    assert r["values"][0]["underflows_f16"] and r["values"][0]["underflow_fraction"] > 0.5
    with pytest.raises(ValueError, match="param/state and 2 data arrays"):
        mixprec.range_report(step, params, batch[:1])
