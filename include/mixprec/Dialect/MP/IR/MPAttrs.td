//===- MPAttrs.td - mixprec attributes ---------------------*- tablegen -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_IR_MPATTRS_TD
#define MIXPREC_DIALECT_MP_IR_MPATTRS_TD

include "mixprec/Dialect/MP/IR/MPDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def MP_LossScaleKind : I32EnumAttr<"LossScaleKind", "loss scaling mode", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Static", 1, "static">,
    I32EnumAttrCase<"Dynamic", 2, "dynamic">]> {
  let cppNamespace = "::mlir::mp";
  let genSpecializedAttr = 0;
}

def MP_PrecisionClass : I32EnumAttr<"PrecisionClass",
    "how an op's float inputs are cast under a precision policy", [
    I32EnumAttrCase<"Compute", 0, "compute">,
    I32EnumAttrCase<"FP32", 1, "fp32">,
    I32EnumAttrCase<"Follow", 2, "follow">,
    I32EnumAttrCase<"Unknown", 3, "unknown">]> {
  let cppNamespace = "::mlir::mp";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class MP_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<MP_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def MP_PolicyAttr : MP_Attr<"Policy", "policy"> {
  let summary = "A mixed-precision policy: param, compute and output dtypes";
  let description = [{
    The three dtypes of a precision policy, as in jmp and Keras:

    * `param`: the storage type of parameters (the "master weights");
    * `compute`: the type compute-class ops (contractions) run in;
    * `output`: the type of the function's float outputs.

    Each must be `f32`, `f16` or `bf16`.

    ```mlir
    #mp.policy<param = f32, compute = bf16, output = f32>
    ```
  }];
  let parameters = (ins "::mlir::Type":$param, "::mlir::Type":$compute,
                        "::mlir::Type":$output);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def MP_LossScaleAttr : MP_Attr<"LossScale", "loss_scale"> {
  let summary = "Loss-scaling configuration";
  let description = [{
    The loss-scaling mode and the parameters of the dynamic loss-scale state
    machine (docs/design.md §6):

    ```mlir
    #mp.loss_scale<dynamic, init = 32768.0, growth_factor = 2.0,
                   backoff_factor = 0.5, growth_interval = 2000, min = 1.0,
                   max = 16777216.0, hysteresis = 1>
    #mp.loss_scale<static, init = 1024.0>
    #mp.loss_scale<none>
    ```

    Keys may appear in any order and may be omitted; an omitted key takes
    its default (shown above). `max` may be `inf` (no cap) and `min` may be
    `0.0` (no floor). Rules: `init` finite and > 0; `growth_factor` > 1;
    `backoff_factor` in (0, 1); `growth_interval` >= 1; `0 <= min <= max`;
    `hysteresis` >= 1. `static` accepts only `init`; `none` accepts no key.
  }];
  let parameters = (ins "::mlir::mp::LossScaleKind":$kind,
                        APFloatParameter<"initial scale">:$init,
                        APFloatParameter<"growth factor">:$growthFactor,
                        APFloatParameter<"backoff factor">:$backoffFactor,
                        "int64_t":$growthInterval,
                        APFloatParameter<"minimum scale">:$minScale,
                        APFloatParameter<"maximum scale">:$maxScale,
                        "int64_t":$hysteresis);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::mlir::mp::LossScaleKind":$kind, "double":$init,
                     "double":$growthFactor, "double":$backoffFactor,
                     "int64_t":$growthInterval, "double":$minScale,
                     "double":$maxScale, "int64_t":$hysteresis), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(init),
                   ::llvm::APFloat(growthFactor), ::llvm::APFloat(backoffFactor),
                   growthInterval, ::llvm::APFloat(minScale),
                   ::llvm::APFloat(maxScale), hysteresis);
    }]>,
    /// A configuration of `kind` with every parameter at its default.
    AttrBuilder<(ins "::mlir::mp::LossScaleKind":$kind), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(kDefaultInit),
                   ::llvm::APFloat(kDefaultGrowthFactor),
                   ::llvm::APFloat(kDefaultBackoffFactor),
                   kDefaultGrowthInterval, ::llvm::APFloat(kDefaultMin),
                   ::llvm::APFloat(kDefaultMax), kDefaultHysteresis);
    }]>
  ];
  let extraClassDeclaration = [{
    static constexpr double kDefaultInit = 32768.0;
    static constexpr double kDefaultGrowthFactor = 2.0;
    static constexpr double kDefaultBackoffFactor = 0.5;
    static constexpr int64_t kDefaultGrowthInterval = 2000;
    static constexpr double kDefaultMin = 1.0;
    static constexpr double kDefaultMax = 16777216.0;
    static constexpr int64_t kDefaultHysteresis = 1;

    double getInitValue() const { return getInit().convertToDouble(); }
    double getGrowthFactorValue() const {
      return getGrowthFactor().convertToDouble();
    }
    double getBackoffFactorValue() const {
      return getBackoffFactor().convertToDouble();
    }
    double getMinScaleValue() const { return getMinScale().convertToDouble(); }
    double getMaxScaleValue() const { return getMaxScale().convertToDouble(); }
  }];
}

#endif // MIXPREC_DIALECT_MP_IR_MPATTRS_TD
