"""Helpers shared by every layer: parameter and input validation, scikit-learn's
callback API. scikit-learn and numpy only: never torch."""
