// Deeply nested input is a diagnostic, not a stack overflow
// (mixprec/Support/HostileInput.h, docs/robustness.md): every entry point
// rejects input nested deeper than 10,000 levels of brackets before parsing,
// with the location of the first bracket past the limit, and parses on a
// thread with a 1 GiB stack (MLIR's parser recurses once per level: the
// default 8 MiB stack overflowed at about 20,000 `[` in an attribute, and
// even 1 GiB at about 1,000,000). `not` fails on a crash, so a segfault
// fails this test. The Python module and the C API: python/tests.
//
// 3,000,000 levels (this overflowed a 1 GiB stack), from a file and from
// stdin; 200,000 through mp-run:
// RUN: %python -c "print('func.func @f() attributes {a = ' + '['*3000000 + ']'*3000000 + '} { return }')" > %t.mlir
// RUN: not mp-opt %t.mlir 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not mp-opt < %t.mlir 2>&1 | FileCheck %s --check-prefix=STDIN
// RUN: %python -c "print('func.func @f() attributes {a = ' + '['*200000 + '} { return }')" > %t.open.mlir
// RUN: not mp-run %t.open.mlir --steps 1 2>&1 | FileCheck %s --check-prefix=TRAIN
// Exactly at the limit, and deep but legal (9,999 levels of '[' inside the
// braces of the attribute dictionary): parsed normally.
// RUN: %python -c "print('func.func @f() attributes {a = ' + '['*9999 + ']'*9999 + '} { return }')" > %t.ok.mlir
// RUN: mp-opt %t.ok.mlir -o /dev/null
// RUN: %python -c "print('func.func @f() attributes {a = ' + '['*10000 + ']'*10000 + '} { return }')" > %t.over.mlir
// RUN: not mp-opt %t.over.mlir 2>&1 | FileCheck %s --check-prefix=OVER
// Brackets inside strings and comments, and `->`, do not count.
// RUN: %python -c "print('// ' + '['*20000 + '\nfunc.func @f() -> () attributes {s = \"' + '{'*20000 + '\"} { return }')" > %t.str.mlir
// RUN: mp-opt %t.str.mlir -o /dev/null
//
// OPT: deep-nesting.mlir.tmp.mlir:1:10031: error: input nested deeper than 10000 levels of brackets; mixprec rejects it before parsing (MLIR's parser recurses once per level and would overflow the stack)
// STDIN: <stdin>:1:10031: error: input nested deeper than 10000 levels
// TRAIN: mp-run: error: cannot parse the input:
// TRAIN-NEXT: {{.*}}deep-nesting.mlir.tmp.open.mlir:1:10031: error: input nested deeper than 10000 levels
// OVER: deep-nesting.mlir.tmp.over.mlir:1:10031: error: input nested deeper
