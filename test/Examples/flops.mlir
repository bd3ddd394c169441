// Contraction FLOPs of the differentiated examples: the backward of the MLP
// must cost at most 2.05x its forward (dW1, dW2 and dH only: the input x is
// not differentiated, so its adjoint is never computed).
//
// RUN: mp-opt --mp-differentiate %mixprec_src/examples/mlp.mlir | %python %S/count_flops.py --max-ratio 2.05 | FileCheck %s --check-prefix=MLP
// MLP: forward contraction FLOPs: 26017792
// MLP: backward contraction FLOPs: 26345472
// MLP: backward/forward: 1.0126
// MLP: OK
//
// In the transformer block every contraction operand is on a path from a
// parameter to the loss (two adjoint contractions per forward one): 2x.
// RUN: mp-opt --mp-differentiate %mixprec_src/examples/transformer_block.mlir | %python %S/count_flops.py --max-ratio 2.05 | FileCheck %s --check-prefix=TF
// TF: backward/forward: 2.0000
// TF: OK
