//===- mini-opt.cpp - an out-of-tree tool using installed mixprec ---------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Registers only the mixprec passes and the upstream dialects they need, plus
// one pass of its own (`consumer-amp`) that calls mixprec's rewrites as plain
// C++ functions, the way another compiler would from its own pipeline.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Autocast.h"
#include "mixprec/Dialect/MP/Transforms/Transforms.h"
#include "mixprec/InitAll.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

namespace {
/// Autocast (mixed_float16), static loss scaling (scale 128) and cleanup.
struct ConsumerAMPPass
    : mlir::PassWrapper<ConsumerAMPPass, mlir::OperationPass<mlir::ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ConsumerAMPPass)
  llvm::StringRef getArgument() const final { return "consumer-amp"; }
  llvm::StringRef getDescription() const final {
    return "mixprec rewrites called as plain C++ functions";
  }
  void getDependentDialects(mlir::DialectRegistry &registry) const final {
    mlir::mp::registerMixPrecDialects(registry);
  }
  void runOnOperation() final {
    mlir::ModuleOp module = getOperation();
    mlir::mp::AutocastOptions autocast;
    autocast.policy = {mlir::mp::DType::F32, mlir::mp::DType::F16,
                       mlir::mp::DType::F32};
    if (mlir::failed(mlir::mp::autocastModule(module, autocast)))
      return signalPassFailure();
    mlir::mp::LossScalingOptions scaling;
    scaling.config = mlir::mp::LossScaleAttr::get(
        &getContext(), mlir::mp::LossScaleKind::Static, /*init=*/128.0,
        /*growthFactor=*/2.0, /*backoffFactor=*/0.5, /*growthInterval=*/2000,
        /*min=*/1.0, /*max=*/16777216.0, /*hysteresis=*/1);
    for (auto fn : module.getOps<mlir::func::FuncOp>())
      if (mlir::failed(mlir::mp::applyLossScaling(fn, scaling)))
        return signalPassFailure();
    if (mlir::failed(mlir::mp::applyCleanup(module)))
      return signalPassFailure();
  }
};
} // namespace

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::mp::registerMixPrecDialects(registry);
  mlir::mp::registerMixPrecPasses();
  mlir::PassRegistration<ConsumerAMPPass>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "mini-opt: mixprec passes only\n", registry));
}
