//===- Lower.cpp - mp-lower pass ------------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Lowers mp ops to arith / math / linalg / tensor.
//
//===----------------------------------------------------------------------===//

#include "TensorBuilders.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Transforms.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPLOWER
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

namespace {

/// mp.cast -> arith.extf / arith.truncf (elementwise on tensors).
struct LowerCast : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    Value result = mp::detail::convertFloat(rewriter, op.getLoc(),
                                            op.getInput(), op.getType());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// mp.unscale -> 1/scale in f32 and one elementwise generic per gradient.
struct LowerUnscale : OpRewritePattern<UnscaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UnscaleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto scalarType = RankedTensorType::get({}, rewriter.getF32Type());
    Value one = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(scalarType, rewriter.getF32FloatAttr(1.0)));
    Value inv = arith::DivFOp::create(rewriter, loc, one, op.getScale());
    SmallVector<Value> results;
    for (Value g : op.getGradients())
      results.push_back(mp::detail::buildScaleBy(rewriter, loc, g, inv));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// mp.all_finite -> one reduction per operand, combined with andi.
struct LowerAllFinite : OpRewritePattern<AllFiniteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AllFiniteOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value all;
    for (Value v : op.getInputs()) {
      Value finite = mp::detail::buildAllFinite(rewriter, loc, v);
      all = all ? arith::AndIOp::create(rewriter, loc, all, finite).getResult()
                : finite;
    }
    rewriter.replaceOp(op, all);
    return success();
  }
};

/// mp.update_scale -> scalar arith with selects implementing DESIGN §6.
struct LowerUpdateScale : OpRewritePattern<UpdateScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UpdateScaleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LossScaleAttr config = op.getConfig();
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    auto extract = [&](Value t) {
      return tensor::ExtractOp::create(b, loc, t, ValueRange{}).getResult();
    };
    auto f32c = [&](double v) {
      return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v))
          .getResult();
    };
    auto i32c = [&](int64_t v) {
      return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v))
          .getResult();
    };
    auto select = [&](Value c, Value t, Value f) {
      return arith::SelectOp::create(b, loc, c, t, f).getResult();
    };
    Value scale = extract(op.getScale());
    Value tracker = extract(op.getTracker());
    Value finite = extract(op.getFinite());

    // Finite step: count, grow after growth_interval steps if the grown
    // scale is finite, capped at max.
    Value counted = arith::AddIOp::create(b, loc, tracker, i32c(1));
    Value atInterval =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, counted,
                              i32c(config.getGrowthInterval()));
    Value grown = arith::MulFOp::create(b, loc, scale,
                                        f32c(config.getGrowthFactorValue()));
    Value inf = f32c(std::numeric_limits<double>::infinity());
    Value grownAbs = math::AbsFOp::create(b, loc, grown);
    Value grownFinite =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, grownAbs, inf);
    Value capped = arith::MinimumFOp::create(b, loc, grown,
                                             f32c(config.getMaxScaleValue()));
    Value growNow = arith::AndIOp::create(b, loc, atInterval, grownFinite);
    Value scaleIfFinite = select(growNow, capped, scale);
    Value trackerIfFinite = select(atInterval, i32c(0), counted);

    // Overflow: count down the hysteresis; back off when it reaches zero.
    int64_t hyst = config.getHysteresis();
    Value left = op.getHysteresis() ? extract(op.getHysteresis()) : i32c(1);
    Value leftAfter = arith::SubIOp::create(b, loc, left, i32c(1));
    Value backoffNow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                             leftAfter, i32c(0));
    Value backedOff = arith::MulFOp::create(
        b, loc, scale, f32c(config.getBackoffFactorValue()));
    Value floored = arith::MaximumFOp::create(b, loc, backedOff,
                                              f32c(config.getMinScaleValue()));
    Value scaleIfOverflow = select(backoffNow, floored, scale);
    Value leftIfOverflow = select(backoffNow, i32c(hyst), leftAfter);

    Value newScale = select(finite, scaleIfFinite, scaleIfOverflow);
    Value newTracker = select(finite, trackerIfFinite, i32c(0));
    auto wrap = [&](Value v, Type t) {
      return tensor::FromElementsOp::create(
                 b, loc, RankedTensorType::get({}, t), ValueRange{v})
          .getResult();
    };
    SmallVector<Value> results{wrap(newScale, f32), wrap(newTracker, i32)};
    if (op.getHysteresis())
      results.push_back(wrap(select(finite, i32c(hyst), leftIfOverflow), i32));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct MPLowerPass : mp::impl::MPLowerBase<MPLowerPass> {
  using Base::Base;

  void runOnOperation() override {
    bool unexpanded = false;
    getOperation()->walk([&](ValueAndGradOp op) {
      op.emitOpError() << "must be expanded by mp-differentiate before "
                          "mp-lower";
      unexpanded = true;
    });
    if (unexpanded)
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateMPToStandardPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk([&](Operation *op) {
      if (isa<MPDialect>(op->getDialect())) {
        op->emitOpError() << "was not lowered by mp-lower";
        signalPassFailure();
      }
    });
  }
};
} // namespace

void mlir::mp::populateMPToStandardPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerCast, LowerUnscale, LowerAllFinite, LowerUpdateScale>(
      patterns.getContext());
}
