//===- Adjoint.h - reverse-mode adjoint rules -------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The machinery shared by mp-differentiate and its adjoint rules: the adjoint
// state of one reverse sweep (which values are active, their accumulated
// adjoints), the AdjointOpInterface every rule implements, and the builders
// the rules share. The same machinery differentiates the tensor-level body of
// a loss function and the scalar body of a linalg.generic.
//
// An embedder adds a rule for its own op by attaching an external model of
// AdjointOpInterface (docs/integration.md, docs/differentiate.md).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_ADJOINT_H
#define MIXPREC_DIALECT_MP_TRANSFORMS_ADJOINT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
class DialectRegistry;
namespace mp::ad {

/// The state of one reverse sweep over a straight-line sequence of ops.
///
/// A value is *active* when it depends on a differentiated input ("varied")
/// and has a float (or float-tensor) type. Only active values receive
/// adjoints; contributions to inactive values are dropped, so rules may call
/// `addAdjoint` unconditionally, but should test `isActive` first to avoid
/// building dead IR.
class AdjointState {
public:
  /// Marks `v` varied (a differentiation input).
  void markVaried(Value v) { varied.insert(v); }
  /// Propagates variedness forward through `ops` (in order): a float result
  /// is varied when an operand, or a value captured by a region, is varied.
  void propagateVaried(ArrayRef<Operation *> ops);

  bool isVaried(Value v) const { return varied.contains(v); }
  bool isActive(Value v) const;

  /// The adjoint accumulated so far for `v`, or null.
  Value getAdjoint(Value v) const { return adjoints.lookup(v); }
  /// Removes and returns the adjoint of `v` (null if none): for rules that
  /// accumulate into an existing adjoint themselves (e.g. as a matmul init).
  Value takeAdjoint(Value v) {
    Value adjoint = adjoints.lookup(v);
    adjoints.erase(v);
    return adjoint;
  }
  /// Sets the adjoint of `v`, replacing any previous one.
  void setAdjoint(Value v, Value adjoint) { adjoints[v] = adjoint; }
  /// Adds `contribution` (of the type of `v`) to the adjoint of `v`; a no-op
  /// when `v` is not active.
  void addAdjoint(OpBuilder &b, Location loc, Value v, Value contribution);

private:
  llvm::DenseSet<Value> varied;
  llvm::DenseMap<Value, Value> adjoints;
};

/// Emits the adjoint of `op` at the builder's insertion point through its
/// AdjointOpInterface. Emits "mp-differentiate: no adjoint rule for 'name'"
/// at the op and fails when the op has no rule; fails on dynamic shapes.
LogicalResult emitAdjoint(OpBuilder &b, Operation *op, AdjointState &state);

/// Runs the reverse sweep over `ops` (given in forward order): for every op
/// with an adjoint on one of its results and an active operand, emits its
/// adjoint. The adjoints of the outputs must have been seeded in `state`.
LogicalResult reverseSweep(OpBuilder &b, ArrayRef<Operation *> ops,
                           AdjointState &state);

/// Appends to `missing` every op of `ops` (and, through
/// `collectMissingAdjoints`, every nested op) that the reverse sweep from
/// `outputs` would differentiate but that has no adjoint rule. `state` must
/// hold the variedness of `ops` (after `propagateVaried`).
void collectMissingAdjoints(ArrayRef<Operation *> ops, ValueRange outputs,
                            const AdjointState &state,
                            SmallVectorImpl<Operation *> &missing);

//===----------------------------------------------------------------------===//
// Builders shared by the rules
//===----------------------------------------------------------------------===//

/// A float constant of type `type` (a float scalar or a splat tensor).
Value constantFloat(OpBuilder &b, Location loc, Type type, double value);
/// A zero tensor (tensor.empty + linalg.fill) or zero scalar of `type`.
Value zerosOf(OpBuilder &b, Location loc, Type type);
/// `v` converted to element type `elementType` (arith.extf / arith.truncf).
Value castElements(OpBuilder &b, Location loc, Value v, Type elementType);

} // namespace mp::ad

namespace mp {
/// Attaches the adjoint rules (external models of AdjointOpInterface) to the
/// upstream arith, math, tensor and linalg ops and to mp.cast. Called by
/// registerMixPrecDialects / registerAllDialects and by mp-differentiate's
/// dependent-dialect registration.
void registerAdjointExternalModels(DialectRegistry &registry);
} // namespace mp
} // namespace mlir

#include "mixprec/Dialect/MP/Transforms/AdjointOpInterface.h.inc"

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_ADJOINT_H
