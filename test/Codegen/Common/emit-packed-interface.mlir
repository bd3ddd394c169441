// RUN: mp-opt %s --mp-emit-c-interface --convert-to-llvm --reconcile-unrealized-casts --mp-emit-packed-interface | FileCheck %s
// RUN: mp-opt %s --mp-emit-c-interface --convert-to-llvm --reconcile-unrealized-casts --mp-emit-packed-interface='entries=one internalize=true' | FileCheck %s --check-prefix=INTERNAL

// mp-emit-packed-interface adds `_mlir_<name>(!llvm.ptr)` next to every C
// interface: packed[i] points to argument i's memref descriptor, packed[N +
// j] to the descriptor result j is copied to. Several results come back in
// the C interface's struct of descriptors and are copied one by one.

// CHECK-LABEL: llvm.func @_mlir_two(
// CHECK-SAME:    %[[P:.+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[RES:.+]] = llvm.alloca %[[ONE]] x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64)>)> {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK-NEXT:    %[[S0:.+]] = llvm.getelementptr %[[P]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A0:.+]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[S1:.+]] = llvm.getelementptr %[[P]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A1:.+]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.call @_mlir_ciface_two(%[[RES]], %[[A0]], %[[A1]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT:    %[[F0:.+]] = llvm.getelementptr %[[RES]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64)>)>
// CHECK-NEXT:    %[[D0:.+]] = llvm.load %[[F0]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-NEXT:    %[[S2:.+]] = llvm.getelementptr %[[P]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[R0:.+]] = llvm.load %[[S2]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.store %[[D0]], %[[R0]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, !llvm.ptr
// CHECK-NEXT:    %[[F1:.+]] = llvm.getelementptr %[[RES]][0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64)>)>
// CHECK-NEXT:    %[[D1:.+]] = llvm.load %[[F1]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
// CHECK-NEXT:    %[[S3:.+]] = llvm.getelementptr %[[P]][3] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[R1:.+]] = llvm.load %[[S3]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.store %[[D1]], %[[R1]] : !llvm.struct<(ptr, ptr, i64)>, !llvm.ptr
// CHECK-NEXT:    llvm.return
// CHECK-NEXT:  }
func.func @two(%a: memref<2x3xf32>, %b: memref<f32>) -> (memref<2x3xf32>, memref<f32>) {
  return %a, %b : memref<2x3xf32>, memref<f32>
}

// One result: the C interface writes one descriptor.

// CHECK-LABEL: llvm.func @_mlir_one(
// CHECK-SAME:    %[[P:.+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[RES:.+]] = llvm.alloca %[[ONE]] x !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK-NEXT:    %[[S0:.+]] = llvm.getelementptr %[[P]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A0:.+]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.call @_mlir_ciface_one(%[[RES]], %[[A0]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT:    %[[D0:.+]] = llvm.load %[[RES]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:    %[[S1:.+]] = llvm.getelementptr %[[P]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[R0:.+]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.store %[[D0]], %[[R0]] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, !llvm.ptr
// CHECK-NEXT:    llvm.return
// CHECK-NEXT:  }
func.func @one(%a: memref<4xf32>) -> memref<4xf32> {
  return %a : memref<4xf32>
}

// No result: no buffer, the arguments only.

// CHECK-LABEL: llvm.func @_mlir_none(
// CHECK-SAME:    %[[P:.+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[S0:.+]] = llvm.getelementptr %[[P]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A0:.+]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.call @_mlir_ciface_none(%[[A0]]) : (!llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
// CHECK-NEXT:  }
func.func @none(%a: memref<4xf32>) {
  return
}

// Negative: a private function has no C interface and gets no packed
// entry either.

// CHECK-NOT:   @_mlir_helper
// CHECK-NOT:   @_mlir_ciface_helper
func.func private @helper(%a: memref<4xf32>) {
  return
}

// With `entries`, only those are wrapped; `internalize` makes the function
// and its C interface internal and always-inline (the packed entry stays
// external), the others keep their linkage.

// INTERNAL-DAG:  llvm.func internal @one({{.*}} attributes {always_inline, llvm.emit_c_interface}
// INTERNAL-DAG:  llvm.func internal @_mlir_ciface_one({{.*}} attributes {always_inline, llvm.emit_c_interface}
// INTERNAL-DAG:  llvm.func @_mlir_one(%{{.+}}: !llvm.ptr) {
// INTERNAL-DAG:  llvm.func @two({{.*}} attributes {llvm.emit_c_interface}
// INTERNAL-NOT:  @_mlir_two(
// INTERNAL-NOT:  @_mlir_none(
