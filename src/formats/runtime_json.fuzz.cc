// libFuzzer target for the runtime JSON circuit codec (JSON, base64, zlib, then QPY). Inputs that
// are not JSON are also wrapped as a "__value__" payload and as raw zlib, so that the fuzzer
// reaches the inner layers quickly.
#include "formats/runtime_json.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    (void)qrt::formats::decode_runtime_circuit(text, 1 << 24);
    (void)qrt::formats::decode_runtime_qpy_payload(qrt::base64_encode(text), 1 << 24);
    return 0;
}
