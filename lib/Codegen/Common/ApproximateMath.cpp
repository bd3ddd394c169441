//===- ApproximateMath.cpp - mp-approximate-math --------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Polynomial approximations of math functions for both targets: on the CPU
// they make the loops of GELU and softmax vectorizable (no libm call per
// element), on the GPU they free kernels from libdevice (format=isa needs no
// CUDA toolkit). docs/codegen.md has the accuracy figures.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPAPPROXIMATEMATH
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
struct MPApproximateMath : mp::impl::MPApproximateMathBase<MPApproximateMath> {
  using MPApproximateMathBase::MPApproximateMathBase;

  void runOnOperation() override {
    // The upstream predicates see full op names ("math.tanh").
    llvm::StringSet<> names;
    auto add = [&](StringRef name) {
      names.insert(name.starts_with("math.") ? name.str()
                                             : ("math." + name).str());
    };
    if (ops.empty())
      for (StringRef name :
           {"tanh", "erf", "exp", "expm1", "log", "log1p", "log2"})
        add(name);
    else
      for (const std::string &name : ops) {
        if (name == "upstream")
          continue;
        std::string full =
            StringRef(name).starts_with("math.") ? name : "math." + name;
        if (!RegisteredOperationName::lookup(full, &getContext())) {
          mlir::emitError(getOperation()->getLoc())
              << "mp-approximate-math: unknown math op '" << name
              << "' in ops (expected math op names such as tanh, exp, or "
                 "'upstream')";
          return signalPassFailure();
        }
        add(name);
      }
    auto predicate = [&](StringRef name) { return names.contains(name); };
    RewritePatternSet patterns(&getContext());
    if (llvm::is_contained(ops, "upstream")) {
      populateMathPolynomialApproximationPatterns(patterns);
    } else {
      populateMathF32ExpansionPatterns(patterns, predicate);
      populateMathPolynomialApproximationPatterns(patterns, predicate);
    }
    // Seeded with the math ops to expand (the driver then follows the ops
    // the expansions create); folding stays on for those.
    SmallVector<Operation *> seeds;
    getOperation()->walk([&](Operation *op) {
      if (isa_and_nonnull<math::MathDialect>(op->getDialect()))
        seeds.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::AnyOp);
    if (failed(applyOpPatternsGreedily(seeds, std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace
