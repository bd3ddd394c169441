// The tensor-core kernels of mp-gpu-mma-contractions run without a GPU:
// mma_sim.py interprets the kernel IR thread by thread in lock step with
// the PTX ISA semantics of ldmatrix, mma.sync m16n8k16 (f16; bf16 as
// nvvm.mma.sync on i32 pairs) and cp.async groups
// (a copy lands only when a device_async_wait covers it; workgroup memory
// starts as NaN) and compares the output with numpy: f32 outputs to 1e-5
// relative (only the summation order differs), f16 outputs to 2^-10 (one
// rounding of the f32 accumulator; f16 has 11 significant bits). This
// checks the index arithmetic (cp.async chunks, ldmatrix lane addresses,
// fragment layouts, stages, warp and block tiles) for every operand layout;
// it does not check ptxas or the hardware.

// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions,canonicalize,cse))' -o %t.mlir
// RUN: %python %S/mma_sim.py %t.mlir ab_multi 1 | FileCheck %s --check-prefix=AB
// RUN: %python %S/mma_sim.py %t.mlir atb_multi 2 | FileCheck %s --check-prefix=ATB
// RUN: %python %S/mma_sim.py %t.mlir abt_multi 3 | FileCheck %s --check-prefix=ABT
// RUN: %python %S/mma_sim.py %t.mlir ab_batched_half 4 | FileCheck %s --check-prefix=HALF
// RUN: %python %S/mma_sim.py %t.mlir ab_big 5 0,131 | FileCheck %s --check-prefix=BIG
// RUN: %python %S/mma_sim.py %t.mlir atb_bf16 6 | FileCheck %s --check-prefix=BF16
// The simulator catches a wrong kernel: the same IR with the B fragment
// read without .trans fails.
// RUN: sed -e 's/numTiles = 2 : i32, transpose = true/numTiles = 2 : i32, transpose = false/' %t.mlir > %t.bad.mlir
// RUN: not %python %S/mma_sim.py %t.bad.mlir ab_multi 1 | FileCheck %s --check-prefix=BAD
// And so does a missing wait (the stage read before its copy landed).
// RUN: sed -e 's/numGroups = 1 : i32/numGroups = 2 : i32/' %t.mlir > %t.nowait.mlir
// RUN: not %python %S/mma_sim.py %t.nowait.mlir ab_multi 1 | FileCheck %s --check-prefix=BAD

// AB: ok ab_multi
// ATB: ok atb_multi
// ABT: ok abt_multi
// HALF: ok ab_batched_half
// BIG: ok ab_big
// BF16: ok atb_bf16
// BAD: MISMATCH

// 64x48 * 48x96: 64x32x16 tiles, 2 warps of 32x32, 3 blocks, 3 K tiles.
func.func @ab_multi(%a: memref<64x48xf16>, %b: memref<48x96xf16>, %c: memref<64x96xf32>) {
  linalg.matmul ins(%a, %b : memref<64x48xf16>, memref<48x96xf16>) outs(%c : memref<64x96xf32>)
  return
}

// A^T * B, A = 64x32 ([k][m]), B = 64x128: 32x64x32 tiles, 2 warps of
// 32x32, 2 blocks, 2 K tiles.
func.func @atb_multi(%a: memref<64x32xf16>, %b: memref<64x128xf16>, %c: memref<32x128xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%a, %b : memref<64x32xf16>, memref<64x128xf16>) outs(%c : memref<32x128xf32>)
  return
}

// A * B^T, B = 64x32 ([n][k]): 64x64x32 tiles, 4 warps of 32x32, 2 blocks.
func.func @abt_multi(%a: memref<128x32xf16>, %b: memref<64x32xf16>, %c: memref<128x64xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%a, %b : memref<128x32xf16>, memref<64x32xf16>) outs(%c : memref<128x64xf32>)
  return
}

// Batched, f16 output (truncf of the f32 multiply-add).
func.func @ab_batched_half(%a: memref<2x32x64xf16>, %b: memref<2x64x16xf16>, %c: memref<2x32x16xf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
    ins(%a, %b : memref<2x32x64xf16>, memref<2x64x16xf16>) outs(%c : memref<2x32x16xf16>) {
  ^bb0(%x: f16, %y: f16, %acc: f16):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %ae = arith.extf %acc : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %ae, %p : f32
    %t = arith.truncf %s : f32 to f16
    linalg.yield %t : f16
  }
  return
}

// 132 batches of 128x64 * 64x128: 128x128x32 tiles with 8 warps of 64x32
// (4 x 4 mma tiles each); blocks z = 0 and 131 are simulated.
func.func @ab_big(%a: memref<132x128x64xf16>, %b: memref<132x64x128xf16>, %c: memref<132x128x128xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<132x128x64xf16>, memref<132x64x128xf16>) outs(%c : memref<132x128x128xf32>)
  return
}

// bf16 A^T * B (nvvm.mma.sync with the bf16 pairs packed in i32): 32x64x32
// tiles, 2 warps of 32x32, 2 blocks, 2 K tiles.
func.func @atb_bf16(%a: memref<64x32xbf16>, %b: memref<64x128xbf16>, %c: memref<32x128xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%a, %b : memref<64x32xbf16>, memref<64x128xbf16>) outs(%c : memref<32x128xf32>)
  return
}
