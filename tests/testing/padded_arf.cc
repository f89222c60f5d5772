#include "tests/testing/padded_arf.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace postura::test {

absl::Status WritePaddedArf(const std::string& arf, const std::string& path, std::size_t bytes) {
  const std::size_t end = arf.rfind("</arf:reports>");
  if (end == std::string::npos) return absl::InvalidArgumentError("not an ARF report");
  std::ofstream out(path, std::ios::binary);
  out << arf.substr(0, end) << "<arf:report id=\"pad\"><arf:content><p:items xmlns:p=\"urn:pad\">";
  const std::string item =
      "<p:item id=\"x\" status=\"exists\"><p:path>/usr/share/doc/package/changelog.gz</p:path>"
      "<p:mode>0644</p:mode></p:item>\n";
  for (std::size_t written = arf.size(); written < bytes; written += item.size()) out << item;
  out << "</p:items></arf:content></arf:report>" << arf.substr(end);
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace postura::test
