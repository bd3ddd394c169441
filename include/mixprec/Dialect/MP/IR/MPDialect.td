//===- MPDialect.td - mixprec dialect definition -----------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPDIALECT_TD
#define MIXPREC_DIALECT_MP_IR_MPDIALECT_TD

include "mlir/IR/OpBase.td"

def MP_Dialect : Dialect {
  let name = "mp";
  let cppNamespace = "::mlir::mp";
  let summary = "Mixed-precision training: policy casts, loss scaling, "
                "gradients.";
  let description = [{
    The `mp` dialect carries what a mixed-precision training rewrite needs
    beyond the standard dialects:

    * `mp.cast`, a precision cast inserted by policy (distinct from a user's
      `arith.truncf`/`arith.extf` so that it can be folded, shared, counted
      and reported);
    * `mp.value_and_grad`, the loss and its gradients with respect to chosen
      arguments of a loss function, optionally seeded with a loss scale;
    * `mp.all_finite`, `mp.unscale` and `mp.update_scale`, the pieces of
      dynamic loss scaling;
    * the attributes `#mp.policy<...>` and `#mp.loss_scale<...>`.

    Discardable attributes verified by the dialect:

    * `mp.precision = f32 | bf16 | f16` on any op forces its compute type;
    * `mp.updates = <index>` on a function result ties it to the argument it
      is the new value of;
    * `mp.loss_scale`, `mp.growth_tracker`, `mp.hysteresis` (unit) mark the
      loss-scale state arguments and results; `mp.overflow` (unit) marks the
      skipped-step flag result;
    * `mp.init = "zeros" | "ones" | "glorot" | "normal"` on a function
      argument is a hint for synthetic initialisation (used by `mp-run`
      without `--inputs`), e.g. `"ones"` for a layer-norm scale.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let extraClassDeclaration = [{
    /// Names of the discardable attributes this dialect verifies.
    static constexpr ::llvm::StringLiteral kPrecisionAttrName = "mp.precision";
    static constexpr ::llvm::StringLiteral kUpdatesAttrName = "mp.updates";
    static constexpr ::llvm::StringLiteral kLossScaleAttrName = "mp.loss_scale";
    static constexpr ::llvm::StringLiteral kGrowthTrackerAttrName =
        "mp.growth_tracker";
    static constexpr ::llvm::StringLiteral kHysteresisAttrName =
        "mp.hysteresis";
    static constexpr ::llvm::StringLiteral kOverflowAttrName = "mp.overflow";
    static constexpr ::llvm::StringLiteral kInitAttrName = "mp.init";
    /// A parameter's user-facing name (e.g. "fc1.weight"), on arguments.
    static constexpr ::llvm::StringLiteral kNameAttrName = "mp.name";
    /// tensor<Nxi1> result: one all-finite flag per parameter gradient; the
    /// value is the array of the step arguments the flags describe (-1: not
    /// an argument).
    static constexpr ::llvm::StringLiteral kGradFiniteAttrName =
        "mp.grad_finite";
    /// tensor<f32> result: the global L2 norm of the unscaled gradients.
    static constexpr ::llvm::StringLiteral kGradNormAttrName = "mp.grad_norm";
    /// On the scf.for mp-loss-scaling builds for microbatches=K (value K):
    /// its results are the loss and gradient sums over the micro-batches.
    static constexpr ::llvm::StringLiteral kMicrobatchesAttrName =
        "mp.microbatches";

  private:
    void registerAttributes();
  public:
  }];
}

class MP_Op<string mnemonic, list<Trait> traits = []>
    : Op<MP_Dialect, mnemonic, traits>;

#endif // MIXPREC_DIALECT_MP_IR_MPDIALECT_TD
