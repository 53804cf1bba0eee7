#include "formats/qasm3_reader.h"

#include "formats/qasm_parser.h"

namespace qrt::formats {

Result<circuit::Circuit> parse_qasm3(std::string_view text) {
    return qasm::parse_program(text, qasm::Dialect::kQasm3);
}

}  // namespace qrt::formats
