// Emulated devices without running jobs: the default set, calibration drawing, JSON round trips,
// spec checks, calibrate().
#include "backends/device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "backends/backend.h"
#include "backends/topology.h"

namespace qrt::backends {
namespace {

using circuit::Target;

const Timestamp kT0 = from_micros(1767225600LL * 1'000'000);  // 2026-01-01T00:00:00Z

DeviceSpec spec_named(std::string_view name) {
    for (const DeviceSpec& s : default_device_specs()) {
        if (s.name == name) return s;
    }
    ADD_FAILURE() << "no default backend " << name;
    return {};
}

Target draw(const DeviceSpec& spec, std::uint64_t seed, Timestamp at = kT0) {
    auto t = draw_device_target(spec, seed, at);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    return t.ok() ? *t : Target{};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

TEST(DefaultBackends, are_the_planned_five) {
    std::vector<std::string> names;
    for (const DeviceSpec& s : default_device_specs()) {
        names.push_back(s.name);
        auto b = make_backend(s);
        ASSERT_TRUE(b.ok()) << s.name << ": " << b.status().to_string();
        EXPECT_EQ((*b)->name(), s.name);
        EXPECT_EQ((*b)->num_qubits(), s.num_qubits);
        EXPECT_EQ((*b)->simulator(), s.simulator);
        EXPECT_EQ((*b)->target()->num_qubits, s.num_qubits);
        EXPECT_EQ(s.time_scale, 0) << "default backends run as fast as the simulator";
        EXPECT_EQ((*b)->calibration_interval().has_value(), !s.simulator);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"emu_small5", "emu_falcon27", "emu_eagle127",
                                               "emu_heron133", "sim_ideal"}));
    EXPECT_EQ(spec_named("emu_heron133").family, GateFamily::kCz);
    EXPECT_EQ(spec_named("emu_eagle127").family, GateFamily::kEcr);
    EXPECT_EQ(spec_named("sim_ideal").num_qubits, 32u);
}

TEST(DefaultBackends, json_reads_back_as_the_same_target) {
    for (const DeviceSpec& s : default_device_specs()) {
        auto b = make_backend(s);
        ASSERT_TRUE(b.ok());
        const std::string config = (*b)->configuration_json();
        const std::string props = (*b)->properties_json();
        auto back = circuit::target_from_backend_json(config, props);
        ASSERT_TRUE(back.ok()) << s.name << ": " << back.status().to_string();
        EXPECT_TRUE(*back == *(*b)->target()) << s.name;
        if (s.simulator) {
            EXPECT_EQ(props, "{}");
        } else {
            EXPECT_NE(props.find("\"last_update_date\""), std::string::npos);
        }
    }
}

TEST(DeviceTarget, has_ibm_basis_and_one_ecr_direction_per_edge) {
    const DeviceSpec spec = spec_named("emu_eagle127");
    const Target t = draw(spec, 1);
    EXPECT_EQ(t.basis_gates, (std::vector<std::string>{"ecr", "id", "rz", "sx", "x"}));
    for (const char* op : {"measure", "reset", "delay", "if_else", "for_loop", "switch_case"}) {
        EXPECT_NE(std::find(t.supported_instructions.begin(), t.supported_instructions.end(), op),
                  t.supported_instructions.end())
            << op;
    }
    auto edges = coupling_edges(Topology::kHeavyHex, 127);
    ASSERT_TRUE(edges.ok());
    std::set<std::pair<std::uint32_t, std::uint32_t>> expected(edges->begin(), edges->end());
    std::set<std::pair<std::uint32_t, std::uint32_t>> got;
    for (const auto& [q, p] : t.find("ecr")->qargs) got.emplace(q[0], q[1]);
    EXPECT_EQ(got, expected);
    EXPECT_EQ(t.dt, 0.5e-9);
    EXPECT_EQ(t.processor_type.family, "Eagle");
    EXPECT_EQ(t.max_shots, 100000u);
    EXPECT_FALSE(t.simulator);
    ASSERT_TRUE(t.rep_delay_range.has_value());
    EXPECT_NEAR(*t.default_rep_delay, 250e-6, 1e-12);
}

TEST(DeviceTarget, cz_devices_have_both_directions) {
    const Target t = draw(spec_named("emu_heron133"), 1);
    const auto& cz = t.find("cz")->qargs;
    EXPECT_EQ(cz.size(), 300u);
    for (const auto& [q, p] : cz) {
        auto back = cz.find({q[1], q[0]});
        ASSERT_NE(back, cz.end());
        EXPECT_EQ(back->second, p) << "both directions are one calibrated gate";
    }
    EXPECT_EQ(t.find("ecr"), nullptr);
}

TEST(DeviceTarget, figures_spread_around_the_nominal_ones) {
    const DeviceSpec spec = spec_named("emu_eagle127");
    const Target t = draw(spec, 1);
    std::vector<double> t1, sx, ecr, readout, ecr_len;
    for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
        const auto& p = t.qubits[q];
        ASSERT_TRUE(p.t1 && p.t2 && p.readout_error && p.prob_meas0_prep1 && p.prob_meas1_prep0);
        EXPECT_LE(*p.t2, 2 * *p.t1 * (1 + 1e-12));
        EXPECT_GT(*p.prob_meas0_prep1, *p.prob_meas1_prep0);
        EXPECT_NEAR(*p.readout_error, (*p.prob_meas0_prep1 + *p.prob_meas1_prep0) / 2, 1e-12);
        EXPECT_NEAR(*p.readout_length, 1300e-9, 1e-15);
        t1.push_back(*p.t1);
        readout.push_back(*p.readout_error);
        sx.push_back(*t.gate_error("sx", {q}));
        EXPECT_EQ(t.gate_error("sx", {q}), t.gate_error("x", {q}));
        EXPECT_NEAR(*t.duration("sx", {q}), 60e-9, 1e-15);
        EXPECT_EQ(t.gate_error("rz", {q}), 0.0);  // virtual
        EXPECT_EQ(t.duration("rz", {q}), 0.0);
    }
    for (const auto& [q, p] : t.find("ecr")->qargs) {
        ecr.push_back(*p.error);
        ecr_len.push_back(*p.duration);
        // Durations are whole multiples of dt.
        EXPECT_NEAR(std::fmod(*p.duration / 0.5e-9 + 0.5, 1.0), 0.5, 1e-6);
    }
    EXPECT_NEAR(median(t1), 250e-6, 0.2 * 250e-6);
    EXPECT_NEAR(median(sx), 2.5e-4, 0.2 * 2.5e-4);
    EXPECT_NEAR(median(ecr), 7.5e-3, 0.2 * 7.5e-3);
    EXPECT_NEAR(median(readout), 1.5e-2, 0.2 * 1.5e-2);
    EXPECT_NEAR(median(ecr_len), 660e-9, 0.05 * 660e-9);
    // A spread, not one value.
    EXPECT_GT(*std::max_element(sx.begin(), sx.end()),
              1.5 * *std::min_element(sx.begin(), sx.end()));
}

TEST(DeviceTarget, same_seed_same_calibration_other_seed_drifts_a_little) {
    const DeviceSpec spec = spec_named("emu_falcon27");
    const Target a = draw(spec, 11), b = draw(spec, 11), c = draw(spec, 12);
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == c);
    // The fabric stays: a qubit's T1 moves by the drift only (sigma spread/3 per calibration).
    for (std::uint32_t q = 0; q < a.num_qubits; ++q) {
        const double ratio = *c.qubits[q].t1 / *a.qubits[q].t1;
        EXPECT_GT(ratio, std::exp(-6 * spec.spread / 3)) << q;
        EXPECT_LT(ratio, std::exp(6 * spec.spread / 3)) << q;
    }
    EXPECT_EQ(a.last_update_date, "2026-01-01T00:00:00.000000Z");
}

TEST(DeviceTarget, faulty_qubits_lose_their_instructions_and_round_trip) {
    DeviceSpec spec = spec_named("emu_falcon27");
    spec.faulty_fraction = 0.1;  // 3 of 27
    const Target t = draw(spec, 1);
    std::vector<std::uint32_t> faulty;
    for (std::uint32_t q = 0; q < t.num_qubits; ++q) {
        if (!t.qubits[q].operational) faulty.push_back(q);
    }
    ASSERT_EQ(faulty.size(), 3u);
    for (std::uint32_t q : faulty) {
        EXPECT_FALSE(t.instruction_supported("sx", {q}));
        EXPECT_FALSE(t.instruction_supported("measure", {q}));
        for (const auto& [qargs, p] : t.find("ecr")->qargs) {
            EXPECT_TRUE(qargs[0] != q && qargs[1] != q);
        }
    }
    auto back = circuit::target_from_backend_json(circuit::target_to_configuration_json(t),
                                                  circuit::target_to_properties_json(t, kT0));
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_TRUE(*back == t);
}

TEST(DeviceTarget, other_topologies_and_sizes) {
    DeviceSpec spec;
    spec.name = "grid12";
    spec.topology = Topology::kGrid;
    spec.num_qubits = 12;
    spec.grid_columns = 4;
    spec.family = GateFamily::kCz;
    const Target t = draw(spec, 3);
    EXPECT_EQ(t.find("cz")->qargs.size(), 2u * 17u);  // 3 rows x 3 + 2 x 4 vertical
    spec.name = "ring7";
    spec.topology = Topology::kRing;
    spec.num_qubits = 7;
    spec.family = GateFamily::kEcr;
    EXPECT_EQ(draw(spec, 3).find("ecr")->qargs.size(), 7u);
}

TEST(DeviceSpec, bad_specs_are_refused_naming_the_field) {
    struct Case {
        std::function<void(DeviceSpec&)> edit;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {[](DeviceSpec& s) { s.name = "bad name"; }, "backend name \"bad name\""},
        {[](DeviceSpec& s) { s.name = ""; }, "backend name"},
        {[](DeviceSpec& s) { s.num_qubits = 0; }, "emu_x.num_qubits"},
        {[](DeviceSpec& s) { s.num_qubits = 5000; }, "emu_x.num_qubits: must be in 1..1000"},
        {[](DeviceSpec& s) { s.error_2q = 1.5; }, "emu_x.error_2q: must be in [0, 1)"},
        {[](DeviceSpec& s) { s.readout_error = -0.1; }, "emu_x.readout_error"},
        {[](DeviceSpec& s) { s.t1_us = 0; }, "emu_x.t1_us: must be a positive number"},
        {[](DeviceSpec& s) { s.spread = 3; }, "emu_x.spread"},
        {[](DeviceSpec& s) { s.time_scale = -1; }, "emu_x.time_scale"},
        {[](DeviceSpec& s) { s.rep_delay_us = 600; }, "emu_x.rep_delay_us"},
        {[](DeviceSpec& s) { s.faulty_fraction = 1; }, "emu_x.faulty_fraction"},
        {[](DeviceSpec& s) {
             s.topology = Topology::kRing;
             s.num_qubits = 2;
         },
         "ring"},
        {[](DeviceSpec& s) {
             s.simulator = true;
             s.num_qubits = 65;
         },
         "must be in 1..64"},
        {[](DeviceSpec& s) { s.calibration_interval = Duration(0); }, "calibration_interval"},
    };
    for (const Case& c : cases) {
        DeviceSpec s;
        s.name = "emu_x";
        c.edit(s);
        auto b = make_backend(s);
        ASSERT_FALSE(b.ok()) << c.expect;
        EXPECT_EQ(b.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(b.status().message().find(c.expect), std::string::npos) << b.status().message();
    }
}

TEST(DeviceSpec, configuration_words_parse_both_ways) {
    for (Topology t : {Topology::kLine, Topology::kRing, Topology::kGrid, Topology::kHeavyHex}) {
        EXPECT_EQ(parse_topology(to_string(t)).value(), t);
    }
    EXPECT_EQ(parse_topology("heavy-hex").value(), Topology::kHeavyHex);
    EXPECT_FALSE(parse_topology("torus").ok());
    EXPECT_NE(parse_topology("torus").status().message().find("heavy_hex"), std::string::npos);
    EXPECT_EQ(parse_gate_family("cz").value(), GateFamily::kCz);
    EXPECT_EQ(parse_gate_family(to_string(GateFamily::kEcr)).value(), GateFamily::kEcr);
    EXPECT_FALSE(parse_gate_family("cx").ok());
}

TEST(Calibrate, replaces_the_snapshot_deterministically_by_seed) {
    const DeviceSpec spec = spec_named("emu_small5");
    auto a = make_backend(spec);
    auto b = make_backend(spec);
    ASSERT_TRUE(a.ok() && b.ok());
    const std::shared_ptr<const Target> before = (*a)->target();
    const Timestamp at = kT0 + std::chrono::hours(3);

    auto da = (*a)->calibrate(at, 42);
    auto db = (*b)->calibrate(at, 42);
    ASSERT_TRUE(da.ok() && db.ok());
    EXPECT_EQ(*da, kCalibrationDuration);
    EXPECT_EQ((*a)->properties_json(), (*b)->properties_json());
    EXPECT_NE((*a)->properties_json().find("2026-01-01T03:00:00"), std::string::npos);
    EXPECT_EQ((*a)->target()->last_update_date, "2026-01-01T03:00:00.000000Z");
    EXPECT_FALSE(*before == *(*a)->target()) << "a calibration changes the figures";
    EXPECT_EQ(before->backend_version, (*a)->target()->backend_version);
    // The old snapshot is untouched for whoever still holds it.
    EXPECT_NE(before->last_update_date, (*a)->target()->last_update_date);

    ASSERT_TRUE((*b)->calibrate(at, 43).ok());
    EXPECT_NE((*a)->properties_json(), (*b)->properties_json());
    EXPECT_EQ((*a)->configuration_json(), (*b)->configuration_json());
}

TEST(Calibrate, simulator_has_nothing_to_calibrate) {
    auto sim = make_backend(spec_named("sim_ideal"));
    ASSERT_TRUE(sim.ok());
    auto d = (*sim)->calibrate(kT0, 1);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, Duration(0));
    EXPECT_EQ((*sim)->properties_json(), "{}");
    const Target& t = *(*sim)->target();
    EXPECT_TRUE(t.simulator);
    EXPECT_TRUE(t.coupling_map.empty());
    EXPECT_TRUE(t.instruction_supported("h", {0}));
    EXPECT_TRUE(t.instruction_supported("cx", {31, 0}));
    EXPECT_TRUE(t.instruction_supported("ccx", {3, 17, 30}));
    EXPECT_FALSE(t.instruction_supported("cx", {32, 0}));
}

}  // namespace
}  // namespace qrt::backends
