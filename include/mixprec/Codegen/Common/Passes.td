//===- Passes.td - mixprec Codegen/Common passes -----------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Code generation passes shared by the CPU (mp-to-cpu) and NVIDIA GPU
// (mp-to-nvptx) pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CODEGEN_COMMON_PASSES
#define MIXPREC_CODEGEN_COMMON_PASSES

include "mlir/Pass/PassBase.td"

def MPReuseDeadBuffers
    : Pass<"mp-reuse-dead-buffers", "::mlir::func::FuncOp"> {
  let summary = "Let a linalg op write its result into an input buffer that "
                "dies there";
  let description = [{
    On buffers, after one-shot bufferization and before deallocation: a
    `linalg.generic` whose output buffer is a `memref.alloc` of the same
    block that nothing uses before the op (and whose old contents the body
    does not read) writes, instead, into one of its input buffers when that
    input

    - is a `memref.alloc` of the same block with the same type,
    - is read by the op through that one operand, with the output's
      indexing map, and that map is a permutation of all the loops (the
      iterators may still be reductions),
    - has no use, through itself or any alias (those followed by
      `mp-dealloc-at-last-use`), after the op, and is not passed on
      (returned, yielded from a loop).

    The output allocation is then removed. Other ops and buffers are left
    alone; the values computed are unchanged.

    ```
    mp-opt --one-shot-bufferize --mp-reuse-dead-buffers in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def MPUnshareInits : Pass<"mp-unshare-inits", "::mlir::func::FuncOp"> {
  let summary = "Give each destination-style op its own tensor.empty / fill "
                "init";
  let description = [{
    On tensors, before one-shot bufferization: when the init of a
    destination-style op is a `tensor.empty`, or a `linalg.fill` of a
    `tensor.empty`, that has other uses, the op gets a clone of it (and of
    the empty it fills) placed right before the op. Values are unchanged;
    bufferization then writes each op into a buffer of its own instead of
    copying one shared buffer per writer.

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-unshare-inits))' in.mlir
    ```
  }];
}

def MPSinkInits : Pass<"mp-sink-inits", "::mlir::func::FuncOp"> {
  let summary = "Move tensor.empty / linalg.fill inits right before their "
                "first user";
  let description = [{
    On tensors, right before one-shot bufferization. CSE merges an
    accumulator init of the backward (`linalg.fill` of 0 into a
    `tensor.empty`) with an equal one of the forward, so the init is
    defined in the forward. Bufferization allocates a `tensor.empty` where
    it stands, so that buffer (a gradient accumulator, or a full-size f32
    contraction output) would be live from the forward to the backward.

    Every `tensor.empty`, and every `linalg.fill` (on tensors) whose init
    is a `tensor.empty`, moves right before the first operation of its
    block that uses it (the operation, or the one containing the use in a
    region), fills before the empties they fill. Nothing else moves; the
    values are unchanged (the two ops are pure and their operands dominate
    the new place). With `mp-unshare-inits` first, each destination-style
    op has its own init, so the init sits next to the op writing it.

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-sink-inits))' in.mlir
    ```
  }];
}

def MPSinkProducers : Pass<"mp-sink-producers", "::mlir::func::FuncOp"> {
  let summary = "Move a tensor op that allocates right before its first "
                "user when that cannot raise the live bytes";
  let description = [{
    On tensors, before `mp-sink-inits` and one-shot bufferization, which
    allocates a result where its op stands. mp-differentiate emits a
    matmul's adjoint with the lhs cotangent `dX = dY W^T` before the
    weight's `dW = X^T dY`; dX is read only after dW, so its buffer would
    be live across the dW GEMM while X, a saved activation, is still live.

    A memory-effect-free op moves right before the first operation of its
    block that uses it when

    - it is destination-style with at least one fresh init (a
      `tensor.empty`, or a `linalg.fill` on tensors of one), and
    - the bytes of its fresh inits (the new buffers it delays) are at least
      the bytes of its tensor operands defined in the block whose last use
      (counting views of them) it would move later: those it keeps alive
      longer.

    Between the old and the new place the live bytes then drop by the
    first sum and grow by at most the second, so no point gets worse.
    Views (`tensor.expand_shape`, `collapse_shape`, `extract_slice`,
    `cast`) always move: they hold no buffer of their own. Inits stay for
    `mp-sink-inits`. Ops are visited last first, so a chain moves whole;
    ops sunk before the same op keep their order. The new order is kept as
    keys and the block reordered once (no per-move renumbering: 0.3 s on
    the 10,039-op chain of benchmarks/compile_time.py).
    Values are unchanged: only the order of pure ops changes. Shapes that
    are not static are left in place.

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-sink-producers,mp-sink-inits))' in.mlir
    ```
  }];
}

def MPFoldSplatInputs : Pass<"mp-fold-splat-inputs", "::mlir::func::FuncOp"> {
  let summary = "Read splat inputs of linalg.generic as the scalar they splat";
  let description = [{
    On tensors, before one-shot bufferization. A `linalg.generic` input
    that is a `tensor.splat` of a scalar (a runtime value: Adam's bias
    corrections `1 - beta^t`, a loss scale) is removed from the op and its
    block argument replaced by the scalar, which the body then reads from
    above. Bufferization would otherwise allocate and fill a full-size
    buffer per splat (one per parameter shape, live from the first to the
    last op that reads it: 4.5 MiB at the peak of the 2-layer GPT stack's
    Adam step, issue 20). The values computed are unchanged. A splat that
    is left without users is erased. Only inputs (`ins`) are folded, never
    inits; a generic that reads the same splat twice has both inputs
    folded.

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-fold-splat-inputs))' in.mlir
    ```
  }];
}

def MPCombineIfs : Pass<"mp-combine-ifs", "::mlir::func::FuncOp"> {
  let summary = "Merge adjacent scf.if ops on one condition, in one sweep";
  let description = [{
    Every maximal run of `scf.if` ops that follow each other directly in a
    block and test the same `i1` value becomes one `scf.if`: its then
    block holds the then blocks of the run in order, its else block the
    else blocks, and it yields all their results. A use of an earlier
    `scf.if`'s result inside a later one's region reads the value that
    branch yields instead. An `scf.if` without an else region is merged
    only where it has no results (it then contributes nothing to the
    else block).

    Upstream's `CombineIfs` canonicalization does the same two ifs at a
    time, and the canonicalizer revisits each merged op with the
    RegionBranchOpInterface patterns: cubic in the length of the run.
    `ownership-based-buffer-deallocation` emits one
    `scf.if %owned { yield %x } else { clone %x }` per buffer a function
    returns, and on a dynamic-loss-scaling step every condition folds to
    the same skip flag: 433 of them on the 12-layer GPT step (1.1 s of a
    2.6 s MLIR pipeline), 800 take 19 s. `mp-to-cpu` and `mp-to-nvptx`
    run the canonicalizer without `CombineIfs` after deallocation and
    this pass after it (linear: each op is moved once).

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-combine-ifs))' in.mlir
    ```
  }];
  let statistics = [
    Statistic<"numMerged", "merged-ifs", "scf.if ops merged into another">
  ];
}

def MPDeallocAtLastUse
    : Pass<"mp-dealloc-at-last-use", "::mlir::func::FuncOp"> {
  let summary = "Free each owned buffer right after its last use";
  let description = [{
    Runs after `ownership-based-buffer-deallocation` and before
    `bufferization-lower-deallocations`. Takes out of each
    `bufferization.dealloc` every buffer that

    - is a `memref.alloc` of the same block, deallocated unconditionally
      (its ownership condition is the constant `true`),
    - cannot alias a retained value (one the block passes on, e.g. a
      returned result) nor another buffer of the same dealloc: views,
      `memref.cast`, `extract_strided_metadata`'s base buffer,
      `arith.select` and `scf.if` results are followed; any use the pass
      cannot classify (a loop's yield, a `func.return`, a call returning
      memrefs, another dealloc, an unknown op with memref results) keeps
      the buffer where it was,

    and frees it with a `memref.dealloc` right after the last operation of
    the block that uses it or one of its aliases. The results of the
    `bufferization.dealloc` (ownership of the retained values) are
    unchanged; a dealloc left with no buffer is erased (its results become
    `false`). Other buffers are freed at the end of the block as before.

    ```
    mp-opt --ownership-based-buffer-deallocation --mp-dealloc-at-last-use \
           --bufferization-lower-deallocations in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

def MPApproximateMath : Pass<"mp-approximate-math"> {
  let summary = "Polynomial approximations of math functions (CPU and GPU)";
  let description = [{
    Rewrites the `math` ops named in `ops` into upstream's polynomial
    approximations: f32 arithmetic and bit manipulation instead of a libm
    call (CPU) or a libdevice call (GPU); bf16/f16 ops of those kinds are
    computed in f32 (`populateMathF32ExpansionPatterns`). Only the math ops
    and the ops their expansions create are rewritten; other math ops stay.

    `mp-to-cpu` runs it with the default op set when `fast-math` is on;
    `mp-to-nvptx` runs it on each `gpu.module` with `ops=upstream` (every
    op upstream's `populateMathPolynomialApproximationPatterns` selects by
    default), so that kernels need no libdevice.

    ```
    mp-opt --mp-approximate-math="ops=tanh,exp" in.mlir
    mp-opt --pass-pipeline='builtin.module(gpu.module(mp-approximate-math{ops=upstream}))' in.mlir
    ```
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "math op mnemonics to approximate; empty: tanh, erf, exp, "
               "expm1, log, log1p, log2; 'upstream': upstream's default "
               "selection">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def MPStripContractAttrs
    : Pass<"mp-strip-contract-attrs", "::mlir::ModuleOp"> {
  let summary = "Remove the mp.* argument and result attributes of functions";
  let description = [{
    Drops every argument and result attribute whose name starts with `mp.`
    (`mp.updates`, `mp.loss_scale`, `mp.growth_tracker`, `mp.hysteresis`,
    `mp.overflow`, `mp.init`, ...) from the `func.func`s of the module.
    They describe the training-graph contract on tensors and mean nothing
    once signatures are bufferized and lowered. Other attributes stay.
    Both `mp-to-cpu` and `mp-to-nvptx` run it first, so it also rejects,
    with a hint to run `mp-mixed-precision`, any op of the `mp` dialect
    left in the module (e.g. `mp.value_and_grad`).

    ```
    mp-opt --mp-strip-contract-attrs in.mlir
    ```
  }];
}

def MPEmitCInterface : Pass<"mp-emit-c-interface", "::mlir::ModuleOp"> {
  let summary = "Tag public functions with llvm.emit_c_interface";
  let description = [{
    Sets the unit attribute `llvm.emit_c_interface` on every public
    `func.func` that has a body, so that the LLVM lowering emits a
    `_mlir_ciface_<name>` wrapper taking memref descriptors by pointer (the
    C ABI the driver and AOT artifacts call). Private and external functions
    are left alone. Run by the pipelines when `emit-c-interface` is set.

    ```
    mp-opt --mp-emit-c-interface in.mlir
    ```
  }];
}

def MPEmitPackedInterface
    : Pass<"mp-emit-packed-interface", "::mlir::ModuleOp"> {
  let summary = "Add the packed step entry `_mlir_<name>(void **)` to the "
                "C interfaces of an LLVM-dialect module";
  let description = [{
    On a module lowered to the LLVM dialect: for every function `@<name>`
    that has a C interface `@_mlir_ciface_<name>` (see
    `mp-emit-c-interface`), or only for the functions named in `entries`,
    adds

    ```
    llvm.func @_mlir_<name>(%packed: !llvm.ptr)
    ```

    the packed step ABI (one array for any number of arguments and
    results): `packed[i]`, for the function's N arguments, points to the
    memref descriptor `{allocated, aligned, offset, sizes[rank],
    strides[rank]}` of argument i; `packed[N + j]` points to the
    descriptor that receives result j. The wrapper loads the argument
    pointers, calls `_mlir_ciface_<name>` (with a stack buffer for the
    results when there are any) and copies each result descriptor out.
    Functions that already have an `_mlir_<name>` are left alone.

    With `internalize`, the wrapped function and its C interface get
    internal linkage and `alwaysinline`: LLVM inlines both into the packed
    entry, so the step's body is compiled once and its thousands of
    expanded descriptor parameters and aggregate return disappear (the
    driver sets it; the library then exports only `_mlir_<name>`).

    A named entry without a C interface, or a C interface whose arguments
    or results are not memref descriptors, is an error at the function.

    ```
    mp-opt --mp-emit-packed-interface='entries=train_step' lowered.mlir
    ```
  }];
  let options = [
    ListOption<"entries", "entries", "std::string",
               "Functions to wrap (default: every function with a C "
               "interface)">,
    Option<"internalize", "internalize", "bool", /*default=*/"false",
           "Make the wrapped functions and their C interfaces internal and "
           "always-inline (only the packed entry is exported)">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def MPIfPresent : Pass<"mp-if-present", "::mlir::ModuleOp"> {
  let summary = "Run a pipeline only when the module holds an op it rewrites";
  let description = [{
    Walks the module for an op that matches: its name is in `ops`, or its
    dialect is in `dialects`; with `narrow-float`, the op must also have an
    operand or result whose element type is a float other than f32 and f64.
    When one is found, runs the pipelines of `pipeline` on the module, in
    order (each must be anchored on `builtin.module`: anything else is an
    error at the module); otherwise changes nothing and keeps
    all analyses (no conversion walk, no verification).

    ```
    mp-opt --mp-if-present="ops=memref.realloc pipeline=builtin.module(expand-realloc)" in.mlir
    mp-opt --mp-if-present="dialects=math narrow-float=true pipeline=builtin.module(func.func(math-extend-to-supported-types))" in.mlir
    ```
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Full op names that make the pipeline run">,
    ListOption<"dialects", "dialects", "std::string",
               "Dialect namespaces whose ops make the pipeline run">,
    Option<"narrowFloat", "narrow-float", "bool", /*default=*/"false",
           "Count only ops with a bf16/f16/... (not f32/f64) operand or "
           "result">,
    ListOption<"pipeline", "pipeline", "::mlir::OpPassManager",
               "The pipelines to run, in order (each anchored on "
               "builtin.module)">
  ];
}

#endif // MIXPREC_CODEGEN_COMMON_PASSES
