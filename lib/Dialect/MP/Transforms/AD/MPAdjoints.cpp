//===- MPAdjoints.cpp - adjoint rules of mp ops ---------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// External model of AdjointOpInterface for mp.cast.
//
// Every rule reads the adjoint of the op's result and adds a contribution of
// the operand's own type to each *active* operand. Adjoints always carry the
// type of their primal value.
//
//===----------------------------------------------------------------------===//

#include "AdjointUtils.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

/// mp.cast: the adjoint is the mp.cast back to the operand's type, so
/// mp-cleanup can fold it like any policy cast.
static LogicalResult mpCastRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    return mp::CastOp::create(r.b, r.loc, x.getType(), g).getResult();
  });
  return success();
}

void ad::registerMPAdjointModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mp::MPDialect *) {
    attachRule<mp::CastOp, mpCastRule>(ctx);
  });
}
