//===- Preconditions.h - what the mp-to-standard patterns lower -*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Private to MixPrecMPToStandard: the one statement of which mp ops the
// patterns lower, shared by the patterns (which do not match the others) and
// mp-lower (which reports the others at the op before converting).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_CONVERSION_MPTOSTANDARD_PRECONDITIONS_H
#define MIXPREC_LIB_CONVERSION_MPTOSTANDARD_PRECONDITIONS_H

#include "mlir/IR/Operation.h"
#include <optional>
#include <string>

namespace mlir::mp::detail {

/// Why the patterns of `populateMPToStandardPatterns` cannot lower `op`, an
/// op of the mp dialect (e.g. "operand #0 has unranked type tensor<*xf32>;
/// only ranked tensors and scalars are lowered"); std::nullopt when they can.
std::optional<std::string> whyNotLowerable(Operation *op);

} // namespace mlir::mp::detail

#endif // MIXPREC_LIB_CONVERSION_MPTOSTANDARD_PRECONDITIONS_H
