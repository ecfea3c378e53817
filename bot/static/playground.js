// The playground's chat page: draws the emulated Telegram chat and sends what the person does.
// Every text from the bot or the person is inserted as text nodes built from Telegram's
// entities; nothing untrusted goes through innerHTML.
"use strict";

(() => {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const ui = page.ui;
  const errors = page.errors;
  const locale = document.documentElement.lang;
  const byId = (id) => document.getElementById(id);
  const view = {
    start: byId("start"),
    chat: byId("chat"),
    list: byId("messages"),
    begin: byId("begin"),
    composer: byId("composer"),
    text: byId("text"),
    send: byId("send"),
    menu: byId("menu"),
    menuButton: byId("menu-button"),
    who: byId("who"),
    whoId: byId("who-id"),
    newUser: byId("new-user"),
    toast: byId("toast"),
    alert: byId("alert"),
    alertText: byId("alert-text"),
  };
  const POLL_MS = 500;
  const RETRY_MS = 2000;
  // tdlib's order for entities starting at the same place (outer ones first).
  const PRIORITY = {
    blockquote: 0, expandable_blockquote: 1, pre: 11, code: 20, text_link: 49,
    text_mention: 49, mention: 50, hashtag: 50, cashtag: 50, bot_command: 50, url: 50,
    email: 50, phone_number: 50, bold: 90, italic: 91, underline: 92, strikethrough: 93,
    spoiler: 94, custom_emoji: 99,
  };
  const rendered = new Map(); // message id -> <li>
  let cursor = 0;
  let timer = null;
  let polling = false;
  let pollAgain = false;
  let active = false; // a simulated user is chatting
  let generation = 0; // bumped when the page leaves a chat; late answers for it are dropped
  let offline = false;
  let toastTimer = null;

  // ------------------------------------------------------------------ requests

  async function api(method, path, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (_) {
      return { ok: false, status: 0, error: "network" };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      return { ok: false, status: response.status, error: (data && data.error) || "http_error" };
    }
    return { ok: true, status: response.status, data };
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  async function poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    clearTimeout(timer);
    const asked = generation;
    const result = await api("GET", `/api/messages?after=${cursor}`);
    polling = false;
    if (asked !== generation) {
      pollAgain = false;
    } else if (result.ok) {
      setOffline(false);
      apply(result.data);
      const again = pollAgain;
      pollAgain = false;
      schedule(again ? 0 : POLL_MS);
    } else if (result.status === 401) {
      pollAgain = false;
      showStart();
    } else {
      pollAgain = false;
      setOffline(true);
      schedule(RETRY_MS);
    }
  }

  // ------------------------------------------------------------------ chat state

  function apply(data) {
    if (!active) showChat(data.user);
    if (data.cursor < cursor) clearChat(); // the server started again from the beginning
    const atBottom = isNearBottom();
    let added = false;
    let fromUser = false;
    for (const message of data.messages) {
      const old = rendered.get(message.id);
      if (message.deleted) {
        if (old) old.remove();
        rendered.delete(message.id);
        continue;
      }
      const item = buildMessage(message);
      if (old) {
        old.replaceWith(item);
      } else {
        insertInOrder(item, message.id);
        added = true;
        fromUser = fromUser || !message.from_bot;
      }
      rendered.set(message.id, item);
    }
    for (const notice of data.notices) {
      if (notice.alert) showAlert(notice.text);
      else showToast(notice.text);
    }
    cursor = data.cursor;
    view.begin.hidden = rendered.size > 0;
    if (added && (atBottom || fromUser)) scrollToEnd();
  }

  function insertInOrder(item, id) {
    for (const [otherId, other] of rendered) {
      if (otherId > id) {
        view.list.insertBefore(item, other);
        return;
      }
    }
    view.list.append(item);
  }

  function clearChat() {
    rendered.clear();
    view.list.replaceChildren();
    cursor = 0;
  }

  function showChat(user) {
    active = true;
    view.start.hidden = true;
    view.chat.hidden = false;
    view.composer.hidden = false;
    view.newUser.hidden = false;
    view.who.hidden = false;
    view.whoId.textContent = String(user.id);
    buildMenu(user.commands || []);
  }

  function showStart() {
    active = false;
    generation += 1;
    clearTimeout(timer);
    clearChat();
    view.chat.hidden = true;
    view.composer.hidden = true;
    view.newUser.hidden = true;
    view.who.hidden = true;
    view.start.hidden = false;
  }

  function isNearBottom() {
    const chat = view.chat;
    return chat.scrollHeight - chat.scrollTop - chat.clientHeight < 120;
  }

  function scrollToEnd() {
    view.chat.scrollTop = view.chat.scrollHeight;
  }

  // ------------------------------------------------------------------ drawing messages

  function node(tag, className) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    return element;
  }

  function buildMessage(message) {
    const item = node("li", `message ${message.from_bot ? "from-bot" : "from-user"}`);
    item.dataset.messageId = String(message.id);
    const bubble = node("div", "bubble");
    bubble.dir = "auto";
    if (message.photo) bubble.append(buildPhoto(message.photo));
    if (message.document) bubble.append(buildDocument(message.document));
    const hasText = message.text !== null && message.text !== undefined;
    const text = hasText ? message.text : message.caption;
    if (text) {
      const body = node("div", "text");
      body.dir = "auto";
      body.append(formatted(text, (hasText ? message.entities : message.caption_entities) || []));
      bubble.append(body);
    }
    bubble.append(buildMeta(message));
    item.append(bubble);
    if (message.buttons.length) item.append(buildKeyboard(message));
    return item;
  }

  function buildMeta(message) {
    const meta = node("div", "meta");
    if (message.edited) {
      const edited = node("span", "edited");
      edited.textContent = ui.edited;
      meta.append(edited, " ");
    }
    const time = node("time");
    const date = new Date(message.date * 1000);
    time.dateTime = date.toISOString();
    time.textContent = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" })
      .format(date);
    meta.append(time);
    return meta;
  }

  function buildPhoto(photo) {
    const image = node("img", "photo");
    image.src = photo.url;
    image.alt = ui.photo;
    image.loading = "lazy";
    if (photo.width && photo.height) {
      image.width = photo.width;
      image.height = photo.height;
    }
    const link = node("a", "photo-link");
    link.href = photo.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.append(image);
    return link;
  }

  function buildDocument(documentInfo) {
    const link = node("a", "document");
    link.href = documentInfo.url;
    link.download = documentInfo.name;
    const icon = node("span", "document-icon");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "⤓";
    const name = node("bdi", "document-name");
    name.textContent = documentInfo.name;
    const size = node("span", "document-size");
    size.textContent = `${ui.download} · ${formatSize(documentInfo.size)}`;
    link.append(icon, name, size);
    return link;
  }

  function formatSize(bytes) {
    const kilobytes = Math.max(1, Math.round(bytes / 1024));
    return new Intl.NumberFormat(locale, { style: "unit", unit: "kilobyte" }).format(kilobytes);
  }

  function buildKeyboard(message) {
    const keyboard = node("div", "keyboard");
    for (const row of message.buttons) {
      const line = node("div", "keyboard-row");
      for (const button of row) line.append(buildButton(message.id, button, keyboard));
      keyboard.append(line);
    }
    return keyboard;
  }

  function buildButton(messageId, button, keyboard) {
    if (button.url !== undefined) {
      const href = safeUrl(button.url);
      if (href) {
        const link = node("a", "key key-link");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.dir = "auto";
        link.textContent = button.text;
        return link;
      }
    }
    const key = node("button", "key");
    key.type = "button";
    key.dir = "auto";
    key.textContent = button.text;
    if (button.data === undefined) key.disabled = true;
    else key.addEventListener("click", () => press(messageId, button.data, keyboard));
    return key;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  function entityNode(entity, covered) {
    switch (entity.type) {
      case "bold": return node("b");
      case "italic": return node("i");
      case "underline": return node("u");
      case "strikethrough": return node("s");
      case "code": return node("code");
      case "pre": return node("pre");
      case "blockquote":
      case "expandable_blockquote": return node("blockquote");
      case "spoiler": {
        const spoiler = node("span", "tg-spoiler");
        spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
        return spoiler;
      }
      case "text_link": return linkNode(entity.url);
      case "url":
        return ltr(linkNode(/^[a-z][a-z0-9+.-]*:/i.test(covered) ? covered : `https://${covered}`));
      case "email": return ltr(linkNode(`mailto:${covered}`));
      case "bot_command": {
        const command = ltr(node("a", "command"));
        command.href = "#";
        command.addEventListener("click", (event) => {
          event.preventDefault();
          sendText(covered.split("@")[0]);
        });
        return command;
      }
      default: return node("span", `entity-${String(entity.type).replace(/[^a-z_]/g, "")}`);
    }
  }

  // Commands, addresses and e-mails read left to right even inside Persian text.
  function ltr(element) {
    element.dir = "ltr";
    return element;
  }

  function linkNode(url) {
    const href = safeUrl(url);
    if (!href) return node("span");
    const link = node("a");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  // Text plus entities (UTF-16 offsets, as JavaScript strings count) -> DOM nodes. An entity
  // that crosses the end of an inner one is closed and reopened, as Telegram's HTML does.
  function formatted(text, entities) {
    const root = document.createDocumentFragment();
    const items = entities
      .filter((e) => e.length > 0 && e.offset >= 0 && e.offset < text.length)
      .map((e) => ({ e, start: e.offset, end: Math.min(e.offset + e.length, text.length) }))
      .sort((a, b) => a.start - b.start || b.end - a.end
        || (PRIORITY[a.e.type] ?? 100) - (PRIORITY[b.e.type] ?? 100));
    const points = [...new Set(items.flatMap((i) => [i.start, i.end]).concat([text.length]))]
      .sort((a, b) => a - b);
    const stack = [];
    const top = () => (stack.length ? stack[stack.length - 1].element : root);
    const open = (item) => {
      const element = entityNode(item.e, text.slice(item.start, item.end));
      top().append(element);
      stack.push({ item, element });
    };
    let position = 0;
    let next = 0;
    for (const point of points) {
      if (point > position) {
        top().append(document.createTextNode(text.slice(position, point)));
        position = point;
      }
      const reopen = [];
      while (stack.some((entry) => entry.item.end === point)) {
        const entry = stack.pop();
        if (entry.item.end !== point) reopen.push(entry.item);
      }
      for (const item of reopen.reverse()) open(item);
      while (next < items.length && items[next].start === point) open(items[next++]);
    }
    return root;
  }

  // ------------------------------------------------------------------ acting

  async function sendText(text) {
    const result = await api("POST", "/api/send", { text });
    if (!result.ok) {
      showError(result);
      return false;
    }
    poll();
    return true;
  }

  async function press(messageId, data, keyboard) {
    const keys = keyboard.querySelectorAll("button");
    for (const key of keys) key.disabled = true;
    const result = await api("POST", "/api/press", { message_id: messageId, data });
    if (!result.ok) showError(result);
    poll();
    // The bot usually replaces the keyboard; if it keeps it, it can be pressed again.
    setTimeout(() => {
      for (const key of keys) key.disabled = false;
    }, 1000);
  }

  async function startAs(language) {
    const result = await api("POST", "/api/user", { language });
    if (!result.ok) {
      showError(result);
      return;
    }
    window.location.assign(`/?lang=${encodeURIComponent(language)}`);
  }

  function buildMenu(commands) {
    const items = commands.map((command) => {
      const item = node("li");
      const button = node("button", "menu-item");
      button.type = "button";
      const name = node("bdi", "menu-command");
      name.textContent = `/${command.command}`;
      const description = node("span", "menu-description");
      description.textContent = command.description;
      button.append(name, description);
      button.addEventListener("click", () => {
        toggleMenu(false);
        sendText(`/${command.command}`);
      });
      item.append(button);
      return item;
    });
    view.menu.replaceChildren(...items);
    view.menuButton.hidden = items.length === 0;
  }

  function toggleMenu(open) {
    view.menu.hidden = !open;
    view.menuButton.setAttribute("aria-expanded", String(open));
  }

  // ------------------------------------------------------------------ notices

  // A bot command as Telegram finds one in plain text (tdlib's rule, as the emulator's).
  const COMMAND =
    /(?<![\p{L}\p{N}_/<>])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\p{L}\p{N}_/<>@])/gu;

  // A toast or an alert is plain text, without entities: its commands get the isolation the
  // chat's command entities get, or Persian around "/start" shows it as "start/".
  function withCommands(text) {
    const parts = [];
    let position = 0;
    for (const match of text.matchAll(COMMAND)) {
      const command = ltr(node("bdi", "command"));
      command.textContent = match[0];
      parts.push(text.slice(position, match.index), command);
      position = match.index + match[0].length;
    }
    parts.push(text.slice(position));
    return parts;
  }

  function showError(result) {
    if (result.error === "no_user") {
      showStart();
      return;
    }
    showToast(errors[result.error] || errors.http_error);
  }

  function showToast(text, sticky = false) {
    clearTimeout(toastTimer);
    view.toast.replaceChildren(...withCommands(text));
    view.toast.hidden = false;
    if (!sticky) toastTimer = setTimeout(() => { view.toast.hidden = true; }, 3000);
  }

  function showAlert(text) {
    view.alertText.replaceChildren(...withCommands(text));
    view.alert.hidden = false;
    byId("alert-close").focus();
  }

  function setOffline(isOffline) {
    if (isOffline === offline) return;
    offline = isOffline;
    if (offline) showToast(ui.connection_lost, true);
    else view.toast.hidden = true;
  }

  // ------------------------------------------------------------------ wiring

  function fitText() {
    view.text.style.height = "auto";
    view.text.style.height = `${Math.min(view.text.scrollHeight, 160)}px`;
  }

  view.composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = view.text.value;
    if (!text.trim()) return;
    view.send.disabled = true;
    if (await sendText(text)) {
      view.text.value = "";
      fitText();
    }
    view.send.disabled = false;
    view.text.focus();
  });
  view.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      view.composer.requestSubmit();
    }
  });
  view.text.addEventListener("input", fitText);
  view.menuButton.addEventListener("click", (event) => {
    event.stopPropagation();
    toggleMenu(view.menu.hidden);
  });
  document.addEventListener("click", (event) => {
    if (!view.menu.hidden && !view.menu.contains(event.target)) toggleMenu(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    toggleMenu(false);
    view.alert.hidden = true;
  });
  byId("start-bot").addEventListener("click", () => sendText("/start"));
  byId("alert-close").addEventListener("click", () => { view.alert.hidden = true; });
  view.newUser.addEventListener("click", showStart);
  for (const choice of document.querySelectorAll("[data-language]")) {
    choice.addEventListener("click", () => startAs(choice.dataset.language));
  }
  if (page.chatting) poll();
  else showStart();
})();
