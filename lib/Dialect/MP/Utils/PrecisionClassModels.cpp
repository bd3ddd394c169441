//===- PrecisionClassModels.cpp - op classes for upstream ops -------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// External models of PrecisionClassOpInterface (docs/design.md §7):
//
// * compute: contractions and convolutions (linalg named ops, linalg.contract,
//   a linalg.generic that is a contraction or convolution, tosa matmul/conv);
//   their DPS inits are accumulators;
// * fp32: exp/log/pow/erf/rsqrt/sqrt/trigonometric math, softmax, reductions
//   (linalg.reduce, a linalg.generic with a reduction iterator that is not a
//   contraction, sum pooling, tosa reduce_sum/product), a division whose
//   divisor is a reduction;
// * follow: elementwise arithmetic, select, compares, tanh, data movement
//   (fill, broadcast, transpose, copy, reshape, slice, concat, pad, ...).
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Utils/PrecisionClassModels.h"
#include "mixprec/Dialect/MP/IR/MPInterfaces.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::mp;

namespace {

/// An op whose class does not depend on its operands.
template <typename OpTy, PrecisionClass Class>
struct FixedModel
    : PrecisionClassOpInterface::ExternalModel<FixedModel<OpTy, Class>, OpTy> {
  PrecisionClass getPrecisionClass(Operation *) const { return Class; }
};

/// A contraction or convolution: compute class; DPS inits accumulate.
template <typename OpTy>
struct ContractionModel
    : PrecisionClassOpInterface::ExternalModel<ContractionModel<OpTy>, OpTy> {
  PrecisionClass getPrecisionClass(Operation *) const {
    return PrecisionClass::Compute;
  }
  bool isAccumulator(Operation *op, OpOperand &operand) const {
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
      return dps.isDpsInit(&operand);
    return false;
  }
};

/// True if `value` is (a broadcast / reshape / cast of) the result of a
/// reduction: a division by it is a normalisation (mean, softmax), fp32.
static bool isReductionResult(Value value, unsigned depth = 0) {
  if (depth > 8)
    return false;
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  if (isa<linalg::ReduceOp, tosa::ReduceSumOp, tosa::ReduceProductOp>(def))
    return true;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(def)) {
    if (linalgOp.getNumReductionLoops() > 0 &&
        !linalg::isaContractionOpInterface(linalgOp))
      return true;
    if (isa<linalg::BroadcastOp, linalg::TransposeOp, linalg::CopyOp>(def))
      return isReductionResult(linalgOp.getDpsInputOperand(0)->get(),
                               depth + 1);
    if (auto generic = dyn_cast<linalg::GenericOp>(def))
      if (generic.getNumDpsInputs() == 1 &&
          linalgOp.getNumReductionLoops() == 0)
        return isReductionResult(generic.getDpsInputOperand(0)->get(),
                                 depth + 1);
    return false;
  }
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ReshapeOp,
          tensor::CastOp, tensor::ExtractOp, tensor::SplatOp, CastOp,
          arith::ExtFOp, arith::TruncFOp, tosa::ReshapeOp>(def))
    return isReductionResult(def->getOperand(0), depth + 1);
  return false;
}

/// A division: follow, unless the divisor is a reduction (fp32).
template <typename OpTy, unsigned DivisorIndex>
struct DivisionModel : PrecisionClassOpInterface::ExternalModel<
                           DivisionModel<OpTy, DivisorIndex>, OpTy> {
  PrecisionClass getPrecisionClass(Operation *op) const {
    return isReductionResult(op->getOperand(DivisorIndex))
               ? PrecisionClass::FP32
               : PrecisionClass::Follow;
  }
};

/// The class of a body op: its own model, else follow.
static PrecisionClass classifyBodyOp(Operation *op) {
  if (auto iface = dyn_cast<PrecisionClassOpInterface>(op))
    return iface.getPrecisionClass();
  return PrecisionClass::Follow;
}

/// linalg.generic and linalg.map: classified by iterators and body.
template <typename OpTy>
struct StructuredBodyModel
    : PrecisionClassOpInterface::ExternalModel<StructuredBodyModel<OpTy>,
                                               OpTy> {
  static bool isContraction(Operation *op) {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    return linalg::isaContractionOpInterface(linalgOp) ||
           linalg::isaConvolutionOpInterface(linalgOp,
                                             /*allowEmptyConvolvedDims=*/false);
  }
  PrecisionClass getPrecisionClass(Operation *op) const {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    if (isContraction(op))
      return PrecisionClass::Compute;
    if (linalgOp.getNumReductionLoops() > 0)
      return PrecisionClass::FP32;
    for (Operation &bodyOp : linalgOp.getBlock()->without_terminator())
      if (classifyBodyOp(&bodyOp) == PrecisionClass::FP32)
        return PrecisionClass::FP32;
    return PrecisionClass::Follow;
  }
  bool isAccumulator(Operation *op, OpOperand &operand) const {
    return isContraction(op) &&
           cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }
};

/// linalg.elementwise: classified by its kind.
struct ElementwiseModel
    : PrecisionClassOpInterface::ExternalModel<ElementwiseModel,
                                               linalg::ElementwiseOp> {
  PrecisionClass getPrecisionClass(Operation *op) const {
    using K = linalg::ElementwiseKind;
    switch (cast<linalg::ElementwiseOp>(op).getKind()) {
    case K::exp:
    case K::log:
    case K::reciprocal:
    case K::sqrt:
    case K::rsqrt:
    case K::erf:
    case K::powf:
      return PrecisionClass::FP32;
    case K::div:
      return isReductionResult(op->getOperand(1)) ? PrecisionClass::FP32
                                                  : PrecisionClass::Follow;
    default:
      return PrecisionClass::Follow;
    }
  }
};

template <template <typename> class Model, typename... OpTys>
void attach(MLIRContext *ctx) {
  (OpTys::template attachInterface<Model<OpTys>>(*ctx), ...);
}

template <PrecisionClass Class, typename... OpTys>
void attachFixed(MLIRContext *ctx) {
  (OpTys::template attachInterface<FixedModel<OpTys, Class>>(*ctx), ...);
}

constexpr PrecisionClass kFP32 = PrecisionClass::FP32;
constexpr PrecisionClass kFollow = PrecisionClass::Follow;

} // namespace

void mlir::mp::registerPrecisionClassExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    using namespace linalg;
    attach<ContractionModel, MatmulOp, BatchMatmulOp, BatchReduceMatmulOp,
           MatvecOp, VecmatOp, BatchMatvecOp, BatchVecmatOp, DotOp, ContractOp,
           Mmt4DOp, BatchMmt4DOp, QuantizedMatmulOp, QuantizedBatchMatmulOp>(
        ctx);
    attach<ContractionModel, Conv1DOp, Conv2DOp, Conv3DOp, Conv1DNwcWcfOp,
           Conv1DNcwFcwOp, Conv2DNhwcHwcfOp, Conv2DNhwcFhwcOp,
           Conv2DNhwcHwcfQOp, Conv2DNhwcFhwcQOp, Conv2DNchwFchwQOp,
           Conv2DNchwFchwOp, Conv2DNgchwFgchwOp, Conv2DNgchwGfchwOp,
           Conv2DNhwgcGfhwcOp, Conv2DNhwgcGfhwcQOp, Conv2DNgchwGfchwQOp,
           Conv3DNdhwcDhwcfOp, Conv3DNdhwcDhwcfQOp, Conv3DNcdhwFcdhwOp>(ctx);
    attach<ContractionModel, DepthwiseConv1DNwcWcOp, DepthwiseConv1DNcwCwOp,
           DepthwiseConv1DNwcWcmOp, DepthwiseConv2DNhwcHwcOp,
           DepthwiseConv2DNchwChwOp, DepthwiseConv2DNhwcHwcQOp,
           DepthwiseConv2DNhwcHwcmOp, DepthwiseConv2DNhwcHwcmQOp,
           DepthwiseConv3DNdhwcDhwcOp, DepthwiseConv3DNcdhwCdhwOp,
           DepthwiseConv3DNdhwcDhwcmOp>(ctx);
    attach<StructuredBodyModel, GenericOp, MapOp>(ctx);
    ElementwiseOp::attachInterface<ElementwiseModel>(*ctx);
    DivOp::attachInterface<DivisionModel<DivOp, 1>>(*ctx);
    attachFixed<kFP32, SoftmaxOp, ReduceOp, ExpOp, LogOp, ReciprocalOp, SqrtOp,
                RsqrtOp, ErfOp, PowFOp, PoolingNhwcSumOp, PoolingNchwSumOp,
                PoolingNwcSumOp, PoolingNcwSumOp, PoolingNdhwcSumOp>(ctx);
    attachFixed<kFollow, FillOp, BroadcastOp, TransposeOp, CopyOp, AbsOp,
                CeilOp, FloorOp, NegFOp, RoundOp, SquareOp, TanhOp, AddOp,
                SubOp, MulOp, MaxOp, MinOp, SelectOp, PoolingNhwcMaxOp,
                PoolingNchwMaxOp, PoolingNhwcMinOp, PoolingNwcMaxOp,
                PoolingNcwMaxOp, PoolingNwcMinOp, PoolingNdhwcMaxOp,
                PoolingNdhwcMinOp>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, arith::ArithDialect *) {
    using namespace arith;
    arith::DivFOp::attachInterface<DivisionModel<arith::DivFOp, 1>>(*ctx);
    attachFixed<kFollow, AddFOp, SubFOp, MulFOp, NegFOp, RemFOp, MaximumFOp,
                MinimumFOp, MaxNumFOp, MinNumFOp, CmpFOp, SelectOp>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, math::MathDialect *) {
    using namespace math;
    attachFixed<kFP32, ExpOp, Exp2Op, ExpM1Op, LogOp, Log1pOp, Log2Op, Log10Op,
                PowFOp, FPowIOp, ErfOp, ErfcOp, RsqrtOp, SqrtOp, CbrtOp, SinOp,
                CosOp, TanOp, AsinOp, AcosOp, AtanOp, Atan2Op, SinhOp, CoshOp,
                AsinhOp, AcoshOp, AtanhOp>(ctx);
    attachFixed<kFollow, TanhOp, AbsFOp, CopySignOp, CeilOp, FloorOp, RoundOp,
                RoundEvenOp, TruncOp, FmaOp, ClampFOp, IsFiniteOp, IsInfOp,
                IsNaNOp, IsNormalOp>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    using namespace tensor;
    attachFixed<kFollow, ExtractSliceOp, InsertSliceOp, CollapseShapeOp,
                ExpandShapeOp, ReshapeOp, ConcatOp, PadOp, SplatOp, ExtractOp,
                InsertOp, FromElementsOp, tensor::CastOp, GatherOp, ScatterOp>(
        ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, tosa::TosaDialect *) {
    using namespace tosa;
    attach<ContractionModel, MatMulOp, Conv2DOp, Conv3DOp, DepthwiseConv2DOp,
           TransposeConv2DOp>(ctx);
    attachFixed<kFP32, ExpOp, LogOp, ReciprocalOp, RsqrtOp, PowOp, ErfOp,
                ReduceSumOp, ReduceProductOp, SinOp, CosOp, AvgPool2dOp>(ctx);
    attachFixed<kFollow, AddOp, SubOp, MulOp, MaximumOp, MinimumOp, NegateOp,
                ClampOp, TanhOp, SigmoidOp, AbsOp, CeilOp, FloorOp, TransposeOp,
                ReshapeOp, SliceOp, ConcatOp, PadOp, TileOp, SelectOp,
                ReduceMaxOp, ReduceMinOp, IdentityOp, MaxPool2dOp, ReverseOp,
                GatherOp, ScatterOp, GreaterOp, GreaterEqualOp, EqualOp>(ctx);
  });
}
