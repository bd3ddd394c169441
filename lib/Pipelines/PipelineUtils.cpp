//===- PipelineUtils.cpp - pieces shared by the target pipelines ----------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// What mp-to-cpu and mp-to-nvptx share: host preparation of the signatures,
// the one-shot bufferization options and buffer deallocation.
//
//===----------------------------------------------------------------------===//

#include "PipelineUtils.h"
#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Pipelines/Pipelines.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToSCF/TosaToSCF.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

std::unique_ptr<Pass> mp::createIfPresent(OpPassManager inner,
                                          ArrayRef<std::string> ops,
                                          ArrayRef<std::string> dialects,
                                          bool narrowFloat) {
  MPIfPresentOptions options;
  options.ops.assign(ops.begin(), ops.end());
  options.dialects.assign(dialects.begin(), dialects.end());
  options.narrowFloat = narrowFloat;
  options.pipeline.push_back(std::move(inner));
  return createMPIfPresent(options);
}

std::unique_ptr<Pass> mp::createIfDialectPresent(std::unique_ptr<Pass> pass,
                                                 StringRef dialect) {
  OpPassManager inner(ModuleOp::getOperationName());
  inner.addPass(std::move(pass));
  return createIfPresent(std::move(inner), {}, {dialect.str()});
}

void mp::addTosaToLinalg(OpPassManager &pm) {
  // Control flow first: tosa.cond_if / tosa.while_loop to scf.
  pm.addNestedPass<func::FuncOp>(createTosaToSCFPass());
  // No profile validation: mixprec consumes TOSA, it does not check that a
  // graph fits a TOSA profile (TFLite imports cast i64 -> f32, which the
  // base profiles reject).
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions(),
                              /*validationOptions=*/std::nullopt);
  // What tosa-to-linalg leaves: tosa.const (and tosa.apply_scale) to arith,
  // reshape / slice / pad / concat to tensor.
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addPass(createCanonicalizerPass());
}

void mp::addTosaToLinalgIfPresent(OpPassManager &pm) {
  OpPassManager inner(ModuleOp::getOperationName());
  addTosaToLinalg(inner);
  pm.addPass(createIfPresent(std::move(inner), {}, {"tosa"}));
}

bufferization::OneShotBufferizePassOptions mp::getOneShotBufferizeOptions() {
  bufferization::OneShotBufferizePassOptions options;
  options.bufferizeFunctionBoundaries = true;
  options.allowReturnAllocsFromLoops = true;
  options.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  return options;
}

void mp::addHostPreparation(OpPassManager &pm, bool emitCInterface) {
  pm.addPass(createMPStripContractAttrs());
  if (emitCInterface)
    pm.addPass(createMPEmitCInterface());
}

void mp::addBufferDeallocation(OpPassManager &pm, bool simplify,
                               bool earlyDealloc) {
  {
    OpPassManager inner(ModuleOp::getOperationName());
    inner.addPass(memref::createExpandReallocPass(
        memref::ExpandReallocPassOptions{/*emitDeallocs=*/false}));
    pm.addPass(createIfPresent(std::move(inner), {"memref.realloc"}));
  }
  // Canonicalizers and CSE per function, on all of MLIR's threads (the
  // functions are all func.func here).
  if (simplify)
    pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  addCanonicalizeCombineIfs(pm);
  if (simplify)
    pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  // Free temporaries after their last use, not at the end of the step.
  if (earlyDealloc)
    pm.addNestedPass<func::FuncOp>(createMPDeallocAtLastUse());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
  // After mp-dealloc-at-last-use, ownership conditions that became constant
  // (an emptied dealloc) fold here, while they are still scf/arith.
  if (simplify || earlyDealloc)
    addCanonicalizeCombineIfs(pm);
}

void mp::addCanonicalizeCombineIfs(OpPassManager &pm) {
  // Upstream's pattern, by its debug name (the type name libMLIR was built
  // with; test/Codegen/Common/combine-ifs.mlir checks that it still
  // matches).
  static const std::string combineIfs = "(anonymous namespace)::CombineIfs";
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass(
      GreedyRewriteConfig(), /*disabledPatterns=*/{combineIfs}));
  pm.addNestedPass<func::FuncOp>(createMPCombineIfs());
}

void mp::addCanonicalizeCSE(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
}
