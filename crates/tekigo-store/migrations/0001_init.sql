-- tekigo web application, schema 1.
--
-- One file for SQLite and PostgreSQL: only TEXT and BIGINT columns, ids made by the
-- application (no SERIAL / AUTOINCREMENT), no NULLs (an empty string means "none"), times
-- as RFC 3339 text or Unix seconds.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    created TEXT NOT NULL
);

-- Session and token secrets are stored as SHA-256 hashes: a copy of the database does
-- not let anyone log in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created TEXT NOT NULL
);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created TEXT NOT NULL
);

-- config: the project's tekigo.yaml as JSON.
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    created TEXT NOT NULL
);

CREATE TABLE members (
    project_id TEXT NOT NULL REFERENCES projects (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

-- header: the assessment file without its answers, as JSON.
CREATE TABLE assessments (
    project_id TEXT NOT NULL REFERENCES projects (id),
    id TEXT NOT NULL,
    header TEXT NOT NULL,
    PRIMARY KEY (project_id, id)
);

-- body: one answer of the assessment file, as JSON. version counts its changes, for
-- optimistic concurrency.
CREATE TABLE answers (
    project_id TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    requirement TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (project_id, assessment_id, requirement),
    FOREIGN KEY (project_id, assessment_id) REFERENCES assessments (project_id, id)
);

-- The bytes live in the content store on disk (evidence/SHA256); this says which project
-- may read them and under which name.
CREATE TABLE evidence (
    project_id TEXT NOT NULL REFERENCES projects (id),
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (project_id, sha256)
);

-- Scan results uploaded by devices or CI; the report itself is evidence.
CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    device TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    summary TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX scans_by_project ON scans (project_id, created);

-- The audit trail: every change, chained by SHA-256. audit_head holds the newest link so
-- that deleting the last entries is detected too.
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at_time TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
