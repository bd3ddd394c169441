// Executable check of the parallel loop nests (mp-outline-parallel-loops +
// mp-parallel-calls-to-runtime in mp-to-cpu): an elementwise op split by
// rows (37 rows over 2 threads: uneven chunks), column sums split by
// columns, row maxima, and an elementwise op of dynamic size (run at 37x1000
// and at 0x1000: a zero trip count), at 1 and 2 threads and without the
// split. Values are small integers, exact in f32: every result is known.
// Also checks that the lowered step does call the pool.
//
// RUN: mp-opt %s --mp-to-cpu | FileCheck %s --check-prefix=IR
// RUN: mp-opt %s --mp-to-cpu > %t.ll.mlir
// RUN: env MIXPREC_NUM_THREADS=2 mlir-runner %t.ll.mlir -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime > %t.2.txt
// RUN: env MIXPREC_NUM_THREADS=1 mlir-runner %t.ll.mlir -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime > %t.1.txt
// RUN: mp-opt %s --mp-to-cpu=parallel-loops=0 | env MIXPREC_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime > %t.serial.txt
// RUN: FileCheck %s < %t.2.txt
// RUN: diff %t.1.txt %t.2.txt
// RUN: diff %t.serial.txt %t.2.txt

// IR-COUNT-4: llvm.call @mp_rt_parallel_for(
// IR-NOT:     llvm.call @mp_rt_parallel_for(
// IR:         llvm.func @mp_rt_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)

// b[i][j] = 2 (i + j) + 1; colsum[j] = 2 * 666 + 37 (2 j + 1);
// rowmax[i] = 2 (i + 999) + 1; dyn = b + b.
// CHECK:      b 1 2071 75
// CHECK-NEXT: colsum 1369 75295 4107
// CHECK-NEXT: rowmax 1999 2071 2019
// CHECK-NEXT: dyn 2 4142 0
// CHECK-NEXT: empty 0

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

func.func private @printF32(f32)
func.func private @printI64(i64)
func.func private @printNewline()
func.func private @printString(!llvm.ptr)

func.func @b(%n: index) -> tensor<37x1000xf32> {
  %e = tensor.empty() : tensor<37x1000xf32>
  %r = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<37x1000xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %s = arith.addi %i, %j : index
    %si = arith.index_cast %s : index to i64
    %f = arith.sitofp %si : i64 to f32
    %two = arith.constant 2.0 : f32
    %one = arith.constant 1.0 : f32
    %m = arith.mulf %f, %two : f32
    %v = arith.addf %m, %one : f32
    linalg.yield %v : f32
  } -> tensor<37x1000xf32>
  return %r : tensor<37x1000xf32>
}

func.func @colsum(%b: tensor<37x1000xf32>) -> tensor<1000xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1000xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1000xf32>) -> tensor<1000xf32>
  %r = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%b : tensor<37x1000xf32>) outs(%z : tensor<1000xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<1000xf32>
  return %r : tensor<1000xf32>
}

func.func @rowmax(%b: tensor<37x1000xf32>) -> tensor<37xf32> {
  %low = arith.constant -1.0e30 : f32
  %e = tensor.empty() : tensor<37xf32>
  %z = linalg.fill ins(%low : f32) outs(%e : tensor<37xf32>) -> tensor<37xf32>
  %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%b : tensor<37x1000xf32>) outs(%z : tensor<37xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.maximumf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<37xf32>
  return %r : tensor<37xf32>
}

func.func @dyn(%b: tensor<?x1000xf32>) -> tensor<?x1000xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %b, %c0 : tensor<?x1000xf32>
  %e = tensor.empty(%n) : tensor<?x1000xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<?x1000xf32>) outs(%e : tensor<?x1000xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<?x1000xf32>
  return %r : tensor<?x1000xf32>
}

// The first k rows of b, doubled.
func.func @dyn_rows(%b: tensor<?x1000xf32>, %k: index) -> tensor<?x1000xf32> {
  %s = tensor.extract_slice %b[0, 0] [%k, 1000] [1, 1] : tensor<?x1000xf32> to tensor<?x1000xf32>
  %r = call @dyn(%s) : (tensor<?x1000xf32>) -> tensor<?x1000xf32>
  return %r : tensor<?x1000xf32>
}

func.func @print3(%a: f32, %b: f32, %c: f32) {
  call @printF32(%a) : (f32) -> ()
  %sp = llvm.mlir.addressof @space : !llvm.ptr
  call @printString(%sp) : (!llvm.ptr) -> ()
  call @printF32(%b) : (f32) -> ()
  call @printString(%sp) : (!llvm.ptr) -> ()
  call @printF32(%c) : (f32) -> ()
  call @printNewline() : () -> ()
  return
}
llvm.mlir.global internal constant @space(" \00") {addr_space = 0 : i32}
llvm.mlir.global internal constant @sb("b \00") {addr_space = 0 : i32}
llvm.mlir.global internal constant @scol("colsum \00") {addr_space = 0 : i32}
llvm.mlir.global internal constant @srow("rowmax \00") {addr_space = 0 : i32}
llvm.mlir.global internal constant @sdyn("dyn \00") {addr_space = 0 : i32}
llvm.mlir.global internal constant @sempty("empty \00") {addr_space = 0 : i32}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c36 = arith.constant 36 : index
  %c999 = arith.constant 999 : index
  %c10 = arith.constant 10 : index
  %c37 = arith.constant 37 : index
  %b = call @b(%c0) : (index) -> tensor<37x1000xf32>
  %b0 = tensor.extract %b[%c0, %c0] : tensor<37x1000xf32>
  %b1 = tensor.extract %b[%c36, %c999] : tensor<37x1000xf32>
  %b2 = tensor.extract %b[%c1, %c36] : tensor<37x1000xf32>
  %p0 = llvm.mlir.addressof @sb : !llvm.ptr
  call @printString(%p0) : (!llvm.ptr) -> ()
  call @print3(%b0, %b1, %b2) : (f32, f32, f32) -> ()

  %cs = call @colsum(%b) : (tensor<37x1000xf32>) -> tensor<1000xf32>
  %s0 = tensor.extract %cs[%c0] : tensor<1000xf32>
  %s1 = tensor.extract %cs[%c999] : tensor<1000xf32>
  %s2 = tensor.extract %cs[%c37] : tensor<1000xf32>
  %p1 = llvm.mlir.addressof @scol : !llvm.ptr
  call @printString(%p1) : (!llvm.ptr) -> ()
  call @print3(%s0, %s1, %s2) : (f32, f32, f32) -> ()

  %rm = call @rowmax(%b) : (tensor<37x1000xf32>) -> tensor<37xf32>
  %r0 = tensor.extract %rm[%c0] : tensor<37xf32>
  %r1 = tensor.extract %rm[%c36] : tensor<37xf32>
  %r2 = tensor.extract %rm[%c10] : tensor<37xf32>
  %p2 = llvm.mlir.addressof @srow : !llvm.ptr
  call @printString(%p2) : (!llvm.ptr) -> ()
  call @print3(%r0, %r1, %r2) : (f32, f32, f32) -> ()

  %bd = tensor.cast %b : tensor<37x1000xf32> to tensor<?x1000xf32>
  %d = call @dyn(%bd) : (tensor<?x1000xf32>) -> tensor<?x1000xf32>
  %d0 = tensor.extract %d[%c0, %c0] : tensor<?x1000xf32>
  %d1 = tensor.extract %d[%c36, %c999] : tensor<?x1000xf32>
  %rows = tensor.dim %d, %c0 : tensor<?x1000xf32>
  %zero = arith.constant 0.0 : f32
  %p3 = llvm.mlir.addressof @sdyn : !llvm.ptr
  call @printString(%p3) : (!llvm.ptr) -> ()
  call @print3(%d0, %d1, %zero) : (f32, f32, f32) -> ()

  %dz = call @dyn_rows(%bd, %c0) : (tensor<?x1000xf32>, index) -> tensor<?x1000xf32>
  %nz = tensor.dim %dz, %c0 : tensor<?x1000xf32>
  %nzi = arith.index_cast %nz : index to i64
  %p4 = llvm.mlir.addressof @sempty : !llvm.ptr
  call @printString(%p4) : (!llvm.ptr) -> ()
  call @printI64(%nzi) : (i64) -> ()
  call @printNewline() : () -> ()
  return
}
