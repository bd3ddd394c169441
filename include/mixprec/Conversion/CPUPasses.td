//===- CPUPasses.td - mixprec CPU code generation passes ---*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CONVERSION_CPUPASSES
#define MIXPREC_CONVERSION_CPUPASSES

include "mlir/Pass/PassBase.td"

def MPFuseElementwise : Pass<"mp-fuse-elementwise", "func::FuncOp"> {
  let summary = "Elementwise linalg fusion that leaves contractions alone";
  let description = [{
    Upstream `linalg-fuse-elementwise-ops` (producer/consumer fusion of
    elementwise `linalg.generic`s, reshape propagation by expansion,
    constant folding), with one difference: contractions and convolutions
    (`linalg::isaContractionOpInterface` / `isaConvolutionOpInterface`) are
    never fused with an elementwise producer and no `tensor.expand_shape` /
    `tensor.collapse_shape` is propagated through them. Upstream's pass
    turns `linalg.matmul` on a collapsed `8x64x256` activation into a 4-D
    contraction `linalg.generic` (two M dimensions), often with the bias add
    or the activation of its operand fused into the body; such a generic is
    not a GEMM any more and ends up as a scalar triple loop instead of an
    SGEMM call.

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

def MPApproximateMath : Pass<"mp-approximate-math"> {
  let summary = "Vectorizable polynomial approximations of f32 math functions";
  let description = [{
    Rewrites the `math` ops named in `ops` (f32, and bf16/f16 through f32)
    into MLIR's polynomial approximations (upstream
    `populateMathPolynomialApproximationPatterns`): plain arithmetic and
    bit manipulation instead of a call to libm, so LLVM's loop vectorizer
    turns the loops of GELU (`tanh`, `erf`) and softmax (`exp`) into
    AVX-512 code. A libm call per element is about 20 ns: the scalar `tanhf`
    of GELU and its derivative was the largest non-GEMM cost of the
    transformer step. The approximations are accurate to a few ulp (tanh
    and erf: absolute error about 1e-7 on [-8, 8]; exp, log: relative error
    about 1e-7), far below the bf16 rounding of mixed-precision compute;
    the same code runs under the JIT and in AOT libraries.

    ```
    mp-opt --mp-approximate-math="ops=tanh,exp" in.mlir
    ```
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "math op mnemonics to approximate (empty: the default set "
               "tanh, erf, exp, expm1, log, log1p, log2)">
  ];
  let dependentDialects = ["arith::ArithDialect", "math::MathDialect",
                           "vector::VectorDialect"];
}

def MPReassociateReductions
    : Pass<"mp-reassociate-reductions", "func::FuncOp"> {
  let summary = "Mark the combiners of float reductions reassociable";
  let description = [{
    For every `linalg` op with a reduction loop, the op that combines a
    value into an output accumulated over that loop (`arith.addf`,
    `arith.maximumf`, `arith.minimumf`, `arith.maxnumf`, `arith.minnumf`,
    with the output's block argument as one operand and the result
    yielded) gets the `reassoc` fast-math flag. LLVM's loop vectorizer
    needs it to vectorize a loop-carried float reduction (several partial
    accumulators, combined at the end). Max and min are associative:
    their results do not change. Sums change in the last bits (partial
    sums in 8-16 lanes, then a tree), with an error bound no worse than
    the sequential sum's. Integer reductions (the all-finite `andi`) need
    no flag: LLVM vectorizes them as they are.

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
    a half load loads `i16`. `arith-expand` rounds f32 to bf16 with
    integer code ending in `select(isnan(x), NaN, bitcast(bits))`; on a CPU
    without native bf16 vectors (no avx512_bf16) the X86 backend scalarizes
    a vector select of `bfloat`, so every vectorized f32 -> bf16 loop
    stored its results one 16-bit lane at a time. In `i16` it stays a
    masked blend and a vector store. Values are unchanged (bits move).

    ```
    mp-opt --mp-integer-half-selects in.mlir
    ```
  }];
  let dependentDialects = ["LLVM::LLVMDialect"];
}

#endif // MIXPREC_CONVERSION_CPUPASSES
