#!/usr/bin/env python3
"""Data-parallel overhead on one machine: the same per-rank batch trained
by 1 process (no all-reduce) and by N MPI ranks (`mpiexec -n N mp-run
--data-parallel`, one all-reduce bucket per step), ms/step of rank 0 from
mp-run's report, each rank on one thread. On one machine the ranks share
the cores and the memory bandwidth, so this measures the cost of the
all-reduce plus the contention, not a cluster's scaling.

  /usr/bin/python3 benchmarks/data_parallel.py [--build build] [--ranks 2]
      [--steps 30] [--repeats 3] [--out PATH]

Writes JSON to --out (default: a temporary file; the committed figures are
in benchmarks/README.md) and prints a table with the ratio N ranks / 1."""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_graphs  # noqa: E402


def cpu_flags():
    try:
        flags = open("/proc/cpuinfo").read().split()
    except OSError:
        return []
    return sorted({f for f in flags if f in ("avx2", "avx512f", "avx512_bf16",
                                             "amx_bf16")})


def run(cmd, work, name):
    report = os.path.join(work, name + ".json")
    env = dict(os.environ, MIXPREC_NUM_THREADS="1")
    subprocess.run(cmd + ["--report", report], check=True, env=env,
                   stdout=subprocess.DEVNULL, timeout=900)
    return json.load(open(report))["summary"]["ms_per_step"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    mp_run = os.path.join(args.build, "bin", "mp-run")
    work = tempfile.mkdtemp(prefix="mixprec-dp-bench.")
    models = {
        "mlp 1024x3, batch 256 (3.2 M params)":
            gen_graphs.mlp(256, (1024, 1024, 1024, 16)),
        "transformer block b8 s64 d256 f1024":
            gen_graphs.transformer(8, 64, 256, 1024),
    }
    rows = []
    for name, text in models.items():
        path = os.path.join(work, name.split()[0] + ".mlir")
        open(path, "w").write(text)
        common = [path, "--policy", "mixed_bfloat16", "--loss-scaling",
                  "mode=dynamic", "--steps", str(args.steps),
                  "--print-every", "0"]
        one, many = [], []
        for r in range(args.repeats):
            one.append(run([mp_run] + common, work, f"one{r}"))
            many.append(run(["mpiexec", "-n", str(args.ranks), mp_run,
                             "--data-parallel"] + common, work, f"many{r}"))
        row = {"model": name, "ms_1_process": statistics.median(one),
               f"ms_{args.ranks}_ranks": statistics.median(many)}
        row["ratio"] = row[f"ms_{args.ranks}_ranks"] / row["ms_1_process"]
        rows.append(row)
        print(f"{name:40s} 1 process {row['ms_1_process']:8.2f} ms/step   "
              f"{args.ranks} ranks {row[f'ms_{args.ranks}_ranks']:8.2f} "
              f"ms/step   ratio {row['ratio']:.2f}")
    result = {"machine": {"cpu": platform.processor() or platform.machine(),
                          "cores": os.cpu_count(), "flags": cpu_flags()},
              "ranks": args.ranks, "steps": args.steps,
              "repeats": args.repeats, "threads_per_rank": 1, "rows": rows}
    out = args.out or os.path.join(work, "data_parallel.json")
    json.dump(result, open(out, "w"), indent=1)
    print("JSON:", out)


if __name__ == "__main__":
    main()
