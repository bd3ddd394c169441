// RUN: mp-opt %s --mp-convert-to-llvm -split-input-file -verify-diagnostics

// What no conversion pattern applies to is an error at the op (upstream's
// convert-to-llvm leaves it for the translation to LLVM IR to reject).

func.func @tensor_arith(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot lower 'arith.addf' to the LLVM dialect: no conversion applies}}
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unbufferized() -> tensor<2xf32> {
  // expected-error @+1 {{cannot lower 'tensor.empty' to the LLVM dialect: no conversion applies}}
  %0 = tensor.empty() : tensor<2xf32>
  return %0 : tensor<2xf32>
}
