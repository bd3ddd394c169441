"""Checks that the scaler statistics in an mp-run report's summary agree with
its per-step records (docs/running.md, "Scaler statistics")."""
import json
import math
import sys

r = json.load(open(sys.argv[1]))
steps, s = r["steps"], r["summary"]
mixed = [st for st in steps if not st.get("fp32_fallback")]
skipped = sum(st["overflow"] for st in steps)
assert s["skipped_steps"] == skipped, (s["skipped_steps"], skipped)
assert math.isclose(s["overflow_rate"], skipped / len(steps), rel_tol=1e-12), s
scales = [st["scale"] for st in mixed]
assert s["min_scale"] == min(scales) and s["max_scale"] == max(scales), s
# The scale each mixed step used, then the state after the last one.
seq = scales + [s["final_scale"]]
ups = sum(b > a for a, b in zip(seq, seq[1:]))
downs = sum(b < a for a, b in zip(seq, seq[1:]))
assert (s["scale_increases"], s["scale_decreases"]) == (ups, downs), (s, ups, downs)
if r["config"]["grad_norm"]:
    norms = [st["grad_norm"] for st in mixed
             if not st["overflow"] and st["grad_norm"] is not None]
    assert norms, "no finite gradient norm"
    assert math.isclose(s["mean_grad_norm"], sum(norms) / len(norms),
                        rel_tol=1e-9), (s["mean_grad_norm"], norms)
    assert all(st["grad_norm"] > 0 for st in mixed if not st["overflow"])
else:
    assert s["mean_grad_norm"] is None and all("grad_norm" not in st for st in steps)
counts = {}
for st in mixed:
    assert ("overflow_params" in st) == st["overflow"], st
    for name in st.get("overflow_params", []):
        counts[name] = counts.get(name, 0) + 1
assert {k: v for k, v in s["overflow_param_counts"].items() if v} == counts, \
    (s["overflow_param_counts"], counts)
print(f"stats ok: {skipped} skipped of {len(steps)}, scale {ups} up "
      f"{downs} down, {s['min_scale']:g}..{s['max_scale']:g}")
