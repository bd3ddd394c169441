//===- FoldSplatInputs.cpp - mp-fold-splat-inputs -------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// A linalg.generic input that is a tensor.splat of a scalar reads the scalar
// instead: the input and its indexing map are dropped and the body uses the
// scalar from above. Without this, bufferization materializes each splat as
// a full-size buffer (issue 20: Adam's bias corrections in the optimizer
// update, one buffer per parameter shape at the step's peak).
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPFOLDSPLATINPUTS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// The scalar `v` splats (a `tensor.splat` of a static-shape tensor), or null.
Value splattedScalar(Value v) {
  auto splat = v.getDefiningOp<tensor::SplatOp>();
  if (!splat || !splat.getType().hasStaticShape())
    return Value();
  return splat.getInput();
}

/// Rebuilds `op` without its splat inputs; returns whether it did.
bool foldSplatInputs(IRRewriter &rewriter, linalg::GenericOp op) {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<std::pair<unsigned, Value>> folded; // block arg -> scalar
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (Value scalar = splattedScalar(input->get())) {
      folded.push_back({input->getOperandNumber(), scalar});
      continue;
    }
    inputs.push_back(input->get());
    maps.push_back(op.getMatchingIndexingMap(input));
  }
  if (folded.empty())
    return false;
  for (OpOperand &init : op.getDpsInitsMutable())
    maps.push_back(op.getMatchingIndexingMap(&init));

  Block &body = op.getRegion().front();
  llvm::BitVector erase(body.getNumArguments());
  for (auto [index, scalar] : folded) {
    body.getArgument(index).replaceAllUsesWith(scalar);
    erase.set(index);
  }
  body.eraseArguments(erase);

  rewriter.setInsertionPoint(op);
  auto generic = linalg::GenericOp::create(
      rewriter, op.getLoc(), op->getResultTypes(), inputs, op.getDpsInits(),
      maps, op.getIteratorTypesArray());
  if (StringAttr doc = op.getDocAttr())
    generic.setDocAttr(doc);
  if (StringAttr call = op.getLibraryCallAttr())
    generic.setLibraryCallAttr(call);
  // The other attributes (names, markers).
  for (NamedAttribute attr : op->getDiscardableAttrs())
    generic->setDiscardableAttr(attr.getName(), attr.getValue());
  rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                              generic.getRegion().end());
  llvm::SetVector<Operation *> splats;
  for (auto [index, scalar] : folded)
    splats.insert(op->getOperand(index).getDefiningOp());
  rewriter.replaceOp(op, generic->getResults());
  for (Operation *splat : splats)
    if (splat->use_empty())
      rewriter.eraseOp(splat);
  return true;
}

struct FoldSplatInputsPass
    : mp::impl::MPFoldSplatInputsBase<FoldSplatInputsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureTensorSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    bool changed = false;
    for (linalg::GenericOp op : ops)
      changed |= foldSplatInputs(rewriter, op);
    if (!changed)
      markAllAnalysesPreserved();
  }
};

} // namespace
