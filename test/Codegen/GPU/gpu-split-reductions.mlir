// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-split-reductions))' -split-input-file | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-split-reductions{min-elements=2048}))' -split-input-file | FileCheck %s --check-prefix=MIN

// mp-gpu-split-reductions: a linalg.generic that reduces whole static
// tensors (only reduction loops, identity input maps, a 0-d output) of at
// least min-elements (default 4096) elements is collapsed to 1-D and split
// in two: the largest ratio R in [32, 1024] that divides the element count
// N gives R parallel partial results over contiguous chunks of N / R
// (tensor<RxN/R>, initialised with the combiner's neutral element), then
// one reduction of the R partials into the original output.

// The all-finite check of a 100x60 gradient: N = 6000, R = 1000 (the
// largest divisor of 6000 not above 1024), chunks of 6.
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ALL:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @all_finite(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<100x60xf32>, %[[INIT:[a-z0-9]+]]: tensor<i1>)
// CHECK:         %[[INF:.+]] = arith.constant 0x7F800000 : f32
// CHECK-NEXT:    %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<100x60xf32> into tensor<6000xf32>
// CHECK-NEXT:    %[[CHUNKS:.+]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [1000, 6] : tensor<6000xf32> into tensor<1000x6xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<1000xi1>
// CHECK-NEXT:    %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT:    %[[FILL:.+]] = linalg.fill ins(%[[TRUE]] : i1) outs(%[[E]] : tensor<1000xi1>) -> tensor<1000xi1>
// CHECK-NEXT:    %[[PART:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[CHUNKS]] : tensor<1000x6xf32>) outs(%[[FILL]] : tensor<1000xi1>) {
// CHECK-NEXT:    ^bb0(%[[IN:.+]]: f32, %[[OUT:.+]]: i1):
// CHECK-NEXT:      %[[ABS:.+]] = math.absf %[[IN]] : f32
// CHECK-NEXT:      %[[FIN:.+]] = arith.cmpf one, %[[ABS]], %[[INF]] : f32
// CHECK-NEXT:      %[[AND:.+]] = arith.andi %[[FIN]], %[[OUT]] : i1
// CHECK-NEXT:      linalg.yield %[[AND]] : i1
// CHECK-NEXT:    } -> tensor<1000xi1>
// CHECK-NEXT:    %[[RES:.+]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ALL]]], iterator_types = ["reduction"]} ins(%[[PART]] : tensor<1000xi1>) outs(%[[INIT]] : tensor<i1>) {
// CHECK-NEXT:    ^bb0(%[[P:.+]]: i1, %[[ACC:.+]]: i1):
// CHECK-NEXT:      %[[AND2:.+]] = arith.andi %[[P]], %[[ACC]] : i1
// CHECK-NEXT:      linalg.yield %[[AND2]] : i1
// CHECK-NEXT:    } -> tensor<i1>
// CHECK-NEXT:    return %[[RES]] : tensor<i1>
func.func @all_finite(%x: tensor<100x60xf32>, %init: tensor<i1>) -> tensor<i1> {
  %inf = arith.constant 0x7F800000 : f32
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<100x60xf32>) outs(%init : tensor<i1>) {
  ^bb0(%in: f32, %out: i1):
    %a = math.absf %in : f32
    %c = arith.cmpf one, %a, %inf : f32
    %y = arith.andi %c, %out : i1
    linalg.yield %y : i1
  } -> tensor<i1>
  return %r : tensor<i1>
}

// -----

// Two inputs (a dot product, f16 in, f32 accumulation): both collapsed;
// N = 8192, R = 1024. The partials start from 0.0, the neutral element
// of the addf combiner.
// CHECK-LABEL: func.func @dot(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<64x128xf16>, %[[Y:[a-z0-9]+]]: tensor<64x128xf16>, %[[INIT:[a-z0-9]+]]: tensor<f32>)
// CHECK-NEXT:    %[[FX:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<64x128xf16> into tensor<8192xf16>
// CHECK-NEXT:    %[[FY:.+]] = tensor.collapse_shape %[[Y]] {{\[\[}}0, 1]] : tensor<64x128xf16> into tensor<8192xf16>
// CHECK-NEXT:    %[[CX:.+]] = tensor.expand_shape %[[FX]] {{\[\[}}0, 1]] output_shape [1024, 8] : tensor<8192xf16> into tensor<1024x8xf16>
// CHECK-NEXT:    %[[CY:.+]] = tensor.expand_shape %[[FY]] {{\[\[}}0, 1]] output_shape [1024, 8] : tensor<8192xf16> into tensor<1024x8xf16>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<1024xf32>
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<1024xf32>) -> tensor<1024xf32>
// CHECK-NEXT:    %[[PART:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[CX]], %[[CY]] : tensor<1024x8xf16>, tensor<1024x8xf16>) outs(%[[FILL]] : tensor<1024xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f16, %[[B:.+]]: f16, %[[OUT:.+]]: f32):
// CHECK-NEXT:      %[[M:.+]] = arith.mulf %[[A]], %[[B]] : f16
// CHECK-NEXT:      %[[W:.+]] = arith.extf %[[M]] : f16 to f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[W]], %[[OUT]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NEXT:    } -> tensor<1024xf32>
// CHECK-NEXT:    %[[RES:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PART]] : tensor<1024xf32>) outs(%[[INIT]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%[[P:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT:      %[[S2:.+]] = arith.addf %[[P]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[S2]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    return %[[RES]] : tensor<f32>
func.func @dot(%x: tensor<64x128xf16>, %y: tensor<64x128xf16>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x, %y : tensor<64x128xf16>, tensor<64x128xf16>) outs(%init : tensor<f32>) {
  ^bb0(%a: f16, %b: f16, %out: f32):
    %m = arith.mulf %a, %b : f16
    %e = arith.extf %m : f16 to f32
    %s = arith.addf %e, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// 2048 elements: below the default min-elements (4096), left alone; with
// min-elements=2048, a 1-D reduction is split without a collapse_shape
// (R = 1024, chunks of 2).
// CHECK-LABEL: func.func @small(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<2048xf32>, %[[INIT:[a-z0-9]+]]: tensor<f32>)
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[X]] : tensor<2048xf32>) outs(%[[INIT]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[OUT:.+]]: f32):
// CHECK-NEXT:      %[[S:.+]] = arith.maximumf %[[A]], %[[OUT]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    return %[[R]] : tensor<f32>

// MIN-LABEL: func.func @small(
// MIN-SAME:    %[[X:[a-z0-9]+]]: tensor<2048xf32>, %[[INIT:[a-z0-9]+]]: tensor<f32>)
// MIN-NEXT:    %[[CHUNKS:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1024, 2] : tensor<2048xf32> into tensor<1024x2xf32>
// MIN-NEXT:    %[[E:.+]] = tensor.empty() : tensor<1024xf32>
// MIN-NEXT:    %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// MIN-NEXT:    %[[FILL:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%[[E]] : tensor<1024xf32>) -> tensor<1024xf32>
// MIN-NEXT:    %[[PART:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[CHUNKS]] : tensor<1024x2xf32>) outs(%[[FILL]] : tensor<1024xf32>) {
// MIN:         } -> tensor<1024xf32>
// MIN-NEXT:    %[[RES:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PART]] : tensor<1024xf32>) outs(%[[INIT]] : tensor<f32>) {
// MIN-NEXT:    ^bb0(%[[P:.+]]: f32, %[[ACC:.+]]: f32):
// MIN-NEXT:      %[[M:.+]] = arith.maximumf %[[P]], %[[ACC]] : f32
// MIN-NEXT:      linalg.yield %[[M]] : f32
// MIN-NEXT:    } -> tensor<f32>
// MIN-NEXT:    return %[[RES]] : tensor<f32>
func.func @small(%x: tensor<2048xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%x : tensor<2048xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.maximumf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Left alone: 4099 elements (a prime: no ratio in [32, 1024]), a
// transposed input map, a partial reduction (a parallel loop) and a
// dynamic size.
// CHECK-DAG: #[[$TR:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[$ALL:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @not_split(
// CHECK-SAME:    %[[P:[a-z0-9]+]]: tensor<4099xf32>, %[[T:[a-z0-9]+]]: tensor<128x64xf32>, %[[Q:[a-z0-9]+]]: tensor<128x64xf32>, %[[D:[a-z0-9]+]]: tensor<?xf32>, %[[INIT:[a-z0-9]+]]: tensor<f32>, %[[ROW:[a-z0-9]+]]: tensor<128xf32>)
// CHECK-NEXT:    %[[R0:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[P]] : tensor<4099xf32>) outs(%[[INIT]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%[[AR0:.+]]: f32, %[[OR0:.+]]: f32):
// CHECK-NEXT:      %[[SR0:.+]] = arith.addf %[[AR0]], %[[OR0]] : f32
// CHECK-NEXT:      linalg.yield %[[SR0]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    %[[R1:.+]] = linalg.generic {indexing_maps = [#[[$TR]], #[[$ALL]]], iterator_types = ["reduction", "reduction"]} ins(%[[T]] : tensor<128x64xf32>) outs(%[[INIT]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%[[AR1:.+]]: f32, %[[OR1:.+]]: f32):
// CHECK-NEXT:      %[[SR1:.+]] = arith.addf %[[AR1]], %[[OR1]] : f32
// CHECK-NEXT:      linalg.yield %[[SR1]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    %[[R2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[Q]] : tensor<128x64xf32>) outs(%[[ROW]] : tensor<128xf32>) {
// CHECK-NEXT:    ^bb0(%[[AR2:.+]]: f32, %[[OR2:.+]]: f32):
// CHECK-NEXT:      %[[SR2:.+]] = arith.addf %[[AR2]], %[[OR2]] : f32
// CHECK-NEXT:      linalg.yield %[[SR2]] : f32
// CHECK-NEXT:    } -> tensor<128xf32>
// CHECK-NEXT:    %[[R3:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[D]] : tensor<?xf32>) outs(%[[INIT]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%[[AR3:.+]]: f32, %[[OR3:.+]]: f32):
// CHECK-NEXT:      %[[SR3:.+]] = arith.addf %[[AR3]], %[[OR3]] : f32
// CHECK-NEXT:      linalg.yield %[[SR3]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    return %[[R0]], %[[R1]], %[[R2]], %[[R3]]
func.func @not_split(%p: tensor<4099xf32>, %t: tensor<128x64xf32>, %q: tensor<128x64xf32>, %d: tensor<?xf32>, %init: tensor<f32>, %row: tensor<128xf32>) -> (tensor<f32>, tensor<f32>, tensor<128xf32>, tensor<f32>) {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%p : tensor<4099xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%t : tensor<128x64xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%q : tensor<128x64xf32>) outs(%row : tensor<128xf32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%d : tensor<?xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<128xf32>, tensor<f32>
}

// -----

// A body that reads linalg.index is left alone: collapsing and splitting
// renumber the loops, so the index would change meaning.

// CHECK-LABEL: func.func @index_payload(
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK:           linalg.index 1
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @index_payload(%x: tensor<64x128xf32>) -> tensor<f32> {
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<64x128xf32>) outs(%z : tensor<f32>) {
    ^bb0(%a: f32, %acc: f32):
      %j = linalg.index 1 : index
      %ji = arith.index_cast %j : index to i64
      %jf = arith.sitofp %ji : i64 to f32
      %p = arith.mulf %a, %jf : f32
      %s = arith.addf %p, %acc : f32
      linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
