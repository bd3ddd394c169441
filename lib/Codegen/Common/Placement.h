//===- Placement.h - where a tensor op may move within its block -*- C++
//-*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Helpers shared by the passes that move tensor ops before bufferization,
// which allocates a result where its op stands (mp-sink-inits,
// mp-sink-producers).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_CODEGEN_COMMON_PLACEMENT_H
#define MIXPREC_LIB_CODEGEN_COMMON_PLACEMENT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::mp {

/// Whether `op` is a fresh init: a tensor.empty, or a linalg.fill on
/// tensors into one (bufferization gives it a new buffer).
inline bool isFreshInit(Operation *op) {
  if (!op)
    return false;
  if (isa<tensor::EmptyOp>(op))
    return true;
  auto fill = dyn_cast<linalg::FillOp>(op);
  return fill && fill.hasPureTensorSemantics() &&
         fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
}

/// The first operation of `op`'s block that uses one of its results (itself
/// or through an op it contains); null when a use is outside the block or
/// there is none.
inline Operation *firstUserInBlock(Operation *op) {
  Block *block = op->getBlock();
  Operation *first = nullptr;
  for (Operation *user : op->getUsers()) {
    Operation *at = block->findAncestorOpInBlock(*user);
    if (!at)
      return nullptr;
    if (!first || at->isBeforeInBlock(first))
      first = at;
  }
  return first;
}

} // namespace mlir::mp

#endif // MIXPREC_LIB_CODEGEN_COMMON_PLACEMENT_H
