// RUN: mp-opt %s --mp-contractions-to-runtime -split-input-file | FileCheck %s
// RUN: mp-opt %s --mp-contractions-to-runtime=fuse-epilogues=0 -split-input-file | FileCheck %s --check-prefix=OFF

// The bias add (+ ReLU) that mp-autocast's compute-output=compute leaves
// after a contraction (the f32 accumulator rounded to bf16, the bias added
// and ReLU applied in bf16) becomes part of the runtime call: the GEMM
// accumulates into the reader's bf16 output (zero-filled in bf16) and
// applies the bias (kind 3 = f32tobf16: the f32 bias rounded to bf16 like
// the reader's truncf; 1 = bf16, 4 = f32tof16) and the activation (1 =
// ReLU, 0 = none) with the reader's roundings. The f32 accumulator, its
// fill and the reader are gone. fuse-epilogues=0 keeps the reader (OFF).

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func private @mp_rt_matmul_ep_cached_bf16_f32tobf16_bf16(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @relu(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: memref<16x64xbf16>, %[[W:[a-z0-9_]+]]: memref<64x32xf32>, %[[BIAS:[a-z0-9_]+]]: memref<32xf32>, %[[OTHER:[a-z0-9_]+]]: memref<8xf32>)
// CHECK:         %[[VX:.+]] = memref.cast %[[X]] : memref<16x64xbf16> to memref<?x?xbf16, strided<[?, ?], offset: ?>>
// CHECK-NEXT:    %[[VW:.+]] = memref.cast %[[W]] : memref<64x32xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-NEXT:    %[[Y:.+]] = memref.alloc() : memref<16x32xbf16>
// CHECK-NEXT:    %[[Z:.+]] = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT:    linalg.fill ins(%[[Z]] : bf16) outs(%[[Y]] : memref<16x32xbf16>)
// CHECK-NEXT:    %[[VY:.+]] = memref.cast %[[Y]] : memref<16x32xbf16> to memref<?x?xbf16, strided<[?, ?], offset: ?>>
// CHECK-NEXT:    %[[VB:.+]] = memref.cast %[[BIAS]] : memref<32xf32> to memref<?xf32, strided<[?], offset: ?>>
// CHECK-NEXT:    %[[K:.+]] = arith.constant 3 : i64
// CHECK-NEXT:    %[[ACT:.+]] = arith.constant 1 : i64
// CHECK-NEXT:    call @mp_rt_matmul_ep_cached_bf16_f32tobf16_bf16(%[[VX]], %[[VW]], %[[VY]], %[[VB]], %[[K]], %[[ACT]])
// CHECK-NEXT:    memref.dealloc %[[OTHER]] : memref<8xf32>
// CHECK-NEXT:    call @mp_rt_pack_cache_end_step()
// CHECK-NEXT:    return %[[Y]] : memref<16x32xbf16>
// OFF-LABEL: func.func @relu(
// OFF:         call @mp_rt_matmul_cached_bf16_f32tobf16_bf16(
// OFF:         linalg.generic
// OFF:         arith.maximumf
func.func @relu(%x: memref<16x64xbf16>, %w: memref<64x32xf32>, %bias: memref<32xf32>, %other: memref<8xf32>) -> memref<16x32xbf16> {
  %zero = arith.constant 0.0 : f32
  %hzero = arith.constant 0.0 : bf16
  %acc = memref.alloc() : memref<16x32xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<16x32xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<16x64xbf16>, memref<64x32xf32>) outs(%acc : memref<16x32xf32>) {
  ^bb0(%in: bf16, %in_w: f32, %out: f32):
    %0 = arith.truncf %in_w : f32 to bf16
    %1 = arith.extf %in : bf16 to f32
    %2 = arith.extf %0 : bf16 to f32
    %3 = arith.mulf %1, %2 : f32
    %4 = arith.addf %out, %3 : f32
    linalg.yield %4 : f32
  }
  // Deallocations of other buffers and the output's allocation may lie in
  // between: the allocation moves up to the call.
  memref.dealloc %other : memref<8xf32>
  %y = memref.alloc() : memref<16x32xbf16>
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %bias : memref<16x32xf32>, memref<32xf32>) outs(%y : memref<16x32xbf16>) {
  ^bb0(%in: f32, %in_b: f32, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.truncf %in_b : f32 to bf16
    %2 = arith.addf %0, %1 : bf16
    %3 = arith.maximumf %2, %hzero : bf16
    linalg.yield %3 : bf16
  }
  memref.dealloc %acc : memref<16x32xf32>
  return %y : memref<16x32xbf16>
}

// -----

// A bf16 bias, operands of the add swapped, no activation.
// CHECK-LABEL: func.func @bias_bf16(
// CHECK:         %[[K:.+]] = arith.constant 1 : i64
// CHECK-NEXT:    %[[ACT:.+]] = arith.constant 0 : i64
// CHECK-NEXT:    call @mp_rt_matmul_ep_cached_bf16_bf16_bf16(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[K]], %[[ACT]])
// CHECK-NOT:     linalg.generic
func.func @bias_bf16(%x: memref<16x64xbf16>, %w: memref<64x32xbf16>, %bias: memref<32xbf16>) -> memref<16x32xbf16> {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<16x32xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<16x32xf32>)
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x32xbf16>) outs(%acc : memref<16x32xf32>)
  %y = memref.alloc() : memref<16x32xbf16>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %bias : memref<16x32xf32>, memref<32xbf16>) outs(%y : memref<16x32xbf16>) {
  ^bb0(%in: f32, %in_b: bf16, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.addf %in_b, %0 : bf16
    linalg.yield %1 : bf16
  }
  memref.dealloc %acc : memref<16x32xf32>
  return %y : memref<16x32xbf16>
}

// -----

// f16, ReLU with the zero first.
// CHECK-LABEL: func.func @relu_f16(
// CHECK:         %[[K:.+]] = arith.constant 4 : i64
// CHECK-NEXT:    %[[ACT:.+]] = arith.constant 1 : i64
// CHECK-NEXT:    call @mp_rt_matmul_ep_cached_f16_f16_f16(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[K]], %[[ACT]])
func.func @relu_f16(%x: memref<16x64xf16>, %w: memref<64x32xf16>, %bias: memref<32xf32>) -> memref<16x32xf16> {
  %zero = arith.constant 0.0 : f32
  %hzero = arith.constant 0.0 : f16
  %acc = memref.alloc() : memref<16x32xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<16x32xf32>)
  linalg.matmul ins(%x, %w : memref<16x64xf16>, memref<64x32xf16>) outs(%acc : memref<16x32xf32>)
  %y = memref.alloc() : memref<16x32xf16>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %bias : memref<16x32xf32>, memref<32xf32>) outs(%y : memref<16x32xf16>) {
  ^bb0(%in: f32, %in_b: f32, %out: f16):
    %0 = arith.truncf %in : f32 to f16
    %1 = arith.truncf %in_b : f32 to f16
    %2 = arith.addf %0, %1 : f16
    %3 = arith.maximumf %hzero, %2 : f16
    linalg.yield %3 : f16
  }
  memref.dealloc %acc : memref<16x32xf32>
  return %y : memref<16x32xf16>
}

// -----

// Not fused: a bias along the rows (map (d0, d1) -> (d0)), another op in
// the body (a scale), a second reader, or a write between the contraction
// and the reader. The output is still narrowed where every reader rounds
// first (the half-output epilogue), without the bias.
// CHECK-LABEL: func.func @not_fused(
// CHECK-NOT:     mp_rt_matmul_ep
// CHECK:         call @mp_rt_matmul_bf16_bf16_bf16(
// CHECK:         linalg.generic
// CHECK:         call @mp_rt_matmul_bf16_bf16_bf16(
// CHECK:         linalg.generic
// CHECK:         call @mp_rt_matmul_bf16_bf16_bf16(
// CHECK:         linalg.generic
// CHECK:         linalg.generic
// CHECK:         call @mp_rt_matmul_bf16_bf16_bf16(
// CHECK:         linalg.fill
// CHECK:         linalg.generic
// CHECK-NOT:     mp_rt_matmul_ep
func.func @not_fused(%x: memref<16x64xbf16>, %w: memref<64x16xbf16>, %bias: memref<16xbf16>,
                     %y1: memref<16x16xbf16>, %y2: memref<16x16xbf16>, %y3: memref<16x16xbf16>,
                     %y4: memref<16x16xbf16>, %b5: memref<16xbf16>, %y6: memref<16x16xbf16>) {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : bf16
  %acc1 = memref.alloc() : memref<16x16xf32>
  linalg.fill ins(%zero : f32) outs(%acc1 : memref<16x16xf32>)
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x16xbf16>) outs(%acc1 : memref<16x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc1, %bias : memref<16x16xf32>, memref<16xbf16>) outs(%y1 : memref<16x16xbf16>) {
  ^bb0(%in: f32, %in_b: bf16, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.addf %0, %in_b : bf16
    linalg.yield %1 : bf16
  }
  memref.dealloc %acc1 : memref<16x16xf32>
  %acc2 = memref.alloc() : memref<16x16xf32>
  linalg.fill ins(%zero : f32) outs(%acc2 : memref<16x16xf32>)
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x16xbf16>) outs(%acc2 : memref<16x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc2, %bias : memref<16x16xf32>, memref<16xbf16>) outs(%y2 : memref<16x16xbf16>) {
  ^bb0(%in: f32, %in_b: bf16, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.addf %0, %in_b : bf16
    %2 = arith.mulf %1, %two : bf16
    linalg.yield %2 : bf16
  }
  memref.dealloc %acc2 : memref<16x16xf32>
  %acc3 = memref.alloc() : memref<16x16xf32>
  linalg.fill ins(%zero : f32) outs(%acc3 : memref<16x16xf32>)
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x16xbf16>) outs(%acc3 : memref<16x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc3, %bias : memref<16x16xf32>, memref<16xbf16>) outs(%y3 : memref<16x16xbf16>) {
  ^bb0(%in: f32, %in_b: bf16, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.addf %0, %in_b : bf16
    linalg.yield %1 : bf16
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc3 : memref<16x16xf32>) outs(%y4 : memref<16x16xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    linalg.yield %0 : bf16
  }
  memref.dealloc %acc3 : memref<16x16xf32>
  %acc5 = memref.alloc() : memref<16x16xf32>
  linalg.fill ins(%zero : f32) outs(%acc5 : memref<16x16xf32>)
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x16xbf16>) outs(%acc5 : memref<16x16xf32>)
  // The bias is written between the contraction and the reader.
  linalg.fill ins(%two : bf16) outs(%b5 : memref<16xbf16>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%acc5, %b5 : memref<16x16xf32>, memref<16xbf16>) outs(%y6 : memref<16x16xbf16>) {
  ^bb0(%in: f32, %in_b: bf16, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.addf %0, %in_b : bf16
    linalg.yield %1 : bf16
  }
  memref.dealloc %acc5 : memref<16x16xf32>
  return
}
