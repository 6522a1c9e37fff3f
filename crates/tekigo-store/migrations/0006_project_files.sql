-- Schema 6: the project files of its upkeep (issue 16): certificates/ID.yaml,
-- cra/exploited.yaml and watch/findings.json, kept as the text the commands wrote, under
-- the path they have in a project directory, so that `server import` then `server export`
-- gives them back unchanged.
CREATE TABLE project_files (
    project_id TEXT NOT NULL REFERENCES projects (id),
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (project_id, path)
);
