// Gradients of calls differentiated as calls (`no_inline`: @g_fwd /
// @g_bwd, docs/differentiate.md "Calls") vs central finite differences in
// f64 (tolerances: see gradcheck.py), next to the same models with the
// calls inlined: a 3-layer stack of one shared layer function (matmul, bias,
// a layer-norm-like scaling through a nested no_inline call, tanh; the
// inlined version calls @layer_inlined, which inlines @norm); a callee
// with two results, one unused by the caller (zero cotangent); the same
// value passed twice; an inactive argument; a callee returning an argument.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --samples 400 --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func private @norm(%x: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %zero = arith.constant 0.0 : f64
  %inv = arith.constant dense<0.25> : tensor<3xf64>
  %eps = arith.constant dense<1.0e-3> : tensor<3xf64>
  %er = tensor.empty() : tensor<3xf64>
  %e2 = tensor.empty() : tensor<3x4xf64>
  %z = linalg.fill ins(%zero : f64) outs(%er : tensor<3xf64>) -> tensor<3xf64>
  %sq = arith.mulf %x, %x : tensor<3x4xf64>
  %ss = linalg.reduce ins(%sq : tensor<3x4xf64>) outs(%z : tensor<3xf64>) dimensions = [1]
    (%in: f64, %acc: f64) {
      %s = arith.addf %in, %acc : f64
      linalg.yield %s : f64
    }
  %ms = arith.mulf %ss, %inv : tensor<3xf64>
  %me = arith.addf %ms, %eps : tensor<3xf64>
  %r = math.rsqrt %me : tensor<3xf64>
  %rb = linalg.broadcast ins(%r : tensor<3xf64>) outs(%e2 : tensor<3x4xf64>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<3x4xf64>
  return %y : tensor<3x4xf64>
}

func.func private @layer(%x: tensor<3x4xf64>, %w: tensor<4x4xf64>, %b: tensor<4xf64>) -> tensor<3x4xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<3x4xf64>
  %z = linalg.fill ins(%zero : f64) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
  %m = linalg.matmul ins(%x, %w : tensor<3x4xf64>, tensor<4x4xf64>) outs(%z : tensor<3x4xf64>) -> tensor<3x4xf64>
  %bb = linalg.broadcast ins(%b : tensor<4xf64>) outs(%e : tensor<3x4xf64>) dimensions = [0]
  %a = arith.addf %m, %bb : tensor<3x4xf64>
  %n = func.call @norm(%a) {no_inline} : (tensor<3x4xf64>) -> tensor<3x4xf64>
  %t = math.tanh %n : tensor<3x4xf64>
  return %t : tensor<3x4xf64>
}

// The same layer, calling @norm inlined.
func.func private @layer_inlined(%x: tensor<3x4xf64>, %w: tensor<4x4xf64>, %b: tensor<4xf64>) -> tensor<3x4xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<3x4xf64>
  %z = linalg.fill ins(%zero : f64) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
  %m = linalg.matmul ins(%x, %w : tensor<3x4xf64>, tensor<4x4xf64>) outs(%z : tensor<3x4xf64>) -> tensor<3x4xf64>
  %bb = linalg.broadcast ins(%b : tensor<4xf64>) outs(%e : tensor<3x4xf64>) dimensions = [0]
  %a = arith.addf %m, %bb : tensor<3x4xf64>
  %n = func.call @norm(%a) : (tensor<3x4xf64>) -> tensor<3x4xf64>
  %t = math.tanh %n : tensor<3x4xf64>
  return %t : tensor<3x4xf64>
}

// GRADCHECK: @stack_calls wrt=0,1,2,3,4,5,6
func.func @stack_calls(%x: tensor<3x4xf64>, %w0: tensor<4x4xf64>, %b0: tensor<4xf64>, %w1: tensor<4x4xf64>, %b1: tensor<4xf64>, %w2: tensor<4x4xf64>, %b2: tensor<4xf64>, %c: tensor<3x4xf64>) -> tensor<f64> {
  %h0 = func.call @layer(%x, %w0, %b0) {no_inline} : (tensor<3x4xf64>, tensor<4x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %h1 = func.call @layer(%h0, %w1, %b1) {no_inline} : (tensor<3x4xf64>, tensor<4x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %h2 = func.call @layer(%h1, %w2, %b2) {no_inline} : (tensor<3x4xf64>, tensor<4x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %wp = arith.mulf %h2, %c : tensor<3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @stack_inlined wrt=0,1,2,3,4,5,6
func.func @stack_inlined(%x: tensor<3x4xf64>, %w0: tensor<4x4xf64>, %b0: tensor<4xf64>, %w1: tensor<4x4xf64>, %b1: tensor<4xf64>, %w2: tensor<4x4xf64>, %b2: tensor<4xf64>, %c: tensor<3x4xf64>) -> tensor<f64> {
  %h0 = func.call @layer_inlined(%x, %w0, %b0) : (tensor<3x4xf64>, tensor<4x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %h1 = func.call @layer_inlined(%h0, %w1, %b1) : (tensor<3x4xf64>, tensor<4x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %h2 = func.call @layer_inlined(%h1, %w2, %b2) : (tensor<3x4xf64>, tensor<4x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %wp = arith.mulf %h2, %c : tensor<3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

func.func private @two(%x: tensor<3x4xf64>, %y: tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
  %p = arith.mulf %x, %y : tensor<3x4xf64>
  %e = math.exp %x : tensor<3x4xf64>
  return %p, %e, %y : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
}

// The second result of @two is unused (its cotangent is zero), the third
// is the argument %y itself; %x is passed twice to the first call; the
// second call has an inactive argument (%c).
// GRADCHECK: @multi wrt=0,1
func.func @multi(%x: tensor<3x4xf64>, %y: tensor<3x4xf64>, %c: tensor<3x4xf64>) -> tensor<f64> {
  %p, %e, %r = func.call @two(%x, %x) {no_inline} : (tensor<3x4xf64>, tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>)
  %q, %f, %s = func.call @two(%p, %c) {no_inline} : (tensor<3x4xf64>, tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>)
  %u, %g, %t = func.call @two(%y, %q) {no_inline} : (tensor<3x4xf64>, tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>)
  %a = arith.addf %u, %t : tensor<3x4xf64>
  %b = arith.addf %a, %r : tensor<3x4xf64>
  %d = arith.addf %b, %f : tensor<3x4xf64>
  %wp = arith.mulf %d, %c : tensor<3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}
