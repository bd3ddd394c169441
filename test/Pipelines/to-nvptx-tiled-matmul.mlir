// Contractions become shared-memory tiled kernels (mp-gpu-tile-contractions):
// 64x64 output tiles per block, 16x16 threads with 4x4 register tiles, the
// K loop staging f16 tiles in workgroup memory between barriers, f32
// accumulation. Edge tiles (70x50 output, K = 33) clamp loads and guard
// stores. tile-contractions=0 keeps the naive one-thread-per-output path;
// tile-min-size=0 tiles these small ones too (default: 131072 multiply-adds).

// RUN: mp-opt %s --mp-gpu-tile-contractions | FileCheck %s --check-prefix=IR
// RUN: mp-opt %s --mp-to-nvptx="chip=sm_90 format=isa tile-min-size=0" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=PTX
// RUN: mp-opt %s --mp-to-nvptx="chip=sm_90 format=isa tile-contractions=0" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=NAIVE
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=MLP

// IR-LABEL: func.func @mm
// IR: gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{(_[0-9]+)?}}, {{.*}} = %c2{{(_[0-9]+)?}}, {{.*}} = %c1{{(_[0-9]+)?}}) threads({{.*}}) in ({{.*}} = %c16{{(_[0-9]+)?}}, {{.*}} = %c16{{(_[0-9]+)?}}, {{.*}} = %c1{{(_[0-9]+)?}})
// IR-SAME: workgroup(%{{.*}} : memref<16x64xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x64xf16, #gpu.address_space<workgroup>>)
// IR: scf.for
// IR: gpu.barrier
// IR: arith.extf
// IR: arith.mulf {{.*}} : f32
// IR: gpu.barrier
// IR: scf.if
// IR-NOT: linalg.matmul
// IR-LABEL: func.func @bmm
// IR: gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{(_[0-9]+)?}}, {{.*}} = %c1{{(_[0-9]+)?}}, {{.*}} = %c3{{(_[0-9]+)?}})
// IR-NOT: linalg.batch_matmul

// PTX: .shared .align {{[0-9]+}} .b8
// PTX: bar.sync 0
// PTX: fma.rn.f32
// PTX: bar.sync 0

// NAIVE-NOT: .shared
// NAIVE-NOT: bar.sync

// MLP: .shared .align {{[0-9]+}} .b8
// MLP: bar.sync 0

func.func @mm(%a: memref<70x33xf16>, %b: memref<33x50xf16>, %c: memref<70x50xf32>) {
  linalg.matmul ins(%a, %b : memref<70x33xf16>, memref<33x50xf16>) outs(%c : memref<70x50xf32>)
  return
}

func.func @bmm(%a: memref<3x20x8xf16>, %b: memref<3x8x40xf16>, %c: memref<3x20x40xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x20x8xf16>, memref<3x8x40xf16>) outs(%c : memref<3x20x40xf32>)
  return
}
