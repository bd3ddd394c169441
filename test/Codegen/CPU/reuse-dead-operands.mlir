// RUN: mp-opt %s --mp-reuse-dead-operands -split-input-file | FileCheck %s

// A chain gradient -> unscale -> SGD update: each elementwise op writes
// into the input that dies there (the matmul result, then the unscaled
// gradient); the parameter (a function argument) is never written.

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @chain(
// CHECK-SAME:    %[[W:[a-z0-9_]+]]: tensor<8x8xf32>, %[[X:[a-z0-9_]+]]: tensor<8x8xf32>
// CHECK:         %[[G:.+]] = linalg.matmul
// CHECK:         %[[U:.+]] = linalg.generic {{.+}} ins(%[[G]] : tensor<8x8xf32>) outs(%[[G]] : tensor<8x8xf32>)
// CHECK:         %[[N:.+]] = linalg.generic {{.+}} ins(%[[W]], %[[U]] : tensor<8x8xf32>, tensor<8x8xf32>) outs(%[[U]] : tensor<8x8xf32>)
// CHECK:         return %[[N]]
func.func @chain(%w: tensor<8x8xf32>, %x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %g = linalg.matmul ins(%x, %x : tensor<8x8xf32>, tensor<8x8xf32>) outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
  %e1 = tensor.empty() : tensor<8x8xf32>
  %c = arith.constant 0.5 : f32
  %u = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<8x8xf32>) outs(%e1 : tensor<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %c : f32
    linalg.yield %m : f32
  } -> tensor<8x8xf32>
  %e2 = tensor.empty() : tensor<8x8xf32>
  %n = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w, %u : tensor<8x8xf32>, tensor<8x8xf32>) outs(%e2 : tensor<8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.subf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  return %n : tensor<8x8xf32>
}

// -----

// Kept while %a is read again later, for a result of another type, for a
// transposed read, for an input read twice by the op; the last reader of
// %a (%r5) takes its buffer.

#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @kept(
// CHECK:         %[[A:.+]] = linalg.matmul
// CHECK-NOT:     outs(%[[A]] :
// CHECK-COUNT-4: outs(%{{[0-9]+}} : tensor<8x8x{{.+}}>)
// CHECK-NOT:     outs(%[[A]] :
// CHECK:         ins(%[[A]] : tensor<8x8xf32>) outs(%[[A]] : tensor<8x8xf32>)
func.func @kept(%x: tensor<8x8xf32>, %y: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xbf16>, tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %a = linalg.matmul ins(%x, %y : tensor<8x8xf32>, tensor<8x8xf32>) outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
  %e = tensor.empty() : tensor<8x8xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  } -> tensor<8x8xf32>
  %eb = tensor.empty() : tensor<8x8xbf16>
  %r2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x8xf32>) outs(%eb : tensor<8x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x8xbf16>
  %e3 = tensor.empty() : tensor<8x8xf32>
  %r3 = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x8xf32>) outs(%e3 : tensor<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x8xf32>
  %e4 = tensor.empty() : tensor<8x8xf32>
  %r4 = linalg.generic {indexing_maps = [#id, #tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %a : tensor<8x8xf32>, tensor<8x8xf32>) outs(%e4 : tensor<8x8xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  %e5 = tensor.empty() : tensor<8x8xf32>
  %r5 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x8xf32>) outs(%e5 : tensor<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<8x8xf32>
  return %r1, %r5, %r2, %r3, %r4 : tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xbf16>, tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// Never the caller's buffer: an argument, or a reshape of an argument,
// stays read-only even where it is read last (writing into it would change
// the caller's data; mp-run replays its batch buffers).

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @no_arguments(
// CHECK-COUNT-2: outs(%{{[0-9]+}} : tensor<32x32xf32>)
func.func @no_arguments(%x: tensor<4x8x32xf32>, %y: tensor<32x32xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>) {
  %c = tensor.collapse_shape %x [[0, 1], [2]] : tensor<4x8x32xf32> into tensor<32x32xf32>
  %e = tensor.empty() : tensor<32x32xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %y : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e : tensor<32x32xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<32x32xf32>
  %e2 = tensor.empty() : tensor<32x32xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<32x32xf32>) outs(%e2 : tensor<32x32xf32>) {
  ^bb0(%p: f32, %out: f32):
    %n = arith.negf %p : f32
    linalg.yield %n : f32
  } -> tensor<32x32xf32>
  return %a, %b : tensor<32x32xf32>, tensor<32x32xf32>
}
