from localsdg import taxonomy as tx


def test_code_lists_have_the_sizes_of_the_ks_ssb_taxonomy():
    assert len(tx.GOALS.codes) == 17
    assert len(tx.TBL.codes) == 3
    assert len(tx.DEVELOPMENT_AREAS.codes) == 14
    assert tx.EVALUATION_STEPS.allowed == ["input", "process", "output", "outcome", "impact"]
    assert tx.QUALITY_CLASSES.allowed == ["1", "2", "3"]
    assert len(tx.ESS_PRINCIPLES.codes) == 5
    assert tx.DISTRIBUTION.allowed == ["time", "region", "group"]


def test_every_code_has_three_labels():
    for code_list in tx.CODE_LISTS.values():
        for lang in tx.LANGUAGES:
            assert code_list.label(lang)
        for code in code_list.codes:
            assert code.nb and code.nn and code.en, (code_list.id, code.code)


def test_labels_in_any_language_normalise_to_the_code():
    assert tx.EVALUATION_STEPS.normalise("Output") == "output"
    assert tx.DEVELOPMENT_AREAS.normalise("Vatn, avløp og avfall") == "water_and_waste"
    assert tx.TBL.normalise("PLANET") == "planet"
    assert tx.TBL.normalise("Peple") is None


def test_nynorsk_differs_from_bokmal_where_the_languages_differ():
    assert tx.GOALS.get("2").nn == "Utrydde svolt"
    assert tx.DEVELOPMENT_AREAS.get("work_and_employment").nn == "Arbeid og sysselsetjing"
