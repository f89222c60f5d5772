#ifndef POSTURA_COMMON_MODEL_LEVEL_H_
#define POSTURA_COMMON_MODEL_LEVEL_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace postura {

// The four discrete levels of implementation (DLI) of an expected outcome. Their values
// are the decimals 0, 0.33, 0.67 and 1.0 (not thirds), as in CyberTOMP and FLECO.
enum class Level : uint8_t { kDli0 = 0, kDli33 = 1, kDli67 = 2, kDli100 = 3 };

inline constexpr std::array<Level, 4> kAllLevels = {Level::kDli0, Level::kDli33, Level::kDli67,
                                                    Level::kDli100};

// The level's value in hundredths: 0, 33, 67 or 100. Exact, for integer accumulation.
int LevelHundredths(Level level);

// The level's value: 0.0, 0.33, 0.67 or 1.0.
double LevelValue(Level level);

// "DLI_0", "DLI_33", "DLI_67" or "DLI_100", the allele names of FLECO case files.
absl::string_view LevelName(Level level);

// Parses a FLECO allele name; nullopt for anything else.
std::optional<Level> ParseLevelName(absl::string_view name);

// Parses a level given in hundredths ("0", "33", "67", "100"); nullopt for anything else.
std::optional<Level> LevelFromHundredths(int hundredths);

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_LEVEL_H_
