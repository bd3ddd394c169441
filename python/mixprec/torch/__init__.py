"""mixprec.torch: train a torch.nn.Module through mixprec (docs/torch.md).

    import mixprec.torch as mpt
    tr = mpt.Trainer(model, loss_fn, optimizer, example_inputs=(x, y),
                     policy="mixed_bfloat16", loss_scaling="mode=dynamic")
    loss = tr.step(x, y)

`loss_fn(model(x), y)` is traced with make_fx at the example shapes (aten
level, forward only), lowered to the DESIGN §2 training graph in
linalg / tensor / arith / math (`tr.graph.ir`) with the optimizer's update
read from its param_groups, and compiled with `mixprec.compile`. Needs
Debian's python3-torch (1.13); nothing else in mixprec imports torch.
"""

from .trainer import Graph, Trainer, UnsupportedError

__all__ = ["Graph", "Trainer", "UnsupportedError"]
