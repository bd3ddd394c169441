"""Shared compile-time measurement (used by compile_time.py and
cpu_train_step.py): generate gen_graphs.chain graphs of N and 10N ops and
time mp-opt's mp-mixed-precision + mp-to-cpu pipeline on them."""
import os
import platform
import re
import statistics
import subprocess
import time

import gen_graphs

PIPELINE = ["--mp-mixed-precision=policy=mixed_bfloat16 mode=dynamic",
            "--mp-to-cpu"]
OPS_PER_LAYER = 4  # matmul, broadcast, addf, tanh


def count_ops(text):
    """Operations in MLIR text: lines that define or are an op (block
    terminators of linalg regions are counted too)."""
    return sum(1 for line in text.splitlines()
               if re.match(r"\s*(%[\w#:, %]+ = )?\"?[a-z_]+\.[a-z_.]+", line)
               and not line.lstrip().startswith("//"))


def parse_timing(text):
    """[(pass name, wall seconds)] from an -mlir-timing report."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"\s+(?:[\d.]+ \(\s*[\d.]+%\)\s+)?([\d.]+) \(\s*[\d.]+%\)\s+(.*)$",
                     line)
        if m:
            rows.append((m.group(2).replace("(anonymous namespace)::", "").strip(),
                         float(m.group(1))))
    return rows


def time_once(mp_opt, path, timeout, timing=False):
    """Wall seconds of one mp-opt run (None on timeout), and the per-pass
    report when `timing`."""
    cmd = [mp_opt, path] + PIPELINE + ["-o", os.devnull]
    if timing:
        cmd.append("-mlir-timing")
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, check=True, timeout=timeout,
                           stderr=subprocess.PIPE, text=True)
    except subprocess.TimeoutExpired:
        return None, None
    return time.perf_counter() - t0, (parse_timing(r.stderr) if timing else None)


def run(mp_opt, ops_target, workdir, repeats=3, timeout=300, timing=False,
        factors=(1, 10)):
    """Times the pipeline on chain graphs of about ops_target * factor ops;
    returns {"x1": {...}, "x10": {...}, "ratio_10x": t10 / t1}."""
    out = {}
    for factor in factors:
        layers = ops_target * factor // OPS_PER_LAYER
        text = gen_graphs.chain(layers, 16, 8)
        path = os.path.join(workdir, f"chain{factor}.mlir")
        open(path, "w").write(text)
        n_ops = count_ops(text)
        key = f"x{factor}"
        times, report = [], None
        for _ in range(max(1, repeats)):
            seconds, rep = time_once(mp_opt, path, timeout, timing)
            if seconds is None:
                times = None
                break
            times.append(seconds)
            report = rep or report
        if times is None:
            out[key] = {"layers": layers, "ops": n_ops, "seconds": None,
                        "timed_out_after_s": timeout}
            print(f"compile: {n_ops:7d} ops ({layers} layers): timed out after "
                  f"{timeout} s", flush=True)
            out["ratio_10x"] = None
            return out
        out[key] = {"layers": layers, "ops": n_ops,
                    "seconds": statistics.median(times), "samples_s": times}
        if report:
            out[key]["passes_s"] = report
        print(f"compile: {n_ops:7d} ops ({layers} layers): "
              f"{out[key]['seconds']:.2f} s (median of {len(times)})", flush=True)
    if "x1" in out and "x10" in out:
        out["ratio_10x"] = out["x10"]["seconds"] / out["x1"]["seconds"]
        print(f"compile: 10x graph / 1x graph time ratio {out['ratio_10x']:.2f}")
    return out


def machine():
    info = {"platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        cpu = open("/proc/cpuinfo").read()
        info["cpu"] = re.search(r"model name\s*:\s*(.*)", cpu).group(1)
        flags = re.search(r"flags\s*:\s*(.*)", cpu).group(1).split()
        info["avx512_bf16"] = "avx512_bf16" in flags
        info["amx_bf16"] = "amx_bf16" in flags
        info["f16c"] = "f16c" in flags
        info["avx512f"] = "avx512f" in flags
    except Exception:
        pass
    info["loadavg_start"] = open("/proc/loadavg").read().split()[:3]
    return info
