#include "cli/serve.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace qrt::cli {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TEST(ServeConfig, no_file_and_no_flags_gives_the_defaults) {
    auto c = effective_config({}, env_of({{"HOME", "/home/ada"}}));
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->server.host, "127.0.0.1");
    EXPECT_EQ(c->server.port, 8000);
    EXPECT_EQ(c->runtime.data_dir, "/home/ada/.local/share/qrt");
    EXPECT_FALSE(c->log_level.has_value());
}

TEST(ServeConfig, flags_win_over_the_file) {
    auto dir =
        std::filesystem::temp_directory_path() /
        ("qrt_serve_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "qrt.toml").string();
    {
        std::ofstream f(path);
        f << "[server]\nhost = \"0.0.0.0\"\nport = 9000\nthreads = 3\n"
             "[store]\ndata_dir = \"state/\"\n[log]\nlevel = \"warn\"\n";
    }
    ServeOptions o;
    o.config_path = path;
    auto from_file = effective_config(o, env_of({{"HOME", "/home/ada"}}));
    ASSERT_TRUE(from_file.ok()) << from_file.status().to_string();
    EXPECT_EQ(from_file->server.host, "0.0.0.0");
    EXPECT_EQ(from_file->server.port, 9000);
    EXPECT_EQ(from_file->runtime.data_dir, (dir / "state").string());  // no trailing '/'
    EXPECT_EQ(from_file->log_level, LogLevel::kWarn);

    o.host = "localhost";
    o.port = 0;
    o.log_level = "debug";
    o.data_dir = "/srv/qrt";
    auto c = effective_config(o, env_of({{"HOME", "/home/ada"}, {"QRT_DATA_DIR", "/env/qrt"}}));
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->server.host, "127.0.0.1");
    EXPECT_EQ(c->server.port, 0);
    EXPECT_EQ(c->server.threads, 3);  // from the file, no flag for it
    EXPECT_EQ(c->log_level, LogLevel::kDebug);
    EXPECT_EQ(c->runtime.data_dir, "/srv/qrt");

    // $QRT_DATA_DIR wins over the file's data_dir.
    o.data_dir.clear();
    c = effective_config(o, env_of({{"QRT_DATA_DIR", "/env/qrt"}}));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->runtime.data_dir, "/env/qrt");
    std::filesystem::remove_all(dir);
}

TEST(ServeConfig, a_relative_data_dir_flag_becomes_absolute) {
    ServeOptions o;
    o.data_dir = "rel/dir";
    auto c = effective_config(o, env_of({}));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->runtime.data_dir, (std::filesystem::current_path() / "rel/dir").string());
}

TEST(ServeConfig, bad_flags_are_usage_errors) {
    ServeOptions o;
    o.data_dir = "/srv/qrt";
    o.host = "my host";
    auto c = effective_config(o, env_of({}));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("--host: \"my host\" is not an IP address"),
              std::string::npos);

    o.host.reset();
    o.log_level = "loud";
    c = effective_config(o, env_of({}));
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find("--log-level"), std::string::npos);

    ServeOptions missing;
    missing.config_path = "/nonexistent/qrt.toml";
    c = effective_config(missing, env_of({{"HOME", "/h"}}));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);

    // Nowhere to keep data.
    c = effective_config({}, env_of({}));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace qrt::cli
