"""Web sources for the index: URL identity, polite fetching, main-text extraction, feeds, sitemaps, polling.

`index.add.add_sources()` adds files, folders, pages, feeds and sitemaps to the corpus;
`index.web.watch.watch()` polls them. Modules: urls.py (one article, many URLs),
fetch.py (HTTP within limits), extract.py (trafilatura), feeds.py (RSS/Atom, sitemaps),
saved.py (web articles in the corpus folder), state.py (polling memory), watch.py, cli.py.
"""
