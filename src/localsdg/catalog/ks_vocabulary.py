"""The RDF vocabulary of KS's published taxonomy, owned once for reading KS's files
(`sources.ks_taxonomy`) and writing ours in the same shape (`catalog.skos`): namespaces, the
local names of the code lists, and the link predicates, each map with its inverse."""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import SKOS

from localsdg import taxonomy as tx

SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
SDG = "http://metadata.un.org/sdg/"
KS = Namespace("https://metadata.ks.no/sdg-taxonomi/#")
DCT = Namespace("http://purl.org/dc/terms/")
DC_ODD = Namespace("http://purl.org/dc/")  # the files bind dct: to this non-standard namespace
DQV = Namespace("http://www.w3.org/ns/dqv#")
XKOS = Namespace("http://rdf-vocabulary.ddialliance.org/xkos#")

VOCABULARY = "https://data.norge.no/vocabulary/indicator/"
# Who proposed the links read from KS's files: KS's own, and the UN indicators KS's copy of the
# UN list names by code in its titles.
LINK_SOURCE = "KS taxonomy"
UN_LINK_SOURCE = "localsdg: UN code in KS title"
# A term of one of KS's code lists; 'developmetsector' is spelt as some files publish it.
VOCABULARY_TERM = re.compile("^" + re.escape(VOCABULARY) +
                             r"(developmentsector|developmetsector|Evaluation|triplebottomline|"
                             r"quality|Levelofgeography)/(.+)$")

LINK_KINDS = {SKOS.exactMatch: "exact", SKOS.closeMatch: "close",
              SKOS.relatedMatch: "related_match", SKOS.related: "related"}
LINK_PREDICATES = {kind: predicate for predicate, kind in LINK_KINDS.items()}

GEOGRAPHY = {"National-level": "national", "Regional/county-level": "county",
             "City-level": "city", "District-level": "district"}
GEOGRAPHY_LOCAL = {code: local for local, code in GEOGRAPHY.items()}
EVALUATION_LOCAL = {c.code: f"{i}-{c.code.capitalize()}"
                    for i, c in enumerate(tx.EVALUATION_STEPS.codes, start=1)}
