#!/usr/bin/env bash
# The main job. Until mp-run exists (issue: CPU pipeline and mp-run) this
# parses and verifies the example training graph with mp-opt, runs
# mp-cleanup on it and prints the result.
set -euo pipefail
BUILD=${1:-build}
echo "== mp-opt --mp-cleanup examples/mlp.mlir"
"$BUILD/bin/mp-opt" --mp-cleanup --mlir-pass-statistics examples/mlp.mlir
