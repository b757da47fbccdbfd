// app.js - the heed dashboard: one page, hash routes, plain DOM and SVG.
// It reads the HTTP API with the key the user typed in (kept in
// sessionStorage, sent as X-Heed-Key) and never builds HTML from data: every
// text goes in through textContent, so nothing a customer wrote can run.
"use strict";

const KEY_SLOT = "heed.key";
const NOW_SLOT = "heed.now";
const $ = (sel) => document.querySelector(sel);

// ---------------------------------------------------------------- DOM helpers

// h("a", {href: "#/x", class: "y"}, "text", child...) makes an element.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  add(el, kids);
  return el;
}
// Appends children (nodes, strings, nested arrays; null and false are skipped).
function add(el, ...kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}
const SVGNS = "http://www.w3.org/2000/svg";
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  for (const k of kids.flat()) {
    if (k !== null && k !== undefined) el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

function status(msg) { $("#status").textContent = msg || ""; }
function showError(msg) {
  const e = $("#error");
  e.textContent = msg || "";
  e.hidden = !msg;
}

// ---------------------------------------------------------------- formatting

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
function fmtDay(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}
function timeEl(iso, text) { return h("time", { datetime: iso }, text || fmtTime(iso)); }
function num(x, digits = 0) {
  return typeof x === "number" ? x.toFixed(digits) : (x === undefined || x === null ? "–" : String(x));
}
function label(code) { return String(code || "").replace(/_/g, " "); }
const EMPATHY = ["emotional reaction", "interpretation", "exploration"];
const LEVEL = ["none", "weak", "strong"];
function empathyText(e) {
  if (!Array.isArray(e)) return "";
  return EMPATHY.map((m, i) => `${m} ${typeof e[i] === "number" && e[i] % 1 ? e[i].toFixed(2) : (LEVEL[e[i]] ?? e[i])}`).join(", ");
}
function stressBand(v) { return v >= 60 ? "high" : v >= 30 ? "mid" : "low"; }
function chip(text, cls) { return h("span", { class: "chip " + (cls || "") }, text); }
function badge(st) { return h("span", { class: "badge b-" + st }, label(st)); }
function custLink(ref, text) { return h("a", { href: "#/customer/" + encodeURIComponent(ref) }, text || ref); }
function convLink(id, text) { return h("a", { href: "#/conversation/" + encodeURIComponent(id) }, text || id); }
function agentLink(id, text) { return h("a", { href: "#/agent/" + encodeURIComponent(id) }, text || id); }

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path, opts = {}) {
  const headers = { "X-Heed-Key": sessionStorage.getItem(KEY_SLOT) || "" };
  const init = { method: opts.method || "GET", headers, cache: "no-store" };
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(opts.body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "network", "The server cannot be reached: " + e.message);
  }
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!r.ok) {
    const err = (data && data.error) || {};
    let msg = err.message || `HTTP ${r.status}`;
    if (r.status === 404 && err.code === "not_found" && /no such endpoint/.test(msg))
      msg = `This server does not offer ${path.split("?")[0]} (an older heed?)`;
    throw new ApiError(r.status, err.code || "http", msg);
  }
  return data;
}
// The day of "As of" (YYYY-MM-DD), or "" when it is not set.
function asOfDay() {
  const now = sessionStorage.getItem(NOW_SLOT) || "";
  if (/^\d{4}-\d{2}-\d{2}/.test(now)) return now.slice(0, 10);
  if (/^\d+$/.test(now)) return new Date(Number(now) * 1000).toISOString().slice(0, 10);
  return "";
}
function withNow(path) {
  const now = sessionStorage.getItem(NOW_SLOT);
  if (!now) return path;
  return path + (path.includes("?") ? "&" : "?") + "now=" + encodeURIComponent(now);
}

// ---------------------------------------------------------------- charts

// A line chart over time. series: [{name, cls, points: [[Date|ms, y], ...]}].
// Returns a figure: the SVG (role img, title and description) and the same
// numbers as a table for screen readers and for copying.
function lineChart({ title, desc, series, yMax, yLabel, xBands, table }) {
  const W = 640, H = 240, L = 44, R = 36, T = 12, B = 34;
  const all = series.flatMap((sr) => sr.points);
  let x0, x1;
  if (xBands) { x0 = 0; x1 = Math.max(1, xBands.length - 1); } else {
    x0 = Math.min(...all.map((p) => +p[0])); x1 = Math.max(...all.map((p) => +p[0]));
    if (!(x1 > x0)) { x0 -= 3600e3; x1 += 3600e3; }
  }
  const ym = yMax || Math.max(1, ...all.map((p) => p[1]));
  const X = (v) => L + ((+v - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v) => T + (1 - v / ym) * (H - T - B);
  const id = "c" + Math.random().toString(36).slice(2, 8);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}t ${id}d`, class: "chart" },
    s("title", { id: id + "t" }, title), s("desc", { id: id + "d" }, desc || ""));
  for (const f of [0, 0.5, 1]) {
    const v = ym * f;
    svg.append(s("line", { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: "grid" }),
      s("text", { x: L - 6, y: Y(v) + 4, class: "tick", "text-anchor": "end" }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  const xt = xBands ? xBands.map((b, i) => [i, b]) : [x0, (x0 + x1) / 2, x1].map((v) => [v, fmtDay(new Date(v).toISOString())]);
  const step = Math.ceil(xt.length / 8);
  xt.forEach(([v, lab], i) => {
    if (i % step === 0 || i === xt.length - 1)
      svg.append(s("text", { x: X(v), y: H - 12, class: "tick", "text-anchor": "middle" }, lab));
  });
  if (yLabel) svg.append(s("text", { x: 4, y: T + 2, class: "tick axis", "dominant-baseline": "hanging" }, ""));
  series.forEach((sr, k) => {
    const pts = sr.points.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { points: pts, class: `line s${k + 1} ${sr.cls || ""}` }));
    for (const p of sr.points)
      svg.append(s("circle", { cx: X(p[0]), cy: Y(p[1]), r: 3, class: `dot s${k + 1}` },
        s("title", {}, `${sr.name}: ${num(p[1], 1)}${p[2] ? " — " + p[2] : ""}`)));
  });
  const legend = h("ul", { class: "legend" }, series.map((sr, k) =>
    h("li", {}, h("span", { class: `key s${k + 1} ${sr.cls || ""}`, "aria-hidden": "true" }), sr.name)));
  return h("figure", { class: "figure" }, svg, legend,
    table ? h("details", {}, h("summary", {}, "Data table: " + title), table) : null);
}

// A bar chart: rows [{label, value, note}].
function barChart({ title, desc, rows, yMax, unit }) {
  const W = 640, rowH = 26, L = 210, R = 60;
  const H = rows.length * rowH + 8;
  const vm = yMax || Math.max(1, ...rows.map((r) => r.value || 0));
  const id = "b" + Math.random().toString(36).slice(2, 8);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}t ${id}d`, class: "chart bars" },
    s("title", { id: id + "t" }, title), s("desc", { id: id + "d" }, desc || ""));
  rows.forEach((r, i) => {
    const y = 4 + i * rowH, w = ((r.value || 0) / vm) * (W - L - R);
    const lab = r.label.length > 28 ? r.label.slice(0, 27) + "…" : r.label;
    svg.append(s("text", { x: L - 6, y: y + 16, class: "tick", "text-anchor": "end" }, lab),
      s("rect", { x: L, y: y + 3, width: Math.max(1, w), height: rowH - 8, class: "bar " + (r.cls || "") },
        s("title", {}, `${r.label}: ${num(r.value, 1)}${unit || ""}`)),
      s("text", { x: L + w + 4, y: y + 16, class: "tick" }, num(r.value, r.value % 1 ? 1 : 0) + (unit || "")));
  });
  return h("figure", { class: "figure" }, svg);
}

// Stacked horizontal bars: parts [{name, cls}], rows [{label, values[]}] (one
// value per part). Segments are told apart by colour and a white gap, named in
// the legend in bar order, and every figure is in the description.
function stackedBars({ title, desc, parts, rows }) {
  const W = 640, rowH = 26, L = 210, R = 60;
  const H = rows.length * rowH + 8;
  const vm = Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
  const id = "k" + Math.random().toString(36).slice(2, 8);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}t ${id}d`, class: "chart bars stacked" },
    s("title", { id: id + "t" }, title), s("desc", { id: id + "d" }, desc || ""));
  rows.forEach((r, i) => {
    const y = 4 + i * rowH, total = r.values.reduce((a, b) => a + b, 0);
    const lab = r.label.length > 28 ? r.label.slice(0, 27) + "…" : r.label;
    svg.append(s("text", { x: L - 6, y: y + 16, class: "tick", "text-anchor": "end" }, lab));
    let x = L;
    r.values.forEach((v, k) => {
      if (!v) return;
      const w = (v / vm) * (W - L - R);
      svg.append(s("rect", { x, y: y + 3, width: w, height: rowH - 8, class: "seg " + parts[k].cls },
        s("title", {}, `${r.label}: ${v} ${parts[k].name}`)));
      x += w;
    });
    svg.append(s("text", { x: x + 4, y: y + 16, class: "tick" }, String(total)));
  });
  const legend = h("ul", { class: "legend" }, parts.map((p) =>
    h("li", {}, h("span", { class: "swatch " + p.cls, "aria-hidden": "true" }), p.name)));
  return h("figure", { class: "figure" }, svg, legend);
}

// A table from column specs [{head, get(row) -> text|Node, num}].
function table(caption, cols, rows) {
  return h("div", { class: "tablewrap", tabindex: "0", role: "region", "aria-label": caption },
    h("table", {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.head)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, cols.map((c, i) => {
        const v = c.get(r);
        return i === 0 ? h("th", { scope: "row" }, v) : h("td", { class: c.num ? "num" : null }, v);
      }))))));
}

// ---------------------------------------------------------------- evidence

// Byte offsets (what the engine reports, in UTF-8) -> string indices.
function byteIndex(text) {
  const enc = new TextEncoder();
  const map = new Int32Array(enc.encode(text).length + 1);
  let b = 0, i = 0;
  for (const ch of text) {
    const n = enc.encode(ch).length;
    for (let k = 0; k < n; k++) map[b + k] = i;
    b += n; i += ch.length;
  }
  map[b] = i;
  return (off) => map[Math.max(0, Math.min(off, map.length - 1))];
}

const KINDS = {
  stress: "raised stress",
  negative: "negative word",
  empathy: "empathy",
  compassion: "action / compassion",
  against: "against compassion",
  jargon: "jargon",
  promise: "promise",
};

// The spans of one message's analysis: [{start, end, kind, note}] in bytes.
function evidenceSpans(a) {
  if (!a) return [];
  const out = [];
  const reply = a.reply || a;
  for (const c of (a.stress && a.stress.cues) || [])
    if (a.role !== "agent" || c.component !== "distress")
      out.push({ start: c.start, end: c.end, kind: "stress", note: `${c.what} (${c.component})` });
  for (const sp of (reply.empathy && reply.empathy.spans) || [])
    if (!/sentence/.test(sp.what || "") || sp.end - sp.start < 400)
      out.push({ start: sp.start, end: sp.end, kind: "empathy", note: `${label(sp.mechanism)}: ${sp.what}` });
  const comp = reply.compassion || {};
  for (const c of comp.cues || [])
    out.push({ start: c.start, end: c.end, kind: (comp.against || []).includes(c.signal) ? "against" : "compassion", note: `${c.what} (${label(c.signal)})` });
  for (const c of comp.against_cues || [])
    out.push({ start: c.start, end: c.end, kind: "against", note: `${c.what}` });
  for (const j of (reply.familiar && reply.familiar.jargon) || (a.familiar && a.familiar.jargon) || [])
    out.push({ start: j.start, end: j.end, kind: "jargon", note: `${j.what}: say "${j.plain}"` });
  for (const p of reply.promises || a.promises || [])
    if (typeof p.start === "number")
      out.push({ start: p.start, end: p.end, kind: "promise", note: `promise: ${label(p.kind)}${p.due ? " by " + fmtTime(p.due) : ""}` });
  return out.filter((x) => typeof x.start === "number" && x.end > x.start);
}

// The text with each span wrapped in <mark class="ev ev-KIND">; overlapping
// spans nest by splitting the text at every boundary.
function highlight(text, spans) {
  const idx = byteIndex(text);
  const sp = spans.map((x) => ({ ...x, s: idx(x.start), e: idx(x.end) })).filter((x) => x.e > x.s);
  const cuts = [...new Set([0, text.length, ...sp.flatMap((x) => [x.s, x.e])])].sort((a, b) => a - b);
  const frag = h("span", { class: "msgtext" });
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i], b = cuts[i + 1], piece = text.slice(a, b);
    const on = sp.filter((x) => x.s <= a && x.e >= b);
    if (!on.length) { frag.append(piece); continue; }
    const kinds = [...new Set(on.map((x) => x.kind))];
    frag.append(h("mark", { class: "ev " + kinds.map((k) => "ev-" + k).join(" "), title: on.map((x) => `${KINDS[x.kind]}: ${x.note}`).join("; ") }, piece));
  }
  return frag;
}
function legendBox() {
  return h("aside", { class: "evlegend", "aria-label": "Legend of highlights" },
    h("h2", {}, "Legend"),
    h("ul", {}, Object.entries(KINDS).filter(([k]) => k !== "negative").map(([k, v]) =>
      h("li", {}, h("mark", { class: "ev ev-" + k }, v)))));
}
function evidenceList(text, spans) {
  if (!spans.length) return null;
  const idx = byteIndex(text);
  return h("details", { class: "evlist" }, h("summary", {}, `Evidence (${spans.length})`),
    h("ul", {}, spans.map((x) => h("li", {}, h("strong", {}, KINDS[x.kind] + ": "),
      `“${text.slice(idx(x.start), idx(x.end))}” — ${x.note}`))));
}

// ---------------------------------------------------------------- pages

async function pageQueue(view, args, q) {
  const all = q.get("all") === "1";
  const offset = Number(q.get("offset") || 0);
  status("Loading the act-now queue…");
  const d = await api(withNow(`/v1/queue?limit=20&offset=${offset}&all=${all}`));
  const list = h("ol", { class: "queue", start: offset + 1 });
  for (const it of d.items || []) {
    const ref = it.crm || String(it.customer);
    const btn = h("button", { type: "button", class: "done", "data-customer": ref,
      onclick: () => markDone(ref, btn) }, "Mark as handled");
    const pr = it.promises || {};
    list.append(h("li", { class: "card qitem", "data-customer": ref },
      h("div", { class: "qhead" },
        h("h2", {}, custLink(ref, it.name ? `${it.name} (${ref})` : ref)),
        h("span", { class: "score", title: "act-now score (0–100)" }, h("span", { class: "sr-only" }, "Score "), num(it.score, 0))),
      h("p", { class: "facts" },
        chip(`stress now ${num(it.stress_now, 0)}`, "st-" + stressBand(it.stress_now)),
        it.waiting_since ? chip(["waiting since ", timeEl(it.waiting_since)]) : null,
        pr.broken ? chip(`${pr.broken} broken promise${pr.broken > 1 ? "s" : ""}`, "b-broken") : null,
        pr.pending ? chip(`${pr.pending} pending`, "b-pending") : null,
        it.vulnerable ? chip("vulnerable", "vuln") : null),
      h("ul", { class: "reasons", "aria-label": "Reasons" }, (it.reasons || []).map((r) => h("li", {}, r))),
      h("p", { class: "actions" }, btn)));
  }
  const asOf = d.as_of ? ["as of ", timeEl(d.as_of)] : [];
  add(view, [
    h("h1", { tabindex: "-1" }, "Act now"),
    h("p", { class: "lead" }, "Customers ranked by who needs help now, with the reasons. ", asOf),
    h("p", {}, h("a", { href: all ? "#/queue" : "#/queue?all=1" }, all ? "Hide customers marked handled" : "Include customers marked handled")),
    (d.items || []).length ? list : h("p", { class: "empty" }, "Nobody is waiting: the queue is empty."),
    h("nav", { class: "pager", "aria-label": "Queue pages" },
      offset > 0 ? h("a", { href: `#/queue?offset=${Math.max(0, offset - 20)}${all ? "&all=1" : ""}` }, "← Previous") : null,
      d.next_offset ? h("a", { href: `#/queue?offset=${d.next_offset}${all ? "&all=1" : ""}` }, "Next →") : null),
  ]);
  status(`Act-now queue: ${(d.items || []).length} customers.`);
}

async function markDone(ref, btn) {
  btn.disabled = true;
  try {
    const r = await api(`/v1/queue/${encodeURIComponent(ref)}/done`, { method: "POST", body: {} });
    await route();
    status(`${r && r.customer ? r.customer : ref} marked as handled; they return to the queue when something new happens.`);
  } catch (e) {
    btn.disabled = false;
    showError(e.status === 403 ? "Your key's role may not mark customers as handled." : e.message);
  }
}

async function pageCustomer(view, [ref]) {
  status("Loading the customer's journey…");
  const [j, links] = await Promise.all([
    api(withNow(`/v1/customers/${encodeURIComponent(ref)}/journey`)),
    api(`/v1/customers/${encodeURIComponent(ref)}/links`).catch((e) => ({ error: e.message })),
  ]);
  const tl = j.timeline || [];
  const cm = tl.filter((e) => e.type === "message" && e.role === "customer" && typeof e.stress === "number");
  add(view, h("h1", { tabindex: "-1" }, j.name ? `${j.name}` : `Customer ${ref}`));
  add(view, h("p", { class: "lead" }, `${j.crm || ref}`, j.vulnerable ? [" ", chip("vulnerable", "vuln")] : null,
    j.as_of ? [" · as of ", timeEl(j.as_of)] : null));
  const qd = j.queue || {};
  const grid = h("div", { class: "grid2" });
  grid.append(h("section", { class: "card", "aria-labelledby": "why-h" },
    h("h2", { id: "why-h" }, "Why now"),
    h("p", {}, chip(`act-now score ${num(qd.score, 0)}`), " ", chip(`stress now ${num(qd.stress_now, 0)}`, "st-" + stressBand(qd.stress_now || 0))),
    (qd.reasons || []).length ? h("ul", { class: "reasons" }, qd.reasons.map((r) => h("li", {}, r))) : h("p", {}, "Nothing pressing.")));
  // open needs: the API's list when it gives one, else the needs of the
  // customer's messages in their latest conversation
  let needs = j.open_needs || j.needs;
  let needsNote = "";
  if (!Array.isArray(needs)) {
    const last = cm.length ? cm[cm.length - 1].conversation : null;
    needs = [...new Set(cm.filter((m) => m.conversation === last && m.need && m.need !== "praise").map((m) => m.need))];
    needsNote = `${qd.open_needs ?? needs.length} open; the needs in the latest conversation:`;
  }
  grid.append(h("section", { class: "card", "aria-labelledby": "needs-h" },
    h("h2", { id: "needs-h" }, "Open needs"),
    needsNote ? h("p", {}, needsNote) : null,
    needs.length ? h("ul", { class: "needs" }, needs.map((n) => h("li", {}, typeof n === "string" ? label(n) : label(n.need || n.label || JSON.stringify(n)))))
      : h("p", {}, "No open needs.")));
  add(view, grid);

  if (cm.length) {
    const pts = (k) => cm.map((m) => [new Date(m.time).getTime(), m[k], fmtTime(m.time)]);
    add(view, h("section", { "aria-labelledby": "stress-h" }, h("h2", { id: "stress-h" }, "Stress over time"),
      lineChart({
        title: "Customer stress over time",
        desc: `Stress of each message (0–100) and the stress the customer carries between conversations. Latest: message ${num(cm[cm.length - 1].stress, 0)}, carried ${num(cm[cm.length - 1].stress_carried, 0)}; peak ${num(Math.max(...cm.map((m) => m.stress)), 0)}.`,
        series: [{ name: "message stress", points: pts("stress") }, { name: "carried stress", cls: "dashed", points: pts("stress_carried") }],
        yMax: 100,
        table: table("Stress by message", [
          { head: "Time", get: (m) => timeEl(m.time) }, { head: "Conversation", get: (m) => convLink(m.conversation) },
          { head: "Message stress", num: 1, get: (m) => num(m.stress, 1) }, { head: "Carried stress", num: 1, get: (m) => num(m.stress_carried, 1) }], cm),
      })));
  }

  const prom = j.promises || [];
  add(view, h("section", { "aria-labelledby": "prom-h" }, h("h2", { id: "prom-h" }, `Promises (${prom.length})`),
    prom.length ? h("ul", { class: "promises" }, prom.map((p) => h("li", { class: "card" },
      h("p", {}, badge(p.status), " ", h("strong", {}, label(p.kind)), " — “", p.text, "”"),
      h("p", { class: "small" }, "made ", timeEl(p.made), ", due ", timeEl(p.due), p.due_is_default ? " (default window)" : "",
        p.conversation ? [" · ", convLink(p.conversation, "conversation " + p.conversation)] : null),
      p.why ? h("p", { class: "small why" }, p.why) : null)))
      : h("p", {}, "No promises made to this customer.")));

  const tlList = h("ol", { class: "timeline" });
  for (const e of tl) {
    let head, body = null, cls = e.type;
    if (e.type === "message") {
      head = [h("span", { class: "silo" }, e.channel || "message"), " ", e.role === "agent" ? ["agent ", agentLink(e.agent)] : "customer",
        " · ", convLink(e.conversation, "open conversation")];
      body = h("p", { class: "msgtext" }, e.text);
      cls += " " + e.role;
      const facts = e.role === "customer"
        ? [chip(`stress ${num(e.stress, 0)}`, "st-" + stressBand(e.stress)), e.need ? chip(label(e.need)) : null]
        : [chip(`compassion ${num(e.compassion, 0)}`), chip(`empathy: ${empathyText(e.empathy)}`)];
      body = [body, h("p", { class: "facts" }, facts)];
    } else if (e.type === "event") {
      head = [h("span", { class: "silo" }, label(e.event)), e.order ? ` order ${e.order}` : "", e.amount !== undefined ? ` · ${num(e.amount, 2)}` : ""];
      body = e.detail ? h("p", {}, e.detail) : null;
    } else if (e.type === "survey") {
      head = [h("span", { class: "silo" }, "survey"), ` ${String(e.survey || "").toUpperCase()} ${num(e.score)}`];
    } else {
      head = [h("span", { class: "silo" }, e.type || "record")];
    }
    tlList.append(h("li", { class: "tl " + cls }, h("p", { class: "tlhead" }, timeEl(e.time), " ", head), body));
  }
  add(view, h("section", { "aria-labelledby": "tl-h" }, h("h2", { id: "tl-h" }, `Journey across silos (${tl.length} records)`), tlList));

  const ls = h("section", { "aria-labelledby": "links-h" }, h("h2", { id: "links-h" }, "Linked records"));
  if (links.error) ls.append(h("p", { class: "small" }, "Not available: " + links.error));
  else {
    const recs = links.records || [];
    ls.append(h("p", {}, "Why these records were joined into one customer (keys are hashes, never raw contacts)."));
    if (recs.length) ls.append(genericTable(`Records (${recs.length})`, recs));
    if ((links.links || []).length) ls.append(genericTable(`Links (${links.links.length})`, links.links));
    if ((links.not_linked || []).length) ls.append(genericTable(`Keys not used (${links.not_linked.length})`, links.not_linked));
  }
  add(view, ls);
  status(`Customer ${j.crm || ref}: ${tl.length} records, ${prom.length} promises.`);
}

// A table of objects whose fields are not known in advance.
function genericTable(caption, rows) {
  const keys = [...new Set(rows.flatMap((r) => (r && typeof r === "object" ? Object.keys(r) : ["value"])))];
  const show = (v) => v === null || v === undefined ? "" : Array.isArray(v) ? v.map((x) => typeof x === "object" ? JSON.stringify(x) : x).join(", ")
    : typeof v === "object" ? JSON.stringify(v) : typeof v === "number" && v % 1 ? v.toFixed(2) : String(v);
  return table(caption, keys.map((k) => ({ head: label(k), get: (r) => (typeof r === "object" ? show(r[k]) : show(r)) })), rows);
}

async function pageConversation(view, [id]) {
  status("Loading the conversation…");
  const c = await api(`/v1/conversations/${encodeURIComponent(id)}`);
  const cust = c.customer && typeof c.customer === "object" ? c.customer : { ref: c.customer };
  const cref = cust.crm || cust.ref || cust.id;
  add(view, h("h1", { tabindex: "-1" }, `Conversation ${c.conversation || id}`),
    h("p", { class: "lead" }, c.channel ? chip(c.channel) : null, " ", c.status ? chip(label(c.status)) : null,
      cref !== undefined ? [" customer ", custLink(String(cref), cust.name || String(cref))] : null));
  const wrap = h("div", { class: "convwrap" });
  const msgs = h("ol", { class: "messages" });
  for (const m of c.messages || []) {
    const a = m.analysis || {};
    const spans = evidenceSpans({ ...a, role: m.role });
    const facts = [];
    if (m.role === "customer" && a.stress) facts.push(chip(`stress ${num(a.stress.score)}`, "st-" + stressBand(a.stress.score)),
      a.stress.band ? chip(label(a.stress.band)) : null, a.needs && a.needs.top ? chip(label(a.needs.top)) : null);
    const rp = a.reply || {};
    if (rp.empathy) facts.push(chip("empathy: " + EMPATHY.map((k, i) => `${k} ${(rp.empathy[label(k).replace(/ /g, "_")] || rp.empathy[["emotional_reaction", "interpretation", "exploration"][i]] || {}).level || "?"}`).join(", ")));
    if (rp.compassion) facts.push(chip(`compassion ${num(rp.compassion.score)}`), ...(rp.compassion.against || []).map((x) => chip(label(x), "b-broken")));
    msgs.append(h("li", { class: "msg " + m.role, id: "m-" + (m.id || "") },
      h("p", { class: "tlhead" }, h("strong", {}, m.role === "agent" ? ["Agent ", m.agent ? agentLink(m.agent) : ""] : "Customer"), " · ", timeEl(m.time)),
      h("p", { class: "bubble" }, highlight(m.text || "", spans)),
      h("p", { class: "facts" }, facts),
      evidenceList(m.text || "", spans)));
  }
  wrap.append(msgs, legendBox());
  add(view, wrap);
  status(`Conversation ${id}: ${(c.messages || []).length} messages.`);
}

async function pageAgent(view, [id]) {
  status("Loading the agent's page…");
  const day = asOfDay();
  const d = await api(`/v1/agents/${encodeURIComponent(id)}?days=28${day ? "&day=" + day : ""}`);
  const ag = d.agent || { id };
  add(view, h("h1", { tabindex: "-1" }, ag.name ? `${ag.name}` : `Agent ${ag.id || id}`),
    h("p", { class: "lead" }, `${ag.id || id}`, ag.team ? ` · team ${ag.team}` : ""));
  const weeks = d.weeks || [];
  if (weeks.length) {
    const bands = weeks.map((w) => w.week);
    add(view, h("section", { "aria-labelledby": "wk-h" }, h("h2", { id: "wk-h" }, "Empathy and compassion by week"),
      h("div", { class: "grid2" },
        lineChart({
          title: "Empathy by mechanism, weekly mean (0 none – 2 strong)", xBands: bands, yMax: 2,
          desc: `Weekly means over ${weeks.length} weeks. Latest week ${bands[bands.length - 1]}: ${empathyText(weeks[weeks.length - 1].empathy)}.`,
          series: EMPATHY.map((m, k) => ({ name: m, cls: k === 1 ? "dashed" : k === 2 ? "dotted" : "", points: weeks.map((w, i) => [i, (w.empathy || [])[k] || 0, w.week]) })),
        }),
        lineChart({
          title: "Compassion, weekly mean (0–100)", xBands: bands, yMax: 100,
          desc: `Compassion is concrete action that solves the problem. Latest week ${bands[bands.length - 1]}: ${num(weeks[weeks.length - 1].compassion, 1)}.`,
          series: [{ name: "compassion", points: weeks.map((w, i) => [i, w.compassion || 0, w.week]) }],
        })),
      h("details", {}, h("summary", {}, "Data table: weekly empathy and compassion"),
        table("Weekly empathy and compassion", [{ head: "Week", get: (w) => w.week }, { head: "Replies", num: 1, get: (w) => w.replies },
          ...EMPATHY.map((m, k) => ({ head: m, num: 1, get: (w) => num((w.empathy || [])[k], 2) })), { head: "Compassion", num: 1, get: (w) => num(w.compassion, 1) }], weeks))));
  } else add(view, h("p", {}, "No replies in this window."));

  const per = d.periods || [];
  add(view, h("section", { "aria-labelledby": "care-h" }, h("h2", { id: "care-h" }, "Care: what this agent absorbed"),
    h("p", {}, "Measured from the customers' side (their stress), never by guessing the agent's feelings."),
    per.length ? periodTable(`Shifts (${per.length})`, per, false) : h("p", {}, "No shifts in this window.")));

  const ex = d.examples || [];
  add(view, h("section", { "aria-labelledby": "ex-h" }, h("h2", { id: "ex-h" }, "Coaching examples"),
    ex.length ? h("ul", { class: "examples" }, ex.map((e) => h("li", { class: "card" },
      h("p", {}, badge(e.example === "worked" ? "kept" : "pending"), " ", label(e.example), " · ", timeEl(e.time), " · ", convLink(e.conversation, "open conversation")),
      h("p", { class: "facts" }, chip(`customer stress ${num(e.customer_stress)}`, "st-" + stressBand(e.customer_stress)), chip(`compassion ${num(e.compassion)}`), chip("empathy: " + empathyText(e.empathy))),
      h("blockquote", { class: "msgtext" }, e.text))))
      : h("p", {}, "No examples yet.")));
  add(view, checkerSection());
  status(`Agent ${ag.id || id}: ${weeks.length} weeks, ${per.length} shifts.`);
}

function periodTable(caption, rows, withAgent) {
  return table(caption, [
    ...(withAgent ? [{ head: "Agent", get: (p) => agentLink(p.agent) }] : [{ head: "Start", get: (p) => timeEl(p.start) }]),
    ...(withAgent ? [{ head: "Start", get: (p) => timeEl(p.start) }] : []),
    { head: "Period", get: (p) => p.period },
    { head: "Conversations", num: 1, get: (p) => p.conversations },
    { head: "High-stress", num: 1, get: (p) => p.high_stress },
    { head: "Distress absorbed", num: 1, get: (p) => num(p.distress_sum, 1) },
    { head: "Peak", num: 1, get: (p) => num(p.distress_peak, 0) },
    { head: "Longest streak", num: 1, get: (p) => p.longest_streak },
    { head: "Suggestions", get: (p) => (p.suggestions || []).join("; ") },
  ], rows);
}

function checkerSection() {
  const out = h("div", { class: "checkout", "aria-live": "polite" });
  const form = h("form", { class: "checker card" },
    h("label", { for: "ck-customer" }, "The customer's message"),
    h("textarea", { id: "ck-customer", name: "customer", rows: 4, required: true }),
    h("label", { for: "ck-reply" }, "Your draft reply"),
    h("textarea", { id: "ck-reply", name: "reply", rows: 6, required: true }),
    h("button", { type: "submit" }, "Check the reply"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const customer = form.elements.customer.value, reply = form.elements.reply.value;
    out.textContent = "";
    status("Checking the reply…");
    try {
      const r = await api("/v1/check-reply", { method: "POST", body: { customer, reply } });
      const sug = r.suggestions || [];
      const spans = sug.filter((x) => x.in === "reply" && typeof x.start === "number")
        .map((x) => ({ start: x.start, end: x.end, kind: /jargon/.test(x.code) ? "jargon" : "against", note: x.text }));
      const rep = (r.draft && r.draft.reply) || {};
      add(out, [
        h("h3", {}, sug.length ? `${sug.length} suggestions` : "No suggestions: the reply reads well"),
        h("ol", { class: "suggestions" }, sug.map((x) => h("li", { class: "p" + x.priority },
          h("span", { class: "chip" }, `priority ${x.priority}`), " ", x.text))),
        rep.compassion ? h("p", { class: "facts" }, chip(`compassion ${num(rep.compassion.score)}`)) : null,
        spans.length ? [h("h3", {}, "Where, in your draft"), h("p", { class: "bubble" }, highlight(reply, spans))] : null,
      ]);
      status(`Reply checked: ${sug.length} suggestions.`);
    } catch (e) { showError(e.message); status(""); }
  });
  return h("section", { "aria-labelledby": "ck-h" }, h("h2", { id: "ck-h" }, "Reply checker"),
    h("p", {}, "Before sending: does the reply acknowledge the feeling, take ownership, give a next step and a time, and avoid jargon?"),
    form, out);
}

async function pageChecker(view) {
  add(view, h("h1", { tabindex: "-1" }, "Reply checker"));
  const sec = checkerSection();
  sec.querySelector("h2").remove();
  add(view, sec);
  status("");
}

// Shifts and days asked for at a time on the team page (the API's default
// limit); "#/team?limit=N" asks for N.
const TEAM_PAGE = 100;

async function pageTeam(view, args, q) {
  status("Loading team care…");
  // the week ends on the "as of" day, else on the server's today
  const day = asOfDay();
  const limit = Math.min(1000, Math.max(1, Math.floor(Number(q.get("limit"))) || TEAM_PAGE));
  const base = `/v1/agents?days=7&limit=${limit}${day ? "&day=" + day : ""}`;
  const [d, tt] = await Promise.all([api(base),
    api(`/v1/teams/trends?days=28${day ? "&day=" + day : ""}`).catch((e) => ({ error: e.message }))]);
  // the pages loaded so far: GET /v1/agents pages the shifts (next_offset)
  const st = { per: [...(d.periods || [])], next: d.next_offset ?? null };
  const more = async (btn) => {
    btn.disabled = true;
    showError("");
    status("Loading more shifts…");
    try {
      const n = await api(`${base}&offset=${st.next}`);
      st.per.push(...(n.periods || []));
      st.next = n.next_offset ?? null;
    } catch (e) {
      btn.disabled = false;
      status("");
      showError(e.message);
      return;
    }
    const open = !!view.querySelector("details[open]");
    view.replaceChildren();
    const agents = renderTeam(view, d, st, tt, more, open);
    // keep the keyboard where it was: on the button while there is more,
    // else on the heading of what grew
    (view.querySelector("#team-more") || view.querySelector("#ex-h")).focus();
    status(`Team care: ${agents} agents from ${st.per.length} shifts and days${st.next !== null ? "; more to load" : ", all loaded"}.`);
  };
  const agents = renderTeam(view, d, st, tt, more, false);
  status(`Team care: ${agents} agents${st.next !== null ? ` from the first ${st.per.length} shifts and days; more to load` : ""}.`);
}

// The team page from the shifts loaded so far (st.per; st.next: more to
// load); returns the number of agents shown.
function renderTeam(view, d, st, tt, more, detailsOpen) {
  const per = st.per;
  const dayOf = (p) => String(p.start).slice(0, 10);
  const last = per.length ? per.map(dayOf).sort().pop() : null;
  const by = new Map();
  for (const p of per) {
    const a = by.get(p.agent) || { agent: p.agent, today: { c: 0, d: 0, hs: 0 }, week: { c: 0, d: 0, hs: 0 }, streak: 0, peak: 0, sug: [] };
    for (const [k, on] of [["week", true], ["today", dayOf(p) === last]]) if (on) {
      a[k].c += p.conversations || 0; a[k].d += p.distress_sum || 0; a[k].hs += p.high_stress || 0;
    }
    a.streak = Math.max(a.streak, p.longest_streak || 0);
    a.peak = Math.max(a.peak, p.distress_peak || 0);
    for (const x of p.suggestions || []) a.sug.push(`${fmtDay(p.start)}: ${x}`);
    by.set(p.agent, a);
  }
  const rows = [...by.values()].sort((a, b) => b.week.d - a.week.d);
  const pager = st.next !== null ? h("p", { class: "pager more" },
    `Showing the first ${per.length} shifts and days of the week; the agents of the rest are not counted yet. `,
    h("button", { type: "button", id: "team-more", onclick: (ev) => more(ev.currentTarget) }, "Load more shifts")) : null;
  add(view, h("h1", { tabindex: "-1" }, "Team care"),
    h("p", { class: "lead" }, "How much distress each agent absorbed, from the customers' side. ",
      d.from ? ["From ", timeEl(d.from), " to ", timeEl(d.to), ". "] : null,
      last ? `“Today” is the latest day with shifts: ${fmtDay(last)}.` : ""));
  const need = rows.filter((r) => r.sug.length);
  add(view, h("section", { class: "card", "aria-labelledby": "sg-h" }, h("h2", { id: "sg-h" }, "Suggestions"),
    need.length ? h("ul", {}, need.map((r) => h("li", {}, agentLink(r.agent), ": ", r.sug.join("; ")))) : h("p", {}, "No breaks or rotations suggested.")));
  add(view, h("section", { "aria-labelledby": "ex-h" }, h("h2", { id: "ex-h", tabindex: "-1" }, "Distress absorbed this week"),
    barChart({ title: "Distress absorbed per agent this week", unit: "",
      desc: rows.map((r) => `${r.agent} ${num(r.week.d, 0)}`).join(", "),
      rows: rows.map((r) => ({ label: r.agent, value: r.week.d, cls: r.week.hs > 2 ? "hot" : "" })) }),
    table("Exposure per agent", [
      { head: "Agent", get: (r) => agentLink(r.agent) },
      { head: "Today: conversations", num: 1, get: (r) => r.today.c },
      { head: "Today: high-stress", num: 1, get: (r) => r.today.hs },
      { head: "Today: distress", num: 1, get: (r) => num(r.today.d, 0) },
      { head: "Week: conversations", num: 1, get: (r) => r.week.c },
      { head: "Week: high-stress", num: 1, get: (r) => r.week.hs },
      { head: "Week: distress", num: 1, get: (r) => num(r.week.d, 0) },
      { head: "Longest streak", num: 1, get: (r) => r.streak },
      { head: "Peak", num: 1, get: (r) => num(r.peak, 0) }], rows),
    pager));
  add(view, h("details", { open: detailsOpen }, h("summary", {}, `All shifts (${per.length}${st.next !== null ? " loaded" : ""})`), periodTable("Shifts and days", per, true)));
  const sec = h("section", { "aria-labelledby": "tt-h" }, h("h2", { id: "tt-h" }, "Teams: compassion by week"));
  if (tt.error) sec.append(h("p", { class: "small" }, "Not available: " + tt.error));
  else {
    const wk = tt.weeks || [];
    const bands = [...new Set(wk.map((w) => w.week))].sort();
    const teams = [...new Set(wk.map((w) => w.team))];
    if (bands.length) sec.append(lineChart({
      title: "Compassion by team, weekly mean (0–100)", xBands: bands, yMax: 100,
      desc: teams.map((t) => { const l = wk.filter((w) => w.team === t).pop(); return `${t}: ${num(l.compassion, 0)} in ${l.week}`; }).join("; "),
      series: teams.slice(0, 6).map((t, k) => ({ name: t, cls: ["", "dashed", "dotted", "", "dashed", "dotted"][k], points: wk.filter((w) => w.team === t).map((w) => [bands.indexOf(w.week), w.compassion || 0, `${w.replies} replies`]) })),
    }));
    sec.append(table("Teams by week", [{ head: "Team", get: (w) => w.team }, { head: "Week", get: (w) => w.week }, { head: "Replies", num: 1, get: (w) => w.replies },
      ...EMPATHY.map((m, k) => ({ head: m, num: 1, get: (w) => num((w.empathy || [])[k], 2) })), { head: "Compassion", num: 1, get: (w) => num(w.compassion, 1) }], wk));
  }
  add(view, sec);
  return rows.length;
}

async function pageTrends(view, args, q) {
  const by = ["week", "channel", "need"].includes(q.get("by")) ? q.get("by") : "week";
  status("Loading trends…");
  // the 28 days end on the "as of" day, else on the server's today; promises
  // are decided as of the same time
  const day = asOfDay();
  const d = await api(withNow(`/v1/trends?days=28&by=${by}${day ? "&day=" + day : ""}`));
  const rows = d.rows || [];
  add(view, h("h1", { tabindex: "-1" }, "Trends"),
    h("p", { class: "lead" }, "Stress, needs and outcomes over the last 28 days."),
    h("nav", { class: "tabs", "aria-label": "Group by" }, h("ul", {}, ["week", "channel", "need"].map((b) =>
      h("li", {}, h("a", { href: "#/trends?by=" + b, "aria-current": b === by ? "page" : null }, "by " + b))))));
  if (!rows.length) { add(view, h("p", {}, "No messages, surveys or promises in this window.")); status("Trends: no data."); return; }
  const keys = rows.map((r) => String(r.key));
  if (by === "week") {
    add(view, h("section", { "aria-labelledby": "t1-h" }, h("h2", { id: "t1-h" }, "Stress by week"),
      lineChart({ title: "Mean customer stress by week (0–100)", xBands: keys, yMax: 100,
        desc: rows.map((r) => `${r.key}: mean ${num(r.mean_stress, 1)}, ${r.high_stress} high-stress`).join("; "),
        series: [{ name: "mean stress", points: rows.map((r, i) => [i, r.mean_stress || 0]) }] }),
      lineChart({ title: "Messages and high-stress messages by week", xBands: keys,
        desc: rows.map((r) => `${r.key}: ${r.messages} messages, ${r.high_stress} high-stress`).join("; "),
        series: [{ name: "messages", points: rows.map((r, i) => [i, r.messages || 0]) }, { name: "high-stress", cls: "dashed", points: rows.map((r, i) => [i, r.high_stress || 0]) }] })));
  } else {
    add(view, h("section", { "aria-labelledby": "t1-h" }, h("h2", { id: "t1-h" }, `Stress by ${by}`),
      barChart({ title: `Mean customer stress by ${by} (0–100)`, yMax: 100,
        desc: rows.map((r) => `${r.key}: ${num(r.mean_stress, 1)}`).join("; "),
        rows: rows.map((r) => ({ label: label(r.key), value: r.mean_stress || 0, cls: r.mean_stress >= 40 ? "hot" : "" })) }),
      h("h2", {}, `Messages by ${by}`),
      barChart({ title: `Customer messages by ${by}`, desc: rows.map((r) => `${r.key}: ${r.messages}`).join("; "),
        rows: rows.map((r) => ({ label: label(r.key), value: r.messages || 0 })) })));
  }
  // outcomes: promises as stacked bars, every outcome figure in a table
  const out = (r) => r.outcomes || { surveys: {}, promises: {} };
  const PARTS = [["kept", "kept", "p-kept"], ["kept_late", "kept late", "p-late"], ["broken", "broken", "p-broken"], ["pending", "pending", "p-pending"]];
  const pr = rows.filter((r) => (out(r).promises.made || 0) > 0);
  add(view, h("section", { "aria-labelledby": "t3-h" }, h("h2", { id: "t3-h" }, `Outcomes by ${by}`),
    h("p", { class: "small" }, "Promises agents made in the period and what became of them as of now, as the customers' journeys decide them; conversations, repeat contact (customers who wrote in two or more conversations) and the surveys answered in the period."),
    pr.length ? stackedBars({ title: `Promises by ${by}: kept, kept late, broken, pending`,
      desc: pr.map((r) => { const p = out(r).promises; return `${label(r.key)}: ${p.made} made, ${PARTS.map(([k, n]) => `${p[k] || 0} ${n}`).join(", ")}`; }).join("; "),
      parts: PARTS.map(([, n, cls]) => ({ name: n, cls })),
      rows: pr.map((r) => ({ label: label(r.key), values: PARTS.map(([k]) => out(r).promises[k] || 0) })) })
      : h("p", {}, "No promises made in this window."),
    table(`Outcome figures by ${by}`, [{ head: by, get: (r) => label(r.key) },
      { head: "Conversations", num: 1, get: (r) => out(r).conversations ?? "" },
      { head: "Repeat customers", num: 1, get: (r) => out(r).repeat_customers ?? "" },
      { head: "Surveys", num: 1, get: (r) => out(r).surveys.n ?? "" },
      { head: "CSAT (1–5)", num: 1, get: (r) => out(r).surveys.csat == null ? "–" : num(out(r).surveys.csat, 2) },
      { head: "NPS", num: 1, get: (r) => out(r).surveys.nps == null ? "–" : num(out(r).surveys.nps, 0) },
      { head: "CES (1–7)", num: 1, get: (r) => out(r).surveys.ces == null ? "–" : num(out(r).surveys.ces, 2) },
      { head: "Promises made", num: 1, get: (r) => out(r).promises.made ?? "" },
      ...PARTS.map(([k, n]) => ({ head: n[0].toUpperCase() + n.slice(1), num: 1, get: (r) => out(r).promises[k] ?? "" }))], rows)));
  // anything else the API reports, as numbers in one table
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== "key" && k !== "outcomes");
  add(view, h("section", { "aria-labelledby": "t2-h" }, h("h2", { id: "t2-h" }, "All figures"),
    table(`Trends by ${by}`, [{ head: by, get: (r) => label(r.key) }, ...extra.map((k) => ({ head: label(k), num: 1,
      get: (r) => typeof r[k] === "number" ? num(r[k], r[k] % 1 ? 1 : 0) : (r[k] && typeof r[k] === "object" ? Object.entries(r[k]).map(([a, b]) => `${label(a)} ${typeof b === "number" ? num(b, b % 1 ? 1 : 0) : b}`).join(", ") : (r[k] ?? "")) }))], rows)));
  status(`Trends by ${by}: ${rows.length} rows.`);
}

// ---------------------------------------------------------------- routing

const PAGES = {
  queue: pageQueue, customer: pageCustomer, conversation: pageConversation,
  agent: pageAgent, team: pageTeam, trends: pageTrends, checker: pageChecker,
};
const TITLES = { queue: "Act now", customer: "Customer", conversation: "Conversation", agent: "Agent", team: "Team care", trends: "Trends", checker: "Reply checker" };

function signedIn() { return !!sessionStorage.getItem(KEY_SLOT); }
function showLogin(msg) {
  $("#login").hidden = false;
  $("#view").textContent = "";
  for (const sel of ["#nav", "#logout", "#asof"]) $(sel).hidden = true;
  document.title = "Sign in · heed";
  if (msg) showError(msg);
  $("#key").focus();
}

// Where a key lands when the address names no page: an agent on their own
// page, a lead on team care, an admin (and anyone else) on the queue. The
// role comes from GET /v1/me; a server without it lands on the queue.
async function landing() {
  let me = null;
  try { me = await api("/v1/me"); } catch (e) { if (e.status === 401) throw e; }
  if (me && me.role === "agent" && me.agent) return "agent/" + encodeURIComponent(me.agent);
  if (me && me.role === "agent") return "checker";
  if (me && me.role === "lead") return "team";
  return "queue";
}

let routing = 0;
async function route() {
  const mine = ++routing;
  showError("");
  if (!signedIn()) { showLogin(); return; }
  $("#login").hidden = true;
  for (const sel of ["#nav", "#logout", "#asof"]) $(sel).hidden = false;
  let raw = location.hash.replace(/^#\/?/, "");
  if (!raw) {
    try {
      raw = await landing();
    } catch (e) {
      sessionStorage.removeItem(KEY_SLOT);
      showLogin("The API key was not accepted: " + e.message);
      return;
    }
    if (mine !== routing) return;
    history.replaceState(null, "", "#/" + raw);
  }
  const [path, qs] = raw.split("?");
  const parts = path.split("/").map(decodeURIComponent);
  const page = PAGES[parts[0]] ? parts[0] : "queue";
  for (const a of document.querySelectorAll("#nav a"))
    if (a.dataset.page === page) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  const view = h("div", { class: "page page-" + page });
  try {
    await PAGES[page](view, parts.slice(1), new URLSearchParams(qs || ""));
  } catch (e) {
    if (mine !== routing) return;
    if (e.status === 401) { sessionStorage.removeItem(KEY_SLOT); showLogin("The API key was not accepted: " + e.message); return; }
    status("");
    showError(e.status === 403 ? "Your key's role may not see this page." : e.message);
    view.prepend(h("h1", { tabindex: "-1" }, TITLES[page]));
  }
  if (mine !== routing) return;
  $("#view").replaceChildren(view);
  const h1 = view.querySelector("h1");
  document.title = `${h1 ? h1.textContent : TITLES[page]} · heed`;
  if (h1 && document.activeElement && !view.contains(document.activeElement) && route.moveFocus) h1.focus();
}

function start() {
  $("#login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const k = $("#key").value.trim();
    if (!k) return;
    sessionStorage.setItem(KEY_SLOT, k);
    $("#key").value = "";
    route.moveFocus = true;
    route().catch((e) => showError(e.message));
  });
  $("#logout").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_SLOT);
    // the next key lands on its own role's page
    history.replaceState(null, "", location.pathname + location.search);
    status("Signed out.");
    showLogin();
  });
  const asof = $("#asof-input");
  asof.value = sessionStorage.getItem(NOW_SLOT) || "";
  $("#asof").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = asof.value.trim();
    if (v) sessionStorage.setItem(NOW_SLOT, v); else sessionStorage.removeItem(NOW_SLOT);
    route().catch((e) => showError(e.message));
  });
  window.addEventListener("hashchange", () => { route.moveFocus = true; route().catch((e) => showError(e.message)); });
  window.addEventListener("unhandledrejection", (ev) => { showError(String(ev.reason && ev.reason.message || ev.reason)); });
  route().catch((e) => showError(e.message));
}
start();
