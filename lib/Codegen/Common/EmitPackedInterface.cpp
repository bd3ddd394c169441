//===- EmitPackedInterface.cpp - mp-emit-packed-interface -----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The packed step ABI (docs/design.md, "Step ABI"): `_mlir_<name>(void **)`
// next to each C interface `_mlir_ciface_<name>`, so that a caller passes
// any number of arguments and results through one array.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/Common/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPEMITPACKEDINTERFACE
#include "mixprec/Codegen/Common/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

/// Whether `type` is a ranked memref descriptor {ptr, ptr, i64} or {ptr,
/// ptr, i64, array<r x i64>, array<r x i64>}.
static bool isDescriptor(Type type) {
  auto st = dyn_cast<LLVM::LLVMStructType>(type);
  if (!st || st.isOpaque())
    return false;
  ArrayRef<Type> body = st.getBody();
  if (body.size() != 3 && body.size() != 5)
    return false;
  if (!isa<LLVM::LLVMPointerType>(body[0]) ||
      !isa<LLVM::LLVMPointerType>(body[1]) || !body[2].isInteger(64))
    return false;
  if (body.size() == 3)
    return true;
  auto sizes = dyn_cast<LLVM::LLVMArrayType>(body[3]);
  return sizes && sizes == body[4] && sizes.getElementType().isInteger(64);
}

namespace {
struct EmitPackedInterfacePass
    : mp::impl::MPEmitPackedInterfaceBase<EmitPackedInterfacePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringSet<> named;
    for (const std::string &e : entries)
      named.insert(e);
    SmallVector<LLVM::LLVMFuncOp> targets;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
      if (fn.isExternal() || fn.getSymName().starts_with("_mlir_"))
        continue;
      if (!named.empty() && !named.contains(fn.getSymName()))
        continue;
      targets.push_back(fn);
    }
    bool missing = false;
    for (const std::string &e : entries)
      if (!llvm::any_of(targets, [&](LLVM::LLVMFuncOp f) {
            return f.getSymName() == e;
          })) {
        module.emitError() << "mp-emit-packed-interface: no function @" << e
                           << " with a body in the module";
        missing = true;
      }
    if (missing)
      return signalPassFailure();
    for (LLVM::LLVMFuncOp fn : targets)
      if (failed(emit(module, fn, !named.empty())))
        return signalPassFailure();
  }

  /// Adds `_mlir_<name>` for `fn`. Without a C interface: an error when
  /// `required`, else nothing.
  LogicalResult emit(ModuleOp module, LLVM::LLVMFuncOp fn, bool required) {
    std::string cifaceName = ("_mlir_ciface_" + fn.getSymName()).str();
    std::string packedName = ("_mlir_" + fn.getSymName()).str();
    auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>(cifaceName);
    if (!ciface) {
      if (!required)
        return success();
      return fn.emitError() << "mp-emit-packed-interface: @" << fn.getSymName()
                            << " has no C interface @" << cifaceName
                            << " (run mp-emit-c-interface "
                            << "before the lowering to LLVM)";
    }
    if (module.lookupSymbol(packedName))
      return success();

    // The results: none (void), one descriptor, or a struct of them.
    SmallVector<Type> results;
    Type returned = fn.getFunctionType().getReturnType();
    if (!isa<LLVM::LLVMVoidType>(returned)) {
      auto st = dyn_cast<LLVM::LLVMStructType>(returned);
      if (isDescriptor(returned))
        results.push_back(returned);
      else if (st && !st.isOpaque() && llvm::all_of(st.getBody(), isDescriptor))
        llvm::append_range(results, st.getBody());
      else
        return fn.emitError()
               << "mp-emit-packed-interface: @" << fn.getSymName()
               << " returns something other than memrefs (" << returned << ")";
    }
    LLVM::LLVMFunctionType cifaceType = ciface.getFunctionType();
    unsigned numParams = cifaceType.getNumParams();
    unsigned firstArg = results.empty() ? 0 : 1;
    if (!isa<LLVM::LLVMVoidType>(cifaceType.getReturnType()) ||
        numParams < firstArg ||
        !llvm::all_of(cifaceType.getParams(),
                      llvm::IsaPred<LLVM::LLVMPointerType>))
      return fn.emitError() << "mp-emit-packed-interface: the C interface of @"
                            << fn.getSymName()
                            << " takes or returns values other than memref "
                               "descriptors by pointer ("
                            << cifaceType << ")";
    unsigned numArgs = numParams - firstArg;

    MLIRContext *ctx = &getContext();
    Location loc = fn.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    OpBuilder b(ctx);
    b.setInsertionPointAfter(ciface);
    auto packed = LLVM::LLVMFuncOp::create(
        b, loc, packedName,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr}));
    Block *body = packed.addEntryBlock(b);
    b.setInsertionPointToStart(body);
    Value array = body->getArgument(0);
    auto slot = [&](unsigned i) -> Value {
      Value address = LLVM::GEPOp::create(b, loc, ptr, ptr, array,
                                          ArrayRef<LLVM::GEPArg>{int32_t(i)});
      return LLVM::LoadOp::create(b, loc, ptr, address);
    };

    SmallVector<Value> operands;
    Value resultBuffer;
    Type resultType;
    if (!results.empty()) {
      resultType = results.size() == 1 ? results.front() : returned;
      Value one = LLVM::ConstantOp::create(b, loc, i64, 1);
      resultBuffer =
          LLVM::AllocaOp::create(b, loc, ptr, resultType, one, /*alignment=*/8);
      operands.push_back(resultBuffer);
    }
    for (unsigned i = 0; i < numArgs; ++i)
      operands.push_back(slot(i));
    LLVM::CallOp::create(b, loc, ciface, operands);
    for (auto [j, desc] : llvm::enumerate(results)) {
      Value from = resultBuffer;
      if (results.size() > 1)
        from = LLVM::GEPOp::create(b, loc, ptr, resultType, resultBuffer,
                                   ArrayRef<LLVM::GEPArg>{0, int32_t(j)});
      Value value = LLVM::LoadOp::create(b, loc, desc, from);
      LLVM::StoreOp::create(b, loc, value, slot(numArgs + j));
    }
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    if (internalize)
      for (LLVM::LLVMFuncOp f : {fn, ciface}) {
        f.setLinkage(LLVM::Linkage::Internal);
        f.setAlwaysInline(true);
        f.setNoInline(false);
      }
    return success();
  }
};
} // namespace
