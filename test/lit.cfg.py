# -*- Python -*-
# lit configuration for the mixprec regression tests.

import os

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
config.substitutions.append(("%mixprec_obj_root", config.mixprec_obj_root))
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

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.mixprec_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["mp-opt", "mp-run"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mixprec_tools_dir, append_path=True)
