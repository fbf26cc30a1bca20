"""Daily P&L from the account-value curve: changes count on the later point's day, resets never."""

from decimal import Decimal

from numatix.domain.account_value import DAY_MS, DailyPnl, PointKind, ValuePoint, daily_pnl

D = Decimal
DAY = 20_000 * DAY_MS  # some midnight, UTC


def point(hours: float, value: str, kind: PointKind = PointKind.SAMPLE) -> ValuePoint:
    return ValuePoint(DAY + int(hours * 3_600_000), D(value), kind)


def test_each_change_counts_for_the_day_it_ends_in():
    points = [point(1, "10000"), point(5, "10100", PointKind.FILL), point(23, "10050"),
              point(25, "10200"), point(47, "10150")]
    assert daily_pnl(points) == [DailyPnl(DAY, D(50), D(10050)), DailyPnl(DAY + DAY_MS, D(100), D(10150))]


def test_a_reset_starts_afresh_instead_of_counting_as_a_loss():
    points = [point(1, "10000"), point(2, "4000", PointKind.FILL), point(3, "10000", PointKind.RESET),
              point(4, "10010")]
    assert daily_pnl(points) == [DailyPnl(DAY, D(-5990), D(10010))]


def test_no_points_no_bars_and_a_single_point_is_a_flat_day():
    assert daily_pnl([]) == []
    assert daily_pnl([point(1, "5")]) == [DailyPnl(DAY, D(0), D(5))]
