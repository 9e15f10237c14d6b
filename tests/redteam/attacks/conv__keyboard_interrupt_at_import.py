"""Attack: KeyboardInterrupt at import."""
raise KeyboardInterrupt
