"""make_microbatch_inputs.py DIR: data for a [4,16,...] micro-batched MLP
step with an inf in micro-batch 2 (arg4 = x, arg5 = y)."""
import os
import sys

import numpy as np

rng = np.random.default_rng(3)
x = rng.standard_normal((4, 16, 784)).astype(np.float32)
x[2, 3, 5] = np.inf
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, (4, 16))]
os.makedirs(sys.argv[1], exist_ok=True)
np.save(os.path.join(sys.argv[1], "arg4.npy"), x)
np.save(os.path.join(sys.argv[1], "arg5.npy"), y)
