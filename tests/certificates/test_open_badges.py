"""Our Open Badges 3.0 credentials, checked against the outside world, not our own code.

What is checked, against what:

- 1EdTech's JSON Schemas (ob_v3p0_achievementcredential, ob_v3p0_profile; draft 2019-09)
  and W3C's VC 2.0 schema (draft 2020-12): the credential's JSON, the signed JWT's payload,
  the issuer profile and the status list credential.
- The published JSON-LD contexts (W3C credentials/v2, 1EdTech OB 3.0.3 and 3.0.2), served
  to pyld by a loader that knows only those files: every term we use must be defined.
- jwcrypto (we sign with joserfc): signatures, verified against keys fetched over real HTTP
  from a live server, following the `kid` and the issuer's jwks.json as a wallet would.
- W3C Bitstring Status List: the list is decoded here, from the specification, not with our
  code; revoking flips exactly the credential's bit.
- Our own verifier (/verify/ and /verify/credential.json) agrees with all of the above,
  rejects tampering, foreign keys and `alg` tricks, and answers garbage without a 500.

The standards' files live outside the repository (/work/shared/conformance/openbadges, next
to it); tests that need them skip when absent. Nothing here reaches the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from jsonschema import Draft201909Validator, Draft202012Validator, FormatChecker
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException
from pyld import jsonld

from certificates import services
from certificates.credentials import documents, keys
from certificates.models import SigningKey

pytestmark = pytest.mark.django_db

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "openbadges"
CREDENTIAL_SCHEMA = "ob_v3p0_achievementcredential.schema.json"
PROFILE_SCHEMA = "ob_v3p0_profile.schema.json"
VC_SCHEMA = "vc-2.0-verifiable-credential-schema.json"
# The only documents the JSON-LD loader serves: the published contexts, from local copies.
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "context-3.0.2.json",
}
# Terms the published VC 2.0 context maps to its catch-all vocabulary: undefined, really.
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
# The base the expansion resolves relative IRIs against: where undefined type names land.
UNDEFINED_BASE = "https://undefined.invalid/"
# The JWT's registered claims, which are not part of the credential itself.
JWT_CLAIMS = ("iss", "jti", "nbf")
BITSTRING_MINIMUM = 131_072
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def artefact(name: str) -> Any:
    path = CONFORMANCE / name
    if not path.is_file():
        pytest.skip(f"The standards' artefact {name} is not in {CONFORMANCE}.")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    settings.CERTIFICATES_VERIFY_RATE = "10000/minute"


# --- reading what we publish ------------------------------------------------------------


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def get_json(client, url: str) -> dict[str, Any]:
    response = client.get(path_of(url), HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200, (url, response.status_code)
    return json.loads(response.content)


def signed(client, certificate) -> str:
    response = client.get(path_of(documents.signed_credential_url(certificate)))
    assert response.status_code == 200
    return response.content.decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JOSE header and payload of a compact JWS, read without checking anything."""
    header, payload, _signature = token.split(".")
    return json.loads(unb64url(header)), json.loads(unb64url(payload))


def encode_json(data: dict[str, Any]) -> str:
    return b64url(json.dumps(data, separators=(",", ":")).encode())


def without_claims(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


def jwcrypto_claims(token: str, key: jwk.JWK | jwk.JWKSet) -> dict[str, Any]:
    """The token's claims once jwcrypto has verified its ES256 signature with `key`."""
    return json.loads(jwt.JWT(jwt=token, key=key, algs=["ES256"]).claims)


def jwcrypto_rejects(token: str, key: jwk.JWK | jwk.JWKSet) -> bool:
    try:
        jwcrypto_claims(token, key)
    except JWException:
        return True
    return False


def verify(client, body: bytes | str) -> dict[str, Any]:
    """Our verifier for machines (POST /verify/credential.json)."""
    data = body.encode() if isinstance(body, str) else body
    response = client.post(
        "/verify/credential.json", data=data, content_type="application/octet-stream"
    )
    assert response.status_code == 200, response.status_code
    return json.loads(response.content)


def checks(result: dict[str, Any]) -> dict[str, bool | None]:
    return {check["check"]: check["passed"] for check in result["checks"]}


ALL_PASSED = dict.fromkeys(
    ("format", "issuer", "key", "signature", "dates", "issued", "status"), True
)


# --- 1. JSON Schemas ---------------------------------------------------------------------


def _rfc3339(value: object) -> bool:
    """RFC 3339 date-time (jsonschema checks it only with an optional package)."""
    if not isinstance(value, str):
        return True
    pattern = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"
    if not re.fullmatch(pattern, value, flags=re.IGNORECASE):
        return False
    dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def schema_errors(name: str, document: dict[str, Any], validator=Draft201909Validator) -> list:
    schema = artefact(name)
    assert schema["$schema"].rstrip("#") == validator.META_SCHEMA["$id"].rstrip("#")
    validator.check_schema(schema)
    checker = FormatChecker(formats=())
    checker.checkers = dict(validator.FORMAT_CHECKER.checkers)
    if "date-time" not in checker.checkers:
        checker.checks("date-time", raises=ValueError)(_rfc3339)
    found = validator(schema, format_checker=checker).iter_errors(document)
    return [f"{list(error.absolute_path)}: {error.message}" for error in found]


def remote_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if not str(node.get("$ref", "#")).startswith("#") else []
        return found + [ref for value in node.values() for ref in remote_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in remote_refs(value)]
    return []


def test_the_credential_and_the_jwt_payload_meet_1edtechs_schema(client, certificate):
    credential = get_json(client, documents.credential_id(certificate))
    _header, payload = token_parts(signed(client, certificate))

    assert schema_errors(CREDENTIAL_SCHEMA, credential) == []
    assert schema_errors(CREDENTIAL_SCHEMA, payload) == []
    # W3C's own schema for any VC 2.0 credential (draft 2020-12, no remote $refs).
    assert schema_errors(VC_SCHEMA, credential, Draft202012Validator) == []
    # The check can fail: a missing required member, and a date that is not a date-time.
    assert schema_errors(CREDENTIAL_SCHEMA, {**credential, "issuer": None})
    assert schema_errors(CREDENTIAL_SCHEMA, {**credential, "validFrom": "yesterday"})
    assert schema_errors(CREDENTIAL_SCHEMA, without_claims(payload) | {"id": None})


def test_the_issuer_profile_meets_1edtechs_profile_schema(client, certificate):
    profile = get_json(client, documents.issuer_id(certificate.credential.issuer))

    assert schema_errors(PROFILE_SCHEMA, profile) == []
    assert schema_errors(PROFILE_SCHEMA, {**profile, "type": ["Issuer"]})  # can fail


def test_the_status_list_credential_meets_the_vc_2_schema(client, certificate):
    schema = artefact(VC_SCHEMA)
    if refs := remote_refs(schema):
        pytest.skip(f"The VC 2.0 schema refers to remote schemas {refs}: not usable offline.")
    entry = get_json(client, documents.credential_id(certificate))["credentialStatus"]
    as_json = get_json(client, entry["statusListCredential"] + "?format=json")
    token = client.get(path_of(entry["statusListCredential"])).content.decode()
    _header, payload = token_parts(token)

    assert schema_errors(VC_SCHEMA, as_json, Draft202012Validator) == []
    assert schema_errors(VC_SCHEMA, payload, Draft202012Validator) == []
    assert schema_errors(VC_SCHEMA, {**as_json, "credentialSubject": {}}, Draft202012Validator)


# --- 2. JSON-LD ----------------------------------------------------------------------------


def local_contexts(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the published contexts from local files, nothing else."""
    if url not in CONTEXT_FILES:
        raise AssertionError(f"The JSON-LD loader was asked for {url}: not a known context.")
    return {"contextUrl": None, "documentUrl": url, "document": artefact(CONTEXT_FILES[url])}


def expand(document: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """The expanded document, and every term in it the contexts do not define.

    pyld 3.3 has no safe mode (jsonld.js's safeMode); it reports each dropped property to
    `on_property_dropped`. Also undefined: a type name no context maps, which expands
    relative to the base, and anything sent to VC 2.0's issuer-dependent catch-all
    vocabulary (@vocab in the context as later published).
    """
    dropped: list[str] = []
    expanded = jsonld.expand(
        document,
        {"documentLoader": local_contexts, "base": UNDEFINED_BASE},
        on_property_dropped=lambda term: dropped.append(str(term)),
    )
    return expanded, dropped + undefined_iris(expanded)


# 1EdTech requires this credentialSchema type (OB 3.0 §B.1.11) but its context does not
# define it; it stays a relative IRI for every issuer. Not ours to fix.
UNDEFINED_BY_THE_STANDARD = {UNDEFINED_BASE + "1EdTechJsonSchemaValidator2019"}


def undefined_iris(node: Any) -> list[str]:
    if isinstance(node, list):
        return [term for item in node for term in undefined_iris(item)]
    if not isinstance(node, dict):
        return []
    found = [
        key for key in node if not key.startswith("@") and not key.startswith(("http:", "https:"))
    ]
    found += [key for key in node if key.startswith(ISSUER_DEPENDENT)]
    for type_ in node.get("@type", []) if isinstance(node.get("@type"), list) else []:
        defined = type_.startswith(("http:", "https:")) and not type_.startswith(
            (ISSUER_DEPENDENT, UNDEFINED_BASE)
        )
        if not defined and type_ not in UNDEFINED_BY_THE_STANDARD:
            found.append(type_)
    for key, value in node.items():
        if key != "@value":
            found += undefined_iris(value)
    return found


def public_documents(client, certificate) -> dict[str, dict[str, Any]]:
    credential = get_json(client, documents.credential_id(certificate))
    return {
        "credential": credential,
        "achievement": get_json(client, credential["credentialSubject"]["achievement"]["id"]),
        "issuer profile": get_json(client, credential["issuer"]["id"]),
        "status list": get_json(
            client, credential["credentialStatus"]["statusListCredential"] + "?format=json"
        ),
    }


@pytest.mark.parametrize("name", ["credential", "achievement", "issuer profile", "status list"])
def test_every_term_is_defined_by_the_published_contexts(client, certificate, name):
    document = public_documents(client, certificate)[name]

    expanded, undefined = expand(document)

    assert undefined == []
    assert len(expanded) == 1
    assert expanded[0]["@id"] == document["id"]


def test_the_credential_expands_to_the_standards_vocabularies(client, certificate):
    expanded, _undefined = expand(get_json(client, documents.credential_id(certificate)))

    assert set(expanded[0]["@type"]) == {
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
    }
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement" in subject


def test_the_json_ld_check_catches_an_undefined_term(client, certificate):
    credential = get_json(client, documents.credential_id(certificate))
    credential["madeUpTerm"] = "anything"
    credential["credentialSubject"]["type"] = ["AchievementSubject", "MadeUpType"]

    _expanded, undefined = expand(credential)

    assert "madeUpTerm" in " ".join(undefined)
    assert "MadeUpType" in " ".join(undefined)


def test_the_loader_never_reaches_the_network():
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(
            {"@context": "https://example.org/context.json", "name": "x"},
            {"documentLoader": local_contexts},
        )


# --- 3. and 4. Signatures and revocation over real HTTP -------------------------------------


def fetch(url: str, accept: str = "application/json") -> str:
    assert urlsplit(url).scheme == "http", url  # the live server, nothing else
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 (loopback)
    with NO_PROXY.open(request, timeout=10) as response:
        return response.read().decode()


@pytest.fixture
def site(live_server, settings):
    """A running server whose address is in every identifier (set before issuing)."""
    settings.CERTIFICATES_SITE_URL = live_server.url
    return live_server.url


def issuer_keys(issuer_id: str) -> jwk.JWKSet:
    return jwk.JWKSet.from_json(fetch(issuer_id + "/jwks.json"))


@pytest.mark.django_db(transaction=True)
def test_a_wallet_verifies_the_signature_with_keys_fetched_over_http(site, certificate):
    credential_id = documents.credential_id(certificate)
    assert credential_id.startswith(site + "/")
    token = fetch(credential_id + ".jwt", accept="application/vc+jwt")
    header, payload = token_parts(token)
    assert header["alg"] == "ES256"
    assert header["kid"].startswith(site + "/")

    by_kid = jwk.JWK.from_json(fetch(header["kid"]))
    key_set = issuer_keys(payload["iss"])
    claims = jwcrypto_claims(token, by_kid)

    assert jwcrypto_claims(token, key_set) == claims
    assert key_set.get_key(header["kid"]) is not None
    assert by_kid.thumbprint() == key_set.get_key(header["kid"]).thumbprint()
    assert claims["iss"] == claims["issuer"]["id"]
    assert claims["jti"] == claims["id"] == credential_id
    assert claims["nbf"] == documents.epoch(claims["validFrom"])
    # The JSON-LD at the credential's id is what was signed.
    assert json.loads(fetch(credential_id, accept="application/ld+json")) == without_claims(claims)


def bitstring(encoded: str) -> bytes:
    """W3C Bitstring Status List's encodedList: multibase "u", base64url without padding,
    GZIP (written here from the specification, not with our code)."""
    assert encoded.startswith("u")
    text = encoded[1:]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)  # the URL-safe alphabet, no padding
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit(bits: bytes, index: int) -> int:
    """Bit 0 is the most significant bit of the first byte."""
    return (bits[index // 8] >> (7 - index % 8)) & 1


def status_bit(credential: dict[str, Any]) -> int:
    """The credential's revocation bit, read as an outsider: the signed list over HTTP,
    checked with the issuer's published keys."""
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    token = fetch(entry["statusListCredential"], accept="application/vc+jwt")
    status_list = jwcrypto_claims(token, issuer_keys(credential["issuer"]["id"]))
    assert status_list["id"] == entry["statusListCredential"]
    assert status_list["iss"] == credential["issuer"]["id"]
    assert "BitstringStatusListCredential" in status_list["type"]
    subject = status_list["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    bits = bitstring(subject["encodedList"])
    assert len(bits) * 8 >= BITSTRING_MINIMUM
    return bit(bits, int(entry["statusListIndex"]))


@pytest.mark.django_db(transaction=True)
def test_revoking_sets_exactly_its_bit_in_the_signed_status_list(site, issue, recipient):
    certificates = [issue(source_key=f"test:{n}")[0] for n in range(3)]
    credentials = [
        json.loads(fetch(documents.credential_id(certificate))) for certificate in certificates
    ]
    assert [status_bit(credential) for credential in credentials] == [0, 0, 0]

    services.revoke_certificate(
        certificate=certificates[1], reason="Issued in error", revoked_by=recipient
    )

    assert [status_bit(credential) for credential in credentials] == [0, 1, 0]


# --- 5. Tampering and hostile input --------------------------------------------------------


def published_key(client, token: str) -> jwk.JWK:
    header, _payload = token_parts(token)
    return jwk.JWK(**get_json(client, header["kid"]))


def test_a_changed_claim_breaks_the_signature(client, certificate):
    token = signed(client, certificate)
    _header, payload = token_parts(token)
    payload["credentialSubject"]["name"] = "Mallory"
    tampered = ".".join([token.split(".")[0], encode_json(payload), token.split(".")[2]])
    key = published_key(client, token)
    assert not jwcrypto_rejects(token, key)  # the original holds

    result = verify(client, tampered)

    assert jwcrypto_rejects(tampered, key)
    assert result["verdict"] == "invalid"
    assert checks(result)["signature"] is False


def test_a_key_the_issuer_does_not_publish_is_refused(client, certificate):
    token = signed(client, certificate)
    header, payload = token_parts(token)
    impostor = jwk.JWK.generate(kty="EC", crv="P-256")
    forged = jws.JWS(json.dumps(payload).encode())
    forged.add_signature(impostor, alg="ES256", protected=json.dumps(header))
    forged_token = forged.serialize(compact=True)
    assert not jwcrypto_rejects(forged_token, impostor)

    result = verify(client, forged_token)

    assert jwcrypto_rejects(forged_token, published_key(client, token))
    assert result["verdict"] == "invalid"
    assert checks(result)["signature"] is False


def test_alg_none_and_hs256_with_the_public_key_are_refused(client, certificate):
    token = signed(client, certificate)
    header, payload = token_parts(token)
    key = published_key(client, token)
    unsigned = f"{encode_json({**header, 'alg': 'none'})}.{encode_json(payload)}."
    secret = jwk.JWK(kty="oct", k=b64url(key.export_to_pem()))
    hmac = jws.JWS(json.dumps(payload).encode())
    hmac.add_signature(secret, alg="HS256", protected=json.dumps({**header, "alg": "HS256"}))
    confused = hmac.serialize(compact=True)

    for attack in (unsigned, confused):
        result = verify(client, attack)
        assert jwcrypto_rejects(attack, key)
        assert result["verdict"] == "invalid"
        assert checks(result)["format"] is False


def nested(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


def jwt_of(header: Any, payload: Any) -> bytes:
    return f"{encode_json(header)}.{encode_json(payload)}.AAAA".encode()


@pytest.mark.parametrize(
    "body",
    [
        b"garbage",
        b"",
        b"a.b.c",
        b"e" + b"x" * 70_000,
        b"x" * 70_000 + b".y.z",
        b'{"hello": "world"}',
        b'{"id": "https://lup.test/credentials/not-a-uuid"}',
        b'{"id": ["a list"]}',
        b"[1, 2, 3]",
        b"null",
        b"\xff\xfe\x00\x80 not UTF-8",
        b'{"broken": ',
        nested(50_000),
        jwt_of({"alg": "ES256"}, {"type": 5}),
        jwt_of({"alg": "ES256"}, ["OpenBadgeCredential"]),
        jwt_of(["not", "a", "header"], {"type": ["OpenBadgeCredential"]}),
        f"{encode_json({'alg': 'ES256'})}.{b64url(b'[' * 40_000)}.AAAA".encode(),
    ],
    ids=lambda body: repr(body[:24]),
)
def test_anything_else_gets_a_clear_verdict_never_a_500(client, body):
    result = verify(client, body)

    assert result["verdict"] == "invalid"
    assert False in checks(result).values()


def test_a_huge_body_is_refused_before_it_is_read(client, settings):
    settings.CERTIFICATES_VERIFY_MAX_UPLOAD_BYTES = 100_000

    response = client.post(
        "/verify/credential.json", data=b"e" * 200_000, content_type="application/octet-stream"
    )

    assert response.status_code == 413


def test_the_verify_page_handles_hostile_uploads(client):
    for name, data in [("x.json", nested(50_000)), ("x.jwt", b"ey\xff\xfe")]:
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        response = client.post("/verify/", {"file": upload})
        assert response.status_code == 200
        assert response.context["verification"].verdict == "invalid"


# --- 6. Our verifier ---------------------------------------------------------------------


def upload(client, name: str, data: bytes):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post("/verify/", {"file": file})
    assert response.status_code == 200
    return response


def page_checks(response) -> dict[str, bool | None]:
    return {check.code: check.passed for check in response.context["verification"].checks}


def test_our_verifier_says_valid_then_revoked_as_the_page_does(client, certificate, recipient):
    token = signed(client, certificate)
    response = upload(client, "credential.jwt", token.encode())
    assert response.context["verification"].verdict == "valid"
    assert page_checks(response) == ALL_PASSED
    assert 'data-verdict="valid"' in response.content.decode()
    result = verify(client, token)
    assert result["verdict"] == "valid"
    assert checks(result) == ALL_PASSED
    assert result["certificate"]["url"] == documents.credential_id(certificate)

    services.revoke_certificate(certificate=certificate, reason="Error", revoked_by=recipient)

    result = verify(client, token)
    assert result["verdict"] == "revoked"
    assert checks(result) == {**ALL_PASSED, "status": False}
    response = upload(client, "credential.jwt", token.encode())
    assert response.context["verification"].verdict == "revoked"
    page = client.get(f"/verify/{certificate.display_code}/").content.decode()
    assert "This certificate was revoked" in page


def test_a_json_copy_is_unsigned_and_a_changed_one_invalid(client, certificate):
    credential = get_json(client, documents.credential_id(certificate))

    result = verify(client, json.dumps(credential))
    assert result["verdict"] == "unsigned"
    assert checks(result)["signature"] is None
    assert checks(result)["issued"] is True
    response = upload(client, "credential.json", json.dumps(credential).encode())
    assert response.context["verification"].verdict == "unsigned"

    credential["credentialSubject"]["name"] = "Mallory"
    result = verify(client, json.dumps(credential))
    assert result["verdict"] == "invalid"
    assert checks(result)["issued"] is False


# --- 7. and 8. Keys ----------------------------------------------------------------------


def jwks(client, issuer_id: str) -> jwk.JWKSet:
    response = client.get(path_of(issuer_id + "/jwks.json"))
    assert response.status_code == 200
    return jwk.JWKSet.from_json(response.content)


def test_rotating_keeps_old_credentials_valid_and_signs_new_ones_anew(client, issue):
    old_certificate = issue(source_key="test:1")[0]
    old_token = signed(client, old_certificate)
    issuer = old_certificate.credential.issuer
    old_kid = token_parts(old_token)[0]["kid"]

    new_key = keys.rotate_key(issuer=issuer)
    new_token = signed(client, issue(source_key="test:2")[0])

    new_kid = token_parts(new_token)[0]["kid"]
    assert new_kid == documents.key_id(new_key) != old_kid
    key_set = jwks(client, documents.issuer_id(issuer))
    assert {key.kid for key in key_set} == {old_kid, new_kid}
    for token in (old_token, new_token):
        assert not jwcrypto_rejects(token, key_set)
        assert verify(client, token)["verdict"] == "valid"


def test_withdrawing_a_key_makes_what_it_signed_fail(client, certificate):
    token = signed(client, certificate)
    kid = token_parts(token)[0]["kid"]
    issuer_id = documents.issuer_id(certificate.credential.issuer)

    keys.withdraw_key(key=SigningKey.objects.get(pk=certificate.credential.signing_key_id))

    result = verify(client, token)
    assert result["verdict"] == "invalid"
    assert checks(result)["key"] is False
    assert client.get(path_of(kid)).status_code == 404
    key_set = jwks(client, issuer_id)
    assert kid not in {key.kid for key in key_set}
    assert len(key_set["keys"]) == 1  # the issuer's new active key
    assert jwcrypto_rejects(token, key_set)


def test_each_issuer_signs_with_its_own_keys(client, issue):
    first = signed(client, issue(source_key="test:1", issuer="Bærum kommune")[0])
    second = signed(client, issue(source_key="test:2", issuer="Asker kommune")[0])
    (first_header, first_payload), (second_header, second_payload) = map(
        token_parts, (first, second)
    )

    assert first_payload["iss"] != second_payload["iss"]
    assert first_header["kid"] != second_header["kid"]
    assert first_header["kid"].startswith(first_payload["iss"] + "/keys/")
    assert second_header["kid"].startswith(second_payload["iss"] + "/keys/")
    first_keys, second_keys = (
        jwks(client, first_payload["iss"]),
        jwks(client, second_payload["iss"]),
    )
    assert not jwcrypto_rejects(first, first_keys)
    assert jwcrypto_rejects(first, second_keys)
    assert jwcrypto_rejects(first, published_key(client, second))
    assert jwcrypto_rejects(second, published_key(client, first))


# --- 9. Public, cacheable, readable from anywhere ------------------------------------------


def test_the_public_documents_need_no_login_and_are_shareable(client, certificate):
    credential = get_json(client, documents.credential_id(certificate))
    issuer_id = credential["issuer"]["id"]
    achievement_id = credential["credentialSubject"]["achievement"]["id"]
    kid = token_parts(signed(client, certificate))[0]["kid"]
    status_list = credential["credentialStatus"]["statusListCredential"]
    addresses = [
        credential["id"],
        credential["id"] + ".jwt",
        issuer_id,
        issuer_id + "/jwks.json",
        kid,
        status_list,
        status_list + "?format=json",
        achievement_id,
        achievement_id + "/about",
        achievement_id + "/image.svg",
    ]

    for address in addresses:
        response = client.get(path_of(address))
        assert response.status_code == 200, address
        assert "public" in response["Cache-Control"], address
        assert response["Access-Control-Allow-Origin"] == "*", address


def test_a_browser_at_a_credential_id_is_sent_to_the_verification_page(client, certificate):
    browser = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
    credential_id = documents.credential_id(certificate)

    response = client.get(path_of(credential_id), HTTP_ACCEPT=browser)

    assert response.status_code == 302
    assert response["Location"].endswith(f"/verify/{certificate.code}/")
    achievement_id = get_json(client, credential_id)["credentialSubject"]["achievement"]["id"]
    response = client.get(path_of(achievement_id), HTTP_ACCEPT=browser)
    assert response.status_code == 302
    assert response["Location"].endswith("/about")


# --- The issue's "done when": a demo certificate, end to end --------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_demo_certificate_verifies_anywhere_and_reports_revoked_once_revoked(site, client):
    """Anonymously downloaded from the demo, the credential meets the official schema and
    verifies with jwcrypto against keys fetched over HTTP; after the demo's programme
    administrator revokes it in the API, its bit in the signed status list is set and our
    verifier says revoked."""
    from django.contrib.auth import get_user_model

    from certificates.models import Certificate
    from lup.demo.logins import ADMINISTRATOR
    from lup.demo.seed import seed_demo

    seed_demo(scale=1)
    administrator = get_user_model().objects.get(email=ADMINISTRATOR)
    certificate = (
        Certificate.objects.filter(
            revoked_at__isnull=True,
            name_withheld_at__isnull=True,
            credential__issuer__slug="baerum",
        )
        .order_by("pk")
        .first()
    )
    assert certificate is not None, "the demo has no valid certificate of Bærum's"

    credential_id = documents.credential_id(certificate)
    token = fetch(credential_id + ".jwt", accept="application/vc+jwt")
    header, _payload = token_parts(token)
    claims = jwcrypto_claims(token, jwk.JWK.from_json(fetch(header["kid"])))
    assert schema_errors(CREDENTIAL_SCHEMA, without_claims(claims)) == []
    assert claims["issuer"]["id"] == site + "/credentials/issuers/baerum"
    assert status_bit(claims) == 0
    assert verify(client, token)["verdict"] == "valid"

    client.force_login(administrator)
    revoked = client.post(
        f"/api/v1/certificates/{certificate.public_id}/revoke/",
        {"reason": "Registrert ved en feil"},
        content_type="application/json",
    )
    client.logout()

    assert revoked.status_code == 200, revoked.content
    assert status_bit(claims) == 1
    assert verify(client, token)["verdict"] == "revoked"
