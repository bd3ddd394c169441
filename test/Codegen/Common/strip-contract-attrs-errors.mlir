// An mp op left (the graph skipped mp-mixed-precision) is an error with a
// hint, not bufferization's "op was not bufferized".
// RUN: not mp-opt %s --mp-strip-contract-attrs 2>&1 | FileCheck %s --check-prefix=MPOP
// RUN: not mp-opt %s --mp-to-cpu 2>&1 | FileCheck %s --check-prefix=MPOP
// RUN: not mp-opt %s --mp-to-nvptx=format=isa 2>&1 | FileCheck %s --check-prefix=MPOP
// MPOP: error: 'mp.value_and_grad' must be expanded and lowered before code generation: run mp-mixed-precision first (e.g. --mp-mixed-precision --mp-to-cpu)
// MPOP-NOT: not bufferized
func.func @loss_left(%w: tensor<4xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%w : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

func.func @step_left(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss_left(%w) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  return %w1, %l : tensor<4xf32>, tensor<f32>
}
