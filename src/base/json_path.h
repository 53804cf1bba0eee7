// Helpers for JSON readers whose errors say where in a JSON document a fault is: paths such as
// "properties.qubits[3][1].value" and the kind of a value ("a string"), so that every JSON reader
// of qrt words its messages the same way. Header-only; pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

namespace qrt::jsonpath {

// "path.key" (just "key" at the top level).
inline std::string field(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

// "path[i]".
inline std::string element(const std::string& path, std::size_t i) {
    return fmt::format("{}[{}]", path, i);
}

// Thrown by the helpers below, inside a reader only: its entry point turns it into a Status.
struct PathError {
    std::string message;
};

// Throws PathError "path: message" (just the message at the top level).
[[noreturn]] inline void fail(const std::string& path, const std::string& message) {
    throw PathError{path.empty() ? message : fmt::format("{}: {}", path, message)};
}

// "a string", "a number", "null", ... for "expected X, got Y" messages.
inline std::string_view kind_name(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null: return "null";
        case boost::json::kind::bool_: return "a boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_: return "a number";
        case boost::json::kind::string: return "a string";
        case boost::json::kind::array: return "an array";
        case boost::json::kind::object: return "an object";
    }
    return "a value";
}

[[noreturn]] inline void wrong_type(const std::string& path, std::string_view expected,
                                    const boost::json::value& got) {
    fail(path, fmt::format("expected {}, got {}", expected, kind_name(got)));
}

inline const boost::json::object& as_object(const boost::json::value& v, const std::string& path) {
    if (!v.is_object()) wrong_type(path, "an object", v);
    return v.get_object();
}

inline const boost::json::array& as_array(const boost::json::value& v, const std::string& path) {
    if (!v.is_array()) wrong_type(path, "an array", v);
    return v.get_array();
}

}  // namespace qrt::jsonpath
