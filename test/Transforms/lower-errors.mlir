// RUN: mp-opt %s --mp-lower -verify-diagnostics

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @not_differentiated(%w: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'mp.value_and_grad' op must be expanded by mp-differentiate before mp-lower}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l : tensor<f32>
}
