// RUN: mp-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(mp-gpu-predicate,mp-gpu-tensorize-scalars,canonicalize))" | FileCheck %s

// The skip-step guard: no scf.if and no tensor.extract remain; the flag is
// an input of a select kernel.
// CHECK-LABEL: func.func @guard(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>, %[[OK:[a-z0-9]+]]: tensor<i1>
// CHECK-NOT: scf.if
// CHECK-NOT: tensor.extract
// CHECK: %[[NEW:.*]] = arith.subf %[[W]], %[[G]]
// CHECK: linalg.generic {{.*}} ins(%[[OK]], %[[NEW]], %[[W]] : tensor<i1>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.select
func.func @guard(%w: tensor<4xf32>, %g: tensor<4xf32>, %ok: tensor<i1>) -> tensor<4xf32> {
  %c = tensor.extract %ok[] : tensor<i1>
  %r = scf.if %c -> tensor<4xf32> {
    %n = arith.subf %w, %g : tensor<4xf32>
    scf.yield %n : tensor<4xf32>
  } else {
    scf.yield %w : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Scalar loss-scale state: one 0-d kernel.
// CHECK-LABEL: func.func @state(
// CHECK-NOT: tensor.extract
// CHECK-NOT: tensor.from_elements
// CHECK: linalg.generic {{.*}} iterator_types = []} ins(%{{.*}}, %{{.*}} : tensor<i1>, tensor<f32>)
// CHECK: arith.select
func.func @state(%s: tensor<f32>, %ok: tensor<i1>) -> tensor<f32> {
  %two = arith.constant 2.0 : f32
  %half = arith.constant 0.5 : f32
  %v = tensor.extract %s[] : tensor<f32>
  %c = tensor.extract %ok[] : tensor<i1>
  %up = arith.mulf %v, %two : f32
  %down = arith.mulf %v, %half : f32
  %n = arith.select %c, %up, %down : f32
  %t = tensor.from_elements %n : tensor<f32>
  return %t : tensor<f32>
}
