#include "collector/api/dashboard.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace postura::collector {

std::string DashboardContentType(absl::string_view path) {
  static constexpr struct {
    absl::string_view extension;
    absl::string_view content_type;
  } kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& type : kTypes) {
    if (absl::EndsWith(path, type.extension)) return std::string(type.content_type);
  }
  return "application/octet-stream";
}

std::vector<HttpStaticRoute> DashboardRoutes() {
  std::vector<HttpStaticRoute> routes;
  for (const EmbeddedFile& file : EmbeddedDashboardFiles()) {
    const std::string content_type = DashboardContentType(file.path);
    std::string body(reinterpret_cast<const char*>(file.data), file.size);
    if (absl::string_view(file.path) == "index.html") {
      routes.push_back({.path = "/", .content_type = content_type, .body = body});
    }
    routes.push_back({.path = absl::StrCat("/", file.path),
                      .content_type = content_type,
                      .body = std::move(body)});
  }
  return routes;
}

}  // namespace postura::collector
