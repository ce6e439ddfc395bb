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
"use strict";
const express = require("express");
const TelegramServer = require("telegram-test-api");

const port = Number(process.argv[2]);
const server = new TelegramServer({ port, host: "127.0.0.1", storeTimeout: 3600 });

const topics = [];
const denied = new Set();
const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
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
app.post("/forumTopics", (req, res) => {
  res.json({ ok: true, result: topics.filter((t) => t.botToken === req.body.token) });
});
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
