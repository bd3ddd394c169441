// mp-autocast on the training-graph contract (examples/mlp.mlir): @loss,
// referenced by mp.value_and_grad, is autocast and keeps its signature; the
// step function (the optimizer update) is left alone. No crash with any
// named policy.
//
// RUN: mp-opt --mp-autocast="policy=mixed_bfloat16" %mixprec_src/examples/mlp.mlir | FileCheck %s
// RUN: mp-opt --mp-autocast="policy=bfloat16" %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=BF16
// RUN: mp-opt --mp-autocast="policy=mixed_float16 target=nvptx" %mixprec_src/examples/mlp.mlir -o /dev/null
// RUN: mp-opt --mp-autocast="policy=float32" %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=F32
// RUN: mp-opt --mp-autocast="policy=half target=nvptx accumulate=compute keep-fp32=fc2" %mixprec_src/examples/mlp.mlir -o /dev/null

// CHECK-LABEL: func.func @loss(
// CHECK-SAME:      %[[W1:[^:]+]]: tensor<784x256xf32>, %{{.+}}: tensor<256xf32>, %[[W2:[^:]+]]: tensor<256x10xf32>, %{{.+}}: tensor<10xf32>, %[[X:[^:]+]]: tensor<64x784xf32>, %{{.+}}: tensor<64x10xf32>) -> tensor<f32>
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<64x784xf32> to tensor<64x784xbf16>
// CHECK-NEXT:    %[[W1H:.+]] = mp.cast %[[W1]] : tensor<784x256xf32> to tensor<784x256xbf16>
// CHECK-NEXT:    %[[W2H:.+]] = mp.cast %[[W2]] : tensor<256x10xf32> to tensor<256x10xbf16>
// CHECK:         %[[MM1:.+]] = linalg.matmul ins(%[[XH]], %[[W1H]] : tensor<64x784xbf16>, tensor<784x256xbf16>) outs(%{{.+}} : tensor<64x256xf32>) -> tensor<64x256xf32>
// CHECK:         %[[H:.+]] = arith.maximumf %{{.+}}, %{{.+}} : tensor<64x256xf32>
// CHECK-NEXT:    %[[HH:.+]] = mp.cast %[[H]] : tensor<64x256xf32> to tensor<64x256xbf16>
// CHECK:         linalg.matmul ins(%[[HH]], %[[W2H]] : tensor<64x256xbf16>, tensor<256x10xbf16>) outs(%{{.+}} : tensor<64x10xf32>) -> tensor<64x10xf32>
// CHECK:         math.exp %{{.+}} : tensor<64x10xf32>
// CHECK:         math.log %{{.+}} : tensor<64xf32>
// CHECK:         return %{{.+}} : tensor<f32>
// CHECK-LABEL: func.func @train_step(
// CHECK-NOT:     mp.cast
// CHECK:         mp.value_and_grad @loss

// bfloat16: the loss keeps its f32 type (mp.value_and_grad references
// @loss) but is rounded to bf16 first.
// BF16-LABEL: func.func @loss(
// BF16-SAME:      -> tensor<f32>
// BF16:         %[[L:.+]] = arith.mulf %{{.+}}, %{{.+}} : tensor<f32>
// BF16-NEXT:    %[[LH:.+]] = mp.cast %[[L]] : tensor<f32> to tensor<bf16>
// BF16-NEXT:    %[[LW:.+]] = mp.cast %[[LH]] : tensor<bf16> to tensor<f32>
// BF16-NEXT:    return %[[LW]] : tensor<f32>
// BF16-LABEL: func.func @train_step(
// BF16-NOT:     mp.cast

// F32-NOT: mp.cast
