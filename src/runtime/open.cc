// Runtime::open: the server's runtime on its data directory (SQLite store, configured devices).
// Apart from runtime.cc so that tests that bring their own store and backends (open_with) do not
// link the real ones.
#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

#include "runtime/runtime.h"

namespace qrt::runtime {

Result<std::unique_ptr<Runtime>> Runtime::open(Config config, Clock& clock) {
    if (config.data_dir.empty()) return invalid_argument("data_dir: no data directory given");
    std::error_code ec;
    if (!std::filesystem::is_directory(config.data_dir, ec)) {
        std::filesystem::create_directories(config.data_dir, ec);
        if (ec) {
            return Status{ErrorCode::kUnavailable,
                          fmt::format("cannot create data directory '{}': {}", config.data_dir,
                                      ec.message())};
        }
        ::chmod(config.data_dir.c_str(), 0700);  // it holds the admin key and every job
    }
    auto store = store::open_sqlite_store(config.data_dir + "/qrt.db");
    if (!store.ok()) return store.status();
    std::vector<std::unique_ptr<backends::Backend>> devices;
    for (const auto& spec : config.devices) {
        auto b = backends::make_backend(spec);
        if (!b.ok()) {
            return Status{b.status().code(),
                          fmt::format("backend '{}': {}", spec.name, b.status().message())};
        }
        devices.push_back(std::move(b).value());
    }
    return open_with(std::move(config), clock, std::move(store).value(), std::move(devices));
}

}  // namespace qrt::runtime
