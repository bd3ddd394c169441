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
// passes are declared in include/mixprec/Conversion/GPUPasses.td and
// defined one per file in lib/Conversion/GPU*.cpp:
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
//  - mp-gpu-tile-contractions: contractions to shared-memory tiled kernels;
//  - mp-gpu-map-loops: the remaining sequential host loops to single-thread
//    kernels, tiling and mapping of scf.parallel to blocks and threads
//    (innermost dimension to threadIdx.x);
//  - mp-gpu-memory: host allocations to gpu.alloc / gpu.dealloc, host
//    constants sunk into the kernels that use them;
//  - mp-gpu-merge-modules, mp-gpu-copy-globals: one gpu.module with the
//    constants the kernels read;
//  - mp-gpu-approximate-math: polynomial math in the kernels (no
//    libdevice).
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/GPUPasses.h"
#include "mixprec/Conversion/Passes.h"
#include "mixprec/Conversion/Pipelines.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

//===----------------------------------------------------------------------===//
// Pipeline
//===----------------------------------------------------------------------===//

/// Default PTX ISA feature for a chip: +ptx80 (CUDA 12.0+) up to sm_90a;
/// newer chips get the minimum version NVVM picks for them.
static std::string defaultFeatures(StringRef chip) {
  unsigned sm = 0;
  StringRef digits = chip;
  if (digits.consume_front("sm_"))
    digits.take_while([](char c) { return isdigit(c); }).getAsInteger(10, sm);
  return sm != 0 && sm <= 90 ? "+ptx80" : "";
}

LogicalResult mixprec::buildToNVPTXPipeline(OpPassManager &pm,
                                            const ToNVPTXOptions &options,
                                            llvm::raw_ostream &errors) {
  auto parse = [&](StringRef text) {
    return parsePassPipeline(text, pm, errors);
  };
  addHostPreparation(pm, options.emitCInterface);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(mixprec::createMPGPUPredicateGuards());
  pm.addNestedPass<func::FuncOp>(mixprec::createMPGPUTensorizeScalars());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (failed(parse("func.func(convert-elementwise-to-linalg,"
                   "linalg-fuse-elementwise-ops),canonicalize,cse")))
    return failure();
  if (options.splitReductions > 0) {
    mixprec::MPGPUSplitReductionsOptions split;
    split.minElements = options.splitReductions;
    pm.addNestedPass<func::FuncOp>(mixprec::createMPGPUSplitReductions(split));
  }
  pm.addNestedPass<func::FuncOp>(mixprec::createMPGPUParallelOuter());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(mixprec::createMPReuseDeadBuffers());
  // Device temporaries freed after their last use: the runtime's caching
  // allocator reuses a block only on the stream that freed it, in order.
  mixprec::addBufferDeallocation(pm, /*simplify=*/true, options.earlyDealloc);
  if (failed(parse("convert-bufferization-to-memref,canonicalize")))
    return failure();
  pm.addNestedPass<func::FuncOp>(mixprec::createMPGPUCopyToLinalg());
  if (options.tileContractions) {
    mixprec::MPGPUTileContractionsOptions tile;
    tile.minSize = options.tileMinSize;
    pm.addNestedPass<func::FuncOp>(mixprec::createMPGPUTileContractions(tile));
  }
  if (failed(parse("func.func(convert-linalg-to-parallel-loops)")))
    return failure();
  mixprec::MPGPUMapLoopsOptions map;
  map.blockSize = options.blockSize;
  pm.addPass(mixprec::createMPGPUMapLoops(map));
  if (failed(parse("func.func(convert-parallel-loops-to-gpu)")))
    return failure();
  pm.addPass(mixprec::createMPGPUMemory());
  if (failed(parse("gpu-kernel-outlining")))
    return failure();
  pm.addPass(mixprec::createMPGPUMergeKernelModules());
  pm.addPass(mixprec::createMPGPUCopyGlobals());
  if (failed(parse("func.func(gpu-async-region),lower-affine,"
                   "convert-scf-to-cf,canonicalize,cse")))
    return failure();
  pm.addNestedPass<gpu::GPUModuleOp>(mixprec::createMPGPUApproximateMath());

  std::string features = options.features;
  if (features == "default")
    features = defaultFeatures(options.chip);
  std::string attach = "nvvm-attach-target{chip=" + options.chip +
                       " O=" + std::to_string(options.optLevel);
  if (!features.empty())
    attach += " features=" + features;
  attach += "}";
  if (failed(parse(attach)))
    return failure();
  if (failed(parse("gpu.module(convert-gpu-to-nvvm,canonicalize,cse,"
                   "reconcile-unrealized-casts)")))
    return failure();
  std::string toBinary = "gpu-module-to-binary{format=" + options.format;
  if (!options.toolkit.empty())
    toBinary += " toolkit=" + options.toolkit;
  toBinary += "}";
  if (failed(parse(toBinary)))
    return failure();
  if (failed(parse("expand-strided-metadata,lower-affine,gpu-to-llvm,"
                   "convert-to-llvm,reconcile-unrealized-casts,canonicalize")))
    return failure();
  return success();
}

void mixprec::registerToNVPTXPasses() { registerMPGPUPasses(); }
