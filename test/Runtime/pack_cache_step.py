"""mp-run with the packed-B cache on and off: bit-identical training.

Usage: pack_cache_step.py MP_RUN MODEL OUTDIR [mp-run options...]

Trains MODEL twice (MIXPREC_PACK_CACHE=1, then =0) with the given options,
MIXPREC_PACK_CACHE_STATS=1, and prints the cache's hits and misses of each
run, whether the per-step losses (the report's f32 values) and the final
saved arguments (argN.npy, byte for byte) are identical.
"""
import json
import os
import subprocess
import sys

mp_run, model, out = sys.argv[1:4]
extra = sys.argv[4:]
runs = {}
for cache in ("1", "0"):
    d = os.path.join(out, "cache" + cache)
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, MIXPREC_PACK_CACHE=cache,
               MIXPREC_PACK_CACHE_STATS="1")
    p = subprocess.run([mp_run, model, "--report", os.path.join(d, "r.json"),
                        "--save", os.path.join(d, "save")] + extra,
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("mp-run failed (cache=%s):\n%s" % (cache, p.stderr))
    stats = [l for l in p.stderr.splitlines() if "pack cache" in l]
    print("cache=%s: %s" % (cache, stats[-1] if stats else "no stats"))
    report = json.load(open(os.path.join(d, "r.json")))
    losses = [s["loss"] for s in report["steps"]]
    saved = {}
    for name in sorted(os.listdir(os.path.join(d, "save"))):
        if name.endswith(".npy"):
            with open(os.path.join(d, "save", name), "rb") as f:
                saved[name] = f.read()
    runs[cache] = (losses, saved)
(l1, s1), (l0, s0) = runs["1"], runs["0"]
print("losses: %d steps, %s" % (len(l1), "bit-identical" if l1 == l0 and l1
                                 else "DIFFERENT %r vs %r" % (l1, l0)))
print("saved arguments: %d, %s" % (len(s1), "bit-identical" if s1 == s0 and s1
                                    else "DIFFERENT"))
