// mp-range-probe on steps it cannot probe: one diagnostic at the right
// place.
//
// RUN: mp-opt %s --mp-range-probe -split-input-file -verify-diagnostics

// expected-error@+1 {{mp-range-probe: no function @train_step with a body}}
module {
  func.func @other(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

// expected-error@+1 {{mp-range-probe: @train_step calls mp.value_and_grad 0 times, expected once}}
func.func @train_step(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

func.func @loss(%w: tensor<2xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%w : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}

func.func @train_step(%w: tensor<2xf32>) -> (tensor<2xf32> {mp.updates = 0}, tensor<f32>) {
  %w2 = arith.addf %w, %w : tensor<2xf32>
  // expected-error@+1 {{mp-range-probe: operand #0 of mp.value_and_grad is not an argument of @train_step}}
  %l, %g = mp.value_and_grad @loss(%w2) {wrt = array<i64: 0>}
      : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  %n = arith.subf %w, %g : tensor<2xf32>
  return %n, %l : tensor<2xf32>, tensor<f32>
}

// -----

// expected-error@+1 {{mp-range-probe: @loss has no named values (ops with a NameLoc, e.g. loc("fc1"), and a float tensor result)}}
func.func @loss(%w: tensor<2xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%w : tensor<2xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}

func.func @train_step(%w: tensor<2xf32>) -> (tensor<2xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>}
      : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  %n = arith.subf %w, %g : tensor<2xf32>
  return %n, %l : tensor<2xf32>, tensor<f32>
}
