"""Reading and safely replacing the DuckDB warehouse."""
