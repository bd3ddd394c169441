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
#include "llvm/Support/FormatVariadic.h"
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
#include <optional>
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
                     "argument to DIR/argN.npy and DIR/checkpoint.json "
                     "(what --resume DIR continues from)"));
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

static cl::opt<bool> gradNorm(
    "grad-norm", cl::cat(mpRunCategory),
    cl::desc("Compute the global L2 norm of the unscaled gradients in the "
             "step (mp-loss-scaling grad-norm=true): per step in the report, "
             "its mean over the steps that were not skipped in the summary"),
    cl::init(false));
static cl::opt<int> microbatches(
    "microbatches", cl::cat(mpRunCategory),
    cl::desc("K micro-batches per step (mp-loss-scaling microbatches=K): "
             "data arguments get a leading K dimension, the f32 gradients "
             "are summed over them before one unscale, check and update"),
    cl::init(1));
static cl::opt<std::string> fallbackOpt(
    "fallback", cl::cat(mpRunCategory), cl::value_desc("fp32[:M]"),
    cl::desc("After M (default 3) consecutive steps skipped at the minimum "
             "loss scale (static mode: at its scale), continue with an fp32 "
             "step (policy fp32, loss-scaling mode=none) from the same "
             "params and optimizer state"));
static cl::opt<std::string> stopAtMinScale(
    "stop-at-min-scale", cl::cat(mpRunCategory), cl::ValueOptional,
    cl::value_desc("M"),
    cl::desc("Exit with an error after M (default 3) consecutive steps "
             "skipped at the minimum loss scale, instead of skipping on"));
static cl::opt<std::string> rangeReport(
    "range-report", cl::cat(mpRunCategory), cl::value_desc("FILE"),
    cl::desc("Before training, run the graph in fp32 on the initial params "
             "and the first batch and write, per named value (an op with a "
             "NameLoc), its max |x| and the fraction of nonzero values "
             "below f16's smallest normal, which would overflow or "
             "underflow in f16, and a keep-fp32 regex for them, to FILE "
             "(JSON; --target cpu)"));
static cl::opt<std::string> resumeDir(
    "resume", cl::cat(mpRunCategory), cl::value_desc("DIR"),
    cl::desc("Continue the run saved by --save DIR (DIR/checkpoint.json and "
             "DIR/argN.npy): params, optimizer and loss-scale state, step "
             "counter and data sequence; --steps is the total step count"));

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

/// Parses "M" (an integer >= 1) or fails naming `option`.
static int parsePatience(llvm::StringRef text, llvm::StringRef option) {
  int m = 0;
  if (text.getAsInteger(10, m) || m < 1)
    fail(option + " needs a count M >= 1, got '" + text + "'");
  return m;
}

//===----------------------------------------------------------------------===//
// Checkpoints (--save DIR / --resume DIR)
//===----------------------------------------------------------------------===//

/// DIR/checkpoint.json: what a run needs, besides DIR/argN.npy, to continue
/// exactly where it stopped.
struct Checkpoint {
  struct Arg {
    int index = -1;
    std::string name, role, dtype;
    std::vector<int64_t> shape;
  };
  std::string dir, file, entry, policy, lossScaling, task, inputs;
  int64_t step = 0, seed = 0, batches = 0, microbatches = 1;
  int64_t skipped = 0, minScaleSkips = 0;
  bool gradNorm = false;
  /// Step (counting from 1) from which the run continued in fp32, or -1.
  int64_t fallbackStep = -1;
  std::vector<Arg> args;
};

static constexpr llvm::StringLiteral kCheckpointFormat = "mixprec-checkpoint 1";

static Checkpoint readCheckpoint(const std::string &dir) {
  Checkpoint c;
  c.dir = dir;
  std::string path = dir + "/checkpoint.json";
  auto bad = [&](const llvm::Twine &msg) {
    fail("--resume " + dir + ": " + msg);
  };
  if (!llvm::sys::fs::is_directory(dir))
    bad("no such directory");
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    bad(path + " cannot be read (" + buffer.getError().message() +
        "); write checkpoints with --save DIR");
  auto parsed = llvm::json::parse((*buffer)->getBuffer());
  if (!parsed)
    bad(path + " is not JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *o = parsed->getAsObject();
  if (!o)
    bad(path + " is not a JSON object");
  auto str = [&](llvm::StringRef key) {
    auto v = o->getString(key);
    if (!v)
      bad(path + ": no string '" + key + "'");
    return v->str();
  };
  auto num = [&](llvm::StringRef key) {
    auto v = o->getInteger(key);
    if (!v)
      bad(path + ": no integer '" + key + "'");
    return *v;
  };
  if (str("format") != kCheckpointFormat)
    bad(path + ": format '" + str("format") + "', expected '" +
        kCheckpointFormat + "'");
  c.file = str("file");
  c.entry = str("entry");
  c.policy = str("policy");
  c.lossScaling = str("loss_scaling");
  c.task = str("task");
  c.inputs = str("inputs");
  c.step = num("step");
  c.seed = num("seed");
  c.batches = num("batches");
  c.microbatches = num("microbatches");
  c.skipped = num("skipped_steps");
  c.minScaleSkips = num("min_scale_skips");
  c.gradNorm = o->getBoolean("grad_norm").value_or(false);
  c.fallbackStep = o->getInteger("fallback_step").value_or(-1);
  if (c.step < 0)
    bad(path + ": negative step count");
  const llvm::json::Array *args = o->getArray("args");
  if (!args)
    bad(path + ": no 'args' array");
  for (const llvm::json::Value &v : *args) {
    const llvm::json::Object *a = v.getAsObject();
    Checkpoint::Arg arg;
    if (a) {
      arg.index = a->getInteger("index").value_or(-1);
      arg.name = a->getString("name").value_or("").str();
      arg.role = a->getString("role").value_or("").str();
      arg.dtype = a->getString("dtype").value_or("").str();
      if (const llvm::json::Array *shape = a->getArray("shape"))
        for (const llvm::json::Value &d : *shape)
          arg.shape.push_back(d.getAsInteger().value_or(-1));
    }
    if (arg.index < 0 || arg.role.empty() || arg.dtype.empty())
      bad(path + ": an entry of 'args' lacks index, role or dtype");
    c.args.push_back(std::move(arg));
  }
  return c;
}

//===----------------------------------------------------------------------===//
// --range-report
//===----------------------------------------------------------------------===//

/// f16's largest finite value and smallest normal; a value counts as
/// underflowing when at least this fraction of its nonzero elements is
/// below the smallest normal.
static constexpr double kF16Max = 65504.0, kF16MinNormal = 6.103515625e-05,
                        kUnderflowFraction = 0.01;

/// Regex-escapes `name` for keep-fp32.
static std::string regexEscape(llvm::StringRef name) {
  std::string out;
  for (char c : name) {
    if (llvm::StringRef("\\^$.|?*+()[]{}").contains(c))
      out += '\\';
    out += c;
  }
  return out;
}

/// Compiles @<entry>_range_probe (mp-range-probe) for the CPU, calls it on
/// the step's initial arguments and the first batch (micro-batch 0 with
/// --microbatches), prints a table and writes the JSON report.
static void writeRangeReport(llvm::StringRef text, const CompileOptions &base,
                             const StepSignature &sig,
                             const std::vector<HostTensor> &args,
                             const std::vector<unsigned> &dataArgs,
                             const std::vector<HostTensor> &batch,
                             llvm::raw_ostream &out) {
  CompileOptions o = base;
  // The probe takes the entry's name (CompiledStep looks the entry up
  // before running the pipeline).
  o.pipeline = "builtin.module(mp-range-probe{entry=" + base.entry +
               " only=true name=" + base.entry + "})";
  o.aot = false;
  o.aotPath.clear();
  auto probe = CompiledStep::compile(text, o);
  if (!probe)
    fail("--range-report: " + llvm::toString(probe.takeError()));
  const StepSignature &ps = (*probe)->signature();
  int table = static_cast<int>(ps.results.size()) - 1;
  if (table < 1 || ps.results[table].shape.size() != 2 ||
      ps.results[table].shape[0] != static_cast<int64_t>(ps.probeNames.size()))
    fail("--range-report: the probe's signature is not the one mp-range-probe "
         "makes");
  // The probe takes the step's arguments as written (before loss scaling
  // appended its state): convert to its types; data from the first batch.
  std::vector<HostTensor> probeArgs, owned;
  for (auto [i, spec] : llvm::enumerate(ps.args)) {
    HostTensor t = args[i];
    auto d = llvm::find(dataArgs, i);
    if (d != dataArgs.end())
      t = batch[d - dataArgs.begin()];
    // Micro-batch 0 of a [K, ...] argument.
    if (t.spec.shape.size() == spec.shape.size() + 1 &&
        std::equal(spec.shape.begin(), spec.shape.end(),
                   t.spec.shape.begin() + 1) &&
        t.spec.dtype == spec.dtype) {
      t.spec = spec;
    } else if (t.spec.shape != spec.shape) {
      fail("--range-report: argument #" + llvm::Twine(i) + " is " +
           t.spec.str() + " in the step, " + spec.str() + " in the probe");
    } else if (t.spec.dtype != spec.dtype) {
      HostTensor c = allocateOrFail(spec, "argument #" + llvm::Twine(i));
      for (int64_t k = 0, n = spec.numElements(); k < n; ++k)
        writeElement(c, k, readElement(t, k));
      owned.push_back(c);
      t = c;
    }
    probeArgs.push_back(t);
  }
  std::vector<HostTensor> results;
  if (llvm::Error err = (*probe)->call(probeArgs, results))
    fail("--range-report: " + llvm::toString(std::move(err)));
  double loss =
      ps.lossResult >= 0 ? readElement(results[ps.lossResult], 0) : NAN;
  llvm::json::Array values;
  std::vector<std::string> keep;
  out << "range report: @" << base.entry << " in fp32, initial params, "
      << "first batch; loss " << llvm::format("%.6f", loss) << "\n"
      << llvm::format("  %-24s %12s %12s  %s\n", "value", "max |x|", "< 2^-14",
                      "in f16");
  for (auto [k, name] : llvm::enumerate(ps.probeNames)) {
    double maxAbs = readElement(results[table], 2 * k);
    double under = readElement(results[table], 2 * k + 1);
    // A value already inf / NaN in fp32 (a max pooling's -inf init, a bug
    // of the model) is no f16 range problem: f32 would not help it.
    bool finite = std::isfinite(maxAbs);
    bool overflows = finite && maxAbs > kF16Max;
    bool underflows = under >= kUnderflowFraction;
    if (overflows || underflows)
      keep.push_back(regexEscape(name));
    std::string verdict = !finite                   ? "not finite in fp32"
                          : overflows && underflows ? "overflows, underflows"
                          : overflows               ? "overflows"
                          : underflows              ? "underflows"
                                                    : "ok";
    out << llvm::format("  %-24s %12.4g %11.2f%%  %s\n", name.c_str(), maxAbs,
                        100 * under, verdict.c_str());
    values.push_back(llvm::json::Object{{"name", name},
                                        {"max_abs", jsonNumber(maxAbs)},
                                        {"underflow_fraction", under},
                                        {"finite", finite},
                                        {"overflows_f16", overflows},
                                        {"underflows_f16", underflows}});
  }
  std::string regex = keep.empty() ? "" : "^(" + llvm::join(keep, "|") + ")$";
  out << "  keep-fp32: " << (regex.empty() ? "(none needed)" : regex) << "\n";
  for (HostTensor &r : results)
    (*probe)->release(r);
  for (HostTensor &t : owned)
    freeTensor(t);
  llvm::json::Object report{{"entry", base.entry},
                            {"loss", jsonNumber(loss)},
                            {"f16_max", kF16Max},
                            {"f16_min_normal", kF16MinNormal},
                            {"underflow_threshold", kUnderflowFraction},
                            {"values", std::move(values)},
                            {"keep_fp32", regex}};
  std::error_code ec;
  llvm::raw_fd_ostream file(rangeReport, ec);
  if (ec)
    fail("cannot write " + rangeReport + ": " + ec.message());
  file << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
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

  // --resume: the checkpoint's settings, unless given here; the ones that
  // decide the data sequence must not differ.
  std::optional<Checkpoint> resume;
  if (!resumeDir.empty()) {
    resume = readCheckpoint(resumeDir);
    auto inherit = [&](cl::opt<std::string> &opt, const std::string &saved) {
      if (!opt.getNumOccurrences())
        opt.setValue(saved);
    };
    inherit(entry, resume->entry);
    inherit(policy, resume->policy);
    inherit(lossScaling, resume->lossScaling);
    if (!gradNorm.getNumOccurrences())
      gradNorm.setValue(resume->gradNorm);
    if (!microbatches.getNumOccurrences())
      microbatches.setValue(static_cast<int>(resume->microbatches));
    auto same = [&](llvm::StringRef option, auto &opt, auto saved) {
      using T = std::decay_t<decltype(opt.getValue())>;
      if (!opt.getNumOccurrences())
        opt.setValue(static_cast<T>(saved));
      else if (opt.getValue() != static_cast<T>(saved))
        fail("--resume " + resumeDir + ": --" + option + " " +
             llvm::Twine(llvm::formatv("{0}", opt.getValue())) +
             " but the checkpoint was written with --" + option + " " +
             llvm::Twine(llvm::formatv("{0}", saved)) +
             " (the data sequence would not continue)");
    };
    same("seed", seed, resume->seed);
    same("batches", numBatches, resume->batches);
    same("task", task, resume->task);
    same("inputs", inputsDir, resume->inputs);
    if (resume->step > steps)
      fail("--resume " + resumeDir + ": the checkpoint is at step " +
           llvm::Twine(resume->step) + ", past --steps " +
           llvm::Twine(static_cast<int>(steps)) +
           " (the total step count, not the steps still to run)");
  }

  // --fallback fp32[:M] / --stop-at-min-scale[=M]: M consecutive steps
  // skipped at the minimum loss scale.
  int minScalePatience = 0;
  bool fallbackFp32 = false;
  if (fallbackOpt.getNumOccurrences()) {
    llvm::StringRef text = fallbackOpt;
    if (!text.consume_front("fp32") || (!text.empty() && text[0] != ':'))
      fail("--fallback must be fp32 or fp32:M, got '" + fallbackOpt + "'");
    fallbackFp32 = true;
    minScalePatience =
        text.empty() ? 3
                     : parsePatience(text.drop_front(), "--fallback fp32:M");
  }
  if (stopAtMinScale.getNumOccurrences()) {
    if (fallbackFp32)
      fail("--fallback and --stop-at-min-scale exclude each other");
    minScalePatience =
        stopAtMinScale.empty()
            ? 3
            : parsePatience(stopAtMinScale, "--stop-at-min-scale=M");
  }
  std::string lsMode = optionValue(lossScaling, "mode").value_or("dynamic");
  if (minScalePatience && lsMode == "none")
    fail(llvm::Twine(fallbackFp32 ? "--fallback" : "--stop-at-min-scale") +
         " needs loss scaling (mode=dynamic or mode=static): without it no "
         "step is skipped");
  if (microbatches < 1)
    fail("--microbatches must be >= 1");

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
  if (!rangeReport.empty() && target != "cpu")
    fail("--range-report runs on --target cpu only");
  for (const std::string *out :
       {&reportPath.getValue(), &aotPath.getValue(), &rangeReport.getValue()})
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
  // The step's mp-loss-scaling options: --loss-scaling, then --grad-norm
  // and --microbatches.
  std::string microbatchOption =
      microbatches > 1 ? " microbatches=" + std::to_string(microbatches) : "";
  std::string stepLossScaling =
      lossScaling + (gradNorm ? " grad-norm=true" : "") + microbatchOption;
  auto pipelineFor = [&](llvm::StringRef pol, llvm::StringRef ls) {
    return "builtin.module(mp-mixed-precision{policy=" + pol.str() +
           (cuda ? " target=nvptx " : " target=cpu ") + ls.str() +
           (dataParallel ? " data-parallel=mpi" : "") + "})";
  };
  options.pipeline = pipelineFor(policy, stepLossScaling);
  // --fallback fp32: the same graph in fp32 without loss scaling (a
  // clip-norm carries over; it is not about precision). Without
  // --grad-norm: mode=none with grad-norm=true does not lower yet.
  std::string fallbackLossScaling = "mode=none" + microbatchOption;
  if (auto clip = optionValue(lossScaling, "clip-norm"))
    fallbackLossScaling += " clip-norm=" + *clip;
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

  if (!rangeReport.empty())
    writeRangeReport(
        (*file)->getBuffer(), options, sig, args, dataArgs,
        batches.empty() ? std::vector<HostTensor>() : batches.front(), out);

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
  // The step being called: the compiled one or, after --fallback fp32
  // switched, the fp32 one.
  CompiledStep *cur = &step;
  const StepSignature *cs = &sig;
  std::unique_ptr<CompiledStep> fp32Step;
  int64_t fallbackStep = -1; // the first step (from 1) run in fp32

  auto readScalar = [&](const HostTensor &t) {
    if (!cuda)
      return readElement(t, 0);
    auto h = cur->toHost(t);
    if (!h)
      fail(llvm::toString(h.takeError()));
    double v = readElement(*h, 0);
    freeTensor(*h);
    return v;
  };
  // A host view of `t` (CUDA: a copy the caller frees with freeTensor).
  auto hostCopy = [&](const HostTensor &t) {
    if (!cuda)
      return t;
    auto h = cur->toHost(t);
    if (!h)
      fail(llvm::toString(h.takeError()));
    return *h;
  };

  // Which argument receives each state result.
  auto argWithRole = [&](Role r) {
    for (auto [i, role] : llvm::enumerate(cs->argRoles))
      if (role == r)
        return static_cast<int>(i);
    return -1;
  };
  auto trained = [](Role r) { return r == Role::Param || r == Role::State; };
  int scaleArg = argWithRole(Role::LossScale);

  // --fallback fp32: compile the graph in fp32 without loss scaling and go
  // on from the same params and optimizer state (same argument indices:
  // mp-loss-scaling only appends its state), converted elementwise where
  // the policy keeps them in another type.
  auto switchToFp32 = [&](int64_t atStep) {
    CompileOptions fo = options;
    fo.pipeline = pipelineFor("float32", fallbackLossScaling);
    fo.aotPath.clear();
    fo.metadata = "meta source " + inputFile +
                  "\nmeta policy float32\nmeta loss-scaling " +
                  fallbackLossScaling + "\n";
    auto c = CompiledStep::compile((*file)->getBuffer(), fo);
    if (!c)
      fail("--fallback fp32: the fp32 step does not compile:\n" +
           llvm::toString(c.takeError()));
    const StepSignature &fs = (*c)->signature();
    if (fs.lossResult < 0)
      fail("--fallback fp32: the fp32 step returns no 0-d float loss");
    std::vector<HostTensor> moved(fs.args.size());
    std::vector<bool> taken(args.size(), false);
    for (auto [i, spec] : llvm::enumerate(fs.args)) {
      Role r = fs.argRoles[i];
      std::string what = "--fallback fp32: argument #" + std::to_string(i) +
                         " (" + fs.argNames[i] + ")";
      if (i >= cs->args.size())
        fail(what + " of the fp32 step has no counterpart in the " + policy +
             " step");
      Role pr = cs->argRoles[i];
      const TensorSpec &from = cs->args[i];
      if (r != pr && !(trained(r) && trained(pr)))
        fail(what + " is " + roleName(pr) + " in the " + policy + " step but " +
             roleName(r) + " in the fp32 step");
      if (from.shape != spec.shape ||
          (r == Role::Data && from.dtype != spec.dtype))
        fail(what + ": " + from.str() + " in the " + policy + " step, " +
             spec.str() + " in the fp32 step");
      if (r == Role::Data)
        continue;
      taken[i] = true;
      if (from.dtype == spec.dtype) {
        moved[i] = args[i];
        continue;
      }
      if (cuda)
        fail(what + ": " + from.str() + " in the " + policy + " step, " +
             spec.str() +
             " in the fp32 step: on --target cuda the fallback "
             "needs the same element types");
      HostTensor t = allocateOrFail(spec, "argument #" + llvm::Twine(i));
      for (int64_t k = 0, n = spec.numElements(); k < n; ++k)
        writeElement(t, k, readElement(args[i], k));
      cur->release(args[i]);
      moved[i] = t;
    }
    for (auto [i, t] : llvm::enumerate(args))
      if (!taken[i] && cs->argRoles[i] != Role::Data && t.data)
        cur->release(t);
    args = std::move(moved);
    fp32Step = std::move(*c);
    cur = fp32Step.get();
    cs = &cur->signature();
    scaleArg = -1;
    fallbackStep = atStep;
  };

  // Progress-line counters run on across --resume; the report and the
  // table cover this run's steps.
  int64_t startStep = resume ? resume->step : 0;
  int skipped = resume ? static_cast<int>(resume->skipped) : 0;
  int64_t minScaleSkips = resume ? resume->minScaleSkips : 0;

  // --resume: the saved values replace the initial ones (which were made
  // anyway, so that the synthetic data continues identically).
  if (resume) {
    if (resume->fallbackStep >= 0)
      switchToFp32(resume->fallbackStep);
    std::string where = "--resume " + resumeDir + ": ";
    std::map<int, const Checkpoint::Arg *> saved;
    for (const Checkpoint::Arg &a : resume->args)
      saved[a.index] = &a;
    for (auto [i, spec] : llvm::enumerate(cs->args)) {
      if (cs->argRoles[i] == Role::Data)
        continue;
      std::string what = where + "argument #" + std::to_string(i) + " (" +
                         cs->argNames[i] + ", " +
                         roleName(cs->argRoles[i]).str() + ")";
      auto it = saved.find(static_cast<int>(i));
      if (it == saved.end())
        fail(what + " of @" + entry + " is not in the checkpoint (it has " +
             llvm::Twine(resume->args.size()) + " saved arguments)");
      const Checkpoint::Arg &a = *it->second;
      std::string savedSpec = a.dtype + "[";
      for (auto [k, d] : llvm::enumerate(a.shape))
        savedSpec += (k ? "," : "") + std::to_string(d);
      savedSpec += "]";
      if (a.role != roleName(cs->argRoles[i]))
        fail(what + ": the checkpoint has a " + a.role + " argument there");
      if (savedSpec != spec.str())
        fail(what + ": the checkpoint has " + savedSpec + ", the step takes " +
             spec.str());
      HostTensor t =
          readNpy(resumeDir + "/arg" + std::to_string(i) + ".npy", spec, i);
      cur->release(args[i]);
      if (cuda) {
        auto d = cur->toDevice(t);
        if (!d)
          fail(llvm::toString(d.takeError()));
        freeTensor(t);
        t = *d;
      }
      args[i] = t;
    }
    for (const Checkpoint::Arg &a : resume->args)
      if (a.index >= static_cast<int>(cs->args.size()) ||
          cs->argRoles[a.index] == Role::Data)
        fail(where + "the checkpoint's argument #" + llvm::Twine(a.index) +
             " (" + a.name + ", " + a.role + ") is " +
             (a.index < static_cast<int>(cs->args.size())
                  ? "data in @" + entry
                  : "not an argument of @" + entry + " (" +
                        std::to_string(cs->args.size()) + " arguments)"));
  }

  // --save DIR: the non-data arguments (argN.npy) and DIR/checkpoint.json.
  auto writeCheckpoint = [&](const std::string &dir, int64_t done) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      fail("cannot create " + dir + ": " + ec.message());
    llvm::json::Array savedArgs;
    for (auto [i, t] : llvm::enumerate(args)) {
      if (cs->argRoles[i] == Role::Data)
        continue;
      HostTensor h = hostCopy(t);
      writeNpy(dir + "/arg" + std::to_string(i) + ".npy", h);
      if (cuda)
        freeTensor(h);
      llvm::json::Array shape;
      for (int64_t d : cs->args[i].shape)
        shape.push_back(d);
      savedArgs.push_back(
          llvm::json::Object{{"index", static_cast<int64_t>(i)},
                             {"name", cs->argNames[i]},
                             {"role", roleName(cs->argRoles[i])},
                             {"dtype", scalarTypeName(cs->args[i].dtype)},
                             {"shape", std::move(shape)}});
    }
    llvm::json::Object ck{
        {"format", kCheckpointFormat},
        {"file", std::string(inputFile)},
        {"entry", std::string(entry)},
        {"policy", std::string(policy)},
        {"loss_scaling", std::string(lossScaling)},
        {"grad_norm", static_cast<bool>(gradNorm)},
        {"microbatches", static_cast<int>(microbatches)},
        {"task", std::string(task)},
        {"inputs", std::string(inputsDir)},
        {"seed", static_cast<int64_t>(seed)},
        {"batches", static_cast<int>(numBatches)},
        {"step", done},
        {"skipped_steps", skipped},
        {"min_scale_skips", minScaleSkips},
        {"fallback_step", fallbackStep >= 0 ? llvm::json::Value(fallbackStep)
                                            : llvm::json::Value(nullptr)},
        {"args", std::move(savedArgs)}};
    // Written last and renamed into place: a checkpoint.json is complete.
    std::string path = dir + "/checkpoint.json", tmp = path + ".tmp";
    {
      std::error_code ec;
      llvm::raw_fd_ostream f(tmp, ec);
      if (ec)
        fail("cannot write " + tmp + ": " + ec.message());
      f << llvm::formatv("{0:2}", llvm::json::Value(std::move(ck))) << "\n";
    }
    if (std::error_code ec = llvm::sys::fs::rename(tmp, path))
      fail("cannot write " + path + ": " + ec.message());
  };
  // Data parallel: rank 0 saves to DIR; with --save-all-ranks, rank R > 0
  // to DIR/rank<R>/ (for comparing the ranks).
  std::string saveTo = saveDir;
  if (dataParallel && world.rank != 0)
    saveTo = saveAllRanks && !saveDir.empty() ? rankDir(saveDir) : "";

  out << "mp-run: " << inputFile << " @" << entry << "  policy " << policy
      << "  loss-scaling \"" << stepLossScaling << "\"  "
      << (cuda ? "CUDA " + step.deviceName() : std::string(aot ? "AOT" : "JIT"))
      << (dataParallel ? "  data-parallel " + std::to_string(world.size) +
                             (world.size == 1 ? " rank" : " ranks")
                       : std::string())
      << "  compiled in " << llvm::format("%.0f", step.compileMs()) << " ms\n";
  if (resume)
    out << "  resumed from " << resumeDir << " after step " << startStep
        << (fallbackStep >= 0 ? " (fp32 fallback since step " +
                                    std::to_string(fallbackStep) + ")"
                              : std::string())
        << "\n";
  for (auto [i, spec] : llvm::enumerate(cs->args))
    out << "  arg " << i << ": " << spec.str() << " "
        << roleName(cs->argRoles[i]) << " " << cs->argNames[i] << "\n";

  // At the minimum scale: the scale cannot go lower (static mode: it never
  // changes); min-scale=0 has no floor, so only a scale of 0 counts.
  double minScale = 1.0;
  if (auto v = optionValue(lossScaling, "min-scale"))
    minScale = std::strtod(v->c_str(), nullptr);
  auto atMinScale = [&](double scale) {
    return lsMode == "static" || scale <= minScale;
  };

  llvm::json::Array stepLog;
  double initialLoss = NAN, finalLoss = NAN, totalMs = 0;
  int timedSteps = 0, runSkipped = 0, runSteps = 0;
  // Scaler statistics over this run's steps in the mixed step.
  int scaleIncreases = 0, scaleDecreases = 0, gradNormSteps = 0;
  double minScaleSeen = INFINITY, maxScaleSeen = -INFINITY, finalScale = NAN;
  double gradNormSum = 0;
  // Skipped steps per gradient (mp.grad_finite flag).
  std::vector<int> overflowCounts(sig.gradFiniteArgs.size(), 0);
  std::string stopMessage;
  bool firstCall = true;
  int64_t stepsDone = startStep;
  mp_rt_reset_peak();
  step.resetDevicePeak();
  for (int64_t s = startStep; s < steps; ++s) {
    bool mixed = cur == &step;
    if (!batches.empty()) {
      auto &batch = batches[s % batches.size()];
      for (auto [k, i] : llvm::enumerate(dataArgs))
        args[i] = batch[k];
    }
    double scale = scaleArg >= 0             ? readScalar(args[scaleArg])
                   : cs->overflowResult >= 0 ? initScale
                                             : 1.0;
    std::vector<HostTensor> results;
    auto t0 = std::chrono::steady_clock::now();
    double cpu0 = threadCpuMs();
    if (llvm::Error err = cur->call(args, results))
      fail(llvm::toString(std::move(err)));
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    double cpuMs = threadCpuMs() - cpu0;
    if (!firstCall) { // the first call includes lazy JIT materialisation
      totalMs += ms;
      ++timedSteps;
    }
    firstCall = false;
    double loss = readScalar(results[cs->lossResult]);
    bool overflow =
        cs->overflowResult >= 0 && readScalar(results[cs->overflowResult]) != 0;
    skipped += overflow;
    runSkipped += overflow;
    ++runSteps;
    if (runSteps == 1)
      initialLoss = loss;
    finalLoss = loss;
    // Provenance: the params whose gradients were not finite.
    std::vector<std::string> overflowNames;
    if (overflow && cs->gradFiniteResult >= 0) {
      HostTensor flags = hostCopy(results[cs->gradFiniteResult]);
      for (auto [k, a] : llvm::enumerate(cs->gradFiniteArgs))
        if (readElement(flags, k) == 0) {
          overflowNames.push_back(a >= 0 ? cs->argNames[a]
                                         : "gradient #" + std::to_string(k));
          if (mixed)
            ++overflowCounts[k];
        }
      if (cuda)
        freeTensor(flags);
    }
    double gradNormValue = NAN;
    if (cs->gradNormResult >= 0)
      gradNormValue = readScalar(results[cs->gradNormResult]);
    double newScale = scale;
    for (auto [r, role] : llvm::enumerate(cs->resultRoles)) {
      if (role == Role::LossScale)
        newScale = readScalar(results[r]);
      int into = -1;
      if (role == Role::Update)
        into = cs->updates[r];
      else if (role == Role::LossScale || role == Role::Tracker ||
               role == Role::Hysteresis)
        into = argWithRole(role);
      if (into >= 0) {
        cur->release(args[into]);
        args[into] = results[r];
      } else {
        cur->release(results[r]);
      }
    }
    if (mixed) {
      scaleIncreases += newScale > scale;
      scaleDecreases += newScale < scale;
      minScaleSeen = std::min(minScaleSeen, scale);
      maxScaleSeen = std::max(maxScaleSeen, scale);
      finalScale = newScale;
      if (!overflow && std::isfinite(gradNormValue)) {
        gradNormSum += gradNormValue;
        ++gradNormSteps;
      }
    }
    // Steps count from 1, as on the progress lines.
    llvm::json::Object record{{"step", s + 1},
                              {"loss", jsonNumber(loss)},
                              {"scale", jsonNumber(scale)},
                              {"overflow", overflow},
                              {"ms", jsonNumber(ms)},
                              {"thread_cpu_ms", cpuMs}};
    if (overflow && cs->gradFiniteResult >= 0) {
      llvm::json::Array names;
      for (const std::string &n : overflowNames)
        names.push_back(n);
      record["overflow_params"] = std::move(names);
    }
    if (cs->gradNormResult >= 0)
      record["grad_norm"] = jsonNumber(gradNormValue);
    if (!mixed)
      record["fp32_fallback"] = true;
    stepLog.push_back(std::move(record));
    if (printEvery > 0 &&
        ((s + 1) % printEvery == 0 || s == startStep || s + 1 == steps))
      out << llvm::format("step %5d  loss %10.6f  scale %10g  "
                          "skipped %4d  %8.3f ms/step",
                          static_cast<int>(s + 1), loss, scale, skipped,
                          timedSteps ? totalMs / timedSteps : ms)
          << (mixed ? "" : "  fp32 fallback") << "\n";
    if (printEvery > 0 && overflow)
      out << llvm::format("  step %d skipped: ", static_cast<int>(s + 1))
          << (cs->gradFiniteResult < 0 ? std::string("non-finite gradients")
              : overflowNames.empty()
                  ? std::string("every gradient finite, the loss was not")
                  : "non-finite gradients of " +
                        llvm::join(overflowNames, ", "))
          // A non-finite loss is the forward's own overflow: the loss
          // scale cannot help (it only scales the backward).
          << (std::isfinite(loss) ||
                      (cs->gradFiniteResult >= 0 && overflowNames.empty())
                  ? ""
                  : "; the loss is not finite: an overflow in the forward "
                    "pass, which loss scaling cannot fix (--range-report: "
                    "max |x| per named value)")
          << "\n";
    stepsDone = s + 1;
    // --fallback / --stop-at-min-scale.
    if (mixed && minScalePatience) {
      minScaleSkips = overflow && atMinScale(scale) ? minScaleSkips + 1 : 0;
      if (minScaleSkips >= minScalePatience) {
        std::string why =
            "step " + std::to_string(s + 1) + ": " +
            std::to_string(minScaleSkips) +
            " consecutive steps skipped at the minimum loss scale " +
            llvm::formatv("{0}", llvm::format("%g", scale)).str();
        if (!fallbackFp32) {
          stopMessage = why + "; stopping (--stop-at-min-scale)";
          break;
        }
        switchToFp32(s + 2);
        firstCall = true;
        minScaleSkips = 0;
        out << "mp-run: " << why << ": continuing with the fp32 step "
            << "(policy float32, loss-scaling \"" << fallbackLossScaling
            << "\", compiled in " << llvm::format("%.0f", fp32Step->compileMs())
            << " ms) from step " << s + 2 << "\n";
      }
    }
  }
  double msPerStep = timedSteps ? totalMs / timedSteps : NAN;
  if (!saveTo.empty())
    writeCheckpoint(saveTo, stepsDone);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  int64_t peakRss = static_cast<int64_t>(usage.ru_maxrss) * 1024;
  int64_t peakTensorBytes =
      cuda ? std::max(step.devicePeakBytes(),
                      fp32Step ? fp32Step->devicePeakBytes() : int64_t(0))
           : mp_rt_peak_bytes();
  double overflowRate =
      runSteps ? static_cast<double>(runSkipped) / runSteps : NAN;
  double meanGradNorm = gradNormSteps ? gradNormSum / gradNormSteps : NAN;
  std::string overflowedParams;
  for (auto [k, n] : llvm::enumerate(overflowCounts))
    if (n) {
      int64_t a = sig.gradFiniteArgs[k];
      overflowedParams +=
          (overflowedParams.empty() ? "" : ", ") +
          (a >= 0 ? sig.argNames[a] : "gradient #" + std::to_string(k)) + " " +
          std::to_string(n);
    }

  out << "\n";
  if (dataParallel)
    out << llvm::format("%-22s %d\n", "world size", world.size);
  out << llvm::format("%-22s %s\n", "policy", policy.c_str())
      << llvm::format("%-22s %s\n", "loss scaling", stepLossScaling.c_str())
      << llvm::format("%-22s %d\n", "steps", runSteps)
      << llvm::format("%-22s %.6f\n", "initial loss", initialLoss)
      << llvm::format("%-22s %.6f\n", "final loss", finalLoss)
      << llvm::format("%-22s %d\n", "skipped steps", runSkipped)
      << llvm::format("%-22s %.4f\n", "overflow rate", overflowRate)
      << llvm::format("%-22s %d up, %d down\n", "scale changes", scaleIncreases,
                      scaleDecreases)
      << llvm::format("%-22s %g .. %g\n", "scale range", minScaleSeen,
                      maxScaleSeen);
  if (gradNorm)
    out << llvm::format("%-22s %.6g\n", "mean grad norm", meanGradNorm);
  if (!overflowedParams.empty())
    out << llvm::format("%-22s ", "overflowed params") << overflowedParams
        << "\n";
  if (fallbackStep >= 0)
    out << llvm::format("%-22s from step %d\n", "fp32 fallback",
                        static_cast<int>(fallbackStep));
  out << llvm::format("%-22s %.3f\n", "ms/step", msPerStep)
      << llvm::format("%-22s %.0f\n", "compile ms", step.compileMs())
      << llvm::format("%-22s %.1f MiB\n", "peak tensor memory",
                      peakTensorBytes / 1048576.0)
      << llvm::format("%-22s %.1f MiB\n", "saved activations",
                      std::max<int64_t>(step.savedActivationBytes(), 0) /
                          1048576.0)
      << llvm::format("%-22s %.1f MiB\n", "peak RSS", peakRss / 1048576.0);

  if (!reportPath.empty() && world.rank == 0) {
    llvm::json::Object config{{"file", std::string(inputFile)},
                              {"entry", std::string(entry)},
                              {"target", std::string(target)},
                              {"policy", std::string(policy)},
                              {"loss_scaling", std::string(lossScaling)},
                              {"grad_norm", static_cast<bool>(gradNorm)},
                              {"microbatches", static_cast<int>(microbatches)},
                              {"steps", static_cast<int>(steps)},
                              {"start_step", startStep},
                              {"seed", static_cast<int64_t>(seed)},
                              {"task", std::string(task)},
                              {"backend", cuda  ? "cuda"
                                          : aot ? "aot"
                                                : "jit"},
                              {"inputs", std::string(inputsDir)}};
    if (resume)
      config["resumed_from"] = std::string(resumeDir);
    if (fallbackFp32)
      config["fallback"] = "fp32:" + std::to_string(minScalePatience);
    else if (minScalePatience)
      config["stop_at_min_scale"] = minScalePatience;
    if (dataParallel) {
      config["data_parallel"] = "mpi";
      config["world_size"] = world.size;
    }
    llvm::json::Object counts;
    for (auto [k, n] : llvm::enumerate(overflowCounts)) {
      int64_t a = sig.gradFiniteArgs[k];
      counts[a >= 0 ? sig.argNames[a] : "gradient #" + std::to_string(k)] = n;
    }
    llvm::json::Object summary{
        {"initial_loss", jsonNumber(initialLoss)},
        {"final_loss", jsonNumber(finalLoss)},
        {"skipped_steps", runSkipped},
        {"overflow_rate", jsonNumber(overflowRate)},
        {"scale_increases", scaleIncreases},
        {"scale_decreases", scaleDecreases},
        {"min_scale", jsonNumber(minScaleSeen)},
        {"max_scale", jsonNumber(maxScaleSeen)},
        {"final_scale", jsonNumber(finalScale)},
        {"mean_grad_norm", jsonNumber(meanGradNorm)},
        {"fallback_step", fallbackStep >= 0 ? llvm::json::Value(fallbackStep)
                                            : llvm::json::Value(nullptr)},
        {"ms_per_step", jsonNumber(msPerStep)},
        {"compile_ms", step.compileMs()},
        {"compile_profile",
         llvm::json::Object{
             {"mlir_cpu_ms", step.compileProfile().mlirMs},
             {"translate_cpu_ms", step.compileProfile().translateMs},
             {"opt_cpu_ms", step.compileProfile().optMs},
             {"codegen_cpu_ms", step.compileProfile().codegenMs},
             {"codegen_max_partition_cpu_ms",
              step.compileProfile().codegenMaxMs},
             {"partitions", step.compileProfile().partitions},
             {"threads", step.compileProfile().threads},
             {"generic_tuned", step.compileProfile().genericTuned},
             {"fast_glue", step.compileProfile().fastGlue}}},
        {"peak_rss_bytes", peakRss},
        {"peak_tensor_bytes", peakTensorBytes},
        {"saved_activation_bytes",
         step.savedActivationBytes() >= 0
             ? llvm::json::Value(step.savedActivationBytes())
             : llvm::json::Value(nullptr)}};
    if (sig.gradFiniteResult >= 0)
      summary["overflow_param_counts"] = std::move(counts);
    if (!stopMessage.empty())
      summary["stopped_at_step"] = stepsDone;
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
  if (!stopMessage.empty()) {
    llvm::outs().flush();
    fail(stopMessage);
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
