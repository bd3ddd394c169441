//===- Placement.h - fresh inits of the sinking passes ----------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// What the passes that move tensor ops before bufferization (which
// allocates a result where its op stands) take for a new buffer:
// mp-sink-inits moves these, mp-sink-producers counts their bytes.
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

} // namespace mlir::mp

#endif // MIXPREC_LIB_CODEGEN_COMMON_PLACEMENT_H
