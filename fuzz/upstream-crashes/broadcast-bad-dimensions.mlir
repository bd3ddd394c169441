func.func @f(%b: tensor<4xf32>, %e: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<2x4xf32>) dimensions = [0 x]
  return %0 : tensor<2x4xf32>
}
