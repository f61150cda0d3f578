"""Helpers for testing programs and checks that use mxsplit, without a cloud account.

- :mod:`.mocks`: Pulumi mocks that record every resource a program declares
  (``RecordingMocks``, ``run_program``);
- :mod:`.bind`: a throwaway BIND9 (``named``) on loopback serving zone files you write, to
  run ``mxsplit check`` against a zone before it is published (needs Debian's ``bind9``).

Imported by nothing else in the package; ``pulumi`` loads only with :mod:`.mocks`.
"""
