// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-reassociate-reductions))' | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-reassociate-reductions{sums=false}))' | FileCheck %s --check-prefix=NOSUM
// RUN: mp-opt %s --mp-approximate-math=ops=exp | FileCheck %s --check-prefix=APPROX

// CHECK-LABEL: func.func @softmax_parts(
// The combiners of reductions get `reassoc`; the elementwise addf and the
// exp feeding the sum do not.
// CHECK:         arith.maximumf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// CHECK:         math.exp %{{.+}} : f32
// CHECK-NEXT:    arith.addf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// CHECK:         arith.addf %{{.+}}, %{{.+}} : f32
// CHECK-NOT:     fastmath
// NOSUM-LABEL: func.func @softmax_parts(
// NOSUM:         arith.maximumf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// NOSUM:         math.exp
// NOSUM-NEXT:    arith.addf %{{.+}}, %{{.+}} : f32
// APPROX-LABEL: func.func @softmax_parts(
// APPROX-NOT:    math.exp
// APPROX:        arith.maximumf
// APPROX-NOT:    math.exp
// APPROX:        return
func.func @softmax_parts(%x: tensor<64x64xf32>, %m0: tensor<64xf32>, %s0: tensor<64xf32>, %a: tensor<64x64xf32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<64x64xf32>) {
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x64xf32>) outs(%m0 : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.maximumf %in, %acc : f32
    linalg.yield %0 : f32
  } -> tensor<64xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x64xf32>) outs(%s0 : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = math.exp %in : f32
    %1 = arith.addf %0, %acc : f32
    linalg.yield %1 : f32
  } -> tensor<64xf32>
  %e = tensor.empty() : tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %a : tensor<64x64xf32>, tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%in: f32, %in2: f32, %o: f32):
    %0 = arith.addf %in, %in2 : f32
    linalg.yield %0 : f32
  } -> tensor<64x64xf32>
  return %m, %s, %y : tensor<64xf32>, tensor<64xf32>, tensor<64x64xf32>
}

// Left alone (with and without sums): a mulf combiner, an integer addi
// combiner, and an addf on the accumulator whose result is not the yielded
// value (a mulf by the accumulator follows).
// CHECK-LABEL: func.func @left_alone(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<64x64xf32>, %[[I:[a-z0-9]+]]: tensor<64x64xi32>, %[[P0:[a-z0-9]+]]: tensor<64xf32>, %[[S0:[a-z0-9]+]]: tensor<64xi32>, %[[Q0:[a-z0-9]+]]: tensor<64xf32>)
// CHECK:         ins(%[[X]] : tensor<64x64xf32>) outs(%[[P0]] : tensor<64xf32>) {
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f32, %[[ACC:[a-z0-9_]+]]: f32):
// CHECK-NEXT:      %[[M:.+]] = arith.mulf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK:         ins(%[[I]] : tensor<64x64xi32>) outs(%[[S0]] : tensor<64xi32>) {
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: i32, %[[ACC:[a-z0-9_]+]]: i32):
// CHECK-NEXT:      %[[A:.+]] = arith.addi %[[IN]], %[[ACC]] : i32
// CHECK-NEXT:      linalg.yield %[[A]] : i32
// CHECK:         ins(%[[X]] : tensor<64x64xf32>) outs(%[[Q0]] : tensor<64xf32>) {
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f32, %[[ACC:[a-z0-9_]+]]: f32):
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT:      %[[T:.+]] = arith.mulf %[[S]], %[[ACC]] : f32
// CHECK-NEXT:      linalg.yield %[[T]] : f32
// CHECK-NOT:     fastmath
// NOSUM-LABEL: func.func @left_alone(
// NOSUM-NOT:     fastmath
// NOSUM:         return
func.func @left_alone(%x: tensor<64x64xf32>, %i: tensor<64x64xi32>, %p0: tensor<64xf32>, %s0: tensor<64xi32>, %q0: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xi32>, tensor<64xf32>) {
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x64xf32>) outs(%p0 : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.mulf %in, %acc : f32
    linalg.yield %0 : f32
  } -> tensor<64xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%i : tensor<64x64xi32>) outs(%s0 : tensor<64xi32>) {
  ^bb0(%in: i32, %acc: i32):
    %0 = arith.addi %in, %acc : i32
    linalg.yield %0 : i32
  } -> tensor<64xi32>
  %q = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x64xf32>) outs(%q0 : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.addf %in, %acc : f32
    %1 = arith.mulf %0, %acc : f32
    linalg.yield %1 : f32
  } -> tensor<64xf32>
  return %p, %s, %q : tensor<64xf32>, tensor<64xi32>, tensor<64xf32>
}
