// mp-range-probe adds @train_step_range_probe: @loss's body on the step's
// arguments (operand j of mp.value_and_grad is step argument 2 - j here),
// its loss, and per named float tensor value [max |x|, fraction of nonzero
// elements below 2^-14] in a tensor<Nx2xf32>; the names in
// range_probe.names (a repeated name gets #1). Constants and tensor.empty
// (undefined contents) are not probed, named or not.
// only=true keeps just the probe; name= renames it.
//
// RUN: mp-opt %s --mp-range-probe | FileCheck %s
// RUN: mp-opt %s --mp-range-probe="only=true name=train_step" | FileCheck %s --check-prefix=ONLY

func.func @loss(%x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<f32> {
  %c = arith.constant dense<2.0> : tensor<4xf32> loc("const")
  %a = arith.mulf %x, %w : tensor<4xf32> loc("layer")
  %b = arith.mulf %a, %c : tensor<4xf32> loc("layer")
  %e = tensor.empty() : tensor<f32> loc("init")
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%b : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}

func.func @train_step(%w: tensor<4xf32>, %unused: tensor<2xf32>, %x: tensor<4xf32>)
    -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%x, %w) {wrt = array<i64: 1>}
      : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %n = arith.subf %w, %g : tensor<4xf32>
  return %n, %l : tensor<4xf32>, tensor<f32>
}

// CHECK: func.func @loss
// CHECK: func.func @train_step(
// CHECK: func.func @train_step_range_probe(%[[W:.*]]: tensor<4xf32>, %{{.*}}: tensor<2xf32>, %[[X:.*]]: tensor<4xf32>) -> (tensor<f32>, tensor<2x2xf32>) attributes {range_probe.names = ["layer", "layer#1"]}
// CHECK: %[[A:.*]] = arith.mulf %[[X]], %[[W]]
// CHECK: %[[B:.*]] = arith.mulf %[[A]], %{{.*}}
// CHECK: %[[LOSS:.*]] = linalg.reduce ins(%[[B]]
// CHECK: %[[RA:.*]]:3 = linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[A]] : tensor<4xf32>) outs({{.*}} : tensor<f32>, tensor<i64>, tensor<i64>)
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: arith.constant 6.10351563E-5 : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: linalg.yield
// CHECK: %[[MAXA:.*]] = tensor.extract %[[RA]]#0[]
// CHECK: %[[NA:.*]] = arith.sitofp
// CHECK: %[[UA:.*]] = arith.sitofp
// CHECK: %[[FA:.*]] = arith.divf %[[UA]], %{{.*}}
// CHECK: %[[RB:.*]]:3 = linalg.generic {{.*}} ins(%[[B]] : tensor<4xf32>)
// CHECK: %[[MAXB:.*]] = tensor.extract %[[RB]]#0[]
// CHECK: %[[FB:.*]] = arith.divf
// CHECK: %[[T:.*]] = tensor.from_elements %[[MAXA]], %[[FA]], %[[MAXB]], %[[FB]] : tensor<2x2xf32>
// CHECK: return %[[LOSS]], %[[T]] : tensor<f32>, tensor<2x2xf32>

// ONLY-NOT: func.func @loss
// ONLY: func.func @train_step(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<2xf32>, %{{.*}}: tensor<4xf32>) -> (tensor<f32>, tensor<2x2xf32>) attributes {range_probe.names
// ONLY-NOT: func.func
