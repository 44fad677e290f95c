"""HTML blueprints: thin views over the services."""
from __future__ import annotations

from flask import Flask

from tracker.web import errors
from tracker.web import filters


def register_web(app: Flask) -> None:
    from tracker.web.admin.views import bp as admin_bp
    from tracker.web.auth.views import bp as auth_bp
    from tracker.web.letters.views import bp as letters_bp
    from tracker.web.reception.citizens import bp as citizens_bp
    from tracker.web.reception.views import bp as reception_bp

    filters.init_app(app)
    errors.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(reception_bp)
    app.register_blueprint(citizens_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(letters_bp)
    from tracker.web.cases.views import bp as cases_bp
    from tracker.web.mediation.views import bp as mediation_bp

    app.register_blueprint(cases_bp)
    app.register_blueprint(mediation_bp)
    from tracker.web.dashboard.views import bp as dashboard_bp
    from tracker.web.weekly.inbox import bp as inbox_bp
    from tracker.web.weekly.instructions import bp as instructions_bp
    from tracker.web.weekly.views import bp as weekly_bp

    app.register_blueprint(weekly_bp)
    app.register_blueprint(instructions_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(dashboard_bp)
    from tracker.web.attachments.views import bp as attachments_bp

    app.register_blueprint(attachments_bp)
    from tracker.web.grants.views import bp as grants_bp

    app.register_blueprint(grants_bp)
    from tracker.web.reports.views import bp as reports_bp

    app.register_blueprint(reports_bp)
    from tracker.web.guide.views import bp as guide_bp

    app.register_blueprint(guide_bp)
