//===- GPUUtils.cpp - host and device buffers of mp-to-nvptx --------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

static Value stripCasts(Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  return v;
}

SmallVector<func::FuncOp> mp::hostFunctions(ModuleOp module) {
  return llvm::to_vector(module.getOps<func::FuncOp>());
}

mp::HostBuffers mp::findHostBuffers(func::FuncOp fn) {
  HostBuffers host;
  fn.walk([&](Operation *op) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      for (Value a : call.getOperands())
        if (isa<MemRefType>(a.getType()))
          host.insert(stripCasts(a));
    } else if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (alloc.getType().getElementType().isIndex())
        host.insert(alloc);
    } else if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      host.insert(alloca);
    }
  });
  return host;
}

bool mp::isHostBuffer(Value v, const HostBuffers &host) {
  // A view (subview, reshape, transpose, cast, ...) of a host buffer is host
  // memory too: follow the chain of views to the buffer.
  while (true) {
    if (host.contains(v) ||
        cast<MemRefType>(v.getType()).getElementType().isIndex())
      return true;
    Operation *def = v.getDefiningOp();
    if (auto castOp = dyn_cast_or_null<memref::CastOp>(def)) {
      v = castOp.getSource();
      continue;
    }
    auto view = dyn_cast_or_null<ViewLikeOpInterface>(def);
    if (!view || !isa<MemRefType>(view.getViewSource().getType()))
      return false;
    v = view.getViewSource();
  }
}

bool mp::isHostHelper(func::FuncOp fn) {
  return fn.getSymName().starts_with("dealloc_helper");
}

bool mp::touchesDeviceMemory(Operation *op, const HostBuffers &host) {
  bool found = false;
  op->walk([&](Operation *o) {
    if (auto load = dyn_cast<memref::LoadOp>(o))
      found |= !isHostBuffer(load.getMemRef(), host);
    else if (auto store = dyn_cast<memref::StoreOp>(o))
      found |= !isHostBuffer(store.getMemRef(), host);
  });
  return found;
}
