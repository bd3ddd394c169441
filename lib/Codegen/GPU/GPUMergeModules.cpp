//===- GPUMergeModules.cpp - mp-gpu-merge-modules -------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/StringMap.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUMERGEMODULES
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// Moves all outlined kernels into one gpu.module (`mp_kernels`), so that
/// the artifact embeds one binary, loaded once, and bin/fatbin runs ptxas
/// once.
struct MergeKernelModulesPass
    : mp::impl::MPGPUMergeModulesBase<MergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto modules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() <= 1)
      return;
    OpBuilder b(modules.front());
    auto merged =
        gpu::GPUModuleOp::create(b, modules.front().getLoc(), "mp_kernels");
    SymbolTable mergedSymbols(merged);
    MLIRContext *ctx = &getContext();
    llvm::StringMap<StringAttr> renamed; // "module::kernel" -> new name
    // One counter for all clashes, as SymbolTable::insert numbers them.
    unsigned counter = 0;
    for (gpu::GPUModuleOp gm : modules) {
      // Resolve clashes inside the module first, so that renaming a symbol
      // also updates its uses there (calls, get_global).
      SymbolTable local(gm);
      for (Operation &op :
           llvm::make_early_inc_range(gm.getBodyRegion().front())) {
        auto sym = dyn_cast<SymbolOpInterface>(op);
        if (!sym)
          continue;
        StringAttr oldName = sym.getNameAttr();
        std::string key = (gm.getName() + "::" + oldName.getValue()).str();
        Operation *existing = mergedSymbols.lookup(oldName);
        if (!existing) {
          renamed[key] = oldName;
          continue;
        }
        // The same host constant, copied into several modules: one copy
        // serves all (uses refer to it by name).
        auto global = dyn_cast<memref::GlobalOp>(op);
        auto existingGlobal = dyn_cast<memref::GlobalOp>(existing);
        if (global && existingGlobal &&
            global.getType() == existingGlobal.getType() &&
            global.getConstant() == existingGlobal.getConstant() &&
            global.getInitialValueAttr() ==
                existingGlobal.getInitialValueAttr()) {
          op.erase();
          continue;
        }
        std::string newName;
        do {
          newName = (oldName.getValue() + "_" + Twine(counter++)).str();
        } while (mergedSymbols.lookup(newName) || local.lookup(newName));
        if (failed(local.rename(&op, newName))) {
          op.emitError("mp-gpu-merge-modules: cannot rename to ") << newName;
          return signalPassFailure();
        }
        renamed[key] = StringAttr::get(ctx, newName);
      }
      Block &into = merged.getBodyRegion().front();
      for (Operation &op :
           llvm::make_early_inc_range(gm.getBodyRegion().front())) {
        op.moveBefore(&into, into.end());
        if (isa<SymbolOpInterface>(op))
          mergedSymbols.insert(&op);
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find((launch.getKernelModuleName().getValue() +
                              "::" + launch.getKernelName().getValue())
                                 .str());
      if (it == renamed.end())
        return;
      launch.setKernelAttr(
          SymbolRefAttr::get(StringAttr::get(ctx, "mp_kernels"),
                             {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp gm : modules)
      gm.erase();
  }
};

} // namespace
