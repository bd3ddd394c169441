// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-tile-contractions))' -split-input-file | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-tile-contractions{min-size=520000}))' -split-input-file | FileCheck %s --check-prefix=AT
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-tile-contractions{min-size=520001}))' -split-input-file | FileCheck %s --check-prefix=ABOVE

// mp-gpu-tile-contractions: on buffers, a contraction (two inputs, one
// output, static ranges, one reduction loop k read by both inputs, m read
// by input 0 only, n by input 1 only, at most one batch loop, a pure
// payload) of at least min-size multiply-adds (default 0) becomes one
// gpu.launch: grid (ceil(N/64), ceil(M/64), batch), 16x16x1 threads, two
// 16x64 workgroup tiles in the input element types. Each thread keeps a
// 4x4 register tile (rows by*64 + ty + 16r, columns bx*64 + tx + 16c),
// initialised from the output with clamped indices; the K loop (step 16)
// stages both tiles (4 elements per thread each, clamped loads), syncs,
// runs the op's payload (its arith ops marked contract) on an inner loop
// that stops at min(16, K - k0), syncs again; the results are stored
// under an in-bounds guard. The linalg op is erased.

// A 100x40 * 40x130 f16 matmul with f32 accumulation (M = 100, K = 40,
// N = 130: edge tiles in every dimension; 520000 multiply-adds).
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<100x40xf16>, %[[B:[a-z0-9]+]]: memref<40x130xf16>, %[[C:[a-z0-9]+]]: memref<100x130xf32>)
// CHECK-NEXT:    %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[SIXTEEN:.+]] = arith.constant 16 : index
// CHECK-NEXT:    %[[GX:.+]] = arith.constant 3 : index
// CHECK-NEXT:    %[[GY:.+]] = arith.constant 2 : index
// CHECK-NEXT:    %[[GZ:.+]] = arith.constant 1 : index
// CHECK-NEXT:    gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in (%{{.+}} = %[[GX]], %{{.+}} = %[[GY]], %{{.+}} = %[[GZ]]) threads(%[[TX:.+]], %[[TY:.+]], %{{.+}}) in (%{{.+}} = %[[SIXTEEN]], %{{.+}} = %[[SIXTEEN]], %{{.+}} = %[[ONE]]) workgroup(%[[SA:.+]] : memref<16x64xf16, #gpu.address_space<workgroup>>, %[[SB:.+]] : memref<16x64xf16, #gpu.address_space<workgroup>>) {
// Tile origins (by * 64, bx * 64), rows m0 + ty + 16r, columns n0 + tx + 16c.
// CHECK-NEXT:      %[[C64:.+]] = arith.constant 64 : index
// CHECK-NEXT:      %[[M0:.+]] = arith.muli %[[BY]], %[[C64]] : index
// CHECK-NEXT:      %[[C64B:.+]] = arith.constant 64 : index
// CHECK-NEXT:      %[[N0:.+]] = arith.muli %[[BX]], %[[C64B]] : index
// CHECK-NEXT:      %[[R0A:.+]] = arith.addi %[[M0]], %[[TY]] : index
// CHECK-NEXT:      %[[OR0:.+]] = arith.constant 0 : index
// CHECK-NEXT:      %[[ROW0:.+]] = arith.addi %[[R0A]], %[[OR0]] : index
// CHECK-NEXT:      %[[C0A:.+]] = arith.addi %[[N0]], %[[TX]] : index
// CHECK-NEXT:      %[[OC0:.+]] = arith.constant 0 : index
// CHECK-NEXT:      %[[COL0:.+]] = arith.addi %[[C0A]], %[[OC0]] : index
// CHECK-NEXT:      %[[R1A:.+]] = arith.addi %[[M0]], %[[TY]] : index
// CHECK-NEXT:      %[[OR1:.+]] = arith.constant 16 : index
// CHECK-NEXT:      %[[ROW1:.+]] = arith.addi %[[R1A]], %[[OR1]] : index
// CHECK-NEXT:      %[[C1A:.+]] = arith.addi %[[N0]], %[[TX]] : index
// CHECK-NEXT:      %[[OC1:.+]] = arith.constant 16 : index
// CHECK-NEXT:      %[[COL1:.+]] = arith.addi %[[C1A]], %[[OC1]] : index
// CHECK-NEXT:      %[[R2A:.+]] = arith.addi %[[M0]], %[[TY]] : index
// CHECK-NEXT:      %[[OR2:.+]] = arith.constant 32 : index
// CHECK-NEXT:      %[[ROW2:.+]] = arith.addi %[[R2A]], %[[OR2]] : index
// CHECK-NEXT:      %[[C2A:.+]] = arith.addi %[[N0]], %[[TX]] : index
// CHECK-NEXT:      %[[OC2:.+]] = arith.constant 32 : index
// CHECK-NEXT:      %[[COL2:.+]] = arith.addi %[[C2A]], %[[OC2]] : index
// CHECK-NEXT:      %[[R3A:.+]] = arith.addi %[[M0]], %[[TY]] : index
// CHECK-NEXT:      %[[OR3:.+]] = arith.constant 48 : index
// CHECK-NEXT:      %[[ROW3:.+]] = arith.addi %[[R3A]], %[[OR3]] : index
// CHECK-NEXT:      %[[C3A:.+]] = arith.addi %[[N0]], %[[TX]] : index
// CHECK-NEXT:      %[[OC3:.+]] = arith.constant 48 : index
// CHECK-NEXT:      %[[COL3:.+]] = arith.addi %[[C3A]], %[[OC3]] : index
// The accumulators start from the output, indices clamped to 99 and 129.
// CHECK-NEXT:      %[[MM0:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM0:.+]] = arith.minui %[[ROW0]], %[[MM0]] : index
// CHECK-NEXT:      %[[MN0:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN0:.+]] = arith.minui %[[COL0]], %[[MN0]] : index
// CHECK-NEXT:      %[[ACC0:.+]] = memref.load %[[C]][%[[IM0]], %[[IN0]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM1:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM1:.+]] = arith.minui %[[ROW0]], %[[MM1]] : index
// CHECK-NEXT:      %[[MN1:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN1:.+]] = arith.minui %[[COL1]], %[[MN1]] : index
// CHECK-NEXT:      %[[ACC1:.+]] = memref.load %[[C]][%[[IM1]], %[[IN1]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM2:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM2:.+]] = arith.minui %[[ROW0]], %[[MM2]] : index
// CHECK-NEXT:      %[[MN2:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN2:.+]] = arith.minui %[[COL2]], %[[MN2]] : index
// CHECK-NEXT:      %[[ACC2:.+]] = memref.load %[[C]][%[[IM2]], %[[IN2]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM3:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM3:.+]] = arith.minui %[[ROW0]], %[[MM3]] : index
// CHECK-NEXT:      %[[MN3:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN3:.+]] = arith.minui %[[COL3]], %[[MN3]] : index
// CHECK-NEXT:      %[[ACC3:.+]] = memref.load %[[C]][%[[IM3]], %[[IN3]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM4:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM4:.+]] = arith.minui %[[ROW1]], %[[MM4]] : index
// CHECK-NEXT:      %[[MN4:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN4:.+]] = arith.minui %[[COL0]], %[[MN4]] : index
// CHECK-NEXT:      %[[ACC4:.+]] = memref.load %[[C]][%[[IM4]], %[[IN4]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM5:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM5:.+]] = arith.minui %[[ROW1]], %[[MM5]] : index
// CHECK-NEXT:      %[[MN5:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN5:.+]] = arith.minui %[[COL1]], %[[MN5]] : index
// CHECK-NEXT:      %[[ACC5:.+]] = memref.load %[[C]][%[[IM5]], %[[IN5]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM6:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM6:.+]] = arith.minui %[[ROW1]], %[[MM6]] : index
// CHECK-NEXT:      %[[MN6:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN6:.+]] = arith.minui %[[COL2]], %[[MN6]] : index
// CHECK-NEXT:      %[[ACC6:.+]] = memref.load %[[C]][%[[IM6]], %[[IN6]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM7:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM7:.+]] = arith.minui %[[ROW1]], %[[MM7]] : index
// CHECK-NEXT:      %[[MN7:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN7:.+]] = arith.minui %[[COL3]], %[[MN7]] : index
// CHECK-NEXT:      %[[ACC7:.+]] = memref.load %[[C]][%[[IM7]], %[[IN7]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM8:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM8:.+]] = arith.minui %[[ROW2]], %[[MM8]] : index
// CHECK-NEXT:      %[[MN8:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN8:.+]] = arith.minui %[[COL0]], %[[MN8]] : index
// CHECK-NEXT:      %[[ACC8:.+]] = memref.load %[[C]][%[[IM8]], %[[IN8]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM9:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM9:.+]] = arith.minui %[[ROW2]], %[[MM9]] : index
// CHECK-NEXT:      %[[MN9:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN9:.+]] = arith.minui %[[COL1]], %[[MN9]] : index
// CHECK-NEXT:      %[[ACC9:.+]] = memref.load %[[C]][%[[IM9]], %[[IN9]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM10:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM10:.+]] = arith.minui %[[ROW2]], %[[MM10]] : index
// CHECK-NEXT:      %[[MN10:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN10:.+]] = arith.minui %[[COL2]], %[[MN10]] : index
// CHECK-NEXT:      %[[ACC10:.+]] = memref.load %[[C]][%[[IM10]], %[[IN10]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM11:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM11:.+]] = arith.minui %[[ROW2]], %[[MM11]] : index
// CHECK-NEXT:      %[[MN11:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN11:.+]] = arith.minui %[[COL3]], %[[MN11]] : index
// CHECK-NEXT:      %[[ACC11:.+]] = memref.load %[[C]][%[[IM11]], %[[IN11]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM12:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM12:.+]] = arith.minui %[[ROW3]], %[[MM12]] : index
// CHECK-NEXT:      %[[MN12:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN12:.+]] = arith.minui %[[COL0]], %[[MN12]] : index
// CHECK-NEXT:      %[[ACC12:.+]] = memref.load %[[C]][%[[IM12]], %[[IN12]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM13:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM13:.+]] = arith.minui %[[ROW3]], %[[MM13]] : index
// CHECK-NEXT:      %[[MN13:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN13:.+]] = arith.minui %[[COL1]], %[[MN13]] : index
// CHECK-NEXT:      %[[ACC13:.+]] = memref.load %[[C]][%[[IM13]], %[[IN13]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM14:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM14:.+]] = arith.minui %[[ROW3]], %[[MM14]] : index
// CHECK-NEXT:      %[[MN14:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN14:.+]] = arith.minui %[[COL2]], %[[MN14]] : index
// CHECK-NEXT:      %[[ACC14:.+]] = memref.load %[[C]][%[[IM14]], %[[IN14]]] : memref<100x130xf32>
// CHECK-NEXT:      %[[MM15:.+]] = arith.constant 99 : index
// CHECK-NEXT:      %[[IM15:.+]] = arith.minui %[[ROW3]], %[[MM15]] : index
// CHECK-NEXT:      %[[MN15:.+]] = arith.constant 129 : index
// CHECK-NEXT:      %[[IN15:.+]] = arith.minui %[[COL3]], %[[MN15]] : index
// CHECK-NEXT:      %[[ACC15:.+]] = memref.load %[[C]][%[[IM15]], %[[IN15]]] : memref<100x130xf32>
// tid = ty * 16 + tx; the K loop: 0 to 40 step 16, the 16 accumulators.
// CHECK-NEXT:      %[[C16T:.+]] = arith.constant 16 : index
// CHECK-NEXT:      %[[TYX:.+]] = arith.muli %[[TY]], %[[C16T]] : index
// CHECK-NEXT:      %[[TID:.+]] = arith.addi %[[TYX]], %[[TX]] : index
// CHECK-NEXT:      %[[KLB:.+]] = arith.constant 0 : index
// CHECK-NEXT:      %[[KUB:.+]] = arith.constant 40 : index
// CHECK-NEXT:      %[[KST:.+]] = arith.constant 16 : index
// CHECK-NEXT:      %[[RES:.+]]:16 = scf.for %[[K0:.+]] = %[[KLB]] to %[[KUB]] step %[[KST]] iter_args(%[[IT0:[a-z0-9_]+]] = %[[ACC0]], %[[IT1:[a-z0-9_]+]] = %[[ACC1]], %[[IT2:[a-z0-9_]+]] = %[[ACC2]], %[[IT3:[a-z0-9_]+]] = %[[ACC3]], %[[IT4:[a-z0-9_]+]] = %[[ACC4]], %[[IT5:[a-z0-9_]+]] = %[[ACC5]], %[[IT6:[a-z0-9_]+]] = %[[ACC6]], %[[IT7:[a-z0-9_]+]] = %[[ACC7]], %[[IT8:[a-z0-9_]+]] = %[[ACC8]], %[[IT9:[a-z0-9_]+]] = %[[ACC9]], %[[IT10:[a-z0-9_]+]] = %[[ACC10]], %[[IT11:[a-z0-9_]+]] = %[[ACC11]], %[[IT12:[a-z0-9_]+]] = %[[ACC12]], %[[IT13:[a-z0-9_]+]] = %[[ACC13]], %[[IT14:[a-z0-9_]+]] = %[[ACC14]], %[[IT15:[a-z0-9_]+]] = %[[ACC15]]) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// Stage A (k inner): e = tid + 256i, k = e % 16, m = e / 16;
// A[min(m0 + m, 99), min(k0 + k, 39)] to tileA[k, m].
// CHECK-NEXT:        %[[EO0:.+]] = arith.constant 0 : index
// CHECK-NEXT:        %[[E0:.+]] = arith.addi %[[TID]], %[[EO0]] : index
// CHECK-NEXT:        %[[EK0:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[KK0:.+]] = arith.remui %[[E0]], %[[EK0]] : index
// CHECK-NEXT:        %[[EX0:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[XX0:.+]] = arith.divui %[[E0]], %[[EX0]] : index
// CHECK-NEXT:        %[[GM0:.+]] = arith.addi %[[M0]], %[[XX0]] : index
// CHECK-NEXT:        %[[LM0:.+]] = arith.constant 99 : index
// CHECK-NEXT:        %[[GMC0:.+]] = arith.minui %[[GM0]], %[[LM0]] : index
// CHECK-NEXT:        %[[GK0:.+]] = arith.addi %[[K0]], %[[KK0]] : index
// CHECK-NEXT:        %[[LK0:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKC0:.+]] = arith.minui %[[GK0]], %[[LK0]] : index
// CHECK-NEXT:        %[[VA0:.+]] = memref.load %[[A]][%[[GMC0]], %[[GKC0]]] : memref<100x40xf16>
// CHECK-NEXT:        memref.store %[[VA0]], %[[SA]][%[[KK0]], %[[XX0]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        %[[EO1:.+]] = arith.constant 256 : index
// CHECK-NEXT:        %[[E1:.+]] = arith.addi %[[TID]], %[[EO1]] : index
// CHECK-NEXT:        %[[EK1:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[KK1:.+]] = arith.remui %[[E1]], %[[EK1]] : index
// CHECK-NEXT:        %[[EX1:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[XX1:.+]] = arith.divui %[[E1]], %[[EX1]] : index
// CHECK-NEXT:        %[[GM1:.+]] = arith.addi %[[M0]], %[[XX1]] : index
// CHECK-NEXT:        %[[LM1:.+]] = arith.constant 99 : index
// CHECK-NEXT:        %[[GMC1:.+]] = arith.minui %[[GM1]], %[[LM1]] : index
// CHECK-NEXT:        %[[GK1:.+]] = arith.addi %[[K0]], %[[KK1]] : index
// CHECK-NEXT:        %[[LK1:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKC1:.+]] = arith.minui %[[GK1]], %[[LK1]] : index
// CHECK-NEXT:        %[[VA1:.+]] = memref.load %[[A]][%[[GMC1]], %[[GKC1]]] : memref<100x40xf16>
// CHECK-NEXT:        memref.store %[[VA1]], %[[SA]][%[[KK1]], %[[XX1]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        %[[EO2:.+]] = arith.constant 512 : index
// CHECK-NEXT:        %[[E2:.+]] = arith.addi %[[TID]], %[[EO2]] : index
// CHECK-NEXT:        %[[EK2:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[KK2:.+]] = arith.remui %[[E2]], %[[EK2]] : index
// CHECK-NEXT:        %[[EX2:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[XX2:.+]] = arith.divui %[[E2]], %[[EX2]] : index
// CHECK-NEXT:        %[[GM2:.+]] = arith.addi %[[M0]], %[[XX2]] : index
// CHECK-NEXT:        %[[LM2:.+]] = arith.constant 99 : index
// CHECK-NEXT:        %[[GMC2:.+]] = arith.minui %[[GM2]], %[[LM2]] : index
// CHECK-NEXT:        %[[GK2:.+]] = arith.addi %[[K0]], %[[KK2]] : index
// CHECK-NEXT:        %[[LK2:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKC2:.+]] = arith.minui %[[GK2]], %[[LK2]] : index
// CHECK-NEXT:        %[[VA2:.+]] = memref.load %[[A]][%[[GMC2]], %[[GKC2]]] : memref<100x40xf16>
// CHECK-NEXT:        memref.store %[[VA2]], %[[SA]][%[[KK2]], %[[XX2]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        %[[EO3:.+]] = arith.constant 768 : index
// CHECK-NEXT:        %[[E3:.+]] = arith.addi %[[TID]], %[[EO3]] : index
// CHECK-NEXT:        %[[EK3:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[KK3:.+]] = arith.remui %[[E3]], %[[EK3]] : index
// CHECK-NEXT:        %[[EX3:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[XX3:.+]] = arith.divui %[[E3]], %[[EX3]] : index
// CHECK-NEXT:        %[[GM3:.+]] = arith.addi %[[M0]], %[[XX3]] : index
// CHECK-NEXT:        %[[LM3:.+]] = arith.constant 99 : index
// CHECK-NEXT:        %[[GMC3:.+]] = arith.minui %[[GM3]], %[[LM3]] : index
// CHECK-NEXT:        %[[GK3:.+]] = arith.addi %[[K0]], %[[KK3]] : index
// CHECK-NEXT:        %[[LK3:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKC3:.+]] = arith.minui %[[GK3]], %[[LK3]] : index
// CHECK-NEXT:        %[[VA3:.+]] = memref.load %[[A]][%[[GMC3]], %[[GKC3]]] : memref<100x40xf16>
// CHECK-NEXT:        memref.store %[[VA3]], %[[SA]][%[[KK3]], %[[XX3]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// Stage B (n inner): n = e % 64, k = e / 64;
// B[min(k0 + k, 39), min(n0 + n, 129)] to tileB[k, n].
// CHECK-NEXT:        %[[FO0:.+]] = arith.constant 0 : index
// CHECK-NEXT:        %[[F0:.+]] = arith.addi %[[TID]], %[[FO0]] : index
// CHECK-NEXT:        %[[FN0:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[NN0:.+]] = arith.remui %[[F0]], %[[FN0]] : index
// CHECK-NEXT:        %[[FK0:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[KB0:.+]] = arith.divui %[[F0]], %[[FK0]] : index
// CHECK-NEXT:        %[[GN0:.+]] = arith.addi %[[N0]], %[[NN0]] : index
// CHECK-NEXT:        %[[LN0:.+]] = arith.constant 129 : index
// CHECK-NEXT:        %[[GNC0:.+]] = arith.minui %[[GN0]], %[[LN0]] : index
// CHECK-NEXT:        %[[GKB0:.+]] = arith.addi %[[K0]], %[[KB0]] : index
// CHECK-NEXT:        %[[LKB0:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKBC0:.+]] = arith.minui %[[GKB0]], %[[LKB0]] : index
// CHECK-NEXT:        %[[VB0:.+]] = memref.load %[[B]][%[[GKBC0]], %[[GNC0]]] : memref<40x130xf16>
// CHECK-NEXT:        memref.store %[[VB0]], %[[SB]][%[[KB0]], %[[NN0]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        %[[FO1:.+]] = arith.constant 256 : index
// CHECK-NEXT:        %[[F1:.+]] = arith.addi %[[TID]], %[[FO1]] : index
// CHECK-NEXT:        %[[FN1:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[NN1:.+]] = arith.remui %[[F1]], %[[FN1]] : index
// CHECK-NEXT:        %[[FK1:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[KB1:.+]] = arith.divui %[[F1]], %[[FK1]] : index
// CHECK-NEXT:        %[[GN1:.+]] = arith.addi %[[N0]], %[[NN1]] : index
// CHECK-NEXT:        %[[LN1:.+]] = arith.constant 129 : index
// CHECK-NEXT:        %[[GNC1:.+]] = arith.minui %[[GN1]], %[[LN1]] : index
// CHECK-NEXT:        %[[GKB1:.+]] = arith.addi %[[K0]], %[[KB1]] : index
// CHECK-NEXT:        %[[LKB1:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKBC1:.+]] = arith.minui %[[GKB1]], %[[LKB1]] : index
// CHECK-NEXT:        %[[VB1:.+]] = memref.load %[[B]][%[[GKBC1]], %[[GNC1]]] : memref<40x130xf16>
// CHECK-NEXT:        memref.store %[[VB1]], %[[SB]][%[[KB1]], %[[NN1]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        %[[FO2:.+]] = arith.constant 512 : index
// CHECK-NEXT:        %[[F2:.+]] = arith.addi %[[TID]], %[[FO2]] : index
// CHECK-NEXT:        %[[FN2:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[NN2:.+]] = arith.remui %[[F2]], %[[FN2]] : index
// CHECK-NEXT:        %[[FK2:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[KB2:.+]] = arith.divui %[[F2]], %[[FK2]] : index
// CHECK-NEXT:        %[[GN2:.+]] = arith.addi %[[N0]], %[[NN2]] : index
// CHECK-NEXT:        %[[LN2:.+]] = arith.constant 129 : index
// CHECK-NEXT:        %[[GNC2:.+]] = arith.minui %[[GN2]], %[[LN2]] : index
// CHECK-NEXT:        %[[GKB2:.+]] = arith.addi %[[K0]], %[[KB2]] : index
// CHECK-NEXT:        %[[LKB2:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKBC2:.+]] = arith.minui %[[GKB2]], %[[LKB2]] : index
// CHECK-NEXT:        %[[VB2:.+]] = memref.load %[[B]][%[[GKBC2]], %[[GNC2]]] : memref<40x130xf16>
// CHECK-NEXT:        memref.store %[[VB2]], %[[SB]][%[[KB2]], %[[NN2]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        %[[FO3:.+]] = arith.constant 768 : index
// CHECK-NEXT:        %[[F3:.+]] = arith.addi %[[TID]], %[[FO3]] : index
// CHECK-NEXT:        %[[FN3:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[NN3:.+]] = arith.remui %[[F3]], %[[FN3]] : index
// CHECK-NEXT:        %[[FK3:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[KB3:.+]] = arith.divui %[[F3]], %[[FK3]] : index
// CHECK-NEXT:        %[[GN3:.+]] = arith.addi %[[N0]], %[[NN3]] : index
// CHECK-NEXT:        %[[LN3:.+]] = arith.constant 129 : index
// CHECK-NEXT:        %[[GNC3:.+]] = arith.minui %[[GN3]], %[[LN3]] : index
// CHECK-NEXT:        %[[GKB3:.+]] = arith.addi %[[K0]], %[[KB3]] : index
// CHECK-NEXT:        %[[LKB3:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GKBC3:.+]] = arith.minui %[[GKB3]], %[[LKB3]] : index
// CHECK-NEXT:        %[[VB3:.+]] = memref.load %[[B]][%[[GKBC3]], %[[GNC3]]] : memref<40x130xf16>
// CHECK-NEXT:        memref.store %[[VB3]], %[[SB]][%[[KB3]], %[[NN3]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:        gpu.barrier
// The inner loop: 0 to min(16, 40 - k0).
// CHECK-NEXT:        %[[T16:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[T40:.+]] = arith.constant 40 : index
// CHECK-NEXT:        %[[LEFT:.+]] = arith.subi %[[T40]], %[[K0]] : index
// CHECK-NEXT:        %[[KEND:.+]] = arith.minsi %[[T16]], %[[LEFT]] : index
// CHECK-NEXT:        %[[ILB:.+]] = arith.constant 0 : index
// CHECK-NEXT:        %[[INNER:.+]]:16 = scf.for %[[KI:.+]] = %[[ILB]] to %[[KEND]] step %[[ONE]] iter_args(%[[J0:[a-z0-9_]+]] = %[[IT0]], %[[J1:[a-z0-9_]+]] = %[[IT1]], %[[J2:[a-z0-9_]+]] = %[[IT2]], %[[J3:[a-z0-9_]+]] = %[[IT3]], %[[J4:[a-z0-9_]+]] = %[[IT4]], %[[J5:[a-z0-9_]+]] = %[[IT5]], %[[J6:[a-z0-9_]+]] = %[[IT6]], %[[J7:[a-z0-9_]+]] = %[[IT7]], %[[J8:[a-z0-9_]+]] = %[[IT8]], %[[J9:[a-z0-9_]+]] = %[[IT9]], %[[J10:[a-z0-9_]+]] = %[[IT10]], %[[J11:[a-z0-9_]+]] = %[[IT11]], %[[J12:[a-z0-9_]+]] = %[[IT12]], %[[J13:[a-z0-9_]+]] = %[[IT13]], %[[J14:[a-z0-9_]+]] = %[[IT14]], %[[J15:[a-z0-9_]+]] = %[[IT15]]) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// Registers: tileA[k, ty + 16r], tileB[k, tx + 16c].
// CHECK-NEXT:          %[[QA0:.+]] = arith.constant 0 : index
// CHECK-NEXT:          %[[IA0:.+]] = arith.addi %[[TY]], %[[QA0]] : index
// CHECK-NEXT:          %[[AV0:.+]] = memref.load %[[SA]][%[[KI]], %[[IA0]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QB0:.+]] = arith.constant 0 : index
// CHECK-NEXT:          %[[IB0:.+]] = arith.addi %[[TX]], %[[QB0]] : index
// CHECK-NEXT:          %[[BV0:.+]] = memref.load %[[SB]][%[[KI]], %[[IB0]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QA1:.+]] = arith.constant 16 : index
// CHECK-NEXT:          %[[IA1:.+]] = arith.addi %[[TY]], %[[QA1]] : index
// CHECK-NEXT:          %[[AV1:.+]] = memref.load %[[SA]][%[[KI]], %[[IA1]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QB1:.+]] = arith.constant 16 : index
// CHECK-NEXT:          %[[IB1:.+]] = arith.addi %[[TX]], %[[QB1]] : index
// CHECK-NEXT:          %[[BV1:.+]] = memref.load %[[SB]][%[[KI]], %[[IB1]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QA2:.+]] = arith.constant 32 : index
// CHECK-NEXT:          %[[IA2:.+]] = arith.addi %[[TY]], %[[QA2]] : index
// CHECK-NEXT:          %[[AV2:.+]] = memref.load %[[SA]][%[[KI]], %[[IA2]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QB2:.+]] = arith.constant 32 : index
// CHECK-NEXT:          %[[IB2:.+]] = arith.addi %[[TX]], %[[QB2]] : index
// CHECK-NEXT:          %[[BV2:.+]] = memref.load %[[SB]][%[[KI]], %[[IB2]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QA3:.+]] = arith.constant 48 : index
// CHECK-NEXT:          %[[IA3:.+]] = arith.addi %[[TY]], %[[QA3]] : index
// CHECK-NEXT:          %[[AV3:.+]] = memref.load %[[SA]][%[[KI]], %[[IA3]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// CHECK-NEXT:          %[[QB3:.+]] = arith.constant 48 : index
// CHECK-NEXT:          %[[IB3:.+]] = arith.addi %[[TX]], %[[QB3]] : index
// CHECK-NEXT:          %[[BV3:.+]] = memref.load %[[SB]][%[[KI]], %[[IB3]]] : memref<16x64xf16, #gpu.address_space<workgroup>>
// The payload of linalg.matmul per accumulator (r, c), marked contract.
// CHECK-NEXT:          %[[X0:.+]] = arith.extf %[[AV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y0:.+]] = arith.extf %[[BV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P0:.+]] = arith.mulf %[[X0]], %[[Y0]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S0:.+]] = arith.addf %[[J0]], %[[P0]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X1:.+]] = arith.extf %[[AV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y1:.+]] = arith.extf %[[BV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P1:.+]] = arith.mulf %[[X1]], %[[Y1]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S1:.+]] = arith.addf %[[J1]], %[[P1]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X2:.+]] = arith.extf %[[AV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y2:.+]] = arith.extf %[[BV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P2:.+]] = arith.mulf %[[X2]], %[[Y2]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S2:.+]] = arith.addf %[[J2]], %[[P2]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X3:.+]] = arith.extf %[[AV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y3:.+]] = arith.extf %[[BV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P3:.+]] = arith.mulf %[[X3]], %[[Y3]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S3:.+]] = arith.addf %[[J3]], %[[P3]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X4:.+]] = arith.extf %[[AV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y4:.+]] = arith.extf %[[BV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P4:.+]] = arith.mulf %[[X4]], %[[Y4]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S4:.+]] = arith.addf %[[J4]], %[[P4]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X5:.+]] = arith.extf %[[AV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y5:.+]] = arith.extf %[[BV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P5:.+]] = arith.mulf %[[X5]], %[[Y5]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S5:.+]] = arith.addf %[[J5]], %[[P5]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X6:.+]] = arith.extf %[[AV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y6:.+]] = arith.extf %[[BV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P6:.+]] = arith.mulf %[[X6]], %[[Y6]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S6:.+]] = arith.addf %[[J6]], %[[P6]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X7:.+]] = arith.extf %[[AV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y7:.+]] = arith.extf %[[BV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P7:.+]] = arith.mulf %[[X7]], %[[Y7]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S7:.+]] = arith.addf %[[J7]], %[[P7]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X8:.+]] = arith.extf %[[AV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y8:.+]] = arith.extf %[[BV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P8:.+]] = arith.mulf %[[X8]], %[[Y8]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S8:.+]] = arith.addf %[[J8]], %[[P8]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X9:.+]] = arith.extf %[[AV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y9:.+]] = arith.extf %[[BV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P9:.+]] = arith.mulf %[[X9]], %[[Y9]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S9:.+]] = arith.addf %[[J9]], %[[P9]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X10:.+]] = arith.extf %[[AV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y10:.+]] = arith.extf %[[BV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P10:.+]] = arith.mulf %[[X10]], %[[Y10]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S10:.+]] = arith.addf %[[J10]], %[[P10]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X11:.+]] = arith.extf %[[AV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y11:.+]] = arith.extf %[[BV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P11:.+]] = arith.mulf %[[X11]], %[[Y11]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S11:.+]] = arith.addf %[[J11]], %[[P11]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X12:.+]] = arith.extf %[[AV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y12:.+]] = arith.extf %[[BV0]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P12:.+]] = arith.mulf %[[X12]], %[[Y12]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S12:.+]] = arith.addf %[[J12]], %[[P12]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X13:.+]] = arith.extf %[[AV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y13:.+]] = arith.extf %[[BV1]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P13:.+]] = arith.mulf %[[X13]], %[[Y13]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S13:.+]] = arith.addf %[[J13]], %[[P13]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X14:.+]] = arith.extf %[[AV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y14:.+]] = arith.extf %[[BV2]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P14:.+]] = arith.mulf %[[X14]], %[[Y14]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S14:.+]] = arith.addf %[[J14]], %[[P14]] fastmath<contract> : f32
// CHECK-NEXT:          %[[X15:.+]] = arith.extf %[[AV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[Y15:.+]] = arith.extf %[[BV3]] fastmath<contract> : f16 to f32
// CHECK-NEXT:          %[[P15:.+]] = arith.mulf %[[X15]], %[[Y15]] fastmath<contract> : f32
// CHECK-NEXT:          %[[S15:.+]] = arith.addf %[[J15]], %[[P15]] fastmath<contract> : f32
// CHECK-NEXT:          scf.yield %[[S0]], %[[S1]], %[[S2]], %[[S3]], %[[S4]], %[[S5]], %[[S6]], %[[S7]], %[[S8]], %[[S9]], %[[S10]], %[[S11]], %[[S12]], %[[S13]], %[[S14]], %[[S15]] : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32
// CHECK-NEXT:        }
// CHECK-NEXT:        gpu.barrier
// CHECK-NEXT:        scf.yield %[[INNER]]#0, %[[INNER]]#1, %[[INNER]]#2, %[[INNER]]#3, %[[INNER]]#4, %[[INNER]]#5, %[[INNER]]#6, %[[INNER]]#7, %[[INNER]]#8, %[[INNER]]#9, %[[INNER]]#10, %[[INNER]]#11, %[[INNER]]#12, %[[INNER]]#13, %[[INNER]]#14, %[[INNER]]#15 : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32
// CHECK-NEXT:      }
// Stores guarded by row < 100 and column < 130.
// CHECK-NEXT:      %[[U0:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM0:.+]] = arith.cmpi ult, %[[ROW0]], %[[U0]] : index
// CHECK-NEXT:      %[[V0:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN0:.+]] = arith.cmpi ult, %[[COL0]], %[[V0]] : index
// CHECK-NEXT:      %[[OK0:.+]] = arith.andi %[[OKM0]], %[[OKN0]] : i1
// CHECK-NEXT:      scf.if %[[OK0]] {
// CHECK-NEXT:        memref.store %[[RES]]#0, %[[C]][%[[ROW0]], %[[COL0]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U1:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM1:.+]] = arith.cmpi ult, %[[ROW0]], %[[U1]] : index
// CHECK-NEXT:      %[[V1:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN1:.+]] = arith.cmpi ult, %[[COL1]], %[[V1]] : index
// CHECK-NEXT:      %[[OK1:.+]] = arith.andi %[[OKM1]], %[[OKN1]] : i1
// CHECK-NEXT:      scf.if %[[OK1]] {
// CHECK-NEXT:        memref.store %[[RES]]#1, %[[C]][%[[ROW0]], %[[COL1]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U2:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM2:.+]] = arith.cmpi ult, %[[ROW0]], %[[U2]] : index
// CHECK-NEXT:      %[[V2:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN2:.+]] = arith.cmpi ult, %[[COL2]], %[[V2]] : index
// CHECK-NEXT:      %[[OK2:.+]] = arith.andi %[[OKM2]], %[[OKN2]] : i1
// CHECK-NEXT:      scf.if %[[OK2]] {
// CHECK-NEXT:        memref.store %[[RES]]#2, %[[C]][%[[ROW0]], %[[COL2]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U3:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM3:.+]] = arith.cmpi ult, %[[ROW0]], %[[U3]] : index
// CHECK-NEXT:      %[[V3:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN3:.+]] = arith.cmpi ult, %[[COL3]], %[[V3]] : index
// CHECK-NEXT:      %[[OK3:.+]] = arith.andi %[[OKM3]], %[[OKN3]] : i1
// CHECK-NEXT:      scf.if %[[OK3]] {
// CHECK-NEXT:        memref.store %[[RES]]#3, %[[C]][%[[ROW0]], %[[COL3]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U4:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM4:.+]] = arith.cmpi ult, %[[ROW1]], %[[U4]] : index
// CHECK-NEXT:      %[[V4:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN4:.+]] = arith.cmpi ult, %[[COL0]], %[[V4]] : index
// CHECK-NEXT:      %[[OK4:.+]] = arith.andi %[[OKM4]], %[[OKN4]] : i1
// CHECK-NEXT:      scf.if %[[OK4]] {
// CHECK-NEXT:        memref.store %[[RES]]#4, %[[C]][%[[ROW1]], %[[COL0]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U5:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM5:.+]] = arith.cmpi ult, %[[ROW1]], %[[U5]] : index
// CHECK-NEXT:      %[[V5:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN5:.+]] = arith.cmpi ult, %[[COL1]], %[[V5]] : index
// CHECK-NEXT:      %[[OK5:.+]] = arith.andi %[[OKM5]], %[[OKN5]] : i1
// CHECK-NEXT:      scf.if %[[OK5]] {
// CHECK-NEXT:        memref.store %[[RES]]#5, %[[C]][%[[ROW1]], %[[COL1]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U6:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM6:.+]] = arith.cmpi ult, %[[ROW1]], %[[U6]] : index
// CHECK-NEXT:      %[[V6:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN6:.+]] = arith.cmpi ult, %[[COL2]], %[[V6]] : index
// CHECK-NEXT:      %[[OK6:.+]] = arith.andi %[[OKM6]], %[[OKN6]] : i1
// CHECK-NEXT:      scf.if %[[OK6]] {
// CHECK-NEXT:        memref.store %[[RES]]#6, %[[C]][%[[ROW1]], %[[COL2]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U7:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM7:.+]] = arith.cmpi ult, %[[ROW1]], %[[U7]] : index
// CHECK-NEXT:      %[[V7:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN7:.+]] = arith.cmpi ult, %[[COL3]], %[[V7]] : index
// CHECK-NEXT:      %[[OK7:.+]] = arith.andi %[[OKM7]], %[[OKN7]] : i1
// CHECK-NEXT:      scf.if %[[OK7]] {
// CHECK-NEXT:        memref.store %[[RES]]#7, %[[C]][%[[ROW1]], %[[COL3]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U8:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM8:.+]] = arith.cmpi ult, %[[ROW2]], %[[U8]] : index
// CHECK-NEXT:      %[[V8:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN8:.+]] = arith.cmpi ult, %[[COL0]], %[[V8]] : index
// CHECK-NEXT:      %[[OK8:.+]] = arith.andi %[[OKM8]], %[[OKN8]] : i1
// CHECK-NEXT:      scf.if %[[OK8]] {
// CHECK-NEXT:        memref.store %[[RES]]#8, %[[C]][%[[ROW2]], %[[COL0]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U9:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM9:.+]] = arith.cmpi ult, %[[ROW2]], %[[U9]] : index
// CHECK-NEXT:      %[[V9:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN9:.+]] = arith.cmpi ult, %[[COL1]], %[[V9]] : index
// CHECK-NEXT:      %[[OK9:.+]] = arith.andi %[[OKM9]], %[[OKN9]] : i1
// CHECK-NEXT:      scf.if %[[OK9]] {
// CHECK-NEXT:        memref.store %[[RES]]#9, %[[C]][%[[ROW2]], %[[COL1]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U10:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM10:.+]] = arith.cmpi ult, %[[ROW2]], %[[U10]] : index
// CHECK-NEXT:      %[[V10:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN10:.+]] = arith.cmpi ult, %[[COL2]], %[[V10]] : index
// CHECK-NEXT:      %[[OK10:.+]] = arith.andi %[[OKM10]], %[[OKN10]] : i1
// CHECK-NEXT:      scf.if %[[OK10]] {
// CHECK-NEXT:        memref.store %[[RES]]#10, %[[C]][%[[ROW2]], %[[COL2]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U11:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM11:.+]] = arith.cmpi ult, %[[ROW2]], %[[U11]] : index
// CHECK-NEXT:      %[[V11:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN11:.+]] = arith.cmpi ult, %[[COL3]], %[[V11]] : index
// CHECK-NEXT:      %[[OK11:.+]] = arith.andi %[[OKM11]], %[[OKN11]] : i1
// CHECK-NEXT:      scf.if %[[OK11]] {
// CHECK-NEXT:        memref.store %[[RES]]#11, %[[C]][%[[ROW2]], %[[COL3]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U12:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM12:.+]] = arith.cmpi ult, %[[ROW3]], %[[U12]] : index
// CHECK-NEXT:      %[[V12:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN12:.+]] = arith.cmpi ult, %[[COL0]], %[[V12]] : index
// CHECK-NEXT:      %[[OK12:.+]] = arith.andi %[[OKM12]], %[[OKN12]] : i1
// CHECK-NEXT:      scf.if %[[OK12]] {
// CHECK-NEXT:        memref.store %[[RES]]#12, %[[C]][%[[ROW3]], %[[COL0]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U13:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM13:.+]] = arith.cmpi ult, %[[ROW3]], %[[U13]] : index
// CHECK-NEXT:      %[[V13:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN13:.+]] = arith.cmpi ult, %[[COL1]], %[[V13]] : index
// CHECK-NEXT:      %[[OK13:.+]] = arith.andi %[[OKM13]], %[[OKN13]] : i1
// CHECK-NEXT:      scf.if %[[OK13]] {
// CHECK-NEXT:        memref.store %[[RES]]#13, %[[C]][%[[ROW3]], %[[COL1]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U14:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM14:.+]] = arith.cmpi ult, %[[ROW3]], %[[U14]] : index
// CHECK-NEXT:      %[[V14:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN14:.+]] = arith.cmpi ult, %[[COL2]], %[[V14]] : index
// CHECK-NEXT:      %[[OK14:.+]] = arith.andi %[[OKM14]], %[[OKN14]] : i1
// CHECK-NEXT:      scf.if %[[OK14]] {
// CHECK-NEXT:        memref.store %[[RES]]#14, %[[C]][%[[ROW3]], %[[COL2]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[U15:.+]] = arith.constant 100 : index
// CHECK-NEXT:      %[[OKM15:.+]] = arith.cmpi ult, %[[ROW3]], %[[U15]] : index
// CHECK-NEXT:      %[[V15:.+]] = arith.constant 130 : index
// CHECK-NEXT:      %[[OKN15:.+]] = arith.cmpi ult, %[[COL3]], %[[V15]] : index
// CHECK-NEXT:      %[[OK15:.+]] = arith.andi %[[OKM15]], %[[OKN15]] : i1
// CHECK-NEXT:      scf.if %[[OK15]] {
// CHECK-NEXT:        memref.store %[[RES]]#15, %[[C]][%[[ROW3]], %[[COL3]]] : memref<100x130xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NOT:     linalg.matmul

// min-size=520000 (= 100 * 130 * 40): tiled; min-size=520001: left alone.
// AT-LABEL: func.func @matmul(
// AT-NOT:     linalg.matmul
// AT:         gpu.launch
// AT-NOT:     linalg.matmul
// AT:         return
// ABOVE-LABEL: func.func @matmul(
// ABOVE-SAME:    %[[A:[a-z0-9]+]]: memref<100x40xf16>, %[[B:[a-z0-9]+]]: memref<40x130xf16>, %[[C:[a-z0-9]+]]: memref<100x130xf32>)
// ABOVE-NEXT:    linalg.matmul ins(%[[A]], %[[B]] : memref<100x40xf16>, memref<40x130xf16>) outs(%[[C]] : memref<100x130xf32>)
// ABOVE-NEXT:    return
func.func @matmul(%a: memref<100x40xf16>, %b: memref<40x130xf16>, %c: memref<100x130xf32>) {
  linalg.matmul ins(%a, %b : memref<100x40xf16>, memref<40x130xf16>) outs(%c : memref<100x130xf32>)
  return
}

// -----

// A batched generic contraction with transposed operands: A is (b, k, m)
// (m inner: m = e % 64, k = e / 64), B is (b, n, k) (k inner: k = e % 16,
// n = e / 16); the batch index is blockIdx.z (grid 1 x 1 x 3). A flag of
// the payload (nnan) is kept next to contract. 19200 multiply-adds: below
// min-size=520000.
// CHECK-LABEL: func.func @batch_transposed(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<3x8x20xf32>, %[[B:[a-z0-9]+]]: memref<3x40x8xf32>, %[[C:[a-z0-9]+]]: memref<3x20x40xf32>)
// CHECK-NEXT:    %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[SIXTEEN:.+]] = arith.constant 16 : index
// CHECK-NEXT:    %[[GX:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[GY:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[GZ:.+]] = arith.constant 3 : index
// CHECK-NEXT:    gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %[[BZ:.+]]) in (%{{.+}} = %[[GX]], %{{.+}} = %[[GY]], %{{.+}} = %[[GZ]]) threads(%[[TX:.+]], %[[TY:.+]], %{{.+}}) in (%{{.+}} = %[[SIXTEEN]], %{{.+}} = %[[SIXTEEN]], %{{.+}} = %[[ONE]]) workgroup(%[[SA:.+]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[SB:.+]] : memref<16x64xf32, #gpu.address_space<workgroup>>) {
// CHECK-NEXT:      %[[C64:.+]] = arith.constant 64 : index
// CHECK-NEXT:      %[[M0:.+]] = arith.muli %[[BY]], %[[C64]] : index
// CHECK-NEXT:      %[[C64B:.+]] = arith.constant 64 : index
// CHECK-NEXT:      %[[N0:.+]] = arith.muli %[[BX]], %[[C64B]] : index
// CHECK:           %[[ACC0:.+]] = memref.load %[[C]][%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x20x40xf32>
// CHECK:           scf.for %[[K0:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[ACC0]],
// CHECK-NEXT:        %{{.+}} = arith.constant 0 : index
// CHECK-NEXT:        %[[E:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK-NEXT:        %[[D64:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[XX:.+]] = arith.remui %[[E]], %[[D64]] : index
// CHECK-NEXT:        %[[D64B:.+]] = arith.constant 64 : index
// CHECK-NEXT:        %[[KK:.+]] = arith.divui %[[E]], %[[D64B]] : index
// CHECK-NEXT:        %[[GM:.+]] = arith.addi %[[M0]], %[[XX]] : index
// CHECK-NEXT:        %[[L19:.+]] = arith.constant 19 : index
// CHECK-NEXT:        %[[GMC:.+]] = arith.minui %[[GM]], %[[L19]] : index
// CHECK-NEXT:        %[[GK:.+]] = arith.addi %[[K0]], %[[KK]] : index
// CHECK-NEXT:        %[[L7:.+]] = arith.constant 7 : index
// CHECK-NEXT:        %[[GKC:.+]] = arith.minui %[[GK]], %[[L7]] : index
// CHECK-NEXT:        %[[VA:.+]] = memref.load %[[A]][%[[BZ]], %[[GKC]], %[[GMC]]] : memref<3x8x20xf32>
// CHECK-NEXT:        memref.store %[[VA]], %[[SA]][%[[KK]], %[[XX]]] : memref<16x64xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-3:     memref.store %{{.+}}, %[[SA]]
// CHECK-NEXT:        %{{.+}} = arith.constant 0 : index
// CHECK-NEXT:        %[[F:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK-NEXT:        %[[D16:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[KB:.+]] = arith.remui %[[F]], %[[D16]] : index
// CHECK-NEXT:        %[[D16B:.+]] = arith.constant 16 : index
// CHECK-NEXT:        %[[NN:.+]] = arith.divui %[[F]], %[[D16B]] : index
// CHECK-NEXT:        %[[GN:.+]] = arith.addi %[[N0]], %[[NN]] : index
// CHECK-NEXT:        %[[L39:.+]] = arith.constant 39 : index
// CHECK-NEXT:        %[[GNC:.+]] = arith.minui %[[GN]], %[[L39]] : index
// CHECK-NEXT:        %[[GKB:.+]] = arith.addi %[[K0]], %[[KB]] : index
// CHECK-NEXT:        %[[L7B:.+]] = arith.constant 7 : index
// CHECK-NEXT:        %[[GKBC:.+]] = arith.minui %[[GKB]], %[[L7B]] : index
// CHECK-NEXT:        %[[VB:.+]] = memref.load %[[B]][%[[BZ]], %[[GNC]], %[[GKBC]]] : memref<3x40x8xf32>
// CHECK-NEXT:        memref.store %[[VB]], %[[SB]][%[[KB]], %[[NN]]] : memref<16x64xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-3:     memref.store %{{.+}}, %[[SB]]
// CHECK-NEXT:        gpu.barrier
// CHECK:             scf.for
// CHECK:               %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} fastmath<nnan,contract> : f32
// CHECK-NEXT:          arith.addf %{{.+}}, %[[P]] fastmath<contract> : f32
// CHECK:             gpu.barrier
// CHECK:           memref.store %{{.+}}, %[[C]][%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x20x40xf32>
// CHECK:           gpu.terminator
// CHECK-NOT:     linalg.generic

// AT-LABEL: func.func @batch_transposed(
// AT-NEXT:    linalg.generic
// AT-NOT:     gpu.launch
// AT:         return
func.func @batch_transposed(%a: memref<3x8x20xf32>, %b: memref<3x40x8xf32>, %c: memref<3x20x40xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x8x20xf32>, memref<3x40x8xf32>) outs(%c : memref<3x20x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y fastmath<nnan> : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not contractions: no reduction loop, a dynamic size, tensors (not yet
// bufferized), an index-dependent payload, two reduction loops.
// CHECK-LABEL: func.func @not_contractions(
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.+}} : memref<64x64xf32>)
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : memref<?x32xf16>, memref<32x64xf16>) outs(%{{.+}} : memref<?x64xf32>)
// CHECK-NEXT:    linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<64x32xf16>, tensor<32x64xf16>) outs(%{{.+}} : tensor<64x64xf32>) -> tensor<64x64xf32>
// CHECK-NEXT:    linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : memref<64x32xf16>, memref<32x64xf16>) outs(%{{.+}} : memref<64x64xf32>)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      linalg.index 2 : index
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %{{.+}} : memref<64x32x4xf16>, memref<32x64x4xf16>) outs(%{{.+}} : memref<64x64xf32>)
// CHECK-NOT:     gpu.launch
func.func @not_contractions(%a: memref<64x32xf16>, %b: memref<32x64xf16>, %c: memref<64x64xf32>, %d: memref<?x32xf16>, %e: memref<?x64xf32>, %t: tensor<64x32xf16>, %u: tensor<32x64xf16>, %v: tensor<64x64xf32>, %w: memref<64x32x4xf16>, %z: memref<32x64x4xf16>) -> tensor<64x64xf32> {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c : memref<64x64xf32>) outs(%c : memref<64x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  }
  linalg.matmul ins(%d, %b : memref<?x32xf16>, memref<32x64xf16>) outs(%e : memref<?x64xf32>)
  %r = linalg.matmul ins(%t, %u : tensor<64x32xf16>, tensor<32x64xf16>) outs(%v : tensor<64x64xf32>) -> tensor<64x64xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x32xf16>, memref<32x64xf16>) outs(%c : memref<64x64xf32>) {
  ^bb0(%x: f16, %y: f16, %o: f32):
    %i = linalg.index 2 : index
    %xi = arith.index_cast %i : index to i32
    %xf = arith.sitofp %xi : i32 to f32
    %s = arith.addf %o, %xf : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%w, %z : memref<64x32x4xf16>, memref<32x64x4xf16>) outs(%c : memref<64x64xf32>) {
  ^bb0(%x: f16, %y: f16, %o: f32):
    %m = arith.mulf %x, %y : f16
    %f = arith.extf %m : f16 to f32
    %s = arith.addf %o, %f : f32
    linalg.yield %s : f32
  }
  return %r : tensor<64x64xf32>
}

// -----

// The deallocation helpers run on the host, and a contraction already
// inside a gpu.launch is left as it is.
// CHECK-LABEL: func.func private @dealloc_helper(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<64x32xf16>, %[[B:[a-z0-9]+]]: memref<32x64xf16>, %[[C:[a-z0-9]+]]: memref<64x64xf32>)
// CHECK-NEXT:    linalg.matmul ins(%[[A]], %[[B]] : memref<64x32xf16>, memref<32x64xf16>) outs(%[[C]] : memref<64x64xf32>)
// CHECK-NEXT:    return
func.func private @dealloc_helper(%a: memref<64x32xf16>, %b: memref<32x64xf16>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf16>, memref<32x64xf16>) outs(%c : memref<64x64xf32>)
  return
}

// CHECK-LABEL: func.func @in_launch(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<64x32xf16>, %[[B:[a-z0-9]+]]: memref<32x64xf16>, %[[C:[a-z0-9]+]]: memref<64x64xf32>)
// CHECK-NEXT:    %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NEXT:    gpu.launch blocks({{.+}}) in ({{.+}} = %[[ONE]], {{.+}} = %[[ONE]], {{.+}} = %[[ONE]]) threads({{.+}}) in ({{.+}} = %[[ONE]], {{.+}} = %[[ONE]], {{.+}} = %[[ONE]]) {
// CHECK-NEXT:      linalg.matmul ins(%[[A]], %[[B]] : memref<64x32xf16>, memref<32x64xf16>) outs(%[[C]] : memref<64x64xf32>)
// CHECK-NEXT:      gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @in_launch(%a: memref<64x32xf16>, %b: memref<32x64xf16>, %c: memref<64x64xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.matmul ins(%a, %b : memref<64x32xf16>, memref<32x64xf16>) outs(%c : memref<64x64xf32>)
    gpu.terminator
  }
  return
}
