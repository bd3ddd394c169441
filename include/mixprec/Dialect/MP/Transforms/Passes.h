//===- Passes.h - mixprec passes --------------------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_H
#define MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_H

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::mp {

#define GEN_PASS_DECL
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"

} // namespace mlir::mp

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_H
