-- Version 4: stories (one real-world event across outlets) and the index that assigns them.

ALTER TABLE articles ADD COLUMN IF NOT EXISTS story_id VARCHAR;
COMMENT ON COLUMN articles.story_id IS 'Story the article joined when it was loaded (detection.stories)';

CREATE TABLE IF NOT EXISTS stories (
    story_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    title VARCHAR,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    articles INTEGER NOT NULL,
    outlets VARCHAR[] NOT NULL
);
COMMENT ON TABLE stories IS 'One real-world event or development per row, as reported across outlets; every article joins one';
COMMENT ON COLUMN stories.story_id IS 'Natural key: digest of topic and the first article';
COMMENT ON COLUMN stories.topic IS 'Topic (stories never span topics)';
COMMENT ON COLUMN stories.title IS 'Headline of the first article';
COMMENT ON COLUMN stories.first_seen IS 'Earliest publication (or fetch, when undated) of its articles';
COMMENT ON COLUMN stories.last_seen IS 'Latest publication (or fetch, when undated) of its articles';
COMMENT ON COLUMN stories.articles IS 'How many articles joined';
COMMENT ON COLUMN stories.outlets IS 'Outlets that reported it';

CREATE TABLE IF NOT EXISTS story_state (
    story_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    norms DOUBLE[] NOT NULL,
    years INTEGER[] NOT NULL,
    first_published TIMESTAMPTZ,
    last_published TIMESTAMPTZ
);
COMMENT ON TABLE story_state IS 'What story assignment keeps per story: vector norms, years stated, publication window';
COMMENT ON COLUMN story_state.norms IS 'Squared norm of the story''s TF-IDF vector per feature channel (words, entities, places, figures, phrases)';
COMMENT ON COLUMN story_state.years IS 'Years its articles are dated in (publication, or a dateline in the text)';
COMMENT ON COLUMN story_state.first_published IS 'Earliest publication time of its dated articles';
COMMENT ON COLUMN story_state.last_published IS 'Latest publication time of its dated articles';

CREATE TABLE IF NOT EXISTS story_postings (
    term VARCHAR NOT NULL,
    story_id VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    tf DOUBLE NOT NULL
);
CREATE INDEX IF NOT EXISTS story_postings_term ON story_postings (term);
COMMENT ON TABLE story_postings IS 'Inverted index: each article adds its most salient terms to its story (one row per term and article)';
COMMENT ON COLUMN story_postings.term IS 'Feature: channel letter, colon, lemma / entity token / place / figure / word pair';
COMMENT ON COLUMN story_postings.story_id IS 'Story the term occurs in';
COMMENT ON COLUMN story_postings.topic IS 'Topic of the story';
COMMENT ON COLUMN story_postings.tf IS 'Sublinear term frequency in the article (1 + ln count)';

CREATE TABLE IF NOT EXISTS story_terms (
    term VARCHAR PRIMARY KEY,
    df BIGINT NOT NULL,
    stories BIGINT NOT NULL
);
COMMENT ON TABLE story_terms IS 'Document frequencies for the incremental IDF, and how many stories each term is posted to';
COMMENT ON COLUMN story_terms.term IS 'Feature (as in story_postings)';
COMMENT ON COLUMN story_terms.df IS 'Articles containing the term';
COMMENT ON COLUMN story_terms.stories IS 'Stories the term is posted to: terms posted to too many are not looked up';

CREATE TABLE IF NOT EXISTS story_totals (
    name VARCHAR PRIMARY KEY,
    value BIGINT NOT NULL
);
COMMENT ON TABLE story_totals IS 'Counters of story assignment (articles: the N of the IDF)';
COMMENT ON COLUMN story_totals.name IS 'Counter name';
COMMENT ON COLUMN story_totals.value IS 'Counter value';

CREATE OR REPLACE VIEW story_overview AS
WITH open_alert_claims AS (
    SELECT alert_id, unnest(claim_ids) AS claim_id FROM alerts WHERE state = 'open'
),
alert_stories AS (
    SELECT DISTINCT o.alert_id, a.story_id
    FROM open_alert_claims o
    JOIN claims c USING (claim_id)
    JOIN articles a ON a.article_id = c.article_id
    WHERE a.story_id IS NOT NULL
)
SELECT
    s.story_id, s.topic, s.title, s.first_seen, s.last_seen, s.articles, s.outlets,
    coalesce(n.open_alerts, 0) AS open_alerts
FROM stories s
LEFT JOIN (SELECT story_id, count(*) AS open_alerts FROM alert_stories GROUP BY story_id) n
    USING (story_id)
ORDER BY s.last_seen DESC;
COMMENT ON VIEW story_overview IS 'Each story with its outlets and how many open alerts have a claim from it';
