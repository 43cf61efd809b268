"""Re-plan now on the job queue: asked on the page, solved by a worker, progress on the page."""

import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from expedite.work import schedule_runs
from expedite.work.models import ScheduleProposal, ScheduleRun
from expedite.work.schedule_runs import schedule_request, schedule_run
from tests.web.test_schedule import competing  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_replan_now_is_queued_and_a_worker_makes_the_proposal(competing, client):  # noqa: F811
    world = competing
    HUEY.flush()
    client.force_login(world.chen)
    page = client.post("/board/schedule/", {"solver": "greedy"}, follow=True).content.decode()
    # Nothing solved in the request: the page says it has begun and polls for progress.
    assert "已开始重新排期" in page
    assert 'id="replan-run"' in page and 'hx-get="/board/schedule/progress/"' in page
    run = ScheduleRun.objects.get()
    assert run.status == ScheduleRun.QUEUED and run.requested_by == world.chen
    assert not ScheduleProposal.objects.exists()

    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    assert task.name.endswith("schedule_replan")
    HUEY.execute(task)
    run.refresh_from_db()
    assert run.status == ScheduleRun.DONE and run.progress == 1.0
    assert run.proposal == ScheduleProposal.objects.get()
    assert run.proposal.created_by == world.chen and run.proposal.status == "pending"

    # The page's poll sees it done and reloads the page, which shows the proposal to accept.
    polled = client.get("/board/schedule/progress/", HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and polled["HX-Refresh"] == "true"
    page = client.get("/board/schedule/").content.decode()
    assert 'id="accept"' in page and 'id="replan-run"' not in page


def test_the_page_shows_how_far_a_replan_is(competing, client, monkeypatch):  # noqa: F811
    world = competing
    now = timezone.now()
    run, created = schedule_request(actor=world.chen, now=now, solver="cpsat")
    seen = {}

    def halfway(*, progress, **kw):
        progress("search", 0.6)  # CP-SAT has spent 60 % of its budget
        run.refresh_from_db()
        client.force_login(world.li)  # anyone who may see the page sees the progress
        seen["fragment"] = client.get("/board/schedule/progress/").content.decode()
        seen["page"] = client.get("/board/schedule/").content.decode()
        raise RuntimeError("the worker's machine failed")

    monkeypatch.setattr(schedule_runs, "schedule_propose", halfway)
    with pytest.raises(RuntimeError):
        schedule_run(pk=run.pk, now=now)
    assert created
    assert run.status == ScheduleRun.RUNNING and run.stage == "search"
    assert run.progress == pytest.approx(0.2 + 0.75 * 0.6)
    assert "正在重新排期：优化搜索（65%）" in seen["fragment"]
    assert 'hx-trigger="every 2s"' in seen["fragment"]
    assert "正在重新排期：优化搜索" in seen["page"]
    # A failure the worker did not expect is recorded, not left running.
    run.refresh_from_db()
    assert run.status == ScheduleRun.FAILED and run.error["template"] == "排期时出错。"


def test_asking_again_while_a_replan_is_under_way_queues_nothing(competing, client):  # noqa: F811
    world = competing
    now = timezone.now()
    first, created = schedule_request(actor=world.chen, now=now, solver="greedy")
    assert created
    client.force_login(world.chen)
    page = client.post("/board/schedule/", {"solver": "cpsat"}, follow=True).content.decode()
    assert "已有一次重新排期在进行中" in page
    assert ScheduleRun.objects.get() == first
    # A run nobody has touched for long (its worker died) is given up, and a new one queued.
    later = now + schedule_runs.STALE + dt.timedelta(minutes=1)
    second, created = schedule_request(actor=world.chen, now=later, solver="cpsat")
    first.refresh_from_db()
    assert created and second != first and first.status == ScheduleRun.FAILED


def test_a_second_delivery_of_the_same_run_does_nothing(competing):  # noqa: F811
    world = competing
    now = timezone.now()
    run, _created = schedule_request(actor=world.chen, now=now, solver="greedy")
    done = schedule_run(pk=run.pk, now=now)
    assert done["ran"] and done["proposal"] == ScheduleProposal.objects.get().pk
    assert schedule_run(pk=run.pk, now=now) == {"run": run.pk, "ran": False}
    assert ScheduleProposal.objects.count() == 1


def test_a_refused_replan_shows_its_reason_and_only_managers_may_ask(world, client):
    now = timezone.now()
    client.force_login(world.li)
    page = client.post("/board/schedule/", {"solver": "greedy"}, follow=True).content.decode()
    assert "只有经理可以重新排期" in page and not ScheduleRun.objects.exists()
    # Nothing is open: the worker's run is refused, and the page says why.
    run, _created = schedule_request(actor=world.chen, now=now, solver="greedy")
    assert schedule_run(pk=run.pk, now=now) == {"run": run.pk, "ran": True, "proposal": None}
    run.refresh_from_db()
    assert run.status == ScheduleRun.FAILED
    client.force_login(world.chen)
    page = client.get("/board/schedule/").content.decode()
    assert "重新排期未完成" in page and "没有进行中的加急单需要排期" in page
    assert 'hx-trigger="every 2s"' not in page


def test_the_api_queues_a_replan_and_reports_a_refusal_in_the_readers_language(world, client):
    from expedite.accounts.services import api_token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.chen, name='t')[1]}"}
    asked = client.post("/api/v1/schedule", {}, content_type="application/json", **auth)
    assert asked.status_code == 202 and asked.json()["run"]["solver"] == "greedy"
    run_id = asked.json()["run"]["id"]
    # Nothing is open: the worker's run is refused, and the API says why.
    schedule_run(pk=run_id, now=timezone.now())
    failed = client.get(f"/api/v1/schedule/runs/{run_id}", **auth).json()["run"]
    assert failed["status"] == "failed" and failed["proposal"] is None
    assert failed["error"] == "没有进行中的加急单需要排期。"
    english = client.get(
        f"/api/v1/schedule/runs/{run_id}", HTTP_ACCEPT_LANGUAGE="en", **auth
    ).json()["run"]
    assert english["error"] and "排期" not in english["error"]
