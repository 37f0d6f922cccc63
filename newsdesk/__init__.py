"""Shared kernel of Newsdesk: settings, errors and the typed records that cross module boundaries."""
