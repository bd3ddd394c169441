//===- DeallocAtLastUse.cpp - free owned buffers after their last use -----===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "BufferAliases.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPDEALLOCATLASTUSE
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

struct DeallocAtLastUsePass
    : mp::impl::MPDeallocAtLastUseBase<DeallocAtLastUsePass> {
  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation().walk(
        [&](bufferization::DeallocOp op) { deallocs.push_back(op); });
    for (bufferization::DeallocOp dealloc : deallocs)
      moveOut(dealloc);
  }

  /// The op after which `memref` (operand of `dealloc` with condition
  /// `cond`) can be freed, or null when it must stay in `dealloc`.
  Operation *
  lastUseIfMovable(bufferization::DeallocOp dealloc, Value memref, Value cond,
                   const llvm::DenseSet<Value> &retained,
                   const llvm::DenseMap<Value, unsigned> &timesFreed) {
    Block *block = dealloc->getBlock();
    auto alloc = memref.getDefiningOp<memref::AllocOp>();
    if (!alloc || alloc->getBlock() != block || !matchPattern(cond, m_One()))
      return nullptr;
    FailureOr<SmallVector<Value>> closure =
        mp::collectBufferAliases(memref, [&](OpOperand &use) {
          return use.getOwner() == dealloc.getOperation();
        });
    // Not movable: the buffer may be a retained value, or the same buffer
    // as another operand of the dealloc (which frees it once).
    if (failed(closure) || llvm::any_of(*closure, [&](Value v) {
          return retained.contains(v) ||
                 timesFreed.lookup(v) != (v == memref ? 1u : 0u);
        }))
      return nullptr;
    return mp::lastUseInBlock(block, *closure, alloc, dealloc);
  }

  void moveOut(bufferization::DeallocOp dealloc) {
    SmallVector<Value> keepMemrefs, keepConds;
    SmallVector<std::pair<Value, Operation *>> moves;
    llvm::DenseSet<Value> retained(llvm::from_range, dealloc.getRetained());
    llvm::DenseMap<Value, unsigned> timesFreed;
    for (Value m : dealloc.getMemrefs())
      ++timesFreed[m];
    for (auto it : llvm::zip(dealloc.getMemrefs(), dealloc.getConditions())) {
      Value memref = std::get<0>(it), cond = std::get<1>(it);
      if (Operation *last =
              lastUseIfMovable(dealloc, memref, cond, retained, timesFreed)) {
        moves.emplace_back(memref, last);
      } else {
        keepMemrefs.push_back(memref);
        keepConds.push_back(cond);
      }
    }
    // Inserted only now: an insertion invalidates the block's op order,
    // which lastUseInBlock's isBeforeInBlock would then recompute each time.
    for (auto [memref, last] : moves) {
      OpBuilder b(last->getContext());
      b.setInsertionPointAfter(last);
      memref::DeallocOp::create(b, dealloc.getLoc(), memref);
    }
    if (moves.empty())
      return;
    OpBuilder b(dealloc);
    if (keepMemrefs.empty()) {
      // Nothing left to free: no retained value is owned through this op.
      Value no =
          arith::ConstantOp::create(b, dealloc.getLoc(), b.getBoolAttr(false));
      SmallVector<Value> results(dealloc->getNumResults(), no);
      dealloc->replaceAllUsesWith(results);
      dealloc->erase();
      return;
    }
    auto replacement = bufferization::DeallocOp::create(
        b, dealloc.getLoc(), keepMemrefs, keepConds, dealloc.getRetained());
    dealloc->replaceAllUsesWith(replacement->getResults());
    dealloc->erase();
  }
};

} // namespace
