/**
 * PostgreSQL schema, numbered like the SQLite migrations (src/adapters/sqlite/migrations.ts) and kept
 * in step with them: migration N here creates what migration N there creates, in PostgreSQL's
 * dialect. A test checks the two lists have the same length. Never edit a released migration.
 *
 * Differences from SQLite, on purpose:
 * - timestamps stay ISO text (the audit chain hashes them as text; a timestamptz would re-render them);
 * - event payloads, configs and reports stay text (jsonb would reorder keys and break the hashes);
 * - `chain_head` is one row that every writer locks (SELECT … FOR UPDATE) before its first change,
 *   so appends to the audit chain are serialized and every other row lock is taken after it
 *   (one lock order: no deadlocks);
 * - `models.next_version` allocates version numbers under the model row's lock (no MAX()+1 race).
 */
export const PG_MIGRATIONS: ReadonlyArray<string> = [
  // 1: registry core
  `
  CREATE TABLE models (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    next_version INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id BIGINT NOT NULL REFERENCES models(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('registered','validated','staging','production','archived')),
    manifest_digest TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    total_size BIGINT NOT NULL,
    data_hash TEXT,
    code_commit TEXT,
    code_branch TEXT,
    code_dirty BOOLEAN,
    code_remote TEXT,
    config TEXT,
    feature_schema TEXT,
    requirements TEXT,
    parent_id BIGINT REFERENCES versions(id),
    description TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    status_changed_at TEXT,
    UNIQUE (model_id, version)
  );
  CREATE INDEX versions_by_manifest ON versions(model_id, manifest_digest);
  CREATE INDEX versions_by_data ON versions(data_hash);
  CREATE INDEX versions_by_parent ON versions(parent_id);
  CREATE TABLE artifacts (
    version_id BIGINT NOT NULL REFERENCES versions(id),
    path TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (version_id, path)
  );
  CREATE INDEX artifacts_by_sha ON artifacts(sha256);
  CREATE TABLE metrics (
    version_id BIGINT NOT NULL REFERENCES versions(id),
    slice TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    dataset_digest TEXT,
    dataset_name TEXT,
    PRIMARY KEY (version_id, slice, name)
  );
  CREATE TABLE tags (
    version_id BIGINT NOT NULL REFERENCES versions(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (version_id, key)
  );
  CREATE INDEX tags_by_kv ON tags(key, value);
  CREATE TABLE aliases (
    model_id BIGINT NOT NULL REFERENCES models(id),
    alias TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES versions(id),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (model_id, alias)
  );
  CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    model TEXT,
    subject TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX events_by_model ON events(model, seq);
  CREATE INDEX events_by_action ON events(action, seq);
  CREATE INDEX events_by_at ON events(at);
  CREATE FUNCTION mlctl_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
  CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION mlctl_events_append_only();
  CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION mlctl_events_append_only();
  CREATE TABLE chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1)
  );
  INSERT INTO chain_head(id) VALUES (1);
  `,
  // 2: gate runs, bound to what they evaluated
  `
  CREATE TABLE gate_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id BIGINT NOT NULL REFERENCES versions(id),
    baseline_id BIGINT REFERENCES versions(id),
    candidate_manifest TEXT NOT NULL,
    baseline_manifest TEXT,
    policy_digest TEXT NOT NULL,
    dataset_digest TEXT,
    source TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('pass','fail','inconclusive')),
    report TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
  );
  CREATE INDEX gate_runs_by_candidate ON gate_runs(candidate_id, id);
  `,
  // 3: indexes for audit filters (by subject, by actor) and lineage queries
  `
  CREATE INDEX events_by_subject ON events(subject, seq);
  CREATE INDEX events_by_actor ON events(actor, seq);
  CREATE INDEX events_by_model_action ON events(model, action, seq);
  `,
  // 4: staged rollouts; at most one active or paused rollout per model; `revision` detects races
  `
  CREATE TABLE rollouts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model TEXT NOT NULL,
    candidate_id BIGINT NOT NULL REFERENCES versions(id),
    champion_id BIGINT REFERENCES versions(id),
    plan_name TEXT NOT NULL,
    plan TEXT NOT NULL,
    step INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active','paused','completed','aborted')),
    step_started_at TEXT NOT NULL,
    candidate_uri TEXT NOT NULL,
    champion_uri TEXT,
    gate_run_id BIGINT REFERENCES gate_runs(id),
    adr TEXT,
    revision INTEGER NOT NULL DEFAULT 0,
    last_checks TEXT,
    last_commit TEXT,
    outcome TEXT,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE UNIQUE INDEX rollouts_one_active ON rollouts(model) WHERE state IN ('active','paused');
  CREATE INDEX rollouts_by_model ON rollouts(model, id);
  `,
  // 5: steps matched with the GitOps history (ADR 26): each rollout's key (its Mlctl-Rollout
  // trailer, made before its first commit; older rollouts keep their id) and every recorded step
  `
  ALTER TABLE rollouts ADD COLUMN rollout_key TEXT;
  UPDATE rollouts SET rollout_key = CAST(id AS TEXT);
  CREATE UNIQUE INDEX rollouts_by_key ON rollouts(rollout_key);
  CREATE TABLE steps (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    action TEXT NOT NULL,
    rollout_key TEXT,
    stage TEXT NOT NULL,
    commit_sha TEXT,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('recorded','adopted'))
  );
  CREATE INDEX steps_by_model ON steps(model, seq);
  `,
  // 6: a step written but not yet in effect: a pull request awaiting its merge, a label awaiting its
  // version's load (core/rollout/pending.ts)
  `
  ALTER TABLE rollouts ADD COLUMN pending TEXT;
  `,
  // 7: every look of a live compare check (candidate vs champion, core/rollout/compare-check.ts):
  // the evidence of each stage's decision, and what its running intersection is computed from
  `
  CREATE TABLE compare_looks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rollout_id BIGINT NOT NULL REFERENCES rollouts(id),
    step INTEGER NOT NULL,
    check_name TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    cand_events BIGINT NOT NULL,
    cand_trials BIGINT NOT NULL,
    champ_events BIGINT NOT NULL,
    champ_trials BIGINT NOT NULL,
    estimate DOUBLE PRECISION,
    radius DOUBLE PRECISION,
    lower_bound DOUBLE PRECISION,
    upper_bound DOUBLE PRECISION,
    run_lower DOUBLE PRECISION,
    run_upper DOUBLE PRECISION,
    counted INTEGER NOT NULL CHECK (counted IN (0, 1)),
    verdict TEXT NOT NULL CHECK (verdict IN ('pass','fail','inconclusive')),
    better TEXT NOT NULL CHECK (better IN ('lower','higher')),
    margin DOUBLE PRECISION NOT NULL,
    alpha DOUBLE PRECISION NOT NULL,
    tau DOUBLE PRECISION NOT NULL,
    min_trials INTEGER NOT NULL
  );
  CREATE INDEX compare_looks_by_rollout ON compare_looks(rollout_id, step, check_name, id);
  `,
];
