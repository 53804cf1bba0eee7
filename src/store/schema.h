// The store's SQLite schema as an ordered list of migrations, keyed by `PRAGMA user_version`.
//
// Version N of a file means migrations 1..N have been applied. Migrations are append-only: once
// released, a migration's SQL never changes; a schema change is a new migration at the end.
// docs/adr/0007-sqlite-store.md gives the policy.
//
// Thread safety: the functions run on the connection given, which the caller owns.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "store/sqlite_db.h"

namespace qrt::store::sqlite {

struct Migration {
    int version;          // user_version after this migration
    const char* summary;  // what it does, for logs
    const char* sql;
};

// Every migration, oldest first; the newest schema version is migrations().back().version.
std::span<const Migration> migrations();
int latest_schema_version();

// `PRAGMA application_id` of a qrt store ("qrt1"), set by migration 1: another application's
// SQLite file is refused instead of being migrated.
inline constexpr std::int64_t kApplicationId = 0x71727431;

// failed_precondition when `version` is newer than latest_schema_version() (the file was written
// by a newer qrt); `file` names it in the message.
Status check_schema_version(std::int64_t version, std::string_view file);

// Brings the file to schema version `target` (<= latest): each pending migration runs in its own
// IMMEDIATE transaction that re-reads the version first, so two processes opening one file at
// once apply each migration exactly once. A file newer than latest_schema_version():
// failed_precondition and nothing is written. Other errors leave the file at the last complete
// version.
Status migrate(Connection& db, int target);

}  // namespace qrt::store::sqlite
