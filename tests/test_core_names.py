"""Name normalisation and rejection, with hypothesis properties for the name rules."""

import string

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mxsplit_component import MxSplitError, plan_mx
from mxsplit_component.core.names import normalize_name


@pytest.mark.parametrize("raw, expected", [
    ("Contoso.COM", "contoso.com"),
    ("contoso.com.", "contoso.com"),
    ("Bücher.de", "xn--bcher-kva.de"),
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("faß.de", "xn--fa-hia.de"),  # non-transitional: ß stays ß (IDNA 2008), no "fass"
    ("ＣＯＮＴＯＳＯ.com", "contoso.com"),  # UTS 46 maps full-width letters
    ("mail.contoso.co.uk", "mail.contoso.co.uk"),
])
def test_normalises(raw, expected):
    assert normalize_name(raw, "domain") == expected


@pytest.mark.parametrize("raw, fragment", [
    ("", "domain is empty"),
    ("   ", "domain is empty"),
    (".", "domain is empty"),
    ("con_toso.com", "contains '_'"),
    ("contoso .com", "contains ' '"),
    ("https://contoso.com", "contains '/'"),
    ("contoso.com/path", "contains '/'"),
    ("user@contoso.com", "contains '@'"),
    ("contoso..com", "empty label"),
    (".contoso.com", "empty label"),
    ("-contoso.com", "starts or ends with a hyphen"),
    ("contoso-.com", "starts or ends with a hyphen"),
    ("a" * 64 + ".com", "more than 63"),
    (".".join(["a" * 60] * 5), "more than 253"),
    ("contoso", "single label"),
    ("contoso.123", "all digits"),
    ("192.0.2.1", "is an IP address"),
    ("2001:db8::1", "is an IP address"),
    ("contoso.com:25", "contains ':'"),
    ("[2001:db8::1]", "IP address"),
    ("xn--zz.com", "not a valid A-label"),
    ("con\ttoso.com", "whitespace"),
    ("*.contoso.com", "wildcards"),
])
def test_rejects_with_field_and_reason(raw, fragment):
    with pytest.raises(MxSplitError) as err:
        plan_mx(domain=raw, tenant="contoso")
    assert err.value.field == "domain"
    assert fragment in str(err.value)
    assert str(err.value).startswith("domain")


def test_rejects_non_string():
    with pytest.raises(MxSplitError, match="domain must be a string") as err:
        plan_mx(domain=42, tenant="contoso")  # type: ignore[arg-type]
    assert err.value.field == "domain"


def test_error_is_value_error():
    assert issubclass(MxSplitError, ValueError)


# --- properties -------------------------------------------------------------------------
# Labels Microsoft can derive a host for: letters and digits, no hyphens.
plain_label = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=20)
tld = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=6)


@given(labels=st.lists(plain_label, min_size=1, max_size=3), top=tld,
       upper=st.booleans(), dot=st.booleans())
def test_valid_names_always_plan(labels, top, upper, dot):
    domain = ".".join([*labels, top])
    assume(not domain.endswith(("onmicrosoft.com", "onmschina.cn", "onmicrosoft.us")))
    assume(len(domain) <= 63)  # longer tokens need an explicit host (tested in test_core_plan)
    raw = (domain.upper() if upper else domain) + ("." if dot else "")
    plan = plan_mx(domain=raw, tenant="contoso")
    assert plan.domain == domain
    assert plan.dual_stack_host == domain.replace(".", "-") + ".mail.protection.outlook.com"
    assert [r.preference for r in plan.records] == [0, 10]


bad_char = st.sampled_from(list("_ /\\!$%&()+,;=?@[]{}|~\"'<>*#^`"))


@given(prefix=plain_label, bad=bad_char, suffix=plain_label, top=tld)
def test_names_with_bad_characters_always_raise(prefix, bad, suffix, top):
    with pytest.raises(MxSplitError) as err:
        plan_mx(domain=f"{prefix}{bad}{suffix}.{top}", tenant="contoso")
    assert err.value.field == "domain"


@given(label=st.text(alphabet=string.ascii_lowercase, min_size=64, max_size=80), top=tld)
def test_long_labels_always_raise(label, top):
    with pytest.raises(MxSplitError, match="more than 63"):
        plan_mx(domain=f"{label}.{top}", tenant="contoso")


@given(labels=st.lists(plain_label, min_size=1, max_size=3), top=tld,
       where=st.sampled_from(["lead", "trail", "double"]))
def test_structural_errors_always_raise(labels, top, where):
    domain = ".".join([*labels, top])
    broken = {"lead": "-" + domain, "trail": labels[0] + "-." + top, "double": domain.replace(".", "..", 1)}[where]
    with pytest.raises(MxSplitError) as err:
        plan_mx(domain=broken, tenant="contoso")
    assert err.value.field == "domain"


@settings(max_examples=50)
@given(a=st.integers(0, 255), b=st.integers(0, 255), c=st.integers(0, 255), d=st.integers(0, 255))
def test_ipv4_addresses_always_raise(a, b, c, d):
    with pytest.raises(MxSplitError, match="IP address|all digits"):
        plan_mx(domain=f"{a}.{b}.{c}.{d}", tenant="contoso")


def _outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except MxSplitError as exc:
        return "error", str(exc)


# Names built from labels at the plain-name shortcut's edges, so hypothesis reaches them all:
# A-labels, hyphens at label ends, numeric labels, labels of 63 and 64 octets, names longer
# than 253, upper case, a final dot, characters that are not LDH.
edge_label = st.sampled_from(["a", "b9", "a-b", "a--b", "xn--a", "xn--bcher-kva", "axn--b", "-a", "a-", "9", "09",
                              "a" * 63, "a" * 64, "A", "a_b", "", "ü", " a"])


@settings(max_examples=500)
@given(labels=st.lists(edge_label, min_size=1, max_size=6), repeat=st.integers(1, 6), dot=st.booleans(),
       min_labels=st.sampled_from([1, 2, 3]))
@example(labels=["a", "b9"], repeat=1, dot=False, min_labels=3)
@example(labels=["a", "09"], repeat=1, dot=False, min_labels=2)
@example(labels=["a", "xn--a"], repeat=1, dot=False, min_labels=2)
@example(labels=["a" * 63, "a" * 63], repeat=2, dot=False, min_labels=2)  # 255 characters
def test_plain_name_shortcut_agrees_with_the_label_by_label_path(labels, repeat, dot, min_labels):
    from mxsplit_component.core import names

    value = ".".join(labels * repeat) + ("." if dot else "")
    assert _outcome(lambda v: normalize_name(v, "domain", min_labels=min_labels), value) == \
        _outcome(names._normalize, value, "domain", min_labels)
