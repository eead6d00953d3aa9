// What the dashboard and the agent page share (served with each: /dashboard/acd-common.js, /agent/acd-common.js).
"use strict";

// A DOM element: attributes (dataset, on<event> handlers, the rest as attributes) and children (nodes or text).
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  }
  return node;
}

// What a token says of whom it was issued to (not checked here: Acd checks it on every request).
function claims(token) {
  try {
    return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return {};
  }
}

// Reads a server-sent event stream (a fetch response, so the token travels in a header) until it ends, handing each
// event's block of lines to onBlock.
async function readEventStream(response, onBlock) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      onBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

// How this Acd signs people in (GET /auth/config): an OpenID Connect provider, Development's pick-your-agent sign-in.
async function authConfig() {
  try {
    const response = await fetch("/auth/config");
    if (response.ok) return await response.json();
  } catch {
    // Acd unreachable: the token form is all there is.
  }
  return { oidc: null, development_sign_in: false };
}

// What a sign-in brought back in the address's fragment (#token= or #error=), taken off the address so that a reload,
// a bookmark or a shared link does not carry it.
function takeLanding() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const landing = { token: hash.get("token"), error: hash.get("error") };
  if (landing.token || landing.error) history.replaceState(null, "", location.pathname);
  return landing;
}

// The provider's sign-in link, back to this page afterwards; hidden without a provider.
function showProvider(container, oidc, text) {
  container.hidden = !oidc;
  if (!oidc) return;
  const link = container.querySelector("a");
  link.href = `${oidc.login}?return_to=${encodeURIComponent(location.pathname)}`;
  link.textContent = text(oidc.name);
}
