//===- CompiledStep.h - compile and call a training step --------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Compiles a module in the training-graph contract with a pass pipeline to
// native code (JIT with ORC's LLJIT, or AOT to a shared library) and calls
// its packed entry `_mlir_<entry>(void **)` (docs/design.md, "Step ABI").
// Used by mp-run, the Python module and the C API.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DRIVER_COMPILEDSTEP_H
#define MIXPREC_DRIVER_COMPILEDSTEP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir::mp {

/// Element types a step's arguments and results may have (not to be
/// confused with mlir::mp::DType, the float dtypes of a precision policy).
enum class ScalarType { F32, F64, F16, BF16, I1, I8, I32, I64 };

/// Size in bytes of one element (i1 is stored as a byte).
size_t scalarTypeSize(ScalarType t);
/// numpy-style name: float32, float16, bfloat16, bool, int32, ...
llvm::StringRef scalarTypeName(ScalarType t);

/// The static type of one argument or result.
struct TensorSpec {
  std::vector<int64_t> shape;
  ScalarType dtype = ScalarType::F32;
  int64_t numElements() const;
  size_t numBytes() const { return numElements() * scalarTypeSize(dtype); }
  std::string str() const;
};

/// What an argument or result is in the training-graph contract.
enum class Role {
  Data,       ///< batch input (argument)
  Param,      ///< differentiated argument (argument)
  State,      ///< tied, not differentiated: optimizer state (argument)
  Update,     ///< result tied with mp.updates
  LossScale,  ///< mp.loss_scale argument/result
  Tracker,    ///< mp.growth_tracker argument/result
  Hysteresis, ///< mp.hysteresis argument/result
  Overflow,   ///< mp.overflow result
  GradFinite, ///< mp.grad_finite result: one i1 per param gradient
  GradNorm,   ///< mp.grad_norm result: global L2 norm of the f32 gradients
  Loss,       ///< the loss (first untied 0-d float result)
  Other       ///< any other result
};

/// Lower-case name of a role: data, param, state, update, loss_scale,
/// growth_tracker, hysteresis, overflow, grad_finite, grad_norm, loss, other.
llvm::StringRef roleName(Role r);

/// The entry's signature after compilation, with contract roles.
struct StepSignature {
  std::vector<TensorSpec> args, results;
  std::vector<Role> argRoles, resultRoles;
  /// For each result: the argument it updates, or -1.
  std::vector<int> updates;
  /// Synthetic-initialisation hint per argument (`mp.init`), or "".
  std::vector<std::string> argInit;
  int lossResult = -1, overflowResult = -1;
  /// Name per argument: its `mp.name` attribute, else the NameLoc of its
  /// location, else "argN".
  std::vector<std::string> argNames;
  /// The mp.grad_finite result (-1 if none) and, per flag, the argument
  /// whose gradient it checks (-1: not a step argument).
  int gradFiniteResult = -1;
  std::vector<int64_t> gradFiniteArgs;
  /// The mp.grad_norm result, or -1.
  int gradNormResult = -1;
  /// The entry's `range_probe.names` (a probe made by mp-range-probe): the
  /// named value of each row of its last result.
  std::vector<std::string> probeNames;
};

/// Where the compiled step runs (not to be confused with mlir::mp::Target,
/// the target a precision policy resolves `half` for).
enum class StepTarget { CPU, CUDA };

struct CompileOptions {
  std::string entry = "train_step";
  /// File name in the locations of the parsed input (diagnostics).
  std::string sourceName = "-";
  StepTarget target = StepTarget::CPU;
  /// CUDA: options of the mp-to-nvptx pipeline, e.g. "chip=sm_90
  /// format=fatbin".
  std::string nvptxOptions = "chip=sm_90 format=fatbin";
  /// CPU target: `mp-to-cpu` pipeline options (e.g. "fast-math=false").
  std::string cpuOptions;
  /// Free-form "key value" lines embedded in a CUDA artifact's signature
  /// (mixprec_step_signature), e.g. "meta policy mixed_float16".
  std::string metadata;
  /// Tensor-level pass pipeline, in textual form, applied before the
  /// driver's own lowering (mp-to-cpu) and native code generation (e.g.
  /// "builtin.module(mp-mixed-precision{policy=mixed_bfloat16})").
  std::string pipeline;
  /// Generate a shared library with clang and call it instead of JIT
  /// (always for CUDA).
  bool aot = false;
  /// Where to write the AOT library (a temporary file when empty).
  std::string aotPath;
  /// CUDA: write the artifact (aotPath) and stop; the step cannot be
  /// called (for machines without a GPU that build artifacts).
  bool compileOnly = false;
  /// LLVM optimisation level.
  unsigned optLevel = 3;
  /// CPU target: threads for LLVM's code generator, which compiles a large
  /// module in that many partitions at once (0: the cores
  /// this process may use; $MIXPREC_COMPILE_THREADS overrides both).
  unsigned compileThreads = 0;
  /// Mark the entry's arguments `bufferization.writable = false` so that the
  /// compiled code never writes into the caller's argument buffers (the
  /// Python module passes numpy memory without copying it).
  bool readOnlyArguments = false;
  /// Print the module to stderr after the tensor-level pipeline, before the
  /// driver's lowering (mp-run sets it when MIXPREC_DUMP_IR is set).
  bool dumpIR = false;
};

/// A buffer handed to or returned by a compiled step. Memory is owned by
/// the runtime allocator (mp_rt_malloc / mp_rt_free).
struct HostTensor {
  TensorSpec spec;
  /// First element (row-major, contiguous).
  void *data = nullptr;
  /// What to pass to mp_rt_free (may differ from `data` for aligned
  /// allocations made by compiled code).
  void *base = nullptr;
};

/// Zero-filled tensor; `data` is null when the allocation fails.
HostTensor allocateTensor(const TensorSpec &spec);
void freeTensor(HostTensor &t);

class CompiledStep {
public:
  /// Parses `mlirText`, runs the pipeline, compiles. Diagnostics go into the
  /// returned error's message.
  static llvm::Expected<std::unique_ptr<CompiledStep>>
  compile(llvm::StringRef mlirText, const CompileOptions &options);
  ~CompiledStep();

  const StepSignature &signature() const { return sig; }
  /// Milliseconds spent in the pipeline and in code generation.
  double compileMs() const { return compileMillis; }
  /// Where a CPU step's compile time went (CPU milliseconds of the threads
  /// that did the work; all 0 for CUDA).
  struct CompileProfile {
    /// Parsing and the MLIR pipelines (tensor level, mp-to-cpu), verifying.
    double mlirMs = 0;
    /// Translation to LLVM IR and LLVM's optimizer (whole module).
    double translateMs = 0, optMs = 0;
    /// LLVM's code generator: all partitions, and the slowest one (on
    /// idle cores, the wall time of code generation).
    double codegenMs = 0, codegenMaxMs = 0;
    /// Modules code-generated separately (1: not split), on `threads`.
    unsigned partitions = 0, threads = 0;
    /// Functions code-generated with the generic tuning (Codegen.cpp).
    unsigned genericTuned = 0;
    /// Glue functions code-generated as at -O0 (Codegen.cpp).
    unsigned fastGlue = 0;
  };
  const CompileProfile &compileProfile() const { return profile; }
  /// Bytes the forward keeps for the backward (mp::getSavedActivationBytes
  /// of the entry after the tensor-level pipeline), or -1.
  int64_t savedActivationBytes() const { return savedActBytes; }

  /// Calls the step. `args` must match the signature; on success `results`
  /// receives newly allocated tensors the caller frees with release().
  /// For a CUDA step, arguments and results live in device memory (see
  /// toDevice / toHost): the step never copies to or from the host.
  llvm::Error call(llvm::ArrayRef<HostTensor> args,
                   std::vector<HostTensor> &results);

  StepTarget target() const { return stepTarget; }
  /// CUDA: a device copy of a host tensor; CPU: a host copy.
  llvm::Expected<HostTensor> toDevice(const HostTensor &host);
  /// A host copy of a tensor returned by call() or made by toDevice().
  llvm::Expected<HostTensor> toHost(const HostTensor &tensor);
  /// Frees a tensor made by call() or toDevice().
  void release(HostTensor &tensor);
  /// CUDA: "NVIDIA H100 ... (sm_90)"; CPU: "".
  std::string deviceName() const;
  /// Peak bytes of device memory handed out (CUDA), else -1.
  int64_t devicePeakBytes() const;
  void resetDevicePeak();
  /// The artifact (.so) path of an AOT or CUDA step.
  const std::string &libraryPath() const { return libPath; }

private:
  CompiledStep() = default;
  llvm::Error compileCUDA(mlir::ModuleOp module, const CompileOptions &options,
                          std::string &diagnostics);
  llvm::Error takeDeviceResults(llvm::ArrayRef<HostTensor> args,
                                llvm::ArrayRef<int64_t> resultDesc,
                                std::vector<HostTensor> &results);
  struct Impl;
  std::unique_ptr<Impl> impl;
  StepSignature sig;
  double compileMillis = 0;
  CompileProfile profile;
  int64_t savedActBytes = -1;
  StepTarget stepTarget = StepTarget::CPU;
  std::string libPath;
};

} // namespace mlir::mp

#endif // MIXPREC_DRIVER_COMPILEDSTEP_H
