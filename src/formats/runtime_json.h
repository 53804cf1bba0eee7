// Circuits as qiskit-ibm-runtime's RuntimeEncoder writes them into job JSON:
//
//     {"__type__": "QuantumCircuit", "__value__": "<base64(zlib(QPY))>"}
//
// The value is standard padded base64 (base/base64.h) of one zlib stream (base/zlib.h) of a QPY
// file (qpy_reader.h) that holds exactly one circuit. docs/formats/runtime-json.md has the details.
//
// Errors (every message says which layer failed): invalid_argument for text that is not JSON, a
// value that is not such an object or has another __type__, bad base64, a corrupt zlib stream, or
// malformed QPY; resource_exhausted when the decompressed QPY exceeds the size limit;
// unimplemented for QPY content the reader does not support.
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "circuit/circuit.h"

namespace qrt::formats {

// Decompressed QPY larger than this is refused (zip-bomb protection). IBM's job inputs are at
// most 64 MB of JSON; a QPY circuit rarely needs more than 60 bytes per instruction.
inline constexpr std::size_t kMaxRuntimeQpyBytes = 256u << 20;

// Decodes the JSON text of one encoded circuit.
Result<circuit::Circuit> decode_runtime_circuit(std::string_view json_text,
                                                std::size_t max_qpy_bytes = kMaxRuntimeQpyBytes);

// Decodes an already parsed value (for example one element of a PUB).
Result<circuit::Circuit> decode_runtime_circuit_value(
    const boost::json::value& value, std::size_t max_qpy_bytes = kMaxRuntimeQpyBytes);

// The QPY bytes inside an encoded circuit's "__value__" string (base64, then zlib).
Result<std::string> decode_runtime_qpy_payload(std::string_view b64,
                                               std::size_t max_qpy_bytes = kMaxRuntimeQpyBytes);

// The JSON value for QPY bytes, as RuntimeEncoder writes it (for tests and clients).
std::string encode_runtime_qpy(std::string_view qpy_bytes);

}  // namespace qrt::formats
