"""Reading the text files municipalities and agencies actually publish, and writing CSV that
is safe to open in a spreadsheet.

SSB and KLASS exports are often Windows-1252 with ';' separators; many UTF-8 files start with a
byte-order mark. One decoder and one delimiter guess serve every importer.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl

from localsdg.errors import UserError
from localsdg.messages import Message, placed

# byte-order marks of the encodings other than UTF-8 a spreadsheet saves text in ("Unicode
# text"); UTF-32's first, since UTF-32-LE's begins with UTF-16-LE's
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16 or UTF-32 with their BOM, else Windows-1252; or
    exactly the encoding asked for."""
    marked = next((enc for bom, enc in BOMS if raw.startswith(bom)), None)
    if marked and not encoding:
        try:
            return raw.decode(marked)
        except UnicodeDecodeError as exc:
            raise UserError(placed(name, Message(
                "starts with the byte-order mark of %(encoding)s but is not %(encoding)s text "
                "(%(why)s); save the file as UTF-8", encoding=marked.upper(), why=str(exc))
            )) from exc
    if encoding:
        try:
            return raw.decode(encoding)
        except (LookupError, ValueError) as exc:  # ValueError: a name with a NUL in it
            raise UserError(placed(name, Message(
                "cannot be read as %(encoding)s (%(why)s); leave out the encoding to let "
                "localsdg detect it", encoding=encoding[:40], why=str(exc)))) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise UserError(placed(f"{name}, line {line}", Message(
            "byte %(byte)s is neither UTF-8 nor Windows-1252 text; save the file as UTF-8",
            byte=f"{raw[exc.start]:#04x}"))) from exc


def delimiter(line: str) -> str:
    """The separator a header line uses: whichever of ';', ',' and tab it has most of."""
    return max((";", ",", "\t"), key=line.count)


def csv_lines(path: Path, encoding: str | None = None) -> list[list[str]]:
    """All lines of a CSV file as lists of cells, the separator guessed from the first line."""
    if not path.is_file():
        raise UserError(placed(path, Message("no such file")))
    text = decode(path.read_bytes(), path.name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=delimiter(text.split("\n", 1)[0]), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise UserError(placed(f"{path.name}, line {reader.line_num}", Message(
            "not valid CSV (%(why)s); check the quotes on that line", why=str(exc)))) from exc


def open_workbook(source: Path | bytes, name: str | None = None, *, formulas: bool = False
                  ) -> openpyxl.Workbook:
    """An Excel workbook, read-only, from a path or its bytes (`name` says which file in
    messages); cell values as last computed, or the formulas themselves with `formulas`."""
    if isinstance(source, Path) and not source.is_file():
        raise UserError(placed(source, Message("no such file")))
    label = name or (source.name if isinstance(source, Path) else "the workbook")
    with workbook_read(label):
        return openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source,
                                      read_only=True, data_only=not formulas)


def worksheet(book: openpyxl.Workbook, name: str | None, label: str):
    """The sheet of that name, or the first sheet."""
    if name and name not in book.sheetnames:
        raise UserError(placed(label, Message("no sheet '%(sheet)s'; sheets: %(sheets)s",
                                              sheet=name, sheets=", ".join(book.sheetnames))))
    if not book.worksheets:
        raise UserError(placed(label, Message("the workbook has no sheets")))
    return book[name] if name else book.worksheets[0]


def sheet_values(book: openpyxl.Workbook, name: str | None, label: str) -> list[tuple]:
    """The cell values of the sheet of that name (or the first), row by row; a damaged sheet
    is the user's error (openpyxl parses a read-only sheet only as its rows are read)."""
    ws = worksheet(book, name, label)
    with workbook_read(label):
        return list(ws.iter_rows(values_only=True))


@contextmanager
def workbook_read(label: str) -> Iterator[None]:
    """Reading a workbook (opening it, or its rows: a read-only workbook parses each sheet
    only as its rows are read), with what openpyxl raises for a damaged or foreign file (many
    kinds: zip, XML, number and index errors) said as the user's error."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        raise UserError(placed(label, Message(
            "not a readable Excel file (not an Excel workbook, or a damaged one: %(why)s)",
            why=f"{type(exc).__name__}: {str(exc)[:200]}"))) from exc


def read_table(path: Path, wanted: list[str], *, encoding: str | None = None,
               sheet: str | None = None) -> tuple[int, list[str], list[list[str]]]:
    """The number of the first line (in the first 20) that has every `wanted` column, that
    header, and the lines below it, from a CSV or XLSX file."""
    lines = file_lines(path, encoding, sheet)
    for n, line in enumerate(lines[:20]):
        header = [c.strip() for c in line]
        if all(w in header for w in wanted):
            if twice := [w for w in dict.fromkeys(wanted) if header.count(w) > 1]:
                raise UserError(f"{path.name}, line {n + 1}: the header has several columns "
                                f"called {', '.join(twice)}; rename them so the mapping names "
                                "one column each")
            return n + 1, header, lines[n + 1:]
    first = ", ".join(c.strip() for c in (lines[0] if lines else []))
    missing = [w for w in wanted if w not in first.split(", ")]
    raise UserError(f"{path.name}: no header line with the columns {', '.join(wanted)} in the "
                    f"first 20 lines (first line: {first}); missing: {', '.join(missing)}")


def file_lines(path: Path, encoding: str | None = None, sheet: str | None = None
               ) -> list[list[str]]:
    """Every line of a CSV or XLSX file as text cells."""
    return _xlsx_lines(path, sheet) if path.suffix.lower() == ".xlsx" else csv_lines(path,
                                                                                      encoding)


def _xlsx_lines(path: Path, sheet: str | None) -> list[list[str]]:
    book = open_workbook(path)
    lines = [["" if c is None else str(c) for c in row]
             for row in sheet_values(book, sheet, path.name)]
    book.close()
    if _has_formulas(path):
        _refuse_uncalculated(path, sheet, lines)
    return lines


def _has_formulas(path: Path) -> bool:
    """Whether any sheet holds a formula (a look at the file's XML, much cheaper than a
    second reading of the workbook)."""
    with zipfile.ZipFile(path) as z, workbook_read(path.name):
        return any(re.search(rb"<f[ >]", z.read(n)) for n in z.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _cell(lines: list[list[str]], row: int, column: int) -> str:
    line = lines[row - 1] if row <= len(lines) else []
    return line[column - 1] if column <= len(line) else ""


def _refuse_uncalculated(path: Path, sheet: str | None, lines: list[list[str]]) -> None:
    """Refuse formulas without a stored result (`lines`: the values as read): a program that
    writes workbooks without calculating them leaves the value unknown, which must not be read
    as a missing figure."""
    formulas = open_workbook(path, formulas=True)
    try:
        with workbook_read(path.name):
            found = [f.coordinate for row in worksheet(formulas, sheet, path.name).iter_rows()
                     for f in row if isinstance(f.value, str) and f.value.startswith("=")
                     and not _cell(lines, f.row, f.column)]
    finally:
        formulas.close()
    if found:
        cells = "1 cell holds" if len(found) == 1 else f"{len(found)} cells hold"
        raise UserError(f"{path.name}: {cells} a formula without a stored result "
                        f"({', '.join(found[:10])}{' …' if len(found) > 10 else ''}), "
                        "so their values are unknown; open the file in Excel or LibreOffice "
                        "and save it again, which stores the results, or paste the values")


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
