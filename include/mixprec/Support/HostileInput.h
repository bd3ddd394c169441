//===- HostileInput.h - guards against input that kills the host -*- C++
//-*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// MLIR's parser recurses once per nesting level of brackets, braces and
// angle brackets: about 20,000 levels overflow a default 8 MiB stack and
// about 1,000,000 a 1 GiB one, and a stack overflow kills the process (the
// Python interpreter that called mixprec.compile included). Every mixprec
// entry point that parses text (mp-opt, mp-run, the compiled-step driver,
// the Python module, the C API) first rejects input nested deeper than
// kMaxNestingDepth with a diagnostic at the offending character, and
// parses and runs passes on a thread with a large stack (as clang does), so
// that everything below the limit, and deep region nesting in passes, has
// room. Header-only: the tools, the driver and the bindings share it.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_SUPPORT_HOSTILEINPUT_H
#define MIXPREC_SUPPORT_HOSTILEINPUT_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CrashRecoveryContext.h"

#include <optional>
#include <string>

namespace mlir::mp {

/// Deepest nesting of `(`, `[`, `{` and `<` accepted in textual IR. Real
/// models nest a few dozen levels; 10,000 leaves the parser and the passes
/// ample stack even on a default 8 MiB stack.
inline constexpr unsigned kMaxNestingDepth = 10000;

/// Stack of the threads that parse and run passes (1 GiB: reserved address
/// space, touched only as deep as the recursion goes).
inline constexpr unsigned kLargeStackBytes = 1u << 30;

/// Where textual IR first nests deeper than `limit`: 1-based line and
/// column, or std::nullopt. String literals and `//` comments are skipped,
/// and `->` is not a closing angle bracket.
struct NestingViolation {
  unsigned line, column;
};
inline std::optional<NestingViolation>
findExcessiveNesting(llvm::StringRef text, unsigned limit = kMaxNestingDepth) {
  unsigned depth = 0, line = 1, column = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    ++column;
    switch (c) {
    case '\n':
      ++line;
      column = 0;
      break;
    case '"':
      // A string literal: up to the closing quote, skipping escapes.
      for (++i; i < e && text[i] != '"'; ++i) {
        ++column;
        if (text[i] == '\\' && i + 1 < e) {
          ++i;
          ++column;
        }
        if (text[i] == '\n') {
          ++line;
          column = 0;
        }
      }
      ++column;
      break;
    case '/':
      if (i + 1 < e && text[i + 1] == '/') {
        while (i + 1 < e && text[i + 1] != '\n')
          ++i;
      }
      break;
    case '-':
      if (i + 1 < e && text[i + 1] == '>') {
        ++i;
        ++column;
      }
      break;
    case '(':
    case '[':
    case '{':
    case '<':
      if (++depth > limit)
        return NestingViolation{line, column};
      break;
    case ')':
    case ']':
    case '}':
    case '>':
      if (depth > 0)
        --depth;
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}

/// The diagnostic for `text` nested deeper than the limit, in the usual
/// `FILE:LINE:COL: error: ...` form, or std::nullopt when it is not.
inline std::optional<std::string>
checkNestingDepth(llvm::StringRef text, llvm::StringRef bufferName,
                  unsigned limit = kMaxNestingDepth) {
  std::optional<NestingViolation> bad = findExcessiveNesting(text, limit);
  if (!bad)
    return std::nullopt;
  return bufferName.str() + ":" + std::to_string(bad->line) + ":" +
         std::to_string(bad->column) + ": error: input nested deeper than " +
         std::to_string(limit) +
         " levels of brackets; mixprec rejects it before parsing (MLIR's "
         "parser recurses once per level and would overflow the stack)";
}

/// Runs `fn` on a new thread with a `stackBytes` stack and waits for it.
/// Returns false when `fn` crashed and crash recovery was enabled
/// (llvm::CrashRecoveryContext::Enable), true otherwise.
inline bool runOnLargeStack(llvm::function_ref<void()> fn,
                            unsigned stackBytes = kLargeStackBytes) {
  llvm::CrashRecoveryContext context;
  return context.RunSafelyOnThread(fn, stackBytes);
}

} // namespace mlir::mp

#endif // MIXPREC_SUPPORT_HOSTILEINPUT_H
