// The JobStore conformance suite: one body of tests that every store implementation must pass
// (the qsim `simulator_testfixture.h` pattern). It covers every method, the list filters against
// a reference model, concurrency, reopening and a killed writer process.
//
// An implementation's test file instantiates it with a factory:
//
//     INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
//                              ::testing::Values(StoreFactory{"sqlite", open_my_store}),
//                              StoreFactory::test_name);
//
// Thread safety: as GoogleTest fixtures; the tests start their own threads and one forks.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "store/job_store.h"

namespace qrt::store::testing {

// The Status of a Status or of a Result, for the assertion macros below.
inline Status status_of(const Status& s) { return s; }
template <typename T>
Status status_of(const Result<T>& r) {
    return r.status();
}

}  // namespace qrt::store::testing

// Assert / expect that a Status or Result is ok, printing the error otherwise.
#define QRT_ASSERT_OK(expr)                                                                \
    do {                                                                                   \
        const auto& qrt_result_ = (expr);                                                  \
        ASSERT_TRUE(qrt_result_.ok())                                                      \
            << #expr << ": " << ::qrt::store::testing::status_of(qrt_result_).to_string(); \
    } while (false)
#define QRT_EXPECT_OK(expr)                                                                \
    do {                                                                                   \
        const auto& qrt_result_ = (expr);                                                  \
        EXPECT_TRUE(qrt_result_.ok())                                                      \
            << #expr << ": " << ::qrt::store::testing::status_of(qrt_result_).to_string(); \
    } while (false)

namespace qrt::store::testing {

struct StoreFactory {
    std::string name;
    // Opens the store kept at `location`: a fresh, empty directory made for each test. Opening
    // the same location again (after the previous store was destroyed, or after the process
    // that had it open was killed) must find every change committed before.
    std::function<Result<std::unique_ptr<JobStore>>(const std::string& location)> open;

    static std::string test_name(const ::testing::TestParamInfo<StoreFactory>& info) {
        return info.param.name;
    }
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override;
    void TearDown() override;

    // Closes the store and opens it again from the same location.
    void reopen();
    // Closes the store (for tests that hand the location to another process).
    void close_store() { store.reset(); }

    std::string location;  // the test's directory
    std::unique_ptr<JobStore> store;
};

}  // namespace qrt::store::testing
