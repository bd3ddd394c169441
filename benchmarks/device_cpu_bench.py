#!/usr/bin/env python3
"""Compiled CPU steps vs PyTorch on a machine without LLVM.

Runs in a directory made by scripts/cpu-artifacts.sh (AOT step libraries,
the CPU runtime, mp-cpu-train, Debian's OpenBLAS): for each model, our
fp32 step (OpenBLAS SGEMM), our mixed bf16 step with the packed bf16 GEMM
(AVX512_BF16 where the CPU has it) and with the widen-to-f32 + SGEMM
engine, and PyTorch fp32 / bf16 autocast on the same shapes (the PyTorch
models of cpu_train_step.py), interleaved per repeat, medians. Prints a
table and writes device_cpu_bench.json in the current directory.

  python3 device_cpu_bench.py [--steps 20] [--repeats 3] [--threads N]
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def ours(lib, steps, env):
    out = subprocess.run(
        [os.path.join(HERE, "mp-cpu-train"), os.path.join(HERE, lib),
         "--steps", str(steps + 1), "--batches", "1", "--print-every", "0"],
        check=True, capture_output=True, text=True, env=env, timeout=300).stdout
    ms = float(re.search(r"^ms/step\s+(\S+)", out, re.M).group(1))
    peak = float(re.search(r"^peak memory\s+(\S+)", out, re.M).group(1))
    backend = re.search(r"contractions: (.*)\)", out).group(1)
    loss = float(re.search(r"^final loss\s+(\S+)", out, re.M).group(1))
    return {"ms": ms, "peak_mib": peak, "backend": backend, "final_loss": loss}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--models", default="mlp,transformer")
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = HERE + ":" + env.get("LD_LIBRARY_PATH", "")
    env["MIXPREC_BLAS"] = os.path.join(HERE, "libopenblas.so.0")
    env["MIXPREC_NUM_THREADS"] = str(args.threads)
    env["OPENBLAS_NUM_THREADS"] = str(args.threads)
    configs = {
        "ours_fp32": ("{m}_fp32.so", {}),
        "ours_bf16": ("{m}_bf16.so", {"MIXPREC_GEMM": "auto"}),
        "ours_bf16_noscale": ("{m}_bf16none.so", {"MIXPREC_GEMM": "auto"}),
        "ours_bf16_sgemm": ("{m}_bf16.so", {"MIXPREC_GEMM": "sgemm"}),
    }
    torch = None
    if not args.no_torch:
        import torch as torch_module
        torch = torch_module
        torch.set_num_threads(args.threads)
        import cpu_train_step
    flags = open("/proc/cpuinfo").read()
    result = {"machine": {"cpu": re.search(r"model name\s*:\s*(.*)", flags).group(1),
        "platform": platform.platform(),
        "cores": os.cpu_count(), "threads": args.threads,
        "avx512_bf16": "avx512_bf16" in flags, "amx_bf16": "amx_bf16" in flags,
        "torch": torch.__version__ if torch else None},
        "models": {}}
    for m in args.models.split(","):
        samples = {k: [] for k in list(configs) + ["torch_fp32", "torch_bf16"]}
        info = {}
        for _ in range(args.repeats):
            for key, (lib, extra) in configs.items():
                r = ours(lib.format(m=m), args.steps, {**env, **extra})
                samples[key].append(r["ms"])
                info[key] = r
                print(f"  {m} {key}: {r['ms']:.2f} ms", flush=True)
            if torch:
                for key, autocast in (("torch_fp32", False), ("torch_bf16", True)):
                    samples[key].append(cpu_train_step.run_torch(
                        m, torch, autocast, args.steps)["ms"])
                    print(f"  {m} {key}: {samples[key][-1]:.2f} ms", flush=True)
        med = {k: statistics.median(v) for k, v in samples.items() if v}
        entry = {"ms": med, "samples": samples, "runs": info,
                 "bf16_vs_fp32_speedup": med["ours_fp32"] / med["ours_bf16"],
                 "loss_scaling_overhead_pct":
                     100 * (med["ours_bf16"] / med["ours_bf16_noscale"] - 1)}
        if torch:
            entry["vs_torch_fp32"] = med["torch_fp32"] / med["ours_fp32"]
            entry["vs_torch_bf16_autocast"] = med["torch_bf16"] / med["ours_bf16"]
        result["models"][m] = entry
        print(f"{m}: " + "  ".join(f"{k} {v:.2f} ms" for k, v in med.items()))
        print(f"   bf16 engine: {info['ours_bf16']['backend']}; bf16 vs fp32 "
              f"{entry['bf16_vs_fp32_speedup']:.2f}x; peak MiB fp32 "
              f"{info['ours_fp32']['peak_mib']} bf16 {info['ours_bf16']['peak_mib']}")
    json.dump(result, open(os.path.join(os.getcwd(), "device_cpu_bench.json"), "w"),
              indent=1)


if __name__ == "__main__":
    main()
