"""SLA clocks that count working time only and pause while the case waits on the client.

A clock is a value: each event (start, pause, resume, stop) returns a new clock. Its running
intervals are kept, so elapsed time, the due instant and whether it breached are computed
from the calendar, never stored. Time outside working hours and paused time do not count.

Three clocks per case (`CaseClocks`), kept separately:
- the firm's working time, which pauses while the case is on hold (waiting on the client);
- the time waiting on the client, which runs exactly while the firm's clock is paused;
- the government's processing time (法定承诺时限), on the office's own calendar.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field, replace

from .calendar import WorkCalendar
from .errors import DomainError, gettext_noop

ZERO = dt.timedelta(0)


class ClockState(enum.StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class ClockError(DomainError):
    code = "clock_error"


@dataclass(frozen=True, slots=True)
class SlaClock:
    """A working-time clock. `target` None means it only measures (no due time)."""

    calendar: WorkCalendar = field(compare=False, repr=False)
    target: dt.timedelta | None = None
    name: str = ""
    state: ClockState = ClockState.NOT_STARTED
    segments: tuple[tuple[dt.datetime, dt.datetime | None], ...] = ()
    stopped_at: dt.datetime | None = None

    # -- events -------------------------------------------------------------------------------

    def start(self, t: dt.datetime) -> SlaClock:
        self._expect(ClockState.NOT_STARTED, gettext_noop("开始"))
        return replace(self, state=ClockState.RUNNING, segments=((self._aware(t), None),))

    def pause(self, t: dt.datetime) -> SlaClock:
        self._expect(ClockState.RUNNING, gettext_noop("暂停"))
        return replace(self, state=ClockState.PAUSED, segments=self._closed(t))

    def resume(self, t: dt.datetime) -> SlaClock:
        self._expect(ClockState.PAUSED, gettext_noop("恢复"))
        t = self._after_last(t)
        return replace(self, state=ClockState.RUNNING, segments=(*self.segments, (t, None)))

    def stop(self, t: dt.datetime) -> SlaClock:
        if self.state not in (ClockState.RUNNING, ClockState.PAUSED):
            raise self._refused(gettext_noop("停止"))
        segments = self._closed(t) if self.state == ClockState.RUNNING else self.segments
        stopped = self._after_last(t)
        return replace(self, state=ClockState.STOPPED, segments=segments, stopped_at=stopped)

    # -- readings -----------------------------------------------------------------------------

    def elapsed(self, now: dt.datetime) -> dt.timedelta:
        """Working time counted so far (running intervals only)."""
        total = ZERO
        for start, end in self.segments:
            total += self.calendar.working_time_between(start, end or max(now, start))
        return total

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        """Target minus elapsed; negative once overdue. None without a target."""
        return None if self.target is None else self.target - self.elapsed(now)

    def due(self, now: dt.datetime) -> dt.datetime | None:
        """When the target is (or was) reached if the clock keeps running.

        The actual breach instant once reached; while running, the projection; while paused,
        the projection if resumed at `now`; None without a target or before the start.
        """
        if self.target is None or self.state == ClockState.NOT_STARTED:
            return None
        reached = self._reached(now)
        if reached is not None:
            return reached
        closed = sum(
            (self.calendar.working_time_between(s, e) for s, e in self.segments if e is not None),
            ZERO,
        )
        if self.state == ClockState.RUNNING:
            return self.calendar.add_working_time(self.segments[-1][0], self.target - closed)
        if self.state == ClockState.PAUSED:
            return self.calendar.add_working_time(
                max(now, self.segments[-1][1]), self.target - closed
            )
        return None

    def breached(self, now: dt.datetime) -> bool:
        """True once more working time than the target has run (by the stop, or by now).

        An answer given over lunch or after hours, with no working time lost, is not late.
        """
        if self.target is None or not self.segments:
            return False
        return self.elapsed(now) > self.target

    def _reached(self, now: dt.datetime) -> dt.datetime | None:
        """The instant the elapsed time first reached the target, if it has."""
        total = ZERO
        for start, end in self.segments:
            part = self.calendar.working_time_between(start, end or max(now, start))
            if total + part >= self.target:
                return self.calendar.add_working_time(start, self.target - total)
            total += part
        return None

    # -- helpers ------------------------------------------------------------------------------

    def _expect(self, state: ClockState, action: str) -> None:
        if self.state != state:
            raise self._refused(action)

    def _refused(self, action: str) -> ClockError:
        return ClockError(
            gettext_noop("计时器“%(name)s”当前%(state)s，无法%(action)s。"),
            params={"name": self.name, "state": _STATE_ZH[self.state], "action": action},
        )

    def _aware(self, t: dt.datetime) -> dt.datetime:
        if t.tzinfo is None or t.utcoffset() is None:
            raise ClockError(gettext_noop("时间必须带时区。"))
        return t

    def _after_last(self, t: dt.datetime) -> dt.datetime:
        t = self._aware(t)
        last = max((e or s for s, e in self.segments), default=None)
        if last is not None and t < last:
            raise ClockError(
                gettext_noop("计时器“%(name)s”的事件时间不能早于上一事件。"),
                params={"name": self.name},
            )
        return t

    def _closed(self, t: dt.datetime) -> tuple[tuple[dt.datetime, dt.datetime | None], ...]:
        t = self._after_last(t)
        start, _ = self.segments[-1]
        return (*self.segments[:-1], (start, t))

    # -- persistence --------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "target_seconds": None if self.target is None else self.target.total_seconds(),
            "state": self.state.value,
            "segments": [[s.isoformat(), e.isoformat() if e else None] for s, e in self.segments],
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict, *, calendar: WorkCalendar) -> SlaClock:
        seconds = data.get("target_seconds")
        return cls(
            calendar=calendar,
            name=data.get("name", ""),
            target=None if seconds is None else dt.timedelta(seconds=seconds),
            state=ClockState(data["state"]),
            segments=tuple(
                (dt.datetime.fromisoformat(s), dt.datetime.fromisoformat(e) if e else None)
                for s, e in data.get("segments", [])
            ),
            stopped_at=dt.datetime.fromisoformat(data["stopped_at"])
            if data.get("stopped_at")
            else None,
        )


_STATE_ZH = {
    ClockState.NOT_STARTED: gettext_noop("尚未开始"),
    ClockState.RUNNING: gettext_noop("正在计时"),
    ClockState.PAUSED: gettext_noop("已暂停"),
    ClockState.STOPPED: gettext_noop("已停止"),
}


@dataclass(frozen=True, slots=True)
class CaseClocks:
    """The three clocks of a case. Holding the case for the client swaps firm and client time."""

    firm: SlaClock
    client_wait: SlaClock
    government: SlaClock

    @classmethod
    def new(
        cls,
        *,
        firm_calendar: WorkCalendar,
        office_calendar: WorkCalendar,
        firm_target: dt.timedelta | None,
        government_target: dt.timedelta | None,
    ) -> CaseClocks:
        return cls(
            firm=SlaClock(
                calendar=firm_calendar, target=firm_target, name=gettext_noop("本所办理时间")
            ),
            client_wait=SlaClock(calendar=firm_calendar, name=gettext_noop("等待客户时间")),
            government=SlaClock(
                calendar=office_calendar,
                target=government_target,
                name=gettext_noop("政府法定办理时间"),
            ),
        )

    def start(self, t: dt.datetime) -> CaseClocks:
        return replace(self, firm=self.firm.start(t))

    def hold_for_client(self, t: dt.datetime) -> CaseClocks:
        """The case waits on the client: the firm's clock pauses, the client's runs."""
        wait = (
            self.client_wait.start(t)
            if self.client_wait.state == ClockState.NOT_STARTED
            else self.client_wait.resume(t)
        )
        return replace(self, firm=self.firm.pause(t), client_wait=wait)

    def client_responded(self, t: dt.datetime) -> CaseClocks:
        return replace(self, firm=self.firm.resume(t), client_wait=self.client_wait.pause(t))

    def submitted_to_government(self, t: dt.datetime) -> CaseClocks:
        return replace(self, government=self.government.start(t))

    def government_decided(self, t: dt.datetime) -> CaseClocks:
        return replace(self, government=self.government.stop(t))
