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

// -----

// Left alone: a dynamically shaped result and a branch with side effects
// (a call); the condition stays a host tensor.extract.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?xf32>, %[[OK:[a-z0-9]+]]: tensor<i1>
// CHECK-NEXT: %[[C:.+]] = tensor.extract %[[OK]][] : tensor<i1>
// CHECK-NEXT: %[[R:.+]] = scf.if %[[C]] -> (tensor<?xf32>) {
// CHECK-NEXT:   %[[N:.+]] = arith.negf %[[X]] : tensor<?xf32>
// CHECK-NEXT:   scf.yield %[[N]] : tensor<?xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT:   scf.yield %[[X]] : tensor<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : tensor<?xf32>
func.func @dynamic(%x: tensor<?xf32>, %ok: tensor<i1>) -> tensor<?xf32> {
  %c = tensor.extract %ok[] : tensor<i1>
  %r = scf.if %c -> tensor<?xf32> {
    %n = arith.negf %x : tensor<?xf32>
    scf.yield %n : tensor<?xf32>
  } else {
    scf.yield %x : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// CHECK-LABEL: func.func @effects(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4xf32>, %[[OK:[a-z0-9]+]]: tensor<i1>
// CHECK-NEXT: %[[C:.+]] = tensor.extract %[[OK]][] : tensor<i1>
// CHECK-NEXT: %[[S:.+]] = scf.if %[[C]] -> (tensor<4xf32>) {
// CHECK-NEXT:   func.call @log() : () -> ()
// CHECK-NEXT:   %[[N:.+]] = arith.negf %[[W]] : tensor<4xf32>
// CHECK-NEXT:   scf.yield %[[N]] : tensor<4xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT:   scf.yield %[[W]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[S]] : tensor<4xf32>
// CHECK-NOT: linalg.generic
func.func private @log()
func.func @effects(%w: tensor<4xf32>, %ok: tensor<i1>) -> tensor<4xf32> {
  %c = tensor.extract %ok[] : tensor<i1>
  %s = scf.if %c -> tensor<4xf32> {
    func.call @log() : () -> ()
    %n = arith.negf %w : tensor<4xf32>
    scf.yield %n : tensor<4xf32>
  } else {
    scf.yield %w : tensor<4xf32>
  }
  return %s : tensor<4xf32>
}
