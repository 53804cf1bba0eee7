#include "cli/observable_text.h"

#include <gtest/gtest.h>

namespace qrt::cli {
namespace {

TEST(ParseObservable, reads_a_single_pauli_string) {
    EXPECT_EQ(parse_observable("ZZ"), (Observable{{"ZZ", 1.0}}));
}

TEST(ParseObservable, reads_sums_with_coefficients_and_signs) {
    EXPECT_EQ(parse_observable("0.5*XX - 0.5*YY + 0.25 ZZ"),
              (Observable{{"XX", 0.5}, {"YY", -0.5}, {"ZZ", 0.25}}));
    EXPECT_EQ(parse_observable("-ZI"), (Observable{{"ZI", -1.0}}));
    EXPECT_EQ(parse_observable("1e-3*IZ"), (Observable{{"IZ", 1e-3}}));
}

std::string error_of(std::string_view text) {
    try {
        parse_observable(text);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
        return e.what();
    }
    return "no error";
}

TEST(ParseObservable, rejects_bad_text_naming_the_position) {
    EXPECT_EQ(error_of(""),
              "--observable: expected a Pauli string (I, X, Y, Z) at position 0 in \"\"");
    EXPECT_EQ(error_of("0.5*"),
              "--observable: expected a Pauli string (I, X, Y, Z) at position 4 in \"0.5*\"");
    EXPECT_EQ(error_of("ZZ XX"), "--observable: expected '+' or '-' at position 3 in \"ZZ XX\"");
    EXPECT_EQ(error_of("zz"),
              "--observable: expected a Pauli string (I, X, Y, Z) at position 0 in \"zz\"");
    EXPECT_NE(error_of("ZZ + XXX").find("has 3 qubits"), std::string::npos);
}

}  // namespace
}  // namespace qrt::cli
