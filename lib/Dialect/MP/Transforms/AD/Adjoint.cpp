//===- Adjoint.cpp - adjoint state, reverse sweep, rule dispatch ----------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The adjoint state, the reverse sweep, the dispatch to AdjointOpInterface,
// the search for missing rules and the builders the rules share. The rules
// themselves are external models, one file per dialect (ArithAdjoints.cpp,
// MathAdjoints.cpp, TensorAdjoints.cpp, LinalgAdjoints.cpp, MPAdjoints.cpp).
//
//===----------------------------------------------------------------------===//

#include "AdjointUtils.h"
#include "mixprec/Dialect/MP/Transforms/Differentiate.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

#include "mixprec/Dialect/MP/Transforms/AdjointOpInterface.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared builders
//===----------------------------------------------------------------------===//

bool ad::isFloatLike(Type type) {
  if (!isa<FloatType>(getElementTypeOrSelf(type)))
    return false;
  return isa<FloatType>(type) || isa<RankedTensorType>(type);
}

/// `attr` as a constant of `type`: the scalar, or a splat tensor of it.
static Value splatConstant(OpBuilder &b, Location loc, Type type,
                           TypedAttr attr) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(shaped, attr));
  return arith::ConstantOp::create(b, loc, attr);
}

Value ad::constantFloat(OpBuilder &b, Location loc, Type type, double value) {
  auto elementType = cast<FloatType>(getElementTypeOrSelf(type));
  return splatConstant(b, loc, type, b.getFloatAttr(elementType, value));
}

Value ad::constantInt(OpBuilder &b, Location loc, Type type, int64_t value) {
  auto elementType = cast<IntegerType>(getElementTypeOrSelf(type));
  return splatConstant(b, loc, type, b.getIntegerAttr(elementType, value));
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
// Dispatch and sweep
//===----------------------------------------------------------------------===//

InFlightDiagnostic ad::emitNoRule(Operation *op) {
  return op->emitError() << "mp-differentiate: no adjoint rule for '"
                         << op->getName() << "'";
}

static bool hasStaticShape(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return !t || t.hasStaticShape();
}

LogicalResult ad::emitAdjoint(OpBuilder &b, Operation *op,
                              AdjointState &state) {
  for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults()))
    if (!hasStaticShape(v.getType()))
      return op->emitError()
             << "mp-differentiate: dynamic shapes are not supported ('"
             << op->getName() << "' uses " << v.getType() << ")";
  auto rule = dyn_cast<AdjointOpInterface>(op);
  if (!rule)
    return emitNoRule(op);
  return rule.emitAdjoint(b, state);
}

/// True when `op` uses an active value, as an operand or captured by one of
/// its regions.
static bool usesActive(Operation *op, const AdjointState &state) {
  if (llvm::any_of(op->getOperands(),
                   [&](Value v) { return state.isActive(v); }))
    return true;
  if (!op->getNumRegions())
    return false;
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  return llvm::any_of(captured, [&](Value v) { return state.isActive(v); });
}

LogicalResult ad::reverseSweep(OpBuilder &b, ArrayRef<Operation *> ops,
                               AdjointState &state) {
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value r) { return state.getAdjoint(r); }))
      continue;
    // Values captured by regions: a rule that reads them checks its uses
    // itself (e.g. gathers in a linalg body).
    if (op->getNumRegions() && !isa<AdjointOpInterface>(op)) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(op->getRegions(), captured);
      for (Value v : captured)
        if (state.isActive(v))
          return op->emitError()
                 << "mp-differentiate: '" << op->getName()
                 << "' uses a differentiated value defined outside its "
                    "region; pass it as an operand instead";
    }
    if (!usesActive(op, state))
      continue;
    if (failed(emitAdjoint(b, op, state)))
      return failure();
  }
  return success();
}

void ad::collectMissingAdjoints(ArrayRef<Operation *> ops, ValueRange outputs,
                                const AdjointState &state,
                                SmallVectorImpl<Operation *> &missing) {
  // The values the sweep gives an adjoint: the active outputs, then the
  // active operands of every op it differentiates.
  llvm::DenseSet<Value> needed;
  for (Value v : outputs)
    if (state.isActive(v))
      needed.insert(v);
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value r) { return needed.contains(r); }))
      continue;
    if (!usesActive(op, state))
      continue;
    if (auto rule = dyn_cast<AdjointOpInterface>(op))
      rule.collectMissingAdjoints(state, missing);
    else
      missing.push_back(op);
    for (Value v : op->getOperands())
      if (state.isActive(v))
        needed.insert(v);
  }
}

//===----------------------------------------------------------------------===//
// func.call
//===----------------------------------------------------------------------===//

namespace {
/// A call of a forward function @g_fwd made by mp-differentiate
/// (Differentiate.cpp) carries kCallAdjointAttrName: its adjoint is a call
/// of @g_bwd with the residuals and the cotangents of g's active results
/// (zeros for those without an adjoint), whose results are the cotangents
/// of the active operands. Any other call has no rule (the pass inlines
/// it, or the sweep reports it).
struct CallAdjointModel
    : AdjointOpInterface::ExternalModel<CallAdjointModel, func::CallOp> {
  LogicalResult emitAdjoint(Operation *op, OpBuilder &b,
                            AdjointState &state) const {
    auto info = op->getAttrOfType<DictionaryAttr>(kCallAdjointAttrName);
    auto adjoint = info ? info.getAs<FlatSymbolRefAttr>("adjoint") : nullptr;
    auto inputs = info ? info.getAs<DenseI64ArrayAttr>("inputs") : nullptr;
    auto cotangents =
        info ? info.getAs<DenseI64ArrayAttr>("cotangents") : nullptr;
    auto gradients =
        info ? info.getAs<DenseI64ArrayAttr>("gradients") : nullptr;
    if (!adjoint || !inputs || !cotangents || !gradients)
      return emitNoRule(op);
    if (llvm::none_of(cotangents.asArrayRef(), [&](int64_t r) {
          return state.getAdjoint(op->getResult(r));
        }))
      return success();
    Location loc = op->getLoc();
    SmallVector<Value> operands;
    for (int64_t i : inputs.asArrayRef())
      operands.push_back(i >= 0 ? op->getOperand(i) : op->getResult(-i - 1));
    for (int64_t r : cotangents.asArrayRef()) {
      Value result = op->getResult(r);
      Value g = state.getAdjoint(result);
      operands.push_back(g ? g : zerosOf(b, loc, result.getType()));
    }
    SmallVector<Type> types;
    for (int64_t i : gradients.asArrayRef())
      types.push_back(op->getOperand(i).getType());
    auto call = func::CallOp::create(b, loc, adjoint, types, operands);
    for (auto [i, g] : llvm::zip(gradients.asArrayRef(), call.getResults()))
      state.addAdjoint(b, loc, op->getOperand(i), g);
    return success();
  }

  void collectMissingAdjoints(Operation *op, const AdjointState &,
                              SmallVectorImpl<Operation *> &missing) const {
    if (!op->hasAttr(kCallAdjointAttrName))
      missing.push_back(op);
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void mp::registerAdjointExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, func::FuncDialect *) {
    func::CallOp::attachInterface<CallAdjointModel>(*ctx);
  });
  registerArithAdjointModels(registry);
  registerMathAdjointModels(registry);
  registerTensorAdjointModels(registry);
  registerLinalgAdjointModels(registry);
  registerMPAdjointModels(registry);
}
