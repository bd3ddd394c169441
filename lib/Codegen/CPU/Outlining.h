//===- Outlining.h - shared steps of outlining ops into functions -*- C++
//-*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
// What mp-outline-loop-nests and mp-outline-parallel-loops share: the
// values an op captures from outside become the arguments of the new
// function, except constants, which are cloned into it.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_CODEGEN_CPU_OUTLINING_H
#define MIXPREC_LIB_CODEGEN_CPU_OUTLINING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::mp {

/// Captured values of an op to outline: `args` in capture order, and the
/// constant-like ops that define the others.
struct Captures {
  SmallVector<Value> args;
  SmallVector<Operation *> constants;
};

inline Captures splitCaptures(const llvm::SetVector<Value> &captured) {
  Captures c;
  for (Value v : captured) {
    Operation *def = v.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>())
      c.constants.push_back(def);
    else
      c.args.push_back(v);
  }
  return c;
}

/// Maps `c.args` to `blockArgs` in `map` and clones `c.constants` at
/// `b`'s insertion point (the new function's entry block).
inline void mapCaptures(OpBuilder &b, const Captures &c, ValueRange blockArgs,
                        IRMapping &map) {
  for (auto [v, arg] : llvm::zip(c.args, blockArgs))
    map.map(v, arg);
  for (Operation *op : c.constants)
    map.map(op->getResult(0), b.clone(*op)->getResult(0));
}

} // namespace mlir::mp

#endif // MIXPREC_LIB_CODEGEN_CPU_OUTLINING_H
