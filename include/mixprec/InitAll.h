//===- InitAll.h - register everything mixprec provides ---------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// One entry point for tools and for compilers that embed mixprec.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_INITALL_H
#define MIXPREC_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::mp {

/// Inserts only the `mp` dialect.
void registerMPDialect(DialectRegistry &registry);

/// Inserts what mixprec's passes need and nothing more: the `mp` dialect, the
/// upstream dialects the passes create ops of (arith, math, linalg, tensor,
/// scf, func), the precision-class external models mp-autocast uses to
/// classify upstream ops and the adjoint rules (AdjointOpInterface models)
/// mp-differentiate uses. For a compiler that registers "only the mixprec
/// passes plus the upstream dialects it needs" (see docs/integration.md).
void registerMixPrecDialects(DialectRegistry &registry);

/// Inserts the `mp` dialect, the upstream dialects mixprec's pipelines parse
/// and produce (func, arith, math, scf, cf, tensor, linalg, bufferization,
/// memref, vector, affine, gpu, nvvm, llvm, tosa, x86vector and the rest of
/// upstream MLIR) and their interface external models and extensions.
void registerAllDialects(DialectRegistry &registry);

/// Registers mixprec's passes (mp-*: Dialect/MP/Transforms,
/// Conversion/MPToStandard, Codegen/{Common,CPU,GPU}) and pipelines
/// (mp-mixed-precision, mp-to-cpu, mp-to-nvptx) with the global registry.
void registerMixPrecPasses();

/// Registers mixprec's pipelines only (same as mlir::mp::registerPipelines).
void registerAllPipelines();

/// Registers mixprec's passes and pipelines and the upstream passes.
void registerAllPasses();

} // namespace mlir::mp

#endif // MIXPREC_INITALL_H
