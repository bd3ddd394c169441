//===- LossScaling.cpp - mp-loss-scaling pass -----------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Seeds mp.value_and_grad with the loss scale, unscales the gradients, checks
// them with one mp.all_finite, guards every mp.updates result with scf.if and
// threads the dynamic loss-scale state through the step function.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Transforms.h"
#include "mixprec/Dialect/MP/Utils/TensorBuilders.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/ControlFlowSinkUtils.h"
#include "llvm/ADT/SetVector.h"

#include <charconv>
#include <cmath>

namespace mlir::mp {
#define GEN_PASS_DEF_MPLOSSSCALING
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

static std::string shortest(double value) {
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  std::string text(buf, end);
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return text;
}

std::optional<std::string> mlir::mp::verifyLossScalingOptions(
    StringRef mode, double initScale, double growthFactor, double backoffFactor,
    int64_t growthInterval, double minScale, double maxScale,
    int64_t hysteresis, double clipNorm) {
  if (mode != "none" && mode != "static" && mode != "dynamic")
    return "mode must be one of none, static, dynamic; got '" + mode.str() +
           "'";
  if (!(std::isfinite(initScale) && initScale > 0))
    return "init-scale must be finite and > 0, got " + shortest(initScale);
  if (!(std::isfinite(growthFactor) && growthFactor > 1))
    return "growth-factor must be finite and > 1, got " +
           shortest(growthFactor);
  if (!(backoffFactor > 0 && backoffFactor < 1))
    return "backoff-factor must be in (0, 1), got " + shortest(backoffFactor);
  if (growthInterval < 1 || growthInterval > INT32_MAX)
    return "growth-interval must be in [1, 2^31-1], got " +
           std::to_string(growthInterval);
  if (!(std::isfinite(minScale) && minScale >= 0))
    return "min-scale must be finite and >= 0, got " + shortest(minScale);
  if (!(maxScale >= minScale))
    return "min-scale (" + shortest(minScale) +
           ") must not exceed max-scale (" + shortest(maxScale) + ")";
  if (hysteresis < 1 || hysteresis > INT32_MAX)
    return "hysteresis must be in [1, 2^31-1], got " +
           std::to_string(hysteresis);
  if (!(std::isfinite(clipNorm) && clipNorm >= 0))
    return "clip-norm must be finite and >= 0 (0 disables clipping), got " +
           shortest(clipNorm);
  return std::nullopt;
}

/// Clips `grads` (inside the taken branch) to the global L2 norm `maxNorm`:
/// g * min(1, maxNorm / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_.
static SmallVector<Value> buildClipByGlobalNorm(OpBuilder &b, Location loc,
                                                ValueRange grads,
                                                double maxNorm) {
  Value total;
  for (Value g : grads) {
    Value sq = mp::detail::buildSumOfSquares(b, loc, g);
    total = total ? arith::AddFOp::create(b, loc, total, sq).getResult() : sq;
  }
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  auto splat = [&](double v) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(scalarType, b.getF32FloatAttr(v)));
  };
  Value norm = math::SqrtOp::create(b, loc, total);
  Value denom = arith::AddFOp::create(b, loc, norm, splat(1e-6));
  Value coef = arith::DivFOp::create(b, loc, splat(maxNorm), denom);
  Value clamped = arith::MinimumFOp::create(b, loc, coef, splat(1.0));
  SmallVector<Value> clipped;
  for (Value g : grads)
    clipped.push_back(mp::detail::buildScaleBy(b, loc, g, clamped));
  return clipped;
}

LogicalResult mlir::mp::applyLossScaling(func::FuncOp fn,
                                         const LossScalingOptions &options,
                                         unsigned *numGuarded) {
  SmallVector<ValueAndGradOp> calls;
  fn.walk([&](ValueAndGradOp op) { calls.push_back(op); });
  if (calls.empty())
    return success();
  LossScaleAttr config = options.config;
  if (config.getKind() == LossScaleKind::None)
    return success();
  // The all-reduce of mp-data-parallel must see the scaled gradients and
  // come before the finite check: loss scaling cannot be added after it.
  WalkResult reduced =
      fn.walk([](mpi::AllReduceOp op) { return WalkResult::interrupt(); });
  if (reduced.wasInterrupted())
    return calls.front().emitOpError()
           << "is already all-reduced (mp-data-parallel ran): run "
              "mp-loss-scaling before mp-data-parallel, as "
              "mp-mixed-precision does";
  if (calls.size() > 1)
    return calls[1].emitOpError()
           << "is the second mp.value_and_grad in @" << fn.getSymName()
           << "; mp-loss-scaling supports one per step function";
  ValueAndGradOp vg = calls.front();
  if (vg.getScale())
    return vg.emitOpError() << "already has a loss-scale seed; "
                               "mp-loss-scaling must run once";
  if (!fn.getBody().hasOneBlock() || vg->getBlock() != &fn.getBody().front())
    return vg.emitOpError() << "must be at the top level of a single-block "
                               "function body for mp-loss-scaling";
  Block &body = fn.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret)
    return fn.emitOpError() << "must end with func.return";

  // Gradient-dependent ops: the forward slice of the gradients within the
  // body (nested users are attributed to their ancestor in the body).
  llvm::SetVector<Operation *> dependent;
  SmallVector<Value> worklist(vg.getGradients().begin(),
                              vg.getGradients().end());
  llvm::DenseSet<Value> dependentValues(worklist.begin(), worklist.end());
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top || top == ret || !dependent.insert(top))
        continue;
      for (Value r : top->getResults())
        if (dependentValues.insert(r).second)
          worklist.push_back(r);
    }
  }

  // Every result is either independent of the gradients or tied.
  SmallVector<unsigned> tied;
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    bool isTied =
        static_cast<bool>(fn.getResultAttr(i, MPDialect::kUpdatesAttrName));
    if (isTied)
      tied.push_back(i);
    else if (dependentValues.contains(operand))
      return ret.emitOpError()
             << "returns a value that depends on the gradients as result #" << i
             << " of @" << fn.getSymName()
             << " without an 'mp.updates' tie: a skipped step could not "
                "leave it unchanged";
  }

  MLIRContext *ctx = fn.getContext();
  Location loc = vg.getLoc();
  OpBuilder b(vg);
  auto f32Scalar = RankedTensorType::get({}, b.getF32Type());
  auto i32Scalar = RankedTensorType::get({}, b.getI32Type());
  bool dynamic = config.getKind() == LossScaleKind::Dynamic;
  bool withHysteresis = dynamic && config.getHysteresis() > 1;

  // The scale: a new argument (dynamic) or a constant (static).
  Value scale, tracker, hysteresis;
  if (dynamic) {
    unsigned n = fn.getNumArguments();
    auto marker = [&](StringRef name) {
      return DictionaryAttr::get(
          ctx,
          {NamedAttribute(StringAttr::get(ctx, name), UnitAttr::get(ctx))});
    };
    SmallVector<unsigned> indices{n, n};
    SmallVector<Type> types{f32Scalar, i32Scalar};
    SmallVector<DictionaryAttr> attrs{
        marker(MPDialect::kLossScaleAttrName),
        marker(MPDialect::kGrowthTrackerAttrName)};
    if (withHysteresis) {
      indices.push_back(n);
      types.push_back(i32Scalar);
      attrs.push_back(marker(MPDialect::kHysteresisAttrName));
    }
    SmallVector<Location> locs(indices.size(), fn.getLoc());
    if (failed(fn.insertArguments(indices, types, attrs, locs)))
      return failure();
    scale = fn.getArgument(n);
    tracker = fn.getArgument(n + 1);
    if (withHysteresis)
      hysteresis = fn.getArgument(n + 2);
  } else {
    scale = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(f32Scalar,
                               b.getF32FloatAttr(config.getInitValue())));
  }

  // Seed, unscale, check.
  auto seeded =
      ValueAndGradOp::create(b, loc, vg.getResultTypes(), vg.getCalleeAttr(),
                             vg.getArgs(), scale, vg.getWrtAttr());
  seeded->setDiscardableAttrs(vg->getDiscardableAttrDictionary());
  SmallVector<Value> grads(seeded.getGradients());
  auto unscale = UnscaleOp::create(b, loc, grads, scale);
  Value finite = AllFiniteOp::create(b, loc, unscale.getResults());
  vg.getLoss().replaceAllUsesWith(seeded.getLoss());
  for (auto [oldGrad, newGrad] :
       llvm::zip(vg.getGradients(), unscale.getResults()))
    oldGrad.replaceAllUsesWith(newGrad);
  // `b` inserts before `vg`: erase it only once nothing more is built here.

  // New state.
  SmallVector<Value> stateResults;
  if (dynamic) {
    auto update = UpdateScaleOp::create(b, loc, scale, tracker, hysteresis,
                                        finite, config);
    llvm::append_range(stateResults, update.getResults());
  }
  Value trueTensor = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getI1Type()), true));
  Value overflow = arith::XOrIOp::create(b, loc, finite, trueTensor);
  stateResults.push_back(overflow);

  vg.erase();
  b.setInsertionPoint(ret);

  // Guard: the gradient-dependent ops move into the taken branch of an
  // scf.if that yields the tied results; the other branch yields the
  // arguments unchanged.
  Value cond = tensor::ExtractOp::create(b, loc, finite, ValueRange{});
  SmallVector<Type> tiedTypes;
  for (unsigned i : tied)
    tiedTypes.push_back(ret.getOperand(i).getType());
  auto ifOp = scf::IfOp::create(b, loc, tiedTypes, cond,
                                /*withElseRegion=*/true);
  {
    Block *thenBlock = ifOp.thenBlock();
    OpBuilder tb = OpBuilder::atBlockBegin(thenBlock);
    // `dependent` is in discovery (worklist) order; move in program order
    // so that every op still follows its operands.
    SmallVector<Operation *> ordered(dependent.begin(), dependent.end());
    llvm::sort(ordered, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    for (Operation *op : ordered)
      op->moveBefore(thenBlock, thenBlock->end());
    if (options.clipNorm > 0) {
      tb.setInsertionPointToStart(thenBlock);
      SmallVector<Value> clipped = buildClipByGlobalNorm(
          tb, loc, ValueRange(unscale.getResults()), options.clipNorm);
      for (auto [u, c] : llvm::zip(unscale.getResults(), clipped))
        u.replaceUsesWithIf(c, [&](OpOperand &use) {
          Operation *top = thenBlock->findAncestorOpInBlock(*use.getOwner());
          return top && dependent.contains(top);
        });
    }
    SmallVector<Value> yielded;
    for (unsigned i : tied)
      yielded.push_back(ret.getOperand(i));
    tb.setInsertionPointToEnd(thenBlock);
    scf::YieldOp::create(tb, loc, yielded);

    OpBuilder eb = OpBuilder::atBlockEnd(ifOp.elseBlock());
    SmallVector<Value> unchanged;
    for (unsigned i : tied) {
      auto index =
          fn.getResultAttrOfType<IntegerAttr>(i, MPDialect::kUpdatesAttrName);
      unchanged.push_back(fn.getArgument(index.getInt()));
    }
    scf::YieldOp::create(eb, loc, unchanged);
  }
  for (auto [k, i] : llvm::enumerate(tied))
    ret.setOperand(i, ifOp.getResult(k));

  // Sink update-only computation (e.g. learning-rate splats, momentum
  // decay) that the guard alone uses into the taken branch.
  {
    DominanceInfo domInfo(fn);
    SmallVector<Region *> regions{&ifOp.getThenRegion()};
    controlFlowSink(
        regions, domInfo,
        [](Operation *op, Region *) { return isMemoryEffectFree(op); },
        [](Operation *op, Region *region) {
          op->moveBefore(&region->front(), region->front().begin());
        });
  }

  // Append the state results.
  unsigned numResults = fn.getNumResults();
  auto marker = [&](StringRef name) {
    return DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, name), UnitAttr::get(ctx))});
  };
  SmallVector<unsigned> indices(stateResults.size(), numResults);
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;
  for (Value v : stateResults)
    types.push_back(v.getType());
  if (dynamic) {
    attrs.push_back(marker(MPDialect::kLossScaleAttrName));
    attrs.push_back(marker(MPDialect::kGrowthTrackerAttrName));
    if (withHysteresis)
      attrs.push_back(marker(MPDialect::kHysteresisAttrName));
  }
  attrs.push_back(marker(MPDialect::kOverflowAttrName));
  if (failed(fn.insertResults(indices, types, attrs)))
    return failure();
  ret.getOperandsMutable().append(stateResults);
  if (numGuarded)
    *numGuarded += tied.size();
  return success();
}

namespace {
struct MPLossScalingPass : mp::impl::MPLossScalingBase<MPLossScalingPass> {
  using Base::Base;

  void runOnOperation() override {
    if (auto error = verifyLossScalingOptions(
            mode, initScale, growthFactor, backoffFactor, growthInterval,
            minScale, maxScale, hysteresis, clipNorm)) {
      // At the module's location, without the module printed after it.
      mlir::emitError(getOperation().getLoc()) << "mp-loss-scaling: " << *error;
      return signalPassFailure();
    }
    LossScaleKind kind = *symbolizeLossScaleKind(mode);
    LossScalingOptions options;
    options.config = LossScaleAttr::get(
        &getContext(), kind, initScale, growthFactor, backoffFactor,
        growthInterval, minScale, maxScale, hysteresis);
    options.clipNorm = clipNorm;
    unsigned guarded = 0;
    bool failedAny = false;
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      bool hasCall = false;
      fn.walk([&](ValueAndGradOp) { hasCall = true; });
      if (!hasCall)
        continue;
      if (failed(applyLossScaling(fn, options, &guarded))) {
        failedAny = true;
        continue;
      }
      if (kind != LossScaleKind::None)
        ++numStepFunctions;
    }
    numGuardedResults += guarded;
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
