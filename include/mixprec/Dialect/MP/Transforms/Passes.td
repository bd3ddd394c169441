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

def MPLossScaling : Pass<"mp-loss-scaling", "::mlir::ModuleOp"> {
  let summary = "Loss scaling, unscale, all-finite check and guarded update";
  let description = [{
    Rewrites every step function that calls `mp.value_and_grad` (one call
    per function) for loss scaling (DESIGN §2, §6):

    * the loss scale becomes the cotangent seed (`scale(%s)`);
    * the gradients are unscaled (`mp.unscale`, in f32) and checked with one
      `mp.all_finite` over all of them;
    * with `clip-norm` > 0 they are clipped by their global L2 norm;
    * every result tied with `mp.updates` is computed inside an `scf.if` on
      the check: on overflow it is its argument, bit for bit, and no update
      work runs. A result that depends on the gradients without a tie is an
      error;
    * `dynamic` appends `%scale {mp.loss_scale}`, `%tracker
      {mp.growth_tracker}` (and `%hysteresis {mp.hysteresis}` when
      `hysteresis` > 1) to the arguments and the new state plus
      `tensor<i1> {mp.overflow}` to the results, computed by
      `mp.update_scale`; `static` seeds a constant scale and appends only
      `mp.overflow`; `none` leaves the function unchanged.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"dynamic\"",
           "Loss scaling mode: none | static | dynamic">,
    Option<"initScale", "init-scale", "double", "32768.0",
           "Initial (dynamic) or constant (static) loss scale">,
    Option<"growthFactor", "growth-factor", "double", "2.0",
           "Scale multiplier after growth-interval finite steps (> 1)">,
    Option<"backoffFactor", "backoff-factor", "double", "0.5",
           "Scale multiplier on overflow, in (0, 1)">,
    Option<"growthInterval", "growth-interval", "int64_t", "2000",
           "Consecutive finite steps before the scale grows (>= 1)">,
    Option<"minScale", "min-scale", "double", "1.0",
           "Floor of the scale (0 disables it)">,
    Option<"maxScale", "max-scale", "double", "16777216.0",
           "Cap of the scale (inf disables it)">,
    Option<"hysteresis", "hysteresis", "int64_t", "1",
           "Overflowing steps tolerated before a backoff (>= 1)">,
    Option<"clipNorm", "clip-norm", "double", "0.0",
           "Clip the unscaled gradients to this global L2 norm (0 = off)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numStepFunctions", "step-functions",
              "Step functions rewritten">,
    Statistic<"numGuardedResults", "guarded-results",
              "mp.updates results guarded by the finite check">
  ];
}

def MPLower : Pass<"mp-lower"> {
  let summary = "Lower mp ops to arith, math, scf, linalg and tensor";
  let description = [{
    `mp.cast` becomes `arith.truncf` / `arith.extf`; `mp.unscale` an
    elementwise `linalg.generic` multiplying by `1/scale` in f32;
    `mp.all_finite` one reduction per operand and an `and`;
    `mp.update_scale` scalar arith implementing DESIGN §6 with selects (no
    branches). `mp.value_and_grad` must have been expanded by
    `mp-differentiate` first (an error otherwise). The rewrites are
    available as `mlir::mp::populateMPToStandardPatterns`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD
