// RUN: mp-opt %s -split-input-file --mp-if-present="ops=memref.realloc pipeline=builtin.module(expand-realloc)" | FileCheck %s --check-prefix=REALLOC
// RUN: mp-opt %s -split-input-file --mp-if-present="ops=memref.realloc pipeline=builtin.module(expand-realloc)" -mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=TRACE
// RUN: mp-opt %s -split-input-file --mp-if-present="dialects=math narrow-float=true pipeline=builtin.module(func.func(math-extend-to-supported-types,cse))" | FileCheck %s --check-prefix=NARROW
// RUN: mp-opt %s -split-input-file --mp-if-present="dialects=math narrow-float=true pipeline=builtin.module(func.func(math-extend-to-supported-types,cse))" -mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=TRACEN
// RUN: mp-opt %s -split-input-file --mp-if-present="dialects=math pipeline=builtin.module(func.func(cse))" | FileCheck %s --check-prefix=DIALECT
// RUN: mp-opt %s -split-input-file --mp-if-present="ops=scf.forall pipeline=builtin.module(mp-scf-to-cf)" -verify-diagnostics -o /dev/null
// RUN: not mp-opt %s -split-input-file --mp-if-present="dialects=func pipeline=func.func(cse)" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ANCHOR
// ANCHOR: error: mp-if-present: each pipeline must be anchored on builtin.module, got 'func.func'
// ANCHOR-NOT: "builtin.module"

// mp-if-present runs the pipelines of `pipeline` on the module only when
// some op matches: its name is in `ops` or its dialect in `dialects` (with
// narrow-float=true it must also have a bf16/f16/... operand or result, not
// only f32/f64). With no match the module is left exactly as it is and the
// inner passes do not run at all (the TRACE runs print no IR dump after
// them). The cse in the math pipelines makes a run visible: it merges the
// two equal constants of each function.

// A realloc nested in an scf.if matches `ops`: expand-realloc runs.

// REALLOC-LABEL: func.func @grow(
// REALLOC-SAME:    %[[M:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index, %[[P:[a-z0-9]+]]: i1) -> memref<?xf32> {
// REALLOC-NEXT:    %[[R:.+]] = scf.if %[[P]] -> (memref<?xf32>) {
// REALLOC-NEXT:      %[[C0:.+]] = arith.constant 0 : index
// REALLOC-NEXT:      %[[DIM:.+]] = memref.dim %[[M]], %[[C0]] : memref<?xf32>
// REALLOC-NEXT:      %[[LT:.+]] = arith.cmpi ult, %[[DIM]], %[[N]] : index
// REALLOC-NEXT:      %[[G:.+]] = scf.if %[[LT]] -> (memref<?xf32>) {
// REALLOC-NEXT:        %[[NEW:.+]] = memref.alloc(%[[N]]) : memref<?xf32>
// REALLOC-NEXT:        %[[SV:.+]] = memref.subview %[[NEW]][0] [%[[DIM]]] [1] : memref<?xf32> to memref<?xf32, strided<[1]>>
// REALLOC-NEXT:        memref.copy %[[M]], %[[SV]] : memref<?xf32> to memref<?xf32, strided<[1]>>
// REALLOC-NEXT:        memref.dealloc %[[M]] : memref<?xf32>
// REALLOC-NEXT:        scf.yield %[[NEW]] : memref<?xf32>
// REALLOC-NEXT:      } else {
// REALLOC-NEXT:        %[[RC:.+]] = memref.reinterpret_cast %[[M]] to offset: [0], sizes: [%[[N]]], strides: [1] : memref<?xf32> to memref<?xf32>
// REALLOC-NEXT:        scf.yield %[[RC]] : memref<?xf32>
// REALLOC-NEXT:      }
// REALLOC-NEXT:      scf.yield %[[G]] : memref<?xf32>
// REALLOC-NEXT:    } else {
// REALLOC-NEXT:      scf.yield %[[M]] : memref<?xf32>
// REALLOC-NEXT:    }
// REALLOC-NEXT:    return %[[R]] : memref<?xf32>

// TRACE:       IR Dump After ExpandReallocPass (expand-realloc)
// TRACE-NEXT:  module {
// TRACE-NEXT:    func.func @grow(
// TRACE:       IR Dump After MPIfPresent (mp-if-present)
// TRACE-NEXT:  module {
// TRACE-NEXT:    func.func @grow(

// No math op: the math pipelines leave it alone.

// NARROW-LABEL: func.func @grow(
// NARROW-SAME:    %[[M:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index, %[[P:[a-z0-9]+]]: i1) -> memref<?xf32> {
// NARROW-NEXT:    %[[R:.+]] = scf.if %[[P]] -> (memref<?xf32>) {
// NARROW-NEXT:      %[[G:.+]] = memref.realloc %[[M]](%[[N]]) : memref<?xf32> to memref<?xf32>
// NARROW-NEXT:      scf.yield %[[G]] : memref<?xf32>

// TRACEN-NOT:   IR Dump After MathExtendToSupportedTypes
// TRACEN-NOT:   IR Dump After CSE
// TRACEN:       IR Dump After MPIfPresent (mp-if-present)
// TRACEN-NEXT:  module {
// TRACEN-NEXT:    func.func @grow(

// DIALECT-LABEL: func.func @grow(
// DIALECT-SAME:    %[[M:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index, %[[P:[a-z0-9]+]]: i1) -> memref<?xf32> {
// DIALECT-NEXT:    %[[R:.+]] = scf.if %[[P]] -> (memref<?xf32>) {
// DIALECT-NEXT:      %[[G:.+]] = memref.realloc %[[M]](%[[N]]) : memref<?xf32> to memref<?xf32>
// DIALECT-NEXT:      scf.yield %[[G]] : memref<?xf32>
func.func @grow(%m: memref<?xf32>, %n: index, %p: i1) -> memref<?xf32> {
  %r = scf.if %p -> memref<?xf32> {
    %g = memref.realloc %m(%n) : memref<?xf32> to memref<?xf32>
    scf.yield %g : memref<?xf32>
  } else {
    scf.yield %m : memref<?xf32>
  }
  return %r : memref<?xf32>
}

// -----

// A bf16 math op matches dialects=math with and without narrow-float: the
// math pipelines run (extf / f32 tanh / truncf with narrow-float; the cse
// merges the constants in both). No realloc: expand-realloc does not run.

// REALLOC-LABEL: func.func @half_math(
// REALLOC-SAME:    %[[X:[a-z0-9]+]]: bf16) -> (bf16, f32, f32) {
// REALLOC-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// REALLOC-NEXT:    %[[B:.+]] = arith.constant 2.000000e+00 : f32
// REALLOC-NEXT:    %[[Y:.+]] = math.tanh %[[X]] : bf16
// REALLOC-NEXT:    return %[[Y]], %[[A]], %[[B]] : bf16, f32, f32

// TRACE-NOT:   IR Dump After ExpandReallocPass
// TRACE:       IR Dump After MPIfPresent (mp-if-present)
// TRACE-NEXT:  module {
// TRACE-NEXT:    func.func @half_math(

// NARROW-LABEL: func.func @half_math(
// NARROW-SAME:    %[[X:[a-z0-9]+]]: bf16) -> (bf16, f32, f32) {
// NARROW-NEXT:    %[[X32:.+]] = arith.extf %[[X]] fastmath<contract> : bf16 to f32
// NARROW-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// NARROW-NEXT:    %[[Y:.+]] = math.tanh %[[X32]] : f32
// NARROW-NEXT:    %[[Y16:.+]] = arith.truncf %[[Y]] fastmath<contract> : f32 to bf16
// NARROW-NEXT:    return %[[Y16]], %[[A]], %[[A]] : bf16, f32, f32

// TRACEN:       IR Dump After MathExtendToSupportedTypes (math-extend-to-supported-types)
// TRACEN-NEXT:  func.func @half_math(
// TRACEN:       IR Dump After CSE (cse)
// TRACEN-NEXT:  func.func @half_math(
// TRACEN:       IR Dump After MPIfPresent (mp-if-present)
// TRACEN-NEXT:  module {
// TRACEN-NEXT:    func.func @half_math(

// DIALECT-LABEL: func.func @half_math(
// DIALECT-SAME:    %[[X:[a-z0-9]+]]: bf16) -> (bf16, f32, f32) {
// DIALECT-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// DIALECT-NEXT:    %[[Y:.+]] = math.tanh %[[X]] : bf16
// DIALECT-NEXT:    return %[[Y]], %[[A]], %[[A]] : bf16, f32, f32
func.func @half_math(%x: bf16) -> (bf16, f32, f32) {
  %a = arith.constant 2.0 : f32
  %b = arith.constant 2.0 : f32
  %y = math.tanh %x : bf16
  return %y, %a, %b : bf16, f32, f32
}

// -----

// Negative for narrow-float: math only on f32 / f64 (the bf16 op is arith,
// not math) does not match, so the module is unchanged (constants not
// merged) and neither inner pass runs. Without narrow-float the f32 math op
// matches and cse runs.

// NARROW-LABEL: func.func @wide_math(
// NARROW-SAME:    %[[X:[a-z0-9]+]]: f32, %[[D:[a-z0-9]+]]: f64, %[[H:[a-z0-9]+]]: bf16) -> (f32, f64, bf16, f32, f32) {
// NARROW-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// NARROW-NEXT:    %[[B:.+]] = arith.constant 2.000000e+00 : f32
// NARROW-NEXT:    %[[Y:.+]] = math.tanh %[[X]] : f32
// NARROW-NEXT:    %[[S:.+]] = math.sqrt %[[D]] : f64
// NARROW-NEXT:    %[[K:.+]] = arith.addf %[[H]], %[[H]] : bf16
// NARROW-NEXT:    return %[[Y]], %[[S]], %[[K]], %[[A]], %[[B]] : f32, f64, bf16, f32, f32

// TRACE-NOT:   IR Dump After ExpandReallocPass
// TRACE:       IR Dump After MPIfPresent (mp-if-present)
// TRACE-NEXT:  module {
// TRACE-NEXT:    func.func @wide_math(

// TRACEN-NOT:   IR Dump After MathExtendToSupportedTypes
// TRACEN-NOT:   IR Dump After CSE
// TRACEN:       IR Dump After MPIfPresent (mp-if-present)
// TRACEN-NEXT:  module {
// TRACEN-NEXT:    func.func @wide_math(

// DIALECT-LABEL: func.func @wide_math(
// DIALECT-SAME:    %[[X:[a-z0-9]+]]: f32, %[[D:[a-z0-9]+]]: f64, %[[H:[a-z0-9]+]]: bf16) -> (f32, f64, bf16, f32, f32) {
// DIALECT-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// DIALECT-NEXT:    %[[Y:.+]] = math.tanh %[[X]] : f32
// DIALECT-NEXT:    %[[S:.+]] = math.sqrt %[[D]] : f64
// DIALECT-NEXT:    %[[K:.+]] = arith.addf %[[H]], %[[H]] : bf16
// DIALECT-NEXT:    return %[[Y]], %[[S]], %[[K]], %[[A]], %[[A]] : f32, f64, bf16, f32, f32
func.func @wide_math(%x: f32, %d: f64, %h: bf16) -> (f32, f64, bf16, f32, f32) {
  %a = arith.constant 2.0 : f32
  %b = arith.constant 2.0 : f32
  %y = math.tanh %x : f32
  %s = math.sqrt %d : f64
  %k = arith.addf %h, %h : bf16
  return %y, %s, %k, %a, %b : f32, f64, bf16, f32, f32
}

// -----

// Negative for every option set: nothing matches, nothing changes.

// REALLOC-LABEL: func.func @nothing(
// REALLOC-SAME:    %[[M:[a-z0-9]+]]: memref<4xf32>) -> (memref<4xf32>, f32, f32) {
// REALLOC-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// REALLOC-NEXT:    %[[B:.+]] = arith.constant 2.000000e+00 : f32
// REALLOC-NEXT:    return %[[M]], %[[A]], %[[B]] : memref<4xf32>, f32, f32

// TRACE-NOT:   IR Dump After ExpandReallocPass
// TRACE:       IR Dump After MPIfPresent (mp-if-present)
// TRACE-NEXT:  module {
// TRACE-NEXT:    func.func @nothing(

// NARROW-LABEL: func.func @nothing(
// NARROW-SAME:    %[[M:[a-z0-9]+]]: memref<4xf32>) -> (memref<4xf32>, f32, f32) {
// NARROW-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// NARROW-NEXT:    %[[B:.+]] = arith.constant 2.000000e+00 : f32
// NARROW-NEXT:    return %[[M]], %[[A]], %[[B]] : memref<4xf32>, f32, f32

// TRACEN-NOT:   IR Dump After MathExtendToSupportedTypes
// TRACEN-NOT:   IR Dump After CSE
// TRACEN:       IR Dump After MPIfPresent (mp-if-present)
// TRACEN-NEXT:  module {
// TRACEN-NEXT:    func.func @nothing(

// DIALECT-LABEL: func.func @nothing(
// DIALECT-SAME:    %[[M:[a-z0-9]+]]: memref<4xf32>) -> (memref<4xf32>, f32, f32) {
// DIALECT-NEXT:    %[[A:.+]] = arith.constant 2.000000e+00 : f32
// DIALECT-NEXT:    %[[B:.+]] = arith.constant 2.000000e+00 : f32
// DIALECT-NEXT:    return %[[M]], %[[A]], %[[B]] : memref<4xf32>, f32, f32
func.func @nothing(%m: memref<4xf32>) -> (memref<4xf32>, f32, f32) {
  %a = arith.constant 2.0 : f32
  %b = arith.constant 2.0 : f32
  return %m, %a, %b : memref<4xf32>, f32, f32
}

// -----

// A failure of the inner pipeline is the pass's failure: mp-scf-to-cf
// cannot lower an scf.forall on tensors, and its diagnostic comes out.

// expected-error@+1 {{mp-scf-to-cf: scf ops left}}
module {
  func.func @forall(%t: tensor<4xf32>) -> tensor<4xf32> {
    %r = scf.forall (%i) in (4) shared_outs(%o = %t) -> tensor<4xf32> {
      %e = tensor.extract_slice %t[%i] [1] [1] : tensor<4xf32> to tensor<1xf32>
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %e into %o[%i] [1] [1] : tensor<1xf32> into tensor<4xf32>
      }
    }
    return %r : tensor<4xf32>
  }
}
