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

namespace mlir {
class DialectRegistry;
class SymbolTableCollection;
namespace mp {

/// Replaces `op` by the inlined forward computation of its callee followed by
/// a reverse-mode backward pass computing the gradients of the `wrt`
/// arguments (of `loss * scale` when the op has a `scale` operand). Calls in
/// the callee are inlined first. On failure (an op without an adjoint rule,
/// recursion, an external callee, ...) a diagnostic is emitted at the
/// offending op and the IR is left unchanged. The callee is not erased.
LogicalResult expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter);

/// Same, reusing the caller's symbol table cache.
LogicalResult expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter,
                                 SymbolTableCollection &symbolTables);

/// Dialects whose ops the backward pass may create (arith, math, linalg,
/// tensor, scf, mp) and the adjoint rules (registerAdjointExternalModels):
/// load them before running `expandValueAndGrad` outside the pass.
void registerDifferentiateDependentDialects(DialectRegistry &registry);

} // namespace mp
} // namespace mlir

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_DIFFERENTIATE_H
