"""Newsdesk's Streamlit app (entry point: ui/app.py); the pure display helpers live in ui/render.py."""
