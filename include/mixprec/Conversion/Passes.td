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

#endif // MIXPREC_CONVERSION_PASSES
