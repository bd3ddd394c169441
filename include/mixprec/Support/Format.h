//===- Format.h - number formatting for diagnostics -------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_SUPPORT_FORMAT_H
#define MIXPREC_SUPPORT_FORMAT_H

#include <charconv>
#include <cmath>
#include <string>

namespace mlir::mp {

/// The shortest text that reads back as `value` ("0.5", "1e-08", "inf"),
/// with ".0" added to integral values so that they read as floats: what
/// option diagnostics print ("got 1.0").
inline std::string formatDouble(double value) {
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  std::string text(buf, end);
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return text;
}

} // namespace mlir::mp

#endif // MIXPREC_SUPPORT_FORMAT_H
