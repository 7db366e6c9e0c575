"""Repository tools that are not part of the wheel (the generated docs)."""
