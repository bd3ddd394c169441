"""Compiled steps: signature, argument checking, numpy in / numpy out."""

import gc

import numpy as np
import pytest

import mixprec
from mixprec import nn

from conftest import make_batches


def args_for(step, graph, batch, seed=0):
    args = [None] * len(step.args)
    for i, p in zip(step.arg_indices("param", "state"), graph.init(seed)):
        args[i] = p
    for i, v in step.initial_scale_state().items():
        args[i] = v
    for i, b in zip(step.arg_indices("data"), batch):
        args[i] = b
    return args


def test_signature_roles(mlp_graph, mlp_step_dynamic):
    step = mlp_step_dynamic
    roles = [a.role for a in step.args]
    assert roles == ["param"] * 4 + ["data", "data", "loss_scale", "growth_tracker"]
    assert [a.shape for a in step.args[:4]] == [(32, 64), (64,), (64, 10), (10,)]
    assert step.args[0].dtype == "float32" and step.args[0].init == "glorot"
    assert step.args[1].init == "glorot"  # biases: PyTorch-style uniform
    assert step.args[6].dtype == "float32" and step.args[6].shape == ()
    assert step.args[7].dtype == "int32"
    res = [(r.role, r.updates) for r in step.results]
    assert res == [("update", 0), ("update", 1), ("update", 2), ("update", 3),
                   ("loss", -1), ("loss_scale", -1), ("growth_tracker", -1),
                   ("overflow", -1), ("grad_finite", -1)]
    assert step.results[7].dtype == "bool"
    assert step.results[8].shape == (4,) and step.grad_finite_args == (0, 1, 2, 3)
    assert step.loss_result == 4 and step.overflow_result == 7
    assert step.policy == mixprec.Policy.parse("mixed_bfloat16")
    assert step.loss_scaling["init-scale"] == 1024.0
    assert step.compile_ms > 0
    assert "loss_scale" in repr(step)


def test_call_and_ownership(mlp_graph, mlp_step_dynamic):
    step = mlp_step_dynamic
    batch = make_batches((16, 32), (16, 10), n=1)[0]
    args = args_for(step, mlp_graph, batch)
    before = [a.copy() for a in args]
    gc.collect()
    live0 = mixprec._mixprec.live_bytes()
    out = step(*args)
    assert isinstance(out, tuple) and len(out) == len(step.results)
    for r, a in zip(step.results, out):
        assert isinstance(a, np.ndarray)
        assert a.shape == r.shape and a.dtype == r.numpy_dtype
        # Results wrap the runtime buffer (no copy): a capsule owns it.
        assert not a.flags.owndata and type(a.base).__name__ == "PyCapsule"
        assert a.flags.c_contiguous
    # Inputs are read, never written (arguments are read-only for the
    # compiled code).
    for a, b in zip(args, before):
        assert a.tobytes() == b.tobytes()
    assert np.isfinite(out[4]) and not bool(out[7])
    assert float(out[5]) == 1024.0 and int(out[6]) == 1
    # Results are released through mp_rt_free when the arrays die.
    assert mixprec._mixprec.live_bytes() > live0
    del out
    gc.collect()
    assert mixprec._mixprec.live_bytes() == live0
    # Non-contiguous inputs are accepted (copied once) and give the same
    # result.
    x_f = np.asfortranarray(args[4])
    args2 = list(args)
    args2[4] = x_f
    assert not x_f.flags.c_contiguous
    r1 = step(*args)
    r2 = step(*args2)
    for a, b in zip(r1, r2):
        assert a.tobytes() == b.tobytes()


def test_argument_errors(mlp_graph, mlp_step_dynamic):
    step = mlp_step_dynamic
    batch = make_batches((16, 32), (16, 10), n=1)[0]
    args = args_for(step, mlp_graph, batch)
    with pytest.raises(ValueError, match="takes 8 arguments, got 7"):
        step(*args[:-1])
    with pytest.raises(ValueError, match="takes 8 arguments, got 9"):
        step(*args, args[0])
    bad = list(args)
    bad[0] = args[0].astype(np.float64)
    with pytest.raises(ValueError, match=r"argument #0 \(param\): expected dtype float32, got float64"):
        step(*bad)
    bad = list(args)
    bad[4] = args[4][:8]
    with pytest.raises(ValueError, match=r"argument #4 \(data\): expected shape \(16, 32\), got \(8, 32\)"):
        step(*bad)
    bad = list(args)
    bad[1] = args[1].reshape(1, 64)
    with pytest.raises(ValueError, match=r"expected shape \(64,\), got \(1, 64\)"):
        step(*bad)
    bad = list(args)
    bad[7] = np.zeros((), np.int64)
    with pytest.raises(ValueError, match="growth_tracker.*int32, got int64"):
        step(*bad)
    bad = list(args)
    bad[2] = args[2].tolist()
    with pytest.raises(ValueError, match="numpy.ndarray"):
        step(*bad)
    bad = list(args)
    bad[6] = 1024.0
    with pytest.raises(ValueError, match=r"argument #6 \(loss_scale\)"):
        step(*bad)
    # The interpreter survives and the step still works.
    assert np.isfinite(step(*args)[4])


def test_bfloat16_helpers():
    x = np.array([0.0, 1.0, -2.5, 3.14159265, 1e-40, 65504.0, np.inf, -np.inf,
                  np.nan, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8], np.float32)
    b = mixprec.to_bfloat16(x)
    assert b.dtype == np.uint16 and b.shape == x.shape
    back = mixprec.from_bfloat16(b)
    assert back.dtype == np.float32
    assert back[1] == 1.0 and back[2] == -2.5
    assert back[3] == np.float32(3.140625)        # 8 significant bits
    assert np.isposinf(back[6]) and np.isneginf(back[7]) and np.isnan(back[8])
    assert back[9] == 1.0                         # tie -> even
    assert back[10] == np.float32(1.0 + 4 * 2 ** -8)  # tie -> even (up)
    r = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    rel = np.abs(mixprec.from_bfloat16(mixprec.to_bfloat16(r)) - r) / np.abs(r)
    assert rel.max() <= 2.0 ** -8
    assert mixprec.numpy_dtype("bfloat16") == np.uint16
    with pytest.raises(ValueError):
        mixprec.from_bfloat16(np.zeros(3, np.float32))


def test_bfloat16_boundary():
    """bf16 tensors cross the boundary as uint16 bit patterns, both ways.
    (Policies do not change a step's signature: with policy="bfloat16" the
    params stay f32 at the boundary and are cast inside.)"""
    ir = """
    func.func @f(%a: tensor<5xbf16>, %b: tensor<5xf32>) -> (tensor<5xbf16>, tensor<5xf32>) {
      %0 = arith.addf %a, %a : tensor<5xbf16>
      %1 = arith.extf %a : tensor<5xbf16> to tensor<5xf32>
      %2 = arith.mulf %1, %b : tensor<5xf32>
      return %0, %2 : tensor<5xbf16>, tensor<5xf32>
    }
    """
    step = mixprec.compile(ir, entry="f", policy="float32", loss_scaling="mode=none",
                           opt_level=0)
    assert [(a.dtype, a.role) for a in step.args] == [("bfloat16", "data"),
                                                      ("float32", "data")]
    a = np.array([1.0, -2.5, 3.140625, 0.0, 1e30], np.float32)
    b = np.full(5, 0.5, np.float32)
    with pytest.raises(ValueError, match="bfloat16 bit patterns"):
        step(a, b)
    s, m = step(mixprec.to_bfloat16(a), b)
    assert s.dtype == np.uint16
    np.testing.assert_array_equal(mixprec.from_bfloat16(s),
                                  mixprec.from_bfloat16(mixprec.to_bfloat16(2 * a)))
    np.testing.assert_array_equal(m, mixprec.from_bfloat16(mixprec.to_bfloat16(a)) * 0.5)


def test_aot_matches_jit():
    """AOT (shared library built with clang) gives bit-identical results to
    the JIT, here on a CNN whose backward needs the runtime's strided copy."""
    model = nn.Sequential(nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3))
    g = nn.build(model, (2, 8, 8, 2), (2, 3), optimizer=nn.Momentum(0.1))
    batches = make_batches((2, 8, 8, 2), (2, 3), n=2)
    hs = [mixprec.train(mixprec.compile(g.ir, policy="mixed_bfloat16", aot=aot,
                                        opt_level=1),
                        g.init(0), batches, 5) for aot in (False, True)]
    assert hs[0].loss.tobytes() == hs[1].loss.tobytes()
    for a, b in zip(hs[0].params, hs[1].params):
        assert a.tobytes() == b.tobytes()
