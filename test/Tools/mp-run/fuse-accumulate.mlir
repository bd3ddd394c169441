// End to end through mp-run: the gradient of sum(2 * rowsum(x)) is 2
// everywhere. mp-fuse-elementwise used to fuse the adjoint of the `* 2`
// (which accumulates into a zero fill) into the broadcast back to x's shape
// and returned [2, 4, 6] along each row. The step writes the gradient into
// x (mp.updates), so the saved x is the gradient.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: mp-run %s --policy float32 --loss-scaling mode=none --steps 1 --print-every 0 --save %t
// RUN: %python -c "import numpy as np; g = np.load('%t/arg0.npy'); print(g.shape, np.unique(g))" | FileCheck %s
// CHECK: (5, 3) [2.]

func.func @loss(%x: tensor<5x3xf32>) -> tensor<f32> {
  %c0 = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<5xf32>
  %f0 = linalg.fill ins(%c0 : f32) outs(%e0 : tensor<5xf32>) -> tensor<5xf32>
  %r = linalg.reduce ins(%x : tensor<5x3xf32>) outs(%f0 : tensor<5xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %e1 = tensor.empty() : tensor<5xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%r : tensor<5xf32>) outs(%e1 : tensor<5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<5xf32>
  %e2 = tensor.empty() : tensor<f32>
  %f2 = linalg.fill ins(%c0 : f32) outs(%e2 : tensor<f32>) -> tensor<f32>
  %t = linalg.reduce ins(%g : tensor<5xf32>) outs(%f2 : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %t : tensor<f32>
}

func.func @train_step(%x: tensor<5x3xf32>) -> (tensor<5x3xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>} : (tensor<5x3xf32>) -> (tensor<f32>, tensor<5x3xf32>)
  return %g, %l : tensor<5x3xf32>, tensor<f32>
}
