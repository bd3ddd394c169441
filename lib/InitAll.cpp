//===- InitAll.cpp - register everything mixprec provides -----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/InitAll.h"
#include "mixprec/Codegen/CPU/Passes.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Codegen/GPU/Passes.h"
#include "mixprec/Conversion/MPToStandard/Passes.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/Transforms/Adjoint.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Utils/MPIExternalModels.h"
#include "mixprec/Dialect/MP/Utils/PrecisionClassModels.h"
#include "mixprec/Pipelines/Pipelines.h"
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

using namespace mlir;

void mp::registerMPDialect(DialectRegistry &registry) {
  registry.insert<MPDialect>();
}

void mp::registerMixPrecDialects(DialectRegistry &registry) {
  registerMPDialect(registry);
  registry.insert<arith::ArithDialect, math::MathDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, scf::SCFDialect, func::FuncDialect>();
  registerPrecisionClassExternalModels(registry);
  registerAdjointExternalModels(registry);
  registerMPIExternalModels(registry);
}

void mp::registerAllDialects(DialectRegistry &registry) {
  registerMPDialect(registry);
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates gpu.module bodies to LLVM IR.
  registerAllToLLVMIRTranslations(registry);
  registerPrecisionClassExternalModels(registry);
  registerAdjointExternalModels(registry);
  registerMPIExternalModels(registry);
}

void mp::registerMixPrecPasses() {
  registerMPPasses();
  registerMPToStandardPasses();
  registerMPCodegenCommonPasses();
  registerMPCodegenCPUPasses();
  registerMPCodegenGPUPasses();
  registerPipelines();
}

void mp::registerAllPipelines() { registerPipelines(); }

void mp::registerAllPasses() {
  registerMixPrecPasses();
  mlir::registerAllPasses();
}
