#include "web/job_summary.h"

#include <gtest/gtest.h>

#include "primitives/job_codec.h"

namespace qrt::web {
namespace {

constexpr std::string_view kBell = R"(OPENQASM 3.0;
include "stdgates.inc";
bit[2] c;
qubit[2] q;
h q[0];
cx q[0], q[1];
barrier q;
c[0] = measure q[0];
c[1] = measure q[1];
)";

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
        } else if (c == '"') {
            out += "\\\"";
        } else {
            out.push_back(c);
        }
    }
    return out + "\"";
}

TEST(JobSummary, sampler_pubs_give_width_depth_and_shots) {
    const std::string params = "{\"pubs\": [[" + json_string(kBell) + ", null, 64], [" +
                               json_string(kBell) + "]], \"version\": 2}";
    auto pubs = summarize_pubs("sampler", params);
    ASSERT_TRUE(pubs.ok()) << pubs.status().to_string();
    ASSERT_EQ(pubs->size(), 2u);
    EXPECT_EQ((*pubs)[0].num_qubits, 2u);
    EXPECT_EQ((*pubs)[0].num_clbits, 2u);
    EXPECT_EQ((*pubs)[0].depth, 3u);       // h, cx, measure (the barrier does not count)
    EXPECT_EQ((*pubs)[0].operations, 4u);  // h, cx, 2 measures
    EXPECT_EQ((*pubs)[0].shots, 64u);
    EXPECT_EQ((*pubs)[1].shots, 4096u);  // the default
}

TEST(JobSummary, estimator_pubs_list_their_observables) {
    const std::string circuit = R"(OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
h q[0];
cx q[0], q[1];
)";
    const std::string params = "{\"pubs\": [[" + json_string(circuit) +
                               ", {\"ZZ\": 1.0, \"XX\": 0.5}, null, 0.01]], \"version\": 2}";
    auto pubs = summarize_pubs("estimator", params);
    ASSERT_TRUE(pubs.ok()) << pubs.status().to_string();
    ASSERT_EQ(pubs->size(), 1u);
    EXPECT_EQ((*pubs)[0].num_observables, 1u);
    ASSERT_EQ((*pubs)[0].observables.size(), 1u);
    EXPECT_NE((*pubs)[0].observables[0].find("ZZ"), std::string::npos);
    EXPECT_NE((*pubs)[0].observables[0].find("XX"), std::string::npos);
    EXPECT_DOUBLE_EQ((*pubs)[0].precision.value_or(0), 0.01);
}

TEST(JobSummary, bad_params_are_an_error_not_a_crash) {
    EXPECT_FALSE(summarize_pubs("sampler", "{").ok());
    EXPECT_FALSE(summarize_pubs("sampler", "{\"pubs\": [[\"not qasm\"]]}").ok());
    EXPECT_FALSE(summarize_pubs("calibrate", "{}").ok());
}

TEST(JobSummary, plain_sampler_results_become_counts) {
    const std::string result =
        R"({"results":[{"data":{"c":{"samples":["0x0","0x3","0x3","0x1"],"num_bits":2}},)"
        R"("metadata":{}}],"metadata":{"version":2}})";
    auto pics = picture_results("sampler", result);
    ASSERT_TRUE(pics.ok()) << pics.status().to_string();
    ASSERT_EQ(pics->size(), 1u);
    ASSERT_EQ((*pics)[0].registers.size(), 1u);
    const auto& reg = (*pics)[0].registers[0];
    EXPECT_EQ(reg.name, "c");
    EXPECT_EQ(reg.shots, 4u);
    ASSERT_EQ(reg.counts.size(), 3u);  // bitstring order when everything fits
    EXPECT_EQ(reg.counts[0].label, "00");
    EXPECT_EQ(reg.counts[1].label, "01");
    EXPECT_EQ(reg.counts[2].label, "11");
    EXPECT_EQ(reg.counts[2].value, 2);
}

TEST(JobSummary, typed_sampler_results_from_the_codec_become_the_same_counts) {
    primitives::PrimitiveJob job;
    job.program = primitives::Program::kSampler;
    job.support_qiskit = true;
    job.sampler_pubs.resize(1);
    primitives::SamplerPubResult r;
    primitives::BitArray bits;
    bits.num_shots = 5;
    bits.num_bits = 10;  // two bytes per shot, big-endian
    // shots: 0b1000000001 (0x201) x3, 0b0000000011 (0x003) x2
    bits.bytes = {0x02, 0x01, 0x02, 0x01, 0x02, 0x01, 0x00, 0x03, 0x00, 0x03};
    r.data.emplace_back("meas", bits);
    r.shots = 5;
    const std::string json = primitives::encode_sampler_results(job, {r});
    auto pics = picture_results("sampler", json);
    ASSERT_TRUE(pics.ok()) << pics.status().to_string();
    const auto& reg = (*pics)[0].registers.at(0);
    EXPECT_EQ(reg.name, "meas");
    EXPECT_EQ(reg.num_bits, 10u);
    EXPECT_EQ(reg.shots, 5u);
    ASSERT_EQ(reg.counts.size(), 2u);
    EXPECT_EQ(reg.counts[0].label, "0000000011");
    EXPECT_EQ(reg.counts[0].value, 2);
    EXPECT_EQ(reg.counts[1].label, "1000000001");
    EXPECT_EQ(reg.counts[1].value, 3);
}

TEST(JobSummary, many_outcomes_keep_the_most_frequent_and_count_the_rest) {
    std::string samples;
    for (int i = 0; i < 40; ++i) samples += (i ? ",\"0x" : "\"0x") + std::to_string(i % 10) + "\"";
    samples += ",\"0x1\"";  // 0x1 most frequent
    const std::string result =
        R"({"results":[{"data":{"c":{"samples":[)" + samples + R"(],"num_bits":4}}}]})";
    auto pics = picture_results("sampler", result, 3);
    ASSERT_TRUE(pics.ok());
    const auto& reg = (*pics)[0].registers[0];
    ASSERT_EQ(reg.counts.size(), 3u);
    EXPECT_EQ(reg.counts[0].label, "0001");
    EXPECT_EQ(reg.other, 41u - 5 - 4 - 4);
}

TEST(JobSummary, estimator_results_in_both_forms_become_error_bars) {
    primitives::PrimitiveJob job;
    job.program = primitives::Program::kEstimator;
    job.support_qiskit = true;
    job.estimator_pubs.resize(1);
    primitives::EstimatorPubResult r;
    r.evs = {{2}, {0.9, -0.4}};
    r.stds = {{2}, {0.01, 0.02}};
    r.ensemble_standard_error = r.stds;
    for (bool typed : {true, false}) {
        job.support_qiskit = typed;
        const std::string json = primitives::encode_estimator_results(job, {r});
        auto pics = picture_results("estimator", json);
        ASSERT_TRUE(pics.ok()) << typed << pics.status().to_string();
        const auto& evs = (*pics)[0].evs;
        ASSERT_EQ(evs.size(), 2u) << typed;
        EXPECT_DOUBLE_EQ(evs[0].value, 0.9);
        EXPECT_DOUBLE_EQ(evs[1].value, -0.4);
        EXPECT_DOUBLE_EQ(evs[1].error, 0.02);
    }
}

TEST(JobSummary, broken_results_are_an_error) {
    EXPECT_FALSE(picture_results("sampler", "nope").ok());
    EXPECT_FALSE(picture_results("sampler", "{}").ok());
    EXPECT_FALSE(picture_results("sampler", R"({"results":[{"nodata":1}]})").ok());
    EXPECT_FALSE(picture_results(
                     "sampler",
                     R"({"__type__":"PrimitiveResult","__value__":{"pub_results":[{"__type__":)"
                     R"("SamplerPubResult","__value__":{"data":{"__type__":"DataBin","__value__")"
                     R"(:{"fields":{"m":{"__type__":"BitArray","__value__":{"array":{"__type__")"
                     R"(:"ndarray","__value__":"!!"},"num_bits":2}}}}}}}]}})")
                     .ok());
}

TEST(JobSummary, device_map_reads_coupling_map_and_error_rates) {
    const std::string config = R"({"n_qubits": 3, "coupling_map": [[0,1],[1,0],[1,2],[5,1]]})";
    const std::string props = R"({"qubits": [[{"name":"readout_error","value":0.02}],
        [{"name":"T1","value":100},{"name":"readout_error","value":0.05}], []],
        "gates": [{"gate":"cz","qubits":[0,1],"parameters":[{"name":"gate_error","value":0.01}]},
                  {"gate":"cz","qubits":[1,0],"parameters":[{"name":"gate_error","value":0.03}]},
                  {"gate":"sx","qubits":[2],"parameters":[{"name":"gate_error","value":0.5}]}]})";
    auto map = device_map_from_json("dev", config, props);
    ASSERT_TRUE(map.ok()) << map.status().to_string();
    EXPECT_EQ(map->num_qubits, 3u);
    EXPECT_EQ(map->edges.size(), 2u);  // both directions once; out-of-range edge dropped
    EXPECT_EQ(map->readout_error[1], 0.05);
    EXPECT_FALSE(map->readout_error[2].has_value());
    EXPECT_EQ(map->edge_error.size(), 1u);
    EXPECT_DOUBLE_EQ(map->edge_error.at({0, 1}), 0.03);  // the worse direction
    EXPECT_FALSE(device_map_from_json("dev", "{}", "{}").ok());
}

TEST(JobSummary, workload_phases_reconstruct_busy_idle_and_inactive_time) {
    const Timestamp t0 = Timestamp(std::chrono::seconds(1000));
    auto at = [&](int s) { return t0 + std::chrono::seconds(s); };
    store::SessionRecord s;
    s.created = at(0);
    s.started_at = at(2);
    s.interactive_ttl_s = 3;
    s.closed_at = at(30);
    store::JobRecord a, b;
    a.started = at(2);
    a.finished = at(5);
    b.started = at(12);
    b.finished = at(14);
    const auto phases = workload_phases(s, {b, a}, at(100));
    ASSERT_EQ(phases.size(), 7u);
    EXPECT_EQ(phases[0].phase, Phase::kPending);
    EXPECT_EQ(phases[0].to, at(2));
    EXPECT_EQ(phases[1].phase, Phase::kBusy);
    EXPECT_EQ(phases[1].to, at(5));
    EXPECT_EQ(phases[2].phase, Phase::kActiveIdle);
    EXPECT_EQ(phases[2].to, at(8));
    EXPECT_EQ(phases[3].phase, Phase::kInactive);
    EXPECT_EQ(phases[3].to, at(12));
    EXPECT_EQ(phases[4].phase, Phase::kBusy);
    EXPECT_EQ(phases[5].phase, Phase::kActiveIdle);
    EXPECT_EQ(phases[6].phase, Phase::kInactive);
    EXPECT_EQ(phases.back().to, at(30));  // nothing after closed
}

TEST(JobSummary, a_session_that_never_started_is_pending_until_now) {
    store::SessionRecord s;
    s.created = Timestamp(std::chrono::seconds(10));
    const auto phases = workload_phases(s, {}, Timestamp(std::chrono::seconds(20)));
    ASSERT_EQ(phases.size(), 1u);
    EXPECT_EQ(phases[0].phase, Phase::kPending);
}

}  // namespace
}  // namespace qrt::web
