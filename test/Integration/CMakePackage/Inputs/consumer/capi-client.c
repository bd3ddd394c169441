/*===- capi-client.c - a C program on mixprec's C API ---------------------===*\
|*                                                                            *|
|* Part of mixprec: MLIR passes for mixed-precision training.                 *|
|*                                                                            *|
|* Runs a pipeline on good IR, then on malformed IR, with an unknown pass and *|
|* with a failing pass, and on input nested 3,000,000 levels deep (each must *|
|* return an error and let the process go on), loads the mp dialect through *|
|* its MLIR C API handle, and compiles a function to a shared library (AOT).*|
|* Usage: capi-client OUTPUT_DIR                                              *|
\*===----------------------------------------------------------------------===*/

#include "mixprec-c/MixPrec.h"
#include "mlir-c/IR.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *kLayer =
    "func.func @layer(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>)\n"
    "    -> tensor<8x4xf32> {\n"
    "  %zero = arith.constant 0.0 : f32\n"
    "  %e = tensor.empty() : tensor<8x4xf32>\n"
    "  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>)\n"
    "      -> tensor<8x4xf32>\n"
    "  %mm = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>)\n"
    "      outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32>\n"
    "  return %mm : tensor<8x4xf32>\n"
    "}\n";

static int run(const char *name, const char *ir, const char *pipeline) {
  char *result = NULL;
  bool ok = mixprecRunPassPipeline(ir, pipeline, &result);
  printf("== %s: %s\n%s", name, ok ? "success" : "failure",
         result ? result : "(null)\n");
  mixprecStringDestroy(result);
  return ok;
}

static void printCallback(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

int main(int argc, char **argv) {
  mixprecRegisterAllPasses();
  mixprecRegisterAllPasses(); /* idempotent */

  run("good", kLayer,
      "builtin.module(mp-autocast{policy=mixed_float16},mp-cleanup)");
  run("unanchored", kLayer, "mp-autocast,func.func(canonicalize)");
  run("malformed", "func.func @f( {\n", "mp-autocast");
  run("unknown-pass", kLayer, "builtin.module(mp-no-such-pass)");
  run("bad-option", kLayer, "mp-loss-scaling{growth-factor=1.0}");
  run("bad-policy", kLayer, "mp-autocast{policy=float7}");

  /* 3,000,000 nested '[': a diagnostic, not a stack overflow (this process
   * would die). */
  const size_t depth = 3000000;
  const char *head = "func.func @f() attributes {a = ";
  char *deep = malloc(strlen(head) + 2 * depth + 16);
  strcpy(deep, head);
  memset(deep + strlen(head), '[', depth);
  memset(deep + strlen(head) + depth, ']', depth);
  strcpy(deep + strlen(head) + 2 * depth, "} { return }\n");
  run("deep", deep, "mp-cleanup");

  /* The dialect handle of MLIR_DECLARE_CAPI_DIALECT_REGISTRATION. */
  MlirContext ctx = mlirContextCreate();
  MlirDialectHandle mp = mlirGetDialectHandle__mp__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(mp);
  printf("== dialect: %.*s\n", (int)ns.length, ns.data);
  mlirDialectHandleRegisterDialect(mp, ctx);
  mlirDialectHandleLoadDialect(mp, ctx);
  mlirContextSetAllowUnregisteredDialects(ctx, true);
  MlirModule module = mlirModuleCreateParse(
      ctx, mlirStringRefCreateFromCString(
               "\"test.use\"() ({\n"
               "^bb0(%a: tensor<2xf32>):\n"
               "  %0 = mp.cast %a : tensor<2xf32> to tensor<2xbf16>\n"
               "  \"test.end\"() : () -> ()\n"
               "}) : () -> ()\n"));
  if (!mlirModuleIsNull(module)) {
    mlirOperationPrint(mlirModuleGetOperation(module), printCallback, NULL);
    printf("\n");
    mlirModuleDestroy(module);
  }
  mlirContextDestroy(ctx);

  /* AOT: compile a function to a shared library. */
  if (argc > 1) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/add.so", argv[1]);
    char *diagnostics = NULL;
    bool ok = mixprecCompileToSharedLibrary(
        "func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> "
        "tensor<4xf32> {\n"
        "  %0 = arith.addf %a, %b : tensor<4xf32>\n"
        "  return %0 : tensor<4xf32>\n"
        "}\n",
        "builtin.module(mp-autocast)", "add", path, &diagnostics);
    struct stat st;
    printf("== aot: %s, library %s\n", ok ? "success" : "failure",
           stat(path, &st) == 0 && st.st_size > 0 ? "written" : "missing");
    if (diagnostics)
      printf("%s", diagnostics);
    mixprecStringDestroy(diagnostics);
    ok = mixprecCompileToSharedLibrary("func.func @f(", "", "f", path,
                                       &diagnostics);
    printf("== aot malformed: %s\n%s", ok ? "success" : "failure",
           diagnostics ? diagnostics : "(null)\n");
    mixprecStringDestroy(diagnostics);
    ok = mixprecCompileToSharedLibrary(deep, "", "f", path, &diagnostics);
    printf("== aot deep: %s\n%s", ok ? "success" : "failure",
           diagnostics ? diagnostics : "(null)\n");
    mixprecStringDestroy(diagnostics);
  }
  free(deep);
  printf("== done\n");
  return 0;
}
