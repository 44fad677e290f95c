"""/huong-dan: the Vietnamese user guide, a page per role, printable on A4 (issue 13).

The screenshots under tracker/static/guide/ are taken by tests/browser/test_role_days.py on the demo
data (TRACKER_GUIDE_SCREENSHOTS=1); a page shows only those that exist. No person is shown here.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template

bp = Blueprint("guide", __name__, url_prefix="/huong-dan")

# slug → (title, demo account, screenshots in the order of the page)
ROLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "tiep-dan": ("Cán bộ tiếp dân", "tiepdan", ("tiep-dan-1", "tiep-dan-2", "tiep-dan-3")),
    "xu-ly": ("Cán bộ xử lý đơn, giải quyết vụ việc", "canbo", ("xu-ly-1", "xu-ly-2", "xu-ly-3")),
    "chu-tich": ("Chủ tịch, Phó Chủ tịch UBND xã", "chutich", ("chu-tich-1", "chu-tich-2", "chu-tich-3")),
    "thanh-tra": ("Thanh tra (cấp tỉnh)", "thanhtra", ("thanh-tra-1", "thanh-tra-2", "thanh-tra-3")),
    "quan-tri": ("Quản trị", "quantri", ("quan-tri-1", "quan-tri-2")),
}


def _shots(names: tuple[str, ...]) -> dict[str, str]:
    folder = Path(current_app.static_folder or "") / "guide"
    found = {}
    for name in names:
        for ext in ("png", "jpg"):
            if (folder / f"{name}.{ext}").is_file():
                found[name] = f"guide/{name}.{ext}"
                break
    return found


@bp.get("/")
def index() -> str:
    return render_template("guide/index.html", roles=ROLES)


@bp.get("/<slug>")
def role(slug: str) -> str:
    if slug not in ROLES:
        abort(404)
    title, account, names = ROLES[slug]
    return render_template(f"guide/{slug}.html", slug=slug, title=title, account=account, shots=_shots(names),
                           roles=ROLES)
