// Kenesh Mini App: passes Telegram's init data with each request, puts the page the server rendered in place,
// colours it with Telegram's theme. Nothing is loaded from outside: when Telegram's own script is absent, the
// launch parameters come from the URL fragment Telegram opens the page with
// (https://docs.telegram-mini-apps.com/platform/launch-parameters), and events go to the client directly.
(function () {
  "use strict";

  var STORE = "kenesh.launch"; // sessionStorage, not a cookie: the fragment is gone after a reload in some clients
  var app = document.getElementById("app");
  var state = { page: "year", council: null, lang: null, params: {} };
  var launch = readLaunch();

  function readLaunch() {
    var tg = window.Telegram && window.Telegram.WebApp;
    var fragment = new URLSearchParams(location.hash.slice(1));
    var found = {
      data: fragment.get("tgWebAppData"),
      theme: fragment.get("tgWebAppThemeParams"),
      version: fragment.get("tgWebAppVersion")
    };
    if (found.data) {
      try { sessionStorage.setItem(STORE, JSON.stringify(found)); } catch (e) { /* storage may be off */ }
      history.replaceState(null, "", location.pathname + location.search); // the init data leaves the address bar
    } else {
      try { found = JSON.parse(sessionStorage.getItem(STORE) || "null") || found; } catch (e) { /* none kept */ }
    }
    var theme = {};
    try { theme = JSON.parse(found.theme || "{}") || {}; } catch (e) { theme = {}; }
    if (tg && tg.initData) { found.data = tg.initData; }
    if (tg && tg.themeParams && Object.keys(tg.themeParams).length) { theme = tg.themeParams; }
    if (tg && tg.version) { found.version = tg.version; }
    return { initData: found.data || "", theme: theme, version: found.version || "6.0" };
  }

  function applyTheme(theme) {
    var root = document.documentElement;
    Object.keys(theme).forEach(function (key) {
      var value = String(theme[key]);
      if (/^[a-z_]+$/.test(key) && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    });
    var bg = theme.bg_color;
    if (bg && /^#[0-9a-fA-F]{6}$/.test(bg)) {
      var n = parseInt(bg.slice(1), 16);
      var light = (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
      root.dataset.scheme = light < 0.5 ? "dark" : "light";
    }
  }

  // Events to the Telegram client, as its own script sends them (https://core.telegram.org/api/web-events).
  function postEvent(type, data) {
    var body = JSON.stringify(data || {});
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(type, body);
      return true;
    }
    if (window.external && "notify" in window.external) {
      window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
      return true;
    }
    if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "https://web.telegram.org");
      return true;
    }
    return false;
  }

  function versionAtLeast(version, wanted) {
    var a = String(version).split("."), b = wanted.split(".");
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      var x = parseInt(a[i] || "0", 10), y = parseInt(b[i] || "0", 10);
      if (x !== y) { return x > y; }
    }
    return true;
  }

  // Telegram.WebApp.downloadFile where the client has it (Bot API 8.0); else its event; else none.
  function downloader() {
    var tg = window.Telegram && window.Telegram.WebApp;
    if (tg && typeof tg.downloadFile === "function") {
      return function (url, name) { tg.downloadFile({ url: url, file_name: name }); };
    }
    var bridged = window.TelegramWebviewProxy || (window.external && "notify" in window.external) ||
      window.parent !== window;
    if (bridged && versionAtLeast(launch.version, "8.0")) {
      return function (url, name) { postEvent("web_app_request_file_download", { url: url, file_name: name }); };
    }
    return null;
  }

  function text(name) {
    var lang = state.lang || document.documentElement.lang || "ky";
    return document.body.getAttribute("data-" + name + "-" + lang) || document.body.getAttribute("data-" + name + "-ky");
  }

  function say(message, retry) {
    app.textContent = "";
    var p = document.createElement("p");
    p.className = "alert";
    p.textContent = message;
    app.appendChild(p);
    if (retry) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "retry";
      button.textContent = text("retry");
      button.addEventListener("click", function () { show(state.page, state.params); });
      app.appendChild(button);
    }
  }

  function request(path, body) {
    body.council = state.council;
    body.lang = state.lang;
    return fetch("api/" + path, {
      method: "POST",
      headers: { "Authorization": "tma " + launch.initData, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    });
  }

  function show(page, params, keepPlace) {
    state.page = page;
    state.params = params || {};
    app.setAttribute("aria-busy", "true");
    app.classList.remove("only-mine");  // each page comes with its filter unticked
    return request(page, Object.assign({}, state.params)).then(function (response) {
      return response.text().then(function (html) {
        app.innerHTML = html;
        app.removeAttribute("aria-busy");
        var view = app.firstElementChild;
        if (view && view.dataset.council) { state.council = parseInt(view.dataset.council, 10); }
        if (view && view.dataset.lang) {
          state.lang = view.dataset.lang;
          document.documentElement.lang = state.lang;
        }
        if (!keepPlace) { window.scrollTo(0, 0); }  // more of the same page: the reader stays where they were
      });
    }).catch(function () {
      app.removeAttribute("aria-busy");
      say(text("offline"), true);
    });
  }

  function fetchFile(button) {
    var kind = button.dataset.file, id = parseInt(button.dataset.id, 10);
    var download = downloader();
    var note = button.parentNode.querySelector(".notice");
    if (note) { note.remove(); }
    button.disabled = true;
    var done = function () { button.disabled = false; };
    if (download) {
      return request("link", { kind: kind, id: id }).then(function (response) {
        if (!response.ok) {  // why not (the file is gone, the page is too old), in the reader's language
          return response.text().then(function (html) { button.insertAdjacentHTML("afterend", html); });
        }
        return response.json().then(function (link) {
          download(new URL(link.url, location.href).href, link.name);
        });
      }).then(done, done);
    }
    return request("send", { kind: kind, id: id }).then(function (response) {
      return response.text().then(function (html) { button.insertAdjacentHTML("afterend", html); });
    }).then(done, done);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || !app.contains(target)) { return; }
    if (target.dataset.page) { show(target.dataset.page); }
    else if (target.dataset.meeting) { show("meeting", { meeting: parseInt(target.dataset.meeting, 10) }); }
    else if (target.dataset.lang) { state.lang = target.dataset.lang; show(state.page, state.params); }
    else if (target.dataset.pick) { state.council = null; show("pick"); }
    else if (target.dataset.councilPick) { state.council = parseInt(target.dataset.councilPick, 10); show("year"); }
    else if (target.dataset.file) { fetchFile(target); }
    else if (target.dataset.more) { show(state.page, Object.assign({}, state.params, { all: true }), true); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.search) {
      event.preventDefault();
      show("materials", { q: form.elements.q.value });
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.dataset && box.dataset.filter === "mine") {
      app.classList.toggle("only-mine", box.checked);
    }
  });

  applyTheme(launch.theme);
  if (downloader()) { document.documentElement.classList.add("can-download"); }
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  if (!launch.initData) {
    var lang = (navigator.language || "ky").slice(0, 2) === "ru" ? "ru" : "ky";
    state.lang = lang;
    say(text("outside"), false);
  } else {
    show("year");
  }
})();
