import pytest

from mxsplit_component.check.mtasts import Policy, mx_matches, parse_policy, uncovered


def test_parse_policy():
    policy = parse_policy("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmx: *.b.example\r\nmax_age: 60\r\n")
    assert policy == Policy("enforce", ("a.example", "*.b.example"))


def test_parse_rejects_non_policy():
    with pytest.raises(ValueError, match="not an MTA-STS policy"):
        parse_policy("<html>")


@pytest.mark.parametrize("pattern, host, ok", [
    ("*.mail.protection.outlook.com", "contoso.mail.protection.outlook.com", True),
    ("*.mail.protection.outlook.com", "a.b.mail.protection.outlook.com", False),  # one label only (RFC 8461 §4.1)
    ("*.mail.protection.outlook.com", "mail.protection.outlook.com", False),
    ("contoso.mail.protection.outlook.com", "contoso.mail.protection.outlook.com", True),
    ("contoso.mail.protection.outlook.com.", "contoso.mail.protection.outlook.com", True),
])
def test_mx_matches(pattern, host, ok):
    assert mx_matches(pattern, host) is ok


def test_uncovered():
    policy = Policy("enforce", ("contoso-com.mail.protection.outlook.com",))
    assert uncovered(policy, ["contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"]) == [
        "contoso.mail.protection.outlook.com"]
