-- Schema 5: frozen releases (issue 16), as a project directory holds them in releases/.

-- body: release.json as tekigo release freeze wrote it (its content hash covers that text);
-- files: a JSON object of the files beside it (SBOMs, scan.json), name to text. A release
-- is frozen: rows are inserted, never updated.
CREATE TABLE releases (
    project_id TEXT NOT NULL REFERENCES projects (id),
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    files TEXT NOT NULL,
    created TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (project_id, version)
);
