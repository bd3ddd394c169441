"""mixprec.torch.Trainer: a torch.nn.Module + loss + torch.optim optimizer
compiled into one mixprec training step (docs/torch.md, DESIGN §14)."""

from __future__ import annotations

from typing import Dict, List

import numpy as np
import torch

from .. import core
from ..core import from_bfloat16, to_bfloat16
from ..nn import _string
from . import _lower
from ._emit import Emitter, V, ttype
from ._trace import trace


class UnsupportedError(Exception):
    """An op, module or optimizer setting the torch front end cannot lower.
    `.ops` lists (op, module path, reason, source location) of every one."""

    def __init__(self, message, ops=()):
        super().__init__(message)
        self.ops = list(ops)


class Graph:
    """The generated training graph: `ir` (MLIR text), `arg_names` (mp.name
    of each @train_step argument), `params` / `state` / `buffers` names."""

    def __init__(self, ir, arg_names, params, state, buffers):
        self.ir, self.arg_names = ir, arg_names
        self.params, self.state, self.buffers = params, state, buffers

    def __repr__(self):
        return (f"Graph({len(self.params)} params, {len(self.state)} optimizer state, "
                f"{len(self.buffers)} buffers)")


def _dt(t: torch.Tensor) -> str:
    if t.dtype not in _lower.DTYPES:
        raise UnsupportedError(f"mixprec.torch: tensors of dtype {t.dtype} are not supported "
                               f"(float32, int64, int32, bool)")
    return _lower.DTYPES[t.dtype]


# ---------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------

class _Opt:
    """State layout and update emission of a torch.optim optimizer."""

    def __init__(self, optimizer, params: List[torch.nn.Parameter], names: List[str],
                 ignore=()):
        self.kind = type(optimizer).__name__
        if self.kind not in ("SGD", "Adam", "AdamW"):
            raise UnsupportedError(f"mixprec.torch: optimizer {self.kind} is not supported "
                                   f"(SGD, Adam, AdamW)")
        self.optimizer = optimizer
        group_of = {}
        skip = {id(p) for p in ignore}  # frozen: torch.optim skips them too
        for gi, g in enumerate(optimizer.param_groups):
            for p in g["params"]:
                if id(p) not in skip:
                    group_of[id(p)] = gi
        self.groups = []
        for p, n in zip(params, names):
            if id(p) not in group_of:
                raise UnsupportedError(f"mixprec.torch: parameter '{n}' is not in the "
                                       f"optimizer's param_groups")
            g = optimizer.param_groups[group_of[id(p)]]
            for flag in ("maximize", "amsgrad"):
                if g.get(flag):
                    raise UnsupportedError(f"mixprec.torch: {self.kind}({flag}=True) is not "
                                           f"supported")
            self.groups.append(g)
        if len(group_of) != len(params):
            raise UnsupportedError("mixprec.torch: the optimizer holds tensors that are not "
                                   "parameters of the model")
        self.params, self.names = params, names
        # state specs: (name, shape, torch key, param index or -1)
        self.specs = []
        if self.kind == "SGD":
            self.momentum = [float(g["momentum"]) for g in self.groups]
            for i, (p, n) in enumerate(zip(params, names)):
                if self.momentum[i]:
                    self.specs.append((f"{n}.momentum_buffer", tuple(p.shape),
                                       "momentum_buffer", i))
            if any(m and g["dampening"] for m, g in zip(self.momentum, self.groups)):
                self.specs.append(("sgd.step", (), "step", -1))
        else:
            for key in ("exp_avg", "exp_avg_sq"):
                for i, (p, n) in enumerate(zip(params, names)):
                    self.specs.append((f"{n}.{key}", tuple(p.shape), key, i))
            self.specs.append((f"{self.kind.lower()}.step", (), "step", -1))

    def initial(self) -> List[np.ndarray]:
        """State arrays, from the optimizer's own state where it has some."""
        out = []
        for name, shape, key, i in self.specs:
            if i >= 0:
                st = self.optimizer.state.get(self.params[i], {})
                v = st.get(key)
                out.append(np.zeros(shape, np.float32) if v is None
                           else v.detach().float().numpy().copy())
            else:
                step = 0.0
                for p in self.params:
                    st = self.optimizer.state.get(p, {})
                    if "step" in st:
                        step = float(st["step"])
                        break
                    if "momentum_buffer" in st and st["momentum_buffer"] is not None:
                        step = 1.0
                out.append(np.array(step, np.float32))
        return out

    def emit(self, em: Emitter, p: List[V], g: List[V], s: List[V]) -> (List[V], List[V]):
        idx = {(key, i): k for k, (_, _, key, i) in enumerate(self.specs)}
        new_s = list(s)
        new_p = []
        if self.kind == "SGD":
            t = s[idx[("step", -1)]] if ("step", -1) in idx else None
            for i, (pv, gv) in enumerate(zip(p, g)):
                grp = self.groups[i]
                lr, wd = float(grp["lr"]), float(grp["weight_decay"])
                mu, damp, nest = self.momentum[i], float(grp["dampening"]), grp["nesterov"]

                def grad(b, pp, gg):
                    return b.add(gg, b.mul(b.const(wd), pp)) if wd else gg
                if not mu:
                    new_p.append(em.ew([pv, gv], lambda b, pp, gg: b.sub(
                        pp, b.mul(b.const(lr), grad(b, pp, gg)))))
                    continue
                k = idx[("momentum_buffer", i)]
                ops = [pv, gv, s[k]] + ([t] if t is not None and damp else [])

                def buf(b, pp, gg, bb, *tt):
                    gw = grad(b, pp, gg)
                    nb = b.add(b.mul(b.const(mu), bb), b.mul(b.const(1.0 - damp), gw))
                    if tt:  # first step: buf = grad (PyTorch)
                        first = b.cmpf("oeq", tt[0], b.const(0.0))
                        nb = b.select(first, gw, nb)
                    return nb
                nbuf = em.ew(ops, buf, pv.shape)
                new_s[k] = nbuf

                def upd(b, pp, gg, nb):
                    d = b.add(grad(b, pp, gg), b.mul(b.const(mu), nb)) if nest else nb
                    return b.sub(pp, b.mul(b.const(lr), d))
                new_p.append(em.ew([pv, gv, nbuf], upd, pv.shape))
            if t is not None:
                new_s[idx[("step", -1)]] = em.ew([t], lambda b, x: b.add(x, b.const(1.0)), ())
            return new_p, new_s
        # Adam / AdamW
        t = s[idx[("step", -1)]]
        t1 = em.ew([t], lambda b, x: b.add(x, b.const(1.0)), ())
        new_s[idx[("step", -1)]] = t1
        adamw = self.kind == "AdamW"
        for i, (pv, gv) in enumerate(zip(p, g)):
            grp = self.groups[i]
            lr, wd, eps = float(grp["lr"]), float(grp["weight_decay"]), float(grp["eps"])
            b1, b2 = (float(x) for x in grp["betas"])
            km, kv = idx[("exp_avg", i)], idx[("exp_avg_sq", i)]

            def grad(b, pp, gg):
                return b.add(gg, b.mul(b.const(wd), pp)) if wd and not adamw else gg
            m1 = em.ew([pv, gv, s[km]], lambda b, pp, gg, m: b.add(
                b.mul(b.const(b1), m), b.mul(b.const(1.0 - b1), grad(b, pp, gg))), pv.shape)
            v1 = em.ew([pv, gv, s[kv]], lambda b, pp, gg, v: b.add(
                b.mul(b.const(b2), v), b.mul(b.const(1.0 - b2),
                                             (lambda q: b.mul(q, q))(grad(b, pp, gg)))),
                pv.shape)

            def upd(b, pp, m, v, tt):
                bc1 = b.sub(b.const(1.0), b.op(f"math.powf {b.const(b1)}, {tt}"))
                bc2 = b.sub(b.const(1.0), b.op(f"math.powf {b.const(b2)}, {tt}"))
                denom = b.add(b.div(b.math("sqrt", v), b.math("sqrt", bc2)), b.const(eps))
                step = b.div(b.const(lr), bc1)
                p0 = b.mul(pp, b.const(1.0 - lr * wd)) if adamw and wd else pp
                return b.sub(p0, b.mul(step, b.div(m, denom)))
            new_p.append(em.ew([pv, m1, v1, t1], upd, pv.shape))
            new_s[km], new_s[kv] = m1, v1
        return new_p, new_s

    def torch_state_dict(self, values: List[np.ndarray]) -> dict:
        """The optimizer's state in torch.optim's state_dict format."""
        state: Dict[int, dict] = {}
        step = None
        for (name, shape, key, i), v in zip(self.specs, values):
            if i < 0:
                step = float(np.asarray(v))
        for (name, shape, key, i), v in zip(self.specs, values):
            if i >= 0:
                st = state.setdefault(i, {})
                st[key] = torch.from_numpy(np.array(v, np.float32))
                if self.kind != "SGD":
                    st["step"] = torch.tensor(step)
        sd = self.optimizer.state_dict()
        return {"state": state, "param_groups": sd["param_groups"]}

    def load_torch_state(self, sd: dict) -> List[np.ndarray]:
        st = sd.get("state", {})
        out = []
        for name, shape, key, i in self.specs:
            if i >= 0:
                v = st.get(i, {}).get(key)
                out.append(np.zeros(shape, np.float32) if v is None
                           else np.array(torch.as_tensor(v).float().numpy()))
            else:
                steps = [float(s["step"]) for s in st.values() if "step" in s]
                out.append(np.array(steps[0] if steps else 0.0, np.float32))
        return out


# ---------------------------------------------------------------------------
# The trainer
# ---------------------------------------------------------------------------

def _mutated_buffers(gm, buffer_names):
    """Buffer placeholders some op writes (in-place ops, batch norm stats)."""
    out = set()
    names = set(buffer_names)
    for node in gm.graph.nodes:
        if node.op != "call_function":
            continue
        pk = _lower.packet(node.target)
        targets = []
        if pk.endswith("_") and not pk.startswith("_") and node.args:
            targets.append(node.args[0])
        if pk in ("native_batch_norm", "_native_batch_norm_legit") and len(node.args) > 5 \
                and node.args[5]:
            targets += [node.args[3], node.args[4]]
        for t in targets:
            if isinstance(t, torch.fx.Node) and t.name in names:
                out.add(t.name)
    return out


def _check_modules(model):
    problems = []
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.training and \
                m.track_running_stats and m.momentum is None:
            problems.append((type(m).__name__, name or "<model>",
                             "momentum=None (cumulative average) is not supported"))
    return problems


class Trainer:
    """Compiles `loss_fn(model(*inputs), target)` and the update of
    `optimizer` into one mixprec step (DESIGN §14)."""

    def __init__(self, model: torch.nn.Module, loss_fn, optimizer, example_inputs,
                 policy: str = "float32", loss_scaling="mode=none", target: str = "cpu",
                 *, autocast: str = "", opt_level: int = 3, aot: bool = False,
                 seed=None):
        if not isinstance(model, torch.nn.Module):
            raise TypeError("Trainer: model must be a torch.nn.Module")
        ex = tuple(example_inputs)
        if len(ex) < 2:
            raise ValueError("Trainer: example_inputs must be (inputs..., target)")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self._n_inputs = len(ex) - 1
        everything = [(n, p) for n, p in model.named_parameters()]
        # frozen parameters (requires_grad=False) are constants of the graph,
        # traced at their values now: not differentiated, not updated
        named = [(n, p) for n, p in everything if p.requires_grad]
        self._frozen = {n: p.detach().clone() for n, p in everything if not p.requires_grad}
        self._all_param_names = [n for n, _ in everything]
        self.param_names = [n for n, _ in named]
        self.buffer_names = [n for n, _ in model.named_buffers()]
        self._opt = _Opt(optimizer, [p for _, p in named], self.param_names,
                         ignore=[p for n, p in everything if not p.requires_grad])

        problems = _check_modules(model)
        traced = trace(model, loss_fn, ex[:-1], ex[-1])
        mutated = _mutated_buffers(traced.gm, traced.buffers)
        self._random = any(_lower.packet(n.target).rstrip("_") in _lower.RANDOM_LOWERED
                           for n in traced.gm.graph.nodes if n.op == "call_function")
        self.seed = int(torch.initial_seed() if seed is None else seed) & ((1 << 62) - 1)
        self._state_buffers = [i for i, n in enumerate(traced.buffers) if n in mutated]
        bufs = dict(model.named_buffers())
        ir, errors = self._emit(traced, [bufs[n] for n in self.buffer_names], ex, named)
        errors = [(m, p, r, "") for m, p, r in problems] + errors
        if errors:
            lines = [f"  {op} at {path or '<model>'}: {why}" + (f" ({src})" if src else "")
                     for op, path, why, src in errors]
            raise UnsupportedError(
                f"mixprec.torch: {len(errors)} unsupported op(s) / module(s):\n" +
                "\n".join(lines), errors)
        self.graph = Graph(ir, self._arg_names, self.param_names,
                           [s[0] for s in self._opt.specs],
                           [self.buffer_names[i] for i in self._state_buffers])
        self._step = core.compile(ir, policy=policy, loss_scaling=loss_scaling,
                                  target=target, autocast=autocast, opt_level=opt_level,
                                  aot=aot)
        self.policy = self._step.policy
        self.skipped = 0
        self.steps = 0
        self._args = [None] * len(self._step.args)
        init = ([p.detach().float().numpy().copy() for _, p in named] + self._opt.initial() +
                [bufs[self.buffer_names[i]].detach().numpy().copy()
                 for i in self._state_buffers])
        if self._random:
            init.append(np.array(self.seed, np.int64))
        self._trained = self._step.arg_indices("param", "state")
        if len(self._trained) != len(init):
            raise RuntimeError(f"mixprec.torch: internal error: {len(self._trained)} "
                               f"param/state arguments for {len(init)} tensors")
        for i, v in zip(self._trained, init):
            self._args[i] = self._to_arg(i, v)
        for i, v in self._step.initial_scale_state().items():
            self._args[i] = v
        self._data = self._step.arg_indices("data")

    # IR ----------------------------------------------------------------
    def _emit(self, tr, buffers, ex, named):
        gm = tr.gm
        inputs_t = list(ex[:-1]) + [ex[-1]]
        data_names = tr.inputs + [tr.target]
        # signature pieces: (placeholder name, V in @loss, mp.name)
        pv = [V(f"%arg_p{i}", tuple(p.shape)) for i, (_, p) in enumerate(named)]
        bv = {}
        for i, n in enumerate(tr.buffers):
            if i in self._state_buffers:
                b = buffers[i]
                bv[n] = V(f"%arg_b{i}", tuple(b.shape), _dt(b))
        xv = [V(f"%arg_x{i}", tuple(t.shape), _dt(t)) for i, t in enumerate(inputs_t)]
        if self._random:  # the seed of the dropout masks: state like a buffer
            bv[_lower.SEED] = V("%arg_seed", (), "i64")
        errors = []
        # Embedding(padding_idx): its padding row reads the weight through a
        # second, undifferentiated argument (the same tensor at the call),
        # so that row gets no gradient, as in PyTorch
        ph_of = dict(zip(self._all_param_names, tr.params))
        trainable_ph = [ph_of[n] for n, _ in named]
        detached = []
        for node in gm.graph.nodes:
            if node.op == "call_function" and _lower.packet(node.target) == "embedding":
                pad = node.args[2] if len(node.args) > 2 else node.kwargs.get("padding_idx", -1)
                src = node.args[0]
                if pad is not None and pad >= 0 and isinstance(src, torch.fx.Node) and \
                        src.name in trainable_ph and src.name not in detached:
                    detached.append(src.name)
        det_idx = [trainable_ph.index(ph) for ph in detached]
        dv = [V(f"%arg_d{k}", pv[i].shape) for k, i in enumerate(det_idx)]

        def lower(em, pvals, bvals, xvals, dvals=None):
            it = iter(pvals)
            ins = {ph: self._frozen[n] if n in self._frozen else next(it)
                   for ph, n in zip(tr.params, self._all_param_names)}
            for i, n in enumerate(tr.buffers):
                ins[n] = bvals.get(n, buffers[i])  # unwritten buffers are constants
            if _lower.SEED in bvals:
                ins[_lower.SEED] = bvals[_lower.SEED]
            ins.update(zip(data_names, xvals))
            L = _lower.Lowering(gm, em, ins, tr.paths)
            L.detached = dict(zip(detached, dvals if dvals is not None else
                                  [pvals[i] for i in det_idx]))
            out = L.run()
            if not errors:
                for op, path, why in L.errors:
                    # the source line of the first node of that op at that path
                    src = ""
                    for node in gm.graph.nodes:
                        if _lower.op_name(node) == op and tr.paths.get(node.name, "") == path:
                            src = tr.where.get(node.name, "")
                            break
                    errors.append((op, path, why, src))
                if not L.errors and not (isinstance(out, V) and out.shape == () and
                                         out.dt == "f32"):
                    errors.append(("output", "", "loss_fn must return a 0-d float32 tensor",
                                   ""))
            return out, L.mutated

        em = Emitter()
        loss, _ = lower(em, pv, bv, xv, dv)
        if errors:
            return "", errors
        sig = ([f"{v.name}: {v.type}" for v in pv] + [f"{v.name}: {v.type}" for v in dv] +
               [f"{v.name}: {v.type}" for v in bv.values()] +
               [f"{v.name}: {v.type}" for v in xv])
        text = [f"// Generated by mixprec.torch from {type(self.model).__name__}: "
                f"{len(pv)} params, {self._opt.kind} ({len(self._opt.specs)} state tensors), "
                f"{len(bv)} buffers.",
                f"func.func @loss({', '.join(sig)}) -> tensor<f32> {{"]
        text += em.lines
        text += [f"  return {loss.name} : tensor<f32>", "}", ""]

        # @train_step(params, opt state, buffers, data)
        em = Emitter("t")
        ap = [V(f"%arg_a{i}", v.shape) for i, v in enumerate(pv)]
        ast = [V(f"%arg_s{i}", sh) for i, (_, sh, _, _) in enumerate(self._opt.specs)]
        ab = {n: V(f"%arg_sb{i}", v.shape, v.dt) for i, (n, v) in enumerate(bv.items())}
        ax = [V(f"%arg_tx{i}", v.shape, v.dt) for i, v in enumerate(xv)]
        gnames = [f"%grad_{i}" for i in range(len(ap))]
        ad = [ap[i] for i in det_idx]
        call = [v.name for v in ap + ad] + [v.name for v in ab.values()] + [v.name for v in ax]
        ctypes = [v.type for v in ap + ad] + [v.type for v in ab.values()] + [v.type for v in ax]
        em.emit(f"%loss_, {', '.join(gnames)} = mp.value_and_grad @loss({', '.join(call)}) "
                f"{{wrt = array<i64: {', '.join(str(i) for i in range(len(ap)))}>}}\n"
                f"    : ({', '.join(ctypes)})\n"
                f"    -> (tensor<f32>, {', '.join(v.type for v in ap)})", loc=False)
        grads = [V(g, v.shape) for g, v in zip(gnames, ap)]
        new_p, new_s = self._opt.emit(em, ap, grads, ast)
        new_b = []
        if ab:  # the forward again for the written buffers (running statistics)
            _, mut = lower(em, ap, ab, ax)
            new_b = [mut.get(n, ab[n]) for n in ab]
        results = new_p + new_s + new_b
        names = (self.param_names + [s[0] for s in self._opt.specs] +
                 [self.buffer_names[i] for i in self._state_buffers] +
                 (["rng.seed"] if self._random else []))
        args = ap + ast + list(ab.values())
        em.emit(f"return {', '.join(v.name for v in results)}, %loss_ : "
                f"{', '.join(v.type for v in results)}, tensor<f32>", loc=False)
        arg_sig = [f"{a.name}: {a.type} {{mp.name = {_string(n)}}}" for a, n in zip(args, names)]
        arg_sig += [f"{v.name}: {v.type} {{mp.name = {_string(n)}}}"
                    for v, n in zip(ax, [f"input{i}" for i in range(len(ax) - 1)] + ["target"])]
        res_sig = [f"{v.type} {{mp.updates = {i}}}" for i, v in enumerate(results)]
        text.append("func.func @train_step(" + ",\n    ".join(arg_sig) + ")\n    -> (" +
                    ",\n        ".join(res_sig + ["tensor<f32>"]) + ") {")
        text += em.lines
        text.append("}")
        self._arg_names = names + [f"input{i}" for i in range(len(ax) - 1)] + ["target"]
        return "\n".join(text) + "\n", []

    # conversion --------------------------------------------------------
    def _to_arg(self, i, v):
        a = self._step.args[i]
        v = np.asarray(v)
        if a.dtype == "bfloat16":
            return to_bfloat16(v.astype(np.float32))
        return np.array(v, dtype=a.numpy_dtype, order="C")

    def _from_arg(self, i) -> np.ndarray:
        a = self._step.args[i]
        v = self._args[i]
        if a.dtype == "bfloat16":
            return from_bfloat16(v)
        return np.asarray(v)

    # public API --------------------------------------------------------
    def step(self, *batch) -> float:
        """One compiled training step on (inputs..., target); returns the
        loss as a float."""
        if len(batch) != len(self._data):
            raise ValueError(f"Trainer.step: expected {len(self._data)} tensors "
                             f"(inputs..., target), got {len(batch)}")
        for i, t in zip(self._data, batch):
            a = self._step.args[i]
            arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
            if tuple(arr.shape) != a.shape:
                raise ValueError(f"Trainer.step: {a.name} has shape {tuple(arr.shape)}, the "
                                 f"step was traced at {a.shape} (shapes are static)")
            self._args[i] = np.array(arr, dtype=a.numpy_dtype, order="C", copy=False)
        res = self._step(*self._args)
        roles = {self._step.args[i].role: i for i in self._step.initial_scale_state()}
        for r in self._step.results:
            if r.role == "update":
                v = res[r.index]
                shape = self._step.args[r.updates].shape
                self._args[r.updates] = v if v.shape == shape else v.reshape(shape)
            elif r.role in roles:
                self._args[roles[r.role]] = res[r.index]
        self.steps += 1
        ovf = self._step.overflow_result
        if ovf >= 0 and bool(res[ovf]):
            self.skipped += 1
        return core._to_float(res[self._step.loss_result],
                              self._step.results[self._step.loss_result].dtype)

    def _scale_arg(self, role):
        for i in self._step.initial_scale_state():
            if self._step.args[i].role == role:
                return i
        return None

    @property
    def scale(self) -> float:
        """The current loss scale (1.0 without loss scaling; the static
        scale in static mode)."""
        i = self._scale_arg("loss_scale")
        if i is None:
            ls = self._step.loss_scaling
            return float(ls["init-scale"]) if ls["mode"] == "static" else 1.0
        return core._to_float(self._args[i], self._step.args[i].dtype)

    def _values(self):
        return [self._from_arg(i) for i in self._trained]

    def state_dict(self) -> dict:
        """{"model": params and buffers (torch names), "optimizer":
        torch.optim state_dict format, "scaler": GradScaler key names,
        "steps", "skipped"}."""
        vals = self._values()
        n, k = len(self.param_names), len(self._opt.specs)
        model = {name: torch.from_numpy(np.array(v, np.float32))
                 for name, v in zip(self.param_names, vals[:n])}
        model.update((name, t.clone()) for name, t in self._frozen.items())
        nb = len(self._state_buffers)
        written = dict(zip([self.buffer_names[i] for i in self._state_buffers],
                           vals[n + k:n + k + nb]))
        for name, b in self.model.named_buffers():
            v = written.get(name)
            model[name] = b.detach().clone() if v is None else \
                torch.from_numpy(np.array(v)).to(b.dtype)
        ls = self._step.loss_scaling
        scaler = {"scale": self.scale, "growth_factor": float(ls["growth-factor"]),
                  "backoff_factor": float(ls["backoff-factor"]),
                  "growth_interval": int(ls["growth-interval"]), "_growth_tracker": 0}
        gt = self._scale_arg("growth_tracker")
        if gt is not None:
            scaler["_growth_tracker"] = int(np.asarray(self._args[gt]))
        hy = self._scale_arg("hysteresis")
        if hy is not None:
            scaler["_hysteresis"] = int(np.asarray(self._args[hy]))
        sd = {"model": model, "optimizer": self._opt.torch_state_dict(vals[n:n + k]),
              "scaler": scaler, "steps": self.steps, "skipped": self.skipped}
        if self._random:  # the dropout generator's counter
            sd["rng_seed"] = int(np.asarray(vals[-1]))
        return sd

    def load_state_dict(self, sd: dict):
        """Restores what `state_dict` returned (or a torch model /
        optimizer / GradScaler state dict under those keys)."""
        model = sd["model"]
        missing = [k for k in self.param_names if k not in model]
        if missing:
            raise KeyError(f"Trainer.load_state_dict: missing {missing}")
        for k, t in self._frozen.items():
            if k in model and not torch.equal(torch.as_tensor(model[k]).to(t.dtype), t):
                raise ValueError(f"Trainer.load_state_dict: frozen parameter '{k}' differs "
                                 f"from the value it was compiled with (frozen parameters "
                                 f"are constants of the graph)")
        vals = [torch.as_tensor(model[k]).detach().float().numpy() for k in self.param_names]
        vals += self._opt.load_torch_state(sd.get("optimizer", {"state": {}}))
        for i in self._state_buffers:
            name = self.buffer_names[i]
            vals.append(torch.as_tensor(model[name]).detach().numpy())
        if self._random:
            vals.append(np.array(int(sd.get("rng_seed", self.seed)), np.int64))
        for i, v in zip(self._trained, vals):
            if tuple(np.shape(v)) != self._step.args[i].shape:
                raise ValueError(f"Trainer.load_state_dict: {self._step.args[i].name} has "
                                 f"shape {np.shape(v)}, expected {self._step.args[i].shape}")
            self._args[i] = self._to_arg(i, v)
        sc = sd.get("scaler")
        if sc:
            for role, key in (("loss_scale", "scale"), ("growth_tracker", "_growth_tracker"),
                              ("hysteresis", "_hysteresis")):
                i = self._scale_arg(role)
                if i is not None and key in sc:
                    a = self._step.args[i]
                    self._args[i] = (core._from_float(float(sc[key]), a.dtype)
                                     if role == "loss_scale" else
                                     np.array(int(sc[key]), a.numpy_dtype))
        self.steps = int(sd.get("steps", self.steps))
        self.skipped = int(sd.get("skipped", self.skipped))

    def copy_to(self, model: torch.nn.Module = None):
        """Writes the trained params and buffers into `model` (default: the
        traced one) in place."""
        model = self.model if model is None else model
        sd = self.state_dict()["model"]
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(sd[name])
            for name, b in model.named_buffers():
                b.copy_(sd[name])
        return model

    def __repr__(self):
        if not hasattr(self, "_step"):
            return "Trainer(<not constructed>)"
        return (f"Trainer({type(self.model).__name__}, {self._opt.kind}, "
                f"policy={self._step.policy.spec!r}, loss_scaling="
                f"{self._step.loss_scaling['mode']!r})")
