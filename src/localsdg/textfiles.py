"""Reading the text files municipalities and agencies actually publish, and writing CSV that
is safe to open in a spreadsheet.

SSB and KLASS exports are often Windows-1252 with ';' separators; many UTF-8 files start with a
byte-order mark. One decoder and one delimiter guess serve every importer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from localsdg.errors import UserError


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; or exactly the encoding asked for."""
    if encoding:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise UserError(f"{name}: cannot be read as {encoding} ({exc}); "
                            "leave out the encoding to let localsdg detect it") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def delimiter(line: str) -> str:
    """The separator a header line uses: whichever of ';', ',' and tab it has most of."""
    return max((";", ",", "\t"), key=line.count)


def csv_lines(path: Path, encoding: str | None = None) -> list[list[str]]:
    """All lines of a CSV file as lists of cells, the separator guessed from the first line."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    text = decode(path.read_bytes(), path.name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=delimiter(text.split("\n", 1)[0]), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise UserError(f"{path.name}, line {reader.line_num}: not valid CSV ({exc}); "
                        "check the quotes on that line") from exc


# Text a spreadsheet would run as a formula when it opens a CSV file (CSV injection): '=', '+',
# '-', '@', tab or return first, after any quote marks that already guard it.
FORMULA = re.compile(r"'*[=+\-@\t\r]")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def guarded(value: object) -> object:
    """A CSV cell as a spreadsheet shows it and runs nothing: text that would be a formula gets
    a leading quote mark (Excel's mark for text); numbers such as -5 stay numbers."""
    if isinstance(value, str) and FORMULA.match(value) and not _number(value):
        return "'" + value
    return value


def unguarded(text: str) -> str:
    """The text `guarded` was given, so a CSV file written and read back is unchanged."""
    rest = text[1:]
    if text.startswith("'") and FORMULA.match(rest) and not _number(rest):
        return rest
    return text


def write_csv_rows(out: io.TextIOBase, rows: Iterable[Iterable[object]]) -> None:
    """Rows as CSV, every cell guarded: the one CSV writer of every export."""
    csv.writer(out, lineterminator="\n").writerows([guarded(c) for c in row] for row in rows)
