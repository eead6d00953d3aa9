// The agent page's one boundary to Twilio's Voice JavaScript SDK (@twilio/voice-sdk, fetched by the build and served as
// twilio.min.js). A test, or a site with another softphone, defines window.AcdSoftphone before this file runs and the
// page uses that instead: start(options) resolves to { accept(callSid), reject(callSid), sendDigits(callSid, digits),
// updateToken(token), stop() }
// and reports through options.onIncoming({ callSid, from }), onGone(callSid), onState("ready" | "offline"),
// onError(kind, message) with kind "microphone", "token" or "connection", and onTokenWillExpire().
"use strict";

window.AcdSoftphone = window.AcdSoftphone || (() => {
  function loadSdk() {
    if (window.Twilio?.Device) return Promise.resolve(window.Twilio);
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "twilio.min.js";
      script.onload = () => (window.Twilio?.Device ? resolve(window.Twilio) : reject(new Error("twilio.min.js has no Device")));
      script.onerror = () => reject(new Error("twilio.min.js is not served here (the build could not fetch @twilio/voice-sdk)"));
      document.head.append(script);
    });
  }

  // Twilio's error codes: 31401/31402/31208 are the microphone, 20101-20157 and 31204-31205 the token.
  function kindOf(error) {
    const code = Number(error?.code);
    if ([31401, 31402, 31208].includes(code) || error?.name === "NotAllowedError") return "microphone";
    if ((code >= 20101 && code <= 20157) || code === 31204 || code === 31205) return "token";
    return "connection";
  }

  return {
    async start(options) {
      const Twilio = await loadSdk();
      // Edge tokyo: the softphone's media and signalling enter Twilio in Japan (docs/conference-rules.md, "Where things run").
      const device = new Twilio.Device(options.token, { edge: "tokyo", closeProtection: true, tokenRefreshMs: 5 * 60 * 1000 });
      const calls = new Map();
      device.on("registered", () => options.onState("ready"));
      device.on("unregistered", () => options.onState("offline"));
      device.on("tokenWillExpire", () => options.onTokenWillExpire());
      device.on("error", (error) => options.onError(kindOf(error), error?.message || String(error)));
      device.on("incoming", (call) => {
        const callSid = call.parameters?.CallSid;
        calls.set(callSid, call);
        const gone = () => { calls.delete(callSid); options.onGone(callSid); };
        call.on("cancel", gone);
        call.on("disconnect", gone);
        call.on("reject", gone);
        call.on("error", (error) => options.onError(kindOf(error), error?.message || String(error)));
        options.onIncoming({ callSid, from: call.parameters?.From });
      });
      await device.register();
      return {
        accept(callSid) { calls.get(callSid)?.accept(); },
        reject(callSid) { calls.get(callSid)?.reject(); },
        sendDigits(callSid, digits) { calls.get(callSid)?.sendDigits(digits); },
        updateToken(token) { device.updateToken(token); },
        stop() { device.destroy(); },
      };
    },
  };
})();
