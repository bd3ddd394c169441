import os
import sys

import numpy as np

root = sys.argv[1]
rng = np.random.default_rng(1)
params = {
    0: (rng.standard_normal((784, 256)) * 0.05).astype(np.float32),
    1: (rng.standard_normal(256) * 0.1).astype(np.float32),
    2: (rng.standard_normal((256, 10)) * 0.05).astype(np.float32),
    3: (rng.standard_normal(10) * 0.1).astype(np.float32),
}
x = rng.standard_normal((64, 784)).astype(np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
bad = x.copy()
bad[3, 5] = np.inf
for name, xs in (("inf", bad), ("clean", x)):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for i, p in params.items():
        np.save(os.path.join(d, f"arg{i}.npy"), p)
    np.save(os.path.join(d, "arg4.npy"), xs)
    np.save(os.path.join(d, "arg5.npy"), y)
