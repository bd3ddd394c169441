"""make_range_inputs.py DIR: MLP inputs (examples/mlp.mlir) whose second
layer's weights are scaled so that its matmul output (fc2) exceeds f16's
65504, while fc1 stays small: w2 ~ N(0, 1e4^2); other params synthetic."""
import os
import sys

import numpy as np

rng = np.random.default_rng(0)
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
np.save(os.path.join(d, "arg2.npy"), (rng.standard_normal((256, 10)) * 1e4).astype(np.float32))
np.save(os.path.join(d, "arg4.npy"), rng.standard_normal((64, 784)).astype(np.float32))
np.save(os.path.join(d, "arg5.npy"), np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)])
