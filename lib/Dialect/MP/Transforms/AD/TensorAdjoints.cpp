//===- TensorAdjoints.cpp - adjoint rules of tensor ops -------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// External models of AdjointOpInterface for tensor ops: slices, reshapes,
// casts, concat, pad, extract / insert, splat, from_elements.
//
// Every rule reads the adjoint of the op's result and adds a contribution of
// the operand's own type to each *active* operand. Adjoints always carry the
// type of their primal value.
//
//===----------------------------------------------------------------------===//

#include "AdjointUtils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::ad;

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

void ad::registerTensorAdjointModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    using namespace tensor;
    attachRule<ExtractSliceOp, extractSliceRule>(ctx);
    attachRule<InsertSliceOp, insertSliceRule>(ctx);
    attachRule<CollapseShapeOp, collapseShapeRule>(ctx);
    attachRule<ExpandShapeOp, expandShapeRule>(ctx);
    attachRule<tensor::CastOp, tensorCastRule>(ctx);
    attachRule<ConcatOp, concatRule>(ctx);
    attachRule<PadOp, padRule>(ctx);
    attachRule<ExtractOp, extractRule>(ctx);
    attachRule<InsertOp, insertRule>(ctx);
    attachRule<SplatOp, splatRule>(ctx);
    attachRule<FromElementsOp, fromElementsRule>(ctx);
  });
}
