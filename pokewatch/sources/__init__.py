"""Price sources: each yields rows in the one landing schema of `pokewatch.sources.base`."""
