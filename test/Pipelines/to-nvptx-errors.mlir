// mp-to-nvptx checks its options before it builds anything: a bad format or
// chip is one error line, a non-zero exit and no output file (the format used
// to be checked only by gpu-module-to-binary, after the whole pipeline).
// RUN: not mp-opt %s --mp-to-nvptx="format=isb" -o %t.out 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not test -e %t.out
// RUN: not mp-opt %s --mp-to-nvptx="chip=gfx90a format=isa" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not mp-opt %s --mp-to-nvptx="chip=sm_9x format=isa" 2>&1 | FileCheck %s --check-prefix=CHIP2
// RUN: mp-opt %s --mp-to-nvptx="chip=sm_90a format=isa" | FileCheck %s --check-prefix=OK

// FORMAT: error: mp-to-nvptx: unknown format 'isb' (expected isa, bin or fatbin)
// FORMAT-NOT: func.func
// CHIP: error: mp-to-nvptx: chip 'gfx90a' is not of the form sm_NN (e.g. sm_80, sm_90)
// CHIP-NOT: func.func
// CHIP2: error: mp-to-nvptx: chip 'sm_9x' is not of the form sm_NN
// OK: gpu.binary @scale_kernel
// OK-SAME: chip = "sm_90a"

func.func @scale(%x: tensor<64xf32>, %s: tensor<64xf32>) -> tensor<64xf32> {
  %0 = arith.mulf %x, %s : tensor<64xf32>
  return %0 : tensor<64xf32>
}
