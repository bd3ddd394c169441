// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-linalg-to-loops))' -split-input-file | FileCheck %s --check-prefixes=CHECK,MP
// RUN: mp-opt %s --convert-linalg-to-loops -split-input-file | FileCheck %s --check-prefixes=CHECK,UPSTREAM

// mp-linalg-to-loops lowers linalg ops on memrefs to scf.for nests as
// convert-linalg-to-loops does: one loop per iteration dimension, from 0 to
// the static size (or memref.dim) in steps of 1, outer to inner in
// dimension order; in the innermost body a memref.load per operand through
// its indexing map (the output too), the scalar body, and a memref.store of
// each yielded value. Linalg ops on tensors are left alone. CHECK holds
// for the pass and for upstream (same loops); the pass does not simplify
// regions (MP vs UPSTREAM below).

// CHECK-LABEL: func.func @generic(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<4x8xf32>, %[[B:[a-z0-9]+]]: memref<8x4xf32>, %[[O:[a-z0-9]+]]: memref<4x8xf32>) {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C8:.+]] = arith.constant 8 : index
// CHECK-NEXT:    scf.for %[[I:[a-z0-9]+]] = %[[C0]] to %[[C4]] step %[[C1]] {
// CHECK-NEXT:      scf.for %[[J:[a-z0-9]+]] = %[[C0]] to %[[C8]] step %[[C1]] {
// CHECK-NEXT:        %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:        %[[Y:.+]] = memref.load %[[B]][%[[J]], %[[I]]] : memref<8x4xf32>
// CHECK-NEXT:        %[[Z:.+]] = memref.load %[[O]][%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:        %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT:        %[[S:.+]] = arith.addf %[[P]], %[[Z]] : f32
// CHECK-NEXT:        memref.store %[[S]], %[[O]][%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @generic(%a: memref<4x8xf32>, %b: memref<8x4xf32>, %o: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x4xf32>) outs(%o : memref<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.mulf %x, %y : f32
    %t = arith.addf %s, %z : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// matmul: (m, n, k) loops with k innermost; the bf16 operands are extended
// to the f32 accumulator type.

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<4x8xbf16>, %[[B:[a-z0-9]+]]: memref<8x16xbf16>, %[[C:[a-z0-9]+]]: memref<4x16xf32>) {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C16:.+]] = arith.constant 16 : index
// CHECK-NEXT:    %[[C8:.+]] = arith.constant 8 : index
// CHECK-NEXT:    scf.for %[[M:[a-z0-9]+]] = %[[C0]] to %[[C4]] step %[[C1]] {
// CHECK-NEXT:      scf.for %[[N:[a-z0-9]+]] = %[[C0]] to %[[C16]] step %[[C1]] {
// CHECK-NEXT:        scf.for %[[K:[a-z0-9]+]] = %[[C0]] to %[[C8]] step %[[C1]] {
// CHECK-NEXT:          %[[X:.+]] = memref.load %[[A]][%[[M]], %[[K]]] : memref<4x8xbf16>
// CHECK-NEXT:          %[[Y:.+]] = memref.load %[[B]][%[[K]], %[[N]]] : memref<8x16xbf16>
// CHECK-NEXT:          %[[ACC:.+]] = memref.load %[[C]][%[[M]], %[[N]]] : memref<4x16xf32>
// CHECK-NEXT:          %[[X32:.+]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT:          %[[Y32:.+]] = arith.extf %[[Y]] : bf16 to f32
// CHECK-NEXT:          %[[P:.+]] = arith.mulf %[[X32]], %[[Y32]] : f32
// CHECK-NEXT:          %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT:          memref.store %[[S]], %[[C]][%[[M]], %[[N]]] : memref<4x16xf32>
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @matmul(%a: memref<4x8xbf16>, %b: memref<8x16xbf16>, %c: memref<4x16xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xbf16>, memref<8x16xbf16>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// Dynamic sizes: the bounds are memref.dims of the input; a reduction
// into a 1-d output.

// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<?x?xf32>, %[[O:[a-z0-9]+]]: memref<?xf32>) {
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[D0:.+]] = memref.dim %[[A]], %[[C0]] : memref<?x?xf32>
// CHECK-NEXT:    %[[D1:.+]] = memref.dim %[[A]], %[[C1]] : memref<?x?xf32>
// CHECK-NEXT:    scf.for %[[I:[a-z0-9]+]] = %[[C0]] to %[[D0]] step %[[C1]] {
// CHECK-NEXT:      scf.for %[[J:[a-z0-9]+]] = %[[C0]] to %[[D1]] step %[[C1]] {
// CHECK-NEXT:        %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK-NEXT:        %[[ACC:.+]] = memref.load %[[O]][%[[I]]] : memref<?xf32>
// CHECK-NEXT:        %[[MX:.+]] = arith.maximumf %[[X]], %[[ACC]] : f32
// CHECK-NEXT:        memref.store %[[MX]], %[[O]][%[[I]]] : memref<?xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @dynamic(%a: memref<?x?xf32>, %o: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.maximumf %x, %acc : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A non-trivial index (d0 + d1) stays an affine.apply.

// CHECK:       #[[SUM:.+]] = affine_map<(d0, d1) -> (d0 + d1)>
// CHECK-LABEL: func.func @conv1d(
// CHECK-SAME:    %[[IN:[a-z0-9]+]]: memref<10xf32>, %[[W:[a-z0-9]+]]: memref<3xf32>, %[[OUT:[a-z0-9]+]]: memref<8xf32>) {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C8:.+]] = arith.constant 8 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C3:.+]] = arith.constant 3 : index
// CHECK-NEXT:    scf.for %[[I:[a-z0-9]+]] = %[[C0]] to %[[C8]] step %[[C1]] {
// CHECK-NEXT:      scf.for %[[K:[a-z0-9]+]] = %[[C0]] to %[[C3]] step %[[C1]] {
// CHECK-NEXT:        %[[IK:.+]] = affine.apply #[[SUM]](%[[I]], %[[K]])
// CHECK-NEXT:        %[[X:.+]] = memref.load %[[IN]][%[[IK]]] : memref<10xf32>
// CHECK-NEXT:        %[[Y:.+]] = memref.load %[[W]][%[[K]]] : memref<3xf32>
// CHECK-NEXT:        %[[ACC:.+]] = memref.load %[[OUT]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:        %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT:        %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT:        memref.store %[[S]], %[[OUT]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @conv1d(%in: memref<10xf32>, %w: memref<3xf32>, %out: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 + d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%in, %w : memref<10xf32>, memref<3xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A fill and a generic reading linalg.index (it becomes the induction
// variable) on memrefs are lowered; the fill on a tensor is not.

// CHECK-LABEL: func.func @mixed(
// CHECK-SAME:    %[[IDX:[a-z0-9]+]]: memref<4xindex>, %[[F:[a-z0-9]+]]: memref<4xf32>, %[[T:[a-z0-9]+]]: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT:    %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    scf.for %[[I:[a-z0-9]+]] = %[[C0]] to %[[C4]] step %[[C1]] {
// CHECK-NEXT:      memref.store %[[Z]], %[[F]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.for %[[J:[a-z0-9]+]] = %[[C0]] to %[[C4]] step %[[C1]] {
// CHECK-NEXT:      memref.store %[[J]], %[[IDX]][%[[J]]] : memref<4xindex>
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[R:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[T]] : tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
// CHECK-NEXT:  }
func.func @mixed(%o: memref<4xindex>, %f: memref<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%f : memref<4xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%o : memref<4xindex>) {
  ^bb0(%x: index):
    %i = linalg.index 0 : index
    linalg.yield %i : index
  }
  %r = linalg.fill ins(%z : f32) outs(%t : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// In a CFG: the pass keeps the blocks; upstream's region simplification
// merges the two identical branches (and drops the block argument).

// CHECK-LABEL: func.func @cfg(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<4xf32>, %[[P:[a-z0-9]+]]: i1, %[[X:[a-z0-9]+]]: f32) {
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// MP-NEXT:       cf.cond_br %[[P]], ^[[T:bb[0-9]+]], ^[[F:bb[0-9]+]]
// MP-NEXT:     ^[[T]]:
// MP-NEXT:       cf.br ^[[J:bb[0-9]+]](%[[X]] : f32)
// MP-NEXT:     ^[[F]]:
// MP-NEXT:       cf.br ^[[J]](%[[X]] : f32)
// MP-NEXT:     ^[[J]](%[[V:[a-z0-9]+]]: f32):
// MP-NEXT:       scf.for %[[I:[a-z0-9]+]] = %[[C0]] to %[[C4]] step %[[C1]] {
// MP-NEXT:         memref.store %[[V]], %[[M]][%[[I]]] : memref<4xf32>
// UPSTREAM-NEXT: cf.cond_br %[[P]], ^[[T:bb[0-9]+]], ^[[T]]
// UPSTREAM-NEXT: ^[[T]]:
// UPSTREAM-NEXT: cf.br ^[[J:bb[0-9]+]]
// UPSTREAM-NEXT: ^[[J]]:
// UPSTREAM-NEXT: scf.for %[[I:[a-z0-9]+]] = %[[C0]] to %[[C4]] step %[[C1]] {
// UPSTREAM-NEXT:   memref.store %[[X]], %[[M]][%[[I]]] : memref<4xf32>
func.func @cfg(%m: memref<4xf32>, %p: i1, %x: f32) {
  cf.cond_br %p, ^bb1, ^bb2
^bb1:
  cf.br ^bb3(%x : f32)
^bb2:
  cf.br ^bb3(%x : f32)
^bb3(%v: f32):
  linalg.fill ins(%v : f32) outs(%m : memref<4xf32>)
  return
}

// -----

// Negative: linalg on tensors is left alone, ops and types unchanged.

// CHECK-LABEL: func.func @tensors(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: tensor<4x8xf32>, %[[B:[a-z0-9]+]]: tensor<8x16xf32>, %[[C:[a-z0-9]+]]: tensor<4x16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[C]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    %[[G:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel"]} ins(%[[MM]] : tensor<4x16xf32>) outs(%[[C]] : tensor<4x16xf32>) {
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f32, %[[OUT:[a-z0-9_]+]]: f32):
// CHECK-NEXT:      %[[N:.+]] = arith.negf %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[N]] : f32
// CHECK-NEXT:    } -> tensor<4x16xf32>
// CHECK-NEXT:    return %[[G]] : tensor<4x16xf32>
// CHECK-NEXT:  }
// CHECK-NOT:   scf.for
func.func @tensors(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<4x16xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<4x16xf32>
  return %g : tensor<4x16xf32>
}
