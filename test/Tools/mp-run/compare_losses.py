"""compare_losses.py A.json B.json RTOL: the per-step losses of two mp-run
reports agree within RTOL (relative); RTOL 0 asks for bit-identical."""
import json
import sys

a = [s["loss"] for s in json.load(open(sys.argv[1]))["steps"]]
b = [s["loss"] for s in json.load(open(sys.argv[2]))["steps"]]
rtol = float(sys.argv[3])
assert len(a) == len(b), (a, b)
if rtol == 0:
    assert a == b, (a, b)
    print("identical", len(a))
else:
    worst = max(abs(x - y) / max(abs(y), 1e-30) for x, y in zip(a, b))
    assert worst <= rtol, (worst, a, b)
    print("close", len(a), "max relative difference %.3g" % worst)
