//===- InitAll.cpp - register everything mixprec provides -----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/InitAll.h"
#include "mixprec/Conversion/Pipelines.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Utils/PrecisionClassModels.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mixprec::registerMPDialect(mlir::DialectRegistry &registry) {
  registry.insert<mlir::mp::MPDialect>();
}

void mixprec::registerMixPrecDialects(mlir::DialectRegistry &registry) {
  registerMPDialect(registry);
  registry.insert<mlir::arith::ArithDialect, mlir::math::MathDialect,
                  mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect,
                  mlir::scf::SCFDialect, mlir::func::FuncDialect>();
  mlir::mp::registerPrecisionClassExternalModels(registry);
}

void mixprec::registerAllDialects(mlir::DialectRegistry &registry) {
  registerMPDialect(registry);
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates gpu.module bodies to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::mp::registerPrecisionClassExternalModels(registry);
}

void mixprec::registerMixPrecPasses() {
  mlir::mp::registerMPPasses();
  registerPipelines();
}

void mixprec::registerAllPipelines() { registerPipelines(); }

void mixprec::registerAllPasses() {
  registerMixPrecPasses();
  mlir::registerAllPasses();
}
