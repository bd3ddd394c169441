//===- mp-ad-embedder-opt.cpp - an embedder's own adjoint rule ------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Test-only: mp-opt plus one adjoint rule attached by "the embedder", the way
// a compiler that embeds mixprec adds rules for ops mixprec does not know
// (docs/integration.md). The op is math.cbrt, which has no rule in mixprec:
// d cbrt(x) = 1 / (3 cbrt(x)^2). Used by test/Integration/AD/embedder.mlir.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Adjoint.h"
#include "mixprec/InitAll.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

using namespace mlir;

namespace {
/// The embedder's rule: reads the adjoint of the result, adds the operand's.
struct CbrtAdjoint
    : mp::AdjointOpInterface::ExternalModel<CbrtAdjoint, math::CbrtOp> {
  LogicalResult emitAdjoint(Operation *op, OpBuilder &b,
                            mp::ad::AdjointState &state) const {
    Value g = state.getAdjoint(op->getResult(0));
    Value x = op->getOperand(0), y = op->getResult(0);
    if (!g || !state.isActive(x))
      return success();
    Location loc = op->getLoc();
    Value three = mp::ad::constantFloat(b, loc, y.getType(), 3.0);
    Value yy = arith::MulFOp::create(b, loc, y, y);
    Value den = arith::MulFOp::create(b, loc, three, yy);
    state.addAdjoint(b, loc, x, arith::DivFOp::create(b, loc, g, den));
    return success();
  }
};
} // namespace

int main(int argc, char **argv) {
  DialectRegistry registry;
  mp::registerAllDialects(registry);
  registry.addExtension(+[](MLIRContext *ctx, math::MathDialect *) {
    math::CbrtOp::attachInterface<CbrtAdjoint>(*ctx);
  });
  mp::registerAllPasses();
  return asMainReturnCode(MlirOptMain(
      argc, argv, "mp-opt with an embedder's adjoint rule\n", registry));
}
