//===- TensorBuilders.h - tensor IR building helpers ------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Small builders shared by mp-loss-scaling and mp-lower (MPToStandard). Each
// accepts a ranked float tensor (static or dynamic shape) or a float scalar.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_UTILS_TENSORBUILDERS_H
#define MIXPREC_DIALECT_MP_UTILS_TENSORBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mlir::mp::detail {

/// `value * factor`, where `factor` is a `tensor<f32>`; the product is
/// computed in f32 and rounded once to `value`'s element type.
Value buildScaleBy(OpBuilder &b, Location loc, Value value, Value factor);

/// Sum of the squares of the elements of `value`, accumulated in f32, as a
/// `tensor<f32>`.
Value buildSumOfSquares(OpBuilder &b, Location loc, Value value);

/// `tensor<i1>`: true iff no element of `value` is NaN or +-Inf.
Value buildAllFinite(OpBuilder &b, Location loc, Value value);

/// `acc + value` elementwise, in `acc`'s element type (f32 accumulators:
/// `value` is widened first); both ranked tensors of the same shape.
Value buildAccumulate(OpBuilder &b, Location loc, Value acc, Value value);

/// A ranked tensor of `value`'s shape and element type `elementType`, all
/// zeros.
Value buildZerosLike(OpBuilder &b, Location loc, Value value, Type elementType);

/// Converts a float scalar or tensor `value` to `type` (same shape, another
/// float element type): extf / truncf, via f32 when both are 16-bit.
Value convertFloat(OpBuilder &b, Location loc, Value value, Type type);

} // namespace mlir::mp::detail

#endif // MIXPREC_DIALECT_MP_UTILS_TENSORBUILDERS_H
