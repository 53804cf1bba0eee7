// qrt_backends_dump_json DIR: writes DIR/<name>.configuration.json and DIR/<name>.properties.json
// for every default backend, and DIR/backends.txt ("<name> <simulator 0|1>" per line), for
// check_backend_json.py, which reads them with the real Qiskit client.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "backends/backend.h"

namespace {

bool write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: qrt_backends_dump_json DIR\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        std::cerr << "cannot create " << dir << ": " << ec.message() << "\n";
        return 1;
    }
    std::string list;
    for (const qrt::backends::DeviceSpec& spec : qrt::backends::default_device_specs()) {
        auto backend = qrt::backends::make_backend(spec);
        if (!backend.ok()) {
            std::cerr << spec.name << ": " << backend.status().to_string() << "\n";
            return 1;
        }
        const auto& b = **backend;
        if (!write_file(dir / (b.name() + ".configuration.json"), b.configuration_json()) ||
            !write_file(dir / (b.name() + ".properties.json"), b.properties_json())) {
            std::cerr << "cannot write into " << dir << "\n";
            return 1;
        }
        list += b.name() + (b.simulator() ? " 1\n" : " 0\n");
    }
    if (!write_file(dir / "backends.txt", list)) return 1;
    return 0;
}
