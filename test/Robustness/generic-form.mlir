// mp ops built through the generic syntax with wrong types are verifier
// errors, never crashes.
// RUN: mp-opt %s -split-input-file -verify-diagnostics

func.func @cast_to_int(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.cast' op result #0 must be floating-point or tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = "mp.cast"(%x) : (tensor<4xf32>) -> tensor<4xi32>
  return
}

// -----

func.func @update_scale_bad_config(%s: tensor<f32>, %t: tensor<i32>, %ok: tensor<i1>) {
  // expected-error @+1 {{'mp.update_scale' op attribute 'config' failed to satisfy constraint: Loss-scaling configuration}}
  %0:2 = "mp.update_scale"(%s, %t, %ok) {config = 3 : i32} : (tensor<f32>, tensor<i32>, tensor<i1>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func.func @value_and_grad_int_callee(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op attribute 'callee' failed to satisfy constraint: flat symbol reference attribute}}
  %0:2 = "mp.value_and_grad"(%x) {callee = 3 : i32, wrt = array<i64: 0>, operandSegmentSizes = array<i32: 1, 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @all_finite_scalar_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.all_finite' op result #0 must be 0-d tensor of i1, but got 'i1'}}
  %0 = "mp.all_finite"(%x) : (tensor<4xf32>) -> i1
  return
}

// -----

func.func @unscale_missing_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.unscale' op operand #0 must be 0-d tensor of f32, but got 'tensor<4xf32>'}}
  %0 = "mp.unscale"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}
