"""Writes a training graph whose loss is a chain of N elementwise ops."""
import sys

n = int(sys.argv[1])
ops = ["arith.addf", "arith.mulf", "arith.subf", "arith.maximumf"]
lines = ["func.func @loss(%w: tensor<8xf32>, %x: tensor<8xf32>) -> tensor<f32> {",
         "  %v0 = arith.mulf %w, %x : tensor<8xf32>"]
for i in range(1, n):
    lines.append(f"  %v{i} = {ops[i % 4]} %v{i-1}, %x : tensor<8xf32>")
lines += [
    "  %e = tensor.empty() : tensor<f32>",
    "  %c0 = arith.constant 0.0 : f32",
    "  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>",
    f"  %r = linalg.reduce ins(%v{n-1} : tensor<8xf32>) outs(%z : tensor<f32>) dimensions = [0]",
    "    (%in: f32, %acc: f32) {",
    "      %s = arith.addf %in, %acc : f32",
    "      linalg.yield %s : f32",
    "    }",
    "  return %r : tensor<f32>",
    "}",
    "func.func @train_step(%w: tensor<8xf32>, %x: tensor<8xf32>) -> (tensor<8xf32> {mp.updates = 0}, tensor<f32>) {",
    "  %l, %g = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<8xf32>, tensor<8xf32>) -> (tensor<f32>, tensor<8xf32>)",
    "  %w1 = arith.subf %w, %g : tensor<8xf32>",
    "  return %w1, %l : tensor<8xf32>, tensor<f32>",
    "}",
]
print("\n".join(lines))
