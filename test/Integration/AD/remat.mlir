// Gradients through the values the backward recomputes instead of saving
// (docs/differentiate.md, "Saved activations"): the ReLU mask taken from the
// output, a tanh-GELU chain recomputed from its input, a layer norm whose
// centred input and broadcast statistics are recomputed, and a softmax
// recomputed from its input; vs central finite differences in f64
// (tolerances: see gradcheck.py).
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

// relu(x w + b), weighted by c.
// GRADCHECK: @relu_mm wrt=0,1,2 args=n,n,n,n
func.func @relu_mm(%x: tensor<4x5xf64>, %w: tensor<5x6xf64>, %b: tensor<6xf64>, %c: tensor<4x6xf64>) -> tensor<f64> {
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<4x6xf64>
  %acc = linalg.fill ins(%z : f64) outs(%e : tensor<4x6xf64>) -> tensor<4x6xf64>
  %m = linalg.matmul ins(%x, %w : tensor<4x5xf64>, tensor<5x6xf64>) outs(%acc : tensor<4x6xf64>) -> tensor<4x6xf64>
  %bb = linalg.broadcast ins(%b : tensor<6xf64>) outs(%e : tensor<4x6xf64>) dimensions = [0]
  %h = arith.addf %m, %bb : tensor<4x6xf64>
  %zeros = linalg.fill ins(%z : f64) outs(%e : tensor<4x6xf64>) -> tensor<4x6xf64>
  %r = arith.maximumf %h, %zeros : tensor<4x6xf64>
  %p = arith.mulf %r, %c : tensor<4x6xf64>
  %e0 = tensor.empty() : tensor<f64>
  %z0 = linalg.fill ins(%z : f64) outs(%e0 : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<4x6xf64>) outs(%z0 : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %a: f64) {
      %t = arith.addf %in, %a : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// y = gelu_tanh(x w) = 0.5 u (1 + tanh(k (u + 0.044715 u^3))), loss sum(c y^2).
// GRADCHECK: @gelu_mm wrt=0,1 args=n,n,n
func.func @gelu_mm(%x: tensor<4x5xf64>, %w: tensor<5x6xf64>, %c: tensor<4x6xf64>) -> tensor<f64> {
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<4x6xf64>
  %acc = linalg.fill ins(%z : f64) outs(%e : tensor<4x6xf64>) -> tensor<4x6xf64>
  %u = linalg.matmul ins(%x, %w : tensor<4x5xf64>, tensor<5x6xf64>) outs(%acc : tensor<4x6xf64>) -> tensor<4x6xf64>
  %half = arith.constant dense<0.5> : tensor<4x6xf64>
  %one = arith.constant dense<1.0> : tensor<4x6xf64>
  %k = arith.constant dense<0.7978845608028654> : tensor<4x6xf64>
  %a = arith.constant dense<0.044715> : tensor<4x6xf64>
  %u2 = arith.mulf %u, %u : tensor<4x6xf64>
  %u3 = arith.mulf %u2, %u : tensor<4x6xf64>
  %au3 = arith.mulf %u3, %a : tensor<4x6xf64>
  %in0 = arith.addf %u, %au3 : tensor<4x6xf64>
  %kin = arith.mulf %in0, %k : tensor<4x6xf64>
  %th = math.tanh %kin : tensor<4x6xf64>
  %onep = arith.addf %th, %one : tensor<4x6xf64>
  %hu = arith.mulf %u, %half : tensor<4x6xf64>
  %y = arith.mulf %hu, %onep : tensor<4x6xf64>
  %y2 = arith.mulf %y, %y : tensor<4x6xf64>
  %p = arith.mulf %y2, %c : tensor<4x6xf64>
  %e0 = tensor.empty() : tensor<f64>
  %z0 = linalg.fill ins(%z : f64) outs(%e0 : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<4x6xf64>) outs(%z0 : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc0: f64) {
      %t = arith.addf %in, %acc0 : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// Layer norm over rows, gain g, bias b, loss sum(c y).
// GRADCHECK: @layernorm wrt=0,1,2 args=n,n,n,n
func.func @layernorm(%x: tensor<4x6xf64>, %g: tensor<6xf64>, %b: tensor<6xf64>, %c: tensor<4x6xf64>) -> tensor<f64> {
  %z = arith.constant 0.0 : f64
  %inv = arith.constant dense<0.16666666666666666> : tensor<4xf64>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf64>
  %er = tensor.empty() : tensor<4xf64>
  %e = tensor.empty() : tensor<4x6xf64>
  %zr = linalg.fill ins(%z : f64) outs(%er : tensor<4xf64>) -> tensor<4xf64>
  %sum = linalg.reduce ins(%x : tensor<4x6xf64>) outs(%zr : tensor<4xf64>) dimensions = [1]
    (%in: f64, %a: f64) {
      %t = arith.addf %in, %a : f64
      linalg.yield %t : f64
    }
  %mean = arith.mulf %sum, %inv : tensor<4xf64>
  %meanb = linalg.broadcast ins(%mean : tensor<4xf64>) outs(%e : tensor<4x6xf64>) dimensions = [1]
  %xc = arith.subf %x, %meanb : tensor<4x6xf64>
  %sq = arith.mulf %xc, %xc : tensor<4x6xf64>
  %vs = linalg.reduce ins(%sq : tensor<4x6xf64>) outs(%zr : tensor<4xf64>) dimensions = [1]
    (%in: f64, %a: f64) {
      %t = arith.addf %in, %a : f64
      linalg.yield %t : f64
    }
  %var = arith.mulf %vs, %inv : tensor<4xf64>
  %ve = arith.addf %var, %eps : tensor<4xf64>
  %rstd = math.rsqrt %ve : tensor<4xf64>
  %rb = linalg.broadcast ins(%rstd : tensor<4xf64>) outs(%e : tensor<4x6xf64>) dimensions = [1]
  %xn = arith.mulf %xc, %rb : tensor<4x6xf64>
  %gb = linalg.broadcast ins(%g : tensor<6xf64>) outs(%e : tensor<4x6xf64>) dimensions = [0]
  %bb = linalg.broadcast ins(%b : tensor<6xf64>) outs(%e : tensor<4x6xf64>) dimensions = [0]
  %xg = arith.mulf %xn, %gb : tensor<4x6xf64>
  %y = arith.addf %xg, %bb : tensor<4x6xf64>
  %y2 = arith.mulf %y, %y : tensor<4x6xf64>
  %p = arith.mulf %y2, %c : tensor<4x6xf64>
  %e0 = tensor.empty() : tensor<f64>
  %z0 = linalg.fill ins(%z : f64) outs(%e0 : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<4x6xf64>) outs(%z0 : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %a: f64) {
      %t = arith.addf %in, %a : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// softmax(x w) over rows written with primitives, loss sum(c p^2).
// GRADCHECK: @softmax_mm wrt=0,1 args=n,n,n
func.func @softmax_mm(%x: tensor<4x5xf64>, %w: tensor<5x6xf64>, %c: tensor<4x6xf64>) -> tensor<f64> {
  %z = arith.constant 0.0 : f64
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %e = tensor.empty() : tensor<4x6xf64>
  %er = tensor.empty() : tensor<4xf64>
  %acc = linalg.fill ins(%z : f64) outs(%e : tensor<4x6xf64>) -> tensor<4x6xf64>
  %sc = linalg.matmul ins(%x, %w : tensor<4x5xf64>, tensor<5x6xf64>) outs(%acc : tensor<4x6xf64>) -> tensor<4x6xf64>
  %mi = linalg.fill ins(%ninf : f64) outs(%er : tensor<4xf64>) -> tensor<4xf64>
  %mx = linalg.reduce ins(%sc : tensor<4x6xf64>) outs(%mi : tensor<4xf64>) dimensions = [1]
    (%in: f64, %a: f64) {
      %t = arith.maximumf %in, %a : f64
      linalg.yield %t : f64
    }
  %mxb = linalg.broadcast ins(%mx : tensor<4xf64>) outs(%e : tensor<4x6xf64>) dimensions = [1]
  %d = arith.subf %sc, %mxb : tensor<4x6xf64>
  %ex = math.exp %d : tensor<4x6xf64>
  %zr = linalg.fill ins(%z : f64) outs(%er : tensor<4xf64>) -> tensor<4xf64>
  %den = linalg.reduce ins(%ex : tensor<4x6xf64>) outs(%zr : tensor<4xf64>) dimensions = [1]
    (%in: f64, %a: f64) {
      %t = arith.addf %in, %a : f64
      linalg.yield %t : f64
    }
  %denb = linalg.broadcast ins(%den : tensor<4xf64>) outs(%e : tensor<4x6xf64>) dimensions = [1]
  %p = arith.divf %ex, %denb : tensor<4x6xf64>
  %p2 = arith.mulf %p, %p : tensor<4x6xf64>
  %q = arith.mulf %p2, %c : tensor<4x6xf64>
  %e0 = tensor.empty() : tensor<f64>
  %z0 = linalg.fill ins(%z : f64) outs(%e0 : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%q : tensor<4x6xf64>) outs(%z0 : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %a: f64) {
      %t = arith.addf %in, %a : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}
