// Every enum-like option of every pass and pipeline is checked up front: a
// bad value is one error line naming the option and what is accepted, a
// non-zero exit, and no IR printed (not the module in generic form).
//
// RUN: not mp-opt %s --mp-autocast="policy=mixed_float8" 2>&1 | FileCheck %s --check-prefix=POLICY
// RUN: not mp-opt %s --mp-autocast="target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not mp-opt %s --mp-autocast="accumulate=f64" 2>&1 | FileCheck %s --check-prefix=ACC
// RUN: not mp-opt %s --mp-autocast="compute-output=f64" 2>&1 | FileCheck %s --check-prefix=COUT
// RUN: not mp-opt %s --mp-mixed-precision="compute-output=f64" 2>&1 | FileCheck %s --check-prefix=COUT
// RUN: not mp-opt %s --mp-loss-scaling="mode=maybe" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not mp-opt %s --mp-mixed-precision="policy=mixed_float8" 2>&1 | FileCheck %s --check-prefix=POLICY
// RUN: not mp-opt %s --mp-mixed-precision="target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not mp-opt %s --mp-mixed-precision="accumulate=f64" 2>&1 | FileCheck %s --check-prefix=ACC
// RUN: not mp-opt %s --mp-mixed-precision="mode=maybe" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not mp-opt %s --mp-mixed-precision="data-parallel=yes" 2>&1 | FileCheck %s --check-prefix=DP
// RUN: not mp-opt %s --mp-data-parallel="backend=nccl" 2>&1 | FileCheck %s --check-prefix=BACKEND
// RUN: not mp-opt %s --mp-data-parallel="target=nvptx" 2>&1 | FileCheck %s --check-prefix=DPTARGET
// RUN: not mp-opt %s --mp-to-cpu="contractions=blas" 2>&1 | FileCheck %s --check-prefix=CONTRACTIONS
// RUN: not mp-opt %s --mp-to-nvptx="format=isb" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not mp-opt %s --mp-to-nvptx="chip=gfx90a" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not mp-opt %s --mp-approximate-math="ops=tanh,bogus" 2>&1 | FileCheck %s --check-prefix=OPS
//
// POLICY: error: mp-autocast: unknown policy 'mixed_float8'; accepted:
// TARGET: error: mp-autocast: unknown target 'tpu'; accepted: cpu, nvptx
// ACC: error: mp-autocast: unknown accumulate value 'f64'; accepted: f32, compute
// COUT: error: mp-autocast: unknown compute-output value 'f64'; accepted: compute, f32
// MODE: error: mp-loss-scaling: mode must be one of none, static, dynamic; got 'maybe'
// DP: error: mp-mixed-precision: unknown data-parallel 'yes' (expected none or mpi)
// BACKEND: error: mp-data-parallel: backend must be mpi, got 'nccl'
// DPTARGET: error: mp-data-parallel: target 'nvptx' is not supported
// CONTRACTIONS: error: mp-to-cpu: unknown contractions 'blas' (expected runtime or loops)
// FORMAT: error: mp-to-nvptx: unknown format 'isb' (expected isa, bin or fatbin)
// CHIP: error: mp-to-nvptx: chip 'gfx90a' is not of the form sm_NN
// OPS: error: mp-approximate-math: unknown math op 'bogus' in ops
// POLICY-NOT: {{func|module|"builtin}}
// TARGET-NOT: {{func|module|"builtin}}
// ACC-NOT: {{func|module|"builtin}}
// COUT-NOT: {{func|module|"builtin}}
// MODE-NOT: {{func|module|"builtin}}
// DP-NOT: {{func|module|"builtin}}
// BACKEND-NOT: {{func|module|"builtin}}
// DPTARGET-NOT: {{func|module|"builtin}}
// CONTRACTIONS-NOT: {{func|module|"builtin}}
// FORMAT-NOT: {{func|module|"builtin}}
// CHIP-NOT: {{func|module|"builtin}}
// OPS-NOT: {{func|module|"builtin}}

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %t = math.tanh %w : tensor<4xf32>
  %r = linalg.reduce ins(%t : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

func.func @train_step(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  return %w1, %l : tensor<4xf32>, tensor<f32>
}
