import json
import sys

dyn = json.load(open(sys.argv[1]))
steps = dyn["steps"]
skipped = [s for s in steps if s["overflow"]]
# Skipped steps come first, each halving the scale (backoff 0.5).
n = len(skipped)
assert 0 < n < len(steps) - 10, n
assert all(s["overflow"] for s in steps[:n]), "overflows are not a prefix"
for a, b in zip(steps[:n], steps[1:n + 1]):
    assert b["scale"] == a["scale"] * 0.5, (a, b)
assert steps[0]["scale"] == 2.0**40
# Once the scale fits, training works.
first_good = steps[n]["loss"]
assert dyn["summary"]["final_loss"] < 0.6 * first_good, dyn["summary"]
print(f"dynamic: skipped {n} then trained")

st = json.load(open(sys.argv[2]))
assert all(s["overflow"] for s in st["steps"])
assert all(s["scale"] == 2.0**40 for s in st["steps"])
print(f"static: all {len(st['steps'])} skipped")
