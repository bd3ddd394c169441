//===- SinkProducers.cpp - mp-sink-producers ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// mp-differentiate emits an adjoint's ops in the order of its rule: the
// cotangent of a matmul's lhs (dX = dY W^T) comes before the weight's
// (dW = X^T dY), although dX is read only after dW has been computed and
// X, a saved activation, has died. One-shot bufferization allocates a
// result where its op stands, so dX's buffer would be live across the dW
// GEMM, next to X (issue 20: 4 MiB of the transformer's 27 MiB peak).
//
// A pure tensor op moves right before its first user in its block when
// that cannot raise the live bytes anywhere: the bytes of its fresh results
// (those written into a tensor.empty or a fill of one: new buffers) are at
// least the bytes of the operands whose last use it would become later
// (those it would keep alive longer). Between the old and the new place,
// the live bytes then drop by the former and grow by at most the latter.
// Views (reshapes, slices, casts) move too: they hold no buffer of their
// own. Ops are visited last first, so a chain moves as a whole.
//
//===----------------------------------------------------------------------===//

#include "Placement.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPSINKPRODUCERS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// Bytes of a statically shaped tensor; nullopt otherwise.
std::optional<int64_t> tensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isIntOrIndexOrFloat())
    return std::nullopt;
  unsigned bits = tensor.getElementType().isIndex()
                      ? 64
                      : tensor.getElementType().getIntOrFloatBitWidth();
  return tensor.getNumElements() * ((bits + 7) / 8);
}

/// Ops whose tensor result is (bufferizes to) a view of their first
/// operand's buffer.
bool isTensorView(Operation *op) {
  return isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
             tensor::ExtractSliceOp, tensor::CastOp>(op);
}

/// Whether `value` is a fresh init: a tensor.empty, or a linalg.fill on
/// tensors of one.
bool isFreshInit(Value value) { return mp::isFreshInit(value.getDefiningOp()); }

/// The value whose buffer `value` is: through views.
Value bufferRoot(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isTensorView(def))
      break;
    value = def->getOperand(0);
  }
  return value;
}

/// Whether `root` (or a view of it) is used, other than by `except`, by an
/// op of `block` at or after `point` (or by one it contains), or outside
/// the block.
bool usedAtOrAfter(Value root, Operation *point, Operation *except) {
  Block *block = point->getBlock();
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (user == except)
        continue;
      Operation *at = block->findAncestorOpInBlock(*user);
      if (!at)
        return true;
      if (at == point || point->isBeforeInBlock(at))
        return true;
      if (isTensorView(user))
        llvm::append_range(worklist, user->getResults());
    }
  }
  return false;
}

/// Whether moving `op` right before `first` cannot raise the live bytes:
/// see the file header.
bool sinkingPays(Operation *op, Operation *first) {
  if (isTensorView(op))
    return true;
  auto dps = dyn_cast<DestinationStyleOpInterface>(op);
  if (!dps || !dps.hasPureTensorSemantics())
    return false;
  int64_t freed = 0;
  for (OpOperand &init : dps.getDpsInitsMutable()) {
    if (!isFreshInit(init.get()))
      continue;
    std::optional<int64_t> bytes = tensorBytes(init.get().getType());
    if (!bytes)
      return false;
    freed += *bytes;
  }
  if (freed == 0)
    return false;
  int64_t held = 0;
  SmallPtrSet<Value, 4> roots;
  Block *block = op->getBlock();
  for (Value operand : op->getOperands()) {
    if (!isa<RankedTensorType>(operand.getType()) || isFreshInit(operand))
      continue;
    Value root = bufferRoot(operand);
    // A block argument or defined above the block: its buffer belongs to
    // the caller (or the enclosing op) and is live across the block anyway.
    if (isa<BlockArgument>(root) || root.getParentBlock() != block ||
        !roots.insert(root).second)
      continue;
    if (usedAtOrAfter(root, first, op))
      continue;
    std::optional<int64_t> bytes = tensorBytes(root.getType());
    if (!bytes)
      return false;
    held += *bytes;
  }
  return freed >= held;
}

struct SinkProducersPass : mp::impl::MPSinkProducersBase<SinkProducersPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() && !op->hasTrait<OpTrait::IsTerminator>() &&
          isMemoryEffectFree(op))
        ops.push_back(op);
    });
    // Post-order walk: last first within a block, nested ops before their
    // parent. Users are placed before their producers are considered.
    for (Operation *op : llvm::reverse(ops)) {
      if (isFreshInit(op->getResult(0)) || isa<linalg::FillOp>(op))
        continue;
      Operation *first = mp::firstUserInBlock(op);
      if (!first || first == op->getNextNode() || !sinkingPays(op, first))
        continue;
      op->moveBefore(first);
    }
  }
};

} // namespace
