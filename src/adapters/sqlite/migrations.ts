/**
 * Numbered migrations, applied in order inside one transaction each; PRAGMA user_version records
 * the last one applied. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: ReadonlyArray<string> = [
  // 1: registry core
  `
  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES models(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('registered','validated','staging','production','archived')),
    manifest_digest TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    total_size INTEGER NOT NULL,
    data_hash TEXT,
    code_commit TEXT,
    code_branch TEXT,
    code_dirty INTEGER,
    code_remote TEXT,
    config TEXT,
    feature_schema TEXT,
    requirements TEXT,
    parent_id INTEGER REFERENCES versions(id),
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
    version_id INTEGER NOT NULL REFERENCES versions(id),
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (version_id, path)
  ) WITHOUT ROWID;
  CREATE INDEX artifacts_by_sha ON artifacts(sha256);
  CREATE TABLE metrics (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    slice TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    value REAL NOT NULL,
    dataset_digest TEXT,
    dataset_name TEXT,
    PRIMARY KEY (version_id, slice, name)
  ) WITHOUT ROWID;
  CREATE TABLE tags (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (version_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX tags_by_kv ON tags(key, value);
  CREATE TABLE aliases (
    model_id INTEGER NOT NULL REFERENCES models(id),
    alias TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (model_id, alias)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
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
  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  `,
  // 2: gate runs, bound to what they evaluated
  `
  CREATE TABLE gate_runs (
    id INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES versions(id),
    baseline_id INTEGER REFERENCES versions(id),
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
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES versions(id),
    champion_id INTEGER REFERENCES versions(id),
    plan_name TEXT NOT NULL,
    plan TEXT NOT NULL,
    step INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active','paused','completed','aborted')),
    step_started_at TEXT NOT NULL,
    candidate_uri TEXT NOT NULL,
    champion_uri TEXT,
    gate_run_id INTEGER REFERENCES gate_runs(id),
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
    seq INTEGER NOT NULL,
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
    id INTEGER PRIMARY KEY,
    rollout_id INTEGER NOT NULL REFERENCES rollouts(id),
    step INTEGER NOT NULL,
    check_name TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    cand_events INTEGER NOT NULL,
    cand_trials INTEGER NOT NULL,
    champ_events INTEGER NOT NULL,
    champ_trials INTEGER NOT NULL,
    estimate REAL,
    radius REAL,
    lower_bound REAL,
    upper_bound REAL,
    run_lower REAL,
    run_upper REAL,
    counted INTEGER NOT NULL CHECK (counted IN (0, 1)),
    verdict TEXT NOT NULL CHECK (verdict IN ('pass','fail','inconclusive')),
    better TEXT NOT NULL CHECK (better IN ('lower','higher')),
    margin REAL NOT NULL,
    alpha REAL NOT NULL,
    tau REAL NOT NULL,
    min_trials INTEGER NOT NULL
  );
  CREATE INDEX compare_looks_by_rollout ON compare_looks(rollout_id, step, check_name, id);
  `,
];
