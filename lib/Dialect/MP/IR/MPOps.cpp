//===- MPOps.cpp - mixprec operations -------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::mp;

#include "mixprec/Dialect/MP/IR/MPInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "mixprec/Dialect/MP/IR/MPOps.cpp.inc"

/// Element type of a scalar or shaped type.
static Type elementTypeOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType();
  return type;
}

/// `type` with its element type replaced by `elementType`.
static Type withElementType(Type type, Type elementType) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(elementType);
  return elementType;
}

//===----------------------------------------------------------------------===//
// Float constants
//===----------------------------------------------------------------------===//

TypedAttr mlir::mp::convertFloatConstant(Attribute value, Type type) {
  auto target = dyn_cast<FloatType>(elementTypeOf(type));
  if (!target)
    return {};
  const llvm::fltSemantics &sem = target.getFloatSemantics();
  auto convert = [&](APFloat v) {
    bool losesInfo = false;
    v.convert(sem, APFloat::rmNearestTiesToEven, &losesInfo);
    return v;
  };
  if (auto floatAttr = dyn_cast_if_present<FloatAttr>(value))
    return FloatAttr::get(target, convert(floatAttr.getValue()));
  if (auto dense = dyn_cast_if_present<DenseFPElementsAttr>(value))
    return dense.mapValues(
        target, [&](const APFloat &v) { return convert(v).bitcastToAPInt(); });
  return {};
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

void CastOp::build(OpBuilder &builder, OperationState &state, Value input,
                   Type elementType) {
  build(builder, state, withElementType(input.getType(), elementType), input);
}

bool CastOp::isExact(FloatType from, FloatType to) {
  return from == to || APFloat::isRepresentableBy(from.getFloatSemantics(),
                                                  to.getFloatSemantics());
}

LogicalResult CastOp::verify() {
  Type in = getInput().getType(), out = getType();
  if (isa<TensorType>(in) != isa<TensorType>(out))
    return emitOpError() << "input " << in << " and result " << out
                         << " must both be tensors or both be scalars";
  auto inT = dyn_cast<RankedTensorType>(in);
  auto outT = dyn_cast<RankedTensorType>(out);
  if (isa<TensorType>(in) && static_cast<bool>(inT) != static_cast<bool>(outT))
    return emitOpError() << "changes the rank information: " << in << " to "
                         << out << "; mp.cast changes only the element type";
  if (inT && outT && inT.getShape() != outT.getShape())
    return emitOpError() << "changes the shape: " << in << " to " << out
                         << "; mp.cast changes only the element type";
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  Type resultType = getType();
  if (getInput().getType() == resultType)
    return getInput();
  if (Attribute folded = convertFloatConstant(adaptor.getInput(), resultType))
    return folded;
  // cast(cast(x)) where the first cast is exact: cast x directly (or return
  // x for an exact round trip). A lossy first cast is never skipped.
  if (auto inner = getInput().getDefiningOp<CastOp>()) {
    Value source = inner.getInput();
    if (isExact(cast<FloatType>(elementTypeOf(source.getType())),
                cast<FloatType>(elementTypeOf(inner.getType())))) {
      if (source.getType() == resultType)
        return source;
      getInputMutable().assign(source);
      return getResult();
    }
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ValueAndGradOp
//===----------------------------------------------------------------------===//

static bool isFloatTensorOrScalar(Type type) {
  return isa<FloatType>(elementTypeOf(type)) &&
         (isa<FloatType>(type) || isa<RankedTensorType>(type));
}

LogicalResult ValueAndGradOp::verify() {
  ArrayRef<int64_t> wrt = getWrt();
  int64_t numArgs = getArgs().size();
  if (wrt.empty())
    return emitOpError() << "'wrt' must list at least one argument index";
  for (auto [i, index] : llvm::enumerate(wrt)) {
    if (index < 0 || index >= numArgs)
      return emitOpError() << "'wrt' index " << index
                           << " is out of range: the call has " << numArgs
                           << " arguments";
    if (i > 0 && index <= wrt[i - 1])
      return emitOpError() << "'wrt' indices must be strictly increasing, "
                           << "got " << wrt[i - 1] << " then " << index;
    if (!isFloatTensorOrScalar(getArgs()[index].getType()))
      return emitOpError() << "argument #" << index << " of type "
                           << getArgs()[index].getType()
                           << " cannot be differentiated: 'wrt' arguments "
                              "must be float tensors or scalars";
  }
  if (getNumResults() != wrt.size() + 1)
    return emitOpError() << "expects " << wrt.size() + 1
                         << " results (the loss and one gradient per 'wrt' "
                            "index), got "
                         << getNumResults();
  auto lossType = dyn_cast<RankedTensorType>(getLoss().getType());
  if (!lossType || lossType.getRank() != 0 ||
      !isa<FloatType>(lossType.getElementType()))
    return emitOpError() << "loss result must be a 0-d float tensor, got "
                         << getLoss().getType();
  for (auto [i, index] : llvm::enumerate(wrt)) {
    Type grad = getResult(i + 1).getType();
    Type arg = getArgs()[index].getType();
    if (grad != arg)
      return emitOpError() << "gradient result #" << i + 1 << " has type "
                           << grad << " but argument #" << index << " has type "
                           << arg;
  }
  return success();
}

LogicalResult
ValueAndGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto fn = symbolTable.lookupNearestSymbolFrom<FunctionOpInterface>(
      *this, getCalleeAttr());
  if (!fn)
    return emitOpError() << "'" << getCallee()
                         << "' does not reference a function";
  ArrayRef<Type> inputs = fn.getArgumentTypes();
  if (inputs.size() != getArgs().size())
    return emitOpError() << "passes " << getArgs().size() << " arguments to @"
                         << getCallee() << ", which takes " << inputs.size();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(inputs, getArgs()))) {
    auto [expected, arg] = pair;
    if (expected != arg.getType())
      return emitOpError() << "argument #" << i << " has type " << arg.getType()
                           << " but @" << getCallee() << " expects "
                           << expected;
  }
  ArrayRef<Type> results = fn.getResultTypes();
  if (results.size() != 1)
    return emitOpError() << "@" << getCallee()
                         << " must return exactly one value (the loss), "
                            "returns "
                         << results.size();
  if (results.front() != getLoss().getType())
    return emitOpError() << "@" << getCallee() << " returns " << results.front()
                         << " but the loss result is " << getLoss().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// AllFiniteOp
//===----------------------------------------------------------------------===//

LogicalResult AllFiniteOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one operand";
  return success();
}

//===----------------------------------------------------------------------===//
// UnscaleOp
//===----------------------------------------------------------------------===//

LogicalResult
UnscaleOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                            Adaptor adaptor,
                            SmallVectorImpl<Type> &inferredReturnTypes) {
  for (Value grad : adaptor.getGradients())
    inferredReturnTypes.push_back(grad.getType());
  return success();
}

LogicalResult UnscaleOp::verify() {
  if (getGradients().empty())
    return emitOpError() << "expects at least one gradient";
  return success();
}

//===----------------------------------------------------------------------===//
// UpdateScaleOp
//===----------------------------------------------------------------------===//

LogicalResult
UpdateScaleOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                Adaptor adaptor,
                                SmallVectorImpl<Type> &inferredReturnTypes) {
  Builder b(ctx);
  inferredReturnTypes.push_back(RankedTensorType::get({}, b.getF32Type()));
  inferredReturnTypes.push_back(RankedTensorType::get({}, b.getI32Type()));
  if (adaptor.getHysteresis())
    inferredReturnTypes.push_back(RankedTensorType::get({}, b.getI32Type()));
  return success();
}

LogicalResult UpdateScaleOp::verify() {
  LossScaleAttr config = getConfig();
  if (config.getKind() != LossScaleKind::Dynamic)
    return emitOpError() << "requires a dynamic loss-scale configuration, got "
                         << config;
  bool wantsHysteresis = config.getHysteresis() > 1;
  if (wantsHysteresis != static_cast<bool>(getHysteresis()))
    return emitOpError() << "takes a hysteresis counter iff the "
                            "configuration's hysteresis is > 1 (it is "
                         << config.getHysteresis() << ")";
  return success();
}
