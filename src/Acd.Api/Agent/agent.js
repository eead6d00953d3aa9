// Acd's agent page: no framework. Signs in, shows the agent's activity, their offer, call and wrap-up, and keeps them
// current from the agent's event stream (server-sent events read with fetch, so the token travels in a header, resumed
// with Last-Event-ID after a drop). What is on screen is always Acd's answer (GET agent, GET call), read again after each
// event: an event only says that something changed. Calls are answered in the browser through softphone.js (Twilio's
// Voice SDK, edge tokyo) or on the phone named by the agent's contact_uri.
"use strict";

const TEXT = {
  ja: {
    take: "1 を押して受ける", callBack: "1 折り返す", handled: "2 対応済みにする", voicemail: "留守番電話", recording: "録音を聞く", title: "Acd オペレーター", signOut: "サインアウト", withProvider: (name) => `${name} でサインイン`, signInTitle: "サインイン", pickAgent: "オペレーターを選ぶ（開発用）",
    signIn: "サインイン", tokenLabel: "Acd のトークン", activity: "状態", incoming: "着信", from: "発信者", queue: "キュー",
    waited: "待ち時間", choice: "IVR の選択", attributes: "属性", ringsFor: "残り", answer: "応答", reject: "拒否",
    onCall: "通話中", onHold: "保留中", muted: "ミュート中", hold: "保留", resume: "保留解除", mute: "ミュート", unmute: "ミュート解除",
    hangUp: "切断", transferTo: "転送先", cold: "ブラインド転送", warm: "打診転送", transfer: "転送", transferComplete: "転送を完了",
    transferCancel: "転送を取り消す", wrapUp: "後処理", wrapUpLeft: "残り", code: "対応結果", done: "完了", dialOut: "発信", call: "発信",
    live: "接続中", connecting: "接続しています…", offline: "未接続", badToken: "トークンが受け付けられませんでした。もう一度サインインしてください",
    phoneReady: "ブラウザで応答できます", phoneNone: "電話で応答", phoneError: "ソフトフォン異常", phoneStarting: "ソフトフォン準備中…",
    ringsBrowser: "このブラウザが鳴っています", ringsPhone: (uri) => `${uri || "登録された電話"} が鳴っています`,
    waitingBrowser: "ブラウザへの着信を待っています…",
    consulting: (who) => `${who} に打診中（お客様は保留中）`, consulted: (who) => `${who} からの打診`,
    queueTarget: (name) => `キュー: ${name}`, agentTarget: (name, activity) => `${name}（${activity}）`,
    lost: "Acd との接続が切れました。再接続しています…", back: "Acd に再接続しました",
    microphone: "マイクを使えません。ブラウザの設定でこのページにマイクを許可してください",
    token: (m) => `ソフトフォンのトークンを取得できません: ${m}`, noBrowser: (m) => `ブラウザでは応答できません（${m}）。電話で応答してください`,
    connection: (m) => `ソフトフォンが Twilio に接続できません: ${m}`, failed: (m) => `できませんでした: ${m}`,
    dialed: (to) => `${to} に発信しています`, outbound: (to) => `発信: ${to}`, noCode: "（なし）",
    keys: "ショートカット: A 応答 · R 拒否 · H 保留 · M ミュート · X 切断 · T 転送先 · D 発信 · 1–9 対応結果 · Enter 後処理完了",
    activities: { Available: "対応可能", Offline: "オフライン", Break: "休憩", WrapUp: "後処理" },
  },
  en: {
    take: "Press 1 to take it", callBack: "1 Call back", handled: "2 Mark handled", voicemail: "Voicemail", recording: "Listen to the recording", title: "Acd agent", signOut: "Sign out", withProvider: (name) => `Sign in with ${name}`, signInTitle: "Sign in", pickAgent: "Pick an agent (development)",
    signIn: "Sign in", tokenLabel: "Acd token", activity: "Activity", incoming: "Incoming call", from: "From", queue: "Queue",
    waited: "Waited", choice: "IVR choice", attributes: "Attributes", ringsFor: "Rings for", answer: "Answer", reject: "Reject",
    onCall: "On a call", onHold: "On hold", muted: "Muted", hold: "Hold", resume: "Resume", mute: "Mute", unmute: "Unmute",
    hangUp: "Hang up", transferTo: "Transfer to", cold: "Cold transfer", warm: "Warm transfer", transfer: "Transfer",
    transferComplete: "Complete transfer", transferCancel: "Cancel transfer", wrapUp: "Wrap-up", wrapUpLeft: "Time left",
    code: "Outcome", done: "Done", dialOut: "Dial out", call: "Call",
    live: "Live", connecting: "Connecting…", offline: "Offline", badToken: "The token was not accepted: sign in again",
    phoneReady: "Answer in the browser", phoneNone: "Answer on the phone", phoneError: "Softphone error", phoneStarting: "Softphone starting…",
    ringsBrowser: "This browser is ringing", ringsPhone: (uri) => `${uri || "Your phone"} is ringing`,
    waitingBrowser: "Waiting for the call to reach the browser…",
    consulting: (who) => `Consulting ${who} (the customer is on hold)`, consulted: (who) => `${who} is consulting you`,
    queueTarget: (name) => `Queue: ${name}`, agentTarget: (name, activity) => `${name} (${activity})`,
    lost: "Lost the connection to Acd: reconnecting…", back: "Reconnected to Acd",
    microphone: "The microphone cannot be used: allow this page to use it in the browser's settings",
    token: (m) => `No softphone token: ${m}`, noBrowser: (m) => `Calls cannot be answered in the browser (${m}): answer on the phone`,
    connection: (m) => `The softphone cannot reach Twilio: ${m}`, failed: (m) => `Failed: ${m}`,
    dialed: (to) => `Calling ${to}`, outbound: (to) => `Outbound: ${to}`, noCode: "(none)",
    keys: "Keys: A answer · R reject · H hold · M mute · X hang up · T transfer · D dial · 1–9 outcome · Enter wrap-up done",
    activities: {},
  },
};

const landing = takeLanding();
const state = {
  lang: localStorage.getItem("acd.lang") || (navigator.language.startsWith("ja") ? "ja" : "en"),
  token: landing.token || localStorage.getItem("acd.agent.token") || "",
  auth: null,         // GET /auth/config
  me: null,
  agent: null,        // GET /api/agents/{me}
  call: null,         // GET /api/calls/{id} of the offer, call or wrap-up on screen
  activities: [],
  targets: { agents: [], queues: [] },
  code: null,         // the wrap-up code picked
  codeFor: null,      // the call it was picked for
  softphone: null,    // what softphone.js started, or null
  phone: "none",      // none | starting | ready | error
  incoming: new Map(), // CallSid -> { callSid, from } rung in this browser
  answered: new Set(), // CallSids answered in this browser (a ring group's may still ask for the key)
  lastEventId: null,
  abort: null,
  refreshing: null,
  again: false,
  tokenTimer: null,
};

const $ = (selector) => document.querySelector(selector);
const T = () => TEXT[state.lang];
const t = (key) => T()[key] ?? key;
const activityName = (name) => T().activities[name] || name;

async function api(path, options = {}, token = state.token) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${token}`, "Content-Type": "application/json" } });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (response.status === 401) {
    throw Object.assign(new Error(t("badToken")), { auth: true });
  }
  if (!response.ok) {
    throw Object.assign(new Error(body?.detail || body?.title || response.statusText), { status: response.status });
  }
  return body;
}


function say(text) {
  $("#message").textContent = text || "";
}

function problem(text) {
  $("#problem").textContent = text || "";
}

// --- sign-in ---------------------------------------------------------------------------------------------------

async function showSignIn(message) {
  state.abort?.abort();
  state.softphone?.stop();
  state.softphone = null;
  localStorage.removeItem("acd.agent.token");
  state.token = "";
  $("#desk").hidden = true;
  $("#signin").hidden = false;
  $("#signin-error").textContent = message || "";
  state.auth = await authConfig();
  showProvider($("#oidc-signin"), state.auth.oidc, T().withProvider);
  // Development with the built-in key only: /dev/token lists the agents to pick from. Elsewhere it does not exist.
  if (!state.auth.development_sign_in) {
    $("#dev-signin").hidden = true;
    return;
  }
  try {
    const lister = await devToken({ role: "supervisor", sub: "agent-page" });
    const agents = await api("/api/agents", {}, lister);
    $("#dev-agent").replaceChildren(...agents.map((a) => el("option", { value: a.id }, a.friendly_name === a.id ? a.id : `${a.friendly_name} (${a.id})`)));
    $("#dev-signin").hidden = agents.length === 0;
  } catch {
    $("#dev-signin").hidden = true;
  }
}

async function devToken(body) {
  const response = await fetch("/dev/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(response.statusText);
  return (await response.json()).token;
}

$("#dev-signin").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    state.token = await devToken({ role: "agent", sub: $("#dev-agent").value });
    await start();
  } catch (error) {
    $("#signin-error").textContent = error.message;
  }
});
$("#token-signin").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("#token").value.trim();
  start();
});
$("#signout").addEventListener("click", () => showSignIn());

async function start() {
  state.me = claims(state.token).sub || null;
  try {
    if (!state.me) throw Object.assign(new Error(t("badToken")), { auth: true });
    const [activities, agent, targets] = await Promise.all([api("/api/activities"), api(`/api/agents/${encodeURIComponent(state.me)}`), api("/api/transfer-targets")]);
    state.activities = activities.filter((a) => a.friendly_name !== "WrapUp");
    state.agent = agent;
    state.targets = targets;
  } catch (error) {
    showSignIn(error.message);
    return;
  }
  localStorage.setItem("acd.agent.token", state.token);
  $("#signin").hidden = true;
  $("#desk").hidden = false;
  $("#me").textContent = state.agent.friendly_name || state.me;
  await refresh();
  stream();
  startSoftphone();
}

// --- what is on screen: Acd's answer, read again after each event ------------------------------------------------

function refresh() {
  // One read at a time; an event during a read asks for one more after it.
  if (state.refreshing) {
    state.again = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    do {
      state.again = false;
      try {
        state.agent = await api(`/api/agents/${encodeURIComponent(state.me)}`);
        const id = state.agent.offers[0] || state.agent.calls[0] || state.agent.wrap_up_call_id;
        state.call = id ? await api(`/api/calls/${encodeURIComponent(id)}`).catch((e) => (e.status === 403 || e.status === 404 ? null : Promise.reject(e))) : null;
      } catch (error) {
        if (error.auth) {
          showSignIn(error.message);
          return;
        }
        problem(t("failed")(error.message));
      }
    } while (state.again);
    render();
  })().finally(() => { state.refreshing = null; });
  return state.refreshing;
}

async function loadTargets() {
  try {
    state.targets = await api("/api/transfer-targets");
  } catch {
    // kept as it was
  }
}

function myLeg(call) {
  return (call?.legs || []).filter((l) => l.agent_id === state.me && (l.role === "agent" || l.role === "consult")).at(-1);
}

function seconds(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function render() {
  if ($("#desk").hidden || !state.agent) return;
  const now = Date.now();
  const agent = state.agent;
  const call = state.call;

  $("#activities").replaceChildren(...state.activities.map((a) => el("button", {
    type: "button", "aria-pressed": String(agent.activity === a.friendly_name), dataset: { activity: a.friendly_name },
    onclick: () => setActivity(a.friendly_name),
  }, activityName(a.friendly_name))));
  $("#activity-now").textContent = `${activityName(agent.activity)} · ${seconds(now - Date.parse(agent.activity_since))}`;
  $("#activity-now").dataset.activity = agent.activity;

  const phone = $("#phone");
  phone.dataset.state = state.phone;
  phone.textContent = t({ ready: "phoneReady", none: "phoneNone", error: "phoneError", starting: "phoneStarting" }[state.phone]);

  // The offer: ringing this agent (alone, or as one of a ring group's), with who calls, from where, for how long, and
  // what they chose in the IVR.
  const offered = call && call.status === "offered" && (call.offered_to === state.me || (call.ringing || []).includes(state.me)) ? call : null;
  const outboundOwn = call && call.direction === "outbound" && call.agent_id === null && call.offered_to === state.me;
  $("#offer").hidden = !offered;
  if (offered) {
    const attributes = offered.attributes || {};
    $("#offer-from").textContent = offered.direction === "outbound" ? t("outbound")(attributes.To || "") : attributes.From || attributes.from || "—";
    $("#offer-queue").textContent = queueName(offered.queue_id);
    $("#offer-wait").textContent = seconds(now - Date.parse(offered.created_at));
    $("#offer-digits").textContent = attributes.Digits ?? attributes.digits ?? "—";
    $("#offer-attributes").textContent = JSON.stringify(attributes, null, 2);
    $("#offer-countdown").textContent = offered.offer_expires_at ? seconds(Date.parse(offered.offer_expires_at) - now) : "—";
    const leg = myLeg(offered);
    const inBrowser = leg?.call_sid && state.incoming.has(leg.call_sid);
    $("#offer-how").textContent = inBrowser ? t("ringsBrowser") : state.phone === "ready" && !outboundOwn ? t("waitingBrowser") : T().ringsPhone(agent.contact_uri);
    $("#answer").disabled = state.phone === "ready" && !inBrowser && incomingFor(offered) === null;
    // Answered here and still offered: a ring group that takes calls with a key is asking for 1, or a voicemail for 1
    // (call the customer back) or 2 (handled), once its recording has played.
    const voicemail = offered.voicemail?.from_call_id ? offered.voicemail : null;
    const keyed = answeredFor(offered) !== null;
    $("#offer-voicemail").hidden = !voicemail;
    if (voicemail) {
      $("#offer-recording").href = /^https?:\/\//.test(voicemail.recording_url) ? voicemail.recording_url : "#";
      $("#offer-recording-length").textContent = seconds(voicemail.duration_seconds * 1000);
    }
    $("#take").hidden = !keyed || Boolean(voicemail);
    $("#call-back").hidden = !keyed || !voicemail || !offered.callback?.number;
    $("#handled").hidden = !keyed || !voicemail;
  } else {
    $("#take").hidden = $("#call-back").hidden = $("#handled").hidden = true;
  }

  // The call: connected with this agent (or this agent consulted in a warm transfer).
  const talking = call && call.status === "connected" && (call.agent_id === state.me || call.consult_agent_id === state.me) ? call : null;
  $("#talk").hidden = !talking;
  if (talking) {
    const attributes = talking.attributes || {};
    $("#talk-with").textContent = talking.direction === "outbound" ? attributes.To || "" : attributes.From || "";
    $("#talk-time").textContent = seconds(now - Date.parse(talking.connected_at || talking.status_since));
    $("#talk-hold").hidden = !talking.on_hold;
    const leg = myLeg(talking);
    $("#talk-muted").hidden = !leg?.muted;
    $("#hold").textContent = t(talking.on_hold ? "resume" : "hold");
    $("#hold").dataset.on = String(talking.on_hold);
    $("#mute").textContent = t(leg?.muted ? "unmute" : "mute");
    $("#mute").dataset.on = String(!!leg?.muted);
    const primary = talking.agent_id === state.me;
    const consulting = primary && talking.consult_agent_id;
    $("#talk-consult").hidden = !talking.consult_agent_id;
    $("#talk-consult").textContent = consulting ? T().consulting(agentName(talking.consult_agent_id)) : talking.consult_agent_id ? T().consulted(agentName(talking.agent_id)) : "";
    $("#consult-buttons").hidden = !consulting;
    $("#transfer").hidden = !primary || !!consulting;
    $("#hold").disabled = !primary;
    renderTargets();
  }

  // Wrap-up: its time left, and the call's codes to pick from.
  const wrapping = agent.activity === "WrapUp";
  $("#wrapup").hidden = !wrapping;
  if (wrapping) {
    $("#wrapup-countdown").textContent = agent.wrap_up_ends_at ? seconds(Date.parse(agent.wrap_up_ends_at) - now) : "—";
    const ownCall = call && call.status === "wrap_up" && call.agent_id === state.me ? call : null;
    const codes = ownCall?.wrap_up_codes || [];
    if (state.codeFor !== ownCall?.id) {
      state.code = null;
      state.codeFor = ownCall?.id || null;
    }
    $("#codes").hidden = codes.length === 0;
    const list = $("#code-list");
    if (list.dataset.codes !== JSON.stringify(codes)) {
      list.dataset.codes = JSON.stringify(codes);
      list.replaceChildren(...codes.map((code, i) => el("label", {},
        el("input", { type: "radio", name: "code", value: code, onchange: () => { state.code = code; } }),
        ` ${i < 9 ? `${i + 1}. ` : ""}${code}`)));
    }
    list.querySelectorAll("input").forEach((input) => { input.checked = input.value === state.code; });
  }
}

function queueName(id) {
  return state.targets.queues.find((q) => q.id === id)?.friendly_name || id || "—";
}

function agentName(id) {
  return state.targets.agents.find((a) => a.id === id)?.friendly_name || id;
}

function renderTargets() {
  const select = $("#transfer-to");
  const chosen = select.value;
  const options = [
    ...state.targets.agents.filter((a) => a.id !== state.me).map((a) => el("option", { value: `agent:${a.id}`, dataset: { available: String(a.available) } }, T().agentTarget(a.friendly_name, activityName(a.activity)))),
    ...state.targets.queues.map((q) => el("option", { value: `queue:${q.id}` }, T().queueTarget(q.friendly_name))),
  ];
  const signature = options.map((o) => o.value + o.textContent).join("|");
  if (select.dataset.signature !== signature) {
    select.dataset.signature = signature;
    select.replaceChildren(...options);
    if (chosen) select.value = chosen;
  }
}

// --- actions -----------------------------------------------------------------------------------------------------

async function act(what, path, body) {
  problem("");
  try {
    await api(path, { method: "POST", body: JSON.stringify(body || {}) });
    say(what || "");
  } catch (error) {
    if (error.auth) return showSignIn(error.message);
    problem(t("failed")(error.message));
  }
  await refresh();
}

const callPath = (action) => `/api/calls/${encodeURIComponent(state.call.id)}/${action}`;

async function setActivity(activity) {
  problem("");
  try {
    state.agent = await api(`/api/agents/${encodeURIComponent(state.me)}/activity`, { method: "PUT", body: JSON.stringify({ activity }) });
  } catch (error) {
    if (error.auth) return showSignIn(error.message);
    problem(t("failed")(error.message));
  }
  await refresh();
}

// The browser call that rings for this offer: the agent's leg's CallSid once Acd knows it, or the one browser call ringing.
function incomingFor(call) {
  const sid = myLeg(call)?.call_sid;
  if (sid && state.incoming.has(sid)) return sid;
  return state.incoming.size === 1 ? [...state.incoming.keys()][0] : null;
}

// The browser call answered here for this offer: known by its CallSid even before Acd's read of the call carries it.
function answeredFor(call) {
  const sid = incomingFor(call);
  return sid && state.answered.has(sid) ? sid : null;
}

function answer() {
  const call = state.call;
  if ($("#offer").hidden || !call) return;
  const sid = state.softphone ? incomingFor(call) : null;
  if (sid) {
    // Twilio connects the leg; Acd hears it answered from Twilio's callback, and the stream brings the call.
    state.softphone.accept(sid);
    state.answered.add(sid);
    render();
    return;
  }
  // Telephony without a network (in memory), or a phone that rang elsewhere and was answered there.
  act("", callPath("accept"), { agent_id: state.me });
}

async function reject() {
  const call = state.call;
  if ($("#offer").hidden || !call) return;
  const sid = state.softphone ? incomingFor(call) : null;
  await act("", callPath("reject"), { agent_id: state.me });
  if (sid) state.softphone.reject(sid);
}

$("#answer").addEventListener("click", answer);
// A key for the answered leg's prompt, as DTMF through the softphone.
function press(digits) {
  const sid = state.call ? answeredFor(state.call) : null;
  if (sid) state.softphone?.sendDigits(sid, digits);
}
$("#take").addEventListener("click", () => press("1"));
$("#call-back").addEventListener("click", () => press("1"));
$("#handled").addEventListener("click", () => press("2"));
$("#reject").addEventListener("click", reject);
$("#hold").addEventListener("click", () => act("", callPath($("#hold").dataset.on === "true" ? "resume" : "hold")));
$("#mute").addEventListener("click", () => act("", callPath($("#mute").dataset.on === "true" ? "unmute" : "mute")));
$("#hangup").addEventListener("click", () => act("", callPath("hangup")));
$("#transfer-complete").addEventListener("click", () => act("", callPath("transfer/complete")));
$("#transfer-cancel").addEventListener("click", () => act("", callPath("transfer/cancel")));
$("#transfer").addEventListener("submit", (e) => {
  e.preventDefault();
  const [kind, id] = $("#transfer-to").value.split(/:(.*)/s);
  if (!id) return;
  act("", callPath("transfer"), { mode: $("#transfer-mode").value, [kind === "queue" ? "to_queue" : "to_agent"]: id });
});
$("#wrapup-done").addEventListener("click", wrapUpDone);
$("#dial").addEventListener("submit", (e) => {
  e.preventDefault();
  const to = $("#dial-to").value.trim();
  if (!to) return;
  act(T().dialed(to), `/api/agents/${encodeURIComponent(state.me)}/calls`, { to });
});

function wrapUpDone() {
  const call = state.call;
  if (call && call.status === "wrap_up" && call.agent_id === state.me) {
    return act("", callPath("complete"), state.code ? { wrap_up_code: state.code } : {});
  }
  // The agent's part of a call they transferred away: leaving WrapUp ends it.
  return setActivity("Available");
}

// Keyboard shortcuts, away from text fields.
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || $("#desk").hidden) return;
  const inField = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement?.tagName) && document.activeElement.type !== "radio";
  if (inField) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const visible = (id) => !$(id).hidden;
  const press = (id) => { const b = $(id); if (b && !b.disabled && b.offsetParent !== null) { e.preventDefault(); b.click(); } };
  if (key === "a" && visible("#offer")) press("#answer");
  else if (key === "r" && visible("#offer")) press("#reject");
  else if (key === "h" && visible("#talk")) press("#hold");
  else if (key === "m" && visible("#talk")) press("#mute");
  else if (key === "x" && visible("#talk")) press("#hangup");
  else if (key === "t" && visible("#talk")) { e.preventDefault(); $("#transfer-to").focus(); }
  else if (key === "d") { e.preventDefault(); $("#dial-to").focus(); }
  else if (/^[1-9]$/.test(key) && visible("#wrapup")) {
    const input = $("#code-list").querySelectorAll("input")[Number(key) - 1];
    if (input) { e.preventDefault(); input.checked = true; state.code = input.value; }
  } else if (key === "Enter" && visible("#wrapup")) press("#wrapup-done");
});

// --- the softphone --------------------------------------------------------------------------------------------------

async function voiceToken() {
  const answer = await api(`/api/agents/${encodeURIComponent(state.me)}/voice-token`);
  // A new token five minutes before this one runs out (Twilio refuses an expired one, and says so late).
  clearTimeout(state.tokenTimer);
  const refreshIn = Math.max(10000, Date.parse(answer.expires_at) - Date.now() - 5 * 60 * 1000);
  state.tokenTimer = setTimeout(renewToken, refreshIn);
  return answer.token;
}

async function renewToken() {
  try {
    const token = await voiceToken();
    state.softphone?.updateToken(token);
  } catch (error) {
    state.phone = "error";
    problem(T().token(error.message));
    render();
  }
}

async function startSoftphone() {
  let token;
  try {
    token = await voiceToken();
  } catch (error) {
    if (error.auth) return showSignIn(error.message);
    // 503 (no API key here) or 409 (the agent is rung on a phone): the phone it is.
    state.phone = "none";
    say(T().noBrowser(error.message));
    render();
    return;
  }
  state.phone = "starting";
  render();
  try {
    state.softphone = await window.AcdSoftphone.start({
      token,
      onIncoming: (call) => { state.incoming.set(call.callSid, call); render(); },
      onGone: (callSid) => { state.incoming.delete(callSid); state.answered.delete(callSid); render(); },
      onState: (value) => { state.phone = value === "ready" ? "ready" : "error"; if (value !== "ready") problem(T().connection(value)); else problem(""); render(); },
      onTokenWillExpire: renewToken,
      onError: (kind, message) => {
        state.phone = kind === "microphone" ? state.phone : "error";
        problem(kind === "microphone" ? t("microphone") : kind === "token" ? T().token(message) : T().connection(message));
        render();
      },
    });
  } catch (error) {
    state.phone = "error";
    problem(T().connection(error?.message || String(error)));
    render();
  }
}

// --- the event stream -----------------------------------------------------------------------------------------------

function setConnection(value) {
  const node = $("#connection");
  node.dataset.state = value;
  node.textContent = t(value);
}

async function stream() {
  let lost = false;
  for (let attempt = 0; ; attempt++) {
    state.abort = new AbortController();
    setConnection("connecting");
    try {
      const headers = { Authorization: `Bearer ${state.token}`, Accept: "text/event-stream" };
      if (state.lastEventId) headers["Last-Event-ID"] = state.lastEventId;
      const response = await fetch(`/api/agents/${encodeURIComponent(state.me)}/events`, { headers, signal: state.abort.signal });
      if (response.status === 401 || response.status === 403) {
        showSignIn(t("badToken"));
        return;
      }
      if (!response.ok || !response.body) throw new Error(response.statusText);
      setConnection("live");
      if (lost) {
        // Back after a drop: what was missed came with Last-Event-ID; the screen is read again all the same.
        say(t("back"));
        lost = false;
        refresh();
      }
      attempt = 0;
      await readEventStream(response, dispatch);
    } catch {
      if (state.abort.signal.aborted) return;
    }
    setConnection("offline");
    if (!lost) {
      lost = true;
      problem(t("lost"));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(10000, 500 * 2 ** attempt)));
  }
}

function dispatch(block) {
  let id = null;
  let type = null;
  for (const line of block.split("\n")) {
    if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("event:")) type = line.slice(6).trim();
  }
  if (id) state.lastEventId = id;
  if (type === null && !id) return; // a comment (keep-alive)
  if ($("#problem").textContent === t("lost")) problem("");
  if (type === "worker.activity.update" || type === "resync") loadTargets();
  refresh();
}


function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  $("#language").textContent = state.lang === "ja" ? "English" : "日本語";
  $("#keys").textContent = t("keys");
  if (state.auth) showProvider($("#oidc-signin"), state.auth.oidc, T().withProvider);
  setConnection($("#connection").dataset.state || "offline");
  render();
}

$("#language").addEventListener("click", () => {
  state.lang = state.lang === "ja" ? "en" : "ja";
  localStorage.setItem("acd.lang", state.lang);
  say("");
  applyLanguage();
});
// Each second: countdowns move on. An offer whose leg is still being sent has no ring time or CallSid yet (a ring
// group's other legs may have both), and neither is an event of its own: it is read again until this agent's leg has them.
setInterval(() => {
  const call = state.call;
  if (call?.status === "offered" && (!call.offer_expires_at || (myLeg(call) && !myLeg(call).call_sid)) && !state.refreshing) refresh();
  render();
}, 1000);
applyLanguage();
if (state.token) {
  start();
} else {
  showSignIn(landing.error);
}
