import pytest

from expedite.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.li, name='t')[1]}"}


def test_workdays_lists_the_working_days_of_a_range(client, auth):
    body = client.get(
        "/api/v1/calendar/workdays", {"start": "2026-02-13", "end": "2026-02-24"}, **auth
    ).json()
    assert body["workdays"] == ["2026-02-13", "2026-02-14", "2026-02-24"]
    assert body["count"] == 3 and body["provisional"] is False


def test_add_answers_with_the_provisional_flag(client, auth):
    body = client.get("/api/v1/calendar/add", {"date": "2026-12-31", "n": "1"}, **auth).json()
    # New Year's Day 2027 is off by law although the year's notice is not out.
    assert body == {"date": "2026-12-31", "n": 1, "result": "2027-01-04", "provisional": True}


def test_explain_a_day(client, auth):
    body = client.get("/api/v1/calendar/days/2026-10-10", **auth).json()
    assert body["kind"] == "makeup_workday" and body["name"] == "国庆节"


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/calendar/add", {"date": "2026-13-01", "n": "1"}, "date"),
        ("/api/v1/calendar/add", {"date": "2026-12-01", "n": "10000000"}, "n"),
        ("/api/v1/calendar/add", {"date": "1990-01-01", "n": "1"}, None),
        ("/api/v1/calendar/workdays", {"start": "2026-12-01", "end": "2026-11-01"}, "end"),
        ("/api/v1/calendar/workdays", {"start": "2000-01-01", "end": "2026-11-01"}, "end"),
        ("/api/v1/calendar/workdays", {"start": "2026-12-01"}, "end"),
    ],
)
def test_bad_input_is_422_with_a_message(client, auth, url, params, field):
    response = client.get(url, params, **auth)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["field"] == field
    assert detail["message"]


def test_cases_carry_the_deadline_in_working_days(client, world, auth):
    response = client.post(
        "/api/v1/cases",
        {
            "client_id": world.acme.pk,
            "service": "business-change",
            "requested_deadline": "2027-02-10",
            "reason": "x",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=auth["HTTP_AUTHORIZATION"].replace(
            auth["HTTP_AUTHORIZATION"], f"Bearer {api_token_create(user=world.zhang, name='z')[1]}"
        ),
    )
    assert response.status_code == 201
    assert response.json()["deadline_provisional"] is True
