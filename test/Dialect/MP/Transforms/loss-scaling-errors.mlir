// RUN: mp-opt %s --mp-loss-scaling -split-input-file -verify-diagnostics

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// A result that depends on the gradients but is not tied to an argument:
// a skipped step could not leave it unchanged.
func.func @untied(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<4xf32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  %g2 = arith.mulf %g, %g : tensor<4xf32>
  // expected-error @+1 {{'func.return' op returns a value that depends on the gradients as result #1 of @untied without an 'mp.updates' tie: a skipped step could not leave it unchanged}}
  return %w1, %g2 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @raw_gradient(%w: tensor<4xf32>) -> (tensor<4xf32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  // expected-error @+1 {{returns a value that depends on the gradients as result #0 of @raw_gradient without an 'mp.updates' tie}}
  return %g : tensor<4xf32>
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @two_calls(%w: tensor<4xf32>) -> (tensor<f32>, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  // expected-error @+1 {{'mp.value_and_grad' op is the second mp.value_and_grad in @two_calls; mp-loss-scaling supports one per step function}}
  %l2, %g2 = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l, %l2 : tensor<f32>, tensor<f32>
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @already_scaled(%w: tensor<4xf32>, %s: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'mp.value_and_grad' op already has a loss-scale seed; mp-loss-scaling must run once}}
  %l, %g = mp.value_and_grad @loss(%w) scale(%s) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l : tensor<f32>
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @nested(%w: tensor<4xf32>, %c: i1) -> tensor<f32> {
  %r = scf.if %c -> tensor<f32> {
    // expected-error @+1 {{'mp.value_and_grad' op must be at the top level of a single-block function body for mp-loss-scaling}}
    %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
    scf.yield %l : tensor<f32>
  } else {
    %z = arith.constant dense<0.0> : tensor<f32>
    scf.yield %z : tensor<f32>
  }
  return %r : tensor<f32>
}
