//===- Passes.h - mixprec conversion passes ---------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_PASSES_H
#define MIXPREC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace mixprec {

#define GEN_PASS_DECL
#include "mixprec/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Conversion/Passes.h.inc"

} // namespace mixprec

#endif // MIXPREC_CONVERSION_PASSES_H
