//===- GPUCopyGlobals.cpp - mp-gpu-copy-globals ---------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUCOPYGLOBALS
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// Copies the memref.global ops that kernels reference into their
/// gpu.module (after gpu-kernel-outlining).
struct CopyGlobalsPass : mp::impl::MPGPUCopyGlobalsBase<CopyGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto gm : module.getOps<gpu::GPUModuleOp>()) {
      SymbolTable inner(gm);
      gm.walk([&](memref::GetGlobalOp get) {
        if (inner.lookup(get.getName()))
          return;
        auto global = symbols.lookup<memref::GlobalOp>(get.getName());
        if (!global)
          return;
        OpBuilder b(&gm.getBodyRegion().front(),
                    gm.getBodyRegion().front().begin());
        auto copy = cast<memref::GlobalOp>(b.clone(*global));
        copy.setPrivate();
        inner.insert(copy);
      });
    }
    // Globals no longer used by host code.
    for (auto global :
         llvm::make_early_inc_range(module.getOps<memref::GlobalOp>()))
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }
};

} // namespace
