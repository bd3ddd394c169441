//===- DeallocAtLastUse.cpp - free owned buffers after their last use -----===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "BufferAliases.h"
#include "mixprec/Conversion/Passes.h"
#include "mlir/IR/Matchers.h"

namespace mixprec {
#define GEN_PASS_DEF_MPDEALLOCATLASTUSE
#include "mixprec/Conversion/Passes.h.inc"
} // namespace mixprec

using namespace mlir;

namespace {

struct DeallocAtLastUsePass
    : mixprec::impl::MPDeallocAtLastUseBase<DeallocAtLastUsePass> {
  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation().walk(
        [&](bufferization::DeallocOp op) { deallocs.push_back(op); });
    for (bufferization::DeallocOp dealloc : deallocs)
      moveOut(dealloc);
  }

  void moveOut(bufferization::DeallocOp dealloc) {
    Block *block = dealloc->getBlock();
    SmallVector<Value> keepMemrefs, keepConds;
    bool changed = false;
    llvm::DenseSet<Value> retained(llvm::from_range, dealloc.getRetained());
    llvm::DenseMap<Value, unsigned> timesFreed;
    for (Value m : dealloc.getMemrefs())
      ++timesFreed[m];
    for (auto it : llvm::zip(dealloc.getMemrefs(), dealloc.getConditions())) {
      Value memref = std::get<0>(it), cond = std::get<1>(it);
      auto alloc = memref.getDefiningOp<memref::AllocOp>();
      FailureOr<SmallVector<Value>> closure = failure();
      if (alloc && alloc->getBlock() == block && matchPattern(cond, m_One()))
        closure = mixprec::collectBufferAliases(memref, [&](OpOperand &use) {
          return use.getOwner() == dealloc.getOperation();
        });
      // Not movable: the buffer may be a retained value, or the same buffer
      // as another operand of the dealloc (which frees it once).
      if (failed(closure) || llvm::any_of(*closure, [&](Value v) {
            return retained.contains(v) ||
                   timesFreed.lookup(v) != (v == memref ? 1u : 0u);
          })) {
        keepMemrefs.push_back(memref);
        keepConds.push_back(cond);
        continue;
      }
      Operation *last =
          mixprec::lastUseInBlock(block, *closure, alloc, dealloc);
      if (!last) {
        keepMemrefs.push_back(memref);
        keepConds.push_back(cond);
        continue;
      }
      OpBuilder b(last->getContext());
      b.setInsertionPointAfter(last);
      memref::DeallocOp::create(b, dealloc.getLoc(), memref);
      changed = true;
    }
    if (!changed)
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
