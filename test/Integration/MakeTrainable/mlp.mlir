// mp-make-trainable turns an MLP inference function (32-64-10, ReLU) into a
// training graph (softmax cross-entropy against a new target argument, SGD
// lr 0.1) that mp-run trains: the loss falls in fp32 and in mixed_bfloat16
// with dynamic loss scaling, and the per-step losses are those of the same
// model written by hand in the training-graph contract
// (Inputs/mlp-contract.mlir): bit-identical in fp32 and in bf16 (same
// initialisation and data; the two graphs compute the same ops in the same
// order). Momentum and Adam versions train too.
//
// RUN: mp-opt %s --mp-make-trainable="param-args=0,1,2,3 loss=cross-entropy optimizer=sgd lr=0.1" -o %t.mlir
// RUN: mp-run %t.mlir --policy float32 --loss-scaling "mode=none" --steps 30 --print-every 0 --report %t.fp32.json | FileCheck %s
// RUN: mp-run %S/Inputs/mlp-contract.mlir --policy float32 --loss-scaling "mode=none" --steps 30 --print-every 0 --report %t.ref.fp32.json > /dev/null
// RUN: %python %S/../../Tools/mp-run/compare_losses.py %t.fp32.json %t.ref.fp32.json 0 | FileCheck %s --check-prefix=SAME
// RUN: %python %S/../Tosa/check_falls.py %t.fp32.json 0.7 | FileCheck %s --check-prefix=FALLS
// RUN: mp-run %t.mlir --policy mixed_bfloat16 --loss-scaling "mode=dynamic" --steps 30 --print-every 0 --report %t.bf16.json > /dev/null
// RUN: mp-run %S/Inputs/mlp-contract.mlir --policy mixed_bfloat16 --loss-scaling "mode=dynamic" --steps 30 --print-every 0 --report %t.ref.bf16.json > /dev/null
// RUN: %python %S/../../Tools/mp-run/compare_losses.py %t.bf16.json %t.ref.bf16.json 0 | FileCheck %s --check-prefix=SAME
// RUN: %python %S/../Tosa/check_falls.py %t.bf16.json 0.7 %t.fp32.json | FileCheck %s --check-prefix=FALLS
//
// RUN: mp-opt %s --mp-make-trainable="param-args=0,1,2,3 loss=cross-entropy optimizer=momentum lr=0.05" -o %t.mom.mlir
// RUN: mp-run %t.mom.mlir --policy mixed_bfloat16 --steps 30 --print-every 0 --report %t.mom.json > /dev/null
// RUN: %python %S/../Tosa/check_falls.py %t.mom.json 0.7 | FileCheck %s --check-prefix=FALLS
// RUN: mp-opt %s --mp-make-trainable="param-args=0,1,2,3 loss=cross-entropy optimizer=adamw lr=0.01 weight-decay=0.01" -o %t.adamw.mlir
// RUN: mp-run %t.adamw.mlir --policy mixed_bfloat16 --steps 30 --print-every 0 --report %t.adamw.json > /dev/null
// RUN: %python %S/../Tosa/check_falls.py %t.adamw.json 0.7 | FileCheck %s --check-prefix=FALLS
//
// CHECK: arg 0: float32[32,64] param
// CHECK-NEXT: arg 1: float32[64] param
// CHECK-NEXT: arg 2: float32[64,10] param
// CHECK-NEXT: arg 3: float32[10] param
// CHECK-NEXT: arg 4: float32[16,32] data
// CHECK-NEXT: arg 5: float32[16,10] data target0
// SAME: identical 30
// FALLS: falls:

func.func @predict(%w1: tensor<32x64xf32>, %b1: tensor<64xf32>,
                   %w2: tensor<64x10xf32>, %b2: tensor<10xf32>,
                   %x: tensor<16x32xf32>) -> tensor<16x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<16x64xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %mm1 = linalg.matmul ins(%x, %w1 : tensor<16x32xf32>, tensor<32x64xf32>)
                       outs(%z1 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %bb1 = linalg.broadcast ins(%b1 : tensor<64xf32>) outs(%e1 : tensor<16x64xf32>) dimensions = [0]
  %a1 = arith.addf %mm1, %bb1 : tensor<16x64xf32>
  %h = arith.maximumf %a1, %z1 : tensor<16x64xf32>
  %e2 = tensor.empty() : tensor<16x10xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<16x10xf32>) -> tensor<16x10xf32>
  %mm2 = linalg.matmul ins(%h, %w2 : tensor<16x64xf32>, tensor<64x10xf32>)
                       outs(%z2 : tensor<16x10xf32>) -> tensor<16x10xf32>
  %bb2 = linalg.broadcast ins(%b2 : tensor<10xf32>) outs(%e2 : tensor<16x10xf32>) dimensions = [0]
  %logits = arith.addf %mm2, %bb2 : tensor<16x10xf32>
  return %logits : tensor<16x10xf32>
}
