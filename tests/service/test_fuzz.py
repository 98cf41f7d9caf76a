"""Property-based fuzzing of the REST API with schemathesis, against the app served by uvicorn on
loopback, the model answered by the replay server.

For every operation of the OpenAPI document, schemathesis generates requests, valid by the
schema and deliberately invalid ones, and checks every answer: never a 5xx, a status the
document lists for that route, a content type it lists, a body that matches the documented
schema (the JSON error envelope included), invalid data refused with a 4xx.

The fields holding a link the server fetches (`url` of `POST /v1/articles/fetch`, a job's
`callback_url`) get links it must refuse with a 4xx (tests/support/links.py): malformed ones
and ones to private addresses.

`POST /v1/briefs` is fuzzed synchronously as well as with `"async": true`: a generated bundle
is no recording the replay server holds, so its map call is answered 404 and the service
answers 503 `model_unavailable` (documented for the route: an unreachable or refusing model is
an answer the route really gives). The async jobs fail the same way in the background. Slack's
routes answer 503 `slack_not_configured` (no signing secret here; the signed paths are
tests/service/test_slack.py's).

Bounded and deterministic: `derandomize=True` (examples drawn from a fixed seed), at most
MAX_EXAMPLES per operation, no shrinking of the 5xx-free runs; about half a minute.
"""

import importlib
import os
import pkgutil
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from service.api.app import create_app
from service.config import Settings
from service.llm import LLMClient
from tests.conftest import make_settings
from tests.support.links import refused_links
from tests.support.live import live_server
from tests.support.llm_server import ReplayServer


def _import_eagerly(*packages: str) -> None:
    """schemathesis imports many of its modules only when a check first needs them. Imported
    there, deep in hypothesis's stack and through pytest's assertion rewriting (schemathesis is
    a pytest plugin, so its modules are rewritten), Python 3.11.7 failed to compile them now and
    then ("SystemError: AST constructor recursion depth mismatch"). Imported at collection they
    are compiled on a shallow stack."""
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, name + "."):
            importlib.import_module(module.name)


_import_eagerly("schemathesis.specs", "schemathesis.wfc", "schemathesis.generation")

# Every link the server fetches (the article link of POST /v1/articles/fetch, a job's
# callback_url) is drawn from links it must refuse with a 4xx: malformed ones, and ones to private
# addresses (IP literals: no name is looked up, nothing is reached). The fuzzed document marks
# those fields with this format; a name no validator knows, so no value counts as invalid for it.
LINK_FORMAT = "fusebrief-link"
schemathesis.openapi.format(LINK_FORMAT, refused_links())

# Per operation; FUSEBRIEF_FUZZ_EXAMPLES=500 for a longer hunt (same seed, more examples).
MAX_EXAMPLES = int(os.environ.get("FUSEBRIEF_FUZZ_EXAMPLES", "40"))
KEY = "fuzz-key"
CASES: Counter[str] = Counter()  # requests sent per operation, reported at the module's end
STATUSES: Counter[int] = Counter()  # and the statuses they were answered with
# 5xx answers the API documents and gives on purpose: the model (here, the replay server that
# knows no generated bundle) or Slack's secret is missing. Any other 5xx is a bug.
EXPECTED_5XX = {"model_unavailable", "model_output_invalid", "slack_not_configured"}


@pytest.fixture(scope="module")
def api_url(replay_server: ReplayServer) -> Iterator[str]:
    """The app as it runs beyond loopback: with an API key (so the routes' security is what
    the document says), every limit at its default except the rate limits."""
    app_settings = make_settings(
        replay_server,
        api_keys=KEY,
        allowed_hosts=["127.0.0.1"],
        llm_max_retries=0,
        rate_limit_per_minute=0,  # a 429 is documented, but it would hide the rest
        auth_failures_per_minute=1_000_000,  # schemathesis tries requests without the key
        job_workers=1,
        cache="off",
        webhook_secret="fuzz-secret",  # so that a callback_url is judged by its link
    )
    with live_server(create_app(app_settings, LLMClient(app_settings))) as url:
        yield url
    print(f"\nschemathesis: {sum(CASES.values())} requests: {dict(CASES)}")
    print(f"schemathesis: answered {dict(sorted(STATUSES.items()))}")


def no_unexpected_server_error(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """No 500, and no 5xx other than the documented ones, each in the JSON error envelope
    (schemathesis's own `not_a_server_error` fails every 5xx, documented or not)."""
    if response.status_code >= 500:
        code = (response.json().get("error") or {}).get("code")
        assert response.status_code != 500 and code in EXPECTED_5XX, (
            f"{response.status_code} {code}: {response.text[:300]}"
        )
    return None


def _links_marked(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with LINK_FORMAT on the string of each field that holds a link to fetch."""
    schemas = document["components"]["schemas"]
    schemas["LinkIn"]["properties"]["url"]["format"] = LINK_FORMAT
    [link] = [
        branch
        for branch in schemas["BriefRequestIn"]["properties"]["callback_url"]["anyOf"]
        if branch.get("type") == "string"
    ]
    link["format"] = LINK_FORMAT
    return document


# The document the app serves at /openapi.json, loaded when the tests are collected (the
# lazy `schemathesis.pytest.from_fixture` loader does not run on pytest 9.2: it sets a private
# attribute pytest no longer has); the requests go to the live server of `api_url`.
DOCUMENT = create_app(Settings(_env_file=None, api_keys=KEY)).openapi()  # type: ignore[call-arg,arg-type]
schema = schemathesis.openapi.from_dict(_links_marked(DOCUMENT))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: schemathesis.Case,  # type: ignore[type-arg]
    api_url: str,
) -> None:
    CASES[f"{case.method} {case.path}"] += 1
    response = case.call_and_validate(
        base_url=api_url,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=60,
        # positive_data_acceptance: the document cannot say everything a valid request must be
        # (a language in the IANA registry, ids unique in the bundle, a model this server
        # offers, text left after cleaning, the token limit); such requests are a 422 that
        # says what to fix, which test_api.py checks case by case.
        excluded_checks=[not_a_server_error, positive_data_acceptance],
        additional_checks=[no_unexpected_server_error],
    )
    STATUSES[response.status_code] += 1
