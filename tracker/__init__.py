"""Sổ tiếp dân: citizen reception and petition handling for commune People's Committees."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → CLI → error handlers."""
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or os.path.join(ROOT, "instance"),
    )
    if config and config.get("TESTING"):
        app.testing = True
    from tracker import config as config_module

    config_module.load_config(app, config)
    from tracker import id_protection

    id_protection.init_app(app)  # keys for citizens' ID numbers (hash + encryption), see README

    from tracker import security

    security.init_app(app)  # Secure cookies over HTTPS, ProxyFix when TRACKER_PROXY_FIX is set

    from tracker import setup

    setup.register_extensions(app)
    setup.register_blueprints(app)
    setup.register_cli(app)
    setup.register_request_hooks(app)
    setup.start_scheduler(app)
    return app
