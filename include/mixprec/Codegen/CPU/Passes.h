//===- Passes.h - mixprec CPU code generation passes ------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Declarations (create functions, options structs) and registration of the
// passes in Codegen/CPU/Passes.td. The pass reference is generated from the
// .td file (build/docs/passes/, see docs/passes.md).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CODEGEN_CPU_PASSES_H
#define MIXPREC_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class LLVMTypeConverter;
class RewritePatternSet;
} // namespace mlir

namespace mlir::mp {

/// Static, scalar-element `memref.alloc`s to one `aligned_alloc` / `malloc`
/// call with the byte size computed at compile time (mp-convert-to-llvm).
void populateStaticAllocToLLVMPatterns(const LLVMTypeConverter &converter,
                                       RewritePatternSet &patterns,
                                       PatternBenefit benefit = 2);

#define GEN_PASS_DECL
#include "mixprec/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Codegen/CPU/Passes.h.inc"

} // namespace mlir::mp

#endif // MIXPREC_CODEGEN_CPU_PASSES_H
