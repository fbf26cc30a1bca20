"""The TradingView lightweight-charts candlestick chart as a Reflex component."""

from __future__ import annotations

from typing import Any

import reflex as rx

_CHART_MODULE = rx.asset("candle_chart.jsx", shared=True)


class CandleChart(rx.Component):
    """Props carry candles as ``{time, open, high, low, close, volume}`` with decimal strings."""

    library = _CHART_MODULE.importable_path
    tag = "CandleChart"
    lib_dependencies: list[str] = ["lightweight-charts@5.2.1"]

    series_key: rx.Var[str]
    interval: rx.Var[str]
    history: rx.Var[list[dict[str, Any]]]
    older: rx.Var[list[dict[str, Any]]]
    updates: rx.Var[list[dict[str, Any]]]
    price_lines: rx.Var[list[dict[str, Any]]]
    markers: rx.Var[list[dict[str, Any]]]
    price_precision: rx.Var[int]
    dark: rx.Var[bool]

    on_load_more: rx.EventHandler[lambda end_time_ms: [end_time_ms]]


candle_chart = CandleChart.create
