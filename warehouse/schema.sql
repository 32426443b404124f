-- claimwatch warehouse, schema version 1. The single source of tables, keys and comments.

CREATE TABLE IF NOT EXISTS schema_versions (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS sources (
    url VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    content_hash VARCHAR,
    last_checked TIMESTAMPTZ,
    last_status INTEGER
);
COMMENT ON TABLE sources IS 'Feeds and sitemaps watched per topic, with their conditional-GET state';

CREATE TABLE IF NOT EXISTS fetches (
    fetch_id VARCHAR PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    http_status INTEGER,
    reason VARCHAR,
    bytes BIGINT,
    elapsed_ms DOUBLE,
    fetched_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE fetches IS 'Every fetch outcome: new, not_modified, duplicate, filtered, robots_disallowed, error (with status and reason)';

CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL,
    outlet VARCHAR NOT NULL,
    title VARCHAR,
    author VARCHAR,
    published TIMESTAMPTZ,
    language VARCHAR,
    text VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    source_key VARCHAR NOT NULL,
    raw_html VARCHAR
);
COMMENT ON TABLE articles IS 'Cleaned articles; one row per version (canonical URL + content hash)';
COMMENT ON COLUMN articles.source_key IS 'Outlet, or the syndication cluster when the text is a copy of a wire story';
COMMENT ON COLUMN articles.raw_html IS 'Raw page, removed by claimwatch prune; claims and evidence stay';

CREATE TABLE IF NOT EXISTS entities (
    entity_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    aliases VARCHAR[] NOT NULL
);
COMMENT ON TABLE entities IS 'Canonical people, organisations and places with the aliases seen for them';

CREATE TABLE IF NOT EXISTS mentions (
    mention_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
COMMENT ON TABLE mentions IS 'Each occurrence of an entity in an article (character offsets into articles.text)';

CREATE TABLE IF NOT EXISTS claims (
    claim_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    subject_id VARCHAR,
    subject VARCHAR,
    attribute VARCHAR NOT NULL,
    value_type VARCHAR NOT NULL,
    value_text VARCHAR NOT NULL,
    number DOUBLE,
    low DOUBLE,
    high DOUBLE,
    unit VARCHAR,
    hedge VARCHAR,
    direction VARCHAR,
    place VARCHAR,
    polarity INTEGER NOT NULL,
    modality VARCHAR NOT NULL,
    speaker VARCHAR,
    speaker_role VARCHAR,
    verb VARCHAR,
    outlet VARCHAR,
    source_key VARCHAR,
    published TIMESTAMPTZ,
    ref_date TIMESTAMPTZ,
    sentence VARCHAR NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL
);
COMMENT ON TABLE claims IS 'Typed checkable statements with attribution and evidence';
COMMENT ON COLUMN claims.low IS 'Lower bound of the hedge interval (NULL = unbounded)';
COMMENT ON COLUMN claims.high IS 'Upper bound of the hedge interval (NULL = unbounded)';
COMMENT ON COLUMN claims.polarity IS '1 asserted, -1 negated';
CREATE INDEX IF NOT EXISTS claims_subject_attribute ON claims (subject_id, attribute);

CREATE TABLE IF NOT EXISTS contradictions (
    contradiction_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    subject_id VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    claim_a VARCHAR NOT NULL,
    claim_b VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('numeric', 'direction', 'antonym', 'negation', 'exclusive')),
    score DOUBLE NOT NULL,
    explanation VARCHAR NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE contradictions IS 'Pairs of claims on one subject and attribute that cannot both be true';

CREATE TABLE IF NOT EXISTS claim_links (
    link_id VARCHAR PRIMARY KEY,
    claim_a VARCHAR NOT NULL,
    claim_b VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,
    explanation VARCHAR NOT NULL
);
COMMENT ON TABLE claim_links IS 'Decisions that two comparable claims do not conflict: compatible, agreement, revision, syndicated, update';

CREATE TABLE IF NOT EXISTS alerts (
    alert_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    subject_id VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    claim_ids VARCHAR[] NOT NULL,
    state VARCHAR NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    first_seen TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    fingerprint VARCHAR NOT NULL
);
COMMENT ON TABLE alerts IS 'One row per disagreement (subject + attribute), updated as more outlets take a side';
COMMENT ON COLUMN alerts.fingerprint IS 'Digest of the claim set last notified; a change means the alert must be sent again';

CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id VARCHAR PRIMARY KEY,
    alert_id VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    ok BOOLEAN NOT NULL,
    error VARCHAR
);
COMMENT ON TABLE deliveries IS 'Each attempt to deliver an alert version to one notification target (URL secrets redacted)';

CREATE TABLE IF NOT EXISTS flow_runs (
    run_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    nlp_backend VARCHAR,
    sources_checked INTEGER,
    not_modified INTEGER,
    fetched INTEGER,
    failed INTEGER,
    articles_new INTEGER,
    claims_new INTEGER,
    contradictions_new INTEGER,
    alerts_sent INTEGER,
    status VARCHAR NOT NULL
);
COMMENT ON TABLE flow_runs IS 'What each monitor run did';
