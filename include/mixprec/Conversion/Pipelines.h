//===- Pipelines.h - mixprec pass pipelines ---------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_PIPELINES_H
#define MIXPREC_CONVERSION_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mixprec {

/// Options of the `mp-to-cpu` pipeline.
struct ToCPUOptions : public mlir::PassPipelineOptions<ToCPUOptions> {
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Tag public functions with llvm.emit_c_interface so "
                     "that they get a _mlir_ciface_ wrapper (C ABI)"),
      llvm::cl::init(true)};
};

/// Tensor IR (func, arith, math, tensor, linalg, scf) to the LLVM dialect for
/// the host CPU: elementwise ops to linalg and fused, bufferization with
/// deallocation, loops, LLVM.
void buildToCPUPipeline(mlir::OpPassManager &pm, const ToCPUOptions &options);

/// Registers the mixprec pipelines with the global registry.
void registerPipelines();

} // namespace mixprec

#endif // MIXPREC_CONVERSION_PIPELINES_H
