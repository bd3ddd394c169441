"""Checks of data-parallel.mlir. Usage:
  check_dp.py same-ranks DIR            DIR/argN.npy == DIR/rank1/argN.npy
  check_dp.py same-params A B           A/argN.npy == B/argN.npy (bit for bit)
  check_dp.py params-as-inputs SAVE IN  SAVE/argN == IN/rank0/argN, N < 4
  check_dp.py report R.json N           config.world_size == N
  check_dp.py same-losses A.json B.json [rtol]
  check_dp.py other-losses A.json B.json   the loss sequences differ"""
import json
import os
import sys

import numpy as np

cmd = sys.argv[1]


def arrays(d):
    return {f: np.load(os.path.join(d, f)) for f in sorted(os.listdir(d))
            if f.endswith(".npy")}


def losses(path):
    return [s["loss"] for s in json.load(open(path))["steps"]]


if cmd in ("same-ranks", "same-params"):
    a_dir, b_dir = ((sys.argv[2], os.path.join(sys.argv[2], "rank1"))
                    if cmd == "same-ranks" else sys.argv[2:4])
    a, b = arrays(a_dir), arrays(b_dir)
    assert a and sorted(a) == sorted(b), (sorted(a), sorted(b))
    for k in a:
        assert a[k].tobytes() == b[k].tobytes(), f"{k} differs"
    print(f"{cmd}: {len(a)} arrays bit-identical")
elif cmd == "params-as-inputs":
    saved, given = arrays(sys.argv[2]), arrays(os.path.join(sys.argv[3], "rank0"))
    for i in range(4):
        k = f"arg{i}.npy"
        assert saved[k].tobytes() == given[k].tobytes(), f"{k} changed"
    print("params unchanged")
elif cmd == "report":
    r = json.load(open(sys.argv[2]))
    assert r["config"]["world_size"] == int(sys.argv[3]), r["config"]
    assert r["config"]["data_parallel"] == "mpi", r["config"]
    print("world_size", r["config"]["world_size"])
elif cmd == "same-losses":
    a, b = losses(sys.argv[2]), losses(sys.argv[3])
    rtol = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    assert len(a) == len(b) and a, (a, b)
    if rtol == 0:
        assert a == b, (a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol)
    print("same losses", len(a))
elif cmd == "other-losses":
    a, b = losses(sys.argv[2]), losses(sys.argv[3])
    assert a != b, a
    print("other losses")
else:
    sys.exit(f"unknown command {cmd}")
