// RUN: mp-opt %s --mp-outline-parallel-loops="min-work=100" -split-input-file | FileCheck %s

// An elementwise op (bf16 output, a row-broadcast input): the loop nest
// moves to @ew_par0, its outer loop running over (%begin, %end); the call
// covers the whole range [0, 256) and is marked for the runtime's pool.
// Its memrefs are distinct buffers (the caller's arguments):
// mp_noalias_args.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @ew(
// CHECK-SAME:    %[[A:.+]]: memref<256x1024xf32>, %[[R:.+]]: memref<256xf32>, %[[B:.+]]: memref<256x1024xbf16>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C256:.+]] = arith.constant 256 : index
// CHECK-NOT:     linalg.generic
// CHECK:         call @ew_par0(%[[C0]], %[[C256]], %[[A]], %[[R]], %[[B]]) {mp_parallel_for} : (index, index, memref<256x1024xf32>, memref<256xf32>, memref<256x1024xbf16>) -> ()
// CHECK-NEXT:    return
// CHECK:       func.func private @ew_par0(%[[BEGIN:.+]]: index, %[[END:.+]]: index, %[[A2:.+]]: memref<256x1024xf32>, %[[R2:.+]]: memref<256xf32>, %[[B2:.+]]: memref<256x1024xbf16>) attributes {mp_noalias_args, passthrough = ["noinline"]}
// CHECK-DAG:     %[[C1024:.+]] = arith.constant 1024 : index
// CHECK:         scf.for %[[I:.+]] = %[[BEGIN]] to %[[END]] step %{{.+}} {
// CHECK-NEXT:      scf.for %[[J:.+]] = %{{.+}} to %[[C1024]] step %{{.+}} {
// CHECK:             %[[X:.+]] = memref.load %[[A2]]
// CHECK:             %[[S:.+]] = memref.load %[[R2]]
// CHECK:             %[[M:.+]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK-NEXT:        %[[T:.+]] = arith.truncf %[[M]] : f32 to bf16
// CHECK-NEXT:        memref.store %[[T]], %[[B2]]
// CHECK:         return
func.func @ew(%a: memref<256x1024xf32>, %r: memref<256xf32>, %b: memref<256x1024xbf16>) {
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
    ins(%a, %r : memref<256x1024xf32>, memref<256xf32>) outs(%b : memref<256x1024xbf16>) {
  ^bb0(%x: f32, %s: f32, %y: bf16):
    %m = arith.mulf %x, %s : f32
    %t = arith.truncf %m : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

// Column sums: loop 0 is a reduction, so loop 1 (parallel, in the output)
// is split; the loop order stays, each column is summed in the same order.

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @colsum(
// CHECK:         %[[C1024:.+]] = arith.constant 1024 : index
// CHECK:         call @colsum_par0(%{{.+}}, %[[C1024]], %{{.+}}, %{{.+}}) {mp_parallel_for}
// CHECK:       func.func private @colsum_par0(%[[BEGIN:.+]]: index, %[[END:.+]]: index,
// CHECK-DAG:     %[[C64:.+]] = arith.constant 64 : index
// CHECK:         scf.for %{{.+}} = %{{.+}} to %[[C64]] step
// CHECK-NEXT:      scf.for %{{.+}} = %[[BEGIN]] to %[[END]] step
// CHECK:             arith.addf
func.func @colsum(%a: memref<64x1024xf32>, %s: memref<1024xf32>) {
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
    ins(%a : memref<64x1024xf32>) outs(%s : memref<1024xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Kept for mp-linalg-to-loops: a full sum (no parallel loop), too little
// work (4x4), a zero trip count, and a read of the output's buffer through
// another view (a transpose: iterations would race).

#id = affine_map<(d0, d1) -> (d0, d1)>
#none = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @kept(
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT:     call
// CHECK-NOT:     func.func private
func.func @kept(%a: memref<256x256xf32>, %s: memref<f32>, %t: memref<4x4xf32>,
                %z: memref<0x4096xf32>) {
  linalg.generic {indexing_maps = [#id, #none], iterator_types = ["reduction", "reduction"]}
    ins(%a : memref<256x256xf32>) outs(%s : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
    outs(%t : memref<4x4xf32>) {
  ^bb0(%y: f32):
    %r = arith.addf %y, %y : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
    outs(%z : memref<0x4096xf32>) {
  ^bb0(%y: f32):
    %r = arith.addf %y, %y : f32
    linalg.yield %r : f32
  }
  %tr = memref.transpose %a (i, j) -> (j, i) : memref<256x256xf32> to memref<256x256xf32, strided<[1, 256]>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%tr : memref<256x256xf32, strided<[1, 256]>>) outs(%a : memref<256x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Dynamic sizes, in place (the input is the output: one argument), inside
// scf.for and scf.if: the work is computed at run time (2 per element x
// rows x cols) and picks the marked call or the same call unmarked.

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @dyn(
// CHECK-SAME:    %[[A:.+]]: memref<?x?xf32>, %[[N:.+]]: index, %[[P:.+]]: i1)
// CHECK:         scf.for
// CHECK-NEXT:      scf.if %[[P]] {
// CHECK-DAG:         %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:         %[[ROWS:.+]] = memref.dim %[[A]], %[[C0]]
// CHECK-DAG:         %[[COLS:.+]] = memref.dim %[[A]], %{{.+}}
// CHECK-DAG:         %[[C3:.+]] = arith.constant 3 : index
// CHECK:             %[[W0:.+]] = arith.muli %[[C3]], %[[ROWS]] : index
// CHECK-NEXT:        %[[W:.+]] = arith.muli %[[W0]], %[[COLS]] : index
// CHECK-NEXT:        %[[MIN:.+]] = arith.constant 100 : index
// CHECK-NEXT:        %[[BIG:.+]] = arith.cmpi uge, %[[W]], %[[MIN]] : index
// CHECK-NEXT:        scf.if %[[BIG]] {
// CHECK-NEXT:          func.call @dyn_par0(%{{.+}}, %[[ROWS]], %[[A]]) {mp_parallel_for} : (index, index, memref<?x?xf32>) -> ()
// CHECK-NEXT:        } else {
// CHECK-NEXT:          func.call @dyn_par0(%{{.+}}, %[[ROWS]], %[[A]]) : (index, index, memref<?x?xf32>) -> ()
// CHECK-NEXT:        }
// CHECK:       func.func private @dyn_par0(%[[BEGIN:.+]]: index, %[[END:.+]]: index, %[[A2:.+]]: memref<?x?xf32>)
// CHECK:         %[[COLS2:.+]] = memref.dim %[[A2]]
// CHECK:         scf.for %{{.+}} = %[[BEGIN]] to %[[END]] step
// CHECK-NEXT:      scf.for %{{.+}} = %{{.+}} to %[[COLS2]] step
func.func @dyn(%a: memref<?x?xf32>, %n: index, %p: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    scf.if %p {
      linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%a : memref<?x?xf32>) outs(%a : memref<?x?xf32>) {
      ^bb0(%x: f32, %y: f32):
        %m = arith.addf %x, %y : f32
        linalg.yield %m : f32
      }
    }
  }
  return
}

// -----

// A buffer chosen at run time (arith.select) may be another argument's:
// split, but without mp_noalias_args.

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @select_root(
// CHECK:         call @select_root_par0({{.+}}) {mp_parallel_for}
// CHECK:       func.func private @select_root_par0({{.+}}) attributes {passthrough = ["noinline"]}
func.func @select_root(%p: i1, %a: memref<256x256xf32>, %b: memref<256x256xf32>, %c: memref<256x256xf32>) {
  %m = arith.select %p, %a, %b : memref<256x256xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%m : memref<256x256xf32>) outs(%c : memref<256x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %x : f32
    linalg.yield %r : f32
  }
  return
}
