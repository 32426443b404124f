-- Version 7: what pins a story to one event (years, dates, weekdays, full names stated), with counts.

ALTER TABLE story_state ADD COLUMN IF NOT EXISTS marks VARCHAR[] DEFAULT [];
ALTER TABLE story_state ADD COLUMN IF NOT EXISTS mark_counts INTEGER[] DEFAULT [];
COMMENT ON COLUMN story_state.marks IS 'Years, dates, weekdays and full names its articles state (kind letter, colon, value)';
COMMENT ON COLUMN story_state.mark_counts IS 'How many of its articles state each mark (parallel to marks)';
COMMENT ON COLUMN story_state.story_id IS 'Story (as in stories)';
COMMENT ON COLUMN story_state.topic IS 'Topic of the story';
