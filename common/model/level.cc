#include "common/model/level.h"

namespace postura {

int LevelHundredths(Level level) {
  switch (level) {
    case Level::kDli0:
      return 0;
    case Level::kDli33:
      return 33;
    case Level::kDli67:
      return 67;
    case Level::kDli100:
      return 100;
  }
  return 0;
}

double LevelValue(Level level) { return LevelHundredths(level) / 100.0; }

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDli0:
      return "DLI_0";
    case Level::kDli33:
      return "DLI_33";
    case Level::kDli67:
      return "DLI_67";
    case Level::kDli100:
      return "DLI_100";
  }
  return "DLI_?";
}

std::optional<Level> ParseLevelName(absl::string_view name) {
  for (Level level : kAllLevels) {
    if (name == LevelName(level)) return level;
  }
  return std::nullopt;
}

std::optional<Level> LevelFromHundredths(int hundredths) {
  for (Level level : kAllLevels) {
    if (hundredths == LevelHundredths(level)) return level;
  }
  return std::nullopt;
}

}  // namespace postura
