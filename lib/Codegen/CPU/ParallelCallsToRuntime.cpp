//===- ParallelCallsToRuntime.cpp - marked calls to mp_rt_parallel_for ----===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// On the LLVM dialect: a call marked `mp_parallel_for` of a function
// f(begin, end, args...) (mp-outline-parallel-loops) becomes a call of the
// runtime's mp_rt_parallel_for(@f_task, ctx, begin, end), with args stored
// in 8-byte slots of ctx (one stack buffer per caller) and @f_task(ctx, b,
// e) loading them and calling f(b, e, args...).
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPPARALLELCALLSTORUNTIME
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

constexpr StringLiteral kMark = "mp_parallel_for";
constexpr StringLiteral kRuntime = "mp_rt_parallel_for";
constexpr StringLiteral kNoAlias = "mp_noalias_args";

/// A value that fits an 8-byte slot of the context.
bool fitsSlot(Type t) {
  if (isa<LLVM::LLVMPointerType>(t))
    return true;
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() <= 64;
  if (auto f = dyn_cast<FloatType>(t))
    return f.getWidth() <= 64;
  return false;
}

/// Checks that `call` is a marked call this pass can lower; reports why
/// not on it.
LogicalResult verifyMarked(LLVM::CallOp call) {
  if (!call.getCallee())
    return call.emitError(kMark) << " call must name its callee";
  if (call.getNumResults() != 0)
    return call.emitError(kMark) << " callee must return nothing";
  auto i64 = IntegerType::get(call.getContext(), 64);
  if (call.getNumOperands() < 2 || call.getOperand(0).getType() != i64 ||
      call.getOperand(1).getType() != i64)
    return call.emitError(kMark)
           << " call must pass (i64 begin, i64 end) first";
  for (Value v : call.getOperands().drop_front(2))
    if (!fitsSlot(v.getType()))
      return call.emitError(kMark) << " operand of type " << v.getType()
                                   << " does not fit an 8-byte slot";
  if (!call->getParentOfType<LLVM::LLVMFuncOp>())
    return call.emitError(kMark) << " call must be inside an llvm.func";
  return success();
}

struct ParallelCallsToRuntimePass
    : mp::impl::MPParallelCallsToRuntimeBase<ParallelCallsToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    llvm::MapVector<LLVM::LLVMFuncOp, SmallVector<LLVM::CallOp>> byCaller;
    bool ok = true;
    module.walk([&](LLVM::CallOp call) {
      if (!call->hasAttr(kMark))
        return;
      if (failed(verifyMarked(call))) {
        ok = false;
        return;
      }
      byCaller[call->getParentOfType<LLVM::LLVMFuncOp>()].push_back(call);
    });
    if (!ok)
      return signalPassFailure();
    // No marked call: nothing changes, nothing to verify again.
    if (byCaller.empty())
      return markAllAnalysesPreserved();

    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);
    Type voidType = LLVM::LLVMVoidType::get(ctx);
    OpBuilder b(ctx);
    auto runtime = module.lookupSymbol<LLVM::LLVMFuncOp>(kRuntime);
    if (!runtime) {
      b.setInsertionPointToEnd(module.getBody());
      runtime = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), kRuntime,
          LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64, i64}));
    }
    SymbolTable symbols(module);
    DenseMap<StringAttr, LLVM::LLVMFuncOp> tasks;

    for (auto &[caller, calls] : byCaller) {
      size_t slots = 0;
      for (LLVM::CallOp call : calls)
        slots = std::max<size_t>(slots, call.getNumOperands() - 2);
      // One context buffer per caller, in its entry block (calls in loops
      // must not grow the stack).
      Block &entry = caller.getBody().front();
      b.setInsertionPointToStart(&entry);
      Location loc = caller.getLoc();
      Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
      auto buffer = LLVM::AllocaOp::create(
          b, loc, ptr,
          LLVM::LLVMArrayType::get(i64, std::max<size_t>(slots, 1)), one,
          /*alignment=*/8);

      for (LLVM::CallOp call : calls) {
        StringAttr callee = call.getCalleeAttr().getAttr();
        LLVM::LLVMFuncOp &task = tasks[callee];
        if (!task) {
          task = createTask(call, symbols);
          markNoAlias(symbols.lookup<LLVM::LLVMFuncOp>(callee));
        }
        b.setInsertionPoint(call);
        Location at = call.getLoc();
        for (auto [k, v] : llvm::enumerate(call.getOperands().drop_front(2))) {
          Value slot = LLVM::GEPOp::create(b, at, ptr, i64, buffer,
                                           ArrayRef<LLVM::GEPArg>{int32_t(k)});
          LLVM::StoreOp::create(b, at, v, slot, /*alignment=*/8);
        }
        Value fn = LLVM::AddressOfOp::create(b, at, task);
        LLVM::CallOp::create(
            b, at, runtime,
            ValueRange{fn, buffer, call.getOperand(0), call.getOperand(1)});
        call.erase();
      }
    }
  }

  /// `llvm.noalias` on the pointer arguments of `fn` when it carries
  /// `mp_noalias_args` (mp-outline-parallel-loops: its memrefs are distinct
  /// buffers, or the same one passed once).
  static void markNoAlias(LLVM::LLVMFuncOp fn) {
    if (!fn || !fn->hasAttr(kNoAlias))
      return;
    for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
      if (isa<LLVM::LLVMPointerType>(type))
        fn.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                      UnitAttr::get(fn.getContext()));
  }

  /// @<callee>_task(ctx, begin, end): loads the slots of ctx and calls the
  /// callee of `call` with (begin, end, slots...).
  LLVM::LLVMFuncOp createTask(LLVM::CallOp call, SymbolTable &symbols) {
    MLIRContext *ctx = &getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);
    Location loc = call.getLoc();
    StringRef callee = *call.getCallee();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(getOperation().getBody());
    auto task = LLVM::LLVMFuncOp::create(
        b, loc, (callee + "_task").str(),
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                    {ptr, i64, i64}),
        LLVM::Linkage::Internal);
    symbols.insert(task);
    Block *body = task.addEntryBlock(b);
    b.setInsertionPointToStart(body);
    SmallVector<Value> operands{body->getArgument(1), body->getArgument(2)};
    for (auto [k, v] : llvm::enumerate(call.getOperands().drop_front(2))) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, i64, body->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{int32_t(k)});
      operands.push_back(
          LLVM::LoadOp::create(b, loc, v.getType(), slot, /*alignment=*/8));
    }
    LLVM::CallOp::create(b, loc, TypeRange{}, callee, operands);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return task;
  }
};

} // namespace
