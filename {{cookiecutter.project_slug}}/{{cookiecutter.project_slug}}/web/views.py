"""The pages: parse the form, call the users service, render a template or redirect."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..errors import Conflict
from ..pagination import page_count, page_request
from ..times import as_utc
from ..transactions import commit_now
from ..users import service
from .forms import UserForm
from .status import database_status

bp = Blueprint("web", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    """The landing page: what the app serves, and whether each database answers."""
    return render_template("web/index.html", databases=database_status())


@bp.get("/users")
def users() -> str:
    """A page of users, newest first, with the form to add one."""
    return users_page(UserForm())


@bp.post("/users")
def add_user() -> Response | tuple[str, int]:
    """Add a user from the form, then redirect to the list; or show the form again (422)."""
    form = UserForm.posted(request.form)
    data = form.validated()
    if data is not None:
        try:
            user = service.create_user(data)
        except Conflict as error:
            form.refuse("email", error.detail)
        else:
            flash(f"Added {user.name} ({user.email}).")
            return redirect_keeping_writes(url_for("web.users"))
    return users_page(form), 422


def users_page(form: UserForm) -> str:
    """The users page for ``?page=&per_page=``, showing ``form`` (empty, or as posted)."""
    page = page_request(request.args)
    listing = service.list_users(page, newest_first=True)
    rows, total = listing.rows, listing.total or 0
    pages = page_count(total, page.per_page)
    return render_template(
        "web/users.html", users=rows, total=total, page=page, pages=pages, form=form
    )


def redirect_keeping_writes(location: str) -> Response:
    """A 303 to ``location`` (post/redirect/get) that never loses the request's writes.

    ``autocommit_include_redirect`` commits them with the 303 itself; ``autocommit`` would
    roll them back for a 303, so they are committed first; in ``manual`` the service has
    committed them, and ``commit_now()`` finds nothing left to do.
    """
    response = redirect(location, 303)
    if not current_app.config["DATABASE_COMMIT_MODE"].commits(response.status_code):
        commit_now()
    return response


@bp.app_template_filter("utc")
def utc_time(moment: datetime) -> str:
    """``2025-01-31 14:05 UTC``, whatever time zone the database handed back."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")
