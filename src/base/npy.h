// numpy's .npy format (numpy/lib/format.py): the arrays inside qiskit-ibm-runtime's
// {"__type__": "ndarray", "__value__": base64(zlib(npy))} values, both directions.
//
//   "\x93NUMPY" major minor | header length (u16 LE for 1.0, u32 LE for 2.0 and 3.0) |
//   header: a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
//   padded with spaces and ended by '\n' | raw element bytes
//
// Decoding reads versions 1.0, 2.0 and 3.0 (UTF-8 header) and the numeric dtypes b1, i1, u1, i2,
// u2, i4, u4, i8, u8, f4, f8, c8, c16 in either byte order; structured, object, string and
// datetime dtypes are refused. The input is untrusted: the header is parsed (never evaluated), its
// keys must be exactly descr, fortran_order and shape, at most 64 axes, and the data must be
// exactly shape-product × item-size bytes (overflow-checked; trailing bytes are an error).
// Decoded arrays are normalised to little-endian and C order: a Fortran-order array is transposed
// on decode, so `shape` and `data` always mean the same thing.
//
// Encoding writes exactly what np.save writes (numpy 1.x and 2.x): version 1.0 (2.0 only when the
// header would not fit), keys in sorted order, the 21-digit growth padding after the dict, spaces
// to a 64-byte boundary, then '\n'.
//
// Pure functions; thread-safe. Errors are invalid_argument with a reason starting "npy: ".
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace qrt {

struct NpyArray {
    // "<f8", "<f4", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1", "<c8", "<c16"
    // (decoded arrays always use these little-endian spellings).
    std::string descr;
    std::vector<std::size_t> shape;  // {} is a 0-d array (one element)
    std::string data;                // C-order element bytes

    // Product of `shape` (1 for a 0-d array). Valid for decoded or npy_from_* arrays.
    std::size_t element_count() const;
};

// The item size of a supported dtype descr ("<f8" -> 8), or 0 when unsupported.
std::size_t npy_item_size(std::string_view descr);

// Parses .npy bytes. Errors: bad magic or version, a header that is not the dict above, an
// unsupported dtype, too many axes, data of the wrong size.
Result<NpyArray> npy_decode(std::string_view bytes);

// The .npy bytes of `a`, byte-identical to np.save(f, array, allow_pickle=False). `a` must be
// consistent (a supported little-endian descr, data size = element count × item size); anything
// else is a programming error (asserted).
std::string npy_encode(const NpyArray& a);

// Builders for the arrays qrt writes.
NpyArray npy_from_doubles(std::vector<std::size_t> shape, const std::vector<double>& values);
NpyArray npy_from_uint8(std::vector<std::size_t> shape, const std::vector<std::uint8_t>& values);

// The elements as doubles, for every real dtype (bool as 0/1; 64-bit integers may round).
// Complex dtypes are refused ("npy: expected real numbers, got complex dtype '<c16'").
Result<std::vector<double>> npy_to_doubles(const NpyArray& a);
// The elements as complex numbers, for every supported dtype.
Result<std::vector<std::complex<double>>> npy_to_complex(const NpyArray& a);

}  // namespace qrt
