// RUN: mp-opt %s --mp-integer-half-selects -split-input-file | FileCheck %s

// mp-integer-half-selects, on the LLVM dialect: an llvm.select on bf16 / f16
// (scalar or vector) becomes a select of the i16 bits between bitcasts; a
// store of an i16 -> half bitcast stores the i16 value; an i16 bitcast of a
// half load that has no other use becomes an i16 load. No folding (the
// bitcast of a constant stays). Other selects, loads and stores are left
// alone.

// CHECK-LABEL: llvm.func @select(
// CHECK-SAME:    %[[C:[a-z0-9]+]]: i1, %[[A:[a-z0-9]+]]: bf16, %[[B:[a-z0-9]+]]: bf16) -> bf16 {
// CHECK-NEXT:    %[[AI:.+]] = llvm.bitcast %[[A]] : bf16 to i16
// CHECK-NEXT:    %[[BI:.+]] = llvm.bitcast %[[B]] : bf16 to i16
// CHECK-NEXT:    %[[S:.+]] = llvm.select %[[C]], %[[AI]], %[[BI]] : i1, i16
// CHECK-NEXT:    %[[R:.+]] = llvm.bitcast %[[S]] : i16 to bf16
// CHECK-NEXT:    llvm.return %[[R]] : bf16
// CHECK-NEXT:  }
llvm.func @select(%c: i1, %a: bf16, %b: bf16) -> bf16 {
  %r = llvm.select %c, %a, %b : i1, bf16
  llvm.return %r : bf16
}

// Vectors: the lanes become i16 lanes.

// CHECK-LABEL: llvm.func @select_vector(
// CHECK-SAME:    %[[C:[a-z0-9]+]]: vector<4xi1>, %[[A:[a-z0-9]+]]: vector<4xbf16>, %[[B:[a-z0-9]+]]: vector<4xbf16>) -> vector<4xbf16> {
// CHECK-NEXT:    %[[AI:.+]] = llvm.bitcast %[[A]] : vector<4xbf16> to vector<4xi16>
// CHECK-NEXT:    %[[BI:.+]] = llvm.bitcast %[[B]] : vector<4xbf16> to vector<4xi16>
// CHECK-NEXT:    %[[S:.+]] = llvm.select %[[C]], %[[AI]], %[[BI]] : vector<4xi1>, vector<4xi16>
// CHECK-NEXT:    %[[R:.+]] = llvm.bitcast %[[S]] : vector<4xi16> to vector<4xbf16>
// CHECK-NEXT:    llvm.return %[[R]] : vector<4xbf16>
// CHECK-NEXT:  }
llvm.func @select_vector(%c: vector<4xi1>, %a: vector<4xbf16>, %b: vector<4xbf16>) -> vector<4xbf16> {
  %r = llvm.select %c, %a, %b : vector<4xi1>, vector<4xbf16>
  llvm.return %r : vector<4xbf16>
}

// -----

// Loaded, selected, stored: no f16 value is left. Both loads (single use)
// load i16, the select is on i16, the store stores it; the dead bitcast back
// to f16 is gone.

// CHECK-LABEL: llvm.func @load_select_store(
// CHECK-SAME:    %[[C:[a-z0-9]+]]: i1, %[[P:[a-z0-9]+]]: !llvm.ptr, %[[Q:[a-z0-9]+]]: !llvm.ptr, %[[O:[a-z0-9]+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[A:.+]] = llvm.load %[[P]] {alignment = 2 : i64} : !llvm.ptr -> i16
// CHECK-NEXT:    %[[B:.+]] = llvm.load %[[Q]] : !llvm.ptr -> i16
// CHECK-NEXT:    %[[S:.+]] = llvm.select %[[C]], %[[A]], %[[B]] : i1, i16
// CHECK-NEXT:    llvm.store %[[S]], %[[O]] : i16, !llvm.ptr
// CHECK-NEXT:    llvm.return
// CHECK-NEXT:  }
llvm.func @load_select_store(%c: i1, %p: !llvm.ptr, %q: !llvm.ptr, %o: !llvm.ptr) {
  %a = llvm.load %p {alignment = 2 : i64} : !llvm.ptr -> f16
  %b = llvm.load %q : !llvm.ptr -> f16
  %r = llvm.select %c, %a, %b : i1, f16
  llvm.store %r, %o : f16, !llvm.ptr
  llvm.return
}

// A load with another use keeps its bf16 type (and its bitcast); the
// bitcast of a constant is not folded.

// CHECK-LABEL: llvm.func @shared_load(
// CHECK-SAME:    %[[C:[a-z0-9]+]]: i1, %[[P:[a-z0-9]+]]: !llvm.ptr, %[[O:[a-z0-9]+]]: !llvm.ptr) -> bf16 {
// CHECK-NEXT:    %[[A:.+]] = llvm.load %[[P]] : !llvm.ptr -> bf16
// CHECK-NEXT:    %[[Z:.+]] = llvm.mlir.constant(0.000000e+00 : bf16) : bf16
// CHECK-NEXT:    %[[AI:.+]] = llvm.bitcast %[[A]] : bf16 to i16
// CHECK-NEXT:    %[[ZI:.+]] = llvm.bitcast %[[Z]] : bf16 to i16
// CHECK-NEXT:    %[[S:.+]] = llvm.select %[[C]], %[[AI]], %[[ZI]] : i1, i16
// CHECK-NEXT:    llvm.store %[[S]], %[[O]] : i16, !llvm.ptr
// CHECK-NEXT:    llvm.return %[[A]] : bf16
// CHECK-NEXT:  }
llvm.func @shared_load(%c: i1, %p: !llvm.ptr, %o: !llvm.ptr) -> bf16 {
  %a = llvm.load %p : !llvm.ptr -> bf16
  %z = llvm.mlir.constant(0.0 : bf16) : bf16
  %r = llvm.select %c, %a, %z : i1, bf16
  llvm.store %r, %o : bf16, !llvm.ptr
  llvm.return %a : bf16
}

// A store of any i16 -> half bitcast stores the i16 value (store
// attributes kept); a bitcast with another use stays for that use.

// CHECK-LABEL: llvm.func @store_bits(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: vector<8xi16>, %[[Y:[a-z0-9]+]]: i16, %[[O:[a-z0-9]+]]: !llvm.ptr) -> f16 {
// CHECK-NEXT:    %[[YH:.+]] = llvm.bitcast %[[Y]] : i16 to f16
// CHECK-NEXT:    llvm.store %[[X]], %[[O]] {alignment = 2 : i64} : vector<8xi16>, !llvm.ptr
// CHECK-NEXT:    llvm.store %[[Y]], %[[O]] : i16, !llvm.ptr
// CHECK-NEXT:    llvm.return %[[YH]] : f16
// CHECK-NEXT:  }
llvm.func @store_bits(%x: vector<8xi16>, %y: i16, %o: !llvm.ptr) -> f16 {
  %xh = llvm.bitcast %x : vector<8xi16> to vector<8xbf16>
  %yh = llvm.bitcast %y : i16 to f16
  llvm.store %xh, %o {alignment = 2 : i64} : vector<8xbf16>, !llvm.ptr
  llvm.store %yh, %o : f16, !llvm.ptr
  llvm.return %yh : f16
}

// -----

// Negative: selects on f32 / f64 / i16, loads and stores of other types,
// a bf16 -> f16 bitcast of a load and its store are left exactly as they
// are.

// CHECK-LABEL: llvm.func @left_alone(
// CHECK-SAME:    %[[C:[a-z0-9]+]]: i1, %[[A:[a-z0-9]+]]: f32, %[[B:[a-z0-9]+]]: f32, %[[X:[a-z0-9]+]]: i16, %[[Y:[a-z0-9]+]]: i16, %[[D:[a-z0-9]+]]: vector<2xf64>, %[[P:[a-z0-9]+]]: !llvm.ptr) -> f32 {
// CHECK-NEXT:    %[[R:.+]] = llvm.select %[[C]], %[[A]], %[[B]] : i1, f32
// CHECK-NEXT:    %[[S:.+]] = llvm.select %[[C]], %[[X]], %[[Y]] : i1, i16
// CHECK-NEXT:    %[[T:.+]] = llvm.select %[[C]], %[[D]], %[[D]] : i1, vector<2xf64>
// CHECK-NEXT:    %[[L:.+]] = llvm.load %[[P]] : !llvm.ptr -> f32
// CHECK-NEXT:    %[[I:.+]] = llvm.bitcast %[[L]] : f32 to i32
// CHECK-NEXT:    %[[H:.+]] = llvm.load %[[P]] : !llvm.ptr -> bf16
// CHECK-NEXT:    %[[G:.+]] = llvm.bitcast %[[H]] : bf16 to f16
// CHECK-NEXT:    llvm.store %[[R]], %[[P]] : f32, !llvm.ptr
// CHECK-NEXT:    llvm.store %[[S]], %[[P]] : i16, !llvm.ptr
// CHECK-NEXT:    llvm.store %[[T]], %[[P]] : vector<2xf64>, !llvm.ptr
// CHECK-NEXT:    llvm.store %[[I]], %[[P]] : i32, !llvm.ptr
// CHECK-NEXT:    llvm.store %[[G]], %[[P]] : f16, !llvm.ptr
// CHECK-NEXT:    llvm.return %[[R]] : f32
// CHECK-NEXT:  }
llvm.func @left_alone(%c: i1, %a: f32, %b: f32, %x: i16, %y: i16, %d: vector<2xf64>, %p: !llvm.ptr) -> f32 {
  %r = llvm.select %c, %a, %b : i1, f32
  %s = llvm.select %c, %x, %y : i1, i16
  %t = llvm.select %c, %d, %d : i1, vector<2xf64>
  %l = llvm.load %p : !llvm.ptr -> f32
  %i = llvm.bitcast %l : f32 to i32
  %h = llvm.load %p : !llvm.ptr -> bf16
  %g = llvm.bitcast %h : bf16 to f16
  llvm.store %r, %p : f32, !llvm.ptr
  llvm.store %s, %p : i16, !llvm.ptr
  llvm.store %t, %p : vector<2xf64>, !llvm.ptr
  llvm.store %i, %p : i32, !llvm.ptr
  llvm.store %g, %p : f16, !llvm.ptr
  llvm.return %r : f32
}
