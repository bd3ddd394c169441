//===- MPOps.h - mixprec operations -----------------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPOPS_H
#define MIXPREC_DIALECT_MP_IR_MPOPS_H

#include "mixprec/Dialect/MP/IR/MPAttrs.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/IR/MPInterfaces.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "mixprec/Dialect/MP/IR/MPOps.h.inc"

namespace mlir::mp {

/// The float constant `value` (a `FloatAttr` or a `DenseFPElementsAttr`)
/// converted to the float element type of `type` (a float type or a shaped
/// type of floats), rounding to nearest even: the constant a cast of `value`
/// folds to. Null when `value` is null or not a float constant, or when
/// `type` has no float element type. Shared by `mp.cast` folding and
/// `mp-autocast` (which rematerializes constants in a new type).
TypedAttr convertFloatConstant(Attribute value, Type type);

} // namespace mlir::mp

#endif // MIXPREC_DIALECT_MP_IR_MPOPS_H
