//===- Passes.td - mixprec Codegen/CPU passes --------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Code generation passes of the host CPU pipeline (mp-to-cpu).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CODEGEN_CPU_PASSES
#define MIXPREC_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def MPFuseElementwise : Pass<"mp-fuse-elementwise", "func::FuncOp"> {
  let summary = "Elementwise linalg fusion that leaves contractions alone";
  let description = [{
    On tensors: upstream `linalg-fuse-elementwise-ops` (producer/consumer
    fusion of elementwise `linalg.generic`s, reshape propagation by
    expansion, constant folding) with these differences. Contractions and
    convolutions (`linalg::isaContractionOpInterface` /
    `isaConvolutionOpInterface`) are never fused and no
    `tensor.expand_shape` / `tensor.collapse_shape` is propagated through
    them; other named linalg ops (not fills) are generalized first. A
    producer is fused into its single use only, not when it is 0-d, and not
    when the fused op would have more than `max-operands` operands. Cheap
    elementwise generics (all parallel, at most 6 arith ops) with several
    uses that can all fuse them get one copy per use. An `scf.if` with
    tensor results, a side-effect-free then-branch and an else-branch that
    only yields outer values becomes the then-code and an `arith.select`
    per result; a full reduction into 0-d outputs and an elementwise
    generic over the same static loop ranges reading one of its inputs with
    the same map become one generic (where the op order allows). Values are
    unchanged.

    ```
    mp-opt --mp-fuse-elementwise in.mlir
    ```
  }];
  let options = [
    Option<"maxOperands", "max-operands", "unsigned", /*default=*/"32",
           "Most operands of an op made by fusion. Upstream fuses a chain of "
           "k elementwise ops (the k gradient contributions of a weight used "
           "k times) one op at a time into one k-input generic, cloning the "
           "growing op each time: quadratic in k. With the bound, long "
           "chains become a sequence of bounded generics; every element "
           "still goes through the same scalar ops in the same order.">
  ];
  let dependentDialects = ["linalg::LinalgDialect", "tensor::TensorDialect",
                           "affine::AffineDialect"];
}

def MPFuseCastsIntoContractions
    : Pass<"mp-fuse-casts-into-contractions", "::mlir::func::FuncOp"> {
  let summary = "Fold the rounding of a contraction's operands into it";
  let description = [{
    On tensors, after elementwise ops became `linalg.generic`s: an operand of
    a contraction (`linalg.matmul`, `linalg.batch_matmul`, or a contraction
    `linalg.generic` with one M, N and K dimension) that is an elementwise
    `arith.truncf` (f32 -> bf16 or f16) of a **function argument** is
    replaced by the argument itself, and the rounding moves into the
    contraction's body:

    ```mlir
    %w16 = linalg.generic {...} ins(%w : tensor<KxNxf32>) { truncf }
    %y = linalg.matmul ins(%x16, %w16 : ...bf16, ...bf16) outs(%acc : ...f32)
    // becomes
    %y = linalg.generic {matmul maps} ins(%x16, %w : ...bf16, ...f32) {
      ^bb0(%a: bf16, %b: f32, %c: f32):
        %b16 = arith.truncf %b : f32 to bf16
        %a32 = arith.extf %a : bf16 to f32
        %b32 = arith.extf %b16 : bf16 to f32
        ... mulf, addf, yield
    }
    ```

    Values are unchanged (the product still sees the rounded operand); the
    cast generic is erased when nothing else reads it.
    `mp-contractions-to-runtime` maps such an operand to the runtime's
    `f32tobf16` / `f32tof16` kinds. Casts of values computed inside the
    function (activations) are left alone.

    ```
    mp-opt --mp-fuse-casts-into-contractions in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect"];
}

def MPReuseDeadOperands : Pass<"mp-reuse-dead-operands", "::mlir::func::FuncOp"> {
  let summary = "Let elementwise ops write into an input that dies there";
  let description = [{
    On tensors, before one-shot bufferization: an all-parallel
    `linalg.generic` whose init is a `tensor.empty` (its value unused by the
    body) gets, instead, one of its inputs as init when that input

    - has the init's type and indexing map and is read by this op through
      that one operand only,
    - lives in a buffer the function allocates itself: the result of
      destination-style ops whose init chain starts at a `tensor.empty`
      (not an argument, which is the caller's buffer, not a view such as a
      reshape of an argument, not a constant),
    - has no later reader: every other use is a plain input of a
      destination-style op that comes earlier in the same block.

    Values are unchanged: each element is read before it is overwritten,
    at the same index. Bufferization's own analysis still decides whether
    the result is written in place; this pass only offers the buffer.

    ```
    mp-opt --mp-reuse-dead-operands in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MPContractionsToRuntime
    : Pass<"mp-contractions-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Lower contractions on buffers to the CPU runtime's GEMMs";
  let description = [{
    `linalg.matmul`, `linalg.batch_matmul` and contraction `linalg.generic`s
    (one M, N and K dimension, at most one batch dimension, body
    `acc + conv(a) * conv(b)` in f32) on memrefs become calls of
    `mp_rt_matmul_<A>_<B>_<C>` / `mp_rt_batch_matmul_<A>_<B>_<C>` of
    `runtime/cpu` (tagged `llvm.emit_c_interface`), with each operand passed
    as a fully dynamic strided view in (batch, rows, cols) order; transposed
    operands are `memref.transpose` views (no copy). An operand's kind is
    its storage type (`f32`, `bf16`, `f16`), or `f32tobf16` / `f32tof16`
    for f32 storage rounded by `truncf` + `extf` in the body. Other element
    types, bodies, dynamic-rank or multi-dimensional contractions keep the
    loop lowering. The epilogue: when the f32 output is a local buffer
    that only a constant fill, the contraction, deallocs and readers that
    round each element to bf16 / f16 first (`arith.truncf`, what
    mp-autocast's compute-output=compute leaves) touch, the output becomes
    a half buffer the runtime writes rounded (C kind `bf16` / `f16`: f32
    accumulation, one rounding, no f32 copy of the output) and the readers
    take the half element in place of their `truncf`.

    Fused epilogues (`fuse-epilogues`, default on): when that output's only
    reader is a bias add along the columns, optionally followed by ReLU
    (`arith.maximumf(x, 0.0)`), computed in the half type
    (`addf(truncf(c), truncf(bias) | bias)`: mp-autocast's `x.W + b`), the
    contraction and the reader become one call of
    `mp_rt_matmul_ep_<A>_<B>_<C>(A, B, Out, bias, bias-kind, act)` writing
    the reader's half output (filled with the accumulator's fill value)
    with the reader's roundings, bit for bit: no half temporary either.

    Packed-B cache: a rank-2 contraction whose B is a chain of views of an
    argument of its function, where that function writes none of its
    memref arguments nor anything that may alias one (BufferAliases.h; a
    call that takes one counts as a write; its return and deallocs do not),
    calls the `_cached` entry point (`mp_rt_matmul_cached_...`,
    `mp_rt_matmul_ep_cached_...`: B's packed panels are kept), and the
    function calls `mp_rt_pack_cache_begin_step` at entry and
    `mp_rt_pack_cache_end_step` before each return (docs/running.md).

    ```
    mp-opt --mp-contractions-to-runtime in.mlir
    mp-opt --mp-contractions-to-runtime=fuse-epilogues=0 in.mlir
    ```
  }];
  let options = [
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Fuse a bias add (+ ReLU) reader of a half output into the GEMM call">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect"];
}

def MPOutlineLoopNests
    : Pass<"mp-outline-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Move the loop nests of a huge function into functions of "
                "their own";
  let description = [{
    On loops (after `convert-linalg-to-loops`, before `scf` is lowered to
    `cf`): in a function whose body holds at least `min-loops` top-level
    `scf.for` / `scf.parallel` nests, each such nest becomes a private
    function `@<name>_loop<N>` (`passthrough = ["noinline"]`, so that LLVM
    does not inline it back) taking the values the nest uses from outside
    (constants are cloned in), returning its results, and called in its
    place. The computed values are the same. Functions with fewer nests,
    and external functions, are left alone. `mp-to-cpu` runs it when its
    `outline-min-loops` option is non-zero (256 by default).

    ```
    mp-opt --mp-outline-loop-nests="min-loops=2" in.mlir
    ```
  }];
  let options = [
    Option<"minLoops", "min-loops", "unsigned", /*default=*/"256",
           "Outline only in functions with at least this many top-level "
           "loop nests">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def MPOutlineParallelLoops
    : Pass<"mp-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Outline linalg ops on buffers into loop nests split along "
                "a parallel loop";
  let description = [{
    On buffers, before `mp-linalg-to-loops`: a `linalg` op (any structured
    op: generic, fill, copy, reduce, ...) with a loop `d` that

    - is parallel and named by every output's indexing map (a projected
      permutation), so that two iterations of `d` write disjoint elements,
    - is the outermost such loop whose static extent is not 1,

    of an op whose body has no side effects and whose inputs read an
    output's buffer only as that same operand at the same index, and whose
    work (iterations of the whole nest x (body ops + operands)) is at least
    `min-work`, becomes a private function `@<caller>_par<N>(%begin: index,
    %end: index, captured...)` (`passthrough = ["noinline"]`) holding the op's
    `scf.for` nest (`linalg::linalgOpToLoops`, loops in the op's order) with
    loop `d` running from `%begin` to `%end`, and a call of it over the
    whole range `[0, extent(d))` marked `mp_parallel_for`. Only a loop's
    range is split, never a reduction: every element is computed by the
    same scalar ops in the same order, so any partition gives the same
    bits. With a dynamic extent the work is computed at run time and an
    `scf.if` picks the marked call or the same call unmarked (serial).
    Unmarked, or without `mp-parallel-calls-to-runtime`, the call runs the
    loops serially. When every memref the function takes is rooted (through
    views) at an allocation, a global or an argument of the caller, it is
    tagged `mp_noalias_args`: its memrefs are then distinct buffers (the
    conditions above; the caller's arguments are assumed not to overlap),
    which `mp-parallel-calls-to-runtime` turns into `llvm.noalias`. Reductions whose only parallel loops write one element
    (a full sum), and ops with less work, are left for `mp-linalg-to-loops`.

    ```
    mp-opt --mp-outline-parallel-loops="min-work=1" in.mlir
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "uint64_t", /*default=*/"65536",
           "Outline only nests with at least this much work (iterations x "
           "(body ops + operands)): below it the threads' dispatch costs "
           "more than it saves">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect"];
}

def MPParallelCallsToRuntime
    : Pass<"mp-parallel-calls-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Run the calls marked mp_parallel_for on the runtime's "
                "thread pool (LLVM dialect)";
  let description = [{
    On the LLVM dialect (after `convert-to-llvm`): an `llvm.call @f(%begin,
    %end, %args...)` marked `mp_parallel_for` (from
    `mp-outline-parallel-loops`) becomes

    ```mlir
    // the %args that differ between the calls of @f stored to 8-byte
    // slots of a stack buffer %ctx, allocated once in the caller's entry
    // block
    llvm.call @mp_rt_parallel_for(@f_task, %ctx, %begin, %end)
    ```

    where the internal `@f_task(%ctx, %b, %e)` loads the slots and calls
    `@f(%b, %e, slots...)`. Only what differs between the marked calls of
    one `@f` takes a slot: an argument that is the same constant at all of
    them (a static memref's sizes, strides and offset, also read out of an
    `llvm.insertvalue` chain) is that constant in `@f_task`; one that is the
    same value as an earlier argument at all of them (a buffer's allocated
    and aligned pointers) is that argument's load again; one `@f` never
    reads is `llvm.mlir.poison` (unless it carries an argument attribute).
    `mp-to-cpu` runs this pass after its last canonicalizer, where dead
    descriptor fields have no use left. `mp_rt_parallel_for` (runtime/cpu) runs
    `@f_task` over a partition of `[begin, end)` into contiguous ranges on
    the GEMMs' thread pool (`MIXPREC_NUM_THREADS`). A callee tagged
    `mp_noalias_args` gets `llvm.noalias` on its pointer arguments (the
    vectorizer then needs no overlap checks, of which it allows only a
    few per loop). A marked call whose
    callee is indirect or returns values, whose first two operands are not
    `i64`, or with an operand wider than 8 bytes (vectors, structs) is an
    error.

    ```
    mp-opt --mp-parallel-calls-to-runtime in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def MPReassociateReductions
    : Pass<"mp-reassociate-reductions", "func::FuncOp"> {
  let summary = "Mark the combiners of float reductions reassociable";
  let description = [{
    For every `linalg` op with a reduction loop, the op that combines a
    value into an output accumulated over that loop (`arith.addf`,
    `arith.maximumf`, `arith.minimumf`, `arith.maxnumf`, `arith.minnumf`,
    with the output's block argument as one operand, used nowhere else,
    and the result yielded) gets the `reassoc` fast-math flag, so that
    LLVM's loop vectorizer can vectorize the reduction. Max and min results
    do not change; sums (marked unless `sums=false`) may change in the last
    bits. Other combiners, integer ones included, are left alone.

    ```
    mp-opt --mp-reassociate-reductions in.mlir
    ```
  }];
  let options = [
    Option<"sums", "sums", "bool", /*default=*/"true",
           "also reassociate addf reductions (changes rounding); max/min "
           "are always marked">
  ];
  let dependentDialects = ["arith::ArithDialect"];
}

def MPIntegerHalfSelects : Pass<"mp-integer-half-selects"> {
  let summary = "Keep bf16/f16 selects, loads and stores in i16 (LLVM dialect)";
  let description = [{
    On the LLVM dialect: `llvm.select` on `bf16` / `f16` (scalars or
    vectors) becomes a select of their bits as `i16` between bitcasts; a
    store of such a bitcast stores the `i16` bits, and an `i16` bitcast of
    a half load (its only use) loads `i16`. Values are unchanged (bits
    move). Other ops are not rewritten, but the greedy driver erases
    trivially dead ones (unused side-effect-free ops); folding is left to the
    canonicalizer that follows in `mp-to-cpu`.

    ```
    mp-opt --mp-integer-half-selects in.mlir
    ```
  }];
  let dependentDialects = ["LLVM::LLVMDialect"];
}

def MPBoundAliasSets : Pass<"mp-bound-alias-sets", "::mlir::func::FuncOp"> {
  let summary = "Copy tensors to bound in-place chains and fan-outs before "
                "bufferization";
  let description = [{
    On tensors, before one-shot bufferization: every `max-chain`-th link of
    a chain of destination-style ops writing into the previous one's result
    gets a copy of its init (`linalg.copy` into a `tensor.empty`); the
    destination-style readers of one value in a block are grouped by
    `max-readers` in program order and each group after the first reads
    its own copy. Values are unchanged (copies are exact); one-shot
    bufferization's conflict analysis stays linear on long training steps.

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-bound-alias-sets{max-chain=2 max-readers=2}))' in.mlir
    ```
  }];
  let options = [
    Option<"maxChain", "max-chain", "unsigned", /*default=*/"32",
           "Longest in-place chain left intact">,
    Option<"maxReaders", "max-readers", "unsigned", /*default=*/"32",
           "Most destination-style readers of one tensor value">
  ];
  let statistics = [
    Statistic<"numChainCopies", "chain-copies",
              "Copies inserted to split in-place chains">,
    Statistic<"numFanoutCopies", "fanout-copies",
              "Copies inserted to split wide fan-outs">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MPSCFToCF : Pass<"mp-scf-to-cf", "::mlir::ModuleOp"> {
  let summary = "Lower scf to cf, last loop of a block first";
  let description = [{
    The rewrites of `convert-scf-to-cf`
    (`populateSCFToControlFlowConversionPatterns`) applied by the greedy
    driver bottom-up, without folding or region simplification, so that the
    last loop of a block is lowered first (linear, not quadratic, in the
    loops of a block). Like every greedy rewrite, it also erases trivially
    dead ops (unused side-effect-free ops), in functions without scf too.
    Fails with a diagnostic if an scf op is left.

    ```
    mp-opt --mp-scf-to-cf in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::cf::ControlFlowDialect",
                           "::mlir::arith::ArithDialect"];
}

def MPConvertToLLVM : Pass<"mp-convert-to-llvm", "::mlir::ModuleOp"> {
  let summary = "convert-to-llvm, with static allocations as one call";
  let description = [{
    Upstream's `convert-to-llvm` (the patterns of every loaded dialect that
    implements `ConvertToLLVMPatternInterface`, the default
    `LLVMTypeConverter`) with two differences:

    - A `memref.alloc` of a static, non-empty shape with the identity
      layout, the default memory space and a scalar element type (i1, i8,
      i16, i32, i64, index, f16, bf16, f32, f64) becomes one call with its
      byte size computed here: `aligned_alloc(A, size rounded up to A)` when
      it has `alignment = A`, `malloc(size)` without; allocated and aligned
      pointer are the same. Upstream's lowering computes the size at run
      time (`getelementptr` on null, `ptrtoint`) and aligns a `malloc`ed
      pointer by hand (`add`, `urem`, `sub`, `inttoptr`): ten LLVM ops per
      allocation that the LLVM dialect's canonicalizer does not fold. A
      training step allocates every saved activation, so that was most of
      the code of a deep step (160,000 of the 227,000 LLVM-dialect ops of the
      2,500-layer chain). `memref.dealloc` is unchanged: `free` of the
      allocated pointer is right for both. Other allocations (dynamic sizes,
      layouts, memory spaces, vector or struct elements) are lowered as
      upstream does.
    - The one-shot conversion driver (`allowPatternRollback = false`,
      `rollback=false`, the default): no undo log, about a quarter faster on
      a large step. `rollback=true` uses upstream's default driver.

    Unlike upstream's, an op left unconverted (one no pattern applies to,
    e.g. arith on tensors) is an error at that op, not a module that fails
    later in the translation to LLVM IR. The patterns are
    `mp::populateStaticAllocToLLVMPatterns`, for other conversions to reuse.

    ```
    mp-opt --mp-convert-to-llvm --reconcile-unrealized-casts in.mlir
    ```
  }];
  let options = [
    Option<"rollback", "rollback", "bool", /*default=*/"false",
           "Convert with pattern rollback (upstream's default driver)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def MPExpandStridedMetadata : Pass<"mp-expand-strided-metadata"> {
  let summary = "expand-strided-metadata without region simplification";
  let description = [{
    Upstream's `populateExpandStridedMetadataPatterns` with the greedy
    driver's folding and dead-code removal but without region
    simplification: memref views become `memref.reinterpret_cast`s of
    their base buffer with explicit offsets, sizes and strides.

    ```
    mp-opt --mp-expand-strided-metadata in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def MPLinalgToLoops : Pass<"mp-linalg-to-loops", "::mlir::func::FuncOp"> {
  let summary = "convert-linalg-to-loops without region simplification";
  let description = [{
    Linalg ops on buffers become `scf.for` nests
    (`linalg::linalgOpToLoops`), with the `memref.dim`, `tensor.dim` and
    `affine.apply` canonicalizations and folding of single-operand or
    constant `affine.apply`s, applied greedily without region
    simplification. Linalg ops on tensors are left alone.

    ```
    mp-opt --pass-pipeline='builtin.module(func.func(mp-linalg-to-loops))' in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect"];
}

#endif // MIXPREC_CODEGEN_CPU_PASSES
