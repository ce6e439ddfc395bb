// Starts the telegram-test-api emulator on 127.0.0.1:PORT for Huddle's
// tests and prints READY once it listens.
//
// telegram-test-api 4.2.1 predates forum topics, so this script puts its
// app behind one that adds them: createForumTopic makes a topic whose
// message_thread_id is a fresh message id (as on Telegram, where it is the
// id of the "topic created" service message), and POST /forumTopics lists
// the topics made, for the tests; POST /denyTopics {chat_id} makes the
// bot lack the right to manage topics there. Messages with message_thread_id pass
// through the emulator as they are.
//
// Nor does it keep answers to presses (answerCallbackQuery) or reactions
// (setMessageReaction): handled here by Telegram's rules and listed by
// POST /toasts and /reactions.
//
// It has no file uploads either: sendDocument here takes the multipart
// upload (field "document") as Telegram does, records the message with a
// document {file_id, file_name, mime_type, file_size} in the bot's history,
// and keeps the bytes, which getFile and GET /file/bot<token>/<file_path>
// serve back as on Telegram; or, as Telegram allows, the file_id of a
// document the bot sent before. Limits as Telegram's: 50 MB a file,
// caption 1024 characters.
//
// sendPhoto, sendAudio, sendVoice and sendVideo likewise take an upload
// (in the field named for the kind; a photo of at most 10 MB) or, as
// Telegram allows, the file_id of a file of that kind this bot sent
// before (an unknown one is refused); the message holds photo (an array
// of one PhotoSize), audio, voice or video. POST /uploads lists each file the bot uploaded, so a
// test can count them. POST /userFile keeps a file a user sends, for the
// bot to fetch with getFile.
"use strict";
const crypto = require("crypto");
const express = require("express");
const multer = require("multer");
const TelegramServer = require("telegram-test-api");

const port = Number(process.argv[2]);
const server = new TelegramServer({ port, host: "127.0.0.1", storeTimeout: 3600 });

const topics = [];
const denied = new Set();
const app = express();
const files = new Map(); // file_id -> {botToken, name, mime, bytes}
// POST /userFile {botToken, name, mime, data (base64)} keeps a file a
// user sends (a photo, a voice note, a document) and returns its file_id,
// which the bot may fetch with getFile, as on Telegram; the test then
// posts the user's message naming it. (Before the parsers below, which
// take at most 100 KB.)
app.post("/userFile", express.json({ limit: "30mb" }), (req, res) => {
  const { botToken, name, mime, data } = req.body;
  const fileId = "usr" + crypto.randomBytes(8).toString("hex");
  files.set(fileId, { botToken, name, mime, bytes: Buffer.from(data, "base64") });
  res.json({ ok: true, result: { file_id: fileId } });
});
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
// POST /lack {methods} makes this server lack those methods from then on,
// as telegram-test-api itself lacks setMessageReaction and an older
// self-hosted Bot API server lacks newer methods: the answer is
// telegram-test-api's own to an unknown method (a 500 saying it is not
// supported).
const lacking = new Set();
app.post("/lack", (req, res) => {
  for (const m of req.body.methods || []) lacking.add(String(m));
  res.json({ ok: true, result: true });
});
app.use("/bot:token/:method", (req, res, next) => {
  if (!lacking.has(req.params.method)) return next();
  res.status(500).json({ message: `API method '${req.params.method}' is not supported.` +
    " Are you sure you're using Telegram Bot API correctly? Check out" +
    " the list of methods supported by `telegram-test-api` package or look at official" +
    " documentation: https://core.telegram.org/bots/api#available-methods" });
});
// A user's message (POST /sendMessage), answered with the message_id it
// gets, so that a test can edit it later; telegram-test-api answers null.
app.post("/sendMessage", (req, res) => {
  const messageId = server.messageId;
  server.addUserMessage(req.body);
  res.json({ ok: true, result: { message_id: messageId } });
});
// Updates of kinds telegram-test-api does not make (chat_member,
// edited_message): POST /update {botToken, update} queues one, and
// getUpdates delivers it after the library's own. As on Telegram, a bot
// gets only the kinds it asked for in allowed_updates (remembered from its
// last call), and by default every kind but chat_member, message_reaction
// and message_reaction_count (https://core.telegram.org/bots/api#getupdates).
const extras = [];
const allowedKinds = new Map();
let extraId = 1000000000;
app.post("/update", (req, res) => {
  extras.push({ botToken: req.body.botToken, update: { update_id: extraId++, ...req.body.update } });
  res.json({ ok: true, result: true });
});
app.all("/bot:token/getUpdates", (req, res) => {
  const { token } = req.params;
  let asked = (req.body && req.body.allowed_updates) || req.query.allowed_updates;
  if (typeof asked === "string") asked = JSON.parse(asked);
  if (Array.isArray(asked) && asked.length > 0) allowedKinds.set(token, new Set(asked));
  const kinds = allowedKinds.get(token);
  const wanted = (kind) => (kinds ? kinds.has(kind) : !["chat_member", "message_reaction", "message_reaction_count"].includes(kind));
  const result = server.getUpdates(token);
  for (let i = 0; i < extras.length; ) {
    if (extras[i].botToken !== token) { i++; continue; }
    const [{ update }] = extras.splice(i, 1);
    const kind = Object.keys(update).find((k) => k !== "update_id");
    if (wanted(kind)) result.push(update);
  }
  res.json({ ok: true, result });
});
app.post("/bot:token/createForumTopic", (req, res) => {
  const { chat_id: chatId, name } = req.body;
  if (!chatId || !name) {
    res.status(400).json({ ok: false, error_code: 400, description: "Bad Request: chat_id and name are required" });
    return;
  }
  if (denied.has(String(chatId))) {
    res.status(400).json({ ok: false, error_code: 400, description: "Bad Request: not enough rights to create a topic" });
    return;
  }
  const topic = { message_thread_id: server.messageId++, name: String(name), icon_color: 7322096 };
  topics.push({ botToken: req.params.token, chat_id: String(chatId), ...topic });
  res.json({ ok: true, result: topic });
});
const uploads = []; // {botToken, method, file_id}
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 50 << 20 } });
const badRequest = (res, description) => res.status(400).json({ ok: false, error_code: 400, description: "Bad Request: " + description });
app.post("/bot:token/sendDocument", upload.single("document"), (req, res) => {
  const { token } = req.params;
  if (!req.body.chat_id) return badRequest(res, "chat_id is required");
  if ((req.body.caption || "").length > 1024) return badRequest(res, "message caption is too long");
  let fileId = req.body.document;
  if (req.file) {
    fileId = "doc" + crypto.randomBytes(8).toString("hex");
    // Telegram names the type from the file's name, whatever the part says.
    const mime = express.static.mime.lookup(req.file.originalname) || req.file.mimetype;
    files.set(fileId, { botToken: token, name: req.file.originalname, mime, bytes: req.file.buffer });
    uploads.push({ botToken: token, method: "sendDocument", file_id: fileId });
  } else {
    // As Telegram allows, the file_id of a document this bot sent before.
    const f = files.get(fileId);
    if (!fileId) return badRequest(res, "there is no document in the request");
    if (!f || f.botToken !== token || !String(fileId).startsWith("doc")) return badRequest(res, "wrong file identifier/HTTP URL specified");
  }
  const f = files.get(fileId);
  const raw = { ...req.body };
  if (typeof raw.reply_markup === "string") raw.reply_markup = JSON.parse(raw.reply_markup);
  raw.document = { file_id: fileId, file_unique_id: fileId, file_name: f.name, mime_type: f.mime, file_size: f.bytes.length };
  res.json({ ok: true, result: server.addBotMessage(raw, token) });
});
// sendPhoto, sendAudio, sendVoice and sendVideo: an upload in the field
// named for the kind, or the file_id of one of the bot's files of that
// kind.
const media = { sendPhoto: ["photo", "pho", "image/"], sendAudio: ["audio", "aud", "audio/"], sendVoice: ["voice", "voi", "audio/ogg"], sendVideo: ["video", "vid", "video/"] };
for (const [method, [field, prefix, type]] of Object.entries(media)) {
  app.post("/bot:token/" + method, upload.single(field), (req, res) => {
    const { token } = req.params;
    if (!req.body.chat_id) return badRequest(res, "chat_id is required");
    if ((req.body.caption || "").length > 1024) return badRequest(res, "message caption is too long");
    let fileId = req.body[field];
    if (req.file) {
      const mime = express.static.mime.lookup(req.file.originalname) || req.file.mimetype;
      if (!String(mime).startsWith(type)) return badRequest(res, "wrong type of the web page content");
      if (field === "photo" && req.file.size > 10 << 20) return badRequest(res, "PHOTO_INVALID_DIMENSIONS");
      fileId = prefix + crypto.randomBytes(8).toString("hex");
      files.set(fileId, { botToken: token, name: req.file.originalname, mime, bytes: req.file.buffer });
      uploads.push({ botToken: token, method, file_id: fileId });
    } else {
      const f = files.get(fileId);
      if (!f || f.botToken !== token || !String(fileId).startsWith(prefix)) return badRequest(res, "wrong file identifier/HTTP URL specified");
    }
    const f = files.get(fileId);
    const raw = { ...req.body };
    delete raw[field];
    if (typeof raw.reply_markup === "string") raw.reply_markup = JSON.parse(raw.reply_markup);
    const desc = { file_id: fileId, file_unique_id: fileId, file_size: f.bytes.length, mime_type: f.mime, file_name: f.name };
    raw[field] = field === "photo" ? [{ ...desc, width: 0, height: 0 }] : desc;
    res.json({ ok: true, result: server.addBotMessage(raw, token) });
  });
}
app.post("/uploads", (req, res) => {
  res.json({ ok: true, result: uploads.filter((u) => u.botToken === req.body.token) });
});
app.use((err, req, res, next) => {
  if (err instanceof multer.MulterError) return badRequest(res, err.message);
  next(err);
});
app.all("/bot:token/getFile", (req, res) => {
  const id = req.body.file_id || req.query.file_id;
  const f = files.get(id);
  if (!f || f.botToken !== req.params.token) return badRequest(res, "invalid file_id");
  const folder = id.startsWith("doc") ? "documents/" : "photos/";
  res.json({ ok: true, result: { file_id: id, file_unique_id: id, file_size: f.bytes.length, file_path: folder + id } });
});
app.get("/file/bot:token/:kind(documents|photos)/:id", (req, res) => {
  const f = files.get(req.params.id);
  if (!f || f.botToken !== req.params.token) return res.status(404).send("Not Found");
  res.type(f.mime).send(f.bytes);
});
app.post("/forumTopics", (req, res) => {
  res.json({ ok: true, result: topics.filter((t) => t.botToken === req.body.token) });
});
// Answers to presses and reactions, which telegram-test-api does not keep:
// recorded, and listed by POST /toasts and /reactions for the tests.
// Telegram's rules: a toast is at most 200 characters; a reaction is one
// of a fixed set of emoji, on a message of the chat.
const toasts = [];
const reactions = [];
const allowedReactions = new Set(["👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🎉", "🤩", "🙏", "👌", "💯", "🤝", "✍", "🤗"]);
app.post("/bot:token/answerCallbackQuery", (req, res) => {
  const { callback_query_id: id, text = "", show_alert: alert } = req.body;
  if (!id) return badRequest(res, "callback_query_id is required");
  if (String(text).length > 200) return badRequest(res, "MESSAGE_TOO_LONG");
  if (toasts.some((t) => t.callback_query_id === String(id))) return badRequest(res, "query is too old and response timeout expired or query ID is invalid");
  toasts.push({ botToken: req.params.token, callback_query_id: String(id), text: String(text), show_alert: alert === true || alert === "true" });
  res.json({ ok: true, result: true });
});
app.post("/bot:token/setMessageReaction", (req, res) => {
  const { chat_id: chatId, message_id: messageId } = req.body;
  let reaction = req.body.reaction;
  if (typeof reaction === "string") reaction = JSON.parse(reaction);
  if (!chatId || !messageId) return badRequest(res, "chat_id and message_id are required");
  for (const r of reaction || []) {
    if (r.type !== "emoji" || !allowedReactions.has(r.emoji)) return badRequest(res, "REACTION_INVALID");
  }
  reactions.push({ botToken: req.params.token, chat_id: String(chatId), message_id: Number(messageId), emoji: (reaction[0] || {}).emoji });
  res.json({ ok: true, result: true });
});
// Member counts the tests set (POST /chatSize {chat_id, count}), answered
// by getChatMemberCount; a chat without one is "not found", as Telegram
// answers for a chat the bot is not in.
const sizes = new Map();
app.post("/chatSize", (req, res) => {
  sizes.set(String(req.body.chat_id), Number(req.body.count));
  res.json({ ok: true, result: true });
});
app.all("/bot:token/getChatMemberCount", (req, res) => {
  const chatId = String(req.body.chat_id || req.query.chat_id);
  if (!sizes.has(chatId)) return badRequest(res, "chat not found");
  res.json({ ok: true, result: sizes.get(chatId) });
});
const pins = [];
app.post("/bot:token/pinChatMessage", (req, res) => {
  const { chat_id: chatId, message_id: messageId } = req.body;
  if (!chatId || !messageId) return badRequest(res, "chat_id and message_id are required");
  pins.push({ botToken: req.params.token, chat_id: String(chatId), message_id: Number(messageId) });
  res.json({ ok: true, result: true });
});
// Deleting members' messages (deleteMessage), by Telegram's rules: the
// bot may where it is an admin with the right to (every chat here, but
// those POST /denyDelete names), and a message deleted once is "not
// found". Listed by POST /deletions.
const deletions = [];
const noDelete = new Set();
app.post("/bot:token/deleteMessage", (req, res) => {
  const { chat_id: chatId, message_id: messageId } = req.body;
  if (!chatId || !messageId) return badRequest(res, "chat_id and message_id are required");
  if (noDelete.has(String(chatId))) return badRequest(res, "message can't be deleted");
  if (deletions.some((d) => d.chat_id === String(chatId) && d.message_id === Number(messageId))) {
    return badRequest(res, "message to delete not found");
  }
  deletions.push({ botToken: req.params.token, chat_id: String(chatId), message_id: Number(messageId) });
  res.json({ ok: true, result: true });
});
app.post("/denyDelete", (req, res) => {
  noDelete.add(String(req.body.chat_id));
  res.json({ ok: true, result: true });
});
app.post("/deletions", (req, res) => res.json({ ok: true, result: deletions.filter((d) => d.botToken === req.body.token) }));
app.post("/pins", (req, res) => res.json({ ok: true, result: pins.filter((p) => p.botToken === req.body.token) }));
app.post("/toasts", (req, res) => res.json({ ok: true, result: toasts.filter((t) => t.botToken === req.body.token) }));
app.post("/reactions", (req, res) => res.json({ ok: true, result: reactions.filter((r) => r.botToken === req.body.token) }));
app.post("/denyTopics", (req, res) => {
  denied.add(String(req.body.chat_id));
  res.json({ ok: true, result: true });
});
app.use(server.webServer);
server.webServer = app;

server.start().then(() => console.log("READY " + port));
const stop = () => server.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// Exit with the test process that started us.
process.stdin.resume();
process.stdin.on("end", stop);
