"""Text rules shared by the index, the reader, the verifier and the UI: one home for each.

- ``words``: tokens, stopwords, light stems, "same word".
- ``overlap``: how much two texts (or a question and a sentence) share.
- ``dates``: month names, date phrases in sentences, partial dates as ranges.
- ``numbers``: number phrases, number words, durations, numeric values.
- ``names``: capitalised names, titles before names, what is plausibly a person.
- ``values``: normalising an answer value and deciding whether two values agree.

Pure functions and compiled patterns only; table-driven tests in tests/unit/test_text_rules.py.
"""
