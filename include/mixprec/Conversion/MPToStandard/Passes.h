//===- Passes.h - mp to standard conversion passes --------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_MPTOSTANDARD_PASSES_H
#define MIXPREC_CONVERSION_MPTOSTANDARD_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::mp {

#define GEN_PASS_DECL
#include "mixprec/Conversion/MPToStandard/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Conversion/MPToStandard/Passes.h.inc"

} // namespace mlir::mp

#endif // MIXPREC_CONVERSION_MPTOSTANDARD_PASSES_H
