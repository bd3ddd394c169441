// Zero-sized tensors compile and run (the loss of an empty sum is 0);
// shapes whose byte size overflows 64 bits and dynamic shapes are rejected
// with a diagnostic, never a crash.
// RUN: %python %S/gen_shapes.py %t
// RUN: mp-run %t/zero.mlir --steps 2 --print-every 1 | FileCheck %s --check-prefix=ZERO
// ZERO: step     2  loss   0.000000
// RUN: not mp-run %t/huge.mlir --steps 1 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: mp-run: error: argument #0 of @train_step (float32[4611686018427387904]) has more bytes than fit in a 64-bit size
// RUN: not mp-opt %t/dynamic.mlir --mp-mixed-precision 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: error: 'mp.value_and_grad' op mp-differentiate: argument #0 has a dynamic shape; only static shapes are supported
