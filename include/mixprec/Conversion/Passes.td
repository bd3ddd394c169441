//===- Passes.td - mixprec conversion passes ---------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_PASSES
#define MIXPREC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def MPFuseCastsIntoContractions
    : Pass<"mp-fuse-casts-into-contractions", "::mlir::func::FuncOp"> {
  let summary = "Fold the rounding of a contraction's operands into it";
  let description = [{
    On tensors, after elementwise ops became `linalg.generic`s: an operand of
    a contraction (`linalg.matmul`, `linalg.batch_matmul`, or a contraction
    `linalg.generic`) that is an elementwise `arith.truncf` (f32 -> bf16 or
    f16) of a **function argument** is replaced by the argument itself, and
    the rounding moves into the contraction's body:

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

    The values are unchanged (the product still sees the rounded operand)
    but the half-precision copy of the argument is no longer materialised:
    parameters and inputs stay alive in f32 for the whole step anyway, so
    their bf16/f16 copies were pure extra memory and an extra pass over it.
    `mp-contractions-to-runtime` maps such an operand to the runtime's
    `f32tobf16` / `f32tof16` kinds, which round while packing. Casts of
    values computed inside the function (activations) are left alone: their
    half-precision copy is what the backward pass saves, at half the size.

    ```
    mp-opt --mp-fuse-casts-into-contractions in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect"];
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
    loop lowering.

    ```
    mp-opt --mp-contractions-to-runtime in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def MPReuseDeadOperands : Pass<"mp-reuse-dead-operands", "::mlir::func::FuncOp"> {
  let summary = "Let elementwise ops write into an input that dies there";
  let description = [{
    On tensors, before one-shot bufferization: an all-parallel
    `linalg.generic` whose init is a `tensor.empty` (its value unused by the
    body) gets, instead, one of its inputs as init when that input has the
    init's type and indexing map, is read by this op through that one
    operand only, lives in a buffer the function allocates itself (the
    result of destination-style ops whose init chain starts at a
    `tensor.empty`: not an argument, which is the caller's buffer, not a
    view such as a reshape of an argument, not a constant) and has no later
    reader: every
    other use is in an op that comes earlier in the same block. Each element
    is then read before it is overwritten, at the same index, so
    bufferization can write the result in place into the input's buffer
    instead of allocating a new one. Chains such as gradient -> rounding
    -> unscale -> SGD update then reuse one buffer, which lowers the peak
    memory of the step. Bufferization's own analysis still decides; this
    pass only offers the buffer.

    ```
    mp-opt --mp-reuse-dead-operands in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

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
      indexing map, and that map is a permutation of all the loops (each
      element is read and written at one iteration only, so it is read
      before it is overwritten),
    - has no use, through itself or any alias (see mp-dealloc-at-last-use
      for the aliases followed), after the op, and is not passed on
      (returned, yielded from a loop).

    The output allocation is then removed. This is what
    `mp-reuse-dead-operands` does on tensors, for the ops one-shot
    bufferization will not write in place: a generic with reduction loops,
    such as the all-finite check of dynamic loss scaling fused with the
    optimizer update, which then writes the updated parameter over its
    gradient instead of into a new buffer.

    ```
    mp-opt --one-shot-bufferize --mp-reuse-dead-buffers in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def MPOutlineLoopNests
    : Pass<"mp-outline-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Move the loop nests of a huge function into functions of "
                "their own";
  let description = [{
    On loops (after `convert-linalg-to-loops`, before `scf` is lowered to
    `cf`): in a function whose body holds at least `min-loops` top-level
    `scf.for` / `scf.parallel` nests, each such nest becomes a private
    function `@<name>_loop<N>` (`passthrough = ["noinline"]`: LLVM must not
    inline it back) taking the values the
    nest uses from outside (constants are cloned in), returning its
    results, and called in its place. The computed values are the same.

    Why: LLVM's loop passes (IndVarSimplify, LoopRotate, LoopDeletion) are
    superlinear in the number of loops of one function. The lowered step of
    a deep training graph is one function with thousands of loop nests:
    1,039 input ops took about 10 minutes in LLVM's O3 (94 % in those three
    passes), while the same code split into functions of one nest each is
    linear. Steps with fewer nests (the benchmark MLP and transformer) are
    left alone, so their code does not change. `mp-to-cpu` runs it when its
    `outline-min-loops` option is set (mp-run sets 256).

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

def MPDeallocAtLastUse
    : Pass<"mp-dealloc-at-last-use", "::mlir::func::FuncOp"> {
  let summary = "Free each owned buffer right after its last use";
  let description = [{
    Runs after `ownership-based-buffer-deallocation` and before
    `bufferization-lower-deallocations`. Ownership-based deallocation frees
    the buffers of a block in one `bufferization.dealloc` at the block's
    end, so every temporary of a straight-line training step stays alive
    until the step returns and the step's peak memory is the sum of all its
    temporaries. This pass takes out of that `bufferization.dealloc` each
    buffer that

    - is a `memref.alloc` of the same block, deallocated unconditionally
      (its ownership condition is the constant `true`),
    - cannot alias a retained value (a value the block passes on, e.g. a
      returned result) nor another buffer of the same dealloc: every value
      derived from it (views, `memref.cast`, `extract_strided_metadata`'s
      base buffer, `arith.select`, `scf.if` results) is followed, and any
      use the pass cannot classify (a loop's yield, a `func.return`, a call
      returning memrefs, another dealloc, an unknown op with memref results)
      keeps the buffer where it was,

    and frees it with a `memref.dealloc` right after the last operation of
    the block that uses it or one of its aliases. The results of the
    `bufferization.dealloc` (ownership of the retained values) are
    unchanged: a buffer that cannot alias a retained value never contributed
    to them. Buffers the pass cannot prove safe stay in the
    `bufferization.dealloc` and are freed at the end of the block as before.

    ```
    mp-opt --ownership-based-buffer-deallocation --mp-dealloc-at-last-use \
           --bufferization-lower-deallocations in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

#endif // MIXPREC_CONVERSION_PASSES
