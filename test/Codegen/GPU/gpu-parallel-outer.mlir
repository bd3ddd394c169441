// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-parallel-outer))' -split-input-file | FileCheck %s

// mp-gpu-parallel-outer: a linalg op whose parallel loops are not all
// outside its reduction loops is generalized (named ops) and its loops
// interchanged: the parallel loops first, in their original order, then
// the others; the indexing maps follow the permutation and the payload is
// unchanged. Ops whose parallel loops are already outermost are left
// alone (named ops stay named).

// A bias gradient (column sums): linalg.reduce over dimension 0 becomes a
// generic with the column loop outside the row loop.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @bias_grad(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<64x256xf32>, %[[INIT:[a-z0-9]+]]: tensor<256xf32>)
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<64x256xf32>) outs(%[[INIT]] : tensor<256xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[A]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NEXT:    } -> tensor<256xf32>
// CHECK-NEXT:    return %[[R]] : tensor<256xf32>
func.func @bias_grad(%x: tensor<64x256xf32>, %init: tensor<256xf32>) -> tensor<256xf32> {
  %r = linalg.reduce ins(%x : tensor<64x256xf32>) outs(%init : tensor<256xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<256xf32>
}

// -----

// A generic with interleaved loops (p0, r1, p2, r3) is permuted to
// (p0, p2, r1, r3).
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @interleaved(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<4x8x16x32xf32>, %[[INIT:[a-z0-9]+]]: tensor<4x16xf32>)
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<4x8x16x32xf32>) outs(%[[INIT]] : tensor<4x16xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT:      %[[M:.+]] = arith.maximumf %[[A]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK-NEXT:    } -> tensor<4x16xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x16xf32>
func.func @interleaved(%x: tensor<4x8x16x32xf32>, %init: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel", "reduction"]} ins(%x : tensor<4x8x16x32xf32>) outs(%init : tensor<4x16xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.maximumf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// linalg.index follows the interchange: the old row index (d0) is the new
// d1.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$D1:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @indexed(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<64x256xf32>, %[[INIT:[a-z0-9]+]]: tensor<256xf32>)
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<64x256xf32>) outs(%[[INIT]] : tensor<256xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT:      %[[I0:.+]] = linalg.index 0 : index
// CHECK-NEXT:      %[[I1:.+]] = linalg.index 1 : index
// CHECK-NEXT:      %[[ROW:.+]] = affine.apply #[[$D1]](%[[I0]], %[[I1]])
// CHECK-NEXT:      %[[II:.+]] = arith.index_cast %[[ROW]] : index to i32
// CHECK-NEXT:      %[[F:.+]] = arith.sitofp %[[II]] : i32 to f32
// CHECK-NEXT:      %[[M:.+]] = arith.mulf %[[A]], %[[F]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[M]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NEXT:    } -> tensor<256xf32>
// CHECK-NEXT:    return %[[R]] : tensor<256xf32>
func.func @indexed(%x: tensor<64x256xf32>, %init: tensor<256xf32>) -> tensor<256xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<64x256xf32>) outs(%init : tensor<256xf32>) {
  ^bb0(%a: f32, %out: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    %m = arith.mulf %a, %f : f32
    %s = arith.addf %m, %out : f32
    linalg.yield %s : f32
  } -> tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

// Left alone: parallel loops already outermost (a row reduction, a
// transposed matmul of the backward pass, an elementwise generic). Named
// ops are not generalized.
// CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @already_outer(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<64x10xf32>, %[[ROW:[a-z0-9]+]]: tensor<64xf32>, %[[A:[a-z0-9]+]]: tensor<64x10xf16>, %[[B:[a-z0-9]+]]: tensor<256x10xf16>, %[[C:[a-z0-9]+]]: tensor<64x256xf32>, %[[T:[a-z0-9]+]]: tensor<10x64xf32>)
// CHECK-NEXT:    %[[R:.+]] = linalg.reduce ins(%[[X]] : tensor<64x10xf32>) outs(%[[ROW]] : tensor<64xf32>) dimensions = [1]
// CHECK-NEXT:      (%[[IN:.+]]: f32, %[[ACC:.+]]: f32) {
// CHECK-NEXT:        %[[MAX:.+]] = arith.maximumf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT:        linalg.yield %[[MAX]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:    %[[M:.+]] = linalg.matmul indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}] ins(%[[A]], %[[B]] : tensor<64x10xf16>, tensor<256x10xf16>) outs(%[[C]] : tensor<64x256xf32>) -> tensor<64x256xf32>
// CHECK-NEXT:    %[[E:.+]] = linalg.generic {indexing_maps = [#[[$ID]], #{{.+}}], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<64x10xf32>) outs(%[[T]] : tensor<10x64xf32>) {
// CHECK-NEXT:    ^bb0(%[[I:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[N:.+]] = arith.negf %[[I]] : f32
// CHECK-NEXT:      linalg.yield %[[N]] : f32
// CHECK-NEXT:    } -> tensor<10x64xf32>
// CHECK-NEXT:    return %[[R]], %[[M]], %[[E]]
func.func @already_outer(%x: tensor<64x10xf32>, %row: tensor<64xf32>, %a: tensor<64x10xf16>, %b: tensor<256x10xf16>, %c: tensor<64x256xf32>, %t: tensor<10x64xf32>) -> (tensor<64xf32>, tensor<64x256xf32>, tensor<10x64xf32>) {
  %r = linalg.reduce ins(%x : tensor<64x10xf32>) outs(%row : tensor<64xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.maximumf %in, %acc : f32
      linalg.yield %s : f32
    }
  %m = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%a, %b : tensor<64x10xf16>, tensor<256x10xf16>) outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
  %e = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x10xf32>) outs(%t : tensor<10x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<10x64xf32>
  return %r, %m, %e : tensor<64xf32>, tensor<64x256xf32>, tensor<10x64xf32>
}
