//===- mp-opt.cpp - mixprec optimizer driver ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with the mp dialect, mixprec's passes and pipelines, and the
// upstream dialects and passes they use.
//
// The driver runs on a thread with a 1 GiB stack: MLIR's parser recurses
// once per nesting level, and deeply nested input (e.g. 20,000 `[` in an
// attribute) overflows the default 8 MiB stack (a crash instead of a
// diagnostic). See docs/robustness.md.
//
//===----------------------------------------------------------------------===//

#include "mixprec/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CrashRecoveryContext.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::mp::registerAllDialects(registry);
  mlir::mp::registerAllPasses();
  int rc = 1;
  llvm::CrashRecoveryContext context;
  context.RunSafelyOnThread(
      [&] {
        rc = mlir::asMainReturnCode(mlir::MlirOptMain(
            argc, argv, "mixprec optimizer driver\n", registry));
      },
      /*RequestedStackSize=*/1u << 30);
  return rc;
}
