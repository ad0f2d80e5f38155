"""Multi-workspace installs: Bolt's OAuth flow over slack_sdk's SQLAlchemy stores.

The stores' tables (slack_installations, slack_bots, slack_oauth_states) are created by our
migration 0002, never by `create_tables()`, so one `interviewbot migrate` sets up everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.config import ConfigError, Settings

if TYPE_CHECKING:
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from sqlalchemy import Engine

# Bot scopes requested at install: keep in step with infra/slack/manifest.yaml (a test checks).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "users:read",  # is_admin / is_owner: who may configure the question of the day
    "chat:write.public",  # post the question of the day in a public channel without an invite
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600


def is_multi_workspace(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


def oauth_settings(settings: Settings, engine: Engine | None = None) -> OAuthSettings:
    """OAuthSettings storing installations and OAuth states in the interview database."""
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    if not (settings.slack_client_id and settings.slack_client_secret):
        raise ConfigError("multi-workspace mode needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    engine = engine or installation_engine(settings)
    client_id = settings.slack_client_id
    return OAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=SQLAlchemyInstallationStore(client_id=client_id, engine=engine),
        installation_store_bot_only=True,  # no user scopes are requested
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


def installation_engine(settings: Settings) -> Engine:
    """An engine on the interview database, for when the core is not built yet (Lambda's ack
    path authorizes every request from the store, and must not build the whole core)."""
    from core.bootstrap import ensure_schema, make_engine

    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        ensure_schema(engine)  # local use: the store's tables come with our migrations
    # Elsewhere the deploy migrates before the code runs; checking here would load Alembic and
    # query the database on the ack path of every cold start.
    return engine
