//===- Passes.td - mixprec passes --------------------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD
#define MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MPCleanup : Pass<"mp-cleanup"> {
  let summary = "Fold and share precision casts, canonicalize, CSE, DCE";
  let description = [{
    Runs the canonicalization patterns of every loaded dialect (which
    includes `mp.cast` folding: identity casts, exact round trips such as
    bf16 -> f32 -> bf16, casts of constants) to a fixed point, then common
    subexpression elimination, so that equal casts of one value are shared.
    Dead ops are erased. A lossy pair such as f32 -> bf16 -> f32 is kept.

    ```
    mp-opt --mp-cleanup in.mlir
    ```
  }];
  let statistics = [
    Statistic<"numCastsBefore", "casts-before", "mp.cast ops before cleanup">,
    Statistic<"numCastsAfter", "casts-after", "mp.cast ops after cleanup">
  ];
}

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD
