//===- CPUPasses.h - mixprec CPU code generation passes ---------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_CPUPASSES_H
#define MIXPREC_CONVERSION_CPUPASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace affine {
class AffineDialect;
} // namespace affine
namespace arith {
class ArithDialect;
} // namespace arith
namespace math {
class MathDialect;
} // namespace math
namespace vector {
class VectorDialect;
} // namespace vector
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace tensor {
class TensorDialect;
} // namespace tensor
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace mlir::mp {
#define GEN_PASS_DECL
#include "mixprec/Conversion/CPUPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixprec/Conversion/CPUPasses.h.inc"
} // namespace mlir::mp

#endif // MIXPREC_CONVERSION_CPUPASSES_H
