#include "base/npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <optional>

namespace qrt {
namespace {

static_assert(std::endian::native == std::endian::little,
              "npy.cc copies little-endian element bytes straight into numbers");

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kMaxAxes = 64;            // numpy 2's NPY_MAXDIMS
constexpr std::size_t kMaxHeaderBytes = 10000;  // numpy's default max_header_size for np.load
constexpr std::size_t kArrayAlign = 64;         // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthAxisMaxDigits = 21;

Status bad(std::string message) { return invalid_argument("npy: " + std::move(message)); }

struct DtypeInfo {
    std::string_view name;  // without the byte-order character
    std::size_t size;
    char kind;  // 'b' bool, 'i' signed, 'u' unsigned, 'f' float, 'c' complex
};

constexpr DtypeInfo kDtypes[] = {
    {"b1", 1, 'b'}, {"i1", 1, 'i'}, {"u1", 1, 'u'},   {"i2", 2, 'i'}, {"u2", 2, 'u'},
    {"i4", 4, 'i'}, {"u4", 4, 'u'}, {"i8", 8, 'i'},   {"u8", 8, 'u'}, {"f4", 4, 'f'},
    {"f8", 8, 'f'}, {"c8", 8, 'c'}, {"c16", 16, 'c'},
};

const DtypeInfo* find_dtype(std::string_view name) {
    for (const auto& d : kDtypes) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

// The dtype of a canonical (decoded or built) descr: "<f8", "|u1", ...
const DtypeInfo* canonical_dtype(std::string_view descr) {
    if (descr.size() < 2) return nullptr;
    const DtypeInfo* d = find_dtype(descr.substr(1));
    if (d == nullptr) return nullptr;
    return descr[0] == (d->size == 1 ? '|' : '<') ? d : nullptr;
}

std::string canonical_descr(const DtypeInfo& d) {
    return fmt::format("{}{}", d.size == 1 ? '|' : '<', d.name);
}

// a * b, or nullopt on overflow.
std::optional<std::size_t> checked_mul(std::size_t a, std::size_t b) {
    if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) return std::nullopt;
    return a * b;
}

// Python's repr of a tuple of ints: "()", "(3,)", "(2, 3)".
std::string shape_repr(const std::vector<std::size_t>& shape) {
    if (shape.size() == 1) return fmt::format("({},)", shape[0]);
    return fmt::format("({})", fmt::join(shape, ", "));
}

// ---------------------------------------------------------------------------------------------
// The header: a Python dict literal, parsed (never evaluated).

struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::size_t> shape;
};

class HeaderParser {
public:
    explicit HeaderParser(std::string_view text) : s_(text) {}

    Result<Header> parse() {
        Header h;
        bool have_descr = false, have_order = false, have_shape = false;
        skip_space();
        if (!eat('{')) return error("expected '{' at the start of the header");
        while (true) {
            skip_space();
            if (eat('}')) break;
            auto key = string_literal();
            if (!key) return error("expected a quoted key");
            skip_space();
            if (!eat(':')) return error(fmt::format("expected ':' after '{}'", *key));
            skip_space();
            if (*key == "descr") {
                if (have_descr) return error("duplicate key 'descr'");
                have_descr = true;
                if (peek() == '[' || peek() == '(') {
                    return bad("structured dtypes (a list descr) are not supported");
                }
                auto d = string_literal();
                if (!d) return error("'descr' must be a quoted dtype string");
                h.descr = *d;
            } else if (*key == "fortran_order") {
                if (have_order) return error("duplicate key 'fortran_order'");
                have_order = true;
                if (word("True")) {
                    h.fortran_order = true;
                } else if (word("False")) {
                    h.fortran_order = false;
                } else {
                    return error("'fortran_order' must be True or False");
                }
            } else if (*key == "shape") {
                if (have_shape) return error("duplicate key 'shape'");
                have_shape = true;
                QRT_RETURN_IF_ERROR(shape_tuple(h.shape));
            } else {
                return error(fmt::format("unexpected key '{}'", *key));
            }
            skip_space();
            if (eat(',')) continue;
            skip_space();
            if (eat('}')) break;
            return error("expected ',' or '}'");
        }
        // After the dict only the padding may follow.
        skip_space();
        if (pos_ != s_.size()) return error("unexpected text after the header dict");
        if (!have_descr || !have_order || !have_shape) {
            return bad("the header must have the keys 'descr', 'fortran_order' and 'shape'");
        }
        return h;
    }

private:
    Status error(const std::string& what) const {
        return bad(fmt::format("malformed header at offset {}: {}", pos_, what));
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    bool word(std::string_view w) {
        if (s_.substr(pos_, w.size()) != w) return false;
        pos_ += w.size();
        return true;
    }
    void skip_space() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) {
            ++pos_;
        }
    }
    // 'text' or "text" without escapes (numpy never writes any in these strings).
    std::optional<std::string> string_literal() {
        const char q = peek();
        if (q != '\'' && q != '"') return std::nullopt;
        const std::size_t end = s_.find(q, pos_ + 1);
        if (end == std::string_view::npos) return std::nullopt;
        std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
        if (out.find('\\') != std::string::npos) return std::nullopt;
        pos_ = end + 1;
        return out;
    }
    Status shape_tuple(std::vector<std::size_t>& shape) {
        if (!eat('(')) return error("'shape' must be a tuple of integers");
        bool trailing_comma = false;
        while (true) {
            skip_space();
            if (eat(')')) break;
            if (peek() < '0' || peek() > '9') return error("'shape' must hold integers >= 0");
            std::size_t v = 0;
            while (peek() >= '0' && peek() <= '9') {
                const auto next = checked_mul(v, 10);
                const std::size_t digit = static_cast<std::size_t>(peek() - '0');
                if (!next || *next > std::numeric_limits<std::size_t>::max() - digit) {
                    return error("an axis length does not fit in 64 bits");
                }
                v = *next + digit;
                ++pos_;
            }
            if (shape.size() == kMaxAxes) {
                return bad(fmt::format("more than {} axes", kMaxAxes));
            }
            shape.push_back(v);
            skip_space();
            trailing_comma = eat(',');
            if (!trailing_comma) {
                skip_space();
                if (eat(')')) break;
                return error("expected ',' or ')' in 'shape'");
            }
        }
        // Python's (3) is the integer 3, not a tuple.
        if (shape.size() == 1 && !trailing_comma) return error("'shape' (n) is not a tuple");
        return {};
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

std::uint16_t read_u16le(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                      (static_cast<unsigned char>(b[at + 1]) << 8));
}

std::uint32_t read_u32le(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

// Fortran-order element bytes -> C order.
std::string fortran_to_c(const std::string& data, const std::vector<std::size_t>& shape,
                         std::size_t item) {
    const std::size_t n = data.size() / item;
    if (shape.size() < 2 || n == 0) return data;
    std::vector<std::size_t> fstride(shape.size());
    std::size_t s = 1;
    for (std::size_t a = 0; a < shape.size(); ++a) {
        fstride[a] = s;
        s *= shape[a];
    }
    std::string out(data.size(), '\0');
    std::vector<std::size_t> index(shape.size(), 0);
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t f = 0;
        for (std::size_t a = 0; a < shape.size(); ++a) f += index[a] * fstride[a];
        std::memcpy(&out[c * item], &data[f * item], item);
        for (std::size_t a = shape.size(); a-- > 0;) {  // C-order increment
            if (++index[a] < shape[a]) break;
            index[a] = 0;
        }
    }
    return out;
}

template <typename T>
T load(const std::string& data, std::size_t i) {
    T v;
    std::memcpy(&v, &data[i * sizeof(T)], sizeof(T));
    return v;
}

}  // namespace

std::size_t NpyArray::element_count() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
}

std::size_t npy_item_size(std::string_view descr) {
    const DtypeInfo* d = canonical_dtype(descr);
    return d == nullptr ? 0 : d->size;
}

Result<NpyArray> npy_decode(std::string_view bytes) {
    if (bytes.size() < kMagic.size() + 2 || bytes.substr(0, kMagic.size()) != kMagic) {
        return bad("not an .npy array (the magic \"\\x93NUMPY\" is missing)");
    }
    const int major = static_cast<unsigned char>(bytes[6]);
    const int minor = static_cast<unsigned char>(bytes[7]);
    std::size_t header_len = 0, header_at = 0;
    if (major == 1 && minor == 0) {
        if (bytes.size() < 10) return bad("truncated header length");
        header_len = read_u16le(bytes, 8);
        header_at = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (bytes.size() < 12) return bad("truncated header length");
        header_len = read_u32le(bytes, 8);
        header_at = 12;
    } else {
        return bad(fmt::format("unsupported format version {}.{} (1.0, 2.0 and 3.0 are read)",
                               major, minor));
    }
    if (header_len > kMaxHeaderBytes) {
        return bad(fmt::format("header of {} bytes is larger than the limit of {}", header_len,
                               kMaxHeaderBytes));
    }
    if (bytes.size() - header_at < header_len) {
        return bad(fmt::format("truncated: the header needs {} bytes, {} are left", header_len,
                               bytes.size() - header_at));
    }
    const std::string_view header_text = bytes.substr(header_at, header_len);
    if (major < 3) {
        for (char ch : header_text) {
            if (static_cast<unsigned char>(ch) >= 0x80) {
                return bad("the header of a version 1.0/2.0 file must be ASCII");
            }
        }
    }
    auto header = HeaderParser(header_text).parse();
    if (!header.ok()) return header.status();

    const std::string& descr = header->descr;
    const DtypeInfo* dtype =
        descr.size() >= 2 ? find_dtype(std::string_view(descr).substr(1)) : nullptr;
    const char order = descr.empty() ? '\0' : descr[0];
    if (dtype == nullptr || (order != '<' && order != '>' && order != '|' && order != '=')) {
        return bad(
            fmt::format("unsupported dtype '{}' (supported: bool, int8-64, uint8-64, float32/64, "
                        "complex64/128)",
                        descr.substr(0, 32)));
    }

    std::size_t count = 1;
    for (std::size_t d : header->shape) {
        const auto next = checked_mul(count, d);
        if (!next) return bad(fmt::format("shape {} is too large", shape_repr(header->shape)));
        count = *next;
    }
    const auto expected = checked_mul(count, dtype->size);
    const std::size_t data_at = header_at + header_len;
    const std::size_t have = bytes.size() - data_at;
    if (!expected || *expected != have) {
        return bad(fmt::format(
            "shape {} of '{}' needs {} data bytes, the array has {}", shape_repr(header->shape),
            descr, expected ? fmt::format("{}", *expected) : std::string("too many"), have));
    }

    NpyArray out;
    out.descr = canonical_descr(*dtype);
    out.shape = std::move(header->shape);
    out.data.assign(bytes.substr(data_at));
    if (order == '>' && dtype->size > 1) {
        // Complex numbers swap each of their two halves.
        const std::size_t word = dtype->kind == 'c' ? dtype->size / 2 : dtype->size;
        for (std::size_t at = 0; at < out.data.size(); at += word) {
            std::reverse(out.data.begin() + static_cast<std::ptrdiff_t>(at),
                         out.data.begin() + static_cast<std::ptrdiff_t>(at + word));
        }
    }
    if (header->fortran_order) out.data = fortran_to_c(out.data, out.shape, dtype->size);
    return out;
}

std::string npy_encode(const NpyArray& a) {
    [[maybe_unused]] const DtypeInfo* dtype = canonical_dtype(a.descr);
    assert(dtype != nullptr && a.data.size() == a.element_count() * dtype->size);

    std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                     a.descr, shape_repr(a.shape));
    if (!a.shape.empty()) {
        const std::size_t digits = fmt::format("{}", a.shape[0]).size();
        if (digits < kGrowthAxisMaxDigits) header.append(kGrowthAxisMaxDigits - digits, ' ');
    }
    const std::size_t hlen = header.size() + 1;  // + '\n'
    std::size_t prefix = kMagic.size() + 2 + 2;
    std::size_t pad = kArrayAlign - (prefix + hlen) % kArrayAlign;
    const bool v2 = hlen + pad > 0xFFFF;
    if (v2) {
        prefix = kMagic.size() + 2 + 4;
        pad = kArrayAlign - (prefix + hlen) % kArrayAlign;
    }
    const std::size_t field = hlen + pad;

    std::string out;
    out.reserve(prefix + field + a.data.size());
    out.append(kMagic);
    out.push_back(static_cast<char>(v2 ? 2 : 1));
    out.push_back('\0');
    const int len_bytes = v2 ? 4 : 2;
    for (int i = 0; i < len_bytes; ++i) out.push_back(static_cast<char>((field >> (8 * i)) & 0xFF));
    out.append(header);
    out.append(pad, ' ');
    out.push_back('\n');
    out.append(a.data);
    return out;
}

NpyArray npy_from_doubles(std::vector<std::size_t> shape, const std::vector<double>& values) {
    NpyArray a;
    a.descr = "<f8";
    a.shape = std::move(shape);
    a.data.resize(values.size() * sizeof(double));
    if (!values.empty()) std::memcpy(a.data.data(), values.data(), a.data.size());
    assert(values.size() == a.element_count());
    return a;
}

NpyArray npy_from_uint8(std::vector<std::size_t> shape, const std::vector<std::uint8_t>& values) {
    NpyArray a;
    a.descr = "|u1";
    a.shape = std::move(shape);
    a.data.assign(values.begin(), values.end());
    assert(values.size() == a.element_count());
    return a;
}

Result<std::vector<std::complex<double>>> npy_to_complex(const NpyArray& a) {
    const DtypeInfo* d = canonical_dtype(a.descr);
    if (d == nullptr || a.data.size() % d->size != 0) {
        return bad(fmt::format("unsupported dtype '{}'", a.descr));
    }
    const std::size_t n = a.data.size() / d->size;
    std::vector<std::complex<double>> out(n);
    const std::string_view name = d->name;
    for (std::size_t i = 0; i < n; ++i) {
        double re = 0, im = 0;
        if (name == "b1") {
            re = a.data[i] != 0 ? 1.0 : 0.0;
        } else if (name == "i1") {
            re = load<std::int8_t>(a.data, i);
        } else if (name == "u1") {
            re = load<std::uint8_t>(a.data, i);
        } else if (name == "i2") {
            re = load<std::int16_t>(a.data, i);
        } else if (name == "u2") {
            re = load<std::uint16_t>(a.data, i);
        } else if (name == "i4") {
            re = load<std::int32_t>(a.data, i);
        } else if (name == "u4") {
            re = load<std::uint32_t>(a.data, i);
        } else if (name == "i8") {
            re = static_cast<double>(load<std::int64_t>(a.data, i));
        } else if (name == "u8") {
            re = static_cast<double>(load<std::uint64_t>(a.data, i));
        } else if (name == "f4") {
            re = load<float>(a.data, i);
        } else if (name == "f8") {
            re = load<double>(a.data, i);
        } else if (name == "c8") {
            re = load<float>(a.data, 2 * i);
            im = load<float>(a.data, 2 * i + 1);
        } else {  // c16
            re = load<double>(a.data, 2 * i);
            im = load<double>(a.data, 2 * i + 1);
        }
        out[i] = {re, im};
    }
    return out;
}

Result<std::vector<double>> npy_to_doubles(const NpyArray& a) {
    const DtypeInfo* d = canonical_dtype(a.descr);
    if (d != nullptr && d->kind == 'c') {
        return bad(fmt::format("expected real numbers, got complex dtype '{}'", a.descr));
    }
    auto c = npy_to_complex(a);
    if (!c.ok()) return c.status();
    std::vector<double> out;
    out.reserve(c->size());
    for (const auto& z : *c) out.push_back(z.real());
    return out;
}

}  // namespace qrt
