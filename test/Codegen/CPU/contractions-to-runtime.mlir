// RUN: mp-opt %s --mp-contractions-to-runtime -split-input-file | FileCheck %s

// Plain and transposed matmuls on buffers become runtime calls on
// dynamically strided views; a transposed operand is a memref.transpose.

// CHECK-DAG: func.func private @mp_rt_matmul_bf16_bf16_f32(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @mp_rt_matmul_f32_f32_f32(
// CHECK-LABEL: func.func @mm(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<16x64xbf16>, %[[B:[a-z0-9_]+]]: memref<64x32xbf16>, %[[C:[a-z0-9_]+]]: memref<16x32xf32>
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
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<64x16xf32>
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

// -----

// Contraction generics from mp-fuse-casts-into-contractions: an f32 operand
// rounded to bf16 / f16 in the body is passed as f32 storage of kind
// f32tobf16 / f32tof16; bf16 storage widened in the body is bf16.
// CHECK-DAG: func.func private @mp_rt_matmul_bf16_f32tobf16_f32(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @mp_rt_matmul_f32tof16_f32_f32(
// CHECK-LABEL: func.func @generic_kinds(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<16x64xbf16>, %[[W:[a-z0-9_]+]]: memref<64x32xf32>, %[[C:[a-z0-9_]+]]: memref<16x32xf32>
// CHECK:         %[[VW:.+]] = memref.cast %[[W]] : memref<64x32xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK:         call @mp_rt_matmul_bf16_f32tobf16_f32(%{{.+}}, %[[VW]], %{{.+}})
// CHECK:         %[[T:.+]] = memref.transpose %[[W]] (d0, d1) -> (d1, d0)
// CHECK:         call @mp_rt_matmul_f32tof16_f32_f32(
// CHECK-NOT:     linalg.generic
func.func @generic_kinds(%a: memref<16x64xbf16>, %w: memref<64x32xf32>, %c: memref<16x32xf32>,
                         %c2: memref<32x32xf32>, %w2: memref<64x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                   affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<16x64xbf16>, memref<64x32xf32>) outs(%c : memref<16x32xf32>) {
  ^bb0(%x: bf16, %y: f32, %acc: f32):
    %yt = arith.truncf %y : f32 to bf16
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %yt : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  // (w^T . w2): A is the transposed w, rounded to f16; B plain f32.
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                   affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%w, %w2 : memref<64x32xf32>, memref<64x32xf32>) outs(%c2 : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xt = arith.truncf %x : f32 to f16
    %xe = arith.extf %xt : f16 to f32
    %p = arith.mulf %xe, %y : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Generics that are not plain `acc + a * b` stay loops: an extra op in the
// body, a product that is subtracted, an operand rounded to bf16 and not
// widened back (bf16 arithmetic), a rounding mode, an i32 accumulator.
// CHECK-LABEL: func.func @generic_left_alone(
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT:     call
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @generic_left_alone(%a: memref<4x4xf32>, %c: memref<4x4xf32>, %i: memref<4x4xi32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %e = math.exp %x : f32
    %p = arith.mulf %e, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.subf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xt = arith.truncf %x to_nearest_away : f32 to bf16
    %xe = arith.extf %xt : bf16 to f32
    %p = arith.mulf %xe, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%i, %i : memref<4x4xi32>, memref<4x4xi32>) outs(%i : memref<4x4xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}
