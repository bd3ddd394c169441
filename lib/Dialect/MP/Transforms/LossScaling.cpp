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
#include "mixprec/Support/Format.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
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

std::optional<std::string> mlir::mp::verifyLossScalingOptions(
    StringRef mode, double initScale, double growthFactor, double backoffFactor,
    int64_t growthInterval, double minScale, double maxScale,
    int64_t hysteresis, double clipNorm, int64_t microbatches) {
  if (mode != "none" && mode != "static" && mode != "dynamic")
    return "mode must be one of none, static, dynamic; got '" + mode.str() +
           "'";
  if (!(std::isfinite(initScale) && initScale > 0))
    return "init-scale must be finite and > 0, got " + formatDouble(initScale);
  if (!(std::isfinite(growthFactor) && growthFactor > 1))
    return "growth-factor must be finite and > 1, got " +
           formatDouble(growthFactor);
  if (!(backoffFactor > 0 && backoffFactor < 1))
    return "backoff-factor must be in (0, 1), got " +
           formatDouble(backoffFactor);
  if (growthInterval < 1 || growthInterval > INT32_MAX)
    return "growth-interval must be in [1, 2^31-1], got " +
           std::to_string(growthInterval);
  if (!(std::isfinite(minScale) && minScale >= 0))
    return "min-scale must be finite and >= 0, got " + formatDouble(minScale);
  if (!(maxScale >= minScale))
    return "min-scale (" + formatDouble(minScale) +
           ") must not exceed max-scale (" + formatDouble(maxScale) + ")";
  if (hysteresis < 1 || hysteresis > INT32_MAX)
    return "hysteresis must be in [1, 2^31-1], got " +
           std::to_string(hysteresis);
  if (!(std::isfinite(clipNorm) && clipNorm >= 0))
    return "clip-norm must be finite and >= 0 (0 disables clipping), got " +
           formatDouble(clipNorm);
  if (microbatches < 1 || microbatches > INT32_MAX)
    return "microbatches must be in [1, 2^31-1], got " +
           std::to_string(microbatches);
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

/// The loss and the gradients of `vg`, accumulated over `k` micro-batches
/// (docs/design.md §17): every data argument of the step (an untied step
/// argument of rank >= 1 passed to `vg` other than w.r.t.) gets a leading
/// dimension of size `k`; an scf.for slices micro-batch i out of each and
/// calls a copy of `vg` on it, summing the loss and the (still scaled)
/// gradients in f32. Returns the sums (f32, not yet divided by `k`), built
/// before `vg`, or fails with a diagnostic.
static FailureOr<SmallVector<Value>>
buildMicrobatchLoop(func::FuncOp fn, ValueAndGradOp vg, Operation *original,
                    int64_t k, const llvm::DenseSet<unsigned> &updatedArgs) {
  Block &body = fn.getBody().front();
  llvm::DenseSet<int64_t> wrt(vg.getWrt().begin(), vg.getWrt().end());
  llvm::SetVector<BlockArgument> data;
  for (auto [j, operand] : llvm::enumerate(vg.getArgs())) {
    auto arg = dyn_cast<BlockArgument>(operand);
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (wrt.contains(j) || !arg || arg.getOwner() != &body ||
        updatedArgs.contains(arg.getArgNumber()) || !type ||
        type.getRank() == 0)
      continue;
    data.insert(arg);
  }
  if (data.empty())
    return vg.emitOpError()
           << "has no data argument to split into micro-batches (microbatches="
           << k << "): data are the step's untied arguments of rank >= 1 "
           << "passed other than w.r.t.";
  for (BlockArgument arg : data)
    for (Operation *user : arg.getUsers())
      if (user != vg.getOperation() && user != original)
        return user->emitOpError()
               << "uses data argument #" << arg.getArgNumber()
               << ", which microbatches=" << k
               << " turns into a stack of micro-batches: only the "
                  "mp.value_and_grad may use it";

  // The stacked argument types.
  SmallVector<Type> inputs(fn.getArgumentTypes());
  for (BlockArgument arg : data) {
    auto type = cast<RankedTensorType>(arg.getType());
    SmallVector<int64_t> shape{k};
    llvm::append_range(shape, type.getShape());
    arg.setType(type.clone(shape));
    inputs[arg.getArgNumber()] = arg.getType();
  }
  fn.setFunctionType(
      FunctionType::get(fn.getContext(), inputs, fn.getResultTypes()));

  Location loc = vg.getLoc();
  OpBuilder b(vg);
  Type f32 = b.getF32Type();
  SmallVector<Value> inits{
      mp::detail::buildZerosLike(b, loc, vg.getLoss(), f32)};
  for (Value g : vg.getGradients())
    inits.push_back(mp::detail::buildZerosLike(b, loc, g, f32));
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, k);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, one, inits,
      [&](OpBuilder &nb, Location nloc, Value iv, ValueRange acc) {
        IRMapping mapping;
        for (BlockArgument arg : data) {
          auto stacked = cast<RankedTensorType>(arg.getType());
          auto slice = RankedTensorType::get(stacked.getShape().drop_front(),
                                             stacked.getElementType());
          SmallVector<OpFoldResult> offsets(stacked.getRank(),
                                            nb.getIndexAttr(0));
          offsets[0] = iv;
          SmallVector<OpFoldResult> sizes =
              tensor::getMixedSizes(nb, nloc, arg);
          sizes[0] = nb.getIndexAttr(1);
          SmallVector<OpFoldResult> strides(stacked.getRank(),
                                            nb.getIndexAttr(1));
          mapping.map(arg, tensor::ExtractSliceOp::create(
                               nb, nloc, slice, arg, offsets, sizes, strides)
                               .getResult());
        }
        auto micro = cast<ValueAndGradOp>(nb.clone(*vg, mapping));
        SmallVector<Value> next;
        for (auto [sum, value] : llvm::zip(acc, micro->getResults()))
          next.push_back(mp::detail::buildAccumulate(nb, nloc, sum, value));
        scf::YieldOp::create(nb, nloc, next);
      });
  // mp-data-parallel all-reduces the sums once, after the loop.
  loop->setAttr(MPDialect::kMicrobatchesAttrName, b.getI64IntegerAttr(k));
  return SmallVector<Value>(loop.getResults());
}

/// Builds `tensor<Nxi1>` from N `tensor<i1>` flags, with tensor ops only
/// (no extraction to host scalars: on a GPU the flags stay on the device).
static Value buildFlagVector(OpBuilder &b, Location loc, ValueRange flags) {
  auto one = RankedTensorType::get({1}, b.getI1Type());
  SmallVector<Value> pieces;
  for (Value flag : flags)
    pieces.push_back(tensor::ExpandShapeOp::create(
        b, loc, one, flag, ArrayRef<ReassociationIndices>{}));
  if (pieces.size() == 1)
    return pieces.front();
  return tensor::ConcatOp::create(b, loc, /*dim=*/0, pieces);
}

LogicalResult mlir::mp::applyLossScaling(func::FuncOp fn,
                                         const LossScalingOptions &options,
                                         unsigned *numGuarded) {
  SmallVector<ValueAndGradOp> calls;
  fn.walk([&](ValueAndGradOp op) { calls.push_back(op); });
  if (calls.empty())
    return success();
  LossScaleAttr config = options.config;
  bool scaled = config.getKind() != LossScaleKind::None;
  int64_t k = options.microbatches;
  if (!scaled && k == 1 && !options.gradNorm)
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

  // Every result is either independent of the gradients or tied (only a
  // skipped step needs the tie).
  SmallVector<unsigned> tied;
  llvm::DenseSet<unsigned> updatedArgs;
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    auto index =
        fn.getResultAttrOfType<IntegerAttr>(i, MPDialect::kUpdatesAttrName);
    if (index) {
      tied.push_back(i);
      updatedArgs.insert(index.getInt());
    } else if (scaled && dependentValues.contains(operand)) {
      return ret.emitOpError()
             << "returns a value that depends on the gradients as result #" << i
             << " of @" << fn.getSymName()
             << " without an 'mp.updates' tie: a skipped step could not "
                "leave it unchanged";
    }
  }

  // The step argument of each differentiated value (-1: not an argument);
  // arguments appended below come after all of them.
  SmallVector<int64_t> paramArgs;
  for (int64_t w : vg.getWrt()) {
    auto arg = dyn_cast<BlockArgument>(vg.getArgs()[w]);
    paramArgs.push_back(arg && arg.getOwner() == &body
                            ? static_cast<int64_t>(arg.getArgNumber())
                            : int64_t{-1});
  }

  MLIRContext *ctx = fn.getContext();
  Location loc = vg.getLoc();
  OpBuilder b(vg);
  auto f32Scalar = RankedTensorType::get({}, b.getF32Type());
  auto i32Scalar = RankedTensorType::get({}, b.getI32Type());
  bool dynamic = config.getKind() == LossScaleKind::Dynamic;
  bool withHysteresis = dynamic && config.getHysteresis() > 1;
  auto splat = [&](double v) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(f32Scalar, b.getF32FloatAttr(v)));
  };

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
  } else if (scaled) {
    scale = splat(config.getInitValue());
  }

  // Seed.
  ValueAndGradOp seeded = vg;
  if (scaled) {
    seeded =
        ValueAndGradOp::create(b, loc, vg.getResultTypes(), vg.getCalleeAttr(),
                               vg.getArgs(), scale, vg.getWrtAttr());
    seeded->setDiscardableAttrs(vg->getDiscardableAttrDictionary());
  }
  Value loss = seeded.getLoss();
  SmallVector<Value> grads(seeded.getGradients());
  // Without a seed or micro-batches `vg` stays: build after it.
  if (seeded == vg && k == 1)
    b.setInsertionPointAfter(vg);

  // Accumulate the micro-batches: mean loss, f32 sums of the (scaled)
  // gradients; the 1/k is folded into the unscale below.
  Value divisor = scale;
  if (k > 1) {
    FailureOr<SmallVector<Value>> sums =
        buildMicrobatchLoop(fn, seeded, vg, k, updatedArgs);
    if (failed(sums))
      return failure();
    Value invK = splat(1.0 / static_cast<double>(k));
    loss = mp::detail::convertFloat(
        b, loc, mp::detail::buildScaleBy(b, loc, (*sums)[0], invK),
        vg.getLoss().getType());
    grads.assign(sums->begin() + 1, sums->end());
    if (scaled)
      divisor = mp::detail::buildScaleBy(b, loc, scale,
                                         splat(static_cast<double>(k)));
    else
      for (Value &g : grads)
        g = mp::detail::buildScaleBy(b, loc, g, invK);
  }

  // Unscale and check them all at once.
  Value finite;
  SmallVector<Value> checked;
  if (scaled) {
    auto unscale = UnscaleOp::create(b, loc, grads, divisor);
    checked.assign(unscale.getResults().begin(), unscale.getResults().end());
    grads = checked;
    finite = AllFiniteOp::create(b, loc, checked);
  }
  // The micro-batch sums are f32: back to the gradients' own types.
  for (auto [g, old] : llvm::zip(grads, vg.getGradients()))
    g = mp::detail::convertFloat(b, loc, g, old.getType());

  if (k > 1 || seeded != vg) {
    vg.getLoss().replaceAllUsesWith(loss);
    for (auto [oldGrad, newGrad] : llvm::zip(vg.getGradients(), grads))
      oldGrad.replaceAllUsesWith(newGrad);
  }

  Value gradNorm;
  if (options.gradNorm) {
    Value total;
    for (Value g : grads) {
      Value sq = mp::detail::buildSumOfSquares(b, loc, g);
      total = total ? arith::AddFOp::create(b, loc, total, sq).getResult() : sq;
    }
    gradNorm = math::SqrtOp::create(b, loc, total);
  }

  // New state.
  SmallVector<Value> stateResults;
  if (dynamic) {
    auto update = UpdateScaleOp::create(b, loc, scale, tracker, hysteresis,
                                        finite, config);
    llvm::append_range(stateResults, update.getResults());
  }
  if (scaled) {
    Value trueTensor = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, b.getI1Type()), true));
    stateResults.push_back(arith::XOrIOp::create(b, loc, finite, trueTensor));
    // One flag per gradient (`mp.grad_finite`); after mp-lower the
    // per-gradient reductions are those of the fused check (CSE).
    SmallVector<Value> perGradient{finite};
    if (checked.size() > 1) {
      perGradient.clear();
      for (Value g : checked)
        perGradient.push_back(AllFiniteOp::create(b, loc, ValueRange{g}));
    }
    stateResults.push_back(buildFlagVector(b, loc, perGradient));
  }
  if (gradNorm)
    stateResults.push_back(gradNorm);

  // `b` inserted before `vg`; the micro-batch loop holds its own copy.
  if (k > 1 && seeded != vg)
    seeded.erase();
  if (k > 1 || seeded != vg)
    vg.erase();
  b.setInsertionPoint(ret);

  if (scaled) {
    // Guard: the gradient-dependent ops move into the taken branch of an
    // scf.if that yields the tied results; the other branch yields the
    // arguments unchanged.
    Value cond = tensor::ExtractOp::create(b, loc, finite, ValueRange{});
    SmallVector<Type> tiedTypes;
    for (unsigned i : tied)
      tiedTypes.push_back(ret.getOperand(i).getType());
    auto ifOp = scf::IfOp::create(b, loc, tiedTypes, cond,
                                  /*withElseRegion=*/true);
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
      SmallVector<Value> clipped =
          buildClipByGlobalNorm(tb, loc, grads, options.clipNorm);
      for (auto [u, c] : llvm::zip(grads, clipped))
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
    for (auto [j, i] : llvm::enumerate(tied))
      ret.setOperand(i, ifOp.getResult(j));

    // Sink update-only computation (e.g. learning-rate splats, momentum
    // decay) that the guard alone uses into the taken branch.
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
  if (scaled) {
    attrs.push_back(marker(MPDialect::kOverflowAttrName));
    // Which step argument each flag describes (-1: not an argument).
    attrs.push_back(DictionaryAttr::get(
        ctx,
        {NamedAttribute(StringAttr::get(ctx, MPDialect::kGradFiniteAttrName),
                        DenseI64ArrayAttr::get(ctx, paramArgs))}));
  }
  if (gradNorm)
    attrs.push_back(marker(MPDialect::kGradNormAttrName));
  if (failed(fn.insertResults(indices, types, attrs)))
    return failure();
  ret.getOperandsMutable().append(stateResults);
  if (numGuarded)
    *numGuarded += scaled ? tied.size() : 0;
  return success();
}

namespace {
struct MPLossScalingPass : mp::impl::MPLossScalingBase<MPLossScalingPass> {
  using Base::Base;

  void runOnOperation() override {
    if (auto error = verifyLossScalingOptions(
            mode, initScale, growthFactor, backoffFactor, growthInterval,
            minScale, maxScale, hysteresis, clipNorm, microbatches)) {
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
    options.microbatches = microbatches;
    options.gradNorm = gradNorm;
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
      if (kind != LossScaleKind::None || microbatches > 1 || gradNorm)
        ++numStepFunctions;
    }
    numGuardedResults += guarded;
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
