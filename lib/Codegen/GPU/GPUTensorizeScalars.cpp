//===- GPUTensorizeScalars.cpp - mp-gpu-tensorize-scalars -----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUTENSORIZESCALARS
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// Rewrites `tensor.from_elements %s : tensor<T>` where %s is computed by
/// pure scalar ops from constants and `tensor.extract %t[]` of 0-d tensors
/// into one 0-d linalg.generic over those tensors, so that the scalar code
/// runs on the device.
static LogicalResult tensorizeScalar(RewriterBase &rewriter,
                                     tensor::FromElementsOp op) {
  auto type = op.getType();
  if (type.getRank() != 0)
    return failure();
  Value root = op.getElements()[0];
  llvm::SetVector<Operation *> slice;
  llvm::SetVector<Value> inputs;
  bool ok = true;
  std::function<void(Value)> visit = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (!ok || !def) {
      ok = false;
      return;
    }
    if (slice.contains(def))
      return;
    if (auto extract = dyn_cast<tensor::ExtractOp>(def)) {
      if (extract.getTensor().getType().getRank() != 0) {
        ok = false;
        return;
      }
      inputs.insert(extract.getTensor());
      slice.insert(def);
      return;
    }
    if (def->getNumRegions() != 0 || !isPure(def) ||
        def->getBlock() != op->getBlock()) {
      ok = false;
      return;
    }
    for (Type t : def->getResultTypes())
      if (!t.isIntOrIndexOrFloat())
        ok = false;
    for (Value operand : def->getOperands())
      visit(operand);
    slice.insert(def);
  };
  visit(root);
  if (!ok)
    return failure();

  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                       type.getElementType());
  SmallVector<AffineMap> maps(inputs.size() + 1, AffineMap::get(0, 0, ctx));
  SmallVector<Value> inputList(inputs.begin(), inputs.end());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, inputList, ValueRange{init}, maps,
      ArrayRef<utils::IteratorType>{},
      [&](OpBuilder &b, Location l, ValueRange args) {
        IRMapping mapping;
        for (Operation *s : slice) {
          if (auto extract = dyn_cast<tensor::ExtractOp>(s)) {
            unsigned index =
                llvm::find(inputList, extract.getTensor()) - inputList.begin();
            mapping.map(extract.getResult(), args[index]);
            continue;
          }
          b.clone(*s, mapping);
        }
        linalg::YieldOp::create(b, l, mapping.lookupOrDefault(root));
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

struct TensorizeScalarsPass
    : mp::impl::MPGPUTensorizeScalarsBase<TensorizeScalarsPass> {
  void runOnOperation() override {
    SmallVector<tensor::FromElementsOp> ops;
    getOperation().walk([&](tensor::FromElementsOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (tensor::FromElementsOp op : ops)
      (void)tensorizeScalar(rewriter, op);
  }
};

} // namespace
