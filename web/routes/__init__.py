"""Route modules: pages, account, practice, link and export (HTML); api and practice_api (JSON)."""
