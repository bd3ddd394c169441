//===- mp-opt.cpp - mixprec optimizer driver ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with the mp dialect, mixprec's passes and pipelines, and the
// upstream dialects and passes they use.
//
// Hostile input does not kill it (mixprec/Support/HostileInput.h): input
// nested deeper than kMaxNestingDepth is rejected with a diagnostic before
// parsing, and the driver runs on a thread with a 1 GiB stack (MLIR's parser
// and many passes recurse once per nesting level; the default 8 MiB stack
// overflowed at about 20,000 `[` in an attribute). See docs/robustness.md.
//
//===----------------------------------------------------------------------===//

#include "mixprec/InitAll.h"
#include "mixprec/Support/HostileInput.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static int mpOptMain(int argc, char **argv) {
  DialectRegistry registry;
  mp::registerAllDialects(registry);
  mp::registerAllPasses();
  auto [inputFilename, outputFilename] = registerAndParseCLIOptions(
      argc, argv, "mixprec optimizer driver\n", registry);
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (std::optional<std::string> deep = mp::checkNestingDepth(
          input->getBuffer(), input->getBufferIdentifier())) {
    llvm::errs() << *deep << "\n";
    return 1;
  }
  if (inputFilename != "-")
    return asMainReturnCode(
        MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
  // Standard input cannot be read twice: process the buffer read above.
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry,
                         MlirOptMainConfig::createFromCLOptions())))
    return 1;
  output->keep();
  return 0;
}

int main(int argc, char **argv) {
  int rc = 1;
  mp::runOnLargeStack([&] { rc = mpOptMain(argc, argv); });
  return rc;
}
