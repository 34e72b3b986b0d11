/**
 * Schema changes in order; `PRAGMA user_version` records how many have run. Append only: a released migration is
 * never edited, so every database reaches the same schema by the same steps. The CHECK lists below are frozen
 * copies of AUDIENCES, CHANNELS, SESSION_STATUSES and ROLES (store/types.ts) as they were released; a test holds
 * them equal, so a new value cannot be added to one without a migration for the other.
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
  `
  -- Analytics: when a session reached its outcome, and which step each row left, so figures are plain aggregates.
  ALTER TABLE sessions ADD COLUMN finished_at INTEGER;
  UPDATE sessions SET finished_at = updated_at WHERE status = 'finished';
  ALTER TABLE steps ADD COLUMN prev_state TEXT;
  UPDATE steps SET prev_state = (SELECT p.state FROM steps p WHERE p.session_id = steps.session_id AND p.seq = steps.seq - 1);
  CREATE INDEX sessions_status_updated ON sessions (status, updated_at);

  -- Covering indexes: the dashboard's session figures are read from the index alone, never from the rows (which
  -- carry the snapshot).
  CREATE INDEX sessions_period ON sessions (created_at, flow_id, status, outcome, updated_at, finished_at, lng, channel, audience, state, id);
  CREATE INDEX sessions_flow_period ON sessions (flow_id, created_at, status, outcome, updated_at, finished_at, lng, channel, audience, state, id);

  CREATE INDEX feedback_at ON feedback (at);

  -- Per-step figures, kept up to date in the same transaction as each step: by the day the session started, how
  -- often each move was made (n) and how many sessions reached a step for the first time with it (first). Reading
  -- them is a scan of a few thousand rows instead of a join over every step ever taken.
  CREATE TABLE step_stats (
    day        TEXT NOT NULL,
    flow_id    TEXT NOT NULL,
    lng        TEXT NOT NULL,
    channel    TEXT NOT NULL,
    audience   TEXT NOT NULL,
    prev_state TEXT NOT NULL,
    event      TEXT NOT NULL,
    state      TEXT NOT NULL,
    n          INTEGER NOT NULL,
    first      INTEGER NOT NULL,
    PRIMARY KEY (day, flow_id, lng, channel, audience, prev_state, event, state)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO step_stats
    SELECT date(s.created_at / 1000, 'unixepoch'), s.flow_id, s.lng, s.channel, s.audience, coalesce(st.prev_state, ''),
      st.event, st.state, count(*), sum(st.first_visit)
    FROM (SELECT *, (row_number() OVER (PARTITION BY session_id, state ORDER BY seq)) = 1 AS first_visit FROM steps) st
    JOIN sessions s ON s.id = st.session_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
  `,
  `
  -- The seqs of the rows on a session's current path (Back and Start over shorten it), so a step loads those rows
  -- and not the whole transcript. NULL for sessions from before: they are read whole until their next step.
  ALTER TABLE sessions ADD COLUMN path TEXT;
  `,
  `
  -- Whether a session has been at a step before (step_stats.first) is a lookup, not a scan of its whole transcript:
  -- a long agent session that goes back and forth would otherwise pay for every earlier row on each new step.
  CREATE INDEX steps_visit ON steps (session_id, state, seq);
  `,
  `
  -- Attempts that a limit counts (failed sign-ins per address and per account, failed pickups by ref per agent), in
  -- the database so that a restart does not forget them and several instances count together. A row is pending
  -- while its attempt is checked (the password hashed, the ref looked up): attempts in flight wait for a free slot
  -- instead of counting as failures. A success deletes its rows, a failure keeps them. Keys carry hashes, never
  -- what was typed (people type their password into the email field).
  CREATE TABLE attempts (
    key     TEXT NOT NULL,
    at      INTEGER NOT NULL,
    attempt TEXT NOT NULL,
    pending INTEGER NOT NULL CHECK (pending IN (0, 1)),
    PRIMARY KEY (key, at, attempt)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX attempts_attempt ON attempts (attempt);
  CREATE INDEX attempts_at ON attempts (at);

  -- Every version of every note, with who wrote it and when. steps.note stays the current text (what the console
  -- and the exports show); a change adds a version here, so the transcript keeps the earlier text and its author.
  -- Notes from before have no known author.
  CREATE TABLE notes (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    agent_id   INTEGER REFERENCES agents(id),
    at         INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq, version)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO notes (session_id, seq, version, text, agent_id, at)
    SELECT session_id, seq, 1, note, NULL, at FROM steps WHERE note IS NOT NULL AND note <> '';
  `,
  `
  -- One "did this help?" per outcome a session reached. Duplicates from before (a double post, two tabs) go first,
  -- keeping the earliest answer, so the unique index can be built on any database; it also serves every lookup
  -- the old index did.
  DELETE FROM feedback WHERE id NOT IN (SELECT min(id) FROM feedback GROUP BY session_id, state);
  DROP INDEX feedback_session;
  CREATE UNIQUE INDEX feedback_once ON feedback (session_id, state);
  `,
  `
  -- Authors edit and publish guides, translators change the texts of their languages (kept as a JSON list). SQLite
  -- cannot change a CHECK, so the table is rebuilt: a new one, the rows copied with their ids, the old one dropped
  -- and the new one renamed into its place. References from logins, sessions, steps and notes name "agents" and
  -- so reach the new table; migrate() runs this with foreign keys off (no cascade empties logins on the drop) and
  -- checks every reference before it commits.
  CREATE TABLE agents_rebuilt (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'admin', 'author', 'translator')),
    languages     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages) AND json_type(languages) = 'array'),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  INSERT INTO agents_rebuilt (id, email, name, role, password_hash, created_at)
    SELECT id, email, name, role, password_hash, created_at FROM agents;
  DROP TABLE agents;
  ALTER TABLE agents_rebuilt RENAME TO agents;

  -- Guides as versioned documents. A version is immutable; its number is the guide's next one, its hash the
  -- document's content hash (what sessions pin). Versions are never deleted, so the rowid only grows: the largest
  -- rowid is the counter every instance polls to learn that something was published.
  CREATE TABLE flow_versions (
    flow_id      TEXT NOT NULL,
    number       INTEGER NOT NULL CHECK (number > 0),
    hash         TEXT NOT NULL,
    document     TEXT NOT NULL,
    note         TEXT,
    published_by INTEGER REFERENCES agents(id),
    via          TEXT NOT NULL CHECK (via IN ('release', 'cli', 'token', 'console')),
    published_at INTEGER NOT NULL,
    PRIMARY KEY (flow_id, number)
  ) STRICT;
  CREATE INDEX flow_versions_hash ON flow_versions (flow_id, hash, number);

  CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    flow_id    TEXT NOT NULL,
    hash       TEXT NOT NULL,
    document   TEXT NOT NULL,
    created_by INTEGER REFERENCES agents(id),
    created_at INTEGER NOT NULL
  ) STRICT;

  -- A release's changed built-in guide that was not published because people had published edits of their own
  -- since: one per guide (a later release replaces it), until someone publishes it.
  CREATE TABLE pending_updates (
    flow_id  TEXT PRIMARY KEY,
    hash     TEXT NOT NULL,
    document TEXT NOT NULL,
    found_at INTEGER NOT NULL
  ) STRICT;

  -- The hash of the last built-in document of each guide a start has seen: a start tells a new release's change
  -- from one it has dealt with already (published or held as pending).
  CREATE TABLE builtin_seen (
    flow_id TEXT PRIMARY KEY,
    hash    TEXT NOT NULL,
    seen_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    agent_id     INTEGER REFERENCES agents(id),
    via          TEXT NOT NULL CHECK (via IN ('release', 'cli', 'token', 'console')),
    action       TEXT NOT NULL CHECK (action IN ('publish', 'rollback', 'import', 'draft', 'pending')),
    flow_id      TEXT NOT NULL,
    from_version INTEGER,
    to_version   INTEGER,
    draft_id     INTEGER,
    note         TEXT
  ) STRICT;
  CREATE INDEX audit_log_flow ON audit_log (flow_id, id);
  `,
  `
  -- An arrow of the flow diagram counts the sessions that took it, as its step counts the sessions that reached it:
  -- a session that goes Back and answers the same again took the arrow once. first_move: whether the session had
  -- never made this move (from prev_state by event to state) before. Rows counted before: their repeats are found
  -- in the steps still kept; days whose steps are gone keep n.
  ALTER TABLE step_stats ADD COLUMN first_move INTEGER NOT NULL DEFAULT 0;
  UPDATE step_stats SET first_move = n;
  UPDATE step_stats AS t SET first_move = t.n - r.repeats
  FROM (
    SELECT date(s.created_at / 1000, 'unixepoch') AS day, s.flow_id, s.lng, s.channel, s.audience,
      st.prev_state, st.event, st.state, count(*) AS repeats
    FROM (
      SELECT session_id, coalesce(prev_state, '') AS prev_state, event, state,
        row_number() OVER (PARTITION BY session_id, coalesce(prev_state, ''), event, state ORDER BY seq) AS k
      FROM steps
    ) st
    JOIN sessions s ON s.id = st.session_id
    WHERE st.k > 1
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ) r
  WHERE t.day = r.day AND t.flow_id = r.flow_id AND t.lng = r.lng AND t.channel = r.channel AND t.audience = r.audience
    AND t.prev_state = r.prev_state AND t.event = r.event AND t.state = r.state;
  `,
  `
  -- The studio: a draft is a working copy people keep changing until it is published or discarded. revision counts
  -- its saves (a save names the revision it changed, so two people never overwrite each other silently);
  -- base_version is the published version it started from; origins records, per text, the language it was written
  -- in and the source text each translation was made from (what tells a stale translation). A version keeps the
  -- origins of the draft it published. preview_token is the hash of the draft's private preview link.
  ALTER TABLE drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE drafts ADD COLUMN base_version INTEGER;
  ALTER TABLE drafts ADD COLUMN origins TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE drafts ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'published', 'discarded'));
  ALTER TABLE drafts ADD COLUMN updated_by INTEGER REFERENCES agents(id);
  ALTER TABLE drafts ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE drafts ADD COLUMN preview_token TEXT;
  UPDATE drafts SET updated_at = created_at, updated_by = created_by,
    base_version = (SELECT max(a.from_version) FROM audit_log a WHERE a.draft_id = drafts.id AND a.action IN ('draft', 'import'));
  UPDATE drafts SET status = 'published' WHERE id IN (SELECT draft_id FROM audit_log WHERE draft_id IS NOT NULL AND to_version IS NOT NULL);
  CREATE INDEX drafts_open ON drafts (flow_id, id) WHERE status = 'open';
  CREATE UNIQUE INDEX drafts_preview ON drafts (preview_token) WHERE preview_token IS NOT NULL;
  ALTER TABLE flow_versions ADD COLUMN origins TEXT NOT NULL DEFAULT '{}';

  -- The audit log also records a draft's saves and its discarding.
  CREATE TABLE audit_log_rebuilt (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    agent_id     INTEGER REFERENCES agents(id),
    via          TEXT NOT NULL CHECK (via IN ('release', 'cli', 'token', 'console')),
    action       TEXT NOT NULL CHECK (action IN ('publish', 'rollback', 'import', 'draft', 'pending', 'edit', 'discard')),
    flow_id      TEXT NOT NULL,
    from_version INTEGER,
    to_version   INTEGER,
    draft_id     INTEGER,
    note         TEXT
  ) STRICT;
  INSERT INTO audit_log_rebuilt SELECT id, at, agent_id, via, action, flow_id, from_version, to_version, draft_id, note FROM audit_log;
  DROP TABLE audit_log;
  ALTER TABLE audit_log_rebuilt RENAME TO audit_log;
  CREATE INDEX audit_log_flow ON audit_log (flow_id, id);
  `,
  `
  -- Hand-offs: a person's request to support from an escalated ending, with the story the guide learned (JSON, built
  -- once so every channel and retry sends the same), and one delivery per channel in the outbox. A delivery is leased
  -- (lease_owner, lease_until) while a worker tries it, so a crash leaves nothing claimed for ever and two workers
  -- never try the same one at once. Both go with their session.
  CREATE TABLE handoffs (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_seq    INTEGER NOT NULL,
    flow_id     TEXT NOT NULL,
    lng         TEXT NOT NULL,
    story       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'done', 'solved')),
    claimed_by  INTEGER REFERENCES agents(id),
    claimed_at  INTEGER,
    done_at     INTEGER,
    solved_at   INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (session_id, step_seq)
  ) STRICT;
  CREATE INDEX handoffs_created ON handoffs (created_at);
  CREATE INDEX handoffs_status ON handoffs (status, created_at);

  CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,
    handoff_id   TEXT NOT NULL REFERENCES handoffs(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'webhook', 'zendesk', 'freshdesk')),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    lease_owner  TEXT,
    lease_until  INTEGER,
    last_error   TEXT,
    external_id  TEXT,
    external_url TEXT,
    sent_at      INTEGER,
    created_at   INTEGER NOT NULL,
    UNIQUE (handoff_id, channel)
  ) STRICT;
  CREATE INDEX deliveries_due ON deliveries (status, next_at);
  `,
  `
  -- A step changes a session's state and updated_at, and three indexes held them: every step rewrote an entry in
  -- each. Now the covering indexes of the period's figures hold only what changes once, when a session reaches its
  -- outcome (or leaves it by Back); what a step changes is in one narrow index of the active sessions, which the
  -- abandoned figures read. (status, updated_at) served no query.
  DROP INDEX sessions_status_updated;
  DROP INDEX sessions_period;
  DROP INDEX sessions_flow_period;
  CREATE INDEX sessions_period ON sessions (created_at, flow_id, status, outcome, finished_at, lng, channel, audience, id);
  CREATE INDEX sessions_flow_period ON sessions (flow_id, created_at, status, outcome, finished_at, lng, channel, audience, id);
  CREATE INDEX sessions_active ON sessions (created_at, flow_id, updated_at, lng, channel, audience, state) WHERE status = 'active';
  `,
];
