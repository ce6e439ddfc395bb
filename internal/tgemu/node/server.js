// Starts the telegram-test-api emulator on 127.0.0.1:PORT for Huddle's
// tests and prints READY once it listens.
"use strict";
const TelegramServer = require("telegram-test-api");

const port = Number(process.argv[2]);
const server = new TelegramServer({ port, host: "127.0.0.1", storeTimeout: 3600 });
server.start().then(() => console.log("READY " + port));
const stop = () => server.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// Exit with the test process that started us.
process.stdin.resume();
process.stdin.on("end", stop);
