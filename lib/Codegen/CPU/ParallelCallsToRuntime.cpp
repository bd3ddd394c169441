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
// Only what differs between the calls of one f goes through ctx. An
// argument that is the same constant at every call of f (the static sizes,
// strides and offsets of its memref descriptors) is a constant in @f_task,
// and one that is the same value as an earlier argument at every call (a
// buffer's allocated and aligned pointers, one buffer passed twice) is that
// argument's load again: a descriptor of a static shape costs one slot, not
// 3 + 2 * rank, and f sees its constants without interprocedural
// propagation. An argument f never reads (the sizes and strides of a
// static memref, which f's loads and stores take from its type) is not
// passed at all: @f_task passes poison.
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

/// `v`, or the value an `llvm.extractvalue` of it reads out of the
/// `llvm.insertvalue` chain that built its aggregate (how the LLVM lowering
/// passes the fields of a memref descriptor): a descriptor's constant
/// sizes and shared pointers are seen as such before the canonicalizer
/// folds the chains.
Value resolveField(Value v) {
  while (auto extract = v.getDefiningOp<LLVM::ExtractValueOp>()) {
    ArrayRef<int64_t> position = extract.getPosition();
    Value container = extract.getContainer();
    Value found;
    while (auto insert = container.getDefiningOp<LLVM::InsertValueOp>()) {
      ArrayRef<int64_t> at = insert.getPosition();
      if (at == position) {
        found = insert.getValue();
        break;
      }
      // A prefix either way: the field is (part of) what was inserted.
      size_t common = std::min(at.size(), position.size());
      if (at.take_front(common) == position.take_front(common))
        return v;
      container = insert.getContainer();
    }
    if (!found)
      return v;
    v = found;
  }
  return v;
}

/// Where @f_task gets each argument of f after (begin, end), from what all
/// the calls of f pass (file comment).
struct ArgumentPlan {
  enum Kind { Slot, Constant, Same, Unused };
  struct Arg {
    Kind kind;
    /// Slot: the slot index; Same: the earlier argument's index.
    unsigned index;
    /// Constant: the constant of the first call.
    LLVM::ConstantOp constant;
  };
  SmallVector<Arg> args;
  unsigned slots = 0;

  /// `callee`: the function all `calls` call (null: not known here).
  ArgumentPlan(ArrayRef<LLVM::CallOp> calls, LLVM::LLVMFuncOp callee) {
    LLVM::CallOp first = calls.front();
    unsigned n = first.getNumOperands() - 2;
    auto operand = [](LLVM::CallOp call, unsigned k) {
      return resolveField(call.getOperand(k + 2));
    };
    Block *body =
        callee && !callee.isExternal() ? &callee.getBody().front() : nullptr;
    for (unsigned k = 0; k < n; ++k) {
      // Poison for an unread argument, unless an attribute (noundef,
      // nonnull, ...) would make that undefined behaviour.
      if (body && body->getNumArguments() == n + 2 &&
          body->getArgument(k + 2).use_empty() &&
          cast<FunctionOpInterface>(*callee).getArgAttrs(k + 2).empty()) {
        args.push_back({Unused, 0, {}});
        continue;
      }
      auto constant = operand(first, k).getDefiningOp<LLVM::ConstantOp>();
      if (constant && llvm::all_of(calls, [&](LLVM::CallOp call) {
            auto other = operand(call, k).getDefiningOp<LLVM::ConstantOp>();
            return other && other.getValue() == constant.getValue() &&
                   other.getType() == constant.getType();
          })) {
        args.push_back({Constant, 0, constant});
        continue;
      }
      std::optional<unsigned> same;
      for (unsigned j = 0; j < k && !same; ++j)
        if ((args[j].kind == Slot || args[j].kind == Same) &&
            llvm::all_of(calls, [&](LLVM::CallOp call) {
              return operand(call, k) == operand(call, j);
            }))
          same = args[j].kind == Same ? args[j].index : j;
      if (same)
        args.push_back({Same, *same, {}});
      else
        args.push_back({Slot, slots++, {}});
    }
  }
};

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
    // Every call of each callee: what varies between them goes in slots.
    llvm::MapVector<StringAttr, SmallVector<LLVM::CallOp>> byCallee;
    for (auto &[caller, calls] : byCaller)
      for (LLVM::CallOp call : calls)
        byCallee[call.getCalleeAttr().getAttr()].push_back(call);
    llvm::DenseMap<StringAttr, ArgumentPlan> plans;
    for (auto &[callee, calls] : byCallee)
      plans.try_emplace(callee, calls,
                        symbols.lookup<LLVM::LLVMFuncOp>(callee));
    DenseMap<StringAttr, LLVM::LLVMFuncOp> tasks;

    for (auto &[caller, calls] : byCaller) {
      size_t slots = 0;
      for (LLVM::CallOp call : calls)
        slots = std::max<size_t>(
            slots, plans.at(call.getCalleeAttr().getAttr()).slots);
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
        const ArgumentPlan &plan = plans.at(callee);
        LLVM::LLVMFuncOp &task = tasks[callee];
        if (!task) {
          task = createTask(call, plan, symbols);
          markNoAlias(symbols.lookup<LLVM::LLVMFuncOp>(callee));
        }
        b.setInsertionPoint(call);
        Location at = call.getLoc();
        for (auto [k, v] : llvm::enumerate(call.getOperands().drop_front(2))) {
          const ArgumentPlan::Arg &arg = plan.args[k];
          if (arg.kind != ArgumentPlan::Slot)
            continue;
          Value slot =
              LLVM::GEPOp::create(b, at, ptr, i64, buffer,
                                  ArrayRef<LLVM::GEPArg>{int32_t(arg.index)});
          LLVM::StoreOp::create(b, at, resolveField(v), slot,
                                /*alignment=*/8);
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

  /// @<callee>_task(ctx, begin, end): calls the callee of `call` with
  /// (begin, end, args...), each arg loaded from its slot of ctx, a
  /// constant, or an earlier arg again, as `plan` says.
  LLVM::LLVMFuncOp createTask(LLVM::CallOp call, const ArgumentPlan &plan,
                              SymbolTable &symbols) {
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
      const ArgumentPlan::Arg &arg = plan.args[k];
      if (arg.kind == ArgumentPlan::Constant) {
        operands.push_back(b.clone(*arg.constant)->getResult(0));
        continue;
      }
      if (arg.kind == ArgumentPlan::Unused) {
        operands.push_back(LLVM::PoisonOp::create(b, loc, v.getType()));
        continue;
      }
      if (arg.kind == ArgumentPlan::Same) {
        operands.push_back(operands[2 + arg.index]);
        continue;
      }
      Value slot =
          LLVM::GEPOp::create(b, loc, ptr, i64, body->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{int32_t(arg.index)});
      operands.push_back(
          LLVM::LoadOp::create(b, loc, v.getType(), slot, /*alignment=*/8));
    }
    LLVM::CallOp::create(b, loc, TypeRange{}, callee, operands);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return task;
  }
};

} // namespace
