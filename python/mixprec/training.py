"""Training loop over a compiled step, with loss-scale state threading, and
plots of its history."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import List

import numpy as np

from .core import Step, _to_float

__all__ = ["History", "train", "plot"]


@dataclass
class History:
    """Per-step record of a `train` run.

    loss[i]      the loss returned by step i (as float64);
    scale[i]     the loss scale step i used (1.0 without loss scaling, the
                 static scale in static mode);
    overflow[i]  True when step i found a non-finite gradient and was
                 skipped (always False in mode=none);
    params       the final params and optimizer state, same order as given;
    scale_state  the final loss-scale state {arg index: array};
    ms           wall-clock milliseconds of each step call.
    """
    loss: np.ndarray
    scale: np.ndarray
    overflow: np.ndarray
    params: List[np.ndarray] = field(default_factory=list)
    scale_state: dict = field(default_factory=dict)
    ms: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def skipped(self) -> int:
        return int(np.count_nonzero(self.overflow))

    def __len__(self):
        return len(self.loss)


def _batch_at(batches, s, n_data):
    if isinstance(batches, Sequence) and not isinstance(batches, (str, bytes)):
        if len(batches) == 0:
            raise ValueError("train: batches is empty")
        b = batches[s % len(batches)]
    else:
        try:
            b = next(batches)
        except StopIteration:
            raise ValueError(f"train: the batch iterator ended after {s} steps") from None
    if isinstance(b, np.ndarray):
        b = (b,)
    b = tuple(b)
    if len(b) != n_data:
        raise ValueError(f"train: each batch must hold {n_data} array(s) (one per "
                         f"data argument), got {len(b)}")
    return b


def train(step: Step, params, batches, steps: int, *, scale_state=None,
          callback=None) -> History:
    """Runs `steps` training steps.

    params   one array per `param` / `state` argument of the step, in argument
             order (the graph's trainable params then optimizer state; see
             `mixprec.nn.Graph.init`). Not modified: the final values are in
             `History.params`.
    batches  a sequence of batches (cycled) or an iterator; a batch is a
             tuple with one array per `data` argument (or one array).
    The loss-scale state (scale, growth tracker, hysteresis) is created from
    the step's loss_scaling options unless `scale_state` ({arg index: array})
    is given, and is threaded from each step's results to the next call, as
    are the params and optimizer state (results tied with mp.updates).
    `callback(step_index, results)` is called after each step."""
    if not isinstance(step, Step):
        raise ValueError("train: `step` must be a mixprec.Step (from mixprec.compile)")
    steps = int(steps)
    if steps < 0:
        raise ValueError("train: steps must be >= 0")
    param_idx = step.arg_indices("param", "state")
    data_idx = step.arg_indices("data")
    params = list(params)
    if len(params) != len(param_idx):
        raise ValueError(f"train: the step has {len(param_idx)} param/state arguments "
                         f"(indices {param_idx}), got {len(params)} arrays")
    loss_r = step.loss_result
    if loss_r < 0:
        raise ValueError("train: the step returns no 0-d float loss")
    ovf_r = step.overflow_result

    args = [None] * len(step.args)
    for i, p in zip(param_idx, params):
        args[i] = p
    state = dict(step.initial_scale_state() if scale_state is None else scale_state)
    for i, v in state.items():
        args[i] = v
    role_arg = {step.args[i].role: i for i in state}
    scale_arg = role_arg.get("loss_scale")
    static_scale = (step.loss_scaling["init-scale"]
                    if step.loss_scaling["mode"] == "static" else 1.0)

    losses = np.zeros(steps)
    scales = np.zeros(steps)
    overflows = np.zeros(steps, dtype=bool)
    ms = np.zeros(steps)
    for s in range(steps):
        batch = _batch_at(batches, s, len(data_idx))
        for i, b in zip(data_idx, batch):
            args[i] = b
        scales[s] = (_to_float(args[scale_arg], step.args[scale_arg].dtype)
                     if scale_arg is not None else static_scale)
        t0 = time.perf_counter()
        results = step(*args)
        ms[s] = (time.perf_counter() - t0) * 1e3
        losses[s] = _to_float(results[loss_r], step.results[loss_r].dtype)
        overflows[s] = bool(results[ovf_r]) if ovf_r >= 0 else False
        for r in step.results:
            if r.role == "update":
                args[r.updates] = results[r.index]
            elif r.role in role_arg:
                args[role_arg[r.role]] = results[r.index]
        if callback is not None:
            callback(s, results)
    return History(loss=losses, scale=scales, overflow=overflows,
                   params=[args[i] for i in param_idx],
                   scale_state={i: args[i] for i in state}, ms=ms)


def _finite_losses(h):
    """(steps, losses) of the finite losses of `h`, steps counted from 1: a
    line through them stays unbroken across skipped (non-finite) steps."""
    loss = np.asarray(h.loss, dtype=np.float64)
    x = np.arange(1, len(loss) + 1)
    finite = np.isfinite(loss)
    return x[finite], loss[finite]


def plot(history, path, title: str = None):
    """Writes a PNG of the loss (top) and the loss scale (bottom, log2 axis;
    skipped steps marked) of one History or a {label: History} dict."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    runs = history if isinstance(history, dict) else {"": history}
    fig, (ax_loss, ax_scale) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for label, h in runs.items():
        x = np.arange(1, len(h.loss) + 1)
        # Non-finite losses (overflowed steps) would cut the line and hide
        # a finite loss between two of them: draw the finite ones only.
        ax_loss.plot(*_finite_losses(h), label=label or None)
        ax_scale.plot(x, h.scale, drawstyle="steps-post", label=label or None)
        if np.any(h.overflow):
            ax_scale.plot(x[h.overflow], h.scale[h.overflow], "rx",
                          label=(f"{label} skipped" if label else "skipped step"))
    ax_loss.set_ylabel("loss")
    ax_loss.grid(True, alpha=0.3)
    ax_scale.set_ylabel("loss scale")
    if all(np.all(h.scale > 0) for h in runs.values()):
        ax_scale.set_yscale("log", base=2)
    ax_scale.set_xlabel("step")
    ax_scale.grid(True, alpha=0.3)
    if any(runs) or any(np.any(h.overflow) for h in runs.values()):
        ax_loss.legend(loc="best") if any(runs) else None
        ax_scale.legend(loc="best")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
