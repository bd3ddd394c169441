//===- Pipelines.cpp - mixprec pass pipelines -----------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/Pipelines.h"
#include "mixprec/Conversion/CPUPasses.h"
#include "mixprec/Conversion/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/TypeUtilities.h"
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

/// Bounds the alias sets that one-shot bufferization analyses, before it
/// runs. Its conflict analysis visits, for every tensor operand of every op,
/// all uses of all values that may share the operand's buffer; two shapes of
/// a large training step make that superlinear:
///  - in-place accumulation chains: destination-style ops each writing into
///    the result of the previous one (`%g1 = reduce ins(..) outs(%g0)`,
///    `%g2 = reduce ins(..) outs(%g1)`, ...), built by mp-differentiate for a
///    parameter used many times (its gradient contributions accumulate as the
///    init of the next contraction/reduction). The chain is one alias set and
///    every op checks every read against every write of it: cubic in the
///    chain length (a 400-op chain takes 6 s, a 1,000-op one two minutes).
///    Every `max-chain`-th link gets a copy of its init (`linalg.copy` into a
///    `tensor.empty`), which starts a new alias set.
///  - values read by very many ops (a shared weight's low-precision copy, a
///    constant): each read re-scans all the others, quadratic in the number
///    of readers. Readers are grouped by `max-readers` in program order and
///    every group after the first reads its own copy of the value.
/// The values computed are unchanged (a copy is exact); the cost is one
/// buffer copy per `max-chain` accumulations or `max-readers` reads, and
/// nothing on graphs without long chains or wide fan-out.
struct BoundAliasSetsPass
    : PassWrapper<BoundAliasSetsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BoundAliasSetsPass)
  BoundAliasSetsPass() = default;
  BoundAliasSetsPass(const BoundAliasSetsPass &other) : PassWrapper(other) {}
  StringRef getArgument() const final { return "mp-bound-alias-sets"; }
  StringRef getDescription() const final {
    return "Copy tensors to split long in-place accumulation chains and wide "
           "fan-outs (keeps one-shot bufferization's analysis linear)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect>();
  }
  Option<unsigned> maxChain{
      *this, "max-chain", llvm::cl::desc("Longest in-place chain left intact"),
      llvm::cl::init(32)};
  Option<unsigned> maxReaders{
      *this, "max-readers",
      llvm::cl::desc("Most destination-style readers of one tensor value"),
      llvm::cl::init(32)};
  Statistic numChainCopies{this, "chain-copies",
                           "Copies inserted to split in-place chains"};
  Statistic numFanoutCopies{this, "fanout-copies",
                            "Copies inserted to split wide fan-outs"};

  static Value copyOf(OpBuilder &b, Location loc, Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
    Value empty = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
    return linalg::CopyOp::create(b, loc, v, empty).getResult(0);
  }

  void runOnOperation() override {
    unsigned chain = std::max(1u, unsigned(maxChain));
    unsigned readers = std::max(1u, unsigned(maxReaders));
    // Chains: length of the chain ending at each value written by a DPS op.
    DenseMap<Value, unsigned> depth;
    getOperation().walk([&](DestinationStyleOpInterface op) {
      if (!op.hasPureTensorSemantics())
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        unsigned d = depth.lookup(init.get());
        if (d >= chain) {
          OpBuilder b(op);
          init.set(copyOf(b, op.getLoc(), init.get()));
          ++numChainCopies;
          d = 0;
        }
        if (OpResult tied = op.getTiedOpResult(&init))
          depth[tied] = d + 1;
      }
    });
    // Fan-out: per block, the DPS input uses of each ranked tensor value in
    // program order.
    getOperation().walk([&](Block *block) {
      llvm::MapVector<Value, SmallVector<OpOperand *>> uses;
      for (Operation &op : *block) {
        auto dps = dyn_cast<DestinationStyleOpInterface>(&op);
        if (!dps || !dps.hasPureTensorSemantics())
          continue;
        for (OpOperand *in : dps.getDpsInputOperands())
          if (isa<RankedTensorType>(in->get().getType()))
            uses[in->get()].push_back(in);
      }
      for (auto &[value, list] : uses) {
        for (size_t i = readers; i < list.size(); i += readers) {
          Operation *first = list[i]->getOwner();
          OpBuilder b(first);
          Value copy = copyOf(b, first->getLoc(), value);
          ++numFanoutCopies;
          for (size_t j = i, e = std::min(list.size(), i + readers); j < e; ++j)
            list[j]->set(copy);
        }
      }
    });
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

/// memref::createExpandStridedMetadataPass (same patterns, same greedy
/// driver) without region simplification: by then the functions are a CFG
/// of tens of thousands of blocks on a large training step, where looking
/// for blocks to simplify cost 60% of the pass (0.43 -> 0.18 s at 1,000
/// ops) and changed nothing in the output of the benchmark graphs and
/// examples. The folding and dead-code removal of the driver stay.
struct ExpandStridedMetadataPass
    : PassWrapper<ExpandStridedMetadataPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ExpandStridedMetadataPass)
  StringRef getArgument() const final { return "mp-expand-strided-metadata"; }
  StringRef getDescription() const final {
    return "expand-strided-metadata without region simplification";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, arith::ArithDialect,
                    memref::MemRefDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    memref::populateExpandStridedMetadataPatterns(patterns);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
  }
};

/// Lowers a linalg op on buffers to a nest of scf.for.
struct LinalgOpToLoops : RewritePattern {
  LinalgOpToLoops(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || !linalgOp.hasPureBufferSemantics())
      return failure();
    if (failed(linalg::linalgOpToLoops(rewriter, linalgOp)))
      return failure();
    rewriter.eraseOp(op);
    return success();
  }
};

/// affine.apply of a one-result map that is a constant (no operands) or
/// its single operand: the constant or the operand.
struct TrivialAffineApply : OpRewritePattern<affine::AffineApplyOp> {
  TrivialAffineApply(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/0) {}
  LogicalResult matchAndRewrite(affine::AffineApplyOp op,
                                PatternRewriter &rewriter) const override {
    AffineMap map = op.getAffineMap();
    if (map.getNumResults() != 1 || map.getNumInputs() > 1)
      return failure();
    AffineExpr expr = map.getResult(0);
    if (map.getNumInputs() == 0) {
      auto constant = dyn_cast<AffineConstantExpr>(expr);
      if (!constant)
        return failure();
      rewriter.replaceOpWithNewOp<arith::ConstantIndexOp>(op,
                                                          constant.getValue());
      return success();
    }
    if (!isa<AffineDimExpr, AffineSymbolExpr>(expr))
      return failure();
    rewriter.replaceOp(op, op->getOperand(0));
    return success();
  }
};

/// convert-linalg-to-loops (the same rewrites: linalg::linalgOpToLoops,
/// dim and affine.apply canonicalizations, trivial affine.apply folding)
/// without region simplification, which was a third of the pass on a
/// 1,000-op training step (0.18 -> 0.12 s) and changed nothing in the
/// output of the benchmark graphs and examples (the later canonicalizers
/// run on the result).
struct LinalgToLoopsPass
    : PassWrapper<LinalgToLoopsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LinalgToLoopsPass)
  StringRef getArgument() const final { return "mp-linalg-to-loops"; }
  StringRef getDescription() const final {
    return "convert-linalg-to-loops without region simplification";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<memref::MemRefDialect, scf::SCFDialect, arith::ArithDialect,
                    affine::AffineDialect>();
  }
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<LinalgOpToLoops, TrivialAffineApply>(context);
    memref::DimOp::getCanonicalizationPatterns(patterns, context);
    tensor::DimOp::getCanonicalizationPatterns(patterns, context);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
  }
};

/// Runs a pass (pipeline) only when the module holds an op it would
/// rewrite: a conversion pass over a large module walks every op (and the
/// pass manager verifies the module afterwards) even when its source ops
/// are all gone. When `present` matches no op, the pass would change
/// nothing, and all analyses are kept (no verification either).
struct IfPresentPass : PassWrapper<IfPresentPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(IfPresentPass)
  IfPresentPass(OpPassManager inner, std::function<bool(Operation *)> present,
                std::string name)
      : inner(std::move(inner)), present(std::move(present)),
        name(std::move(name)) {}
  IfPresentPass(const IfPresentPass &other)
      : PassWrapper(other), inner(other.inner), present(other.present),
        name(other.name) {}
  StringRef getName() const override { return name; }
  void getDependentDialects(DialectRegistry &registry) const override {
    inner.getDependentDialects(registry);
  }
  void runOnOperation() override {
    WalkResult found = getOperation()->walk([&](Operation *op) {
      return present(op) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (!found.wasInterrupted())
      return markAllAnalysesPreserved();
    if (failed(runPipeline(inner, getOperation())))
      signalPassFailure();
  }
  OpPassManager inner;
  std::function<bool(Operation *)> present;
  std::string name;
};

/// `pass` (on the module, or on each func.func when `nested`), run only
/// when an op of `dialect` is present.
template <typename DialectT>
std::unique_ptr<Pass> ifDialectPresent(std::unique_ptr<Pass> pass,
                                       bool nested = false) {
  std::string name =
      (pass->getName() + " (if " + DialectT::getDialectNamespace() + " ops)")
          .str();
  OpPassManager inner(ModuleOp::getOperationName());
  if (nested)
    inner.nest<func::FuncOp>().addPass(std::move(pass));
  else
    inner.addPass(std::move(pass));
  return std::make_unique<IfPresentPass>(
      std::move(inner),
      [](Operation *op) { return isa_and_nonnull<DialectT>(op->getDialect()); },
      std::move(name));
}

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

void mixprec::addBufferDeallocation(OpPassManager &pm, bool simplify,
                                    bool earlyDealloc) {
  memref::ExpandReallocPassOptions expandRealloc{false};
  {
    OpPassManager inner(ModuleOp::getOperationName());
    inner.addPass(memref::createExpandReallocPass(expandRealloc));
    pm.addPass(std::make_unique<IfPresentPass>(
        std::move(inner),
        [](Operation *op) { return isa<memref::ReallocOp>(op); },
        "ExpandReallocPass (if memref.realloc)"));
  }
  if (simplify)
    pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  if (simplify)
    pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  // Free temporaries after their last use, not at the end of the step.
  if (earlyDealloc)
    pm.addNestedPass<func::FuncOp>(mixprec::createMPDeallocAtLastUse());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  // After mp-dealloc-at-last-use, ownership conditions that became constant
  // (an emptied dealloc) fold here, while they are still scf/arith.
  if (simplify || earlyDealloc)
    pm.addPass(createCanonicalizerPass());
}

void mixprec::buildToCPUPipeline(OpPassManager &pm,
                                 const ToCPUOptions &options) {
  addHostPreparation(pm, options.emitCInterface);
  // Canonicalize + CSE rounds: only where one changes the output (checked
  // by removing each one and diffing the LLVM-dialect output of the
  // benchmark graphs and examples); each is a walk over the whole module,
  // 0.05-0.15 s on a 1,000-op training step. The tensor-level one after
  // fusion also covers input that did not come from mp-mixed-precision
  // (whose mp-cleanup canonicalized it last).
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(mp::createMPFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.fuseCasts)
    pm.addNestedPass<func::FuncOp>(
        mixprec::createMPFuseCastsIntoContractions());
  pm.addNestedPass<func::FuncOp>(std::make_unique<UnshareInitsPass>());
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(mixprec::createMPReuseDeadOperands());
  // After mp-reuse-dead-operands: it lengthens in-place chains.
  pm.addNestedPass<func::FuncOp>(std::make_unique<BoundAliasSetsPass>());

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
  // Ops one-shot bufferization will not write in place (reduction loops:
  // the fused all-finite check + update) write over a dying input.
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(mixprec::createMPReuseDeadBuffers());
  // buffer-deallocation-pipeline without buffer-deallocation-simplification:
  // that pass is quadratic in the number of buffers of a block (10 s of a
  // 30 s compile at 2,000 ops) and saved nothing measurable at run time on
  // the benchmark steps (the remaining dealloc conditions are scalar).
  // Of its canonicalizers, only the one after the ownership-based
  // deallocation changes anything (it folds the dealloc conditions): there
  // is no memref.realloc to clean up after expand-realloc, and the ones
  // after lower-deallocations + CSE and after bufferization-to-memref found
  // nothing that the final canonicalizer (on the LLVM dialect) would not
  // do; MIXPREC_DEALLOC_SIMPLIFY keeps the upstream pipeline.
  mixprec::addBufferDeallocation(pm, getenv("MIXPREC_DEALLOC_SIMPLIFY"),
                                 options.earlyDealloc);
  // bufferization.clone (results that must be owned by the caller, e.g. an
  // argument returned unchanged on a skipped step) to alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Contractions: calls of the runtime's GEMMs (packed bf16 kernel with
  // AVX512_BF16, else OpenBLAS / built-in SGEMM), or plain loops.
  if (options.contractions == "runtime")
    pm.addPass(mixprec::createMPContractionsToRuntime());

  if (options.fastMath)
    pm.addNestedPass<func::FuncOp>(mp::createMPReassociateReductions());
  pm.addNestedPass<func::FuncOp>(std::make_unique<LinalgToLoopsPass>());
  if (options.fastMath)
    pm.addPass(mp::createMPApproximateMath());
  // The passes wrapped in ifDialectPresent find nothing to convert on the
  // benchmark graphs (a walk instead of a conversion + verification).
  pm.addPass(ifDialectPresent<affine::AffineDialect>(createLowerAffinePass()));
  // A step with thousands of loop nests in one function would take LLVM's
  // loop passes minutes: one function per nest there.
  if (options.outlineMinLoops > 0) {
    mixprec::MPOutlineLoopNestsOptions outline;
    outline.minLoops = options.outlineMinLoops;
    pm.addPass(mixprec::createMPOutlineLoopNests(outline));
  }
  pm.addPass(std::make_unique<SCFToCFReversePass>());
  // bf16 has no native arithmetic here: compute in f32, and expand the
  // f32 <-> bf16 conversions to integer code (round to nearest even).
  // math ops on bf16/f16 (tanh, exp, ... of an all-bf16 policy) first get
  // extf/truncf around them: LLVM would otherwise promote them itself and
  // call __truncsfbf2, which the JIT cannot resolve.
  {
    // Only math ops on types other than f32 / f64 (its supported types) are
    // rewritten.
    OpPassManager inner(ModuleOp::getOperationName());
    inner.nest<func::FuncOp>().addPass(
        math::createMathExtendToSupportedTypes());
    auto narrowFloat = [](Type type) {
      auto f = dyn_cast<FloatType>(getElementTypeOrSelf(type));
      return f && !f.isF32() && !f.isF64();
    };
    pm.addPass(std::make_unique<IfPresentPass>(
        std::move(inner),
        [narrowFloat](Operation *op) {
          return isa_and_nonnull<math::MathDialect>(op->getDialect()) &&
                 (llvm::any_of(op->getOperandTypes(), narrowFloat) ||
                  llvm::any_of(op->getResultTypes(), narrowFloat));
        },
        "MathExtendToSupportedTypes (if math ops on other than f32/f64)"));
  }
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16", "f16"};
  emulate.targetTypeStr = "f32";
  pm.addNestedPass<func::FuncOp>(
      arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(std::make_unique<ExpandStridedMetadataPass>());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(
      ifDialectPresent<math::MathDialect>(createConvertMathToLibmPass()));
  pm.addPass(createConvertToLLVMPass());
  {
    OpPassManager inner(ModuleOp::getOperationName());
    inner.addPass(createReconcileUnrealizedCastsPass());
    pm.addPass(std::make_unique<IfPresentPass>(
        std::move(inner),
        [](Operation *op) { return isa<UnrealizedConversionCastOp>(op); },
        "ReconcileUnrealizedCastsPass (if casts)"));
  }
  pm.addPass(mp::createMPIntegerHalfSelects());
  // Folding and dead code on the LLVM dialect. Without region
  // simplification: on the CFG that scf -> cf makes it found nothing to do
  // on the benchmark graphs and examples (output unchanged), and on a large
  // training step (tens of thousands of blocks) looking costs a third of
  // this pass. Unreachable or mergeable blocks it could leave are LLVM's
  // business (simplifycfg).
  {
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    pm.addPass(createCanonicalizerPass(config));
  }
}

void mixprec::registerPipelines() {
  mixprec::registerMPConversionPasses();
  PassRegistration<UnshareInitsPass>();
  PassRegistration<BoundAliasSetsPass>();
  PassRegistration<SCFToCFReversePass>();
  PassRegistration<ExpandStridedMetadataPass>();
  PassRegistration<LinalgToLoopsPass>();
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
