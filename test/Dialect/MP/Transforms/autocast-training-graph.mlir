// mp-autocast on the training-graph contract (examples/mlp.mlir): @loss,
// referenced by mp.value_and_grad, is autocast and keeps its signature; the
// step function (the optimizer update) is left alone. No crash with any
// named policy.
//
// RUN: mp-opt --mp-autocast="policy=mixed_bfloat16" %mixprec_src/examples/mlp.mlir | FileCheck %s
// RUN: mp-opt --mp-autocast="policy=mixed_bfloat16 compute-output=f32" %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=F32OUT
// RUN: mp-opt --mp-autocast="policy=bfloat16" %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=BF16
// RUN: mp-opt --mp-autocast="policy=mixed_float16 target=nvptx" %mixprec_src/examples/mlp.mlir -o /dev/null
// RUN: mp-opt --mp-autocast="policy=float32" %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=F32
// RUN: mp-opt --mp-autocast="policy=half target=nvptx accumulate=compute keep-fp32=fc2" %mixprec_src/examples/mlp.mlir -o /dev/null

// CHECK-LABEL: func.func @loss(
// CHECK-SAME:      %[[W1:[^:]+]]: tensor<784x256xf32>, %{{.+}}: tensor<256xf32>, %[[W2:[^:]+]]: tensor<256x10xf32>, %{{.+}}: tensor<10xf32>, %[[X:[^:]+]]: tensor<64x784xf32>, %{{.+}}: tensor<64x10xf32>) -> tensor<f32>
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<64x784xf32> to tensor<64x784xbf16>
// CHECK-NEXT:    %[[W1H:.+]] = mp.cast %[[W1]] : tensor<784x256xf32> to tensor<784x256xbf16>
// CHECK-NEXT:    %[[W2H:.+]] = mp.cast %[[W2]] : tensor<256x10xf32> to tensor<256x10xbf16>
// compute-output=compute (the default): each matmul accumulates in f32 and
// its result is rounded to bf16 once; the bias (a parameter, weakly typed)
// is cast to bf16 and the bias add and ReLU run in bf16; the second matmul
// takes the bf16 hidden activation as is; the log-softmax (fp32 class)
// widens the bf16 logits.
// CHECK:         %[[MM1:.+]] = linalg.matmul ins(%[[XH]], %[[W1H]] : tensor<64x784xbf16>, tensor<784x256xbf16>) outs(%{{.+}} : tensor<64x256xf32>) -> tensor<64x256xf32>
// CHECK-NEXT:    %[[MM1H:.+]] = mp.cast %[[MM1]] : tensor<64x256xf32> to tensor<64x256xbf16>
// CHECK-NEXT:    %[[B1:.+]] = linalg.broadcast ins(%{{.+}} : tensor<256xf32>) outs(%{{.+}} : tensor<64x256xf32>) dimensions = [0]
// CHECK-NEXT:    %[[B1H:.+]] = mp.cast %[[B1]] : tensor<64x256xf32> to tensor<64x256xbf16>
// CHECK-NEXT:    %[[A1:.+]] = arith.addf %[[MM1H]], %[[B1H]] : tensor<64x256xbf16>
// CHECK-NEXT:    %[[Z:.+]] = linalg.fill ins(%{{.+}} : bf16) outs(%{{.+}} : tensor<64x256xbf16>) -> tensor<64x256xbf16>
// CHECK-NEXT:    %[[H:.+]] = arith.maximumf %[[A1]], %[[Z]] : tensor<64x256xbf16>
// CHECK-NOT:     mp.cast %[[H]]
// CHECK:         %[[MM2:.+]] = linalg.matmul ins(%[[H]], %[[W2H]] : tensor<64x256xbf16>, tensor<256x10xbf16>) outs(%{{.+}} : tensor<64x10xf32>) -> tensor<64x10xf32>
// CHECK-NEXT:    %[[MM2H:.+]] = mp.cast %[[MM2]] : tensor<64x10xf32> to tensor<64x10xbf16>
// CHECK:         %[[LOGITS:.+]] = arith.addf %[[MM2H]], %{{.+}} : tensor<64x10xbf16>
// CHECK-NEXT:    %[[LW:.+]] = mp.cast %[[LOGITS]] : tensor<64x10xbf16> to tensor<64x10xf32>
// CHECK:         linalg.reduce ins(%[[LW]] : tensor<64x10xf32>)
// CHECK:         math.exp %{{.+}} : tensor<64x10xf32>
// CHECK:         math.log %{{.+}} : tensor<64xf32>
// CHECK:         return %{{.+}} : tensor<f32>
// CHECK-LABEL: func.func @train_step(
// CHECK-NOT:     mp.cast
// CHECK:         mp.value_and_grad @loss

// compute-output=f32: the matmul results stay f32, so the bias add and the
// ReLU run in f32 and the hidden activation is cast to bf16 for fc2.
// F32OUT-LABEL: func.func @loss(
// F32OUT:         %[[MM1:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<64x784xbf16>, tensor<784x256xbf16>) outs(%{{.+}} : tensor<64x256xf32>) -> tensor<64x256xf32>
// F32OUT-NEXT:    %[[B1:.+]] = linalg.broadcast
// F32OUT-NEXT:    %[[A1:.+]] = arith.addf %[[MM1]], %[[B1]] : tensor<64x256xf32>
// F32OUT:         %[[H:.+]] = arith.maximumf %[[A1]], %{{.+}} : tensor<64x256xf32>
// F32OUT-NEXT:    %[[HH:.+]] = mp.cast %[[H]] : tensor<64x256xf32> to tensor<64x256xbf16>
// F32OUT:         %[[MM2:.+]] = linalg.matmul ins(%[[HH]], %{{.+}} : tensor<64x256xbf16>, tensor<256x10xbf16>) outs(%{{.+}} : tensor<64x10xf32>) -> tensor<64x10xf32>
// F32OUT-NOT:     mp.cast %[[MM2]]
// F32OUT:         math.exp %{{.+}} : tensor<64x10xf32>

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
