// RUN: mp-opt %s --mp-reuse-dead-buffers -split-input-file | FileCheck %s

// The all-finite check fused with the SGD update (reduction loops, which
// one-shot bufferization never writes in place): the updated parameter is
// written over the gradient, which dies there, and the output buffer goes.

#id = affine_map<(d0, d1) -> (d0, d1)>
#s = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @check_and_update(
// CHECK-SAME:    %[[W:[a-z0-9_]+]]: memref<8x8xf32>
// CHECK:         %[[G:.+]] = memref.alloc() : memref<8x8xf32>
// CHECK-NEXT:    linalg.fill ins(%{{.+}}) outs(%[[G]] : memref<8x8xf32>)
// CHECK-NEXT:    %[[OK:.+]] = memref.alloca() : memref<i1>
// CHECK-NOT:     memref.alloc()
// CHECK:         linalg.generic {{.+}} ins(%[[G]], %[[W]] : memref<8x8xf32>, memref<8x8xf32>) outs(%[[OK]], %[[G]] : memref<i1>, memref<8x8xf32>)
// CHECK:         return %[[G]], %[[OK]]
func.func @check_and_update(%w: memref<8x8xf32>) -> (memref<8x8xf32>, memref<i1>) {
  %one = arith.constant 1.0 : f32
  %inf = arith.constant 0x7F800000 : f32
  %g = memref.alloc() : memref<8x8xf32>
  linalg.fill ins(%one : f32) outs(%g : memref<8x8xf32>)
  %ok = memref.alloca() : memref<i1>
  %new = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#id, #id, #s, #id], iterator_types = ["reduction", "reduction"]}
      ins(%g, %w : memref<8x8xf32>, memref<8x8xf32>) outs(%ok, %new : memref<i1>, memref<8x8xf32>) {
  ^bb0(%gi: f32, %wi: f32, %acc: i1, %out: f32):
    %a = math.absf %gi : f32
    %f = arith.cmpf one, %a, %inf : f32
    %and = arith.andi %f, %acc : i1
    %u = arith.subf %wi, %gi : f32
    linalg.yield %and, %u : i1, f32
  }
  return %new, %ok : memref<8x8xf32>, memref<i1>
}

// -----

// Kept: the input is read again later (@later), is an argument (@arg), is
// read transposed (@transposed); the output is written before the op
// (@filled) or read by the body (@accumulates).

#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @later(
// CHECK-COUNT-3: memref.alloc()
func.func @later(%x: memref<8x8xf32>) -> (memref<8x8xf32>, memref<8x8xf32>) {
  %g = memref.alloc() : memref<8x8xf32>
  memref.copy %x, %g : memref<8x8xf32> to memref<8x8xf32>
  %new = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "reduction"]}
      ins(%g : memref<8x8xf32>) outs(%new : memref<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  %copy = memref.alloc() : memref<8x8xf32>
  memref.copy %g, %copy : memref<8x8xf32> to memref<8x8xf32>
  return %new, %copy : memref<8x8xf32>, memref<8x8xf32>
}

// CHECK-LABEL: func.func @arg(
// CHECK:         %[[N:.+]] = memref.alloc()
// CHECK:         outs(%[[N]] :
func.func @arg(%x: memref<8x8xf32>) -> memref<8x8xf32> {
  %new = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x8xf32>) outs(%new : memref<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  return %new : memref<8x8xf32>
}

// CHECK-LABEL: func.func @transposed(
// CHECK-COUNT-2: memref.alloc()
func.func @transposed(%x: memref<8x8xf32>) -> memref<8x8xf32> {
  %g = memref.alloc() : memref<8x8xf32>
  memref.copy %x, %g : memref<8x8xf32> to memref<8x8xf32>
  %new = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "reduction"]}
      ins(%g : memref<8x8xf32>) outs(%new : memref<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  return %new : memref<8x8xf32>
}

// CHECK-LABEL: func.func @filled(
// CHECK-COUNT-2: memref.alloc()
func.func @filled(%x: memref<8x8xf32>) -> memref<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %g = memref.alloc() : memref<8x8xf32>
  memref.copy %x, %g : memref<8x8xf32> to memref<8x8xf32>
  %new = memref.alloc() : memref<8x8xf32>
  linalg.fill ins(%zero : f32) outs(%new : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "reduction"]}
      ins(%g : memref<8x8xf32>) outs(%new : memref<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  return %new : memref<8x8xf32>
}

// CHECK-LABEL: func.func @accumulates(
// CHECK-COUNT-2: memref.alloc()
func.func @accumulates(%x: memref<8x8xf32>) -> memref<8x8xf32> {
  %g = memref.alloc() : memref<8x8xf32>
  memref.copy %x, %g : memref<8x8xf32> to memref<8x8xf32>
  %new = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "reduction"]}
      ins(%g : memref<8x8xf32>) outs(%new : memref<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.addf %a, %out : f32
    linalg.yield %n : f32
  }
  return %new : memref<8x8xf32>
}
