//===- PrecisionClassModels.h - op classes for upstream ops -----*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_UTILS_PRECISIONCLASSMODELS_H
#define MIXPREC_DIALECT_MP_UTILS_PRECISIONCLASSMODELS_H

namespace mlir {
class DialectRegistry;
namespace mp {

/// Attaches external models of `PrecisionClassOpInterface` to the upstream
/// ops docs/design.md §7 classifies (linalg named ops and generic, arith,
/// math, tensor, tosa). Called by `mlir::mp::registerAllDialects`.
void registerPrecisionClassExternalModels(DialectRegistry &registry);

} // namespace mp
} // namespace mlir

#endif // MIXPREC_DIALECT_MP_UTILS_PRECISIONCLASSMODELS_H
