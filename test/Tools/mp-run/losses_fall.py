"""losses_fall.py FILE FACTOR: the final loss is below FACTOR x the initial
loss. FILE is an mp-run JSON report (--report) or the output of mp-cpu-train /
mp-cuda-train (its `initial loss` and `final loss` lines)."""
import json
import math
import sys

path, factor = sys.argv[1], float(sys.argv[2])
if path.endswith(".json"):
    losses = [s["loss"] for s in json.load(open(path))["steps"]]
    first, last, n = losses[0], losses[-1], len(losses)
else:
    values = {}
    for line in open(path):
        for key in ("steps", "initial loss", "final loss"):
            if line.startswith(key + " "):
                values[key] = float(line[len(key):].split()[0])
    first, last, n = values["initial loss"], values["final loss"], int(values["steps"])
assert math.isfinite(first) and math.isfinite(last), (first, last)
assert last < factor * first, f"loss did not fall: {first} -> {last}"
print(f"falling {n} steps")
