//===- MixedPrecision.cpp - the mp-mixed-precision pipeline ---------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "PipelineUtils.h"
#include "mixprec/Conversion/MPToStandard/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Pipelines/Pipelines.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

void mp::buildMixedPrecisionPipeline(OpPassManager &pm,
                                     const MixedPrecisionOptions &options) {
  // TOSA input: lowered to linalg/arith/tensor first, so that autocast and
  // the adjoint rules see what they know (only when tosa ops are present).
  addTosaToLinalgIfPresent(pm);
  MPAutocastOptions autocast;
  autocast.policy = options.policy;
  autocast.target = options.target;
  autocast.allow.assign(options.allow.begin(), options.allow.end());
  autocast.deny.assign(options.deny.begin(), options.deny.end());
  autocast.follow.assign(options.follow.begin(), options.follow.end());
  autocast.keepFp32 = options.keepFp32;
  autocast.accumulate = options.accumulate;
  autocast.computeOutput = options.computeOutput;
  autocast.report = options.report;
  pm.addPass(createMPAutocast(autocast));
  MPLossScalingOptions scaling;
  scaling.mode = options.mode;
  scaling.initScale = options.initScale;
  scaling.growthFactor = options.growthFactor;
  scaling.backoffFactor = options.backoffFactor;
  scaling.growthInterval = options.growthInterval;
  scaling.minScale = options.minScale;
  scaling.maxScale = options.maxScale;
  scaling.hysteresis = options.hysteresis;
  scaling.clipNorm = options.clipNorm;
  scaling.microbatches = options.microbatches;
  scaling.gradNorm = options.gradNorm;
  pm.addPass(createMPLossScaling(scaling));
  // After the loss scale seeds the gradients and before they are unscaled
  // and checked: every rank then sees the same reduced gradients.
  if (options.dataParallel != "none") {
    MPDataParallelOptions dataParallel;
    dataParallel.backend = options.dataParallel;
    dataParallel.bucketBytes = options.bucketBytes;
    dataParallel.target = options.target;
    pm.addPass(createMPDataParallel(dataParallel));
  }
  pm.addPass(createMPDifferentiate());
  // Per function: the step and @loss (and the layer functions of a
  // differentiated call) are cleaned up on all of MLIR's threads.
  pm.addNestedPass<func::FuncOp>(createMPCleanup());
  pm.addPass(createMPLower());
  pm.addNestedPass<func::FuncOp>(createMPCleanup());
}
