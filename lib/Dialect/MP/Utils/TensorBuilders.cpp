//===- TensorBuilders.cpp - tensor IR building helpers --------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Utils/TensorBuilders.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace mlir::mp;

Value mlir::mp::detail::convertFloat(OpBuilder &b, Location loc, Value value,
                                     Type type) {
  auto elementOf = [](Type t) {
    if (auto shaped = dyn_cast<ShapedType>(t))
      return cast<FloatType>(shaped.getElementType());
    return cast<FloatType>(t);
  };
  FloatType from = elementOf(value.getType()), to = elementOf(type);
  if (from == to)
    return value;
  if (from.getWidth() < to.getWidth())
    return arith::ExtFOp::create(b, loc, type, value);
  if (from.getWidth() > to.getWidth())
    return arith::TruncFOp::create(b, loc, type, value);
  // Same width, different format (bf16 <-> f16): widen exactly, round once.
  Type wideType = b.getF32Type();
  if (auto shaped = dyn_cast<ShapedType>(value.getType()))
    wideType = shaped.clone(wideType);
  Value wide = arith::ExtFOp::create(b, loc, wideType, value);
  return arith::TruncFOp::create(b, loc, type, wide);
}

/// Builds a linalg.generic over the iteration space of `input` (ranked
/// tensor) with `input` and the 0-d tensors `scalars` as inputs and one
/// output `init` indexed by `outMap`. `body` receives the block arguments.
static Value
buildGeneric(OpBuilder &b, Location loc, Value input, ValueRange scalars,
             Value init, AffineMap outMap, bool reduction,
             function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(input.getType());
  unsigned rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(rank, ctx)};
  for (size_t i = 0; i < scalars.size(); ++i)
    maps.push_back(AffineMap::get(rank, 0, ctx));
  maps.push_back(outMap);
  SmallVector<utils::IteratorType> iterators(
      rank, reduction ? utils::IteratorType::reduction
                      : utils::IteratorType::parallel);
  SmallVector<Value> inputs{input};
  llvm::append_range(inputs, scalars);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResult(0);
}

static Value emptyLike(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, tensor),
                                 type.getElementType());
}

static Value filledScalarTensor(OpBuilder &b, Location loc, TypedAttr value) {
  auto type = RankedTensorType::get({}, value.getType());
  Value empty =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, value.getType());
  Value cst = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, TypeRange{type}, ValueRange{cst},
                                ValueRange{empty})
      .getResult(0);
}

Value mlir::mp::detail::buildScaleBy(OpBuilder &b, Location loc, Value value,
                                     Value factor) {
  Type f32 = b.getF32Type();
  if (!isa<RankedTensorType>(value.getType())) {
    Value s = tensor::ExtractOp::create(b, loc, factor, ValueRange{});
    Value wide = convertFloat(b, loc, value, f32);
    Value product = arith::MulFOp::create(b, loc, wide, s);
    return convertFloat(b, loc, product, value.getType());
  }
  Type elementType = cast<RankedTensorType>(value.getType()).getElementType();
  unsigned rank = cast<RankedTensorType>(value.getType()).getRank();
  return buildGeneric(
      b, loc, value, factor, emptyLike(b, loc, value),
      AffineMap::getMultiDimIdentityMap(rank, b.getContext()),
      /*reduction=*/false, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value wide = convertFloat(nb, nloc, args[0], f32);
        Value product = arith::MulFOp::create(nb, nloc, wide, args[1]);
        return convertFloat(nb, nloc, product, elementType);
      });
}

Value mlir::mp::detail::buildAccumulate(OpBuilder &b, Location loc, Value acc,
                                        Value value) {
  auto type = cast<RankedTensorType>(acc.getType());
  Type elementType = type.getElementType();
  unsigned rank = type.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{acc, value}, ValueRange{emptyLike(b, loc, acc)},
      SmallVector<AffineMap>(3, id), iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value wide = convertFloat(nb, nloc, args[1], elementType);
        Value sum = arith::AddFOp::create(nb, nloc, args[0], wide);
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return generic.getResult(0);
}

Value mlir::mp::detail::buildZerosLike(OpBuilder &b, Location loc, Value value,
                                       Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  Value empty = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, value), elementType);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  return linalg::FillOp::create(b, loc, TypeRange{type.clone(elementType)},
                                ValueRange{zero}, ValueRange{empty})
      .getResult(0);
}

Value mlir::mp::detail::buildSumOfSquares(OpBuilder &b, Location loc,
                                          Value value) {
  Type f32 = b.getF32Type();
  if (!isa<RankedTensorType>(value.getType())) {
    Value wide = convertFloat(b, loc, value, f32);
    Value square = arith::MulFOp::create(b, loc, wide, wide);
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, f32), ValueRange{square});
  }
  Value init = filledScalarTensor(b, loc, b.getF32FloatAttr(0.0));
  unsigned rank = cast<RankedTensorType>(value.getType()).getRank();
  return buildGeneric(
      b, loc, value, {}, init, AffineMap::get(rank, 0, b.getContext()),
      /*reduction=*/true, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value wide = convertFloat(nb, nloc, args[0], f32);
        Value square = arith::MulFOp::create(nb, nloc, wide, wide);
        return arith::AddFOp::create(nb, nloc, square, args[1]).getResult();
      });
}

/// i1: `x` is neither NaN nor +-Inf. `|x| one +inf` is false for NaN
/// (unordered) and for infinities.
static Value isFinite(OpBuilder &b, Location loc, Value x) {
  auto type = cast<FloatType>(x.getType());
  Value inf = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type, APFloat::getInf(type.getFloatSemantics())));
  Value abs = math::AbsFOp::create(b, loc, x);
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, abs, inf);
}

Value mlir::mp::detail::buildAllFinite(OpBuilder &b, Location loc,
                                       Value value) {
  if (!isa<RankedTensorType>(value.getType()))
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, b.getI1Type()),
        ValueRange{isFinite(b, loc, value)});
  Value init = filledScalarTensor(b, loc, b.getBoolAttr(true));
  unsigned rank = cast<RankedTensorType>(value.getType()).getRank();
  return buildGeneric(
      b, loc, value, {}, init, AffineMap::get(rank, 0, b.getContext()),
      /*reduction=*/true, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value finite = isFinite(nb, nloc, args[0]);
        return arith::AndIOp::create(nb, nloc, finite, args[1]).getResult();
      });
}
