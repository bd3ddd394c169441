#!/usr/bin/python3
"""Step time of compute-output=compute vs compute-output=f32 (issue 20).

"The compiled mixed step is not slower than before": for each benchmark
model of benchmarks/cpu_train_step.py (mlp, transformer, gpt1, gpt2) it
times, in one run and interleaved per repeat (so that machine noise hits
them alike),

  fp32          mp-run --policy float32 --loss-scaling mode=none
  bf16          mp-run --policy mixed_bfloat16 --loss-scaling mode=dynamic
                (compute-output=compute, the default: compute-class results
                rounded to bf16, DESIGN.md §15)
  bf16_f32out   the same with compute-output=f32 (the behaviour before §15:
                compute-class results stay f32), passed through mp-run's
                --loss-scaling option string

ms/step = median over the timed steps of one mp-run (the first call is
excluded; one synthetic batch), then the median over --repeats. Prints, per
model, the repeats and the ratio bf16 / bf16_f32out (below 1: the default
is faster), and writes the JSON to --out (default: a fresh temporary
directory). On a loaded machine (other jobs on the cores) compare the
ratios of one run only, never figures of different runs.

  /usr/bin/python3 benchmarks/compute_output_timing.py --models mlp --repeats 3
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpu_train_step as bench  # noqa: E402

CONFIGS = {
    "fp32": ["--policy", "float32", "--loss-scaling", "mode=none"],
    "bf16": ["--policy", "mixed_bfloat16", "--loss-scaling", "mode=dynamic"],
    "bf16_f32out": ["--policy", "mixed_bfloat16", "--loss-scaling",
                    "mode=dynamic compute-output=f32"],
}


def main():
    root = os.path.dirname(HERE)
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--models", default=",".join(bench.MODELS))
    ap.add_argument("--steps", type=int, default=10, help="timed steps per run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1,
                    help="threads of our GEMMs (MIXPREC_NUM_THREADS)")
    ap.add_argument("--out", default=None, help="JSON file (default: a new "
                    "temporary directory)")
    a = ap.parse_args()
    bench.OURS_ENV.update(MIXPREC_NUM_THREADS=str(a.threads),
                          OPENBLAS_NUM_THREADS=str(a.threads))
    mp_run = os.path.join(a.build, "bin", "mp-run")
    out = a.out or os.path.join(tempfile.mkdtemp(prefix="mixprec-co-timing-"),
                                "compute_output_timing.json")
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name in a.models.split(","):
            gen, task, desc = bench.MODELS[name]
            path = os.path.join(work, name + ".mlir")
            with open(path, "w") as f:
                f.write(gen())
            samples = {c: [] for c in CONFIGS}
            loads = []
            for rep in range(a.repeats):
                loads.append(open("/proc/loadavg").read().split()[0])
                for c, flags in CONFIGS.items():
                    r = bench.run_ours(mp_run, path, task, flags, a.steps, work, [])
                    samples[c].append(r["ms"])
                print(f"{name} repeat {rep + 1} (load {loads[-1]}): " + "  ".join(
                    f"{c} {v[-1]:.2f} ms" for c, v in samples.items()) +
                    f"  bf16/bf16_f32out {samples['bf16'][-1] / samples['bf16_f32out'][-1]:.3f}",
                    flush=True)
            res = {"description": desc, "loadavg_per_repeat": loads}
            for c, v in samples.items():
                res[c] = {"ms": statistics.median(v), "samples_ms": v}
            res["bf16_vs_bf16_f32out"] = res["bf16"]["ms"] / res["bf16_f32out"]["ms"]
            res["bf16_vs_fp32"] = res["bf16"]["ms"] / res["fp32"]["ms"]
            res["per_repeat_bf16_vs_bf16_f32out"] = [
                x / y for x, y in zip(samples["bf16"], samples["bf16_f32out"])]
            results[name] = res
    print()
    print(f"{'model':12} {'fp32 ms':>9} {'bf16 ms':>9} {'f32out ms':>10} "
          f"{'bf16/f32out':>12} {'bf16/fp32':>10}")
    for name, r in results.items():
        print(f"{name:12} {r['fp32']['ms']:9.2f} {r['bf16']['ms']:9.2f} "
              f"{r['bf16_f32out']['ms']:10.2f} {r['bf16_vs_bf16_f32out']:12.3f} "
              f"{r['bf16_vs_fp32']:10.3f}")
    summary = {"command": " ".join(["/usr/bin/python3"] + sys.argv),
               "threads": a.threads, "steps": a.steps, "repeats": a.repeats,
               "ncpu": os.cpu_count(), "models": results}
    with open(out, "w") as f:
        json.dump(summary, f, indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
