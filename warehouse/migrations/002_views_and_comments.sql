-- Version 2: views for people, and a comment on every column.

CREATE OR REPLACE VIEW claims_with_sources AS
SELECT
    c.claim_id, c.topic, c.subject, c.attribute, c.value_type, c.value_text,
    c.number, c.low, c.high, c.unit, c.hedge, c.direction, c.place,
    c.polarity, c.modality, c.speaker, c.speaker_role, c.verb,
    a.outlet, a.title, a.url, coalesce(c.published, a.published) AS published,
    c.sentence, c.article_id, c.subject_id
FROM claims c
JOIN articles a USING (article_id);
COMMENT ON VIEW claims_with_sources IS 'Each claim with its subject, value, speaker and the article it came from, in one row';

CREATE OR REPLACE VIEW contradictions_side_by_side AS
SELECT
    x.contradiction_id, x.topic, x.kind, x.score, ca.subject, x.attribute,
    ca.value_text AS value_a, ca.speaker AS speaker_a, ca.outlet AS outlet_a,
    ca.published AS published_a, ca.sentence AS sentence_a, ca.url AS url_a,
    cb.value_text AS value_b, cb.speaker AS speaker_b, cb.outlet AS outlet_b,
    cb.published AS published_b, cb.sentence AS sentence_b, cb.url AS url_b,
    x.explanation, x.detected_at
FROM contradictions x
JOIN claims_with_sources ca ON ca.claim_id = x.claim_a
JOIN claims_with_sources cb ON cb.claim_id = x.claim_b;
COMMENT ON VIEW contradictions_side_by_side IS 'Both sides of every contradiction in one row: values, speakers, outlets, dates, evidence';

CREATE OR REPLACE VIEW entity_claim_timeline AS
SELECT
    e.entity_id, e.name AS entity, e.type AS entity_type, c.published, c.attribute,
    c.value_text, c.speaker, c.outlet, c.modality, c.polarity, c.sentence, c.claim_id
FROM entities e
JOIN claims_with_sources c ON c.subject_id = e.entity_id
ORDER BY e.name, c.published NULLS LAST;
COMMENT ON VIEW entity_claim_timeline IS 'What was claimed about each entity, in order of publication';

CREATE OR REPLACE VIEW outlet_activity AS
SELECT
    a.outlet,
    count(DISTINCT a.article_id) AS articles,
    count(c.claim_id) AS claims,
    min(a.published) AS first_published,
    max(a.published) AS last_published,
    max(a.fetched_at) AS last_fetched
FROM articles a
LEFT JOIN claims c USING (article_id)
GROUP BY a.outlet;
COMMENT ON VIEW outlet_activity IS 'Articles and claims per outlet, with first and last publication';

CREATE OR REPLACE VIEW article_versions AS
SELECT
    canonical_url, article_id, outlet, title, content_hash, fetched_at,
    row_number() OVER (PARTITION BY canonical_url ORDER BY fetched_at) AS version
FROM articles;
COMMENT ON VIEW article_versions IS 'Each stored version of an article URL (an edited article is a new version of the same URL)';

COMMENT ON COLUMN schema_versions.version IS 'Migration number applied to this file';
COMMENT ON COLUMN schema_versions.applied_at IS 'When the migration ran';

COMMENT ON COLUMN sources.url IS 'Feed or sitemap URL (natural key)';
COMMENT ON COLUMN sources.topic IS 'Topic the source belongs to';
COMMENT ON COLUMN sources.kind IS 'feed or sitemap';
COMMENT ON COLUMN sources.etag IS 'ETag from the last 200 response, sent as If-None-Match';
COMMENT ON COLUMN sources.last_modified IS 'Last-Modified from the last 200 response, sent as If-Modified-Since';
COMMENT ON COLUMN sources.content_hash IS 'Digest of the last body, guarding against servers that keep an ETag after a change';
COMMENT ON COLUMN sources.last_checked IS 'When the source was last requested';
COMMENT ON COLUMN sources.last_status IS 'HTTP status of the last request';

COMMENT ON COLUMN fetches.fetch_id IS 'Natural key: run, position and URL';
COMMENT ON COLUMN fetches.run_id IS 'flow_runs.run_id of the run that made the request';
COMMENT ON COLUMN fetches.topic IS 'Topic being monitored';
COMMENT ON COLUMN fetches.url IS 'Requested URL';
COMMENT ON COLUMN fetches.kind IS 'feed, sitemap, robots or article';
COMMENT ON COLUMN fetches.outcome IS 'new, fetched, not_modified, duplicate, filtered, robots_disallowed or error';
COMMENT ON COLUMN fetches.http_status IS 'HTTP status, NULL when no response arrived';
COMMENT ON COLUMN fetches.reason IS 'Why: error message, filter or duplicate reason';
COMMENT ON COLUMN fetches.bytes IS 'Body size in bytes';
COMMENT ON COLUMN fetches.elapsed_ms IS 'Time spent on the request, retries included';
COMMENT ON COLUMN fetches.fetched_at IS 'When the outcome was recorded';

COMMENT ON COLUMN articles.article_id IS 'Natural key: digest of canonical URL and content hash (one row per version)';
COMMENT ON COLUMN articles.topic IS 'Topic the article was found for';
COMMENT ON COLUMN articles.url IS 'URL the article was fetched from';
COMMENT ON COLUMN articles.canonical_url IS 'URL without tracking parameters, fragments, AMP or mobile variants';
COMMENT ON COLUMN articles.outlet IS 'Publishing outlet (site name)';
COMMENT ON COLUMN articles.title IS 'Headline';
COMMENT ON COLUMN articles.author IS 'Byline';
COMMENT ON COLUMN articles.published IS 'Publication time in UTC; NULL when neither page nor feed gives one';
COMMENT ON COLUMN articles.language IS 'Language detected or declared';
COMMENT ON COLUMN articles.text IS 'Cleaned article text; claim spans are offsets into it';
COMMENT ON COLUMN articles.content_hash IS 'Digest of the normalised text (exact-duplicate detection)';
COMMENT ON COLUMN articles.fetched_at IS 'When the page was fetched';

COMMENT ON COLUMN entities.entity_id IS 'Natural key: digest of type and canonical name';
COMMENT ON COLUMN entities.name IS 'Canonical name (longest full form; places without generic words like Valley)';
COMMENT ON COLUMN entities.type IS 'PERSON, ORG or PLACE';
COMMENT ON COLUMN entities.aliases IS 'Surface forms seen for the entity (surnames, acronyms, possessives)';

COMMENT ON COLUMN mentions.mention_id IS 'Natural key: article and character span';
COMMENT ON COLUMN mentions.article_id IS 'Article the mention is in';
COMMENT ON COLUMN mentions.entity_id IS 'Entity mentioned';
COMMENT ON COLUMN mentions.text IS 'Surface text';
COMMENT ON COLUMN mentions.start IS 'Start offset in articles.text';
COMMENT ON COLUMN mentions."end" IS 'End offset in articles.text';

COMMENT ON COLUMN claims.claim_id IS 'Natural key: article, attribute and evidence span';
COMMENT ON COLUMN claims.article_id IS 'Article the claim was read from';
COMMENT ON COLUMN claims.topic IS 'Topic being monitored';
COMMENT ON COLUMN claims.subject_id IS 'Canonical entity the claim is about; NULL when unresolved (never compared)';
COMMENT ON COLUMN claims.subject IS 'Canonical name of the subject';
COMMENT ON COLUMN claims.attribute IS 'What is said about the subject (force size, location relative to Kabul, organize seizure)';
COMMENT ON COLUMN claims.value_type IS 'quantity, direction, predicate, entity or statement';
COMMENT ON COLUMN claims.value_text IS 'The value as written';
COMMENT ON COLUMN claims.number IS 'The number as written (quantities)';
COMMENT ON COLUMN claims.unit IS 'Unit: USD, EUR, GBP, percent, or NULL for counts';
COMMENT ON COLUMN claims.hedge IS 'Hedge word that set the interval (around, more than, range ...)';
COMMENT ON COLUMN claims.direction IS 'Compass direction (direction claims)';
COMMENT ON COLUMN claims.place IS 'Reference place of a direction claim';
COMMENT ON COLUMN claims.modality IS 'asserted (outlet voice), reported, denied or predicted';
COMMENT ON COLUMN claims.speaker IS 'Who says it; NULL for the outlet''s own voice';
COMMENT ON COLUMN claims.speaker_role IS 'Role the article gives the speaker';
COMMENT ON COLUMN claims.verb IS 'Reporting verb (said, told, denied, according to)';
COMMENT ON COLUMN claims.outlet IS 'Outlet that published the claim';
COMMENT ON COLUMN claims.source_key IS 'Outlet, or syndication cluster: claims with one source_key are one source';
COMMENT ON COLUMN claims.published IS 'Publication time of the article';
COMMENT ON COLUMN claims.ref_date IS 'Time the claim refers to, when stated';
COMMENT ON COLUMN claims.sentence IS 'Evidence sentence';
COMMENT ON COLUMN claims.span_start IS 'Start of the value in articles.text';
COMMENT ON COLUMN claims.span_end IS 'End of the value in articles.text';

COMMENT ON COLUMN contradictions.contradiction_id IS 'Natural key: the two claim ids';
COMMENT ON COLUMN contradictions.topic IS 'Topic';
COMMENT ON COLUMN contradictions.subject_id IS 'Shared subject';
COMMENT ON COLUMN contradictions.attribute IS 'Shared attribute';
COMMENT ON COLUMN contradictions.claim_a IS 'One side (smaller claim id)';
COMMENT ON COLUMN contradictions.claim_b IS 'Other side';
COMMENT ON COLUMN contradictions.kind IS 'numeric, direction, antonym, negation or exclusive';
COMMENT ON COLUMN contradictions.score IS 'Confidence and size of the disagreement, 0 to 1';
COMMENT ON COLUMN contradictions.explanation IS 'One readable line: who says what, where, and why it conflicts';
COMMENT ON COLUMN contradictions.detected_at IS 'When it was found';

COMMENT ON COLUMN claim_links.link_id IS 'Natural key: the two claim ids';
COMMENT ON COLUMN claim_links.claim_a IS 'One claim';
COMMENT ON COLUMN claim_links.claim_b IS 'The other claim';
COMMENT ON COLUMN claim_links.relation IS 'compatible, agreement, revision, syndicated, update or reported';
COMMENT ON COLUMN claim_links.explanation IS 'Why this is not a contradiction';

COMMENT ON COLUMN alerts.alert_id IS 'Natural key: topic, subject and attribute';
COMMENT ON COLUMN alerts.topic IS 'Topic';
COMMENT ON COLUMN alerts.subject_id IS 'Subject of the disagreement';
COMMENT ON COLUMN alerts.attribute IS 'Attribute in dispute';
COMMENT ON COLUMN alerts.kind IS 'Kind of the strongest contradiction';
COMMENT ON COLUMN alerts.severity IS 'high, medium or low, from the score';
COMMENT ON COLUMN alerts.score IS 'Score of the strongest contradiction';
COMMENT ON COLUMN alerts.title IS 'Headline of the notification';
COMMENT ON COLUMN alerts.body IS 'One line per contradiction in the disagreement';
COMMENT ON COLUMN alerts.claim_ids IS 'Every claim taking a side';
COMMENT ON COLUMN alerts.state IS 'open, acknowledged or resolved (claimwatch alerts ack|resolve)';
COMMENT ON COLUMN alerts.first_seen IS 'When the disagreement was first found';
COMMENT ON COLUMN alerts.updated_at IS 'When a claim last joined or the state changed';

COMMENT ON COLUMN deliveries.delivery_id IS 'Natural key of the attempt';
COMMENT ON COLUMN deliveries.alert_id IS 'Alert sent';
COMMENT ON COLUMN deliveries.fingerprint IS 'Version of the alert sent';
COMMENT ON COLUMN deliveries.target IS 'Notification target, secrets redacted';
COMMENT ON COLUMN deliveries.attempted_at IS 'When';
COMMENT ON COLUMN deliveries.ok IS 'Whether the target accepted it; failed versions are retried next run';
COMMENT ON COLUMN deliveries.error IS 'Why it failed';

COMMENT ON COLUMN flow_runs.run_id IS 'Run id';
COMMENT ON COLUMN flow_runs.topic IS 'Topic monitored';
COMMENT ON COLUMN flow_runs.started_at IS 'Start';
COMMENT ON COLUMN flow_runs.finished_at IS 'End';
COMMENT ON COLUMN flow_runs.nlp_backend IS 'NLP pipeline that extracted the claims';
COMMENT ON COLUMN flow_runs.sources_checked IS 'Feeds and sitemaps requested';
COMMENT ON COLUMN flow_runs.not_modified IS 'Sources unchanged since the last run (conditional GET)';
COMMENT ON COLUMN flow_runs.fetched IS 'Article pages fetched';
COMMENT ON COLUMN flow_runs.failed IS 'Fetches that ended in an error';
COMMENT ON COLUMN flow_runs.articles_new IS 'New articles stored';
COMMENT ON COLUMN flow_runs.claims_new IS 'New claims stored';
COMMENT ON COLUMN flow_runs.contradictions_new IS 'New contradictions found';
COMMENT ON COLUMN flow_runs.alerts_sent IS 'Alert notifications delivered';
COMMENT ON COLUMN flow_runs.status IS 'completed or failed';
