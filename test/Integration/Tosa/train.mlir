// mp-run trains TOSA graphs (the TOSA lowering runs first in
// mp-mixed-precision): a hand-written TOSA training step (matmul, bias
// broadcast, tanh, squared error, SGD written in TOSA), and a TOSA
// inference CNN (conv2d, maximum, max_pool2d, reshape, matmul) made
// trainable with mp-make-trainable. fp32 and mixed_bfloat16 with dynamic
// loss scaling; the loss falls in every run (mean of the last 5 steps below
// a fraction of the first: synthetic regression data, 40 steps).
//
// RUN: mp-run %s --policy float32 --loss-scaling "mode=none" --task regress --steps 40 --print-every 0 --report %t.fp32.json | FileCheck %s
// RUN: %python %S/check_falls.py %t.fp32.json 0.25 | FileCheck %s --check-prefix=FALLS
// RUN: mp-run %s --policy mixed_bfloat16 --loss-scaling "mode=dynamic" --task regress --steps 40 --print-every 0 --report %t.bf16.json > /dev/null
// Same initialisation and data: the first bf16 loss is within 2 % of fp32's.
// RUN: %python %S/check_falls.py %t.bf16.json 0.25 %t.fp32.json | FileCheck %s --check-prefix=FALLS
//
// RUN: mp-opt %S/Inputs/cnn.mlir --mp-make-trainable="param-args=1,2,3 loss=mse optimizer=adam lr=0.01" -o %t.cnn.mlir
// RUN: mp-run %t.cnn.mlir --policy float32 --loss-scaling "mode=none" --task regress --steps 40 --print-every 0 --report %t.cnn.fp32.json | FileCheck %s --check-prefix=CNN
// RUN: %python %S/check_falls.py %t.cnn.fp32.json 0.6 | FileCheck %s --check-prefix=FALLS
// RUN: mp-run %t.cnn.mlir --policy mixed_bfloat16 --loss-scaling "mode=dynamic" --task regress --steps 40 --print-every 0 --report %t.cnn.bf16.json > /dev/null
// RUN: %python %S/check_falls.py %t.cnn.bf16.json 0.6 %t.cnn.fp32.json | FileCheck %s --check-prefix=FALLS
//
// CHECK: arg 0: float32[1,4,8] param
// CHECK-NEXT: arg 1: float32[1,1,8] param
// CHECK-NEXT: arg 2: float32[1,16,4] data
// CHECK-NEXT: arg 3: float32[1,16,8] data
// CHECK: skipped steps          0
// FALLS: falls:
// CNN: arg 0: float32[1,6,6,1] data
// CNN-NEXT: arg 1: float32[2,3,3,1] param
// CNN-NEXT: arg 2: float32[2] param
// CNN-NEXT: arg 3: float32[1,8,3] param
// CNN-NEXT: arg 4: float32[1,1,3] data target0
// CNN-NEXT: arg 5: float32[2,3,3,1] state arg1.exp_avg

func.func @loss(%w: tensor<1x4x8xf32>, %b: tensor<1x1x8xf32>, %x: tensor<1x16x4xf32>, %y: tensor<1x16x8xf32>) -> tensor<f32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %mm = tosa.matmul %x, %w, %zp, %zp : (tensor<1x16x4xf32>, tensor<1x4x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x16x8xf32>
  %a = tosa.add %mm, %b : (tensor<1x16x8xf32>, tensor<1x1x8xf32>) -> tensor<1x16x8xf32>
  %h = tosa.tanh %a : (tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  %d = tosa.sub %h, %y : (tensor<1x16x8xf32>, tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %sq = tosa.mul %d, %d, %shift : (tensor<1x16x8xf32>, tensor<1x16x8xf32>, tensor<1xi8>) -> tensor<1x16x8xf32>
  %r1 = tosa.reduce_sum %sq {axis = 2 : i32} : (tensor<1x16x8xf32>) -> tensor<1x16x1xf32>
  %r2 = tosa.reduce_sum %r1 {axis = 1 : i32} : (tensor<1x16x1xf32>) -> tensor<1x1x1xf32>
  %inv = "tosa.const"() <{values = dense<0.0078125> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %m = tosa.mul %r2, %inv, %shift : (tensor<1x1x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1xf32>
  %shape = tosa.const_shape {values = dense<> : tensor<0xindex>} : () -> !tosa.shape<0>
  %l = tosa.reshape %m, %shape : (tensor<1x1x1xf32>, !tosa.shape<0>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @train_step(%w: tensor<1x4x8xf32>, %b: tensor<1x1x8xf32>, %x: tensor<1x16x4xf32>, %y: tensor<1x16x8xf32>)
    -> (tensor<1x4x8xf32> {mp.updates = 0}, tensor<1x1x8xf32> {mp.updates = 1}, tensor<f32>) {
  %l, %gw, %gb = mp.value_and_grad @loss(%w, %b, %x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<1x4x8xf32>, tensor<1x1x8xf32>, tensor<1x16x4xf32>, tensor<1x16x8xf32>)
      -> (tensor<f32>, tensor<1x4x8xf32>, tensor<1x1x8xf32>)
  %lr = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %sw = tosa.mul %gw, %lr, %shift : (tensor<1x4x8xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x8xf32>
  %w1 = tosa.sub %w, %sw : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %sb = tosa.mul %gb, %lr, %shift : (tensor<1x1x8xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x8xf32>
  %b1 = tosa.sub %b, %sb : (tensor<1x1x8xf32>, tensor<1x1x8xf32>) -> tensor<1x1x8xf32>
  return %w1, %b1, %l : tensor<1x4x8xf32>, tensor<1x1x8xf32>, tensor<f32>
}
