// A pre-norm transformer block and its SGD training step, in the mixprec
// training-graph contract (docs/design.md §2). Batch 4, sequence 8, model width 32,
// MLP width 64, single-head attention:
//
//   h = x + Wo . softmax(Q K^T / sqrt(32)) V,   Q, K, V = LN1(x) . Wq, Wk, Wv
//   y = h + W2 . gelu_tanh(LN2(h) . W1 + b1) + b2
//   loss = mean((y - target)^2)
//
// Tokens are flattened to 32 x 32 for the layernorms and the projections and
// expanded to 4 x 8 x 32 for the attention batch matmuls. @layernorm is a
// helper called twice: mp-differentiate inlines it before differentiating.

// Layernorm over the last dim (32), eps = 1e-5, with gain and bias.
func.func private @layernorm(%x: tensor<32x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<32x32xf32> {
  %zero = arith.constant 0.0 : f32
  %inv_d = arith.constant dense<0.03125> : tensor<32xf32>
  %eps = arith.constant dense<1.0e-05> : tensor<32xf32>
  %er = tensor.empty() : tensor<32xf32>
  %e2 = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%er : tensor<32xf32>) -> tensor<32xf32>
  %sum = linalg.reduce ins(%x : tensor<32x32xf32>) outs(%z : tensor<32xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = arith.mulf %sum, %inv_d : tensor<32xf32>
  %meanb = linalg.broadcast ins(%mean : tensor<32xf32>) outs(%e2 : tensor<32x32xf32>) dimensions = [1]
  %xc = arith.subf %x, %meanb : tensor<32x32xf32>
  %sq = arith.mulf %xc, %xc : tensor<32x32xf32>
  %vsum = linalg.reduce ins(%sq : tensor<32x32xf32>) outs(%z : tensor<32xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %var = arith.mulf %vsum, %inv_d : tensor<32xf32>
  %vare = arith.addf %var, %eps : tensor<32xf32>
  %rstd = math.rsqrt %vare : tensor<32xf32>
  %rstdb = linalg.broadcast ins(%rstd : tensor<32xf32>) outs(%e2 : tensor<32x32xf32>) dimensions = [1]
  %xn = arith.mulf %xc, %rstdb : tensor<32x32xf32>
  %gb = linalg.broadcast ins(%g : tensor<32xf32>) outs(%e2 : tensor<32x32xf32>) dimensions = [0]
  %bb = linalg.broadcast ins(%b : tensor<32xf32>) outs(%e2 : tensor<32x32xf32>) dimensions = [0]
  %xg = arith.mulf %xn, %gb : tensor<32x32xf32>
  %y = arith.addf %xg, %bb : tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

func.func @loss(%ln1_g: tensor<32xf32>, %ln1_b: tensor<32xf32>,
                %wq: tensor<32x32xf32>, %wk: tensor<32x32xf32>,
                %wv: tensor<32x32xf32>, %wo: tensor<32x32xf32>,
                %ln2_g: tensor<32xf32>, %ln2_b: tensor<32xf32>,
                %w1: tensor<32x64xf32>, %b1: tensor<64xf32>,
                %w2: tensor<64x32xf32>, %b2: tensor<32xf32>,
                %x: tensor<4x8x32xf32>, %target: tensor<4x8x32xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e32 = tensor.empty() : tensor<32x32xf32>
  %z32 = linalg.fill ins(%zero : f32) outs(%e32 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<4x8x32xf32> into tensor<32x32xf32>

  // Attention sub-block (pre-norm).
  %ln1 = func.call @layernorm(%x2, %ln1_g, %ln1_b)
      : (tensor<32x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x32xf32>
  %q = linalg.matmul ins(%ln1, %wq : tensor<32x32xf32>, tensor<32x32xf32>)
                     outs(%z32 : tensor<32x32xf32>) -> tensor<32x32xf32> loc("attn.q")
  %k = linalg.matmul ins(%ln1, %wk : tensor<32x32xf32>, tensor<32x32xf32>)
                     outs(%z32 : tensor<32x32xf32>) -> tensor<32x32xf32> loc("attn.k")
  %v = linalg.matmul ins(%ln1, %wv : tensor<32x32xf32>, tensor<32x32xf32>)
                     outs(%z32 : tensor<32x32xf32>) -> tensor<32x32xf32> loc("attn.v")
  %q3 = tensor.expand_shape %q [[0, 1], [2]] output_shape [4, 8, 32] : tensor<32x32xf32> into tensor<4x8x32xf32>
  %k3 = tensor.expand_shape %k [[0, 1], [2]] output_shape [4, 8, 32] : tensor<32x32xf32> into tensor<4x8x32xf32>
  %v3 = tensor.expand_shape %v [[0, 1], [2]] output_shape [4, 8, 32] : tensor<32x32xf32> into tensor<4x8x32xf32>
  // scores = Q K^T / sqrt(32): a batch matmul with K transposed by its map.
  %es = tensor.empty() : tensor<4x8x8xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %qk = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, d) -> (b, m, d)>,
                       affine_map<(b, m, n, d) -> (b, n, d)>,
                       affine_map<(b, m, n, d) -> (b, m, n)>]
      ins(%q3, %k3 : tensor<4x8x32xf32>, tensor<4x8x32xf32>)
      outs(%zs : tensor<4x8x8xf32>) -> tensor<4x8x8xf32> loc("attn.scores")
  %scale = arith.constant dense<0.17677669529663687> : tensor<4x8x8xf32>
  %s = arith.mulf %qk, %scale : tensor<4x8x8xf32>
  // Softmax over the keys.
  %em = tensor.empty() : tensor<4x8xf32>
  %minit = linalg.fill ins(%ninf : f32) outs(%em : tensor<4x8xf32>) -> tensor<4x8xf32>
  %smax = linalg.reduce ins(%s : tensor<4x8x8xf32>) outs(%minit : tensor<4x8xf32>) dimensions = [2]
    (%in: f32, %acc: f32) {
      %mx = arith.maximumf %in, %acc : f32
      linalg.yield %mx : f32
    }
  %smaxb = linalg.broadcast ins(%smax : tensor<4x8xf32>) outs(%es : tensor<4x8x8xf32>) dimensions = [2]
  %sc = arith.subf %s, %smaxb : tensor<4x8x8xf32>
  %ex = math.exp %sc : tensor<4x8x8xf32>
  %zsum = linalg.fill ins(%zero : f32) outs(%em : tensor<4x8xf32>) -> tensor<4x8xf32>
  %den = linalg.reduce ins(%ex : tensor<4x8x8xf32>) outs(%zsum : tensor<4x8xf32>) dimensions = [2]
    (%in: f32, %acc: f32) {
      %sm = arith.addf %in, %acc : f32
      linalg.yield %sm : f32
    }
  %denb = linalg.broadcast ins(%den : tensor<4x8xf32>) outs(%es : tensor<4x8x8xf32>) dimensions = [2]
  %p = arith.divf %ex, %denb : tensor<4x8x8xf32>
  // Weighted values and output projection.
  %ea = tensor.empty() : tensor<4x8x32xf32>
  %za = linalg.fill ins(%zero : f32) outs(%ea : tensor<4x8x32xf32>) -> tensor<4x8x32xf32>
  %att = linalg.batch_matmul ins(%p, %v3 : tensor<4x8x8xf32>, tensor<4x8x32xf32>)
                             outs(%za : tensor<4x8x32xf32>) -> tensor<4x8x32xf32> loc("attn.pv")
  %att2 = tensor.collapse_shape %att [[0, 1], [2]] : tensor<4x8x32xf32> into tensor<32x32xf32>
  %o = linalg.matmul ins(%att2, %wo : tensor<32x32xf32>, tensor<32x32xf32>)
                     outs(%z32 : tensor<32x32xf32>) -> tensor<32x32xf32> loc("attn.out")
  %h = arith.addf %x2, %o : tensor<32x32xf32>

  // MLP sub-block (pre-norm), tanh-GELU.
  %ln2 = func.call @layernorm(%h, %ln2_g, %ln2_b)
      : (tensor<32x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x32xf32>
  %e64 = tensor.empty() : tensor<32x64xf32>
  %z64 = linalg.fill ins(%zero : f32) outs(%e64 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %u0 = linalg.matmul ins(%ln2, %w1 : tensor<32x32xf32>, tensor<32x64xf32>)
                      outs(%z64 : tensor<32x64xf32>) -> tensor<32x64xf32> loc("mlp.fc1")
  %b1b = linalg.broadcast ins(%b1 : tensor<64xf32>) outs(%e64 : tensor<32x64xf32>) dimensions = [0]
  %u = arith.addf %u0, %b1b : tensor<32x64xf32>
  // gelu(u) = 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3)))
  %c_half = arith.constant dense<0.5> : tensor<32x64xf32>
  %c_one = arith.constant dense<1.0> : tensor<32x64xf32>
  %c_k = arith.constant dense<0.7978845608028654> : tensor<32x64xf32>
  %c_a = arith.constant dense<0.044715> : tensor<32x64xf32>
  %u2 = arith.mulf %u, %u : tensor<32x64xf32>
  %u3 = arith.mulf %u2, %u : tensor<32x64xf32>
  %au3 = arith.mulf %u3, %c_a : tensor<32x64xf32>
  %inner = arith.addf %u, %au3 : tensor<32x64xf32>
  %kin = arith.mulf %inner, %c_k : tensor<32x64xf32>
  %th = math.tanh %kin : tensor<32x64xf32>
  %onep = arith.addf %th, %c_one : tensor<32x64xf32>
  %hu = arith.mulf %u, %c_half : tensor<32x64xf32>
  %gelu = arith.mulf %hu, %onep : tensor<32x64xf32>
  %m0 = linalg.matmul ins(%gelu, %w2 : tensor<32x64xf32>, tensor<64x32xf32>)
                      outs(%z32 : tensor<32x32xf32>) -> tensor<32x32xf32> loc("mlp.fc2")
  %b2b = linalg.broadcast ins(%b2 : tensor<32xf32>) outs(%e32 : tensor<32x32xf32>) dimensions = [0]
  %m = arith.addf %m0, %b2b : tensor<32x32xf32>
  %y = arith.addf %h, %m : tensor<32x32xf32>

  // Mean-squared error against the target.
  %t2 = tensor.collapse_shape %target [[0, 1], [2]] : tensor<4x8x32xf32> into tensor<32x32xf32>
  %d = arith.subf %y, %t2 : tensor<32x32xf32>
  %d2 = arith.mulf %d, %d : tensor<32x32xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %tot = linalg.reduce ins(%d2 : tensor<32x32xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %sm = arith.addf %in, %acc : f32
      linalg.yield %sm : f32
    }
  %inv_n = arith.constant dense<0.0009765625> : tensor<f32>
  %loss = arith.mulf %tot, %inv_n : tensor<f32>
  return %loss : tensor<f32>
}

func.func @train_step(%ln1_g: tensor<32xf32> {mp.init = "ones"}, %ln1_b: tensor<32xf32>,
                      %wq: tensor<32x32xf32>, %wk: tensor<32x32xf32>,
                      %wv: tensor<32x32xf32>, %wo: tensor<32x32xf32>,
                      %ln2_g: tensor<32xf32> {mp.init = "ones"}, %ln2_b: tensor<32xf32>,
                      %w1: tensor<32x64xf32>, %b1: tensor<64xf32>,
                      %w2: tensor<64x32xf32>, %b2: tensor<32xf32>,
                      %x: tensor<4x8x32xf32>, %target: tensor<4x8x32xf32>)
    -> (tensor<32xf32> {mp.updates = 0},
        tensor<32xf32> {mp.updates = 1},
        tensor<32x32xf32> {mp.updates = 2},
        tensor<32x32xf32> {mp.updates = 3},
        tensor<32x32xf32> {mp.updates = 4},
        tensor<32x32xf32> {mp.updates = 5},
        tensor<32xf32> {mp.updates = 6},
        tensor<32xf32> {mp.updates = 7},
        tensor<32x64xf32> {mp.updates = 8},
        tensor<64xf32> {mp.updates = 9},
        tensor<64x32xf32> {mp.updates = 10},
        tensor<32xf32> {mp.updates = 11},
        tensor<f32>) {
  %l, %g_ln1_g, %g_ln1_b, %g_wq, %g_wk, %g_wv, %g_wo, %g_ln2_g, %g_ln2_b, %g_w1, %g_b1, %g_w2, %g_b2 = mp.value_and_grad @loss(%ln1_g, %ln1_b, %wq, %wk, %wv, %wo, %ln2_g, %ln2_b, %w1, %b1, %w2, %b2, %x, %target)
      {wrt = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11>}
      : (tensor<32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<64x32xf32>, tensor<32xf32>, tensor<4x8x32xf32>, tensor<4x8x32xf32>)
      -> (tensor<f32>, tensor<32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<64x32xf32>, tensor<32xf32>)

  // SGD, learning rate 0.1.
  %lr = arith.constant 0.1 : f32
  %lr_ln1_g = tensor.splat %lr : tensor<32xf32>
  %s_ln1_g = arith.mulf %g_ln1_g, %lr_ln1_g : tensor<32xf32>
  %new_ln1_g = arith.subf %ln1_g, %s_ln1_g : tensor<32xf32>
  %lr_ln1_b = tensor.splat %lr : tensor<32xf32>
  %s_ln1_b = arith.mulf %g_ln1_b, %lr_ln1_b : tensor<32xf32>
  %new_ln1_b = arith.subf %ln1_b, %s_ln1_b : tensor<32xf32>
  %lr_wq = tensor.splat %lr : tensor<32x32xf32>
  %s_wq = arith.mulf %g_wq, %lr_wq : tensor<32x32xf32>
  %new_wq = arith.subf %wq, %s_wq : tensor<32x32xf32>
  %lr_wk = tensor.splat %lr : tensor<32x32xf32>
  %s_wk = arith.mulf %g_wk, %lr_wk : tensor<32x32xf32>
  %new_wk = arith.subf %wk, %s_wk : tensor<32x32xf32>
  %lr_wv = tensor.splat %lr : tensor<32x32xf32>
  %s_wv = arith.mulf %g_wv, %lr_wv : tensor<32x32xf32>
  %new_wv = arith.subf %wv, %s_wv : tensor<32x32xf32>
  %lr_wo = tensor.splat %lr : tensor<32x32xf32>
  %s_wo = arith.mulf %g_wo, %lr_wo : tensor<32x32xf32>
  %new_wo = arith.subf %wo, %s_wo : tensor<32x32xf32>
  %lr_ln2_g = tensor.splat %lr : tensor<32xf32>
  %s_ln2_g = arith.mulf %g_ln2_g, %lr_ln2_g : tensor<32xf32>
  %new_ln2_g = arith.subf %ln2_g, %s_ln2_g : tensor<32xf32>
  %lr_ln2_b = tensor.splat %lr : tensor<32xf32>
  %s_ln2_b = arith.mulf %g_ln2_b, %lr_ln2_b : tensor<32xf32>
  %new_ln2_b = arith.subf %ln2_b, %s_ln2_b : tensor<32xf32>
  %lr_w1 = tensor.splat %lr : tensor<32x64xf32>
  %s_w1 = arith.mulf %g_w1, %lr_w1 : tensor<32x64xf32>
  %new_w1 = arith.subf %w1, %s_w1 : tensor<32x64xf32>
  %lr_b1 = tensor.splat %lr : tensor<64xf32>
  %s_b1 = arith.mulf %g_b1, %lr_b1 : tensor<64xf32>
  %new_b1 = arith.subf %b1, %s_b1 : tensor<64xf32>
  %lr_w2 = tensor.splat %lr : tensor<64x32xf32>
  %s_w2 = arith.mulf %g_w2, %lr_w2 : tensor<64x32xf32>
  %new_w2 = arith.subf %w2, %s_w2 : tensor<64x32xf32>
  %lr_b2 = tensor.splat %lr : tensor<32xf32>
  %s_b2 = arith.mulf %g_b2, %lr_b2 : tensor<32xf32>
  %new_b2 = arith.subf %b2, %s_b2 : tensor<32xf32>
  return %new_ln1_g, %new_ln1_b, %new_wq, %new_wk, %new_wv, %new_wo, %new_ln2_g, %new_ln2_b, %new_w1, %new_b1, %new_w2, %new_b2, %l
      : tensor<32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<64x32xf32>, tensor<32xf32>, tensor<f32>
}
