//===- ArithAdjoints.cpp - adjoint rules of arith ops ---------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// External models of AdjointOpInterface for arith ops (on scalars and
// tensors alike): add/sub/mul/div/neg, max/min, select, float casts.
//
// Every rule reads the adjoint of the op's result and adds a contribution of
// the operand's own type to each *active* operand. Adjoints always carry the
// type of their primal value.
//
//===----------------------------------------------------------------------===//

#include "AdjointUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

static LogicalResult addfRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return g; });
  r.contribute(op->getOperand(1), [&] { return g; });
  return success();
}

static LogicalResult subfRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return g; });
  r.contribute(op->getOperand(1), [&] { return r.neg(g); });
  return success();
}

static LogicalResult mulfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), y = op->getOperand(1);
  r.contribute(x, [&] { return r.mul(g, y); });
  r.contribute(y, [&] { return r.mul(g, x); });
  return success();
}

static LogicalResult divfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), y = op->getOperand(1), q = op->getResult(0);
  // d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2 = -q/y.
  r.contribute(x, [&] { return r.div(g, y); });
  r.contribute(y, [&] { return r.neg(r.div(r.mul(g, q), y)); });
  return success();
}

static LogicalResult negfRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return r.neg(g); });
  return success();
}

/// max/min: the gradient goes to the operand that was selected; on a tie to
/// the second operand (so relu = max(x, 0) has gradient 0 at x = 0, as in
/// PyTorch). `x` was selected iff `x > y` (`<` for min), which is iff
/// `max(x, y) > y`: the result is `x` then and `y` otherwise, which fails
/// the strict comparison (NaNs and signed zeros included). The mask is taken
/// from the result, so that for relu the backward needs the output (saved
/// anyway for the next layer) and not the pre-activation.
template <arith::CmpFPredicate Pred>
static LogicalResult selectLikeRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), y = op->getOperand(1);
  Value takeX = r.cmp(Pred, op->getResult(0), y);
  Value zero = r.cst(g.getType(), 0.0);
  r.contribute(x, [&] { return r.select(takeX, g, zero); });
  r.contribute(y, [&] { return r.select(takeX, zero, g); });
  return success();
}

static LogicalResult selectRule(RuleBuilder &r, Operation *op, Value g) {
  Value c = op->getOperand(0), x = op->getOperand(1), y = op->getOperand(2);
  Value zero = r.cst(g.getType(), 0.0);
  r.contribute(x, [&] { return r.select(c, g, zero); });
  r.contribute(y, [&] { return r.select(c, zero, g); });
  return success();
}

/// arith.truncf / arith.extf: the adjoint of a narrowing cast is the widening
/// cast and vice versa.
static LogicalResult floatCastRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    return castElements(r.b, r.loc, g, getElementTypeOrSelf(x.getType()));
  });
  return success();
}

void ad::registerArithAdjointModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, arith::ArithDialect *) {
    using namespace arith;
    using P = CmpFPredicate;
    attachRule<AddFOp, addfRule>(ctx);
    attachRule<SubFOp, subfRule>(ctx);
    attachRule<MulFOp, mulfRule>(ctx);
    attachRule<DivFOp, divfRule>(ctx);
    attachRule<NegFOp, negfRule>(ctx);
    attachRule<MaximumFOp, selectLikeRule<P::OGT>>(ctx);
    attachRule<MaxNumFOp, selectLikeRule<P::OGT>>(ctx);
    attachRule<MinimumFOp, selectLikeRule<P::OLT>>(ctx);
    attachRule<MinNumFOp, selectLikeRule<P::OLT>>(ctx);
    attachRule<SelectOp, selectRule>(ctx);
    attachRule<TruncFOp, floatCastRule>(ctx);
    attachRule<ExtFOp, floatCastRule>(ctx);
  });
}
