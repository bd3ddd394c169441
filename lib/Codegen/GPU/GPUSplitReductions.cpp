//===- GPUSplitReductions.cpp - mp-gpu-split-reductions -------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUSPLITREDUCTIONS
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// A linalg.generic that reduces whole static tensors (all iterators
/// reductions, identity input maps, a 0-d output) runs as one GPU thread
/// once lowered. Collapse it to 1-D and split the reduction in two stages
/// (linalg::splitReduction): `ratio` threads reduce contiguous chunks, then
/// one thread combines the partial results.
static LogicalResult splitFullReduction(RewriterBase &rewriter,
                                        linalg::GenericOp op,
                                        int64_t minElements) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      op.getNumParallelLoops() != 0 || !op.hasPureTensorSemantics())
    return failure();
  // Collapsing and splitting renumber the loops: a body that reads
  // linalg.index would see other indices.
  if (op.hasIndexSemantics())
    return failure();
  auto outType = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!outType || outType.getRank() != 0)
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t n = 1;
  for (int64_t r : ranges) {
    if (ShapedType::isDynamic(r))
      return failure();
    n *= r;
  }
  if (n < minElements)
    return failure();
  for (OpOperand *in : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(in).isIdentity())
      return failure();
  int64_t ratio = 0;
  for (int64_t r = 1024; r >= 32; --r)
    if (n % r == 0) {
      ratio = r;
      break;
    }
  if (!ratio)
    return failure();

  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  linalg::GenericOp flat = op;
  if (ranges.size() > 1) {
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, ranges.size()));
    SmallVector<Value> inputs;
    for (Value in : op.getDpsInputs())
      inputs.push_back(tensor::CollapseShapeOp::create(
          rewriter, loc, in, ArrayRef<ReassociationIndices>{all}));
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    SmallVector<AffineMap> maps(inputs.size(), id);
    maps.push_back(AffineMap::get(1, 0, ctx));
    flat = linalg::GenericOp::create(
        rewriter, loc, op.getResultTypes(), inputs, op.getDpsInits(), maps,
        ArrayRef<utils::IteratorType>{utils::IteratorType::reduction});
    rewriter.inlineRegionBefore(op.getRegion(), flat.getRegion(),
                                flat.getRegion().end());
    rewriter.replaceOp(op, flat.getResults());
  }
  linalg::ControlSplitReductionFn control = [&](linalg::LinalgOp) {
    return linalg::SplitReductionOptions{ratio, 0, false};
  };
  rewriter.setInsertionPoint(flat);
  if (failed(linalg::splitReduction(rewriter, flat, control)))
    return success(flat != op);
  return success();
}

struct SplitReductionsPass
    : mp::impl::MPGPUSplitReductionsBase<SplitReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops)
      (void)splitFullReduction(rewriter, op, minElements);
  }
};

} // namespace
