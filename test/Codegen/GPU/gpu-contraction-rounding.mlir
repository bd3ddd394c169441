// The rounding of a contraction's f32 result (compute-output=compute,
// DESIGN.md §15) in the epilogue of the GPU contraction kernels, both the
// tensor-core kernel (mp-gpu-mma-contractions) and the FMA kernel
// (mp-gpu-tile-contractions): when the f32 output is a buffer of the block
// that only a linalg.fill (an f32 scalar) before the contraction, the
// contraction and one elementwise consumer after it use (and deallocs),
// and the consumer reads it only through arith.truncf to f16/bf16, the
// kernel starts its f32 accumulators at the fill's value, rounds them once
// and stores them into a half buffer that replaces the f32 one; the
// consumer reads that buffer (its truncf ops are gone) and the half buffer
// is freed where the f32 one was. No f32 output buffer, no fill kernel, no
// rounding in the consumer; the values are the same (the same f32
// accumulators, rounded once).
//
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{chip=sm_80 min-size=0},canonicalize,cse))' -split-input-file | FileCheck %s --check-prefix=MMA
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-tile-contractions))' -split-input-file | FileCheck %s --check-prefix=FMA

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
// MMA-LABEL: func.func @rounded(
// MMA-SAME:      %{{[a-z0-9]+}}: memref<64x64xbf16>, %{{[a-z0-9]+}}: memref<64x64xbf16>, %[[BIAS:[a-z0-9]+]]: memref<64xf32>, %[[Y:[a-z0-9]+]]: memref<64x64xbf16>)
// MMA-NOT:     xf32>
// MMA:         %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<2x2xf32>
// MMA-NOT:     xf32>
// MMA:         %[[H:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64x64xbf16>
// MMA-NEXT:    gpu.launch
// MMA-NOT:       memref.load
// MMA:           scf.for {{.+}} iter_args(%{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]])
// MMA:           nvgpu.device_async_wait %{{.+}} {numGroups = 0 : i32}
// MMA-COUNT-32:  memref.store %{{.+}}, %[[H]][%{{.+}}, %{{.+}}] : memref<64x64xbf16>
// MMA-NOT:       memref.store
// MMA:           gpu.terminator
// MMA-NEXT:    }
// MMA-NEXT:    linalg.generic {{.+}} ins(%[[H]], %[[BIAS]] : memref<64x64xbf16>, memref<64xf32>) outs(%[[Y]] : memref<64x64xbf16>) {
// MMA-NEXT:    ^bb0(%[[IN:.+]]: bf16, %[[C:.+]]: f32, %{{.+}}: bf16):
// MMA-NEXT:      %[[CB:.+]] = arith.truncf %[[C]] : f32 to bf16
// MMA-NEXT:      %[[S:.+]] = arith.addf %[[IN]], %[[CB]] : bf16
// MMA-NEXT:      %[[R:.+]] = arith.maximumf %[[S]], %[[IN]] : bf16
// MMA-NEXT:      linalg.yield %[[R]] : bf16
// MMA-NEXT:    }
// MMA-NEXT:    memref.dealloc %[[H]] : memref<64x64xbf16>
// MMA-NEXT:    return

// FMA-LABEL: func.func @rounded(
// FMA:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// FMA-NOT:     memref.alloc() {{.+}}xf32>
// FMA:         %[[H:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64x64xbf16>
// FMA-NOT:     linalg.fill
// FMA:         gpu.launch
// FMA-NOT:       memref.load %{{.+}} : memref<64x64x
// FMA:           scf.for {{.+}} iter_args(%{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]])
// FMA-COUNT-16:  scf.if
// FMA-NEXT:        %[[V:.+]] = arith.truncf %{{.+}} : f32 to bf16
// FMA-NEXT:        memref.store %[[V]], %[[H]][%{{.+}}, %{{.+}}] : memref<64x64xbf16>
// FMA:           gpu.terminator
// FMA:         linalg.generic {{.+}} ins(%[[H]], %{{.+}} : memref<64x64xbf16>, memref<64xf32>)
// FMA-NEXT:    ^bb0(%[[IN:.+]]: bf16, %[[C:.+]]: f32, %{{.+}}: bf16):
// FMA-NEXT:      arith.truncf %[[C]] : f32 to bf16
// FMA-NEXT:      arith.addf %[[IN]]
// FMA:         memref.dealloc %[[H]] : memref<64x64xbf16>
// FMA-NEXT:    return
func.func @rounded(%a: memref<64x64xbf16>, %b: memref<64x64xbf16>, %bias: memref<64xf32>, %y: memref<64x64xbf16>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<64x64xf32>)
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>) outs(%acc : memref<64x64xf32>)
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %bias : memref<64x64xf32>, memref<64xf32>) outs(%y : memref<64x64xbf16>) {
  ^bb0(%in: f32, %c: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    %cb = arith.truncf %c : f32 to bf16
    %s = arith.addf %t, %cb : bf16
    %r = arith.maximumf %s, %t : bf16
    linalg.yield %r : bf16
  }
  memref.dealloc %acc : memref<64x64xf32>
  return
}

// -----

// An f16 FMA kernel with edge tiles (100x40 * 40x130) and a fill of 1:
// the accumulators start at 1.0, the guarded stores round to f16.
#id = affine_map<(d0, d1) -> (d0, d1)>
// MMA-LABEL: func.func @edges_f16(
// FMA-LABEL: func.func @edges_f16(
// FMA:         %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// FMA:         %[[H:.+]] = memref.alloc() : memref<100x130xf16>
// FMA:           scf.for {{.+}} iter_args(%{{.+}} = %[[ONE]],
// FMA-COUNT-16:  scf.if
// FMA-NEXT:        %[[V:.+]] = arith.truncf %{{.+}} : f32 to f16
// FMA-NEXT:        memref.store %[[V]], %[[H]][%{{.+}}, %{{.+}}] : memref<100x130xf16>
// FMA:         linalg.generic {{.+}} ins(%[[H]] : memref<100x130xf16>) outs(%{{.+}} : memref<100x130xf16>)
// FMA-NEXT:    ^bb0(%[[IN:.+]]: f16, %{{.+}}: f16):
// FMA-NEXT:      linalg.yield %[[IN]] : f16
// FMA:         memref.dealloc %[[H]] : memref<100x130xf16>
func.func @edges_f16(%a: memref<100x40xf16>, %b: memref<40x130xf16>, %y: memref<100x130xf16>) {
  %one = arith.constant 1.0 : f32
  %acc = memref.alloc() : memref<100x130xf32>
  linalg.fill ins(%one : f32) outs(%acc : memref<100x130xf32>)
  linalg.matmul ins(%a, %b : memref<100x40xf16>, memref<40x130xf16>) outs(%acc : memref<100x130xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<100x130xf32>) outs(%y : memref<100x130xf16>) {
  ^bb0(%in: f32, %out: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  }
  memref.dealloc %acc : memref<100x130xf32>
  return
}

// -----

// Left in f32: a second reader of the result, a consumer that uses the f32
// value itself, and an output that is an argument. The kernels store f32.
#id = affine_map<(d0, d1) -> (d0, d1)>
// MMA-LABEL: func.func @kept(
// FMA-LABEL: func.func @kept(
// FMA-SAME:      %{{[a-z0-9]+}}: memref<64x64xbf16>, %{{[a-z0-9]+}}: memref<64x64xbf16>, %[[Y:[a-z0-9]+]]: memref<64x64xbf16>, %[[Z:[a-z0-9]+]]: memref<64x64xf32>, %[[O:[a-z0-9]+]]: memref<64x64xf32>)
// FMA:         %[[ACC:.+]] = memref.alloc() : memref<64x64xf32>
// FMA-NEXT:    linalg.fill ins(%{{.+}} : f32) outs(%[[ACC]] : memref<64x64xf32>)
// FMA:           memref.store %{{.+}}, %[[ACC]][%{{.+}}, %{{.+}}] : memref<64x64xf32>
// FMA:         linalg.generic {{.+}} ins(%[[ACC]] : memref<64x64xf32>) outs(%[[Y]] : memref<64x64xbf16>)
// FMA:         linalg.generic {{.+}} ins(%[[ACC]] : memref<64x64xf32>) outs(%[[Z]] : memref<64x64xf32>)
// FMA:         %[[ACC2:.+]] = memref.alloc() : memref<64x64xf32>
// FMA:           memref.store %{{.+}}, %[[ACC2]][%{{.+}}, %{{.+}}] : memref<64x64xf32>
// FMA:         linalg.generic {{.+}} ins(%[[ACC2]] : memref<64x64xf32>) outs(%[[Y]] : memref<64x64xbf16>)
// FMA:           memref.store %{{.+}}, %[[O]][%{{.+}}, %{{.+}}] : memref<64x64xf32>
// FMA:         linalg.generic {{.+}} ins(%[[O]] : memref<64x64xf32>) outs(%[[Y]] : memref<64x64xbf16>)
func.func @kept(%a: memref<64x64xbf16>, %b: memref<64x64xbf16>, %y: memref<64x64xbf16>, %z: memref<64x64xf32>, %o: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<64x64xf32>)
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>) outs(%acc : memref<64x64xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<64x64xf32>) outs(%y : memref<64x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<64x64xf32>) outs(%z : memref<64x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  memref.dealloc %acc : memref<64x64xf32>
  %acc2 = memref.alloc() : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc2 : memref<64x64xf32>)
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>) outs(%acc2 : memref<64x64xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc2 : memref<64x64xf32>) outs(%y : memref<64x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %s = arith.addf %in, %in : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %acc2 : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%o : memref<64x64xf32>)
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>) outs(%o : memref<64x64xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%o : memref<64x64xf32>) outs(%y : memref<64x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}
