// RUN: mp-opt %s --mp-contractions-to-runtime | FileCheck %s

// The half output of a linalg.generic contraction (a bf16 activation times
// an f32 weight rounded in the body, what mp-fuse-casts-into-contractions
// leaves): its f32 output buffer, read only through arith.truncf, becomes
// a bf16 buffer the runtime writes (C of kind bf16), and the f32 buffer is
// erased. The contraction, being a linalg.generic itself, was taken for
// one of the buffer's readers, so its f32 allocation was left in the IR,
// unused and never freed (LLVM deleted the malloc; a static count of the
// step's buffers saw 8 MiB more per GEMM, issue 20).

#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @generic_half_output(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<32x16xbf16>, %[[W:[a-z0-9]+]]: memref<16x64xf32>, %[[B:[a-z0-9]+]]: memref<64xf32>, %[[Y:[a-z0-9]+]]: memref<32x64xbf16>)
// CHECK-NOT:     xf32>
// CHECK:         %[[H:.+]] = memref.alloc() {alignment = 64 : i64} : memref<32x64xbf16>
// CHECK-NOT:     memref.alloc
// CHECK:         linalg.fill ins(%{{.+}} : bf16) outs(%[[H]] : memref<32x64xbf16>)
// CHECK:         call @mp_rt_matmul_bf16_f32tobf16_bf16(
// CHECK-NEXT:    linalg.generic {{.+}} ins(%[[H]], %[[B]] : memref<32x64xbf16>, memref<64xf32>) outs(%[[Y]] : memref<32x64xbf16>)
// CHECK-NEXT:    ^bb0(%[[IN:.+]]: bf16, %[[C:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT:      %[[CB:.+]] = arith.truncf %[[C]] : f32 to bf16
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[IN]], %[[CB]] : bf16
// CHECK-NEXT:      %[[T:.+]] = math.tanh %[[S]] : bf16
// CHECK-NEXT:      linalg.yield %[[T]] : bf16
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %[[H]] : memref<32x64xbf16>
// CHECK-NEXT:    return
func.func @generic_half_output(%x: memref<32x16xbf16>, %w: memref<16x64xf32>, %b: memref<64xf32>, %y: memref<32x64xbf16>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() {alignment = 64 : i64} : memref<32x64xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<32x64xf32>)
  linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<32x16xbf16>, memref<16x64xf32>) outs(%c : memref<32x64xf32>) {
  ^bb0(%a: bf16, %bw: f32, %o: f32):
    %wh = arith.truncf %bw : f32 to bf16
    %ae = arith.extf %a : bf16 to f32
    %we = arith.extf %wh : bf16 to f32
    %p = arith.mulf %ae, %we : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %b : memref<32x64xf32>, memref<64xf32>) outs(%y : memref<32x64xbf16>) {
  ^bb0(%in: f32, %bias: f32, %o: bf16):
    %h = arith.truncf %in : f32 to bf16
    %bh = arith.truncf %bias : f32 to bf16
    %s = arith.addf %h, %bh : bf16
    %t = math.tanh %s : bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<32x64xf32>
  return
}
