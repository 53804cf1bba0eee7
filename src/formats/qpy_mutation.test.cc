// Deterministic mutation testing of the QPY and runtime JSON decoders (the in-suite complement of
// the libFuzzer targets, scripts/fuzz): bit flips, truncations, insertions and deletions of corpus
// streams must each give a value or an error, never a crash, a hang, or undefined behaviour.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "formats/qpy_reader.h"
#include "formats/qpy_test_support.h"
#include "formats/runtime_json.h"

namespace qrt::formats {
namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Small QPY seeds: from the corpus when present (a spread of versions and features), else built.
std::vector<std::string> seeds() {
    std::vector<std::string> out;
    const std::filesystem::path dir = QRT_CORPUS_DIR;
    if (std::filesystem::exists(dir)) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            if (e.path().extension() == ".qpy" && e.file_size() < 4096) files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (std::size_t i = 0; i < files.size();
             i += std::max<std::size_t>(1, files.size() / 24)) {
            out.push_back(slurp(files[i]));
        }
    }
    if (out.empty()) {
        using namespace testing;  // NOLINT(google-build-using-namespace)
        for (int version : {13, 16, 18}) {
            Circ c;
            c.num_qubits = 2;
            c.num_clbits = 2;
            c.registers = {{'q', "q", {0, 1}}, {'c', "c", {0, 1}}};
            c.instructions = {instruction(make_inst("HGate", {0})),
                              instruction(make_inst("RZGate", {1}, {}, {param_f(version, 0.5)})),
                              instruction(make_inst("Measure", {0}, {0}))};
            out.push_back(qpy_file(version, c));
        }
    }
    return out;
}

std::string mutate(std::string s, std::mt19937_64& rng) {
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 6) {
            case 0:
                s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8)));
                break;
            case 1:
                s.resize(at);
                break;
            case 2:
                s.insert(at, 1, static_cast<char>(rng()));
                break;
            case 3:
                s.erase(at, 1 + rng() % 8);
                break;
            case 4:
                s[at] = static_cast<char>(0xFF);
                break;  // large counts and sizes
            default:
                s[at] = static_cast<char>(rng());
                break;
        }
    }
    return s;
}

TEST(QpyMutation, mutated_streams_decode_or_fail_cleanly) {
    const std::uint64_t seed = 20240611;
    std::mt19937_64 rng(seed);
    const auto base = seeds();
    ASSERT_FALSE(base.empty());
    int ok = 0, errors = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string m = mutate(base[static_cast<std::size_t>(i) % base.size()], rng);
        auto r = read_qpy(m);
        if (r.ok()) {
            ++ok;
            for (const auto& c : *r) (void)c.validate();
        } else {
            ++errors;
            EXPECT_EQ(r.status().message().rfind("QPY: ", 0), 0u)
                << "seed " << seed << " case " << i << ": " << r.status().message();
            EXPECT_NE(r.status().code(), ErrorCode::kInternal)
                << "seed " << seed << " case " << i << ": " << r.status().message();
        }
    }
    EXPECT_GT(errors, 0);
    RecordProperty("decoded", ok);
}

TEST(QpyMutation, mutated_runtime_json_decodes_or_fails_cleanly) {
    std::mt19937_64 rng(7);
    const auto base = seeds();
    for (int i = 0; i < 300; ++i) {
        const std::string json =
            encode_runtime_qpy(base[static_cast<std::size_t>(i) % base.size()]);
        auto r = decode_runtime_circuit(mutate(json, rng));
        if (!r.ok()) {
            EXPECT_NE(r.status().code(), ErrorCode::kInternal) << i << ": " << r.status().message();
        }
    }
}

}  // namespace
}  // namespace qrt::formats
