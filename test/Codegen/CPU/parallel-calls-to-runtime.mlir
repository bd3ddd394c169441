// RUN: mp-opt %s --mp-parallel-calls-to-runtime | FileCheck %s

// Two marked calls in a loop of @step (one callee twice, as the unmarked
// call of a dynamic-size nest would be, plus another callee): one context
// buffer in the entry block, sized for the call with most operands; each
// call stores its operands after (begin, end) in 8-byte slots and hands
// @<callee>_task to mp_rt_parallel_for. The unmarked call is left alone.
// A callee tagged mp_noalias_args gets llvm.noalias on its pointers.

// CHECK-LABEL: llvm.func @body(
// CHECK-SAME:    %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr {llvm.noalias}, %{{.+}}: f32, %{{.+}}: i64)
// CHECK-LABEL: llvm.func @other(
// CHECK-SAME:    %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr) {

// CHECK-LABEL: llvm.func @step(
// CHECK-SAME:    %[[P:.+]]: !llvm.ptr, %[[X:.+]]: f32, %[[N:.+]]: i64)
// CHECK-NEXT:    %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[CTX:.+]] = llvm.alloca %[[ONE]] x !llvm.array<3 x i64> {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK:       ^bb1(%[[I:.+]]: i64):
// CHECK-NEXT:    %[[S0:.+]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[P]], %[[S0]] {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[S1:.+]] = llvm.getelementptr %[[CTX]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[X]], %[[S1]] {alignment = 8 : i64} : f32, !llvm.ptr
// CHECK-NEXT:    %[[S2:.+]] = llvm.getelementptr %[[CTX]][2] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[I]], %[[S2]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[F:.+]] = llvm.mlir.addressof @body_task : !llvm.ptr
// CHECK-NEXT:    llvm.call @mp_rt_parallel_for(%[[F]], %[[CTX]], %[[I]], %[[N]]) : (!llvm.ptr, !llvm.ptr, i64, i64) -> ()
// CHECK-NEXT:    llvm.call @body(%[[I]], %[[N]], %[[P]], %[[X]], %[[I]]) : (i64, i64, !llvm.ptr, f32, i64) -> ()
// CHECK-NEXT:    %[[T0:.+]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[P]], %[[T0]] {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[G:.+]] = llvm.mlir.addressof @other_task : !llvm.ptr
// CHECK-NEXT:    llvm.call @mp_rt_parallel_for(%[[G]], %[[CTX]], %[[I]], %[[N]])
// CHECK:         %[[F2:.+]] = llvm.mlir.addressof @body_task : !llvm.ptr
// CHECK-NEXT:    llvm.call @mp_rt_parallel_for(%[[F2]], %[[CTX]], %{{.+}}, %[[N]])
// CHECK:       llvm.func @mp_rt_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)
// CHECK:       llvm.func internal @body_task(%[[C:.+]]: !llvm.ptr, %[[B:.+]]: i64, %[[E:.+]]: i64) {
// CHECK-NEXT:    %[[L0P:.+]] = llvm.getelementptr %[[C]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L0:.+]] = llvm.load %[[L0P]] {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[L1P:.+]] = llvm.getelementptr %[[C]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L1:.+]] = llvm.load %[[L1P]] {alignment = 8 : i64} : !llvm.ptr -> f32
// CHECK-NEXT:    %[[L2P:.+]] = llvm.getelementptr %[[C]][2] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L2:.+]] = llvm.load %[[L2P]] {alignment = 8 : i64} : !llvm.ptr -> i64
// CHECK-NEXT:    llvm.call @body(%[[B]], %[[E]], %[[L0]], %[[L1]], %[[L2]]) : (i64, i64, !llvm.ptr, f32, i64) -> ()
// CHECK-NEXT:    llvm.return
// CHECK:       llvm.func internal @other_task(
// CHECK-NOT:   llvm.func internal
llvm.func @body(%b: i64, %e: i64, %p: !llvm.ptr, %x: f32, %i: i64) attributes {mp_noalias_args, passthrough = ["noinline"]} {
  llvm.return
}
llvm.func @other(%b: i64, %e: i64, %p: !llvm.ptr) {
  llvm.return
}
llvm.func @step(%p: !llvm.ptr, %x: f32, %n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%i: i64):
  llvm.call @body(%i, %n, %p, %x, %i) {mp_parallel_for} : (i64, i64, !llvm.ptr, f32, i64) -> ()
  llvm.call @body(%i, %n, %p, %x, %i) : (i64, i64, !llvm.ptr, f32, i64) -> ()
  llvm.call @other(%i, %n, %p) {mp_parallel_for} : (i64, i64, !llvm.ptr) -> ()
  llvm.call @body(%c0, %n, %p, %x, %c0) {mp_parallel_for} : (i64, i64, !llvm.ptr, f32, i64) -> ()
  %next = llvm.add %i, %c1 : i64
  %done = llvm.icmp "sge" %next, %n : i64
  llvm.cond_br %done, ^bb2, ^bb1(%next : i64)
^bb2:
  llvm.return
}
