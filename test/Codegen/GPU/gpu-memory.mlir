// RUN: mp-opt %s --mp-gpu-memory -split-input-file | FileCheck %s

// mp-gpu-memory: on buffers, after convert-parallel-loops-to-gpu, in each
// host function (not the dealloc_helper functions): memref.alloc /
// memref.dealloc of device buffers become gpu.alloc / gpu.dealloc (same
// type and dynamic sizes; nested deallocs and deallocs through a
// memref.cast included); each memref.get_global is cloned at the start of
// every gpu.launch that uses it and the host one is erased. Host buffers
// (index arrays, ownership arrays passed to a call, stack allocations) keep
// their memref.alloc / memref.dealloc, and host loads and stores of them
// are fine.

// CHECK-LABEL: func.func @device(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<4xf32>, %[[N:[a-z0-9]+]]: index, %[[P:[a-z0-9]+]]: i1) -> memref<4xf32>
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:    %[[A:.+]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT:    %[[D:.+]] = gpu.alloc (%[[N]]) : memref<?xf32>
// CHECK-NEXT:    gpu.launch blocks({{.+}}) in ({{.+}}) threads(%[[TX:[a-z0-9]+]], {{.+}}) in ({{.+}}) {
// CHECK-NEXT:      %[[G:.+]] = memref.get_global @__constant_4xf32 : memref<4xf32>
// CHECK-NEXT:      %[[V:.+]] = memref.load %[[G]][%[[TX]]] : memref<4xf32>
// CHECK-NEXT:      %[[W:.+]] = memref.load %[[X]][%[[TX]]] : memref<4xf32>
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[V]], %[[W]] : f32
// CHECK-NEXT:      memref.store %[[S]], %[[A]][%[[TX]]] : memref<4xf32>
// CHECK-NEXT:      gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.launch blocks({{.+}}) in ({{.+}}) threads(%[[TX2:[a-z0-9]+]], {{.+}}) in ({{.+}}) {
// CHECK-NEXT:      %[[G2:.+]] = memref.get_global @__constant_4xf32 : memref<4xf32>
// CHECK-NEXT:      scf.if %[[P]] {
// CHECK-NEXT:        %[[V2:.+]] = memref.load %[[G2]][%[[TX2]]] : memref<4xf32>
// CHECK-NEXT:        memref.store %[[V2]], %[[D]][%[[TX2]]] : memref<?xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.dealloc %[[D]] : memref<?xf32>
// CHECK-NEXT:    %[[B:.+]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT:    %[[CB:.+]] = memref.cast %[[B]] : memref<4xf32> to memref<?xf32>
// CHECK-NEXT:    scf.if %[[P]] {
// CHECK-NEXT:      gpu.dealloc %[[CB]] : memref<?xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[A]] : memref<4xf32>
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     memref.dealloc
memref.global "private" constant @__constant_4xf32 : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]> {alignment = 64 : i64}
func.func @device(%x: memref<4xf32>, %n: index, %p: i1) -> memref<4xf32> {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %g = memref.get_global @__constant_4xf32 : memref<4xf32>
  %a = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    %w = memref.load %x[%tx] : memref<4xf32>
    %s = arith.addf %v, %w : f32
    memref.store %s, %a[%tx] : memref<4xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    scf.if %p {
      %v = memref.load %g[%tx] : memref<4xf32>
      memref.store %v, %d[%tx] : memref<?xf32>
    }
    gpu.terminator
  }
  memref.dealloc %d : memref<?xf32>
  %b = memref.alloc() : memref<4xf32>
  %cb = memref.cast %b : memref<4xf32> to memref<?xf32>
  scf.if %p {
    memref.dealloc %cb : memref<?xf32>
  }
  return %a : memref<4xf32>
}

// -----

// Host buffers: the pointer (index) and ownership (i1, passed to the
// helper through a memref.cast) arrays of a deallocation and a stack
// buffer; only the conditional dealloc of the device argument changes.
// CHECK-LABEL: func.func @host(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<4xf32>)
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT:    %[[I:.+]] = memref.alloc() : memref<3xindex>
// CHECK-NEXT:    %[[O:.+]] = memref.alloc() : memref<3xi1>
// CHECK-NEXT:    %[[S:.+]] = memref.alloca() : memref<2xf32>
// CHECK-NEXT:    %[[PTR:.+]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK-NEXT:    memref.store %[[PTR]], %[[I]][%[[C0]]] : memref<3xindex>
// CHECK-NEXT:    memref.store %[[TRUE]], %[[O]][%[[C0]]] : memref<3xi1>
// CHECK-NEXT:    %[[F:.+]] = memref.load %[[S]][%[[C0]]] : memref<2xf32>
// CHECK-NEXT:    memref.store %[[F]], %[[S]][%[[C0]]] : memref<2xf32>
// CHECK-NEXT:    %[[CI:.+]] = memref.cast %[[I]]
// CHECK-NEXT:    %[[CO:.+]] = memref.cast %[[O]]
// CHECK-NEXT:    call @dealloc_helper(%[[CI]], %[[CO]])
// CHECK-NEXT:    %[[K:.+]] = memref.load %[[O]][%[[C0]]] : memref<3xi1>
// CHECK-NEXT:    scf.if %[[K]] {
// CHECK-NEXT:      gpu.dealloc %[[X]] : memref<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %[[I]] : memref<3xindex>
// CHECK-NEXT:    memref.dealloc %[[O]] : memref<3xi1>
// CHECK-NEXT:    return
func.func @host(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %true = arith.constant true
  %i = memref.alloc() : memref<3xindex>
  %o = memref.alloc() : memref<3xi1>
  %s = memref.alloca() : memref<2xf32>
  %p = memref.extract_aligned_pointer_as_index %x : memref<4xf32> -> index
  memref.store %p, %i[%c0] : memref<3xindex>
  memref.store %true, %o[%c0] : memref<3xi1>
  %f = memref.load %s[%c0] : memref<2xf32>
  memref.store %f, %s[%c0] : memref<2xf32>
  %ci = memref.cast %i : memref<3xindex> to memref<?xindex>
  %co = memref.cast %o : memref<3xi1> to memref<?xi1>
  call @dealloc_helper(%ci, %co) : (memref<?xindex>, memref<?xi1>) -> ()
  %k = memref.load %o[%c0] : memref<3xi1>
  scf.if %k {
    memref.dealloc %x : memref<4xf32>
  }
  memref.dealloc %i : memref<3xindex>
  memref.dealloc %o : memref<3xi1>
  return
}

// The helper itself (host code by definition) is left alone, even though
// its buffers would otherwise count as device buffers.
// CHECK-LABEL: func.func private @dealloc_helper(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<?xindex>, %[[B:[a-z0-9]+]]: memref<?xi1>)
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[T:.+]] = memref.alloc() : memref<2xf32>
// CHECK-NEXT:    %[[V:.+]] = memref.load %[[B]][%[[C0]]] : memref<?xi1>
// CHECK-NEXT:    memref.store %[[V]], %[[B]][%[[C0]]] : memref<?xi1>
// CHECK-NEXT:    memref.dealloc %[[T]] : memref<2xf32>
// CHECK-NEXT:    return
func.func private @dealloc_helper(%a: memref<?xindex>, %b: memref<?xi1>) {
  %c0 = arith.constant 0 : index
  %t = memref.alloc() : memref<2xf32>
  %v = memref.load %b[%c0] : memref<?xi1>
  memref.store %v, %b[%c0] : memref<?xi1>
  memref.dealloc %t : memref<2xf32>
  return
}
