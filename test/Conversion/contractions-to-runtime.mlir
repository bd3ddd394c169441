// RUN: mp-opt %s --mp-contractions-to-runtime -split-input-file | FileCheck %s

// Plain and transposed matmuls on buffers become runtime calls on
// dynamically strided views; a transposed operand is a memref.transpose.

// CHECK-DAG: func.func private @mp_rt_matmul_bf16_bf16_f32(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @mp_rt_matmul_f32_f32_f32(
// CHECK-LABEL: func.func @mm(
// CHECK-SAME:    %[[A:.+]]: memref<16x64xbf16>, %[[B:.+]]: memref<64x32xbf16>, %[[C:.+]]: memref<16x32xf32>
// CHECK-DAG:     %[[VA:.+]] = memref.cast %[[A]] : memref<16x64xbf16> to memref<?x?xbf16, strided<[?, ?], offset: ?>>
// CHECK-DAG:     %[[VB:.+]] = memref.cast %[[B]]
// CHECK-DAG:     %[[VC:.+]] = memref.cast %[[C]]
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(%[[VA]], %[[VB]], %[[VC]])
// CHECK-NOT:     linalg.matmul
func.func @mm(%a: memref<16x64xbf16>, %b: memref<64x32xbf16>, %c: memref<16x32xf32>) {
  linalg.matmul ins(%a, %b : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c : memref<16x32xf32>)
  return
}

// CHECK-LABEL: func.func @mm_at(
// CHECK-SAME:    %[[A:.+]]: memref<64x16xf32>
// CHECK:         %[[T:.+]] = memref.transpose %[[A]] (d0, d1) -> (d1, d0)
// CHECK:         %[[VA:.+]] = memref.cast %[[T]]
// CHECK:         call @mp_rt_matmul_f32_f32_f32(%[[VA]],
func.func @mm_at(%a: memref<64x16xf32>, %b: memref<64x32xf32>, %c: memref<16x32xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                 affine_map<(m, n, k) -> (k, n)>,
                                 affine_map<(m, n, k) -> (m, n)>]
    ins(%a, %b : memref<64x16xf32>, memref<64x32xf32>) outs(%c : memref<16x32xf32>)
  return
}

// -----

// Batch matmul with K transposed by its map (attention scores).
// CHECK-LABEL: func.func @bmm(
// CHECK:         memref.transpose %{{.+}} (d0, d1, d2) -> (d0, d2, d1)
// CHECK:         call @mp_rt_batch_matmul_f32_f32_f32(
func.func @bmm(%q: memref<4x8x32xf32>, %k: memref<4x8x32xf32>, %s: memref<4x8x8xf32>) {
  linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, d) -> (b, m, d)>,
                       affine_map<(b, m, n, d) -> (b, n, d)>,
                       affine_map<(b, m, n, d) -> (b, m, n)>]
      ins(%q, %k : memref<4x8x32xf32>, memref<4x8x32xf32>) outs(%s : memref<4x8x8xf32>)
  return
}

// -----

// Tensors (not yet bufferized) and integer matmuls are left alone.
// CHECK-LABEL: func.func @left_alone(
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x4xf32>, tensor<4x4xf32>)
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : memref<4x4xi32>, memref<4x4xi32>)
// CHECK-NOT:     call
func.func @left_alone(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>, %i: memref<4x4xi32>, %o: memref<4x4xi32>) -> tensor<4x4xf32> {
  %r = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  linalg.matmul ins(%i, %i : memref<4x4xi32>, memref<4x4xi32>) outs(%o : memref<4x4xi32>)
  return %r : tensor<4x4xf32>
}
