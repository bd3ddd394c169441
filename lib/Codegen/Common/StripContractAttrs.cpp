//===- StripContractAttrs.cpp - mp-strip-contract-attrs -------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPSTRIPCONTRACTATTRS
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct StripContractAttrsPass
    : mp::impl::MPStripContractAttrsBase<StripContractAttrsPass> {
  void runOnOperation() override {
    // The first pass of mp-to-cpu and mp-to-nvptx: an mp op left means the
    // training graph did not go through mp-mixed-precision (bufferization
    // would only say "op was not bufferized").
    WalkResult left = getOperation().walk([](Operation *op) {
      if (!isa_and_nonnull<mp::MPDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError() << "'" << op->getName()
                      << "' must be expanded and lowered before code "
                         "generation: run mp-mixed-precision first (e.g. "
                         "--mp-mixed-precision --mp-to-cpu)";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      return signalPassFailure();
    auto isMP = [](NamedAttribute a) {
      return a.getName().getValue().starts_with("mp.");
    };
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
        for (NamedAttribute a :
             llvm::to_vector(cast<FunctionOpInterface>(*fn).getArgAttrs(i)))
          if (isMP(a))
            fn.removeArgAttr(i, a.getName());
      for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
        for (NamedAttribute a :
             llvm::to_vector(cast<FunctionOpInterface>(*fn).getResultAttrs(i)))
          if (isMP(a))
            fn.removeResultAttr(i, a.getName());
    }
  }
};
} // namespace
