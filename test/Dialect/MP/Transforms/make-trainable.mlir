// mp-make-trainable: exact IR of @loss and @train_step for each loss (sum,
// mse, cross-entropy) and optimizer (sgd, momentum, adam, adamw), with
// weight decay as an L2 term (sgd) and decoupled (adamw).
//
// RUN: mp-opt %s --mp-make-trainable="param-args=0" | FileCheck %s --check-prefix=SUM
// RUN: mp-opt %s --mp-make-trainable="param-args=0 loss=mse optimizer=momentum momentum=0.5 lr=0.1" | FileCheck %s --check-prefix=MSE
// RUN: mp-opt %s --mp-make-trainable="param-args=0 loss=cross-entropy optimizer=adam" | FileCheck %s --check-prefix=CE
// RUN: mp-opt %s --mp-make-trainable="param-args=0 optimizer=adamw weight-decay=0.1 lr=0.5" | FileCheck %s --check-prefix=ADAMW
// RUN: mp-opt %s --mp-make-trainable="param-args=0 weight-decay=0.25 lr=0.5" | FileCheck %s --check-prefix=L2
// The inference function is erased (nothing else refers to it).
// RUN: mp-opt %s --mp-make-trainable="param-args=0" | FileCheck %s --check-prefix=ERASED
// RUN: mp-opt %s --mp-make-trainable="param-args=0 keep-entry=true" | FileCheck %s --check-prefix=KEPT
// ERASED-NOT: @predict
// KEPT: func.func @predict(
// KEPT: func.func @loss(
// KEPT: func.func @train_step(

func.func @predict(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// ---- param-args=0
//
// SUM-LABEL: func.func @loss(
// SUM-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>) -> tensor<f32> {
// SUM-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// SUM-NEXT: [[V0:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// SUM-NEXT: [[V1:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// SUM-NEXT: [[V2:%[^ ,:)]+]] = linalg.matmul ins([[ARG1]], [[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs([[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// SUM-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// SUM-NEXT: [[V3:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// SUM-NEXT: [[V4:%[^ ,:)]+]] = linalg.fill ins([[CST_0]] : f32) outs([[V3]] : tensor<f32>) -> tensor<f32>
// SUM-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V2]] : tensor<2x3xf32>) outs([[V4]] : tensor<f32>) dimensions = [0, 1]
// SUM-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// SUM-NEXT: [[V5:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// SUM-NEXT: linalg.yield [[V5]] : f32
// SUM-NEXT: }
// SUM-NEXT: return [[REDUCED]] : tensor<f32>
// SUM-NEXT: }
// SUM-LABEL: func.func @train_step(
// SUM-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "glorot"}, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>) -> (tensor<4x3xf32> {mp.updates = 0 : i64}, tensor<f32>) {
// SUM-NEXT: [[V0:%[^ ,:)]+]]:2 = mp.value_and_grad @loss([[ARG0]], [[ARG1]]) {wrt = array<i64: 0>} : (tensor<4x3xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>)
// SUM-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<4x3xf32>
// SUM-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<4x3xf32>
// SUM-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V1]] : tensor<4x3xf32>
// SUM-NEXT: return [[V2]], [[V0]]#0 : tensor<4x3xf32>, tensor<f32>
// SUM-NEXT: }

// ---- param-args=0 loss=mse optimizer=momentum momentum=0.5 lr=0.1
//
// MSE-LABEL: func.func @loss(
// MSE-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>, [[ARG2:%[^ ,:)]+]]: tensor<2x3xf32> {mp.name = "target0"}) -> tensor<f32> {
// MSE-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// MSE-NEXT: [[V0:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// MSE-NEXT: [[V1:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// MSE-NEXT: [[V2:%[^ ,:)]+]] = linalg.matmul ins([[ARG1]], [[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs([[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// MSE-NEXT: [[V3:%[^ ,:)]+]] = arith.subf [[V2]], [[ARG2]] : tensor<2x3xf32>
// MSE-NEXT: [[V4:%[^ ,:)]+]] = arith.mulf [[V3]], [[V3]] : tensor<2x3xf32>
// MSE-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// MSE-NEXT: [[V5:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// MSE-NEXT: [[V6:%[^ ,:)]+]] = linalg.fill ins([[CST_0]] : f32) outs([[V5]] : tensor<f32>) -> tensor<f32>
// MSE-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V4]] : tensor<2x3xf32>) outs([[V6]] : tensor<f32>) dimensions = [0, 1]
// MSE-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// MSE-NEXT: [[V8:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// MSE-NEXT: linalg.yield [[V8]] : f32
// MSE-NEXT: }
// MSE-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<0.166666672> : tensor<f32>
// MSE-NEXT: [[V7:%[^ ,:)]+]] = arith.mulf [[REDUCED]], [[CST_1]] : tensor<f32>
// MSE-NEXT: return [[V7]] : tensor<f32>
// MSE-NEXT: }
// MSE-LABEL: func.func @train_step(
// MSE-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "glorot"}, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>, [[ARG2:%[^ ,:)]+]]: tensor<2x3xf32> {mp.name = "target0"}, [[ARG3:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "zeros", mp.name = "arg0.momentum"}) -> (tensor<4x3xf32> {mp.updates = 0 : i64}, tensor<4x3xf32> {mp.updates = 3 : i64}, tensor<f32>) {
// MSE-NEXT: [[V0:%[^ ,:)]+]]:2 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]]) {wrt = array<i64: 0>} : (tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<4x3xf32>)
// MSE-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<5.000000e-01> : tensor<4x3xf32>
// MSE-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[ARG3]], [[CST]] : tensor<4x3xf32>
// MSE-NEXT: [[V2:%[^ ,:)]+]] = arith.addf [[V1]], [[V0]]#1 : tensor<4x3xf32>
// MSE-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<1.000000e-01> : tensor<4x3xf32>
// MSE-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V2]], [[CST_0]] : tensor<4x3xf32>
// MSE-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V3]] : tensor<4x3xf32>
// MSE-NEXT: return [[V4]], [[V2]], [[V0]]#0 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>
// MSE-NEXT: }

// ---- param-args=0 loss=cross-entropy optimizer=adam
//
// CE-LABEL: func.func @loss(
// CE-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>, [[ARG2:%[^ ,:)]+]]: tensor<2x3xf32> {mp.name = "target0"}) -> tensor<f32> {
// CE-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// CE-NEXT: [[V0:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// CE-NEXT: [[V1:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CE-NEXT: [[V2:%[^ ,:)]+]] = linalg.matmul ins([[ARG1]], [[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs([[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CE-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant 0xFF800000 : f32
// CE-NEXT: [[V3:%[^ ,:)]+]] = tensor.empty() : tensor<2xf32>
// CE-NEXT: [[V4:%[^ ,:)]+]] = linalg.fill ins([[CST_0]] : f32) outs([[V3]] : tensor<2xf32>) -> tensor<2xf32>
// CE-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V2]] : tensor<2x3xf32>) outs([[V4]] : tensor<2xf32>) dimensions = [1]
// CE-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CE-NEXT: [[V17:%[^ ,:)]+]] = arith.maximumf [[IN]], [[INIT]] : f32
// CE-NEXT: linalg.yield [[V17]] : f32
// CE-NEXT: }
// CE-NEXT: [[V5:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// CE-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[REDUCED]] : tensor<2xf32>) outs([[V5]] : tensor<2x3xf32>) dimensions = [1]
// CE-NEXT: [[V6:%[^ ,:)]+]] = arith.subf [[V2]], [[BROADCASTED]] : tensor<2x3xf32>
// CE-NEXT: [[V7:%[^ ,:)]+]] = math.exp [[V6]] : tensor<2x3xf32>
// CE-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// CE-NEXT: [[V8:%[^ ,:)]+]] = tensor.empty() : tensor<2xf32>
// CE-NEXT: [[V9:%[^ ,:)]+]] = linalg.fill ins([[CST_1]] : f32) outs([[V8]] : tensor<2xf32>) -> tensor<2xf32>
// CE-NEXT: [[REDUCED_2:%[^ ,:)]+]] = linalg.reduce ins([[V7]] : tensor<2x3xf32>) outs([[V9]] : tensor<2xf32>) dimensions = [1]
// CE-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CE-NEXT: [[V17:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CE-NEXT: linalg.yield [[V17]] : f32
// CE-NEXT: }
// CE-NEXT: [[V10:%[^ ,:)]+]] = math.log [[REDUCED_2]] : tensor<2xf32>
// CE-NEXT: [[V11:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// CE-NEXT: [[BROADCASTED_3:%[^ ,:)]+]] = linalg.broadcast ins([[V10]] : tensor<2xf32>) outs([[V11]] : tensor<2x3xf32>) dimensions = [1]
// CE-NEXT: [[V12:%[^ ,:)]+]] = arith.subf [[V6]], [[BROADCASTED_3]] : tensor<2x3xf32>
// CE-NEXT: [[V13:%[^ ,:)]+]] = arith.mulf [[ARG2]], [[V12]] : tensor<2x3xf32>
// CE-NEXT: [[CST_4:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// CE-NEXT: [[V14:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// CE-NEXT: [[V15:%[^ ,:)]+]] = linalg.fill ins([[CST_4]] : f32) outs([[V14]] : tensor<f32>) -> tensor<f32>
// CE-NEXT: [[REDUCED_5:%[^ ,:)]+]] = linalg.reduce ins([[V13]] : tensor<2x3xf32>) outs([[V15]] : tensor<f32>) dimensions = [0, 1]
// CE-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CE-NEXT: [[V17:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CE-NEXT: linalg.yield [[V17]] : f32
// CE-NEXT: }
// CE-NEXT: [[CST_6:%[^ ,:)]+]] = arith.constant dense<-5.000000e-01> : tensor<f32>
// CE-NEXT: [[V16:%[^ ,:)]+]] = arith.mulf [[REDUCED_5]], [[CST_6]] : tensor<f32>
// CE-NEXT: return [[V16]] : tensor<f32>
// CE-NEXT: }
// CE-LABEL: func.func @train_step(
// CE-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "glorot"}, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>, [[ARG2:%[^ ,:)]+]]: tensor<2x3xf32> {mp.name = "target0"}, [[ARG3:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "zeros", mp.name = "arg0.exp_avg"}, [[ARG4:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "zeros", mp.name = "arg0.exp_avg_sq"}, [[ARG5:%[^ ,:)]+]]: tensor<f32> {mp.init = "zeros", mp.name = "adam.step"}) -> (tensor<4x3xf32> {mp.updates = 0 : i64}, tensor<4x3xf32> {mp.updates = 3 : i64}, tensor<4x3xf32> {mp.updates = 4 : i64}, tensor<f32> {mp.updates = 5 : i64}, tensor<f32>) {
// CE-NEXT: [[V0:%[^ ,:)]+]]:2 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]]) {wrt = array<i64: 0>} : (tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<4x3xf32>)
// CE-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CE-NEXT: [[V1:%[^ ,:)]+]] = arith.addf [[ARG5]], [[CST]] : tensor<f32>
// CE-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.899999976> : tensor<f32>
// CE-NEXT: [[V2:%[^ ,:)]+]] = math.powf [[CST_0]], [[V1]] : tensor<f32>
// CE-NEXT: [[V3:%[^ ,:)]+]] = arith.subf [[CST]], [[V2]] : tensor<f32>
// CE-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<9.990000e-01> : tensor<f32>
// CE-NEXT: [[V4:%[^ ,:)]+]] = math.powf [[CST_1]], [[V1]] : tensor<f32>
// CE-NEXT: [[V5:%[^ ,:)]+]] = arith.subf [[CST]], [[V4]] : tensor<f32>
// CE-NEXT: [[CST_2:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<f32>
// CE-NEXT: [[V6:%[^ ,:)]+]] = arith.divf [[CST_2]], [[V3]] : tensor<f32>
// CE-NEXT: [[EXTRACTED:%[^ ,:)]+]] = tensor.extract [[V6]][] : tensor<f32>
// CE-NEXT: [[V7:%[^ ,:)]+]] = math.sqrt [[V5]] : tensor<f32>
// CE-NEXT: [[EXTRACTED_3:%[^ ,:)]+]] = tensor.extract [[V7]][] : tensor<f32>
// CE-NEXT: [[CST_4:%[^ ,:)]+]] = arith.constant dense<0.899999976> : tensor<4x3xf32>
// CE-NEXT: [[V8:%[^ ,:)]+]] = arith.mulf [[ARG3]], [[CST_4]] : tensor<4x3xf32>
// CE-NEXT: [[CST_5:%[^ ,:)]+]] = arith.constant dense<1.000000e-01> : tensor<4x3xf32>
// CE-NEXT: [[V9:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST_5]] : tensor<4x3xf32>
// CE-NEXT: [[V10:%[^ ,:)]+]] = arith.addf [[V8]], [[V9]] : tensor<4x3xf32>
// CE-NEXT: [[CST_6:%[^ ,:)]+]] = arith.constant dense<9.990000e-01> : tensor<4x3xf32>
// CE-NEXT: [[V11:%[^ ,:)]+]] = arith.mulf [[ARG4]], [[CST_6]] : tensor<4x3xf32>
// CE-NEXT: [[V12:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[V0]]#1 : tensor<4x3xf32>
// CE-NEXT: [[CST_7:%[^ ,:)]+]] = arith.constant dense<1.000000e-03> : tensor<4x3xf32>
// CE-NEXT: [[V13:%[^ ,:)]+]] = arith.mulf [[V12]], [[CST_7]] : tensor<4x3xf32>
// CE-NEXT: [[V14:%[^ ,:)]+]] = arith.addf [[V11]], [[V13]] : tensor<4x3xf32>
// CE-NEXT: [[V15:%[^ ,:)]+]] = math.sqrt [[V14]] : tensor<4x3xf32>
// CE-NEXT: [[SPLAT:%[^ ,:)]+]] = tensor.splat [[EXTRACTED_3]] : tensor<4x3xf32>
// CE-NEXT: [[V16:%[^ ,:)]+]] = arith.divf [[V15]], [[SPLAT]] : tensor<4x3xf32>
// CE-NEXT: [[CST_8:%[^ ,:)]+]] = arith.constant dense<9.99999993E-9> : tensor<4x3xf32>
// CE-NEXT: [[V17:%[^ ,:)]+]] = arith.addf [[V16]], [[CST_8]] : tensor<4x3xf32>
// CE-NEXT: [[V18:%[^ ,:)]+]] = arith.divf [[V10]], [[V17]] : tensor<4x3xf32>
// CE-NEXT: [[SPLAT_9:%[^ ,:)]+]] = tensor.splat [[EXTRACTED]] : tensor<4x3xf32>
// CE-NEXT: [[V19:%[^ ,:)]+]] = arith.mulf [[V18]], [[SPLAT_9]] : tensor<4x3xf32>
// CE-NEXT: [[V20:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V19]] : tensor<4x3xf32>
// CE-NEXT: return [[V20]], [[V10]], [[V14]], [[V1]], [[V0]]#0 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>
// CE-NEXT: }

// ---- param-args=0 optimizer=adamw weight-decay=0.1 lr=0.5
//
// ADAMW-LABEL: func.func @loss(
// ADAMW-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>) -> tensor<f32> {
// ADAMW-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// ADAMW-NEXT: [[V0:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// ADAMW-NEXT: [[V1:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// ADAMW-NEXT: [[V2:%[^ ,:)]+]] = linalg.matmul ins([[ARG1]], [[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs([[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// ADAMW-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// ADAMW-NEXT: [[V3:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// ADAMW-NEXT: [[V4:%[^ ,:)]+]] = linalg.fill ins([[CST_0]] : f32) outs([[V3]] : tensor<f32>) -> tensor<f32>
// ADAMW-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V2]] : tensor<2x3xf32>) outs([[V4]] : tensor<f32>) dimensions = [0, 1]
// ADAMW-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// ADAMW-NEXT: [[V5:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// ADAMW-NEXT: linalg.yield [[V5]] : f32
// ADAMW-NEXT: }
// ADAMW-NEXT: return [[REDUCED]] : tensor<f32>
// ADAMW-NEXT: }
// ADAMW-LABEL: func.func @train_step(
// ADAMW-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "glorot"}, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>, [[ARG2:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "zeros", mp.name = "arg0.exp_avg"}, [[ARG3:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "zeros", mp.name = "arg0.exp_avg_sq"}, [[ARG4:%[^ ,:)]+]]: tensor<f32> {mp.init = "zeros", mp.name = "adamw.step"}) -> (tensor<4x3xf32> {mp.updates = 0 : i64}, tensor<4x3xf32> {mp.updates = 2 : i64}, tensor<4x3xf32> {mp.updates = 3 : i64}, tensor<f32> {mp.updates = 4 : i64}, tensor<f32>) {
// ADAMW-NEXT: [[V0:%[^ ,:)]+]]:2 = mp.value_and_grad @loss([[ARG0]], [[ARG1]]) {wrt = array<i64: 0>} : (tensor<4x3xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>)
// ADAMW-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<1.000000e+00> : tensor<f32>
// ADAMW-NEXT: [[V1:%[^ ,:)]+]] = arith.addf [[ARG4]], [[CST]] : tensor<f32>
// ADAMW-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.899999976> : tensor<f32>
// ADAMW-NEXT: [[V2:%[^ ,:)]+]] = math.powf [[CST_0]], [[V1]] : tensor<f32>
// ADAMW-NEXT: [[V3:%[^ ,:)]+]] = arith.subf [[CST]], [[V2]] : tensor<f32>
// ADAMW-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<9.990000e-01> : tensor<f32>
// ADAMW-NEXT: [[V4:%[^ ,:)]+]] = math.powf [[CST_1]], [[V1]] : tensor<f32>
// ADAMW-NEXT: [[V5:%[^ ,:)]+]] = arith.subf [[CST]], [[V4]] : tensor<f32>
// ADAMW-NEXT: [[CST_2:%[^ ,:)]+]] = arith.constant dense<5.000000e-01> : tensor<f32>
// ADAMW-NEXT: [[V6:%[^ ,:)]+]] = arith.divf [[CST_2]], [[V3]] : tensor<f32>
// ADAMW-NEXT: [[EXTRACTED:%[^ ,:)]+]] = tensor.extract [[V6]][] : tensor<f32>
// ADAMW-NEXT: [[V7:%[^ ,:)]+]] = math.sqrt [[V5]] : tensor<f32>
// ADAMW-NEXT: [[EXTRACTED_3:%[^ ,:)]+]] = tensor.extract [[V7]][] : tensor<f32>
// ADAMW-NEXT: [[CST_4:%[^ ,:)]+]] = arith.constant dense<0.949999988> : tensor<4x3xf32>
// ADAMW-NEXT: [[V8:%[^ ,:)]+]] = arith.mulf [[ARG0]], [[CST_4]] : tensor<4x3xf32>
// ADAMW-NEXT: [[CST_5:%[^ ,:)]+]] = arith.constant dense<0.899999976> : tensor<4x3xf32>
// ADAMW-NEXT: [[V9:%[^ ,:)]+]] = arith.mulf [[ARG2]], [[CST_5]] : tensor<4x3xf32>
// ADAMW-NEXT: [[CST_6:%[^ ,:)]+]] = arith.constant dense<1.000000e-01> : tensor<4x3xf32>
// ADAMW-NEXT: [[V10:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST_6]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V11:%[^ ,:)]+]] = arith.addf [[V9]], [[V10]] : tensor<4x3xf32>
// ADAMW-NEXT: [[CST_7:%[^ ,:)]+]] = arith.constant dense<9.990000e-01> : tensor<4x3xf32>
// ADAMW-NEXT: [[V12:%[^ ,:)]+]] = arith.mulf [[ARG3]], [[CST_7]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V13:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[V0]]#1 : tensor<4x3xf32>
// ADAMW-NEXT: [[CST_8:%[^ ,:)]+]] = arith.constant dense<1.000000e-03> : tensor<4x3xf32>
// ADAMW-NEXT: [[V14:%[^ ,:)]+]] = arith.mulf [[V13]], [[CST_8]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V15:%[^ ,:)]+]] = arith.addf [[V12]], [[V14]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V16:%[^ ,:)]+]] = math.sqrt [[V15]] : tensor<4x3xf32>
// ADAMW-NEXT: [[SPLAT:%[^ ,:)]+]] = tensor.splat [[EXTRACTED_3]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V17:%[^ ,:)]+]] = arith.divf [[V16]], [[SPLAT]] : tensor<4x3xf32>
// ADAMW-NEXT: [[CST_9:%[^ ,:)]+]] = arith.constant dense<9.99999993E-9> : tensor<4x3xf32>
// ADAMW-NEXT: [[V18:%[^ ,:)]+]] = arith.addf [[V17]], [[CST_9]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V19:%[^ ,:)]+]] = arith.divf [[V11]], [[V18]] : tensor<4x3xf32>
// ADAMW-NEXT: [[SPLAT_10:%[^ ,:)]+]] = tensor.splat [[EXTRACTED]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V20:%[^ ,:)]+]] = arith.mulf [[V19]], [[SPLAT_10]] : tensor<4x3xf32>
// ADAMW-NEXT: [[V21:%[^ ,:)]+]] = arith.subf [[V8]], [[V20]] : tensor<4x3xf32>
// ADAMW-NEXT: return [[V21]], [[V11]], [[V15]], [[V1]], [[V0]]#0 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>
// ADAMW-NEXT: }

// ---- param-args=0 weight-decay=0.25 lr=0.5
//
// L2-LABEL: func.func @loss(
// L2-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>) -> tensor<f32> {
// L2-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// L2-NEXT: [[V0:%[^ ,:)]+]] = tensor.empty() : tensor<2x3xf32>
// L2-NEXT: [[V1:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// L2-NEXT: [[V2:%[^ ,:)]+]] = linalg.matmul ins([[ARG1]], [[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs([[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// L2-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// L2-NEXT: [[V3:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// L2-NEXT: [[V4:%[^ ,:)]+]] = linalg.fill ins([[CST_0]] : f32) outs([[V3]] : tensor<f32>) -> tensor<f32>
// L2-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V2]] : tensor<2x3xf32>) outs([[V4]] : tensor<f32>) dimensions = [0, 1]
// L2-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// L2-NEXT: [[V5:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// L2-NEXT: linalg.yield [[V5]] : f32
// L2-NEXT: }
// L2-NEXT: return [[REDUCED]] : tensor<f32>
// L2-NEXT: }
// L2-LABEL: func.func @train_step(
// L2-SAME: [[ARG0:%[^ ,:)]+]]: tensor<4x3xf32> {mp.init = "glorot"}, [[ARG1:%[^ ,:)]+]]: tensor<2x4xf32>) -> (tensor<4x3xf32> {mp.updates = 0 : i64}, tensor<f32>) {
// L2-NEXT: [[V0:%[^ ,:)]+]]:2 = mp.value_and_grad @loss([[ARG0]], [[ARG1]]) {wrt = array<i64: 0>} : (tensor<4x3xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>)
// L2-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<2.500000e-01> : tensor<4x3xf32>
// L2-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[ARG0]], [[CST]] : tensor<4x3xf32>
// L2-NEXT: [[V2:%[^ ,:)]+]] = arith.addf [[V0]]#1, [[V1]] : tensor<4x3xf32>
// L2-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<5.000000e-01> : tensor<4x3xf32>
// L2-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V2]], [[CST_0]] : tensor<4x3xf32>
// L2-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V3]] : tensor<4x3xf32>
// L2-NEXT: return [[V4]], [[V0]]#0 : tensor<4x3xf32>, tensor<f32>
// L2-NEXT: }
