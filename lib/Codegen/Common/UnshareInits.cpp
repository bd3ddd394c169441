//===- UnshareInits.cpp - mp-unshare-inits --------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// CSE merges all equal tensor.empty / linalg.fill inits into one value.
// One-shot bufferization then sees N ops writing into the same tensor: each
// write but the last bufferizes out of place (an alloc + a copy of the
// filled buffer), and the conflict analysis over all aliases grows
// superlinearly with N. Cloning the init next to each user avoids both.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPUNSHAREINITS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct UnshareInitsPass : mp::impl::MPUnshareInitsBase<UnshareInitsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<DestinationStyleOpInterface, unsigned>> todo;
    getOperation().walk([&](DestinationStyleOpInterface op) {
      if (!op.hasPureTensorSemantics())
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Operation *def = init.get().getDefiningOp();
        if (!def || def->hasOneUse() || def == op.getOperation())
          continue;
        if (isa<tensor::EmptyOp>(def))
          todo.push_back({op, init.getOperandNumber()});
        else if (auto fill = dyn_cast<linalg::FillOp>(def))
          if (fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
            todo.push_back({op, init.getOperandNumber()});
      }
    });
    for (auto [op, index] : todo) {
      OpOperand &init = op->getOpOperand(index);
      Operation *def = init.get().getDefiningOp();
      if (def->hasOneUse())
        continue;
      OpBuilder b(op);
      if (auto fill = dyn_cast<linalg::FillOp>(def)) {
        Operation *empty = fill.getDpsInits()[0].getDefiningOp();
        Operation *newEmpty = b.clone(*empty);
        IRMapping map;
        map.map(empty->getResult(0), newEmpty->getResult(0));
        init.set(b.clone(*fill, map)->getResult(0));
      } else {
        init.set(b.clone(*def)->getResult(0));
      }
    }
  }
};
} // namespace
