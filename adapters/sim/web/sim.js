// The simulator page: chat as several members of a group, or privately,
// and press the options the bot offers.
"use strict";

// The personas: three learners, a mentor who answers escalated cases and
// a member of the programme staff (huddle run makes them so when the
// simulator is the only channel).
const members = [
  { id: "amina", name: "Amina", role: "midwife" },
  { id: "brigitte", name: "Brigitte", role: "nurse" },
  { id: "chinedu", name: "Chinedu", role: "CHW" },
  { id: "mentor", name: "Dr Otieno", role: "mentor" },
  { id: "staff", name: "Grace", role: "staff" },
];
const chats = [{ id: "ward-7", type: "group", title: "Ward 7 midwives", label: "Ward 7 (group)" }]
  .concat(members.map((m) => ({ id: "dm-" + m.id, type: "direct", title: "", label: m.name + " (private)", member: m.id })));

const state = { chat: chats[0], member: members[0], messages: [], after: 0, replyTo: null, file: null };
const $ = (sel) => document.querySelector(sel);

function chip(label, onclick, data) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "chip";
  b.textContent = label;
  Object.assign(b.dataset, data);
  b.onclick = onclick;
  return b;
}

// The header's chips are built once; choosing one only updates their state,
// so nothing under the pointer is replaced while someone clicks.
function buildHeader() {
  for (const c of chats) {
    $("#chats").append(chip(c.label, () => {
      state.chat = c;
      if (c.member) state.member = members.find((m) => m.id === c.member);
      updateHeader();
      render();
    }, { chat: c.id }));
  }
  for (const m of members) {
    $("#members").append(chip(m.name + " (" + m.role + ")", () => { state.member = m; updateHeader(); markMine(); }, { member: m.id }));
  }
  updateHeader();
}

function updateHeader() {
  for (const b of $("#chats").querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(b.dataset.chat === state.chat.id));
  }
  for (const b of $("#members").querySelectorAll("button")) {
    const locked = Boolean(state.chat.member && state.chat.member !== b.dataset.member);
    b.setAttribute("aria-pressed", String(b.dataset.member === state.member.id));
    b.disabled = locked;
    b.style.opacity = locked ? ".4" : "";
  }
}

function markMine() {
  for (const div of $("#log").querySelectorAll(".msg")) {
    div.classList.toggle("mine", div.dataset.bot === "false" && div.dataset.from === state.member.id);
  }
  // A press's answer is shown to the member who pressed alone.
  for (const div of $("#log").querySelectorAll(".msg.toast")) {
    div.hidden = div.dataset.to !== state.member.id;
  }
}

// fileURL is where a message's file is downloaded: a private chat's files
// go to its member alone.
function fileURL(m) {
  const c = chats.find((c) => c.id === m.chat);
  return m.file.url + (c && c.member ? "?as=" + encodeURIComponent(c.member) : "");
}

// render redraws the current chat; append adds new messages to it.
function render() {
  const log = $("#log");
  log.textContent = "";
  replyTo(null);
  append(state.messages.filter((m) => m.chat === state.chat.id));
}

function append(batch) {
  const log = $("#log");
  const shown = batch.filter((m) => m.chat === state.chat.id);
  const empty = log.querySelector(".empty");
  if (shown.length && empty) empty.remove();
  if (!log.children.length && !shown.length) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = "No messages yet. Try /lessons, then /lesson hand-hygiene.";
    log.append(p);
    return;
  }
  const byId = new Map(state.messages.map((m) => [m.id, m]));
  for (const m of shown) {
    if (m.removes) {
      // The bot took a member's message down (a case's photo, until its
      // author has checked it).
      const target = log.querySelector(`.msg[data-id="${CSS.escape(m.removes)}"]`);
      if (target) removed(target);
      continue;
    }
    if (m.react) {
      // The bot's verdict on a typed answer: an emoji under it.
      const target = log.querySelector(`.msg[data-id="${CSS.escape(m.reply_to || "")}"]`);
      if (target) {
        let r = target.querySelector(".reactions");
        if (!r) {
          r = document.createElement("span");
          r.className = "reactions";
          target.append(r);
        }
        r.textContent += m.react;
      }
      continue;
    }
    const div = document.createElement("div");
    div.className = m.toast ? "msg toast" : "msg";
    div.dataset.id = m.id;
    if (m.toast) div.dataset.to = m.to;
    div.dataset.bot = String(m.bot);
    div.dataset.from = m.from || "";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.bot ? (m.toast ? "Huddle, to you alone" : "Huddle") : (m.from_name || m.from);
    div.append(who);
    if (m.reply_to && byId.has(m.reply_to)) {
      const r = byId.get(m.reply_to), q = document.createElement("span");
      q.className = "reply";
      q.textContent = (r.bot ? "Huddle" : (r.from_name || r.from)) + ": " + r.text.slice(0, 60);
      div.append(q);
    }
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = m.text;
    div.append(text);
    const rb = document.createElement("button");
    rb.type = "button";
    rb.className = "reply-btn";
    rb.textContent = "↩ Reply";
    rb.title = "Reply to this message";
    rb.onclick = () => replyTo(m);
    div.append(rb);
    const media = m.file && { image: "img", audio: "audio", video: "video" }[m.file.mime_type.split("/")[0]];
    if (media) {
      // A lesson's picture, sound or video: shown or played, as a chat
      // app does.
      const el = document.createElement(media);
      el.className = media === "img" ? "photo" : "media";
      // The picture loads after the log was scrolled to its end, and
      // grows it: the newest message stays in view, unless the reader
      // has scrolled back up.
      el.addEventListener(media === "img" ? "load" : "loadedmetadata", () => {
        if (log.scrollHeight - log.scrollTop - log.clientHeight <= el.offsetHeight + 48) log.scrollTop = log.scrollHeight;
      });
      el.src = fileURL(m);
      if (media === "img") el.alt = m.file.name;
      else el.controls = true;
      div.append(el);
    } else if (m.file) {
      const a = document.createElement("a");
      a.className = "file";
      a.href = fileURL(m);
      a.download = m.file.name;
      a.textContent = "📎 " + m.file.name + " (" + size(m.file.size) + ")";
      div.append(a);
    }
    if (m.options && m.options.length) {
      const opts = document.createElement("div");
      opts.className = "options";
      for (const o of m.options) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "option";
        b.textContent = o.label;
        b.dataset.data = o.data;
        b.onclick = () => press(m, o);
        opts.append(b);
      }
      div.append(opts);
    }
    log.append(div);
  }
  markMine();
  log.scrollTop = log.scrollHeight;
}

// removed shows a member's message the bot took down: its sender and a
// note, nothing of what it held.
function removed(div) {
  for (const el of [...div.children]) if (!el.classList.contains("who")) el.remove();
  div.classList.add("removed");
  const note = document.createElement("span");
  note.className = "text";
  note.textContent = "🚫 Taken down by Huddle";
  div.append(note);
}

function size(bytes) {
  return bytes < 1024 ? bytes + " B" : (bytes / 1024).toFixed(1) + " KB";
}

async function call(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  $("#status").textContent = res.ok ? "" : (data.error || "The bot did not answer (" + res.status + ").");
  return res.ok;
}

function who() {
  return { chat: state.chat.id, sender: state.member.id, name: state.member.name };
}

// replyTo makes the next message a reply to m (none when null), as a
// platform's swipe-to-reply does: mentors answer a case this way.
function replyTo(m) {
  state.replyTo = m;
  const bar = $("#replying");
  bar.hidden = !m;
  if (m) {
    $("#replying-text").textContent = "Replying to " + (m.bot ? "Huddle" : (m.from_name || m.from)) + ": " + m.text.slice(0, 80);
    $("#text").focus();
  }
}

// Presses go one after another, in the order they were made, as a
// platform delivers them: quick taps on a multi-select question, then
// Done, must not overtake each other.
let pressing = Promise.resolve();
function press(m, o) {
  const body = Object.assign(who(), { message_id: m.id, data: o.data });
  pressing = pressing.then(() => call("/api/press", body));
  return pressing;
}

// attach keeps a photo or voice note to send with the next message (its
// text the caption), as a chat app's paperclip does; null removes it.
function attach(file) {
  state.file = file;
  $("#attached").hidden = !file;
  $("#attached-name").textContent = file ? "📎 " + file.name + " (" + size(file.size) + ")" : "";
  if (!file) $("#file").value = "";
}

// base64 reads a file's bytes as base64, as the API takes them.
function base64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(",", 2)[1] || "");
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

$("#file").onchange = () => attach($("#file").files[0] || null);
$("#attached-cancel").onclick = () => attach(null);

$("#composer").onsubmit = async (e) => {
  e.preventDefault();
  const input = $("#text"), text = input.value;
  if (!text.trim() && !state.file) return;
  input.value = "";
  const body = Object.assign(who(), { text, chat_type: state.chat.type, chat_title: state.chat.title });
  if (state.replyTo) body.reply_to = state.replyTo.id;
  if (state.file) {
    body.file = { name: state.file.name, mime_type: state.file.type, data: await base64(state.file) };
  }
  if (await call("/api/messages", body)) {
    replyTo(null);
    attach(null);
  } else input.value = text;
};
$("#replying-cancel").onclick = () => replyTo(null);

async function poll() {
  for (;;) {
    try {
      const res = await fetch("/api/messages?" + chats.map((c) => "chat=" + encodeURIComponent(c.id)).join("&") +
        "&after=" + state.after + "&wait=20s");
      const batch = await res.json();
      if (batch.length) {
        state.messages.push(...batch);
        state.after = batch[batch.length - 1].seq;
        append(batch);
      }
    } catch (err) {
      $("#status").textContent = "Lost the connection to Huddle; retrying…";
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

buildHeader();
render();
poll();
