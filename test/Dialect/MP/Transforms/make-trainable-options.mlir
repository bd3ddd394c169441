// mp-make-trainable: every option value is checked before anything changes.
// A bad value is one error line naming the option and what is accepted, a
// non-zero exit, and no IR printed.
//
// RUN: not mp-opt %s --mp-make-trainable="params=weights" 2>&1 | FileCheck %s --check-prefix=PARAMS
// RUN: not mp-opt %s --mp-make-trainable="loss=hinge" 2>&1 | FileCheck %s --check-prefix=LOSS
// RUN: not mp-opt %s --mp-make-trainable="optimizer=lamb" 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not mp-opt %s --mp-make-trainable="lr=0" 2>&1 | FileCheck %s --check-prefix=LR
// RUN: not mp-opt %s --mp-make-trainable="optimizer=momentum momentum=1" 2>&1 | FileCheck %s --check-prefix=MOM
// RUN: not mp-opt %s --mp-make-trainable="beta1=-0.5" 2>&1 | FileCheck %s --check-prefix=BETA1
// RUN: not mp-opt %s --mp-make-trainable="beta2=1.5" 2>&1 | FileCheck %s --check-prefix=BETA2
// RUN: not mp-opt %s --mp-make-trainable="eps=0" 2>&1 | FileCheck %s --check-prefix=EPS
// RUN: not mp-opt %s --mp-make-trainable="weight-decay=-1" 2>&1 | FileCheck %s --check-prefix=WD
// RUN: not mp-opt %s --mp-make-trainable="min-elements=0" 2>&1 | FileCheck %s --check-prefix=MINEL
// RUN: not mp-opt %s --mp-make-trainable="loss=mse target-arg=-2" 2>&1 | FileCheck %s --check-prefix=TARGETNEG
// RUN: not mp-opt %s --mp-make-trainable="target-arg=1" 2>&1 | FileCheck %s --check-prefix=TARGETSUM
// RUN: not mp-opt %s --mp-make-trainable="param-args=w(" 2>&1 | FileCheck %s --check-prefix=REGEX
//
// PARAMS: error: mp-make-trainable: unknown params 'weights'; accepted: args, constants, both
// LOSS: error: mp-make-trainable: unknown loss 'hinge'; accepted: sum, mse, cross-entropy
// OPT: error: mp-make-trainable: unknown optimizer 'lamb'; accepted: sgd, momentum, adam, adamw
// LR: error: mp-make-trainable: lr must be finite and > 0, got 0
// MOM: error: mp-make-trainable: momentum must be in [0, 1), got 1
// BETA1: error: mp-make-trainable: beta1 must be in [0, 1), got -0.5
// BETA2: error: mp-make-trainable: beta2 must be in [0, 1), got 1.5
// EPS: error: mp-make-trainable: eps must be finite and > 0, got 0
// WD: error: mp-make-trainable: weight-decay must be finite and >= 0, got -1
// MINEL: error: mp-make-trainable: min-elements must be >= 1, got 0
// TARGETNEG: error: mp-make-trainable: target-arg must be -1 (append targets) or an argument index, got -2
// TARGETSUM: error: mp-make-trainable: target-arg needs loss=mse or loss=cross-entropy (loss=sum has no target)
// REGEX: error: mp-make-trainable: param-args 'w(' is neither an index list nor a valid regex:
// PARAMS-NOT: {{func|module}}
// LOSS-NOT: {{func|module}}
// OPT-NOT: {{func|module}}
// LR-NOT: {{func|module}}
// MOM-NOT: {{func|module}}
// BETA1-NOT: {{func|module}}
// BETA2-NOT: {{func|module}}
// EPS-NOT: {{func|module}}
// WD-NOT: {{func|module}}
// MINEL-NOT: {{func|module}}
// TARGETNEG-NOT: {{func|module}}
// TARGETSUM-NOT: {{func|module}}
// REGEX-NOT: {{func|module}}

// Values that depend on the function: at the function (entry: at the module).
//
// RUN: not mp-opt %s --mp-make-trainable="entry=nope" 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not mp-opt %s --mp-make-trainable="param-args=7" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not mp-opt %s --mp-make-trainable="param-args=2" 2>&1 | FileCheck %s --check-prefix=NOTFLOAT
// RUN: not mp-opt %s --mp-make-trainable="param-args=bias" 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not mp-opt %s --mp-make-trainable="loss=mse target-arg=5" 2>&1 | FileCheck %s --check-prefix=TRANGE
// RUN: not mp-opt %s --mp-make-trainable="loss=mse target-arg=0" 2>&1 | FileCheck %s --check-prefix=TTYPE
// RUN: not mp-opt %s --mp-make-trainable="loss=mse target-arg=1 param-args=0,1" 2>&1 | FileCheck %s --check-prefix=TPARAM
//
// ENTRY: make-trainable-options.mlir:0:0: error: mp-make-trainable: no function @nope (option entry)
// ENTRY-NOT: {{func|module}}

// RANGE: [[@LINE+6]]:1: error: mp-make-trainable: param-args index 7 out of range (@predict has 3 arguments)
// NOTFLOAT: [[@LINE+5]]:1: error: mp-make-trainable: argument #2 ('tensor<4xi32>') cannot be a param: not a float tensor
// NOMATCH: [[@LINE+4]]:1: error: mp-make-trainable: param-args regex 'bias' matches no argument name of @predict
// TRANGE: [[@LINE+3]]:1: error: mp-make-trainable: target-arg 5 out of range (@predict has 3 arguments)
// TTYPE: [[@LINE+2]]:1: error: mp-make-trainable: target-arg 0 ('tensor<4x4xf32>') does not match the result type 'tensor<4xf32>'
// TPARAM: [[@LINE+1]]:1: error: mp-make-trainable: argument #1 is the target (target-arg) and cannot be a param
func.func @predict(%w: tensor<4x4xf32> {mp.name = "weight"}, %x: tensor<4xf32>,
                   %ids: tensor<4xi32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %y = linalg.matvec ins(%w, %x : tensor<4x4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// RUN: not mp-opt %s --mp-make-trainable="entry=scalar loss=cross-entropy" 2>&1 | FileCheck %s --check-prefix=CERANK
// CERANK: [[@LINE+1]]:1: error: mp-make-trainable: loss=cross-entropy needs results of rank >= 1 (classes in the last dimension); result #0 is rank 0
func.func private @scalar(%w: tensor<f32>) -> tensor<f32> {
  return %w : tensor<f32>
}
