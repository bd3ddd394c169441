//===- ReuseDeadOperands.cpp - elementwise results into dying inputs ------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mixprec {
#define GEN_PASS_DEF_MPREUSEDEADOPERANDS
#include "mixprec/Conversion/Passes.h.inc"
} // namespace mixprec

using namespace mlir;

namespace {

/// The ancestor of `op` in `block`, or null.
Operation *ancestorIn(Block *block, Operation *op) {
  return block->findAncestorOpInBlock(*op);
}

/// Whether `op` reads `value` last: no other use comes after it.
bool isLastReader(Value value, Operation *op) {
  Block *block = value.getParentBlock();
  Operation *at = ancestorIn(block, op);
  if (!at)
    return false;
  for (OpOperand &use : value.getUses()) {
    if (use.getOwner() == op)
      continue;
    Operation *other = ancestorIn(block, use.getOwner());
    if (!other || other == at || !other->isBeforeInBlock(at))
      return false;
  }
  return true;
}

struct ReuseDeadOperandsPass
    : mixprec::impl::MPReuseDeadOperandsBase<ReuseDeadOperandsPass> {
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
              isa<tensor::EmptyOp>(producer) ||
              producer->hasTrait<OpTrait::ConstantLike>() ||
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
