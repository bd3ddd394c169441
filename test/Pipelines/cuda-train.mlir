// Training on an NVIDIA GPU: the MLP in mixed_float16 and mixed_bfloat16
// through mp-run --target cuda and through the standalone C driver, with
// the losses of the CPU run on the same data.
// REQUIRES: cuda-gpu

// RUN: mp-run %mixprec_src/examples/mlp.mlir --target cpu --policy mixed_float16 --steps 40 --print-every 20 --dump-inputs %t.inputs | FileCheck %s --check-prefix=CPU
// RUN: mp-run %mixprec_src/examples/mlp.mlir --target cuda --policy mixed_float16 --steps 40 --print-every 20 --aot-output %t.f16.so | FileCheck %s --check-prefix=GPU
// RUN: mp-cuda-train %t.f16.so --inputs %t.inputs --steps 40 --print-every 20 | FileCheck %s --check-prefix=GPU
// RUN: mp-run %mixprec_src/examples/mlp.mlir --target cuda --policy mixed_bfloat16 --steps 40 --print-every 20 | FileCheck %s --check-prefix=GPU

// CPU: step     1  loss   2.76
// CPU: skipped steps          0
// GPU: step     1  loss   2.76
// GPU: step    40  loss   {{0\.[0-9]+}}
// GPU: skipped steps          0
