"""The workload page at firm scale: staleness from a cheap stamp that agrees with the full
input, and one team (or person) and one week at a time."""

import datetime as dt

import pytest
from django.utils import timezone

from expedite.accounts.selectors import staff_display_name
from expedite.work.models import Assignment, StepRun
from expedite.work.schedule import schedule_propose
from expedite.work.schedule_input import Clock, load_inputs, read_stamp
from expedite.work.schedule_page import monday, working_day
from expedite.work.steps import step_start
from expedite.work.team import absence_add
from expedite.workdays.selectors import firm_calendar
from tests.web import test_schedule
from tests.web.test_schedule import next_working_day

competing = test_schedule.competing  # the same two running cases

pytestmark = pytest.mark.django_db


def _same(now) -> str:
    stamp, inputs = read_stamp(now=now), load_inputs(now=now)
    assert stamp.fingerprint == inputs.fingerprint
    assert stamp.open_steps == len(inputs.problem.tasks)
    return stamp.fingerprint


def test_the_stamp_agrees_with_the_full_input_through_every_kind_of_change(competing):
    world = competing
    now = timezone.now()
    seen = [_same(now)]
    step = StepRun.objects.filter(case=world.project).order_by("position").first()
    step_start(actor=world.zhang, step=step, now=now)
    seen.append(_same(now))
    day = next_working_day()
    absence_add(actor=world.li, user=world.li, start=day, end=day, reason="外出")
    seen.append(_same(now))
    Assignment.objects.filter(case=world.loan, role="process").update(user=world.li2)
    seen.append(_same(now))
    StepRun.objects.filter(pk=step.pk).update(finished_at=now)
    seen.append(_same(now))
    # Another working day: another axis (three calendar days on may still be the same one, as
    # over the New Year holiday).
    cal = firm_calendar()
    later = dt.datetime.combine(cal.next_workday(working_day(now, cal)), dt.time(10), cal.tz)
    seen.append(_same(later))
    assert len(set(seen)) == len(seen)


def test_the_stamp_reads_a_fixed_number_of_queries(competing, django_assert_max_num_queries):
    now = timezone.now()
    with django_assert_max_num_queries(10):
        read_stamp(now=now)


def _week_of_first_bar(proposal, worker) -> dt.date:
    stamp = read_stamp(now=timezone.now())
    cal = stamp.clock.cal
    clock = Clock(cal, cal.work_clock(proposal.origin), stamp.clock.slots)
    start = min(s for s, e, w in proposal.placements.values() if w == str(worker.pk) and e > s)
    return monday(clock.date_of(start))


def test_the_page_shows_one_team_or_person_and_one_week(competing, client):
    world = competing
    proposal = schedule_propose(actor=world.chen, now=timezone.now())
    li, wang = staff_display_name(world.li), staff_display_name(world.wang)
    client.force_login(world.chen)
    # A manager holds no case role: the process specialists, the week of the next working
    # moment (on a Saturday, the coming week).
    page = client.get("/board/schedule/").content.decode()
    assert '<option value="process" selected>' in page
    opening = monday(working_day(timezone.now(), firm_calendar()))
    assert f'value="{opening.isoformat()}"' in page
    week = _week_of_first_bar(proposal, world.li).isoformat()
    page = client.get(f"/board/schedule/?team=process&week={week}").content.decode()
    gantt = page.split('class="schedule-gantt"')[1].split("</svg>")[0]
    assert f'class="lane">{li}' in gantt and f'class="lane">{wang}' not in gantt
    assert 'class="bar"' in gantt
    week = _week_of_first_bar(proposal, world.wang).isoformat()
    page = client.get(f"/board/schedule/?person={world.wang.pk}&week={week}").content.decode()
    gantt = page.split('class="schedule-gantt"')[1].split("</svg>")[0]
    assert f'class="lane">{wang}' in gantt and f'class="lane">{li}' not in gantt
    # A year on nothing is planned: no bars, and the links lead back.
    later = (monday(timezone.localdate()) + dt.timedelta(days=364)).isoformat()
    page = client.get(f"/board/schedule/?team=&week={later}").content.decode()
    gantt = page.split('class="schedule-gantt"')[1].split("</svg>")[0]
    assert 'class="bar"' not in gantt and "现在" not in gantt
    assert 'rel="prev"' in page and "本周" in page
    # A filter that makes no sense shows the default view, not an error.
    response = client.get("/board/schedule/?team=boss&week=someday&person=x")
    assert response.status_code == 200
    assert '<option value="process" selected>' in response.content.decode()


def test_a_reviewer_starts_with_their_own_team(competing, client):
    schedule_propose(actor=competing.chen, now=timezone.now())
    client.force_login(competing.wang)
    page = client.get("/board/schedule/").content.decode()
    assert '<option value="risk" selected>' in page


def test_the_page_is_bounded_by_what_it_shows(competing, client):
    """The whole firm's steps are not drawn: a week with none shows no bars nor cases."""
    world = competing
    schedule_propose(actor=world.chen, now=timezone.now())
    client.force_login(world.chen)
    later = (monday(timezone.localdate()) + dt.timedelta(days=364)).isoformat()
    page = client.get(f"/board/schedule/?team=&week={later}").content.decode()
    legend = page.split('class="legend"')[1].split("</p>")[0]
    assert world.loan.reference not in legend and world.project.reference not in legend
    assert "<tbody>" not in page.split('id="gives"')[1].split("</section>")[0]


def test_long_lists_name_the_earliest_conflicts_and_costliest_cases(competing, client, monkeypatch):
    from expedite.work import schedule_page

    world = competing
    today = timezone.localdate()
    absence_add(
        actor=world.li, user=world.li, start=today, end=today + dt.timedelta(days=14), reason="外派"
    )
    proposal = schedule_propose(actor=world.chen, now=timezone.now())
    process = {None, str(world.li.pk), str(world.li2.pk)}
    mine = [c for c in proposal.summary["conflicts"] if c["worker"] in process]
    assert len(mine) >= 2
    monkeypatch.setattr(schedule_page, "LISTED", 1)
    client.force_login(world.chen)
    page = client.get("/board/schedule/?team=process").content.decode()
    conflicts = page.split('id="conflicts"')[1].split("</section>")[0]
    assert conflicts.count("<li>") == 1 and "下面列出最早的 1 条" in conflicts
    assert f"所选人员 {len(mine)} 条" in conflicts


def test_on_a_weekend_or_after_hours_the_page_opens_on_the_coming_week():
    cal = firm_calendar()
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=cal.tz)
    friday_evening = dt.datetime(2026, 12, 4, 20, 0, tzinfo=cal.tz)
    thursday = dt.datetime(2026, 12, 3, 10, 0, tzinfo=cal.tz)
    assert working_day(saturday, cal) == dt.date(2026, 12, 7)
    assert working_day(friday_evening, cal) == dt.date(2026, 12, 7)
    assert working_day(thursday, cal) == dt.date(2026, 12, 3)
