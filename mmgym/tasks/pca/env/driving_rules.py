"""The driving domain's decision rules, on plain numbers so they can be tested without a simulator.

The state is what a driver reads off the bird's-eye image: per lane, the nearest car ahead and
behind (bumper-to-bumper gap in metres, speed relative to mine). Each side of the ego car, and
the road ahead, gets a status; the rules then name one preferred action and the actions that
are clearly wrong. Anything in between is `unclear`, and an item is only made when nothing
unclear could make a second action right:

| situation (my lane ahead)            | preferred                       | clearly wrong                            |
|--------------------------------------|---------------------------------|------------------------------------------|
| blocked: slower car close, closing   | left lane if free, else right   | keep driving, speed up (into the car);   |
|                                      | lane if free, else slow down    | a lane change into an occupied lane or   |
|                                      |                                 | off the road                             |
| following: close car at my speed     | keep driving                    | speed up (below the limit); a lane       |
|                                      |                                 | change into an occupied lane or off road |
| clear, below the speed limit         | speed up                        | slow down; any lane change (no reason,   |
| clear, at the speed limit            | keep driving                    | or unsafe, or off the road)              |

Actions that are acceptable but not preferred (slowing down behind a slower car when a lane is
free, keeping speed on a clear road below the limit, overtaking a car I follow) and lane changes
into an `unclear` lane are never offered; with fewer than two clearly wrong actions there is no
item. A lane change "off the road" is a no-op in highway-env: it is wrong because the lane does
not exist, not because the simulator punishes it.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS = ("LANE_LEFT", "IDLE", "LANE_RIGHT", "FASTER", "SLOWER")  # highway-env's DiscreteMetaAction order
CAR_LENGTH = 5.0  # m, highway-env's Vehicle.LENGTH

# Thresholds (metres, seconds, m/s). The image shows 20 m behind and 50 m ahead of the ego car.
CLOSE_AHEAD = 30.0  # a slower car within this gap blocks my lane ...
BLOCK_TTC = 6.0  # ... when I would reach it within this many seconds
MIN_TTC = 2.0  # below this it is an emergency: no action is clearly safe
FOLLOW_MIN, FOLLOW_GAP = 8.0, 20.0  # a car this close ahead at my speed (within 1 m/s): keep following it
CLEAR_AHEAD = 45.0  # nothing in my lane within this gap (the image's reach) ...
CLEAR_TTC = 8.0  # ... and nothing beyond that I would reach this soon
BESIDE = 3.0  # a side car with a gap under this is beside me
LANE_CHANGE_S = 2.0  # how long a lane change takes; a car beside me for that long blocks it
FREE_AHEAD, FREE_BEHIND = 20.0, 10.0  # a side lane is free with no car nearer than these ...
FREE_HORIZON, FREE_KEEP = 4.0, 8.0  # ... and none nearer than FREE_KEEP within FREE_HORIZON seconds
REAR_SAFE = 10.0  # slowing down needs this much room behind me
SPEED_STEP = 5.0  # highway-env's FASTER / SLOWER change of target speed


@dataclass(frozen=True)
class Neighbour:
    """A car in some lane, relative to mine: bumper-to-bumper gap (m, negative = overlapping) and speed difference."""

    gap: float
    rel_speed: float  # its speed minus mine


@dataclass(frozen=True)
class LaneTraffic:
    """The nearest car ahead and behind me in one lane (measured along the road from my position)."""

    ahead: Neighbour | None = None
    behind: Neighbour | None = None


@dataclass(frozen=True)
class Traffic:
    """What the decision depends on. Lanes are numbered from the left, 0 = leftmost."""

    lanes: int
    lane: int
    speed: float
    top_speed: float  # the speed limit, also highway-env's highest target speed
    min_speed: float  # the lowest target speed (SLOWER does nothing below it)
    per_lane: tuple[LaneTraffic, ...]


@dataclass(frozen=True)
class Decision:
    """The rules' verdict: the one action to offer as right, and each clearly wrong one with why."""

    answer: str
    wrong: dict[str, str]  # action -> the reason it is wrong
    ahead: str  # "blocked" or "clear"
    left: str  # "free", "occupied", "off_road" or "unclear"
    right: str


def ahead_status(traffic: Traffic) -> str:
    """`blocked` (a slower car will soon be hit), `following` (a close car at my speed), `clear` (nothing to
    reach soon), `emergency` or `unclear`."""
    car = traffic.per_lane[traffic.lane].ahead
    if car is None:
        return "clear"
    closing = -car.rel_speed
    if car.gap <= CLOSE_AHEAD and closing >= 2.0 and car.gap / closing <= BLOCK_TTC:
        return "blocked" if car.gap / closing >= MIN_TTC and car.gap >= FOLLOW_MIN else "emergency"
    if FOLLOW_MIN <= car.gap <= FOLLOW_GAP and abs(car.rel_speed) < 1.0:
        return "following"
    faster = SPEED_STEP if traffic.speed < traffic.top_speed - 0.5 else 0.0  # a clear road invites speeding up
    closing_after = closing + faster
    if car.gap >= CLEAR_AHEAD and (closing_after <= 0 or car.gap / closing_after >= CLEAR_TTC):
        return "clear"
    return "unclear"


def _gap_after(car: Neighbour, seconds: float, ahead: bool) -> float:
    """The gap `seconds` from now if both keep their speed."""
    return car.gap + (car.rel_speed if ahead else -car.rel_speed) * seconds


def side_status(traffic: Traffic, lane: int) -> str:
    """Whether I can move into `lane`: `free`, `occupied` (a car beside me stays there), `off_road` or `unclear`."""
    if not 0 <= lane < traffic.lanes:
        return "off_road"
    cars = traffic.per_lane[lane]
    pairs = [(car, True) for car in (cars.ahead,) if car] + [(car, False) for car in (cars.behind,) if car]
    if any(car.gap < BESIDE and _gap_after(car, LANE_CHANGE_S, ahead) < BESIDE for car, ahead in pairs):
        return "occupied"
    for car, ahead in pairs:
        room = FREE_AHEAD if ahead else FREE_BEHIND
        if car.gap < room or min(car.gap, _gap_after(car, FREE_HORIZON, ahead)) < FREE_KEEP:
            return "unclear"
    return "free"


def _side_wrong(status: str, side: str) -> str | None:
    """Why a lane change to a side with this status is wrong while my lane is blocked (None: it is not)."""
    if status == "occupied":
        return f"a car is beside me in the {side} lane, so moving there would hit it"
    if status == "off_road":
        return f"there is no lane on my {side}, so that would leave the road"
    return None


def _side_wrongs(left: str, right: str) -> dict[str, str]:
    """The lane changes that are wrong whatever the road ahead: into an occupied lane or off the road."""
    wrong = {}
    for action, status, side in (("LANE_LEFT", left, "left"), ("LANE_RIGHT", right, "right")):
        reason = _side_wrong(status, side)
        if reason:
            wrong[action] = reason
    return wrong


def _blocked(traffic: Traffic, left: str, right: str) -> Decision | None:
    wrong = {"IDLE": "keeping my speed drives into the slower car ahead", "FASTER": "speeding up closes on it faster"}
    wrong |= _side_wrongs(left, right)
    if left == "free":
        return Decision("LANE_LEFT", wrong, "blocked", left, right)
    if right == "free":  # an unclear left lane is simply not offered
        return Decision("LANE_RIGHT", wrong, "blocked", left, right)
    car = traffic.per_lane[traffic.lane].ahead
    behind = traffic.per_lane[traffic.lane].behind
    slowing_helps = car is not None and -car.rel_speed <= SPEED_STEP and traffic.speed > traffic.min_speed + 0.5
    if not slowing_helps or (behind is not None and behind.gap < REAR_SAFE):
        return None
    return Decision("SLOWER", wrong, "blocked", left, right)


def _clear(traffic: Traffic, left: str, right: str) -> Decision:
    wrong = {"SLOWER": "slowing down on a clear road only loses time"}
    for action, status, side in (("LANE_LEFT", left, "left"), ("LANE_RIGHT", right, "right")):
        if status == "off_road":
            wrong[action] = f"there is no lane on my {side}, so that would leave the road"
        elif status == "occupied":
            wrong[action] = f"a car is beside me in the {side} lane, so moving there would hit it"
        else:
            wrong[action] = "the road ahead is clear, so changing lanes gains nothing"
    answer = "FASTER" if traffic.speed < traffic.top_speed - 0.5 else "IDLE"
    return Decision(answer, wrong, "clear", left, right)


def decide(traffic: Traffic) -> Decision | None:
    """The preferred action and the clearly wrong ones, or None when the state has no single clear answer."""
    ahead = ahead_status(traffic)
    left, right = side_status(traffic, traffic.lane - 1), side_status(traffic, traffic.lane + 1)
    if ahead == "blocked":
        return _blocked(traffic, left, right)
    if ahead == "clear":
        return _clear(traffic, left, right)
    if ahead == "following":
        return _following(traffic, left, right)
    return None


def _following(traffic: Traffic, left: str, right: str) -> Decision | None:
    """Close behind a car at my speed: keep the distance; speeding up or an impossible lane change is wrong."""
    wrong = _side_wrongs(left, right)
    if traffic.speed < traffic.top_speed - 0.5:  # at the top speed FASTER does nothing, so it is not wrong
        wrong = {"FASTER": "speeding up would close on the car just ahead"} | wrong
    return Decision("IDLE", wrong, "following", left, right) if len(wrong) >= 2 else None


def fallback(traffic: Traffic) -> str:
    """The warm-up driver's action where the rules give none: overtake a car it is closing on when a side lane is
    free, else brake before it gets close; speed up on an open road. (It drives into decidable states quickly.)"""
    car = traffic.per_lane[traffic.lane].ahead
    if car is None or (car.gap >= CLEAR_AHEAD and car.rel_speed >= 0):  # nothing to catch up with
        return "FASTER" if traffic.speed < traffic.top_speed - 0.5 else "IDLE"
    if car.rel_speed < 0 and car.gap < FOLLOW_GAP:  # later than `blocked` usually starts: its items come first
        for action, lane in (("LANE_LEFT", traffic.lane - 1), ("LANE_RIGHT", traffic.lane + 1)):
            if side_status(traffic, lane) == "free":
                return action
        if car.gap < FOLLOW_MIN or car.gap / -car.rel_speed < 4.0:
            return "SLOWER"
    return "IDLE"
