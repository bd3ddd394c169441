//===- GPUApproximateMath.cpp - mp-gpu-approximate-math -------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/GPUPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixprec {
#define GEN_PASS_DEF_MPGPUAPPROXIMATEMATH
#include "mixprec/Conversion/GPUPasses.h.inc"
} // namespace mixprec

using namespace mlir;

namespace {

/// Polynomial approximations of math functions inside gpu.module, so that
/// kernels need no libdevice (format=isa works without a CUDA toolkit).
struct ApproximateMathPass
    : mixprec::impl::MPGPUApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
