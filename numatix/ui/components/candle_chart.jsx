// Candlestick + volume chart on TradingView lightweight-charts 5.
// The chart is created once per mount. `history` (with its `seriesKey`) replaces the
// series; `older` prepends a page loaded on scroll; `updates` carries only the candles
// that changed since the last push, applied with series.update() so only deltas cross
// the socket. Prices arrive as decimal strings and become JS numbers only here.
//
// Local time: the chart library lays out its axis in UTC, so every time is shifted by
// this browser's UTC offset on the way in (and back on the way out, for "load older").
// Day and month boundaries then fall on local midnights, and labels are read from the
// shifted time with UTC getters. One offset for the session: bars from before a DST
// change are labelled in today's offset, which keeps the series strictly ordered.
import React, { useEffect, useRef } from "react";
import {
  createChart,
  CandlestickSeries,
  HistogramSeries,
  LineStyle,
  TickMarkType,
  createSeriesMarkers,
} from "lightweight-charts";

const UP = "#16a34a";
const DOWN = "#dc2626";
const SHIFT = -new Date().getTimezoneOffset() * 60;
const DAILY = new Set(["1d", "1w"]);
const GROUPING = "en-US"; // the page prints numbers as 96,009.69 everywhere

const toChart = (seconds) => seconds + SHIFT;
const measurer = typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
const fromChart = (seconds) => seconds - SHIFT;

function toBar(c) {
  return { time: toChart(c.time), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) };
}

function toVolume(c) {
  return { time: toChart(c.time), value: Number(c.volume), color: Number(c.close) >= Number(c.open) ? UP + "66" : DOWN + "66" };
}

// ------------------------------------------------------------------ labels
// Formatters are built once: the axis asks for labels on every redraw.
const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const DATE = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
const FORMATS = {
  [TickMarkType.Year]: { year: "numeric" },
  [TickMarkType.Month]: { month: "short", year: "numeric" },
  [TickMarkType.DayOfMonth]: { day: "numeric", month: "short" },
  [TickMarkType.Time]: TIME,
  [TickMarkType.TimeWithSeconds]: { ...TIME, second: "2-digit" },
  daily: DATE,
  intraday: { ...DATE, ...TIME },
};
const formatters = Object.fromEntries(Object.entries(FORMATS).map(
  ([kind, options]) => [kind, new Intl.DateTimeFormat([], { timeZone: "UTC", ...options })]));

export function tickLabel(seconds, tickMarkType) {
  return (formatters[tickMarkType] || formatters[TickMarkType.Time]).format(seconds * 1000);
}

export function crosshairLabel(seconds, interval) {
  return formatters[DAILY.has(interval) ? "daily" : "intraday"].format(seconds * 1000);
}

function priceText(value, precision) {
  return value.toLocaleString(GROUPING, { minimumFractionDigits: precision, maximumFractionDigits: precision });
}

// The price axis and its cursor label read as the rest of the page (97,175.50). Zoomed far out, the
// room kept under the candles for the volume reaches below zero: those gridlines stay unlabelled,
// as no price is zero or less.
function axisPrice(value, precision) {
  return value > 0 ? priceText(value, precision) : "";
}

function priceFormat(precision, seen) {
  return {
    type: "custom", minMove: Math.pow(10, -precision),
    formatter: (value) => axisPrice(value, precision),
    tickmarksFormatter: (values) => {
      const labels = values.map((value) => axisPrice(value, precision));
      seen(values, labels);
      return labels;
    },
  };
}

function volumeText(value) {
  const compact = [[1e9, "B"], [1e6, "M"], [1e3, "K"]].find(([size]) => value >= size);
  if (compact) return (value / compact[0]).toLocaleString(GROUPING, { maximumFractionDigits: 2 }) + compact[1];
  return value.toLocaleString(GROUPING, { maximumFractionDigits: 4 });
}

// ------------------------------------------------------------------ legend
// Built once; each update only rewrites the texts that changed, inside a box whose layout is
// contained, so a moving price never re-lays out the page.
const LEGEND_FIELDS = ["O", "H", "L", "C", "Change", "Range", "Vol"];
const LEGEND_TOP = 4;
const LEGEND_HEIGHT = 54;

function buildLegend(element) {
  const cells = { when: document.createElement("span") };
  cells.when.style.opacity = "0.7";
  element.append(cells.when);
  for (const name of LEGEND_FIELDS) {
    const part = document.createElement("span");
    const label = document.createElement("span");
    label.textContent = name + " ";
    label.style.opacity = "0.7";
    const value = document.createElement("span");
    value.dataset.field = name.toLowerCase();
    part.append(label, value);
    element.append(part);
    cells[name] = value;
  }
  return cells;
}

function legendValues(bar, volume, precision) {
  const change = bar.open ? ((bar.close - bar.open) / bar.open) * 100 : 0;
  const range = bar.low ? ((bar.high - bar.low) / bar.low) * 100 : 0;
  return {
    O: priceText(bar.open, precision), H: priceText(bar.high, precision),
    L: priceText(bar.low, precision), C: priceText(bar.close, precision),
    Change: (change >= 0 ? "+" : "") + change.toFixed(2) + "%", Range: range.toFixed(2) + "%",
    Vol: volume === undefined ? "—" : volumeText(volume),
  };
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function drawLegend(element, cells, bar, volume, precision, interval) {
  if (!element || !cells) return;
  element.style.visibility = bar ? "visible" : "hidden";
  if (!bar) return;
  setText(cells.when, crosshairLabel(bar.time, interval));
  const values = legendValues(bar, volume, precision);
  const color = bar.close >= bar.open ? UP : DOWN;
  for (const name of LEGEND_FIELDS) {
    setText(cells[name], values[name]);
    if (name !== "Vol" && cells[name].style.color !== color) cells[name].style.color = color;
  }
  const time = String(fromChart(bar.time));
  if (element.dataset.time !== time) element.dataset.time = time;
}

// ------------------------------------------------------------------ markers
// Several fills in one bar become one marker per side: "B 0.003 ×3", never a stack.
function groupedMarkers(markers) {
  const groups = new Map();
  for (const m of markers || []) {
    const key = m.time + ":" + m.side;
    const group = groups.get(key) || { time: m.time, side: m.side, quantity: 0, count: 0, digits: 0 };
    const quantity = String(m.text || "").split(" ")[1] || "0";
    group.quantity += Number(quantity);
    group.digits = Math.max(group.digits, (quantity.split(".")[1] || "").length);
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.time - b.time).map((g) => ({
    time: toChart(g.time), position: g.side === "BUY" ? "belowBar" : "aboveBar",
    color: g.side === "BUY" ? UP : DOWN, shape: g.side === "BUY" ? "arrowUp" : "arrowDown",
    text: `${g.side[0]} ${g.quantity.toFixed(g.digits)}${g.count > 1 ? " ×" + g.count : ""}`,
  }));
}

// ------------------------------------------------------------------ order labels
// Each open order is a dashed line across the pane with its label at the pane's right edge, never
// on the price axis. Labels that would collide stack; a crowd of more than STACK_MAX merges into one
// label ("4 orders 96,575.03 – 96,623.53"). Orders outside the visible prices are a small marker at
// the top or bottom edge of the pane ("▲ Sell Limit 145,581.08", "▼ 3 orders from 70,000.00").
const LABEL_HEIGHT = 16;
const LABEL_GAP = 2;
const LABEL_PAD = 5;
const LABEL_INSET = 10; // between a label and the axis: room for the tick to its order's line
const EDGE_MARGIN = 2;
const STACK_MAX = 3;
const LABEL_FONT = 11;
const MIXED = "#6b7280";

function sideColor(lines) {
  const sides = new Set(lines.map((l) => l.side));
  return sides.size === 1 ? (sides.has("BUY") ? UP : DOWN) : MIXED;
}

function orderText(lines, precision, arrow) {
  const prices = lines.map((l) => Number(l.price)).sort((a, b) => a - b);
  const head = arrow ? arrow + " " : "";
  if (lines.length === 1) return head + lines[0].title + " " + priceText(prices[0], precision);
  if (arrow === "▲") return `${head}${lines.length} orders from ${priceText(prices[0], precision)}`;
  if (arrow === "▼") return `${head}${lines.length} orders from ${priceText(prices[prices.length - 1], precision)}`;
  return `${lines.length} orders ${priceText(prices[0], precision)} – ${priceText(prices[prices.length - 1], precision)}`;
}

// Centres for labels wanted at `wanted` (sorted), none closer than `step`, all within [low, high];
// null when they cannot all fit.
function spread(wanted, step, low, high) {
  if (!wanted.length) return [];
  if ((wanted.length - 1) * step > high - low) return null;
  const at = wanted.map((y) => Math.min(Math.max(y, low), high));
  for (let i = 1; i < at.length; i++) at[i] = Math.max(at[i], at[i - 1] + step);
  if (at[at.length - 1] > high) at[at.length - 1] = high;
  for (let i = at.length - 2; i >= 0; i--) at[i] = Math.min(at[i], at[i + 1] - step);
  return at;
}

export function layoutOrderLabels(lines, toY, width, height, measure, precision) {
  const inside = [], above = [], below = [];
  for (const line of lines || []) {
    const y = toY(Number(line.price));
    if (y === null || y === undefined) return { labels: [], above: null, below: null };
    (y < 0 ? above : y > height ? below : inside).push({ ...line, y });
  }
  const box = (group, centre, lineY, arrow) => {
    const text = orderText(group, precision, arrow);
    const right = width - LABEL_INSET;
    return {
      text, color: sideColor(group), count: group.length, prices: group.map((l) => l.price), lineY,
      left: right - measure(text) - 2 * LABEL_PAD, right, top: centre - LABEL_HEIGHT / 2, bottom: centre + LABEL_HEIGHT / 2,
    };
  };
  const edge = (group, top, arrow) =>
    group.length ? box(group, top + LABEL_HEIGHT / 2, null, arrow) : null;
  const topEdge = edge(above, EDGE_MARGIN, "▲");
  const bottomEdge = edge(below, height - EDGE_MARGIN - LABEL_HEIGHT, "▼");

  // Orders whose labels would touch form a crowd; a crowd larger than STACK_MAX is one label.
  inside.sort((a, b) => a.y - b.y);
  const step = LABEL_HEIGHT + LABEL_GAP;
  const crowds = [];
  for (const line of inside) {
    const last = crowds[crowds.length - 1];
    if (last && line.y - last[last.length - 1].y < step) last.push(line);
    else crowds.push([line]);
  }
  let groups = crowds.flatMap((crowd) => (crowd.length > STACK_MAX ? [crowd] : crowd.map((l) => [l])));
  const low = (topEdge ? topEdge.bottom + LABEL_GAP : EDGE_MARGIN) + LABEL_HEIGHT / 2;
  const high = (bottomEdge ? bottomEdge.top - LABEL_GAP : height - EDGE_MARGIN) - LABEL_HEIGHT / 2;
  const mean = (group) => group.reduce((sum, l) => sum + l.y, 0) / group.length;
  let centres = spread(groups.map(mean), step, low, high);
  if (centres === null) { // more labels than the pane has room for: one for them all
    groups = [inside];
    centres = [Math.min(Math.max(mean(inside), low), high)];
  }
  const labels = groups.map((group, i) => box(group, centres[i], group.length === 1 ? group[0].y : mean(group)));
  return { labels, above: topEdge, below: bottomEdge };
}

function roundedBox(ctx, b) {
  ctx.beginPath();
  if (ctx.roundRect) ctx.roundRect(b.left, b.top, b.right - b.left, b.bottom - b.top, 3);
  else ctx.rect(b.left, b.top, b.right - b.left, b.bottom - b.top);
  ctx.fill();
}

// A series primitive: it lays the labels out on every redraw, when the price scale is final.
class OrderLabels {
  constructor(onLayout) {
    this.lines = [];
    this.precision = 2;
    this.layout = { labels: [], above: null, below: null, width: 0, height: 0 };
    this.onLayout = onLayout;
    const renderer = { draw: (target) => target.useMediaCoordinateSpace((scope) => this.draw(scope)) };
    this.view = { renderer: () => renderer, zOrder: () => "top" };
  }

  attached({ chart, series, requestUpdate }) {
    this.chart = chart;
    this.series = series;
    this.requestUpdate = requestUpdate;
  }

  detached() {
    this.requestUpdate = null;
  }

  paneViews() {
    return [this.view];
  }

  update(lines, precision) {
    this.lines = lines || [];
    this.precision = precision;
    if (this.requestUpdate) this.requestUpdate();
  }

  draw({ context: ctx, mediaSize }) {
    const family = this.chart.options().layout.fontFamily;
    ctx.font = `${LABEL_FONT}px ${family}`;
    const layout = layoutOrderLabels(this.lines, (p) => this.series.priceToCoordinate(p), mediaSize.width,
      mediaSize.height, (text) => ctx.measureText(text).width, this.precision);
    this.layout = { ...layout, width: mediaSize.width, height: mediaSize.height };
    ctx.textBaseline = "middle";
    for (const b of [...layout.labels, layout.above, layout.below].filter(Boolean)) {
      const middle = (b.top + b.bottom) / 2;
      if (b.lineY !== null) { // a tick from the label to its order's line
        ctx.strokeStyle = b.color;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(b.right, middle);
        ctx.lineTo(mediaSize.width, b.lineY);
        ctx.stroke();
      }
      ctx.fillStyle = b.color;
      roundedBox(ctx, b);
      ctx.fillStyle = "#ffffff";
      ctx.fillText(b.text, b.left + LABEL_PAD, middle);
    }
    this.onLayout(this.layout);
  }
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

function intervalOptions(interval, labelsSeen) {
  return {
    localization: { timeFormatter: (t) => crosshairLabel(t, interval) },
    timeScale: {
      timeVisible: !DAILY.has(interval),
      secondsVisible: false,
      tickMarkFormatter: (t, type) => labelsSeen(t, tickLabel(t, type)),
    },
  };
}

export function CandleChart({
  seriesKey, interval, history, older, updates, priceLines, markers, pricePrecision, dark, onLoadMore, id,
}) {
  const containerRef = useRef(null);
  const legendRef = useRef(null);
  const legendCells = useRef(null);
  const chartRef = useRef(null);
  const seriesRef = useRef({});
  const stateRef = useRef({
    earliest: null, requested: null, count: 0, hovering: false, labels: new Map(), priceLabels: [],
  });
  const loadMoreRef = useRef(onLoadMore);
  loadMoreRef.current = onLoadMore;
  const precisionRef = useRef(pricePrecision ?? 2);
  precisionRef.current = pricePrecision ?? 2;
  const intervalRef = useRef(interval);
  intervalRef.current = interval;

  // The library centres each time label on its bar, so a label on a bar at the pane's edge showed
  // half its text ("ep 2026"): such a label is left out (labels are formatted again whenever the
  // visible range moves, see below). The labels drawn last, by time, with their widths: the canvas
  // cannot be read, so tests read element.timeLabels() and element.timeLabelBoxes() (properties,
  // not attributes: no style work on every frame).
  const labelsSeen = (time, label) => {
    const chart = chartRef.current;
    const labels = stateRef.current.labels;
    if (!chart) return label;
    const { fontSize, fontFamily } = chart.options().layout;
    measurer.font = `bold ${fontSize}px ${fontFamily}`; // the widest the library draws it
    const width = measurer.measureText(label).width;
    const x = chart.timeScale().timeToCoordinate(time);
    if (x !== null && (x - width / 2 < 0 || x + width / 2 > chart.timeScale().width())) {
      labels.delete(time);
      return "";
    }
    labels.set(time, { label, width });
    if (labels.size > 60) labels.delete(labels.keys().next().value);
    return label;
  };

  // The price-axis labels drawn last, with their prices, for priceLabels() below.
  const priceLabelsSeen = (values, labels) => {
    stateRef.current.priceLabels = values.map((value, i) => ({ price: value, label: labels[i] }));
  };

  // The legend keeps clear of the price axis and of the order labels at the top of the pane.
  const placeLegend = (layout) => {
    const legend = legendRef.current;
    const chart = chartRef.current;
    if (!legend || !chart) return;
    const axis = chart.priceScale("right").width();
    const legendBottom = LEGEND_TOP + LEGEND_HEIGHT;
    const boxes = [...layout.labels, layout.above].filter((b) => b && b.top < legendBottom);
    const reserve = boxes.length ? layout.width - Math.min(...boxes.map((b) => b.left)) : 0;
    const right = `${Math.round(axis + reserve + 8)}px`;
    if (legend.style.right !== right) legend.style.right = right;
  };

  // The legend shows the newest bar unless the cursor is on another one.
  const showLastBar = (candle) => {
    const s = stateRef.current;
    if (candle !== undefined) s.last = candle;
    if (s.hovering) return;
    drawLegend(legendRef.current, legendCells.current, s.last ? toBar(s.last) : undefined,
      s.last ? Number(s.last.volume) : undefined, precisionRef.current, intervalRef.current);
  };

  useEffect(() => {
    const chart = createChart(containerRef.current, { autoSize: true, ...themeOptions(dark), crosshair: { mode: 0 } });
    // Room right of the last bar: its fill markers stay clear of the price axis.
    chart.timeScale().applyOptions({ rightOffset: 6, minBarSpacing: 2 });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN,
    });
    // The volume sits on its own hidden scale at the foot of the pane: no label on the price axis.
    const volume = chart.addSeries(HistogramSeries, {
      priceFormat: { type: "volume" }, priceScaleId: "volume", lastValueVisible: false, priceLineVisible: false,
    });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.82, bottom: 0 }, visible: false });
    // entireTextOnly: no price label is drawn half outside the pane's top or bottom.
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.1, bottom: 0.22 }, entireTextOnly: true });
    candles.applyOptions({ priceFormat: priceFormat(precisionRef.current, priceLabelsSeen) });
    const markerApi = createSeriesMarkers(candles, []);
    const orderLabels = new OrderLabels(placeLegend);
    candles.attachPrimitive(orderLabels);
    chartRef.current = chart;
    seriesRef.current = { candles, volume, markerApi, orderLabels, lines: [] };
    chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
      const s = stateRef.current;
      if (!range || s.earliest === null || s.count === 0) return;
      if (range.from < 10 && s.requested !== s.earliest && loadMoreRef.current) {
        s.requested = s.earliest;
        loadMoreRef.current(s.earliest * 1000);
      }
    });
    // Time labels are cached by time: formatted again (fit checked again) when the visible range moves.
    chart.timeScale().subscribeVisibleLogicalRangeChange(() => {
      stateRef.current.labels.clear();
      chart.timeScale().applyOptions({});
    });
    chart.subscribeCrosshairMove((param) => {
      const bar = param.time !== undefined ? param.seriesData.get(candles) : undefined;
      stateRef.current.hovering = Boolean(bar);
      if (!bar) { showLastBar(); return; }
      const vol = param.seriesData.get(volume);
      drawLegend(legendRef.current, legendCells.current, bar, vol ? vol.value : undefined, precisionRef.current,
        intervalRef.current);
    });
    const legend = legendRef.current;
    legendCells.current = buildLegend(legend);
    containerRef.current.timeLabels = () => [...stateRef.current.labels.values()].map((l) => l.label);
    containerRef.current.timeLabelBoxes = () => ({
      width: chart.timeScale().width(),
      labels: [...stateRef.current.labels.entries()].map(([time, l]) => ({
        label: l.label, x: chart.timeScale().timeToCoordinate(time), width: l.width,
      })),
    });
    // Where things are drawn, for tests of what must not overlap (the canvas cannot be read).
    containerRef.current.chartState = () => {
      const last = stateRef.current.last;
      return {
        paneWidth: chart.paneSize().width,
        priceAxisWidth: chart.priceScale("right").width(),
        lastBarX: last ? chart.timeScale().timeToCoordinate(toChart(last.time)) : null,
        barSpacing: chart.timeScale().options().barSpacing,
        volumeScaleVisible: chart.priceScale("volume").options().visible,
        volumeLastValueVisible: volume.options().lastValueVisible,
        markers: markerApi.markers().map((m) => ({ time: fromChart(m.time), text: m.text })),
        paneHeight: chart.paneSize().height,
        orderLabels: orderLabels.layout,
        priceLinesOnAxis: seriesRef.current.lines.filter((l) => l.options().axisLabelVisible).length,
        priceLineTitles: seriesRef.current.lines.filter((l) => l.options().title).length,
      };
    };
    // The price-axis labels drawn last, where they are drawn, and the axis font size.
    containerRef.current.priceLabels = () => ({
      fontSize: chart.options().layout.fontSize,
      paneHeight: chart.paneSize().height,
      labels: stateRef.current.priceLabels.map((l) => ({ ...l, y: candles.priceToCoordinate(l.price) })),
    });
    containerRef.current.dataset.ready = "true";
    return () => { chart.remove(); chartRef.current = null; legend.replaceChildren(); };
  }, []);

  useEffect(() => {
    if (chartRef.current) chartRef.current.applyOptions(themeOptions(dark));
  }, [dark]);

  useEffect(() => {
    if (!chartRef.current) return;
    stateRef.current.labels.clear();
    chartRef.current.applyOptions(intervalOptions(interval, labelsSeen));
    if (containerRef.current) containerRef.current.dataset.interval = interval || "";
  }, [interval]);

  useEffect(() => {
    const { candles } = seriesRef.current;
    if (!candles || pricePrecision === undefined) return;
    candles.applyOptions({ priceFormat: priceFormat(pricePrecision, priceLabelsSeen) });
    seriesRef.current.orderLabels.update(seriesRef.current.orderLabels.lines, pricePrecision);
    showLastBar();
  }, [pricePrecision]);

  useEffect(() => {
    const { candles, volume } = seriesRef.current;
    if (!candles || !history) return;
    stateRef.current.labels.clear();
    candles.setData(history.map(toBar));
    volume.setData(history.map(toVolume));
    const s = stateRef.current;
    s.earliest = history.length ? history[0].time : null;
    s.count = history.length;
    s.requested = null;
    containerRef.current.dataset.bars = String(history.length);
    containerRef.current.dataset.seriesKey = seriesKey || "";
    showLastBar(history.length ? history[history.length - 1] : null);
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
    const s = stateRef.current;
    for (const c of updates) {
      const lastTime = s.last ? s.last.time : 0;
      if (c.time < lastTime) continue;
      candles.update(toBar(c));
      volume.update(toVolume(c));
      if (c.time > lastTime) s.count += 1;
      s.last = c;
    }
    containerRef.current.dataset.bars = String(s.count);
    containerRef.current.dataset.lastClose = String(updates[updates.length - 1].close);
    showLastBar();
  }, [updates]);

  useEffect(() => {
    const series = seriesRef.current;
    if (!series.candles) return;
    for (const line of series.lines) series.candles.removePriceLine(line);
    // The line only: its label is the order-labels primitive's, clear of the axis and of each other.
    series.lines = (priceLines || []).map((l) =>
      series.candles.createPriceLine({
        price: Number(l.price), color: l.side === "BUY" ? UP : DOWN, lineWidth: 1,
        lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: "",
      })
    );
    series.orderLabels.update(priceLines, precisionRef.current);
    if (containerRef.current) containerRef.current.dataset.priceLines = String(series.lines.length);
  }, [priceLines]);

  useEffect(() => {
    const series = seriesRef.current;
    if (!series.markerApi) return;
    const grouped = groupedMarkers(markers);
    series.markerApi.setMarkers(grouped);
    if (containerRef.current) {
      containerRef.current.dataset.markers = String((markers || []).length);
      containerRef.current.dataset.markerGroups = String(grouped.length);
    }
  }, [markers]);

  return (
    <div id={id} ref={containerRef} data-testid="candle-chart" role="img"
      aria-label="Price chart: candlesticks with volume"
      style={{ position: "relative", width: "100%", height: "100%", minHeight: 280 }}>
      <div ref={legendRef} data-testid="chart-legend" aria-live="off"
        style={{
          position: "absolute", top: LEGEND_TOP, left: 8, right: 80, height: LEGEND_HEIGHT, overflow: "hidden", contain: "strict",
          zIndex: 3, pointerEvents: "none", display: "flex", flexWrap: "wrap", alignContent: "flex-start",
          columnGap: 10, fontSize: 12, lineHeight: "18px",
          fontFamily: "var(--code-font-family, monospace)", color: dark ? "#c9ced6" : "#1f2328",
        }} />
    </div>
  );
}
