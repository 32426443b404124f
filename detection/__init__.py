"""Detection: stories, comparable keys, typed comparisons, explanations, alert lifecycle."""
