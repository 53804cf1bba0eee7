// libFuzzer target for the QPY reader (scripts/fuzz builds and runs it): any input must decode or
// give an error; crashes, leaks and undefined behaviour are findings.
#include <cstddef>
#include <cstdint>
#include <span>

#include "formats/qpy_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto r = qrt::formats::read_qpy(std::span<const std::uint8_t>(data, size));
    if (r.ok()) {
        for (const auto& c : *r) {
            (void)c.validate();
            (void)c.parameters();
        }
    }
    return 0;
}
