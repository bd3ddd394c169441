func.func @f(%b: tensor<2x4xf32>, %e: tensor<2xf32>) -> tensor<2xf32> {
  %0 = linalg.reduce ins(%b : tensor<2x4xf32>) outs(%e : tensor<2xf32>) dimensions = [1 x]
  (%in: f32, %acc: f32) {
  %s = arith.addf %in, %acc : f32
  linalg.yield %s : f32
  }
  return %0 : tensor<2xf32>
}
