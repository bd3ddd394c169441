//===- MPInterfaces.td - mixprec op interfaces -------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPINTERFACES_TD
#define MIXPREC_DIALECT_MP_IR_MPINTERFACES_TD

include "mlir/IR/OpBase.td"

def MP_PrecisionClassOpInterface : OpInterface<"PrecisionClassOpInterface"> {
  let cppNamespace = "::mlir::mp";
  let description = [{
    Classifies an op for precision policies (docs/design.md §7). External
    models are attached to upstream ops (linalg, arith, math, tensor, tosa)
    so that the autocast pass asks the op, instead of testing a chain of
    `isa<>`.

    * `compute`: runs in the policy's compute dtype; contractions keep their
      accumulator (the operands for which `isAccumulator` is true) in f32;
    * `fp32`: float inputs are widened to f32 (exp, log, softmax,
      reductions, norms, losses);
    * `follow`: runs in the widest precision of its float inputs;
    * `unknown`: left in its input precision, with a remark.
  }];
  let methods = [
    InterfaceMethod<"The op's default precision class.",
      "::mlir::mp::PrecisionClass", "getPrecisionClass", (ins)>,
    InterfaceMethod<[{
        True if `operand` is an accumulator of a contraction (e.g. the `outs`
        of a `linalg.matmul`): it stays in the accumulation type rather than
        being cast to the compute dtype.
      }],
      "bool", "isAccumulator", (ins "::mlir::OpOperand &":$operand), [{}],
      [{ return false; }]>,
  ];
}

#endif // MIXPREC_DIALECT_MP_IR_MPINTERFACES_TD
