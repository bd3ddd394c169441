//===- Cleanup.cpp - mp-cleanup pass --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPCLEANUP
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

FrozenRewritePatternSet mlir::mp::getCleanupPatterns(MLIRContext *ctx) {
  // The patterns of upstream's `canonicalize` pass.
  RewritePatternSet patterns(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    name.getCanonicalizationPatterns(patterns, ctx);
  return FrozenRewritePatternSet(std::move(patterns));
}

LogicalResult mlir::mp::applyCleanup(Operation *op) {
  return applyCleanup(op, getCleanupPatterns(op->getContext()));
}

LogicalResult mlir::mp::applyCleanup(Operation *op,
                                     const FrozenRewritePatternSet &frozen) {
  // The configuration of upstream's `canonicalize` pass with its default
  // options (which differ from GreedyRewriteConfig's own defaults: top-down
  // traversal, normal region simplification).
  GreedyRewriteConfig config;
  config.setUseTopDownTraversal(true)
      .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Normal)
      .setMaxIterations(10)
      .setMaxNumRewrites(GreedyRewriteConfig::kNoLimit);

  // canonicalize, cse, canonicalize. Like the canonicalize pass, each step
  // runs even when an earlier rewrite did not converge.
  bool converged = succeeded(applyPatternsGreedily(op, frozen, config));
  IRRewriter rewriter(op->getContext());
  DominanceInfo dominance(op);
  eliminateCommonSubExpressions(rewriter, dominance, op);
  converged &= succeeded(applyPatternsGreedily(op, frozen, config));
  return success(converged);
}

namespace {
struct MPCleanupPass : mp::impl::MPCleanupBase<MPCleanupPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    patterns =
        std::make_shared<FrozenRewritePatternSet>(getCleanupPatterns(context));
    return success();
  }

  void runOnOperation() override {
    auto countCasts = [&] {
      unsigned n = 0;
      getOperation()->walk([&](CastOp) { ++n; });
      return n;
    };
    // += : one pass instance may run on several functions.
    numCastsBefore += countCasts();
    // Canonicalization is best effort: not converging within the iteration
    // limit is not a pass failure (as for upstream's canonicalize pass).
    (void)applyCleanup(getOperation(), *patterns);
    numCastsAfter += countCasts();
  }

  // Built once (initialize), shared by the copies of the pass that run on
  // MLIR's threads.
  std::shared_ptr<const FrozenRewritePatternSet> patterns;
};
} // namespace
