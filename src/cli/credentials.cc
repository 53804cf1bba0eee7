#include "cli/credentials.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>

namespace qrt::cli {

void add_connection_flags(CLI::App* verb, ConnectionFlags& flags) {
    verb->add_option("--url", flags.url,
                     "server URL (default: $QRT_URL, else http://127.0.0.1:8000)");
    verb->add_option("--token", flags.token,
                     "API key or token (default: $QRT_TOKEN, else $QRT_API_KEY, else the local "
                     "server's DATA_DIR/admin.key)");
    verb->add_option("--data-dir", flags.data_dir,
                     "where to find admin.key (default: $QRT_DATA_DIR, else "
                     "$HOME/.local/share/qrt)");
}

std::string resolve_url(const std::string& flag, const EnvLookup& env) {
    if (!flag.empty()) return flag;
    std::string url = env("QRT_URL").value_or("");
    return url.empty() ? kDefaultServerUrl : url;
}

Result<std::string> resolve_token(const std::string& flag, const std::string& data_dir_flag,
                                  const EnvLookup& env) {
    if (!flag.empty()) return flag;
    for (const char* name : {"QRT_TOKEN", "QRT_API_KEY"}) {
        std::string token = env(name).value_or("");
        if (!token.empty()) return token;
    }
    auto dir = resolve_data_dir(data_dir_flag, "", env);
    std::string path = dir.ok() ? *dir + "/admin.key" : "DATA_DIR/admin.key";
    std::string token;
    std::ifstream f(path);
    if (f) std::getline(f, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
        token.pop_back();
    }
    if (token.empty()) {
        return Status{ErrorCode::kUnauthenticated,
                      fmt::format("no credentials: pass --token, set QRT_TOKEN, or run where the "
                                  "server's data directory is ({} not readable)",
                                  path)};
    }
    return token;
}

}  // namespace qrt::cli
