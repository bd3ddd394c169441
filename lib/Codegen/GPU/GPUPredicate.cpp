//===- GPUPredicate.cpp - mp-gpu-predicate --------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUPREDICATE
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

static bool isPureTree(Region &region) {
  bool pure = true;
  region.walk([&](Operation *op) {
    if (!isMemoryEffectFree(op))
      pure = false;
  });
  return pure;
}

/// Rewrites `scf.if %c -> (tensors, scalars) {A} else {B}` with
/// side-effect-free branches into A; B; select(%c, a, b) per result, where
/// a tensor select is a linalg.generic that reads the condition from a 0-d
/// tensor on the device. When %c is `tensor.extract %t[]`, %t is read
/// directly, so no value ever travels to the host.
static LogicalResult predicateIf(RewriterBase &rewriter, scf::IfOp op) {
  if (op.getNumResults() == 0 || op.getElseRegion().empty())
    return failure();
  for (Type t : op.getResultTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (tensor ? !tensor.hasStaticShape() : !t.isIntOrIndexOrFloat())
      return failure();
  }
  if (!isPureTree(op.getThenRegion()) || !isPureTree(op.getElseRegion()))
    return failure();

  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  Value cond = op.getCondition();
  Value condTensor;
  if (auto extract = cond.getDefiningOp<tensor::ExtractOp>();
      extract && extract.getTensor().getType().getRank() == 0)
    condTensor = extract.getTensor();

  auto inlineBranch = [&](Block *block) {
    auto yield = cast<scf::YieldOp>(block->getTerminator());
    SmallVector<Value> values(yield.getOperands());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(block, op);
    return values;
  };
  SmallVector<Value> thenValues = inlineBranch(op.thenBlock());
  SmallVector<Value> elseValues = inlineBranch(op.elseBlock());

  SmallVector<Value> results;
  for (auto [t, e] : llvm::zip(thenValues, elseValues)) {
    if (t == e) {
      results.push_back(t);
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(t.getType());
    if (!type) {
      results.push_back(arith::SelectOp::create(rewriter, loc, cond, t, e));
      continue;
    }
    if (!condTensor)
      condTensor = tensor::FromElementsOp::create(
          rewriter, loc, RankedTensorType::get({}, cond.getType()), cond);
    int64_t rank = type.getRank();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{condTensor, t, e},
        ValueRange{init}, ArrayRef<AffineMap>{scalar, id, id, id}, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value s = arith::SelectOp::create(b, l, args[0], args[1], args[2]);
          linalg::YieldOp::create(b, l, s);
        });
    results.push_back(generic.getResult(0));
  }
  rewriter.replaceOp(op, results);
  return success();
}

struct PredicateGuardsPass : mp::impl::MPGPUPredicateBase<PredicateGuardsPass> {
  void runOnOperation() override {
    SmallVector<scf::IfOp> ifs;
    // Post-order: inner ifs first.
    getOperation().walk([&](scf::IfOp op) { ifs.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (scf::IfOp op : ifs)
      (void)predicateIf(rewriter, op);
  }
};

} // namespace
