//===- GPUMMAContractions.cpp - mp-gpu-mma-contractions -------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// f16/bf16 contractions with f32 accumulation to tensor-core kernels:
// warp-level mma.sync.aligned.m16n8k16 through the upstream nvgpu dialect
// (nvgpu.ldmatrix, nvgpu.mma.sync), both input tiles staged in workgroup
// memory with cp.async (nvgpu.device_async_copy), two stages.
//
// Fragment layouts (PTX ISA, "Matrix Fragments for mma.m16n8k16"), with
// lane = threadIdx.x % 32, g = lane / 4, t = lane % 4:
//   A (16x16, vector<4x2xT>): [0] = (g, 2t..2t+1), [1] = (g+8, 2t..),
//     [2] = (g, 8+2t..), [3] = (g+8, 8+2t..)   (row m, column k);
//   B (16x8, vector<2x2xT>): [0] = (k 2t..2t+1, n g), [1] = (k 8+2t.., n g);
//   C (16x8, vector<2x2xf32>): [0] = (g, 2t..2t+1), [1] = (g+8, 2t..).
// ldmatrix .x4 (.x2) loads 4 (2) 8x8 b16 matrices; lanes 8j..8j+7 give the
// addresses of the 8 rows of matrix j, and lane l receives elements
// (l/4, 2(l%4)..+1) of each matrix, or of its transpose with .trans.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/FormatVariadic.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUMMACONTRACTIONS
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// Blocks below which a tile larger than 64 is halved (one wave on an
/// H100 SXM has 132 blocks of this size).
constexpr int64_t kMinBlocks = 132;
/// Elements of padding per workgroup-memory row (16 bytes): 8 consecutive
/// rows read by one ldmatrix land in different banks.
constexpr int64_t kPad = 8;
/// Elements per cp.async (16 bytes of f16/bf16).
constexpr int64_t kChunk = 8;

/// A contraction that gets tensor cores, with its tiles.
struct MMAPlan {
  mp::ContractionPlan c;
  int64_t M, N, K, B;
  int64_t tm, tn, tk, wm, wn;
  bool halfOut;
  /// K is the contiguous (innermost) dimension of input 0 / input 1.
  bool aKInner, bKInner;
  int64_t warps() const { return (tm / wm) * (tn / wn); }
};

static bool isHalf(Type t) { return t.isF16() || t.isBF16(); }

/// `v` is `arith.extf %arg : T to f32`.
static bool isExtOf(Value v, Value arg) {
  auto ext = v.getDefiningOp<arith::ExtFOp>();
  return ext && ext.getIn() == arg && ext.getType().isF32();
}

/// The payload is an f32 multiply-add of the widened inputs into the
/// output: out + extf(a) * extf(b) (f32 out) or truncf(extf(out) +
/// extf(a) * extf(b)) (f16/bf16 out), in either operand order.
static bool isMixedMulAdd(Block *body, bool halfOut) {
  Value a = body->getArgument(0), b = body->getArgument(1),
        out = body->getArgument(2);
  Value y = body->getTerminator()->getOperand(0);
  if (halfOut) {
    auto trunc = y.getDefiningOp<arith::TruncFOp>();
    if (!trunc || !trunc.getIn().getType().isF32())
      return false;
    y = trunc.getIn();
  }
  auto add = y.getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  auto isAcc = [&](Value v) { return halfOut ? isExtOf(v, out) : v == out; };
  auto isProduct = [&](Value v) {
    auto mul = v.getDefiningOp<arith::MulFOp>();
    if (!mul)
      return false;
    Value x = mul.getLhs(), z = mul.getRhs();
    return (isExtOf(x, a) && isExtOf(z, b)) || (isExtOf(x, b) && isExtOf(z, a));
  };
  return (isAcc(add.getLhs()) && isProduct(add.getRhs())) ||
         (isAcc(add.getRhs()) && isProduct(add.getLhs()));
}

/// Why `v` cannot be copied with 16-byte cp.async, or "".
static std::string copyableReason(Value v) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, [](int64_t s) { return ShapedType::isDynamic(s); }))
    return "has a dynamic layout";
  if (strides.back() != 1)
    return "is not contiguous in its innermost dimension";
  if (offset % kChunk != 0 ||
      llvm::any_of(ArrayRef<int64_t>(strides).drop_back(),
                   [](int64_t s) { return s % kChunk != 0; }))
    return "has rows that are not 16-byte aligned";
  if (type.getMemorySpace())
    return "is not in global memory";
  return "";
}

/// The plan for `op`, or the reason it keeps the FMA kernel.
static FailureOr<MMAPlan> planMMA(linalg::LinalgOp op,
                                  const mp::ContractionPlan &c, unsigned sm,
                                  int64_t minSize, std::string &why) {
  auto fail = [&](std::string reason) -> FailureOr<MMAPlan> {
    why = std::move(reason);
    return failure();
  };
  Value a = op.getDpsInputOperand(0)->get();
  Value b = op.getDpsInputOperand(1)->get();
  Value out = op.getDpsInitOperand(0)->get();
  Type ta = getElementTypeOrSelf(a), tb = getElementTypeOrSelf(b),
       tc = getElementTypeOrSelf(out);
  if (!isHalf(ta) || ta != tb)
    return fail("operands are not both f16 or both bf16");
  if (!tc.isF32() && tc != ta)
    return fail("the output is neither f32 nor the operand type");
  if (sm < 80)
    return fail(llvm::formatv("chip sm_{0} has no mma.sync m16n8k16 (needs "
                              "sm_80 or later)",
                              sm)
                    .str());
  MMAPlan p;
  p.c = c;
  p.halfOut = !tc.isF32();
  if (!isMixedMulAdd(op.getBlock(), p.halfOut))
    return fail("the payload is not an f32 multiply-add of the widened "
                "operands");
  if (out == a || out == b)
    return fail("the output aliases an input");
  p.M = c.trips[c.m];
  p.N = c.trips[c.n];
  p.K = c.trips[c.k];
  p.B = c.batch >= 0 ? c.trips[c.batch] : 1;
  int64_t size = p.M * p.N * p.K * p.B;
  if (size < minSize)
    return fail(
        llvm::formatv("{0} multiply-adds, below min-size={1}", size, minSize)
            .str());
  if (p.M % 16 != 0)
    return fail(llvm::formatv("M = {0} is not a multiple of 16", p.M).str());
  if (p.N % 8 != 0)
    return fail(llvm::formatv("N = {0} is not a multiple of 8", p.N).str());
  if (p.K % 16 != 0)
    return fail(llvm::formatv("K = {0} is not a multiple of 16", p.K).str());
  if (p.B > 65535)
    return fail("the batch exceeds the grid's z limit");
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<unsigned> da = mp::mapDims(maps[0]), db = mp::mapDims(maps[1]);
  if (da.back() != c.k && da.back() != c.m)
    return fail("input 0 is contiguous in the batch dimension");
  if (db.back() != c.k && db.back() != c.n)
    return fail("input 1 is contiguous in the batch dimension");
  p.aKInner = da.back() == c.k;
  p.bKInner = db.back() == c.k;
  SmallVector<Value> inputs = {a, b};
  for (auto [i, v] : llvm::enumerate(inputs)) {
    std::string reason = copyableReason(v);
    if (!reason.empty())
      return fail(llvm::formatv("input {0} {1}", i, reason).str());
  }
  auto largestDivisor = [](int64_t x, ArrayRef<int64_t> choices) {
    for (int64_t t : choices)
      if (x % t == 0)
        return t;
    return int64_t(0);
  };
  p.tm = largestDivisor(p.M, {128, 64, 32, 16});
  p.tn = largestDivisor(p.N, {128, 64, 32, 16, 8});
  p.tk = p.K % 32 == 0 ? 32 : 16;
  while ((p.M / p.tm) * (p.N / p.tn) * p.B < kMinBlocks) {
    if (p.tm >= p.tn && p.tm > 64)
      p.tm /= 2;
    else if (p.tn > 64)
      p.tn /= 2;
    else
      break;
  }
  p.wm = p.tm >= 64 ? p.tm / 2 : p.tm;
  p.wn = p.tn >= 64 ? 32 : p.tn;
  return p;
}

/// D = A * B + C on one m16n8k16 tile. f16: nvgpu.mma.sync. bf16:
/// nvvm.mma.sync directly (convert-nvgpu-to-nvvm of LLVM 22 cannot deduce
/// the PTX types of a bf16 nvgpu.mma.sync): the fragments' bf16 pairs as
/// i32 registers, the same fragment layouts.
static Value buildMma(OpBuilder &b, Location loc, Value a, Value bv, Value c) {
  auto elem = cast<VectorType>(a.getType()).getElementType();
  if (!elem.isBF16())
    return nvgpu::MmaSyncOp::create(b, loc, a, bv, c,
                                    ArrayRef<int64_t>{16, 8, 16});
  auto pairs = [&](Value frag, int64_t rows) {
    SmallVector<Value> regs;
    auto i32x1 = VectorType::get({1}, b.getI32Type());
    for (int64_t i = 0; i < rows; ++i) {
      Value pair = vector::ExtractOp::create(b, loc, frag, i);
      Value bits = vector::BitCastOp::create(b, loc, i32x1, pair);
      regs.push_back(vector::ExtractOp::create(b, loc, bits, 0));
    }
    return regs;
  };
  SmallVector<Value> acc;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      acc.push_back(
          vector::ExtractOp::create(b, loc, c, ArrayRef<int64_t>{i, j}));
  Type f32 = b.getF32Type();
  auto resType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  Value d = NVVM::MmaOp::create(
      b, loc, resType, pairs(a, 4), pairs(bv, 2), acc, {16, 8, 16},
      /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
  return vector::FromElementsOp::create(b, loc, c.getType(), out);
}

/// Builds the tensor-core kernel of `op` (see the pass description).
static void buildMMAKernel(linalg::LinalgOp op, const MMAPlan &p) {
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  const mp::ContractionPlan &c = p.c;
  Value in0 = op.getDpsInputOperand(0)->get();
  Value in1 = op.getDpsInputOperand(1)->get();
  Value out = op.getDpsInitOperand(0)->get();
  Type elem = getElementTypeOrSelf(in0);
  Type outElem = getElementTypeOrSelf(out);
  Type f32 = b.getF32Type();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  // Workgroup tiles [stage][row][column + pad], in the global layout.
  auto tileShape = [&](bool kInner, int64_t extent) {
    return kInner ? std::pair{extent, p.tk} : std::pair{p.tk, extent};
  };
  auto [aRows, aCols] = tileShape(p.aKInner, p.tm);
  auto [bRows, bCols] = tileShape(p.bKInner, p.tn);
  auto tileType = [&](int64_t rows, int64_t cols) {
    return MemRefType::get({2, rows, cols + kPad}, elem,
                           MemRefLayoutAttrInterface{}, workgroup);
  };
  int64_t threads = 32 * p.warps();
  Value c1 = cst(1);
  // An f32 result only rounded by its consumer: the kernel starts from the
  // fill's value and stores the rounded accumulators (no f32 buffer).
  std::optional<mp::OutputCast> rounding =
      p.halfOut ? std::nullopt : mp::matchOutputCast(op);
  Value dst = out;
  Type dstElem = outElem;
  if (rounding) {
    dst = mp::beginOutputCast(b, *rounding);
    dstElem = rounding->half;
  }
  auto launch = gpu::LaunchOp::create(
      b, loc, cst(p.N / p.tn), cst(p.M / p.tm), cst(p.B), cst(threads), c1, c1,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      ValueRange{}, TypeRange{tileType(aRows, aCols), tileType(bRows, bCols)});
  mp::beginLaunchBody(b, launch);
  Value sharedA = launch.getWorkgroupAttributions()[0];
  Value sharedB = launch.getWorkgroupAttributions()[1];
  Value tid = launch.getThreadIds().x;
  Value bx = launch.getBlockIds().x, by = launch.getBlockIds().y;
  Value bz = launch.getBlockIds().z;
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto addc = [&](Value x, int64_t y) -> Value {
    return y == 0 ? x : add(x, cst(y));
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, cst(y));
  };
  auto div = [&](Value x, int64_t y) -> Value {
    return arith::DivUIOp::create(b, loc, x, cst(y));
  };
  auto rem = [&](Value x, int64_t y) -> Value {
    return arith::RemUIOp::create(b, loc, x, cst(y));
  };
  // Indices of operand `map` for loop values m, n, k (batch = blockIdx.z).
  auto indices = [&](AffineMap map, Value m, Value n, Value k) {
    return c.indices(map, m, n, k, bz);
  };
  Value m0 = mul(by, p.tm), n0 = mul(bx, p.tn);
  Value lane = rem(tid, 32), warp = div(tid, 32);
  Value wm0 = mul(div(warp, p.tn / p.wn), p.wm);
  Value wn0 = mul(rem(warp, p.tn / p.wn), p.wn);
  Value g = div(lane, 4), t2 = mul(rem(lane, 4), 2);

  // Copies K tile `k0` of both inputs into `stage` (one cp.async group):
  // chunk e = tid + threads * i of the rows x cols tile is 8 consecutive
  // elements of row e / (cols / 8); the last round clamps e (a duplicate
  // copy of the same bytes).
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(ctx);
  auto copyTiles = [&](Value k0, Value stage) {
    SmallVector<Value> tokens;
    auto copyTile = [&](Value input, AffineMap map, bool kInner, int64_t rows,
                        int64_t cols, bool isA, Value shared) {
      int64_t perRow = cols / kChunk, chunks = rows * perRow;
      for (int64_t i = 0; i * threads < chunks; ++i) {
        Value e = addc(tid, i * threads);
        if ((i + 1) * threads > chunks)
          e = arith::MinUIOp::create(b, loc, e, cst(chunks - 1));
        Value row = div(e, perRow), col = mul(rem(e, perRow), kChunk);
        Value base = isA ? m0 : n0;
        Value k = add(k0, kInner ? col : row);
        Value x = add(base, kInner ? row : col);
        Value m = isA ? x : Value(), n = isA ? Value() : x;
        tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
            b, loc, tokenType, shared, ValueRange{stage, row, col}, input,
            indices(map, m, n, k), b.getIndexAttr(kChunk),
            /*srcElements=*/Value(), /*bypassL1=*/b.getUnitAttr()));
      }
    };
    copyTile(in0, maps[0], p.aKInner, aRows, aCols, /*isA=*/true, sharedA);
    copyTile(in1, maps[1], p.bKInner, bRows, bCols, /*isA=*/false, sharedB);
    return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, tokenType, tokens)
        .getResult();
  };

  // Accumulators: C fragment (mi, ni) of the warp tile, from the output.
  int64_t mTiles = p.wm / 16, nTiles = p.wn / 8;
  auto accType = VectorType::get({2, 2}, f32);
  auto fragRow = [&](int64_t mi, int64_t i) {
    return addc(add(add(m0, wm0), g), mi * 16 + i * 8);
  };
  auto fragCol = [&](int64_t ni, int64_t j) {
    return addc(add(add(n0, wn0), t2), ni * 8 + j);
  };
  SmallVector<Value> init;
  for (int64_t mi = 0; mi < mTiles; ++mi)
    for (int64_t ni = 0; ni < nTiles; ++ni) {
      SmallVector<Value> elems;
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          if (rounding) {
            elems.push_back(rounding->fill.getInputs()[0]);
            continue;
          }
          Value v = memref::LoadOp::create(
              b, loc, out,
              indices(maps[2], fragRow(mi, i), fragCol(ni, j), Value()));
          if (p.halfOut)
            v = arith::ExtFOp::create(b, loc, f32, v);
          elems.push_back(v);
        }
      init.push_back(vector::FromElementsOp::create(b, loc, accType, elems));
    }

  // Lane addresses of the ldmatrix ops (row, column in the tile).
  // A, k inner ([m][k], x4): matrices (m 0-7, k 0-7), (m 8-15, k 0-7),
  //   (m 0-7, k 8-15), (m 8-15, k 8-15): row lane % 16, column 8 (lane/16).
  // A, m inner ([k][m], x4 .trans): matrix j = lane / 8 is stored at k rows
  //   8 (j / 2) + lane % 8, m columns 8 (j % 2).
  // B, k inner ([n][k], x2): matrix j = (lane / 8) % 2 at n rows lane % 8,
  //   k columns 8 j.
  // B, n inner ([k][n], x2 .trans): k rows lane % 16.
  Value aRow, aCol, bRow, bCol;
  if (p.aKInner) {
    aRow = rem(lane, 16);
    aCol = mul(div(lane, 16), 8);
  } else {
    aRow = add(rem(lane, 8), mul(div(lane, 16), 8));
    aCol = mul(rem(div(lane, 8), 2), 8);
  }
  if (p.bKInner) {
    bRow = rem(lane, 8);
    bCol = mul(rem(div(lane, 8), 2), 8);
  } else {
    bRow = rem(lane, 16);
    bCol = cst(0);
  }

  int64_t kTiles = p.K / p.tk;
  Value first = copyTiles(cst(0), cst(0));
  auto kLoop = scf::ForOp::create(b, loc, cst(0), cst(kTiles), c1, init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value kt = kLoop.getInductionVar();
    // Prefetch K tile kt + 1 (the last iteration copies tile kTiles - 1
    // again into the stage no one reads any more: every iteration commits
    // one group, so waiting for all but the newest is uniform).
    Value next = arith::MinUIOp::create(b, loc, addc(kt, 1), cst(kTiles - 1));
    Value group = copyTiles(mul(next, p.tk), rem(addc(kt, 1), 2));
    nvgpu::DeviceAsyncWaitOp::create(b, loc, group, b.getI32IntegerAttr(1));
    gpu::BarrierOp::create(b, loc);
    Value stage = rem(kt, 2);
    SmallVector<Value> acc(kLoop.getRegionIterArgs());
    auto fragA = VectorType::get({4, 2}, elem);
    auto fragB = VectorType::get({2, 2}, elem);
    for (int64_t kk = 0; kk < p.tk; kk += 16) {
      SmallVector<Value> as, bs;
      for (int64_t mi = 0; mi < mTiles; ++mi) {
        Value m = add(addc(wm0, mi * 16), p.aKInner ? aRow : aCol);
        Value k = addc(p.aKInner ? aCol : aRow, kk);
        SmallVector<Value> idx = p.aKInner ? SmallVector<Value>{stage, m, k}
                                           : SmallVector<Value>{stage, k, m};
        as.push_back(nvgpu::LdMatrixOp::create(b, loc, fragA, sharedA, idx,
                                               /*transpose=*/!p.aKInner,
                                               /*numTiles=*/4));
      }
      for (int64_t ni = 0; ni < nTiles; ++ni) {
        Value n = add(addc(wn0, ni * 8), p.bKInner ? bRow : bCol);
        Value k = addc(p.bKInner ? bCol : bRow, kk);
        SmallVector<Value> idx = p.bKInner ? SmallVector<Value>{stage, n, k}
                                           : SmallVector<Value>{stage, k, n};
        bs.push_back(nvgpu::LdMatrixOp::create(b, loc, fragB, sharedB, idx,
                                               /*transpose=*/!p.bKInner,
                                               /*numTiles=*/2));
      }
      for (int64_t mi = 0; mi < mTiles; ++mi)
        for (int64_t ni = 0; ni < nTiles; ++ni) {
          Value &cFrag = acc[mi * nTiles + ni];
          cFrag = buildMma(b, loc, as[mi], bs[ni], cFrag);
        }
    }
    // The next iteration's prefetch overwrites this stage.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }
  // No copy outstanding at the exit (numGroups = 0: all groups).
  nvgpu::DeviceAsyncWaitOp::create(b, loc, first, b.getI32IntegerAttr(0));
  for (int64_t mi = 0; mi < mTiles; ++mi)
    for (int64_t ni = 0; ni < nTiles; ++ni)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          Value v = vector::ExtractOp::create(b, loc,
                                              kLoop.getResult(mi * nTiles + ni),
                                              ArrayRef<int64_t>{i, j});
          if (dstElem != f32)
            v = arith::TruncFOp::create(b, loc, dstElem, v);
          memref::StoreOp::create(
              b, loc, v, dst,
              indices(maps[2], fragRow(mi, i), fragCol(ni, j), Value()));
        }
  op->erase();
  if (rounding)
    mp::finishOutputCast(*rounding, dst);
}

/// The sm number of "sm_NN" / "sm_NNa" / "sm_NNf", or 0.
static unsigned parseChip(StringRef chip) {
  unsigned sm = 0;
  if (!chip.consume_front("sm_"))
    return 0;
  StringRef number = chip.take_while([](char ch) { return isdigit(ch); });
  StringRef suffix = chip.drop_front(number.size());
  if (number.getAsInteger(10, sm) ||
      !(suffix.empty() || suffix == "a" || suffix == "f"))
    return 0;
  return sm;
}

struct MMAContractionsPass
    : mp::impl::MPGPUMMAContractionsBase<MMAContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    unsigned sm = parseChip(chip);
    if (sm == 0) {
      getOperation().emitError()
          << "mp-gpu-mma-contractions: chip '" << chip
          << "' is not of the form sm_NN (e.g. sm_80, sm_90)";
      return signalPassFailure();
    }
    if (mp::isHostHelper(getOperation()))
      return;
    SmallVector<std::pair<linalg::LinalgOp, MMAPlan>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      std::optional<mp::ContractionPlan> c = mp::matchContraction(op);
      if (!c)
        return;
      std::string why;
      FailureOr<MMAPlan> plan = planMMA(op, *c, sm, minSize, why);
      if (succeeded(plan))
        work.emplace_back(op, *plan);
      if (!report)
        return;
      if (failed(plan)) {
        op.emitRemark() << "FMA kernel: " << why;
        return;
      }
      const MMAPlan &q = *plan;
      op.emitRemark() << llvm::formatv(
          "tensor cores: mma.sync m16n8k16 {0}, {1}x{2}x{3} block tile, {4} "
          "warps of {5}x{6}, 2-stage cp.async",
          getElementTypeOrSelf(op.getDpsInputOperand(0)->get()), q.tm, q.tn,
          q.tk, q.warps(), q.wm, q.wn);
    });
    for (auto &[op, plan] : work)
      buildMMAKernel(op, plan);
  }
};

} // namespace
