//===- Rematerialize.cpp - the backward saves less ------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "Rematerialize.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Adjoint.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::mp;

//===----------------------------------------------------------------------===//
// Rematerialization: the backward saves less
//===----------------------------------------------------------------------===//
//
// A forward value the backward reads is *saved* (kept alive from the forward
// to the backward). When it is computed by cheap ops (elementwise arith /
// math, casts, broadcasts, fills, constant pads, reshapes) from values that
// are saved anyway, cost less to save or do not depend on an argument, the
// backward recomputes it instead, right before its first backward use:
// exactly the same ops on the same values, so the gradients are bitwise the
// same. Each candidate is priced as the bytes of the cheapest cut of its
// cheap producers (a producer is either recomputed or saved, whichever costs
// less); it is recomputed when that is strictly fewer bytes than saving it
// and no pad recomputed on the way is larger than it (see largestCopy()).

/// The unit attribute on the ops the backward recomputes.
static constexpr StringLiteral kRecomputedAttrName = "recomputed";

namespace {
class Rematerializer {
public:
  Rematerializer(Block &body, Operation *forwardEnd)
      : body(body), forwardEnd(forwardEnd) {}
  void run();

private:
  bool isBackward(Operation *op) const {
    Operation *top = body.findAncestorOpInBlock(*op);
    return top && forwardEnd->isBeforeInBlock(top) &&
           top != body.getTerminator();
  }
  bool isForwardValue(Value v) const {
    Operation *def = v.getDefiningOp();
    return def && def->getBlock() == &body && !forwardEnd->isBeforeInBlock(def);
  }
  static bool isCheap(Operation *op);
  static int64_t bytes(Value v);
  bool isFree(Value v) const {
    return isa<BlockArgument>(v) || !dynamic.contains(v.getDefiningOp());
  }
  int64_t cost(Value v, llvm::DenseMap<Value, int64_t> &memo, unsigned depth);
  void keepLeaves(Value v, llvm::DenseMap<Value, int64_t> &memo);
  int64_t largestCopy(Value v, llvm::DenseMap<Value, int64_t> &memo);
  Value materialize(OpBuilder &b, Value v);

  Block &body;
  Operation *forwardEnd;
  llvm::DenseSet<Operation *> dynamic; // forward ops depending on an argument
  llvm::DenseSet<Value> saved;
  llvm::DenseMap<Value, Value> clones;
};
} // namespace

bool Rematerializer::isCheap(Operation *op) {
  if (op->getNumResults() != 1 ||
      !isa<RankedTensorType>(op->getResult(0).getType()))
    return false;
  if (isa<linalg::BroadcastOp, linalg::FillOp, tensor::EmptyOp,
          tensor::CollapseShapeOp, tensor::ExpandShapeOp, mp::CastOp>(op))
    return true;
  if (auto pad = dyn_cast<tensor::PadOp>(op))
    return static_cast<bool>(pad.getConstantPaddingValue());
  return op->getNumRegions() == 0 && op->hasTrait<OpTrait::Elementwise>() &&
         isMemoryEffectFree(op);
}

int64_t Rematerializer::bytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  return type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
}

/// The bytes the backward must keep to have `v`: 0 when it is saved anyway
/// or free, else the cheaper of saving it and recomputing it.
int64_t Rematerializer::cost(Value v, llvm::DenseMap<Value, int64_t> &memo,
                             unsigned depth) {
  if (!isa<RankedTensorType>(v.getType()) || saved.contains(v) || isFree(v))
    return 0;
  auto it = memo.find(v);
  if (it != memo.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  int64_t own = bytes(v), result = own;
  if (depth < 32 && isCheap(def)) {
    int64_t sum = 0;
    for (Value operand : def->getOperands())
      sum += cost(operand, memo, depth + 1);
    result = std::min(own, sum);
  }
  memo[v] = result;
  return result;
}

/// The largest tensor.pad (or pad source) the backward would recompute to
/// have `v` (0 for none), following the cheapest cut (see cost()). The other
/// cheap ops fuse into their consumers; a pad and its source are
/// materialized.
int64_t Rematerializer::largestCopy(Value v,
                                    llvm::DenseMap<Value, int64_t> &memo) {
  if (!isa<RankedTensorType>(v.getType()) || saved.contains(v) || isFree(v))
    return 0;
  auto it = memo.find(v);
  if (!isCheap(v.getDefiningOp()) || it == memo.end() || it->second >= bytes(v))
    return 0;
  int64_t largest = 0;
  if (auto pad = dyn_cast<tensor::PadOp>(v.getDefiningOp()))
    largest = std::max(bytes(v), bytes(pad.getSource()));
  for (Value operand : v.getDefiningOp()->getOperands())
    largest = std::max(largest, largestCopy(operand, memo));
  return largest;
}

/// Marks as saved the values the cheapest cut of `v` keeps (see cost()).
void Rematerializer::keepLeaves(Value v, llvm::DenseMap<Value, int64_t> &memo) {
  if (!isa<RankedTensorType>(v.getType()) || saved.contains(v) || isFree(v))
    return;
  Operation *def = v.getDefiningOp();
  auto it = memo.find(v);
  if (!isCheap(def) || it == memo.end() || it->second >= bytes(v)) {
    saved.insert(v);
    return;
  }
  for (Value operand : def->getOperands())
    keepLeaves(operand, memo);
}

/// `v` in the backward, at the builder's insertion point: the forward value
/// when it is saved (or not recomputable), else a clone of its producers.
Value Rematerializer::materialize(OpBuilder &b, Value v) {
  if (!isForwardValue(v) || saved.contains(v))
    return v;
  Operation *def = v.getDefiningOp();
  if (!isCheap(def) || isa<arith::ConstantOp>(def))
    return v;
  if (Value c = clones.lookup(v))
    return c;
  auto mark = [&](Operation *op) {
    op->setDiscardableAttr(kRecomputedAttrName, UnitAttr::get(b.getContext()));
  };
  if (auto cast = dyn_cast<mp::CastOp>(def)) {
    // In its lowered form (arith.truncf / extf, as mp-lower writes it): a
    // copy of the mp.cast would lose the attribute there and be merged.
    Value in = materialize(b, cast.getInput());
    Value c = ad::castElements(b, def->getLoc(), in,
                               getElementTypeOrSelf(v.getType()));
    for (Value x = c; x != in; x = x.getDefiningOp()->getOperand(0))
      mark(x.getDefiningOp());
    clones[v] = c;
    return c;
  }
  IRMapping mapping;
  for (Value operand : def->getOperands())
    mapping.map(operand, materialize(b, operand));
  Operation *clone = b.clone(*def, mapping);
  // Keeps CSE (mp-cleanup) from merging the copy back into the forward op,
  // which would save the value again.
  mark(clone);
  clones[v] = clone->getResult(0);
  return clone->getResult(0);
}

void Rematerializer::run() {
  // Forward ops that depend on an argument (the others are free to keep).
  for (Operation &op : body) {
    bool dep = false;
    op.walk([&](Operation *inner) {
      for (Value v : inner->getOperands()) {
        if (auto arg = dyn_cast<BlockArgument>(v)) {
          dep |= arg.getOwner() == &body;
          continue;
        }
        Operation *top = body.findAncestorOpInBlock(*v.getDefiningOp());
        dep |= top && top != &op && dynamic.contains(top);
      }
    });
    if (dep)
      dynamic.insert(&op);
    if (&op == forwardEnd)
      break;
  }
  // The saved values, and the candidates (cheap, not returned), in order.
  SmallVector<Value> candidates;
  for (Operation &op : body) {
    for (Value r : op.getResults()) {
      bool usedByBackward = false, returned = false;
      for (Operation *user : r.getUsers()) {
        usedByBackward |= isBackward(user);
        returned |= body.findAncestorOpInBlock(*user) == body.getTerminator();
      }
      if (!usedByBackward || !isa<RankedTensorType>(r.getType()))
        continue;
      if (!isFree(r))
        saved.insert(r);
      if (!returned && isCheap(&op) && !isa<arith::ConstantOp>(&op))
        candidates.push_back(r);
    }
    if (&op == forwardEnd)
      break;
  }
  // Decide, until nothing changes (a value kept for one candidate makes
  // others cheaper).
  llvm::SetVector<Value> recomputed;
  bool changed = true;
  for (unsigned round = 0; changed && round < 4; ++round) {
    changed = false;
    for (Value v : candidates) {
      if (recomputed.contains(v))
        continue;
      if (isFree(v)) {
        recomputed.insert(v);
        changed = true;
        continue;
      }
      saved.erase(v);
      llvm::DenseMap<Value, int64_t> memo;
      int64_t sum = 0;
      for (Value operand : v.getDefiningOp()->getOperands())
        sum += cost(operand, memo, 1);
      // Not when a pad the backward would recompute on the way is larger
      // than `v` (a padded f32 copy of a bf16 value): that temporary would
      // cost more at the backward's peak than keeping `v`.
      int64_t largest = 0;
      for (Value operand : v.getDefiningOp()->getOperands())
        largest = std::max(largest, largestCopy(operand, memo));
      if (sum >= bytes(v) || largest > bytes(v)) {
        saved.insert(v);
        continue;
      }
      for (Value operand : v.getDefiningOp()->getOperands())
        keepLeaves(operand, memo);
      recomputed.insert(v);
      changed = true;
    }
  }
  // Recompute each before its first backward use, in the order of those
  // uses (a clone made for an earlier one is reused by the later ones).
  SmallVector<std::pair<Operation *, Value>> firstUses;
  for (Value v : recomputed) {
    Operation *first = nullptr;
    for (Operation *user : v.getUsers()) {
      if (!isBackward(user))
        continue;
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!first || top->isBeforeInBlock(first))
        first = top;
    }
    firstUses.push_back({first, v});
  }
  // Ties keep the decision order (the index).
  SmallVector<unsigned> order(firstUses.size());
  for (unsigned i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::sort(order, [&](unsigned a, unsigned b) {
    Operation *x = firstUses[a].first, *y = firstUses[b].first;
    return x == y ? a < b : x->isBeforeInBlock(y);
  });
  for (unsigned i : order) {
    auto [first, v] = firstUses[i];
    OpBuilder b(first);
    Value c = materialize(b, v);
    if (c == v)
      continue;
    Operation *clone = c.getDefiningOp();
    v.replaceUsesWithIf(c, [&](OpOperand &use) {
      Operation *top = body.findAncestorOpInBlock(*use.getOwner());
      return top && isBackward(top) && clone->isBeforeInBlock(top);
    });
  }
}

void mp::rematerialize(Block &body, Operation *forwardEnd) {
  Rematerializer(body, forwardEnd).run();
}
