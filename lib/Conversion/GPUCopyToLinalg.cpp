//===- GPUCopyToLinalg.cpp - mp-gpu-copies --------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Conversion/GPUPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mixprec {
#define GEN_PASS_DEF_MPGPUCOPYTOLINALG
#include "mixprec/Conversion/GPUPasses.h.inc"
} // namespace mixprec

using namespace mlir;

namespace {

/// memref.copy between device buffers to linalg.copy, so that it becomes a
/// kernel (handles strided views) like every other linalg op.
struct CopyToLinalgPass
    : mixprec::impl::MPGPUCopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    if (mixprec::isHostHelper(getOperation()))
      return;
    mixprec::HostBuffers host = mixprec::findHostBuffers(getOperation());
    getOperation().walk([&](memref::CopyOp copy) {
      if (mixprec::isHostBuffer(copy.getSource(), host) ||
          mixprec::isHostBuffer(copy.getTarget(), host))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
