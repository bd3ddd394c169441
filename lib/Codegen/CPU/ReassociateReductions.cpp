//===- ReassociateReductions.cpp - reassoc flags on reduction combiners ---===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPREASSOCIATEREDUCTIONS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct MPReassociateReductions
    : mp::impl::MPReassociateReductionsBase<MPReassociateReductions> {
  using MPReassociateReductionsBase::MPReassociateReductionsBase;

  void runOnOperation() override {
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.getNumReductionLoops() == 0 || !op.getBlock())
        return;
      auto yield = cast<linalg::YieldOp>(op.getBlock()->getTerminator());
      for (OpOperand &init : op.getDpsInitsMutable()) {
        BlockArgument acc = op.getMatchingBlockArgument(&init);
        unsigned index = init.getOperandNumber() - op.getNumDpsInputs();
        Operation *combiner = yield.getOperand(index).getDefiningOp();
        if (!combiner || combiner->getBlock() != op.getBlock() ||
            !llvm::is_contained(combiner->getOperands(), acc) ||
            !acc.hasOneUse())
          continue;
        bool exact = isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
                         arith::MinNumFOp>(combiner);
        if (!exact && !(sums && isa<arith::AddFOp>(combiner)))
          continue;
        auto fmf = dyn_cast<arith::ArithFastMathInterface>(combiner);
        if (!fmf)
          continue;
        combiner->setAttr(
            fmf.getFastMathAttrName(),
            arith::FastMathFlagsAttr::get(
                &getContext(), fmf.getFastMathFlagsAttr().getValue() |
                                   arith::FastMathFlags::reassoc));
      }
    });
  }
};
} // namespace
