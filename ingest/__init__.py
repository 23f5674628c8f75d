"""Loading town exports into the raw schema of the warehouse."""
