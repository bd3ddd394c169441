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
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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

/// The order of one block's ops, kept without moving them: each op has a
/// key (slot, rank). An op that stays is the anchor of its own slot (its
/// index in the block, rank max); an op sunk before `first` joins first's
/// slot with its original index as rank, so that the ops sunk into one
/// slot keep their original (dependence) order, before the anchor. The
/// block is reordered once at the end: moving ops one by one would
/// renumber the block's order for every isBeforeInBlock query after a move
/// (quadratic on a 10,000-op step).
class Schedule {
public:
  explicit Schedule(Block &block) : block(block) {
    int64_t i = 0;
    for (Operation &op : block) {
      index[&op] = i;
      key[&op] = {i++, std::numeric_limits<int64_t>::max()};
    }
  }

  /// The key of the op of the block that is or contains `user`; nullopt
  /// when `user` is outside the block.
  std::optional<std::pair<int64_t, int64_t>> keyOf(Operation *user) const {
    Operation *at = block.findAncestorOpInBlock(*user);
    if (!at)
      return std::nullopt;
    return key.lookup(at);
  }

  /// The first op of the block (in the current schedule) using a result of
  /// `op`; null when a use is outside the block or there is none.
  Operation *firstUser(Operation *op) const {
    Operation *first = nullptr;
    for (Operation *user : op->getUsers()) {
      Operation *at = block.findAncestorOpInBlock(*user);
      if (!at)
        return nullptr;
      if (!first || key.lookup(at) < key.lookup(first))
        first = at;
    }
    return first;
  }

  /// Whether `root` (or a view of it) is used, other than by `except`, by
  /// an op of the block at or after `point` (or by one it contains), or
  /// outside the block.
  bool usedAtOrAfter(Value root, Operation *point, Operation *except) const {
    auto at = key.lookup(point);
    SmallVector<Value> worklist{root};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (user == except)
          continue;
        auto userKey = keyOf(user);
        if (!userKey || *userKey >= at)
          return true;
        if (isTensorView(user))
          llvm::append_range(worklist, user->getResults());
      }
    }
    return false;
  }

  /// Sinks `op` right before `point`, one of its users (so later in the
  /// schedule).
  void sinkBefore(Operation *op, Operation *point) {
    std::pair<int64_t, int64_t> sunk = {key.lookup(point).first,
                                        index.lookup(op)};
    if (key[op] == sunk)
      return;
    key[op] = sunk;
    changed = true;
  }

  /// Moves the ops into the order of their keys.
  void apply() {
    if (!changed)
      return;
    // Keys are unique: an anchor's slot is its own index, a sunk op's rank
    // its own index.
    SmallVector<Operation *> ops =
        llvm::map_to_vector(block, [](Operation &op) { return &op; });
    llvm::sort(ops, [&](Operation *a, Operation *b) {
      return key.lookup(a) < key.lookup(b);
    });
    for (Operation *op : ops)
      op->moveBefore(&block, block.end());
  }

private:
  Block &block;
  DenseMap<Operation *, int64_t> index;
  DenseMap<Operation *, std::pair<int64_t, int64_t>> key;
  bool changed = false;
};

/// Whether moving `op` right before `first` cannot raise the live bytes:
/// see the file header.
bool sinkingPays(const Schedule &schedule, Operation *op, Operation *first) {
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
    if (schedule.usedAtOrAfter(root, first, op))
      continue;
    std::optional<int64_t> bytes = tensorBytes(root.getType());
    if (!bytes)
      return false;
    held += *bytes;
  }
  return freed >= held;
}

/// Sinks the ops of `block`, last first, so that users are placed before
/// their producers are considered.
void sinkProducers(Block &block) {
  Schedule schedule(block);
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    if (op.getNumResults() && !op.hasTrait<OpTrait::IsTerminator>() &&
        !isFreshInit(op.getResult(0)) && !isa<linalg::FillOp>(op) &&
        isMemoryEffectFree(&op))
      ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops)) {
    Operation *first = schedule.firstUser(op);
    if (first && sinkingPays(schedule, op, first))
      schedule.sinkBefore(op, first);
  }
  schedule.apply();
}

struct SinkProducersPass : mp::impl::MPSinkProducersBase<SinkProducersPass> {
  void runOnOperation() override {
    // Blocks are independent: a use in a nested block counts as a use by
    // its ancestor in the outer block, which nested moves do not change.
    getOperation().walk([](Block *block) {
      // Linalg bodies are scalar code: nothing there allocates.
      if (!isa_and_nonnull<linalg::LinalgOp>(block->getParentOp()))
        sinkProducers(*block);
    });
  }
};

} // namespace
