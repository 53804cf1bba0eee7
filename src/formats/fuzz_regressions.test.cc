// Replays every input that ever crashed a fuzz target (tests/fuzz/<target>/*, written by
// scripts/fuzz) through the same entry points, so a fixed crash stays fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "formats/qpy_reader.h"
#include "formats/runtime_json.h"

namespace qrt::formats {
namespace {

const std::filesystem::path kFuzzDir = std::filesystem::path(QRT_CORPUS_DIR) / ".." / "fuzz";

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int replay(const char* target, void (*run)(const std::string&)) {
    const auto dir = kFuzzDir / target;
    if (!std::filesystem::exists(dir)) return 0;
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() == ".md") continue;
        SCOPED_TRACE(e.path().string());
        run(slurp(e.path()));
        ++n;
    }
    return n;
}

TEST(FuzzRegressions, qpy_inputs_that_once_crashed_now_decode_or_fail_cleanly) {
    replay("qpy", [](const std::string& s) {
        auto r = read_qpy(s);
        if (!r.ok()) {
            EXPECT_NE(r.status().code(), ErrorCode::kInternal) << r.status().message();
        }
    });
}

TEST(FuzzRegressions, runtime_json_inputs_that_once_crashed_now_decode_or_fail_cleanly) {
    replay("runtime_json", [](const std::string& s) {
        auto r = decode_runtime_circuit(s);
        if (!r.ok()) {
            EXPECT_NE(r.status().code(), ErrorCode::kInternal) << r.status().message();
        }
    });
}

}  // namespace
}  // namespace qrt::formats
