# -*- Python -*-
# lit configuration for the mixprec regression tests.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "MIXPREC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mixprec_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%mixprec_src", config.mixprec_src_root))
config.substitutions.append(
    ("%mp_run", os.path.join(config.mixprec_tools_dir, "mp-run")))
config.substitutions.append(
    ("%mp_opt_path", os.path.join(config.mixprec_tools_dir, "mp-opt")))
config.substitutions.append(("%mixprec_obj_root", config.mixprec_obj_root))
config.substitutions.append(("%mixprec_obj", config.mixprec_obj_root))
# Runtime support libraries of mlir-runner (printF32, printMemrefF32, ...).
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(os.path.dirname(config.llvm_tools_dir), "lib",
                  "libmlir_c_runner_utils.so")))
# The CPU runtime of compiled steps (mp_rt_* contractions, allocator).
config.substitutions.append(
    ("%mixprec_cpu_runtime",
     os.path.join(config.mixprec_obj_root, "lib", "libmixprec_cpu_runtime.so")))
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(os.path.dirname(config.llvm_tools_dir), "lib",
                  "libmlir_runner_utils.so")))

# Sanitizer builds: the Python extension would need libasan preloaded into
# an uninstrumented interpreter, and the CMake-package test builds a consumer
# without the sanitizer flags: both are skipped (REQUIRES: !asan).
if getattr(config, "mixprec_sanitize", False):
    config.available_features.add("asan")
    # Leak checking is off: the JIT, LLVM's global registries and the
    # process-lifetime MLIR contexts of the tools are intentionally never
    # freed. allow_user_poisoning=0: LLVM's header-only allocators poison
    # memory when compiled into our instrumented code, but the same arenas
    # are also used by Debian's uninstrumented libMLIR, which never
    # unpoisons them (false use-after-poison reports). Memory errors and UB
    # in mixprec's code are what this build checks.
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0:allow_user_poisoning=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"

# CPU features of the host that select runtime kernels.
try:
    with open("/proc/cpuinfo") as f:
        _cpu_flags = set(f.read().split())
except OSError:
    _cpu_flags = set()
if "avx512_bf16" in _cpu_flags:
    config.available_features.add("avx512bf16")
if "avx512f" in _cpu_flags and "avx512bw" in _cpu_flags:
    config.available_features.add("avx512")
if "amx_bf16" in _cpu_flags and "amx_tile" in _cpu_flags:
    config.available_features.add("amx")

# The Python package (pybind11 extension) was built: tests that drive the
# compiler in-process from Python (scripts/difftest.py) need it.
if getattr(config, "mixprec_python_package", False):
    config.available_features.add("python-package")

# The build is the one README's commands name (SOURCE/build): the test that
# runs every documented command (scripts/run-doc-commands.py) needs it.
if os.path.realpath(config.mixprec_obj_root) == os.path.realpath(
        os.path.join(config.mixprec_src_root, "build")):
    config.available_features.add("default-build-dir")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.mixprec_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["mp-opt", "mp-run"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mixprec_tools_dir, append_path=True)

# CUDA: the toolkit (ptxas) for format=bin/fatbin and ptxas checks, our CUDA
# runtime (built when the toolkit was found), and a GPU for execution tests.
ptxas = os.path.join(config.mixprec_cuda_root, "bin", "ptxas")
if os.path.exists(ptxas):
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%ptxas", ptxas))
if os.path.exists(os.path.join(config.mixprec_obj_root, "lib",
                               "libmixprec_cuda_runtime.so")):
    config.available_features.add("cuda-runtime")
    llvm_config.add_tool_substitutions(["mp-run", "mp-cuda-train"], tool_dirs)


def _have_gpu():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


if "cuda-runtime" in config.available_features and _have_gpu():
    config.available_features.add("cuda-gpu")


# MPI (data-parallel training): the build has MPICH's runtime
# (libmixprec_mpi_runtime.so) and MPICH's launcher, Hydra, is on PATH
# (Open MPI's mpiexec cannot launch MPICH processes). Tests that start
# mpiexec say `REQUIRES: mpi` and use %mpiexec, which bounds the whole job
# with a timeout (a rank stuck in a collective must not hang the suite).
def _mpich_mpiexec():
    mpiexec = shutil.which("mpiexec")
    if not mpiexec:
        return None
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return mpiexec if "HYDRA" in out.stdout + out.stderr else None


_mpi_runtime = os.path.join(config.mixprec_obj_root, "lib",
                            "libmixprec_mpi_runtime.so")
_mpiexec = _mpich_mpiexec() if getattr(config, "mixprec_have_mpi", False) else None
if _mpiexec and os.path.exists(_mpi_runtime):
    config.available_features.add("mpi")
    config.substitutions.append(("%mpiexec", "timeout 300 " + _mpiexec))
    config.substitutions.append(("%mixprec_mpi_runtime", _mpi_runtime))
