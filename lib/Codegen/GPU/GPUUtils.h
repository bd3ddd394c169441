//===- GPUUtils.h - host and device buffers of mp-to-nvptx ------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Helpers shared by the mp-gpu-* passes that decide what runs on the host
// and what on the device (mp-gpu-map-loops, mp-gpu-copies,
// mp-gpu-tile-contractions, mp-gpu-memory), and the contraction matching
// and output rounding of the mp-gpu-*-contractions kernels.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_CONVERSION_GPUUTILS_H
#define MIXPREC_LIB_CONVERSION_GPUUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir::mp {

/// Host functions: func.func ops directly in the top-level module (not in
/// a gpu.module).
llvm::SmallVector<mlir::func::FuncOp> hostFunctions(mlir::ModuleOp module);

/// Buffers that stay in host memory: the pointer and ownership arrays of
/// the deallocation helpers (index arrays, buffers passed to a call of a
/// helper or an external function; a host function with a body, e.g. a
/// layer function, takes device buffers) and stack allocations. Every
/// other buffer lives on the device.
using HostBuffers = llvm::DenseSet<mlir::Value>;
HostBuffers findHostBuffers(mlir::func::FuncOp fn);

/// `v`, or a buffer it is a view of (memref.cast, subview, reshapes and the
/// other ViewLikeOpInterface ops), is one of `host` or an index buffer.
bool isHostBuffer(mlir::Value v, const HostBuffers &host);

/// Functions made by the buffer deallocation pipeline run on the host.
bool isHostHelper(mlir::func::FuncOp fn);

/// True if `op` (or an op nested in it) reads or writes a device buffer.
bool touchesDeviceMemory(mlir::Operation *op, const HostBuffers &host);

/// A contraction the mp-gpu-*-contractions passes can tile: a linalg op on
/// buffers with two inputs and one output, static loop ranges,
/// projected-permutation indexing maps, exactly one reduction loop `k` read
/// by both inputs, a parallel loop `m` read by input 0 only, a parallel
/// loop `n` read by input 1 only and at most one more parallel (batch)
/// loop; the output reads every parallel loop and not `k`; a pure payload
/// on int or float elements. linalg.matmul, batch_matmul and the
/// transposed generic contractions of the backward pass all fit.
struct ContractionPlan {
  unsigned m = 0, n = 0, k = 0;
  int batch = -1;
  llvm::SmallVector<int64_t> trips;

  /// The indices an operand read through projected-permutation `map` has
  /// at loop values `m`, `n`, `k` and `batch` (a null `k` for the output).
  llvm::SmallVector<mlir::Value> indices(mlir::AffineMap map, mlir::Value mv,
                                         mlir::Value nv, mlir::Value kv,
                                         mlir::Value batchv) const;
};
std::optional<ContractionPlan> matchContraction(mlir::linalg::LinalgOp op);

/// The rounding of a contraction's f32 result to f16/bf16 (DESIGN.md §15),
/// to be fused into the kernel's epilogue: the output `acc` is a
/// memref.alloc of the contraction's block that only `fill` (an f32
/// scalar, before the contraction), the contraction, one elementwise
/// `consumer` after it and memref.dealloc ops use; the consumer (a
/// linalg.generic with parallel loops) reads `acc` through one input with
/// the identity map, and only as `arith.truncf` to `half`.
struct OutputCast {
  mlir::memref::AllocOp acc;
  mlir::linalg::FillOp fill;
  mlir::linalg::GenericOp consumer;
  mlir::Type half;
};
std::optional<OutputCast> matchOutputCast(mlir::linalg::LinalgOp contraction);

/// At `b` (before the kernel): allocates the `half` buffer the kernel
/// stores its rounded accumulators into and makes the consumer read it
/// (its truncf ops become the block argument). Returns the buffer.
mlir::Value beginOutputCast(mlir::OpBuilder &b, const OutputCast &oc);

/// After the kernel replaced the contraction: erases the fill and the f32
/// buffer; the half buffer is freed where the f32 one was.
void finishOutputCast(const OutputCast &oc, mlir::Value half);

/// The loop dimensions of a projected-permutation map, in result order.
llvm::SmallVector<unsigned> mapDims(mlir::AffineMap map);

/// Points `b` at the start of `launch`'s body, giving the body its
/// gpu.terminator first when it has none yet.
void beginLaunchBody(mlir::OpBuilder &b, mlir::gpu::LaunchOp launch);

} // namespace mlir::mp

#endif // MIXPREC_LIB_CONVERSION_GPUUTILS_H
