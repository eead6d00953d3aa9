// Acd supervisor dashboard: no framework. Loads the statistics, live calls and agents once, then stays current
// through the supervisor event stream (server-sent events read with fetch, so the token travels in a header);
// cumulative figures are read again only when an event changes them. A one-second tick redraws ages.
"use strict";

const TEXT = {
  ja: {
    title: "Acd ダッシュボード", withProvider: (name) => `${name} でサインイン`, offline: "未接続", live: "ライブ", connecting: "接続中…", signOut: "トークンを変更",
    tokenLabel: "スーパーバイザーのトークン", signIn: "接続", queues: "キュー", liveCalls: "通話中・待機中の通話",
    queue: "キュー", agent: "オペレーター", state: "状態", timeInState: "経過", caller: "通話", actions: "操作",
    noCalls: "通話はありません", agents: "オペレーター", waiting: "待ち呼", longest: "最長待ち", estimatedWait: "予想待ち時間", serviceLevel: "応答率(SL)",
    available: "対応可能", busy: "通話中", wrapUp: "後処理", answered: "応答", abandoned: "放棄", asa: "平均応答時間",
    aht: "平均処理時間", monitor: "モニター", coach: "ウィスパー", barge: "割り込み", leave: "退出", hold: "保留中",
    monitoring: "モニター中", since: "今日 0:00 から", badToken: "トークンが受け付けられませんでした", outbound: "発信",
    statuses: { created: "受付", queued: "待機中", offered: "呼出中", connected: "通話中", wrap_up: "後処理" },
    done: (a, id) => `${a}: ${id}`, failed: (a, m) => `${a} できませんでした: ${m}`,
    openUntil: (at) => at ? `営業中 · ${at}まで` : "営業中",
    closedFor: (reason, name) => reason === "holiday" || reason === "closure" ? `休業 · ${name || ""}` : "受付時間外",
    opensAt: (at) => ` · ${at}から`,
  },
  en: {
    title: "Acd dashboard", withProvider: (name) => `Sign in with ${name}`, offline: "Offline", live: "Live", connecting: "Connecting…", signOut: "Change token",
    tokenLabel: "Supervisor token", signIn: "Connect", queues: "Queues", liveCalls: "Live calls",
    queue: "Queue", agent: "Agent", state: "State", timeInState: "Time in state", caller: "Call", actions: "Actions",
    noCalls: "No calls", agents: "Agents", waiting: "Waiting", longest: "Longest wait", estimatedWait: "Estimated wait", serviceLevel: "Service level",
    available: "Available", busy: "Busy", wrapUp: "Wrap-up", answered: "Answered", abandoned: "Abandoned", asa: "ASA",
    aht: "AHT", monitor: "Monitor", coach: "Coach", barge: "Barge", leave: "Leave", hold: "On hold",
    monitoring: "monitoring", since: "since 00:00 today", badToken: "The token was not accepted", outbound: "Outbound",
    statuses: { created: "Created", queued: "Waiting", offered: "Ringing", connected: "Talking", wrap_up: "Wrap-up" },
    done: (a, id) => `${a}: ${id}`, failed: (a, m) => `${a} failed: ${m}`,
    openUntil: (at) => at ? `Open until ${at}` : "Open",
    closedFor: (reason, name) => reason === "holiday" || reason === "closure" ? `Closed · ${name || reason}` : "Closed (outside hours)",
    opensAt: (at) => ` · opens ${at}`,
  },
};

const landing = takeLanding();
const state = {
  lang: localStorage.getItem("acd.lang") || (navigator.language.startsWith("ja") ? "ja" : "en"),
  token: landing.token || localStorage.getItem("acd.token") || "",
  auth: null,          // GET /auth/config
  me: null,
  queues: new Map(),   // id -> { realtime, cumulative }
  hours: new Map(),    // queue id -> its schedule's state now: { open, reason, name, until }
  calls: new Map(),    // id -> { id, status, since, queue_id, agent_id, on_hold, monitors, direction }
  agents: new Map(),   // id -> { id, friendly_name, activity, available, activity_since }
  lastEventId: null,
  abort: null,
  refreshTimer: null,
};

const $ = (selector) => document.querySelector(selector);
const t = (key) => TEXT[state.lang][key] ?? key;

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => {
    const key = el.dataset.i18n;
    if (el.id === "connection") {
      el.textContent = t(el.dataset.state === "live" ? "live" : el.dataset.state === "connecting" ? "connecting" : "offline");
    } else {
      el.textContent = t(key);
    }
  });
  $("#language").textContent = state.lang === "ja" ? "English" : "日本語";
  $("#window").textContent = t("since");
  if (state.auth) showProvider($("#oidc-signin"), state.auth.oidc, TEXT[state.lang].withProvider);
  render();
}

function setConnection(value) {
  const el = $("#connection");
  el.dataset.state = value;
  el.textContent = t(value === "live" ? "live" : value === "connecting" ? "connecting" : "offline");
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${state.token}`, "Content-Type": "application/json" } });
  if (response.status === 401 || response.status === 403) {
    throw Object.assign(new Error(t("badToken")), { auth: true });
  }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    throw new Error(body?.detail || body?.title || response.statusText);
  }
  return body;
}


// Each queue's open hours, from its schedule: read at start, on each schedule.opened/closed, and when a change is due.
async function loadHours() {
  const queues = await api("/api/queues");
  const schedules = [...new Set(queues.filter((q) => q.schedule).map((q) => q.schedule))];
  const now = Object.fromEntries(await Promise.all(schedules.map(async (id) =>
    [id, (await api(`/api/schedules/${encodeURIComponent(id)}/calendar`)).now])));
  state.hours.clear();
  for (const q of queues) {
    if (q.schedule && now[q.schedule]) state.hours.set(q.id, now[q.schedule]);
  }
}

// A time as the schedule's zone tells it (the offset is in the text): 18:00 today, 11-26 09:00 another day.
function localTime(text) {
  if (!text) return null;
  const today = new Date(Date.now() + offsetMinutes(text) * 60000).toISOString().slice(0, 10);
  return text.slice(0, 10) === today ? text.slice(11, 16) : `${text.slice(5, 10)} ${text.slice(11, 16)}`;
}

function offsetMinutes(text) {
  const m = /([+-])(\d\d):(\d\d)$/.exec(text);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function hoursLine(id) {
  const h = state.hours.get(id);
  if (!h) return null;
  const text = h.open ? t("openUntil")(localTime(h.until)) : t("closedFor")(h.reason, h.name) + (h.until ? t("opensAt")(localTime(h.until)) : "");
  return el("p", { class: "hours", dataset: { open: String(h.open) } }, text);
}

async function loadAll() {
  const [statistics, calls, agents] = await Promise.all([api("/api/statistics?waiting_calls=false"), api("/api/calls?active=true"), api("/api/agents"), loadHours()]);
  applyStatistics(statistics);
  state.calls.clear();
  for (const c of calls) {
    state.calls.set(c.id, { id: c.id, status: c.status, since: Date.parse(c.status_since), created: Date.parse(c.created_at), queue_id: c.queue_id, agent_id: c.agent_id, on_hold: c.on_hold, monitors: c.monitors || [], direction: c.direction });
  }
  state.agents.clear();
  for (const a of agents) {
    state.agents.set(a.id, { id: a.id, friendly_name: a.friendly_name, activity: a.activity, available: a.available, since: Date.parse(a.activity_since) });
  }
  render();
}

function applyStatistics(statistics) {
  state.queues.clear();
  for (const q of statistics.queues) {
    state.queues.set(q.queue_id, { realtime: q.realtime, cumulative: q.cumulative, estimatedWait: q.realtime.estimated_wait_seconds });
  }
}

// At most one read of the figures a second, however busy the stream is (a throttle, not a debounce: a busy center
// must still see its numbers move).
function refreshStatistics() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    state.refreshTimer = null;
    try {
      applyStatistics(await api("/api/statistics?waiting_calls=false"));
      render();
    } catch (e) {
      $("#message").textContent = e.message;
    }
  }, 1000);
}

// Server-sent events over fetch, so that the bearer token is a header and Last-Event-ID resumes after a drop.
async function stream() {
  for (let attempt = 0; ; attempt++) {
    state.abort = new AbortController();
    setConnection("connecting");
    try {
      const headers = { Authorization: `Bearer ${state.token}`, Accept: "text/event-stream" };
      if (state.lastEventId) {
        headers["Last-Event-ID"] = state.lastEventId;
      }
      const response = await fetch("/api/supervisor/events", { headers, signal: state.abort.signal });
      if (response.status === 401 || response.status === 403) {
        signOut(t("badToken"));
        return;
      }
      if (!response.ok || !response.body) {
        throw new Error(response.statusText);
      }
      setConnection("live");
      attempt = 0;
      await readEventStream(response, dispatch);
    } catch (e) {
      if (state.abort.signal.aborted) {
        return;
      }
    }
    setConnection("offline");
    await new Promise((resolve) => setTimeout(resolve, Math.min(10000, 500 * 2 ** attempt)));
  }
}

function dispatch(block) {
  let id = null;
  let type = null;
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (id) state.lastEventId = id;
  if (type === "resync") {
    // Events were missed beyond what the stream keeps: what is on screen may be stale, so it is read again whole.
    state.resyncs = (state.resyncs || 0) + 1;
    loadAll().catch((e) => { $("#message").textContent = e.message; });
    return;
  }
  if (data.length === 0) return;
  let event;
  try {
    event = JSON.parse(data.join("\n"));
  } catch {
    return;
  }
  onEvent(event);
}

const FINAL = new Set(["completed", "abandoned", "canceled", "failed"]);

function onEvent(event) {
  const payload = event.data || {};
  if (typeof event.type === "string" && event.type.startsWith("schedule.")) {
    loadHours().then(render).catch((e) => { $("#message").textContent = e.message; });
    return;
  }
  if (payload.call) {
    const c = payload.call;
    const known = state.calls.get(c.id);
    if (FINAL.has(c.status)) {
      state.calls.delete(c.id);
    } else {
      const monitors = (c.legs || []).filter((l) => l.role === "supervisor" && !["completed", "canceled", "failed", "busy", "no-answer"].includes(l.status)).map((l) => l.agent_id);
      state.calls.set(c.id, {
        id: c.id, status: c.status, created: Date.parse(c.created_at), queue_id: c.queue_id, agent_id: c.agent_id || c.offered_to, on_hold: c.on_hold, monitors, direction: c.direction,
        since: known && known.status === c.status ? known.since : Date.parse(event.time),
      });
    }
  }
  if (event.type === "worker.activity.update" && payload.agent) {
    const a = payload.agent;
    state.agents.set(a.id, { id: a.id, friendly_name: a.friendly_name, activity: a.activity, available: a.available, since: Date.parse(a.activity_since) });
  }
  if (/^(task\.|reservation\.|task-queue\.|worker\.activity)/.test(event.type)) {
    refreshStatistics();
  }
  render();
}

function seconds(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}


function render() {
  if ($("#board").hidden) return;
  const now = Date.now();
  const calls = [...state.calls.values()];

  const tiles = $("#tiles");
  tiles.replaceChildren(...[...state.queues.entries()].map(([id, q]) => {
    const waitingCalls = calls.filter((c) => c.queue_id === id && (c.status === "queued" || c.status === "offered"));
    const oldest = waitingCalls.length ? Math.min(...waitingCalls.map((c) => c.created ?? c.since)) : null;
    const longest = oldest === null ? 0 : (now - oldest) / 1000;
    const threshold = q.cumulative.service_level_threshold || 20;
    const level = longest >= 2 * threshold ? "red" : longest >= threshold ? "amber" : "ok";
    const activity = Object.fromEntries((q.realtime.activity_statistics || []).map((a) => [a.friendly_name, a.workers]));
    const free = q.realtime.total_available_workers;
    const busy = Math.max(0, (activity.Available || 0) - free);
    const sl = q.cumulative.service_level;
    return el("article", { class: "tile", dataset: { queue: id } },
      el("h3", {}, id),
      hoursLine(id),
      el("div", { class: "big" },
        el("div", {}, el("span", { class: "waiting" }, waitingCalls.length), el("small", {}, t("waiting"))),
        el("div", {}, el("span", { class: "longest", dataset: { level } }, seconds(longest * 1000)), el("small", {}, t("longest")))),
      el("dl", {},
        el("dt", {}, t("serviceLevel")), el("dd", { class: "service-level" }, sl === null || sl === undefined ? "—" : `${sl.toFixed(1)}%`),
        el("dt", {}, t("estimatedWait")), el("dd", { class: "estimated-wait" }, q.estimatedWait === null || q.estimatedWait === undefined ? "—" : seconds(q.estimatedWait * 1000)),
        el("dt", {}, t("available")), el("dd", { class: "stat-available" }, free),
        el("dt", {}, t("busy")), el("dd", { class: "stat-busy" }, busy),
        el("dt", {}, t("wrapUp")), el("dd", { class: "stat-wrap-up" }, activity.WrapUp || 0),
        el("dt", {}, t("answered")), el("dd", { class: "stat-answered" }, q.cumulative.tasks_answered),
        el("dt", {}, t("abandoned")), el("dd", { class: "stat-abandoned" }, q.cumulative.tasks_abandoned),
        el("dt", {}, t("asa")), el("dd", {}, q.cumulative.average_speed_of_answer === null ? "—" : seconds(q.cumulative.average_speed_of_answer * 1000)),
        el("dt", {}, t("aht")), el("dd", {}, q.cumulative.average_handle_time === null ? "—" : seconds(q.cumulative.average_handle_time * 1000))));
  }));

  const statuses = TEXT[state.lang].statuses;
  const rows = calls.sort((a, b) => a.since - b.since).map((c) => {
    const mine = state.me && c.monitors.includes(state.me);
    const actions = c.status === "connected"
      ? (mine
          ? [button("coach", c.id), button("barge", c.id), button("leave", c.id)]
          : [button("monitor", c.id), button("coach", c.id), button("barge", c.id)])
      : [];
    return el("tr", { dataset: { call: c.id } },
      el("td", {}, c.queue_id ?? (c.direction === "outbound" ? t("outbound") : "—")),
      el("td", {}, c.agent_id ? (state.agents.get(c.agent_id)?.friendly_name || c.agent_id) : "—"),
      el("td", { class: `state-${c.status}` }, statuses[c.status] || c.status, c.on_hold ? el("span", { class: "badge hold" }, t("hold")) : "",
        c.monitors.length ? el("span", { class: "badge" }, `${t("monitoring")}: ${c.monitors.join(", ")}`) : ""),
      el("td", { class: "age" }, seconds(now - c.since)),
      el("td", { class: "call-id", title: c.id }, c.id.slice(0, 10) + "…"),
      el("td", { class: "actions" }, actions));
  });
  $("#calls tbody").replaceChildren(...rows);
  $("#no-calls").hidden = rows.length > 0;

  const agents = [...state.agents.values()].sort((a, b) => a.id.localeCompare(b.id));
  $("#agent-board").replaceChildren(...agents.map((a) => el("li", { dataset: { agent: a.id, activity: a.activity, available: String(a.available) } },
    el("div", { class: "name" }, a.friendly_name || a.id),
    el("div", { class: "activity" }, `${a.activity} · ${seconds(now - a.since)}`))));
}

function button(action, callId) {
  return el("button", { type: "button", dataset: { action }, onclick: () => supervise(action, callId) }, t(action));
}

async function supervise(action, callId) {
  try {
    await api(`/api/calls/${encodeURIComponent(callId)}/${action}`, { method: "POST", body: "{}" });
    $("#message").textContent = TEXT[state.lang].done(t(action), callId);
  } catch (e) {
    $("#message").textContent = TEXT[state.lang].failed(t(action), e.message);
  }
}

function signOut(message) {
  state.abort?.abort();
  localStorage.removeItem("acd.token");
  state.token = "";
  $("#board").hidden = true;
  $("#signin").hidden = false;
  $("#signin-error").textContent = message || "";
  setConnection("offline");
  authConfig().then((auth) => {
    state.auth = auth;
    showProvider($("#oidc-signin"), auth.oidc, TEXT[state.lang].withProvider);
  });
}

async function start() {
  state.me = claims(state.token).sub || null;
  try {
    await loadAll();
  } catch (e) {
    if (e.auth) {
      signOut(e.message);
      return;
    }
    $("#message").textContent = e.message;
  }
  localStorage.setItem("acd.token", state.token);
  $("#signin").hidden = true;
  $("#board").hidden = false;
  render();
  stream();
}

$("#signin").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("#token").value.trim();
  start();
});
$("#signout").addEventListener("click", () => signOut());
$("#language").addEventListener("click", () => {
  state.lang = state.lang === "ja" ? "en" : "ja";
  localStorage.setItem("acd.lang", state.lang);
  $("#message").textContent = ""; // the last action's result was said in the other language
  applyLanguage();
});
// Each second: ages move on, and a queue whose open hours were due to change reads its schedule again.
setInterval(() => {
  const due = [...state.hours.values()].some((h) => h.until && Date.parse(h.until) <= Date.now());
  if (due && !state.hoursLoading) {
    state.hoursLoading = true;
    loadHours().catch(() => {}).finally(() => { state.hoursLoading = false; });
  }
  render();
}, 1000);
applyLanguage();
if (state.token) {
  $("#board").hidden = false;
  start();
} else {
  signOut(landing.error);
}
