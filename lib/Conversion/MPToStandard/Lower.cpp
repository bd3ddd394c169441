//===- Lower.cpp - mp-lower pass ------------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Lowers mp ops to arith / math / linalg / tensor with a dialect conversion
// (the patterns of MPToStandard.cpp).
//
//===----------------------------------------------------------------------===//

#include "Preconditions.h"
#include "mixprec/Conversion/MPToStandard/MPToStandard.h"
#include "mixprec/Conversion/MPToStandard/Passes.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPLOWER
#include "mixprec/Conversion/MPToStandard/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

namespace {
struct MPLowerPass : mp::impl::MPLowerBase<MPLowerPass> {
  using Base::Base;

  void runOnOperation() override {
    // Report every mp op the patterns do not lower, at the op, before
    // converting anything.
    bool lowerable = true;
    getOperation()->walk([&](Operation *op) {
      if (!isa_and_present<MPDialect>(op->getDialect()))
        return;
      if (isa<ValueAndGradOp>(op)) {
        op->emitOpError() << "must be expanded by mp-differentiate before "
                             "mp-lower";
        lowerable = false;
      } else if (std::optional<std::string> reason =
                     mp::detail::whyNotLowerable(op)) {
        op->emitOpError() << "cannot be lowered by mp-lower: " << *reason;
        lowerable = false;
      }
    });
    if (!lowerable)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<MPDialect>();
    target.addLegalDialect<arith::ArithDialect, func::FuncDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    RewritePatternSet patterns(&getContext());
    populateMPToStandardPatterns(patterns);
    // A plain lowering: each mp op becomes what its pattern builds. No op is
    // folded (mp-cleanup folds and CSEs, before and after).
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    // Should an op still fail to legalize, the conversion reports it at the
    // op ("failed to legalize operation ...").
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace
