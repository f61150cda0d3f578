"""Where mxsplit meets the outside world: one module per edge, shared by every command.

- :mod:`.csvfile`: reading a ``--file`` CSV the user gives (encoding, BOM, NUL bytes, line caps, header rules).
- :mod:`.userfile`: writing a file the user owns (stack files, exports): atomic, mode kept, original safe.
- :mod:`.redact`: removing tokens from every message built from a server's reply.
- :mod:`.display`: escaping text from the network before a terminal shows it.
- :mod:`.extras`: importing an optional dependency, or naming the extra that provides it.

A new command gets the same guarantees by using these, never by writing its own.
"""
