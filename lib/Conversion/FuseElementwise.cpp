//===- FuseElementwise.cpp - elementwise fusion around contractions -------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/CPUPasses.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPFUSEELEMENTWISE
#include "mixprec/Conversion/CPUPasses.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
/// Contractions and convolutions keep their named (or GEMM-shaped) form:
/// mp-contractions-to-runtime maps them to GEMM calls.
bool isContractionLike(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp)
    return false;
  return linalg::isaContractionOpInterface(linalgOp) ||
         linalg::isaConvolutionOpInterface(linalgOp);
}

/// Named ops other than contractions and fills (linalg.reduce, broadcast,
/// transpose, elementwise named ops) as linalg.generic, so that elementwise
/// producers fuse into them and they fuse into their consumers.
void generalizeNamedOps(func::FuncOp func) {
  SmallVector<linalg::LinalgOp> todo;
  func.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp, linalg::FillOp>(op) &&
        op.hasPureTensorSemantics() && !isContractionLike(op))
      todo.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::LinalgOp op : todo) {
    rewriter.setInsertionPoint(op);
    (void)linalg::generalizeNamedOp(rewriter, op);
  }
}

/// An elementwise generic cheap enough to recompute in each consumer: all
/// loops parallel, one result, only arith ops (casts, add/mul, compares,
/// selects: no transcendental) and at most `kMaxOps` of them.
bool isCheapElementwise(linalg::GenericOp op) {
  constexpr unsigned kMaxOps = 6;
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      op.getNumLoops() == 0 || op.getNumReductionLoops() != 0 ||
      !op.hasPureTensorSemantics())
    return false;
  unsigned count = 0;
  for (Operation &o : op.getBody()->without_terminator()) {
    if (!isa<arith::ArithDialect>(o.getDialect()) || o.getNumRegions())
      return false;
    if (++count > kMaxOps)
      return false;
  }
  return true;
}

/// Clones a cheap elementwise generic with several uses once per use when
/// every use can fuse it (each use then fuses its own copy): the value is
/// recomputed inside each consumer instead of being written to memory and
/// read back. Typical case: the unscaled gradient `g * (1/scale)`, read by
/// the all-finite reduction and by the (guarded) optimizer update.
unsigned duplicateCheapProducers(func::FuncOp func) {
  SmallVector<linalg::GenericOp> todo;
  func.walk([&](linalg::GenericOp op) {
    if (!isCheapElementwise(op) || op->getResult(0).hasOneUse() ||
        op->getResult(0).use_empty())
      return;
    for (OpOperand &use : op->getResult(0).getUses()) {
      auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (!user || isContractionLike(user) || !user.isDpsInput(&use) ||
          !linalg::areElementwiseOpsFusable(&use))
        return;
    }
    todo.push_back(op);
  });
  OpBuilder b(func.getContext());
  for (linalg::GenericOp op : todo) {
    Value result = op->getResult(0);
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        result.getUses(), [](OpOperand &use) { return &use; });
    for (OpOperand *use : llvm::drop_begin(uses)) {
      b.setInsertionPoint(op);
      Operation *clone = b.clone(*op);
      use->set(clone->getResult(0));
    }
  }
  return todo.size();
}

struct MPFuseElementwise : mp::impl::MPFuseElementwiseBase<MPFuseElementwise> {
  using MPFuseElementwiseBase::MPFuseElementwiseBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    generalizeNamedOps(getOperation());
    // Fuse, then give cheap multi-use producers one copy per consumer and
    // fuse again (fusion creates new multi-use producers).
    for (int round = 0; round < 3; ++round) {
      if (failed(fuse(context)))
        return signalPassFailure();
      if (!duplicateCheapProducers(getOperation()))
        break;
    }
  }

  LogicalResult fuse(MLIRContext *context) {
    RewritePatternSet patterns(context);
    // Upstream's control (fuse a producer with a single use), plus: neither
    // side of the fusion / reshape propagation is a contraction.
    unsigned limit = maxOperands;
    linalg::ControlFusionFn control = [limit](OpOperand *fusedOperand) {
      Operation *producer = fusedOperand->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      // The fused op takes the operands of both but the fused one and the
      // producer's init: bound it (linear on long chains).
      if (producer->getNumOperands() +
              fusedOperand->getOwner()->getNumOperands() >
          limit + 2)
        return false;
      // A 0-d producer (1 / scale, a learning rate) is computed once; fused,
      // it would be recomputed (a division) for every element.
      if (auto type = dyn_cast<ShapedType>(fusedOperand->get().getType());
          type && type.getRank() == 0)
        return false;
      return !isContractionLike(producer) &&
             !isContractionLike(fusedOperand->getOwner());
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
    return success();
  }
};
} // namespace
