// RUN: mp-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// #mp.policy
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown dtype 'f64' for #mp.policy key 'compute'; accepted: f32, bf16, f16}}
func.func @policy_f64() attributes {p = #mp.policy<param = f32, compute = f64, output = f32>} { return }

// -----

// expected-error @+1 {{unknown dtype 'i32' for #mp.policy key 'param'; accepted: f32, bf16, f16}}
func.func @policy_int() attributes {p = #mp.policy<param = i32, compute = f16, output = f32>} { return }

// -----

// expected-error @+1 {{unknown dtype 'fp8' for #mp.policy key 'compute'; accepted: f32, bf16, f16}}
func.func @policy_unknown_dtype() attributes {p = #mp.policy<param = f32, compute = fp8, output = f32>} { return }

// -----

// expected-error @+1 {{expected ','}}
func.func @policy_missing_key() attributes {p = #mp.policy<param = f32, compute = f16>} { return }

// -----

// expected-error @+1 {{expected #mp.policy key 'compute', got 'comput'; the keys are param, compute, output in this order}}
func.func @policy_bad_key() attributes {p = #mp.policy<param = f32, comput = f16, output = f32>} { return }

// -----

// expected-error @+1 {{expected a dtype for #mp.policy key 'param'; accepted: f32, bf16, f16}}
func.func @policy_no_dtype() attributes {p = #mp.policy<param = 3, compute = f16, output = f32>} { return }

// -----

//===----------------------------------------------------------------------===//
// #mp.loss_scale
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown loss-scaling mode 'dynamc'; accepted: none, static, dynamic}}
func.func @ls_mode() attributes {l = #mp.loss_scale<dynamc>} { return }

// -----

// expected-error @+1 {{unknown #mp.loss_scale key 'grow'; accepted: init, growth_factor, backoff_factor, growth_interval, min, max, hysteresis}}
func.func @ls_key() attributes {l = #mp.loss_scale<dynamic, grow = 2.0>} { return }

// -----

// expected-error @+1 {{duplicate #mp.loss_scale key 'init'}}
func.func @ls_dup() attributes {l = #mp.loss_scale<dynamic, init = 2.0, init = 4.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale growth_factor must be finite and > 1, got 1.0}}
func.func @ls_growth() attributes {l = #mp.loss_scale<dynamic, growth_factor = 1.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale growth_factor must be finite and > 1, got 0.5}}
func.func @ls_growth_lt1() attributes {l = #mp.loss_scale<dynamic, growth_factor = 0.5>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale backoff_factor must be in (0, 1), got 1.0}}
func.func @ls_backoff_one() attributes {l = #mp.loss_scale<dynamic, backoff_factor = 1.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale backoff_factor must be in (0, 1), got 0.0}}
func.func @ls_backoff_zero() attributes {l = #mp.loss_scale<dynamic, backoff_factor = 0.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale growth_interval must be >= 1, got -5}}
func.func @ls_interval() attributes {l = #mp.loss_scale<dynamic, growth_interval = -5>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale init must be finite and > 0, got -1.0}}
func.func @ls_init_neg() attributes {l = #mp.loss_scale<static, init = -1.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale init must be finite and > 0, got inf}}
func.func @ls_init_inf() attributes {l = #mp.loss_scale<dynamic, init = inf>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale min must be finite and >= 0, got -1.0}}
func.func @ls_min() attributes {l = #mp.loss_scale<dynamic, min = -1.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale max must be >= min (8.0), got 4.0}}
func.func @ls_max() attributes {l = #mp.loss_scale<dynamic, min = 8.0, max = 4.0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale hysteresis must be >= 1, got 0}}
func.func @ls_hyst() attributes {l = #mp.loss_scale<dynamic, hysteresis = 0>} { return }

// -----

// expected-error @+1 {{#mp.loss_scale growth_interval and hysteresis must fit in i32}}
func.func @ls_interval_big() attributes {l = #mp.loss_scale<dynamic, growth_interval = 4294967296>} { return }

// -----

// expected-error @+1 {{key 'growth_factor' is not accepted in mode 'static'; static mode accepts: init}}
func.func @ls_static_key() attributes {l = #mp.loss_scale<static, growth_factor = 2.0>} { return }

// -----

// expected-error @+1 {{key 'init' is not accepted in mode 'none'; mode none takes no keys}}
func.func @ls_none_key() attributes {l = #mp.loss_scale<none, init = 2.0>} { return }

// -----

//===----------------------------------------------------------------------===//
// mp.cast
//===----------------------------------------------------------------------===//

func.func @cast_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{'mp.cast' op operand #0 must be floating-point or tensor of floating-point values}}
  %0 = mp.cast %x : tensor<4xi32> to tensor<4xf32>
  return
}

// -----

func.func @cast_unranked(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.cast' op changes the rank information: 'tensor<4xf32>' to 'tensor<*xbf16>'; mp.cast changes only the element type}}
  %0 = mp.cast %x : tensor<4xf32> to tensor<*xbf16>
  return
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.cast' op changes the shape: 'tensor<4xf32>' to 'tensor<8xbf16>'; mp.cast changes only the element type}}
  %0 = mp.cast %x : tensor<4xf32> to tensor<8xbf16>
  return
}

// -----

func.func @cast_dynamic_to_static(%x: tensor<?xf32>) {
  // expected-error @+1 {{'mp.cast' op changes the shape: 'tensor<?xf32>' to 'tensor<4xbf16>'; mp.cast changes only the element type}}
  %0 = mp.cast %x : tensor<?xf32> to tensor<4xbf16>
  return
}

// -----

func.func @cast_scalar_tensor(%x: f32) {
  // expected-error @+1 {{'mp.cast' op input 'f32' and result 'tensor<bf16>' must both be tensors or both be scalars}}
  %0 = mp.cast %x : f32 to tensor<bf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// mp.value_and_grad
//===----------------------------------------------------------------------===//

func.func @loss(%w: tensor<4xf32>, %n: tensor<4xi32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_range(%w: tensor<4xf32>, %n: tensor<4xi32>) {
  // expected-error @+1 {{'mp.value_and_grad' op 'wrt' index 2 is out of range: the call has 2 arguments}}
  %l, %g = mp.value_and_grad @loss(%w, %n) {wrt = array<i64: 2>} : (tensor<4xf32>, tensor<4xi32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>, %n: tensor<4xi32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_negative(%w: tensor<4xf32>, %n: tensor<4xi32>) {
  // expected-error @+1 {{'mp.value_and_grad' op 'wrt' index -1 is out of range: the call has 2 arguments}}
  %l, %g = mp.value_and_grad @loss(%w, %n) {wrt = array<i64: -1>} : (tensor<4xf32>, tensor<4xi32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_order(%w: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op 'wrt' indices must be strictly increasing, got 1 then 0}}
  %l, %g, %h = mp.value_and_grad @loss(%w, %v) {wrt = array<i64: 1, 0>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_empty(%w: tensor<4xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op 'wrt' must list at least one argument index}}
  %l = mp.value_and_grad @loss(%w, %v) {wrt = array<i64>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>, %n: tensor<4xi32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_int_wrt(%w: tensor<4xf32>, %n: tensor<4xi32>) {
  // expected-error @+1 {{'mp.value_and_grad' op argument #1 of type 'tensor<4xi32>' cannot be differentiated: 'wrt' arguments must be float tensors or scalars}}
  %l, %g = mp.value_and_grad @loss(%w, %n) {wrt = array<i64: 1>} : (tensor<4xf32>, tensor<4xi32>) -> (tensor<f32>, tensor<4xi32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_num_results(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op expects 2 results (the loss and one gradient per 'wrt' index), got 1}}
  %l = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
func.func @vg_nonscalar_loss(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op loss result must be a 0-d float tensor, got 'tensor<4xf32>'}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<i32> {
  %0 = arith.constant dense<0> : tensor<i32>
  return %0 : tensor<i32>
}
func.func @vg_int_loss(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op loss result must be a 0-d float tensor, got 'tensor<i32>'}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<i32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_grad_type(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op gradient result #1 has type 'tensor<4xbf16>' but argument #0 has type 'tensor<4xf32>'}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xbf16>)
  return
}

// -----

func.func @vg_no_callee(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op 'nope' does not reference a function}}
  %l, %g = mp.value_and_grad @nope(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_arity(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op passes 1 arguments to @loss, which takes 2}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<8xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @vg_arg_type(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op argument #0 has type 'tensor<4xf32>' but @loss expects 'tensor<8xf32>'}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> (tensor<f32>, tensor<f32>) {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0, %0 : tensor<f32>, tensor<f32>
}
func.func @vg_two_results(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op @loss must return exactly one value (the loss), returns 2}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f16> {
  %0 = arith.constant dense<0.0> : tensor<f16>
  return %0 : tensor<f16>
}
func.func @vg_loss_type(%w: tensor<4xf32>) {
  // expected-error @+1 {{'mp.value_and_grad' op @loss returns 'tensor<f16>' but the loss result is 'tensor<f32>'}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// expected-note @+1 {{prior use here}}
func.func @vg_scale_type(%w: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{use of value '%s' expects different type than prior uses: 'tensor<f32>' vs 'tensor<4xf32>'}}
  %l, %g = mp.value_and_grad @loss(%w) scale(%s) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// mp.all_finite, mp.unscale, mp.update_scale
//===----------------------------------------------------------------------===//

func.func @all_finite_empty() {
  // expected-error @+1 {{'mp.all_finite' op expects at least one operand}}
  %0 = "mp.all_finite"() : () -> tensor<i1>
  return
}

// -----

func.func @all_finite_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{'mp.all_finite' op operand #0 must be variadic of floating-point or tensor of floating-point values}}
  %0 = mp.all_finite %x : tensor<4xi32>
  return
}

// -----

func.func @all_finite_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mp.all_finite' op result #0 must be 0-d tensor of i1}}
  %0 = "mp.all_finite"(%x) : (tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @unscale_empty(%s: tensor<f32>) {
  // expected-error @+1 {{'mp.unscale' op expects at least one gradient}}
  "mp.unscale"(%s) : (tensor<f32>) -> ()
  return
}

// -----

func.func @unscale_result_type(%g: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+2 {{'mp.unscale' op failed to infer returned types}}
  // expected-error @+1 {{'mp.unscale' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xbf16>'}}
  %0 = "mp.unscale"(%g, %s) : (tensor<4xf32>, tensor<f32>) -> tensor<4xbf16>
  return
}

// -----

func.func @unscale_scale_type(%g: tensor<4xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{'mp.unscale' op operand #1 must be 0-d tensor of f32}}
  %0 = "mp.unscale"(%g, %s) : (tensor<4xf32>, tensor<f16>) -> tensor<4xf32>
  return
}

// -----

func.func @update_scale_static(%s: tensor<f32>, %t: tensor<i32>, %ok: tensor<i1>) {
  // expected-error @+1 {{'mp.update_scale' op requires a dynamic loss-scale configuration, got #mp.loss_scale<static, init = 8.0>}}
  %0, %1 = mp.update_scale %s, %t finite(%ok) {config = #mp.loss_scale<static, init = 8.0>}
  return
}

// -----

func.func @update_scale_missing_hysteresis(%s: tensor<f32>, %t: tensor<i32>, %ok: tensor<i1>) {
  // expected-error @+1 {{'mp.update_scale' op takes a hysteresis counter iff the configuration's hysteresis is > 1 (it is 2)}}
  %0, %1 = mp.update_scale %s, %t finite(%ok) {config = #mp.loss_scale<dynamic, hysteresis = 2>}
  return
}

// -----

func.func @update_scale_extra_hysteresis(%s: tensor<f32>, %t: tensor<i32>, %h: tensor<i32>, %ok: tensor<i1>) {
  // expected-error @+1 {{'mp.update_scale' op takes a hysteresis counter iff the configuration's hysteresis is > 1 (it is 1)}}
  %0, %1, %2 = mp.update_scale %s, %t hysteresis(%h) finite(%ok) {config = #mp.loss_scale<dynamic>}
  return
}

// -----

func.func @update_scale_no_config(%s: tensor<f32>, %t: tensor<i32>, %ok: tensor<i1>) {
  // expected-error @+1 {{'mp.update_scale' op requires attribute 'config'}}
  %0, %1 = mp.update_scale %s, %t finite(%ok)
  return
}

// -----

func.func @update_scale_tracker_type(%s: tensor<f32>, %t: tensor<i64>, %ok: tensor<i1>) {
  // expected-error @+1 {{'mp.update_scale' op operand #1 must be 0-d tensor of i32}}
  %0:2 = "mp.update_scale"(%s, %t, %ok) {config = #mp.loss_scale<dynamic>} : (tensor<f32>, tensor<i64>, tensor<i1>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

func.func @precision_f64(%x: tensor<4xf32>) {
  // expected-error @+1 {{'arith.addf' op 'mp.precision' must be one of f32, bf16, f16, got f64}}
  %0 = arith.addf %x, %x {mp.precision = f64} : tensor<4xf32>
  return
}

// -----

func.func @precision_string(%x: tensor<4xf32>) {
  // expected-error @+1 {{'arith.addf' op 'mp.precision' must be one of f32, bf16, f16, got "bf16"}}
  %0 = arith.addf %x, %x {mp.precision = "bf16"} : tensor<4xf32>
  return
}

// -----

func.func @unknown_attr(%x: tensor<4xf32>) {
  // expected-error @+1 {{'arith.addf' op unknown mp dialect attribute 'mp.precison'; accepted on ops: 'mp.precision', 'mp.microbatches'}}
  %0 = arith.addf %x, %x {mp.precison = bf16} : tensor<4xf32>
  return
}

// -----

func.func @microbatches_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'scf.for' op 'mp.microbatches' must be an integer >= 1 on a loop (the micro-batch loop of mp-loss-scaling), got 0 : i64}}
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%a = %x) -> (tensor<4xf32>) {
    scf.yield %a : tensor<4xf32>
  } {mp.microbatches = 0 : i64}
  return %r : tensor<4xf32>
}

// -----

func.func @microbatches_not_loop(%x: tensor<4xf32>) {
  // expected-error @+1 {{'arith.addf' op 'mp.microbatches' must be an integer >= 1 on a loop (the micro-batch loop of mp-loss-scaling), got 2 : i64}}
  %0 = arith.addf %x, %x {mp.microbatches = 2 : i64} : tensor<4xf32>
  return
}

// -----

func.func @updates_on_op(%x: tensor<4xf32>) {
  // expected-error @+1 {{'arith.addf' op 'mp.updates' is only valid on function arguments or results}}
  %0 = arith.addf %x, %x {mp.updates = 0} : tensor<4xf32>
  return
}

// -----

// expected-error @+1 {{'func.func' op 'mp.updates = 3' on result #0 is out of range: the function has 1 arguments}}
func.func @updates_range(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 3}) {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op result #0 of type 'tensor<8xf32>' updates argument #0 of a different type 'tensor<4xf32>'}}
func.func @updates_type(%w: tensor<4xf32>, %v: tensor<8xf32>) -> (tensor<8xf32> {mp.updates = 0}) {
  return %v : tensor<8xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'mp.updates' on result #0 must be an integer argument index}}
func.func @updates_not_int(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = "w"}) {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op results #0 and #1 both update argument #0}}
func.func @updates_twice(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<4xf32> {mp.updates = 0}) {
  return %w, %w : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'mp.loss_scale' marks argument #0 of type 'tensor<f16>', expected 'tensor<f32>'}}
func.func @scale_arg_type(%s: tensor<f16> {mp.loss_scale}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'mp.growth_tracker' must be a unit attribute}}
func.func @tracker_not_unit(%t: tensor<i32> {mp.growth_tracker = 1}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'mp.overflow' is not a valid mp argument attribute; accepted: 'mp.loss_scale', 'mp.growth_tracker', 'mp.hysteresis', 'mp.init'}}
func.func @overflow_arg(%o: tensor<i1> {mp.overflow}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'mp.overflow' marks result #0 of type 'tensor<i32>', expected 'tensor<i1>'}}
func.func @overflow_type(%o: tensor<i32>) -> (tensor<i32> {mp.overflow}) {
  return %o : tensor<i32>
}

// -----

// expected-error @+1 {{'func.func' op 'mp.foo' is not a valid mp result attribute; accepted: 'mp.updates', 'mp.loss_scale', 'mp.growth_tracker', 'mp.hysteresis', 'mp.overflow'}}
func.func @unknown_result_attr(%o: tensor<i32>) -> (tensor<i32> {mp.foo}) {
  return %o : tensor<i32>
}

// -----

// expected-error @+1 {{'func.func' op 'mp.init' on argument #0 must be one of "zeros", "ones", "glorot", "normal", got "twos"}}
func.func @bad_init(%g: tensor<4xf32> {mp.init = "twos"}) {
  return
}
