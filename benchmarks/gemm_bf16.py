#!/usr/bin/python3
"""bf16 GEMM micro-benchmark: the runtime's engine against the measured peak
(a VDPBF16PS loop; a TDPBF16PS loop when the engine is amx).

Builds benchmarks/gemm_bf16.c against build/lib/libmixprec_cpu_runtime.so
and runs it --repeats times per thread count (1 and 2 by default), the
thread counts interleaved, so load changes on a shared machine hit both
alike. Each run measures, right before each shape, the peak of a
register-resident VDPBF16PS loop on the same number of threads, then the
median and fastest of --reps calls of mp_rt_gemm (MIXPREC_NUM_THREADS =
threads). Reports per shape and thread count the median GFLOP/s over the
repeats, the best GFLOP/s and the best peak over the repeats, and best /
peak (percent of peak: the least disturbed sample of each, on a shared
machine), and the same rates by process CPU time (x threads: preemption by
other processes removed; medians), with
the CPU flags (avx512_bf16, amx_bf16) and the load average before and
after. Needs a CPU with AVX512_BF16.

Shapes (MxNxK, options as in gemm_bf16.c: :ta / :tb transposed views, :a
f32 A rounded on the fly, :c bf16 output): the benchmark models' GEMMs —
MLP 1024^3 at batch 256 (forward, dX = dY.W^T, dW = X^T.dY) and the
transformer block at B*T = 512, d = 256, f = 1024.
  /usr/bin/python3 benchmarks/gemm_bf16.py --repeats 5 --out /tmp/gemm.json
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compile_bench import machine  # noqa: E402

SHAPES = [
    ("256x1024x1024", "mlp forward x.W (target: >= 60% of peak)"),
    ("256x1024x1024:c", "mlp forward, bf16 output (epilogue)"),
    ("256x1024x1024:tb", "mlp backward dX = dY.W^T"),
    ("1024x1024x256:ta", "mlp backward dW = X^T.dY"),
    ("256x1024x1024:a", "f32 A rounded while packing"),
    ("512x1024x256", "transformer MLP up"),
    ("512x256x1024", "transformer MLP down"),
    ("512x256x256", "transformer projections"),
    ("256x1024x512:ta", "transformer dW of the MLP"),
    ("64x64x64", "small (one head's scores)"),
]


def build(root, build_dir, out):
    src = os.path.join(HERE, "gemm_bf16.c")
    lib = os.path.join(build_dir, "lib")
    cmd = [os.environ.get("CC", "cc"), "-O2", "-std=c11",
           "-D_POSIX_C_SOURCE=200809L", "-pthread",
           "-I" + os.path.join(root, "runtime", "cpu"), src, "-L" + lib,
           "-lmixprec_cpu_runtime", "-Wl,-rpath," + lib, "-o", out]
    subprocess.run(cmd, check=True)


def main():
    root = os.path.dirname(HERE)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--threads", default="1,2", help="thread counts, interleaved")
    ap.add_argument("--repeats", type=int, default=3, help="runs per thread count")
    ap.add_argument("--reps", type=int, default=15, help="calls per shape and run")
    ap.add_argument("--shapes", default=",".join(s for s, _ in SHAPES))
    ap.add_argument("--out", default=None, help="JSON path (default: none)")
    args = ap.parse_args()

    info = machine()
    if not info.get("avx512_bf16"):
        sys.exit("gemm_bf16.py: this CPU has no avx512_bf16 (no VDPBF16PS peak)")
    threads = [int(t) for t in args.threads.split(",")]
    shapes = args.shapes.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "gemm_bf16")
        build(root, args.build, exe)
        samples = {(s, t): [] for s in shapes for t in threads}
        backend, peak_kind = {}, {}
        for _ in range(args.repeats):
            for t in threads:
                env = dict(os.environ, MIXPREC_NUM_THREADS=str(t))
                out = subprocess.run([exe, str(t), str(args.reps)] + shapes,
                                     env=env, check=True, capture_output=True,
                                     text=True).stdout
                for line in out.splitlines():
                    f = line.split()
                    if f[0] == "backend":
                        backend[t] = f[1]
                    elif f[0] == "peak":
                        peak_kind[t] = f[1]
                    elif f[0] == "gemm":
                        samples[(f[1], t)].append(
                            {"ms": float(f[2]), "gflops": float(f[3]),
                             "best_gflops": float(f[4]),
                             "peak_gflops": float(f[5]),
                             "cpu_gflops": float(f[6]),
                             "cpu_peak_gflops": float(f[7])})
    info["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    desc = dict(SHAPES)
    results = []
    print(f"# cpu {info.get('cpu')}, avx512_bf16={info.get('avx512_bf16')} "
          f"amx_bf16={info.get('amx_bf16')}, load {info['loadavg_start']} -> "
          f"{info['loadavg_end']}")
    print(f"# engine {backend}, peak of a {peak_kind} loop")
    print(f"{'shape':20} {'thr':>3} {'median':>8} {'best':>8} {'peak':>8} "
          f"{'best/peak':>9} {'cpu-time':>8} {'cpu peak':>8} {'ratio':>6}  what")
    for s in shapes:
        for t in threads:
            xs = samples[(s, t)]
            r = {"shape": s, "threads": t, "what": desc.get(s, ""),
                 "gflops": statistics.median(x["gflops"] for x in xs),
                 "best_gflops": max(x["best_gflops"] for x in xs),
                 "peak_gflops": max(x["peak_gflops"] for x in xs),
                 "samples": xs}
            # best against best: the least disturbed sample of each
            r["pct_of_peak"] = 100 * r["best_gflops"] / r["peak_gflops"]
            # by CPU time (medians): preemption removed
            r["cpu_gflops"] = statistics.median(x["cpu_gflops"] for x in xs)
            r["cpu_peak_gflops"] = statistics.median(x["cpu_peak_gflops"] for x in xs)
            r["cpu_pct_of_peak"] = 100 * r["cpu_gflops"] / r["cpu_peak_gflops"]
            r.update({
            })
            results.append(r)
            print(f"{s:20} {t:3} {r['gflops']:8.1f} {r['best_gflops']:8.1f} "
                  f"{r['peak_gflops']:8.1f} {r['pct_of_peak']:8.1f}% "
                  f"{r['cpu_gflops']:8.1f} {r['cpu_peak_gflops']:8.1f} "
                  f"{r['cpu_pct_of_peak']:5.1f}%  {r['what']}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"machine": info, "backend": backend,
                       "peak_instruction": peak_kind, "results": results},
                      f, indent=1)


if __name__ == "__main__":
    main()
