// Functions of the store interface that belong to no implementation: the API key hash.
#include "store/job_store.h"

#include <openssl/evp.h>

#include <array>

namespace qrt::store {

std::string hash_api_key(const std::string& secret) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(secret.data(), secret.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
        1) {
        // Only an OpenSSL without SHA-256 (a broken installation) gets here; an empty hash
        // matches no stored key, so authentication fails closed.
        return {};
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xf];
    }
    return hex;
}

}  // namespace qrt::store
