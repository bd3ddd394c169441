//===- AdjointUtils.h - helpers of the adjoint rules ------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Private to the adjoint rules: the small builder facade the elementwise rules
// use, the model template for single-result ops and the per-dialect
// registration functions (one file per dialect).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_DIALECT_MP_TRANSFORMS_AD_ADJOINTUTILS_H
#define MIXPREC_LIB_DIALECT_MP_TRANSFORMS_AD_ADJOINTUTILS_H

#include "mixprec/Dialect/MP/Transforms/Adjoint.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::mp::ad {

/// "mp-differentiate: no adjoint rule for 'name'" at `op`.
InFlightDiagnostic emitNoRule(Operation *op);

/// True for a float scalar or a ranked tensor of floats.
bool isFloatLike(Type type);

/// An integer constant of `type` (an integer scalar or a splat tensor).
Value constantInt(OpBuilder &b, Location loc, Type type, int64_t value);

/// Small builder facade used by the rules.
struct RuleBuilder {
  OpBuilder &b;
  Location loc;
  AdjointState &st;

  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value cst(Type t, double v) { return constantFloat(b, loc, t, v); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value t, Value f) {
    return arith::SelectOp::create(b, loc, c, t, f);
  }
  /// Adds the contribution built by `fn` to `primal` if it is active.
  void contribute(Value primal, llvm::function_ref<Value()> fn) {
    if (st.isActive(primal))
      st.addAdjoint(b, loc, primal, fn());
  }
};

/// A rule for a single-result op, given the adjoint `grad` of its result.
using Rule = LogicalResult (*)(RuleBuilder &, Operation *, Value grad);

/// The AdjointOpInterface model of a single-result op whose rule is `R`:
/// nothing to do when the result has no adjoint.
template <typename OpTy, Rule R>
struct SingleResultModel
    : AdjointOpInterface::ExternalModel<SingleResultModel<OpTy, R>, OpTy> {
  LogicalResult emitAdjoint(Operation *op, OpBuilder &b,
                            AdjointState &state) const {
    if (op->getNumResults() != 1)
      return emitNoRule(op);
    Value g = state.getAdjoint(op->getResult(0));
    if (!g)
      return success();
    RuleBuilder r{b, op->getLoc(), state};
    return R(r, op, g);
  }
};

template <typename OpTy, Rule R> void attachRule(MLIRContext *ctx) {
  OpTy::template attachInterface<SingleResultModel<OpTy, R>>(*ctx);
}

// One registration function per dialect (ArithAdjoints.cpp, ...).
void registerArithAdjointModels(DialectRegistry &registry);
void registerMathAdjointModels(DialectRegistry &registry);
void registerTensorAdjointModels(DialectRegistry &registry);
void registerLinalgAdjointModels(DialectRegistry &registry);
void registerMPAdjointModels(DialectRegistry &registry);

} // namespace mlir::mp::ad

#endif // MIXPREC_LIB_DIALECT_MP_TRANSFORMS_AD_ADJOINTUTILS_H
