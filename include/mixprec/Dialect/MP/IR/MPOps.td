//===- MPOps.td - mixprec operations -----------------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPOPS_TD
#define MIXPREC_DIALECT_MP_IR_MPOPS_TD

include "mixprec/Dialect/MP/IR/MPDialect.td"
include "mixprec/Dialect/MP/IR/MPAttrs.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

class MP_ScalarTensorOf<Type elt, string desc>
    : Type<And<[IsTensorTypePred,
                CPred<"::llvm::cast<::mlir::TensorType>($_self).hasRank()">,
                CPred<"::llvm::cast<::mlir::TensorType>($_self).getRank() == 0">,
                SubstLeaves<"$_self",
                  "::llvm::cast<::mlir::TensorType>($_self).getElementType()",
                  elt.predicate>]>,
           "0-d tensor of " # desc, "::mlir::RankedTensorType">,
      BuildableType<"::mlir::RankedTensorType::get({}, " # elt.builderCall # ")">;

def MP_F32Scalar : MP_ScalarTensorOf<F32, "f32">;
def MP_I32Scalar : MP_ScalarTensorOf<I32, "i32">;
def MP_I1Scalar : MP_ScalarTensorOf<I1, "i1">;

def MP_FloatLike : AnyTypeOf<[AnyFloat, TensorOf<[AnyFloat]>]>;
def MP_FloatTensor : TensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// mp.cast
//===----------------------------------------------------------------------===//

def MP_CastOp : MP_Op<"cast", [Pure]> {
  let summary = "Precision cast inserted by a precision policy";
  let description = [{
    Converts a float scalar or tensor to another float element type with
    round-to-nearest-even (narrowing) or exactly (widening). It is distinct
    from `arith.truncf`/`arith.extf` so that policy casts can be folded,
    shared, counted and reported; `mp-lower` turns it into those.

    Folding:
    * a cast to the same type is its input;
    * a cast of a cast whose first step is exact (a widening such as
      bf16 -> f32) is a single cast from the original value, and the exact
      round trip bf16 -> f32 -> bf16 is the original value;
    * a lossy pair such as f32 -> bf16 -> f32 is never folded: it rounds;
    * a cast of a float constant is a constant of the new type.

    ```mlir
    %1 = mp.cast %0 : tensor<4x8xf32> to tensor<4x8xbf16>
    ```
  }];
  let arguments = (ins MP_FloatLike:$input);
  let results = (outs MP_FloatLike:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Type":$elementType)>
  ];
  let extraClassDeclaration = [{
    /// True when converting `from` to `to` loses no value (every value of
    /// `from` is representable in `to`).
    static bool isExact(::mlir::FloatType from, ::mlir::FloatType to);
  }];
}

//===----------------------------------------------------------------------===//
// mp.value_and_grad
//===----------------------------------------------------------------------===//

def MP_ValueAndGradOp : MP_Op<"value_and_grad",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
     AttrSizedOperandSegments]> {
  let summary = "Loss and gradients of a loss function";
  let description = [{
    Calls the loss function `callee` on `args` and returns its value (a 0-d
    float tensor) followed by the gradient of the loss with respect to each
    argument listed in `wrt` (strictly increasing argument indices), each of
    the type of its argument.

    With `scale(%s)` the reverse pass is seeded with `%s` instead of 1: the
    gradients returned are those of `loss * s` (the loss itself is not
    scaled). This is where loss scaling enters.

    `mp-differentiate` expands the op into the forward computation and a
    reverse-mode backward pass.

    ```mlir
    %l, %gw = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>}
        : (tensor<4x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>)
    %l2, %gw2 = mp.value_and_grad @loss(%w, %x) scale(%s) {wrt = array<i64: 0>}
        : (tensor<4x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyType>:$args,
                       Optional<MP_F32Scalar>:$scale,
                       DenseI64ArrayAttr:$wrt);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = [{
    $callee `(` $args `)` (`scale` `(` $scale^ `)`)? attr-dict `:`
    functional-type($args, $results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The loss value.
    ::mlir::Value getLoss() { return getResults().front(); }
    /// The gradients, one per `wrt` index.
    ::mlir::ResultRange getGradients() { return getResults().drop_front(); }
  }];
}

//===----------------------------------------------------------------------===//
// mp.all_finite
//===----------------------------------------------------------------------===//

def MP_AllFiniteOp : MP_Op<"all_finite", [Pure]> {
  let summary = "True iff every element of every operand is finite";
  let description = [{
    Returns a 0-d `i1` tensor that is true iff no element of any operand is
    NaN, +Inf or -Inf. One check over all gradients: each is read once.

    ```mlir
    %ok = mp.all_finite %g0, %g1 : tensor<4x4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Variadic<MP_FloatLike>:$inputs);
  let results = (outs MP_I1Scalar:$finite);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// mp.unscale
//===----------------------------------------------------------------------===//

def MP_UnscaleOp : MP_Op<"unscale",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Divide gradients by the loss scale";
  let description = [{
    Multiplies every gradient by `1 / scale`. The reciprocal and the product
    are computed in f32 (a narrower gradient is widened, multiplied and
    rounded back once), so unscaling adds at most one rounding.

    ```mlir
    %u0, %u1 = mp.unscale %g0, %g1 by %scale : tensor<4x4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Variadic<MP_FloatLike>:$gradients, MP_F32Scalar:$scale);
  let results = (outs Variadic<MP_FloatLike>:$results);
  let assemblyFormat = "$gradients `by` $scale attr-dict `:` type($gradients)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// mp.update_scale
//===----------------------------------------------------------------------===//

def MP_UpdateScaleOp : MP_Op<"update_scale",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "One step of the dynamic loss-scale state machine";
  let description = [{
    Given the current scale, growth tracker, optional hysteresis counter and
    whether this step's gradients were finite, returns the next scale,
    tracker and (when given) hysteresis counter, exactly as docs/design.md §6:

    ```
    if finite:
        tracker += 1
        if tracker == growth_interval:
            new = scale * growth_factor
            if isfinite(new): scale = min(new, max)
            tracker = 0
        hysteresis_left = hysteresis
    else:
        tracker = 0
        hysteresis_left -= 1
        if hysteresis_left <= 0:
            scale = max(scale * backoff_factor, min)
            hysteresis_left = hysteresis
    ```

    The hysteresis operand and result are present iff the configuration's
    `hysteresis` is greater than 1. The configuration must be `dynamic`.

    ```mlir
    %s1, %t1 = mp.update_scale %s0, %t0 finite(%ok)
        {config = #mp.loss_scale<dynamic, init = 32768.0, growth_factor = 2.0,
                                 backoff_factor = 0.5, growth_interval = 2000,
                                 min = 1.0, max = 16777216.0, hysteresis = 1>}
    ```
  }];
  let arguments = (ins MP_F32Scalar:$scale, MP_I32Scalar:$tracker,
                       Optional<MP_I32Scalar>:$hysteresis,
                       MP_I1Scalar:$finite, MP_LossScaleAttr:$config);
  let results = (outs MP_F32Scalar:$newScale, MP_I32Scalar:$newTracker,
                      Optional<MP_I32Scalar>:$newHysteresis);
  let assemblyFormat = [{
    $scale `,` $tracker (`hysteresis` `(` $hysteresis^ `)`)?
    `finite` `(` $finite `)` attr-dict
  }];
  let hasVerifier = 1;
}

#endif // MIXPREC_DIALECT_MP_IR_MPOPS_TD
