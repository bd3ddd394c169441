//===- CombineIfs.cpp - mp-combine-ifs ------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Adjacent scf.if ops on one condition merged into one, a whole run at a
// time. Upstream's CombineIfs canonicalization merges two at a time; with
// the canonicalizer revisiting every merged op that is cubic in the run's
// length, and ownership-based deallocation emits one such if per returned
// buffer (hundreds on a deep step). See the pass description.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPCOMBINEIFS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// Whether `op` can be merged with its neighbours: an if with results
/// needs an else region to yield them from on the other branch.
bool mergeable(scf::IfOp op) {
  return op.getNumResults() == 0 || !op.getElseRegion().empty();
}

/// Moves the ops of `from` (an scf.if branch, terminated by scf.yield) to
/// the end of `to`, reading the `earlier` results of the run as the values
/// this branch yielded for them (`yielded`, in the same order); appends
/// its own yield operands to `yielded`.
void moveBranch(Region &from, Block *to, ValueRange earlier,
                SmallVectorImpl<Value> &yielded) {
  if (from.empty())
    return;
  for (auto [result, value] : llvm::zip_equal(earlier, yielded))
    result.replaceUsesWithIf(value, [&](OpOperand &use) {
      return from.isAncestor(use.getOwner()->getParentRegion());
    });
  Block &block = from.front();
  auto yield = cast<scf::YieldOp>(block.getTerminator());
  llvm::append_range(yielded, yield.getOperands());
  yield->erase();
  to->getOperations().splice(to->end(), block.getOperations());
}

/// Merges `run` (at least two adjacent ifs on one condition) into one
/// scf.if placed where the first was.
void merge(ArrayRef<scf::IfOp> run) {
  scf::IfOp first = run.front();
  SmallVector<Type> types;
  bool withElse = false;
  for (scf::IfOp op : run) {
    llvm::append_range(types, op.getResultTypes());
    withElse |= !op.getElseRegion().empty();
  }
  OpBuilder b(first);
  auto merged =
      scf::IfOp::create(b, first.getLoc(), types, first.getCondition(),
                        /*addThenBlock=*/true, /*addElseBlock=*/withElse);
  Block *thenBlock = merged.thenBlock();
  Block *elseBlock = withElse ? merged.elseBlock() : nullptr;
  // The blocks come with a terminator where there are no results.
  for (Block *block : {thenBlock, elseBlock})
    if (block && !block->empty())
      block->back().erase();

  SmallVector<Value> earlier, thenValues, elseValues;
  for (scf::IfOp op : run) {
    moveBranch(op.getThenRegion(), thenBlock, earlier, thenValues);
    if (elseBlock)
      moveBranch(op.getElseRegion(), elseBlock, earlier, elseValues);
    llvm::append_range(earlier, op.getResults());
  }
  b.setInsertionPointToEnd(thenBlock);
  scf::YieldOp::create(b, first.getLoc(), thenValues);
  if (elseBlock) {
    b.setInsertionPointToEnd(elseBlock);
    scf::YieldOp::create(b, first.getLoc(), elseValues);
  }
  unsigned next = 0;
  for (scf::IfOp op : run) {
    op->replaceAllUsesWith(merged.getResults().slice(next, op.getNumResults()));
    next += op.getNumResults();
    op->erase();
  }
}

struct CombineIfsPass : mp::impl::MPCombineIfsBase<CombineIfsPass> {
  void runOnOperation() override {
    SmallVector<SmallVector<scf::IfOp>> runs;
    getOperation().walk([&](Block *block) {
      SmallVector<scf::IfOp> run;
      auto flush = [&] {
        if (run.size() > 1)
          runs.push_back(run);
        run.clear();
      };
      for (Operation &op : *block) {
        auto ifOp = dyn_cast<scf::IfOp>(op);
        bool candidate = ifOp && mergeable(ifOp);
        if (candidate && !run.empty() &&
            ifOp.getCondition() == run.front().getCondition()) {
          run.push_back(ifOp);
          continue;
        }
        flush();
        if (candidate)
          run.push_back(ifOp);
      }
      flush();
    });
    if (runs.empty())
      return markAllAnalysesPreserved();
    // Innermost runs first (the walk is post-order): a merged run's ops
    // moved into an outer merged if stay valid.
    for (ArrayRef<scf::IfOp> run : runs) {
      numMerged += run.size() - 1;
      merge(run);
    }
  }
};

} // namespace
