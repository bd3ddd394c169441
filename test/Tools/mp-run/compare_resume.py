"""compare_resume.py FULL.json PART.json: the steps of the resumed run PART
(starting after its config's start_step) are those of the uninterrupted
run FULL, bit for bit: loss, scale, overflow, provenance, fallback."""
import json
import sys

full, part = (json.load(open(p)) for p in sys.argv[1:3])
start = part["config"]["start_step"]
assert start > 0 and "resumed_from" in part["config"], part["config"]
want = full["steps"][start:]
got = part["steps"]
assert len(got) == len(want) and got, (len(got), len(want))
keys = ("step", "loss", "scale", "overflow", "overflow_params", "fp32_fallback",
        "grad_norm")
for a, b in zip(want, got):
    for k in keys:
        assert a.get(k) == b.get(k), (k, a, b)
print(f"resume identical: steps {start + 1}..{got[-1]['step']}")
