//===- ConvertToLLVM.cpp - convert-to-llvm with one-call allocations ------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Upstream's convert-to-llvm (every loaded dialect's
// ConvertToLLVMPatternInterface) plus a higher-benefit lowering of static
// memref.alloc: one aligned_alloc (or malloc) call with the byte size known
// here, where upstream's AllocOpLowering emits ten LLVM ops that compute the
// size and align a malloc'ed pointer at run time. Converted with the
// one-shot driver (no pattern rollback) unless asked otherwise.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMInterface.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPCONVERTTOLLVM
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
/// Bytes per element where the LLVM alloc size is the MLIR bit width
/// rounded up to bytes (i1 takes a byte); 0 for other element types
/// (vectors, odd widths, structs), whose LLVM size needs LLVM's data layout.
int64_t scalarBytes(Type element, unsigned indexBits) {
  unsigned bits = 0;
  if (element.isIndex())
    bits = indexBits;
  else if (auto integer = dyn_cast<IntegerType>(element))
    bits = integer.getWidth();
  else if (element.isF16() || element.isBF16() || element.isF32() ||
           element.isF64())
    bits = element.getIntOrFloatBitWidth();
  switch (bits) {
  case 1:
  case 8:
    return 1;
  case 16:
  case 32:
  case 64:
    return bits / 8;
  default:
    return 0;
  }
}

/// The allocation's size in bytes, or 0 where upstream's lowering is kept.
int64_t staticBytes(memref::AllocOp op, unsigned indexBits) {
  MemRefType type = op.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !op.getSymbolOperands().empty())
    return 0;
  int64_t elements = type.getNumElements();
  int64_t bytes = scalarBytes(type.getElementType(), indexBits);
  if (elements <= 0 || bytes == 0)
    return 0;
  return elements * bytes;
}

struct StaticAllocLowering : ConvertOpToLLVMPattern<memref::AllocOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult
  matchAndRewrite(memref::AllocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t bytes = staticBytes(op, getTypeConverter()->getIndexTypeBitwidth());
    auto module = op->getParentOfType<ModuleOp>();
    if (!bytes || !module)
      return failure();
    Type indexType = getIndexType();
    std::optional<uint64_t> alignment = op.getAlignment();
    FailureOr<LLVM::LLVMFuncOp> callee =
        alignment
            ? LLVM::lookupOrCreateAlignedAllocFn(rewriter, module, indexType)
            : LLVM::lookupOrCreateMallocFn(rewriter, module, indexType);
    if (failed(callee))
      return rewriter.notifyMatchFailure(op, "no allocation function");

    Location loc = op.getLoc();
    SmallVector<Value, 2> args;
    if (alignment) {
      // aligned_alloc wants a size that is a multiple of the alignment.
      int64_t align = static_cast<int64_t>(*alignment);
      args.push_back(createIndexAttrConstant(rewriter, loc, indexType, align));
      bytes = llvm::divideCeil(bytes, align) * align;
    }
    args.push_back(createIndexAttrConstant(rewriter, loc, indexType, bytes));
    Value pointer =
        LLVM::CallOp::create(rewriter, loc, *callee, args).getResult();
    rewriter.replaceOp(
        op, Value(MemRefDescriptor::fromStaticShape(
                rewriter, loc, *getTypeConverter(), op.getType(), pointer)));
    return success();
  }
};

struct ConvertToLLVMPass : mp::impl::MPConvertToLLVMBase<ConvertToLLVMPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // As upstream's convert-to-llvm: the dialects the patterns create.
    registerConvertToLLVMDependentDialectLoading(registry);
  }

  LogicalResult initialize(MLIRContext *context) override {
    auto target = std::make_shared<ConversionTarget>(*context);
    auto converter = std::make_shared<LLVMTypeConverter>(context);
    RewritePatternSet set(context);
    target->addLegalDialect<LLVM::LLVMDialect>();
    for (Dialect *dialect : context->getLoadedDialects())
      if (auto *iface = dyn_cast<ConvertToLLVMPatternInterface>(dialect))
        iface->populateConvertToLLVMConversionPatterns(*target, *converter,
                                                       set);
    mp::populateStaticAllocToLLVMPatterns(*converter, set);
    patterns = std::make_shared<FrozenRewritePatternSet>(std::move(set));
    this->target = target;
    typeConverter = converter;
    return success();
  }

  void runOnOperation() override {
    ConversionConfig config;
    config.allowPatternRollback = rollback;
    if (failed(
            applyPartialConversion(getOperation(), *target, *patterns, config)))
      return signalPassFailure();
    // A partial conversion leaves what no pattern converts; say so here, at
    // the op, rather than when the module is translated to LLVM IR.
    WalkResult left = getOperation()->walk([](Operation *op) {
      if (isa<ModuleOp, UnrealizedConversionCastOp>(op) ||
          isa<LLVM::LLVMDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError("cannot lower '")
          << op->getName() << "' to the LLVM dialect: no conversion applies";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      signalPassFailure();
  }

  std::shared_ptr<const FrozenRewritePatternSet> patterns;
  std::shared_ptr<const ConversionTarget> target;
  // The patterns hold it by reference.
  std::shared_ptr<const LLVMTypeConverter> typeConverter;
};
} // namespace

void mp::populateStaticAllocToLLVMPatterns(const LLVMTypeConverter &converter,
                                           RewritePatternSet &patterns,
                                           PatternBenefit benefit) {
  patterns.add<StaticAllocLowering>(converter, benefit);
}
