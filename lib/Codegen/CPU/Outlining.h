//===- Outlining.h - shared steps of outlining ops -------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
// What mp-outline-loop-nests and mp-outline-parallel-loops share: the
// values an op captures from outside become the arguments of the new
// function, except constants, which are cloned into it; a new function
// identical to one made before is replaced by that one.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_CODEGEN_CPU_OUTLINING_H
#define MIXPREC_LIB_CODEGEN_CPU_OUTLINING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
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

/// The attributes of `fn` but its name (the type, visibility, passthrough,
/// ...).
inline DictionaryAttr attributesButName(func::FuncOp fn) {
  NamedAttrList attrs(fn->getAttrDictionary());
  attrs.erase(fn.getSymNameAttrName());
  return attrs.getDictionary(fn.getContext());
}

/// A hash of `fn` that two functions identical up to their names, SSA
/// values and locations share: its attributes but the name, and each op's
/// name, attributes, result types and block argument types, in order.
inline llvm::hash_code structuralHash(func::FuncOp fn) {
  llvm::hash_code hash = hash_value(attributesButName(fn));
  fn.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    hash = llvm::hash_combine(hash, op->getNumRegions(),
                              OperationEquivalence::computeHash(
                                  op, OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::IgnoreLocations));
    for (Region &region : op->getRegions())
      for (Block &block : region) {
        auto types = block.getArgumentTypes();
        hash = llvm::hash_combine(
            hash, llvm::hash_combine_range(types.begin(), types.end()));
      }
  });
  return hash;
}

/// Whether `a` and `b` are the same function but for their names, SSA
/// value names and locations: the same attributes but the name (type,
/// passthrough, ...), and bodies of the same ops with the same attributes
/// (constants included), types and use-def structure.
inline bool isSameFunction(func::FuncOp a, func::FuncOp b) {
  if (attributesButName(a) != attributesButName(b) ||
      !OperationEquivalence::isRegionEquivalentTo(
          &a.getBody(), &b.getBody(), OperationEquivalence::IgnoreLocations))
    return false;
  // isRegionEquivalentTo compares the ops' properties (inherent
  // attributes, e.g. a constant's value) by their hashes only.
  SmallVector<Operation *> opsA, opsB;
  a.getBody().walk([&](Operation *op) { opsA.push_back(op); });
  b.getBody().walk([&](Operation *op) { opsB.push_back(op); });
  return llvm::all_of_zip(opsA, opsB, [](Operation *x, Operation *y) {
    return x->getAttrDictionary() == y->getAttrDictionary();
  });
}

/// The functions an outliner made, by structure: the per-parameter loops
/// of an optimizer step (loss-scale unscale, finite check, Adam update) or
/// of repeated layers come in dozens of copies that differ only in the
/// buffers they are passed, and LLVM would optimize and compile each.
class OutlinedFunctions {
public:
  /// A function recorded before that is the same as `fn`
  /// (isSameFunction), which the caller then calls instead of `fn`; or
  /// null, and `fn` is recorded.
  func::FuncOp findOrInsert(func::FuncOp fn) {
    SmallVector<func::FuncOp, 1> &bucket = byHash[structuralHash(fn)];
    for (func::FuncOp earlier : bucket)
      if (isSameFunction(earlier, fn))
        return earlier;
    bucket.push_back(fn);
    return nullptr;
  }

  /// `fn`, now in `symbols`, or the same function made before, after
  /// erasing `fn`.
  func::FuncOp keepOrReuse(func::FuncOp fn, SymbolTable &symbols) {
    if (func::FuncOp same = findOrInsert(fn)) {
      fn.erase();
      return same;
    }
    symbols.insert(fn);
    return fn;
  }

private:
  llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> byHash;
};

} // namespace mlir::mp

#endif // MIXPREC_LIB_CODEGEN_CPU_OUTLINING_H
