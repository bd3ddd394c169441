import os
import sys

TEMPLATE = """func.func @loss(%w: tensor<SHAPE>, %x: tensor<SHAPE>) -> tensor<f32> {
  %0 = arith.mulf %w, %x : tensor<SHAPE>
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%0 : tensor<SHAPE>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}
func.func @train_step(%w: tensor<SHAPE>, %x: tensor<SHAPE>) -> (tensor<SHAPE> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<SHAPE>, tensor<SHAPE>) -> (tensor<f32>, tensor<SHAPE>)
  %w1 = arith.subf %w, %g : tensor<SHAPE>
  return %w1, %l : tensor<SHAPE>, tensor<f32>
}
"""
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, shape in (("zero", "0xf32"), ("huge", "4611686018427387904xf32"),
                    ("dynamic", "?xf32")):
    with open(os.path.join(out, name + ".mlir"), "w") as f:
        f.write(TEMPLATE.replace("SHAPE", shape))
