//===- MixPrecModule.cpp - the mixprec._mixprec Python extension ----------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// pybind11 bindings used by the pure-Python package `mixprec`: the policy
// parser, running a textual pass pipeline on IR text, compiling / calling
// a training step (mlir::mp::CompiledStep) with numpy arrays in and out, and
// the MPI world of data-parallel steps (mlir::mp::mpiWorld).
//
// Arguments are passed to the compiled code without copying (C-contiguous
// arrays of the exact dtype; anything else is rejected with ValueError, except
// non-contiguous arrays, which are copied once). The step is compiled with
// read-only arguments, so the caller's arrays are never written. Results are
// numpy arrays that own the runtime buffer the compiled code allocated: a
// capsule releases it with mp_rt_free when the array dies.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Utils/Policy.h"
#include "mixprec/Driver/CompiledStep.h"
#include "mixprec/Driver/MPIRuntime.h"
#include "mixprec/InitAll.h"
#include "mixprec/Support/HostileInput.h"
#include "mixprec_cpu_runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

namespace py = pybind11;
// Named one by one: a using-directive for mlir::mp would make parsePolicy
// below ambiguous with mlir::mp::parsePolicy.
using mlir::mp::CompiledStep;
using mlir::mp::CompileOptions;
using mlir::mp::HostTensor;
using mlir::mp::registerAllDialects;
using mlir::mp::registerAllPasses;
using mlir::mp::roleName;
using mlir::mp::ScalarType;
using mlir::mp::scalarTypeName;
using mlir::mp::StepSignature;
using mlir::mp::TensorSpec;

namespace {

/// The Python exception class `mixprec.CompileError` (set at import).
PyObject *compileErrorType = nullptr;

/// Raises mixprec.CompileError(message) with `.diagnostics = message`.
[[noreturn]] void throwCompileError(const std::string &message) {
  py::object cls = py::reinterpret_borrow<py::object>(compileErrorType);
  py::object exc = cls(message);
  exc.attr("diagnostics") = message;
  PyErr_SetObject(compileErrorType, exc.ptr());
  throw py::error_already_set();
}

/// The numpy dtype a step uses for `t` (bf16 travels as uint16 bit patterns:
/// numpy has no bfloat16 and Debian ships no ml_dtypes).
std::string numpyDType(ScalarType t) {
  return t == ScalarType::BF16 ? "uint16" : scalarTypeName(t).str();
}

const char *policyDTypeName(mlir::mp::DType t) {
  switch (t) {
  case mlir::mp::DType::F32:
    return "float32";
  case mlir::mp::DType::F16:
    return "float16";
  case mlir::mp::DType::BF16:
    return "bfloat16";
  }
  return "?";
}

std::string shapeStr(py::handle shape) {
  std::string s = "(";
  bool first = true;
  for (py::handle d : shape) {
    if (!first)
      s += ", ";
    s += std::to_string(d.cast<int64_t>());
    first = false;
  }
  if (py::len(shape) == 1)
    s += ",";
  return s + ")";
}

std::string specShapeStr(const TensorSpec &spec) {
  std::string s = "(";
  for (size_t i = 0; i < spec.shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(spec.shape[i]);
  }
  if (spec.shape.size() == 1)
    s += ",";
  return s + ")";
}

/// Collects error/warning diagnostics of a context as text.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext &ctx)
      : os(text), handler(&ctx, [this](mlir::Diagnostic &diag) {
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Remark)
            return mlir::success();
          os << diag.getLocation() << ": ";
          switch (diag.getSeverity()) {
          case mlir::DiagnosticSeverity::Error:
            os << "error: ";
            break;
          case mlir::DiagnosticSeverity::Warning:
            os << "warning: ";
            break;
          default:
            os << "note: ";
          }
          os << diag << "\n";
          for (mlir::Diagnostic &note : diag.getNotes())
            os << "  note: " << note << "\n";
          return mlir::success();
        }) {}
  std::string text;
  llvm::raw_string_ostream os;

private:
  mlir::ScopedDiagnosticHandler handler;
};

void ensureRegistered() {
  static bool done = [] {
    registerAllPasses();
    return true;
  }();
  (void)done;
}

/// parse_policy(spec, target) -> (param, compute, output)
py::tuple parsePolicy(const std::string &spec, const std::string &target) {
  std::string error;
  auto onError = [&](const llvm::Twine &msg) {
    if (!error.empty())
      error += "\n";
    error += msg.str();
  };
  std::string targetName = target == "cuda" ? "nvptx" : target;
  mlir::FailureOr<mlir::mp::Target> t =
      mlir::mp::parseTarget(targetName, onError);
  if (mlir::failed(t))
    throw py::value_error(error.empty() ? "unknown target '" + target + "'"
                                        : error);
  mlir::FailureOr<mlir::mp::Policy> p =
      mlir::mp::parsePolicy(spec, *t, onError);
  if (mlir::failed(p))
    throw py::value_error(error.empty() ? "invalid policy '" + spec + "'"
                                        : error);
  return py::make_tuple(policyDTypeName(p->param), policyDTypeName(p->compute),
                        policyDTypeName(p->output));
}

/// run_pipeline(ir, pipeline) -> str. On a thread with a large stack, after
/// the nesting check (mixprec/Support/HostileInput.h): hostile input is a
/// CompileError, never a crash of the interpreter.
std::string runPipeline(const std::string &ir, const std::string &pipeline) {
  ensureRegistered();
  if (std::optional<std::string> deep =
          mlir::mp::checkNestingDepth(ir, "<input>"))
    throwCompileError("cannot parse the input:\n" + *deep);
  std::string out, failure;
  mlir::mp::runOnLargeStack([&] {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    mlir::MLIRContext context(registry);
    context.disableMultithreading();
    DiagnosticCollector diags(context);

    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(ir,
                                                mlir::ParserConfig(&context));
    if (!module) {
      failure = "cannot parse the input:\n" + diags.text;
      return;
    }
    mlir::PassManager pm(&context);
    llvm::StringRef text = llvm::StringRef(pipeline).trim();
    if (text.consume_front("builtin.module(") && text.consume_back(")"))
      text = text.trim();
    else
      text = llvm::StringRef(pipeline).trim();
    if (!text.empty() &&
        mlir::failed(mlir::parsePassPipeline(text, pm, diags.os))) {
      failure = "invalid pipeline '" + pipeline + "':\n" + diags.text;
      return;
    }
    if (mlir::failed(pm.run(*module))) {
      failure = "pipeline '" + pipeline + "' failed:\n" + diags.text;
      return;
    }
    llvm::raw_string_ostream os(out);
    module->print(os);
  });
  if (!failure.empty())
    throwCompileError(failure);
  return out;
}

/// A compiled step (Python class `_mixprec.CompiledStep`).
class PyStep {
public:
  static std::unique_ptr<PyStep> compile(const std::string &ir,
                                         const std::string &pipeline,
                                         const std::string &entry, bool aot,
                                         unsigned optLevel) {
    CompileOptions options;
    options.entry = entry;
    options.pipeline = pipeline;
    options.aot = aot;
    options.optLevel = optLevel;
    options.readOnlyArguments = true;
    options.sourceName = "<input>";
    // Parsing and the pipeline recurse with the input's nesting: on a
    // thread with a large stack (the driver rejects input nested deeper
    // than mixprec's limit before parsing).
    std::optional<llvm::Expected<std::unique_ptr<CompiledStep>>> compiled;
    mlir::mp::runOnLargeStack(
        [&] { compiled.emplace(CompiledStep::compile(ir, options)); });
    auto &step = *compiled;
    if (!step)
      throwCompileError(llvm::toString(step.takeError()));
    auto result = std::make_unique<PyStep>();
    result->step = std::move(*step);
    return result;
  }

  py::list argSpecs() const {
    const StepSignature &sig = step->signature();
    py::list out;
    for (size_t i = 0; i < sig.args.size(); ++i)
      out.append(py::make_tuple(py::tuple(py::cast(sig.args[i].shape)),
                                scalarTypeName(sig.args[i].dtype).str(),
                                roleName(sig.argRoles[i]).str(),
                                sig.argInit[i]));
    return out;
  }

  py::list resultSpecs() const {
    const StepSignature &sig = step->signature();
    py::list out;
    for (size_t i = 0; i < sig.results.size(); ++i)
      out.append(py::make_tuple(py::tuple(py::cast(sig.results[i].shape)),
                                scalarTypeName(sig.results[i].dtype).str(),
                                roleName(sig.resultRoles[i]).str(),
                                sig.updates[i]));
    return out;
  }

  double compileMs() const { return step->compileMs(); }

  /// Per argument: mp.name, else its NameLoc, else "argN".
  py::list argNames() const {
    py::list out;
    for (const std::string &name : step->signature().argNames)
      out.append(name);
    return out;
  }

  /// range_probe.names of a probe made by mp-range-probe (else empty).
  py::list probeNames() const {
    py::list out;
    for (const std::string &name : step->signature().probeNames)
      out.append(name);
    return out;
  }

  /// Per mp.grad_finite flag: the argument whose gradient it checks (-1:
  /// none); empty without the result.
  py::list gradFiniteArgs() const {
    py::list out;
    for (int64_t a : step->signature().gradFiniteArgs)
      out.append(a);
    return out;
  }

  py::tuple call(py::args arrays) {
    const StepSignature &sig = step->signature();
    if (arrays.size() != sig.args.size())
      throw py::value_error("the step takes " +
                            std::to_string(sig.args.size()) +
                            " arguments, got " + std::to_string(arrays.size()));
    py::module_ np = py::module_::import("numpy");
    std::vector<py::array> keep; // arrays (or contiguous copies) in use
    std::vector<HostTensor> args(sig.args.size());
    for (size_t i = 0; i < sig.args.size(); ++i) {
      const TensorSpec &spec = sig.args[i];
      std::string what = "argument #" + std::to_string(i) + " (" +
                         roleName(sig.argRoles[i]).str() + ")";
      py::handle obj = arrays[i];
      if (!py::isinstance<py::array>(obj))
        throw py::value_error(
            what + ": expected a numpy.ndarray of dtype " +
            numpyDType(spec.dtype) + " and shape " + specShapeStr(spec) +
            ", got " +
            std::string(py::str(py::type::of(obj).attr("__name__"))));
      py::array arr = py::reinterpret_borrow<py::array>(obj);
      std::string got = py::str(arr.dtype());
      std::string expected = numpyDType(spec.dtype);
      if (got != expected)
        throw py::value_error(
            what + ": expected dtype " + expected +
            (spec.dtype == ScalarType::BF16
                 ? " (bfloat16 bit patterns; see mixprec.to_bfloat16)"
                 : "") +
            ", got " + got);
      bool shapeOk = static_cast<size_t>(arr.ndim()) == spec.shape.size();
      for (size_t d = 0; shapeOk && d < spec.shape.size(); ++d)
        shapeOk = arr.shape(d) == spec.shape[d];
      if (!shapeOk)
        throw py::value_error(what + ": expected shape " + specShapeStr(spec) +
                              ", got " +
                              shapeStr(py::tuple(arr.attr("shape"))));
      if (!(arr.flags() & py::array::c_style))
        arr = py::array::ensure(arr, py::array::c_style);
      keep.push_back(arr);
      HostTensor t;
      t.spec = spec;
      t.data = t.base = const_cast<void *>(arr.data());
      args[i] = t;
    }
    std::vector<HostTensor> results;
    llvm::Error err = llvm::Error::success();
    {
      py::gil_scoped_release release;
      err = step->call(args, results);
    }
    if (err)
      throw py::value_error(llvm::toString(std::move(err)));

    py::tuple out(results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      HostTensor &t = results[i];
      void *base = t.base ? t.base : t.data;
      py::capsule owner(base, [](void *p) { mp_rt_free(p); });
      std::vector<py::ssize_t> shape(t.spec.shape.begin(), t.spec.shape.end());
      py::dtype dt(numpyDType(t.spec.dtype));
      out[i] = py::array(dt, shape, {}, t.data, owner);
    }
    return out;
  }

private:
  std::unique_ptr<CompiledStep> step;
};

} // namespace

PYBIND11_MODULE(_mixprec, m) {
  m.doc() = "mixprec native module: policy parser, pass pipelines, compiled "
            "training steps (use the `mixprec` package, not this module)";

  static py::exception<void> compileError(m, "CompileError",
                                          PyExc_RuntimeError);
  compileErrorType = compileError.ptr();
  compileError.attr("__doc__") =
      "Parsing, a pass pipeline or code generation failed; the message and "
      "the `diagnostics` attribute hold the MLIR diagnostics.";
  compileError.attr("__module__") = "mixprec";

  m.def("parse_policy", &parsePolicy, py::arg("spec"),
        py::arg("target") = "cpu",
        "Parses a precision policy; returns (param, compute, output) dtype "
        "names. Raises ValueError with the parser's diagnostic.");
  m.def("run_pipeline", &runPipeline, py::arg("ir"), py::arg("pipeline"),
        "Parses `ir`, runs the textual pass pipeline, returns the printed "
        "module. Raises CompileError with the diagnostics.");
  m.def("live_bytes", &mp_rt_live_bytes,
        "Bytes currently allocated by the runtime (mp_rt_malloc).");
  m.def("peak_bytes", &mp_rt_peak_bytes,
        "Peak runtime bytes since the last reset_peak().");
  m.def("reset_peak", &mp_rt_reset_peak);

  m.def("have_mpi", &mlir::mp::mpiBuilt,
        "True when mixprec was built with MPICH (data-parallel steps).");
  m.def(
      "mpi_world",
      [] {
        auto world = mlir::mp::mpiWorld();
        if (!world)
          throw std::runtime_error(llvm::toString(world.takeError()));
        return py::make_tuple(world->rank, world->size);
      },
      "(rank, size) in MPI_COMM_WORLD; initialises MPI on first use "
      "(finalised at exit). Raises RuntimeError in a build without MPI.");
  m.def(
      "mpi_abort", [](int code) { mlir::mp::mpiAbort(code); },
      py::arg("code") = 1,
      "Ends every rank of the MPI job (MPI_Abort) with `code`.");

  py::class_<PyStep>(m, "CompiledStep")
      .def_static("compile", &PyStep::compile, py::arg("ir"),
                  py::arg("pipeline"), py::arg("entry") = "train_step",
                  py::arg("aot") = false, py::arg("opt_level") = 3)
      .def_property_readonly("args", &PyStep::argSpecs)
      .def_property_readonly("results", &PyStep::resultSpecs)
      .def_property_readonly("compile_ms", &PyStep::compileMs)
      .def_property_readonly("arg_names", &PyStep::argNames)
      .def_property_readonly("grad_finite_args", &PyStep::gradFiniteArgs)
      .def_property_readonly("probe_names", &PyStep::probeNames)
      .def("__call__", &PyStep::call);
}
