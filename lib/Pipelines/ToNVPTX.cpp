//===- ToNVPTX.cpp - the mp-to-nvptx pipeline -----------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Tensor IR (the output of mp-mixed-precision) to GPU kernels for NVIDIA
// GPUs (NVVM -> PTX / cubin / fatbin, embedded with gpu-module-to-binary)
// and host code in the LLVM dialect that calls the mgpu* runtime functions
// (runtime/cuda). The mp-gpu-* passes that fill the gaps between upstream
// passes are declared in include/mixprec/Codegen/GPU/Passes.td and
// defined one per file in lib/Codegen/GPU/GPU*.cpp:
//
//  - mp-gpu-predicate: scf.if with tensor results (the skip-step guard of
//    mp-loss-scaling) becomes a select computed on the device, so the host
//    never reads the finite flag;
//  - mp-gpu-tensorize-scalars: host scalar code on 0-d tensors (the
//    loss-scale state machine) becomes a 0-d linalg.generic (a device
//    kernel);
//  - mp-gpu-split-reductions: large full reductions (the all-finite checks,
//    global norms) are split in two stages so that they run in parallel;
//  - mp-gpu-parallel-outer: parallel loops of linalg ops outermost;
//  - mp-gpu-copies: memref.copy of device buffers to linalg.copy;
//  - mp-gpu-mma-contractions: f16/bf16 contractions that tile to
//    tensor-core kernels (nvgpu.ldmatrix, nvgpu.mma.sync, cp.async) on
//    sm_80 and later;
//  - mp-gpu-tile-contractions: the other contractions to shared-memory
//    tiled (FMA) kernels;
//  - mp-gpu-map-loops: the remaining sequential host loops to single-thread
//    kernels, tiling and mapping of scf.parallel to blocks and threads
//    (innermost dimension to threadIdx.x);
//  - mp-gpu-memory: host allocations to gpu.alloc / gpu.dealloc, host
//    constants sunk into the kernels that use them;
//  - mp-gpu-merge-modules, mp-gpu-copy-globals: one gpu.module with the
//    constants the kernels read;
//  - mp-approximate-math{ops=upstream} (Codegen/Common): polynomial math
//    in the kernels (no libdevice).
//
//===----------------------------------------------------------------------===//

#include "PipelineUtils.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Codegen/GPU/Passes.h"
#include "mixprec/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// The sm number of "sm_NN" / "sm_NNa", or 0.
static unsigned smVersion(StringRef chip) {
  unsigned sm = 0;
  StringRef digits = chip;
  if (!digits.consume_front("sm_"))
    return 0;
  StringRef number = digits.take_while([](char c) { return isdigit(c); });
  StringRef suffix = digits.drop_front(number.size());
  if (number.getAsInteger(10, sm) ||
      !(suffix.empty() || suffix == "a" || suffix == "f"))
    return 0;
  return sm;
}

/// Default PTX ISA feature for a chip: +ptx80 (CUDA 12.0+) up to sm_90a;
/// newer chips get the minimum version NVVM picks for them.
static std::string defaultFeatures(StringRef chip) {
  unsigned sm = smVersion(chip);
  return sm != 0 && sm <= 90 ? "+ptx80" : "";
}

LogicalResult mp::buildToNVPTXPipeline(OpPassManager &pm,
                                       const ToNVPTXOptions &options,
                                       llvm::raw_ostream &errors) {
  // gpu-module-to-binary checks its format only when it runs, after the
  // whole pipeline before it: check here, before anything is built.
  StringRef format = options.format;
  if (!llvm::is_contained({"isa", "assembly", "bin", "binary", "fatbin",
                           "fatbinary", "llvm", "offloading"},
                          format)) {
    errors << "mp-to-nvptx: unknown format '" << format
           << "' (expected isa, bin or fatbin)";
    return failure();
  }
  if (smVersion(options.chip) == 0) {
    errors << "mp-to-nvptx: chip '" << options.chip
           << "' is not of the form sm_NN (e.g. sm_80, sm_90)";
    return failure();
  }

  addTosaToLinalgIfPresent(pm);
  addHostPreparation(pm, options.emitCInterface);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createMPGPUPredicate());
  pm.addNestedPass<func::FuncOp>(createMPGPUTensorizeScalars());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.splitReductions > 0) {
    MPGPUSplitReductionsOptions split;
    split.minElements = options.splitReductions;
    pm.addNestedPass<func::FuncOp>(createMPGPUSplitReductions(split));
  }
  pm.addNestedPass<func::FuncOp>(createMPGPUParallelOuter());
  pm.addPass(createCanonicalizerPass());
  // As on CPU (ToCPU.cpp): splats read as scalars; each contraction its own
  // init, next to it, so that bufferization does not copy a CSE-shared
  // fill and the kernels can round their f32 accumulators in the epilogue.
  pm.addNestedPass<func::FuncOp>(createMPFoldSplatInputs());
  pm.addNestedPass<func::FuncOp>(createMPUnshareInits());
  pm.addNestedPass<func::FuncOp>(createMPSinkProducers());
  pm.addNestedPass<func::FuncOp>(createMPSinkInits());

  pm.addPass(
      bufferization::createOneShotBufferizePass(getOneShotBufferizeOptions()));
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(createMPReuseDeadBuffers());
  // Device temporaries freed after their last use: the runtime's caching
  // allocator reuses a block only on the stream that freed it, in order.
  addBufferDeallocation(pm, /*simplify=*/true, options.earlyDealloc);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createMPGPUCopies());
  if (options.tensorCores) {
    MPGPUMMAContractionsOptions mma;
    mma.chip = options.chip;
    mma.minSize = options.tileMinSize;
    mma.report = options.tensorCoreReport;
    pm.addNestedPass<func::FuncOp>(createMPGPUMMAContractions(mma));
  }
  if (options.tileContractions) {
    MPGPUTileContractionsOptions tile;
    tile.minSize = options.tileMinSize;
    pm.addNestedPass<func::FuncOp>(createMPGPUTileContractions(tile));
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  MPGPUMapLoopsOptions map;
  map.blockSize = options.blockSize;
  pm.addPass(createMPGPUMapLoops(map));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createMPGPUMemory());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMPGPUMergeModules());
  pm.addPass(createMPGPUCopyGlobals());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  {
    MPApproximateMathOptions approximate;
    approximate.ops = {"upstream"};
    pm.addNestedPass<gpu::GPUModuleOp>(createMPApproximateMath(approximate));
  }

  GpuNVVMAttachTargetOptions attach;
  attach.chip = options.chip;
  attach.optLevel = options.optLevel;
  attach.features = options.features == "default"
                        ? defaultFeatures(options.chip)
                        : std::string(options.features);
  pm.addPass(createGpuNVVMAttachTarget(attach));
  {
    OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
    kernels.addPass(createConvertNVGPUToNVVMPass());
    kernels.addPass(createConvertGpuOpsToNVVMOps());
    kernels.addPass(createCanonicalizerPass());
    kernels.addPass(createCSEPass());
    kernels.addPass(createReconcileUnrealizedCastsPass());
  }
  GpuModuleToBinaryPassOptions toBinary;
  toBinary.compilationTarget = options.format;
  toBinary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(toBinary));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  return success();
}
