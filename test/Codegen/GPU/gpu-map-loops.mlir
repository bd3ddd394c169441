// RUN: mp-opt %s --mp-gpu-map-loops -split-input-file | FileCheck %s
// RUN: mp-opt %s --mp-gpu-map-loops="block-size=64" -split-input-file | FileCheck %s --check-prefix=B64

// mp-gpu-map-loops: on buffers, in each host function (not the
// dealloc_helper functions), before convert-parallel-loops-to-gpu:
// - every top-level scf.parallel without a mapping is tiled: the innermost
//   dimension min(32, trip) wide (the whole block-size, default 256, for
//   1-D loops), then y and z (z at most 64) with what is left of the
//   block; the tile loop is mapped to blocks, the loop inside it to
//   threads, innermost dimension to x, then y, z, the rest sequential;
//   scf.parallel loops nested inside are sequential;
// - runs of top-level ops that read or write device buffers but are not
//   scf.parallel (sequential loops, 0-d code), with the pure ops after them
//   that use their results, are wrapped into a 1-iteration scf.parallel
//   mapped to block_x, every scf.parallel inside it sequential.
// Constants are moved to the top of the function (they never split a
// group); host buffers (stack allocations, buffers passed to calls, index
// buffers) are not device buffers.

// 1-D: one 256-thread block per tile (1000 is not a multiple: affine.min);
// 2-D 64x784: 8x32 threads; 3-D 4x16x64: 1x8x32 threads.
// CHECK-DAG: #[[$MIN256:.+]] = affine_map<(d0, d1, d2) -> (256, d1 - d2)>
// CHECK-DAG: #[[$MIN32:.+]] = affine_map<(d0, d1, d2) -> (32, d1 - d2)>
// CHECK-LABEL: func.func @parallel(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<1000xf32>, %[[Y:[a-z0-9]+]]: memref<64x784xf16>, %[[Z:[a-z0-9]+]]: memref<4x16x64xf32>)
// CHECK-DAG:     %[[C0:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C4:[a-z0-9_]+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-DAG:     %[[C16:[a-z0-9_]+]] = arith.constant 16 : index
// CHECK-DAG:     %[[C32:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-DAG:     %[[C64:[a-z0-9_]+]] = arith.constant 64 : index
// CHECK-DAG:     %[[C256:[a-z0-9_]+]] = arith.constant 256 : index
// CHECK-DAG:     %[[C784:[a-z0-9_]+]] = arith.constant 784 : index
// CHECK-DAG:     %[[C1000:[a-z0-9_]+]] = arith.constant 1000 : index
// CHECK-DAG:     %[[CST:[a-z0-9_]+]] = arith.constant 0.000000e+00 : f32
// CHECK:         scf.parallel (%[[B:.+]]) = (%[[C0]]) to (%[[C1000]]) step (%[[C256]]) {
// CHECK-NEXT:      %[[N:.+]] = affine.min #[[$MIN256]](%[[C256]], %[[C1000]], %[[B]])
// CHECK-NEXT:      scf.parallel (%[[T:.+]]) = (%[[C0]]) to (%[[N]]) step (%[[C1]]) {
// CHECK-NEXT:        %[[I:.+]] = arith.addi %[[T]], %[[B]] : index
// CHECK-NEXT:        memref.store %[[CST]], %[[X]][%[[I]]] : memref<1000xf32>
// CHECK-NEXT:        scf.reduce
// CHECK-NEXT:      } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    scf.parallel (%[[BY:.+]], %[[BX:.+]]) = (%[[C0]], %[[C0]]) to (%[[C64]], %[[C784]]) step (%[[C8]], %[[C32]]) {
// CHECK-NEXT:      %[[NX:.+]] = affine.min #[[$MIN32]](%[[C32]], %[[C784]], %[[BX]])
// CHECK-NEXT:      scf.parallel (%[[TY:.+]], %[[TX:.+]]) = (%[[C0]], %[[C0]]) to (%[[C8]], %[[NX]]) step (%[[C1]], %[[C1]]) {
// CHECK-NEXT:        %[[IY:.+]] = arith.addi %[[TY]], %[[BY]] : index
// CHECK-NEXT:        %[[IX:.+]] = arith.addi %[[TX]], %[[BX]] : index
// CHECK-NEXT:        %[[V:.+]] = memref.load %[[Y]][%[[IY]], %[[IX]]] : memref<64x784xf16>
// CHECK-NEXT:        %[[NEG:.+]] = arith.negf %[[V]] : f16
// CHECK-NEXT:        memref.store %[[NEG]], %[[Y]][%[[IY]], %[[IX]]] : memref<64x784xf16>
// CHECK-NEXT:        scf.reduce
// CHECK-NEXT:      } {mapping = [#gpu.loop_dim_map<processor = thread_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    scf.parallel (%[[BZ3:.+]], %[[BY3:.+]], %[[BX3:.+]]) = (%[[C0]], %[[C0]], %[[C0]]) to (%[[C4]], %[[C16]], %[[C64]]) step (%[[C1]], %[[C8]], %[[C32]]) {
// CHECK-NEXT:      scf.parallel (%[[TZ3:.+]], %[[TY3:.+]], %[[TX3:.+]]) = (%[[C0]], %[[C0]], %[[C0]]) to (%[[C1]], %[[C8]], %[[C32]]) step (%[[C1]], %[[C1]], %[[C1]]) {
// CHECK-NEXT:        %[[IZ3:.+]] = arith.addi %[[TZ3]], %[[BZ3]] : index
// CHECK-NEXT:        %[[IY3:.+]] = arith.addi %[[TY3]], %[[BY3]] : index
// CHECK-NEXT:        %[[IX3:.+]] = arith.addi %[[TX3]], %[[BX3]] : index
// CHECK-NEXT:        memref.store %[[CST]], %[[Z]][%[[IZ3]], %[[IY3]], %[[IX3]]] : memref<4x16x64xf32>
// CHECK-NEXT:        scf.reduce
// CHECK-NEXT:      } {mapping = [#gpu.loop_dim_map<processor = thread_z, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_z, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    return

// block-size=64: 1-D tiles of 64, 2-D 2x32, 3-D 1x2x32.
// B64-DAG: #[[$MIN64:.+]] = affine_map<(d0, d1, d2) -> (64, d1 - d2)>
// B64-LABEL: func.func @parallel(
// B64-DAG:     %[[C0:[a-z0-9_]+]] = arith.constant 0 : index
// B64-DAG:     %[[C1:[a-z0-9_]+]] = arith.constant 1 : index
// B64-DAG:     %[[C2:[a-z0-9_]+]] = arith.constant 2 : index
// B64-DAG:     %[[C32:[a-z0-9_]+]] = arith.constant 32 : index
// B64-DAG:     %[[C64:[a-z0-9_]+]] = arith.constant 64 : index
// B64-DAG:     %[[C1000:[a-z0-9_]+]] = arith.constant 1000 : index
// B64:         scf.parallel (%[[B:.+]]) = (%[[C0]]) to (%[[C1000]]) step (%[[C64]]) {
// B64-NEXT:      %[[N:.+]] = affine.min #[[$MIN64]](%[[C64]], %[[C1000]], %[[B]])
// B64-NEXT:      scf.parallel (%{{.+}}) = (%[[C0]]) to (%[[N]]) step (%[[C1]]) {
// B64:           scf.parallel (%{{.+}}, %{{.+}}) = (%[[C0]], %[[C0]]) to (%{{.+}}, %{{.+}}) step (%[[C2]], %[[C32]]) {
// B64-NEXT:        affine.min
// B64-NEXT:        scf.parallel (%{{.+}}, %{{.+}}) = (%[[C0]], %[[C0]]) to (%[[C2]], %{{.+}}) step (%[[C1]], %[[C1]]) {
// B64:           scf.parallel (%{{.+}}, %{{.+}}, %{{.+}}) = (%[[C0]], %[[C0]], %[[C0]]) to (%{{.+}}, %{{.+}}, %{{.+}}) step (%[[C1]], %[[C2]], %[[C32]]) {
// B64-NEXT:        scf.parallel (%{{.+}}, %{{.+}}, %{{.+}}) = (%[[C0]], %[[C0]], %[[C0]]) to (%[[C1]], %[[C2]], %[[C32]]) step (%[[C1]], %[[C1]], %[[C1]]) {
func.func @parallel(%x: memref<1000xf32>, %y: memref<64x784xf16>, %z: memref<4x16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c784 = arith.constant 784 : index
  %c1000 = arith.constant 1000 : index
  %cst = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c1000) step (%c1) {
    memref.store %cst, %x[%i] : memref<1000xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c784) step (%c1, %c1) {
    %v = memref.load %y[%i, %j] : memref<64x784xf16>
    %n = arith.negf %v : f16
    memref.store %n, %y[%i, %j] : memref<64x784xf16>
    scf.reduce
  }
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c4, %c16, %c64) step (%c1, %c1, %c1) {
    memref.store %cst, %z[%i, %j, %k] : memref<4x16x64xf32>
    scf.reduce
  }
  return
}

// -----

// 4-D: the outermost dimension is sequential (tile 1); z gets what is left
// of the block after 8x32 threads (1).
// CHECK-LABEL: func.func @four_d(
// CHECK-DAG:     %[[C0:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:[a-z0-9_]+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:[a-z0-9_]+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-DAG:     %[[C32:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-DAG:     %[[C64:[a-z0-9_]+]] = arith.constant 64 : index
// CHECK:         scf.parallel ({{.+}}) = (%[[C0]], %[[C0]], %[[C0]], %[[C0]]) to (%[[C2]], %[[C4]], %[[C8]], %[[C64]]) step (%[[C1]], %[[C1]], %[[C8]], %[[C32]]) {
// CHECK-NEXT:      scf.parallel ({{.+}}) = (%[[C0]], %[[C0]], %[[C0]], %[[C0]]) to (%[[C1]], %[[C1]], %[[C8]], %[[C32]]) step (%[[C1]], %[[C1]], %[[C1]], %[[C1]]) {
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_z, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_z, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
func.func @four_d(%z: memref<2x4x8x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 0.0 : f32
  scf.parallel (%a, %b, %c, %d) = (%c0, %c0, %c0, %c0) to (%c2, %c4, %c8, %c64) step (%c1, %c1, %c1, %c1) {
    memref.store %cst, %z[%a, %b, %c, %d] : memref<2x4x8x64xf32>
    scf.reduce
  }
  return
}

// -----

// Sequential code on device buffers: the 0-d loss-scale update, the
// sequential loop and the pure negf that uses its result form one group
// (the constant %two between them is hoisted); the scf.parallel ends it
// (its nested scf.parallel becomes sequential); the i32 update after it is
// a second group.
// CHECK-LABEL: func.func @sequential(
// CHECK-SAME:    %[[S:[a-z0-9]+]]: memref<f32>, %[[N:[a-z0-9]+]]: memref<i32>, %[[X:[a-z0-9]+]]: memref<8xf32>, %[[Y:[a-z0-9]+]]: memref<4x8xf32>)
// CHECK-DAG:     %[[C0:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C4:[a-z0-9_]+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-DAG:     %[[TWO:[a-z0-9_]+]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG:     %[[ONE:[a-z0-9_]+]] = arith.constant 1 : i32
// CHECK:         scf.parallel (%{{.+}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT:      %[[V:.+]] = memref.load %[[S]][] : memref<f32>
// CHECK-NEXT:      %[[D:.+]] = arith.mulf %[[V]], %[[TWO]] : f32
// CHECK-NEXT:      memref.store %[[D]], %[[S]][] : memref<f32>
// CHECK-NEXT:      %[[SUM:.+]] = scf.for %[[I:.+]] = %[[C0]] to %[[C8]] step %[[C1]] iter_args(%[[ACC:.+]] = %[[V]]) -> (f32) {
// CHECK-NEXT:        %[[E:.+]] = memref.load %[[X]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:        %[[A:.+]] = arith.addf %[[ACC]], %[[E]] : f32
// CHECK-NEXT:        scf.yield %[[A]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[H:.+]] = arith.negf %[[SUM]] : f32
// CHECK-NEXT:      memref.store %[[H]], %[[S]][] : memref<f32>
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    scf.parallel (%[[B:.+]]) = (%[[C0]]) to (%[[C4]]) step (%[[C4]]) {
// CHECK-NEXT:      scf.parallel (%[[T:.+]]) = (%[[C0]]) to (%[[C4]]) step (%[[C1]]) {
// CHECK-NEXT:        %[[R:.+]] = arith.addi %[[T]], %[[B]] : index
// CHECK-NEXT:        scf.parallel (%[[J:.+]]) = (%[[C0]]) to (%[[C8]]) step (%[[C1]]) {
// CHECK-NEXT:          memref.store %[[TWO]], %[[Y]][%[[R]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:          scf.reduce
// CHECK-NEXT:        } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:        scf.reduce
// CHECK-NEXT:      } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    scf.parallel (%{{.+}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT:      %[[K:.+]] = memref.load %[[N]][] : memref<i32>
// CHECK-NEXT:      %[[K1:.+]] = arith.addi %[[K]], %[[ONE]] : i32
// CHECK-NEXT:      memref.store %[[K1]], %[[N]][] : memref<i32>
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    return
func.func @sequential(%s: memref<f32>, %n: memref<i32>, %x: memref<8xf32>, %y: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c4 = arith.constant 4 : index
  %v = memref.load %s[] : memref<f32>
  %two = arith.constant 2.0 : f32
  %d = arith.mulf %v, %two : f32
  memref.store %d, %s[] : memref<f32>
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %v) -> (f32) {
    %e = memref.load %x[%i] : memref<8xf32>
    %a = arith.addf %acc, %e : f32
    scf.yield %a : f32
  }
  %h = arith.negf %sum : f32
  memref.store %h, %s[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %two, %y[%i, %j] : memref<4x8xf32>
      scf.reduce
    }
    scf.reduce
  }
  %k = memref.load %n[] : memref<i32>
  %one = arith.constant 1 : i32
  %k1 = arith.addi %k, %one : i32
  memref.store %k1, %n[] : memref<i32>
  return
}

// -----

// An scf.parallel inside a wrapped sequential loop runs sequentially in
// its one thread.
// CHECK-LABEL: func.func @parallel_in_sequential(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<8x8xf32>, %[[N:[a-z0-9]+]]: index)
// CHECK-DAG:     %[[C0:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C8:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-DAG:     %[[CST:[a-z0-9_]+]] = arith.constant 0.000000e+00 : f32
// CHECK:         scf.parallel (%{{.+}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT:      scf.for %[[I:.+]] = %[[C0]] to %[[N]] step %[[C1]] {
// CHECK-NEXT:        scf.parallel (%[[J:.+]]) = (%[[C0]]) to (%[[C8]]) step (%[[C1]]) {
// CHECK-NEXT:          memref.store %[[CST]], %[[X]][%[[I]], %[[J]]] : memref<8x8xf32>
// CHECK-NEXT:          scf.reduce
// CHECK-NEXT:        } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    return
func.func @parallel_in_sequential(%x: memref<8x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %cst = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %cst, %x[%i, %j] : memref<8x8xf32>
      scf.reduce
    }
  }
  return
}

// -----

// The deallocation helper runs on the host: its loops are left alone.
// CHECK-LABEL: func.func private @dealloc_helper(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<?xi1>, %[[B:[a-z0-9]+]]: memref<?xi1>)
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[F:.+]] = arith.constant false
// CHECK-NEXT:    %[[N:.+]] = memref.dim %[[A]], %[[C0]] : memref<?xi1>
// CHECK-NEXT:    scf.for %[[I:.+]] = %[[C0]] to %[[N]] step %[[C1]] {
// CHECK-NEXT:      %[[V:.+]] = memref.load %[[A]][%[[I]]] : memref<?xi1>
// CHECK-NEXT:      memref.store %[[V]], %[[B]][%[[I]]] : memref<?xi1>
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.parallel (%[[J:.+]]) = (%[[C0]]) to (%[[N]]) step (%[[C1]]) {
// CHECK-NEXT:      memref.store %[[F]], %[[B]][%[[J]]] : memref<?xi1>
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func private @dealloc_helper(%a: memref<?xi1>, %b: memref<?xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %false = arith.constant false
  %n = memref.dim %a, %c0 : memref<?xi1>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %a[%i] : memref<?xi1>
    memref.store %v, %b[%i] : memref<?xi1>
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %false, %b[%i] : memref<?xi1>
    scf.reduce
  }
  return
}

// -----

// Host code left alone (only the constants move up): a loop over a stack
// buffer, a load from an index buffer and the pure op that uses it, a
// store to an ownership array passed to the helper, an scf.parallel that
// is already mapped and a gpu.launch (a tiled contraction).
// CHECK-LABEL: func.func @host(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<8xf32>, %[[IDX:[a-z0-9]+]]: memref<2xindex>) -> index
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C8:.+]] = arith.constant 8 : index
// CHECK-NEXT:    %[[CST:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:    %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT:    %[[T:.+]] = memref.alloca() : memref<8xf32>
// CHECK-NEXT:    scf.for %[[I:.+]] = %[[C0]] to %[[C8]] step %[[C1]] {
// CHECK-NEXT:      memref.store %[[CST]], %[[T]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[P:.+]] = memref.load %[[IDX]][%[[C0]]] : memref<2xindex>
// CHECK-NEXT:    %[[Q:.+]] = arith.addi %[[P]], %[[C1]] : index
// CHECK-NEXT:    %[[B:.+]] = memref.alloc() : memref<3xi1>
// CHECK-NEXT:    memref.store %[[TRUE]], %[[B]][%[[C0]]] : memref<3xi1>
// CHECK-NEXT:    %[[CB:.+]] = memref.cast %[[B]]
// CHECK-NEXT:    call @dealloc_helper(%[[CB]], %[[CB]])
// CHECK-NEXT:    scf.parallel (%[[PB:.+]]) = (%[[C0]]) to (%[[C8]]) step (%[[C8]]) {
// CHECK-NEXT:      scf.parallel (%[[PT:.+]]) = (%[[C0]]) to (%[[C8]]) step (%[[C1]]) {
// CHECK-NEXT:        %[[K:.+]] = arith.addi %[[PB]], %[[PT]] : index
// CHECK-NEXT:        memref.store %[[CST]], %[[X]][%[[K]]] : memref<8xf32>
// CHECK-NEXT:        scf.reduce
// CHECK-NEXT:      } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT:    gpu.launch
// CHECK-NEXT:      memref.store %[[CST]], %[[X]][%{{.+}}] : memref<8xf32>
// CHECK-NEXT:      gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[Q]] : index
func.func @host(%x: memref<8xf32>, %idx: memref<2xindex>) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %t = memref.alloca() : memref<8xf32>
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %cst, %t[%i] : memref<8xf32>
  }
  %p = memref.load %idx[%c0] : memref<2xindex>
  %q = arith.addi %p, %c1 : index
  %b = memref.alloc() : memref<3xi1>
  %true = arith.constant true
  memref.store %true, %b[%c0] : memref<3xi1>
  %cb = memref.cast %b : memref<3xi1> to memref<?xi1>
  call @dealloc_helper(%cb, %cb) : (memref<?xi1>, memref<?xi1>) -> ()
  scf.parallel (%i) = (%c0) to (%c8) step (%c8) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      %k = arith.addi %i, %j : index
      memref.store %cst, %x[%k] : memref<8xf32>
      scf.reduce
    } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
    scf.reduce
  } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    memref.store %cst, %x[%tx] : memref<8xf32>
    gpu.terminator
  }
  return %q : index
}
func.func private @dealloc_helper(memref<?xi1>, memref<?xi1>)
