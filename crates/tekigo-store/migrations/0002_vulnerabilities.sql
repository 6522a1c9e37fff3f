-- Schema 2: SBOMs of a project's components and the triage of their vulnerabilities.

-- The SBOM file itself is evidence (evidence/SHA256).
CREATE TABLE sboms (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    components BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX sboms_by_project ON sboms (project_id, created);

-- body: one VEX triage record (tekigo_vex::Record) as JSON; component: its label (PURL,
-- else name@version). Versioned like answers.
CREATE TABLE triage (
    project_id TEXT NOT NULL REFERENCES projects (id),
    vulnerability TEXT NOT NULL,
    component TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (project_id, vulnerability, component)
);
