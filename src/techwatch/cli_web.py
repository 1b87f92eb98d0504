"""`techwatch site`, `techwatch serve` and `techwatch user`: the web commands (thin)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

user_app = typer.Typer(help="Users of the web app (passwords stored hashed).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from techwatch.cli import RichProgress, _workspace, console, err

    @app.command()
    def site(
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Folder (default: <workspace>/site).")
        ] = None,
    ) -> None:
        """Build the static HTML site (only changed pages are rewritten)."""
        _need_web_extra(err)
        with _workspace() as ws:
            report = ws.site(out, progress=RichProgress())
        console.print(
            f"site: {report.pages} pages, {report.written} files written, "
            f"{report.unchanged + report.skipped} unchanged, {report.removed} removed "
            f"in {report.elapsed:.1f}s"
        )
        console.print(f"open {escape(str(report.out / 'index.html'))}")

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = (
            "127.0.0.1"
        ),
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
        workers: Annotated[
            int,
            typer.Option(
                min=1,
                max=64,
                help="Worker processes (each loads the app: memory grows with them). "
                "Several use several cores; see the README for measured figures.",
            ),
        ] = 1,
    ) -> None:
        """Serve the live app: browse, search, curate, add sources and run the pipeline."""
        _need_web_extra(err)
        import uvicorn

        from techwatch.cli import state
        from techwatch.web.app import create_app, serve_environment, tune_for_serving

        with _workspace() as ws:
            tune_for_serving()
            users = ws.web_users()
            if not _loopback(host):
                err.print(
                    f"[yellow]warning:[/] binding {escape(host)} exposes the app beyond this "
                    "machine; put it behind https (cookies are marked Secure only over https)."
                )
            if users.count() == 0:
                err.print(
                    "no user yet: create one with `techwatch user add NAME` to log in "
                    "(reading needs a login unless web.public_read = true)."
                )
            console.print(
                f"serving {escape(str(ws.root))} on http://{escape(host)}:{port}/"
                + (f" ({workers} worker processes)" if workers > 1 else "")
            )
            if workers == 1:
                uvicorn.run(create_app(ws), host=host, port=port, log_level="warning")
                return
            # Each worker process opens the workspace itself (`app_from_env`); what they
            # must share (logins, throttle, runs and their progress) is in the store.
            os.environ.update(serve_environment(ws.root, state.db, state.overrides, workers))
            uvicorn.run(
                "techwatch.web.app:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )

    @user_app.command("add")
    def user_add(
        name: Annotated[str, typer.Argument(help="User name.")],
        password: Annotated[
            str,
            typer.Option(
                prompt=True,
                hide_input=True,
                confirmation_prompt=True,
                envvar="TECHWATCH_PASSWORD",
                help="Asked for when not given (or read from TECHWATCH_PASSWORD).",
            ),
        ],
    ) -> None:
        """Create a user of the web app, or change their password."""
        from techwatch.web.auth import AuthError

        with _workspace() as ws:
            try:
                user = ws.web_users().set_password(name, password)
            except AuthError as exc:
                raise ValueError(str(exc)) from exc
        console.print(f"user {escape(user.name)} can log in")

    @user_app.command("token")
    def user_token(
        name: Annotated[str, typer.Argument(help="User name.")],
        label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    ) -> None:
        """Make an API token for a user (printed once; only its hash is stored)."""
        from techwatch.web.auth import AuthError

        with _workspace() as ws:
            try:
                token = ws.web_users().new_token(name, label)
            except AuthError as exc:
                raise ValueError(str(exc)) from exc
        console.print(escape(token), soft_wrap=True)

    app.add_typer(user_app, name="user")


def _need_web_extra(err: object) -> None:
    """A clear message, not a traceback, when the `web` extra is not installed."""
    import importlib.util

    missing = [
        m
        for m in ("jinja2", "fastapi", "uvicorn", "argon2", "multipart")
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        err.print(  # type: ignore[attr-defined]
            f"missing {', '.join(missing)}: install the web extra (pip install 'techwatch[web]')"
        )
        raise typer.Exit(2)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
