//===- AdjointRules.cpp - adjoints of arith, math, tensor and mp ops ------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The adjoint state, the reverse sweep, the rule table and the rules for
// elementwise arith / math ops (on scalars and tensors alike), casts, and
// tensor ops. Linalg ops are in LinalgAdjoints.cpp.
//
// Every rule reads the adjoint of the op's result(s) and adds a contribution
// of the operand's own type to each *active* operand. Adjoints always carry
// the type of their primal value.
//
//===----------------------------------------------------------------------===//

#include "Adjoint.h"
#include "LinalgAdjoints.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include <cmath>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

//===----------------------------------------------------------------------===//
// Shared builders
//===----------------------------------------------------------------------===//

static bool isFloatLike(Type type) {
  if (!isa<FloatType>(getElementTypeOrSelf(type)))
    return false;
  return isa<FloatType>(type) || isa<RankedTensorType>(type);
}

Value ad::constantFloat(OpBuilder &b, Location loc, Type type, double value) {
  auto elementType = cast<FloatType>(getElementTypeOrSelf(type));
  FloatAttr attr = b.getFloatAttr(elementType, value);
  if (auto shaped = dyn_cast<ShapedType>(type))
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(shaped, attr));
  return arith::ConstantOp::create(b, loc, attr);
}

Value ad::zerosOf(OpBuilder &b, Location loc, Type type) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return constantFloat(b, loc, type, 0.0);
  Value zero = constantFloat(b, loc, tensorType.getElementType(), 0.0);
  Value empty = tensor::EmptyOp::create(b, loc, tensorType.getShape(),
                                        tensorType.getElementType());
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

Value ad::castElements(OpBuilder &b, Location loc, Value v, Type elementType) {
  Type from = getElementTypeOrSelf(v.getType());
  if (from == elementType)
    return v;
  Type to = elementType;
  if (auto shaped = dyn_cast<ShapedType>(v.getType()))
    to = shaped.clone(elementType);
  unsigned fromWidth = cast<FloatType>(from).getWidth();
  unsigned toWidth = cast<FloatType>(elementType).getWidth();
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(b, loc, to, v);
  if (fromWidth > toWidth)
    return arith::TruncFOp::create(b, loc, to, v);
  // Same width, different format (f16 <-> bf16): through f32.
  Value wide = castElements(b, loc, v, b.getF32Type());
  return castElements(b, loc, wide, elementType);
}

//===----------------------------------------------------------------------===//
// AdjointState
//===----------------------------------------------------------------------===//

bool AdjointState::isActive(Value v) const {
  return varied.contains(v) && isFloatLike(v.getType());
}

void AdjointState::propagateVaried(ArrayRef<Operation *> ops) {
  for (Operation *op : ops) {
    bool anyVaried = llvm::any_of(op->getOperands(),
                                  [&](Value v) { return varied.contains(v); });
    if (!anyVaried && op->getNumRegions()) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(op->getRegions(), captured);
      anyVaried =
          llvm::any_of(captured, [&](Value v) { return varied.contains(v); });
    }
    if (!anyVaried)
      continue;
    for (Value r : op->getResults())
      if (isFloatLike(r.getType()))
        varied.insert(r);
  }
}

void AdjointState::addAdjoint(OpBuilder &b, Location loc, Value v,
                              Value contribution) {
  if (!isActive(v) || !contribution)
    return;
  assert(contribution.getType() == v.getType() &&
         "adjoint must have the type of its primal value");
  Value &slot = adjoints[v];
  if (!slot) {
    slot = contribution;
    return;
  }
  slot = arith::AddFOp::create(b, loc, slot, contribution);
}

//===----------------------------------------------------------------------===//
// Rule helpers
//===----------------------------------------------------------------------===//

namespace {
/// Small builder facade used by the rules.
struct RuleBuilder {
  OpBuilder &b;
  Location loc;
  AdjointState &st;

  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value cst(Type t, double v) { return constantFloat(b, loc, t, v); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value t, Value f) {
    return arith::SelectOp::create(b, loc, c, t, f);
  }
  /// Adds the contribution built by `fn` to `primal` if it is active.
  void contribute(Value primal, llvm::function_ref<Value()> fn) {
    if (st.isActive(primal))
      st.addAdjoint(b, loc, primal, fn());
  }
};

using Rule = LogicalResult (*)(RuleBuilder &, Operation *, Value grad);
} // namespace

//===----------------------------------------------------------------------===//
// Elementwise arith / math rules (scalars or tensors)
//===----------------------------------------------------------------------===//

static LogicalResult addfRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return g; });
  r.contribute(op->getOperand(1), [&] { return g; });
  return success();
}

static LogicalResult subfRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return g; });
  r.contribute(op->getOperand(1), [&] { return r.neg(g); });
  return success();
}

static LogicalResult mulfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), y = op->getOperand(1);
  r.contribute(x, [&] { return r.mul(g, y); });
  r.contribute(y, [&] { return r.mul(g, x); });
  return success();
}

static LogicalResult divfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), y = op->getOperand(1), q = op->getResult(0);
  // d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2 = -q/y.
  r.contribute(x, [&] { return r.div(g, y); });
  r.contribute(y, [&] { return r.neg(r.div(r.mul(g, q), y)); });
  return success();
}

static LogicalResult negfRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return r.neg(g); });
  return success();
}

/// max/min: the gradient goes to the operand that was selected; on a tie to
/// the second operand (so relu = max(x, 0) has gradient 0 at x = 0, as in
/// PyTorch).
template <arith::CmpFPredicate Pred>
static LogicalResult selectLikeRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), y = op->getOperand(1);
  Value takeX = r.cmp(Pred, x, y);
  Value zero = r.cst(g.getType(), 0.0);
  r.contribute(x, [&] { return r.select(takeX, g, zero); });
  r.contribute(y, [&] { return r.select(takeX, zero, g); });
  return success();
}

static LogicalResult selectRule(RuleBuilder &r, Operation *op, Value g) {
  Value c = op->getOperand(0), x = op->getOperand(1), y = op->getOperand(2);
  Value zero = r.cst(g.getType(), 0.0);
  r.contribute(x, [&] { return r.select(c, g, zero); });
  r.contribute(y, [&] { return r.select(c, zero, g); });
  return success();
}

static LogicalResult expRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return r.mul(g, op->getResult(0)); });
  return success();
}

static LogicalResult exp2Rule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] {
    return r.mul(r.mul(g, op->getResult(0)), r.cst(g.getType(), M_LN2));
  });
  return success();
}

static LogicalResult expm1Rule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] {
    return r.mul(g, r.add(op->getResult(0), r.cst(g.getType(), 1.0)));
  });
  return success();
}

static LogicalResult logRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] { return r.div(g, op->getOperand(0)); });
  return success();
}

template <int Base>
static LogicalResult logBaseRule(RuleBuilder &r, Operation *op, Value g) {
  double ln = Base == 2 ? M_LN2 : M_LN10;
  r.contribute(op->getOperand(0), [&] {
    return r.div(g, r.mul(op->getOperand(0), r.cst(g.getType(), ln)));
  });
  return success();
}

static LogicalResult log1pRule(RuleBuilder &r, Operation *op, Value g) {
  r.contribute(op->getOperand(0), [&] {
    return r.div(g, r.add(op->getOperand(0), r.cst(g.getType(), 1.0)));
  });
  return success();
}

static LogicalResult tanhRule(RuleBuilder &r, Operation *op, Value g) {
  Value y = op->getResult(0);
  r.contribute(op->getOperand(0), [&] {
    return r.mul(g, r.sub(r.cst(g.getType(), 1.0), r.mul(y, y)));
  });
  return success();
}

static LogicalResult sqrtRule(RuleBuilder &r, Operation *op, Value g) {
  // d sqrt(x) = 0.5 / sqrt(x).
  r.contribute(op->getOperand(0), [&] {
    return r.mul(g, r.div(r.cst(g.getType(), 0.5), op->getResult(0)));
  });
  return success();
}

static LogicalResult rsqrtRule(RuleBuilder &r, Operation *op, Value g) {
  // d x^-1/2 = -0.5 x^-3/2 = -0.5 y^3.
  Value y = op->getResult(0);
  r.contribute(op->getOperand(0), [&] {
    Value y3 = r.mul(r.mul(y, y), y);
    return r.mul(g, r.mul(y3, r.cst(g.getType(), -0.5)));
  });
  return success();
}

static LogicalResult powfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0), p = op->getOperand(1), y = op->getResult(0);
  r.contribute(x, [&] {
    // p * x^(p-1), computed without dividing by x (defined at x = 0).
    Value pm1 = r.sub(p, r.cst(p.getType(), 1.0));
    Value xp = math::PowFOp::create(r.b, r.loc, x, pm1);
    return r.mul(g, r.mul(p, xp));
  });
  r.contribute(p, [&] {
    Value lx = math::LogOp::create(r.b, r.loc, x);
    return r.mul(g, r.mul(y, lx));
  });
  return success();
}

static LogicalResult absfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    Value zero = r.cst(g.getType(), 0.0);
    Value pos = r.cmp(arith::CmpFPredicate::OGT, x, zero);
    Value negv = r.cmp(arith::CmpFPredicate::OLT, x, zero);
    return r.select(pos, g, r.select(negv, r.neg(g), zero));
  });
  return success();
}

static LogicalResult erfRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    // 2/sqrt(pi) * exp(-x^2).
    Value e = math::ExpOp::create(r.b, r.loc, r.neg(r.mul(x, x)));
    return r.mul(g, r.mul(e, r.cst(g.getType(), 2.0 / std::sqrt(M_PI))));
  });
  return success();
}

static LogicalResult sinRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] { return r.mul(g, math::CosOp::create(r.b, r.loc, x)); });
  return success();
}

static LogicalResult cosRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(
      x, [&] { return r.neg(r.mul(g, math::SinOp::create(r.b, r.loc, x))); });
  return success();
}

/// arith.truncf / arith.extf: the adjoint of a narrowing cast is the widening
/// cast and vice versa.
static LogicalResult floatCastRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    return castElements(r.b, r.loc, g, getElementTypeOrSelf(x.getType()));
  });
  return success();
}

/// mp.cast: the adjoint is the mp.cast back to the operand's type, so
/// mp-cleanup can fold it like any policy cast.
static LogicalResult mpCastRule(RuleBuilder &r, Operation *op, Value g) {
  Value x = op->getOperand(0);
  r.contribute(x, [&] {
    return mp::CastOp::create(r.b, r.loc, x.getType(), g).getResult();
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor rules
//===----------------------------------------------------------------------===//

static bool hasStaticShape(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return !t || t.hasStaticShape();
}

static LogicalResult extractSliceRule(RuleBuilder &r, Operation *op, Value g) {
  auto slice = cast<tensor::ExtractSliceOp>(op);
  Value src = slice.getSource();
  if (!r.st.isActive(src))
    return success();
  SmallVector<OpFoldResult> offsets = slice.getMixedOffsets(),
                            sizes = slice.getMixedSizes(),
                            strides = slice.getMixedStrides();
  if (Value acc = r.st.takeAdjoint(src)) {
    // acc[slice] += g, in place.
    Value part = tensor::ExtractSliceOp::create(r.b, r.loc, slice.getType(),
                                                acc, offsets, sizes, strides);
    Value sum = r.add(part, g);
    r.st.setAdjoint(src, tensor::InsertSliceOp::create(r.b, r.loc, sum, acc,
                                                       offsets, sizes, strides)
                             .getResult());
    return success();
  }
  Value zeros = zerosOf(r.b, r.loc, src.getType());
  r.st.setAdjoint(src, tensor::InsertSliceOp::create(r.b, r.loc, g, zeros,
                                                     offsets, sizes, strides)
                           .getResult());
  return success();
}

static LogicalResult insertSliceRule(RuleBuilder &r, Operation *op, Value g) {
  auto ins = cast<tensor::InsertSliceOp>(op);
  SmallVector<OpFoldResult> offsets = ins.getMixedOffsets(),
                            sizes = ins.getMixedSizes(),
                            strides = ins.getMixedStrides();
  r.contribute(ins.getSource(), [&]() -> Value {
    return tensor::ExtractSliceOp::create(r.b, r.loc, ins.getSourceType(), g,
                                          offsets, sizes, strides);
  });
  r.contribute(ins.getDest(), [&]() -> Value {
    Value zeros = zerosOf(r.b, r.loc, ins.getSourceType());
    return tensor::InsertSliceOp::create(r.b, r.loc, zeros, g, offsets, sizes,
                                         strides);
  });
  return success();
}

static LogicalResult collapseShapeRule(RuleBuilder &r, Operation *op, Value g) {
  auto collapse = cast<tensor::CollapseShapeOp>(op);
  r.contribute(collapse.getSrc(), [&]() -> Value {
    return tensor::ExpandShapeOp::create(r.b, r.loc, collapse.getSrcType(), g,
                                         collapse.getReassociationIndices());
  });
  return success();
}

static LogicalResult expandShapeRule(RuleBuilder &r, Operation *op, Value g) {
  auto expand = cast<tensor::ExpandShapeOp>(op);
  r.contribute(expand.getSrc(), [&]() -> Value {
    return tensor::CollapseShapeOp::create(r.b, r.loc, expand.getSrcType(), g,
                                           expand.getReassociationIndices());
  });
  return success();
}

static LogicalResult tensorCastRule(RuleBuilder &r, Operation *op, Value g) {
  Value src = op->getOperand(0);
  r.contribute(src, [&]() -> Value {
    return tensor::CastOp::create(r.b, r.loc, src.getType(), g);
  });
  return success();
}

static LogicalResult concatRule(RuleBuilder &r, Operation *op, Value g) {
  auto concat = cast<tensor::ConcatOp>(op);
  int64_t dim = concat.getDim();
  auto resultType = cast<RankedTensorType>(concat.getType());
  int64_t offset = 0;
  for (Value input : concat.getInputs()) {
    auto type = cast<RankedTensorType>(input.getType());
    r.contribute(input, [&]() -> Value {
      SmallVector<OpFoldResult> offsets(resultType.getRank(),
                                        r.b.getIndexAttr(0));
      offsets[dim] = r.b.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes,
          strides(resultType.getRank(), r.b.getIndexAttr(1));
      for (int64_t s : type.getShape())
        sizes.push_back(r.b.getIndexAttr(s));
      return tensor::ExtractSliceOp::create(r.b, r.loc, type, g, offsets, sizes,
                                            strides);
    });
    offset += type.getDimSize(dim);
  }
  return success();
}

static LogicalResult padRule(RuleBuilder &r, Operation *op, Value g) {
  auto pad = cast<tensor::PadOp>(op);
  Value padValue = pad.getConstantPaddingValue();
  if (!padValue || r.st.isActive(padValue))
    return op->emitError()
           << "mp-differentiate: no adjoint rule for 'tensor.pad' with a "
              "differentiated or non-constant padding value";
  r.contribute(pad.getSource(), [&]() -> Value {
    auto srcType = pad.getSourceType();
    SmallVector<OpFoldResult> sizes,
        strides(srcType.getRank(), r.b.getIndexAttr(1));
    for (int64_t s : srcType.getShape())
      sizes.push_back(r.b.getIndexAttr(s));
    return tensor::ExtractSliceOp::create(r.b, r.loc, srcType, g,
                                          pad.getMixedLowPad(), sizes, strides);
  });
  return success();
}

static LogicalResult extractRule(RuleBuilder &r, Operation *op, Value g) {
  auto extract = cast<tensor::ExtractOp>(op);
  Value t = extract.getTensor();
  if (!r.st.isActive(t))
    return success();
  ValueRange indices = extract.getIndices();
  if (Value acc = r.st.takeAdjoint(t)) {
    Value old = tensor::ExtractOp::create(r.b, r.loc, acc, indices);
    r.st.setAdjoint(
        t, tensor::InsertOp::create(r.b, r.loc, r.add(old, g), acc, indices)
               .getResult());
    return success();
  }
  Value zeros = zerosOf(r.b, r.loc, t.getType());
  r.st.setAdjoint(
      t, tensor::InsertOp::create(r.b, r.loc, g, zeros, indices).getResult());
  return success();
}

static LogicalResult insertRule(RuleBuilder &r, Operation *op, Value g) {
  auto ins = cast<tensor::InsertOp>(op);
  ValueRange indices = ins.getIndices();
  r.contribute(ins.getScalar(), [&]() -> Value {
    return tensor::ExtractOp::create(r.b, r.loc, g, indices);
  });
  r.contribute(ins.getDest(), [&]() -> Value {
    Value zero = r.cst(ins.getScalar().getType(), 0.0);
    return tensor::InsertOp::create(r.b, r.loc, zero, g, indices);
  });
  return success();
}

/// Sum of every element of tensor `g`, as a scalar.
static Value sumAll(RuleBuilder &r, Value g) {
  auto type = cast<RankedTensorType>(g.getType());
  Type et = type.getElementType();
  Value init = zerosOf(r.b, r.loc, RankedTensorType::get({}, et));
  Value sum = g;
  if (type.getRank() > 0) {
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    sum = linalg::ReduceOp::create(
              r.b, r.loc, ValueRange{g}, ValueRange{init}, dims,
              [](OpBuilder &nb, Location l, ValueRange args) {
                Value s = arith::AddFOp::create(nb, l, args[0], args[1]);
                linalg::YieldOp::create(nb, l, s);
              })
              .getResult(0);
  }
  return tensor::ExtractOp::create(r.b, r.loc, sum, ValueRange{});
}

static LogicalResult splatRule(RuleBuilder &r, Operation *op, Value g) {
  auto splat = cast<tensor::SplatOp>(op);
  r.contribute(splat.getInput(), [&]() -> Value { return sumAll(r, g); });
  return success();
}

static LogicalResult fromElementsRule(RuleBuilder &r, Operation *op, Value g) {
  auto from = cast<tensor::FromElementsOp>(op);
  auto type = cast<RankedTensorType>(from.getType());
  SmallVector<int64_t> strides = computeStrides(type.getShape());
  for (auto it : llvm::enumerate(from.getElements())) {
    int64_t i = it.index();
    r.contribute(it.value(), [&]() -> Value {
      SmallVector<int64_t> pos = delinearize(i, strides);
      SmallVector<Value> indices;
      for (int64_t p : pos)
        indices.push_back(arith::ConstantIndexOp::create(r.b, r.loc, p));
      return tensor::ExtractOp::create(r.b, r.loc, g, indices);
    });
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Rule table and dispatch
//===----------------------------------------------------------------------===//

static const llvm::StringMap<Rule> &ruleTable() {
  static const llvm::StringMap<Rule> table = [] {
    llvm::StringMap<Rule> t;
    using P = arith::CmpFPredicate;
    t["arith.addf"] = addfRule;
    t["arith.subf"] = subfRule;
    t["arith.mulf"] = mulfRule;
    t["arith.divf"] = divfRule;
    t["arith.negf"] = negfRule;
    t["arith.maximumf"] = selectLikeRule<P::OGT>;
    t["arith.maxnumf"] = selectLikeRule<P::OGT>;
    t["arith.minimumf"] = selectLikeRule<P::OLT>;
    t["arith.minnumf"] = selectLikeRule<P::OLT>;
    t["arith.select"] = selectRule;
    t["arith.truncf"] = floatCastRule;
    t["arith.extf"] = floatCastRule;
    t["math.exp"] = expRule;
    t["math.exp2"] = exp2Rule;
    t["math.expm1"] = expm1Rule;
    t["math.log"] = logRule;
    t["math.log2"] = logBaseRule<2>;
    t["math.log10"] = logBaseRule<10>;
    t["math.log1p"] = log1pRule;
    t["math.tanh"] = tanhRule;
    t["math.sqrt"] = sqrtRule;
    t["math.rsqrt"] = rsqrtRule;
    t["math.powf"] = powfRule;
    t["math.absf"] = absfRule;
    t["math.erf"] = erfRule;
    t["math.sin"] = sinRule;
    t["math.cos"] = cosRule;
    t["mp.cast"] = mpCastRule;
    t["tensor.extract_slice"] = extractSliceRule;
    t["tensor.insert_slice"] = insertSliceRule;
    t["tensor.collapse_shape"] = collapseShapeRule;
    t["tensor.expand_shape"] = expandShapeRule;
    t["tensor.cast"] = tensorCastRule;
    t["tensor.concat"] = concatRule;
    t["tensor.pad"] = padRule;
    t["tensor.extract"] = extractRule;
    t["tensor.insert"] = insertRule;
    t["tensor.splat"] = splatRule;
    t["tensor.from_elements"] = fromElementsRule;
    return t;
  }();
  return table;
}

bool ad::hasAdjointRule(StringRef name) { return ruleTable().contains(name); }

static InFlightDiagnostic emitNoRule(Operation *op) {
  return op->emitError() << "mp-differentiate: no adjoint rule for '"
                         << op->getName() << "'";
}

LogicalResult ad::emitAdjoint(OpBuilder &b, Operation *op,
                              AdjointState &state) {
  for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults()))
    if (!hasStaticShape(v.getType()))
      return op->emitError()
             << "mp-differentiate: dynamic shapes are not supported ('"
             << op->getName() << "' uses " << v.getType() << ")";
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return emitLinalgAdjoint(b, linalgOp, state);

  auto it = ruleTable().find(op->getName().getStringRef());
  if (it == ruleTable().end() || op->getNumResults() != 1)
    return emitNoRule(op);
  Value g = state.getAdjoint(op->getResult(0));
  if (!g)
    return success();
  RuleBuilder r{b, op->getLoc(), state};
  return it->second(r, op, g);
}

LogicalResult ad::reverseSweep(OpBuilder &b, ArrayRef<Operation *> ops,
                               AdjointState &state) {
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value r) { return state.getAdjoint(r); }))
      continue;
    if (op->getNumRegions()) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(op->getRegions(), captured);
      for (Value v : captured)
        if (state.isActive(v))
          return op->emitError()
                 << "mp-differentiate: '" << op->getName()
                 << "' uses a differentiated value defined outside its "
                    "region; pass it as an operand instead";
    }
    if (llvm::none_of(op->getOperands(),
                      [&](Value v) { return state.isActive(v); }))
      continue;
    if (failed(emitAdjoint(b, op, state)))
      return failure();
  }
  return success();
}
