"""Stand-ins for the counterparts mxsplit talks to, and Pulumi mocks: test programs and checks
that use mxsplit without a cloud account, a mail server or the internet.

- :mod:`.mocks`: Pulumi mocks that record every resource a program declares
  (``RecordingMocks``, ``run_program``);
- :mod:`.bind`: a throwaway BIND9 (``named``) on loopback serving zone files you write, to
  run ``mxsplit check`` against a zone before it is published (needs Debian's ``bind9``);
- :mod:`.graph`: a stand-in Microsoft Graph on loopback (per-tenant data by token, paging,
  throttling, ``$batch``), serving payloads shaped like Microsoft's documented ones;
- :mod:`.smtp`: SMTP stand-ins per loopback address, good and misbehaving, with a throwaway CA
  (needs the ``[dev]`` extra: ``aiosmtpd``, ``trustme``);
- :mod:`.throttle`: a resolver in front of another that throttles per client (a token
  bucket; over the rate it drops or answers REFUSED), to see how a bulk run copes;

mxsplit's own tests and benchmarks use them the same way. Imported by nothing else in the
package; ``pulumi`` loads only with :mod:`.mocks`.
"""
