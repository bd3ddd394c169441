// Executable check of the dynamic loss-scale state machine (mp.update_scale
// lowered by mp-lower, compiled by mp-to-cpu) against the worked vectors of
// docs/design.md §6, plus hysteresis, floor and cap variants. Each line prints
// (scale, tracker[, hysteresis]) after one step; F = finite, I = overflow.
//
// RUN: mp-opt %s --mp-lower --mp-to-cpu \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils \
// RUN: | FileCheck %s

func.func private @printF32(f32)
func.func private @printI64(i64)
func.func private @printNewline()
func.func private @printComma()

func.func @show(%s: tensor<f32>, %t: tensor<i32>) {
  %sv = tensor.extract %s[] : tensor<f32>
  %tv = tensor.extract %t[] : tensor<i32>
  %t64 = arith.extsi %tv : i32 to i64
  call @printF32(%sv) : (f32) -> ()
  call @printComma() : () -> ()
  call @printI64(%t64) : (i64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @show3(%s: tensor<f32>, %t: tensor<i32>, %h: tensor<i32>) {
  %sv = tensor.extract %s[] : tensor<f32>
  %tv = tensor.extract %t[] : tensor<i32>
  %hv = tensor.extract %h[] : tensor<i32>
  %t64 = arith.extsi %tv : i32 to i64
  %h64 = arith.extsi %hv : i32 to i64
  call @printF32(%sv) : (f32) -> ()
  call @printComma() : () -> ()
  call @printI64(%t64) : (i64) -> ()
  call @printComma() : () -> ()
  call @printI64(%h64) : (i64) -> ()
  call @printNewline() : () -> ()
  return
}

// Vector 1: scale 8, interval 3, FFFFIFFF.
func.func @v1(%pattern: tensor<8xi1>) {
  %s0 = arith.constant dense<8.0> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 8 : index
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%s = %s0, %t = %t0) -> (tensor<f32>, tensor<i32>) {
    %f = tensor.extract %pattern[%i] : tensor<8xi1>
    %ft = tensor.from_elements %f : tensor<i1>
    %s1, %t1 = mp.update_scale %s, %t finite(%ft)
        {config = #mp.loss_scale<dynamic, init = 8.0, growth_interval = 3>}
    func.call @show(%s1, %t1) : (tensor<f32>, tensor<i32>) -> ()
    scf.yield %s1, %t1 : tensor<f32>, tensor<i32>
  }
  return
}

// Vector 2: scale 4, growth 2, backoff 0.25, interval 2, FFI.
func.func @v2(%pattern: tensor<3xi1>) {
  %s0 = arith.constant dense<4.0> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 3 : index
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%s = %s0, %t = %t0) -> (tensor<f32>, tensor<i32>) {
    %f = tensor.extract %pattern[%i] : tensor<3xi1>
    %ft = tensor.from_elements %f : tensor<i1>
    %s1, %t1 = mp.update_scale %s, %t finite(%ft)
        {config = #mp.loss_scale<dynamic, init = 4.0, growth_factor = 2.0, backoff_factor = 0.25, growth_interval = 2>}
    func.call @show(%s1, %t1) : (tensor<f32>, tensor<i32>) -> ()
    scf.yield %s1, %t1 : tensor<f32>, tensor<i32>
  }
  return
}

// Vector 3: scale 10, min 1, repeated I -> 5, 2.5, 1.25, 1, 1.
func.func @v3() {
  %s0 = arith.constant dense<10.0> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %bad = arith.constant dense<false> : tensor<i1>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 5 : index
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%s = %s0, %t = %t0) -> (tensor<f32>, tensor<i32>) {
    %s1, %t1 = mp.update_scale %s, %t finite(%bad)
        {config = #mp.loss_scale<dynamic, init = 10.0, min = 1.0>}
    func.call @show(%s1, %t1) : (tensor<f32>, tensor<i32>) -> ()
    scf.yield %s1, %t1 : tensor<f32>, tensor<i32>
  }
  return
}

// Vector 4: scale 2^127, interval 1, F -> stays 2^127 (growth would
// overflow f32), with no cap (max = inf).
func.func @v4() {
  %s0 = arith.constant dense<0x7F000000> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %ok = arith.constant dense<true> : tensor<i1>
  %s1, %t1 = mp.update_scale %s0, %t0 finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 1.0, growth_interval = 1, max = inf>}
  func.call @show(%s1, %t1) : (tensor<f32>, tensor<i32>) -> ()
  return
}

// Cap: scale 12, interval 1, max 16: F F -> 16 (capped), 16.
func.func @cap() {
  %s0 = arith.constant dense<12.0> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %ok = arith.constant dense<true> : tensor<i1>
  %s1, %t1 = mp.update_scale %s0, %t0 finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 12.0, growth_interval = 1, max = 16.0>}
  func.call @show(%s1, %t1) : (tensor<f32>, tensor<i32>) -> ()
  %s2, %t2 = mp.update_scale %s1, %t1 finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 12.0, growth_interval = 1, max = 16.0>}
  func.call @show(%s2, %t2) : (tensor<f32>, tensor<i32>) -> ()
  return
}

// No floor (min = 0, PyTorch GradScaler): 1 -> 0.5 -> 0.25.
func.func @nofloor() {
  %s0 = arith.constant dense<1.0> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %bad = arith.constant dense<false> : tensor<i1>
  %s1, %t1 = mp.update_scale %s0, %t0 finite(%bad)
      {config = #mp.loss_scale<dynamic, min = 0.0, max = inf>}
  func.call @show(%s1, %t1) : (tensor<f32>, tensor<i32>) -> ()
  %s2, %t2 = mp.update_scale %s1, %t1 finite(%bad)
      {config = #mp.loss_scale<dynamic, min = 0.0, max = inf>}
  func.call @show(%s2, %t2) : (tensor<f32>, tensor<i32>) -> ()
  return
}

// Hysteresis 2, scale 64, interval 2: I I F I F F I I.
// An overflow first uses up hysteresis; the second consecutive one backs
// off; a finite step resets the counter.
func.func @hyst(%pattern: tensor<8xi1>) {
  %s0 = arith.constant dense<64.0> : tensor<f32>
  %t0 = arith.constant dense<0> : tensor<i32>
  %h0 = arith.constant dense<2> : tensor<i32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 8 : index
  %r:3 = scf.for %i = %c0 to %n step %c1 iter_args(%s = %s0, %t = %t0, %h = %h0) -> (tensor<f32>, tensor<i32>, tensor<i32>) {
    %f = tensor.extract %pattern[%i] : tensor<8xi1>
    %ft = tensor.from_elements %f : tensor<i1>
    %s1, %t1, %h1 = mp.update_scale %s, %t hysteresis(%h) finite(%ft)
        {config = #mp.loss_scale<dynamic, init = 64.0, growth_interval = 2, hysteresis = 2>}
    func.call @show3(%s1, %t1, %h1) : (tensor<f32>, tensor<i32>, tensor<i32>) -> ()
    scf.yield %s1, %t1, %h1 : tensor<f32>, tensor<i32>, tensor<i32>
  }
  return
}

func.func @main() {
  %p1 = arith.constant dense<[true, true, true, true, false, true, true, true]> : tensor<8xi1>
  // CHECK: 8, 1
  // CHECK-NEXT: 8, 2
  // CHECK-NEXT: 16, 0
  // CHECK-NEXT: 16, 1
  // CHECK-NEXT: 8, 0
  // CHECK-NEXT: 8, 1
  // CHECK-NEXT: 8, 2
  // CHECK-NEXT: 16, 0
  call @v1(%p1) : (tensor<8xi1>) -> ()
  %p2 = arith.constant dense<[true, true, false]> : tensor<3xi1>
  // CHECK-NEXT: 4, 1
  // CHECK-NEXT: 8, 0
  // CHECK-NEXT: 2, 0
  call @v2(%p2) : (tensor<3xi1>) -> ()
  // CHECK-NEXT: 5, 0
  // CHECK-NEXT: 2.5, 0
  // CHECK-NEXT: 1.25, 0
  // CHECK-NEXT: 1, 0
  // CHECK-NEXT: 1, 0
  call @v3() : () -> ()
  // CHECK-NEXT: 1.70141e+38, 0
  call @v4() : () -> ()
  // CHECK-NEXT: 16, 0
  // CHECK-NEXT: 16, 0
  call @cap() : () -> ()
  // CHECK-NEXT: 0.5, 0
  // CHECK-NEXT: 0.25, 0
  call @nofloor() : () -> ()
  %p3 = arith.constant dense<[false, false, true, false, true, true, false, false]> : tensor<8xi1>
  // I: hysteresis 2 -> 1, no backoff.
  // CHECK-NEXT: 64, 0, 1
  // I: 1 -> 0: back off to 32, counter reset to 2.
  // CHECK-NEXT: 32, 0, 2
  // F: tracker 1.
  // CHECK-NEXT: 32, 1, 2
  // I: 2 -> 1, tracker reset.
  // CHECK-NEXT: 32, 0, 1
  // F: counter reset to 2.
  // CHECK-NEXT: 32, 1, 2
  // F: interval reached: grow.
  // CHECK-NEXT: 64, 0, 2
  // CHECK-NEXT: 64, 0, 1
  // CHECK-NEXT: 32, 0, 2
  call @hyst(%p3) : (tensor<8xi1>) -> ()
  return
}
