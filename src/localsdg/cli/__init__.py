"""The `localsdg` command line. It only parses arguments and prints; domain code does the work.

One module per area holds its commands (sync, catalog, data, scoring, profiles, reports,
server); what they share (options, error messages, the database, printing) is in `common`.
This module builds the root `app` (the console script `localsdg = "localsdg.cli:app"`) and
registers their commands; they never import it back.

The database schema, one rule: a command that loads data from outside the database (`sync ...`,
`catalog import`, `data import`, `areas add`, `demo load`) may be the first one run on a new
database, so it brings the schema to the newest migration before it opens the database; so do
`serve`, which loads the reference data it misses, and `db upgrade`, whose whole job it is.
They open it with `common.database(loads=True)`, or call `common.newest_schema()` first when
they load something before their own session; nothing else upgrades. Every other command opens
it with `common.database()` and uses the schema as it is: reading, editing what is stored, and
loading what builds on data loaded before (SDR workbooks, profile sets, area groups). On a new
or older schema those stop with 'run localsdg db upgrade' (`common.user_errors`).
"""

from __future__ import annotations

import typer

from localsdg.cli import catalog, data, plans, profiles, reports, scoring, server, sync, users

app = typer.Typer(help="localsdg: SDG indicators for municipalities and counties.",
                  no_args_is_help=True, pretty_exceptions_enable=False)

# Help lists the commands, then the groups, each in the order they are registered here.
app.command("taxonomy")(catalog.taxonomy_cmd)
app.command("serve")(server.serve_cmd)
app.command("score")(scoring.score_cmd)
app.command("explain")(scoring.explain_cmd)
app.command("status")(reports.status_cmd)
app.command("report")(reports.report_cmd)
app.add_typer(sync.sync_app, name="sync")
app.add_typer(data.areas_app, name="areas")
app.add_typer(data.data_app, name="data")
app.add_typer(data.demo_app, name="demo")
app.add_typer(scoring.sdr_app, name="sdr")
app.add_typer(profiles.profiles_app, name="profiles")
app.add_typer(profiles.groups_app, name="groups")
app.add_typer(plans.plan_app, name="plan")
app.add_typer(catalog.catalog_app, name="catalog")
app.add_typer(users.users_app, name="users")
app.add_typer(server.db_app, name="db")
