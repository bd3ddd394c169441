// RUN: mp-opt %s --mp-fuse-casts-into-contractions -split-input-file | FileCheck %s

// Both operands are bf16 roundings of function arguments: the matmul
// becomes a generic on the f32 arguments that rounds in its body, and the
// two half-precision copies disappear.

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @both(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<16x64xf32>, %[[W:[a-z0-9_]+]]: tensor<64x32xf32>, %[[ACC:[a-z0-9_]+]]: tensor<16x32xf32>)
// CHECK-NOT:     tensor<16x64xbf16>
// CHECK:         %[[R:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]], %[[W]] : tensor<16x64xf32>, tensor<64x32xf32>) outs(%[[ACC]] : tensor<16x32xf32>)
// CHECK-NEXT:    ^bb0(%[[IA:[a-z0-9_]+]]: f32, %[[IB:[a-z0-9_]+]]: f32, %[[OUT:[a-z0-9_]+]]: f32):
// CHECK-NEXT:      %[[TA:.+]] = arith.truncf %[[IA]] : f32 to bf16
// CHECK-NEXT:      %[[TB:.+]] = arith.truncf %[[IB]] : f32 to bf16
// CHECK-NEXT:      %[[EA:.+]] = arith.extf %[[TA]] : bf16 to f32
// CHECK-NEXT:      %[[EB:.+]] = arith.extf %[[TB]] : bf16 to f32
// CHECK-NEXT:      %[[M:.+]] = arith.mulf %[[EA]], %[[EB]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[OUT]], %[[M]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK:         return %[[R]]
func.func @both(%x: tensor<16x64xf32>, %w: tensor<64x32xf32>, %acc: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %ex = tensor.empty() : tensor<16x64xbf16>
  %xb = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x64xf32>) outs(%ex : tensor<16x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<16x64xbf16>
  %ew = tensor.empty() : tensor<64x32xbf16>
  %wb = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w : tensor<64x32xf32>) outs(%ew : tensor<64x32xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<64x32xbf16>
  %r = linalg.matmul ins(%xb, %wb : tensor<16x64xbf16>, tensor<64x32xbf16>)
                     outs(%acc : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// A weight used by two contractions (forward and backward, the second with
// a transposed map) fuses into both; the activation `%h` is computed in the
// function, so its f16 copy stays (it is what the backward saves).

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @shared_weight(
// CHECK-SAME:    %[[W:[a-z0-9_]+]]: tensor<32x8xf32>
// CHECK:         %[[H16:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<16x32xf16>)
// CHECK:         linalg.generic {{.+}} ins(%[[H16]], %[[W]] : tensor<16x32xf16>, tensor<32x8xf32>)
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK:         linalg.generic {{.+}} ins(%{{.+}}, %[[W]] : tensor<16x8xf16>, tensor<32x8xf32>)
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK-NOT:     tensor<32x8xf16>
func.func @shared_weight(%h32: tensor<16x32xf32>, %w: tensor<32x8xf32>, %dy: tensor<16x8xf16>,
                         %acc: tensor<16x8xf32>, %acc2: tensor<16x32xf32>) -> (tensor<16x8xf32>, tensor<16x32xf32>) {
  %eh = tensor.empty() : tensor<16x32xf16>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h32 : tensor<16x32xf32>) outs(%eh : tensor<16x32xf16>) {
  ^bb0(%in: f32, %out: f16):
    %e = math.exp %in : f32
    %t = arith.truncf %e : f32 to f16
    linalg.yield %t : f16
  } -> tensor<16x32xf16>
  %ew = tensor.empty() : tensor<32x8xf16>
  %wh = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w : tensor<32x8xf32>) outs(%ew : tensor<32x8xf16>) {
  ^bb0(%in: f32, %out: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  } -> tensor<32x8xf16>
  %y = linalg.matmul ins(%h, %wh : tensor<16x32xf16>, tensor<32x8xf16>)
                     outs(%acc : tensor<16x8xf32>) -> tensor<16x8xf32>
  %dx = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                       affine_map<(m, n, k) -> (n, k)>,
                                       affine_map<(m, n, k) -> (m, n)>]
      ins(%dy, %wh : tensor<16x8xf16>, tensor<32x8xf16>)
      outs(%acc2 : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %y, %dx : tensor<16x8xf32>, tensor<16x32xf32>
}

// -----

// Batch matmul: the rounded argument fuses, the batch loop is kept.

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch(
// CHECK:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<2x4x8xbf16>, tensor<2x8x4xf32>)
// CHECK:           arith.truncf %{{.+}} : f32 to bf16
func.func @batch(%q: tensor<2x4x8xbf16>, %k: tensor<2x8x4xf32>, %acc: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %e = tensor.empty() : tensor<2x8x4xbf16>
  %kb = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%k : tensor<2x8x4xf32>) outs(%e : tensor<2x8x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x8x4xbf16>
  %r = linalg.batch_matmul ins(%q, %kb : tensor<2x4x8xbf16>, tensor<2x8x4xbf16>)
                           outs(%acc : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %r : tensor<2x4x4xf32>
}

// -----

// Left alone: a cast with an explicit rounding mode, a cast that does more
// than round, a transposing cast, a matmul with an unsigned cast, buffers.

#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @left_alone(
// CHECK-COUNT-3: linalg.matmul
// CHECK-NOT:     linalg.generic {{.+}}"reduction"
func.func @left_alone(%x: tensor<4x4xf32>, %acc: tensor<4x4xf32>, %b: memref<4x4xbf16>, %o: memref<4x4xf32>)
    -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xbf16>
  %rz = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in to_nearest_away : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x4xbf16>
  %r1 = linalg.matmul ins(%rz, %rz : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  %ng = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %n = arith.negf %in : f32
    %t = arith.truncf %n : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x4xbf16>
  %tp = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x4xbf16>
  %r2 = linalg.matmul ins(%ng, %tp : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  %ok = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x4xbf16>
  %r3 = linalg.matmul {cast = #linalg.type_fn<cast_unsigned>} ins(%ok, %ok : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  linalg.matmul ins(%b, %b : memref<4x4xbf16>, memref<4x4xbf16>) outs(%o : memref<4x4xf32>)
  return %r1, %r2, %r3 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
