//===- ReuseDeadBuffers.cpp - linalg results into dying input buffers -----===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "BufferAliases.h"
#include "mixprec/Codegen/Common/Passes.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPREUSEDEADBUFFERS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// `v` is a `memref.alloc` in `block`: a buffer the function owns.
memref::AllocOp allocIn(Value v, Block *block) {
  auto alloc = v.getDefiningOp<memref::AllocOp>();
  return alloc && alloc->getBlock() == block ? alloc : memref::AllocOp();
}

struct ReuseDeadBuffersPass
    : mp::impl::MPReuseDeadBuffersBase<ReuseDeadBuffersPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops)
      reuse(op);
  }

  void reuse(linalg::GenericOp op) {
    Block *block = op->getBlock();
    auto acceptNone = [](OpOperand &) { return false; };
    for (OpOperand &init : op.getDpsInitsMutable()) {
      memref::AllocOp outAlloc = allocIn(init.get(), block);
      AffineMap outMap = op.getMatchingIndexingMap(&init);
      if (!outAlloc || op.payloadUsesValueFromOperand(&init) ||
          !outMap.isPermutation())
        continue;
      // Nothing may use the output buffer before the op (a fill into it,
      // say, would then overwrite the input); a view of it taken before the
      // op would be such a use too.
      if (llvm::any_of(outAlloc->getUsers(), [&](Operation *user) {
            Operation *at = block->findAncestorOpInBlock(*user);
            return at != op && (!at || !op->isBeforeInBlock(at));
          }))
        continue;
      for (OpOperand *input : op.getDpsInputOperands()) {
        Value in = input->get();
        memref::AllocOp inAlloc = allocIn(in, block);
        if (!inAlloc || in.getType() != outAlloc.getType() ||
            op.getMatchingIndexingMap(input) != outMap ||
            llvm::count(op->getOperands(), in) != 1)
          continue;
        // Every other use of the input buffer and its aliases comes before
        // the op, and none passes it on.
        FailureOr<SmallVector<Value>> inAliases =
            mp::collectBufferAliases(in, acceptNone);
        if (failed(inAliases))
          continue;
        Operation *last = mp::lastUseInBlock(block, *inAliases, inAlloc, op);
        if (!last || (last != inAlloc && !last->isBeforeInBlock(op)))
          continue;
        if (llvm::any_of(*inAliases, [&](Value v) {
              return v != in && llvm::is_contained(op->getOperands(), v);
            }))
          continue;
        outAlloc.getResult().replaceAllUsesWith(in);
        outAlloc->erase();
        break;
      }
    }
  }
};

} // namespace
