"""check_falls.py REPORT.json FACTOR [REF.json]: every loss of the mp-run
report is finite and the mean of the last 5 is below FACTOR times the
first. With REF (the fp32 run from the same initialisation and data): the
first loss is within 2 % of REF's (the same parameters, the forward rounded
to bf16: 8 mantissa bits, ~0.4 % per rounding). Later steps are not
compared: the trajectories separate (bf16 gradient noise on a plateau moves
single-step losses by ~20 %), only that both fall is checked."""
import json
import math
import sys


def losses(path):
    return [s["loss"] for s in json.load(open(path))["steps"]]


def tail(ls):
    return sum(ls[-5:]) / len(ls[-5:])


run = losses(sys.argv[1])
factor = float(sys.argv[2])
assert all(l is not None and math.isfinite(l) for l in run), run
assert tail(run) < factor * run[0], (run[0], tail(run), run)
if len(sys.argv) > 3:
    ref = losses(sys.argv[3])
    assert abs(run[0] - ref[0]) <= 0.02 * abs(ref[0]), (run[0], ref[0])
print("falls: %.4g -> %.4g" % (run[0], tail(run)))
