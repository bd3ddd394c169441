// Gradients of the elementwise arith / math rules vs central finite
// differences in f64 (tolerances: see gradcheck.py). Each loss is
// sum(w * op(x...)) with random weights w, so every element of the adjoint
// is checked, not just their sum.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

// GRADCHECK: @g_exp wrt=0 args=n,n
func.func @g_exp(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.exp %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_log wrt=0 args=p,n
func.func @g_log(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.log %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_tanh wrt=0 args=n,n
func.func @g_tanh(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.tanh %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_sqrt wrt=0 args=p,n
func.func @g_sqrt(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.sqrt %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_rsqrt wrt=0 args=p,n
func.func @g_rsqrt(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.rsqrt %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_absf wrt=0 args=i,n
func.func @g_absf(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.absf %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_erf wrt=0 args=n,n
func.func @g_erf(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.erf %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_negf wrt=0 args=n,n
func.func @g_negf(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.negf %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_log1p wrt=0 args=p,n
func.func @g_log1p(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.log1p %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_expm1 wrt=0 args=n,n
func.func @g_expm1(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.expm1 %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_sin wrt=0 args=n,n
func.func @g_sin(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.sin %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_cos wrt=0 args=n,n
func.func @g_cos(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.cos %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_exp2 wrt=0 args=n,n
func.func @g_exp2(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.exp2 %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_log2 wrt=0 args=p,n
func.func @g_log2(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.log2 %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_log10 wrt=0 args=p,n
func.func @g_log10(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.log10 %x : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_addf wrt=0,1 args=n,n,n
func.func @g_addf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.addf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_subf wrt=0,1 args=n,n,n
func.func @g_subf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.subf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_mulf wrt=0,1 args=n,n,n
func.func @g_mulf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.mulf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_divf wrt=0,1 args=n,i,n
func.func @g_divf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.divf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_maximumf wrt=0,1 args=n,n,n
func.func @g_maximumf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.maximumf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_minimumf wrt=0,1 args=n,n,n
func.func @g_minimumf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.minimumf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_maxnumf wrt=0,1 args=n,n,n
func.func @g_maxnumf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.maxnumf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_minnumf wrt=0,1 args=n,n,n
func.func @g_minnumf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = arith.minnumf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_powf wrt=0,1 args=p,n,n
func.func @g_powf(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = math.powf %x, %x2 : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// GRADCHECK: @g_select wrt=0,1 args=n,n,n
func.func @g_select(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %c = arith.cmpf olt, %x, %w : tensor<3x4xf64>
  %y = arith.select %c, %x, %x2 : tensor<3x4xi1>, tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// Reuse: x is used four times (adjoints accumulate); c is a constant.
// GRADCHECK: @g_reuse wrt=0 args=n,n
// GRADCHECK: @g_reuse wrt=0 args=n,n scale=3.0
func.func @g_reuse(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %c = arith.constant dense<0.5> : tensor<3x4xf64>
  %a = arith.mulf %x, %x : tensor<3x4xf64>
  %b = math.tanh %x : tensor<3x4xf64>
  %d = arith.mulf %a, %b : tensor<3x4xf64>
  %f = arith.addf %d, %x : tensor<3x4xf64>
  %y = arith.mulf %f, %c : tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}
