"""Shared helpers of the mixprec Python tests.

Run: PYTHONPATH=build/python /usr/bin/python3 -m pytest -q python/tests
"""

import numpy as np
import pytest

import mixprec
from mixprec import nn


def make_batches(input_shape, target_shape, n=4, seed=1, task="classify"):
    """Deterministic batches: x ~ N(0, 1); targets from a fixed random linear
    teacher (one-hot argmax for classification, tanh for regression)."""
    rng = np.random.default_rng(seed)
    feat_in = int(np.prod(input_shape[1:]))
    rows = int(np.prod(target_shape[:-1]))
    classes = target_shape[-1]
    teacher = rng.standard_normal((feat_in if task == "classify" else input_shape[-1],
                                   classes)) / np.sqrt(feat_in)
    batches = []
    for _ in range(n):
        x = rng.standard_normal(input_shape).astype(np.float32)
        if task == "classify":
            logits = x.reshape(input_shape[0], -1) @ teacher
            y = np.eye(classes, dtype=np.float32)[logits.argmax(1)]
        else:
            y = np.tanh(x.reshape(rows, -1) @ teacher).astype(np.float32)
            y = y.reshape(target_shape)
        batches.append((x, y.astype(np.float32)))
    return batches


@pytest.fixture(scope="session")
def mlp_graph():
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
    return nn.build(model, input_shape=(16, 32), target_shape=(16, 10),
                    loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(0.1))


@pytest.fixture(scope="session")
def mlp_step_dynamic(mlp_graph):
    return mixprec.compile(mlp_graph.ir, policy="mixed_bfloat16",
                           loss_scaling="mode=dynamic init-scale=1024 growth-interval=3")


# ---------------------------------------------------------------------------
# The torch.nn counterpart of a mixprec.nn model (reference numerics only)
# ---------------------------------------------------------------------------

def torch_model(model, params):
    """A torch.nn.Module computing the same function as the mixprec.nn
    `model` with the parameter values `params` (graph.init order). Images
    stay NHWC: convolutions and pools permute to NCHW and back."""
    import torch
    tnn = torch.nn
    values = iter(params)

    def take():
        return torch.from_numpy(np.array(next(values), dtype=np.float32))

    class Permuted(tnn.Module):  # NHWC -> NCHW -> inner -> NHWC
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)

    class Res(tnn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return x + self.inner(x)

    class SelfAttention(tnn.Module):
        def __init__(self, dim, heads):
            super().__init__()
            self.mha = tnn.MultiheadAttention(dim, heads, bias=False, batch_first=True)

        def forward(self, x):
            return self.mha(x, x, x, need_weights=False)[0]

    class Flat(tnn.Module):
        def forward(self, x):
            return x.reshape(x.shape[0], -1)

    def convert(m):
        with torch.no_grad():
            if isinstance(m, nn.Sequential):
                return tnn.Sequential(*[convert(c) for c in m.layers])
            if isinstance(m, nn.Residual):
                return Res(convert(m.inner))
            if isinstance(m, nn.Linear):
                t = tnn.Linear(m.inp, m.out, bias=m.bias)
                t.weight.copy_(take().T)
                if m.bias:
                    t.bias.copy_(take())
                return t
            if isinstance(m, nn.ReLU):
                return tnn.ReLU()
            if isinstance(m, nn.Tanh):
                return tnn.Tanh()
            if isinstance(m, nn.GELU):
                return tnn.GELU(approximate="tanh")
            if isinstance(m, nn.LayerNorm):
                t = tnn.LayerNorm(m.dim, eps=m.eps)
                t.weight.copy_(take())
                t.bias.copy_(take())
                return t
            if isinstance(m, nn.Conv2d):
                t = tnn.Conv2d(m.cin, m.cout, m.k, stride=m.stride,
                               padding=m.padding, bias=m.bias)
                t.weight.copy_(take().permute(3, 2, 0, 1))
                if m.bias:
                    t.bias.copy_(take())
                return Permuted(t)
            if isinstance(m, nn.MaxPool2d):
                return Permuted(tnn.MaxPool2d(m.k, m.stride))
            if isinstance(m, nn.AvgPool2d):
                return Permuted(tnn.AvgPool2d(m.k, m.stride))
            if isinstance(m, nn.Flatten):
                return Flat()
            if isinstance(m, nn.Attention):
                t = SelfAttention(m.dim, m.heads)
                wq, wk, wv, wo = take(), take(), take(), take()
                t.mha.in_proj_weight.copy_(torch.cat([wq.T, wk.T, wv.T], 0))
                t.mha.out_proj.weight.copy_(wo.T)
                return t
        raise NotImplementedError(type(m).__name__)

    return convert(model)


def torch_train(model, params, batches, steps, loss, optimizer):
    """Trains the torch counterpart in float32; returns the per-step losses
    and the final parameters."""
    import torch
    torch.manual_seed(0)
    tm = torch_model(model, params)
    if isinstance(optimizer, nn.Adam):
        opt = torch.optim.Adam(tm.parameters(), lr=optimizer.lr,
                               betas=(optimizer.b1, optimizer.b2), eps=optimizer.eps)
    else:
        opt = torch.optim.SGD(tm.parameters(), lr=optimizer.lr,
                              momentum=optimizer.momentum)
    losses = []
    for s in range(steps):
        x, y = (torch.from_numpy(a) for a in batches[s % len(batches)])
        out = tm(x)
        if isinstance(loss, nn.SoftmaxCrossEntropy):
            l = -(y * torch.log_softmax(out, 1)).sum() / out.shape[0]
        else:
            l = torch.nn.functional.mse_loss(out, y)
        opt.zero_grad()
        l.backward()
        opt.step()
        losses.append(l.item())
    return np.array(losses)
