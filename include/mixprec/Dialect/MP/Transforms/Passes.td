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
    In: any op. Out: the same IR after upstream's `canonicalize`, `cse`,
    `canonicalize` with their default options: the canonicalization patterns
    and folders of every loaded dialect run to a fixed point, so identity
    `mp.cast`s, exact round trips (bf16 -> f32 -> bf16) and casts of
    constants fold while a lossy pair (f32 -> bf16 -> f32) is kept; equal
    casts of one value are shared; dead ops are erased. No options. C++:
    `mlir::mp::applyCleanup`.

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
    In: a module. Out: every `mp.value_and_grad @f(args) [scale(%s)]
    {wrt = ...}` replaced by the inlined body of `@f` and a reverse-mode
    backward pass computing the gradients of the `wrt` arguments (of
    `loss * s` with `scale(%s)`), each of its argument's type. Calls in `@f`
    are inlined too, except those marked `no_inline` (all of them with
    `inline-calls=false`): a call of `@g` with active operands becomes a
    call of `@g_fwd` (g's results and the residuals its backward reads) and
    the backward calls `@g_bwd` (residuals and result cotangents in, the
    cotangents of the active arguments out), both private, created once per
    callee and set of active arguments and shared by every call site; a
    private `@g` left without users is erased. `@f` is kept unless it is
    private and has no other user. An op on the differentiated path without
    an adjoint rule ("mp-differentiate: no adjoint rule for 'foo.bar'"),
    recursion, a call to a function without a body or a dynamic shape is an
    error at the op, and the IR is left unchanged. Rules:
    docs/differentiate.md.

    ```
    mp-opt --mp-differentiate examples/mlp.mlir
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::mp::MPDialect"];
  let options = [
    Option<"inlineCalls", "inline-calls", "bool", /*default=*/"true",
           "Inline every call of the loss before differentiating it, except "
           "calls marked no_inline; false: differentiate every call as a call "
           "of a forward and an adjoint function">
  ];
  let statistics = [
    Statistic<"numExpanded", "expanded", "mp.value_and_grad ops expanded">,
    Statistic<"numCallAdjoints", "call-adjoints",
              "forward / adjoint function pairs created for calls">
  ];
}

def MPLossScaling : Pass<"mp-loss-scaling", "::mlir::ModuleOp"> {
  let summary = "Loss scaling, unscale, all-finite check and guarded update";
  let description = [{
    In: a module whose step functions call `mp.value_and_grad` once each,
    at the top level (docs/design.md §2, §6). Out: the loss scale is the
    cotangent seed (`scale(%s)`); the gradients are unscaled (`mp.unscale`,
    in f32), checked with one `mp.all_finite` and, with `clip-norm` > 0,
    clipped by their global L2 norm; every `mp.updates` result is computed
    in an `scf.if` on the check and is its argument on overflow. `dynamic`
    appends the loss-scale state (`mp.loss_scale`, `mp.growth_tracker`,
    `mp.hysteresis` when `hysteresis` > 1) to the arguments and the new
    state plus `mp.overflow` to the results (`mp.update_scale`); `static`
    appends only `mp.overflow`; both then append `tensor<Nxi1>
    {mp.grad_finite = array<i64: ...>}` (one all-finite flag per parameter
    gradient; the array names the step argument of each, -1 for none) and,
    with `grad-norm`, `tensor<f32> {mp.grad_norm}`. With `microbatches` =
    K > 1 every data argument (untied, rank >= 1, not differentiated) gets
    a leading dimension K and an `scf.for` runs `mp.value_and_grad` on each
    micro-batch, summing the loss and the scaled gradients in f32; the mean
    loss is returned and the sums are unscaled by `K * scale` (docs/design.md
    §17). `none` changes nothing unless `microbatches` or `grad-norm` asks
    for it (then without seed, check or guard). A result that
    depends on the gradients without an `mp.updates` tie, and a bad option
    value, are errors. See docs/loss-scaling.md.
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
           "Clip the unscaled gradients to this global L2 norm (0 = off)">,
    Option<"microbatches", "microbatches", "int64_t", "1",
           "Gradient accumulation: data arguments get a leading dimension of "
           "this size; the step sums the f32 gradients of the micro-batches "
           "before one unscale, check and update (1 = off)">,
    Option<"gradNorm", "grad-norm", "bool", "false",
           "Also return the global L2 norm of the unscaled gradients "
           "(tensor<f32> {mp.grad_norm})">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::mp::MPDialect"];
  let statistics = [
    Statistic<"numStepFunctions", "step-functions",
              "Step functions rewritten">,
    Statistic<"numGuardedResults", "guarded-results",
              "mp.updates results guarded by the finite check">
  ];
}

def MPDataParallel : Pass<"mp-data-parallel", "::mlir::ModuleOp"> {
  let summary = "All-reduce the loss and gradients over MPI ranks (mean, f32)";
  let description = [{
    In: a module whose step functions call `mp.value_and_grad` once each
    (after `mp-loss-scaling`, before `mp-differentiate`; docs/design.md §2,
    §16). Out: right after each `mp.value_and_grad`, its loss and every
    gradient are replaced by their mean over the ranks of `MPI_COMM_WORLD`,
    computed in f32: the values are flattened and packed into buckets of at
    most `bucket-bytes` (a value larger than that is reduced alone, without
    a copy), each bucket is summed by one `mpi.allreduce`, multiplied by
    1/N (N from the runtime's `mp_rt_mpi_world_size`, declared in the
    module) and unpacked. Everything after (unscale, finite check, guarded
    update, scale state) is unchanged, so all ranks take the same decision.
    The module gets `dlti.map<"MPI:Implementation" = "MPICH">` unless it
    has one. Errors: no `mp.value_and_grad` in the module, a dynamic shape,
    `target=nvptx` (CPU only), a `backend` other than `mpi`.

    ```
    mp-opt --mp-loss-scaling=mode=dynamic --mp-data-parallel in.mlir
    ```
  }];
  let options = [
    Option<"backend", "backend", "std::string", /*default=*/"\"mpi\"",
           "Communication library: mpi">,
    Option<"bucketBytes", "bucket-bytes", "int64_t", /*default=*/"26214400",
           "Largest bucket of packed values, in bytes of f32 (25 MiB)">,
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target of the step: cpu (nvptx is not supported)">
  ];
  let statistics = [
    Statistic<"numBuckets", "buckets", "All-reduce calls per step">,
    Statistic<"numValues", "values", "Values (loss, gradients) reduced">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::DLTIDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::mpi::MPIDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MPAutocast : Pass<"mp-autocast", "::mlir::ModuleOp"> {
  let summary = "Insert precision casts on forward code per a precision policy";
  let description = [{
    In: a module. Out: every function except step functions (those with
    `mp.value_and_grad`; the `@loss` they reference is rewritten) runs per
    the precision policy (docs/design.md §5, §7): ops classified through
    `PrecisionClassOpInterface` as compute (float inputs in the compute
    dtype, accumulators per `accumulate`, results rounded to the compute
    dtype per `compute-output`), fp32 (inputs widened to f32) or
    follow (the widest float input); unknown ops are left as written, with
    a remark. Overrides, strongest first: `mp.precision`, `keep-fp32`,
    `allow` / `deny` / `follow`. Casts are `mp.cast`, one per (value,
    dtype); argument types never change; f32 results of a function nobody
    references become the output dtype. Bad options are errors; `report`
    writes JSON. See docs/autocast.md.

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
    Option<"computeOutput", "compute-output", "std::string", "\"compute\"",
           "Result type of compute-class ops: compute (the f32 accumulation "
           "rounded to the compute dtype) | f32 (the accumulator as is)">,
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

def MPRangeProbe : Pass<"mp-range-probe", "::mlir::ModuleOp"> {
  let summary = "Probe function: max |x| and f16-underflow fraction of named values";
  let description = [{
    In: a module whose step function `entry` calls `mp.value_and_grad @loss`
    once, with step arguments as operands. Out: the module plus
    `@<entry>_range_probe`, taking the step's arguments, with `@loss`'s body
    (in f32, before any policy) returning `@loss`'s results and a
    `tensor<Nx2xf32>`: per named value (a float tensor op result with a
    NameLoc, e.g. `loc("fc1")`; a repeated name gets `#1`, `#2`, ...) its
    largest magnitude and the fraction of its nonzero elements below
    f16's smallest normal (2^-14); the names are the function attribute
    `range_probe.names`. With `only`, every function the probe does not
    call is erased (for compiling the probe alone) and `name` may then be
    the entry's own (what a driver that looks the entry up before its
    pipeline needs). Used by `mp-run
    --range-report` and `mixprec.range_report`. A step without exactly one
    `mp.value_and_grad`, an operand that is not a step argument, or a loss
    without named values is an error.

    ```
    mp-opt --mp-range-probe="entry=train_step" examples/mlp.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"train_step\"",
           "Step function whose mp.value_and_grad callee is probed">,
    Option<"only", "only", "bool", "false",
           "Erase every function the probe does not call">,
    Option<"name", "name", "std::string", "\"\"",
           "Name of the probe (default <entry>_range_probe); with only=true "
           "it may be the entry's, which is erased">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MPMakeTrainable : Pass<"mp-make-trainable", "::mlir::ModuleOp"> {
  let summary = "Turn an inference function into a training graph (@loss + @train_step)";
  let description = [{
    In: a module with an inference function (`entry`; default: the only
    public function with a body). Out: the training-graph contract of
    docs/design.md §2, like ONNX Runtime's training-artifact generation:
    `@loss(args..., promoted constants..., targets...) -> tensor<f32>` (the
    entry's body; the loss of its float tensor results, computed in f32)
    and `@train_step(loss args..., optimizer state...)` calling
    `mp.value_and_grad @loss` on the params and returning the new params
    and optimizer state, each tied with `mp.updates`, and the loss. Params:
    the float arguments selected by `param-args` (`params=args|both`) and,
    with `params=constants|both`, every top-level float tensor constant of
    at least `min-elements` elements that is not only an accumulator init
    (hoisted to an argument; `mp.init` hint from its value). `loss=mse` and
    `cross-entropy` (softmax over the last dimension, mean over the other
    dimensions) append one target argument per float result, or use
    argument `target-arg`. The entry is erased unless `keep-entry` or it
    has other users. `init-dir` writes the promoted constants' values as
    `.npy`. Bad options and inputs are errors (no IR changed).
    See docs/make-trainable.md.

    ```
    mp-opt --mp-make-trainable="entry=forward loss=cross-entropy optimizer=adam lr=0.001" in.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"\"",
           "Inference function (default: the only public function with a body)">,
    Option<"params", "params", "std::string", "\"args\"",
           "What becomes params: args | constants | both">,
    Option<"paramArgs", "param-args", "std::string", "\"\"",
           "Which float arguments are params: empty (all), a comma-separated "
           "index list (0,2) or a regex on argument names (mp.name, the "
           "argument's NameLoc, else argN)">,
    Option<"minElements", "min-elements", "int64_t", "2",
           "Smallest float tensor constant promoted to a param (>= 1)">,
    Option<"loss", "loss", "std::string", "\"sum\"",
           "Loss of the float results: sum | mse | cross-entropy">,
    Option<"targetArg", "target-arg", "int64_t", "-1",
           "Argument holding the target (mse, cross-entropy); -1 appends "
           "one target argument per float result">,
    Option<"optimizer", "optimizer", "std::string", "\"sgd\"",
           "Update rule: sgd | momentum | adam | adamw (PyTorch semantics)">,
    Option<"lr", "lr", "double", "0.01", "Learning rate (> 0)">,
    Option<"momentum", "momentum", "double", "0.9",
           "Momentum of optimizer=momentum, in [0, 1)">,
    Option<"beta1", "beta1", "double", "0.9",
           "Adam first-moment decay, in [0, 1)">,
    Option<"beta2", "beta2", "double", "0.999",
           "Adam second-moment decay, in [0, 1)">,
    Option<"eps", "eps", "double", "1e-8", "Adam denominator epsilon (> 0)">,
    Option<"weightDecay", "weight-decay", "double", "0.0",
           "L2 penalty added to the gradient (sgd, momentum, adam) or "
           "decoupled decay (adamw); >= 0">,
    Option<"keepEntry", "keep-entry", "bool", "false",
           "Keep the inference function next to @loss and @train_step">,
    Option<"initDir", "init-dir", "std::string", "\"\"",
           "Write the values of the promoted constants to DIR/argN.npy "
           "(N: their @train_step argument), for mp-run --inputs">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::mp::MPDialect"];
  let statistics = [
    Statistic<"numParams", "params", "Params of the training graph">,
    Statistic<"numPromoted", "promoted-constants",
              "Constants promoted to params">,
    Statistic<"numStateArgs", "state-args", "Optimizer state arguments">
  ];
}

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_PASSES_TD
