// Formatting a SimulationReport for people and programs: JSON (stable field order, seconds as
// numbers) and a readable plain-text table. docs/workload-format.md ("Metrics") defines every
// field.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "cli/simulate.h"

namespace qrt::cli {

// The report as a JSON value (fields in a fixed order).
boost::json::value report_to_json(const SimulationReport& report);
// Pretty-printed JSON, 2-space indent, one trailing newline. Numbers are rounded to 6 decimals
// so that the text is stable and short; the same report always gives the same text.
std::string format_json(const SimulationReport& report);
// A readable multi-section table.
std::string format_table(const SimulationReport& report);

}  // namespace qrt::cli
