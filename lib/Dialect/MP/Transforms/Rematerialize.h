//===- Rematerialize.h - the backward saves less ----------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Step 4 of mp-differentiate (see Differentiate.cpp): forward values the
// backward reads that cheap ops compute from values it keeps anyway are
// recomputed in the backward instead of saved (docs/differentiate.md "Saved
// activations").
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_DIALECT_MP_TRANSFORMS_REMATERIALIZE_H
#define MIXPREC_LIB_DIALECT_MP_TRANSFORMS_REMATERIALIZE_H

namespace mlir {
class Block;
class Operation;
namespace mp {

/// `body` holds the forward ops up to and including `forwardEnd`, then the
/// backward, then the terminator. Recomputes in the backward, right before
/// their first backward use, the cheap forward values that cost fewer bytes
/// to recompute than to save; the copies carry a `recomputed` unit attribute
/// (so that CSE does not merge them back). Gradients are bitwise unchanged.
void rematerialize(Block &body, Operation *forwardEnd);

} // namespace mp
} // namespace mlir

#endif // MIXPREC_LIB_DIALECT_MP_TRANSFORMS_REMATERIALIZE_H
