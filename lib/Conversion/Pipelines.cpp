//===- Pipelines.cpp - mixprec pass pipelines -----------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/Pipelines.h"
#include "mixprec/Conversion/CPUPasses.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
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

/// Gives every destination-style op its own init tensor when the init is a
/// `tensor.empty` or a `linalg.fill` of one that has other uses (CSE merges
/// all equal fills/empties into one value). Without this, one-shot
/// bufferization sees N ops writing into the same tensor: each write but
/// the last bufferizes out of place (an alloc + copy of the filled buffer),
/// and the conflict analysis over all aliases grows superlinearly with N.
struct UnshareInitsPass
    : PassWrapper<UnshareInitsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(UnshareInitsPass)
  StringRef getArgument() const final { return "mp-unshare-inits"; }
  StringRef getDescription() const final {
    return "Clone shared tensor.empty / linalg.fill inits of destination-"
           "style ops next to each user before bufferization";
  }
  void runOnOperation() override {
    SmallVector<std::pair<DestinationStyleOpInterface, unsigned>> todo;
    getOperation().walk([&](DestinationStyleOpInterface op) {
      if (!op.hasPureTensorSemantics())
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Operation *def = init.get().getDefiningOp();
        if (!def || def->hasOneUse() || def == op.getOperation())
          continue;
        if (isa<tensor::EmptyOp>(def))
          todo.push_back({op, init.getOperandNumber()});
        else if (auto fill = dyn_cast<linalg::FillOp>(def))
          if (fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
            todo.push_back({op, init.getOperandNumber()});
      }
    });
    for (auto [op, index] : todo) {
      OpOperand &init = op->getOpOperand(index);
      Operation *def = init.get().getDefiningOp();
      if (def->hasOneUse())
        continue;
      OpBuilder b(op);
      if (auto fill = dyn_cast<linalg::FillOp>(def)) {
        Operation *empty = fill.getDpsInits()[0].getDefiningOp();
        Operation *newEmpty = b.clone(*empty);
        IRMapping map;
        map.map(empty->getResult(0), newEmpty->getResult(0));
        init.set(b.clone(*fill, map)->getResult(0));
      } else {
        init.set(b.clone(*def)->getResult(0));
      }
    }
  }
};

/// scf -> cf like convert-scf-to-cf, but with the greedy driver working
/// bottom-up, so the last loop of a block is lowered first. Lowering a
/// loop splits its block and moves every later op into the new block; in
/// program order that is quadratic in the number of loops of a large
/// straight-line function (thousands in a big training step), in reverse
/// order it is linear.
struct SCFToCFReversePass
    : PassWrapper<SCFToCFReversePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SCFToCFReversePass)
  StringRef getArgument() const final { return "mp-scf-to-cf"; }
  StringRef getDescription() const final {
    return "Lower scf to cf, last loop first (linear in the number of loops "
           "of a block)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<cf::ControlFlowDialect, arith::ArithDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSCFToControlFlowConversionPatterns(patterns);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(false)
        .enableFolding(false)
        .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    WalkResult left = getOperation().walk([](Operation *op) {
      return isa<scf::SCFDialect>(op->getDialect()) ? WalkResult::interrupt()
                                                    : WalkResult::advance();
    });
    if (left.wasInterrupted()) {
      getOperation().emitError("mp-scf-to-cf: scf ops left");
      signalPassFailure();
    }
  }
};

/// Rewrites linalg.matmul / linalg.batch_matmul on buffers (any indexing
/// maps, i.e. transposed operands too) into calls of the runtime's
/// contraction entry points
///   mp_rt_[batch_]matmul_<A>_<B>_<C>(A[b?,m,k], B[b?,k,n], C[b?,m,n])
/// (C += A.B, f32 accumulation; <X> in f32/bf16/f16), declared with
/// llvm.emit_c_interface so they take memref descriptors. Transposed
/// operands are passed as memref.transpose views (strides only, no copy).
/// Other element types, dynamic shapes and generic contractions keep the
/// loop lowering.
struct ContractionsToRuntimePass
    : PassWrapper<ContractionsToRuntimePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ContractionsToRuntimePass)
  StringRef getArgument() const final { return "mp-contractions-to-runtime"; }
  StringRef getDescription() const final {
    return "Lower linalg.matmul / batch_matmul on memrefs to calls of the "
           "mixprec CPU runtime's SGEMM-based contractions";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<func::FuncDialect, memref::MemRefDialect, LLVM::LLVMDialect>();
  }

  static std::optional<StringRef> typeName(Type t) {
    if (t.isF32())
      return StringRef("f32");
    if (t.isBF16())
      return StringRef("bf16");
    if (t.isF16())
      return StringRef("f16");
    return std::nullopt;
  }

  /// `value` viewed with its dimensions in the order `want` (loop dims),
  /// cast to a fully dynamic strided memref; null if the map is not a
  /// permutation of `want`.
  static Value view(OpBuilder &b, Location loc, Value value, AffineMap map,
                    ArrayRef<unsigned> want) {
    if (map.getNumResults() != want.size())
      return {};
    SmallVector<unsigned> perm;
    for (unsigned d : want) {
      std::optional<unsigned> pos;
      for (auto [i, e] : llvm::enumerate(map.getResults()))
        if (auto dim = dyn_cast<AffineDimExpr>(e);
            dim && dim.getPosition() == d)
          pos = i;
      if (!pos)
        return {};
      perm.push_back(*pos);
    }
    auto type = cast<MemRefType>(value.getType());
    bool identity = llvm::equal(perm, llvm::seq<unsigned>(0, perm.size()));
    if (!identity)
      value = memref::TransposeOp::create(
          b, loc, value,
          AffineMapAttr::get(
              AffineMap::getPermutationMap(perm, b.getContext())));
    SmallVector<int64_t> dyn(want.size(), ShapedType::kDynamic);
    auto target = MemRefType::get(
        dyn, type.getElementType(),
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, dyn));
    return memref::CastOp::create(b, loc, target, value);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          op.hasPureBufferSemantics())
        candidates.push_back(op);
    });
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : candidates) {
      FailureOr<linalg::ContractionDimensions> dims =
          linalg::inferContractionDims(op);
      if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
          dims->k.size() != 1 || dims->batch.size() > 1)
        continue;
      if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation()))
        if (mm.getCast() != linalg::TypeFn::cast_signed)
          continue;
      if (auto bm = dyn_cast<linalg::BatchMatmulOp>(op.getOperation()))
        if (bm.getCast() != linalg::TypeFn::cast_signed)
          continue;
      Value a = op.getDpsInputs()[0], bb = op.getDpsInputs()[1],
            c = op.getDpsInits()[0];
      auto ta = typeName(getElementTypeOrSelf(a.getType()));
      auto tb = typeName(getElementTypeOrSelf(bb.getType()));
      auto tc = typeName(getElementTypeOrSelf(c.getType()));
      if (!ta || !tb || !tc)
        continue;
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      SmallVector<unsigned> lead(dims->batch.begin(), dims->batch.end());
      auto order = [&](unsigned x, unsigned y) {
        SmallVector<unsigned> o(lead);
        o.append({x, y});
        return o;
      };
      unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      Value va = view(b, loc, a, maps[0], order(m, k));
      Value vb = view(b, loc, bb, maps[1], order(k, n));
      Value vc = view(b, loc, c, maps[2], order(m, n));
      if (!va || !vb || !vc) {
        // Clean up the views built so far.
        for (Value v : {va, vb, vc})
          if (v)
            for (Operation *o = v.getDefiningOp(); o && o->use_empty();) {
              Operation *next = o->getNumOperands()
                                    ? o->getOperand(0).getDefiningOp()
                                    : nullptr;
              if (!isa<memref::CastOp, memref::TransposeOp>(o))
                break;
              o->erase();
              o = next;
            }
        continue;
      }
      std::string name =
          (Twine(lead.empty() ? "mp_rt_matmul_" : "mp_rt_batch_matmul_") + *ta +
           "_" + *tb + "_" + *tc)
              .str();
      auto fnType =
          b.getFunctionType({va.getType(), vb.getType(), vc.getType()}, {});
      auto callee = module.lookupSymbol<func::FuncOp>(name);
      if (!callee) {
        OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
        callee = func::FuncOp::create(mb, module.getLoc(), name, fnType);
        callee.setPrivate();
        callee->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                        mb.getUnitAttr());
      }
      func::CallOp::create(b, loc, callee, ValueRange{va, vb, vc});
      op->erase();
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
  pm.addNestedPass<func::FuncOp>(mp::createMPFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(std::make_unique<UnshareInitsPass>());

  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  // Scalars and tiny temporaries (reduction accumulators, 1/scale) on the
  // stack: LLVM keeps them in registers (a reduction fused with a store
  // stream vectorizes) and they cost no malloc.
  {
    bufferization::PromoteBuffersToStackPassOptions stack;
    stack.maxAllocSizeInBytes = 64;
    pm.addNestedPass<func::FuncOp>(
        bufferization::createPromoteBuffersToStackPass(stack));
  }
  // buffer-deallocation-pipeline without buffer-deallocation-simplification:
  // that pass is quadratic in the number of buffers of a block (10 s of a
  // 30 s compile at 2,000 ops) and saved nothing measurable at run time on
  // the benchmark steps (the remaining dealloc conditions are scalar).
  {
    memref::ExpandReallocPassOptions expandRealloc{false};
    pm.addPass(memref::createExpandReallocPass(expandRealloc));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
    pm.addPass(createCanonicalizerPass());
    if (getenv("MIXPREC_DEALLOC_SIMPLIFY"))
      pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
    pm.addPass(bufferization::createLowerDeallocationsPass());
    pm.addPass(createCSEPass());
    pm.addPass(createCanonicalizerPass());
  }
  // bufferization.clone (results that must be owned by the caller, e.g. an
  // argument returned unchanged on a skipped step) to alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());

  // Contractions: SGEMM calls into the runtime (OpenBLAS when present, a
  // built-in kernel otherwise), or plain loops.
  if (options.contractions == "runtime")
    pm.addPass(std::make_unique<ContractionsToRuntimePass>());

  if (options.fastMath)
    pm.addNestedPass<func::FuncOp>(mp::createMPReassociateReductions());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  if (options.fastMath)
    pm.addPass(mp::createMPApproximateMath());
  pm.addPass(createLowerAffinePass());
  pm.addPass(std::make_unique<SCFToCFReversePass>());
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
  pm.addPass(mp::createMPIntegerHalfSelects());
  pm.addPass(createCanonicalizerPass());
}

void mixprec::registerPipelines() {
  PassRegistration<ContractionsToRuntimePass>();
  PassRegistration<UnshareInitsPass>();
  PassRegistration<SCFToCFReversePass>();
  mp::registerMPCPUPasses();
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
