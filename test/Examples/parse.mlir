// Every example is a valid training graph: it parses, verifies and prints.
// RUN: mp-opt %mixprec_src/examples/mlp.mlir | FileCheck %s --check-prefix=MLP

// MLP-LABEL: func.func @loss
// MLP: linalg.matmul
// MLP-LABEL: func.func @train_step
// MLP-SAME: {mp.updates = 0 : i64}
// MLP: mp.value_and_grad @loss({{.*}}) {wrt = array<i64: 0, 1, 2, 3>}
