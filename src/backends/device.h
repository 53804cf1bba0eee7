// The two Backend implementations behind make_backend(): the emulated device (a Target with a
// drawn calibration, its noise model, ISA checks, the QPU timing model, calibration drift) and
// the ideal simulator; and the pieces of them that tests and the runtime's configuration reader
// reach directly (spec checks, calibration drawing, the simulator's Target).
//
// Calibration figures: every qubit and edge has a fixed quality factor drawn from the spec's seed
// (the "fabric": some qubits are simply worse) and a drift factor drawn from the calibration's
// seed; each figure is nominal * exp(spread * z_fabric) * exp(spread / 3 * z_drift), z standard
// normal. docs/backends.md lists the figures and their clamps.
//
// Pure functions here; thread-safe.
#pragma once

#include <cstdint>
#include <memory>

#include "backends/backend.h"
#include "backends/timing.h"
#include "base/status.h"
#include "base/time.h"
#include "circuit/target.h"

namespace qrt::backends {

// The checks make_backend() applies (see its comment).
Status check_device_spec(const DeviceSpec& spec);

// The Target an emulated device presents after a calibration drawn with `drift_seed`, stamped
// `calibrated_at`, exactly as the Qiskit client reads it back from our JSON (it is built, written
// out and read back, so that what we check ISA against is what the client transpiled for).
// Errors: a spec that check_device_spec() refuses.
Result<circuit::Target> draw_device_target(const DeviceSpec& spec, std::uint64_t drift_seed,
                                           Timestamp calibrated_at);

// The ideal simulator's Target: every Qiskit standard gate and measure, reset, delay, if_else on
// any qubits, no coupling map, no calibration, `simulator: true`.
Result<circuit::Target> simulator_target(const DeviceSpec& spec);

TimingModel timing_model(const DeviceSpec& spec);

// How long a calibration holds a device (modelled; slept scaled by time_scale).
inline constexpr Duration kCalibrationDuration = std::chrono::seconds(5);

// Unchecked constructors (make_backend checks first).
std::unique_ptr<Backend> make_emulated_device(const DeviceSpec& spec, circuit::Target first,
                                              Timestamp calibrated_at);
std::unique_ptr<Backend> make_ideal_simulator(const DeviceSpec& spec, circuit::Target target);

}  // namespace qrt::backends
