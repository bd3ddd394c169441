"""check_fallback.py REPORT M: steps skipped up to the switch, M of them at
the minimum scale, then the fp32 step trains (no skips, the loss falls)."""
import json
import sys

r = json.load(open(sys.argv[1]))
m = int(sys.argv[2])
steps, s = r["steps"], r["summary"]
fb = s["fallback_step"]
assert fb is not None and r["config"]["fallback"] == f"fp32:{m}", (fb, r["config"])
before, after = steps[:fb - 1], steps[fb - 1:]
assert all(st["overflow"] and not st.get("fp32_fallback") for st in before), before
assert [st["scale"] for st in before][-m:] == [1.0] * m, before
assert all(st.get("fp32_fallback") and not st["overflow"] for st in after), after
assert after[-1]["loss"] < 0.5 * after[0]["loss"], (after[0], after[-1])
print(f"fallback after {len(before)} skipped steps, fp32 loss "
      f"{after[0]['loss']:.3f} -> {after[-1]['loss']:.3f}")
