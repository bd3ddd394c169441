// RUN: mp-opt %s --mp-scf-to-cf -split-input-file -verify-diagnostics | FileCheck %s

// mp-scf-to-cf lowers scf to cf with the rewrites of convert-scf-to-cf
// (the same blocks and branches), last loop of a block first, without
// folding: a loop becomes a header block (induction variable and
// iter_args as block arguments, cmpi slt, cond_br), a body block that
// increments and branches back, and an exit block; an scf.if becomes a
// cond_br to then / else blocks that branch to a merge block carrying the
// results. A module where an scf op is left is rejected.

// CHECK-LABEL: func.func @loop(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<8xf32>, %[[N:[a-z0-9]+]]: index) -> f32 {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    cf.br ^[[HEAD:bb[0-9]+]](%[[C0]], %[[Z]] : index, f32)
// CHECK-NEXT:  ^[[HEAD]](%[[I:[a-z0-9]+]]: index, %[[ACC:[a-z0-9]+]]: f32):
// CHECK-NEXT:    %[[LT:.+]] = arith.cmpi slt, %[[I]], %[[N]] : index
// CHECK-NEXT:    cf.cond_br %[[LT]], ^[[BODY:bb[0-9]+]], ^[[EXIT:bb[0-9]+]]
// CHECK-NEXT:  ^[[BODY]]:
// CHECK-NEXT:    %[[V:.+]] = memref.load %[[M]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:    %[[A:.+]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK-NEXT:    %[[NEXT:.+]] = arith.addi %[[I]], %[[C1]] : index
// CHECK-NEXT:    cf.br ^[[HEAD]](%[[NEXT]], %[[A]] : index, f32)
// CHECK-NEXT:  ^[[EXIT]]:
// CHECK-NEXT:    return %[[ACC]] : f32
// CHECK-NEXT:  }
func.func @loop(%m: memref<8xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> f32 {
    %v = memref.load %m[%i] : memref<8xf32>
    %a = arith.addf %acc, %v : f32
    scf.yield %a : f32
  }
  return %s : f32
}

// -----

// CHECK-LABEL: func.func @branch(
// CHECK-SAME:    %[[P:[a-z0-9]+]]: i1, %[[X:[a-z0-9]+]]: f32, %[[Y:[a-z0-9]+]]: f32) -> f32 {
// CHECK-NEXT:    cf.cond_br %[[P]], ^[[THEN:bb[0-9]+]], ^[[ELSE:bb[0-9]+]]
// CHECK-NEXT:  ^[[THEN]]:
// CHECK-NEXT:    %[[A:.+]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT:    cf.br ^[[MERGE:bb[0-9]+]](%[[A]] : f32)
// CHECK-NEXT:  ^[[ELSE]]:
// CHECK-NEXT:    cf.br ^[[MERGE]](%[[Y]] : f32)
// CHECK-NEXT:  ^[[MERGE]](%[[R:[a-z0-9]+]]: f32):
// CHECK-NEXT:    cf.br ^[[CONT:bb[0-9]+]]
// CHECK-NEXT:  ^[[CONT]]:
// CHECK-NEXT:    return %[[R]] : f32
// CHECK-NEXT:  }
func.func @branch(%p: i1, %x: f32, %y: f32) -> f32 {
  %r = scf.if %p -> f32 {
    %a = arith.addf %x, %y : f32
    scf.yield %a : f32
  } else {
    scf.yield %y : f32
  }
  return %r : f32
}

// -----

// Nested loops: the inner loop's blocks sit between the outer header and
// the outer latch.

// CHECK-LABEL: func.func @nested(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<4x8xf32>) {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:    %[[C8:.+]] = arith.constant 8 : index
// CHECK-NEXT:    %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    cf.br ^[[OHEAD:bb[0-9]+]](%[[C0]] : index)
// CHECK-NEXT:  ^[[OHEAD]](%[[I:[a-z0-9]+]]: index):
// CHECK-NEXT:    %[[ILT:.+]] = arith.cmpi slt, %[[I]], %[[C4]] : index
// CHECK-NEXT:    cf.cond_br %[[ILT]], ^[[OBODY:bb[0-9]+]], ^[[OEXIT:bb[0-9]+]]
// CHECK-NEXT:  ^[[OBODY]]:
// CHECK-NEXT:    cf.br ^[[IHEAD:bb[0-9]+]](%[[C0]] : index)
// CHECK-NEXT:  ^[[IHEAD]](%[[J:[a-z0-9]+]]: index):
// CHECK-NEXT:    %[[JLT:.+]] = arith.cmpi slt, %[[J]], %[[C8]] : index
// CHECK-NEXT:    cf.cond_br %[[JLT]], ^[[IBODY:bb[0-9]+]], ^[[IEXIT:bb[0-9]+]]
// CHECK-NEXT:  ^[[IBODY]]:
// CHECK-NEXT:    memref.store %[[Z]], %[[M]][%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:    %[[JN:.+]] = arith.addi %[[J]], %[[C1]] : index
// CHECK-NEXT:    cf.br ^[[IHEAD]](%[[JN]] : index)
// CHECK-NEXT:  ^[[IEXIT]]:
// CHECK-NEXT:    %[[IN:.+]] = arith.addi %[[I]], %[[C1]] : index
// CHECK-NEXT:    cf.br ^[[OHEAD]](%[[IN]] : index)
// CHECK-NEXT:  ^[[OEXIT]]:
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @nested(%m: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %z = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      memref.store %z, %m[%i, %j] : memref<4x8xf32>
    }
  }
  return
}

// -----

// Two loops of one block (lowered last first): the ops between them land
// in the first loop's exit block, which enters the second loop.

// CHECK-LABEL: func.func @two_loops(
// CHECK-SAME:    %[[M:[a-z0-9]+]]: memref<8xf32>, %[[X:[a-z0-9]+]]: f32) {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[C8:.+]] = arith.constant 8 : index
// CHECK-NEXT:    cf.br ^[[H1:bb[0-9]+]](%[[C0]] : index)
// CHECK-NEXT:  ^[[H1]](%[[I:[a-z0-9]+]]: index):
// CHECK-NEXT:    %[[LT1:.+]] = arith.cmpi slt, %[[I]], %[[C8]] : index
// CHECK-NEXT:    cf.cond_br %[[LT1]], ^[[B1:bb[0-9]+]], ^[[E1:bb[0-9]+]]
// CHECK-NEXT:  ^[[B1]]:
// CHECK-NEXT:    memref.store %[[X]], %[[M]][%[[I]]] : memref<8xf32>
// CHECK-NEXT:    %[[IN:.+]] = arith.addi %[[I]], %[[C1]] : index
// CHECK-NEXT:    cf.br ^[[H1]](%[[IN]] : index)
// CHECK-NEXT:  ^[[E1]]:
// CHECK-NEXT:    %[[Y:.+]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT:    cf.br ^[[H2:bb[0-9]+]](%[[C0]] : index)
// CHECK-NEXT:  ^[[H2]](%[[K:[a-z0-9]+]]: index):
// CHECK-NEXT:    %[[LT2:.+]] = arith.cmpi slt, %[[K]], %[[C8]] : index
// CHECK-NEXT:    cf.cond_br %[[LT2]], ^[[B2:bb[0-9]+]], ^[[E2:bb[0-9]+]]
// CHECK-NEXT:  ^[[B2]]:
// CHECK-NEXT:    memref.store %[[Y]], %[[M]][%[[K]]] : memref<8xf32>
// CHECK-NEXT:    %[[KN:.+]] = arith.addi %[[K]], %[[C1]] : index
// CHECK-NEXT:    cf.br ^[[H2]](%[[KN]] : index)
// CHECK-NEXT:  ^[[E2]]:
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @two_loops(%m: memref<8xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<8xf32>
  }
  %y = arith.mulf %x, %x : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %y, %m[%i] : memref<8xf32>
  }
  return
}

// -----

// scf.while: the before region is the header, the after region the body.

// CHECK-LABEL: func.func @while(
// CHECK-SAME:    %[[N:[a-z0-9]+]]: i32) -> i32 {
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : i32
// CHECK-NEXT:    cf.br ^[[BEFORE:bb[0-9]+]](%[[C1]] : i32)
// CHECK-NEXT:  ^[[BEFORE]](%[[A:[a-z0-9]+]]: i32):
// CHECK-NEXT:    %[[LT:.+]] = arith.cmpi slt, %[[A]], %[[N]] : i32
// CHECK-NEXT:    cf.cond_br %[[LT]], ^[[AFTER:bb[0-9]+]](%[[A]] : i32), ^[[EXIT:bb[0-9]+]]
// CHECK-NEXT:  ^[[AFTER]](%[[B:[a-z0-9]+]]: i32):
// CHECK-NEXT:    %[[D:.+]] = arith.addi %[[B]], %[[B]] : i32
// CHECK-NEXT:    cf.br ^[[BEFORE]](%[[D]] : i32)
// CHECK-NEXT:  ^[[EXIT]]:
// CHECK-NEXT:    return %[[A]] : i32
// CHECK-NEXT:  }
func.func @while(%n: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %r = scf.while (%a = %c1) : (i32) -> i32 {
    %c = arith.cmpi slt, %a, %n : i32
    scf.condition(%c) %a : i32
  } do {
  ^bb0(%b: i32):
    %d = arith.addi %b, %b : i32
    scf.yield %d : i32
  }
  return %r : i32
}

// -----

// Negative: functions without scf (one already a CFG, one a declaration)
// are unchanged.

// CHECK-LABEL: func.func @no_scf(
// CHECK-SAME:    %[[P:[a-z0-9]+]]: i1, %[[X:[a-z0-9]+]]: f32) -> f32 {
// CHECK-NEXT:    cf.cond_br %[[P]], ^[[SQ:bb[0-9]+]], ^[[RET:bb[0-9]+]](%[[X]] : f32)
// CHECK-NEXT:  ^[[SQ]]:
// CHECK-NEXT:    %[[Y:.+]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT:    cf.br ^[[RET]](%[[Y]] : f32)
// CHECK-NEXT:  ^[[RET]](%[[R:[a-z0-9]+]]: f32):
// CHECK-NEXT:    return %[[R]] : f32
// CHECK-NEXT:  }
// CHECK-NEXT:  func.func private @decl(f32) -> f32
// CHECK-NEXT:  }
func.func @no_scf(%p: i1, %x: f32) -> f32 {
  cf.cond_br %p, ^bb1, ^bb2(%x : f32)
^bb1:
  %y = arith.mulf %x, %x : f32
  cf.br ^bb2(%y : f32)
^bb2(%r: f32):
  return %r : f32
}
func.func private @decl(f32) -> f32

// -----

// An scf.forall on tensors has no cf lowering: the pass fails.

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
