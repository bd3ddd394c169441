// mp-make-trainable: which values become params (all float arguments, an
// index list, a regex on mp.name, constants from min-elements on, both),
// non-float arguments and results, a bf16 result (loss in f32), an
// existing target argument, mp.init hints; exact IR of @loss/@train_step.
//
// RUN: mp-opt %s --mp-make-trainable="entry=named" | FileCheck %s --check-prefix=ALL
// RUN: mp-opt %s --mp-make-trainable="entry=named param-args=fc\\..*" | FileCheck %s --check-prefix=REGEX
// RUN: mp-opt %s --mp-make-trainable="entry=named param-args=1,0" | FileCheck %s --check-prefix=INDEX
// RUN: mp-opt %s --mp-make-trainable="entry=consts params=constants min-elements=2" | FileCheck %s --check-prefix=CONSTS
// RUN: mp-opt %s --mp-make-trainable="entry=consts params=both min-elements=3" | FileCheck %s --check-prefix=BOTH
// RUN: mp-opt %s --mp-make-trainable="entry=labelled param-args=0 loss=mse target-arg=2" | FileCheck %s --check-prefix=TARGET
// init-dir: the promoted constants' values as .npy, named by their
// @train_step argument (what mp-run --inputs reads).
// RUN: rm -rf %t.init
// RUN: mp-opt %s --mp-make-trainable="entry=consts params=constants min-elements=2 init-dir=%t.init" -o /dev/null
// RUN: %python -c "import numpy as np, sys; [print(i, a.dtype, a.shape, a.tolist()) for i in (1, 2, 3) for a in [np.load(sys.argv[1] + '/arg%%d.npy' %% i)]]" %t.init | FileCheck %s --check-prefix=NPY
// NPY: 1 float32 (2, 2) {{\[\[}}1.0, 2.0], [3.0, 4.0{{\]\]}}
// NPY-NEXT: 2 float32 (1, 2) {{\[\[}}1.0, 1.0{{\]\]}}
// NPY-NEXT: 3 float32 (2,) [0.5, 0.25]
// Only the entry is erased.
// RUN: mp-opt %s --mp-make-trainable="entry=named" | FileCheck %s --check-prefix=OTHERS
// OTHERS-NOT: func.func @named(
// OTHERS: func.func @loss(
// OTHERS: func.func @train_step(
// OTHERS: func.func @consts(
// OTHERS: func.func @labelled(

// Float arguments (named with mp.name), an integer argument and an integer
// result, a bf16 result.
func.func @named(%w: tensor<2x2xf32> {mp.name = "fc.weight"},
                 %b: tensor<2xf32> {mp.name = "fc.bias", mp.init = "ones"},
                 %x: tensor<2x2xbf16> {mp.name = "input"},
                 %ids: tensor<2xi64>) -> (tensor<2x2xbf16>, tensor<2xi64>) {
  %wb = arith.truncf %w : tensor<2x2xf32> to tensor<2x2xbf16>
  %y = arith.mulf %x, %wb : tensor<2x2xbf16>
  %e = tensor.empty() : tensor<2x2xf32>
  %bb = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<2x2xf32>) dimensions = [0]
  %bbh = arith.truncf %bb : tensor<2x2xf32> to tensor<2x2xbf16>
  %z = arith.addf %y, %bbh : tensor<2x2xbf16>
  return %z, %ids : tensor<2x2xbf16>, tensor<2xi64>
}

// Weights as constants: a matrix, a splat-one scale, a two-element vector,
// a scalar; a zero tensor only used as a matmul accumulator.
func.func @consts(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = arith.constant dense<1.0> : tensor<1x2xf32>
  %v = arith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %c = arith.constant dense<2.0> : tensor<f32>
  %acc = arith.constant dense<0.0> : tensor<1x2xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %e = tensor.empty() : tensor<1x2xf32>
  %vb = linalg.broadcast ins(%v : tensor<2xf32>) outs(%e : tensor<1x2xf32>) dimensions = [0]
  %cb = linalg.broadcast ins(%c : tensor<f32>) outs(%e : tensor<1x2xf32>) dimensions = [0, 1]
  %a = arith.mulf %mm, %s : tensor<1x2xf32>
  %b = arith.addf %a, %vb : tensor<1x2xf32>
  %r = arith.mulf %b, %cb : tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}

// The target is already an argument (target-arg=2).
func.func @labelled(%w: tensor<3xf32>, %x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %p = arith.mulf %w, %x : tensor<3xf32>
  return %p : tensor<3xf32>
}

// ---- entry=named
//
// ALL-LABEL: func.func @loss(
// ALL-SAME: [[ARG0:%[^ ,:)]+]]: tensor<2x2xf32> {mp.name = "fc.weight"}, [[ARG1:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "ones", mp.name = "fc.bias"}, [[ARG2:%[^ ,:)]+]]: tensor<2x2xbf16> {mp.name = "input"}, [[ARG3:%[^ ,:)]+]]: tensor<2xi64>) -> tensor<f32> {
// ALL-NEXT: [[V0:%[^ ,:)]+]] = arith.truncf [[ARG0]] : tensor<2x2xf32> to tensor<2x2xbf16>
// ALL-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[ARG2]], [[V0]] : tensor<2x2xbf16>
// ALL-NEXT: [[V2:%[^ ,:)]+]] = tensor.empty() : tensor<2x2xf32>
// ALL-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[ARG1]] : tensor<2xf32>) outs([[V2]] : tensor<2x2xf32>) dimensions = [0]
// ALL-NEXT: [[V3:%[^ ,:)]+]] = arith.truncf [[BROADCASTED]] : tensor<2x2xf32> to tensor<2x2xbf16>
// ALL-NEXT: [[V4:%[^ ,:)]+]] = arith.addf [[V1]], [[V3]] : tensor<2x2xbf16>
// ALL-NEXT: [[V5:%[^ ,:)]+]] = arith.extf [[V4]] : tensor<2x2xbf16> to tensor<2x2xf32>
// ALL-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// ALL-NEXT: [[V6:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// ALL-NEXT: [[V7:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V6]] : tensor<f32>) -> tensor<f32>
// ALL-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V5]] : tensor<2x2xf32>) outs([[V7]] : tensor<f32>) dimensions = [0, 1]
// ALL-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// ALL-NEXT: [[V8:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// ALL-NEXT: linalg.yield [[V8]] : f32
// ALL-NEXT: }
// ALL-NEXT: return [[REDUCED]] : tensor<f32>
// ALL-NEXT: }
// ALL-LABEL: func.func @train_step(
// ALL-SAME: [[ARG0:%[^ ,:)]+]]: tensor<2x2xf32> {mp.init = "glorot", mp.name = "fc.weight"}, [[ARG1:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "ones", mp.name = "fc.bias"}, [[ARG2:%[^ ,:)]+]]: tensor<2x2xbf16> {mp.init = "glorot", mp.name = "input"}, [[ARG3:%[^ ,:)]+]]: tensor<2xi64>) -> (tensor<2x2xf32> {mp.updates = 0 : i64}, tensor<2xf32> {mp.updates = 1 : i64}, tensor<2x2xbf16> {mp.updates = 2 : i64}, tensor<f32>) {
// ALL-NEXT: [[V0:%[^ ,:)]+]]:4 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]], [[ARG3]]) {wrt = array<i64: 0, 1, 2>} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xbf16>, tensor<2xi64>) -> (tensor<f32>, tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xbf16>)
// ALL-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2x2xf32>
// ALL-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<2x2xf32>
// ALL-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V1]] : tensor<2x2xf32>
// ALL-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2xf32>
// ALL-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V0]]#2, [[CST_0]] : tensor<2xf32>
// ALL-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG1]], [[V3]] : tensor<2xf32>
// ALL-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<1.000980e-02> : tensor<2x2xbf16>
// ALL-NEXT: [[V5:%[^ ,:)]+]] = arith.mulf [[V0]]#3, [[CST_1]] : tensor<2x2xbf16>
// ALL-NEXT: [[V6:%[^ ,:)]+]] = arith.subf [[ARG2]], [[V5]] : tensor<2x2xbf16>
// ALL-NEXT: return [[V2]], [[V4]], [[V6]], [[V0]]#0 : tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xbf16>, tensor<f32>
// ALL-NEXT: }

// ---- entry=named param-args=fc\..*
//
// REGEX-LABEL: func.func @loss(
// REGEX-SAME: [[ARG0:%[^ ,:)]+]]: tensor<2x2xf32> {mp.name = "fc.weight"}, [[ARG1:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "ones", mp.name = "fc.bias"}, [[ARG2:%[^ ,:)]+]]: tensor<2x2xbf16> {mp.name = "input"}, [[ARG3:%[^ ,:)]+]]: tensor<2xi64>) -> tensor<f32> {
// REGEX-NEXT: [[V0:%[^ ,:)]+]] = arith.truncf [[ARG0]] : tensor<2x2xf32> to tensor<2x2xbf16>
// REGEX-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[ARG2]], [[V0]] : tensor<2x2xbf16>
// REGEX-NEXT: [[V2:%[^ ,:)]+]] = tensor.empty() : tensor<2x2xf32>
// REGEX-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[ARG1]] : tensor<2xf32>) outs([[V2]] : tensor<2x2xf32>) dimensions = [0]
// REGEX-NEXT: [[V3:%[^ ,:)]+]] = arith.truncf [[BROADCASTED]] : tensor<2x2xf32> to tensor<2x2xbf16>
// REGEX-NEXT: [[V4:%[^ ,:)]+]] = arith.addf [[V1]], [[V3]] : tensor<2x2xbf16>
// REGEX-NEXT: [[V5:%[^ ,:)]+]] = arith.extf [[V4]] : tensor<2x2xbf16> to tensor<2x2xf32>
// REGEX-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// REGEX-NEXT: [[V6:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// REGEX-NEXT: [[V7:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V6]] : tensor<f32>) -> tensor<f32>
// REGEX-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V5]] : tensor<2x2xf32>) outs([[V7]] : tensor<f32>) dimensions = [0, 1]
// REGEX-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// REGEX-NEXT: [[V8:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// REGEX-NEXT: linalg.yield [[V8]] : f32
// REGEX-NEXT: }
// REGEX-NEXT: return [[REDUCED]] : tensor<f32>
// REGEX-NEXT: }
// REGEX-LABEL: func.func @train_step(
// REGEX-SAME: [[ARG0:%[^ ,:)]+]]: tensor<2x2xf32> {mp.init = "glorot", mp.name = "fc.weight"}, [[ARG1:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "ones", mp.name = "fc.bias"}, [[ARG2:%[^ ,:)]+]]: tensor<2x2xbf16> {mp.name = "input"}, [[ARG3:%[^ ,:)]+]]: tensor<2xi64>) -> (tensor<2x2xf32> {mp.updates = 0 : i64}, tensor<2xf32> {mp.updates = 1 : i64}, tensor<f32>) {
// REGEX-NEXT: [[V0:%[^ ,:)]+]]:3 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]], [[ARG3]]) {wrt = array<i64: 0, 1>} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xbf16>, tensor<2xi64>) -> (tensor<f32>, tensor<2x2xf32>, tensor<2xf32>)
// REGEX-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2x2xf32>
// REGEX-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<2x2xf32>
// REGEX-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V1]] : tensor<2x2xf32>
// REGEX-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2xf32>
// REGEX-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V0]]#2, [[CST_0]] : tensor<2xf32>
// REGEX-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG1]], [[V3]] : tensor<2xf32>
// REGEX-NEXT: return [[V2]], [[V4]], [[V0]]#0 : tensor<2x2xf32>, tensor<2xf32>, tensor<f32>
// REGEX-NEXT: }

// ---- entry=named param-args=1,0
//
// INDEX-LABEL: func.func @loss(
// INDEX-SAME: [[ARG0:%[^ ,:)]+]]: tensor<2x2xf32> {mp.name = "fc.weight"}, [[ARG1:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "ones", mp.name = "fc.bias"}, [[ARG2:%[^ ,:)]+]]: tensor<2x2xbf16> {mp.name = "input"}, [[ARG3:%[^ ,:)]+]]: tensor<2xi64>) -> tensor<f32> {
// INDEX-NEXT: [[V0:%[^ ,:)]+]] = arith.truncf [[ARG0]] : tensor<2x2xf32> to tensor<2x2xbf16>
// INDEX-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[ARG2]], [[V0]] : tensor<2x2xbf16>
// INDEX-NEXT: [[V2:%[^ ,:)]+]] = tensor.empty() : tensor<2x2xf32>
// INDEX-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[ARG1]] : tensor<2xf32>) outs([[V2]] : tensor<2x2xf32>) dimensions = [0]
// INDEX-NEXT: [[V3:%[^ ,:)]+]] = arith.truncf [[BROADCASTED]] : tensor<2x2xf32> to tensor<2x2xbf16>
// INDEX-NEXT: [[V4:%[^ ,:)]+]] = arith.addf [[V1]], [[V3]] : tensor<2x2xbf16>
// INDEX-NEXT: [[V5:%[^ ,:)]+]] = arith.extf [[V4]] : tensor<2x2xbf16> to tensor<2x2xf32>
// INDEX-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// INDEX-NEXT: [[V6:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// INDEX-NEXT: [[V7:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V6]] : tensor<f32>) -> tensor<f32>
// INDEX-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V5]] : tensor<2x2xf32>) outs([[V7]] : tensor<f32>) dimensions = [0, 1]
// INDEX-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// INDEX-NEXT: [[V8:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// INDEX-NEXT: linalg.yield [[V8]] : f32
// INDEX-NEXT: }
// INDEX-NEXT: return [[REDUCED]] : tensor<f32>
// INDEX-NEXT: }
// INDEX-LABEL: func.func @train_step(
// INDEX-SAME: [[ARG0:%[^ ,:)]+]]: tensor<2x2xf32> {mp.init = "glorot", mp.name = "fc.weight"}, [[ARG1:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "ones", mp.name = "fc.bias"}, [[ARG2:%[^ ,:)]+]]: tensor<2x2xbf16> {mp.name = "input"}, [[ARG3:%[^ ,:)]+]]: tensor<2xi64>) -> (tensor<2x2xf32> {mp.updates = 0 : i64}, tensor<2xf32> {mp.updates = 1 : i64}, tensor<f32>) {
// INDEX-NEXT: [[V0:%[^ ,:)]+]]:3 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]], [[ARG3]]) {wrt = array<i64: 0, 1>} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xbf16>, tensor<2xi64>) -> (tensor<f32>, tensor<2x2xf32>, tensor<2xf32>)
// INDEX-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2x2xf32>
// INDEX-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<2x2xf32>
// INDEX-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V1]] : tensor<2x2xf32>
// INDEX-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2xf32>
// INDEX-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V0]]#2, [[CST_0]] : tensor<2xf32>
// INDEX-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG1]], [[V3]] : tensor<2xf32>
// INDEX-NEXT: return [[V2]], [[V4]], [[V0]]#0 : tensor<2x2xf32>, tensor<2xf32>, tensor<f32>
// INDEX-NEXT: }

// ---- entry=consts params=constants min-elements=2
//
// CONSTS-LABEL: func.func @loss(
// CONSTS-SAME: [[ARG0:%[^ ,:)]+]]: tensor<1x2xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x2xf32> {mp.name = "const0"}, [[ARG2:%[^ ,:)]+]]: tensor<1x2xf32> {mp.name = "const1"}, [[ARG3:%[^ ,:)]+]]: tensor<2xf32> {mp.name = "const2"}) -> tensor<f32> {
// CONSTS-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<2.000000e+00> : tensor<f32>
// CONSTS-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.000000e+00> : tensor<1x2xf32>
// CONSTS-NEXT: [[V0:%[^ ,:)]+]] = linalg.matmul ins([[ARG0]], [[ARG1]] : tensor<1x2xf32>, tensor<2x2xf32>) outs([[CST_0]] : tensor<1x2xf32>) -> tensor<1x2xf32>
// CONSTS-NEXT: [[V1:%[^ ,:)]+]] = tensor.empty() : tensor<1x2xf32>
// CONSTS-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[ARG3]] : tensor<2xf32>) outs([[V1]] : tensor<1x2xf32>) dimensions = [0]
// CONSTS-NEXT: [[BROADCASTED_1:%[^ ,:)]+]] = linalg.broadcast ins([[CST]] : tensor<f32>) outs([[V1]] : tensor<1x2xf32>) dimensions = [0, 1]
// CONSTS-NEXT: [[V2:%[^ ,:)]+]] = arith.mulf [[V0]], [[ARG2]] : tensor<1x2xf32>
// CONSTS-NEXT: [[V3:%[^ ,:)]+]] = arith.addf [[V2]], [[BROADCASTED]] : tensor<1x2xf32>
// CONSTS-NEXT: [[V4:%[^ ,:)]+]] = arith.mulf [[V3]], [[BROADCASTED_1]] : tensor<1x2xf32>
// CONSTS-NEXT: [[CST_2:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// CONSTS-NEXT: [[V5:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// CONSTS-NEXT: [[V6:%[^ ,:)]+]] = linalg.fill ins([[CST_2]] : f32) outs([[V5]] : tensor<f32>) -> tensor<f32>
// CONSTS-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V4]] : tensor<1x2xf32>) outs([[V6]] : tensor<f32>) dimensions = [0, 1]
// CONSTS-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CONSTS-NEXT: [[V7:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CONSTS-NEXT: linalg.yield [[V7]] : f32
// CONSTS-NEXT: }
// CONSTS-NEXT: return [[REDUCED]] : tensor<f32>
// CONSTS-NEXT: }
// CONSTS-LABEL: func.func @train_step(
// CONSTS-SAME: [[ARG0:%[^ ,:)]+]]: tensor<1x2xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x2xf32> {mp.init = "glorot", mp.name = "const0"}, [[ARG2:%[^ ,:)]+]]: tensor<1x2xf32> {mp.init = "ones", mp.name = "const1"}, [[ARG3:%[^ ,:)]+]]: tensor<2xf32> {mp.init = "zeros", mp.name = "const2"}) -> (tensor<2x2xf32> {mp.updates = 1 : i64}, tensor<1x2xf32> {mp.updates = 2 : i64}, tensor<2xf32> {mp.updates = 3 : i64}, tensor<f32>) {
// CONSTS-NEXT: [[V0:%[^ ,:)]+]]:4 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]], [[ARG3]]) {wrt = array<i64: 1, 2, 3>} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2x2xf32>, tensor<1x2xf32>, tensor<2xf32>)
// CONSTS-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2x2xf32>
// CONSTS-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<2x2xf32>
// CONSTS-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG1]], [[V1]] : tensor<2x2xf32>
// CONSTS-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<1x2xf32>
// CONSTS-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V0]]#2, [[CST_0]] : tensor<1x2xf32>
// CONSTS-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG2]], [[V3]] : tensor<1x2xf32>
// CONSTS-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2xf32>
// CONSTS-NEXT: [[V5:%[^ ,:)]+]] = arith.mulf [[V0]]#3, [[CST_1]] : tensor<2xf32>
// CONSTS-NEXT: [[V6:%[^ ,:)]+]] = arith.subf [[ARG3]], [[V5]] : tensor<2xf32>
// CONSTS-NEXT: return [[V2]], [[V4]], [[V6]], [[V0]]#0 : tensor<2x2xf32>, tensor<1x2xf32>, tensor<2xf32>, tensor<f32>
// CONSTS-NEXT: }

// ---- entry=consts params=both min-elements=3
//
// BOTH-LABEL: func.func @loss(
// BOTH-SAME: [[ARG0:%[^ ,:)]+]]: tensor<1x2xf32>, [[ARG1:%[^ ,:)]+]]: tensor<2x2xf32> {mp.name = "const0"}) -> tensor<f32> {
// BOTH-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<1.000000e+00> : tensor<1x2xf32>
// BOTH-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// BOTH-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<2.000000e+00> : tensor<f32>
// BOTH-NEXT: [[CST_2:%[^ ,:)]+]] = arith.constant dense<0.000000e+00> : tensor<1x2xf32>
// BOTH-NEXT: [[V0:%[^ ,:)]+]] = linalg.matmul ins([[ARG0]], [[ARG1]] : tensor<1x2xf32>, tensor<2x2xf32>) outs([[CST_2]] : tensor<1x2xf32>) -> tensor<1x2xf32>
// BOTH-NEXT: [[V1:%[^ ,:)]+]] = tensor.empty() : tensor<1x2xf32>
// BOTH-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[CST_0]] : tensor<2xf32>) outs([[V1]] : tensor<1x2xf32>) dimensions = [0]
// BOTH-NEXT: [[BROADCASTED_3:%[^ ,:)]+]] = linalg.broadcast ins([[CST_1]] : tensor<f32>) outs([[V1]] : tensor<1x2xf32>) dimensions = [0, 1]
// BOTH-NEXT: [[V2:%[^ ,:)]+]] = arith.mulf [[V0]], [[CST]] : tensor<1x2xf32>
// BOTH-NEXT: [[V3:%[^ ,:)]+]] = arith.addf [[V2]], [[BROADCASTED]] : tensor<1x2xf32>
// BOTH-NEXT: [[V4:%[^ ,:)]+]] = arith.mulf [[V3]], [[BROADCASTED_3]] : tensor<1x2xf32>
// BOTH-NEXT: [[CST_4:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// BOTH-NEXT: [[V5:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// BOTH-NEXT: [[V6:%[^ ,:)]+]] = linalg.fill ins([[CST_4]] : f32) outs([[V5]] : tensor<f32>) -> tensor<f32>
// BOTH-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V4]] : tensor<1x2xf32>) outs([[V6]] : tensor<f32>) dimensions = [0, 1]
// BOTH-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// BOTH-NEXT: [[V7:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// BOTH-NEXT: linalg.yield [[V7]] : f32
// BOTH-NEXT: }
// BOTH-NEXT: return [[REDUCED]] : tensor<f32>
// BOTH-NEXT: }
// BOTH-LABEL: func.func @train_step(
// BOTH-SAME: [[ARG0:%[^ ,:)]+]]: tensor<1x2xf32> {mp.init = "glorot"}, [[ARG1:%[^ ,:)]+]]: tensor<2x2xf32> {mp.init = "glorot", mp.name = "const0"}) -> (tensor<1x2xf32> {mp.updates = 0 : i64}, tensor<2x2xf32> {mp.updates = 1 : i64}, tensor<f32>) {
// BOTH-NEXT: [[V0:%[^ ,:)]+]]:3 = mp.value_and_grad @loss([[ARG0]], [[ARG1]]) {wrt = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> (tensor<f32>, tensor<1x2xf32>, tensor<2x2xf32>)
// BOTH-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<1x2xf32>
// BOTH-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<1x2xf32>
// BOTH-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V1]] : tensor<1x2xf32>
// BOTH-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<2x2xf32>
// BOTH-NEXT: [[V3:%[^ ,:)]+]] = arith.mulf [[V0]]#2, [[CST_0]] : tensor<2x2xf32>
// BOTH-NEXT: [[V4:%[^ ,:)]+]] = arith.subf [[ARG1]], [[V3]] : tensor<2x2xf32>
// BOTH-NEXT: return [[V2]], [[V4]], [[V0]]#0 : tensor<1x2xf32>, tensor<2x2xf32>, tensor<f32>
// BOTH-NEXT: }

// ---- entry=labelled param-args=0 loss=mse target-arg=2
//
// TARGET-LABEL: func.func @loss(
// TARGET-SAME: [[ARG0:%[^ ,:)]+]]: tensor<3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<3xf32>, [[ARG2:%[^ ,:)]+]]: tensor<3xf32>) -> tensor<f32> {
// TARGET-NEXT: [[V0:%[^ ,:)]+]] = arith.mulf [[ARG0]], [[ARG1]] : tensor<3xf32>
// TARGET-NEXT: [[V1:%[^ ,:)]+]] = arith.subf [[V0]], [[ARG2]] : tensor<3xf32>
// TARGET-NEXT: [[V2:%[^ ,:)]+]] = arith.mulf [[V1]], [[V1]] : tensor<3xf32>
// TARGET-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// TARGET-NEXT: [[V3:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// TARGET-NEXT: [[V4:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V3]] : tensor<f32>) -> tensor<f32>
// TARGET-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V2]] : tensor<3xf32>) outs([[V4]] : tensor<f32>) dimensions = [0]
// TARGET-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// TARGET-NEXT: [[V6:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// TARGET-NEXT: linalg.yield [[V6]] : f32
// TARGET-NEXT: }
// TARGET-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant dense<0.333333343> : tensor<f32>
// TARGET-NEXT: [[V5:%[^ ,:)]+]] = arith.mulf [[REDUCED]], [[CST_0]] : tensor<f32>
// TARGET-NEXT: return [[V5]] : tensor<f32>
// TARGET-NEXT: }
// TARGET-LABEL: func.func @train_step(
// TARGET-SAME: [[ARG0:%[^ ,:)]+]]: tensor<3xf32> {mp.init = "zeros"}, [[ARG1:%[^ ,:)]+]]: tensor<3xf32>, [[ARG2:%[^ ,:)]+]]: tensor<3xf32>) -> (tensor<3xf32> {mp.updates = 0 : i64}, tensor<f32>) {
// TARGET-NEXT: [[V0:%[^ ,:)]+]]:2 = mp.value_and_grad @loss([[ARG0]], [[ARG1]], [[ARG2]]) {wrt = array<i64: 0>} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
// TARGET-NEXT: [[CST:%[^ ,:)]+]] = arith.constant dense<0.00999999977> : tensor<3xf32>
// TARGET-NEXT: [[V1:%[^ ,:)]+]] = arith.mulf [[V0]]#1, [[CST]] : tensor<3xf32>
// TARGET-NEXT: [[V2:%[^ ,:)]+]] = arith.subf [[ARG0]], [[V1]] : tensor<3xf32>
// TARGET-NEXT: return [[V2]], [[V0]]#0 : tensor<3xf32>, tensor<f32>
// TARGET-NEXT: }
