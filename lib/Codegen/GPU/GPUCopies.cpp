//===- GPUCopies.cpp - mp-gpu-copies --------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUCOPIES
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// memref.copy between device buffers to linalg.copy, so that it becomes a
/// kernel (handles strided views) like every other linalg op.
struct CopyToLinalgPass : mp::impl::MPGPUCopiesBase<CopyToLinalgPass> {
  void runOnOperation() override {
    if (mp::isHostHelper(getOperation()))
      return;
    mp::HostBuffers host = mp::findHostBuffers(getOperation());
    getOperation().walk([&](memref::CopyOp copy) {
      if (mp::isHostBuffer(copy.getSource(), host) ||
          mp::isHostBuffer(copy.getTarget(), host))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
