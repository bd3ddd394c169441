// RUN: mp-opt %s --mp-parallel-calls-to-runtime -split-input-file -verify-diagnostics

// Marked calls the pass cannot hand to the runtime: a clear error on the
// call, no crash.

llvm.func @f(%b: i64, %e: i64) -> i64 {
  llvm.return %b : i64
}
llvm.func @g(%n: i64) {
  // expected-error @+1 {{mp_parallel_for callee must return nothing}}
  %r = llvm.call @f(%n, %n) {mp_parallel_for} : (i64, i64) -> i64
  llvm.return
}

// -----

llvm.func @f(%b: i32, %e: i64) {
  llvm.return
}
llvm.func @g(%n: i32, %m: i64) {
  // expected-error @+1 {{mp_parallel_for call must pass (i64 begin, i64 end) first}}
  llvm.call @f(%n, %m) {mp_parallel_for} : (i32, i64) -> ()
  llvm.return
}

// -----

llvm.func @f(%b: i64, %e: i64, %v: vector<4xf32>) {
  llvm.return
}
llvm.func @g(%n: i64, %v: vector<4xf32>) {
  // expected-error @+1 {{mp_parallel_for operand of type 'vector<4xf32>' does not fit an 8-byte slot}}
  llvm.call @f(%n, %n, %v) {mp_parallel_for} : (i64, i64, vector<4xf32>) -> ()
  llvm.return
}

// -----

llvm.func @g(%fn: !llvm.ptr, %n: i64) {
  // expected-error @+1 {{mp_parallel_for call must name its callee}}
  llvm.call %fn(%n, %n) {mp_parallel_for} : !llvm.ptr, (i64, i64) -> ()
  llvm.return
}
