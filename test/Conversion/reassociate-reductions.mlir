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
