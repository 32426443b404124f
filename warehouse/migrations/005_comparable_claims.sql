-- Version 5: claims compared only where they are comparable. An event fact (a toll, a count,
-- a time, what happened) is compared within its story; a stable fact about a named entity
-- (where a place lies, who leads a body) across stories. Each claim, contradiction and alert
-- carries the story it belongs to.

ALTER TABLE claims ADD COLUMN IF NOT EXISTS story_id VARCHAR;
ALTER TABLE contradictions ADD COLUMN IF NOT EXISTS story_id VARCHAR;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS story_id VARCHAR;
COMMENT ON COLUMN claims.story_id IS 'Story of the claim''s article; event facts are compared only within it';
COMMENT ON COLUMN contradictions.story_id IS 'Story both claims belong to; NULL for a stable fact compared across stories';
COMMENT ON COLUMN alerts.story_id IS 'Story of the disagreement; NULL for a stable fact about a named entity';
