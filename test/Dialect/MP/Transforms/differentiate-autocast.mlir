// mp-autocast then mp-differentiate on the MLP example: the backward
// contractions run in the compute dtype (bf16 operands, f32 accumulator,
// like the forward ones) and the f32 master weights get f32 gradients
// through the widening mp.cast that is the adjoint of the policy cast.
//
// RUN: mp-opt --mp-autocast=policy=mixed_bfloat16 --mp-differentiate %mixprec_src/examples/mlp.mlir | FileCheck %s

// CHECK-LABEL: func.func @train_step
// CHECK-NOT: mp.value_and_grad
// CHECK-COUNT-3: linalg.matmul indexing_maps = [{{.*}}] ins({{.*}} : tensor<{{[0-9x]+}}xbf16>, tensor<{{[0-9x]+}}xbf16>) outs({{.*}} : tensor<{{[0-9x]+}}xf32>)
// CHECK-DAG: mp.cast %{{.*}} : tensor<784x256xbf16> to tensor<784x256xf32>
// CHECK-DAG: mp.cast %{{.*}} : tensor<256x10xbf16> to tensor<256x10xf32>
// CHECK: return {{.*}} : tensor<784x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>, tensor<f32>
