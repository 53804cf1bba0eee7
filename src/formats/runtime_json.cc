#include "formats/runtime_json.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/zlib.h"
#include "formats/qpy_reader.h"

namespace qrt::formats {
namespace {

Status with_prefix(const Status& s, std::string_view prefix) {
    return {s.code(), fmt::format("{}{}", prefix, s.message())};
}

}  // namespace

Result<std::string> decode_runtime_qpy_payload(std::string_view b64, std::size_t max_qpy_bytes) {
    auto compressed = base64_decode(b64);
    if (!compressed.ok()) {
        return with_prefix(compressed.status(), "runtime circuit: __value__ is not valid ");
    }
    auto qpy = zlib_decompress(*compressed, max_qpy_bytes);
    if (!qpy.ok()) {
        return with_prefix(qpy.status(), "runtime circuit: __value__ does not hold a valid ");
    }
    return qpy;
}

Result<circuit::Circuit> decode_runtime_circuit_value(const boost::json::value& value,
                                                      std::size_t max_qpy_bytes) {
    const auto* obj = value.if_object();
    if (obj == nullptr) {
        return invalid_argument(fmt::format(
            "runtime circuit: expected an object {{\"__type__\": \"QuantumCircuit\", "
            "\"__value__\": ...}}, got {}",
            value.is_string() ? "a string (OpenQASM text is not accepted here)"
                              : std::string("a JSON ") + std::string(to_string(value.kind()))));
    }
    const auto* type = obj->if_contains("__type__");
    if (type == nullptr || !type->is_string()) {
        return invalid_argument("runtime circuit: the object has no string \"__type__\"");
    }
    if (type->get_string() != "QuantumCircuit") {
        const auto& t = type->get_string();
        return invalid_argument(
            fmt::format("runtime circuit: \"__type__\" is \"{}\", expected \"QuantumCircuit\"",
                        std::string_view(t.data(), std::min<std::size_t>(t.size(), 80))));
    }
    const auto* payload = obj->if_contains("__value__");
    if (payload == nullptr || !payload->is_string()) {
        return invalid_argument("runtime circuit: \"__value__\" must be a base64 string");
    }
    const auto& s = payload->get_string();
    auto qpy = decode_runtime_qpy_payload(std::string_view(s.data(), s.size()), max_qpy_bytes);
    if (!qpy.ok()) return qpy.status();
    auto c = read_qpy_circuit(*qpy);
    if (!c.ok()) return with_prefix(c.status(), "runtime circuit: ");
    return c;
}

Result<circuit::Circuit> decode_runtime_circuit(std::string_view json_text,
                                                std::size_t max_qpy_bytes) {
    boost::json::error_code ec;
    boost::json::parse_options opts;
    opts.max_depth = 64;
    boost::json::stream_parser parser({}, opts);
    const std::size_t used = parser.write(json_text.data(), json_text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        return invalid_argument(
            fmt::format("runtime circuit: invalid JSON at byte {}: {}", used, ec.message()));
    }
    return decode_runtime_circuit_value(parser.release(), max_qpy_bytes);
}

std::string encode_runtime_qpy(std::string_view qpy_bytes) {
    boost::json::object o;
    o["__type__"] = "QuantumCircuit";
    o["__value__"] = base64_encode(zlib_compress(qpy_bytes));
    return boost::json::serialize(o);
}

}  // namespace qrt::formats
