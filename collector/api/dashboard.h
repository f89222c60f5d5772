#ifndef POSTURA_COLLECTOR_API_DASHBOARD_H_
#define POSTURA_COLLECTOR_API_DASHBOARD_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "collector/api/http_server.h"

namespace postura::collector {

// One file of the web dashboard (web/ in the source tree) as compiled into the binary.
struct EmbeddedFile {
  const char* path;           // Relative to web/: "index.html", "app.js".
  const unsigned char* data;  // `size` bytes, then a NUL.
  size_t size;
};

// Every file of web/, sorted by path. Defined in the source the build generates from
// web/ (web/embed.cmake), so a changed page needs a rebuild, not a restart.
std::span<const EmbeddedFile> EmbeddedDashboardFiles();

// The Content-Type for a file name, by its extension ("text/html; charset=utf-8" for
// ".html"); "application/octet-stream" for an unknown one.
std::string DashboardContentType(absl::string_view path);

// The dashboard as static routes: each file at "/<path>", and index.html also at "/".
// The pages read the collector's HTTP API (http_api.h) from the same origin.
std::vector<HttpStaticRoute> DashboardRoutes();

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_DASHBOARD_H_
