// RUN: mp-opt %s --mp-emit-c-interface -split-input-file | FileCheck %s

// mp-emit-c-interface sets the unit attribute llvm.emit_c_interface on every
// public func.func with a body (the functions the driver and AOT artifacts
// call through _mlir_ciface_<name>); private functions and external
// declarations are left alone. Bodies and other attributes are unchanged.

// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[A:.+]]: memref<4xf32>) -> f32 attributes {llvm.emit_c_interface} {
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:    %[[V:.+]] = memref.load %[[A]][%[[C0]]] : memref<4xf32>
// CHECK-NEXT:    return %[[V]] : f32
// CHECK-NEXT:  }
func.func @step(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0] : memref<4xf32>
  return %v : f32
}

// Other attributes stay next to the new one.

// CHECK-LABEL: func.func @init() attributes {llvm.emit_c_interface, passthrough = ["noinline"]} {
// CHECK-NEXT:    return
func.func @init() attributes {passthrough = ["noinline"]} {
  return
}

// -----

// Negative: a private function with a body and an external declaration get
// nothing; an already tagged function keeps one attribute.

// CHECK-LABEL: func.func private @helper(
// CHECK-SAME:    %[[X:.+]]: f32) -> f32 {
// CHECK-NEXT:    return %[[X]] : f32
// CHECK-NEXT:  }
// CHECK-NEXT:  func.func private @mp_rt_extern(memref<4xf32>){{$}}
// CHECK-NEXT:  func.func @tagged() attributes {llvm.emit_c_interface} {
// CHECK-NOT:   llvm.emit_c_interface
func.func private @helper(%x: f32) -> f32 {
  return %x : f32
}
func.func private @mp_rt_extern(memref<4xf32>)
func.func @tagged() attributes {llvm.emit_c_interface} {
  return
}
