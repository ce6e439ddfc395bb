// The simulator page: chat as several members of a group, or privately,
// and press the options the bot offers.
"use strict";

const members = [
  { id: "amina", name: "Amina (midwife)" },
  { id: "brigitte", name: "Brigitte (nurse)" },
  { id: "chinedu", name: "Chinedu (CHW)" },
];
const chats = [{ id: "ward-7", type: "group", title: "Ward 7 midwives", label: "Ward 7 (group)" }]
  .concat(members.map((m) => ({ id: "dm-" + m.id, type: "direct", title: "", label: m.name.split(" ")[0] + " (private)", member: m.id })));

const state = { chat: chats[0], member: members[0], messages: [], after: 0 };
const $ = (sel) => document.querySelector(sel);

function chip(label, pressed, onclick, data) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "chip";
  b.textContent = label;
  b.setAttribute("aria-pressed", String(pressed));
  Object.assign(b.dataset, data);
  b.onclick = onclick;
  return b;
}

function renderHeader() {
  const chatRow = $("#chats"), memberRow = $("#members");
  chatRow.querySelectorAll("button").forEach((b) => b.remove());
  memberRow.querySelectorAll("button").forEach((b) => b.remove());
  for (const c of chats) {
    chatRow.append(chip(c.label, c === state.chat, () => {
      state.chat = c;
      if (c.member) state.member = members.find((m) => m.id === c.member);
      renderHeader();
      render();
    }, { chat: c.id }));
  }
  for (const m of members) {
    const locked = state.chat.member && state.chat.member !== m.id;
    const b = chip(m.name, m === state.member, () => { state.member = m; renderHeader(); render(); }, { member: m.id });
    b.disabled = locked;
    if (locked) b.style.opacity = ".4";
    memberRow.append(b);
  }
}

function render() {
  const log = $("#log");
  log.textContent = "";
  const shown = state.messages.filter((m) => m.chat === state.chat.id);
  if (shown.length === 0) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = "No messages yet. Try /lessons, then /lesson hand-hygiene.";
    log.append(p);
  }
  const byId = new Map(state.messages.map((m) => [m.id, m]));
  for (const m of shown) {
    const div = document.createElement("div");
    div.className = "msg" + (!m.bot && m.from === state.member.id ? " mine" : "");
    div.dataset.id = m.id;
    div.dataset.bot = String(m.bot);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.bot ? "Huddle" : (m.from_name || m.from);
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
  log.scrollTop = log.scrollHeight;
}

async function call(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  $("#status").textContent = res.ok ? "" : (data.error || "The bot did not answer (" + res.status + ").");
  return res.ok;
}

function who() {
  return { chat: state.chat.id, sender: state.member.id, name: state.member.name.split(" ")[0] };
}

async function press(m, o) {
  await call("/api/press", Object.assign(who(), { message_id: m.id, data: o.data }));
}

$("#composer").onsubmit = async (e) => {
  e.preventDefault();
  const input = $("#text"), text = input.value;
  if (!text.trim()) return;
  input.value = "";
  const body = Object.assign(who(), { text, chat_type: state.chat.type, chat_title: state.chat.title });
  if (!(await call("/api/messages", body))) input.value = text;
};

async function poll() {
  for (;;) {
    try {
      const res = await fetch("/api/messages?after=" + state.after + "&wait=20s");
      const batch = await res.json();
      if (batch.length) {
        state.messages.push(...batch);
        state.after = batch[batch.length - 1].seq;
        render();
      }
    } catch (err) {
      $("#status").textContent = "Lost the connection to Huddle; retrying…";
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

renderHeader();
render();
poll();
