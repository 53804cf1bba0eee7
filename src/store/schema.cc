// Schema migrations of the SQLite store (see schema.h). Times are INTEGER microseconds since the
// Unix epoch; optional values are NULL; booleans are 0/1.
#include "store/schema.h"

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "base/log.h"

namespace qrt::store::sqlite {
namespace {

// Version 1: every table. Job tags are a JSON array column (superseded by version 2).
constexpr const char* kV1 = R"sql(
PRAGMA application_id = 1903326257;
CREATE TABLE users (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL UNIQUE,
    admin   INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
CREATE TABLE api_keys (
    id      TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash    TEXT NOT NULL UNIQUE,
    label   TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_by_user ON api_keys(user_id, created, id);
CREATE TABLE instances (
    crn               TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    plan              TEXT NOT NULL,
    share             REAL NOT NULL,
    hard_limit_s      REAL,
    interactive_ttl_s REAL,
    created           INTEGER NOT NULL
);
-- seq (the rowid) keeps the order in which memberships were granted: a user's first instance
-- is their default.
CREATE TABLE members (
    seq     INTEGER PRIMARY KEY,
    crn     TEXT NOT NULL REFERENCES instances(crn) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    UNIQUE (user_id, crn)
);
CREATE INDEX members_by_instance ON members(crn);
-- No foreign keys from jobs to users/instances: system jobs (calibrations) belong to no user,
-- and the job history outlives account changes.
CREATE TABLE jobs (
    id                       TEXT PRIMARY KEY NOT NULL,
    user_id                  TEXT NOT NULL,
    instance                 TEXT NOT NULL,
    backend                  TEXT NOT NULL,
    program_id               TEXT NOT NULL,
    session_id               TEXT NOT NULL DEFAULT '',
    tags_json                TEXT NOT NULL DEFAULT '[]',
    status                   TEXT NOT NULL,
    reason                   TEXT NOT NULL DEFAULT '',
    reason_code              INTEGER NOT NULL DEFAULT 0,
    created                  INTEGER NOT NULL,
    started                  INTEGER,
    finished                 INTEGER,
    max_execution_time_s     REAL,
    is_private               INTEGER NOT NULL DEFAULT 0,
    system                   INTEGER NOT NULL DEFAULT 0,
    log_level                TEXT NOT NULL,
    usage_s                  REAL NOT NULL,
    estimated_running_time_s REAL NOT NULL,
    attempts                 INTEGER NOT NULL DEFAULT 0,
    metrics_json             TEXT NOT NULL
);
-- The list indexes (see list_jobs in sqlite_store.cc, which names the one to use). The trailing
-- columns let the common filters and COUNT(*) be answered from the index alone.
CREATE INDEX jobs_by_created ON jobs(created, id, system, backend, status);
CREATE INDEX jobs_by_instance ON jobs(instance, created, id, system, backend, status);
CREATE INDEX jobs_by_session ON jobs(session_id, created, id);
CREATE INDEX jobs_pending ON jobs(created, id, instance, backend, system)
    WHERE status IN ('Queued', 'Running');
-- The large texts live apart so that the jobs rows stay small: listing and counting read only
-- jobs, whatever the size of the circuits and results.
CREATE TABLE job_payloads (
    job_id      TEXT PRIMARY KEY NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    params_json TEXT NOT NULL,
    result_json TEXT NOT NULL DEFAULT '',
    logs        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY NOT NULL,
    mode               TEXT NOT NULL,
    backend            TEXT NOT NULL,
    instance           TEXT NOT NULL,
    user_id            TEXT NOT NULL,
    state              TEXT NOT NULL,
    accepting_jobs     INTEGER NOT NULL,
    interactive_ttl_s  REAL NOT NULL,
    max_ttl_s          REAL NOT NULL,
    created            INTEGER NOT NULL,
    started_at         INTEGER,
    activated_at       INTEGER,
    closed_at          INTEGER,
    last_job_started   INTEGER,
    last_job_completed INTEGER,
    close_reason       TEXT NOT NULL DEFAULT '',
    busy_s             REAL NOT NULL DEFAULT 0,
    idle_s             REAL NOT NULL DEFAULT 0
);
CREATE INDEX sessions_open ON sessions(created, id) WHERE state <> 'closed';
CREATE TABLE usage (
    seq        INTEGER PRIMARY KEY,
    instance   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    job_id     TEXT NOT NULL DEFAULT '',
    session_id TEXT NOT NULL DEFAULT '',
    mode       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    seconds    REAL NOT NULL
);
CREATE INDEX usage_by_time ON usage(at);
CREATE INDEX usage_by_instance ON usage(instance, at);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2: tags move to their own table, so that the tag filter of GET /jobs is an index
// lookup instead of a JSON scan of every job. Existing tags are copied in their order.
constexpr const char* kV2 = R"sql(
CREATE TABLE job_tags (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    pos    INTEGER NOT NULL,
    tag    TEXT NOT NULL,
    PRIMARY KEY (job_id, pos)
) WITHOUT ROWID;
CREATE INDEX job_tags_by_tag ON job_tags(tag, job_id);
INSERT INTO job_tags(job_id, pos, tag)
    SELECT jobs.id, CAST(t.key AS INTEGER), t.value
    FROM jobs, json_each(jobs.tags_json) AS t
    WHERE t.type = 'text';
ALTER TABLE jobs DROP COLUMN tags_json;
)sql";

constexpr Migration kMigrations[] = {
    {1, "tables for users, keys, instances, jobs, sessions, usage, settings", kV1},
    {2, "job tags in their own table", kV2},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return migrations().back().version; }

Status check_schema_version(std::int64_t version, std::string_view file) {
    if (version <= latest_schema_version()) return {};
    return failed_precondition(fmt::format(
        "{} has schema version {}, newer than this qrt understands ({}): it was written by a "
        "newer qrt; upgrade qrt or restore a backup",
        file, version, latest_schema_version()));
}

Status migrate(Connection& db, int target) {
    auto version = db.query_int("PRAGMA user_version");
    if (!version.ok()) return version.status();
    std::int64_t current = *version;
    const std::int64_t initial = current;
    QRT_RETURN_IF_ERROR(check_schema_version(current, "the store file"));
    for (const Migration& m : migrations()) {
        if (m.version > target) break;
        if (m.version <= current) continue;
        QRT_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE", "begin migration"));
        // Another process may have migrated since we looked.
        auto now = db.query_int("PRAGMA user_version");
        Status s = now.status();
        if (s.ok() && *now < m.version) {
            s = db.exec(m.sql, fmt::format("schema migration {} ({})", m.version, m.summary));
            if (s.ok()) {
                std::string set = fmt::format("PRAGMA user_version = {}", m.version);
                s = db.exec(set.c_str(), "set schema version");
            }
        }
        if (s.ok()) s = db.exec("COMMIT", "commit migration");
        if (!s.ok()) {
            if (db.in_transaction()) (void)db.exec("ROLLBACK", "roll back migration");
            return s;
        }
        // A new file goes through every migration: only upgrades are worth a line in the log.
        if (*now < m.version && initial > 0) {
            QRT_LOG_INFO("store: schema migrated to version {} ({})", m.version, m.summary);
        }
        current = m.version;
    }
    return {};
}

}  // namespace qrt::store::sqlite
