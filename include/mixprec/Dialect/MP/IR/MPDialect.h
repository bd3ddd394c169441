//===- MPDialect.h - mixprec dialect ----------------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPDIALECT_H
#define MIXPREC_DIALECT_MP_IR_MPDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "mixprec/Dialect/MP/IR/MPOpsDialect.h.inc"

#endif // MIXPREC_DIALECT_MP_IR_MPDIALECT_H
