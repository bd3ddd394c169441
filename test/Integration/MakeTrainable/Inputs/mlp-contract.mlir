// The MLP of ../mlp.mlir written by hand in the training-graph contract
// (docs/design.md §2): softmax cross-entropy, SGD lr 0.1.

func.func @loss(%w1: tensor<32x64xf32>, %b1: tensor<64xf32>,
                %w2: tensor<64x10xf32>, %b2: tensor<10xf32>,
                %x: tensor<16x32xf32>, %y: tensor<16x10xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e1 = tensor.empty() : tensor<16x64xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %mm1 = linalg.matmul ins(%x, %w1 : tensor<16x32xf32>, tensor<32x64xf32>)
                       outs(%z1 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %bb1 = linalg.broadcast ins(%b1 : tensor<64xf32>) outs(%e1 : tensor<16x64xf32>) dimensions = [0]
  %a1 = arith.addf %mm1, %bb1 : tensor<16x64xf32>
  %h = arith.maximumf %a1, %z1 : tensor<16x64xf32>
  %e2 = tensor.empty() : tensor<16x10xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<16x10xf32>) -> tensor<16x10xf32>
  %mm2 = linalg.matmul ins(%h, %w2 : tensor<16x64xf32>, tensor<64x10xf32>)
                       outs(%z2 : tensor<16x10xf32>) -> tensor<16x10xf32>
  %bb2 = linalg.broadcast ins(%b2 : tensor<10xf32>) outs(%e2 : tensor<16x10xf32>) dimensions = [0]
  %logits = arith.addf %mm2, %bb2 : tensor<16x10xf32>

  // -sum(y * log_softmax(logits)) / 16
  %er = tensor.empty() : tensor<16xf32>
  %minit = linalg.fill ins(%ninf : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %m = linalg.reduce ins(%logits : tensor<16x10xf32>) outs(%minit : tensor<16xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %mx = arith.maximumf %in, %acc : f32
      linalg.yield %mx : f32
    }
  %mb = linalg.broadcast ins(%m : tensor<16xf32>) outs(%e2 : tensor<16x10xf32>) dimensions = [1]
  %zc = arith.subf %logits, %mb : tensor<16x10xf32>
  %ez = math.exp %zc : tensor<16x10xf32>
  %sinit = linalg.fill ins(%zero : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %se = linalg.reduce ins(%ez : tensor<16x10xf32>) outs(%sinit : tensor<16xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %lse = math.log %se : tensor<16xf32>
  %lseb = linalg.broadcast ins(%lse : tensor<16xf32>) outs(%e2 : tensor<16x10xf32>) dimensions = [1]
  %logp = arith.subf %zc, %lseb : tensor<16x10xf32>
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

func.func @train_step(%w1: tensor<32x64xf32>, %b1: tensor<64xf32>,
                      %w2: tensor<64x10xf32>, %b2: tensor<10xf32>,
                      %x: tensor<16x32xf32>, %y: tensor<16x10xf32>)
    -> (tensor<32x64xf32> {mp.updates = 0}, tensor<64xf32> {mp.updates = 1},
        tensor<64x10xf32> {mp.updates = 2}, tensor<10xf32> {mp.updates = 3},
        tensor<f32>) {
  %l, %gw1, %gb1, %gw2, %gb2 = mp.value_and_grad @loss(%w1, %b1, %w2, %b2, %x, %y)
      {wrt = array<i64: 0, 1, 2, 3>}
      : (tensor<32x64xf32>, tensor<64xf32>, tensor<64x10xf32>, tensor<10xf32>,
         tensor<16x32xf32>, tensor<16x10xf32>)
      -> (tensor<f32>, tensor<32x64xf32>, tensor<64xf32>, tensor<64x10xf32>, tensor<10xf32>)
  %lr = arith.constant 0.1 : f32
  %lr1 = tensor.splat %lr : tensor<32x64xf32>
  %lrb1 = tensor.splat %lr : tensor<64xf32>
  %lr2 = tensor.splat %lr : tensor<64x10xf32>
  %lrb2 = tensor.splat %lr : tensor<10xf32>
  %s1 = arith.mulf %gw1, %lr1 : tensor<32x64xf32>
  %nw1 = arith.subf %w1, %s1 : tensor<32x64xf32>
  %s2 = arith.mulf %gb1, %lrb1 : tensor<64xf32>
  %nb1 = arith.subf %b1, %s2 : tensor<64xf32>
  %s3 = arith.mulf %gw2, %lr2 : tensor<64x10xf32>
  %nw2 = arith.subf %w2, %s3 : tensor<64x10xf32>
  %s4 = arith.mulf %gb2, %lrb2 : tensor<10xf32>
  %nb2 = arith.subf %b2, %s4 : tensor<10xf32>
  return %nw1, %nb1, %nw2, %nb2, %l
      : tensor<32x64xf32>, tensor<64xf32>, tensor<64x10xf32>, tensor<10xf32>, tensor<f32>
}
