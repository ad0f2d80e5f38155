"""The web companion: a FastAPI app (web.app) served by uvicorn locally and by Lambda."""

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
