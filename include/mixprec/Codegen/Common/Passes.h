//===- Passes.h - mixprec shared code generation passes ---------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Declarations (create functions, options structs) and registration of the
// passes in Codegen/Common/Passes.td. The pass reference is generated from the
// .td file (build/docs/passes/, see docs/passes.md).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CODEGEN_COMMON_PASSES_H
#define MIXPREC_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::mp {

#define GEN_PASS_DECL
#include "mixprec/Codegen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Codegen/Common/Passes.h.inc"

} // namespace mlir::mp

#endif // MIXPREC_CODEGEN_COMMON_PASSES_H
