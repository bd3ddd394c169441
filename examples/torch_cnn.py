"""Train a small BatchNorm CNN with mixprec.torch, fp32 and mixed_bfloat16,
side by side with PyTorch fp32 and torch.autocast(bfloat16), from the same
init and data, and print the per-step losses.

    PYTHONPATH=build/python /usr/bin/python3 examples/torch_cnn.py [--steps N]
"""

import argparse
import copy
import time

import torch
import torch.nn as nn

import mixprec.torch as mpt


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.features(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(1)
    # a learnable task: the label is the channel-0 mean's decile
    data = []
    for _ in range(4):
        x = torch.randn(args.batch, 3, 16, 16, generator=g)
        y = torch.bucketize(x[:, 0].mean((1, 2)) * 16,
                            torch.linspace(-1.6, 1.6, 9)).clamp(0, 9)
        data.append((x, y))
    base = Net()
    loss_fn = nn.CrossEntropyLoss()

    def sgd(m):
        return torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

    runs, ms = {}, {}
    for name, policy, scaling in (("mixprec fp32", "float32", "mode=none"),
                                  ("mixprec bf16", "mixed_bfloat16", "mode=dynamic")):
        model = copy.deepcopy(base)
        t0 = time.perf_counter()
        tr = mpt.Trainer(model, loss_fn, sgd(model), example_inputs=data[0],
                         policy=policy, loss_scaling=scaling)
        print(f"{name}: compiled in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        runs[name] = [tr.step(*data[s % 4]) for s in range(args.steps)]
        ms[name] = (time.perf_counter() - t0) * 1e3 / args.steps
    for name, dtype in (("torch fp32", None), ("torch autocast bf16", torch.bfloat16)):
        model = copy.deepcopy(base)
        opt = sgd(model)
        losses = []
        t0 = time.perf_counter()
        for s in range(args.steps):
            x, y = data[s % 4]
            opt.zero_grad()
            if dtype is None:
                loss = loss_fn(model(x), y)
            else:
                with torch.autocast("cpu", dtype=dtype):
                    out = model(x)
                loss = loss_fn(out.float(), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        ms[name] = (time.perf_counter() - t0) * 1e3 / args.steps
        runs[name] = losses
    names = list(runs)
    print("step " + "".join(f"{n:>21}" for n in names))
    for s in range(args.steps):
        print(f"{s:4d} " + "".join(f"{runs[n][s]:21.5f}" for n in names))
    print("ms/step " + "".join(f"{ms[n]:18.1f}" for n in names))
    f32 = max(abs(a - b) / abs(b) for a, b in zip(runs["mixprec fp32"], runs["torch fp32"]))
    print(f"mixprec fp32 vs torch fp32: max relative difference {f32:.2g}")
    print(f"final loss: mixprec bf16 {runs['mixprec bf16'][-1]:.4f}, torch autocast "
          f"{runs['torch autocast bf16'][-1]:.4f}, torch fp32 {runs['torch fp32'][-1]:.4f}")


if __name__ == "__main__":
    main()
