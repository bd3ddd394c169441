//===- Cleanup.cpp - mp-cleanup pass --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPCLEANUP
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

LogicalResult mlir::mp::applyCleanup(Operation *op) {
  MLIRContext *ctx = op->getContext();
  RewritePatternSet patterns(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    name.getCanonicalizationPatterns(patterns, ctx);
  FrozenRewritePatternSet frozen(std::move(patterns));
  if (failed(applyPatternsGreedily(op, frozen)))
    return failure();
  IRRewriter rewriter(ctx);
  DominanceInfo dominance(op);
  eliminateCommonSubExpressions(rewriter, dominance, op);
  return applyPatternsGreedily(op, frozen);
}

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
