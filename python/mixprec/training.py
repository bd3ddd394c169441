"""Training loop over a compiled step, with loss-scale state threading, and
plots of its history."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from .core import Step, _to_float, from_bfloat16, numpy_dtype

__all__ = ["History", "MinScaleError", "train", "plot", "range_report"]


@dataclass
class History:
    """Per-step record of a `train` run.

    loss[i]      the loss returned by step i (as float64);
    scale[i]     the loss scale step i used (1.0 without loss scaling, the
                 static scale in static mode, 1.0 after an fp32 fallback);
    overflow[i]  True when step i found a non-finite gradient and was
                 skipped (always False in mode=none);
    overflow_params[i]  the names (`ArgSpec.name`: mp.name, NameLoc or
                 "argN") of the params whose gradients were not finite at a
                 skipped step i, [] at the other steps;
    grad_norm[i] the global L2 norm of the unscaled gradients at step i
                 (compile(grad_norm=True)), NaN without it;
    params       the final params and optimizer state, same order as given;
    scale_state  the final loss-scale state {arg index: array};
    ms           wall-clock milliseconds of each step call;
    fallback_step  index i of the first step run by the fp32 step after
                 train(fallback="fp32") switched, else None;
    step         the step that ran last (the fp32 one after a fallback):
                 continue a run with train(h.step, h.params, batches, n,
                 scale_state=h.scale_state, start_step=h.start_step + len(h),
                 min_scale_skips=h.min_scale_skips);
    start_step   the `start_step` this run was given;
    min_scale_skips  consecutive skipped steps at the minimum scale at the
                 end (what fallback / stop_at_min_scale count);
    statistics   scaler statistics over the steps run by the given step
                 (before any fallback): overflow_rate, scale_increases,
                 scale_decreases, min_scale, max_scale, final_scale,
                 mean_grad_norm (over the steps not skipped; NaN without
                 grad_norm), overflow_param_counts {name: skipped steps}.
    """
    loss: np.ndarray
    scale: np.ndarray
    overflow: np.ndarray
    params: List[np.ndarray] = field(default_factory=list)
    scale_state: dict = field(default_factory=dict)
    ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    overflow_params: List[List[str]] = field(default_factory=list)
    grad_norm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fallback_step: Optional[int] = None
    step: Optional[Step] = None
    start_step: int = 0
    min_scale_skips: int = 0
    statistics: dict = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return int(np.count_nonzero(self.overflow))

    def __len__(self):
        return len(self.loss)


class MinScaleError(RuntimeError):
    """Raised by `train(..., stop_at_min_scale=...)` after M consecutive
    steps skipped at the minimum loss scale; `.history` is the History of
    the steps run, including the last one."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


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


def _patience(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"train: {what} needs a count M >= 1, got {value!r}")
    return value


def _fp32_step(step: Step) -> Step:
    """The graph of `step` compiled in fp32 without loss scaling (a
    clip-norm and micro-batches carry over; grad_norm does not: mode=none
    with grad-norm does not lower yet)."""
    from .core import compile
    ls = {"mode": "none"}
    if step.loss_scaling.get("clip-norm"):
        ls["clip-norm"] = step.loss_scaling["clip-norm"]
    return compile(step.ir, entry=step.entry, policy="float32", loss_scaling=ls,
                   aot=step.aot, opt_level=step.opt_level,
                   data_parallel=step.data_parallel,
                   microbatches=step.microbatches)


def _switch_args(old: Step, new: Step, args):
    """The arguments of `new` from those of `old` (same indices: loss
    scaling only appends its state), params and optimizer state converted
    to the new element type."""
    trained = ("param", "state")
    out = [None] * len(new.args)
    for a in new.args:
        what = f"train: fallback: argument #{a.index} ({a.name})"
        if a.index >= len(old.args):
            raise ValueError(f"{what} of the fp32 step has no counterpart")
        o = old.args[a.index]
        if o.role != a.role and not (o.role in trained and a.role in trained):
            raise ValueError(f"{what} is {o.role} in the {old.policy.spec} step "
                             f"but {a.role} in the fp32 step")
        if o.shape != a.shape or (a.role == "data" and o.dtype != a.dtype):
            raise ValueError(f"{what}: {o.dtype}{list(o.shape)} vs "
                             f"{a.dtype}{list(a.shape)}")
        if a.role == "data":
            continue
        v = args[a.index]
        if o.dtype != a.dtype:
            v = from_bfloat16(v) if o.dtype == "bfloat16" else np.asarray(v)
            v = v.astype(numpy_dtype(a.dtype))
        out[a.index] = v
    return out


def train(step: Step, params, batches, steps: int, *, scale_state=None,
          callback=None, fallback: Optional[str] = None,
          stop_at_min_scale=False, start_step: int = 0,
          min_scale_skips: int = 0) -> History:
    """Runs `steps` training steps.

    params   one array per `param` / `state` argument of the step, in argument
             order (the graph's trainable params then optimizer state; see
             `mixprec.nn.Graph.init`). Not modified: the final values are in
             `History.params`.
    batches  a sequence of batches (cycled, from index `start_step`) or an
             iterator; a batch is a tuple with one array per `data` argument
             (or one array).
    The loss-scale state (scale, growth tracker, hysteresis) is created from
    the step's loss_scaling options unless `scale_state` ({arg index: array})
    is given, and is threaded from each step's results to the next call, as
    are the params and optimizer state (results tied with mp.updates).
    `callback(step_index, results)` is called after each step (the index
    counts from `start_step`).

    fallback="fp32" (or "fp32:M"): after M (default 3) consecutive steps
    skipped at the minimum loss scale (min-scale; static mode: at its
    scale), compile the graph in fp32 without loss scaling and go on from
    the same params and optimizer state (`History.fallback_step`).
    stop_at_min_scale=True (or M): raise MinScaleError instead.
    start_step / min_scale_skips continue an earlier run (see
    `History.step`): the batch position and the count of skips at the
    minimum scale go on from there, so that the steps are those of one
    uninterrupted run."""
    if not isinstance(step, Step):
        raise ValueError("train: `step` must be a mixprec.Step (from mixprec.compile)")
    steps = int(steps)
    if steps < 0:
        raise ValueError("train: steps must be >= 0")
    start_step = int(start_step)
    if start_step < 0:
        raise ValueError("train: start_step must be >= 0")
    patience, to_fp32 = 0, False
    if fallback is not None:
        f = str(fallback)
        if f == "fp32":
            patience = 3
        elif f.startswith("fp32:") and f[5:].isdigit():
            patience = _patience(int(f[5:]), "fallback='fp32:M'")
        else:
            raise ValueError(f"train: fallback must be 'fp32' or 'fp32:M', got {fallback!r}")
        to_fp32 = True
    if stop_at_min_scale is not False and stop_at_min_scale is not None:
        if to_fp32:
            raise ValueError("train: fallback and stop_at_min_scale exclude each other")
        patience = 3 if stop_at_min_scale is True else _patience(
            stop_at_min_scale, "stop_at_min_scale")
    if patience and step.overflow_result < 0:
        raise ValueError("train: fallback / stop_at_min_scale need loss scaling "
                         "(mode=dynamic or static): without it no step is skipped")
    param_idx = step.arg_indices("param", "state")
    data_idx = step.arg_indices("data")
    params = list(params)
    if len(params) != len(param_idx):
        raise ValueError(f"train: the step has {len(param_idx)} param/state arguments "
                         f"(indices {param_idx}), got {len(params)} arrays")
    if step.loss_result < 0:
        raise ValueError("train: the step returns no 0-d float loss")

    args = [None] * len(step.args)
    for i, p in zip(param_idx, params):
        args[i] = p
    state = dict(step.initial_scale_state() if scale_state is None else scale_state)
    for i, v in state.items():
        args[i] = v
    static = step.loss_scaling["mode"] == "static"
    min_scale = float(step.loss_scaling["min-scale"])

    cur = step
    losses = np.zeros(steps)
    scales = np.zeros(steps)
    overflows = np.zeros(steps, dtype=bool)
    norms = np.full(steps, np.nan)
    names: List[List[str]] = [[] for _ in range(steps)]
    ms = np.zeros(steps)
    scale_after = np.full(steps, np.nan)  # the scale state after each step
    fallback_at = None
    skips = int(min_scale_skips)
    stop_message = None
    done = steps

    for s in range(steps):
        role_arg = {cur.args[i].role: i for i in state}
        scale_arg = role_arg.get("loss_scale")
        loss_r, ovf_r, norm_r = cur.loss_result, cur.overflow_result, cur.grad_norm_result
        batch = _batch_at(batches, start_step + s, len(data_idx))
        for i, b in zip(data_idx, batch):
            args[i] = b
        if scale_arg is not None:
            scales[s] = _to_float(args[scale_arg], cur.args[scale_arg].dtype)
        else:
            scales[s] = cur.loss_scaling["init-scale"] if ovf_r >= 0 else 1.0
        t0 = time.perf_counter()
        results = cur(*args)
        ms[s] = (time.perf_counter() - t0) * 1e3
        losses[s] = _to_float(results[loss_r], cur.results[loss_r].dtype)
        overflows[s] = bool(results[ovf_r]) if ovf_r >= 0 else False
        if overflows[s]:
            names[s] = cur.overflow_names(results)
        if norm_r >= 0:
            norms[s] = _to_float(results[norm_r], cur.results[norm_r].dtype)
        scale_after[s] = scales[s]
        for r in cur.results:
            if r.role == "update":
                args[r.updates] = results[r.index]
            elif r.role in role_arg:
                args[role_arg[r.role]] = results[r.index]
                if r.role == "loss_scale":
                    scale_after[s] = _to_float(results[r.index], r.dtype)
        if callback is not None:
            callback(start_step + s, results)
        if cur is step and patience:
            at_min = static or scales[s] <= min_scale
            skips = skips + 1 if overflows[s] and at_min else 0
            if skips >= patience:
                why = (f"step {start_step + s + 1}: {skips} consecutive steps "
                       f"skipped at the minimum loss scale {scales[s]:g}")
                if not to_fp32:
                    stop_message = why + "; stopping (stop_at_min_scale)"
                    done = s + 1
                    break
                new = _fp32_step(step)
                args = _switch_args(step, new, args)
                state = {}
                cur, fallback_at, skips = new, s + 1, 0

    mixed = slice(0, fallback_at if fallback_at is not None else done)
    stats = _statistics(step, scales[mixed], overflows[mixed], norms[mixed],
                        names[mixed], scale_after[mixed])
    h = History(loss=losses[:done], scale=scales[:done], overflow=overflows[:done],
                params=[args[i] for i in cur.arg_indices("param", "state")],
                scale_state={i: args[i] for i in state}, ms=ms[:done],
                overflow_params=names[:done], grad_norm=norms[:done],
                fallback_step=fallback_at, step=cur, start_step=start_step,
                min_scale_skips=skips, statistics=stats)
    if stop_message is not None:
        raise MinScaleError(stop_message, h)
    return h


def _statistics(step, scales, overflows, norms, names, scale_after) -> dict:
    n = len(scales)
    ok = ~overflows & np.isfinite(norms)
    counts = {step.args[a].name if a >= 0 else f"gradient #{k}": 0
              for k, a in enumerate(step.grad_finite_args)}
    for ns in names:
        for name in ns:
            counts[name] = counts.get(name, 0) + 1
    return {
        "overflow_rate": float(np.count_nonzero(overflows)) / n if n else float("nan"),
        "scale_increases": int(np.count_nonzero(scale_after > scales)),
        "scale_decreases": int(np.count_nonzero(scale_after < scales)),
        "min_scale": float(scales.min()) if n else float("nan"),
        "max_scale": float(scales.max()) if n else float("nan"),
        "final_scale": float(scale_after[-1]) if n else float("nan"),
        "mean_grad_norm": float(norms[ok].mean()) if ok.any() else float("nan"),
        "overflow_param_counts": counts,
    }


def _finite_losses(h):
    """(steps, losses) of the finite losses of `h`, steps counted from 1: a
    line through them stays unbroken across skipped (non-finite) steps."""
    loss = np.asarray(h.loss, dtype=np.float64)
    x = np.arange(1, len(loss) + 1)
    finite = np.isfinite(loss)
    return x[finite], loss[finite]


def plot(history, path, title: str = None):
    """Writes a PNG of the loss (top) and the loss scale history (bottom,
    log2 axis; skipped steps marked with red crosses, an fp32 fallback with
    a dashed line) of one History or a {label: History} dict."""
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
        fb = getattr(h, "fallback_step", None)
        if fb is not None:
            for ax in (ax_loss, ax_scale):
                ax.axvline(fb + 1, color="gray", linestyle="--",
                           label=(f"{label} fp32 fallback" if label else "fp32 fallback")
                           if ax is ax_scale else None)
    ax_loss.set_ylabel("loss")
    ax_loss.grid(True, alpha=0.3)
    ax_scale.set_ylabel("loss scale")
    if all(np.all(h.scale > 0) for h in runs.values()):
        ax_scale.set_yscale("log", base=2)
    ax_scale.set_xlabel("step")
    ax_scale.grid(True, alpha=0.3)
    if any(runs) or any(np.any(h.overflow) or getattr(h, "fallback_step", None) is not None
                        for h in runs.values()):
        ax_loss.legend(loc="best") if any(runs) else None
        ax_scale.legend(loc="best")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


#: f16's largest finite value and smallest normal; a value "underflows" when
#: at least UNDERFLOW_FRACTION of its nonzero elements is below the latter
#: (as mp-run --range-report).
F16_MAX = 65504.0
F16_MIN_NORMAL = 6.103515625e-05
UNDERFLOW_FRACTION = 0.01


def range_report(step: Step, params, batch) -> dict:
    """Runs the graph of `step` in fp32 (its @loss, before any policy) on
    `params` (one array per param / state argument, as for `train`) and
    `batch` (one array per data argument; micro-batch 0 of a micro-batched
    step) and reports, per named value (an op with a NameLoc, e.g. the
    layers of `mixprec.nn`), its largest magnitude and the fraction of its
    nonzero elements below f16's smallest normal, whether it would overflow
    (> 65504) or underflow (>= 1 % of them below 2^-14) in f16, and the
    keep-fp32 regex that keeps those in f32 (`compile(...,
    autocast="keep-fp32=<regex>")`):

        {"loss": float, "values": [{"name", "max_abs", "underflow_fraction",
         "overflows_f16", "underflows_f16"}], "keep_fp32": "^(fc2)$" or ""}
    """
    import re
    from . import _mixprec

    if not isinstance(step, Step):
        raise ValueError("range_report: `step` must be a mixprec.Step")
    pipeline = (f"builtin.module(mp-range-probe{{entry={step.entry} only=true "
                f"name={step.entry}}})")
    probe = _mixprec.CompiledStep.compile(step.ir, pipeline, step.entry, False, 3)
    names = list(probe.probe_names)
    param_idx = step.arg_indices("param", "state")
    data_idx = step.arg_indices("data")
    params = list(params)
    if isinstance(batch, np.ndarray):
        batch = (batch,)
    batch = tuple(batch)
    if len(params) != len(param_idx) or len(batch) != len(data_idx):
        raise ValueError(f"range_report: the step takes {len(param_idx)} param/state "
                         f"and {len(data_idx)} data arrays, got {len(params)} and "
                         f"{len(batch)}")
    given = dict(zip(param_idx, params))
    given.update(zip(data_idx, batch))
    args = []
    for i, (shape, dtype, _, _) in enumerate(probe.args):
        v = given[i]
        if step.args[i].dtype == "bfloat16":
            v = from_bfloat16(v)
        v = np.asarray(v)
        if step.args[i].role == "data" and v.shape == (step.microbatches,) + tuple(shape) \
                and step.microbatches > 1:
            v = v[0]
        if v.shape != tuple(shape):
            raise ValueError(f"range_report: argument #{i} ({step.args[i].name}) has "
                             f"shape {v.shape}, the graph takes {tuple(shape)}")
        args.append(np.array(v, dtype=numpy_dtype(dtype), order="C"))
    results = probe(*args)
    table = np.asarray(results[-1], dtype=np.float64)
    values, keep = [], []
    for name, (max_abs, under) in zip(names, table):
        over = not max_abs <= F16_MAX
        low = under >= UNDERFLOW_FRACTION
        if over or low:
            keep.append(re.escape(name))
        values.append({"name": name, "max_abs": float(max_abs),
                       "underflow_fraction": float(under),
                       "overflows_f16": over, "underflows_f16": low})
    return {"loss": float(np.asarray(results[0]).reshape(())), "values": values,
            "keep_fp32": "^(" + "|".join(keep) + ")$" if keep else ""}
