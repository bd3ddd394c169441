// RUN: mp-opt %s --mp-contractions-to-runtime -split-input-file | FileCheck %s

// The packed-B cache (runtime/cpu/mp_rt_gemm.c): a B that is a view of an
// argument of a function that writes none of its arguments (nor anything
// that may alias one) calls the `_cached` entry point, and the function
// is bracketed by mp_rt_pack_cache_begin_step / _end_step (plain C
// functions: no emit_c_interface). Every other B calls the plain entry.

// A step: weights read in a micro-batch loop, results returned.
// CHECK-DAG: func.func private @mp_rt_pack_cache_begin_step(){{$}}
// CHECK-DAG: func.func private @mp_rt_pack_cache_end_step(){{$}}
// CHECK-DAG: func.func private @mp_rt_matmul_cached_bf16_f32tobf16_f32(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: memref<4x16x64xbf16>, %[[W:[a-z0-9_]+]]: memref<64x32xf32>
// CHECK-NEXT:    call @mp_rt_pack_cache_begin_step() : () -> ()
// CHECK:         scf.for
// CHECK:           %[[VW:.+]] = memref.cast %[[W]] : memref<64x32xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK:           call @mp_rt_matmul_cached_bf16_f32tobf16_f32(%{{.+}}, %[[VW]], %{{.+}})
// CHECK:         }
// CHECK-NEXT:    call @mp_rt_pack_cache_end_step() : () -> ()
// CHECK-NEXT:    return
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @step(%x: memref<4x16x64xbf16>, %w: memref<64x32xf32>) -> memref<16x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %acc = memref.alloc() : memref<16x32xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %xi = memref.subview %x[%i, 0, 0] [1, 16, 64] [1, 1, 1] : memref<4x16x64xbf16> to memref<16x64xbf16, strided<[64, 1], offset: ?>>
    linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%xi, %w : memref<16x64xbf16, strided<[64, 1], offset: ?>>, memref<64x32xf32>) outs(%acc : memref<16x32xf32>) {
    ^bb0(%a: bf16, %b: f32, %c: f32):
      %ae = arith.extf %a : bf16 to f32
      %bt = arith.truncf %b : f32 to bf16
      %be = arith.extf %bt : bf16 to f32
      %p = arith.mulf %ae, %be : f32
      %s = arith.addf %c, %p : f32
      linalg.yield %s : f32
    }
  }
  return %acc : memref<16x32xf32>
}

// -----

// B through views of the argument (a subview, a transposed map): cached.
// A local B: not cached, though the function writes no argument.
// CHECK-LABEL: func.func @views(
// CHECK-NEXT:    call @mp_rt_pack_cache_begin_step()
// CHECK:         call @mp_rt_matmul_cached_bf16_bf16_f32(
// CHECK:         memref.transpose
// CHECK:         call @mp_rt_matmul_cached_bf16_bf16_f32(
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK-NEXT:    memref.dealloc
// CHECK-NEXT:    call @mp_rt_pack_cache_end_step()
// CHECK-NEXT:    return
func.func @views(%x: memref<16x64xbf16>, %w: memref<128x32xbf16>, %l: memref<32x64xbf16>) -> (memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>) {
  %wv = memref.subview %w[64, 0] [64, 32] [1, 1] : memref<128x32xbf16> to memref<64x32xbf16, strided<[32, 1], offset: 2048>>
  %c1 = memref.alloc() : memref<16x32xf32>
  linalg.matmul ins(%x, %wv : memref<16x64xbf16>, memref<64x32xbf16, strided<[32, 1], offset: 2048>>) outs(%c1 : memref<16x32xf32>)
  %c2 = memref.alloc() : memref<16x32xf32>
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
    ins(%x, %l : memref<16x64xbf16>, memref<32x64xbf16>) outs(%c2 : memref<16x32xf32>)
  %local = memref.alloc() : memref<64x32xbf16>
  memref.copy %wv, %local : memref<64x32xbf16, strided<[32, 1], offset: 2048>> to memref<64x32xbf16>
  %c3 = memref.alloc() : memref<16x32xf32>
  linalg.matmul ins(%x, %local : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c3 : memref<16x32xf32>)
  memref.dealloc %local : memref<64x32xbf16>
  return %c1, %c2, %c3 : memref<16x32xf32>, memref<16x32xf32>, memref<16x32xf32>
}

// -----

// The weight is written in the function (an update after the GEMM):
// not cached, no bracket.
// CHECK-LABEL: func.func @written(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         return
func.func @written(%x: memref<16x64xbf16>, %w: memref<64x32xbf16>) -> memref<16x32xf32> {
  %c = memref.alloc() : memref<16x32xf32>
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c : memref<16x32xf32>)
  %z = arith.constant 0.0 : bf16
  linalg.fill ins(%z : bf16) outs(%w : memref<64x32xbf16>)
  return %c : memref<16x32xf32>
}

// -----

// Written through an alias (a store into a subview of a cast): not cached.
// CHECK-LABEL: func.func @written_alias(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         return
func.func @written_alias(%x: memref<16x64xbf16>, %w: memref<64x32xbf16>) -> memref<16x32xf32> {
  %c = memref.alloc() : memref<16x32xf32>
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c : memref<16x32xf32>)
  %cast = memref.cast %w : memref<64x32xbf16> to memref<?x32xbf16>
  %row = memref.subview %cast[3, 0] [1, 32] [1, 1] : memref<?x32xbf16> to memref<1x32xbf16, strided<[32, 1], offset: 96>>
  %i = arith.constant 0 : index
  %j = arith.constant 5 : index
  %v = arith.constant 1.0 : bf16
  memref.store %v, %row[%i, %j] : memref<1x32xbf16, strided<[32, 1], offset: 96>>
  return %c : memref<16x32xf32>
}

// -----

// Another argument is written (the caller may pass the same buffer for
// both): not cached.
// CHECK-LABEL: func.func @other_argument_written(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         return
func.func @other_argument_written(%x: memref<16x64xbf16>, %w: memref<64x32xbf16>, %out: memref<16x32xf32>) {
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x32xbf16>) outs(%out : memref<16x32xf32>)
  return
}

// -----

// The weight is passed to a call (which may write it): not cached.
// CHECK-LABEL: func.func @passed_to_call(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK-NOT:     mp_rt_pack_cache
// CHECK:         return
func.func private @opaque(memref<64x32xbf16>)
func.func @passed_to_call(%x: memref<16x64xbf16>, %w: memref<64x32xbf16>) -> memref<16x32xf32> {
  %c = memref.alloc() : memref<16x32xf32>
  linalg.matmul ins(%x, %w : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c : memref<16x32xf32>)
  func.call @opaque(%w) : (memref<64x32xbf16>) -> ()
  return %c : memref<16x32xf32>
}
