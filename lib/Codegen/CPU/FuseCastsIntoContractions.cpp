//===- FuseCastsIntoContractions.cpp - round operands inside the GEMM -----===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPFUSECASTSINTOCONTRACTIONS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// The f32 function argument that `operand` rounds to bf16/f16, when it is
/// an elementwise linalg.generic holding just an `arith.truncf` (identity
/// maps, all parallel) of a function argument; null otherwise.
Value roundedArgument(Value operand) {
  auto op = operand.getDefiningOp<linalg::GenericOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return {};
  Block &body = op.getRegion().front();
  if (!llvm::hasSingleElement(body.without_terminator()))
    return {};
  auto trunc = dyn_cast<arith::TruncFOp>(body.front());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!trunc || trunc.getIn() != body.getArgument(0) ||
      yield.getValues()[0] != trunc.getResult() ||
      trunc.getRoundingmodeAttr() || !trunc.getIn().getType().isF32() ||
      !(trunc.getType().isBF16() || trunc.getType().isF16()))
    return {};
  auto arg = dyn_cast<BlockArgument>(op.getDpsInputs()[0]);
  if (!arg || !isa<FunctionOpInterface>(arg.getOwner()->getParentOp()) ||
      !arg.getOwner()->isEntryBlock())
    return {};
  return arg;
}

/// Whether `op` is a contraction this pass may rewrite: matmul /
/// batch_matmul with the default (extending) cast, or a generic with one M,
/// N and K dimension, on tensors.
bool isCandidate(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return false;
  if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation()))
    return mm.getCast() == linalg::TypeFn::cast_signed;
  if (auto bm = dyn_cast<linalg::BatchMatmulOp>(op.getOperation()))
    return bm.getCast() == linalg::TypeFn::cast_signed;
  if (!isa<linalg::GenericOp>(op.getOperation()))
    return false;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  return succeeded(dims) && dims->m.size() == 1 && dims->n.size() == 1 &&
         dims->k.size() == 1;
}

struct FuseCastsIntoContractionsPass
    : mp::impl::MPFuseCastsIntoContractionsBase<FuseCastsIntoContractionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isCandidate(op) && llvm::any_of(op.getDpsInputs(), [](Value v) {
            return roundedArgument(v) != nullptr;
          }))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic;
      if (auto g = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        generic = g;
      } else {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      // The new operands and the body: a rounded argument enters as f32 and
      // is truncated first thing in the body.
      SmallVector<Value> inputs(generic.getDpsInputs());
      SmallVector<Value> casts;
      for (Value &in : inputs)
        if (Value arg = roundedArgument(in)) {
          casts.push_back(in);
          in = arg;
        } else {
          casts.push_back({});
        }
      auto fused = linalg::GenericOp::create(
          rewriter, generic.getLoc(), generic.getResultTypes(), inputs,
          generic.getDpsInits(), generic.getIndexingMapsArray(),
          generic.getIteratorTypesArray(),
          [&](OpBuilder &b, Location loc, ValueRange args) {
            Block &old = generic.getRegion().front();
            IRMapping map;
            for (auto [i, arg] : llvm::enumerate(args)) {
              Value v = arg;
              if (i < casts.size() && casts[i])
                v = arith::TruncFOp::create(b, loc,
                                            old.getArgument(i).getType(), arg);
              map.map(old.getArgument(i), v);
            }
            for (Operation &o : old.without_terminator())
              b.clone(o, map);
            SmallVector<Value> yielded;
            for (Value y : old.getTerminator()->getOperands())
              yielded.push_back(map.lookupOrDefault(y));
            linalg::YieldOp::create(b, loc, yielded);
          });
      fused->setDiscardableAttrs(generic->getDiscardableAttrDictionary());
      rewriter.replaceOp(generic, fused->getResults());
      // The copies that nothing reads any more, and their empty inits.
      for (Value c : casts) {
        if (!c || !c.use_empty())
          continue;
        auto castOp = c.getDefiningOp<linalg::GenericOp>();
        Value init = castOp.getDpsInits()[0];
        rewriter.eraseOp(castOp);
        if (auto empty = init.getDefiningOp<tensor::EmptyOp>();
            empty && empty->use_empty())
          rewriter.eraseOp(empty);
      }
    }
  }
};

} // namespace
