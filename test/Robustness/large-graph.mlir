// A 100,000-op loss function goes through the whole mp-mixed-precision
// pipeline (autocast, loss scaling, reverse-mode AD, cleanup, lowering)
// without a stack overflow; time grows about linearly (the compile-time
// benchmark measures it; no wall-clock threshold here).
// RUN: %python %S/gen_chain.py 100000 > %t.mlir
// RUN: mp-opt %t.mlir --mp-mixed-precision="policy=mixed_bfloat16" | FileCheck %s
// CHECK-LABEL: func.func @train_step
// CHECK: mp.loss_scale
// CHECK-NOT: mp.value_and_grad
// CHECK: return
