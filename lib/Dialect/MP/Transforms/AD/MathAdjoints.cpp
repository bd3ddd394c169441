//===- MathAdjoints.cpp - adjoint rules of math ops -----------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// External models of AdjointOpInterface for math ops (on scalars and
// tensors alike).
//
// Every rule reads the adjoint of the op's result and adds a contribution of
// the operand's own type to each *active* operand. Adjoints always carry the
// type of their primal value.
//
//===----------------------------------------------------------------------===//

#include "AdjointUtils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"
#include <cmath>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

static LogicalResult expRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return r.mul(g, op->getResult(0)); });
  return success();
}

static LogicalResult exp2Rule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] {
    return r.mul(r.mul(g, op->getResult(0)), r.cst(g.getType(), M_LN2));
  });
  return success();
}

static LogicalResult expm1Rule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] {
    return r.mul(g, r.add(op->getResult(0), r.cst(g.getType(), 1.0)));
  });
  return success();
}

static LogicalResult logRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return r.div(g, op->getOperand(0)); });
  return success();
}

template <int Base>
static LogicalResult logBaseRule(RuleBuilder &r, Operation *op, Value g) {
  double ln = Base == 2 ? M_LN2 : M_LN10;
  r.contribute(op->getOperand(0), [&] {
    return r.div(g, r.mul(op->getOperand(0), r.cst(g.getType(), ln)));
  });
  return success();
}

static LogicalResult log1pRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] {
    return r.div(g, r.add(op->getOperand(0), r.cst(g.getType(), 1.0)));
  });
  return success();
}

static LogicalResult tanhRule(RuleBuilder &r, Operation *op, Value g) {
  Value y = op->getResult(0);
  r.contribute(op->getOperand(0), [&] {
    return r.mul(g, r.sub(r.cst(g.getType(), 1.0), r.mul(y, y)));
  });
  return success();
}

static LogicalResult sqrtRule(RuleBuilder &r, Operation *op, Value g) {
  // d sqrt(x) = 0.5 / sqrt(x).
  r.contribute(op->getOperand(0), [&] {
    return r.mul(g, r.div(r.cst(g.getType(), 0.5), op->getResult(0)));
  });
  return success();
}

static LogicalResult rsqrtRule(RuleBuilder &r, Operation *op, Value g) {
  // d x^-1/2 = -0.5 x^-3/2 = -0.5 y^3.
  Value y = op->getResult(0);
  r.contribute(op->getOperand(0), [&] {
    Value y3 = r.mul(r.mul(y, y), y);
    return r.mul(g, r.mul(y3, r.cst(g.getType(), -0.5)));
  });
  return success();
}

static LogicalResult powfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), p = op->getOperand(1), y = op->getResult(0);
  r.contribute(x, [&] {
    // p * x^(p-1), computed without dividing by x (defined at x = 0).
    Value pm1 = r.sub(p, r.cst(p.getType(), 1.0));
    Value xp = math::PowFOp::create(r.b, r.loc, x, pm1);
    return r.mul(g, r.mul(p, xp));
  });
  r.contribute(p, [&] {
    Value lx = math::LogOp::create(r.b, r.loc, x);
    return r.mul(g, r.mul(y, lx));
  });
  return success();
}

static LogicalResult absfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    Value zero = r.cst(g.getType(), 0.0);
    Value pos = r.cmp(arith::CmpFPredicate::OGT, x, zero);
    Value negv = r.cmp(arith::CmpFPredicate::OLT, x, zero);
    return r.select(pos, g, r.select(negv, r.neg(g), zero));
  });
  return success();
}

static LogicalResult erfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    // 2/sqrt(pi) * exp(-x^2).
    Value e = math::ExpOp::create(r.b, r.loc, r.neg(r.mul(x, x)));
    return r.mul(g, r.mul(e, r.cst(g.getType(), 2.0 / std::sqrt(M_PI))));
  });
  return success();
}

static LogicalResult sinRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] { return r.mul(g, math::CosOp::create(r.b, r.loc, x)); });
  return success();
}

static LogicalResult cosRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(
      x, [&] { return r.neg(r.mul(g, math::SinOp::create(r.b, r.loc, x))); });
  return success();
}

static LogicalResult fpowiRule(RuleBuilder &r, Operation *op, Value g) {
  // d x^n = n * x^(n-1); the integer exponent has no gradient.
  Value x = op->getOperand(0), n = op->getOperand(1);
  r.contribute(x, [&] {
    Value nm1 = arith::SubIOp::create(r.b, r.loc, n,
                                      constantInt(r.b, r.loc, n.getType(), 1));
    Value xp = math::FPowIOp::create(r.b, r.loc, x, nm1);
    Value nf = arith::SIToFPOp::create(r.b, r.loc, x.getType(), n);
    return r.mul(g, r.mul(nf, xp));
  });
  return success();
}

void ad::registerMathAdjointModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, math::MathDialect *) {
    using namespace math;
    attachRule<ExpOp, expRule>(ctx);
    attachRule<Exp2Op, exp2Rule>(ctx);
    attachRule<ExpM1Op, expm1Rule>(ctx);
    attachRule<LogOp, logRule>(ctx);
    attachRule<Log2Op, logBaseRule<2>>(ctx);
    attachRule<Log10Op, logBaseRule<10>>(ctx);
    attachRule<Log1pOp, log1pRule>(ctx);
    attachRule<TanhOp, tanhRule>(ctx);
    attachRule<SqrtOp, sqrtRule>(ctx);
    attachRule<RsqrtOp, rsqrtRule>(ctx);
    attachRule<PowFOp, powfRule>(ctx);
    attachRule<FPowIOp, fpowiRule>(ctx);
    attachRule<AbsFOp, absfRule>(ctx);
    attachRule<ErfOp, erfRule>(ctx);
    attachRule<SinOp, sinRule>(ctx);
    attachRule<CosOp, cosRule>(ctx);
  });
}
