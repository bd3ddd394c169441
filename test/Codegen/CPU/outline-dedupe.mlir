// RUN: mp-opt %s --mp-outline-loop-nests="min-loops=2" -split-input-file | FileCheck %s
// RUN: mp-opt %s --mp-outline-parallel-loops="min-work=100" -split-input-file | FileCheck %s --check-prefix=PAR

// Identical outlined functions are made once (OutlinedFunctions in
// lib/Codegen/CPU/Outlining.h): the same loop nest on other buffers calls
// the function made for the first; a nest differing only in a constant or
// in a type gets a function of its own. Names stay dense.

// CHECK-LABEL: func.func @nests(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<8xf32>, %[[B:[a-z0-9]+]]: memref<8xf32>, %[[C:[a-z0-9]+]]: memref<8xf32>, %[[D:[a-z0-9]+]]: memref<8xf16>)
// CHECK:         call @nests_loop0(%[[A]], %[[B]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    call @nests_loop0(%[[C]], %[[A]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    call @nests_loop1(%[[B]], %[[C]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    call @nests_loop2(%[[D]]) : (memref<8xf16>) -> ()
// CHECK-NEXT:    call @nests_loop0(%[[B]], %[[C]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    return
// CHECK:       func.func private @nests_loop0(%{{.+}}: memref<8xf32>, %{{.+}}: memref<8xf32>) attributes {passthrough = ["noinline"]}
// CHECK:         arith.constant 2.000000e+00 : f32
// CHECK:       func.func private @nests_loop1(%{{.+}}: memref<8xf32>, %{{.+}}: memref<8xf32>) attributes {passthrough = ["noinline"]}
// CHECK:         arith.constant 3.000000e+00 : f32
// CHECK:       func.func private @nests_loop2(%{{.+}}: memref<8xf16>) attributes {passthrough = ["noinline"]}
// CHECK:         arith.constant 2.000000e+00 : f16
// CHECK-NOT:   func.func
func.func @nests(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>, %d: memref<8xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  %two16 = arith.constant 2.0 : f16
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %b[%i] : memref<8xf32>
  }
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %c[%j] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %a[%j] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %b[%i] : memref<8xf32>
    %w = arith.mulf %v, %three : f32
    memref.store %w, %c[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %d[%i] : memref<8xf16>
    %w = arith.mulf %v, %two16 : f16
    memref.store %w, %d[%i] : memref<8xf16>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %b[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %c[%i] : memref<8xf32>
  }
  return
}

// -----

// Same ops, types and arguments, other use-def wiring (the structural
// hash ignores operands; the comparison does not): the mulf of the second
// nest reads the load, not the addf. Two functions.

// CHECK-LABEL: func.func @wiring(
// CHECK:         call @wiring_loop0(%[[A:.+]], %[[S:.+]], %[[B:.+]]) : (memref<8xf32>, f32, memref<8xf32>) -> ()
// CHECK-NEXT:    call @wiring_loop1(%[[A]], %[[S]], %[[B]]) : (memref<8xf32>, f32, memref<8xf32>) -> ()
// CHECK-NEXT:    return
// CHECK:       func.func private @wiring_loop0(
// CHECK:         %[[V:.+]] = memref.load
// CHECK-NEXT:    %[[W:.+]] = arith.addf %[[V]], %{{.+}} : f32
// CHECK-NEXT:    arith.mulf %[[W]], %{{.+}} : f32
// CHECK:       func.func private @wiring_loop1(
// CHECK:         %[[V:.+]] = memref.load
// CHECK-NEXT:    arith.addf %[[V]], %{{.+}} : f32
// CHECK-NEXT:    arith.mulf %[[V]], %{{.+}} : f32
// CHECK-NOT:   func.func private
func.func @wiring(%a: memref<8xf32>, %b: memref<8xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.addf %v, %s : f32
    %x = arith.mulf %w, %s : f32
    memref.store %x, %b[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.addf %v, %s : f32
    %x = arith.mulf %v, %s : f32
    memref.store %x, %b[%i] : memref<8xf32>
  }
  return
}

// -----

// mp-outline-parallel-loops: the same elementwise op on other buffers
// (also from another function) calls @ew_par0; another shape, or
// distinct-buffer knowledge lost (mp_noalias_args: a buffer chosen at run
// time), gets a function of its own.

#id = affine_map<(d0, d1) -> (d0, d1)>
// PAR-LABEL: func.func @ew(
// PAR:         call @ew_par0(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {mp_parallel_for} : (index, index, memref<256x256xf32>, memref<256x256xf32>) -> ()
// PAR:         call @ew_par0(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {mp_parallel_for} : (index, index, memref<256x256xf32>, memref<256x256xf32>) -> ()
// PAR:         call @ew_par1(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {mp_parallel_for} : (index, index, memref<256x128xf32>, memref<256x128xf32>) -> ()
// PAR:         call @ew_par2(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {mp_parallel_for} : (index, index, memref<256x256xf32>, memref<256x256xf32>) -> ()
// PAR-NEXT:    return
// PAR:       func.func private @ew_par0({{.+}}) attributes {mp_noalias_args, passthrough = ["noinline"]}
// PAR:       func.func private @ew_par1({{.+}}) attributes {mp_noalias_args, passthrough = ["noinline"]}
// PAR:       func.func private @ew_par2({{.+}}) attributes {passthrough = ["noinline"]}
// PAR-LABEL: func.func @other(
// PAR:         call @ew_par0(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {mp_parallel_for} : (index, index, memref<256x256xf32>, memref<256x256xf32>) -> ()
// PAR-NEXT:    return
// PAR-NOT:   func.func
func.func @ew(%p: i1, %a: memref<256x256xf32>, %b: memref<256x256xf32>,
              %c: memref<256x256xf32>, %d: memref<256x128xf32>, %e: memref<256x128xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%a : memref<256x256xf32>) outs(%b : memref<256x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %x : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%b : memref<256x256xf32>) outs(%c : memref<256x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %x : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%d : memref<256x128xf32>) outs(%e : memref<256x128xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %x : f32
    linalg.yield %r : f32
  }
  %m = arith.select %p, %a, %b : memref<256x256xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%m : memref<256x256xf32>) outs(%c : memref<256x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %x : f32
    linalg.yield %r : f32
  }
  return
}
func.func @other(%a: memref<256x256xf32>, %b: memref<256x256xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%b : memref<256x256xf32>) outs(%a : memref<256x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %x : f32
    linalg.yield %r : f32
  }
  return
}
