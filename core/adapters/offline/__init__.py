"""The offline provider: a shipped question bank and a deterministic scorer. No key, no network."""
