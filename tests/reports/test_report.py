"""Area profiles, their pages and reports on the real demo data: Telemark's municipalities with
the demo profile set and Norway in SDSN's SDR 2021.

The figures the pages show are read back from the HTML and must appear, formatted the same way,
in the PDF (text extracted with pypdf), the HTML report and the workbook.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

import numpy as np
import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from localsdg.cli import app as cli
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.present.i18n import translations
from localsdg.present.labels import AMONG_THE_BEST, NO_THRESHOLDS, STATUS, TREND
from localsdg.reports import document
from localsdg.scoring import explain
from localsdg.scoring.area_profile import build, profile_sets_for
from localsdg.scoring.profiles import get_set, profiles_of, save_set
from localsdg.scoring.run import run, scored
from tests.helpers import app_client

NB = translations("nb").gettext
STATUS_WORDS = {NB(t) for t in [*STATUS.values(), AMONG_THE_BEST, NO_THRESHOLDS]}
TREND_WORDS = {NB(t) for t in TREND.values()}

SKIEN = "4003"
LANGS = ["nb", "nn", "en"]


@pytest.fixture
def client(demo, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", demo)
    return app_client()


def _pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_the_profile_is_the_scored_run_traced_to_its_sources(demo):
    with session_scope(demo) as s:
        assert profile_sets_for(s, SKIEN) == ["telemark-demo"]
        assert profile_sets_for(s, "NOR") == ["sdsn-2021"]
        p = build(s, SKIEN)
        r = run(s, "telemark-demo")
        trace = explain.explain(r, SKIEN)
    a = [m.code for m in r.group.members].index(SKIEN)
    assert (p.name, p.group, len(p.goals), p.ranked) == ("Skien", "county:40", 17, 17)
    assert p.index == pytest.approx(trace["index"]["score"], abs=0)
    assert p.rank == trace["index"]["rank"]
    assert [g.goal for g in p.goals if g.measured] == sorted(set(r.profiles.goal.tolist()))
    for g in p.goals:
        assert g.score == (None if np.isnan(r.scores.goal[a, g.goal - 1])
                           else pytest.approx(r.scores.goal[a, g.goal - 1], abs=0))
    lines = [x for g in p.goals for x in g.lines]
    assert len(lines) == len(r.indicators)
    for x in lines:
        if x.value is not None:  # every value shown names its period, source and batch
            assert x.period and x.source and isinstance(x.batch, int)
            assert 1 <= x.position <= x.compared <= 17
    # Skien's own target (the demo's example) replaces the shared optimum for Skien only.
    employment = next(x for x in lines if x.ref == "lokal/sysselsetting")
    assert (employment.value, employment.target, employment.target_year) == (64.2, 68.0, 2030)
    assert employment.change == pytest.approx(3.8) and employment.optimum == 68.0
    # Strongest and weakest are the highest and lowest goal scores, never the same goal.
    scores = sorted(g.score for g in p.goals if g.score is not None)
    assert p.strongest[0].score == scores[-1] and p.weakest[0].score == scores[0]
    assert not {g.goal for g in p.strongest} & {g.goal for g in p.weakest}
    lo, hi = p.index_band
    assert lo <= hi and p.rank_band[0] <= p.rank_band[1]


def test_norway_in_sdr_2021_is_82_0_and_seventh_of_165(client):
    page = client.get("/land/NOR")
    assert page.status_code == 200
    assert "Norge får 82,0 av 100 og er nummer 7 av 165" in page.text
    english = client.get("/land/nor?lang=en").text
    assert "Norge scores 82.0 of 100 and is number 7 of 165" in english


def _web_numbers(html: str) -> tuple[str, dict[str, str]]:
    summary = re.search(r'id="summary-index">([^<]+)<', html).group(1)
    goals = dict(re.findall(r'data-goal-score="(\d+)">([\d,.]+)<', html))
    return summary, goals


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_report_has_at_most_four_pages_and_the_numbers_of_the_page(client, lang):
    html = client.get(f"/kommune/{SKIEN}?lang={lang}").text
    summary, goals = _web_numbers(html)
    assert len(goals) == 7  # the goals the demo profile measures
    response = client.get(f"/rapport/{SKIEN}.pdf?lang={lang}")
    assert response.headers["content-type"] == "application/pdf"
    pages, text = _pdf_text(response.content)
    assert 1 <= pages <= 4
    assert summary.replace("\u00a0", " ") in text
    for goal, value in goals.items():
        assert re.search(rf"\b{goal} [^\d]+ {re.escape(value)}\b", text), (goal, value)


def test_national_report_fits_four_pages(demo):
    with session_scope(demo) as s:
        p = build(s, "NOR")
    for lang in LANGS:
        pages, text = _pdf_text(document.pdf(p, lang))
        assert pages <= 4
        assert ("82,0" if lang != "en" else "82.0") in text


def test_html_report_and_workbook_hold_the_same_numbers(client, demo):
    html = client.get(f"/kommune/{SKIEN}").text
    summary, goals = _web_numbers(html)
    report = client.get(f"/rapport/{SKIEN}.html").text
    assert summary in report and '<html lang="nb">' in report
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/rapport/{SKIEN}.xlsx").content))
    head, row = list(book["sammendrag"].iter_rows(values_only=True))
    summary_row = dict(zip(head, row, strict=True))
    with session_scope(demo) as s:
        p = build(s, SKIEN)
    assert summary_row["Indeksskår"] == pytest.approx(p.index)
    assert summary_row["Plass"] == p.rank
    assert f"{summary_row['Indeksskår']:.1f}".replace(".", ",") in summary
    goal_rows = list(book["mål"].iter_rows(values_only=True))
    shown = {str(r[0]): f"{r[2]:.1f}".replace(".", ",") for r in goal_rows[1:]
             if r[2] is not None}
    assert shown == goals
    indicators = list(book["indikatorer"].iter_rows(values_only=True))
    columns = indicators[0]
    for r in indicators[1:]:
        row = dict(zip(columns, r, strict=True))
        if row["Verdi"] is not None:
            assert row["Kilde"] and row["Importnummer"]
        assert row["Status"] in STATUS_WORDS and row["Trend"] in TREND_WORDS  # words, not codes
    assert len(list(book["sammenlignet"].iter_rows())) == 1 + 17


def test_report_command_writes_each_format_and_names_what_is_wrong(demo, monkeypatch, tmp_path):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", demo)
    runner = CliRunner()
    for fmt in ("pdf", "html", "xlsx"):
        out = tmp_path / f"skien.{fmt}"
        result = runner.invoke(cli, ["report", SKIEN, "--lang", "nn", "--format", fmt,
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    assert _pdf_text((tmp_path / "skien.pdf").read_bytes())[1].startswith("Berekraftsmåla: Skien")
    missing = runner.invoke(cli, ["report", "0301"])
    assert missing.exit_code == 2 and "no profile set compares the area 0301" in missing.output
    bad = runner.invoke(cli, ["report", SKIEN, "--format", "docx"])
    assert bad.exit_code == 2 and "use pdf, html or xlsx" in bad.output


def test_compare_scatter_and_map(client):
    page = client.get("/sammenlign?profil=telemark-demo&omrade=4003&omrade=4001&kart=goal:8")
    assert page.status_code == 200
    assert page.text.count('id="scatter-spec"') == 1 and 'id="map-spec"' in page.text
    assert "Skien" in page.text and "Porsgrunn" in page.text
    too_many = client.get("/sammenlign?" + "&".join(f"omrade={c}" for c in (
        "4001", "4003", "4005", "4010", "4012", "4014", "4016", "4018", "4020", "4022", "4024")))
    assert too_many.status_code == 422 and "two to 10 different areas, not 11" in too_many.text
    twice = client.get("/sammenlign?omrade=4003&omrade=4003")
    assert twice.status_code == 422 and "not 1" in twice.text
    assert client.get("/sammenlign?x=nope/1").status_code == 422
    outsider = client.get("/sammenlign?omrade=0301&omrade=4003")
    assert outsider.status_code == 422 and "0301 not in the group" in outsider.text
    changed = client.get("/sammenlign?gruppe=county:40&fra_gruppe=all:municipality"
                         "&omrade=0301&omrade=4003&omrade=4001")  # the group typed anew
    assert changed.status_code == 200 and "Skien" in changed.text
    alone = client.get("/sammenlign?gruppe=county:40&fra_gruppe=all:municipality&omrade=0301")
    assert alone.status_code == 200  # too few left in the group: the best ranked instead
    assert client.get("/sammenlign?omrade=4003").status_code == 422
    assert client.get("/sammenlign?kart=goal:99").status_code == 422


def test_every_score_links_to_its_explanation(client):
    html = client.get(f"/kommune/{SKIEN}").text
    links = set(re.findall(r'href="(/forklaring\?[^"]+)"', html))
    assert len(links) > 7
    for link in sorted(links)[:6]:
        page = client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200 and "Slik ble skåren til" in page.text


def test_county_page_leads_to_its_municipalities(client):
    page = client.get("/fylke/40")
    assert page.status_code == 200 and "/sammenlign?profil=telemark-demo" in page.text
    assert client.get("/kommune/0301").status_code == 200  # no profile: the figures only
    assert client.get("/land/XYZ").status_code == 404


def test_a_failed_request_leaves_the_kept_run_usable(demo):
    """A request that fails after scoring rolls back; the run kept for others stays readable."""
    with pytest.raises(UserError), session_scope(demo) as s:
        scored(s, "telemark-demo", year=2024)
        raise UserError("a request that fails after scoring")
    with session_scope(demo) as s:
        r, _ = scored(s, "telemark-demo", year=2024)
    assert all(i.name_nb or i.name_en for i in r.indicators)


def test_a_resaved_profile_set_is_scored_afresh(client, demo):
    """Saving a profile set anew keeps its row ids; the pages must still follow the change."""
    before = _web_numbers(client.get(f"/kommune/{SKIEN}").text)[1]
    with session_scope(demo) as s:
        ps = get_set(s, "telemark-demo")
        name, method, source, notes = ps.name, dict(ps.method), ps.source, ps.notes
        original = profiles_of(ps)
    first = next(p for p in original if p.goal == 8)  # goal 8 has two: weigh one of them more
    changed = [replace(p, weight=4.0) if p is first else p for p in original]
    try:
        with session_scope(demo) as s:
            save_set(s, "telemark-demo", name, method, changed, source=source, notes=notes)
        after = _web_numbers(client.get(f"/kommune/{SKIEN}").text)[1]
        assert after["8"] != before["8"] and after["4"] == before["4"]
    finally:
        with session_scope(demo) as s:
            save_set(s, "telemark-demo", name, method, original, source=source, notes=notes)
    assert _web_numbers(client.get(f"/kommune/{SKIEN}").text)[1] == before
