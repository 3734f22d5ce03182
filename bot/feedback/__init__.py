"""Learning from subscribers: why an alert came, "not relevant" flags, and their export.

`flags` records and takes back a chat's "Not relevant" (only for an alert that chat was
sent, in the message it was sent as); `why` gathers the reasons behind an alert; `export`
writes the flagged stories as a labelled corpus for `bench/quality.py --corpus`.
"""
