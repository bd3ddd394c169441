// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions,canonicalize,cse))' -split-input-file | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{chip=sm_75}))' -split-input-file | FileCheck %s --check-prefix=SM75
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{min-size=6145}))' -split-input-file | FileCheck %s --check-prefix=BIG

// mp-gpu-mma-contractions: an f16/bf16 contraction with an f32 multiply-add
// payload whose M, N, K are multiples of 16, 8, 16 becomes one gpu.launch on
// tensor cores: 32 threads per warp, cp.async (16-byte device_async_copy)
// of both K tiles into two workgroup stages, ldmatrix fragments,
// mma.sync m16n8k16 with vector<2x2xf32> accumulators loaded from and
// stored to the output. The IR below is after canonicalize and cse (the
// one-block grids fold blockIdx to 0).

// f16 16x48 * 48x8: one warp, TM x TN x TK = 16 x 8 x 16, three K tiles.
// Lane l: g = l / 4, 2t = 2 (l % 4); the C fragment is rows g, g + 8 and
// columns 2t, 2t + 1.
// CHECK-LABEL: func.func @mm(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<16x48xf16>, %[[B:[a-z0-9]+]]: memref<48x8xf16>, %[[C:[a-z0-9]+]]: memref<16x8xf32>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG:     %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG:     %[[C15:.+]] = arith.constant 15 : index
// CHECK-DAG:     %[[C16:.+]] = arith.constant 16 : index
// CHECK-DAG:     %[[C32:.+]] = arith.constant 32 : index
// CHECK:         gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C1]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) threads(%[[TID:[a-z0-9]+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C32]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) workgroup(%[[SA:[a-z0-9]+]] : memref<2x16x24xf16, #gpu.address_space<workgroup>>, %[[SB:[a-z0-9]+]] : memref<2x16x16xf16, #gpu.address_space<workgroup>>) {
// CHECK-NEXT:      %[[LANE:.+]] = arith.remui %[[TID]], %[[C32]] : index
// CHECK-NEXT:      %[[WARP:.+]] = arith.divui %[[TID]], %[[C32]] : index
// CHECK-NEXT:      %[[WM0:.+]] = arith.muli %[[WARP]], %[[C16]] : index
// CHECK-NEXT:      %[[G:.+]] = arith.divui %[[LANE]], %[[C4]] : index
// CHECK-NEXT:      %[[T:.+]] = arith.remui %[[LANE]], %[[C4]] : index
// CHECK-NEXT:      %[[T2:.+]] = arith.muli %[[T]], %[[C2]] : index
// CHECK-NEXT:      %[[ROW:.+]] = arith.addi %[[WM0]], %[[G]] : index
// CHECK-NEXT:      %[[I00:.+]] = memref.load %[[C]][%[[ROW]], %[[T2]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[T21:.+]] = arith.addi %[[T2]], %[[C1]] : index
// CHECK-NEXT:      %[[I01:.+]] = memref.load %[[C]][%[[ROW]], %[[T21]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[ROW8:.+]] = arith.addi %[[ROW]], %[[C8]] : index
// CHECK-NEXT:      %[[I10:.+]] = memref.load %[[C]][%[[ROW8]], %[[T2]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[I11:.+]] = memref.load %[[C]][%[[ROW8]], %[[T21]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[INIT:.+]] = vector.from_elements %[[I00]], %[[I01]], %[[I10]], %[[I11]] : vector<2x2xf32>
// ldmatrix x4 lane addresses of A ([m][k]): row l % 16, column 8 (l / 16).
// CHECK-NEXT:      %[[AROW:.+]] = arith.remui %[[LANE]], %[[C16]] : index
// CHECK-NEXT:      %[[AHI:.+]] = arith.divui %[[LANE]], %[[C16]] : index
// CHECK-NEXT:      %[[ACOL:.+]] = arith.muli %[[AHI]], %[[C8]] : index
// Prologue: K tile 0 into stage 0. A: 16 rows of 2 chunks (one per thread);
// B ([k][n], 16 rows of one chunk): threads 16-31 clamp to chunk 15.
// CHECK-NEXT:      %[[CROW:.+]] = arith.divui %[[TID]], %[[C2]] : index
// CHECK-NEXT:      %[[CHALF:.+]] = arith.remui %[[TID]], %[[C2]] : index
// CHECK-NEXT:      %[[CCOL:.+]] = arith.muli %[[CHALF]], %[[C8]] : index
// CHECK-NEXT:      %[[CA0:.+]] = nvgpu.device_async_copy %[[A]][%[[CROW]], %[[CCOL]]], %[[SA]][%[[C0]], %[[CROW]], %[[CCOL]]], 8 {bypassL1} : memref<16x48xf16> to memref<2x16x24xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:      %[[BROW:.+]] = arith.minui %[[TID]], %[[C15]] : index
// CHECK-NEXT:      %[[CB0:.+]] = nvgpu.device_async_copy %[[B]][%[[BROW]], %[[C0]]], %[[SB]][%[[C0]], %[[BROW]], %[[C0]]], 8 {bypassL1} : memref<48x8xf16> to memref<2x16x16xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:      %[[FIRST:.+]] = nvgpu.device_async_create_group %[[CA0]], %[[CB0]]
// K loop: prefetch tile min(kt + 1, 2) into stage (kt + 1) % 2, wait for
// all groups but that one, sync, mma on stage kt % 2, sync.
// CHECK-NEXT:      %[[ACC:.+]] = scf.for %[[KT:.+]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[ITER:.+]] = %[[INIT]]) -> (vector<2x2xf32>) {
// CHECK-NEXT:        %[[KT1:.+]] = arith.addi %[[KT]], %[[C1]] : index
// CHECK-NEXT:        %[[NEXT:.+]] = arith.minui %[[KT1]], %[[C2]] : index
// CHECK-NEXT:        %[[K0:.+]] = arith.muli %[[NEXT]], %[[C16]] : index
// CHECK-NEXT:        %[[STN:.+]] = arith.remui %[[KT1]], %[[C2]] : index
// CHECK-NEXT:        %[[AK:.+]] = arith.addi %[[K0]], %[[CCOL]] : index
// CHECK-NEXT:        %[[CA:.+]] = nvgpu.device_async_copy %[[A]][%[[CROW]], %[[AK]]], %[[SA]][%[[STN]], %[[CROW]], %[[CCOL]]], 8 {bypassL1}
// CHECK-NEXT:        %[[BK:.+]] = arith.addi %[[K0]], %[[BROW]] : index
// CHECK-NEXT:        %[[CB:.+]] = nvgpu.device_async_copy %[[B]][%[[BK]], %[[C0]]], %[[SB]][%[[STN]], %[[BROW]], %[[C0]]], 8 {bypassL1}
// CHECK-NEXT:        %[[GROUP:.+]] = nvgpu.device_async_create_group %[[CA]], %[[CB]]
// CHECK-NEXT:        nvgpu.device_async_wait %[[GROUP]] {numGroups = 1 : i32}
// CHECK-NEXT:        gpu.barrier
// CHECK-NEXT:        %[[ST:.+]] = arith.remui %[[KT]], %[[C2]] : index
// CHECK-NEXT:        %[[AM:.+]] = arith.addi %[[WM0]], %[[AROW]] : index
// CHECK-NEXT:        %[[FA:.+]] = nvgpu.ldmatrix %[[SA]][%[[ST]], %[[AM]], %[[ACOL]]] {numTiles = 4 : i32, transpose = false} : memref<2x16x24xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// B ([k][n]) with .trans: k row l % 16, n column 0.
// CHECK-NEXT:        %[[FB:.+]] = nvgpu.ldmatrix %[[SB]][%[[ST]], %[[AROW]], %[[C0]]] {numTiles = 2 : i32, transpose = true} : memref<2x16x16xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
// CHECK-NEXT:        %[[D:.+]] = nvgpu.mma.sync(%[[FA]], %[[FB]], %[[ITER]]) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NEXT:        gpu.barrier
// CHECK-NEXT:        scf.yield %[[D]] : vector<2x2xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      nvgpu.device_async_wait %[[FIRST]] {numGroups = 0 : i32}
// CHECK-NEXT:      %[[O00:.+]] = vector.extract %[[ACC]][0, 0] : f32 from vector<2x2xf32>
// CHECK-NEXT:      memref.store %[[O00]], %[[C]][%[[ROW]], %[[T2]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[O01:.+]] = vector.extract %[[ACC]][0, 1] : f32 from vector<2x2xf32>
// CHECK-NEXT:      memref.store %[[O01]], %[[C]][%[[ROW]], %[[T21]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[O10:.+]] = vector.extract %[[ACC]][1, 0] : f32 from vector<2x2xf32>
// CHECK-NEXT:      memref.store %[[O10]], %[[C]][%[[ROW8]], %[[T2]]] : memref<16x8xf32>
// CHECK-NEXT:      %[[O11:.+]] = vector.extract %[[ACC]][1, 1] : f32 from vector<2x2xf32>
// CHECK-NEXT:      memref.store %[[O11]], %[[C]][%[[ROW8]], %[[T21]]] : memref<16x8xf32>
// CHECK-NEXT:      gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// SM75-LABEL: func.func @mm(
// SM75-NOT:     gpu.launch
// SM75:         linalg.matmul
// 6144 multiply-adds: below min-size=6145.
// BIG-LABEL: func.func @mm(
// BIG-NOT:     gpu.launch
// BIG:         linalg.matmul
func.func @mm(%a: memref<16x48xf16>, %b: memref<48x8xf16>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x48xf16>, memref<48x8xf16>) outs(%c : memref<16x8xf32>)
  return
}

// -----

// bf16 A^T * B (the weight gradient of the backward pass): A is [k][m]
// (16 x 32), B is [k][n]. One warp with a 32 x 16 warp tile: 2 x 2 mma
// tiles. A tile [k][m + 8] read with ldmatrix x4 .trans: matrix j = l / 8
// at k row l % 8 + 8 (l / 16), m column 8 ((l / 8) % 2). bf16 goes to
// nvvm.mma.sync directly, the fragment pairs bitcast to i32.
// CHECK-LABEL: func.func @at_b(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<16x32xbf16>
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG:     %[[C16:.+]] = arith.constant 16 : index
// CHECK-DAG:     %[[C32:.+]] = arith.constant 32 : index
// CHECK:         gpu.launch {{.*}} workgroup(%[[SA:[a-z0-9]+]] : memref<2x16x40xbf16, #gpu.address_space<workgroup>>, %[[SB:[a-z0-9]+]] : memref<2x16x24xbf16, #gpu.address_space<workgroup>>)
// CHECK:           %[[LANE:.+]] = arith.remui %{{.+}}, %[[C32]] : index
// CHECK:           %[[WM0:.+]] = arith.muli %{{.+}}, %[[C32]] : index
// CHECK:           %[[R8:.+]] = arith.remui %[[LANE]], %[[C8]] : index
// CHECK-NEXT:      %[[HI:.+]] = arith.divui %[[LANE]], %[[C16]] : index
// CHECK-NEXT:      %[[HI8:.+]] = arith.muli %[[HI]], %[[C8]] : index
// CHECK-NEXT:      %[[KROW:.+]] = arith.addi %[[R8]], %[[HI8]] : index
// CHECK-NEXT:      %[[J:.+]] = arith.divui %[[LANE]], %[[C8]] : index
// CHECK-NEXT:      %[[J2:.+]] = arith.remui %[[J]], %[[C2]] : index
// CHECK-NEXT:      %[[MCOL:.+]] = arith.muli %[[J2]], %[[C8]] : index
// CHECK-NEXT:      %[[BROW:.+]] = arith.remui %[[LANE]], %[[C16]] : index
// A tile: 16 k rows of 4 chunks, two rounds of 32 threads.
// CHECK:           nvgpu.device_async_copy %[[A]][%[[CR:[a-z0-9_]+]], %[[CC:[a-z0-9_]+]]], %[[SA]][%{{.+}}, %[[CR]], %[[CC]]], 8 {bypassL1}
// CHECK:           %[[M0:.+]] = arith.addi %[[WM0]], %[[MCOL]] : index
// CHECK-NEXT:      %[[FA0:.+]] = nvgpu.ldmatrix %[[SA]][%{{.+}}, %[[KROW]], %[[M0]]] {numTiles = 4 : i32, transpose = true} : memref<2x16x40xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK-NEXT:      %[[W16:.+]] = arith.addi %[[WM0]], %[[C16]] : index
// CHECK-NEXT:      %[[M1:.+]] = arith.addi %[[W16]], %[[MCOL]] : index
// CHECK-NEXT:      %[[FA1:.+]] = nvgpu.ldmatrix %[[SA]][%{{.+}}, %[[KROW]], %[[M1]]] {numTiles = 4 : i32, transpose = true}
// CHECK-NEXT:      %[[FB0:.+]] = nvgpu.ldmatrix %[[SB]][%{{.+}}, %[[BROW]], %{{.+}}] {numTiles = 2 : i32, transpose = true}
// CHECK-NEXT:      %[[FB1:.+]] = nvgpu.ldmatrix %[[SB]][%{{.+}}, %[[BROW]], %[[C8]]] {numTiles = 2 : i32, transpose = true}
// CHECK-NEXT:      %[[P0:.+]] = vector.extract %[[FA0]][0] : vector<2xbf16> from vector<4x2xbf16>
// CHECK-NEXT:      %[[P0I:.+]] = vector.bitcast %[[P0]] : vector<2xbf16> to vector<1xi32>
// CHECK-NEXT:      %[[R0:.+]] = vector.extract %[[P0I]][0] : i32 from vector<1xi32>
// CHECK:           nvvm.mma.sync A[%[[R0]], %{{.+}}, %{{.+}}, %{{.+}}]  B[%{{.+}}, %{{.+}}]  C[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}]  {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-3:   nvvm.mma.sync
// CHECK-NOT:       nvvm.mma.sync
// CHECK:           gpu.terminator
func.func @at_b(%a: memref<16x32xbf16>, %b: memref<16x16xbf16>, %c: memref<32x16xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%a, %b : memref<16x32xbf16>, memref<16x16xbf16>) outs(%c : memref<32x16xf32>)
  return
}

// -----

// f16 A * B^T (the input gradient): B is [n][k], its tile [n][k + 8] read
// with ldmatrix x2 (no .trans): matrix j = (l / 8) % 2 at n row l % 8, k
// column 8 j.
// CHECK-LABEL: func.func @a_bt(
// CHECK-SAME:    %{{.+}}: memref<16x16xf16>, %[[B:[a-z0-9]+]]: memref<8x16xf16>
// CHECK-DAG:     %[[C8:.+]] = arith.constant 8 : index
// CHECK:         gpu.launch {{.*}} workgroup(%{{.+}} : memref<2x16x24xf16, #gpu.address_space<workgroup>>, %[[SB:[a-z0-9]+]] : memref<2x8x24xf16, #gpu.address_space<workgroup>>)
// CHECK:           %[[LANE:.+]] = arith.remui %{{.+}}, %{{.+}} : index
// CHECK:           %[[NROW:.+]] = arith.remui %[[LANE]], %[[C8]] : index
// CHECK-NEXT:      %[[J:.+]] = arith.divui %[[LANE]], %[[C8]] : index
// CHECK-NEXT:      %[[J2:.+]] = arith.remui %[[J]], %{{.+}} : index
// CHECK-NEXT:      %[[KCOL:.+]] = arith.muli %[[J2]], %[[C8]] : index
// CHECK:           nvgpu.device_async_copy %[[B]][%[[BR:[a-z0-9_]+]], %[[BC:[a-z0-9_]+]]], %[[SB]][%{{.+}}, %[[BR]], %[[BC]]], 8 {bypassL1} : memref<8x16xf16>
// CHECK:           nvgpu.ldmatrix %[[SB]][%{{.+}}, %[[NROW]], %[[KCOL]]] {numTiles = 2 : i32, transpose = false} : memref<2x8x24xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
// CHECK-NEXT:      nvgpu.mma.sync
func.func @a_bt(%a: memref<16x16xf16>, %b: memref<8x16xf16>, %c: memref<16x8xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%a, %b : memref<16x16xf16>, memref<8x16xf16>) outs(%c : memref<16x8xf32>)
  return
}

// -----

// A batched generic with an f16 output (the compute-class result rounded
// to f16): f32 accumulation across K, the output widened into the
// accumulator once and rounded once at the store; the batch is blockIdx.z.
// CHECK-LABEL: func.func @bmm_half_out(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<3x16x16xf16>, %[[B:[a-z0-9]+]]: memref<3x16x8xf16>, %[[C:[a-z0-9]+]]: memref<3x16x8xf16>)
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK:         gpu.launch blocks(%{{.+}}, %{{.+}}, %[[BZ:[a-z0-9]+]]) in (%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %[[C3]])
// CHECK:           %[[L:.+]] = memref.load %[[C]][%[[BZ]], %[[R:[a-z0-9_]+]], %[[CO:[a-z0-9_]+]]] : memref<3x16x8xf16>
// CHECK-NEXT:      arith.extf %[[L]] : f16 to f32
// CHECK:           nvgpu.device_async_copy %[[A]][%[[BZ]], %{{.+}}, %{{.+}}], %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}], 8
// CHECK:           nvgpu.device_async_copy %[[B]][%[[BZ]], %{{.+}}, %{{.+}}], %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}], 8
// CHECK:           nvgpu.mma.sync
// CHECK:           %[[E:.+]] = vector.extract %{{.+}}[0, 0] : f32 from vector<2x2xf32>
// CHECK-NEXT:      %[[TR:.+]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT:      memref.store %[[TR]], %[[C]][%[[BZ]], %[[R]], %[[CO]]] : memref<3x16x8xf16>
func.func @bmm_half_out(%a: memref<3x16x16xf16>, %b: memref<3x16x8xf16>, %c: memref<3x16x8xf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
    ins(%a, %b : memref<3x16x16xf16>, memref<3x16x8xf16>) outs(%c : memref<3x16x8xf16>) {
  ^bb0(%x: f16, %y: f16, %acc: f16):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %ae = arith.extf %acc : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %ae, %p : f32
    %t = arith.truncf %s : f32 to f16
    linalg.yield %t : f16
  }
  return
}

// -----

// Left alone (FMA kernels of mp-gpu-tile-contractions): odd shapes, f32
// operands, an f16 payload that accumulates in f16, a strided input.
// CHECK-LABEL: func.func @keep(
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     nvgpu
// CHECK-COUNT-4: linalg.
// CHECK-NOT:     gpu.launch
func.func @keep(%a: memref<70x32xf16>, %b: memref<32x50xf16>, %c: memref<70x50xf32>,
                %af: memref<16x16xf32>, %bf: memref<16x8xf32>, %cf: memref<16x8xf32>,
                %ah: memref<16x16xf16>, %bh: memref<16x8xf16>, %ch: memref<16x8xf16>,
                %as: memref<16x16xf16, strided<[20, 1]>>) {
  linalg.matmul ins(%a, %b : memref<70x32xf16>, memref<32x50xf16>) outs(%c : memref<70x50xf32>)
  linalg.matmul ins(%af, %bf : memref<16x16xf32>, memref<16x8xf32>) outs(%cf : memref<16x8xf32>)
  linalg.matmul ins(%ah, %bh : memref<16x16xf16>, memref<16x8xf16>) outs(%ch : memref<16x8xf16>)
  linalg.matmul ins(%as, %bh : memref<16x16xf16, strided<[20, 1]>>, memref<16x8xf16>) outs(%cf : memref<16x8xf32>)
  return
}
