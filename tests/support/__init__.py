"""Helpers only the tests use: DNS servers that misbehave on purpose, the stand-in Pulumi
engine, the README's scenarios, the seed zones, real-MTA namespaces. Stand-ins the benchmarks
share (BIND, Graph, SMTP, Pulumi mocks) live in :mod:`mxsplit_component.testing`."""
