// Deeply nested input is a diagnostic, not a stack overflow: mp-opt and
// mp-run parse on a thread with a 1 GiB stack (MLIR's parser recurses once
// per nesting level; the default 8 MiB stack overflowed at about 20,000
// `[` in an attribute). 200,000 levels still give the parser's error.
// `not` fails on a crash, so a segfault fails this test.
//
// RUN: %python -c "print('func.func @f() attributes {a = ' + '['*200000 + '} { return }')" > %t.mlir
// RUN: not mp-opt %t.mlir 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not mp-run %t.mlir --steps 1 2>&1 | FileCheck %s --check-prefix=TRAIN
// RUN: %python -c "print('func.func @f() attributes {a = ' + '['*20000 + ']'*20000 + '} { return }')" > %t.ok.mlir
// RUN: mp-opt %t.ok.mlir -o /dev/null
// OPT: {{.*}}deep-nesting.mlir.tmp.mlir:1:200032: error: expected attribute value
// TRAIN: mp-run: error: cannot parse the input:
// TRAIN-NEXT: {{.*}}deep-nesting.mlir.tmp.mlir":1:200032): error: expected attribute value
