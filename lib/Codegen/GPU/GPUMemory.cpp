//===- GPUMemory.cpp - mp-gpu-memory --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUMEMORY
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

struct GPUMemoryPass : mp::impl::MPGPUMemoryBase<GPUMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (func::FuncOp fn : mp::hostFunctions(module)) {
      if (mp::isHostHelper(fn))
        continue;
      mp::HostBuffers host = mp::findHostBuffers(fn);
      SmallVector<Operation *> ops;
      fn.walk([&](Operation *op) {
        if (isa<memref::AllocOp, memref::DeallocOp, memref::GetGlobalOp>(op))
          ops.push_back(op);
      });
      for (Operation *op : ops) {
        OpBuilder b(op);
        if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
          if (host.contains(alloc.getResult()) ||
              alloc.getType().getElementType().isIndex())
            continue;
          auto g = gpu::AllocOp::create(
              b, alloc.getLoc(), alloc.getType(), Type(), ValueRange{},
              alloc.getDynamicSizes(), alloc.getSymbolOperands(), false);
          alloc.replaceAllUsesWith(g.getMemref());
          alloc.erase();
        } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
          if (mp::isHostBuffer(dealloc.getMemref(), host))
            continue;
          gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange{},
                                 dealloc.getMemref());
          dealloc.erase();
        } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
          // Sink into each launch that uses it; the global itself is
          // copied into the gpu.module by mp-gpu-copy-globals after
          // outlining.
          for (OpOperand &use : llvm::make_early_inc_range(global->getUses())) {
            auto launch = use.getOwner()->getParentOfType<gpu::LaunchOp>();
            if (!launch)
              continue;
            OpBuilder lb(&launch.getBody().front(),
                         launch.getBody().front().begin());
            Operation *clone = lb.clone(*global);
            use.set(clone->getResult(0));
          }
          if (global->use_empty()) {
            global.erase();
          } else {
            global.emitError("mp-to-nvptx: a constant buffer is used by "
                             "host code, which cannot read device memory");
            return signalPassFailure();
          }
        }
      }
      // Anything still reading or writing device memory on the host?
      WalkResult r = fn.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (isa<gpu::LaunchOp>(op))
          return WalkResult::skip();
        if (isa<memref::LoadOp, memref::StoreOp>(op) &&
            mp::touchesDeviceMemory(op, host)) {
          op->emitError("mp-to-nvptx: host code accesses device memory "
                        "(an op was not mapped to a GPU kernel)");
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (r.wasInterrupted())
        return signalPassFailure();
    }
  }
};

} // namespace
