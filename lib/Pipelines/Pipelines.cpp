//===- Pipelines.cpp - registration of mixprec's pipelines ----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Pipelines/Pipelines.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
/// Like PassPipelineRegistration<Options>, for a builder that can fail: its
/// message goes to the pass manager's error handler and the pipeline (and
/// with it mp-opt) fails instead of running half-built.
template <typename Options>
void registerFalliblePipeline(
    StringRef arg, StringRef description,
    std::function<LogicalResult(OpPassManager &, const Options &,
                                llvm::raw_ostream &)>
        builder) {
  registerPassPipeline(
      arg, description,
      [builder](OpPassManager &pm, StringRef optionsStr,
                function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(optionsStr)))
          return failure();
        std::string message;
        llvm::raw_string_ostream os(message);
        if (succeeded(builder(pm, options, os)))
          return success();
        return errorHandler(message);
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(Options());
      });
}
} // namespace

void mp::registerPipelines() {
  registerFalliblePipeline<MixedPrecisionOptions>(
      "mp-mixed-precision",
      "mp-autocast + mp-loss-scaling (+ mp-data-parallel) + mp-differentiate "
      "+ mp-cleanup + mp-lower, with the union of their options",
      [](OpPassManager &pm, const MixedPrecisionOptions &options,
         llvm::raw_ostream &errors) {
        // The other option values are checked by the passes themselves.
        if (options.dataParallel != "none" && options.dataParallel != "mpi") {
          errors << "mp-mixed-precision: unknown data-parallel '"
                 << options.dataParallel << "' (expected none or mpi)";
          return failure();
        }
        buildMixedPrecisionPipeline(pm, options);
        return success();
      });
  registerFalliblePipeline<ToCPUOptions>(
      "mp-to-cpu",
      "Tensor IR to the LLVM dialect for the host CPU (bufferize, "
      "deallocate, loops, LLVM)",
      [](OpPassManager &pm, const ToCPUOptions &options,
         llvm::raw_ostream &errors) {
        if (failed(verifyToCPUOptions(options, errors)))
          return failure();
        buildToCPUPipeline(pm, options);
        return success();
      });
  registerFalliblePipeline<ToNVPTXOptions>(
      "mp-to-nvptx",
      "Tensor IR to GPU kernels (NVVM -> PTX/cubin/fatbin, embedded) and "
      "host LLVM code calling the mgpu* CUDA runtime (runtime/cuda)",
      buildToNVPTXPipeline);
}
