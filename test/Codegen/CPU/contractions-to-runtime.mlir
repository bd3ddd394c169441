// RUN: mp-opt %s --mp-contractions-to-runtime -split-input-file | FileCheck %s

// Plain and transposed matmuls on buffers become runtime calls on
// dynamically strided views; a transposed operand is a memref.transpose.

// CHECK-DAG: func.func private @mp_rt_matmul_bf16_bf16_f32(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @mp_rt_matmul_f32_f32_f32(
// CHECK-LABEL: func.func @mm(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<16x64xbf16>, %[[B:[a-z0-9_]+]]: memref<64x32xbf16>, %[[C:[a-z0-9_]+]]: memref<16x32xf32>
// CHECK-DAG:     %[[VA:.+]] = memref.cast %[[A]] : memref<16x64xbf16> to memref<?x?xbf16, strided<[?, ?], offset: ?>>
// CHECK-DAG:     %[[VB:.+]] = memref.cast %[[B]]
// CHECK-DAG:     %[[VC:.+]] = memref.cast %[[C]]
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(%[[VA]], %[[VB]], %[[VC]])
// CHECK-NOT:     linalg.matmul
func.func @mm(%a: memref<16x64xbf16>, %b: memref<64x32xbf16>, %c: memref<16x32xf32>) {
  linalg.matmul ins(%a, %b : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c : memref<16x32xf32>)
  return
}

// CHECK-LABEL: func.func @mm_at(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<64x16xf32>
// CHECK:         %[[T:.+]] = memref.transpose %[[A]] (d0, d1) -> (d1, d0)
// CHECK:         %[[VA:.+]] = memref.cast %[[T]]
// CHECK:         call @mp_rt_matmul_f32_f32_f32(%[[VA]],
func.func @mm_at(%a: memref<64x16xf32>, %b: memref<64x32xf32>, %c: memref<16x32xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                 affine_map<(m, n, k) -> (k, n)>,
                                 affine_map<(m, n, k) -> (m, n)>]
    ins(%a, %b : memref<64x16xf32>, memref<64x32xf32>) outs(%c : memref<16x32xf32>)
  return
}

// -----

// Batch matmul with K transposed by its map (attention scores).
// CHECK-LABEL: func.func @bmm(
// CHECK:         memref.transpose %{{.+}} (d0, d1, d2) -> (d0, d2, d1)
// CHECK:         call @mp_rt_batch_matmul_f32_f32_f32(
func.func @bmm(%q: memref<4x8x32xf32>, %k: memref<4x8x32xf32>, %s: memref<4x8x8xf32>) {
  linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, d) -> (b, m, d)>,
                       affine_map<(b, m, n, d) -> (b, n, d)>,
                       affine_map<(b, m, n, d) -> (b, m, n)>]
      ins(%q, %k : memref<4x8x32xf32>, memref<4x8x32xf32>) outs(%s : memref<4x8x8xf32>)
  return
}

// -----

// Tensors (not yet bufferized) and integer matmuls are left alone.
// CHECK-LABEL: func.func @left_alone(
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x4xf32>, tensor<4x4xf32>)
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : memref<4x4xi32>, memref<4x4xi32>)
// CHECK-NOT:     call
func.func @left_alone(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>, %i: memref<4x4xi32>, %o: memref<4x4xi32>) -> tensor<4x4xf32> {
  %r = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  linalg.matmul ins(%i, %i : memref<4x4xi32>, memref<4x4xi32>) outs(%o : memref<4x4xi32>)
  return %r : tensor<4x4xf32>
}

// -----

// Contraction generics from mp-fuse-casts-into-contractions: an f32 operand
// rounded to bf16 / f16 in the body is passed as f32 storage of kind
// f32tobf16 / f32tof16; bf16 storage widened in the body is bf16.
// CHECK-DAG: func.func private @mp_rt_matmul_bf16_f32tobf16_f32(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @mp_rt_matmul_f32tof16_f32_f32(
// CHECK-LABEL: func.func @generic_kinds(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<16x64xbf16>, %[[W:[a-z0-9_]+]]: memref<64x32xf32>, %[[C:[a-z0-9_]+]]: memref<16x32xf32>
// CHECK:         %[[VW:.+]] = memref.cast %[[W]] : memref<64x32xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK:         call @mp_rt_matmul_bf16_f32tobf16_f32(%{{.+}}, %[[VW]], %{{.+}})
// CHECK:         %[[T:.+]] = memref.transpose %[[W]] (d0, d1) -> (d1, d0)
// CHECK:         call @mp_rt_matmul_f32tof16_f32_f32(
// CHECK-NOT:     linalg.generic
func.func @generic_kinds(%a: memref<16x64xbf16>, %w: memref<64x32xf32>, %c: memref<16x32xf32>,
                         %c2: memref<32x32xf32>, %w2: memref<64x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                   affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<16x64xbf16>, memref<64x32xf32>) outs(%c : memref<16x32xf32>) {
  ^bb0(%x: bf16, %y: f32, %acc: f32):
    %yt = arith.truncf %y : f32 to bf16
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %yt : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  // (w^T . w2): A is the transposed w, rounded to f16; B plain f32.
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                   affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%w, %w2 : memref<64x32xf32>, memref<64x32xf32>) outs(%c2 : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xt = arith.truncf %x : f32 to f16
    %xe = arith.extf %xt : f16 to f32
    %p = arith.mulf %xe, %y : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Generics that are not plain `acc + a * b` stay loops: an extra op in the
// body, a product that is subtracted, an operand rounded to bf16 and not
// widened back (bf16 arithmetic), a rounding mode, an i32 accumulator.
// CHECK-LABEL: func.func @generic_left_alone(
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT:     call
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @generic_left_alone(%a: memref<4x4xf32>, %c: memref<4x4xf32>, %i: memref<4x4xi32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %e = math.exp %x : f32
    %p = arith.mulf %e, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.subf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xt = arith.truncf %x to_nearest_away : f32 to bf16
    %xe = arith.extf %xt : bf16 to f32
    %p = arith.mulf %xe, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%i, %i : memref<4x4xi32>, memref<4x4xi32>) outs(%i : memref<4x4xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// The epilogue (mp-autocast compute-output=compute after bufferization): an
// f32 output buffer that every reader rounds to bf16 first becomes a bf16
// buffer the runtime writes rounded (C kind bf16); the zero fill is a bf16
// fill, the readers take the bf16 element in place of their truncf (a
// contraction reader becomes a bf16 operand), the dealloc frees the new
// buffer and no f32 buffer is left.
// CHECK-DAG: func.func private @mp_rt_matmul_bf16_bf16_bf16(memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xbf16, strided<[?, ?], offset: ?>>, memref<?x?xbf16, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @epilogue(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<16x64xbf16>, %[[B:[a-z0-9_]+]]: memref<64x32xbf16>, %[[BIAS:[a-z0-9_]+]]: memref<32xf32>, %[[OUT:[a-z0-9_]+]]: memref<16x32xbf16>, %[[W2:[a-z0-9_]+]]: memref<32x8xbf16>, %[[OUT2:[a-z0-9_]+]]: memref<16x8xf32>
// CHECK-NOT:     memref<16x32xf32>
// CHECK:         %[[H:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16x32xbf16>
// CHECK-NEXT:    %[[Z:.+]] = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT:    linalg.fill ins(%[[Z]] : bf16) outs(%[[H]] : memref<16x32xbf16>)
// CHECK:         %[[VH:.+]] = memref.cast %[[H]] : memref<16x32xbf16> to memref<?x?xbf16, strided<[?, ?], offset: ?>>
// CHECK-NEXT:    call @mp_rt_matmul_bf16_bf16_bf16(%{{.+}}, %{{.+}}, %[[VH]])
// CHECK-NEXT:    linalg.generic {{.+}} ins(%[[H]], %[[BIAS]] : memref<16x32xbf16>, memref<32xf32>) outs(%[[OUT]] : memref<16x32xbf16>)
// CHECK-NEXT:    ^bb0(%[[IN:.+]]: bf16, %[[INB:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT:      %[[TB:.+]] = arith.truncf %[[INB]] : f32 to bf16
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[IN]], %[[TB]] : bf16
// CHECK-NEXT:      linalg.yield %[[S]] : bf16
// CHECK:         %[[VH2:.+]] = memref.cast %[[H]]
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(%[[VH2]],
// CHECK:         memref.dealloc %[[H]] : memref<16x32xbf16>
// CHECK-NOT:     memref<16x32xf32>
// CHECK:         return
func.func @epilogue(%a: memref<16x64xbf16>, %b: memref<64x32xbf16>, %bias: memref<32xf32>, %out: memref<16x32xbf16>,
                    %w2: memref<32x8xbf16>, %out2: memref<16x8xf32>) {
  %cst = arith.constant 0.0 : f32
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<16x32xf32>)
  linalg.matmul ins(%a, %b : memref<16x64xbf16>, memref<64x32xbf16>) outs(%alloc : memref<16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%alloc, %bias : memref<16x32xf32>, memref<32xf32>) outs(%out : memref<16x32xbf16>) {
  ^bb0(%in: f32, %in_b: f32, %o: bf16):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.truncf %in_b : f32 to bf16
    %2 = arith.addf %0, %1 : bf16
    linalg.yield %2 : bf16
  }
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                   affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%alloc, %w2 : memref<16x32xf32>, memref<32x8xbf16>) outs(%out2 : memref<16x8xf32>) {
  ^bb0(%x: f32, %y: bf16, %acc: f32):
    %t = arith.truncf %x : f32 to bf16
    %xe = arith.extf %t : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %alloc : memref<16x32xf32>
  return
}

// -----

// Not narrowed (C stays f32): a reader that uses the f32 element itself,
// a fill value that is not exact in bf16, a buffer the function returns.
// CHECK-LABEL: func.func @epilogue_kept(
// CHECK-NOT:     memref.alloc() : memref<16x32xbf16>
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK-NOT:     memref.alloc() : memref<16x32xbf16>
// CHECK:         return
func.func @epilogue_kept(%a: memref<16x64xbf16>, %b: memref<64x32xbf16>, %out: memref<16x32xbf16>, %outf: memref<16x32xf32>) -> memref<16x32xf32> {
  %cst = arith.constant 0.0 : f32
  %tenth = arith.constant 0.1 : f32
  %c1 = memref.alloc() : memref<16x32xf32>
  linalg.fill ins(%cst : f32) outs(%c1 : memref<16x32xf32>)
  linalg.matmul ins(%a, %b : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c1 : memref<16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c1 : memref<16x32xf32>) outs(%outf : memref<16x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.truncf %in : f32 to bf16
    %1 = arith.extf %0 : bf16 to f32
    %2 = arith.addf %1, %in : f32
    linalg.yield %2 : f32
  }
  memref.dealloc %c1 : memref<16x32xf32>
  %c2 = memref.alloc() : memref<16x32xf32>
  linalg.fill ins(%tenth : f32) outs(%c2 : memref<16x32xf32>)
  linalg.matmul ins(%a, %b : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c2 : memref<16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c2 : memref<16x32xf32>) outs(%out : memref<16x32xbf16>) {
  ^bb0(%in: f32, %o: bf16):
    %0 = arith.truncf %in : f32 to bf16
    linalg.yield %0 : bf16
  }
  memref.dealloc %c2 : memref<16x32xf32>
  %c3 = memref.alloc() : memref<16x32xf32>
  linalg.fill ins(%cst : f32) outs(%c3 : memref<16x32xf32>)
  linalg.matmul ins(%a, %b : memref<16x64xbf16>, memref<64x32xbf16>) outs(%c3 : memref<16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c3 : memref<16x32xf32>) outs(%out : memref<16x32xbf16>) {
  ^bb0(%in: f32, %o: bf16):
    %0 = arith.truncf %in : f32 to bf16
    linalg.yield %0 : bf16
  }
  return %c3 : memref<16x32xf32>
}
