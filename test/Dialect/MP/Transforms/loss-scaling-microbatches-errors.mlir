// RUN: mp-opt %s --mp-loss-scaling="microbatches=4" -split-input-file -verify-diagnostics

func.func @loss(%w: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// The data argument is read outside the mp.value_and_grad too: it becomes a
// stack of micro-batches, so that use would see all of them.
func.func @data_used_outside(%w: tensor<4xf32>, %x: tensor<4xf32>)
    -> (tensor<4xf32> {mp.updates = 0}, tensor<4xf32>) {
  %l, %g = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  // expected-error @+1 {{'arith.mulf' op uses data argument #1, which microbatches=4 turns into a stack of micro-batches: only the mp.value_and_grad may use it}}
  %x2 = arith.mulf %x, %x : tensor<4xf32>
  return %w1, %x2 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @loss(%w: tensor<4xf32>, %lr: tensor<f32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// Nothing to split: the only other argument is a scalar.
func.func @no_data(%w: tensor<4xf32>, %lr: tensor<f32>) -> (tensor<4xf32> {mp.updates = 0}) {
  // expected-error @+1 {{'mp.value_and_grad' op has no data argument to split into micro-batches (microbatches=4): data are the step's untied arguments of rank >= 1 passed other than w.r.t.}}
  %l, %g = mp.value_and_grad @loss(%w, %lr) {wrt = array<i64: 0>} : (tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  return %w1 : tensor<4xf32>
}
