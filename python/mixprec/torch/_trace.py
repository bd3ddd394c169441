"""Tracing `loss_fn(model(*inputs), target)` at concrete shapes with make_fx
(aten level, forward only), with the module path of every node."""

from __future__ import annotations

import contextlib
import os
import traceback
from typing import Dict, List

import torch
from functorch import functionalize
from torch.fx.experimental.proxy_tensor import make_fx
from torch.nn.utils import stateless

_TORCH_DIR = os.path.dirname(torch.__file__)


class Traced:
    """gm: the fx GraphModule; params / buffers / inputs / target: the
    placeholder names of each role, in order; paths: node name -> module
    path ("layer1.0.conv1", "loss" for a loss module); where: node name ->
    "file:line" of the user code that made it."""

    def __init__(self, gm, params, buffers, inputs, target, paths, where):
        self.gm, self.params, self.buffers = gm, params, buffers
        self.inputs, self.target = inputs, target
        self.paths, self.where = paths, where


@contextlib.contextmanager
def _module_paths(names: Dict[int, str], paths: Dict[str, str], where: Dict[str, str]):
    stack: List[str] = []

    def pre(mod, args):
        stack.append(names.get(id(mod), stack[-1] if stack else ""))

    def post(mod, args, out):
        if stack:
            stack.pop()

    h1 = torch.nn.modules.module.register_module_forward_pre_hook(pre)
    h2 = torch.nn.modules.module.register_module_forward_hook(post)
    orig = torch.fx.Graph.create_node

    def create_node(self, *a, **kw):
        node = orig(self, *a, **kw)
        if stack:
            paths[node.name] = stack[-1]
        for fr in reversed(traceback.extract_stack(limit=40)[:-1]):
            if not fr.filename.startswith(_TORCH_DIR) and "mixprec/torch" not in fr.filename:
                where[node.name] = f"{fr.filename}:{fr.lineno}"
                break
        return node

    torch.fx.Graph.create_node = create_node
    try:
        yield
    finally:
        torch.fx.Graph.create_node = orig
        h1.remove()
        h2.remove()


def trace(model, loss_fn, inputs, target) -> Traced:
    pnames = [n for n, _ in model.named_parameters()]
    bnames = [n for n, _ in model.named_buffers()]
    names = {id(m): n for n, m in model.named_modules() if n}
    if isinstance(loss_fn, torch.nn.Module):
        names[id(loss_fn)] = "loss"

    def f(params, buffers, xs, y):
        d = dict(zip(pnames, params))
        d.update(zip(bnames, buffers))
        out = stateless.functional_call(model, d, tuple(xs))
        return loss_fn(out, y)

    params = [p.detach().clone() for _, p in model.named_parameters()]
    buffers = [b.detach().clone() for _, b in model.named_buffers()]
    paths: Dict[str, str] = {}
    where: Dict[str, str] = {}
    with _module_paths(names, paths, where):
        # functionalize: writes through views (x[:, 0] += 1) become
        # slice_scatter / select_scatter, writes to inputs a final copy_
        gm = make_fx(functionalize(f))(params, buffers, list(inputs), target)
    ph = [n.name for n in gm.graph.nodes if n.op == "placeholder"]
    np_, nb, nx = len(params), len(buffers), len(inputs)
    return Traced(gm, ph[:np_], ph[np_:np_ + nb], ph[np_ + nb:np_ + nb + nx],
                  ph[np_ + nb + nx], paths, where)
