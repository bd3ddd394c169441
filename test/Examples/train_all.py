"""Trains every example for 200 steps in fp32, mixed_bfloat16 + dynamic loss
scaling and mixed_float16 + dynamic loss scaling from the same
initialisation and synthetic data, and checks that the loss falls in every
run and that each mixed run ends within 5% (relative) of the fp32 run.

Why 5%: the final loss is the product of 200 updates; bf16 (8-bit mantissa)
and f16 (11-bit) forward/backward roundings perturb each update by about
2^-8 relative and the trajectories drift apart slowly. Measured drift is far
below the bound (see the printed table); the bound is the issue's acceptance
criterion.

It also checks the memory criterion of the CPU pipeline issue: each
mixed step's peak tensor memory (bytes the step allocates, counted exactly by
the runtime, so deterministic) is below the fp32 step's."""
import json
import os
import subprocess
import sys

mp_run, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
examples = {
    "mlp": ["--task", "classify"],
    "cnn": ["--task", "classify"],
    "transformer_block": ["--task", "regress"],
}
runs = {
    "fp32": ["--policy", "float32", "--loss-scaling", "mode=none"],
    "bf16": ["--policy", "mixed_bfloat16", "--loss-scaling", "mode=dynamic"],
    "f16": ["--policy", "mixed_float16", "--loss-scaling", "mode=dynamic"],
}
failures = []
for ex, extra in examples.items():
    final, peak = {}, {}
    for name, flags in runs.items():
        report = os.path.join(out, f"{ex}-{name}.json")
        subprocess.run([mp_run, os.path.join(src, "examples", ex + ".mlir"),
                        "--steps", "200", "--batches", "32", "--print-every", "0",
                        "--report",
                        report] + extra + flags, check=True,
                       stdout=subprocess.DEVNULL)
        s = json.load(open(report))["summary"]
        final[name] = s["final_loss"]
        peak[name] = s["peak_tensor_bytes"]
        if not s["final_loss"] < 0.8 * s["initial_loss"]:
            failures.append(f"{ex} {name}: loss did not fall {s}")
    for name in ("bf16", "f16"):
        rel = abs(final[name] - final["fp32"]) / final["fp32"]
        print(f"{ex:18} {name}: final {final[name]:.6f} vs fp32 "
              f"{final['fp32']:.6f} ({100 * rel:.3f}%)")
        if rel > 0.05:
            failures.append(f"{ex} {name}: {100 * rel:.2f}% from fp32")
        print(f"{ex:18} {name}: peak tensor memory {peak[name]} B vs fp32 "
              f"{peak['fp32']} B")
        if not peak[name] < peak["fp32"]:
            failures.append(f"{ex} {name}: peak memory not below fp32's")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("all examples train")
