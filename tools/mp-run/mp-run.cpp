//===- mp-run.cpp - compile and train a training graph --------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// mp-run FILE.mlir compiles the step function of a training graph with the
// mixed-precision pipeline and the CPU backend (JIT or AOT), then trains:
// it threads parameters, optimizer state and the loss-scale state from step
// to step, on data from --inputs or on a deterministic synthetic task whose
// labels come from a fixed random teacher, prints progress and a final
// table, and writes a JSON report. With --data-parallel it is one rank of
// an MPI job (`mpiexec -n N mp-run FILE --data-parallel`): the step
// all-reduces its gradients, every rank starts from the same parameters and
// trains on its own data, and rank 0 reports.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Driver/CompiledStep.h"
#include "mixprec/Driver/MPIRuntime.h"
#include "mixprec_cpu_runtime.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <sys/resource.h>
#include <time.h>

using namespace mlir::mp;
namespace cl = llvm::cl;

/// mp-run's own options: --help lists only these (LLVM's and MLIR's are
/// behind --help-hidden).
static cl::OptionCategory mpRunCategory("mp-run options");

static cl::opt<std::string> inputFile(cl::Positional, cl::cat(mpRunCategory),
                                      cl::desc("<FILE.mlir>"), cl::Required);
static cl::opt<std::string> entry("entry", cl::cat(mpRunCategory),
                                  cl::desc("Step function"),
                                  cl::init("train_step"));
static cl::opt<std::string> target("target", cl::cat(mpRunCategory),
                                   cl::desc("cpu | cuda"), cl::init("cpu"));
static cl::opt<std::string>
    policy("policy", cl::cat(mpRunCategory),
           cl::desc("Precision policy (docs/design.md §5)"),
           cl::init("mixed_bfloat16"));
static cl::opt<std::string> lossScaling(
    "loss-scaling", cl::cat(mpRunCategory),
    cl::desc("mp-loss-scaling options, e.g. \"mode=dynamic init-scale=1024\""),
    cl::init("mode=dynamic"));
static cl::opt<int> steps("steps", cl::cat(mpRunCategory),
                          cl::desc("Training steps"), cl::init(100));
static cl::opt<std::string>
    inputsDir("inputs", cl::cat(mpRunCategory),
              cl::desc("Directory with argN.npy per argument"));
static cl::opt<unsigned> seed("seed", cl::cat(mpRunCategory),
                              cl::desc("Synthetic data seed"), cl::init(0));
static cl::opt<int> numBatches("batches", cl::cat(mpRunCategory),
                               cl::desc("Distinct synthetic batches"),
                               cl::init(8));
static cl::opt<std::string>
    task("task", cl::cat(mpRunCategory),
         cl::desc("Synthetic targets: classify (one-hot of a random "
                  "teacher's argmax) | regress (tanh of it)"),
         cl::init("classify"));
static cl::opt<int> printEvery("print-every", cl::cat(mpRunCategory),
                               cl::desc("Progress line every N steps"),
                               cl::init(10));
static cl::opt<std::string> reportPath("report", cl::cat(mpRunCategory),
                                       cl::desc("Write a JSON report here"));
static cl::opt<bool> aot("aot", cl::cat(mpRunCategory),
                         cl::desc("Compile ahead of time to a shared "
                                  "library instead of JIT"),
                         cl::init(false));
static cl::opt<std::string> aotPath("aot-output", cl::cat(mpRunCategory),
                                    cl::desc("Keep the AOT library here"));
static cl::opt<std::string>
    saveDir("save", cl::cat(mpRunCategory),
            cl::desc("Write the final value of every non-data "
                     "argument to DIR/argN.npy"));
static cl::opt<std::string>
    nvptxOptions("nvptx", cl::cat(mpRunCategory),
                 cl::desc("--target cuda: mp-to-nvptx options (chip, "
                          "format, block-size, ...)"),
                 cl::init("chip=sm_90 format=fatbin"));
static cl::opt<std::string>
    cpuOptions("cpu", cl::cat(mpRunCategory),
               cl::desc("--target cpu: mp-to-cpu options (e.g. "
                        "fast-math=false)"),
               cl::init(""));
static cl::opt<std::string> dumpInputs(
    "dump-inputs", cl::cat(mpRunCategory),
    cl::desc("Write the initial arguments (argN.bin) and the batches "
             "(batchB.argN.bin), raw little-endian, to this directory: the "
             "C driver (mp-cuda-train --inputs) replays them"));
static cl::opt<bool> compileOnly(
    "compile-only", cl::cat(mpRunCategory),
    cl::desc("--target cuda: write the artifact (--aot-output) and exit, "
             "without a GPU"),
    cl::init(false));
static cl::opt<bool> printIR("print-pipeline", cl::cat(mpRunCategory),
                             cl::desc("Print the pass pipeline and exit"),
                             cl::init(false));
static cl::opt<bool> dataParallel(
    "data-parallel", cl::cat(mpRunCategory),
    cl::desc("Data-parallel training on MPI (CPU; run under mpiexec): "
             "gradients are averaged over the ranks, parameters start equal "
             "on every rank, each rank trains on its own data (synthetic: "
             "seeded by rank; --inputs DIR: DIR/rank<R>/), rank 0 prints, "
             "reports and saves"),
    cl::init(false));
static cl::opt<bool> saveAllRanks(
    "save-all-ranks", cl::cat(mpRunCategory),
    cl::desc("--data-parallel --save DIR: ranks R > 0 also write their "
             "final values, to DIR/rank<R>/"),
    cl::init(false));

/// This process's place in the MPI job (--data-parallel), else rank 0 of 1.
static MPIWorld world;

/// CPU time of the calling thread: a step's own work, less sensitive than
/// wall-clock to other processes on the machine (helper threads, e.g.
/// OpenBLAS's, are not counted: set OPENBLAS_NUM_THREADS=1 to keep all the
/// work on this thread).
static double threadCpuMs() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

[[noreturn]] static void fail(const llvm::Twine &message);

/// Fails unless `path` can be written: not a directory, and its directory
/// exists and is writable.
static void checkWritable(llvm::StringRef path) {
  if (llvm::sys::fs::is_directory(path))
    fail("cannot write " + path + ": it is a directory");
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  if (dir.empty())
    dir = ".";
  if (!llvm::sys::fs::is_directory(dir))
    fail("cannot write " + path + ": directory " + dir + " does not exist");
  if (llvm::sys::fs::access(dir, llvm::sys::fs::AccessMode::Write))
    fail("cannot write " + path + ": directory " + dir + " is not writable");
}

[[noreturn]] static void fail(const llvm::Twine &message) {
  llvm::errs() << "mp-run: error: "
               << (world.size > 1 ? "rank " + std::to_string(world.rank) + ": "
                                  : std::string())
               << message << "\n";
  // A rank that fails alone must not leave the others waiting in a
  // collective: end the whole job.
  if (dataParallel && world.size > 1) {
    llvm::outs().flush();
    mpiAbort(1);
  }
  std::exit(1);
}

/// allocateTensor that fails with a one-line error naming `what`.
static HostTensor allocateOrFail(const TensorSpec &spec,
                                 const llvm::Twine &what) {
  HostTensor t = allocateTensor(spec);
  if (!t.data)
    fail("cannot allocate " + llvm::Twine(spec.numBytes()) + " bytes for " +
         what + " (" + spec.str() + ")");
  return t;
}

//===----------------------------------------------------------------------===//
// Element conversion
//===----------------------------------------------------------------------===//

static double readElement(const HostTensor &t, int64_t i) {
  const char *p =
      static_cast<const char *>(t.data) + i * scalarTypeSize(t.spec.dtype);
  switch (t.spec.dtype) {
  case ScalarType::F32:
    return *reinterpret_cast<const float *>(p);
  case ScalarType::F64:
    return *reinterpret_cast<const double *>(p);
  case ScalarType::BF16: {
    uint32_t bits =
        static_cast<uint32_t>(*reinterpret_cast<const uint16_t *>(p)) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case ScalarType::F16: {
    llvm::APFloat v(llvm::APFloat::IEEEhalf(),
                    llvm::APInt(16, *reinterpret_cast<const uint16_t *>(p)));
    return v.convertToDouble();
  }
  case ScalarType::I1:
  case ScalarType::I8:
    return *reinterpret_cast<const int8_t *>(p);
  case ScalarType::I32:
    return *reinterpret_cast<const int32_t *>(p);
  case ScalarType::I64:
    return static_cast<double>(*reinterpret_cast<const int64_t *>(p));
  }
  return 0;
}

static void writeElement(HostTensor &t, int64_t i, double v) {
  char *p = static_cast<char *>(t.data) + i * scalarTypeSize(t.spec.dtype);
  switch (t.spec.dtype) {
  case ScalarType::F32:
    *reinterpret_cast<float *>(p) = static_cast<float>(v);
    return;
  case ScalarType::F64:
    *reinterpret_cast<double *>(p) = v;
    return;
  case ScalarType::BF16:
  case ScalarType::F16: {
    llvm::APFloat f(v);
    bool loses;
    f.convert(t.spec.dtype == ScalarType::BF16 ? llvm::APFloat::BFloat()
                                               : llvm::APFloat::IEEEhalf(),
              llvm::APFloat::rmNearestTiesToEven, &loses);
    *reinterpret_cast<uint16_t *>(p) =
        static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
    return;
  }
  case ScalarType::I1:
  case ScalarType::I8:
    *reinterpret_cast<int8_t *>(p) = static_cast<int8_t>(v);
    return;
  case ScalarType::I32:
    *reinterpret_cast<int32_t *>(p) = static_cast<int32_t>(v);
    return;
  case ScalarType::I64:
    *reinterpret_cast<int64_t *>(p) = static_cast<int64_t>(v);
    return;
  }
}

static bool isFloat(ScalarType t) {
  return t == ScalarType::F32 || t == ScalarType::F64 || t == ScalarType::F16 ||
         t == ScalarType::BF16;
}

//===----------------------------------------------------------------------===//
// .npy input
//===----------------------------------------------------------------------===//

static HostTensor readNpy(llvm::StringRef path, const TensorSpec &expected,
                          unsigned argIndex) {
  auto what = [&](const llvm::Twine &msg) {
    fail("argument #" + llvm::Twine(argIndex) + " (" + path + "): " + msg);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    what("cannot read: " + buffer.getError().message());
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    what("not a .npy file");
  unsigned major = static_cast<unsigned char>(data[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(data[8]) |
                (static_cast<unsigned char>(data[9]) << 8);
    headerStart = 10;
  } else {
    if (data.size() < 12)
      what("truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<unsigned char>(data[8 + i]))
                   << (8 * i);
    headerStart = 12;
  }
  if (headerStart + headerLen > data.size())
    what("truncated header");
  llvm::StringRef header = data.substr(headerStart, headerLen);
  auto field = [&](llvm::StringRef key) {
    size_t at = header.find("'" + key.str() + "'");
    if (at == llvm::StringRef::npos)
      what("header has no '" + key + "'");
    llvm::StringRef rest = header.substr(at + key.size() + 2).ltrim(": ");
    return rest;
  };
  llvm::StringRef descr = field("descr");
  descr = descr.drop_front().take_until([](char c) { return c == '\''; });
  if (field("fortran_order").starts_with("True"))
    what("Fortran-order arrays are not supported");
  llvm::StringRef shapeText = field("shape");
  shapeText =
      shapeText.drop_front().take_until([](char c) { return c == ')'; });
  std::vector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> dims;
  shapeText.split(dims, ',', -1, false);
  for (llvm::StringRef d : dims) {
    d = d.trim();
    if (d.empty())
      continue;
    int64_t v;
    if (d.getAsInteger(10, v))
      what("bad shape '" + shapeText + "'");
    shape.push_back(v);
  }
  std::map<std::string, ScalarType> descrs = {
      {"<f4", ScalarType::F32}, {"<f8", ScalarType::F64},
      {"<f2", ScalarType::F16}, {"|b1", ScalarType::I1},
      {"|i1", ScalarType::I8},  {"<i4", ScalarType::I32},
      {"<i8", ScalarType::I64}, {"<V2", ScalarType::BF16}};
  auto it = descrs.find(descr.str());
  if (it == descrs.end())
    what("unsupported dtype '" + descr + "'");
  if (it->second != expected.dtype)
    what("dtype " + scalarTypeName(it->second) + " but the argument is " +
         scalarTypeName(expected.dtype));
  if (shape != expected.shape) {
    TensorSpec got{shape, it->second};
    what("shape " + got.str() + " but the argument is " + expected.str());
  }
  size_t payload = headerStart + headerLen;
  if (data.size() - payload != expected.numBytes())
    what("payload has " + llvm::Twine(data.size() - payload) +
         " bytes, expected " + llvm::Twine(expected.numBytes()));
  HostTensor t = allocateOrFail(expected, "argument #" + llvm::Twine(argIndex));
  std::memcpy(t.data, data.data() + payload, expected.numBytes());
  return t;
}

static void writeNpy(llvm::StringRef path, const HostTensor &t) {
  static const std::map<ScalarType, const char *> descrs = {
      {ScalarType::F32, "<f4"}, {ScalarType::F64, "<f8"},
      {ScalarType::F16, "<f2"}, {ScalarType::I1, "|b1"},
      {ScalarType::I8, "|i1"},  {ScalarType::I32, "<i4"},
      {ScalarType::I64, "<i8"}, {ScalarType::BF16, "<V2"}};
  std::string shape = "(";
  for (int64_t d : t.spec.shape)
    shape += std::to_string(d) + ",";
  if (t.spec.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = std::string("{'descr': '") + descrs.at(t.spec.dtype) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec);
  if (ec)
    fail("cannot write " + path + ": " + ec.message());
  out << "\x93NUMPY" << '\x01' << '\x00';
  out << static_cast<char>(header.size() & 0xff)
      << static_cast<char>(header.size() >> 8) << header;
  out.write(static_cast<const char *>(t.data), t.spec.numBytes());
}

//===----------------------------------------------------------------------===//
// Options helpers
//===----------------------------------------------------------------------===//

/// Value of `key=` in an option string like "mode=dynamic init-scale=1024".
static std::optional<std::string> optionValue(llvm::StringRef options,
                                              llvm::StringRef key) {
  llvm::SmallVector<llvm::StringRef> parts;
  options.split(parts, ' ', -1, false);
  std::optional<std::string> value;
  for (llvm::StringRef p : parts) {
    auto [k, v] = p.split('=');
    if (k.trim() == key)
      value = v.trim().str();
  }
  return value;
}

/// A JSON number, or null for a NaN or an infinity (a diverged loss, a
/// step count too small to time): JSON has no literal for them, and
/// llvm::json would print `nan`, which no JSON parser accepts.
static llvm::json::Value jsonNumber(double v) {
  if (std::isfinite(v))
    return v;
  return nullptr;
}

static int mpRunMain(int argc, char **argv) {
  // LLVM's and MLIR's options stay usable, listed by --help-hidden only.
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *option = entry.second;
    if (option->getOptionHiddenFlag() == cl::NotHidden &&
        !llvm::is_contained(option->Categories, &mpRunCategory) &&
        entry.first != "help" && entry.first != "help-list" &&
        entry.first != "version")
      option->setHiddenFlag(cl::Hidden);
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "mp-run: compile a mixprec training graph and train it\n\n"
      "  mp-run examples/mlp.mlir --policy mixed_bfloat16 --steps 200\n");

  if (target != "cpu" && target != "cuda")
    fail("--target must be cpu or cuda, got '" + target + "'");
  if (task != "classify" && task != "regress")
    fail("--task must be classify or regress, got '" + task + "'");
  if (steps < 0)
    fail("--steps must be >= 0");
  if (dataParallel && target != "cpu")
    fail("--data-parallel runs on the CPU target only, not --target " + target);
  if (saveAllRanks && !dataParallel)
    fail("--save-all-ranks needs --data-parallel");
  // Output files are checked before compiling and training, not after.
  for (const std::string *out : {&reportPath.getValue(), &aotPath.getValue()})
    if (!out->empty())
      checkWritable(*out);

  auto file = llvm::MemoryBuffer::getFile(inputFile);
  if (!file)
    fail("cannot read " + inputFile + ": " + file.getError().message());

  CompileOptions options;
  options.entry = entry;
  options.sourceName = inputFile;
  bool cuda = target == "cuda";
  options.aot = aot || cuda;
  options.aotPath = aotPath;
  options.target = cuda ? StepTarget::CUDA : StepTarget::CPU;
  options.nvptxOptions = nvptxOptions;
  options.cpuOptions = cpuOptions;
  // MIXPREC_DEALLOC_SIMPLIFY (any value): mp-to-cpu's dealloc-simplify
  // (upstream's buffer-deallocation-pipeline as is).
  if (std::getenv("MIXPREC_DEALLOC_SIMPLIFY"))
    options.cpuOptions = "dealloc-simplify=true " + options.cpuOptions;
  options.compileOnly = compileOnly;
  // MIXPREC_DUMP_IR (any value): print the module after the tensor-level
  // pipeline to stderr.
  options.dumpIR = std::getenv("MIXPREC_DUMP_IR") != nullptr;
  if (compileOnly && (!cuda || aotPath.empty()))
    fail("--compile-only needs --target cuda and --aot-output");
  options.metadata = "meta source " + inputFile + "\nmeta policy " + policy +
                     "\nmeta loss-scaling " + lossScaling + "\n";
  options.pipeline = "builtin.module(mp-mixed-precision{policy=" + policy +
                     (cuda ? " target=nvptx " : " target=cpu ") + lossScaling +
                     (dataParallel ? " data-parallel=mpi" : "") + "})";
  if (printIR) {
    llvm::outs() << options.pipeline << "\n";
    return 0;
  }

  // Data parallel: one rank of an MPI job (a singleton of 1 rank without
  // mpiexec). MPI is initialised here, once; the compiled step only calls
  // MPI_Allreduce and mp_rt_mpi_world_size.
  if (dataParallel) {
    if (llvm::Error err = mpiInit(&argc, &argv))
      fail("--data-parallel: " + llvm::toString(std::move(err)));
    auto w = mpiWorld();
    if (!w)
      fail("--data-parallel: " + llvm::toString(w.takeError()));
    world = *w;
    // Only rank 0 keeps the artifact at --aot-output (the ranks would
    // write the same file); the others build a temporary one.
    if (world.rank != 0)
      options.aotPath.clear();
  }
  auto rankDir = [&](const std::string &dir) {
    return dir + "/rank" + std::to_string(world.rank);
  };
  // Rank R reads DIR/rank<R>/ (its own batch; parameters, when given, must
  // be the same on every rank).
  std::string inputs = inputsDir;
  if (dataParallel && !inputsDir.empty()) {
    inputs = rankDir(inputsDir);
    if (!llvm::sys::fs::is_directory(inputs))
      fail("--data-parallel --inputs " + inputsDir + ": " + inputs +
           "/ does not exist (rank R reads DIR/rank<R>/)");
  }
  // Progress, the table and the report come from rank 0 only.
  llvm::raw_ostream &out = world.rank == 0 ? llvm::outs() : llvm::nulls();

  auto compiled = CompiledStep::compile((*file)->getBuffer(), options);
  if (!compiled) {
    std::string msg = llvm::toString(compiled.takeError());
    llvm::errs() << "mp-run: error: " << (cuda ? "--target cuda: " : "") << msg;
    if (!llvm::StringRef(msg).ends_with("\n"))
      llvm::errs() << "\n";
    if (dataParallel && world.size > 1)
      mpiAbort(1);
    return 1;
  }
  if (compileOnly) {
    llvm::outs() << "mp-run: wrote " << (*compiled)->libraryPath() << "\n";
    return 0;
  }
  CompiledStep &step = **compiled;
  const StepSignature &sig = step.signature();
  if (sig.lossResult < 0)
    fail("@" + entry + " returns no 0-d float loss");

  // Arguments.
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<HostTensor> args(sig.args.size());
  std::vector<unsigned> dataArgs;
  double initScale = 32768.0;
  if (auto v = optionValue(lossScaling, "init-scale"))
    initScale = std::strtod(v->c_str(), nullptr);
  int64_t hysteresis = 1;
  if (auto v = optionValue(lossScaling, "hysteresis"))
    hysteresis = std::strtoll(v->c_str(), nullptr, 10);

  for (auto [i, spec] : llvm::enumerate(sig.args)) {
    Role role = sig.argRoles[i];
    if (role == Role::Data) {
      dataArgs.push_back(i);
      continue;
    }
    std::string path =
        inputs.empty() ? "" : (inputs + "/arg" + std::to_string(i) + ".npy");
    if (!path.empty() && llvm::sys::fs::exists(path)) {
      args[i] = readNpy(path, spec, i);
      continue;
    }
    HostTensor t = allocateOrFail(spec, "argument #" + llvm::Twine(i));
    int64_t n = spec.numElements();
    if (role == Role::LossScale) {
      writeElement(t, 0, initScale);
    } else if (role == Role::Hysteresis) {
      writeElement(t, 0, static_cast<double>(hysteresis));
    } else if (role == Role::Param) {
      std::string kind = sig.argInit[i];
      if (kind.empty())
        kind = spec.shape.size() >= 2 ? "glorot" : "zeros";
      if (kind == "ones") {
        for (int64_t k = 0; k < n; ++k)
          writeElement(t, k, 1.0);
      } else if (kind == "glorot") {
        int64_t fanOut = spec.shape.empty() ? 1 : spec.shape.back();
        int64_t fanIn = std::max<int64_t>(1, n / std::max<int64_t>(fanOut, 1));
        double limit = std::sqrt(6.0 / static_cast<double>(fanIn + fanOut));
        std::uniform_real_distribution<double> uniform(-limit, limit);
        for (int64_t k = 0; k < n; ++k)
          writeElement(t, k, uniform(rng));
      } else if (kind == "normal") {
        for (int64_t k = 0; k < n; ++k)
          writeElement(t, k, 0.02 * normal(rng));
      }
    }
    args[i] = t;
  }

  // Data batches: from --inputs (one fixed batch), or synthetic.
  std::vector<std::vector<HostTensor>> batches;
  bool haveFiles = !inputs.empty();
  if (haveFiles) {
    std::vector<HostTensor> batch;
    for (unsigned i : dataArgs) {
      std::string path = inputs + "/arg" + std::to_string(i) + ".npy";
      if (!llvm::sys::fs::exists(path))
        fail("argument #" + llvm::Twine(i) + ": " + path + " does not exist");
      batch.push_back(readNpy(path, sig.args[i], i));
    }
    batches.push_back(std::move(batch));
  } else if (!dataArgs.empty()) {
    for (unsigned i : dataArgs)
      if (!isFloat(sig.args[i].dtype))
        fail("argument #" + llvm::Twine(i) + " (" + sig.args[i].str() +
             "): synthetic data is float only; pass --inputs");
    const TensorSpec &xs = sig.args[dataArgs.front()];
    const TensorSpec *ys =
        dataArgs.size() >= 2 ? &sig.args[dataArgs.back()] : nullptr;
    // Rows of the teacher map: per token when input and target share their
    // leading dimensions (sequence models), else per sample.
    int64_t rows = ys && !ys->shape.empty() ? ys->shape[0] : 1;
    if (ys && xs.shape.size() == ys->shape.size() && xs.shape.size() >= 2 &&
        std::equal(xs.shape.begin(), xs.shape.end() - 1, ys->shape.begin()))
      rows = ys->numElements() / ys->shape.back();
    int64_t xFeat = xs.numElements() / rows;
    int64_t yFeat = ys ? ys->numElements() / rows : 0;
    if (ys && xs.numElements() % rows != 0)
      fail("synthetic teacher: argument #" + llvm::Twine(dataArgs.front()) +
           " " + xs.str() + " does not split into " + llvm::Twine(rows) +
           " rows like the target " + ys->str() + "; pass --inputs");
    std::vector<double> teacher(static_cast<size_t>(xFeat * yFeat));
    for (double &v : teacher)
      v = normal(rng) / std::sqrt(static_cast<double>(xFeat));
    // Data parallel: the parameters and the teacher above are the same on
    // every rank; the batches are rank R's own. Rank 0 goes on with the
    // same generator, so that a 1-rank run trains exactly like a run
    // without --data-parallel.
    std::seed_seq rankSeq{static_cast<uint32_t>(seed), 0x6d70u,
                          static_cast<uint32_t>(world.rank)};
    std::mt19937_64 rankRng(rankSeq);
    std::normal_distribution<double> rankNormal(0.0, 1.0);
    auto sample = [&]() {
      return world.rank == 0 ? normal(rng) : rankNormal(rankRng);
    };
    for (int b = 0; b < std::max(1, static_cast<int>(numBatches)); ++b) {
      std::vector<HostTensor> batch;
      for (unsigned i : dataArgs)
        batch.push_back(
            allocateOrFail(sig.args[i], "argument #" + llvm::Twine(i)));
      HostTensor &x = batch.front();
      std::vector<double> xv(xs.numElements());
      for (int64_t k = 0; k < xs.numElements(); ++k) {
        xv[k] = sample();
        writeElement(x, k, xv[k]);
      }
      for (size_t j = 1; j + 1 < batch.size(); ++j)
        for (int64_t k = 0; k < batch[j].spec.numElements(); ++k)
          writeElement(batch[j], k, sample());
      if (ys) {
        HostTensor &y = batch.back();
        for (int64_t r = 0; r < rows; ++r) {
          std::vector<double> logits(yFeat, 0.0);
          for (int64_t a = 0; a < xFeat; ++a) {
            double xa = xv[r * xFeat + a];
            for (int64_t c = 0; c < yFeat; ++c)
              logits[c] += xa * teacher[a * yFeat + c];
          }
          if (task == "classify") {
            int64_t best =
                std::max_element(logits.begin(), logits.end()) - logits.begin();
            for (int64_t c = 0; c < yFeat; ++c)
              writeElement(y, r * yFeat + c, c == best ? 1.0 : 0.0);
          } else {
            for (int64_t c = 0; c < yFeat; ++c)
              writeElement(y, r * yFeat + c, std::tanh(logits[c]));
          }
        }
      }
      batches.push_back(std::move(batch));
    }
  }

  if (!dumpInputs.empty()) {
    // Data parallel: rank R dumps to DIR/rank<R>/.
    std::string dumpDir = dataParallel ? rankDir(dumpInputs) : dumpInputs;
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir))
      fail("cannot create " + dumpDir + ": " + ec.message());
    auto write = [&](const std::string &name, const HostTensor &t) {
      std::error_code ec;
      llvm::raw_fd_ostream file(dumpDir + "/" + name, ec);
      if (ec)
        fail("cannot write " + dumpDir + "/" + name + ": " + ec.message());
      file.write(static_cast<const char *>(t.data), t.spec.numBytes());
    };
    for (auto [i, t] : llvm::enumerate(args))
      if (sig.argRoles[i] != Role::Data)
        write("arg" + std::to_string(i) + ".bin", t);
    for (auto [b, batch] : llvm::enumerate(batches))
      for (auto [k, i] : llvm::enumerate(dataArgs))
        write("batch" + std::to_string(b) + ".arg" + std::to_string(i) + ".bin",
              batch[k]);
  }

  // CUDA: parameters, state and batches live on the device for the whole
  // run; only the scalars printed below travel back each step.
  if (cuda) {
    auto upload = [&](HostTensor &t) {
      auto d = step.toDevice(t);
      if (!d)
        fail(llvm::toString(d.takeError()));
      freeTensor(t);
      t = *d;
    };
    for (auto [i, t] : llvm::enumerate(args))
      if (sig.argRoles[i] != Role::Data)
        upload(t);
    for (auto &batch : batches)
      for (HostTensor &t : batch)
        upload(t);
  }
  auto readScalar = [&](const HostTensor &t) {
    if (!cuda)
      return readElement(t, 0);
    auto h = step.toHost(t);
    if (!h)
      fail(llvm::toString(h.takeError()));
    double v = readElement(*h, 0);
    freeTensor(*h);
    return v;
  };

  // Which argument receives each state result.
  auto argWithRole = [&](Role r) {
    for (auto [i, role] : llvm::enumerate(sig.argRoles))
      if (role == r)
        return static_cast<int>(i);
    return -1;
  };

  out << "mp-run: " << inputFile << " @" << entry << "  policy " << policy
      << "  loss-scaling \"" << lossScaling << "\"  "
      << (cuda ? "CUDA " + step.deviceName() : std::string(aot ? "AOT" : "JIT"))
      << (dataParallel ? "  data-parallel " + std::to_string(world.size) +
                             (world.size == 1 ? " rank" : " ranks")
                       : std::string())
      << "  compiled in " << llvm::format("%.0f", step.compileMs()) << " ms\n";
  for (auto [i, spec] : llvm::enumerate(sig.args))
    out << "  arg " << i << ": " << spec.str() << " "
        << roleName(sig.argRoles[i]) << "\n";

  llvm::json::Array stepLog;
  double initialLoss = NAN, finalLoss = NAN, totalMs = 0;
  int skipped = 0, timedSteps = 0;
  int scaleArg = argWithRole(Role::LossScale);
  mp_rt_reset_peak();
  step.resetDevicePeak();
  for (int s = 0; s < steps; ++s) {
    if (!batches.empty()) {
      auto &batch = batches[s % batches.size()];
      for (auto [k, i] : llvm::enumerate(dataArgs))
        args[i] = batch[k];
    }
    double scale = scaleArg >= 0             ? readScalar(args[scaleArg])
                   : sig.overflowResult >= 0 ? initScale
                                             : 1.0;
    std::vector<HostTensor> results;
    auto t0 = std::chrono::steady_clock::now();
    double cpu0 = threadCpuMs();
    if (llvm::Error err = step.call(args, results))
      fail(llvm::toString(std::move(err)));
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    double cpuMs = threadCpuMs() - cpu0;
    if (s > 0) { // the first call includes lazy JIT materialisation
      totalMs += ms;
      ++timedSteps;
    }
    double loss = readScalar(results[sig.lossResult]);
    bool overflow =
        sig.overflowResult >= 0 && readScalar(results[sig.overflowResult]) != 0;
    skipped += overflow;
    if (s == 0)
      initialLoss = loss;
    finalLoss = loss;
    for (auto [r, role] : llvm::enumerate(sig.resultRoles)) {
      int into = -1;
      if (role == Role::Update)
        into = sig.updates[r];
      else if (role == Role::LossScale || role == Role::Tracker ||
               role == Role::Hysteresis)
        into = argWithRole(role);
      if (into >= 0) {
        step.release(args[into]);
        args[into] = results[r];
      } else {
        step.release(results[r]);
      }
    }
    // Steps count from 1, as on the progress lines.
    stepLog.push_back(llvm::json::Object{{"step", s + 1},
                                         {"loss", jsonNumber(loss)},
                                         {"scale", jsonNumber(scale)},
                                         {"overflow", overflow},
                                         {"ms", jsonNumber(ms)},
                                         {"thread_cpu_ms", cpuMs}});
    if (printEvery > 0 &&
        ((s + 1) % printEvery == 0 || s == 0 || s + 1 == steps))
      out << llvm::format("step %5d  loss %10.6f  scale %10g  "
                          "skipped %4d  %8.3f ms/step\n",
                          s + 1, loss, scale, skipped,
                          timedSteps ? totalMs / timedSteps : ms);
  }
  double msPerStep = timedSteps ? totalMs / timedSteps : NAN;
  // Data parallel: rank 0 saves to DIR; with --save-all-ranks, rank R > 0
  // to DIR/rank<R>/ (for comparing the ranks).
  std::string saveTo = saveDir;
  if (dataParallel && world.rank != 0)
    saveTo = saveAllRanks && !saveDir.empty() ? rankDir(saveDir) : "";
  if (!saveTo.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(saveTo))
      fail("cannot create " + saveTo + ": " + ec.message());
    for (auto [i, t] : llvm::enumerate(args))
      if (sig.argRoles[i] != Role::Data)
        writeNpy(saveTo + "/arg" + std::to_string(i) + ".npy", t);
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  int64_t peakRss = static_cast<int64_t>(usage.ru_maxrss) * 1024;
  int64_t peakTensorBytes = cuda ? step.devicePeakBytes() : mp_rt_peak_bytes();

  out << "\n";
  if (dataParallel)
    out << llvm::format("%-22s %d\n", "world size", world.size);
  out << llvm::format("%-22s %s\n", "policy", policy.c_str())
      << llvm::format("%-22s %s\n", "loss scaling", lossScaling.c_str())
      << llvm::format("%-22s %d\n", "steps", (int)steps)
      << llvm::format("%-22s %.6f\n", "initial loss", initialLoss)
      << llvm::format("%-22s %.6f\n", "final loss", finalLoss)
      << llvm::format("%-22s %d\n", "skipped steps", skipped)
      << llvm::format("%-22s %.3f\n", "ms/step", msPerStep)
      << llvm::format("%-22s %.0f\n", "compile ms", step.compileMs())
      << llvm::format("%-22s %.1f MiB\n", "peak tensor memory",
                      peakTensorBytes / 1048576.0)
      << llvm::format("%-22s %.1f MiB\n", "peak RSS", peakRss / 1048576.0);

  if (!reportPath.empty() && world.rank == 0) {
    llvm::json::Object config{{"file", std::string(inputFile)},
                              {"entry", std::string(entry)},
                              {"target", std::string(target)},
                              {"policy", std::string(policy)},
                              {"loss_scaling", std::string(lossScaling)},
                              {"steps", static_cast<int>(steps)},
                              {"seed", static_cast<int64_t>(seed)},
                              {"task", std::string(task)},
                              {"backend", cuda  ? "cuda"
                                          : aot ? "aot"
                                                : "jit"},
                              {"inputs", std::string(inputsDir)}};
    if (dataParallel) {
      config["data_parallel"] = "mpi";
      config["world_size"] = world.size;
    }
    llvm::json::Object summary{{"initial_loss", jsonNumber(initialLoss)},
                               {"final_loss", jsonNumber(finalLoss)},
                               {"skipped_steps", skipped},
                               {"ms_per_step", jsonNumber(msPerStep)},
                               {"compile_ms", step.compileMs()},
                               {"peak_rss_bytes", peakRss},
                               {"peak_tensor_bytes", peakTensorBytes}};
    llvm::json::Object report{{"config", std::move(config)},
                              {"steps", std::move(stepLog)},
                              {"summary", std::move(summary)}};
    std::error_code ec;
    llvm::raw_fd_ostream file(reportPath, ec);
    if (ec)
      fail("cannot write " + reportPath + ": " + ec.message());
    file << llvm::formatv("{0:2}", llvm::json::Value(std::move(report)))
         << "\n";
  }
  if (dataParallel) {
    llvm::outs().flush();
    mpiFinalize();
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // On a thread with a 1 GiB stack: MLIR's parser recurses once per nesting
  // level, and deeply nested input would overflow the default 8 MiB stack
  // (a crash instead of a diagnostic).
  int rc = 1;
  llvm::CrashRecoveryContext context;
  context.RunSafelyOnThread([&] { rc = mpRunMain(argc, argv); },
                            /*RequestedStackSize=*/1u << 30);
  return rc;
}
