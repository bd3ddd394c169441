// Every shell command of README.md, docs/*.md and benchmarks/README.md runs
// as written from this build (scripts/run-doc-commands.py: each ```sh block
// as one script in a scratch directory linked to the project; --fast skips
// the benchmarks, fuzzing, the difftest and the Python suite, which have
// their own tests, and everything that needs a GPU or installs packages;
// blocks can be marked `<!-- doc-commands: skip: ... -->` or
// `expect-failure`). Needs the build at SOURCE/build, the path the docs use.
//
// REQUIRES: default-build-dir
// RUN: %python %mixprec_src/scripts/run-doc-commands.py --fast --timeout 600 > %t.log 2>&1 || (cat %t.log; false)
// RUN: FileCheck %s < %t.log
// CHECK-NOT: FAIL
// CHECK: {{[0-9]+}} commands ran, 0 failed, {{[0-9]+}} skipped
