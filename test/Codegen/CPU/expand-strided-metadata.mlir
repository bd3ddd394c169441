// RUN: mp-opt %s --mp-expand-strided-metadata -split-input-file | FileCheck %s --check-prefixes=CHECK,MP
// RUN: mp-opt %s --expand-strided-metadata -split-input-file | FileCheck %s --check-prefixes=CHECK,UPSTREAM

// mp-expand-strided-metadata applies upstream's expand-strided-metadata
// patterns: a memref view (subview, collapse_shape, expand_shape) becomes a
// memref.reinterpret_cast of the base buffer of its source, with the
// offset, sizes and strides computed explicitly (constants where static,
// affine.apply of the source's metadata where dynamic). CHECK lines hold
// for both the pass and upstream --expand-strided-metadata (same ops); the
// only difference is that the pass does not simplify regions (MP vs
// UPSTREAM below).

// CHECK:       #[[OFF:.+]] = affine_map<()[s0] -> (s0 * 16 + 2)>
// CHECK-LABEL: func.func @subview(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<8x16xf32>, %[[I:[a-z0-9]+]]: index) -> memref<4x4xf32, strided<[16, 1], offset: ?>> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZES:[a-z0-9_]+]]:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[M]] : memref<8x16xf32> -> memref<f32>, index, index, index, index, index
// CHECK-NEXT:    %[[O:.+]] = affine.apply #[[OFF]]()[%[[I]]]
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[O]]], sizes: [4, 4], strides: [16, 1] : memref<f32> to memref<4x4xf32, strided<[16, 1], offset: ?>>
// CHECK-NEXT:    return %[[V]] : memref<4x4xf32, strided<[16, 1], offset: ?>>
// CHECK-NEXT:  }
func.func @subview(%m: memref<8x16xf32>, %i: index) -> memref<4x4xf32, strided<[16, 1], offset: ?>> {
  %s = memref.subview %m[%i, 2] [4, 4] [1, 1] : memref<8x16xf32> to memref<4x4xf32, strided<[16, 1], offset: ?>>
  return %s : memref<4x4xf32, strided<[16, 1], offset: ?>>
}

// -----

// Static offsets and strides fold to constants: 1 * 16 + 2 = 18,
// strides 16 * 2 and 1 * 2.

// CHECK-LABEL: func.func @static_subview(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<8x16xf32>) -> memref<4x7xf32, strided<[32, 2], offset: 18>> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZES:[a-z0-9_]+]]:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[M]] : memref<8x16xf32> -> memref<f32>, index, index, index, index, index
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [18], sizes: [4, 7], strides: [32, 2] : memref<f32> to memref<4x7xf32, strided<[32, 2], offset: 18>>
// CHECK-NEXT:    return %[[V]] : memref<4x7xf32, strided<[32, 2], offset: 18>>
// CHECK-NEXT:  }
func.func @static_subview(%m: memref<8x16xf32>) -> memref<4x7xf32, strided<[32, 2], offset: 18>> {
  %s = memref.subview %m[1, 2] [4, 7] [2, 2] : memref<8x16xf32> to memref<4x7xf32, strided<[32, 2], offset: 18>>
  return %s : memref<4x7xf32, strided<[32, 2], offset: 18>>
}

// -----

// A subview of a subview: one reinterpret_cast of the first source's base;
// offset i * s + 1 (first view) + s (row 1 of it), row stride 2 * s.

// CHECK:       #[[OFF1:.+]] = affine_map<()[s0, s1] -> (s0 * s1 + 1)>
// CHECK-NEXT:  #[[TWICE:.+]] = affine_map<()[s0] -> (s0 * 2)>
// CHECK-NEXT:  #[[ADD:.+]] = affine_map<()[s0, s1] -> (s0 + s1)>
// CHECK-LABEL: func.func @subview_of_subview(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<?x?xf32>, %[[I:[a-z0-9]+]]: index, %[[N:[a-z0-9]+]]: index) -> memref<2x?xf32, strided<[?, 2], offset: ?>> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZES:[a-z0-9_]+]]:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[M]] : memref<?x?xf32> -> memref<f32>, index, index, index, index, index
// CHECK-NEXT:    %[[O1:.+]] = affine.apply #[[OFF1]]()[%[[I]], %[[STRIDES]]#0]
// CHECK-NEXT:    %[[S0:.+]] = affine.apply #[[TWICE]]()[%[[STRIDES]]#0]
// CHECK-NEXT:    %[[O:.+]] = affine.apply #[[ADD]]()[%[[O1]], %[[STRIDES]]#0]
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[O]]], sizes: [2, %[[I]]], strides: [%[[S0]], 2] : memref<f32> to memref<2x?xf32, strided<[?, 2], offset: ?>>
// CHECK-NEXT:    return %[[V]] : memref<2x?xf32, strided<[?, 2], offset: ?>>
// CHECK-NEXT:  }
func.func @subview_of_subview(%m: memref<?x?xf32>, %i: index, %n: index) -> memref<2x?xf32, strided<[?, 2], offset: ?>> {
  %a = memref.subview %m[%i, 1] [4, %n] [1, 1] : memref<?x?xf32> to memref<4x?xf32, strided<[?, 1], offset: ?>>
  %b = memref.subview %a[1, 0] [2, %i] [2, 2] : memref<4x?xf32, strided<[?, 1], offset: ?>> to memref<2x?xf32, strided<[?, 2], offset: ?>>
  return %b : memref<2x?xf32, strided<[?, 2], offset: ?>>
}

// -----

// CHECK-LABEL: func.func @collapse(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<4x8xf32>) -> memref<32xf32> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZES:[a-z0-9_]+]]:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[M]] : memref<4x8xf32> -> memref<f32>, index, index, index, index, index
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [32], strides: [1] : memref<f32> to memref<32xf32>
// CHECK-NEXT:    return %[[V]] : memref<32xf32>
// CHECK-NEXT:  }
func.func @collapse(%m: memref<4x8xf32>) -> memref<32xf32> {
  %c = memref.collapse_shape %m [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  return %c : memref<32xf32>
}

// -----

// A dynamic collapsed size is the product of the source sizes.

// CHECK:       #[[PROD:.+]] = affine_map<()[s0] -> (s0 * 8)>
// CHECK-LABEL: func.func @dynamic_collapse(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<?x8xf32>) -> memref<?xf32> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZES:[a-z0-9_]+]]:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[M]] : memref<?x8xf32> -> memref<f32>, index, index, index, index, index
// CHECK-NEXT:    %[[N:.+]] = affine.apply #[[PROD]]()[%[[SIZES]]#0]
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[N]]], strides: [1] : memref<f32> to memref<?xf32>
// CHECK-NEXT:    return %[[V]] : memref<?xf32>
// CHECK-NEXT:  }
func.func @dynamic_collapse(%m: memref<?x8xf32>) -> memref<?xf32> {
  %c = memref.collapse_shape %m [[0, 1]] : memref<?x8xf32> into memref<?xf32>
  return %c : memref<?xf32>
}

// -----

// CHECK-LABEL: func.func @expand(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<32xf32>) -> memref<4x8xf32> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZE:[a-z0-9_]+]], %[[STRIDE:[a-z0-9_]+]] = memref.extract_strided_metadata %[[M]] : memref<32xf32> -> memref<f32>, index, index, index
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [4, 8], strides: [8, 1] : memref<f32> to memref<4x8xf32>
// CHECK-NEXT:    return %[[V]] : memref<4x8xf32>
// CHECK-NEXT:  }
func.func @expand(%m: memref<32xf32>) -> memref<4x8xf32> {
  %e = memref.expand_shape %m [[0, 1]] output_shape [4, 8] : memref<32xf32> into memref<4x8xf32>
  return %e : memref<4x8xf32>
}

// -----

// Same rewrite in a CFG; the pass keeps the blocks as they are, where
// upstream's region simplification merges the two identical branches.

// CHECK-LABEL: func.func @cfg(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<4x8xf32>, %[[P:[a-z0-9]+]]: i1) -> memref<32xf32> {
// CHECK-NEXT:    %[[BASE:[a-z0-9_]+]], %[[OFFSET:[a-z0-9_]+]], %[[SIZES:[a-z0-9_]+]]:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[M]] : memref<4x8xf32> -> memref<f32>, index, index, index, index, index
// CHECK-NEXT:    %[[V:.+]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [32], strides: [1] : memref<f32> to memref<32xf32>
// MP-NEXT:       cf.cond_br %[[P]], ^[[T:bb[0-9]+]], ^[[F:bb[0-9]+]]
// MP-NEXT:     ^[[T]]:
// MP-NEXT:       cf.br ^[[J:bb[0-9]+]](%[[V]] : memref<32xf32>)
// MP-NEXT:     ^[[F]]:
// MP-NEXT:       cf.br ^[[J]](%[[V]] : memref<32xf32>)
// MP-NEXT:     ^[[J]](%[[R:[a-z0-9]+]]: memref<32xf32>):
// MP-NEXT:       return %[[R]] : memref<32xf32>
// MP-NEXT:     }
// UPSTREAM-NEXT: cf.cond_br %[[P]], ^[[T:bb[0-9]+]], ^[[T]]
// UPSTREAM-NEXT: ^[[T]]:
// UPSTREAM-NEXT: cf.br ^[[J:bb[0-9]+]]
// UPSTREAM-NEXT: ^[[J]]:
// UPSTREAM-NEXT: return %[[V]] : memref<32xf32>
func.func @cfg(%m: memref<4x8xf32>, %p: i1) -> memref<32xf32> {
  %c = memref.collapse_shape %m [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  cf.cond_br %p, ^bb1, ^bb2
^bb1:
  cf.br ^bb3(%c : memref<32xf32>)
^bb2:
  cf.br ^bb3(%c : memref<32xf32>)
^bb3(%r: memref<32xf32>):
  return %r : memref<32xf32>
}

// -----

// Negative: no view; loads, stores, alloc and dealloc are left alone.

// CHECK-LABEL: func.func @no_views(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<8xf32>, %[[I:[a-z0-9]+]]: index) -> f32 {
// CHECK-NEXT:    %[[V:.+]] = memref.load %[[M]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:    %[[A:.+]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    memref.store %[[V]], %[[A]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:    memref.dealloc %[[A]] : memref<4xf32>
// CHECK-NEXT:    return %[[V]] : f32
// CHECK-NEXT:  }
func.func @no_views(%m: memref<8xf32>, %i: index) -> f32 {
  %v = memref.load %m[%i] : memref<8xf32>
  %a = memref.alloc() : memref<4xf32>
  memref.store %v, %a[%i] : memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return %v : f32
}
