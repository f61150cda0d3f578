"""The README's `check --smtp` and `sender` blocks are real output (as test_readme.py does for `check`): each
runs the command shown on its first line, against the tests' servers.."""

from __future__ import annotations

from pathlib import Path

from mxsplit_component.cli import main
from mxsplit_component.testing.bind import BindServer
from mxsplit_component.testing.smtp import MS_WILDCARD, Accept, Pki, free_port, smtp_servers
from tests.support.bind import require_bind
from tests.support.markdown import against, marked_output
from tests.support.readme import SENDER_IP, SENDER_ZONES, SMTP_ADDRESSES, SMTP_ZONES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_check_smtp_output_is_real(capsys, tmp_path, monkeypatch):
    require_bind()
    pki = Pki(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca_file)
    good = pki.context(MS_WILDCARD)
    port = free_port(SMTP_ADDRESSES)
    argv, output = marked_output(README, "check-smtp")
    assert "--smtp" in argv and "--smtp-port" not in argv
    with BindServer(SMTP_ZONES) as server, smtp_servers(port, {a: (Accept(), good) for a in SMTP_ADDRESSES}):
        code = main([*against(argv, server.nameserver), "--smtp-port", str(port)])
    assert code == 0
    # The stand-ins listen on a free port; the README shows the port a real run uses.
    assert capsys.readouterr().out.replace(f"SMTP (port {port})", "SMTP (port 25)") == output


def test_readme_sender_output_is_real(capsys):
    require_bind()
    argv, output = marked_output(README, "sender")
    assert argv[:3] == ["sender", "--ip", SENDER_IP]
    with BindServer(SENDER_ZONES) as server:
        code = main(against(argv, server.nameserver))
    assert code == 1
    assert capsys.readouterr().out == output
