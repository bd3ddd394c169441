//===- MPToStandard.h - mp ops to arith/math/linalg/tensor ------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The rewrites behind mp-lower, for another compiler's own dialect
// conversion.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_MPTOSTANDARD_MPTOSTANDARD_H
#define MIXPREC_CONVERSION_MPTOSTANDARD_MPTOSTANDARD_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::mp {

/// Conversion patterns lowering `mp.cast`, `mp.unscale`, `mp.all_finite` and
/// `mp.update_scale` to arith / math / linalg / tensor ops (no type
/// converter needed). They are `ConversionPattern`s: use them in a dialect
/// conversion (`applyPartialConversion` / `applyFullConversion`) whose
/// target makes those four dialects legal, not with the greedy driver. Ops
/// on unranked tensors are not lowered (the conversion then fails at them);
/// `mp.value_and_grad` has no pattern (expand it with mp-differentiate).
void populateMPToStandardPatterns(RewritePatternSet &patterns);

} // namespace mlir::mp

#endif // MIXPREC_CONVERSION_MPTOSTANDARD_MPTOSTANDARD_H
