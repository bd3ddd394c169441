// A forward pass past f16's range: the second matmul's output is about 1e7
// in fp32 (x from the synthetic init, weights 1024). In mixed_float16 it is
// inf, so the loss itself is not finite and loss scaling cannot help:
// mp-run says so on each skipped step, and scripts/models-check.py
// diagnoses an f16-range problem naming the first value past 65504 by its
// source line (the probe skips tensor.empty, whose contents are undefined),
// then trains again with the range report's keep-fp32 (those values in
// f32): that loss is finite, so the row passes "with the range report's
// keep-fp32". fp32 and mixed_bfloat16 train.
//
// RUN: rm -rf %t && mkdir -p %t/models
// RUN: mp-opt %s --mp-make-trainable="entry=forward loss=sum" -o %t/train.mlir
// RUN: mp-run %t/train.mlir --policy mixed_float16 --task regress --steps 2 --print-every 1 > %t/f16.log
// RUN: FileCheck %s --check-prefix=RUN16 --input-file %t/f16.log
// RUN: mp-run %t/train.mlir --policy mixed_bfloat16 --task regress --steps 1 --print-every 1 > %t/bf16.log
// RUN: FileCheck %s --check-prefix=RUNBF --input-file %t/bf16.log
// RUN: cp %s %t/models/overflow.mlir
// RUN: %python %mixprec_src/scripts/models-check.py --models %t/models --bin %mixprec_obj/bin \
// RUN:   --policy mixed_float16 --steps 1 --json %t/mc.json > %t/mc.log
// RUN: FileCheck %s --check-prefix=MC --input-file %t/mc.log
// RUN: %python -c "import json; r = json.load(open('%t/mc.json'))[0]; print(r['status'], r['stage'], r['range'][0]['name'], r['range'][0]['max_abs'] > 65504)" | FileCheck %s --check-prefix=JSON

// RUN16: step 1 skipped: non-finite gradients of arg0; the loss is not finite: an overflow in the forward pass, which loss scaling cannot fix (--range-report: max |x| per named value)
// RUN16: step 2 skipped:
// RUNBF: step     1  loss {{-?[0-9]}}
// RUNBF-NOT: skipped:

func.func @forward(%x: tensor<4x16xf32>) -> tensor<4x4xf32> {
  %w1 = arith.constant dense<1024.0> : tensor<16x8xf32>
  %w2 = arith.constant dense<1024.0> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%z1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x4xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  // The first value past 65504: this matmul.
  // MC: | overflow | forward | {{[0-9]+}} | pass with the range report's keep-fp32 (2 values) | {{.*}} | {{-?[0-9.]+}} (fp32 {{-?[0-9.e+]+}}; {{-?nan|-?inf}} without keep-fp32) | f16 range: 2 of {{[0-9]+}} values exceed 65504 in fp32, first L[[@LINE+2]] (max abs {{[0-9.e+]+}}), largest L{{[0-9#]+}} ({{[0-9.e+]+}}); L<n>: line n of the model |
  // JSON: pass keep-fp32 L[[@LINE+1]] True
  %y = linalg.matmul ins(%h, %w2 : tensor<4x8xf32>, tensor<8x4xf32>) outs(%z2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
