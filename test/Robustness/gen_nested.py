"""Writes a function with N nested scf.execute_region ops around f32 math."""
import sys

n = int(sys.argv[1])
out = ["func.func @nested(%x: tensor<8xf32>, %w: tensor<8x8xf32>) -> tensor<8xf32> {"]
for i in range(n):
    out.append("  " * (i + 1) + f"%r{i} = scf.execute_region -> tensor<8xf32> {{")
ind = "  " * (n + 1)
out.append(ind + "%e = math.exp %x : tensor<8xf32>")
out.append(ind + "%y = arith.addf %e, %x : tensor<8xf32>")
out.append(ind + "scf.yield %y : tensor<8xf32>")
for i in reversed(range(n)):
    out.append("  " * (i + 1) + "}")
    if i > 0:
        out.append("  " * i + "  " + f"scf.yield %r{i} : tensor<8xf32>")
out.append("  return %r0 : tensor<8xf32>")
out.append("}")
print("\n".join(out))
