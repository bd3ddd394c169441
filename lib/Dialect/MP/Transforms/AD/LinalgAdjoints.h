//===- LinalgAdjoints.h - adjoints of linalg ops ----------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_DIALECT_MP_TRANSFORMS_AD_LINALGADJOINTS_H
#define MIXPREC_LIB_DIALECT_MP_TRANSFORMS_AD_LINALGADJOINTS_H

#include "Adjoint.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::mp::ad {

/// Emits the adjoint of a linalg structured op on tensors: named rules for
/// matmul / batch_matmul (adjoints are matmuls with transposed operands),
/// conv_2d_nhwc_hwcf, 2-D NHWC pooling, transpose, broadcast, fill and sum
/// reductions; a structural rule for every other op whose body is
/// elementwise or a sum / max / min reduction (linalg.generic, linalg.reduce,
/// linalg.map, elementwise named ops, matvec, ...).
LogicalResult emitLinalgAdjoint(OpBuilder &b, linalg::LinalgOp op,
                                AdjointState &state);

} // namespace mlir::mp::ad

#endif // MIXPREC_LIB_DIALECT_MP_TRANSFORMS_AD_LINALGADJOINTS_H
