//===- MPInterfaces.h - mixprec op interfaces -------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPINTERFACES_H
#define MIXPREC_DIALECT_MP_IR_MPINTERFACES_H

#include "mixprec/Dialect/MP/IR/MPAttrs.h"
#include "mlir/IR/OpDefinition.h"

#include "mixprec/Dialect/MP/IR/MPInterfaces.h.inc"

#endif // MIXPREC_DIALECT_MP_IR_MPINTERFACES_H
