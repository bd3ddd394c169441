// RUN: mp-opt %s --mp-outline-loop-nests="min-loops=2" -split-input-file | FileCheck %s
// RUN: mp-opt %s --mp-outline-loop-nests="min-loops=3" -split-input-file | FileCheck %s --check-prefix=KEPT

// Two loop nests, at the threshold: each becomes a private, noinline
// function of the values it uses from outside (the memrefs); constants are
// cloned in, loop results are returned.

// CHECK-LABEL: func.func @f(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<8xf32>, %[[N:[a-z0-9]+]]: memref<8xf32>)
// CHECK-NOT:     scf.for
// CHECK:         call @f_loop0(%[[M]], %[[N]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    %[[S:.+]] = call @f_loop1(%[[N]]) : (memref<8xf32>) -> f32
// CHECK-NEXT:    return %[[S]] : f32
// CHECK:       func.func private @f_loop0(%[[A:.+]]: memref<8xf32>, %[[B:.+]]: memref<8xf32>) attributes {passthrough = ["noinline"]}
// CHECK-DAG:     %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK:         scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK-NEXT:      %[[V:.+]] = memref.load %[[A]][%[[I]]]
// CHECK-NEXT:      %[[W:.+]] = arith.mulf %[[V]], %[[TWO]]
// CHECK-NEXT:      memref.store %[[W]], %[[B]][%[[I]]]
// CHECK:         return
// CHECK:       func.func private @f_loop1(%[[C:.+]]: memref<8xf32>) -> f32 attributes {passthrough = ["noinline"]}
// CHECK:         %[[R:.+]] = scf.for {{.+}} iter_args
// CHECK:         return %[[R]] : f32

// KEPT-LABEL: func.func @f(
// KEPT:         scf.for
// KEPT:         scf.for
// KEPT-NOT:     func.func private
func.func @f(%m: memref<8xf32>, %n: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %m[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %n[%i] : memref<8xf32>
  }
  %s = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %n[%i] : memref<8xf32>
    %a = arith.addf %acc, %v : f32
    scf.yield %a : f32
  }
  return %s : f32
}
