#!/usr/bin/env python3
# ===- count_flops.py - contraction FLOPs of a differentiated graph --------===#
#
# Part of mixprec: MLIR passes for mixed-precision training.
#
# ===----------------------------------------------------------------------===#
"""Counts the FLOPs of the linalg.matmul / linalg.batch_matmul ops of two
functions of an mp-differentiate'd module read from stdin: the loss function
(the forward) and the step function (forward + backward, inlined). Prints
the backward/forward ratio and fails when it exceeds --max-ratio.

FLOPs of a contraction = 2 * (product of its loop bounds). With C = A * B,
|A| |B| / |C| = K^2 (matmul) or b K^2 (batch_matmul, b = batch), which gives
K whatever the operands' transpositions (indexing maps).
"""

import argparse
import math
import re
import sys


def numel(shape):
    return math.prod(int(d) for d in shape.split("x")[:-1])


def dims(shape):
    return [int(d) for d in shape.split("x")[:-1]]


def contraction_flops(body):
    total = 0
    pat = re.compile(r"linalg\.(matmul|batch_matmul)\b.*?ins\(.*?:\s*tensor<([^>]*)>,\s*tensor<([^>]*)>\)"
                     r"\s*outs\(.*?:\s*tensor<([^>]*)>\)")
    for m in pat.finditer(body):
        kind, a, b, c = m.groups()
        ratio = numel(a) * numel(b) / numel(c)
        if kind == "batch_matmul":
            ratio /= dims(c)[0]
        k = round(math.sqrt(ratio))
        total += 2 * numel(c) * k
    return total


def function_body(text, name):
    m = re.search(r"func\.func (?:private )?@" + name + r"\(.*?\n(.*?)\n  \}\n", text, re.S)
    if not m:
        sys.exit("function @%s not found" % name)
    return m.group(1)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--loss", default="loss")
    p.add_argument("--step", default="train_step")
    p.add_argument("--max-ratio", type=float, default=None)
    opts = p.parse_args()
    text = sys.stdin.read()
    fwd = contraction_flops(function_body(text, opts.loss))
    total = contraction_flops(function_body(text, opts.step))
    bwd = total - fwd
    ratio = bwd / fwd
    print("forward contraction FLOPs: %d" % fwd)
    print("backward contraction FLOPs: %d" % bwd)
    print("backward/forward: %.4f" % ratio)
    if opts.max_ratio is not None and ratio > opts.max_ratio:
        print("FAIL: ratio above %.2f" % opts.max_ratio)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
