//===- Pipelines.h - mixprec pass pipelines ---------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The options and builders of mixprec's pipelines: mp-mixed-precision
// (lib/Pipelines/MixedPrecision.cpp), mp-to-cpu (ToCPU.cpp) and mp-to-nvptx
// (ToNVPTX.cpp). Each builder adds typed create...Pass(options) calls only.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_PIPELINES_PIPELINES_H
#define MIXPREC_PIPELINES_PIPELINES_H

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::mp {

/// Options of the `mp-to-cpu` pipeline.
struct ToCPUOptions : public mlir::PassPipelineOptions<ToCPUOptions> {
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Tag public functions with llvm.emit_c_interface so "
                     "that they get a _mlir_ciface_ wrapper (C ABI)"),
      llvm::cl::init(true)};
  Option<std::string> contractions{
      *this, "contractions",
      llvm::cl::desc("linalg.matmul / batch_matmul: 'runtime' = calls of "
                     "the CPU runtime's SGEMM (OpenBLAS when installed, "
                     "else a built-in kernel), 'loops' = plain loops"),
      llvm::cl::init("runtime")};
  Option<bool> fuseCasts{
      *this, "fuse-casts",
      llvm::cl::desc("Round contraction operands that are casts of function "
                     "arguments inside the contraction instead of "
                     "materialising the half-precision copy "
                     "(mp-fuse-casts-into-contractions)"),
      llvm::cl::init(true)};
  Option<bool> reuseBuffers{
      *this, "reuse-buffers",
      llvm::cl::desc("Let elementwise ops write in place into an input that "
                     "dies there (mp-reuse-dead-operands on tensors, "
                     "mp-reuse-dead-buffers on buffers)"),
      llvm::cl::init(true)};
  Option<bool> earlyDealloc{
      *this, "early-dealloc",
      llvm::cl::desc("Free each temporary right after its last use "
                     "(mp-dealloc-at-last-use); false: at the end of the "
                     "block, as ownership-based deallocation places them"),
      llvm::cl::init(true)};
  Option<unsigned> outlineMinLoops{
      *this, "outline-min-loops",
      llvm::cl::desc("Outline each loop nest of a function with at least "
                     "this many into its own function, identical nests into "
                     "one (mp-outline-loop-nests; 0: never)"),
      llvm::cl::init(256)};
  Option<bool> fastMath{
      *this, "fast-math",
      llvm::cl::desc("Vectorizable code for elementwise ops and reductions: "
                     "polynomial tanh/erf/exp/log (mp-approximate-math) and "
                     "reassociable float sums (mp-reassociate-reductions); "
                     "false: libm calls and sequential sums"),
      llvm::cl::init(true)};
  Option<bool> deallocSimplify{
      *this, "dealloc-simplify",
      llvm::cl::desc("Upstream's buffer-deallocation-pipeline as is (with "
                     "buffer-deallocation-simplification, quadratic in the "
                     "buffers of a block) instead of the lean variant"),
      llvm::cl::init(false)};
  Option<bool> parallelLoops{
      *this, "parallel-loops",
      llvm::cl::desc("With contractions=runtime: split the parallel loop of "
                     "each big enough loop nest over the runtime's threads "
                     "(mp-outline-parallel-loops, "
                     "mp-parallel-calls-to-runtime; MIXPREC_NUM_THREADS)"),
      llvm::cl::init(true)};
};

/// Options of the `mp-to-nvptx` pipeline.
struct ToNVPTXOptions : public mlir::PassPipelineOptions<ToNVPTXOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("Target GPU (sm_75 ... sm_120)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX ISA features, e.g. +ptx80; 'default': +ptx80 up "
                     "to sm_90, NVVM's minimum for newer chips"),
      llvm::cl::init("default")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("isa (PTX, no toolkit needed) | bin (cubin, ptxas) | "
                     "fatbin (cubin + PTX, ptxas + fatbinary)"),
      llvm::cl::init("fatbin")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit for bin/fatbin"),
                              llvm::cl::init("/usr/local/cuda")};
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("NVVM optimisation level"),
                            llvm::cl::init(3)};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block (at most)"),
                            llvm::cl::init(256)};
  Option<int64_t> splitReductions{
      *this, "split-reductions",
      llvm::cl::desc("Split full reductions of at least this many elements "
                     "into two parallel stages (0: off)"),
      llvm::cl::init(4096)};
  Option<bool> tileContractions{
      *this, "tile-contractions",
      llvm::cl::desc("Contractions (matmul, batch_matmul, generic) as "
                     "shared-memory tiled kernels (false: one thread per "
                     "output element)"),
      llvm::cl::init(true)};
  Option<int64_t> tileMinSize{
      *this, "tile-min-size",
      llvm::cl::desc("Tile only contractions of at least this many "
                     "multiply-adds (batch*M*N*K); smaller ones are faster "
                     "naive"),
      llvm::cl::init(131072)};
  Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("f16/bf16 contractions that tile on sm_80 and later "
                     "as mma.sync tensor-core kernels "
                     "(mp-gpu-mma-contractions)"),
      llvm::cl::init(true)};
  Option<bool> tensorCoreReport{
      *this, "tensor-core-report",
      llvm::cl::desc("A remark per contraction: tensor-core kernel (and "
                     "its tiles) or FMA kernel (and why)"),
      llvm::cl::init(false)};
  Option<bool> reuseBuffers{
      *this, "reuse-buffers",
      llvm::cl::desc("Let a linalg op with reduction loops (the fused "
                     "all-finite check + update) write into an input buffer "
                     "that dies there (mp-reuse-dead-buffers)"),
      llvm::cl::init(true)};
  Option<bool> earlyDealloc{
      *this, "early-dealloc",
      llvm::cl::desc("Free each device temporary right after its last use "
                     "(mp-dealloc-at-last-use)"),
      llvm::cl::init(true)};
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Tag public functions with llvm.emit_c_interface"),
      llvm::cl::init(true)};
};

/// Options of the `mp-mixed-precision` pipeline: the union of the options
/// of mp-autocast and mp-loss-scaling, with the same names and defaults.
struct MixedPrecisionOptions
    : public mlir::PassPipelineOptions<MixedPrecisionOptions> {
  // mp-autocast
  Option<std::string> policy{
      *this, "policy", llvm::cl::desc("Precision policy (docs/design.md §5)"),
      llvm::cl::init("mixed_bfloat16")};
  Option<std::string> target{*this, "target", llvm::cl::desc("cpu | nvptx"),
                             llvm::cl::init("cpu")};
  ListOption<std::string> allow{*this, "allow",
                                llvm::cl::desc("Ops forced to compute class")};
  ListOption<std::string> deny{*this, "deny",
                               llvm::cl::desc("Ops forced to fp32 class")};
  ListOption<std::string> follow{*this, "follow",
                                 llvm::cl::desc("Ops forced to follow class")};
  Option<std::string> keepFp32{
      *this, "keep-fp32",
      llvm::cl::desc("Regex on NameLoc names of ops kept in f32"),
      llvm::cl::init("")};
  Option<std::string> accumulate{*this, "accumulate",
                                 llvm::cl::desc("f32 | compute"),
                                 llvm::cl::init("f32")};
  Option<std::string> computeOutput{
      *this, "compute-output",
      llvm::cl::desc("Result type of compute-class ops: compute | f32"),
      llvm::cl::init("compute")};
  Option<std::string> report{*this, "report",
                             llvm::cl::desc("Autocast JSON report path"),
                             llvm::cl::init("")};
  // mp-loss-scaling
  Option<std::string> mode{*this, "mode",
                           llvm::cl::desc("none | static | dynamic"),
                           llvm::cl::init("dynamic")};
  // (descriptions as in mp-loss-scaling's Passes.td)
  Option<double> initScale{
      *this, "init-scale",
      llvm::cl::desc("Initial (dynamic) or constant (static) loss scale"),
      llvm::cl::init(32768.0)};
  Option<double> growthFactor{
      *this, "growth-factor",
      llvm::cl::desc("Scale multiplier after growth-interval finite steps "
                     "(> 1)"),
      llvm::cl::init(2.0)};
  Option<double> backoffFactor{
      *this, "backoff-factor",
      llvm::cl::desc("Scale multiplier on overflow, in (0, 1)"),
      llvm::cl::init(0.5)};
  Option<int64_t> growthInterval{
      *this, "growth-interval",
      llvm::cl::desc("Consecutive finite steps before the scale grows (>= 1)"),
      llvm::cl::init(2000)};
  Option<double> minScale{*this, "min-scale",
                          llvm::cl::desc("Floor of the scale (0 disables it)"),
                          llvm::cl::init(1.0)};
  Option<double> maxScale{*this, "max-scale",
                          llvm::cl::desc("Cap of the scale (inf disables it)"),
                          llvm::cl::init(16777216.0)};
  Option<int64_t> hysteresis{
      *this, "hysteresis",
      llvm::cl::desc("Overflowing steps tolerated before a backoff (>= 1)"),
      llvm::cl::init(1)};
  Option<double> clipNorm{
      *this, "clip-norm",
      llvm::cl::desc("Clip the unscaled gradients to this global L2 norm "
                     "(0: off)"),
      llvm::cl::init(0.0)};
  Option<int64_t> microbatches{
      *this, "microbatches",
      llvm::cl::desc("Gradient accumulation over this many micro-batches "
                     "(data arguments get a leading dimension; 1: off)"),
      llvm::cl::init(1)};
  Option<bool> gradNorm{
      *this, "grad-norm",
      llvm::cl::desc("Also return the global L2 norm of the unscaled "
                     "gradients ({mp.grad_norm})"),
      llvm::cl::init(false)};
  // mp-data-parallel
  Option<std::string> dataParallel{
      *this, "data-parallel",
      llvm::cl::desc("none | mpi: all-reduce the loss and gradients over MPI "
                     "ranks (mean, f32) before unscale (mp-data-parallel)"),
      llvm::cl::init("none")};
  Option<int64_t> bucketBytes{
      *this, "bucket-bytes",
      llvm::cl::desc("mp-data-parallel: largest all-reduce bucket in bytes"),
      llvm::cl::init(26214400)};
};

/// mp-autocast, mp-loss-scaling, (mp-data-parallel,) mp-differentiate,
/// mp-cleanup, mp-lower.
void buildMixedPrecisionPipeline(mlir::OpPassManager &pm,
                                 const MixedPrecisionOptions &options);

/// Tensor IR (func, arith, math, tensor, linalg, scf) to the LLVM dialect for
/// the host CPU: elementwise ops to linalg and fused, bufferization with
/// deallocation, loops, LLVM.
/// Option values are not checked here: see verifyToCPUOptions, which the
/// registered pipeline and the compiled-step driver call first.
void buildToCPUPipeline(mlir::OpPassManager &pm, const ToCPUOptions &options);

/// Fails, with a one-line message on `errors`, on an `mp-to-cpu` option value
/// that is not accepted (e.g. `contractions` other than runtime | loops).
mlir::LogicalResult verifyToCPUOptions(const ToCPUOptions &options,
                                       llvm::raw_ostream &errors);

/// Tensor IR to GPU kernels for NVIDIA GPUs (embedded as PTX, cubin or
/// fatbin) and host code in the LLVM dialect calling the mgpu* runtime.
/// Fails, with a message on `errors`, on a bad option value (an unknown
/// `format`, a `chip` that is not sm_NN).
mlir::LogicalResult buildToNVPTXPipeline(mlir::OpPassManager &pm,
                                         const ToNVPTXOptions &options,
                                         llvm::raw_ostream &errors);

/// Strips the mp.* contract attributes from signatures and, optionally,
/// tags public functions with llvm.emit_c_interface (shared by the CPU and
/// GPU pipelines).
void addHostPreparation(mlir::OpPassManager &pm, bool emitCInterface);

/// Bufferization's deallocation for both pipelines. `simplify`: upstream's
/// buffer-deallocation-pipeline as is (with buffer-deallocation-
/// simplification, which is quadratic in the buffers of a block); else a
/// lean variant without the simplification and the canonicalizers that
/// change nothing in mp-to-cpu's output. With `earlyDealloc`,
/// mp-dealloc-at-last-use runs before the deallocations are lowered.
void addBufferDeallocation(mlir::OpPassManager &pm, bool simplify,
                           bool earlyDealloc);

/// canonicalize without upstream's CombineIfs pattern, then
/// mp-combine-ifs, nested on func.func: after ownership-based
/// deallocation, whose one scf.if per returned buffer CombineIfs would
/// merge in cubic time (see mp-combine-ifs).
void addCanonicalizeCombineIfs(mlir::OpPassManager &pm);

/// canonicalize then cse, nested on func.func: the functions of a module
/// are rewritten on all of MLIR's threads (the same output as the module
/// passes where every function is a func.func).
void addCanonicalizeCSE(mlir::OpPassManager &pm);

/// The one-shot bufferization options both target pipelines use: function
/// boundaries bufferized with identity layouts, allocations returned from
/// loops allowed.
bufferization::OneShotBufferizePassOptions getOneShotBufferizeOptions();

/// Registers the pipelines mp-mixed-precision, mp-to-cpu and mp-to-nvptx
/// with the global registry (not the passes: see InitAll.h).
void registerPipelines();

} // namespace mlir::mp

#endif // MIXPREC_PIPELINES_PIPELINES_H
