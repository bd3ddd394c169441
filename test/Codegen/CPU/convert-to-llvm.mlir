// RUN: mp-opt %s --mp-convert-to-llvm -split-input-file | FileCheck %s
// RUN: mp-opt %s --mp-convert-to-llvm=rollback=true -split-input-file | FileCheck %s

// mp-convert-to-llvm: convert-to-llvm, except that a static memref.alloc
// with a scalar element type is one call with its byte size as a constant:
// aligned_alloc(A, size rounded up to A) with `alignment = A`, malloc(size)
// without. The descriptor holds the returned pointer as both the allocated
// and the aligned pointer. The one-shot driver (the default) and the
// rollback driver give the same IR.

// CHECK-LABEL: llvm.func @aligned(
// CHECK-NEXT:    %[[A:.+]] = llvm.mlir.constant(64 : index) : i64
// CHECK-NEXT:    %[[S:.+]] = llvm.mlir.constant(256 : index) : i64
// CHECK-NEXT:    %[[P:.+]] = llvm.call @aligned_alloc(%[[A]], %[[S]]) : (i64, i64) -> !llvm.ptr
// CHECK-NEXT:    %[[D0:.+]] = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-NEXT:    %[[D1:.+]] = llvm.insertvalue %[[P]], %[[D0]][0]
// CHECK-NEXT:    %[[D2:.+]] = llvm.insertvalue %[[P]], %[[D1]][1]
// CHECK-NEXT:    %[[Z:.+]] = llvm.mlir.constant(0 : index) : i64
// CHECK-NEXT:    %[[D3:.+]] = llvm.insertvalue %[[Z]], %[[D2]][2]
// CHECK-NEXT:    %[[R0:.+]] = llvm.mlir.constant(8 : index) : i64
// CHECK-NEXT:    %[[D4:.+]] = llvm.insertvalue %[[R0]], %[[D3]][3, 0]
// CHECK-NEXT:    %[[S0:.+]] = llvm.mlir.constant(16 : index) : i64
// CHECK-NEXT:    %[[D5:.+]] = llvm.insertvalue %[[S0]], %[[D4]][4, 0]
// CHECK-NEXT:    %[[R1:.+]] = llvm.mlir.constant(16 : index) : i64
// CHECK-NEXT:    %[[D6:.+]] = llvm.insertvalue %[[R1]], %[[D5]][3, 1]
// CHECK-NEXT:    %[[S1:.+]] = llvm.mlir.constant(1 : index) : i64
// CHECK-NEXT:    %[[D7:.+]] = llvm.insertvalue %[[S1]], %[[D6]][4, 1]
// CHECK-NEXT:    %[[F:.+]] = llvm.extractvalue %[[D7]][0]
// CHECK-NEXT:    llvm.call @free(%[[F]]) : (!llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
func.func @aligned() {
  %a = memref.alloc() {alignment = 64 : i64} : memref<8x16xbf16>
  memref.dealloc %a : memref<8x16xbf16>
  return
}

// -----

// Without an alignment: malloc of the exact size (i1 takes a byte). 5 f64
// at alignment 128: 40 bytes rounded up to 128.

// CHECK-LABEL: llvm.func @sizes(
// CHECK:         %[[S:.+]] = llvm.mlir.constant(3 : index) : i64
// CHECK-NEXT:    llvm.call @malloc(%[[S]]) : (i64) -> !llvm.ptr
// CHECK:         %[[A:.+]] = llvm.mlir.constant(128 : index) : i64
// CHECK-NEXT:    %[[S2:.+]] = llvm.mlir.constant(128 : index) : i64
// CHECK-NEXT:    llvm.call @aligned_alloc(%[[A]], %[[S2]]) : (i64, i64) -> !llvm.ptr
// CHECK:         %[[A3:.+]] = llvm.mlir.constant(16 : index) : i64
// CHECK-NEXT:    %[[S3:.+]] = llvm.mlir.constant(16 : index) : i64
// CHECK-NEXT:    llvm.call @aligned_alloc(%[[A3]], %[[S3]]) : (i64, i64) -> !llvm.ptr
// CHECK-NOT:     llvm.urem
// CHECK:         llvm.return
func.func @sizes() -> (memref<3xi1>, memref<5xf64>, memref<f32>) {
  %b = memref.alloc() : memref<3xi1>
  %e = memref.alloc() {alignment = 128 : i64} : memref<5xf64>
  %f = memref.alloc() {alignment = 16 : i64} : memref<f32>
  return %b, %e, %f : memref<3xi1>, memref<5xf64>, memref<f32>
}

// -----

// Dynamic sizes and vector elements: upstream's lowering (the size from a
// getelementptr on null, a malloc'ed pointer aligned by hand).

// CHECK-LABEL: llvm.func @upstream(
// CHECK:         llvm.getelementptr %{{.+}}[%{{.+}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:         llvm.call @malloc
// CHECK:         llvm.urem
// CHECK:         llvm.getelementptr %{{.+}}[%{{.+}}] : (!llvm.ptr, i64) -> !llvm.ptr, vector<4xf32>
// CHECK:         llvm.call @malloc
// CHECK:         llvm.urem
// CHECK-NOT:     aligned_alloc
// CHECK:         llvm.return
func.func @upstream(%n: index) -> (memref<?xf32>, memref<2xvector<4xf32>>) {
  %c = memref.alloc(%n) {alignment = 64 : i64} : memref<?xf32>
  %d = memref.alloc() : memref<2xvector<4xf32>>
  return %c, %d : memref<?xf32>, memref<2xvector<4xf32>>
}
