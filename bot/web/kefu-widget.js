/*
 * Kefu web chat widget: paste one tag into the shop's pages.
 *
 *   <script src="https://BOT-HOST/webhooks/widget/kefu-widget.js" defer></script>
 *
 * Optional attributes: data-server (default: the script's own origin), data-title, data-open="true"
 * (start opened), data-inline="#selector" (render inside an element instead of a floating button).
 * Talks socket.io to Rasa's socketio channel (events user_uttered / bot_uttered, session persistence),
 * keeps the session across page loads (localStorage), sends the browser language as a hint, lays out
 * right-to-left text right-to-left, and shows replies a human agent sends after a handoff.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var server = (script && script.getAttribute("data-server")) || (script ? new URL(script.src).origin : location.origin);
  var title = (script && script.getAttribute("data-title")) || "Chat with us";
  var inline = script && script.getAttribute("data-inline");
  var startOpen = script && script.getAttribute("data-open") === "true";
  var KEY = "kefu.session";
  var HISTORY = "kefu.history";
  var RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

  var css = [
    ".kefu-launch{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;",
    "background:#0f766e;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px #0003;z-index:2147483000}",
    ".kefu-box{position:fixed;right:20px;bottom:88px;width:360px;height:520px;max-height:calc(100vh - 110px);",
    "display:none;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden;",
    "box-shadow:0 8px 30px #0003;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,'Segoe UI','Noto Sans',",
    "'PingFang SC','Hiragino Sans','Malgun Gothic',sans-serif;color:#111}",
    ".kefu-box.kefu-open{display:flex}.kefu-box.kefu-inline{position:static;width:100%;height:100%;max-height:none;",
    "display:flex;box-shadow:none;border-radius:0}",
    ".kefu-head{background:#0f766e;color:#fff;padding:12px 14px;display:flex;justify-content:space-between;align-items:center}",
    ".kefu-head b{font-size:16px}.kefu-close{background:none;border:0;color:#fff;font-size:22px;cursor:pointer}",
    ".kefu-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f8fafc}",
    ".kefu-msg{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word}",
    ".kefu-user{align-self:flex-end;background:#0f766e;color:#fff}",
    ".kefu-bot{align-self:flex-start;background:#fff;border:1px solid #e2e8f0}",
    ".kefu-msg[dir=rtl].kefu-bot{align-self:flex-end}.kefu-msg[dir=rtl].kefu-user{align-self:flex-start}",
    ".kefu-buttons{display:flex;flex-wrap:wrap;gap:6px}",
    ".kefu-buttons button{border:1px solid #0f766e;background:#fff;color:#0f766e;border-radius:16px;padding:5px 12px;",
    "cursor:pointer;font:inherit}",
    ".kefu-typing{align-self:flex-start;color:#64748b;font-size:13px;display:none}.kefu-typing.kefu-on{display:block}",
    ".kefu-form{display:flex;gap:8px;padding:10px;border-top:1px solid #e2e8f0}",
    ".kefu-form input{flex:1;min-width:0;padding:9px 12px;border:1px solid #cbd5e1;border-radius:20px;font:inherit}",
    ".kefu-form button{background:#0f766e;color:#fff;border:0;border-radius:20px;padding:0 16px;font:inherit;cursor:pointer}",
    ".kefu-status{font-size:12px;color:#b45309;padding:0 12px}",
    "@media (max-width:480px){.kefu-box:not(.kefu-inline){right:0;bottom:0;width:100vw;height:100vh;max-height:none;border-radius:0}}"
  ].join("");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function direction(text) { return RTL.test(text || "") ? "rtl" : "ltr"; }

  function loadSocketIo(done) {
    if (window.io) return done();
    var s = document.createElement("script");
    s.src = server + "/webhooks/widget/socket.io.min.js";
    s.onload = done;
    s.onerror = function () { status("Chat is unavailable right now."); };
    document.head.appendChild(s);
  }

  var style = el("style"); style.textContent = css; document.head.appendChild(style);
  var box = el("section", "kefu-box"); box.setAttribute("aria-label", title); box.setAttribute("role", "dialog");
  var head = el("div", "kefu-head"); head.appendChild(el("b", "", title));
  var close = el("button", "kefu-close", "×"); close.setAttribute("aria-label", "Close"); head.appendChild(close);
  var log = el("div", "kefu-log"); log.setAttribute("aria-live", "polite");
  var typing = el("div", "kefu-typing", "…"); typing.setAttribute("data-testid", "kefu-typing");
  var statusLine = el("div", "kefu-status");
  var form = el("form", "kefu-form");
  var input = el("input"); input.placeholder = "Type a message…"; input.setAttribute("aria-label", "Message");
  input.autocomplete = "off"; input.maxLength = 4000;
  var send = el("button", "", "Send"); send.type = "submit";
  form.appendChild(input); form.appendChild(send);
  box.appendChild(head); box.appendChild(log); box.appendChild(statusLine); box.appendChild(form);
  log.appendChild(typing);

  var launch = el("button", "kefu-launch", "💬"); launch.setAttribute("aria-label", title);
  function mount() {
    if (inline) {
      var host = document.querySelector(inline);
      box.classList.add("kefu-inline"); close.style.display = "none";
      (host || document.body).appendChild(box);
    } else {
      document.body.appendChild(box); document.body.appendChild(launch);
      if (startOpen) box.classList.add("kefu-open");
    }
  }
  launch.onclick = function () { box.classList.toggle("kefu-open"); if (box.classList.contains("kefu-open")) input.focus(); };
  close.onclick = function () { box.classList.remove("kefu-open"); };

  function status(text) { statusLine.textContent = text || ""; }
  function remember(entry) {
    try {
      var items = JSON.parse(sessionStorage.getItem(HISTORY) || "[]");
      items.push(entry); sessionStorage.setItem(HISTORY, JSON.stringify(items.slice(-100)));
    } catch (e) { /* storage full or disabled: the conversation still works */ }
  }
  function bubble(text, who, keep) {
    var msg = el("div", "kefu-msg kefu-" + who, text);
    msg.dir = direction(text);
    log.insertBefore(msg, typing); log.scrollTop = log.scrollHeight;
    if (keep !== false) remember({who: who, text: text});
    return msg;
  }
  function buttons(list) {
    var row = el("div", "kefu-buttons");
    list.forEach(function (b) {
      var btn = el("button", "", b.title); btn.type = "button"; btn.dir = direction(b.title);
      btn.onclick = function () { row.remove(); say(b.payload, b.title); };
      row.appendChild(btn);
    });
    log.insertBefore(row, typing); log.scrollTop = log.scrollHeight;
  }

  var socket = null, sessionId = null, typingTimer = null;
  function setTyping(on) {
    typing.classList.toggle("kefu-on", on);
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { setTyping(false); }, 15000);
  }
  function say(message, shown) {
    if (!socket || !sessionId) { status("Connecting…"); return; }
    bubble(shown || message, "user");
    setTyping(true);
    socket.emit("user_uttered", {message: message, session_id: sessionId,
                                 metadata: {locale: navigator.language, page: location.pathname}});
  }
  form.onsubmit = function (e) {
    e.preventDefault();
    var text = input.value; if (!text.trim()) return;
    input.value = ""; say(text);
  };

  function start() {
    try { JSON.parse(sessionStorage.getItem(HISTORY) || "[]").forEach(function (m) { bubble(m.text, m.who, false); }); }
    catch (e) { /* ignore a corrupt history */ }
    socket = window.io(server, {path: "/socket.io", transports: ["websocket", "polling"]});
    socket.on("connect", function () {
      status("");
      socket.emit("session_request", {session_id: localStorage.getItem(KEY)});
    });
    socket.on("session_confirm", function (id) {
      sessionId = typeof id === "string" ? id : (id && id.session_id);
      localStorage.setItem(KEY, sessionId);
      box.setAttribute("data-session", sessionId);
    });
    socket.on("bot_uttered", function (reply) {
      setTyping(false);
      if (reply.text) bubble(reply.text, "bot");
      var list = reply.quick_replies || reply.buttons;
      if (list && list.length) buttons(list);
    });
    socket.on("disconnect", function () { status("Reconnecting…"); });
    socket.on("connect_error", function () { status("Cannot reach the chat server, retrying…"); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount); else mount();
  loadSocketIo(start);
  window.KefuWidget = {say: say, open: function () { box.classList.add("kefu-open"); }};
})();
