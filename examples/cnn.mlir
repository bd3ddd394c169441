// A small CNN classifier and its SGD-with-momentum training step, in the
// mixprec training-graph contract (docs/design.md §2):
//
//   x: 16 x 12 x 12 x 3 (NHWC) -> conv 3x3, 8 filters (+ bias) -> ReLU
//     -> 2x2 max pooling, stride 2 -> flatten (200) -> linear 200 -> 10
//     -> softmax cross-entropy against one-hot labels y.
//
// @loss is plain forward code; @train_step asks for the loss and the
// gradients with mp.value_and_grad and applies momentum SGD
// (v <- 0.9 v + g; p <- p - 0.01 v). The velocities are optimizer state:
// passed and returned like the parameters and tied with mp.updates.

func.func @loss(%k: tensor<3x3x3x8xf32>, %bk: tensor<8xf32>,
                %w: tensor<200x10xf32>, %b: tensor<10xf32>,
                %x: tensor<16x12x12x3xf32>, %y: tensor<16x10xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32

  // Convolution + bias + ReLU.
  %ec = tensor.empty() : tensor<16x10x10x8xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<16x10x10x8xf32>) -> tensor<16x10x10x8xf32>
  %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %k : tensor<16x12x12x3xf32>, tensor<3x3x3x8xf32>)
      outs(%zc : tensor<16x10x10x8xf32>) -> tensor<16x10x10x8xf32> loc("conv1")
  %bkb = linalg.broadcast ins(%bk : tensor<8xf32>) outs(%ec : tensor<16x10x10x8xf32>) dimensions = [0, 1, 2]
  %pre = arith.addf %conv, %bkb : tensor<16x10x10x8xf32>
  %relu = arith.maximumf %pre, %zc : tensor<16x10x10x8xf32>

  // 2x2 max pooling, stride 2.
  %ep = tensor.empty() : tensor<16x5x5x8xf32>
  %mp = linalg.fill ins(%ninf : f32) outs(%ep : tensor<16x5x5x8xf32>) -> tensor<16x5x5x8xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%relu, %window : tensor<16x10x10x8xf32>, tensor<2x2xf32>)
      outs(%mp : tensor<16x5x5x8xf32>) -> tensor<16x5x5x8xf32>

  // Flatten + linear layer.
  %flat = tensor.collapse_shape %pool [[0], [1, 2, 3]] : tensor<16x5x5x8xf32> into tensor<16x200xf32>
  %el = tensor.empty() : tensor<16x10xf32>
  %zl = linalg.fill ins(%zero : f32) outs(%el : tensor<16x10xf32>) -> tensor<16x10xf32>
  %mm = linalg.matmul ins(%flat, %w : tensor<16x200xf32>, tensor<200x10xf32>)
                      outs(%zl : tensor<16x10xf32>) -> tensor<16x10xf32> loc("fc")
  %bb = linalg.broadcast ins(%b : tensor<10xf32>) outs(%el : tensor<16x10xf32>) dimensions = [0]
  %logits = arith.addf %mm, %bb : tensor<16x10xf32>

  // Log-softmax over the classes, numerically stable.
  %er = tensor.empty() : tensor<16xf32>
  %minit = linalg.fill ins(%ninf : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %m = linalg.reduce ins(%logits : tensor<16x10xf32>) outs(%minit : tensor<16xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %mx = arith.maximumf %in, %acc : f32
      linalg.yield %mx : f32
    }
  %mb = linalg.broadcast ins(%m : tensor<16xf32>) outs(%el : tensor<16x10xf32>) dimensions = [1]
  %zs = arith.subf %logits, %mb : tensor<16x10xf32>
  %ez = math.exp %zs : tensor<16x10xf32>
  %sinit = linalg.fill ins(%zero : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %se = linalg.reduce ins(%ez : tensor<16x10xf32>) outs(%sinit : tensor<16xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %lse = math.log %se : tensor<16xf32>
  %lseb = linalg.broadcast ins(%lse : tensor<16xf32>) outs(%el : tensor<16x10xf32>) dimensions = [1]
  %logp = arith.subf %zs, %lseb : tensor<16x10xf32>

  // Cross-entropy: -sum(y * logp) / batch.
  %yl = arith.mulf %y, %logp : tensor<16x10xf32>
  %e0 = tensor.empty() : tensor<f32>
  %tinit = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %tot = linalg.reduce ins(%yl : tensor<16x10xf32>) outs(%tinit : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %nscale = arith.constant dense<-0.0625> : tensor<f32>
  %loss = arith.mulf %tot, %nscale : tensor<f32>
  return %loss : tensor<f32>
}

func.func @train_step(%k: tensor<3x3x3x8xf32>, %bk: tensor<8xf32>,
                      %w: tensor<200x10xf32>, %b: tensor<10xf32>,
                      %vk: tensor<3x3x3x8xf32>, %vbk: tensor<8xf32>,
                      %vw: tensor<200x10xf32>, %vb: tensor<10xf32>,
                      %x: tensor<16x12x12x3xf32>, %y: tensor<16x10xf32>)
    -> (tensor<3x3x3x8xf32> {mp.updates = 0}, tensor<8xf32> {mp.updates = 1},
        tensor<200x10xf32> {mp.updates = 2}, tensor<10xf32> {mp.updates = 3},
        tensor<3x3x3x8xf32> {mp.updates = 4}, tensor<8xf32> {mp.updates = 5},
        tensor<200x10xf32> {mp.updates = 6}, tensor<10xf32> {mp.updates = 7},
        tensor<f32>) {
  %l, %gk, %gbk, %gw, %gb = mp.value_and_grad @loss(%k, %bk, %w, %b, %x, %y)
      {wrt = array<i64: 0, 1, 2, 3>}
      : (tensor<3x3x3x8xf32>, tensor<8xf32>, tensor<200x10xf32>, tensor<10xf32>,
         tensor<16x12x12x3xf32>, tensor<16x10xf32>)
      -> (tensor<f32>, tensor<3x3x3x8xf32>, tensor<8xf32>, tensor<200x10xf32>, tensor<10xf32>)

  // Momentum SGD: v <- mu * v + g; p <- p - lr * v (mu = 0.9, lr = 0.01).
  %mu = arith.constant 0.9 : f32
  %lr = arith.constant 0.01 : f32

  %muk = tensor.splat %mu : tensor<3x3x3x8xf32>
  %lrk = tensor.splat %lr : tensor<3x3x3x8xf32>
  %vk0 = arith.mulf %vk, %muk : tensor<3x3x3x8xf32>
  %nvk = arith.addf %vk0, %gk : tensor<3x3x3x8xf32>
  %sk = arith.mulf %nvk, %lrk : tensor<3x3x3x8xf32>
  %nk = arith.subf %k, %sk : tensor<3x3x3x8xf32>

  %mubk = tensor.splat %mu : tensor<8xf32>
  %lrbk = tensor.splat %lr : tensor<8xf32>
  %vbk0 = arith.mulf %vbk, %mubk : tensor<8xf32>
  %nvbk = arith.addf %vbk0, %gbk : tensor<8xf32>
  %sbk = arith.mulf %nvbk, %lrbk : tensor<8xf32>
  %nbk = arith.subf %bk, %sbk : tensor<8xf32>

  %muw = tensor.splat %mu : tensor<200x10xf32>
  %lrw = tensor.splat %lr : tensor<200x10xf32>
  %vw0 = arith.mulf %vw, %muw : tensor<200x10xf32>
  %nvw = arith.addf %vw0, %gw : tensor<200x10xf32>
  %sw = arith.mulf %nvw, %lrw : tensor<200x10xf32>
  %nw = arith.subf %w, %sw : tensor<200x10xf32>

  %mub = tensor.splat %mu : tensor<10xf32>
  %lrb = tensor.splat %lr : tensor<10xf32>
  %vb0 = arith.mulf %vb, %mub : tensor<10xf32>
  %nvb = arith.addf %vb0, %gb : tensor<10xf32>
  %sb = arith.mulf %nvb, %lrb : tensor<10xf32>
  %nb = arith.subf %b, %sb : tensor<10xf32>

  return %nk, %nbk, %nw, %nb, %nvk, %nvbk, %nvw, %nvb, %l
      : tensor<3x3x3x8xf32>, tensor<8xf32>, tensor<200x10xf32>, tensor<10xf32>,
        tensor<3x3x3x8xf32>, tensor<8xf32>, tensor<200x10xf32>, tensor<10xf32>,
        tensor<f32>
}
