"""The demo datasets: real Norwegian statistics and Barcelona's Open SDG repository, loaded from
a folder laid out like ../shared/data (what machines without internet use; with internet the
`sync` commands fetch the same kinds of data from the agencies).

Each dataset says which catalog indicator it belongs to. Where the catalog has none, the data
goes to a local indicator in the user set `lokal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from localsdg.areas.store import add_area
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.config import POPULATION
from localsdg.errors import UserError
from localsdg.scoring import profiles
from localsdg.scoring.profiles import Profile
from localsdg.sources import sdr, sdr_workbook
from localsdg.sources.area_lists import sync_areas
from localsdg.sources.jsonstat import import_jsonstat
from localsdg.sources.local_indicators import save_local
from localsdg.sources.national_files import halved_alesund
from localsdg.sources.opensdg import import_repository
from localsdg.sources.tables import Mapping, import_table

LOCAL = {
    "folkemengde": ("Folkemengde 1. januar", "Population 1 January", "personer", ["11.3"]),
    "folkemengde-ssb": ("Folkemengde 1. januar (SSB 07459, 2020-inndeling)",
                        "Population 1 January (SSB 07459, 2020 borders)", "personer", ["11.3"]),
    "utslipp-fluorgasser": ("Utslipp fra produkter med fluorgasser",
                            "Emissions from products containing fluorinated gases",
                            "tonn CO2-ekvivalenter", ["13.2"]),
    "trangbodd": ("Andel som bor trangt", "Share living in crowded housing", "prosent", ["11.1"]),
    "sysselsetting": ("Andel sysselsatte 15–74 år", "Employment rate 15–74", "prosent",
                      ["8.5"]),
    "stromforbruk": ("Strømforbruk etter forbrukergruppe", "Electricity use by consumer group",
                     "GWh", ["7.3"]),
}
EMISSION_SECTORS = {
    "Industri, olje og gass": "993", "Energiforsyning": "995", "Oppvarming": "997",
    "Veitrafikk": "1001", "Sjøfart": "1003", "Luftfart": "1005",
    "Annen mobil forbrenning": "1007", "Jordbruk": "1010", "Avfall og avløp": "1012",
}
EMISSIONS_SET = "Utslipp-av-klimagasser-i-kommuner-og-fylker"
KHS = "Kommunehelsa-statistikkbank"
BARCELONA = ("city", "ES-08019")  # INE's municipality code, prefixed with the country


@dataclass(frozen=True)
class Dataset:
    path: str
    indicator: str | None
    mapping: Mapping | None = None
    publisher: str = ""
    notes: list[str] = field(default_factory=list)
    skip_bad: bool = False


def _m(area: str, value: str, **kw) -> Mapping:
    """A mapping for the county's files, which give every year on the 2024 areas."""
    return Mapping(area=area, value=value, **{"borders": 2024, **kw})


TELEMARK = "norway/stats/telemark/"
PER_CENT = 100.0  # the county's files give shares as 0–1; pages show per cent
# Units are English message ids, shown in the reader's language.
DATASETS = [
    Dataset("norway/stats/fhi_csdata_b2024/population_jan1_b2024_by_agegroup_2005-2026.csv",
            POPULATION, _m("code", "pop_total", period="year", unit="persons",
                                    measure="count", leave_out=halved_alesund),
            "SSB tabell 07459 via Folkehelseinstituttet (2024-inndeling)",
            ["Before 2024 FHI gives 1508 Ålesund and 1580 Haram half of old Ålesund each; "
             "those invented values are left out."]),
    Dataset("norway/fixtures/ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json",
            "lokal/folkemengde-ssb", None, "Statistisk sentralbyrå"),
    Dataset(TELEMARK + "mdir_klimagassutslipp_telemark_kommuner_2009-2024.csv", None,
            _m("Kommune", "Utslipp", period="År", measure="count",
               unit="tonnes CO2 equivalents", indicator_column="Sektor", sum_rows=True,
               indicators={**{k: f"{EMISSIONS_SET}/{v}" for k, v in EMISSION_SECTORS.items()},
                           "produkter med fluorgasser": "lokal/utslipp-fluorgasser"}),
            "Miljødirektoratet: Klimagassutslipp fra kommuner",
            ["The file repeats each municipality, year, sector and source up to three times "
             "with different values (one block per gas, the gas column left out); the rows "
             "are added up to each sector's total in CO2 equivalents."]),
    Dataset(TELEMARK + "mdir_klimagassutslipp_telemark_kommuner_2009-2024.csv",
            "un-global/13.2.2", _m("Kommune", "Utslipp", period="År", measure="count",
                                   unit="tonnes CO2 equivalents", sum_rows=True),
            "Miljødirektoratet: Klimagassutslipp fra kommuner (sum of all sectors)"),
    *[Dataset(TELEMARK + "nav_arbeidsledighet_fylker_telemarkkommuner_2011-2026_monthly.csv",
              f"{KHS}/1151", _m("Geografisk enhet", "Andel av arbeidsstyrken", period="Dato",
                                dims=("Kjønn",), unit="per cent of the labour force",
                                measure="rate", scale=PER_CENT,
                                where={"Arbeidsmarkedsstatus": "Helt ledige", "Nivå": level},
                                level=area_level),
              "NAV: Helt ledige", notes, skip_bad=area_level == "county")
      for level, area_level, notes in (
          ("Telemark kommuner", "municipality", []), ("Landet", "country", []),
          ("Fylker", "county", ["Rows for 'Svalbard og øvrige områder' and 'Ukjent' are not "
                                "counties and are listed as skipped."]))],
    Dataset(TELEMARK + "fhi_forventet_levealder_7aarig.csv", f"{KHS}/1236",
            _m("Kommune", "Antall", period="År (intervall)", dims=("Kjønn",), unit="years of life",
               measure="rate"), "Folkehelseinstituttet: Kommunehelsa"),
    Dataset(TELEMARK + "fhi_drikkevann.csv", f"{KHS}/1216",
            _m("Kommune", "Andel", period="År",
               where={"Parameter": "hygienisk kvalitet og leveringsstabilitet"},
               unit="per cent of the population", measure="rate", scale=PER_CENT),
            "Folkehelseinstituttet: Kommunehelsa"),
    Dataset(TELEMARK + "fhi_barnevaksinasjon.csv", "un-global/3.b.1",
            _m("Kommune", "Andel", period="År (intervall)", dims=("Vaksine mot",),
               unit="per cent of 9-year-olds vaccinated", measure="rate", scale=PER_CENT),
            "Folkehelseinstituttet: SYSVAK"),
    Dataset(TELEMARK + "fhi_overvekt_fedme_17aar.csv", f"{KHS}/1247",
            _m("Kommune", "Andel", period="År (intervall)", dims=("Kjønn",),
               unit="per cent (standardised)", measure="rate", scale=PER_CENT),
            "Folkehelseinstituttet: Kommunehelsa"),
    Dataset(TELEMARK + "fhi_selvmord_femaarig.csv", "un-global/3.4.2",
            _m("Geografi", "value", period="År", dims=("Kjønn", "Alder"),
               unit="deaths per 100,000 (standardised)", measure="rate"),
            "Folkehelseinstituttet: Dødsårsaksregisteret"),
    Dataset(TELEMARK + "fhi_trivsel_10klasse_treaarig.csv", f"{KHS}/1169",
            _m("Kommune", "Andel", period="Skoleår", dims=("Kjønn",),
               unit="per cent (standardised)", measure="rate", scale=PER_CENT),
            "Utdanningsdirektoratet: Elevundersøkelsen"),
    Dataset(TELEMARK + "dekningsgrad_barnehage.csv", "De-norske-målepunktene/2389",
            _m("Kommunenummer", "Andel", period="År", unit="per cent of children aged 1–5",
               measure="rate", scale=PER_CENT), "Statistisk sentralbyrå: Barnehager"),
    Dataset(TELEMARK + "andel_unge_utenfor_2024.csv", f"{KHS}/1131",
            _m("Kommune", "Andel (2024)", period_value="2024", unit="per cent", measure="rate"),
            "Statistisk sentralbyrå"),
    Dataset(TELEMARK + "bor_trangt_2024.csv", "lokal/trangbodd",
            _m("Kommune", "Andel (2024)", period_value="2024", unit="per cent", measure="rate"),
            "Statistisk sentralbyrå"),
    Dataset(TELEMARK + "inntektsulikhet_2024.csv", f"{KHS}/1119",
            _m("Kommune", "Forholdstall (2024)", period_value="2024", unit="P90/P10",
               measure="rate"), "Statistisk sentralbyrå"),
    Dataset(TELEMARK + "luftforurensning_pm25_2024.csv", "De-norske-målepunktene/2560",
            _m("Kommune", "Konsentrasjon PM2_5 (2024)", period_value="2024", unit="µg/m³",
               measure="rate"), "Miljødirektoratet"),
    Dataset(TELEMARK + "valgdeltakelse_kommunevalg_2023.csv", f"{KHS}/1214",
            _m("Kommune", "Andel (2023)", period_value="2023", unit="per cent", measure="rate"),
            "Statistisk sentralbyrå: Kommunestyrevalget"),
    Dataset(TELEMARK + "vedvarende_lavinntekt_0-17_2021-2023.csv",
            "De-norske-målepunktene/2264",
            _m("Kommune", "Andel (2021-2023)", period_value="2021-2023", unit="per cent",
               measure="rate"), "Statistisk sentralbyrå"),
    Dataset(TELEMARK + "sysselsetting_2025.csv", "lokal/sysselsetting",
            _m("Kommune", "Andel sysselsatte (2025)", period_value="2025", unit="per cent",
               measure="rate"), "Statistisk sentralbyrå"),
    Dataset(TELEMARK + "ssb_stromforbruk_telemark.csv", "lokal/stromforbruk",
            _m("Kommune", "Verdi", period="År", dims=("Forbrukergruppe",), unit="GWh",
               measure="count"), "Statistisk sentralbyrå: tabell 14490"),
]


def load_demo(session: Session, folder: Path, by: str) -> dict:
    """Areas, the demo datasets and Barcelona; each dataset in its own batch."""
    if not (folder / "norway").is_dir():
        raise UserError(f"{folder}: not a demo data folder (no 'norway' inside); use a folder "
                        "laid out like ../shared/data")
    report = {"areas": sync_areas(session, folder / "norway"), "datasets": []}
    save_local(session, LOCAL, by)
    for d in DATASETS:
        report["datasets"].append({"file": d.path, "indicator": d.indicator,
                                   **_load(session, folder, d, by).as_dict(),
                                   "notes": d.notes})
    add_area(session, *BARCELONA, "Barcelona", parent="ESP")
    report["barcelona"] = import_repository(session, folder / "opensdg" / "barcelona",
                                            set_id="barcelona", area=BARCELONA, by=by,
                                            set_name="Barcelona 2030 Agenda")
    report["profiles"] = _municipal_profiles(session)
    report["sdr"] = _sdr(session, by)
    return report


# The demo's scoring profile for Telemark's municipalities: (indicator, goal, better, lower rule,
# upper rule or fixed optimum, green, red, justification). Bounds from the compared municipalities
# (the worst 2.5th percentile scores 0, the mean of the best three 100) unless a standard fixes
# them; thresholds only where a standard gives them.
RELATIVE = "Relative to the compared municipalities: the mean of the best three scores 100."
WORST, BEST3, DNM = "percentile:2.5", "top_mean:3", "De-norske-målepunktene"
MUNICIPAL_PROFILES = [
    (f"{KHS}/1216", 6, "higher", WORST, 100.0, None, None,
     "Everyone should get drinking water of good hygienic quality and stable delivery "
     "(100 %)."),
    (f"{DNM}/2389", 4, "higher", WORST, BEST3, None, None, RELATIVE),
    (f"{DNM}/2560", 11, "lower", WORST, 5.0, 5.0, 10.0,
     "WHO air quality guideline 2021: 5 µg/m³ annual mean (green); interim target 4, "
     "10 µg/m³ (red beyond)."),
    ("lokal/trangbodd", 11, "lower", WORST, BEST3, None, None, RELATIVE),
    (f"{KHS}/1119", 10, "lower", WORST, BEST3, None, None, RELATIVE),
    (f"{KHS}/1214", 16, "higher", WORST, BEST3, None, None, RELATIVE),
    (f"{DNM}/2264", 1, "lower", WORST, BEST3, None, None, RELATIVE),
    ("lokal/sysselsetting", 8, "higher", WORST, BEST3, None, None, RELATIVE),
    (f"{KHS}/1131", 8, "lower", WORST, BEST3, None, None, RELATIVE),
]
OWN_TARGET = ("lokal/sysselsetting", 8, "4003", 68.0,
              "An example of a municipality's own target, to show how one is set and followed: "
              "not a target Skien has adopted.")
MUNICIPAL_SET = "telemark-demo"
# Message ids: pages and reports show them in the reader's language.
EXAMPLE_NAME = "Telemark: a worked example"
EXAMPLE_NOTES = ("A worked example of a municipal profile, not an official one: each bound says "
                 "why it was chosen.")
TELEMARK_COUNTY = "county:40"


def _municipal_profiles(session: Session) -> dict:
    items = []
    for ref, goal, better, lower, upper, green, red, why in MUNICIPAL_PROFILES:
        fixed = isinstance(upper, float)
        items.append(Profile(indicator_by_ref(session, ref).id, goal, direction=better,
                             lower_rule=lower,
                             upper=upper if fixed else None,
                             upper_rule="fixed" if fixed else upper, green=green, red=red,
                             justification=why))
    # A municipality's own target replaces the shared optimum for that municipality only.
    items.append(Profile(indicator_by_ref(session, OWN_TARGET[0]).id, OWN_TARGET[1],
                         direction="higher", lower_rule=WORST, target_value=OWN_TARGET[3],
                         target_year=2030,
                         area_code=OWN_TARGET[2], justification=OWN_TARGET[4]))
    profiles.save_set(session, MUNICIPAL_SET, EXAMPLE_NAME, {
        "aggregation": "arithmetic", "min_share": 0.5, "missing_goal": "exclude",
        "max_missing": 0.5, "trend": "sdsn", "window": 5, "group": TELEMARK_COUNTY},
        items, source="localsdg demo", notes=EXAMPLE_NOTES)
    return {"profile_set": MUNICIPAL_SET, "indicators": len(MUNICIPAL_PROFILES),
            "own_targets": 1}


def _sdr(session: Session, by: str) -> dict:
    """SDSN's SDR 2021 for the national page; skipped, and said so, when it cannot be fetched."""
    try:
        wb = sdr_workbook.load("2021")
    except UserError as exc:
        return {"skipped": str(exc)}
    report = sdr.import_workbook(session, wb, by)
    return {k: report[k] for k in ("edition", "profile_set", "area_group", "countries")}


def _load(session: Session, folder: Path, d: Dataset, by: str):
    path = folder / d.path
    indicator = indicator_by_ref(session, d.indicator) if d.indicator else None
    if d.mapping is None:
        return import_jsonstat(session, path, indicator=indicator, by=by, measure="count",
                               skip_bad=True)
    return import_table(session, path, d.mapping, indicator=indicator, by=by,
                        publisher=d.publisher, skip_bad=d.skip_bad)
