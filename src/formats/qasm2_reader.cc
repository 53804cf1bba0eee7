#include "formats/qasm2_reader.h"

#include "formats/qasm_parser.h"

namespace qrt::formats {

Result<circuit::Circuit> parse_qasm2(std::string_view text) {
    return qasm::parse_program(text, qasm::Dialect::kQasm2);
}

}  // namespace qrt::formats
