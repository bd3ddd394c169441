//===- Passes.td - mixprec passes --------------------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD
#define MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MPCleanup : Pass<"mp-cleanup"> {
  let summary = "Fold and share precision casts, canonicalize, CSE, DCE";
  let description = [{
    Runs the canonicalization patterns of every loaded dialect (which
    includes `mp.cast` folding: identity casts, exact round trips such as
    bf16 -> f32 -> bf16, casts of constants) to a fixed point, then common
    subexpression elimination, so that equal casts of one value are shared.
    Dead ops are erased. A lossy pair such as f32 -> bf16 -> f32 is kept.

    ```
    mp-opt --mp-cleanup in.mlir
    ```
  }];
  let statistics = [
    Statistic<"numCastsBefore", "casts-before", "mp.cast ops before cleanup">,
    Statistic<"numCastsAfter", "casts-after", "mp.cast ops after cleanup">
  ];
}

def MPDifferentiate : Pass<"mp-differentiate", "::mlir::ModuleOp"> {
  let summary = "Expand mp.value_and_grad into forward + reverse-mode backward IR";
  let description = [{
    Replaces every `mp.value_and_grad @f(args) [scale(%s)] {wrt = ...}` by
    the inlined body of `@f` (calls inside it inlined too) followed by a
    reverse-mode backward pass that computes the gradients of the `wrt`
    arguments; with `scale(%s)` the cotangent seed is `%s`, so the results
    are the gradients of `loss * s`. Only values on a path from a `wrt`
    argument to the loss get adjoints. Adjoints have the type of their
    primal value: the adjoint of a narrowing cast is the widening cast and
    vice versa, contraction adjoints are contractions (linalg.matmul with
    transposed operands for matmul) run in the forward compute dtype.

    An op on the differentiated path without an adjoint rule, recursion,
    a call to a function without a body, or a dynamic shape is an error at
    the op's location ("mp-differentiate: no adjoint rule for 'foo.bar'");
    the IR is then left unchanged. `@f` is kept, unless it is private and
    has no other user. See docs/differentiate.md for the rules.

    ```
    mp-opt --mp-differentiate examples/mlp.mlir
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::mp::MPDialect"];
  let statistics = [
    Statistic<"numExpanded", "expanded", "mp.value_and_grad ops expanded">
  ];
}

def MPLossScaling : Pass<"mp-loss-scaling", "::mlir::ModuleOp"> {
  let summary = "Loss scaling, unscale, all-finite check and guarded update";
  let description = [{
    Rewrites every step function that calls `mp.value_and_grad` (one call
    per function) for loss scaling (DESIGN §2, §6):

    * the loss scale becomes the cotangent seed (`scale(%s)`);
    * the gradients are unscaled (`mp.unscale`, in f32) and checked with one
      `mp.all_finite` over all of them;
    * with `clip-norm` > 0 they are clipped by their global L2 norm;
    * every result tied with `mp.updates` is computed inside an `scf.if` on
      the check: on overflow it is its argument, bit for bit, and no update
      work runs. A result that depends on the gradients without a tie is an
      error;
    * `dynamic` appends `%scale {mp.loss_scale}`, `%tracker
      {mp.growth_tracker}` (and `%hysteresis {mp.hysteresis}` when
      `hysteresis` > 1) to the arguments and the new state plus
      `tensor<i1> {mp.overflow}` to the results, computed by
      `mp.update_scale`; `static` seeds a constant scale and appends only
      `mp.overflow`; `none` leaves the function unchanged.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"dynamic\"",
           "Loss scaling mode: none | static | dynamic">,
    Option<"initScale", "init-scale", "double", "32768.0",
           "Initial (dynamic) or constant (static) loss scale">,
    Option<"growthFactor", "growth-factor", "double", "2.0",
           "Scale multiplier after growth-interval finite steps (> 1)">,
    Option<"backoffFactor", "backoff-factor", "double", "0.5",
           "Scale multiplier on overflow, in (0, 1)">,
    Option<"growthInterval", "growth-interval", "int64_t", "2000",
           "Consecutive finite steps before the scale grows (>= 1)">,
    Option<"minScale", "min-scale", "double", "1.0",
           "Floor of the scale (0 disables it)">,
    Option<"maxScale", "max-scale", "double", "16777216.0",
           "Cap of the scale (inf disables it)">,
    Option<"hysteresis", "hysteresis", "int64_t", "1",
           "Overflowing steps tolerated before a backoff (>= 1)">,
    Option<"clipNorm", "clip-norm", "double", "0.0",
           "Clip the unscaled gradients to this global L2 norm (0 = off)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numStepFunctions", "step-functions",
              "Step functions rewritten">,
    Statistic<"numGuardedResults", "guarded-results",
              "mp.updates results guarded by the finite check">
  ];
}

def MPLower : Pass<"mp-lower"> {
  let summary = "Lower mp ops to arith, math, scf, linalg and tensor";
  let description = [{
    `mp.cast` becomes `arith.truncf` / `arith.extf`; `mp.unscale` an
    elementwise `linalg.generic` multiplying by `1/scale` in f32;
    `mp.all_finite` one reduction per operand and an `and`;
    `mp.update_scale` scalar arith implementing DESIGN §6 with selects (no
    branches). `mp.value_and_grad` must have been expanded by
    `mp-differentiate` first (an error otherwise). The rewrites are
    available as `mlir::mp::populateMPToStandardPatterns`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MPAutocast : Pass<"mp-autocast", "::mlir::ModuleOp"> {
  let summary = "Insert precision casts on forward code per a precision policy";
  let description = [{
    Rewrites every function of the module (except step functions, which
    contain `mp.value_and_grad`: their optimizer update keeps its types;
    the `@loss` they reference is rewritten) per a precision policy
    (DESIGN §5, §7). Ops are classified through `PrecisionClassOpInterface`:

    * compute (contractions, convolutions): float inputs are cast to the
      compute dtype; accumulators (`outs`) and results keep their type with
      `accumulate=f32`, or take the compute dtype with `accumulate=compute`;
    * fp32 (exp, log, softmax, reductions, ...): float inputs widened to f32;
    * follow (elementwise, data movement): run in the widest precision of
      their float inputs (constants and `tensor.empty` do not count);
    * unknown: left in their input precision, with a remark.

    Overrides, strongest first: the `mp.precision` op attribute,
    `keep-fp32` (regex on NameLoc names), the `allow` / `deny` / `follow`
    op-name lists, then the defaults. Casts are `mp.cast`, one per
    (value, dtype), placed after the value's definition and shared;
    constants and `tensor.empty` are rematerialized in the new type; f32
    arguments are cast once to the param dtype; integer, index, boolean
    and f64 values are never cast. f32 results of a function nobody
    references become the output dtype; a referenced function keeps its
    signature (results are rounded to the output dtype and widened back).
    See docs/autocast.md.

    ```
    mp-opt --mp-autocast="policy=mixed_bfloat16 keep-fp32=attention|output" in.mlir
    ```
  }];
  let options = [
    Option<"policy", "policy", "std::string", "\"mixed_bfloat16\"",
           "Precision policy: a name (mixed_bfloat16, mixed_float16, "
           "float32, bfloat16, half, ...) or params=..,compute=..,output=..">,
    Option<"target", "target", "std::string", "\"cpu\"",
           "Target (decides what half means: bf16 on cpu, f16 on nvptx): "
           "cpu | nvptx">,
    ListOption<"allow", "allow", "std::string",
               "Op names forced to the compute class (e.g. linalg.generic)">,
    ListOption<"deny", "deny", "std::string",
               "Op names forced to the fp32 class">,
    ListOption<"follow", "follow", "std::string",
               "Op names forced to the follow class">,
    Option<"keepFp32", "keep-fp32", "std::string", "\"\"",
           "Regex on NameLoc names: matching ops run in f32 "
           "(e.g. attention|embedding|output)">,
    Option<"accumulate", "accumulate", "std::string", "\"f32\"",
           "Accumulator type of compute-class ops: f32 | compute">,
    Option<"report", "report", "std::string", "\"\"",
           "Write a JSON report (per function) to this path">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::mp::MPDialect"];
  let statistics = [
    Statistic<"numFunctions", "functions", "Functions autocast">,
    Statistic<"numComputeOps", "compute-ops", "Ops run as compute class">,
    Statistic<"numFP32Ops", "fp32-ops", "Ops run as fp32 class">,
    Statistic<"numFollowOps", "follow-ops", "Ops run as follow class">,
    Statistic<"numForcedOps", "forced-ops",
              "Ops whose type mp.precision forces">,
    Statistic<"numUnknownOps", "unknown-ops",
              "Unknown ops left in their input precision">,
    Statistic<"numOpsF32", "ops-f32", "Classified ops running in f32">,
    Statistic<"numOpsBF16", "ops-bf16", "Classified ops running in bf16">,
    Statistic<"numOpsF16", "ops-f16", "Classified ops running in f16">,
    Statistic<"numCasts", "casts-inserted", "mp.cast ops inserted">,
    Statistic<"numConstants", "constants-converted",
              "Constants (and tensor.empty) rematerialized in a new type">,
    Statistic<"paramBytesF32", "param-bytes-f32",
              "Bytes of f32 parameters (static shapes)">,
    Statistic<"paramBytesBF16", "param-bytes-bf16",
              "Bytes of bf16 parameters (static shapes)">,
    Statistic<"paramBytesF16", "param-bytes-f16",
              "Bytes of f16 parameters (static shapes)">,
    Statistic<"activationBytesF32", "activation-bytes-f32",
              "Bytes of f32 activations (static shapes)">,
    Statistic<"activationBytesBF16", "activation-bytes-bf16",
              "Bytes of bf16 activations (static shapes)">,
    Statistic<"activationBytesF16", "activation-bytes-f16",
              "Bytes of f16 activations (static shapes)">
  ];
}

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD
