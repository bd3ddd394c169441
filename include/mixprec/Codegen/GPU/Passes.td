//===- Passes.td - mixprec Codegen/GPU passes --------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Code generation passes of the NVIDIA GPU pipeline (mp-to-nvptx): the
// steps between upstream passes that turn a training step into device
// kernels and host code.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_CODEGEN_GPU_PASSES
#define MIXPREC_CODEGEN_GPU_PASSES

include "mlir/Pass/PassBase.td"

def MPGPUPredicate
    : Pass<"mp-gpu-predicate", "::mlir::func::FuncOp"> {
  let summary = "Turn side-effect-free scf.if with tensor results (the "
                "skip-step guard) into selects computed on the device";
  let description = [{
    On tensors: an `scf.if %c -> (...)` with an else branch, static tensor
    or scalar results and side-effect-free branches is replaced by both
    branches, inlined, and a select per result that differs between them
    (a result both branches yield unchanged is used as is). A scalar
    result becomes an `arith.select`; a tensor result becomes an
    all-parallel `linalg.generic` that reads the condition from a 0-d
    tensor. When `%c` is `tensor.extract %t[]` of a 0-d tensor, `%t` itself
    is that input; otherwise the condition is wrapped in
    `tensor.from_elements`. Inner `scf.if`s are rewritten first; other
    `scf.if`s are left alone.

    ```mlir
    %finite = tensor.extract %flag[] : tensor<i1>
    %p = scf.if %finite -> (tensor<4xf32>) {
      scf.yield %updated : tensor<4xf32>
    } else {
      scf.yield %old : tensor<4xf32>
    }
    // becomes
    %p = linalg.generic {maps = [() -> (), id, id, id]}
        ins(%flag, %updated, %old : tensor<i1>, ...) outs(%empty : ...) {
      ^bb0(%c: i1, %a: f32, %b: f32, %o: f32):
        %s = arith.select %c, %a, %b : f32
        linalg.yield %s : f32
    }
    ```

    ```
    mp-opt --mp-gpu-predicate in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def MPGPUTensorizeScalars
    : Pass<"mp-gpu-tensorize-scalars", "::mlir::func::FuncOp"> {
  let summary = "Turn host scalar code between 0-d tensors into 0-d "
                "linalg.generic ops (device kernels)";
  let description = [{
    On tensors: a `tensor.from_elements %s : tensor<T>` (0-d) whose element
    `%s` is computed, in the same block, by pure region-free scalar ops from
    constants and `tensor.extract %t[]` of 0-d tensors becomes one 0-d
    `linalg.generic` with those tensors as inputs and the scalar ops cloned
    into its body. Anything else (a non-0-d extract, an op with regions or
    side effects, a value from another block) leaves the op alone.

    ```
    mp-opt --mp-gpu-tensorize-scalars in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MPGPUSplitReductions
    : Pass<"mp-gpu-split-reductions", "::mlir::func::FuncOp"> {
  let summary = "Split full reductions of large tensors into two parallel "
                "stages";
  let description = [{
    On tensors: a `linalg.generic` that reduces whole static tensors (only
    reduction loops, identity input maps, one 0-d output) of at least
    `min-elements` elements is collapsed to 1-D (`tensor.collapse_shape` of
    its inputs) and split with `linalg::splitReduction` by the largest
    ratio between 32 and 1024 that divides the element count: that many
    partial results are computed in parallel, then one thread combines
    them. Reductions whose size has no such divisor, or whose body reads
    `linalg.index`, are left alone.

    ```
    mp-opt --mp-gpu-split-reductions="min-elements=4096" in.mlir
    ```
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", /*default=*/"4096",
           "Split reductions of at least this many elements">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def MPGPUParallelOuter
    : Pass<"mp-gpu-parallel-outer", "::mlir::func::FuncOp"> {
  let summary = "Generalize linalg ops and move parallel loops outermost";
  let description = [{
    Every linalg op whose parallel loops are not already all outside its
    reduction loops is generalized (`linalg::generalizeNamedOp`, for named
    ops) and interchanged (`linalg::interchangeGenericOp`) so that the
    parallel loops come first, in their original order, followed by the
    other loops. Ops whose parallel loops are already outermost are left
    alone; values are unchanged.

    ```
    mp-opt --mp-gpu-parallel-outer in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MPGPUMapLoops : Pass<"mp-gpu-map-loops", "::mlir::ModuleOp"> {
  let summary = "Wrap sequential host loops into single-thread parallel "
                "loops, tile parallel loops and map them to GPU blocks and "
                "threads";
  let description = [{
    On buffers, in each host function (not the deallocation helpers),
    before `convert-parallel-loops-to-gpu`:

    - ops of the function body that touch device buffers but are not
      `scf.parallel` (left-over sequential loops, 0-d code), together with
      the pure ops that follow them and use their results, are grouped
      (consecutive ops) and wrapped into a 1-iteration `scf.parallel`
      mapped to one block (one thread), with every loop inside it
      sequential; a value of such a group used by host code is an error;
    - every other top-level `scf.parallel` is tiled
      (`scf::tileParallelLoop`): the innermost dimension 32 wide (the whole
      block for 1-D loops), then y and z (z at most 64) with what is left
      of `block-size` threads; the tile loop is mapped to blocks and the
      loop inside it to threads, innermost dimension to x (coalesced
      accesses), then y, z, the rest sequential.

    Buffers that stay in host memory (the pointer and ownership arrays of
    the deallocation helpers, stack allocations) are not device buffers.

    ```
    mp-opt --mp-gpu-map-loops="block-size=256" in.mlir
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (at most)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def MPGPUCopies : Pass<"mp-gpu-copies", "::mlir::func::FuncOp"> {
  let summary = "memref.copy of device buffers to linalg.copy";
  let description = [{
    On buffers: each `memref.copy` between two device buffers becomes a
    `linalg.copy` (strided views included). Copies from or to host buffers
    (the deallocation helpers' arrays, stack allocations, and views of
    them) and the functions of the deallocation helpers are left alone.

    ```
    mp-opt --mp-gpu-copies in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MPGPUMMAContractions
    : Pass<"mp-gpu-mma-contractions", "::mlir::func::FuncOp"> {
  let summary = "f16/bf16 contractions on buffers to tensor-core kernels "
                "(nvgpu.ldmatrix + nvgpu.mma.sync m16n8k16, cp.async "
                "double buffering)";
  let description = [{
    On buffers, before `mp-gpu-tile-contractions`, for `chip` sm_80 and
    up: a contraction of the form `mp-gpu-tile-contractions` accepts
    (`linalg.matmul`, `batch_matmul`, the transposed A^T*B and A*B^T
    contractions of the backward pass, matmul-like generics) whose inputs
    are both f16 or both bf16 and whose payload is an f32 multiply-add,
    `out + extf(a) * extf(b)` with an f32 output, or
    `truncf(extf(out) + extf(a) * extf(b))` with an f16/bf16 output (the
    accumulator then stays f32 over the whole K loop and is rounded once,
    at the store), becomes one `gpu.launch` on tensor cores:

    - block tile TM x TN x TK: TM the largest of 128, 64, 32, 16 dividing
      M, TN the largest of 128, 64, 32, 16, 8 dividing N, TK = 32 when 32
      divides K, else 16; the larger of TM, TN is halved (down to 64)
      while the grid has fewer than 132 blocks; the batch loop is
      `blockIdx.z`;
    - up to 8 warps per block, each computing a WM x WN warp tile (WM =
      TM/2 when TM >= 64, else TM; WN = 32 when TN >= 64, else TN) as
      (WM/16) x (WN/8) `nvgpu.mma.sync` m16n8k16
      tiles with `vector<2x2xf32>` accumulators (f32 accumulation);
    - both input tiles are staged in workgroup memory in their global
      layout (the contiguous dimension innermost, rows padded by 8
      elements against bank conflicts) with 16-byte
      `nvgpu.device_async_copy` (cp.async), two stages: the copy of the
      next K tile overlaps the mma of the current one;
    - fragments are read with `nvgpu.ldmatrix` (x4 for A, x2 for B;
      `transpose` when K is not the operand's contiguous dimension).

    Other contractions are left to `mp-gpu-tile-contractions` (FMA
    kernels): f32 operands, M not a multiple of 16, N not a multiple of 8,
    K not a multiple of 16, fewer than `min-size` multiply-adds, an input
    whose innermost dimension is not contiguous or not 16-byte aligned
    (the contiguous extent and every stride a multiple of 8 elements), or
    a chip below sm_80. With `report`, each contraction gets a remark
    saying which kernel it gets and why. A `chip` that is not sm_NN is an
    error.

    ```
    mp-opt --mp-gpu-mma-contractions="chip=sm_80 report=true" in.mlir
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_80\"",
           "Target chip (sm_NN); below sm_80 nothing is converted">,
    Option<"minSize", "min-size", "int64_t", /*default=*/"0",
           "Convert contractions of at least this many multiply-adds (the "
           "product of the loop ranges)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per contraction with the kernel chosen for it "
           "(tensor cores and the tile sizes, or why not)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def MPGPUTileContractions
    : Pass<"mp-gpu-tile-contractions", "::mlir::func::FuncOp"> {
  let summary = "Contractions on buffers to shared-memory tiled GPU kernels";
  let description = [{
    On buffers, before `convert-linalg-to-parallel-loops`: a linalg op with
    two inputs and one output, static loop ranges, projected-permutation
    indexing maps, exactly one reduction loop `k` read by both inputs, a
    parallel loop `m` read by input 0 only, a parallel loop `n` read by
    input 1 only, at most one more parallel (batch) loop and a pure payload
    (`linalg.matmul`, `batch_matmul`, the transposed generic contractions
    of the backward pass), with at least `min-size` multiply-adds (the
    product of its loop ranges), becomes one `gpu.launch`: a 64x64 output
    tile per block (the batch loop is `blockIdx.z`), 16x16 threads with a
    4x4 register tile each, K in 16-wide steps with both input tiles staged
    in workgroup memory (in the input element type) between
    `gpu.barrier`s, and the op's own payload on registers (its arith ops
    marked `contract`). Edge tiles clamp their loads into the buffer, stop
    the K loop at K and guard their stores. Other linalg ops are left
    alone.

    ```
    mp-opt --mp-gpu-tile-contractions="min-size=131072" in.mlir
    ```
  }];
  let options = [
    Option<"minSize", "min-size", "int64_t", /*default=*/"0",
           "Tile contractions of at least this many multiply-adds (the "
           "product of the loop ranges); smaller ones keep one thread per "
           "output element">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def MPGPUMemory : Pass<"mp-gpu-memory", "::mlir::ModuleOp"> {
  let summary = "Host memref.alloc/dealloc to gpu.alloc/dealloc; constants "
                "(memref.get_global) sunk into the kernels that read them";
  let description = [{
    On buffers, after `convert-parallel-loops-to-gpu`, in each host
    function (not the deallocation helpers): `memref.alloc` /
    `memref.dealloc` of device buffers become `gpu.alloc` / `gpu.dealloc`
    (host buffers, i.e. the deallocation helpers' pointer and ownership
    arrays and index buffers, stay); each `memref.get_global` is cloned
    into the `gpu.launch` ops that use it (`mp-gpu-copy-globals` copies
    the global into the kernel module after outlining). A constant buffer
    still used by host code, or a host `memref.load` / `memref.store` of a
    device buffer left at this point, is an error (a diagnostic, and the
    pass fails).

    ```
    mp-opt --mp-gpu-memory in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def MPGPUMergeModules
    : Pass<"mp-gpu-merge-modules", "::mlir::ModuleOp"> {
  let summary = "Merge the outlined gpu.module ops into one";
  let description = [{
    After `gpu-kernel-outlining` (one `gpu.module` per kernel): when there
    is more than one `gpu.module`, all their ops are moved into one
    `gpu.module @mp_kernels` (symbols renamed where they clash; a
    `memref.global` that is already there is the same host constant and is
    dropped) and every `gpu.launch_func` is pointed at the merged module.
    With one `gpu.module` or none, nothing changes.

    ```
    mp-opt --mp-gpu-merge-modules in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def MPGPUCopyGlobals : Pass<"mp-gpu-copy-globals", "::mlir::ModuleOp"> {
  let summary = "Copy memref.global ops used by kernels into their "
                "gpu.module";
  let description = [{
    After `gpu-kernel-outlining`: each `memref.global` of the top-level
    module that a `memref.get_global` inside a `gpu.module` names is cloned
    into that `gpu.module` (private); globals no longer used by the host
    code are erased.

    ```
    mp-opt --mp-gpu-copy-globals in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

#endif // MIXPREC_CODEGEN_GPU_PASSES
