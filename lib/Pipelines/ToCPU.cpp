//===- ToCPU.cpp - the mp-to-cpu pipeline ---------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Tensor IR (the output of mp-mixed-precision) to the LLVM dialect for the
// host CPU: elementwise fusion, one-shot bufferization with in-place reuse
// and early deallocation, contractions to the CPU runtime's GEMMs, loops,
// bf16/f16 emulation, LLVM. Which canonicalizers run, and why the lean
// variants of upstream passes are used, is in docs/codegen.md.
//
//===----------------------------------------------------------------------===//

#include "PipelineUtils.h"
#include "mixprec/Codegen/CPU/Passes.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Pipelines/Pipelines.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

LogicalResult mp::verifyToCPUOptions(const ToCPUOptions &options,
                                     llvm::raw_ostream &errors) {
  StringRef contractions = options.contractions;
  if (contractions != "runtime" && contractions != "loops") {
    errors << "mp-to-cpu: unknown contractions '" << contractions
           << "' (expected runtime or loops)";
    return failure();
  }
  return success();
}

void mp::buildToCPUPipeline(OpPassManager &pm, const ToCPUOptions &options) {
  addTosaToLinalgIfPresent(pm);
  addHostPreparation(pm, options.emitCInterface);
  // Canonicalize + CSE rounds only where one changes the output.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createMPFuseElementwise());
  addCanonicalizeCSE(pm);
  // Splat inputs (Adam's bias corrections) read as scalars, not buffers.
  pm.addNestedPass<func::FuncOp>(createMPFoldSplatInputs());
  if (options.fuseCasts)
    pm.addNestedPass<func::FuncOp>(createMPFuseCastsIntoContractions());
  pm.addNestedPass<func::FuncOp>(createMPUnshareInits());
  // An adjoint's dX = dY W^T right before its first reader, past dW.
  pm.addNestedPass<func::FuncOp>(createMPSinkProducers());
  // Inits next to their writers: a backward accumulator's zero init that
  // CSE merged into the forward's would be allocated in the forward.
  pm.addNestedPass<func::FuncOp>(createMPSinkInits());
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(createMPReuseDeadOperands());
  // After mp-reuse-dead-operands: it lengthens in-place chains.
  pm.addNestedPass<func::FuncOp>(createMPBoundAliasSets());

  pm.addPass(
      bufferization::createOneShotBufferizePass(getOneShotBufferizeOptions()));
  // Scalars and tiny temporaries (reduction accumulators, 1/scale) on the
  // stack: LLVM keeps them in registers and they cost no malloc.
  {
    bufferization::PromoteBuffersToStackPassOptions stack;
    stack.maxAllocSizeInBytes = 64;
    pm.addNestedPass<func::FuncOp>(
        bufferization::createPromoteBuffersToStackPass(stack));
  }
  // Ops one-shot bufferization will not write in place (reduction loops:
  // the fused all-finite check + update) write over a dying input.
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(createMPReuseDeadBuffers());
  addBufferDeallocation(pm, options.deallocSimplify, options.earlyDealloc);
  // bufferization.clone (results that must be owned by the caller, e.g. an
  // argument returned unchanged on a skipped step) to alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Contractions: calls of the runtime's GEMMs, or plain loops.
  if (options.contractions == "runtime")
    pm.addPass(createMPContractionsToRuntime());

  if (options.fastMath)
    pm.addNestedPass<func::FuncOp>(createMPReassociateReductions());
  // Big loop nests split along a parallel loop over the runtime's threads
  // (the runtime is linked where contractions call it).
  bool parallel = options.parallelLoops && options.contractions == "runtime";
  if (parallel)
    pm.addPass(createMPOutlineParallelLoops());
  pm.addNestedPass<func::FuncOp>(createMPLinalgToLoops());
  if (options.fastMath)
    pm.addPass(createMPApproximateMath());
  pm.addPass(createIfDialectPresent(
      createLowerAffinePass(), affine::AffineDialect::getDialectNamespace()));
  // A step with thousands of loop nests in one function would take LLVM's
  // loop passes minutes: one function per nest there.
  if (options.outlineMinLoops > 0) {
    MPOutlineLoopNestsOptions outline;
    outline.minLoops = options.outlineMinLoops;
    pm.addPass(createMPOutlineLoopNests(outline));
  }
  pm.addPass(createMPSCFToCF());
  // bf16 has no native arithmetic here: compute in f32, and expand the
  // f32 <-> bf16 conversions to integer code (round to nearest even). math
  // ops on bf16/f16 first get extf/truncf around them: LLVM would otherwise
  // promote them itself and call __truncsfbf2, which the JIT cannot resolve.
  {
    OpPassManager inner(ModuleOp::getOperationName());
    inner.nest<func::FuncOp>().addPass(
        math::createMathExtendToSupportedTypes());
    pm.addPass(createIfPresent(std::move(inner), {},
                               {math::MathDialect::getDialectNamespace().str()},
                               /*narrowFloat=*/true));
  }
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16", "f16"};
  emulate.targetTypeStr = "f32";
  pm.addNestedPass<func::FuncOp>(
      arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  // Function-local rewrites from here to the LLVM dialect: nested, so that
  // the functions of a large step (its outlined loop nests) are rewritten
  // on all of MLIR's threads.
  pm.addNestedPass<func::FuncOp>(arith::createArithExpandOpsPass(expand));
  pm.addNestedPass<func::FuncOp>(createMPExpandStridedMetadata());
  // Subviews at loop-dependent offsets (e.g. a micro-batch slice) expand to
  // affine.apply.
  pm.addPass(createIfDialectPresent(
      createLowerAffinePass(), affine::AffineDialect::getDialectNamespace()));
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  pm.addPass(createIfDialectPresent(createConvertMathToLibmPass(),
                                    math::MathDialect::getDialectNamespace()));
  // convert-to-llvm, with a static allocation (every saved activation of a
  // step) one call with its size computed here, not ten ops computing it at
  // run time.
  pm.addPass(createMPConvertToLLVM());
  {
    OpPassManager inner(ModuleOp::getOperationName());
    inner.addPass(createReconcileUnrealizedCastsPass());
    pm.addPass(createIfPresent(
        std::move(inner),
        {UnrealizedConversionCastOp::getOperationName().str()}));
  }
  // Per function, on all threads, as above.
  pm.addNestedPass<LLVM::LLVMFuncOp>(createMPIntegerHalfSelects());
  // Folding and dead code on the LLVM dialect, without region
  // simplification (unreachable or mergeable blocks are LLVM's business).
  {
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    pm.addNestedPass<LLVM::LLVMFuncOp>(createCanonicalizerPass(config));
  }
  // After the canonicalizer: with the descriptors' insert/extract chains
  // folded, an argument an outlined loop never reads has no use left and
  // is not passed, and the constants are plain constants.
  if (parallel)
    pm.addPass(createMPParallelCallsToRuntime());
}
