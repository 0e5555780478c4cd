"""Python names for what a spec names freely, and free names in a fixed order."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.names import default_package, free_name, pascal_case, snake_case, unique, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("payment.succeeded", ["payment", "succeeded"]),
        ("/AUTHORISATION", ["authorisation"]),
        ("{dataType}.write.successful", ["data", "type", "write", "successful"]),
        ("HTTPServerError", ["http", "server", "error"]),
        ("order2Shipped", ["order2", "shipped"]),
        ("--", []),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("payment.succeeded", "payment_succeeded"),
        ("customer.subscription.created", "customer_subscription_created"),
        ("createdAt", "created_at"),
        ("class", "class_"),
        ("match", "match_"),  # a soft keyword
        ("2fa.enabled", "webhook_2fa_enabled"),
        ("", "webhook"),
        ("!!!", "webhook"),
        ("ünïcode", "n_code"),
    ],
)
def test_snake_case(text: str, expected: str) -> None:
    assert snake_case(text) == expected


def test_snake_case_fallback() -> None:
    assert snake_case("", fallback="header") == "header"
    assert snake_case("1", fallback="header") == "header_1"


@given(st.text())
def test_snake_case_is_always_a_lower_case_identifier_and_no_keyword(text: str) -> None:
    name = snake_case(text)
    assert name.isidentifier()
    assert name.isascii()
    assert name == name.lower()
    assert not keyword.iskeyword(name)
    assert not keyword.issoftkeyword(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("payment.succeeded", "PaymentSucceeded"), ("3ds.done", "Webhook3dsDone"), ("", "Webhook"), ("HTTP", "Http")],
)
def test_pascal_case(text: str, expected: str) -> None:
    assert pascal_case(text) == expected


@given(st.text())
def test_pascal_case_is_always_an_identifier(text: str) -> None:
    name = pascal_case(text)
    assert name.isidentifier()
    assert name[0].isupper()


def numbered(n: int) -> str:
    return f"Name{n}"


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        (set(), "Name"),
        ({"Name"}, "file_Name"),
        ({"Name", "file_Name"}, "Name2"),
        ({"Name", "file_Name", "Name2", "Name3"}, "Name4"),
        ({"file_Name"}, "Name"),  # the first preferred name wins whenever it is free
    ],
)
def test_free_name_tries_preferred_names_in_order_then_numbers_from_two(taken: set[str], expected: str) -> None:
    assert free_name(taken, "Name", "file_Name", numbered=numbered) == expected


def test_free_name_without_preferred_names_numbers() -> None:
    assert free_name({"Name2"}, numbered=numbered) == "Name3"


def test_unique_keeps_the_first_and_numbers_later_ones_in_order() -> None:
    names, renamed = unique(["a", "b", "a", "a_2", "a"])
    assert names == ["a", "b", "a_2", "a_2_2", "a_3"]
    assert renamed == [("a", "a_2"), ("a_2", "a_2_2"), ("a", "a_3")]


def test_unique_respects_reserved_names() -> None:
    names, renamed = unique(["app", "models", "payment"], reserved={"app", "models"})
    assert names == ["app_2", "models_2", "payment"]
    assert renamed == [("app", "app_2"), ("models", "models_2")]


@given(st.lists(st.sampled_from(["a", "b", "a_2", "b_2", "app"])))
def test_unique_names_are_unique_and_avoid_reserved(names: list[str]) -> None:
    result, renamed = unique(names, reserved={"app"})
    assert len(result) == len(names)
    assert len(set(result)) == len(result)
    assert "app" not in result
    assert [(old, new) for old, new in zip(names, result, strict=True) if old != new] == renamed


@pytest.mark.parametrize(
    ("title", "stem", "package"),
    [
        ("GitHub's official Webhooks OpenAPI spec + Octokit extension", "github-webhooks", "github_webhooks"),
        ("OpenAI API", "openai-openapi", "openai_webhooks"),
        ("Webhooks", "adyen-webhooks-v1", "adyen_webhooks"),  # nothing telling in the title: the file's name
        ("Configuration webhooks", "adyen-balanceplatform-configuration-notification-v2", "configuration_webhooks"),
        ("Chargebee API", "chargebee-api-v1", "chargebee_webhooks"),
        ("v1: Paddle API", "paddle-openapi", "paddle_webhooks"),
        ("Clerk Webhook Events", "clerk-webhooks-2025-04-15", "clerk_webhooks"),
        ("UCP Shopping Service", "rest.openapi", "ucp_webhooks"),
        ("3D Secure", "x", "secure_webhooks"),
        ("", "openapi", "webhooks"),
    ],
)
def test_the_default_package_name_is_short_and_readable(title: str, stem: str, package: str) -> None:
    assert default_package(title, stem) == package
