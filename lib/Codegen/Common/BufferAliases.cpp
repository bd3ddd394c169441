//===- BufferAliases.cpp - may-alias sets of buffers ----------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "BufferAliases.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

FailureOr<SmallVector<Value>>
mp::collectBufferAliases(Value root, function_ref<bool(OpOperand &)> accept) {
  llvm::SetVector<Value> closure;
  closure.insert(root);
  for (unsigned i = 0; i < closure.size(); ++i) {
    Value v = closure[i];
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (accept(use))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v) {
          for (Value r : user->getResults())
            if (isa<BaseMemRefType>(r.getType()))
              closure.insert(r);
          continue;
        }
      }
      if (auto meta = dyn_cast<memref::ExtractStridedMetadataOp>(user)) {
        closure.insert(meta.getBaseBuffer());
        continue;
      }
      if (isa<arith::SelectOp>(user)) {
        if (use.getOperandNumber() != 0)
          closure.insert(user->getResult(0));
        continue;
      }
      if (isa<scf::YieldOp>(user)) {
        Operation *parent = user->getParentOp();
        if (!isa<scf::IfOp, scf::IndexSwitchOp, scf::ExecuteRegionOp>(parent))
          return failure();
        closure.insert(parent->getResult(use.getOperandNumber()));
        continue;
      }
      if (isa<bufferization::DeallocOp, memref::DeallocOp,
              bufferization::CloneOp>(user) ||
          user->hasTrait<OpTrait::IsTerminator>())
        return failure();
      // Any other op that returns a memref might return this one.
      if (llvm::any_of(user->getResultTypes(),
                       [](Type t) { return isa<BaseMemRefType>(t); }))
        return failure();
    }
  }
  return SmallVector<Value>(closure.begin(), closure.end());
}

Operation *mp::lastUseInBlock(Block *block, ArrayRef<Value> values,
                              Operation *start, Operation *ignore) {
  Operation *last = start;
  bool outside = false;
  auto consider = [&](Operation *op) {
    if (op == ignore)
      return;
    Operation *at = block->findAncestorOpInBlock(*op);
    if (!at)
      outside = true;
    else if (last->isBeforeInBlock(at))
      last = at;
  };
  for (Value v : values) {
    if (Operation *def = v.getDefiningOp())
      consider(def);
    else
      outside = true; // a block argument: passed in from elsewhere
    for (Operation *user : v.getUsers())
      consider(user);
  }
  return outside ? nullptr : last;
}
