"""The REST client's login: credentials from POPSYNC_API_USER / POPSYNC_API_PASSWORD, never in its repr."""

import pytest

from popsync.local.api_client import AirflowApi
from popsync.settings import ApiCredentials, api_credentials


def test_no_user_means_the_all_admins_token_of_the_local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POPSYNC_API_USER", raising=False)
    monkeypatch.setenv("POPSYNC_API_PASSWORD", "ignored-without-a-user")
    assert api_credentials() is None
    assert AirflowApi("http://127.0.0.1:1").credentials is None


def test_user_and_password_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_API_USER", " ops ")
    monkeypatch.setenv("POPSYNC_API_PASSWORD", "s3cret-pass")
    assert api_credentials() == ApiCredentials("ops", "s3cret-pass")
    api = AirflowApi("http://127.0.0.1:1")
    assert api.credentials == ApiCredentials("ops", "s3cret-pass")
    assert "s3cret-pass" not in repr(api)
    assert "s3cret-pass" not in repr(api.credentials)
