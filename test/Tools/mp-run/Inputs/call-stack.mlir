// A stack of three identical layers, h = tanh(h W + b), called as one
// private function (`no_inline`: mp-differentiate differentiates the calls
// as calls of @layer_fwd / @layer_bwd), MSE loss, SGD. Used by
// test/Tools/mp-run/calls.mlir; sed 's/ {no_inline}//' gives the inlined
// version of the same model.
func.func private @layer(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %m = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %bb = linalg.broadcast ins(%b : tensor<16xf32>) outs(%e : tensor<8x16xf32>) dimensions = [0]
  %a = arith.addf %m, %bb : tensor<8x16xf32>
  %t = math.tanh %a : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

func.func @loss(%w0: tensor<16x16xf32>, %b0: tensor<16xf32>, %w1: tensor<16x16xf32>, %b1: tensor<16xf32>, %w2: tensor<16x16xf32>, %b2: tensor<16xf32>, %x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> tensor<f32> {
  %h0 = func.call @layer(%x, %w0, %b0) {no_inline} : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %h1 = func.call @layer(%h0, %w1, %b1) {no_inline} : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %h2 = func.call @layer(%h1, %w2, %b2) {no_inline} : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.0078125 : f32
  %d = arith.subf %h2, %y : tensor<8x16xf32>
  %sq = arith.mulf %d, %d : tensor<8x16xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%sq : tensor<8x16xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %r = arith.addf %in, %acc : f32
      linalg.yield %r : f32
    }
  %invt = tensor.from_elements %inv : tensor<f32>
  %l = arith.mulf %s, %invt : tensor<f32>
  return %l : tensor<f32>
}

func.func @train_step(%w0: tensor<16x16xf32>, %b0: tensor<16xf32>, %w1: tensor<16x16xf32>, %b1: tensor<16xf32>, %w2: tensor<16x16xf32>, %b2: tensor<16xf32>, %x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> (tensor<16x16xf32> {mp.updates = 0}, tensor<16xf32> {mp.updates = 1}, tensor<16x16xf32> {mp.updates = 2}, tensor<16xf32> {mp.updates = 3}, tensor<16x16xf32> {mp.updates = 4}, tensor<16xf32> {mp.updates = 5}, tensor<f32>) {
  %l, %gw0, %gb0, %gw1, %gb1, %gw2, %gb2 = mp.value_and_grad @loss(%w0, %b0, %w1, %b1, %w2, %b2, %x, %y) {wrt = array<i64: 0, 1, 2, 3, 4, 5>}
      : (tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<f32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>)
  %lr = arith.constant 0.1 : f32
  %lr_w0 = linalg.fill ins(%lr : f32) outs(%gw0 : tensor<16x16xf32>) -> tensor<16x16xf32>
  %s_w0 = arith.mulf %lr_w0, %gw0 : tensor<16x16xf32>
  %n_w0 = arith.subf %w0, %s_w0 : tensor<16x16xf32>
  %lr_b0 = linalg.fill ins(%lr : f32) outs(%gb0 : tensor<16xf32>) -> tensor<16xf32>
  %s_b0 = arith.mulf %lr_b0, %gb0 : tensor<16xf32>
  %n_b0 = arith.subf %b0, %s_b0 : tensor<16xf32>
  %lr_w1 = linalg.fill ins(%lr : f32) outs(%gw1 : tensor<16x16xf32>) -> tensor<16x16xf32>
  %s_w1 = arith.mulf %lr_w1, %gw1 : tensor<16x16xf32>
  %n_w1 = arith.subf %w1, %s_w1 : tensor<16x16xf32>
  %lr_b1 = linalg.fill ins(%lr : f32) outs(%gb1 : tensor<16xf32>) -> tensor<16xf32>
  %s_b1 = arith.mulf %lr_b1, %gb1 : tensor<16xf32>
  %n_b1 = arith.subf %b1, %s_b1 : tensor<16xf32>
  %lr_w2 = linalg.fill ins(%lr : f32) outs(%gw2 : tensor<16x16xf32>) -> tensor<16x16xf32>
  %s_w2 = arith.mulf %lr_w2, %gw2 : tensor<16x16xf32>
  %n_w2 = arith.subf %w2, %s_w2 : tensor<16x16xf32>
  %lr_b2 = linalg.fill ins(%lr : f32) outs(%gb2 : tensor<16xf32>) -> tensor<16xf32>
  %s_b2 = arith.mulf %lr_b2, %gb2 : tensor<16xf32>
  %n_b2 = arith.subf %b2, %s_b2 : tensor<16xf32>
  return %n_w0, %n_b0, %n_w1, %n_b1, %n_w2, %n_b2, %l : tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<f32>
}
