// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-tensorize-scalars))' -split-input-file | FileCheck %s

// mp-gpu-tensorize-scalars: a 0-d tensor.from_elements whose element is
// computed in the same block by pure region-free scalar ops from constants
// and tensor.extract of 0-d tensors becomes one 0-d linalg.generic: the
// extracted tensors are its inputs (each once, in the order the element's
// operands first reach them), the scalar ops are cloned into its body. The
// host scalar ops are left in place (dead, for canonicalize).

// The loss-scale state machine: two outputs, two kernels; %s is read twice
// but is one input.
// CHECK: #[[$MAP:.+]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @state(
// CHECK-SAME:    %[[S:[a-z0-9]+]]: tensor<f32>, %[[N:[a-z0-9]+]]: tensor<i32>, %[[OK:[a-z0-9]+]]: tensor<i1>)
// CHECK:         %[[ADD:.+]] = arith.addi
// CHECK-NEXT:    %[[E0:.+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT:    %[[G0:.+]] = linalg.generic {indexing_maps = [#[[$MAP]], #[[$MAP]], #[[$MAP]]], iterator_types = []} ins(%[[OK]], %[[S]] : tensor<i1>, tensor<f32>) outs(%[[E0]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%[[C:.+]]: i1, %[[V:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:      %[[UP:.+]] = arith.mulf %[[V]], %[[TWO]] : f32
// CHECK-NEXT:      %[[ABS:.+]] = math.absf %[[UP]] : f32
// CHECK-NEXT:      %[[SEL:.+]] = arith.select %[[C]], %[[ABS]], %[[V]] : f32
// CHECK-NEXT:      linalg.yield %[[SEL]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    %[[E1:.+]] = tensor.empty() : tensor<i32>
// CHECK-NEXT:    %[[G1:.+]] = linalg.generic {indexing_maps = [#[[$MAP]], #[[$MAP]]], iterator_types = []} ins(%[[N]] : tensor<i32>) outs(%[[E1]] : tensor<i32>) {
// CHECK-NEXT:    ^bb0(%[[K:.+]]: i32, %{{.+}}: i32):
// CHECK-NEXT:      %[[ONE:.+]] = arith.constant 1 : i32
// CHECK-NEXT:      %[[K1:.+]] = arith.addi %[[K]], %[[ONE]] : i32
// CHECK-NEXT:      linalg.yield %[[K1]] : i32
// CHECK-NEXT:    } -> tensor<i32>
// CHECK-NEXT:    return %[[G0]], %[[G1]] : tensor<f32>, tensor<i32>
// CHECK-NOT:     tensor.from_elements
func.func @state(%s: tensor<f32>, %n: tensor<i32>, %ok: tensor<i1>) -> (tensor<f32>, tensor<i32>) {
  %two = arith.constant 2.0 : f32
  %c1 = arith.constant 1 : i32
  %v = tensor.extract %s[] : tensor<f32>
  %k = tensor.extract %n[] : tensor<i32>
  %c = tensor.extract %ok[] : tensor<i1>
  %up = arith.mulf %v, %two : f32
  %a = math.absf %up : f32
  %r = arith.select %c, %a, %v : f32
  %k1 = arith.addi %k, %c1 : i32
  %t = tensor.from_elements %r : tensor<f32>
  %u = tensor.from_elements %k1 : tensor<i32>
  return %t, %u : tensor<f32>, tensor<i32>
}

// -----

// A constant alone: a kernel without inputs.
// CHECK: #[[$MAP:.+]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @constant(
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT:    %[[G:.+]] = linalg.generic {indexing_maps = [#[[$MAP]]], iterator_types = []} outs(%[[E]] : tensor<f32>) {
// CHECK-NEXT:    ^bb0(%{{.+}}: f32):
// CHECK-NEXT:      %[[C:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:      linalg.yield %[[C]] : f32
// CHECK-NEXT:    } -> tensor<f32>
// CHECK-NEXT:    return %[[G]] : tensor<f32>
func.func @constant() -> tensor<f32> {
  %two = arith.constant 2.0 : f32
  %t = tensor.from_elements %two : tensor<f32>
  return %t : tensor<f32>
}

// -----

// Not tensorized: an extract of a non-0-d tensor, a 1-d from_elements and
// an element computed from a function argument.
// CHECK-LABEL: func.func @not_scalar_state(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<4xf32>, %[[S:[a-z0-9]+]]: tensor<f32>, %[[F:[a-z0-9]+]]: f32)
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[V:.+]] = tensor.extract %[[X]][%[[C0]]] : tensor<4xf32>
// CHECK-NEXT:    %[[T:.+]] = tensor.from_elements %[[V]] : tensor<f32>
// CHECK-NEXT:    %[[W:.+]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK-NEXT:    %[[U:.+]] = tensor.from_elements %[[W]] : tensor<1xf32>
// CHECK-NEXT:    %[[A:.+]] = arith.addf %[[F]], %[[W]] : f32
// CHECK-NEXT:    %[[R:.+]] = tensor.from_elements %[[A]] : tensor<f32>
// CHECK-NEXT:    return %[[T]], %[[U]], %[[R]]
// CHECK-NOT:     linalg.generic
func.func @not_scalar_state(%x: tensor<4xf32>, %s: tensor<f32>, %f: f32) -> (tensor<f32>, tensor<1xf32>, tensor<f32>) {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %x[%c0] : tensor<4xf32>
  %t = tensor.from_elements %v : tensor<f32>
  %w = tensor.extract %s[] : tensor<f32>
  %u = tensor.from_elements %w : tensor<1xf32>
  %a = arith.addf %f, %w : f32
  %r = tensor.from_elements %a : tensor<f32>
  return %t, %u, %r : tensor<f32>, tensor<1xf32>, tensor<f32>
}

// -----

// Not tensorized: a call (side effects), an op with regions (scf.if) and a
// value from another block (the from_elements is inside a region).
// CHECK-LABEL: func.func @not_pure(
// CHECK-NOT:     linalg.generic
// CHECK:         %[[X:.+]] = call @f() : () -> f32
// CHECK-NEXT:    %[[A:.+]] = arith.addf %[[X]], %{{.+}} : f32
// CHECK-NEXT:    %[[T:.+]] = tensor.from_elements %[[A]] : tensor<f32>
// CHECK:         %[[IF:.+]] = scf.if
// CHECK:         %[[U:.+]] = tensor.from_elements %[[IF]] : tensor<f32>
// CHECK-NEXT:    %[[B:.+]] = arith.negf
// CHECK-NEXT:    scf.execute_region
// CHECK-NEXT:      %[[E:.+]] = tensor.from_elements %[[B]] : tensor<f32>
// CHECK-NEXT:      scf.yield %[[E]]
// CHECK-NOT:     linalg.generic
func.func private @f() -> f32
func.func @not_pure(%s: tensor<f32>, %p: i1) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %w = tensor.extract %s[] : tensor<f32>
  %x = func.call @f() : () -> f32
  %a = arith.addf %x, %w : f32
  %t = tensor.from_elements %a : tensor<f32>
  %r = scf.if %p -> f32 {
    scf.yield %w : f32
  } else {
    %n = arith.negf %w : f32
    scf.yield %n : f32
  }
  %u = tensor.from_elements %r : tensor<f32>
  %b = arith.negf %w : f32
  %v = scf.execute_region -> tensor<f32> {
    %e = tensor.from_elements %b : tensor<f32>
    scf.yield %e : tensor<f32>
  }
  return %t, %u, %v : tensor<f32>, tensor<f32>, tensor<f32>
}
