#!/usr/bin/env python3
"""PyTorch AMP references for examples/cnn.mlir and
examples/transformer_block.mlir (same math, same initial weights and batches
as a `mp-run --dump-inputs DIR` run), trained with torch.autocast + GradScaler
on a CUDA device. Prints the loss every N steps and ms/step; compare with
mp-cuda-train on the same inputs (docs/gpu.md).

  python3 torch_amp_examples.py --model cnn --inputs inputs_cnn --dtype float16
  python3 torch_amp_examples.py --model transformer_block --inputs inputs_transformer_block
"""
import argparse
import contextlib
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

SHAPES = {
    # argument index -> shape, as in the examples' @train_step signatures.
    "cnn": {0: (3, 3, 3, 8), 1: (8,), 2: (200, 10), 3: (10,),
            8: (16, 12, 12, 3), 9: (16, 10)},
    "transformer_block": {0: (32,), 1: (32,), 2: (32, 32), 3: (32, 32),
                          4: (32, 32), 5: (32, 32), 6: (32,), 7: (32,),
                          8: (32, 64), 9: (64,), 10: (64, 32), 11: (32,),
                          12: (4, 8, 32), 13: (4, 8, 32)},
}
DATA = {"cnn": (8, 9), "transformer_block": (12, 13)}


def cnn_loss(p, x, y):
    k, bk, w, b = p
    xc = x.permute(0, 3, 1, 2)                       # NHWC -> NCHW
    wc = k.permute(3, 2, 0, 1)                       # HWCF -> FCHW
    h = F.relu(F.conv2d(xc, wc, bk))
    h = F.max_pool2d(h, 2, 2)
    flat = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)   # NHWC flatten order
    logits = flat @ w + b
    logp = torch.log_softmax(logits.float(), dim=1)
    return -(y * logp).sum() / x.shape[0]


def transformer_loss(p, x, target):
    g1, b1n, wq, wk, wv, wo, g2, b2n, w1, b1, w2, b2 = p
    B, S, D = x.shape
    xf = x.reshape(B * S, D)
    ln1 = F.layer_norm(xf, (D,), g1, b1n, eps=1e-5)
    q, k, v = ln1 @ wq, ln1 @ wk, ln1 @ wv
    s = torch.bmm(q.reshape(B, S, D), k.reshape(B, S, D).transpose(1, 2))
    att = torch.bmm(torch.softmax(s / math.sqrt(D), dim=-1),
                    v.reshape(B, S, D)).reshape(B * S, D)
    h = xf + att @ wo
    ln2 = F.layer_norm(h, (D,), g2, b2n, eps=1e-5)
    u = F.gelu(ln2 @ w1 + b1, approximate="tanh")
    out = h + u @ w2 + b2
    return ((out.float() - target.reshape(B * S, D)) ** 2).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(SHAPES), required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--dtype", default="float16",
                    choices=["float16", "bfloat16", "float32"])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--print-every", type=int, default=20)
    ap.add_argument("--device", default="cuda",
                    help="cuda, or cpu (fp32 only) to check the model here")
    a = ap.parse_args()
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    shapes = SHAPES[a.model]

    def load(name, shape):
        arr = np.fromfile(os.path.join(a.inputs, name), dtype=np.float32)
        return torch.from_numpy(arr.reshape(shape)).to(dev)

    xi, yi = DATA[a.model]
    params = [load("arg%d.bin" % i, shapes[i]).requires_grad_(True)
              for i in sorted(shapes) if i not in (xi, yi)]
    batches = []
    while os.path.exists(os.path.join(a.inputs, "batch%d.arg%d.bin" % (len(batches), xi))):
        b = len(batches)
        batches.append((load("batch%d.arg%d.bin" % (b, xi), shapes[xi]),
                        load("batch%d.arg%d.bin" % (b, yi), shapes[yi])))
    if a.model == "cnn":
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
        loss_fn = cnn_loss
    else:
        opt = torch.optim.SGD(params, lr=0.1)
        loss_fn = transformer_loss
    amp = a.dtype != "float32"
    scaler = torch.cuda.amp.GradScaler( init_scale=32768.0,
                                  growth_interval=2000, enabled=amp)
    times = []
    for s in range(a.steps):
        x, y = batches[s % len(batches)]
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        ctx = (torch.autocast(a.device, dtype=getattr(torch, a.dtype))
               if amp else contextlib.nullcontext())
        with ctx:
            loss = loss_fn(params, x, y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
        if (s + 1) % a.print_every == 0 or s == 0:
            print("step %5d  loss %10.6f  %8.3f ms/step" %
                  (s + 1, loss.item(), np.mean(times[1:]) if s else times[0]))
    steady = times[10:] if len(times) > 20 else times[1:]
    print("torch %s %s: ms/step %.3f (median %.3f) over %d steps on %s" %
          (a.model, a.dtype, np.mean(steady), np.median(steady), len(steady),
           torch.cuda.get_device_name() if a.device == "cuda" else "cpu"))


if __name__ == "__main__":
    main()
