// Gradients of the tensor-op adjoint rules vs central finite differences in
// f64 (tolerances: see gradcheck.py).
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --samples 400 --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

// GRADCHECK: @slice wrt=0
func.func @slice(%x: tensor<6x7xf64>, %w: tensor<3x3xf64>) -> tensor<f64> {
  %s = tensor.extract_slice %x[1, 0] [3, 3] [2, 3] : tensor<6x7xf64> to tensor<3x3xf64>
  %t = tensor.extract_slice %x[0, 2] [1, 3] [1, 1] : tensor<6x7xf64> to tensor<3xf64>
  %u = math.tanh %s : tensor<3x3xf64>
  %e = tensor.empty() : tensor<3x3xf64>
  %tb = linalg.broadcast ins(%t : tensor<3xf64>) outs(%e : tensor<3x3xf64>) dimensions = [0]
  %y = arith.mulf %u, %tb : tensor<3x3xf64>
  %wp = arith.mulf %y, %w : tensor<3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @insert_slice wrt=0,1
func.func @insert_slice(%x: tensor<2x3xf64>, %d: tensor<5x6xf64>, %w: tensor<5x6xf64>) -> tensor<f64> {
  %y = tensor.insert_slice %x into %d[1, 0] [2, 3] [2, 2] : tensor<2x3xf64> into tensor<5x6xf64>
  %wp = arith.mulf %y, %w : tensor<5x6xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<5x6xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @reshape wrt=0
func.func @reshape(%x: tensor<2x3x4xf64>, %w: tensor<6x2x2xf64>) -> tensor<f64> {
  %c = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x4xf64> into tensor<6x4xf64>
  %t = math.sin %c : tensor<6x4xf64>
  %y = tensor.expand_shape %t [[0], [1, 2]] output_shape [6, 2, 2] : tensor<6x4xf64> into tensor<6x2x2xf64>
  %wp = arith.mulf %y, %w : tensor<6x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<6x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @concat wrt=0,1
func.func @concat(%x: tensor<2x3xf64>, %x2: tensor<2x4xf64>, %w: tensor<2x10xf64>) -> tensor<f64> {
  %s = math.exp %x2 : tensor<2x4xf64>
  %y = tensor.concat dim(1) %x, %s, %x : (tensor<2x3xf64>, tensor<2x4xf64>, tensor<2x3xf64>) -> tensor<2x10xf64>
  %wp = arith.mulf %y, %w : tensor<2x10xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x10xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @extract_splat wrt=0
func.func @extract_splat(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = tensor.extract %x[%c1, %c2] : tensor<3x4xf64>
  %b = tensor.extract %x[%c2, %c1] : tensor<3x4xf64>
  %m = arith.mulf %a, %b : f64
  %n = math.exp %m : f64
  %s = tensor.splat %n : tensor<3x4xf64>
  %y = arith.mulf %s, %x : tensor<3x4xf64>
  %wp = arith.mulf %y, %w : tensor<3x4xf64>
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

// GRADCHECK: @from_elements wrt=0
func.func @from_elements(%x: tensor<4xf64>, %w: tensor<2x3xf64>) -> tensor<f64> {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %a = tensor.extract %x[%c0] : tensor<4xf64>
  %b = tensor.extract %x[%c3] : tensor<4xf64>
  %p = arith.mulf %a, %b : f64
  %y = tensor.from_elements %a, %b, %p, %a, %b, %b : tensor<2x3xf64>
  %wp = arith.mulf %y, %w : tensor<2x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @insert wrt=0,1
func.func @insert(%x: tensor<3xf64>, %t: tensor<2x2xf64>, %w: tensor<2x2xf64>) -> tensor<f64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = tensor.extract %x[%c1] : tensor<3xf64>
  %s = math.sin %a : f64
  %y = tensor.insert %s into %t[%c1, %c0] : tensor<2x2xf64>
  %wp = arith.mulf %y, %w : tensor<2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @pad wrt=0
func.func @pad(%x: tensor<2x3xf64>, %w: tensor<5x5xf64>) -> tensor<f64> {
  %z = arith.constant 0.25 : f64
  %p = tensor.pad %x low[1, 2] high[2, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f64
  } : tensor<2x3xf64> to tensor<5x5xf64>
  %y = arith.mulf %p, %p : tensor<5x5xf64>
  %wp = arith.mulf %y, %w : tensor<5x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<5x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

func.func private @helper(%a: tensor<3xf64>, %b: tensor<3xf64>) -> tensor<3xf64> {
  %m = arith.mulf %a, %b : tensor<3xf64>
  %t = math.tanh %m : tensor<3xf64>
  %r = func.call @helper2(%t) : (tensor<3xf64>) -> tensor<3xf64>
  return %r : tensor<3xf64>
}
func.func private @helper2(%a: tensor<3xf64>) -> tensor<3xf64> {
  %r = math.exp %a : tensor<3xf64>
  return %r : tensor<3xf64>
}

// GRADCHECK: @calls wrt=0,1,2
func.func @calls(%x: tensor<3xf64>, %x2: tensor<3xf64>, %unused: tensor<2xf64>, %w: tensor<3xf64>) -> tensor<f64> {
  %a = func.call @helper(%x, %x2) : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %y = func.call @helper(%a, %x) : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %wp = arith.mulf %y, %w : tensor<3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3xf64>) outs(%wi : tensor<f64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}
