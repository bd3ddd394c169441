// RUN: mp-opt %s --mp-parallel-calls-to-runtime | FileCheck %s

// Three marked calls in a loop of @step (@body twice, as the unmarked call
// of a dynamic-size nest would be, plus @other): one context buffer in the
// entry block, sized for the callee with most slots; each call stores in
// 8-byte slots only what differs between the calls of its callee, and
// hands @<callee>_task to mp_rt_parallel_for. The unmarked call is left
// alone. A callee tagged mp_noalias_args gets llvm.noalias on its pointers.
//
// @body's arguments after (begin, end), at its two marked calls:
//   p  %p, %p            slot 0
//   x  %x, %x            slot 1
//   i  %i, %c0           slot 2
//   q  %p, %p            = p at both calls: p's load again
//   c  4 (read out of an insertvalue chain), 4   the constant 4 in the task
//   d  4, 8              slot 3 (constants, but different ones)
//   u  %n, %i            never read by @body: poison
//   w  %n, %n            never read, but noundef: slot 4

// CHECK-LABEL: llvm.func @body(
// CHECK-SAME:    %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: f32, %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64 {llvm.noundef})
// CHECK-SAME:    attributes
// CHECK-LABEL: llvm.func @other(
// CHECK-SAME:    %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr {llvm.noalias})

// CHECK-LABEL: llvm.func @step(
// CHECK-SAME:    %[[P:.+]]: !llvm.ptr, %[[X:.+]]: f32, %[[N:.+]]: i64)
// CHECK-NEXT:    %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[CTX:.+]] = llvm.alloca %[[ONE]] x !llvm.array<5 x i64> {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK:         %[[C0:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK:         %[[C4:.+]] = llvm.mlir.constant(4 : i64) : i64
// CHECK-NEXT:    %[[C8:.+]] = llvm.mlir.constant(8 : i64) : i64
// CHECK:       ^bb1(%[[I:.+]]: i64):
// CHECK-NEXT:    llvm.extractvalue
// CHECK-NEXT:    %[[S0:.+]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[P]], %[[S0]] {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[S1:.+]] = llvm.getelementptr %[[CTX]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[X]], %[[S1]] {alignment = 8 : i64} : f32, !llvm.ptr
// CHECK-NEXT:    %[[S2:.+]] = llvm.getelementptr %[[CTX]][2] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[I]], %[[S2]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[S3:.+]] = llvm.getelementptr %[[CTX]][3] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[C4]], %[[S3]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[S4:.+]] = llvm.getelementptr %[[CTX]][4] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[N]], %[[S4]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[F:.+]] = llvm.mlir.addressof @body_task : !llvm.ptr
// CHECK-NEXT:    llvm.call @mp_rt_parallel_for(%[[F]], %[[CTX]], %[[I]], %[[N]]) : (!llvm.ptr, !llvm.ptr, i64, i64) -> ()
// CHECK-NEXT:    llvm.call @body(%[[I]], %[[N]], %[[P]], %[[X]], %[[I]], %[[P]], %[[C4]], %[[C4]], %[[N]], %[[N]]) :
// CHECK-NEXT:    %[[T0:.+]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[P]], %[[T0]] {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[G:.+]] = llvm.mlir.addressof @other_task : !llvm.ptr
// CHECK-NEXT:    llvm.call @mp_rt_parallel_for(%[[G]], %[[CTX]], %[[I]], %[[N]])
// CHECK-NEXT:    %[[U0:.+]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[P]], %[[U0]] {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[U1:.+]] = llvm.getelementptr %[[CTX]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[X]], %[[U1]] {alignment = 8 : i64} : f32, !llvm.ptr
// CHECK-NEXT:    %[[U2:.+]] = llvm.getelementptr %[[CTX]][2] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[C0]], %[[U2]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[U3:.+]] = llvm.getelementptr %[[CTX]][3] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[C8]], %[[U3]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[U4:.+]] = llvm.getelementptr %[[CTX]][4] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[N]], %[[U4]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK-NEXT:    %[[F2:.+]] = llvm.mlir.addressof @body_task : !llvm.ptr
// CHECK-NEXT:    llvm.call @mp_rt_parallel_for(%[[F2]], %[[CTX]], %[[C0]], %[[N]])
// CHECK:       llvm.func @mp_rt_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)
// CHECK:       llvm.func internal @body_task(%[[C:.+]]: !llvm.ptr, %[[B:.+]]: i64, %[[E:.+]]: i64) {
// CHECK-NEXT:    %[[L0P:.+]] = llvm.getelementptr %[[C]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L0:.+]] = llvm.load %[[L0P]] {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[L1P:.+]] = llvm.getelementptr %[[C]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L1:.+]] = llvm.load %[[L1P]] {alignment = 8 : i64} : !llvm.ptr -> f32
// CHECK-NEXT:    %[[L2P:.+]] = llvm.getelementptr %[[C]][2] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L2:.+]] = llvm.load %[[L2P]] {alignment = 8 : i64} : !llvm.ptr -> i64
// CHECK-NEXT:    %[[K4:.+]] = llvm.mlir.constant(4 : i64) : i64
// CHECK-NEXT:    %[[L3P:.+]] = llvm.getelementptr %[[C]][3] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L3:.+]] = llvm.load %[[L3P]] {alignment = 8 : i64} : !llvm.ptr -> i64
// CHECK-NEXT:    %[[PZ:.+]] = llvm.mlir.poison : i64
// CHECK-NEXT:    %[[L4P:.+]] = llvm.getelementptr %[[C]][4] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[L4:.+]] = llvm.load %[[L4P]] {alignment = 8 : i64} : !llvm.ptr -> i64
// CHECK-NEXT:    llvm.call @body(%[[B]], %[[E]], %[[L0]], %[[L1]], %[[L2]], %[[L0]], %[[K4]], %[[L3]], %[[PZ]], %[[L4]]) :
// CHECK-NEXT:    llvm.return
// CHECK:       llvm.func internal @other_task(%[[OC:.+]]: !llvm.ptr, %[[OB:.+]]: i64, %[[OE:.+]]: i64) {
// CHECK-NEXT:    %[[OP:.+]] = llvm.getelementptr %[[OC]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[O0:.+]] = llvm.load %[[OP]] {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.call @other(%[[OB]], %[[OE]], %[[O0]]) : (i64, i64, !llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
// CHECK-NOT:   llvm.func internal
llvm.func @body(%b: i64, %e: i64, %p: !llvm.ptr, %x: f32, %i: i64, %q: !llvm.ptr, %c: i64, %d: i64, %u: i64, %w: i64 {llvm.noundef}) attributes {passthrough = ["noinline"]} {
  llvm.store %x, %p : f32, !llvm.ptr
  llvm.store %i, %q : i64, !llvm.ptr
  llvm.store %c, %q : i64, !llvm.ptr
  llvm.store %d, %q : i64, !llvm.ptr
  llvm.return
}
llvm.func @other(%b: i64, %e: i64, %p: !llvm.ptr) attributes {mp_noalias_args} {
  llvm.store %b, %p : i64, !llvm.ptr
  llvm.return
}
llvm.func @step(%p: !llvm.ptr, %x: f32, %n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %c4 = llvm.mlir.constant(4 : i64) : i64
  %c8 = llvm.mlir.constant(8 : i64) : i64
  %undef = llvm.mlir.undef : !llvm.struct<(ptr, i64)>
  %s0 = llvm.insertvalue %p, %undef[0] : !llvm.struct<(ptr, i64)>
  %s1 = llvm.insertvalue %c4, %s0[1] : !llvm.struct<(ptr, i64)>
  llvm.br ^bb1(%c0 : i64)
^bb1(%i: i64):
  %f4 = llvm.extractvalue %s1[1] : !llvm.struct<(ptr, i64)>
  llvm.call @body(%i, %n, %p, %x, %i, %p, %f4, %c4, %n, %n) {mp_parallel_for} : (i64, i64, !llvm.ptr, f32, i64, !llvm.ptr, i64, i64, i64, i64) -> ()
  llvm.call @body(%i, %n, %p, %x, %i, %p, %c4, %c4, %n, %n) : (i64, i64, !llvm.ptr, f32, i64, !llvm.ptr, i64, i64, i64, i64) -> ()
  llvm.call @other(%i, %n, %p) {mp_parallel_for} : (i64, i64, !llvm.ptr) -> ()
  llvm.call @body(%c0, %n, %p, %x, %c0, %p, %c4, %c8, %i, %n) {mp_parallel_for} : (i64, i64, !llvm.ptr, f32, i64, !llvm.ptr, i64, i64, i64, i64) -> ()
  %next = llvm.add %i, %c1 : i64
  %done = llvm.icmp "sge" %next, %n : i64
  llvm.cond_br %done, ^bb2, ^bb1(%next : i64)
^bb2:
  llvm.return
}
