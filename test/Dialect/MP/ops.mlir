// RUN: mp-opt %s | FileCheck %s
// Round trip: print, parse again, print again; must be stable.
// RUN: mp-opt %s | mp-opt | FileCheck %s
// Generic form round trip.
// RUN: mp-opt %s -mlir-print-op-generic | mp-opt | FileCheck %s

// CHECK-LABEL: func.func @casts
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[S:.*]]: f32)
func.func @casts(%x: tensor<4x8xf32>, %s: f32) -> (tensor<4x8xbf16>, tensor<4x8xf16>, bf16) {
  // CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xbf16>
  %a = mp.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
  // CHECK-NEXT: %[[B:.*]] = mp.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xf16>
  %b = mp.cast %x : tensor<4x8xf32> to tensor<4x8xf16>
  // CHECK-NEXT: %[[C:.*]] = mp.cast %[[S]] : f32 to bf16
  %c = mp.cast %s : f32 to bf16
  // CHECK-NEXT: return %[[A]], %[[B]], %[[C]]
  return %a, %b, %c : tensor<4x8xbf16>, tensor<4x8xf16>, bf16
}

func.func @loss(%w: tensor<4x4xf32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @grads
// CHECK-SAME: (%[[W:.*]]: tensor<4x4xf32>, %[[X:.*]]: tensor<2x4xf32>, %[[S:.*]]: tensor<f32>)
func.func @grads(%w: tensor<4x4xf32>, %x: tensor<2x4xf32>, %s: tensor<f32>)
    -> (tensor<f32>, tensor<4x4xf32>, tensor<f32>, tensor<4x4xf32>, tensor<2x4xf32>) {
  // CHECK-NEXT: %[[L:.*]]:2 = mp.value_and_grad @loss(%[[W]], %[[X]]) {wrt = array<i64: 0>} : (tensor<4x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>)
  %l, %gw = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>)
  // CHECK-NEXT: %[[M:.*]]:3 = mp.value_and_grad @loss(%[[W]], %[[X]]) scale(%[[S]]) {wrt = array<i64: 0, 1>} : (tensor<4x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>, tensor<2x4xf32>)
  %l2, %gw2, %gx2 = mp.value_and_grad @loss(%w, %x) scale(%s) {wrt = array<i64: 0, 1>}
      : (tensor<4x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>, tensor<2x4xf32>)
  return %l, %gw, %l2, %gw2, %gx2 : tensor<f32>, tensor<4x4xf32>, tensor<f32>, tensor<4x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @scaling
// CHECK-SAME: (%[[G0:.*]]: tensor<4x4xf32>, %[[G1:.*]]: tensor<4xbf16>, %[[S:.*]]: tensor<f32>, %[[T:.*]]: tensor<i32>, %[[H:.*]]: tensor<i32>)
func.func @scaling(%g0: tensor<4x4xf32>, %g1: tensor<4xbf16>, %s: tensor<f32>, %t: tensor<i32>, %h: tensor<i32>)
    -> (tensor<4x4xf32>, tensor<4xbf16>, tensor<f32>, tensor<i32>, tensor<f32>, tensor<i32>, tensor<i32>) {
  // CHECK-NEXT: %[[U:.*]]:2 = mp.unscale %[[G0]], %[[G1]] by %[[S]] : tensor<4x4xf32>, tensor<4xbf16>
  %u0, %u1 = mp.unscale %g0, %g1 by %s : tensor<4x4xf32>, tensor<4xbf16>
  // CHECK-NEXT: %[[OK:.*]] = mp.all_finite %[[U]]#0, %[[U]]#1 : tensor<4x4xf32>, tensor<4xbf16>
  %ok = mp.all_finite %u0, %u1 : tensor<4x4xf32>, tensor<4xbf16>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = mp.update_scale %[[S]], %[[T]] finite(%[[OK]]) {config = #mp.loss_scale<dynamic, init = 32768.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 2000, min = 1.0, max = 16777216.0, hysteresis = 1>}
  %s1, %t1 = mp.update_scale %s, %t finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 32768.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 2000, min = 1.0, max = 16777216.0, hysteresis = 1>}
  // CHECK-NEXT: %{{.*}}, %{{.*}}, %{{.*}} = mp.update_scale %[[S]], %[[T]] hysteresis(%[[H]]) finite(%[[OK]]) {config = #mp.loss_scale<dynamic, init = 8.0, growth_factor = 2.0, backoff_factor = 0.25, growth_interval = 3, min = 0.0, max = inf, hysteresis = 2>}
  %s2, %t2, %h2 = mp.update_scale %s, %t hysteresis(%h) finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 8.0, backoff_factor = 0.25, growth_interval = 3, min = 0.0, max = inf, hysteresis = 2>}
  return %u0, %u1, %s1, %t1, %s2, %t2, %h2 : tensor<4x4xf32>, tensor<4xbf16>, tensor<f32>, tensor<i32>, tensor<f32>, tensor<i32>, tensor<i32>
}

// Attributes: every spelling, including defaults filled in and keys in any
// order.
// CHECK-LABEL: func.func @attrs
// CHECK-SAME: ls_big = #mp.loss_scale<dynamic, init = 1.7014118346046923e+38, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 1, min = 1.0, max = inf, hysteresis = 1>
// CHECK-SAME: ls_dyn = #mp.loss_scale<dynamic, init = 32768.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 2000, min = 1.0, max = 16777216.0, hysteresis = 1>
// CHECK-SAME: ls_none = #mp.loss_scale<none>
// CHECK-SAME: ls_order = #mp.loss_scale<dynamic, init = 4.0, growth_factor = 3.0, backoff_factor = 0.125, growth_interval = 2, min = 0.5, max = 1024.0, hysteresis = 4>
// CHECK-SAME: ls_static = #mp.loss_scale<static, init = 1024.0>
// CHECK-SAME: policy = #mp.policy<param = f32, compute = bf16, output = f32>
// CHECK-SAME: policy16 = #mp.policy<param = f16, compute = f16, output = f16>
func.func @attrs() attributes {
    policy = #mp.policy<param = f32, compute = bf16, output = f32>,
    policy16 = #mp.policy<param = f16, compute = f16, output = f16>,
    ls_dyn = #mp.loss_scale<dynamic>,
    ls_big = #mp.loss_scale<dynamic, init = 1.7014118346046923e+38, growth_interval = 1, max = inf>,
    ls_none = #mp.loss_scale<none>,
    ls_order = #mp.loss_scale<dynamic, hysteresis = 4, max = 1024, min = 0.5, growth_interval = 2, backoff_factor = 0.125, growth_factor = 3, init = 4.0>,
    ls_static = #mp.loss_scale<static, init = 1024.0>} {
  return
}

// Discardable attributes verified by the dialect.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {mp.init = "ones"}, %{{.*}}: tensor<f32> {mp.loss_scale}, %{{.*}}: tensor<i32> {mp.growth_tracker}, %{{.*}}: tensor<i32> {mp.hysteresis})
// CHECK-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<f32> {mp.loss_scale}, tensor<i32> {mp.growth_tracker}, tensor<i32> {mp.hysteresis}, tensor<i1> {mp.overflow})
func.func @step(%w: tensor<4xf32> {mp.init = "ones"}, %s: tensor<f32> {mp.loss_scale}, %t: tensor<i32> {mp.growth_tracker}, %h: tensor<i32> {mp.hysteresis})
    -> (tensor<4xf32> {mp.updates = 0}, tensor<f32> {mp.loss_scale}, tensor<i32> {mp.growth_tracker}, tensor<i32> {mp.hysteresis}, tensor<i1> {mp.overflow}) {
  // CHECK: arith.addf {{.*}} {mp.precision = bf16} : tensor<4xf32>
  %0 = arith.addf %w, %w {mp.precision = bf16} : tensor<4xf32>
  %ok = mp.all_finite %0 : tensor<4xf32>
  return %0, %s, %t, %h, %ok : tensor<4xf32>, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i1>
}
