// Where the `qrt` verbs find their server and credentials, the same for `qrt admin` and the user
// verbs (docs/cli.md, "Connecting"):
//
//     URL:   --url, else $QRT_URL, else http://127.0.0.1:8000
//     token: --token, else $QRT_TOKEN, else $QRT_API_KEY (what qrt.connect reads), else the admin
//            key of the local server: DATA_DIR/admin.key, DATA_DIR from --data-dir, else
//            $QRT_DATA_DIR, else $HOME/.local/share/qrt
//
// Thread-safety: pure functions over `env` and the file system.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "base/status.h"
#include "cli/config.h"

namespace qrt::cli {

inline constexpr const char* kDefaultServerUrl = "http://127.0.0.1:8000";

// What the command line says about the connection (empty: not given).
struct ConnectionFlags {
    std::string url, token, data_dir;
};

// Adds --url, --token and --data-dir to `verb`, stored in `flags`.
void add_connection_flags(CLI::App* verb, ConnectionFlags& flags);

// The server URL by the order above.
std::string resolve_url(const std::string& flag, const EnvLookup& env);

// The API key or token by the order above, trimmed. unauthenticated when none is found (the
// message names the admin.key path looked at).
Result<std::string> resolve_token(const std::string& flag, const std::string& data_dir_flag,
                                  const EnvLookup& env);

}  // namespace qrt::cli
