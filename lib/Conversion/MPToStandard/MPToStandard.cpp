//===- MPToStandard.cpp - mp ops to arith/math/linalg/tensor --------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Conversion patterns lowering mp ops to arith / math / linalg / tensor.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/MPToStandard/MPToStandard.h"
#include "Preconditions.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Utils/TensorBuilders.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::mp;

/// "operand #i has unranked type T" for the first unranked tensor among
/// `op`'s operands, else "result #i ..." for its results; std::nullopt when
/// every type is ranked or scalar.
static std::optional<std::string> findUnranked(Operation *op) {
  auto check = [](ValueRange values,
                  StringRef what) -> std::optional<std::string> {
    for (auto [i, v] : llvm::enumerate(values)) {
      if (!isa<UnrankedTensorType>(v.getType()))
        continue;
      std::string reason;
      llvm::raw_string_ostream os(reason);
      os << what << " #" << i << " has unranked type " << v.getType()
         << "; only ranked tensors and scalars are lowered";
      return reason;
    }
    return std::nullopt;
  };
  if (std::optional<std::string> reason = check(op->getOperands(), "operand"))
    return reason;
  return check(op->getResults(), "result");
}

std::optional<std::string> mlir::mp::detail::whyNotLowerable(Operation *op) {
  // A cast to its input's type lowers to its input, whatever the type.
  if (auto cast = dyn_cast<CastOp>(op))
    return cast.getInput().getType() == cast.getType() ? std::nullopt
                                                       : findUnranked(op);
  if (isa<UnscaleOp, AllFiniteOp, UpdateScaleOp>(op))
    return findUnranked(op);
  return std::string("it has no lowering pattern");
}

namespace {

/// mp.cast -> arith.extf / arith.truncf (elementwise on tensors).
struct LowerCast : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = mp::detail::whyNotLowerable(op))
      return rewriter.notifyMatchFailure(op, *reason);
    Value result = mp::detail::convertFloat(rewriter, op.getLoc(),
                                            adaptor.getInput(), op.getType());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// mp.unscale -> 1/scale in f32 and one elementwise generic per gradient.
struct LowerUnscale : OpConversionPattern<UnscaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnscaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = mp::detail::whyNotLowerable(op))
      return rewriter.notifyMatchFailure(op, *reason);
    Location loc = op.getLoc();
    auto scalarType = RankedTensorType::get({}, rewriter.getF32Type());
    Value one = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(scalarType, rewriter.getF32FloatAttr(1.0)));
    Value inv = arith::DivFOp::create(rewriter, loc, one, adaptor.getScale());
    SmallVector<Value> results;
    for (Value g : adaptor.getGradients())
      results.push_back(mp::detail::buildScaleBy(rewriter, loc, g, inv));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// mp.all_finite -> one reduction per operand, combined with andi.
struct LowerAllFinite : OpConversionPattern<AllFiniteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllFiniteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = mp::detail::whyNotLowerable(op))
      return rewriter.notifyMatchFailure(op, *reason);
    Location loc = op.getLoc();
    Value all;
    for (Value v : adaptor.getInputs()) {
      Value finite = mp::detail::buildAllFinite(rewriter, loc, v);
      all = all ? arith::AndIOp::create(rewriter, loc, all, finite).getResult()
                : finite;
    }
    rewriter.replaceOp(op, all);
    return success();
  }
};

/// mp.update_scale -> scalar arith with selects implementing
/// docs/design.md §6.
struct LowerUpdateScale : OpConversionPattern<UpdateScaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UpdateScaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
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
    // One i32 constant per value (0 and the hysteresis are used twice).
    llvm::SmallDenseMap<int64_t, Value> i32Constants;
    auto i32c = [&](int64_t v) {
      Value &c = i32Constants[v];
      if (!c)
        c = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
      return c;
    };
    auto select = [&](Value c, Value t, Value f) {
      return arith::SelectOp::create(b, loc, c, t, f).getResult();
    };
    Value scale = extract(adaptor.getScale());
    Value tracker = extract(adaptor.getTracker());
    Value finite = extract(adaptor.getFinite());

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
    // Without a hysteresis counter (hysteresis 1) every overflow backs off.
    int64_t hyst = config.getHysteresis();
    Value hysteresis = adaptor.getHysteresis();
    Value leftAfter, backoffNow;
    if (hysteresis) {
      leftAfter = arith::SubIOp::create(b, loc, extract(hysteresis), i32c(1));
      backoffNow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                         leftAfter, i32c(0));
    }
    Value backedOff = arith::MulFOp::create(
        b, loc, scale, f32c(config.getBackoffFactorValue()));
    Value floored = arith::MaximumFOp::create(b, loc, backedOff,
                                              f32c(config.getMinScaleValue()));
    Value scaleIfOverflow =
        hysteresis ? select(backoffNow, floored, scale) : floored;
    Value leftIfOverflow =
        hysteresis ? select(backoffNow, i32c(hyst), leftAfter) : Value();

    Value newScale = select(finite, scaleIfFinite, scaleIfOverflow);
    Value newTracker = select(finite, trackerIfFinite, i32c(0));
    auto wrap = [&](Value v, Type t) {
      return tensor::FromElementsOp::create(
                 b, loc, RankedTensorType::get({}, t), ValueRange{v})
          .getResult();
    };
    SmallVector<Value> results{wrap(newScale, f32), wrap(newTracker, i32)};
    if (hysteresis)
      results.push_back(wrap(select(finite, i32c(hyst), leftIfOverflow), i32));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::mp::populateMPToStandardPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerCast, LowerUnscale, LowerAllFinite, LowerUpdateScale>(
      patterns.getContext());
}
