//===- MPAttrs.h - mixprec attributes ---------------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPATTRS_H
#define MIXPREC_DIALECT_MP_IR_MPATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/APFloat.h"

#include "mixprec/Dialect/MP/IR/MPOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mixprec/Dialect/MP/IR/MPOpsAttributes.h.inc"

namespace mlir::mp {
/// True for the float types a precision policy may name: f32, f16, bf16.
bool isPolicyFloatType(Type type);
} // namespace mlir::mp

#endif // MIXPREC_DIALECT_MP_IR_MPATTRS_H
