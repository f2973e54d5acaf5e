"""PokeWatch."""
