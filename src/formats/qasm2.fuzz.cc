// libFuzzer target: the OpenQASM 2 reader, then QASM3 write -> read of whatever it accepts.
// Built by scripts/fuzz (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/qasm2_reader.h"
#include "formats/qasm3_reader.h"
#include "formats/qasm3_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto c = qrt::formats::parse_qasm2(text);
    if (!c.ok()) return 0;
    auto again = qrt::formats::parse_qasm3(qrt::formats::write_qasm3(*c));
    if (!again.ok()) std::abort();
    return 0;
}
