-- Version 3: conditional-GET state replayed on 304, and MinHash fingerprints for syndication.

ALTER TABLE sources ADD COLUMN IF NOT EXISTS last_changed TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS items VARCHAR;
COMMENT ON COLUMN sources.content_hash IS 'Digest of the items last read: a 200 with the same digest counts as not modified (some servers keep an ETag across changes)';
COMMENT ON COLUMN sources.last_changed IS 'When the source last answered with new content';
COMMENT ON COLUMN sources.items IS 'JSON list of the items last read, replayed when the source answers 304 so failed articles are retried';

CREATE TABLE IF NOT EXISTS fingerprints (
    article_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    outlet VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    minhash BIGINT[] NOT NULL,
    bands BIGINT[] NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE fingerprints IS 'MinHash signatures of article texts; near-duplicates (syndicated copies) share the first copy''s source_key';
COMMENT ON COLUMN fingerprints.article_id IS 'Article fingerprinted';
COMMENT ON COLUMN fingerprints.topic IS 'Topic of the article';
COMMENT ON COLUMN fingerprints.outlet IS 'Outlet of the article';
COMMENT ON COLUMN fingerprints.source_key IS 'Syndication cluster the article joined (the first copy''s outlet)';
COMMENT ON COLUMN fingerprints.minhash IS 'MinHash signature of the text shingles';
COMMENT ON COLUMN fingerprints.bands IS 'LSH band keys: articles sharing one are compared';
COMMENT ON COLUMN fingerprints.seen_at IS 'When the article was fingerprinted';
