"""E-mail to participants: their agenda link, and "your agenda changed" after a published change.

One module per idea: `config` (SMTP settings, or how to set them), `rows` (the batch and its
per-recipient log), `compose` (messages from Jinja2 templates in templates/mail/ with the
standard library's `email` package), `transport` (one SMTP conversation, its answers sorted into
sent / temporary / refused / failed), `batches` (what to send for a publication, and the
resumable, idempotent batch that sends it) and `runner` (the batch in a background thread of the
web process). Nothing here knows HTTP.
"""
