"""One module per export format (or per pair of formats of one export, told apart by one
detector): its detector, its stager and its `FORMATS` (registry.ExportFormat), landing
in a raw table of `orchestration.ingest.tables`. `catalog.py` finds every module here;
docs/developing.md, "How to add an export format", says what a new one holds.
"""
