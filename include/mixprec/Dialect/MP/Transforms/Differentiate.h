//===- Differentiate.h - reverse-mode AD of mp.value_and_grad ---*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The C++ entry points of mp-differentiate, for compilers that do not use our
// pass manager.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_DIFFERENTIATE_H
#define MIXPREC_DIALECT_MP_TRANSFORMS_DIFFERENTIATE_H

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Support/LLVM.h"
#include <memory>

namespace mlir {
class DialectRegistry;
class SymbolTableCollection;
namespace func {
class FuncOp;
} // namespace func
namespace mp {

/// Options of the expansion (the `mp-differentiate` pass options).
struct DifferentiateOptions {
  /// Inline every func.call of the loss before differentiating it, except
  /// calls marked `no_inline`; false: differentiate every call as a call
  /// (a forward function @g_fwd that also returns the residuals, and an
  /// adjoint function @g_bwd, built once per callee and set of active
  /// arguments).
  bool inlineCalls = true;
};

/// The transient attribute mp-differentiate puts on a call of @g_fwd while
/// it differentiates the caller: a dictionary naming the adjoint function
/// (`adjoint`), its inputs before the cotangents (`inputs`: >= 0 a call
/// operand, < 0 the call result `-i - 1`), the results that take a
/// cotangent (`cotangents`) and the operands that get one (`gradients`).
/// The adjoint rule of func.call (AD/Adjoint.cpp) reads it; it is removed
/// before the pass returns.
constexpr llvm::StringLiteral kCallAdjointAttrName = "mp-differentiate.call";

/// Expands several mp.value_and_grad ops of one module, sharing the forward /
/// adjoint functions of their callees (the pass uses one for the module).
class ValueAndGradExpander {
public:
  ValueAndGradExpander(SymbolTableCollection &symbolTables,
                       DifferentiateOptions options = {});
  ~ValueAndGradExpander();
  /// expandValueAndGrad with the shared functions; on failure the IR,
  /// including the module's functions, is unchanged.
  LogicalResult expand(ValueAndGradOp op, RewriterBase &rewriter);
  /// The callees differentiated as calls so far: their calls in the
  /// differentiated code call their @*_fwd now, so a private one may have
  /// no user left.
  ArrayRef<func::FuncOp> getCallees() const;
  /// The number of forward / adjoint function pairs created.
  unsigned getNumCallAdjoints() const;

  struct Impl;

private:
  std::unique_ptr<Impl> impl;
};

/// Replaces `op` by the inlined forward computation of its callee followed by
/// a reverse-mode backward pass computing the gradients of the `wrt`
/// arguments (of `loss * scale` when the op has a `scale` operand). Calls in
/// the callee are inlined first, except those marked `no_inline`, which are
/// differentiated as calls (see DifferentiateOptions). On failure (an op
/// without an adjoint rule, recursion, an external callee, ...) a diagnostic is
/// emitted at the offending op and the IR is left unchanged. The callee is not
/// erased.
LogicalResult expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter);

/// Same, reusing the caller's symbol table cache.
LogicalResult expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter,
                                 SymbolTableCollection &symbolTables);

/// Same, with options: `inlineCalls = false` differentiates calls as calls;
/// the forward / adjoint functions it creates are inserted after their
/// callee in the module.
LogicalResult expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter,
                                 SymbolTableCollection &symbolTables,
                                 const DifferentiateOptions &options);

/// Dialects whose ops the backward pass may create (arith, math, linalg,
/// tensor, scf, mp) and the adjoint rules (registerAdjointExternalModels):
/// load them before running `expandValueAndGrad` outside the pass.
void registerDifferentiateDependentDialects(DialectRegistry &registry);

} // namespace mp
} // namespace mlir

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_DIFFERENTIATE_H
