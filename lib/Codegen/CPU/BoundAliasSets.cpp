//===- BoundAliasSets.cpp - mp-bound-alias-sets ---------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// One-shot bufferization's conflict analysis visits, for every tensor
// operand of every op, all uses of all values that may share the operand's
// buffer. Two shapes of a large training step make that superlinear, and
// this pass bounds both with exact copies (docs/codegen.md has the figures):
//  - in-place accumulation chains (`%g2 = reduce ins(..) outs(%g1)`, ...),
//    built by mp-differentiate for a parameter used many times: cubic in the
//    chain length; every `max-chain`-th link gets a copy of its init;
//  - values read by very many ops (a shared weight's low-precision copy, a
//    constant): quadratic in the readers; they are grouped by `max-readers`
//    and every group after the first reads its own copy.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPBOUNDALIASSETS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct BoundAliasSetsPass : mp::impl::MPBoundAliasSetsBase<BoundAliasSetsPass> {
  using Base::Base;

  static Value copyOf(OpBuilder &b, Location loc, Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
    Value empty = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
    return linalg::CopyOp::create(b, loc, v, empty).getResult(0);
  }

  void runOnOperation() override {
    unsigned chain = std::max(1u, unsigned(maxChain));
    unsigned readers = std::max(1u, unsigned(maxReaders));
    // Chains: length of the chain ending at each value written by a DPS op.
    DenseMap<Value, unsigned> depth;
    getOperation().walk([&](DestinationStyleOpInterface op) {
      if (!op.hasPureTensorSemantics())
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        unsigned d = depth.lookup(init.get());
        if (d >= chain) {
          OpBuilder b(op);
          init.set(copyOf(b, op.getLoc(), init.get()));
          ++numChainCopies;
          d = 0;
        }
        if (OpResult tied = op.getTiedOpResult(&init))
          depth[tied] = d + 1;
      }
    });
    // Fan-out: per block, the DPS input uses of each ranked tensor value in
    // program order.
    getOperation().walk([&](Block *block) {
      llvm::MapVector<Value, SmallVector<OpOperand *>> uses;
      for (Operation &op : *block) {
        auto dps = dyn_cast<DestinationStyleOpInterface>(&op);
        if (!dps || !dps.hasPureTensorSemantics())
          continue;
        for (OpOperand *in : dps.getDpsInputOperands())
          if (isa<RankedTensorType>(in->get().getType()))
            uses[in->get()].push_back(in);
      }
      for (auto &[value, list] : uses) {
        for (size_t i = readers; i < list.size(); i += readers) {
          Operation *first = list[i]->getOwner();
          OpBuilder b(first);
          Value copy = copyOf(b, first->getLoc(), value);
          ++numFanoutCopies;
          for (size_t j = i, e = std::min(list.size(), i + readers); j < e; ++j)
            list[j]->set(copy);
        }
      }
    });
  }
};
} // namespace
