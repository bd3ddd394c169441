//===- GPUPasses.h - mixprec GPU (mp-to-nvptx) passes -----------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The helper passes of the mp-to-nvptx pipeline (mp-gpu-*), declared in
// GPUPasses.td: create functions, options structs and registration.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_GPUPASSES_H
#define MIXPREC_CONVERSION_GPUPASSES_H

#include "mlir/Pass/Pass.h"

namespace mixprec {

#define GEN_PASS_DECL
#include "mixprec/Conversion/GPUPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Conversion/GPUPasses.h.inc"

} // namespace mixprec

#endif // MIXPREC_CONVERSION_GPUPASSES_H
