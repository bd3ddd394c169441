#!/usr/bin/python3
"""CPU training-step benchmark: compiled mixprec steps vs PyTorch, in one run.

For each model (benchmarks/gen_graphs.py):
  ours fp32          mp-run --policy float32 --loss-scaling mode=none
  ours bf16 dynamic  mp-run --policy mixed_bfloat16 --loss-scaling mode=dynamic
  ours bf16 none     mp-run --policy mixed_bfloat16 --loss-scaling mode=none
  torch fp32         the same model, shapes and SGD in PyTorch
  torch bf16         the same under torch.autocast('cpu', dtype=torch.bfloat16)
Models: mlp, transformer (gen_graphs.py) and gpt1 / gpt2, issue 18's
GPT-style stack at 1 and 2 layers (mixprec.nn; torch.nn + Adam on the torch
side). Both sides run on --threads threads. Every model's result records the
CPU flags it ran on (avx512_bf16, amx_bf16) and the load average per repeat.
ms/step = median over the timed steps of a run (the first call is excluded),
then the median over --repeats runs. Configurations are interleaved per
repeat so that machine noise hits them alike.

Plus a compile-time benchmark: a generated deep training graph of about
--compile-ops ops (and 10x that) through mp-mixed-precision + mp-to-cpu.

Writes the JSON and the plot to --out / --plot (default: a fresh temporary
directory, so that a run never overwrites the committed
benchmarks/cpu_train_step.json and .png; pass --out benchmarks/... to
update them).
Run with Debian's python3 (torch 1.13, numpy, matplotlib):
  /usr/bin/python3 benchmarks/cpu_train_step.py
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_graphs  # noqa: E402
from compile_bench import machine, run as compile_bench  # noqa: E402

MODELS = {
    # name: (generator, mp-run task, description)
    "mlp": (lambda: gen_graphs.mlp(256, (1024, 1024, 1024, 16)), "classify",
            "MLP 1024-1024-1024-16, batch 256, ReLU, softmax CE, SGD"),
    "transformer": (lambda: gen_graphs.transformer(8, 64, 256, 1024), "regress",
                    "pre-norm transformer block, batch 8, seq 64, d 256, "
                    "MLP 1024, single head, MSE, SGD"),
}


def gpt_graph(layers, d=256, heads=4, B=8, T=64):
    """Issue 18's GPT-style stack (mixprec.nn): `layers` x (pre-norm residual
    attention with `heads` heads, pre-norm residual GELU MLP 4d), MSE, Adam."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "build", "python"))
    from mixprec import nn
    blocks = []
    for _ in range(layers):
        blocks.append(nn.Residual(nn.Sequential(nn.LayerNorm(d), nn.Attention(d, heads))))
        blocks.append(nn.Residual(nn.Sequential(
            nn.LayerNorm(d), nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))))
    return nn.build(nn.Sequential(*blocks), (B, T, d), (B, T, d),
                    loss=nn.MSE(), optimizer=nn.Adam(1e-3)).ir


for _layers in (1, 2):
    MODELS[f"gpt{_layers}"] = (
        (lambda n: lambda: gpt_graph(n))(_layers), "regress",
        f"GPT-style stack, {_layers} layer(s): pre-norm attention (4 heads) + "
        "GELU MLP 4d, d 256, batch 8, seq 64, MSE, Adam (mixprec.nn)")

OURS = {
    "ours_fp32": ["--policy", "float32", "--loss-scaling", "mode=none"],
    "ours_bf16": ["--policy", "mixed_bfloat16", "--loss-scaling", "mode=dynamic"],
    "ours_bf16_noscale": ["--policy", "mixed_bfloat16", "--loss-scaling", "mode=none"],
}


OURS_ENV = dict(os.environ)  # set by main: the threads of our GEMMs


def run_ours(mp_run, path, task, flags, steps, workdir, extra):
    report = os.path.join(workdir, "report.json")
    cmd = [mp_run, path, "--steps", str(steps + 1), "--batches", "1",
           "--print-every", "0", "--task", task, "--report", report] + flags + extra
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=OURS_ENV)
    r = json.load(open(report))
    ms = [s["ms"] for s in r["steps"][1:]]
    return {"ms": statistics.median(ms), "compile_ms": r["summary"]["compile_ms"],
            "peak_tensor_bytes": r["summary"].get("peak_tensor_bytes"),
            "peak_rss_bytes": r["summary"]["peak_rss_bytes"],
            "final_loss": r["summary"]["final_loss"],
            "skipped_steps": r["summary"]["skipped_steps"]}


# ---------------------------------------------------------------------------
# PyTorch versions of the same graphs (x @ W + b layout, same losses, SGD).

def torch_gpt(layers, torch, d=256, heads=4, B=8, T=64):
    """The GPT-style stack in torch.nn (nn.Linear / LayerNorm, F.gelu tanh,
    softmax attention with `heads` heads), MSE, Adam like mixprec.nn's."""
    nnt, F = torch.nn, torch.nn.functional
    torch.manual_seed(0)

    class Attn(nnt.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = (nnt.Linear(d, d, bias=False)
                                              for _ in range(4))

        def forward(self, x):
            def split(t):
                return t.reshape(B, T, heads, d // heads).transpose(1, 2)
            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            p = torch.softmax(q @ k.transpose(-1, -2) * (d // heads) ** -0.5, dim=-1)
            return self.o((p @ v).transpose(1, 2).reshape(B, T, d))

    class Block(nnt.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nnt.LayerNorm(d), nnt.LayerNorm(d)
            self.attn = Attn()
            self.fc1, self.fc2 = nnt.Linear(d, 4 * d), nnt.Linear(4 * d, d)

        def forward(self, x):
            h = x + self.attn(self.ln1(x))
            return h + self.fc2(F.gelu(self.fc1(self.ln2(h)), approximate="tanh"))

    model = nnt.Sequential(*(Block() for _ in range(layers)))
    x = torch.randn(B, T, d)
    y = torch.tanh(torch.randn(B, T, d))

    def loss_fn():
        return ((model(x).float() - y) ** 2).mean()
    return list(model.parameters()), loss_fn, \
        lambda ps: torch.optim.Adam(ps, lr=1e-3)


def torch_model(name, torch):
    if name.startswith("gpt"):
        return torch_gpt(int(name[3:]), torch)
    g = torch.Generator().manual_seed(0)

    def glorot(i, o):
        lim = (6.0 / (i + o)) ** 0.5
        return ((torch.rand(i, o, generator=g) * 2 - 1) * lim).requires_grad_()

    def zeros(n):
        return torch.zeros(n, requires_grad=True)

    def ones(n):
        return torch.ones(n, requires_grad=True)

    if name == "mlp":
        dims, B = (1024, 1024, 1024, 16), 256
        params = []
        for i in range(3):
            params += [glorot(dims[i], dims[i + 1]), zeros(dims[i + 1])]
        x = torch.randn(B, dims[0], generator=g)
        y = torch.nn.functional.one_hot(torch.randint(0, 16, (B,), generator=g), 16).float()

        def loss_fn():
            h = x
            for i in range(3):
                h = h @ params[2 * i] + params[2 * i + 1]
                if i < 2:
                    h = torch.relu(h)
            logp = torch.log_softmax(h.float(), dim=1)
            return -(y * logp).sum() / B
        return params, loss_fn, lambda ps: torch.optim.SGD(ps, lr=0.01)
    b, s, d, f = 8, 64, 256, 1024
    P = dict(ln1_g=ones(d), ln1_b=zeros(d), wq=glorot(d, d), wk=glorot(d, d),
             wv=glorot(d, d), wo=glorot(d, d), ln2_g=ones(d), ln2_b=zeros(d),
             w1=glorot(d, f), b1=zeros(f), w2=glorot(f, d), b2=zeros(d))
    x = torch.randn(b, s, d, generator=g)
    tgt = torch.tanh(torch.randn(b, s, d, generator=g))
    F = torch.nn.functional

    def loss_fn():
        x2 = x.reshape(b * s, d)
        ln1 = F.layer_norm(x2, (d,), P["ln1_g"], P["ln1_b"], 1e-5)
        q = (ln1 @ P["wq"]).reshape(b, s, d)
        k = (ln1 @ P["wk"]).reshape(b, s, d)
        v = (ln1 @ P["wv"]).reshape(b, s, d)
        sc = torch.bmm(q, k.transpose(1, 2)) * d ** -0.5
        p = torch.softmax(sc, dim=2)
        att = torch.bmm(p, v).reshape(b * s, d)
        h = x2 + att @ P["wo"]
        ln2 = F.layer_norm(h, (d,), P["ln2_g"], P["ln2_b"], 1e-5)
        u = ln2 @ P["w1"] + P["b1"]
        gl = F.gelu(u, approximate="tanh")
        yv = h + gl @ P["w2"] + P["b2"]
        return ((yv.float() - tgt.reshape(b * s, d)) ** 2).mean()
    return list(P.values()), loss_fn, lambda ps: torch.optim.SGD(ps, lr=0.1)


def run_torch(name, torch, autocast, steps):
    params, loss_fn, make_opt = torch_model(name, torch)
    opt = make_opt(params)

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            loss = loss_fn()
        loss.backward()
        opt.step()
        return loss

    step()
    ms = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1e3)
    return {"ms": statistics.median(ms)}


# ---------------------------------------------------------------------------

def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = list(results)
    configs = ["ours_fp32", "ours_bf16", "ours_bf16_noscale", "torch_fp32", "torch_bf16_autocast"]
    fig, axes = plt.subplots(1, len(names), figsize=(5.5 * len(names), 4))
    if len(names) == 1:
        axes = [axes]
    for ax, name in zip(axes, names):
        vals = [results[name][c]["ms"] for c in configs]
        colors = ["#1f77b4", "#2ca02c", "#98df8a", "#ff7f0e", "#d62728"]
        ax.bar(range(len(configs)), vals, color=colors)
        ax.set_xticks(range(len(configs)))
        ax.set_xticklabels(["ours\nfp32", "ours bf16\ndynamic", "ours bf16\nno scaling",
                            "torch\nfp32", "torch bf16\nautocast"], fontsize=8)
        ax.set_ylabel("ms / training step (lower is better)")
        ax.set_title(name)
        for i, v in enumerate(vals):
            ax.text(i, v, f"{v:.1f}", ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    root = os.path.dirname(HERE)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--steps", type=int, default=20, help="timed steps per run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="threads of both sides: PyTorch intra-op, our GEMMs "
                         "(MIXPREC_NUM_THREADS, OPENBLAS_NUM_THREADS); default: "
                         "all cores")
    ap.add_argument("--aot", action="store_true", help="run our steps AOT instead of JIT")
    ap.add_argument("--serial-loops", action="store_true",
                    help="also time ours bf16 (dynamic) with the loop nests on "
                         "one thread (mp-to-cpu parallel-loops=0; GEMMs still "
                         "on --threads): column ours_bf16_serial_loops")
    ap.add_argument("--compile-ops", type=int, default=10000)
    ap.add_argument("--compile-timeout", type=float, default=300)
    ap.add_argument("--no-compile", action="store_true")
    scratch = tempfile.mkdtemp(prefix="mixprec-cpu-bench.")
    ap.add_argument("--out", default=os.path.join(scratch, "cpu_train_step.json"))
    ap.add_argument("--plot", default=os.path.join(scratch, "cpu_train_step.png"))
    args = ap.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    OURS_ENV.update(MIXPREC_NUM_THREADS=str(args.threads),
                    OPENBLAS_NUM_THREADS=str(args.threads))
    mp_run = os.path.join(args.build, "bin", "mp-run")
    mp_opt = os.path.join(args.build, "bin", "mp-opt")
    extra = ["--aot"] if args.aot else []
    if args.serial_loops:
        OURS["ours_bf16_serial_loops"] = OURS["ours_bf16"] + ["--cpu", "parallel-loops=0"]
    info = machine()
    info["torch"] = torch.__version__
    info["torch_threads"] = torch.get_num_threads()
    print(f"machine: {info}", flush=True)

    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name in args.models.split(","):
            gen, task, desc = MODELS[name]
            path = os.path.join(work, name + ".mlir")
            open(path, "w").write(gen())
            samples = {c: [] for c in list(OURS) + ["torch_fp32", "torch_bf16_autocast"]}
            last = {}
            loads = []
            for rep in range(args.repeats):
                loads.append(open("/proc/loadavg").read().split()[0])
                for c, flags in OURS.items():
                    r = run_ours(mp_run, path, task, flags, args.steps, work, extra)
                    samples[c].append(r["ms"])
                    last[c] = r
                for c, ac in (("torch_fp32", False), ("torch_bf16_autocast", True)):
                    samples[c].append(run_torch(name, torch, ac, args.steps)["ms"])
                print(f"{name} repeat {rep + 1}: " + "  ".join(
                    f"{c} {v[-1]:.2f}" for c, v in samples.items()), flush=True)
            res = {"description": desc,
                   # the CPU the figures were taken on, next to them
                   "cpu_flags": {k: info.get(k) for k in ("avx512_bf16", "amx_bf16")},
                   "threads": {"torch": torch.get_num_threads(),
                               "ours": int(OURS_ENV["MIXPREC_NUM_THREADS"])},
                   "loadavg_per_repeat": loads}
            for c, v in samples.items():
                res[c] = {"ms": statistics.median(v), "samples_ms": v}
                if c in last:
                    res[c].update({k: last[c][k] for k in
                                   ("compile_ms", "peak_tensor_bytes", "peak_rss_bytes",
                                    "final_loss", "skipped_steps")})
            ours_bf16 = res["ours_bf16"]["ms"]
            ours_fp32 = res["ours_fp32"]["ms"]
            res["vs_torch_bf16_autocast"] = res["torch_bf16_autocast"]["ms"] / ours_bf16
            res["vs_torch_fp32"] = res["torch_fp32"]["ms"] / ours_fp32
            res["bf16_vs_fp32_speedup"] = ours_fp32 / ours_bf16
            res["loss_scaling_overhead_pct"] = 100.0 * (
                ours_bf16 - res["ours_bf16_noscale"]["ms"]) / res["ours_bf16_noscale"]["ms"]
            res["peak_tensor_bytes"] = {c: res[c]["peak_tensor_bytes"] for c in OURS}
            results[name] = res
    summary = {"machine": info, "command": " ".join(["/usr/bin/python3"] + sys.argv),
               "flags": {"threads": args.threads, "serial_loops": args.serial_loops,
                         "aot": args.aot},
               "steps": args.steps, "repeats": args.repeats,
               "backend": "AOT" if args.aot else "JIT", "models": results}
    if not args.no_compile:
        with tempfile.TemporaryDirectory() as work:
            summary["compile_time"] = compile_bench(mp_opt, args.compile_ops, work, 1,
                                                    args.compile_timeout)
    summary["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]

    print()
    print(f"cpu flags: avx512_bf16={info.get('avx512_bf16')} amx_bf16={info.get('amx_bf16')}"
          f", load {info['loadavg_start']} -> {summary['machine']['loadavg_end']}")
    print(f"{'model':12} {'ours fp32':>10} {'ours bf16':>10} {'bf16 none':>10} "
          f"{'torch fp32':>10} {'torch bf16':>10} {'vs t.bf16':>9} {'vs t.fp32':>9} "
          f"{'bf16/fp32':>9} {'LS ovh%':>8}")
    for name, r in results.items():
        print(f"{name:12} {r['ours_fp32']['ms']:10.2f} {r['ours_bf16']['ms']:10.2f} "
              f"{r['ours_bf16_noscale']['ms']:10.2f} {r['torch_fp32']['ms']:10.2f} "
              f"{r['torch_bf16_autocast']['ms']:10.2f} {r['vs_torch_bf16_autocast']:9.2f} "
              f"{r['vs_torch_fp32']:9.2f} {r['bf16_vs_fp32_speedup']:9.2f} "
              f"{r['loss_scaling_overhead_pct']:8.2f}")
        if "ours_bf16_serial_loops" in r:
            print(f"{'':12} bf16 with serial loop nests "
                  f"{r['ours_bf16_serial_loops']['ms']:.2f} ms")
        print(f"{'':12} peak tensor MB: fp32 {r['peak_tensor_bytes']['ours_fp32'] / 2**20:.1f}"
              f"  bf16 {r['peak_tensor_bytes']['ours_bf16'] / 2**20:.1f}")
    json.dump(summary, open(args.out, "w"), indent=1)
    plot(results, args.plot)
    print(f"wrote {args.out} and {args.plot}")


if __name__ == "__main__":
    main()
