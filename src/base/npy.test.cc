#include "base/npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace qrt {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}

// One line of tests/fixtures/job_codec/npy/manifest.txt (written by generate.py with numpy).
struct Fixture {
    std::string name, descr;
    bool fortran = false, encode_exact = false;
    std::vector<std::size_t> shape;
    std::vector<std::complex<double>> values;  // C order
};

std::vector<Fixture> fixtures() {
    std::vector<Fixture> out;
    std::istringstream in(read_file(std::string(QRT_NPY_FIXTURES) + "/manifest.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = split(line, '\t');
        if (f.size() != 6) {
            ADD_FAILURE() << "bad manifest line: " << line;
            continue;
        }
        Fixture x{f[0], f[1], f[2] == "1", f[3] == "1", {}, {}};
        for (const auto& d : split(f[4], ',')) {
            if (!d.empty()) x.shape.push_back(std::stoull(d));
        }
        std::istringstream vs(f[5]);
        std::string v;
        while (vs >> v) {
            const auto comma = v.find(',');
            if (comma == std::string::npos) {
                x.values.emplace_back(std::strtod(v.c_str(), nullptr), 0.0);
            } else {
                x.values.emplace_back(std::strtod(v.substr(0, comma).c_str(), nullptr),
                                      std::strtod(v.substr(comma + 1).c_str(), nullptr));
            }
        }
        out.push_back(std::move(x));
    }
    return out;
}

TEST(Npy, decodes_every_array_numpy_wrote) {
    const auto all = fixtures();
    ASSERT_GE(all.size(), 15u);
    for (const auto& f : all) {
        SCOPED_TRACE(f.name);
        const std::string bytes = read_file(std::string(QRT_NPY_FIXTURES) + "/" + f.name + ".npy");
        auto a = npy_decode(bytes);
        ASSERT_TRUE(a.ok()) << a.status().to_string();
        EXPECT_EQ(a->shape, f.shape);
        EXPECT_EQ(a->element_count(), f.values.size());
        EXPECT_EQ(npy_item_size(a->descr) * a->element_count(), a->data.size());
        auto z = npy_to_complex(*a);
        ASSERT_TRUE(z.ok());
        ASSERT_EQ(z->size(), f.values.size());
        for (std::size_t i = 0; i < f.values.size(); ++i) EXPECT_EQ((*z)[i], f.values[i]) << i;
        if (f.descr.find('c') == std::string::npos) {
            auto d = npy_to_doubles(*a);
            ASSERT_TRUE(d.ok());
            ASSERT_EQ(d->size(), f.values.size());
            for (std::size_t i = 0; i < d->size(); ++i) EXPECT_EQ((*d)[i], f.values[i].real());
        }
    }
}

TEST(Npy, encodes_byte_for_byte_like_np_save) {
    int checked = 0;
    for (const auto& f : fixtures()) {
        if (!f.encode_exact) continue;
        SCOPED_TRACE(f.name);
        const std::string bytes = read_file(std::string(QRT_NPY_FIXTURES) + "/" + f.name + ".npy");
        auto a = npy_decode(bytes);
        ASSERT_TRUE(a.ok()) << a.status().to_string();
        EXPECT_EQ(npy_encode(*a), bytes);
        ++checked;
    }
    EXPECT_GE(checked, 8);
}

TEST(Npy, builders_match_numpy) {
    // np.save(np.array([0,3,3,0,3,0,0,3], dtype=np.uint8).reshape(8, 1))
    const std::string bell = read_file(std::string(QRT_NPY_FIXTURES) + "/u1_8x1.npy");
    EXPECT_EQ(npy_encode(npy_from_uint8({8, 1}, {0, 3, 3, 0, 3, 0, 0, 3})), bell);
    const std::string scalar = read_file(std::string(QRT_NPY_FIXTURES) + "/f8_scalar.npy");
    EXPECT_EQ(npy_encode(npy_from_doubles({}, {0.9990234375})), scalar);
    const std::string empty = read_file(std::string(QRT_NPY_FIXTURES) + "/f8_empty.npy");
    EXPECT_EQ(npy_encode(npy_from_doubles({0}, {})), empty);
    EXPECT_EQ(empty.size(), 128u);  // the reference's "the npy header is 128 bytes"
}

TEST(Npy, normalises_big_endian_and_fortran_order) {
    auto be = npy_decode(read_file(std::string(QRT_NPY_FIXTURES) + "/f8_big_endian.npy"));
    ASSERT_TRUE(be.ok());
    EXPECT_EQ(be->descr, "<f8");
    EXPECT_EQ(*npy_to_doubles(*be), (std::vector<double>{1.5, -2.0, 1e-300}));
    auto f = npy_decode(read_file(std::string(QRT_NPY_FIXTURES) + "/f8_fortran.npy"));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->shape, (std::vector<std::size_t>{2, 3}));
    EXPECT_EQ(*npy_to_doubles(*f), (std::vector<double>{0, 1, 2, 3, 4, 5}));
    // Re-encoded, it is a C-order array.
    EXPECT_NE(npy_encode(*f).find("'fortran_order': False"), std::string::npos);
}

TEST(Npy, round_trips_shapes) {
    for (const std::vector<std::size_t>& shape : {std::vector<std::size_t>{},
                                                  {0},
                                                  {1},
                                                  {3},
                                                  {2, 3},
                                                  {4, 0, 2},
                                                  {1, 1, 1, 1, 5},
                                                  {1000, 2}}) {
        std::size_t n = 1;
        for (auto d : shape) n *= d;
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i) * 0.5 - 3;
        const std::string bytes = npy_encode(npy_from_doubles(shape, v));
        EXPECT_EQ((bytes.size() - n * 8) % 64, 0u);
        EXPECT_EQ(bytes[bytes.size() - n * 8 - 1], '\n');
        auto back = npy_decode(bytes);
        ASSERT_TRUE(back.ok()) << back.status().to_string();
        EXPECT_EQ(back->shape, shape);
        EXPECT_EQ(*npy_to_doubles(*back), v);
    }
}

TEST(Npy, round_trips_sixty_four_axes_in_version_1) {
    std::vector<std::size_t> shape(64, 1);
    const std::string bytes = npy_encode(npy_from_doubles(shape, {7.0}));
    EXPECT_EQ(bytes[6], '\x01');
    auto back = npy_decode(bytes);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_EQ(back->shape.size(), 64u);
}

std::string with_header(std::string_view header, std::string_view data = {}) {
    std::string out("\x93NUMPY\x01\x00", 8);
    out.push_back(static_cast<char>(header.size() & 0xFF));
    out.push_back(static_cast<char>(header.size() >> 8));
    out.append(header);
    out.append(data);
    return out;
}

TEST(Npy, refuses_bad_input_with_reasons) {
    const std::string eight(8, '\0');
    struct Case {
        std::string bytes;
        std::string message_part;
    };
    const Case cases[] = {
        {"", "magic"},
        {"NUMPY\x01\x00", "magic"},
        {std::string("\x93NUMPY\x04\x00\x10\x00", 10), "version 4.0"},
        {std::string("\x93NUMPY\x01\x00", 8), "truncated"},
        {std::string("\x93NUMPY\x01\x00\xff\x00{}", 12), "truncated"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n",
                     eight.substr(1)),
         "needs 8 data bytes, the array has 7"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", eight + "x"),
         "needs 8 data bytes, the array has 9"},
        {with_header("{'descr': '<f8', 'fortran_order': False}\n"), "must have the keys"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}\n"),
         "unexpected key 'x'"},
        {with_header("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': ()}\n"),
         "duplicate key"},
        {with_header("{'descr': 'O', 'fortran_order': False, 'shape': (1,), }\n", eight),
         "unsupported dtype 'O'"},
        {with_header("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }\n"),
         "unsupported dtype"},
        {with_header("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }\n"),
         "structured"},
        {with_header("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }\n"), "True or False"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1), }\n"), "not a tuple"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }\n"),
         "integers >= 0"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': [1], }\n"), "tuple"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), "
                     "}\n"),
         "64 bits"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, "
                     "4294967296), }\n"),
         "too large"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (), } junk\n"),
         "after the header"},
        {with_header("__import__('os').system('true')\n"), "expected '{'"},
        {with_header("{'descr': '<f8\\'', 'fortran_order': False, 'shape': (), }\n"), "descr"},
        {with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (\xc3\xa9,), }\n"),
         "ASCII"},
    };
    for (const auto& c : cases) {
        auto r = npy_decode(c.bytes);
        ASSERT_FALSE(r.ok()) << c.message_part;
        EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
            << r.status().message();
        EXPECT_EQ(r.status().message().rfind("npy: ", 0), 0u) << r.status().message();
    }
}

TEST(Npy, refuses_too_many_axes_and_huge_headers) {
    std::string axes = "(";
    for (int i = 0; i < 65; ++i) axes += "1, ";
    axes += ")";
    auto r = npy_decode(
        with_header("{'descr': '<f8', 'fortran_order': False, 'shape': " + axes + ", }\n"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("more than 64 axes"), std::string::npos);

    std::string big("\x93NUMPY\x02\x00", 8);
    big += std::string("\x00\x00\x01\x00", 4);  // 65536-byte header
    big += std::string(65536, ' ');
    r = npy_decode(big);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("larger than the limit"), std::string::npos);
}

TEST(Npy, converts_dtypes_to_doubles) {
    auto i8 = npy_decode(read_file(std::string(QRT_NPY_FIXTURES) + "/i8.npy"));
    ASSERT_TRUE(i8.ok());
    EXPECT_EQ(*npy_to_doubles(*i8), (std::vector<double>{-3, 0, 7, 1099511627776.0}));
    auto b1 = npy_decode(read_file(std::string(QRT_NPY_FIXTURES) + "/b1.npy"));
    ASSERT_TRUE(b1.ok());
    EXPECT_EQ(b1->descr, "|b1");
    EXPECT_EQ(*npy_to_doubles(*b1), (std::vector<double>{1, 0, 1}));
    auto c = npy_decode(read_file(std::string(QRT_NPY_FIXTURES) + "/c16.npy"));
    ASSERT_TRUE(c.ok());
    auto d = npy_to_doubles(*c);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find("complex"), std::string::npos);
}

}  // namespace
}  // namespace qrt
