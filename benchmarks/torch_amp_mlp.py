#!/usr/bin/env python3
"""PyTorch AMP reference for examples/mlp.mlir: the same 784-256-10 MLP
(ReLU, softmax cross-entropy, SGD lr 0.1, batch 64), trained with
torch.autocast + torch.amp.GradScaler (init scale 32768, growth interval
2000, like mixprec's dynamic defaults), on the same initial weights and
batches when --inputs points at `mp-run --dump-inputs` output.

  python3 torch_amp_mlp.py --inputs inputs_mlp --dtype float16 --steps 200

Prints the loss every --print-every steps and ms/step (each step ends with
torch.cuda.synchronize(), as mixprec's compiled step ends with a stream
synchronisation)."""
import argparse
import os
import time

import numpy as np
import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--inputs", default="")
    p.add_argument("--dtype", default="float16",
                   choices=["float16", "bfloat16", "float32"])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--print-every", type=int, default=20)
    p.add_argument("--batches", type=int, default=8)
    p.add_argument("--dims", default="784,256,10",
                   help="input,hidden,classes of the 2-layer MLP")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the step's forward")
    a = p.parse_args()
    dev = torch.device("cuda")
    torch.manual_seed(0)

    def load(name, shape):
        path = os.path.join(a.inputs, name)
        return torch.from_numpy(
            np.fromfile(path, dtype=np.float32).reshape(shape)).to(dev)

    D, H, C = (int(v) for v in a.dims.split(","))
    B = a.batch
    if a.inputs:
        w1, b1 = load("arg0.bin", (D, H)), load("arg1.bin", (H,))
        w2, b2 = load("arg2.bin", (H, C)), load("arg3.bin", (C,))
        batches = []
        b = 0
        while os.path.exists(os.path.join(a.inputs, "batch%d.arg4.bin" % b)):
            batches.append((load("batch%d.arg4.bin" % b, (B, D)),
                            load("batch%d.arg5.bin" % b, (B, C))))
            b += 1
    else:
        lim1, lim2 = (6 / (D + H)) ** .5, (6 / (H + C)) ** .5
        w1 = (torch.rand(D, H, device=dev) * 2 - 1) * lim1
        w2 = (torch.rand(H, C, device=dev) * 2 - 1) * lim2
        b1, b2 = torch.zeros(H, device=dev), torch.zeros(C, device=dev)
        teacher = torch.randn(D, C, device=dev) / D ** .5
        batches = []
        for _ in range(a.batches):
            x = torch.randn(B, D, device=dev)
            y = torch.nn.functional.one_hot((x @ teacher).argmax(1), C).float()
            batches.append((x, y))
    params = [t.clone().requires_grad_(True) for t in (w1, b1, w2, b2)]
    opt = torch.optim.SGD(params, lr=0.1)
    amp = a.dtype != "float32"
    dtype = getattr(torch, a.dtype)
    scaler = torch.amp.GradScaler("cuda", init_scale=32768.0,
                                  growth_interval=2000, enabled=amp)

    def forward(x, y):
        w1, b1, w2, b2 = params
        h = torch.relu(x @ w1 + b1)
        logits = h @ w2 + b2
        logp = torch.log_softmax(logits.float(), dim=1)
        return -(y * logp).sum() / x.shape[0]

    fwd = torch.compile(forward) if a.compile else forward
    times = []
    for s in range(a.steps):
        x, y = batches[s % len(batches)]
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=dtype, enabled=amp):
            loss = fwd(x, y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
        if (s + 1) % a.print_every == 0 or s == 0:
            print("step %5d  loss %10.6f  scale %10g  %8.3f ms/step" %
                  (s + 1, loss.item(), scaler.get_scale() if amp else 1.0,
                   np.mean(times[1:]) if len(times) > 1 else times[0]))
    steady = times[10:] if len(times) > 20 else times[1:]
    print("torch %s: ms/step %.3f (median %.3f) over %d steps on %s" %
          (a.dtype, np.mean(steady), np.median(steady), len(steady),
           torch.cuda.get_device_name()))


if __name__ == "__main__":
    main()
