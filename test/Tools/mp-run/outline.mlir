// mp-outline-loop-nests through mp-run: with every loop nest of the CNN step
// in a function of its own (outline-min-loops=1; by default only functions
// with 256+ nests are split), training gives bit-identical parameters and
// losses (fast-math=0: sequential sums, so vectorization choices cannot
// move the last bits).
//
// RUN: mp-run %mixprec_src/examples/cnn.mlir --policy mixed_bfloat16 --steps 5 --print-every 1 --cpu "fast-math=0" --save %t.base > %t.base.txt
// RUN: mp-run %mixprec_src/examples/cnn.mlir --policy mixed_bfloat16 --steps 5 --print-every 1 --cpu "fast-math=0 outline-min-loops=1" --save %t.outlined > %t.outlined.txt
// RUN: %python -c "import os, sys; a, b = sys.argv[1], sys.argv[2]; fs = sorted(os.listdir(a)); assert fs == sorted(os.listdir(b)) and fs; assert all(open(os.path.join(a, f), 'rb').read() == open(os.path.join(b, f), 'rb').read() for f in fs); print(len(fs), 'parameters bit-identical')" %t.base %t.outlined | FileCheck %s
// RUN: grep '^step' %t.base.txt | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}' > %t.base.loss
// RUN: grep '^step' %t.outlined.txt | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}' > %t.outlined.loss
// RUN: diff %t.base.loss %t.outlined.loss
// CHECK: parameters bit-identical
