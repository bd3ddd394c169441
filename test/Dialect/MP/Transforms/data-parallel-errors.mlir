// RUN: mp-opt %s --mp-data-parallel -split-input-file -verify-diagnostics
// RUN: not mp-opt %s --mp-mixed-precision="data-parallel=mpi" -split-input-file 2>&1 | FileCheck %s --check-prefix=PIPE
// RUN: not mp-opt %s --mp-mixed-precision="data-parallel=nccl" -split-input-file 2>&1 | FileCheck %s --check-prefix=BACKEND
// RUN: not mp-opt %s --mp-mixed-precision="data-parallel=mpi target=nvptx" -split-input-file 2>&1 | FileCheck %s --check-prefix=NVPTX
// RUN: not mp-opt %s --mp-data-parallel=bucket-bytes=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BUCKET

// A module without a training step has no gradients to reduce: an error at
// the module, not a silently unchanged step.
// expected-error@+1 {{mp-data-parallel: no mp.value_and_grad in the module}}
module {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
// PIPE: error: mp-data-parallel: no mp.value_and_grad in the module: there are no gradients to all-reduce
// PIPE-NOT: func.func @forward
// BACKEND: error: mp-mixed-precision: unknown data-parallel 'nccl' (expected none or mpi)
// NVPTX: error: mp-data-parallel: target 'nvptx' is not supported: data-parallel steps run on the CPU (target=cpu)
// BUCKET: error: mp-data-parallel: bucket-bytes must be > 0, got 0

// -----

func.func @loss(%w: tensor<?xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%w : tensor<?xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

func.func @train_step(%w: tensor<?xf32>) -> (tensor<?xf32> {mp.updates = 0}, tensor<f32>) {
  // expected-error@+1 {{mp-data-parallel: result #1 has type 'tensor<?xf32>'; only statically shaped float tensors can be all-reduced}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>}
      : (tensor<?xf32>) -> (tensor<f32>, tensor<?xf32>)
  %w1 = arith.subf %w, %g : tensor<?xf32>
  return %w1, %l : tensor<?xf32>, tensor<f32>
}

// -----

// mp-loss-scaling after mp-data-parallel would unscale and check gradients
// the all-reduce has already consumed: an error (mp-mixed-precision runs
// them in the other order).
// RUN: not mp-opt %s --mp-data-parallel --mp-loss-scaling=mode=dynamic -split-input-file 2>&1 | FileCheck %s --check-prefix=ORDER
// ORDER: error: 'mp.value_and_grad' op is already all-reduced (mp-data-parallel ran): run mp-loss-scaling before mp-data-parallel, as mp-mixed-precision does
func.func @loss2(%w: tensor<4xf32>) -> tensor<f32> {
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

func.func @train_step2(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss2(%w) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  return %w1, %l : tensor<4xf32>, tensor<f32>
}
