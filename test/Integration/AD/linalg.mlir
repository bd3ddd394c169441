// Gradients of the linalg adjoint rules vs central finite differences in
// f64 (tolerances: see gradcheck.py). Each loss is sum(w * op(...)) with
// random weights w.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --samples 400 --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

// GRADCHECK: @mm wrt=0,1
func.func @mm(%a: tensor<4x3xf64>, %b: tensor<3x5xf64>, %w: tensor<4x5xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<4x5xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<4x5xf64>) -> tensor<4x5xf64>
  %c = linalg.matmul ins(%a, %b : tensor<4x3xf64>, tensor<3x5xf64>) outs(%z : tensor<4x5xf64>) -> tensor<4x5xf64>
  %wp = arith.mulf %c, %w : tensor<4x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @mm_init wrt=0,1,2
func.func @mm_init(%a: tensor<4x3xf64>, %b: tensor<3x5xf64>, %c0: tensor<4x5xf64>, %w: tensor<4x5xf64>) -> tensor<f64> {
  %c = linalg.matmul ins(%a, %b : tensor<4x3xf64>, tensor<3x5xf64>) outs(%c0 : tensor<4x5xf64>) -> tensor<4x5xf64>
  %wp = arith.mulf %c, %w : tensor<4x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @mm_tb wrt=0,1
func.func @mm_tb(%a: tensor<4x3xf64>, %b: tensor<5x3xf64>, %w: tensor<4x5xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<4x5xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<4x5xf64>) -> tensor<4x5xf64>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<4x3xf64>, tensor<5x3xf64>) outs(%z : tensor<4x5xf64>) -> tensor<4x5xf64>
  %wp = arith.mulf %c, %w : tensor<4x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @mm_ta wrt=0,1
func.func @mm_ta(%a: tensor<3x4xf64>, %b: tensor<3x5xf64>, %w: tensor<4x5xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<4x5xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<4x5xf64>) -> tensor<4x5xf64>
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<3x4xf64>, tensor<3x5xf64>) outs(%z : tensor<4x5xf64>) -> tensor<4x5xf64>
  %wp = arith.mulf %c, %w : tensor<4x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @mm_shared wrt=0
func.func @mm_shared(%a: tensor<4x4xf64>, %w: tensor<4x4xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<4x4xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<4x4xf64>) -> tensor<4x4xf64>
  %c = linalg.matmul ins(%a, %a : tensor<4x4xf64>, tensor<4x4xf64>) outs(%z : tensor<4x4xf64>) -> tensor<4x4xf64>
  %wp = arith.mulf %c, %w : tensor<4x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @bmm wrt=0,1
func.func @bmm(%a: tensor<2x4x3xf64>, %b: tensor<2x3x5xf64>, %w: tensor<2x4x5xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<2x4x5xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<2x4x5xf64>) -> tensor<2x4x5xf64>
  %c = linalg.batch_matmul ins(%a, %b : tensor<2x4x3xf64>, tensor<2x3x5xf64>) outs(%z : tensor<2x4x5xf64>) -> tensor<2x4x5xf64>
  %wp = arith.mulf %c, %w : tensor<2x4x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x4x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @bmm_tb wrt=0,1
func.func @bmm_tb(%a: tensor<2x4x3xf64>, %b: tensor<2x5x3xf64>, %w: tensor<2x4x5xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<2x4x5xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<2x4x5xf64>) -> tensor<2x4x5xf64>
  %c = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%a, %b : tensor<2x4x3xf64>, tensor<2x5x3xf64>) outs(%z : tensor<2x4x5xf64>) -> tensor<2x4x5xf64>
  %wp = arith.mulf %c, %w : tensor<2x4x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x4x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @matvec wrt=0,1
func.func @matvec(%a: tensor<4x3xf64>, %v: tensor<3xf64>, %w: tensor<4xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<4xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<4xf64>) -> tensor<4xf64>
  %c = linalg.matvec ins(%a, %v : tensor<4x3xf64>, tensor<3xf64>) outs(%z : tensor<4xf64>) -> tensor<4xf64>
  %wp = arith.mulf %c, %w : tensor<4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4xf64>) outs(%wi : tensor<f64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @gen_ew wrt=0,1
func.func @gen_ew(%x: tensor<3x4xf64>, %v: tensor<4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %c = arith.constant 0.5 : f64
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x, %v : tensor<3x4xf64>, tensor<4xf64>) outs(%e : tensor<3x4xf64>) {
  ^bb0(%a: f64, %b: f64, %out: f64):
    %t = math.tanh %b : f64
    %m = arith.mulf %a, %t : f64
    %q = arith.mulf %a, %a : f64
    %s = arith.mulf %q, %c : f64
    %r = arith.addf %m, %s : f64
    linalg.yield %r : f64
  } -> tensor<3x4xf64>
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

// GRADCHECK: @gen_acc wrt=0,1
func.func @gen_acc(%x: tensor<4x3xf64>, %y0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x3xf64>) outs(%y0 : tensor<3x4xf64>) {
  ^bb0(%a: f64, %out: f64):
    %m = arith.mulf %a, %out : f64
    %r = arith.addf %m, %a : f64
    linalg.yield %r : f64
  } -> tensor<3x4xf64>
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

// GRADCHECK: @gen_sum wrt=0,1
func.func @gen_sum(%x: tensor<3x4xf64>, %v: tensor<4xf64>, %w: tensor<3xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<3xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<3xf64>) -> tensor<3xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x, %v : tensor<3x4xf64>, tensor<4xf64>) outs(%z : tensor<3xf64>) {
  ^bb0(%a: f64, %b: f64, %acc: f64):
    %e = math.exp %a : f64
    %m = arith.mulf %e, %b : f64
    %r = arith.addf %acc, %m : f64
    linalg.yield %r : f64
  } -> tensor<3xf64>
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

// GRADCHECK: @gen_max wrt=0,1
func.func @gen_max(%x: tensor<3x4xf64>, %m0: tensor<3xf64>, %w: tensor<3xf64>) -> tensor<f64> {
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x4xf64>) outs(%m0 : tensor<3xf64>) {
  ^bb0(%a: f64, %acc: f64):
    %t = math.tanh %a : f64
    %r = arith.maximumf %t, %acc : f64
    linalg.yield %r : f64
  } -> tensor<3xf64>
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

// GRADCHECK: @reduce_add wrt=0
func.func @reduce_add(%x: tensor<3x4x5xf64>, %w: tensor<3x5xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<3x5xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<3x5xf64>) -> tensor<3x5xf64>
  %y = linalg.reduce ins(%x : tensor<3x4x5xf64>) outs(%z : tensor<3x5xf64>) dimensions = [1]
    (%in: f64, %acc: f64) {
      %s = arith.addf %in, %acc : f64
      linalg.yield %s : f64
    }
  %wp = arith.mulf %y, %w : tensor<3x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @reduce_max wrt=0
func.func @reduce_max(%x: tensor<3x4xf64>, %w: tensor<4xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %e = tensor.empty() : tensor<4xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%e : tensor<4xf64>) -> tensor<4xf64>
  %y = linalg.reduce ins(%x : tensor<3x4xf64>) outs(%z : tensor<4xf64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %s = arith.maximumf %in, %acc : f64
      linalg.yield %s : f64
    }
  %wp = arith.mulf %y, %w : tensor<4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4xf64>) outs(%wi : tensor<f64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @transpose wrt=0
func.func @transpose(%x: tensor<2x3x4xf64>, %w: tensor<4x2x3xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<4x2x3xf64>
  %y = linalg.transpose ins(%x : tensor<2x3x4xf64>) outs(%e : tensor<4x2x3xf64>) permutation = [2, 0, 1]
  %wp = arith.mulf %y, %w : tensor<4x2x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4x2x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @broadcast wrt=0
func.func @broadcast(%x: tensor<3xf64>, %w: tensor<2x3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<2x3x4xf64>
  %y = linalg.broadcast ins(%x : tensor<3xf64>) outs(%e : tensor<2x3x4xf64>) dimensions = [0, 2]
  %wp = arith.mulf %y, %w : tensor<2x3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @fill wrt=0
func.func @fill(%x: tensor<2xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %c1 = arith.constant 1 : index
  %s = tensor.extract %x[%c1] : tensor<2xf64>
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.fill ins(%s : f64) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @copy wrt=0
func.func @copy(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.copy ins(%x : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @map wrt=0,1
func.func @map(%x: tensor<3x4xf64>, %x2: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.map ins(%x, %x2 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>)
    (%a: f64, %b: f64, %o: f64) {
      %m = arith.mulf %a, %b : f64
      %t = math.sin %m : f64
      linalg.yield %t : f64
    }
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

// GRADCHECK: @named_add wrt=0,1 args=n,n,n
func.func @named_add(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.add ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_sub wrt=0,1 args=n,n,n
func.func @named_sub(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.sub ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_mul wrt=0,1 args=n,n,n
func.func @named_mul(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.mul ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_div wrt=0,1 args=n,i,n
func.func @named_div(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.div ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_max wrt=0,1 args=n,n,n
func.func @named_max(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.max ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_min wrt=0,1 args=n,n,n
func.func @named_min(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.min ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_powf wrt=0,1 args=p,n,n
func.func @named_powf(%x0: tensor<3x4xf64>, %x1: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.powf ins(%x0, %x1 : tensor<3x4xf64>, tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_exp wrt=0 args=n,n
func.func @named_exp(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.exp ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_log wrt=0 args=p,n
func.func @named_log(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.log ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_abs wrt=0 args=i,n
func.func @named_abs(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.abs ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_negf wrt=0 args=n,n
func.func @named_negf(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.negf ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_tanh wrt=0 args=n,n
func.func @named_tanh(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.tanh ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_sqrt wrt=0 args=p,n
func.func @named_sqrt(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.sqrt ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_rsqrt wrt=0 args=p,n
func.func @named_rsqrt(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.rsqrt ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_square wrt=0 args=n,n
func.func @named_square(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.square ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_reciprocal wrt=0 args=i,n
func.func @named_reciprocal(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.reciprocal ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @named_erf wrt=0 args=n,n
func.func @named_erf(%x0: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.erf ins(%x0 : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @elementwise_kind wrt=0
func.func @elementwise_kind(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.elementwise kind=#linalg.elementwise_kind<exp> ins(%x : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) -> tensor<3x4xf64>
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

// GRADCHECK: @conv wrt=0,1
func.func @conv(%x: tensor<2x5x6x3xf64>, %k: tensor<3x2x3x4xf64>, %w: tensor<2x3x5x4xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<2x3x5x4xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<2x3x5x4xf64>) -> tensor<2x3x5x4xf64>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<2x5x6x3xf64>, tensor<3x2x3x4xf64>) outs(%z : tensor<2x3x5x4xf64>) -> tensor<2x3x5x4xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x5x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x5x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @conv_s2 wrt=0,1
func.func @conv_s2(%x: tensor<2x7x8x2xf64>, %k: tensor<3x3x2x3xf64>, %w: tensor<2x3x3x3xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<2x3x3x3xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<2x3x3x3xf64>) -> tensor<2x3x3x3xf64>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : tensor<2x7x8x2xf64>, tensor<3x3x2x3xf64>) outs(%z : tensor<2x3x3x3xf64>) -> tensor<2x3x3x3xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @conv_d2 wrt=0,1
func.func @conv_d2(%x: tensor<1x7x7x2xf64>, %k: tensor<2x3x2x2xf64>, %w: tensor<1x5x3x2xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<1x5x3x2xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<1x5x3x2xf64>) -> tensor<1x5x3x2xf64>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<1x7x7x2xf64>, tensor<2x3x2x2xf64>) outs(%z : tensor<1x5x3x2xf64>) -> tensor<1x5x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x5x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x5x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @conv_s2d2 wrt=0,1
func.func @conv_s2d2(%x: tensor<1x9x8x2xf64>, %k: tensor<2x2x2x3xf64>, %w: tensor<1x4x3x3xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<1x4x3x3xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<1x4x3x3xf64>) -> tensor<1x4x3x3xf64>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : tensor<1x9x8x2xf64>, tensor<2x2x2x3xf64>) outs(%z : tensor<1x4x3x3xf64>) -> tensor<1x4x3x3xf64>
  %wp = arith.mulf %y, %w : tensor<1x4x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x4x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @maxpool wrt=0
func.func @maxpool(%x: tensor<2x6x6x3xf64>, %w: tensor<2x3x3x3xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<2x3x3x3xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<2x3x3x3xf64>) -> tensor<2x3x3x3xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<2x6x6x3xf64>, tensor<2x2xf64>) outs(%z : tensor<2x3x3x3xf64>) -> tensor<2x3x3x3xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @maxpool_overlap wrt=0
func.func @maxpool_overlap(%x: tensor<1x6x5x2xf64>, %w: tensor<1x4x3x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x4x3x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x4x3x2xf64>) -> tensor<1x4x3x2xf64>
  %win = tensor.empty() : tensor<3x3xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x6x5x2xf64>, tensor<3x3xf64>) outs(%z : tensor<1x4x3x2xf64>) -> tensor<1x4x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x4x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x4x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @maxpool_d2 wrt=0
func.func @maxpool_d2(%x: tensor<1x7x7x2xf64>, %w: tensor<1x3x3x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x3x3x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x3x3x2xf64>) -> tensor<1x3x3x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x7x7x2xf64>, tensor<2x2xf64>) outs(%z : tensor<1x3x3x2xf64>) -> tensor<1x3x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x3x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @sumpool wrt=0
func.func @sumpool(%x: tensor<2x6x6x3xf64>, %w: tensor<2x3x3x3xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<2x3x3x3xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<2x3x3x3xf64>) -> tensor<2x3x3x3xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<2x6x6x3xf64>, tensor<2x2xf64>) outs(%z : tensor<2x3x3x3xf64>) -> tensor<2x3x3x3xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @sumpool_overlap wrt=0
func.func @sumpool_overlap(%x: tensor<1x5x6x2xf64>, %w: tensor<1x3x5x2xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<1x3x5x2xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<1x3x5x2xf64>) -> tensor<1x3x5x2xf64>
  %win = tensor.empty() : tensor<3x2xf64>
  %y = linalg.pooling_nhwc_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x5x6x2xf64>, tensor<3x2xf64>) outs(%z : tensor<1x3x5x2xf64>) -> tensor<1x3x5x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x3x5x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x5x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @minpool wrt=0
func.func @minpool(%x: tensor<1x6x6x2xf64>, %w: tensor<1x3x3x2xf64>) -> tensor<f64> {
  %z_z = arith.constant 0.0 : f64
  %z_e = tensor.empty() : tensor<1x3x3x2xf64>
  %z = linalg.fill ins(%z_z : f64) outs(%z_e : tensor<1x3x3x2xf64>) -> tensor<1x3x3x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_min {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x6x6x2xf64>, tensor<2x2xf64>) outs(%z : tensor<1x3x3x2xf64>) -> tensor<1x3x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x3x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}
