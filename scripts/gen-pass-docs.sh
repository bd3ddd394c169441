#!/usr/bin/env bash
# Prints the pass reference (docs/passes.md) generated from mixprec's ODS pass
# declarations with mlir-tblgen -gen-pass-doc. test/Tools/pass-docs.test
# fails when docs/passes.md differs from this output; regenerate with
#   bash scripts/gen-pass-docs.sh > docs/passes.md
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
TBLGEN=${MLIR_TBLGEN:-/usr/lib/llvm-22/bin/mlir-tblgen}
cat <<'HEADER'
# mixprec pass reference

Generated from the ODS declarations (`include/mixprec/**/Passes.td`) by
`scripts/gen-pass-docs.sh` (`mlir-tblgen -gen-pass-doc`); do not edit by
hand. Rationale and measurements are in [design.md](design.md),
[autocast.md](autocast.md), [loss-scaling.md](loss-scaling.md),
[differentiate.md](differentiate.md) and [codegen.md](codegen.md).
HEADER
section() { # title td-path
  printf '\n## %s\n\n' "$1"
  "$TBLGEN" -gen-pass-doc -I /usr/lib/llvm-22/include -I "$SRC/include" \
    "$SRC/$2"
}
section "mp dialect transforms (include/mixprec/Dialect/MP/Transforms/Passes.td)" \
  include/mixprec/Dialect/MP/Transforms/Passes.td
section "Conversion: MPToStandard (include/mixprec/Conversion/MPToStandard/Passes.td)" \
  include/mixprec/Conversion/MPToStandard/Passes.td
section "Codegen, both targets (include/mixprec/Codegen/Common/Passes.td)" \
  include/mixprec/Codegen/Common/Passes.td
section "Codegen, CPU (include/mixprec/Codegen/CPU/Passes.td)" \
  include/mixprec/Codegen/CPU/Passes.td
section "Codegen, NVIDIA GPU (include/mixprec/Codegen/GPU/Passes.td)" \
  include/mixprec/Codegen/GPU/Passes.td
