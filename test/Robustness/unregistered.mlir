// An unregistered op in the forward: mp-autocast leaves it alone with a
// remark; mp-differentiate refuses it with a diagnostic naming the op.
// RUN: mp-opt %s --allow-unregistered-dialect --mp-mixed-precision -verify-diagnostics

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  // expected-remark @+2 {{mp-autocast: no precision class for 'foo.bar'; kept in its input precision}}
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'foo.bar'}}
  %0 = "foo.bar"(%w) : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @train_step(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %w1 = arith.subf %w, %g : tensor<4xf32>
  return %w1, %l : tensor<4xf32>, tensor<f32>
}
