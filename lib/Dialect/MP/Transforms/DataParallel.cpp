//===- DataParallel.cpp - mp-data-parallel --------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Makes a step SPMD over MPI ranks: the loss and gradients that
// mp.value_and_grad returns are replaced, right after it, by their mean over
// MPI_COMM_WORLD in f32 (with micro-batches: the sums the micro-batch loop
// returns, right after the loop, once per step). Runs after mp-loss-scaling, so
// the all-reduce comes before mp.unscale and mp.all_finite: a non-finite
// gradient on any rank makes the reduced gradient non-finite on every rank,
// every rank skips the same steps, and the loss-scale state stays identical
// (docs/design.md §16, docs/data-parallel.md).
//
// The all-reduce is on buffers (mpi.allreduce takes memrefs, and its LLVM
// lowering passes only the first dimension as the element count): each
// bucket is a flat f32 tensor, bufferization.to_buffer gives the send
// buffer, a fresh memref.alloc the receive buffer, bufferization.to_tensor
// (restrict) the result. Values are packed with tensor.insert_slice and
// unpacked with tensor.extract_slice (views); the 1/N scaling is one
// elementwise op per value that mp-to-cpu fuses with the unscale.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Transforms/Transforms.h"
#include "mixprec/Dialect/MP/Utils/TensorBuilders.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPDATAPARALLEL
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

/// The runtime function the step asks for the number of ranks
/// (runtime/mpi: initialises MPI on first use).
static constexpr StringLiteral kWorldSize = "mp_rt_mpi_world_size";

static func::FuncOp getOrCreateWorldSize(ModuleOp module) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(kWorldSize))
    return fn;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto type = b.getFunctionType({}, {b.getI32Type()});
  auto fn = func::FuncOp::create(b, module.getLoc(), kWorldSize, type);
  fn.setPrivate();
  return fn;
}

namespace {
/// One value to reduce: the original result and its flat f32 form.
struct Item {
  Value original;
  Value flat;
  int64_t size;
};
} // namespace

/// `value` (ranked, static) as a 1-D tensor of f32 elements.
static Value flatten(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Value v = value;
  if (!type.getElementType().isF32())
    v = mp::detail::convertFloat(b, loc, v, type.clone(b.getF32Type()));
  auto flatType =
      RankedTensorType::get({type.getNumElements()}, b.getF32Type());
  if (type.getRank() == 1)
    return v;
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, flatType, v,
                                         ArrayRef<ReassociationIndices>{});
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  return tensor::CollapseShapeOp::create(b, loc, flatType, v,
                                         ArrayRef<ReassociationIndices>{all});
}

/// The inverse of flatten: `flat` back to `type` (shape and element type).
static Value unflatten(OpBuilder &b, Location loc, Value flat,
                       RankedTensorType type) {
  RankedTensorType f32Type = type.clone(b.getF32Type());
  Value v = flat;
  if (type.getRank() == 0)
    v = tensor::CollapseShapeOp::create(b, loc, f32Type, v,
                                        ArrayRef<ReassociationIndices>{});
  else if (type.getRank() > 1)
    v = tensor::ExpandShapeOp::create(
        b, loc, f32Type, v,
        ArrayRef<ReassociationIndices>{
            llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
  return v;
}

FailureOr<unsigned>
mlir::mp::applyDataParallel(func::FuncOp fn,
                            const DataParallelOptions &options) {
  SmallVector<ValueAndGradOp> calls;
  fn.walk([&](ValueAndGradOp op) { calls.push_back(op); });
  if (calls.empty())
    return 0u;
  auto module = fn->getParentOfType<ModuleOp>();
  func::FuncOp worldSize = getOrCreateWorldSize(module);
  MLIRContext *context = fn.getContext();
  unsigned buckets = 0;
  for (ValueAndGradOp call : calls) {
    Location loc = call.getLoc();
    // What is reduced: the call's loss and gradients or, inside the
    // micro-batch loop of mp-loss-scaling, the loop's sums of them (one
    // all-reduce per step, not one per micro-batch).
    Operation *anchor = call;
    SmallVector<Value> values{call.getLoss()};
    llvm::append_range(values, call.getGradients());
    if (Operation *loop = call->getParentOp();
        loop && loop->hasAttr(MPDialect::kMicrobatchesAttrName) &&
        loop->getNumResults() == call->getNumResults()) {
      anchor = loop;
      values.assign(loop->result_begin(), loop->result_end());
    }
    for (auto [i, v] : llvm::enumerate(values)) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (!type || !type.hasStaticShape() ||
          !isa<FloatType>(type.getElementType()))
        return call.emitOpError()
               << "mp-data-parallel: result #" << i << " has type "
               << v.getType()
               << "; only statically shaped float tensors can be all-reduced";
    }

    // Everything below is inserted right after the anchor, before this op:
    // a use at or after it (possibly nested) is one of the step's own uses,
    // which get the mean; the uses the packing creates come before it.
    Operation *firstUser = anchor->getNextNode();
    auto isStepUse = [&](OpOperand &use) {
      Operation *owner =
          anchor->getBlock()->findAncestorOpInBlock(*use.getOwner());
      return owner && !owner->isBeforeInBlock(firstUser);
    };
    OpBuilder b(context);
    b.setInsertionPointAfter(anchor);
    Type f32 = b.getF32Type();
    // 1/N, N the number of ranks.
    Value n =
        func::CallOp::create(b, loc, worldSize, ValueRange{}).getResult(0);
    Value nf = arith::SIToFPOp::create(b, loc, f32, n);
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0));
    Value inverse = arith::DivFOp::create(b, loc, one, nf);
    Value inverseTensor = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, f32), ValueRange{inverse});
    Value comm = mpi::CommWorldOp::create(b, loc, mpi::CommType::get(context));

    std::vector<Item> items(values.size());
    for (auto [i, v] : llvm::enumerate(values)) {
      items[i].original = v;
      items[i].flat = flatten(b, loc, v);
      items[i].size = cast<RankedTensorType>(v.getType()).getNumElements();
    }

    // Buckets in result order: a value joins the current bucket while the
    // bucket stays within bucketBytes; a value larger than that is alone.
    int64_t capacity = std::max<int64_t>(options.bucketBytes / 4, 1);
    SmallVector<SmallVector<unsigned>> groups;
    int64_t filled = 0;
    for (unsigned i = 0; i < items.size(); ++i) {
      if (groups.empty() || filled + items[i].size > capacity) {
        groups.emplace_back();
        filled = 0;
      }
      groups.back().push_back(i);
      filled += items[i].size;
    }

    for (ArrayRef<unsigned> group : groups) {
      int64_t total = 0;
      for (unsigned i : group)
        total += items[i].size;
      auto bucketType = RankedTensorType::get({total}, f32);
      Value packed;
      if (group.size() == 1) {
        packed = items[group.front()].flat;
      } else {
        packed = tensor::EmptyOp::create(b, loc, bucketType.getShape(), f32);
        int64_t offset = 0;
        for (unsigned i : group) {
          packed = tensor::InsertSliceOp::create(
              b, loc, items[i].flat, packed,
              ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(items[i].size)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
          offset += items[i].size;
        }
      }
      auto bufferType = MemRefType::get({total}, f32);
      auto send = bufferization::ToBufferOp::create(b, loc, bufferType, packed,
                                                    /*read_only=*/true);
      Value recv =
          memref::AllocOp::create(b, loc, bufferType, b.getI64IntegerAttr(64));
      mpi::AllReduceOp::create(b, loc, /*retval=*/Type(), send, recv,
                               mpi::MPI_ReductionOpEnum::MPI_SUM, comm);
      Value sum = bufferization::ToTensorOp::create(b, loc, bucketType, recv,
                                                    /*restrict=*/true);
      ++buckets;

      int64_t offset = 0;
      for (unsigned i : group) {
        Item &item = items[i];
        Value slice = sum;
        if (group.size() > 1)
          slice = tensor::ExtractSliceOp::create(
              b, loc, sum, ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(item.size)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
        offset += item.size;
        auto type = cast<RankedTensorType>(item.original.getType());
        Value mean = mp::detail::buildScaleBy(
            b, loc, unflatten(b, loc, slice, type), inverseTensor);
        if (!type.getElementType().isF32())
          mean = mp::detail::convertFloat(b, loc, mean, type);
        item.original.replaceUsesWithIf(mean, isStepUse);
      }
    }
  }
  // The MPI lowering reads the implementation (ABI constants) from the
  // module's DLTI map; MPICH is what setup installs.
  if (!module->hasAttr("dlti.map")) {
    auto entry =
        DataLayoutEntryAttr::get(StringAttr::get(context, "MPI:Implementation"),
                                 StringAttr::get(context, "MPICH"));
    module->setAttr("dlti.map", MapAttr::get(context, {entry}));
  }
  return buckets;
}

namespace {
struct MPDataParallelPass : mp::impl::MPDataParallelBase<MPDataParallelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Errors at the module's location, without the module printed after.
    auto fail = [&](const Twine &message) {
      mlir::emitError(module.getLoc()) << "mp-data-parallel: " << message;
      signalPassFailure();
    };
    if (backend != "mpi")
      return fail("backend must be mpi, got '" + backend + "'");
    if (target != "cpu")
      return fail("target '" + target +
                  "' is not supported: data-parallel steps run on the CPU "
                  "(target=cpu)");
    if (bucketBytes <= 0)
      return fail("bucket-bytes must be > 0, got " +
                  std::to_string(bucketBytes));
    DataParallelOptions options;
    options.bucketBytes = bucketBytes;
    bool any = false, failedAny = false;
    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      bool hasCall = false;
      fn.walk([&](ValueAndGradOp) { hasCall = true; });
      if (!hasCall)
        continue;
      any = true;
      FailureOr<unsigned> buckets = applyDataParallel(fn, options);
      if (failed(buckets)) {
        failedAny = true;
        continue;
      }
      numBuckets += *buckets;
      fn.walk([&](ValueAndGradOp op) { numValues += op->getNumResults(); });
    }
    if (failedAny)
      return signalPassFailure();
    if (!any)
      return fail("no mp.value_and_grad in the module: there are no "
                  "gradients to all-reduce (data-parallel needs a training "
                  "step, docs/design.md §2)");
  }
};
} // namespace
