//===- GPUMergeKernelModules.cpp - mp-gpu-merge-modules -------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/GPUPasses.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/StringMap.h"

namespace mixprec {
#define GEN_PASS_DEF_MPGPUMERGEKERNELMODULES
#include "mixprec/Conversion/GPUPasses.h.inc"
} // namespace mixprec

using namespace mlir;

namespace {

/// Moves all outlined kernels into one gpu.module (`mp_kernels`), so that
/// the artifact embeds one binary, loaded once, and bin/fatbin runs ptxas
/// once.
struct MergeKernelModulesPass
    : mixprec::impl::MPGPUMergeKernelModulesBase<MergeKernelModulesPass> {
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
    for (gpu::GPUModuleOp gm : modules) {
      for (Operation &op :
           llvm::make_early_inc_range(gm.getBodyRegion().front())) {
        auto sym = dyn_cast<SymbolOpInterface>(op);
        StringRef oldName = sym ? sym.getName() : "";
        if (sym && isa<memref::GlobalOp>(op) && mergedSymbols.lookup(oldName)) {
          op.erase(); // the same host constant, copied earlier
          continue;
        }
        Block &into = merged.getBodyRegion().front();
        op.moveBefore(&into, into.end());
        if (sym) {
          StringAttr newName = mergedSymbols.insert(&op);
          renamed[(gm.getName() + "::" + oldName).str()] = newName;
        }
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
