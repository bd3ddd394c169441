// mp-make-trainable on inputs it cannot turn into a training graph: one
// diagnostic at the right place, the module left unchanged.
//
// RUN: mp-opt %s --mp-make-trainable -split-input-file -verify-diagnostics

// Two candidates and no entry option.
// expected-error@+1 {{mp-make-trainable: 2 public functions with a body; name the inference function with entry=<name>}}
module {
  // expected-note@+1 {{candidate @a}}
  func.func @a(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
  // expected-note@+1 {{candidate @b}}
  func.func @b(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

// Only a declaration (private, as declarations are).
// expected-error@+1 {{mp-make-trainable: 0 public functions with a body}}
module {
  func.func private @decl(%x: tensor<2xf32>) -> tensor<2xf32>
}

// -----

// expected-error@+1 {{mp-make-trainable: @ints has no float tensor result to build a loss from}}
func.func @ints(%x: tensor<2xf32>) -> tensor<2xi32> {
  %i = arith.fptosi %x : tensor<2xf32> to tensor<2xi32>
  return %i : tensor<2xi32>
}

// -----

// expected-error@+1 {{mp-make-trainable: result #0 of @dyn has a dynamic shape ('tensor<?xf32>'); training graphs need static shapes}}
func.func @dyn(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error@+1 {{mp-make-trainable: param argument #0 ('tensor<?xf32>') has a dynamic shape; training graphs need static shapes}}
func.func @dynparam(%w: tensor<?xf32>, %x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// expected-error@+1 {{mp-make-trainable: nothing to train in @noparams (params=args, param-args='', min-elements=2): no float tensor argument or constant selected}}
func.func @noparams(%i: tensor<2xi32>) -> tensor<2xf32> {
  %f = arith.sitofp %i : tensor<2xi32> to tensor<2xf32>
  return %f : tensor<2xf32>
}

// -----

// expected-error@+1 {{mp-make-trainable: @branches must have exactly one func.return, has 2}}
func.func @branches(%x: tensor<2xf32>, %c: i1) -> tensor<2xf32> {
  cf.cond_br %c, ^a, ^b
^a:
  return %x : tensor<2xf32>
^b:
  %y = arith.negf %x : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// expected-error@+1 {{mp-make-trainable: the module already has a symbol @loss; the pass creates @loss and @train_step}}
func.func private @loss(%x: tensor<2xf32>) -> tensor<f32> {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error@+1 {{mp-make-trainable: result #0 of @empty ('tensor<2x0xf32>') has no elements; a loss needs at least one}}
func.func @empty(%x: tensor<2x0xf32>) -> tensor<2x0xf32> {
  return %x : tensor<2x0xf32>
}
