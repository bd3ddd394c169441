// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{chip=gfx90a}))' -split-input-file -verify-diagnostics
// RUN: mp-opt %S/gpu-mma-contractions-report.mlir --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{chip=sm_80 report=true}))' -verify-diagnostics
// RUN: mp-opt %S/gpu-mma-contractions-report.mlir --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{chip=sm_75 report=true}))' 2>&1 | FileCheck %s --check-prefix=SM75

// A chip that is not sm_NN is an error (the pass fails), not a silent
// fallback.
// expected-error @below {{mp-gpu-mma-contractions: chip 'gfx90a' is not of the form sm_NN (e.g. sm_80, sm_90)}}
func.func @bad_chip(%a: memref<16x16xf16>, %b: memref<16x8xf16>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x16xf16>, memref<16x8xf16>) outs(%c : memref<16x8xf32>)
  return
}

// Below sm_80 every half contraction keeps the FMA kernel (the f32 one for
// its operand types, checked first).
// SM75-COUNT-3: remark: FMA kernel: chip sm_75 has no mma.sync m16n8k16 (needs sm_80 or later)
// SM75: remark: FMA kernel: operands are not both f16 or both bf16
// SM75-COUNT-2: remark: FMA kernel: chip sm_75 has no mma.sync m16n8k16 (needs sm_80 or later)
// SM75-NOT: remark: tensor cores
