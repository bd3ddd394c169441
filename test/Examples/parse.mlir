// Every example is a valid training graph: it parses, verifies and prints.
// RUN: mp-opt %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=MLP

// MLP-LABEL: func.func @loss
// MLP: linalg.matmul
// MLP-LABEL: func.func @train_step
// MLP-SAME: {mp.updates = 0 : i64}
// MLP: mp.value_and_grad @loss({{.*}}) {wrt = array<i64: 0, 1, 2, 3>}

// RUN: mp-opt %mixprec_src/examples/cnn.mlir | FileCheck %s --check-prefix=CNN
// CNN-LABEL: func.func @loss
// CNN: linalg.conv_2d_nhwc_hwcf
// CNN: linalg.pooling_nhwc_max
// CNN-LABEL: func.func @train_step
// CNN-SAME: {mp.updates = 7 : i64}
// CNN: mp.value_and_grad @loss({{.*}}) {wrt = array<i64: 0, 1, 2, 3>}

// RUN: mp-opt %mixprec_src/examples/transformer_block.mlir | FileCheck %s --check-prefix=TF
// TF-LABEL: func.func private @layernorm
// TF-LABEL: func.func @loss
// TF: linalg.batch_matmul
// TF-LABEL: func.func @train_step
// TF-SAME: {mp.updates = 11 : i64}
// TF: mp.value_and_grad @loss({{.*}}) {wrt = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11>}
