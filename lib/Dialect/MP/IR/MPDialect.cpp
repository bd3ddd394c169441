//===- MPDialect.cpp - mixprec dialect ------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/IR/MPAttrs.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::mp;

#include "mixprec/Dialect/MP/IR/MPOpsDialect.cpp.inc"

void MPDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mixprec/Dialect/MP/IR/MPOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *MPDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  if (arith::ConstantOp::isBuildableWith(value, type))
    return arith::ConstantOp::create(builder, loc, type,
                                     cast<TypedAttr>(value));
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Discardable attribute verification
//===----------------------------------------------------------------------===//

/// Checks a loss-scale state marker (`mp.loss_scale`, `mp.growth_tracker`,
/// `mp.hysteresis`, `mp.overflow`) on a value of type `type`. Returns
/// std::nullopt when `name` is not a state marker.
static std::optional<LogicalResult>
verifyStateMarker(Operation *op, StringRef name, Attribute value, Type type,
                  StringRef where) {
  Builder b(op->getContext());
  Type expected;
  if (name == MPDialect::kLossScaleAttrName)
    expected = RankedTensorType::get({}, b.getF32Type());
  else if (name == MPDialect::kGrowthTrackerAttrName ||
           name == MPDialect::kHysteresisAttrName)
    expected = RankedTensorType::get({}, b.getI32Type());
  else if (name == MPDialect::kOverflowAttrName)
    expected = RankedTensorType::get({}, b.getI1Type());
  else
    return std::nullopt;
  if (!isa<UnitAttr>(value))
    return op->emitOpError() << "'" << name << "' must be a unit attribute";
  // Tensors must be exactly the expected 0-d type; a bufferized memref must
  // have its shape and element type.
  auto expectedTensor = cast<RankedTensorType>(expected);
  auto memref = dyn_cast<MemRefType>(type);
  bool matches = type == expected ||
                 (memref && memref.getRank() == 0 &&
                  memref.getElementType() == expectedTensor.getElementType());
  if (!matches)
    return op->emitOpError()
           << "'" << name << "' marks " << where << " of type " << type
           << ", expected " << expected;
  return success();
}

LogicalResult MPDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kPrecisionAttrName) {
    auto typeAttr = dyn_cast<TypeAttr>(attr.getValue());
    if (!typeAttr || !isPolicyFloatType(typeAttr.getValue()))
      return op->emitOpError()
             << "'" << kPrecisionAttrName
             << "' must be one of f32, bf16, f16, got " << attr.getValue();
    return success();
  }
  if (name == kMicrobatchesAttrName) {
    auto count = dyn_cast<IntegerAttr>(attr.getValue());
    if (!count || count.getValue().getSExtValue() < 1 ||
        op->getNumRegions() != 1)
      return op->emitOpError()
             << "'" << kMicrobatchesAttrName
             << "' must be an integer >= 1 on a loop (the micro-batch loop "
                "of mp-loss-scaling), got "
             << attr.getValue();
    return success();
  }
  if (name == kUpdatesAttrName || name == kLossScaleAttrName ||
      name == kGrowthTrackerAttrName || name == kHysteresisAttrName ||
      name == kOverflowAttrName || name == kNameAttrName ||
      name == kGradFiniteAttrName || name == kGradNormAttrName)
    return op->emitOpError() << "'" << name
                             << "' is only valid on function arguments or "
                                "results";
  return op->emitOpError() << "unknown mp dialect attribute '" << name
                           << "'; accepted on ops: '" << kPrecisionAttrName
                           << "', '" << kMicrobatchesAttrName << "'";
}

LogicalResult MPDialect::verifyRegionArgAttribute(Operation *op,
                                                  unsigned regionIndex,
                                                  unsigned argIndex,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Type type;
  if (auto fn = dyn_cast<FunctionOpInterface>(op))
    type = fn.getArgumentTypes()[argIndex];
  else
    type = op->getRegion(regionIndex).getArgument(argIndex).getType();
  if (name != kOverflowAttrName)
    if (auto result =
            verifyStateMarker(op, name, attr.getValue(), type,
                              "argument #" + std::to_string(argIndex)))
      return *result;
  if (name == kInitAttrName) {
    auto kind = dyn_cast<StringAttr>(attr.getValue());
    if (!kind || !llvm::is_contained(
                     ArrayRef<StringRef>{"zeros", "ones", "glorot", "normal"},
                     kind.getValue()))
      return op->emitOpError()
             << "'" << kInitAttrName << "' on argument #" << argIndex
             << " must be one of \"zeros\", \"ones\", \"glorot\", "
                "\"normal\", got "
             << attr.getValue();
    return success();
  }
  if (name == kNameAttrName) {
    auto text = dyn_cast<StringAttr>(attr.getValue());
    if (!text || text.getValue().empty())
      return op->emitOpError() << "'" << kNameAttrName << "' on argument #"
                               << argIndex << " must be a non-empty string";
    return success();
  }
  return op->emitOpError() << "'" << name
                           << "' is not a valid mp argument attribute; "
                              "accepted: 'mp.loss_scale', 'mp.growth_tracker', "
                              "'mp.hysteresis', 'mp.init', 'mp.name'";
}

LogicalResult MPDialect::verifyRegionResultAttribute(Operation *op,
                                                     unsigned regionIndex,
                                                     unsigned resultIndex,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto fn = dyn_cast<FunctionOpInterface>(op);
  if (!fn)
    return op->emitOpError()
           << "'" << name << "' is only valid on function results";
  Type type = fn.getResultTypes()[resultIndex];
  std::string where = "result #" + std::to_string(resultIndex);
  if (auto result = verifyStateMarker(op, name, attr.getValue(), type, where))
    return *result;
  if (name == kUpdatesAttrName) {
    auto index = dyn_cast<IntegerAttr>(attr.getValue());
    if (!index || !index.getType().isSignlessInteger())
      return op->emitOpError() << "'" << kUpdatesAttrName << "' on " << where
                               << " must be an integer argument index";
    int64_t i = index.getInt();
    int64_t numArgs = fn.getNumArguments();
    if (i < 0 || i >= numArgs)
      return op->emitOpError()
             << "'" << kUpdatesAttrName << " = " << i << "' on " << where
             << " is out of range: the function has " << numArgs
             << " arguments";
    if (fn.getArgumentTypes()[i] != type)
      return op->emitOpError()
             << where << " of type " << type << " updates argument #" << i
             << " of a different type " << fn.getArgumentTypes()[i];
    for (unsigned j = 0, e = fn.getNumResults(); j < resultIndex && j < e;
         ++j) {
      auto other = fn.getResultAttrOfType<IntegerAttr>(j, kUpdatesAttrName);
      if (other && other.getInt() == i)
        return op->emitOpError() << "results #" << j << " and #" << resultIndex
                                 << " both update argument #" << i;
    }
    return success();
  }
  if (name == kGradFiniteAttrName) {
    auto indices = dyn_cast<DenseI64ArrayAttr>(attr.getValue());
    if (!indices)
      return op->emitOpError()
             << "'" << kGradFiniteAttrName << "' on " << where
             << " must be an array<i64> of argument indices (-1: none)";
    auto tensor = dyn_cast<ShapedType>(type);
    if (!tensor || !tensor.hasRank() || tensor.getRank() != 1 ||
        !tensor.getElementType().isInteger(1) ||
        tensor.getDimSize(0) != indices.size())
      return op->emitOpError() << "'" << kGradFiniteAttrName << "' marks "
                               << where << " of type " << type << ", expected "
                               << indices.size() << " i1 flags (one per index)";
    int64_t numArgs = fn.getNumArguments();
    for (int64_t i : indices.asArrayRef())
      if (i < -1 || i >= numArgs)
        return op->emitOpError()
               << "'" << kGradFiniteAttrName << "' on " << where
               << " names argument #" << i << ", out of range: the function "
               << "has " << numArgs << " arguments";
    return success();
  }
  if (name == kGradNormAttrName) {
    auto shaped = dyn_cast<ShapedType>(type);
    if (!isa<UnitAttr>(attr.getValue()))
      return op->emitOpError()
             << "'" << kGradNormAttrName << "' must be a unit attribute";
    if (!shaped || !shaped.hasRank() || shaped.getRank() != 0 ||
        !shaped.getElementType().isF32())
      return op->emitOpError()
             << "'" << kGradNormAttrName << "' marks " << where << " of type "
             << type << ", expected tensor<f32>";
    return success();
  }
  return op->emitOpError() << "'" << name
                           << "' is not a valid mp result attribute; "
                              "accepted: 'mp.updates', 'mp.loss_scale', "
                              "'mp.growth_tracker', 'mp.hysteresis', "
                              "'mp.overflow', 'mp.grad_finite', "
                              "'mp.grad_norm'";
}
