"""The seven things a planner does in the browser, plus accessibility on every page type."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.helpers import axe_violations

PAGE_TYPES = ["/", "/katalog?q=klimagass&goal=13", "/mal", "/mal/13", "/delmal/13.2", "/sett",
              "/sett/Ungdata", "/om", "/indikator/un-global/13.2.2",
              "/indikator/un-global/13.2.2/endre", "/analyse?set=Ungdata", "/import",
              "/katalog/endre?goal=13", "/indikator/un-global/13.2.2/data", "/kommune/4003",
              "/indikator/lokal/folkemengde/data?grenser=2020", "/land/NOR?lang=en", "/fylke/40",
              "/sammenlign?omrade=4003&omrade=4001&kart=goal:8",
              "/forklaring?profil=telemark-demo&omrade=4003&mal=11", "/kommune/1804",
              "/sted?q=Her%C3%B8y", "/planer", "/kommune/1804/planer", "/plan/4",
              "/plan/4/tiltak/S1", "/plan/3?lang=nn", "/velg?plan=4",
              "/velg?mal=11.2,13.2,3&omrade=1804&lang=en", "/foresla", "/import/data",
              "/analyse?set=un-global&set=UN-SDG-indicators&set=U4SSC&lang=en",
              "/indikator/Areal---Rekreasjonsareal-og-n%C3%A6rturterreng/3929?lang=nn"]
MUNICIPALITIES_2024 = 357


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_wcag_violations(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []


def _slow_htmx_answers(route):
    """Hold every htmx request for a moment so the user acts while one is in flight."""
    if route.request.headers.get("hx-request"):
        time.sleep(0.5)
    route.continue_()


def test_search_as_you_type_and_tick_a_facet(page):
    page.goto("/katalog")
    page.get_by_label("Søk i alle indikatorsett").fill("klimagasutslipp")
    results = page.locator("#catalog-results")
    expect(results.get_by_role("link", name="Totale klimagassutslipp per år")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=klimagasutslipp"))
    # Leaving the search box must not send a search that wipes the tick made meanwhile.
    page.route("**/katalog?*", _slow_htmx_answers)
    page.locator("#catalog-results fieldset", has_text="Mål").get_by_label(
        re.compile(r"^13 Stoppe klimaendringene")).check()
    expect(page).to_have_url(re.compile(r"goal=13"))
    expect(page.locator(".chip-link", has_text="Mål: 13")).to_be_visible()
    page.get_by_role("link", name="Totale klimagassutslipp per år").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Totale klimagassutslipp per år")


def test_works_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/katalog")
    page.get_by_label("Søk i alle indikatorsett").fill("greenhouse")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=greenhouse"))
    expect(page.get_by_role("link", name="Total greenhouse gas emissions per year")).to_be_visible()
    context.close()


def test_edit_and_save_a_property(page):
    page.goto("/indikator/un-global/3.4.1/endre")
    page.locator("#evaluation_steps").get_by_label("4 Brukereffekt (outcome)").check()
    page.get_by_label("Navnet ditt").fill("Kari Planlegger")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status")).to_contain_text("Lagret")
    expect(page.locator("table", has_text="Kari Planlegger")).to_be_visible()


def test_an_invalid_value_is_shown_next_to_the_field(page):
    page.goto("/indikator/un-global/3.4.2/endre")
    page.get_by_label("Delmål", exact=True).fill("3.4|3.99")
    page.get_by_label("Navnet ditt").fill("Kari")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("#targets-error")).to_contain_text("3.99")
    expect(page.get_by_role("alert")).to_contain_text("Ingenting ble lagret")


def test_bulk_edit_with_confirmation(page):
    page.goto("/katalog?goal=15")
    page.get_by_role("link", name=re.compile(r"Endre alle \d+ indikatorene")).click()
    page.get_by_label("Egenskap").select_option("tbl")
    expect(page.locator("#value-field")).to_contain_text("Miljø (planet)")  # swapped by htmx
    page.get_by_label("legg til").check()
    page.get_by_label("Miljø (planet)").check()
    page.get_by_role("button", name="Vis hva som blir endret").click()
    expect(page.get_by_role("status")).to_contain_text("indikatorer blir endret")
    page.get_by_label("Navnet ditt").fill("Kari")
    page.get_by_role("button", name=re.compile("Lagre endringen")).click()
    expect(page.locator(".ds-alert[role=status]")).to_contain_text("ble endret")


def test_upload_a_file_with_an_error(page, tmp_path):
    bad = tmp_path / "mine.csv"
    bad.write_text("set_id,code,name_nb,quality_class\nlokal,1,Navn,4\n", encoding="utf-8")
    page.goto("/import")
    page.get_by_label("Fil").set_input_files(bad)
    page.get_by_role("button", name="Kontroller filen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("ingenting ble importert")
    expect(alert).to_contain_text("rad 2, kolonne quality_class")


def test_switch_language_and_it_is_remembered(page):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Catalog", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicator catalog")
    page.get_by_role("link", name="Nynorsk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("button", name="Søk", exact=True)).to_be_visible()


def test_charts_draw_with_text_alternatives(page):
    page.goto("/analyse?set=De-norske-målepunktene")
    charts = page.locator(".chart[data-vega-spec]")
    expect(charts.first.locator("svg")).to_be_visible()
    assert charts.count() == 9
    label = charts.nth(2).get_attribute("aria-label")
    assert "3 Resultat (output): 355" in label


def test_keyboard_reaches_every_control_on_the_front_page(page):
    page.goto("/")
    controls = page.locator("a[href], input, button, select").count()
    reached = set()
    for _ in range(controls + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    assert len(reached) >= controls
    page.goto("/katalog")
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "q" in seen and any(s.startswith("f-set-") for s in seen)


def test_indicator_data_as_chart_table_and_map(page):
    page.goto("/indikator/un-global/13.2.2")
    page.get_by_role("link", name="Se tallene som diagram, tabell og kart").click()
    expect(page.locator("#line-title")).to_have_text("Over tid")
    expect(page.locator("[data-vega-spec=line-spec] svg")).to_be_visible()
    page.get_by_label("Områder").select_option(["4003"])
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"omrade=4003"))
    table = page.get_by_role("region", name="Tallene")
    expect(table.get_by_role("row")).to_have_count(1 + 13)  # Skien, 13 years 2009–2024
    expect(table.get_by_role("link", name="Skien").first).to_be_visible()
    expect(table).not_to_contain_text("Porsgrunn")
    # The map: one shape per 2024 municipality; 17 Telemark municipalities have a value.
    expect(page.locator("#map-title")).to_contain_text("2024, alle kommuner")
    expect(page.locator("[data-vega-spec=map-spec] svg path[aria-roledescription=geoshape]")
           ).to_have_count(MUNICIPALITIES_2024)
    page.get_by_text("Vis kartet som tabell").click()
    map_table = page.locator("details", has_text="Vis kartet som tabell")
    expect(map_table.get_by_role("row", name=re.compile(r"^Skien \d"))).to_be_visible()
    expect(map_table.get_by_role("row", name="Oslo - Oslove mangler")).to_be_visible()


def test_the_picker_finds_bodo_by_keyboard_and_without_javascript(page, browser, server):
    page.goto("/")
    field = page.get_by_role("combobox", name="Kommune eller fylke", exact=True)
    field.focus()
    page.keyboard.type("Bodø")
    expect(page.locator("#place-list option[value='Bodø (1804)']")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kommune/1804$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bodø")
    expect(page.locator("#summary-coverage")).to_contain_text("4 av 17 mål")
    expect(page.get_by_role("combobox", name="Sammenlign med")).to_have_value("similar:1804")
    assert axe_violations(page) == []
    header = page.get_by_role("combobox", name="Finn din kommune eller ditt fylke")
    header.fill("Herøy")
    header.press("Enter")
    expect(page.get_by_role("link", name=re.compile("Herøy"))).to_have_count(2)
    assert axe_violations(page) == []
    plain = browser.new_context(java_script_enabled=False, base_url=server)
    no_js = plain.new_page()
    no_js.goto("/")
    no_js.get_by_role("combobox", name="Kommune eller fylke", exact=True).fill("skien")
    no_js.get_by_role("button", name="Vis status").click()
    expect(no_js).to_have_url(re.compile(r"/kommune/4003$"))
    plain.close()


def test_municipality_page_lists_its_indicators(page):
    page.goto("/kommune/4003")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skien")
    link = page.get_by_role("link", name="Totale klimagassutslipp per år")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/indikator/un-global/13.2.2/data\?omrade=4003"))


@pytest.mark.parametrize(("url", "rows"), [
    # what cannot be moved to today's borders says why
    ("/indikator/lokal/folkemengde-ssb/data?omrade=1508&omrade=3101",
     [(r"^Halden 2022 31 444", "flyttet til dagens grenser"),
      (r"^Ålesund 2022 mangler", "1507 was split with unknown shares")]),
    # a year without figures on 2020 borders is a row saying so
    ("/indikator/lokal/folkemengde/data?omrade=1507&omrade=1505&grenser=2020",
     [(r"^Ålesund 2015 mangler", "ingen tall for området i denne perioden"),
      (r"^Kristiansund 2015 ", "personer")]),
])
def test_the_table_says_what_is_moved_and_what_is_missing(page, url, rows):
    page.goto(url)
    table = page.get_by_role("region", name="Tallene")
    for name, text in rows:
        expect(table.get_by_role("row", name=re.compile(name))).to_contain_text(text)


def test_profile_page_tiles_explanations_and_report(page):
    page.goto("/kommune/4003?profil=telemark-demo")  # the Telemark example, chosen
    expect(page.locator("#summary-index")).to_contain_text("Skien får")
    tiles = page.locator("ul.tiles > li")
    expect(tiles).to_have_count(17)
    # Status and trend are written out, not shown by colour alone.
    expect(tiles.nth(10)).to_contain_text("11 Bærekraftige byer og lokalsamfunn")
    expect(tiles.nth(10)).to_contain_text("Utfordringer gjenstår")
    expect(tiles.nth(1)).to_contain_text("Ingen indikator i denne profilen")
    expect(page.locator("[data-vega-spec=goal-spec] svg")).to_be_visible()
    index = page.locator("#summary-index").inner_text()
    page.get_by_role("link", name="Slik ble indeksskåren til").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Slik ble skåren til: Skien")
    assert re.search(r"index = mean of the goal scores = [\d.]+", page.content())
    page.go_back()
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF Nynorsk").click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert index.split(" og ")[0] in page.locator("#summary-index").inner_text()


def test_compare_two_municipalities_scatter_and_map(page):
    page.goto("/kommune/4003?profil=telemark-demo")
    page.get_by_role("link", name="Sammenlign med andre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sammenlign områder")
    page.get_by_label("Områder (to til ti)").select_option(["4003", "4020"])
    page.get_by_role("button", name="Sammenlign", exact=True).click()
    goals = page.get_by_role("region", name="Målene side om side")
    expect(goals.get_by_role("columnheader")).to_have_text(["Mål", "Midt-Telemark", "Skien"])
    expect(page.locator("[data-vega-spec=scatter-spec] svg")).to_be_visible()
    page.get_by_label("Vist på kartet").select_option("goal:8")
    page.locator("form", has=page.get_by_label("Vist på kartet")).get_by_role(
        "button", name="Vis").click()
    expect(page.locator("#map-title")).to_contain_text("8 Anstendig arbeid")
    expect(page.locator("[data-vega-spec=map-spec] svg path[aria-roledescription=geoshape]")
           ).to_have_count(MUNICIPALITIES_2024)
    page.get_by_text("Vis kartet som tabell").click()
    expect(page.locator("details", has_text="Vis kartet som tabell").get_by_role(
        "row", name=re.compile(r"^Skien \d"))).to_be_visible()
    assert axe_violations(page) == []


def test_national_page_beside_the_municipal_picture(page):
    page.goto("/land/NOR")
    expect(page.locator("#summary-index")).to_contain_text("82,0 av 100 og er nummer 7 av 165")
    page.get_by_role("link", name="Telemark: et eksempel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sammenlign områder")


def test_a_planner_goes_from_status_to_measures_and_the_report(page, tmp_path):
    """From Bodø's page: make a plan, confirm a suggestion from the status, rate a target, add
    two interactions, set a local target and see its projection, add a measure with an
    indicator and a budget line, and download the follow-up PDF."""
    page.goto("/kommune/1804")
    page.get_by_role("link", name=re.compile("Lag en plan")).click()
    new = page.get_by_role("region", name="Lag en plan")
    new.get_by_label("Navn på planen").fill("Handlingsprogram 2026–2029")
    new.get_by_label("Navnet ditt").fill("Kari Planlegger")
    page.get_by_role("button", name="Lag planen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlingsprogram 2026–2029")
    expect(page.get_by_text("Endringer føres på Kari Planlegger.")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Bekreft")).first.click()
    expect(page.get_by_role("heading", name="Valgte prioriteringer")).to_be_visible()
    page.select_option("#f-key", "11.2")
    page.select_option("#f-importance", "4")
    page.select_option("#f-influence", "5")
    page.get_by_role("button", name="Lagre prioriteringen").click()
    for source, to, score in (("11.2", "13.2", "2"), ("8.1", "13.2", "-1")):
        page.select_option("#f-from", source)
        page.select_option("#f-to", to)
        page.select_option("#f-score", score)
        page.get_by_role("button", name="Lagre samspillet").click()
    expect(page.get_by_text("(målkonflikt)")).to_be_visible()
    page.select_option("#f-indicator", "Kommunehelsa-statistikkbank/1213")
    page.get_by_label("Målverdi").fill("85")
    page.get_by_label("Målår").fill("2029")
    page.get_by_role("button", name="Lagre målet").click()
    row = page.locator("#mal ~ div table tbody tr").first
    expect(row).to_contain_text("85 (2029)")
    expect(page.get_by_text(re.compile("Framskriving: fra siste verdi"))).to_be_visible()
    page.get_by_label("Kort id").fill("T1")
    page.get_by_label("Tittel").fill("Sykkelveier til skolene")
    page.get_by_role("button", name="Legg til tiltaket").click()
    page.get_by_role("link", name="T1 Sykkelveier til skolene").click()
    page.select_option("#f-step", "outcome")
    page.get_by_label("Eller en annen indikator").fill("De-norske-målepunktene/2351")
    page.get_by_role("button", name="Knytt indikatoren").click()
    page.get_by_label("Beløp i kroner").fill("1 500 000")
    page.select_option("#f-goal_1", "11")
    page.get_by_label("Andel for valg 1").fill("100")
    page.get_by_role("button", name="Legg til budsjettlinjen").click()
    expect(page.locator("#budsjett ~ table, #budsjett + table").first).to_contain_text("100 %")
    assert axe_violations(page) == []
    page.get_by_role("link", name=re.compile("Tilbake til planen")).click()
    expect(page.locator("#budsjett").locator("xpath=..")).to_contain_text("Budsjett i alt")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF Bokmål").click()
    path = tmp_path / "plan.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")


def test_paste_a_text_and_get_targets_with_their_reasons(page):
    """From the catalog: paste a measure's text, see the confident target with its words and
    nearest indicators, the hints apart, and the page accessible."""
    page.goto("/katalog")
    page.get_by_role("link", name=re.compile("Hvilke delmål handler en tekst om")).click()
    page.get_by_label("Tekst på norsk eller engelsk").fill(
        "Andel barn som bor i husholdninger med vedvarende lavinntekt")
    page.get_by_role("button", name="Foreslå delmål").click()
    found = page.get_by_role("region", name="Foreslåtte delmål")
    expect(found.get_by_role("link", name="1.2", exact=True)).to_be_visible()
    expect(found).to_contain_text("Ord som passer:")
    expect(found.get_by_role("heading", name="Under terskelen: bare hint")).to_be_visible()
    assert axe_violations(page) == []


def test_a_curator_confirms_a_proposal_and_it_stays_confirmed(page):
    page.goto("/katalog?q=Totalt+klimagassutslipp+per+%C3%A5r&set=De-norske-m%C3%A5lepunktene")
    page.get_by_role("link", name="Totalt klimagassutslipp per år").click()
    row = page.get_by_role("row", name=re.compile("Totale klimagassutslipp per år"))
    expect(row).to_contain_text("Nesten lik")
    row.get_by_text("Avgjør").click()
    row.get_by_label("Koblingstype").select_option("exact")
    row.get_by_label("Navnet ditt").fill("Kari Kurator")
    assert axe_violations(page) == []
    row.get_by_role("button", name="Bekreft").click()
    expect(page.get_by_role("status")).to_contain_text("lagret i historikken til begge")
    row = page.get_by_role("row", name=re.compile("Totale klimagassutslipp per år"))
    expect(row).to_contain_text("Bekreftet av Kari Kurator")
    expect(row).to_contain_text("Samme indikator")
    assert axe_violations(page) == []
    row.get_by_role("button", name="Ta tilbake avgjørelsen").click()
    row = page.get_by_role("row", name=re.compile("Totale klimagassutslipp per år"))
    expect(row).to_contain_text("Foreslått, ikke avgjort ennå")


def test_a_planner_loads_own_figures_in_the_browser_and_sees_them(page, tmp_path):
    """Upload a CSV, see its columns with their meaning guessed, check, confirm, land on the
    data page with the figures; then undo the import from the list, which asks first (under
    the pages' content security policy). Accessible at each step."""
    own = tmp_path / "egne_tall.csv"
    own.write_text("Kommune;Kjønn;År;Andel (%)\nSkien;Menn;2023;12,5\nSkien;Kvinner;2023;13\n"
                   "Bodø;Menn;2024;11\n", encoding="utf-8")
    page.goto("/import")
    page.get_by_role("link", name="Last inn tall (data) for en indikator i stedet").click()
    page.get_by_label(re.compile(r"^Fil \(\.csv")).set_input_files(own)
    page.get_by_label("Eller en ny indikator som skal lages (SETT/KODE)").fill("lokal/egne-tall")
    page.get_by_role("button", name="Vis kolonnene").click()
    expect(page.get_by_label("Perioder (år, skoleår, måneder …)")).to_have_value("År")
    expect(page.get_by_label("Verdier", exact=True)).to_have_value("Andel (%)")
    expect(page.get_by_label("Kjønn")).to_be_checked()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Kontroller filen").click()
    expect(page.get_by_role("status")).to_contain_text("3 tall, 3 av dem nye eller endret")
    page.get_by_label("Navnet ditt (lagres sammen med importen)").fill("Kari Planlegger")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("status")).to_contain_text("Importert: 3 tall lagret")
    expect(page.get_by_role("heading", level=1)).to_contain_text("egne_tall")
    page.goto("/import/data")
    row = page.get_by_role("row", name=re.compile("egne_tall.csv"))
    expect(row).to_contain_text("Kari Planlegger")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.get_by_role("button", name=re.compile("Angre import")).click()  # asked, and declined
    expect(row.get_by_role("button", name=re.compile("Angre import"))).to_be_visible()
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    row.get_by_role("button", name=re.compile("Angre import")).click()
    expect(page.get_by_role("status")).to_contain_text("er angret")
    assert len(asked) == 2 and asked[0].startswith("Angre import")


def test_one_municipality_with_a_value_and_the_others_grey(page, tmp_path):
    """The data page's map (the Vega the app serves) after a planner loads figures for Bodø
    alone: every municipality drawn, the others grey and named missing, a legend that writes
    the one value as the table does, and no accessibility violations."""
    own = tmp_path / "egne_bodo.csv"
    own.write_text("Kommune;År;Andel (%)\nBodø;2024;9,2\n", encoding="utf-8")
    page.goto("/import/data")
    page.get_by_label(re.compile(r"^Fil \(\.csv")).set_input_files(own)
    page.get_by_label("Eller en ny indikator som skal lages (SETT/KODE)").fill("lokal/egne-bodo")
    page.get_by_role("button", name="Vis kolonnene").click()
    expect(page.get_by_label("Verdier", exact=True)).to_have_value("Andel (%)")
    page.get_by_role("button", name="Kontroller filen").click()
    expect(page.get_by_role("status")).to_contain_text("1 tall, 1 av dem nye eller endret")
    page.get_by_label("Navnet ditt (lagres sammen med importen)").fill("Kari Planlegger")
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("status")).to_contain_text("Importert: 1 tall lagret")
    shapes = page.locator("[data-vega-spec=map-spec] svg path[aria-roledescription=geoshape]")
    expect(shapes).to_have_count(MUNICIPALITIES_2024)
    expect(page.locator("[data-vega-spec=map-spec] svg path[aria-label$=': mangler']")
           ).to_have_count(MUNICIPALITIES_2024 - 1)
    expect(page.locator("[data-vega-spec=map-spec] svg path[aria-label^='Bodø']")
           ).to_have_attribute("aria-label", "Bodø: 9,2")
    drawn = page.locator("[data-vega-spec=map-spec] svg")
    expect(drawn).to_contain_text("9,2")
    expect(drawn).not_to_contain_text("9,200000")
    assert "values from" not in drawn.inner_html()  # Vega's English legend description
    expect(page.locator("figure", has=page.locator("#map-title"))
           ).not_to_contain_text("1 kommuner")
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []


def test_charts_draw_under_the_content_security_policy(browser, server):
    """The app's own scripts (htmx, Vega) run under its policy: no exception for tests here."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/kommune/4003")
    expect(page.locator("[data-vega-spec=goal-spec] svg")).to_have_count(1)
    assert "content-security-policy" in page.request.get("/").headers
    page.goto("/api/v1/docs")  # Swagger UI from this server, not a CDN
    expect(page.locator(".opblock").first).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
