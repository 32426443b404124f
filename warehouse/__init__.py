"""DuckDB warehouse: schema, loading, queries and the contradiction lookup."""
