"""What the CLI says about itself: descriptions, exit codes, one --timeout default, the README's
synopses, and errors in the user's spelling (flags on the CLI, snake_case in Python)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mxsplit_component import plan_mx
from mxsplit_component.cli import main
from mxsplit_component.cli.parser import DESCRIPTIONS, EXIT_CODES, build_parser
from mxsplit_component.dns.options import DEFAULT_TIMEOUT
from mxsplit_component.errors import MxSplitError

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
COMMANDS = ("plan", "check", "hosts", "sender")


def help_of(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_its_exit_codes(capsys, command):
    text = " ".join(help_of(capsys, command).split())
    assert DESCRIPTIONS[command][1:] + "." in text
    assert "exit codes:" in text
    for code, meaning in enumerate(EXIT_CODES[command]):
        assert f"{code} {meaning}" in text
    assert "130 interrupted (Ctrl-C)" in text


def test_top_level_help_lists_every_command_and_does_not_call_plan_offline(capsys):
    text = " ".join(help_of(capsys).split())
    for command in COMMANDS:
        assert f"{command} {DESCRIPTIONS[command]}" in text
    assert "no network" not in text
    assert "offline unless --graph or --published" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_one_timeout_default_for_every_command(capsys, command):
    text = " ".join(help_of(capsys, command).split())
    assert re.search(r"--timeout SECONDS .*?\(default " + f"{DEFAULT_TIMEOUT:g}" + r"\)", text)


def test_the_parsers_formats_are_the_exporters():
    from mxsplit_component.cli.parser import EXPORT_FORMATS
    from mxsplit_component.export import FORMATS

    assert EXPORT_FORMATS == tuple(FORMATS)


def test_hosts_cwd_is_documented(capsys):
    text = " ".join(help_of(capsys, "hosts").split())
    assert "--cwd DIR with --stack: the Pulumi project folder that holds Pulumi.NAME.yaml" in text
    assert "`--cwd DIR`" in README


def _synopsis(command: str) -> str:
    found = re.search(rf"<!-- synopsis: {command} -->\n```sh\n(.*?)```", README, re.S)
    assert found is not None, f"README has no synopsis block for {command}"
    return found.group(1)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_synopsis_names_exactly_the_parsers_flags(command):
    sub = build_parser().commands[command]
    shown = set(re.findall(r"--[a-z0-9-]+", _synopsis(command)))
    assert shown == set(sub.flags.values()) - sub.hidden


@pytest.mark.parametrize("argv, wanted, unwanted", [
    (["plan", "foo-1-bar.com", "--tenant", "contoso"],
     ["--dual-stack-host cannot be derived for 'foo-1-bar.com'", "pass --dual-stack-host explicitly"], ["dual_stack_host"]),
    (["plan", "contoso.com", "--tenant", "contoso", "--provider", "cloudflare", "--ttl", "30"],
     ["--ttl 30 is not accepted by Cloudflare", "use e.g. --ttl 3600"], ["ttl="]),
    (["plan", "contoso.com", "--tenant", "contoso", "--primary-priority", "5", "--secondary-priority", "5"],
     ["--secondary-priority 5 must be greater than --primary-priority 5", "e.g. --primary-priority 0, "
                                                                          "--secondary-priority 10"],
     ["primary_priority", "secondary_priority"]),
    (["check", "contoso.com", "--tenant", "contoso.partner.onmschina.cn", "--nameserver", "127.0.0.1:9"],
     ["--tenant 'contoso.partner.onmschina.cn' belongs to another cloud", "pass --cloud to match"], ["cloud="]),
])
def test_cli_errors_name_flags(capsys, argv, wanted, unwanted):
    assert main(argv) == 2
    err = capsys.readouterr().err
    for text in wanted:
        assert text in err
    for text in unwanted:
        assert text not in err


def test_an_idn_host_in_a_message_is_still_respelt(capsys):
    """The ``--`` of an A-label is not a flag: the message is still the library's, in flag spelling."""
    assert main(["plan", "contoso.com", "--tenant", "contoso", "--dual-stack-host", "xn--bcher-kva.example"]) == 2
    err = capsys.readouterr().err
    assert "--dual-stack-host 'xn--bcher-kva.example'" in err and "dual_stack_host" not in err


def test_the_library_keeps_python_spelling():
    with pytest.raises(MxSplitError, match="pass dual_stack_host explicitly") as exc:
        plan_mx(domain="foo-1-bar.com", tenant="contoso")
    assert exc.value.field == "dual_stack_host"


def test_a_bulk_rows_error_keeps_the_files_column_names(capsys, tmp_path):
    """Row errors are about the CSV: they name its columns, not flags."""
    rows = tmp_path / "d.csv"
    rows.write_text("domain,tenant\nfoo-1-bar.com,contoso\n")
    assert main(["check", "--file", str(rows), "--nameserver", "127.0.0.1:9", "--json"]) == 2
    out = capsys.readouterr().out
    assert "pass dual_stack_host explicitly" in out and "--dual-stack-host" not in out


def test_a_flag_hint_names_the_flag_behind_a_library_message(capsys, monkeypatch):
    """A machine with no resolver configured: the DNS layer names the concept, the CLI adds the flag."""
    import dns.resolver

    def no_resolver() -> None:
        raise dns.resolver.NoResolverConfiguration

    monkeypatch.setattr(dns.resolver, "Resolver", no_resolver)
    assert main(["check", "contoso.com", "--tenant", "contoso"]) == 2
    err = capsys.readouterr().err
    assert "name a nameserver to ask (--nameserver)" in err
