//===- SinkInits.cpp - mp-sink-inits --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Inits (tensor.empty, and linalg.fill of a tensor.empty) move right before
// their first user in their block. After CSE, the zero init of a backward
// accumulator is often the forward's equal fill; one-shot bufferization
// allocates a tensor.empty where it stands, so without this the buffer is
// live from the forward to the backward (issue 20: it made up most of the
// mixed step's peak).
//
//===----------------------------------------------------------------------===//

#include "Placement.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPSINKINITS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// The first operation of `op`'s block that uses one of its results (itself
/// or through an op it contains); null when a use is outside the block.
Operation *firstUserInBlock(Operation *op) {
  Block *block = op->getBlock();
  Operation *first = nullptr;
  for (Operation *user : op->getUsers()) {
    Operation *at = block->findAncestorOpInBlock(*user);
    if (!at)
      return nullptr;
    if (!first || at->isBeforeInBlock(first))
      first = at;
  }
  return first;
}

struct SinkInitsPass : mp::impl::MPSinkInitsBase<SinkInitsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> inits;
    getOperation().walk([&](Operation *op) {
      if (mp::isFreshInit(op))
        inits.push_back(op);
    });
    // Last first, so that a fill has moved before the empty it fills is
    // placed (an empty's first user may then be that fill).
    for (Operation *op : llvm::reverse(inits)) {
      Operation *first = firstUserInBlock(op);
      if (first && first != op->getNextNode())
        op->moveBefore(first);
    }
  }
};

} // namespace
