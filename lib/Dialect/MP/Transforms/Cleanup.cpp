//===- Cleanup.cpp - mp-cleanup pass --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPCLEANUP
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

namespace {
struct MPCleanupPass : mp::impl::MPCleanupBase<MPCleanupPass> {
  using Base::Base;

  void runOnOperation() override {
    auto countCasts = [&] {
      unsigned n = 0;
      getOperation()->walk([&](CastOp) { ++n; });
      return n;
    };
    numCastsBefore = countCasts();
    OpPassManager pm(getOperation()->getName());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addPass(createCanonicalizerPass());
    if (failed(runPipeline(pm, getOperation())))
      return signalPassFailure();
    numCastsAfter = countCasts();
  }
};
} // namespace
