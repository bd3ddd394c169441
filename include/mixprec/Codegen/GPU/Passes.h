//===- Passes.h - mixprec GPU code generation passes ------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Declarations (create functions, options structs) and registration of the
// passes in Codegen/GPU/Passes.td. The pass reference is generated from the
// .td file (build/docs/passes/, see docs/passes.md).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CODEGEN_GPU_PASSES_H
#define MIXPREC_CODEGEN_GPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::mp {

#define GEN_PASS_DECL
#include "mixprec/Codegen/GPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Codegen/GPU/Passes.h.inc"

} // namespace mlir::mp

#endif // MIXPREC_CODEGEN_GPU_PASSES_H
