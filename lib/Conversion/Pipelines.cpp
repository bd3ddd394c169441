//===- Pipelines.cpp - mixprec pass pipelines -----------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/Pipelines.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// Tags every public func.func with `llvm.emit_c_interface`.
struct EmitCInterfacePass
    : PassWrapper<EmitCInterfacePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EmitCInterfacePass)
  StringRef getArgument() const final { return "mp-emit-c-interface"; }
  StringRef getDescription() const final {
    return "Tag public functions with llvm.emit_c_interface";
  }
  void runOnOperation() override {
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
  }
};

/// Drops the training-contract attributes (mp.updates, mp.loss_scale, ...)
/// from function signatures: they describe tensors and mean nothing once the
/// signature is lowered (results packed into a struct, memrefs expanded).
struct StripContractAttrsPass
    : PassWrapper<StripContractAttrsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(StripContractAttrsPass)
  StringRef getArgument() const final { return "mp-strip-contract-attrs"; }
  StringRef getDescription() const final {
    return "Remove mp.* argument and result attributes";
  }
  void runOnOperation() override {
    auto isMP = [](NamedAttribute a) {
      return a.getName().getValue().starts_with("mp.");
    };
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
        for (NamedAttribute a :
             llvm::to_vector(cast<FunctionOpInterface>(*fn).getArgAttrs(i)))
          if (isMP(a))
            fn.removeArgAttr(i, a.getName());
      for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
        for (NamedAttribute a :
             llvm::to_vector(cast<FunctionOpInterface>(*fn).getResultAttrs(i)))
          if (isMP(a))
            fn.removeResultAttr(i, a.getName());
    }
  }
};
} // namespace

void mixprec::buildMixedPrecisionPipeline(
    OpPassManager &pm, const MixedPrecisionOptions &options) {
  mp::MPAutocastOptions autocast;
  autocast.policy = options.policy;
  autocast.target = options.target;
  autocast.allow.assign(options.allow.begin(), options.allow.end());
  autocast.deny.assign(options.deny.begin(), options.deny.end());
  autocast.follow.assign(options.follow.begin(), options.follow.end());
  autocast.keepFp32 = options.keepFp32;
  autocast.accumulate = options.accumulate;
  autocast.report = options.report;
  pm.addPass(mp::createMPAutocast(autocast));
  mp::MPLossScalingOptions scaling;
  scaling.mode = options.mode;
  scaling.initScale = options.initScale;
  scaling.growthFactor = options.growthFactor;
  scaling.backoffFactor = options.backoffFactor;
  scaling.growthInterval = options.growthInterval;
  scaling.minScale = options.minScale;
  scaling.maxScale = options.maxScale;
  scaling.hysteresis = options.hysteresis;
  scaling.clipNorm = options.clipNorm;
  pm.addPass(mp::createMPLossScaling(scaling));
  pm.addPass(mp::createMPDifferentiate());
  pm.addPass(mp::createMPCleanup());
  pm.addPass(mp::createMPLower());
  pm.addPass(mp::createMPCleanup());
}

void mixprec::addHostPreparation(OpPassManager &pm, bool emitCInterface) {
  pm.addPass(std::make_unique<StripContractAttrsPass>());
  if (emitCInterface)
    pm.addPass(std::make_unique<EmitCInterfacePass>());
}

void mixprec::buildToCPUPipeline(OpPassManager &pm,
                                 const ToCPUOptions &options) {
  addHostPreparation(pm, options.emitCInterface);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  bufferization::BufferDeallocationPipelineOptions deallocOptions;
  bufferization::buildBufferDeallocationPipeline(pm, deallocOptions);
  // bufferization.clone (results that must be owned by the caller, e.g. an
  // argument returned unchanged on a skipped step) to alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // bf16 has no native arithmetic here: compute in f32, and expand the
  // f32 <-> bf16 conversions to integer code (round to nearest even).
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16", "f16"};
  emulate.targetTypeStr = "f32";
  pm.addNestedPass<func::FuncOp>(
      arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mixprec::registerPipelines() {
  PassPipelineRegistration<MixedPrecisionOptions>(
      "mp-mixed-precision",
      "mp-autocast + mp-loss-scaling + mp-differentiate + mp-cleanup + "
      "mp-lower, with the union of their options",
      buildMixedPrecisionPipeline);
  PassPipelineRegistration<ToCPUOptions>(
      "mp-to-cpu",
      "Tensor IR to the LLVM dialect for the host CPU (bufferize, "
      "deallocate, loops, LLVM)",
      buildToCPUPipeline);
  PassPipelineRegistration<ToNVPTXOptions>(
      "mp-to-nvptx",
      "Tensor IR to GPU kernels (NVVM -> PTX/cubin/fatbin, embedded) and "
      "host LLVM code calling the mgpu* CUDA runtime (runtime/cuda)",
      [](OpPassManager &pm, const ToNVPTXOptions &options) {
        (void)buildToNVPTXPipeline(pm, options, llvm::errs());
      });
  registerToNVPTXPasses();
}
