"""Reading the text files municipalities and agencies actually publish.

SSB and KLASS exports are often Windows-1252 with ';' separators; many UTF-8 files start with a
byte-order mark. One decoder and one delimiter guess serve every importer.
"""

from __future__ import annotations

import csv
import io
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
