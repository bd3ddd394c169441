// A model whose weights are constants (as torch-mlir and TFLite imports
// write them): mp-make-trainable{params=constants init-dir=DIR} promotes
// them to params and writes their values; mp-run --inputs DIR then starts
// from those values: the first loss (fp32) is the loss of the original
// weights computed by numpy (relative tolerance 1e-5), and training lowers it.
//
// RUN: rm -rf %t.dir
// RUN: mp-opt %s --mp-make-trainable="params=constants loss=mse optimizer=sgd lr=0.1 init-dir=%t.dir" -o %t.mlir
// RUN: %python %S/constants.py write %t.dir
// RUN: mp-run %t.mlir --inputs %t.dir --policy float32 --loss-scaling "mode=none" --steps 20 --print-every 0 --report %t.json | FileCheck %s
// RUN: %python %S/constants.py check %t.dir %t.json | FileCheck %s --check-prefix=LOSS
//
// CHECK: arg 0: float32[8,3] data
// CHECK-NEXT: arg 1: float32[3,2] param const0
// CHECK-NEXT: arg 2: float32[2] param const1
// CHECK-NEXT: arg 3: float32[8,2] data target0
// LOSS: first loss matches the constants' loss

func.func @forward(%x: tensor<8x3xf32>) -> tensor<8x2xf32> {
  %w = arith.constant dense<[[0.5, -1.0], [0.25, 2.0], [-0.75, 0.125]]> : tensor<3x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x2xf32>) -> tensor<8x2xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<8x3xf32>, tensor<3x2xf32>) outs(%z : tensor<8x2xf32>) -> tensor<8x2xf32>
  %bb = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<8x2xf32>) dimensions = [0]
  %y = arith.addf %mm, %bb : tensor<8x2xf32>
  return %y : tensor<8x2xf32>
}
