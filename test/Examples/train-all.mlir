// RUN: %python %S/train_all.py %mp_run %mixprec_src %t | FileCheck %s
// CHECK: mlp{{.*}}bf16
// CHECK: cnn{{.*}}f16
// CHECK: transformer_block{{.*}}f16
// CHECK: transformer_block{{.*}}f16: peak tensor memory
// CHECK: all examples train
