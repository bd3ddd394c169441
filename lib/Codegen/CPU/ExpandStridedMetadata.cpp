//===- ExpandStridedMetadata.cpp - mp-expand-strided-metadata -------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// memref::createExpandStridedMetadataPass (same patterns, same greedy
// driver) without region simplification: by then the functions of a large
// training step are a CFG of tens of thousands of blocks, where looking for
// blocks to simplify is most of the pass and finds nothing.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPEXPANDSTRIDEDMETADATA
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct ExpandStridedMetadataPass
    : mp::impl::MPExpandStridedMetadataBase<ExpandStridedMetadataPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    memref::populateExpandStridedMetadataPatterns(patterns);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
  }
};
} // namespace
