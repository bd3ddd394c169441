//===- cpu-pipeline.cpp - a CPU-only embedder of mp-to-cpu ----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Links MixPrec::MixPrecPipelineCPU alone (no GPU code generation) and runs
// mlir::mp::buildToCPUPipeline on a small tensor function, printing the
// LLVM-dialect result.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Pipelines/Pipelines.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

static const char *kInput = R"mlir(
func.func @scale(%x: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<8xf32> {
  %0 = arith.mulf %x, %s : tensor<8xf32>
  return %0 : tensor<8xf32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kInput, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  mlir::mp::ToCPUOptions options;
  mlir::mp::buildToCPUPipeline(pm, options);
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
