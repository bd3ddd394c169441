func.func @f(%b: tensor<4xf32>, %e: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = linalg.transpose ins(%e : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) permutation = [1 x]
  return %0 : tensor<2x4xf32>
}
