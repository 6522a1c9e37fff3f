-- Schema 3: a project's zone and conduit model (the project directory's risk/system.yaml).

-- body: the file's YAML text as the user wrote it, so that every message about it can
-- name a line of that text. One model per project; versioned like answers.
CREATE TABLE risk_models (
    project_id TEXT PRIMARY KEY REFERENCES projects (id),
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
