// RUN: mp-opt %s --mp-differentiate -split-input-file -verify-diagnostics

// An op on the differentiated path without an adjoint rule.
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'math.floor'}}
  %f = math.floor %x : tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%f : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// An op without a rule off the differentiated path is fine: math.floor of a
// non-differentiated argument. Only the op on the path is reported.
func.func @loss(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %f = math.floor %y : tensor<f32>
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'arith.remf'}}
  %r = arith.remf %x, %f : tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x, %y) {wrt = array<i64: 0>}
      : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// Control flow in the loss is not differentiated.
func.func @loss(%x: tensor<f32>, %n: index) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'scf.for'}}
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %x) -> tensor<f32> {
    %m = arith.mulf %a, %a : tensor<f32>
    scf.yield %m : tensor<f32>
  }
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>, %n: index) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x, %n) {wrt = array<i64: 0>}
      : (tensor<f32>, index) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A non-scalar loss.
func.func @loss(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{loss result must be a 0-d float tensor, got 'tensor<4xf32>'}}
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// A non-float loss.
func.func @loss(%x: tensor<4xf32>) -> tensor<i32> {
  %c = arith.constant dense<1> : tensor<i32>
  return %c : tensor<i32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{loss result must be a 0-d float tensor, got 'tensor<i32>'}}
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<i32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// A wrt index out of range.
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'wrt' index 1 is out of range: the call has 1 arguments}}
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 1>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A callee that does not exist.
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'missing' does not reference a function}}
  %l, %g = mp.value_and_grad @missing(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// Direct recursion.
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: recursive call to @loss cannot be differentiated}}
  %r = func.call @loss(%x) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// Mutual recursion through a helper.
func.func @helper(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: recursive call to @loss cannot be differentiated}}
  %r = func.call @loss(%x) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  %r = func.call @helper(%x) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A call to a function without a body.
// expected-note @+1 {{declared here}}
func.func private @external(tensor<f32>) -> tensor<f32>
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: cannot differentiate through @external: it has no body}}
  %r = func.call @external(%x) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A loss function with several blocks.
// expected-error @+1 {{mp-differentiate: @loss has several blocks; only straight-line functions are supported}}
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  cf.br ^bb1(%x : tensor<f32>)
^bb1(%y: tensor<f32>):
  return %y : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A differentiated value captured by a region instead of passed as operand.
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %s = tensor.extract %x[%c0] : tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @+1 {{mp-differentiate: 'linalg.generic' uses a differentiated value defined outside its region; pass it as an operand instead}}
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%x : tensor<4xf32>) outs(%i : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.mulf %a, %s : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// A reduction that is not a sum, max or min.
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%one : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'linalg.reduce': a reduction must combine with addf, maximumf/maxnumf or minimumf/minnumf}}
  %r = linalg.reduce ins(%x : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.mulf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %r : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// A window map the rules cannot invert (a reversal, negative coefficient).
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'linalg.generic': operand #0 has a non-permutation indexing map}}
  %v = linalg.generic {indexing_maps = [affine_map<(i) -> (3 - i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%v : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %r : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// Every op without a rule is reported at once: one error at the first (in
// program order), with the op names and counts, and a note at each other op,
// including ops nested in a linalg.generic body. Nothing is built.
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 4 ops in @loss: 'math.floor' (2), 'math.ceil' (1), 'arith.remf' (1)}}
  %a = math.floor %x : tensor<4xf32>
  // expected-note @+1 {{no adjoint rule for 'math.ceil'}}
  %b = math.ceil %a : tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%b : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %o: f32):
    // expected-note @+1 {{no adjoint rule for 'math.floor'}}
    %f = math.floor %in : f32
    linalg.yield %f : f32
  } -> tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  // expected-note @+1 {{no adjoint rule for 'arith.remf'}}
  %r = arith.remf %s, %s : tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// Dynamic shapes.
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %d = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{mp-differentiate: dynamic shapes are not supported ('tensor.extract' uses 'tensor<?xf32>')}}
  %s = tensor.extract %d[%c0] : tensor<?xf32>
  %r = tensor.from_elements %s : tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// A gather (tensor.extract of a differentiated tensor captured by the body)
// in a reduction: the scatter-add rule needs parallel loops.
func.func @loss(%t: tensor<4xf32>, %ids: tensor<3xindex>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 'linalg.generic': a gather (tensor.extract of a differentiated tensor) is supported in parallel loops only}}
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%ids : tensor<3xindex>) outs(%i : tensor<f32>) {
  ^bb0(%k: index, %acc: f32):
    %v = tensor.extract %t[%k] : tensor<4xf32>
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%t: tensor<4xf32>, %ids: tensor<3xindex>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @loss(%t, %ids) {wrt = array<i64: 0>}
      : (tensor<4xf32>, tensor<3xindex>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// Calls differentiated as calls (no_inline): recursion through the callee.
func.func private @f(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: recursive call to @f cannot be differentiated}}
  %r = func.call @f(%x) {no_inline} : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  %r = func.call @f(%x) {no_inline} : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A no_inline call of a function without a body.
// expected-note @+1 {{declared here}}
func.func private @external(tensor<f32>) -> tensor<f32>
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: cannot differentiate through @external: it has no body}}
  %r = func.call @external(%x) {no_inline} : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// A no_inline call with a dynamic shape.
func.func private @g(%x: tensor<?xf32>) -> tensor<?xf32> {
  %t = math.tanh %x : tensor<?xf32>
  return %t : tensor<?xf32>
}
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %d = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  // expected-error @+1 {{mp-differentiate: call of @g uses 'tensor<?xf32>'; only static shapes are supported}}
  %r = func.call @g(%d) {no_inline} : (tensor<?xf32>) -> tensor<?xf32>
  %s = tensor.cast %r : tensor<?xf32> to tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%s : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %c = arith.addf %a, %b : f32
      linalg.yield %c : f32
    }
  return %sum : tensor<f32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l : tensor<f32>
}

// -----

// A missing rule inside a callee differentiated as a call: reported at the
// op in the callee, all of them at once.
func.func private @g(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mp-differentiate: no adjoint rule for 2 ops in @g: 'math.floor' (1), 'math.ceil' (1)}}
  %f = math.floor %x : tensor<f32>
  // expected-note @+1 {{no adjoint rule for 'math.ceil'}}
  %c = math.ceil %f : tensor<f32>
  return %c : tensor<f32>
}
func.func @loss(%x: tensor<f32>) -> tensor<f32> {
  %r = func.call @g(%x) {no_inline} : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @step(%x: tensor<f32>) -> tensor<f32> {
  %l, %g = mp.value_and_grad @loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}
