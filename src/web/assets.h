// The stylesheet and the script of the web pages, served from /ui/static/ (no external assets).
// The script only polls /ui/api/jobs for live job states and writes them with textContent.
#pragma once

#include <string_view>

namespace qrt::web {

extern const std::string_view kStylesheet;
extern const std::string_view kScript;

}  // namespace qrt::web
