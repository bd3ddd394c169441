//===- IfPresent.cpp - mp-if-present --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// A conversion pass over a large module walks every op, and the pass manager
// verifies the module afterwards, even when its source ops are all gone:
// mp-if-present runs such a pass only when there is something to convert.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPIFPRESENT
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct IfPresentPass : mp::impl::MPIfPresentBase<IfPresentPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    for (const OpPassManager &pm : pipeline)
      pm.getDependentDialects(registry);
  }

  void runOnOperation() override {
    for (const OpPassManager &pm : pipeline) {
      if (pm.getOpAnchorName() != ModuleOp::getOperationName()) {
        // At the module's location, without the module printed after it.
        mlir::emitError(getOperation().getLoc())
            << "mp-if-present: each pipeline must be anchored on "
               "builtin.module, got '"
            << pm.getOpAnchorName() << "'";
        return signalPassFailure();
      }
    }
    llvm::StringSet<> opNames, dialectNames;
    for (const std::string &name : ops)
      opNames.insert(name);
    for (const std::string &name : dialects)
      dialectNames.insert(name);
    auto narrow = [](Type type) {
      auto f = dyn_cast<FloatType>(getElementTypeOrSelf(type));
      return f && !f.isF32() && !f.isF64();
    };
    auto matches = [&](Operation *op) {
      if (!opNames.contains(op->getName().getStringRef()) &&
          !dialectNames.contains(op->getName().getDialectNamespace()))
        return false;
      return !narrowFloat || llvm::any_of(op->getOperandTypes(), narrow) ||
             llvm::any_of(op->getResultTypes(), narrow);
    };
    WalkResult found = getOperation()->walk([&](Operation *op) {
      return matches(op) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (!found.wasInterrupted())
      return markAllAnalysesPreserved();
    for (const OpPassManager &pm : pipeline) {
      OpPassManager copy = pm;
      if (failed(runPipeline(copy, getOperation())))
        return signalPassFailure();
    }
  }
};
} // namespace
