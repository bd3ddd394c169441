//===- IntegerHalfSelects.cpp - bf16/f16 selects as i16 selects -----------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPINTEGERHALFSELECTS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
bool isHalf(Type type) {
  Type element = getElementTypeOrSelf(type);
  return element.isBF16() || element.isF16();
}

Type asI16(Type type) {
  Type i16 = IntegerType::get(type.getContext(), 16);
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(i16);
  return i16;
}

/// select(c, a, b) : bf16  ->  bitcast(select(c, bitcast a, bitcast b) : i16)
struct SelectAsInteger : OpRewritePattern<LLVM::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LLVM::SelectOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!isHalf(type))
      return failure();
    Type intType = asI16(type);
    Location loc = op.getLoc();
    Value t =
        LLVM::BitcastOp::create(rewriter, loc, intType, op.getTrueValue());
    Value f =
        LLVM::BitcastOp::create(rewriter, loc, intType, op.getFalseValue());
    Value s = LLVM::SelectOp::create(rewriter, loc, op.getCondition(), t, f);
    rewriter.replaceOpWithNewOp<LLVM::BitcastOp>(op, type, s);
    return success();
  }
};

/// store(bitcast(x : i16) : bf16, p)  ->  store(x, p): the bits go to
/// memory as they are (opaque pointers), and LLVM sees no bf16 value that
/// it would move the select back onto.
struct StoreBits : OpRewritePattern<LLVM::StoreOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LLVM::StoreOp op,
                                PatternRewriter &rewriter) const override {
    auto cast = op.getValue().getDefiningOp<LLVM::BitcastOp>();
    if (!cast || !isHalf(cast.getType()) ||
        cast.getArg().getType() != asI16(cast.getType()))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.getValueMutable().assign(cast.getArg()); });
    return success();
  }
};

/// bitcast(load p : bf16) : i16  ->  load p : i16 (the load's only use).
struct LoadBits : OpRewritePattern<LLVM::BitcastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LLVM::BitcastOp op,
                                PatternRewriter &rewriter) const override {
    auto load = op.getArg().getDefiningOp<LLVM::LoadOp>();
    if (!load || !load->hasOneUse() || !isHalf(load.getType()) ||
        op.getType() != asI16(load.getType()))
      return failure();
    rewriter.modifyOpInPlace(load,
                             [&] { load.getResult().setType(op.getType()); });
    rewriter.replaceOp(op, load.getResult());
    return success();
  }
};

struct MPIntegerHalfSelects
    : mp::impl::MPIntegerHalfSelectsBase<MPIntegerHalfSelects> {
  void runOnOperation() override {
    // Only selects, stores and bitcasts can match: seed the driver with
    // those instead of every op of the module, and leave folding and region
    // simplification to the canonicalizer that follows in mp-to-cpu (on a
    // large training step they cost more than the rewrites).
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<LLVM::SelectOp, LLVM::StoreOp, LLVM::BitcastOp>(op))
        ops.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    patterns.add<SelectAsInteger, StoreBits, LoadBits>(&getContext());
    GreedyRewriteConfig config;
    config.enableFolding(false).setStrictness(GreedyRewriteStrictness::AnyOp);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace
