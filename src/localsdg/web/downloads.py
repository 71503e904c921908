"""File downloads for the API and the pages: the catalog layout, CSV tables, any bytes."""

from __future__ import annotations

import io
from urllib.parse import quote

from fastapi.responses import Response

from localsdg.catalog.export import write_rows
from localsdg.textfiles import write_csv_rows

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "ttl": "text/turtle; charset=utf-8", "pdf": "application/pdf",
         "html": "text/html; charset=utf-8"}


def download(content: bytes, name: str, fmt: str) -> Response:
    return Response(content, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"})


def rows_download(rows: list[dict], name: str, fmt: str) -> Response:
    """Indicator rows in the catalog layout as CSV, XLSX or JSON."""
    buffer = io.BytesIO()
    write_rows(rows, fmt, buffer)
    return download(buffer.getvalue(), name, fmt)


def csv_download(rows: list[dict], fields: list[str], name: str) -> Response:
    """A plain table as CSV (the numbers behind a chart or a statistic)."""
    buffer = io.StringIO()
    write_csv_rows(buffer, [fields, *([row.get(f, "") for f in fields] for row in rows)])
    return download(buffer.getvalue().encode("utf-8"), name, "csv")
