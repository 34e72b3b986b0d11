/**
 * Schema changes in order; `PRAGMA user_version` records how many have run. Append only: a released migration is
 * never edited, so every database reaches the same schema by the same steps.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    flow_id      TEXT NOT NULL,
    flow_version TEXT NOT NULL,
    lng          TEXT NOT NULL,
    audience     TEXT NOT NULL CHECK (audience IN ('participant', 'agent')),
    channel      TEXT NOT NULL CHECK (channel IN ('self', 'widget', 'agent', 'api')),
    origin       TEXT,
    snapshot     TEXT NOT NULL,
    state        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'finished')),
    outcome      TEXT,
    agent_id     INTEGER REFERENCES agents(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sessions_flow_created ON sessions (flow_id, created_at);
  CREATE INDEX sessions_created ON sessions (created_at);

  CREATE TABLE steps (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    state      TEXT NOT NULL,
    event      TEXT NOT NULL,
    data       TEXT,
    snapshot   TEXT NOT NULL,
    note       TEXT,
    at         INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    comment    TEXT,
    at         INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX feedback_session ON feedback (session_id);

  CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  `,
  `
  ALTER TABLE sessions ADD COLUMN ticket_ref TEXT;
  ALTER TABLE sessions ADD COLUMN taken_over_at INTEGER;
  ALTER TABLE steps ADD COLUMN agent_id INTEGER REFERENCES agents(id);
  CREATE INDEX sessions_agent_created ON sessions (agent_id, created_at);

  -- A signed-in agent. The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
  -- cannot be used to sign in.
  CREATE TABLE logins (
    token_hash TEXT PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX logins_expires ON logins (expires_at);
  `,
];
