#!/usr/bin/env python3
# ===- differentiate_models.py - mp-differentiate on third-party models ---===#
#
# Part of mixprec: MLIR passes for mixed-precision training.
#
# ===----------------------------------------------------------------------===#
"""Makes every public function with a body of every model in a folder
trainable (mp-make-trainable params=both loss=sum optimizer=sgd: float
arguments and float constants become params, loss = sum of the float
results, SGD) and runs mp-mixed-precision (which runs mp-differentiate) on
it, for each --policy. Prints one line per model and policy:

    PASS <model> <policy>: <n>/<n> functions
    FAIL <model> <policy> @<entry>: <first error line>
    SKIP <model> @<entry>: <why mp-make-trainable refused it>

    differentiate_models.py [--mp-opt MP_OPT] [--policy P]... [MODELS_DIR]

MODELS_DIR defaults to ../shared/models next to the source tree; when it is
missing the script says so and exits 0. The models are read where they are,
never copied.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

FUNC = re.compile(r"^\s*func\.func\s+(?:public\s+)?@([\w.$-]+)\s*\(", re.M)


def first_error(text):
    for line in text.splitlines():
        if "error:" in line:
            return line.split("error:", 1)[1].strip()[:200]
    return text.strip().splitlines()[-1][:200] if text.strip() else "failed"


def main():
    p = argparse.ArgumentParser()
    root = os.path.dirname(os.path.abspath(__file__))
    for _ in range(4):  # test/Integration/AD/Models -> the source root
        root = os.path.dirname(root)
    p.add_argument("models", nargs="?",
                   default=os.path.join(root, "..", "shared", "models"))
    p.add_argument("--mp-opt", default="mp-opt")
    p.add_argument("--policy", action="append", default=[])
    opts = p.parse_args()
    policies = opts.policy or ["mixed_bfloat16"]
    if not os.path.isdir(opts.models):
        print("no models folder: %s" % opts.models)
        return 0
    work = tempfile.mkdtemp(prefix="ad-models")
    for name in sorted(os.listdir(opts.models)):
        if not name.endswith(".mlir"):
            continue
        path = os.path.join(opts.models, name)
        model = name[:-5]
        entries = FUNC.findall(open(path).read())
        trainable = []
        for entry in entries:
            out = os.path.join(work, "%s.%s.mlir" % (model, entry))
            args = [opts.mp_opt, path, "-o", out, "--mp-make-trainable=params=both loss=sum "
                    "optimizer=sgd" + (" entry=" + entry if len(entries) > 1 else "")]
            r = subprocess.run(args, capture_output=True, text=True)
            if r.returncode:
                print("SKIP %s @%s: %s" % (model, entry, first_error(r.stderr)))
                continue
            trainable.append((entry, out))
        for policy in policies:
            ok = 0
            for entry, out in trainable:
                r = subprocess.run([opts.mp_opt, out, "-o", os.devnull,
                                    "--mp-mixed-precision=policy=%s mode=dynamic" % policy],
                                   capture_output=True, text=True)
                if r.returncode:
                    print("FAIL %s %s @%s: %s" % (model, policy, entry, first_error(r.stderr)))
                else:
                    ok += 1
            if trainable and ok == len(trainable):
                print("PASS %s %s: %d/%d functions" % (model, policy, ok, len(trainable)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
