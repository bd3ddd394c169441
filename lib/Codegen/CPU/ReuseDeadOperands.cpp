//===- ReuseDeadOperands.cpp - elementwise results into dying inputs ------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPREUSEDEADOPERANDS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// The ancestor of `op` in `block`, or null.
Operation *ancestorIn(Block *block, Operation *op) {
  return block->findAncestorOpInBlock(*op);
}

/// Whether `op` reads `value` last: every other use is a plain input of a
/// destination-style op that comes earlier in `value`'s block.
bool isLastReader(Value value, Operation *op) {
  Block *block = value.getParentBlock();
  Operation *at = ancestorIn(block, op);
  if (!at)
    return false;
  for (OpOperand &use : value.getUses()) {
    if (use.getOwner() == op)
      continue;
    // Only plain reads by destination-style ops: a view (reshape, slice,
    // cast), a yield, a call or an init would let the value live on under
    // another name.
    auto reader = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    if (!reader || !reader.isDpsInput(&use))
      return false;
    Operation *other = ancestorIn(block, use.getOwner());
    if (!other || other == at || !other->isBeforeInBlock(at))
      return false;
  }
  return true;
}

/// Whether `v`'s buffer will be one the function allocates itself: `v` is
/// the result of a destination-style op whose init is (through a chain of
/// such ops) a `tensor.empty` or a fill of one. Not an argument (the
/// caller's buffer: writing into it would change the caller's data), not a
/// view of another value (reshape, slice), not a loop or branch result.
bool isFreshBuffer(Value v) {
  for (unsigned depth = 0; depth < 64; ++depth) {
    auto result = dyn_cast<OpResult>(v);
    if (!result)
      return false;
    Operation *def = result.getOwner();
    if (isa<tensor::EmptyOp>(def))
      return true;
    auto dps = dyn_cast<DestinationStyleOpInterface>(def);
    if (!dps || !dps.hasPureTensorSemantics())
      return false;
    v = dps.getTiedOpOperand(result)->get();
  }
  return false;
}

struct ReuseDeadOperandsPass
    : mp::impl::MPReuseDeadOperandsBase<ReuseDeadOperandsPass> {
  void runOnOperation() override {
    getOperation().walk([&](linalg::GenericOp op) {
      if (!op.hasPureTensorSemantics() ||
          op.getNumParallelLoops() != op.getNumLoops())
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        if (!init.get().getDefiningOp<tensor::EmptyOp>() ||
            op.payloadUsesValueFromOperand(&init))
          continue;
        AffineMap outMap = op.getMatchingIndexingMap(&init);
        for (OpOperand *input : op.getDpsInputOperands()) {
          Value v = input->get();
          Operation *producer = v.getDefiningOp();
          if (v.getType() != init.get().getType() || !producer ||
              isa<tensor::EmptyOp>(producer) || !isFreshBuffer(v) ||
              op.getMatchingIndexingMap(input) != outMap ||
              llvm::count_if(op->getOperands(),
                             [&](Value o) { return o == v; }) != 1 ||
              !isLastReader(v, op))
            continue;
          // Another init of this op already took it.
          if (llvm::any_of(op.getDpsInits(), [&](Value o) { return o == v; }))
            continue;
          Value empty = init.get();
          init.set(v);
          if (empty.use_empty())
            empty.getDefiningOp()->erase();
          break;
        }
      }
    });
  }
};

} // namespace
