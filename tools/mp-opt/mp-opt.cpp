//===- mp-opt.cpp - mixprec optimizer driver ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with the mp dialect, mixprec's passes and pipelines, and the
// upstream dialects and passes they use.
//
//===----------------------------------------------------------------------===//

#include "mixprec/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::mp::registerAllDialects(registry);
  mlir::mp::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mixprec optimizer driver\n", registry));
}
