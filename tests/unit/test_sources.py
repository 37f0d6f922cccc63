"""Knowing the sources: story groups, best copies, corroboration, disagreements (seed corpus, MiniLM)."""

from __future__ import annotations

import rag
from newsdesk.text.overlap import word_overlap
from newsdesk.text.values import normalize_value
from rag.conflicts import describe_conflict

DW, DW_MT = "002_102502518f9dd0d1", "001_6424d35343858a03"


def test_the_two_dw_files_are_one_story_and_no_other_pair_is(minilm_seed_index):
    stories = minilm_seed_index.stories
    groups = {}
    for doc_id in minilm_seed_index.articles:
        groups.setdefault(stories.story(doc_id), set()).add(doc_id)
    assert sorted(map(sorted, groups.values())) == sorted(
        [[DW_MT, DW], ["000_d5ae959b64b4b853"], ["003_9b0c19500f436efb"], ["004_54ac3c588acb31a6"]]
    )
    assert stories.best_copy(DW_MT) == DW  # the original English text, with outlet and byline
    assert stories.also_in(DW) == (DW_MT,)


def test_answers_cite_the_best_copy_and_list_the_other(minilm_seed_index):
    answer = rag.answer("Who is North Korea's foreign minister?", news_index=minilm_seed_index)
    assert "Choe Son Hui" in answer.text and "Choe his Hu" not in answer.text
    cited = [c for c in answer.citations if "Choe" in c.quote]
    assert cited and cited[0].doc_id == DW and cited[0].also_in == (DW_MT,) and cited[0].story == DW
    original = minilm_seed_index.article(DW).text
    assert original[cited[0].start : cited[0].end] == cited[0].quote


def test_copies_count_once_and_independent_stories_corroborate(minilm_seed_index):
    answer = rag.answer("What did Putin say about the level of Russia-China relations?", news_index=minilm_seed_index)
    assert not answer.refused
    assert all(1 <= s.corroboration <= 4 for s in answer.sentences)
    # the "unprecedented" claim is in the DW story (two copies: one story) and in 003 (another story)
    assert max(s.corroboration for s in answer.sentences) <= 2


def test_two_state_visits_are_shown_with_their_dates(minilm_seed_index):
    answer = rag.answer("How long was Putin's state visit to China?", news_index=minilm_seed_index)
    assert "two-day" in answer.text and "four-day" in answer.text
    assert len(answer.conflicts) == 1
    conflict = answer.conflicts[0]
    values = {normalize_value(v) for v, _ in conflict.sides}
    assert values == {"2 day", "4 day"}
    assert conflict.kind == "event"  # sources dated 2024-05-16 and 2025-09-03
    line = describe_conflict(conflict, answer.citations)
    assert "2024-05-16" in line and "2025-09-03" in line and line.startswith("Sources describe different events")
    for _, numbers in conflict.sides:
        assert all(answer.citation(n) for n in numbers)


def test_no_conflict_when_sources_agree(minilm_seed_index):
    answer = rag.answer("Where was the military parade held?", news_index=minilm_seed_index)
    assert answer.conflicts == []


def test_value_normalization_and_overlap():
    assert normalize_value("roughly 15,000") == normalize_value("15000")
    assert normalize_value("four-day") == "4 day"
    assert word_overlap("Kim met Putin in Beijing.", "In Beijing, Putin met Kim on Tuesday.") == 1.0
    assert word_overlap("Kim met Putin.", "Trade rose sharply.") == 0.0


def _range(scope):
    return scope.since, scope.until


def test_time_words_become_date_scopes():
    from datetime import date

    from rag.timewords import time_scope

    today = date(2026, 11, 23)
    assert _range(time_scope("What did Putin do in May 2024?", today)) == ("2024-05-01", "2024-05-31")
    assert _range(time_scope("What happened last September?", today)) == ("2026-09-01", "2026-09-30")
    assert _range(time_scope("Who visited Beijing in 2025?", today)) == ("2025-01-01", "2025-12-31")
    assert time_scope("What was the most recent visit?", today).prefer_recent
    assert time_scope("How many troops were sent?", today).since is None


def test_questions_with_time_words_use_article_dates(minilm_seed_index):
    may = rag.answer("How long was Putin's state visit to China in May 2024?", news_index=minilm_seed_index)
    assert may.trace and may.trace[0].date == "2024-05-16"  # the named period's articles come first
    assert may.citations and all(c.date == "2024-05-16" for c in may.citations)
    assert "two-day" in may.text and "four-day" not in may.text
    recent = rag.answer("How long was Putin's most recent state visit to China?", news_index=minilm_seed_index)
    assert recent.sentences[0].text.startswith("Russian President Vladimir Putin concluded a four-day")
    nothing = rag.answer("What did Putin say in March 2019?", news_index=minilm_seed_index)
    assert nothing.notice == "no article is dated in March 2019; searched all articles"
