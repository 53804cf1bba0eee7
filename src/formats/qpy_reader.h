// Reader for QPY, Qiskit's binary circuit format, versions 13 to 18 (what Qiskit 1.3 to 2.6
// writes, and what qiskit-ibm-runtime sends inside its JSON; see runtime_json.h).
//
// Decodes straight-line circuits with every standard gate, Parameters, ParameterVector elements
// and parameter expressions (the v13+ "replay" encoding), global phase (numeric or symbolic),
// registers (including aliasing ones and ones that own bits outside the circuit), delays, barriers,
// measurements, resets, user-defined gates with definitions, and if_else on a clbit or a register
// value (a legacy `c_if` on any other operation becomes an if_else around it). The trailing
// layout is parsed and dropped. docs/formats/qpy.md lists the encoding and what is refused.
//
// Errors: malformed input (truncated, out-of-range indices or counts, bad type keys, trailing
// bytes) is invalid_argument; well-formed content this reader does not support (other versions,
// pulse calibrations, standalone classical variables, annotations, opaque or controlled custom
// operations, loops and switches, open controls, numpy/modifier parameters...) is unimplemented.
// Every message starts "QPY: " and names the record and the byte offset, e.g.
//   "QPY: truncated INSTRUCTION #17 of CIRCUIT #0 at byte 1234: need 33 bytes, have 5".
// Memory use is bounded by the input size: counts are checked against the bytes that remain.
//
// Pure functions of their input; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "circuit/circuit.h"

namespace qrt::formats {

// The QPY versions read_qpy accepts.
inline constexpr int kQpyMinVersion = 13;
inline constexpr int kQpyMaxVersion = 18;

// Every circuit of a QPY file, in file order.
Result<std::vector<circuit::Circuit>> read_qpy(std::span<const std::uint8_t> bytes);
Result<std::vector<circuit::Circuit>> read_qpy(std::string_view bytes);

// The one circuit of a QPY file (as in a runtime blob); invalid_argument if it holds another
// number of programs.
Result<circuit::Circuit> read_qpy_circuit(std::span<const std::uint8_t> bytes);
Result<circuit::Circuit> read_qpy_circuit(std::string_view bytes);

}  // namespace qrt::formats
