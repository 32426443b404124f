-- Version 8: a refutation ('police denied reports that ...') is a contradiction kind of its own.
-- DuckDB cannot alter a CHECK constraint: the table is rebuilt with the new kind allowed.

CREATE TABLE contradictions_v8 (
    contradiction_id VARCHAR PRIMARY KEY,
    topic VARCHAR NOT NULL,
    subject_id VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    claim_a VARCHAR NOT NULL,
    claim_b VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('numeric', 'direction', 'antonym', 'negation', 'exclusive', 'refutation')),
    score DOUBLE NOT NULL,
    explanation VARCHAR NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL,
    story_id VARCHAR
);
INSERT INTO contradictions_v8
    SELECT contradiction_id, topic, subject_id, attribute, claim_a, claim_b, kind, score,
           explanation, detected_at, story_id
    FROM contradictions;
DROP TABLE contradictions;
ALTER TABLE contradictions_v8 RENAME TO contradictions;
COMMENT ON TABLE contradictions IS 'Pairs of claims that cannot both be true: on one subject and attribute, or a refutation and the report it refutes';
COMMENT ON COLUMN contradictions.contradiction_id IS 'Natural key: the two claim ids';
COMMENT ON COLUMN contradictions.topic IS 'Topic';
COMMENT ON COLUMN contradictions.subject_id IS 'Shared subject (for a refutation: the refuted-claim concept)';
COMMENT ON COLUMN contradictions.attribute IS 'Shared attribute (refutation for a refutation)';
COMMENT ON COLUMN contradictions.claim_a IS 'One side (smaller claim id)';
COMMENT ON COLUMN contradictions.claim_b IS 'Other side';
COMMENT ON COLUMN contradictions.kind IS 'numeric, direction, antonym, negation, exclusive or refutation';
COMMENT ON COLUMN contradictions.score IS 'Confidence and size of the disagreement, 0 to 1';
COMMENT ON COLUMN contradictions.explanation IS 'One readable line: who says what, where, and why it conflicts';
COMMENT ON COLUMN contradictions.detected_at IS 'When it was found';
COMMENT ON COLUMN contradictions.story_id IS 'Story both claims belong to; NULL for a stable fact compared across stories';
COMMENT ON COLUMN claims.value_type IS 'quantity, direction, predicate, entity, statement or refutation';
