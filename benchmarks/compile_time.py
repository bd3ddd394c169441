#!/usr/bin/python3
"""Compile-time benchmark: mp-mixed-precision + mp-to-cpu on a deep graph.

Generates two training graphs with gen_graphs.chain (a deep tanh chain with
4 shared weights, 4 ops per layer in @loss): one of about --ops ops and one
10x larger, times

  mp-opt G.mlir --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic" \\
         --mp-to-cpu -o /dev/null

(median of --repeats runs each), prints both times and their ratio (linear
scaling: about 10; issue 11 asks for under 12, and under 5 s at 10,000 ops)
and writes the JSON to --out (default: a fresh temporary directory, so that a
run never overwrites the committed benchmarks/compile_time.json). With --timing it also keeps
mp-opt's -mlir-timing report (per pass) of the last run of each size.

  /usr/bin/python3 benchmarks/compile_time.py                # 10,000 / 100,000 ops
  /usr/bin/python3 benchmarks/compile_time.py --ops 1000     # quicker
"""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compile_bench  # noqa: E402


def main():
    root = os.path.dirname(HERE)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--ops", type=int, default=10000,
                    help="ops of the smaller graph (the larger has 10x)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="runs per size (median)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds per mp-opt run")
    ap.add_argument("--timing", action="store_true",
                    help="also record -mlir-timing per pass")
    ap.add_argument("--out", default=os.path.join(
        tempfile.mkdtemp(prefix="mixprec-compile-bench."), "compile_time.json"))
    args = ap.parse_args()

    mp_opt = os.path.join(args.build, "bin", "mp-opt")
    summary = {"machine": compile_bench.machine(),
               "command": " ".join(["/usr/bin/python3"] + sys.argv),
               "pipeline": compile_bench.PIPELINE}
    with tempfile.TemporaryDirectory() as work:
        summary["compile_time"] = compile_bench.run(
            mp_opt, args.ops, work, args.repeats, args.timeout,
            timing=args.timing)
    summary["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    json.dump(summary, open(args.out, "w"), indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
