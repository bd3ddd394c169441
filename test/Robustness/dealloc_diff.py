#!/usr/bin/python3
"""Differential test of the deallocation placement (mp-dealloc-at-last-use)
and of buffer reuse (mp-reuse-dead-buffers): random training graphs
(gen_random_graph.py) are trained for a few steps by mp-run twice, once with
`--cpu "early-dealloc=0 reuse-buffers=0 fast-math=0"` (every temporary freed
at the end of the step, no reuse) and once with `--cpu fast-math=0` and
MIXPREC_POISON_FREED=1 (the runtime fills freed buffers with NaN bytes).
fast-math=0 keeps float sums sequential: with reassociable sums, whether
LLVM vectorizes a reduction loop can depend on the aliasing that buffer
reuse changes, which moves results by an ulp. Without it both runs compute
the same operations in the same order on the same data, so the saved
parameters (`--save`) and the losses must be bit-identical; a buffer freed
too early, or overwritten while still read, would surface as NaNs or
changed values.

    dealloc_diff.py MP_RUN WORKDIR FIRST_SEED COUNT
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_random_graph  # noqa: E402

mp_run, work, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(work, exist_ok=True)
POLICIES = [("float32", "mode=none"), ("mixed_bfloat16", "mode=dynamic"),
            ("mixed_float16", "mode=dynamic")]
failures, runs = [], 0
for seed in range(first, first + count):
    path = os.path.join(work, f"g{seed}.mlir")
    open(path, "w").write(gen_random_graph.generate(seed).ir("f32"))
    for policy, scaling in POLICIES:
        outs = {}
        for variant, cpu, env in (
                ("late", "early-dealloc=0 reuse-buffers=0 fast-math=0", {}),
                ("early", "fast-math=0", {"MIXPREC_POISON_FREED": "1"})):
            save = os.path.join(work, f"g{seed}-{policy}-{variant}")
            report = save + ".json"
            cmd = [mp_run, path, "--steps", "3", "--batches", "2", "--seed", str(seed),
                   "--print-every", "0", "--policy", policy, "--loss-scaling", scaling,
                   "--save", save, "--report", report]
            cmd += ["--cpu", cpu]
            r = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"seed {seed} {policy} {variant}: exit {r.returncode}: "
                                f"{r.stderr.strip()[-300:]}")
                break
            losses = [s["loss"] for s in json.load(open(report))["steps"]]
            blobs = {f: open(os.path.join(save, f), "rb").read()
                     for f in sorted(os.listdir(save))}
            outs[variant] = (losses, blobs)
        runs += 1
        if len(outs) == 2 and outs["late"] != outs["early"]:
            failures.append(f"seed {seed} {policy}: results differ "
                            f"(losses {outs['late'][0]} vs {outs['early'][0]})")
print(f"{count} graphs, {runs} policy runs, {len(failures)} failures")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
