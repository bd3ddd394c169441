// The layout rules of docs/design.md §11, for every pass mp-opt lists: one
// ODS def, one .cpp named after the pass, one test file named after it, no
// PassWrapper; and docs/passes.md is what the .td files generate.
// RUN: %python %mixprec_src/scripts/check-layout.py %mixprec_src %mp_opt_path | FileCheck %s
// RUN: bash %mixprec_src/scripts/gen-pass-docs.sh | diff %mixprec_src/docs/passes.md -
// CHECK-NOT: {{.+: }}
// CHECK: layout: {{[0-9]+}} passes checked, 0 problems
