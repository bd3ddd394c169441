#!/usr/bin/env python3
"""GEMM-bound training steps on an NVIDIA GPU: mixprec's tensor-core
kernels (mp-to-nvptx, mp-gpu-mma-contractions) against PyTorch AMP
(torch.autocast + torch.amp.GradScaler, cuBLAS) on the same GPU, in f16 and
bf16: ms/step and achieved TFLOP/s, as JSON.

Models (generated with benchmarks/gen_graphs.py, SGD lr 0.1):
  mlp   MLP 4096-4096-4096 at batch 1024 (ReLU, softmax cross-entropy):
        fc1, fc2 forward; dW2, dh, dW1 backward (no input gradient):
        2 * B * (2 * D * H + 3 * H * C) = 171.8 GFLOP per step;
  gpt   the pre-norm transformer block of examples/transformer_block.mlir
        (single-head attention, GELU MLP, MSE loss) at batch 8, sequence
        T = 512, width d = 1024, MLP width 4096: 3 x the forward matmul
        FLOPs (QKV/O projections, scores, attention x V, MLP; the backward
        computes input and weight gradients of all of them) = 335 GFLOP.
TFLOP/s counts these matmul FLOPs only.

Two modes, like the other GPU scripts (docs/gpu.md, "Artifacts"):

  # here (LLVM, mixprec build): the step artifacts, runtime and driver
  /usr/bin/python3 benchmarks/gpu_gemm_step.py build --out build-gpu-gemm
  # on the GPU machine (no LLVM needed; torch for the reference)
  cd build-gpu-gemm && python3 gpu_gemm_step.py run --json gpu_gemm_step.json

`build` writes DIR/<model>.mlir, compiles DIR/<model>_{mixed_float16,
mixed_bfloat16}.so with `mp-run --target cuda --compile-only` (fatbin for
--chip, default sm_90; the tensor-core-report remarks go to
DIR/report_<model>_<policy>.txt), builds DIR/mp-cuda-train against the
CUDA runtime and copies this script there. `run` times `mp-cuda-train`
(synthetic data, --steps steps; its mean ms/step over the timed steps) and
the same step in PyTorch (forward under autocast, GradScaler, SGD;
torch.cuda.synchronize() after each step as mp-cuda-train does), and
prints / writes the JSON.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

MLP = dict(batch=1024, dims=(4096, 4096, 4096))
GPT = dict(b=8, s=512, d=1024, f=4096)
POLICIES = {"float16": "mixed_float16", "bfloat16": "mixed_bfloat16"}


def mlp_flops(batch, dims):
    """fc1, fc2 forward; dW2, dh, dW1 backward: 2 flops per multiply-add."""
    d, h, c = dims
    return 2 * batch * (2 * d * h + 3 * h * c)


def gpt_flops(b, s, d, f):
    """3 x forward: Q, K, V, O projections, Q K^T, P V, the two MLP layers."""
    t = b * s
    fwd = 2 * t * d * d * 4 + 2 * b * s * s * d * 2 + 2 * t * d * f * 2
    return 3 * fwd


FLOPS = {"mlp": mlp_flops(**MLP), "gpt": gpt_flops(**GPT)}


def build(a):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bdir = os.path.abspath(a.build_dir or os.path.join(root, "build"))
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, os.path.join(root, "benchmarks"))
    import gen_graphs
    graphs = {"mlp": gen_graphs.mlp(MLP["batch"], MLP["dims"], lr=0.1),
              "gpt": gen_graphs.transformer(**GPT, lr=0.1)}
    for model in a.models.split(","):
        path = os.path.join(out, model + ".mlir")
        with open(path, "w") as f:
            f.write(graphs[model])
        for pol in POLICIES.values():
            so = os.path.join(out, "%s_%s.so" % (model, pol))
            cmd = [os.path.join(bdir, "bin", "mp-run"), path, "--target",
                   "cuda", "--policy", pol, "--nvptx",
                   "chip=%s format=fatbin" % a.chip,
                   "--compile-only", "--aot-output", so]
            print("+", " ".join(cmd), flush=True)
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("gpu_gemm_step.py: mp-run failed for %s %s:\n%s"
                         % (model, pol, r.stderr[-4000:]))
            # mp-run prints no remarks: the same pipeline through mp-opt,
            # PTX, for the per-op decisions and the mma.sync count.
            cmd = [os.path.join(bdir, "bin", "mp-opt"), path,
                   "--mp-mixed-precision=policy=%s target=nvptx" % pol,
                   "--mp-to-nvptx=chip=%s format=isa tensor-core-report=true"
                   % a.chip]
            r = subprocess.run(cmd, capture_output=True, text=True)
            ptx = "".join(re.findall(r'assembly = "((?:[^"\\]|\\.)*)"',
                                     r.stdout))
            remarks = [l for l in r.stderr.splitlines() if "remark:" in l]
            with open(os.path.join(out, "report_%s_%s.txt" % (model, pol)),
                      "w") as f:
                f.write("\n".join(remarks) + "\n")
            print("  %s %s: %d contractions on tensor cores, %d FMA; %d "
                  "mma.sync in the PTX" % (
                      model, pol, sum("tensor cores" in l for l in remarks),
                      sum("FMA kernel" in l for l in remarks),
                      len(re.findall(r"mma\.sync\.aligned", ptx))))
    for f in (os.path.join(bdir, "lib", "libmixprec_cuda_runtime.so"),
              os.path.join(root, "runtime", "cuda",
                           "mixprec_cuda_runtime.h"),
              os.path.join(root, "tools", "mp-cuda-train", "mp-cuda-train.c"),
              os.path.abspath(__file__)):
        shutil.copy(f, out)
    subprocess.run(["cc", "-O2", "-std=c11", "mp-cuda-train.c", "-I.", "-L.",
                    "-lmixprec_cuda_runtime", "-ldl", "-lm",
                    "-Wl,--allow-shlib-undefined", "-Wl,-rpath,$ORIGIN",
                    "-o", "mp-cuda-train"], cwd=out, check=True)
    print("artifacts in %s; on the GPU machine: cd %s && python3 "
          "gpu_gemm_step.py run" % (out, os.path.basename(out)))


def run_ours(a, model, pol):
    here = os.path.dirname(os.path.abspath(__file__))
    so = os.path.join(here, "%s_%s.so" % (model, pol))
    cmd = [os.path.join(here, "mp-cuda-train"), so, "--steps", str(a.steps),
           "--print-every", str(a.steps)]
    r = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=a.timeout)
    m = re.search(r"^ms/step\s+(\S+)\s*$", r.stdout, re.M)
    loss = re.search(r"^final loss\s+(\S+)\s*$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        return {"error": (r.stdout + r.stderr)[-2000:]}
    return {"ms_per_step": float(m.group(1)),
            "final_loss": float(loss.group(1)) if loss else None}


def torch_mlp(torch, dev):
    d, h, c = MLP["dims"]
    b = MLP["batch"]
    lim1, lim2 = (6 / (d + h)) ** .5, (6 / (h + c)) ** .5
    params = [(torch.rand(d, h, device=dev) * 2 - 1) * lim1,
              torch.zeros(h, device=dev),
              (torch.rand(h, c, device=dev) * 2 - 1) * lim2,
              torch.zeros(c, device=dev)]
    teacher = torch.randn(d, c, device=dev) / d ** .5
    x = torch.rand(b, d, device=dev)
    y = torch.nn.functional.one_hot((x @ teacher).argmax(1), c).float()

    def forward(p, dtype):
        w1, b1, w2, b2 = p
        with torch.autocast("cuda", dtype=dtype):
            hid = torch.relu(x @ w1 + b1)
            logits = hid @ w2 + b2
        logp = torch.log_softmax(logits.float(), dim=1)
        return -(y * logp).sum() / b
    return params, forward


def torch_gpt(torch, dev):
    b, s, d, f = GPT["b"], GPT["s"], GPT["d"], GPT["f"]
    F = torch.nn.functional

    def lin(i, o):
        return (torch.rand(i, o, device=dev) * 2 - 1) * (6 / (i + o)) ** .5
    ones, zeros = torch.ones(d, device=dev), torch.zeros(d, device=dev)
    params = [ones.clone(), zeros.clone(), lin(d, d), lin(d, d), lin(d, d),
              lin(d, d), ones.clone(), zeros.clone(), lin(d, f),
              torch.zeros(f, device=dev), lin(f, d), zeros.clone()]
    x = torch.randn(b, s, d, device=dev)
    target = torch.randn(b, s, d, device=dev)

    def forward(p, dtype):
        g1, be1, wq, wk, wv, wo, g2, be2, w1, b1, w2, b2 = p
        with torch.autocast("cuda", dtype=dtype):
            n1 = F.layer_norm(x, (d,), g1, be1, 1e-5)
            q, k, v = n1 @ wq, n1 @ wk, n1 @ wv
            att = torch.softmax((q @ k.transpose(1, 2)) / math.sqrt(d), -1)
            hid = x + (att @ v) @ wo
            n2 = F.layer_norm(hid, (d,), g2, be2, 1e-5)
            y = hid + F.gelu(n2 @ w1 + b1, approximate="tanh") @ w2 + b2
        return ((y.float() - target) ** 2).mean()
    return params, forward


def run_torch(a, model, dtype_name):
    import torch
    dev = torch.device("cuda")
    torch.manual_seed(0)
    params, forward = (torch_mlp if model == "mlp" else torch_gpt)(torch, dev)
    params = [p.requires_grad_(True) for p in params]
    opt = torch.optim.SGD(params, lr=0.1)
    dtype = getattr(torch, dtype_name)
    scaler = torch.amp.GradScaler("cuda", init_scale=32768.0,
                                  growth_interval=2000)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = forward(params, dtype)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss

    for _ in range(a.warmup):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        loss = step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return {"ms_per_step": 1e3 * sum(times) / len(times),
            "final_loss": float(loss), "device": torch.cuda.get_device_name()}


def run(a):
    result = {"models": {"mlp": "MLP %s at batch %d" % (
        "-".join(map(str, MLP["dims"])), MLP["batch"]),
        "gpt": "pre-norm transformer block b=%(b)d T=%(s)d d=%(d)d f=%(f)d"
        % GPT}, "steps": a.steps, "runs": {}}
    for model in a.models.split(","):
        flops = FLOPS[model]
        for dt, pol in POLICIES.items():
            entry = {"gflop_per_step": flops / 1e9}
            for name, fn in (("mixprec", lambda: run_ours(a, model, pol)),
                             ("torch_amp", lambda: run_torch(a, model, dt))):
                try:
                    r = fn()
                except Exception as e:  # no torch, no GPU: say so in the JSON
                    r = {"error": repr(e)}
                if "ms_per_step" in r:
                    r["tflops"] = flops / (r["ms_per_step"] * 1e-3) / 1e12
                entry[name] = r
            if "ms_per_step" in entry["mixprec"] and \
                    "ms_per_step" in entry["torch_amp"]:
                entry["time_ratio_ours_over_torch"] = (
                    entry["mixprec"]["ms_per_step"] /
                    entry["torch_amp"]["ms_per_step"])
            result["runs"]["%s_%s" % (model, dt)] = entry
    text = json.dumps(result, indent=2)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("build", help="build the artifacts (needs mixprec)")
    b.add_argument("--out", default="build-gpu-gemm")
    b.add_argument("--build-dir", default="")
    b.add_argument("--chip", default="sm_90")
    b.add_argument("--models", default="mlp,gpt")
    r = sub.add_parser("run", help="time them on the GPU machine")
    r.add_argument("--steps", type=int, default=50)
    r.add_argument("--warmup", type=int, default=5)
    r.add_argument("--timeout", type=int, default=600)
    r.add_argument("--json", default="")
    r.add_argument("--models", default="mlp,gpt")
    a = p.parse_args()
    build(a) if a.mode == "build" else run(a)


if __name__ == "__main__":
    main()
