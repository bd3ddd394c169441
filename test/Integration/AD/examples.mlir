// Gradients of the three example training graphs (examples/*.mlir, rewritten
// to f64 by --f32-to-f64) vs central finite differences: h = 1e-6,
// rtol = 1e-6, atol = 1e-8 (see gradcheck.py). Weights are drawn small
// (0.1 * normal), labels one-hot; ReLU / max kinks are hit with probability
// ~0 for continuous random data.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --f32-to-f64 --samples 16 --check "@loss wrt=0,1,2,3 args=s,s,s,s,n,o" --workdir %t.mlp %mixprec_src/examples/mlp.mlir | FileCheck %s
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --f32-to-f64 --samples 24 --check "@loss wrt=0,1,2,3 args=s,s,s,s,n,o" --workdir %t.cnn %mixprec_src/examples/cnn.mlir | FileCheck %s
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --f32-to-f64 --samples 16 --check "@loss args=p,s,s,s,s,s,p,s,s,s,s,s,n,n" --workdir %t.tf %mixprec_src/examples/transformer_block.mlir | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: PASS @loss
// CHECK: ALL PASS
