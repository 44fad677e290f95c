from tracker.rules.weeks import week_parts


def test_week_parts_gives_year_and_week_for_the_label():
    assert week_parts("2026-W49") == (2026, 49)
    assert week_parts("2026-W01") == (2026, 1)
