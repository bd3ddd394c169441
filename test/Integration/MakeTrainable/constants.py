"""constants.py write DIR: the data files (x = arg0, target = arg3) next to
the promoted constants' values mp-make-trainable wrote (arg1, arg2).
constants.py check DIR REPORT: the first loss of the mp-run report is the
mean squared error of the model with those values (the constants of
constants.mlir), relative tolerance 1e-5, and the last is lower."""
import json
import os
import sys

import numpy as np

mode, d = sys.argv[1], sys.argv[2]
w = np.load(os.path.join(d, "arg1.npy"))
b = np.load(os.path.join(d, "arg2.npy"))
assert np.array_equal(w, np.array([[0.5, -1.0], [0.25, 2.0], [-0.75, 0.125]], np.float32)), w
assert np.array_equal(b, np.array([0.1, -0.2], np.float32)), b
if mode == "write":
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    t = rng.normal(size=(8, 2)).astype(np.float32)
    np.save(os.path.join(d, "arg0.npy"), x)
    np.save(os.path.join(d, "arg3.npy"), t)
else:
    x = np.load(os.path.join(d, "arg0.npy"))
    t = np.load(os.path.join(d, "arg3.npy"))
    want = float(np.mean((x.astype(np.float64) @ w + b - t) ** 2))
    steps = [s["loss"] for s in json.load(open(sys.argv[3]))["steps"]]
    assert abs(steps[0] - want) <= 1e-5 * abs(want), (steps[0], want)
    assert steps[-1] < steps[0], steps
    print("first loss matches the constants' loss", steps[0], want)
