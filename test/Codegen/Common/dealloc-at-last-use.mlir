// RUN: mp-opt %s --mp-dealloc-at-last-use -split-input-file | FileCheck %s

// Straight-line code as ownership-based deallocation leaves it: every
// buffer freed by one bufferization.dealloc at the end. The temporaries
// are freed right after their last use (%a after the copy that reads its
// view, %b after the copy that reads it); %c, returned, stays.

// CHECK-LABEL: func.func @chain(
// CHECK-SAME:    %[[X:.+]]: memref<8xf32>)
// CHECK:         %[[A:.+]] = memref.alloc() : memref<8xf32>
// CHECK-NEXT:    memref.copy %[[X]], %[[A]]
// CHECK-NEXT:    %[[V:.+]] = memref.cast %[[A]]
// CHECK-NEXT:    %[[B:.+]] = memref.alloc() : memref<8xf32>
// CHECK-NEXT:    memref.copy %[[V]], %[[B]]
// CHECK-NEXT:    memref.dealloc %[[A]] : memref<8xf32>
// CHECK-NEXT:    %[[C:.+]] = memref.alloc() : memref<8xf32>
// CHECK-NEXT:    memref.copy %[[B]], %[[C]]
// CHECK-NEXT:    memref.dealloc %[[B]] : memref<8xf32>
// CHECK-NEXT:    %[[D:.+]] = memref.alloc() : memref<8xf32>
// CHECK-NEXT:    memref.dealloc %[[D]] : memref<8xf32>
// CHECK-NEXT:    bufferization.dealloc (%[[C]] : memref<8xf32>) if (%{{.+}}) retain (%[[C]] : memref<8xf32>)
// CHECK-NEXT:    return %[[C]]
func.func @chain(%x: memref<8xf32>) -> memref<8xf32> {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  %v = memref.cast %a : memref<8xf32> to memref<?xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.copy %v, %b : memref<?xf32> to memref<8xf32>
  %c = memref.alloc() : memref<8xf32>
  memref.copy %b, %c : memref<8xf32> to memref<8xf32>
  %d = memref.alloc() : memref<8xf32>
  %r = bufferization.dealloc (%a, %b, %c, %d : memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>) if (%true, %true, %true, %true) retain (%c : memref<8xf32>)
  return %c : memref<8xf32>
}

// -----

// Uses inside a region count at the op that holds the region; a buffer that
// only one branch yields is followed through the scf.if result.

// CHECK-LABEL: func.func @regions(
// CHECK:         %[[A:.+]] = memref.alloc()
// CHECK:         %[[IF:.+]] = scf.if
// CHECK:           memref.copy %[[A]]
// CHECK:         } else {
// CHECK-NEXT:      scf.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK-NEXT:    %[[B:.+]] = memref.alloc()
// CHECK:         %[[IF2:.+]] = scf.if
// CHECK:           scf.yield %[[B]]
// CHECK:         memref.copy %[[IF2]]
// CHECK-NEXT:    memref.dealloc %[[B]]
// CHECK-NEXT:    bufferization.dealloc (%[[R:.+]] : memref<8xf32>)
func.func @regions(%x: memref<8xf32>, %p: i1) -> memref<8xf32> {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  %s = scf.if %p -> memref<8xf32> {
    memref.copy %a, %x : memref<8xf32> to memref<8xf32>
    scf.yield %x : memref<8xf32>
  } else {
    scf.yield %x : memref<8xf32>
  }
  %b = memref.alloc() : memref<8xf32>
  %t = scf.if %p -> memref<8xf32> {
    scf.yield %b : memref<8xf32>
  } else {
    scf.yield %x : memref<8xf32>
  }
  %r = memref.alloc() : memref<8xf32>
  memref.copy %t, %r : memref<8xf32> to memref<8xf32>
  %o = bufferization.dealloc (%a, %b, %r : memref<8xf32>, memref<8xf32>, memref<8xf32>) if (%true, %true, %true) retain (%r : memref<8xf32>)
  return %r : memref<8xf32>
}

// -----

// Kept in the bufferization.dealloc: a buffer that may be returned (through
// arith.select), one owned only conditionally, one carried by a loop, and
// one the same dealloc also frees through an alias (its base buffer).

// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     memref.dealloc
// CHECK:         bufferization.dealloc (%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : {{.+}}) if (%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) retain
// CHECK-NOT:     memref.dealloc
func.func @kept(%x: memref<8xf32>, %p: i1, %n: index) -> memref<8xf32> {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<8xf32>
  %sel = arith.select %p, %a, %x : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  %l = memref.alloc() : memref<8xf32>
  %f = scf.for %i = %c0 to %n step %c1 iter_args(%it = %l) -> memref<8xf32> {
    scf.yield %it : memref<8xf32>
  }
  memref.copy %f, %x : memref<8xf32> to memref<8xf32>
  %d = memref.alloc() : memref<8xf32>
  %dv = memref.cast %d : memref<8xf32> to memref<?xf32>
  %dvb, %off, %size, %stride = memref.extract_strided_metadata %dv : memref<?xf32> -> memref<f32>, index, index, index
  %r = bufferization.dealloc (%a, %b, %l, %d, %dvb : memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<f32>) if (%true, %p, %true, %true, %true) retain (%sel : memref<8xf32>)
  return %sel : memref<8xf32>
}

// -----

// Everything moved out: the ownership results of the emptied dealloc (no
// buffer it frees could alias the retained value) become false.

// CHECK-LABEL: func.func @emptied(
// CHECK:         memref.dealloc
// CHECK-NOT:     bufferization.dealloc
// CHECK:         %[[F:.+]] = arith.constant false
// CHECK:         return %{{.+}}, %[[F]]
func.func @emptied(%x: memref<8xf32>) -> (memref<8xf32>, i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  %r = bufferization.dealloc (%a : memref<8xf32>) if (%true) retain (%x : memref<8xf32>)
  return %x, %r : memref<8xf32>, i1
}

// -----

// An alias that leaves the block (an scf.if result read after the region)
// is a use the block does not show: the buffer stays in the dealloc even
// though that dealloc does not list the alias as retained.

// CHECK-LABEL: func.func @escapes(
// CHECK-NOT:     memref.dealloc
// CHECK:         bufferization.dealloc (%{{.+}} : memref<8xf32>) if
// CHECK-NOT:     memref.dealloc
func.func @escapes(%x: memref<8xf32>, %p: i1) {
  %true = arith.constant true
  %r = scf.if %p -> memref<8xf32> {
    %a = memref.alloc() : memref<8xf32>
    %s = arith.select %p, %a, %x : memref<8xf32>
    bufferization.dealloc (%a : memref<8xf32>) if (%true)
    scf.yield %s : memref<8xf32>
  } else {
    scf.yield %x : memref<8xf32>
  }
  memref.copy %r, %x : memref<8xf32> to memref<8xf32>
  return
}
