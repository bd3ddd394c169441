//===- Passes.td - mp to standard conversion passes --------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_MPTOSTANDARD_PASSES_TD
#define MIXPREC_CONVERSION_MPTOSTANDARD_PASSES_TD

include "mlir/Pass/PassBase.td"

def MPLower : Pass<"mp-lower"> {
  let summary = "Lower mp ops to arith, math, scf, linalg and tensor";
  let description = [{
    A dialect conversion: every `mp` op is illegal. In: IR whose
    `mp.value_and_grad` ops were expanded by `mp-differentiate`. Out: the
    same IR without `mp` ops: `mp.cast` becomes `arith.truncf` /
    `arith.extf`; `mp.unscale` an elementwise `linalg.generic` multiplying
    by `1/scale` in f32; `mp.all_finite` one reduction per operand and an
    `and`; `mp.update_scale` branch-free scalar arith (docs/design.md §6).
    Other ops are left as they are (nothing is folded). An unexpanded
    `mp.value_and_grad` or an `mp` op that cannot be lowered (e.g. on an
    unranked tensor) is an error at the op. No options. The patterns are
    `mlir::mp::populateMPToStandardPatterns`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MIXPREC_CONVERSION_MPTOSTANDARD_PASSES_TD
