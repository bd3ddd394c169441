//===- LinalgAdjoints.cpp - adjoints of linalg structured ops -------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Adjoints of linalg ops on tensors. Contractions differentiate to
// contractions: the adjoints of linalg.matmul / batch_matmul are matmuls with
// transposed operands (expressed with indexing maps, no copy), the adjoints
// of a convolution are linalg.generic contractions. Everything else whose
// body is elementwise or a sum / max / min reduction is differentiated
// structurally: one linalg.generic per differentiated operand, over the same
// iteration space, whose body is the reverse sweep of the forward body. The
// structural rule also covers operands read through constant-0 results
// (broadcasts of size-1 dims), window operands (every convolution and pooling
// layout: the transposed window op over a stride-dilated, padded cotangent)
// and gathers by tensor.extract in the body (a scatter-add loop nest).
// linalg.softmax, not a structured op, has a rule of its own.
//
// The rules are AdjointOpInterface external models (registered at the end);
// the structural one is the fallback model of every structured op without a
// named rule.
//
// Precision: a contraction's adjoint takes the incoming cotangent in the
// element type of the operand it differentiates (the compute type after
// mp-autocast), accumulates in the forward accumulator type when that is
// wider, and rounds to the operand's type once.
//
//===----------------------------------------------------------------------===//

#include "AdjointUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

static InFlightDiagnostic emitNoRule(Operation *op, const Twine &why) {
  return op->emitError() << "mp-differentiate: no adjoint rule for '"
                         << op->getName() << "': " << why;
}

static Type elementTypeOf(Value v) { return getElementTypeOrSelf(v.getType()); }

/// The wider of two float types (the first on a tie).
static Type widerFloat(Type a, Type b) {
  return cast<FloatType>(b).getWidth() > cast<FloatType>(a).getWidth() ? b : a;
}

/// Adds `result` (of element type `accType`) to the adjoint of `target`:
/// rounds it to the target's type first. With `inPlace`, `result` already
/// includes the previous adjoint and replaces it.
static void commit(OpBuilder &b, Location loc, AdjointState &st, Value target,
                   Value result, bool inPlace) {
  Value cast = castElements(b, loc, result, elementTypeOf(target));
  if (inPlace)
    st.setAdjoint(target, cast);
  else
    st.addAdjoint(b, loc, target, cast);
}

/// The init of a contraction adjoint accumulating in `accType`: the current
/// adjoint of `target` when the types agree (accumulate in place, no extra
/// add), else zeros.
static Value contractionInit(OpBuilder &b, Location loc, AdjointState &st,
                             Value target, Type accType, bool &inPlace) {
  auto type = cast<RankedTensorType>(target.getType());
  inPlace = false;
  if (accType == type.getElementType())
    if (Value acc = st.takeAdjoint(target)) {
      inPlace = true;
      return acc;
    }
  return zerosOf(b, loc, type.clone(accType));
}

/// Body of a contraction generic: acc + a * c, computed in the acc type.
static void buildMulAddBody(OpBuilder &nb, Location l, ValueRange args) {
  Type accType = args.back().getType();
  Value a = castElements(nb, l, args[0], accType);
  Value c = castElements(nb, l, args[1], accType);
  Value prod = arith::MulFOp::create(nb, l, a, c);
  linalg::YieldOp::create(
      nb, l, ValueRange{arith::AddFOp::create(nb, l, args.back(), prod)});
}

//===----------------------------------------------------------------------===//
// matmul / batch_matmul
//===----------------------------------------------------------------------===//

/// True when every indexing map of the contraction is a permutation of its
/// operand's dims (no broadcast), with the batch dim first for batch_matmul.
static bool isPlainContraction(linalg::LinalgOp op, unsigned rank) {
  for (AffineMap m : op.getIndexingMapsArray()) {
    if (m.getNumResults() != rank || !m.isProjectedPermutation())
      return false;
    if (rank == 3 && m.getDimPosition(0) != 0)
      return false;
  }
  return op.getNumDpsInputs() == 2 && op.getNumDpsInits() == 1;
}

template <typename MatmulTy>
static LogicalResult matmulRule(OpBuilder &b, linalg::LinalgOp op,
                                AdjointState &st, unsigned rank) {
  Location loc = op.getLoc();
  Value g = st.getAdjoint(op->getResult(0));
  if (!g)
    return success();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value operands[2] = {op.getDpsInputs()[0], op.getDpsInputs()[1]};
  Value init = op.getDpsInits()[0];
  unsigned numLoops = rank + 1;
  MLIRContext *ctx = b.getContext();

  // C = A * B + C0: C0's adjoint is g.
  st.addAdjoint(b, loc, init, g);

  for (unsigned target = 0; target < 2; ++target) {
    Value t = operands[target];
    if (!st.isActive(t))
      continue;
    unsigned other = 1 - target;
    // New loop order: the target's dims in its storage order, then the dim
    // it does not index (the contracted dim of the adjoint).
    SmallVector<unsigned> order;
    for (AffineExpr e : maps[target].getResults())
      order.push_back(cast<AffineDimExpr>(e).getPosition());
    for (unsigned d = 0; d < numLoops; ++d)
      if (!maps[target].isFunctionOfDim(d))
        order.push_back(d);
    SmallVector<AffineExpr> rename(numLoops);
    for (auto [i, old] : llvm::enumerate(order))
      rename[old] = getAffineDimExpr(i, ctx);
    auto renamed = [&](AffineMap m) {
      return m.replaceDimsAndSymbols(rename, {}, numLoops, 0);
    };
    AffineMap gMap = renamed(maps[2]), oMap = renamed(maps[other]);
    AffineMap outMap = renamed(maps[target]);

    Type targetType = elementTypeOf(t);
    Type accType = widerFloat(targetType, elementTypeOf(init));
    Value gIn = castElements(b, loc, g, targetType);
    bool inPlace;
    Value acc = contractionInit(b, loc, st, t, accType, inPlace);
    // The LHS is the operand indexed by the adjoint's row dim.
    Value lhs = gIn, rhs = operands[other];
    AffineMap lhsMap = gMap, rhsMap = oMap;
    if (!gMap.isFunctionOfDim(rank - 2)) {
      std::swap(lhs, rhs);
      std::swap(lhsMap, rhsMap);
    }
    auto mm = MatmulTy::create(b, loc, TypeRange{acc.getType()},
                               ValueRange{lhs, rhs}, ValueRange{acc});
    SmallVector<AffineMap> newMaps = {lhsMap, rhsMap, outMap};
    if (newMaps != MatmulTy::getDefaultIndexingMaps(ctx))
      mm.setIndexingMapsAttr(b.getAffineMapArrayAttr(newMaps));
    commit(b, loc, st, t, mm->getResult(0), inPlace);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// conv_2d_nhwc_hwcf and 2-D pooling
//===----------------------------------------------------------------------===//

/// g (N x OH x OW x C) scattered into zeros of N x (H+Ph) x (W+Pw) x C at
/// offset (Ph, Pw) with the forward strides: the "transposed convolution"
/// input, so that the adjoint of a strided, dilated window op is a gather.
static Value dilateAndPad(OpBuilder &b, Location loc, Value g, int64_t h,
                          int64_t w, int64_t ph, int64_t pw, int64_t sh,
                          int64_t sw) {
  auto type = cast<RankedTensorType>(g.getType());
  ArrayRef<int64_t> s = type.getShape();
  auto padded = RankedTensorType::get({s[0], h + ph, w + pw, s[3]},
                                      type.getElementType());
  Value zeros = zerosOf(b, loc, padded);
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(ph),
                                       b.getIndexAttr(pw), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes,
      strides = {b.getIndexAttr(1), b.getIndexAttr(sh), b.getIndexAttr(sw),
                 b.getIndexAttr(1)};
  for (int64_t d : s)
    sizes.push_back(b.getIndexAttr(d));
  return tensor::InsertSliceOp::create(b, loc, g, zeros, offsets, sizes,
                                       strides);
}

struct WindowAttrs {
  int64_t sh, sw, dh, dw;
};

template <typename OpTy> static WindowAttrs windowAttrs(OpTy op) {
  auto s = llvm::to_vector(op.getStrides().template getValues<int64_t>());
  auto d = llvm::to_vector(op.getDilations().template getValues<int64_t>());
  return {s[0], s[1], d[0], d[1]};
}

static LogicalResult convRule(OpBuilder &b, linalg::Conv2DNhwcHwcfOp op,
                              AdjointState &st) {
  Location loc = op.getLoc();
  Value g = st.getAdjoint(op->getResult(0));
  if (!g)
    return success();
  MLIRContext *ctx = b.getContext();
  Value input = op.getInputs()[0], filter = op.getInputs()[1];
  Value init = op.getOutputs()[0];
  st.addAdjoint(b, loc, init, g);
  WindowAttrs w = windowAttrs(op);
  ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> fs = cast<RankedTensorType>(filter.getType()).getShape();
  auto par = utils::IteratorType::parallel,
       red = utils::IteratorType::reduction;
  SmallVector<utils::IteratorType> iters = {par, par, par, par, red, red, red};
  Type outType = elementTypeOf(init);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };

  if (st.isActive(filter)) {
    // dF[kh,kw,c,f] = sum_{n,oh,ow} I[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
    //                               * g[n, oh, ow, f]
    // loops (kh, kw, c, f, n, oh, ow).
    Type et = elementTypeOf(filter);
    Type accType = widerFloat(et, outType);
    Value gIn = castElements(b, loc, g, et);
    bool inPlace;
    Value acc = contractionInit(b, loc, st, filter, accType, inPlace);
    AffineMap iMap = AffineMap::get(
        7, 0,
        {d(4), d(5) * w.sh + d(0) * w.dh, d(6) * w.sw + d(1) * w.dw, d(2)},
        ctx);
    AffineMap gMap = AffineMap::get(7, 0, {d(4), d(5), d(6), d(3)}, ctx);
    AffineMap oMap = AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx);
    auto gen = linalg::GenericOp::create(
        b, loc, TypeRange{acc.getType()}, ValueRange{input, gIn},
        ValueRange{acc}, ArrayRef<AffineMap>{iMap, gMap, oMap}, iters,
        buildMulAddBody);
    commit(b, loc, st, filter, gen.getResult(0), inPlace);
  }

  if (st.isActive(input)) {
    // dI[n,h,w,c] = sum_{kh,kw,f} gd[n, h + Ph - kh*dh, w + Pw - kw*dw, f]
    //                              * F[kh, kw, c, f]
    // with gd = g dilated by the strides and padded by P = (K-1)*dilation;
    // loops (n, h, w, c, kh, kw, f).
    Type et = elementTypeOf(input);
    Type accType = widerFloat(et, outType);
    int64_t ph = (fs[0] - 1) * w.dh, pw = (fs[1] - 1) * w.dw;
    Value gd = dilateAndPad(b, loc, castElements(b, loc, g, et), in[1], in[2],
                            ph, pw, w.sh, w.sw);
    bool inPlace;
    Value acc = contractionInit(b, loc, st, input, accType, inPlace);
    AffineMap gMap = AffineMap::get(
        7, 0, {d(0), d(1) + ph - d(4) * w.dh, d(2) + pw - d(5) * w.dw, d(6)},
        ctx);
    AffineMap fMap = AffineMap::get(7, 0, {d(4), d(5), d(3), d(6)}, ctx);
    AffineMap oMap = AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx);
    auto gen = linalg::GenericOp::create(
        b, loc, TypeRange{acc.getType()}, ValueRange{gd, filter},
        ValueRange{acc}, ArrayRef<AffineMap>{gMap, fMap, oMap}, iters,
        buildMulAddBody);
    commit(b, loc, st, input, gen.getResult(0), inPlace);
  }
  return success();
}

/// pooling_nhwc_sum (max / min pooling: the structural rule, which gives
/// the cotangent to the first maximum of each window).
static LogicalResult sumPoolRule(OpBuilder &b, linalg::PoolingNhwcSumOp op,
                                 AdjointState &st) {
  Location loc = op.getLoc();
  Value g = st.getAdjoint(op->getResult(0));
  if (!g)
    return success();
  MLIRContext *ctx = b.getContext();
  Value input = op.getInputs()[0], window = op.getInputs()[1];
  Value init = op.getOutputs()[0];
  if (st.isActive(init))
    st.addAdjoint(b, loc, init, g);
  if (!st.isActive(input))
    return success();

  // dI[n,h,w,c] = sum_{kh,kw} gd[n, h + Ph - kh*dh, w + Pw - kw*dw, c]
  // loops (n, h, w, c, kh, kw); the window operand gives kh, kw their bounds.
  WindowAttrs w = windowAttrs(op);
  ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> ws = cast<RankedTensorType>(window.getType()).getShape();
  int64_t ph = (ws[0] - 1) * w.dh, pw = (ws[1] - 1) * w.dw;
  Type et = elementTypeOf(input);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap shifted = AffineMap::get(
      6, 0, {d(0), d(1) + ph - d(4) * w.dh, d(2) + pw - d(5) * w.dw, d(3)},
      ctx);
  AffineMap identity = AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx);
  AffineMap windowMap = AffineMap::get(6, 0, {d(4), d(5)}, ctx);

  Value gd = dilateAndPad(b, loc, castElements(b, loc, g, et), in[1], in[2], ph,
                          pw, w.sh, w.sw);
  bool inPlace;
  Value acc = contractionInit(b, loc, st, input, et, inPlace);
  auto par = utils::IteratorType::parallel,
       red = utils::IteratorType::reduction;
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{acc.getType()}, ValueRange{window, gd}, ValueRange{acc},
      ArrayRef<AffineMap>{windowMap, shifted, identity},
      ArrayRef<utils::IteratorType>{par, par, par, par, red, red},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::AddFOp::create(nb, l, args.back(), args[1])});
      });
  commit(b, loc, st, input, gen.getResult(0), inPlace);
  return success();
}

//===----------------------------------------------------------------------===//
// transpose, broadcast, fill, sum reduce
//===----------------------------------------------------------------------===//

static LogicalResult transposeRule(OpBuilder &b, linalg::TransposeOp op,
                                   AdjointState &st) {
  Location loc = op.getLoc();
  Value g = st.getAdjoint(op->getResult(0));
  Value x = op.getInput();
  if (!g || !st.isActive(x))
    return success();
  ArrayRef<int64_t> perm = op.getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  auto type = cast<RankedTensorType>(x.getType());
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value t =
      linalg::TransposeOp::create(b, loc, g, empty, inverse)->getResult(0);
  st.addAdjoint(b, loc, x, t);
  return success();
}

/// Sums `g` over `dims` into the adjoint of `x` (in place when it exists).
static void reduceInto(OpBuilder &b, Location loc, AdjointState &st, Value x,
                       Value g, ArrayRef<int64_t> dims) {
  bool inPlace;
  Value acc = contractionInit(b, loc, st, x, elementTypeOf(x), inPlace);
  Value r =
      linalg::ReduceOp::create(
          b, loc, ValueRange{g}, ValueRange{acc}, dims,
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(
                nb, l,
                ValueRange{arith::AddFOp::create(nb, l, args[0], args[1])});
          })
          .getResult(0);
  commit(b, loc, st, x, r, inPlace);
}

static LogicalResult broadcastRule(OpBuilder &b, linalg::BroadcastOp op,
                                   AdjointState &st) {
  Value g = st.getAdjoint(op->getResult(0));
  Value x = op.getInput();
  if (!g || !st.isActive(x))
    return success();
  reduceInto(b, op.getLoc(), st, x, g, op.getDimensions());
  return success();
}

static LogicalResult fillRule(OpBuilder &b, linalg::FillOp op,
                              AdjointState &st) {
  Location loc = op.getLoc();
  Value g = st.getAdjoint(op->getResult(0));
  Value v = op.getInputs()[0];
  if (!g || !st.isActive(v))
    return success();
  if (isa<ShapedType>(v.getType()))
    return emitNoRule(op, "the fill value must be a scalar");
  // d/dv of fill(v) is the sum of every element of g. The init is
  // overwritten: no contribution.
  auto type = cast<RankedTensorType>(g.getType());
  Value zero =
      zerosOf(b, loc, RankedTensorType::get({}, type.getElementType()));
  Value sum = g;
  if (type.getRank() > 0)
    sum = linalg::ReduceOp::create(
              b, loc, ValueRange{g}, ValueRange{zero},
              llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())),
              [](OpBuilder &nb, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    nb, l,
                    ValueRange{arith::AddFOp::create(nb, l, args[0], args[1])});
              })
              .getResult(0);
  Value scalar = tensor::ExtractOp::create(b, loc, sum, ValueRange{});
  st.addAdjoint(b, loc, v, castElements(b, loc, scalar, v.getType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Structural rule: elementwise bodies and sum / max / min reductions
//===----------------------------------------------------------------------===//

namespace {
enum class Combiner { None, Sum, Max, Min };
struct OutputInfo {
  Value grad; // adjoint of the result, may be null
  Combiner kind = Combiner::None;
  Value seed;                    // body value carrying the result's adjoint
  Operation *combiner = nullptr; // acc (+|max|min) seed, for reductions
};
} // namespace

/// True when every loop dim appears as a plain dim in one of `maps`.
static bool coversAllLoops(ArrayRef<AffineMap> maps, unsigned numLoops) {
  llvm::BitVector seen(numLoops);
  for (AffineMap m : maps)
    for (AffineExpr e : m.getResults())
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        seen.set(dim.getPosition());
  return seen.all();
}

/// Erases the forward ops recomputed in `gen`'s body that the backward does
/// not use, then rebuilds `gen` without the inputs its body does not read
/// (keeping those needed to bound the loops).
static linalg::GenericOp pruneUnusedInputs(OpBuilder &b,
                                           linalg::GenericOp gen) {
  Block &block = gen.getRegion().front();
  SmallVector<Operation *> ops;
  for (Operation &op : block.without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
  unsigned numInputs = gen.getNumDpsInputs();
  SmallVector<AffineMap> maps = gen.getIndexingMapsArray();
  unsigned numLoops = gen.getNumLoops();
  llvm::BitVector drop(block.getNumArguments());
  for (unsigned i = 0; i < numInputs; ++i) {
    if (!block.getArgument(i).use_empty())
      continue;
    SmallVector<AffineMap> rest;
    for (unsigned j = 0; j < maps.size(); ++j)
      if (j != i && !drop.test(j))
        rest.push_back(maps[j]);
    if (coversAllLoops(rest, numLoops))
      drop.set(i);
  }
  if (drop.none())
    return gen;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> keptMaps;
  for (unsigned i = 0; i < numInputs; ++i)
    if (!drop.test(i)) {
      inputs.push_back(gen.getDpsInputs()[i]);
      keptMaps.push_back(maps[i]);
    }
  keptMaps.push_back(maps.back());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(gen);
  auto pruned = linalg::GenericOp::create(b, gen.getLoc(), gen.getResultTypes(),
                                          inputs, gen.getDpsInits(), keptMaps,
                                          gen.getIteratorTypesArray());
  pruned.getRegion().takeBody(gen.getRegion());
  pruned.getRegion().front().eraseArguments(drop);
  gen.erase();
  return pruned;
}

//===----------------------------------------------------------------------===//
// Window operands and broadcast maps
//===----------------------------------------------------------------------===//
//
// A convolution or pooling input is read through results such as
// `oh * sh + kh * dh` (`oh` a dim of the output, `kh` a reduction dim). Its
// adjoint is the "transposed" window op: with the loop `oh` renamed to the
// input position `h`, the result adjoint is read at `h + P - kh * dh` from
// `gd`, the adjoint dilated by the stride and padded by P = (K - 1) * dh
// (K the range of `kh`); `gd` is zero where no output position maps. The
// same holds for the results of a max / min pooling.

namespace {
struct WindowDim {
  unsigned outDim; // the output dim (renamed to the input position)
  int kernelDim;   // the reduction dim, or -1
  int64_t stride, dilation, pad;
  int64_t size; // the target's size along this result
};
struct WindowPlan {
  SmallVector<AffineMap> maps; // per operand, after renaming
  SmallVector<WindowDim> dims;
};
} // namespace

/// Adds `scale * e` to `coeffs` / `cst` when `e` is linear in the dims.
static bool linearize(AffineExpr e, int64_t scale,
                      SmallVectorImpl<int64_t> &coeffs, int64_t &cst) {
  if (auto d = dyn_cast<AffineDimExpr>(e)) {
    coeffs[d.getPosition()] += scale;
    return true;
  }
  if (auto c = dyn_cast<AffineConstantExpr>(e)) {
    cst += scale * c.getValue();
    return true;
  }
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  if (e.getKind() == AffineExprKind::Add)
    return linearize(bin.getLHS(), scale, coeffs, cst) &&
           linearize(bin.getRHS(), scale, coeffs, cst);
  if (e.getKind() == AffineExprKind::Mul) {
    if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS()))
      return linearize(bin.getLHS(), scale * c.getValue(), coeffs, cst);
    if (auto c = dyn_cast<AffineConstantExpr>(bin.getLHS()))
      return linearize(bin.getRHS(), scale * c.getValue(), coeffs, cst);
  }
  return false;
}

/// The renaming that makes `target`'s map a projected permutation, when it
/// is a window operand (see above): every result is a dim, 0, or
/// `s * o + d * k` with s > 0, d >= 0, `o` a dim of the outputs used nowhere
/// else in the target or the other inputs, `k` a reduction dim.
static FailureOr<WindowPlan> planWindow(linalg::LinalgOp op,
                                        OpOperand *target) {
  if (op.isDpsInit(target) || !op.getBlock() ||
      !op.getBlock()->getOps<linalg::IndexOp>().empty())
    return failure();
  MLIRContext *ctx = op->getContext();
  unsigned numLoops = op.getNumLoops();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned t = target->getOperandNumber();
  llvm::BitVector outDims(numLoops);
  for (OpOperand &init : op.getDpsInitsMutable())
    for (AffineExpr e : maps[init.getOperandNumber()].getResults())
      if (auto d = dyn_cast<AffineDimExpr>(e))
        outDims.set(d.getPosition());
  AffineMap tm = maps[t];
  auto targetType = dyn_cast<RankedTensorType>(target->get().getType());
  if (!targetType)
    return failure();
  ArrayRef<int64_t> targetShape = targetType.getShape();
  WindowPlan plan;
  SmallVector<AffineExpr> newTarget;
  for (AffineExpr e : tm.getResults()) {
    auto c = dyn_cast<AffineConstantExpr>(e);
    if (isa<AffineDimExpr>(e) || (c && c.getValue() == 0)) {
      newTarget.push_back(e);
      continue;
    }
    SmallVector<int64_t> coeffs(numLoops, 0);
    int64_t cst = 0;
    if (!linearize(e, 1, coeffs, cst) || cst != 0)
      return failure();
    int outDim = -1, kernelDim = -1;
    for (unsigned d = 0; d < numLoops; ++d) {
      if (!coeffs[d])
        continue;
      if (coeffs[d] < 0)
        return failure();
      int &slot = outDims.test(d) ? outDim : kernelDim;
      if (slot >= 0)
        return failure();
      slot = d;
    }
    if (outDim < 0 ||
        (kernelDim >= 0 && ShapedType::isDynamic(ranges[kernelDim])))
      return failure();
    WindowDim w{static_cast<unsigned>(outDim),
                kernelDim,
                coeffs[outDim],
                kernelDim >= 0 ? coeffs[kernelDim] : 0,
                0,
                targetShape[newTarget.size()]};
    if (kernelDim >= 0)
      w.pad = w.dilation * (ranges[kernelDim] - 1);
    plan.dims.push_back(w);
    newTarget.push_back(getAffineDimExpr(outDim, ctx));
  }
  if (plan.dims.empty())
    return failure();
  auto occurrences = [&](AffineMap m, unsigned d) {
    return llvm::count_if(m.getResults(),
                          [&](AffineExpr e) { return e.isFunctionOfDim(d); });
  };
  for (const WindowDim &w : plan.dims) {
    if (occurrences(tm, w.outDim) != 1 ||
        (w.kernelDim >= 0 && occurrences(tm, w.kernelDim) != 1))
      return failure();
    for (OpOperand *in : op.getDpsInputOperands())
      if (in != target &&
          maps[in->getOperandNumber()].isFunctionOfDim(w.outDim))
        return failure();
  }
  plan.maps = maps;
  plan.maps[t] = AffineMap::get(numLoops, 0, newTarget, ctx);
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap m = maps[init.getOperandNumber()];
    SmallVector<AffineExpr> results;
    for (AffineExpr e : m.getResults()) {
      for (const WindowDim &w : plan.dims)
        if (e == getAffineDimExpr(w.outDim, ctx)) {
          e = e + w.pad;
          if (w.kernelDim >= 0)
            e = e - getAffineDimExpr(w.kernelDim, ctx) * w.dilation;
          break;
        }
      results.push_back(e);
    }
    for (const WindowDim &w : plan.dims)
      if (!llvm::is_contained(m.getResults(), getAffineDimExpr(w.outDim, ctx)))
        return failure();
    plan.maps[init.getOperandNumber()] =
        AffineMap::get(numLoops, 0, results, ctx);
  }
  return plan;
}

/// `x` (of an output's shape, read through `outMap`) dilated by the window
/// strides and padded in front by the window pads: along each window dim, x
/// is inserted at `pad + stride * o` into zeros of the target's size plus
/// the pad.
static Value dilate(OpBuilder &b, Location loc, Value x, AffineMap outMap,
                    const WindowPlan &plan) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
      strides(type.getRank(), b.getIndexAttr(1)), sizes;
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  for (const WindowDim &w : plan.dims) {
    for (auto [p, e] : llvm::enumerate(outMap.getResults())) {
      if (e != getAffineDimExpr(w.outDim, b.getContext()))
        continue;
      shape[p] = w.size + w.pad;
      offsets[p] = b.getIndexAttr(w.pad);
      strides[p] = b.getIndexAttr(w.stride);
    }
  }
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  Value zeros;
  if (isa<IntegerType>(type.getElementType())) {
    Value zero = constantInt(b, loc, type.getElementType(), 0);
    Value empty = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
    zeros = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  } else {
    zeros = zerosOf(b, loc, paddedType);
  }
  return tensor::InsertSliceOp::create(b, loc, x, zeros, offsets, sizes,
                                       strides);
}

/// `x` with the unit dims of `type` that `map` reads as constant 0
/// re-inserted (tensor.expand_shape).
static Value expandUnitDims(OpBuilder &b, Location loc, Value x,
                            RankedTensorType type, AffineMap map) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    pending.push_back(i);
    if (isa<AffineDimExpr>(e)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return tensor::ExpandShapeOp::create(b, loc, type, x, groups);
}

/// True when `acc`'s only float use is `combiner`: its other users (e.g. the
/// argmax torch-mlir computes next to a max) and theirs produce no float.
static bool accOnlyFeedsIntegers(BlockArgument acc, Operation *combiner) {
  SmallVector<Operation *> worklist;
  llvm::DenseSet<Operation *> seen;
  for (Operation *user : acc.getUsers())
    if (user != combiner)
      worklist.push_back(user);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!seen.insert(op).second || isa<linalg::YieldOp>(op))
      continue;
    if (op == combiner)
      return false;
    for (Value r : op->getResults()) {
      if (isFloatLike(r.getType()))
        return false;
      for (Operation *user : r.getUsers())
        worklist.push_back(user);
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// First extremum of max / min reductions
//===----------------------------------------------------------------------===//
//
// A max (min) reduction gives its cotangent to one element per result, the
// first maximum (minimum) in iteration order, as PyTorch does for max
// pooling and torch.max(dim): the reduction loops are numbered row-major in
// loop order, so for a pooling window it is the first of (kh, kw), for a
// reduction over one dim the lowest index. An extra pass over the forward's
// iteration space (in the backward) finds that number for every result;
// the adjoint compares it with its own loop position. An active init equal
// to the result comes before every element (-1: it gets the cotangent).

/// The narrowest integer type that numbers `count` reduction positions and
/// has -1 and a "none" value (its maximum) besides: i8 for a 2x2 or 3x3
/// window, so the (dilated) position tensor costs a quarter of an f32 one.
static IntegerType positionType(MLIRContext *ctx, int64_t count) {
  for (unsigned width : {8u, 16u, 32u})
    if (count < (int64_t(1) << (width - 1)) - 1)
      return IntegerType::get(ctx, width);
  return IntegerType::get(ctx, 64);
}

/// In a linalg body: the row-major number of the current position of the
/// loops `dims` (ranges `ranges`), as `type`.
static Value reductionPosition(OpBuilder &b, Location loc,
                               ArrayRef<unsigned> dims,
                               ArrayRef<int64_t> ranges, Type type) {
  Value pos;
  for (unsigned d : dims) {
    Value index = linalg::IndexOp::create(b, loc, d);
    if (!pos) {
      pos = index;
      continue;
    }
    Value range = arith::ConstantIndexOp::create(b, loc, ranges[d]);
    pos = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, pos, range), index);
  }
  if (!pos) // No reduction loop: one position.
    pos = arith::ConstantIndexOp::create(b, loc, 0);
  return arith::IndexCastOp::create(b, loc, type, pos);
}

/// For the max / min result `j` of `op` (seed `seed`, the body value the
/// combiner folds in): the position of its first extremum (see above), a
/// tensor of the result's shape; INT_MAX where no element equals the
/// result.
static Value firstExtremum(OpBuilder &b, linalg::LinalgOp op, unsigned j,
                           Value seed, const llvm::DenseSet<Operation *> &skip,
                           const AdjointState &st, ArrayRef<unsigned> redDims,
                           IntegerType posType) {
  Location loc = op.getLoc();
  Block *body = op.getBlock();
  unsigned numInputs = op.getNumDpsInputs();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  Value result = op->getResult(j), init = op.getDpsInits()[j];
  auto resultType = cast<RankedTensorType>(result.getType());
  auto type = RankedTensorType::get(resultType.getShape(), posType);
  int64_t none = posType.getWidth() == 64
                     ? std::numeric_limits<int64_t>::max()
                     : (int64_t(1) << (posType.getWidth() - 1)) - 1;
  Value start = constantInt(b, loc, type, none);
  if (st.isActive(init)) {
    Value hit =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, init, result);
    start = arith::SelectOp::create(b, loc, hit, constantInt(b, loc, type, -1),
                                    start);
  }
  SmallVector<Value> ins(op.getDpsInputs());
  ins.push_back(result);
  SmallVector<AffineMap> maps;
  for (OpOperand *in : op.getDpsInputOperands())
    maps.push_back(op.getMatchingIndexingMap(in));
  AffineMap outMap = op.getIndexingMapMatchingResult(cast<OpResult>(result));
  maps.append({outMap, outMap});
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ins, ValueRange{start}, maps,
      op.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        IRMapping mapping;
        for (unsigned i = 0; i < numInputs; ++i)
          mapping.map(body->getArgument(i), args[i]);
        for (Operation &o : body->without_terminator())
          if (!skip.contains(&o))
            nb.clone(o, mapping);
        Value hit = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                          mapping.lookupOrDefault(seed),
                                          args[numInputs]);
        Value pos = reductionPosition(nb, l, redDims, ranges, posType);
        Value candidate = arith::SelectOp::create(
            nb, l, hit, pos, constantInt(nb, l, posType, none));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::MinSIOp::create(nb, l, args.back(), candidate)});
      });
  return pruneUnusedInputs(b, gen).getResult(0);
}

static LogicalResult structuralRule(OpBuilder &b, linalg::LinalgOp op,
                                    AdjointState &st) {
  Location loc = op.getLoc();
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  unsigned numInputs = op.getNumDpsInputs(), numInits = op.getNumDpsInits();
  unsigned numLoops = op.getNumLoops();
  bool hasReduction = op.getNumReductionLoops() > 0;

  SmallVector<OutputInfo> outs(numInits);
  llvm::DenseSet<Operation *> combiners;
  for (unsigned j = 0; j < numInits; ++j) {
    OutputInfo &info = outs[j];
    info.grad = st.getAdjoint(op->getResult(j));
    Value yielded = yield.getOperand(j);
    if (!hasReduction) {
      info.seed = yielded;
      continue;
    }
    if (numInputs + j >= body->getNumArguments())
      return emitNoRule(op, "unexpected body");
    BlockArgument acc = body->getArgument(numInputs + j);
    Operation *def = yielded.getDefiningOp();
    Value other;
    if (def && def->getBlock() == body && def->getNumOperands() == 2 &&
        accOnlyFeedsIntegers(acc, def)) {
      if (def->getOperand(0) == acc)
        other = def->getOperand(1);
      else if (def->getOperand(1) == acc)
        other = def->getOperand(0);
    }
    if (other) {
      if (isa<arith::AddFOp>(def))
        info.kind = Combiner::Sum;
      else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
        info.kind = Combiner::Max;
      else if (isa<arith::MinimumFOp, arith::MinNumFOp>(def))
        info.kind = Combiner::Min;
    }
    if (info.kind == Combiner::None) {
      if (info.grad)
        return emitNoRule(op, "a reduction must combine with addf, "
                              "maximumf/maxnumf or minimumf/minnumf");
      continue;
    }
    info.seed = other;
    info.combiner = def;
    combiners.insert(def);
  }

  // Ops other than the combiners that read an accumulator (an argmax next
  // to a max): integer-only (accOnlyFeedsIntegers), not differentiated, not
  // cloned.
  llvm::DenseSet<Operation *> accUsers;
  if (hasReduction)
    for (Operation &o : body->without_terminator())
      if (!combiners.contains(&o) &&
          llvm::any_of(o.getOperands(), [&](Value v) {
            auto arg = dyn_cast<BlockArgument>(v);
            return (arg && arg.getOwner() == body &&
                    arg.getArgNumber() >= numInputs) ||
                   (v.getDefiningOp() && accUsers.contains(v.getDefiningOp()));
          }))
        accUsers.insert(&o);

  // The reduction loops, numbered row-major for the first extremum.
  SmallVector<unsigned> redDims;
  int64_t positions = 1;
  SmallVector<int64_t> loopRanges = op.getStaticLoopRanges();
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction) {
      redDims.push_back(d);
      positions *= loopRanges[d];
    }
  IntegerType posType = positionType(op->getContext(), positions);
  llvm::DenseSet<Operation *> notCloned(combiners.begin(), combiners.end());
  notCloned.insert(accUsers.begin(), accUsers.end());
  // Computed on first use (only when an input is differentiated).
  SmallVector<Value> firsts(numInits);
  auto firstOf = [&](unsigned j) {
    if (!firsts[j])
      firsts[j] = firstExtremum(b, op, j, outs[j].seed, notCloned, st, redDims,
                                posType);
    return firsts[j];
  };

  // Operands to differentiate.
  SmallVector<OpOperand *> targets;
  for (OpOperand &opnd : op->getOpOperands()) {
    Value v = opnd.get();
    if (!st.isActive(v))
      continue;
    if (op.isDpsInit(&opnd) && hasReduction) {
      unsigned j = opnd.getOperandNumber() - numInputs;
      OutputInfo &info = outs[j];
      if (!info.grad)
        continue;
      Value contribution = info.grad;
      if (info.kind != Combiner::Sum) {
        Value hit = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, v,
                                          op->getResult(j));
        contribution = arith::SelectOp::create(
            b, loc, hit, info.grad,
            constantFloat(b, loc, info.grad.getType(), 0.0));
      }
      st.addAdjoint(b, loc, v, contribution);
      continue;
    }
    unsigned idx = opnd.getOperandNumber();
    if (idx >= body->getNumArguments() || body->getArgument(idx).use_empty())
      continue;
    if (!op.getMatchingIndexingMap(&opnd).isProjectedPermutation(
            /*allowZeroInResults=*/true) &&
        failed(planWindow(op, &opnd)))
      return emitNoRule(op, "operand #" + std::to_string(idx) +
                                " has a non-permutation indexing map");
    targets.push_back(&opnd);
  }

  for (OpOperand *target : targets) {
    Value v = target->get();
    // The operands' maps; for a window operand (a convolution or pooling
    // input) the loops are renamed so that the target's map is a projected
    // permutation, and the result adjoints (and results) are dilated.
    SmallVector<AffineMap> opMaps = op.getIndexingMapsArray();
    std::optional<WindowPlan> plan;
    if (!opMaps[target->getOperandNumber()].isProjectedPermutation(
            /*allowZeroInResults=*/true)) {
      plan = *planWindow(op, target);
      opMaps = plan->maps;
    }
    AffineMap targetMap = opMaps[target->getOperandNumber()];
    // Inputs: the operands the forward body reads, the result adjoints and,
    // for max / min reductions, the results.
    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    SmallVector<std::pair<unsigned, unsigned>> argPos;
    for (OpOperand &opnd : op->getOpOperands()) {
      unsigned idx = opnd.getOperandNumber();
      // A window op's unread inputs (a pooling window) may bound loops.
      bool bounds = plan && op.isDpsInput(&opnd);
      if (idx >= body->getNumArguments() ||
          (body->getArgument(idx).use_empty() && !bounds))
        continue;
      if (op.isDpsInit(&opnd) && hasReduction)
        continue;
      argPos.push_back({idx, ins.size()});
      ins.push_back(opnd.get());
      maps.push_back(opMaps[idx]);
    }
    SmallVector<int> gradPos(numInits, -1), resultPos(numInits, -1);
    for (unsigned j = 0; j < numInits; ++j) {
      if (!outs[j].grad || !outs[j].seed)
        continue;
      AffineMap fwdOutMap = op.getIndexingMapMatchingResult(op->getResult(j));
      AffineMap outMap = opMaps[numInputs + j];
      gradPos[j] = ins.size();
      ins.push_back(plan ? dilate(b, loc, outs[j].grad, fwdOutMap, *plan)
                         : outs[j].grad);
      maps.push_back(outMap);
      if (outs[j].kind == Combiner::Max || outs[j].kind == Combiner::Min) {
        resultPos[j] = ins.size();
        ins.push_back(plan ? dilate(b, loc, firstOf(j), fwdOutMap, *plan)
                           : firstOf(j));
        maps.push_back(outMap);
      }
    }
    Type et = elementTypeOf(v);
    bool scalar = !isa<ShapedType>(v.getType());
    auto outType = scalar ? RankedTensorType::get({}, et)
                          : cast<RankedTensorType>(v.getType());
    // Constant-0 results of the target's map (a broadcast of a size-1 dim):
    // the adjoint is computed without those dims, then expanded.
    SmallVector<AffineExpr> kept;
    SmallVector<int64_t> keptShape;
    for (auto [i, e] : llvm::enumerate(targetMap.getResults()))
      if (isa<AffineDimExpr>(e)) {
        kept.push_back(e);
        keptShape.push_back(outType.getDimSize(i));
      }
    bool collapsed = kept.size() != targetMap.getNumResults();
    if (collapsed) {
      targetMap = AffineMap::get(numLoops, 0, kept, b.getContext());
      outType = RankedTensorType::get(keptShape, et);
    }
    bool inPlace = false;
    Value init;
    if (!scalar && !collapsed)
      init = contractionInit(b, loc, st, v, et, inPlace);
    else
      init = zerosOf(b, loc, outType);
    maps.push_back(targetMap);
    SmallVector<utils::IteratorType> iters(numLoops,
                                           utils::IteratorType::reduction);
    for (AffineExpr e : targetMap.getResults())
      iters[cast<AffineDimExpr>(e).getPosition()] =
          utils::IteratorType::parallel;

    LogicalResult status = success();
    bool dead = false;
    auto gen = linalg::GenericOp::create(
        b, loc, TypeRange{outType}, ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          IRMapping mapping;
          for (auto [orig, pos] : argPos)
            mapping.map(body->getArgument(orig), args[pos]);
          SmallVector<Operation *> cloned;
          for (Operation &o : body->without_terminator())
            if (!combiners.contains(&o) && !accUsers.contains(&o))
              cloned.push_back(nb.clone(o, mapping));
          AdjointState inner;
          Value targetArg =
              mapping.lookup(body->getArgument(target->getOperandNumber()));
          inner.markVaried(targetArg);
          inner.propagateVaried(cloned);
          for (unsigned j = 0; j < numInits; ++j) {
            if (gradPos[j] < 0)
              continue;
            Value seed = mapping.lookupOrDefault(outs[j].seed);
            Value gj = args[gradPos[j]];
            if (resultPos[j] >= 0) {
              // Only the first extremum gets the cotangent.
              Value pos =
                  reductionPosition(nb, l, redDims, loopRanges, posType);
              Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                                pos, args[resultPos[j]]);
              gj = arith::SelectOp::create(
                  nb, l, hit, gj, constantFloat(nb, l, gj.getType(), 0.0));
            }
            inner.addAdjoint(nb, l, seed, gj);
          }
          if (failed(reverseSweep(nb, cloned, inner)))
            status = failure();
          Value adj = inner.getAdjoint(targetArg);
          Value acc = args.back();
          if (!adj)
            dead = true;
          linalg::YieldOp::create(
              nb, l,
              ValueRange{
                  adj ? arith::AddFOp::create(nb, l, acc, adj).getResult()
                      : acc});
        });
    if (failed(status))
      return failure();
    if (dead) {
      // No dependence: restore the previous adjoint, drop the op.
      gen.erase();
      if (inPlace)
        st.setAdjoint(v, init);
      continue;
    }
    gen = pruneUnusedInputs(b, gen);
    Value result = gen.getResult(0);
    if (scalar)
      result = tensor::ExtractOp::create(b, loc, result, ValueRange{});
    if (collapsed)
      result =
          expandUnitDims(b, loc, result, cast<RankedTensorType>(v.getType()),
                         opMaps[target->getOperandNumber()]);
    commit(b, loc, st, v, result, inPlace);
  }
  return success();
}

static LogicalResult reduceRule(OpBuilder &b, linalg::ReduceOp op,
                                AdjointState &st) {
  // Plain sum of one input: the adjoint is a broadcast.
  Block *body = op.getBlock();
  if (op.getInputs().size() == 1 && body->getOperations().size() == 2) {
    auto add = dyn_cast<arith::AddFOp>(&body->front());
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    Value in = body->getArgument(0), acc = body->getArgument(1);
    if (add && yield.getOperand(0) == add.getResult() &&
        ((add.getLhs() == in && add.getRhs() == acc) ||
         (add.getLhs() == acc && add.getRhs() == in))) {
      Location loc = op.getLoc();
      Value g = st.getAdjoint(op->getResult(0));
      if (!g)
        return success();
      st.addAdjoint(b, loc, op.getInits()[0], g);
      Value x = op.getInputs()[0];
      if (st.isActive(x)) {
        auto type = cast<RankedTensorType>(x.getType());
        Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                              type.getElementType());
        Value bc =
            linalg::BroadcastOp::create(b, loc, g, empty, op.getDimensions())
                ->getResult(0);
        st.addAdjoint(b, loc, x, bc);
      }
      return success();
    }
  }
  return structuralRule(b, op, st);
}

/// Appends the ops of `op`'s body that depend on an active operand, have a
/// float result and no adjoint rule (the structural rule differentiates them
/// one by one).
static void collectBodyMissing(linalg::LinalgOp op, const AdjointState &st,
                               SmallVectorImpl<Operation *> &missing) {
  Block *body = op.getBlock();
  if (!body)
    return;
  llvm::DenseSet<Value> varied;
  for (OpOperand &opnd : op->getOpOperands())
    if (opnd.getOperandNumber() < body->getNumArguments() &&
        st.isActive(opnd.get()))
      varied.insert(body->getArgument(opnd.getOperandNumber()));
  for (Operation &o : body->without_terminator()) {
    if (llvm::none_of(o.getOperands(), [&](Value v) {
          return varied.contains(v) ||
                 (st.isActive(v) &&
                  !op->isAncestor(v.getParentRegion()->getParentOp()));
        }))
      continue;
    bool floatResult = false;
    for (Value r : o.getResults())
      if (isFloatLike(r.getType())) {
        varied.insert(r);
        floatResult = true;
      }
    if (floatResult && !isa<AdjointOpInterface>(&o))
      missing.push_back(&o);
  }
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

namespace {
/// linalg.softmax (not a structured op): y = softmax(x) along `d` has
/// dx = y * (g - sum_d(g * y)), computed in the element type of x. The
/// output operand is overwritten: no contribution.
struct SoftmaxModel
    : AdjointOpInterface::ExternalModel<SoftmaxModel, linalg::SoftmaxOp> {
  LogicalResult emitAdjoint(Operation *o, OpBuilder &b,
                            AdjointState &st) const {
    auto op = cast<linalg::SoftmaxOp>(o);
    Location loc = op.getLoc();
    Value g = st.getAdjoint(op.getResult()[0]);
    Value x = op.getInput();
    if (!g || !st.isActive(x))
      return success();
    if (!op.hasPureTensorSemantics())
      return emitNoRule(op, "only ops on tensors are supported");
    auto type = cast<RankedTensorType>(x.getType());
    Type et = type.getElementType();
    Value y = castElements(b, loc, op.getResult()[0], et);
    g = castElements(b, loc, g, et);
    int64_t dim = op.getDimension();
    Value gy = arith::MulFOp::create(b, loc, g, y);
    SmallVector<int64_t> reducedShape;
    for (auto [i, size] : llvm::enumerate(type.getShape()))
      if (static_cast<int64_t>(i) != dim)
        reducedShape.push_back(size);
    Value init = zerosOf(b, loc, RankedTensorType::get(reducedShape, et));
    Value sum =
        linalg::ReduceOp::create(
            b, loc, ValueRange{gy}, ValueRange{init}, {dim},
            [](OpBuilder &nb, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  nb, l,
                  ValueRange{arith::AddFOp::create(nb, l, args[0], args[1])});
            })
            .getResult(0);
    Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), et);
    Value bc =
        linalg::BroadcastOp::create(b, loc, sum, empty, {dim})->getResult(0);
    Value dx = arith::MulFOp::create(
        b, loc, y, arith::SubFOp::create(b, loc, g, bc).getResult());
    st.addAdjoint(b, loc, x, dx);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Gathers: tensor.extract of a captured tensor in a body (embeddings)
//===----------------------------------------------------------------------===//

/// The active values captured by `op`'s body that it reads only through
/// tensor.extract directly in the body (gathers with computed indices);
/// fails with a diagnostic on any other use of a captured active value.
static FailureOr<SmallVector<Value>> gatheredTensors(linalg::LinalgOp op,
                                                     const AdjointState &st) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  SmallVector<Value> gathered;
  for (Value v : captured) {
    if (!st.isActive(v))
      continue;
    bool onlyExtracts = isa<RankedTensorType>(v.getType());
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (!op->isProperAncestor(user))
        continue;
      auto extract = dyn_cast<tensor::ExtractOp>(user);
      if (!extract || extract.getTensor() != v ||
          user->getBlock() != op.getBlock())
        onlyExtracts = false;
    }
    if (!onlyExtracts)
      return op->emitError()
             << "mp-differentiate: '" << op->getName()
             << "' uses a differentiated value defined outside its region; "
                "pass it as an operand instead";
    gathered.push_back(v);
  }
  return gathered;
}

/// The indices `map` gives at loop position `ivs`, as index values.
static SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                                   ValueRange ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    SmallVector<int64_t> coeffs(map.getNumDims(), 0);
    int64_t cst = 0;
    bool linear = linearize(e, 1, coeffs, cst);
    assert(linear && "indexing maps of a gather op must be linear");
    (void)linear;
    Value sum;
    if (cst)
      sum = arith::ConstantIndexOp::create(b, loc, cst);
    for (auto [d, c] : llvm::enumerate(coeffs)) {
      if (!c)
        continue;
      Value term = ivs[d];
      if (c != 1)
        term = arith::MulIOp::create(b, loc, term,
                                     arith::ConstantIndexOp::create(b, loc, c));
      sum = sum ? arith::AddIOp::create(b, loc, sum, term).getResult() : term;
    }
    if (!sum)
      sum = arith::ConstantIndexOp::create(b, loc, 0);
    indices.push_back(sum);
  }
  return indices;
}

/// The adjoint of a gathered tensor `t` (see gatheredTensors): a scatter-add
/// over the iteration space, `dt[idx(p)] += d out(p) / d extracted` for each
/// loop position p, as an scf.for nest carrying the adjoint (duplicate
/// indices accumulate). Only for ops whose loops are all parallel.
static LogicalResult gatherRule(OpBuilder &b, linalg::LinalgOp op,
                                AdjointState &st, Value t) {
  Location loc = op.getLoc();
  if (op.getNumReductionLoops() > 0)
    return emitNoRule(op, "a gather (tensor.extract of a differentiated "
                          "tensor) is supported in parallel loops only");
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (AffineMap m : maps)
    for (AffineExpr e : m.getResults()) {
      SmallVector<int64_t> coeffs(m.getNumDims(), 0);
      int64_t cst = 0;
      if (!linearize(e, 1, coeffs, cst))
        return emitNoRule(op, "a gather op needs linear indexing maps");
    }
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(ranges.size(), zero), steps(ranges.size(), one), ubs;
  for (int64_t r : ranges)
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, r));
  Value init = st.takeAdjoint(t);
  if (!init)
    init = zerosOf(b, loc, t.getType());
  LogicalResult status = success();
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder &nb, Location l, ValueRange ivs,
          ValueRange iterArgs) -> scf::ValueVector {
        IRMapping mapping;
        for (OpOperand &opnd : op->getOpOperands()) {
          unsigned idx = opnd.getOperandNumber();
          if (idx >= body->getNumArguments() ||
              body->getArgument(idx).use_empty())
            continue;
          SmallVector<Value> indices = applyMap(nb, l, maps[idx], ivs);
          mapping.map(body->getArgument(idx),
                      tensor::ExtractOp::create(nb, l, opnd.get(), indices));
        }
        SmallVector<Operation *> cloned;
        for (Operation &o : body->without_terminator()) {
          if (auto index = dyn_cast<linalg::IndexOp>(&o)) {
            mapping.map(index.getResult(), ivs[index.getDim()]);
            continue;
          }
          cloned.push_back(nb.clone(o, mapping));
        }
        AdjointState inner;
        inner.markVaried(t);
        inner.setAdjoint(t, iterArgs[0]);
        inner.propagateVaried(cloned);
        for (unsigned j = 0; j < op.getNumDpsInits(); ++j) {
          Value g = st.getAdjoint(op->getResult(j));
          if (!g)
            continue;
          SmallVector<Value> indices = applyMap(
              nb, l, op.getIndexingMapMatchingResult(op->getResult(j)), ivs);
          Value gj = tensor::ExtractOp::create(nb, l, g, indices);
          inner.addAdjoint(nb, l, mapping.lookupOrDefault(yield.getOperand(j)),
                           gj);
        }
        if (failed(reverseSweep(nb, cloned, inner)))
          status = failure();
        Value adj = inner.getAdjoint(t);
        return {adj ? adj : iterArgs[0]};
      });
  if (failed(status))
    return failure();
  st.setAdjoint(t, nest.results[0]);
  return success();
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

namespace {
using LinalgRule = LogicalResult (*)(OpBuilder &, linalg::LinalgOp,
                                     AdjointState &);

/// The AdjointOpInterface model of a linalg op on tensors whose rule is `R`.
/// Missing rules are looked for in the body, which the structural rule
/// differentiates op by op.
template <typename OpTy, LinalgRule R>
struct LinalgModel
    : AdjointOpInterface::ExternalModel<LinalgModel<OpTy, R>, OpTy> {
  LogicalResult emitAdjoint(Operation *op, OpBuilder &b,
                            AdjointState &state) const {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    if (!linalgOp.hasPureTensorSemantics())
      return emitNoRule(op, "only ops on tensors are supported");
    FailureOr<SmallVector<Value>> gathered = gatheredTensors(linalgOp, state);
    if (failed(gathered) || failed(R(b, linalgOp, state)))
      return failure();
    for (Value t : *gathered)
      if (failed(gatherRule(b, linalgOp, state, t)))
        return failure();
    return success();
  }
  void collectMissingAdjoints(Operation *op, const AdjointState &state,
                              SmallVectorImpl<Operation *> &missing) const {
    collectBodyMissing(cast<linalg::LinalgOp>(op), state, missing);
  }
};
} // namespace

static LogicalResult matmulModel(OpBuilder &b, linalg::LinalgOp op,
                                 AdjointState &st) {
  if (isPlainContraction(op, 2))
    return matmulRule<linalg::MatmulOp>(b, op, st, 2);
  return structuralRule(b, op, st);
}

static LogicalResult batchMatmulModel(OpBuilder &b, linalg::LinalgOp op,
                                      AdjointState &st) {
  if (isPlainContraction(op, 3))
    return matmulRule<linalg::BatchMatmulOp>(b, op, st, 3);
  return structuralRule(b, op, st);
}

static LogicalResult convModel(OpBuilder &b, linalg::LinalgOp op,
                               AdjointState &st) {
  return convRule(b, cast<linalg::Conv2DNhwcHwcfOp>(op), st);
}

template <typename OpTy, LogicalResult (*Fn)(OpBuilder &, OpTy, AdjointState &)>
static LogicalResult namedModel(OpBuilder &b, linalg::LinalgOp op,
                                AdjointState &st) {
  return Fn(b, cast<OpTy>(op), st);
}

template <typename OpTy, LinalgRule R>
static void attachLinalg(MLIRContext *ctx) {
  OpTy::template attachInterface<LinalgModel<OpTy, R>>(*ctx);
}

/// Attaches the structural rule to each of `OpTys` that has no rule yet: the
/// fallback for every linalg structured op.
template <typename... OpTys> static void attachStructural(MLIRContext *ctx) {
  auto attachOne = [&](auto tag) {
    using OpTy = typename decltype(tag)::type;
    std::optional<RegisteredOperationName> name =
        RegisteredOperationName::lookup(OpTy::getOperationName(), ctx);
    if (name && !name->hasInterface<AdjointOpInterface>())
      attachLinalg<OpTy, structuralRule>(ctx);
  };
  (attachOne(llvm::type_identity<OpTys>{}), ...);
}

void ad::registerLinalgAdjointModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    using namespace linalg;
    attachLinalg<MatmulOp, matmulModel>(ctx);
    attachLinalg<BatchMatmulOp, batchMatmulModel>(ctx);
    attachLinalg<Conv2DNhwcHwcfOp, convModel>(ctx);
    attachLinalg<PoolingNhwcSumOp, namedModel<PoolingNhwcSumOp, sumPoolRule>>(
        ctx);
    attachLinalg<TransposeOp, namedModel<TransposeOp, transposeRule>>(ctx);
    attachLinalg<BroadcastOp, namedModel<BroadcastOp, broadcastRule>>(ctx);
    attachLinalg<FillOp, namedModel<FillOp, fillRule>>(ctx);
    attachLinalg<ReduceOp, namedModel<ReduceOp, reduceRule>>(ctx);
    SoftmaxOp::attachInterface<SoftmaxModel>(*ctx);
    // The structural rule for every other structured op (generic, map,
    // elementwise, contract, matvec, other convolutions and pooling, ...).
    attachStructural<
#define GET_OP_LIST
#include "mlir/Dialect/Linalg/IR/LinalgStructuredOps.cpp.inc"
        >(ctx);
  });
}
