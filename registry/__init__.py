"""The beneficiary registry: create_app and the steps that assemble it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from registry.config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment (tests)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(load_config(app.instance_path, config))
    register_logging(app)
    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_commands(app)
    register_web(app)
    return app


def register_logging(app: Flask) -> None:
    """Mask ID and account numbers, passwords and tokens in every log line (registry.logging)."""
    from registry.logging import install

    install(app)


def register_extensions(app: Flask) -> None:
    from registry.dialects import configure_engine
    from registry.extensions import babel, csrf, db, keys, login_manager, migrate
    from registry.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    keys.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


def register_models() -> None:
    """Import every model module so metadata is complete (Alembic, relationships)."""
    import registry.audit.models
    import registry.auth.models
    import registry.auth.tokens
    import registry.decisions.models
    import registry.households.models
    import registry.imports.models
    import registry.jobs.models
    import registry.payments.models
    import registry.people.models
    import registry.units.models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from registry.audit.views import bp as audit_bp
    from registry.auth.token_views import bp as tokens_bp
    from registry.auth.views import bp as auth_bp
    from registry.decisions.views import bp as decisions_bp
    from registry.households.views import bp as households_bp
    from registry.imports.views import bp as imports_bp
    from registry.payments.views import bp as payments_bp
    from registry.people.views import bp as people_bp
    from registry.reports.views import bp as reports_bp
    from registry.web.home import bp as home_bp

    for bp in (
        auth_bp,
        home_bp,
        households_bp,
        people_bp,
        decisions_bp,
        payments_bp,
        audit_bp,
        tokens_bp,
        imports_bp,
        reports_bp,
    ):
        app.register_blueprint(bp)

    from registry import api

    api.init_app(app)


def register_commands(app: Flask) -> None:
    from registry.audit.cli import audit_cli
    from registry.auth.cli import users_cli
    from registry.backup.cli import backup_cli
    from registry.demo.cli import demo_cli
    from registry.eligibility.cli import rules_cli
    from registry.households.cli import households_cli
    from registry.identity.cli import keys_cli
    from registry.payments.cli import payments_cli
    from registry.people.cli import people_cli
    from registry.reports.cli import reports_cli
    from registry.units.cli import units_cli

    for group in (
        units_cli,
        users_cli,
        people_cli,
        households_cli,
        keys_cli,
        audit_cli,
        demo_cli,
        rules_cli,
        payments_cli,
        reports_cli,
        backup_cli,
    ):
        app.cli.add_command(group)


def register_web(app: Flask) -> None:
    from registry.web import setup

    setup.init_app(app)
