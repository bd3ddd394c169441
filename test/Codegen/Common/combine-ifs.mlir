// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-combine-ifs))' -split-input-file | FileCheck %s
// The pipelines' canonicalizer leaves upstream's CombineIfs out by its
// debug name; this checks that the name still matches (two ifs stay two).
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(canonicalize{disable-patterns="(anonymous namespace)::CombineIfs"}))' -split-input-file | FileCheck %s --check-prefix=CANON

// The deallocation shape: one if per returned buffer, all on one
// condition. Three become one, branches in order, results in order; the
// third if's then branch read the first's result: it now reads what the
// first then branch yielded (%x), its else branch the first's clone.

// CHECK-LABEL: func.func @run(
// CHECK-SAME:    %[[C:[a-z0-9_]+]]: i1, %[[X:[a-z0-9_]+]]: memref<4xf32>, %[[Y:[a-z0-9_]+]]: memref<8xf32>)
// CHECK-NEXT:    %[[R:.+]]:3 = scf.if %[[C]] -> (memref<4xf32>, memref<8xf32>, memref<4xf32>) {
// CHECK-NEXT:      %[[S:.+]] = memref.subview %[[X]][0] [2] [1]
// CHECK-NEXT:      memref.copy %[[S]], %[[S]]
// CHECK-NEXT:      scf.yield %[[X]], %[[Y]], %[[X]] : memref<4xf32>, memref<8xf32>, memref<4xf32>
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %[[A:.+]] = bufferization.clone %[[X]]
// CHECK-NEXT:      %[[B:.+]] = bufferization.clone %[[Y]]
// CHECK-NEXT:      %[[D:.+]] = bufferization.clone %[[A]]
// CHECK-NEXT:      scf.yield %[[A]], %[[B]], %[[D]] : memref<4xf32>, memref<8xf32>, memref<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1, %[[R]]#2
// CANON-LABEL: func.func @run(
// CANON-COUNT-3: scf.if
// CANON-NOT:     scf.if
// CANON:         return
func.func @run(%c: i1, %x: memref<4xf32>, %y: memref<8xf32>) -> (memref<4xf32>, memref<8xf32>, memref<4xf32>) {
  %0 = scf.if %c -> (memref<4xf32>) {
    scf.yield %x : memref<4xf32>
  } else {
    %a = bufferization.clone %x : memref<4xf32> to memref<4xf32>
    scf.yield %a : memref<4xf32>
  }
  %1 = scf.if %c -> (memref<8xf32>) {
    scf.yield %y : memref<8xf32>
  } else {
    %b = bufferization.clone %y : memref<8xf32> to memref<8xf32>
    scf.yield %b : memref<8xf32>
  }
  %2 = scf.if %c -> (memref<4xf32>) {
    %s = memref.subview %0[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
    memref.copy %s, %s : memref<2xf32, strided<[1]>> to memref<2xf32, strided<[1]>>
    scf.yield %0 : memref<4xf32>
  } else {
    %d = bufferization.clone %0 : memref<4xf32> to memref<4xf32>
    scf.yield %d : memref<4xf32>
  }
  return %0, %1, %2 : memref<4xf32>, memref<8xf32>, memref<4xf32>
}

// -----

// Not merged: a different condition, an op in between. The two ifs
// without results or else region merge into one without an else region;
// an if with an else region joins them and brings one.

// CHECK-LABEL: func.func @apart(
// CHECK-SAME:    %[[C:[a-z0-9_]+]]: i1, %[[D:[a-z0-9_]+]]: i1, %[[M:[a-z0-9_]+]]: memref<4xf32>
// CHECK-NEXT:    %[[F:.+]] = arith.constant 1.0
// CHECK-NEXT:    scf.if %[[C]] {
// CHECK-NEXT:      memref.store %[[F]], %[[M]][%{{.+}}]
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.if %[[D]] {
// CHECK-NEXT:      memref.store %[[F]], %[[M]][%{{.+}}]
// CHECK-NEXT:    }
// CHECK-NEXT:    arith.constant 0 : index
// CHECK-NEXT:    scf.if %[[D]] {
// CHECK-NEXT:      memref.store
// CHECK-NEXT:      memref.store
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.if %[[C]] {
// CHECK-NEXT:      memref.store
// CHECK-NEXT:      memref.store
// CHECK-NEXT:    } else {
// CHECK-NEXT:      memref.store
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @apart(%c: i1, %d: i1, %m: memref<4xf32>, %i: index) {
  %f = arith.constant 1.0 : f32
  scf.if %c {
    memref.store %f, %m[%i] : memref<4xf32>
  }
  scf.if %d {
    memref.store %f, %m[%i] : memref<4xf32>
  }
  %z = arith.constant 0 : index
  scf.if %d {
    memref.store %f, %m[%z] : memref<4xf32>
  }
  scf.if %d {
    memref.store %f, %m[%i] : memref<4xf32>
  }
  scf.if %c {
    memref.store %f, %m[%z] : memref<4xf32>
  }
  scf.if %c {
    memref.store %f, %m[%i] : memref<4xf32>
  } else {
    memref.store %f, %m[%z] : memref<4xf32>
  }
  return
}

// -----

// Runs inside a branch merge too, and the outer run around them.

// CHECK-LABEL: func.func @nested(
// CHECK-SAME:    %[[C:[a-z0-9_]+]]: i1, %[[D:[a-z0-9_]+]]: i1, %[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32)
// CHECK-NEXT:    %[[R:.+]]:3 = scf.if %[[C]] -> (f32, f32, f32) {
// CHECK-NEXT:      %[[I:.+]]:2 = scf.if %[[D]] -> (f32, f32) {
// CHECK-NEXT:        scf.yield %[[X]], %[[Y]] : f32, f32
// CHECK-NEXT:      } else {
// CHECK-NEXT:        scf.yield %[[Y]], %[[X]] : f32, f32
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[I]]#0, %[[I]]#1
// CHECK-NEXT:      scf.yield %[[S]], %[[X]], %[[S]] : f32, f32, f32
// CHECK-NEXT:    } else {
// CHECK-NEXT:      scf.yield %[[Y]], %[[Y]], %[[Y]] : f32, f32, f32
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @nested(%c: i1, %d: i1, %x: f32, %y: f32) -> (f32, f32, f32) {
  %0 = scf.if %c -> (f32) {
    %a = scf.if %d -> (f32) {
      scf.yield %x : f32
    } else {
      scf.yield %y : f32
    }
    %b = scf.if %d -> (f32) {
      scf.yield %y : f32
    } else {
      scf.yield %x : f32
    }
    %s = arith.addf %a, %b : f32
    scf.yield %s : f32
  } else {
    scf.yield %y : f32
  }
  %1:2 = scf.if %c -> (f32, f32) {
    scf.yield %x, %0 : f32, f32
  } else {
    scf.yield %y, %0 : f32, f32
  }
  return %0, %1#0, %1#1 : f32, f32, f32
}
