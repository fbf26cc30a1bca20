"""Password hashing, session tokens, the secret vault and rate limits: no I/O beyond these."""
