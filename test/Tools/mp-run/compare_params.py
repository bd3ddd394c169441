import os
import sys

import numpy as np

root = sys.argv[1]
for i in range(4):
    a = np.load(os.path.join(root, "inf", f"arg{i}.npy"))
    b = np.load(os.path.join(root, "inf-out", f"arg{i}.npy"))
    assert a.tobytes() == b.tobytes(), f"arg{i} changed on a skipped step"
print("skipped: params bit-identical")
changed = 0
for i in range(4):
    a = np.load(os.path.join(root, "clean", f"arg{i}.npy"))
    b = np.load(os.path.join(root, "clean-out", f"arg{i}.npy"))
    changed += a.tobytes() != b.tobytes()
assert changed == 4, changed
print("clean: params updated")
