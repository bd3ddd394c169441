//===- AdjointOpInterface.td - reverse-mode adjoint rules --*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_ADJOINTOPINTERFACE_TD
#define MIXPREC_DIALECT_MP_TRANSFORMS_ADJOINTOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def MP_AdjointOpInterface : OpInterface<"AdjointOpInterface"> {
  let cppNamespace = "::mlir::mp";
  let description = [{
    The reverse-mode adjoint rule of an op, used by `mp-differentiate`
    (docs/differentiate.md). External models are attached to upstream ops
    (arith, math, tensor, linalg, mp; one file per dialect under
    lib/Dialect/MP/Transforms/AD/); an embedder adds a rule for its own op by
    attaching a model. An op on the differentiated path without this
    interface is reported as "no adjoint rule".

    `emitAdjoint` runs during the reverse sweep, at the builder's insertion
    point (after the forward ops): it reads the adjoints of the op's results
    from `state` (`getAdjoint`, null when a result has none) and adds a
    contribution of the operand's own type to each active operand
    (`addAdjoint`, a no-op for inactive values). It is only called when a
    result has an adjoint and an operand is active; operand and result types
    have static shapes.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits the adjoint of this op; on failure emits a diagnostic at the op.
      }],
      "::llvm::LogicalResult", "emitAdjoint",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::mp::ad::AdjointState &":$state)>,
    InterfaceMethod<[{
        Appends the ops nested in this op (e.g. the scalar ops of a
        linalg.generic body) that its rule would have to differentiate but
        that have no adjoint rule, so that one diagnostic lists every missing
        rule before any IR is built. The default appends nothing.
      }],
      "void", "collectMissingAdjoints",
      (ins "const ::mlir::mp::ad::AdjointState &":$state,
           "::llvm::SmallVectorImpl<::mlir::Operation *> &":$missing),
      /*methodBody=*/[{}], /*defaultImplementation=*/[{ return; }]>,
  ];
}

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_ADJOINTOPINTERFACE_TD
