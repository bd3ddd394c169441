#!/usr/bin/python3
"""Compile-time benchmarks: a deep chain through the MLIR pipeline, and a
GPT-style stack through mp-run (MLIR + LLVM) at several depths.

--chain (the default when neither is given): generates two training graphs
with gen_graphs.chain (a deep tanh chain with 4 shared weights, 4 ops per
layer in @loss): one of about --ops ops and one 10x larger, times

  mp-opt G.mlir --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic" \\
         --mp-to-cpu -o /dev/null

(median of --repeats runs each) and prints both times and their ratio
(linear scaling: about 10; the goal: 15 s at 10,039 ops).

--gpt: the GPT-style model of issue 18, built with mixprec.nn (per layer:
LayerNorm + 4-head attention + LayerNorm + MLP d->4d->d, residuals; d=256,
B=8, T=64, MSE, Adam; identical layers are calls of one private function,
share_layers=True), at each depth of --depths (default 1,2,4,8,12):

  MLIR s   mp-opt M.mlir --mp-mixed-precision="policy=mixed_bfloat16
           mode=dynamic" --mp-to-cpu=outline-min-loops=256 -verify-each=0
           (what the compile API runs, verified once)
  total s  mp-run M.mlir --policy mixed_bfloat16 (loss scaling
           mode=dynamic, JIT): its compile time (parse, MLIR, LLVM, JIT)
  LLVM s   total - MLIR
  CPU s    the same as user + sys CPU seconds (/usr/bin/time; under load
           the wall times above grow, these much less)
  path s   the CPU seconds of the compile's critical path, from mp-run's
           compile_profile: MLIR + translation + LLVM's optimizer (one
           thread) + the slowest code generation partition (the
           partitions are compiled concurrently, MIXPREC_COMPILE_THREADS,
           default: all cores): the wall time on idle cores
  RSS      peak resident memory of that mp-run (MiB; compile dominates: the
           model's tensors are a few MiB)
  ms/step  mp-run's mean step time over --steps steps

mp-run runs --repeats times per depth; the row is the run of median total
compile time (all totals in total_s_samples), and the ratio compile(12) /
compile(1) (goal: at most 3, and at most 20 s for 12 layers on 2 cores) is
that of the medians. --inlined also measures share_layers=False.

Writes the JSON to --out, a file path or a directory to write
compile_time.json in (default: a fresh temporary directory, so that a
run never overwrites the committed benchmarks/compile_time*.json) and, for
--gpt, a plot next to it (--plot). With --timing it also keeps mp-opt's
-mlir-timing report (per pass) of the last run of each chain size / depth.

  /usr/bin/python3 benchmarks/compile_time.py                # 10,000 / 100,000 ops
  /usr/bin/python3 benchmarks/compile_time.py --ops 1000     # quicker
  /usr/bin/python3 benchmarks/compile_time.py --gpt          # depths 1..12
  /usr/bin/python3 benchmarks/compile_time.py --gpt --depths 1,2 --steps 3
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compile_bench  # noqa: E402

GPT = dict(d=256, heads=4, mlp=1024, batch=8, seq=64)
MLIR_PIPELINE = ["--mp-mixed-precision=policy=mixed_bfloat16 mode=dynamic",
                 "--mp-to-cpu=outline-min-loops=256", "-verify-each=0"]


def gpt_ir(build, depth, share=True, d=256, heads=4, mlp=1024, batch=8, seq=64):
    """The training graph of a `depth`-layer GPT-style stack (mixprec.nn)."""
    sys.path.insert(0, os.path.join(build, "python"))
    from mixprec import nn

    def block():
        return nn.Sequential(
            nn.Residual(nn.Sequential(nn.LayerNorm(d), nn.Attention(d, heads))),
            nn.Residual(nn.Sequential(nn.LayerNorm(d), nn.Linear(d, mlp), nn.GELU(),
                                      nn.Linear(mlp, d))))
    model = nn.Sequential(*[block() for _ in range(depth)])
    return nn.build(model, (batch, seq, d), loss=nn.MSE(), optimizer=nn.Adam(1e-3),
                    share_layers=share).ir


def cpu_seconds(stderr):
    """user + sys seconds from the `/usr/bin/time -f` line TIME_FMT prints."""
    m = re.search(r"^cpu ([\d.]+) ([\d.]+) rss (\d+)$", stderr, re.M)
    return (float(m.group(1)) + float(m.group(2)), int(m.group(3)) / 1024) if m else (None, None)


TIME_FMT = ["/usr/bin/time", "-f", "cpu %U %S rss %M"]


def time_mlir(mp_opt, path, timeout, timing):
    """Wall and CPU seconds of the MLIR pipeline (and the per-pass report)."""
    cmd = TIME_FMT + [mp_opt, path] + MLIR_PIPELINE + ["-o", os.devnull]
    if timing:
        cmd.append("-mlir-timing")
    t0 = time.perf_counter()
    r = subprocess.run(cmd, check=True, timeout=timeout, stderr=subprocess.PIPE,
                       text=True)
    seconds = time.perf_counter() - t0
    return seconds, cpu_seconds(r.stderr)[0], (
        compile_bench.parse_timing(r.stderr) if timing else None)


def run_mp_run(mp_run, path, steps, timeout, workdir):
    """mp-run's compile seconds (wall, and CPU: the process's user + sys
    minus the steps' thread CPU time), ms/step and peak RSS (MiB)."""
    report = os.path.join(workdir, "report.json")
    cmd = TIME_FMT + [mp_run, path, "--task", "regress", "--policy", "mixed_bfloat16",
                      "--loss-scaling", "mode=dynamic", "--steps", str(steps),
                      "--print-every", "0", "--report", report]
    r = subprocess.run(cmd, check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    cpu, rss = cpu_seconds(r.stderr)
    rep = json.load(open(report))
    summary = rep["summary"]
    step_cpu = sum(s.get("thread_cpu_ms", 0) for s in rep["steps"]) / 1000
    prof = summary.get("compile_profile", {})
    phases = {k[:-len("_cpu_ms")] if k.endswith("_cpu_ms") else k: v
              for k, v in prof.items()}
    # On idle cores: everything but code generation runs on one thread,
    # the code generator's partitions in parallel (the slowest one counts).
    path = (sum(prof.get(k, 0) for k in ("mlir_cpu_ms", "translate_cpu_ms",
                                         "opt_cpu_ms"))
            + prof.get("codegen_max_partition_cpu_ms", 0)) / 1000
    return {"total_s": summary["compile_ms"] / 1000,
            "total_cpu_s": None if cpu is None else cpu - step_cpu,
            "critical_path_cpu_s": path if prof else None,
            "compile_profile": phases,
            "ms_per_step": summary["ms_per_step"],
            "peak_rss_mib": rss if rss is not None else summary["peak_rss_bytes"] / 2**20,
            "initial_loss": summary["initial_loss"], "final_loss": summary["final_loss"]}


def gpt(args, root, work):
    mp_opt = os.path.join(args.build, "bin", "mp-opt")
    mp_run = os.path.join(args.build, "bin", "mp-run")
    depths = [int(x) for x in args.depths.split(",")]
    variants = [("calls", True)] + ([("inlined", False)] if args.inlined else [])
    out = {"model": dict(GPT, optimizer="adam", loss="mse"),
           "mlir_pipeline": MLIR_PIPELINE, "steps": args.steps, "rows": []}
    for name, share in variants:
        for depth in depths:
            path = os.path.join(work, f"gpt{depth}_{name}.mlir")
            text = gpt_ir(args.build, depth, share)
            open(path, "w").write(text)
            row = {"variant": name, "depth": depth, "ops": compile_bench.count_ops(text),
                   "loadavg": open("/proc/loadavg").read().split()[:3]}
            row["mlir_s"], row["mlir_cpu_s"], timing = time_mlir(
                mp_opt, path, args.timeout, args.timing)
            # --repeats runs of mp-run: the run of median total compile time
            # (its profile, RSS, step time) and every run's total.
            runs = sorted((run_mp_run(mp_run, path, args.steps, args.timeout, work)
                           for _ in range(max(1, args.repeats))),
                          key=lambda r: r["total_s"])
            row.update(runs[len(runs) // 2])
            row["total_s_samples"] = [r["total_s"] for r in runs]
            row["critical_path_cpu_s_samples"] = [r["critical_path_cpu_s"] for r in runs]
            row["llvm_s"] = row["total_s"] - row["mlir_s"]
            if row["total_cpu_s"] is not None and row["mlir_cpu_s"] is not None:
                row["llvm_cpu_s"] = row["total_cpu_s"] - row["mlir_cpu_s"]
            if timing:
                row["passes_s"] = timing
            out["rows"].append(row)
            print(f"gpt {name:7s} depth {depth:2d}: {row['ops']:6d} ops  MLIR "
                  f"{row['mlir_s']:6.2f} s  LLVM {row['llvm_s']:6.2f} s  total "
                  f"{row['total_s']:6.2f} s (CPU {row.get('total_cpu_s') or 0:6.2f} s, "
                  f"path {row.get('critical_path_cpu_s') or 0:6.2f} s)  "
                  f"RSS {row['peak_rss_mib']:6.0f} MiB  "
                  f"{row['ms_per_step']:8.2f} ms/step  (load {' '.join(row['loadavg'])})",
                  flush=True)
        rows = [r for r in out["rows"] if r["variant"] == name]
        first, last = rows[0], rows[-1]
        if len(rows) > 1:
            ratio = last["total_s"] / first["total_s"]
            def ratio_of(key):
                return (last[key] / first[key]
                        if last.get(key) and first.get(key) else None)
            cpu_ratio = ratio_of("total_cpu_s")
            path_ratio = ratio_of("critical_path_cpu_s")
            out[f"ratio_{name}"] = {"depths": [first["depth"], last["depth"]],
                                    "total": ratio, "total_cpu": cpu_ratio,
                                    "critical_path_cpu": path_ratio}
            print(f"gpt {name}: compile({last['depth']}) / compile({first['depth']}) "
                  f"= {ratio:.2f} wall, {cpu_ratio or 0:.2f} CPU, "
                  f"{path_ratio or 0:.2f} critical path")
    return out


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for variant in sorted({r["variant"] for r in result["rows"]}):
        rows = [r for r in result["rows"] if r["variant"] == variant]
        d = [r["depth"] for r in rows]
        ax.plot(d, [r["total_s"] for r in rows], "o-", label=f"{variant}: total (wall)")
        ax.plot(d, [r.get("total_cpu_s") for r in rows], "o-.", label=f"{variant}: total (CPU)")
        ax.plot(d, [r.get("critical_path_cpu_s") for r in rows], "x-",
                label=f"{variant}: critical path (CPU)")
        ax.plot(d, [r["mlir_s"] for r in rows], "s--", label=f"{variant}: MLIR")
        ax.plot(d, [r["llvm_s"] for r in rows], "^:", label=f"{variant}: LLVM")
        ax2.plot(d, [r["ms_per_step"] for r in rows], "o-", label=variant)
    ax.set_xlabel("layers")
    ax.set_ylabel("compile seconds (mp-run JIT)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax2.set_xlabel("layers")
    ax2.set_ylabel("ms / step")
    ax2.legend(fontsize=8)
    ax2.grid(alpha=0.3)
    fig.suptitle("GPT-style stack, mixed_bfloat16 + dynamic loss scaling")
    fig.tight_layout()
    fig.savefig(path)


def main():
    root = os.path.dirname(HERE)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--chain", action="store_true", help="the chain benchmark")
    ap.add_argument("--gpt", action="store_true", help="the GPT-style depths")
    ap.add_argument("--ops", type=int, default=10000,
                    help="chain: ops of the smaller graph (the larger has 10x)")
    ap.add_argument("--factors", default="1,10",
                    help="chain: graph sizes as multiples of --ops")
    ap.add_argument("--repeats", type=int, default=3,
                    help="chain: runs per size (median); gpt: mp-run runs per "
                         "depth (the median one is reported)")
    ap.add_argument("--depths", default="1,2,4,8,12", help="gpt: layer counts")
    ap.add_argument("--steps", type=int, default=10, help="gpt: mp-run steps")
    ap.add_argument("--inlined", action="store_true",
                    help="gpt: also with every layer inlined (share_layers=False)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds per mp-opt / mp-run run")
    ap.add_argument("--timing", action="store_true",
                    help="also record -mlir-timing per pass")
    ap.add_argument("--out", default=None,
                    help="JSON path, or a directory to write compile_time.json in")
    ap.add_argument("--plot", default=None, help="gpt: plot path (default: next to --out)")
    args = ap.parse_args()
    if not args.chain and not args.gpt:
        args.chain = True
    if args.out is None:
        args.out = tempfile.mkdtemp(prefix="mixprec-compile-bench.")
    if os.path.isdir(args.out):
        args.out = os.path.join(args.out, "compile_time.json")

    summary = {"machine": compile_bench.machine(),
               "command": " ".join(["/usr/bin/python3"] + sys.argv)}
    with tempfile.TemporaryDirectory() as work:
        if args.chain:
            summary["pipeline"] = compile_bench.PIPELINE
            summary["compile_time"] = compile_bench.run(
                os.path.join(args.build, "bin", "mp-opt"), args.ops, work, args.repeats,
                args.timeout, timing=args.timing,
                factors=tuple(int(f) for f in args.factors.split(",")))
        if args.gpt:
            summary["gpt"] = gpt(args, root, work)
    summary["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    json.dump(summary, open(args.out, "w"), indent=1)
    print(f"wrote {args.out}")
    if args.gpt:
        path = args.plot or os.path.splitext(args.out)[0] + ".png"
        plot(summary["gpt"], path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
