// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-copies))' -split-input-file | FileCheck %s

// mp-gpu-copies: on buffers (after bufferization and deallocation), each
// memref.copy between two device buffers becomes a linalg.copy with the
// same source and target (strided views and copies nested in regions
// included), so that it is lowered to a kernel like every other linalg
// op. Copies from or to host buffers (stack allocations, buffers passed to
// a func.call such as the deallocation helper's arrays, index buffers) and
// the bodies of the dealloc_helper functions are left alone.

// CHECK-LABEL: func.func @device(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<4x8x32xf32>, %[[Y:[a-z0-9]+]]: memref<32x32xf32>, %[[P:[a-z0-9]+]]: i1)
// CHECK-NEXT:    %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x8x32xf32>
// CHECK-NEXT:    linalg.copy ins(%[[X]] : memref<4x8x32xf32>) outs(%[[A]] : memref<4x8x32xf32>)
// CHECK-NEXT:    %[[E:.+]] = memref.expand_shape %[[Y]]
// CHECK-NEXT:    linalg.copy ins(%[[E]] : memref<4x8x32xf32>) outs(%[[A]] : memref<4x8x32xf32>)
// CHECK-NEXT:    %[[SV:.+]] = memref.subview %[[Y]][8, 0] [8, 32] [1, 1]
// CHECK-NEXT:    %[[B:.+]] = memref.alloc() : memref<8x32xf32>
// CHECK-NEXT:    scf.if %[[P]] {
// CHECK-NEXT:      linalg.copy ins(%[[SV]] : memref<8x32xf32, strided<[32, 1], offset: 256>>) outs(%[[B]] : memref<8x32xf32>)
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[A]], %[[B]]
// CHECK-NOT:     memref.copy
func.func @device(%x: memref<4x8x32xf32>, %y: memref<32x32xf32>, %p: i1) -> (memref<4x8x32xf32>, memref<8x32xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<4x8x32xf32>
  memref.copy %x, %a : memref<4x8x32xf32> to memref<4x8x32xf32>
  %e = memref.expand_shape %y [[0, 1], [2]] output_shape [4, 8, 32] : memref<32x32xf32> into memref<4x8x32xf32>
  memref.copy %e, %a : memref<4x8x32xf32> to memref<4x8x32xf32>
  %sv = memref.subview %y[8, 0] [8, 32] [1, 1] : memref<32x32xf32> to memref<8x32xf32, strided<[32, 1], offset: 256>>
  %b = memref.alloc() : memref<8x32xf32>
  scf.if %p {
    memref.copy %sv, %b : memref<8x32xf32, strided<[32, 1], offset: 256>> to memref<8x32xf32>
  }
  return %a, %b : memref<4x8x32xf32>, memref<8x32xf32>
}

// -----

// Host buffers: a stack allocation (both directions), an ownership array
// passed (through a memref.cast) to the deallocation helper, an index
// buffer. Nothing changes.
// CHECK-LABEL: func.func @host(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<4xf32>, %[[M:[a-z0-9]+]]: memref<3xi1>, %[[N:[a-z0-9]+]]: memref<3xindex>)
// CHECK-NEXT:    %[[S:.+]] = memref.alloca() : memref<4xf32>
// CHECK-NEXT:    memref.copy %[[X]], %[[S]] : memref<4xf32> to memref<4xf32>
// CHECK-NEXT:    memref.copy %[[S]], %[[X]] : memref<4xf32> to memref<4xf32>
// CHECK-NEXT:    %[[O:.+]] = memref.alloc() : memref<3xi1>
// CHECK-NEXT:    memref.copy %[[M]], %[[O]] : memref<3xi1> to memref<3xi1>
// CHECK-NEXT:    %[[I:.+]] = memref.alloc() : memref<3xindex>
// CHECK-NEXT:    memref.copy %[[N]], %[[I]] : memref<3xindex> to memref<3xindex>
// CHECK-NEXT:    %[[CI:.+]] = memref.cast %[[I]]
// CHECK-NEXT:    %[[CO:.+]] = memref.cast %[[O]]
// CHECK-NEXT:    call @dealloc_helper(%[[CI]], %[[CO]])
// CHECK-NOT:     linalg.copy
func.func private @dealloc_helper(memref<?xindex>, memref<?xi1>)
func.func @host(%x: memref<4xf32>, %m: memref<3xi1>, %n: memref<3xindex>) {
  %s = memref.alloca() : memref<4xf32>
  memref.copy %x, %s : memref<4xf32> to memref<4xf32>
  memref.copy %s, %x : memref<4xf32> to memref<4xf32>
  %o = memref.alloc() : memref<3xi1>
  memref.copy %m, %o : memref<3xi1> to memref<3xi1>
  %i = memref.alloc() : memref<3xindex>
  memref.copy %n, %i : memref<3xindex> to memref<3xindex>
  %ci = memref.cast %i : memref<3xindex> to memref<?xindex>
  %co = memref.cast %o : memref<3xi1> to memref<?xi1>
  call @dealloc_helper(%ci, %co) : (memref<?xindex>, memref<?xi1>) -> ()
  return
}

// -----

// A view of a host buffer is host memory too: a copy into a subview of a
// stack allocation, or out of a reshaped one, stays a host memref.copy.
// CHECK-LABEL: func.func @host_views(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<2xf32>, %[[Y:[a-z0-9]+]]: memref<8xf32>)
// CHECK-NEXT:    %[[S:.+]] = memref.alloca() : memref<2x4xf32>
// CHECK-NEXT:    %[[V:.+]] = memref.subview %[[S]][0, 0] [1, 2] [1, 1]
// CHECK-NEXT:    %[[V1:.+]] = memref.collapse_shape %[[V]]
// CHECK-NEXT:    memref.copy %[[X]], %[[V1]]
// CHECK-NEXT:    %[[F:.+]] = memref.collapse_shape %[[S]] {{\[\[}}0, 1]]
// CHECK-NEXT:    memref.copy %[[F]], %[[Y]]
// CHECK-NOT:     linalg.copy
func.func @host_views(%x: memref<2xf32>, %y: memref<8xf32>) {
  %s = memref.alloca() : memref<2x4xf32>
  %v = memref.subview %s[0, 0] [1, 2] [1, 1] : memref<2x4xf32> to memref<1x2xf32, strided<[4, 1]>>
  %v1 = memref.collapse_shape %v [[0, 1]] : memref<1x2xf32, strided<[4, 1]>> into memref<2xf32, strided<[1]>>
  memref.copy %x, %v1 : memref<2xf32> to memref<2xf32, strided<[1]>>
  %f = memref.collapse_shape %s [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  memref.copy %f, %y : memref<8xf32> to memref<8xf32>
  return
}

// -----

// The deallocation helper itself runs on the host: its copies stay.
// CHECK-LABEL: func.func private @dealloc_helper_0(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<?xi1>, %[[B:[a-z0-9]+]]: memref<?xi1>)
// CHECK-NEXT:    memref.copy %[[A]], %[[B]] : memref<?xi1> to memref<?xi1>
// CHECK-NEXT:    return
func.func private @dealloc_helper_0(%a: memref<?xi1>, %b: memref<?xi1>) {
  memref.copy %a, %b : memref<?xi1> to memref<?xi1>
  return
}
