// Candlestick + volume chart on TradingView lightweight-charts 5.
// The chart is created once per mount. `history` (with its `seriesKey`) replaces the
// series; `older` prepends a page loaded on scroll; `updates` carries only the candles
// that changed since the last push, applied with series.update() so only deltas cross
// the socket. Prices arrive as decimal strings and become JS numbers only here.
import React, { useEffect, useRef } from "react";
import {
  createChart,
  CandlestickSeries,
  HistogramSeries,
  LineStyle,
  createSeriesMarkers,
} from "lightweight-charts";

const UP = "#16a34a";
const DOWN = "#dc2626";

function toBar(c) {
  return { time: c.time, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) };
}

function toVolume(c) {
  return { time: c.time, value: Number(c.volume), color: Number(c.close) >= Number(c.open) ? UP + "66" : DOWN + "66" };
}

function localTime(seconds, withDate) {
  const d = new Date(seconds * 1000);
  return withDate ? d.toLocaleString() : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function themeOptions(dark) {
  return {
    layout: { background: { color: "transparent" }, textColor: dark ? "#c9ced6" : "#1f2328", attributionLogo: false },
    grid: {
      vertLines: { color: dark ? "#2a2e39" : "#eef0f3" },
      horzLines: { color: dark ? "#2a2e39" : "#eef0f3" },
    },
    rightPriceScale: { borderColor: dark ? "#2a2e39" : "#d0d7de" },
    timeScale: { borderColor: dark ? "#2a2e39" : "#d0d7de" },
  };
}

export function CandleChart({ seriesKey, history, older, updates, priceLines, markers, pricePrecision, dark, onLoadMore, id }) {
  const containerRef = useRef(null);
  const chartRef = useRef(null);
  const seriesRef = useRef({});
  const stateRef = useRef({ earliest: null, requested: null, count: 0 });
  const loadMoreRef = useRef(onLoadMore);
  loadMoreRef.current = onLoadMore;

  useEffect(() => {
    const chart = createChart(containerRef.current, {
      autoSize: true,
      ...themeOptions(dark),
      localization: { timeFormatter: (t) => localTime(t, true) },
      timeScale: { timeVisible: true, secondsVisible: false, tickMarkFormatter: (t) => localTime(t, false) },
      crosshair: { mode: 0 },
    });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN,
    });
    const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    const markerApi = createSeriesMarkers(candles, []);
    chartRef.current = chart;
    seriesRef.current = { candles, volume, markerApi, lines: [] };
    chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
      const s = stateRef.current;
      if (!range || s.earliest === null || s.count === 0) return;
      if (range.from < 10 && s.requested !== s.earliest && loadMoreRef.current) {
        s.requested = s.earliest;
        loadMoreRef.current(s.earliest * 1000);
      }
    });
    if (containerRef.current) containerRef.current.dataset.ready = "true";
    return () => { chart.remove(); chartRef.current = null; };
  }, []);

  useEffect(() => {
    if (chartRef.current) chartRef.current.applyOptions(themeOptions(dark));
  }, [dark]);

  useEffect(() => {
    const { candles } = seriesRef.current;
    if (!candles || pricePrecision === undefined) return;
    const minMove = Math.pow(10, -pricePrecision);
    candles.applyOptions({ priceFormat: { type: "price", precision: pricePrecision, minMove } });
  }, [pricePrecision]);

  useEffect(() => {
    const { candles, volume } = seriesRef.current;
    if (!candles || !history) return;
    candles.setData(history.map(toBar));
    volume.setData(history.map(toVolume));
    const s = stateRef.current;
    s.earliest = history.length ? history[0].time : null;
    s.count = history.length;
    s.requested = null;
    containerRef.current.dataset.bars = String(history.length);
    containerRef.current.dataset.seriesKey = seriesKey || "";
  }, [seriesKey, history]);

  useEffect(() => {
    const { candles, volume } = seriesRef.current;
    const s = stateRef.current;
    if (!candles || !older || !older.length || s.earliest === null) return;
    const fresh = older.filter((c) => c.time < s.earliest);
    if (!fresh.length) return;
    const bars = fresh.map(toBar).concat(candles.data());
    const vols = fresh.map(toVolume).concat(volume.data());
    const range = chartRef.current.timeScale().getVisibleLogicalRange();
    candles.setData(bars);
    volume.setData(vols);
    if (range) chartRef.current.timeScale().setVisibleLogicalRange({ from: range.from + fresh.length, to: range.to + fresh.length });
    s.earliest = fresh[0].time;
    s.count = bars.length;
    containerRef.current.dataset.bars = String(bars.length);
  }, [older]);

  useEffect(() => {
    const { candles, volume } = seriesRef.current;
    if (!candles || !updates || !updates.length || stateRef.current.count === 0) return;
    const last = candles.data();
    const lastTime = last.length ? last[last.length - 1].time : 0;
    for (const c of updates) {
      if (c.time < lastTime) continue;
      candles.update(toBar(c));
      volume.update(toVolume(c));
    }
    const count = candles.data().length;
    stateRef.current.count = count;
    containerRef.current.dataset.bars = String(count);
    containerRef.current.dataset.lastClose = String(updates[updates.length - 1].close);
  }, [updates]);

  useEffect(() => {
    const series = seriesRef.current;
    if (!series.candles) return;
    for (const line of series.lines) series.candles.removePriceLine(line);
    series.lines = (priceLines || []).map((l) =>
      series.candles.createPriceLine({
        price: Number(l.price), color: l.side === "BUY" ? UP : DOWN, lineWidth: 1,
        lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: l.title,
      })
    );
    if (containerRef.current) containerRef.current.dataset.priceLines = String(series.lines.length);
  }, [priceLines]);

  useEffect(() => {
    const series = seriesRef.current;
    if (!series.markerApi) return;
    series.markerApi.setMarkers((markers || []).map((m) => ({
      time: m.time, position: m.side === "BUY" ? "belowBar" : "aboveBar",
      color: m.side === "BUY" ? UP : DOWN, shape: m.side === "BUY" ? "arrowUp" : "arrowDown", text: m.text,
    })));
    if (containerRef.current) containerRef.current.dataset.markers = String((markers || []).length);
  }, [markers]);

  return <div id={id} ref={containerRef} data-testid="candle-chart" style={{ width: "100%", height: "100%", minHeight: 360 }} />;
}
