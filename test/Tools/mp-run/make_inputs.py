"""Writes .npy input directories for mp-run's error tests."""
import os
import sys

import numpy as np

root = sys.argv[1]
rng = np.random.default_rng(0)


def write(name, arrays):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for i, a in arrays.items():
        np.save(os.path.join(d, f"arg{i}.npy"), a)


x = rng.standard_normal((64, 784)).astype(np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
write("good", {4: x, 5: y})
write("dtype", {4: x.astype(np.float64), 5: y})
write("shape", {4: x, 5: y[:, :9]})
os.makedirs(os.path.join(root, "garbage"), exist_ok=True)
with open(os.path.join(root, "garbage", "arg4.npy"), "wb") as f:
    f.write(b"this is not numpy")
np.save(os.path.join(root, "garbage", "arg5.npy"), y)
