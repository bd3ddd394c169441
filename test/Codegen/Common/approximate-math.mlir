// RUN: mp-opt %s --mp-approximate-math -split-input-file | FileCheck %s --check-prefixes=CHECK,TANH,BFEXP,KEPT
// RUN: mp-opt %s --mp-approximate-math="ops=tanh,exp" -split-input-file | FileCheck %s --check-prefixes=SEL,TANH,BFEXP,KEPT
// RUN: mp-opt %s --mp-approximate-math="ops=upstream" -split-input-file | FileCheck %s --check-prefixes=UP,TANH,BFEXP,KEPT
// RUN: mp-opt %s --mp-approximate-math="ops=exp" -split-input-file | FileCheck %s --check-prefixes=EXP,BFEXP,KEPT

// mp-approximate-math rewrites the math ops named in `ops` (default: tanh,
// erf, exp, expm1, log, log1p, log2; `upstream`: upstream's default
// selection, which adds sin, cos, atan, cbrt, ...) into upstream's
// polynomial approximations (f32 arithmetic, no libm call); bf16/f16 ops of
// those kinds are computed in f32 between an extf and a truncf. Math ops
// not in the set are left alone.
//
// Prefixes: CHECK (default set), SEL (ops=tanh,exp), UP (ops=upstream),
// EXP (ops=exp); TANH holds in the three runs whose set has tanh, BFEXP
// and KEPT in all four.

// f32 tanh: clamped to [-7.99881172, 7.99881172], then the odd rational
// approximation p(x^2) * x / q(x^2), and x itself where |x| < 4e-4.

// TANH-LABEL: func.func @tanh_f32(
// TANH-SAME:    %[[X:[a-z0-9_]+]]: f32) -> f32 {
// TANH-NEXT:    %[[CST:[a-z0-9_]+]] = arith.constant -7.99881172 : f32
// TANH-NEXT:    %[[CST0:[a-z0-9_]+]] = arith.constant 7.99881172 : f32
// TANH-NEXT:    %[[V0:[a-z0-9_]+]] = arith.cmpf ult, %[[X]], %[[CST0]] : f32
// TANH-NEXT:    %[[V1:[a-z0-9_]+]] = arith.select %[[V0]], %[[X]], %[[CST0]] : f32
// TANH-NEXT:    %[[V2:[a-z0-9_]+]] = arith.cmpf ugt, %[[V1]], %[[CST]] : f32
// TANH-NEXT:    %[[V3:[a-z0-9_]+]] = arith.select %[[V2]], %[[V1]], %[[CST]] : f32
// TANH-NEXT:    %[[CST1:[a-z0-9_]+]] = arith.constant 4.000000e-04 : f32
// TANH-NEXT:    %[[V4:[a-z0-9_]+]] = math.absf %[[X]] : f32
// TANH-NEXT:    %[[V5:[a-z0-9_]+]] = arith.cmpf olt, %[[V4]], %[[CST1]] : f32
// TANH-NEXT:    %[[CST2:[a-z0-9_]+]] = arith.constant 0.00489352457 : f32
// TANH-NEXT:    %[[CST3:[a-z0-9_]+]] = arith.constant 6.37261954E-4 : f32
// TANH-NEXT:    %[[CST4:[a-z0-9_]+]] = arith.constant 1.48572235E-5 : f32
// TANH-NEXT:    %[[CST5:[a-z0-9_]+]] = arith.constant 5.12229725E-8 : f32
// TANH-NEXT:    %[[CST6:[a-z0-9_]+]] = arith.constant -8.60467184E-11 : f32
// TANH-NEXT:    %[[CST7:[a-z0-9_]+]] = arith.constant 2.00018794E-13 : f32
// TANH-NEXT:    %[[CST8:[a-z0-9_]+]] = arith.constant -2.76076837E-16 : f32
// TANH-NEXT:    %[[CST9:[a-z0-9_]+]] = arith.constant 0.00489352504 : f32
// TANH-NEXT:    %[[CST10:[a-z0-9_]+]] = arith.constant 0.00226843474 : f32
// TANH-NEXT:    %[[CST11:[a-z0-9_]+]] = arith.constant 1.18534706E-4 : f32
// TANH-NEXT:    %[[CST12:[a-z0-9_]+]] = arith.constant 1.19825836E-6 : f32
// TANH-NEXT:    %[[V6:[a-z0-9_]+]] = arith.mulf %[[V3]], %[[V3]] : f32
// TANH-NEXT:    %[[V7:[a-z0-9_]+]] = math.fma %[[V6]], %[[CST8]], %[[CST7]] : f32
// TANH-NEXT:    %[[V8:[a-z0-9_]+]] = math.fma %[[V6]], %[[V7]], %[[CST6]] : f32
// TANH-NEXT:    %[[V9:[a-z0-9_]+]] = math.fma %[[V6]], %[[V8]], %[[CST5]] : f32
// TANH-NEXT:    %[[V10:[a-z0-9_]+]] = math.fma %[[V6]], %[[V9]], %[[CST4]] : f32
// TANH-NEXT:    %[[V11:[a-z0-9_]+]] = math.fma %[[V6]], %[[V10]], %[[CST3]] : f32
// TANH-NEXT:    %[[V12:[a-z0-9_]+]] = math.fma %[[V6]], %[[V11]], %[[CST2]] : f32
// TANH-NEXT:    %[[V13:[a-z0-9_]+]] = arith.mulf %[[V3]], %[[V12]] : f32
// TANH-NEXT:    %[[V14:[a-z0-9_]+]] = math.fma %[[V6]], %[[CST12]], %[[CST11]] : f32
// TANH-NEXT:    %[[V15:[a-z0-9_]+]] = math.fma %[[V6]], %[[V14]], %[[CST10]] : f32
// TANH-NEXT:    %[[V16:[a-z0-9_]+]] = math.fma %[[V6]], %[[V15]], %[[CST9]] : f32
// TANH-NEXT:    %[[V17:[a-z0-9_]+]] = arith.divf %[[V13]], %[[V16]] : f32
// TANH-NEXT:    %[[V18:[a-z0-9_]+]] = arith.select %[[V5]], %[[V3]], %[[V17]] : f32
// TANH-NEXT:    return %[[V18]] : f32
// TANH-NEXT:  }

// Not in {exp}: left alone.

// EXP-LABEL: func.func @tanh_f32(
// EXP-SAME:    %[[X:[a-z0-9]+]]: f32) -> f32 {
// EXP-NEXT:    %[[Y:.+]] = math.tanh %[[X]] : f32
// EXP-NEXT:    return %[[Y]] : f32
// EXP-NEXT:  }
func.func @tanh_f32(%x: f32) -> f32 {
  %y = math.tanh %x : f32
  return %y : f32
}

// -----

// bf16 exp, computed in f32 (in every set): extf, the range reduction
// x = k ln2 + r with k clamped to [-127, 127], the polynomial of r, the
// scaling by 2^k built from the exponent bits, and truncf back to bf16.

// BFEXP-LABEL: func.func @exp_bf16(
// BFEXP-SAME:    %[[X:[a-z0-9_]+]]: bf16) -> bf16 {
// BFEXP-NEXT:    %[[V0:[a-z0-9_]+]] = arith.extf %[[X]] : bf16 to f32
// BFEXP-NEXT:    %[[CST:[a-z0-9_]+]] = arith.constant 5.000000e-01 : f32
// BFEXP-NEXT:    %[[CST0:[a-z0-9_]+]] = arith.constant 1.000000e+00 : f32
// BFEXP-NEXT:    %[[CST1:[a-z0-9_]+]] = arith.constant 1.44269502 : f32
// BFEXP-NEXT:    %[[CST2:[a-z0-9_]+]] = arith.constant -0.693359375 : f32
// BFEXP-NEXT:    %[[CST3:[a-z0-9_]+]] = arith.constant 2.12194442E-4 : f32
// BFEXP-NEXT:    %[[CST4:[a-z0-9_]+]] = arith.constant 1.98756912E-4 : f32
// BFEXP-NEXT:    %[[CST5:[a-z0-9_]+]] = arith.constant 0.00139819994 : f32
// BFEXP-NEXT:    %[[CST6:[a-z0-9_]+]] = arith.constant 0.00833345205 : f32
// BFEXP-NEXT:    %[[CST7:[a-z0-9_]+]] = arith.constant 0.0416657962 : f32
// BFEXP-NEXT:    %[[CST8:[a-z0-9_]+]] = arith.constant 0.166666657 : f32
// BFEXP-NEXT:    %[[CST9:[a-z0-9_]+]] = arith.constant 5.000000e-01 : f32
// BFEXP-NEXT:    %[[CST10:[a-z0-9_]+]] = arith.constant -8.780000e+01 : f32
// BFEXP-NEXT:    %[[V1:[a-z0-9_]+]] = arith.cmpf uge, %[[V0]], %[[CST10]] : f32
// BFEXP-NEXT:    %[[V2:[a-z0-9_]+]] = arith.select %[[V1]], %[[V0]], %[[CST10]] : f32
// BFEXP-NEXT:    %[[CST11:[a-z0-9_]+]] = arith.constant 8.880000e+01 : f32
// BFEXP-NEXT:    %[[V3:[a-z0-9_]+]] = arith.cmpf ule, %[[V2]], %[[CST11]] : f32
// BFEXP-NEXT:    %[[V4:[a-z0-9_]+]] = arith.select %[[V3]], %[[V2]], %[[CST11]] : f32
// BFEXP-NEXT:    %[[V5:[a-z0-9_]+]] = math.fma %[[V4]], %[[CST1]], %[[CST]] : f32
// BFEXP-NEXT:    %[[V6:[a-z0-9_]+]] = math.floor %[[V5]] : f32
// BFEXP-NEXT:    %[[CST12:[a-z0-9_]+]] = arith.constant -1.270000e+02 : f32
// BFEXP-NEXT:    %[[V7:[a-z0-9_]+]] = arith.cmpf uge, %[[V6]], %[[CST12]] : f32
// BFEXP-NEXT:    %[[V8:[a-z0-9_]+]] = arith.select %[[V7]], %[[V6]], %[[CST12]] : f32
// BFEXP-NEXT:    %[[CST13:[a-z0-9_]+]] = arith.constant 1.270000e+02 : f32
// BFEXP-NEXT:    %[[V9:[a-z0-9_]+]] = arith.cmpf ule, %[[V8]], %[[CST13]] : f32
// BFEXP-NEXT:    %[[V10:[a-z0-9_]+]] = arith.select %[[V9]], %[[V8]], %[[CST13]] : f32
// BFEXP-NEXT:    %[[V11:[a-z0-9_]+]] = math.fma %[[CST2]], %[[V10]], %[[V4]] : f32
// BFEXP-NEXT:    %[[V12:[a-z0-9_]+]] = math.fma %[[CST3]], %[[V10]], %[[V11]] : f32
// BFEXP-NEXT:    %[[V13:[a-z0-9_]+]] = math.fma %[[V12]], %[[CST4]], %[[CST5]] : f32
// BFEXP-NEXT:    %[[V14:[a-z0-9_]+]] = math.fma %[[V13]], %[[V12]], %[[CST6]] : f32
// BFEXP-NEXT:    %[[V15:[a-z0-9_]+]] = math.fma %[[V14]], %[[V12]], %[[CST7]] : f32
// BFEXP-NEXT:    %[[V16:[a-z0-9_]+]] = math.fma %[[V15]], %[[V12]], %[[CST8]] : f32
// BFEXP-NEXT:    %[[V17:[a-z0-9_]+]] = math.fma %[[V16]], %[[V12]], %[[CST9]] : f32
// BFEXP-NEXT:    %[[V18:[a-z0-9_]+]] = arith.mulf %[[V12]], %[[V12]] : f32
// BFEXP-NEXT:    %[[V19:[a-z0-9_]+]] = math.fma %[[V17]], %[[V18]], %[[V12]] : f32
// BFEXP-NEXT:    %[[V20:[a-z0-9_]+]] = arith.addf %[[V19]], %[[CST0]] : f32
// BFEXP-NEXT:    %[[V21:[a-z0-9_]+]] = arith.fptosi %[[V10]] : f32 to i32
// BFEXP-NEXT:    %[[C23I32:[a-z0-9_]+]] = arith.constant 23 : i32
// BFEXP-NEXT:    %[[C127I32:[a-z0-9_]+]] = arith.constant 127 : i32
// BFEXP-NEXT:    %[[V22:[a-z0-9_]+]] = arith.addi %[[V21]], %[[C127I32]] : i32
// BFEXP-NEXT:    %[[V23:[a-z0-9_]+]] = arith.shli %[[V22]], %[[C23I32]] : i32
// BFEXP-NEXT:    %[[V24:[a-z0-9_]+]] = arith.bitcast %[[V23]] : i32 to f32
// BFEXP-NEXT:    %[[V25:[a-z0-9_]+]] = arith.mulf %[[V20]], %[[V24]] : f32
// BFEXP-NEXT:    %[[V26:[a-z0-9_]+]] = arith.truncf %[[V25]] : f32 to bf16
// BFEXP-NEXT:    return %[[V26]] : bf16
// BFEXP-NEXT:  }
func.func @exp_bf16(%x: bf16) -> bf16 {
  %y = math.exp %x : bf16
  return %y : bf16
}

// -----

// Which ops each set rewrites. The ops of a set are gone (their expansions
// are checked above for tanh and exp); the others stay exactly as they
// were, with their operands, in their place.

// CHECK-LABEL: func.func @set(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: f32, %[[B:[a-z0-9]+]]: f32, %[[C:[a-z0-9]+]]: f32, %[[D:[a-z0-9]+]]: f32, %[[E:[a-z0-9]+]]: f32, %[[F:[a-z0-9]+]]: f32, %[[G:[a-z0-9]+]]: f32,
// CHECK-SAME:    %[[H:[a-z0-9]+]]: f32, %[[I:[a-z0-9]+]]: f32, %[[J:[a-z0-9]+]]: f32, %[[K:[a-z0-9]+]]: f32, %[[L:[a-z0-9]+]]: f32, %[[M:[a-z0-9]+]]: f16)
// CHECK-NOT:     math.tanh %
// CHECK:         arith.cmpf ult, %[[A]], %{{.+}} : f32
// CHECK-NOT:     math.erf %
// CHECK:         arith.cmpf olt, %[[B]], %{{.+}} : f32
// CHECK-NOT:     math.exp %
// CHECK:         arith.cmpf uge, %[[C]], %{{.+}} : f32
// CHECK-NOT:     math.expm1 %
// CHECK:         arith.cmpf uge, %[[D]], %{{.+}} : f32
// CHECK-NOT:     math.log %
// CHECK:         arith.cmpf ugt, %[[E]], %{{.+}} : f32
// CHECK-NOT:     math.log1p %
// CHECK:         arith.addf %[[F]], %{{.+}} : f32
// CHECK-NOT:     math.log2 %
// CHECK:         arith.cmpf ugt, %[[G]], %{{.+}} : f32
// CHECK:         %[[SIN:.+]] = math.sin %[[H]] : f32
// CHECK-NEXT:    %[[COS:.+]] = math.cos %[[I]] : f32
// CHECK-NEXT:    %[[ATAN:.+]] = math.atan %[[J]] : f32
// CHECK-NEXT:    %[[CBRT:.+]] = math.cbrt %[[K]] : f32
// CHECK-NEXT:    %[[SQRT:.+]] = math.sqrt %[[L]] : f32
// CHECK-NEXT:    %[[M32:.+]] = arith.extf %[[M]] : f16 to f32
// CHECK-NOT:     math.tanh
// CHECK:         %[[T16:.+]] = arith.truncf %{{.+}} : f32 to f16
// CHECK-NEXT:    return %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[SIN]], %[[COS]], %[[ATAN]], %[[CBRT]], %[[SQRT]], %[[T16]] :

// SEL-LABEL: func.func @set(
// SEL-SAME:    %[[A:[a-z0-9]+]]: f32, %[[B:[a-z0-9]+]]: f32, %[[C:[a-z0-9]+]]: f32, %[[D:[a-z0-9]+]]: f32, %[[E:[a-z0-9]+]]: f32, %[[F:[a-z0-9]+]]: f32, %[[G:[a-z0-9]+]]: f32,
// SEL-SAME:    %[[H:[a-z0-9]+]]: f32, %[[I:[a-z0-9]+]]: f32, %[[J:[a-z0-9]+]]: f32, %[[K:[a-z0-9]+]]: f32, %[[L:[a-z0-9]+]]: f32, %[[M:[a-z0-9]+]]: f16)
// SEL-NOT:     math.tanh %
// SEL:         arith.cmpf ult, %[[A]], %{{.+}} : f32
// SEL:         %[[ERF:.+]] = math.erf %[[B]] : f32
// SEL-NOT:     math.exp %
// SEL:         arith.cmpf uge, %[[C]], %{{.+}} : f32
// SEL:         %[[EXPM1:.+]] = math.expm1 %[[D]] : f32
// SEL-NEXT:    %[[LOG:.+]] = math.log %[[E]] : f32
// SEL-NEXT:    %[[LOG1P:.+]] = math.log1p %[[F]] : f32
// SEL-NEXT:    %[[LOG2:.+]] = math.log2 %[[G]] : f32
// SEL-NEXT:    %[[SIN:.+]] = math.sin %[[H]] : f32
// SEL-NEXT:    %[[COS:.+]] = math.cos %[[I]] : f32
// SEL-NEXT:    %[[ATAN:.+]] = math.atan %[[J]] : f32
// SEL-NEXT:    %[[CBRT:.+]] = math.cbrt %[[K]] : f32
// SEL-NEXT:    %[[SQRT:.+]] = math.sqrt %[[L]] : f32
// SEL-NEXT:    %[[M32:.+]] = arith.extf %[[M]] : f16 to f32
// SEL-NOT:     math.tanh
// SEL:         %[[T16:.+]] = arith.truncf %{{.+}} : f32 to f16
// SEL-NEXT:    return %{{.+}}, %[[ERF]], %{{.+}}, %[[EXPM1]], %[[LOG]], %[[LOG1P]], %[[LOG2]], %[[SIN]], %[[COS]], %[[ATAN]], %[[CBRT]], %[[SQRT]], %[[T16]] :

// UP-LABEL: func.func @set(
// UP-SAME:    %[[A:[a-z0-9]+]]: f32, %[[B:[a-z0-9]+]]: f32, %[[C:[a-z0-9]+]]: f32, %[[D:[a-z0-9]+]]: f32, %[[E:[a-z0-9]+]]: f32, %[[F:[a-z0-9]+]]: f32, %[[G:[a-z0-9]+]]: f32,
// UP-SAME:    %[[H:[a-z0-9]+]]: f32, %[[I:[a-z0-9]+]]: f32, %[[J:[a-z0-9]+]]: f32, %[[K:[a-z0-9]+]]: f32, %[[L:[a-z0-9]+]]: f32, %[[M:[a-z0-9]+]]: f16)
// UP-NOT:      math.tanh %
// UP:          arith.cmpf ult, %[[A]], %{{.+}} : f32
// UP-NOT:      math.erf %
// UP:          arith.cmpf olt, %[[B]], %{{.+}} : f32
// UP-NOT:      math.exp %
// UP:          arith.cmpf uge, %[[C]], %{{.+}} : f32
// UP-NOT:      math.expm1 %
// UP:          arith.cmpf uge, %[[D]], %{{.+}} : f32
// UP-NOT:      math.log %
// UP:          arith.cmpf ugt, %[[E]], %{{.+}} : f32
// UP-NOT:      math.log1p %
// UP:          arith.addf %[[F]], %{{.+}} : f32
// UP-NOT:      math.log2 %
// UP:          arith.cmpf ugt, %[[G]], %{{.+}} : f32
// UP-NOT:      math.sin %
// UP:          arith.mulf %[[H]], %{{.+}} : f32
// UP-NOT:      math.cos %
// UP:          arith.mulf %[[I]], %{{.+}} : f32
// UP-NOT:      math.atan %
// UP:          math.absf %[[J]] : f32
// UP-NOT:      math.cbrt %
// UP:          math.absf %[[K]] : f32
// UP:          %[[SQRT:.+]] = math.sqrt %[[L]] : f32
// UP-NEXT:     %[[M32:.+]] = arith.extf %[[M]] : f16 to f32
// UP-NOT:      math.tanh
// UP:          %[[T16:.+]] = arith.truncf %{{.+}} : f32 to f16
// UP-NEXT:     return %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[SQRT]], %[[T16]] :

// EXP-LABEL: func.func @set(
// EXP-SAME:    %[[A:[a-z0-9]+]]: f32, %[[B:[a-z0-9]+]]: f32, %[[C:[a-z0-9]+]]: f32, %[[D:[a-z0-9]+]]: f32, %[[E:[a-z0-9]+]]: f32, %[[F:[a-z0-9]+]]: f32, %[[G:[a-z0-9]+]]: f32,
// EXP-SAME:    %[[H:[a-z0-9]+]]: f32, %[[I:[a-z0-9]+]]: f32, %[[J:[a-z0-9]+]]: f32, %[[K:[a-z0-9]+]]: f32, %[[L:[a-z0-9]+]]: f32, %[[M:[a-z0-9]+]]: f16)
// EXP:         %[[TH:.+]] = math.tanh %[[A]] : f32
// EXP-NEXT:    %[[ERF:.+]] = math.erf %[[B]] : f32
// EXP-NOT:     math.exp %
// EXP:         arith.cmpf uge, %[[C]], %{{.+}} : f32
// EXP:         %[[EXPM1:.+]] = math.expm1 %[[D]] : f32
// EXP-NEXT:    %[[LOG:.+]] = math.log %[[E]] : f32
// EXP-NEXT:    %[[LOG1P:.+]] = math.log1p %[[F]] : f32
// EXP-NEXT:    %[[LOG2:.+]] = math.log2 %[[G]] : f32
// EXP-NEXT:    %[[SIN:.+]] = math.sin %[[H]] : f32
// EXP-NEXT:    %[[COS:.+]] = math.cos %[[I]] : f32
// EXP-NEXT:    %[[ATAN:.+]] = math.atan %[[J]] : f32
// EXP-NEXT:    %[[CBRT:.+]] = math.cbrt %[[K]] : f32
// EXP-NEXT:    %[[SQRT:.+]] = math.sqrt %[[L]] : f32
// EXP-NEXT:    %[[T16:.+]] = math.tanh %[[M]] : f16
// EXP-NEXT:    return %[[TH]], %[[ERF]], %{{.+}}, %[[EXPM1]], %[[LOG]], %[[LOG1P]], %[[LOG2]], %[[SIN]], %[[COS]], %[[ATAN]], %[[CBRT]], %[[SQRT]], %[[T16]] :
func.func @set(%a: f32, %b: f32, %c: f32, %d: f32, %e: f32, %f: f32, %g: f32,
               %h: f32, %i: f32, %j: f32, %k: f32, %l: f32, %m: f16)
    -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f16) {
  %0 = math.tanh %a : f32
  %1 = math.erf %b : f32
  %2 = math.exp %c : f32
  %3 = math.expm1 %d : f32
  %4 = math.log %e : f32
  %5 = math.log1p %f : f32
  %6 = math.log2 %g : f32
  %7 = math.sin %h : f32
  %8 = math.cos %i : f32
  %9 = math.atan %j : f32
  %10 = math.cbrt %k : f32
  %11 = math.sqrt %l : f32
  %12 = math.tanh %m : f16
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f16
}

// -----

// Negative, in every set: math ops outside it (sqrt, on f32, bf16 and
// vectors, rsqrt, powf, fma, absf, floor) are left exactly as they are, bf16
// ones not widened to f32.

// KEPT-LABEL: func.func @kept(
// KEPT-SAME:    %[[X:[a-z0-9]+]]: f32, %[[Y:[a-z0-9]+]]: bf16, %[[V:[a-z0-9]+]]: vector<4xf32>) -> (f32, bf16, f32, vector<4xf32>) {
// KEPT-NEXT:    %[[S:.+]] = math.sqrt %[[X]] : f32
// KEPT-NEXT:    %[[R:.+]] = math.rsqrt %[[X]] : f32
// KEPT-NEXT:    %[[P:.+]] = math.powf %[[S]], %[[R]] : f32
// KEPT-NEXT:    %[[F:.+]] = math.fma %[[P]], %[[X]], %[[S]] : f32
// KEPT-NEXT:    %[[A:.+]] = math.absf %[[F]] : f32
// KEPT-NEXT:    %[[SB:.+]] = math.sqrt %[[Y]] : bf16
// KEPT-NEXT:    %[[FL:.+]] = math.floor %[[A]] : f32
// KEPT-NEXT:    %[[SV:.+]] = math.sqrt %[[V]] : vector<4xf32>
// KEPT-NEXT:    return %[[FL]], %[[SB]], %[[A]], %[[SV]] : f32, bf16, f32, vector<4xf32>
// KEPT-NEXT:  }
func.func @kept(%x: f32, %y: bf16, %v: vector<4xf32>) -> (f32, bf16, f32, vector<4xf32>) {
  %0 = math.sqrt %x : f32
  %1 = math.rsqrt %x : f32
  %2 = math.powf %0, %1 : f32
  %3 = math.fma %2, %x, %0 : f32
  %4 = math.absf %3 : f32
  %5 = math.sqrt %y : bf16
  %6 = math.floor %4 : f32
  %7 = math.sqrt %v : vector<4xf32>
  return %6, %5, %4, %7 : f32, bf16, f32, vector<4xf32>
}
